// The verdict of bench:vs-zk: per workload the median and min–max of each system's samples, the
// ratio metaquorum / ZooKeeper of the medians, and whether that ratio meets issue 8's target
// (throughput ≥ 5×, latency and kill -9 failover ≤ 1×, SIGSTOP failover ≤ 1/5, cold load ≤ 1/10).
// The same rows become the markdown table and the JSON.

import { median, summarize } from '../stats.js';

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
  readonly samples: readonly number[];
}

export function stat(samples: readonly number[]): Stat {
  const v = samples.filter(Number.isFinite);
  const s = summarize(v);
  return { median: median(v), min: s.min, max: s.max, n: v.length, samples: v };
}

export interface Target {
  readonly op: '>=' | '<=';
  /** Bound on metaquorum / ZooKeeper. */
  readonly ratio: number;
}

export interface Comparison {
  readonly id: string;
  readonly workload: string;
  readonly unit: 'ops/s' | 'ms';
  readonly zookeeper: Stat;
  readonly metaquorum: Stat;
  /** metaquorum median / ZooKeeper median. */
  readonly ratio: number;
  readonly target: Target | null;
  /** null without a target; false also when a side has no sample. */
  readonly met: boolean | null;
  /** ZooKeeper as perf-anchors.md measured it on the same kind of machine (a check of this run's ZooKeeper). */
  readonly anchor: string;
}

export function compare(id: string, workload: string, unit: Comparison['unit'], zk: readonly number[], mq: readonly number[], target: Target | null, anchor = ''): Comparison {
  const zookeeper = stat(zk);
  const metaquorum = stat(mq);
  const ratio = metaquorum.median / zookeeper.median;
  const met = target === null ? null : Number.isFinite(ratio) && (target.op === '>=' ? ratio >= target.ratio : ratio <= target.ratio);
  return { id, workload, unit, zookeeper, metaquorum, ratio, target, met, anchor };
}

const num = (n: number, digits: number) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function value(n: number, unit: Comparison['unit']): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (unit === 'ops/s') return num(n, 0);
  return `${num(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
}

function cell(s: Stat, unit: Comparison['unit']): string {
  if (s.n === 0) return 'n/a';
  return s.n === 1 ? `${value(s.median, unit)} (n=1)` : `${value(s.median, unit)} [${value(s.min, unit)}–${value(s.max, unit)}] (n=${s.n})`;
}

export function ratioText(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 10 ? num(r, 0) : r >= 1 ? num(r, 2) : r >= 0.01 ? num(r, 3) : r.toPrecision(2);
}

function targetText(t: Target | null): string {
  if (t === null) return '';
  return `${t.op === '>=' ? '≥' : '≤'} ${t.ratio < 1 ? `1/${Math.round(1 / t.ratio)}` : ratioText(t.ratio)}`;
}

export function comparisonTable(rows: readonly Comparison[]): string {
  return [
    '| workload | ZooKeeper 3.8: median [min–max] (n) | metaquorum: median [min–max] (n) | metaquorum / ZooKeeper | target | met | ZooKeeper in perf-anchors.md |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.workload} | ${cell(r.zookeeper, r.unit)} | ${cell(r.metaquorum, r.unit)} | ${ratioText(r.ratio)} | ${targetText(r.target)} | ${r.met === null ? '' : r.met ? '✓' : '✗'} | ${r.anchor} |`),
  ].join('\n');
}
