// SyncGroup (key 14), versions 0-3: kafkajs 2.2.4's implemented range (v4+ is flexible)
// (reference/kafka-protocol.md §1.6). Request: group_id, generation_id INT32, member_id,
// group_instance_id NULLABLE (v3+), assignments[member_id, assignment BYTES] (filled by the
// leader only; empty from followers). Response: throttle_time_ms (v1+), error_code, assignment
// BYTES (protocol_type and protocol_name come only in flexible v5+).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const SYNC_GROUP_MIN_VERSION = 0;
export const SYNC_GROUP_MAX_VERSION = 3;

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Uint8Array;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+; null before. */
  groupInstanceId: string | null;
  /** The leader's assignment per member; empty from a follower. */
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  /** v1+ */
  throttleTimeMs: number;
  errorCode: number;
  /** This member's assignment (empty on an error). */
  assignment: Uint8Array;
}

function checkVersion(version: number): void {
  assert(version >= SYNC_GROUP_MIN_VERSION && version <= SYNC_GROUP_MAX_VERSION, `SyncGroup v${version} is not supported`);
}

function readAssignment(r: KafkaReader): SyncGroupRequestAssignment {
  return { memberId: r.string('SyncGroup assignment member_id'), assignment: r.bytes('SyncGroup assignment') };
}

export function decodeSyncGroupRequest(reader: KafkaReader, version: number): SyncGroupRequest {
  checkVersion(version);
  const groupId = reader.string('SyncGroup group_id');
  const generationId = reader.int32('SyncGroup generation_id');
  const memberId = reader.string('SyncGroup member_id');
  const groupInstanceId = version >= 3 ? reader.nullableString('SyncGroup group_instance_id') : null;
  const assignments = reader.array(readAssignment, 6, 'SyncGroup assignments');
  return { groupId, generationId, memberId, groupInstanceId, assignments };
}

export function encodeSyncGroupResponse(writer: KafkaWriter, version: number, response: SyncGroupResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode).bytes(response.assignment);
}
