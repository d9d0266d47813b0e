// The commands that run or prepare a node: `start`, `format` and `random-cluster-id`
// (Kafka's `kafka-server-start.sh` and `kafka-storage.sh format | random-uuid`).

import { Option, type Command } from 'commander';
import { randomClusterId } from '../config/cluster-id.js';
import { formatStorage } from '../config/format.js';
import { loadServerConfig } from '../config/server-config.js';
import { LOG_LEVELS, type LogLevel } from '../server/logging.js';
import { runStart } from '../server/node-process.js';
import { action, print } from './common.js';

const collect = (value: string, previous: string[]) => [...previous, value];

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
    .option('--json', 'print the result as JSON', false)
    .action(
      action(async (o: { config: string; clusterId: string; override: string[]; ignoreFormatted: boolean; json: boolean }) => {
        const config = await loadServerConfig(o.config, o.override, (msg) => process.stderr.write(`warning: ${msg}\n`));
        const result = await formatStorage(config, o.clusterId, { ignoreFormatted: o.ignoreFormatted });
        print(o.json, { clusterId: o.clusterId, nodeId: config.nodeId, ...result }, (r) =>
          [
            ...r.formatted.map((d) => `Formatted ${d} for cluster ${r.clusterId}, node ${r.nodeId}`),
            ...r.skipped.map((d) => `Skipped ${d}: already formatted for this cluster and node`),
          ].join('\n'),
        );
      }),
    );

  program
    .command('random-cluster-id')
    .description('Print a new random cluster id (16 random bytes, base64url, as Kafka makes them).')
    .option('--json', 'print {"clusterId": …}', false)
    .action(
      action((o: { json: boolean }) => {
        print(o.json, { clusterId: randomClusterId() }, (r) => r.clusterId);
      }),
    );
}
