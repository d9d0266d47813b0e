// load() hands the core a log it treats as flushed (the core's flushedEndOffset starts at the loaded
// end, and a voter acknowledges up to it). A process killed between an append's writev and its
// fdatasync leaves those frames in the page cache only: the next process reads them back, so
// load() must make them durable before it returns, or a power loss afterwards loses offsets this
// node has already acknowledged. (LevelDB did: its recovery writes and syncs a table.)

import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LogBatch } from '../../quorum/raft/types.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { segmentName } from '../../quorum/node/segment-files.js';
import { silentLogger } from '../../quorum/env/index.js';

const synced = vi.hoisted(() => ({ paths: [] as string[], fds: new Map<number, string>() }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const track = (path: unknown, fd: number) => {
    synced.fds.set(fd, resolve(String(path)));
    return fd;
  };
  return {
    ...fs,
    openSync: ((path: string, ...rest: unknown[]) => track(path, (fs.openSync as (...a: unknown[]) => number)(path, ...rest))) as typeof fs.openSync,
    fdatasyncSync: (fd: number) => {
      synced.paths.push(synced.fds.get(fd) ?? `fd ${fd}`);
      fs.fdatasyncSync(fd);
    },
    fsyncSync: (fd: number) => {
      synced.paths.push(synced.fds.get(fd) ?? `fd ${fd}`);
      fs.fsyncSync(fd);
    },
  };
});

function batch(baseOffset: number, count: number): LogBatch {
  return { baseOffset, epoch: 1, appendTimeMs: 0, records: Array.from({ length: count }, () => new Uint8Array([1, 2, 3])) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-segment-durable-'));
  synced.paths.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('load() makes the log it returns durable: frames a killed process wrote but never fdatasynced', async () => {
  let log = await SegmentLogStorage.open(dir, silentLogger);
  await log.load();
  await log.append([batch(0, 2)], true);
  // As a process killed in append's yield between writev and fdatasync leaves it: written, not synced.
  await log.append([batch(2, 2)], false);
  await log.close();

  synced.paths.length = 0;
  log = await SegmentLogStorage.open(dir, silentLogger);
  const loaded = await log.load();
  expect(loaded.batches.map((b) => b.baseOffset)).toEqual([0, 2]);
  // The core now counts offsets 0-3 as flushed on this node: they must be on disk.
  expect(synced.paths).toContain(resolve(join(dir, segmentName(0))));
  expect(synced.paths).toContain(resolve(dir)); // and the segment's directory entry
  await log.close();
});
