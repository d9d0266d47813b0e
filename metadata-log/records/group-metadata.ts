// GroupMetadata (type 102, ours: Kafka keeps a group's membership in __consumer_offsets, as its
// GroupMetadataValue, not in the metadata log). A consumer group's membership as its coordinator
// completed a rebalance: the generation, the chosen protocol, the leader and every member with its
// metadata for that protocol and its assignment. A broker that takes over coordinating the group
// (the old coordinator died, was fenced or shut down) resumes it from this record: the members'
// heartbeats and commits go on at the same generation, with no rebalance
// (broker/kafka/groups/group-coordinator.ts).
//
// Version history (payload fields, in order):
//   v0  [groupId, protocolType, generationId, protocolName, leaderId, stateTimestampMs, members]   (current)
//         members = [[memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
//                     sessionTimeoutMs, subscription, assignment], ...]
//         subscription and assignment are bytes (msgpack bin), opaque to the quorum.
//
// Checks beyond field types (a record one node accepts and another refuses would split the
// cluster, so the write side runs these too): at least one member, member ids and instance ids
// unique, the leader one of the members, generation 1 or more (a group first completes a rebalance
// at generation 1).

import type { GroupMemberMetadata, GroupMetadataRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { array, bytes, describe, FieldError, fieldsOf, int, INT32_MAX, nested, nullableStr, SAFE_MAX, str } from './fields.js';

const V0_FIELDS = 7;
const MEMBER_FIELDS = 8;

export const groupMetadataSchema: RecordSchema<GroupMetadataRecord> = {
  name: 'GroupMetadata',
  typeId: 102,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [
      r.groupId,
      r.protocolType,
      r.generationId,
      r.protocolName,
      r.leaderId,
      r.stateTimestampMs,
      r.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.subscription, m.assignment]),
    ];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, V0_FIELDS);
    const groupId = str(p[0], 'groupId');
    if (groupId === '') throw new FieldError('groupId', 'is empty');
    const members = membersOf(p[6]);
    const leaderId = str(p[4], 'leaderId');
    if (!members.some((m) => m.memberId === leaderId)) throw new FieldError('leaderId', `${describe(leaderId)} is not one of the members`);
    return {
      type: 'GroupMetadata',
      groupId,
      protocolType: str(p[1], 'protocolType'),
      generationId: int(p[2], 1, INT32_MAX, 'generationId'),
      protocolName: str(p[3], 'protocolName'),
      leaderId,
      stateTimestampMs: int(p[5], 0, SAFE_MAX, 'stateTimestampMs'),
      members,
    };
  },
};

function membersOf(v: unknown): GroupMemberMetadata[] {
  const list = array(v, 'members');
  if (list.length === 0) throw new FieldError('members', 'is empty (an emptied group is removed with GroupMetadataTombstone)');
  const out: GroupMemberMetadata[] = [];
  const ids = new Set<string>();
  const instances = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!Array.isArray(m) || m.length !== MEMBER_FIELDS) {
      throw new FieldError(`members[${i}]`, `is ${describe(m)}, not [memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment]`);
    }
    try {
      const member: GroupMemberMetadata = {
        memberId: str(m[0], 'memberId'),
        groupInstanceId: nullableStr(m[1], 'groupInstanceId'),
        clientId: str(m[2], 'clientId'),
        clientHost: str(m[3], 'clientHost'),
        rebalanceTimeoutMs: int(m[4], 0, INT32_MAX, 'rebalanceTimeoutMs'),
        sessionTimeoutMs: int(m[5], 0, INT32_MAX, 'sessionTimeoutMs'),
        subscription: bytes(m[6], 'subscription'),
        assignment: bytes(m[7], 'assignment'),
      };
      if (member.memberId === '') throw new FieldError('memberId', 'is empty');
      if (ids.has(member.memberId)) throw new FieldError('memberId', `${describe(member.memberId)} appears twice`);
      ids.add(member.memberId);
      if (member.groupInstanceId !== null) {
        if (instances.has(member.groupInstanceId)) throw new FieldError('groupInstanceId', `${describe(member.groupInstanceId)} appears twice`);
        instances.add(member.groupInstanceId);
      }
      out.push(member);
    } catch (err) {
      nested(err, `members[${i}]`);
    }
  }
  return out;
}
