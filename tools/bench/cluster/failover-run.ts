// The shape of one failover trial, whatever the system (metaquorum in failover-trial.ts, ZooKeeper
// in vs-zk/zk-failover.ts), so that both are timed by the same code: the open-loop writer runs,
// steady writes first, then the survivors are watched for a new leader, the fault is injected,
// and the trial waits for the first write issued after the fault to succeed; then a little more
// steady state, and the system is brought back whole (restart or SIGCONT) and waited for.

import { waitFor } from '../../server/cluster-ready.js';
import { errText, now, sleep } from './bench-cluster.js';
import { LeaderWatch } from './leader-watch.js';
import type { OpenLoopWriter } from './open-loop-writer.js';

export interface FailoverRunOptions {
  readonly writer: OpenLoopWriter;
  readonly steadyMs: number;
  /** One per survivor: the new leader it names, or null. */
  readonly leaderProbes: readonly (() => Promise<number | null>)[];
  readonly leaderPollMs: number;
  /** SIGKILL or SIGSTOP the leader. */
  readonly fault: () => Promise<void>;
  readonly giveUpMs: number;
  /** After the first write (or the give-up), before recovery: e.g. read the new epoch. */
  readonly afterFailover?: () => Promise<void>;
  /** Restart or SIGCONT the old leader, and wait until the system is whole again. */
  readonly recover: () => Promise<void>;
  /** On any exit: undo what recover() did not (a SIGSTOPped process is always continued). */
  readonly finally: () => Promise<void>;
  readonly label: string;
  readonly say: (line: string) => void;
}

export interface FailoverRun {
  /** Fault → the first write issued after it acknowledged (NaN: none within the give-up time). */
  readonly firstWriteMs: number;
  /** Fault → a survivor names a new leader. */
  readonly newLeaderKnownMs: number;
  readonly newLeader: number | null;
  /** Longest gap between two acknowledged writes around the fault. */
  readonly longestGapMs: number;
  readonly writesOk: number;
  readonly writeErrors: Record<string, number>;
  /** recover() took this long. */
  readonly recoveryMs: number;
}

export async function runFailover(o: FailoverRunOptions): Promise<FailoverRun> {
  const w = o.writer;
  let faultAt = NaN;
  let watch: LeaderWatch | undefined;
  let recoveryMs = NaN;
  w.start();
  try {
    await waitFor(`steady writes before the fault (${o.label})`, 20_000, async () => (w.writesOk >= 5 ? true : undefined), 20);
    await sleep(o.steadyMs);
    watch = new LeaderWatch(o.leaderProbes, o.leaderPollMs);
    faultAt = w.markFault();
    await o.fault();
    await waitFor(`the first write after the fault (${o.label})`, o.giveUpMs, async () => (Number.isFinite(w.firstWriteAfterFaultMs) ? true : undefined), 5).catch((e: unknown) => o.say(errText(e)));
    await o.afterFailover?.();
    await sleep(200); // a little more steady state on the new leader (the longest gap settles)
    await watch.stop();
    w.stop();
    const r0 = now();
    await o.recover();
    recoveryMs = now() - r0;
  } finally {
    w.stop();
    await watch?.stop();
    await o.finally();
  }
  return {
    firstWriteMs: w.firstWriteAfterFaultMs,
    newLeaderKnownMs: (watch?.at ?? NaN) - faultAt,
    newLeader: watch?.leader ?? null,
    longestGapMs: w.longestGapMs,
    writesOk: w.writesOk,
    writeErrors: w.errors.toJSON(),
    recoveryMs,
  };
}

export const msText = (n: number) => `${Number.isFinite(n) ? Math.round(n) : 'n/a'} ms`;
