// Growable big-endian writer of the Kafka wire types, classic and flexible (UNSIGNED_VARINT,
// compact strings, bytes and arrays, an empty tagged-field section), the mirror of KafkaReader. Writing a value the type cannot hold (an INT16 out of range, a string over 32767
// UTF-8 bytes) is a programmer error: it fails an assertion instead of producing a corrupt frame.

import { assert } from '../../../quorum/raft/assert.js';

const INITIAL_BYTES = 256;

export class KafkaWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  get length(): number {
    return this.pos;
  }

  /** Makes room for `bytes` and returns where they go. May replace this.buf: call it first. */
  private reserve(bytes: number): number {
    if (this.pos + bytes > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + bytes) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += bytes;
    return at;
  }

  int8(v: number): this {
    assert(Number.isInteger(v) && v >= -128 && v <= 127, `INT8 out of range: ${v}`);
    const at = this.reserve(1);
    this.buf.writeInt8(v, at);
    return this;
  }

  int16(v: number): this {
    assert(Number.isInteger(v) && v >= -32768 && v <= 32767, `INT16 out of range: ${v}`);
    const at = this.reserve(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }

  int32(v: number): this {
    assert(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647, `INT32 out of range: ${v}`);
    const at = this.reserve(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }

  int64(v: bigint): this {
    assert(v >= -(1n << 63n) && v < 1n << 63n, `INT64 out of range: ${v}`);
    const at = this.reserve(8);
    this.buf.writeBigInt64BE(v, at);
    return this;
  }

  /** FLOAT64: a big-endian IEEE 754 double, written as given (Java's writeDouble). */
  float64(v: number): this {
    assert(typeof v === 'number', `FLOAT64 of a ${typeof v}`);
    const at = this.reserve(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }

  boolean(v: boolean): this {
    const at = this.reserve(1);
    this.buf.writeInt8(v ? 1 : 0, at);
    return this;
  }

  string(v: string): this {
    const length = Buffer.byteLength(v, 'utf8');
    assert(length <= 32767, `STRING of ${length} UTF-8 bytes does not fit an INT16 length`);
    // Reserve before touching this.buf: reserve may replace it.
    const at = this.reserve(2 + length);
    this.buf.writeInt16BE(length, at);
    this.buf.write(v, at + 2, length, 'utf8');
    return this;
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    return this.string(v);
  }

  bytes(v: Uint8Array): this {
    assert(v.length <= 2147483647, `BYTES of ${v.length} bytes does not fit an INT32 length`);
    const at = this.reserve(4 + v.length);
    this.buf.writeInt32BE(v.length, at);
    this.buf.set(v, at + 4);
    return this;
  }

  nullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    return this.bytes(v);
  }

  array<T>(items: readonly T[], writeItem: (w: KafkaWriter, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, writeItem: (w: KafkaWriter, item: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, writeItem);
  }

  int32Array(items: readonly number[]): this {
    return this.array(items, (w, v) => w.int32(v));
  }

  stringArray(items: readonly string[]): this {
    return this.array(items, (w, v) => w.string(v));
  }

  // ---- Flexible versions ----

  /** UNSIGNED_VARINT: 7 bits a byte, low first, 1 to 5 bytes. */
  uvarint(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff, `UNSIGNED_VARINT out of range: ${v}`);
    let rest = v;
    while (rest >= 0x80) {
      const at = this.reserve(1); // before touching this.buf: reserve may replace it
      this.buf.writeUInt8((rest & 0x7f) | 0x80, at);
      rest = Math.floor(rest / 128);
    }
    const at = this.reserve(1);
    this.buf.writeUInt8(rest, at);
    return this;
  }

  compactString(v: string): this {
    const length = Buffer.byteLength(v, 'utf8');
    assert(length <= 32767, `COMPACT_STRING of ${length} UTF-8 bytes is longer than a STRING may be`);
    this.uvarint(length + 1);
    const at = this.reserve(length);
    this.buf.write(v, at, length, 'utf8');
    return this;
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.uvarint(0) : this.compactString(v);
  }

  compactBytes(v: Uint8Array): this {
    assert(v.length < 0xffff_ffff, `COMPACT_BYTES of ${v.length} bytes does not fit a varint length`);
    this.uvarint(v.length + 1);
    const at = this.reserve(v.length);
    this.buf.set(v, at);
    return this;
  }

  compactNullableBytes(v: Uint8Array | null): this {
    return v === null ? this.uvarint(0) : this.compactBytes(v);
  }

  compactArray<T>(items: readonly T[], writeItem: (w: KafkaWriter, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) writeItem(this, item);
    return this;
  }

  compactNullableArray<T>(items: readonly T[] | null, writeItem: (w: KafkaWriter, item: T) => void): this {
    return items === null ? this.uvarint(0) : this.compactArray(items, writeItem);
  }

  compactInt32Array(items: readonly number[]): this {
    return this.compactArray(items, (w, v) => w.int32(v));
  }

  /** A tagged-field section with no fields (we never send tagged fields). */
  taggedFields(): this {
    return this.uvarint(0);
  }

  /** The bytes written so far (a copy; the writer may go on). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
