// Binary form of one LogBatch, the same bytes on disk (SegmentLogStorage frames) and on the wire.
//
// Why: the log is the hot path (50k records/s through three voters), so it is binary msgpack, not
// JSON, and every batch carries a CRC32C so a torn or flipped write is found (DESIGN §4, §6).
//
// Layout (integers big-endian):
//
//   [u32 payloadLength][u32 crc32c(payload)][payload]
//   payload = msgpack [FORMAT_VERSION, baseOffset, epoch, appendTimeMs, records]            data batch
//           | msgpack [FORMAT_VERSION, baseOffset, epoch, appendTimeMs, [], control]        control batch
//   control = [CONTROL_LEADER_CHANGE, leaderId, voters, grantingVoters]
//           | [CONTROL_VOTER_DIRECTORY, voterId, directoryId | nil]
//
// msgpack is written by `new Packr({ useRecords: false })`: self-describing, never shared
// structures (a reader without the writer's structures cannot decode those, packages.md).
//
// Decoding checks the CRC first, then every field, and throws BatchCorruptError with a reason.
// Decoded records are zero-copy views into the frame (msgpackr returns subarrays for binary), so
// a caller must not reuse the frame's memory afterwards; file reads and sockets hand out fresh buffers.
//
// Encoded once: encodedBatch() keeps each batch object's frame (a WeakMap, so it lives as long as
// the batch), and decodeBatch() records the frame it decoded. A leader thus encodes a batch once
// for its own disk and every fetcher (a fetch response carries the frames, tcp-raft-transport.ts),
// and a follower writes to disk the very bytes it received, their CRC checked end to end.

import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import type { ControlRecord, LogBatch, NodeId } from '../raft/types.js';
import { limits } from '../limits.js';
import { crc32c } from './crc32c.js';

export const FRAME_HEADER_BYTES = 8;
const FORMAT_VERSION = 1;
const CONTROL_LEADER_CHANGE = 1;
const CONTROL_VOTER_DIRECTORY = 2;

const packr = new Packr({ useRecords: false });

/** A frame that fails its CRC or whose fields are malformed. An edge error: not retriable. */
export class BatchCorruptError extends Error {
  readonly code = 'BATCH_CORRUPT';
  readonly retriable = false;
  constructor(readonly reason: string) {
    super(`corrupt log batch: ${reason}`);
    this.name = 'BatchCorruptError';
  }
}

/** Frames already made or read, per batch object (see the header). */
const frames = new WeakMap<LogBatch, Uint8Array>();

/** The batch's frame, encoded on first use. The batch must not be mutated afterwards (none is). */
export function encodedBatch(batch: LogBatch): Uint8Array {
  let frame = frames.get(batch);
  if (frame === undefined) {
    frame = encodeBatch(batch);
    frames.set(batch, frame);
  }
  return frame;
}

export function encodeBatch(batch: LogBatch): Uint8Array {
  const shapeError = checkBatchShape(batch.baseOffset, batch.epoch, batch.appendTimeMs, batch.records, batch.control);
  if (shapeError !== undefined) assert.fail(`encodeBatch: ${shapeError}`);
  const payload =
    batch.control === undefined
      ? packr.pack([FORMAT_VERSION, batch.baseOffset, batch.epoch, batch.appendTimeMs, batch.records])
      : packr.pack([FORMAT_VERSION, batch.baseOffset, batch.epoch, batch.appendTimeMs, [], encodeControl(batch.control)]);
  if (payload.length > limits.frameBytesMax) {
    assert.fail(`encodeBatch: batch at ${batch.baseOffset} is ${payload.length} bytes, over frameBytesMax ${limits.frameBytesMax}`);
  }
  // One copy: msgpackr packs into its own reusable buffer, the frame needs a header in front.
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export function decodeBatch(frame: Uint8Array): LogBatch {
  if (frame.length < FRAME_HEADER_BYTES) throw new BatchCorruptError(`frame of ${frame.length} bytes is shorter than its 8-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const length = view.getUint32(0);
  if (length !== frame.length - FRAME_HEADER_BYTES) {
    throw new BatchCorruptError(`header says ${length} payload bytes, frame holds ${frame.length - FRAME_HEADER_BYTES} (torn write?)`);
  }
  const payload = frame.subarray(FRAME_HEADER_BYTES);
  const storedCrc = view.getUint32(4);
  const actualCrc = crc32c(payload);
  if (storedCrc !== actualCrc) throw new BatchCorruptError(`crc32c mismatch: stored ${hex(storedCrc)}, computed ${hex(actualCrc)}`);

  let decoded: unknown;
  try {
    decoded = packr.unpack(payload);
  } catch (e) {
    // msgpackr's messages can embed the whole decoded value: keep the reason short.
    throw new BatchCorruptError(`msgpack payload does not decode: ${String((e as Error).message).slice(0, 120)}`);
  }
  if (!Array.isArray(decoded) || (decoded.length !== 5 && decoded.length !== 6)) {
    throw new BatchCorruptError('payload is not a 5- or 6-element array');
  }
  const [version, baseOffset, epoch, appendTimeMs, records, rawControl] = decoded as unknown[];
  if (version !== FORMAT_VERSION) throw new BatchCorruptError(`unknown batch format version ${String(version)}`);
  const control = decoded.length === 6 ? decodeControl(rawControl) : undefined;
  const shapeError = checkBatchShape(baseOffset, epoch, appendTimeMs, records, control);
  if (shapeError !== undefined) throw new BatchCorruptError(shapeError);
  const batch = { baseOffset, epoch, appendTimeMs, records } as {
    baseOffset: number;
    epoch: number;
    appendTimeMs: number;
    records: Uint8Array[];
  };
  const result: LogBatch = control === undefined ? batch : { ...batch, control };
  frames.set(result, frame);
  return result;
}

/** Returns what is wrong with a batch's fields, or undefined. Shared by the write and the read side. */
function checkBatchShape(baseOffset: unknown, epoch: unknown, appendTimeMs: unknown, records: unknown, control: ControlRecord | undefined): string | undefined {
  if (!isOffsetLike(baseOffset)) return `baseOffset ${String(baseOffset)} is not a non-negative integer`;
  if (!isOffsetLike(epoch)) return `epoch ${String(epoch)} is not a non-negative integer`;
  // Clock readings (performance.now-based or simulated) may be fractional; only require finite.
  if (typeof appendTimeMs !== 'number' || !Number.isFinite(appendTimeMs)) return `appendTimeMs ${String(appendTimeMs)} is not a finite number`;
  if (!Array.isArray(records)) return 'records is not an array';
  if (control === undefined) {
    if (records.length === 0) return `data batch at ${baseOffset} has no records`;
  } else if (records.length !== 0) {
    return `control batch at ${baseOffset} carries ${records.length} data records`;
  }
  for (let i = 0; i < records.length; i++) {
    if (!(records[i] instanceof Uint8Array)) return `record ${i} of batch at ${baseOffset} is not bytes`;
  }
  return undefined;
}

function encodeControl(control: ControlRecord): unknown[] {
  if (control.type === 'voterDirectory') {
    assert.ok(isOffsetLike(control.voterId), `voterDirectory carries a voter id that is not a node id: ${String(control.voterId)}`);
    assert.ok(control.directoryId === null || (typeof control.directoryId === 'string' && control.directoryId.length > 0), 'voterDirectory directoryId must be a non-empty string or null');
    return [CONTROL_VOTER_DIRECTORY, control.voterId, control.directoryId];
  }
  assert.equal(control.type, 'leaderChange', `unknown control record type ${String((control as { type: unknown }).type)}`);
  const bad = [control.leaderId, ...control.voters, ...control.grantingVoters].find((id) => !isOffsetLike(id));
  assert.equal(bad, undefined, `leaderChange carries a node id that is not a non-negative integer: ${String(bad)}`);
  return [CONTROL_LEADER_CHANGE, control.leaderId, control.voters, control.grantingVoters];
}

function decodeControl(raw: unknown): ControlRecord {
  if (Array.isArray(raw) && raw[0] === CONTROL_VOTER_DIRECTORY) {
    const [, voterId, directoryId] = raw as unknown[];
    if (raw.length !== 3 || !isOffsetLike(voterId)) throw new BatchCorruptError('voterDirectory record is not [tag, voterId, directoryId]');
    if (directoryId !== null && (typeof directoryId !== 'string' || directoryId.length === 0)) throw new BatchCorruptError(`voterDirectory directoryId ${String(directoryId)} is not a string or nil`);
    return { type: 'voterDirectory', voterId, directoryId };
  }
  if (!Array.isArray(raw) || raw.length !== 4) throw new BatchCorruptError('control record is not a 4-element array');
  const [tag, leaderId, voters, grantingVoters] = raw as unknown[];
  if (tag !== CONTROL_LEADER_CHANGE) throw new BatchCorruptError(`unknown control record tag ${String(tag)}`);
  if (!isOffsetLike(leaderId)) throw new BatchCorruptError(`leaderChange leaderId ${String(leaderId)} is not a node id`);
  return { type: 'leaderChange', leaderId, voters: nodeIds(voters, 'voters'), grantingVoters: nodeIds(grantingVoters, 'grantingVoters') };
}

function nodeIds(raw: unknown, field: string): NodeId[] {
  if (!Array.isArray(raw) || !raw.every(isOffsetLike)) throw new BatchCorruptError(`leaderChange ${field} is not a list of node ids`);
  return raw;
}

/** Offsets, epochs and node ids: non-negative safe integers. */
function isOffsetLike(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
