// Node's timers run on the event loop's clock: whole milliseconds, read once at the start of a
// loop turn. A timer due in N ms can therefore fire up to a millisecond short of N on
// performance.now(), measured from a moment later in that turn (CI saw 199.95 ms for a 200 ms
// delay). A test that checks a server waited out a delay allows that much.

/** The least elapsed time (performance.now()) a timer of `delayMs` guarantees. */
export function timerAtLeastMs(delayMs: number): number {
  return delayMs - 1;
}
