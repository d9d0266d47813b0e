// A snapshot is the image written out as records (DESIGN §6); loading one is replaying them into an
// empty delta, the same code path as the log, so a snapshot can never mean something the log does not.
//
// Deterministic: the same image always writes the same bytes, so "whole log" and "snapshot + tail"
// can be compared byte for byte. Order (Kafka's image writers start with metadata.version):
//   FeatureLevel metadata.version, other FeatureLevels by name, ZkMigrationState (if not 0),
//   RegisterBroker by id, per topic by name: Topic then Partition 0..n-1, Config by
//   (resource type, resource name, key), AccessControlEntry by id, ProducerIds (if any id was
//   handed out), OffsetCommit by (group, topic, partition).
// Names sort by UTF-16 code units (`<`), never by locale, so every machine agrees.
//
// Layout (integers big-endian):
//   header  "MQSN" | u16 formatVersion | u16 flags (0) | u32 recordCount | u32 frameCount
//           | u32 crc32c(the 16 bytes before it)
//   frame   u32 payloadLength | u32 crc32c(payload) | payload
//   payload u32 recordCount | (u32 recordLength | record bytes (./records/codec.ts envelope))*
// Frames hold ~64 KiB of records each, so a flipped bit is found and named to within one frame;
// writeSnapshot groups frames into ~1 MiB chunks (the FetchSnapshot / file-write unit).

import { crc32c } from '../quorum/node/crc32c.js';
import { MetadataDelta, MetadataReplayError } from './delta.js';
import type { Provenance } from './image-types.js';
import { MetadataImage } from './image.js';
import { decodeRecord, encodeRecord, RecordDecodeError } from './records/index.js';
import type { MetadataRecord } from './records/types.js';
import { METADATA_VERSION_FEATURE } from './records/types.js';

const MAGIC = 0x4d51534e; // "MQSN"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 20;
const FRAME_HEADER_BYTES = 8;

export const snapshotLimits = {
  /** A frame is sealed once its records reach this many bytes (one record may exceed it alone). */
  frameTargetBytes: 64 * 1024,
  /** Frames are grouped into chunks of about this size (limits.snapshotChunkBytesMax). */
  chunkTargetBytes: 1024 * 1024,
  /** A frame longer than this is corrupt (a record is bounded by the 8 MiB proposal limit). */
  frameBytesMax: 16 * 1024 * 1024,
} as const;

/** Snapshot bytes that fail a check. An edge error: not retriable; fetch or restore another snapshot. */
export class SnapshotCorruptError extends Error {
  readonly code = 'SNAPSHOT_CORRUPT';
  readonly retriable = false;
  constructor(
    /** The frame at fault (0-based), or null for the header and the trailer checks. */
    readonly frameIndex: number | null,
    readonly reason: string,
  ) {
    super(`corrupt metadata snapshot: ${frameIndex === null ? '' : `frame ${frameIndex}: `}${reason}`);
    this.name = 'SnapshotCorruptError';
  }
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The image as records, in the deterministic snapshot order (see the header). */
export function* snapshotRecords(image: MetadataImage): Generator<MetadataRecord, void, undefined> {
  const { parts } = image;
  const mv = parts.features.get(METADATA_VERSION_FEATURE);
  if (mv !== undefined) yield { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: mv };
  for (const name of [...parts.features.keys()].sort(byName)) {
    if (name !== METADATA_VERSION_FEATURE) yield { type: 'FeatureLevel', name, featureLevel: parts.features.get(name)! };
  }
  if (parts.zkMigrationState !== 0) yield { type: 'ZkMigrationState', state: parts.zkMigrationState };

  for (const b of parts.sortedBrokers) {
    yield {
      type: 'RegisterBroker',
      brokerId: b.brokerId,
      incarnationId: b.incarnationId,
      brokerEpoch: b.brokerEpoch,
      endpoints: b.endpoints,
      rack: b.rack,
      fenced: b.fenced,
      inControlledShutdown: b.inControlledShutdown,
      features: b.features,
    };
  }

  const topics = [...parts.topicsById.values()].sort((a, b) => byName(a.name, b.name));
  for (const t of topics) {
    yield { type: 'Topic', name: t.name, topicId: t.topicId };
    for (let i = 0; i < t.partitions.length; i++) {
      const p = t.partitions[i]!;
      yield {
        type: 'Partition',
        topicId: t.topicId,
        partitionId: i,
        replicas: p.replicas,
        isr: p.isr,
        removingReplicas: p.removingReplicas,
        addingReplicas: p.addingReplicas,
        leader: p.leader,
        leaderRecoveryState: p.leaderRecoveryState,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
      };
    }
  }

  const resources = [...parts.configs.values()].sort(
    (a, b) => byName(a.resourceType, b.resourceType) || byName(a.resourceName, b.resourceName),
  );
  for (const res of resources) {
    for (const name of [...res.entries.keys()].sort(byName)) {
      yield { type: 'Config', resourceType: res.resourceType, resourceName: res.resourceName, name, value: res.entries.get(name)! };
    }
  }

  for (const acl of [...parts.acls.values()].sort((a, b) => byName(a.id, b.id))) yield { type: 'AccessControlEntry', ...acl };

  for (const key of [...parts.clientQuotas.keys()].sort(byName)) {
    const { entity, values } = parts.clientQuotas.get(key)!;
    for (const name of [...values.keys()].sort(byName)) yield { type: 'ClientQuota', entity, key: name, value: values.get(name)!, remove: false };
  }

  for (const name of [...parts.scramUsers.keys()].sort(byName)) {
    const { credentials } = parts.scramUsers.get(name)!;
    for (const mechanism of [...credentials.keys()].sort((a, b) => a - b)) {
      yield { type: 'UserScramCredential', name, mechanism, ...credentials.get(mechanism)! };
    }
  }

  // The image keeps only the next id, not who took the last block; replay reads only nextProducerId.
  if (parts.nextProducerId > 0) yield { type: 'ProducerIds', brokerId: 0, brokerEpoch: 0, nextProducerId: parts.nextProducerId };

  for (const groupId of [...parts.groups.keys()].sort(byName)) {
    const offsets = [...parts.groups.get(groupId)!.entries()].map(([key, o]) => {
      // offsetKey = `${topic}\u0000${partition}`: the partition is digits, so the last NUL splits.
      const cut = key.lastIndexOf('\u0000');
      return { topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)), o };
    });
    offsets.sort((a, b) => byName(a.topic, b.topic) || a.partition - b.partition);
    for (const { topic, partition, o } of offsets) {
      const record = { type: 'OffsetCommit', groupId, topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestampMs: o.commitTimestampMs } as const;
      // An explicit expiry (OffsetCommit v2-v4 retention_time_ms) must outlive the log it was written in.
      yield o.expireTimestampMs === undefined ? record : { ...record, expireTimestampMs: o.expireTimestampMs };
    }
  }

  for (const groupId of [...parts.groupMetadata.keys()].sort(byName)) {
    yield { type: 'GroupMetadata', ...parts.groupMetadata.get(groupId)! };
  }
}

function sealFrame(records: readonly Uint8Array[], bodyBytes: number): Buffer {
  const payloadBytes = 4 + bodyBytes;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
  let pos = FRAME_HEADER_BYTES;
  frame.writeUInt32BE(records.length, pos);
  pos += 4;
  for (const r of records) {
    frame.writeUInt32BE(r.length, pos);
    frame.set(r, pos + 4);
    pos += 4 + r.length;
  }
  frame.writeUInt32BE(payloadBytes, 0);
  frame.writeUInt32BE(crc32c(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** The image's records sealed into frames; returns the record count when done. */
function* snapshotFrames(image: MetadataImage): Generator<Buffer, number, undefined> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let recordCount = 0;
  for (const record of snapshotRecords(image)) {
    const bytes = encodeRecord(record);
    pending.push(bytes);
    pendingBytes += 4 + bytes.length;
    recordCount++;
    if (pendingBytes >= snapshotLimits.frameTargetBytes) {
      yield sealFrame(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pending.length > 0) yield sealFrame(pending, pendingBytes);
  return recordCount;
}

/** Header first, then the frames grouped into chunks of about snapshotLimits.chunkTargetBytes. */
function assemble(frames: readonly Buffer[], recordCount: number): Uint8Array[] {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt16BE(FORMAT_VERSION, 4);
  header.writeUInt16BE(0, 6);
  header.writeUInt32BE(recordCount, 8);
  header.writeUInt32BE(frames.length, 12);
  header.writeUInt32BE(crc32c(header.subarray(0, 16)), 16);

  const chunks: Uint8Array[] = [];
  let group: Buffer[] = [header];
  let groupBytes = HEADER_BYTES;
  for (const frame of frames) {
    if (groupBytes > 0 && groupBytes + frame.length > snapshotLimits.chunkTargetBytes) {
      chunks.push(Buffer.concat(group, groupBytes));
      group = [];
      groupBytes = 0;
    }
    group.push(frame);
    groupBytes += frame.length;
  }
  if (groupBytes > 0) chunks.push(Buffer.concat(group, groupBytes));
  return chunks;
}

/** The image as snapshot bytes, in chunks of about snapshotLimits.chunkTargetBytes (the first holds the header). */
export function writeSnapshot(image: MetadataImage): Uint8Array[] {
  const frames: Buffer[] = [];
  const it = snapshotFrames(image);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done === true) return assemble(frames, r.value);
    frames.push(r.value);
  }
}

/**
 * writeSnapshot in slices: `pause()` is awaited after every `framesPerSlice` frames, so a node
 * writing a large snapshot (1M partitions take seconds to encode) keeps answering its Raft peers
 * meanwhile. The image is immutable, so the slices all see the same state. Same bytes as writeSnapshot.
 */
export async function writeSnapshotInSlices(image: MetadataImage, pause: () => Promise<void>, framesPerSlice = 4): Promise<Uint8Array[]> {
  const frames: Buffer[] = [];
  const it = snapshotFrames(image);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done === true) return assemble(frames, r.value);
    frames.push(r.value);
    if (frames.length % framesPerSlice === 0) await pause();
  }
}

/**
 * Replays snapshot bytes into a delta on the empty image (not yet applied), checking the header,
 * every frame's CRC and length, every record, and the counts. Throws SnapshotCorruptError.
 */
export function readSnapshotDelta(bytes: Uint8Array): MetadataDelta {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < HEADER_BYTES) throw new SnapshotCorruptError(null, `${view.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (view.readUInt32BE(0) !== MAGIC) throw new SnapshotCorruptError(null, 'bad magic: not a metaquorum metadata snapshot');
  if (crc32c(view.subarray(0, 16)) !== view.readUInt32BE(16)) throw new SnapshotCorruptError(null, 'header checksum mismatch');
  const formatVersion = view.readUInt16BE(4);
  if (formatVersion !== FORMAT_VERSION) {
    throw new SnapshotCorruptError(null, `unknown snapshot format version ${formatVersion}; this node reads ${FORMAT_VERSION} — upgrade it`);
  }
  const recordCount = view.readUInt32BE(8);
  const frameCount = view.readUInt32BE(12);

  const delta = new MetadataDelta(MetadataImage.EMPTY);
  let pos = HEADER_BYTES;
  let seen = 0;
  for (let f = 0; f < frameCount; f++) {
    const at = `at byte ${pos}`;
    if (pos + FRAME_HEADER_BYTES > view.length) throw new SnapshotCorruptError(f, `truncated: frame header ${at} runs past the end`);
    const payloadBytes = view.readUInt32BE(pos);
    if (payloadBytes < 4 || payloadBytes > snapshotLimits.frameBytesMax) {
      throw new SnapshotCorruptError(f, `frame length ${payloadBytes} ${at} is outside 4..${snapshotLimits.frameBytesMax}`);
    }
    const start = pos + FRAME_HEADER_BYTES;
    const end = start + payloadBytes;
    if (end > view.length) throw new SnapshotCorruptError(f, `truncated: frame ${at} needs ${payloadBytes} bytes, ${view.length - start} remain`);
    if (crc32c(view.subarray(start, end)) !== view.readUInt32BE(pos + 4)) {
      throw new SnapshotCorruptError(f, `checksum mismatch (frame ${at}, ${payloadBytes} bytes)`);
    }
    // Past the CRC, a bad length or record is a writer bug rather than a flipped bit; still fatal.
    const n = view.readUInt32BE(start);
    let p = start + 4;
    for (let i = 0; i < n; i++) {
      if (p + 4 > end) throw new SnapshotCorruptError(f, `record ${i} of ${n}: length runs past the frame`);
      const len = view.readUInt32BE(p);
      if (p + 4 + len > end) throw new SnapshotCorruptError(f, `record ${i} of ${n}: ${len} bytes run past the frame`);
      replayOne(delta, view.subarray(p + 4, p + 4 + len), f, i);
      p += 4 + len;
    }
    if (p !== end) throw new SnapshotCorruptError(f, `${end - p} stray bytes after ${n} records`);
    seen += n;
    pos = end;
  }
  if (pos !== view.length) throw new SnapshotCorruptError(null, `${view.length - pos} bytes after the last of ${frameCount} frames`);
  if (seen !== recordCount) throw new SnapshotCorruptError(null, `header says ${recordCount} records, frames hold ${seen}`);
  return delta;
}

function replayOne(delta: MetadataDelta, bytes: Uint8Array, frame: number, index: number): void {
  let record: MetadataRecord;
  try {
    record = decodeRecord(bytes);
  } catch (e) {
    if (e instanceof RecordDecodeError) throw new SnapshotCorruptError(frame, `record ${index}: ${e.reason}`);
    throw e;
  }
  if (record.type === 'BeginTransaction' || record.type === 'EndTransaction' || record.type === 'AbortTransaction') {
    throw new SnapshotCorruptError(frame, `record ${index}: a ${record.type} marker cannot be in a snapshot`);
  }
  try {
    delta.replay(record);
  } catch (e) {
    if (e instanceof MetadataReplayError) throw new SnapshotCorruptError(frame, `record ${index}: ${e.message}`);
    throw e;
  }
}

/** The image held by snapshot bytes, at `provenance` (the snapshot id). Throws SnapshotCorruptError. */
export function readSnapshot(bytes: Uint8Array, provenance: Provenance): MetadataImage {
  return readSnapshotDelta(bytes).apply(provenance);
}
