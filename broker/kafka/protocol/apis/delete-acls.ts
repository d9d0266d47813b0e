// DeleteAcls (key 31), versions 0-1 (kafkajs 2.2.4 sends v1; v2 is the first flexible one).
// Request: filters[the DescribeAcls filter layout: pattern_type_filter from v1, LITERAL at v0].
// Response: throttle_time_ms, filter_results[error_code, error_message, matching_acls[error_code,
// error_message, resource_type INT8, resource_name, pattern_type INT8 (v1+), principal, host,
// operation INT8, permission_type INT8]], one per filter in request order.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';
import { decodeAclFilter, type AclFilterWire } from './describe-acls.js';

export const DELETE_ACLS_MIN_VERSION = 0;
export const DELETE_ACLS_MAX_VERSION = 1;

export interface DeleteAclsRequest {
  filters: AclFilterWire[];
}

export interface DeleteAclsMatchingAcl {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  /** Not sent at v0. */
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface DeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: DeleteAclsMatchingAcl[];
}

export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: DeleteAclsFilterResult[];
}

function checkVersion(version: number): void {
  assert(version >= DELETE_ACLS_MIN_VERSION && version <= DELETE_ACLS_MAX_VERSION, `DeleteAcls v${version} is not supported`);
}

export function decodeDeleteAclsRequest(reader: KafkaReader, version: number): DeleteAclsRequest {
  checkVersion(version);
  return { filters: reader.array((r) => decodeAclFilter(r, version, 'DeleteAcls filter'), 9, 'DeleteAcls filters') };
}

export function encodeDeleteAclsResponse(writer: KafkaWriter, version: number, response: DeleteAclsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.filterResults, (w, f) => {
    w.int16(f.errorCode).nullableString(f.errorMessage);
    w.array(f.matchingAcls, (aw, a) => {
      aw.int16(a.errorCode).nullableString(a.errorMessage).int8(a.resourceType).string(a.resourceName);
      if (version >= 1) aw.int8(a.patternType);
      aw.string(a.principal).string(a.host).int8(a.operation).int8(a.permissionType);
    });
  });
}
