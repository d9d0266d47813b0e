// metaquorum's cold read for bench:vs-zk: a new broker, from spawning its process to a complete
// metadata image. The bench's cluster has one broker it never starts with the others; each trial
// starts it with an empty metadata directory (meta.properties only: formatted, never run), so it
// fetches everything as a Raft observer (the leader's latest snapshot when the log starts past 0,
// then the log after it) and replays it into its image. "Complete" is the broker's image reaching
// the high watermark the quorum had when the process was spawned (no writes run meanwhile), read
// by polling the broker's describeNode every few ms on one connection. Also recorded: when its listener first
// answered (the process's start-up), when it ran (registered, caught up, unfenced), and the
// snapshot it loaded, from its log. After the trial the broker is killed and unregistered (it
// hosts no partition, so the next topics are never placed on it) and its directory emptied again.

import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, errorName } from '../../../quorum/controller/errors.js';
import { silentLogger } from '../../../quorum/env/index.js';
import { NetClient } from '../../../quorum/net/client.js';
import type { DescribeNodeResponse } from '../../../quorum/server/rpc-methods.js';
import { HOST, now, sleep, TOOL, type Bench } from '../cluster/bench-cluster.js';

const POLL_MS = 5;
const GIVE_UP_MS = 180_000;

export interface ColdBroker {
  /** Spawn → image at the high watermark of the spawn. */
  readonly ms: number;
  /** Spawn → the broker's listener answered (process start-up, storage opened). */
  readonly listeningMs: number;
  /** Spawn → brokerState RUNNING (registered, caught up, unfenced); NaN if not seen. */
  readonly runningMs: number;
  readonly highWatermark: number;
  /** From the broker's log: the snapshot it loaded (end offset), and when, ms after spawn. */
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

export async function coldBrokerTrial(b: Bench, brokerId: number): Promise<ColdBroker> {
  const node = b.cluster.node(brokerId);
  const target = (await b.channel.call('describeQuorum', {}, { timeoutMs: 5_000 })).highWatermark;
  const logFrom = await logSize(node.logPath);
  const spawnWallMs = Date.now();
  const t0 = now();
  b.cluster.start(brokerId);
  let listeningMs = NaN;
  let imageMs = NaN;
  let runningMs = NaN;
  // One connection once the listener is up (a connection per poll would cost the loading broker a
  // handshake and two log lines every few ms); until then, a refused dial every POLL_MS.
  let poller: NetClient | undefined;
  try {
    while (now() - t0 < GIVE_UP_MS && !(Number.isFinite(imageMs) && Number.isFinite(runningMs))) {
      poller ??= new NetClient({ endpoint: { host: HOST, port: node.clientPort! }, self: TOOL, reconnect: false, connectTimeoutMs: 1_000, logger: silentLogger });
      try {
        const d = await poller.request<DescribeNodeResponse>('describeNode', {}, { timeoutMs: 5_000 });
        const t = now() - t0;
        if (!Number.isFinite(listeningMs)) listeningMs = t;
        if (!Number.isFinite(imageMs) && d.metadataOffset >= target) imageMs = t;
        if (!Number.isFinite(runningMs) && d.brokerState === 'RUNNING') runningMs = t;
      } catch {
        await poller.close(); // not listening yet
        poller = undefined;
      }
      await sleep(POLL_MS);
    }
    if (!Number.isFinite(imageMs)) throw new Error(`broker ${brokerId} did not reach offset ${target} within ${GIVE_UP_MS / 1000} s`);
  } finally {
    await poller?.close();
    await b.cluster.kill(brokerId);
    const r = await b.channel.call('unregisterBroker', { brokerId }, { timeoutMs: 10_000 }).catch(() => null);
    if (r !== null && r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.BROKER_ID_NOT_REGISTERED) throw new Error(`unregisterBroker ${brokerId}: ${errorName(r.errorCode)}`);
    await wipeMetadata(b, brokerId);
  }
  const snap = await snapshotLoaded(node.logPath, logFrom);
  return {
    ms: imageMs,
    listeningMs,
    runningMs,
    highWatermark: target,
    snapshotEndOffset: snap?.endOffset ?? null,
    snapshotLoadedMs: snap === null ? NaN : snap.atMs - spawnWallMs,
    snapshotPartitions: snap?.partitions ?? 0,
  };
}
