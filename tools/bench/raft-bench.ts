// npm run bench:raft — 3 voters in one process with the real segment-file log (one fsync per batch)
// and an in-process transport: committed 200-byte records/s with 64 concurrent proposers, and
// single-proposer commit latency p50/p99. Prints a markdown table and writes JSON.
//
// Usage: node dist/tools/bench/raft-bench.js [--seconds 10] [--concurrency 64] [--record-bytes 200]
//                                            [--latency-samples 5000] [--json out.json]

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCommandLine } from './bench-args.js';
import { silentLogger } from '../../quorum/env/index.js';
import { startLocalCluster } from '../../quorum/node/local-cluster.js';
import type { RaftNode } from '../../quorum/runtime/raft-node.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { NotLeaderError, type StateMachine } from '../../quorum/runtime/api.js';
import { percentile, summarize } from './stats.js';

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '64' },
      'record-bytes': { type: 'string', default: '200' },
      'latency-samples': { type: 'string', default: '5000' },
      json: { type: 'string', default: 'bench-results/raft.json' },
    },
  }),
);
const seconds = Number(args.seconds);
const concurrency = Number(args.concurrency);
const recordBytes = Number(args['record-bytes']);
const latencySamples = Number(args['latency-samples']);

class CountingStateMachine implements StateMachine {
  records = 0;
  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) this.records += b.records.length;
  }
  loadSnapshot(): void {}
}

async function throughput(leader: RaftNode): Promise<{ recordsPerSec: number; committed: number }> {
  const record = new Uint8Array(recordBytes).fill(7);
  const deadline = performance.now() + seconds * 1000;
  let committed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await leader.propose([record]);
        committed++;
      }
    }),
  );
  return { recordsPerSec: committed / ((performance.now() - start) / 1000), committed };
}

async function latency(leader: RaftNode): Promise<number[]> {
  const record = new Uint8Array(recordBytes).fill(9);
  const samples: number[] = [];
  for (let i = 0; i < latencySamples; i++) {
    const t0 = performance.now();
    await leader.propose([record]);
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-raft-'));
  const cluster = await startLocalCluster({
    root,
    voters: [1, 2, 3],
    stateMachine: () => new CountingStateMachine(),
    logger: () => silentLogger,
    onFatal: (id, e) => {
      console.error(`node ${id} failed:`, e);
      process.exit(1);
    },
  });
  try {
    const leader = await cluster.waitForLeader(10_000);
    await latency(leader); // warm up the JIT and the log files
    const tput = await throughput(leader);
    const lat = await latency(leader);
    const lsum = summarize(lat);
    const result = {
      bench: 'raft',
      setup: { voters: 3, storage: 'segment files (fdatasync per batch)', transport: 'in-process', recordBytes, concurrency, seconds },
      throughput: { recordsPerSec: Math.round(tput.recordsPerSec), committed: tput.committed, targetRecordsPerSec: 50_000 },
      latencyMs: { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), ...lsum, targetP50: 1 },
    };
    console.log('| metric | value | target |');
    console.log('| --- | --- | --- |');
    console.log(`| committed ${recordBytes}-byte records/s, ${concurrency} proposers | ${result.throughput.recordsPerSec.toLocaleString('en-US')} | >= 50,000 |`);
    console.log(`| single-proposer commit latency p50 | ${result.latencyMs.p50.toFixed(3)} ms | < 1 ms |`);
    console.log(`| single-proposer commit latency p99 | ${result.latencyMs.p99.toFixed(3)} ms | |`);
    await mkdir(dirname(args.json!), { recursive: true });
    await writeFile(args.json!, JSON.stringify(result, null, 2));
    console.log(`JSON written to ${args.json}`);
  } catch (e) {
    if (e instanceof NotLeaderError) console.error('leadership moved during the benchmark:', e.message);
    throw e;
  } finally {
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
