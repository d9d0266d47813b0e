// One gate for every message a peer can send: the fields the core relies on are checked here,
// once, so that a malformed or hostile message is refused as a value (an anomaly) and never
// reaches an assertion deeper in the core. Semantic checks that need the core's state (a stale
// epoch, a divergence below the high watermark) stay in the core, also as values.

import type { LogBatch, NodeId, RaftMessageBody } from './types.js';
import { isDirectoryMap } from './voter-directories.js';

function count(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function leaderIdOk(id: unknown, voters: readonly NodeId[]): boolean {
  return id === null || (typeof id === 'number' && voters.includes(id));
}

/** A directory id field: absent, or a short non-empty string (meta.properties' directory.id). */
function directoryIdOk(id: unknown): boolean {
  return id === undefined || (typeof id === 'string' && id.length > 0 && id.length <= 64);
}

function controlOk(b: LogBatch): boolean {
  const c = b.control;
  if (c === undefined || c.type !== 'voterDirectory') return true;
  return count(c.voterId) && (c.directoryId === null || (directoryIdOk(c.directoryId) && c.directoryId !== undefined));
}

function batchesOk(batches: readonly LogBatch[]): boolean {
  if (!Array.isArray(batches)) return false;
  let next = -1;
  for (const b of batches) {
    if (!count(b.baseOffset) || !count(b.epoch) || !Array.isArray(b.records)) return false;
    const n = b.control === undefined ? b.records.length : 1;
    if (n === 0 || (b.control !== undefined && b.records.length !== 0) || !controlOk(b)) return false;
    if (next >= 0 && b.baseOffset !== next) return false;
    next = b.baseOffset + n;
  }
  return true;
}

/** An { endOffset, epoch } pair (a snapshot id, a diverging epoch): an object first, so a null or a number is refused, not dereferenced. */
function offsetAndEpochOk(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const { endOffset, epoch } = v as { endOffset?: unknown; epoch?: unknown };
  return count(endOffset) && count(epoch);
}

/** A reason to refuse the message, or null when its fields are well-formed. */
export function malformedReason(body: RaftMessageBody, voters: readonly NodeId[]): string | null {
  if (!count(body.epoch)) return `${body.kind}: epoch ${String(body.epoch)} is not a non-negative integer`;
  switch (body.kind) {
    case 'VoteRequest':
      if (!directoryIdOk(body.candidateDirectoryId)) return 'VoteRequest: bad candidate directory id';
      if (!directoryIdOk(body.voterDirectoryId)) return 'VoteRequest: bad voter directory id';
      if (typeof body.preVote !== 'boolean') return 'VoteRequest: preVote is not a boolean';
      if (body.preVoteRound !== undefined && !count(body.preVoteRound)) return 'VoteRequest: bad pre-vote round';
      return count(body.lastEpoch) && count(body.endOffset) && count(body.candidateId) ? null : 'VoteRequest: bad log position';
    case 'VoteResponse':
      if (!directoryIdOk(body.voterDirectoryId)) return 'VoteResponse: bad voter directory id';
      if (body.preVoteRound !== undefined && !count(body.preVoteRound)) return 'VoteResponse: bad pre-vote round';
      return leaderIdOk(body.leaderId, voters) ? null : `${body.kind}: leader ${String(body.leaderId)} is not a voter`;
    case 'BeginQuorumEpochResponse':
    case 'EndQuorumEpochResponse':
      return leaderIdOk(body.leaderId, voters) ? null : `${body.kind}: leader ${String(body.leaderId)} is not a voter`;
    case 'BeginQuorumEpochRequest':
      return count(body.leaderId) ? null : 'BeginQuorumEpochRequest: bad leader id';
    case 'EndQuorumEpochRequest':
      return count(body.leaderId) && Array.isArray(body.preferredSuccessors) && body.preferredSuccessors.every((id) => count(id)) ? null : 'EndQuorumEpochRequest: bad fields';
    case 'FetchRequest':
      if (!directoryIdOk(body.replicaDirectoryId)) return 'FetchRequest: bad replica directory id';
      return count(body.fetchOffset) && count(body.lastFetchedEpoch) && count(body.maxWaitMs) && count(body.readRound) && count(body.fetchId)
        ? null
        : 'FetchRequest: offsets, epochs, wait and ids must be non-negative integers';
    case 'FetchResponse': {
      if (!leaderIdOk(body.leaderId, voters) || !count(body.highWatermark) || !count(body.logStartOffset) || !count(body.readRound)) return 'FetchResponse: bad header';
      if (body.divergingEpoch !== undefined && !offsetAndEpochOk(body.divergingEpoch)) return 'FetchResponse: bad divergence';
      if (body.snapshotId !== undefined && !offsetAndEpochOk(body.snapshotId)) return 'FetchResponse: bad snapshot id';
      if (body.snapshotVoterDirectories !== undefined && !isDirectoryMap(body.snapshotVoterDirectories)) return 'FetchResponse: bad snapshot voter directories';
      return batchesOk(body.batches) ? null : 'FetchResponse: batches are empty, malformed or not contiguous';
    }
    case 'FetchSnapshotRequest':
      return count(body.position) && count(body.maxBytes) && offsetAndEpochOk(body.snapshotId) ? null : 'FetchSnapshotRequest: bad position, size or id';
    case 'FetchSnapshotResponse':
      return leaderIdOk(body.leaderId, voters) && count(body.position) && count(body.size) && body.bytes instanceof Uint8Array && offsetAndEpochOk(body.snapshotId)
        ? null
        : 'FetchSnapshotResponse: bad fields';
  }
}
