// The ACL requests of the internal RPC (rpc-methods.ts), as the controller answers them and the
// brokers' Kafka handlers (CreateAcls, DeleteAcls, DescribeAcls) and `metaquorum acls` send them.
// Results are per creation / per filter, in request order, with Kafka's error codes.

import type { AclBindingFilter } from '../../../metadata-log/acl-filter.js';
import type { StoredAcl } from '../../../metadata-log/image-types.js';
import type { AclBinding } from '../../../metadata-log/records/types.js';

export interface CreateAclsRequest {
  readonly creations: readonly AclBinding[];
}

export interface CreateAclsResponse {
  /** One per creation, in order; an ACL identical to one stored already succeeds without a new record. */
  readonly results: readonly { readonly errorCode: number; readonly errorMessage: string | null }[];
}

export interface DeleteAclsRequest {
  readonly filters: readonly AclBindingFilter[];
}

export interface DeleteAclsResponse {
  /** One per filter, in order: the ACLs it matched and removed (an ACL two filters match is removed once, listed under both). */
  readonly results: readonly { readonly errorCode: number; readonly errorMessage: string | null; readonly matchingAcls: readonly StoredAcl[] }[];
}

export interface DescribeAclsRequest {
  readonly filter: AclBindingFilter;
}

export interface DescribeAclsResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly acls: readonly StoredAcl[];
}
