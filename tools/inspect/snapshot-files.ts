// Snapshot files of a node, read without touching its directory.
//
// FileSnapshotStore.list() tidies its directory as it goes (removes `.part` leftovers, renames a
// bad file to `.corrupt`), which a tool must not do to a node. So listing here is a plain readdir
// of the committed names (`<endOffset, 20 digits>-<epoch, 10 digits>.checkpoint`), and reading one
// goes through a FileSnapshotStore opened on a temp dir that holds only a symlink to the file:
// readAll() checks the trailer and the CRC exactly as the node does, and nothing is written beside
// the real file.

import { mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { SnapshotId } from '../../quorum/raft/types.js';
import { silentLogger, SnapshotCorruptError } from '../../quorum/env/index.js';
import { FileSnapshotStore, snapshotFileName, uncheckedSnapshotContent } from '../../quorum/node/file-snapshot-store.js';
import { UsageError } from '../cli/common.js';
import { kindOf } from './layout.js';

const NAME = /^(\d{20})-(\d{10})\.checkpoint$/;

export interface SnapshotFile {
  readonly id: SnapshotId;
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

/** The snapshot id a file name carries, or undefined when it is not a committed snapshot's name. */
export function parseSnapshotFileName(name: string): SnapshotId | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  const id = { endOffset: Number(m[1]), epoch: Number(m[2]) };
  return Number.isSafeInteger(id.endOffset) ? id : undefined;
}

/** Committed snapshot files in `snapshotsDir`, oldest first; [] when the directory is absent. */
export async function listSnapshotFiles(snapshotsDir: string): Promise<SnapshotFile[]> {
  if ((await kindOf(snapshotsDir)) !== 'dir') return [];
  const files: SnapshotFile[] = [];
  for (const name of await readdir(snapshotsDir)) {
    const id = parseSnapshotFileName(name);
    if (id === undefined) continue;
    const path = join(snapshotsDir, name);
    try {
      files.push({ id, name, path, bytes: (await stat(path)).size });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted by the node meanwhile
    }
  }
  return files.sort((a, b) => a.id.endOffset - b.id.endOffset || a.id.epoch - b.id.epoch);
}

/**
 * The content of the snapshot file at `path` (trailer and CRC checked), with the id its name
 * carries. Throws UsageError when the path is not a file named like a snapshot, and the store's
 * SnapshotCorruptError when the file fails its checks.
 */
export async function readSnapshotFile(path: string): Promise<{ readonly id: SnapshotId; readonly content: Uint8Array }> {
  const kind = await kindOf(path);
  if (kind === 'missing') throw new UsageError(`--snapshot ${path}: no such file`);
  if (kind !== 'file') throw new UsageError(`--snapshot ${path}: not a file (to read a node's directory, use --dir)`);
  const id = parseSnapshotFileName(basename(path));
  if (id === undefined) {
    throw new UsageError(`--snapshot ${path}: a snapshot file is named <endOffset, 20 digits>-<epoch, 10 digits>.checkpoint (the name carries the snapshot id)`);
  }
  return { id, content: await readSnapshotContent(path, id) };
}

/**
 * As readSnapshotFile, but a file that fails its trailer or CRC check is read anyway: `damage`
 * says why it failed and `content` is its bytes unchecked (dump-log shows what a damaged file still
 * holds; each frame inside has its own checksum).
 */
export async function readSnapshotFileOrDamaged(path: string): Promise<{ readonly id: SnapshotId; readonly content: Uint8Array; readonly damage?: string }> {
  try {
    return await readSnapshotFile(path);
  } catch (e) {
    if (!(e instanceof SnapshotCorruptError)) throw e;
    return { id: e.snapshotId, content: uncheckedSnapshotContent(await readFile(path)), damage: e.message };
  }
}

/**
 * The content of the snapshot `id` in the file at `path`, checked by FileSnapshotStore.readAll.
 * Throws the store's SnapshotCorruptError (code SNAPSHOT_CORRUPT), or SnapshotNotFoundError (code
 * SNAPSHOT_NOT_FOUND) when the file is gone (a running node deletes old snapshots).
 */
export async function readSnapshotContent(path: string, id: SnapshotId): Promise<Uint8Array> {
  const tmp = await mkdtemp(join(tmpdir(), 'metaquorum-inspect-snapshot-'));
  try {
    await symlink(resolve(path), join(tmp, snapshotFileName(id)));
    const store = await FileSnapshotStore.open(tmp, silentLogger);
    return await store.readAll(id);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
