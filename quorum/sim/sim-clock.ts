// A simulated node's Clock (env seam). Each incarnation sees the global simulated time through
// its own skew: nowMs = offsetMs + globalMs × rate, and a timer of d local ms fires after
// d / rate global ms, so a fast clock (rate > 1) fires its election timers early, as a drifting
// crystal would. Timers belong to one incarnation of the process: a crash cancels them and a
// pause holds them (they fire on resume, in order) through SimProcess.deliver. A timer may fire
// a little late (`lateness`), and, with `earliness`, early by the local clock, as Node's do:
// setTimeout counts whole ms from the event loop's cached time, which is as stale as the work
// done since the loop last woke, so against performance.now() a 1.7 ms timer fires after as
// little as 0.02 ms and a 10 ms one up to ~2 ms early (more on a busy loop). A driver must check
// its deadline when a timer fires and arm again for the rest. Timers under 1 ms are never early
// here: re-arming for a remainder that shrinks each round would, in floating point, end at one
// simulated instant forever; and early is at most 99% of the delay, so a remainder of 1 ms or
// more shrinks below 1 ms within a few rounds.

import type { Clock } from '../env/index.js';
import type { Scheduler } from './scheduler.js';
import type { SimProcess } from './sim-process.js';

export interface ClockSkew {
  /** Local time at global time 0. */
  readonly offsetMs: number;
  /** Local ms per global ms, e.g. 0.95..1.05. */
  readonly rate: number;
}

export class SimClock implements Clock {
  private readonly cancels = new Set<() => void>();
  /** The highest local time handed out (the clock is monotonic). */
  private floorMs = -Infinity;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly process: SimProcess,
    private readonly incarnation: number,
    readonly skew: ClockSkew,
    /**
     * Extra global ms a timer fires after its due time, as a real event loop's timers do (they
     * never fire early and rarely on the dot). 0 = exactly on time.
     */
    private readonly lateness: () => number = () => 0,
    /** How many local ms early a timer of this delay fires (clamped as the header says). 0 = never early. */
    private readonly earliness: (delayMs: number) => number = () => 0,
  ) {
    if (!(skew.rate > 0)) throw new RangeError(`clock rate must be positive, got ${skew.rate}`);
    if (process.isCurrent(incarnation)) process.onCurrentCrash(() => this.cancelAll());
  }

  nowMs(): number {
    // Never below a fired timer's due time: in floating point, offset + global × rate at the
    // scheduled global instant can land a hair before the local due time, and a driver that
    // re-arms for the remaining 1e-10 ms would spin at one simulated instant forever.
    const t = this.skew.offsetMs + this.scheduler.nowMs() * this.skew.rate;
    if (t > this.floorMs) this.floorMs = t;
    return this.floorMs;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const d = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const early = d >= 1 ? Math.min(Math.max(0, this.earliness(d)), 0.99 * d) : 0;
    const dueLocalMs = this.nowMs() + d - early;
    let done = false;
    const cancelEvent = this.scheduler.after(
      (d - early) / this.skew.rate + Math.max(0, this.lateness()),
      () => {
        this.cancels.delete(cancel);
        this.process.deliver(this.incarnation, () => {
          if (done) return;
          done = true;
          if (dueLocalMs > this.floorMs) this.floorMs = dueLocalMs;
          fn();
        });
      },
      `n${this.process.nodeId} timer`,
    );
    const cancel = (): void => {
      done = true;
      cancelEvent();
      this.cancels.delete(cancel);
    };
    this.cancels.add(cancel);
    return cancel;
  }

  /** Timers still pending (for tests). */
  get pendingTimers(): number {
    return this.cancels.size;
  }

  private cancelAll(): void {
    for (const c of [...this.cancels]) c();
  }
}
