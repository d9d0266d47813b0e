// AlterConfigs (key 33), versions 0-1, which share one layout. kafkajs 2.2.4's admin.alterConfigs
// uses this API (v0-v1); it has no IncrementalAlterConfigs, so we do not speak that one. Note the
// semantics: AlterConfigs replaces the resource's whole set of dynamic configs with the given one.
// Request: resources[resource_type INT8, resource_name, configs[name, value NULLABLE]],
// validate_only. Response: throttle_time_ms, responses[error_code, error_message NULLABLE,
// resource_type, resource_name]. kafkajs rejects the call on the first non-zero error code.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const ALTER_CONFIGS_MIN_VERSION = 0;
export const ALTER_CONFIGS_MAX_VERSION = 1;

export interface AlterableConfig {
  name: string;
  value: string | null;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterableConfig[];
}

export interface AlterConfigsRequest {
  resources: AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResult[];
}

function checkVersion(version: number): void {
  assert(version >= ALTER_CONFIGS_MIN_VERSION && version <= ALTER_CONFIGS_MAX_VERSION, `AlterConfigs v${version} is not supported`);
}

function readResource(r: KafkaReader): AlterConfigsResource {
  return {
    resourceType: r.int8('AlterConfigs resource_type'),
    resourceName: r.string('AlterConfigs resource_name'),
    configs: r.array(
      (cr) => ({ name: cr.string('AlterConfigs config name'), value: cr.nullableString('AlterConfigs config value') }),
      4,
      'AlterConfigs configs',
    ),
  };
}

export function decodeAlterConfigsRequest(reader: KafkaReader, version: number): AlterConfigsRequest {
  checkVersion(version);
  const resources = reader.array(readResource, 7, 'AlterConfigs resources');
  const validateOnly = reader.boolean('AlterConfigs validate_only');
  return { resources, validateOnly };
}

export function encodeAlterConfigsResponse(writer: KafkaWriter, version: number, response: AlterConfigsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.responses, (w, r) =>
    w.int16(r.errorCode).nullableString(r.errorMessage).int8(r.resourceType).string(r.resourceName),
  );
}
