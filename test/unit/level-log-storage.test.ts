// LevelLogStorage against a real LevelDB directory: appends survive a reopen, truncation and
// prefix deletion are durable, a torn or non-contiguous tail is cut at open (earlier batches
// intact, `recovered` set, a warn line logged), contiguity is asserted on write, and a second
// open of the same directory fails with a clear lock error.
//
// Damage is written through a raw level handle on the closed directory, using the on-disk key
// format ('L' + u64 big-endian baseOffset): these tests pin that format too.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { LogBatch } from '../../quorum/raft/types.js';
import { encodeBatch } from '../../quorum/node/batch-codec.js';
import { LevelLogStorage, LogDirLockedError } from '../../quorum/node/level-log-storage.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';


/** A data batch of `count` records whose bytes name their offset, so contents can be checked. */
function batch(baseOffset: number, count: number, epoch = 1): LogBatch {
  const records = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`record ${baseOffset + i} epoch ${epoch}`));
  return { baseOffset, epoch, appendTimeMs: 1000 + baseOffset, records };
}

function controlBatch(baseOffset: number, epoch: number): LogBatch {
  return { baseOffset, epoch, appendTimeMs: 0, records: [], control: { type: 'leaderChange', leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] } };
}

function rawKey(offset: number): Uint8Array {
  const key = Buffer.alloc(9);
  key[0] = 0x4c;
  key.writeBigUInt64BE(BigInt(offset), 1);
  return key;
}

/** Offsets and record texts, for comparing logs. */
function summary(batches: readonly LogBatch[]): string[] {
  return batches.map((b) => `${b.baseOffset}@${b.epoch}:${b.control ? 'control' : b.records.map((r) => new TextDecoder().decode(r)).join('|')}`);
}

let dir: string;
let lines: LogLine[];
let open: LevelLogStorage[];

async function openLog(): Promise<LevelLogStorage> {
  const log = await LevelLogStorage.open(dir, recordingLogger(lines));
  open.push(log);
  return log;
}

async function closeLog(log: LevelLogStorage): Promise<void> {
  open = open.filter((l) => l !== log);
  await log.close();
}

/** Writes directly into the (closed) log directory, as a crash or a bad disk would. */
async function tamper(fn: (db: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-level-log-'));
  lines = [];
  open = [];
});

afterEach(async () => {
  for (const log of open) await log.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LevelLogStorage', () => {
  it('a new directory loads as an empty log starting at 0', async () => {
    const log = await openLog();
    const loaded = await log.load();
    expect(loaded).toEqual({ logStartOffset: 0, batches: [] });
    expect(log.logEndOffset).toBe(0);
  });

  it('appended data and control batches come back in offset order after a reopen', async () => {
    let log = await openLog();
    await log.load();
    await log.append([controlBatch(0, 1), batch(1, 3)], true);
    await log.append([batch(4, 2)], false);
    await log.append([batch(6, 1, 2)], true);
    const expected = summary([controlBatch(0, 1), batch(1, 3), batch(4, 2), batch(6, 1, 2)]);
    await closeLog(log);

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(expected);
    expect(loaded.batches[0]!.control).toEqual(controlBatch(0, 1).control);
    expect(loaded.recovered).toBeUndefined();
    expect(log.logEndOffset).toBe(7);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('append refuses a gap or an overlap with the stored log, and refuses before load()', async () => {
    const log = await openLog();
    await expect(log.append([batch(0, 1)], true)).rejects.toThrow(/before load/);
    await log.load();
    await log.append([batch(0, 2)], true);
    await expect(log.append([batch(3, 1)], true)).rejects.toThrow(/starts at 3, the log ends at 2/);
    await expect(log.append([batch(1, 1)], true)).rejects.toThrow(/starts at 1, the log ends at 2/);
    await expect(log.append([batch(2, 1), batch(4, 1)], true)).rejects.toThrow(/batch 1 starts at 4, the log ends at 3/);
    expect(log.logEndOffset).toBe(2); // nothing of the refused calls was written
  });

  it('truncateFrom a batch boundary then append: the new suffix replaces the old one across a reopen', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2), batch(4, 2)], true);
    await log.truncateFrom(2);
    expect(log.logEndOffset).toBe(2);
    await log.append([batch(2, 1, 2)], true);
    await closeLog(log);

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 1, 2)]));
    expect(loaded.recovered).toBeUndefined();
  });

  it('readRange returns the batches holding [from, to), a straddling first batch whole', async () => {
    const log = await openLog();
    await log.load();
    await log.append([batch(0, 3), batch(3, 3), batch(6, 3), batch(9, 3)], true);
    expect((await log.readRange(4, 9)).map((b) => b.baseOffset)).toEqual([3, 6]);
    expect((await log.readRange(0, 12)).map((b) => b.baseOffset)).toEqual([0, 3, 6, 9]);
    expect((await log.readRange(6, 7)).map((b) => b.baseOffset)).toEqual([6]);
    expect(await log.readRange(5, 5)).toEqual([]);
  });

  it('truncateFrom at or past the end is a no-op; inside a batch it removes that whole batch', async () => {
    const log = await openLog();
    await log.load();
    await log.append([batch(0, 3), batch(3, 3)], true);
    await log.truncateFrom(6);
    await log.truncateFrom(7);
    expect(log.logEndOffset).toBe(6);
    await log.truncateFrom(4); // [3,6) straddles 4: it goes whole
    expect(log.logEndOffset).toBe(3);
    await log.append([batch(3, 1, 2)], true);
    expect(log.logEndOffset).toBe(4);
    await log.truncateFrom(0);
    expect(log.logEndOffset).toBe(0);
  });

  it('deletePrefix drops whole batches ending at or before the offset, and the log start survives a reopen', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 3), batch(3, 3), batch(6, 3)], true);
    await log.deletePrefix(7); // [0,3) and [3,6) go; [6,9) holds offset 7 and stays
    await closeLog(log);

    log = await openLog();
    const loaded = await log.load();
    expect(loaded.logStartOffset).toBe(7);
    expect(summary(loaded.batches)).toEqual(summary([batch(6, 3)]));
    expect(loaded.recovered).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    await log.append([batch(9, 1)], true);
    await expect(log.deletePrefix(5)).rejects.toThrow(/move the log start back/);
  });

  it('deletePrefix at a batch boundary keeps the batch that starts there', async () => {
    const log = await openLog();
    await log.load();
    await log.append([batch(0, 3), batch(3, 3)], true);
    await log.deletePrefix(3);
    await closeLog(log);
    const reopened = await openLog();
    expect(summary((await reopened.load()).batches)).toEqual(summary([batch(3, 3)]));
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]); // nothing stale was left for load() to clean
  });

  it('deletePrefix past the log end (a snapshot install) empties the log; appends continue at the new start', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 3)], true);
    await log.deletePrefix(100);
    expect(log.logEndOffset).toBe(100);
    await log.append([batch(100, 2)], true);
    await closeLog(log);

    log = await openLog();
    const loaded = await log.load();
    expect(loaded.logStartOffset).toBe(100);
    expect(summary(loaded.batches)).toEqual(summary([batch(100, 2)]));
    expect(log.logEndOffset).toBe(102);
  });

  it('a leftover batch below the log start is deleted at open with a warn, the rest of the log kept', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true);
    await log.deletePrefix(2);
    await closeLog(log);
    await tamper((db) => db.put(rawKey(0), encodeBatch(batch(0, 2))));

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(2, 2)]));
    expect(loaded.recovered).toBeUndefined();
    expect(lines.find((l) => l.level === 'warn')?.fields).toMatchObject({ staleBatches: 1 });
    await closeLog(log);
    lines.length = 0;
    log = await openLog();
    expect(summary((await log.load()).batches)).toEqual(summary([batch(2, 2)]));
    expect(lines).toEqual([]); // the deletion was durable
  });

  it('torn tail: a truncated last frame is cut at open, earlier batches intact, recovered set and logged', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2), batch(4, 2)], true);
    await closeLog(log);
    await tamper(async (db) => {
      const frame = encodeBatch(batch(4, 2));
      await db.put(rawKey(4), frame.subarray(0, frame.length - 7));
    });

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 2)]));
    expect(loaded.recovered?.truncatedAtOffset).toBe(4);
    expect(loaded.recovered?.reason).toMatch(/torn/);
    const warn = lines.find((l) => l.level === 'warn');
    expect(warn?.msg).toMatch(/cut a torn or corrupt tail at offset 4/);
    expect(warn?.fields).toMatchObject({ dir, truncatedAtOffset: 4 });

    // The cut is durable and the log continues from it.
    await log.append([batch(4, 1, 2)], true);
    await closeLog(log);
    log = await openLog();
    const again = await log.load();
    expect(again.recovered).toBeUndefined();
    expect(summary(again.batches)).toEqual(summary([batch(0, 2), batch(2, 2), batch(4, 1, 2)]));
  });

  it("flipped bytes at the end of LevelDB's write-ahead log: LevelDB drops the record, load() reports and logs it", async () => {
    let log = await openLog();
    await log.load();
    for (let i = 0; i < 5; i++) await log.append([batch(i * 2, 2)], true);
    await closeLog(log);
    const wal = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort().at(-1)!;
    const bytes = await readFile(join(dir, wal));
    for (let i = bytes.length - 8; i < bytes.length; i++) bytes[i]! ^= 0xff;
    await writeFile(join(dir, wal), bytes);

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([0, 2, 4, 6].map((o) => batch(o, 2))));
    expect(loaded.recovered?.truncatedAtOffset).toBe(8);
    expect(loaded.recovered?.reason).toMatch(/dropped a corrupt write-ahead log record.*checksum mismatch/);
    expect(lines.find((l) => l.level === 'warn')?.msg).toMatch(/write-ahead log had a corrupt tail; the log now ends at offset 8/);

    // A clean reopen reports nothing.
    await closeLog(log);
    lines.length = 0;
    log = await openLog();
    expect((await log.load()).recovered).toBeUndefined();
  });

  it('garbage written for the next key is cut at open', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2)], true);
    await closeLog(log);
    await tamper((db) => db.put(rawKey(2), Buffer.from('not a batch frame at all')));

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered).toMatchObject({ truncatedAtOffset: 2 });
    expect(log.logEndOffset).toBe(2);
  });

  it('a flipped byte in a middle batch cuts it and everything after it', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2), batch(4, 2), batch(6, 2)], true);
    await closeLog(log);
    await tamper(async (db) => {
      const value = Uint8Array.from((await db.get(rawKey(2)))!);
      value[value.length - 3]! ^= 0x01;
      await db.put(rawKey(2), value);
    });

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered?.truncatedAtOffset).toBe(2);
    expect(loaded.recovered?.reason).toMatch(/crc32c mismatch/);
    expect(lines.find((l) => l.level === 'warn')?.fields).toMatchObject({ droppedEntries: 3 });
  });

  it('a non-contiguous entry (a valid batch after a gap) is cut at open', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true);
    await closeLog(log);
    await tamper((db) => db.put(rawKey(10), encodeBatch(batch(10, 2))));

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 2)]));
    expect(loaded.recovered).toEqual({ truncatedAtOffset: 4, reason: 'non-contiguous: expected a batch at 4, found one at 10' });
    expect(log.logEndOffset).toBe(4);
  });

  it('an overlapping entry (a batch starting inside the previous one) is cut at open', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 4), batch(4, 2)], true);
    await closeLog(log);
    await tamper((db) => db.put(rawKey(2), encodeBatch(batch(2, 1))));

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 4)]));
    expect(loaded.recovered?.reason).toMatch(/expected a batch at 4, found one at 2/);
  });

  it('an entry whose key disagrees with its batch baseOffset is cut at open', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2)], true);
    await closeLog(log);
    await tamper((db) => db.put(rawKey(2), encodeBatch(batch(3, 1))));

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered?.reason).toMatch(/key says offset 2, its batch says 3/);
  });

  it('a second open of the same directory fails with LogDirLockedError naming the directory', async () => {
    const first = await openLog();
    await first.load();
    const second = LevelLogStorage.open(dir, recordingLogger(lines));
    await expect(second).rejects.toBeInstanceOf(LogDirLockedError);
    await expect(LevelLogStorage.open(dir, recordingLogger(lines))).rejects.toMatchObject({
      code: 'LOG_DIR_LOCKED',
      message: expect.stringContaining(`${dir}: another process holds its LOCK file`),
    });
    await closeLog(first);
    const reopened = await openLog(); // the lock goes with the handle
    expect((await reopened.load()).batches).toEqual([]);
  });

  it('offsets above 2^32 keep their order on disk', async () => {
    let log = await openLog();
    await log.load();
    const base = 2 ** 32 - 1;
    await log.deletePrefix(base);
    await log.append([batch(base, 1), batch(base + 1, 300), batch(base + 301, 1)], true);
    await closeLog(log);
    log = await openLog();
    const loaded = await log.load();
    expect(loaded.batches.map((b) => b.baseOffset)).toEqual([base, base + 1, base + 301]);
    expect(loaded.recovered).toBeUndefined();
  });
});
