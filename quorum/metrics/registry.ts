// Metrics in Prometheus's text exposition format (version 0.0.4), with no dependency: what a node
// serves on `GET /metrics` (tools/server/metrics-http.ts).
//
// Almost everything is read at scrape time from state the node keeps anyway (the quorum status,
// the metadata image, the broker's lifecycle): a collector is a function returning metric
// families, called once per scrape, so nothing is counted twice and the hot path pays nothing.
// The few things that are events rather than state (a disk append's duration, a request's) are
// Counters and Histograms updated where they happen; an observation is a few comparisons.
//
// Names follow Prometheus's conventions (snake case, base units: seconds and bytes, `_total` on
// counters) under the `metaquorum_` prefix; the README's metrics table maps each to the Kafka
// metric (JMX name) it corresponds to, for operators who know those.

export type MetricType = 'gauge' | 'counter' | 'histogram';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family's name: `_bucket`, `_sum` and `_count` for a histogram; '' otherwise. */
  readonly suffix?: string;
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/** Called at every scrape; returns the families it owns (a name belongs to one collector). */
export type Collector = () => Iterable<MetricFamily>;

export const gauge = (name: string, help: string, samples: readonly Sample[] | number): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: typeof samples === 'number' ? [{ value: samples }] : samples,
});

export const counter = (name: string, help: string, samples: readonly Sample[] | number): MetricFamily => ({
  name,
  help,
  type: 'counter',
  samples: typeof samples === 'number' ? [{ value: samples }] : samples,
});

/** A monotonic count of events, kept where they happen. */
export class Counter {
  private value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  get(): number {
    return this.value;
  }
}

/** Latency buckets (seconds) for a disk sync or a commit: 50 µs to 10 s, as etcd's disk histograms span. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/** A histogram with fixed upper bounds; exported cumulative, as Prometheus wants. */
export class Histogram {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error('histogram bounds must ascend');
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  get observations(): number {
    return this.count;
  }

  family(name: string, help: string, labels: Labels = {}): MetricFamily {
    return { name, help, type: 'histogram', samples: this.samples(labels) };
  }

  samples(labels: Labels = {}): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i]!;
      out.push({ suffix: '_bucket', labels: { ...labels, le: formatValue(this.bounds[i]!) }, value: cumulative });
    }
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.count });
    out.push({ suffix: '_sum', labels, value: this.sum });
    out.push({ suffix: '_count', labels, value: this.count });
    return out;
  }
}

/** The collectors one process serves. */
export class MetricsRegistry {
  private readonly collectors: Collector[] = [];

  add(collector: Collector): void {
    this.collectors.push(collector);
  }

  collect(): MetricFamily[] {
    const families: MetricFamily[] = [];
    const names = new Set<string>();
    for (const c of this.collectors) {
      for (const f of c()) {
        // Two owners of one name would be two TYPE lines, which Prometheus refuses whole.
        if (names.has(f.name)) throw new Error(`metric ${f.name} is collected twice`);
        names.add(f.name);
        families.push(f);
      }
    }
    return families;
  }

  render(): string {
    return renderExposition(this.collect());
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The text exposition format: HELP and TYPE once per family, then its samples. */
export function renderExposition(families: Iterable<MetricFamily>): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ''}${renderLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function renderLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
    parts.push(`${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
