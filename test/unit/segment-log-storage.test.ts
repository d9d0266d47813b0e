// SegmentLogStorage against a real directory: appends survive a reopen, segments roll and are
// named by their first offset, truncation and prefix deletion are durable, a torn, corrupt or
// non-contiguous tail is cut at open (earlier batches intact, `recovered` set, a warn line
// logged), contiguity is asserted on write, and a second open of the same directory fails with a
// clear lock error while a dead process's lock is taken over.
//
// Damage is written straight into the (closed) directory's files, using the on-disk format
// (segment-files.ts): these tests pin that format too.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogBatch } from '../../quorum/raft/types.js';
import { encodeBatch } from '../../quorum/node/batch-codec.js';
import { LogDirLockedError, PREALLOCATE_MIN_BYTES, SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { LOCK_FILE, LOG_START_FILE, segmentName } from '../../quorum/node/segment-files.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';
import { dataEnd, trimPreallocation, writeAtDataEnd } from '../support/segment-tail.js';

/** A data batch of `count` records whose bytes name their offset, so contents can be checked. */
function batch(baseOffset: number, count: number, epoch = 1): LogBatch {
  const records = Array.from({ length: count }, (_, i) => new TextEncoder().encode(`record ${baseOffset + i} epoch ${epoch}`));
  return { baseOffset, epoch, appendTimeMs: 1000 + baseOffset, records };
}

function controlBatch(baseOffset: number, epoch: number): LogBatch {
  return { baseOffset, epoch, appendTimeMs: 0, records: [], control: { type: 'leaderChange', leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] } };
}

/** Offsets and record texts, for comparing logs. */
function summary(batches: readonly LogBatch[]): string[] {
  return batches.map((b) => `${b.baseOffset}@${b.epoch}:${b.control ? 'control' : b.records.map((r) => new TextDecoder().decode(r)).join('|')}`);
}

let dir: string;
let lines: LogLine[];
let open: SegmentLogStorage[];

/** `segmentBytes` small makes every append of a few batches roll to a new segment. */
async function openLog(segmentBytes?: number): Promise<SegmentLogStorage> {
  const log = await SegmentLogStorage.open(dir, recordingLogger(lines), segmentBytes);
  open.push(log);
  return log;
}

async function closeLog(log: SegmentLogStorage): Promise<void> {
  open = open.filter((l) => l !== log);
  await log.close();
}

/** Four 2-record batches written (synced) over several 150-byte segments; returns the segment files. */
async function fourBatchesOverSmallSegments(): Promise<string[]> {
  const log = await openLog(150);
  await log.load();
  for (let i = 0; i < 4; i++) await log.append([batch(i * 2, 2)], true);
  await closeLog(log);
  const files = await segmentsOnDisk();
  expect(files.length).toBeGreaterThanOrEqual(2);
  return files;
}

/** After a recovery: `next` appends after `kept`, and a reopen loads both. */
async function expectItGoesOn(log: SegmentLogStorage, kept: LogBatch[], next: LogBatch): Promise<void> {
  await log.append([next], true);
  await closeLog(log);
  expect(summary((await (await openLog()).load()).batches)).toEqual(summary([...kept, next]));
}

/**
 * Writes `batches` (synced) to a new log and closes it, trims the preallocated zeros (so damage at
 * the file's end is at the data's end, as in a segment a roll closed), runs `damage` on its files,
 * then opens and loads it again.
 */
async function reopenAfter(batches: LogBatch[], damage: () => Promise<void>): Promise<{ log: SegmentLogStorage; loaded: Awaited<ReturnType<SegmentLogStorage['load']>> }> {
  const first = await openLog();
  await first.load();
  await first.append(batches, true);
  await closeLog(first);
  for (const f of await segmentsOnDisk()) await trimPreallocation(join(dir, f));
  await damage();
  const log = await openLog();
  return { log, loaded: await log.load() };
}

const segmentFile = (baseOffset: number) => join(dir, segmentName(baseOffset));
const segmentsOnDisk = async () => (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-segment-log-'));
  lines = [];
  open = [];
});

afterEach(async () => {
  for (const log of open) await log.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SegmentLogStorage', () => {
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

  it('segments roll before they would pass segmentBytes, are named by their first offset, and reopen as one log', async () => {
    let log = await openLog(150);
    await log.load();
    for (let i = 0; i < 6; i++) await log.append([batch(i * 2, 2)], true);
    await log.append([batch(12, 1), batch(13, 1), batch(14, 1)], true); // one call may roll mid-way
    const files = await segmentsOnDisk();
    expect(files.length).toBeGreaterThan(2);
    expect(files[0]).toBe(segmentName(0));
    for (const f of files) expect(f).toMatch(/^\d{20}\.log$/);
    await closeLog(log);

    log = await openLog(150);
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([0, 2, 4, 6, 8, 10].map((o) => batch(o, 2)).concat([batch(12, 1), batch(13, 1), batch(14, 1)])));
    expect(loaded.recovered).toBeUndefined();
    // Each segment starts with the batch it is named for.
    for (const f of files) expect((await log.readRange(Number(f.slice(0, 20)), Number(f.slice(0, 20)) + 1))[0]?.baseOffset).toBe(Number(f.slice(0, 20)));
    expect((await log.readRange(3, 9)).map((b) => b.baseOffset)).toEqual([2, 4, 6, 8]);
  });

  it('truncateFrom into an earlier segment deletes the later ones; deletePrefix deletes whole segments only', async () => {
    let log = await openLog(150);
    await log.load();
    for (let i = 0; i < 6; i++) await log.append([batch(i * 2, 2)], true);
    const before = await segmentsOnDisk();
    expect(before.length).toBeGreaterThanOrEqual(3);
    await log.truncateFrom(5); // [4,6) straddles it
    expect(log.logEndOffset).toBe(4);
    const after = await segmentsOnDisk();
    expect(after.every((f) => Number(f.slice(0, 20)) <= 4)).toBe(true);
    await log.append([batch(4, 3, 2)], true);
    await log.deletePrefix(3);
    const kept = await segmentsOnDisk();
    expect(Number(kept[0]!.slice(0, 20))).toBeLessThanOrEqual(3); // the segment holding offset 3 stays
    await closeLog(log);

    log = await openLog(150);
    const loaded = await log.load();
    expect(loaded.logStartOffset).toBe(3);
    expect(summary(loaded.batches)).toEqual(summary([batch(2, 2), batch(4, 3, 2)]));
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a leftover segment below the log start is deleted at open with a warn, the rest of the log kept', async () => {
    let log = await openLog(100);
    await log.load();
    await log.append([batch(0, 2)], true);
    await log.append([batch(2, 2)], true);
    await log.deletePrefix(2);
    await closeLog(log);
    expect(await segmentsOnDisk()).toEqual([segmentName(2)]);
    await writeFile(segmentFile(0), encodeBatch(batch(0, 2))); // as if a crash came before its deletion

    log = await openLog(100);
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(2, 2)]));
    expect(loaded.recovered).toBeUndefined();
    expect(lines.find((l) => l.level === 'warn')?.fields).toMatchObject({ staleSegments: [segmentName(0)] });
    await closeLog(log);
    lines.length = 0;
    log = await openLog(100);
    expect(summary((await log.load()).batches)).toEqual(summary([batch(2, 2)]));
    expect(lines).toEqual([]); // the deletion was durable
  });

  it('leftover segments below the log start need not follow one another: the log above the start is kept', async () => {
    // deletePrefix unlinks oldest first and fsyncs the directory once, after the last unlink: a power
    // loss may keep any subset of those unlinks (here the newer one persisted, the older did not).
    let log = await openLog(100);
    await log.load();
    await log.append([batch(0, 2)], true);
    await log.append([batch(2, 2)], true);
    await log.append([batch(4, 2)], true);
    expect(await segmentsOnDisk()).toEqual([segmentName(0), segmentName(2), segmentName(4)]);
    await log.deletePrefix(4);
    await closeLog(log);
    await writeFile(segmentFile(0), encodeBatch(batch(0, 2))); // 0 came back, 2 did not

    log = await openLog(100);
    const loaded = await log.load();
    expect(loaded.logStartOffset).toBe(4);
    expect(summary(loaded.batches)).toEqual(summary([batch(4, 2)])); // acknowledged, must not be cut
    expect(loaded.recovered).toBeUndefined();
    expect(await segmentsOnDisk()).toEqual([segmentName(4)]);
  });

  it('readRange after truncateFrom(log start) cut every kept batch of a segment with a stale prefix, then a roll', async () => {
    const log = await openLog(110);
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true); // one segment, two frames
    await log.deletePrefix(2); // the segment keeps [0,2) as a stale prefix
    await log.truncateFrom(2); // its only kept batch goes: it holds stale frames only
    await log.append([batch(2, 3, 2)], true); // does not fit after the stale frame: rolls to a new segment
    expect(await segmentsOnDisk()).toEqual([segmentName(0), segmentName(2)]);
    expect(summary(await log.readRange(2, 5))).toEqual(summary([batch(2, 3, 2)]));
  });

  it('preallocation: the newest segment is kept longer than its data with zeros, which a reopen reads as the end of the log, silently', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true);
    await closeLog(log);
    const bytes = await readFile(segmentFile(0));
    const end = await dataEnd(segmentFile(0));
    expect(bytes.length).toBeGreaterThanOrEqual(end + PREALLOCATE_MIN_BYTES / 2);
    expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
    log = await openLog();
    const loaded = await log.load();
    expect(loaded.recovered).toBeUndefined();
    expect(lines).toEqual([]);
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 2)]));
    await log.append([batch(4, 1)], true); // written over the zeros, at the data's end
    await closeLog(log);
    expect((await readFile(segmentFile(0))).length).toBe(bytes.length);
    expect(summary((await (await openLog()).load()).batches)).toEqual(summary([batch(0, 2), batch(2, 2), batch(4, 1)]));
  });

  it('preallocation: a newest segment of zeros only (a roll just before a stop) is deleted at open without a warning, and the log goes on', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2)], async () => {
      await writeFile(segmentFile(2), Buffer.alloc(64 * 1024));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered).toBeUndefined();
    expect(lines).toEqual([]);
    expect(await segmentsOnDisk()).toEqual([segmentName(0)]);
    await expectItGoesOn(log, [batch(0, 2)], batch(2, 1));
  });

  it('preallocation: a torn append over the zeros (half a frame, zeros after it) is cut at open as a torn tail', async () => {
    const first = await openLog();
    await first.load();
    await first.append([batch(0, 2)], true);
    await closeLog(first);
    const frame = encodeBatch(batch(2, 2));
    await writeAtDataEnd(segmentFile(0), frame.subarray(0, frame.length >> 1));
    const log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered?.truncatedAtOffset).toBe(2);
    expect(lines.find((l) => l.level === 'warn')?.msg).toMatch(/cut a torn or corrupt tail at offset 2/);
  });

  it('preallocation: a roll trims the zeros, so a segment the log has moved past ends at its data; zeros ending an older segment are refused as damage', async () => {
    const files = await fourBatchesOverSmallSegments();
    for (const f of files.slice(0, -1)) expect((await readFile(join(dir, f))).length).toBe(await dataEnd(join(dir, f)));
    await appendFile(join(dir, files[0]!), Buffer.alloc(64));
    await expect((await openLog(150)).load()).rejects.toMatchObject({ code: 'LOG_CORRUPT' });
  });

  it('torn tail: a truncated last frame is cut at open, earlier batches intact, recovered set and logged', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2), batch(2, 2), batch(4, 2)], async () => {
      const size = (await readFile(segmentFile(0))).length;
      await truncate(segmentFile(0), size - 7);
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 2)]));
    expect(loaded.recovered?.truncatedAtOffset).toBe(4);
    expect(loaded.recovered?.reason).toMatch(/torn frame/);
    const warn = lines.find((l) => l.level === 'warn');
    expect(warn?.msg).toMatch(/cut a torn or corrupt tail at offset 4/);
    expect(warn?.fields).toMatchObject({ dir, truncatedAtOffset: 4 });

    // The cut is durable and the log continues from it.
    await log.append([batch(4, 1, 2)], true);
    await closeLog(log);
    const again = await (await openLog()).load();
    expect(again.recovered).toBeUndefined();
    expect(summary(again.batches)).toEqual(summary([batch(0, 2), batch(2, 2), batch(4, 1, 2)]));
  });

  it('a torn frame header (fewer than 8 bytes after the last frame) is cut at open', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2)], async () => {
      await appendFile(segmentFile(0), Buffer.from([0, 0, 1]));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered?.reason).toMatch(/torn frame header \(3 bytes\)/);
    expect(log.logEndOffset).toBe(2);
    await expectItGoesOn(log, [batch(0, 2)], batch(2, 1));
  });

  it('flipped bytes at the end of the last segment fail its CRC: load() cuts, reports and logs it; a clean reopen reports nothing', async () => {
    let log = await openLog();
    await log.load();
    for (let i = 0; i < 5; i++) await log.append([batch(i * 2, 2)], true);
    await closeLog(log);
    await trimPreallocation(segmentFile(0));
    const bytes = await readFile(segmentFile(0));
    for (let i = bytes.length - 8; i < bytes.length; i++) bytes[i]! ^= 0xff;
    await writeFile(segmentFile(0), bytes);

    log = await openLog();
    const loaded = await log.load();
    expect(summary(loaded.batches)).toEqual(summary([0, 2, 4, 6].map((o) => batch(o, 2))));
    expect(loaded.recovered?.truncatedAtOffset).toBe(8);
    expect(loaded.recovered?.reason).toMatch(/crc32c mismatch/);
    await closeLog(log);
    lines.length = 0;
    log = await openLog();
    expect((await log.load()).recovered).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('garbage after the last frame is cut at open', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2)], async () => {
      await appendFile(segmentFile(0), Buffer.from('not a batch frame at all'));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered).toMatchObject({ truncatedAtOffset: 2 });
    expect(log.logEndOffset).toBe(2);
  });

  /** Four 2-record batches over several 150-byte segments, then one byte flipped in the last batch of segment `which`. */
  async function flipInSegment(which: 'oldest' | 'newest'): Promise<string[]> {
    const files = await fourBatchesOverSmallSegments();
    const file = join(dir, which === 'oldest' ? files[0]! : files[files.length - 1]!);
    await trimPreallocation(file);
    const bytes = await readFile(file);
    bytes[bytes.length - 3]! ^= 0x01; // inside the segment's last batch
    await writeFile(file, bytes);
    return files;
  }

  it('a flipped byte in a batch of an older segment (synced before the next began) refuses to load, saying what to do, and changes nothing', async () => {
    const files = await flipInSegment('oldest');
    const sizes = async () => Promise.all((await segmentsOnDisk()).map(async (f) => (await readFile(join(dir, f))).length));
    const before = await sizes();

    const log = await openLog(150);
    await expect(log.load()).rejects.toMatchObject({ code: 'LOG_CORRUPT', retriable: false, message: expect.stringMatching(/crc32c mismatch.*remove its __cluster_metadata-0 directory/) });
    expect(await segmentsOnDisk()).toEqual(files);
    expect(await sizes()).toEqual(before);
  });

  it('the same flipped byte in the newest segment is a torn tail a crash can leave: cut there', async () => {
    await flipInSegment('newest');
    const log = await openLog(150);
    const loaded = await log.load();
    expect(loaded.recovered?.reason).toMatch(/crc32c mismatch/);
    expect(loaded.batches.length).toBe(3);
  });

  it('a log whose first batch starts above the log start (a gap: the log-start file lost) refuses to load instead of deleting the log', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true);
    await log.deletePrefix(2);
    await closeLog(log);
    await rm(join(dir, LOG_START_FILE)); // read as 0 now; the one segment left starts above it
    await rm(join(dir, segmentName(0)), { force: true });
    await writeFile(segmentFile(2), encodeBatch(batch(2, 2)));
    log = await openLog();
    await expect(log.load()).rejects.toMatchObject({ code: 'LOG_CORRUPT', message: expect.stringMatching(/gap: the log starts at 0, its first batch at 2/) });
    expect(await segmentsOnDisk()).toEqual([segmentName(2)]);
  });

  it('a segment that does not follow the one before it (a gap) is cut at open', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2), batch(2, 2)], async () => {
      await writeFile(segmentFile(10), encodeBatch(batch(10, 2)));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2), batch(2, 2)]));
    expect(loaded.recovered).toEqual({ truncatedAtOffset: 4, reason: `segment ${segmentName(10)} is named for offset 10, the log before it ends at 4` });
    expect(log.logEndOffset).toBe(4);
    expect(await segmentsOnDisk()).toEqual([segmentName(0)]);
  });

  it('an overlapping frame (a batch starting inside the previous one) is cut at open', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 4)], async () => {
      await appendFile(segmentFile(0), encodeBatch(batch(2, 1)));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 4)]));
    expect(loaded.recovered?.reason).toMatch(/expected a batch at 4, found one at 2/);
  });

  it('a segment whose name disagrees with its first batch is cut at open', async () => {
    const { log, loaded } = await reopenAfter([batch(0, 2)], async () => {
      await writeFile(segmentFile(2), encodeBatch(batch(3, 1)));
    });
    expect(summary(loaded.batches)).toEqual(summary([batch(0, 2)]));
    expect(loaded.recovered?.reason).toMatch(/named for offset 2, its first batch starts at 3/);
  });

  it('a damaged log-start-offset file refuses to load, saying what to do', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2), batch(2, 2)], true);
    await log.deletePrefix(2);
    await closeLog(log);
    const text = await readFile(join(dir, LOG_START_FILE), 'utf8');
    await writeFile(join(dir, LOG_START_FILE), text.replace('"logStartOffset":2', '"logStartOffset":3'));
    log = await openLog();
    await expect(log.load()).rejects.toMatchObject({ code: 'LOG_START_CORRUPT', message: expect.stringMatching(/crc mismatch.*format it again/) });
  });

  it('a directory LevelDB wrote (metaquorum 0.1) is refused with a message saying what to do', async () => {
    await writeFile(join(dir, 'CURRENT'), 'MANIFEST-000004\n');
    await expect(SegmentLogStorage.open(dir, recordingLogger(lines))).rejects.toThrow(/LevelDB format of metaquorum 0\.1.*fetch the log from the quorum again/);
  });

  it('a second open of the same directory fails with LogDirLockedError naming the directory', async () => {
    const first = await openLog();
    await first.load();
    const second = SegmentLogStorage.open(dir, recordingLogger(lines));
    await expect(second).rejects.toBeInstanceOf(LogDirLockedError);
    await expect(SegmentLogStorage.open(dir, recordingLogger(lines))).rejects.toMatchObject({
      code: 'LOG_DIR_LOCKED',
      message: expect.stringContaining(`${dir}: this process (pid ${process.pid}, another handle) holds its lock`),
    });
    await closeLog(first);
    const reopened = await openLog(); // the lock goes with the handle
    expect((await reopened.load()).batches).toEqual([]);
  });

  it("a lock left by a process that is gone (kill -9), or by this pid's earlier incarnation, is taken over", async () => {
    await writeFile(join(dir, LOCK_FILE), '2147483646 12345'); // no such pid
    const log = await openLog();
    await log.load();
    await closeLog(log);
    await writeFile(join(dir, LOCK_FILE), `${process.pid} 1`); // our pid, another start time: reused
    const again = await openLog();
    expect((await again.load()).batches).toEqual([]);
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
  });

  it('an append without sync is made durable by the next flush (an empty sync append) and survives a reopen', async () => {
    let log = await openLog();
    await log.load();
    await log.append([batch(0, 2)], false);
    await log.append([], true);
    await closeLog(log);
    log = await openLog();
    expect(summary((await log.load()).batches)).toEqual(summary([batch(0, 2)]));
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
