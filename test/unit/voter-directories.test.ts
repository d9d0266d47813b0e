// VoterDirectories: what the log says each voter's data directory is, at the log end and at any
// offset past the log start, through appends, truncation, prefix drops and snapshot installs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RaftLog } from '../../quorum/raft/raft-log.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { VoterDirectories, isDirectoriesAt, isDirectoryMap } from '../../quorum/raft/voter-directories.js';

const record = (baseOffset: number, voterId: number, directoryId: string | null): LogBatch => ({
  baseOffset,
  epoch: 1,
  appendTimeMs: 0,
  records: [],
  control: { type: 'voterDirectory', voterId, directoryId },
});
const data = (baseOffset: number): LogBatch => ({ baseOffset, epoch: 1, appendTimeMs: 0, records: [new Uint8Array([1])] });

describe('VoterDirectories', () => {
  it('unknown counts any directory; a recorded one only itself; null nothing', () => {
    const d = new VoterDirectories(undefined);
    expect(d.counts(1, 'a')).toBe(true);
    expect(d.counts(1, undefined)).toBe(true);
    d.onAppend(record(0, 1, 'a'));
    expect(d.counts(1, 'a')).toBe(true);
    expect(d.counts(1, 'b')).toBe(false);
    expect(d.counts(1, undefined)).toBe(false);
    expect(d.counts(2, 'z')).toBe(true);
    d.onAppend(record(1, 1, null));
    expect(d.counts(1, 'a')).toBe(false);
    expect(d.counts(1, 'b')).toBe(false);
    d.onAppend(record(2, 1, 'b'));
    expect(d.counts(1, 'b')).toBe(true);
    expect(d.latestRecordOffset()).toBe(2);
  });

  it('a vote may go to a candidate by any directory once the log knows it (recorded or replaced), not to one presenting none; unknown: when not strict', () => {
    const d = new VoterDirectories(undefined);
    expect(d.grantsCandidate(2, 'z')).toBe(true); // unknown, trusted on first use
    d.onAppend(record(0, 1, 'a'));
    expect(d.grantsCandidate(1, 'a')).toBe(true);
    expect(d.grantsCandidate(1, 'b')).toBe(true);
    expect(d.counts(1, 'b')).toBe(false); // granting is not counting
    expect(d.grantsCandidate(1, undefined)).toBe(false);
    d.onAppend(record(1, 1, null));
    expect(d.grantsCandidate(1, 'b')).toBe(true);
    expect(d.grantsCandidate(1, undefined)).toBe(false);
    const strict = new VoterDirectories({ offset: 0, map: { 1: 'a' }, strict: true });
    expect(strict.grantsCandidate(2, 'z')).toBe(false);
    expect(strict.grantsCandidate(1, 'b')).toBe(true);
  });

  it('knownFromFormat: a voter known only from the list the node was formatted with, not once the log records it or a snapshot folds it', () => {
    const d = new VoterDirectories({ offset: 0, map: { 1: 'a', 2: 'b' }, strict: true });
    expect(d.knownFromFormat(1)).toBe(true);
    expect(d.knownFromFormat(3)).toBe(false);
    d.onAppend(record(0, 1, 'a'));
    expect(d.knownFromFormat(1)).toBe(false);
    expect(d.knownFromFormat(2)).toBe(true);
    expect(new VoterDirectories({ offset: 5, map: { 2: 'b' }, strict: true }).knownFromFormat(2)).toBe(false);
  });

  it('strict (formatted with or without the initial controllers): an unknown voter counts for nothing, and strictness survives folding, a snapshot and the quorum-state round trip', () => {
    const d = new VoterDirectories({ offset: 0, map: { '2': null }, strict: true });
    expect(d.counts(1, 'a')).toBe(false);
    expect(d.counts(2, 'b')).toBe(false);
    d.onAppend(record(0, 1, 'a'));
    expect(d.counts(1, 'a')).toBe(true);
    d.onStartAt(1);
    expect(d.baseAt()).toEqual({ offset: 1, map: { '1': 'a', '2': null }, strict: true });
    d.resetTo({ '1': 'a' }, 10);
    expect(d.counts(3, 'c')).toBe(false);
    expect(isDirectoriesAt(d.baseAt())).toBe(true);
    expect(new VoterDirectories(d.baseAt()).strict).toBe(true);
    expect(new VoterDirectories({ offset: 0, map: {} }).counts(3, 'c')).toBe(true);
    expect(isDirectoriesAt({ offset: 0, map: {}, strict: false })).toBe(false);
  });

  it('the base voters the log holds no record of are offered for copying, again after a snapshot folds the records', () => {
    const d = new VoterDirectories({ offset: 0, map: { '1': 'a', '2': 'b' }, strict: true });
    const all = () => true;
    expect(d.unrecordedBaseVoter(all)).toEqual({ type: 'voterDirectory', voterId: 1, directoryId: 'a' });
    d.onAppend(record(0, 1, 'a'));
    expect(d.unrecordedBaseVoter(all)).toEqual({ type: 'voterDirectory', voterId: 2, directoryId: 'b' });
    expect(d.unrecordedBaseVoter((id) => id !== 2)).toBeUndefined();
    d.onStartAt(1); // a snapshot folded the copy of 1 before 2 was copied
    expect(d.unrecordedBaseVoter(all)).toEqual({ type: 'voterDirectory', voterId: 1, directoryId: 'a' });
  });

  it('truncation forgets the records it removes; a prefix drop folds them into the base', () => {
    const log = new RaftLog(null, [record(0, 1, 'a'), data(1), record(2, 1, null), data(3), record(4, 1, 'b')]);
    expect(log.directories.current(1)).toBe('b');
    log.truncateFrom(4);
    expect(log.directories.current(1)).toBe(null);
    expect(log.startAt({ endOffset: 3, epoch: 1 })).toBe(true);
    expect(log.directories.baseAt()).toEqual({ offset: 3, map: { '1': null } });
    expect(log.directories.latestRecordOffset()).toBe(-1);
    expect(log.startAt({ endOffset: 4, epoch: 1 })).toBe(false);
  });

  it('at(offset) is the map in force below the offset', () => {
    const d = new VoterDirectories({ offset: 0, map: { '2': 'x' } });
    d.onAppend(record(5, 1, 'a'));
    d.onAppend(record(9, 1, null));
    expect(d.at(5)).toEqual({ '2': 'x' });
    expect(d.at(6)).toEqual({ '1': 'a', '2': 'x' });
    expect(d.at(10)).toEqual({ '1': null, '2': 'x' });
  });

  it('matches a naive replay of the log for any sequence of appends, truncations and prefix drops', () => {
    type Op = { kind: 'append'; voter: number; dir: string | null } | { kind: 'data' } | { kind: 'truncate'; back: number } | { kind: 'start'; fwd: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), voter: fc.integer({ min: 1, max: 3 }), dir: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }) }),
      fc.record({ kind: fc.constant('data' as const) }),
      fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('start' as const), fwd: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const log = new RaftLog(null, []);
        const all: LogBatch[] = []; // everything ever appended and not truncated, from offset 0
        for (const o of ops) {
          const end = log.endOffset;
          if (o.kind === 'append') {
            const b = record(end, o.voter, o.dir);
            log.append(b);
            all.push(b);
          } else if (o.kind === 'data') {
            const b = data(end);
            log.append(b);
            all.push(b);
          } else if (o.kind === 'truncate') {
            const to = Math.max(log.startOffset, end - o.back);
            log.truncateFrom(to);
            all.splice(to);
          } else {
            const to = Math.min(end, log.startOffset + o.fwd);
            if (to > log.startOffset) log.startAt({ endOffset: to, epoch: 1 });
          }
          const naive = new Map<number, string | null>();
          for (const b of all) if (b.control?.type === 'voterDirectory') naive.set(b.control.voterId, b.control.directoryId);
          for (const v of [1, 2, 3]) expect(log.directories.current(v)).toBe(naive.get(v));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('isDirectoryMap accepts id → string|null maps only', () => {
    expect(isDirectoryMap({ '1': 'a', '2': null })).toBe(true);
    expect(isDirectoryMap({})).toBe(true);
    expect(isDirectoryMap({ x: 'a' })).toBe(false);
    expect(isDirectoryMap({ '1': '' })).toBe(false);
    expect(isDirectoryMap({ '1': 3 })).toBe(false);
    expect(isDirectoryMap([])).toBe(false);
    expect(isDirectoryMap(null)).toBe(false);
  });
});
