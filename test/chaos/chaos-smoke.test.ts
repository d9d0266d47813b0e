// The CI chaos smoke: `metaquorum chaos` as a user runs it (the compiled CLI in a child process),
// 3 controllers + 2 brokers on loopback, kill -9, SIGSTOP, partitions (both ways and one way) and
// connection resets through the fault proxy for 75 s, then 60 s of disk faults, then 45 s of both on
// 3 combined nodes (each controller runs a broker on its own log), each followed by the checks of
// tools/chaos/chaos-run.ts. It must find no
// violation, must have injected faults of every requested kind, and must have acknowledged a
// real amount of work (a run where nothing happened proves nothing). Seed fixed so CI runs the
// same schedule; `npm run test -- test/chaos` runs it alone.

import { describe, expect, it } from 'vitest';
import { runCli } from '../support/process-harness.js';
import type { ChaosReport } from '../../tools/chaos/chaos-run.js';

const SEED = 20261121;

describe('chaos smoke (real processes: kill, pause, partition, reset)', () => {
  it('75 s of faults on 3 controllers + 2 brokers: nothing acknowledged is lost, no violation', async () => {
    const r = await runCli(['chaos', '--controllers', '3', '--brokers', '2', '--duration', '75s', '--seed', String(SEED), '--faults', 'kill,pause,partition,one-way,reset', '--json'], 240_000);
    expect(r.stdout.trim(), r.stderr.split('\n').slice(-30).join('\n')).not.toBe('');
    const report = JSON.parse(r.stdout) as ChaosReport;
    console.log(
      `chaos smoke seed ${SEED}: ${report.faults.total} faults ${JSON.stringify(report.faults.byKind)}, ` +
        `${report.operations.total} ops (ok ${report.operations.ok}, failed ${report.operations.fail}, unknown ${report.operations.unknown}), ` +
        `longest unavailability ${report.longestUnavailabilityMs} ms, recovery ${report.recoveryMs} ms`,
    );
    expect(report.violations, JSON.stringify(report.violations, null, 2)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.faults.total).toBeGreaterThanOrEqual(8);
    for (const kind of ['kill', 'pause', 'partition', 'reset']) expect(report.faults.byKind[kind] ?? 0, kind).toBeGreaterThan(0);
    expect(report.operations.ok).toBeGreaterThan(1_000);
    for (const kind of ['create-topic', 'delete-topic', 'add-partitions', 'alter-isr', 'commit-offset', 'set-quota', 'set-scram']) expect(report.operations.byKind[kind]?.ok ?? 0, kind).toBeGreaterThan(0);
    expect(report.recoveryMs).not.toBeNull();
  }, 300_000);

  it('60 s of disk faults: stalled fsyncs, a controller on a wiped directory (refused, then re-admitted), a damaged log tail or snapshot', async () => {
    const r = await runCli(['chaos', '--controllers', '3', '--brokers', '2', '--duration', '60s', '--seed', String(SEED + 1), '--faults', 'slow-disk,wipe,corrupt', '--json'], 240_000);
    expect(r.stdout.trim(), r.stderr.split('\n').slice(-30).join('\n')).not.toBe('');
    const report = JSON.parse(r.stdout) as ChaosReport;
    console.log(`chaos disk smoke seed ${SEED + 1}: ${report.faults.total} faults ${JSON.stringify(report.faults.byKind)}, ${report.operations.total} ops, longest unavailability ${report.longestUnavailabilityMs} ms`);
    expect(report.violations, JSON.stringify(report.violations, null, 2)).toEqual([]);
    expect(r.code).toBe(0);
    for (const kind of ['slow-disk', 'wipe', 'corrupt']) expect(report.faults.byKind[kind] ?? 0, kind).toBeGreaterThan(0);
    // A wipe ends only once the node logged its refusal and its re-admission (else a violation above).
    expect(report.faults.events.some((e) => e.kind === 'wipe' && /re-admitted \d+ ms after its restart/.test(e.detail))).toBe(true);
    expect(report.operations.ok).toBeGreaterThan(1_000);
  }, 300_000);

  it('45 s of process and disk faults on 3 combined nodes: the brokers inside the controllers converge too', async () => {
    const r = await runCli(['chaos', '--combined', '--controllers', '3', '--duration', '45s', '--seed', String(SEED + 2), '--faults', 'kill,pause,partition,wipe,corrupt', '--json'], 240_000);
    expect(r.stdout.trim(), r.stderr.split('\n').slice(-30).join('\n')).not.toBe('');
    const report = JSON.parse(r.stdout) as ChaosReport;
    console.log(`chaos combined smoke seed ${SEED + 2}: ${report.faults.total} faults ${JSON.stringify(report.faults.byKind)}, ${report.operations.total} ops, longest unavailability ${report.longestUnavailabilityMs} ms`);
    expect(report.violations, JSON.stringify(report.violations, null, 2)).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.shape).toEqual({ controllers: 3, brokers: 3, combined: true });
    expect(report.reproduce).toContain('--combined');
    expect(report.faults.total).toBeGreaterThanOrEqual(5);
    expect(report.operations.ok).toBeGreaterThan(1_000);
  }, 300_000);
});
