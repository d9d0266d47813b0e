// CreateTopics (key 19), versions 0-3 (reference/kafka-protocol.md §1.6). Request:
// topics[name, num_partitions, replication_factor, assignments[partition_index, broker_ids],
// configs[name, value NULLABLE]], timeout_ms, validate_only (v1+; false before). kafkajs sends -1
// for num_partitions and replication_factor when the caller omits them, even at v0-v3: the codec
// passes -1 through and the handler reads it as "cluster default". Response: throttle_time_ms
// (v2+), topics[name, error_code, error_message NULLABLE (v1+)].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const CREATE_TOPICS_MIN_VERSION = 0;
export const CREATE_TOPICS_MAX_VERSION = 3;

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreatableTopic {
  name: string;
  /** -1: cluster default (also when assignments are given). */
  numPartitions: number;
  /** -1: cluster default (also when assignments are given). */
  replicationFactor: number;
  assignments: CreatableReplicaAssignment[];
  configs: CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  /** v1+; false before. */
  validateOnly: boolean;
}

export interface CreatableTopicResult {
  name: string;
  errorCode: number;
  /** v1+ */
  errorMessage: string | null;
}

export interface CreateTopicsResponse {
  /** v2+ */
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

function checkVersion(version: number): void {
  assert(version >= CREATE_TOPICS_MIN_VERSION && version <= CREATE_TOPICS_MAX_VERSION, `CreateTopics v${version} is not supported`);
}

function readTopic(r: KafkaReader): CreatableTopic {
  const name = r.string('CreateTopics topic name');
  const numPartitions = r.int32('CreateTopics num_partitions');
  const replicationFactor = r.int16('CreateTopics replication_factor');
  const assignments = r.array(
    (ar) => ({ partitionIndex: ar.int32('CreateTopics partition_index'), brokerIds: ar.int32Array('CreateTopics broker_ids') }),
    8,
    'CreateTopics assignments',
  );
  const configs = r.array(
    (cr) => ({ name: cr.string('CreateTopics config name'), value: cr.nullableString('CreateTopics config value') }),
    4,
    'CreateTopics configs',
  );
  return { name, numPartitions, replicationFactor, assignments, configs };
}

export function decodeCreateTopicsRequest(reader: KafkaReader, version: number): CreateTopicsRequest {
  checkVersion(version);
  const topics = reader.array(readTopic, 16, 'CreateTopics topics');
  const timeoutMs = reader.int32('CreateTopics timeout_ms');
  const validateOnly = version >= 1 ? reader.boolean('CreateTopics validate_only') : false;
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreateTopicsResponse(writer: KafkaWriter, version: number, response: CreateTopicsResponse): void {
  checkVersion(version);
  if (version >= 2) writer.int32(response.throttleTimeMs);
  writer.array(response.topics, (w, t) => {
    w.string(t.name).int16(t.errorCode);
    if (version >= 1) w.nullableString(t.errorMessage);
  });
}
