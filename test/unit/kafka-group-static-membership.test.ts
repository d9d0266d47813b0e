// Static membership (KIP-345) in the group coordinator (broker/kafka/groups/group-coordinator.ts),
// driven with a manual clock, rule by rule as Kafka's classic GroupCoordinator runs them: a known
// group.instance.id rejoining without a member id replaces its previous incarnation (no rebalance
// of a Stable group whose protocol choice stays; its assignment comes back), the old member id is
// fenced everywhere (FENCED_INSTANCE_ID), LeaveGroup by instance id, a static member outlives a
// rebalance it misses and goes only at its session timeout.

import { describe, expect, it } from 'vitest';
import {
  type GroupCoordinator,
  type GroupProtocol,
  type JoinRequest,
  type JoinResult,
} from '../../broker/kafka/groups/group-coordinator.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { bytes, groupJoin, setup, text } from './group-coordinator-fixture.js';

const BOTH: GroupProtocol[] = [{ name: 'range', metadata: bytes('m') }, { name: 'roundrobin', metadata: bytes('m') }];


/** A v5 JoinGroup of instance `instance` (null: a dynamic member). */
function joinReq(instance: string | null, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return groupJoin(instance, { protocols: BOTH, requireKnownMemberId: true, ...overrides });
}

/** A promise's state without waiting (answers are resolved synchronously by the coordinator). */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

/**
 * Static members a (the leader) and b in a Stable generation 1, assigned 'A' and 'B'. The group
 * forms at a's join (no initial delay), so b's join rebalances into generation 2: both join again.
 */
async function stablePair(gc: GroupCoordinator, b: Partial<JoinRequest> = {}) {
  const a1 = await gc.join(joinReq('ia'));
  expect(a1).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
  expect(a1.memberId).toMatch(/^ia-[0-9a-f-]{36}$/); // no MEMBER_ID_REQUIRED for a static member; its id starts with its instance id
  const bJoin = gc.join(joinReq('ib', b));
  const aJoin = await gc.join(joinReq('ia', { memberId: a1.memberId }));
  const bj = await bJoin;
  expect([aJoin.generationId, bj.generationId, aJoin.leader]).toEqual([2, 2, a1.memberId]);
  expect(aJoin.members.map((m) => m.groupInstanceId).sort()).toEqual(['ia', 'ib']);
  const bSync = gc.sync({ groupId: 'g', generationId: 2, memberId: bj.memberId, groupInstanceId: 'ib', assignments: [] });
  const aSync = await gc.sync({ groupId: 'g', generationId: 2, memberId: a1.memberId, groupInstanceId: 'ia', assignments: [{ memberId: a1.memberId, assignment: bytes('A') }, { memberId: bj.memberId, assignment: bytes('B') }] });
  expect(text(aSync.assignment)).toBe('A');
  expect(text((await bSync).assignment)).toBe('B');
  expect(gc.describe('g')?.state).toBe('Stable');
  return { a: a1.memberId, b: bj.memberId, generationId: 2 };
}

describe('static membership: a known instance rejoining without a member id (a restart)', () => {
  it('Stable, same protocols: no rebalance; a new member id, the current generation, the old leader id, and its assignment back at SyncGroup', async () => {
    const { gc } = setup();
    const { a, b, generationId } = await stablePair(gc);
    const restarted = await gc.join(joinReq('ib', { clientId: 'client-2', clientHost: '/10.0.0.2' }));
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId, protocolName: 'range', leader: a, members: [] });
    expect(restarted.memberId).toMatch(/^ib-/);
    expect(restarted.memberId).not.toBe(b);
    expect(gc.describe('g')?.state).toBe('Stable');
    expect(gc.heartbeat('g', generationId, a, 'ia')).toBe(ErrorCode.NONE); // the other member sees no rebalance
    const s = await gc.sync({ groupId: 'g', generationId, memberId: restarted.memberId, groupInstanceId: 'ib', assignments: [] });
    expect(s).toEqual({ errorCode: ErrorCode.NONE, assignment: bytes('B') });
    expect(gc.heartbeat('g', generationId, restarted.memberId, 'ib')).toBe(ErrorCode.NONE);
    const d = gc.describe('g')!;
    expect(d.members.map((m) => [m.groupInstanceId, m.memberId, text(m.assignment), m.clientId]).sort()).toEqual([
      ['ia', a, 'A', 'client'],
      ['ib', restarted.memberId, 'B', 'client-2'],
    ]);
  });

  it('the leader restarting: answered as a follower (the old leader id), gets its assignment back; leadership follows the instance to the next generation', async () => {
    const { gc } = setup();
    const { a, b, generationId } = await stablePair(gc);
    const restarted = await gc.join(joinReq('ia'));
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId, leader: a, members: [] });
    expect(restarted.leader).not.toBe(restarted.memberId); // so the client does not run an assignment a Stable group would ignore
    expect(gc.describe('g')?.state).toBe('Stable');
    expect(text((await gc.sync({ groupId: 'g', generationId, memberId: restarted.memberId, groupInstanceId: 'ia', assignments: [] })).assignment)).toBe('A');

    // The next rebalance (a dynamic member joins): the restarted instance leads it.
    const cJoin = gc.join(joinReq(null, { requireKnownMemberId: false }));
    const aJoin = gc.join(joinReq('ia', { memberId: restarted.memberId }));
    const bJoin = gc.join(joinReq('ib', { memberId: b }));
    const [aj, bj, cj] = await Promise.all([aJoin, bJoin, cJoin]);
    expect([aj.generationId, aj.leader, bj.leader, cj.leader]).toEqual([generationId + 1, restarted.memberId, restarted.memberId, restarted.memberId]);
    expect(aj.members).toHaveLength(3);
  });

  it('a restart whose protocols change the group\'s choice rebalances; only changed metadata does not (Kafka compares the chosen protocol)', async () => {
    const { gc } = setup();
    const { a, generationId } = await stablePair(gc);
    // Other subscription bytes, same protocols: Kafka keeps the group Stable (metadata may differ across restarts for nothing).
    const sameChoice = await gc.join(joinReq('ib', { protocols: [{ name: 'range', metadata: bytes('m2') }, { name: 'roundrobin', metadata: bytes('m2') }] }));
    expect(sameChoice).toMatchObject({ errorCode: ErrorCode.NONE, generationId });
    expect(gc.describe('g')?.state).toBe('Stable');

    // Only roundrobin now: the group can no longer use range → rebalance, the restart waits in it.
    const changed = gc.join(joinReq('ib', { protocols: [{ name: 'roundrobin', metadata: bytes('m3') }] }));
    expect(await peek(changed)).toBe('pending');
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    expect(gc.heartbeat('g', generationId, a, 'ia')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aj = await gc.join(joinReq('ia', { memberId: a }));
    const bj = await changed;
    expect([aj.generationId, bj.generationId, aj.protocolName]).toEqual([generationId + 1, generationId + 1, 'roundrobin']);
  });

  it('in CompletingRebalance: a rebalance (the leader may be assigning to the old member id); the old incarnation\'s waiting SyncGroup is FENCED_INSTANCE_ID', async () => {
    const { gc } = setup();
    const { a, b, generationId } = await stablePair(gc);
    // A third member joins: generation 3 forms and a and b rejoin; b waits in SyncGroup for the leader.
    await Promise.all([gc.join(joinReq('ic')), gc.join(joinReq('ia', { memberId: a })), gc.join(joinReq('ib', { memberId: b }))]);
    expect(gc.describe('g')?.state).toBe('CompletingRebalance');
    const oldSync = gc.sync({ groupId: 'g', generationId: generationId + 1, memberId: b, groupInstanceId: 'ib', assignments: [] });
    expect(await peek(oldSync)).toBe('pending');
    const restarted = gc.join(joinReq('ib'));
    expect((await oldSync).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    expect(await peek(restarted)).toBe('pending');
  });

  it('in PreparingRebalance: the old incarnation\'s waiting JoinGroup is FENCED_INSTANCE_ID, the new one takes its place in the rebalance', async () => {
    const { gc } = setup();
    const { a, b, generationId } = await stablePair(gc);
    const cJoin = gc.join(joinReq(null, { requireKnownMemberId: false })); // a rebalance, waiting for a and b
    const stale = gc.join(joinReq('ib', { memberId: b }));
    expect(await peek(stale)).toBe('pending');
    const restarted = gc.join(joinReq('ib'));
    expect(await stale).toMatchObject({ errorCode: ErrorCode.FENCED_INSTANCE_ID, memberId: b });
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    const aj = await gc.join(joinReq('ia', { memberId: a }));
    const [rj, cj] = await Promise.all([restarted, cJoin]);
    expect([aj.generationId, rj.generationId, cj.generationId]).toEqual([generationId + 1, generationId + 1, generationId + 1]);
    expect(aj.members.map((m) => m.memberId).sort()).toEqual([a, rj.memberId, cj.memberId].sort());
  });
});

describe('static membership: the old member id is fenced', () => {
  it('Heartbeat, SyncGroup, OffsetCommit and LeaveGroup with the replaced member id and its instance id: FENCED_INSTANCE_ID; without the instance id: UNKNOWN_MEMBER_ID', async () => {
    const { gc } = setup();
    const { b, generationId } = await stablePair(gc);
    const restarted = await gc.join(joinReq('ib'));
    expect(gc.heartbeat('g', generationId, b, 'ib')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await gc.sync({ groupId: 'g', generationId, memberId: b, groupInstanceId: 'ib', assignments: [] })).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(gc.checkCommit('g', generationId, b, 'ib')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(gc.leave('g', [{ memberId: b, groupInstanceId: 'ib' }])).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect((await gc.join(joinReq('ib', { memberId: b }))).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    // Older versions carry no instance id: the old id is simply no member any more.
    expect(gc.heartbeat('g', generationId, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.checkCommit('g', generationId, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // An instance id the group does not know: UNKNOWN_MEMBER_ID.
    expect(gc.heartbeat('g', generationId, restarted.memberId, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // The fenced requests changed nothing: the new incarnation is in, the group Stable.
    expect(gc.describe('g')?.state).toBe('Stable');
    expect(gc.checkCommit('g', generationId, restarted.memberId, 'ib')).toBe(ErrorCode.NONE);
    expect(gc.describe('g')?.members.map((m) => m.memberId)).toContain(restarted.memberId);
  });
});

describe('static membership: leaving', () => {
  it('LeaveGroup v3 by instance id alone (member id \'\') removes the static member and rebalances; an unknown instance is UNKNOWN_MEMBER_ID', async () => {
    const { gc } = setup();
    const { a, b, generationId } = await stablePair(gc);
    expect(gc.leave('g', [{ memberId: '', groupInstanceId: 'nobody' }, { memberId: '', groupInstanceId: 'ib' }])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.NONE]);
    expect(gc.describe('g')?.members.map((m) => m.memberId)).toEqual([a]);
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    expect(gc.heartbeat('g', generationId, b, 'ib')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await gc.join(joinReq('ia', { memberId: a }))).generationId).toBe(generationId + 1); // a alone
    // The instance is free again: its next join is a new member (a rebalance).
    const back = gc.join(joinReq('ib'));
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    await gc.join(joinReq('ia', { memberId: a }));
    expect((await back).generationId).toBe(generationId + 2);
  });

  it('LeaveGroup with the member id and its instance id removes it', async () => {
    const { gc } = setup();
    const { b } = await stablePair(gc);
    expect(gc.leave('g', [{ memberId: b, groupInstanceId: 'ib' }])).toEqual([ErrorCode.NONE]);
    expect(gc.describe('g')?.members.map((m) => m.groupInstanceId)).toEqual(['ia']);
  });
});

describe('static membership: sessions', () => {
  it('a static member that stops heartbeating stays until its session timeout, then is removed and the group rebalances', async () => {
    const { gc, clock } = setup();
    const { a, generationId } = await stablePair(gc);
    for (let i = 0; i < 3; i++) {
      clock.advance(3_333);
      expect(gc.heartbeat('g', generationId, a, 'ia')).toBe(ErrorCode.NONE);
    }
    expect(gc.describe('g')?.members).toHaveLength(2); // 9,999 ms: b is still a member, nothing rebalanced
    clock.advance(1);
    expect(gc.describe('g')?.members.map((m) => m.groupInstanceId)).toEqual(['ia']);
    expect(gc.heartbeat('g', generationId, a, 'ia')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aj = await gc.join(joinReq('ia', { memberId: a }));
    expect(aj).toMatchObject({ generationId: generationId + 1, leader: a });
    expect(aj.members.map((m) => m.groupInstanceId)).toEqual(['ia']);
    // Its instance id is free: the instance coming back later is a new member (a rebalance).
    await gc.sync({ groupId: 'g', generationId: generationId + 1, memberId: a, groupInstanceId: 'ia', assignments: [] });
    const late = gc.join(joinReq('ib'));
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    await gc.join(joinReq('ia', { memberId: a }));
    expect((await late).generationId).toBe(generationId + 2);
  });

  it('a rebalance a static member misses keeps it (the leader assigns to it); restarting after it, it gets that assignment without another rebalance', async () => {
    const { gc, clock } = setup();
    const { a, b, generationId } = await stablePair(gc, { sessionTimeoutMs: 60_000 });
    const cJoin = gc.join(joinReq(null, { requireKnownMemberId: false }));
    const aJoin = gc.join(joinReq('ia', { memberId: a }));
    expect(await peek(aJoin)).toBe('pending'); // b has not rejoined: wait up to the rebalance timeout
    clock.advance(20_000);
    const [aj, cj] = await Promise.all([aJoin, cJoin]);
    expect(aj.generationId).toBe(generationId + 1);
    expect(aj.members.map((m) => m.memberId).sort()).toEqual([a, b, cj.memberId].sort()); // b kept, absent
    const cSync = gc.sync({ groupId: 'g', generationId: generationId + 1, memberId: cj.memberId, assignments: [] });
    await gc.sync({
      groupId: 'g', generationId: generationId + 1, memberId: a, groupInstanceId: 'ia',
      assignments: [{ memberId: a, assignment: bytes('A2') }, { memberId: b, assignment: bytes('B2') }, { memberId: cj.memberId, assignment: bytes('C2') }],
    });
    expect(text((await cSync).assignment)).toBe('C2');
    expect(gc.describe('g')?.state).toBe('Stable');
    const restarted = await gc.join(joinReq('ib', { sessionTimeoutMs: 60_000 }));
    expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: generationId + 1 });
    expect(gc.describe('g')?.state).toBe('Stable');
    expect(text((await gc.sync({ groupId: 'g', generationId: generationId + 1, memberId: restarted.memberId, groupInstanceId: 'ib', assignments: [] })).assignment)).toBe('B2');
  });

  it('a rebalance in which only absent static members are left waits another rebalance timeout instead of emptying the group', async () => {
    const { gc, clock } = setup();
    const a = await gc.join(joinReq('ia', { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 5_000 }));
    await gc.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: 'ia', assignments: [{ memberId: a.memberId, assignment: bytes('A') }] });
    // A dynamic member joins (rebalance) and leaves again before a rejoins.
    const cJoin = gc.join(joinReq(null, { requireKnownMemberId: false, rebalanceTimeoutMs: 5_000 }));
    const c = gc.describe('g')!.members.find((m) => m.groupInstanceId === null)!.memberId;
    expect(gc.leave('g', [{ memberId: c, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    expect(((await cJoin) as JoinResult).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    clock.advance(5_000);
    expect(gc.describe('g')).toMatchObject({ state: 'PreparingRebalance', generationId: 1 });
    expect(gc.describe('g')?.members.map((m) => m.memberId)).toEqual([a.memberId]);
    const back = await gc.join(joinReq('ia', { memberId: a.memberId, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 5_000 }));
    expect(back).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a.memberId });
  });
});
