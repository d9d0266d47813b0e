// fast-check arbitraries for the simulator's property tests: a seed plus the fault knobs, turned
// into full SimOptions. Shared by test/sim/random-*.test.ts. Each run stays well under a second
// of wall time (short safety phases), so hundreds of runs fit in a CI minute on two cores.
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { SimResult } from '../../quorum/sim/run.js';
import { formatFailure } from '../../quorum/sim/run.js';
import { simOptions } from '../../quorum/sim/sim-options.js';
import type { SimOptions } from '../../quorum/sim/sim-options.js';

export interface KnobOverrides {
  readonly voters?: fc.Arbitrary<1 | 3 | 5>;
  readonly crashWeight?: fc.Arbitrary<number>;
  readonly networkWeight?: fc.Arbitrary<number>;
  /** Disk replacements: a voter wiped and re-formatted while down, one at a time (SimCluster.mayWipe). */
  readonly wipeWeight?: fc.Arbitrary<number>;
  /** Disks that may be replaced at once (FaultKnobs.wipesAtOnce; default 1). */
  readonly wipesAtOnce?: number;
  readonly dropMax?: number;
}

export function simOptionsArb(o: KnobOverrides = {}): fc.Arbitrary<SimOptions> {
  return fc
    .record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      voters: o.voters ?? fc.constantFrom<1 | 3 | 5>(1, 3, 5),
      observers: fc.integer({ min: 0, max: 3 }),
      safetyMs: fc.integer({ min: 4000, max: 10_000 }),
      leaveMinorityDown: fc.boolean(),
      delayMinMs: fc.double({ min: 0.1, max: 2, noNaN: true }),
      delaySpreadMs: fc.double({ min: 0, max: 20, noNaN: true }),
      dropProbability: fc.oneof(fc.constant(0), fc.double({ min: 0, max: o.dropMax ?? 0.05, noNaN: true })),
      duplicateProbability: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true })),
      serialize: fc.constantFrom(false, false, false, true),
      fsyncLatencyMaxMs: fc.constantFrom(1, 5, 20, 50),
      inFlightAppliedProbability: fc.double({ min: 0, max: 1, noNaN: true }),
      volatileSurvivesProbability: fc.constantFrom(0, 0, 0.5, 1),
      meanIntervalMs: fc.constantFrom(400, 800, 1500, 3000),
      crash: o.crashWeight ?? fc.integer({ min: 0, max: 3 }),
      gracefulStop: fc.integer({ min: 0, max: 2 }),
      pause: fc.integer({ min: 0, max: 2 }),
      partition: o.networkWeight ?? fc.integer({ min: 0, max: 3 }),
      oneWay: o.networkWeight ?? fc.integer({ min: 0, max: 2 }),
      reset: o.networkWeight ?? fc.integer({ min: 0, max: 2 }),
      slowFsync: fc.integer({ min: 0, max: 2 }),
      wipe: o.wipeWeight ?? fc.integer({ min: 0, max: 1 }),
      clockRateDelta: fc.constantFrom(0, 0.01, 0.05),
      clockOffsetMaxMs: fc.constantFrom(0, 1_000_000),
      timerEarlinessMaxMs: fc.constantFrom(0, 0, 2, 20),
      clients: fc.integer({ min: 1, max: 3 }),
      proposeIntervalMaxMs: fc.integer({ min: 10, max: 60 }),
      recordsPerProposalMax: fc.integer({ min: 1, max: 4 }),
      snapshotEveryRecords: fc.constantFrom(0, 25, 100, 400),
      snapshotsRetained: fc.constantFrom(1, 2),
      initialControllers: fc.boolean(),
    })
    .map((k) =>
      simOptions({
        seed: k.seed,
        voters: k.voters,
        observers: k.observers,
        safetyMs: k.safetyMs,
        livenessLeaveMinorityDown: k.leaveMinorityDown,
        network: {
          delayMinMs: k.delayMinMs,
          delayMaxMs: k.delayMinMs + k.delaySpreadMs,
          dropProbability: k.dropProbability,
          duplicateProbability: k.duplicateProbability,
          serialize: k.serialize,
        },
        disk: {
          fsyncLatencyMaxMs: k.fsyncLatencyMaxMs,
          inFlightAppliedProbability: k.inFlightAppliedProbability,
          volatileSurvivesProbability: k.volatileSurvivesProbability,
        },
        faults: {
          meanIntervalMs: k.meanIntervalMs,
          weights: { crash: k.crash, gracefulStop: k.gracefulStop, pause: k.pause, partition: k.partition, oneWay: k.oneWay, slowFsync: k.slowFsync, wipe: k.wipe, reset: k.reset },
          ...(o.wipesAtOnce === undefined ? {} : { wipesAtOnce: o.wipesAtOnce }),
        },
        clockRateDelta: k.clockRateDelta,
        clockOffsetMaxMs: k.clockOffsetMaxMs,
        timerEarlinessMaxMs: k.timerEarlinessMaxMs,
        workload: { clients: k.clients, proposeIntervalMaxMs: k.proposeIntervalMaxMs, recordsPerProposalMax: k.recordsPerProposalMax },
        snapshotEveryRecords: k.snapshotEveryRecords,
        raft: { snapshotsRetained: k.snapshotsRetained },
        initialControllers: k.initialControllers,
      }),
    );
}

/** fast-check parameters: stop at the first failure (shrinking whole simulations is slow). */
export function fcParams(numRuns: number): fc.Parameters<[SimOptions]> {
  // CI runs a fixed set of simulations so that main stays reproducible; SIM_FC_SEED=random
  // explores new ones (and `npm run sim` runs long campaigns over seeds).
  const env = process.env['SIM_FC_SEED'];
  const seed = env === undefined ? DEFAULT_FC_SEED : env === 'random' ? undefined : Number.parseInt(env, 10);
  return { numRuns, endOnFailure: true, ...(seed !== undefined ? { seed } : {}) };
}

const DEFAULT_FC_SEED = 20_261_121;

/**
 * Throws with the seed, the options and the replay command when a run failed; the options are
 * also saved to sim-failures/<seed>.json (git-ignored) for `sim-cli --replay "$(cat ...)"`.
 */
export function assertClean(r: SimResult): void {
  if (r.violations.length === 0) return;
  try {
    mkdirSync('sim-failures', { recursive: true });
    writeFileSync(`sim-failures/${r.seed}.json`, JSON.stringify(r.options));
  } catch {
    // best effort
  }
  throw new Error(formatFailure(r));
}
