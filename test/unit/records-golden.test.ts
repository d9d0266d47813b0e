// Golden bytes (DESIGN §6): the committed fixtures in test/fixtures/records are the wire format.
// Every fixture decodes to its record; every record re-encodes to the same bytes when the version
// it is written at is the fixture's (the current version, or the older one a schema picks for a
// record that uses nothing newer: an OffsetCommit without an expire timestamp is still v0);
// every version a schema claims to read has a fixture. Changing an encoder so that its bytes move
// fails here: bump the record's version instead (and keep reading the old one).
//
// REGEN_FIXTURES=1 adds fixtures for samples not yet in the files (see test/support/gen-record-fixtures.ts).

import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import type { MetadataRecordType } from '../../metadata-log/records/types.js';
import { allRecordSchemas, decodeRecord, encodeRecord, RecordDecodeError, recordWriteVersion, schemaOf } from '../../metadata-log/records/index.js';
import { readRecordFixtures, writeRecordFixtures, type RecordFixture } from '../support/gen-record-fixtures.js';

if (process.env.REGEN_FIXTURES === '1') {
  const added = writeRecordFixtures();
  console.log(added.length === 0 ? 'record fixtures: nothing to add' : `record fixtures added:\n  ${added.join('\n  ')}`);
}

const types = allRecordSchemas.map((s) => s.name);
const fixtures: [MetadataRecordType, RecordFixture][] = types.flatMap((type) => readRecordFixtures(type).map((f): [MetadataRecordType, RecordFixture] => [type, f]));
const bytesOf = (f: RecordFixture): Uint8Array => Buffer.from(f.hex, 'hex');
/** The envelope's header as written in the fixture bytes, read without the codec under test. */
const headerOf = (f: RecordFixture): unknown[] => (new Packr({ useRecords: false }).unpack(bytesOf(f)) as unknown[]).slice(0, 3);

describe('record golden bytes', () => {
  it.each(types)('%s: a fixture for every readable version, names unique', (type) => {
    const schema = schemaOf(type);
    const mine = readRecordFixtures(type);
    for (let v = schema.oldestReadableVersion; v <= schema.version; v++) {
      expect(mine.filter((f) => f.version === v).length, `${type} has no fixture for version ${v}`).toBeGreaterThan(0);
    }
    expect(new Set(mine.map((f) => f.name)).size).toBe(mine.length);
  });

  it.each(fixtures.map(([type, f]) => [type, f.name, f] as const))('%s %s: bytes decode to the record', (type, _name, f) => {
    const schema = schemaOf(type);
    // The fixture really is what it says: its own header carries this type id and version.
    expect(headerOf(f)).toEqual([0, schema.typeId, f.version]);
    if (f.version < schema.oldestReadableVersion) {
      // A retired layout stays in the fixtures as proof that it is refused cleanly.
      expect(() => decodeRecord(bytesOf(f))).toThrow(RecordDecodeError);
      return;
    }
    expect(decodeRecord(bytesOf(f))).toStrictEqual(f.record);
  });

  it.each(fixtures.filter(([type, f]) => f.version >= schemaOf(type).oldestReadableVersion && f.version === recordWriteVersion(f.record)).map(([type, f]) => [type, f.name, f] as const))(
    '%s %s: the version it is written at re-encodes byte for byte',
    (_type, _name, f) => {
      expect(Buffer.from(encodeRecord(f.record)).toString('hex')).toBe(f.hex);
    },
  );

  it('old versions decode with their upgrade defaults (RegisterBroker v0, Partition v0)', () => {
    const broker = readRecordFixtures('RegisterBroker').find((f) => f.version === 0);
    const partition = readRecordFixtures('Partition').find((f) => f.version === 0);
    expect(broker).toBeDefined();
    expect(partition).toBeDefined();
    expect(decodeRecord(bytesOf(broker!))).toMatchObject({ type: 'RegisterBroker', inControlledShutdown: false });
    expect(decodeRecord(bytesOf(partition!))).toMatchObject({ type: 'Partition', leaderRecoveryState: 0 });
    // An upgraded old record is written back at the current version, not the old one.
    expect(headerOf({ ...broker!, hex: Buffer.from(encodeRecord(decodeRecord(bytesOf(broker!)))).toString('hex') })).toEqual([0, 0, schemaOf('RegisterBroker').version]);
  });

  it('OffsetCommit: written at v0 without an expire timestamp (every log that never used retention_time_ms stays readable by a v0-only release), at v1 with one; v0 reads as none', () => {
    const offsets = readRecordFixtures('OffsetCommit');
    const v0 = offsets.filter((f) => f.version === 0);
    const v1 = offsets.filter((f) => f.version === 1);
    expect(v0.length).toBeGreaterThan(0);
    expect(v1.length).toBeGreaterThan(0);
    for (const f of v0) {
      expect(decodeRecord(bytesOf(f))).not.toHaveProperty('expireTimestampMs');
      expect(headerOf({ ...f, hex: Buffer.from(encodeRecord(decodeRecord(bytesOf(f)))).toString('hex') })).toEqual([0, 100, 0]);
    }
    for (const f of v1) expect(decodeRecord(bytesOf(f))).toHaveProperty('expireTimestampMs', (f.record as { expireTimestampMs: number }).expireTimestampMs);
  });
});
