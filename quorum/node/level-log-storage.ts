// The replicated log on disk (LogStorage of DESIGN §5), in one LevelDB directory via level 10.
//
// Why level: an LSM tree with its own write-ahead log gives atomic multi-key batches and one
// fsync per batch (`{ sync: true }`), which is exactly the group commit the driver needs: one
// append() call = one db.batch = one fsync, however many batches it carries.
//
// Keys (binary, so iteration order is offset order):
//   'L' + u64 big-endian baseOffset   -> encodedBatch() frame (length + CRC32C + msgpack)
//   'M:logStartOffset'                -> u64 big-endian log start offset (absent: 0)
//
// Invariants, asserted on write and checked on load: stored batches are contiguous (each batch's
// baseOffset is the previous batch's end), the first one contains the log start (baseOffset <=
// logStart < end), and every key matches its batch's baseOffset. deletePrefix writes its deletions
// and the new log start in one atomic batch, so no stale prefix survives a crash.
//
// load() cuts a torn or corrupt tail: at the first entry that fails its CRC, does not decode, or
// breaks contiguity, it deletes that entry and everything after it (one sync batch), logs a warn
// line and reports `recovered`. The log then ends at the last good batch; Raft refetches the rest
// from the leader. LevelDB itself recovers its write-ahead log on open and silently drops a record
// that fails its own checksum; it notes that only in its info log (`<dir>/LOG`, rewritten at every
// open), so open() reads that file and load() reports such a drop the same way.
//
// level holds a LOCK file: one process per directory. A second open fails with LogDirLockedError.

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { LogBatch } from '../raft/types.js';
import type { LoadedLog, Logger, LogStorage } from '../env/index.js';
import { BatchCorruptError, decodeBatch, encodedBatch } from './batch-codec.js';
import { batchEndOffset } from '../raft/raft-log.js';
import { fsyncStall } from './fsync-stall.js';

const LOG_PREFIX = 0x4c; // 'L'
const LOG_KEY_LENGTH = 9;
const LOG_KEYS_GTE = Uint8Array.of(LOG_PREFIX);
const LOG_KEYS_LT = Uint8Array.of(LOG_PREFIX + 1);
const META_LOG_START_KEY = new TextEncoder().encode('M:logStartOffset');
/** Entries read per iterator round trip while loading. */
const LOAD_ENTRIES_PER_READ = 1024;

type Db = Level<Uint8Array, Uint8Array>;
type CheckedEntry = { kind: 'ok'; batch: LogBatch } | { kind: 'stale' } | { kind: 'bad'; reason: string };
type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Another process (or another handle in this one) has the directory open. Edge error, typed. */
export class LogDirLockedError extends Error {
  readonly code = 'LOG_DIR_LOCKED';
  readonly retriable = false;
  constructor(readonly dir: string, cause: unknown) {
    super(
      `cannot open the metadata log in ${dir}: another process holds its LOCK file (one process per directory). ` +
        'Stop the other node using this directory, or give this node its own metadata.log.dir.',
      { cause },
    );
    this.name = 'LogDirLockedError';
  }
}

export class LevelLogStorage implements LogStorage {
  /** -1 until load(): appends need to know where the log ends. */
  private endOffset = -1;
  /** True when a write without sync may not be on disk yet. */
  private unsynced = false;
  private busy = false;

  private constructor(
    private readonly db: Db,
    private readonly dir: string,
    private readonly logger: Logger,
    private logStartOffset: number,
    /** What LevelDB said it dropped while recovering its write-ahead log at open (its LOG lines). */
    private readonly walDropped: readonly string[],
  ) {}

  static async open(dir: string, logger: Logger): Promise<LevelLogStorage> {
    await mkdir(dir, { recursive: true });
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (e) {
      const err = e as { code?: unknown; cause?: { code?: unknown } };
      if (err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED') throw new LogDirLockedError(dir, e);
      throw e;
    }
    const start = await db.get(META_LOG_START_KEY);
    return new LevelLogStorage(db, dir, logger, start === undefined ? 0 : readU64(start, 0), await walRecoveryDrops(dir));
  }

  /** The offset the next appended batch must start at (valid after load()). */
  get logEndOffset(): number {
    return this.endOffset;
  }

  async load(): Promise<LoadedLog> {
    return this.exclusive(async () => {
      const batches: LogBatch[] = [];
      let expected: number | undefined; // the next baseOffset, once a first batch was accepted
      let cut: { key: Uint8Array; keyOffset: number | undefined; reason: string } | undefined;
      const stale: Uint8Array[] = [];
      const it = this.db.iterator({ gte: LOG_KEYS_GTE, lt: LOG_KEYS_LT });
      try {
        while (cut === undefined) {
          const entries = await it.nextv(LOAD_ENTRIES_PER_READ);
          if (entries.length === 0) break;
          for (const [key, value] of entries) {
            const entry = this.checkEntry(key, value, expected);
            if (entry.kind === 'stale') {
              stale.push(key);
            } else if (entry.kind === 'bad') {
              cut = { key, keyOffset: offsetOfKey(key), reason: entry.reason };
              break;
            } else {
              batches.push(entry.batch);
              expected = batchEndOffset(entry.batch);
            }
          }
        }
      } finally {
        await it.close();
      }

      this.endOffset = expected ?? this.logStartOffset;
      if (stale.length > 0) {
        this.logger.warn({ dir: this.dir, logStartOffset: this.logStartOffset, staleBatches: stale.length }, 'metadata log: deleting batches below the log start');
        await this.db.batch(stale.map((key): Op => ({ type: 'del', key })), { sync: true });
      }
      if (cut === undefined) {
        if (this.walDropped.length === 0) return { logStartOffset: this.logStartOffset, batches };
        const recovered = { truncatedAtOffset: this.endOffset, reason: `LevelDB dropped a corrupt write-ahead log record on recovery (${this.walDropped.join('; ')})` };
        this.logger.warn({ dir: this.dir, ...recovered }, `metadata log: its write-ahead log had a corrupt tail; the log now ends at offset ${this.endOffset}`);
        return { logStartOffset: this.logStartOffset, batches, recovered };
      }

      const doomed = await this.db.keys({ gte: cut.key, lt: LOG_KEYS_LT }).all();
      assert.ok(doomed.length >= 1, 'the bad entry itself is among the keys to delete');
      await this.db.batch(doomed.map((key): Op => ({ type: 'del', key })), { sync: true });
      const recovered = { truncatedAtOffset: this.endOffset, reason: cut.reason };
      this.logger.warn(
        { dir: this.dir, ...recovered, badEntryOffset: cut.keyOffset ?? null, droppedEntries: doomed.length },
        `metadata log: cut a torn or corrupt tail at offset ${this.endOffset}: ${cut.reason}`,
      );
      return { logStartOffset: this.logStartOffset, batches, recovered };
    });
  }

  /** Decodes one stored entry and checks it against its key and the batches before it. */
  private checkEntry(key: Uint8Array, value: Uint8Array, expected: number | undefined): CheckedEntry {
    const keyOffset = offsetOfKey(key);
    if (keyOffset === undefined) return { kind: 'bad', reason: `malformed key of ${key.length} bytes` };
    let batch: LogBatch;
    try {
      batch = decodeBatch(value);
    } catch (e) {
      if (e instanceof BatchCorruptError) return { kind: 'bad', reason: `batch at ${keyOffset}: ${e.reason}` };
      throw e;
    }
    if (batch.baseOffset !== keyOffset) return { kind: 'bad', reason: `key says offset ${keyOffset}, its batch says ${batch.baseOffset}` };
    if (expected !== undefined) {
      if (batch.baseOffset === expected) return { kind: 'ok', batch };
      return { kind: 'bad', reason: `non-contiguous: expected a batch at ${expected}, found one at ${batch.baseOffset}` };
    }
    // The first batch must contain the log start. One that ends before it is a leftover (defence only:
    // deletePrefix is atomic); one that begins after it leaves a gap.
    if (batchEndOffset(batch) <= this.logStartOffset) return { kind: 'stale' };
    if (batch.baseOffset > this.logStartOffset) {
      return { kind: 'bad', reason: `gap: the log starts at ${this.logStartOffset}, its first batch at ${batch.baseOffset}` };
    }
    return { kind: 'ok', batch };
  }

  async append(batches: readonly LogBatch[], sync: boolean): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'append before load()');
      const stall = sync ? fsyncStall() : undefined; // a test-only slow disk (fsync-stall.ts)
      if (stall !== undefined) await stall;
      if (batches.length === 0) {
        // A flush with nothing new: a sync write fsyncs LevelDB's log, earlier unsynced writes included.
        if (sync && this.unsynced) await this.db.put(META_LOG_START_KEY, u64(this.logStartOffset), { sync: true });
        if (sync) this.unsynced = false;
        return;
      }
      const ops: Op[] = new Array<Op>(batches.length);
      let next = this.endOffset;
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        if (batch.baseOffset !== next) {
          assert.fail(`append: batch ${i} starts at ${batch.baseOffset}, the log ends at ${next} (${this.dir})`);
        }
        ops[i] = { type: 'put', key: logKey(batch.baseOffset), value: encodedBatch(batch) };
        next = batchEndOffset(batch);
      }
      await this.db.batch(ops, { sync });
      this.endOffset = next;
      this.unsynced = !sync;
    });
  }

  async truncateFrom(offset: number): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'truncateFrom before load()');
      assert.ok(Number.isSafeInteger(offset) && offset >= this.logStartOffset, `truncateFrom(${offset}) below the log start ${this.logStartOffset} (${this.dir})`);
      if (offset >= this.endOffset) return;
      // A batch that straddles `offset` holds a record at or after it: it goes too.
      const straddling = (await this.db.has(logKey(offset))) ? [] : await this.db.keys({ gte: LOG_KEYS_GTE, lt: logKey(offset), reverse: true, limit: 1 }).all();
      const keys = [...straddling, ...(await this.db.keys({ gte: logKey(offset), lt: LOG_KEYS_LT }).all())];
      await this.db.batch(keys.map((key): Op => ({ type: 'del', key })), { sync: true });
      this.endOffset = straddling[0] !== undefined ? offsetOfKey(straddling[0])! : offset;
      this.unsynced = false;
    });
  }

  async deletePrefix(offset: number): Promise<void> {
    return this.exclusive(async () => {
      assert.ok(this.endOffset >= 0, 'deletePrefix before load()');
      assert.ok(
        Number.isSafeInteger(offset) && offset >= this.logStartOffset,
        `deletePrefix(${offset}) would move the log start back from ${this.logStartOffset}`,
      );
      if (offset === this.logStartOffset) return;
      // A batch ends where the next one begins; the last one ends at endOffset.
      const keys = await this.db.keys({ gte: LOG_KEYS_GTE, lte: logKey(offset) }).all();
      const ops: Op[] = [];
      for (let i = 0; i < keys.length; i++) {
        const next = keys[i + 1];
        const end = next !== undefined ? offsetOfKey(next)! : offsetOfKey(keys[i]!) === offset ? offset + 1 : this.endOffset;
        if (end <= offset) ops.push({ type: 'del', key: keys[i]! });
      }
      ops.push({ type: 'put', key: META_LOG_START_KEY, value: u64(offset) });
      await this.db.batch(ops, { sync: true });
      this.logStartOffset = offset;
      this.endOffset = Math.max(this.endOffset, offset);
      this.unsynced = false;
    });
  }

  /**
   * Batches holding offsets in [fromOffset, toOffset), in order, CRC-checked (for tools such as
   * dump-log; the running node serves fetches from the core's in-memory tail). A batch that
   * straddles `fromOffset` is included whole.
   */
  async readRange(fromOffset: number, toOffset: number): Promise<LogBatch[]> {
    assert.ok(Number.isSafeInteger(fromOffset) && Number.isSafeInteger(toOffset) && fromOffset <= toOffset, `readRange(${fromOffset}, ${toOffset})`);
    const out: LogBatch[] = [];
    if (fromOffset >= toOffset) return out;
    const first = (await this.db.has(logKey(fromOffset))) ? [] : await this.db.keys({ gte: LOG_KEYS_GTE, lt: logKey(fromOffset), reverse: true, limit: 1 }).all();
    const it = this.db.iterator({ gte: first[0] ?? logKey(fromOffset), lt: logKey(toOffset) });
    try {
      for (;;) {
        const entries = await it.nextv(LOAD_ENTRIES_PER_READ);
        if (entries.length === 0) break;
        for (const [, value] of entries) {
          const batch = decodeBatch(value);
          if (batchEndOffset(batch) > fromOffset) out.push(batch);
        }
      }
    } finally {
      await it.close();
    }
    return out;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** The driver calls one method at a time (LogStorage contract); overlapping calls are a bug. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    assert.ok(!this.busy, `LevelLogStorage (${this.dir}): overlapping calls`);
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

function logKey(offset: number): Uint8Array {
  const key = new Uint8Array(LOG_KEY_LENGTH);
  key[0] = LOG_PREFIX;
  writeU64(key, 1, offset);
  return key;
}

function offsetOfKey(key: Uint8Array): number | undefined {
  if (key.length !== LOG_KEY_LENGTH || key[0] !== LOG_PREFIX) return undefined;
  return readU64(key, 1);
}

function u64(n: number): Uint8Array {
  const bytes = new Uint8Array(8);
  writeU64(bytes, 0, n);
  return bytes;
}

function writeU64(bytes: Uint8Array, at: number, n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) assert.fail(`not an offset: ${n}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(at, Math.floor(n / 2 ** 32));
  view.setUint32(at + 4, n >>> 0);
}

function readU64(bytes: Uint8Array, at: number): number {
  assert.ok(bytes.length >= at + 8, 'u64 needs 8 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
}

/**
 * The lines of LevelDB's info log (rewritten at each open) saying it dropped write-ahead log bytes
 * while recovering: "…: dropping N bytes; Corruption: checksum mismatch". None when it could not be read.
 */
async function walRecoveryDrops(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'LOG'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => /dropping \d+ bytes|Corruption/i.test(l))
    .map((l) => l.replace(/^\S+ \S+ /, '').trim())
    .slice(0, 5);
}
