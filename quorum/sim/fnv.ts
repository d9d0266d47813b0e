// FNV-1a (32-bit): the simulator's cheap identity of bytes (a record, an image's snapshot).

export const FNV_OFFSET_BASIS = 0x811c9dc5;

/** FNV-1a over `bytes`, continuing from `h` (FNV_OFFSET_BASIS to start). */
export function fnv1a(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
