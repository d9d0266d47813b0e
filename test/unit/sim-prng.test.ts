// The simulator's PRNG: reproducible from a seed, independent forks, sane ranges.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../quorum/sim/prng.js';

describe('sim prng', () => {
  it('same seed gives the same stream; another seed another', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('fork depends on seed and label only, not on how far the parent has run', () => {
    const a = new Prng(7);
    const f1 = a.fork('network').next();
    a.next();
    a.next();
    expect(a.fork('network').next()).toBe(f1);
    expect(a.fork('disk').next()).not.toBe(f1);
  });

  it('next in [0,1), int inclusive, chance and pick within bounds', () => {
    const r = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = r.int(-2, 3);
      expect(k).toBeGreaterThanOrEqual(-2);
      expect(k).toBeLessThanOrEqual(3);
      seen.add(k);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
    expect(['a', 'b']).toContain(r.pick(['a', 'b']));
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    expect(() => r.pick([])).toThrow();
  });

  it('is roughly uniform', () => {
    const r = new Prng(99);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(r.next() * 10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
