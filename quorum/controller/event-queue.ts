// The controller's single event queue (DESIGN §7, Kafka's KafkaEventQueue): every operation, timer
// and leadership change runs here, one at a time and in arrival order, so no two of them ever see
// the image half-changed. An event's synchronous part runs in the queue; what it returns (typically
// a promise for its commit) is handed to the caller without holding the queue, so operations
// pipeline: the next one runs against the pending image while the previous one's records commit.
//
// Bounded (DESIGN §10): a full queue refuses new events with ControllerBusyError instead of growing.

export class ControllerBusyError extends Error {
  readonly code = 'CONTROLLER_BUSY';
  readonly retriable = true;
  constructor(
    readonly queued: number,
    reason = `the controller has ${queued} events queued`,
  ) {
    super(`${reason}; retry shortly`);
  }
}

interface QueuedEvent {
  readonly name: string;
  readonly run: () => void;
  /** Settles the caller's promise when the queue closes before the event ran. */
  readonly cancel: (error: Error) => void;
}

export class EventQueue {
  private readonly events: QueuedEvent[] = [];
  private draining = false;
  private closed: Error | null = null;

  constructor(
    private readonly maxEvents: number,
    /** Called when an event throws: a programmer error, fatal for the node. */
    private readonly onEventError: (name: string, error: unknown) => void,
  ) {}

  get size(): number {
    return this.events.length;
  }

  /** Runs `fn` in its turn; its result (or its promise's result) becomes the returned promise's. */
  submit<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.closed !== null) return Promise.reject(this.closed);
    if (this.events.length >= this.maxEvents) return Promise.reject(new ControllerBusyError(this.events.length));
    return new Promise<T>((resolve, reject) => {
      this.events.push({
        name,
        run: () => {
          let result: T | Promise<T>;
          try {
            result = fn();
          } catch (e) {
            reject(e);
            return;
          }
          Promise.resolve(result).then(resolve, reject);
        },
        cancel: reject,
      });
      this.schedule();
    });
  }

  /** An internal event (a timer, a leadership change) whose failure is a programmer error. */
  append(name: string, fn: () => void): void {
    if (this.closed !== null) return;
    this.events.push({
      name,
      run: () => {
        try {
          fn();
        } catch (e) {
          this.onEventError(name, e);
        }
      },
      cancel: () => undefined,
    });
    this.schedule();
  }

  /** Refuses every later event with `error` and drops the queued ones (their callers get `error`). */
  close(error: Error): void {
    this.closed = error;
    for (const e of this.events.splice(0)) e.cancel(error);
  }

  private schedule(): void {
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    try {
      // Events appended while draining run in this same pass, in order.
      for (let e = this.events.shift(); e !== undefined; e = this.events.shift()) e.run();
    } finally {
      this.draining = false;
    }
  }
}
