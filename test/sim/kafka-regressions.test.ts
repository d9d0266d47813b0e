// Named regression scenarios for the KRaft bugs of reference/kraft.md §6.4 that belong to the
// quorum layer. Each reproduces the situation that broke Kafka and checks that it does not break
// here: on the simulator (real core and driver) where timing matters, on the bare core where the
// exact message sequence matters.
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../quorum/raft/assert.js';
import type { RaftMessage } from '../../quorum/raft/types.js';
import { CoreCluster, bytes } from '../support/core-cluster.js';
import { SEEDS, TEST_TIMEOUT_MS, expectClean, expectCommit, expectLeader, finish, report, startCluster } from '../support/sim-scenario.js';

describe('KRaft regressions on the simulator', () => {
  it.each(SEEDS)('KAFKA-10527: a leader that crashes with unflushed records restarts Resigned and never re-leads its epoch (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 1, disk: { fsyncLatencyMinMs: 10, fsyncLatencyMaxMs: 40 } });
    const old = await expectLeader(c);
    const epoch = c.leader()!.epoch;
    c.workload.start();
    await c.runFor(800);
    c.crash(old);
    c.restart(old);
    const started = await c.waitFor(() => c.node(old).inspect() !== null, 2_000);
    expect(started, report(c)).toBe(true);
    const back = c.node(old).inspect()!;
    if (back.epoch === epoch) expect(back.role).toBe('Resigned');
    await c.runFor(5_000);
    await finish(c); // includes: a single leader per epoch, over the whole history
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('KAFKA-15489: a leader cut off from the majority resigns within 1.5 x fetch timeout (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const old = await expectLeader(c);
    await expectCommit(c);
    c.partition([[old], c.voterIds.filter((id) => id !== old)]);
    const t0 = c.nowMs();
    const resigned = await c.waitFor(() => c.node(old).inspect()?.role !== 'Leader', 10_000);
    expect(resigned, report(c)).toBe(true);
    // check-quorum window 1.5 x 2000 ms, checked every window/3, plus timer lateness.
    expect(c.nowMs() - t0).toBeLessThanOrEqual(1.5 * c.options.raft.fetchTimeoutMs + c.options.raft.fetchTimeoutMs / 2 + 10);
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('KAFKA-15489 (driver side): a leader that resigns on check-quorum fails its waiting proposals at once, outcome unknown, instead of holding them until it hears of a newer epoch (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, workload: { clientTimeoutMs: 60_000 } });
    const old = await expectLeader(c);
    await expectCommit(c);
    c.partition([[old], c.voterIds.filter((id) => id !== old)]);
    const op = c.propose(old);
    expect(await c.waitFor(() => c.node(old).inspect()?.role === 'Resigned', 10_000), report(c)).toBe(true);
    const resignedAt = c.nowMs();
    expect(await c.waitFor(() => op.status !== 'pending', 50), report(c)).toBe(true);
    expect(op.status).toBe('unknown');
    expect(op.endMs! - resignedAt).toBeLessThanOrEqual(50);
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it('KAFKA-16144: a single-voter quorum never resigns for want of fetchers', async () => {
    const c = await startCluster({ seed: 4, voters: 1, observers: 0 });
    const leader = await expectLeader(c);
    const epoch = c.leader()!.epoch;
    await c.runFor(20_000); // many check-quorum windows with nobody fetching
    expect(c.leader()).toMatchObject({ nodeId: leader, epoch });
    await expectCommit(c);
    expectClean(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('KAFKA-13959 (observer side): observers keep up under continuous writes, never lagging more than a second (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 2, workload: { clients: 4, proposeIntervalMinMs: 1, proposeIntervalMaxMs: 5 } });
    await expectLeader(c);
    c.workload.start();
    const samples: { t: number; hwm: number }[] = [];
    let worstLagMs = 0;
    for (let i = 0; i < 100; i++) {
      await c.runFor(100);
      const l = c.leader();
      if (l === undefined) continue;
      samples.push({ t: c.nowMs(), hwm: l.inspection.highWatermark });
      for (const id of c.observerIds) {
        const applied = c.node(id).stateMachine?.appliedEnd ?? 0;
        // When was the high watermark last at or below what this observer has applied?
        const caughtUpAt = [...samples].reverse().find((s) => s.hwm <= applied)?.t ?? samples[0]!.t;
        worstLagMs = Math.max(worstLagMs, c.nowMs() - caughtUpAt);
      }
    }
    expect(c.workload.stats.ok).toBeGreaterThan(500);
    expect(worstLagMs, report(c)).toBeLessThanOrEqual(1_000);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('KAFKA-15312: crashes in the middle of quorum-state writes never lose or tear a vote (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, disk: { fsyncLatencyMinMs: 5, fsyncLatencyMaxMs: 60 } });
    c.workload.start();
    for (let round = 0; round < 6; round++) {
      await c.runFor(150 + round * 170); // lands in elections and vote writes at varied points
      const victim = c.voterIds[round % 3]!;
      c.crash(victim);
      await c.runFor(30);
      c.restart(victim);
    }
    await finish(c); // persisted epochs never decrease; one leader per epoch
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('KAFKA-17067: observers never stand for election, however long the quorum is leaderless (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 3 });
    await expectLeader(c);
    c.partition([[1], [2], [3, ...c.observerIds]]); // no voter majority anywhere
    for (let i = 0; i < 40; i++) {
      await c.runFor(250);
      for (const id of c.observerIds) {
        const o = c.node(id).inspect();
        expect(['Unattached', 'Follower']).toContain(o?.role);
        expect(c.node(id).disk.persistedQuorumState?.votedId ?? null).toBeNull();
      }
    }
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) an isolated leader with a minority commits nothing while cut off (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const old = await expectLeader(c);
    await expectCommit(c);
    c.partition([[old], c.voterIds.filter((id) => id !== old)]);
    const hwmAtCut = c.node(old).inspect()!.highWatermark;
    const op = c.propose(old);
    await c.runFor(3_000);
    expect(c.node(old).inspect()!.highWatermark).toBe(hwmAtCut);
    expect(op.status).not.toBe('ok');
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);
});

describe('KRaft regressions on the bare core', () => {
  it('KAFKA-12619: a new leader does not expose earlier-epoch records until its own LeaderChange commits', () => {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const first = c.leaders()[0]!;
    const oldEpoch = c.node(first).core.leader().epoch;
    const [a, b] = [1, 2, 3].filter((id) => id !== first) as [number, number];
    // The old leader replicates a record to `a` only and never hears the acknowledgement.
    c.filter = (m: RaftMessage) => !(m.from === a && m.to === first) && m.to !== b && m.from !== b;
    c.node(first).core.propose([bytes('uncommitted')], c.nowMs);
    c.run(200);
    const recordEnd = c.node(a).core.inspect().logEndOffset;
    expect(c.node(first).core.inspect().highWatermark).toBeLessThan(recordEnd);
    c.node(first).up = false; // the old leader dies
    // `a` wins (its log is longer); `b` may vote but not fetch, so only crafted fetches move the HWM.
    c.filter = (m) => m.to !== first && m.from !== first && !(m.from === b && m.body.kind === 'FetchRequest');
    for (let t = 0; t < 6_000 && c.leaders()[0] !== a; t += 50) c.run(50);
    expect(c.leaders()).toEqual([a]);
    const leader = c.node(a).core;
    const epoch = leader.leader().epoch;
    const hwmBefore = leader.inspect().highWatermark;
    const epochStart = leader.inspect().batches.find((x) => x.epoch === epoch)!.baseOffset;
    expect(epochStart).toBe(recordEnd); // the LeaderChange record sits right after the old record
    // `b` acknowledges the old-epoch record but not the LeaderChange: nothing may commit.
    c.inject(b, a, { kind: 'FetchRequest', fetchId: 1, epoch, fetchOffset: recordEnd, lastFetchedEpoch: oldEpoch, maxWaitMs: 0, readRound: 0 });
    expect(leader.inspect().highWatermark).toBe(hwmBefore);
    expect(hwmBefore).toBeLessThan(recordEnd);
    // Once `b` holds the LeaderChange too, both commit together.
    c.inject(b, a, { kind: 'FetchRequest', fetchId: 2, epoch, fetchOffset: epochStart + 1, lastFetchedEpoch: epoch, maxWaitMs: 0, readRound: 0 });
    expect(leader.inspect().highWatermark).toBe(epochStart + 1);
  });

  it('KAFKA-12181: the leader accepts a fetch offset that moves backwards (a replica lost its disk)', () => {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const peer = leader === 1 ? 2 : 1;
    c.node(leader).core.propose([bytes('a'), bytes('b'), bytes('c')], c.nowMs);
    c.run(500);
    const epoch = c.node(leader).core.leader().epoch;
    c.takeQueued(peer);
    c.inject(peer, leader, { kind: 'FetchRequest', fetchId: 77, epoch, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0, readRound: 0 });
    const answer = c.takeQueued(peer).find((m) => m.body.kind === 'FetchResponse' && m.body.fetchId === 77)?.body;
    expect(answer?.kind).toBe('FetchResponse');
    if (answer?.kind !== 'FetchResponse') return;
    expect(answer.error).toBe('NONE');
    expect(answer.batches.length).toBeGreaterThan(0);
    expect(c.node(leader).core.replicaStates().get(peer)?.endOffset).toBe(0);
    expect(c.node(leader).core.role).toBe('Leader');
  });

  it('KAFKA-12331: the LeaderChange batch starts exactly at the log end offset of the new leader', () => {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const first = c.leaders()[0]!;
    c.node(first).core.propose([bytes('x'), bytes('y')], c.nowMs);
    c.run(500);
    const endBefore = c.node(first).core.inspect().logEndOffset;
    c.node(first).core.step({ type: 'resign' }, c.nowMs);
    c.run(3_000);
    const next = c.leaders()[0]!;
    const i = c.node(next).core.inspect();
    const lc = i.batches.find((b) => b.epoch === i.epoch);
    expect(lc?.control?.type).toBe('leaderChange');
    expect(lc?.baseOffset).toBe(endBefore);
  });

  it('KAFKA-13884: voters flush before acknowledging; observers append without a flush', () => {
    const c = new CoreCluster([1, 2, 3], [100]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    c.node(leader).core.propose([bytes('z')], c.nowMs);
    const flushes = new Map<number, boolean[]>();
    for (const [id, n] of c.nodes) {
      const orig = n.core.ready.bind(n.core);
      n.core.ready = () => {
        const rd = orig();
        if (rd !== undefined && rd.append.length > 0) flushes.set(id, [...(flushes.get(id) ?? []), rd.flush]);
        return rd;
      };
    }
    c.run(1_000);
    for (const id of [1, 2, 3]) expect(flushes.get(id)?.every((f) => f)).toBe(true);
    expect(flushes.get(100)?.length).toBeGreaterThan(0);
    expect(flushes.get(100)?.every((f) => !f)).toBe(true);
  });

  it('KAFKA-14618 / KAFKA-17713: a snapshot id is the exclusive end offset of a whole batch, never mid-batch', () => {
    const c = new CoreCluster([1]);
    c.run(100);
    const core = c.node(1).core;
    const r = core.propose([bytes('a'), bytes('b'), bytes('c')], c.nowMs);
    expect(r.ok).toBe(true);
    c.run(10);
    if (!r.ok) return;
    expect(() => core.snapshotIdAt(r.baseOffset + 1)).toThrow(AssertionError);
    expect(core.snapshotIdAt(r.lastOffset + 1)).toEqual({ endOffset: r.lastOffset + 1, epoch: r.epoch });
    expect(() => core.snapshotIdAt(r.lastOffset + 2)).toThrow(/past the applied offset/);
  });
});
