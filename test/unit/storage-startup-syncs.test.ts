// A restarted node must not act on what a killed process left only in the page cache: a rename (or a
// directory it made) whose directory sync never ran. Each store syncs the directories it is about
// to trust before reading them, so that a power loss after the restart cannot undo what the node
// has meanwhile built on (a vote granted again, a log prefix dropped for a snapshot, stale segments
// unlinked for a new log start). From a durability review; the syncs are recorded here, the files
// still go to the real filesystem.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { makeDirs } from '../../quorum/node/fsync-dir.js';
import { metadataStoragePaths, openMetadataStorage } from '../../quorum/node/layout.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { LOG_START_FILE, logStartText, segmentName } from '../../quorum/node/segment-files.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { recordingLogger } from '../support/recording-logger.js';

/** Every fsync/fdatasync (by the path its fd was opened with) and unlink, in order. */
const recorded = vi.hoisted(() => ({ events: [] as string[], fds: new Map<number, string>() }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const sync = (fd: number) => recorded.events.push(`sync ${recorded.fds.get(fd) ?? `fd ${fd}`}`);
  return {
    ...fs,
    openSync: ((path: string, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
      recorded.fds.set(fd, resolve(path));
      return fd;
    }) as typeof fs.openSync,
    fdatasyncSync: (fd: number) => {
      sync(fd);
      fs.fdatasyncSync(fd);
    },
    fsyncSync: (fd: number) => {
      sync(fd);
      fs.fsyncSync(fd);
    },
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fsp,
    unlink: async (path: string) => {
      recorded.events.push(`unlink ${resolve(path)}`);
      await fsp.unlink(path);
    },
  };
});

vi.mock('../../quorum/node/fsync-dir.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../quorum/node/fsync-dir.js')>();
  return {
    ...m,
    fsyncDir: async (dir: string) => {
      recorded.events.push(`sync ${resolve(dir)}`);
      await m.fsyncDir(dir);
    },
  };
});

let root: string;
const lines: Parameters<typeof recordingLogger>[0] = [];
const logger = recordingLogger(lines);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-startup-syncs-'));
  recorded.events.length = 0;
  lines.length = 0;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function batch(baseOffset: number, count: number): LogBatch {
  return { baseOffset, epoch: 1, appendTimeMs: 0, records: Array.from({ length: count }, (_, i) => new Uint8Array([baseOffset + i])) };
}

describe('a restart syncs what it is about to trust', () => {
  it('the quorum state: read() syncs its directory before returning the vote (a rename a killed write() left unsynced)', async () => {
    const file = join(root, 'quorum-state');
    await new FileQuorumStateStore(file).write({ epoch: 8, leaderId: null, votedId: 2 });
    recorded.events.length = 0;
    const state = await new FileQuorumStateStore(file).read();
    expect(state).toMatchObject({ epoch: 8, votedId: 2 });
    expect(recorded.events).toEqual([`sync ${resolve(root)}`]);
  });

  it('the quorum state: a directory not made yet reads as no state', async () => {
    await expect(new FileQuorumStateStore(join(root, 'missing', 'quorum-state')).read()).resolves.toBeUndefined();
  });

  it('snapshots: open() syncs the directory before anything is listed (a commit killed between its rename and its directory sync)', async () => {
    const dir = join(root, 'snapshots');
    const first = await FileSnapshotStore.open(dir, logger);
    const w = first.create({ endOffset: 5, epoch: 1 });
    await w.write(new Uint8Array([1, 2, 3]));
    await w.commit();
    recorded.events.length = 0;
    const store = await FileSnapshotStore.open(dir, logger);
    expect(recorded.events).toEqual([`sync ${resolve(dir)}`]);
    expect(await store.list()).toEqual([{ endOffset: 5, epoch: 1 }]);
  });

  it('the log: load() syncs the directory before it unlinks the segments a new log start made stale', async () => {
    const dir = resolve(join(root, 'log'));
    let log = await SegmentLogStorage.open(dir, logger, 30);
    await log.load();
    for (let i = 0; i < 4; i++) await log.append([batch(i * 5, 5)], true);
    await log.close();
    // deletePrefix(10) killed after renaming the new start into place, before its directory sync.
    await writeFile(join(dir, LOG_START_FILE), logStartText(10));
    recorded.events.length = 0;

    log = await SegmentLogStorage.open(dir, logger, 30);
    const loaded = await log.load();
    await log.close();
    expect(loaded.logStartOffset).toBe(10);
    const unlinked = recorded.events.indexOf(`unlink ${join(dir, segmentName(0))}`);
    expect(unlinked).toBeGreaterThan(0);
    expect(recorded.events.indexOf(`sync ${dir}`)).toBeLessThan(unlinked);
  });

  it('the layout: opening syncs the partition directory and metadata.log.dir even when they exist (a first start killed before mkdirDurably synced them)', async () => {
    const paths = metadataStoragePaths(root);
    await makeDirs(paths.logDir); // made without any sync
    const storage = await openMetadataStorage(root, logger);
    await storage.log.close();
    expect(recorded.events).toEqual(expect.arrayContaining([`sync ${resolve(paths.partitionDir)}`, `sync ${resolve(root)}`]));
  });
});
