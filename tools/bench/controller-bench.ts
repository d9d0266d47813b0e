// npm run bench:controller — the quorum controller under load: 3 controller voters in one process
// (segment-file log, one fsync per batch, in-process transport), 6 brokers in 3 racks that register
// and heartbeat like the broker runtime, and N concurrent clients on the active controller.
// Prints a markdown table and writes JSON. Phases:
//
//   1. create-topics   T topics × 10 partitions (RF 3) by `--create-concurrency` clients, one topic
//                      per CreateTopics call: total time, topics/s, partitions/s, per-call p50/p99.
//   3. alter-partition `--alter-concurrency` outstanding AlterPartitions from the partitions'
//                      leaders, shrinking and expanding the ISR alternately with correct epochs:
//                      committed changes/s, p50/p99, errors by code.
//   4. offset-commits  `--committers` concurrent committers (one partition per commit): commits/s,
//                      and the Raft batches the leader applied meanwhile (linger batching).
//   2a. grow           more topics through the controller towards the big image (1M partitions),
//                      within `--build-budget-s`: how long it takes (or the projection).
//   2b. image          after the cluster is stopped, in a quiet heap: the big image built directly
//                      by replaying records (replayAll), heap bytes per partition, snapshot size,
//                      write time, load time (readSnapshot and MetadataLoader.loadSnapshot), and
//                      heap per partition of the loaded image.
//
// --quick: 1,000 topics, a 100,000-partition image and 3 s timed phases (a smoke run). Load average
// and, per phase, event-loop delay, GC pauses, leader changes and snapshots are printed too: on a
// shared 2-core machine they say how far to trust the figures.
// Heap figures need --expose-gc (the npm script passes it). Phases are bounded by timeouts; the
// cluster is stopped and the temp directory removed on every exit path (SIGINT included).
//
// Usage: node --expose-gc dist/tools/bench/controller-bench.js [--quick] [--json out.json]
//        [--topics 10000] [--partitions-per-topic 10] [--create-concurrency 32]
//        [--image-partitions 1000000] [--build-budget-s 180] [--alter-seconds 10]
//        [--alter-concurrency 64] [--commit-seconds 20] [--committers 64] [--commits N] [--image-only]

import { supportedFeatures } from '../../quorum/controller/configs/features.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCommandLine } from './bench-args.js';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { replayAll } from '../../metadata-log/delta.js';
import type { PartitionRegistration } from '../../metadata-log/image-types.js';
import { MetadataImage } from '../../metadata-log/image.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { decodeRecord, randomUuid } from '../../metadata-log/records/index.js';
import type { MetadataRecord, Uuid } from '../../metadata-log/records/types.js';
import { readSnapshot, writeSnapshot } from '../../metadata-log/snapshot.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import { ErrorCode, errorName, NotControllerError } from '../../quorum/controller/errors.js';
import { QuorumController } from '../../quorum/controller/quorum-controller.js';
import type { CreatableTopic } from '../../quorum/controller/replication/create-topics.js';
import type { Logger } from '../../quorum/env/index.js';
import { silentLogger } from '../../quorum/env/index.js';
import { startLocalCluster, type LocalCluster } from '../../quorum/node/local-cluster.js';
import { realClock, realRandom } from '../../quorum/node/real-env.js';
import type { LeaderInfo, LogBatch, NodeId, SnapshotId } from '../../quorum/raft/types.js';
import type { StateMachine } from '../../quorum/runtime/api.js';
import { Prng } from '../../quorum/sim/prng.js';
import { Counter, percentile, summarize } from './stats.js';

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      topics: { type: 'string' },
      'partitions-per-topic': { type: 'string', default: '10' },
      'replication-factor': { type: 'string', default: '3' },
      brokers: { type: 'string', default: '6' },
      racks: { type: 'string', default: '3' },
      'create-concurrency': { type: 'string', default: '32' },
      'topics-per-request': { type: 'string', default: '1' },
      'image-partitions': { type: 'string' },
      'build-budget-s': { type: 'string' },
      'alter-seconds': { type: 'string' },
      'alter-concurrency': { type: 'string', default: '64' },
      'commit-seconds': { type: 'string' },
      committers: { type: 'string', default: '64' },
      commits: { type: 'string' },
      'phase-timeout-s': { type: 'string', default: '900' },
      'image-only': { type: 'boolean', default: false },
    },
  }),
);
const quick = args.quick === true;
const num = (v: string | undefined, full: number, small: number): number => (v === undefined ? (quick ? small : full) : Number(v));
const cfg = {
  topics: num(args.topics, 10_000, 1_000),
  partitionsPerTopic: Number(args['partitions-per-topic']),
  replicationFactor: Number(args['replication-factor']),
  brokers: Number(args.brokers),
  racks: Number(args.racks),
  createConcurrency: Number(args['create-concurrency']),
  topicsPerRequest: Number(args['topics-per-request']),
  imagePartitions: num(args['image-partitions'], 1_000_000, 100_000),
  buildBudgetS: num(args['build-budget-s'], 180, 20),
  alterSeconds: num(args['alter-seconds'], 10, 3),
  alterConcurrency: Number(args['alter-concurrency']),
  commitSeconds: num(args['commit-seconds'], 20, 3),
  committers: Number(args.committers),
  commitsMax: args.commits === undefined ? Infinity : Number(args.commits),
  phaseTimeoutMs: Number(args['phase-timeout-s']) * 1000,
};
const jsonPath = args.json ?? (quick ? 'bench-results/controller-quick.json' : 'bench-results/controller.json');
for (const [k, v] of Object.entries(cfg)) {
  if (!(typeof v === 'number' && v > 0)) throw new Error(`--${k}: ${v} is not a positive number`);
}

const CLUSTER_ID = 'bench-controller-cluster';
const VOTERS: readonly NodeId[] = [1, 2, 3];
/** One retry loop's bound for a single call (leadership moving, CONTROLLER_BUSY...). */
const CALL_RETRY_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));
const ms = (n: number) => `${n.toFixed(n < 10 ? 3 : 1)} ms`;
const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
const topicName = (i: number) => `bench-${String(i).padStart(6, '0')}`;

/** `p`, or a rejection once `timeoutMs` pass or the cluster fails fatally (every phase stops at once). */
function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let handle: NodeJS.Timeout | undefined;
  let onFatal: ((e: unknown) => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    handle = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    if (fatal.error !== undefined) reject(fatal.error);
    onFatal = reject;
    fatal.listeners.add(reject);
  });
  // The listener is removed afterwards: a long-lived promise holding every race's reactions would
  // keep each phase's results (and through them the stopped cluster) reachable.
  return Promise.race([p, stop]).finally(() => {
    clearTimeout(handle);
    if (onFatal !== undefined) fatal.listeners.delete(onFatal);
  });
}

/** The first fatal failure in the cluster; running phases are told at once. */
const fatal = {
  error: undefined as unknown,
  listeners: new Set<(e: unknown) => void>(),
  fail(e: unknown): void {
    if (this.error !== undefined) return;
    this.error = e;
    for (const l of this.listeners) l(e);
  },
};

const gcFn: (() => void) | undefined = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** heapUsed after several full collections (finalizers and weak callbacks get a turn in between). */
async function settledHeapUsed(): Promise<number> {
  if (gcFn === undefined) return NaN;
  for (let i = 0; i < 4; i++) {
    gcFn();
    await sleep(10);
  }
  return process.memoryUsage().heapUsed;
}


/** Warn/error lines of the controllers and the quorum, counted and the first few kept. */
class CountingLogger implements Logger {
  readonly counts = new Counter();
  readonly first: string[] = [];
  constructor(private readonly nodeId: number) {}
  /** Info lines by message (snapshots written, activations...). */
  readonly infos = new Counter();
  debug(): void {}
  info(_fields: object, msg: string): void {
    this.infos.add(msg);
  }
  warn(fields: object, msg: string): void {
    this.note('warn', fields, msg);
  }
  error(fields: object, msg: string): void {
    this.note('error', fields, msg);
  }
  private note(level: string, fields: object, msg: string): void {
    this.counts.add(`${level}: ${msg}`);
    if (this.first.length < 5) this.first.push(`node ${this.nodeId} ${level}: ${msg} ${JSON.stringify(fields).slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster: a QuorumController per voter behind a counting state machine

/** Forwards to the controller; counts the batches it applies (by first record type while asked to). */
class CountingStateMachine implements StateMachine {
  batches = 0;
  records = 0;
  classify = false;
  readonly batchesByFirstType = new Counter();
  constructor(readonly controller: QuorumController) {}
  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) {
      if (b.control !== undefined) continue;
      this.batches++;
      this.records += b.records.length;
      if (this.classify && b.records.length > 0) this.batchesByFirstType.add(decodeRecord(b.records[0]!).type);
    }
    this.controller.apply(batches);
  }
  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void {
    this.controller.loadSnapshot(snapshotId, bytes);
  }
  leaderChanges = 0;
  onLeaderChange(leader: LeaderInfo): void {
    this.leaderChanges++;
    this.controller.onLeaderChange(leader);
  }
}

interface Bench {
  readonly cluster: LocalCluster;
  readonly machines: Map<NodeId, CountingStateMachine>;
  readonly loggers: readonly CountingLogger[];
  readonly brokerEpochs: Map<number, number>;
  readonly retries: Counter;
  stopHeartbeats: () => void;
  /** Set by stopBench: calls give up at once (a retrying call must not keep the cluster alive). */
  stopped: boolean;
}

function activeController(b: Bench): { id: NodeId; controller: QuorumController; machine: CountingStateMachine } | undefined {
  for (const [id, m] of b.machines) if (m.controller.isActive) return { id, controller: m.controller, machine: m };
  return undefined;
}

function isRetriable(e: unknown): boolean {
  return e instanceof NotControllerError || (e instanceof Error && (e as { retriable?: unknown }).retriable === true);
}

/** Calls the active controller, retrying NOT_CONTROLLER / CONTROLLER_BUSY / BACKPRESSURE for a while. */
async function call<T>(b: Bench, fn: (c: QuorumController) => Promise<T>): Promise<T> {
  const deadline = performance.now() + CALL_RETRY_MS;
  for (;;) {
    if (b.stopped) throw new Error('the bench cluster is stopped');
    const active = activeController(b);
    if (active !== undefined) {
      try {
        return await fn(active.controller);
      } catch (e) {
        if (!isRetriable(e) || performance.now() > deadline) throw e;
        b.retries.add(String((e as { code?: unknown }).code ?? (e as Error).name));
      }
    } else if (performance.now() > deadline) {
      throw new Error(`no active controller for ${CALL_RETRY_MS} ms`);
    }
    await sleep(20);
  }
}

async function startBench(root: string): Promise<Bench> {
  const machines = new Map<NodeId, CountingStateMachine>();
  const loggers: CountingLogger[] = [];
  const loggerOf = new Map<NodeId, CountingLogger>();
  for (const id of VOTERS) {
    const logger = new CountingLogger(id);
    loggers.push(logger);
    loggerOf.set(id, logger);
    const controller = new QuorumController({
      nodeId: id,
      clock: realClock,
      random: realRandom,
      logger,
      config: controllerConfig(CLUSTER_ID, { defaultReplicationFactor: 3, defaultPartitions: cfg.partitionsPerTopic }),
      onFatal: (e) => fatal.fail(new Error(`controller ${id} stopped on a fatal error: ${e instanceof Error ? e.message : String(e)}`)),
    });
    machines.set(id, new CountingStateMachine(controller));
  }
  const cluster = await startLocalCluster({
    root,
    voters: VOTERS,
    stateMachine: (id) => machines.get(id)!,
    logger: (id) => loggerOf.get(id) ?? silentLogger,
    onFatal: (id, e) => fatal.fail(new Error(`node ${id} failed: ${e instanceof Error ? e.stack : String(e)}`)),
  });
  for (const [id, node] of cluster.nodes) machines.get(id)!.controller.raft = node;
  return { cluster, machines, loggers, brokerEpochs: new Map(), retries: new Counter(), stopHeartbeats: () => undefined, stopped: false };
}

async function stopBench(b: Bench): Promise<void> {
  b.stopped = true;
  b.stopHeartbeats();
  for (const m of b.machines.values()) m.controller.close();
  await b.cluster.stop();
  b.machines.clear();
}

// ---------------------------------------------------------------------------------------------
// Brokers: register, heartbeat every brokerHeartbeatIntervalMs as caught-up observers

const brokerIds = () => Array.from({ length: cfg.brokers }, (_, i) => i + 1);
const rackOf = (brokerId: number) => `rack-${(brokerId - 1) % cfg.racks}`;

async function startBrokers(b: Bench): Promise<{ heartbeats: () => number; heartbeatErrors: Counter }> {
  const prng = new Prng(42);
  for (const id of brokerIds()) {
    const r = await call(b, (c) =>
      c.registerBroker({
        brokerId: id,
        clusterId: CLUSTER_ID,
        incarnationId: randomUuid(prng),
        listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + id, securityProtocol: 'PLAINTEXT' }],
        features: supportedFeatures(),
        rack: rackOf(id),
        previousBrokerEpoch: -1,
      }),
    );
    if (r.errorCode !== 0) throw new Error(`broker ${id} could not register: ${errorName(r.errorCode)} ${r.errorMessage ?? ''}`);
    b.brokerEpochs.set(id, r.brokerEpoch);
  }
  let heartbeats = 0;
  const heartbeatErrors = new Counter();
  const beat = async (id: number) => {
    const r = await call(b, (c) =>
      c.brokerHeartbeat({
        brokerId: id,
        brokerEpoch: b.brokerEpochs.get(id)!,
        // A caught-up observer: the last offset the committed image holds.
        currentMetadataOffset: c.image.provenance.endOffset - 1,
        wantFence: false,
        wantShutDown: false,
      }),
    );
    heartbeats++;
    if (r.errorCode !== 0) heartbeatErrors.add(errorName(r.errorCode));
    return r;
  };
  // Unfence: heartbeat until every broker is unfenced.
  const deadline = performance.now() + 20_000;
  for (;;) {
    const states = await Promise.all(brokerIds().map(beat));
    if (states.every((s) => s.errorCode === 0 && !s.isFenced)) break;
    if (performance.now() > deadline) throw new Error(`brokers still fenced after 20 s: ${JSON.stringify(states)}`);
    await sleep(50);
  }
  // Then keep their sessions alive, as the broker runtime would.
  const intervalMs = controllerConfig(CLUSTER_ID).brokerHeartbeatIntervalMs;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const loop = (id: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (stopped) return;
      beat(id).then(
        () => loop(id),
        (e: unknown) => {
          heartbeatErrors.add(e instanceof Error ? e.message.slice(0, 60) : String(e));
          if (!stopped) loop(id);
        },
      );
    }, intervalMs);
    timers.add(t);
  };
  for (const id of brokerIds()) loop(id);
  b.stopHeartbeats = () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
  };
  return { heartbeats: () => heartbeats, heartbeatErrors };
}

function fencedBrokers(b: Bench): number[] {
  const image = activeController(b)?.controller.image;
  if (image === undefined) return [];
  return image.brokers().filter((r) => r.fenced).map((r) => r.brokerId);
}

// ---------------------------------------------------------------------------------------------
// Phase 1 (and 2a): CreateTopics

interface CreateResult {
  readonly topics: number;
  readonly partitions: number;
  readonly seconds: number;
  readonly calls: number;
  readonly latencies: number[];
  readonly errors: Counter;
  readonly stoppedByBudget: boolean;
}

async function createTopics(b: Bench, from: number, to: number, budgetMs: number): Promise<CreateResult> {
  const latencies: number[] = [];
  const errors = new Counter();
  let next = from;
  let created = 0;
  let calls = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  let stoppedByBudget = false;
  await Promise.all(
    Array.from({ length: cfg.createConcurrency }, async () => {
      for (;;) {
        if (performance.now() > deadline) {
          stoppedByBudget = next < to;
          return;
        }
        const first = next;
        if (first >= to) return;
        const last = Math.min(to, first + cfg.topicsPerRequest);
        next = last;
        const topics: CreatableTopic[] = [];
        for (let t = first; t < last; t++) {
          topics.push({ name: topicName(t), numPartitions: cfg.partitionsPerTopic, replicationFactor: cfg.replicationFactor, configs: [] });
        }
        const t0 = performance.now();
        let attempts = 0;
        const r = await call(b, (c) => {
          attempts++;
          return c.createTopics({ topics, validateOnly: false });
        });
        latencies.push(performance.now() - t0);
        calls++;
        for (const t of r.topics) {
          if (t.errorCode === 0) created++;
          else if (attempts > 1 && t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
            created++; // an earlier attempt (answered NOT_CONTROLLER) committed after all
            errors.add('TOPIC_ALREADY_EXISTS after a retry (counted as created)');
          } else errors.add(errorName(t.errorCode));
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { topics: created, partitions: created * cfg.partitionsPerTopic, seconds, calls, latencies, errors, stoppedByBudget };
}

// ---------------------------------------------------------------------------------------------
// Phase 3: AlterPartition from the leaders, shrink/expand alternately

interface PartitionState {
  readonly topicId: Uuid;
  readonly partitionIndex: number;
  readonly replicas: readonly number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: readonly number[];
}

function stateOf(topicId: Uuid, partitionIndex: number, p: PartitionRegistration): PartitionState {
  return { topicId, partitionIndex, replicas: p.replicas, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr: p.isr };
}

async function alterPartitions(b: Bench): Promise<{ committed: number; requests: number; seconds: number; latencies: number[]; errors: Counter }> {
  const image = activeController(b)!.controller.image;
  const all: PartitionState[] = [];
  for (const t of image.topics()) t.partitions.forEach((p, i) => all.push(stateOf(t.topicId, i, p)));
  // Shuffle (seeded) and deal out: each partition belongs to one worker, so no two requests race.
  const prng = new Prng(7);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(prng.next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const latencies: number[] = [];
  const errors = new Counter();
  let committed = 0;
  let requests = 0;
  const start = performance.now();
  const deadline = start + cfg.alterSeconds * 1000;
  const epochOf = (id: number) => b.brokerEpochs.get(id)!;
  await Promise.all(
    Array.from({ length: cfg.alterConcurrency }, async (_, w) => {
      const mine = all.filter((_, i) => i % cfg.alterConcurrency === w);
      for (let k = 0; performance.now() < deadline && mine.length > 0; k++) {
        const s = mine[k % mine.length]!;
        const shrink = s.isr.length === s.replicas.length;
        const victim = [...s.isr].reverse().find((r) => r !== s.leader);
        const newIsr = shrink && victim !== undefined ? s.isr.filter((r) => r !== victim) : s.replicas;
        const t0 = performance.now();
        const r = await call(b, (c) =>
          c.alterPartition({
            brokerId: s.leader,
            brokerEpoch: epochOf(s.leader),
            topics: [
              {
                topicId: s.topicId,
                partitions: [
                  {
                    partitionIndex: s.partitionIndex,
                    leaderEpoch: s.leaderEpoch,
                    partitionEpoch: s.partitionEpoch,
                    newIsrWithEpochs: newIsr.map((id) => ({ brokerId: id, brokerEpoch: epochOf(id) })),
                    leaderRecoveryState: 0,
                  },
                ],
              },
            ],
          }),
        );
        latencies.push(performance.now() - t0);
        requests++;
        const p = r.topics[0]?.partitions[0];
        if (r.errorCode !== 0 || p === undefined || p.errorCode !== 0) {
          errors.add(errorName(r.errorCode !== 0 ? r.errorCode : (p?.errorCode ?? -1)));
          // Resynchronize from the committed image (the answer came after the commit).
          const now = activeController(b)?.controller.image.topicById(s.topicId)?.partitions[s.partitionIndex];
          if (now !== undefined) Object.assign(s, stateOf(s.topicId, s.partitionIndex, now));
          continue;
        }
        committed++;
        s.leader = p.leaderId;
        s.leaderEpoch = p.leaderEpoch;
        s.partitionEpoch = p.partitionEpoch;
        s.isr = p.isr;
      }
    }),
  );
  return { committed, requests, seconds: (performance.now() - start) / 1000, latencies, errors };
}

// ---------------------------------------------------------------------------------------------
// Phase 4: offset commits (linger batching)

async function commitOffsets(b: Bench, topics: number): Promise<{
  commits: number;
  perSecond: number[];
  offsetsPerGroupAtEnd: number;
  seconds: number;
  latencies: number[];
  errors: Counter;
  batches: number;
  records: number;
  batchesByFirstType: Record<string, number>;
}> {
  const active = activeController(b)!;
  const machine = active.machine;
  const batches0 = machine.batches;
  const records0 = machine.records;
  machine.batchesByFirstType.byKey.clear();
  machine.classify = true;
  const latencies: number[] = [];
  const errors = new Counter();
  const perSecond: number[] = [];
  let commits = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + cfg.commitSeconds * 1000;
  const prng = new Prng(11);
  await Promise.all(
    Array.from({ length: cfg.committers }, async (_, w) => {
      let offset = 0;
      while (performance.now() < deadline && issued < cfg.commitsMax) {
        issued++;
        const topic = topicName(Math.floor(prng.next() * topics));
        const t0 = performance.now();
        const r = await call(b, (c) =>
          c.commitOffsets({
            groupId: `bench-group-${w}`,
            topics: [{ name: topic, partitions: [{ partitionIndex: w % cfg.partitionsPerTopic, committedOffset: offset++, committedLeaderEpoch: -1, committedMetadata: null }] }],
          }),
        );
        latencies.push(performance.now() - t0);
        const code = r.topics[0]?.partitions[0]?.errorCode ?? -1;
        if (code === 0) {
          commits++;
          const second = Math.floor((performance.now() - start) / 1000);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        } else errors.add(errorName(code));
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  machine.classify = false;
  const image = activeController(b)?.controller.image;
  let offsetsHeld = 0;
  for (let w = 0; w < cfg.committers; w++) offsetsHeld += image?.groupOffsets(`bench-group-${w}`)?.size ?? 0;
  return {
    commits,
    perSecond: Array.from(perSecond, (n) => n ?? 0),
    offsetsPerGroupAtEnd: offsetsHeld / cfg.committers,
    seconds,
    latencies,
    errors,
    batches: machine.batches - batches0,
    records: machine.records - records0,
    batchesByFirstType: machine.batchesByFirstType.toJSON(),
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 2b: the big image, built directly, its heap, and its snapshot

/** Topic + Partition records as CreateTopics writes them (rack-alternating replicas, ISR = replicas). */
function* topicRecords(firstTopic: number, topics: number, prng: Prng): Generator<MetadataRecord> {
  const ids = brokerIds(); // ids 1..6 alternate racks, so any 3 consecutive ones span 3 racks
  for (let t = firstTopic; t < firstTopic + topics; t++) {
    const topicId = randomUuid(prng);
    yield { type: 'Topic', name: topicName(t), topicId };
    for (let p = 0; p < cfg.partitionsPerTopic; p++) {
      const start = (t * cfg.partitionsPerTopic + p) % ids.length;
      const replicas = Array.from({ length: cfg.replicationFactor }, (_, k) => ids[(start + k) % ids.length]!);
      yield {
        type: 'Partition',
        topicId,
        partitionId: p,
        replicas,
        isr: [...replicas],
        removingReplicas: [],
        addingReplicas: [],
        leader: replicas[0]!,
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
      };
    }
  }
}

function* headerRecords(): Generator<MetadataRecord> {
  const prng = new Prng(3);
  yield { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 2 };
  for (const id of brokerIds()) {
    yield {
      type: 'RegisterBroker',
      brokerId: id,
      incarnationId: randomUuid(prng),
      brokerEpoch: id,
      endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + id, securityProtocol: 'PLAINTEXT' }],
      rack: rackOf(id),
      fenced: false,
      inControlledShutdown: false,
      features: supportedFeatures(),
    };
  }
}

interface ImageResult {
  partitions: number;
  topics: number;
  buildSeconds: number;
  buildChunkTopics: number;
  heapBytesPerPartition: number;
  snapshotBytes: number;
  snapshotChunks: number;
  snapshotWriteSeconds: number;
  readSnapshotSeconds: number;
  loaderLoadSnapshotSeconds: number;
  heapBytesPerPartitionAfterLoad: number;
  heapUsedAfterLoadMiB: number;
  /** heapUsed before the image was built: what the rest of the process still holds. */
  heapUsedBeforeMiB: number;
}

async function imagePhase(): Promise<ImageResult> {
  const topics = Math.ceil(cfg.imagePartitions / cfg.partitionsPerTopic);
  const chunkTopics = 1000; // one delta per 1,000 topics, as the loader applies a run of batches
  const prng = new Prng(5);
  const h0 = await settledHeapUsed();
  const t0 = performance.now();
  let image = replayAll(MetadataImage.EMPTY, headerRecords(), { endOffset: 1 + cfg.brokers, epoch: 1 });
  let offset = image.provenance.endOffset;
  for (let t = 0; t < topics; t += chunkTopics) {
    const n = Math.min(chunkTopics, topics - t);
    offset += n * (1 + cfg.partitionsPerTopic);
    image = replayAll(image, topicRecords(t, n, prng), { endOffset: offset, epoch: 1 });
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  const h1 = await settledHeapUsed();
  const partitions = image.partitionCount;
  const heapBytesPerPartition = (h1 - h0) / partitions;
  if (image.topicCount !== topics) throw new Error(`built ${image.topicCount} topics, expected ${topics}`);

  const w0 = performance.now();
  const chunks = writeSnapshot(image);
  const snapshotWriteSeconds = (performance.now() - w0) / 1000;
  const bytes = Buffer.concat(chunks);
  const snapshotChunks = chunks.length;
  chunks.length = 0;
  const provenance = image.provenance;
  image = MetadataImage.EMPTY; // drop the built image before loading
  await settledHeapUsed();

  const r0 = performance.now();
  let loaded: MetadataImage | undefined = readSnapshot(bytes, provenance);
  const readSnapshotSeconds = (performance.now() - r0) / 1000;
  if (loaded.partitionCount !== partitions) throw new Error(`readSnapshot: ${loaded.partitionCount} partitions, expected ${partitions}`);
  loaded = undefined;

  const h2 = await settledHeapUsed();
  const loader = new MetadataLoader();
  const l0 = performance.now();
  loader.loadSnapshot(provenance, bytes);
  const loaderLoadSnapshotSeconds = (performance.now() - l0) / 1000;
  const h3 = await settledHeapUsed();
  if (loader.image.partitionCount !== partitions) throw new Error(`MetadataLoader: ${loader.image.partitionCount} partitions, expected ${partitions}`);
  return {
    partitions,
    topics,
    buildSeconds,
    buildChunkTopics: chunkTopics,
    heapBytesPerPartition,
    snapshotBytes: bytes.length,
    snapshotChunks,
    snapshotWriteSeconds,
    readSnapshotSeconds,
    loaderLoadSnapshotSeconds,
    heapBytesPerPartitionAfterLoad: (h3 - h2) / partitions,
    heapUsedAfterLoadMiB: h3 / 2 ** 20,
    heapUsedBeforeMiB: h0 / 2 ** 20,
  };
}

// ---------------------------------------------------------------------------------------------

/** What happened in the cluster during a phase: stalls, elections, snapshots, load. */
interface PhaseDiagnostics {
  seconds: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  leaderChangesSeen: number;
  leaderEpochs: [number, number];
  snapshotsWritten: number;
  controllerActivations: number;
  loadAverage: [string, string];
  heapUsedMiBAtEnd: number;
  /** GC pauses in the phase: total and longest, and how many were full (mark-compact) ones. */
  gc: { pauseMsTotal: number; pauseMsMax: number; majorCount: number; majorMsTotal: number };
}

function startPhase(b: Bench | undefined): () => PhaseDiagnostics {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const gc = { pauseMsTotal: 0, pauseMsMax: 0, majorCount: 0, majorMsTotal: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.pauseMsTotal += e.duration;
      gc.pauseMsMax = Math.max(gc.pauseMsMax, e.duration);
      if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.majorCount++;
        gc.majorMsTotal += e.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const load0 = loadNow();
  const counts = () => {
    let leaderChanges = 0;
    let snapshots = 0;
    let activations = 0;
    for (const m of b?.machines.values() ?? []) leaderChanges += m.leaderChanges;
    for (const l of b?.loggers ?? []) {
      snapshots += l.infos.byKey.get('wrote a metadata snapshot') ?? 0;
      activations += l.infos.byKey.get('became the active controller') ?? 0;
    }
    return { leaderChanges, snapshots, activations, epoch: b?.cluster.leader()?.status().epoch ?? -1 };
  };
  const c0 = counts();
  return () => {
    h.disable();
    observer.disconnect();
    const c1 = counts();
    return {
      seconds: (performance.now() - t0) / 1000,
      eventLoopDelayMs: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 },
      leaderChangesSeen: c1.leaderChanges - c0.leaderChanges,
      leaderEpochs: [c0.epoch, c1.epoch],
      snapshotsWritten: c1.snapshots - c0.snapshots,
      controllerActivations: c1.activations - c0.activations,
      loadAverage: [load0, loadNow()],
      heapUsedMiBAtEnd: process.memoryUsage().heapUsed / 2 ** 20,
      gc,
    };
  };
}

function latencyJson(samples: readonly number[]) {
  const s = summarize(samples);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), ...s };
}

async function main(): Promise<void> {
  const rows: [string, string, string][] = [];
  const notes: string[] = [];
  const phases: Record<string, PhaseDiagnostics> = {};
  const result: Record<string, unknown> = {
    bench: 'controller',
    quick,
    setup: {
      voters: VOTERS.length,
      storage: 'segment files (fdatasync per batch)',
      transport: 'in-process',
      node: process.version,
      cpus: cpus().length,
      ...cfg,
      commitsMax: Number.isFinite(cfg.commitsMax) ? cfg.commitsMax : null,
    },
    loadAverageAtStart: loadNow(),
    phases,
  };
  if (gcFn === undefined) notes.push('global.gc is unavailable: heap figures are NaN (run with --expose-gc).');

  const root = await mkdtemp(join(tmpdir(), 'mq-bench-controller-'));
  const holder: { bench: Bench | undefined } = { bench: undefined };
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const b = holder.bench;
    holder.bench = undefined;
    if (b !== undefined) await stopBench(b).catch((e: unknown) => console.error('stopping the cluster failed:', e));
    await rm(root, { recursive: true, force: true });
  };
  const onSignal = (sig: string) => {
    console.error(`${sig}: stopping the cluster and removing ${root}`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  try {
    if (args['image-only'] !== true) await clusterPhases(root, holder, rows, notes, phases, result);
  } finally {
    await cleanup();
  }
  await imageAndReport(rows, notes, phases, result);
}

/**
 * Phases 1, 3, 4 and 2a on the running cluster. A function of its own so that nothing of the
 * cluster stays reachable from a suspended frame once it returns (the image phase measures heap).
 */
async function clusterPhases(
  root: string,
  holder: { bench: Bench | undefined },
  rows: [string, string, string][],
  notes: string[],
  phases: Record<string, PhaseDiagnostics>,
  result: Record<string, unknown>,
): Promise<void> {
  let topicsInCluster = 0;
  {
    holder.bench = await startBench(root);
    const b = holder.bench;
    await withTimeout(b.cluster.waitForLeader(10_000), 15_000, 'leader election');
    const activeDeadline = performance.now() + 10_000;
    while (activeController(b) === undefined) {
      if (performance.now() > activeDeadline) throw new Error('no active controller 10 s after the election');
      await sleep(10);
    }
    const brokers = await withTimeout(startBrokers(b), 60_000, 'broker registration');
    console.error(`[bench] ${cfg.brokers} brokers registered and unfenced; load ${loadNow()}`);

    // ---- 1. create topics
    let phase = startPhase(b);
    const c1 = await withTimeout(createTopics(b, 0, cfg.topics, Infinity), cfg.phaseTimeoutMs, 'create-topics');
    phases['1 create-topics'] = phase();
    topicsInCluster = cfg.topics;
    if (c1.errors.total > 0) notes.push(`create-topics errors: ${c1.errors}`);
    const createLat = latencyJson(c1.latencies);
    result.createTopics = {
      topics: c1.topics,
      partitions: c1.partitions,
      seconds: c1.seconds,
      topicsPerSec: c1.topics / c1.seconds,
      partitionsPerSec: c1.partitions / c1.seconds,
      calls: c1.calls,
      topicsPerCall: cfg.topicsPerRequest,
      concurrency: cfg.createConcurrency,
      latencyMs: createLat,
      errors: c1.errors.toJSON(),
    };
    const label1 = `${fmt(cfg.topics)} topics × ${cfg.partitionsPerTopic} (RF ${cfg.replicationFactor}), ${cfg.createConcurrency} clients, ${cfg.topicsPerRequest} topic/call`;
    rows.push([`create ${label1}: total time`, `${c1.seconds.toFixed(2)} s`, 'ref (10k partitions, pipelined 64): ZK 3.6 s, etcd 1.7 s']);
    rows.push(['create: topics/s · partitions/s', `${fmt(c1.topics / c1.seconds)} · ${fmt(c1.partitions / c1.seconds)}`, 'ref: ZK ~2,800, etcd ~5,900 partition states/s']);
    rows.push(['create: per-call latency p50 / p99', `${ms(createLat.p50)} / ${ms(createLat.p99)}`, '']);
    console.error(`[bench] create-topics done in ${c1.seconds.toFixed(1)} s; load ${loadNow()}`);

    // ---- 3. alter partition
    phase = startPhase(b);
    const a = await withTimeout(alterPartitions(b), cfg.phaseTimeoutMs, 'alter-partition');
    phases['3 alter-partition'] = phase();
    const alterLat = latencyJson(a.latencies);
    result.alterPartition = {
      partitionsInCluster: activeController(b)?.controller.image.partitionCount ?? null,
      outstanding: cfg.alterConcurrency,
      seconds: a.seconds,
      requests: a.requests,
      committed: a.committed,
      committedPerSec: a.committed / a.seconds,
      latencyMs: alterLat,
      errors: a.errors.toJSON(),
    };
    rows.push([
      `AlterPartition, ${cfg.alterConcurrency} outstanding, ${fmt(cfg.topics * cfg.partitionsPerTopic)}-partition cluster: committed/s`,
      fmt(a.committed / a.seconds),
      'ref: 64-outstanding writes ZK 6,963/s, etcd 5,015/s',
    ]);
    rows.push(['AlterPartition latency p50 / p99', `${ms(alterLat.p50)} / ${ms(alterLat.p99)}`, '']);
    rows.push(['AlterPartition errors (by code)', `${a.errors} (of ${fmt(a.requests)} requests)`, '~0']);
    console.error(`[bench] alter-partition done: ${a.committed} committed; load ${loadNow()}`);

    // ---- 4. offset commits
    phase = startPhase(b);
    const o = await withTimeout(commitOffsets(b, cfg.topics), cfg.phaseTimeoutMs, 'offset-commits');
    phases['4 offset-commits'] = phase();
    const commitLat = latencyJson(o.latencies);
    result.offsetCommits = {
      committers: cfg.committers,
      seconds: o.seconds,
      commits: o.commits,
      commitsPerSec: o.commits / o.seconds,
      commitsPerSecond: o.perSecond,
      offsetsPerGroupAtEnd: o.offsetsPerGroupAtEnd,
      latencyMs: commitLat,
      errors: o.errors.toJSON(),
      raftBatchesApplied: o.batches,
      recordsApplied: o.records,
      batchesByFirstRecordType: o.batchesByFirstType,
      commitsPerOffsetCommitBatch: o.commits / (o.batchesByFirstType['OffsetCommit'] ?? NaN),
      lingerMs: controllerConfig(CLUSTER_ID).offsetCommitLingerMs,
    };
    const ocBatches = o.batchesByFirstType['OffsetCommit'] ?? 0;
    rows.push([`offset commits, ${cfg.committers} committers, ${cfg.commitSeconds} s: commits/s`, fmt(o.commits / o.seconds), '']);
    rows.push(['offset commits latency p50 / p99', `${ms(commitLat.p50)} / ${ms(commitLat.p99)}`, '']);
    const ps = o.perSecond;
    if (ps.length >= 4) {
      rows.push([
        'offset commits/s in the first vs the last full second (offsets held per group at the end)',
        `${fmt(ps[0] ?? 0)} vs ${fmt(ps[ps.length - 2] ?? 0)} (${fmt(o.offsetsPerGroupAtEnd)})`,
        'flat if a commit costs O(1) in the group size',
      ]);
    }
    rows.push([
      'offset commits: Raft batches applied (OffsetCommit batches) vs commits',
      `${fmt(o.batches)} (${fmt(ocBatches)}) vs ${fmt(o.commits)}: ${fmt(o.commits / Math.max(1, ocBatches), 1)} commits/batch`,
      'linger batching: ≫ 1 commit/batch',
    ]);
    if (o.errors.total > 0) notes.push(`offset-commit errors: ${o.errors}`);
    console.error(`[bench] offset-commits done: ${o.commits} commits; load ${loadNow()}`);

    // ---- 2a. grow towards the big image through the controller (bounded)
    const bigTopics = Math.ceil(cfg.imagePartitions / cfg.partitionsPerTopic);
    phase = startPhase(b);
    const g = await withTimeout(createTopics(b, cfg.topics, bigTopics, cfg.buildBudgetS * 1000), cfg.phaseTimeoutMs, 'grow');
    phases['2a grow through the controller'] = phase();
    topicsInCluster += g.topics;
    const totalPartitions = activeController(b)?.controller.image.partitionCount ?? topicsInCluster * cfg.partitionsPerTopic;
    const totalSeconds = c1.seconds + g.seconds;
    const reached = !g.stoppedByBudget && totalPartitions >= bigTopics * cfg.partitionsPerTopic;
    const growRate = g.partitions / g.seconds;
    const projectedS = reached ? totalSeconds : totalSeconds + Math.max(0, cfg.imagePartitions - totalPartitions) / growRate;
    const memory = process.memoryUsage();
    result.buildThroughController = {
      budgetSeconds: cfg.buildBudgetS,
      reachedTarget: reached,
      partitionsReached: totalPartitions,
      seconds: totalSeconds,
      growPartitionsPerSec: growRate,
      projectedSecondsForTarget: projectedS,
      latencyMs: latencyJson(g.latencies),
      errors: g.errors.toJSON(),
      heapUsedMiBWith3Controllers: memory.heapUsed / 2 ** 20,
      rssMiB: memory.rss / 2 ** 20,
    };
    rows.push([
      `build ${fmt(cfg.imagePartitions)} partitions through the controller`,
      reached
        ? `${totalSeconds.toFixed(1)} s`
        : `${fmt(totalPartitions)} in ${totalSeconds.toFixed(1)} s (budget ${cfg.buildBudgetS} s hit); last ${fmt(growRate)} partitions/s → ~${fmt(projectedS)} s projected`,
      '',
    ]);
    if (!reached) notes.push(`The ${fmt(cfg.imagePartitions)}-partition image below was built directly by replaying records (replayAll, one MetadataDelta per 1,000 topics), not through the controller: building it through the controller was projected to take ~${fmt(projectedS)} s, over the ${cfg.buildBudgetS} s budget.`);
    else notes.push(`The controller built all ${fmt(cfg.imagePartitions)} partitions in ${totalSeconds.toFixed(1)} s; the heap figures below still come from an image built directly by replayAll after the cluster stopped, so that three controllers' images do not blur the measurement.`);
    console.error(`[bench] grow done: ${totalPartitions} partitions in ${totalSeconds.toFixed(1)} s; heap ${fmt(memory.heapUsed / 2 ** 20)} MiB; load ${loadNow()}`);

    const fenced = fencedBrokers(b);
    if (fenced.length > 0) notes.push(`brokers fenced at the end of the cluster phases: ${fenced.join(', ')} (event-loop stalls beyond the session timeout?)`);
    if (brokers.heartbeatErrors.total > 0) notes.push(`heartbeat errors: ${brokers.heartbeatErrors}`);
    result.cluster = {
      heartbeats: brokers.heartbeats(),
      heartbeatErrors: brokers.heartbeatErrors.toJSON(),
      fencedBrokersAtEnd: fenced,
      retries: b.retries.toJSON(),
      logWarnings: Object.fromEntries(b.loggers.flatMap((l, i) => [...l.counts.byKey].map(([k, v]) => [`node ${i + 1} ${k}`, v]))),
      firstLogWarnings: b.loggers.flatMap((l) => l.first),
    };
    if (b.retries.total > 0) notes.push(`retried calls: ${b.retries}`);
    for (const l of b.loggers) for (const line of l.first) notes.push(`log: ${line}`);
  }
}

async function imageAndReport(
  rows: [string, string, string][],
  notes: string[],
  phases: Record<string, PhaseDiagnostics>,
  result: Record<string, unknown>,
): Promise<void> {
  // ---- 2b. the big image, alone in the heap
  const imagePhaseEnd = startPhase(undefined);
  const img = await withTimeout(imagePhase(), cfg.phaseTimeoutMs, 'image');
  phases['2b image'] = imagePhaseEnd();
  result.image = img;
  const label2 = `${fmt(img.partitions)} partitions (${fmt(img.topics)} topics)`;
  rows.push([`image ${label2}: built directly (replayAll)`, `${img.buildSeconds.toFixed(2)} s`, '']);
  rows.push(['image heap bytes per partition (built)', fmt(img.heapBytesPerPartition), '≤ 600']);
  rows.push(['snapshot size', `${fmt(img.snapshotBytes / 2 ** 20, 1)} MiB (${fmt(img.snapshotBytes / img.partitions, 1)} B/partition)`, '']);
  rows.push(['snapshot write (writeSnapshot)', `${img.snapshotWriteSeconds.toFixed(2)} s`, '']);
  rows.push(['snapshot load (readSnapshot)', `${img.readSnapshotSeconds.toFixed(2)} s`, '≤ 5 s']);
  rows.push(['snapshot load (MetadataLoader.loadSnapshot)', `${img.loaderLoadSnapshotSeconds.toFixed(2)} s`, '≤ 5 s']);
  rows.push(['image heap bytes per partition (after snapshot load)', fmt(img.heapBytesPerPartitionAfterLoad), '≤ 600']);
  notes.push(`image phase: heapUsed ${fmt(img.heapUsedBeforeMiB)} MiB before the build (the stopped cluster's leftovers), ${fmt(img.heapUsedAfterLoadMiB)} MiB with the loaded image.`);
  const loadOk = Math.max(img.readSnapshotSeconds, img.loaderLoadSnapshotSeconds) <= 5;
  const heapOk = Math.max(img.heapBytesPerPartition, img.heapBytesPerPartitionAfterLoad) <= 600;
  result.targets = { snapshotLoadSecondsMax: 5, heapBytesPerPartitionMax: 600, loadMet: loadOk, heapMet: heapOk };
  result.notes = notes;

  console.log(`controller bench${quick ? ' (--quick)' : ''}: 3 voters in one process, segment-file log (fsync per batch), in-process transport; ${cpus().length} cores; ${process.version}`);
  console.log('');
  console.log('| metric | value | target / reference |');
  console.log('| --- | --- | --- |');
  for (const [m, v, t] of rows) console.log(`| ${m} | ${v} | ${t} |`);
  console.log('');
  console.log(`targets: snapshot load ≤ 5 s ${loadOk ? 'met' : 'MISSED'}; heap ≤ 600 B/partition ${heapOk ? 'met' : 'MISSED'}`);
  console.log('');
  console.log('| phase | s | event-loop delay p99 / max | GC pauses total / max (major: n, total) | onLeaderChange calls, 3 nodes (epoch start → end) | snapshots written | heap at end | load avg 1/5/15 (start → end) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, d] of Object.entries(phases)) {
    const el = d.eventLoopDelayMs;
    console.log(
      `| ${name} | ${d.seconds.toFixed(1)} | ${ms(el.p99)} / ${ms(el.max)} | ${ms(d.gc.pauseMsTotal)} / ${ms(d.gc.pauseMsMax)} (${d.gc.majorCount}, ${ms(d.gc.majorMsTotal)}) | ${d.leaderChangesSeen} (${d.leaderEpochs[0]} → ${d.leaderEpochs[1]}) | ${d.snapshotsWritten} | ${fmt(d.heapUsedMiBAtEnd)} MiB | ${d.loadAverage[0]} → ${d.loadAverage[1]} |`,
    );
  }
  console.log('');
  for (const n of notes) console.log(`- ${n}`);
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, JSON.stringify(result, null, 2));
  console.log(`JSON written to ${jsonPath}`);
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('controller bench failed:', e);
  process.exit(1);
}
