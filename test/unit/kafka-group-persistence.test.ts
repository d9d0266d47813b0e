// A group coordinator that stores each completed rebalance (GroupStore) and a coordinator that
// resumes the group from it (broker/kafka/groups/group-coordinator.ts, "Persistence"): the leader's
// SyncGroup is answered once stored; NOT_COORDINATOR from the store drops the group; a failed store
// still completes the rebalance and is tried again; another coordinator resumes the group Stable at
// the stored generation with the same members, static instance ids and assignments; an emptied group
// is removed.

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GROUP_COORDINATOR_CONFIG,
  GroupCoordinator,
  STORE_RETRY_MS,
  type GroupProtocol,
  type GroupStore,
  type JoinRequest,
  type StoreOutcome,
} from '../../broker/kafka/groups/group-coordinator.js';
import type { StoredGroupMetadata } from '../../metadata-log/image-types.js';
import type { StoredGroupMembership } from '../../quorum/controller/configs/group-membership.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ManualClock } from '../support/manual-clock.js';
import { bytes, groupJoin, text } from './group-coordinator-fixture.js';

/** The metadata log as far as groups go: stores commit when the test says (or at once). */
class FakeStore implements GroupStore {
  readonly stored = new Map<string, StoredGroupMetadata>();
  readonly saves: StoredGroupMembership[] = [];
  readonly removed: string[] = [];
  /** What the next saves answer; 'deferred' leaves them pending until settle(). */
  answer: StoreOutcome | 'deferred' = 'stored';
  private readonly waiting: { groupId: string; membership: StoredGroupMembership; resolve: (o: StoreOutcome) => void }[] = [];

  load(groupId: string): StoredGroupMetadata | undefined {
    return this.stored.get(groupId);
  }

  save(groupId: string, membership: StoredGroupMembership): Promise<StoreOutcome> {
    this.saves.push(membership);
    if (this.answer === 'deferred') return new Promise((resolve) => this.waiting.push({ groupId, membership, resolve }));
    return Promise.resolve(this.commit(groupId, membership, this.answer));
  }

  /** Removals reach the image at once unless lagging (the tombstone still on its way back through the log). */
  lagRemovals = false;

  /** The generation each removal named (the one its group emptied at). */
  readonly removedBelow: number[] = [];

  remove(groupId: string, belowGeneration: number): void {
    this.removed.push(groupId);
    this.removedBelow.push(belowGeneration);
    // As the controller: only a membership stored at an older generation goes.
    if (!this.lagRemovals && (this.stored.get(groupId)?.generationId ?? Infinity) < belowGeneration) this.stored.delete(groupId);
  }

  /** Answers the oldest pending save. */
  settle(outcome: StoreOutcome): void {
    const w = this.waiting.shift();
    if (w === undefined) throw new Error('no save pending');
    w.resolve(this.commit(w.groupId, w.membership, outcome));
  }

  private commit(groupId: string, membership: StoredGroupMembership, outcome: StoreOutcome): StoreOutcome {
    if (outcome === 'stored') this.stored.set(groupId, { groupId, stateTimestampMs: 0, ...membership });
    return outcome;
  }
}

const RANGE: GroupProtocol[] = [{ name: 'range', metadata: bytes('subscription') }];

function joinReq(instance: string | null, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return groupJoin(instance, { protocols: RANGE, requireKnownMemberId: false, ...overrides });
}

function coordinator(clock: ManualClock, store: GroupStore): GroupCoordinator {
  return new GroupCoordinator(clock, { ...DEFAULT_GROUP_COORDINATOR_CONFIG, initialRebalanceDelayMs: 0 }, store);
}

/** A promise's state without waiting. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

/**
 * Static member a (the leader) and dynamic member b joined in generation 2 (a formed generation 1
 * alone); their SyncGroups are sent, the leader assigning 'A' and 'B'. Returns the sync promises.
 */
async function joinPair(gc: GroupCoordinator) {
  const a1 = await gc.join(joinReq('ia'));
  const bJoin = gc.join(joinReq(null));
  const a = await gc.join(joinReq('ia', { memberId: a1.memberId }));
  const b = await bJoin;
  expect([a.generationId, b.generationId, a.leader]).toEqual([2, 2, a.memberId]);
  const bSync = gc.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
  const aSync = gc.sync({ groupId: 'g', generationId: 2, memberId: a.memberId, groupInstanceId: 'ia', assignments: [{ memberId: a.memberId, assignment: bytes('A') }, { memberId: b.memberId, assignment: bytes('B') }] });
  return { a: a.memberId, b: b.memberId, aSync, bSync };
}

describe('a coordinator storing completed rebalances', () => {
  it("answers the leader's SyncGroup (and the others) once the membership is stored, then is Stable", async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    store.answer = 'deferred';
    // Generation 1 (a alone) is stored too: settle it first.
    const a1 = await gc.join(joinReq('ia'));
    const sync1 = gc.sync({ groupId: 'g', generationId: 1, memberId: a1.memberId, groupInstanceId: 'ia', assignments: [{ memberId: a1.memberId, assignment: bytes('all') }] });
    expect(await peek(sync1)).toBe('pending');
    store.settle('stored');
    expect(text((await sync1).assignment)).toBe('all');

    const bJoin = gc.join(joinReq(null));
    const aRejoin = await gc.join(joinReq('ia', { memberId: a1.memberId }));
    const b = await bJoin;
    const bSync = gc.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
    const aSync = gc.sync({ groupId: 'g', generationId: 2, memberId: aRejoin.memberId, groupInstanceId: 'ia', assignments: [{ memberId: aRejoin.memberId, assignment: bytes('A') }, { memberId: b.memberId, assignment: bytes('B') }] });
    expect(await peek(aSync)).toBe('pending');
    expect(await peek(bSync)).toBe('pending');
    expect(gc.describe('g')!.state).toBe('CompletingRebalance');
    store.settle('stored');
    expect(text((await aSync).assignment)).toBe('A');
    expect(text((await bSync).assignment)).toBe('B');
    expect(gc.describe('g')!.state).toBe('Stable');
    const saved = store.stored.get('g')!;
    expect(saved).toMatchObject({ generationId: 2, protocolType: 'consumer', protocolName: 'range', leaderId: aRejoin.memberId });
    expect(saved.members.map((m) => [m.memberId, m.groupInstanceId, text(m.subscription), text(m.assignment), m.sessionTimeoutMs, m.rebalanceTimeoutMs])).toEqual([
      [aRejoin.memberId, 'ia', 'subscription', 'A', 10_000, 20_000],
      [b.memberId, null, 'subscription', 'B', 10_000, 20_000],
    ]);
  });

  it('NOT_COORDINATOR from the store: every waiting SyncGroup gets it and the group is dropped', async () => {
    const store = new FakeStore();
    const gc = coordinator(new ManualClock(), store);
    store.answer = 'not-coordinator';
    const { aSync, bSync } = await joinPair(gc);
    expect((await aSync).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await bSync).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(gc.activeGroupIds()).toEqual([]);
  });

  it('a failed store still completes the rebalance, and is tried again with the current membership until stored', async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    store.answer = 'failed';
    const { aSync, bSync, b } = await joinPair(gc);
    expect(text((await aSync).assignment)).toBe('A');
    expect(text((await bSync).assignment)).toBe('B');
    expect(gc.describe('g')!.state).toBe('Stable');
    const tries = store.saves.length;
    clock.advance(STORE_RETRY_MS);
    await Promise.resolve();
    expect(store.saves.length).toBe(tries + 1);
    store.answer = 'stored';
    gc.heartbeat('g', 2, b); // keep b alive
    clock.advance(STORE_RETRY_MS);
    await new Promise((r) => setImmediate(r));
    expect(store.stored.get('g')?.generationId).toBe(2);
    expect(store.stored.get('g')!.members.map((m) => text(m.assignment))).toEqual(['A', 'B']);
    clock.advance(3 * STORE_RETRY_MS);
    expect(store.saves.length).toBe(tries + 2); // stored: no more tries
  });

  it('a skipped store (nothing can be stored) completes the rebalance at once and is not tried again', async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    store.answer = 'skipped';
    const { aSync } = await joinPair(gc);
    expect((await aSync).errorCode).toBe(ErrorCode.NONE);
    const tries = store.saves.length;
    clock.advance(5 * STORE_RETRY_MS);
    expect(store.saves.length).toBe(tries);
  });

  it('a rebalance begun while the store is pending answers the waiting syncs REBALANCE_IN_PROGRESS; the late store result changes nothing', async () => {
    const store = new FakeStore();
    const gc = coordinator(new ManualClock(), store);
    const a1 = await gc.join(joinReq('ia'));
    await gc.sync({ groupId: 'g', generationId: 1, memberId: a1.memberId, groupInstanceId: 'ia', assignments: [] });
    store.answer = 'deferred';
    const bJoin = gc.join(joinReq(null));
    const aJoin = await gc.join(joinReq('ia', { memberId: a1.memberId }));
    const b = await bJoin;
    const aSync = gc.sync({ groupId: 'g', generationId: 2, memberId: aJoin.memberId, groupInstanceId: 'ia', assignments: [] });
    const cJoin = gc.join(joinReq(null, { clientId: 'c' })); // a third member: a new rebalance
    expect((await aSync).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    store.settle('stored');
    await new Promise((r) => setImmediate(r));
    expect(gc.describe('g')!.state).toBe('PreparingRebalance');
    // The rebalance completes as usual: everyone rejoins, generation 3.
    const aJoin3 = gc.join(joinReq('ia', { memberId: aJoin.memberId }));
    const bJoin3 = gc.join(joinReq(null, { memberId: b.memberId }));
    expect([(await aJoin3).generationId, (await bJoin3).generationId, (await cJoin).generationId]).toEqual([3, 3, 3]);
  });

  it('a group that empties is removed from the store', async () => {
    const store = new FakeStore();
    const gc = coordinator(new ManualClock(), store);
    const { a, b, aSync } = await joinPair(gc);
    await aSync;
    expect(store.stored.has('g')).toBe(true);
    expect(gc.leave('g', [{ memberId: a, groupInstanceId: 'ia' }, { memberId: b, groupInstanceId: null }])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(store.removed).toEqual(['g']);
    expect(store.removedBelow).toEqual([3]); // generation 2 stored, emptied at 3
    expect(store.stored.has('g')).toBe(false);
  });

  it('a group that empties while its store is in flight is removed only after that store: the removal is not overtaken', async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    store.answer = 'deferred';
    const a1 = await gc.join(joinReq('ia'));
    const sync1 = gc.sync({ groupId: 'g', generationId: 1, memberId: a1.memberId, groupInstanceId: 'ia', assignments: [{ memberId: a1.memberId, assignment: bytes('all') }] });
    // The only member leaves while generation 1 is being stored (e.g. the controller is failing over).
    expect(gc.leave('g', [{ memberId: a1.memberId, groupInstanceId: 'ia' }])).toEqual([ErrorCode.NONE]);
    expect((await sync1).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    store.settle('stored'); // the controller commits generation 1 late
    await new Promise((r) => setImmediate(r));
    // The removal went after it: nothing stored, and another coordinator resumes no member who left.
    expect(store.removed).toEqual(['g']);
    expect(store.stored.has('g')).toBe(false);
    expect(coordinator(clock, store).describe('g')).toBeUndefined();
  });

  it('a store queued behind one in flight is not sent once its group emptied (it would land after the removal)', async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    const { a, b, aSync, bSync } = await joinPair(gc);
    await Promise.all([aSync, bSync]);
    // A static restart's store hangs; a second restart's store is queued behind it.
    store.answer = 'deferred';
    const first = gc.join(joinReq('ia'));
    const second = gc.join(joinReq('ia'));
    expect((await first).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const current = gc.describe('g')!.members.find((m) => m.groupInstanceId === 'ia')!.memberId;
    expect(gc.leave('g', [{ memberId: current, groupInstanceId: 'ia' }, { memberId: b, groupInstanceId: null }])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect((await second).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const saves = store.saves.length;
    store.settle('stored');
    await new Promise((r) => setImmediate(r));
    expect(store.saves.length).toBe(saves); // the queued store was not sent
    expect(store.stored.has('g')).toBe(false);
    expect(a).not.toBe(current);
  });

  it('a group that emptied is not resumed from its stored membership while the removal is on its way (or was lost)', async () => {
    const clock = new ManualClock();
    const store = new FakeStore();
    const gc = coordinator(clock, store);
    const { a, b, aSync, bSync } = await joinPair(gc);
    await Promise.all([aSync, bSync]);
    store.lagRemovals = true; // the image still holds generation 2 after both leave
    expect(gc.leave('g', [{ memberId: a, groupInstanceId: 'ia' }, { memberId: b, groupInstanceId: null }])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    // The members who left are not brought back: DescribeGroups, DeleteGroups and offset expiry see an empty group.
    expect(gc.describe('g')).toBeUndefined();
    expect(gc.hasMembers('g')).toBe(false);
    expect(gc.isActive('g')).toBe(false);
    expect(gc.heartbeat('g', 2, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A consumer starting now is not held up by them (their rebalance timeout) and goes on from the
    // group's generation, so that its store is newer than the stale one.
    const c = await peek(gc.join(joinReq(null, { clientId: 'c' })));
    expect(c).not.toBe('pending');
    expect(c === 'pending' ? -1 : c.generationId).toBe(4);
    const cSync = await gc.sync({ groupId: 'g', generationId: 4, memberId: c === 'pending' ? '' : c.memberId, assignments: [] });
    expect(cSync.errorCode).toBe(ErrorCode.NONE);
    expect(store.stored.get('g')!.generationId).toBe(4);
  });

  it("OffsetDelete's judgement of a group emptied here carries the generation it emptied at, also once the prune tick stops keeping it Empty, so that a stale stored membership is not taken for a newer rebalance", async () => {
    const store = new FakeStore();
    const gc = coordinator(new ManualClock(), store);
    const { a, b, aSync, bSync } = await joinPair(gc);
    await Promise.all([aSync, bSync]);
    store.lagRemovals = true; // the image (and the controller) still hold generation 2, whose members left
    gc.leave('g', [{ memberId: a, groupInstanceId: 'ia' }, { memberId: b, groupInstanceId: null }]);
    expect(gc.offsetDeletion('g')).toEqual({ kind: 'empty', generationId: 3 });
    gc.pruneEmptied(() => true); // the tick: no longer kept Empty; the stale record is still there
    const judged = gc.offsetDeletion('g');
    // The controller judges again on the stored membership when it is newer than the judgement
    // (quorum/controller/configs/offsets.ts deleteOffsets): generation 2 must not count as newer,
    // or the members who left would keep their topics' offsets (GROUP_SUBSCRIBED_TO_TOPIC).
    expect(judged.generationId).toBe(3);
    expect(store.stored.get('g')!.generationId > judged.generationId).toBe(false);
  });

  it('a stale stored membership left by a lost removal is removed again by the periodic prune, and forgotten once gone', async () => {
    const store = new FakeStore();
    const gc = coordinator(new ManualClock(), store);
    const { a, b, aSync, bSync } = await joinPair(gc);
    await Promise.all([aSync, bSync]);
    store.lagRemovals = true;
    gc.leave('g', [{ memberId: a, groupInstanceId: 'ia' }, { memberId: b, groupInstanceId: null }]);
    expect(store.removed).toEqual(['g']);
    gc.pruneEmptied(() => false);
    expect(store.removed).toEqual(['g', 'g']);
    store.lagRemovals = false;
    gc.pruneEmptied(() => false);
    expect(store.stored.has('g')).toBe(false);
    gc.pruneEmptied(() => false);
    expect(store.removed).toEqual(['g', 'g', 'g']); // nothing stale left: no more removals
    // Forgotten: a group made afresh starts over, as before membership was stored.
    expect((await gc.join(joinReq(null))).generationId).toBe(1);
  });
});

describe('a coordinator resuming a stored group (coordination moved here)', () => {
  async function moved() {
    const clock = new ManualClock();
    const store = new FakeStore();
    const first = coordinator(clock, store);
    const { a, b, aSync, bSync } = await joinPair(first);
    await Promise.all([aSync, bSync]);
    first.retainOnly(() => false); // the group moved away from it
    const next = coordinator(clock, store);
    return { clock, store, next, a, b };
  }

  it('is Stable at the stored generation: heartbeats and commits of that generation go on, no rebalance', async () => {
    const { next, a, b } = await moved();
    expect(next.heartbeat('g', 2, a, 'ia')).toBe(ErrorCode.NONE);
    expect(next.heartbeat('g', 2, b)).toBe(ErrorCode.NONE);
    expect(next.checkCommit('g', 2, b)).toBe(ErrorCode.NONE);
    const d = next.describe('g')!;
    expect([d.state, d.generationId, d.protocolName]).toEqual(['Stable', 2, 'range']);
    expect(d.members.map((m) => [m.memberId, m.groupInstanceId, text(m.assignment)])).toEqual([
      [a, 'ia', 'A'],
      [b, null, 'B'],
    ]);
    // A follower that rejoins with unchanged protocols (as kafkajs does on NOT_COORDINATOR) gets the current generation.
    const rejoin = await next.join(joinReq(null, { memberId: b }));
    expect([rejoin.errorCode, rejoin.generationId, rejoin.leader]).toEqual([ErrorCode.NONE, 2, a]);
    expect(next.describe('g')!.state).toBe('Stable');
    // An older generation is still refused.
    expect(next.heartbeat('g', 1, b)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it("a resumed member that never comes back goes at its session timeout: then the group rebalances", async () => {
    const { clock, next, a } = await moved();
    expect(next.isActive('g')).toBe(true); // resumed now: every session counts from here
    clock.advance(6_000);
    expect(next.heartbeat('g', 2, a, 'ia')).toBe(ErrorCode.NONE);
    clock.advance(6_000); // b: 12 s since the resume, past its 10 s session
    expect(next.describe('g')!.state).toBe('PreparingRebalance');
    expect(next.describe('g')!.members.map((m) => m.memberId)).toEqual([a]);
  });

  it('a static instance restarting after the move takes its place back without a rebalance, answered once its new member id is stored', async () => {
    const { store, next, a, b } = await moved();
    store.answer = 'deferred';
    const join = next.join(joinReq('ia'));
    expect(await peek(join)).toBe('pending');
    store.settle('stored');
    const r = await join;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.generationId).toBe(2);
    expect(r.memberId).not.toBe(a);
    expect(store.stored.get('g')!.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([
      [b, null],
      [r.memberId, 'ia'],
    ]);
    const sync = await next.sync({ groupId: 'g', generationId: 2, memberId: r.memberId, groupInstanceId: 'ia', assignments: [] });
    expect(text(sync.assignment)).toBe('A');
    expect(next.describe('g')!.state).toBe('Stable');
    expect(next.heartbeat('g', 2, a, 'ia')).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('stores of one group go one at a time, in the order asked: a static restart waits for a retry in flight, and its mapping is the one stored last', async () => {
    const { clock, store, next, a, b } = await moved();
    expect(next.isActive('g')).toBe(true);
    // A rebalance on `next` whose store fails: Stable anyway, tried again after STORE_RETRY_MS.
    const c = next.join(joinReq(null, { clientId: 'c' }));
    const aJoin = next.join(joinReq('ia', { memberId: a }));
    const bJoin = next.join(joinReq(null, { memberId: b }));
    const [ca, aa, ba] = [await c, await aJoin, await bJoin];
    expect([ca.generationId, aa.generationId, ba.generationId]).toEqual([3, 3, 3]);
    store.answer = 'failed';
    const syncs = [
      next.sync({ groupId: 'g', generationId: 3, memberId: a, groupInstanceId: 'ia', assignments: [{ memberId: a, assignment: bytes('A') }] }),
      next.sync({ groupId: 'g', generationId: 3, memberId: b, assignments: [] }),
      next.sync({ groupId: 'g', generationId: 3, memberId: ca.memberId, assignments: [] }),
    ];
    await Promise.all(syncs);
    store.answer = 'deferred';
    clock.advance(STORE_RETRY_MS); // the retry is sent, and hangs
    const sent = store.saves.length;
    const restart = next.join(joinReq('ia'));
    await new Promise((r) => setImmediate(r));
    expect(store.saves.length).toBe(sent); // queued behind the retry
    store.settle('stored'); // the retry commits first (the old mapping)...
    await new Promise((r) => setImmediate(r));
    expect(store.saves.length).toBe(sent + 1); // ...then the restart's store is sent
    store.settle('stored');
    const r = await restart;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(store.stored.get('g')!.members.find((m) => m.groupInstanceId === 'ia')!.memberId).toBe(r.memberId);
  });

  it('is listed as active and counts for offset expiry once asked about (isActive resumes it)', async () => {
    const { next } = await moved();
    expect(next.activeGroupIds()).toEqual([]);
    expect(next.isActive('g')).toBe(true);
    expect(next.activeGroupIds()).toEqual(['g']);
    expect(next.hasMembers('g')).toBe(true);
  });
});
