// Frames of the internal protocol (DESIGN §8): a 4-byte big-endian length, then a msgpack value.
// A FrameCodec turns values into frames and frame bodies back into values; FrameDecoder cuts a
// byte stream into bodies, whatever the chunking.
//
// Two codecs. The plain one (encodeFrame, plainCodec) is stateless: maps with their keys, as any
// msgpack reader reads them. It carries the handshake, and everything after it when the peer did
// not offer the stream codec (an older build, a raw test client). The stream codec (streamCodec,
// negotiated in the handshake, handshake.ts) is msgpackr's `sequential` mode: the first frame
// holding an object of a new shape defines that shape (its keys) as a record, and later frames
// send such objects as their values only. Each direction of a connection has its own encoder and
// decoder, so both ends must see every frame, in order: a Connection sends every frame it encodes
// or closes. Measured on AlterPartition (the hot request): decoding 2.5 µs -> 0.7 µs per request,
// encoding 1.9 µs -> 1.5 µs, 290 bytes -> 70 bytes on the wire.
//
// Bounds: a decoder keeps the shapes it was sent for the life of the connection, so what a peer
// can make it keep is capped. This encoder defines at most 32 shapes at a time (msgpackr's
// one-byte record ids, recycled) of at most SHAPE_KEYS_MAX keys each (a larger object, a
// dictionary, goes as a plain map); a frame that leaves the decoder holding a shape outside those
// bounds is malformed and closes the connection. (Without the bound, a peer past the handshake
// made a node keep 250 MB on one connection with 200 frames of 25,000-key shapes.) An object with
// a key named `__keys__` also goes as a map: msgpackr keeps its own marker of that name in its
// shape tree, and such a key corrupted the stream.
//
// The decoder refuses a length above its bound as soon as the 4-byte header is seen, before any
// of the body is buffered, so a peer cannot make a node hold more than one bounded frame. The
// first frame may have a far smaller bound of its own (firstFrameBytesMax): it is the handshake,
// read before the peer has said who it is (and the first boundedFrames frames, when the handshake
// takes more than one: a SASL exchange). Chunks
// are kept in a list and copied once, into the frame that needs them (no quadratic concat). A
// small chunk that continues a partial frame is first copied into a buffer of the decoder's own
// (growing by doubling, up to TAIL_BYTES_MAX): each chunk costs ~160 bytes of bookkeeping, so a
// peer dripping a frame one byte per TCP segment made a node hold ~160 times the frame bound
// (before the handshake, too). The decoded Uint8Arrays are views into the received memory, which
// is never written again.

import { Packr, Unpackr } from 'msgpackr';

/** A frame that cannot be accepted: oversized, undecodable. The connection carrying it must close. */
export class FrameError extends Error {
  readonly code = 'FRAME_ERROR';
  readonly retriable = false;
  constructor(readonly reason: string) {
    super(`malformed frame: ${reason}`);
  }
}

export const FRAME_HEADER_BYTES = 4;

/**
 * A value whose frame would be over the bound: the other end would refuse it and close the
 * connection, so it is not sent (the request, the answer or the message fails alone). Kafka's
 * MESSAGE_TOO_LARGE, so that it travels as such in an answer.
 */
export class FrameTooLargeError extends Error {
  readonly code = 10;
  readonly errorName = 'MESSAGE_TOO_LARGE';
  readonly retriable = false;
  constructor(
    readonly bytes: number,
    readonly bound: number,
    /** What was too large, for the message ("the answer to describeTopics"). */
    what = 'a frame',
  ) {
    super(`${what} is ${bytes} bytes, over the frame bound of ${bound} bytes`);
  }
}

// Plain objects and arrays only (no msgpackr records): the other end may be another build.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** Length prefix + `payload` (msgpackr's reusable scratch buffer: copied out behind the header). */
function frameOf(payload: Uint8Array, maxBodyBytes = 0xffff_ffff): Buffer {
  if (payload.length > maxBodyBytes) throw new FrameTooLargeError(payload.length, maxBodyBytes);
  if (payload.length > 0xffff_ffff) throw new RangeError(`a frame of ${payload.length} bytes cannot be length-prefixed`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Length prefix + plain msgpack of `value`. Throws (programmer error) when `value` cannot be packed. */
export function encodeFrame(value: unknown): Buffer {
  return frameOf(packr.pack(value));
}

export interface FrameCodec {
  /** Its name in the handshake (`codecs` offered in the hello, `codec` chosen in the welcome). */
  readonly name: string;
  /**
   * Whole frame, header included. Throws when `value` cannot be packed, FrameTooLargeError when
   * its body would be over `maxBodyBytes`; either way nothing was encoded and the codec stays usable.
   */
  encode(value: unknown, maxBodyBytes?: number): Buffer;
  /** One frame's body. Throws when it is not a value this codec wrote. */
  decode(body: Buffer): unknown;
}

export const plainCodec: FrameCodec = {
  name: 'plain',
  encode: (value, maxBodyBytes) => frameOf(packr.pack(value), maxBodyBytes),
  decode: (body) => packr.unpack(body),
};

export const STREAM_CODEC = 'msgpack-records-1';

/** Keys of the largest object sent as a record (a shape); larger objects go as plain maps. */
export const SHAPE_KEYS_MAX = 64;
/** Shape slots a decoder accepts (one-byte record ids 0x40-0x7f; this encoder uses the first 32). */
const SHAPE_SLOTS = 64;
/** A record definition starts with one of these (fixext 1 or 2 of msgpackr's extension type 0x72). */
const DEFINE_SHAPE = [Buffer.from([0xd4, 0x72]), Buffer.from([0xd5, 0x72])];

/** Objects sent as records: small ones, without msgpackr's reserved key. Costs ~0 (measured). */
function recordable(o: object): boolean {
  let n = 0;
  for (const k in o) if (k === '__keys__' || ++n > SHAPE_KEYS_MAX) return false;
  return true;
}

/** Throws when the shapes a decoder holds exceed what this build's encoder can define. */
function checkShapes(shapes: Record<string, unknown>): void {
  for (const slot of Object.keys(shapes)) {
    const shape = shapes[slot];
    if (!Array.isArray(shape)) continue; // msgpackr's bookkeeping (sharedLength, ...)
    const i = Number(slot);
    if (!(Number.isInteger(i) && i >= 0 && i < SHAPE_SLOTS)) throw new Error(`a record shape in slot ${slot.slice(0, 12)}, outside the ${SHAPE_SLOTS} one-byte ids`);
    if (shape.length > SHAPE_KEYS_MAX) throw new Error(`a record shape of ${shape.length} keys (at most ${SHAPE_KEYS_MAX})`);
  }
}

/** A new stream codec: one per connection, used for every frame after the handshake, both ways. */
export function streamCodec(): FrameCodec {
  const newPackr = () => new Packr({ sequential: true, useRecords: recordable });
  let out = newPackr();
  // mapsAsObjects: a msgpack map (a JS Map sent) reads as an object, as with the plain codec.
  const unpackr = new Unpackr({ sequential: true, mapsAsObjects: true });
  return {
    name: STREAM_CODEC,
    encode(value, maxBodyBytes) {
      try {
        return frameOf(out.pack(value), maxBodyBytes);
      } catch (err) {
        // The failed pack may have defined a record the peer will never see. A fresh encoder
        // defines every shape again before its first use, which the peer's decoder follows.
        out = newPackr();
        throw err;
      }
    },
    decode(body) {
      const value: unknown = unpackr.unpack(body);
      // Only a frame holding a definition can change the shapes (a cheap scan rules most out).
      if (body.indexOf(DEFINE_SHAPE[0]!) !== -1 || body.indexOf(DEFINE_SHAPE[1]!) !== -1) {
        checkShapes((unpackr as unknown as { structures: Record<string, unknown> }).structures);
      }
      return value;
    },
  };
}

/** The first four bytes of an HTTP answer or request, which no frame header of ours can be (each is a length above every bound). */
const HTTP_STARTS: ReadonlySet<string> = new Set(['HTTP', 'GET ', 'POST', 'PUT ', 'HEAD', 'DELE', 'OPTI', 'PATC']);

/** A chunk below this that continues a partial frame is copied into the decoder's tail buffer. */
const SMALL_CHUNK_BYTES = 1024;
/** The tail buffer starts at TAIL_BYTES_MIN and doubles up to this. */
const TAIL_BYTES_MIN = 256;
const TAIL_BYTES_MAX = 64 * 1024;

export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Small chunks copied together (see the header), not yet in chunks; its first tailLength bytes hold data. */
  private tail: Buffer | null = null;
  private tailLength = 0;
  /** Read position in chunks[0]. */
  private headOffset = 0;
  private buffered = 0;
  /** Length of the frame body being waited for; -1 while waiting for a header. */
  private bodyBytes = -1;
  private failed: FrameError | null = null;
  /** Frames whose header is still to be read that are held to firstFrameBytesMax. */
  private boundedLeft: number;

  constructor(
    readonly maxFrameBytes: number,
    /** The bound of the first frame alone (the handshake's); never above maxFrameBytes. */
    readonly firstFrameBytesMax: number = maxFrameBytes,
    /** How many frames, from the first, firstFrameBytesMax holds (the handshake's frames). */
    boundedFrames = 1,
  ) {
    for (const [name, n] of [['maxFrameBytes', maxFrameBytes], ['firstFrameBytesMax', firstFrameBytesMax], ['boundedFrames', boundedFrames]] as const) {
      if (!(Number.isInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer, got ${n}`);
    }
    this.firstFrameBytesMax = Math.min(firstFrameBytesMax, maxFrameBytes);
    this.boundedLeft = boundedFrames;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.buffered + (this.bodyBytes >= 0 ? FRAME_HEADER_BYTES : 0);
  }

  /** Buffers holding those bytes (each costs bookkeeping beyond its bytes). */
  get bufferedChunks(): number {
    return this.chunks.length + (this.tailLength > 0 ? 1 : 0);
  }

  /** Returns the frames completed by `chunk`, in order, decoded plain. Throws FrameError (and keeps throwing). */
  push(chunk: Buffer): unknown[] {
    return this.bodies(chunk).map((body) => this.decode(plainCodec, body));
  }

  /** Returns the bodies of the frames completed by `chunk`, in order, undecoded. Throws FrameError (and keeps throwing). */
  bodies(chunk: Buffer): Buffer[] {
    if (this.failed !== null) throw this.failed;
    if (chunk.length > 0) {
      if ((this.buffered > 0 || this.bodyBytes >= 0) && chunk.length < SMALL_CHUNK_BYTES) this.appendToTail(chunk);
      else {
        this.sealTail();
        this.chunks.push(chunk);
      }
      this.buffered += chunk.length;
    }
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.bodyBytes < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        this.sealTail();
        const header = this.take(FRAME_HEADER_BYTES);
        const length = header.readUInt32BE(0);
        const bound = this.boundedLeft > 0 ? this.firstFrameBytesMax : this.maxFrameBytes;
        const first = this.boundedLeft > 0;
        if (this.boundedLeft > 0) this.boundedLeft--;
        if (length > bound) {
          // A peer speaking HTTP (a tool pointed at a node's metrics port, a browser at a listener)
          // would otherwise read as a frame of a billion bytes.
          const http = first && HTTP_STARTS.has(header.toString('latin1'));
          this.fail(
            http
              ? `the peer speaks HTTP ("${header.toString('latin1').trim()}…"), not metaquorum's protocol: an HTTP port, such as a node's metrics listener?`
              : `frame of ${length} bytes exceeds the bound of ${bound} bytes`,
          );
        }
        if (length === 0) this.fail('empty frame');
        this.bodyBytes = length;
      }
      if (this.buffered < this.bodyBytes) break;
      this.sealTail();
      bodies.push(this.take(this.bodyBytes));
      this.bodyBytes = -1;
    }
    return bodies;
  }

  /** One body through `codec`; an undecodable one fails the decoder (FrameError, and keeps failing). */
  decode(codec: FrameCodec, body: Buffer): unknown {
    try {
      return codec.decode(body);
    } catch (err) {
      return this.fail(`undecodable payload of ${body.length} bytes (${(err as Error).message})`);
    }
  }

  private fail(reason: string): never {
    this.failed = new FrameError(reason);
    this.chunks = [];
    this.tail = null;
    this.tailLength = 0;
    this.buffered = 0;
    throw this.failed;
  }

  /** Copies a small chunk behind the others; a full tail goes to chunks and a larger one follows it. */
  private appendToTail(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.tail === null || this.tailLength === this.tail.length) {
        const grown = this.tail === null ? TAIL_BYTES_MIN : Math.min(this.tail.length * 2, TAIL_BYTES_MAX);
        this.sealTail();
        this.tail = Buffer.allocUnsafe(grown);
      }
      const copied = chunk.copy(this.tail, this.tailLength, at);
      this.tailLength += copied;
      at += copied;
    }
  }

  /** Moves the tail's bytes to the end of chunks; the tail is never written again (views of it may be handed out). */
  private sealTail(): void {
    if (this.tail === null) return;
    if (this.tailLength > 0) this.chunks.push(this.tail.subarray(0, this.tailLength));
    this.tail = null;
    this.tailLength = 0;
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
