// metaquorum's cold read for bench:vs-zk: a new broker loading all metadata, two ways.
//
//   in-process (the compared figure): the broker is started by this load generator with the same
//     startNode() a `metaquorum start` runs, like ZooKeeper's cold reader, which is a new client
//     object in this process (connect included, the JVM and the client library already loaded).
//     Timed from startNode() to an image at the target offset, polled every millisecond.
//   spawned: a `metaquorum start` process, timed from spawn (Node.js start-up and module loading
//     included) to the same point, read by polling the broker's describeNode every few ms on one
//     connection.
//
// The bench's cluster has one broker it never starts with the others; each trial starts it with
// an empty metadata directory (meta.properties only: formatted, never run), so it fetches
// everything as a Raft observer (the leader's latest snapshot when the log starts past 0, then the
// log after it) and replays it into its image. The target is the high watermark the quorum had at
// the start (no writes run meanwhile). Also recorded: when it was up (listening), when it ran
// (registered, caught up, unfenced), and the snapshot it loaded, from its log. After the trial the
// broker is stopped hard and unregistered (it hosts no partition, so the next topics are never
// placed on it) and its directory emptied again.

import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, errorName } from '../../../quorum/controller/errors.js';
import { silentLogger } from '../../../quorum/env/index.js';
import { NetClient } from '../../../quorum/net/client.js';
import type { DescribeNodeResponse } from '../../../quorum/server/rpc-methods.js';
import { loadServerConfig } from '../../config/server-config.js';
import { startNode, type RunningNode } from '../../server/node-process.js';
import { HOST, now, sleep, TOOL, type Bench } from '../cluster/bench-cluster.js';

const POLL_MS = 5;
const GIVE_UP_MS = 180_000;

export interface ColdBroker {
  readonly how: 'in-process' | 'spawned';
  /** Start → image at the high watermark of the start. */
  readonly ms: number;
  /** Start → listening (spawned: its listener answered; in-process: startNode() returned). */
  readonly listeningMs: number;
  /** Start → brokerState RUNNING (registered, caught up, unfenced); NaN if not seen. */
  readonly runningMs: number;
  readonly highWatermark: number;
  /** From the broker's log: the snapshot it loaded (end offset), and when, ms after the start. */
  readonly snapshotEndOffset: number | null;
  readonly snapshotLoadedMs: number;
  /** Partitions in that snapshot. */
  readonly snapshotPartitions: number;
}

/** Empties a broker's metadata directory but for meta.properties (formatted, never run). */
export async function wipeMetadata(b: Bench, brokerId: number): Promise<void> {
  const dir = join(b.cluster.node(brokerId).dir, 'metadata');
  for (const e of await readdir(dir)) if (e !== 'meta.properties') await rm(join(dir, e), { recursive: true, force: true });
}

async function logSize(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0);
}

/** The 'loaded a metadata snapshot' line the broker logged after `from` bytes of its log. */
async function snapshotLoaded(path: string, from: number): Promise<{ endOffset: number; atMs: number; partitions: number } | null> {
  const text = (await readFile(path)).subarray(from).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('loaded a metadata snapshot')) continue;
    try {
      const j = JSON.parse(line) as { time?: string; snapshot?: { endOffset?: number }; partitions?: number };
      return { endOffset: j.snapshot?.endOffset ?? NaN, atMs: Date.parse(j.time ?? ''), partitions: j.partitions ?? NaN };
    } catch {
      // a line being written
    }
  }
  return null;
}

/** The quorum's high watermark now: what a cold broker's image must reach. */
async function targetOffset(b: Bench): Promise<number> {
  return (await b.channel.call('describeQuorum', {}, { timeoutMs: 5_000 })).highWatermark;
}

/** After a trial: the broker unregistered (it hosts nothing) and its directory empty again. */
async function forget(b: Bench, brokerId: number): Promise<void> {
  const r = await b.channel.call('unregisterBroker', { brokerId }, { timeoutMs: 10_000 }).catch(() => null);
  if (r !== null && r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.BROKER_ID_NOT_REGISTERED) throw new Error(`unregisterBroker ${brokerId}: ${errorName(r.errorCode)}`);
  await wipeMetadata(b, brokerId);
}

async function result(
  how: ColdBroker['how'],
  logPath: string,
  logFrom: number,
  startWallMs: number,
  times: { imageMs: number; listeningMs: number; runningMs: number },
  highWatermark: number,
): Promise<ColdBroker> {
  const snap = await snapshotLoaded(logPath, logFrom);
  return {
    how,
    ms: times.imageMs,
    listeningMs: times.listeningMs,
    runningMs: times.runningMs,
    highWatermark,
    snapshotEndOffset: snap?.endOffset ?? null,
    snapshotLoadedMs: snap === null ? NaN : snap.atMs - startWallMs,
    snapshotPartitions: snap?.partitions ?? 0,
  };
}

/** The broker started in this process by startNode(), as `metaquorum start` would; its log goes to its node.log. */
export async function coldBrokerInProcessTrial(b: Bench, brokerId: number): Promise<ColdBroker> {
  const node = b.cluster.node(brokerId);
  const config = await loadServerConfig(node.configPath, [], () => {});
  const target = await targetOffset(b);
  const logFrom = await logSize(node.logPath);
  const fd = openSync(node.logPath, 'a');
  let fatal: unknown = undefined;
  let running: RunningNode | undefined;
  const times = { imageMs: NaN, listeningMs: NaN, runningMs: NaN };
  const startWallMs = Date.now();
  const t0 = now();
  try {
    running = await startNode(config, 'info', (e) => (fatal ??= e), node.configPath, fd);
    times.listeningMs = now() - t0;
    const broker = running.broker;
    if (broker === undefined) throw new Error(`node ${brokerId} started without a broker`);
    while (now() - t0 < GIVE_UP_MS && !(Number.isFinite(times.imageMs) && Number.isFinite(times.runningMs))) {
      if (fatal !== undefined) throw new Error(`broker ${brokerId} stopped: ${fatal instanceof Error ? fatal.message : String(fatal)}`);
      const t = now() - t0;
      if (!Number.isFinite(times.imageMs) && broker.image.provenance.endOffset >= target) times.imageMs = t;
      if (!Number.isFinite(times.runningMs) && broker.state === 'RUNNING') times.runningMs = t;
      await sleep(1);
    }
    if (!Number.isFinite(times.imageMs)) throw new Error(`broker ${brokerId} did not reach offset ${target} within ${GIVE_UP_MS / 1000} s`);
  } finally {
    await running?.broker?.halt();
    closeSync(fd);
    await forget(b, brokerId);
  }
  return result('in-process', node.logPath, logFrom, startWallMs, times, target);
}

/** The broker as its own `metaquorum start` process. */
export async function coldBrokerTrial(b: Bench, brokerId: number): Promise<ColdBroker> {
  const node = b.cluster.node(brokerId);
  const target = await targetOffset(b);
  const logFrom = await logSize(node.logPath);
  const startWallMs = Date.now();
  const t0 = now();
  b.cluster.start(brokerId);
  const times = { imageMs: NaN, listeningMs: NaN, runningMs: NaN };
  // One connection once the listener is up (a connection per poll would cost the loading broker a
  // handshake and two log lines every few ms); until then, a refused dial every POLL_MS.
  let poller: NetClient | undefined;
  try {
    while (now() - t0 < GIVE_UP_MS && !(Number.isFinite(times.imageMs) && Number.isFinite(times.runningMs))) {
      poller ??= new NetClient({ endpoint: { host: HOST, port: node.clientPort! }, self: TOOL, reconnect: false, connectTimeoutMs: 1_000, logger: silentLogger });
      try {
        const d = await poller.request<DescribeNodeResponse>('describeNode', {}, { timeoutMs: 5_000 });
        const t = now() - t0;
        if (!Number.isFinite(times.listeningMs)) times.listeningMs = t;
        if (!Number.isFinite(times.imageMs) && d.metadataOffset >= target) times.imageMs = t;
        if (!Number.isFinite(times.runningMs) && d.brokerState === 'RUNNING') times.runningMs = t;
      } catch {
        await poller.close(); // not listening yet
        poller = undefined;
      }
      await sleep(POLL_MS);
    }
    if (!Number.isFinite(times.imageMs)) throw new Error(`broker ${brokerId} did not reach offset ${target} within ${GIVE_UP_MS / 1000} s`);
  } finally {
    await poller?.close();
    await b.cluster.kill(brokerId);
    await forget(b, brokerId);
  }
  return result('spawned', node.logPath, logFrom, startWallMs, times, target);
}
