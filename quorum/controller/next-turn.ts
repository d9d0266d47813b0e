// Work continued on a later turn of the event loop. The controller's EventQueue runs events
// appended while it drains in the same synchronous pass, so work that re-queues itself (the steps
// of a large drain, chunks of elections) never let Raft, sockets or heartbeats run in between:
// a 2,000,000-partition drain in 200 steps was one pass of tens of seconds (found by a review).
// A timer of 0 ms ends the pass first. One continuation per key is pending at a time, and it is
// kept in the active controller's timers, so a failover cancels it with the rest.

import type { Clock } from '../env/index.js';

/** Runs `fn` from a 0 ms timer, unless a continuation under `key` is already pending in `timers`. */
export function onNextTurn(timers: Map<string, () => void>, clock: Clock, key: string, fn: () => void): void {
  if (timers.has(key)) return;
  timers.set(
    key,
    clock.setTimer(0, () => {
      timers.delete(key);
      fn();
    }),
  );
}
