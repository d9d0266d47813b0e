// IncrementalAlterConfigs (key 44), versions 0-1 (KIP-339; Kafka's IncrementalAlterConfigsRequest
// .json). v0 is classic, v1 flexible (compact types, tagged fields, header v2 / v1). What Kafka's
// own tools send (kafka-configs.sh --alter, the Java AdminClient's incrementalAlterConfigs) and
// librdkafka's; kafkajs 2.2.4 has no such call (it uses AlterConfigs).
// Request: resources[resource_type INT8, resource_name, configs[name, config_operation INT8
// (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT), value NULLABLE]], validate_only.
// Response: throttle_time_ms, responses[error_code, error_message NULLABLE, resource_type,
// resource_name].

import { assert } from '../../../../quorum/raft/assert.js';
import type { AlterConfigsResourceResult, AlterConfigsResponse } from './alter-configs.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const INCREMENTAL_ALTER_CONFIGS_MIN_VERSION = 0;
export const INCREMENTAL_ALTER_CONFIGS_MAX_VERSION = 1;
export const INCREMENTAL_ALTER_CONFIGS_FIRST_FLEXIBLE_VERSION = 1;

export interface IncrementalAlterableConfig {
  name: string;
  /** Kafka's AlterConfigOp.OpType id: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  configOperation: number;
  value: string | null;
}

export interface IncrementalAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsResource[];
  validateOnly: boolean;
}

/** The answer has AlterConfigs's shape (only the v1 encoding differs). */
export type IncrementalAlterConfigsResourceResult = AlterConfigsResourceResult;
export type IncrementalAlterConfigsResponse = AlterConfigsResponse;

function checkVersion(version: number): void {
  assert(
    version >= INCREMENTAL_ALTER_CONFIGS_MIN_VERSION && version <= INCREMENTAL_ALTER_CONFIGS_MAX_VERSION,
    `IncrementalAlterConfigs v${version} is not supported`,
  );
}

export function decodeIncrementalAlterConfigsRequest(reader: KafkaReader, version: number): IncrementalAlterConfigsRequest {
  checkVersion(version);
  const flexible = version >= INCREMENTAL_ALTER_CONFIGS_FIRST_FLEXIBLE_VERSION;
  const str = (r: KafkaReader, what: string) => (flexible ? r.compactString(what) : r.string(what));
  const readConfig = (cr: KafkaReader): IncrementalAlterableConfig => {
    const name = str(cr, 'IncrementalAlterConfigs config name');
    const configOperation = cr.int8('IncrementalAlterConfigs config_operation');
    const value = flexible ? cr.compactNullableString('IncrementalAlterConfigs config value') : cr.nullableString('IncrementalAlterConfigs config value');
    if (flexible) cr.taggedFields('IncrementalAlterConfigs config tagged fields');
    return { name, configOperation, value };
  };
  const readResource = (rr: KafkaReader): IncrementalAlterConfigsResource => {
    const resourceType = rr.int8('IncrementalAlterConfigs resource_type');
    const resourceName = str(rr, 'IncrementalAlterConfigs resource_name');
    const configs = flexible ? rr.compactArray(readConfig, 4, 'IncrementalAlterConfigs configs') : rr.array(readConfig, 5, 'IncrementalAlterConfigs configs');
    if (flexible) rr.taggedFields('IncrementalAlterConfigs resource tagged fields');
    return { resourceType, resourceName, configs };
  };
  const resources = flexible ? reader.compactArray(readResource, 4, 'IncrementalAlterConfigs resources') : reader.array(readResource, 7, 'IncrementalAlterConfigs resources');
  const validateOnly = reader.boolean('IncrementalAlterConfigs validate_only');
  if (flexible) reader.taggedFields('IncrementalAlterConfigs tagged fields');
  return { resources, validateOnly };
}

export function encodeIncrementalAlterConfigsResponse(writer: KafkaWriter, version: number, response: IncrementalAlterConfigsResponse): void {
  checkVersion(version);
  const flexible = version >= INCREMENTAL_ALTER_CONFIGS_FIRST_FLEXIBLE_VERSION;
  writer.int32(response.throttleTimeMs);
  const writeResult = (w: KafkaWriter, r: IncrementalAlterConfigsResourceResult) => {
    w.int16(r.errorCode);
    if (flexible) w.compactNullableString(r.errorMessage).int8(r.resourceType).compactString(r.resourceName).taggedFields();
    else w.nullableString(r.errorMessage).int8(r.resourceType).string(r.resourceName);
  };
  if (flexible) writer.compactArray(response.responses, writeResult).taggedFields();
  else writer.array(response.responses, writeResult);
}
