// ListOffsets (key 2), versions 1-3 (reference/kafka-protocol.md §1.6; v0, with max_num_offsets
// and an old_style_offsets array, is not advertised: Kafka 4 dropped it, KIP-896). Request:
// replica_id INT32 (-1 from a client), isolation_level INT8 (v2+; 0 = read uncommitted,
// 1 = read committed, which kafkajs sends), topics[name, partitions[partition_index INT32,
// timestamp INT64 (-1 = latest, -2 = earliest)]]. Response: throttle_time_ms (v2+), topics[name,
// partitions[partition_index, error_code, timestamp INT64, offset INT64]] (leader_epoch is v4+).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const LIST_OFFSETS_MIN_VERSION = 1;
export const LIST_OFFSETS_MAX_VERSION = 3;

export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

/** The special request timestamps. */
export const ListOffsetsTimestamp = { LATEST: -1n, EARLIEST: -2n } as const;

export interface ListOffsetsRequestPartition {
  partitionIndex: number;
  /** A time in ms, or ListOffsetsTimestamp.LATEST / EARLIEST. */
  timestamp: bigint;
}

export interface ListOffsetsRequestTopic {
  name: string;
  partitions: ListOffsetsRequestPartition[];
}

export interface ListOffsetsRequest {
  /** -1 from a client. */
  replicaId: number;
  /** v2+; READ_UNCOMMITTED before. */
  isolationLevel: number;
  topics: ListOffsetsRequestTopic[];
}

export interface ListOffsetsResponsePartition {
  partitionIndex: number;
  errorCode: number;
  /** -1n for LATEST / EARLIEST, and when no offset matches the requested time. */
  timestamp: bigint;
  offset: bigint;
}

export interface ListOffsetsResponseTopic {
  name: string;
  partitions: ListOffsetsResponsePartition[];
}

export interface ListOffsetsResponse {
  /** v2+ */
  throttleTimeMs: number;
  topics: ListOffsetsResponseTopic[];
}

function checkVersion(version: number): void {
  assert(version >= LIST_OFFSETS_MIN_VERSION && version <= LIST_OFFSETS_MAX_VERSION, `ListOffsets v${version} is not supported`);
}

function readPartition(r: KafkaReader): ListOffsetsRequestPartition {
  return { partitionIndex: r.int32('ListOffsets partition_index'), timestamp: r.int64('ListOffsets timestamp') };
}

export function decodeListOffsetsRequest(reader: KafkaReader, version: number): ListOffsetsRequest {
  checkVersion(version);
  const replicaId = reader.int32('ListOffsets replica_id');
  const isolationLevel = version >= 2 ? reader.int8('ListOffsets isolation_level') : IsolationLevel.READ_UNCOMMITTED;
  const topics = reader.array(
    (r) => ({ name: r.string('ListOffsets topic name'), partitions: r.array(readPartition, 12, 'ListOffsets partitions') }),
    6,
    'ListOffsets topics',
  );
  return { replicaId, isolationLevel, topics };
}

export function encodeListOffsetsResponse(writer: KafkaWriter, version: number, response: ListOffsetsResponse): void {
  checkVersion(version);
  if (version >= 2) writer.int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int16(p.errorCode).int64(p.timestamp).int64(p.offset));
  });
}
