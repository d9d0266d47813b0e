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
//
// Past a cut that stays (damage, not a write in progress), readPastCut reads what the node would
// no longer load, for dump-log to show: the rest of the damaged segment from the frame after the
// bad one (found by the bad frame's own length when that still fits the file; else the rest of the
// segment is skipped), and every later segment, each frame checked by its own CRC. Frames are not
// required to follow one another there: this is forensics, not the log.

import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedLog } from '../../quorum/env/index.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { BatchCorruptError, decodeBatch, FRAME_HEADER_BYTES } from '../../quorum/node/batch-codec.js';
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
export async function readLogDir(logDir: string, note: (line: string) => void): Promise<ReadLog | undefined> {
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
  return { logStartOffset, batches, ...(cut !== undefined ? { recovered: { truncatedAtOffset: endOffset, reason: cut.reason }, cut } : {}) };
}

/** A read of the log: what the node would load, and where it was cut (if it was). */
export interface ReadLog extends LoadedLog {
  readonly cut?: NonNullable<SegmentScan['cut']>;
}

/** One stretch of frames read past a cut: consecutive good frames of one segment file. */
export interface StretchPastCut {
  readonly file: string;
  /** The byte the first frame starts at. */
  readonly position: number;
  readonly batches: LogBatch[];
}

/** What readPastCut found: the stretches of good frames, and each place it had to skip. */
export interface PastCut {
  readonly stretches: StretchPastCut[];
  /** Bytes that could not be read as frames (file, byte, why); the rest of that file is skipped. */
  readonly skipped: { readonly file: string; readonly position: number; readonly reason: string }[];
}

/** Reads the frames after `cut` (see the header). Writes nothing; a file gone meanwhile is skipped. */
export async function readPastCut(logDir: string, cut: NonNullable<SegmentScan['cut']>): Promise<PastCut> {
  const out: PastCut = { stretches: [], skipped: [] };
  const files = cut.laterFiles[0] === cut.file ? cut.laterFiles : [cut.file, ...cut.laterFiles];
  const newestFile = files[files.length - 1];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(logDir, file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    let position = file === cut.file ? cut.position : 0;
    let stretch: StretchPastCut | undefined;
    while (position < bytes.length) {
      if (file === newestFile && zeroRemainder(bytes, position)) break; // preallocated, never written
      const frame = frameAt(bytes, position);
      if (typeof frame !== 'string') {
        // At the cut itself this is a good frame that does not follow the log (a gap, a misnamed segment).
        if (stretch === undefined) out.stretches.push((stretch = { file, position, batches: [] }));
        stretch.batches.push(frame.batch);
        position += frame.bytes;
        continue;
      }
      stretch = undefined;
      const atCut = file === cut.file && position === cut.position;
      // The cut's own bad frame (already reported) is stepped over by its length when that fits the
      // file; a length that does not, or any later bad frame, ends what is read of this segment.
      const length = bytes.length - position >= FRAME_HEADER_BYTES ? bytes.readUInt32BE(position) : 0;
      if (atCut && length > 0 && position + FRAME_HEADER_BYTES + length <= bytes.length) {
        position += FRAME_HEADER_BYTES + length;
        continue;
      }
      out.skipped.push({ file, position, reason: `${atCut ? 'the bad frame\'s length does not fit the file' : frame}: the rest of the segment is skipped` });
      break;
    }
  }
  return out;
}

/** The batch framed at `position`, or why there is none. */
function frameAt(bytes: Buffer, position: number): { batch: LogBatch; bytes: number } | string {
  if (bytes.length - position < FRAME_HEADER_BYTES) return `a torn frame header (${bytes.length - position} bytes)`;
  const frameBytes = FRAME_HEADER_BYTES + bytes.readUInt32BE(position);
  if (frameBytes > bytes.length - position) return `a torn frame (its header says ${frameBytes} bytes, ${bytes.length - position} are left)`;
  try {
    return { batch: decodeBatch(bytes.subarray(position, position + frameBytes)), bytes: frameBytes };
  } catch (e) {
    if (e instanceof BatchCorruptError) return e.reason;
    throw e;
  }
}

function zeroRemainder(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
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
