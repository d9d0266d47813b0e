// Named scenarios on the deterministic simulator, after Kafka's RaftEventSimulationTest
// (reference/kraft.md §6.1): each scripts its faults with the cluster verbs, runs the real core
// and driver, and checks the invariants after every event plus the final client-history check.
// A seed that ever failed a random run belongs here as a named scenario.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../quorum/raft/types.js';
import { formatFailure, runSimulation } from '../../quorum/sim/run.js';
import { deriveOptions } from '../../quorum/sim/sim-options.js';
import { SEEDS, TEST_TIMEOUT_MS, expectClean, expectCommit, expectLeader, expectNewLeader, finish, report, startCluster } from '../support/sim-scenario.js';

describe('simulated scenarios', () => {
  it.each(SEEDS)('(voters=1) a lone voter elects itself and commits (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 1, observers: 1 });
    await expectLeader(c, 5000);
    c.workload.start();
    await c.runFor(3000);
    await finish(c);
    expect(c.workload.stats.ok).toBeGreaterThan(10);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS.flatMap((seed) => [3, 5].map((voters) => [voters, seed] as const)))(
    '(voters=%i) elects an initial leader and commits (seed %i)',
    async (voters, seed) => {
      const c = await startCluster({ seed, voters: voters as 3 | 5, observers: 2 });
      await expectLeader(c, 10_000);
      c.workload.start();
      await c.runFor(3000);
      await finish(c);
      expect(c.workload.stats.ok).toBeGreaterThan(10);
    },
    TEST_TIMEOUT_MS,
  );

  it.each(SEEDS.flatMap((seed) => [3, 5].map((voters) => [voters, seed] as const)))(
    '(voters=%i) leader crashes and stays down: the others elect a new leader and commit (seed %i)',
    async (voters, seed) => {
      const c = await startCluster({ seed, voters: voters as 3 | 5, observers: 1 });
      const old = await expectLeader(c);
      await expectCommit(c);
      c.workload.start();
      await c.runFor(500);
      c.crash(old);
      const next = await expectLeader(c, 20_000);
      expect(next).not.toBe(old);
      await expectCommit(c);
      await finish(c);
    },
    TEST_TIMEOUT_MS,
  );

  it.each(SEEDS)('(voters=3) leader stops gracefully: a successor commits soon after (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const old = await expectLeader(c);
    c.workload.start();
    await c.runFor(1000);
    await c.stop(old);
    const t0 = c.nowMs();
    const next = await expectLeader(c, 10_000);
    expect(next).not.toBe(old);
    await expectCommit(c);
    expect(c.nowMs() - t0).toBeLessThan(10_000);
    c.restart(old);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=5) leader partitioned away: the majority elects a new leader; after healing the old one follows (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 5, observers: 1 });
    const old = await expectLeader(c);
    c.workload.start();
    await c.runFor(1000);
    const others = [...c.nodes.keys()].filter((id) => id !== old);
    c.partition([[old], others]);
    await expectNewLeader(c, old);
    await expectCommit(c);
    c.heal();
    await finish(c);
    const oldView = c.node(old).inspect();
    expect(oldView?.role).not.toBe('Leader');
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=5) split {1,2}|{3,4,5}: only the majority makes progress, then all converge (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 5 });
    await expectLeader(c);
    await expectCommit(c);
    c.partition([[1, 2], [3, 4, 5]]);
    c.workload.start();
    await c.runFor(8000);
    const hwm = (id: NodeId): number => c.node(id).inspect()?.highWatermark ?? 0;
    const minority = Math.max(hwm(1), hwm(2));
    const majority = Math.max(hwm(3), hwm(4), hwm(5));
    expect(majority, c.describe()).toBeGreaterThan(minority);
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) every node crashes at once and restarts: acknowledged values survive (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 1, disk: { fsyncLatencyMaxMs: 20 } });
    await expectLeader(c);
    c.workload.start();
    await c.runFor(3000);
    for (const id of c.nodes.keys()) c.crash(id);
    await c.runFor(100);
    for (const id of c.nodes.keys()) c.restart(id);
    await expectLeader(c, 20_000);
    await expectCommit(c);
    await finish(c);
    expect(c.workload.stats.ok).toBeGreaterThan(10);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) back-to-back leader crashes: progress after each restart (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    c.workload.start();
    for (let round = 0; round < 3; round++) {
      const l = await expectLeader(c, 20_000);
      await expectCommit(c);
      c.crash(l);
      await c.runFor(300);
      c.restart(l);
    }
    await expectLeader(c, 20_000);
    await expectCommit(c);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) a paused leader is replaced and steps down when it resumes (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 1 });
    const old = await expectLeader(c);
    c.workload.start();
    await c.runFor(500);
    c.pause(old);
    await expectNewLeader(c, old);
    await expectCommit(c);
    c.resume(old);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) the leader cannot reach the followers (one-way): a new leader is elected (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const old = await expectLeader(c);
    await expectCommit(c);
    for (const id of c.voterIds) if (id !== old) c.blockOneWay(old, id);
    await expectNewLeader(c, old);
    await expectCommit(c);
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3, observers=2) an observer that was down long catches up through a snapshot (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, observers: 2, snapshotEveryRecords: 20, raft: { snapshotsRetained: 1 } });
    await expectLeader(c);
    c.crash(100);
    c.workload.start();
    await c.runFor(4000);
    c.restart(100);
    await finish(c);
    expect(c.node(100).stateMachine!.snapshotsLoaded, report(c)).toBeGreaterThan(0);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) a follower that loses its unflushed tail rejoins without losing committed data (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3, disk: { fsyncLatencyMinMs: 5, fsyncLatencyMaxMs: 30 } });
    const l = await expectLeader(c);
    c.workload.start();
    for (let i = 0; i < 5; i++) {
      await c.runFor(700);
      const follower = c.voterIds.find((id) => id !== c.leader()?.nodeId && c.node(id).process.state === 'running');
      if (follower === undefined) continue;
      c.crash(follower);
      await c.runFor(200);
      c.restart(follower);
    }
    expect(l).toBeGreaterThan(0);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it('(voters=3) the same seed replays identically', async () => {
    const options = deriveOptions(11, { voters: 3 });
    const a = await runSimulation(options);
    const b = await runSimulation(options);
    expect(b.events).toBe(a.events);
    expect(b.simulatedMs).toBe(a.simulatedMs);
    expect(b.stats).toEqual(a.stats);
    expect(b.violations).toEqual(a.violations);
    expect(a.violations, formatFailure(a)).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
