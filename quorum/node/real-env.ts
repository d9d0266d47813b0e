// The real Clock, Random and Logger of the seam (DESIGN §5); the simulator has its own in quorum/sim/.
//
// Clock: performance.now() is monotonic (wall-clock jumps must not fire or starve election
// timers). defer is setImmediate: after the sockets' pending reads, before any timer. Timers are plain setTimeout and deliberately NOT unref'd: a raft timer is real work
// that must keep the process alive; shutdown cancels them instead.
// Logger: a thin adapter, so the core's `(fields, msg)` calls land as pino NDJSON fields.

import { performance } from 'node:perf_hooks';
import type { BaseLogger } from 'pino';
import type { Clock, Logger, Random } from '../env/index.js';

/** setTimeout's longest delay: a longer one fires at once (Node warns, and a periodic task spins). */
export const TIMER_DELAY_MAX_MS = 0x7fffffff;

export const realClock: Clock = {
  nowMs: () => performance.now(),
  setTimer(delayMs: number, fn: () => void): () => void {
    // A delay past setTimeout's bound (a check interval of weeks, say) waits in steps.
    let left = Math.max(0, delayMs);
    let handle: NodeJS.Timeout;
    const arm = () => {
      const step = Math.min(left, TIMER_DELAY_MAX_MS);
      left -= step;
      handle = setTimeout(() => (left > 0 ? arm() : fn()), step);
    };
    arm();
    return () => clearTimeout(handle);
  },
  defer: (fn) => {
    setImmediate(fn);
  },
};

export const realRandom: Random = {
  next: () => Math.random(),
};

/** Wraps a pino logger (or a child of one: `pinoLogger(root.child({ nodeId }))`). */
export function pinoLogger(logger: BaseLogger): Logger {
  return {
    debug: (fields, msg) => logger.debug(fields, msg),
    info: (fields, msg) => logger.info(fields, msg),
    warn: (fields, msg) => logger.warn(fields, msg),
    error: (fields, msg) => logger.error(fields, msg),
  };
}
