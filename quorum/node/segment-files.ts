// The on-disk format of the metadata log's segment files, and a scan of a log directory that only
// reads. SegmentLogStorage (the node's log) and the inspection tools (dump-log, metadata-shell)
// share it, so both judge a directory the same way.
//
// Layout of a log directory (`__cluster_metadata-0/log/`):
//
//   00000000000000000000.log   a segment, named by the base offset of its first batch (20 digits,
//                              as Kafka names them): encodedBatch() frames back to back, each
//                              [u32 length][u32 crc32c][msgpack payload] (batch-codec.ts)
//   log-start-offset           the log start, one line of JSON {"logStartOffset":n,"crc":c} with c
//                              the CRC32C of the decimal text of n; absent means 0
//   .lock                      "<pid> <start time>" of the process that has the log open
//
// What a scan accepts, in offset order across segments: every batch decodes and passes its CRC;
// a segment's first batch starts at the offset in its name; each batch starts where the previous
// one ended. Batches that end at or before the log start are stale (a deletePrefix interrupted
// after it moved the start): skipped, and a segment holding only such batches is reported for
// deletion. The first batch kept must hold the log start. The first violation is the cut: the log
// ends at the last good batch and everything from the bad one on (the rest of its segment, every
// later segment) is reported, for the node to remove and for the tools to show.
//
// The newest segment may end in zeros written ahead of its data (SegmentLogStorage preallocates):
// an all-zero remainder there is the end of the log, not a cut. Anywhere else zeros are a bad frame.
// The price: synced frames a device hands back as zeros at the end of the newest segment (a lost
// write) now end the log silently; they were cut there before as well, but with a warning. A
// newest segment with no frame at all (a roll just before a stop) is reported in emptyFiles.
//
// A cut says whether a crash can explain it (`crashDamage`). Only two places can be damaged by a
// kill or a power loss: the tail of the newest segment (appends not yet synced; a roll syncs a
// segment before it starts the next), and the segments after a truncation point (truncateFrom
// unlinks them, and a power loss before its directory sync can bring some back, named for offsets
// the log no longer reaches). A bad frame in an older segment, or a log whose first batch starts
// above the log start (a gap: deletePrefix makes the new start durable before it deletes), is
// damage to data that was synced and acknowledged: the node must refuse it, not cut it.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogBatch } from '../raft/types.js';
import { batchEndOffset } from '../raft/raft-log.js';
import { BatchCorruptError, decodeBatch, FRAME_HEADER_BYTES } from './batch-codec.js';
import { crc32c } from './crc32c.js';

export const SEGMENT_SUFFIX = '.log';
export const LOG_START_FILE = 'log-start-offset';
export const LOCK_FILE = '.lock';
const SEGMENT_NAME = /^(\d{20})\.log$/;

/** A segment as the storage indexes it: where each batch it keeps begins. */
export interface Segment {
  readonly baseOffset: number;
  readonly file: string;
  /** Base offsets of the batches kept (at or after the log start), ascending. */
  bases: number[];
  /** Byte position of each of those batches in the file. */
  positions: number[];
  /** Bytes of good frames: the position the next frame is written at. */
  size: number;
}

export interface SegmentScan {
  readonly logStartOffset: number;
  /** Segments kept, in offset order (the last one may be empty). */
  readonly segments: Segment[];
  readonly batches: LogBatch[];
  /** The offset the next batch starts at. */
  readonly endOffset: number;
  /** Segment files holding only batches below the log start. */
  readonly staleFiles: string[];
  /** The newest segment when it holds no frame at all (empty or zeros: a roll just before a stop). */
  readonly emptyFiles: string[];
  /** The first bad frame: the log was cut before it. */
  readonly cut?: {
    readonly file: string;
    readonly position: number;
    readonly reason: string;
    readonly laterFiles: string[];
    /** A kill or power loss can leave this (see the header); false: synced data is damaged. */
    readonly crashDamage: boolean;
  };
}

/** The log-start-offset file cannot be trusted. Not retriable: an operator must look. */
export class LogStartCorruptError extends Error {
  readonly code = 'LOG_START_CORRUPT';
  readonly retriable = false;
  constructor(readonly file: string, readonly reason: string) {
    super(`the log start file ${file} is corrupt (${reason}); refusing to guess where the metadata log starts. Restore it from a backup, or wipe this node's metadata.log.dir and format it again.`);
    this.name = 'LogStartCorruptError';
  }
}

export function segmentName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

export function logStartText(offset: number): string {
  return `${JSON.stringify({ logStartOffset: offset, crc: crc32c(new TextEncoder().encode(String(offset))) })}\n`;
}

export async function readLogStart(dir: string): Promise<number> {
  const file = join(dir, LOG_START_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LogStartCorruptError(file, 'not JSON');
  }
  const { logStartOffset, crc } = (parsed ?? {}) as { logStartOffset?: unknown; crc?: unknown };
  if (typeof logStartOffset !== 'number' || !Number.isSafeInteger(logStartOffset) || logStartOffset < 0) throw new LogStartCorruptError(file, 'logStartOffset is not an offset');
  if (crc !== crc32c(new TextEncoder().encode(String(logStartOffset)))) throw new LogStartCorruptError(file, 'crc mismatch');
  return logStartOffset;
}

/** The first implementation kept the log in LevelDB: say so rather than start with an empty log. */
export async function refuseLevelDbDir(dir: string): Promise<void> {
  const current = await readFile(join(dir, 'CURRENT'), 'utf8').catch(() => undefined);
  if (current !== undefined && current.startsWith('MANIFEST-')) throw new LogFormatError(dir);
}

/** A log directory in a format this version does not read. Not retriable: an operator must act. */
export class LogFormatError extends Error {
  readonly code = 'LOG_FORMAT_UNSUPPORTED';
  readonly retriable = false;
  constructor(readonly dir: string) {
    super(
      `the metadata log in ${dir} is in the LevelDB format of metaquorum 0.1, which this version no longer reads. ` +
        'Remove the directory and let the node fetch the log from the quorum again (a controller: only while the other voters hold a majority), or use the metaquorum version that wrote it.',
    );
    this.name = 'LogFormatError';
  }
}

/** Segment files in offset order, by name; other files are not the log's. */
export async function segmentFiles(dir: string): Promise<{ baseOffset: number; file: string }[]> {
  const names = await readdir(dir);
  const out: { baseOffset: number; file: string }[] = [];
  for (const name of names) {
    const m = SEGMENT_NAME.exec(name);
    if (m !== null) out.push({ baseOffset: Number(m[1]), file: name });
  }
  return out.sort((a, b) => a.baseOffset - b.baseOffset);
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Whether every byte from `from` on is zero; a frame's non-zero length answers at once (the usual case). */
function zeroTail(bytes: Buffer, from: number): boolean {
  if (bytes.length - from >= 4 && bytes.readUInt32BE(from) !== 0) return false;
  return allZero(bytes, from);
}

/** Whether every byte of `bytes` from `from` on is zero. */
function allZero(bytes: Buffer, from: number): boolean {
  for (let at = from; at < bytes.length; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, bytes.length - at);
    if (!bytes.subarray(at, at + n).equals(ZEROS.subarray(0, n))) return false;
  }
  return true;
}

/** Reads and checks every segment of `dir` (see the header). Writes nothing. */
export async function scanSegments(dir: string): Promise<SegmentScan> {
  const logStartOffset = await readLogStart(dir);
  const files = await segmentFiles(dir);
  const segments: Segment[] = [];
  const batches: LogBatch[] = [];
  const staleFiles: string[] = [];
  const emptyFiles: string[] = [];
  let previousEnd: number | undefined; // where the last batch read (kept or stale) ends
  let keptAny = false;
  const result = (cut?: SegmentScan['cut']): SegmentScan => ({
    logStartOffset,
    segments,
    batches,
    endOffset: keptAny ? previousEnd! : logStartOffset,
    staleFiles,
    emptyFiles,
    ...(cut !== undefined ? { cut } : {}),
  });
  for (let i = 0; i < files.length; i++) {
    const { baseOffset, file } = files[i]!;
    const segment: Segment = { baseOffset, file, bases: [], positions: [], size: 0 };
    const later = files.slice(i + 1).map((f) => f.file);
    const newest = i === files.length - 1;
    // The first violation ends the log: a segment with batches kept is cut there, any other goes.
    const cutHere = (reason: string, crashDamage = newest): SegmentScan => {
      if (segment.bases.length > 0) {
        segments.push(segment);
        return result({ file, position: segment.size, reason, laterFiles: later, crashDamage });
      }
      return result({ file, position: 0, reason, laterFiles: [file, ...later], crashDamage });
    };
    // Leftovers below the log start need not follow one another: deletePrefix (and load) unlink
    // them with one directory sync after the last, and a power loss may keep any subset of the
    // unlinks. A segment starting at or below the log start begins the log afresh.
    if (previousEnd !== undefined && !keptAny && baseOffset !== previousEnd && baseOffset <= logStartOffset) previousEnd = undefined;
    if (previousEnd !== undefined && baseOffset !== previousEnd) return cutHere(`segment ${file} is named for offset ${baseOffset}, the log before it ends at ${previousEnd}`, true);
    const bytes = await readFile(join(dir, file));
    let position = 0;
    while (position < bytes.length) {
      if (newest && zeroTail(bytes, position)) break; // preallocated, never written
      const where = `segment ${file} at byte ${position}`;
      if (bytes.length - position < FRAME_HEADER_BYTES) return cutHere(`${where}: a torn frame header (${bytes.length - position} bytes)`);
      const frameBytes = FRAME_HEADER_BYTES + bytes.readUInt32BE(position);
      if (frameBytes > bytes.length - position) return cutHere(`${where}: a torn frame (its header says ${frameBytes} bytes, ${bytes.length - position} are left)`);
      let batch: LogBatch;
      try {
        batch = decodeBatch(bytes.subarray(position, position + frameBytes));
      } catch (e) {
        if (e instanceof BatchCorruptError) return cutHere(`${where}: ${e.reason}`);
        throw e;
      }
      if (position === 0 && batch.baseOffset !== baseOffset) return cutHere(`${where}: the segment is named for offset ${baseOffset}, its first batch starts at ${batch.baseOffset}`);
      if (previousEnd !== undefined && batch.baseOffset !== previousEnd) return cutHere(`${where}: non-contiguous: expected a batch at ${previousEnd}, found one at ${batch.baseOffset}`);
      const end = batchEndOffset(batch);
      if (keptAny || end > logStartOffset) {
        if (!keptAny && batch.baseOffset > logStartOffset) return cutHere(`${where}: gap: the log starts at ${logStartOffset}, its first batch at ${batch.baseOffset}`, false);
        segment.bases.push(batch.baseOffset);
        segment.positions.push(position);
        batches.push(batch);
        keptAny = true;
      } // else stale: below the log start, skipped (the next batch must still follow it)
      previousEnd = end;
      position += frameBytes;
      segment.size = position;
    }
    if (segment.bases.length > 0) segments.push(segment);
    else if (position === 0) emptyFiles.push(file); // no frame at all (only the newest can be: a bad frame would have cut)
    else staleFiles.push(file); // only batches below the log start
  }
  return result();
}
