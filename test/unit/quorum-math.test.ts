// Majority and high-watermark arithmetic checked against a naive model: "the largest offset
// that at least a majority of voters hold", computed by brute force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { majority, majorityEndOffset, nextHighWatermark } from '../../quorum/raft/quorum-math.js';

function naiveMajorityEnd(ends: number[]): number {
  let best = 0;
  for (const candidate of [0, ...ends]) {
    const holders = ends.filter((e) => e >= candidate).length;
    if (holders >= Math.floor(ends.length / 2) + 1) best = Math.max(best, candidate);
  }
  return best;
}

const voterEnds = fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 7 });

describe('quorum arithmetic', () => {
  it('majority of n is more than half', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majority)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('the majority end offset equals the naive model for any voter end offsets', () => {
    fc.assert(fc.property(voterEnds, (ends) => majorityEndOffset(ends) === naiveMajorityEnd(ends)), { numRuns: 2000 });
  });

  it('the high watermark never moves back and never covers less than the LeaderChange record', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.nat({ max: 1000 }), voterEnds, (current, epochStart, ends) => {
        const next = nextHighWatermark(current, epochStart, ends);
        expect(next).toBeGreaterThanOrEqual(current);
        if (next !== current) {
          expect(next).toBeGreaterThan(epochStart); // KAFKA-12619: the epoch's first record is committed
          expect(next).toBe(naiveMajorityEnd(ends));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('(voters=3) two of three acknowledgements commit, one does not', () => {
    expect(nextHighWatermark(0, 10, [20, 15, 0])).toBe(15);
    expect(nextHighWatermark(0, 10, [20, 0, 0])).toBe(0);
    expect(nextHighWatermark(0, 10, [20, 10, 0])).toBe(0); // only reaches the LeaderChange offset itself
  });
});
