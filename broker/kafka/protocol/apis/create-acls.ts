// CreateAcls (key 30), versions 0-1 (kafkajs 2.2.4 sends v1; v2 is the first flexible one).
// Request: creations[resource_type INT8, resource_name, resource_pattern_type INT8 (v1+; v0 means
// LITERAL), principal, host, operation INT8, permission_type INT8].
// Response: throttle_time_ms, results[error_code, error_message NULLABLE_STRING], one per creation
// in request order.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';
import { LITERAL_PATTERN_CODE } from './describe-acls.js';

export const CREATE_ACLS_MIN_VERSION = 0;
export const CREATE_ACLS_MAX_VERSION = 1;

export interface AclCreationWire {
  resourceType: number;
  resourceName: string;
  /** LITERAL (3) at v0. */
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface CreateAclsRequest {
  creations: AclCreationWire[];
}

export interface AclCreationResult {
  errorCode: number;
  errorMessage: string | null;
}

export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: AclCreationResult[];
}

function checkVersion(version: number): void {
  assert(version >= CREATE_ACLS_MIN_VERSION && version <= CREATE_ACLS_MAX_VERSION, `CreateAcls v${version} is not supported`);
}

export function decodeCreateAclsRequest(reader: KafkaReader, version: number): CreateAclsRequest {
  checkVersion(version);
  const creations = reader.array((r) => {
    const resourceType = r.int8('CreateAcls resource_type');
    const resourceName = r.string('CreateAcls resource_name');
    const resourcePatternType = version >= 1 ? r.int8('CreateAcls resource_pattern_type') : LITERAL_PATTERN_CODE;
    const principal = r.string('CreateAcls principal');
    const host = r.string('CreateAcls host');
    const operation = r.int8('CreateAcls operation');
    const permissionType = r.int8('CreateAcls permission_type');
    return { resourceType, resourceName, resourcePatternType, principal, host, operation, permissionType };
  }, 9, 'CreateAcls creations');
  return { creations };
}

export function encodeCreateAclsResponse(writer: KafkaWriter, version: number, response: CreateAclsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.results, (w, r) => w.int16(r.errorCode).nullableString(r.errorMessage));
}
