// The pure parts of bench:vs-zk and the load helpers it shares with bench:cluster: the verdict rows
// (median, min–max, ratio, target met), the closed loops (each item owned by one loop, budgets
// honoured, failures counted and followed up), the open-loop writer's "first write issued after the
// fault", the round-robin pool that never hands out a busy item, and the ZooKeeper layout (22
// znodes a topic, a ~206-byte state).

import { describe, expect, it } from 'vitest';
import { closedLoops, pipelined } from '../../tools/bench/closed-loops.js';
import { OpenLoopWriter, RoundRobinPool } from '../../tools/bench/cluster/open-loop-writer.js';
import { compare, comparisonTable } from '../../tools/bench/vs-zk/compare.js';
import { partitionState, statePath, topicZnodes } from '../../tools/bench/vs-zk/layout.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('compare', () => {
  it('(throughput) ratio of medians ≥ 5: met; min–max and n per side', () => {
    const c = compare('throughput', 'writes', 'ops/s', [7_000, 6_000, 8_000], [36_000, 40_000, 30_000], { op: '>=', ratio: 5 });
    expect(c.zookeeper).toMatchObject({ median: 7_000, min: 6_000, max: 8_000, n: 3 });
    expect(c.metaquorum.median).toBe(36_000);
    expect(c.ratio).toBeCloseTo(36_000 / 7_000);
    expect(c.met).toBe(true);
  });

  it('(failover) a trial without a write is left out, not counted as 0; ≤ 1/5 missed', () => {
    const c = compare('stop', 'SIGSTOP', 'ms', [10_000, 11_000], [NaN, 3_000, 2_000], { op: '<=', ratio: 0.2 });
    expect(c.metaquorum.n).toBe(2);
    expect(c.metaquorum.median).toBe(2_500);
    expect(c.met).toBe(false);
    expect(comparisonTable([c])).toContain('| ≤ 1/5 | ✗ |');
  });

  it('(no sample) the target is not met and the cell says n/a', () => {
    const c = compare('kill', 'kill', 'ms', [600], [], { op: '<=', ratio: 1 });
    expect(c.met).toBe(false);
    expect(comparisonTable([c])).toContain('| n/a |');
  });
});

describe('closedLoops', () => {
  it('(64 loops) no item is ever in two requests at once; the budget caps the requests', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const busy = new Set<number>();
    let clash = false;
    const run = await closedLoops(items, {
      loops: 64,
      endMs: Infinity,
      opsMax: 1_000,
      record: true,
      op: async (item) => {
        if (busy.has(item)) clash = true;
        busy.add(item);
        await sleep(0);
        busy.delete(item);
        return { ok: true };
      },
    });
    expect(clash).toBe(false);
    expect(run.requests).toBe(1_000);
    expect(run.committed).toBe(1_000);
    expect(run.latencies).toHaveLength(1_000);
  });

  it('(failures) counted by key, followed up untimed; a loop told to stop stops', async () => {
    const followed: number[] = [];
    const run = await closedLoops([0, 1], {
      loops: 2,
      endMs: Infinity,
      opsMax: 10,
      record: false,
      op: async (item) => (item === 0 ? { ok: false, key: 'STALE', stopLoop: false } : { ok: false, key: 'GONE', stopLoop: true }),
      afterFailure: async (item) => void followed.push(item),
    });
    expect(run.errors.toJSON()).toEqual({ STALE: 9, GONE: 1 });
    expect(followed.every((i) => i === 0)).toBe(true);
  });

  it('(pipelined) every item once, at most n in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await pipelined([1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
      most = Math.max(most, ++inFlight);
      await sleep(1);
      seen.push(i);
      inFlight--;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('OpenLoopWriter', () => {
  it('(fault) only a write issued after the fault counts as the first write after it', async () => {
    let release: (() => void) | undefined;
    let n = 0;
    const w = new OpenLoopWriter({
      everyMs: 2,
      maxInFlight: 100,
      // The first write hangs until released after the fault; the later ones answer at once.
      write: () => (n++ === 0 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
    });
    w.start();
    await sleep(10);
    w.markFault();
    release!();
    await sleep(0);
    expect(Number.isNaN(w.firstWriteAfterFaultMs) || w.firstWriteAfterFaultMs >= 0).toBe(true);
    await sleep(20);
    w.stop();
    expect(w.firstWriteAfterFaultMs).toBeGreaterThan(0);
    expect(w.writesOk).toBeGreaterThan(1);
  });
});

describe('RoundRobinPool', () => {
  it('(busy) skips an item with a write in flight; rejects when all are busy', async () => {
    const pool = new RoundRobinPool(['a', 'b']);
    let release!: () => void;
    const held = pool.use(() => new Promise<void>((r) => (release = r)));
    expect(await pool.use(async (x) => x)).toBe('b');
    expect(await pool.use(async (x) => x)).toBe('b');
    const second = pool.use(() => new Promise<void>(() => undefined));
    await expect(pool.use(async (x) => x)).rejects.toThrow(/in flight/);
    release();
    await held;
    void second;
  });
});

describe('layout', () => {
  it('(topic) 22 znodes, parents before children; a ~206-byte state', () => {
    const nodes = topicZnodes('vs-w-00000');
    expect(nodes).toHaveLength(22);
    const paths = nodes.map((n) => n.path);
    for (const p of paths) {
      const parent = p.slice(0, p.lastIndexOf('/'));
      if (parent !== '/brokers/topics') expect(paths.indexOf(parent)).toBeLessThan(paths.indexOf(p));
    }
    expect(paths).toContain(statePath('vs-w-00000', 9));
    const state = partitionState('vs-w-00000', 7);
    expect(state.length).toBeGreaterThanOrEqual(195);
    expect(state.length).toBeLessThanOrEqual(215);
    expect(JSON.parse(state.toString())).toMatchObject({ leader_epoch: 7, isr: [1, 2, 3] });
  });
});
