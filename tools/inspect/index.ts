// The offline inspection commands, registered together: `dump-log` (./dump-log.ts) and
// `metadata-shell` (./metadata-shell.ts). Both read a node's metadata directory without writing to
// it, also while the node runs.

import type { Command } from 'commander';
import { registerDumpLog } from './dump-log.js';
import { registerMetadataShell } from './metadata-shell.js';

export { dumpLog, registerDumpLog } from './dump-log.js';
export type { DumpLogOptions, DumpLogResult } from './dump-log.js';
export { registerMetadataShell, runMetadataShell } from './metadata-shell.js';
export { metadataPartitionDir } from './layout.js';

/** Adds `dump-log` and `metadata-shell` to `program`. */
export function registerInspectCommands(program: Command): Command {
  registerDumpLog(program);
  registerMetadataShell(program);
  return program;
}
