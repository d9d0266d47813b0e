// One metaquorum failover trial on real processes (bench:cluster, bench:vs-zk): an open-loop writer
// through a ControllerChannel that knows every voter (as a client configured with the whole
// quorum would), then SIGKILL (a crash: the kernel closes its sockets) or SIGSTOP (a hung leader:
// its sockets stay open, nothing answers) of the active controller, and the time to the first
// write issued after the fault that is acknowledged. Survivors are polled for the new leader.
// Afterwards the node is restarted (or SIGCONTed) and the trial waits until every voter has caught
// up and every broker is unfenced, so that the next trial starts from a healthy cluster.

import type { ControllerChannel } from '../../../quorum/server/controller-channel.js';
import { waitFor } from '../../server/cluster-ready.js';
import { median, summarize } from '../stats.js';
import { activeController, bounded, closeChannel, closeClient, openChannel, openClient, rpc, sleep, type Bench } from './bench-cluster.js';
import { msText, runFailover, type FailoverRun } from './failover-run.js';
import { OpenLoopWriter } from './open-loop-writer.js';

/** Failover writer: one write per tick, each attempt bounded, each call bounded. */
export const FAILOVER_WRITE_EVERY_MS = 10;
const FAILOVER_ATTEMPT_TIMEOUT_MS = 250;
const FAILOVER_CALL_TIMEOUT_MS = 10_000;
const FAILOVER_MAX_IN_FLIGHT = 2_000;
/** The longest a trial waits for the first write after the fault. */
export const FAILOVER_GIVE_UP_MS = 15_000;
/** Recovery after a trial: every voter caught up (lag 0), every broker unfenced. */
const RECOVERY_TIMEOUT_MS = 60_000;
const RECOVERY_SETTLE_MS = 500;

export type FaultKind = 'kill' | 'stop';

export interface Trial extends FailoverRun {
  readonly kind: FaultKind;
  readonly oldLeader: number;
  readonly oldEpoch: number;
  /** The leader epoch after the failover: more than oldEpoch + 1 means extra election rounds (a split vote). */
  readonly newEpoch: number;
}

export interface FailoverOptions {
  /** Steady writes before the fault. */
  readonly steadyMs: number;
  /** Extra time after the fault for the write (a bench that also times a slower system may allow more). */
  readonly giveUpMs?: number;
  /** The write the trial's writer sends, given the trial's channel; rejects when not acknowledged. */
  readonly write: (ch: ControllerChannel, kind: FaultKind, trial: number) => (seq: number) => Promise<void>;
  readonly say: (line: string) => void;
}

export async function failoverTrial(b: Bench, kind: FaultKind, trial: number, o: FailoverOptions): Promise<Trial> {
  const { id: oldLeader, epoch: oldEpoch } = await activeController(b);
  const survivors = b.cluster.controllers.filter((n) => n.id !== oldLeader);
  const ch = openChannel(b, FAILOVER_ATTEMPT_TIMEOUT_MS, FAILOVER_CALL_TIMEOUT_MS);
  const watchers = survivors.map((n) => openClient(b, n.controllerPort!, n.id));
  let paused = false;
  let newEpoch = NaN;
  const run = await runFailover({
    writer: new OpenLoopWriter({ write: o.write(ch, kind, trial), everyMs: FAILOVER_WRITE_EVERY_MS, maxInFlight: FAILOVER_MAX_IN_FLIGHT }),
    steadyMs: o.steadyMs,
    leaderProbes: watchers.map((client) => async () => {
      const d = await rpc(client, 'describeNode', {}, 1_000);
      return d.activeControllerId !== null && d.activeControllerId !== oldLeader ? d.activeControllerId : null;
    }),
    leaderPollMs: 10,
    fault: async () => {
      if (kind === 'kill') return b.cluster.kill(oldLeader);
      paused = true;
      await b.cluster.pause(oldLeader);
    },
    giveUpMs: o.giveUpMs ?? FAILOVER_GIVE_UP_MS,
    // The epoch the survivors settled on, before the old leader is back.
    afterFailover: async () => {
      newEpoch = await ch.call('describeQuorum', {}, { timeoutMs: 5_000 }).then((q) => q.leaderEpoch, () => NaN);
    },
    recover: async () => {
      if (kind === 'kill') b.cluster.start(oldLeader);
      else {
        await b.cluster.resume(oldLeader);
        paused = false;
      }
      await waitForRecovery(b);
    },
    finally: async () => {
      if (paused) await b.cluster.resume(oldLeader);
      await closeChannel(b, ch);
      for (const c of watchers) await closeClient(b, c);
    },
    label: `${kind} trial ${trial + 1}`,
    say: o.say,
  });
  const t: Trial = { kind, oldLeader, oldEpoch, newEpoch, ...run };
  o.say(`${kind} trial ${trial + 1}: leader ${oldLeader} (epoch ${oldEpoch}) → ${t.newLeader ?? '?'} (epoch ${newEpoch}): first write ${msText(t.firstWriteMs)}, new leader known ${msText(t.newLeaderKnownMs)}, longest gap ${msText(t.longestGapMs)}, recovered in ${msText(t.recoveryMs)}`);
  return t;
}

export async function waitForRecovery(b: Bench): Promise<void> {
  const voters = b.cluster.controllers.length;
  // Brokers this bench keeps stopped (bench:vs-zk's cold broker) are not waited for.
  const brokers = b.cluster.brokers.filter((n) => b.cluster.isRunning(n.id)).map((n) => n.id);
  await waitFor(
    'every voter caught up and every broker unfenced',
    RECOVERY_TIMEOUT_MS,
    async () => {
      const q = await b.channel.call('describeQuorum', {}, { timeoutMs: 2_000 });
      const followers = q.voters.filter((v) => v.status === 'Follower');
      if (q.voters.length !== voters || followers.length !== voters - 1) return undefined;
      if (q.voters.some((v) => v.lag !== 0)) return undefined;
      if (followers.some((v) => v.lastFetchAgoMs === null || v.lastFetchAgoMs > 1_000)) return undefined;
      const d = await b.channel.call('describeCluster', {}, { timeoutMs: 2_000 });
      if (brokers.some((id) => d.brokers.find((x) => x.brokerId === id)?.fenced !== false)) return undefined;
      return true;
    },
    50,
  );
  await sleep(RECOVERY_SETTLE_MS);
}

export async function failoverTrials(b: Bench, kind: FaultKind, trials: number, o: FailoverOptions): Promise<Trial[]> {
  const out: Trial[] = [];
  const perTrialMs = o.steadyMs + (o.giveUpMs ?? FAILOVER_GIVE_UP_MS) + RECOVERY_TIMEOUT_MS + 30_000;
  for (let i = 0; i < trials; i++) out.push(await bounded(failoverTrial(b, kind, i, o), perTrialMs, `${kind} trial ${i + 1}`));
  return out;
}

/** Median [min–max] of one figure over the trials that have it (n of `of`). */
export function trialSummary<T>(trials: readonly T[], pick: (t: T) => number) {
  const v = trials.map(pick).filter(Number.isFinite);
  const s = summarize(v);
  return { median: median(v), min: s.min, max: s.max, n: v.length, of: trials.length };
}
