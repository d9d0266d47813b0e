// Small statistics helpers shared by the benchmarks.

export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarize(samples: readonly number[]): { min: number; max: number; mean: number; n: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const s of samples) {
    min = Math.min(min, s);
    max = Math.max(max, s);
    sum += s;
  }
  return { min, max, mean: samples.length === 0 ? NaN : sum / samples.length, n: samples.length };
}

/** Counts by key (error names, outcomes); prints as "A 3, B 1" or "none". */
export class Counter {
  readonly byKey = new Map<string, number>();
  add(key: string, n = 1): void {
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + n);
  }
  get total(): number {
    let t = 0;
    for (const v of this.byKey.values()) t += v;
    return t;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.byKey);
  }
  toString(): string {
    return this.byKey.size === 0 ? 'none' : [...this.byKey].map(([k, v]) => `${k} ${v}`).join(', ');
  }
}
