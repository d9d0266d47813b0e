// readLogDir (tools/inspect/log-read.ts), the read dump-log and metadata-shell make of a node's log,
// while the node writes its newest segment: that segment is preallocated (zeros ahead of its data),
// so a busy node can leave a half-written frame at the read's cut at every attempt. A cut whose
// bytes change between attempts is a write in progress (the prefix is returned, a note says so);
// one that stays is the directory's damage, reported as `recovered` after every attempt.

import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../quorum/env/index.js';
import { encodeBatch } from '../../quorum/node/batch-codec.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { segmentName } from '../../quorum/node/segment-files.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { READ_ATTEMPTS_MAX, readLogDir } from '../../tools/inspect/log-read.js';
import { dataEnd } from '../support/segment-tail.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-log-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const batch = (baseOffset: number): LogBatch => ({ baseOffset, epoch: 1, appendTimeMs: 0, records: [new TextEncoder().encode(`record ${baseOffset}`)] });

function writeAt(file: string, position: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

/**
 * A closed log of batches 0..n-1 with the first half of batch n's frame written after them (over
 * the preallocated zeros), as a node leaves it mid-append. Returns the file and where batch n starts.
 */
async function logWithHalfAFrame(n: number): Promise<{ logDir: string; file: string; end: number }> {
  const logDir = join(dir, 'log');
  await mkdir(logDir);
  const log = await SegmentLogStorage.open(logDir, silentLogger);
  await log.load();
  for (let i = 0; i < n; i++) await log.append([batch(i)], true);
  await log.close();
  const file = join(logDir, segmentName(0));
  const end = await dataEnd(file);
  const frame = encodeBatch(batch(n));
  writeAt(file, end, frame.subarray(0, frame.length >> 1));
  return { logDir, file, end };
}

describe('readLogDir on a node writing its newest segment', () => {
  it('a cut that moves between attempts is a write in progress: the prefix read, no damage, and a note saying so', async () => {
    const { logDir, file, end } = await logWithHalfAFrame(3);
    const notes: string[] = [];
    let next = 3;
    let at = end;
    const loaded = await readLogDir(logDir, (line) => {
      notes.push(line);
      // Before the next attempt the node finishes that frame and is halfway through the next one.
      const done = encodeBatch(batch(next));
      const half = encodeBatch(batch(next + 1));
      writeAt(file, at, done);
      writeAt(file, at + done.length, half.subarray(0, half.length >> 1));
      at += done.length;
      next++;
    });
    expect(loaded?.recovered).toBeUndefined();
    expect(loaded?.batches.map((b) => b.baseOffset)).toEqual([0, 1, 2, 3]);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^read 1 of .* is not consistent \(segment .* at byte \d+: /);
    expect(notes[1]).toBe(`the node is writing its newest segment ${segmentName(0)}: read up to offset 4`);
  });

  it('a cut that stays through every attempt is damage: reported as recovered, each retry noted', async () => {
    const { logDir } = await logWithHalfAFrame(3);
    const notes: string[] = [];
    const loaded = await readLogDir(logDir, (line) => notes.push(line));
    expect(loaded?.batches.map((b) => b.baseOffset)).toEqual([0, 1, 2]);
    expect(loaded?.recovered).toMatchObject({ truncatedAtOffset: 3 });
    expect(notes).toHaveLength(READ_ATTEMPTS_MAX - 1);
    expect(notes.some((n) => n.includes('is writing'))).toBe(false);
  });
});
