// sim-cli's focus options (tools/sim-cli.ts): --weight replaces the drawn weight of the named fault
// kinds and --fault-interval caps the gap between faults, which the summary's fault counts show;
// a bad value is exit 2 naming it. Its recovery summary (tools/sim/recovery-summary.ts): each
// seed's liveness-phase timings and, over the sweep, their percentiles and the slowest seeds. Run
// against dist/ (vitest's globalSetup builds it).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatRecovery, recoverySummary, type SeedRecovery } from '../../tools/sim/recovery-summary.js';

const run = (...args: string[]) => spawnSync(process.execPath, ['dist/tools/sim-cli.js', '--voters', '3', '--workers', '1', '--json', ...args], { encoding: 'utf8', timeout: 120_000 });

interface Times {
  readonly leaderMs: number;
  readonly commitMs: number;
  readonly convergedMs: number;
}
interface Summary {
  readonly seedsRun: number;
  readonly violations: number;
  readonly faults: Record<string, number>;
  readonly recovery: (Record<keyof Times, { p50: number; p99: number; max: number }> & { seeds: number; slowest: ({ seed: number } & Times)[] }) | null;
}
const summaryOf = (stdout: string): Summary => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { summary: Summary }).summary;

const NONE = 'crash=0,gracefulStop=0,pause=0,partition=0,oneWay=0,slowFsync=0,wipe=0,reset=0';

describe('sim-cli focus options', () => {
  it('every weight at 0 injects no fault; wipes only, frequent, inject wipes and nothing else', () => {
    const none = run('--seeds', '3', '--start', '40', '--weight', NONE);
    expect(none.status, none.stderr).toBe(0);
    const quiet = summaryOf(none.stdout);
    expect(quiet.seedsRun).toBe(3);
    expect(Object.values(quiet.faults).every((n) => n === 0)).toBe(true);

    const wipes = run('--seeds', '3', '--start', '40', '--weight', NONE.replace('wipe=0', 'wipe=5'), '--fault-interval', '500');
    expect(wipes.status, wipes.stderr).toBe(0);
    const focused = summaryOf(wipes.stdout);
    expect(focused.violations).toBe(0);
    expect(focused.faults['wipe']).toBeGreaterThan(0);
    expect(Object.entries(focused.faults).filter(([k]) => k !== 'wipe').every(([, n]) => n === 0)).toBe(true);
  }, 120_000);

  it('an unknown fault or a bad weight or interval is exit 2 with one line naming it', () => {
    const unknown = run('--weight', 'meteor=1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^sim-cli: --weight: unknown fault "meteor" \(one of crash, .*\)\n$/);
    const bad = run('--weight', 'wipe=-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--weight: wipe needs a whole number ≥ 0');
    const interval = run('--fault-interval', '0');
    expect(interval.status).toBe(2);
    expect(interval.stderr).toContain('--fault-interval takes a whole number of ms > 0');
    const atOnce = run('--wipes-at-once', '0');
    expect(atOnce.status).toBe(2);
    expect(atOnce.stderr).toContain('--wipes-at-once takes a whole number ≥ 1');
  });

  it('--wipes-at-once 2 with five voters replaces a second disk while the first waits to be re-admitted (counted apart)', () => {
    const r = run('--seeds', '2', '--start', '1050000', '--voters', '5', '--weight', 'wipe=6', '--fault-interval', '1000', '--wipes-at-once', '2');
    expect(r.status, r.stderr).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary.violations).toBe(0);
    expect(summary.faults['wipeOverlapping']).toBeGreaterThan(0);
  }, 120_000);
});

describe('sim-cli recovery summary', () => {
  const seed = (n: number, commitMs: number | null): SeedRecovery => ({ seed: n, voters: 3, recovery: commitMs === null ? null : { leaderMs: commitMs - 10, commitMs, convergedMs: commitMs + 100 } });

  it('percentiles over the seeds that recovered; the slowest to commit first, ties by seed', () => {
    const outcomes = [seed(1, 50), seed(2, null), ...Array.from({ length: 98 }, (_, i) => seed(10 + i, 20 + i)), seed(3, 900)];
    const r = recoverySummary(outcomes)!;
    expect(r.seeds).toBe(100);
    expect(r.commitMs.p50).toBe(68);
    expect(r.commitMs.p99).toBe(117);
    expect(r.commitMs.max).toBe(900);
    expect(r.leaderMs.max).toBe(890);
    expect(r.convergedMs.max).toBe(1000);
    expect(r.slowest.map((x) => x.seed)).toEqual([3, 107, 106, 105, 104]);
    expect(recoverySummary([seed(5, 30), seed(4, 30)])!.slowest.map((x) => x.seed)).toEqual([4, 5]);
    expect(formatRecovery(r)).toContain('fresh commit p50 68 / p99 117 / max 900 ms');
    expect(formatRecovery(r)).toContain('slowest to commit: 3 (3 voters: 900 ms), 107');
  });

  it('no seed recovered: no summary', () => {
    expect(recoverySummary([seed(1, null)])).toBeNull();
    expect(recoverySummary([])).toBeNull();
  });

  it('a sweep prints each seed\'s recovery, in order (leader, then commit, then all applied), and the summary agrees', () => {
    const r = run('--seeds', '4', '--start', '70');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const perSeed = lines.slice(0, -1).map((l) => JSON.parse(l) as { seed: number; recovery: Times });
    expect(perSeed).toHaveLength(4);
    for (const { recovery } of perSeed) {
      expect(recovery.leaderMs).toBeGreaterThanOrEqual(0);
      expect(recovery.commitMs).toBeGreaterThan(recovery.leaderMs);
      expect(recovery.convergedMs).toBeGreaterThanOrEqual(recovery.commitMs);
    }
    const summary = summaryOf(r.stdout).recovery!;
    expect(summary.seeds).toBe(4);
    expect(summary.commitMs.max).toBe(Math.round(Math.max(...perSeed.map((x) => x.recovery.commitMs))));
    expect(summary.slowest[0]!.seed).toBe(perSeed.reduce((a, b) => (b.recovery.commitMs > a.recovery.commitMs ? b : a)).seed);
  }, 120_000);
});
