// The quorum controller (DESIGN §2, §7; KIP-631): the state machine every controller runs on top of
// the Raft metadata log. The Raft leader is the active controller; the other voters are standbys
// that replay the same records through the same MetadataLoader.
//
// Modes and transitions (all run on the event queue, so no operation sees a half-made change):
//
//   Standby ──onLeaderChange(leader = self, epoch E)──► Claiming(E)
//   Claiming(E) ──a committed batch of epoch E is applied──► Active(E)
//        (the new leader's first batch, its LeaderChange control batch, commits only after every
//         earlier record did, so once it is applied the committed image is complete)
//   Claiming(E) | Active(E) ──onLeaderChange(anything else)──► Standby
//        (pending operations fail with NOT_CONTROLLER, the pending image and the brokers'
//         heartbeat soft state are dropped, timers stop)
//   Active(E) ──Raft takes no more appends (nextOffset() is null)──► Standby, as above
//        (a leader that resigns, on check-quorum or shutdown, reports no leader in its epoch, so
//         onLeaderChange renounces at once; should Raft stop taking appends without a report, the
//         next operation or periodic task finds out and steps down instead of staying a zombie)
//   any ──a record fails to decode or replay──► fatal (the driver stops the node; KAFKA-14275:
//        a standby must never become active with partial state)
//
// Active(E) keeps two images: the committed one (the loader's, what every node sees) and the
// pending one (committed + this controller's appended but uncommitted records). Operations read
// the pending image, return records, and those are appended as one proposal (one batch, so readers
// see an operation whole) and replayed into the pending image at once; the caller's promise
// resolves when the high watermark passes the last record. When a commit leaves nothing of its own
// pending and all of it came from plain operations, the pending image becomes the committed one
// (adoptPending): the same records, replayed once. An operation that appends nothing still
// answers only once everything its answer was based on has committed. Reads (describe, fetch
// offsets) use the committed image.
//
// Offset commits linger up to offsetCommitLingerMs and go out as one proposal (last value per key
// kept), so thousands of commits per second cost few Raft batches; any other operation first
// flushes the lingering commits, so order is preserved.
//
// Active(E) may hold an import session (migrate-from-zk; its transitions are in
// migration/import-metadata.ts): while it is open only its steps append (appendRecords refuses
// the rest with CONTROLLER_BUSY), other operations decide on the image as it was at its begin
// (visibleImage), and an abort puts the pending image back to that point.

import type { Clock, Logger, Random } from '../env/index.js';
import { assert } from '../raft/assert.js';
import { batchEndOffset } from '../raft/raft-log.js';
import type { LeaderInfo, LogBatch, SnapshotId } from '../raft/types.js';
import { NotLeaderError, ProposalRejectedError } from '../runtime/api.js';
import type { AppendedProposal, RaftClient, StateMachine } from '../runtime/api.js';
import { replayAll } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { decodeRecord, encodeRecord, encodeRecordChecked } from '../../metadata-log/records/codec.js';
import { recordDifference } from '../../metadata-log/records/round-trip.js';
import { METADATA_VERSION_FEATURE, type MetadataRecord, type OffsetCommitRecord } from '../../metadata-log/records/types.js';
import { SnapshotScheduler } from '../../metadata-log/snapshot-scheduler.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import { controllerLimits } from './limits.js';
import type { ControllerConfig } from './config.js';
import { ErrorCode, NotControllerError } from './errors.js';
import { ControllerBusyError, EventQueue } from './event-queue.js';
import { limits } from '../limits.js';
import { BrokerHeartbeatManager } from './cluster/heartbeat-manager.js';
import { fenceExpiredBroker, type FenceExpiredResult } from './cluster/fencing.js';
import { onNextTurn } from './next-turn.js';
import { describeCluster, type DescribeClusterResponse } from './cluster/describe-cluster.js';
import { brokerHeartbeat, type BrokerHeartbeatRequest, type BrokerHeartbeatResponse } from './cluster/heartbeat.js';
import { registerBroker, type BrokerRegistrationRequest, type BrokerRegistrationResponse } from './cluster/register-broker.js';
import { unregisterBroker, type UnregisterBrokerRequest, type UnregisterBrokerResponse } from './cluster/unregister-broker.js';
import { describeConfigs, type DescribeConfigsRequest, type DescribeConfigsResponse } from './configs/describe-configs.js';
import { staticConfigsOf } from './configs/config-schema.js';
import { bootstrapRecords, updateFeatures, type UpdateFeaturesRequest, type UpdateFeaturesResponse } from './configs/features.js';
import {
  alterConfigs,
  incrementalAlterConfigs,
  type AlterConfigsResponse,
  type IncrementalAlterConfigsRequest,
  type LegacyAlterConfigsRequest,
} from './configs/incremental-alter-configs.js';
import {
  coalesceOffsetCommits,
  commitOffsets,
  deleteGroups,
  deleteOffsets,
  expireOffsets,
  fetchOffsetsOp,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
  type DeleteOffsetsRequest,
  type DeleteOffsetsResponse,
  type ExpireOffsetsRequest,
  type ExpireOffsetsResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from './configs/offsets.js';
import { storeGroup, type StoreGroupRequest, type StoreGroupResponse } from './configs/group-membership.js';
import { allocateProducerIds, type AllocateProducerIdsRequest, type AllocateProducerIdsResponse } from './configs/producer-ids.js';
import { alterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from './replication/alter-partition.js';
import { createPartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from './replication/create-partitions.js';
import { ControllerMutationQuotas } from './quotas/controller-mutation-quotas.js';
import { electLeaders, type ElectLeadersRequest, type ElectLeadersResponse } from './replication/elect-leaders.js';
import type { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse } from './acls/acl-requests.js';
import { createAcls } from './acls/create-acls.js';
import { alterClientQuotas, type AlterClientQuotasRequest, type AlterClientQuotasResponse } from './configs/client-quotas.js';
import { alterUserScramCredentials, type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse } from './configs/scram-credentials.js';
import { deleteAcls } from './acls/delete-acls.js';
import {
  alterPartitionReassignments,
  listPartitionReassignments,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from './replication/reassignments.js';
import { createTopics, type CreateTopicsRequest, type CreateTopicsResponse } from './replication/create-topics.js';
import {
  abortImport,
  boundedAbortReason,
  alreadyImported,
  beginImport,
  endImport,
  importAnswer,
  importPart,
  importRefusal,
  type ImportMetadataRequest,
  type ImportMetadataResponse,
  type ImportSession,
} from './migration/import-metadata.js';
import { deleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from './replication/delete-topics.js';
import { applyLeaderCounts, leaderCountsOf } from './replication/leader-counts.js';
import { describeQuorum, type QuorumDescription } from './describe-quorum.js';
import { preferredLeaderRebalance, uncleanElections, type PassCursor, type PeriodicPass } from './replication/elections.js';
import { eligibility, excludingDraining } from './replication/eligibility.js';
import { answer, type OpContext, type OpResult } from './op.js';

export interface ControllerDeps {
  readonly nodeId: number;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly config: ControllerConfig;
  /** Called when the controller cannot go on (a bug, or a log it cannot read). */
  readonly onFatal?: (error: unknown) => void;
  /**
   * Check that every record the pending image replays (as the encoder's own decode check built it)
   * is the record its bytes decode to (metadata-log/records/round-trip.ts), refusing the operation
   * otherwise: the simulator and the tests, where a second decode per record is affordable.
   */
  readonly verifyRecords?: boolean;
}

/** How often the active controller looks for expired broker sessions. */
function sessionCheckIntervalMs(config: ControllerConfig): number {
  return Math.max(10, Math.min(1000, Math.floor(config.brokerSessionTimeoutMs / 10)));
}

type Mode =
  | { readonly kind: 'standby' }
  | { readonly kind: 'claiming'; readonly epoch: number }
  | ActiveMode;

interface ActiveMode {
  readonly kind: 'active';
  readonly epoch: number;
  /** Committed + appended-but-uncommitted records of this epoch. */
  pending: MetadataImage;
  /** Each periodic task's pending timer, by task name. */
  readonly timers: Map<string, () => void>;
  /** Brokers' sessions: soft state of this leadership only (a new active controller starts afresh). */
  readonly heartbeats: BrokerHeartbeatManager;
  /** Leaders per broker in the pending image, kept up to date so placement spreads leaders cheaply. */
  readonly leaderCounts: Map<number, number>;
  /** controller_mutation_rate buckets (quotas/controller-mutation-quotas.ts): soft state, full again on a new leadership. */
  readonly mutationQuotas: ControllerMutationQuotas;
  /** Offset commits waiting out the linger window, flushed as one proposal. */
  lingering: LingeringCommits | null;
  /** Rejects each appended operation still waiting for its commit (settled NOT_CONTROLLER on renounce). */
  readonly awaitingCommit: Set<(e: Error) => void>;
  /**
   * Every record this controller appended from this offset on came from a plain operation (one
   * proposal, not an import step, no transaction marker): the span where a commit may take the
   * pending image as its state (adoptPending). First this leadership's first offset.
   */
  plainFrom: number;
  /** The import being streamed in (migration/import-metadata.ts): every other write waits. */
  importing: OpenImport | null;
}

/**
 * An open import session, with the pending state from just after its BeginTransaction: an abort
 * puts it back, since every reader drops the import's records (and every other write waited).
 */
interface OpenImport extends ImportSession {
  readonly pendingAtBegin: MetadataImage;
  readonly leaderCountsAtBegin: ReadonlyMap<number, number>;
  /** Set when its abort could not be written yet (back-pressure): the retry's reason. No step goes on. */
  abortingFor: string | null;
}

interface LingeringCommits {
  readonly records: OffsetCommitRecord[];
  readonly settle: ((e: Error | null) => void)[];
  readonly cancelTimer: () => void;
}

/** An operation that also needs the active controller's soft state. */
type ActiveOp<R> = (ctx: OpContext, active: ActiveMode) => OpResult<R>;

/** An operation that reads only its context (runImageOp). */
type ImageOp<R> = (ctx: OpContext) => OpResult<R>;

interface CommitWaiter {
  readonly offset: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/** A metadata transaction's Begin, End or Abort: it frames records, it is not replayed itself. */
function isTransactionMarker(r: MetadataRecord): boolean {
  return r.type === 'BeginTransaction' || r.type === 'EndTransaction' || r.type === 'AbortTransaction';
}

/** The pending image without the records of an open import (which readers hold aside until its end). */
function visibleImage(active: ActiveMode): MetadataImage {
  return active.importing?.pendingAtBegin ?? active.pending;
}

/**
 * An operation's records as written: the proposals' bytes (a transaction's markers added when it is
 * split), and its records as those bytes read back (encodeRecordChecked): what the pending image
 * replays, so that it holds exactly what every other node decodes.
 */
interface EncodedOperation {
  readonly proposals: readonly Uint8Array[][];
  readonly records: readonly MetadataRecord[];
}

/** The timer (ActiveMode.timers) that queues the next step of an expired broker's drain. */
const NEXT_DRAIN_STEP = 'fence-expired-broker-next-step';
/** The timer (ActiveMode.timers) that aborts an import session gone quiet. */
const IMPORT_IDLE = 'import-idle';
const IMPORT_ID_LENGTH_MAX = 64;

export class QuorumController implements StateMachine {
  /** Set once the RaftNode exists (it is built with this controller as its state machine). */
  raft: RaftClient | undefined = undefined;
  private readonly loader = new MetadataLoader();
  private mode: Mode = { kind: 'standby' };
  private readonly queue: EventQueue;
  private commitWaiters: CommitWaiter[] = [];
  private lastLeader: LeaderInfo = { epoch: 0, leaderId: null };
  private readonly snapshots: SnapshotScheduler;
  private fatal: unknown = undefined;
  /** Counts armImportIdle calls: only the newest arming's timer may abort. */
  private importIdleArmings = 0;

  constructor(private readonly deps: ControllerDeps) {
    this.queue = new EventQueue(controllerLimits.eventQueueMax, (name, e) => this.fail(`event ${name}`, e));
    this.snapshots = new SnapshotScheduler(this.loader, () => this.raft, deps.clock, deps.logger, {
      maxBytes: deps.config.snapshotMaxBytes,
      maxIntervalMs: deps.config.snapshotMaxIntervalMs,
      retryBackoffMs: controllerLimits.snapshotRetryBackoffMs,
    });
  }

  /** The committed image: what every node of the quorum agrees on. */
  get image(): MetadataImage {
    return this.loader.image;
  }

  get isActive(): boolean {
    return this.mode.kind === 'active';
  }

  /** The active controller as this node knows it (itself once active), or null. */
  activeControllerId(): number | null {
    if (this.mode.kind === 'active') return this.deps.nodeId;
    return this.lastLeader.leaderId === this.deps.nodeId ? null : this.lastLeader.leaderId;
  }

  // -------------------------------------------------------------------------------------------
  // StateMachine (called by the Raft driver, in apply order)

  apply(batches: readonly LogBatch[]): void {
    try {
      if (!this.adoptPending(batches)) this.loader.applyBatches(batches);
    } catch (e) {
      this.fail('applying committed records', e);
      throw e;
    }
    this.settleCommitWaiters();
    if (this.mode.kind === 'claiming') {
      const epoch = this.mode.epoch;
      if (batches.some((b) => b.epoch === epoch)) this.queue.append('activate', () => this.activate(epoch));
    }
    this.snapshots.maybeSnapshot();
  }

  /**
   * Everything this controller appended has committed, all of it from plain operations since the
   * loader's last image: the pending image is then the committed state (the same records, replayed
   * once, when they were appended), and the loader takes it instead of decoding and replaying them
   * again (a sixth of the leader's CPU per AlterPartition). It keeps no image per operation, so a
   * commit that leaves later appends pending (or starts before plainFrom, or a loader that
   * declines) is applied as on every other node.
   */
  private adoptPending(batches: readonly LogBatch[]): boolean {
    const mode = this.mode;
    if (mode.kind !== 'active' || batches.length === 0) return false;
    const last = batches[batches.length - 1]!;
    const { pending } = mode;
    if (batches[0]!.baseOffset < mode.plainFrom || last.epoch !== mode.epoch || batchEndOffset(last) !== pending.provenance.endOffset) return false;
    return this.loader.adopt(batches, pending);
  }

  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void {
    assert(this.mode.kind !== 'active', `the active controller was asked to load snapshot ${snapshotId.endOffset}-${snapshotId.epoch}`);
    try {
      this.loader.loadSnapshot(snapshotId, bytes);
    } catch (e) {
      this.fail(`loading snapshot ${snapshotId.endOffset}-${snapshotId.epoch}`, e);
      throw e;
    }
    this.snapshots.snapshotLoaded();
  }

  onLeaderChange(leader: LeaderInfo): void {
    this.lastLeader = leader;
    // Leaving happens at once (a pending operation must not run against a lost leadership);
    // claiming waits for the first batch of the new epoch.
    if (this.mode.kind !== 'standby') this.renounce(leader);
    // Claim only a leadership Raft will take appends for (a resigned leader reports none; this
    // check is the safety net).
    const raftLeads = this.raft === undefined || this.raft.nextOffset() !== null;
    if (leader.leaderId === this.deps.nodeId && raftLeads && this.fatal === undefined) this.mode = { kind: 'claiming', epoch: leader.epoch };
  }

  // -------------------------------------------------------------------------------------------
  // Running operations

  /**
   * Runs a write operation on the active controller: its records are appended as one proposal and
   * the promise resolves with its response once they commit. NotControllerError elsewhere.
   */
  runOp<R>(name: string, op: ActiveOp<R>): Promise<R> {
    return this.queue.submit(name, () => this.execute(op));
  }

  /**
   * runOp for an operation that reads only its context: it cannot touch the brokers' soft state,
   * so none is saved around it (a copy of every session per AlterPartition, the hot write).
   */
  runImageOp<R>(name: string, op: ImageOp<R>): Promise<R> {
    return this.queue.submit(name, () => this.execute((ctx) => op(ctx), undefined, false, false));
  }

  /** Runs a read against the committed image (any controller may answer; it may lag the leader). */
  runRead<R>(name: string, read: (image: MetadataImage) => R): Promise<R> {
    return this.queue.submit(name, () => read(this.loader.image));
  }

  // -------------------------------------------------------------------------------------------
  // Operations (Kafka's controller APIs; request and response shapes are in each operation's file)

  registerBroker(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    return this.runOp('register-broker', (ctx, a) => registerBroker(ctx, a.heartbeats, request));
  }

  brokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    return this.runOp('broker-heartbeat', (ctx, a) => brokerHeartbeat(ctx, a.heartbeats, request, undefined, a.leaderCounts));
  }

  unregisterBroker(request: UnregisterBrokerRequest): Promise<UnregisterBrokerResponse> {
    return this.runOp('unregister-broker', (ctx, a) => unregisterBroker(ctx, a.heartbeats, request));
  }

  createTopics(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
    return this.runOp('create-topics', (ctx, a) => createTopics(ctx, request, this.deps.random, a.leaderCounts, a.mutationQuotas.forRequest(ctx.image, request.mutationQuota, ctx.nowMs)));
  }

  deleteTopics(request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
    return this.runOp('delete-topics', (ctx, a) => deleteTopics(ctx, request, a.mutationQuotas.forRequest(ctx.image, request.mutationQuota, ctx.nowMs)));
  }

  createPartitions(request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
    return this.runOp('create-partitions', (ctx, a) =>
      createPartitions(ctx, request, this.deps.random, a.leaderCounts, a.mutationQuotas.forRequest(ctx.image, request.mutationQuota, ctx.nowMs)),
    );
  }

  alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    return this.runImageOp('alter-partition', (ctx) => alterPartition(ctx, request));
  }

  electLeaders(request: ElectLeadersRequest): Promise<ElectLeadersResponse> {
    return this.runImageOp('elect-leaders', (ctx) => electLeaders(ctx, request));
  }

  createAcls(request: CreateAclsRequest): Promise<CreateAclsResponse> {
    return this.runImageOp('create-acls', (ctx) => createAcls(ctx, request, this.deps.random));
  }

  deleteAcls(request: DeleteAclsRequest): Promise<DeleteAclsResponse> {
    return this.runImageOp('delete-acls', (ctx) => deleteAcls(ctx, request));
  }

  alterPartitionReassignments(request: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
    return this.runImageOp('alter-partition-reassignments', (ctx) => alterPartitionReassignments(ctx, request));
  }

  /** An operation writing nothing, so it answers from the same image a write just made would show. */
  listPartitionReassignments(request: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse> {
    return this.runImageOp('list-partition-reassignments', (ctx) => answer(listPartitionReassignments(ctx.image, request)));
  }

  incrementalAlterConfigs(request: IncrementalAlterConfigsRequest): Promise<AlterConfigsResponse> {
    return this.runImageOp('incremental-alter-configs', (ctx) => incrementalAlterConfigs(ctx, request));
  }

  /** Legacy AlterConfigs (api 33): the request's set replaces each resource's explicit set. */
  alterConfigs(request: LegacyAlterConfigsRequest): Promise<AlterConfigsResponse> {
    return this.runImageOp('alter-configs', (ctx) => alterConfigs(ctx, request));
  }

  describeConfigs(request: DescribeConfigsRequest): Promise<DescribeConfigsResponse> {
    return this.runRead('describe-configs', (image) => describeConfigs(image, request, { staticConfigs: staticConfigsOf(this.deps.config) }));
  }

  updateFeatures(request: UpdateFeaturesRequest): Promise<UpdateFeaturesResponse> {
    return this.runImageOp('update-features', (ctx) => updateFeatures(ctx, request));
  }

  alterClientQuotas(request: AlterClientQuotasRequest): Promise<AlterClientQuotasResponse> {
    return this.runImageOp('alter-client-quotas', (ctx) => alterClientQuotas(ctx, request));
  }

  alterUserScramCredentials(request: AlterUserScramCredentialsRequest): Promise<AlterUserScramCredentialsResponse> {
    return this.runImageOp('alter-user-scram-credentials', (ctx) => alterUserScramCredentials(ctx, request));
  }

  allocateProducerIds(request: AllocateProducerIdsRequest): Promise<AllocateProducerIdsResponse> {
    return this.runImageOp('allocate-producer-ids', (ctx) => allocateProducerIds(ctx, request));
  }

  /** Offset commits linger (offsetCommitLingerMs) and share one proposal; see the header. */
  commitOffsets(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    return this.queue.submit('offset-commit', () => {
      const active = this.requireActive();
      const nextWriteOffset = this.raft!.nextOffset();
      if (nextWriteOffset === null) throw this.raftRefused(active);
      const result = commitOffsets({ image: visibleImage(active), nowMs: this.deps.clock.nowMs(), nextWriteOffset, config: this.deps.config }, request);
      if (result.records.length === 0) return this.afterCommitOf(active.pending.provenance.endOffset).then(() => result.response);
      const max = Math.min(this.deps.config.maxRecordsPerOperation, controllerLimits.lingeringOffsetCommitsMax);
      if (active.lingering !== null && active.lingering.records.length + result.records.length > max) this.flushOffsetCommits(active);
      const lingering = (active.lingering ??= this.startLinger(active));
      lingering.records.push(...(result.records as OffsetCommitRecord[]));
      return new Promise<OffsetCommitResponse>((resolve, reject) => {
        lingering.settle.push((e) => (e === null ? resolve(result.response) : reject(e)));
      });
    });
  }

  /**
   * OffsetFetch on the active controller only, answered once everything it appended before has
   * committed (a read that writes nothing): a standby, or a new leader that has yet to apply the
   * last one's commits, would answer from an older image, and a consumer resume from a stale
   * offset (found by a review). Elsewhere NOT_CONTROLLER, which the caller's channel retries.
   */
  fetchOffsets(request: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    return this.runImageOp('offset-fetch', (ctx) => fetchOffsetsOp(ctx, request));
  }

  deleteGroups(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
    return this.runImageOp('delete-groups', (ctx) => deleteGroups(ctx, request));
  }

  deleteOffsets(request: DeleteOffsetsRequest): Promise<DeleteOffsetsResponse> {
    return this.runImageOp('delete-offsets', (ctx) => deleteOffsets(ctx, request));
  }

  expireOffsets(request: ExpireOffsetsRequest): Promise<ExpireOffsetsResponse> {
    return this.runImageOp('expire-offsets', (ctx) => expireOffsets(ctx, request));
  }

  storeGroup(request: StoreGroupRequest): Promise<StoreGroupResponse> {
    return this.runImageOp('store-group', (ctx) => storeGroup(ctx, request));
  }

  /**
   * One step of a planned import (migrate-from-zk), streamed in parts inside one metadata
   * transaction: all of it becomes visible, or none. The session's transitions are in
   * migration/import-metadata.ts.
   */
  importMetadata(request: ImportMetadataRequest): Promise<ImportMetadataResponse> {
    return this.queue.submit('import-metadata', () => this.importStep(this.requireActive(), request));
  }

  /** DescribeCluster: the brokers as the committed image has them, with the sessions this controller sees. */
  describeCluster(listenerName?: string): Promise<DescribeClusterResponse> {
    return this.runRead('describe-cluster', (image) => {
      const heartbeats = this.mode.kind === 'active' ? this.mode.heartbeats : new BrokerHeartbeatManager(this.deps.config.brokerSessionTimeoutMs);
      return describeCluster({ image, config: this.deps.config, nowMs: this.deps.clock.nowMs() }, heartbeats, this.activeControllerId(), listenerName);
    });
  }

  /** DescribeQuorum: this node's view of the Raft quorum (complete on the leader). */
  describeQuorum(): QuorumDescription | null {
    const status = this.raft?.status();
    return status === undefined ? null : describeQuorum(status, this.deps.clock.nowMs());
  }

  private startLinger(active: ActiveMode): LingeringCommits {
    const cancelTimer = this.deps.clock.setTimer(this.deps.config.offsetCommitLingerMs, () => {
      this.queue.append('flush-offset-commits', () => {
        if (this.mode === active) this.flushOffsetCommits(active);
      });
    });
    return { records: [], settle: [], cancelTimer };
  }

  /** Appends the lingering offset commits as one proposal (the last value per partition is kept). */
  private flushOffsetCommits(active: ActiveMode): void {
    const lingering = active.lingering;
    if (lingering === null) return;
    active.lingering = null;
    lingering.cancelTimer();
    const settleAll = (e: Error | null) => {
      for (const settle of lingering.settle) settle(e);
    };
    const nextWriteOffset = this.raft?.nextOffset() ?? null;
    if (nextWriteOffset === null) {
      settleAll(this.notController());
      return;
    }
    let committed: Promise<void>;
    try {
      const records = coalesceOffsetCommits(lingering.records);
      committed = this.appendRecords(active, this.encodeOperation(records), nextWriteOffset, undefined);
    } catch (e) {
      settleAll(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    committed.then(
      () => settleAll(null),
      (e: unknown) => settleAll(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** Stops accepting work: queued and pending operations fail with NOT_CONTROLLER. */
  close(): void {
    this.renounce({ epoch: this.lastLeader.epoch, leaderId: null });
    this.queue.close(new NotControllerError(null, 'the controller is shutting down'));
  }

  private importStep(active: ActiveMode, request: ImportMetadataRequest): Promise<ImportMetadataResponse> | ImportMetadataResponse {
    // The id is logged and echoed in messages: a short string, as the writer makes them.
    if (typeof request.importId !== 'string' || request.importId.length === 0 || request.importId.length > IMPORT_ID_LENGTH_MAX) {
      return importRefusal(ErrorCode.INVALID_REQUEST, `an import id is a string of 1 to ${IMPORT_ID_LENGTH_MAX} characters`);
    }
    const session = active.importing;
    const mine = session !== null && session.importId === request.importId;
    const idleS = controllerLimits.importIdleTimeoutMs / 1000;
    if (mine && session.abortingFor !== null && (request.step === 'part' || request.step === 'end')) {
      return importRefusal(ErrorCode.INVALID_TXN_STATE, `import ${request.importId} is being aborted (${session.abortingFor}): start the import again`);
    }
    switch (request.step) {
      case 'begin': {
        if (session !== null) {
          // A begin sent again (its answer was lost) finds its own session, still empty.
          if (mine && session.nextPart === 0 && session.abortingFor === null) {
            const again = { ...importAnswer(session), partRecordsMax: this.deps.config.maxRecordsPerOperation };
            // A step like any other: the importer's idle wait counts from this answer, not the first.
            return this.afterCommitOf(active.pending.provenance.endOffset).then(() => {
              this.importStepCommitted(active, session);
              return again;
            });
          }
          return importRefusal(
            ErrorCode.CONCURRENT_TRANSACTIONS,
            `another import (${session.importId}) is being written: ${session.recordsWritten} of about ${session.totalRecords} records so far; ` +
              `it is aborted after ${idleS} s without a step. Retry once it has ended`,
          );
        }
        return this.execute(
          (ctx) => beginImport(ctx, request),
          (r) => {
            if (r.errorCode !== ErrorCode.NONE || r.alreadyImported) return;
            active.importing = {
              importId: request.importId,
              totalRecords: request.totalRecords,
              nextPart: 0,
              recordsWritten: r.recordsWritten,
              brokersSkipped: 0,
              pendingAtBegin: active.pending,
              leaderCountsAtBegin: new Map(active.leaderCounts),
              abortingFor: null,
            };
            this.deps.logger.info({ importId: request.importId, totalRecords: request.totalRecords }, 'import begun: other writes wait until it ends');
          },
          true,
        ).finally(() => {
          if (active.importing?.importId === request.importId) this.importStepCommitted(active, active.importing);
        });
      }
      case 'part': {
        if (!mine) return this.noImportSession(request.importId);
        if (request.part !== session.nextPart) return this.refuseAndAbort(active, ErrorCode.INVALID_TXN_STATE, `part ${request.part} arrived where part ${session.nextPart} was expected`);
        const max = this.deps.config.maxRecordsPerOperation;
        if (!Array.isArray(request.records) || request.records.length > max) {
          return this.refuseAndAbort(active, ErrorCode.INVALID_REQUEST, `part ${request.part} is not a list of at most ${max} records (maxRecordsPerOperation)`);
        }
        let totals = importAnswer(session);
        return this.execute(
          (ctx) => importPart(ctx, request.records),
          (r) => {
            if (r.errorCode !== ErrorCode.NONE) return this.abortImportSession(active, `part ${request.part} was refused: ${r.errorMessage}`);
            session.nextPart++;
            session.recordsWritten += r.recordsWritten;
            session.brokersSkipped += r.brokersSkipped;
            totals = importAnswer(session);
            this.pauseImportIdle(active);
          },
          true,
        )
          // A refused part aborted the session already: importStepCommitted leaves it alone.
          .finally(() => this.importStepCommitted(active, session))
          .then((r) => (r.errorCode === ErrorCode.NONE ? totals : r));
      }
      case 'end': {
        if (!mine) {
          // An end sent again after the first one committed: the import is in.
          if (session === null && alreadyImported(active.pending)) return this.afterCommitOf(active.pending.provenance.endOffset).then(() => importAnswer({ recordsWritten: 0, brokersSkipped: 0 }, true));
          return this.noImportSession(request.importId);
        }
        const records = endImport();
        const done = this.execute(() => ({ records, response: importAnswer({ recordsWritten: session.recordsWritten + records.length, brokersSkipped: session.brokersSkipped }) }), undefined, true);
        this.closeImportSession(active);
        this.deps.logger.info({ importId: session.importId, parts: session.nextPart, recordsWritten: session.recordsWritten + records.length }, 'import written: committing its end');
        return done;
      }
      case 'abort':
        if (mine) this.abortImportSession(active, `the importer asked: ${String(request.reason)}`);
        return this.afterCommitOf(active.pending.provenance.endOffset).then(() => importAnswer({ recordsWritten: 0, brokersSkipped: 0 }));
      default:
        return importRefusal(ErrorCode.INVALID_REQUEST, `unknown import step ${JSON.stringify((request as { step?: unknown }).step)}`);
    }
  }

  /**
   * A step of the session was appended: the importer waits for its commit, so its silence does not
   * count until then (importStepCommitted arms the wait again, however the commit ends). Not while
   * an abort waits for Raft: its retry is that timer.
   */
  private pauseImportIdle(active: ActiveMode): void {
    if (active.importing?.abortingFor !== null) return;
    active.timers.get(IMPORT_IDLE)?.();
    active.timers.delete(IMPORT_IDLE);
  }

  /**
   * A step of `session` committed: the importer is only now told, so its silence (the idle wait)
   * counts from here; a commit slowed by the quorum does not use up the importer's time.
   */
  private importStepCommitted(active: ActiveMode, session: OpenImport): void {
    if (this.mode === active && active.importing === session && session.abortingFor === null) this.armImportIdle(active);
  }

  private noImportSession(importId: string): ImportMetadataResponse {
    return importRefusal(
      ErrorCode.INVALID_TXN_STATE,
      `no import ${importId} is open on the active controller (a controller change, an abort or ${controllerLimits.importIdleTimeoutMs / 1000} s without a step ended it, ` +
        'and nothing of it became visible): start the import again',
    );
  }

  private refuseAndAbort(active: ActiveMode, code: number, reason: string): Promise<ImportMetadataResponse> {
    this.abortImportSession(active, reason);
    return this.afterCommitOf(active.pending.provenance.endOffset).then(() => importRefusal(code, `${reason}; the import was aborted, nothing of it became visible`));
  }

  private closeImportSession(active: ActiveMode): void {
    active.importing = null;
    active.timers.get(IMPORT_IDLE)?.();
    active.timers.delete(IMPORT_IDLE);
  }

  /**
   * Writes AbortTransaction for the open import: every reader drops what its parts wrote. Should
   * Raft refuse the append for now (back-pressure), the session stays open (other writes keep
   * waiting, since they would be dropped with it) and the abort is tried again shortly.
   */
  private abortImportSession(active: ActiveMode, fullReason: string): void {
    const session = active.importing;
    if (session === null) return;
    const reason = boundedAbortReason(fullReason);
    const nextWriteOffset = this.raft?.nextOffset() ?? null;
    const records = abortImport(reason);
    let aborted: Promise<void> | null = null;
    if (nextWriteOffset !== null) {
      try {
        aborted = this.appendRecords(active, this.encodeOperation(records, true), nextWriteOffset, undefined, true);
      } catch (e) {
        this.deps.logger.warn({ importId: session.importId, err: e instanceof Error ? e.message : String(e) }, `the abort of an import could not be written yet; trying again in ${controllerLimits.importAbortRetryMs} ms`);
        session.abortingFor = reason;
        this.armImportIdle(active, controllerLimits.importAbortRetryMs, reason);
        return;
      }
    } // else no longer leading: the next active controller aborts the open transaction
    this.closeImportSession(active);
    this.deps.logger.warn({ importId: session.importId, parts: session.nextPart, recordsWritten: session.recordsWritten }, `import aborted: ${reason}`);
    aborted?.catch((e: unknown) => {
      if (!(e instanceof NotControllerError)) this.deps.logger.warn({ err: String(e) }, 'the abort of an import failed');
    });
    // Every reader drops the import's records: so does the pending image (and the leader counts),
    // or later operations would be decided on topics and brokers no reader has (a RemoveTopic of an
    // aborted topic stopped every node; a restarted import was refused as "already holds topics").
    active.pending = replayAll(session.pendingAtBegin, [], active.pending.provenance);
    active.leaderCounts.clear();
    for (const [brokerId, count] of session.leaderCountsAtBegin) active.leaderCounts.set(brokerId, count);
  }

  /**
   * (Re)starts the wait after which a quiet import session is aborted. Each arming replaces the
   * last: a timer that fired while a step was queued is stale once that step re-armed it.
   */
  private armImportIdle(active: ActiveMode, delayMs: number = controllerLimits.importIdleTimeoutMs, reason = `no step for ${controllerLimits.importIdleTimeoutMs / 1000} s`): void {
    active.timers.get(IMPORT_IDLE)?.();
    const session = active.importing;
    const arming = ++this.importIdleArmings;
    const cancel = this.deps.clock.setTimer(delayMs, () =>
      this.queue.append('import-idle', () => {
        if (this.mode === active && active.importing === session && arming === this.importIdleArmings) this.abortImportSession(active, reason);
      }),
    );
    active.timers.set(IMPORT_IDLE, cancel);
  }

  private execute<R>(op: ActiveOp<R>, onResult?: (response: R) => void, importStep = false, touchesSoftState = true): Promise<R> {
    const active = this.requireActive();
    this.flushOffsetCommits(active);
    const raft = this.raft!;
    const nextWriteOffset = raft.nextOffset();
    if (nextWriteOffset === null) throw this.raftRefused(active);
    // Operations may touch the brokers' soft state while they compute; if their records are then
    // refused, that is undone so soft state never runs ahead of the log.
    const saved = touchesSoftState ? { heartbeats: active.heartbeats.save(), quotas: active.mutationQuotas.save() } : null;
    const undoSoftState = () => {
      if (saved === null) return;
      active.heartbeats.restore(saved.heartbeats);
      active.mutationQuotas.restore(saved.quotas);
    };
    // While an import is open, other operations see the image without it (what every reader has
    // until its end): one that writes is refused anyway, and one that only answers must not answer
    // from records that may yet be aborted (a create of an imported name told "already exists").
    const image = importStep ? active.pending : visibleImage(active);
    const run = (firstOffset: number) =>
      op({ image, nowMs: this.deps.clock.nowMs(), nextWriteOffset: firstOffset, config: this.deps.config, draining: (id) => active.heartbeats.isDraining(id) }, active);
    let result: OpResult<R>;
    let encoded: EncodedOperation;
    try {
      result = run(nextWriteOffset);
      encoded = this.encodeOperation(result.records, importStep);
      if (encoded.proposals.length > 1 && !importStep) {
        // Written as a transaction: BeginTransaction takes nextWriteOffset, so the operation's own
        // records (a broker epoch among them) start one later. Computed again with that offset.
        undoSoftState();
        result = run(nextWriteOffset + 1);
        encoded = this.encodeOperation(result.records);
      }
    } catch (e) {
      // A request the operation could not handle (a malformed body from the network): the caller
      // gets the error, and no soft state it touched survives.
      undoSoftState();
      throw e;
    }
    if (result.records.length === 0) {
      onResult?.(result.response);
      return this.afterCommitOf(active.pending.provenance.endOffset).then(() => result.response);
    }
    let answered: Promise<R>;
    try {
      answered = this.appendRecords(active, encoded, nextWriteOffset, result.response, importStep);
    } catch (e) {
      undoSoftState();
      throw e;
    }
    onResult?.(result.response);
    return answered;
  }

  /**
   * The encoded proposals for one operation's records: one proposal when they fit (one batch, so
   * every reader sees the operation whole); else a metadata transaction split into proposals
   * within both bounds, which readers apply all at once or not at all. A step of an import is
   * inside the import's transaction already: split, never wrapped. With the records as their bytes
   * read back (EncodedOperation).
   */
  private encodeOperation(records: readonly MetadataRecord[], inOpenTransaction = false): EncodedOperation {
    // One pass, two arrays (this runs for every write).
    const bytes: Uint8Array[] = new Array<Uint8Array>(records.length);
    const replayed: MetadataRecord[] = new Array<MetadataRecord>(records.length);
    for (let i = 0; i < records.length; i++) {
      const c = encodeRecordChecked(records[i]!);
      if (this.deps.verifyRecords === true) {
        const difference = recordDifference(c.record, decodeRecord(c.bytes));
        if (difference !== null) assert(false, `a ${c.record.type} record reads back from its bytes other than it is replayed: ${difference}`);
      }
      bytes[i] = c.bytes;
      replayed[i] = c.record;
    }
    return { proposals: this.proposalsOf(bytes, inOpenTransaction), records: replayed };
  }

  /** The encoded records as proposals (see encodeOperation). */
  private proposalsOf(encoded: Uint8Array[], inOpenTransaction: boolean): Uint8Array[][] {
    const maxRecords = this.deps.config.maxRecordsPerOperation;
    let bytes = 0;
    for (const r of encoded) bytes += r.length;
    if (encoded.length <= maxRecords && bytes <= limits.proposalBytesMax) return [encoded];
    const all = inOpenTransaction ? encoded : [encodeRecord({ type: 'BeginTransaction', name: null }), ...encoded, encodeRecord({ type: 'EndTransaction' })];
    const out: Uint8Array[][] = [];
    let part: Uint8Array[] = [];
    let partBytes = 0;
    for (const r of all) {
      if (part.length > 0 && (part.length >= maxRecords || partBytes + r.length > limits.proposalBytesMax)) {
        out.push(part);
        part = [];
        partBytes = 0;
      }
      part.push(r);
      partBytes += r.length;
    }
    out.push(part);
    return out;
  }

  /**
   * Appends one operation's proposals (all or none), advances the pending image by its records,
   * and returns a promise of `answer` once they commit. The pending image is computed before the append (a
   * record that would not replay is a bug, and must not reach the log); once the append
   * succeeded, anything going wrong is fatal, since the log and the pending image would disagree.
   * While an import is open only its own steps append (`importStep`); anything else is refused
   * with CONTROLLER_BUSY, since readers would hide it with the import, or drop it on an abort.
   */
  private appendRecords<R>(active: ActiveMode, operation: EncodedOperation, expectedOffset: number, answer: R, importStep = false): Promise<R> {
    const { records, proposals } = operation;
    const importing = active.importing;
    if (importing !== null && !importStep) {
      throw new ControllerBusyError(this.queue.size, `a ZooKeeper import is being written (${importing.recordsWritten} of about ${importing.totalRecords} records)`);
    }
    const replayable = records.some(isTransactionMarker) ? records.filter((r) => !isTransactionMarker(r)) : records;
    let recordCount = 0;
    for (const p of proposals) recordCount += p.length;
    const before = active.pending;
    const next = replayAll(before, replayable, { endOffset: expectedOffset + recordCount, epoch: active.epoch });
    let appended: AppendedProposal;
    try {
      appended = this.raft!.appendAll(proposals);
    } catch (e) {
      throw this.asControllerError(e);
    }
    try {
      if (appended.baseOffset !== expectedOffset || appended.lastOffset !== expectedOffset + recordCount - 1) {
        assert(false, `records landed at ${appended.baseOffset}..${appended.lastOffset}, expected ${expectedOffset}..${expectedOffset + recordCount - 1}`);
      }
      if (appended.epoch !== active.epoch) assert(false, `records appended in epoch ${appended.epoch} by the active controller of epoch ${active.epoch}`);
      active.pending = next;
      if (importStep || proposals.length > 1 || replayable.length !== records.length) active.plainFrom = expectedOffset + recordCount;
      applyLeaderCounts(active.leaderCounts, before, replayable);
    } catch (e) {
      this.fail('recording appended records', e);
      throw e;
    }
    const committed = appended.committed;
    return new Promise<R>((resolve, reject) => {
      active.awaitingCommit.add(reject);
      committed.then(
        () => {
          active.awaitingCommit.delete(reject);
          resolve(answer);
        },
        (e: unknown) => {
          active.awaitingCommit.delete(reject);
          reject(this.asControllerError(e, 'unknown'));
        },
      );
    });
  }

  /**
   * Raft takes no appends from this node although the controller is active (see the header):
   * step down now, so pending operations fail with NOT_CONTROLLER; returns the caller's answer.
   */
  private raftRefused(active: ActiveMode): NotControllerError {
    if (this.mode === active) {
      this.deps.logger.warn({ epoch: active.epoch }, 'Raft no longer accepts appends from this node: renouncing');
      this.renounce({ epoch: this.lastLeader.epoch, leaderId: null });
    }
    return this.notController();
  }

  /**
   * NOT_CONTROLLER for an operation Raft cannot take here (any more): the hint is the leader Raft
   * knows of, never this node itself (a caller sent back here would only loop).
   */
  private notController(leaderId: number | null = this.raft?.leader().leaderId ?? null, outcome: 'not-appended' | 'unknown' = 'not-appended'): NotControllerError {
    return new NotControllerError(leaderId === this.deps.nodeId ? null : leaderId, undefined, outcome);
  }

  /**
   * Raft's refusals as the caller's answer: lost leadership and a node shutting down (or halted)
   * are NOT_CONTROLLER (retriable elsewhere), as close() answers; anything else passes through.
   * `shutdownOutcome`: what a shutdown means for the operation: 'not-appended' when append() itself
   * refused, 'unknown' when its appended records were still waiting for their commit (they may
   * commit under the next leader; found by test/sim/controller-model.test.ts).
   */
  private asControllerError(e: unknown, shutdownOutcome: 'not-appended' | 'unknown' = 'not-appended'): unknown {
    if (e instanceof NotLeaderError) return this.notController(e.leader.leaderId, e.outcome);
    if (e instanceof ProposalRejectedError && e.code === 'SHUTTING_DOWN') return new NotControllerError(null, 'the controller is shutting down', shutdownOutcome);
    if (e instanceof ProposalRejectedError && e.code === 'BACKPRESSURE') return new ControllerBusyError(this.queue.size, e.message);
    return e;
  }

  private requireActive(): ActiveMode {
    if (this.fatal !== undefined) throw new NotControllerError(null, 'the controller stopped on a fatal error');
    if (this.mode.kind !== 'active') throw new NotControllerError(this.activeControllerId());
    return this.mode;
  }

  /** Resolves once the committed image reaches `offset` (at once if it has). */
  private afterCommitOf(offset: number): Promise<void> {
    if (this.loader.appliedEndOffset >= offset) return Promise.resolve();
    if (this.commitWaiters.length >= controllerLimits.commitWaitersMax) return Promise.reject(new ControllerBusyError(this.commitWaiters.length));
    return new Promise((resolve, reject) => {
      this.commitWaiters.push({ offset, resolve, reject });
    });
  }

  private settleCommitWaiters(): void {
    if (this.commitWaiters.length === 0) return;
    const end = this.loader.appliedEndOffset;
    const still: CommitWaiter[] = [];
    for (const w of this.commitWaiters) (w.offset <= end ? w.resolve() : still.push(w));
    this.commitWaiters = still;
  }

  // -------------------------------------------------------------------------------------------
  // Leadership

  private activate(epoch: number): void {
    if (this.mode.kind !== 'claiming' || this.mode.epoch !== epoch) return;
    const raft = this.raft;
    if (this.fatal !== undefined || raft === undefined || raft.nextOffset() === null || raft.leader().epoch !== epoch) {
      // Raft resigned (check-quorum) after committing its first batch: nothing to claim.
      this.mode = { kind: 'standby' };
      return;
    }
    const image = this.loader.image;
    const now = this.deps.clock.nowMs();
    const heartbeats = BrokerHeartbeatManager.activated(image, now, this.deps.config.brokerSessionTimeoutMs);
    const active: ActiveMode = { kind: 'active', epoch, pending: image, timers: new Map(), heartbeats, leaderCounts: leaderCountsOf(image), mutationQuotas: new ControllerMutationQuotas(), lingering: null, awaitingCommit: new Set(), importing: null, plainFrom: raft.nextOffset()! };
    this.mode = active;
    this.deps.logger.info({ epoch, offset: this.loader.image.provenance.endOffset }, 'became the active controller');
    if (this.loader.inTransaction) {
      // The previous active controller died inside a metadata transaction: nobody will finish it.
      this.runInternal('abort-orphaned-transaction', () => ({ records: [{ type: 'AbortTransaction', reason: `abandoned by the controller of an earlier epoch; aborted in epoch ${epoch}` }], response: undefined }));
    }
    const { noOpIntervalMs } = this.deps.config;
    if (noOpIntervalMs > 0) this.every(active, noOpIntervalMs, 'noop', () => this.runInternal('noop', () => ({ records: [{ type: 'NoOp' }], response: undefined })));
    if (image.featureLevel(METADATA_VERSION_FEATURE) === undefined) {
      // A brand-new cluster: its first active controller finalizes metadata.version.
      this.runInternal('bootstrap', () => ({ records: bootstrapRecords(this.deps.config), response: undefined }));
    }
    const config = this.deps.config;
    this.every(active, sessionCheckIntervalMs(config), 'fence-expired-brokers', () => this.fenceExpiredBrokers());
    if (config.autoLeaderRebalanceEnable) {
      this.every(active, config.leaderImbalanceCheckIntervalMs, 'preferred-leader-rebalance', () =>
        this.electionPass(active, 'preferred-leader-rebalance', (image, from) =>
          preferredLeaderRebalance(image, config.maxElectionsPerPass, excludingDraining(eligibility(image), (id) => active.heartbeats.isDraining(id)), from),
        ),
      );
    }
    this.every(active, controllerLimits.uncleanElectionCheckIntervalMs, 'unclean-elections', () =>
      this.electionPass(active, 'unclean-elections', (image, from) => uncleanElections(image, config, config.maxElectionsPerPass, eligibility(image), from)),
    );
  }

  /**
   * One chunk of elections as one operation; while there are more, the next chunk follows on the
   * queue, on a later turn (next-turn.ts), going on from where this one stopped (`from`).
   */
  private electionPass(active: ActiveMode, name: string, pass: (image: MetadataImageView, from: PassCursor | undefined) => PeriodicPass, from?: PassCursor): void {
    let cursor: PassCursor | undefined;
    this.runInternal(name, (ctx) => {
      const r = pass(ctx.image, from);
      cursor = r.cursor;
      if (r.records.length > 0) this.deps.logger.info({ elections: r.records.length, more: r.more }, name);
      return { records: r.records, response: undefined };
    });
    const next = cursor;
    if (next !== undefined) {
      this.queueOnNextTurn(active, `${name}-next-chunk`, name, () => this.electionPass(active, name, pass, next));
    }
  }

  /**
   * One fencing per operation, so each is in the pending image before the next is decided (as Kafka
   * does). A broker drained in steps first (fencing.ts) gets one step per turn of the event loop
   * (next-turn.ts), so Raft and heartbeats run between steps. The fencings after it wait.
   */
  private fenceExpiredBrokers(): void {
    const active = this.mode;
    if (active.kind !== 'active') return;
    for (let i = 0; i < controllerLimits.fencingsPerCheckMax; i++) {
      let outcome: FenceExpiredResult = { fencedBrokerId: null, drainedBrokerId: null, drainStarted: false };
      this.runInternal('fence-expired-broker', (ctx, a) => fenceExpiredBroker(ctx, a.heartbeats), (r) => (outcome = r));
      if (outcome.drainedBrokerId !== null) {
        if (outcome.drainStarted) {
          this.deps.logger.warn({ brokerId: outcome.drainedBrokerId, sessionTimeoutMs: this.deps.config.brokerSessionTimeoutMs }, 'a broker whose session expired holds many partitions: moving them off in steps before fencing it');
        }
        this.queueOnNextTurn(active, NEXT_DRAIN_STEP, 'fence-expired-brokers', () => this.fenceExpiredBrokers());
        return;
      }
      if (outcome.fencedBrokerId === null) return;
      this.deps.logger.warn({ brokerId: outcome.fencedBrokerId, sessionTimeoutMs: this.deps.config.brokerSessionTimeoutMs }, 'fenced a broker whose session expired');
    }
  }

  /** Queues `fn` as event `name` on a later turn of the event loop (next-turn.ts), while `active` lasts; one pending per `key`. */
  private queueOnNextTurn(active: ActiveMode, key: string, name: string, fn: () => void): void {
    onNextTurn(active.timers, this.deps.clock, key, () =>
      this.queue.append(name, () => {
        if (this.mode === active) fn();
      }),
    );
  }

  /** Runs `fn` on the queue every `intervalMs` while `active` lasts. */
  private every(active: ActiveMode, intervalMs: number, name: string, fn: () => void): void {
    const arm = (): void => {
      const cancel = this.deps.clock.setTimer(intervalMs, () => {
        if (this.mode !== active) return;
        this.queue.append(name, () => {
          if (this.mode === active) fn();
        });
        arm();
      });
      active.timers.set(name, cancel);
    };
    arm();
  }

  /** An operation of the controller's own (a NoOp, a fencing): losing the lead meanwhile is not an error. */
  private runInternal<R>(name: string, op: ActiveOp<R>, onResult?: (response: R) => void): void {
    let done: Promise<R>;
    try {
      done = this.execute(op, onResult);
    } catch (e) {
      if (e instanceof ControllerBusyError || e instanceof ProposalRejectedError) {
        // Back-pressure, or an import being written: the task runs again at its next tick.
        const importing = this.mode.kind === 'active' && this.mode.importing !== null;
        this.deps.logger[importing ? 'debug' : 'warn']({ err: e.message }, `controller task ${name} deferred`);
        return;
      }
      if (!(e instanceof NotControllerError)) throw e;
      return;
    }
    done.catch((e: unknown) => {
      if (!(e instanceof NotControllerError)) this.deps.logger.warn({ err: String(e) }, `controller task ${name} failed`);
    });
  }

  private renounce(leader: LeaderInfo): void {
    const was = this.mode;
    this.mode = { kind: 'standby' };
    const error = new NotControllerError(leader.leaderId === this.deps.nodeId ? null : leader.leaderId);
    if (was.kind === 'active') {
      for (const cancel of was.timers.values()) cancel();
      // Appended but not yet committed: they may still commit under the next leader.
      const unknown = new NotControllerError(error.activeControllerId, undefined, 'unknown');
      for (const reject of [...was.awaitingCommit]) reject(unknown);
      was.awaitingCommit.clear();
      if (was.lingering !== null) {
        was.lingering.cancelTimer();
        for (const settle of was.lingering.settle) settle(error);
      }
      this.deps.logger.info(
        { epoch: was.epoch, committedOffset: this.loader.image.provenance.endOffset, pendingOffset: was.pending.provenance.endOffset },
        'no longer the active controller; dropping uncommitted changes',
      );
    }
    for (const w of this.commitWaiters.splice(0)) w.reject(error);
  }

  /** Writes a snapshot now if anything is new since the last one (graceful shutdown). */
  snapshotNow(): Promise<unknown> {
    return this.snapshots.snapshotNow();
  }

  /**
   * Calls `listener` with each committed image this controller publishes (a combined-mode broker
   * follows the log through it); returns a function that removes it.
   */
  addMetadataListener(listener: MetadataListener): () => void {
    return this.loader.addListener(listener);
  }

  private fail(what: string, e: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal = e;
    this.deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, `controller failed while ${what}`);
    this.renounce({ epoch: this.lastLeader.epoch, leaderId: null });
    // A Raft leader whose controller is dead must hand over, or the cluster has no controller.
    this.raft?.resign();
    this.deps.onFatal?.(e);
  }
}
