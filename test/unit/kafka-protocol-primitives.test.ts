// The Kafka wire primitives byte for byte: each type's big-endian layout written by KafkaWriter and
// read back by KafkaReader, nulls as -1 lengths, and every kind of malformed input (truncated,
// negative length, null where not allowed, absurd array count, trailing bytes) a
// KafkaProtocolError with its code, never a RangeError. The writer refuses values its type cannot
// hold (programmer error).

import { describe, expect, it } from 'vitest';
import { KafkaProtocolError } from '../../broker/kafka/protocol/errors.js';
import { KafkaReader } from '../../broker/kafka/protocol/reader.js';
import { KafkaWriter } from '../../broker/kafka/protocol/writer.js';
import { AssertionError } from '../../quorum/raft/assert.js';
import { hex, protocolError, written } from '../support/kafka-bytes.js';


describe('kafka primitives: layouts', () => {
  it('integers are big-endian two-complement at their widths', () => {
    expect(written((w) => w.int8(-2).int16(-2).int32(0x01020304).int64(-2n))).toBe('fe' + 'fffe' + '01020304' + 'fffffffffffffffe');
    const r = new KafkaReader(hex('fe fffe 01020304 fffffffffffffffe 7fffffffffffffff 8000000000000000'));
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.int64(), r.int64()]).toEqual([
      -2,
      -2,
      0x01020304,
      -2n,
      (1n << 63n) - 1n,
      -(1n << 63n),
    ]);
    r.expectEnd('test');
  });

  it('FLOAT64 is a big-endian IEEE 754 double (Kafka quota values): 1.5, -2, 1024^2, 0.1, and NaN and infinities read as they are', () => {
    expect(written((w) => w.float64(1.5).float64(-2).float64(1048576).float64(0.1))).toBe('3ff8000000000000' + 'c000000000000000' + '4130000000000000' + '3fb999999999999a');
    const r = new KafkaReader(hex('3ff8000000000000 c000000000000000 4130000000000000 3fb999999999999a 7ff8000000000000 fff0000000000000 8000000000000000'));
    expect([r.float64(), r.float64(), r.float64(), r.float64(), r.float64(), r.float64()]).toEqual([1.5, -2, 1048576, 0.1, NaN, -Infinity]);
    expect(Object.is(r.float64(), -0)).toBe(true);
    r.expectEnd('test');
  });

  it('booleans are one byte, any non-zero byte reads true', () => {
    expect(written((w) => w.boolean(true).boolean(false))).toBe('0100');
    const r = new KafkaReader(hex('00 01 ff'));
    expect([r.boolean(), r.boolean(), r.boolean()]).toEqual([false, true, true]);
  });

  it('STRING is an INT16 byte length plus UTF-8; null is length -1', () => {
    expect(written((w) => w.string('probe'))).toBe('000570726f6265');
    expect(written((w) => w.string('é'))).toBe('0002c3a9');
    expect(written((w) => w.string(''))).toBe('0000');
    expect(written((w) => w.nullableString(null))).toBe('ffff');
    const r = new KafkaReader(hex('000570726f6265 ffff 0002c3a9 0000'));
    expect([r.string(), r.nullableString(), r.nullableString(), r.string()]).toEqual(['probe', null, 'é', '']);
  });

  it('BYTES is an INT32 length plus bytes; null is length -1', () => {
    expect(written((w) => w.bytes(Buffer.from([1, 2])).nullableBytes(null).bytes(new Uint8Array(0)))).toBe('000000020102' + 'ffffffff' + '00000000');
    const r = new KafkaReader(hex('000000020102 ffffffff 00000000'));
    expect([...r.bytes()]).toEqual([1, 2]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.bytes().length).toBe(0);
  });

  it('ARRAY is an INT32 count plus items; null is count -1', () => {
    expect(written((w) => w.int32Array([1, -1]).nullableArray(null, () => {}).stringArray([]))).toBe('00000002' + '00000001' + 'ffffffff' + 'ffffffff' + '00000000');
    const r = new KafkaReader(hex('00000002 00000001 ffffffff ffffffff 00000000'));
    expect(r.int32Array()).toEqual([1, -1]);
    expect(r.nullableArray((x) => x.int8())).toBeNull();
    expect(r.stringArray()).toEqual([]);
    r.expectEnd('test');
  });

  it('reads from a Uint8Array view at a non-zero offset', () => {
    const backing = new Uint8Array([9, 9, 0, 1, 0, 2]);
    const r = new KafkaReader(backing.subarray(2));
    expect([r.int16(), r.int16()]).toEqual([1, 2]);
    expect(r.remaining).toBe(0);
  });

  it('the writer grows past its initial size', () => {
    const w = new KafkaWriter(16);
    for (let i = 0; i < 1000; i++) w.int32(i);
    const r = new KafkaReader(w.toBuffer());
    for (let i = 0; i < 1000; i++) expect(r.int32()).toBe(i);
    expect(w.length).toBe(4000);
  });
});

describe('kafka primitives: malformed input is a KafkaProtocolError', () => {
  it('truncated fixed-width reads', () => {
    expect(protocolError(() => new KafkaReader(hex('')).int8()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('00')).int16()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('000000')).int32()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('00000000000000')).int64()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('3ff80000000000')).float64()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('')).boolean()).code).toBe('TRUNCATED');
  });

  it('truncated strings and bytes', () => {
    expect(protocolError(() => new KafkaReader(hex('0005 7072')).string()).code).toBe('TRUNCATED');
    expect(protocolError(() => new KafkaReader(hex('00000003 01')).bytes()).code).toBe('TRUNCATED');
  });

  it('negative lengths other than -1, and -1 where null is not allowed', () => {
    expect(protocolError(() => new KafkaReader(hex('fffe')).nullableString()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('8000')).nullableString()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('ffff')).string()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('fffffffe')).nullableBytes()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('ffffffff')).bytes()).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('80000000')).nullableArray((r) => r.int8())).code).toBe('NEGATIVE_LENGTH');
    expect(protocolError(() => new KafkaReader(hex('ffffffff')).array((r) => r.int8())).code).toBe('NEGATIVE_LENGTH');
  });

  it('an array count that cannot fit in the bytes left is refused before any item is read', () => {
    let itemsRead = 0;
    const read = (r: KafkaReader): number => {
      itemsRead++;
      return r.int8();
    };
    expect(protocolError(() => new KafkaReader(hex('7fffffff 00')).array(read)).code).toBe('COUNT_TOO_LARGE');
    // 2 INT32 items need 8 bytes; 7 are left.
    expect(protocolError(() => new KafkaReader(hex('00000002 00000000 000000')).int32Array()).code).toBe('COUNT_TOO_LARGE');
    expect(itemsRead).toBe(0);
  });

  it('trailing bytes are refused by expectEnd', () => {
    const r = new KafkaReader(hex('0001 00'));
    r.int16();
    const e = protocolError(() => r.expectEnd('body'));
    expect(e.code).toBe('TRAILING_BYTES');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('1 bytes left after body');
  });
});

describe('kafka primitives: the writer refuses what its type cannot hold', () => {
  it.each([
    ['INT8 128', (w: KafkaWriter) => w.int8(128)],
    ['INT16 32768', (w: KafkaWriter) => w.int16(32768)],
    ['INT32 2^31', (w: KafkaWriter) => w.int32(2 ** 31)],
    ['INT32 1.5', (w: KafkaWriter) => w.int32(1.5)],
    ['INT64 2^63', (w: KafkaWriter) => w.int64(1n << 63n)],
    ['FLOAT64 of a string', (w: KafkaWriter) => w.float64('1.5' as unknown as number)],
    ['STRING of 32768 bytes', (w: KafkaWriter) => w.string('x'.repeat(32768))],
  ])('%s is an assertion failure', (_name, f) => {
    expect(() => f(new KafkaWriter())).toThrow(AssertionError);
  });

  it('a STRING of exactly 32767 bytes is fine', () => {
    const w = new KafkaWriter();
    w.string('x'.repeat(32767));
    expect(new KafkaReader(w.toBuffer()).string().length).toBe(32767);
  });
});
