// npm run bench:scale [-- --partitions 2000000 --partitions-per-topic 1000 --trials 1 --in-flight 2
//                        --json --out file --cpu-prof dir --property key=value --keep-data]
//
// metaquorum alone at a large partition count (issue 8): what KIP-500 set out to make cheap — many
// partitions in one cluster — measured on real processes. Per trial, a fresh cluster of
// 3 controllers + 3 brokers (split mode, separate processes, TCP on 127.0.0.1):
//
//   create       N partitions (default 2,000,000 = 2,000 topics × 1,000, replication factor 3) by
//                CreateTopics through the active controller, as many topics per request as one
//                operation may write (maxRecordsPerOperation), `--in-flight` requests outstanding:
//                time to the last commit, then until every broker's image has it.
//   memory       resident memory (VmRSS from /proc) of each controller and broker once creation
//                settled, and the peak resident set during the whole trial (sampled, and VmHWM).
//   snapshot     size of the newest controller snapshot on disk, and of the broker's snapshot of the
//                whole image written at its shutdown (the one its cold start loads).
//   shutdown     SIGTERM to the broker leading the most partitions (a third of them: replicas are
//                spread over 3 brokers and leaders balanced): its controlled shutdown as the broker
//                timed it (asking until the controller moved every leadership off it and every
//                broker replayed those moves) and SIGTERM → process exit (then its local snapshot
//                and close). Afterwards the active controller's image is checked: it leads nothing.
//   cold start   the same broker started again: spawn → its image at the controllers' offset
//                (local snapshot loaded, the tail fetched), and spawn → RUNNING (registered,
//                caught up, unfenced).
//
// Targets at 2,000,000 partitions (issue 8): broker cold start ≤ 10 s, controlled shutdown ≤ 10 s,
// controller resident memory ≤ 2 GiB. The bench raises the broker's controlled-shutdown and
// shutdown bounds (8 s / 10 s by default) so that a slow shutdown is measured, not cut short.
// Medians and min–max over the trials; the load average is recorded at the start and the end, and
// with `--cpu-prof <dir>` the active controller is profiled over the controlled shutdown and the
// restarted broker over its cold start (profiler-toggle.ts), and their hot functions are printed
// (metadata/profile-top.ts). `--property key=value` (repeatable) adds server.properties for
// experiments (e.g. the snapshot interval); the defaults are what the targets are judged on.
// Controller failovers (leader epoch changes) are counted per phase: on a loaded 2-core machine a
// node starved of CPU for the 2 s fetch timeout costs an election, and that shows in every figure.
// Every node samples its own memory (scale/mem-sampled-cli.ts), so the report can say whether a
// node's resident set is V8 heap, buffers or native memory.
// A default trial takes 5–10 minutes on 2 cores; every phase is bounded in time (and the run as a
// whole); everything it starts is stopped on exit, error or Ctrl-C.

import { ExitWatch } from '../server/exit-watch.js';
import { readdir, readFile, stat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchCommandLine } from './bench-args.js';
import { METADATA_PARTITION_DIR } from '../../quorum/node/layout.js';
import { defaultControllerConfig } from '../../quorum/controller/config.js';
import { ErrorCode, errorName } from '../../quorum/controller/errors.js';
import type { CreatableTopic } from '../../quorum/controller/replication/create-topics.js';
import type { ControllerChannel } from '../../quorum/server/controller-channel.js';
import { askNode } from '../admin/admin-client.js';
import { controllerChannelTo, waitFor, waitForClusterReady } from '../server/cluster-ready.js';
import { ProcessCluster, type PlannedNode } from '../server/process-cluster.js';
import { emitBenchResult, installBenchCleanup } from './cluster/bench-cleanup.js';
import { formatProfile, readProfile, type ProfileSummary } from './metadata/profile-top.js';
import type { MemorySample } from './scale/mem-sampled-cli.js';
import { residentMemory, RssSampler } from './scale/proc-mem.js';
import { percentile, summarize } from './stats.js';

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      partitions: { type: 'string', default: '2000000' },
      'partitions-per-topic': { type: 'string', default: '1000' },
      'replication-factor': { type: 'string', default: '3' },
      'in-flight': { type: 'string', default: '2' },
      trials: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      /** Extra server.properties for every node (experiments), key=value; repeatable. */
      property: { type: 'string', multiple: true },
    },
  }),
);
const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a positive integer`);
  return n;
};
const cfg = {
  partitions: int('partitions', args.partitions),
  partitionsPerTopic: int('partitions-per-topic', args['partitions-per-topic']),
  replicationFactor: int('replication-factor', args['replication-factor']),
  inFlight: int('in-flight', args['in-flight']),
  trials: int('trials', args.trials),
};
const say = (line: string) => process.stderr.write(`${line}\n`);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HOST = '127.0.0.1';
const BROKERS = 3;
const TARGETS = { coldStartMs: 10_000, controlledShutdownMs: 10_000, controllerRssBytes: 2 * GiB };
/** Bounds of the phases, scaled by size (2M partitions on a 2-core machine take minutes to create). */
const perMillion = (ms: number) => Math.max(60_000, Math.ceil((ms * cfg.partitions) / 1_000_000));
const BOUNDS = {
  readyMs: 60_000,
  createMs: perMillion(600_000),
  brokersCaughtUpMs: perMillion(300_000),
  shutdownMs: perMillion(120_000),
  coldStartMs: perMillion(180_000),
  /** The whole run: a last resort that stops everything (20 min a trial at 2M partitions; a trial takes 5–10 min on 2 cores). */
  runMs: cfg.trials * perMillion(600_000),
};
/** The broker's bounds, raised so a slow controlled shutdown is measured rather than cut at 8 s. */
const CLUSTER_PROPERTIES: Readonly<Record<string, string>> = {
  'metaquorum.controlled.shutdown.timeout.ms': String(BOUNDS.shutdownMs - 10_000),
  'metaquorum.shutdown.timeout.ms': String(BOUNDS.shutdownMs),
  ...Object.fromEntries(
    (args.property ?? []).map((kv) => {
      const at = kv.indexOf('=');
      if (at <= 0) throw new Error(`--property ${kv}: expected key=value`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  ),
};
const topicName = (i: number) => `scale-${String(i).padStart(7, '0')}`;
const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface LeaderCensus {
  readonly partitions: number;
  /** Partitions led, by broker id (-1: no leader). */
  readonly leaders: Record<string, number>;
  /** Partitions whose ISR holds the broker, by broker id. */
  readonly inIsr: Record<string, number>;
}

/** Where a node's memory was (bytes; process.memoryUsage() in the node, see scale/mem-sampled-cli.ts). */
interface MemoryUse {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

interface Trial {
  readonly createMs: number;
  readonly createRequests: number;
  readonly createLatencyMs: { p50: number; p99: number; max: number };
  readonly brokersCaughtUpMs: number;
  readonly metadataOffsetAfterCreate: number;
  readonly rssAfterCreateBytes: Record<string, number>;
  readonly peakRssBytes: Record<string, number>;
  /** Per node: its memory when creation had settled, and the highest V8 heap use sampled in the trial (first incarnation). */
  readonly memoryAfterCreate: Record<string, MemoryUse | null>;
  readonly peakHeapUsedBytes: Record<string, number>;
  readonly controllerSnapshot: { bytes: number; endOffset: number; node: number } | null;
  readonly brokerSnapshotBytes: number;
  readonly shutdown: {
    readonly brokerId: number;
    readonly ledBefore: number;
    readonly inIsrBefore: number;
    readonly controlledShutdownMs: number;
    readonly timedOut: boolean;
    readonly sigtermToExitMs: number;
    readonly exitCode: number | null;
    readonly ledAfter: number;
    readonly inIsrAfter: number;
    readonly metadataOffsetAfter: number;
  };
  readonly coldStart: {
    readonly targetOffset: number;
    readonly caughtUpMs: number;
    readonly runningMs: number;
    readonly peakRssBytes: number;
  };
  readonly census: LeaderCensus;
  /** Controller failovers (leader epoch changes) during each phase. */
  readonly leaderChanges: { readonly create: number; readonly shutdown: number; readonly coldStart: number };
  /** Topics answered TOPIC_ALREADY_EXISTS: a request sent again after a failover had been applied. */
  readonly createRetriedTopics: number;
  /** With --cpu-prof: the active controller from SIGTERM to the broker's exit, the broker from spawn to RUNNING. */
  readonly profiles: { shutdownController?: { node: number; summary: ProfileSummary }; coldStartBroker?: { node: number; summary: ProfileSummary } };
}

function controllerOf(cluster: ProcessCluster, n: PlannedNode) {
  return { host: HOST, port: n.controllerPort ?? n.clientPort! };
}

/** The active controller's committed metadata offset (exclusive end), read from its describeNode. */
async function controllerOffset(cluster: ProcessCluster, channel: ControllerChannel): Promise<{ leaderId: number; offset: number }> {
  const q = await channel.call('describeQuorum', {});
  if (q.leaderId === null) throw new Error('no active controller');
  const d = await askNode(controllerOf(cluster, cluster.node(q.leaderId)), 'describeNode', {}, { timeoutMs: 30_000 });
  return { leaderId: q.leaderId, offset: d.metadataOffset };
}

/** The quorum's leader epoch: its change over a phase counts the controller failovers in it. */
async function leaderEpoch(channel: ControllerChannel): Promise<number> {
  return (await channel.call('describeQuorum', {})).leaderEpoch;
}

/** Creates the topics: as many per request as one operation may write, `inFlight` requests outstanding. */
async function createAll(channel: ControllerChannel, topics: number): Promise<{ ms: number; requests: number; latencies: number[]; alreadyExisted: number }> {
  const perTopicRecords = 1 + cfg.partitionsPerTopic;
  const perRequest = Math.max(1, Math.floor(defaultControllerConfig.maxRecordsPerOperation / perTopicRecords));
  if (perTopicRecords > defaultControllerConfig.maxRecordsPerOperation) {
    throw new Error(`--partitions-per-topic ${cfg.partitionsPerTopic}: a topic would need more than the ${defaultControllerConfig.maxRecordsPerOperation} records one operation may write`);
  }
  const remainder = cfg.partitions - (topics - 1) * cfg.partitionsPerTopic;
  let next = 0;
  let requests = 0;
  let alreadyExisted = 0;
  const latencies: number[] = [];
  const start = performance.now();
  let lastReport = start;
  const worker = async () => {
    while (next < topics) {
      const batch: CreatableTopic[] = [];
      for (; batch.length < perRequest && next < topics; next++) {
        batch.push({ name: topicName(next), numPartitions: next === topics - 1 ? remainder : cfg.partitionsPerTopic, replicationFactor: cfg.replicationFactor, configs: [] });
      }
      const t0 = performance.now();
      const r = await channel.call('createTopics', { topics: batch, validateOnly: false }, { timeoutMs: 120_000 });
      latencies.push(performance.now() - t0);
      requests++;
      for (const t of r.topics) {
        // The channel sends a request again after a failover; the names are this run's own, so
        // TOPIC_ALREADY_EXISTS means the first attempt was applied (one operation: all or nothing).
        if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) alreadyExisted++;
        else if (t.errorCode !== ErrorCode.NONE) throw new Error(`createTopics ${t.name}: ${errorName(t.errorCode)} ${t.errorMessage ?? ''}`);
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`  … ${fmt(Math.min(next, topics) * cfg.partitionsPerTopic)} partitions requested after ${((lastReport - start) / 1000).toFixed(0)} s; load ${loadNow()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.inFlight }, worker));
  return { ms: performance.now() - start, requests, latencies, alreadyExisted };
}

/** Leaders and ISR membership per broker, read from one node's image in chunks (each answer a few MiB). */
async function census(target: { host: string; port: number }, topics: number): Promise<LeaderCensus> {
  const chunk = Math.max(1, Math.floor(50_000 / cfg.partitionsPerTopic));
  const leaders: Record<string, number> = {};
  const inIsr: Record<string, number> = {};
  let partitions = 0;
  for (let i = 0; i < topics; i += chunk) {
    const names = Array.from({ length: Math.min(chunk, topics - i) }, (_, k) => topicName(i + k));
    const d = await askNode(target, 'describeTopics', { names }, { timeoutMs: 60_000 });
    if (d.unknown.length > 0) throw new Error(`census: ${d.unknown.length} topics unknown (${d.unknown[0]}…)`);
    for (const t of d.topics) {
      for (const p of t.partitions) {
        partitions++;
        leaders[String(p.leader)] = (leaders[String(p.leader)] ?? 0) + 1;
        for (const r of p.isr) inIsr[String(r)] = (inIsr[String(r)] ?? 0) + 1;
      }
    }
  }
  return { partitions, leaders, inIsr };
}

/** The newest snapshot file in a node's metadata directory, or null. */
async function newestSnapshot(n: PlannedNode): Promise<{ bytes: number; endOffset: number } | null> {
  const dir = join(n.dir, 'metadata', METADATA_PARTITION_DIR, 'snapshots');
  let best: { bytes: number; endOffset: number } | null = null;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
    if (m === null) continue;
    const endOffset = Number(m[1]);
    if (best !== null && best.endOffset >= endOffset) continue;
    best = { bytes: (await stat(join(dir, name))).size, endOffset };
  }
  return best;
}

/** The memory samples a node's processes wrote (scale/mem-sampled-cli.ts), oldest first, by pid. */
async function memorySamples(memDir: string, n: PlannedNode): Promise<Map<number, MemorySample[]>> {
  const out = new Map<number, MemorySample[]>();
  let names: string[];
  try {
    names = await readdir(memDir);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^node-(\d+)-(\d+)\.jsonl$/.exec(name);
    if (m === null || Number(m[1]) !== n.id) continue;
    const lines = (await readFile(join(memDir, name), 'utf8')).split('\n').filter((l) => l !== '');
    const samples: MemorySample[] = [];
    for (const l of lines) {
      try {
        samples.push(JSON.parse(l) as MemorySample);
      } catch {
        // a line cut by a kill
      }
    }
    out.set(Number(m[2]), samples);
  }
  return out;
}

/** The last NDJSON line of a node's log with this message, parsed (null: none). */
async function lastLogLine(n: PlannedNode, msg: string): Promise<Record<string, unknown> | null> {
  const text = await readFile(n.logPath, 'utf8');
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (!l.includes(msg)) continue;
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (o['msg'] === msg) return o;
    } catch {
      // a line of something else
    }
  }
  return null;
}

async function trial(i: number, root: string, cliPath: string, hooks: ReturnType<typeof installBenchCleanup>): Promise<Trial> {
  const dir = join(root, `trial-${i}`);
  const memDir = join(dir, 'memory');
  await mkdir(memDir, { recursive: true });
  process.env['METAQUORUM_MEM_DIR'] = memDir; // the nodes inherit it (scale/mem-sampled-cli.ts)
  const exits = new ExitWatch(say);
  const cluster: ProcessCluster = await ProcessCluster.create({
    dataDir: dir,
    shape: { controllers: 3, brokers: BROKERS, combined: false, basePort: 0, properties: CLUSTER_PROPERTIES },
    cliPath,
    logLevel: 'info',
    onUnexpectedExit: exits.onExit(() => cluster),
  });
  hooks.cluster = cluster;
  const race = <T>(p: Promise<T>) => exits.race(p);
  const pids = () => new Map(cluster.nodes.map((n) => [n.id, cluster.pid(n.id)]));
  const sampler = new RssSampler(pids);
  const channel = controllerChannelTo(cluster, 60_000);
  const topics = Math.ceil(cfg.partitions / cfg.partitionsPerTopic);
  try {
    await cluster.startAll();
    await race(waitForClusterReady(cluster, BOUNDS.readyMs));

    // create
    say(`trial ${i}: creating ${fmt(cfg.partitions)} partitions (${fmt(topics)} topics, RF ${cfg.replicationFactor}); load ${loadNow()}`);
    const epochBeforeCreate = await race(leaderEpoch(channel));
    const created = await race(withTimeout(createAll(channel, topics), BOUNDS.createMs, 'topic creation'));
    const { offset: afterCreate } = await race(controllerOffset(cluster, channel));
    const acked = performance.now();
    const epochAfterCreate = await race(leaderEpoch(channel));
    for (const b of cluster.brokers) {
      await race(waitFor(`broker ${b.id} at offset ${afterCreate}`, BOUNDS.brokersCaughtUpMs, async () => {
        const d = await askNode({ host: HOST, port: b.clientPort! }, 'describeNode', {}, { timeoutMs: 30_000 });
        return d.metadataOffset >= afterCreate ? d : undefined;
      }, 100));
    }
    const brokersCaughtUpMs = performance.now() - acked;
    say(`  created in ${(created.ms / 1000).toFixed(1)} s (${created.requests} requests, ${epochAfterCreate - epochBeforeCreate} controller failovers), on every broker ${(brokersCaughtUpMs / 1000).toFixed(1)} s later; load ${loadNow()}`);

    // memory, snapshot, census
    await new Promise((r) => setTimeout(r, 5_000)); // a snapshot the creation triggered may still be writing
    const settledAtMs = Date.now();
    const firstPids = new Map(cluster.nodes.map((n) => [n.id, cluster.pid(n.id)]));
    const rssAfterCreateBytes: Record<string, number> = {};
    for (const n of cluster.nodes) rssAfterCreateBytes[String(n.id)] = residentMemory(cluster.pid(n.id)).rssBytes;
    let controllerSnapshot: Trial['controllerSnapshot'] = null;
    for (const n of cluster.controllers) {
      const s = await newestSnapshot(n);
      if (s !== null && (controllerSnapshot === null || s.endOffset > controllerSnapshot.endOffset)) controllerSnapshot = { ...s, node: n.id };
    }
    const firstBroker = cluster.brokers[0]!;
    const before = await race(census({ host: HOST, port: firstBroker.clientPort! }, topics));
    let victim = cluster.brokers[0]!;
    for (const b of cluster.brokers) if ((before.leaders[String(b.id)] ?? 0) > (before.leaders[String(victim.id)] ?? 0)) victim = b;
    say(`  leaders by broker ${JSON.stringify(before.leaders)}; broker ${victim.id} leads ${fmt(before.leaders[String(victim.id)] ?? 0)}`);

    // controlled shutdown (with --cpu-prof, the active controller is profiled from SIGTERM to exit)
    const profiling = (process.env['METAQUORUM_CPU_PROF_DIR'] ?? '') !== '';
    const toggleProfiler = (id: number) => {
      const pid = cluster.pid(id);
      if (pid !== null) process.kill(pid, 'SIGUSR2');
    };
    const activeAtShutdown = (await race(channel.call('describeQuorum', {}))).leaderId ?? -1;
    if (profiling) toggleProfiler(activeAtShutdown);
    const hwmBeforeShutdown = new Map(cluster.nodes.map((n) => [n.id, residentMemory(cluster.pid(n.id)).hwmBytes]));
    const epochBeforeShutdown = await race(leaderEpoch(channel));
    const t0 = performance.now();
    const exit = cluster.exited(victim.id);
    await race(withTimeout(cluster.signal(victim.id, 'SIGTERM'), BOUNDS.shutdownMs + 5_000, `broker ${victim.id}'s shutdown`));
    const sigtermToExitMs = performance.now() - t0;
    if (profiling) toggleProfiler(activeAtShutdown);
    const { code: exitCode } = await exit;
    const stopped = await lastLogLine(victim, 'broker stopped');
    const controlledShutdownMs = typeof stopped?.['controlledShutdownMs'] === 'number' ? stopped['controlledShutdownMs'] : NaN;
    const timedOut = stopped?.['timedOut'] === true;
    say(`  broker ${victim.id}: controlled shutdown ${fmt(controlledShutdownMs)} ms${timedOut ? ' (timed out)' : ''}, SIGTERM → exit ${fmt(sigtermToExitMs)} ms (code ${exitCode})`);
    const brokerSnapshot = await newestSnapshot(victim);
    const { leaderId, offset: afterShutdown } = await race(controllerOffset(cluster, channel));
    const epochAfterShutdown = await race(leaderEpoch(channel));
    const after = await race(census(controllerOf(cluster, cluster.node(leaderId)), topics));

    // cold start
    const target = (await race(controllerOffset(cluster, channel))).offset;
    const s0 = performance.now();
    if (profiling) process.env['METAQUORUM_CPU_PROF_FROM_START'] = '1';
    cluster.start(victim.id);
    delete process.env['METAQUORUM_CPU_PROF_FROM_START'];
    let caughtUpMs = NaN;
    await race(waitFor(`broker ${victim.id} RUNNING at offset ${target}`, BOUNDS.coldStartMs, async () => {
      const d = await askNode({ host: HOST, port: victim.clientPort! }, 'describeNode', {}, { timeoutMs: 5_000 });
      if (d.metadataOffset >= target && Number.isNaN(caughtUpMs)) caughtUpMs = performance.now() - s0;
      return d.brokerState === 'RUNNING' && d.metadataOffset >= target ? d : undefined;
    }, 20));
    const runningMs = performance.now() - s0;
    if (profiling) toggleProfiler(victim.id);
    const epochAfterColdStart = await race(leaderEpoch(channel));
    const restartedPeak = residentMemory(cluster.pid(victim.id)).hwmBytes;
    say(`  broker ${victim.id} cold start: caught up in ${fmt(caughtUpMs)} ms, RUNNING in ${fmt(runningMs)} ms; load ${loadNow()}`);

    const peaks = sampler.takePeaks();
    const peakRssBytes: Record<string, number> = {};
    for (const n of cluster.nodes) peakRssBytes[String(n.id)] = Math.max(peaks.get(n.id) ?? 0, hwmBeforeShutdown.get(n.id) ?? 0, residentMemory(cluster.pid(n.id)).hwmBytes || 0);

    const profiles: Trial['profiles'] = {};
    if (profiling) {
      const dir = process.env['METAQUORUM_CPU_PROF_DIR']!;
      const read = async (id: number, pid: number | null) =>
        pid === null ? undefined : readProfile(await waitFor(`node ${id}'s profile`, 60_000, async () => {
          const f = join(dir, `node-${id}-${pid}-1.cpuprofile`);
          return (await stat(f).catch(() => null)) === null ? undefined : f;
        }, 200), 12);
      const shutdownController = await read(activeAtShutdown, firstPids.get(activeAtShutdown) ?? null).catch(() => undefined);
      if (shutdownController !== undefined) profiles.shutdownController = { node: activeAtShutdown, summary: shutdownController };
      const coldStartBroker = await read(victim.id, cluster.pid(victim.id)).catch(() => undefined);
      if (coldStartBroker !== undefined) profiles.coldStartBroker = { node: victim.id, summary: coldStartBroker };
    }
    const memoryAfterCreate: Record<string, MemoryUse | null> = {};
    const peakHeapUsedBytes: Record<string, number> = {};
    for (const n of cluster.nodes) {
      const samples = (await memorySamples(memDir, n)).get(firstPids.get(n.id) ?? -1) ?? [];
      const at = samples.filter((x) => x.t <= settledAtMs).pop() ?? null;
      memoryAfterCreate[String(n.id)] = at === null ? null : { rss: at.rss, heapUsed: at.heapUsed, heapTotal: at.heapTotal, external: at.external, arrayBuffers: at.arrayBuffers };
      peakHeapUsedBytes[String(n.id)] = Math.max(0, ...samples.map((x) => x.heapUsed));
    }
    // Measured: the rest of the cluster only has to go. Brokers stopping together cannot drain
    // onto each other (the last one standing is the last ISR member everywhere), so a short grace,
    // then SIGKILL.
    await cluster.stop(5_000);
    hooks.cluster = undefined;
    if (args['keep-data'] !== true) await rm(dir, { recursive: true, force: true });
    return {
      createMs: created.ms,
      createRequests: created.requests,
      createLatencyMs: { p50: percentile(created.latencies, 0.5), p99: percentile(created.latencies, 0.99), max: summarize(created.latencies).max },
      brokersCaughtUpMs,
      metadataOffsetAfterCreate: afterCreate,
      rssAfterCreateBytes,
      peakRssBytes,
      memoryAfterCreate,
      peakHeapUsedBytes,
      profiles,
      controllerSnapshot,
      brokerSnapshotBytes: brokerSnapshot?.bytes ?? NaN,
      shutdown: {
        brokerId: victim.id,
        ledBefore: before.leaders[String(victim.id)] ?? 0,
        inIsrBefore: before.inIsr[String(victim.id)] ?? 0,
        controlledShutdownMs,
        timedOut,
        sigtermToExitMs,
        exitCode,
        ledAfter: after.leaders[String(victim.id)] ?? 0,
        inIsrAfter: after.inIsr[String(victim.id)] ?? 0,
        metadataOffsetAfter: afterShutdown,
      },
      coldStart: { targetOffset: target, caughtUpMs, runningMs, peakRssBytes: restartedPeak },
      census: before,
      leaderChanges: { create: epochAfterCreate - epochBeforeCreate, shutdown: epochAfterShutdown - epochBeforeShutdown, coldStart: epochAfterColdStart - epochAfterShutdown },
      createRetriedTopics: created.alreadyExisted,
    };
  } finally {
    sampler.close();
    await channel.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-scale-'));
  const hooks = installBenchCleanup({ root, keepData: args['keep-data'] === true, say, closeOwn: async () => undefined });
  const watchdog = setTimeout(() => {
    say(`bench:scale: the run took longer than ${Math.round(BOUNDS.runMs / 60_000)} min; stopping everything`);
    void hooks.run().finally(() => process.exit(1));
  }, BOUNDS.runMs);
  watchdog.unref();
  const loadAtStart = loadNow();
  const trials: Trial[] = [];
  const notes: string[] = [];
  let profileDir: string | undefined;
  try {
    // Every node samples its own memory; with --cpu-prof it also runs under the V8 profiler.
    const cliPath = fileURLToPath(new URL('./scale/mem-sampled-cli.js', import.meta.url));
    if (args['cpu-prof'] !== undefined) {
      profileDir = resolve(args['cpu-prof']);
      await mkdir(profileDir, { recursive: true });
      process.env['METAQUORUM_CPU_PROF_DIR'] = profileDir;
      notes.push(`CPU profiles (SIGUSR2 windows) written to ${profileDir}; profiling slows the nodes.`);
    }
    for (let i = 1; i <= cfg.trials; i++) trials.push(await trial(i, root, cliPath, hooks));
  } finally {
    clearTimeout(watchdog);
    await hooks.run();
  }
  report(trials, loadAtStart, notes, profileDir);
}

function report(trials: readonly Trial[], loadAtStart: string, notes: string[], profileDir: string | undefined): void {
  const last = trials[trials.length - 1];
  if (profileDir !== undefined && last !== undefined) {
    const p = last.profiles;
    if (p.shutdownController !== undefined) notes.push(`Profile of controller ${p.shutdownController.node} (active when the controlled shutdown began), SIGTERM → the broker's exit:\n\n${formatProfile(p.shutdownController.summary)}`);
    if (p.coldStartBroker !== undefined) notes.push(`Profile of broker ${p.coldStartBroker.node}, spawn → RUNNING:\n\n${formatProfile(p.coldStartBroker.summary)}`);
  }
  const stat = (pick: (t: Trial) => number) => {
    const xs = trials.map(pick);
    const s = summarize(xs);
    return { median: percentile(xs, 0.5), min: s.min, max: s.max };
  };
  const controllerIds = [1, 2, 3];
  const brokerIds = [4, 5, 6];
  const maxOf = (r: Record<string, number>, ids: readonly number[]) => Math.max(...ids.map((id) => r[String(id)] ?? NaN));
  const heapOf = (t: Trial, k: keyof MemoryUse) => Object.fromEntries(Object.entries(t.memoryAfterCreate).map(([id, m]) => [id, m?.[k] ?? NaN]));
  // Where the resident memory of the largest controller and broker was once creation settled (last trial).
  const breakdown = (ids: readonly number[], role: string): string => {
    const t = trials[trials.length - 1];
    if (t === undefined) return '';
    const id = ids.reduce((a, b) => ((t.rssAfterCreateBytes[String(b)] ?? 0) > (t.rssAfterCreateBytes[String(a)] ?? 0) ? b : a));
    const m = t.memoryAfterCreate[String(id)];
    if (m === null || m === undefined) return '';
    const mib = (b: number) => `${fmt(b / MiB)} MiB`;
    return `${role} ${id} after creation: resident ${mib(m.rss)} = V8 heap ${mib(m.heapTotal)} (${mib(m.heapUsed)} in use) + external ${mib(m.external)} (ArrayBuffers ${mib(m.arrayBuffers)}) + the rest (code, stacks, allocator) ${mib(m.rss - m.heapTotal - m.external)}.`;
  };
  notes.push(breakdown(controllerIds, 'controller'), breakdown(brokerIds, 'broker'));
  type Unit = 'ms' | 'MiB' | 'n';
  const rows: [string, ReturnType<typeof stat>, Unit, string][] = [
    ['creation: CreateTopics, first request → last commit', stat((t) => t.createMs), 'ms', `${cfg.inFlight} requests in flight`],
    ['creation: last commit → every broker has it', stat((t) => t.brokersCaughtUpMs), 'ms', '3 brokers'],
    ['controller resident memory after creation (largest of 3)', stat((t) => maxOf(t.rssAfterCreateBytes, controllerIds) / MiB), 'MiB', `target ≤ ${TARGETS.controllerRssBytes / MiB} MiB`],
    ['controller peak resident memory (largest of 3)', stat((t) => maxOf(t.peakRssBytes, controllerIds) / MiB), 'MiB', `target ≤ ${TARGETS.controllerRssBytes / MiB} MiB`],
    ['broker resident memory after creation (largest of 3)', stat((t) => maxOf(t.rssAfterCreateBytes, brokerIds) / MiB), 'MiB', ''],
    ['broker peak resident memory (largest of 3)', stat((t) => maxOf(t.peakRssBytes, brokerIds) / MiB), 'MiB', ''],
    ['controller V8 heap used after creation (largest of 3)', stat((t) => maxOf(heapOf(t, 'heapUsed'), controllerIds) / MiB), 'MiB', 'see the breakdown below'],
    ['controller peak V8 heap used (largest of 3)', stat((t) => maxOf(t.peakHeapUsedBytes, controllerIds) / MiB), 'MiB', 'sampled every second'],
    ['broker V8 heap used after creation (largest of 3)', stat((t) => maxOf(heapOf(t, 'heapUsed'), brokerIds) / MiB), 'MiB', ''],
    // A run small enough to stay under the size trigger has none: 0 MiB, said in the note.
    ['newest controller snapshot on disk', stat((t) => (t.controllerSnapshot?.bytes ?? 0) / MiB), 'MiB', 'taken by the size trigger, may lag the log end (0: none taken yet)'],
    ["broker's snapshot of the whole image (written at shutdown)", stat((t) => t.brokerSnapshotBytes / MiB), 'MiB', ''],
    ['controlled shutdown (broker: asked → granted)', stat((t) => t.shutdown.controlledShutdownMs), 'ms', `target ≤ ${fmt(TARGETS.controlledShutdownMs)} ms`],
    ['controlled shutdown: SIGTERM → process exit', stat((t) => t.shutdown.sigtermToExitMs), 'ms', 'includes the local snapshot'],
    ['  partitions the broker led before', stat((t) => t.shutdown.ledBefore), 'n', 'leads none after (checked)'],
    ['controller failovers during creation, shutdown and cold start', stat((t) => t.leaderChanges.create + t.leaderChanges.shutdown + t.leaderChanges.coldStart), 'n', 'leader epoch changes (per phase in the JSON)'],
    ['broker cold start: spawn → image at the controllers\' offset', stat((t) => t.coldStart.caughtUpMs), 'ms', `target ≤ ${fmt(TARGETS.coldStartMs)} ms`],
    ['broker cold start: spawn → RUNNING (unfenced)', stat((t) => t.coldStart.runningMs), 'ms', ''],
  ];
  const show = (v: number, u: Unit) => (u === 'ms' ? `${fmt(v)} ms` : u === 'MiB' ? `${fmt(v)} MiB` : fmt(v));
  const table = [
    `scale bench: ${fmt(cfg.partitions)} partitions (${fmt(Math.ceil(cfg.partitions / cfg.partitionsPerTopic))} topics × ${fmt(cfg.partitionsPerTopic)}, RF ${cfg.replicationFactor}), 3 controllers + 3 brokers (split mode, separate processes, 127.0.0.1); ${cfg.trials} trial(s); ${cpus().length} cores, ${fmt(totalmem() / GiB)} GiB; ${process.version}; load ${loadAtStart} → ${loadNow()}`,
    '',
    '| measure | median | min – max | note |',
    '| --- | --- | --- | --- |',
    ...rows.map(([name, s, u, note]) => `| ${name} | ${show(s.median, u)} | ${show(s.min, u)} – ${show(s.max, u)} | ${note} |`),
    ...notes.filter((n) => n !== "").map((n) => `\n${n}`),
  ].join('\n');
  const json = JSON.stringify({ bench: 'scale', config: cfg, properties: CLUSTER_PROPERTIES, loadAverage: { start: loadAtStart, end: loadNow() }, cpus: cpus().length, node: process.version, trials, summary: Object.fromEntries(rows.map(([name, s]) => [name.trim(), s])), notes }, null, 2);
  void emitBenchResult({ table, json, asJson: args.json === true, out: args.out, say }).then(() => process.exit(0));
}

try {
  await main();
} catch (e) {
  console.error('scale bench failed:', e instanceof Error ? e.message : e);
  process.exit(1);
}
