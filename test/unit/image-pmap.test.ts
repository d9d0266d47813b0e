// PMap, the persistent map under the image's big maps: it must behave exactly like a Map (model
// test, with a tiny key space so sets, overwrites and deletes of the same keys interleave, and
// forced hash collisions), never change an older version when a newer one is made (persistence),
// and a builder must not leak its in-place edits into the map it started from.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PMap } from '../../metadata-log/pmap.js';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

// Short keys over a small alphabet: many repeats, and enough keys to build deep tries. Plus keys
// made of "Aa"/"BB" blocks: those of one length share a 32-bit hash (collision nodes), and the
// other keys then reach those nodes with a different hash (the collision is pushed down a level).
const collidingKeyArb = fc.array(fc.constantFrom('Aa', 'BB'), { minLength: 1, maxLength: 3 }).map((blocks) => blocks.join(''));
const keyArb = fc.oneof(fc.string({ maxLength: 2, unit: fc.constantFrom('a', 'b', 'c') }), fc.nat(3000).map((n) => `k${n}`), collidingKeyArb);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key: keyArb }),
);

function sorted(entries: Iterable<[string, number]>): [string, number][] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function expectSame(p: PMap<number>, m: Map<string, number>): void {
  expect(p.size).toBe(m.size);
  expect(sorted(p.entries())).toEqual(sorted(m.entries()));
  const viaForEach: [string, number][] = [];
  p.forEach((v, k) => viaForEach.push([k, v]));
  expect(sorted(viaForEach)).toEqual(sorted(m.entries()));
  for (const [k, v] of m) {
    expect(p.get(k)).toBe(v);
    expect(p.has(k)).toBe(true);
  }
}

describe('PMap', () => {
  it('model: persistent set/delete agree with a Map after every step, and old versions never change', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const model = new Map<string, number>();
        let p = PMap.empty<number>();
        const history: [PMap<number>, [string, number][]][] = [];
        for (const op of ops) {
          if (op.kind === 'set') {
            model.set(op.key, op.value);
            p = p.set(op.key, op.value);
          } else {
            expect(p.has(op.key)).toBe(model.has(op.key));
            model.delete(op.key);
            p = p.delete(op.key);
          }
          expect(p.size).toBe(model.size);
          expect(p.get(op.key)).toBe(model.get(op.key));
          history.push([p, sorted(model.entries())]);
        }
        expectSame(p, model);
        for (const [old, entries] of history) expect(sorted(old.entries())).toEqual(entries);
      }),
      { numRuns: 200 },
    );
  });

  it('model: a builder applies a batch like a Map and leaves its starting map untouched', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), fc.array(opArb, { maxLength: 200 }), (first, second) => {
        const model = new Map<string, number>();
        const b1 = PMap.empty<number>().builder();
        for (const op of first) {
          if (op.kind === 'set') (model.set(op.key, op.value), b1.set(op.key, op.value));
          else (model.delete(op.key), b1.delete(op.key));
          expect(b1.size).toBe(model.size);
        }
        const start = b1.build();
        const startEntries = sorted(start.entries());
        expectSame(start, model);

        const b2 = start.builder();
        for (const op of second) {
          if (op.kind === 'set') (model.set(op.key, op.value), b2.set(op.key, op.value));
          else (model.delete(op.key), b2.delete(op.key));
          expect(b2.get(op.key)).toBe(model.get(op.key));
        }
        expectSame(b2.build(), model);
        expect(sorted(start.entries())).toEqual(startEntries);
      }),
      { numRuns: 200 },
    );
  });

  it('keys with colliding 32-bit hashes ("Aa" and "BB" collide under the 31-multiplier) stay distinct', () => {
    // "Aa" and "BB" have the same Java string hash, so the same final hash: a collision node.
    const keys = ['Aa', 'BB', 'AaAa', 'AaBB', 'BBAa', 'BBBB'];
    let p = PMap.empty<number>();
    keys.forEach((k, i) => (p = p.set(k, i)));
    expect(p.size).toBe(6);
    keys.forEach((k, i) => expect(p.get(k)).toBe(i));
    p = p.delete('AaBB').delete('Aa');
    expect(p.size).toBe(4);
    expect(p.get('AaBB')).toBeUndefined();
    expect(p.get('BB')).toBe(1);
    expect(p.get('BBBB')).toBe(5);
    const b = p.builder();
    b.set('AaAa', 100).set('Aa', 7).delete('BB');
    const q = b.build();
    expect(sorted(q.entries())).toEqual([
      ['Aa', 7],
      ['AaAa', 100],
      ['BBAa', 4],
      ['BBBB', 5],
    ]);
    expect(p.get('AaAa')).toBe(2);
  });

  it('replacing one entry of 100,000 shares the rest: the old and new maps differ in one key', () => {
    const b = PMap.empty<{ n: number }>().builder();
    for (let i = 0; i < 100_000; i++) b.set(`topic-${i}`, { n: i });
    const big = b.build();
    const t0 = performance.now();
    let cur = big;
    for (let i = 0; i < 1000; i++) cur = cur.set(`topic-${i}`, { n: -i });
    const msPerSet = (performance.now() - t0) / 1000;
    expect(big.get('topic-5')).toEqual({ n: 5 });
    expect(cur.get('topic-5')).toEqual({ n: -5 });
    expect(cur.get('topic-99999')).toBe(big.get('topic-99999'));
    expect(cur.size).toBe(100_000);
    // A full copy of 100,000 entries takes milliseconds; a path copy takes microseconds.
    expect(msPerSet).toBeLessThan(0.5);
  });

  it('setting the same value returns the same map; deleting a missing key returns the same map', () => {
    const p = PMap.from([['a', 1]]);
    expect(p.set('a', 1)).toBe(p);
    expect(p.delete('zz')).toBe(p);
    expect(PMap.empty<number>().delete('a').size).toBe(0);
  });

  it('a builder cannot be used after build()', () => {
    const b = PMap.empty<number>().builder();
    b.set('a', 1);
    b.build();
    expect(() => b.set('b', 2)).toThrow(/after build/);
  });
});
