// The replicated log on disk (LogStorage of DESIGN §5): append-only segment files in one
// directory, as Kafka keeps a partition. The format and the checks made when the log is opened
// are in segment-files.ts.
//
// Why files and not LevelDB (the first implementation): a follower's append is on the critical
// path of every commit. A LevelDB sync write spent ~100 µs of main-thread time in the binding and
// then waited on two thread-pool hops around the fsync, each of which needs a free core on a
// loaded 2-core machine. Here an append is one writev and one fdatasync, made on the main thread:
// nothing else can proceed before the append anyway. bench:cluster, single-writer p50, three
// alternating runs each on one machine: 1.42 / 1.61 / 1.45 ms with LevelDB, 1.07 / 1.03 / 0.99 ms
// with the append written to a file this way.
//
// Operations (the driver makes one at a time; the contract is in env/index.ts):
//
//   open       takes the directory's .lock (another live process holding it: LogDirLockedError).
//   load       syncs the directory (a killed process may have left renames only in the page
//              cache), scans the segments; deletes those holding only batches below the log start;
//              at the first bad frame cuts the log: that segment is truncated there (or deleted
//              when it keeps nothing) and every later segment deleted, then reports `recovered`;
//              damage a crash cannot explain (segment-files.ts) throws LogCorruptError instead,
//              before anything is changed.
//   append     writes the frames at the end of the active segment (one writev). A full segment
//              (SEGMENT_BYTES) is synced, trimmed of its preallocated zeros and closed first, and a
//              new one created, named by the offset of the batch that opens it; a batch never
//              straddles two segments. Then it preallocates (below). With
//              `sync`, it yields once to the event loop (so the fetch responses the driver queued
//              in this turn reach their sockets before the disk is waited on), then fdatasyncs the
//              segment and, after a segment was created, the directory. (A leader's fdatasync
//              on the thread pool instead, so that acknowledgements arriving meanwhile are read,
//              was measured: no gain in throughput or p50, a worse p99.)
//   truncate   cuts the segment holding the first doomed batch at that batch (ftruncate), deletes
//              every later segment, and syncs both before it returns.
//   deletePrefix  writes the new log start (tmp file, fsync, rename, fsync the directory), then
//              deletes, oldest first, the segments whose batches all end at or before it. A crash
//              in between leaves stale segments, which the next load deletes.
//   restartAt  (an observer discarding its copy) deletes every segment, newest first, syncing the
//              directory after each, then writes the new log start, which may be below the old one.
//   close      closes the active segment and removes the lock.
//
// Durability: an append without `sync` marks the segment unsynced; the next sync append (or an
// empty one, a flush) syncs it, and a roll syncs the old segment before leaving it.
//
// Preallocation, as ZooKeeper does for its transaction log: the active segment's file is kept
// longer than its data, the extra written as zeros, whenever less than half of a step is left; a
// step is as much as the segment holds, from 64 KiB up to PREALLOCATE_BYTES (a small log, as in a
// test or a quiet cluster, stays small). An fdatasync after an append into blocks already written
// changes no metadata (no file size, no block allocation), so it needs no ext4 journal commit;
// three voters syncing at once on one disk otherwise queue on the journal. One append per half step
// of log pays for the zeros' sync. Measured with three processes each appending 4 KB and
// fdatasyncing on this kind of 2-core VM: p50 405 µs appending to the end of a file, 211 µs into
// written zeros. The scan (segment-files.ts) takes an all-zero remainder of the newest segment as
// the end of the log; a roll trims the zeros (synced) before the next segment exists, so only the
// newest has them.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync, writevSync } from 'node:fs';
import { open, readFile, rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LogBatch } from '../raft/types.js';
import type { LoadedLog, Logger, LogStorage } from '../env/index.js';
import { decodeBatch, encodedBatch, FRAME_HEADER_BYTES } from './batch-codec.js';
import { batchEndOffset } from '../raft/raft-log.js';
import { mkdirDurably } from './fsync-dir.js';
import { fsyncStall } from './fsync-stall.js';
import { LOCK_FILE, LOG_START_FILE, logStartText, refuseLevelDbDir, scanSegments, segmentName, type Segment } from './segment-files.js';

/** A segment is closed and a new one started before an append would take it past this size. */
export const SEGMENT_BYTES = 64 * 1024 * 1024;

/** Zeros written ahead of the data in the active segment: as much as it holds, within these bounds (see the header). */
export const PREALLOCATE_BYTES = 4 * 1024 * 1024;
export const PREALLOCATE_MIN_BYTES = 64 * 1024;

/** Another live process (or another handle in this one) has the directory open. Edge error, typed. */
export class LogDirLockedError extends Error {
  readonly code = 'LOG_DIR_LOCKED';
  readonly retriable = false;
  constructor(readonly dir: string, holder: string) {
    super(
      `cannot open the metadata log in ${dir}: ${holder} holds its lock (one process per directory). ` +
        'Stop the other node using this directory, or give this node its own metadata.log.dir.',
    );
    this.name = 'LogDirLockedError';
  }
}

/**
 * The log is damaged where a crash cannot damage it (segment-files.ts: a bad frame before the newest
 * segment, a gap at the log start): data that was synced and acknowledged. Cutting there would
 * silently drop entries this node acknowledged (and a voter would go on voting with less than it
 * promised), so the node refuses to start. Edge error, not retriable: an operator must act.
 */
export class LogCorruptError extends Error {
  readonly code = 'LOG_CORRUPT';
  readonly retriable = false;
  constructor(readonly dir: string, readonly reason: string) {
    super(
      `the metadata log in ${dir} is damaged in data it had synced (${reason}); a crash only damages the newest segment's tail, so this is a disk fault or a file changed by hand. ` +
        'Refusing to cut the log there, which would drop entries this node acknowledged. To recover: stop the node, remove its __cluster_metadata-0 directory and start it again ' +
        'to fetch the log from the quorum (a controller: only while the other voters hold a majority), or restore the directory from a backup.',
    );
    this.name = 'LogCorruptError';
  }
}

interface Active {
  readonly segment: Segment;
  readonly fd: number;
  /** The file's length: the data (segment.size), then zeros written ahead of it. */
  allocated: number;
}

export class SegmentLogStorage implements LogStorage {
  /** -1 until load(): appends need to know where the log ends. */
  private endOffset = -1;
  private logStartOffset = 0;
  private segments: Segment[] = [];
  private active: Active | undefined;
  /** Written to the active segment but not yet fdatasynced. */
  private unsynced = false;
  /** Told how long each append's fdatasync took, in seconds (the node's fsync histogram). */
  onSynced: ((seconds: number) => void) | undefined;
  /** A segment file was created since the directory was last synced. */
  private dirUnsynced = false;
  private busy = false;
  private inFlight: Promise<unknown> | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (creating) the directory and takes its lock. `segmentBytes` is for tests. */
  static async open(dir: string, logger: Logger, segmentBytes = SEGMENT_BYTES): Promise<SegmentLogStorage> {
    await mkdirDurably(dir);
    await refuseLevelDbDir(dir);
    takeLock(dir);
    return new SegmentLogStorage(dir, logger, segmentBytes);
  }

  /** The offset the next appended batch must start at (valid after load()). */
  get logEndOffset(): number {
    return this.endOffset;
  }

  async load(): Promise<LoadedLog> {
    return this.exclusive(async () => {
      // A process killed inside deletePrefix between its rename of the log start and the directory
      // sync left a start only the page cache holds: make it durable before the segments it makes
      // stale are unlinked (a power loss keeping the unlinks but not the rename would leave a gap).
      syncPath(this.dir);
      const scan = await scanSegments(this.dir);
      if (scan.cut !== undefined && !scan.cut.crashDamage) throw new LogCorruptError(this.dir, scan.cut.reason);
      this.logStartOffset = scan.logStartOffset;
      this.segments = scan.segments;
      this.endOffset = scan.endOffset;
      // A roll creates the next segment before its first batch is written: a stop in between leaves it empty.
      for (const f of scan.emptyFiles) await unlink(join(this.dir, f));
      if (scan.staleFiles.length > 0) {
        this.logger.warn({ dir: this.dir, logStartOffset: scan.logStartOffset, staleSegments: scan.staleFiles }, 'metadata log: deleting segments below the log start');
        for (const f of scan.staleFiles) await unlink(join(this.dir, f));
      }
      let recovered: LoadedLog['recovered'];
      if (scan.cut !== undefined) {
        const { file, position, reason, laterFiles } = scan.cut;
        if (!laterFiles.includes(file)) await truncateDurably(join(this.dir, file), position);
        for (const f of laterFiles) await unlink(join(this.dir, f));
        recovered = { truncatedAtOffset: this.endOffset, reason };
        this.logger.warn({ dir: this.dir, ...recovered, deletedSegments: laterFiles }, `metadata log: cut a torn or corrupt tail at offset ${this.endOffset}: ${reason}`);
      }
      // The core takes what load() returns as flushed (a voter acknowledges it). A process killed
      // between an append's writev and its fdatasync, or inside truncateFrom/deletePrefix before
      // their directory sync, left changes that are only in the page cache: make them durable
      // before anything is acknowledged or built on them (LevelDB's recovery did the same).
      for (const segment of this.segments.slice(0, -1)) syncPath(join(this.dir, segment.file));
      const last = this.segments[this.segments.length - 1];
      if (last !== undefined) {
        const fd = openSync(join(this.dir, last.file), 'r+');
        this.active = { segment: last, fd, allocated: fstatSync(fd).size };
        fdatasyncSync(fd);
      }
      syncPath(this.dir);
      return { logStartOffset: this.logStartOffset, batches: scan.batches, ...(recovered !== undefined ? { recovered } : {}) };
    });
  }

  async append(batches: readonly LogBatch[], sync: boolean): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'append before load()');
      if (batches.length > 0) this.write(batches);
      if (!sync || (!this.unsynced && !this.dirUnsynced)) return;
      const stall = fsyncStall(); // a test-only slow disk (fsync-stall.ts)
      if (stall !== undefined) await stall;
      // Let this turn's socket writes (fetch responses, corked until the microtasks have run) go first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.syncActive();
    });
  }

  /** Writes the frames of contiguous batches after the log end, rolling segments as they fill. */
  private write(batches: readonly LogBatch[]): void {
    let next = this.endOffset;
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      if (batch.baseOffset !== next) assert.fail(`append: batch ${i} starts at ${batch.baseOffset}, the log ends at ${next} (${this.dir})`);
      next = batchEndOffset(batch);
    }
    let chunk: Uint8Array[] = [];
    let chunkBytes = 0;
    const flushChunk = () => {
      if (chunk.length === 0) return;
      const { segment, fd } = this.active!;
      const written = writevSync(fd, chunk, segment.size);
      assert.equal(written, chunkBytes, `short write to ${segment.file}`);
      segment.size += chunkBytes;
      this.unsynced = true;
      chunk = [];
      chunkBytes = 0;
    };
    for (const batch of batches) {
      const frame = encodedBatch(batch);
      const pending = this.active === undefined ? 0 : this.active.segment.size + chunkBytes;
      if (this.active === undefined || (pending > 0 && pending + frame.length > this.segmentBytes)) {
        flushChunk();
        this.roll(batch.baseOffset);
      }
      const segment = this.active!.segment;
      segment.bases.push(batch.baseOffset);
      segment.positions.push(segment.size + chunkBytes);
      chunk.push(frame);
      chunkBytes += frame.length;
    }
    flushChunk();
    this.endOffset = next;
    this.preallocate();
  }

  /** Keeps zeros written ahead of the active segment's data (see the header). */
  private preallocate(): void {
    const a = this.active;
    if (a === undefined) return;
    const size = a.segment.size;
    const step = Math.min(PREALLOCATE_BYTES, Math.max(PREALLOCATE_MIN_BYTES, size));
    const target = Math.min(this.segmentBytes, size + step);
    if (a.allocated - size >= step / 2 || target <= a.allocated) return;
    const from = Math.max(a.allocated, size);
    const zeros = zeroBuffer();
    for (let at = from; at < target; at += zeros.length) {
      const n = Math.min(zeros.length, target - at);
      const written: number = writeSync(a.fd, zeros, 0, n, at);
      assert.equal(written, n, `short write of zeros to ${a.segment.file}`);
    }
    a.allocated = target;
    this.unsynced = true;
  }

  /** Leaves the active segment (synced) and starts a new one whose first batch is at `baseOffset`. */
  private roll(baseOffset: number): void {
    if (this.active !== undefined) {
      // Only the newest segment may end in zeros (the scan's rule): trim them, durably, first.
      // Always, not only when `allocated` says so: zeros a failed write left past it count too.
      ftruncateSync(this.active.fd, this.active.segment.size);
      this.unsynced = true;
      if (this.unsynced) fdatasyncSync(this.active.fd);
      this.unsynced = false;
      closeSync(this.active.fd);
      this.active = undefined;
    }
    // The previous segment's name durable before the next exists: never a later segment without it.
    if (this.dirUnsynced) syncPath(this.dir);
    this.dirUnsynced = false;
    const segment: Segment = { baseOffset, file: segmentName(baseOffset), bases: [], positions: [], size: 0 };
    const fd = openSync(join(this.dir, segment.file), 'wx');
    this.segments.push(segment);
    this.active = { segment, fd, allocated: 0 };
    this.dirUnsynced = true;
  }

  private syncActive(): void {
    if (this.unsynced && this.active !== undefined) {
      const started = this.onSynced === undefined ? 0 : performance.now();
      fdatasyncSync(this.active.fd);
      this.onSynced?.((performance.now() - started) / 1000);
    }
    this.unsynced = false;
    if (this.dirUnsynced) syncPath(this.dir);
    this.dirUnsynced = false;
  }

  async truncateFrom(offset: number): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'truncateFrom before load()');
      assert.ok(Number.isSafeInteger(offset) && offset >= this.logStartOffset, `truncateFrom(${offset}) below the log start ${this.logStartOffset} (${this.dir})`);
      if (offset >= this.endOffset) return;
      // The batch holding `offset` goes whole, and everything after it.
      let s = this.segments.length - 1;
      while (s > 0 && this.segments[s]!.baseOffset > offset) s--;
      const segment = this.segments[s]!;
      const k = lastAtOrBelow(segment.bases, offset);
      assert.ok(k >= 0, `truncateFrom(${offset}): no batch holds it in ${segment.file}`);
      const later = this.segments.splice(s + 1);
      this.closeActive();
      for (const l of later) await unlink(join(this.dir, l.file));
      if (later.length > 0) syncPath(this.dir); // the unlinks before the truncate: never an emptied segment with later ones back
      await truncateDurably(join(this.dir, segment.file), segment.positions[k]!);
      this.endOffset = segment.bases[k]!;
      segment.size = segment.positions[k]!;
      segment.bases.length = k;
      segment.positions.length = k;
      this.active = { segment, fd: openSync(join(this.dir, segment.file), 'r+'), allocated: segment.size };
    });
  }

  async deletePrefix(offset: number): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'deletePrefix before load()');
      assert.ok(Number.isSafeInteger(offset) && offset >= this.logStartOffset, `deletePrefix(${offset}) would move the log start back from ${this.logStartOffset}`);
      if (offset === this.logStartOffset) return;
      if (this.unsynced || this.dirUnsynced) this.syncActive(); // the start must not pass what is not on disk
      await writeLogStart(this.dir, offset);
      this.logStartOffset = offset;
      // Whole segments whose batches all end at or before `offset`: every one followed by a
      // segment starting at or before it; all of them when the log start passes the end.
      const pastEnd = offset >= this.endOffset;
      let doomed = 0;
      while (doomed < this.segments.length && (pastEnd || (this.segments[doomed + 1]?.baseOffset ?? Infinity) <= offset)) doomed++;
      if (pastEnd) this.closeActive();
      for (const segment of this.segments.splice(0, doomed)) await unlink(join(this.dir, segment.file));
      if (doomed > 0) syncPath(this.dir);
      // The first segment left may begin with batches below the new start: forget them.
      const first = this.segments[0];
      if (first !== undefined) {
        const keep = Math.max(0, lastAtOrBelow(first.bases, offset));
        first.bases.splice(0, keep);
        first.positions.splice(0, keep);
      }
      this.endOffset = Math.max(this.endOffset, offset);
    });
  }

  async restartAt(offset: number): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'restartAt before load()');
      assert.ok(Number.isSafeInteger(offset) && offset >= 0, `restartAt(${offset})`);
      // The segments go first, newest first, each unlink durable before the next: a crash midway
      // leaves the old start and a prefix of the old log (never a gap), then no batches.
      this.closeActive();
      for (const segment of this.segments.splice(0).reverse()) {
        await unlink(join(this.dir, segment.file));
        syncPath(this.dir);
      }
      this.dirUnsynced = false;
      await writeLogStart(this.dir, offset);
      this.logStartOffset = offset;
      this.endOffset = offset;
    });
  }

  /**
   * Batches holding offsets in [fromOffset, toOffset), in order, CRC-checked, read from the files
   * (for tests and tools; the running node serves fetches from the core's in-memory tail). A batch
   * that straddles `fromOffset` is included whole.
   */
  async readRange(fromOffset: number, toOffset: number): Promise<LogBatch[]> {
    assert.ok(Number.isSafeInteger(fromOffset) && Number.isSafeInteger(toOffset) && fromOffset <= toOffset, `readRange(${fromOffset}, ${toOffset})`);
    const out: LogBatch[] = [];
    if (fromOffset >= toOffset) return out;
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments[s]!;
      if (segment.bases.length === 0) continue; // stale frames only (truncateFrom(log start) cut its kept ones)
      if (segment.bases[0]! >= toOffset) break;
      if ((this.segments[s + 1]?.baseOffset ?? Infinity) <= fromOffset) continue;
      const from = Math.max(0, lastAtOrBelow(segment.bases, fromOffset));
      const start = segment.positions[from]!;
      const bytes = (await readFile(join(this.dir, segment.file))).subarray(start, segment.size);
      let position = 0;
      while (position < bytes.length) {
        const frameBytes = FRAME_HEADER_BYTES + bytes.readUInt32BE(position);
        const batch = decodeBatch(bytes.subarray(position, position + frameBytes));
        position += frameBytes;
        if (batch.baseOffset >= toOffset) return out;
        if (batchEndOffset(batch) > fromOffset) out.push(batch);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A shutdown may come while an operation is in flight: let it finish with its files open.
    await this.inFlight?.catch(() => undefined);
    this.closeActive();
    rmSync(join(this.dir, LOCK_FILE), { force: true });
  }

  private closeActive(): void {
    if (this.active === undefined) return;
    closeSync(this.active.fd);
    this.active = undefined;
    this.unsynced = false;
  }

  /** The driver calls one method at a time (LogStorage contract); overlapping calls are a bug. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) assert.fail(`SegmentLogStorage (${this.dir}): overlapping calls`);
    if (this.closed) assert.fail(`SegmentLogStorage (${this.dir}): used after close()`);
    this.busy = true;
    const run = fn();
    this.inFlight = run;
    try {
      return await run;
    } finally {
      this.busy = false;
      this.inFlight = undefined;
    }
  }
}

let zeroChunk: Buffer | undefined;
/** A buffer of zeros to preallocate with, made on first use. */
function zeroBuffer(): Buffer {
  zeroChunk ??= Buffer.alloc(1024 * 1024);
  return zeroChunk;
}

/** Index of the last element <= x in an ascending array, or -1. */
function lastAtOrBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

async function truncateDurably(file: string, size: number): Promise<void> {
  await truncate(file, size);
  syncPath(file);
}

/** fsync of a file or a directory (a directory's entries live in its own data). */
function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Atomic and durable: after a crash the old or the new start is read, never a torn one. */
async function writeLogStart(dir: string, offset: number): Promise<void> {
  const file = join(dir, LOG_START_FILE);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(logStartText(offset));
    const stall = fsyncStall();
    if (stall !== undefined) await stall;
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  syncPath(dir);
}

// --- The lock: one process per directory. Node has no flock, so the lock is a file holding the
// owner's pid and start time; a lock whose process is gone (kill -9) or whose pid now belongs to
// another process (a different start time) is taken over.

function takeLock(dir: string): void {
  const file = join(dir, LOCK_FILE);
  const me = `${process.pid} ${processStartTime(process.pid) ?? '-'}`;
  // Written whole under a private name, then linked into place: a reader never sees it half-written.
  const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, me);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let holder: string;
      try {
        holder = readFileSync(file, 'utf8').trim();
      } catch {
        continue; // released meanwhile
      }
      const live = liveHolder(holder);
      if (live !== undefined) throw new LogDirLockedError(dir, live);
      // Stale: its process is gone. Move it aside (atomic), then check that what moved is the
      // stale lock and not one a racing process took meanwhile, which goes back in place.
      const aside = `${mine}.stale`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readFileSync(aside, 'utf8').trim();
      rmSync(aside, { force: true });
      if (moved !== holder) {
        writeFileSync(aside, moved);
        try {
          linkSync(aside, file);
        } finally {
          rmSync(aside, { force: true });
        }
        throw new LogDirLockedError(dir, liveHolder(moved) ?? 'another process that took it at the same moment');
      }
    }
    throw new LogDirLockedError(dir, 'another process that keeps taking it');
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Describes the lock's holder when it is a live process, else undefined. */
function liveHolder(content: string): string | undefined {
  const [pidText, start] = content.split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  const now = processStartTime(pid);
  if (start !== undefined && start !== '-' && now !== undefined && now !== start) return undefined;
  return pid === process.pid ? `this process (pid ${pid}, another handle)` : `process ${pid}`;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), where there is a /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
