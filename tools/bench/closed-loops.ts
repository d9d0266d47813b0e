// Closed-loop load: `loops` workers, each with one request outstanding at a time, each owning its
// own share of the items (dealt out, so two requests never race on one item), until a deadline or
// a request budget. `loops` is thus the number of requests outstanding. Shared by every write
// workload of the benchmarks (AlterPartition on metaquorum, setData on ZooKeeper), so that both
// sides of a comparison are driven by the same loop.

import { Counter } from './stats.js';

export interface LoopRun {
  committed: number;
  requests: number;
  seconds: number;
  /** Per request, ms (only when recording). */
  latencies: number[];
  errors: Counter;
}

/** What one request did: acknowledged, or failed (and whether that loop cannot go on). */
export type LoopOutcome = { readonly ok: true } | { readonly ok: false; readonly key: string; readonly stopLoop?: boolean };

export interface ClosedLoopOptions<T> {
  readonly loops: number;
  readonly endMs: number;
  readonly opsMax: number;
  readonly record: boolean;
  /** One request for `item` from loop `loop`; timed. */
  readonly op: (item: T, loop: number) => Promise<LoopOutcome>;
  /** After a failure, untimed (e.g. read the item's state back). */
  readonly afterFailure?: (item: T, loop: number) => Promise<void>;
}

export async function closedLoops<T>(items: readonly T[], o: ClosedLoopOptions<T>): Promise<LoopRun> {
  const run: LoopRun = { committed: 0, requests: 0, seconds: 0, latencies: [], errors: new Counter() };
  const t0 = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: o.loops }, async (_, w) => {
      const mine = items.filter((_, i) => i % o.loops === w);
      for (let k = 0; mine.length > 0 && issued < o.opsMax && performance.now() < o.endMs; k++) {
        const item = mine[k % mine.length]!;
        issued++;
        const s = performance.now();
        const outcome = await o.op(item, w);
        run.requests++;
        if (o.record) run.latencies.push(performance.now() - s);
        if (outcome.ok) {
          run.committed++;
          continue;
        }
        run.errors.add(outcome.key);
        if (outcome.stopLoop === true) return;
        await o.afterFailure?.(item, w);
      }
    }),
  );
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}

/** Runs `f` once per item, `outstanding` at a time (in item order); rejects on the first failure. */
export async function pipelined<T>(items: readonly T[], outstanding: number, f: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(outstanding, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}
