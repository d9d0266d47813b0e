// AlterPartitionReassignments (key 45), version 0, which is flexible (KIP-455; Kafka's
// AlterPartitionReassignmentsRequest.json): compact strings and arrays, a tagged-field section
// closing every struct, request header v2 and response header v1 (../header.ts).
// Request: timeout_ms, topics[name, partitions[partition_index, replicas NULLABLE ARRAY[INT32]]].
// A null replicas list cancels the partition's move in flight. kafkajs 2.2.4 cannot send null
// (admin.alterPartitionReassignments wants an array); Kafka's own admin client can.
// Response: throttle_time_ms, error_code, error_message, responses[name, partitions[
// partition_index, error_code, error_message]].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const ALTER_PARTITION_REASSIGNMENTS_MIN_VERSION = 0;
export const ALTER_PARTITION_REASSIGNMENTS_MAX_VERSION = 0;
export const ALTER_PARTITION_REASSIGNMENTS_FIRST_FLEXIBLE_VERSION = 0;

export interface ReassignablePartitionRequest {
  partitionIndex: number;
  /** The target replicas, or null to cancel the move in flight. */
  replicas: number[] | null;
}

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: { name: string; partitions: ReassignablePartitionRequest[] }[];
}

export interface ReassignablePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: { name: string; partitions: ReassignablePartitionResponse[] }[];
}

function checkVersion(version: number): void {
  assert(
    version >= ALTER_PARTITION_REASSIGNMENTS_MIN_VERSION && version <= ALTER_PARTITION_REASSIGNMENTS_MAX_VERSION,
    `AlterPartitionReassignments v${version} is not supported`,
  );
}

function readPartition(r: KafkaReader): ReassignablePartitionRequest {
  const partitionIndex = r.int32('AlterPartitionReassignments partition_index');
  const replicas = r.compactNullableArray((ir) => ir.int32('AlterPartitionReassignments replica'), 4, 'AlterPartitionReassignments replicas');
  r.taggedFields('AlterPartitionReassignments partition tagged fields');
  return { partitionIndex, replicas };
}

export function decodeAlterPartitionReassignmentsRequest(reader: KafkaReader, version: number): AlterPartitionReassignmentsRequest {
  checkVersion(version);
  const timeoutMs = reader.int32('AlterPartitionReassignments timeout_ms');
  const topics = reader.compactArray(
    (tr) => {
      const name = tr.compactString('AlterPartitionReassignments topic name');
      // partition_index INT32, replicas (1 byte at least), tagged fields (1 byte at least)
      const partitions = tr.compactArray(readPartition, 6, 'AlterPartitionReassignments partitions');
      tr.taggedFields('AlterPartitionReassignments topic tagged fields');
      return { name, partitions };
    },
    3,
    'AlterPartitionReassignments topics',
  );
  reader.taggedFields('AlterPartitionReassignments tagged fields');
  return { timeoutMs, topics };
}

export function encodeAlterPartitionReassignmentsResponse(writer: KafkaWriter, version: number, response: AlterPartitionReassignmentsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs).int16(response.errorCode).compactNullableString(response.errorMessage);
  writer.compactArray(response.responses, (tw, t) => {
    tw.compactString(t.name);
    tw.compactArray(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int16(p.errorCode).compactNullableString(p.errorMessage).taggedFields());
    tw.taggedFields();
  });
  writer.taggedFields();
}
