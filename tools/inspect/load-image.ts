// Builds the metadata image an inspection shows: from a node's directory, the newest snapshot that
// passes its checks plus the log after it; from a snapshot file, that snapshot alone. Both go
// through MetadataLoader, the code path every node uses, so the tools see what a node would.
//
// Offline there is no high watermark: the log tail is replayed as stored, so it may hold records a
// leader had appended but not yet committed (Kafka's metadata shell does the same).
// Nothing is written to the node's directory (./log-read.ts, ./snapshot-files.ts).
//
// A log that does not apply (a record that does not decode or replay) stops the replay at the last
// whole batch before it: the image up to there is returned with a problem that says where it
// stopped. A log that starts after the newest usable snapshot ends cannot be loaded at all.

import type { LogBatch } from '../../quorum/raft/types.js';
import type { SnapshotId } from '../../quorum/raft/types.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { resolvePartitionDir } from './layout.js';
import { readLogDir } from './log-read.js';
import { listSnapshotFiles, readSnapshotContent, readSnapshotFile } from './snapshot-files.js';
import type { InspectSource } from './source.js';

export interface LoadedImage {
  readonly image: MetadataImage;
  /** The snapshot the image started from, or null (replayed from offset 0). */
  readonly snapshot: SnapshotId | null;
  /** Offsets below this were read (snapshot end or log end, whichever is later). */
  readonly readEndOffset: number;
  /** What went wrong but still left an image to show (a corrupt snapshot skipped, a log that stops). */
  readonly problems: readonly string[];
}

/** The log holds a gap that no snapshot covers, or a snapshot file cannot be read: no image. */
export class ImageLoadError extends Error {
  readonly code = 'IMAGE_LOAD_FAILED';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

export async function loadImage(source: InspectSource, note: (line: string) => void): Promise<LoadedImage> {
  return source.kind === 'snapshot' ? loadSnapshotFile(source.file) : loadNodeDir(source.dir, note);
}

async function loadSnapshotFile(file: string): Promise<LoadedImage> {
  const { id, content } = await readSnapshotFile(file);
  const loader = new MetadataLoader();
  loader.loadSnapshot(id, content);
  return { image: loader.image, snapshot: id, readEndOffset: id.endOffset, problems: [] };
}

async function loadNodeDir(dir: string, note: (line: string) => void): Promise<LoadedImage> {
  const layout = await resolvePartitionDir(dir);
  const problems: string[] = [];
  const loader = new MetadataLoader();

  // The log first: a running node may take a newer snapshot and delete the log below it meanwhile,
  // and a snapshot listed after the log was read still meets that log.
  const log = await readLogDir(layout.logDir, note);

  let snapshot: SnapshotId | null = null;
  const files = await listSnapshotFiles(layout.snapshotsDir);
  for (const file of files.reverse()) {
    try {
      loader.loadSnapshot(file.id, await readSnapshotContent(file.path, file.id));
      snapshot = file.id;
      break;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'SNAPSHOT_CORRUPT') problems.push(`skipped snapshot ${file.name}: ${(e as Error).message}`);
      else if (code === 'SNAPSHOT_NOT_FOUND') note(`snapshot ${file.name} was deleted (by the node) while it was being read; trying an older one`);
      else throw e;
    }
  }

  const startOffset = snapshot?.endOffset ?? 0;
  if (log === undefined) return { image: loader.image, snapshot, readEndOffset: startOffset, problems };
  if (log.logStartOffset > startOffset) {
    throw new ImageLoadError(
      `the log in ${layout.logDir} starts at offset ${log.logStartOffset}, but ${snapshot === null ? 'there is no usable snapshot' : `the newest usable snapshot ends at ${startOffset}`}: offsets ${startOffset}..${log.logStartOffset - 1} are missing`,
    );
  }
  if (log.recovered !== undefined) problems.push(`the log ends at offset ${log.recovered.truncatedAtOffset} as a node loads it: ${log.recovered.reason} (dump-log shows what lies past it)`);

  let readEndOffset = startOffset;
  for (const stored of log.batches) {
    const batch = tailOf(stored, startOffset);
    if (batch === undefined) continue;
    try {
      loader.applyBatches([batch]);
    } catch (e) {
      problems.push(`the replay stopped at the batch at offset ${batch.baseOffset} (the image ends at offset ${loader.image.provenance.endOffset}): ${(e as Error).message}`);
      break;
    }
    readEndOffset = batch.baseOffset + (batch.control === undefined ? batch.records.length : 1);
  }
  return { image: loader.image, snapshot, readEndOffset, problems };
}

/** The part of a stored batch at or after `from` (a snapshot may end inside a batch), or undefined. */
function tailOf(batch: LogBatch, from: number): LogBatch | undefined {
  const count = batch.control === undefined ? batch.records.length : 1;
  if (batch.baseOffset + count <= from) return undefined;
  if (batch.baseOffset >= from) return batch;
  return { ...batch, baseOffset: from, records: batch.records.slice(from - batch.baseOffset) };
}
