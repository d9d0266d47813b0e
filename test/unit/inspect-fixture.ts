// Builds real node directories for the inspection tool tests (dump-log, metadata-shell): a
// `<metadata.log.dir>/__cluster_metadata-0/` with a segment log written by SegmentLogStorage (real
// encoded records, a LeaderChange control batch), a quorum-state file and snapshot files written
// by FileSnapshotStore from metadata-log/snapshot.ts.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../quorum/env/index.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore, snapshotFileName } from '../../quorum/node/file-snapshot-store.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import type { LogBatch, SnapshotId } from '../../quorum/raft/types.js';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import { metadataPartitionDir, partitionLayout } from '../../tools/inspect/layout.js';
import { Command } from 'commander';
import { vi } from 'vitest';

export function uuid(n: number): string {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(12, n + 100);
  return uuidFromBytes(b);
}

export const TOPIC_ID = uuid(1);

const broker = (brokerId: number): MetadataRecord => ({
  type: 'RegisterBroker',
  brokerId,
  incarnationId: uuid(100 + brokerId),
  brokerEpoch: brokerId,
  endpoints: [{ name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9092, securityProtocol: 'PLAINTEXT' }],
  rack: null,
  fenced: false,
  inControlledShutdown: false,
  features: [{ name: 'metadata.version', minVersion: 1, maxVersion: 1 }],
});

const partition = (partitionId: number, replicas: number[]): MetadataRecord => ({
  type: 'Partition',
  topicId: TOPIC_ID,
  partitionId,
  replicas,
  isr: replicas,
  removingReplicas: [],
  addingReplicas: [],
  leader: replicas[0]!,
  leaderRecoveryState: 0,
  leaderEpoch: 0,
  partitionEpoch: 0,
});

/** The records of the fixture log, by offset (the control batch at offset 4 has none). */
export const RECORDS: ReadonlyMap<number, MetadataRecord> = new Map<number, MetadataRecord>([
  [0, { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 1 }],
  [1, broker(1)],
  [2, broker(2)],
  [3, { type: 'Topic', name: 't', topicId: TOPIC_ID }],
  [5, partition(0, [1, 2])],
  [6, partition(1, [2, 1])],
  [7, { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: '1000' }],
  [8, { type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.hours', value: '24' }],
  [9, { type: 'PartitionChange', topicId: TOPIC_ID, partitionId: 0, isr: [1] }],
  [10, { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: 42, leaderEpoch: 1, metadata: null, commitTimestampMs: 1_700_000_000_000 }],
  [11, { type: 'FeatureLevel', name: 'group.version', featureLevel: 1 }],
]);

export const LEADER_CHANGE_OFFSET = 4;
export const LOG_END_OFFSET = 12;

function records(from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = from; o < to; o++) out.push(encodeRecord(RECORDS.get(o)!));
  return out;
}

/** The fixture log: offsets 0..11 in four batches, the second a LeaderChange control batch. */
export function fixtureBatches(): LogBatch[] {
  return [
    { baseOffset: 0, epoch: 1, appendTimeMs: 1000, records: records(0, 4) },
    { baseOffset: 4, epoch: 2, appendTimeMs: 2000, records: [], control: { type: 'leaderChange', leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] } },
    { baseOffset: 5, epoch: 2, appendTimeMs: 2001, records: records(5, 9) },
    { baseOffset: 9, epoch: 2, appendTimeMs: 2500.5, records: records(9, 12) },
  ];
}

/** Snapshot bytes of the image after replaying `batches` (ending at the end of the last one). */
export function snapshotBytesOf(batches: readonly LogBatch[]): { id: SnapshotId; chunks: Uint8Array[] } {
  const loader = new MetadataLoader();
  loader.applyBatches(batches);
  const id = { endOffset: loader.image.provenance.endOffset, epoch: loader.image.provenance.epoch };
  return { id, chunks: writeSnapshot(loader.image) };
}

export interface NodeDirOptions {
  /** Batches to write (default fixtureBatches()). */
  readonly batches?: readonly LogBatch[];
  /** Write a snapshot of the image after the first n batches. */
  readonly snapshotAfterBatches?: number;
  /** Write a snapshot of the image after these batches (which may end inside a logged batch). */
  readonly snapshotOf?: readonly LogBatch[];
  /** Delete the log below the snapshot (the log then starts at the snapshot's end). */
  readonly deletePrefixToSnapshot?: boolean;
  /** Leave the log open (its lock held), as a running node does; the caller closes it. */
  readonly keepOpen?: boolean;
  /** The log's segment size (SegmentLogStorage's default otherwise). */
  readonly segmentBytes?: number;
}

export interface NodeDir {
  readonly metadataLogDir: string;
  readonly partitionDir: string;
  readonly snapshot?: { readonly id: SnapshotId; readonly file: string };
  /** Set with keepOpen. */
  readonly log?: SegmentLogStorage;
}

/** Writes a node's metadata directory under `metadataLogDir`. */
export async function writeNodeDir(metadataLogDir: string, options: NodeDirOptions = {}): Promise<NodeDir> {
  const batches = options.batches ?? fixtureBatches();
  const partitionDir = metadataPartitionDir(metadataLogDir);
  const paths = partitionLayout(partitionDir);
  await mkdir(partitionDir, { recursive: true });
  await new FileQuorumStateStore(paths.quorumStateFile).write({ epoch: 2, leaderId: 1, votedId: 1 });

  let snapshot: NodeDir['snapshot'];
  const snapshotOf = options.snapshotOf ?? (options.snapshotAfterBatches === undefined ? undefined : batches.slice(0, options.snapshotAfterBatches));
  if (snapshotOf !== undefined) {
    const { id, chunks } = snapshotBytesOf(snapshotOf);
    const store = await FileSnapshotStore.open(paths.snapshotsDir, silentLogger);
    const writer = store.create(id);
    for (const chunk of chunks) await writer.write(chunk);
    await writer.commit();
    snapshot = { id, file: join(paths.snapshotsDir, snapshotFileName(id)) };
  }

  const log = await SegmentLogStorage.open(paths.logDir, silentLogger, options.segmentBytes);
  await log.load();
  await log.append(batches, true);
  if (options.deletePrefixToSnapshot === true && snapshot !== undefined) await log.deletePrefix(snapshot.id.endOffset);
  if (options.keepOpen === true) return { metadataLogDir, partitionDir, ...(snapshot ? { snapshot } : {}), log };
  await log.close();
  return { metadataLogDir, partitionDir, ...(snapshot ? { snapshot } : {}) };
}

/**
 * Runs one registered inspection command in-process as the CLI would: `body` gets `run(...args)`
 * (resolving to the exit code the command set) and the captured stdout and stderr text.
 */
export async function withCapturedCommand(
  register: (program: Command) => Command,
  command: string,
  body: (run: (...args: string[]) => Promise<number | string | undefined>, out: string[], err: string[]) => Promise<void>,
): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  const saved = process.exitCode;
  try {
    await body(
      async (...args) => {
        process.exitCode = undefined;
        const program = new Command('metaquorum').exitOverride();
        register(program);
        await program.parseAsync(['node', 'metaquorum', command, ...args]);
        return process.exitCode;
      },
      out,
      err,
    );
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = saved;
  }
}
