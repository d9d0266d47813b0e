// A record as the controller replays it must be the record its bytes read back as on every other
// node (metadata-log/records/round-trip.ts, encodeRecordChecked): the active controller adopts
// its pending image as the committed one, so a key the encoding drops must not stay in it.

import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecordChecked } from '../../metadata-log/records/codec.js';
import { recordDifference } from '../../metadata-log/records/round-trip.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { RECORD_SAMPLES } from '../support/gen-record-fixtures.js';
import { activeController } from '../support/instant-raft.js';

const aclRecord = RECORD_SAMPLES.AccessControlEntry[0]!.record;
const withExtraKey = { ...aclRecord, fromANewerBuild: 'x' } as unknown as MetadataRecord;

describe('records read back as they are replayed', () => {
  it('recordDifference names the first difference, treating absent as undefined and bytes by content', () => {
    expect(recordDifference(aclRecord, { ...aclRecord })).toBeNull();
    expect(recordDifference(withExtraKey, aclRecord)).toMatch(/^fromANewerBuild: built the string "x", read /);
    expect(recordDifference({ a: undefined, b: 1 }, { b: 1 })).toBeNull();
    expect(recordDifference({ b: new Uint8Array([1, 2]) }, { b: Buffer.from([1, 2]) })).toBeNull();
    expect(recordDifference({ b: new Uint8Array([1, 2]) }, { b: Buffer.from([1, 3]) })).toBe('b: the bytes differ');
    expect(recordDifference({ isr: [1, 2] }, { isr: [1] })).toBe('isr: 2 elements built, 1 read');
    expect(recordDifference({ v: -0 }, { v: 0 })).toMatch(/^v: built/);
  });

  it('every sample of every record type is replayed as its bytes read back', () => {
    let n = 0;
    for (const samples of Object.values(RECORD_SAMPLES)) {
      for (const { name, record } of samples) {
        const { bytes, record: replayed } = encodeRecordChecked(record as MetadataRecord);
        expect(recordDifference(replayed, decodeRecord(bytes)), `${record.type}: ${name}`).toBeNull();
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(Object.keys(RECORD_SAMPLES).length);
  });

  it('encodeRecordChecked gives the record its bytes decode to: a key the schema does not write is gone', () => {
    const { bytes, record } = encodeRecordChecked(withExtraKey);
    expect(record).not.toHaveProperty('fromANewerBuild');
    expect(recordDifference(record, decodeRecord(bytes))).toBeNull();
    expect(recordDifference(record, aclRecord)).toBeNull();
  });

  it('a record built with an extra key leaves no trace in the pending or the committed (adopted) image', async () => {
    const { c } = await activeController('round-trip');
    expect(await c.runOp('acl', () => ({ records: [withExtraKey], response: 'ok' }))).toBe('ok');
    const stored = [...c.image.acls()];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toHaveProperty('fromANewerBuild');
    expect(recordDifference({ type: 'AccessControlEntry', ...stored[0] }, aclRecord)).toBeNull();
  });
});
