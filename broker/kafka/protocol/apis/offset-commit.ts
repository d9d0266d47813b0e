// OffsetCommit (key 8), versions 2-7 (reference/kafka-protocol.md §1.6; v0-v1 are not advertised,
// as in Kafka 4; v8+ is flexible). Request: group_id, generation_id, member_id,
// group_instance_id NULLABLE (v7+: a static member's, checked against fencing), retention_time_ms
// INT64 (v2-v4; -1 = broker default, also what v5+ means), topics[name, partitions[partition_index,
// committed_offset INT64, committed_leader_epoch INT32 (v6+), committed_metadata NULLABLE]].
// Response: throttle_time_ms (v3+), topics[name, partitions[partition_index, error_code]] (same
// layout from v3 to v7). kafkajs 2.2.4 stops at v5; librdkafka goes to v7 and beyond.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const OFFSET_COMMIT_MIN_VERSION = 2;
export const OFFSET_COMMIT_MAX_VERSION = 7;

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  /** v6+; -1 (unknown) before. */
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for a commit outside any generation (admin.setOffsets on an empty group). */
  generationId: number;
  memberId: string;
  /** v7+; null before, or from a dynamic member. */
  groupInstanceId: string | null;
  /** v2-v4; -1n (broker default) from v5. */
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  /** v3+ */
  throttleTimeMs: number;
  topics: OffsetCommitResponseTopic[];
}

function checkVersion(version: number): void {
  assert(version >= OFFSET_COMMIT_MIN_VERSION && version <= OFFSET_COMMIT_MAX_VERSION, `OffsetCommit v${version} is not supported`);
}

function partitionReader(version: number): (r: KafkaReader) => OffsetCommitRequestPartition {
  return (r) => ({
    partitionIndex: r.int32('OffsetCommit partition_index'),
    committedOffset: r.int64('OffsetCommit committed_offset'),
    committedLeaderEpoch: version >= 6 ? r.int32('OffsetCommit committed_leader_epoch') : -1,
    committedMetadata: r.nullableString('OffsetCommit committed_metadata'),
  });
}

export function decodeOffsetCommitRequest(reader: KafkaReader, version: number): OffsetCommitRequest {
  checkVersion(version);
  const groupId = reader.string('OffsetCommit group_id');
  const generationId = reader.int32('OffsetCommit generation_id');
  const memberId = reader.string('OffsetCommit member_id');
  const groupInstanceId = version >= 7 ? reader.nullableString('OffsetCommit group_instance_id') : null;
  const retentionTimeMs = version <= 4 ? reader.int64('OffsetCommit retention_time_ms') : -1n;
  const readPartition = partitionReader(version);
  const topics = reader.array(
    (r) => ({ name: r.string('OffsetCommit topic name'), partitions: r.array(readPartition, version >= 6 ? 18 : 14, 'OffsetCommit partitions') }),
    6,
    'OffsetCommit topics',
  );
  return { groupId, generationId, memberId, groupInstanceId, retentionTimeMs, topics };
}

export function encodeOffsetCommitResponse(writer: KafkaWriter, version: number, response: OffsetCommitResponse): void {
  checkVersion(version);
  if (version >= 3) writer.int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int16(p.errorCode));
  });
}
