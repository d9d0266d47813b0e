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
//   slow       every link of one node delays each chunk 50-250 ms (± jitter)
//
// Link names are "<from>-><to>" (./chaos-cluster.ts). The nemesis only decides and logs; the
// cluster object carries the faults out.

import type { LinkFault } from './fault-proxy.js';

export const FAULT_KINDS = ['kill', 'pause', 'partition', 'one-way', 'slow'] as const;
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

export class Nemesis {
  readonly events: FaultEvent[] = [];
  readonly counts = new Map<FaultKind, number>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private bag: FaultKind[] = [];

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
        await this.hold(hold);
        await this.cluster.restart(id);
        this.note(kind, 'end', `node ${id} restarted`);
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
    }
  }
}
