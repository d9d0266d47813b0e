// OffsetDelete (key 47), version 0 (KIP-496; the only version, not flexible): what Kafka's
// kafka-consumer-groups.sh --delete-offsets and the Java AdminClient's deleteConsumerGroupOffsets
// send (kafkajs 2.2.4 has no OffsetDelete). Request: group_id, topics[name,
// partitions[partition_index]]. Response: error_code (group-level), throttle_time_ms,
// topics[name, partitions[partition_index, error_code]]; with a group-level error the topics are
// empty, as Kafka answers.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const OFFSET_DELETE_MIN_VERSION = 0;
export const OFFSET_DELETE_MAX_VERSION = 0;

export interface OffsetDeleteRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponseTopic {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: OffsetDeleteResponseTopic[];
}

function checkVersion(version: number): void {
  assert(version >= OFFSET_DELETE_MIN_VERSION && version <= OFFSET_DELETE_MAX_VERSION, `OffsetDelete v${version} is not supported`);
}

export function decodeOffsetDeleteRequest(reader: KafkaReader, version: number): OffsetDeleteRequest {
  checkVersion(version);
  const groupId = reader.string('OffsetDelete group_id');
  // Each partition is a struct of one INT32: the same bytes as an ARRAY[INT32].
  const topics = reader.array((r) => ({ name: r.string('OffsetDelete topic name'), partitionIndexes: r.int32Array('OffsetDelete partitions') }), 6, 'OffsetDelete topics');
  return { groupId, topics };
}

export function encodeOffsetDeleteResponse(writer: KafkaWriter, version: number, response: OffsetDeleteResponse): void {
  checkVersion(version);
  writer.int16(response.errorCode).int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int16(p.errorCode));
  });
}
