// The driver (DESIGN §4): the only quorum code that awaits. It feeds the pure core with inputs
// and time, and carries out each Ready in the one safe order:
//
//   persist quorum state -> write snapshot chunks (or discard an abandoned download) -> truncate
//   -> drop prefix -> append (+ flush)
//   -> send messages -> install snapshot -> apply committed batches -> advance
//
// so that no vote and no fetch acknowledgement leaves the process before its fsync. (The one
// exception: a leader's fetch responses go out while its own append is in flight; they carry
// data, not acknowledgements. And a fetch response to an observer without batches, the news of a
// commit, waits until that commit is applied and its proposers answered.) The same
// file runs in real processes (quorum/node env) and in the simulator (quorum/sim env).
//
// Group commit: while one Ready's I/O is in flight, new proposals and messages are stepped into
// the core; the next Ready carries all of them, so one fsync covers the whole batch.
//
// Lifecycle:  created --start()--> running --stop()--> stopped
//                                     |--halt()--> halted (a crash: nothing more is done)
//                                     |--fatal error--> halted, onFatal called

import { randomInt } from 'node:crypto';
import type { NodeEnv, SnapshotWriter } from '../env/index.js';
import type { RaftConfig } from '../raft/config.js';
import { RaftCore } from '../raft/core.js';
import { batchEndOffset } from '../raft/raft-log.js';
import type { FetchSnapshotResponse, Input, LeaderInfo, LocalQuorumView, LogBatch, RaftMessage, Ready, SnapshotId, SnapshotReadRequest } from '../raft/types.js';
import {
  NotLeaderError,
  ProposalRejectedError,
  type AppendedProposal,
  type CommittedPosition,
  type QuorumStatus,
  type RaftClient,
  type ReplicaStatus,
  type StateMachine,
} from './api.js';
import { restoreFromStorage } from './restore.js';

/** A real process's incarnation is drawn below this (randomInt's bound, 2^48): two starts' pre-vote rounds overlap with odds of rounds / 2^48. */
const INCARNATION_MAX = 2 ** 48 - 1;

export interface RaftNodeOptions {
  /** Called once when the node stops on an error it cannot go on from (an assertion, a disk error). */
  onFatal?: (error: unknown) => void;
}

interface PendingProposal {
  readonly lastOffset: number;
  readonly epoch: number;
  readonly resolve: (p: CommittedPosition) => void;
  readonly reject: (e: Error) => void;
}

interface PendingRead {
  readonly resolve: (r: { offset: number }) => void;
  readonly reject: (e: Error) => void;
  offset?: number;
}

export type NodeInspection = ReturnType<RaftCore['inspect']>;

export class RaftNode implements RaftClient {
  private core: RaftCore | undefined;
  private lifecycle: 'created' | 'running' | 'stopped' | 'halted' = 'created';
  private processing = false;
  /** A deferred start of the Ready loop is scheduled (see startProcessing). */
  private startPending = false;
  /** True while the Ready in flight has a quorum state not yet on disk: the light lane waits. */
  private persistingQuorumState = false;
  /** The Ready loop while it runs (stop() waits for it). */
  private loop: Promise<void> = Promise.resolve();
  private timerCancel: (() => void) | null = null;
  private timerAtMs = Infinity;
  private readonly proposals: PendingProposal[] = [];
  private leadersSeen = 0;
  private readonly reads = new Map<number, PendingRead>();
  private readSeq = 0;
  private appliedOffset = 0;
  private download: SnapshotWriter | null = null;
  private snapshotInProgress = false;
  /** Serializes every hand-over to the state machine (main loop and light lane alike). */
  private applyChain: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];
  fatalError: unknown = undefined;

  constructor(
    private readonly env: NodeEnv,
    private readonly config: RaftConfig,
    private readonly stateMachine: StateMachine,
    private readonly options: RaftNodeOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.lifecycle !== 'created') throw new Error(`start() on a ${this.lifecycle} node`);
    const restored = await restoreFromStorage(this.env, this.stateMachine, { discardable: !this.config.voters.includes(this.config.nodeId) });
    if (this.lifecycle !== 'created') return; // halted while loading
    this.appliedOffset = restored.appliedOffset;
    // Not from env.random: a draw there would shift every later one of the core's (the simulator's seeds).
    const incarnation = this.env.incarnation ?? randomInt(0, INCARNATION_MAX);
    this.core = new RaftCore(this.config, this.env.random, restored, this.env.clock.nowMs(), incarnation);
    this.lifecycle = 'running';
    this.env.transport.onReceive(
      (message) => this.stepInput({ type: 'receive', message }),
      (nodeId) => this.stepInput({ type: 'peerDisconnected', nodeId }),
    );
    this.env.logger.info({ raftRole: this.core.role, epoch: this.core.leader().epoch, logEndOffset: this.core.log.endOffset }, 'raft node started');
    this.kick();
  }

  /** Graceful: a leader resigns (EndQuorumEpoch leaves first), then everything stops. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') return;
    const core = this.core!;
    if (core.role === 'Leader') {
      this.stepInput({ type: 'resign' });
      await this.whenIdle();
    }
    this.shutDown('stopped', new ProposalRejectedError('SHUTTING_DOWN', 'the node is shutting down'));
    // Let the I/O already under way finish, so the owner can close the storage after us.
    await this.loop;
    await this.applyChain;
    // A download cut short by the stop is not resumed: its partial file goes now.
    await this.download?.abort().catch(() => undefined);
    this.download = null;
  }

  /** A crash: stop at once, complete nothing. */
  halt(): void {
    if (this.lifecycle === 'halted') return;
    this.shutDown('halted', new ProposalRejectedError('SHUTTING_DOWN', 'the node halted'));
  }

  private shutDown(to: 'stopped' | 'halted', reason: Error): void {
    this.lifecycle = to;
    this.timerCancel?.();
    this.timerCancel = null;
    for (const p of this.proposals.splice(0)) p.reject(reason);
    for (const r of this.reads.values()) r.reject(reason);
    this.reads.clear();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  get running(): boolean {
    return this.lifecycle === 'running';
  }

  // -------------------------------------------------------------------------------------------
  // RaftClient

  propose(records: readonly Uint8Array[]): Promise<CommittedPosition> {
    try {
      return this.append(records).committed;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  nextOffset(): number | null {
    return this.lifecycle === 'running' ? this.core!.nextProposalOffset() : null;
  }

  append(records: readonly Uint8Array[]): AppendedProposal {
    return this.appendAll([records]);
  }

  appendAll(proposals: readonly (readonly Uint8Array[])[]): AppendedProposal {
    if (this.lifecycle !== 'running') throw new ProposalRejectedError('SHUTTING_DOWN', `the node is ${this.lifecycle}`);
    const result = this.core!.proposeAll(proposals, this.env.clock.nowMs());
    if (!result.ok) {
      throw result.error === 'NOT_LEADER' ? new NotLeaderError(result.leader) : new ProposalRejectedError(result.error, result.message);
    }
    // One waiter for the last record: the parts are contiguous in one epoch, so if the last
    // commits as appended, every part before it did.
    const committed = new Promise<CommittedPosition>((resolve, reject) => {
      this.proposals.push({ lastOffset: result.lastOffset, epoch: result.epoch, resolve, reject });
    });
    this.kick();
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, epoch: result.epoch, committed };
  }

  readBarrier(): Promise<{ offset: number }> {
    if (this.lifecycle !== 'running') return Promise.reject(new ProposalRejectedError('SHUTTING_DOWN', `the node is ${this.lifecycle}`));
    const readId = ++this.readSeq;
    return new Promise((resolve, reject) => {
      this.reads.set(readId, { resolve, reject });
      this.stepInput({ type: 'readBarrier', readId });
    });
  }

  async createSnapshot(endOffset: number, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<SnapshotId> {
    if (this.lifecycle !== 'running') throw new ProposalRejectedError('SHUTTING_DOWN', `the node is ${this.lifecycle}`);
    if (this.snapshotInProgress) throw new ProposalRejectedError('BACKPRESSURE', 'a snapshot is already being written');
    const id = this.core!.snapshotIdAt(endOffset);
    this.snapshotInProgress = true;
    try {
      const writer = this.env.snapshotStore.create(id);
      try {
        for await (const chunk of chunks) await writer.write(chunk);
      } catch (e) {
        // Nothing was synced yet: the caller may try again later.
        await writer.abort().catch(() => undefined);
        throw e;
      }
      try {
        await writer.commit();
      } catch (e) {
        // The commit fsyncs: after a failed fsync what the disk holds is unknown (the kernel may
        // have dropped the dirty pages), so this node stops, as on a failed append.
        this.fail(e);
        throw e;
      }
    } finally {
      this.snapshotInProgress = false;
    }
    this.stepInput({ type: 'snapshotTaken', snapshotId: id });
    return id;
  }

  resign(): void {
    this.stepInput({ type: 'resign' });
  }

  leader(): LeaderInfo {
    return this.core?.leader() ?? { epoch: 0, leaderId: null };
  }

  /** This node's own view of the quorum (null before start). */
  localView(): LocalQuorumView | null {
    return this.core?.localView() ?? null;
  }

  inspect(): NodeInspection {
    if (this.core === undefined) throw new Error('the node has not started');
    return this.core.inspect();
  }

  /** How many times this node has learnt of a new leader (etcd's leader_changes_seen): a metric. */
  get leaderChangesSeen(): number {
    return this.leadersSeen;
  }

  status(): QuorumStatus {
    const core = this.core;
    if (core === undefined) throw new Error('the node has not started');
    const i = core.inspect();
    const voters: ReplicaStatus[] = [];
    const observers: ReplicaStatus[] = [];
    if (i.role === 'Leader') {
      const own = this.config.directoryId;
      voters.push({ nodeId: i.nodeId, endOffset: i.logEndOffset, lastFetchMs: this.env.clock.nowMs(), lastCaughtUpMs: this.env.clock.nowMs(), ...(own === undefined ? {} : { directoryId: own }) });
      // A voter's directory as it last fetched from this leader; one that has not fetched from it
      // yet (down when the leadership moved) is shown with the directory the log recorded for it.
      const recorded = i.voterDirectories;
      for (const [nodeId, r] of core.replicaStates()) {
        const unheard = r.lastFetchMs === null && this.config.voters.includes(nodeId);
        // One that fetches presenting no directory is shown without one: that is why it does not count.
        const dir = r.directoryId ?? (unheard ? (recorded[String(nodeId)] ?? undefined) : undefined);
        const row = { nodeId, endOffset: r.endOffset, lastFetchMs: r.lastFetchMs, lastCaughtUpMs: r.lastCaughtUpMs, ...(dir === undefined ? {} : { directoryId: dir }) };
        (this.config.voters.includes(nodeId) ? voters : observers).push(row);
      }
      voters.sort((a, b) => a.nodeId - b.nodeId);
      observers.sort((a, b) => a.nodeId - b.nodeId);
    }
    return {
      nodeId: i.nodeId,
      role: i.role,
      epoch: i.epoch,
      // The leader as this node reports it (a resigned or re-standing ex-leader: none), not the
      // remembered one: quorum describe and the leader metric answer from this.
      leaderId: i.reportedLeaderId,
      votedId: i.votedId,
      highWatermark: i.highWatermark,
      logStartOffset: i.logStartOffset,
      logEndOffset: i.logEndOffset,
      appliedOffset: this.appliedOffset,
      voters,
      observers,
    };
  }

  // -------------------------------------------------------------------------------------------
  // The loop

  private stepInput(input: Input): void {
    if (this.lifecycle !== 'running') return;
    try {
      this.core!.step(input, this.env.clock.nowMs());
    } catch (e) {
      this.fail(e);
      return;
    }
    this.kick();
  }

  private kick(): void {
    if (this.lifecycle !== 'running') return;
    if (this.processing) this.takeLightLane();
    else if (!this.startPending) this.startProcessing();
    this.armTimer();
  }

  /**
   * Starts the Ready loop. Where the clock can defer (real processes), it starts after the I/O
   * already waiting is handled: otherwise the first proposal of a burst would be written alone
   * and the rest of the burst would wait behind its fsync (group commit needs the burst in one
   * Ready). whenIdle() still waits for it: the core has a Ready meanwhile.
   */
  private startProcessing(): void {
    const start = () => {
      this.startPending = false;
      if (this.lifecycle === 'running' && !this.processing) this.loop = this.process();
    };
    if (this.env.clock.defer === undefined) return start();
    this.startPending = true;
    this.env.clock.defer(start);
  }

  private async process(): Promise<void> {
    this.processing = true;
    const core = this.core!;
    try {
      for (;;) {
        if (this.lifecycle !== 'running') return;
        const rd = core.ready();
        if (rd === undefined) break;
        // The hand-over slot is reserved now, before any I/O, so batches the light lane hands
        // out meanwhile (all of them later offsets) queue behind this Ready's.
        let ioDone!: () => void;
        const io = new Promise<void>((resolve) => (ioDone = resolve));
        const handedOver = this.inApplyOrder(async () => {
          await io;
          if (this.lifecycle === 'running') await this.handOverReady(rd);
        });
        // Until a new epoch or vote is on disk, nothing may leave through the light lane either:
        // a crash before the write lands would forget the leadership it announced (KAFKA-10527).
        this.persistingQuorumState = rd.quorumState !== undefined;
        try {
          await this.carryOutIo(rd);
        } finally {
          this.persistingQuorumState = false;
          ioDone();
        }
        await handedOver;
        if (this.lifecycle !== 'running') return;
        core.advance(rd, this.env.clock.nowMs());
        // What this Ready made durable may have committed (a single voter's own flush, or a leader's
        // flush that came after a follower's acknowledgement): that goes out now, in the light lane,
        // not with the next Ready, whose hand-over waits for its own append and fsync.
        this.takeLightLane();
      }
    } catch (e) {
      this.fail(e);
      return;
    } finally {
      this.processing = false;
    }
    this.armTimer();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Disk and network, in the safe order. */
  private async carryOutIo(rd: Ready): Promise<void> {
    const { env } = this;
    for (const n of rd.notices) env.logger[n.level](n.fields, n.msg);
    if (rd.quorumState !== undefined) {
      await env.quorumStateStore.write(rd.quorumState);
      this.persistingQuorumState = false;
    }
    for (const w of rd.snapshotWrites) {
      if (w.position === 0) {
        await this.download?.abort();
        this.download = env.snapshotStore.create(w.snapshotId);
      }
      if (this.download === null) throw new Error(`snapshot chunk at ${w.position} without a download in progress`);
      await this.download.write(w.bytes);
      if (w.done) {
        await this.download.commit();
        this.download = null;
      }
    }
    if (rd.abandonSnapshotDownload === true) {
      await this.download?.abort();
      this.download = null;
    }
    if (rd.truncateTo !== undefined) await env.log.truncateFrom(rd.truncateTo);
    if (rd.logStartOffset !== undefined) {
      await env.log.deletePrefix(rd.logStartOffset);
      // By name: verifying every snapshot whole here held up this Ready's append and messages
      // (245 ms for two 100 MiB snapshots, found by a review), at every snapshot on every voter.
      for (const id of await env.snapshotStore.list({ verify: false })) {
        if (id.endOffset < rd.logStartOffset) await env.snapshotStore.delete(id);
      }
    }
    if (this.lifecycle !== 'running') return;
    // Fetch responses carry no durability claim (the leader counts itself only once flushed), so
    // they leave while the append is in flight: the followers' fsyncs overlap the leader's.
    // Everything else (votes, fetch requests, which acknowledge offsets) waits for the flush.
    const appended = rd.append.length > 0 ? env.log.append(rd.append, rd.flush) : undefined;
    const news = this.sendFetchResponses(rd.messages);
    if (appended !== undefined) await appended;
    if (this.lifecycle !== 'running') return;
    for (const m of rd.messages) if (m.body.kind !== 'FetchResponse') env.transport.send(m);
    if (news.length > 0) void this.inApplyOrder(async () => this.sendAfterAnswers(news)).catch((e) => this.fail(e));
    for (const r of rd.snapshotReads) await this.serveSnapshotRead(r);
  }

  /**
   * Sends the fetch responses among `messages` but a leader's answers to observers (committed
   * batches and high watermarks only), which it returns: they go out after the commits they carry are
   * applied and their proposers answered (sendAfterAnswers), since a write to a socket wakes its
   * reader, and three brokers woken first delayed the client's answer on a 2-core machine.
   */
  private sendFetchResponses(messages: readonly RaftMessage[]): RaftMessage[] {
    const news: RaftMessage[] = [];
    for (const m of messages) {
      if (m.body.kind !== 'FetchResponse') continue;
      if (m.body.error === 'NONE' && !this.config.voters.includes(m.to)) news.push(m);
      else this.env.transport.send(m);
    }
    return news;
  }

  /** After the answers settled in this turn have been written (a deferred turn where the clock can defer). */
  private sendAfterAnswers(messages: readonly RaftMessage[]): void {
    const send = () => {
      if (this.lifecycle === 'running') for (const m of messages) this.env.transport.send(m);
    };
    if (this.env.clock.defer === undefined) send();
    else this.env.clock.defer(send);
  }

  /** Reads a FetchSnapshot chunk; a snapshot deleted meanwhile (a newer one replaced it) is SNAPSHOT_NOT_FOUND. */
  private async serveSnapshotRead(r: SnapshotReadRequest): Promise<void> {
    const { env } = this;
    const id = r.response.snapshotId;
    let body: FetchSnapshotResponse;
    try {
      const size = await env.snapshotStore.size(id);
      if (r.response.position > size) {
        body = { ...r.response, error: 'INVALID_REQUEST', size, bytes: new Uint8Array(0) };
      } else {
        const bytes = await env.snapshotStore.read(id, r.response.position, r.maxBytes);
        body = { ...r.response, size, bytes };
      }
    } catch (e) {
      const stillThere = (await env.snapshotStore.list()).some((s) => s.endOffset === id.endOffset && s.epoch === id.epoch);
      if (stillThere) throw e;
      body = { ...r.response, error: 'SNAPSHOT_NOT_FOUND', size: 0, bytes: new Uint8Array(0) };
    }
    if (this.lifecycle === 'running') env.transport.send({ from: this.config.nodeId, to: r.to, body });
  }

  /** The state machine's part, run in its apply-order slot. */
  private async handOverReady(rd: Ready): Promise<void> {
    if (rd.installSnapshot !== undefined) {
      const id = rd.installSnapshot;
      const bytes = await this.env.snapshotStore.readAll(id);
      await this.stateMachine.loadSnapshot(id, bytes);
      this.appliedOffset = id.endOffset;
      this.env.logger.info({ snapshot: id }, 'installed snapshot from the leader');
    }
    if (rd.leaderChange !== undefined) this.onLeaderChange(rd.leaderChange);
    await this.applyAndSettle(rd.committed, rd.readsReady, rd.readsFailed);
  }

  /**
   * The light lane: while a Ready's I/O is in flight, commits that are already durable and the
   * leader's fetch responses go out at once instead of waiting for that fsync (it would otherwise
   * add a whole fsync to every commit under load).
   */
  private takeLightLane(): void {
    if (this.persistingQuorumState) return;
    const light = this.core!.takeLight();
    if (light === undefined) return;
    const news = this.sendFetchResponses(light.messages);
    for (const m of light.messages) if (m.body.kind !== 'FetchResponse') this.env.transport.send(m);
    void this.inApplyOrder(async () => {
      await this.applyAndSettle(light.committed, light.readsReady, light.readsFailed);
      this.sendAfterAnswers(news);
    }).catch((e) => this.fail(e));
  }

  /** Applies committed batches and settles the proposals and reads that waited on them. */
  private async applyAndSettle(
    committed: readonly LogBatch[],
    readsReady: readonly { readId: number; offset: number }[],
    readsFailed: readonly { readId: number; leader: LeaderInfo }[],
  ): Promise<void> {
    if (committed.length > 0) {
      await this.stateMachine.apply(committed);
      this.appliedOffset = batchEndOffset(committed[committed.length - 1]!);
      this.settleProposals(committed);
    }
    for (const r of readsFailed) {
      this.reads.get(r.readId)?.reject(new NotLeaderError(r.leader));
      this.reads.delete(r.readId);
    }
    for (const r of readsReady) {
      const read = this.reads.get(r.readId);
      if (read !== undefined) read.offset = r.offset;
    }
    this.settleReads();
  }

  /** Every hand-over to the state machine runs through here, strictly one after another. */
  private inApplyOrder(fn: () => Promise<void>): Promise<void> {
    const next = this.applyChain.then(() => (this.lifecycle === 'running' ? fn() : undefined));
    this.applyChain = next.catch(() => undefined);
    return next;
  }

  private onLeaderChange(leader: LeaderInfo): void {
    const core = this.core!;
    if (leader.leaderId !== null) this.leadersSeen++;
    this.env.logger.info({ raftRole: core.role, epoch: leader.epoch, leaderId: leader.leaderId }, 'leader changed');
    if (leader.leaderId !== this.config.nodeId && this.proposals.length > 0) {
      // Those below the high watermark committed (in the Ready that brought this change, or one
      // before): they are answered with their position once applied. The rest may still commit
      // under the new leader, or not: the outcome is unknown to the caller.
      const committedEnd = this.core!.committedOffset();
      const undecided = this.proposals.findIndex((p) => p.lastOffset >= committedEnd);
      if (undecided >= 0) for (const p of this.proposals.splice(undecided)) p.reject(new NotLeaderError(leader, 'unknown'));
    }
    this.stateMachine.onLeaderChange?.(leader);
  }

  /** Resolves proposals whose last record is now applied, if the record is the one proposed. */
  private settleProposals(committed: readonly LogBatch[]): void {
    let i = 0;
    while (this.proposals.length > 0) {
      const p = this.proposals[0]!;
      if (p.lastOffset >= this.appliedOffset) break;
      while (i < committed.length && batchEndOffset(committed[i]!) <= p.lastOffset) i++;
      const batch = committed[i];
      this.proposals.shift();
      if (batch !== undefined && batch.baseOffset <= p.lastOffset && batch.epoch === p.epoch) {
        p.resolve({ offset: p.lastOffset, epoch: p.epoch });
      } else {
        p.reject(new NotLeaderError(this.core!.leader(), 'not-appended'));
      }
    }
  }

  private settleReads(): void {
    for (const [id, r] of this.reads) {
      if (r.offset !== undefined && this.appliedOffset >= r.offset) {
        this.reads.delete(id);
        r.resolve({ offset: r.offset });
      }
    }
  }

  private armTimer(): void {
    if (this.lifecycle !== 'running') return;
    const due = this.core!.nextDeadlineMs();
    if (due === Infinity || due >= this.timerAtMs) return;
    this.timerCancel?.();
    this.timerAtMs = due;
    const delay = Math.max(0, due - this.env.clock.nowMs());
    this.timerCancel = this.env.clock.setTimer(delay, () => {
      this.timerCancel = null;
      this.timerAtMs = Infinity;
      this.stepInput({ type: 'tick' });
    });
  }

  private whenIdle(): Promise<void> {
    if (!this.processing && this.core?.hasReady() !== true) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private fail(error: unknown): void {
    if (this.lifecycle === 'halted') return;
    this.fatalError = error;
    this.env.logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : error }, 'raft node stopped on a fatal error');
    this.halt();
    this.options.onFatal?.(error);
  }
}
