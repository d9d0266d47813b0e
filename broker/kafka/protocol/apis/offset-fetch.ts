// OffsetFetch (key 9), versions 1-5 (reference/kafka-protocol.md §1.6; v0 reads ZooKeeper-stored
// offsets and is not advertised, and kafkajs implements only v1+; v5 is the last non-flexible
// version). Request: group_id, topics[name, partition_indexes[INT32]]; from v2 topics is
// nullable, null meaning all the group's committed offsets (kafkajs sends null for an empty list
// at v3+). Response: throttle_time_ms (v3+), topics[name, partitions[partition_index,
// committed_offset INT64 (-1 = none), committed_leader_epoch INT32 (v5+, KIP-320; -1 = unknown),
// metadata NULLABLE, error_code]], error_code (v2+, group-level).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const OFFSET_FETCH_MIN_VERSION = 1;
export const OFFSET_FETCH_MAX_VERSION = 5;

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequest {
  groupId: string;
  /** Null (v2+ only): every partition the group has an offset for. */
  topics: OffsetFetchRequestTopic[] | null;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  /** -1n: no committed offset. */
  committedOffset: bigint;
  /** v5+: the leader epoch the offset was committed under (OffsetCommit v6+), -1 when unknown. */
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponse {
  /** v3+ */
  throttleTimeMs: number;
  topics: OffsetFetchResponseTopic[];
  /** v2+ (group-level error) */
  errorCode: number;
}

/** A partition answered without an offset: with `errorCode`, or none committed (0). */
export function partitionWithoutOffset(partitionIndex: number, errorCode: number): OffsetFetchResponsePartition {
  return { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode };
}

function checkVersion(version: number): void {
  assert(version >= OFFSET_FETCH_MIN_VERSION && version <= OFFSET_FETCH_MAX_VERSION, `OffsetFetch v${version} is not supported`);
}

function readTopic(r: KafkaReader): OffsetFetchRequestTopic {
  return { name: r.string('OffsetFetch topic name'), partitionIndexes: r.int32Array('OffsetFetch partition_indexes') };
}

export function decodeOffsetFetchRequest(reader: KafkaReader, version: number): OffsetFetchRequest {
  checkVersion(version);
  const groupId = reader.string('OffsetFetch group_id');
  const topics =
    version >= 2 ? reader.nullableArray(readTopic, 6, 'OffsetFetch topics') : reader.array(readTopic, 6, 'OffsetFetch topics');
  return { groupId, topics };
}

export function encodeOffsetFetchResponse(writer: KafkaWriter, version: number, response: OffsetFetchResponse): void {
  checkVersion(version);
  if (version >= 3) writer.int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (pw, p) => {
      pw.int32(p.partitionIndex).int64(p.committedOffset);
      if (version >= 5) pw.int32(p.committedLeaderEpoch);
      pw.nullableString(p.metadata).int16(p.errorCode);
    });
  });
  if (version >= 2) writer.int16(response.errorCode);
}
