// The pure Raft core in Kafka's dialect (KIP-595, pre-vote from KIP-996): a value you feed
// (`step`) and drain (`ready` / `advance`). No clocks, randomness, timers or I/O: time arrives
// with every input, randomness through an injected source, and every effect leaves as a Ready.
//
// Roles and transitions (voters; observers only ever use Unattached and Follower):
//
//   from         event                                             to
//   ----------   -----------------------------------------------   -----------------------------
//   any          message with a higher epoch naming a leader       Follower(epoch, leader)
//   any          message with a higher epoch, no leader            Unattached(epoch)
//   Unattached   election deadline passes                          Prospective (same epoch)
//   Unattached   same-epoch hint naming a leader (for an observer,  Follower
//                also a late answer of that leader itself)
//   Unattached   grants a vote                                     Unattached (votedId persisted)
//   Prospective  majority of pre-votes granted (answers to this     Candidate(epoch + 1, votes self)
//                round, from voters in our epoch or an older one)
//   Prospective  majority rejects (the same answers)               Unattached, backoff deadline
//   Prospective  a rejection names the leader of our epoch         Follower
//   Prospective  deadline passes                                   Prospective (new pre-vote round)
//   Candidate    majority of votes granted                         Leader (appends LeaderChange)
//   Candidate    majority rejects                                  Unattached, backoff deadline
//   Candidate    deadline passes                                   Prospective
//   Candidate    same-epoch hint naming a leader                   Follower
//   Follower     no successful fetch for fetch.timeout (+ a random  Prospective (voter) / Unattached (observer),
//                grace of up to 100 ms for a voter)                asking the other voters first
//   Follower     connection to the leader lost                     Prospective (voter), after a jitter;
//                                                                  Unattached (observer), asking the voters at once
//   Follower     EndQuorumEpoch from its leader                    Unattached, deadline by successor rank
//   Leader       check-quorum: no majority fetched in 1.5 x fetch  Resigned (EndQuorumEpoch sent)
//   Leader       resign input (graceful shutdown)                  Resigned (EndQuorumEpoch sent)
//   Resigned     election deadline passes                          Prospective
//   (restart)    persisted leaderId == self                        Resigned (KAFKA-10527)
//   (restart)    the only voter, Unattached or Resigned            Prospective at once (a new epoch)
//   (restart)    persisted leaderId == other                       Follower
//   (restart)    otherwise                                         Unattached
//
// Persisted state (epoch, leaderId, votedId) changes only with these transitions and always
// reaches disk before any message that depends on it leaves (the Ready order).
//
// Voter directories (voter-directories.ts): every vote and fetch a voter sends carries its data
// directory id, and counts (towards a majority of votes, the high watermark, check-quorum, read
// barriers) only when it matches the directory the log knows for that voter. A voter the log does
// not count does not stand for election and grants no votes, unless the candidate's log knows it
// by its present directory (its own log has not yet caught up with its re-admission; otherwise 2 of
// 3 voters could not elect). A voter's grant does not depend on which directory its log records
// for the candidate (grantsCandidate): the candidate decides what counts, and stands only when its
// own log counts it. Safe because the candidate, not the voter, decides what counts: a
// re-admission follows a committed "replaced" record, committed after the old copy died by a
// majority without it, so no candidate counting an old copy's vote can also win a majority (the
// old and new copies may have voted in the same epoch: wiped-voter.test.ts). The leader records
// directories (VoterDirectory control records, one in flight at a time, only after committing in
// its epoch): first sight -> recorded; a different directory -> null (a wiped voter: counts for
// nothing); null and caught up to the high watermark -> the new directory (rejoined). A voter
// formatted with every voter's directory (--initial-controllers) is never unknown; the leader
// copies what its base knows into the log for voters the log has no record of, as records of the
// same values. A node formatted either way is strict: an unknown voter counts for nothing, and a
// strict leader records one it sees for the first time as replaced (null), then re-admits it.

import type { RaftConfig } from './config.js';
import { assert } from './assert.js';
import { limits } from '../limits.js';
import { malformedReason } from './message-validation.js';
import { majority, nextHighWatermark } from './quorum-math.js';
import { RaftLog, batchBytes, batchEndOffset } from './raft-log.js';
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  ErrorCode,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  Input,
  LeaderInfo,
  LocalQuorumView,
  LogBatch,
  NodeId,
  ProposeResult,
  QuorumStateData,
  RaftMessage,
  RaftMessageBody,
  Ready,
  RoleName,
  SnapshotChunkWrite,
  SnapshotId,
  SnapshotReadRequest,
  Notice,
  VoterDirectoryRecord,
  VoteRequest,
  VoteResponse,
} from './types.js';

/** What the driver loaded from disk when the node started. */
export interface RestoredState {
  readonly quorumState: QuorumStateData | undefined;
  /** Snapshots on disk, oldest first; the log starts at the oldest. */
  readonly snapshots: readonly SnapshotId[];
  readonly batches: readonly LogBatch[];
  /** Offset the state machine has already applied (the loaded snapshot's end offset). */
  readonly appliedOffset: number;
}

export interface RandomSource {
  next(): number;
}

interface ReplicaState {
  endOffset: number;
  lastFetchMs: number | null;
  lastCaughtUpMs: number | null;
  /** The high watermark last sent to it: a parked fetch is answered once ours moves past it. */
  lastSentHighWatermark: number;
  /** The directory its fetches came from (voters); its offsets count only if the log knows it by this one. */
  directoryId?: string | undefined;
}

interface ParkedFetch {
  readonly from: NodeId;
  readonly request: FetchRequest;
  /** When it is answered anyway; moved earlier for a voter when the high watermark moves. */
  expiresMs: number;
}

interface PendingRead {
  readonly readId: number;
  /** Fetches echoing this round or later count as confirmations. */
  readonly round: number;
  readonly acks: Set<NodeId>;
}

type RoleState =
  | { role: 'Unattached'; electionDeadlineMs: number }
  | { role: 'Prospective'; deadlineMs: number; granted: Set<NodeId>; rejected: Set<NodeId>; round: number }
  | { role: 'Candidate'; deadlineMs: number; granted: Set<NodeId>; rejected: Set<NodeId> }
  | {
      role: 'Leader';
      epochStartOffset: number;
      replicas: Map<NodeId, ReplicaState>;
      parked: Map<NodeId, ParkedFetch>;
      reads: PendingRead[];
      readRound: number;
      beginQuorumResendMs: number;
      checkQuorumMs: number;
    }
  | {
      role: 'Follower';
      fetchDeadlineMs: number;
      lastFetchOkMs: number;
      /** The fetch deadline already carries its random grace (see onTimers). */
      graced: boolean;
      snapshotFetch: { id: SnapshotId; position: number; directories: Readonly<Record<string, string | null>> | undefined } | null;
    }
  | { role: 'Resigned'; electionDeadlineMs: number };

interface Inflight {
  readonly id: number;
  readonly to: NodeId;
  readonly sentMs: number;
  /** An observer that knows no leader asking a voter (see maybeSendFetch): never parked, so given up on sooner. */
  readonly discovery: boolean;
}

/** Retries a failed fetch after this long (Kafka's controller.quorum.retry.backoff.ms is 20). */
const RETRY_BACKOFF_MS = 20;
/** How often the same directory warning (a refused or uncounted vote) may repeat. */
const NOTICE_REPEAT_MS = 60_000;
/** Base of the exponential election backoff (Kafka: 100 ms). */
const ELECTION_BACKOFF_BASE_MS = 100;

export class RaftCore {
  private readonly config: RaftConfig;
  private readonly random: RandomSource;
  private readonly isVoter: boolean;
  readonly log: RaftLog;

  // Persisted election state, and whether it changed since the last Ready.
  private epoch = 0;
  private leaderId: NodeId | null = null;
  private votedId: NodeId | null = null;
  private quorumStateDirty = false;

  private state: RoleState;
  private electionRetries = 0;

  // Log bookkeeping: what the driver has been handed and what is durable.
  private highWatermark = 0;
  private handedEndOffset: number;
  private flushedEndOffset: number;
  private appliedOffset: number;
  private pendingTruncate: number | null = null;
  /** Lowest truncation since a Ready was taken: `advance` must not mark truncated data flushed. */
  private truncatedSinceReady = Infinity;
  private pendingLogStart: number | null = null;
  private snapshots: SnapshotId[];
  private pendingInstall: SnapshotId | null = null;
  private snapshotWrites: SnapshotChunkWrite[] = [];
  /** The snapshot whose chunks have been handed out (snapshotWrites) but not the last one yet. */
  private openDownload: SnapshotId | null = null;

  // Leader: records proposed but not yet sealed into a batch.
  private proposed: Uint8Array[] = [];
  private proposedBytes = 0;
  /** Where each proposal ends in `proposed` (exclusive): a proposal is never split across batches. */
  private proposalEnds: number[] = [];

  // Fetching (followers and observers).
  private inflightFetch: Inflight | null = null;
  /** Last read round received from the current leader, echoed in every fetch. */
  private readRoundSeen = 0;
  private nextFetchMs = 0;
  /**
   * The id of the latest fetch: from this start's incarnation up, as pre-vote rounds are. A fetch
   * answer produced for an earlier start of this node and delivered after the restart must not
   * match the new start's fetch of the same id: a divergence answer meant for the old log could
   * truncate entries the new start has already acknowledged (its high watermark fell back at the
   * restart, so that guard does not hold them). Found by a review; no run has shown it.
   */
  private fetchSeq: number;
  private bootstrapCursor = 0;
  /**
   * Observers: the leader whose connection just dropped, until `untilMs`. The other voters may
   * still name it (they notice the loss a little later), and a fetch to a dead process waits out
   * the request timeout; so for half a fetch timeout (an election takes less) neither a hint
   * naming it in that epoch nor the round of voters (in any epoch) brings the observer back to it. Without this,
   * a broker went back to a killed leader and was stale for ~0.8 s after each failover.
   */
  private lostLeader: { id: NodeId; epoch: number; untilMs: number } | null = null;
  /** The number of the latest pre-vote round: from this start's incarnation up (see the constructor). */
  private preVoteRounds: number;

  private outbox: RaftMessage[] = [];
  private snapshotReads: SnapshotReadRequest[] = [];
  private readsReady: { readId: number; offset: number }[] = [];
  private readsFailed: { readId: number; leader: LeaderInfo }[] = [];
  private lastReportedLeader: LeaderInfo | null = null;
  private readyCounter = 0;
  private nowMs: number;

  /** Inputs that were refused as values (unknown senders, impossible claims): for logs and tests. */
  readonly anomalies: string[] = [];
  /** Operator-facing events (a voter refused or re-admitted) for the next Ready. */
  private notices: Notice[] = [];
  /** Whether this voter counted in its own log's view at the last check (a change is a notice). */
  private selfCounted = true;
  /** When each repeatable notice (a refused vote from one directory) was last given: one per window. */
  private readonly noticeTimes = new Map<string, number>();

  /** `incarnation`: this start's number (NodeEnv.incarnation): pre-vote rounds and fetch ids are numbered from it. */
  constructor(config: RaftConfig, random: RandomSource, restored: RestoredState, nowMs: number, incarnation = 0) {
    assert(Number.isSafeInteger(incarnation) && incarnation >= 0 && incarnation <= 2 ** 52, `incarnation must be an integer in 0..2^52, got ${incarnation}`);
    this.preVoteRounds = incarnation;
    this.fetchSeq = incarnation;
    this.config = config;
    this.random = random;
    this.nowMs = nowMs;
    this.isVoter = config.voters.includes(config.nodeId);
    this.snapshots = [...restored.snapshots];
    this.log = new RaftLog(this.snapshots[0] ?? null, restored.batches, restored.quorumState?.voterDirectories);
    // A voter that starts uncounted (wiped earlier, or formatted to replace one) says so at once.
    this.noticeSelfCounting();
    this.handedEndOffset = this.log.endOffset;
    this.flushedEndOffset = this.log.endOffset;
    const latest = this.snapshots[this.snapshots.length - 1];
    this.appliedOffset = restored.appliedOffset;
    assert(this.appliedOffset === (latest?.endOffset ?? this.log.startOffset), 'applied offset must equal the loaded snapshot');
    this.highWatermark = this.appliedOffset;

    const qs = restored.quorumState;
    if (qs !== undefined) {
      this.epoch = qs.epoch;
      this.leaderId = qs.leaderId;
      this.votedId = qs.votedId;
    }
    if (this.log.lastEpoch > this.epoch) {
      // The log knows a later epoch than the quorum-state file (a lost or replaced file): never
      // act in an epoch older than our own records; who led or got our vote there is unknown.
      this.epoch = this.log.lastEpoch;
      this.leaderId = null;
      this.votedId = null;
      this.quorumStateDirty = true;
    }
    if (this.leaderId !== null && this.leaderId === config.nodeId) {
      // KAFKA-10527: never lead the same epoch twice; unflushed records could be rewritten.
      this.state = { role: 'Resigned', electionDeadlineMs: nowMs + this.randomElectionTimeout() };
    } else if (this.leaderId !== null) {
      this.state = this.followerState();
    } else {
      this.state = { role: 'Unattached', electionDeadlineMs: nowMs + this.randomElectionTimeout() };
    }
    if (this.isVoter && config.voters.length === 1 && (this.state.role === 'Unattached' || this.state.role === 'Resigned')) {
      // A lone voter elects itself at once, as Kafka's does: restarted after leading too, since it
      // stands in a new epoch (KAFKA-10527 forbids only leading the old one again). Waiting out an
      // election timeout would leave a one-controller cluster without a leader for no reason.
      this.state.electionDeadlineMs = nowMs;
    }
    this.lastReportedLeader = null;
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  get role(): RoleName {
    return this.state.role;
  }

  /** The high watermark this node knows: every offset below it is committed. */
  committedOffset(): number {
    return this.highWatermark;
  }

  /**
   * The leader of the current epoch as far as this node knows: itself while leading, the leader it
   * follows, else none (leaderHint). A resigned leader (check-quorum, shutdown, or restarted after
   * leading) no longer vouches for itself, nor does it once it stands for election again
   * (Prospective keeps the in-memory leaderId, as the persisted one stays this node's: a restart
   * must come back Resigned, KAFKA-10527): none, so the driver hears of the change and fails its
   * waiting proposals at once instead of when a newer epoch arrives.
   */
  leader(): LeaderInfo {
    return { epoch: this.epoch, leaderId: this.leaderHint() };
  }

  /** This node's own view of the quorum, cheap to take (no log copy, unlike inspect). */
  localView(): LocalQuorumView {
    return {
      role: this.state.role,
      epoch: this.epoch,
      leaderId: this.leader().leaderId,
      votedId: this.votedId,
      highWatermark: this.highWatermark,
      logEndOffset: this.log.endOffset,
    };
  }

  persistedState(): QuorumStateData {
    const directories = this.log.directories.baseAt();
    return { epoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId, ...(Object.keys(directories.map).length > 0 ? { voterDirectories: directories } : {}) };
  }

  inspect() {
    return {
      nodeId: this.config.nodeId,
      isVoter: this.isVoter,
      role: this.state.role,
      epoch: this.epoch,
      leaderId: this.leaderId,
      /** The leader this node reports (leader()): its role's view, where leaderId is the remembered one. */
      reportedLeaderId: this.leader().leaderId,
      votedId: this.votedId,
      highWatermark: this.highWatermark,
      logStartOffset: this.log.startOffset,
      logEndOffset: this.log.endOffset,
      flushedEndOffset: this.flushedEndOffset,
      appliedOffset: this.appliedOffset,
      batches: this.log.all(),
      latestSnapshot: this.snapshots[this.snapshots.length - 1] ?? null,
      /** What this node's log says each voter's directory is (voter-directories.ts). */
      voterDirectories: this.log.directories.at(this.log.endOffset),
      /** The same from committed records only (below the high watermark): what outlives this node's crash. */
      committedVoterDirectories: this.log.directories.at(this.highWatermark),
      snapshots: [...this.snapshots] as readonly SnapshotId[],
    };
  }

  /** Leader only: each replica's progress, for DescribeQuorum. */
  replicaStates(): ReadonlyMap<NodeId, Readonly<ReplicaState>> {
    return this.state.role === 'Leader' ? this.state.replicas : new Map();
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  step(input: Input, nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    switch (input.type) {
      case 'tick':
        break;
      case 'receive':
        this.receive(input.message);
        break;
      case 'peerDisconnected':
        this.onPeerDisconnected(input.nodeId);
        break;
      case 'resign':
        if (this.state.role === 'Leader') this.resign();
        break;
      case 'snapshotTaken':
        this.onSnapshotTaken(input.snapshotId);
        break;
      case 'readBarrier':
        this.onReadBarrier(input.readId);
        break;
    }
    this.onTimers();
  }

  /** A new batch's append time: the clock plus the configured origin (wall-clock ms in a real node), whole ms. */
  private appendTimeMs(): number {
    return Math.round(this.nowMs + (this.config.appendTimeOriginMs ?? 0));
  }

  /** On the leader, the offset the next proposal's first record will get; null elsewhere. */
  nextProposalOffset(): number | null {
    return this.state.role === 'Leader' ? this.log.endOffset + this.proposed.length : null;
  }

  /** Appends records on the leader. Offsets are assigned now; they commit later (see Ready.committed). */
  propose(records: readonly Uint8Array[], nowMs: number): ProposeResult {
    return this.proposeAll([records], nowMs);
  }

  /**
   * Appends several proposals, all or none: each lands whole in a batch of its own choosing, and
   * back-pressure is judged once for all of them, so a caller writing one large change in parts
   * (a metadata transaction) is never refused half-way through.
   */
  proposeAll(proposals: readonly (readonly Uint8Array[])[], nowMs: number): ProposeResult {
    this.nowMs = Math.max(this.nowMs, nowMs);
    if (this.state.role !== 'Leader') return { ok: false, error: 'NOT_LEADER', leader: this.leader() };
    if (proposals.length === 0) return { ok: false, error: 'BATCH_TOO_LARGE', message: 'nothing to propose' };
    let total = 0;
    let totalBytes = 0;
    for (const records of proposals) {
      if (records.length === 0 || records.length > limits.recordsPerProposalMax) {
        return { ok: false, error: 'BATCH_TOO_LARGE', message: `a proposal holds 1..${limits.recordsPerProposalMax} records, got ${records.length}` };
      }
      let bytes = 0;
      for (const r of records) {
        // A caller's bug, caught before anything is queued: the log, its CRC and the wire carry
        // bytes only, and a string (which has a length too) would fail far from its cause.
        if (!(r instanceof Uint8Array)) assert(false, `a proposal's record is ${typeof r}, not a Uint8Array`);
        bytes += r.length;
      }
      if (bytes > limits.proposalBytesMax) {
        return { ok: false, error: 'BATCH_TOO_LARGE', message: `proposal of ${bytes} bytes exceeds ${limits.proposalBytesMax}` };
      }
      total += records.length;
      totalBytes += bytes;
    }
    const baseOffset = this.log.endOffset + this.proposed.length;
    if (baseOffset - this.highWatermark > limits.uncommittedRecordsMax) {
      return { ok: false, error: 'BACKPRESSURE', message: `${baseOffset - this.highWatermark} records await commit; retry shortly` };
    }
    for (const records of proposals) {
      for (const r of records) this.proposed.push(r);
      this.proposalEnds.push(this.proposed.length);
    }
    this.proposedBytes += totalBytes;
    return { ok: true, baseOffset, lastOffset: baseOffset + total - 1, epoch: this.epoch };
  }

  /** When a tick would next change anything. */
  nextDeadlineMs(): number {
    const s = this.state;
    let t = Infinity;
    switch (s.role) {
      case 'Unattached':
        if (this.isVoter) t = s.electionDeadlineMs;
        break;
      case 'Prospective':
      case 'Candidate':
        t = s.deadlineMs;
        break;
      case 'Resigned':
        t = s.electionDeadlineMs;
        break;
      case 'Follower':
        t = s.fetchDeadlineMs;
        break;
      case 'Leader':
        t = Math.min(s.beginQuorumResendMs, s.checkQuorumMs);
        for (const p of s.parked.values()) t = Math.min(t, p.expiresMs);
        break;
    }
    if (this.wantsToFetch()) t = Math.min(t, this.inflightFetch === null ? this.nextFetchMs : this.fetchRetryAtMs(this.inflightFetch));
    return t;
  }

  // -------------------------------------------------------------------------------------------
  // Ready / advance

  hasReady(): boolean {
    return (
      this.quorumStateDirty ||
      this.pendingTruncate !== null ||
      this.pendingLogStart !== null ||
      this.proposed.length > 0 ||
      this.log.endOffset !== this.handedEndOffset ||
      this.snapshotWrites.length > 0 ||
      this.outbox.length > 0 ||
      this.snapshotReads.length > 0 ||
      this.pendingInstall !== null ||
      (this.committedEnd() > this.appliedOffset && this.committedBatches().length > 0) ||
      this.readsReady.length > 0 ||
      this.readsFailed.length > 0 ||
      this.notices.length > 0 ||
      this.leaderChanged() ||
      this.downloadAbandoned()
    );
  }

  /** A download was begun (chunks handed out) and this follower no longer fetches that snapshot. */
  private downloadAbandoned(): boolean {
    const open = this.openDownload;
    if (open === null) return false;
    const s = this.state;
    const fetching = s.role === 'Follower' ? s.snapshotFetch : null;
    return fetching === null || fetching.id.endOffset !== open.endOffset || fetching.id.epoch !== open.epoch;
  }

  ready(): Ready | undefined {
    this.sealProposals();
    if (!this.hasReady()) return undefined;
    const append = this.log.endOffset > this.handedEndOffset ? this.log.read(this.handedEndOffset, Infinity) : [];
    const committed = this.committedBatches();
    const leaderChange = this.leaderChanged() ? this.leader() : undefined;
    if (leaderChange !== undefined) this.lastReportedLeader = leaderChange;
    const abandon = this.downloadAbandoned();
    if (abandon) {
      this.notices.push({ level: 'info', fields: { snapshot: this.openDownload }, msg: 'snapshot download abandoned: its partial file is deleted' });
      this.openDownload = null;
    }
    const rd: Ready = {
      ...(this.quorumStateDirty ? { quorumState: this.persistedState() } : {}),
      ...(this.pendingTruncate !== null ? { truncateTo: this.pendingTruncate } : {}),
      ...(this.pendingLogStart !== null ? { logStartOffset: this.pendingLogStart } : {}),
      append,
      flush: this.isVoter && append.length > 0,
      snapshotWrites: this.snapshotWrites,
      ...(abandon ? { abandonSnapshotDownload: true as const } : {}),
      messages: this.outbox,
      snapshotReads: this.snapshotReads,
      ...(this.pendingInstall !== null ? { installSnapshot: this.pendingInstall } : {}),
      committed,
      highWatermark: this.highWatermark,
      readsReady: this.readsReady,
      readsFailed: this.readsFailed,
      notices: this.notices,
      ...(leaderChange !== undefined ? { leaderChange } : {}),
      appendedEndOffset: this.log.endOffset,
      readyId: ++this.readyCounter,
    };
    this.quorumStateDirty = false;
    this.pendingTruncate = null;
    this.pendingLogStart = null;
    this.pendingInstall = null;
    this.handedEndOffset = this.log.endOffset;
    this.truncatedSinceReady = Infinity;
    this.snapshotWrites = [];
    this.outbox = [];
    this.snapshotReads = [];
    this.readsReady = [];
    this.readsFailed = [];
    this.notices = [];
    const last = committed[committed.length - 1];
    if (last !== undefined) this.appliedOffset = batchEndOffset(last);
    return rd;
  }

  /**
   * The part of a Ready that depends on nothing unflushed, for the driver to carry out while a
   * Ready's I/O is still in flight: committed batches (already durable here) and fetch responses
   * (data, not acknowledgements). Withheld while a leader change or a snapshot install is pending,
   * so the state machine still sees those first.
   */
  takeLight(): { committed: LogBatch[]; messages: RaftMessage[]; readsReady: { readId: number; offset: number }[]; readsFailed: { readId: number; leader: LeaderInfo }[] } | undefined {
    if (this.leaderChanged() || this.pendingInstall !== null) return undefined;
    const committed = this.committedBatches();
    const messages = this.outbox.filter((m) => m.body.kind === 'FetchResponse');
    if (committed.length === 0 && messages.length === 0 && this.readsReady.length === 0 && this.readsFailed.length === 0) return undefined;
    if (messages.length > 0) this.outbox = this.outbox.filter((m) => m.body.kind !== 'FetchResponse');
    const last = committed[committed.length - 1];
    if (last !== undefined) this.appliedOffset = batchEndOffset(last);
    const light = { committed, messages, readsReady: this.readsReady, readsFailed: this.readsFailed };
    this.readsReady = [];
    this.readsFailed = [];
    return light;
  }

  /** The driver did everything the Ready asked. */
  advance(rd: Ready, nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    const durable = Math.min(rd.appendedEndOffset, this.truncatedSinceReady, this.log.endOffset);
    if (durable > this.flushedEndOffset || rd.truncateTo !== undefined || rd.installSnapshot !== undefined) {
      this.flushedEndOffset = Math.max(durable, this.log.startOffset);
    }
    if (this.state.role === 'Leader') this.updateHighWatermark();
    this.onTimers();
  }

  // -------------------------------------------------------------------------------------------
  // Timers

  private onTimers(): void {
    const now = this.nowMs;
    const s = this.state;
    switch (s.role) {
      case 'Unattached':
        if (this.isVoter && now >= s.electionDeadlineMs) this.becomeProspective();
        break;
      case 'Resigned':
        if (now >= s.electionDeadlineMs) this.becomeProspective();
        break;
      case 'Prospective':
        if (now >= s.deadlineMs) this.becomeProspective();
        break;
      case 'Candidate':
        if (now >= s.deadlineMs) this.becomeProspective();
        break;
      case 'Follower':
        if (now >= s.fetchDeadlineMs) {
          // A hung leader: asked first again (the cursor may point at it), it would hold the
          // observer for a whole request timeout before the next voter is tried.
          if (!this.isVoter) this.observerLostLeader(this.leaderId!);
          else if (!s.graced) {
            // The followers of a leader that hangs time out together (the same responses reset
            // their deadlines) and would stand at the same instant and split the vote; a random
            // grace of up to one backoff base lets one of them ask first.
            s.graced = true;
            s.fetchDeadlineMs = now + Math.floor(this.random.next() * ELECTION_BACKOFF_BASE_MS);
            if (now >= s.fetchDeadlineMs) this.becomeProspective();
          } else this.becomeProspective();
        }
        break;
      case 'Leader':
        this.leaderTimers(s, now);
        break;
    }
    this.maybeSendFetch();
  }

  private leaderTimers(s: Extract<RoleState, { role: 'Leader' }>, now: number): void {
    for (const [id, p] of s.parked) {
      if (now >= p.expiresMs) {
        s.parked.delete(id);
        this.answerFetch(s, id, p.request);
      }
    }
    if (now >= s.beginQuorumResendMs) {
      // KAFKA-16536: re-announce the epoch to voters that have not fetched lately.
      const stale = now - this.config.fetchTimeoutMs / 2;
      for (const v of this.otherVoters()) {
        const r = s.replicas.get(v);
        if (r === undefined || r.lastFetchMs === null || r.lastFetchMs < stale) this.sendBeginQuorumEpoch(v);
      }
      s.beginQuorumResendMs = now + this.config.fetchTimeoutMs / 2;
    }
    if (now >= s.checkQuorumMs) {
      const windowMs = 1.5 * this.config.fetchTimeoutMs;
      if (this.config.voters.length > 1) {
        let live = 1;
        for (const v of this.otherVoters()) {
          const r = s.replicas.get(v);
          const last = r?.lastFetchMs ?? null;
          if (last !== null && now - last <= windowMs && this.counts(v, r?.directoryId)) live++;
        }
        if (live < majority(this.config.voters.length)) {
          this.resign(); // check-quorum (KAFKA-15489): no majority fetched within the window
          return;
        }
      }
      s.checkQuorumMs = now + windowMs / 3;
    }
    this.maintainVoterDirectories(s);
  }

  /**
   * The leader's part of voter-directory tracking: at most one VoterDirectory record in flight,
   * and only once this epoch has committed something (so the previous change is settled).
   */
  private maintainVoterDirectories(s: Extract<RoleState, { role: 'Leader' }>): void {
    const dirs = this.log.directories;
    if (this.highWatermark <= s.epochStartOffset || dirs.latestRecordOffset() >= this.highWatermark) return;
    const own = this.config.directoryId;
    if (own !== undefined && dirs.current(this.config.nodeId) === undefined) {
      return this.appendVoterDirectory({ type: 'voterDirectory', voterId: this.config.nodeId, directoryId: own }, 'info', 'voter directory recorded', {});
    }
    const copy = dirs.unrecordedBaseVoter((v) => this.isVoterId(v));
    if (copy !== undefined) return this.appendVoterDirectory(copy, 'info', 'voter directory copied into the log', {});
    for (const v of this.otherVoters()) {
      const r = s.replicas.get(v);
      const seen = r?.directoryId;
      if (r === undefined || seen === undefined) continue;
      const known = dirs.current(v);
      if (known === undefined && dirs.strict) {
        // Unknown to a strict leader: what it held before is unknown too, so it rejoins as replaced.
        return this.appendVoterDirectory({ type: 'voterDirectory', voterId: v, directoryId: null }, 'warn',
          'voter unknown to this leader: its votes and acknowledgements count once it has caught up and is re-admitted', { presentedDirectoryId: seen });
      }
      if (known === undefined) {
        return this.appendVoterDirectory({ type: 'voterDirectory', voterId: v, directoryId: seen }, 'info', 'voter directory recorded', {});
      }
      if (known !== null && known !== seen) {
        return this.appendVoterDirectory({ type: 'voterDirectory', voterId: v, directoryId: null }, 'warn',
          'voter came back with another data directory (wiped or replaced): its votes and acknowledgements no longer count until it has caught up and is re-admitted',
          { knownDirectoryId: known, presentedDirectoryId: seen });
      }
      if (known === null && r.endOffset >= this.highWatermark) {
        return this.appendVoterDirectory({ type: 'voterDirectory', voterId: v, directoryId: seen }, 'info',
          'voter re-admitted with its new data directory after catching up', { caughtUpTo: r.endOffset });
      }
    }
  }

  private appendVoterDirectory(record: VoterDirectoryRecord, level: Notice['level'], msg: string, fields: Record<string, unknown>): void {
    const s = this.state;
    assert(s.role === 'Leader', 'only the leader records voter directories');
    this.sealProposals(); // proposals already hold their offsets: the record goes after them
    const offset = this.log.endOffset;
    this.log.append({ baseOffset: offset, epoch: this.epoch, appendTimeMs: this.appendTimeMs(), records: [], control: record });
    this.notices.push({ level, msg, fields: { voterId: record.voterId, directoryId: record.directoryId, offset, ...fields } });
    this.releaseParkedFetches(s);
  }

  /** Repeated elections would repeat the same warning every round: give it once a minute. */
  private noticeDue(key: string): boolean {
    const last = this.noticeTimes.get(key);
    if (last !== undefined && this.nowMs - last < NOTICE_REPEAT_MS) return false;
    if (this.noticeTimes.size > 64) this.noticeTimes.clear();
    this.noticeTimes.set(key, this.nowMs);
    return true;
  }

  /** Whether a vote or fetch offset from `voterId`, sent from `directoryId`, counts (see voter-directories.ts). */
  private counts(voterId: NodeId, directoryId: string | undefined): boolean {
    return this.log.directories.counts(voterId, directoryId);
  }

  private selfCounts(): boolean {
    return this.counts(this.config.nodeId, this.config.directoryId);
  }

  /** A voter learns from its own log that the quorum stopped (or resumed) counting it: say so once. */
  private noticeSelfCounting(): void {
    if (!this.isVoter) return;
    const now = this.selfCounts();
    if (now === this.selfCounted) return;
    this.selfCounted = now;
    if (now) {
      this.notices.push({ level: 'info', msg: 'this voter was re-admitted: it votes and counts again', fields: { directoryId: this.config.directoryId ?? null } });
    } else {
      this.notices.push({
        level: 'warn',
        msg: 'the quorum knows this voter by another data directory (this one was wiped or replaced): it will not stand for election, and votes only for a candidate whose log has re-admitted it, until the leader re-admits it after it has caught up',
        fields: { directoryId: this.config.directoryId ?? null, knownAs: this.log.directories.current(this.config.nodeId) ?? null },
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Transitions

  private setElectionState(epoch: number, leaderId: NodeId | null, votedId: NodeId | null): void {
    assert(epoch >= this.epoch, `epoch would go back from ${this.epoch} to ${epoch}`);
    if (epoch !== this.epoch || leaderId !== this.leaderId || votedId !== this.votedId) {
      this.epoch = epoch;
      this.leaderId = leaderId;
      this.votedId = votedId;
      this.quorumStateDirty = true;
    }
  }

  private leaveRole(): void {
    const s = this.state;
    if (s.role === 'Leader') {
      // Still Leader here, but leaving the role: the failed reads name no leader (not itself).
      for (const r of s.reads) this.readsFailed.push({ readId: r.readId, leader: { epoch: this.epoch, leaderId: null } });
      this.proposed = [];
      this.proposedBytes = 0;
      this.proposalEnds = [];
    }
    this.inflightFetch = null;
    this.readRoundSeen = 0;
  }

  private becomeUnattached(epoch: number, votedId: NodeId | null = null, deadlineMs?: number): void {
    this.leaveRole();
    this.setElectionState(epoch, null, epoch === this.epoch ? (votedId ?? this.votedId) : votedId);
    this.state = { role: 'Unattached', electionDeadlineMs: deadlineMs ?? this.nowMs + this.randomElectionTimeout() };
  }

  private becomeUnattachedObserver(): void {
    this.leaveRole();
    this.leaderId = null; // observers do not hold votes; leader knowledge is soft
    this.state = { role: 'Unattached', electionDeadlineMs: Infinity };
    this.nextFetchMs = this.nowMs;
  }

  private becomeFollower(epoch: number, leaderId: NodeId): void {
    assert(leaderId !== this.config.nodeId, 'cannot follow itself');
    this.leaveRole();
    this.setElectionState(epoch, leaderId, epoch === this.epoch ? this.votedId : null);
    this.state = this.followerState();
    this.electionRetries = 0;
    this.nextFetchMs = this.nowMs;
  }

  private followerState(): RoleState {
    return { role: 'Follower', fetchDeadlineMs: this.nowMs + this.config.fetchTimeoutMs, lastFetchOkMs: -Infinity, graced: false, snapshotFetch: null };
  }

  private becomeProspective(): void {
    if (!this.isVoter) return; // KAFKA-17067: only voters stand for election
    if (!this.selfCounts()) {
      // A replaced voter waits to be re-admitted; the leader's BeginQuorumEpoch finds it.
      this.becomeUnattached(this.epoch, null, this.nowMs + this.randomElectionTimeout());
      return;
    }
    this.leaveRole();
    const prevLeader = this.leaderId;
    this.state = {
      role: 'Prospective',
      deadlineMs: this.nowMs + this.randomElectionTimeout(),
      granted: new Set([this.config.nodeId]),
      rejected: new Set(),
      // Numbered from this start's incarnation: a voter may answer a request of an earlier start
      // after its sender restarted (the answer goes to whatever process holds the address now),
      // and an older epoch's grant counting towards the wrong round could depose a live leader.
      round: ++this.preVoteRounds,
    };
    // A prospective node has no leader: it lost it or never had one (nothing persisted: pre-vote bumps nothing).
    if (prevLeader !== null && prevLeader !== this.config.nodeId) this.leaderId = null;
    if (this.state.granted.size >= majority(this.config.voters.length)) {
      this.becomeCandidate();
      return;
    }
    const round = this.state.round;
    for (const v of this.otherVoters()) this.send(v, { ...this.voteRequest(v, this.epoch, true), preVoteRound: round });
  }

  private becomeCandidate(): void {
    this.leaveRole();
    const epoch = this.epoch + 1;
    this.setElectionState(epoch, null, this.config.nodeId);
    this.state = {
      role: 'Candidate',
      deadlineMs: this.nowMs + this.randomElectionTimeout(),
      granted: new Set([this.config.nodeId]),
      rejected: new Set(),
    };
    if (this.state.granted.size >= majority(this.config.voters.length)) {
      this.becomeLeader([...this.state.granted]);
      return;
    }
    for (const v of this.otherVoters()) this.send(v, this.voteRequest(v, epoch, false));
  }

  /** A (pre-)vote request to voter `v`: this node's log position and directory, and the directory its log knows `v` by. */
  private voteRequest(v: NodeId, epoch: number, preVote: boolean): VoteRequest {
    const known = this.log.directories.current(v);
    return {
      kind: 'VoteRequest',
      epoch,
      candidateId: this.config.nodeId,
      lastEpoch: this.log.lastEpoch,
      endOffset: this.log.endOffset,
      preVote,
      ...this.ownDirectory('candidateDirectoryId'),
      ...(typeof known === 'string' ? { voterDirectoryId: known } : {}),
    };
  }

  private becomeLeader(granting: NodeId[]): void {
    this.leaveRole();
    this.setElectionState(this.epoch, this.config.nodeId, this.config.nodeId);
    const epochStartOffset = this.log.endOffset;
    this.log.append({
      baseOffset: epochStartOffset,
      epoch: this.epoch,
      appendTimeMs: this.appendTimeMs(),
      records: [],
      control: { type: 'leaderChange', leaderId: this.config.nodeId, voters: [...this.config.voters], grantingVoters: granting.sort((a, b) => a - b) },
    });
    const replicas = new Map<NodeId, ReplicaState>();
    for (const v of this.otherVoters()) replicas.set(v, { endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null, lastSentHighWatermark: -1 });
    this.state = {
      role: 'Leader',
      epochStartOffset,
      replicas,
      parked: new Map(),
      reads: [],
      readRound: 0,
      beginQuorumResendMs: this.nowMs + this.config.fetchTimeoutMs / 2,
      checkQuorumMs: this.nowMs + 1.5 * this.config.fetchTimeoutMs,
    };
    this.electionRetries = 0;
    for (const v of this.otherVoters()) this.sendBeginQuorumEpoch(v);
    this.updateHighWatermark();
  }

  private resign(): void {
    const s = this.state;
    assert(s.role === 'Leader', 'only a leader resigns');
    // Preferred successors: the best-caught-up voters first (KIP-595 EndQuorumEpoch).
    const successors = this.otherVoters().sort((a, b) => (s.replicas.get(b)?.endOffset ?? 0) - (s.replicas.get(a)?.endOffset ?? 0));
    this.leaveRole();
    this.state = { role: 'Resigned', electionDeadlineMs: this.nowMs + this.randomElectionTimeout() };
    // Answered as Resigned, so the answers name no leader: a late one must not send a successor
    // back to following us.
    for (const p of s.parked.values()) this.answerFetchError(p.from, p.request, 'NOT_LEADER_OR_FOLLOWER');
    for (const v of this.otherVoters()) {
      this.send(v, { kind: 'EndQuorumEpochRequest', epoch: this.epoch, leaderId: this.config.nodeId, preferredSuccessors: successors });
    }
  }

  /** Learns of an epoch/leader from any message; returns false when the message is stale. */
  private observeEpoch(epoch: number, leaderId: NodeId | null): boolean {
    if (epoch > this.epoch) {
      if (leaderId !== null && leaderId !== this.config.nodeId) this.becomeFollower(epoch, leaderId);
      else if (this.isVoter) this.becomeUnattached(epoch);
      else {
        this.leaveRole();
        this.epoch = epoch;
        this.leaderId = null;
        this.votedId = null;
        this.quorumStateDirty = true;
        this.becomeUnattachedObserver();
      }
      return true;
    }
    if (epoch < this.epoch) return false;
    if (leaderId !== null && leaderId !== this.config.nodeId && this.leaderId === null) {
      const r = this.state.role;
      if (r === 'Unattached' || r === 'Prospective' || r === 'Candidate') this.becomeFollower(epoch, leaderId);
    } else if (leaderId !== null && this.leaderId !== null && leaderId !== this.leaderId) {
      this.anomalies.push(`epoch ${epoch}: told leader is ${leaderId} but we know ${this.leaderId}`);
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  private receive(message: RaftMessage): void {
    if (message.to !== this.config.nodeId) {
      this.anomalies.push(`message for node ${message.to} delivered to ${this.config.nodeId}`);
      return;
    }
    const from = message.from;
    const body = message.body;
    const malformed = malformedReason(body, this.config.voters);
    if (malformed !== null) {
      this.anomalies.push(`from node ${from}: ${malformed}`);
      return;
    }
    switch (body.kind) {
      case 'VoteRequest':
        return this.onVoteRequest(from, body);
      case 'VoteResponse':
        return this.onVoteResponse(from, body);
      case 'BeginQuorumEpochRequest':
        return this.onBeginQuorumEpoch(from, body);
      case 'EndQuorumEpochRequest':
        return this.onEndQuorumEpoch(from, body);
      case 'BeginQuorumEpochResponse':
      case 'EndQuorumEpochResponse':
        if (this.isVoterId(from)) this.observeEpoch(body.epoch, body.leaderId);
        return;
      case 'FetchRequest':
        return this.onFetchRequest(from, body);
      case 'FetchResponse':
        return this.onFetchResponse(from, body);
      case 'FetchSnapshotRequest':
        return this.onFetchSnapshotRequest(from, body);
      case 'FetchSnapshotResponse':
        return this.onFetchSnapshotResponse(from, body);
    }
  }

  private logIsUpToDate(lastEpoch: number, endOffset: number): boolean {
    const ours = this.log.lastEpoch;
    return lastEpoch > ours || (lastEpoch === ours && endOffset >= this.log.endOffset);
  }

  private onVoteRequest(from: NodeId, req: VoteRequest): void {
    const reply = (granted: boolean, error: ErrorCode = 'NONE') =>
      this.send(from, {
        kind: 'VoteResponse',
        error,
        epoch: this.epoch,
        leaderId: this.leaderHint(),
        granted,
        preVote: req.preVote,
        ...this.ownDirectory('voterDirectoryId'),
        ...(req.preVote && req.preVoteRound !== undefined ? { preVoteRound: req.preVoteRound } : {}),
      });
    if (!this.isVoter || !this.isVoterId(from) || req.candidateId !== from) {
      this.anomalies.push(`vote request from non-voter ${from}`);
      return reply(false, 'UNKNOWN_NODE');
    }
    if (!validEpochAndOffset(req.epoch, req.lastEpoch, req.endOffset) || req.lastEpoch > req.epoch + (req.preVote ? 1 : 0)) {
      return reply(false, 'INVALID_REQUEST');
    }
    if (req.epoch < this.epoch) return reply(false);
    // A candidate a strict log does not know, or one presenting no directory where the log knows
    // one, gets no vote (grantsCandidate). And a voter the log does not count abstains (its vote
    // would not count where it matters), unless the candidate's log counts it: its own log has not
    // caught up with its re-admission.
    const candidateKnown = this.log.directories.grantsCandidate(from, req.candidateDirectoryId);
    const countedByCandidate = this.config.directoryId !== undefined && req.voterDirectoryId === this.config.directoryId;
    const directoriesOk = candidateKnown && (this.selfCounts() || countedByCandidate);
    if (!candidateKnown && this.noticeDue(`refused:${from}:${req.candidateDirectoryId}`)) {
      this.notices.push({ level: 'warn', msg: 'vote refused: this voter does not know the candidate by any data directory', fields: { candidateId: from, candidateDirectoryId: req.candidateDirectoryId ?? null, knownDirectoryId: this.log.directories.current(from) ?? null, preVote: req.preVote } });
    }
    if (req.preVote) {
      // A probe: changes nothing here, whatever its epoch (KIP-996).
      const s = this.state;
      if (s.role === 'Leader') return reply(false);
      if (s.role === 'Follower' && this.nowMs - s.lastFetchOkMs < this.config.fetchTimeoutMs) return reply(false);
      return reply(directoriesOk && this.logIsUpToDate(req.lastEpoch, req.endOffset));
    }
    if (req.epoch > this.epoch) this.becomeUnattached(req.epoch);
    const s = this.state;
    const mayVote =
      directoriesOk &&
      this.leaderId === null &&
      s.role !== 'Candidate' &&
      (this.votedId === null || this.votedId === from) &&
      this.logIsUpToDate(req.lastEpoch, req.endOffset);
    if (!mayVote) return reply(false);
    // Granting resets our own election timer, and is persisted before the answer leaves.
    this.becomeUnattached(this.epoch, from);
    reply(true);
  }

  private onVoteResponse(from: NodeId, resp: VoteResponse): void {
    if (!this.isVoterId(from)) return;
    if (resp.epoch > this.epoch) {
      this.observeEpoch(resp.epoch, resp.leaderId);
      return;
    }
    const s = this.state;
    // Only answers to this round count: a delayed or duplicated pre-vote grant from an earlier
    // epoch made a Prospective stand and its vote request depose a live leader (found by a review).
    // The echoed round tells them apart, so a voter still in an older epoch (restarted, or cut off
    // while the epochs moved on) counts too: a pre-vote changes nothing there, so it answers from
    // its old epoch, and until it learnt ours some other way (its own fetch timeout, then its own
    // pre-vote) its grants were dropped and a bare majority elected no one (sim seed 1110464, 5
    // voters: 3.4 s without a leader after healing). Without an echo (an older node): this epoch's.
    if (s.role === 'Prospective' && resp.preVote && (resp.preVoteRound !== undefined ? resp.preVoteRound === s.round : resp.epoch === this.epoch)) {
      // A refusal from a voter that still follows a live leader sends us back to that leader. A
      // grant may name the same leader (its follower stopped hearing from it): that leader is
      // what we are replacing, so do not go back to it.
      if (!resp.granted && resp.epoch === this.epoch && resp.leaderId !== null && resp.leaderId !== this.config.nodeId) {
        this.becomeFollower(this.epoch, resp.leaderId);
        return;
      }
      (this.voteCounts(from, resp) ? s.granted : s.rejected).add(from);
    } else if (s.role === 'Candidate' && !resp.preVote && resp.epoch === this.epoch) {
      if (resp.leaderId !== null && resp.leaderId !== this.config.nodeId) {
        this.becomeFollower(this.epoch, resp.leaderId);
        return;
      }
      (this.voteCounts(from, resp) ? s.granted : s.rejected).add(from);
    } else {
      return;
    }
    const need = majority(this.config.voters.length);
    if (s.granted.size >= need) {
      if (s.role === 'Prospective') this.becomeCandidate();
      else this.becomeLeader([...s.granted]);
    } else if (s.rejected.size > this.config.voters.length - need) {
      // This round cannot win: back off (binary exponential) before the next try.
      this.electionRetries = Math.min(this.electionRetries + 1, limits.electionRetriesMax);
      this.becomeUnattached(this.epoch, null, this.nowMs + this.electionBackoff());
    }
  }

  /** A grant counts only from the directory the log knows the voter by (a wiped voter's does not). */
  private voteCounts(from: NodeId, resp: VoteResponse): boolean {
    if (!resp.granted) return false;
    if (this.counts(from, resp.voterDirectoryId)) return true;
    if (this.noticeDue(`uncounted:${from}:${resp.voterDirectoryId}`)) {
      const fromFormat = this.log.directories.knownFromFormat(from);
      this.notices.push({
        level: 'warn',
        msg: fromFormat
          ? 'vote not counted: the voter presents another data directory than the initial controllers this node was formatted with (format every controller with the same --initial-controllers list; a controller whose disk was replaced is formatted with --no-initial-controllers)'
          : 'vote not counted: the voter is known by another data directory',
        fields: { voterId: from, voterDirectoryId: resp.voterDirectoryId ?? null, knownDirectoryId: this.log.directories.current(from) ?? null, preVote: resp.preVote },
      });
    }
    return false;
  }

  private onBeginQuorumEpoch(from: NodeId, req: BeginQuorumEpochRequest): void {
    const reply = (error: ErrorCode) => this.send(from, { kind: 'BeginQuorumEpochResponse', error, epoch: this.epoch, leaderId: this.leaderHint() });
    if (!this.isVoterId(from) || req.leaderId !== from) {
      this.anomalies.push(`BeginQuorumEpoch from non-voter ${from}`);
      return reply('UNKNOWN_NODE');
    }
    if (req.epoch < this.epoch) return reply('FENCED_LEADER_EPOCH');
    if (req.epoch === this.epoch && this.leaderId === this.config.nodeId) {
      this.anomalies.push(`node ${from} claims epoch ${req.epoch}, which this node leads`);
      return reply('FENCED_LEADER_EPOCH');
    }
    this.observeEpoch(req.epoch, req.leaderId);
    reply('NONE');
  }

  private onEndQuorumEpoch(from: NodeId, req: EndQuorumEpochRequest): void {
    const reply = (error: ErrorCode) => this.send(from, { kind: 'EndQuorumEpochResponse', error, epoch: this.epoch, leaderId: this.leaderHint() });
    if (!this.isVoterId(from) || req.leaderId !== from) return reply('UNKNOWN_NODE');
    if (req.epoch < this.epoch) return reply('FENCED_LEADER_EPOCH');
    if (req.epoch > this.epoch) {
      this.becomeUnattached(req.epoch);
      return reply('NONE');
    }
    if (this.state.role === 'Follower' && this.leaderId === from) {
      // Stand for election soon, the best-placed successor first (Kafka's strict exponential backoff).
      const rank = req.preferredSuccessors.indexOf(this.config.nodeId);
      const backoff = rank === 0 ? 0 : rank < 0 ? this.config.electionBackoffMaxMs : Math.min(this.config.electionBackoffMaxMs, ELECTION_BACKOFF_BASE_MS << Math.min(rank - 1, 10));
      this.becomeUnattached(this.epoch, null, this.nowMs + backoff);
    }
    reply('NONE');
  }

  // --- Fetch: the leader side

  private onFetchRequest(from: NodeId, req: FetchRequest): void {
    const s = this.state;
    if (s.role !== 'Leader') return this.answerFetchError(from, req, 'NOT_LEADER_OR_FOLLOWER');
    if (!validEpochAndOffset(req.epoch, req.lastFetchedEpoch, req.fetchOffset) || req.lastFetchedEpoch > req.epoch || req.maxWaitMs < 0) {
      return this.answerFetchError(from, req, 'INVALID_REQUEST');
    }
    if (req.epoch < this.epoch) return this.answerFetchError(from, req, 'FENCED_LEADER_EPOCH');
    if (req.epoch > this.epoch) return this.answerFetchError(from, req, 'NOT_LEADER_OR_FOLLOWER');
    if (from === this.config.nodeId) return this.answerFetchError(from, req, 'INVALID_REQUEST');
    s.parked.delete(from);
    const replica = this.replicaFor(s, from);
    replica.lastFetchMs = this.nowMs;
    if (replica.directoryId !== req.replicaDirectoryId) {
      // Another copy of this replica (a wiped directory): what the old one held says nothing now.
      replica.endOffset = 0;
      replica.lastCaughtUpMs = null;
      replica.directoryId = req.replicaDirectoryId;
    }
    if (this.isVoterId(from) && this.counts(from, req.replicaDirectoryId)) for (const read of s.reads) if (req.readRound >= read.round) read.acks.add(from);
    this.answerFetch(s, from, req, true);
    this.maybeCompleteReads(s);
  }

  private replicaFor(s: Extract<RoleState, { role: 'Leader' }>, id: NodeId): ReplicaState {
    let r = s.replicas.get(id);
    if (r === undefined) {
      r = { endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null, lastSentHighWatermark: -1 };
      s.replicas.set(id, r);
    }
    return r;
  }

  /**
   * Answers a fetch now, or parks it when there is nothing new to say (long-poll). Diverging and
   * snapshot answers always leave at once (KAFKA-15100).
   */
  private answerFetch(s: Extract<RoleState, { role: 'Leader' }>, from: NodeId, req: FetchRequest, mayPark = false): void {
    const base = {
      kind: 'FetchResponse' as const,
      fetchId: req.fetchId,
      error: 'NONE' as const,
      epoch: this.epoch,
      leaderId: this.config.nodeId,
      logStartOffset: this.log.startOffset,
      readRound: s.readRound,
    };
    const latest = this.snapshots[this.snapshots.length - 1];
    if (req.fetchOffset < this.log.startOffset) {
      assert(latest !== undefined, 'log start > 0 without a snapshot');
      return this.send(from, { ...base, highWatermark: this.highWatermark, ...this.snapshotRedirect(latest), batches: [] });
    }
    const agreed = this.log.endOffsetForEpoch(req.lastFetchedEpoch);
    if (agreed.epoch !== req.lastFetchedEpoch || req.fetchOffset > agreed.offset) {
      const endOffset = Math.min(agreed.offset, req.fetchOffset);
      if (endOffset < this.log.startOffset || agreed.epoch < 0) {
        assert(latest !== undefined, 'divergence below the log start without a snapshot');
        return this.send(from, { ...base, highWatermark: this.highWatermark, ...this.snapshotRedirect(latest), batches: [] });
      }
      return this.send(from, { ...base, highWatermark: this.highWatermark, divergingEpoch: { epoch: agreed.epoch, endOffset }, batches: [] });
    }
    // Below here the replica's log agrees with ours up to fetchOffset, so it holds whole batches
    // of ours: an offset inside one is malformed (it would put the high watermark mid-batch).
    if (!this.log.isBatchBoundary(req.fetchOffset)) return this.answerFetchError(from, req, 'INVALID_REQUEST');
    // A valid position: the replica holds everything below fetchOffset (KAFKA-12181: it may move back).
    const replica = this.replicaFor(s, from);
    const voter = this.isVoterId(from);
    replica.endOffset = req.fetchOffset;
    if (voter) this.updateHighWatermark();
    // An observer is sent committed batches only: it applies nothing else, and a batch it got
    // before its commit would cost it a second round trip (the news) and wake it mid-commit.
    const readLimit = voter ? this.log.endOffset : this.highWatermark;
    if (req.fetchOffset >= readLimit) replica.lastCaughtUpMs = this.nowMs;
    const batches = this.log.read(req.fetchOffset, limits.fetchBytesMax, readLimit);
    const hwmNews = this.highWatermark > replica.lastSentHighWatermark;
    const readPending = voter && s.reads.length > 0; // only voters confirm a read barrier
    if (mayPark && batches.length === 0 && !readPending && req.maxWaitMs > 0) {
      // High-watermark news alone answers an observer at once, a voter after a linger (releaseParkedFetches).
      if (!hwmNews) return void s.parked.set(from, { from, request: req, expiresMs: this.nowMs + req.maxWaitMs });
      if (this.isVoterId(from)) {
        return void s.parked.set(from, { from, request: req, expiresMs: this.nowMs + Math.min(req.maxWaitMs, limits.voterHighWatermarkLingerMs) });
      }
    }
    replica.lastSentHighWatermark = this.highWatermark;
    this.send(from, { ...base, highWatermark: this.highWatermark, batches });
  }

  /** Fetch this snapshot instead; it carries the voter directories the log it replaces held. */
  private snapshotRedirect(id: SnapshotId): { snapshotId: SnapshotId; snapshotVoterDirectories?: Readonly<Record<string, string | null>> } {
    const directories = this.log.directories.at(id.endOffset);
    return { snapshotId: id, ...(Object.keys(directories).length > 0 ? { snapshotVoterDirectories: directories } : {}) };
  }

  private answerFetchError(from: NodeId, req: FetchRequest, error: ErrorCode): void {
    this.send(from, {
      kind: 'FetchResponse',
      fetchId: req.fetchId,
      error,
      epoch: this.epoch,
      leaderId: this.leaderHint(),
      highWatermark: this.highWatermark,
      logStartOffset: this.log.startOffset,
      batches: [],
      readRound: 0,
    });
  }

  /**
   * Wakes parked fetches. On new data or a read barrier to confirm: the voters' (an observer is
   * sent committed data only, so new data is nothing to it yet). On a higher high watermark alone
   * (`highWatermarkOnly`): the observers' at once, the voters' within voterHighWatermarkLingerMs.
   * An observer (a broker) applies records once they are committed, so it needs them now; a
   * voter's image serves no one until it leads, and under load its next data follows within a few
   * ms and carries the news. Waking every voter at every commit cost each of them a round trip per
   * commit, on the critical path of the next one.
   */
  private releaseParkedFetches(s: Extract<RoleState, { role: 'Leader' }>, highWatermarkOnly = false): void {
    if (s.parked.size === 0) return;
    const parked: ParkedFetch[] = [];
    for (const p of s.parked.values()) {
      const voter = this.isVoterId(p.from);
      if (highWatermarkOnly && voter) p.expiresMs = Math.min(p.expiresMs, this.nowMs + limits.voterHighWatermarkLingerMs);
      else if (highWatermarkOnly || voter) parked.push(p);
    }
    for (const p of parked) s.parked.delete(p.from);
    for (const p of parked) this.answerFetch(s, p.from, p.request);
  }

  private updateHighWatermark(): void {
    const s = this.state;
    if (s.role !== 'Leader') return;
    const ends: number[] = [];
    for (const v of this.config.voters) {
      if (v === this.config.nodeId) ends.push(this.selfCounts() ? this.flushedEndOffset : 0);
      else {
        const r = s.replicas.get(v);
        ends.push(r !== undefined && this.counts(v, r.directoryId) ? r.endOffset : 0);
      }
    }
    const next = nextHighWatermark(this.highWatermark, s.epochStartOffset, ends);
    if (next > this.highWatermark) {
      this.highWatermark = next;
      this.releaseParkedFetches(s, true);
      this.maybeCompleteReads(s);
    }
  }

  // --- Fetch: the follower and observer side

  private wantsToFetch(): boolean {
    return this.state.role === 'Follower' || (!this.isVoter && this.state.role === 'Unattached');
  }

  private maybeSendFetch(): void {
    if (!this.wantsToFetch()) return;
    const now = this.nowMs;
    if (this.inflightFetch !== null) {
      // Compare against the same number nextDeadlineMs reports, or float rounding can leave a
      // timer that is always due and a check that is never true (a zero-delay busy loop).
      if (now < this.fetchRetryAtMs(this.inflightFetch)) return;
      this.inflightFetch = null; // lost; ask again
    }
    if (now < this.nextFetchMs) return;
    const s = this.state;
    let to: NodeId;
    if (s.role === 'Follower') {
      to = this.leaderId!;
    } else {
      // An observer that knows no leader asks the voters in turn until one names it.
      to = this.config.voters[this.bootstrapCursor++ % this.config.voters.length]!;
      if (this.isLostLeader(to) && this.config.voters.length > 1) to = this.config.voters[this.bootstrapCursor++ % this.config.voters.length]!;
    }
    const id = ++this.fetchSeq;
    const discovery = s.role !== 'Follower';
    this.inflightFetch = { id, to, sentMs: now, discovery };
    if (s.role === 'Follower' && s.snapshotFetch !== null) {
      this.send(to, { kind: 'FetchSnapshotRequest', epoch: this.epoch, snapshotId: s.snapshotFetch.id, position: s.snapshotFetch.position, maxBytes: limits.snapshotChunkBytesMax });
      return;
    }
    this.send(to, {
      kind: 'FetchRequest',
      fetchId: id,
      epoch: this.epoch,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.lastEpoch,
      // Asking around for the leader: any live voter answers at once (the leader too: not parked).
      maxWaitMs: discovery ? 0 : this.config.fetchMaxWaitMs,
      readRound: this.readRoundSeen,
      // An observer's too (KIP-853): only a voter's counts, but the leader's replication status
      // (quorum describe --replication) shows every replica's directory.
      ...this.ownDirectory('replicaDirectoryId'),
    });
  }

  /** An observer's lost leader within the window (see lostLeader); with `epoch`, named for the epoch it was lost in. */
  private isLostLeader(id: NodeId, epoch?: number): boolean {
    const lost = this.lostLeader;
    return lost !== null && lost.id === id && (epoch === undefined || lost.epoch === epoch) && this.nowMs < lost.untilMs;
  }

  /**
   * When an unanswered fetch is given up. A discovery fetch is answered at once by any live voter,
   * so one that is not within a quarter of the request timeout went to a dead or hung voter: the
   * observer asks the next one instead of waiting out the whole timeout (a paused voter, asked
   * while the observer looked for the new leader, held it for that long).
   */
  private fetchRetryAtMs(inflight: Inflight): number {
    return inflight.sentMs + (inflight.discovery ? this.config.requestTimeoutMs / 4 : this.config.requestTimeoutMs);
  }

  private onFetchResponse(from: NodeId, resp: FetchResponse): void {
    const inflight = this.inflightFetch;
    const current = inflight !== null && inflight.id === resp.fetchId && inflight.to === from;
    if (current) this.inflightFetch = null;
    if (resp.error !== 'NONE') {
      if (this.isVoterId(from) && !(resp.leaderId !== null && this.isLostLeader(resp.leaderId, resp.epoch))) this.observeEpoch(resp.epoch, resp.leaderId);
      if (current) this.nextFetchMs = this.nowMs + RETRY_BACKOFF_MS;
      return;
    }
    if (!this.isVoterId(from) || resp.leaderId !== from) return;
    if (!current) {
      // A late answer revives nobody and its data is dropped. But an observer looking for the
      // leader takes it as word of who leads, as it takes a hint in an error: it gives up on a
      // discovery fetch after a quarter of the request timeout (fetchRetryAtMs), and over a link
      // slower than that every answer of the leader itself comes late (a lone voter's, forever).
      if (!this.isVoter && this.state.role === 'Unattached' && !this.isLostLeader(from, resp.epoch)) this.observeEpoch(resp.epoch, from);
      return;
    }
    if (!this.observeEpoch(resp.epoch, from)) return;
    const s = this.state;
    if (s.role !== 'Follower' || this.leaderId !== from || resp.epoch !== this.epoch) return;
    s.lastFetchOkMs = this.nowMs;
    s.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs;
    s.graced = false;
    // A voter fetches again at once; so does an observer, unless the answer brought it up to the
    // high watermark (below).
    this.nextFetchMs = this.nowMs;
    this.readRoundSeen = Math.max(this.readRoundSeen, resp.readRound);
    if (resp.divergingEpoch !== undefined) {
      const local = this.log.endOffsetForEpoch(resp.divergingEpoch.epoch);
      const to = Math.max(this.log.startOffset, Math.min(resp.divergingEpoch.endOffset, local.offset));
      if (to < this.highWatermark) {
        // An honest leader never asks this: everything below our high watermark is committed.
        this.anomalies.push(`leader ${from} asked to truncate to ${to}, below the high watermark ${this.highWatermark}`);
        return;
      }
      this.truncate(to);
      this.noticeSelfCounting();
    } else if (resp.snapshotId !== undefined) {
      if (resp.snapshotId.endOffset < this.appliedOffset) {
        this.anomalies.push(`leader ${from} redirected to snapshot ${resp.snapshotId.endOffset}, below what is applied (${this.appliedOffset})`);
        return;
      }
      s.snapshotFetch = { id: resp.snapshotId, position: 0, directories: resp.snapshotVoterDirectories };
    } else {
      for (const b of resp.batches) {
        if (b.baseOffset !== this.log.endOffset || b.epoch < this.log.lastEpoch || b.epoch > this.epoch) break;
        this.log.append(b);
      }
      this.updateFollowerHighWatermark(resp.highWatermark);
      this.noticeSelfCounting();
      // An observer spaces its fetches (observerSpacingMs), but not while committed data it has
      // not got is waiting (an answer cut at fetchBytesMax: it is catching up).
      if (!this.isVoter && this.log.endOffset >= resp.highWatermark) {
        this.nextFetchMs = Math.max(this.nowMs, inflight!.sentMs + observerSpacingMs(this.config.observerFetchIntervalMs, resp.batches));
      }
    }
  }

  private updateFollowerHighWatermark(leaderHwm: number): void {
    // Never past our own log, never backwards.
    const next = Math.min(leaderHwm, this.log.endOffset);
    if (next > this.highWatermark) this.highWatermark = next;
  }

  private truncate(offset: number): void {
    if (offset >= this.log.endOffset) return;
    assert(offset >= this.highWatermark, `truncation to ${offset} below the high watermark ${this.highWatermark}`);
    this.log.truncateFrom(offset);
    offset = this.log.endOffset; // a batch straddling the offset went whole
    this.pendingTruncate = this.pendingTruncate === null ? offset : Math.min(this.pendingTruncate, offset);
    this.truncatedSinceReady = Math.min(this.truncatedSinceReady, offset);
    this.handedEndOffset = Math.min(this.handedEndOffset, offset);
    this.flushedEndOffset = Math.min(this.flushedEndOffset, offset);
  }

  // --- Snapshots

  private onFetchSnapshotRequest(from: NodeId, req: FetchSnapshotRequest): void {
    const reply = (error: ErrorCode) =>
      this.send(from, { kind: 'FetchSnapshotResponse', error, epoch: this.epoch, leaderId: this.leaderHint(), snapshotId: req.snapshotId, position: req.position, size: 0, bytes: new Uint8Array(0) });
    const s = this.state;
    if (s.role !== 'Leader') return reply('NOT_LEADER_OR_FOLLOWER');
    if (req.epoch < this.epoch) return reply('FENCED_LEADER_EPOCH');
    if (req.epoch > this.epoch || req.position < 0 || req.maxBytes <= 0) return reply('INVALID_REQUEST');
    const found = this.snapshots.some((id) => id.endOffset === req.snapshotId.endOffset && id.epoch === req.snapshotId.epoch);
    if (!found) return reply('SNAPSHOT_NOT_FOUND');
    this.replicaFor(s, from).lastFetchMs = this.nowMs;
    this.snapshotReads.push({
      to: from,
      response: { kind: 'FetchSnapshotResponse', error: 'NONE', epoch: this.epoch, leaderId: this.config.nodeId, snapshotId: req.snapshotId, position: req.position },
      maxBytes: Math.min(req.maxBytes, limits.snapshotChunkBytesMax),
    });
    this.maybeCompleteReads(s);
  }

  private onFetchSnapshotResponse(from: NodeId, resp: FetchSnapshotResponse): void {
    const inflight = this.inflightFetch;
    const current = inflight !== null && inflight.to === from;
    if (resp.error !== 'NONE') {
      if (this.isVoterId(from) && !(resp.leaderId !== null && this.isLostLeader(resp.leaderId, resp.epoch))) this.observeEpoch(resp.epoch, resp.leaderId);
      const s = this.state;
      if (current) {
        this.inflightFetch = null;
        this.nextFetchMs = this.nowMs + RETRY_BACKOFF_MS;
        // The snapshot is gone (a newer one replaced it): start over with a plain fetch.
        if (resp.error === 'SNAPSHOT_NOT_FOUND' && s.role === 'Follower') s.snapshotFetch = null;
      }
      return;
    }
    if (!this.isVoterId(from) || resp.leaderId !== from || !this.observeEpoch(resp.epoch, from)) return;
    const s = this.state;
    if (s.role !== 'Follower' || s.snapshotFetch === null || this.leaderId !== from || resp.epoch !== this.epoch) return;
    const want = s.snapshotFetch;
    if (!current || resp.snapshotId.endOffset !== want.id.endOffset || resp.snapshotId.epoch !== want.id.epoch || resp.position !== want.position) return;
    this.inflightFetch = null;
    if (resp.size <= 0 || resp.position + resp.bytes.length > resp.size || (resp.bytes.length === 0 && resp.position < resp.size)) {
      this.anomalies.push(`malformed snapshot chunk at ${resp.position} of ${resp.size}`);
      s.snapshotFetch = null;
      this.nextFetchMs = this.nowMs + RETRY_BACKOFF_MS;
      return;
    }
    s.lastFetchOkMs = this.nowMs;
    s.fetchDeadlineMs = this.nowMs + this.config.fetchTimeoutMs;
    s.graced = false;
    this.nextFetchMs = this.nowMs;
    const done = resp.position + resp.bytes.length === resp.size;
    this.snapshotWrites.push({ snapshotId: want.id, position: resp.position, bytes: resp.bytes, done });
    this.openDownload = done ? null : want.id;
    want.position += resp.bytes.length;
    if (done) {
      s.snapshotFetch = null;
      this.installSnapshot(want.id, want.directories);
    }
  }

  /** The downloaded snapshot replaces the whole log (Kafka's truncateToLatestSnapshot). */
  private installSnapshot(id: SnapshotId, directories: Readonly<Record<string, string | null>> | undefined): void {
    // The leader redirects only fetches below its log start, which is above anything we applied.
    assert(id.endOffset >= this.appliedOffset, `installing snapshot ${id.endOffset} below the applied offset ${this.appliedOffset}`);
    this.log.resetTo(id, directories);
    this.quorumStateDirty = true; // the directories at the new log start are persisted with it
    this.noticeSelfCounting();
    this.snapshots = [id];
    this.pendingTruncate = id.endOffset;
    this.pendingLogStart = id.endOffset;
    this.truncatedSinceReady = Math.min(this.truncatedSinceReady, id.endOffset);
    this.handedEndOffset = id.endOffset;
    this.flushedEndOffset = id.endOffset;
    this.pendingInstall = id;
    this.appliedOffset = id.endOffset;
    this.highWatermark = Math.max(this.highWatermark, id.endOffset);
  }

  private onSnapshotTaken(id: SnapshotId): void {
    assert(id.endOffset <= this.appliedOffset, `snapshot at ${id.endOffset} past the applied offset ${this.appliedOffset}`);
    const latest = this.snapshots[this.snapshots.length - 1];
    if (latest !== undefined && id.endOffset <= latest.endOffset) return; // nothing newer
    assert(id.endOffset >= this.log.startOffset && this.log.isBatchBoundary(id.endOffset), `snapshot at ${id.endOffset} is not on a batch boundary`);
    assert(this.log.epochBefore(id.endOffset) === id.epoch, `snapshot epoch ${id.epoch} does not match the log`);
    this.snapshots.push(id);
    if (this.snapshots.length > this.config.snapshotsRetained) this.snapshots.splice(0, this.snapshots.length - this.config.snapshotsRetained);
    // The log starts at the oldest snapshot kept (retaining more than one leaves followers slack).
    const oldest = this.snapshots[0]!;
    if (oldest.endOffset > this.log.startOffset) {
      // The directories folded into the log start reach the quorum-state file before the prefix goes.
      if (this.log.startAt(oldest)) this.quorumStateDirty = true;
      this.pendingLogStart = oldest.endOffset;
    }
  }

  /** The epoch of the record before `endOffset`, for naming a snapshot taken there. */
  snapshotIdAt(endOffset: number): SnapshotId {
    assert(endOffset <= this.appliedOffset, `snapshot at ${endOffset} past the applied offset ${this.appliedOffset}`);
    assert(this.log.isBatchBoundary(endOffset), `snapshot at ${endOffset} is not on a batch boundary`);
    return { endOffset, epoch: this.log.epochBefore(endOffset) };
  }

  // --- Read barrier

  private onReadBarrier(readId: number): void {
    const s = this.state;
    if (s.role !== 'Leader' || s.reads.length >= limits.pendingReadsMax) {
      this.readsFailed.push({ readId, leader: this.leader() });
      return;
    }
    s.readRound++;
    s.reads.push({ readId, round: s.readRound, acks: new Set([this.config.nodeId]) });
    // Wake parked fetches so the voters fetch again at once: their next fetch is the confirmation.
    this.releaseParkedFetches(s);
    this.maybeCompleteReads(s);
  }

  private maybeCompleteReads(s: Extract<RoleState, { role: 'Leader' }>): void {
    if (s.reads.length === 0 || this.highWatermark <= s.epochStartOffset) return;
    const need = majority(this.config.voters.length);
    const remaining: PendingRead[] = [];
    for (const r of s.reads) {
      if (r.acks.size >= need) this.readsReady.push({ readId: r.readId, offset: this.highWatermark });
      else remaining.push(r);
    }
    s.reads = remaining;
  }

  // --- Misc

  private onPeerDisconnected(nodeId: NodeId): void {
    const s = this.state;
    if (s.role !== 'Follower' || this.leaderId !== nodeId) return;
    if (!this.isVoter) {
      // An observer asks the other voters for the new leader now instead of waiting out the fetch timeout.
      this.observerLostLeader(nodeId);
      return;
    }
    // Do not wait out the fetch timeout: the leader's socket closed. A short random jitter keeps
    // the survivors from all standing at the same instant.
    const jitter = Math.floor(this.random.next() * ELECTION_BACKOFF_BASE_MS);
    s.fetchDeadlineMs = Math.min(s.fetchDeadlineMs, this.nowMs + jitter);
    s.graced = true;
    s.lastFetchOkMs = -Infinity; // a pre-vote from a peer is now welcome
  }

  /**
   * An observer gives up on its leader (its connection closed, or it went silent for the fetch
   * timeout): it asks the other voters for the new one, starting after it, and for half a fetch
   * timeout takes no voter's word naming it in that epoch (they may not have noticed yet) nor
   * asks it while another voter is left to ask. Half: a leader that was fine after all (the
   * observer's own link failed) is shunned no longer than that.
   */
  private observerLostLeader(leaderId: NodeId): void {
    const at = this.config.voters.indexOf(leaderId);
    this.lostLeader = { id: leaderId, epoch: this.epoch, untilMs: this.nowMs + this.config.fetchTimeoutMs / 2 };
    this.becomeUnattachedObserver();
    if (at >= 0) this.bootstrapCursor = at + 1;
  }

  private sealProposals(): void {
    if (this.proposed.length === 0) return;
    const s = this.state;
    if (s.role !== 'Leader') {
      this.proposed = [];
      this.proposedBytes = 0;
      this.proposalEnds = [];
      return;
    }
    // Each proposal lands whole in one batch (readers apply batch by batch, so an operation's
    // records become visible together); a batch closes before a proposal that would overflow it,
    // and a proposal larger than a batch's bound (up to proposalBytesMax) gets a batch of its own.
    let records: Uint8Array[] = [];
    let bytes = 0;
    const flushBatch = () => {
      this.log.append({ baseOffset: this.log.endOffset, epoch: this.epoch, appendTimeMs: this.appendTimeMs(), records });
      records = [];
      bytes = 0;
    };
    let start = 0;
    for (const end of this.proposalEnds) {
      let proposalBytes = 0;
      for (let i = start; i < end; i++) proposalBytes += this.proposed[i]!.length;
      const count = end - start;
      if (records.length > 0 && (records.length + count > limits.batchRecordsMax || bytes + proposalBytes > limits.batchBytesMax)) flushBatch();
      for (let i = start; i < end; i++) records.push(this.proposed[i]!);
      bytes += proposalBytes;
      start = end;
    }
    assert(start === this.proposed.length, `sealProposals: proposal ends cover ${start} of ${this.proposed.length} records`);
    if (records.length > 0) flushBatch();
    this.proposed = [];
    this.proposedBytes = 0;
    this.proposalEnds = [];
    this.releaseParkedFetches(s);
  }

  private committedEnd(): number {
    const durable = this.isVoter ? this.flushedEndOffset : this.log.endOffset;
    return Math.min(this.highWatermark, durable, this.log.endOffset);
  }

  private committedBatches(): LogBatch[] {
    const end = this.committedEnd();
    if (end <= this.appliedOffset) return [];
    const out: LogBatch[] = [];
    let offset = this.appliedOffset;
    for (const b of this.log.read(offset, Infinity, end)) {
      assert(b.baseOffset === offset, `committed batches are not contiguous at ${offset}`);
      out.push(b);
      offset = batchEndOffset(b);
      if (out.length >= limits.committedBatchesPerReadyMax) break;
    }
    return out;
  }

  private leaderChanged(): boolean {
    const l = this.lastReportedLeader;
    const now = this.leader();
    return l === null || l.epoch !== now.epoch || l.leaderId !== now.leaderId;
  }

  private sendBeginQuorumEpoch(to: NodeId): void {
    this.send(to, { kind: 'BeginQuorumEpochRequest', epoch: this.epoch, leaderId: this.config.nodeId });
  }

  /** The leader we can vouch for: ourselves when leading, the one we follow; nobody otherwise. */
  private leaderHint(): NodeId | null {
    const r = this.state.role;
    return r === 'Leader' || r === 'Follower' ? this.leaderId : null;
  }

  private send(to: NodeId, body: RaftMessageBody): void {
    this.outbox.push({ from: this.config.nodeId, to, body });
  }

  /** This node's directory id under `field`, when it has one (nodes configured without one send none). */
  private ownDirectory<K extends string>(field: K): { [P in K]?: string } {
    const id = this.config.directoryId;
    return (id === undefined ? {} : { [field]: id }) as { [P in K]?: string };
  }

  private otherVoters(): NodeId[] {
    return this.config.voters.filter((v) => v !== this.config.nodeId);
  }

  private isVoterId(id: NodeId): boolean {
    return this.config.voters.includes(id);
  }

  private randomElectionTimeout(): number {
    return this.config.electionTimeoutMs + Math.floor(this.random.next() * this.config.electionTimeoutMs);
  }

  /**
   * After a refused round: uniform over a window that doubles with each retry up to the cap (Kafka
   * draws min(base x rand(2^retries), cap), which is the cap itself nearly every time once the
   * retries grow). Candidates refused in the same round (their refusals arrive together) must
   * not wait the same time: they would stand together again, every round, and over a link whose
   * one-way delay exceeds the drift of their clocks none would get ahead of the others' candidacy.
   */
  private electionBackoff(): number {
    const slots = 2 ** Math.min(this.electionRetries, limits.electionRetriesMax);
    return Math.floor(this.random.next() * Math.min(this.config.electionBackoffMaxMs, ELECTION_BACKOFF_BASE_MS * slots));
  }
}

function validEpochAndOffset(epoch: number, lastEpoch: number, offset: number): boolean {
  return Number.isSafeInteger(epoch) && Number.isSafeInteger(lastEpoch) && Number.isSafeInteger(offset) && epoch >= 0 && lastEpoch >= 0 && offset >= 0;
}

export { batchBytes };

/**
 * How long after sending a fetch an observer that is up to date waits before the next: nothing
 * after an answer without records; otherwise the interval in proportion to the records the answer
 * carried, whole from limits.observerBurstRecords, and at least limits.observerSpacingMinMs (or the
 * whole interval when that is shorter).
 * - A change reaching an idle broker, or the first of a burst, comes in answer to a fetch parked
 *   long ago: the wait is over already, and the next fetch leaves at once.
 * - Changes one after the other (each commit a few records) are taken at most once per
 *   observerSpacingMinMs, as many commits in one wake-up as came meanwhile.
 * - A stream (more than observerBurstRecords per interval) settles at one fetch per whole
 *   interval: each wait gathers more records, which lengthens the next wait up to the interval.
 */
function observerSpacingMs(intervalMs: number, batches: readonly LogBatch[]): number {
  let records = 0;
  for (const b of batches) records += b.records.length;
  if (records === 0) return 0;
  return Math.min(intervalMs, Math.max(limits.observerSpacingMinMs, (intervalMs * records) / limits.observerBurstRecords));
}
