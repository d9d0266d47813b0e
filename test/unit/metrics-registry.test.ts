// The exposition format a Prometheus server reads from GET /metrics: names, labels and their
// escaping, histograms as cumulative buckets, and the registry's refusal of a name collected twice.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counter, gauge, Histogram, MetricsRegistry, renderExposition } from '../../quorum/metrics/registry.js';
import { parseExposition, sampleValue } from '../support/prometheus-text.js';

describe('metrics exposition', () => {
  it('renders HELP, TYPE and samples, with label values escaped and special values spelt as Prometheus does', () => {
    const text = renderExposition([
      gauge('a_gauge', 'first line\nsecond \\ line', [
        { labels: { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' }, value: 1.5 },
        { labels: { path: 'x', quote: '', nl: '' }, value: Infinity },
      ]),
      counter('events_total', 'counted', 7),
      gauge('odd', 'not a number', [{ value: NaN }, { labels: { s: 'neg' }, value: -Infinity }]),
    ]);
    expect(text.split('\n').slice(0, 4)).toEqual([
      '# HELP a_gauge first line\\nsecond \\\\ line',
      '# TYPE a_gauge gauge',
      'a_gauge{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 1.5',
      'a_gauge{path="x",quote="",nl=""} +Inf',
    ]);
    const parsed = parseExposition(text);
    expect(sampleValue(parsed, 'a_gauge', { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' })).toBe(1.5);
    expect(sampleValue(parsed, 'events_total')).toBe(7);
    expect(parsed.get('events_total')!.type).toBe('counter');
    expect(sampleValue(parsed, 'odd', { s: 'neg' })).toBe(-Infinity);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('refuses invalid metric and label names instead of writing a scrape Prometheus rejects whole', () => {
    expect(() => renderExposition([gauge('has-dash', 'x', 1)])).toThrow(/invalid metric name/);
    expect(() => renderExposition([gauge('ok', 'x', [{ labels: { 'bad-label': 'v' }, value: 1 }])])).toThrow(/invalid label name/);
    expect(() => renderExposition([gauge('ok', 'x', [{ labels: { __reserved: 'v' }, value: 1 }])])).toThrow(/invalid label name/);
  });

  it('a histogram exports cumulative buckets ending in +Inf = count, with the sum', () => {
    const h = new Histogram([0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.001, 0.002, 0.05, 0.5, 3]) h.observe(v);
    const parsed = parseExposition(renderExposition([h.family('lat_seconds', 'latency', { op: 'x' })]));
    const bucket = (le: string) => sampleValue(parsed, 'lat_seconds', { op: 'x', le }, 'lat_seconds_bucket');
    // An observation equal to a bound falls in that bucket (le: less than or equal).
    expect([bucket('0.001'), bucket('0.01'), bucket('0.1'), bucket('+Inf')]).toEqual([2, 3, 4, 6]);
    expect(sampleValue(parsed, 'lat_seconds', { op: 'x' }, 'lat_seconds_count')).toBe(6);
    expect(sampleValue(parsed, 'lat_seconds', { op: 'x' }, 'lat_seconds_sum')).toBeCloseTo(3.5535, 10);
    expect(() => new Histogram([0.1, 0.1])).toThrow(/ascend/);
  });

  it('histogram buckets are cumulative and consistent for any observations (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 200 }), (values) => {
        const h = new Histogram();
        for (const v of values) h.observe(v);
        const samples = h.samples();
        const buckets = samples.filter((s) => s.suffix === '_bucket');
        for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
        expect(buckets.at(-1)!.value).toBe(values.length);
        for (const b of buckets) {
          const le = b.labels!.le === '+Inf' ? Infinity : Number(b.labels!.le);
          expect(b.value).toBe(values.filter((v) => v <= le).length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a registry renders every collector, afresh at each scrape, and refuses one name from two collectors', () => {
    let n = 0;
    const r = new MetricsRegistry();
    r.add(() => [gauge('scrapes', 'how many times collected', ++n)]);
    r.add(() => [counter('other_total', 'x', 1)]);
    expect(sampleValue(parseExposition(r.render()), 'scrapes')).toBe(1);
    expect(sampleValue(parseExposition(r.render()), 'scrapes')).toBe(2);
    r.add(() => [gauge('scrapes', 'again', 0)]);
    expect(() => r.render()).toThrow(/collected twice/);
  });
});
