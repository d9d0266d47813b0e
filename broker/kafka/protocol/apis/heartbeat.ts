// Heartbeat (key 12), versions 0-3: kafkajs 2.2.4's implemented range (v4+ is flexible)
// (reference/kafka-protocol.md §1.6). Request: group_id, generation_id INT32, member_id,
// group_instance_id NULLABLE (v3+). Response: throttle_time_ms (v1+), error_code. Answering
// REBALANCE_IN_PROGRESS (27) makes the member rejoin.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const HEARTBEAT_MIN_VERSION = 0;
export const HEARTBEAT_MAX_VERSION = 3;

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+; null before. */
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  /** v1+ */
  throttleTimeMs: number;
  errorCode: number;
}

function checkVersion(version: number): void {
  assert(version >= HEARTBEAT_MIN_VERSION && version <= HEARTBEAT_MAX_VERSION, `Heartbeat v${version} is not supported`);
}

export function decodeHeartbeatRequest(reader: KafkaReader, version: number): HeartbeatRequest {
  checkVersion(version);
  const groupId = reader.string('Heartbeat group_id');
  const generationId = reader.int32('Heartbeat generation_id');
  const memberId = reader.string('Heartbeat member_id');
  const groupInstanceId = version >= 3 ? reader.nullableString('Heartbeat group_instance_id') : null;
  return { groupId, generationId, memberId, groupInstanceId };
}

export function encodeHeartbeatResponse(writer: KafkaWriter, version: number, response: HeartbeatResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode);
}
