// `metaquorum chaos`: a real cluster on loopback under faults (tools/chaos/chaos-run.ts), with a
// workload whose every operation is checked afterwards. Progress on stderr; the report on stdout
// (text, or one JSON object with --json). Exit 0 when no violation was found, 1 otherwise (each
// violation is printed with the command that reproduces the run), 2 on usage errors.
//
// The seed decides the fault schedule, targets and operations; real processes add their own
// timing, so a seed reproduces the run's shape, not its exact interleaving.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { runChaos, shapeText, type ChaosReport } from '../chaos/chaos-run.js';
import { FAULT_KINDS, type FaultKind } from '../chaos/nemesis.js';
import { action, positiveIntArg, print, UsageError } from './common.js';

interface ChaosFlags {
  readonly controllers: number;
  readonly brokers: number;
  readonly combined: boolean;
  readonly duration: number;
  readonly seed?: number;
  readonly faults: readonly FaultKind[];
  readonly workers: number;
  readonly dataDir?: string;
  readonly keepData: boolean;
  readonly json: boolean;
}

/** "60s", "2m", "90000ms", or plain seconds. */
export function durationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`--duration: expected e.g. 60s, 2m or 90000ms, got "${value}"`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1_000;
  if (ms < 1_000 || ms > 24 * 3_600_000) throw new InvalidArgumentError(`--duration must be between 1s and 24h, got "${value}"`);
  return Math.round(ms);
}

function faultsArg(value: string): FaultKind[] {
  const kinds = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0 || kinds.length === 0) throw new InvalidArgumentError(`--faults: expected some of ${FAULT_KINDS.join(',')}, got "${value}"`);
  return kinds as FaultKind[];
}

export function renderChaosReport(r: ChaosReport): string {
  const lines = [
    `chaos: ${shapeText(r.shape)}, ${Math.round(r.durationMs / 1000)} s, seed ${r.seed}`,
    `faults: ${r.faults.total} (${Object.entries(r.faults.byKind).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`,
    `operations: ${r.operations.total} (ok ${r.operations.ok}, failed ${r.operations.fail}, unknown ${r.operations.unknown})`,
    ...Object.entries(r.operations.byKind).map(([k, v]) => `  ${k.padEnd(15)} ok ${v.ok}, failed ${v.fail}, unknown ${v.unknown}`),
    `errors: ${Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `longest unavailability: ${r.longestUnavailabilityMs} ms${r.longestUnavailabilityAt === null ? '' : ` (${r.longestUnavailabilityAt.fromMs}–${r.longestUnavailabilityAt.toMs} ms into the run)`}`,
    `first commit after the faults healed: ${r.recoveryMs === null ? 'none' : `${r.recoveryMs} ms`}`,
  ];
  if (r.violations.length === 0) {
    lines.push('violations: 0');
  } else {
    lines.push(`violations: ${r.violations.length}`);
    for (const v of r.violations) lines.push(`  [${v.check}] ${v.message}${v.opIds.length > 0 ? ` (ops ${v.opIds.join(', ')})` : ''}`);
    lines.push(`reproduce: ${r.reproduce}`);
    if (r.dataDir !== null) lines.push(`data and node logs kept in ${r.dataDir}`);
  }
  return lines.join('\n');
}

async function chaos(flags: ChaosFlags): Promise<void> {
  if (flags.controllers !== 3 && flags.controllers !== 5) throw new UsageError('--controllers must be 3 or 5');
  if (flags.brokers > 9) throw new UsageError('--brokers: at most 9');
  // Combined: every controller is a broker too; --brokers counts them (more adds broker-only nodes).
  const brokers = flags.combined ? Math.max(flags.brokers, flags.controllers) : flags.brokers;
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
  const report = await runChaos({
    controllers: flags.controllers,
    brokers,
    combined: flags.combined,
    durationMs: flags.duration,
    seed,
    faults: flags.faults,
    workers: flags.workers,
    keepData: flags.keepData,
    recoveryBoundMs: 15_000,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
  });
  print(flags.json, report, renderChaosReport);
  if (!report.passed) process.exitCode = 1;
}

export function registerChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description(
      'Run a real cluster on 127.0.0.1 under faults (kill -9, SIGSTOP, partitions, one-way partitions and connection resets through a fault-injecting proxy, slow links, ' +
        'stalled fsyncs, a controller restarted on a wiped directory, a damaged log tail or snapshot) ' +
        'while a workload creates and deletes topics, adds partitions, changes ISRs and commits offsets; then check that nothing acknowledged was lost.',
    )
    .addOption(new Option('--controllers <n>', 'controllers (voters): 3 or 5').default(3).argParser(positiveIntArg('--controllers')))
    .addOption(new Option('--brokers <n>', 'brokers (with --combined: all of them, the controllers included; more than --controllers adds broker-only nodes)').default(2).argParser(positiveIntArg('--brokers')))
    .option('--combined', 'combined mode: each controller runs a broker too, on its own log (process.roles=broker,controller)', false)
    .addOption(new Option('--duration <time>', 'how long faults are injected (60s, 2m, …)').default(60_000, '60s').argParser(durationArg))
    .addOption(new Option('--seed <n>', 'the seed for faults and operations (default: random, printed)').argParser(positiveIntArg('--seed')))
    .addOption(new Option('--faults <kinds>', `comma-separated: ${FAULT_KINDS.join(',')}`).default([...FAULT_KINDS], FAULT_KINDS.join(',')).argParser(faultsArg))
    .addOption(new Option('--workers <n>', 'concurrent workload workers').default(6).argParser(positiveIntArg('--workers')))
    .option('--data-dir <dir>', 'keep the nodes here (default: a temporary directory, removed when the run passes)')
    .option('--keep-data', 'keep the data and logs even when the run passes', false)
    .option('--json', 'print the report as one JSON object', false)
    .addHelpText('after', '\nExit codes: 0 no violation, 1 violations found (each with the command that reproduces the run), 2 usage.')
    .action(action(chaos));
}
