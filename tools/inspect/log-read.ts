// Reads a node's metadata log (its segment files, quorum/node/segment-files.ts) without writing to
// it, whether the node is running or not: no lock is taken and nothing is cut or deleted.
//
// A running node may be writing while the files are read: the last segment can end in a frame
// being written (read as a torn tail), a segment can be deleted under a newer snapshot, a new one
// can appear. So a read that meets a cut or a vanished file is taken again, up to
// READ_ATTEMPTS_MAX times; a cut still there after that is the directory's own damage and is
// reported as `recovered` (the log up to the bad frame), as the node would report it at its next
// start. Only the files listed when a read begins are read, so a segment created meanwhile is
// simply not seen: a read is always a prefix of the log as it was.
//
// The newest segment is preallocated (zeros written ahead of its data), so a busy node writes into
// bytes a read is going through, and every attempt can meet another half-written frame. A cut in
// the newest segment whose bytes changed between two attempts (it moved, or what follows it did)
// is therefore a write in progress, not damage: the read so far, up to the last good frame, is
// returned as a prefix of the log, and a note says so.

import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedLog } from '../../quorum/env/index.js';
import { refuseLevelDbDir, scanSegments, type SegmentScan } from '../../quorum/node/segment-files.js';
import { kindOf } from './layout.js';

/** Reads taken before a cut is believed (the node may have been mid-write). */
export const READ_ATTEMPTS_MAX = 5;
/** Pause between attempts: a write in progress finishes well within it. */
const READ_RETRY_DELAY_MS = 20;

/** No consistent read could be made: the node kept deleting the files being read. */
export class LogReadError extends Error {
  readonly code = 'LOG_READ_FAILED';
  readonly retriable = true;
  constructor(readonly logDir: string, cause: unknown) {
    super(`cannot read the metadata log in ${logDir} after ${READ_ATTEMPTS_MAX} attempts: ${errorText(cause)}. If the node is busy, try again.`, { cause });
    this.name = 'LogReadError';
  }
}

/**
 * Loads the log in `logDir`, or returns undefined when `logDir` does not exist. `note` hears a
 * line per retry (for stderr). Never writes under `logDir`. Throws LogReadError, and
 * LogStartCorruptError for a damaged log-start-offset file.
 */
export async function readLogDir(logDir: string, note: (line: string) => void): Promise<LoadedLog | undefined> {
  if ((await kindOf(logDir)) !== 'dir') return undefined;
  await refuseLevelDbDir(logDir);
  let scan: SegmentScan | undefined;
  let lastError: unknown;
  let newestCut: NewestCut | undefined;
  for (let attempt = 1; attempt <= READ_ATTEMPTS_MAX; attempt++) {
    try {
      scan = await scanSegments(logDir);
      if (scan.cut === undefined) break;
      lastError = new Error(scan.cut.reason);
      const seen = await newestSegmentCut(logDir, scan.cut);
      if (seen !== undefined && newestCut !== undefined && beingWritten(newestCut, seen)) {
        note(`the node is writing its newest segment ${seen.file}: read up to offset ${scan.endOffset}`);
        return { logStartOffset: scan.logStartOffset, batches: scan.batches };
      }
      newestCut = seen;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      lastError = e; // a segment deleted between the listing and its read
      scan = undefined;
    }
    if (attempt === READ_ATTEMPTS_MAX) break;
    note(`read ${attempt} of ${logDir} is not consistent (${errorText(lastError)}); reading again`);
    await new Promise((r) => setTimeout(r, READ_RETRY_DELAY_MS));
  }
  if (scan === undefined) throw new LogReadError(logDir, lastError);
  const { logStartOffset, batches, endOffset, cut } = scan;
  return { logStartOffset, batches, ...(cut !== undefined ? { recovered: { truncatedAtOffset: endOffset, reason: cut.reason } } : {}) };
}

/** A cut in the newest segment, with the bytes at and after it when it was seen. */
interface NewestCut {
  readonly file: string;
  readonly position: number;
  readonly bytes: Buffer;
}

/** Bytes compared at a cut: more than any write in flight could leave unchanged. */
const CUT_WINDOW_BYTES = 64 * 1024;

async function newestSegmentCut(logDir: string, cut: NonNullable<SegmentScan['cut']>): Promise<NewestCut | undefined> {
  if (!cut.crashDamage || cut.laterFiles.some((f) => f !== cut.file)) return undefined;
  return { file: cut.file, position: cut.position, bytes: await bytesAt(join(logDir, cut.file), cut.position) };
}

/** Whether the newest segment changed at or after the earlier cut: the node is writing there. */
function beingWritten(earlier: NewestCut, now: NewestCut): boolean {
  if (earlier.file !== now.file) return true;
  if (earlier.position !== now.position) return true;
  return !earlier.bytes.equals(now.bytes);
}

async function bytesAt(file: string, position: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(CUT_WINDOW_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
