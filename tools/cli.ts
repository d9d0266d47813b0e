#!/usr/bin/env node
// metaquorum's command line (commander). Each command lives in its own file under tools/cli/ (the
// offline inspectors under tools/inspect/); this file only assembles them.
//
// Exit codes everywhere: 0 ok, 1 runtime error, 2 usage or configuration error.

import { Command, CommanderError } from 'commander';
import { realAdminConnector } from './admin/admin-client.js';
import { registerChaosCommand } from './cli/chaos-command.js';
import { registerClusterCommand } from './cli/cluster-command.js';
import { registerConsumerGroupsCommand } from './cli/consumer-groups-command.js';
import { errorText, EXIT_RUNTIME, EXIT_USAGE, jsonRequested } from './cli/common.js';
import { registerConfigsCommand } from './cli/configs-command.js';
import { setAdminConnector } from './cli/connect.js';
import { registerDevCommand } from './cli/dev-command.js';
import { registerMigrateCommand } from './cli/migrate-command.js';
import { registerQuorumCommand } from './cli/quorum-command.js';
import { registerServerCommands } from './cli/server-commands.js';
import { registerTopicsCommand } from './cli/topics-command.js';
import { registerReassignCommand } from './cli/reassign-command.js';
import { registerFeaturesCommand } from './cli/features-command.js';
import { registerLeaderElectionCommand } from './cli/leader-election-command.js';
import { registerAclsCommand } from './cli/acls-command.js';
import { registerInspectCommands } from './inspect/index.js';
import { METAQUORUM_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('metaquorum')
    .description('A self-managed metadata quorum in the spirit of Apache Kafka KRaft: controllers replicate a metadata log with Raft, brokers follow it.')
    .version(METAQUORUM_VERSION)
    // One line, not the whole help: the error stays visible. Under --json a usage error (a bad
    // flag value, an unknown option) is one JSON object like any other error, and nothing else.
    .showHelpAfterError(jsonRequested() ? false : '(add --help for usage)')
    .configureOutput({ outputError: (text, write) => write(jsonRequested() ? errorText(text.replace(/^error: /, '').trim(), EXIT_USAGE) : text) })
    .exitOverride() // before the subcommands, so they inherit these: usage errors exit 2, not 1
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime error, 2 usage or configuration error.\nStart here: `metaquorum dev` runs a local cluster.');
  registerDevCommand(program);
  registerServerCommands(program);
  registerQuorumCommand(program);
  registerClusterCommand(program);
  registerConsumerGroupsCommand(program);
  registerTopicsCommand(program);
  registerReassignCommand(program);
  registerFeaturesCommand(program);
  registerLeaderElectionCommand(program);
  registerConfigsCommand(program);
  registerAclsCommand(program);
  registerInspectCommands(program);
  registerMigrateCommand(program);
  registerChaosCommand(program);
  return program;
}

// Output piped into a reader that stops early (`dump-log … | head`): stop quietly, as cat does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

setAdminConnector(realAdminConnector);
const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  const code = (e as { exitCode?: unknown }).exitCode === EXIT_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
  process.stderr.write(errorText(e instanceof Error ? e.message : String(e), code));
  process.exit(code);
}
