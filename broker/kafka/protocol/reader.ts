// Bounds-checked reader of the Kafka wire types, big-endian, over one request body: the classic
// types (FLOAT64 among them), and those of flexible versions (KIP-482): UNSIGNED_VARINT (at most 5 bytes, at most
// 2^32-1), COMPACT_[NULLABLE_]STRING / BYTES / ARRAY (length + 1 as a varint, 0 = null) and
// tagged-field sections (a varint count, then tag, size, bytes; no version we serve defines a
// tag, so each is skipped by its size). Every read checks what is
// left first and throws KafkaProtocolError, never a RangeError, so a hostile frame can only close
// its own connection. An array count is checked against the bytes left (each item takes at least
// `minItemBytes`) before anything is allocated, so a 4-byte count cannot make us build a huge array.
// And the items of all the arrays of one request are bounded (REQUEST_ITEMS_MAX): a frame of
// 2-byte items (empty strings) within the 100 MiB frame bound would otherwise decode into tens of
// millions of objects, about 60 times its own size, and exhaust the heap (found in a review: one
// Metadata request of 3 million empty topic names aborted a broker running with a 192 MB heap).
//
// Strings are decoded as UTF-8 with replacement characters, as Kafka's Java broker does. Each
// invalid byte becomes a 3-byte character, so a legal 11,000-byte string can decode to one that no
// INT16-length STRING holds: such a string is refused here (STRING_TOO_LONG), or it would be stored
// (a group id, a config value) and break every later answer that carries it.

import { KafkaProtocolError } from './errors.js';

/** The most UTF-8 bytes a STRING (INT16 length) holds. */
const STRING_BYTES_MAX = 32767;

/** The most bytes an UNSIGNED_VARINT takes (32 bits, 7 per byte). */
const UVARINT_BYTES_MAX = 5;

/** Array items one request may hold, summed over all its arrays (~100 MiB of decoded objects). */
export const REQUEST_ITEMS_MAX = 1_000_000;

export class KafkaReader {
  private readonly buf: Buffer;
  private pos = 0;
  private items = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Array items read so far, all arrays together. */
  get itemCount(): number {
    return this.items;
  }

  /** Throws TRAILING_BYTES unless the whole body was consumed. */
  expectEnd(what: string): void {
    if (this.remaining !== 0) {
      throw new KafkaProtocolError('TRAILING_BYTES', `${this.remaining} bytes left after ${what}`);
    }
  }

  private need(bytes: number, what: string): number {
    if (bytes > this.remaining) {
      throw new KafkaProtocolError('TRUNCATED', `${what} needs ${bytes} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
    const at = this.pos;
    this.pos += bytes;
    return at;
  }

  int8(what = 'INT8'): number {
    return this.buf.readInt8(this.need(1, what));
  }

  int16(what = 'INT16'): number {
    return this.buf.readInt16BE(this.need(2, what));
  }

  int32(what = 'INT32'): number {
    return this.buf.readInt32BE(this.need(4, what));
  }

  int64(what = 'INT64'): bigint {
    return this.buf.readBigInt64BE(this.need(8, what));
  }

  /**
   * FLOAT64: a big-endian IEEE 754 double (Kafka's float64, quota values). Any bit pattern reads,
   * NaN and the infinities included, as Java's readDouble does: which values mean something is the
   * reader's caller's rule.
   */
  float64(what = 'FLOAT64'): number {
    return this.buf.readDoubleBE(this.need(8, what));
  }

  /** Any non-zero byte is true, as in Kafka. */
  boolean(what = 'BOOLEAN'): boolean {
    return this.buf.readInt8(this.need(1, what)) !== 0;
  }

  string(what = 'STRING'): string {
    const s = this.nullableString(what);
    if (s === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where a string is required`);
    return s;
  }

  nullableString(what = 'NULLABLE_STRING'): string | null {
    const length = this.int16(`${what} length`);
    if (length === -1) return null;
    if (length < 0) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} has length ${length}`);
    return this.utf8(length, what);
  }

  /** `length` bytes as UTF-8 (invalid bytes replaced), refused if that no longer fits a STRING. */
  private utf8(length: number, what: string): string {
    const at = this.need(length, what);
    const s = this.buf.toString('utf8', at, at + length);
    // Only a string of more than a third of the bound can grow past it.
    if (length > STRING_BYTES_MAX / 3 && Buffer.byteLength(s, 'utf8') > STRING_BYTES_MAX) {
      throw new KafkaProtocolError('STRING_TOO_LONG', `${what} of ${length} bytes decodes to ${Buffer.byteLength(s, 'utf8')} UTF-8 bytes (invalid UTF-8 replaced), more than a STRING holds (${STRING_BYTES_MAX})`);
    }
    return s;
  }

  bytes(what = 'BYTES'): Buffer {
    const b = this.nullableBytes(what);
    if (b === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where bytes are required`);
    return b;
  }

  /** A copy, so the result does not pin the whole frame. */
  nullableBytes(what = 'NULLABLE_BYTES'): Buffer | null {
    const length = this.int32(`${what} length`);
    if (length === -1) return null;
    if (length < 0) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} has length ${length}`);
    const at = this.need(length, what);
    return Buffer.from(this.buf.subarray(at, at + length));
  }

  array<T>(readItem: (r: KafkaReader) => T, minItemBytes = 1, what = 'ARRAY'): T[] {
    const items = this.nullableArray(readItem, minItemBytes, what);
    if (items === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where an array is required`);
    return items;
  }

  nullableArray<T>(readItem: (r: KafkaReader) => T, minItemBytes = 1, what = 'NULLABLE_ARRAY'): T[] | null {
    const count = this.int32(`${what} count`);
    if (count === -1) return null;
    if (count < 0) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} has count ${count}`);
    return this.readItems(count, readItem, minItemBytes, what);
  }

  /** `count` items, once the bytes left and the request's item budget allow that many. */
  private readItems<T>(count: number, readItem: (r: KafkaReader) => T, minItemBytes: number, what: string): T[] {
    if (count * minItemBytes > this.remaining) {
      throw new KafkaProtocolError(
        'COUNT_TOO_LARGE',
        `${what} claims ${count} items of at least ${minItemBytes} bytes but only ${this.remaining} bytes are left`,
      );
    }
    this.items += count;
    if (this.items > REQUEST_ITEMS_MAX) {
      throw new KafkaProtocolError('TOO_MANY_ITEMS', `${what} takes the request to ${this.items} array items, over the ${REQUEST_ITEMS_MAX} one request may hold`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  int32Array(what = 'ARRAY[INT32]'): number[] {
    return this.array((r) => r.int32(what), 4, what);
  }

  stringArray(what = 'ARRAY[STRING]'): string[] {
    return this.array((r) => r.string(what), 2, what);
  }

  // ---- Flexible versions ----

  /** UNSIGNED_VARINT: 7 bits a byte, low first; more than 5 bytes or 32 bits is malformed. */
  uvarint(what = 'UNSIGNED_VARINT'): number {
    const start = this.pos;
    let value = 0;
    for (let i = 0; i < UVARINT_BYTES_MAX - 1; i++) {
      const b = this.buf.readUInt8(this.need(1, what));
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    // The 5th byte holds the last 4 bits and must end the varint.
    const last = this.buf.readUInt8(this.need(1, what));
    if (last > 0x0f) throw new KafkaProtocolError('BAD_VARINT', `${what} at offset ${start} is longer than ${UVARINT_BYTES_MAX} bytes or over 32 bits`);
    return value + last * 2 ** 28;
  }

  /** The length of a compact type (its varint minus one), or null for 0. */
  private compactLength(what: string): number | null {
    const n = this.uvarint(`${what} length`);
    return n === 0 ? null : n - 1;
  }

  compactString(what = 'COMPACT_STRING'): string {
    const s = this.compactNullableString(what);
    if (s === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where a string is required`);
    return s;
  }

  compactNullableString(what = 'COMPACT_NULLABLE_STRING'): string | null {
    const length = this.compactLength(what);
    if (length === null) return null;
    if (length > STRING_BYTES_MAX) throw new KafkaProtocolError('STRING_TOO_LONG', `${what} has length ${length}, more than a STRING holds (${STRING_BYTES_MAX})`);
    return this.utf8(length, what);
  }

  compactBytes(what = 'COMPACT_BYTES'): Buffer {
    const b = this.compactNullableBytes(what);
    if (b === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where bytes are required`);
    return b;
  }

  /** A copy, so the result does not pin the whole frame. */
  compactNullableBytes(what = 'COMPACT_NULLABLE_BYTES'): Buffer | null {
    const length = this.compactLength(what);
    if (length === null) return null;
    const at = this.need(length, what);
    return Buffer.from(this.buf.subarray(at, at + length));
  }

  compactArray<T>(readItem: (r: KafkaReader) => T, minItemBytes = 1, what = 'COMPACT_ARRAY'): T[] {
    const items = this.compactNullableArray(readItem, minItemBytes, what);
    if (items === null) throw new KafkaProtocolError('NEGATIVE_LENGTH', `${what} is null where an array is required`);
    return items;
  }

  compactNullableArray<T>(readItem: (r: KafkaReader) => T, minItemBytes = 1, what = 'COMPACT_NULLABLE_ARRAY'): T[] | null {
    const count = this.compactLength(what);
    if (count === null) return null;
    return this.readItems(count, readItem, minItemBytes, what);
  }

  compactInt32Array(what = 'COMPACT_ARRAY[INT32]'): number[] {
    return this.compactArray((r) => r.int32(what), 4, what);
  }

  /**
   * A tagged-field section: a varint count, then per field a varint tag, a varint size and that
   * many bytes. No version we serve defines a tag, so every field is skipped by its size; each
   * takes at least 2 bytes, so the count is checked against the bytes left and the loop is bounded
   * by the frame. Returns how many fields were skipped.
   */
  taggedFields(what = 'TAGGED_FIELDS'): number {
    const count = this.uvarint(`${what} count`);
    if (count * 2 > this.remaining) {
      throw new KafkaProtocolError('COUNT_TOO_LARGE', `${what} claims ${count} tagged fields but only ${this.remaining} bytes are left`);
    }
    for (let i = 0; i < count; i++) {
      this.uvarint(`${what} tag`);
      this.need(this.uvarint(`${what} size`), `${what} field`);
    }
    return count;
  }
}
