// The disk faults of the chaos harness on real storage: each damage is what it says it is, and the
// node's storage, opened again, reports it the way the fault expects.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { damageMetadata, logMark, logSince, wipeAndFormat } from '../../tools/chaos/disk-faults.js';
import { readMetaProperties, writeMetaProperties } from '../../tools/config/meta-properties.js';
import { openMetadataStorage, metadataStoragePaths } from '../../quorum/node/layout.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';

let dir: string;
const CLUSTER = 'IM1QENJwR0yiNHFBvM4elw';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-disk-faults-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const batch = (baseOffset: number): LogBatch => ({ baseOffset, epoch: 1, appendTimeMs: 0, records: [new Uint8Array(100).fill(baseOffset % 251)] });

async function writeLog(batches: number): Promise<void> {
  const s = await openMetadataStorage(dir, recordingLogger([]));
  await s.log.load();
  for (let i = 0; i < batches; i++) await s.log.append([batch(i)], true);
  await s.log.close();
}

async function writeSnapshots(ends: readonly number[]): Promise<void> {
  const store = await FileSnapshotStore.open(metadataStoragePaths(dir).snapshotsDir, recordingLogger([]));
  for (const endOffset of ends) {
    const w = store.create({ endOffset, epoch: 1 });
    await w.write(new Uint8Array(4096).fill(7));
    await w.commit();
  }
}

/** A random source that answers the given values in turn. */
const scripted = (...values: number[]) => () => values.shift() ?? 0.99;

describe('chaos disk faults', () => {
  it('a flipped log segment tail is reported by the log when it is opened again', async () => {
    await writeLog(20);
    const damage = await damageMetadata(dir, scripted(0.1));
    expect(damage.detail).toMatch(/last 8 bytes .* flipped/);
    const lines: LogLine[] = [];
    const s = await openMetadataStorage(dir, recordingLogger(lines));
    const loaded = await s.log.load();
    await s.log.close();
    expect(loaded.recovered?.truncatedAtOffset).toBe(19);
    expect(lines.map((l) => l.msg).join('\n')).toMatch(damage.expect!);
  });

  it('a cut log segment tail (a torn last frame) is cut at open and reported, the batches before it kept', async () => {
    await writeLog(20);
    const damage = await damageMetadata(dir, scripted(0.9));
    expect(damage.detail).toMatch(/last 32 bytes .* cut/);
    const lines: LogLine[] = [];
    const s = await openMetadataStorage(dir, recordingLogger(lines));
    const loaded = await s.log.load();
    await s.log.close();
    expect(loaded.batches.map((b) => b.baseOffset)).toEqual([...Array(19).keys()]);
    expect(loaded.recovered?.truncatedAtOffset).toBe(19);
    expect(lines.map((l) => l.msg).join('\n')).toMatch(damage.expect!);
  });

  it('with two snapshots, the newest is damaged and the store sets it aside with the expected line', async () => {
    await writeLog(3);
    await writeSnapshots([1, 2]);
    const damage = await damageMetadata(dir, scripted(0.1, 0.1));
    expect(damage.detail).toMatch(/newest snapshot 0+2-/);
    const lines: LogLine[] = [];
    const store = await FileSnapshotStore.open(metadataStoragePaths(dir).snapshotsDir, recordingLogger(lines));
    expect((await store.list()).map((id) => id.endOffset)).toEqual([1]);
    expect(lines.map((l) => l.msg).join('\n')).toMatch(damage.expect!);
  });

  it('with one snapshot only, the log is damaged instead (a lone snapshot cannot be replaced)', async () => {
    await writeLog(20);
    await writeSnapshots([5]);
    const damage = await damageMetadata(dir, scripted(0.1, 0.1));
    expect(damage.detail).toMatch(/log segment/);
  });

  it('wipeAndFormat leaves an empty directory formatted for the same cluster and node with a new directory id', async () => {
    await mkdir(dir, { recursive: true });
    await writeMetaProperties(dir, { clusterId: CLUSTER, nodeId: 3, directoryId: 'hN1o3v0aQpWm1fCz2bKx4g' });
    await writeLog(5);
    await wipeAndFormat(dir, CLUSTER, 3, false);
    expect(await readdir(dir)).toEqual(['meta.properties']);
    const meta = await readMetaProperties(dir);
    expect(meta).toMatchObject({ clusterId: CLUSTER, nodeId: 3 });
    expect(meta!.directoryId).not.toBe('hN1o3v0aQpWm1fCz2bKx4g');
  });

  it('wipeAndFormat formats a voter as a replacement (--no-initial-controllers): its quorum state says it is not counted yet', async () => {
    await mkdir(dir, { recursive: true });
    await writeLog(5);
    await wipeAndFormat(dir, CLUSTER, 3, true);
    expect((await readdir(dir)).sort()).toEqual(['__cluster_metadata-0', 'meta.properties']);
    const state = await new FileQuorumStateStore(metadataStoragePaths(dir).quorumStateFile).read();
    expect(state).toEqual({ epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map: { '3': null }, strict: true } });
  });

  it('logSince finds only lines written after the mark', async () => {
    const file = join(dir, 'node.log');
    await writeFile(file, 'old: voter re-admitted\n');
    const mark = await logMark(file);
    expect(await logSince(file, mark, /re-admitted/, 50)).toBe(false);
    await writeFile(file, 'old: voter re-admitted\nnew: this voter was re-admitted\n');
    expect(await logSince(file, mark, /this voter was re-admitted/, 50)).toBe(true);
  });
});
