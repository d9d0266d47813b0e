// Properties that lean on one family of faults each, so a weakness there shows up in few runs:
// crash-heavy runs (unflushed tails lost or partly kept, writes in flight at the crash applied or
// not), network-heavy runs (drops, duplicates, reordering, partitions and one-way blocks) and
// disk-replacement runs (a voter back on a wiped, re-formatted directory must not vote or count
// until it has caught up and been re-admitted), one disk at a time and, of five voters, two.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../quorum/sim/run.js';
import { deriveOptions } from '../../quorum/sim/sim-options.js';
import { assertClean, fcParams, simOptionsArb, type KnobOverrides } from './random-arbitraries.js';

/** A property over 80 simulated runs of 3 or 5 voters (or `voters`), with the fault knobs `overrides` leans on. */
function focused(name: string, overrides: KnobOverrides): void {
  it(
    name,
    async () => {
      await fc.assert(
        fc.asyncProperty(simOptionsArb({ voters: fc.constantFrom<3 | 5>(3, 5), ...overrides }), async (options) => {
          assertClean(await runSimulation(options));
        }),
        fcParams(80),
      );
    },
    240_000,
  );
}

describe('simulated random faults, focused', () => {
  focused('(voters=3|5) crash-heavy: lost unflushed tails and half-done writes never lose acknowledged data', {
    crashWeight: fc.integer({ min: 4, max: 8 }),
  });

  focused('(voters=3|5) network-heavy: drops, duplicates, reordering, partitions, one-way blocks and connection resets keep every invariant', {
    networkWeight: fc.integer({ min: 3, max: 6 }),
    dropMax: 0.1,
  });

  focused('(voters=3|5) disk replacements among crashes and partitions: a wiped voter never costs an acknowledged write or a second leader in an epoch', {
    wipeWeight: fc.integer({ min: 2, max: 4 }),
  });

  focused('(voters=5) two disks replaced at once: a second voter wiped while the first still waits to be re-admitted keeps every invariant', {
    voters: fc.constant<5>(5),
    wipeWeight: fc.integer({ min: 3, max: 6 }),
    wipesAtOnce: 2,
  });

  it('(voters=5, seed 1050000) overlapping replacements do happen under wipesAtOnce 2, and the run is clean', async () => {
    const drawn = deriveOptions(1_050_000, { voters: 5 });
    const options = { ...drawn, faults: { ...drawn.faults, meanIntervalMs: Math.min(drawn.faults.meanIntervalMs, 1_000), weights: { ...drawn.faults.weights, wipe: 6 }, wipesAtOnce: 2 } };
    const r = await runSimulation(options);
    assertClean(r);
    expect(r.stats.cluster.overlappingWipes).toBeGreaterThan(0);
  }, 60_000);
});
