// The load generator's side of a ProcessCluster, shared by bench:cluster and bench:vs-zk: the
// connections and channels it opens (kept in sets so that cleanup closes every one on any exit
// path), the active controller, typed and bounded requests, and the quiet gate that keeps a
// background build on the shared 2-core machine from silently halving a timed phase.

import { silentLogger } from '../../../quorum/env/index.js';
import { NetClient } from '../../../quorum/net/client.js';
import { RemoteError, type PeerIdentity } from '../../../quorum/net/types.js';
import type { ControllerChannel } from '../../../quorum/server/controller-channel.js';
import type { RpcMethod, RpcRequest, RpcResponse } from '../../../quorum/server/rpc-methods.js';
import { controllerChannelTo, waitFor } from '../../server/cluster-ready.js';
import type { ProcessCluster } from '../../server/process-cluster.js';
import { percentile, summarize } from '../stats.js';
import { cpuBetween, sampleCpu } from './proc-cpu.js';

export const HOST = '127.0.0.1';
export const TOOL: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: null };
/** Timed phases wait (bounded) until the rest of the machine uses less than this many cores. */
export const QUIET_OTHER_CORES = 0.3;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();

export const errText = (e: unknown) => (e instanceof RemoteError ? e.errorName : e instanceof Error ? `${e.name}: ${e.message.slice(0, 80)}` : String(e));
/** A short key for counting failures: the remote error name, a socket error code, or the class. */
export const errKey = (e: unknown) => {
  if (e instanceof RemoteError) return e.errorName;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown';
};

export function latencyJson(samples: readonly number[]) {
  const s = summarize(samples);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), ...s };
}

/** A typed request on one connection. */
export function rpc<M extends RpcMethod>(c: NetClient, method: M, request: RpcRequest<M>, timeoutMs = 10_000): Promise<RpcResponse<M>> {
  return c.request<RpcResponse<M>>(method, request, { timeoutMs });
}

/** `p`, or a rejection after `timeoutMs` (every phase is bounded). */
export function bounded<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The cluster and the connections this process opens (all closed by cleanup). */
export interface Bench {
  readonly cluster: ProcessCluster;
  /** Follows the active controller across failovers (setup, recovery checks). */
  readonly channel: ControllerChannel;
  readonly clients: Set<NetClient>;
  readonly channels: Set<ControllerChannel>;
}

export function openClient(b: Bench, port: number, nodeId: number): NetClient {
  const c = new NetClient({
    endpoint: { host: HOST, port },
    self: TOOL,
    expect: { nodeId },
    reconnect: false,
    connectTimeoutMs: 2_000,
    logger: silentLogger,
  });
  c.connect();
  b.clients.add(c);
  return c;
}

export async function closeClient(b: Bench, c: NetClient): Promise<void> {
  b.clients.delete(c);
  await c.close();
}

export function openChannel(b: Bench, attemptTimeoutMs: number, defaultTimeoutMs: number): ControllerChannel {
  const ch = controllerChannelTo(b.cluster, defaultTimeoutMs, attemptTimeoutMs);
  b.channels.add(ch);
  return ch;
}

export async function closeChannel(b: Bench, ch: ControllerChannel): Promise<void> {
  b.channels.delete(ch);
  await ch.close();
}

/** Closes everything the bench opened (the cleanup hook's `closeOwn`). */
export async function closeAll(b: Bench): Promise<void> {
  for (const ch of [...b.channels]) await ch.close().catch(() => undefined);
  for (const c of [...b.clients]) await c.close().catch(() => undefined);
  await b.channel.close().catch(() => undefined);
}

/** The Raft leader, once it runs as the active controller (describeCluster answers only there). */
export async function activeController(b: Bench, timeoutMs = 30_000): Promise<{ id: number; epoch: number }> {
  return waitFor(
    'an active controller',
    timeoutMs,
    async () => {
      const q = await b.channel.call('describeQuorum', {}, { timeoutMs: 2_000 });
      if (q.leaderId === null) return undefined;
      const d = await b.channel.call('describeCluster', {}, { timeoutMs: 2_000 });
      return d.controllerId === q.leaderId ? { id: q.leaderId, epoch: q.leaderEpoch } : undefined;
    },
    20,
  );
}

/** A direct connection to the active controller (writes without a hop through the channel). */
export async function leaderClient(b: Bench): Promise<{ id: number; epoch: number; client: NetClient }> {
  const a = await activeController(b);
  return { ...a, client: openClient(b, b.cluster.node(a.id).controllerPort!, a.id) };
}

export function pidsOf(cluster: ProcessCluster): Map<number, number | null> {
  return new Map(cluster.nodes.map((n) => [n.id, cluster.pid(n.id)]));
}

/**
 * Waits until processes other than `pids()` and this bench use under QUIET_OTHER_CORES (1 s
 * samples), at most `maxWaitMs`: on a shared 2-core machine a background build halves the figures.
 */
export async function waitForQuiet(pids: () => ReadonlyMap<number, number | null>, what: string, maxWaitMs: number, say: (line: string) => void): Promise<{ otherCores: number; waitedMs: number; quiet: boolean }> {
  const t0 = now();
  for (;;) {
    const a = sampleCpu(pids());
    await sleep(1_000);
    const u = cpuBetween(a, sampleCpu(pids()));
    const quiet = u.otherCores < QUIET_OTHER_CORES;
    if (quiet || now() - t0 >= maxWaitMs) {
      if (!quiet) say(`${what}: other processes still use ${u.otherCores.toFixed(2)} cores after ${Math.round((now() - t0) / 1000)} s; measuring anyway`);
      return { otherCores: u.otherCores, waitedMs: now() - t0, quiet };
    }
  }
}
