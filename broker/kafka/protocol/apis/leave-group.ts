// LeaveGroup (key 13), versions 0-3: kafkajs 2.2.4's implemented range (v4+ is flexible)
// (reference/kafka-protocol.md §1.6). Request v0-v2: group_id, member_id; v3: group_id,
// members[member_id, group_instance_id NULLABLE] (a batch; kafkajs sends one member). Both decode
// to a members list (v0-v2: one member, group_instance_id null). Response: throttle_time_ms
// (v1+), error_code, members[member_id, group_instance_id NULLABLE, error_code] (v3+ only).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const LEAVE_GROUP_MIN_VERSION = 0;
export const LEAVE_GROUP_MAX_VERSION = 3;

export interface LeaveGroupRequestMember {
  memberId: string;
  /** v3+; null before. */
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** v0-v2: exactly one member. */
  members: LeaveGroupRequestMember[];
}

export interface LeaveGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  /** v1+ */
  throttleTimeMs: number;
  errorCode: number;
  /** v3+ (per-member results); not sent before. */
  members: LeaveGroupResponseMember[];
}

function checkVersion(version: number): void {
  assert(version >= LEAVE_GROUP_MIN_VERSION && version <= LEAVE_GROUP_MAX_VERSION, `LeaveGroup v${version} is not supported`);
}

function readMember(r: KafkaReader): LeaveGroupRequestMember {
  return { memberId: r.string('LeaveGroup member_id'), groupInstanceId: r.nullableString('LeaveGroup group_instance_id') };
}

export function decodeLeaveGroupRequest(reader: KafkaReader, version: number): LeaveGroupRequest {
  checkVersion(version);
  const groupId = reader.string('LeaveGroup group_id');
  if (version <= 2) return { groupId, members: [{ memberId: reader.string('LeaveGroup member_id'), groupInstanceId: null }] };
  return { groupId, members: reader.array(readMember, 4, 'LeaveGroup members') };
}

export function encodeLeaveGroupResponse(writer: KafkaWriter, version: number, response: LeaveGroupResponse): void {
  checkVersion(version);
  if (version >= 1) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode);
  if (version >= 3) {
    writer.array(response.members, (w, m) => w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode));
  }
}
