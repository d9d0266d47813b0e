// bench:cluster's machine floor (tools/bench/cluster/floor-run.ts): the shape runs, commits, is
// measured, and leaves no process or directory behind.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runFloor } from '../../tools/bench/cluster/floor-run.js';
import { ROOT } from '../support/process-harness.js';

const floorNodePath = join(ROOT, 'dist', 'tools', 'bench', 'cluster', 'floor-node.js');

const floorDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mq-floor-'));
/** This process's children running floor-node.js in `role` (any role when left out). */
const floorChildren = (role?: string): number[] =>
  execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[2]?.endsWith('floor-node.js') === true && (role === undefined || w[3] === role))
    .map((w) => Number(w[0]));

describe('bench:cluster floor', () => {
  it.each([3, 0])('with %i observers: writes commit, CPU per write is measured, and nothing is left behind', async (observers) => {
    const before = new Set(floorDirs());
    const r = await runFloor({ outstanding: 8, observers, warmupS: 0.2, seconds: 1, floorNodePath });
    expect(r.writesPerSec).toBeGreaterThan(50);
    expect(r.cpuUsPerWrite).toBeGreaterThan(0);
    expect(Number.isFinite(r.cpuUsPerWrite)).toBe(true);
    expect(r.cores.followers).toBeGreaterThan(0);
    expect(r.roundTripMs.p50).toBeGreaterThan(0);
    expect(r.roundTripMs.p99).toBeGreaterThanOrEqual(r.roundTripMs.p50);
    if (observers === 0) expect(r.cores.observers).toBe(0);
    else expect(r.cores.observers).toBeGreaterThan(0);
    expect(floorDirs().filter((d) => !before.has(d))).toEqual([]);
    expect(floorChildren()).toEqual([]);
  }, 30_000);

  it.each(['follower', 'leader', 'client'])('a %s killed during the timed window fails the run, naming it, and nothing is left behind', async (role) => {
    const before = new Set(floorDirs());
    const run = runFloor({ outstanding: 8, observers: 1, warmupS: 0.3, seconds: 3, floorNodePath });
    const killer = setInterval(() => {
      const [pid] = floorChildren('client').length > 0 ? floorChildren(role) : [];
      if (pid === undefined) return;
      clearInterval(killer);
      setTimeout(() => process.kill(pid, 'SIGKILL'), 800);
    }, 50);
    try {
      await expect(run).rejects.toThrow(/^floor: the (leader|follower|client) \(pid \d+\) exited during the run/);
    } finally {
      clearInterval(killer);
    }
    await expect(run).rejects.toThrow(role === 'follower' ? /the (follower|leader) /: new RegExp(`the ${role} `));
    expect(floorDirs().filter((d) => !before.has(d))).toEqual([]);
    expect(floorChildren()).toEqual([]);
  }, 30_000);

  it('at 1 outstanding the round trip is the whole time per write (the latency floor)', async () => {
    const r = await runFloor({ outstanding: 1, observers: 0, warmupS: 0.2, seconds: 1, floorNodePath });
    // One request at a time: writes/s × mean round trip ≈ 1 s, so the median cannot exceed the
    // time per write by much, nor be far below it (only a stall of most of the window could put the
    // mean at over 3 times the median) unless round trips are mismeasured.
    const perWriteMs = 1000 / r.writesPerSec;
    expect(r.roundTripMs.p50).toBeLessThanOrEqual(perWriteMs * 1.2);
    expect(r.roundTripMs.p50).toBeGreaterThan(perWriteMs * 0.3);
  }, 30_000);

  it('a process that cannot start fails the run, naming it, and leaves nothing behind', async () => {
    const before = new Set(floorDirs());
    await expect(runFloor({ outstanding: 8, observers: 0, warmupS: 0.2, seconds: 1, floorNodePath: join(ROOT, 'no-such-floor-node.js') })).rejects.toThrow(/^floor: the leader \(pid \d+\) exited during the run \(code 1\)/);
    expect(floorDirs().filter((d) => !before.has(d))).toEqual([]);
  });
});
