// JoinGroup, SyncGroup, Heartbeat, LeaveGroup and ListOffsets through the codec (over the wire, at
// every version we advertise), at the group's coordinator and elsewhere (NOT_COORDINATOR); plus the
// coordinator's view in DescribeGroups, ListGroups and DeleteGroups.

import { describe, expect, it } from 'vitest';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from '../../broker/kafka/handlers/membership.js';
import { handleListOffsets } from '../../broker/kafka/handlers/list-offsets.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from '../../broker/kafka/handlers/groups.js';
import type { JoinGroupRequest } from '../../broker/kafka/protocol/apis/join-group.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { groupOwnedBy, oneLiveBroker, overTheWire, testbed } from './kafka-handlers-fixture.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const CLIENT = { clientId: 'kafkajs', clientHost: '/10.0.0.7' };

function joinRequest(groupId: string, memberId = ''): JoinGroupRequest {
  return { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: bytes('sub') }] };
}

/** Joins (handling MEMBER_ID_REQUIRED) and syncs one member; returns its member id and generation. */
async function joinAndSync(ctx: KafkaContext, groupId: string, version = 5) {
  let j = await handleJoinGroup(ctx, joinRequest(groupId), version, CLIENT);
  if (j.errorCode === ErrorCode.MEMBER_ID_REQUIRED) j = await handleJoinGroup(ctx, joinRequest(groupId, j.memberId), version, CLIENT);
  expect(j.errorCode).toBe(ErrorCode.NONE);
  const s = await handleSyncGroup(ctx, { groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment: bytes('t1:0,1,2') }] }, 3);
  expect(s.errorCode).toBe(ErrorCode.NONE);
  return j;
}

describe('JoinGroup / SyncGroup / Heartbeat / LeaveGroup over the wire', () => {
  it.each([0, 1, 2, 3])('v%i JoinGroup: a new member joins at once (no MEMBER_ID_REQUIRED before v4) as leader of generation 1', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const r = await overTheWire('JoinGroup', version, joinRequest('g'), (ctx, req, v) => handleJoinGroup(ctx, req, v, CLIENT), t.ctx);
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'RoundRobinAssigner' });
    expect(r.leader).toBe(r.memberId);
    expect(r.memberId).toMatch(/^kafkajs-/);
    expect(r.members.map((m) => Buffer.from(m.metadata).toString())).toEqual(['sub']);
  });

  it.each([4, 5])('v%i JoinGroup: MEMBER_ID_REQUIRED hands out an id; the rejoin with it completes the generation', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const first = await overTheWire('JoinGroup', version, joinRequest('g'), (ctx, req, v) => handleJoinGroup(ctx, req, v, CLIENT), t.ctx);
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const second = await overTheWire('JoinGroup', version, joinRequest('g', first.memberId), (ctx, req, v) => handleJoinGroup(ctx, req, v, CLIENT), t.ctx);
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, memberId: first.memberId, leader: first.memberId });
  });

  it.each([0, 1, 2, 3])('v%i SyncGroup and Heartbeat: the leader\'s assignment comes back; heartbeats are NONE, a wrong generation ILLEGAL_GENERATION', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const j = await handleJoinGroup(t.ctx, joinRequest('g'), 3, CLIENT);
    const s = await overTheWire('SyncGroup', version, { groupId: 'g', generationId: 1, memberId: j.memberId, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment: bytes('a') }] }, handleSyncGroup, t.ctx);
    expect(s.errorCode).toBe(0);
    expect(Buffer.from(s.assignment).toString()).toBe('a');
    expect((await overTheWire('Heartbeat', version, { groupId: 'g', generationId: 1, memberId: j.memberId, groupInstanceId: null }, handleHeartbeat, t.ctx)).errorCode).toBe(0);
    expect((await overTheWire('Heartbeat', version, { groupId: 'g', generationId: 2, memberId: j.memberId, groupInstanceId: null }, handleHeartbeat, t.ctx)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it.each([0, 1, 2])('v%i LeaveGroup: one member, its error at the top level', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const j = await joinAndSync(t.ctx, 'g');
    const r = await overTheWire('LeaveGroup', version, { groupId: 'g', members: [{ memberId: j.memberId, groupInstanceId: null }] }, handleLeaveGroup, t.ctx);
    expect(r.errorCode).toBe(0);
    const again = await overTheWire('LeaveGroup', version, { groupId: 'g', members: [{ memberId: j.memberId, groupInstanceId: null }] }, handleLeaveGroup, t.ctx);
    expect(again.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('v3 LeaveGroup: a batch of members answered one by one, NONE at the top', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const j = await joinAndSync(t.ctx, 'g');
    const r = await overTheWire('LeaveGroup', 3, { groupId: 'g', members: [{ memberId: j.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: 'i-1' }] }, handleLeaveGroup, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, members: [
      { memberId: j.memberId, groupInstanceId: null, errorCode: 0 },
      { memberId: 'ghost', groupInstanceId: 'i-1', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
    ] });
  });

  it('a broker that does not coordinate the group: NOT_COORDINATOR from every membership API, and no state kept', async () => {
    const t = testbed({ brokerId: 1 });
    const other = groupOwnedBy(t.ctx, 3);
    expect((await handleJoinGroup(t.ctx, joinRequest(other), 5, CLIENT)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await handleSyncGroup(t.ctx, { groupId: other, generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] }, 3)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await handleHeartbeat(t.ctx, { groupId: other, generationId: 1, memberId: 'm', groupInstanceId: null }, 3)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await handleLeaveGroup(t.ctx, { groupId: other, members: [{ memberId: 'm', groupInstanceId: null }] }, 3)).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, members: [] });
    expect(t.ctx.groups.describe(other)).toBeUndefined();
    const mine = groupOwnedBy(t.ctx, 1);
    expect((await handleJoinGroup(t.ctx, joinRequest(mine), 3, CLIENT)).errorCode).toBe(ErrorCode.NONE);
  });
});

describe('static membership (KIP-345) over the wire: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3, DescribeGroups v4', () => {
  const join = (ctx: KafkaContext, instance: string, memberId = '') =>
    overTheWire('JoinGroup', 5, { ...joinRequest('g', memberId), groupInstanceId: instance }, (c, req, v) => handleJoinGroup(c, req, v, CLIENT), ctx);

  it('a restarted instance gets a new member id and its assignment back in the same generation; the old id is fenced; DescribeGroups v4 names the instance; LeaveGroup v3 by instance id', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const first = await join(t.ctx, 'inst-1');
    expect(first).toMatchObject({ errorCode: 0, generationId: 1 }); // no MEMBER_ID_REQUIRED for a static member
    expect(first.members.map((m) => [m.memberId, m.groupInstanceId, Buffer.from(m.metadata).toString()])).toEqual([[first.memberId, 'inst-1', 'sub']]);
    const synced = await overTheWire('SyncGroup', 3, { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: 'inst-1', assignments: [{ memberId: first.memberId, assignment: bytes('t1:0') }] }, handleSyncGroup, t.ctx);
    expect(synced.errorCode).toBe(0);

    const again = await join(t.ctx, 'inst-1');
    expect(again).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, members: [] });
    expect(again.memberId).not.toBe(first.memberId);
    const back = await overTheWire('SyncGroup', 3, { groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'inst-1', assignments: [] }, handleSyncGroup, t.ctx);
    expect(Buffer.from(back.assignment).toString()).toBe('t1:0');

    const beat = (memberId: string) => overTheWire('Heartbeat', 3, { groupId: 'g', generationId: 1, memberId, groupInstanceId: 'inst-1' }, handleHeartbeat, t.ctx);
    expect((await beat(first.memberId)).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await beat(again.memberId)).errorCode).toBe(ErrorCode.NONE);
    expect((await overTheWire('SyncGroup', 3, { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: 'inst-1', assignments: [] }, handleSyncGroup, t.ctx)).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);

    const d = await overTheWire('DescribeGroups', 4, { includeAuthorizedOperations: false, groupIds: ['g'] }, handleDescribeGroups, t.ctx);
    expect(d.groups[0]).toMatchObject({ groupState: 'Stable', members: [{ memberId: again.memberId, groupInstanceId: 'inst-1' }] });

    const left = await overTheWire('LeaveGroup', 3, { groupId: 'g', members: [{ memberId: first.memberId, groupInstanceId: 'inst-1' }, { memberId: '', groupInstanceId: 'inst-1' }] }, handleLeaveGroup, t.ctx);
    expect(left).toMatchObject({
      errorCode: 0,
      members: [
        { memberId: first.memberId, groupInstanceId: 'inst-1', errorCode: ErrorCode.FENCED_INSTANCE_ID },
        { memberId: '', groupInstanceId: 'inst-1', errorCode: ErrorCode.NONE },
      ],
    });
    expect(t.ctx.groups.hasMembers('g')).toBe(false);
  });
});

describe('the coordinator\'s view in DescribeGroups, ListGroups, DeleteGroups', () => {
  it('DescribeGroups: a group with members is described live (Stable, protocol, member with client id/host, metadata and assignment)', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const j = await joinAndSync(t.ctx, 'live');
    const r = await overTheWire('DescribeGroups', 2, { includeAuthorizedOperations: false, groupIds: ['live'] }, handleDescribeGroups, t.ctx);
    const text = (b: Uint8Array) => Buffer.from(b).toString();
    expect(r.groups.map((g) => ({ ...g, members: g.members.map((m) => ({ ...m, memberMetadata: text(m.memberMetadata), memberAssignment: text(m.memberAssignment) })) }))).toEqual([
      {
        errorCode: 0, groupId: 'live', groupState: 'Stable', protocolType: 'consumer', protocolData: 'RoundRobinAssigner', authorizedOperations: -0x80000000,
        members: [{ memberId: j.memberId, groupInstanceId: null, clientId: 'kafkajs', clientHost: '/10.0.0.7', memberMetadata: 'sub', memberAssignment: 't1:0,1,2' }],
      },
    ]);
  });

  it('DescribeGroups and DeleteGroups at a broker that does not coordinate the group: NOT_COORDINATOR, nothing forwarded', async () => {
    const t = testbed({ brokerId: 1 });
    const other = groupOwnedBy(t.ctx, 2);
    expect((await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: [other] }, 2)).groups[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await handleDeleteGroups(t.ctx, { groupsNames: [other] }, 1)).results).toEqual([{ groupId: other, errorCode: ErrorCode.NOT_COORDINATOR }]);
    expect(t.controller.calls).toEqual([]);
  });

  it('DeleteGroups: a group with members is NON_EMPTY_GROUP (not forwarded); the others go to the controller', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    await joinAndSync(t.ctx, 'busy');
    const r = await handleDeleteGroups(t.ctx, { groupsNames: ['busy', 'idle'] }, 1);
    expect(r.results).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(t.controller.calls.map((c) => c.request)).toEqual([{ groupIds: ['idle'], coordinator: { brokerId: 1, brokerEpoch: 10 } }]);
  });

  it('ListGroups: a group with members but no offsets yet is listed by its coordinator', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    await joinAndSync(t.ctx, 'fresh');
    expect((await handleListGroups(t.ctx, {}, 2)).groups).toEqual([{ groupId: 'fresh', protocolType: 'consumer' }]);
  });
});

describe('ListOffsets over the wire', () => {
  it.each([1, 2, 3])('v%i: latest and earliest of an empty log are 0; a timestamp finds nothing (-1); unknown → UNKNOWN_TOPIC_OR_PARTITION; not the leader → NOT_LEADER_OR_FOLLOWER', async (version) => {
    // The fixture's t1 has every partition led by broker 0.
    const t = testbed({ brokerId: 0 });
    const led = 1;
    expect(t.ctx.image().topicByName('t1')!.partitions[led]?.leader).toBe(0);
    const r = await overTheWire(
      'ListOffsets',
      version,
      {
        replicaId: -1,
        isolationLevel: 1,
        topics: [
          { name: 't1', partitions: [{ partitionIndex: led, timestamp: -1n }, { partitionIndex: led, timestamp: -2n }, { partitionIndex: led, timestamp: 1_700_000_000_000n }, { partitionIndex: 99, timestamp: -1n }] },
          { name: 'nope', partitions: [{ partitionIndex: 0, timestamp: -1n }] },
        ],
      },
      handleListOffsets,
      t.ctx,
    );
    expect(r.topics).toEqual([
      {
        name: 't1',
        partitions: [
          { partitionIndex: led, errorCode: 0, timestamp: -1n, offset: 0n },
          { partitionIndex: led, errorCode: 0, timestamp: -1n, offset: 0n },
          { partitionIndex: led, errorCode: 0, timestamp: -1n, offset: -1n },
          { partitionIndex: 99, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n },
        ],
      },
      { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n }] },
    ]);
    const follower = testbed({ brokerId: 1 });
    const other = await handleListOffsets(follower.ctx, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't1', partitions: [{ partitionIndex: led, timestamp: -1n }] }] }, version);
    expect(other.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
