#!/usr/bin/env node
// Seed sweeps of the deterministic simulator (DESIGN §5): runs N seeds, each a whole safety +
// liveness run with options derived from the seed, over worker threads (default 2), prints one
// line per failing seed (with the command that replays it) and a summary; exits 1 on any
// violation. `--replay '<options json>'` reruns one printed failure in this process with the
// driver's log tail.
//
//   node dist/tools/sim-cli.js --seeds 200 [--start 1] [--voters 1,3,5] [--workers 2] [--json]
//                              [--weight wipe=4,crash=2] [--fault-interval 1000] [--wipes-at-once 2]
//
// --weight and --fault-interval focus a sweep on some faults (each seed's drawn weights, with the
// named ones replaced; the mean gap between faults capped): the printed options JSON carries them,
// so --replay reruns a failure as it ran. A review's wipe-heavy sweeps found nothing the plain ones
// could not, but reached far more wipes per seed.

import { Command } from 'commander';
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Prng } from '../quorum/sim/prng.js';
import { formatFailure, runSimulation } from '../quorum/sim/run.js';
import type { RecoveryTimes, SimResult } from '../quorum/sim/run.js';
import { formatRecovery, recoverySummary } from './sim/recovery-summary.js';
import { deriveOptions } from '../quorum/sim/sim-options.js';
import type { SimOptions } from '../quorum/sim/sim-options.js';

interface SeedOutcome {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly events: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly violations: string[];
  readonly report: string;
  /** Faults injected, by kind. */
  readonly faults: Record<string, number>;
  /** The liveness phase's timings (null: the run failed first). */
  readonly recovery: RecoveryTimes | null;
}

type FaultWeights = SimOptions['faults']['weights'];
const FAULT_KINDS: readonly (keyof FaultWeights)[] = ['crash', 'gracefulStop', 'pause', 'partition', 'oneWay', 'slowFsync', 'wipe', 'reset'];

interface WorkerInput {
  readonly voters: readonly (1 | 3 | 5)[] | null;
  /** Fault weights that replace the drawn ones (--weight). */
  readonly weights: Partial<Record<keyof FaultWeights, number>>;
  /** Cap on the mean gap between faults, ms (--fault-interval). */
  readonly faultIntervalMs: number | null;
  /** Voter disks replaced at once (--wipes-at-once). */
  readonly wipesAtOnce: number | null;
}

function optionsFor(seed: number, input: WorkerInput): SimOptions {
  const { voters, weights, faultIntervalMs, wipesAtOnce } = input;
  const drawn = voters === null ? deriveOptions(seed) : deriveOptions(seed, { voters: new Prng(seed).fork('cli-voters').pick(voters) });
  if (Object.keys(weights).length === 0 && faultIntervalMs === null && wipesAtOnce === null) return drawn;
  const meanIntervalMs = faultIntervalMs === null ? drawn.faults.meanIntervalMs : Math.min(drawn.faults.meanIntervalMs, faultIntervalMs);
  const faults = { ...drawn.faults, meanIntervalMs, weights: { ...drawn.faults.weights, ...weights }, ...(wipesAtOnce === null ? {} : { wipesAtOnce }) };
  return { ...drawn, faults };
}

/** `wipe=4,crash=0` → weights; a usage error names what is wrong. */
function parseWeights(text: string | undefined): WorkerInput['weights'] {
  const out: Partial<Record<keyof FaultWeights, number>> = {};
  if (text === undefined) return out;
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    const w = Number(value);
    if (!FAULT_KINDS.includes(name as keyof FaultWeights)) throw new UsageError(`--weight: unknown fault "${name}" (one of ${FAULT_KINDS.join(', ')})`);
    if (value === undefined || !Number.isInteger(w) || w < 0) throw new UsageError(`--weight: ${name} needs a whole number ≥ 0, as in ${name}=4`);
    out[name as keyof FaultWeights] = w;
  }
  return out;
}

class UsageError extends Error {}

async function runSeed(seed: number, input: WorkerInput): Promise<SeedOutcome> {
  const options = optionsFor(seed, input);
  const t0 = performance.now();
  const r: SimResult = await runSimulation(options);
  return {
    seed,
    voters: options.voters,
    observers: options.observers,
    events: r.events,
    simulatedMs: r.simulatedMs,
    wallMs: performance.now() - t0,
    violations: r.violations,
    report: r.violations.length > 0 ? formatFailure(r) : '',
    // A wipe while another wiped voter still waits to be re-admitted (--wipes-at-once) is counted apart too.
    faults: { ...r.stats.faults, ...(r.stats.cluster.overlappingWipes > 0 ? { wipeOverlapping: r.stats.cluster.overlappingWipes } : {}) },
    recovery: r.stats.recovery,
  };
}

// ---------------------------------------------------------------------------------------------
// Worker side: take seeds one at a time, answer with outcomes.

if (!isMainThread) {
  const input = workerData as WorkerInput;
  parentPort!.on('message', (seed: number | null) => {
    if (seed === null) {
      process.exit(0);
    }
    runSeed(seed, input).then(
      (outcome) => parentPort!.postMessage(outcome),
      (e: unknown) =>
        parentPort!.postMessage({
          seed,
          voters: 0,
          observers: 0,
          events: 0,
          simulatedMs: 0,
          wallMs: 0,
          violations: [`harness crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`],
          report: `seed ${seed}: harness crashed`,
          faults: {},
          recovery: null,
        } satisfies SeedOutcome),
    );
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const program = new Command()
    .name('sim-cli')
    .description('Run the deterministic Raft simulator over many seeds')
    .option('--seeds <n>', 'number of seeds to run', '100')
    .option('--start <s>', 'first seed', '1')
    .option('--voters <list>', 'voter counts to draw from, e.g. 1,3,5')
    .option('--workers <n>', 'worker threads', '2')
    .option('--weight <fault=w,...>', `replace the drawn weight of fault kinds, e.g. wipe=4 (${FAULT_KINDS.join(', ')})`)
    .option('--fault-interval <ms>', 'cap the mean simulated time between faults')
    .option('--wipes-at-once <n>', 'voter disks that may be replaced at once (default 1; with 5 voters, 2 overlaps them)')
    .option('--json', 'print one JSON object per seed and a JSON summary')
    .option('--replay <options>', 'rerun one printed options JSON in-process, with the driver log tail')
    .parse();
  const o = program.opts<{ seeds: string; start: string; voters?: string; workers: string; weight?: string; faultInterval?: string; wipesAtOnce?: string; json?: boolean; replay?: string }>();

  if (o.replay !== undefined) {
    const options = JSON.parse(o.replay) as SimOptions;
    const t0 = performance.now();
    const r = await runSimulation(options, { logLines: 400 });
    const wallMs = performance.now() - t0;
    if (o.json === true) console.log(JSON.stringify({ ...r, wallMs }));
    else {
      console.log(`seed ${r.seed}: ${r.events} events, ${r.simulatedMs.toFixed(0)} simulated ms, ${wallMs.toFixed(0)} wall ms`);
      console.log(JSON.stringify(r.stats));
      if (r.violations.length > 0) {
        console.log(r.logTail.join('\n'));
        console.log(formatFailure(r));
      }
    }
    process.exitCode = r.violations.length > 0 ? 1 : 0;
    return;
  }

  const seeds = Number.parseInt(o.seeds, 10);
  const start = Number.parseInt(o.start, 10);
  const workers = Math.max(1, Math.min(Number.parseInt(o.workers, 10), cpus().length * 2));
  const voters = o.voters === undefined ? null : (o.voters.split(',').map((v) => Number.parseInt(v, 10)) as (1 | 3 | 5)[]);
  if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(start)) throw new RangeError('--seeds and --start must be integers');
  if (voters !== null && voters.some((v) => ![1, 3, 5].includes(v))) throw new RangeError('--voters takes 1, 3 and/or 5');
  let input: WorkerInput;
  try {
    const faultIntervalMs = o.faultInterval === undefined ? null : Number(o.faultInterval);
    if (faultIntervalMs !== null && !(Number.isInteger(faultIntervalMs) && faultIntervalMs > 0)) throw new UsageError('--fault-interval takes a whole number of ms > 0');
    const wipesAtOnce = o.wipesAtOnce === undefined ? null : Number(o.wipesAtOnce);
    if (wipesAtOnce !== null && !(Number.isInteger(wipesAtOnce) && wipesAtOnce >= 1)) throw new UsageError('--wipes-at-once takes a whole number ≥ 1');
    input = { voters, weights: parseWeights(o.weight), faultIntervalMs, wipesAtOnce };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`sim-cli: ${e.message}`);
    process.exitCode = 2;
    return;
  }

  const t0 = performance.now();
  const outcomes: SeedOutcome[] = [];
  let next = start;
  const end = start + seeds;
  await new Promise<void>((resolveAll, rejectAll) => {
    let live = 0;
    for (let w = 0; w < Math.min(workers, seeds); w++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: input });
      live++;
      const feed = (): void => {
        if (next < end) worker.postMessage(next++);
        else worker.postMessage(null);
      };
      worker.on('message', (out: SeedOutcome) => {
        outcomes.push(out);
        if (o.json === true) console.log(JSON.stringify({ seed: out.seed, voters: out.voters, observers: out.observers, events: out.events, simulatedMs: Math.round(out.simulatedMs), wallMs: Math.round(out.wallMs), faults: out.faults, recovery: out.recovery, violations: out.violations }));
        else if (out.violations.length > 0) console.log(out.report);
        feed();
      });
      worker.on('error', rejectAll);
      worker.on('exit', () => {
        if (--live === 0) resolveAll();
      });
      feed();
    }
  });
  const wallMs = performance.now() - t0;
  const failed = outcomes.filter((x) => x.violations.length > 0).sort((a, b) => a.seed - b.seed);
  const events = outcomes.reduce((s, x) => s + x.events, 0);
  const simulatedMs = outcomes.reduce((s, x) => s + x.simulatedMs, 0);
  const runWall = outcomes.map((x) => x.wallMs).sort((a, b) => a - b);
  const faults: Record<string, number> = {};
  for (const x of outcomes) for (const [k, n] of Object.entries(x.faults)) faults[k] = (faults[k] ?? 0) + n;
  const summary = {
    seedsRun: outcomes.length,
    failedSeeds: failed.map((x) => x.seed),
    violations: failed.reduce((s, x) => s + x.violations.length, 0),
    events,
    simulatedMs: Math.round(simulatedMs),
    wallMs: Math.round(wallMs),
    runWallMsMedian: Math.round(runWall[Math.floor(runWall.length / 2)] ?? 0),
    runWallMsMax: Math.round(runWall[runWall.length - 1] ?? 0),
    workers,
    faults,
    recovery: recoverySummary(outcomes),
  };
  if (o.json === true) console.log(JSON.stringify({ summary }));
  else {
    console.log(
      `${summary.seedsRun} seeds (${start}..${end - 1}), ${failed.length} failed${failed.length > 0 ? ` [${summary.failedSeeds.join(', ')}]` : ''}; ` +
        `${events} events, ${(simulatedMs / 1000).toFixed(0)} simulated s in ${(wallMs / 1000).toFixed(1)} wall s ` +
        `(per run: median ${summary.runWallMsMedian} ms, max ${summary.runWallMsMax} ms; ${workers} workers); ` +
        `faults ${Object.entries(faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; ${summary.violations} violations`,
    );
    if (summary.recovery !== null) console.log(formatRecovery(summary.recovery));
  }
  process.exitCode = failed.length > 0 ? 1 : 0;
}
