// The two timed write phases of the cluster benchmarks (bench:cluster, bench:vs-zk), on direct
// connections to the active controller (no hop through a channel, as a broker's own AlterPartition
// goes): throughput with many requests outstanding, and single-writer commit latency. Each first
// warms up untimed (JIT, connections, allocator), then times its window and samples CPU of every
// process of interest around it, so that a figure comes with where the cores went.

import type { NetClient } from '../../../quorum/net/client.js';
import { percentile } from '../stats.js';
import { closeClient, leaderClient, now, openClient, pidsOf, rpc, type Bench } from './bench-cluster.js';
import { runAlterLoops, type AlterRun, type Part } from './alter-loops.js';
import { cpuBetween, sampleCpu, type CpuUse } from './proc-cpu.js';

export interface WarmUp {
  /** Untimed writes before the window: for this long, or this many, whichever ends first. */
  readonly seconds?: number;
  readonly ops?: number;
}

export interface ThroughputOptions {
  readonly outstanding: number;
  readonly connections: number;
  readonly warmUp: WarmUp;
  readonly writeSeconds: number;
  readonly say: (line: string) => void;
  /** Processes whose CPU is sampled (default: the cluster's nodes). */
  readonly pids?: () => ReadonlyMap<number, number | null>;
  /** Called as the timed window opens and as it closes (bench:cluster --cpu-prof: SIGUSR2). */
  readonly onWindow?: (edge: 'open' | 'close') => void;
}

export interface ThroughputRun {
  readonly leaderId: number;
  readonly run: AlterRun;
  readonly cpu: CpuUse;
  /** The quorum's high watermark before and after the timed window. */
  readonly hw0: number;
  readonly hw1: number;
}

const warmEnd = (w: WarmUp) => (w.seconds === undefined ? Infinity : now() + w.seconds * 1000);

export async function throughputRun(b: Bench, parts: readonly Part[], epochs: ReadonlyMap<number, number>, o: ThroughputOptions): Promise<ThroughputRun> {
  const pids = o.pids ?? (() => pidsOf(b.cluster));
  const leader = await leaderClient(b);
  const clients: NetClient[] = [leader.client];
  for (let i = 1; i < o.connections; i++) clients.push(openClient(b, b.cluster.node(leader.id).controllerPort!, leader.id));
  try {
    const warm = await runAlterLoops(clients, parts, epochs, o.outstanding, warmEnd(o.warmUp), o.warmUp.ops ?? Infinity, false);
    o.say(`  warm-up ${Math.round(warm.committed / warm.seconds)} writes/s (${warm.committed} writes, errors ${warm.errors}); timing ${o.writeSeconds} s`);
    const hw0 = (await rpc(leader.client, 'describeQuorum', {})).highWatermark;
    o.onWindow?.('open');
    const c0 = sampleCpu(pids());
    const run = await runAlterLoops(clients, parts, epochs, o.outstanding, now() + o.writeSeconds * 1000, Infinity, true);
    const cpu = cpuBetween(c0, sampleCpu(pids()));
    o.onWindow?.('close');
    const hw1 = (await rpc(leader.client, 'describeQuorum', {})).highWatermark;
    return { leaderId: leader.id, run, cpu, hw0, hw1 };
  } finally {
    for (const c of clients) await closeClient(b, c);
  }
}

export interface LatencyOptions {
  readonly warmUpOps: number;
  readonly ops: number;
  readonly maxSeconds: number;
  readonly pids?: () => ReadonlyMap<number, number | null>;
  readonly onWindow?: (edge: 'open' | 'close') => void;
}

/** One outstanding AlterPartition at a time on the active controller: commit latency. */
export async function latencyRun(b: Bench, parts: readonly Part[], epochs: ReadonlyMap<number, number>, o: LatencyOptions): Promise<{ leaderId: number; run: AlterRun; cpu: CpuUse; p50: number; p99: number }> {
  const pids = o.pids ?? (() => pidsOf(b.cluster));
  const leader = await leaderClient(b);
  try {
    await runAlterLoops([leader.client], parts, epochs, 1, Infinity, o.warmUpOps, false);
    o.onWindow?.('open');
    const c0 = sampleCpu(pids());
    const run = await runAlterLoops([leader.client], parts, epochs, 1, now() + o.maxSeconds * 1000, o.ops, true);
    const cpu = cpuBetween(c0, sampleCpu(pids()));
    o.onWindow?.('close');
    return { leaderId: leader.id, run, cpu, p50: percentile(run.latencies, 0.5), p99: percentile(run.latencies, 0.99) };
  } finally {
    await closeClient(b, leader.client);
  }
}
