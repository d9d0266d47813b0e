// Model-based tests of the quorum controller (fast-check `fc.commands`): random sequences of
// controller operations, broker fencing and controller failovers, run against the real controller
// on the simulated quorum and against a plain Map-based model (test/support/controller-model.ts).
// After every command the active controller's committed image must agree with the model (topics,
// partition counts, replication factors, explicit configs, registered brokers and their fencing,
// offsets, producer ids, metadata.version) and the metadata invariants must hold on every node; at
// the end every voter's image must be the same, byte for byte.
//
// The same commands also run through the pure operations (no Raft, no time), which is cheap enough
// for many more and longer sequences.
//
// Seeds: CI runs a fixed fast-check seed (reproducible main); SIM_FC_SEED=random explores,
// SIM_FC_SEED=<n> [SIM_FC_PATH=<path>] replays a failure (fast-check prints both; the
// counterexample names the simulator seed). Simulated runs stop at the first failure without
// shrinking (a shrink step replays a whole simulation); SIM_FC_SHRINK=1 shrinks anyway.
// SIM_MODEL_SUMMARY=1 prints outcome counts (what the commands reached), =history also the last run.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  commandArbs,
  initialModel,
  INITIAL_BROKERS,
  pureControllerConfig,
  PureSystem,
  SimSystem,
  verify,
  type Cmd,
  type ControllerModel,
  type SimSetup,
} from '../support/controller-model.js';
import { importCommandArbs } from '../support/controller-model-import.js';

const DEFAULT_FC_SEED = 20_261_121;
/** Runs of the import property (SIM_IMPORT_RUNS to explore more). */
const IMPORT_RUNS = Number.parseInt(process.env['SIM_IMPORT_RUNS'] ?? '60', 10);

function fcParams<T>(numRuns: number, shrink: boolean): fc.Parameters<T> {
  const env = process.env['SIM_FC_SEED'];
  const seed = env === undefined ? DEFAULT_FC_SEED : env === 'random' ? undefined : Number.parseInt(env, 10);
  const path = process.env['SIM_FC_PATH'];
  return {
    numRuns,
    endOnFailure: !shrink && process.env['SIM_FC_SHRINK'] !== '1',
    ...(seed !== undefined ? { seed } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** Outcome counts over all runs, printed once (to see what the commands reached). */
function summarize(models: readonly ControllerModel[]): string {
  const total = new Map<string, number>();
  for (const m of models) for (const [k, v] of m.outcomes) total.set(k, (total.get(k) ?? 0) + v);
  const ambiguous = models.reduce((n, m) => n + m.ambiguousCalls, 0);
  const last = process.env['SIM_MODEL_SUMMARY'] === 'history' ? `\nlast run:\n  ${models.at(-1)?.history.join('\n  ') ?? ''}` : '';
  const commands = models.reduce((n, m) => n + m.history.length, 0);
  return `runs=${models.length} commands=${commands} ${[...total].sort().map(([k, v]) => `${k}=${v}`).join(' ')} retried-calls=${ambiguous}${last}`;
}

const simSetupArb: fc.Arbitrary<SimSetup> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  voters: fc.constantFrom<3 | 5>(3, 3, 5),
  snapshotMaxBytes: fc.constantFrom(20 * 1024 * 1024, 512),
  maxRecordsPerOperation: fc.constantFrom(10_000, 6),
});

/** Commands from `arbs` run on a simulated quorum and checked against the model (each run's model kept in `models`). */
function simModelProperty(arbs: fc.Arbitrary<Cmd>[], maxCommands: number, models: ControllerModel[]) {
  return fc.asyncProperty(simSetupArb, fc.commands(arbs, { maxCommands, size: 'max' }), async (setup, cmds) => {
    const sys = await SimSystem.start(setup);
    const model = initialModel(SimSystem.modelConfig(setup), true, INITIAL_BROKERS, sys.nowMs());
    models.push(model);
    await verify(model, sys);
    await fc.asyncModelRun(() => ({ model, real: sys }), cmds);
    await sys.finish();
    await verify(model, sys);
  });
}

describe('controller model (fast-check commands)', () => {
  it(
    '(voters=3|5) random operations while brokers go silent, restart and leave and controllers crash, stop or are cut off (also mid-write): the committed image agrees with the model after every command, every voter\'s at the end',
    async () => {
      const models: ControllerModel[] = [];
      await fc.assert(simModelProperty(commandArbs(true), 100, models), fcParams(40, false));
      if (process.env['SIM_MODEL_SUMMARY'] !== undefined) console.log(summarize(models));
    },
    180_000,
  );

  it(
    '(voters=3|5) ZooKeeper imports among the other operations, some interrupted (a busy write, a failover, an idle session, an abort) or refused (a name clash, topics without allowExisting, a second import): each lands whole once or leaves nothing, and the image agrees with the model after every command',
    async () => {
      const models: ControllerModel[] = [];
      const imports = importCommandArbs();
      // Imports are a few of the ~30 arbitraries: listed four times, about one command in eight.
      const arbs = [...commandArbs(true), ...imports, ...imports, ...imports, ...imports];
      await fc.assert(simModelProperty(arbs, 40, models), fcParams(IMPORT_RUNS, false));
      if (process.env['SIM_MODEL_SUMMARY'] !== undefined) console.log(summarize(models));
    },
    180_000,
  );

  it('(pure operations, no quorum) random operation sequences: the image agrees with the model after every command', async () => {
    const models: ControllerModel[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(10_000, 6),
        fc.commands(commandArbs(false), { maxCommands: 100, size: 'max' }),
        async (seed, maxRecordsPerOperation, cmds) => {
          const sys = new PureSystem(seed, pureControllerConfig(maxRecordsPerOperation));
          const model = initialModel(sys.modelConfig(), false, INITIAL_BROKERS, -Infinity);
          models.push(model);
          await verify(model, sys);
          await fc.asyncModelRun(() => ({ model, real: sys }), cmds);
        },
      ),
      fcParams(300, true),
    );
    if (process.env['SIM_MODEL_SUMMARY'] !== undefined) console.log(summarize(models));
  }, 60_000);
});
