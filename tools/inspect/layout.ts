// Where a node keeps its metadata partition on disk, and how the inspection tools find it from
// what an operator types after --dir (Kafka's layout: `<metadata.log.dir>/__cluster_metadata-0/`).
//
//   <metadata.log.dir>/__cluster_metadata-0/
//     log/            SegmentLogStorage (segment files; readers need no lock)
//     quorum-state    FileQuorumStateStore
//     snapshots/      FileSnapshotStore (`<endOffset>-<epoch>.checkpoint` files)
//
// `--dir` takes either the metadata.log.dir or the `__cluster_metadata-0` directory itself; a path
// that is neither is a UsageError (exit 2) that says what was looked for; one holding only
// meta.properties says what it can be (a log.dirs directory, or a node that never started).

import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../cli/common.js';
import { META_PROPERTIES_FILE } from '../config/meta-properties.js';
import { METADATA_PARTITION_DIR, metadataStoragePaths, partitionPaths, type MetadataStoragePaths } from '../../quorum/node/layout.js';

export const METADATA_PARTITION_DIR_NAME = METADATA_PARTITION_DIR;

/** `<metadata.log.dir>/__cluster_metadata-0`: the directory a node keeps its metadata partition in. */
export function metadataPartitionDir(metadataLogDir: string): string {
  return metadataStoragePaths(metadataLogDir).partitionDir;
}

/** The paths inside one metadata partition directory (the node's own layout, quorum/node/layout.ts). */
export type PartitionLayout = MetadataStoragePaths;
export const partitionLayout = partitionPaths;

/**
 * The metadata partition behind `dir`: `dir` itself when it is a `__cluster_metadata-0` directory
 * (by name, or because it holds log/, quorum-state or snapshots/), else `dir/__cluster_metadata-0`.
 * Reads only (stat). Throws UsageError when `dir` is missing or neither.
 */
export async function resolvePartitionDir(dir: string): Promise<PartitionLayout> {
  const abs = resolve(dir);
  const kind = await kindOf(abs);
  if (kind === 'missing') throw new UsageError(`--dir ${dir}: no such directory`);
  if (kind !== 'dir') throw new UsageError(`--dir ${dir}: not a directory (to read one snapshot file, use --snapshot)`);
  if ((await kindOf(metadataPartitionDir(abs))) === 'dir') return partitionLayout(metadataPartitionDir(abs));
  const layout = partitionLayout(abs);
  const looksLikePartition =
    basename(abs) === METADATA_PARTITION_DIR_NAME ||
    (await kindOf(layout.logDir)) === 'dir' ||
    (await kindOf(layout.quorumStateFile)) === 'file' ||
    (await kindOf(layout.snapshotsDir)) === 'dir';
  if (looksLikePartition) return layout;
  // meta.properties alone: a log.dirs directory (a broker keeps its data there, none here), or a
  // metadata.log.dir whose node never started (it creates the partition at once). Both say so.
  const entries = await readdir(abs);
  if (entries.length === 1 && entries[0] === META_PROPERTIES_FILE && (await kindOf(join(abs, META_PROPERTIES_FILE))) === 'file') {
    throw new UsageError(
      `--dir ${dir}: holds only ${META_PROPERTIES_FILE}: a log.dirs directory (pass the node's metadata.log.dir instead), or the metadata.log.dir of a node that has not started since it was formatted (nothing to read yet)`,
    );
  }
  throw new UsageError(
    `--dir ${dir}: neither a metadata.log.dir (no ${METADATA_PARTITION_DIR_NAME}/ inside) nor a ${METADATA_PARTITION_DIR_NAME} directory ` +
      `(no log/, quorum-state or snapshots/ inside). Pass the node's metadata.log.dir.`,
  );
}

/** What is at `path`, following symlinks. */
export async function kindOf(path: string): Promise<'dir' | 'file' | 'other' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw e;
  }
}
