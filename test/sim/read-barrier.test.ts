// The linearizable read barrier through the real driver on the simulator: a leader answers a
// read only after a quorum round, so a deposed leader cut off from the others cannot answer one
// with stale data, and an answered read covers every write acknowledged before it.
import { describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../quorum/runtime/api.js';
import { SEEDS, TEST_TIMEOUT_MS, expectCommit, expectLeader, expectNewLeader, finish, report, startCluster } from '../support/sim-scenario.js';

describe('read barrier on the simulator', () => {
  it.each(SEEDS)('(voters=3) a read covers every write acknowledged before it (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const leader = await expectLeader(c);
    const op = await expectCommit(c);
    let result: { offset: number } | Error | undefined;
    c.node(leader).driver!.readBarrier().then(
      (r) => (result = r),
      (e: Error) => (result = e),
    );
    await c.waitFor(() => result !== undefined, 5_000);
    expect(result, report(c)).toBeDefined();
    expect(result).not.toBeInstanceOf(Error);
    expect((result as { offset: number }).offset).toBeGreaterThan(op.offset!);
    await finish(c);
  }, TEST_TIMEOUT_MS);

  it.each(SEEDS)('(voters=3) a leader partitioned from the majority never answers a read; it fails once it steps down (seed %i)', async (seed) => {
    const c = await startCluster({ seed, voters: 3 });
    const old = await expectLeader(c);
    await expectCommit(c);
    c.partition([[old], c.voterIds.filter((id) => id !== old)]);
    let result: { offset: number } | Error | undefined;
    c.node(old).driver!.readBarrier().then(
      (r) => (result = r),
      (e: Error) => (result = e),
    );
    // Meanwhile the majority elects a new leader and commits a write the old one never sees.
    await expectNewLeader(c, old);
    await expectCommit(c);
    await c.waitFor(() => result !== undefined, 10_000);
    expect(result, report(c)).toBeInstanceOf(NotLeaderError);
    c.heal();
    await finish(c);
  }, TEST_TIMEOUT_MS);
});
