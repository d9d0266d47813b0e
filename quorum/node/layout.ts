// Where a node keeps the metadata log inside `metadata.log.dir`, named as Kafka names it:
//
//   <metadata.log.dir>/meta.properties            written by `metaquorum format`
//   <metadata.log.dir>/__cluster_metadata-0/log/  the replicated log (segment files, a CRC per batch)
//   <metadata.log.dir>/__cluster_metadata-0/quorum-state
//   <metadata.log.dir>/__cluster_metadata-0/snapshots/
//
// Controllers and brokers (observers keep a full copy for a fast restart) use the same layout, so
// `dump-log` and `metadata-shell` read either.

import { join } from 'node:path';
import type { Logger, QuorumStateStore, SnapshotStore } from '../env/index.js';
import { FileQuorumStateStore } from './file-quorum-state-store.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { fsyncDir } from './fsync-dir.js';
import { SegmentLogStorage } from './segment-log-storage.js';

export const METADATA_PARTITION_DIR = '__cluster_metadata-0';

export interface MetadataStoragePaths {
  readonly partitionDir: string;
  readonly logDir: string;
  readonly quorumStateFile: string;
  readonly snapshotsDir: string;
}

export function metadataStoragePaths(metadataLogDir: string): MetadataStoragePaths {
  return partitionPaths(join(metadataLogDir, METADATA_PARTITION_DIR));
}

/** The paths inside one `__cluster_metadata-0` directory. */
export function partitionPaths(partitionDir: string): MetadataStoragePaths {
  return {
    partitionDir,
    logDir: join(partitionDir, 'log'),
    quorumStateFile: join(partitionDir, 'quorum-state'),
    snapshotsDir: join(partitionDir, 'snapshots'),
  };
}

export interface MetadataStorage {
  readonly log: SegmentLogStorage;
  readonly quorumStateStore: QuorumStateStore;
  readonly snapshotStore: SnapshotStore;
}

export async function openMetadataStorage(metadataLogDir: string, logger: Logger): Promise<MetadataStorage> {
  const paths = metadataStoragePaths(metadataLogDir);
  const log = await SegmentLogStorage.open(paths.logDir, logger);
  try {
    const snapshotStore = await FileSnapshotStore.open(paths.snapshotsDir, logger);
    // mkdirDurably syncs only the directories it makes: those a first start made and was killed
    // before syncing would stay in the page cache for good. Their entries are synced on every open.
    await fsyncDir(paths.partitionDir);
    await fsyncDir(metadataLogDir);
    return { log, quorumStateStore: new FileQuorumStateStore(paths.quorumStateFile, logger), snapshotStore };
  } catch (e) {
    await log.close();
    throw e;
  }
}
