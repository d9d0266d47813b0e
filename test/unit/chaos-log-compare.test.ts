// The chaos run's committed-log check (tools/chaos/log-compare.ts). Found by a CI failure: the
// lines were keyed by their first word, "|", so each voter kept only its last record and the check
// compared the voters' last records: vacuous, and wrong when one voter had committed one more NoOp.

import { describe, expect, it } from 'vitest';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { compareCommittedLogs, imageDifference, recordLinesByOffset } from '../../tools/chaos/log-compare.js';

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

  // The broker check compared describeTopics only: a broker whose replay skipped every OffsetCommit
  // (a mutant of metadata-log/loader.ts) passed a 30 s chaos run. The whole exported image catches it.
  it('a broker image missing one record the controllers hold (an OffsetCommit) is a difference; the same image is not', () => {
    const topic: MetadataRecord = { type: 'Topic', name: 'offsets-target', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' };
    const offset = (o: number): MetadataRecord => ({ type: 'OffsetCommit', groupId: 'g1', topic: 'offsets-target', partition: 0, offset: o, leaderEpoch: -1, metadata: null, commitTimestampMs: 7 });
    const controllers = [topic, offset(41)];
    expect(imageDifference(controllers, [topic, offset(41)])).toBeNull();
    expect(imageDifference(controllers, [topic])).toMatch(/^record 1 of 2: expected \{"type":"OffsetCommit".*"offset":41.*, found nothing \(1 records in all\)$/);
    // A stale value is a difference too, and so is a record the controllers do not hold.
    expect(imageDifference(controllers, [topic, offset(40)])).toMatch(/^record 1 of 2: expected .*"offset":41.*found .*"offset":40/);
    expect(imageDifference([topic], controllers)).toMatch(/^record 1 of 1: expected nothing, found \{"type":"OffsetCommit"/);
  });
});
