// The chaos run's committed-log check (tools/chaos/log-compare.ts). Found by a CI failure: the
// lines were keyed by their first word, "|", so each voter kept only its last record and the check
// compared the voters' last records: vacuous, and wrong when one voter had committed one more NoOp.

import { describe, expect, it } from 'vitest';
import { compareCommittedLogs, recordLinesByOffset } from '../../tools/chaos/log-compare.js';

const line = (offset: number, what: string) => `| offset: ${offset} type: ${what} version: 0 payload: {}`;
const log = (id: number, records: [number, string][]) => ({ id, lines: new Map(records.map(([o, w]) => [o, line(o, w)])) });

describe('chaos committed-log comparison', () => {
  it('reads dump-log --records-only output by offset, every line kept; anything else is refused', () => {
    const parsed = recordLinesByOffset(`${line(0, 'A')}\n${line(1, 'B')}\n  ${line(2, 'C')}\n\n`, 'node-1');
    expect([...parsed.keys()]).toEqual([0, 1, 2]);
    expect(parsed.get(1)).toBe(line(1, 'B'));
    expect(() => recordLinesByOffset('baseOffset: 0 lastOffset: 3\n', 'node-1')).toThrow(/not a record line/);
  });

  it('a difference at a committed offset is reported, even in the middle of the logs', () => {
    const r = compareCommittedLogs([log(1, [[0, 'A'], [1, 'B'], [2, 'C']]), log(2, [[0, 'A'], [1, 'X'], [2, 'C']])], 3);
    expect(r.differences).toEqual([`voter 1 and voter 2 differ at committed offset 1: "${line(1, 'B')}" vs "${line(1, 'X')}"`]);
  });

  it('tails above the high watermark, a voter ahead, and a log that starts at a snapshot are not differences', () => {
    const r = compareCommittedLogs(
      [
        log(1, [[0, 'A'], [1, 'B'], [2, 'C'], [3, 'uncommitted'], [4, 'more']]),
        log(2, [[0, 'A'], [1, 'B'], [2, 'C'], [3, 'other']]),
        log(3, [[2, 'C']]), // its log starts at a snapshot ending at 2
      ],
      3,
    );
    expect(r.differences).toEqual([]);
    expect(r.compared).toBe(3 + 1 + 1);
  });

  it('guards itself: no committed offset held by two voters is reported', () => {
    expect(compareCommittedLogs([log(1, [[0, 'A']]), log(2, [[5, 'B']])], 6).differences).toEqual(['no committed offset (below 6) was held by two voters to compare']);
  });
});
