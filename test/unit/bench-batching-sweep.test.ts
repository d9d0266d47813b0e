// bench:cluster's batching phase (tools/bench/cluster/batching-sweep.ts): the least-squares split
// of CPU per write into a cost per record and a cost per wave.

import { describe, expect, it } from 'vitest';
import { costModel, fitLine, modelledUsPerWrite, totalUsPerWrite, type Role, type SweepPoint } from '../../tools/bench/cluster/batching-sweep.js';

const truth: Record<Role, { perRecord: number; perWave: number }> = {
  leader: { perRecord: 21, perWave: 700 },
  followers: { perRecord: 9, perWave: 820 },
  brokers: { perRecord: 9.3, perWave: 956 },
  loadGenerator: { perRecord: 11.4, perWave: 154 },
};

const pointAt = (outstanding: number, noise: (role: Role) => number = () => 0): SweepPoint => {
  const cpu = {} as Record<Role, number>;
  for (const role of Object.keys(truth) as Role[]) cpu[role] = truth[role].perRecord + truth[role].perWave / outstanding + noise(role);
  return { outstanding, writesPerSec: 0, cpuUsPerWrite: cpu };
};

describe('batching sweep cost model', () => {
  it('recovers the per-record and per-wave costs from exact points', () => {
    const model = costModel([16, 64, 256].map((n) => pointAt(n)));
    for (const role of Object.keys(truth) as Role[]) {
      expect(model.perRecordUs[role]).toBeCloseTo(truth[role].perRecord, 6);
      expect(model.perWaveUs[role]).toBeCloseTo(truth[role].perWave, 6);
    }
    // 21 + 9 + 9.3 + 11.4 per record, (700 + 820 + 956 + 154) / 64 per wave
    expect(modelledUsPerWrite(model, 64)).toBeCloseTo(50.7 + 2630 / 64, 6);
    expect(totalUsPerWrite(pointAt(64))).toBeCloseTo(50.7 + 2630 / 64, 6);
  });

  it('is a least-squares fit, not a line through two of the points', () => {
    const { a, b } = fitLine([0, 1, 2], [0, 2, 1]);
    expect(b).toBeCloseTo(0.5, 9);
    expect(a).toBeCloseTo(0.5, 9);
  });

  it('needs two distinct outstanding counts', () => {
    expect(() => costModel([pointAt(64), pointAt(64)])).toThrow(/two distinct/);
  });
});
