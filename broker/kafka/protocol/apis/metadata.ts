// Metadata (key 3), versions 0-6 (reference/kafka-protocol.md §1.6). Request: topics (v0: ARRAY
// where empty means all; v1+: NULLABLE ARRAY where null means all), allow_auto_topic_creation from
// v4 (before v4 Kafka behaves as if it were true, the default we fill in). Response, by version:
// throttle_time_ms (v3+), brokers[node_id, host, port, rack (v1+)], cluster_id (v2+),
// controller_id (v1+), topics[error_code, name, is_internal (v1+), partitions[error_code,
// partition_index, leader_id, replica_nodes, isr_nodes, offline_replicas (v5+)]].
// Leader epochs (v7+) and topic ids (v10+) are beyond the non-flexible versions we speak.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const METADATA_MIN_VERSION = 0;
export const METADATA_MAX_VERSION = 6;

export interface MetadataRequest {
  /** Null: all topics. A v0 empty array is decoded as null too (same meaning). */
  topics: string[] | null;
  /** v4+; true before v4. */
  allowAutoTopicCreation: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  /** v1+ */
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  /** v5+ */
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  /** v1+ */
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  /** v3+ */
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  /** v2+ */
  clusterId: string | null;
  /** v1+; must be a broker in `brokers` (kafkajs looks it up there). */
  controllerId: number;
  topics: MetadataTopic[];
}

function checkVersion(version: number): void {
  assert(version >= METADATA_MIN_VERSION && version <= METADATA_MAX_VERSION, `Metadata v${version} is not supported`);
}

export function decodeMetadataRequest(reader: KafkaReader, version: number): MetadataRequest {
  checkVersion(version);
  let topics: string[] | null;
  if (version === 0) {
    const list = reader.stringArray('Metadata topics');
    topics = list.length === 0 ? null : list;
  } else {
    topics = reader.nullableArray((r) => r.string('Metadata topic name'), 2, 'Metadata topics');
  }
  const allowAutoTopicCreation = version >= 4 ? reader.boolean('Metadata allow_auto_topic_creation') : true;
  return { topics, allowAutoTopicCreation };
}

export function encodeMetadataResponse(writer: KafkaWriter, version: number, response: MetadataResponse): void {
  checkVersion(version);
  if (version >= 3) writer.int32(response.throttleTimeMs);
  writer.array(response.brokers, (w, b) => {
    w.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) w.nullableString(b.rack);
  });
  if (version >= 2) writer.nullableString(response.clusterId);
  if (version >= 1) writer.int32(response.controllerId);
  writer.array(response.topics, (w, t) => {
    w.int16(t.errorCode).string(t.name);
    if (version >= 1) w.boolean(t.isInternal);
    w.array(t.partitions, (pw, p) => {
      pw.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId).int32Array(p.replicaNodes).int32Array(p.isrNodes);
      if (version >= 5) pw.int32Array(p.offlineReplicas);
    });
  });
}
