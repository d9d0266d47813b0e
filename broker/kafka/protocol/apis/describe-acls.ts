// DescribeAcls (key 29), versions 0-1 (kafkajs 2.2.4 sends v1; v2 is the first flexible one).
// Request: resource_type_filter INT8, resource_name_filter NULLABLE_STRING, pattern_type_filter
// INT8 (v1+; v0 means LITERAL, 3), principal_filter NULLABLE_STRING, host_filter NULLABLE_STRING,
// operation INT8, permission_type INT8.
// Response: throttle_time_ms, error_code, error_message NULLABLE_STRING, resources[resource_type
// INT8, resource_name, pattern_type INT8 (v1+), acls[principal, host, operation INT8,
// permission_type INT8]]: the ACLs grouped by resource pattern, as Kafka's DescribeAclsResponse.
// The enum fields carry Kafka's numeric codes (metadata-log/records/acl-codes.ts); the handler
// turns them into names and refuses the ones a filter cannot hold.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_ACLS_MIN_VERSION = 0;
export const DESCRIBE_ACLS_MAX_VERSION = 1;
/** PatternType LITERAL: what a v0 filter or binding means (v0 has no pattern type). */
export const LITERAL_PATTERN_CODE = 3;

/** One ACL filter on the wire (DescribeAcls' request, each of DeleteAcls' filters). */
export interface AclFilterWire {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  /** LITERAL (3) at v0. */
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export type DescribeAclsRequest = AclFilterWire;

export interface DescribeAclsAcl {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface DescribeAclsResource {
  resourceType: number;
  resourceName: string;
  /** Not sent at v0 (only LITERAL ACLs are then described). */
  patternType: number;
  acls: DescribeAclsAcl[];
}

export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResource[];
}

function checkVersion(version: number): void {
  assert(version >= DESCRIBE_ACLS_MIN_VERSION && version <= DESCRIBE_ACLS_MAX_VERSION, `DescribeAcls v${version} is not supported`);
}

/** One filter, at a DescribeAcls/DeleteAcls version (the two share it: pattern type from v1). */
export function decodeAclFilter(r: KafkaReader, version: number, what: string): AclFilterWire {
  const resourceTypeFilter = r.int8(`${what} resource_type_filter`);
  const resourceNameFilter = r.nullableString(`${what} resource_name_filter`);
  const patternTypeFilter = version >= 1 ? r.int8(`${what} pattern_type_filter`) : LITERAL_PATTERN_CODE;
  const principalFilter = r.nullableString(`${what} principal_filter`);
  const hostFilter = r.nullableString(`${what} host_filter`);
  const operation = r.int8(`${what} operation`);
  const permissionType = r.int8(`${what} permission_type`);
  return { resourceTypeFilter, resourceNameFilter, patternTypeFilter, principalFilter, hostFilter, operation, permissionType };
}

export function decodeDescribeAclsRequest(reader: KafkaReader, version: number): DescribeAclsRequest {
  checkVersion(version);
  return decodeAclFilter(reader, version, 'DescribeAcls');
}

export function encodeDescribeAclsResponse(writer: KafkaWriter, version: number, response: DescribeAclsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs).int16(response.errorCode).nullableString(response.errorMessage);
  writer.array(response.resources, (w, res) => {
    w.int8(res.resourceType).string(res.resourceName);
    if (version >= 1) w.int8(res.patternType);
    w.array(res.acls, (aw, a) => aw.string(a.principal).string(a.host).int8(a.operation).int8(a.permissionType));
  });
}
