// One complete simulated run (DESIGN §5, after Kafka's RaftEventSimulationTest): start the
// cluster, run a client workload through a safety phase with random faults while the invariants
// are checked after every event, then a liveness phase that heals the network, resumes paused
// nodes and restarts crashed ones (possibly leaving a minority of voters down) and must, within a
// bound, elect a leader, commit a fresh proposal and bring every live node's applied offset to
// the leader's high watermark. A final check holds the cluster to every answer it gave clients.
// The result names the seed and the exact options, so any failure is one command to replay.

import { SimCluster } from './cluster.js';
import type { ClusterConfig } from './cluster.js';
import { FaultInjector } from './faults.js';
import type { FaultKind } from './faults.js';
import { logsAgreeBelowHighWatermark, oldestSnapshotIsLogStart } from './invariants.js';
import { emptyDiskStats, type DiskStats } from './sim-disk.js';
import type { NetworkStats } from './sim-network.js';
import { simOptions } from './sim-options.js';
import type { SimOptions, SimOptionsInput } from './sim-options.js';
import { describeValue } from './test-state-machine.js';
import type { WorkloadStats } from './workload.js';

/** Quiet time after convergence, before the final check. */
const QUIESCE_MS = 1000;

export interface SimStats {
  readonly network: NetworkStats;
  readonly disk: DiskStats;
  readonly workload: WorkloadStats;
  readonly faults: Record<FaultKind, number>;
  readonly cluster: SimCluster['counters'];
  readonly epochsWithLeader: number;
  readonly maxEpoch: number;
  readonly committedOffsets: number;
  readonly highWatermark: number;
  /** How long the liveness phase took to recover (null when the run failed before or in it). */
  readonly recovery: RecoveryTimes | null;
}

/**
 * The liveness phase's timings, simulated ms from the moment everything was healed (and the
 * nodes meant to come back had restarted): a leader known, a fresh proposal committed, every
 * live node applied up to the leader's high watermark. A sweep's slowest seeds are where an
 * election that is merely slow (no violation: the bound is 30 s) shows up.
 */
export interface RecoveryTimes {
  readonly leaderMs: number;
  readonly commitMs: number;
  readonly convergedMs: number;
}

export interface SimResult {
  readonly seed: number;
  readonly options: SimOptions;
  readonly events: number;
  readonly simulatedMs: number;
  readonly violations: string[];
  readonly stats: SimStats;
  /** Last driver log lines, when the run failed and logs were kept. */
  readonly logTail: string[];
}

export interface RunConfig extends Partial<ClusterConfig> {
  /** Print the seed, options and violations to stderr when the run fails (default false). */
  readonly printFailures?: boolean;
  /** Called with the cluster before it starts (for debugging tools and tests). */
  readonly onCluster?: (cluster: SimCluster) => void;
}

function sumDiskStats(c: SimCluster): DiskStats {
  const total = emptyDiskStats();
  for (const n of c.nodes.values()) {
    for (const k of Object.keys(total) as (keyof DiskStats)[]) total[k] += n.disk.stats[k];
  }
  return total;
}

/** The command line that replays a run. */
export function reproduction(options: SimOptions): string {
  return `node dist/tools/sim-cli.js --replay '${JSON.stringify(options)}'`;
}

/** Liveness: heal everything (but maybe a minority of voters), then require convergence. */
async function livenessPhase(c: SimCluster): Promise<RecoveryTimes | null> {
  const o = c.options;
  // Let graceful stops still in progress finish (they end in a crash) before healing.
  await c.runFor(600);
  if (c.failed) return null;
  c.heal();
  for (const n of c.nodes.values()) {
    c.restoreDisk(n.id);
    if (n.process.state === 'paused') c.resume(n.id);
  }
  const downVoters = c.prng.fork('liveness').shuffle(c.voterIds.filter((id) => c.node(id).process.state === 'crashed'));
  // A wiped voter not yet re-admitted counts for nothing until a leader re-admits it: it uses up
  // the failures the quorum tolerates as a down voter does.
  const tolerated = Math.max(0, Math.floor((o.voters - 1) / 2) - c.awaitingReadmission().length);
  const leaveDown = o.livenessLeaveMinorityDown ? Math.min(downVoters.length, tolerated) : 0;
  for (const id of downVoters.slice(leaveDown)) c.restart(id);
  for (const id of c.observerIds) if (c.node(id).process.state === 'crashed') c.restart(id);
  await c.settle();

  const t0 = c.nowMs();
  const deadline = t0 + o.livenessBoundMs;
  const left = (): number => Math.max(0, deadline - c.nowMs());
  if (!(await c.waitFor(() => c.leader() !== undefined, left()))) {
    if (!c.failed) c.violation(`liveness: no leader within ${o.livenessBoundMs} ms after healing (${c.describe()})`);
    return null;
  }
  const leaderMs = c.nowMs() - t0;
  const op = await c.proposeAndWait(left());
  if (op === undefined) {
    if (!c.failed) c.violation(`liveness: no fresh proposal committed within ${o.livenessBoundMs} ms after healing (${c.describe()})`);
    return null;
  }
  const commitMs = c.nowMs() - t0;
  const converged = (): boolean => {
    const l = c.leader();
    if (l === undefined) return false;
    const hwm = l.inspection.highWatermark;
    for (const n of c.nodes.values()) {
      if (n.process.state === 'crashed') continue;
      if (!n.started || n.stateMachine === undefined || n.stateMachine.appliedEnd !== hwm) return false;
    }
    return true;
  };
  if (!(await c.waitFor(converged, left()))) {
    if (!c.failed) c.violation(`liveness: live nodes did not converge on the leader's high watermark within ${o.livenessBoundMs} ms (${c.describe()})`);
    return null;
  }
  return { leaderMs, commitMs, convergedMs: c.nowMs() - t0 };
}

/** The checks on a quiet, converged cluster: every client answer holds. */
export function finalCheck(c: SimCluster): void {
  const committed = c.history.committed;
  const live = [...c.nodes.values()].filter((n) => n.process.state !== 'crashed' && n.started && n.stateMachine !== undefined);
  for (const op of c.workload.ops) {
    if (op.status !== 'ok' || op.offset === undefined) continue;
    const first = op.offset - (op.values.length - 1);
    op.values.forEach((value, j) => {
      const offset = first + j;
      const entry = committed.get(offset);
      if (entry === undefined || entry.value !== value) {
        c.violation(
          `acknowledged value ${describeValue(value)} (op ${op.id}, offset ${offset}, epoch ${op.epoch}) is not committed there: found ${entry === undefined ? 'nothing' : `${describeValue(entry.value)} in epoch ${entry.epoch}`}`,
        );
        return;
      }
      if (j === op.values.length - 1 && entry.epoch !== op.epoch) {
        c.violation(`acknowledged op ${op.id} at offset ${offset} reported epoch ${op.epoch} but epoch ${entry.epoch} was committed`);
      }
      for (const n of live) {
        const sm = n.stateMachine!;
        if (sm.appliedEnd > offset && sm.valueAt(offset) !== value) {
          c.violation(`node ${n.id} holds ${describeValue(sm.valueAt(offset) ?? null)} at offset ${offset}, where acknowledged ${describeValue(value)} was committed`);
        }
      }
    });
  }
  const seenAt = new Map<number, number>();
  let maxOffset = -1;
  for (const [offset, entry] of committed) {
    maxOffset = Math.max(maxOffset, offset);
    if (entry.value === null) continue;
    const owner = c.workload.valueOwner.get(entry.value);
    if (owner === undefined) c.violation(`offset ${offset} holds value ${describeValue(entry.value)} that no client proposed`);
    else if (owner.status === 'fail') {
      c.violation(`value ${describeValue(entry.value)} committed at ${offset} although op ${owner.id} was failed as not appended (${owner.reason ?? ''})`);
    }
    const before = seenAt.get(entry.value);
    if (before !== undefined) c.violation(`value ${describeValue(entry.value)} committed twice, at ${before} and ${offset}`);
    seenAt.set(entry.value, offset);
  }
  for (let o = 0; o <= maxOffset; o++) {
    if (!committed.has(o)) {
      c.violation(`committed history has a hole at offset ${o} (up to ${maxOffset})`);
      break;
    }
  }
  const view = c.view();
  c.violation(logsAgreeBelowHighWatermark(view, c.history));
  c.violation(oldestSnapshotIsLogStart(view));
}

export async function runSimulation(input: SimOptions | SimOptionsInput, config: RunConfig = {}): Promise<SimResult> {
  const options = simOptions(input as SimOptionsInput);
  const factory = config.factory ?? (await import('./real-driver.js')).realDriverFactory;
  const c = new SimCluster(options, { ...config, factory, logLines: config.logLines ?? 0 });
  const onUnhandled = (reason: unknown): void => {
    c.violation(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  };
  process.on('unhandledRejection', onUnhandled);
  config.onCluster?.(c);
  const injector = new FaultInjector(c, c.prng.fork('faults'), options.faults);
  let recovery: RecoveryTimes | null = null;
  try {
    await c.start();
    c.workload.start();
    injector.start(c.nowMs() + options.safetyMs);
    await c.runFor(options.safetyMs);
    injector.stop();
    c.workload.stop();
    if (!c.failed) recovery = await livenessPhase(c);
    // Let the I/O the convergence set off (snapshots, their clean-up) finish before the final check.
    if (!c.failed) await c.runFor(QUIESCE_MS);
    if (!c.failed) finalCheck(c);
  } catch (e) {
    c.violation(`harness error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  const leader = c.leader();
  const epochs = [...c.history.leaderOfEpoch.keys()];
  const result: SimResult = {
    seed: options.seed,
    options,
    events: c.scheduler.eventsRun,
    simulatedMs: c.nowMs(),
    violations: [...c.violations],
    stats: {
      network: { ...c.network.stats },
      disk: sumDiskStats(c),
      workload: { ...c.workload.stats },
      faults: { ...injector.injected },
      cluster: { ...c.counters },
      epochsWithLeader: epochs.length,
      maxEpoch: epochs.length === 0 ? 0 : Math.max(...epochs),
      committedOffsets: c.history.committed.size,
      highWatermark: leader?.inspection.highWatermark ?? c.history.maxLeaderHighWatermark,
      recovery,
    },
    logTail: c.violations.length > 0 ? c.log.slice(-200).map((l) => `${l.timeMs.toFixed(3)} n${l.nodeId} ${l.level} ${l.msg} ${safeJson(l.fields)}`) : [],
  };
  if (config.printFailures === true && result.violations.length > 0) console.error(formatFailure(result));
  return result;
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x);
  } catch {
    return '{…}';
  }
}

export function formatFailure(r: SimResult): string {
  return [
    `SIMULATION FAILED: seed ${r.seed} (${r.events} events, ${r.simulatedMs.toFixed(0)} simulated ms)`,
    ...r.violations.map((v) => `  violation: ${v}`),
    `  options: ${JSON.stringify(r.options)}`,
    `  reproduce: ${reproduction(r.options)}`,
  ].join('\n');
}
