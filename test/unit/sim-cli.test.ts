// sim-cli's focus options (tools/sim-cli.ts): --weight replaces the drawn weight of the named fault
// kinds and --fault-interval caps the gap between faults, which the summary's fault counts show;
// a bad value is exit 2 naming it. Run against dist/ (vitest's globalSetup builds it).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => spawnSync(process.execPath, ['dist/tools/sim-cli.js', '--voters', '3', '--workers', '1', '--json', ...args], { encoding: 'utf8', timeout: 120_000 });

interface Summary {
  readonly seedsRun: number;
  readonly violations: number;
  readonly faults: Record<string, number>;
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
