// The record codec: every record type round trips (random records of every type, bytes canonical),
// old versions upgrade, and every kind of bad input is a RecordDecodeError naming what is wrong,
// never a wrong record and never another exception: a bad field of each kind in each type, unknown
// type ids, future versions, truncated bytes (also inside a larger buffer), trailing bytes,
// non-arrays, random and mutated bytes. The write side refuses what the read side would refuse.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import type { MetadataRecord, MetadataRecordType, RecordOf } from '../../metadata-log/records/types.js';
import {
  allRecordSchemas,
  decodeRecord,
  EMPTY_IDS,
  encodeRecord,
  KAFKA_RESERVED_TYPE_IDS,
  RecordDecodeError,
  recordSchemas,
  recordTypeName,
  recordWriteVersion,
  schemaOf,
  uuidFromBytes,
  ZERO_UUID,
} from '../../metadata-log/records/index.js';
import { RECORD_SAMPLES } from '../support/gen-record-fixtures.js';
import { ACL_OPERATION_CODES, ACL_RESOURCE_TYPE_CODES } from '../../metadata-log/records/acl-codes.js';

const packr = new Packr({ useRecords: false });
const envelope = (typeId: unknown, version: unknown, payload: unknown): Uint8Array => packr.pack([0, typeId, version, payload]);

function decodeError(bytes: Uint8Array): RecordDecodeError {
  try {
    decodeRecord(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(RecordDecodeError);
    return e as RecordDecodeError;
  }
  throw new Error('decodeRecord accepted bad bytes');
}

// ---- arbitraries: one per record type ----

/** fc.record with plain objects: fast-check v4 makes null-prototype ones, which toStrictEqual tells apart. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, constraints: { requiredKeys?: (keyof T)[] } = {}): fc.Arbitrary<T> {
  return fc.record(model, { ...constraints, noNullPrototype: true }) as fc.Arbitrary<T>;
}

const INT32_MAX = 2 ** 31 - 1;
const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(uuidFromBytes);
const topicId = uuid.filter((u) => u !== ZERO_UUID);
const int32Id = fc.integer({ min: 0, max: INT32_MAX });
const leader = fc.integer({ min: -1, max: INT32_MAX });
const int64 = fc.maxSafeNat();
const ids = fc.array(int32Id, { maxLength: 6 });
// Full Unicode (surrogate pairs included, never lone surrogates: those cannot survive UTF-8).
const text = fc.string({ unit: 'binary', maxLength: 24 });
const nullableText = fc.option(text, { nil: null });
const recoveryState = fc.constantFrom(0 as const, 1 as const);

const endpoint = rec({ name: text, host: text, port: fc.integer({ min: 0, max: 65535 }), securityProtocol: fc.constantFrom('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL') });
const featureRange = fc
  .tuple(text, fc.integer({ min: 0, max: 32767 }), fc.integer({ min: 0, max: 32767 }))
  .map(([name, a, b]) => ({ name, minVersion: Math.min(a, b), maxVersion: Math.max(a, b) }));

const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const groupMember = rec({
  memberId: text.filter((t) => t !== ''),
  groupInstanceId: nullableText,
  clientId: text,
  clientHost: text,
  rebalanceTimeoutMs: fc.integer({ min: 0, max: INT32_MAX }),
  sessionTimeoutMs: fc.integer({ min: 0, max: INT32_MAX }),
  subscription: bytes,
  assignment: bytes,
});
const groupMetadata = fc
  .tuple(
    text.filter((t) => t !== ''),
    text,
    fc.integer({ min: 1, max: INT32_MAX }),
    text,
    fc.maxSafeNat(),
    fc.uniqueArray(groupMember, { minLength: 1, maxLength: 4, selector: (m) => m.memberId }),
    fc.nat(),
  )
  // Instance ids are unique too: a repeated one becomes null.
  .map(([groupId, protocolType, generationId, protocolName, stateTimestampMs, members, leader]) => {
    const seen = new Set<string>();
    const unique = members.map((m) => {
      if (m.groupInstanceId === null || !seen.has(m.groupInstanceId)) {
        if (m.groupInstanceId !== null) seen.add(m.groupInstanceId);
        return m;
      }
      return { ...m, groupInstanceId: null };
    });
    const leaderId = unique[leader % unique.length]!.memberId;
    return { type: 'GroupMetadata' as const, groupId, protocolType, generationId, protocolName, leaderId, stateTimestampMs, members: unique };
  });

const arbitraries: { [K in MetadataRecordType]: fc.Arbitrary<RecordOf<K>> } = {
  RegisterBroker: rec({
    type: fc.constant('RegisterBroker'),
    brokerId: int32Id,
    incarnationId: uuid,
    brokerEpoch: int64,
    endpoints: fc.array(endpoint, { maxLength: 3 }),
    rack: nullableText,
    fenced: fc.boolean(),
    inControlledShutdown: fc.boolean(),
    features: fc.array(featureRange, { maxLength: 3 }),
  }),
  UnregisterBroker: rec({ type: fc.constant('UnregisterBroker'), brokerId: int32Id, brokerEpoch: int64 }),
  BrokerRegistrationChange: rec(
    { type: fc.constant('BrokerRegistrationChange'), brokerId: int32Id, brokerEpoch: int64, fenced: fc.boolean(), inControlledShutdown: fc.boolean() },
    { requiredKeys: ['type', 'brokerId', 'brokerEpoch'] },
  ),
  Topic: rec({ type: fc.constant('Topic'), name: text, topicId }),
  Partition: rec({
    type: fc.constant('Partition'),
    topicId,
    partitionId: int32Id,
    replicas: ids,
    isr: ids,
    removingReplicas: ids,
    addingReplicas: ids,
    leader,
    leaderRecoveryState: recoveryState,
    leaderEpoch: int32Id,
    partitionEpoch: int32Id,
  }),
  PartitionChange: rec(
    { type: fc.constant('PartitionChange'), topicId, partitionId: int32Id, isr: ids, leader, replicas: ids, removingReplicas: ids, addingReplicas: ids, leaderRecoveryState: recoveryState },
    { requiredKeys: ['type', 'topicId', 'partitionId'] },
  ),
  RemoveTopic: rec({ type: fc.constant('RemoveTopic'), topicId }),
  Config: rec({ type: fc.constant('Config'), resourceType: fc.constantFrom('topic' as const, 'broker' as const), resourceName: text, name: text, value: nullableText }),
  FeatureLevel: rec({ type: fc.constant('FeatureLevel'), name: text, featureLevel: fc.integer({ min: 0, max: 32767 }) }),
  ProducerIds: rec({ type: fc.constant('ProducerIds'), brokerId: int32Id, brokerEpoch: int64, nextProducerId: int64 }),
  OffsetCommit: rec({
    type: fc.constant('OffsetCommit'),
    groupId: text,
    topic: text,
    partition: int32Id,
    offset: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    leaderEpoch: fc.integer({ min: -1, max: INT32_MAX }),
    metadata: nullableText,
    commitTimestampMs: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
    expireTimestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  }, { requiredKeys: ['type', 'groupId', 'topic', 'partition', 'offset', 'leaderEpoch', 'metadata', 'commitTimestampMs'] }),
  OffsetCommitTombstone: rec({ type: fc.constant('OffsetCommitTombstone'), groupId: text, topic: text, partition: int32Id }),
  GroupMetadata: groupMetadata,
  GroupMetadataTombstone: rec({ type: fc.constant('GroupMetadataTombstone'), groupId: text }),
  NoOp: fc.constant({ type: 'NoOp' }),
  ZkMigrationState: rec({ type: fc.constant('ZkMigrationState'), state: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const) }),
  AccessControlEntry: rec({
    type: fc.constant('AccessControlEntry'),
    id: uuid,
    resourceType: fc.constantFrom(...(Object.keys(ACL_RESOURCE_TYPE_CODES) as (keyof typeof ACL_RESOURCE_TYPE_CODES)[])),
    resourceName: text,
    patternType: fc.constantFrom('LITERAL' as const, 'PREFIXED' as const),
    principal: text,
    host: text,
    operation: fc.constantFrom(...(Object.keys(ACL_OPERATION_CODES) as (keyof typeof ACL_OPERATION_CODES)[])),
    permissionType: fc.constantFrom('ALLOW' as const, 'DENY' as const),
  }),
  RemoveAccessControlEntry: rec({ type: fc.constant('RemoveAccessControlEntry'), id: uuid }),
  ClientQuota: rec({
    type: fc.constant('ClientQuota'),
    // Canonical order (user, client-id, ip), each type at most once, as the decoder requires.
    entity: fc
      .subarray(['user', 'client-id', 'ip'] as const, { minLength: 1 })
      .chain((types) => fc.tuple(...types.map((t) => rec({ entityType: fc.constant(t), entityName: nullableText })))),
    key: text,
    // -0 is written as the integer 0 (the controller never writes -0: client-quotas.ts).
    value: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
    remove: fc.boolean(),
  }),
  UserScramCredential: rec({
    type: fc.constant('UserScramCredential'),
    name: text,
    mechanism: fc.constantFrom(1 as const, 2 as const),
    salt: bytes,
    storedKey: bytes,
    serverKey: bytes,
    iterations: fc.integer({ min: 1, max: INT32_MAX }),
  }),
  RemoveUserScramCredential: rec({ type: fc.constant('RemoveUserScramCredential'), name: text, mechanism: fc.constantFrom(1 as const, 2 as const) }),
  BeginTransaction: rec({ type: fc.constant('BeginTransaction'), name: nullableText }),
  EndTransaction: fc.constant({ type: 'EndTransaction' }),
  AbortTransaction: rec({ type: fc.constant('AbortTransaction'), reason: nullableText }),
};
const types = Object.keys(arbitraries) as MetadataRecordType[];
const anyRecord: fc.Arbitrary<MetadataRecord> = fc.oneof(...types.map((t) => arbitraries[t] as fc.Arbitrary<MetadataRecord>));

/** Each type's payload layout, by field name in wire order: pins the positional format. */
const FIELDS: { [K in MetadataRecordType]: readonly string[] } = {
  RegisterBroker: ['brokerId', 'incarnationId', 'brokerEpoch', 'endpoints', 'features', 'rack', 'fenced', 'inControlledShutdown'],
  UnregisterBroker: ['brokerId', 'brokerEpoch'],
  BrokerRegistrationChange: ['brokerId', 'brokerEpoch', 'fenced', 'inControlledShutdown'],
  Topic: ['name', 'topicId'],
  Partition: ['topicId', 'partitionId', 'replicas', 'isr', 'removingReplicas', 'addingReplicas', 'leader', 'leaderEpoch', 'partitionEpoch', 'leaderRecoveryState'],
  PartitionChange: ['topicId', 'partitionId', 'isr', 'leader', 'replicas', 'removingReplicas', 'addingReplicas', 'leaderRecoveryState'],
  RemoveTopic: ['topicId'],
  Config: ['resourceType', 'resourceName', 'name', 'value'],
  FeatureLevel: ['name', 'featureLevel'],
  ProducerIds: ['brokerId', 'brokerEpoch', 'nextProducerId'],
  OffsetCommit: ['groupId', 'topic', 'partition', 'offset', 'leaderEpoch', 'metadata', 'commitTimestampMs', 'expireTimestampMs'],
  OffsetCommitTombstone: ['groupId', 'topic', 'partition'],
  GroupMetadata: ['groupId', 'protocolType', 'generationId', 'protocolName', 'leaderId', 'stateTimestampMs', 'members'],
  GroupMetadataTombstone: ['groupId'],
  NoOp: [],
  ZkMigrationState: ['state'],
  AccessControlEntry: ['id', 'resourceType', 'resourceName', 'patternType', 'principal', 'host', 'operation', 'permissionType'],
  RemoveAccessControlEntry: ['id'],
  ClientQuota: ['entity', 'key', 'value', 'remove'],
  UserScramCredential: ['name', 'mechanism', 'salt', 'storedKey', 'serverKey', 'iterations'],
  RemoveUserScramCredential: ['name', 'mechanism'],
  BeginTransaction: ['name'],
  EndTransaction: [],
  AbortTransaction: ['reason'],
};

/** A valid current-version payload of a type (from its first golden sample written at that version), to break one field of. */
function payloadOf(type: MetadataRecordType): unknown[] {
  const sample = RECORD_SAMPLES[type].find((s) => s.old === undefined && recordWriteVersion(s.record) === schemaOf(type).version);
  if (sample === undefined) throw new Error(`no current-version sample for ${type}`);
  return (schemaOf(type).encode as (r: MetadataRecord) => unknown[])(sample.record);
}

function withField(type: MetadataRecordType, field: string, value: unknown): Uint8Array {
  const payload = payloadOf(type);
  const i = FIELDS[type].indexOf(field);
  expect(i, `${type} has no field ${field}`).toBeGreaterThanOrEqual(0);
  payload[i] = value;
  const schema = schemaOf(type);
  return envelope(schema.typeId, schema.version, payload);
}

// ---- round trips ----

describe('record codec: round trips', () => {
  it.each(types)('(%s) random records: decode(encode(r)) equals r and the bytes are canonical', (type) => {
    fc.assert(
      fc.property(arbitraries[type] as fc.Arbitrary<MetadataRecord>, (record) => {
        const bytes = encodeRecord(record);
        const decoded = decodeRecord(bytes);
        expect(decoded).toStrictEqual(record);
        expect(Buffer.from(encodeRecord(decoded)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('absent optional fields stay absent (no key), present ones keep their value, empty lists stay present', () => {
    const bare = decodeRecord(encodeRecord({ type: 'PartitionChange', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', partitionId: 1 }));
    expect(Object.keys(bare).sort()).toEqual(['partitionId', 'topicId', 'type']);
    const full = decodeRecord(encodeRecord({ type: 'PartitionChange', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', partitionId: 1, isr: [], leader: -1 }));
    expect(full).toStrictEqual({ type: 'PartitionChange', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', partitionId: 1, isr: [], leader: -1 });
    const noChange = decodeRecord(encodeRecord({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 2 }));
    expect('fenced' in noChange).toBe(false);
  });

  it('Config value null (delete) comes back as null, not absent', () => {
    const r = decodeRecord(encodeRecord({ type: 'Config', resourceType: 'topic', resourceName: 't', name: 'k', value: null }));
    expect(r).toHaveProperty('value', null);
  });

  it('empty replica lists decode to one shared frozen array', () => {
    const bytes = encodeRecord(RECORD_SAMPLES.Partition[0]!.record);
    const a = decodeRecord(bytes) as RecordOf<'Partition'>;
    const b = decodeRecord(bytes) as RecordOf<'Partition'>;
    expect(a.removingReplicas).toBe(EMPTY_IDS);
    expect(b.addingReplicas).toBe(EMPTY_IDS);
    expect(Object.isFrozen(EMPTY_IDS)).toBe(true);
  });

  it('(RegisterBroker, Partition) any record written as v0 reads back with the upgrade defaults', () => {
    fc.assert(
      fc.property(arbitraries.RegisterBroker, arbitraries.Partition, (broker, partition) => {
        const b0 = payloadOfRecord(broker).slice(0, 7);
        expect(decodeRecord(envelope(0, 0, b0))).toStrictEqual({ ...broker, inControlledShutdown: false });
        const p0 = payloadOfRecord(partition).slice(0, 9);
        expect(decodeRecord(envelope(3, 0, p0))).toStrictEqual({ ...partition, leaderRecoveryState: 0 });
      }),
      { numRuns: 100 },
    );
  });

  it('decodes a record that is a view into a larger buffer (as records sliced out of a batch are)', () => {
    const a = encodeRecord(RECORD_SAMPLES.Topic[0]!.record);
    const b = encodeRecord(RECORD_SAMPLES.RemoveTopic[0]!.record);
    const frame = Buffer.concat([Buffer.from([0xff, 0xff]), a, b, Buffer.from([0xc1])]);
    expect(decodeRecord(frame.subarray(2, 2 + a.length))).toStrictEqual(RECORD_SAMPLES.Topic[0]!.record);
    expect(decodeRecord(new Uint8Array(frame.buffer, frame.byteOffset + 2 + a.length, b.length))).toStrictEqual(RECORD_SAMPLES.RemoveTopic[0]!.record);
  });
});

function payloadOfRecord(r: MetadataRecord): unknown[] {
  return (schemaOf(r.type).encode as (r: MetadataRecord) => unknown[])(r);
}

// ---- the registry ----

describe('record codec: registry', () => {
  it('type ids are Kafka apiKeys where Kafka has the record, ours from 100, none reused or reserved', () => {
    const ids = Object.fromEntries(allRecordSchemas.map((s) => [s.name, s.typeId]));
    expect(ids).toEqual({
      RegisterBroker: 0, UnregisterBroker: 1, Topic: 2, Partition: 3, Config: 4, PartitionChange: 5, RemoveTopic: 9, FeatureLevel: 12,
      ProducerIds: 15, BrokerRegistrationChange: 17, AccessControlEntry: 18, RemoveAccessControlEntry: 19, NoOp: 20, ZkMigrationState: 21, BeginTransaction: 23, EndTransaction: 24,
      AbortTransaction: 25, ClientQuota: 14, UserScramCredential: 11, RemoveUserScramCredential: 22, OffsetCommit: 100, OffsetCommitTombstone: 101, GroupMetadata: 102, GroupMetadataTombstone: 103,
    });
    for (const s of allRecordSchemas) expect(KAFKA_RESERVED_TYPE_IDS).not.toContain(s.typeId);
  });

  it('names and ids map both ways', () => {
    for (const s of allRecordSchemas) {
      expect(recordTypeName(s.typeId)).toBe(s.name);
      expect(recordSchemas[s.name]).toBe(s);
    }
    expect(recordTypeName(7)).toBeUndefined();
    expect(recordTypeName(-1)).toBeUndefined();
    expect(recordTypeName(1.5)).toBeUndefined();
  });
});

// ---- bad input ----

describe('record codec: bad envelopes', () => {
  it('unknown type id: typeId set, says to upgrade', () => {
    for (const typeId of [7, 99, 104, 127, 128, 100_000]) {
      const e = decodeError(envelope(typeId, 0, []));
      expect(e.typeId).toBe(typeId);
      expect(e.version).toBe(0);
      expect(e.field).toBeNull();
      expect(e.message).toMatch(new RegExp(`unknown record type ${typeId}.*upgrade`));
    }
  });

  it('future version: names type, version and the readable range', () => {
    const e = decodeError(envelope(3, 7, payloadOf('Partition')));
    expect(e).toMatchObject({ typeId: 3, version: 7, field: null, code: 'RECORD_DECODE_ERROR', retriable: false });
    expect(e.message).toContain('unknown version 7 of record type 3 (Partition); this node reads versions 0..1 — upgrade it');
  });

  it.each([
    ['a string', 'x'],
    ['a negative number', -1],
    ['a fraction', 0.5],
    ['nil', null],
  ])('version that is %s is refused', (_what, version) => {
    const e = decodeError(envelope(2, version, payloadOf('Topic')));
    expect(e.typeId).toBe(2);
    expect(e.version).toBeNull();
    expect(e.reason).toMatch(/version is .*not a non-negative integer/);
  });

  it.each([
    ['a string type id', packr.pack([0, 'Topic', 0, []]), /type id is the string "Topic"/],
    ['frame version 1', packr.pack([1, 2, 0, ['t', 'AQIDBAUGBwgJCgsMDQ4PEA']]), /unknown frame version 1; this node reads frame version 0/],
    ['a map', packr.pack({ frameVersion: 0, typeId: 2 }), /envelope is .*not \[frameVersion, typeId, version, payload\]/],
    ['a bare number', packr.pack(5), /envelope is 5, not/],
    ['a string', packr.pack('hello'), /envelope is the string "hello", not/],
    ['a 3-element array', packr.pack([0, 2, 0]), /envelope is an array of 3/],
    ['a 5-element array', packr.pack([0, 2, 0, ['t', 'AQIDBAUGBwgJCgsMDQ4PEA'], 1]), /envelope is an array of 5/],
    ['no bytes', new Uint8Array(0), /no bytes/],
    ['the never-used byte 0xc1', Uint8Array.of(0xc1), /./],
  ])('%s is refused with a clear reason', (_what, bytes, reason) => {
    const e = decodeError(bytes);
    expect(e.typeId).toBeNull();
    expect(e.reason).toMatch(reason);
  });

  it('payload that is not an array, or has the wrong number of fields for its version', () => {
    expect(decodeError(envelope(2, 0, 'x')).reason).toMatch(/\(payload\).*not an array/);
    expect(decodeError(envelope(2, 0, ['t'])).reason).toMatch(/has 1 fields, this version has 2/);
    // A v1 Partition payload labelled v0 is one field too long: never silently truncated.
    expect(decodeError(envelope(3, 0, payloadOf('Partition'))).reason).toMatch(/has 10 fields, this version has 9/);
    expect(decodeError(envelope(0, 1, payloadOf('RegisterBroker').slice(0, 7))).reason).toMatch(/has 7 fields, this version has 8/);
  });

  it('extra trailing bytes after the record are refused', () => {
    for (const type of types) {
      const good = encodeRecord(RECORD_SAMPLES[type][0]!.record);
      const e = decodeError(Buffer.concat([good, Uint8Array.of(0xc0)]));
      expect(e.reason).toBe('extra bytes after the record');
    }
  });

  it('every truncation of every record is refused, standalone or as a view with more bytes after it', () => {
    fc.assert(
      fc.property(anyRecord, fc.nat(), (record, cut) => {
        const bytes = Buffer.from(encodeRecord(record));
        const n = cut % bytes.length; // 0..length-1: always short
        expect(decodeError(Uint8Array.from(bytes.subarray(0, n)))).toBeInstanceOf(RecordDecodeError);
        // A view whose parent holds the rest: msgpack must not read on past the view's end.
        expect(decodeError(bytes.subarray(0, n))).toBeInstanceOf(RecordDecodeError);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes are a RecordDecodeError or a valid record, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expectCleanOutcome(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('a record with one byte changed is a RecordDecodeError or a valid record that re-encodes', () => {
    fc.assert(
      fc.property(anyRecord, fc.nat(), fc.integer({ min: 1, max: 255 }), (record, at, xor) => {
        const bytes = Uint8Array.from(encodeRecord(record));
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ xor;
        expectCleanOutcome(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

/** Either refused with a RecordDecodeError, or accepted as a record the write side accepts too. */
function expectCleanOutcome(bytes: Uint8Array): void {
  let record: MetadataRecord;
  try {
    record = decodeRecord(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(RecordDecodeError);
    return;
  }
  expect(decodeRecord(encodeRecord(record))).toStrictEqual(record);
}

describe('record codec: bad fields', () => {
  // A value of the wrong kind for every field of every type: each must be refused, naming the field.
  const wrongKinds: [string, unknown][] = [
    ['a map', { x: 1 }],
    ['a fraction', 0.5],
    ['bytes', Uint8Array.of(1, 2)],
    ['a 64-bit integer', 2n ** 60n],
  ];
  // Kinds a field may hold: a quota is a float64 (Kafka's ClientQuotaRecord.value), so a fraction is one.
  // A SCRAM credential's salt and keys are bytes.
  const validKinds = new Set(['ClientQuota.value.a fraction', 'UserScramCredential.salt.bytes', 'UserScramCredential.storedKey.bytes', 'UserScramCredential.serverKey.bytes']);
  const cases = types.flatMap((type) =>
    FIELDS[type].flatMap((field) => wrongKinds.filter(([what]) => !validKinds.has(`${type}.${field}.${what}`)).map(([what, value]) => [type, field, what, value] as const)),
  );
  it.each(cases)('(%s) field %s as %s is refused, naming the field', (type, field, _what, value) => {
    const e = decodeError(withField(type, field, value));
    expect(e.typeId).toBe(schemaOf(type).typeId);
    expect(e.version).toBe(schemaOf(type).version);
    expect(e.field).toBe(field);
    expect(e.message).toContain(`field ${field}`);
    expect(e.message).toContain(`(${type})`);
  });

  it.each([
    // [type, field, bad value, what the reason says]
    ['RegisterBroker', 'brokerId', -1, /-1, not an integer in 0\.\.2147483647/],
    ['RegisterBroker', 'brokerId', 2 ** 31, /2147483648, not an integer/],
    ['RegisterBroker', 'brokerId', '1', /the string "1", not an integer/],
    ['RegisterBroker', 'incarnationId', 'not-a-uuid', /not a uuid/],
    ['RegisterBroker', 'incarnationId', 'AAAAAAAAAAAAAAAAAAAAAB', /not a uuid/], // stray bits in the last char
    ['RegisterBroker', 'incarnationId', 'AAAAAAAAAAAAAAAAAAAA+A', /not a uuid/], // '+' is not url-safe
    ['RegisterBroker', 'brokerEpoch', -1, /not an integer in 0\.\./],
    ['RegisterBroker', 'brokerEpoch', 2 ** 53, /not an integer in 0\.\./],
    ['RegisterBroker', 'rack', 5, /not a string/],
    ['RegisterBroker', 'fenced', 1, /1, not a boolean/],
    ['RegisterBroker', 'fenced', null, /null, not a boolean/],
    ['RegisterBroker', 'inControlledShutdown', 'yes', /not a boolean/],
    ['RegisterBroker', 'endpoints', 'PLAINTEXT://h:1', /not an array/],
    ['RegisterBroker', 'features', {}, /not an array/],
    ['UnregisterBroker', 'brokerEpoch', null, /null, not an integer/],
    ['BrokerRegistrationChange', 'fenced', 1, /1, not a boolean/], // Kafka's int8 encoding is not ours
    ['BrokerRegistrationChange', 'inControlledShutdown', 0, /0, not a boolean/],
    ['Topic', 'name', null, /null, not a string/],
    ['Topic', 'topicId', 'AAAAAAAAAAAAAAAAAAAAAA', /zero uuid/],
    ['Topic', 'topicId', 'AQIDBAUGBwgJCgsMDQ4PEAA', /not a uuid/], // 23 chars
    ['Partition', 'partitionId', -1, /not an integer in 0\.\./],
    ['Partition', 'replicas', [1, -1], /element 1 is -1/],
    ['Partition', 'replicas', [1, '2'], /element 1 is the string "2"/],
    ['Partition', 'isr', [2 ** 31], /element 0 is 2147483648/],
    ['Partition', 'isr', null, /null, not an array of ids/],
    ['Partition', 'removingReplicas', [0.5], /element 0 is 0\.5/],
    ['Partition', 'addingReplicas', [null], /element 0 is null/],
    ['Partition', 'leader', -2, /-2, not an integer in -1\.\./],
    ['Partition', 'leaderRecoveryState', 2, /2, not an integer in 0\.\.1/],
    ['Partition', 'leaderRecoveryState', -1, /not an integer in 0\.\.1/],
    ['Partition', 'leaderEpoch', -1, /not an integer in 0\.\.2147483647/],
    ['Partition', 'partitionEpoch', 2 ** 31, /not an integer in 0\.\.2147483647/],
    ['PartitionChange', 'leader', -2, /-2, not an integer in -1\.\./], // Kafka's "unchanged" is nil here
    ['PartitionChange', 'leaderRecoveryState', -1, /not an integer in 0\.\.1/],
    ['PartitionChange', 'isr', [3, -3], /element 1 is -3/],
    ['RemoveTopic', 'topicId', '', /not a uuid/],
    ['Config', 'resourceType', 3, /3, not 2 \(topic\) or 4 \(broker\)/],
    ['Config', 'resourceType', 'topic', /not 2 \(topic\) or 4 \(broker\)/],
    ['Config', 'value', 7, /not a string/],
    ['Config', 'resourceName', null, /null, not a string/],
    ['FeatureLevel', 'featureLevel', 32768, /not an integer in 0\.\.32767/],
    ['FeatureLevel', 'featureLevel', -1, /not an integer in 0\.\.32767/],
    ['ProducerIds', 'nextProducerId', -1, /not an integer in 0\.\./],
    ['OffsetCommit', 'offset', 0.5, /not an integer/],
    ['OffsetCommit', 'offset', Number.MIN_SAFE_INTEGER - 2, /not an integer in -9007199254740991\.\./],
    ['OffsetCommit', 'leaderEpoch', -2, /not an integer in -1\.\.2147483647/],
    ['OffsetCommit', 'commitTimestampMs', 1.5, /not an integer/],
    ['OffsetCommit', 'metadata', false, /not a string/],
    ['OffsetCommit', 'expireTimestampMs', -1, /not an integer in 0\.\./], // "none" is v0, not -1
    ['OffsetCommit', 'expireTimestampMs', null, /not an integer/],
    ['OffsetCommit', 'expireTimestampMs', 2 ** 53, /not an integer in 0\.\./],
    ['OffsetCommitTombstone', 'partition', -1, /not an integer in 0\.\./],
    ['GroupMetadata', 'groupId', '', /is empty/],
    ['GroupMetadata', 'generationId', 0, /not an integer in 1\.\.2147483647/],
    ['GroupMetadata', 'leaderId', 'nobody', /"nobody" is not one of the members/],
    ['GroupMetadata', 'members', [], /is empty/],
    ['GroupMetadata', 'members', {}, /not an array/],
    ['GroupMetadata', 'stateTimestampMs', -1, /not an integer in 0\.\./],
    ['GroupMetadataTombstone', 'groupId', 3, /not a string/],
    ['ZkMigrationState', 'state', 4, /4, not an integer in 0\.\.3/],
    ['ZkMigrationState', 'state', -1, /not an integer in 0\.\.3/],
    ['BeginTransaction', 'name', 1, /not a string/],
    ['AbortTransaction', 'reason', [], /not a string/],
  ] as const)('(%s) %s = %j is refused', (type, field, value, reason) => {
    const e = decodeError(withField(type, field, value));
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
  });

  const member = (id: string, instance: string | null = null) => [id, instance, 'c', '/127.0.0.1', 300000, 10000, Buffer.from([1]), Buffer.from([2])];
  it.each([
    ['a 7-field member', [member('m1').slice(0, 7)], 'members[0]', /not \[memberId, groupInstanceId, clientId/],
    ['an empty member id', [member('')], 'members[0].memberId', /is empty/],
    ['a member id twice', [member('m1'), member('m1')], 'members[1].memberId', /"m1" appears twice/],
    ['an instance id twice', [member('m1', 'i'), member('m2', 'i')], 'members[1].groupInstanceId', /"i" appears twice/],
    ['a string subscription', [[...member('m1').slice(0, 6), 'x', Buffer.from([])]], 'members[0].subscription', /not bytes/],
    ['a negative session timeout', [[...member('m1').slice(0, 5), -1, Buffer.from([]), Buffer.from([])]], 'members[0].sessionTimeoutMs', /not an integer in 0\.\./],
  ])('(GroupMetadata) members with %s are refused, naming the element', (_what, value, field, reason) => {
    const e = decodeError(withField('GroupMetadata', 'members', value));
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
  });

  it('(GroupMetadata) subscriptions and assignments are decoded as copies, not views into the frame', () => {
    const bytes = encodeRecord(RECORD_SAMPLES.GroupMetadata[0]!.record);
    const frame = Buffer.concat([Buffer.from([0xff]), bytes]);
    const decoded = decodeRecord(frame.subarray(1)) as RecordOf<'GroupMetadata'>;
    const assignment = decoded.members[0]!.assignment;
    frame.fill(0);
    expect(Buffer.from(assignment)).toEqual(Buffer.from(RECORD_SAMPLES.GroupMetadata[0]!.record.members[0]!.assignment));
  });

  it('(GroupMetadata) each decoded subscription and assignment owns its memory, not a slice of a shared pool slab', () => {
    // Buffer.from(a Uint8Array) copies a small one into Node's 8 KiB allocation pool: the image would
    // keep the whole slab (and whatever else was cut from it) alive for each record it holds.
    const decoded = decodeRecord(encodeRecord(RECORD_SAMPLES.GroupMetadata[0]!.record)) as RecordOf<'GroupMetadata'>;
    for (const m of decoded.members) {
      for (const b of [m.subscription, m.assignment]) expect([b.byteOffset, b.buffer.byteLength]).toEqual([0, b.byteLength]);
    }
  });

  it.each([
    ['a non-array endpoint', ['x'], 'endpoints[0]', /not \[name, host, port, securityProtocol\]/],
    ['a 3-field endpoint', [['n', 'h', 1]], 'endpoints[0]', /not \[name, host, port, securityProtocol\]/],
    ['a port above 65535', [['n', 'h', 1, 'PLAINTEXT'], ['n', 'h', 65536, 'SSL']], 'endpoints[1].port', /65536, not an integer in 0\.\.65535/],
    ['a negative port', [['n', 'h', -1, 'PLAINTEXT']], 'endpoints[0].port', /not an integer in 0\.\.65535/],
    ['a numeric host', [['n', 7, 1, 'PLAINTEXT']], 'endpoints[0].host', /7, not a string/],
    ['a null security protocol', [['n', 'h', 1, null]], 'endpoints[0].securityProtocol', /null, not a string/],
  ])('(RegisterBroker) endpoints with %s are refused, naming the element', (_what, value, field, reason) => {
    const e = decodeError(withField('RegisterBroker', 'endpoints', value));
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
  });

  it.each([
    ['a 2-field feature', [['f', 1]], 'features[0]', /not \[name, minVersion, maxVersion\]/],
    ['min above max', [['f', 3, 2]], 'features[0].maxVersion', /2 is below minVersion 3/],
    ['an int16 overflow', [['f', 0, 40000]], 'features[0].maxVersion', /not an integer in 0\.\.32767/],
    ['a numeric name', [[1, 0, 1]], 'features[0].name', /not a string/],
  ])('(RegisterBroker) features with %s are refused, naming the element', (_what, value, field, reason) => {
    const e = decodeError(withField('RegisterBroker', 'features', value));
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
  });

  it('msgpack undefined (an extension) is not nil: an optional field holding it is refused', () => {
    const payload = payloadOf('BrokerRegistrationChange');
    payload[3] = undefined;
    // Packr writes undefined as its own extension type, not nil.
    const e = decodeError(envelope(17, 0, payload));
    expect(e.field).toBe('inControlledShutdown');
  });
});

describe('record codec: the write side refuses what the read side would', () => {
  const base = RECORD_SAMPLES.Partition[0]!.record;
  it.each([
    ['leader -2', { ...base, leader: -2 }, /field leader/],
    ['a fractional epoch', { ...base, leaderEpoch: 1.5 }, /field leaderEpoch/],
    ['a zero topic id', { ...base, topicId: ZERO_UUID }, /field topicId: is the zero uuid/],
    ['a replica id that is a string', { ...base, replicas: [1, '2'] }, /field replicas: element 1/],
  ] as [string, unknown, RegExp][])('Partition with %s: encodeRecord throws an assertion naming the field', (_what, record, message) => {
    expect(() => encodeRecord(record as MetadataRecord)).toThrow(message);
  });

  it('a lone surrogate in a string is refused (UTF-8 would change it)', () => {
    expect(() => encodeRecord({ type: 'Topic', name: 'bad\ud800', topicId: 'AQIDBAUGBwgJCgsMDQ4PEA' })).toThrow(/field name: holds a lone UTF-16 surrogate/);
  });

  it('an unknown record type is refused (including names on Object.prototype)', () => {
    expect(() => encodeRecord({ type: 'Bogus' } as unknown as MetadataRecord)).toThrow(/unknown record type/);
    expect(() => encodeRecord({ type: 'toString' } as unknown as MetadataRecord)).toThrow(/unknown record type/);
  });

  it('a missing required field is refused', () => {
    expect(() => encodeRecord({ type: 'Topic', name: 'x' } as unknown as MetadataRecord)).toThrow(/field topicId/);
  });
});
