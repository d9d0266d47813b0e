// ApiVersions (key 18), versions 0-2 (reference/kafka-protocol.md §1.4). The request body is empty
// at v0-v2. The response is error_code, api_keys[api_key, min_version, max_version], then
// throttle_time_ms from v1. A version we do not speak (librdkafka starts with v3) is answered in
// the v0 layout with UNSUPPORTED_VERSION (35) and the full list: librdkafka then retries with v0,
// and kafkajs reads only the error code.

import { assert } from '../../../../quorum/raft/assert.js';
import { SUPPORTED_API_VERSIONS, type ApiVersionRange } from '../api-keys.js';
import { ErrorCode } from '../error-codes.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const API_VERSIONS_MIN_VERSION = 0;
export const API_VERSIONS_MAX_VERSION = 2;

export type ApiVersionsRequest = Record<string, never>;

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: readonly ApiVersionRange[];
  /** v1+ */
  throttleTimeMs: number;
}

function checkVersion(version: number): void {
  assert(version >= API_VERSIONS_MIN_VERSION && version <= API_VERSIONS_MAX_VERSION, `ApiVersions v${version} is not supported`);
}

export function decodeApiVersionsRequest(_reader: KafkaReader, version: number): ApiVersionsRequest {
  checkVersion(version);
  return {};
}

export function encodeApiVersionsResponse(writer: KafkaWriter, version: number, response: ApiVersionsResponse): void {
  checkVersion(version);
  writer.int16(response.errorCode);
  writer.array(response.apiKeys, (w, k) => w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion));
  if (version >= 1) writer.int32(response.throttleTimeMs);
}

/** The answer every broker gives: no error, the whole supported table. */
export function supportedApiVersionsResponse(throttleTimeMs = 0): ApiVersionsResponse {
  return { errorCode: ErrorCode.NONE, apiKeys: SUPPORTED_API_VERSIONS, throttleTimeMs };
}

/**
 * The answer to an ApiVersions request of a version we do not speak: v0 layout, error 35, the
 * full list. The caller frames it with the request's correlation id as usual.
 */
export function encodeUnsupportedApiVersionsResponse(writer: KafkaWriter): void {
  encodeApiVersionsResponse(writer, 0, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: SUPPORTED_API_VERSIONS,
    throttleTimeMs: 0,
  });
}
