// OffsetCommit (key 8), versions 2-5 (reference/kafka-protocol.md §1.6; v0-v1 are not advertised,
// as in Kafka 4). Request: group_id, generation_id, member_id, retention_time_ms INT64 (v2-v4;
// -1 = broker default, also what v5 means), topics[name, partitions[partition_index,
// committed_offset INT64, committed_metadata NULLABLE]]. Response: throttle_time_ms (v3+),
// topics[name, partitions[partition_index, error_code]].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const OFFSET_COMMIT_MIN_VERSION = 2;
export const OFFSET_COMMIT_MAX_VERSION = 5;

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
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
  /** v2-v4; -1n (broker default) at v5. */
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

function readPartition(r: KafkaReader): OffsetCommitRequestPartition {
  return {
    partitionIndex: r.int32('OffsetCommit partition_index'),
    committedOffset: r.int64('OffsetCommit committed_offset'),
    committedMetadata: r.nullableString('OffsetCommit committed_metadata'),
  };
}

export function decodeOffsetCommitRequest(reader: KafkaReader, version: number): OffsetCommitRequest {
  checkVersion(version);
  const groupId = reader.string('OffsetCommit group_id');
  const generationId = reader.int32('OffsetCommit generation_id');
  const memberId = reader.string('OffsetCommit member_id');
  const retentionTimeMs = version <= 4 ? reader.int64('OffsetCommit retention_time_ms') : -1n;
  const topics = reader.array(
    (r) => ({ name: r.string('OffsetCommit topic name'), partitions: r.array(readPartition, 14, 'OffsetCommit partitions') }),
    6,
    'OffsetCommit topics',
  );
  return { groupId, generationId, memberId, retentionTimeMs, topics };
}

export function encodeOffsetCommitResponse(writer: KafkaWriter, version: number, response: OffsetCommitResponse): void {
  checkVersion(version);
  if (version >= 3) writer.int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int16(p.errorCode));
  });
}
