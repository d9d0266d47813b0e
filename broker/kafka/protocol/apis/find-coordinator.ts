// FindCoordinator (key 10), versions 0-2 (reference/kafka-protocol.md §1.6). Request: key
// (v0: the group id), key_type INT8 (v1+; 0 = group, 1 = transaction; 0 before v1). Response v0:
// error_code, node_id, host, port. v1+: throttle_time_ms, error_code, error_message NULLABLE,
// node_id, host, port. kafkajs retries COORDINATOR_NOT_AVAILABLE (15).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const FIND_COORDINATOR_MIN_VERSION = 0;
export const FIND_COORDINATOR_MAX_VERSION = 2;

export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

export interface FindCoordinatorRequest {
  key: string;
  /** v1+; GROUP before. */
  keyType: number;
}

export interface FindCoordinatorResponse {
  /** v1+ */
  throttleTimeMs: number;
  errorCode: number;
  /** v1+ */
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

function checkVersion(version: number): void {
  assert(
    version >= FIND_COORDINATOR_MIN_VERSION && version <= FIND_COORDINATOR_MAX_VERSION,
    `FindCoordinator v${version} is not supported`,
  );
}

export function decodeFindCoordinatorRequest(reader: KafkaReader, version: number): FindCoordinatorRequest {
  checkVersion(version);
  const key = reader.string('FindCoordinator key');
  const keyType = version >= 1 ? reader.int8('FindCoordinator key_type') : CoordinatorType.GROUP;
  return { key, keyType };
}

export function encodeFindCoordinatorResponse(writer: KafkaWriter, version: number, response: FindCoordinatorResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode);
  if (version >= 1) writer.nullableString(response.errorMessage);
  writer.int32(response.nodeId).string(response.host).int32(response.port);
}
