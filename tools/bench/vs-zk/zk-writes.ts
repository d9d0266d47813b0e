// ZooKeeper's side of the write workloads of bench:vs-zk, shaped as perf-anchors.md A.4 (a): a
// setData(path, ~206-byte partition state, -1) on the same 1,000 partition states the metaquorum
// side alters. Throughput: `outstanding` closed loops over 6 connections, 2 pinned to each server
// (followers forward writes to the leader, as clients spread over an ensemble do); each loop owns
// distinct partitions. Latency: one connection pinned to one server, one request at a time.
// Every phase warms up untimed first (the JVM's JIT), then times its window with CPU sampled.

import type { Client } from 'node-zookeeper-client';
import { closeZooKeeper, connectZooKeeper, zkSetData } from '../../zookeeper/zk-client.js';
import type { ZooKeeperCluster } from '../../zookeeper/local-zookeeper.js';
import { errKey, now } from '../cluster/bench-cluster.js';
import { cpuBetween, sampleCpu, type CpuUse } from '../cluster/proc-cpu.js';
import { closedLoops, type LoopRun } from '../closed-loops.js';
import { percentile } from '../stats.js';
import { partitionState } from './layout.js';

/** A partition state znode and the topic it belongs to (for its value). */
export interface ZkKey {
  readonly path: string;
  readonly topic: string;
  epoch: number;
}

/** Clients this module opened and has not closed yet (closed by the bench's cleanup on any exit). */
export const openZkClients = new Set<Client>();

export async function openPinned(zk: ZooKeeperCluster, server: number): Promise<Client> {
  const c = await connectZooKeeper(zk.servers[server]!.address, { timeoutMs: 15_000 });
  openZkClients.add(c);
  return c;
}

export async function closePinned(c: Client): Promise<void> {
  openZkClients.delete(c);
  await closeZooKeeper(c);
}

/** One setData of `k` with the next epoch. */
export async function writeKey(c: Client, k: ZkKey): Promise<void> {
  k.epoch++;
  await zkSetData(c, k.path, partitionState(k.topic, k.epoch));
}

/** `loops` closed loops of setData over `keys` (closed-loops.ts), loop w on clients[w mod n]. */
export function zkWriteLoops(clients: readonly Client[], keys: readonly ZkKey[], loops: number, endMs: number, opsMax: number, record: boolean): Promise<LoopRun> {
  return closedLoops(keys, {
    loops,
    endMs,
    opsMax,
    record,
    op: (k, w) => writeKey(clients[w % clients.length]!, k).then(
      () => ({ ok: true }) as const,
      (e: unknown) => ({ ok: false, key: errKey(e) }) as const,
    ),
  });
}

export interface ZkThroughputOptions {
  readonly outstanding: number;
  /** Connections, spread round the servers (the anchors: 6, 2 per server). */
  readonly connections: number;
  readonly warmUpOps: number;
  readonly writeSeconds: number;
  readonly pids: () => ReadonlyMap<number, number | null>;
}

export async function zkThroughput(zk: ZooKeeperCluster, keys: readonly ZkKey[], o: ZkThroughputOptions): Promise<{ run: LoopRun; cpu: CpuUse }> {
  const clients: Client[] = [];
  try {
    for (let i = 0; i < o.connections; i++) clients.push(await openPinned(zk, i % zk.servers.length));
    await zkWriteLoops(clients, keys, o.outstanding, Infinity, o.warmUpOps, false);
    const c0 = sampleCpu(o.pids());
    const run = await zkWriteLoops(clients, keys, o.outstanding, now() + o.writeSeconds * 1000, Infinity, true);
    return { run, cpu: cpuBetween(c0, sampleCpu(o.pids())) };
  } finally {
    for (const c of clients) await closePinned(c);
  }
}

/** One outstanding setData at a time on a connection pinned to `server`. */
export async function zkLatency(zk: ZooKeeperCluster, server: number, keys: readonly ZkKey[], o: { warmUpOps: number; ops: number; maxSeconds: number; pids: () => ReadonlyMap<number, number | null> }): Promise<{ run: LoopRun; cpu: CpuUse; p50: number; p99: number }> {
  const c = await openPinned(zk, server);
  try {
    await zkWriteLoops([c], keys, 1, Infinity, o.warmUpOps, false);
    const c0 = sampleCpu(o.pids());
    const run = await zkWriteLoops([c], keys, 1, now() + o.maxSeconds * 1000, o.ops, true);
    return { run, cpu: cpuBetween(c0, sampleCpu(o.pids())), p50: percentile(run.latencies, 0.5), p99: percentile(run.latencies, 0.99) };
  } finally {
    await closePinned(c);
  }
}
