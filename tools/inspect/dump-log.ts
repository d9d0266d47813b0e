// `metaquorum dump-log`: prints a node's metadata log (or one snapshot file) record by record,
// like Kafka's `kafka-dump-log.sh --cluster-metadata-decoder` (reference/kraft.md §7).
//
//   dump-log --dir <metadata.log.dir>   header (quorum-state, snapshots present, log bounds), then
//                                       every batch and record of the log
//   dump-log --snapshot <file>          one snapshot file: its header, frames and records
//   --json          one JSON object per line (see ./dump-format.ts)
//   --records-only  only the record lines: two replicas with the same log print the same lines
//   --from <offset> / --limit <n>       records from that offset (snapshot: index) on, at most n
//
// Nothing under --dir is written: the log's segment files are only read (./log-read.ts), snapshots
// through a symlink (./snapshot-files.ts). A record that does not decode, a corrupt tail, a bad
// snapshot or quorum-state file is printed as an error line where it is found, the rest is still
// printed, and the command then exits 1. A bad frame inside the log (not a torn tail) ends the log
// as a node loads it; the frames past it are printed after the error line, under a line naming
// where they were found (log-read.ts readPastCut), with any bytes skipped named too. A --snapshot file that fails its own check (trailer, CRC)
// is an error line first, then whatever of it still decodes, frame by frame.

import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { basename } from 'node:path';
import { QuorumStateCorruptError, FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import type { LogBatch, QuorumStateData } from '../../quorum/raft/types.js';
import { action, errorJson, EXIT_RUNTIME, positiveIntArg } from '../cli/common.js';
import {
  batchLine,
  controlLine,
  faultLine,
  frameLine,
  logLine,
  partitionLine,
  pastCutLine,
  quorumStateLine,
  recordLine,
  snapshotFileLine,
  skippedLine,
  snapshotHeaderLine,
} from './dump-format.js';
import { resolvePartitionDir } from './layout.js';
import { readLogDir, readPastCut } from './log-read.js';
import { viewRecord } from './record-view.js';
import { snapshotEntries } from './snapshot-entries.js';
import { listSnapshotFiles, readSnapshotContent, readSnapshotFileOrDamaged } from './snapshot-files.js';
import { inspectSource, type InspectSource } from './source.js';

export interface DumpLogOptions {
  readonly json?: boolean;
  /** Only record lines (records, control records, records that do not decode, faults). */
  readonly recordsOnly?: boolean;
  /** The first offset (snapshot: record index) to print; default 0. */
  readonly fromOffset?: number;
  /** At most this many records; default all. */
  readonly limit?: number;
  /** Hears lines for stderr, such as a read of the log taken again while the node writes. */
  readonly note?: (line: string) => void;
}

export interface DumpLogResult {
  /** Record lines printed (control records and records that do not decode included). */
  readonly records: number;
  /** Error lines printed: each makes the command exit 1. */
  readonly errors: number;
}

/** Prints `source` through `write` (one line per call, no newline). */
export async function dumpLog(source: InspectSource, options: DumpLogOptions, write: (line: string) => void): Promise<DumpLogResult> {
  const dumper = new Dumper(options, write);
  if (source.kind === 'dir') await dumper.dumpDir(source.dir);
  else await dumper.dumpSnapshot(source.file);
  return { records: dumper.records, errors: dumper.errors };
}

class Dumper {
  records = 0;
  errors = 0;
  private readonly json: boolean;
  private readonly header: boolean;
  private readonly from: number;
  private readonly limit: number;

  constructor(
    private readonly options: DumpLogOptions,
    private readonly write: (line: string) => void,
  ) {
    this.json = options.json === true;
    this.header = options.recordsOnly !== true;
    this.from = options.fromOffset ?? 0;
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
  }

  async dumpDir(dir: string): Promise<void> {
    const layout = await resolvePartitionDir(dir);
    if (this.header) this.write(partitionLine(layout.partitionDir, this.json));

    const state = await this.quorumState(layout.quorumStateFile);
    if (this.header && state !== 'corrupt') this.write(quorumStateLine(state, this.json));

    for (const file of await listSnapshotFiles(layout.snapshotsDir)) {
      if (this.header) this.write(snapshotFileLine(file.name, file.id, file.bytes, this.json));
      try {
        await readSnapshotContent(file.path, file.id);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 'SNAPSHOT_NOT_FOUND') this.options.note?.(`snapshot ${file.name} was deleted (by the node) while it was being checked`);
        else if (code === 'SNAPSHOT_CORRUPT') this.fault((e as Error).message, { snapshot: file.name });
        else throw e;
      }
    }

    const log = await readLogDir(layout.logDir, this.options.note ?? (() => {}));
    const logEndOffset = log === undefined ? 0 : log.batches.length === 0 ? log.logStartOffset : end(log.batches[log.batches.length - 1]!);
    if (this.header) {
      this.write(logLine(log === undefined ? undefined : { logStartOffset: log.logStartOffset, logEndOffset, batches: log.batches.length }, this.json));
    }
    if (log === undefined) return;
    for (const batch of log.batches) {
      if (!this.dumpBatch(batch)) break;
    }
    if (log.cut === undefined) return;
    const { cut } = log;
    // What lies past the cut is shown too (each frame checked by its own CRC). Only a cut in the
    // newest segment with no good frame after it is a torn tail (a write a crash cut short).
    const past = await readPastCut(layout.logDir, cut);
    const tornTail = cut.crashDamage && cut.laterFiles.every((f) => f === cut.file) && past.stretches.length === 0;
    this.fault(`the log ends at offset ${logEndOffset} as a node loads it: ${cut.reason}${tornTail ? ' (the newest segment\'s torn tail: a write a crash cut short)' : ''}`, {});
    if (tornTail) return;
    for (const stretch of past.stretches) {
      if (this.header) this.write(pastCutLine(stretch.file, stretch.position, stretch.batches, this.json));
      for (const batch of stretch.batches) if (!this.dumpBatch(batch)) return;
    }
    for (const skip of past.skipped) if (this.header) this.write(skippedLine(skip.file, skip.position, skip.reason, this.json));
  }

  async dumpSnapshot(file: string): Promise<void> {
    const { id, content, damage } = await readSnapshotFileOrDamaged(file);
    // A damaged file is still shown as far as its frames check out: the frames hold the records an
    // operator may need back, and each frame carries its own checksum.
    if (damage !== undefined) this.fault(`${damage}; what follows is read without the file's own check`, { snapshot: basename(file) });
    let pendingFrame: string | undefined;
    let printedHeader = false;
    for (const entry of snapshotEntries(content)) {
      if (entry.kind === 'header') {
        if (this.header) this.write(snapshotHeaderLine(file, id, entry, this.json));
        printedHeader = true;
      } else if (entry.kind === 'fault') {
        if (!printedHeader && this.header) this.write(snapshotHeaderLine(file, id, undefined, this.json));
        printedHeader = true;
        this.fault(entry.reason, entry.frame === null ? {} : { frame: entry.frame });
      } else if (entry.kind === 'frame') {
        pendingFrame = this.header ? frameLine(entry.frame, entry.recordCount, entry.payloadBytes, this.json) : undefined;
      } else {
        if (entry.index < this.from) continue;
        if (this.records >= this.limit) break;
        if (pendingFrame !== undefined) this.write(pendingFrame);
        pendingFrame = undefined;
        this.record({ index: entry.index }, entry.bytes);
      }
    }
  }

  /** Prints the part of `batch` in range; false once the limit is reached. */
  private dumpBatch(batch: LogBatch): boolean {
    const count = batch.control === undefined ? batch.records.length : 1;
    if (batch.baseOffset + count <= this.from) return true;
    if (this.records >= this.limit) return false;
    if (this.header) this.write(batchLine(batch, this.json));
    if (batch.control !== undefined) {
      this.write(controlLine(batch.baseOffset, batch.control, this.json));
      this.records++;
      return true;
    }
    for (let i = Math.max(0, this.from - batch.baseOffset); i < count && this.records < this.limit; i++) {
      this.record({ offset: batch.baseOffset + i }, batch.records[i]!);
    }
    return true;
  }

  private record(at: { offset: number } | { index: number }, bytes: Uint8Array): void {
    const view = viewRecord(bytes);
    this.write(recordLine(at, view, this.json));
    this.records++;
    if (!view.ok) this.errors++;
  }

  private async quorumState(file: string): Promise<QuorumStateData | undefined | 'corrupt'> {
    try {
      return await new FileQuorumStateStore(file).read();
    } catch (e) {
      if (!(e instanceof QuorumStateCorruptError)) throw e;
      this.fault(`quorum-state: ${e.reason}`, {});
      return 'corrupt';
    }
  }

  private fault(reason: string, where: Readonly<Record<string, unknown>>): void {
    this.write(faultLine(reason, where, this.json));
    this.errors++;
  }
}

function end(batch: LogBatch): number {
  return batch.baseOffset + (batch.control === undefined ? batch.records.length : 1);
}

function nonNegativeIntArg(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0 || value.trim() === '') throw new InvalidArgumentError(`${what} must be a non-negative integer, got "${value}"`);
    return n;
  };
}

interface DumpLogFlags {
  readonly dir?: string;
  readonly snapshot?: string;
  readonly json: boolean;
  readonly recordsOnly: boolean;
  readonly from?: number;
  readonly limit?: number;
}

/** Adds `dump-log` to `program`. */
export function registerDumpLog(program: Command): Command {
  return program
    .command('dump-log')
    .description("Print a node's metadata log (or one snapshot file) record by record, like kafka-dump-log --cluster-metadata-decoder. Never writes to the node's directory; works while the node runs.")
    .option('--dir <metadata.log.dir>', "the node's metadata.log.dir (or its __cluster_metadata-0 directory)")
    .option('--snapshot <file>', 'one snapshot file (<endOffset>-<epoch>.checkpoint)')
    .option('--json', 'one JSON object per line', false)
    .option('--records-only', 'print only the record lines (offset, type, fields), e.g. to diff two replicas', false)
    .addOption(new Option('--from <offset>', 'first offset to print (for --snapshot: record index)').argParser(nonNegativeIntArg('--from')))
    .addOption(new Option('--limit <n>', 'print at most n records').argParser(positiveIntArg('--limit')))
    .addHelpText('after', '\nExit codes: 0 ok, 1 something did not decode (printed as error lines), 2 usage error.')
    .action(
      action(async (flags: DumpLogFlags) => {
        const source = inspectSource(flags);
        const result = await dumpLog(
          source,
          {
            json: flags.json,
            recordsOnly: flags.recordsOnly,
            ...(flags.from === undefined ? {} : { fromOffset: flags.from }),
            ...(flags.limit === undefined ? {} : { limit: flags.limit }),
            // Under --json every stderr line is a JSON object too, as other commands' errors are.
            note: (line) => process.stderr.write(flags.json ? `${JSON.stringify({ note: line })}\n` : `dump-log: ${line}\n`),
          },
          (line) => process.stdout.write(`${line}\n`),
        );
        if (result.errors > 0) {
          const message = `${result.errors} error line(s) above: part of the data does not decode`;
          process.stderr.write(flags.json ? `${errorJson(message, EXIT_RUNTIME)}\n` : `dump-log: ${message}\n`);
          process.exitCode = EXIT_RUNTIME;
        }
      }),
    );
}
