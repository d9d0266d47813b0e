// Flexible versions (KIP-482) byte for byte: UNSIGNED_VARINT, the compact types (length + 1, null
// = 0), tagged-field sections (unknown tags skipped by their size), request header v2 and response
// header v1 (ApiVersions' answer keeps header v0). Malformed input is a KafkaProtocolError with its
// code, never a RangeError or an allocation the frame cannot back: a truncated or overlong varint,
// a compact length beyond the frame, a tagged-field count or size beyond it. And kafkajs 2.2.4's
// own encoders and decoders for AlterPartitionReassignments and ListPartitionReassignments v0
// against our codec (what a real client sends decodes; what we answer decodes in it).

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeKafkaRequest,
  encodeKafkaResponse,
  KafkaProtocolError,
  KafkaReader,
  KafkaWriter,
  REQUEST_ITEMS_MAX,
} from '../../broker/kafka/protocol/index.js';
import { AssertionError } from '../../quorum/raft/assert.js';
import { hex, protocolError, written } from '../support/kafka-bytes.js';


describe('flexible primitives: layouts', () => {
  it('UNSIGNED_VARINT: 7 bits a byte, low group first, high bit = more; 1 to 5 bytes', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16384, '808001'],
      [2 ** 31, '8080808008'],
      [0xffff_ffff, 'ffffffff0f'],
    ];
    for (const [v, bytes] of cases) {
      expect(written((w) => w.uvarint(v)), String(v)).toBe(bytes);
      const r = new KafkaReader(hex(bytes));
      expect(r.uvarint()).toBe(v);
      r.expectEnd('varint');
    }
    // Not minimal but legal: Kafka reads 0x80 0x00 as 0.
    expect(new KafkaReader(hex('8000')).uvarint()).toBe(0);
  });

  it('COMPACT_STRING / COMPACT_NULLABLE_STRING: varint length + 1, then UTF-8; null is 0', () => {
    expect(written((w) => w.compactString('probe'))).toBe('0670726f6265');
    expect(written((w) => w.compactString(''))).toBe('01');
    expect(written((w) => w.compactNullableString(null))).toBe('00');
    expect(written((w) => w.compactString('é'))).toBe('03c3a9');
    expect(written((w) => w.compactString('x'.repeat(200)))).toBe('c901' + '78'.repeat(200));
    const r = new KafkaReader(hex('0670726f6265 00 01 03c3a9'));
    expect([r.compactString(), r.compactNullableString(), r.compactNullableString(), r.compactString()]).toEqual(['probe', null, '', 'é']);
    r.expectEnd('strings');
  });

  it('COMPACT_BYTES and COMPACT_ARRAY: varint length + 1; null is 0', () => {
    expect(written((w) => w.compactBytes(Buffer.from([1, 2])).compactNullableBytes(null).compactBytes(new Uint8Array(0)))).toBe('030102' + '00' + '01');
    const rb = new KafkaReader(hex('030102 00 01'));
    expect([...rb.compactBytes()]).toEqual([1, 2]);
    expect(rb.compactNullableBytes()).toBeNull();
    expect(rb.compactBytes().length).toBe(0);

    expect(written((w) => w.compactInt32Array([1, -1]).compactNullableArray(null, () => {}).compactArray([], () => {}))).toBe('03 00000001 ffffffff 00 01'.replace(/ /g, ''));
    const ra = new KafkaReader(hex('03 00000001 ffffffff 00 01'));
    expect(ra.compactInt32Array()).toEqual([1, -1]);
    expect(ra.compactNullableArray((x) => x.int8())).toBeNull();
    expect(ra.compactArray((x) => x.int8())).toEqual([]);
    ra.expectEnd('arrays');
  });

  it('a tagged-field section we write is empty (0); one we read has its fields skipped by size, whatever their tags', () => {
    expect(written((w) => w.taggedFields())).toBe('00');
    // 2 fields: tag 0 with 3 bytes, tag 200 (2-byte varint) with 0 bytes; then an INT8 that must still be read right.
    const r = new KafkaReader(hex('02 00 03 aabbcc c801 00 2a'));
    expect(r.taggedFields()).toBe(2);
    expect(r.int8()).toBe(42);
    r.expectEnd('tags');
  });

  it('the writer refuses values the types cannot hold (programmer error)', () => {
    expect(() => written((w) => w.uvarint(-1))).toThrow(AssertionError);
    expect(() => written((w) => w.uvarint(2 ** 32))).toThrow(AssertionError);
    expect(() => written((w) => w.uvarint(1.5))).toThrow(AssertionError);
    expect(() => written((w) => w.compactString('x'.repeat(32768)))).toThrow(AssertionError);
  });

  it('grows its buffer across many varints (each written where the buffer now is)', () => {
    const w = new KafkaWriter(16);
    for (let i = 0; i < 1000; i++) w.uvarint(0xffff_ffff);
    const r = new KafkaReader(w.toBuffer());
    for (let i = 0; i < 1000; i++) expect(r.uvarint()).toBe(0xffff_ffff);
    r.expectEnd('varints');
  });
});

describe('flexible primitives: malformed input', () => {
  it('a truncated varint is TRUNCATED; one of more than 5 bytes or over 32 bits is BAD_VARINT', () => {
    expect(protocolError(() => new KafkaReader(hex('')).uvarint()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('80')).uvarint()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('ffffffff')).uvarint()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('8080808080 00')).uvarint()).code).toBe('BAD_VARINT'); // 6 bytes
    expect(protocolError(() => new KafkaReader(hex('ffffffff10')).uvarint()).code).toBe('BAD_VARINT'); // 2^32
    expect(protocolError(() => new KafkaReader(hex('ffffffffff ffffffff')).uvarint()).code).toBe('BAD_VARINT');
  });

  it('a compact length beyond the frame is TRUNCATED (strings, bytes) or COUNT_TOO_LARGE (arrays, before any allocation)', () => {
    expect(protocolError(() => new KafkaReader(hex('0a 6162')).compactString()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('ffffffff0f 00')).compactBytes()).code).toBe('TRUNCATED');
    // 2^32-2 INT32 items claimed by 5 bytes: refused from the count alone.
    let calls = 0;
    const e = protocolError(() => new KafkaReader(hex('ffffffff0f 00000001')).compactArray((r) => (calls++, r.int32()), 4));
    expect([e.code, calls]).toEqual(['COUNT_TOO_LARGE', 0]);
  });

  it('a compact string longer than a STRING may be is STRING_TOO_LONG, from its length alone', () => {
    const frame = Buffer.concat([hex('818002'), Buffer.alloc(32768, 0x61)]); // 32769 = 32768 bytes + 1
    expect(protocolError(() => new KafkaReader(frame).compactString()).code).toBe('STRING_TOO_LONG');
    expect(new KafkaReader(Buffer.concat([hex('808002'), Buffer.alloc(32767, 0x61)])).compactString()).toHaveLength(32767);
  });

  it('null where a value is required is NEGATIVE_LENGTH, as for the classic types', () => {
    expect(protocolError(() => new KafkaReader(hex('00')).compactString()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('00')).compactBytes()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('00')).compactArray((r) => r.int8())).code).toBe('NEGATIVE_LENGTH');
  });

  it('a tagged-field count the frame cannot hold is COUNT_TOO_LARGE; a field size beyond it TRUNCATED; an overlong tag BAD_VARINT', () => {
    expect(protocolError(() => new KafkaReader(hex('ffffffff0f 0000')).taggedFields()).code).toBe('COUNT_TOO_LARGE');
    expect(protocolError(() => new KafkaReader(hex('03 00 00 01 00')).taggedFields()).code).toBe('COUNT_TOO_LARGE');
    expect(protocolError(() => new KafkaReader(hex('01 00 10 aabb')).taggedFields()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('01 ffffffffff 00')).taggedFields()).code).toBe('BAD_VARINT');
  });

  it('compact arrays count against the request-wide item budget like classic ones', () => {
    const count = REQUEST_ITEMS_MAX; // empty compact strings: 1 byte each
    const w = new KafkaWriter();
    w.uvarint(count + 1);
    const frame = Buffer.concat([w.toBuffer(), Buffer.alloc(count, 0x01)]);
    const r = new KafkaReader(frame);
    expect(r.compactArray((x) => x.compactString(), 1)).toHaveLength(count);
    expect(protocolError(() => new KafkaReader(Buffer.concat([hex('02'), frame])).compactArray((x) => x.compactArray((y) => y.compactString(), 1), 1)).code).toBe('TOO_MANY_ITEMS');
  });
});

describe('flexible headers', () => {
  // ListPartitionReassignments v0, correlation id 7, client id "c", then header tags, then the body.
  const body = '00007530 00 00'; // timeout 30000, topics null, no tags

  it('request header v2: the v1 fields, then tagged fields (skipped, whatever they hold), then the body', () => {
    const decoded = decodeKafkaRequest(hex(`002e 0000 00000007 0001 63  00 ${body}`));
    expect(decoded).toMatchObject({ kind: 'request', api: 'ListPartitionReassignments', header: { apiKey: 46, apiVersion: 0, correlationId: 7, clientId: 'c' }, request: { timeoutMs: 30000, topics: null } });
    const withTag = decodeKafkaRequest(hex(`002e 0000 00000007 0001 63  01 05 02 aaaa ${body}`));
    expect(withTag).toMatchObject({ kind: 'request', request: { timeoutMs: 30000, topics: null } });
    // Without its header tags the body is off by one byte: refused, not misread.
    expect(() => decodeKafkaRequest(hex(`002e 0000 00000007 0001 63 ${body}`))).toThrow(KafkaProtocolError);
    // A null client id stays a classic NULLABLE_STRING (-1), not a compact one.
    expect(decodeKafkaRequest(hex(`002e 0000 00000007 ffff 00 ${body}`))).toMatchObject({ kind: 'request', header: { clientId: null } });
  });

  it('ElectLeaders: v0 and v1 use request header v1, v2 header v2', () => {
    const v1 = decodeKafkaRequest(hex('002b 0001 00000001 0001 63  01 ffffffff 00007530'));
    expect(v1).toMatchObject({ kind: 'request', api: 'ElectLeaders', request: { electionType: 1, topicPartitions: null, timeoutMs: 30000 } });
    const v2 = decodeKafkaRequest(hex('002b 0002 00000001 0001 63 00  01 00 00007530 00'));
    expect(v2).toMatchObject({ kind: 'request', api: 'ElectLeaders', request: { electionType: 1, topicPartitions: null, timeoutMs: 30000 } });
    const v0 = decodeKafkaRequest(hex('002b 0000 00000001 0001 63  00000001 0001 74 00000001 00000002 00007530'));
    expect(v0).toMatchObject({ kind: 'request', request: { electionType: 0, topicPartitions: [{ topic: 't', partitions: [2] }] } });
  });

  it('DescribeClientQuotas (48) and AlterClientQuotas (49): v0 uses request header v1 and response header v0, v1 header v2 and response header v1', () => {
    // An empty filter, not strict; no entries, not validate-only.
    expect(decodeKafkaRequest(hex('0030 0000 00000001 0001 63  00000000 00'))).toMatchObject({ kind: 'request', api: 'DescribeClientQuotas', request: { components: [], strict: false } });
    expect(decodeKafkaRequest(hex('0030 0001 00000001 0001 63 00  01 00 00'))).toMatchObject({ kind: 'request', api: 'DescribeClientQuotas', request: { components: [], strict: false } });
    expect(decodeKafkaRequest(hex('0031 0000 00000001 0001 63  00000000 00'))).toMatchObject({ kind: 'request', api: 'AlterClientQuotas', request: { entries: [], validateOnly: false } });
    expect(decodeKafkaRequest(hex('0031 0001 00000001 0001 63 00  01 00 00'))).toMatchObject({ kind: 'request', api: 'AlterClientQuotas', request: { entries: [], validateOnly: false } });
    // v1 without its header tag section is off by one byte: refused, not misread.
    expect(() => decodeKafkaRequest(hex('0030 0001 00000001 0001 63  01 00 00'))).toThrow(KafkaProtocolError);
    const alter = (apiVersion: number) => encodeKafkaResponse('AlterClientQuotas', { apiVersion, correlationId: 7 }, { throttleTimeMs: 0, entries: [] }).toString('hex');
    expect(alter(0)).toBe('0000000c' + '00000007' + '00000000 00000000'.replace(/ /g, ''));
    expect(alter(1)).toBe('0000000b' + '00000007' + '00' + '00000000 01 00'.replace(/ /g, ''));
  });

  it('DescribeUserScramCredentials (50) v0 is flexible: request header v2, response header v1', () => {
    // Every user (a null list); then one user, "u".
    expect(decodeKafkaRequest(hex('0032 0000 00000001 0001 63 00  00 00'))).toMatchObject({ kind: 'request', api: 'DescribeUserScramCredentials', request: { users: null } });
    expect(decodeKafkaRequest(hex('0032 0000 00000001 0001 63 00  02 02 75 00 00'))).toMatchObject({ kind: 'request', api: 'DescribeUserScramCredentials', request: { users: [{ name: 'u' }] } });
    // Without its header tag section it is off by one byte: refused, not misread.
    expect(() => decodeKafkaRequest(hex('0032 0000 00000001 0001 63  02 02 75 00 00'))).toThrow(KafkaProtocolError);
    const r = encodeKafkaResponse('DescribeUserScramCredentials', { apiVersion: 0, correlationId: 7 }, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
    expect(r.toString('hex')).toBe('0000000e' + '00000007' + '00' + '00000000 0000 00 01 00'.replace(/ /g, ''));
  });

  it('AlterUserScramCredentials (51) v0 is flexible: request header v2, response header v1', () => {
    // No deletions, no upsertions; then one deletion of u's SCRAM-SHA-256 credential.
    expect(decodeKafkaRequest(hex('0033 0000 00000001 0001 63 00  01 01 00'))).toMatchObject({ kind: 'request', api: 'AlterUserScramCredentials', request: { deletions: [], upsertions: [] } });
    expect(decodeKafkaRequest(hex('0033 0000 00000001 0001 63 00  02 02 75 01 00 01 00'))).toMatchObject({
      kind: 'request',
      api: 'AlterUserScramCredentials',
      request: { deletions: [{ name: 'u', mechanism: 1 }], upsertions: [] },
    });
    // Without its header tag section it is off by one byte: refused, not misread.
    expect(() => decodeKafkaRequest(hex('0033 0000 00000001 0001 63  02 02 75 01 00 01 00'))).toThrow(KafkaProtocolError);
    const r = encodeKafkaResponse('AlterUserScramCredentials', { apiVersion: 0, correlationId: 7 }, { throttleTimeMs: 0, results: [] });
    expect(r.toString('hex')).toBe('0000000b' + '00000007' + '00' + '00000000 01 00'.replace(/ /g, ''));
  });

  it('response header v1 (correlation id, empty tagged fields) for flexible versions; v0 for classic ones and for ApiVersions', () => {
    const list = encodeKafkaResponse('ListPartitionReassignments', { apiVersion: 0, correlationId: 7 }, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] });
    expect(list.toString('hex')).toBe('0000000e' + '00000007' + '00' + '00000000 0000 00 01 00'.replace(/ /g, ''));
    const elect = (apiVersion: number) => encodeKafkaResponse('ElectLeaders', { apiVersion, correlationId: 7 }, { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [] }).toString('hex');
    expect(elect(1)).toBe('0000000e' + '00000007' + '00000000 0000 00000000'.replace(/ /g, ''));
    expect(elect(2)).toBe('0000000d' + '00000007' + '00' + '00000000 0000 01 00'.replace(/ /g, ''));
    const api = encodeKafkaResponse('ApiVersions', { apiVersion: 2, correlationId: 7 }, { errorCode: 0, apiKeys: [], throttleTimeMs: 0 });
    expect(api.toString('hex')).toBe('0000000e' + '00000007' + '0000 00000000 00000000'.replace(/ /g, ''));
  });

  it('a truncated header tag section is a KafkaProtocolError', () => {
    expect(() => decodeKafkaRequest(hex('002e 0000 00000007 0001 63'))).toThrow(KafkaProtocolError);
    expect(() => decodeKafkaRequest(hex('002e 0000 00000007 0001 63 01 00 05 aa'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });
});

describe('ElectLeaders layouts (Kafka\'s ElectLeadersResponse.json)', () => {
  const response = {
    throttleTimeMs: 1,
    errorCode: 0,
    replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 2, errorCode: 84, errorMessage: 'm' }] }],
  };
  const body = (apiVersion: number) => encodeKafkaResponse('ElectLeaders', { apiVersion, correlationId: 0 }, response).subarray(8).toString('hex');

  it('v0: throttle, results[topic STRING, [partition_id, error_code, error_message NULLABLE_STRING]]', () =>
    expect(body(0)).toBe('00000001 00000001 0001 74 00000001 00000002 0054 0001 6d'.replace(/ /g, '')));
  it('v1: the top-level error_code after throttle', () => expect(body(1)).toBe('00000001 0000 00000001 0001 74 00000001 00000002 0054 0001 6d'.replace(/ /g, '')));
  it('v2: compact types and a tagged-field section closing every struct (after the header\'s own)', () =>
    expect(body(2)).toBe('00 00000001 0000 02 02 74 02 00000002 0054 02 6d 00 00 00'.replace(/ /g, '')));
});

describe('kafkajs 2.2.4 encoders and decoders against our codec', () => {
  const require = createRequire(import.meta.url);
  type Encoded = { buffer: Buffer };
  type Req = { encode(): Promise<Encoded> };
  const frameOf = require('kafkajs/src/protocol/request.js') as (a: { correlationId: number; clientId: string; request: Req }) => Promise<Encoded>;
  const alterProtocol = require('kafkajs/src/protocol/requests/alterPartitionReassignments/index.js') as {
    protocol(a: { version: number }): (a: unknown) => { request: Req; response: { decode(b: Buffer): Promise<unknown> } };
  };
  const listProtocol = require('kafkajs/src/protocol/requests/listPartitionReassignments/index.js') as typeof alterProtocol;

  /** kafkajs's whole request frame, its size prefix removed. */
  const kafkajsFrame = async (request: Req) => (await frameOf({ correlationId: 5, clientId: 'kjs', request })).buffer.subarray(4);
  /** Our response frame as kafkajs's connection hands it to the decoder: after size and correlation id. */
  const afterCorrelationId = (frame: Buffer) => frame.subarray(8);

  it('AlterPartitionReassignments v0: kafkajs\'s request decodes; our answer decodes in kafkajs, error messages skipped as it does', async () => {
    const { request, response } = alterProtocol.protocol({ version: 0 })({
      topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [2, 3] }, { partition: 1, replicas: [1] }] }],
      timeout: 4000,
    });
    const decoded = decodeKafkaRequest(await kafkajsFrame(request));
    expect(decoded).toMatchObject({
      kind: 'request',
      api: 'AlterPartitionReassignments',
      header: { correlationId: 5, clientId: 'kjs' },
      request: { timeoutMs: 4000, topics: [{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2, 3] }, { partitionIndex: 1, replicas: [1] }] }] },
    });
    const ours = encodeKafkaResponse('AlterPartitionReassignments', { apiVersion: 0, correlationId: 5 }, {
      throttleTimeMs: 3,
      errorCode: 0,
      errorMessage: null,
      responses: [{ name: 'moves', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }, { partitionIndex: 1, errorCode: 85, errorMessage: 'No partition reassignment is in progress.' }] }],
    });
    expect(await response.decode(afterCorrelationId(ours))).toEqual({
      throttleTime: 3,
      errorCode: 0,
      responses: [{ topic: 'moves', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 85 }] }],
    });
  });

  it('ListPartitionReassignments v0: kafkajs\'s request (named and null topics) decodes; our answer decodes in kafkajs', async () => {
    const list = listProtocol.protocol({ version: 0 });
    const named = list({ topics: [{ topic: 'moves', partitions: [0, 4] }], timeout: 4000 });
    expect(decodeKafkaRequest(await kafkajsFrame(named.request))).toMatchObject({ kind: 'request', request: { timeoutMs: 4000, topics: [{ name: 'moves', partitionIndexes: [0, 4] }] } });
    const all = list({ topics: null, timeout: 4000 });
    expect(decodeKafkaRequest(await kafkajsFrame(all.request))).toMatchObject({ kind: 'request', request: { timeoutMs: 4000, topics: null } });

    const ours = encodeKafkaResponse('ListPartitionReassignments', { apiVersion: 0, correlationId: 5 }, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [2, 3], removingReplicas: [1] }] }],
    });
    expect(await named.response.decode(afterCorrelationId(ours))).toEqual({
      throttleTime: 0,
      errorCode: 0,
      topics: [{ name: 'moves', partitions: [{ partition: 0, replicas: [2, 3, 1], addingReplicas: [2, 3], removingReplicas: [1] }] }],
    });
  });
});
