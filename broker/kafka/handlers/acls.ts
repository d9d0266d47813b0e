// DescribeAcls, CreateAcls and DeleteAcls. With no authorizer configured (authorizer.class.name
// empty), every answer is SECURITY_DISABLED (54), as Kafka's AclApis answers without one: the
// ACLs would be stored but never enforced, which an operator would take for protection.

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest, DescribeAclsResponse } from '../protocol/index.js';
import type { KafkaHandler } from './context.js';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

export const handleDescribeAcls: KafkaHandler<DescribeAclsRequest, DescribeAclsResponse> = async () => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.SECURITY_DISABLED,
  errorMessage: NO_AUTHORIZER,
  resources: [],
});

export const handleCreateAcls: KafkaHandler<CreateAclsRequest, CreateAclsResponse> = async (_ctx, request) => ({
  throttleTimeMs: 0,
  results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })),
});

export const handleDeleteAcls: KafkaHandler<DeleteAclsRequest, DeleteAclsResponse> = async (_ctx, request) => ({
  throttleTimeMs: 0,
  filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })),
});
