// Properties that lean on one family of faults each, so a weakness there shows up in few runs:
// crash-heavy runs (unflushed tails lost or partly kept, writes in flight at the crash applied or
// not), network-heavy runs (drops, duplicates, reordering, partitions and one-way blocks) and
// disk-replacement runs (a voter back on a wiped, re-formatted directory must not vote or count
// until it has caught up and been re-admitted).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { runSimulation } from '../../quorum/sim/run.js';
import { assertClean, fcParams, simOptionsArb } from './random-arbitraries.js';

describe('simulated random faults, focused', () => {
  it(
    '(voters=3|5) crash-heavy: lost unflushed tails and half-done writes never lose acknowledged data',
    async () => {
      await fc.assert(
        fc.asyncProperty(simOptionsArb({ voters: fc.constantFrom<3 | 5>(3, 5), crashWeight: fc.integer({ min: 4, max: 8 }) }), async (options) => {
          assertClean(await runSimulation(options));
        }),
        fcParams(80),
      );
    },
    240_000,
  );

  it(
    '(voters=3|5) network-heavy: drops, duplicates, reordering, partitions and one-way blocks keep every invariant',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          simOptionsArb({ voters: fc.constantFrom<3 | 5>(3, 5), networkWeight: fc.integer({ min: 3, max: 6 }), dropMax: 0.1 }),
          async (options) => {
            assertClean(await runSimulation(options));
          },
        ),
        fcParams(80),
      );
    },
    240_000,
  );

  it(
    '(voters=3|5) disk replacements among crashes and partitions: a wiped voter never costs an acknowledged write or a second leader in an epoch',
    async () => {
      await fc.assert(
        fc.asyncProperty(simOptionsArb({ voters: fc.constantFrom<3 | 5>(3, 5), wipeWeight: fc.integer({ min: 2, max: 4 }) }), async (options) => {
          assertClean(await runSimulation(options));
        }),
        fcParams(80),
      );
    },
    240_000,
  );
});
