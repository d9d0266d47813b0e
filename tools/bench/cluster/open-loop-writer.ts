// The failover writer of the benchmarks (bench:cluster, bench:vs-zk, for metaquorum and for
// ZooKeeper alike): open loop, one write every `everyMs` whether or not the earlier ones have
// answered, so that an outage shows as the writes issued during it waiting or failing rather than
// as a writer that stopped asking. The figure it exists for is "fault → first successful write
// issued after the fault" (perf-anchors.md A.4 c): a write issued before the fault and answered
// after it says nothing about the new leader.

import { Counter } from '../stats.js';
import { errKey, now } from './bench-cluster.js';

export interface OpenLoopWriterOptions {
  /** One write; resolves when it is acknowledged, rejects when it failed (its own timeout included). */
  readonly write: (seq: number) => Promise<void>;
  readonly everyMs: number;
  /** No new write while this many are unanswered (bounds memory during a long outage). */
  readonly maxInFlight: number;
}

export class OpenLoopWriter {
  readonly errors = new Counter();
  writesOk = 0;
  /** Longest time between two acknowledgements. */
  longestGapMs = 0;
  private faultAt = Infinity;
  private firstAfter = Infinity;
  private lastOkAt = NaN;
  private seq = 0;
  private inFlight = 0;
  private closed = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly o: OpenLoopWriterOptions) {}

  start(): void {
    this.ticker = setInterval(() => {
      if (this.inFlight < this.o.maxInFlight) void this.one();
    }, this.o.everyMs);
  }

  /** The fault happens now: from here on, writes count towards `firstWriteAfterFaultMs`. */
  markFault(): number {
    this.faultAt = now();
    return this.faultAt;
  }

  /** Fault → the first write issued after it acknowledged; NaN while there is none. */
  get firstWriteAfterFaultMs(): number {
    return Number.isFinite(this.firstAfter) ? this.firstAfter - this.faultAt : NaN;
  }

  /** No more writes; answers still in flight are ignored. */
  stop(): void {
    clearInterval(this.ticker);
    this.closed = true;
  }

  private async one(): Promise<void> {
    const issuedAt = now();
    this.inFlight++;
    try {
      await this.o.write(this.seq++);
      if (this.closed) return;
      const t = now();
      this.writesOk++;
      if (Number.isFinite(this.lastOkAt)) this.longestGapMs = Math.max(this.longestGapMs, t - this.lastOkAt);
      this.lastOkAt = Number.isFinite(this.lastOkAt) ? Math.max(this.lastOkAt, t) : t;
      if (issuedAt >= this.faultAt && t < this.firstAfter) this.firstAfter = t;
    } catch (e) {
      if (!this.closed) this.errors.add(errKey(e));
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * Hands out items round-robin to an open-loop writer's writes, skipping items with a write still
 * in flight: during an outage writes pile up, and two on one item would race each other.
 */
export class RoundRobinPool<T> {
  private next = 0;
  private readonly busy = new Set<T>();

  constructor(private readonly items: readonly T[]) {}

  /** Runs `f` on the next idle item (rejects when every item is busy). */
  async use<R>(f: (item: T) => Promise<R>): Promise<R> {
    let item: T | undefined;
    for (let n = 0; n < this.items.length && item === undefined; n++) {
      const c = this.items[this.next++ % this.items.length]!;
      if (!this.busy.has(c)) item = c;
    }
    if (item === undefined) throw new Error('every item has a write in flight');
    this.busy.add(item);
    try {
      return await f(item);
    } finally {
      this.busy.delete(item);
    }
  }
}
