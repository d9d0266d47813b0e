// The rate limit of the warn lines about refused connections (quorum/net/refusal-warnings.ts): at
// most one line per key per interval, each carrying the refusals since the previous line, and a
// bounded memory of keys however many addresses a storm comes from.

import { describe, expect, it } from 'vitest';
import { RefusalWarnings } from '../../quorum/net/refusal-warnings.js';

describe('RefusalWarnings', () => {
  it('keys are independent, and the count carries over until a line is due', () => {
    let now = 0;
    const w = new RefusalWarnings(1_000, () => now);
    expect(w.note('a')).toBe(1);
    expect(w.note('b')).toBe(1);
    expect(w.note('a')).toBeNull();
    expect(w.note('a')).toBeNull();
    now = 1_000;
    expect(w.note('a')).toBe(3);
    expect(w.note('b')).toBe(1);
    expect(w.note('a')).toBeNull();
  });

  it('stays bounded under refusals from many addresses, and still logs a new address at once', () => {
    const now = 0;
    const w = new RefusalWarnings(1_000, () => now);
    let logged = 0;
    for (let i = 0; i < 20_000; i++) if (w.note(`10.0.${i >> 8}.${i & 255}`) === 1) logged++;
    expect(logged).toBe(20_000);
    expect((w as unknown as { byKey: Map<string, unknown> }).byKey.size).toBeLessThanOrEqual(4096);
  });
});
