// npm run bench:cluster — the quorum as users run it: real node processes on 127.0.0.1
// (ProcessCluster: 3 controllers + 3 brokers, split mode, the server.properties quorum defaults),
// driven by this process as the load generator. Where bench:controller measures the controller in
// one process, this measures what a client sees across processes, TCP and fsync, and compares it
// with ZooKeeper 3.8 and etcd 3.4 measured on the same kind of 2-core machine
// (../shared/reference/perf-anchors.md). Phases, in the order run:
//
//   setup        T topics × P partitions (RF 3) through the controller, their state read back
//                with describeTopics, the brokers' epochs with describeCluster.
//   throughput   `--outstanding` concurrent AlterPartition loops pipelined on `--connections`
//                connection(s) to the active controller; each loop owns distinct partitions and,
//                as their leader (broker id and epoch), shrinks the ISR to [leader] and grows it
//                back, alternately, with the epochs of the previous answer. Committed writes/s,
//                latency, errors, and where the time goes: CPU, kernel share, run-queue wait and
//                system calls of every process (/proc), and the shape of the Raft batches the
//                leader appended (read from its log, as dump-log does).
//   floor        the machine floor (cluster/floor-node.ts): the same processes passing the same
//                bytes with the same fsyncs and no logic (no Raft, controller or codec), 64
//                outstanding, right after the throughput run: what this shape can reach on the
//                machine at that moment, and the cluster's figures as a share of it. The machine's
//                speed swings several-fold within a day; the share tells the code's cost apart.
//                With the latency phase, the floor also runs at 1 outstanding right after it: its
//                round trip is the least single-writer latency the machine allows at that moment.
//   latency      one outstanding AlterPartition at a time: commit latency p50/p99.
//
// Warm-up: every timed window follows a warm-up long enough for V8 to have optimized the hot
// code, as a node that has run for a while has: --warmup-seconds (5) of the throughput load, and
// --latency-warmup-ops (5,000; 3,000 with --quick) single writes. Measured: after 200 single
// writes p50 was 3.7 ms at 6.5 ms of CPU per write (all nodes); after 5,000, 1.4-1.6 ms at 1.9 ms
// (the floor: 1.0 ms at 1.3 ms). The throughput run gained about a third from 1 s to 5 s and no
// more at 15 s.
//   batching     (only when named in --phases) the throughput run at 16, 64 and 256 outstanding:
//                each process's CPU split into a cost per record and a cost per Raft batch
//                (cluster/batching-sweep.ts), and the writes/s ceiling that leaves at 64.
//   propagation  createTopics (1 partition) on the active controller while every broker is polled
//                with describeTopics (~1 ms apart): ack → the last broker shows the topic.
//   kill         per trial: an open-loop writer (a createTopics every 10 ms through a
//                ControllerChannel, 250 ms per attempt), SIGKILL of the active controller, time to
//                the first write issued after the kill that is acknowledged; then the node is
//                restarted and the trial waits until all voters have caught up (lag 0).
//   stop         the same with SIGSTOP (a hung leader: its sockets stay open), then SIGCONT.
//
// The two timed write phases first wait (bounded) for the rest of the machine to go quiet, as the
// reference runs did; what they saw is in the JSON (quietGate). --cpu-prof <dir> runs every node
// under the V8 profiler (cluster/profiled-cli.ts) during each timed window only, and leaves a
// .cpuprofile per node and window (1: throughput, 2: latency, as run).
//
// Output: a markdown table (metric | value | target | ZooKeeper/etcd anchor) on stdout; with
// --json the JSON object goes to stdout instead (the table to stderr), and --out writes it to a
// file too. Progress goes to stderr. Every loop is bounded in time; the nodes are stopped and the
// temporary directory removed on every exit path (an error, SIGINT/SIGTERM, and as a last resort
// a SIGKILL by pid at exit).
//
// --combined runs 3 combined nodes instead (process.roles=broker,controller: each broker reads its
// own controller's log, no separate observers), the other deployment the issue names; on one
// machine it is also the layout closest to the ZooKeeper and etcd anchors (3 server processes).
// The table's broker columns then show "—" (the brokers' work is in the nodes' figures).
//
// Usage: node --max-semi-space-size=64 dist/tools/bench/cluster-bench.js [--quick] [--json] [--out file.json]
//        [--trials-kill 10] [--trials-stop 5] [--write-seconds 10] [--warmup-seconds 5]
//        [--outstanding 64] [--connections 1] [--latency-ops 2000] [--latency-warmup-ops 5000]
//        [--propagation-topics 200]
//        [--topics 200] [--partitions-per-topic 10] [--phases throughput,floor,latency,propagation,kill,stop]
//        (or any of those and batching)
//        [--combined] [--cpu-prof dir] [--keep-data]

import { benchCommandLine, positiveInts, nameList, reportOptions } from './bench-args.js';
import { emitBenchResult, installBenchCleanup } from './cluster/bench-cleanup.js';
import { loadGeneratorHeapNote, loadGeneratorNodeFlags } from './load-generator-heap.js';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorName, ErrorCode } from '../../quorum/controller/errors.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { resolvePartitionDir } from '../inspect/layout.js';
import { readLogDir } from '../inspect/log-read.js';
import { controllerChannelTo, waitFor, waitForClusterReady } from '../server/cluster-ready.js';
import { defaultCliPath, ProcessCluster } from '../server/process-cluster.js';
import { brokerEpochs, callOn, callVia, createTopics, readParts, type AlterRun, type Part } from './cluster/alter-loops.js';
import { bounded, closeAll, closeClient, errKey, errText, latencyJson, leaderClient, now, openClient, pidsOf, rpc, sleep, waitForQuiet, type Bench, QUIET_OTHER_CORES } from './cluster/bench-cluster.js';
import { ExitWatch } from '../server/exit-watch.js';
import { FAILOVER_GIVE_UP_MS, failoverTrials, trialSummary, type FaultKind, type Trial } from './cluster/failover-trial.js';
import type { CpuUse } from './cluster/proc-cpu.js';
import { latencyRun, throughputRun } from './cluster/write-phases.js';
import { runFloor } from './cluster/floor-run.js';
import { batchingSweep, modelledUsPerWrite, SWEEP_OUTSTANDING, totalUsPerWrite } from './cluster/batching-sweep.js';
import { Counter, percentile, summarize } from './stats.js';

const PHASES = ['throughput', 'floor', 'latency', 'batching', 'propagation', 'kill', 'stop'] as const;
type Phase = (typeof PHASES)[number];
/** `batching` (three more throughput runs) is a diagnosis, asked for by name. */
const DEFAULT_PHASES: readonly Phase[] = PHASES.filter((p) => p !== 'batching');

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      ...reportOptions,
      'trials-kill': { type: 'string' },
      'trials-stop': { type: 'string' },
      'write-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      outstanding: { type: 'string', default: '64' },
      connections: { type: 'string', default: '1' },
      'latency-ops': { type: 'string' },
      'latency-warmup-ops': { type: 'string' },
      'propagation-topics': { type: 'string' },
      topics: { type: 'string', default: '200' },
      'partitions-per-topic': { type: 'string', default: '10' },
      phases: { type: 'string', default: DEFAULT_PHASES.join(',') },
      'cpu-prof': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      combined: { type: 'boolean', default: false },
    },
  }),
);
const quick = args.quick === true;
const combined = args.combined === true;
/** The cluster: 3 controllers + 3 brokers in split mode, or (--combined) 3 nodes that are both. */
const SHAPE = combined ? { controllers: 3, brokers: 0, combined: true } : { controllers: 3, brokers: 3, combined: false };
const SHAPE_TEXT = combined ? '3 combined nodes (controller + broker in each process)' : '3 controllers + 3 brokers (split mode)';
const num = positiveInts(quick);
const { cfg, phases } = benchCommandLine(import.meta.url, () => ({
  cfg: {
    topics: num('topics', args.topics, 200, 200),
    partitionsPerTopic: num('partitions-per-topic', args['partitions-per-topic'], 10, 10),
    outstanding: num('outstanding', args.outstanding, 64, 64),
    connections: num('connections', args.connections, 1, 1),
    warmupSeconds: num('warmup-seconds', args['warmup-seconds'], 5, 5),
    writeSeconds: num('write-seconds', args['write-seconds'], 10, 3),
    latencyOps: num('latency-ops', args['latency-ops'], 2_000, 300),
    latencyWarmupOps: num('latency-warmup-ops', args['latency-warmup-ops'], 5_000, 3_000),
    propagationTopics: num('propagation-topics', args['propagation-topics'], 200, 50),
    trialsKill: num('trials-kill', args['trials-kill'], 10, 3),
    trialsStop: num('trials-stop', args['trials-stop'], 5, 2),
  },
  phases: nameList<Phase>('phases', args.phases!, PHASES),
}));

/**
 * Broker settings only (the point is the quorum defaults): quicker unfencing after a start; and the
 * load generator plays the partition leaders (its AlterPartitions), so the brokers leave ISRs alone.
 */
const CLUSTER_PROPERTIES: Readonly<Record<string, string>> = { 'broker.heartbeat.interval.ms': '500', 'metaquorum.isr.expansion.enable': 'false' };
/** Steady state before the fault, for the failover trials. */
const FAILOVER_STEADY_MS = 1_000;
/** Propagation: each broker is asked again this long after an answer without the topic. */
const PROPAGATION_POLL_MS = 1;
const PROPAGATION_GIVE_UP_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms` : String(n));
const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
const say = (msg: string) => process.stderr.write(`[bench:cluster] ${msg}\n`);

/** With --cpu-prof, every node's profiler is switched on and off around a timed window (SIGUSR2). */
function profileWindow(b: Bench): (edge: 'open' | 'close') => void {
  if (args['cpu-prof'] === undefined) return () => {};
  return () => {
    for (const pid of pidsOf(b.cluster).values()) if (pid !== null) process.kill(pid, 'SIGUSR2');
  };
}

// ---------------------------------------------------------------------------------------------
// Setup: topics, their partitions' state, the brokers' epochs

const topicNames = () => Array.from({ length: cfg.topics }, (_, i) => `bench-${String(i).padStart(5, '0')}`);

// ---------------------------------------------------------------------------------------------
// Throughput and latency (AlterPartition: cluster/alter-loops.ts, cluster/write-phases.ts)

interface ThroughputResult {
  readonly leaderId: number;
  readonly run: AlterRun;
  readonly cpu: CpuUse;
  readonly highWatermarkAdvance: number;
  readonly batches: BatchShape | null;
}

interface BatchShape {
  /** Data batches (not control) with offsets in the timed window. */
  readonly count: number;
  readonly perSecond: number;
  readonly recordsPerBatch: ReturnType<typeof latencyJson>;
  /** Share of the window's records that came in batches of ≥ 90% of the outstanding requests. */
  readonly recordsInFullBatches: number;
  /** Time between consecutive batches holding ≥ half the outstanding requests (one commit "wave"), ms. */
  readonly waveIntervalMs: ReturnType<typeof latencyJson>;
  /** Smaller batches appended just before each wave's big one (the wave's first requests, on their own). */
  readonly smallBatchesPerWave: number;
  /** From the first of those small batches to the wave's big batch, ms (appendTimeMs on the leader). */
  readonly waveLeadMs: ReturnType<typeof latencyJson>;
}

/**
 * The shape of what the leader appended in [fromOffset, toOffset): how many Raft batches, how big,
 * how far apart. Read from its log directory (tools/inspect), which the node shares with readers.
 */
async function batchShape(b: Bench, leaderId: number, fromOffset: number, toOffset: number, seconds: number): Promise<BatchShape | null> {
  const layout = await resolvePartitionDir(join(b.cluster.node(leaderId).dir, 'metadata'));
  const log = await readLogDir(layout.logDir, () => undefined);
  if (log === undefined) return null;
  const sizes: number[] = [];
  const waveTimes: number[] = [];
  const smallPerWave: number[] = [];
  const leads: number[] = [];
  let full = 0;
  let firstSmallAt: number | null = null;
  let small = 0;
  for (const batch of log.batches) {
    if (batch.control !== undefined || batch.baseOffset < fromOffset || batch.baseOffset >= toOffset) continue;
    const n = batch.records.length;
    sizes.push(n);
    if (n >= 0.9 * cfg.outstanding) full += n;
    if (n >= cfg.outstanding / 2) {
      waveTimes.push(batch.appendTimeMs);
      smallPerWave.push(small);
      if (firstSmallAt !== null) leads.push(batch.appendTimeMs - firstSmallAt);
      firstSmallAt = null;
      small = 0;
    } else {
      firstSmallAt ??= batch.appendTimeMs;
      small++;
    }
  }
  const total = sizes.reduce((a, x) => a + x, 0);
  const gaps = waveTimes.slice(1).map((t, i) => t - waveTimes[i]!);
  return {
    count: sizes.length,
    perSecond: sizes.length / seconds,
    recordsPerBatch: latencyJson(sizes),
    recordsInFullBatches: full / Math.max(1, total),
    waveIntervalMs: latencyJson(gaps),
    smallBatchesPerWave: summarize(smallPerWave).mean,
    waveLeadMs: latencyJson(leads),
  };
}

async function throughputPhase(b: Bench, parts: Part[], epochs: ReadonlyMap<number, number>): Promise<ThroughputResult> {
  say(`throughput: warming up ${cfg.warmupSeconds} s (${cfg.outstanding} outstanding on ${cfg.connections} connection(s) to the active controller)`);
  const t = await throughputRun(b, parts, epochs, { outstanding: cfg.outstanding, connections: cfg.connections, warmUp: { seconds: cfg.warmupSeconds }, writeSeconds: cfg.writeSeconds, say, onWindow: profileWindow(b) });
  say(`throughput: ${fmt(t.run.committed / t.run.seconds)} writes/s, errors ${t.run.errors}; load ${loadNow()}`);
  const batches = await batchShape(b, t.leaderId, t.hw0, t.hw1, t.run.seconds).catch((e: unknown) => {
    say(`throughput: could not read the leader's log for the batch shape: ${errText(e)}`);
    return null;
  });
  return { leaderId: t.leaderId, run: t.run, cpu: t.cpu, highWatermarkAdvance: t.hw1 - t.hw0, batches };
}

async function latencyPhase(b: Bench, parts: Part[], epochs: ReadonlyMap<number, number>): Promise<{ leaderId: number; run: AlterRun; cpu: CpuUse }> {
  const l = await latencyRun(b, parts, epochs, { warmUpOps: cfg.latencyWarmupOps, ops: cfg.latencyOps, maxSeconds: 120, onWindow: profileWindow(b) });
  say(`latency: p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, errors ${l.run.errors}`);
  return l;
}

// ---------------------------------------------------------------------------------------------
// Propagation: createTopics ack → the topic in every broker's image

interface PropagationResult {
  /** Ack → last broker shows it (0 when all showed it before the ack arrived), ms. */
  readonly afterAckMs: number[];
  /** createTopics sent → last broker shows it, ms. */
  readonly fromSendMs: number[];
  /** createTopics round trip, ms. */
  readonly ackMs: number[];
  visibleBeforeAck: number;
  readonly failures: Counter;
  pollsPerTopic: number;
}

async function propagationPhase(b: Bench): Promise<PropagationResult> {
  const leader = await leaderClient(b);
  const brokers = b.cluster.brokers.map((n) => openClient(b, n.clientPort!, n.id)); // combined nodes too
  const res: PropagationResult = { afterAckMs: [], fromSendMs: [], ackMs: [], visibleBeforeAck: 0, failures: new Counter(), pollsPerTopic: 0 };
  let polls = 0;
  try {
    for (let i = 0; i < cfg.propagationTopics + 10; i++) {
      const warm = i < 10; // the first few are not recorded (connections, JIT)
      const name = `prop-${String(i).padStart(5, '0')}`;
      const seen = brokers.map(() => NaN);
      let done = false;
      const tSend = now();
      const pollers = brokers.map(async (c, j) => {
        while (!done && now() - tSend < PROPAGATION_GIVE_UP_MS) {
          const d = await rpc(c, 'describeTopics', { names: [name] }, 2_000);
          polls++;
          if (d.topics.length > 0) {
            seen[j] = now(); // an upper bound: the broker had it by the time it answered
            return;
          }
          await sleep(PROPAGATION_POLL_MS);
        }
      });
      let tAck = NaN;
      try {
        const r = await rpc(leader.client, 'createTopics', { topics: [{ name, numPartitions: 1, replicationFactor: 3, configs: [] }], validateOnly: false });
        tAck = now();
        const code = r.topics[0]?.errorCode ?? -1;
        if (code !== ErrorCode.NONE) res.failures.add(`createTopics ${errorName(code)}`);
        await Promise.all(pollers);
      } catch (e) {
        res.failures.add(errKey(e));
      } finally {
        done = true;
        await Promise.allSettled(pollers);
      }
      if (warm) continue;
      const last = Math.max(...seen);
      if (!Number.isFinite(last) || !Number.isFinite(tAck)) {
        if (Number.isFinite(tAck)) res.failures.add(`not on every broker within ${PROPAGATION_GIVE_UP_MS} ms`);
        continue;
      }
      res.ackMs.push(tAck - tSend);
      res.fromSendMs.push(last - tSend);
      res.afterAckMs.push(Math.max(0, last - tAck));
      if (last <= tAck) res.visibleBeforeAck++;
    }
    res.pollsPerTopic = polls / (cfg.propagationTopics + 10);
    const a = res.afterAckMs;
    say(`propagation: after ack p50 ${ms(percentile(a, 0.5))}, p99 ${ms(percentile(a, 0.99))}, max ${ms(summarize(a).max)}; failures ${res.failures}`);
    return res;
  } finally {
    await closeClient(b, leader.client);
    for (const c of brokers) await closeClient(b, c);
  }
}

// ---------------------------------------------------------------------------------------------
// Failover trials (cluster/failover-trial.ts): the writer creates a 1-partition topic per write

const createTopicWrite = (ch: RpcCaller, kind: FaultKind, trial: number) => async (seq: number) => {
  const r = await ch.call('createTopics', { topics: [{ name: `fo-${kind}-${trial}-${seq}`, numPartitions: 1, replicationFactor: 1, configs: [] }], validateOnly: false });
  const code = r.topics[0]?.errorCode ?? -1;
  // TOPIC_ALREADY_EXISTS: a retried attempt whose first try committed; acknowledged now.
  if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new Error(`createTopics: ${errorName(code)}`);
};

const failoverPhase = (b: Bench, kind: FaultKind, trials: number) => failoverTrials(b, kind, trials, { steadyMs: FAILOVER_STEADY_MS, write: createTopicWrite, say });

// ---------------------------------------------------------------------------------------------
// Main

type Row = [metric: string, value: string, target: string, anchor: string];

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-cluster-'));
  const holder: { bench: Bench | undefined } = { bench: undefined };
  const cleanupHooks = installBenchCleanup({
    root,
    keepData: args['keep-data'] === true,
    say,
    closeOwn: async () => {
      if (holder.bench !== undefined) await closeAll(holder.bench);
    },
  });
  const cleanup = () => cleanupHooks.run();

  const rows: Row[] = [];
  const notes: string[] = [];
  /** The first unexpected node exit (startup gives up at once on one). */
  const exits = new ExitWatch((line) => {
    notes.push(line);
    say(line);
  });
  const result: Record<string, unknown> = {
    bench: 'cluster',
    quick,
    setup: {
      controllers: 3,
      brokers: SHAPE.brokers,
      mode: combined ? 'combined' : 'split',
      transport: 'TCP on 127.0.0.1',
      properties: CLUSTER_PROPERTIES,
      node: process.version,
      loadGeneratorNodeFlags: loadGeneratorNodeFlags(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      phases: [...phases],
      ...cfg,
    },
    loadAverageAtStart: loadNow(),
  };
  const heapNote = loadGeneratorHeapNote();
  if (heapNote !== undefined) notes.push(heapNote);
  try {
    let cliPath = defaultCliPath();
    if (args['cpu-prof'] !== undefined) {
      // Node 20 refuses --cpu-prof in NODE_OPTIONS: the nodes run the CLI through a wrapper that
      // holds the profiler (switched by SIGUSR2); they inherit the directory through the environment.
      const dir = resolve(args['cpu-prof']);
      await mkdir(dir, { recursive: true });
      process.env['METAQUORUM_CPU_PROF_DIR'] = dir;
      cliPath = fileURLToPath(new URL('./cluster/profiled-cli.js', import.meta.url));
      notes.push(`CPU profiles of every node, one per timed window, written to ${dir}; profiling slows the nodes.`);
    }
    say(`starting ${SHAPE_TEXT} in ${root}; load ${loadNow()}`);
    const cluster = await ProcessCluster.create({
      dataDir: root,
      shape: { ...SHAPE, basePort: 0, properties: CLUSTER_PROPERTIES },
      cliPath,
      logLevel: 'info',
      onUnexpectedExit: exits.onExit(() => cluster),
    });
    cleanupHooks.cluster = cluster;
    const t0 = now();
    await cluster.startAll();
    const ready = await Promise.race([waitForClusterReady(cluster, 60_000), exits.failed]);
    /** Broker processes that are not also controllers (none with --combined). */
    const brokerOnly = cluster.brokers.filter((n) => !n.roles.includes('controller'));
    /** A per-broker column of the table: "—" when there are no separate brokers. */
    const brokerColumn = (f: (id: number) => string) => (brokerOnly.length === 0 ? '—' : brokerOnly.map((n) => f(n.id)).join(', '));
    const b: Bench = { cluster, channel: controllerChannelTo(cluster, 10_000, 2_000), clients: new Set(), channels: new Set() };
    holder.bench = b;
    say(`cluster ready in ${((now() - t0) / 1000).toFixed(1)} s; active controller ${ready.leaderId} (epoch ${ready.epoch})`);
    const created = await bounded(createTopics(callVia(b.channel, 30_000), topicNames(), cfg.partitionsPerTopic, { perCall: 20, concurrency: 4 }), 120_000, 'topic creation');
    const setupLeader = await leaderClient(b);
    const parts = await waitFor('every partition fully replicated', 10_000, () => readParts(callOn(setupLeader.client, 30_000), topicNames()));
    await closeClient(b, setupLeader.client);
    const epochs = await brokerEpochs(callVia(b.channel));
    say(`${fmt(cfg.topics)} topics × ${cfg.partitionsPerTopic} partitions created in ${created.seconds.toFixed(2)} s; broker epochs ${[...epochs].map(([k, v]) => `${k}:${v}`).join(' ')}`);
    (result.setup as Record<string, unknown>).createTopicsSeconds = created.seconds;

    const quietWaitMs = quick ? 10_000 : 45_000;
    const quietness: Record<string, unknown> = {};
    result.quietGate = { otherCoresMax: QUIET_OTHER_CORES, phases: quietness };
    const gate = async (phase: string) => {
      const q = await waitForQuiet(() => pidsOf(b.cluster), phase, quietWaitMs, say);
      quietness[phase] = q;
      if (!q.quiet) notes.push(`${phase}: other processes on the machine used ${q.otherCores.toFixed(2)} cores when it started (waited ${Math.round(q.waitedMs / 1000)} s for under ${QUIET_OTHER_CORES}); figures are low by that much.`);
    };

    if (phases.has('throughput')) {
      await gate('throughput');
      const t = await bounded(throughputPhase(b, parts, epochs), (cfg.warmupSeconds + cfg.writeSeconds) * 1000 + 60_000, 'throughput');
      const rate = t.run.committed / t.run.seconds;
      const lat = latencyJson(t.run.latencies);
      const followers = cluster.controllers.filter((n) => n.id !== t.leaderId).map((n) => t.cpu.nodeCores[String(n.id)] ?? NaN);
      const brokerCores = brokerOnly.map((n) => t.cpu.nodeCores[String(n.id)] ?? NaN);
      const leaderCores = t.cpu.nodeCores[String(t.leaderId)] ?? NaN;
      const controllersS = cluster.controllers.reduce((s, n) => s + (t.cpu.nodeCpuS[String(n.id)] ?? NaN), 0);
      const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
      result.throughput = {
        leaderId: t.leaderId,
        outstanding: cfg.outstanding,
        connections: cfg.connections,
        seconds: t.run.seconds,
        requests: t.run.requests,
        committed: t.run.committed,
        committedPerSec: rate,
        latencyMs: lat,
        errors: t.run.errors.toJSON(),
        highWatermarkAdvance: t.highWatermarkAdvance,
        raftBatches: t.batches,
        cpu: t.cpu,
        controllerCpuUsPerWrite: (controllersS / t.run.committed) * 1e6,
        leaderCpuUsPerWrite: (((t.cpu.nodeCpuS[String(t.leaderId)] ?? NaN) / t.run.committed) * 1e6),
        clientCpuUsPerWrite: (t.cpu.benchCpuS / t.run.committed) * 1e6,
      };
      rows.push([
        `committed writes/s, ${cfg.outstanding} outstanding (AlterPartition on ${fmt(parts.length)} partitions, ${cfg.connections} connection(s) to the active controller, ${cfg.writeSeconds} s)`,
        fmt(rate),
        `≥ 35,000/s ${rate >= 35_000 ? '✓' : '✗'}`,
        'ZK 6,963/s; etcd 5,015/s (64 outstanding over 6 conns)',
      ]);
      rows.push(['… latency p50 / p99', `${ms(lat.p50)} / ${ms(lat.p99)}`, '', 'ZK 8.1 / 22.6 ms; etcd 11.5 / 31.1 ms']);
      rows.push(['… errors', `${t.run.errors} (of ${fmt(t.run.requests)} requests)`, '0', '']);
      rows.push([
        `… CPU cores: leader / 2 followers / ${brokerOnly.length} brokers / load generator / other processes / interrupts + steal`,
        `${leaderCores.toFixed(2)} / ${sum(followers).toFixed(2)} / ${brokerOnly.length === 0 ? '—' : sum(brokerCores).toFixed(2)} / ${t.cpu.benchCores.toFixed(2)} / ${t.cpu.otherCores.toFixed(2)} / ${(t.cpu.interruptCores + t.cpu.stealCores).toFixed(2)} (of ${cpus().length})`,
        '',
        'ZK: 1.66 server + 0.18 client cores; etcd: 0.93 + 0.75',
      ]);
      if (t.batches !== null) {
        const bs = t.batches;
        rows.push([
          '… Raft batches the leader appended: per s · records per batch p50 / mean / max · share of records in near-full batches · one such batch ("wave") every',
          `${fmt(bs.perSecond)}/s · ${fmt(bs.recordsPerBatch.p50)} / ${fmt(bs.recordsPerBatch.mean, 1)} / ${fmt(bs.recordsPerBatch.max)} · ${Math.round(bs.recordsInFullBatches * 100)}% · ${ms(bs.waveIntervalMs.p50)}`,
          '',
          'from the leader\'s log (tools/inspect)',
        ]);
        rows.push([
          '… per wave: small batches appended before the big one · first small batch → big batch, p50',
          `${fmt(bs.smallBatchesPerWave, 1)} · ${ms(bs.waveLeadMs.p50)}`,
          '',
          'the wave\'s first requests go out alone; the rest wait for their append',
        ]);
      }
      if (t.batches !== null && t.batches.perSecond > 0) {
        const per = (id: number) => {
          const c = t.cpu.nodeSyscallsPerS[String(id)];
          return c === undefined ? 'n/a' : `${fmt(c.reads / t.batches!.perSecond, 1)}/${fmt(c.writes / t.batches!.perSecond, 1)}`;
        };
        rows.push([
          '… read/write system calls per Raft batch: leader / followers / brokers',
          `${per(t.leaderId)} / ${cluster.controllers.filter((n) => n.id !== t.leaderId).map((n) => per(n.id)).join(', ')} / ${brokerColumn(per)}`,
          '',
          '/proc/<pid>/io syscr/syscw: socket messages and log writes',
        ]);
      }
      const waits = t.cpu.nodeRunQueueWaitMsPerS;
      const waitOf = (ids: readonly number[]) => ids.map((id) => waits[String(id)] ?? NaN);
      rows.push([
        '… run-queue wait of the main thread, ms per s: leader / followers / brokers / load generator',
        `${fmt(waits[String(t.leaderId)] ?? NaN)} / ${waitOf(cluster.controllers.filter((n) => n.id !== t.leaderId).map((n) => n.id)).map((x) => fmt(x)).join(', ')} / ${brokerColumn((id) => fmt(waits[String(id)] ?? NaN))} / ${fmt(t.cpu.benchRunQueueWaitMsPerS)}`,
        '',
        'runnable but waiting for a core (/proc/<pid>/schedstat)',
      ]);
      const share = t.cpu.nodeSystemShare;
      const pct = (x: number | undefined) => `${Math.round((x ?? NaN) * 100)}%`;
      rows.push([
        '… kernel (system) share of CPU: leader / followers / brokers',
        `${pct(share[String(t.leaderId)])} / ${cluster.controllers.filter((n) => n.id !== t.leaderId).map((n) => pct(share[String(n.id)])).join(', ')} / ${brokerColumn((id) => pct(share[String(id)]))}`,
        '',
        'syscalls: loopback TCP, fsync',
      ]);
      rows.push([
        '… CPU per write: 3 controllers summed (leader alone) · load generator',
        `${fmt((controllersS / t.run.committed) * 1e6)} µs (${fmt((((t.cpu.nodeCpuS[String(t.leaderId)] ?? NaN) / t.run.committed) * 1e6))} µs) · ${fmt((t.cpu.benchCpuS / t.run.committed) * 1e6)} µs`,
        '',
        'ZK ~240 µs servers · 25 µs client; etcd ~190 µs · 140 µs',
      ]);
    }

    if (phases.has('floor')) {
      await gate('floor');
      const seconds = Math.min(cfg.writeSeconds, 5);
      say(`floor: the same shape without the logic, ${cfg.outstanding} outstanding, ${seconds} s`);
      const f = await bounded(runFloor({ outstanding: cfg.outstanding, observers: SHAPE.brokers, warmupS: 1, seconds }), (seconds + 30) * 1000, 'floor');
      const tp = result.throughput as { committedPerSec: number; committed: number; cpu: CpuUse } | undefined;
      const clusterUsPerWrite = tp === undefined ? NaN : ((Object.values(tp.cpu.nodeCpuS).reduce((a, x) => a + x, 0) + tp.cpu.benchCpuS) / tp.committed) * 1e6;
      result.floor = { ...f, outstanding: cfg.outstanding, ...(tp === undefined ? {} : { clusterShareOfWritesPerSec: tp.committedPerSec / f.writesPerSec, clusterCpuUsPerWrite: clusterUsPerWrite }) };
      rows.push([
        `machine floor: the same ${SHAPE.controllers + SHAPE.brokers + 1} processes passing the same bytes with the same fsyncs, no Raft, controller or codec (${cfg.outstanding} outstanding, ${seconds} s): writes/s · CPU per write, all processes · steal`,
        `${fmt(f.writesPerSec)} · ${fmt(f.cpuUsPerWrite)} µs · ${f.stealCores.toFixed(2)} cores`,
        '',
        'what this machine allows this shape right now (cluster/floor-node.ts)',
      ]);
      if (tp !== undefined) {
        rows.push([
          '… the throughput run against the floor: share of its writes/s · CPU per write, all processes (load generator included), × the floor\'s',
          `${Math.round((tp.committedPerSec / f.writesPerSec) * 100)}% · ${fmt(clusterUsPerWrite)} µs = ${fmt(clusterUsPerWrite / f.cpuUsPerWrite, 1)}×`,
          '',
          'comparable across the machine\'s fast and slow phases',
        ]);
      }
    }

    if (phases.has('latency')) {
      await gate('latency');
      const l = await bounded(latencyPhase(b, parts, epochs), 180_000, 'latency');
      const lat = latencyJson(l.run.latencies);
      result.latency = { leaderId: l.leaderId, ops: l.run.requests, committed: l.run.committed, opsPerSec: l.run.requests / l.run.seconds, latencyMs: lat, errors: l.run.errors.toJSON(), cpu: l.cpu };
      rows.push([
        `single-writer commit latency p50 / p99 (1 outstanding AlterPartition on the leader, ${fmt(l.run.requests)} ops)`,
        `${ms(lat.p50)} / ${ms(lat.p99)}`,
        `p50 ≤ 1 ms ${lat.p50 <= 1 ? '✓' : '✗'}`,
        'via leader: ZK 0.58 / 5.4 ms; etcd 1.00 / 2.4 ms',
      ]);
      rows.push(['… ops/s (max)', `${fmt(l.run.requests / l.run.seconds)} (${ms(lat.max)})`, '', 'ZK 1,171/s; etcd 936/s']);
      if (l.run.errors.total > 0) notes.push(`latency-phase errors: ${l.run.errors}`);
      if (phases.has('floor')) {
        // The latency floor: the floor's shape at 1 outstanding, right after the single-writer run.
        const seconds = Math.min(cfg.writeSeconds, 5);
        say(`floor: the same shape without the logic, 1 outstanding, ${seconds} s`);
        const f = await bounded(runFloor({ outstanding: 1, observers: SHAPE.brokers, warmupS: 3, seconds }), (seconds + 30) * 1000, 'latency floor');
        result.latencyFloor = { ...f, outstanding: 1, clusterP50OverFloorP50: lat.p50 / f.roundTripMs.p50 };
        rows.push([
          '… machine floor at 1 outstanding (the same processes and fsyncs, no logic): round trip p50 / p99 · CPU per write, all processes · steal',
          `${ms(f.roundTripMs.p50)} / ${ms(f.roundTripMs.p99)} · ${fmt(f.cpuUsPerWrite)} µs · ${f.stealCores.toFixed(2)} cores`,
          '',
          'the least single-writer latency this shape has on the machine right now',
        ]);
        rows.push(['… the single-writer run against that floor: p50 × the floor\'s', `${fmt(lat.p50 / f.roundTripMs.p50, 1)}×`, '', '']);
      }
    }

    if (phases.has('batching')) {
      await gate('batching');
      const sweepSeconds = Math.min(cfg.writeSeconds, 5);
      const sweep = await bounded(
        batchingSweep(b, parts, epochs, { outstanding: SWEEP_OUTSTANDING, warmUp: { seconds: 1 }, writeSeconds: sweepSeconds, controllerIds: cluster.controllers.map((n) => n.id), brokerIds: brokerOnly.map((n) => n.id), say }),
        SWEEP_OUTSTANDING.length * (sweepSeconds + 1) * 1000 + 120_000,
        'batching',
      );
      result.batching = sweep;
      const { perRecordUs: a, perWaveUs: w } = sweep.model;
      rows.push([
        `batching: committed writes/s at ${SWEEP_OUTSTANDING.join(' / ')} outstanding (${sweepSeconds} s each)`,
        sweep.points.map((pt) => fmt(pt.writesPerSec)).join(' / '),
        '',
        'one Raft batch ("wave") per round of the outstanding writes',
      ]);
      rows.push(['… CPU µs per write, all processes', sweep.points.map((pt) => fmt(totalUsPerWrite(pt))).join(' / '), '', '/proc, as above']);
      rows.push([
        `… cost model, CPU = per record + per wave ÷ outstanding: leader / 2 followers / ${brokerOnly.length} brokers / load generator`,
        `per record ${fmt(a.leader, 1)} / ${fmt(a.followers, 1)} / ${fmt(a.brokers, 1)} / ${fmt(a.loadGenerator, 1)} µs · per wave ${fmt(w.leader)} / ${fmt(w.followers)} / ${fmt(w.brokers)} / ${fmt(w.loadGenerator)} µs`,
        '',
        'least squares over the points (cluster/batching-sweep.ts)',
      ]);
      const at64 = modelledUsPerWrite(sweep.model, 64);
      rows.push([
        '… ceiling at 64 outstanding with every core busy: cores ÷ modelled CPU per write',
        `${fmt((cpus().length * 1e6) / at64)} writes/s (${fmt(at64)} µs per write)`,
        '',
        '35,000/s needs ≤ 57 µs per write on 2 cores',
      ]);
    }

    if (phases.has('propagation')) {
      const p = await bounded(propagationPhase(b), cfg.propagationTopics * 2 * PROPAGATION_GIVE_UP_MS + 60_000, 'propagation');
      const a = latencyJson(p.afterAckMs);
      const s = latencyJson(p.fromSendMs);
      const k = latencyJson(p.ackMs);
      result.propagation = { topics: p.afterAckMs.length, pollIntervalMs: PROPAGATION_POLL_MS, pollsPerTopic: p.pollsPerTopic, afterAckMs: a, fromSendMs: s, createAckMs: k, visibleEverywhereBeforeAck: p.visibleBeforeAck, failures: p.failures.toJSON() };
      rows.push([
        `topic created → visible on all ${cluster.brokers.length} brokers, after the ack: p50 / p99 / max (n = ${p.afterAckMs.length})`,
        `${ms(a.p50)} / ${ms(a.p99)} / ${ms(a.max)}`,
        `p99 ≤ 20 ms ${a.p99 <= 20 ? '✓' : '✗'}`,
        '— (ZK-mode Kafka: UpdateMetadata from the controller; not measured)',
      ]);
      rows.push([
        '… from the createTopics send: p50 / p99 (createTopics round trip p50 / p99)',
        `${ms(s.p50)} / ${ms(s.p99)} (${ms(k.p50)} / ${ms(k.p99)})`,
        '',
        `polled every ~${PROPAGATION_POLL_MS} ms per broker; ${p.visibleBeforeAck} of ${p.afterAckMs.length} on every broker before the ack arrived`,
      ]);
      if (p.failures.total > 0) notes.push(`propagation failures: ${p.failures}`);
    }

    const failoverRows = (kind: 'kill' | 'stop', trials: Trial[], target: number, anchor: string, label: string) => {
      const f = trialSummary(trials, (t) => t.firstWriteMs);
      const l = trialSummary(trials, (t) => t.newLeaderKnownMs);
      const g = trialSummary(trials, (t) => t.longestGapMs);
      const r = trialSummary(trials, (t) => t.recoveryMs);
      result[kind] = { firstWriteMs: f, newLeaderKnownMs: l, longestGapMs: g, recoveryMs: r, trials };
      const failed = f.of - f.n;
      rows.push([
        `${label} → first committed write, median [min–max] (n)`,
        `${ms(f.median)} [${ms(f.min)}–${ms(f.max)}] (n=${f.n}${failed > 0 ? `, ${failed} without a write in ${FAILOVER_GIVE_UP_MS / 1000} s` : ''})`,
        `median ≤ ${fmt(target)} ms ${f.median <= target && failed === 0 ? '✓' : '✗'}`,
        anchor,
      ]);
      rows.push([`… ${label} → a survivor names the new leader, median [min–max]`, `${ms(l.median)} [${ms(l.min)}–${ms(l.max)}]`, '', '']);
      const extra = trials.filter((t) => t.newEpoch - t.oldEpoch > 1);
      rows.push([
        `… trials that needed more than one election (epoch +2 or more: a split vote)`,
        `${extra.length} of ${trials.length}${extra.length > 0 ? `; first write in those: ${extra.map((t) => ms(t.firstWriteMs)).join(', ')}` : ''}`,
        '',
        '',
      ]);
    };
    if (phases.has('kill')) {
      const trials = await failoverPhase(b, 'kill', cfg.trialsKill);
      failoverRows('kill', trials, 400, 'ZK 646 ms [403–863]; etcd 1,205 ms [924–1,516]', 'kill -9 leader');
    }
    if (phases.has('stop')) {
      const trials = await failoverPhase(b, 'stop', cfg.trialsStop);
      failoverRows('stop', trials, 1_000, 'ZK 10,615 ms [10,325–10,938]; etcd 1,398 ms [983–2,003]', 'SIGSTOP leader');
    }
    result.loadAverageAtEnd = loadNow();
  } finally {
    await cleanup();
  }

  result.rows = rows.map(([metric, value, target, anchor]) => ({ metric, value, target, anchor }));
  result.notes = notes;
  const table = [
    `cluster bench${quick ? ' (--quick)' : ''}: ${SHAPE_TEXT}, separate processes, TCP on 127.0.0.1, server.properties quorum defaults; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ${process.version}; load ${String(result.loadAverageAtStart)} → ${String(result.loadAverageAtEnd ?? loadNow())}`,
    '',
    '| metric | value | target | ZooKeeper / etcd anchor (2-core VM) |',
    '| --- | --- | --- | --- |',
    ...rows.map(([m, v, t, a]) => `| ${m} | ${v} | ${t} | ${a} |`),
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  const json = JSON.stringify(result, null, 2);
  await emitBenchResult({ table, json, asJson: args.json === true, out: args.out, say });
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('cluster bench failed:', e);
  process.exit(1);
}
