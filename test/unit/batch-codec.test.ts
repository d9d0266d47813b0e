// The log batch frame: round trips of random data and control batches (records come back as
// bytes, absent fields stay absent), and every kind of damage is a BatchCorruptError, never a
// wrong batch: a flipped byte anywhere, a torn (short) frame, and well-checksummed payloads whose
// fields are malformed.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import type { LogBatch } from '../../quorum/raft/types.js';
import { BatchCorruptError, decodeBatch, encodeBatch, encodedBatch } from '../../quorum/node/batch-codec.js';
import { batchEndOffset } from '../../quorum/raft/raft-log.js';
import { crc32c } from '../../quorum/node/crc32c.js';

const nodeId = fc.nat({ max: 1000 });
const appendTimeMs = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e13, noNaN: true }).map((x) => x + 0));
const dataBatch: fc.Arbitrary<LogBatch> = fc.record({
  baseOffset: fc.maxSafeNat(),
  epoch: fc.nat(),
  appendTimeMs,
  records: fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 20 }),
});
const controlBatch: fc.Arbitrary<LogBatch> = fc.record({
  baseOffset: fc.maxSafeNat(),
  epoch: fc.nat(),
  appendTimeMs,
  records: fc.constant([]),
  control: fc.oneof(
    fc.record({
      type: fc.constant('leaderChange' as const),
      leaderId: nodeId,
      voters: fc.array(nodeId, { maxLength: 7 }),
      grantingVoters: fc.array(nodeId, { maxLength: 7 }),
    }),
    fc.record({
      type: fc.constant('voterDirectory' as const),
      voterId: nodeId,
      directoryId: fc.option(fc.string({ minLength: 1, maxLength: 22 }), { nil: null }),
    }),
  ),
});
const anyBatch = fc.oneof(dataBatch, controlBatch);

/** A frame around an arbitrary msgpack payload with a correct CRC: only the field checks can object. */
function frameOf(payload: unknown): Uint8Array {
  const body = new Packr({ useRecords: false }).pack(payload);
  const frame = Buffer.alloc(8 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32c(body), 4);
  frame.set(body, 8);
  return frame;
}

function corruptReason(frame: Uint8Array): string {
  try {
    decodeBatch(frame);
  } catch (e) {
    expect(e).toBeInstanceOf(BatchCorruptError);
    return (e as BatchCorruptError).reason;
  }
  throw new Error('decodeBatch accepted a bad frame');
}

describe('batch codec', () => {
  it('round trip of random data and control batches gives back the same batch, records as Uint8Array', () => {
    fc.assert(
      fc.property(anyBatch, (batch) => {
        const decoded = decodeBatch(encodeBatch(batch));
        expect(decoded.baseOffset).toBe(batch.baseOffset);
        expect(decoded.epoch).toBe(batch.epoch);
        expect(decoded.appendTimeMs).toBe(batch.appendTimeMs);
        expect(decoded.records.length).toBe(batch.records.length);
        decoded.records.forEach((r, i) => {
          expect(r).toBeInstanceOf(Uint8Array);
          expect([...r]).toEqual([...batch.records[i]!]);
        });
        if (batch.control === undefined) expect('control' in decoded).toBe(false);
        else expect(decoded.control).toEqual(batch.control);
        expect(batchEndOffset(decoded)).toBe(batchEndOffset(batch));
      }),
      { numRuns: 300 },
    );
  });

  it('a batch is encoded once: encodedBatch gives the same frame again, and a decoded batch its own frame', () => {
    const batch: LogBatch = { baseOffset: 7, epoch: 2, appendTimeMs: 1, records: [Uint8Array.of(1, 2), Uint8Array.of(3)] };
    const frame = encodedBatch(batch);
    expect(encodedBatch(batch)).toBe(frame);
    expect([...frame]).toEqual([...encodeBatch(batch)]);
    const copy = Uint8Array.from(frame); // as a socket or level hands it out: fresh memory
    const decoded = decodeBatch(copy);
    expect(encodedBatch(decoded)).toBe(copy); // what a follower writes to disk is what it received
    // Another batch object with equal fields is its own entry.
    expect(encodedBatch({ ...batch })).not.toBe(frame);
  });

  it('a voterDirectory record with a bad voter id or an empty directory id is refused on write and on read', () => {
    const batch = (control: unknown): LogBatch => ({ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: [], control: control as NonNullable<LogBatch['control']> });
    expect(() => encodeBatch(batch({ type: 'voterDirectory', voterId: -1, directoryId: 'd' }))).toThrow(/voter id/);
    expect(() => encodeBatch(batch({ type: 'voterDirectory', voterId: 1, directoryId: '' }))).toThrow(/directoryId/);
    const good = encodeBatch(batch({ type: 'voterDirectory', voterId: 3, directoryId: null }));
    expect(decodeBatch(good).control).toEqual({ type: 'voterDirectory', voterId: 3, directoryId: null });
  });

  it('a control batch counts exactly one offset, a data batch one per record', () => {
    const control: LogBatch = {
      baseOffset: 10,
      epoch: 2,
      appendTimeMs: 5,
      records: [],
      control: { type: 'leaderChange', leaderId: 1, voters: [1, 2, 3], grantingVoters: [1, 2] },
    };
    expect(batchEndOffset(control)).toBe(11);
    expect(batchEndOffset({ baseOffset: 10, epoch: 2, appendTimeMs: 5, records: [new Uint8Array(1), new Uint8Array(2)] })).toBe(12);
  });

  it('flipping any byte of a frame (header, crc or payload) is a BatchCorruptError', () => {
    fc.assert(
      fc.property(anyBatch, fc.nat(), fc.integer({ min: 1, max: 255 }), (batch, where, mask) => {
        const frame = Uint8Array.from(encodeBatch(batch));
        frame[where % frame.length]! ^= mask;
        corruptReason(frame);
      }),
      { numRuns: 300 },
    );
  });

  it('a torn frame (cut short) is a BatchCorruptError that says so', () => {
    const frame = encodeBatch({ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: [new Uint8Array(200).fill(7)] });
    expect(corruptReason(frame.subarray(0, frame.length - 1))).toMatch(/torn/);
    expect(corruptReason(frame.subarray(0, 5))).toMatch(/shorter than its 8-byte header/);
    expect(corruptReason(new Uint8Array(0))).toMatch(/header/);
  });

  it('a crc mismatch names both checksums', () => {
    const frame = Uint8Array.from(encodeBatch({ baseOffset: 3, epoch: 1, appendTimeMs: 0, records: [new Uint8Array([1, 2, 3])] }));
    frame[frame.length - 1]! ^= 0x10;
    expect(corruptReason(frame)).toMatch(/crc32c mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
  });

  it('well-checksummed payloads with malformed fields are rejected with a reason', () => {
    const rec = new Uint8Array([1]);
    const lc = [1, 1, [1, 2], [1]];
    expect(corruptReason(frameOf({ baseOffset: 0 }))).toMatch(/not a 5- or 6-element array/);
    expect(corruptReason(frameOf([2, 0, 1, 0, [rec]]))).toMatch(/unknown batch format version 2/);
    expect(corruptReason(frameOf([1, -1, 1, 0, [rec]]))).toMatch(/baseOffset -1/);
    expect(corruptReason(frameOf([1, 1.5, 1, 0, [rec]]))).toMatch(/baseOffset 1.5/);
    expect(corruptReason(frameOf([1, 0, -3, 0, [rec]]))).toMatch(/epoch -3/);
    expect(corruptReason(frameOf([1, 0, 1, 'now', [rec]]))).toMatch(/appendTimeMs/);
    expect(corruptReason(frameOf([1, 0, 1, 0, 'records']))).toMatch(/records is not an array/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [rec, 'text']]))).toMatch(/record 1 .* is not bytes/);
    expect(corruptReason(frameOf([1, 0, 1, 0, []]))).toMatch(/has no records/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [rec], lc]))).toMatch(/control batch .* carries 1 data records/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [9, 1, [], []]]))).toMatch(/unknown control record tag 9/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [1, -1, [], []]]))).toMatch(/leaderId -1/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [1, 1, ['x'], []]]))).toMatch(/voters is not a list of node ids/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [1, 1]]))).toMatch(/control record is not a 4-element array/);
    // The same shapes, well formed, decode: the checks above are not rejecting everything.
    expect(decodeBatch(frameOf([1, 0, 1, 0, [rec]])).records.length).toBe(1);
    expect(decodeBatch(frameOf([1, 0, 1, 0, [], lc])).control).toMatchObject({ type: 'leaderChange', voters: [1, 2] });
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [2, 1, '']]))).toMatch(/voterDirectory directoryId/);
    expect(corruptReason(frameOf([1, 0, 1, 0, [], [2, -1, 'd']]))).toMatch(/voterDirectory record/);
  });

  it('trailing bytes after the msgpack value are a BatchCorruptError with a short reason', () => {
    const body = Buffer.concat([new Packr({ useRecords: false }).pack([1, 0, 1, 0, [new Uint8Array(5000)]]), Buffer.from([0])]);
    const frame = Buffer.alloc(8 + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.writeUInt32BE(crc32c(body), 4);
    frame.set(body, 8);
    const reason = corruptReason(frame);
    expect(reason).toMatch(/does not decode/);
    expect(reason.length).toBeLessThan(200);
  });

  it('encoding an invalid batch is an assertion failure, not a silent bad frame', () => {
    expect(() => encodeBatch({ baseOffset: 0, epoch: 0, appendTimeMs: 0, records: [] })).toThrow(/has no records/);
    expect(() => encodeBatch({ baseOffset: -1, epoch: 0, appendTimeMs: 0, records: [new Uint8Array(1)] })).toThrow(/baseOffset/);
    expect(() =>
      encodeBatch({
        baseOffset: 0,
        epoch: 0,
        appendTimeMs: 0,
        records: [new Uint8Array(1)],
        control: { type: 'leaderChange', leaderId: 1, voters: [1], grantingVoters: [1] },
      }),
    ).toThrow(/control batch/);
  });
});
