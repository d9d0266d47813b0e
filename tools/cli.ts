#!/usr/bin/env node
// metaquorum's command line (commander). Exit codes: 0 ok, 1 runtime error, 2 usage error.
//
// Today it offers `dev`: a real 3-voter quorum (on-disk logs, fsync, elections) inside one
// process, the embedded default a newcomer can start with one command. The multi-process
// cluster, `start`, `format` and the admin commands arrive with the controller and broker work.

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { pinoLogger } from '../quorum/node/real-env.js';
import { startLocalCluster } from '../quorum/node/local-cluster.js';
import type { LogBatch } from '../quorum/raft/types.js';
import type { StateMachine } from '../quorum/runtime/api.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** The dev quorum's state machine: counts what it applies. */
class CountingStateMachine implements StateMachine {
  records = 0;
  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) this.records += b.records.length;
  }
  loadSnapshot(): void {}
}

async function dev(opts: { voters: number; dataDir: string; logLevel: string; json: boolean }): Promise<void> {
  const root = resolve(opts.dataDir);
  await mkdir(root, { recursive: true });
  const log = pino({ level: opts.logLevel }, pino.destination({ dest: 2, sync: true }));
  const voters = Array.from({ length: opts.voters }, (_, i) => i + 1);
  const machines = new Map<number, CountingStateMachine>();
  const cluster = await startLocalCluster({
    root,
    voters,
    stateMachine: (id) => {
      const m = new CountingStateMachine();
      machines.set(id, m);
      return m;
    },
    logger: (id) => pinoLogger(log.child({ nodeId: id, role: 'controller' })),
    onFatal: (id, e) => {
      log.fatal({ nodeId: id, err: e }, 'node stopped on a fatal error');
      process.exitCode = 1;
    },
  });
  const leader = await cluster.waitForLeader(15_000);
  const say = (o: object, text: string) => console.log(opts.json ? JSON.stringify(o) : text);
  say({ event: 'ready', dataDir: root, voters, leaderId: leader.status().nodeId }, `metaquorum dev: ${voters.length} voters in one process, data in ${root}; leader is node ${leader.status().nodeId}. Ctrl-C stops.`);

  let beat = 0;
  const interval = setInterval(() => {
    const l = cluster.leader();
    if (l === undefined) return say({ event: 'status', leaderId: null }, 'no leader (election in progress)');
    void l
      .propose([new TextEncoder().encode(`heartbeat ${++beat}`)])
      .then((p) => {
        const s = l.status();
        say({ event: 'status', leaderId: s.nodeId, epoch: s.epoch, highWatermark: s.highWatermark, committedOffset: p.offset }, `leader ${s.nodeId}  epoch ${s.epoch}  high watermark ${s.highWatermark}`);
      })
      .catch((e: Error) => say({ event: 'status', error: e.message }, `write failed: ${e.message}`));
  }, 1000);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C: now
    stopping = true;
    clearInterval(interval);
    say({ event: 'stopping', signal }, `\n${signal}: stopping (the leader resigns first)`);
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
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
    .description('Run a local quorum on this machine: real on-disk logs and elections, all voters in one process.')
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
