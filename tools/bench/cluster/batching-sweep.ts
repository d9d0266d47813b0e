// bench:cluster's `batching` phase (not run by default): the throughput run again at several
// outstanding counts (16, 64, 256), to split each process's CPU into a cost per record and a cost
// per Raft batch ("wave"). With N writes outstanding on one connection, each wave carries N
// records, so CPU per write = perRecord + perWave / N; a least-squares line through the points
// (x = 1/N) gives both. It answers where a throughput target stands: at N outstanding with both
// cores busy, writes/s cannot pass cores / (Σ perRecord + Σ perWave / N), whatever the scheduling.

import { throughputRun, type WarmUp } from './write-phases.js';
import type { Part } from './alter-loops.js';
import type { Bench } from './bench-cluster.js';

export const SWEEP_OUTSTANDING = [16, 64, 256] as const;

export type Role = 'leader' | 'followers' | 'brokers' | 'loadGenerator';
const ROLES: readonly Role[] = ['leader', 'followers', 'brokers', 'loadGenerator'];

export interface SweepPoint {
  readonly outstanding: number;
  readonly writesPerSec: number;
  /** CPU µs per committed write, by role (followers and brokers summed over their nodes). */
  readonly cpuUsPerWrite: Readonly<Record<Role, number>>;
}

export interface CostModel {
  /** µs of CPU per record, by role. */
  readonly perRecordUs: Readonly<Record<Role, number>>;
  /** µs of CPU per wave whatever its size, by role. */
  readonly perWaveUs: Readonly<Record<Role, number>>;
}

export interface SweepResult {
  readonly points: readonly SweepPoint[];
  readonly model: CostModel;
}

/** Least squares y = a + b·x; a and b. Needs two distinct x at least. */
export function fitLine(xs: readonly number[], ys: readonly number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) throw new Error('fitLine: the points need at least two distinct x');
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

/** The per-record and per-wave costs of each role, from points at different outstanding counts. */
export function costModel(points: readonly SweepPoint[]): CostModel {
  const perRecordUs = {} as Record<Role, number>;
  const perWaveUs = {} as Record<Role, number>;
  for (const role of ROLES) {
    const { a, b } = fitLine(
      points.map((p) => 1 / p.outstanding),
      points.map((p) => p.cpuUsPerWrite[role]),
    );
    perRecordUs[role] = a;
    perWaveUs[role] = b;
  }
  return { perRecordUs, perWaveUs };
}

/** CPU per write measured at a point, all roles summed. */
export function totalUsPerWrite(point: SweepPoint): number {
  return ROLES.reduce((s, r) => s + point.cpuUsPerWrite[r], 0);
}

/** CPU per write the model predicts at `outstanding`, all roles summed. */
export function modelledUsPerWrite(model: CostModel, outstanding: number): number {
  return ROLES.reduce((s, r) => s + model.perRecordUs[r] + model.perWaveUs[r] / outstanding, 0);
}

export interface SweepOptions {
  readonly outstanding: readonly number[];
  readonly warmUp: WarmUp;
  readonly writeSeconds: number;
  readonly controllerIds: readonly number[];
  readonly brokerIds: readonly number[];
  readonly say: (line: string) => void;
}

export async function batchingSweep(b: Bench, parts: readonly Part[], epochs: ReadonlyMap<number, number>, o: SweepOptions): Promise<SweepResult> {
  const points: SweepPoint[] = [];
  for (const outstanding of o.outstanding) {
    const t = await throughputRun(b, parts, epochs, { outstanding, connections: 1, warmUp: o.warmUp, writeSeconds: o.writeSeconds, say: o.say });
    const us = (cpuS: number) => (cpuS / t.run.committed) * 1e6;
    const cpuOf = (ids: readonly number[]) => ids.reduce((s, id) => s + (t.cpu.nodeCpuS[String(id)] ?? NaN), 0);
    const point: SweepPoint = {
      outstanding,
      writesPerSec: t.run.committed / t.run.seconds,
      cpuUsPerWrite: {
        leader: us(cpuOf([t.leaderId])),
        followers: us(cpuOf(o.controllerIds.filter((id) => id !== t.leaderId))),
        brokers: us(cpuOf(o.brokerIds)),
        loadGenerator: us(t.cpu.benchCpuS),
      },
    };
    o.say(`batching: ${outstanding} outstanding: ${Math.round(point.writesPerSec)} writes/s, ${Math.round(totalUsPerWrite(point))} µs CPU per write`);
    points.push(point);
  }
  return { points, model: costModel(points) };
}
