#!/usr/bin/env node
// metaquorum's command line (commander). Exit codes: 0 ok, 1 runtime error, 2 usage error.
//
// Today it offers `dev`: a real 3-voter controller quorum (on-disk logs, fsync, elections, the
// quorum controller replaying the metadata log) inside one process, the embedded default a
// newcomer can start with one command. The multi-process cluster with brokers, `start`, `format`
// and the admin commands arrive with the broker work (issue 4).

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { startLocalCluster } from '../quorum/node/local-cluster.js';
import { controllerConfig } from '../quorum/controller/config.js';
import { QuorumController } from '../quorum/controller/quorum-controller.js';
import { pinoLogger, realClock, realRandom } from '../quorum/node/real-env.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** The dev cluster's id (a fixed one: `format` and random cluster ids come with issue 4). */
const DEV_CLUSTER_ID = 'metaquorum-dev-cluster0';

async function dev(opts: { voters: number; dataDir: string; logLevel: string; json: boolean }): Promise<void> {
  const root = resolve(opts.dataDir);
  await mkdir(root, { recursive: true });
  const log = pino({ level: opts.logLevel }, pino.destination({ dest: 2, sync: true }));
  const voters = Array.from({ length: opts.voters }, (_, i) => i + 1);
  const controllers = new Map<number, QuorumController>();
  const cluster = await startLocalCluster({
    root,
    voters,
    stateMachine: (id) => {
      const logger = pinoLogger(log.child({ nodeId: id, role: 'controller' }));
      const c = new QuorumController({ nodeId: id, clock: realClock, random: realRandom, logger, config: controllerConfig(DEV_CLUSTER_ID) });
      controllers.set(id, c);
      return c;
    },
    logger: (id) => pinoLogger(log.child({ nodeId: id, role: 'controller' })),
    onFatal: (id, e) => {
      log.fatal({ nodeId: id, err: e }, 'node stopped on a fatal error');
      process.exitCode = 1;
    },
  });
  for (const [id, node] of cluster.nodes) controllers.get(id)!.raft = node;
  const leader = await cluster.waitForLeader(15_000);
  const say = (o: object, text: string) => console.log(opts.json ? JSON.stringify(o) : text);
  say({ event: 'ready', dataDir: root, voters, leaderId: leader.status().nodeId }, `metaquorum dev: ${voters.length} controllers in one process, data in ${root}; node ${leader.status().nodeId} is the active controller. Ctrl-C stops.`);

  // A status line per second from the active controller's DescribeQuorum (the NoOp it writes
  // every 500 ms keeps the high watermark moving, so a stuck quorum shows at once).
  const interval = setInterval(() => {
    const active = [...controllers.values()].find((c) => c.isActive);
    const q = active?.describeQuorum();
    if (active === undefined || q === null || q === undefined) return say({ event: 'status', leaderId: null }, 'no active controller (election in progress)');
    const image = active.image;
    say(
      { event: 'status', ...q, topics: image.topicCount, partitions: image.partitionCount, brokers: image.brokerCount },
      `active controller ${q.nodeId}  epoch ${q.leaderEpoch}  high watermark ${q.highWatermark}  max follower lag ${q.maxFollowerLag ?? '-'}  topics ${image.topicCount}  brokers ${image.brokerCount}`,
    );
  }, 1000);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C: now
    stopping = true;
    clearInterval(interval);
    say({ event: 'stopping', signal }, `\n${signal}: stopping (the leader resigns first)`);
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
    for (const c of controllers.values()) c.close();
    await cluster.stop();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

export function buildProgram(): Command {
  const program = new Command('metaquorum')
    .description('A self-managed metadata quorum in the spirit of Apache Kafka KRaft.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride() // before the subcommands, so they inherit it: usage errors exit 2, not 1
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime error, 2 usage or configuration error.');
  program
    .command('dev')
    .description('Run a local controller quorum on this machine: real on-disk logs, elections and the quorum controller, all voters in one process.')
    .addOption(new Option('--voters <n>', 'number of voters').default(3).argParser(positiveInt('--voters')))
    .option('--data-dir <dir>', 'where the voters keep their logs (reused across runs)', './data')
    .addOption(new Option('--log-level <level>', 'log level of the NDJSON logs on stderr').choices(['debug', 'info', 'warn', 'error']).default('warn'))
    .option('--json', 'print status lines as JSON', false)
    .action(dev);
  return program;
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
