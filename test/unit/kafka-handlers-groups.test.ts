// DescribeGroups, ListGroups and DeleteGroups at the coordinator: a group is its members, its
// committed offsets (Empty) or nothing (Dead, NONE); deletes of groups without members go to the
// controller; each broker lists the groups it coordinates, so kafkajs's admin.listGroups (which
// concatenates every broker's answer) lists each once; other brokers answer NOT_COORDINATOR.

import { describe, expect, it } from 'vitest';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from '../../broker/kafka/handlers/groups.js';
import { coordinatorOf as listingBroker, groupHash } from '../../metadata-log/group-ownership.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { brokerRecord, groupOwnedBy, mvRecord, oneLiveBroker, overTheWire, testbed, topicRecords } from './kafka-handlers-fixture.js';

function offset(groupId: string, topic: string, partition: number, value = 1): MetadataRecord {
  return { type: 'OffsetCommit', groupId, topic, partition, offset: value, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 };
}

const GROUPS = Array.from({ length: 40 }, (_, i) => `group-${i}`);

describe('DescribeGroups', () => {
  it.each([0, 1, 2, 3, 4])('v%i: a group holding offsets is Empty "consumer" with no members; an unknown one Dead with NONE; v3+ asked for authorized operations gets all a group has', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0)] });
    const r = await overTheWire('DescribeGroups', version, { includeAuthorizedOperations: version >= 3, groupIds: ['g1', 'ghost'] }, handleDescribeGroups, t.ctx);
    // READ | DELETE | DESCRIBE (AclOperation codes 3, 6, 8), as Kafka answers without an authorizer; Integer.MIN_VALUE when not asked.
    const authorizedOperations = version >= 3 ? 0b1_0100_1000 : -0x80000000;
    expect(r.groups).toEqual([
      { errorCode: 0, groupId: 'g1', groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [], authorizedOperations },
      { errorCode: 0, groupId: 'ghost', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations },
    ]);
    expect(t.controller.calls).toEqual([]);
  });

  it.each([3, 4])('v%i: a group answered with an error (NOT_COORDINATOR, INVALID_GROUP_ID) carries no authorized operations (Integer.MIN_VALUE), as Kafka sets them only on NONE', async (version) => {
    const t = testbed({ records: [offset('g1', 't1', 0)] });
    const theirs = groupOwnedBy(t.ctx, 2);
    const mine = groupOwnedBy(t.ctx, 1);
    const r = await overTheWire('DescribeGroups', version, { includeAuthorizedOperations: true, groupIds: [theirs, '', mine] }, handleDescribeGroups, t.ctx);
    expect(r.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations])).toEqual([
      [theirs, ErrorCode.NOT_COORDINATOR, -0x80000000],
      ['', ErrorCode.INVALID_GROUP_ID, -0x80000000],
      [mine, ErrorCode.NONE, 0b1_0100_1000],
    ]);
  });

  it('a group whose offsets were all tombstoned is Dead again; an empty id is INVALID_GROUP_ID', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), { type: 'OffsetCommitTombstone', groupId: 'g1', topic: 't1', partition: 0 }] });
    const r = await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['g1', ''] }, 2);
    expect(r.groups.map((g) => [g.groupState, g.errorCode])).toEqual([['Dead', 0], ['Dead', ErrorCode.INVALID_GROUP_ID]]);
  });
});

describe('DeleteGroups', () => {
  it.each([0, 1])('v%i: forwarded; deleted → NONE (then Dead), unknown → GROUP_ID_NOT_FOUND, empty → INVALID_GROUP_ID', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), offset('g1', 't1', 1), offset('g2', 't2', 0)] });
    const r = await overTheWire('DeleteGroups', version, { groupsNames: ['g1', 'ghost', ''] }, handleDeleteGroups, t.ctx);
    expect(r.results).toEqual([
      { groupId: 'g1', errorCode: ErrorCode.NONE },
      { groupId: 'ghost', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: '', errorCode: ErrorCode.INVALID_GROUP_ID },
    ]);
    expect(t.controller.calls).toEqual([{ method: 'deleteGroups', request: { groupIds: ['g1', 'ghost', ''], coordinator: { brokerId: 1, brokerEpoch: 10 } }, timeoutMs: 3_000, retryAmbiguous: false }]);
    const d = await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['g1', 'g2'] }, 2);
    expect(d.groups.map((g) => g.groupState)).toEqual(['Dead', 'Empty']);
  });

  it('controller unreachable: COORDINATOR_NOT_AVAILABLE for every group; nothing deleted', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0)] });
    t.controller.failure = new RequestTimeoutError('deleteGroups: no active controller answered');
    const r = await handleDeleteGroups(t.ctx, { groupsNames: ['g1', 'g2'] }, 1);
    expect(r.results).toEqual([
      { groupId: 'g1', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
      { groupId: 'g2', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
    ]);
    expect(t.harness.image.groupOffsets('g1')?.size).toBe(1);
  });

  it('a group whose only "member" is an id handed out with MEMBER_ID_REQUIRED is Empty and deleted (Kafka); a joined member makes it NON_EMPTY_GROUP', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), offset('g2', 't1', 0)] });
    const join = { memberId: '', groupInstanceId: null, clientId: 'kafkajs', clientHost: '/127.0.0.1', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }] };
    // g1: a consumer's first JoinGroup (v4+) and no second one (it crashed, or is on its way).
    const handedOut = await t.ctx.groups.join({ ...join, groupId: 'g1', requireKnownMemberId: true });
    expect(handedOut.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    // g2: a member that has joined.
    expect((await t.ctx.groups.join({ ...join, groupId: 'g2', requireKnownMemberId: false })).errorCode).toBe(ErrorCode.NONE);
    const d = await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['g1', 'g2'] }, 2);
    expect(d.groups.map((g) => g.groupState)).toEqual(['Empty', 'CompletingRebalance']);
    const r = await handleDeleteGroups(t.ctx, { groupsNames: ['g1', 'g2'] }, 1);
    expect(r.results).toEqual([
      { groupId: 'g1', errorCode: ErrorCode.NONE },
      { groupId: 'g2', errorCode: ErrorCode.NON_EMPTY_GROUP },
    ]);
    expect(t.harness.image.groupOffsets('g1')?.size ?? 0).toBe(0);
    // The handed-out id went with the group: its rejoin is told to join afresh.
    const rejoin = await t.ctx.groups.join({ ...join, groupId: 'g1', memberId: handedOut.memberId, requireKnownMemberId: true });
    expect(rejoin.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a new group whose only "member" is an id handed out with MEMBER_ID_REQUIRED, without offsets: listed, described Empty and deleted, as Kafka has it (it was Dead and GROUP_ID_NOT_FOUND while listed)', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const join = { memberId: '', groupInstanceId: null, clientId: 'kafkajs', clientHost: '/127.0.0.1', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }] };
    // A consumer's first JoinGroup (v4+) to a group that never existed, and no second one yet.
    const handedOut = await t.ctx.groups.join({ ...join, groupId: 'fresh', requireKnownMemberId: true });
    expect(handedOut.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect((await handleListGroups(t.ctx, {}, 2)).groups.map((g) => g.groupId)).toEqual(['fresh']);
    const d = await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['fresh'] }, 2);
    // Kafka: the group made at the first JoinGroup, Empty, no protocol type yet.
    expect(d.groups.map((g) => [g.errorCode, g.groupState, g.protocolType])).toEqual([[ErrorCode.NONE, 'Empty', '']]);
    expect((await handleDeleteGroups(t.ctx, { groupsNames: ['fresh', 'never'] }, 1)).results).toEqual([
      { groupId: 'fresh', errorCode: ErrorCode.NONE },
      { groupId: 'never', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect((await handleListGroups(t.ctx, {}, 2)).groups).toEqual([]);
    const after = await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['fresh'] }, 2);
    expect(after.groups.map((g) => g.groupState)).toEqual(['Dead']);
  });

  it('a group that emptied here without offsets is kept Empty (listed, described, deletable) until the next cleanup tick, as Kafka keeps it', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const join = { memberId: '', groupInstanceId: null, clientId: 'kafkajs', clientHost: '/127.0.0.1', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }], requireKnownMemberId: false };
    for (const groupId of ['solo', 'other']) {
      const joined = await t.ctx.groups.join({ ...join, groupId });
      expect(joined.errorCode).toBe(ErrorCode.NONE);
      // The consumer ran, committed nothing, and left.
      expect(t.ctx.groups.leave(groupId, [{ memberId: joined.memberId, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    }
    const described = async () => (await handleDescribeGroups(t.ctx, { includeAuthorizedOperations: false, groupIds: ['solo', 'other'] }, 2)).groups.map((g) => [g.groupState, g.protocolType]);
    const listed = async () => (await handleListGroups(t.ctx, {}, 2)).groups;
    expect(await described()).toEqual([['Empty', 'consumer'], ['Empty', 'consumer']]);
    // A join that adds no member (a stale member id) leaves it kept as it was (found by a review).
    expect((await t.ctx.groups.join({ ...join, groupId: 'other', memberId: 'gone-member' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await described()).toEqual([['Empty', 'consumer'], ['Empty', 'consumer']]);
    expect(await listed()).toEqual([{ groupId: 'other', protocolType: 'consumer' }, { groupId: 'solo', protocolType: 'consumer' }]);
    // Deleting one succeeds (the controller, which holds nothing for it, says GROUP_ID_NOT_FOUND).
    expect((await handleDeleteGroups(t.ctx, { groupsNames: ['solo'] }, 1)).results).toEqual([{ groupId: 'solo', errorCode: ErrorCode.NONE }]);
    expect(await described()).toEqual([['Dead', ''], ['Empty', 'consumer']]);
    // The cleanup tick (offsets.retention.check.interval.ms) removes the other.
    t.ctx.groups.pruneEmptied(() => false);
    expect(await described()).toEqual([['Dead', ''], ['Dead', '']]);
    expect(await listed()).toEqual([]);
    expect((await handleDeleteGroups(t.ctx, { groupsNames: ['other'] }, 1)).results).toEqual([{ groupId: 'other', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });

  it('no groups: empty answer, no call', async () => {
    const t = testbed();
    expect(await handleDeleteGroups(t.ctx, { groupsNames: [] }, 1)).toEqual({ throttleTimeMs: 0, results: [] });
    expect(t.controller.calls).toEqual([]);
  });
});

describe('ListGroups', () => {
  it("groupHash is Java's String.hashCode made non-negative (Kafka's Utils.abs on the group id)", () => {
    expect(groupHash('')).toBe(0);
    expect(groupHash('hello')).toBe(99162322);
    expect(groupHash('polygenelubricants')).toBe(0); // hashCode = Integer.MIN_VALUE
    expect(groupHash('Aa')).toBe(groupHash('BB'));
    // Negative hashCodes, as Java 17 computes them and Utils.abs turns them (Math.abs):
    expect(groupHash('orders-consumer')).toBe(1204742690); // hashCode -1204742690
    expect(groupHash('analytics')).toBe(1693017210); // hashCode -1693017210
  });

  it.each([0, 1, 2])('v%i one live broker lists every group holding offsets, sorted, as "consumer"', async (version) => {
    const base = [mvRecord(), brokerRecord(1, 10), ...topicRecords('t1', 1, 1)];
    const t = testbed({ baseRecords: base, records: [offset('b', 't1', 0), offset('a', 't1', 0), offset('gone', 't1', 0), { type: 'OffsetCommitTombstone', groupId: 'gone', topic: 't1', partition: 0 }] });
    const r = await overTheWire('ListGroups', version, {}, handleListGroups, t.ctx);
    expect(r).toMatchObject({ errorCode: 0, groups: [{ groupId: 'a', protocolType: 'consumer' }, { groupId: 'b', protocolType: 'consumer' }] });
  });

  it('three live brokers: the union of their answers is every group exactly once (what kafkajs listGroups shows)', async () => {
    const records = GROUPS.map((g) => offset(g, 't1', 0));
    const listed: string[] = [];
    const perBroker: number[] = [];
    for (const brokerId of [1, 2, 3]) {
      const t = testbed({ brokerId, records });
      const r = await handleListGroups(t.ctx, {}, 2);
      for (const g of r.groups) expect(listingBroker([1, 2, 3], g.groupId)).toBe(brokerId);
      listed.push(...r.groups.map((g) => g.groupId));
      perBroker.push(r.groups.length);
    }
    expect(listed.sort()).toEqual([...GROUPS].sort());
    expect(perBroker.every((n) => n > 0)).toBe(true); // 40 groups over 3 brokers: each gets some
  });

  it("a fenced broker lists nothing; its share moves to the live ones (each group still once)", async () => {
    const base = [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11, { fenced: true }), brokerRecord(3, 12), ...topicRecords('t1', 1, 1)];
    const records = GROUPS.map((g) => offset(g, 't1', 0));
    const listed: string[] = [];
    for (const brokerId of [1, 2, 3]) {
      const r = await handleListGroups(testbed({ brokerId, baseRecords: base, records }).ctx, {}, 2);
      if (brokerId === 2) expect(r.groups).toEqual([]);
      listed.push(...r.groups.map((g) => g.groupId));
    }
    expect(listed.sort()).toEqual([...GROUPS].sort());
  });

  it('a broker in controlled shutdown lists nothing either', async () => {
    const shutting: MetadataRecord = { ...(brokerRecord(1, 10) as Extract<MetadataRecord, { type: 'RegisterBroker' }>), inControlledShutdown: true };
    const t = testbed({ baseRecords: [mvRecord(), shutting, brokerRecord(2, 11), ...topicRecords('t1', 1, 1)], records: [offset('a', 't1', 0)] });
    expect((await handleListGroups(t.ctx, {}, 2)).groups).toEqual([]);
  });
});
