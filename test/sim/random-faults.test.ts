// Property: for any seed, cluster size (1, 3 or 5 voters, 0-3 observers) and fault knobs, the
// real core and driver keep every Raft invariant after every event through a safety phase of
// random crashes, graceful stops, pauses, partitions, one-way blocks, connection resets, slow
// fsyncs, disk replacements (a voter wiped while down) and clock skew, then converge once healed,
// and every acknowledged write is committed where it was promised.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { runSimulation } from '../../quorum/sim/run.js';
import { assertClean, fcParams, simOptionsArb } from './random-arbitraries.js';

describe('simulated random faults', () => {
  it(
    '(voters=1|3|5, observers=0-3) random crashes, pauses, partitions, slow disks and skewed clocks: safe, then live once healed',
    async () => {
      await fc.assert(
        fc.asyncProperty(simOptionsArb(), async (options) => {
          assertClean(await runSimulation(options));
        }),
        fcParams(160),
      );
    },
    300_000,
  );
});
