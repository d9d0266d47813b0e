// The consumer-group membership state machine (broker/kafka/groups/group-coordinator.ts), driven
// with a manual clock: the transitions in its header one by one, Kafka's error codes, and a
// property test where simulated kafkajs-like consumers join, crash, leave and come back while the
// invariants are checked after every step and the group must settle into one generation with
// exactly the live consumers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type GroupCoordinator,
  type JoinRequest,
  type JoinResult,
  type SyncResult,
} from '../../broker/kafka/groups/group-coordinator.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { bytes, setup, text } from './group-coordinator-fixture.js';



function joinReq(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: bytes('m') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** A promise's state without waiting (answers are resolved synchronously by the coordinator). */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

/** One member joined and synced into a Stable group; returns its id and generation. */
async function stableMember(gc: GroupCoordinator, overrides: Partial<JoinRequest> = {}) {
  const j = await gc.join(joinReq(overrides));
  expect(j.errorCode).toBe(ErrorCode.NONE);
  const s = await gc.sync({ groupId: overrides.groupId ?? 'g', generationId: j.generationId, memberId: j.memberId, assignments: [{ memberId: j.memberId, assignment: bytes('all') }] });
  expect(s.errorCode).toBe(ErrorCode.NONE);
  return j;
}

describe('group coordinator: when a group emptied (offset expiry counts from then)', () => {
  it('is when its last member left, not when a member id handed out and never joined expires or a join is refused', async () => {
    const { gc, clock } = setup();
    const j = await stableMember(gc);
    clock.advance(1_000);
    expect(gc.leave('g', [{ memberId: j.memberId, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    const emptied = gc.emptiedAtMs('g');
    expect(emptied).toBe(clock.nowMs());
    // A consumer's first JoinGroup (MEMBER_ID_REQUIRED), never followed by its second: its id expires.
    clock.advance(5_000);
    expect((await gc.join(joinReq({ requireKnownMemberId: true }))).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    clock.advance(60_000);
    expect(gc.isActive('g')).toBe(false);
    // A join with a member id the group does not know.
    expect((await gc.join(joinReq({ memberId: 'stale' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.emptiedAtMs('g')).toBe(emptied);
    // A member that joins and leaves again empties it again.
    const again = await stableMember(gc);
    clock.advance(1_000);
    gc.leave('g', [{ memberId: again.memberId, groupInstanceId: null }]);
    expect(gc.emptiedAtMs('g')).toBe(clock.nowMs());
  });
});

describe('group coordinator: one member', () => {
  it('v4+ first join is handed a member id (MEMBER_ID_REQUIRED); the rejoin completes generation 1 with it as leader', async () => {
    const { gc } = setup();
    const first = await gc.join(joinReq({ requireKnownMemberId: true, clientId: 'kafkajs' }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^kafkajs-[0-9a-f-]{36}$/);
    // The handed-out id keeps the group alive here until it joins or expires, but is no member (Kafka's pending member).
    expect(gc.isActive('g')).toBe(true);
    expect(gc.hasMembers('g')).toBe(false);
    const j = await gc.join(joinReq({ requireKnownMemberId: true, memberId: first.memberId }));
    expect(j).toEqual({ errorCode: 0, generationId: 1, protocolName: 'range', leader: first.memberId, memberId: first.memberId, members: [{ memberId: first.memberId, groupInstanceId: null, metadata: bytes('m') }] });
    // Kafka's DescribeGroups summary: no protocol, member metadata or assignment until Stable.
    expect(gc.describe('g')).toMatchObject({ state: 'CompletingRebalance', protocolName: '', members: [{ memberId: j.memberId, metadata: new Uint8Array(0), assignment: new Uint8Array(0) }] });
    const s = await gc.sync({ groupId: 'g', generationId: 1, memberId: j.memberId, assignments: [{ memberId: j.memberId, assignment: bytes('p0,p1') }] });
    expect(text(s.assignment)).toBe('p0,p1');
    expect(gc.describe('g')).toMatchObject({ state: 'Stable', generationId: 1, protocolType: 'consumer', protocolName: 'range', members: [{ memberId: j.memberId, clientId: 'client', clientHost: '/127.0.0.1', metadata: bytes('m') }] });
    expect(gc.heartbeat('g', 1, j.memberId)).toBe(ErrorCode.NONE);
  });

  it('a handed-out member id that never joins expires after its session timeout', async () => {
    const { gc, clock } = setup();
    const first = await gc.join(joinReq({ requireKnownMemberId: true }));
    clock.advance(9_999);
    expect(gc.isActive('g')).toBe(true);
    clock.advance(1);
    expect(gc.isActive('g')).toBe(false);
    expect((await gc.join(joinReq({ memberId: first.memberId }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.describe('g')).toBeUndefined(); // nothing kept for an unknown member's try
  });

  it('a member that stops heartbeating is removed after session.timeout.ms; the group is then dropped (Empty)', async () => {
    const { gc, clock } = setup();
    const j = await stableMember(gc);
    clock.advance(6_000);
    expect(gc.heartbeat('g', j.generationId, j.memberId)).toBe(ErrorCode.NONE); // pushes the deadline back
    clock.advance(9_999);
    expect(gc.describe('g')?.state).toBe('Stable');
    clock.advance(1);
    expect(gc.describe('g')).toBeUndefined();
    expect(gc.heartbeat('g', j.generationId, j.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(clock.pendingTimers).toBe(0);
  });

  it('LeaveGroup removes the member at once; unknown ids get UNKNOWN_MEMBER_ID per member', async () => {
    const { gc, clock } = setup();
    const j = await stableMember(gc);
    expect(gc.leave('g', [{ memberId: j.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }])).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(gc.hasMembers('g')).toBe(false);
    expect(gc.leave('nope', [{ memberId: 'x', groupInstanceId: null }])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('group coordinator: rebalances', () => {
  it('a second member triggers a rebalance: the first learns it from Heartbeat, rejoins, both land in generation 2', async () => {
    const { gc } = setup();
    const a = await stableMember(gc, { clientId: 'a' });
    const bJoin = gc.join(joinReq({ clientId: 'b', protocols: [{ name: 'range', metadata: bytes('mb') }] }));
    expect(await peek(bJoin)).toBe('pending');
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    expect(gc.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await gc.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] })).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = await gc.join(joinReq({ clientId: 'a', memberId: a.memberId }));
    const b = await bJoin;
    expect([aJoin.generationId, b.generationId]).toEqual([2, 2]);
    expect(aJoin.leader).toBe(a.memberId); // the leader stays while it is a member
    expect(aJoin.members.map((m) => text(m.metadata)).sort()).toEqual(['m', 'mb']);
    expect(b.members).toEqual([]); // followers get no member list

    const bSync = gc.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
    expect(await peek(bSync)).toBe('pending'); // waits for the leader's assignment
    const aSync = await gc.sync({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [{ memberId: a.memberId, assignment: bytes('A') }, { memberId: b.memberId, assignment: bytes('B') }] });
    expect(text(aSync.assignment)).toBe('A');
    expect(text((await bSync).assignment)).toBe('B');
    expect(gc.describe('g')?.members.map((m) => text(m.assignment)).sort()).toEqual(['A', 'B']);
  });

  it('a member that does not rejoin within the rebalance timeout is removed; the others complete without it', async () => {
    const { gc, clock } = setup();
    const a = await stableMember(gc, { clientId: 'a', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000 });
    const bJoin = gc.join(joinReq({ clientId: 'b', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000 }));
    clock.advance(4_999);
    expect(gc.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS); // alive, but never rejoins
    expect(await peek(bJoin)).toBe('pending');
    clock.advance(1);
    const b = await bJoin;
    expect(b).toMatchObject({ errorCode: 0, generationId: 2, leader: b.memberId });
    expect(b.members.map((m) => m.memberId)).toEqual([b.memberId]);
    expect(gc.heartbeat('g', 2, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('the leader leaving hands leadership to a remaining member at the next generation', async () => {
    const { gc } = setup();
    const a = await stableMember(gc, { clientId: 'a' });
    const bJoin = gc.join(joinReq({ clientId: 'b' }));
    await gc.join(joinReq({ clientId: 'a', memberId: a.memberId }));
    const b = await bJoin;
    await gc.sync({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [] });
    expect(gc.leave('g', [{ memberId: a.memberId, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    expect(gc.heartbeat('g', 2, b.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await gc.join(joinReq({ clientId: 'b', memberId: b.memberId }));
    expect(again).toMatchObject({ generationId: 3, leader: b.memberId });
  });

  it('a follower rejoining with unchanged protocols in Stable gets the current generation back without a rebalance', async () => {
    const { gc } = setup();
    const a = await stableMember(gc, { clientId: 'a' });
    const bJoin = gc.join(joinReq({ clientId: 'b' }));
    await gc.join(joinReq({ clientId: 'a', memberId: a.memberId }));
    const b = await bJoin;
    await gc.sync({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [] });
    const again = await gc.join(joinReq({ clientId: 'b', memberId: b.memberId }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 2, leader: a.memberId, members: [] });
    expect(gc.describe('g')?.state).toBe('Stable');
    // Changed protocols do rebalance.
    const changed = gc.join(joinReq({ clientId: 'b', memberId: b.memberId, protocols: [{ name: 'range', metadata: bytes('new') }] }));
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
    await gc.join(joinReq({ clientId: 'a', memberId: a.memberId }));
    expect((await changed).generationId).toBe(3);
  });

  it('a member leaving during CompletingRebalance answers the waiting followers REBALANCE_IN_PROGRESS', async () => {
    const { gc } = setup();
    const a = await stableMember(gc, { clientId: 'a' });
    const bJoin = gc.join(joinReq({ clientId: 'b' }));
    const cJoin = gc.join(joinReq({ clientId: 'c' }));
    await gc.join(joinReq({ clientId: 'a', memberId: a.memberId }));
    const [b, c] = await Promise.all([bJoin, cJoin]);
    const bSync = gc.sync({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] });
    gc.leave('g', [{ memberId: c.memberId, groupInstanceId: null }]);
    expect((await bSync).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(gc.describe('g')?.state).toBe('PreparingRebalance');
  });

  it('group.initial.rebalance.delay.ms: an empty group waits, and waits again while members keep arriving (never past the rebalance timeout)', async () => {
    const { gc, clock } = setup({ initialRebalanceDelayMs: 3_000 });
    const aJoin = gc.join(joinReq({ clientId: 'a', rebalanceTimeoutMs: 7_000 }));
    clock.advance(1_000);
    const bJoin = gc.join(joinReq({ clientId: 'b', rebalanceTimeoutMs: 7_000 }));
    clock.advance(2_000); // t=3000: b arrived during the delay → another 3000
    expect(await peek(aJoin)).toBe('pending');
    clock.advance(2_999);
    expect(await peek(aJoin)).toBe('pending');
    const cJoin = gc.join(joinReq({ clientId: 'c', rebalanceTimeoutMs: 7_000 })); // at t=5999: only 1000 of budget left
    clock.advance(1);
    expect(await peek(aJoin)).toBe('pending');
    clock.advance(1_000);
    const [a, b, c] = await Promise.all([aJoin, bJoin, cJoin]);
    expect(clock.nowMs()).toBe(7_000);
    expect([a.generationId, b.generationId, c.generationId]).toEqual([1, 1, 1]);
    expect(a.members).toHaveLength(3);
  });

  it('protocol choice: only protocols every member supports; the most first choices win', async () => {
    const { gc, clock } = setup({ initialRebalanceDelayMs: 1_000 });
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: bytes(name) }));
    const joins = [
      gc.join(joinReq({ clientId: 'a', protocols: p('range', 'roundrobin', 'sticky') })),
      gc.join(joinReq({ clientId: 'b', protocols: p('roundrobin', 'range') })),
      gc.join(joinReq({ clientId: 'c', protocols: p('sticky', 'roundrobin', 'range') })),
    ];
    // Candidates: range and roundrobin (b lacks sticky). First choices among them: a range, b roundrobin, c roundrobin.
    expect((await gc.join(joinReq({ clientId: 'd', protocols: p('cooperative') }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    clock.advance(2_000); // b and c arrived during the first delay: one more

    const answers = await Promise.all(joins);
    expect(new Set(answers.map((a) => a.protocolName))).toEqual(new Set(['roundrobin']));
    const leader = answers.find((a) => a.members.length > 0)!;
    expect(leader.members.map((m) => text(m.metadata))).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });
});

describe('group coordinator: refusals', () => {
  it('JoinGroup: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT at both bounds, INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, GROUP_MAX_SIZE_REACHED', async () => {
    const { gc } = setup({ minSessionTimeoutMs: 6_000, maxSessionTimeoutMs: 60_000, maxGroupSize: 1 });
    const code = async (r: Partial<JoinRequest>) => (await gc.join(joinReq(r))).errorCode;
    expect(await code({ groupId: '' })).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(await code({ sessionTimeoutMs: 5_999 })).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(await code({ sessionTimeoutMs: 60_001 })).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(await code({ protocols: [] })).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await code({ protocolType: '' })).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await code({ memberId: 'made-up' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.describe('g')).toBeUndefined();
    await stableMember(gc, { sessionTimeoutMs: 6_000 });
    expect(await code({ protocolType: 'connect', sessionTimeoutMs: 6_000 })).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await code({ protocols: [{ name: 'other', metadata: bytes('') }], sessionTimeoutMs: 6_000 })).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await code({ sessionTimeoutMs: 6_000 })).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('SyncGroup and Heartbeat: UNKNOWN_MEMBER_ID for an unknown group or member, ILLEGAL_GENERATION for another generation', async () => {
    const { gc } = setup();
    const a = await stableMember(gc);
    const sync = async (g: string, gen: number, m: string): Promise<SyncResult> => gc.sync({ groupId: g, generationId: gen, memberId: m, assignments: [] });
    expect((await sync('nope', 1, a.memberId)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await sync('g', 1, 'ghost')).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await sync('g', 7, a.memberId)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(gc.heartbeat('nope', 1, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.heartbeat('g', 1, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.heartbeat('g', 0, a.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    // A Stable member's sync is answered its assignment at once.
    expect(text((await sync('g', 1, a.memberId)).assignment)).toBe('all');
  });

  it('OffsetCommit checks (checkCommit): simple commits only without members; members need their generation', async () => {
    const { gc } = setup();
    expect(gc.checkCommit('g', -1, '')).toBe(ErrorCode.NONE);
    expect(gc.checkCommit('g', 3, 'm')).toBe(ErrorCode.ILLEGAL_GENERATION);
    const j = await gc.join(joinReq());
    expect(gc.checkCommit('g', j.generationId, j.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await gc.sync({ groupId: 'g', generationId: j.generationId, memberId: j.memberId, assignments: [] });
    expect(gc.checkCommit('g', j.generationId, j.memberId)).toBe(ErrorCode.NONE);
    expect(gc.checkCommit('g', j.generationId + 1, j.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(gc.checkCommit('g', j.generationId, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(gc.checkCommit('g', -1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('OffsetCommit checks during CompletingRebalance: member and generation first (Kafka 3.x), REBALANCE_IN_PROGRESS only for a current member', async () => {
    const { gc } = setup();
    const a = await stableMember(gc); // generation 1, Stable
    const b = gc.join(joinReq()); // a second member: PreparingRebalance
    const aRejoin = gc.join(joinReq({ memberId: a.memberId }));
    const [ja, jb] = await Promise.all([aRejoin, b]);
    expect(gc.describe('g')?.state).toBe('CompletingRebalance');
    expect(ja.generationId).toBe(2);
    // A commit of the generation before (in flight across the rebalance): ILLEGAL_GENERATION, as
    // Kafka answers it; it was REBALANCE_IN_PROGRESS.
    expect(gc.checkCommit('g', 1, a.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    // A member the group does not know (dropped by the rebalance, or a typo): UNKNOWN_MEMBER_ID.
    expect(gc.checkCommit('g', 2, 'ghost')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A commit outside any generation to a group with members: only members commit.
    expect(gc.checkCommit('g', -1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A current member that commits before its SyncGroup: REBALANCE_IN_PROGRESS.
    expect(gc.checkCommit('g', 2, jb.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('retainOnly answers every waiting request NOT_COORDINATOR and forgets the group; close (a shutdown) answers NOT_COORDINATOR too, which kafkajs follows to the new coordinator', async () => {
    const { gc, clock } = setup({ initialRebalanceDelayMs: 3_000 });
    const waiting = gc.join(joinReq({ groupId: 'moved' }));
    const staying = gc.join(joinReq({ groupId: 'kept' }));
    gc.retainOnly((g) => g !== 'moved');
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(gc.describe('moved')).toBeUndefined();
    expect(await peek(staying)).toBe('pending');
    gc.close();
    expect((await staying).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('group coordinator: member ids handed out that never join', () => {
  it.each(['expires', 'leaves'])('one that %s does not rebalance a Stable group (Kafka keeps the group as it is)', async (how) => {
    const { gc, clock } = setup();
    const member = await stableMember(gc);
    const stranger = await gc.join(joinReq({ requireKnownMemberId: true }));
    expect(stranger.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    if (how === 'expires') {
      clock.advance(5_000);
      expect(gc.heartbeat('g', member.generationId, member.memberId)).toBe(ErrorCode.NONE);
      clock.advance(5_000); // the handed-out id's session timeout (10 s) passes
    } else {
      expect(gc.leave('g', [{ memberId: stranger.memberId, groupInstanceId: null }])).toEqual([ErrorCode.NONE]);
    }
    expect(gc.heartbeat('g', member.generationId, member.memberId)).toBe(ErrorCode.NONE);
    expect(gc.describe('g')?.state).toBe('Stable');
  });

  it('one that expires while a rebalance waits for it lets the rebalance complete', async () => {
    const { gc, clock } = setup();
    const member = await stableMember(gc);
    const stranger = await gc.join(joinReq({ requireKnownMemberId: true }));
    expect(stranger.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    // A second real member joins: the group rebalances, and waits for the handed-out id too.
    const second = gc.join(joinReq());
    const rejoin = gc.join(joinReq({ memberId: member.memberId }));
    expect(await peek(rejoin)).toBe('pending');
    clock.advance(10_000);
    expect((await rejoin).errorCode).toBe(ErrorCode.NONE);
    expect((await second).errorCode).toBe(ErrorCode.NONE);
  });
});

// ---- property: simulated consumers ----

interface SimClient {
  readonly name: string;
  alive: boolean;
  /** Bumped at every start: answers to an earlier incarnation's requests are ignored. */
  incarnation: number;
  memberId: string;
  generation: number;
  /** A request is out (join or sync): the client waits for it. */
  busy: boolean;
  stable: boolean;
  nextHeartbeatMs: number;
  assignment: string;
}

type Action =
  | { kind: 'start'; client: number }
  | { kind: 'crash'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'advance'; ms: number };

const SESSION_MS = 6_000;
const REBALANCE_MS = 9_000;
const HEARTBEAT_MS = 2_000;

describe('group coordinator: property', () => {
  it('consumers that start, crash and leave at random: invariants hold at every step, and the group settles on exactly the live consumers', async () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), client: fc.nat(4) }),
      fc.record({ kind: fc.constant('crash' as const), client: fc.nat(4) }),
      fc.record({ kind: fc.constant('leave' as const), client: fc.nat(4) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 4_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), fc.boolean(), async (actions, v4) => {
        const { gc, clock } = setup({ initialRebalanceDelayMs: 500 });
        const clients: SimClient[] = Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, alive: false, incarnation: 0, memberId: '', generation: -1, busy: false, stable: false, nextHeartbeatMs: 0, assignment: '' }));
        /** generation → leader id and its member list, and the assignment it handed out. */
        const generations = new Map<number, { leader: string; members: string[]; given: Map<string, string> | undefined }>();
        let highestGeneration = 0;

        const settle = () => new Promise<void>((r) => setImmediate(r));

        const onJoin = (c: SimClient, incarnation: number, r: JoinResult) => {
          if (!c.alive || c.incarnation !== incarnation) return;
          c.busy = false;
          if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
            c.memberId = r.memberId;
            join(c);
            return;
          }
          if (r.errorCode !== ErrorCode.NONE) {
            if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) c.memberId = '';
            join(c);
            return;
          }
          // Invariant: generations only grow; one leader per generation, and the leader's list
          // names every member answered in that generation.
          expect(r.generationId).toBeGreaterThanOrEqual(highestGeneration);
          highestGeneration = r.generationId;
          const gen = generations.get(r.generationId);
          if (r.members.length > 0) {
            expect(r.leader).toBe(r.memberId);
            expect(gen === undefined || gen.members.length === 0 || gen.leader === r.memberId).toBe(true);
            generations.set(r.generationId, { leader: r.memberId, members: r.members.map((m) => m.memberId), given: gen?.given });
          } else if (gen !== undefined && gen.members.length > 0) {
            expect(gen.members).toContain(r.memberId);
            expect(r.leader).toBe(gen.leader);
          }
          c.memberId = r.memberId;
          c.generation = r.generationId;
          c.busy = true;
          const assignments = r.members.map((m) => ({ memberId: m.memberId, assignment: bytes(`${m.memberId}@${r.generationId}`) }));
          if (r.members.length > 0) generations.get(r.generationId)!.given = new Map(assignments.map((a) => [a.memberId, text(a.assignment)]));
          void gc.sync({ groupId: 'g', generationId: r.generationId, memberId: r.memberId, assignments }).then((s) => {
            if (!c.alive || c.incarnation !== incarnation) return;
            c.busy = false;
            if (s.errorCode !== ErrorCode.NONE) {
              if (s.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) c.memberId = '';
              join(c);
              return;
            }
            // Invariant: a synced member gets what its generation's leader gave it.
            const given = generations.get(r.generationId)?.given;
            expect(given).toBeDefined();
            expect(text(s.assignment)).toBe(given!.get(c.memberId) ?? '');
            c.assignment = text(s.assignment);
            c.stable = true;
            c.nextHeartbeatMs = clock.nowMs() + HEARTBEAT_MS;
          });
        };
        const join = (c: SimClient) => {
          c.busy = true;
          c.stable = false;
          const incarnation = c.incarnation;
          void gc
            .join(joinReq({ memberId: c.memberId, clientId: c.name, sessionTimeoutMs: SESSION_MS, rebalanceTimeoutMs: REBALANCE_MS, requireKnownMemberId: v4 }))
            .then((r) => onJoin(c, incarnation, r));
        };
        /** Heartbeats due by now, as kafkajs sends them (every HEARTBEAT_MS while Stable). */
        const heartbeats = () => {
          for (const c of clients) {
            if (!c.alive || !c.stable || c.busy || clock.nowMs() < c.nextHeartbeatMs) continue;
            const code = gc.heartbeat('g', c.generation, c.memberId);
            c.nextHeartbeatMs = clock.nowMs() + HEARTBEAT_MS;
            if (code !== ErrorCode.NONE) {
              if (code === ErrorCode.UNKNOWN_MEMBER_ID) c.memberId = '';
              join(c);
            }
          }
        };
        const advance = async (ms: number) => {
          for (let left = ms; left > 0; left -= 250) {
            clock.advance(Math.min(250, left));
            await settle();
            heartbeats();
            await settle();
          }
        };

        for (const a of actions) {
          const c = a.kind === 'advance' ? undefined : clients[a.client]!;
          if (a.kind === 'start' && !c!.alive) {
            Object.assign(c!, { alive: true, incarnation: c!.incarnation + 1, memberId: '', generation: -1, stable: false, assignment: '' });
            join(c!);
          } else if (a.kind === 'crash' && c!.alive) {
            c!.alive = false; // no LeaveGroup: the session timeout must find it
          } else if (a.kind === 'leave' && c!.alive) {
            c!.alive = false;
            if (c!.memberId !== '') gc.leave('g', [{ memberId: c!.memberId, groupInstanceId: null }]);
          } else if (a.kind === 'advance') {
            await advance(a.ms);
          }
          await settle();
          // A group without members is forgotten; the next one starts again at generation 1.
          if (gc.describe('g') === undefined) {
            generations.clear();
            highestGeneration = 0;
          }
        }
        // Calm: no more chaos. Within a session timeout plus two rebalance timeouts everyone settles.
        await advance(SESSION_MS + 2 * REBALANCE_MS + 2 * HEARTBEAT_MS);
        const live = clients.filter((c) => c.alive);
        const d = gc.describe('g');
        if (live.length === 0) {
          expect(d).toBeUndefined();
          return;
        }
        expect(d?.state).toBe('Stable');
        expect(new Set(d!.members.map((m) => m.memberId))).toEqual(new Set(live.map((c) => c.memberId)));
        for (const c of live) {
          expect(c.stable).toBe(true);
          expect(c.generation).toBe(d!.generationId);
          expect(c.assignment).toBe(`${c.memberId}@${d!.generationId}`);
        }
        gc.close();
      }),
      { numRuns: 150, seed: 20261121 },
    );
  });
});
