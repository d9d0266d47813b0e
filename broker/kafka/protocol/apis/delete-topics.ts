// DeleteTopics (key 20), versions 0-1 (reference/kafka-protocol.md §1.6). Request:
// topic_names[STRING], timeout_ms. Response: throttle_time_ms (v1+), responses[name, error_code].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DELETE_TOPICS_MIN_VERSION = 0;
export const DELETE_TOPICS_MAX_VERSION = 1;

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeletableTopicResult {
  name: string;
  errorCode: number;
}

export interface DeleteTopicsResponse {
  /** v1+ */
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

function checkVersion(version: number): void {
  assert(version >= DELETE_TOPICS_MIN_VERSION && version <= DELETE_TOPICS_MAX_VERSION, `DeleteTopics v${version} is not supported`);
}

export function decodeDeleteTopicsRequest(reader: KafkaReader, version: number): DeleteTopicsRequest {
  checkVersion(version);
  const topicNames = reader.stringArray('DeleteTopics topic_names');
  const timeoutMs = reader.int32('DeleteTopics timeout_ms');
  return { topicNames, timeoutMs };
}

export function encodeDeleteTopicsResponse(writer: KafkaWriter, version: number, response: DeleteTopicsResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.array(response.responses, (w, r) => w.string(r.name).int16(r.errorCode));
}
