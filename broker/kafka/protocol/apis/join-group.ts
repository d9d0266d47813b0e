// JoinGroup (key 11), versions 0-5: kafkajs 2.2.4's implemented range (v6+ is flexible)
// (reference/kafka-protocol.md §1.6). Request: group_id, session_timeout_ms INT32,
// rebalance_timeout_ms INT32 (v1+; Kafka uses the session timeout when it is absent), member_id
// ('' on first join), group_instance_id NULLABLE (v5+), protocol_type, protocols[name, metadata
// BYTES]. Response: throttle_time_ms (v2+), error_code, generation_id, protocol_name (STRING,
// nullable only from v7, so never null here), leader, member_id, members[member_id,
// group_instance_id NULLABLE (v5+), metadata BYTES]; the members list goes to the leader only.
// From v4 the coordinator may answer MEMBER_ID_REQUIRED (79) with a member_id to rejoin with.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const JOIN_GROUP_MIN_VERSION = 0;
/**
 * v5 brings group_instance_id: advertised now that the coordinator implements static membership
 * (KIP-345, groups/group-coordinator.ts). Advertising it before told clients it was, and a consumer
 * configured with group.instance.id was silently treated as a new dynamic member on every restart.
 */
export const JOIN_GROUP_MAX_VERSION = 5;

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Uint8Array;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; sessionTimeoutMs at v0 (what Kafka uses when the field is absent). */
  rebalanceTimeoutMs: number;
  /** '' on a first join. */
  memberId: string;
  /** v5+; null before. */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
}

export interface JoinGroupResponseMember {
  memberId: string;
  /** v5+ */
  groupInstanceId: string | null;
  metadata: Uint8Array;
}

export interface JoinGroupResponse {
  /** v2+ */
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  /** Non-nullable at v0-v5: '' when there is none (an error answer). */
  protocolName: string;
  leader: string;
  memberId: string;
  /** Filled for the leader only. */
  members: JoinGroupResponseMember[];
}

function checkVersion(version: number): void {
  assert(version >= JOIN_GROUP_MIN_VERSION && version <= JOIN_GROUP_MAX_VERSION, `JoinGroup v${version} is not supported`);
}

function readProtocol(r: KafkaReader): JoinGroupRequestProtocol {
  return { name: r.string('JoinGroup protocol name'), metadata: r.bytes('JoinGroup protocol metadata') };
}

export function decodeJoinGroupRequest(reader: KafkaReader, version: number): JoinGroupRequest {
  checkVersion(version);
  const groupId = reader.string('JoinGroup group_id');
  const sessionTimeoutMs = reader.int32('JoinGroup session_timeout_ms');
  const rebalanceTimeoutMs = version >= 1 ? reader.int32('JoinGroup rebalance_timeout_ms') : sessionTimeoutMs;
  const memberId = reader.string('JoinGroup member_id');
  const groupInstanceId = version >= 5 ? reader.nullableString('JoinGroup group_instance_id') : null;
  const protocolType = reader.string('JoinGroup protocol_type');
  const protocols = reader.array(readProtocol, 6, 'JoinGroup protocols');
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols };
}

export function encodeJoinGroupResponse(writer: KafkaWriter, version: number, response: JoinGroupResponse): void {
  checkVersion(version);
  if (version >= 2) writer.int32(response.throttleTimeMs);
  writer.int16(response.errorCode).int32(response.generationId);
  writer.string(response.protocolName).string(response.leader).string(response.memberId);
  writer.array(response.members, (w, m) => {
    w.string(m.memberId);
    if (version >= 5) w.nullableString(m.groupInstanceId);
    w.bytes(m.metadata);
  });
}
