// The commands that run or prepare a node: `start`, `format`, `random-cluster-id` and
// `random-uuid` (Kafka's `kafka-server-start.sh` and `kafka-storage.sh format | random-uuid`).

import { Option, type Command } from 'commander';
import { randomClusterId } from '../config/cluster-id.js';
import type { Voter } from '../config/endpoints.js';
import { formatStorage } from '../config/format.js';
import { parseInitialControllers, type VoterBootstrap } from '../config/initial-controllers.js';
import { loadServerConfig } from '../config/server-config.js';
import { LOG_LEVELS, type LogLevel } from '../server/logging.js';
import { runStart } from '../server/node-process.js';
import { action, print, UsageError, warningText } from './common.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** --initial-controllers <list> | --no-initial-controllers | neither (commander lets the later of the two win: refused). */
function voterBootstrap(flag: string | false | undefined, configured: readonly Voter[], argv: readonly string[]): VoterBootstrap {
  const given = (name: string) => argv.some((a) => a === name || a.startsWith(`${name}=`));
  if (given('--initial-controllers') && given('--no-initial-controllers')) {
    throw new UsageError('--initial-controllers (a new cluster) and --no-initial-controllers (replacing a lost disk) exclude each other');
  }
  if (flag === false) return { kind: 'replacing' };
  if (flag === undefined) return { kind: 'first-use' };
  return { kind: 'initial-controllers', directories: parseInitialControllers(flag, configured) };
}

function bootstrapNote(kind: VoterBootstrap['kind'], isController: boolean): string {
  if (kind === 'initial-controllers') return ' (with every voter\'s directory id)';
  if (kind === 'replacing' && isController) return ' (replacing a voter: not counted until the quorum re-admits this directory)';
  return '';
}

export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description(
      'Run a node (controller, broker or both, per process.roles) from a server.properties file. The directories must have been formatted first (see `format`). SIGTERM or Ctrl-C shuts it down gracefully: a broker moves its leaderships off, a leading controller resigns.',
    )
    .requiredOption('--config <file>', 'server.properties (Kafka property names: process.roles, node.id, controller.quorum.voters, listeners, ...)')
    .option('--override <key=value>', 'override a property of the file (repeatable)', collect, [])
    .addOption(new Option('--log-level <level>', 'log level of the NDJSON log on stdout').choices([...LOG_LEVELS]).default('info'))
    .action(
      action(async (o: { config: string; override: string[]; logLevel: LogLevel }) => {
        await runStart({ config: o.config, override: o.override, logLevel: o.logLevel });
      }),
    );

  program
    .command('format')
    .description(
      "Format a node's directories (metadata.log.dir and log.dirs) for a cluster: writes meta.properties with the cluster id, the node id and a new directory id. Required before the first start; refuses a directory that is already formatted.",
    )
    .requiredOption('--config <file>', 'the node\'s server.properties')
    .requiredOption('--cluster-id <id>', 'the cluster id (from `metaquorum random-cluster-id`; the same for every node of a cluster)')
    .option('--override <key=value>', 'override a property of the file (repeatable)', collect, [])
    .option('--ignore-formatted', 'leave directories that are already formatted for this cluster and node as they are, instead of failing', false)
    .option(
      '--initial-controllers <list>',
      'a new cluster: every voter as id@host:port:directoryId (directory ids from `metaquorum random-uuid`), the same list on every node. Each voter is formatted with its entry\'s directory id, and no voter\'s directory is ever trusted on first use (see README, "Voter directories")',
    )
    .option('--no-initial-controllers', 'a controller replacing a lost or wiped disk: it is not counted until the quorum has re-admitted its new directory')
    .option('--json', 'print the result as JSON', false)
    .action(
      action(async (o: { config: string; clusterId: string; override: string[]; ignoreFormatted: boolean; initialControllers?: string | false; json: boolean }) => {
        const config = await loadServerConfig(o.config, o.override, (msg) => process.stderr.write(warningText(msg)));
        const voters = voterBootstrap(o.initialControllers, config.voters, process.argv);
        const isController = config.processRoles.includes('controller');
        const result = await formatStorage(config, o.clusterId, { ignoreFormatted: o.ignoreFormatted, voters });
        if (voters.kind === 'first-use' && isController && result.formatted.includes(config.metadataLogDir)) {
          process.stderr.write(
            warningText(
              'formatted without --initial-controllers: the voters\' directories are trusted on first use, so a voter that lags from the start could be elected with the vote of a wiped voter; format new clusters with --initial-controllers (README, "Voter directories")',
            ),
          );
        }
        print(o.json, { clusterId: o.clusterId, nodeId: config.nodeId, voterDirectories: voters.kind, ...result }, (r) =>
          [
            ...r.formatted.map((d) => `Formatted ${d} for cluster ${r.clusterId}, node ${r.nodeId}${d === config.metadataLogDir ? bootstrapNote(voters.kind, isController) : config.logDirsFrom === 'default' ? ' (the default log.dir: neither log.dirs nor log.dir is set)' : ''}`),
            ...r.skipped.map((d) => `Skipped ${d}: already formatted for this cluster and node`),
          ].join('\n'),
        );
      }),
    );

  // Two names for one thing (16 random bytes, base64url): Kafka's tools have both.
  const uuidCommands = [
    { name: 'random-uuid', what: 'uuid: a directory id for `format --initial-controllers`, or a cluster id', key: 'uuid' },
    { name: 'random-cluster-id', what: 'cluster id', key: 'clusterId' },
  ] as const;
  for (const { name, what, key } of uuidCommands) {
    program
      .command(name)
      .description(`Print a new random ${what} (16 random bytes, base64url, as Kafka makes them).`)
      .option('--json', `print {"${key}": …}`, false)
      .action(
        action((o: { json: boolean }) => {
          const id = randomClusterId();
          print(o.json, { [key]: id }, () => id);
        }),
      );
  }
}
