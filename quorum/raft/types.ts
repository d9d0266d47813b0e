// Shared vocabulary of the Raft core: log batches, snapshot ids, the persisted quorum state, the
// messages nodes exchange and the Ready the core hands its driver. Pure data, no behaviour.
//
// Words (DESIGN §10): epoch (not term), offset (not index), high watermark (not commit index).
// Offsets count records, as in Kafka: a batch of n records starting at baseOffset holds offsets
// baseOffset .. baseOffset+n-1. A control batch (LeaderChange) holds exactly one record.

export type NodeId = number;

/** The LeaderChange control record a new leader appends at the start of its epoch (KIP-595). */
export interface LeaderChangeRecord {
  readonly type: 'leaderChange';
  readonly leaderId: NodeId;
  readonly voters: readonly NodeId[];
  readonly grantingVoters: readonly NodeId[];
}

/**
 * Which data directory the quorum knows a voter by (see voter-directories.ts): a directory id, or
 * null while a replaced voter (a wiped directory) catches up and counts for nothing.
 */
export interface VoterDirectoryRecord {
  readonly type: 'voterDirectory';
  readonly voterId: NodeId;
  readonly directoryId: string | null;
}

export type ControlRecord = LeaderChangeRecord | VoterDirectoryRecord;

/**
 * One batch of the replicated log. The core never looks inside `records`: they are opaque bytes
 * of the state machine. A batch with `control` set is a control batch of exactly one record and
 * `records` is empty.
 */
export interface LogBatch {
  readonly baseOffset: number;
  readonly epoch: number;
  readonly appendTimeMs: number;
  readonly records: readonly Uint8Array[];
  readonly control?: ControlRecord;
}

/** A snapshot covers every offset below endOffset (exclusive, KAFKA-14618); epoch of offset endOffset-1. */
export interface SnapshotId {
  readonly endOffset: number;
  readonly epoch: number;
}

/** What a voter persists before acting on a transition (Kafka's quorum-state file). */
export interface QuorumStateData {
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
  /**
   * Voter → directory in force below `offset` (the log start when it was folded; records past it
   * live in the log); absent when none was ever folded.
   */
  readonly voterDirectories?: { readonly offset: number; readonly map: Readonly<Record<string, string | null>>; readonly strict?: true };
}

/** An (offset, epoch) pair used to compare logs in elections and to report divergence. */
export interface OffsetAndEpoch {
  readonly offset: number;
  readonly epoch: number;
}

// ---------------------------------------------------------------------------------------------
// Messages. Every message names its sender; requests and responses are separate kinds.

export type ErrorCode =
  | 'NONE'
  | 'FENCED_LEADER_EPOCH' // the sender's epoch is older than ours
  | 'NOT_LEADER_OR_FOLLOWER' // we are not the leader; a hint is attached when we know one
  | 'INVALID_REQUEST' // malformed numbers: negative offsets, epochs in the future...
  | 'UNKNOWN_NODE' // a vote-protocol message from a node that is not a voter
  | 'SNAPSHOT_NOT_FOUND'
  | 'BROKER_NOT_AVAILABLE'; // shutting down

export interface VoteRequest {
  readonly kind: 'VoteRequest';
  /** The candidate's epoch (for a pre-vote: its current epoch, nothing is bumped). */
  readonly epoch: number;
  readonly candidateId: NodeId;
  readonly lastEpoch: number;
  readonly endOffset: number;
  readonly preVote: boolean;
  /** The candidate's data directory id (absent from nodes configured without one). */
  readonly candidateDirectoryId?: string;
  /**
   * The candidate's view of the RECIPIENT: the directory its log knows that voter by (absent when
   * it knows none, or knows it as replaced). Not the responder's own id, as in VoteResponse. A voter
   * whose own log does not count it (it lags its re-admission) votes when this is its directory;
   * unlike KIP-853, a mismatch refuses nothing by itself (the candidate's count decides).
   */
  readonly voterDirectoryId?: string;
  /**
   * A pre-vote's round: a number the prospective takes anew for each round (numbered from its
   * start's incarnation, so no two starts share one), echoed in the answer, so that an answer to
   * this round counts even from a voter still in an older epoch, and a late answer to an earlier
   * round, of this start or an earlier one, does not. (Absent from older nodes: then only answers
   * in the prospective's own epoch count.)
   */
  readonly preVoteRound?: number;
}

export interface VoteResponse {
  readonly kind: 'VoteResponse';
  readonly error: ErrorCode;
  /** The responder's epoch after handling the request. */
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly granted: boolean;
  readonly preVote: boolean;
  /** The responder's data directory id: a vote counts only from the directory the quorum knows. */
  readonly voterDirectoryId?: string;
  /** The pre-vote round answered (VoteRequest.preVoteRound), echoed. */
  readonly preVoteRound?: number;
}

export interface BeginQuorumEpochRequest {
  readonly kind: 'BeginQuorumEpochRequest';
  readonly epoch: number;
  readonly leaderId: NodeId;
}

export interface BeginQuorumEpochResponse {
  readonly kind: 'BeginQuorumEpochResponse';
  readonly error: ErrorCode;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
}

export interface EndQuorumEpochRequest {
  readonly kind: 'EndQuorumEpochRequest';
  readonly epoch: number;
  readonly leaderId: NodeId;
  /** Voters sorted by end offset, best first: the first should stand for election first. */
  readonly preferredSuccessors: readonly NodeId[];
}

export interface EndQuorumEpochResponse {
  readonly kind: 'EndQuorumEpochResponse';
  readonly error: ErrorCode;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
}

export interface FetchRequest {
  readonly kind: 'FetchRequest';
  /** Lets a fetcher drop a late answer to an older request. */
  readonly fetchId: number;
  readonly epoch: number;
  readonly fetchOffset: number;
  readonly lastFetchedEpoch: number;
  readonly maxWaitMs: number;
  /** Echo of the last readRound this fetcher received from this leader (read barrier, see core). */
  readonly readRound: number;
  /** The fetching voter's data directory id: its offset counts only from the directory the quorum knows. */
  readonly replicaDirectoryId?: string;
}

export interface FetchResponse {
  readonly kind: 'FetchResponse';
  readonly fetchId: number;
  readonly error: ErrorCode;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** Set when the fetcher's log diverges: truncate to endOffset (and below if epochs still differ). */
  readonly divergingEpoch?: { readonly epoch: number; readonly endOffset: number };
  /** Set when the fetch offset is below the leader's log start: fetch this snapshot instead. */
  readonly snapshotId?: SnapshotId;
  /** With snapshotId: the voter directories in force at the snapshot's end (the log it replaces held them). */
  readonly snapshotVoterDirectories?: Readonly<Record<string, string | null>>;
  readonly batches: readonly LogBatch[];
  /**
   * The leader's read-barrier round. A fetch echoing round r was sent after the fetcher saw this
   * response, so it proves the fetcher still followed this leader after round r began.
   */
  readonly readRound: number;
}

export interface FetchSnapshotRequest {
  readonly kind: 'FetchSnapshotRequest';
  readonly epoch: number;
  readonly snapshotId: SnapshotId;
  readonly position: number;
  readonly maxBytes: number;
}

export interface FetchSnapshotResponse {
  readonly kind: 'FetchSnapshotResponse';
  readonly error: ErrorCode;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly snapshotId: SnapshotId;
  readonly position: number;
  /** Total size of the snapshot in bytes. */
  readonly size: number;
  readonly bytes: Uint8Array;
}

export type RaftMessageBody =
  | VoteRequest
  | VoteResponse
  | BeginQuorumEpochRequest
  | BeginQuorumEpochResponse
  | EndQuorumEpochRequest
  | EndQuorumEpochResponse
  | FetchRequest
  | FetchResponse
  | FetchSnapshotRequest
  | FetchSnapshotResponse;

export interface RaftMessage {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly body: RaftMessageBody;
}

/**
 * A FetchSnapshot answer whose bytes the driver must read from its snapshot store before sending:
 * the pure core cannot do I/O, so it says what to read and the driver fills `bytes` in.
 */
export interface SnapshotReadRequest {
  readonly to: NodeId;
  readonly response: Omit<FetchSnapshotResponse, 'bytes' | 'size'>;
  readonly maxBytes: number;
}

/** A piece of a snapshot being downloaded from the leader, to be written to the snapshot store. */
export interface SnapshotChunkWrite {
  readonly snapshotId: SnapshotId;
  readonly position: number;
  readonly bytes: Uint8Array;
  /** True on the last chunk: the driver completes (checks and publishes) the snapshot. */
  readonly done: boolean;
}

// ---------------------------------------------------------------------------------------------
// Inputs and outputs of the core.

export type RoleName = 'Unattached' | 'Prospective' | 'Candidate' | 'Leader' | 'Follower' | 'Resigned';

/**
 * What one node believes about the quorum: its role, its epoch and the leader it follows (null:
 * none known), whom it voted for in that epoch, and its log. Answered by every controller, leader
 * or not, so a tool can tell why there is no leader (quorum describe without one).
 */
export interface LocalQuorumView {
  readonly role: RoleName;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
  readonly highWatermark: number;
  readonly logEndOffset: number;
}

export interface LeaderInfo {
  readonly epoch: number;
  readonly leaderId: NodeId | null;
}

/**
 * What the driver must do, in this order (DESIGN §4): persist the quorum state; write snapshot
 * chunks (completing a downloaded snapshot before the log it replaces is dropped); truncate the
 * log suffix; drop the log prefix; append the batches (and flush when `flush`); only then send the
 * messages and serve the snapshot reads; then install `installSnapshot` into the state machine,
 * hand it `committed`, report `readsReady`; and finally call `advance(ready)`.
 */
export interface Ready {
  readonly quorumState?: QuorumStateData;
  /** Remove every record at or after this offset. */
  readonly truncateTo?: number;
  /** The log now starts here: drop batches that end at or before it, and snapshots older than the log start. */
  readonly logStartOffset?: number;
  readonly append: readonly LogBatch[];
  readonly flush: boolean;
  readonly snapshotWrites: readonly SnapshotChunkWrite[];
  /**
   * After `snapshotWrites`: the download they (or earlier Readies) were writing will not be
   * finished (a new epoch, a leader that no longer has that snapshot, a bad chunk): discard it.
   */
  readonly abandonSnapshotDownload?: true;
  readonly messages: readonly RaftMessage[];
  readonly snapshotReads: readonly SnapshotReadRequest[];
  /** The state machine must load this snapshot (downloaded from the leader) before `committed`. */
  readonly installSnapshot?: SnapshotId;
  /** Committed batches (control batches included) the state machine has not seen, in order. */
  readonly committed: readonly LogBatch[];
  readonly highWatermark: number;
  /** Read barriers the leader confirmed: answer each once the state machine has applied `offset`. */
  readonly readsReady: readonly { readonly readId: number; readonly offset: number }[];
  readonly readsFailed: readonly { readonly readId: number; readonly leader: LeaderInfo }[];
  /** Things an operator should read (a voter refused or rejoined), for the driver to log. */
  readonly notices: readonly Notice[];
  /** Set when leadership changed since the last Ready. */
  readonly leaderChange?: LeaderInfo;
  /** Internal bookkeeping for `advance`. */
  readonly appendedEndOffset: number;
  readonly readyId: number;
}

export interface Notice {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type ProposeResult =
  | { readonly ok: true; readonly baseOffset: number; readonly lastOffset: number; readonly epoch: number }
  | { readonly ok: false; readonly error: 'NOT_LEADER'; readonly leader: LeaderInfo }
  | { readonly ok: false; readonly error: 'BATCH_TOO_LARGE' | 'BACKPRESSURE'; readonly message: string };

export type Input =
  | { readonly type: 'tick' }
  | { readonly type: 'receive'; readonly message: RaftMessage }
  /** The transport lost its connection to a peer (a follower may start a pre-vote at once). */
  | { readonly type: 'peerDisconnected'; readonly nodeId: NodeId }
  /** Graceful resignation of a leader (EndQuorumEpoch); a no-op elsewhere. */
  | { readonly type: 'resign' }
  /** The state machine wrote a snapshot covering everything below id.endOffset. */
  | { readonly type: 'snapshotTaken'; readonly snapshotId: SnapshotId }
  /** Start a linearizable read: resolved via Ready.readsReady or readsFailed. */
  | { readonly type: 'readBarrier'; readonly readId: number };
