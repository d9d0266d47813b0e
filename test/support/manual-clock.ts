// A Clock (quorum/env) that moves only when a test says so: advance(ms) fires every timer due by
// then, in due order (ties in the order they were set), each seeing nowMs() at its own due time.

import type { Clock } from '../../quorum/env/index.js';

interface Timer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private now = 0;
  private seq = 0;
  private timers: Timer[] = [];

  nowMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const timer: Timer = { dueMs: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers set and not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: Timer | undefined;
      for (const t of this.timers) if (t.dueMs <= until && (next === undefined || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.seq < next.seq))) next = t;
      if (next === undefined) break;
      next.cancelled = true;
      this.now = next.dueMs;
      next.fn();
    }
    this.now = until;
  }
}
