// `metaquorum metadata-shell`: browse a metadata image as a file system, like Kafka's
// kafka-metadata-shell (reference/kraft.md §7): `ls /`, `cat /topics/foo/0/data`, `tree /brokers`.
//
//   metadata-shell --dir <metadata.log.dir>   the newest snapshot plus the log after it
//   metadata-shell --snapshot <file>          one snapshot file
//   --command "<cmd>" (repeatable)            run these and exit (1 if one failed)
//   --json                                    JSON output for ls, cat, tree, find; every stderr
//                                             line a JSON object too ({note}, {warning}, {error, exitCode})
//   otherwise                                 an interactive prompt `metaquorum> ` on stdin (exit 0);
//                                             commands piped in run as a script (exit 1 if one failed)
//
// The image is built by ./load-image.ts (MetadataLoader, nothing written to the node's directory);
// the tree by ./image-fs.ts; the commands by ./shell-commands.ts. Problems met while loading (a
// corrupt snapshot skipped, a log that stops applying) are printed on stderr before the first
// command, and the shell shows the image up to where they stopped.

import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { action, errorJson, EXIT_OK, EXIT_RUNTIME } from '../cli/common.js';
import { imageRoot } from './image-fs.js';
import { jsonText } from './json.js';
import { loadImage } from './load-image.js';
import { ShellSession } from './shell-commands.js';
import type { ShellOutput } from './shell-commands.js';
import { inspectSource, type InspectSource } from './source.js';

export const SHELL_PROMPT = 'metaquorum> ';

export interface MetadataShellOptions {
  /** Commands to run in order; empty: read commands from `input`. */
  readonly commands: readonly string[];
  readonly json?: boolean;
}

export interface MetadataShellIo extends ShellOutput {
  /** Lines for stderr that are not command errors (loading notes and problems). */
  note(text: string): void;
  /** Where interactive commands come from (default: none, so no commands means nothing to run). */
  readonly input?: Readable;
  /** Where the interactive prompt and completion go (a terminal); without it, no prompt is shown. */
  readonly terminal?: Writable;
}

/** Loads the image of `source` and runs the shell on it; resolves to the exit code (0 or 1: see atPrompt). */
export async function runMetadataShell(source: InspectSource, options: MetadataShellOptions, io: MetadataShellIo): Promise<number> {
  const json = options.json === true;
  const loaded = await loadImage(source, (line) => io.note(json ? jsonText({ note: line }) : line));
  for (const problem of loaded.problems) io.note(json ? jsonText({ warning: problem }) : `warning: ${problem}`);
  // At a terminal's prompt errors are shown and the session goes on, exit 0. Commands from
  // --command or piped in are a script: a failed one, or data loaded only in part, exits 1.
  const atPrompt = options.commands.length === 0 && io.terminal !== undefined;
  const session = new ShellSession(imageRoot(loaded.image), io, json, atPrompt ? undefined : EXIT_RUNTIME);
  let failed = false;
  const run = (line: string): boolean => {
    const outcome = session.execute(line);
    if (outcome === 'error') failed = true;
    return outcome !== 'exit';
  };
  if (options.commands.length > 0) {
    for (const command of options.commands) if (!run(command)) break;
  } else if (io.input !== undefined) {
    await interactive(session, io.input, io.terminal, run);
  }
  if (atPrompt) return EXIT_OK;
  // Data that could only be partly loaded fails the run too, as dump-log does on the same data:
  // a script must not take a partial image for the node's state (found by a review).
  if (loaded.problems.length > 0) {
    const message = `the data could not be loaded whole (${loaded.problems.length} warning(s) above)`;
    io.err(json ? errorJson(message, EXIT_RUNTIME) : `error: ${message}`);
  }
  return failed || loaded.problems.length > 0 ? EXIT_RUNTIME : EXIT_OK;
}

/** Reads command lines from `input` until `exit` (`run` answers false) or its end; errors are shown and the prompt goes on. */
async function interactive(session: ShellSession, input: Readable, terminal: Writable | undefined, run: (line: string) => boolean): Promise<void> {
  const rl = createInterface({
    input,
    ...(terminal === undefined ? {} : { output: terminal, terminal: true }),
    completer: (line: string): [string[], string] => {
      const word = line.slice(line.lastIndexOf(' ') + 1);
      return [session.complete(word), word];
    },
  });
  rl.setPrompt(SHELL_PROMPT);
  if (terminal !== undefined) rl.prompt();
  try {
    for await (const line of rl) {
      if (!run(line)) break;
      if (terminal !== undefined) rl.prompt();
    }
  } finally {
    rl.close();
  }
}

interface MetadataShellFlags {
  readonly dir?: string;
  readonly snapshot?: string;
  readonly command: string[];
  readonly json: boolean;
}

/** Adds `metadata-shell` to `program`. */
export function registerMetadataShell(program: Command): Command {
  return program
    .command('metadata-shell')
    .description('Browse the metadata image of a node directory or snapshot as a file system (ls, cd, cat, tree, find), like kafka-metadata-shell. Never writes to the node\'s directory; works while the node runs.')
    .option('--dir <metadata.log.dir>', "the node's metadata.log.dir (or its __cluster_metadata-0 directory): newest snapshot + log")
    .option('--snapshot <file>', 'one snapshot file (<endOffset>-<epoch>.checkpoint)')
    .option('-c, --command <cmd>', 'run this command and exit (repeatable; runs in order)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--json', 'JSON output for ls, cat, tree and find', false)
    .addHelpText('after', '\nCommands: ls, cd, pwd, cat, tree, find [-name <glob>] [-type f|d], help, exit.\nExit codes: 0 ok (always, at an interactive prompt), 1 a command (--command or piped in) failed or the data could not be loaded whole (a warning names what was skipped), 2 usage error.')
    .action(
      action(async (flags: MetadataShellFlags) => {
        const source = inspectSource(flags);
        const stdin = process.stdin;
        const code = await runMetadataShell(source, { commands: flags.command, json: flags.json }, {
          out: (text) => process.stdout.write(`${text}\n`),
          err: (text) => process.stderr.write(`${text}\n`),
          note: (text) => process.stderr.write(flags.json ? `${text}\n` : `metadata-shell: ${text}\n`),
          input: stdin,
          ...(stdin.isTTY === true ? { terminal: process.stdout } : {}),
        });
        if (code !== EXIT_OK) process.exitCode = code;
      }),
    );
}
