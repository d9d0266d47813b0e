// MetadataLoader: turns committed batches (in offset order) and snapshots into published images
// (DESIGN §2, §6; Kafka's MetadataLoader + MetadataBatchLoader, kraft.md §3.4). Controllers and
// brokers both run one; it is the only place committed records become state (the active
// controller's own records too: it hands over the state it already made of them, see Adopting).
//
// - Every record is decoded and replayed; a record that does not decode or does not apply stops the
//   loader with MetadataLogCorruptError naming its offset, type, version and reason. Never skipped
//   (KAFKA-14275: a node that skips a record diverges silently). The loader then refuses more input.
// - Metadata transactions (KIP-868): records between BeginTransaction and EndTransaction are held
//   aside and replayed at End; AbortTransaction drops them. A half-finished transaction is never
//   visible: the published image (and its provenance) stops just before the Begin, which is also
//   why `snapshotableOffset` never lands inside one (KAFKA-17713). Begin inside a transaction, or
//   End/Abort outside one, is a corrupt log.
// - Publishing: once per applyBatches call (not per record), if the publishable end offset moved:
//   one delta, one new image, then every listener gets (delta, image). Offsets that change no
//   state (NoOps, control batches) still move the provenance, so a broker can report how far it
//   has caught up (KAFKA-13959).
// - Control batches (Raft's LeaderChange...) carry no metadata; each covers exactly one offset.
// - Adopting (adopt): the active controller already holds the state after its own committed
//   records (it replayed them into its pending image when it appended them); the loader takes that
//   image for them instead of a second decode and replay, when nothing else would happen.
//
// metadata-log knows nothing of Raft (DESIGN §3), so CommittedBatch is declared here structurally.

import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { MetadataDelta, MetadataReplayError } from './delta.js';
import type { Provenance } from './image-types.js';
import { MetadataImage } from './image.js';
import { decodeRecord, describeTypeId, RecordDecodeError, schemaOf } from './records/index.js';
import type { MetadataRecord } from './records/types.js';
import { readSnapshotDelta } from './snapshot.js';

/** A committed batch as the quorum hands it over (a structural match for Raft's LogBatch). */
export interface CommittedBatch {
  readonly baseOffset: number;
  readonly epoch: number;
  readonly records: readonly Uint8Array[];
  /** Set on a control batch: no records, one offset. */
  readonly control?: unknown;
}

export type MetadataListener = (delta: MetadataDelta, image: MetadataImage) => void;

/** The committed log cannot be applied. Fatal: the node must stop rather than go on diverged. */
export class MetadataLogCorruptError extends Error {
  readonly code = 'METADATA_LOG_CORRUPT';
  readonly retriable = false;
  constructor(
    readonly offset: number,
    /** e.g. "5 (PartitionChange)", or null when the bytes did not say. */
    readonly recordType: string | null,
    readonly version: number | null,
    readonly reason: string,
  ) {
    const what = recordType === null ? 'record' : `record type ${recordType}${version === null ? '' : ` v${version}`}`;
    super(`metadata log corrupt at offset ${offset}: ${what}: ${reason}`);
    this.name = 'MetadataLogCorruptError';
  }
}

interface HeldRecord {
  readonly offset: number;
  readonly record: MetadataRecord;
  readonly bytes: Uint8Array;
}

interface OpenTransaction {
  readonly beginOffset: number;
  readonly held: HeldRecord[];
}

const envelopePeek = new Packr({ useRecords: false });

/** The version in a record's envelope, for error messages only (the bytes already decoded once). */
function envelopeVersion(bytes: Uint8Array): number | null {
  try {
    const env: unknown = envelopePeek.unpack(bytes);
    return Array.isArray(env) && typeof env[2] === 'number' ? env[2] : null;
  } catch {
    return null;
  }
}

export class MetadataLoader {
  private published: MetadataImage = MetadataImage.EMPTY;
  private nextOffset = 0;
  private txn: OpenTransaction | null = null;
  private fatal: Error | undefined;
  private readonly listeners: MetadataListener[] = [];
  /** Record bytes consumed since this loader started. */
  private totalBytes = 0;
  /** totalBytes at the last snapshot load or mark. */
  private markBytes = 0;
  /** totalBytes at the end of the published image (what a snapshot of it covers). */
  private publishedBytesAt = 0;

  /** The last published image: committed, and never inside a transaction. */
  get image(): MetadataImage {
    return this.published;
  }

  /** Every offset below this has been consumed (records of an open transaction included). */
  get appliedEndOffset(): number {
    return this.nextOffset;
  }

  get inTransaction(): boolean {
    return this.txn !== null;
  }

  /** The end offset of the last published image: the only offset a snapshot may be taken at. */
  get snapshotableOffset(): number {
    return this.published.provenance.endOffset;
  }

  /** Record bytes consumed since the last snapshot load or markSnapshot (for "snapshot every N bytes"). */
  get bytesSinceSnapshot(): number {
    return this.totalBytes - this.markBytes;
  }

  /** Adds a listener for each published image; returns a function that removes it. */
  addListener(listener: MetadataListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Record bytes consumed up to the end of the published image (pass it to markSnapshot). */
  get publishedBytes(): number {
    return this.publishedBytesAt;
  }

  /**
   * A snapshot of the image published at `endOffset` was taken: count bytes from `bytesAtEnd`, the
   * publishedBytes read when that image was taken. Exact however many images were published while
   * the snapshot was written (a search of recent publications lost it under load, and the
   * scheduler then wrote snapshots back to back; found by a review). Bytes of a transaction still
   * open at that image stay counted.
   */
  markSnapshot(endOffset: number, bytesAtEnd: number): void {
    assert(
      endOffset <= this.snapshotableOffset,
      `markSnapshot(${endOffset}): past the published image's end offset ${this.snapshotableOffset}`,
    );
    this.markBytes = Math.max(this.markBytes, bytesAtEnd);
  }

  applyBatches(batches: readonly CommittedBatch[]): void {
    this.checkNotStopped();
    let delta: MetadataDelta | null = null;
    let end = this.published.provenance;
    let endBytes = this.totalBytes;
    try {
      this.checkContiguous(batches);
      for (const batch of batches) {
        if (batch.control !== undefined) {
          assert(batch.records.length === 0, `MetadataLoader: control batch at ${batch.baseOffset} carries records`);
          this.nextOffset = batch.baseOffset + 1;
          if (this.txn === null) end = { endOffset: this.nextOffset, epoch: batch.epoch };
          continue;
        }
        for (let i = 0; i < batch.records.length; i++) {
          const offset = batch.baseOffset + i;
          const bytes = batch.records[i]!;
          this.totalBytes += bytes.length;
          const record = this.decode(bytes, offset);
          if (this.consume(record, bytes, offset, (delta ??= new MetadataDelta(this.published)))) {
            end = { endOffset: offset + 1, epoch: batch.epoch };
            endBytes = this.totalBytes;
          }
        }
        this.nextOffset = batch.baseOffset + batch.records.length;
      }
    } catch (e) {
      this.fatal = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
    if (end.endOffset > this.published.provenance.endOffset) {
      this.publish(delta ?? new MetadataDelta(this.published), end, endBytes);
    }
  }

  /**
   * The state after `batches` is `image`, computed by the caller from the same records (the active
   * controller's pending image as of their last offset): taken as is, instead of decoding and
   * replaying them again. Declines (false, nothing done) where applyBatches would do more than move
   * to that image: a listener wants the delta, a transaction is open (its held records replay at its
   * end), or a control batch is among them. The caller then applies the batches. That `image` is the
   * records' state is the caller's to keep (no transaction marker among them either: the loader
   * does not look inside); the simulator holds every node's images to each other's.
   */
  adopt(batches: readonly CommittedBatch[], image: MetadataImage): boolean {
    this.checkNotStopped();
    if (this.listeners.length > 0 || this.txn !== null || batches.length === 0) return false;
    let next = this.nextOffset;
    let bytes = 0;
    for (const batch of batches) {
      if (batch.control !== undefined) return false;
      for (const r of batch.records) bytes += r.length;
      next = batch.baseOffset + batch.records.length;
    }
    try {
      this.checkContiguous(batches);
      const epoch = batches[batches.length - 1]!.epoch;
      const at = image.provenance;
      assert(at.endOffset === next && at.epoch === epoch, `MetadataLoader.adopt: an image at ${at.endOffset} (epoch ${at.epoch}) for batches ending at ${next} (epoch ${epoch})`);
    } catch (e) {
      this.fatal = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
    this.nextOffset = next;
    this.totalBytes += bytes;
    this.published = image;
    this.publishedBytesAt = this.totalBytes;
    return true;
  }

  /** Replaces the state with a snapshot's (start-up, or one fetched from the leader) and publishes it whole. */
  loadSnapshot(id: Provenance, bytes: Uint8Array): void {
    this.checkNotStopped();
    // Read fully before touching any state: a corrupt snapshot (SnapshotCorruptError) leaves the
    // loader as it was, and the caller may fetch another.
    const delta = readSnapshotDelta(bytes);
    this.nextOffset = id.endOffset;
    this.txn = null;
    this.markBytes = this.totalBytes;
    this.publish(delta, id, this.totalBytes);
  }

  /**
   * One record outside the control path. Returns true when the publishable end moves past it
   * (it was applied, or it closed a transaction).
   */
  private consume(record: MetadataRecord, bytes: Uint8Array, offset: number, delta: MetadataDelta): boolean {
    const txn = this.txn;
    switch (record.type) {
      case 'BeginTransaction':
        if (txn !== null) throw this.corrupt(offset, bytes, record, `BeginTransaction inside the transaction begun at offset ${txn.beginOffset}`);
        this.txn = { beginOffset: offset, held: [] };
        return false;
      case 'EndTransaction':
        if (txn === null) throw this.corrupt(offset, bytes, record, 'EndTransaction with no transaction open');
        for (const h of txn.held) this.replay(delta, h.record, h.bytes, h.offset);
        this.txn = null;
        return true;
      case 'AbortTransaction':
        if (txn === null) throw this.corrupt(offset, bytes, record, 'AbortTransaction with no transaction open');
        this.txn = null;
        return true;
      default:
        if (txn !== null) {
          txn.held.push({ offset, record, bytes });
          return false;
        }
        this.replay(delta, record, bytes, offset);
        return true;
    }
  }

  private decode(bytes: Uint8Array, offset: number): MetadataRecord {
    try {
      return decodeRecord(bytes);
    } catch (e) {
      if (!(e instanceof RecordDecodeError)) throw e;
      throw new MetadataLogCorruptError(offset, e.typeId === null ? null : describeTypeId(e.typeId), e.version, e.reason);
    }
  }

  private replay(delta: MetadataDelta, record: MetadataRecord, bytes: Uint8Array, offset: number): void {
    try {
      delta.replay(record);
    } catch (e) {
      if (!(e instanceof MetadataReplayError)) throw e;
      throw this.corrupt(offset, bytes, record, e.reason);
    }
  }

  private corrupt(offset: number, bytes: Uint8Array, record: MetadataRecord, reason: string): MetadataLogCorruptError {
    return new MetadataLogCorruptError(offset, describeTypeId(schemaOf(record.type).typeId), envelopeVersion(bytes), reason);
  }

  private publish(delta: MetadataDelta, provenance: Provenance, bytes: number): void {
    this.published = delta.apply(provenance);
    this.publishedBytesAt = bytes;
    for (const listener of [...this.listeners]) listener(delta, this.published);
  }

  /** Batches continue the log where this loader is, each right after the one before. */
  private checkContiguous(batches: readonly CommittedBatch[]): void {
    let next = this.nextOffset;
    for (const batch of batches) {
      if (batch.baseOffset !== next) assert.fail(`MetadataLoader: batch at offset ${batch.baseOffset}, expected ${next} (batches must be contiguous and applied once)`);
      next = batch.baseOffset + (batch.control !== undefined ? 1 : batch.records.length);
    }
  }

  private checkNotStopped(): void {
    if (this.fatal !== undefined) {
      throw new Error(`MetadataLoader stopped after a fatal error (restart the node): ${this.fatal.message}`, { cause: this.fatal });
    }
  }
}
