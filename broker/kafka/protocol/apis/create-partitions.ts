// CreatePartitions (key 37), versions 0-1, which share one layout (reference/kafka-protocol.md
// §1.6). Request: topics[name, count, assignments NULLABLE ARRAY[broker_ids]], timeout_ms,
// validate_only. kafkajs writes each broker_ids list with writeNullableArray, so an empty list
// arrives as null: the codec accepts null there and the handler treats it as "no brokers given".
// Response: throttle_time_ms, results[name, error_code, error_message NULLABLE]. Answer
// INVALID_PARTITIONS (37) when count <= the current partition count.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const CREATE_PARTITIONS_MIN_VERSION = 0;
export const CREATE_PARTITIONS_MAX_VERSION = 1;

export interface CreatePartitionsTopic {
  name: string;
  /** The new total number of partitions. */
  count: number;
  /** Null: the controller places the new partitions. One entry per new partition otherwise. */
  assignments: Array<number[] | null> | null;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

function checkVersion(version: number): void {
  assert(
    version >= CREATE_PARTITIONS_MIN_VERSION && version <= CREATE_PARTITIONS_MAX_VERSION,
    `CreatePartitions v${version} is not supported`,
  );
}

function readTopic(r: KafkaReader): CreatePartitionsTopic {
  const name = r.string('CreatePartitions topic name');
  const count = r.int32('CreatePartitions count');
  const assignments = r.nullableArray(
    (ar) => ar.nullableArray((br) => br.int32('CreatePartitions broker_id'), 4, 'CreatePartitions broker_ids'),
    4,
    'CreatePartitions assignments',
  );
  return { name, count, assignments };
}

export function decodeCreatePartitionsRequest(reader: KafkaReader, version: number): CreatePartitionsRequest {
  checkVersion(version);
  const topics = reader.array(readTopic, 10, 'CreatePartitions topics');
  const timeoutMs = reader.int32('CreatePartitions timeout_ms');
  const validateOnly = reader.boolean('CreatePartitions validate_only');
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreatePartitionsResponse(writer: KafkaWriter, version: number, response: CreatePartitionsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.array(response.results, (w, r) => w.string(r.name).int16(r.errorCode).nullableString(r.errorMessage));
}
