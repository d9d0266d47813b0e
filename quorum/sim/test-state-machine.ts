// The simulator's replicated state machine. Records are 12-byte unique values (writer id,
// sequence, checksum) so that every committed offset can be traced to exactly one proposal. It
// keeps the applied history (offset → epoch and value) and reports each apply to the checker,
// which compares it with every other node's history, across time (committed prefixes agree).
// Every K applied records it takes a snapshot at the batch boundary it has reached, through the
// RaftClient, with the whole history as msgpack (fine at simulation sizes); loading a snapshot
// replaces the history. Control batches occupy their offset with a null value.

import { Packr } from 'msgpackr';
import type { LogBatch, SnapshotId } from '../raft/types.js';
import type { RaftClient, StateMachine } from '../runtime/api.js';

export const RECORD_BYTES = 12;

function checksum(writer: number, seq: number): number {
  let h = 0x811c9dc5;
  for (const w of [writer, seq]) {
    for (let i = 0; i < 4; i++) {
      h ^= (w >>> (8 * i)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** A value's identity as a number: writer × 2^32 + seq (exact while writer < 2^21). */
export function valueKey(writer: number, seq: number): number {
  return writer * 0x1_0000_0000 + seq;
}

export function encodeValue(writer: number, seq: number): Uint8Array {
  const out = new Uint8Array(RECORD_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, writer);
  dv.setUint32(4, seq);
  dv.setUint32(8, checksum(writer, seq));
  return out;
}

/** The value key of a record, or a string describing why it is not one of ours. */
export function decodeValue(bytes: Uint8Array): number | string {
  if (bytes.length !== RECORD_BYTES) return `record of ${bytes.length} bytes, expected ${RECORD_BYTES}`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const writer = dv.getUint32(0);
  const seq = dv.getUint32(4);
  if (dv.getUint32(8) !== checksum(writer, seq)) return `record checksum mismatch (writer ${writer}, seq ${seq})`;
  return valueKey(writer, seq);
}

export function describeValue(key: number | null): string {
  if (key === null) return 'control';
  return `${Math.floor(key / 0x1_0000_0000)}:${key % 0x1_0000_0000}`;
}

/** What the simulated cluster needs of a node's state machine (TestStateMachine, or a controller adapter). */
export interface SimStateMachine extends StateMachine {
  /** Set once the driver exists. */
  client: RaftClient | undefined;
  /** Offsets below this are applied. */
  readonly appliedEnd: number;
  readonly snapshotsLoaded: number;
  /** The value applied at an offset (as reported to onApply), if this node still holds it. */
  valueAt(offset: number): number | null | undefined;
}

export interface StateMachineHooks {
  /** Each applied offset, in order. value null = control record. */
  onApply(offset: number, epoch: number, value: number | null): void;
  /** A snapshot replaced the history (its entries are passed for comparison). */
  onLoadSnapshot(id: SnapshotId, epochs: readonly number[], values: readonly (number | null)[]): void;
  onViolation(message: string): void;
  /** Runs `fn` later as a scheduler event of this node's incarnation (never re-entrantly). */
  defer(fn: () => void): void;
}

interface SnapshotPayload {
  readonly v: 1;
  readonly epochs: number[];
  readonly values: (number | null)[];
}

const packr = new Packr({ useRecords: false });

export class TestStateMachine implements SimStateMachine {
  private epochs: number[] = [];
  private values: (number | null)[] = [];
  private lastSnapshotEnd = 0;
  private snapshotting = false;
  /** Set once the RaftNode exists. */
  client: RaftClient | undefined = undefined;
  snapshotsTaken = 0;
  snapshotsFailed = 0;
  snapshotsLoaded = 0;

  constructor(
    readonly nodeId: number,
    private readonly snapshotEveryRecords: number,
    private readonly hooks: StateMachineHooks,
  ) {}

  /** Offsets below this are applied. */
  get appliedEnd(): number {
    return this.values.length;
  }

  valueAt(offset: number): number | null | undefined {
    return this.values[offset];
  }

  epochAt(offset: number): number | undefined {
    return this.epochs[offset];
  }

  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) {
      if (b.baseOffset !== this.values.length) {
        this.hooks.onViolation(`node ${this.nodeId}: apply of batch at ${b.baseOffset} but ${this.values.length} applied so far (gap or replay)`);
        if (b.baseOffset < this.values.length) continue;
        return;
      }
      if (b.control !== undefined) {
        this.push(b.baseOffset, b.epoch, null);
        continue;
      }
      b.records.forEach((r, i) => {
        const v = decodeValue(r);
        if (typeof v === 'string') {
          this.hooks.onViolation(`node ${this.nodeId}: offset ${b.baseOffset + i}: ${v}`);
          this.push(b.baseOffset + i, b.epoch, -1);
        } else {
          this.push(b.baseOffset + i, b.epoch, v);
        }
      });
    }
    this.maybeSnapshot();
  }

  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void {
    let payload: SnapshotPayload;
    try {
      payload = packr.unpack(bytes) as SnapshotPayload;
    } catch (e) {
      this.hooks.onViolation(`node ${this.nodeId}: snapshot ${snapshotId.endOffset}-${snapshotId.epoch} does not decode: ${String(e)}`);
      return;
    }
    if (payload.v !== 1 || payload.values.length !== snapshotId.endOffset || payload.epochs.length !== snapshotId.endOffset) {
      this.hooks.onViolation(
        `node ${this.nodeId}: snapshot ${snapshotId.endOffset}-${snapshotId.epoch} holds ${payload.values?.length} offsets`,
      );
      return;
    }
    const lastEpoch = payload.epochs[snapshotId.endOffset - 1];
    if (snapshotId.endOffset > 0 && lastEpoch !== snapshotId.epoch) {
      this.hooks.onViolation(
        `node ${this.nodeId}: snapshot ${snapshotId.endOffset}-${snapshotId.epoch} but its last record has epoch ${lastEpoch}`,
      );
    }
    this.epochs = [...payload.epochs];
    this.values = [...payload.values];
    this.lastSnapshotEnd = snapshotId.endOffset;
    this.snapshotsLoaded++;
    this.hooks.onLoadSnapshot(snapshotId, this.epochs, this.values);
  }

  private push(offset: number, epoch: number, value: number | null): void {
    this.epochs.push(epoch);
    this.values.push(value);
    this.hooks.onApply(offset, epoch, value);
  }

  private maybeSnapshot(): void {
    if (this.snapshotEveryRecords <= 0 || this.snapshotting) return;
    const end = this.values.length;
    if (end - this.lastSnapshotEnd < this.snapshotEveryRecords) return;
    const payload: SnapshotPayload = { v: 1, epochs: this.epochs.slice(0, end), values: this.values.slice(0, end) };
    const bytes = packr.pack(payload);
    this.snapshotting = true;
    this.lastSnapshotEnd = end;
    this.hooks.defer(() => {
      const client = this.client;
      if (client === undefined) {
        this.snapshotting = false;
        return;
      }
      client.createSnapshot(end, [bytes]).then(
        () => {
          this.snapshotting = false;
          this.snapshotsTaken++;
        },
        () => {
          this.snapshotting = false;
          this.snapshotsFailed++;
        },
      );
    });
  }
}
