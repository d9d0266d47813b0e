// A simulated node's Clock (env seam). Each incarnation sees the global simulated time through
// its own skew: nowMs = offsetMs + globalMs × rate, and a timer of d local ms fires after
// d / rate global ms, so a fast clock (rate > 1) fires its election timers early, as a drifting
// crystal would. Timers belong to one incarnation of the process: a crash cancels them and a
// pause holds them (they fire on resume, in order) through SimProcess.deliver. Like real timers
// they never fire early, and may fire a little late (`lateness`).

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
    const dueLocalMs = this.nowMs() + d;
    let done = false;
    const cancelEvent = this.scheduler.after(
      d / this.skew.rate + Math.max(0, this.lateness()),
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
