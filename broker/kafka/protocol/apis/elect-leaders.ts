// ElectLeaders (key 43), versions 0-2 (KIP-183, KIP-460; Kafka's ElectLeadersRequest.json).
// v0 and v1 are classic, v2 is flexible (compact types, tagged fields, header v2 / v1).
// Request: election_type INT8 (v1+; v0 is always PREFERRED = 0), topic_partitions NULLABLE
// [topic, partitions[INT32]] (null: every partition that needs an election), timeout_ms.
// Response: throttle_time_ms, error_code (v1+), replica_election_results[topic,
// partition_result[partition_id, error_code, error_message NULLABLE]].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const ELECT_LEADERS_MIN_VERSION = 0;
export const ELECT_LEADERS_MAX_VERSION = 2;
export const ELECT_LEADERS_FIRST_FLEXIBLE_VERSION = 2;

export interface ElectLeadersTopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ElectLeadersRequest {
  /** 0 PREFERRED, 1 UNCLEAN; v0 carries none and means PREFERRED. */
  electionType: number;
  /** null: every partition. */
  topicPartitions: ElectLeadersTopicPartitions[] | null;
  timeoutMs: number;
}

export interface ElectLeadersPartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface ElectLeadersResponse {
  throttleTimeMs: number;
  /** v1+ (v0 answers it per partition only). */
  errorCode: number;
  replicaElectionResults: { topic: string; partitionResult: ElectLeadersPartitionResult[] }[];
}

function checkVersion(version: number): void {
  assert(version >= ELECT_LEADERS_MIN_VERSION && version <= ELECT_LEADERS_MAX_VERSION, `ElectLeaders v${version} is not supported`);
}

export function decodeElectLeadersRequest(reader: KafkaReader, version: number): ElectLeadersRequest {
  checkVersion(version);
  const flexible = version >= ELECT_LEADERS_FIRST_FLEXIBLE_VERSION;
  const electionType = version >= 1 ? reader.int8('ElectLeaders election_type') : 0;
  const readTopic = (tr: KafkaReader): ElectLeadersTopicPartitions => {
    if (!flexible) return { topic: tr.string('ElectLeaders topic'), partitions: tr.int32Array('ElectLeaders partitions') };
    const topic = tr.compactString('ElectLeaders topic');
    const partitions = tr.compactInt32Array('ElectLeaders partitions');
    tr.taggedFields('ElectLeaders topic tagged fields');
    return { topic, partitions };
  };
  const topicPartitions = flexible
    ? reader.compactNullableArray(readTopic, 3, 'ElectLeaders topic_partitions')
    : reader.nullableArray(readTopic, 6, 'ElectLeaders topic_partitions');
  const timeoutMs = reader.int32('ElectLeaders timeout_ms');
  if (flexible) reader.taggedFields('ElectLeaders tagged fields');
  return { electionType, topicPartitions, timeoutMs };
}

export function encodeElectLeadersResponse(writer: KafkaWriter, version: number, response: ElectLeadersResponse): void {
  checkVersion(version);
  const flexible = version >= ELECT_LEADERS_FIRST_FLEXIBLE_VERSION;
  writer.int32(response.throttleTimeMs);
  if (version >= 1) writer.int16(response.errorCode);
  const writePartition = (pw: KafkaWriter, p: ElectLeadersPartitionResult) => {
    pw.int32(p.partitionId).int16(p.errorCode);
    if (flexible) pw.compactNullableString(p.errorMessage).taggedFields();
    else pw.nullableString(p.errorMessage);
  };
  const writeTopic = (tw: KafkaWriter, t: ElectLeadersResponse['replicaElectionResults'][number]) => {
    if (flexible) tw.compactString(t.topic).compactArray(t.partitionResult, writePartition).taggedFields();
    else tw.string(t.topic).array(t.partitionResult, writePartition);
  };
  if (flexible) writer.compactArray(response.replicaElectionResults, writeTopic).taggedFields();
  else writer.array(response.replicaElectionResults, writeTopic);
}
