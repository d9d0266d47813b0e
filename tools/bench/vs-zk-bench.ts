// npm run bench:vs-zk — metaquorum against Apache ZooKeeper 3.8 (issue 8), in one run, on this
// machine, from one load-generator process (this one). It starts a 3-node ZooKeeper ensemble as
// Debian ships it (vs-zk/zk-ensemble.ts) and a metaquorum cluster (3 controllers, 3 brokers, one
// more broker kept back for the cold-load trials; server.properties defaults), both on 127.0.0.1,
// writes the same data into both (vs-zk/layout.ts), warms both up (10,000 writes each), and then
// measures, alternating ZooKeeper and metaquorum repetition by repetition:
//
//   throughput  committed writes/s with 64 outstanding: ZooKeeper setData of a ~206-byte partition
//               state over 6 connections (2 per server), metaquorum AlterPartition of the same
//               1,000 partitions on the active controller (cluster/write-phases.ts).
//   latency     one writer, one request at a time: p50 / p99 (ZooKeeper pinned to its leader, the
//               like of a direct connection to the active controller; via a follower as well).
//   kill        kill -9 of the leader → first successful write issued after it (open-loop writer,
//               one write every 10 ms, client knowing every server): vs-zk/zk-failover.ts and
//               cluster/failover-trial.ts.
//   stop        the same with SIGSTOP (a hung leader), then SIGCONT.
//   bulk        creating 10,000 partition states (1,000 topics × 10), 64 requests outstanding:
//               ZooKeeper one multi of 22 creates per topic on a follower, metaquorum one
//               CreateTopics per topic on the active controller. All but the last trial's topics
//               are deleted again.
//   cold        a cold reader loading all metadata, at the size left by `bulk` (11,000 partitions
//               with the write workloads' 1,000) and again after growing both to 200,000: ZooKeeper
//               a new client walking the tree like a ZK-mode controller (vs-zk/zk-cold-walk.ts),
//               metaquorum a new broker started by the load generator (as the ZooKeeper client is
//               created there) to a complete image, and the same broker as a spawned process, Node.js
//               start-up included (vs-zk/mq-cold-broker.ts).
//
// How ZooKeeper is measured follows ../shared/reference/perf-anchors.md (A.3, A.4) so that its
// figures can be checked against the anchors measured on the same kind of 2-core machine; the
// table shows them side by side. Each timed workload first waits (bounded) for the rest of the
// machine to go quiet; load averages and the CPU split are in the JSON.
//
// Output: a markdown table (per workload: medians, min–max, the ratio metaquorum / ZooKeeper, the
// target, met or not) on stdout, and the JSON written to --out (default bench-results/vs-zk.json);
// with --json the JSON goes to stdout and the table to stderr. Progress goes to stderr. The whole
// run is bounded (--max-minutes); every process it started is stopped on every exit path (an
// error, Ctrl-C, SIGTERM, and as a last resort a SIGKILL by pid at exit).
//
// Usage: node --max-semi-space-size=64 dist/tools/bench/vs-zk-bench.js [--quick] [--trials 10] [--stop-trials 5] [--reps 3]
//        [--workloads throughput,latency,kill,stop,bulk,cold] [--json] [--out file.json]
//        [--max-minutes 30] [--keep-data]

import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, errorName } from '../../quorum/controller/errors.js';
import { controllerChannelTo, waitFor, waitForClusterReady } from '../server/cluster-ready.js';
import { ProcessCluster } from '../server/process-cluster.js';
import { populateAndClose } from '../zookeeper/kafka-trees.js';
import { zooKeeperProblem, type ZooKeeperCluster } from '../zookeeper/local-zookeeper.js';
import { closeZooKeeper } from '../zookeeper/zk-client.js';
import { alterPartitionWrite, brokerEpochs, callOn, callVia, createTopics, readParts, runAlterLoops, type Part } from './cluster/alter-loops.js';
import { benchCommandLine, positiveInts, nameList, reportOptions } from './bench-args.js';
import { emitBenchResult, installBenchCleanup } from './cluster/bench-cleanup.js';
import { bounded, closeAll, closeClient, leaderClient, pidsOf, waitForQuiet, type Bench } from './cluster/bench-cluster.js';
import { ExitWatch } from '../server/exit-watch.js';
import { failoverTrial, waitForRecovery, type FaultKind, type Trial } from './cluster/failover-trial.js';
import { cpuBetween, sampleCpu, type CpuUse } from './cluster/proc-cpu.js';
import { latencyRun, throughputRun } from './cluster/write-phases.js';
import { median, percentile } from './stats.js';
import { compare, comparisonTable, ratioText, type Comparison } from './vs-zk/compare.js';
import { bulkTopic, growTopic, names, PARTITIONS_PER_TOPIC, statePath, topicZnodes, writeTopic } from './vs-zk/layout.js';
import { coldBrokerInProcessTrial, coldBrokerTrial, type ColdBroker } from './vs-zk/mq-cold-broker.js';
import { zkCreateTopics, zkDeleteTopics } from './vs-zk/zk-bulk.js';
import { zkColdWalk, type ColdWalk } from './vs-zk/zk-cold-walk.js';
import { startShippedEnsemble, ZK_CPU_ID_BASE, zkLeader, zkPids } from './vs-zk/zk-ensemble.js';
import { zkFailoverTrial, type ZkTrial } from './vs-zk/zk-failover.js';
import { closePinned, openPinned, openZkClients, zkLatency, zkThroughput, zkWriteLoops, type ZkKey } from './vs-zk/zk-writes.js';
import { loadGeneratorHeapNote, loadGeneratorNodeFlags } from './load-generator-heap.js';

const WORKLOADS = ['throughput', 'latency', 'kill', 'stop', 'bulk', 'cold'] as const;
type Workload = (typeof WORKLOADS)[number];

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      ...reportOptions,
      trials: { type: 'string' },
      'stop-trials': { type: 'string' },
      reps: { type: 'string' },
      workloads: { type: 'string', default: WORKLOADS.join(',') },
      'max-minutes': { type: 'string', default: '30' },
      'keep-data': { type: 'boolean', default: false },
    },
  }),
);
const quick = args.quick === true;
const num = positiveInts(quick);
const { cfg, workloads } = benchCommandLine(import.meta.url, () => ({
  cfg: {
    /** Repetitions of throughput, latency, bulk and each cold load, per system. */
    reps: num('reps', args.reps, 3, 1),
    killTrials: num('trials', args.trials, 10, 2),
    stopTrials: num('stop-trials', args['stop-trials'], 5, 1),
    outstanding: 64,
    zkConnections: 6,
    mqConnections: 1,
    initialWarmUpOps: quick ? 2_000 : 10_000,
    warmUpOps: quick ? 500 : 2_000,
    writeSeconds: quick ? 2 : 5,
    latencyWarmUpOps: quick ? 50 : 200,
    latencyOps: quick ? 300 : 2_000,
    failoverSteadyMs: quick ? 1_000 : 3_000,
    writeTopics: 100,
    bulkTopics: quick ? 100 : 1_000,
    largePartitions: quick ? 20_000 : 200_000,
    maxMinutes: num('max-minutes', args['max-minutes'], 30, 30),
  },
  workloads: nameList<Workload>('workloads', args.workloads!, WORKLOADS),
}));
const outPath = args.out ?? join('bench-results', quick ? 'vs-zk-quick.json' : 'vs-zk.json');

/**
 * Broker settings only (the quorum runs its defaults): quicker unfencing after a start; and the
 * load generator plays the partition leaders (its AlterPartitions), so the brokers leave ISRs alone.
 */
const CLUSTER_PROPERTIES: Readonly<Record<string, string>> = { 'broker.heartbeat.interval.ms': '500', 'metaquorum.isr.expansion.enable': 'false' };
/** The broker kept back for the cold-load trials (controllers 1–3, brokers 4–6, this one 7). */
const COLD_BROKER = 7;
/** Timed workloads wait at most this long for the rest of the machine to go quiet. */
const QUIET_WAIT_MS = quick ? 5_000 : 30_000;

const say = (msg: string) => process.stderr.write(`[bench:vs-zk] ${msg}\n`);
const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** Cores by owner over an interval: the ZooKeeper servers, the metaquorum nodes, this process, the rest. */
function coresBy(cpu: CpuUse): { zookeeper: number; metaquorum: number; loadGenerator: number; other: number } {
  let zookeeper = 0;
  let metaquorum = 0;
  for (const [id, c] of Object.entries(cpu.nodeCores)) {
    if (!Number.isFinite(c)) continue;
    if (Number(id) > ZK_CPU_ID_BASE) zookeeper += c;
    else metaquorum += c;
  }
  return { zookeeper, metaquorum, loadGenerator: cpu.benchCores, other: cpu.otherCores };
}

/** Server and client CPU per committed write, µs. */
function cpuPerWrite(cpu: CpuUse, writes: number, servers: 'zookeeper' | 'metaquorum') {
  const c = coresBy(cpu);
  return { serversUs: ((c[servers] * cpu.wallS) / writes) * 1e6, loadGeneratorUs: (cpu.benchCpuS / writes) * 1e6, cores: c };
}

interface Ctx {
  readonly zk: ZooKeeperCluster;
  readonly b: Bench;
  readonly keys: ZkKey[];
  readonly parts: Part[];
  readonly epochs: ReadonlyMap<number, number>;
  readonly pids: () => Map<number, number | null>;
  readonly rows: Comparison[];
  readonly details: Record<string, unknown>;
  readonly notes: string[];
  /** Topics currently in both systems, besides the write workloads' (for the cold-load size). */
  bulkNames: string[];
}

async function gate(c: Ctx, what: string): Promise<void> {
  const q = await waitForQuiet(c.pids, what, QUIET_WAIT_MS, say);
  (c.details['quietGate'] as Record<string, unknown>)[what] = { ...q, loadAverage: loadNow() };
  if (!q.quiet) c.notes.push(`${what}: other processes used ${q.otherCores.toFixed(2)} cores when it started; figures are low by that much.`);
}

// ---------------------------------------------------------------------------------------------
// Workloads

async function throughputWorkload(c: Ctx): Promise<void> {
  await gate(c, 'throughput');
  const zkRates: number[] = [];
  const mqRates: number[] = [];
  const reps: unknown[] = [];
  const zkCpu: ReturnType<typeof cpuPerWrite>[] = [];
  const mqCpu: ReturnType<typeof cpuPerWrite>[] = [];
  for (let r = 0; r < cfg.reps; r++) {
    const z = await bounded(zkThroughput(c.zk, c.keys, { outstanding: cfg.outstanding, connections: cfg.zkConnections, warmUpOps: cfg.warmUpOps, writeSeconds: cfg.writeSeconds, pids: c.pids }), cfg.writeSeconds * 1000 + 120_000, 'ZooKeeper throughput');
    zkRates.push(z.run.committed / z.run.seconds);
    say(`throughput ${r + 1}/${cfg.reps}: ZooKeeper ${fmt(zkRates.at(-1)!)} writes/s (errors ${z.run.errors}); load ${loadNow()}`);
    const m = await bounded(throughputRun(c.b, c.parts, c.epochs, { outstanding: cfg.outstanding, connections: cfg.mqConnections, warmUp: { ops: cfg.warmUpOps }, writeSeconds: cfg.writeSeconds, say, pids: c.pids }), cfg.writeSeconds * 1000 + 120_000, 'metaquorum throughput');
    mqRates.push(m.run.committed / m.run.seconds);
    say(`throughput ${r + 1}/${cfg.reps}: metaquorum ${fmt(mqRates.at(-1)!)} writes/s (errors ${m.run.errors}); load ${loadNow()}`);
    zkCpu.push(cpuPerWrite(z.cpu, z.run.committed, 'zookeeper'));
    mqCpu.push(cpuPerWrite(m.cpu, m.run.committed, 'metaquorum'));
    reps.push({
      zookeeper: { writesPerS: zkRates.at(-1), errors: z.run.errors.toJSON(), p50Ms: percentile(z.run.latencies, 0.5), p99Ms: percentile(z.run.latencies, 0.99), cpuPerWrite: zkCpu.at(-1) },
      metaquorum: { writesPerS: mqRates.at(-1), errors: m.run.errors.toJSON(), p50Ms: percentile(m.run.latencies, 0.5), p99Ms: percentile(m.run.latencies, 0.99), raftRecordsPerS: (m.hw1 - m.hw0) / m.run.seconds, cpuPerWrite: mqCpu.at(-1) },
    });
  }
  const cpuNote = (xs: readonly ReturnType<typeof cpuPerWrite>[]) =>
    xs.map((x) => `${fmt(x.serversUs)} µs servers + ${fmt(x.loadGeneratorUs)} µs client (${(x.cores.zookeeper + x.cores.metaquorum + x.cores.loadGenerator).toFixed(2)} cores busy)`).join('; ');
  c.notes.push(`throughput, CPU per committed write: ZooKeeper ${cpuNote(zkCpu)}; metaquorum (controllers + brokers) ${cpuNote(mqCpu)}.`);
  c.details['throughput'] = { outstanding: cfg.outstanding, zookeeperConnections: cfg.zkConnections, metaquorumConnections: cfg.mqConnections, writeSeconds: cfg.writeSeconds, reps };
  c.rows.push(compare('throughput', `write throughput, ${cfg.outstanding} outstanding, writes/s (ZK setData ×${cfg.zkConnections} conns; metaquorum AlterPartition)`, 'ops/s', zkRates, mqRates, { op: '>=', ratio: 5 }, 'ZK 6,963/s [5,845–7,689]'));
}

async function latencyWorkload(c: Ctx): Promise<void> {
  await gate(c, 'latency');
  const zk = { p50: [] as number[], p99: [] as number[], followerP50: [] as number[], followerP99: [] as number[] };
  const mq = { p50: [] as number[], p99: [] as number[] };
  const o = { warmUpOps: cfg.latencyWarmUpOps, ops: cfg.latencyOps, maxSeconds: 120, pids: c.pids };
  for (let r = 0; r < cfg.reps; r++) {
    const leader = await zkLeader(c.zk, 30_000);
    const zl = await bounded(zkLatency(c.zk, leader, c.keys, o), 180_000, 'ZooKeeper latency');
    zk.p50.push(zl.p50);
    zk.p99.push(zl.p99);
    const zf = await bounded(zkLatency(c.zk, (leader + 1) % c.zk.servers.length, c.keys, o), 180_000, 'ZooKeeper latency via a follower');
    zk.followerP50.push(zf.p50);
    zk.followerP99.push(zf.p99);
    const ml = await bounded(latencyRun(c.b, c.parts, c.epochs, o), 180_000, 'metaquorum latency');
    mq.p50.push(ml.p50);
    mq.p99.push(ml.p99);
    say(`latency ${r + 1}/${cfg.reps}: p50 / p99 ZooKeeper (leader) ${zl.p50.toFixed(2)} / ${zl.p99.toFixed(2)} ms, (follower) ${zf.p50.toFixed(2)} / ${zf.p99.toFixed(2)} ms, metaquorum ${ml.p50.toFixed(2)} / ${ml.p99.toFixed(2)} ms`);
  }
  c.details['latency'] = { ops: cfg.latencyOps, zookeeper: zk, metaquorum: mq };
  c.rows.push(compare('latency-p50', 'single-writer write latency p50 (ZK client on the leader; metaquorum on the active controller)', 'ms', zk.p50, mq.p50, { op: '<=', ratio: 1 }, 'ZK 0.58 ms [0.56–0.83]'));
  c.rows.push(compare('latency-p99', '… p99', 'ms', zk.p99, mq.p99, null, 'ZK 5.4 ms [3.7–6.8]'));
  c.rows.push(compare('latency-p50-follower', '… p50 with the ZK client on a follower', 'ms', zk.followerP50, mq.p50, null, 'ZK 0.75 ms [0.69–0.87]'));
}

async function failoverWorkload(c: Ctx, kind: FaultKind): Promise<void> {
  const trials = kind === 'kill' ? cfg.killTrials : cfg.stopTrials;
  const zkTrials: ZkTrial[] = [];
  const mqTrials: Trial[] = [];
  const write = alterPartitionWrite(c.parts, c.epochs);
  for (let i = 0; i < trials; i++) {
    zkTrials.push(await bounded(zkFailoverTrial(c.zk, kind, i, c.keys, { steadyMs: cfg.failoverSteadyMs, say }), 180_000, `ZooKeeper ${kind} trial`));
    mqTrials.push(await bounded(failoverTrial(c.b, kind, i, { steadyMs: cfg.failoverSteadyMs, giveUpMs: 30_000, write, say }), 180_000, `metaquorum ${kind} trial`));
  }
  c.details[kind] = { zookeeper: zkTrials, metaquorum: mqTrials };
  const label = kind === 'kill' ? 'kill -9 of the leader → first successful write' : 'SIGSTOP of the leader → first successful write';
  c.rows.push(
    compare(kind, label, 'ms', zkTrials.map((t) => t.firstWriteMs), mqTrials.map((t) => t.firstWriteMs), { op: '<=', ratio: kind === 'kill' ? 1 : 0.2 }, kind === 'kill' ? 'ZK 646 ms [403–863]' : 'ZK 10,615 ms [10,325–10,938]'),
  );
  for (const [who, ts] of [['ZooKeeper', zkTrials], ['metaquorum', mqTrials]] as const) {
    const missing = ts.filter((t) => !Number.isFinite(t.firstWriteMs)).length;
    if (missing > 0) c.notes.push(`${kind}: ${missing} ${who} trial(s) saw no write succeed within the give-up time; left out of the median.`);
  }
}

/** metaquorum: deletes topics in calls of 100. */
async function mqDeleteTopics(c: Ctx, topics: readonly string[]): Promise<void> {
  for (let i = 0; i < topics.length; i += 100) {
    const r = await c.b.channel.call('deleteTopics', { topics: topics.slice(i, i + 100).map((name) => ({ name, topicId: null })) }, { timeoutMs: 60_000 });
    const bad = r.responses.find((x) => x.errorCode !== ErrorCode.NONE);
    if (bad !== undefined) throw new Error(`deleteTopics: ${errorName(bad.errorCode)} ${bad.errorMessage ?? ''}`);
  }
}

async function bulkWorkload(c: Ctx, timed: boolean): Promise<void> {
  if (timed) await gate(c, 'bulk');
  const zkMs: number[] = [];
  const mqMs: number[] = [];
  const reps = timed ? cfg.reps : 1;
  for (let r = 0; r < reps; r++) {
    const topics = names(cfg.bulkTopics, (i) => bulkTopic(r, i));
    const follower = ((await zkLeader(c.zk, 30_000)) + 1) % c.zk.servers.length;
    const client = await openPinned(c.zk, follower);
    const z = await bounded(zkCreateTopics(client, topics, cfg.outstanding), 300_000, 'ZooKeeper bulk create').finally(() => closePinned(client));
    zkMs.push(z.seconds * 1000);
    const leader = await leaderClient(c.b);
    const m = await bounded(createTopics(callOn(leader.client, 60_000), topics, PARTITIONS_PER_TOPIC, { perCall: 1, concurrency: cfg.outstanding }), 300_000, 'metaquorum bulk create').finally(() => closeClient(c.b, leader.client));
    mqMs.push(m.seconds * 1000);
    say(`bulk ${r + 1}/${reps}: ${fmt(topics.length * PARTITIONS_PER_TOPIC)} partitions: ZooKeeper ${fmt(zkMs.at(-1)!)} ms (${fmt(z.znodes)} znodes), metaquorum ${fmt(mqMs.at(-1)!)} ms`);
    if (r < reps - 1) {
      const del = await openPinned(c.zk, follower);
      await zkDeleteTopics(del, topics, cfg.outstanding).finally(() => closePinned(del));
      await mqDeleteTopics(c, topics);
    } else c.bulkNames = topics;
  }
  if (!timed) return;
  c.details['bulk'] = { topics: cfg.bulkTopics, partitionsPerTopic: PARTITIONS_PER_TOPIC, outstanding: cfg.outstanding, zookeeperMs: zkMs, metaquorumMs: mqMs };
  c.rows.push(compare('bulk', `create ${fmt(cfg.bulkTopics * PARTITIONS_PER_TOPIC)} partition states (${fmt(cfg.bulkTopics)} topics × ${PARTITIONS_PER_TOPIC}): ZK a multi per topic, metaquorum a CreateTopics per topic`, 'ms', zkMs, mqMs, null, 'ZK 772 ms [733–895]'));
}

/** Both systems settled after bulk writes: ZooKeeper servers on one zxid, every voter caught up. */
async function settle(c: Ctx): Promise<void> {
  await c.zk.waitForSync(60_000);
  await waitForRecovery(c.b);
}

async function coldAt(c: Ctx, partitions: number, id: string): Promise<void> {
  await settle(c);
  await gate(c, id);
  const zk: ColdWalk[] = [];
  const mq: ColdBroker[] = [];
  const spawned: ColdBroker[] = [];
  const line = (m: ColdBroker) =>
    `${fmt(m.ms)} ms (${m.how === 'spawned' ? 'listening' : 'started'} after ${fmt(m.listeningMs)} ms, snapshot ${m.snapshotEndOffset ?? 'none'} of HW ${m.highWatermark} loaded at ${fmt(m.snapshotLoadedMs)} ms, running at ${fmt(m.runningMs)} ms)`;
  for (let r = 0; r < cfg.reps; r++) {
    const follower = ((await zkLeader(c.zk, 30_000)) + 1) % c.zk.servers.length;
    zk.push(await bounded(zkColdWalk(c.zk.servers[follower]!.address, cfg.outstanding), 600_000, 'ZooKeeper cold walk'));
    mq.push(await bounded(coldBrokerInProcessTrial(c.b, COLD_BROKER), 600_000, 'metaquorum cold broker (in-process)'));
    await settle(c);
    spawned.push(await bounded(coldBrokerTrial(c.b, COLD_BROKER), 600_000, 'metaquorum cold broker (spawned)'));
    const z = zk.at(-1)!;
    say(`cold ${fmt(partitions)} ${r + 1}/${cfg.reps}: ZooKeeper ${fmt(z.ms)} ms (${fmt(z.requests)} requests, ${fmt(z.partitions)} states); metaquorum broker in-process ${line(mq.at(-1)!)}; spawned ${line(spawned.at(-1)!)}`);
    if (z.partitions !== partitions) c.notes.push(`${id}: the ZooKeeper walk read ${fmt(z.partitions)} partition states, expected ${fmt(partitions)}.`);
    await settle(c);
  }
  c.details[id] = { partitions, zookeeper: zk, metaquorum: mq, metaquorumSpawned: spawned };
  const med = (xs: number[]) => fmt(median(xs));
  const snaps = mq.map((m) => (m.snapshotEndOffset === null ? 'none' : `${fmt(m.snapshotPartitions)} partitions at offset ${fmt(m.snapshotEndOffset)} of ${fmt(m.highWatermark)}`));
  c.notes.push(
    `${id} (${fmt(partitions)} partitions), medians: metaquorum broker in this process: startNode() returned after ${med(mq.map((m) => m.listeningMs))} ms, image complete at ${med(mq.map((m) => m.ms))} ms, RUNNING at ${med(mq.map((m) => m.runningMs))} ms; snapshot loaded: ${[...new Set(snaps)].join(' / ')}. ` +
      `As a spawned process: listening ${med(spawned.map((m) => m.listeningMs))} ms after spawn, image complete at ${med(spawned.map((m) => m.ms))} ms (Node.js start-up and module loading included). ` +
      `ZooKeeper: connect ${med(zk.map((z) => z.connectMs))} ms, ${fmt(zk[0]?.requests ?? NaN)} requests, ${fmt((zk[0]?.valueBytes ?? NaN) / 1e6)} MB.`,
  );
  c.rows.push(
    compare(id, `cold load of all metadata, ${fmt(partitions)} partitions (ZK: new client in the load generator walks the tree; metaquorum: new broker started in the load generator → complete image)`, 'ms', zk.map((z) => z.ms), mq.map((m) => m.ms), { op: '<=', ratio: 0.1 }, partitions <= 11_000 ? 'ZK 634 ms [574–831] (11,000)' : ''),
    compare(`${id}-spawned`, `… the same broker as its own process, spawn → complete image (Node.js start-up included)`, 'ms', zk.map((z) => z.ms), spawned.map((m) => m.ms), null),
  );
}

async function coldWorkload(c: Ctx): Promise<void> {
  const small = (cfg.writeTopics + c.bulkNames.length) * PARTITIONS_PER_TOPIC;
  await coldAt(c, small, 'cold-small');
  const grow = names(Math.max(0, (cfg.largePartitions - small) / PARTITIONS_PER_TOPIC), growTopic);
  say(`growing both to ${fmt(cfg.largePartitions)} partitions (${fmt(grow.length)} more topics, untimed)…`);
  const client = await openPinned(c.zk, ((await zkLeader(c.zk, 30_000)) + 1) % c.zk.servers.length);
  const z = await bounded(zkCreateTopics(client, grow, cfg.outstanding), 900_000, 'growing ZooKeeper').finally(() => closePinned(client));
  const m = await bounded(createTopics(callVia(c.b.channel, 120_000), grow, PARTITIONS_PER_TOPIC, { perCall: 50, concurrency: 4 }), 900_000, 'growing metaquorum');
  say(`grown: ZooKeeper in ${z.seconds.toFixed(1)} s (${fmt(z.znodes)} znodes), metaquorum in ${m.seconds.toFixed(1)} s`);
  c.details['grow'] = { topics: grow.length, zookeeperSeconds: z.seconds, metaquorumSeconds: m.seconds };
  await coldAt(c, cfg.largePartitions, 'cold-large');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const problem = zooKeeperProblem();
  if (problem !== undefined) {
    say(`this benchmark runs a real Apache ZooKeeper 3.8 next to metaquorum, and cannot here: ${problem}`);
    say('on Debian or Ubuntu: sudo apt-get install -y zookeeper (it brings a Java runtime); the system service is not used');
    process.exit(2);
  }
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-vs-zk-'));
  const held: { b?: Bench; zk?: ZooKeeperCluster } = {};
  const hooks = installBenchCleanup({
    root,
    keepData: args['keep-data'] === true,
    say,
    closeOwn: async () => {
      if (held.b !== undefined) await closeAll(held.b);
      for (const z of [...openZkClients]) {
        openZkClients.delete(z);
        await closeZooKeeper(z).catch(() => undefined);
      }
      await held.zk?.stop();
    },
  });
  const watchdog = setTimeout(() => {
    say(`the run exceeded --max-minutes ${cfg.maxMinutes}: stopping everything`);
    void hooks.run().finally(() => process.exit(1));
  }, cfg.maxMinutes * 60_000);
  watchdog.unref();
  const exits = new ExitWatch((line) => {
    notes.push(line);
    say(line);
  });

  const t0 = performance.now();
  const details: Record<string, unknown> = { quietGate: {} };
  const rows: Comparison[] = [];
  const notes: string[] = [];
  const result: Record<string, unknown> = {
    bench: 'vs-zk',
    quick,
    config: { ...cfg, workloads: [...workloads] },
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadGeneratorNodeFlags: loadGeneratorNodeFlags() },
    loadAverageAtStart: loadNow(),
  };
  const heapNote = loadGeneratorHeapNote();
  if (heapNote !== undefined) notes.push(heapNote);
  try {
    say(`starting ZooKeeper (3 servers, Debian's package, shipped settings); load ${loadNow()}`);
    const zk = await startShippedEnsemble();
    held.zk = zk;
    const zkVersion = /Zookeeper version: ([^,\n]+)/.exec(await zk.fourLetter(0, 'srvr'))?.[1] ?? 'unknown';
    say(`ZooKeeper ${zkVersion} serving after ${zk.startupMs} ms; starting metaquorum (3 controllers + 3 brokers)`);
    const cluster = await ProcessCluster.create({
      dataDir: join(root, 'metaquorum'),
      shape: { controllers: 3, brokers: 4, combined: false, basePort: 0, properties: CLUSTER_PROPERTIES },
      logLevel: 'info',
      onUnexpectedExit: exits.onExit(() => cluster, 'metaquorum node'),
    });
    hooks.cluster = cluster;
    const running = new Set(cluster.nodes.map((n) => n.id).filter((id) => id !== COLD_BROKER));
    for (const id of running) cluster.start(id);
    await cluster.writeClusterJson();
    await Promise.race([waitForClusterReady(cluster, 60_000, running), exits.failed]);
    const b: Bench = { cluster, channel: controllerChannelTo(cluster, 10_000, 2_000), clients: new Set(), channels: new Set() };
    held.b = b;
    const pids = () => new Map([...pidsOf(cluster), ...zkPids(zk)]);

    // The same 1,000 partition states in both, then 10,000 untimed writes each (JIT, caches).
    const writeNames = names(cfg.writeTopics, writeTopic);
    await populateAndClose(zk.connectString, { name: 'bench:vs-zk write partitions', description: `${cfg.writeTopics} topics × ${PARTITIONS_PER_TOPIC}`, nodes: writeNames.flatMap(topicZnodes) });
    const keys: ZkKey[] = writeNames.flatMap((topic) => Array.from({ length: PARTITIONS_PER_TOPIC }, (_, p) => ({ path: statePath(topic, p), topic, epoch: 0 })));
    await createTopics(callVia(b.channel, 30_000), writeNames, PARTITIONS_PER_TOPIC, { perCall: 20, concurrency: 4 });
    const parts = await waitFor('every partition fully replicated', 10_000, () => readParts(callVia(b.channel, 30_000), writeNames));
    const epochs = await brokerEpochs(callVia(b.channel));
    say(`warming up: ${fmt(cfg.initialWarmUpOps)} writes on each, ${cfg.outstanding} outstanding`);
    const warmZk = await Promise.all(Array.from({ length: cfg.zkConnections }, (_, i) => openPinned(zk, i % zk.servers.length)));
    await zkWriteLoops(warmZk, keys, cfg.outstanding, Infinity, cfg.initialWarmUpOps, false).finally(() => Promise.all(warmZk.map(closePinned)));
    const warmMq = await leaderClient(b);
    await runAlterLoops([warmMq.client], parts, epochs, cfg.outstanding, Infinity, cfg.initialWarmUpOps, false).finally(() => closeClient(b, warmMq.client));
    // What each system costs while idle (heartbeats, pings, fetch long-polls) while the other is measured.
    const i0 = sampleCpu(pids());
    await new Promise((r) => setTimeout(r, 3_000));
    const idle = coresBy(cpuBetween(i0, sampleCpu(pids())));
    say(`idle: ZooKeeper ${idle.zookeeper.toFixed(3)} cores, metaquorum ${idle.metaquorum.toFixed(3)} cores, other ${idle.other.toFixed(2)}`);
    Object.assign(result, { zookeeperVersion: zkVersion, idleCores: idle, setupSeconds: (performance.now() - t0) / 1000 });

    notes.push(
      `ZooKeeper ${zkVersion}: Debian's package, 3 servers, tickTime 2000, initLimit 10, syncLimit 5, forceSync yes, -Xms1000m -Xmx1000m, HotSpot defaults (perf-anchors.md A.3). metaquorum: 3 controllers + 3 brokers, split mode, server.properties defaults (broker heartbeat 500 ms).`,
      `Failover: open-loop writer, a write every 10 ms. ZooKeeper: setData, 5 s per write, client spinDelay 20 ms knowing all 3 servers (SIGSTOP: the 2 survivors). metaquorum: AlterPartition through a ControllerChannel knowing all 3 voters, 250 ms per attempt.`,
    );
    const c: Ctx = { zk, b, keys, parts, epochs, pids, rows, details, notes, bulkNames: [] };
    const step = async (w: Workload, f: () => Promise<void>) => {
      if (!workloads.has(w)) return;
      say(`${w}… (load ${loadNow()})`);
      await Promise.race([f(), exits.failed]);
    };
    await step('throughput', () => throughputWorkload(c));
    await step('latency', () => latencyWorkload(c));
    await step('kill', () => failoverWorkload(c, 'kill'));
    await step('stop', () => failoverWorkload(c, 'stop'));
    await step('bulk', () => bulkWorkload(c, true));
    if (workloads.has('cold') && !workloads.has('bulk')) await bulkWorkload(c, false); // the same size as after `bulk`
    await step('cold', () => coldWorkload(c));
    result.loadAverageAtEnd = loadNow();
  } finally {
    clearTimeout(watchdog);
    await hooks.run();
  }

  result.elapsedSeconds = (performance.now() - t0) / 1000;
  result.comparisons = rows;
  result.details = details;
  result.notes = notes;
  const verdict = rows.filter((r) => r.met !== null);
  const table = [
    `bench:vs-zk${quick ? ' (--quick)' : ''}: ZooKeeper ${String(result.zookeeperVersion)} (3 servers, shipped settings) vs metaquorum (3 controllers + 3 brokers), 127.0.0.1, one load generator; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ${process.version}; load ${String(result.loadAverageAtStart)} → ${String(result.loadAverageAtEnd ?? loadNow())}; ${Math.round(Number(result.elapsedSeconds))} s`,
    '',
    comparisonTable(rows),
    '',
    `targets met: ${verdict.filter((r) => r.met).length} of ${verdict.length}${verdict.some((r) => !r.met) ? ` (missed: ${verdict.filter((r) => !r.met).map((r) => `${r.id} at ${ratioText(r.ratio)}`).join(', ')})` : ''}`,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  await emitBenchResult({ table, json: JSON.stringify(result, null, 2), asJson: args.json === true, out: outPath, say });
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('bench:vs-zk failed:', e);
  process.exit(1);
}
