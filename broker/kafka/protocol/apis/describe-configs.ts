// DescribeConfigs (key 32), versions 0-2: kafkajs 2.2.4 implements v0-v2 (its
// src/protocol/requests/describeConfigs); v3+ add config types and documentation we do not speak.
// Request: resources[resource_type INT8, resource_name, configuration_keys NULLABLE ARRAY[STRING]
// (null = all)], include_synonyms (v1+; false before). Response: throttle_time_ms,
// results[error_code, error_message NULLABLE, resource_type, resource_name, configs[name, value
// NULLABLE, read_only, is_default (v0 only), config_source INT8 (v1+), is_sensitive,
// synonyms (v1+)[name, value NULLABLE, source INT8]]]. At v0 is_default is written as
// config_source === DEFAULT_CONFIG, so handlers fill only configSource.
// kafkajs rejects the whole call on the first resource with a non-zero error code.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_CONFIGS_MIN_VERSION = 0;
export const DESCRIBE_CONFIGS_MAX_VERSION = 2;

/** Kafka's ConfigResource.Type codes. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's DescribeConfigsResponse.ConfigSource codes. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  /** Null: all configs of the resource. */
  configurationKeys: string[] | null;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
  /** v1+; false before. */
  includeSynonyms: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribeConfigsEntry {
  name: string;
  /** Null for sensitive values. */
  value: string | null;
  readOnly: boolean;
  /** v1+ as is; at v0 only `=== DEFAULT_CONFIG` is sent (is_default). */
  configSource: number;
  isSensitive: boolean;
  /** v1+ */
  synonyms: DescribeConfigsSynonym[];
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

function checkVersion(version: number): void {
  assert(
    version >= DESCRIBE_CONFIGS_MIN_VERSION && version <= DESCRIBE_CONFIGS_MAX_VERSION,
    `DescribeConfigs v${version} is not supported`,
  );
}

function readResource(r: KafkaReader): DescribeConfigsResource {
  return {
    resourceType: r.int8('DescribeConfigs resource_type'),
    resourceName: r.string('DescribeConfigs resource_name'),
    configurationKeys: r.nullableArray((kr) => kr.string('DescribeConfigs configuration_key'), 2, 'DescribeConfigs configuration_keys'),
  };
}

export function decodeDescribeConfigsRequest(reader: KafkaReader, version: number): DescribeConfigsRequest {
  checkVersion(version);
  const resources = reader.array(readResource, 7, 'DescribeConfigs resources');
  const includeSynonyms = version >= 1 ? reader.boolean('DescribeConfigs include_synonyms') : false;
  return { resources, includeSynonyms };
}

export function encodeDescribeConfigsResponse(writer: KafkaWriter, version: number, response: DescribeConfigsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.results, (w, res) => {
    w.int16(res.errorCode).nullableString(res.errorMessage).int8(res.resourceType).string(res.resourceName);
    w.array(res.configs, (cw, c) => {
      cw.string(c.name).nullableString(c.value).boolean(c.readOnly);
      if (version === 0) cw.boolean(c.configSource === ConfigSource.DEFAULT_CONFIG);
      else cw.int8(c.configSource);
      cw.boolean(c.isSensitive);
      if (version >= 1) cw.array(c.synonyms, (sw, s) => sw.string(s.name).nullableString(s.value).int8(s.source));
    });
  });
}
