// Start-up: read what the disk holds and make it consistent before the core sees it.
//
// The log must start at a snapshot (or at 0): a log whose start is above 0 with no snapshot there
// would silently lose state (KAFKA-14240), so that refuses to start, as does a log that starts
// above its newest valid snapshot. A crash between committing a
// snapshot and dropping the log it replaces can leave a log that does not reach the newest
// snapshot, or that disagrees with it; then the log restarts empty at that snapshot.
//
// An observer (a broker) holds a copy of the committed log only, which the leader can send again:
// where a voter refuses, it discards its log (restarting it at its newest valid snapshot, or at
// 0 without one) and fetches the rest from the leader, logging why.
//
// Whatever prefix of the log start-up drops, the voter-directory records in it are first folded
// into the quorum-state file's map (written before the prefix goes), as the core does when it
// drops a prefix itself: a node that forgot them would count a wiped voter (voter-directories.ts).

import type { NodeEnv } from '../env/index.js';
import type { RestoredState } from '../raft/core.js';
import { batchEndOffset } from '../raft/raft-log.js';
import type { LogBatch, QuorumStateData, SnapshotId } from '../raft/types.js';
import { VoterDirectories } from '../raft/voter-directories.js';
import type { StateMachine } from './api.js';

export class StorageInconsistentError extends Error {
  readonly code = 'STORAGE_INCONSISTENT';
  readonly retriable = false;
}

/** True when the batches place a batch boundary at `id.endOffset` with the record before it in `id.epoch`. */
function logHasSnapshotBoundary(batches: readonly LogBatch[], logStart: number, id: SnapshotId): boolean {
  if (id.endOffset === logStart) return true;
  for (const b of batches) {
    if (batchEndOffset(b) === id.endOffset) return b.epoch === id.epoch;
    if (batchEndOffset(b) > id.endOffset) return false;
  }
  return false;
}

/** Folds the directory records below `cut` into the persisted map, writing it when it changed. */
async function keepDirectoriesBelow(env: NodeEnv, quorumState: QuorumStateData | undefined, batches: readonly LogBatch[], cut: number): Promise<QuorumStateData | undefined> {
  const dirs = new VoterDirectories(quorumState?.voterDirectories);
  for (const b of batches) {
    if (batchEndOffset(b) > cut) break;
    dirs.onAppend(b);
  }
  if (!dirs.onStartAt(cut)) return quorumState;
  const next: QuorumStateData = { ...(quorumState ?? { epoch: 0, leaderId: null, votedId: null }), voterDirectories: dirs.baseAt() };
  await env.quorumStateStore.write(next);
  return next;
}

export interface RestoreOptions {
  /** The node is an observer: a log it cannot restore is discarded and fetched again, not refused. */
  readonly discardable?: boolean;
}

const REPAIR_HINT = 'restore the snapshot files or wipe and re-format this directory so the node rejoins from the leader';

export async function restoreFromStorage(env: NodeEnv, stateMachine: StateMachine, o: RestoreOptions = {}): Promise<RestoredState> {
  let quorumState = await env.quorumStateStore.read();
  const listed = await env.snapshotStore.list();
  const loaded = await env.log.load();
  if (loaded.recovered !== undefined) {
    env.logger.warn({ truncatedAtOffset: loaded.recovered.truncatedAtOffset, reason: loaded.recovered.reason }, 'log tail was torn or corrupt and has been truncated');
  }
  let batches = loaded.batches;
  const logStart = loaded.logStartOffset;
  const logEnd = batches.length === 0 ? logStart : batchEndOffset(batches[batches.length - 1]!);
  const latest = listed[listed.length - 1];

  if (latest === undefined) {
    if (logStart > 0) {
      const problem = `the log starts at offset ${logStart} but no valid snapshot exists to cover the offsets below it`;
      if (!o.discardable) throw new StorageInconsistentError(`${problem}; ${REPAIR_HINT}`);
      await discardLog(env, 0, problem, logEnd);
      return { quorumState, snapshots: [], batches: [], appliedOffset: 0 };
    }
    return { quorumState, snapshots: [], batches, appliedOffset: 0 };
  }

  const gap = latest.endOffset < logStart;
  if (gap) {
    // The offsets between the snapshot and the log start are nowhere: the snapshot that covered
    // them failed its check (and was moved aside), or its file did not survive a power loss.
    // A voter refuses before anything is touched: restarting the log at the older snapshot would
    // drop the log the node holds and still leave the gap.
    const problem = `the log starts at offset ${logStart} but the newest valid snapshot ends at ${latest.endOffset}: no snapshot covers the offsets between them`;
    if (!o.discardable) throw new StorageInconsistentError(`${problem}; ${REPAIR_HINT}`);
    await discardLog(env, latest.endOffset, problem, logEnd);
    batches = [];
  }
  let snapshots: SnapshotId[];
  const logCoversLatest = !gap && latest.endOffset >= logStart && latest.endOffset <= logEnd && logHasSnapshotBoundary(batches, logStart, latest);
  if (gap) {
    snapshots = [latest];
  } else if (logCoversLatest) {
    // Keep the snapshots the log reaches back to; the log starts at the oldest kept one.
    snapshots = listed.filter((id) => id.endOffset >= logStart && logHasSnapshotBoundary(batches, logStart, id));
    const start = snapshots[0]!.endOffset;
    if (start > logStart) {
      quorumState = await keepDirectoriesBelow(env, quorumState, batches, start);
      await env.log.deletePrefix(start);
      batches = batches.filter((b) => batchEndOffset(b) > start);
    }
  } else {
    env.logger.warn({ snapshot: latest, logStart, logEnd }, 'the log does not reach the newest snapshot consistently: restarting the log at the snapshot');
    // A log that ends short of the snapshot is a committed prefix of it (a cut tail): keep its records.
    // One that disagrees with it at the boundary diverged: its records say nothing reliable.
    if (logEnd <= latest.endOffset) quorumState = await keepDirectoriesBelow(env, quorumState, batches, latest.endOffset);
    await env.log.truncateFrom(logStart);
    await env.log.deletePrefix(latest.endOffset);
    snapshots = [latest];
    batches = [];
  }
  for (const id of listed) {
    if (id.endOffset < snapshots[0]!.endOffset) await env.snapshotStore.delete(id);
  }
  const bytes = await env.snapshotStore.readAll(latest);
  await stateMachine.loadSnapshot(latest, bytes);
  return { quorumState, snapshots, batches, appliedOffset: latest.endOffset };
}

/** An observer's log that cannot be restored: emptied, restarting at `at` (fetched again from the leader). */
async function discardLog(env: NodeEnv, at: number, problem: string, logEnd: number): Promise<void> {
  env.logger.warn(
    { restartAt: at, discardedEndOffset: logEnd },
    `${problem}; this node is an observer, whose log is a copy of the committed log: discarding it and fetching again from the leader from offset ${at}`,
  );
  await env.log.restartAt(at);
}
