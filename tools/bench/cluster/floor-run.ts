// bench:cluster's `floor` phase: runs the machine floor of ./floor-node.ts (the cluster bench's
// processes passing the same bytes with the same fsyncs, with no Raft, controller or codec) for
// a few seconds and reports its writes/s and CPU per write. Run next to the throughput phase, it
// says how much of a figure is the machine at that moment and how much is the code: the ratio of
// the two is comparable across the machine's fast and slow phases where the raw figures are not.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuBetween, sampleCpu } from './proc-cpu.js';

const FLOOR_NODE = fileURLToPath(new URL('./floor-node.js', import.meta.url));
/** About the size of an AlterPartition request as the load generator sends it. */
const RECORD_BYTES = 100;
const STEP_TIMEOUT_MS = 10_000;
/** How long a clean exit waits before it is reported (a failed one half as long), in case the exit that caused it is heard after it. */
const CONSEQUENCE_GRACE_MS = 300;

export interface FloorResult {
  readonly writesPerSec: number;
  /** CPU of the 7 processes (load generator included) per write, µs. */
  readonly cpuUsPerWrite: number;
  /** Cores used by: leader, followers, observers, load generator. */
  readonly cores: { readonly leader: number; readonly followers: number; readonly observers: number; readonly loadGenerator: number };
  readonly stealCores: number;
  readonly seconds: number;
  /** Request → answer at the load generator over the timed window (at 1 outstanding: the latency floor). */
  readonly roundTripMs: { readonly p50: number; readonly p99: number };
}

interface Child {
  readonly role: string;
  readonly process: ChildProcess;
  /** Its stdout, line by line (one reader per child: closing a second one would pause the stream). */
  readonly lines: Interface;
  /** Resolves when it has exited and its output is read ('close'). */
  readonly closed: Promise<void>;
}

/** Resolves with the first stdout line of `child` that `accept` takes; rejects after `timeoutMs`. */
function lineFrom<T>(child: Child, what: string, accept: (line: string) => T | undefined, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(() => reject(new Error(`floor: no ${what} from the ${child.role} within ${timeoutMs} ms`))), timeoutMs);
    const onLine = (line: string) => {
      const v = accept(line);
      if (v !== undefined) settle(() => resolve(v));
    };
    function settle(then: () => void): void {
      clearTimeout(timer);
      child.lines.off('line', onLine);
      then();
    }
    child.lines.on('line', onLine);
  });
}

export interface FloorOptions {
  readonly outstanding: number;
  /** 3 for split mode's brokers, 0 for combined mode (each broker reads its own node's log). */
  readonly observers: number;
  readonly warmupS: number;
  readonly seconds: number;
  /** The compiled floor-node.js (default: next to this file, which is right once compiled). */
  readonly floorNodePath?: string;
}

export async function runFloor(opts: FloorOptions): Promise<FloorResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-floor-'));
  const children: Child[] = [];
  // Every process runs until the end: one that exits before is a failed run, whichever step it is.
  let running = true;
  let exitedEarly!: (e: Error) => void;
  const early = new Promise<never>((_, reject) => (exitedEarly = reject));
  early.catch(() => undefined); // raced by every step below
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, early]);
  const start = (role: string, ...args: string[]): Child => {
    const c = spawn(process.execPath, [opts.floorNodePath ?? FLOOR_NODE, role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const closed = new Promise<void>((resolve) =>
      c.once('close', (code, signal) => {
        if (running) {
          const error = new Error(`floor: the ${role} (pid ${c.pid}) exited during the run (${signal ?? `code ${code}`})`);
          // A process that loses a connection exits (the leader and load generator with 1, the
          // others cleanly): a consequence. The one whose exit caused it is named instead when its
          // exit is heard within a moment after (the runner hears of exits in no particular
          // order): a kill by a signal at once, then a failure, then a clean exit.
          const delayMs = signal !== null ? 0 : code !== 0 ? CONSEQUENCE_GRACE_MS / 2 : CONSEQUENCE_GRACE_MS;
          if (delayMs === 0) exitedEarly(error);
          else setTimeout(() => exitedEarly(error), delayMs);
        }
        resolve();
      }),
    );
    const child = { role, process: c, lines: createInterface({ input: c.stdout! }), closed };
    children.push(child);
    return child;
  };
  try {
    const leader = start('leader', dir, String(2 + opts.observers));
    const ready = lineFrom(leader, 'ready', (l) => (l === 'ready' ? true : undefined));
    ready.catch(() => undefined); // awaited below; a failure before that is reported by the first step
    const { clientPort, peerPort } = await step(lineFrom(leader, 'ports', (l) => (l.startsWith('{') ? (JSON.parse(l) as { clientPort: number; peerPort: number }) : undefined)));
    const followers = [start('follower', String(peerPort), dir), start('follower', String(peerPort), dir)];
    const observers = Array.from({ length: opts.observers }, () => start('observer', String(peerPort)));
    await step(ready);
    const client = start('client', String(clientPort), String(opts.outstanding), String(Math.round(opts.warmupS * 1000)), String(opts.seconds), String(RECORD_BYTES));
    const windowMs = (opts.warmupS + opts.seconds) * 1000;
    const done = lineFrom(client, 'result', (l) => (l.startsWith('{') ? (JSON.parse(l) as { writes: number; seconds: number; roundTripMs: { p50: number; p99: number } }) : undefined), windowMs + STEP_TIMEOUT_MS);
    done.catch(() => undefined); // awaited below, after the window opens
    await step(lineFrom(client, 'start', (l) => (l === 'start' ? true : undefined), opts.warmupS * 1000 + STEP_TIMEOUT_MS));
    const pids = new Map<number, number | null>([leader, ...followers, ...observers, client].map((c, i) => [i, c.process.pid ?? null]));
    const before = sampleCpu(pids);
    const { writes, seconds, roundTripMs } = await step(done);
    // Every process is still there (the load generator waits to be stopped): its CPU is readable.
    const use = cpuBetween(before, sampleCpu(pids));
    running = false;
    const cores = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => use.nodeCores[String(from + k)] ?? NaN).reduce((a, b) => a + b, 0);
    const last = 3 + opts.observers;
    const cpuS = Object.values(use.nodeCpuS).reduce((a, b) => a + b, 0);
    if (!(writes > 0) || !Number.isFinite(cpuS)) throw new Error(`floor: the run measured nothing (${writes} writes, ${cpuS} CPU seconds)`);
    if (!(roundTripMs?.p50 > 0)) throw new Error(`floor: the load generator timed no round trip (${writes} writes)`);
    return {
      writesPerSec: writes / seconds,
      cpuUsPerWrite: (cpuS / writes) * 1e6,
      cores: { leader: cores(0, 1), followers: cores(1, 3), observers: cores(3, last), loadGenerator: cores(last, last + 1) },
      stealCores: use.stealCores,
      seconds,
      roundTripMs,
    };
  } finally {
    running = false;
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await Promise.race([Promise.all(children.map((c) => c.closed)), new Promise((r) => setTimeout(r, STEP_TIMEOUT_MS))]);
    await rm(dir, { recursive: true, force: true });
  }
}
