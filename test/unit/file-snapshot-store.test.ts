// FileSnapshotStore: committed snapshots are listed oldest first and read back in chunks or whole;
// a truncated file and a flipped byte are rejected (skipped by list() with a warn line and moved
// aside, a SnapshotCorruptError from readAll()); an uncommitted .part is never listed.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotCorruptError } from '../../quorum/env/index.js';
import { FileSnapshotStore, SnapshotNotFoundError, snapshotFileName } from '../../quorum/node/file-snapshot-store.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';


function content(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
}

let dir: string;
let lines: LogLine[];
let store: FileSnapshotStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-snapshots-'));
  lines = [];
  store = await FileSnapshotStore.open(dir, recordingLogger(lines));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function commit(id: { endOffset: number; epoch: number }, bytes: Uint8Array, chunkBytes = 1000): Promise<number> {
  const writer = store.create(id);
  for (let at = 0; at < bytes.length; at += chunkBytes) await writer.write(bytes.subarray(at, at + chunkBytes));
  return writer.commit();
}

describe('FileSnapshotStore', () => {
  it('commit, list oldest first, size, read in chunks and readAll give back the written bytes', async () => {
    const bytes = content(5000, 1);
    expect(await commit({ endOffset: 200, epoch: 3 }, bytes, 777)).toBe(5000);
    await commit({ endOffset: 100, epoch: 2 }, content(10, 2));
    await commit({ endOffset: 200, epoch: 2 }, content(0, 3)); // empty snapshots are valid
    expect(await store.list()).toEqual([
      { endOffset: 100, epoch: 2 },
      { endOffset: 200, epoch: 2 },
      { endOffset: 200, epoch: 3 },
    ]);
    const id = { endOffset: 200, epoch: 3 };
    expect(await store.size(id)).toBe(5000);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < 5000; at += 1024) chunks.push(await store.read(id, at, 1024));
    expect(chunks.map((c) => c.length)).toEqual([1024, 1024, 1024, 1024, 904]);
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
    expect((await store.read(id, 5000, 1024)).length).toBe(0);
    expect(Buffer.from(await store.readAll(id)).equals(Buffer.from(bytes))).toBe(true);
    expect((await store.readAll({ endOffset: 200, epoch: 2 })).length).toBe(0);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('files are named like Kafka checkpoints: 20-digit end offset, 10-digit epoch', async () => {
    await commit({ endOffset: 1234, epoch: 7 }, content(3, 0));
    expect(snapshotFileName({ endOffset: 1234, epoch: 7 })).toBe('00000000000000001234-0000000007.checkpoint');
    expect(await readdir(dir)).toEqual(['00000000000000001234-0000000007.checkpoint']);
  });

  it('an uncommitted .part is not listed while its writer is open, and a stale one from a crash is removed', async () => {
    const writer = store.create({ endOffset: 50, epoch: 1 });
    await writer.write(content(100, 0));
    expect(await store.list()).toEqual([]);
    expect(await readdir(dir)).toEqual([`${snapshotFileName({ endOffset: 50, epoch: 1 })}.part`]); // still being written
    expect(await writer.commit()).toBe(100);
    expect(await store.list()).toEqual([{ endOffset: 50, epoch: 1 }]);

    await writeFile(join(dir, `${snapshotFileName({ endOffset: 60, epoch: 1 })}.part`), content(100, 0));
    const reopened = await FileSnapshotStore.open(dir, recordingLogger(lines));
    expect(await reopened.list()).toEqual([{ endOffset: 50, epoch: 1 }]);
    expect(await readdir(dir)).toEqual([snapshotFileName({ endOffset: 50, epoch: 1 })]);
  });

  it('abort removes the .part and the snapshot never appears', async () => {
    const writer = store.create({ endOffset: 70, epoch: 1 });
    await writer.write(content(100, 0));
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
    expect(await store.list()).toEqual([]);
    await expect(store.readAll({ endOffset: 70, epoch: 1 })).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });

  it('a truncated snapshot is rejected by readAll and skipped by list() with a warn line', async () => {
    const id = { endOffset: 300, epoch: 4 };
    await commit({ endOffset: 100, epoch: 4 }, content(500, 9));
    await commit(id, content(2000, 5));
    const path = join(dir, snapshotFileName(id));
    await truncate(path, 1500);

    await expect(store.readAll(id)).rejects.toBeInstanceOf(SnapshotCorruptError);
    await expect(store.readAll(id)).rejects.toThrow(/snapshot 300-4 is corrupt: trailer magic missing/);
    // By name only (what deleting old snapshots needs): listed, not read, nothing moved aside.
    expect(await store.list({ verify: false })).toEqual([{ endOffset: 100, epoch: 4 }, id]);
    expect(lines.some((l) => /skipping corrupt snapshot/.test(l.msg))).toBe(false);
    expect(await store.list()).toEqual([{ endOffset: 100, epoch: 4 }]);
    const warn = lines.find((l) => l.level === 'warn' && /skipping corrupt snapshot/.test(l.msg));
    expect(warn?.msg).toContain(snapshotFileName(id));
    expect(warn?.fields).toMatchObject({ file: path, reason: expect.stringMatching(/trailer magic missing/) });
    expect((await readdir(dir)).sort()).toEqual([snapshotFileName({ endOffset: 100, epoch: 4 }), `${snapshotFileName(id)}.corrupt`]);
  });

  it('a snapshot shorter than its trailer is rejected', async () => {
    const id = { endOffset: 10, epoch: 1 };
    await writeFile(join(dir, snapshotFileName(id)), Buffer.from('short'));
    await expect(store.readAll(id)).rejects.toThrow(/shorter than its 20-byte trailer/);
    expect(await store.list()).toEqual([]);
  });

  it('a flipped byte in the content fails the crc in readAll and list()', async () => {
    const id = { endOffset: 400, epoch: 5 };
    await commit(id, content(3000, 7));
    const path = join(dir, snapshotFileName(id));
    const file = await readFile(path);
    file[1234]! ^= 0x40;
    await writeFile(path, file);

    await expect(store.readAll(id)).rejects.toThrow(/crc32c mismatch/);
    expect(await store.list()).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && /crc32c mismatch/.test(String(l.fields['reason'])))).toBe(true);
  });

  it('a trailer whose recorded length disagrees with the file is rejected', async () => {
    const id = { endOffset: 500, epoch: 5 };
    await commit(id, content(100, 7));
    const path = join(dir, snapshotFileName(id));
    const file = await readFile(path);
    await writeFile(path, Buffer.concat([Buffer.from([1, 2, 3]), file])); // 3 bytes too many in front
    await expect(store.readAll(id)).rejects.toThrow(/trailer records 100 content bytes, the file holds 103/);
  });

  it('delete removes a snapshot; reading a missing one is SnapshotNotFoundError', async () => {
    const id = { endOffset: 600, epoch: 6 };
    await commit(id, content(10, 1));
    await store.delete(id);
    await store.delete(id); // idempotent
    expect(await store.list()).toEqual([]);
    await expect(store.read(id, 0, 10)).rejects.toMatchObject({ code: 'SNAPSHOT_NOT_FOUND' });
    await expect(store.size(id)).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });

  it('files that are not snapshots are left alone and not listed', async () => {
    await writeFile(join(dir, 'README'), 'hello');
    await commit({ endOffset: 1, epoch: 1 }, content(1, 1));
    expect(await store.list()).toEqual([{ endOffset: 1, epoch: 1 }]);
    expect((await readdir(dir)).sort()).toEqual([snapshotFileName({ endOffset: 1, epoch: 1 }), 'README']);
  });
});
