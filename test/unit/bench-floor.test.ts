// bench:cluster's machine floor (tools/bench/cluster/floor-run.ts): the shape runs, commits, is
// measured, and leaves no process or directory behind.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runFloor } from '../../tools/bench/cluster/floor-run.js';
import { ROOT } from '../support/process-harness.js';

const floorNodePath = join(ROOT, 'dist', 'tools', 'bench', 'cluster', 'floor-node.js');

const floorDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mq-floor-'));

describe('bench:cluster floor', () => {
  it.each([3, 0])('with %i observers: writes commit, CPU per write is measured, and nothing is left behind', async (observers) => {
    const before = new Set(floorDirs());
    const r = await runFloor({ outstanding: 8, observers, warmupS: 0.2, seconds: 1, floorNodePath });
    expect(r.writesPerSec).toBeGreaterThan(50);
    expect(r.cpuUsPerWrite).toBeGreaterThan(0);
    expect(Number.isFinite(r.cpuUsPerWrite)).toBe(true);
    expect(r.cores.followers).toBeGreaterThan(0);
    if (observers === 0) expect(r.cores.observers).toBe(0);
    else expect(r.cores.observers).toBeGreaterThan(0);
    expect(floorDirs().filter((d) => !before.has(d))).toEqual([]);
  }, 30_000);

  it('a process that cannot start fails the run with its step named, and leaves nothing behind', async () => {
    const before = new Set(floorDirs());
    await expect(runFloor({ outstanding: 8, observers: 0, warmupS: 0.2, seconds: 1, floorNodePath: join(ROOT, 'no-such-floor-node.js') })).rejects.toThrow(/floor: a process exited \(code 1\) before ports/);
    expect(floorDirs().filter((d) => !before.has(d))).toEqual([]);
  });
});
