// The chaos workload: workers issuing real operations through the controller API (the same
// ControllerChannel the CLI uses) while faults are injected, each recorded in the history
// (./history.ts) with its outcome. Operations and their mix:
//   create-topic     30%  `chaos-<opId>`, 1-3 partitions, replication factor ≤ 2
//   delete-topic      8%  a topic whose create was acknowledged (never the offsets topic)
//   add-partitions   12%  one more partition than the last acknowledged count
//   alter-isr        20%  as the partition's leader broker (its id and broker epoch from
//                         DescribeCluster): shrink the ISR to the leader, or expand it to the replicas
//   reassign          8%  partition 0 of a topic moved to as many registered brokers, in a random
//                         order (the brokers finish the move), or one time in four its move cancelled
//   commit-offset    12%  per worker one group; offsets per (group, partition) only grow, and one
//                         worker commits them one at a time, so commit order is checkable
//   set-quota         6%  per worker one user (chaos-user-<w>): its producer_byte_rate only grows,
//                         set one at a time (AlterClientQuotas)
//   set-scram         4%  the same user's SCRAM-SHA-256 credential, its iteration count growing
//                         from 4096 (AlterUserScramCredentials; once at Kafka's 16384, the op is a
//                         commit-offset instead)
// Outcomes: an answer with a validation error is a definite `fail` (nothing was written); an
// acknowledged write is `ok`; anything else (timeout, connection lost, NOT_CONTROLLER, which the
// controller also answers for records it appended but could not commit) is `unknown`.
// Reads used to choose operations (describeTopics, describeCluster) are not recorded.

import { ErrorCode, errorName } from '../../quorum/controller/errors.js';
import type { AlterPartitionRequest } from '../../quorum/controller/replication/alter-partition.js';
import type { RpcMethod, RpcRequest, RpcResponse } from '../../quorum/server/rpc-methods.js';
import type { OpRecord, OpRequest, OpResult } from './history.js';

/** The topic the offset commits go to; created by the harness before the run, never deleted. */
export const OFFSETS_TOPIC = 'offsets-target';
export const OFFSETS_TOPIC_PARTITIONS = 4;
export const TOPIC_PREFIX = 'chaos-';
/** Each worker sets the quota of the user with this prefix and its number. */
export const QUOTA_USER_PREFIX = 'chaos-user-';
/** The quota key set-quota sets. */
export const QUOTA_KEY = 'producer_byte_rate';
/** The mechanism set-scram sets (SCRAM-SHA-256), and the iteration counts it goes through (Kafka's bounds). */
export const SCRAM_MECHANISM = 1;
export const SCRAM_ITERATIONS_MIN = 4096;
export const SCRAM_ITERATIONS_MAX = 16384;

/**
 * Errors that say the request was refused before anything was written. Not NEW_LEADER_ELECTED: an
 * AlterPartition that completes a reassignment is answered so with its record written (Kafka's
 * answer), so it counts as unknown.
 */
const DEFINITE_FAILURES: ReadonlySet<number> = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.INVALID_CONFIG,
  ErrorCode.POLICY_VIOLATION,
  ErrorCode.TOPIC_ALREADY_EXISTS,
  ErrorCode.INVALID_PARTITIONS,
  ErrorCode.INVALID_REPLICATION_FACTOR,
  ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.STALE_BROKER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.INVALID_UPDATE_VERSION,
  ErrorCode.INELIGIBLE_REPLICA,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.BROKER_ID_NOT_REGISTERED,
  ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
]);

/** The channel's call with its option to not retry a request that may have been applied. */
export interface HistoryCaller {
  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options: { readonly timeoutMs?: number; readonly retryAmbiguous?: boolean }): Promise<RpcResponse<M>>;
}

export interface WorkloadOptions {
  /** A ControllerChannel: writes are sent with retryAmbiguous false, so each outcome is its own request's. */
  readonly rpc: HistoryCaller;
  /** [0, 1) */
  readonly random: () => number;
  /** ms since the run started. */
  readonly now: () => number;
  readonly workers: number;
  readonly requestTimeoutMs: number;
  /** Live topics kept at most (deletes win above it). */
  readonly maxTopics: number;
  readonly replicationFactor: number;
}

interface TopicState {
  readonly name: string;
  partitions: number;
  deleting: boolean;
}

class OutcomeError extends Error {
  constructor(
    readonly outcome: 'fail' | 'unknown',
    message: string,
  ) {
    super(message);
  }
}

/** A per-item error code from an answer: ok, a definite failure, or unknown. */
function checkCode(code: number, message: string | null | undefined): void {
  if (code === ErrorCode.NONE) return;
  const text = `${errorName(code)}${message ? `: ${message}` : ''}`;
  throw new OutcomeError(DEFINITE_FAILURES.has(code) ? 'fail' : 'unknown', text);
}

/** A thrown error from the channel: a remote refusal with a validation code is definite, the rest unknown. */
function outcomeOfThrown(e: unknown): OutcomeError {
  if (e instanceof OutcomeError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'number' && DEFINITE_FAILURES.has(code)) return new OutcomeError('fail', `${errorName(code)}: ${message}`);
  const name = typeof code === 'number' ? errorName(code) : typeof code === 'string' ? code : (e as Error | null)?.name ?? 'Error';
  return new OutcomeError('unknown', `${name}: ${message}`);
}

export class ChaosWorkload {
  readonly history: OpRecord[] = [];
  private nextId = 1;
  private stopped = false;
  private readonly topics = new Map<string, TopicState>();
  private readonly offsets = new Map<string, number>();
  /** The last producer_byte_rate each worker's user was sent. */
  private readonly quotas = new Map<string, number>();
  /** The last SCRAM iteration count each worker's user was sent. */
  private readonly scramIterations = new Map<string, number>();
  private brokerEpochs = new Map<number, number>();
  /** Every registered broker (fenced too), for reassignment targets; read once. */
  private brokerIds: number[] = [];

  constructor(private readonly o: WorkloadOptions) {}

  /** Runs the workers until stop() (each finishes its operation in flight). */
  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.o.workers }, (_, w) => this.worker(w)));
  }

  stop(): void {
    this.stopped = true;
  }

  get counts(): { ok: number; fail: number; unknown: number } {
    const c = { ok: 0, fail: 0, unknown: 0 };
    for (const op of this.history) c[op.outcome]++;
    return c;
  }

  private async worker(w: number): Promise<void> {
    while (!this.stopped) {
      if (this.brokerIds.length === 0) await this.readBrokerIds();
      const request = this.choose(w);
      if (request === null) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      await this.invoke(request);
    }
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.o.random() * xs.length)];
  }

  private liveTopics(): TopicState[] {
    return [...this.topics.values()].filter((t) => !t.deleting);
  }

  private choose(w: number): OpRequest | null {
    const x = this.o.random();
    const live = this.liveTopics();
    if (x < 0.3 && live.length < this.o.maxTopics) {
      return { kind: 'create-topic', topic: `${TOPIC_PREFIX}${this.nextId}`, partitions: 1 + Math.floor(this.o.random() * 3), replicationFactor: this.o.replicationFactor };
    }
    if (x < 0.38 || live.length >= this.o.maxTopics) {
      const t = this.pick(live);
      if (t === undefined) return null;
      t.deleting = true;
      return { kind: 'delete-topic', topic: t.name };
    }
    if (x < 0.5) {
      const t = this.pick(live);
      return t === undefined ? null : { kind: 'add-partitions', topic: t.name, total: t.partitions + 1 };
    }
    if (x < 0.7) {
      const t = this.pick([...live.map((l) => l.name), OFFSETS_TOPIC]);
      return t === undefined ? null : { kind: 'alter-isr', topic: t, partition: 0, isr: [] };
    }
    if (x < 0.78) {
      const t = this.pick(live);
      if (t === undefined || this.brokerIds.length < this.o.replicationFactor) return null;
      if (this.o.random() < 0.25) return { kind: 'reassign', topic: t.name, partition: 0, replicas: null };
      const shuffled = [...this.brokerIds];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(this.o.random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      return { kind: 'reassign', topic: t.name, partition: 0, replicas: shuffled.slice(0, this.o.replicationFactor) };
    }
    if (x < 0.84) {
      const user = `${QUOTA_USER_PREFIX}${w}`;
      const value = (this.quotas.get(user) ?? 0) + 1 + Math.floor(this.o.random() * 1000);
      this.quotas.set(user, value);
      return { kind: 'set-quota', user, value };
    }
    if (x < 0.88) {
      const user = `${QUOTA_USER_PREFIX}${w}`;
      const iterations = (this.scramIterations.get(user) ?? SCRAM_ITERATIONS_MIN - 1) + 1 + Math.floor(this.o.random() * 8);
      if (iterations <= SCRAM_ITERATIONS_MAX) {
        this.scramIterations.set(user, iterations);
        return { kind: 'set-scram', user, iterations };
      }
    }
    const partition = Math.floor(this.o.random() * OFFSETS_TOPIC_PARTITIONS);
    const group = `chaos-group-${w}`;
    const key = `${group}/${partition}`;
    const offset = (this.offsets.get(key) ?? 0) + 1 + Math.floor(this.o.random() * 10);
    this.offsets.set(key, offset);
    return { kind: 'commit-offset', group, topic: OFFSETS_TOPIC, partition, offset };
  }

  private async invoke(planned: OpRequest): Promise<void> {
    const id = this.nextId++;
    const request = planned.kind === 'create-topic' ? { ...planned, topic: `${TOPIC_PREFIX}${id}` } : planned;
    let prepared: OpRequest = request;
    let invokedAtMs = this.o.now();
    try {
      if (request.kind === 'alter-isr') {
        // The ISR to ask for is read first; only the write itself is the operation.
        const alter = await this.prepareAlterIsr(request.topic);
        if (alter === null) return; // nothing to do (no leader, topic gone): no operation
        prepared = alter.request;
        invokedAtMs = this.o.now();
        const result = await this.execute(prepared, alter);
        this.record(id, prepared, invokedAtMs, 'ok', result);
        return;
      }
      const result = await this.execute(request, null);
      this.record(id, request, invokedAtMs, 'ok', result);
    } catch (e) {
      const oe = outcomeOfThrown(e);
      this.record(id, prepared, invokedAtMs, oe.outcome, undefined, oe.message);
    }
  }

  private record(id: number, request: OpRequest, invokedAtMs: number, outcome: OpRecord['outcome'], result?: OpResult, error?: string): void {
    this.history.push({ id, request, invokedAtMs, completedAtMs: this.o.now(), outcome, ...(result === undefined ? {} : { result }), ...(error === undefined ? {} : { error }) });
    // What later choices rely on: acknowledged creates and growth.
    if (request.kind === 'create-topic' && outcome === 'ok') this.topics.set(request.topic, { name: request.topic, partitions: request.partitions, deleting: false });
    if (request.kind === 'add-partitions' && outcome === 'ok') {
      const t = this.topics.get(request.topic);
      if (t !== undefined) t.partitions = Math.max(t.partitions, request.total);
    }
    if (request.kind === 'delete-topic' && outcome === 'fail') {
      const t = this.topics.get(request.topic);
      if (t !== undefined) t.deleting = false;
    }
  }

  private call<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
    return this.o.rpc.call(method, request, { timeoutMs: this.o.requestTimeoutMs, retryAmbiguous: false });
  }

  private async execute(request: OpRequest, alter: PreparedAlter | null): Promise<OpResult> {
    switch (request.kind) {
      case 'create-topic': {
        const r = await this.call('createTopics', { topics: [{ name: request.topic, numPartitions: request.partitions, replicationFactor: request.replicationFactor, configs: [] }], validateOnly: false });
        const t = r.topics[0];
        if (t === undefined) throw new OutcomeError('unknown', 'empty CreateTopics answer');
        checkCode(t.errorCode, t.errorMessage);
        return { kind: 'create-topic', topicId: t.topicId };
      }
      case 'delete-topic': {
        const r = await this.call('deleteTopics', { topics: [{ name: request.topic, topicId: null }] });
        const first = r.responses[0];
        if (first === undefined) throw new OutcomeError('unknown', 'empty DeleteTopics answer');
        checkCode(first.errorCode, first.errorMessage);
        return { kind: 'none' };
      }
      case 'add-partitions': {
        const r = await this.call('createPartitions', { topics: [{ name: request.topic, count: request.total, assignments: null }], validateOnly: false });
        const first = r.results[0];
        if (first === undefined) throw new OutcomeError('unknown', 'empty CreatePartitions answer');
        checkCode(first.errorCode, first.errorMessage);
        return { kind: 'none' };
      }
      case 'alter-isr': {
        const a = alter!;
        const r = await this.call('alterPartition', a.body);
        // A broker restarted since its epoch was read: read them again for the next attempt.
        if (r.errorCode === ErrorCode.STALE_BROKER_EPOCH) this.brokerEpochs = new Map();
        checkCode(r.errorCode, r.errorMessage);
        const p = r.topics[0]?.partitions[0];
        if (p === undefined) throw new OutcomeError('unknown', 'empty AlterPartition answer');
        if (p.errorCode === ErrorCode.STALE_BROKER_EPOCH) this.brokerEpochs = new Map();
        checkCode(p.errorCode, null);
        return { kind: 'alter-isr', leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr: p.isr };
      }
      case 'reassign': {
        const r = await this.call('alterPartitionReassignments', { topics: [{ name: request.topic, partitions: [{ partitionIndex: request.partition, replicas: request.replicas }] }] });
        const p = r.responses[0]?.partitions[0];
        if (p === undefined) throw new OutcomeError('unknown', 'empty AlterPartitionReassignments answer');
        checkCode(p.errorCode, p.errorMessage);
        return { kind: 'none' };
      }
      case 'set-quota': {
        const r = await this.call('alterClientQuotas', {
          entries: [{ entity: [{ entityType: 'user', entityName: request.user }], ops: [{ key: QUOTA_KEY, value: request.value, remove: false }] }],
          validateOnly: false,
        });
        const e = r.entries[0];
        if (e === undefined) throw new OutcomeError('unknown', 'empty AlterClientQuotas answer');
        checkCode(e.errorCode, e.errorMessage);
        return { kind: 'none' };
      }
      case 'set-scram': {
        // What the controller checks of a salted password is its length; its bytes are arbitrary here.
        const saltedPassword = Buffer.alloc(32);
        for (let i = 0; i < saltedPassword.length; i++) saltedPassword[i] = Math.floor(this.o.random() * 256);
        const r = await this.call('alterUserScramCredentials', {
          deletions: [],
          upsertions: [{ name: request.user, mechanism: SCRAM_MECHANISM, iterations: request.iterations, salt: Buffer.from(`chaos-${request.iterations}`), saltedPassword }],
        });
        const e = r.results[0];
        if (e === undefined) throw new OutcomeError('unknown', 'empty AlterUserScramCredentials answer');
        checkCode(e.errorCode, e.errorMessage);
        return { kind: 'none' };
      }
      case 'commit-offset': {
        const r = await this.call('commitOffsets', {
          groupId: request.group,
          topics: [{ name: request.topic, partitions: [{ partitionIndex: request.partition, committedOffset: request.offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
        });
        const p = r.topics[0]?.partitions[0];
        if (p === undefined) throw new OutcomeError('unknown', 'empty OffsetCommit answer');
        checkCode(p.errorCode, p.errorMessage);
        return { kind: 'none' };
      }
    }
  }

  /** Reassignment targets: every registered broker. A failed read leaves the list empty (tried again later). */
  private async readBrokerIds(): Promise<void> {
    try {
      const c = await this.call('describeCluster', {});
      this.brokerIds = c.brokers.map((b) => b.brokerId);
    } catch {
      // no reassignments until a read succeeds
    }
  }

  private async prepareAlterIsr(topic: string): Promise<PreparedAlter | null> {
    const d = await this.call('describeTopics', { names: [topic] });
    const t = d.topics[0];
    const p = t?.partitions[0];
    if (t === undefined || p === undefined || p.leader < 0) return null;
    if (this.brokerEpochs.size === 0) {
      const c = await this.call('describeCluster', {});
      this.brokerEpochs = new Map(c.brokers.filter((b) => !b.fenced).map((b) => [b.brokerId, b.brokerEpoch]));
    }
    const leaderEpoch = this.brokerEpochs.get(p.leader);
    if (leaderEpoch === undefined) {
      this.brokerEpochs = new Map();
      return null;
    }
    // Shrink to the leader alone, or expand back to every live replica.
    const live = p.replicas.filter((r) => r === p.leader || (this.brokerEpochs.has(r) && !p.offlineReplicas.includes(r)));
    const isr = p.isr.length > 1 ? [p.leader] : live;
    if (isr.length === p.isr.length) return null;
    const body = {
      brokerId: p.leader,
      brokerEpoch: leaderEpoch,
      topics: [
        {
          topicId: t.topicId,
          partitions: [{ partitionIndex: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsrWithEpochs: isr.map((b) => ({ brokerId: b, brokerEpoch: this.brokerEpochs.get(b) ?? -1 })), leaderRecoveryState: 0 }],
        },
      ],
    };
    return { request: { kind: 'alter-isr', topic, partition: 0, isr }, body };
  }
}

interface PreparedAlter {
  readonly request: OpRequest;
  readonly body: AlterPartitionRequest;
}
