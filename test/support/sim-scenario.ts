// Shared helpers for named simulator scenarios: start a cluster, wait for a leader, a commit or
// convergence, and fail with the seed, the cluster state and the driver log tail.
import { expect } from 'vitest';
import type { NodeId } from '../../quorum/raft/types.js';
import { SimCluster } from '../../quorum/sim/cluster.js';
import { realDriverFactory } from '../../quorum/sim/real-driver.js';
import { finalCheck } from '../../quorum/sim/run.js';
import type { SimOptionsInput } from '../../quorum/sim/sim-options.js';
import type { OpRecord } from '../../quorum/sim/workload.js';

export const SEEDS = [1, 2, 3];
export const TEST_TIMEOUT_MS = 30_000;

export async function startCluster(input: SimOptionsInput): Promise<SimCluster> {
  const c = new SimCluster(input, { factory: realDriverFactory, logLines: 200 });
  await c.start();
  return c;
}

export function report(c: SimCluster): string {
  return `seed ${c.options.seed}: ${c.violations.join('\n')}\n${c.describe()}\n${c.log
    .slice(-40)
    .map((l) => `${l.timeMs.toFixed(1)} n${l.nodeId} ${l.msg} ${JSON.stringify(l.fields)}`)
    .join('\n')}`;
}

export function expectClean(c: SimCluster): void {
  expect(c.violations, report(c)).toEqual([]);
}

export async function expectLeader(c: SimCluster, boundMs = 15_000): Promise<NodeId> {
  const ok = await c.waitFor(() => c.leader() !== undefined, boundMs);
  expectClean(c);
  expect(ok, `no leader within ${boundMs} ms: ${c.describe()}`).toBe(true);
  return c.leader()!.nodeId;
}

/** Waits for a leader other than `old` (a failover), failing with the cluster state. */
export async function expectNewLeader(c: SimCluster, old: NodeId, boundMs = 20_000): Promise<NodeId> {
  const ok = await c.waitFor(() => {
    const l = c.leader();
    return l !== undefined && l.nodeId !== old;
  }, boundMs);
  expectClean(c);
  expect(ok, `no leader other than ${old} within ${boundMs} ms: ${c.describe()}`).toBe(true);
  return c.leader()!.nodeId;
}

export async function expectCommit(c: SimCluster, boundMs = 15_000): Promise<OpRecord> {
  const op = await c.proposeAndWait(boundMs);
  expectClean(c);
  expect(op, `no proposal committed within ${boundMs} ms: ${c.describe()}`).toBeDefined();
  return op!;
}

/** Every live node has applied exactly up to the leader's high watermark. */
export async function expectConverged(c: SimCluster, boundMs = 15_000): Promise<void> {
  const ok = await c.waitFor(() => {
    const l = c.leader();
    if (l === undefined) return false;
    return c.liveNodes().every((n) => n.started && n.stateMachine?.appliedEnd === l.inspection.highWatermark);
  }, boundMs);
  expectClean(c);
  expect(ok, `not converged within ${boundMs} ms: ${c.describe()}`).toBe(true);
}

export async function finish(c: SimCluster): Promise<void> {
  c.workload.stop();
  await expectConverged(c);
  await c.runFor(1000);
  finalCheck(c);
  expectClean(c);
}

