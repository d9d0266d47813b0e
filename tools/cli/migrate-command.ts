// `metaquorum migrate-from-zk`: import the metadata Apache Kafka wrote into ZooKeeper. The work is
// in tools/migrate/migrate.ts (modes, checks, order); this file maps flags to options, progress to
// stderr, the report to stdout (text, or one JSON object with --json), and outcomes to exit codes:
//   0  imported, already imported (a no-op that says so), a dry run that would go ahead, a verify
//      run without differences;
//   1  refused (a cluster id mismatch, blocking anomalies, topics already there), a dry run that
//      would be refused, differences found by --verify, ZooKeeper or the quorum unreachable;
//   2  usage: bad flags, a malformed connect string, --dry-run with --verify.

import { Option, type Command } from 'commander';
import { action, noteText, positiveIntArg, print, timeoutMsArg, UsageError } from './common.js';
import { addAdminOptions, withAdmin, type AdminOptions } from './admin-options.js';
import { runMigration, type MigrateDeps, type MigrateMode, type MigrateOptions, type MigrateReport } from '../migrate/migrate.js';
import { renderMigrateReport } from '../migrate/migrate-report.js';
import { probeKafkaRoot, readZkTree, ZkReaderError, type ZkAuth } from '../migrate/zk-reader.js';

interface MigrateFlags extends AdminOptions {
  readonly zookeeperConnect: string;
  readonly dryRun: boolean;
  readonly verify: boolean;
  readonly json: boolean;
  readonly allowExistingTopics: boolean;
  readonly force: boolean;
  readonly passwordEncoderSecret: readonly string[];
  readonly zkAuth: readonly string[];
  readonly takeQuorumClusterId: boolean;
  readonly legacyOffsets: boolean;
  readonly zkConnectTimeout: number;
  readonly zkConcurrency: number;
  readonly importTimeout: number;
  readonly quiet: boolean;
}

/** The environment variable read for the password encoder secret (keeps it out of shell history). */
export const PASSWORD_ENCODER_SECRET_ENV = 'METAQUORUM_PASSWORD_ENCODER_SECRET';

/** The environment variable read for one more --zk-auth (keeps the credentials out of shell history). */
export const ZK_AUTH_ENV = 'METAQUORUM_ZK_AUTH';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `scheme:credentials` (split at the first colon: digest credentials are user:password) as one ZkAuth. */
export function zkAuthArg(text: string): ZkAuth {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`--zk-auth takes scheme:credentials, e.g. digest:super:<password> (got ${colon <= 0 ? 'no scheme' : 'no credentials'})`);
  return { scheme: text.slice(0, colon), credentials: text.slice(colon + 1) };
}

function modeOf(flags: MigrateFlags): MigrateMode {
  if (flags.dryRun && flags.verify) throw new UsageError('migrate-from-zk: give at most one of --dry-run and --verify');
  return flags.dryRun ? 'dry-run' : flags.verify ? 'verify' : 'import';
}

/** ZooKeeper failures worded for the operator: a malformed connect string is a usage error. */
function zkFailure(e: ZkReaderError): Error {
  const usage = e.code === 'BAD_CONNECT_STRING' || e.code === 'BAD_ROOT';
  return Object.assign(new Error(`ZooKeeper: ${e.message}`), { exitCode: usage ? 2 : 1 });
}

async function migrateFromZk(flags: MigrateFlags): Promise<void> {
  const mode = modeOf(flags);
  const secrets = [...flags.passwordEncoderSecret];
  const fromEnv = process.env[PASSWORD_ENCODER_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') secrets.push(fromEnv);
  const zkAuthTexts = [...flags.zkAuth];
  const zkAuthFromEnv = process.env[ZK_AUTH_ENV];
  if (zkAuthFromEnv !== undefined && zkAuthFromEnv !== '') zkAuthTexts.push(zkAuthFromEnv);
  const zkAuth = zkAuthTexts.map(zkAuthArg);
  const options: MigrateOptions = {
    mode,
    zookeeperConnect: flags.zookeeperConnect,
    zkConnectTimeoutMs: flags.zkConnectTimeout,
    ...(zkAuth.length === 0 ? {} : { zkAuth }),
    takeQuorumClusterId: flags.takeQuorumClusterId,
    concurrency: flags.zkConcurrency,
    allowExistingTopics: flags.allowExistingTopics,
    force: flags.force,
    passwordEncoderSecrets: secrets,
    importLegacyOffsets: flags.legacyOffsets,
    importTimeoutMs: flags.importTimeout,
    requestTimeoutMs: flags.timeout,
  };
  // Ctrl-C (or SIGTERM) while the import is written aborts it after the step in flight, so a re-run
  // need not wait out the controller's idle timeout; a second one, or one at any other time (the
  // walk of ZooKeeper), ends the process as the signal does by default.
  const cancel = new AbortController();
  let writing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!writing || cancel.signal.aborted) {
      stopHandling();
      process.kill(process.pid, signal);
      return;
    }
    process.stderr.write(noteText(`${signal}: stopping; the import being written is aborted first (again to exit at once)`));
    cancel.abort();
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const stopHandling = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  const base: MigrateDeps = {
    probe: probeKafkaRoot,
    readTree: readZkTree,
    progress: flags.quiet ? () => undefined : (line) => process.stderr.write(noteText(line)),
    nowMs: () => Date.now(),
    signal: cancel.signal,
    onWriting: (w) => (writing = w),
  };
  const hasQuorum = flags.bootstrapController !== undefined || flags.bootstrapServer !== undefined;
  if (!hasQuorum && mode !== 'dry-run') throw new UsageError(`migrate-from-zk: ${mode === 'verify' ? '--verify' : 'importing'} needs --bootstrap-controller <host:port>`);
  // ZooKeeper's failures are worded here, before withAdmin (which rewords coded errors as the quorum's).
  const run = (deps: MigrateDeps) =>
    runMigration(options, deps).catch((e: unknown) => {
      throw e instanceof ZkReaderError ? zkFailure(e) : e;
    });
  for (const signal of signals) process.on(signal, onSignal);
  let report: MigrateReport;
  try {
    report = hasQuorum
      ? // withAdmin owns the connection (and closes it); runMigration gets a view whose close is a no-op.
        await withAdmin(flags, (rpc) => run({ ...base, connectQuorum: async () => ({ call: rpc.call.bind(rpc), close: async () => undefined }) }))
      : await run(base);
  } finally {
    stopHandling();
  }
  print(flags.json, report, renderMigrateReport);
  if (!report.ok) process.exitCode = 1;
}

export function registerMigrateCommand(program: Command): void {
  const cmd = program
    .command('migrate-from-zk')
    .description(
      'Import the metadata Apache Kafka keeps in ZooKeeper (brokers, topics with their ids, partitions, configs, ACLs, the producer-id block, legacy consumer offsets) ' +
        'into this quorum as one transaction. ZooKeeper is only read. The quorum must be formatted with the ZooKeeper cluster id (/cluster/id).',
    )
    .requiredOption('--zookeeper-connect <host:port[,host:port...][/chroot]>', "Kafka's zookeeper.connect, chroot included")
    .option('--dry-run', 'read and plan, print the counts and every anomaly, write nothing (exit 1 if the import would be refused)', false)
    .option('--verify', "after an import: read ZooKeeper again and compare it with the quorum's metadata; exit 1 on any difference", false)
    .option('--allow-existing-topics', 'import into a quorum that already holds topics (names must not clash)', false)
    .option('--force', 'import even when the plan reports errors (the nodes they name are left out), or places replicas on ids that are controller-only nodes of this quorum', false)
    .option('--take-quorum-cluster-id', "for a tree with no /cluster/id (written by Kafka before 0.10.1): import it under the quorum's cluster id", false)
    .option('--password-encoder-secret <secret>', `Kafka's password.encoder.secret (then the old secret; repeatable), to decrypt sensitive broker configs; also read from $${PASSWORD_ENCODER_SECRET_ENV}`, collect, [])
    .option(
      '--zk-auth <scheme:credentials>',
      "authenticate to ZooKeeper as zkCli's addauth does (repeatable), e.g. digest:super:<password> for ZooKeeper's super user " +
        "(zookeeper.DigestAuthenticationProvider.superDigest on the servers), which reads past the ACLs Kafka's zookeeper.set.acl=true sets; " +
        `also read from $${ZK_AUTH_ENV}. SASL is not supported`,
      collect,
      [],
    )
    .option('--no-legacy-offsets', 'leave out the consumer offsets under /consumers/<group>/offsets')
    .addOption(new Option('--zk-connect-timeout <ms>', 'how long to wait for a ZooKeeper server').default(10_000).argParser(timeoutMsArg('--zk-connect-timeout')))
    .addOption(new Option('--zk-concurrency <n>', 'ZooKeeper reads in flight at once').default(64).argParser(positiveIntArg('--zk-concurrency')))
    .addOption(new Option('--import-timeout <ms>', 'how long the quorum may take to commit the import').default(120_000).argParser(positiveIntArg('--import-timeout')))
    .option('--quiet', 'no progress lines on stderr', false);
  addAdminOptions(cmd, { json: true });
  cmd.addHelpText(
    'after',
    [
      '',
      'Exit codes: 0 imported (or already imported), dry run would go ahead, verify found no difference;',
      '            1 refused, would be refused, differences, unreachable; 2 usage.',
      '',
      'Examples:',
      '  metaquorum migrate-from-zk --zookeeper-connect zk1:2181/kafka --bootstrap-controller localhost:9093 --dry-run',
      '  metaquorum migrate-from-zk --zookeeper-connect zk1:2181/kafka --bootstrap-controller localhost:9093',
      '  metaquorum migrate-from-zk --zookeeper-connect zk1:2181/kafka --bootstrap-controller localhost:9093 --verify',
    ].join('\n'),
  );
  cmd.action(action(migrateFromZk));
}
