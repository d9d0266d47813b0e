// Which directory each voter is known by: the defence against a voter that comes back with a
// wiped (or swapped) data directory and would otherwise vote and acknowledge as if it still held
// everything it once acknowledged (KIP-853's replica directory id, over a static voter set).
//
// The knowledge is replicated through the log as VoterDirectory control records, so every node
// reads the same answer at the same offset and a truncated record is forgotten with the log
// suffix. The effective value for a voter is the latest record in the log (committed or not, as
// Kafka treats its voter set), else the value folded into `base` when the log prefix holding it
// was dropped for a snapshot (persisted with the quorum state), else unknown:
//
//   unknown       (no record yet)        every directory counts: trust on first use
//   "<dir id>"    (recorded)             only that directory's votes and fetch offsets count
//   null          (replaced, rejoining)  nothing from this voter counts
//
// The leader moves a voter through these one record at a time, each appended only once every
// earlier one is committed and the leader has committed in its own epoch (a single-server
// membership change: old and new majorities always intersect):
//
//   unknown  --fetch from dir d-->                                  d
//   d        --fetch from dir e != d: "voter replaced"-->           null
//   null     --fetch from dir e at or past the high watermark-->    e   ("voter rejoined")
//
// A direct d -> e step would not be safe: a majority holding the old copy's votes and one holding
// the new copy's could be disjoint. Through null, every decision needs a majority of the others.
//
// Trust on first use leaves one hole: a voter whose log never learnt another's directory (it lagged
// from the start) counts whatever that voter presents, so a wiped copy's vote can elect it while
// it misses committed records. `format --initial-controllers` closes it as KIP-853's bootstrap
// checkpoint does: every voter is formatted with the same map of every voter's directory, as the
// base at offset 0, so no voter is ever unknown. A replacement formatted with
// --no-initial-controllers starts knowing only that it is not yet counted (itself -> null); it
// learns the rest from a snapshot's map, or from the log: whenever the base names a voter the log
// holds no record of, the leader copies it into the log (the same value: no change), again after
// every snapshot that folds the records into the base, so one that cuts a copy short cannot leave
// a replacement following the log without it (found by a review).
//
// Both formats also make the node strict: an unknown voter counts for nothing there (rather than
// being trusted on first use), and a strict leader seeing one for the first time records it as
// replaced (null), re-admitting it once it has caught up. So a replacement that has not yet
// learnt every voter never counts a wiped copy. Strictness is the node's own (persisted with the
// quorum state's map, kept across snapshots), never sent to others.

import type { LogBatch, NodeId, VoterDirectoryRecord } from './types.js';

/** What a voter's directory is known as: a directory id, null (replaced: nothing counts), undefined (unknown). */
export type KnownDirectory = string | null | undefined;

/** A voter → directory map as persisted and sent on the wire (JSON-friendly keys). */
export type DirectoryMap = Readonly<Record<string, string | null>>;

/** The map in force below `offset` (the log start it was folded at), as the quorum-state file keeps it. */
export interface DirectoriesAt {
  readonly offset: number;
  readonly map: DirectoryMap;
  /** Formatted with --initial-controllers or --no-initial-controllers: an unknown voter counts for nothing. */
  readonly strict?: true;
}

interface Entry {
  readonly offset: number;
  readonly record: VoterDirectoryRecord;
}

export class VoterDirectories {
  private base: Map<NodeId, string | null>;
  /** The base holds every record below this offset: a replayed older record is not applied twice. */
  private baseOffset: number;
  private entries: Entry[] = [];
  /** An unknown voter counts for nothing (see the header). */
  readonly strict: boolean;

  constructor(base: DirectoriesAt | undefined) {
    this.base = fromMap(base?.map);
    this.baseOffset = base?.offset ?? 0;
    this.strict = base?.strict === true;
  }

  /** The voter's directory at the end of the log. */
  current(voterId: NodeId): KnownDirectory {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.record.voterId === voterId) return e.record.directoryId;
    }
    return this.base.get(voterId);
  }

  /**
   * Whether the voter's directory is known only from the list this node was formatted with
   * (--initial-controllers: the base at offset 0, no record in the log yet). A mismatch there is
   * most often nodes formatted with different lists, which no leader can fix: worth saying.
   */
  knownFromFormat(voterId: NodeId): boolean {
    return this.baseOffset === 0 && this.base.has(voterId) && !this.entries.some((e) => e.record.voterId === voterId);
  }

  /** Whether a message from `voterId` signed with `directoryId` counts (votes, fetch offsets). */
  counts(voterId: NodeId, directoryId: string | undefined): boolean {
    const known = this.current(voterId);
    if (known === undefined) return !this.strict;
    return known !== null && known === directoryId;
  }

  /**
   * Whether a voter may grant its vote to `candidateId` standing with `directoryId`, as far as
   * directories go: yes once the log knows the candidate at all, by whatever directory (not strict:
   * also unknown). What the voter's log records for the candidate plays no part in safety: a grant
   * still needs a log at least as up to date as the voter's, which every voter of the same copy
   * checks; which votes count is the candidate's log's business (voteCounts), and a candidate
   * stands only when its own log counts its present directory, that is after a re-admission,
   * written once it had caught up after a committed null. Refusing here instead deadlocked: a
   * voter whose log missed the null record or the re-admission (uncommitted on it when the leader
   * died) refused the re-admitted candidate, whose log ahead of its own was the only one that
   * could win (wiped-voter.test.ts, 3 and 5 voters; the 5-voter case from a review).
   */
  grantsCandidate(candidateId: NodeId, directoryId: string | undefined): boolean {
    if (this.current(candidateId) === undefined) return !this.strict;
    return directoryId !== undefined;
  }

  /**
   * A voter the base names that the log has no record of: the leader copies the base into the log
   * for replicas that follow the log without it (see the header). Undefined when there is none.
   */
  unrecordedBaseVoter(isVoter: (id: NodeId) => boolean): VoterDirectoryRecord | undefined {
    for (const [voterId, directoryId] of this.base) {
      if (isVoter(voterId) && !this.entries.some((e) => e.record.voterId === voterId)) return { type: 'voterDirectory', voterId, directoryId };
    }
    return undefined;
  }

  /** Offset of the newest directory record in the log, or -1 (the leader's one-change-at-a-time rule). */
  latestRecordOffset(): number {
    return this.entries[this.entries.length - 1]?.offset ?? -1;
  }

  /** The map in force just below `endOffset` (at or past the log start): what a snapshot there carries. */
  at(endOffset: number): DirectoryMap {
    const m = new Map(this.base);
    for (const e of this.entries) if (e.offset < endOffset) m.set(e.record.voterId, e.record.directoryId);
    return toMap(m);
  }

  /** The map at the log start and the offset it holds everything below (persisted with the quorum state). */
  baseAt(): DirectoriesAt {
    return { offset: this.baseOffset, map: toMap(this.base), ...(this.strict ? { strict: true as const } : {}) };
  }

  onAppend(batch: LogBatch): void {
    // A record the base already holds (a log replayed from below the persisted map's offset) is skipped.
    if (batch.control?.type === 'voterDirectory' && batch.baseOffset >= this.baseOffset) this.entries.push({ offset: batch.baseOffset, record: batch.control });
  }

  onTruncate(offset: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.offset >= offset) this.entries.pop();
  }

  /** The log now starts at `offset`: records below it fold into the base. True when the base changed. */
  onStartAt(offset: number): boolean {
    let changed = false;
    while (this.entries.length > 0 && this.entries[0]!.offset < offset) {
      const { record } = this.entries.shift()!;
      if (this.base.get(record.voterId) !== record.directoryId) changed = true;
      this.base.set(record.voterId, record.directoryId);
    }
    if (offset > this.baseOffset) this.baseOffset = offset;
    return changed;
  }

  /** The log was replaced by a snapshot ending at `offset` carrying `map`. */
  resetTo(map: DirectoryMap | undefined, offset: number): void {
    this.base = fromMap(map);
    this.baseOffset = offset;
    this.entries = [];
  }
}

function fromMap(map: DirectoryMap | undefined): Map<NodeId, string | null> {
  const m = new Map<NodeId, string | null>();
  if (map !== undefined) for (const [k, v] of Object.entries(map)) m.set(Number(k), v);
  return m;
}

function toMap(m: ReadonlyMap<NodeId, string | null>): DirectoryMap {
  const out: Record<string, string | null> = {};
  for (const k of [...m.keys()].sort((a, b) => a - b)) out[String(k)] = m.get(k)!;
  return out;
}

/** Whether `raw` is a well-formed persisted {offset, map}. */
export function isDirectoriesAt(raw: unknown): raw is DirectoriesAt {
  if (typeof raw !== 'object' || raw === null) return false;
  const { offset, map, strict } = raw as Record<string, unknown>;
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 && isDirectoryMap(map) && (strict === undefined || strict === true);
}

/** Whether `raw` is a well-formed directory map (from disk or the wire). */
export function isDirectoryMap(raw: unknown): raw is DirectoryMap {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  return Object.entries(raw).every(([k, v]) => /^\d+$/.test(k) && (v === null || (typeof v === 'string' && v.length > 0 && v.length <= 64)));
}
