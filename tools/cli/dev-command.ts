// `metaquorum dev`: the embedded default. Formats a data directory (or reuses the cluster already
// in it), launches a real multi-process cluster on 127.0.0.1, waits for it to be ready, prints
// every node's endpoints, writes <data-dir>/cluster.json, reports leader changes and node exits,
// and on Ctrl-C, SIGTERM or SIGHUP (a closed terminal: the nodes run in their own sessions and
// would not hear it) stops the nodes (brokers first, each with a controlled shutdown).
//
// Refusals, before any node starts: another live `dev` on the directory (<data-dir>/dev.pid); a
// reused directory whose cluster has another shape, or other ports than an explicit --base-port;
// --combined with fewer --brokers than controllers (each combined node is a broker). A node that
// exits while the cluster comes up fails `dev` at once, quoting the error the node logged.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { makeDirs } from '../../quorum/node/fsync-dir.js';
import { ExitWatch } from '../server/exit-watch.js';
import { takePidLock } from '../server/pid-lock.js';
import { existingShape, portFromBase, ProcessCluster } from '../server/process-cluster.js';
import { controllerChannelTo, waitForClusterReady } from '../server/cluster-ready.js';
import { isValidClusterId } from '../config/cluster-id.js';
import { LOG_LEVELS } from '../server/logging.js';
import { action, positiveIntArg, timeoutMsArg, UsageError, warningText } from './common.js';

interface DevOptions {
  controllers: number;
  brokers: number;
  combined: boolean;
  dataDir: string;
  basePort: number;
  logLevel: string;
  json: boolean;
  readyTimeout: number;
  clusterId?: string;
}

const DEFAULT_BASE_PORT = 19092;

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_000) throw new InvalidArgumentError(`--base-port must be 1..65000, got "${value}"`);
  return n;
}

/** The kernel's ephemeral port range (Linux), or null when it cannot be read. */
function ephemeralPortRange(): readonly [number, number] | null {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(lo) && Number.isInteger(hi) ? [lo!, hi!] : null;
  } catch {
    return null;
  }
}

/**
 * Why a node's `ports` may be taken when it starts: some lie in the kernel's ephemeral range,
 * where an outgoing connection (one voter dialling another) can take a node's port as its source
 * port before that node listens (found by a review: --base-port 34092 failed twice with "address
 * already in use"). Null when none does.
 */
export function ephemeralPortWarning(ports: readonly number[], range: readonly [number, number] | null): string | null {
  if (range === null) return null;
  const [lo, hi] = range;
  const inside = ports.filter((p) => p >= lo && p <= hi).sort((a, b) => a - b);
  if (inside.length === 0) return null;
  const shown = inside.length === 1 ? String(inside[0]) : `${inside.length} ports, ${inside[0]}-${inside[inside.length - 1]}`;
  return `the nodes' ports (${shown}) lie in the kernel's ephemeral port range ${lo}-${hi} (/proc/sys/net/ipv4/ip_local_port_range): an outgoing connection can take one before its node listens ("address already in use"); a --base-port outside that range (the default ${DEFAULT_BASE_PORT} is) avoids it`;
}

async function dev(o: DevOptions, command: Command): Promise<void> {
  if (o.controllers > 9 || o.brokers > 50) throw new UsageError('dev runs at most 9 controllers and 50 brokers');
  if (o.clusterId !== undefined && !isValidClusterId(o.clusterId)) throw new UsageError(`--cluster-id ${JSON.stringify(o.clusterId)} is not a cluster id (22 characters of base64url, as random-cluster-id prints)`);
  const explicit = (option: string) => command.getOptionValueSource(option) === 'cli';
  if (o.combined && explicit('brokers') && o.brokers < o.controllers) {
    throw new UsageError(`--combined runs a broker in each of the ${o.controllers} controllers, so --brokers ${o.brokers} is too few (more than ${o.controllers} adds broker-only nodes)`);
  }
  const say = (event: object, text: string) => process.stdout.write(o.json ? `${JSON.stringify(event)}\n` : `${text}\n`);

  const dataDir = resolve(o.dataDir);
  await makeDirs(dataDir).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--data-dir ${dataDir}: cannot be used as a directory (${e.code ?? e.message}); give a directory, or a path where one can be made`);
  });
  // Ctrl-C, SIGTERM or SIGHUP stop the cluster from here on, also while it is being formatted and
  // its nodes spawned: the handlers were installed only once every node had been spawned, so a
  // Ctrl-C before then killed `dev` silently with exit 130 (the nodes stopped on their own when it
  // was gone), and one while the directories were formatted left some formatted and no
  // cluster.json, which the next `dev` refuses (found by a newcomer's review). A signal during
  // those steps lets them finish, then stops what they started. Installed before dev.pid is
  // written: until a handler exists a signal kills the process outright (the test that signals
  // as soon as dev.pid appears hit that window on a busy machine).
  let stopping = false;
  let cluster: ProcessCluster | undefined;
  let settingUp: Promise<unknown> = Promise.resolve();
  let watch: NodeJS.Timeout | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    say({ event: 'stopping', signal }, `\n${signal}: stopping the cluster (brokers first, each with a controlled shutdown)`);
    await settingUp.catch(() => undefined);
    await cluster?.stop(15_000);
    say({ event: 'stopped' }, 'stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

  const lockPath = join(dataDir, 'dev.pid');
  const lock = takePidLock(lockPath);
  if ('heldBy' in lock) {
    throw new Error(`another metaquorum dev (pid ${lock.heldBy}) is running on ${dataDir}; stop it first, or use another --data-dir (if pid ${lock.heldBy} is not a dev, remove ${lockPath})`);
  }
  process.on('exit', lock.release);

  let ready: { leaderId: number; epoch: number } | undefined;
  // Before the cluster is ready an exit fails `dev` (raced below); after, it is reported.
  const exits = new ExitWatch((line, { id, code, signal }) => {
    // The JSON event carries what the text line says (why it exited, where its log is).
    if (!stopping && ready !== undefined) say({ event: 'exit', nodeId: id, code, signal, message: line }, line);
  });
  // A second run on the same directory restarts the cluster there, whatever its shape, unless the
  // shape is asked for (then it must match).
  const creating = (async () => {
    const reused = ['controllers', 'brokers', 'combined'].some(explicit) ? undefined : await existingShape(dataDir);
    cluster = await ProcessCluster.create({
      dataDir,
      shape: { ...(reused ?? { controllers: o.controllers, brokers: o.brokers, combined: o.combined }), basePort: o.basePort },
      ...(o.clusterId === undefined ? {} : { clusterId: o.clusterId }),
      logLevel: o.logLevel,
      onUnexpectedExit: exits.onExit(() => cluster!),
    });
    return cluster;
  })();
  settingUp = creating;
  const created = await creating.catch((e: unknown) => {
    lock.release();
    throw e;
  });
  if (stopping) return; // a signal came meanwhile: stop() stops what was started and exits
  if (o.clusterId !== undefined && created.reused && created.clusterId !== o.clusterId) {
    // Silently starting the old cluster would surface later, as migrate-from-zk refusing it.
    lock.release();
    throw new UsageError(`--cluster-id ${o.clusterId}: ${dataDir} already holds cluster ${created.clusterId}; use another --data-dir to format a new cluster with that id`);
  }
  if (explicit('basePort')) {
    const moved = created.nodes.find((n) => {
      const want = (listener: 'client' | 'controller', planned: number | null) => planned === null || planned === portFromBase(o.basePort, listener, n.id);
      return !want('client', n.clientPort) || !want('controller', n.controllerPort);
    });
    if (moved !== undefined) {
      lock.release();
      const first = created.nodes[0]!;
      throw new UsageError(
        `${dataDir} holds a cluster on other ports (node ${first.id}: ${[first.controllerPort, first.clientPort].filter((p) => p !== null).join(', ')}); a reused cluster keeps its ports: drop --base-port, or use another --data-dir`,
      );
    }
  }
  const portWarning = ephemeralPortWarning(
    created.nodes.flatMap((n) => [n.clientPort, n.controllerPort, n.metricsPort].filter((p): p is number => p !== null)),
    ephemeralPortRange(),
  );
  if (portWarning !== null) process.stderr.write(warningText(portWarning));
  settingUp = created.startAll();
  await settingUp;
  if (stopping) return;

  const giveUp = new AbortController();
  try {
    ready = await exits.race(waitForClusterReady(created, o.readyTimeout, undefined, giveUp.signal));
  } catch (e) {
    giveUp.abort();
    stopping = true;
    await created.stop(5_000);
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(message.includes('node.log') ? message : `${message}; node logs are in ${created.dataDir}/node-*/node.log`);
  }
  await created.writeClusterJson();
  const json = created.clusterJson();
  if (o.json) {
    say({ event: 'ready', ...json, leaderId: ready.leaderId, epoch: ready.epoch }, '');
  } else {
    const lines = [
      `metaquorum dev: cluster ${created.clusterId} is up (${created.nodes.some((n) => n.roles.length > 1) ? 'combined' : 'split'} mode), data in ${created.dataDir}`,
      '',
      '  node  roles               pid      controller listener   client listener   metrics (HTTP)',
      ...json.nodes.map(
        (n) => `  ${String(n.id).padEnd(4)}  ${n.roles.join(',').padEnd(18)}  ${String(n.pid).padEnd(7)}  ${(n.controller ?? '-').padEnd(20)}  ${(n.client ?? '-').padEnd(16)}  ${n.metrics ?? '-'}`,
      ),
      '',
      `  active controller: node ${ready.leaderId} (epoch ${ready.epoch})`,
      `  cluster.json:      ${join(created.dataDir, 'cluster.json')}`,
      '',
      '  try:',
      created.reused // its topics are there already
        ? `    npx metaquorum topics list --bootstrap-controller ${json.bootstrapControllers}`
        : `    npx metaquorum topics create demo --partitions 6 --replication-factor ${suggestedReplicationFactor(json.nodes)} --bootstrap-controller ${json.bootstrapControllers}`,
      `    npx metaquorum topics describe --bootstrap-server ${json.bootstrapServers.split(',')[0] ?? ''}`,
      `    npx metaquorum quorum describe --status --bootstrap-controller ${json.bootstrapControllers}`,
      ...(json.nodes[0]?.metrics == null ? [] : [`    curl -s http://${json.nodes[0].metrics}/metrics | grep metaquorum_raft_`]),
      '',
      'Ctrl-C stops the cluster.',
    ];
    say({}, lines.join('\n'));
  }

  // Report leader changes, as an operator watching the quorum would want.
  const channel = controllerChannelTo(created, 900);
  let last = `${ready.leaderId}/${ready.epoch}`;
  let busy = false;
  watch = setInterval(() => {
    if (busy || stopping) return;
    busy = true;
    channel
      .call('describeQuorum', {})
      .then((q) => {
        const now = `${q.leaderId}/${q.leaderEpoch}`;
        if (now !== last) {
          last = now;
          say({ event: 'leader', leaderId: q.leaderId, epoch: q.leaderEpoch, highWatermark: q.highWatermark }, `active controller is now node ${q.leaderId} (epoch ${q.leaderEpoch}, high watermark ${q.highWatermark})`);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 1000);
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'Run a local multi-process cluster on 127.0.0.1: formats --data-dir (or reuses the cluster in it, with its ports), starts every node, prints their endpoints and writes <data-dir>/cluster.json. Ctrl-C (or SIGTERM, SIGHUP) stops it. One dev per --data-dir.',
    )
    .addOption(new Option('--controllers <n>', 'controllers (voters)').default(3).argParser(positiveIntArg('--controllers')))
    .addOption(new Option('--brokers <n>', 'brokers (with --combined: in all, counting the combined nodes)').default(3).argParser(positiveIntArg('--brokers')))
    .option('--combined', 'run each controller and a broker in one process (process.roles=broker,controller)', false)
    .option('--data-dir <dir>', 'where the nodes keep their data, configs and logs', './data')
    .addOption(new Option('--base-port <port>', 'node k listens for clients on base+k-1, for the quorum on base+100+k-1 and for metrics (HTTP) on base+200+k-1 (a new cluster; a reused one keeps its ports). Keep them out of the kernel\'s ephemeral port range (Linux: /proc/sys/net/ipv4/ip_local_port_range, often 32768-60999), where an outgoing connection may take one first').default(DEFAULT_BASE_PORT).argParser(portArg))
    .addOption(new Option('--log-level <level>', "the nodes' log level (their NDJSON logs go to <data-dir>/node-<id>/node.log)").choices([...LOG_LEVELS]).default('info'))
    .addOption(new Option('--ready-timeout <ms>', 'how long to wait for the cluster to come up').default(60_000).argParser(timeoutMsArg('--ready-timeout')))
    .option('--cluster-id <id>', "format a new cluster with this id (e.g. a ZooKeeper cluster's /cluster/id, to migrate it); refused when --data-dir already holds a cluster with another id")
    .option('--json', 'print events as JSON lines', false)
    .action(action(dev));
}

/** The tour's replication factor: 3, or every broker when there are fewer (more is refused). */
export function suggestedReplicationFactor(nodes: readonly { readonly roles: readonly string[] }[]): number {
  return Math.max(1, Math.min(3, nodes.filter((n) => n.roles.includes('broker')).length));
}
