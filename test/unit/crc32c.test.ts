// CRC32C: the published check values (RFC 3720 B.4 / iSCSI), agreement with a bit-at-a-time
// reference on random input (catches a wrong slicing-by-8 table), chunked = whole, and the
// property the log relies on: flipping any byte changes the checksum.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c } from '../../quorum/node/crc32c.js';

/** The textbook definition, one bit at a time: slow and obviously right. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('ASCII "123456789" gives the Castagnoli check value 0xE3069283', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('RFC 3720 vectors: 32 zero bytes, 32 0xFF bytes, 32 ascending bytes', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('empty input gives 0 and the result is always an unsigned 32-bit integer', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const c = crc32c(bytes);
        expect(Number.isInteger(c) && c >= 0 && c <= 0xffffffff).toBe(true);
      }),
    );
  });

  it('random input of any length and alignment matches the bit-at-a-time reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length)); // odd byteOffset on purpose
        expect(crc32c(view)).toBe(crc32cBitwise(view));
      }),
    );
  });

  it('chunked with a seed equals the crc of the concatenation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(whole));
      }),
    );
  });

  it('flipping any byte of a concatenation changes the crc', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (a, b, where, mask) => {
          const whole = new Uint8Array(a.length + b.length);
          whole.set(a);
          whole.set(b, a.length);
          const before = crc32c(whole);
          whole[where % whole.length]! ^= mask;
          expect(crc32c(whole)).not.toBe(before);
        },
      ),
    );
  });
});
