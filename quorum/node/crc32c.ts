// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Kafka puts on record batches
// and the one we put on every log batch frame and snapshot file (DESIGN §6) so torn or flipped
// bytes are found. Node 20 has no built-in CRC32C, so this is pure TS.
//
// How: slicing-by-8. Eight 256-entry tables let the main loop fold 8 input bytes per iteration
// with eight independent table lookups instead of eight dependent shift/lookup steps; a plain
// byte loop handles the last n % 8 bytes. `seed` is a previous result, so crc32c(b, crc32c(a)) equals
// crc32c(a ++ b): a stream can be checksummed chunk by chunk.

const POLY = 0x82f63b78;

/** TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const TABLE: Int32Array = (() => {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
})();

/** CRC32C of `bytes`, continuing from `seed` (a previous result; 0 to start). Unsigned 32-bit. */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  const t = TABLE;
  let crc = ~seed;
  let i = 0;
  const n = bytes.length;
  // Whole 8-byte blocks (typed-array indexing has no alignment cost), then the tail byte by byte.
  const blockEnd = n - (n % 8);
  while (i < blockEnd) {
    const lo = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
    i += 8;
  }
  while (i < n) crc = t[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
