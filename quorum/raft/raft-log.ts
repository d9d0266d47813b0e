// The core's in-memory view of the replicated log: every batch from the log start (the oldest
// retained snapshot) to the log end offset. The driver mirrors each change to disk through the
// Ready; this object is what the core reads to answer fetches and compare logs.
//
// Why in memory: the core is pure and synchronous, so it cannot await a disk read. The log is
// bounded by snapshotting (every N bytes, DESIGN §6), which keeps the tail small.

import type { LogBatch, OffsetAndEpoch, SnapshotId } from './types.js';
import { assert } from './assert.js';
import { VoterDirectories, type DirectoriesAt, type DirectoryMap } from './voter-directories.js';

export function batchRecordCount(batch: LogBatch): number {
  return batch.control === undefined ? batch.records.length : 1;
}

export function batchEndOffset(batch: LogBatch): number {
  return batch.baseOffset + batchRecordCount(batch);
}

/** An estimate of a batch's encoded size, used for fetch and batch byte bounds. */
export function batchBytes(batch: LogBatch): number {
  let bytes = 32;
  for (const r of batch.records) bytes += r.length + 5;
  return bytes;
}

export class RaftLog {
  private batches: LogBatch[] = [];
  private start: number;
  /** Epoch of the record at start-1 (from the snapshot the log starts at), 0 when start is 0. */
  private startEpoch: number;
  /** The voter directories the log's control records say (kept in step with every change here). */
  readonly directories: VoterDirectories;

  constructor(start: SnapshotId | null, batches: readonly LogBatch[], directoriesAtStart?: DirectoriesAt) {
    this.start = start?.endOffset ?? 0;
    this.startEpoch = start?.epoch ?? 0;
    this.directories = new VoterDirectories(directoriesAtStart);
    for (const b of batches) this.append(b);
  }

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    const last = this.batches[this.batches.length - 1];
    return last === undefined ? this.start : batchEndOffset(last);
  }

  /** Epoch of the last record (the snapshot's epoch when the log is empty past it). */
  get lastEpoch(): number {
    const last = this.batches[this.batches.length - 1];
    return last === undefined ? this.startEpoch : last.epoch;
  }

  get batchCount(): number {
    return this.batches.length;
  }

  all(): readonly LogBatch[] {
    return this.batches;
  }

  append(batch: LogBatch): void {
    if (batch.baseOffset !== this.endOffset) assert(false, `append at ${batch.baseOffset} but the log ends at ${this.endOffset}`);
    if (batch.epoch < this.lastEpoch) assert(false, `append of epoch ${batch.epoch} after epoch ${this.lastEpoch}`);
    assert(batchRecordCount(batch) > 0, 'empty batch');
    this.batches.push(batch);
    this.directories.onAppend(batch);
  }

  /** Index of the batch holding `offset`, or -1. */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.batches[mid]!;
      if (offset < b.baseOffset) hi = mid - 1;
      else if (offset >= batchEndOffset(b)) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** True when `offset` is the log start, the log end, or the first offset of a batch. */
  isBatchBoundary(offset: number): boolean {
    if (offset === this.start || offset === this.endOffset) return true;
    const i = this.indexOf(offset);
    return i >= 0 && this.batches[i]!.baseOffset === offset;
  }

  /** Epoch of the record at offset-1, for an end offset on a batch boundary. */
  epochBefore(endOffset: number): number {
    if (endOffset === this.start) return this.startEpoch;
    const i = this.indexOf(endOffset - 1);
    assert(i >= 0, `no record at ${endOffset - 1} (log ${this.start}..${this.endOffset})`);
    return this.batches[i]!.epoch;
  }

  /**
   * The largest epoch <= `epoch` in this log and the offset where it ends (Kafka's
   * endOffsetForEpoch). When the log holds nothing that old, the log start is the answer.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const b = this.batches[i]!;
      if (b.epoch <= epoch) return { epoch: b.epoch, offset: batchEndOffset(b) };
    }
    if (this.startEpoch <= epoch) return { epoch: this.startEpoch, offset: this.start };
    return { epoch: -1, offset: this.start };
  }

  /** Batches from `offset` (a boundary) up to `bytesMax` (at least one batch) and below `endOffset`. */
  read(offset: number, bytesMax: number, endOffset = this.endOffset): LogBatch[] {
    if (offset >= endOffset) return [];
    const first = this.indexOf(offset);
    if (first < 0) return [];
    const out: LogBatch[] = [];
    let bytes = 0;
    for (let i = first; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (batchEndOffset(b) > endOffset) break;
      bytes += batchBytes(b);
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(b);
    }
    return out;
  }

  /** Removes every batch that holds an offset >= `offset`. */
  truncateFrom(offset: number): void {
    assert(offset >= this.start, `truncate to ${offset} below the log start ${this.start}`);
    while (this.batches.length > 0 && batchEndOffset(this.batches[this.batches.length - 1]!) > offset) this.batches.pop();
    this.directories.onTruncate(this.endOffset);
  }

  /**
   * Drops batches ending at or before the snapshot and starts the log there. True when the voter
   * directories at the log start changed (the quorum state that persists them must be written).
   */
  startAt(snapshot: SnapshotId): boolean {
    assert(snapshot.endOffset >= this.start, `log start would move back from ${this.start} to ${snapshot.endOffset}`);
    let drop = 0;
    while (drop < this.batches.length && batchEndOffset(this.batches[drop]!) <= snapshot.endOffset) drop++;
    this.batches.splice(0, drop);
    const first = this.batches[0];
    assert(first === undefined || first.baseOffset === snapshot.endOffset, `snapshot ${snapshot.endOffset} is not on a batch boundary`);
    this.start = snapshot.endOffset;
    this.startEpoch = snapshot.epoch;
    return this.directories.onStartAt(snapshot.endOffset);
  }

  /** Discards the whole log and restarts it empty at the snapshot (after installing it). */
  resetTo(snapshot: SnapshotId, directories: DirectoryMap | undefined): void {
    this.batches = [];
    this.start = snapshot.endOffset;
    this.startEpoch = snapshot.epoch;
    this.directories.resetTo(directories, snapshot.endOffset);
  }
}
