// npm run bench:metadata — how many Kafka Metadata requests one broker answers from its own image,
// for a cluster of --partitions partitions (10,000 by default), with --concurrency requests
// outstanding at all times (64), as kafkajs clients send them.
//
// The cluster: real node processes on 127.0.0.1 (ProcessCluster), 3 controllers + 3 brokers in split
// mode by default, the same shape as bench:cluster. On a 2-core machine that is honest because only
// one of the six is busy during the timed runs: the brokers answer Metadata from their own image,
// so the controllers and the other two brokers only fetch and heartbeat (their CPU is in the output:
// 0.02-0.06 cores for all five together when this was written); 3 brokers are what RF 3 needs, and
// RF 3 is what makes the answers as big as a real cluster's (3 replicas, 3 ISR entries each).
// --controllers 1 --brokers 1 --replication-factor 1 gives the smallest honest variant.
//
// Phases:
//   setup      --topics topics (100) sharing --partitions partitions (RF 3), created through the
//              active controller's createTopics RPC in batches of ~1,000 partitions; then the
//              target broker (the first broker) is polled with Metadata v6 until its answer holds
//              every topic with every partition and a leader for each.
//   scenarios  for each of --scenarios (both by default), on fresh connections to the target broker:
//     all      Metadata v6, topics = null (all topics), allow_auto_topic_creation = false: what
//              kafkajs's admin sends (listTopics, fetchTopicMetadata(), describeCluster), and what
//              a client refreshing everything asks.
//     single   Metadata v6 for one topic, allow_auto_topic_creation = true: what a kafkajs producer
//              asks before sending (the topic goes round the --topics topics).
//              Each scenario: --connections connections (4), each sent ApiVersions v2 first as kafkajs
//              does, carrying --concurrency / --connections pipelined requests each; a closed loop
//              (every answer sends the next request) for --warmup-ms, then --duration-ms timed.
//              Answers are checked before and after (decoded in full: every topic, every partition,
//              no error codes); in between only their framing and sizes are read, so the load
//              generator spends its CPU on the socket, not on decoding.
//
// Reported per scenario: requests/s, latency p50 / p99 / max (send → last byte of the answer),
// answer size, answer MB/s, CPU of the target broker (cores, µs per request, run-queue wait), of
// the other nodes, of this load generator and of anything else on the machine (/proc). Each timed
// run first waits (bounded by --quiet-wait-ms) for the rest of the machine to go quiet, as
// bench:cluster does; what else ran during the window is in the CPU row.
//
// --cpu-prof <dir>: every node runs under metadata/profiled-cli.ts; the target broker alone is
// profiled, during each timed window only (SIGUSR2 on and off), and the top hot spots are printed
// and put in the JSON. Profiling slows the broker: take the figures from a run without it.
//
// Output: a markdown table on stdout; with --json the JSON object goes to stdout instead (the table
// to stderr), and --out writes it to a file too. Progress goes to stderr. Every wait is bounded;
// the nodes are stopped and the temporary directory removed on every exit path.
//
// Usage: node dist/tools/bench/metadata-bench.js [--partitions 10000] [--topics 100]
//        [--concurrency 64] [--connections 4] [--duration-ms 10000] [--warmup-ms 3000]
//        [--scenarios all,single] [--controllers 3] [--brokers 3] [--replication-factor 3]
//        [--quick] [--json] [--out file.json] [--cpu-prof dir] [--quiet-wait-ms 45000] [--keep-data]

import { ExitWatch } from '../server/exit-watch.js';
import { emitBenchResult, installBenchCleanup } from './cluster/bench-cleanup.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchCommandLine, reportOptions } from './bench-args.js';
import { errorName, ErrorCode } from '../../quorum/controller/errors.js';
import type { CreatableTopic } from '../../quorum/controller/replication/create-topics.js';
import type { ControllerChannel } from '../../quorum/server/controller-channel.js';
import { controllerChannelTo, waitForClusterReady } from '../server/cluster-ready.js';
import { defaultCliPath, ProcessCluster } from '../server/process-cluster.js';
import { cpuBetween, sampleCpu, type CpuSample, type CpuUse } from './cluster/proc-cpu.js';
import { API_METADATA, API_VERSIONS, decodeMetadataV6, KafkaWireConnection, metadataV6Body, requestTemplate, type MetadataSummary } from './metadata/kafka-wire.js';
import { formatProfile, readProfile, type ProfileSummary } from './metadata/profile-top.js';
import { percentile, summarize } from './stats.js';

const SCENARIOS = ['all', 'single'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      ...reportOptions,
      partitions: { type: 'string' },
      topics: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      connections: { type: 'string', default: '4' },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      scenarios: { type: 'string', default: SCENARIOS.join(',') },
      controllers: { type: 'string', default: '3' },
      brokers: { type: 'string', default: '3' },
      'replication-factor': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'quiet-wait-ms': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
    },
  }),
);
const quick = args.quick === true;
const num = (name: string, v: string | undefined, full: number, small: number): number => {
  const n = v === undefined ? (quick ? small : full) : Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a positive integer`);
  return n;
};
const brokersN = num('brokers', args.brokers, 3, 3);
const cfg = {
  partitions: num('partitions', args.partitions, 10_000, 1_000),
  topics: num('topics', args.topics, 100, 10),
  concurrency: num('concurrency', args.concurrency, 64, 64),
  connections: num('connections', args.connections, 4, 4),
  durationMs: num('duration-ms', args['duration-ms'], 10_000, 2_000),
  warmupMs: num('warmup-ms', args['warmup-ms'], 3_000, 1_000),
  controllers: num('controllers', args.controllers, 3, 3),
  brokers: brokersN,
  replicationFactor: num('replication-factor', args['replication-factor'], Math.min(3, brokersN), Math.min(3, brokersN)),
};
if (cfg.topics > cfg.partitions) throw new Error(`--topics ${cfg.topics} is more than --partitions ${cfg.partitions}`);
if (cfg.replicationFactor > cfg.brokers) throw new Error(`--replication-factor ${cfg.replicationFactor} is more than --brokers ${cfg.brokers}`);
if (cfg.connections > cfg.concurrency) throw new Error(`--connections ${cfg.connections} is more than --concurrency ${cfg.concurrency}`);
const scenarios = args.scenarios!.split(',').map((s) => {
  if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario "${s}" (one of ${SCENARIOS.join(', ')})`);
  return s as Scenario;
});

/** Quicker unfencing after a start (as bench:cluster). */
const CLUSTER_PROPERTIES: Readonly<Record<string, string>> = { 'broker.heartbeat.interval.ms': '500' };
const HOST = '127.0.0.1';
const CLIENT_ID = 'metadata-bench';
/** A Kafka request older than this fails its connection (kafkajs's requestTimeout is 30 s). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Partitions per createTopics call (whole topics; the controller bounds one operation at 10,000 records). */
const CREATE_BATCH_PARTITIONS = 1_000;
const CREATE_CONCURRENCY = 2;
/** Timed runs wait (bounded) until the rest of the machine uses less than this. */
const QUIET_OTHER_CORES = 0.3;

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms` : String(n));
const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
const say = (msg: string) => process.stderr.write(`[bench:metadata] ${msg}\n`);
const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message.slice(0, 120)}` : String(e));

function latencyJson(samples: readonly number[]) {
  const s = summarize(samples);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), ...s };
}

/** `p`, or a rejection after `timeoutMs`. */
function bounded<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const topicName = (i: number) => `md-bench-${String(i).padStart(5, '0')}`;
/** Partitions of topic i: the total shared out, the first ones taking the remainder. */
const partitionsOf = (i: number) => Math.floor(cfg.partitions / cfg.topics) + (i < cfg.partitions % cfg.topics ? 1 : 0);

/** CPU seconds of a process's main thread alone (the event loop; GC helpers and libuv threads excluded), from /proc. */
function mainThreadCpuSeconds(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS_PER_S = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

function pidsOf(cluster: ProcessCluster): Map<number, number | null> {
  return new Map(cluster.nodes.map((n) => [n.id, cluster.pid(n.id)]));
}

/** Waits until processes other than the cluster and this bench use under QUIET_OTHER_CORES (1 s samples), at most `maxWaitMs`. */
async function waitForQuiet(cluster: ProcessCluster, what: string, maxWaitMs: number): Promise<{ otherCores: number; waitedMs: number; quiet: boolean }> {
  const t0 = now();
  for (;;) {
    const a = sampleCpu(pidsOf(cluster));
    await sleep(1_000);
    const u = cpuBetween(a, sampleCpu(pidsOf(cluster)));
    const quiet = u.otherCores < QUIET_OTHER_CORES;
    if (quiet || now() - t0 >= maxWaitMs) {
      if (!quiet) say(`${what}: other processes still use ${u.otherCores.toFixed(2)} cores after ${Math.round((now() - t0) / 1000)} s; measuring anyway`);
      return { otherCores: u.otherCores, waitedMs: now() - t0, quiet };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: topics through the controller, then the target broker's image

async function createTopics(channel: ControllerChannel): Promise<{ seconds: number; calls: number }> {
  const batches: CreatableTopic[][] = [];
  let batch: CreatableTopic[] = [];
  let inBatch = 0;
  for (let i = 0; i < cfg.topics; i++) {
    batch.push({ name: topicName(i), numPartitions: partitionsOf(i), replicationFactor: cfg.replicationFactor, configs: [] });
    inBatch += partitionsOf(i);
    if (inBatch >= CREATE_BATCH_PARTITIONS) {
      batches.push(batch);
      batch = [];
      inBatch = 0;
    }
  }
  if (batch.length > 0) batches.push(batch);
  const t0 = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < batches.length) {
        const topics = batches[next++]!;
        const r = await channel.call('createTopics', { topics, validateOnly: false }, { timeoutMs: 60_000 });
        for (const t of r.topics) {
          if (t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new Error(`createTopics ${t.name}: ${errorName(t.errorCode)} ${t.errorMessage ?? ''}`);
        }
      }
    }),
  );
  return { seconds: (now() - t0) / 1000, calls: batches.length };
}

/** What is wrong with an answer for the bench topics ('' when nothing). */
function checkAnswer(m: MetadataSummary, names: readonly string[]): string {
  if (m.topicErrors > 0 || m.partitionErrors > 0) return `${m.topicErrors} topic and ${m.partitionErrors} partition error codes`;
  let missing = 0;
  let short = 0;
  let expected = 0;
  for (const name of names) {
    const i = Number(name.slice('md-bench-'.length));
    const n = m.partitionsByTopic.get(name);
    expected += partitionsOf(i);
    if (n === undefined) missing++;
    else if (n !== partitionsOf(i)) short++;
  }
  if (missing > 0 || short > 0) return `${missing} topics missing, ${short} with a wrong partition count`;
  if (m.withLeader < m.partitions) return `${m.partitions - m.withLeader} partitions without a leader`;
  if (m.brokers.length !== cfg.brokers) return `${m.brokers.length} live brokers of ${cfg.brokers}`;
  return m.partitions >= expected ? '' : `${m.partitions} partitions of ${expected}`;
}

const allNames = () => Array.from({ length: cfg.topics }, (_, i) => topicName(i));

/** Polls the target broker (Metadata v6, all topics) until its image holds every bench topic and partition, with leaders. */
async function waitForImage(host: string, port: number, timeoutMs: number): Promise<{ ms: number; summary: MetadataSummary; frameBytes: number }> {
  const t0 = now();
  const tpl = requestTemplate(API_METADATA, 6, CLIENT_ID, metadataV6Body(null, false));
  let last = 'no answer yet';
  while (now() - t0 < timeoutMs) {
    let conn: KafkaWireConnection | undefined;
    try {
      conn = await KafkaWireConnection.open(host, port, 10_000);
      while (now() - t0 < timeoutMs) {
        const r = await conn.request(tpl, true);
        const m = decodeMetadataV6(r.body!);
        last = checkAnswer(m, allNames());
        if (last === '') return { ms: now() - t0, summary: m, frameBytes: r.frameBytes };
        await sleep(100);
      }
    } catch (e) {
      last = errText(e);
      await sleep(200);
    } finally {
      conn?.close();
    }
  }
  throw new Error(`the target broker's image did not show every topic within ${timeoutMs} ms (${last})`);
}

// ---------------------------------------------------------------------------------------------
// A timed closed-loop run of one scenario

interface RunResult {
  readonly scenario: Scenario;
  readonly connections: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly completed: number;
  readonly requestsPerSec: number;
  readonly latencyMs: ReturnType<typeof latencyJson>;
  readonly frameBytes: { min: number; max: number; mean: number };
  readonly megabytesPerSec: number;
  readonly warmupCompleted: number;
  readonly errors: Record<string, number>;
  readonly check: { before: string; after: string; topics: number; partitions: number; frameBytes: number };
  readonly cpu: CpuUse;
  readonly brokerCores: number;
  /** The broker's main thread alone (1.0: its event loop never waits for work). */
  readonly brokerMainThreadCores: number;
  readonly brokerCpuUsPerRequest: number;
  readonly brokerRunQueueWaitMsPerS: number;
  readonly brokerSystemShare: number;
  readonly otherNodesCores: number;
  readonly benchCpuUsPerRequest: number;
  profile?: { file: string; summary: ProfileSummary };
}

function templatesFor(scenario: Scenario): Buffer[] {
  if (scenario === 'all') return [requestTemplate(API_METADATA, 6, CLIENT_ID, metadataV6Body(null, false))];
  return allNames().map((n) => requestTemplate(API_METADATA, 6, CLIENT_ID, metadataV6Body([n], true)));
}

async function checkWith(conn: KafkaWireConnection, tpl: Buffer, names: readonly string[]): Promise<{ problem: string; summary: MetadataSummary; frameBytes: number }> {
  const r = await conn.request(tpl, true);
  const summary = decodeMetadataV6(r.body!);
  return { problem: checkAnswer(summary, names), summary, frameBytes: r.frameBytes };
}

async function waitForProfile(dir: string, before: ReadonlySet<string>, timeoutMs: number): Promise<string | undefined> {
  const t0 = now();
  while (now() - t0 < timeoutMs) {
    const fresh = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (fresh.length > 0) return join(dir, fresh[0]!);
    await sleep(200);
  }
  return undefined;
}

async function runScenario(cluster: ProcessCluster, targetId: number, scenario: Scenario, profileDir: string | undefined): Promise<RunResult> {
  const target = cluster.node(targetId);
  const pid = cluster.pid(targetId);
  const conns: KafkaWireConnection[] = [];
  try {
    for (let i = 0; i < cfg.connections; i++) {
      const c = await KafkaWireConnection.open(HOST, target.clientPort!, REQUEST_TIMEOUT_MS);
      conns.push(c);
      // kafkajs sends ApiVersions v2 on a new connection (to the seed broker) before anything else.
      const v = await c.request(requestTemplate(API_VERSIONS, 2, CLIENT_ID, Buffer.alloc(0)), true);
      const code = v.body!.readInt16BE(0);
      if (code !== 0) throw new Error(`ApiVersions v2 answered error ${code}`);
    }
    const templates = templatesFor(scenario);
    const checkTpl = templates[0]!; // all topics, or the first topic
    const checkNames = scenario === 'all' ? allNames() : [topicName(0)];
    const before = await checkWith(conns[0]!, checkTpl, checkNames);
    if (before.problem !== '') throw new Error(`${scenario}: the answer before the run is wrong: ${before.problem}`);

    const errors = new Map<string, number>();
    const latencies: number[] = [];
    let completed = 0;
    let warmupCompleted = 0;
    let bytes = 0;
    let minBytes = Infinity;
    let maxBytes = 0;
    let next = 0;
    const tStart = now() + cfg.warmupMs;
    const tEnd = tStart + cfg.durationMs;
    let c0: CpuSample | undefined;
    let c1: CpuSample | undefined;
    let main0 = NaN;
    let main1 = NaN;
    const profilesBefore = profileDir !== undefined ? new Set(await readdir(profileDir)) : new Set<string>();
    const startTimer = setTimeout(() => {
      c0 = sampleCpu(pidsOf(cluster));
      main0 = mainThreadCpuSeconds(pid);
      if (profileDir !== undefined && pid !== null) process.kill(pid, 'SIGUSR2');
    }, tStart - now());
    const endTimer = setTimeout(() => {
      c1 = sampleCpu(pidsOf(cluster));
      main1 = mainThreadCpuSeconds(pid);
      if (profileDir !== undefined && pid !== null) process.kill(pid, 'SIGUSR2');
    }, tEnd - now());
    await Promise.all(
      Array.from({ length: cfg.concurrency }, async (_, w) => {
        const conn = conns[w % conns.length]!;
        while (now() < tEnd) {
          const tpl = templates[next++ % templates.length]!;
          const s = now();
          try {
            const r = await conn.request(tpl);
            if (r.at < tStart) warmupCompleted++;
            else if (r.at <= tEnd) {
              completed++;
              latencies.push(r.at - s);
              bytes += r.frameBytes;
              if (r.frameBytes < minBytes) minBytes = r.frameBytes;
              if (r.frameBytes > maxBytes) maxBytes = r.frameBytes;
            }
          } catch (e) {
            const k = e instanceof Error ? e.message.slice(0, 60) : String(e);
            errors.set(k, (errors.get(k) ?? 0) + 1);
            return; // the connection is gone: this loop is done
          }
        }
      }),
    );
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    if (c0 === undefined || c1 === undefined) throw new Error(`${scenario}: the timed window did not run (every connection failed: ${[...errors.keys()].join('; ')})`);
    const after = await checkWith(conns[0]!, checkTpl, checkNames);
    const cpu = cpuBetween(c0, c1);
    const seconds = cfg.durationMs / 1000;
    const id = String(targetId);
    const brokerCpuS = cpu.nodeCpuS[id] ?? NaN;
    const otherNodesCores = cluster.nodes.filter((n) => n.id !== targetId).reduce((s, n) => s + (cpu.nodeCores[String(n.id)] ?? NaN), 0);
    const result: RunResult = {
      scenario,
      connections: conns.length,
      concurrency: cfg.concurrency,
      seconds,
      completed,
      requestsPerSec: completed / seconds,
      latencyMs: latencyJson(latencies),
      frameBytes: { min: minBytes, max: maxBytes, mean: bytes / Math.max(1, completed) },
      megabytesPerSec: bytes / seconds / 1e6,
      warmupCompleted,
      errors: Object.fromEntries(errors),
      check: { before: before.problem || 'ok', after: after.problem || 'ok', topics: before.summary.topics, partitions: before.summary.partitions, frameBytes: before.frameBytes },
      cpu,
      brokerCores: cpu.nodeCores[id] ?? NaN,
      brokerMainThreadCores: (main1 - main0) / cpu.wallS,
      brokerCpuUsPerRequest: (brokerCpuS / completed) * 1e6,
      brokerRunQueueWaitMsPerS: cpu.nodeRunQueueWaitMsPerS[id] ?? NaN,
      brokerSystemShare: cpu.nodeSystemShare[id] ?? NaN,
      otherNodesCores,
      benchCpuUsPerRequest: (cpu.benchCpuS / completed) * 1e6,
    };
    if (profileDir !== undefined) {
      const file = await waitForProfile(profileDir, profilesBefore, 60_000);
      if (file === undefined) say(`${scenario}: no profile from broker ${targetId} within 60 s`);
      else result.profile = { file, summary: readProfile(file, 20) };
    }
    return result;
  } finally {
    for (const c of conns) c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Main

type Row = [metric: string, value: string, note: string];

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-metadata-'));
  const holder: { channel: ControllerChannel | undefined } = { channel: undefined };
  const cleanupHooks = installBenchCleanup({
    root,
    keepData: args['keep-data'] === true,
    say,
    closeOwn: async () => {
      await holder.channel?.close();
    },
  });
  const cleanup = () => cleanupHooks.run();

  const rows: Row[] = [];
  const notes: string[] = [];
  const exits = new ExitWatch((line) => {
    notes.push(line);
    say(line);
  });
  const shape = `${cfg.controllers} controller(s) + ${cfg.brokers} broker(s) (split mode)`;
  const result: Record<string, unknown> = {
    bench: 'metadata',
    quick,
    setup: {
      mode: 'split',
      transport: 'TCP on 127.0.0.1',
      properties: CLUSTER_PROPERTIES,
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      scenarios,
      ...cfg,
    },
    loadAverageAtStart: loadNow(),
  };
  let profileDir: string | undefined;
  try {
    let cliPath = defaultCliPath();
    if (args['cpu-prof'] !== undefined) {
      profileDir = resolve(args['cpu-prof']);
      await mkdir(profileDir, { recursive: true });
      process.env['METAQUORUM_CPU_PROF_DIR'] = profileDir;
      cliPath = fileURLToPath(new URL('./metadata/profiled-cli.js', import.meta.url));
      if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: npm run -s build first`);
      notes.push(`--cpu-prof: the target broker was profiled during each timed window (profiles in ${profileDir}); the profiler slows it, so take the throughput from a run without it.`);
    }
    say(`starting ${shape} in ${root}; load ${loadNow()}`);
    const cluster = await ProcessCluster.create({
      dataDir: root,
      shape: { controllers: cfg.controllers, brokers: cfg.brokers, combined: false, basePort: 0, properties: CLUSTER_PROPERTIES },
      cliPath,
      logLevel: 'info',
      onUnexpectedExit: exits.onExit(() => cluster),
    });
    cleanupHooks.cluster = cluster;
    const t0 = now();
    await cluster.startAll();
    const ready = await Promise.race([waitForClusterReady(cluster, 60_000), exits.failed]);
    say(`cluster ready in ${((now() - t0) / 1000).toFixed(1)} s; active controller ${ready.leaderId}`);
    const channel = controllerChannelTo(cluster, 60_000);
    holder.channel = channel;
    const created = await Promise.race([bounded(createTopics(channel), 300_000, 'topic creation'), exits.failed]);
    const target = cluster.brokers[0]!;
    const image = await Promise.race([waitForImage(HOST, target.clientPort!, 120_000), exits.failed]);
    say(
      `${fmt(cfg.topics)} topics, ${fmt(cfg.partitions)} partitions (RF ${cfg.replicationFactor}) created in ${created.seconds.toFixed(2)} s (${created.calls} createTopics calls); ` +
        `broker ${target.id} showed them all ${ms(image.ms)} later; an all-topics answer is ${fmt(image.frameBytes)} bytes`,
    );
    Object.assign(result.setup as Record<string, unknown>, {
      targetBrokerId: target.id,
      createTopicsSeconds: created.seconds,
      createTopicsCalls: created.calls,
      imageVisibleAfterMs: image.ms,
      allTopicsAnswerBytes: image.frameBytes,
      answer: { topics: image.summary.topics, partitions: image.summary.partitions, replicas: image.summary.replicas, fullIsr: image.summary.fullIsr, brokers: image.summary.brokers.length, controllerId: image.summary.controllerId },
    });

    const quietWaitMs = args['quiet-wait-ms'] !== undefined ? Number(args['quiet-wait-ms']) : quick ? 10_000 : 45_000;
    const runs: Record<string, RunResult> = {};
    const quietness: Record<string, unknown> = {};
    result.quietGate = { otherCoresMax: QUIET_OTHER_CORES, scenarios: quietness };
    for (const scenario of scenarios) {
      const q = await waitForQuiet(cluster, scenario, quietWaitMs);
      quietness[scenario] = q;
      if (!q.quiet) notes.push(`${scenario}: other processes on the machine used ${q.otherCores.toFixed(2)} cores when it started (waited ${Math.round(q.waitedMs / 1000)} s for under ${QUIET_OTHER_CORES}); figures are low by that much.`);
      say(`${scenario}: ${cfg.concurrency} outstanding on ${cfg.connections} connection(s) to broker ${target.id}, warm-up ${cfg.warmupMs} ms, timed ${cfg.durationMs} ms; load ${loadNow()}`);
      const r = await Promise.race([bounded(runScenario(cluster, target.id, scenario, profileDir), cfg.warmupMs + cfg.durationMs + REQUEST_TIMEOUT_MS + 120_000, scenario), exits.failed]);
      runs[scenario] = r;
      if (r.cpu.otherCores > QUIET_OTHER_CORES) notes.push(`${scenario}: other processes on the machine used ${r.cpu.otherCores.toFixed(2)} cores during the timed window; the broker waited ${fmt(r.brokerRunQueueWaitMsPerS)} ms/s for a core, so its figures are low.`);
      say(`${scenario}: ${fmt(r.requestsPerSec)} requests/s, p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}, broker ${r.brokerCores.toFixed(2)} cores; errors ${JSON.stringify(r.errors)}`);
    }
    result.scenarios = runs;

    for (const s of scenarios) {
      const r = runs[s]!;
      const what = s === 'all' ? `all topics (topics = null; ${fmt(r.check.topics)} topics, ${fmt(r.check.partitions)} partitions per answer)` : `one topic (round the ${fmt(cfg.topics)} topics, ${fmt(partitionsOf(0))} partition${partitionsOf(0) === 1 ? '' : 's'} per answer)`;
      const errs = Object.entries(r.errors);
      rows.push([`**Metadata v6 ${what}**: requests/s, ${cfg.concurrency} outstanding on ${r.connections} connections, ${fmt(r.seconds, 0)} s`, `**${fmt(r.requestsPerSec)}**`, s === 'all' ? 'kafkajs admin (listTopics, fetchTopicMetadata(), describeCluster)' : 'kafkajs producer before a send'],
      );
      rows.push(['… latency p50 / p99 / max', `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`, 'send → last byte of the answer']);
      rows.push(['… answer size · answer bytes/s', `${fmt(r.frameBytes.mean)} B${r.frameBytes.min !== r.frameBytes.max ? ` (${fmt(r.frameBytes.min)}–${fmt(r.frameBytes.max)})` : ''} · ${fmt(r.megabytesPerSec, 1)} MB/s`, 'whole frame, size prefix included']);
      rows.push([
        `… CPU: broker ${target.id} cores, its main thread alone (µs per request, kernel share, main-thread run-queue wait) · other ${cluster.nodes.length - 1} nodes · load generator · other processes`,
        `${r.brokerCores.toFixed(2)}, ${r.brokerMainThreadCores.toFixed(2)} (${fmt(r.brokerCpuUsPerRequest)} µs, ${Math.round(r.brokerSystemShare * 100)}%, ${fmt(r.brokerRunQueueWaitMsPerS)} ms/s) · ${r.otherNodesCores.toFixed(2)} · ${r.cpu.benchCores.toFixed(2)} · ${r.cpu.otherCores.toFixed(2)} (of ${cpus().length})`,
        '/proc; all threads of the process',
      ]);
      rows.push(['… errors · answers checked before / after', `${errs.length === 0 ? 0 : errs.map(([k, v]) => `${k} ×${v}`).join(', ')} · ${r.check.before} / ${r.check.after}`, 'decoded in full: every topic and partition, no error codes, a leader each']);
    }
    rows.push([
      `setup: ${fmt(cfg.partitions)} partitions created (${created.calls} createTopics) · visible on broker ${target.id}`,
      `${(created.seconds).toFixed(2)} s · ${ms(image.ms)} later`,
      'through the active controller; then polled with Metadata v6',
    ]);
    result.loadAverageAtEnd = loadNow();
  } finally {
    await cleanup();
  }

  result.rows = rows.map(([metric, value, note]) => ({ metric, value, note }));
  result.notes = notes;
  const runs = (result.scenarios ?? {}) as Record<string, RunResult>;
  const profiles = Object.values(runs)
    .filter((r) => r.profile !== undefined)
    .map((r) => [`### CPU profile of the broker, scenario "${r.scenario}" (${r.profile!.file})`, '', formatProfile(r.profile!.summary), ''].join('\n'));
  const table = [
    `metadata bench${quick ? ' (--quick)' : ''}: ${shape}, RF ${cfg.replicationFactor}, ${fmt(cfg.topics)} topics / ${fmt(cfg.partitions)} partitions, separate processes, TCP on 127.0.0.1; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ${process.version}; load ${String(result.loadAverageAtStart)} → ${String(result.loadAverageAtEnd ?? loadNow())}`,
    '',
    '| metric | value | note |',
    '| --- | --- | --- |',
    ...rows.map(([m, v, n]) => `| ${m} | ${v} | ${n} |`),
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
    ...profiles,
  ].join('\n');
  // The profile summaries are in the table; the JSON keeps them too (file path + hot spots).
  const json = JSON.stringify(result, null, 2);
  await emitBenchResult({ table, json, asJson: args.json === true, out: args.out, say });
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('metadata bench failed:', e);
  process.exit(1);
}
