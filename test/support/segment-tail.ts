// Where a segment file's data ends. SegmentLogStorage keeps zeros written ahead of the data in the
// newest segment (preallocation), so tests that damage "the tail" must find the data's end rather
// than the file's: damage written there, before the zeros, is what a torn append leaves.

import { readFile, truncate, open } from 'node:fs/promises';
import { FRAME_HEADER_BYTES } from '../../quorum/node/batch-codec.js';

/** The byte after the last frame of an undamaged segment file (frames walked by their lengths). */
export async function dataEnd(file: string): Promise<number> {
  const bytes = await readFile(file);
  let position = 0;
  while (position + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(position);
    if (length === 0) break; // preallocated zeros
    position += FRAME_HEADER_BYTES + length;
  }
  return position;
}

/** Cuts the preallocated zeros off, as a roll does: the file ends where its data does. */
export async function trimPreallocation(file: string): Promise<void> {
  await truncate(file, await dataEnd(file));
}

/** Writes `bytes` right after the data, over the zeros (a torn or bad append). */
export async function writeAtDataEnd(file: string, bytes: Uint8Array): Promise<void> {
  const at = await dataEnd(file);
  const fh = await open(file, 'r+');
  try {
    await fh.write(bytes, 0, bytes.length, at);
  } finally {
    await fh.close();
  }
}
