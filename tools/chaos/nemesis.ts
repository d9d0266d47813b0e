// The nemesis: one fault at a time on a real cluster, chosen by a seeded PRNG (every enabled kind
// once per round, rounds shuffled), held for a while,
// then healed, with a quiet gap before the next. One at a time keeps a majority able to make
// progress, so "after faults heal, a write commits within a bound" is a fair demand, while every
// fault kind still hits the leader as often as anyone (the target is drawn among all nodes, and
// half the time is the active controller itself).
//
//   kill       SIGKILL a node, restart it when the fault ends
//   pause      SIGSTOP a node (a hung process: sockets stay open), SIGCONT when it ends
//   partition  every link to and from one node blackholed (open but silent); or, with ≥ 5
//              controllers, the controllers split 2 | 3
//   one-way    one node cannot reach the others (its requests are dropped) while they reach it
//   reset      every connection to and from one node reset (RST), and new ones refused the same
//              way until it ends (a rejecting firewall: peers learn at once, unlike partition)
//   slow       every link of one node delays each chunk 50-250 ms (± jitter)
//   slow-disk  every fsync of one node stalls 50-300 ms (the test-only hook, quorum/node/fsync-stall.ts)
//   wipe       a controller killed, its metadata directory emptied and re-formatted (a new
//              directory id), restarted: it must say it is refused and then be re-admitted
//   corrupt    a controller killed, the tail of its newest log segment or its newest snapshot
//              flipped or cut, restarted: it must say what it cut or set aside, then rejoin
//
// A fault whose node does not log what it must (wipe, corrupt) within the bound is a problem
// (`problems`), which the run reports as a violation.
//
// Link names are "<from>-><to>" (./chaos-cluster.ts). The nemesis only decides and logs; the
// cluster object carries the faults out.

import type { LinkFault } from './fault-proxy.js';

export const FAULT_KINDS = ['kill', 'pause', 'partition', 'one-way', 'reset', 'slow', 'slow-disk', 'wipe', 'corrupt'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTarget {
  /** Node ids of the cluster and which are controllers. */
  readonly nodes: readonly number[];
  readonly controllers: readonly number[];
  /** Every link name "<from>-><to>". */
  readonly links: readonly string[];
  activeController(): Promise<number | null>;
  kill(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  pause(id: number): Promise<void>;
  resume(id: number): Promise<void>;
  setLinks(names: readonly string[], fault: LinkFault): void;
  healLinks(): void;
  /** Sets node `id`'s fsync stall (0 = off). */
  slowDisk(id: number, stallMs: number): Promise<void>;
  /** Node `id` must be down: empties its metadata directory and formats it with a new directory id. */
  wipe(id: number): Promise<void>;
  /** Node `id` must be down: damages its log or newest snapshot; says what it did and what the node must log. */
  corrupt(id: number, random: () => number): Promise<{ readonly detail: string; readonly expect: RegExp | null }>;
  /** Where node `id`'s log ends now (a position for logSince). */
  logMark(id: number): Promise<number>;
  /** Waits up to timeoutMs for a line matching `pattern` in node `id`'s log after `mark`. */
  logSince(id: number, mark: number, pattern: RegExp, timeoutMs: number): Promise<boolean>;
  /** Node `id` must be down: the end of the metadata log its files hold (null: not known). */
  logEnd(id: number): Promise<number | null>;
  /** As logSince, answering the first matching line (null: none within timeoutMs). */
  logLineSince(id: number, mark: number, pattern: RegExp, timeoutMs: number): Promise<string | null>;
}

/**
 * A SIGKILL keeps the page cache, so a node restarted after one must load at least the log its
 * files held while it was down: `startedLine` is its "raft node started" log line (with
 * logEndOffset). A restart that quietly dropped a batch escaped every other chaos check: the node
 * fetched the batch again, and only a second fault at the wrong moment would have lost it.
 */
export function restartKeptLog(id: number, endWhileDown: number, startedLine: string | null): string | null {
  if (startedLine === null) return `kill of node ${id}: no "raft node started" line after its restart`;
  let end: unknown;
  try {
    end = (JSON.parse(startedLine) as { logEndOffset?: unknown }).logEndOffset;
  } catch {
    return `kill of node ${id}: its "raft node started" line is not JSON: ${startedLine.slice(0, 200)}`;
  }
  if (typeof end !== 'number') return `kill of node ${id}: its "raft node started" line has no logEndOffset: ${startedLine.slice(0, 200)}`;
  if (end < endWhileDown) return `kill of node ${id}: its log files ended at offset ${endWhileDown} while it was down, it restarted with log end ${end}`;
  return null;
}

export interface FaultEvent {
  readonly atMs: number;
  readonly kind: FaultKind;
  readonly phase: 'start' | 'end';
  readonly detail: string;
}

export interface NemesisOptions {
  readonly kinds: readonly FaultKind[];
  readonly random: () => number;
  readonly now: () => number;
  /** How long a fault lasts, ms. */
  readonly holdMs: readonly [number, number];
  /** Quiet time between faults, ms. */
  readonly gapMs: readonly [number, number];
  readonly log: (e: FaultEvent) => void;
}

/** How long a wiped or corrupted node gets to say so and be re-admitted after its restart. */
const READMIT_BOUND_MS = 60_000;

export class Nemesis {
  readonly events: FaultEvent[] = [];
  readonly counts = new Map<FaultKind, number>();
  /** Faults whose node did not say what it must (a wiped voter never re-admitted, say). */
  readonly problems: string[] = [];
  private stopped = false;
  private wake: (() => void) | null = null;
  private bag: FaultKind[] = [];
  /** Checks of restarted nodes still waiting for their start-up line (run() waits for them). */
  private readonly restartChecks: Promise<void>[] = [];

  constructor(
    private readonly cluster: FaultTarget,
    private readonly o: NemesisOptions,
  ) {}

  /** Injects faults until stop(); the fault in progress is always healed before it returns. */
  async run(): Promise<void> {
    while (!this.stopped) {
      await this.sleep(this.between(this.o.gapMs));
      if (this.stopped) break;
      await this.inject(this.nextKind());
    }
    await Promise.all(this.restartChecks);
  }

  /** Every kind once per round, each round in a shuffled order: no kind is starved in a short run. */
  private nextKind(): FaultKind {
    if (this.bag.length === 0) {
      this.bag = [...this.o.kinds];
      for (let i = this.bag.length - 1; i > 0; i--) {
        const j = Math.floor(this.o.random() * (i + 1));
        [this.bag[i], this.bag[j]] = [this.bag[j]!, this.bag[i]!];
      }
    }
    return this.bag.pop()!;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private between([lo, hi]: readonly [number, number]): number {
    return lo + Math.floor(this.o.random() * (hi - lo + 1));
  }

  /** Sleeps, cut short by stop(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** A waiting period that stop() does not cut short: a fault always lasts its time, then heals. */
  private hold(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  private note(kind: FaultKind, phase: 'start' | 'end', detail: string): void {
    const e = { atMs: this.o.now(), kind, phase, detail };
    this.events.push(e);
    this.o.log(e);
    if (phase === 'start') this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Half the time the active controller (when there is one), else any node. */
  private async target(controllersOnly = false): Promise<number> {
    const pool = controllersOnly ? this.cluster.controllers : this.cluster.nodes;
    if (this.o.random() < 0.5) {
      const active = await this.cluster.activeController().catch(() => null);
      if (active !== null) return active;
    }
    return pool[Math.floor(this.o.random() * pool.length)]!;
  }

  private linksOf(id: number, direction: 'from' | 'to' | 'both'): string[] {
    return this.cluster.links.filter((l) => {
      const [from, to] = l.split('->').map(Number);
      return (direction !== 'to' && from === id) || (direction !== 'from' && to === id);
    });
  }

  private async inject(kind: FaultKind): Promise<void> {
    const hold = this.between(this.o.holdMs);
    switch (kind) {
      case 'kill': {
        const id = await this.target();
        this.note(kind, 'start', `SIGKILL node ${id}`);
        await this.cluster.kill(id);
        // Read while the fault holds, so the node's downtime stays what the schedule says.
        const [endWhileDown] = await Promise.all([this.cluster.logEnd(id).catch(() => null), this.hold(hold)]);
        const mark = await this.cluster.logMark(id);
        await this.cluster.restart(id);
        this.note(kind, 'end', `node ${id} restarted`);
        if (endWhileDown !== null) {
          // Not awaited here: the next fault does not wait for this node's start-up.
          this.restartChecks.push(
            this.cluster.logLineSince(id, mark, /"raft node started"/, READMIT_BOUND_MS).then((line) => {
              const problem = restartKeptLog(id, endWhileDown, line);
              if (problem !== null) this.problems.push(problem);
            }),
          );
        }
        return;
      }
      case 'pause': {
        const id = await this.target();
        this.note(kind, 'start', `SIGSTOP node ${id}`);
        await this.cluster.pause(id);
        await this.hold(hold);
        await this.cluster.resume(id);
        this.note(kind, 'end', `SIGCONT node ${id}`);
        return;
      }
      case 'partition': {
        const cs = this.cluster.controllers;
        if (cs.length >= 5 && this.o.random() < 0.5) {
          // A minority of two controllers on one side, everything else on the other.
          const shuffled = [...cs].sort(() => this.o.random() - 0.5);
          const minority = new Set(shuffled.slice(0, 2));
          const cut = this.cluster.links.filter((l) => {
            const [from, to] = l.split('->').map(Number) as [number, number];
            return minority.has(from) !== minority.has(to);
          });
          this.cluster.setLinks(cut, { kind: 'blackhole' });
          this.note(kind, 'start', `controllers ${[...minority].join(',')} cut off from the rest`);
        } else {
          const id = await this.target();
          this.cluster.setLinks(this.linksOf(id, 'both'), { kind: 'blackhole' });
          this.note(kind, 'start', `node ${id} isolated (links blackholed both ways)`);
        }
        await this.hold(hold);
        this.cluster.healLinks();
        this.note(kind, 'end', 'links healed');
        return;
      }
      case 'one-way': {
        const id = await this.target();
        this.cluster.setLinks(this.linksOf(id, 'from'), { kind: 'drop-requests' });
        this.note(kind, 'start', `node ${id} cannot reach the others (its requests dropped); they still reach it`);
        await this.hold(hold);
        this.cluster.healLinks();
        this.note(kind, 'end', 'links healed');
        return;
      }
      case 'reset': {
        const id = await this.target();
        this.cluster.setLinks(this.linksOf(id, 'both'), { kind: 'reset' });
        this.note(kind, 'start', `connections of node ${id} reset, new ones refused`);
        await this.hold(hold);
        this.cluster.healLinks();
        this.note(kind, 'end', 'links healed');
        return;
      }
      case 'slow': {
        const id = await this.target();
        const delayMs = 50 + Math.floor(this.o.random() * 200);
        this.cluster.setLinks(this.linksOf(id, 'both'), { kind: 'slow', delayMs, jitterMs: Math.floor(delayMs / 4) });
        this.note(kind, 'start', `links of node ${id} delayed ${delayMs} ms`);
        await this.hold(hold);
        this.cluster.healLinks();
        this.note(kind, 'end', 'links healed');
        return;
      }
      case 'slow-disk': {
        const id = await this.target();
        const stallMs = 50 + Math.floor(this.o.random() * 250);
        await this.cluster.slowDisk(id, stallMs);
        this.note(kind, 'start', `every fsync of node ${id} stalls ${stallMs} ms`);
        await this.hold(hold);
        await this.cluster.slowDisk(id, 0);
        this.note(kind, 'end', `node ${id}'s disk back to normal`);
        return;
      }
      case 'wipe': {
        const id = await this.target(true);
        await this.cluster.kill(id);
        await this.cluster.wipe(id);
        this.note(kind, 'start', `node ${id} killed, its metadata directory wiped and re-formatted`);
        const mark = await this.cluster.logMark(id);
        await this.cluster.restart(id);
        const t0 = this.o.now();
        const refused = await this.cluster.logSince(id, mark, /known by another data directory|knows this voter by another data directory/, READMIT_BOUND_MS);
        const readmitted = await this.cluster.logSince(id, mark, /this voter was re-admitted/, READMIT_BOUND_MS);
        if (!refused) this.problems.push(`wipe of node ${id}: it never logged that the quorum refused its new directory`);
        if (!readmitted) this.problems.push(`wipe of node ${id}: not re-admitted within ${READMIT_BOUND_MS / 1000} s of its restart`);
        await this.hold(Math.max(0, hold - (this.o.now() - t0)));
        this.note(kind, 'end', readmitted ? `node ${id} re-admitted ${Math.round(this.o.now() - t0)} ms after its restart` : `node ${id} NOT re-admitted`);
        return;
      }
      case 'corrupt': {
        const id = await this.target(true);
        await this.cluster.kill(id);
        const damage = await this.cluster.corrupt(id, this.o.random);
        this.note(kind, 'start', `node ${id} killed; ${damage.detail}`);
        const mark = await this.cluster.logMark(id);
        await this.hold(hold);
        await this.cluster.restart(id);
        let said = true;
        if (damage.expect !== null) {
          said = await this.cluster.logSince(id, mark, damage.expect, READMIT_BOUND_MS);
          if (!said) this.problems.push(`corrupt node ${id} (${damage.detail}): no log line matching ${String(damage.expect)} after its restart`);
        }
        this.note(kind, 'end', `node ${id} restarted${damage.expect === null ? '' : said ? ', and it logged the damage' : ', and it did NOT log the damage'}`);
        return;
      }
    }
  }
}
