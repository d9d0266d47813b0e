// npm run bench:migrate [-- --topics 2000 --partitions 10 --trials 3 --json --out file]
//
// migrate-from-zk end to end on loopback: a real Apache ZooKeeper 3.8 (Debian's package) holding a
// Kafka 3.x tree of N topics × P partitions (2,000 × 10 = about 46,000 znodes, each topic with an
// id, a state node per partition, a config node), and per trial a fresh metaquorum cluster
// (3 controllers + 2 brokers, split mode) formatted with the tree's cluster id. Each trial runs the
// real CLI (`metaquorum migrate-from-zk --json`) in a child process and times it from spawn to exit
// (Node start-up, ZooKeeper probe and walk, planning, the import committed by the quorum), then
// how long until every broker's image shows every imported topic. The CLI's own report splits the
// time into the walk and the write. Target (issue 6): the command ≤ 10 s on a 2-core machine.
//
// Everything it starts (ZooKeeper, the nodes) is stopped on exit, error or Ctrl-C.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCommandLine } from './bench-args.js';
import type { MigrateReport } from '../migrate/migrate.js';
import { askNode } from '../admin/admin-client.js';
import { waitFor, waitForClusterReady } from '../server/cluster-ready.js';
import { defaultCliPath, ProcessCluster } from '../server/process-cluster.js';
import { benchmarkTree, KAFKA_TREE_CLUSTER_ID, populateAndClose } from '../zookeeper/kafka-trees.js';
import { startZooKeeper, type ZooKeeperCluster } from '../zookeeper/local-zookeeper.js';
import { emitBenchResult, installBenchCleanup } from './cluster/bench-cleanup.js';
import { percentile, summarize } from './stats.js';

const { values: args } = benchCommandLine(import.meta.url, () =>
  parseArgs({
    options: {
      topics: { type: 'string', default: '2000' },
      partitions: { type: 'string', default: '10' },
      trials: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
    },
  }),
);
const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a positive integer`);
  return n;
};
const cfg = { topics: int('topics', args.topics), partitions: int('partitions', args.partitions), trials: int('trials', args.trials) };
const say = (line: string) => process.stderr.write(`${line}\n`);
const CHROOT = '/kafka';

interface Trial {
  readonly commandMs: number;
  readonly readMs: number;
  readonly writeMs: number;
  readonly otherMs: number;
  readonly visibleOnBrokersMs: number;
  readonly znodes: number;
  readonly records: number;
}

function runMigrate(zk: string, bootstrap: string): Promise<{ ms: number; report: MigrateReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // --force: the tree's replicas name brokers 1-5, and 1-3 are this split cluster's controllers.
    const child = spawn(process.execPath, [defaultCliPath(), 'migrate-from-zk', '--zookeeper-connect', zk, '--bootstrap-controller', bootstrap, '--json', '--force'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (code !== 0) return reject(new Error(`migrate-from-zk exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      resolve({ ms, report: JSON.parse(stdout) as MigrateReport, stderr });
    });
  });
}

async function topicsOn(port: number): Promise<number> {
  const d = await askNode({ host: '127.0.0.1', port }, 'describeNode', {}, { timeoutMs: 10_000 });
  if (d.zkMigrationState === 0) return 0;
  const t = await askNode({ host: '127.0.0.1', port }, 'describeTopics', {}, { timeoutMs: 10_000 });
  return t.topics.length;
}

async function trial(i: number, zk: ZooKeeperCluster, root: string, hooks: ReturnType<typeof installBenchCleanup>): Promise<Trial> {
  const dir = join(root, `trial-${i}`);
  const cluster = await ProcessCluster.create({ dataDir: dir, shape: { controllers: 3, brokers: 2, combined: false, basePort: 0 }, clusterId: KAFKA_TREE_CLUSTER_ID, logLevel: 'warn' });
  hooks.cluster = cluster;
  await cluster.startAll();
  await waitForClusterReady(cluster, 60_000);
  const { ms, report } = await runMigrate(zk.connectStringWith(CHROOT), cluster.bootstrapControllers());
  if (report.imported === null || report.imported.alreadyImported) throw new Error(`trial ${i}: nothing was imported: ${report.summary}`);
  const exitAt = performance.now();
  for (const b of cluster.brokers) {
    await waitFor(`broker ${b.id} showing the import`, 60_000, async () => ((await topicsOn(b.clientPort!)) >= cfg.topics ? true : undefined), 20);
  }
  const visibleOnBrokersMs = performance.now() - exitAt;
  await cluster.stop(10_000);
  hooks.cluster = undefined;
  await rm(dir, { recursive: true, force: true });
  const readMs = report.zookeeper.readMs;
  const writeMs = report.imported.writeMs;
  return { commandMs: ms, readMs, writeMs, otherMs: ms - readMs - writeMs, visibleOnBrokersMs, znodes: report.zookeeper.nodesRead, records: report.imported.recordsWritten };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mq-bench-migrate-'));
  let zk: ZooKeeperCluster | undefined;
  const hooks = installBenchCleanup({ root, keepData: args['keep-data'] === true, say, closeOwn: async () => zk?.stop() });
  const trials: Trial[] = [];
  let populateMs = 0;
  try {
    say(`starting ZooKeeper…`);
    zk = await startZooKeeper({ ensemble: 1 }); // says how to install ZooKeeper when it is missing
    say(`writing a ${cfg.topics} × ${cfg.partitions} Kafka tree under ${CHROOT}…`);
    const t0 = performance.now();
    await populateAndClose(zk.connectString, benchmarkTree({ topics: cfg.topics, partitions: cfg.partitions, chroot: CHROOT }));
    populateMs = performance.now() - t0;
    for (let i = 1; i <= cfg.trials; i++) {
      say(`trial ${i}/${cfg.trials}: a fresh cluster, then migrate-from-zk…`);
      const t = await trial(i, zk, root, hooks);
      say(`  command ${Math.round(t.commandMs)} ms (walk ${t.readMs} ms, write ${t.writeMs} ms), on every broker ${Math.round(t.visibleOnBrokersMs)} ms later`);
      trials.push(t);
    }
  } finally {
    await hooks.run();
  }

  const stat = (pick: (t: Trial) => number) => {
    const xs = trials.map(pick);
    const s = summarize(xs);
    return { median: percentile(xs, 0.5), min: s.min, max: s.max };
  };
  const rows: [string, ReturnType<typeof stat>, string][] = [
    ['migrate-from-zk, spawn → exit', stat((t) => t.commandMs), 'target ≤ 10,000 ms'],
    ['  walk of the ZooKeeper tree', stat((t) => t.readMs), `${trials[0]?.znodes ?? 0} znodes, 64 reads in flight`],
    ['  import written and committed', stat((t) => t.writeMs), `${trials[0]?.records ?? 0} records, one metadata transaction`],
    ['  the rest (Node start-up, probe, plan, connect)', stat((t) => t.otherMs), ''],
    ['command exit → every broker shows every topic', stat((t) => t.visibleOnBrokersMs), '2 brokers'],
  ];
  const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;
  const table = [
    `migrate bench: ${cfg.topics.toLocaleString('en-US')} topics × ${cfg.partitions} partitions, ZooKeeper 3.8 standalone, 3 controllers + 2 brokers (split mode), loopback; ${cfg.trials} trial(s); ${cpus().length} cores; ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `(tree written in ${ms(populateMs)}, not counted)`,
    '',
    '| step | median | min – max | note |',
    '| --- | --- | --- | --- |',
    ...rows.map(([name, s, note]) => `| ${name} | ${ms(s.median)} | ${ms(s.min)} – ${ms(s.max)} | ${note} |`),
  ].join('\n');
  const json = JSON.stringify({ bench: 'migrate', config: cfg, populateMs, trials, summary: Object.fromEntries(rows.map(([name, s]) => [name.trim(), s])) }, null, 2);
  await emitBenchResult({ table, json, asJson: args.json === true, out: args.out, say });
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.error('migrate bench failed:', e instanceof Error ? e.message : e);
  process.exit(1);
}
