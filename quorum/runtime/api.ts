// The state-machine API (issue 2, item 5): what the controller, the broker and the simulator's
// test state machine see of the quorum. Implemented by RaftNode in ./raft-node.ts.

import type { LeaderInfo, LogBatch, NodeId, RoleName, SnapshotId } from '../raft/types.js';

/** The replicated state machine fed by the quorum. */
export interface StateMachine {
  /**
   * Committed batches, in offset order, each exactly once per process lifetime (after a snapshot
   * load, from the snapshot's end offset). Control batches are included (the state machine skips
   * them: `batch.control !== undefined`) so that offsets stay contiguous.
   */
  apply(batches: readonly LogBatch[]): void | Promise<void>;
  /** Replace the whole state with a snapshot's contents (at start-up, or one fetched from the leader). */
  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void | Promise<void>;
  /** Called after the leader changes, before batches of the new epoch are applied. */
  onLeaderChange?(leader: LeaderInfo): void;
}

/** Typed edge error (DESIGN §10): a code, whether to retry, and where to go next. */
export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER';
  readonly retriable = true;
  constructor(
    readonly leader: LeaderInfo,
    /** 'not-appended': certainly not in the log. 'unknown': appended, may still commit under a new leader. */
    readonly outcome: 'not-appended' | 'unknown' = 'not-appended',
  ) {
    super(
      leader.leaderId === null
        ? `not the leader; no leader is known in epoch ${leader.epoch}, retry after an election`
        : `not the leader; node ${leader.leaderId} leads epoch ${leader.epoch}, send it there`,
    );
  }
}

export class ProposalRejectedError extends Error {
  readonly retriable: boolean;
  constructor(readonly code: 'BATCH_TOO_LARGE' | 'BACKPRESSURE' | 'SHUTTING_DOWN', message: string) {
    super(message);
    this.retriable = code === 'BACKPRESSURE';
  }
}

export interface CommittedPosition {
  /** Offset of the last record of the proposal. */
  readonly offset: number;
  readonly epoch: number;
}

export interface ReplicaStatus {
  readonly nodeId: NodeId;
  readonly endOffset: number;
  readonly lastFetchMs: number | null;
  readonly lastCaughtUpMs: number | null;
  /** The data directory it runs on, as its fetches presented it: absent when unknown. */
  readonly directoryId?: string;
}

export interface QuorumStatus {
  readonly nodeId: NodeId;
  readonly role: RoleName;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly appliedOffset: number;
  /** Leader only: what it knows of each voter and observer. */
  readonly voters: readonly ReplicaStatus[];
  readonly observers: readonly ReplicaStatus[];
}

/** A proposal the leader has appended: its offsets are final if it commits. */
export interface AppendedProposal {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly epoch: number;
  /** Resolves once committed and applied here; rejects with NotLeaderError if it never will be. */
  readonly committed: Promise<CommittedPosition>;
}

export interface RaftClient {
  /**
   * Appends records and resolves once they are committed (the high watermark passed them and this
   * node applied them). Rejects with NotLeaderError (with a leader hint) or ProposalRejectedError.
   */
  propose(records: readonly Uint8Array[]): Promise<CommittedPosition>;
  /**
   * propose(), but decided synchronously: throws NotLeaderError or ProposalRejectedError at once,
   * or returns the offsets the records were given (one batch holds them all). The controller uses
   * it to know where its records land (a broker epoch is the offset of its registration record).
   */
  append(records: readonly Uint8Array[]): AppendedProposal;
  /**
   * Several proposals appended all or none (each lands whole in a batch; back-pressure is judged
   * once for all), resolved together when the last record commits: a large change written in parts.
   */
  appendAll(proposals: readonly (readonly Uint8Array[])[]): AppendedProposal;
  /**
   * On the leader, the offset the next append() will give its first record (exact if append() is
   * called before control returns to the event loop); null when this node cannot append.
   */
  nextOffset(): number | null;
  /**
   * Linearizable read barrier: resolves once this node has confirmed with a majority that it still
   * leads and has applied everything committed before the call. Rejects with NotLeaderError.
   */
  readBarrier(): Promise<{ readonly offset: number }>;
  /** Writes a snapshot of the state machine at `endOffset` (a committed batch boundary it has applied). */
  createSnapshot(endOffset: number, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<SnapshotId>;
  /** A leader hands over (EndQuorumEpoch); elsewhere a no-op. */
  resign(): void;
  status(): QuorumStatus;
  leader(): LeaderInfo;
}
