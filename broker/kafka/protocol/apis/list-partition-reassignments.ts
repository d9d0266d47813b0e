// ListPartitionReassignments (key 46), version 0, which is flexible (KIP-455; Kafka's
// ListPartitionReassignmentsRequest.json): compact types, tagged fields, header v2 / v1.
// Request: timeout_ms, topics NULLABLE [name, partition_indexes[INT32]] (null: every partition).
// Response: throttle_time_ms, error_code, error_message, topics[name, partitions[partition_index,
// replicas, adding_replicas, removing_replicas]]: only the partitions with a move in flight; an
// unknown topic or partition is left out, as in Kafka.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const LIST_PARTITION_REASSIGNMENTS_MIN_VERSION = 0;
export const LIST_PARTITION_REASSIGNMENTS_MAX_VERSION = 0;
export const LIST_PARTITION_REASSIGNMENTS_FIRST_FLEXIBLE_VERSION = 0;

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  /** null: every topic. */
  topics: { name: string; partitionIndexes: number[] }[] | null;
}

export interface OngoingPartitionReassignmentResponse {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: { name: string; partitions: OngoingPartitionReassignmentResponse[] }[];
}

function checkVersion(version: number): void {
  assert(
    version >= LIST_PARTITION_REASSIGNMENTS_MIN_VERSION && version <= LIST_PARTITION_REASSIGNMENTS_MAX_VERSION,
    `ListPartitionReassignments v${version} is not supported`,
  );
}

export function decodeListPartitionReassignmentsRequest(reader: KafkaReader, version: number): ListPartitionReassignmentsRequest {
  checkVersion(version);
  const timeoutMs = reader.int32('ListPartitionReassignments timeout_ms');
  const topics = reader.compactNullableArray(
    (tr) => {
      const name = tr.compactString('ListPartitionReassignments topic name');
      const partitionIndexes = tr.compactInt32Array('ListPartitionReassignments partition_indexes');
      tr.taggedFields('ListPartitionReassignments topic tagged fields');
      return { name, partitionIndexes };
    },
    3,
    'ListPartitionReassignments topics',
  );
  reader.taggedFields('ListPartitionReassignments tagged fields');
  return { timeoutMs, topics };
}

export function encodeListPartitionReassignmentsResponse(writer: KafkaWriter, version: number, response: ListPartitionReassignmentsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs).int16(response.errorCode).compactNullableString(response.errorMessage);
  writer.compactArray(response.topics, (tw, t) => {
    tw.compactString(t.name);
    tw.compactArray(t.partitions, (pw, p) =>
      pw.int32(p.partitionIndex).compactInt32Array(p.replicas).compactInt32Array(p.addingReplicas).compactInt32Array(p.removingReplicas).taggedFields(),
    );
    tw.taggedFields();
  });
  writer.taggedFields();
}
