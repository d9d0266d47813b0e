// The simulator's only source of time (DESIGN §5): a discrete-event scheduler. Every timer,
// message delivery and disk completion of every simulated node is an event in one binary heap
// ordered by (timeMs, seq); seq breaks ties in insertion order, so a run is a pure function of
// its seed. The driver under test is async, so after each event `run` drains the microtask queue
// (one setImmediate turn) before the next: every promise the event resolved settles, and since
// every I/O completion is itself a scheduled event, nothing else can interleave. Only then does
// the `afterEvent` hook run (the invariant checks see a settled cluster).
// No Date, no Math.random, no setTimeout here: setImmediate is used only to drain microtasks.

export type Cancel = () => void;

interface SimEvent {
  readonly timeMs: number;
  readonly seq: number;
  readonly fn: () => void;
  readonly label: string;
  cancelled: boolean;
}

export interface RunOptions {
  /** Stop before the first event later than this simulated time (time then advances to it). */
  readonly untilMs?: number;
  /** Stop after this many events in this call. */
  readonly maxEvents?: number;
  /** Checked after every event (and its microtasks and the afterEvent hook). */
  readonly stopWhen?: () => boolean;
}

export type RunOutcome = 'until' | 'maxEvents' | 'stopWhen' | 'idle';

/** Resolves after every pending microtask (and the microtasks they queue) has run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Scheduler {
  private readonly heap: SimEvent[] = [];
  private seq = 0;
  private now = 0;
  private running = false;
  /** Events run since creation. */
  eventsRun = 0;
  /** Called after each event once its microtasks settled; used for invariant checks. */
  afterEvent: ((label: string) => void) | undefined = undefined;
  /** When set, every event's label is pushed here (determinism tests compare traces). */
  trace: string[] | undefined = undefined;

  nowMs(): number {
    return this.now;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Runs `fn` at simulated time `timeMs` (not earlier than now). */
  at(timeMs: number, fn: () => void, label = ''): Cancel {
    if (!Number.isFinite(timeMs)) throw new RangeError(`event time must be finite, got ${timeMs}`);
    const ev: SimEvent = { timeMs: Math.max(timeMs, this.now), seq: this.seq++, fn, label, cancelled: false };
    this.push(ev);
    return () => {
      ev.cancelled = true;
    };
  }

  after(delayMs: number, fn: () => void, label = ''): Cancel {
    if (!(delayMs >= 0)) throw new RangeError(`delay must be >= 0, got ${delayMs}`);
    return this.at(this.now + delayMs, fn, label);
  }

  /** Runs events until a limit; one call at a time. */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    if (this.running) throw new Error('Scheduler.run is not reentrant');
    this.running = true;
    const untilMs = options.untilMs ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    let count = 0;
    try {
      for (;;) {
        if (options.stopWhen?.()) return 'stopWhen';
        if (count >= maxEvents) return 'maxEvents';
        const ev = this.popLive();
        if (ev === undefined) {
          if (untilMs !== Infinity) this.now = Math.max(this.now, untilMs);
          return 'idle';
        }
        if (ev.timeMs > untilMs) {
          this.push(ev);
          this.now = Math.max(this.now, untilMs);
          return 'until';
        }
        this.now = ev.timeMs;
        count++;
        this.eventsRun++;
        this.trace?.push(`${ev.timeMs.toFixed(3)} ${ev.label}`);
        ev.fn();
        await drainMicrotasks();
        this.afterEvent?.(ev.label);
      }
    } finally {
      this.running = false;
    }
  }

  private popLive(): SimEvent | undefined {
    for (;;) {
      const ev = this.pop();
      if (ev === undefined || !ev.cancelled) return ev;
    }
  }

  private less(x: SimEvent, y: SimEvent): boolean {
    return x.timeMs < y.timeMs || (x.timeMs === y.timeMs && x.seq < y.seq);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as SimEvent;
      if (!this.less(ev, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  private pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(h[r] as SimEvent, h[l] as SimEvent)) c = r;
      const child = h[c] as SimEvent;
      if (!this.less(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
