// Frames of the internal protocol (DESIGN §8): a 4-byte big-endian length, then a msgpack value.
// encodeFrame builds one; FrameDecoder cuts a byte stream back into values, whatever the chunking.
//
// The decoder refuses a length above its bound as soon as the 4-byte header is seen, before any
// of the body is buffered, so a peer cannot make a node hold more than one bounded frame. Chunks
// are kept in a list and copied once, into the frame that needs them (no quadratic concat). The
// decoded Uint8Arrays are views into the received memory, which is never written again.

import { Packr } from 'msgpackr';

/** A frame that cannot be accepted: oversized, undecodable. The connection carrying it must close. */
export class FrameError extends Error {
  readonly code = 'FRAME_ERROR';
  readonly retriable = false;
  constructor(readonly reason: string) {
    super(`malformed frame: ${reason}`);
  }
}

export const FRAME_HEADER_BYTES = 4;

// Plain objects and arrays only (no msgpackr records): the other end may be another build.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** Length prefix + msgpack of `value`. Throws (programmer error) when `value` cannot be packed. */
export function encodeFrame(value: unknown): Buffer {
  const payload = packr.pack(value);
  if (payload.length > 0xffff_ffff) throw new RangeError(`a frame of ${payload.length} bytes cannot be length-prefixed`);
  // The packed bytes live in msgpackr's reusable scratch buffer: copy them out behind the header.
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private headOffset = 0;
  private buffered = 0;
  /** Length of the frame body being waited for; -1 while waiting for a header. */
  private bodyBytes = -1;
  private failed: FrameError | null = null;

  constructor(readonly maxFrameBytes: number) {
    if (!(Number.isInteger(maxFrameBytes) && maxFrameBytes > 0)) {
      throw new Error(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
    }
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered + (this.bodyBytes >= 0 ? FRAME_HEADER_BYTES : 0);
  }

  /** Returns the frames completed by `chunk`, in order. Throws FrameError (and keeps throwing). */
  push(chunk: Buffer): unknown[] {
    if (this.failed !== null) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: unknown[] = [];
    for (;;) {
      if (this.bodyBytes < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          this.fail(`frame of ${length} bytes exceeds the bound of ${this.maxFrameBytes} bytes`);
        }
        if (length === 0) this.fail('empty frame');
        this.bodyBytes = length;
      }
      if (this.buffered < this.bodyBytes) break;
      const body = this.take(this.bodyBytes);
      this.bodyBytes = -1;
      frames.push(this.decode(body));
    }
    return frames;
  }

  private decode(body: Buffer): unknown {
    try {
      return packr.unpack(body);
    } catch (err) {
      return this.fail(`undecodable payload of ${body.length} bytes (${(err as Error).message})`);
    }
  }

  private fail(reason: string): never {
    this.failed = new FrameError(reason);
    this.chunks = [];
    this.buffered = 0;
    throw this.failed;
  }

  /** Removes `n` bytes from the front; a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    const head = this.chunks[0];
    if (head === undefined) throw new Error('FrameDecoder.take: nothing buffered');
    this.buffered -= n;
    if (head.length - this.headOffset >= n) {
      const view = head.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === head.length) this.dropHead();
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (c === undefined) throw new Error('FrameDecoder.take: buffered count out of step');
      const copied = c.copy(out, filled, this.headOffset, Math.min(c.length, this.headOffset + n - filled));
      filled += copied;
      this.headOffset += copied;
      if (this.headOffset === c.length) this.dropHead();
    }
    return out;
  }

  private dropHead(): void {
    this.chunks.shift();
    this.headOffset = 0;
  }
}
