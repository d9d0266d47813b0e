// The connection rate per remote address against a quota (quorum/net/connection-rate.ts, Kafka's
// KIP-612 IP connection rate, measured as Kafka's Rate over 11 samples of 1 s): the burst a new
// address gets (10 x quota), refused connections not counted, the 11 s expiry and the window
// padding, an overlapping sample stretching the window, idle addresses forgotten and the bound
// on addresses kept; and, with fast-check, the tracker against a model that keeps every attempt
// and derives the samples from scratch each time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionRateTracker, KAFKA_QUOTA_WINDOW, type ConnectionRateWindow } from '../../quorum/net/connection-rate.js';

const MANY = 1_000;

function burst(t: ConnectionRateTracker, address: string, quota: number, n: number, nowMs: number): boolean[] {
  return Array.from({ length: n }, () => t.record(address, quota, nowMs).admitted);
}

describe('ConnectionRateTracker (11 samples of 1 s, as Kafka)', () => {
  it('quota 2: a new address gets a burst of 20 (measured over 10 s), the 21st is refused at 2.1/s; refused ones do not count', () => {
    const t = new ConnectionRateTracker(MANY);
    expect(burst(t, '10.0.0.7', 2, 20, 5_000).every(Boolean)).toBe(true);
    expect(t.record('10.0.0.7', 2, 5_000)).toEqual({ admitted: false, ratePerSecond: 2.1 });
    // Ten more refused: still 20 counted, so the next is measured at 2.1/s again, not 3.1/s.
    burst(t, '10.0.0.7', 2, 10, 5_000);
    expect(t.record('10.0.0.7', 2, 5_000)).toEqual({ admitted: false, ratePerSecond: 2.1 });
    // Another address is measured apart.
    expect(t.record('10.0.0.8', 2, 5_000)).toEqual({ admitted: true, ratePerSecond: 0.1 });
  });

  it('quota 0 refuses every connection; a quota raised later admits at once (the history holds no refused connection)', () => {
    const t = new ConnectionRateTracker(MANY);
    expect(t.record('::1', 0, 0)).toEqual({ admitted: false, ratePerSecond: 0.1 });
    expect(t.record('::1', 0, 100).admitted).toBe(false);
    // One sample since 0 (the refused ones started it): 200 ms padded to 10.2 s.
    expect(t.record('::1', 1, 200)).toEqual({ admitted: true, ratePerSecond: 1000 / 10_200 });
  });

  it('the quota itself is allowed: rate == quota admits (Kafka\'s upper bound), just over refuses', () => {
    const t = new ConnectionRateTracker(MANY);
    const ten = burst(t, 'a', 1, 10, 0);
    expect(ten.every(Boolean)).toBe(true); // the 10th is 10 / 10 s = 1.0
    expect(t.record('a', 1, 0).admitted).toBe(false); // 1.1
  });

  it('one connection a second stays under a quota of 2 however long it goes on; ten a second settle at about 2 a second', () => {
    const slow = new ConnectionRateTracker(MANY);
    for (let s = 0; s < 120; s++) expect(slow.record('a', 2, s * 1_000).admitted, `at ${s} s`).toBe(true);

    const fast = new ConnectionRateTracker(MANY);
    let admitted = 0;
    for (let ms = 0; ms < 60_000; ms += 100) if (fast.record('a', 2, ms).admitted) admitted++;
    // The first burst (20) and then about 2 a second; Kafka's sum includes the sample in progress,
    // so the steady state runs a little under the quota.
    expect(admitted).toBeGreaterThanOrEqual(2 * 50);
    expect(admitted).toBeLessThanOrEqual(20 + 2 * 60);
  });

  it('a connection counts until its sample\'s last event is 11 s old; the window is padded to 10 whole windows', () => {
    const t = new ConnectionRateTracker(MANY);
    burst(t, 'a', 1_000, 10, 0); // one sample: start 0, last event 0
    // 10_999 ms on: still counted; the window is 10_999 ms (10 whole windows: no padding).
    expect(t.record('a', 1_000, 10_999).ratePerSecond).toBeCloseTo((11 * 1000) / 10_999, 10);
    // The first sample expired at 11_000 from its last event; the second (10_999) is the oldest:
    // 1 ms elapsed, padded by 10 windows.
    expect(t.record('a', 1_000, 11_000).ratePerSecond).toBeCloseTo((2 * 1000) / 10_001, 10);
  });

  it('a sample whose last event is recent is kept though it started earlier: the window stretches past 11 s (Kafka #15889)', () => {
    const t = new ConnectionRateTracker(MANY);
    t.record('a', 1_000, 0);
    t.record('a', 1_000, 999); // same sample: start 0, last event 999
    expect(t.record('a', 1_000, 11_500).ratePerSecond).toBeCloseTo((3 * 1000) / 11_500, 10);
  });

  it('forgets an address whose last connection is 11 s old: it measures as a new one, with a new burst', () => {
    const t = new ConnectionRateTracker(MANY);
    burst(t, 'a', 1, 11, 0); // 10 admitted, 1 refused
    expect(t.size).toBe(1);
    expect(t.record('b', 1, 10_999).admitted).toBe(true);
    expect(t.size).toBe(2);
    expect(t.record('b', 1, 11_000).admitted).toBe(true); // 'a' is 11 s idle: dropped
    expect(t.size).toBe(1);
    expect(burst(t, 'a', 1, 10, 11_000).every(Boolean)).toBe(true);
  });

  it('a refused connection keeps its address\'s samples alive as Kafka\'s unrecord does (its last event moves)', () => {
    const t = new ConnectionRateTracker(MANY);
    burst(t, 'a', 1, 10, 0);
    expect(t.record('a', 1, 900).admitted).toBe(false); // last event of the first sample: 900
    // At 11_500 the first sample (10 connections) is still within 11 s of its last event: 11
    // counted over 11.5 s (without the refused one it would have gone at 11_000: 1 over 10 s).
    expect(t.record('a', 1, 11_500)).toEqual({ admitted: true, ratePerSecond: (11 * 1000) / 11_500 });
  });

  it('keeps at most addressesMax addresses: a new one pushes out the one idle longest, which comes back with no history', () => {
    const t = new ConnectionRateTracker(3);
    burst(t, 'a', 1, 10, 0);
    burst(t, 'b', 1, 10, 1);
    burst(t, 'c', 1, 10, 2);
    expect(t.record('a', 1, 3).admitted).toBe(false); // 'a' is now the newest
    t.record('d', 1, 4); // pushes out 'b'
    expect(t.size).toBe(3);
    expect(t.evicted).toBe(1);
    expect(t.record('c', 1, 5).admitted).toBe(false); // kept: still over
    expect(t.record('b', 1, 6).admitted).toBe(true); // forgotten: a fresh burst (this pushes out 'a')
    expect(t.evicted).toBe(2);
    expect(t.record('a', 1, 7).admitted).toBe(true);
  });

  it('a scan from 50 000 addresses keeps no more than addressesMax', () => {
    const t = new ConnectionRateTracker(1_000);
    for (let i = 0; i < 50_000; i++) t.record(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 5, i >> 4);
    expect(t.size).toBeLessThanOrEqual(1_000);
  });

  it('a clock that steps back is held where it was', () => {
    const t = new ConnectionRateTracker(MANY);
    burst(t, 'a', 1, 10, 5_000);
    expect(t.record('a', 1, 1_000)).toEqual({ admitted: false, ratePerSecond: 1.1 });
  });

  it('fractions of a ms are dropped, as Kafka counts whole ms', () => {
    const t = new ConnectionRateTracker(MANY);
    t.record('a', 5, 0.9);
    expect(t.record('a', 5, 11_000.5).ratePerSecond).toBeCloseTo(0.1, 10); // 11 s after 0: expired
  });
});

// ---- the model ------------------------------------------------------------------------------

interface Attempt {
  readonly t: number;
  admitted: boolean;
}

/**
 * Every attempt of every address kept, the samples derived from them from scratch at each call:
 * a sample starts at an attempt windowMs or more after the current one's start; a sample is kept
 * while its last attempt is under samples x windowMs old; the rate is the admitted attempts in the
 * kept samples (this one included) over now - the oldest kept start, padded to samples - 1 windows.
 * An address is forgotten when its last attempt is that old, or when a new address finds
 * addressesMax kept (the one whose last attempt is the oldest goes).
 */
class Model {
  private readonly attempts = new Map<string, Attempt[]>();
  /** Kept addresses by the sequence number of their last attempt. */
  private readonly lastSeq = new Map<string, number>();
  private seq = 0;
  private last = -Infinity;

  constructor(
    private readonly addressesMax: number,
    private readonly w: ConnectionRateWindow,
  ) {}

  record(address: string, quota: number, nowMs: number): { admitted: boolean; ratePerSecond: number } {
    const now = Math.max(Math.floor(nowMs), this.last);
    this.last = now;
    const expire = this.w.samples * this.w.windowMs;
    for (const [a, list] of this.attempts) {
      if (now - list.at(-1)!.t >= expire) {
        this.attempts.delete(a);
        this.lastSeq.delete(a);
      }
    }
    if (!this.attempts.has(address) && this.attempts.size >= this.addressesMax) {
      const oldest = [...this.lastSeq].sort((x, y) => x[1] - y[1])[0]![0];
      this.attempts.delete(oldest);
      this.lastSeq.delete(oldest);
    }
    const list = this.attempts.get(address) ?? [];
    this.attempts.set(address, list);
    this.lastSeq.set(address, this.seq++);
    const attempt: Attempt = { t: now, admitted: true };
    list.push(attempt);

    const samples: { start: number; attempts: Attempt[] }[] = [];
    for (const a of list) {
      const current = samples.at(-1);
      if (current === undefined || a.t - current.start >= this.w.windowMs) samples.push({ start: a.t, attempts: [a] });
      else current.attempts.push(a);
    }
    const kept = samples.filter((s) => now - s.attempts.at(-1)!.t < expire);
    const sum = kept.reduce((n, s) => n + s.attempts.filter((a) => a.admitted).length, 0);
    const elapsed = now - kept[0]!.start;
    const missing = this.w.samples - 1 - Math.floor(elapsed / this.w.windowMs);
    const windowMs = Math.max(1, elapsed + Math.max(0, missing) * this.w.windowMs);
    attempt.admitted = sum * 1000 <= quota * windowMs;
    return { admitted: attempt.admitted, ratePerSecond: (sum * 1000) / windowMs };
  }

  get size(): number {
    return this.attempts.size;
  }
}

const step = fc.record({
  address: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3', '::1', 'fd00::9'),
  // Mostly bursts, sometimes a pause past a sample, near the whole window or past it.
  advanceMs: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 50 }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_500 }) },
    // Around the 11 s expiry of Kafka's window, and past it.
    { weight: 1, arbitrary: fc.integer({ min: 9_000, max: 12_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 15_000 }) },
  ),
  fractionMs: fc.constantFrom(0, 0.25, 0.999),
  quota: fc.integer({ min: 0, max: 6 }),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function compare(addressesMax: number, w: ConnectionRateWindow, steps: readonly Step[]): void {
  const tracker = new ConnectionRateTracker(addressesMax, w);
  const model = new Model(addressesMax, w);
  let now = 0;
  for (const [i, s] of steps.entries()) {
    now += s.advanceMs;
    const at = now + s.fractionMs;
    expect(tracker.record(s.address, s.quota, at), `step ${i}: ${s.address} at ${at} quota ${s.quota}`).toEqual(model.record(s.address, s.quota, at));
    expect(tracker.size, `step ${i}: addresses kept`).toBe(model.size);
    expect(tracker.size).toBeLessThanOrEqual(addressesMax);
  }
}

describe('ConnectionRateTracker against the model (fast-check)', () => {
  it("Kafka's window (11 x 1 s), room for every address: same decisions, same rates, same addresses kept", () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 400 }), (steps) => compare(MANY, KAFKA_QUOTA_WINDOW, steps)), { numRuns: 200 });
  });

  it('any window and a bound of 1 to 4 addresses: the same, evictions included', () => {
    const window = fc.record({ windowMs: fc.integer({ min: 1, max: 2_000 }), samples: fc.integer({ min: 2, max: 12 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), window, fc.array(step, { minLength: 1, maxLength: 300 }), (max, w, steps) => compare(max, w, steps)),
      { numRuns: 200 },
    );
  });
});
