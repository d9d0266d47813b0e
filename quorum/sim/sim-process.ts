// The life of one simulated node process: running, paused (a hung process: SIGSTOP, a long GC)
// or crashed, and which incarnation (one RaftNode instance over the node's disk) is current.
// Every callback into a node (timer, message, disk completion, client call) goes through
// `deliver`: it runs now if the process is running, is held and replayed in order on resume if
// it is paused, and is dropped if the incarnation it was meant for has crashed. This is what makes
// a crash lose in-flight work and a pause merely delay it, for every component alike.

import type { Scheduler } from './scheduler.js';

export type ProcessState = 'running' | 'paused' | 'crashed';

export class SimProcess {
  private stateValue: ProcessState = 'crashed';
  private incarnationValue = 0;
  private held: Array<() => void> = [];
  private readonly crashListeners: Array<(incarnation: number) => void> = [];
  private incarnationCrashListeners: Array<() => void> = [];

  constructor(
    readonly nodeId: number,
    private readonly scheduler: Scheduler,
  ) {}

  get state(): ProcessState {
    return this.stateValue;
  }

  /** The current (or, when crashed, the last) incarnation number; 0 before the first start. */
  get incarnation(): number {
    return this.incarnationValue;
  }

  isCurrent(incarnation: number): boolean {
    return this.stateValue !== 'crashed' && incarnation === this.incarnationValue;
  }

  /** Begins a new incarnation (a boot); returns its number. */
  boot(): number {
    if (this.stateValue !== 'crashed') throw new Error(`node ${this.nodeId} boots while ${this.stateValue}`);
    this.incarnationValue++;
    this.stateValue = 'running';
    this.held = [];
    return this.incarnationValue;
  }

  /** Kills the current incarnation: held callbacks are dropped, listeners (disk, network) react. */
  crash(): void {
    if (this.stateValue === 'crashed') return;
    const inc = this.incarnationValue;
    this.stateValue = 'crashed';
    this.held = [];
    const once = this.incarnationCrashListeners;
    this.incarnationCrashListeners = [];
    for (const l of once) l();
    for (const l of this.crashListeners) l(inc);
  }

  /** Calls `listener` when the current incarnation crashes (and then forgets it). */
  onCurrentCrash(listener: () => void): void {
    this.incarnationCrashListeners.push(listener);
  }

  onCrash(listener: (incarnation: number) => void): void {
    this.crashListeners.push(listener);
  }

  pause(): void {
    if (this.stateValue === 'running') this.stateValue = 'paused';
  }

  /** Resumes a paused process; held callbacks replay in their original order, each as an event. */
  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'running';
    const held = this.held;
    this.held = [];
    const inc = this.incarnationValue;
    for (const fn of held) this.scheduler.after(0, () => this.deliver(inc, fn), `n${this.nodeId} resume-replay`);
  }

  /** Runs `fn` for `incarnation` now, later (paused) or never (crashed / superseded). */
  deliver(incarnation: number, fn: () => void): boolean {
    if (incarnation !== this.incarnationValue || this.stateValue === 'crashed') return false;
    if (this.stateValue === 'paused') {
      this.held.push(fn);
      return true;
    }
    fn();
    return true;
  }
}
