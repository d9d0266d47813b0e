// A fuzzer for a broker's Kafka listener: it sends random and mutated Kafka request frames (plus
// unmodified valid ones) on a pool of connections, while a bystander client on its own connection
// checks that the broker keeps answering well-formed requests promptly.
//
// What the broker must do (broker/kafka/kafka-connection.ts): a frame it cannot accept closes that
// connection with a logged reason; everything else (the process, other connections) goes on.
//
// Frames. Frame i is a pure function of (seed, i) (`generateFuzzFrame`) for a given seed corpus, so
// a run is reproducible frame by frame and a suspect frame can be printed (`--print-frame i`) or
// replayed (`--replay`). The corpus is every API and version of tools/kafka-client/mirror-codec.ts, so
// frame i of a seed changes when an API is added there: replay with the same build. Which
// connection a frame lands on depends on timing; each finding lists the frames the connection it
// happened on had carried, in order, so that exact byte stream can be replayed.
//   random   random bytes behind a plausible size prefix (usually the true length; the api key's
//            high byte is usually 0, so a fresh connection is taken for Kafka rather than for our
//            own protocol, which the listener also speaks: see quorum/net/server.ts)
//   mutated  a valid request (every API and version of the test codec's samples, MIRRORS) with one
//            to three mutations: bit flips, byte sets, inserts, deletes, truncation, trailing bytes,
//            a length/count field set to a huge, negative or off-by-one value (in flexible versions,
//            the first byte of a compact length or tagged-field count), another api key or
//            version (unsupported ones included), a lying client id; sometimes a lying size prefix
//            (shorter, longer, negative, zero, above the broker's frame limit)
//   valid    an unmodified valid request; its answer must come, in order, and decode
// `frames` counts random + mutated frames; valid ones are mixed in on top (validFramesSent).
//
// Pipelining. A connection writes runs of frames without waiting for each answer: a run of valid
// frames, all answered before the next run; a frame that may be refused (random or mutated) goes
// alone, once the valid frames before it are answered (a refusal closes the connection before
// answers still being worked on are written), and then the connection waits until that frame is
// answered or the broker closes the connection (count: closedByBroker; a new connection replaces
// it). Frames that make the broker wait for bytes that will never come (a size prefix longer than
// what follows) are followed by our own FIN. A run is bounded in frames and bytes, so outstanding
// bytes are bounded by connections x runBytesMax (plus one frame).
//
// Findings (each is a possible broker bug): a valid request answered out of order or with bytes
// that do not decode, a run neither answered nor closed within stallTimeoutMs, the broker refusing
// new connections. The bystander's failures (no answer within bystanderTimeoutMs, a closed
// connection, an answer that does not decode) are counted on their own.
//
// Two probes, off by default, go beyond single frames: a request of exactly the broker's frame
// limit sent in full (--full-size-frames), and clients that pipeline requests but never read the
// answers (--non-readers). See KafkaFuzzOptions.
//
// CLI: node dist/tools/fuzz/kafka-fuzz.js --bootstrap host:port [--frames 100000] [--seed 1]
//        [--time-limit-ms 60000] [--connections 16] [--json] [--full-size-frames N] [--non-readers N]
//      node dist/tools/fuzz/kafka-fuzz.js --seed S --print-frame I          (hex of frame I)
//      node dist/tools/fuzz/kafka-fuzz.js --bootstrap host:port --seed S --replay I,J,K
// Exit code 0 when nothing went wrong, 1 when something did (finding, bystander failure, time
// limit), 2 on bad arguments.

import * as net from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { KAFKA_APIS, MAX_KAFKA_FRAME_BYTES, type KafkaApiName } from '../../broker/kafka/protocol/index.js';
import { KafkaWriter } from '../../broker/kafka/protocol/writer.js';
import { decodeResponseBody, decodeResponseFrame, encodeRequestFrame, encodeRequestHeader, MIRRORS, type Mirror } from '../kafka-client/mirror-codec.js';
import { headerComment } from '../bench/bench-args.js';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG: xoshiro128** seeded through splitmix32. No Math.random anywhere in this file.

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    const sm = splitmix32(seed ^ Math.imul(stream + 1, 0x27d4eb2f));
    // Mix the stream in twice so (seed, stream) pairs do not collide on simple xor relations.
    const sm2 = splitmix32(sm() ^ stream);
    this.a = sm2() | 1;
    this.b = sm2();
    this.c = sm2();
    this.d = sm2();
  }

  /** A uniformly random uint32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------------------------
// Seed corpus: one valid request frame (header v1 + body, no size prefix) per API and version the
// codec serves and the test codec can encode, with the offsets of its length and count fields.

interface LengthField {
  /** Offset in the frame (header included). */
  readonly offset: number;
  /** 1: the first byte of an UNSIGNED_VARINT (compact lengths and tagged-field counts of flexible versions). */
  readonly width: 1 | 2 | 4;
  readonly kind: 'string' | 'bytes' | 'array' | 'tags';
}

export interface SeedRequest {
  readonly api: KafkaApiName;
  readonly apiKey: number;
  readonly version: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The frame without its size prefix; correlation id 0 (patched per frame). */
  readonly frame: Buffer;
  readonly fields: readonly LengthField[];
}

const CLIENT_ID = 'kafka-fuzz';
/** Header v1: api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING. */
const HEADER_CORRELATION_OFFSET = 4;
const HEADER_CLIENT_ID_OFFSET = 8;

/** A KafkaWriter that notes where each length or count field goes. */
class RecordingWriter extends KafkaWriter {
  readonly fields: LengthField[] = [];
  constructor(private readonly base: number) {
    super();
  }
  private note(width: LengthField['width'], kind: LengthField['kind']): void {
    this.fields.push({ offset: this.base + this.length, width, kind });
  }
  override string(v: string): this {
    this.note(2, 'string');
    return super.string(v);
  }
  override nullableString(v: string | null): this {
    if (v === null) {
      this.note(2, 'string');
      return super.int16(-1);
    }
    return this.string(v);
  }
  override bytes(v: Uint8Array): this {
    this.note(4, 'bytes');
    return super.bytes(v);
  }
  override nullableBytes(v: Uint8Array | null): this {
    if (v === null) {
      this.note(4, 'bytes');
      return super.int32(-1);
    }
    return this.bytes(v);
  }
  override array<T>(items: readonly T[], writeItem: (w: KafkaWriter, item: T) => void): this {
    this.note(4, 'array');
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }
  override nullableArray<T>(items: readonly T[] | null, writeItem: (w: KafkaWriter, item: T) => void): this {
    if (items === null) {
      this.note(4, 'array');
      return super.int32(-1);
    }
    return this.array(items, writeItem);
  }
  // Flexible versions: each compact length's varint, and each tagged-field count.
  override compactString(v: string): this {
    this.note(1, 'string');
    return super.compactString(v);
  }
  override compactNullableString(v: string | null): this {
    if (v === null) {
      this.note(1, 'string');
      return super.uvarint(0);
    }
    return this.compactString(v);
  }
  override compactBytes(v: Uint8Array): this {
    this.note(1, 'bytes');
    return super.compactBytes(v);
  }
  override compactNullableBytes(v: Uint8Array | null): this {
    if (v === null) {
      this.note(1, 'bytes');
      return super.uvarint(0);
    }
    return this.compactBytes(v);
  }
  override compactArray<T>(items: readonly T[], writeItem: (w: KafkaWriter, item: T) => void): this {
    this.note(1, 'array');
    return super.compactArray(items, writeItem);
  }
  override compactNullableArray<T>(items: readonly T[] | null, writeItem: (w: KafkaWriter, item: T) => void): this {
    if (items === null) {
      this.note(1, 'array');
      return super.uvarint(0);
    }
    return this.compactArray(items, writeItem);
  }
  override taggedFields(): this {
    this.note(1, 'tags');
    return super.taggedFields();
  }
}

let corpusCache: readonly SeedRequest[] | undefined;

/** The seed requests: every (API, version) of KAFKA_APIS that MIRRORS can encode. */
export function seedCorpus(): readonly SeedRequest[] {
  if (corpusCache !== undefined) return corpusCache;
  const out: SeedRequest[] = [];
  for (const api of Object.keys(KAFKA_APIS) as KafkaApiName[]) {
    const c = KAFKA_APIS[api];
    const mirror = (MIRRORS as Partial<Record<KafkaApiName, Mirror<KafkaApiName>>>)[api];
    if (mirror === undefined) continue; // served, but the test codec cannot encode it (yet)
    for (let v = c.minVersion; v <= c.maxVersion; v++) {
      const header = encodeRequestHeader(api, v, 0, CLIENT_ID); // v1, or v2 for a flexible version
      const w = new RecordingWriter(header.length);
      mirror.encodeRequest(w, v, mirror.requestSample(v));
      const frame = Buffer.concat([header, w.toBuffer()]);
      // The recording must agree with the test codec's own framing.
      if (!frame.equals(encodeRequestFrame(api, v, mirror.requestSample(v) as never, 0, CLIENT_ID))) {
        throw new Error(`seed corpus: ${api} v${v} does not encode as tools/kafka-client/mirror-codec.ts does`);
      }
      out.push({
        api,
        apiKey: c.apiKey,
        version: v,
        minVersion: c.minVersion,
        maxVersion: c.maxVersion,
        frame,
        fields: [{ offset: HEADER_CLIENT_ID_OFFSET, width: 2, kind: 'string' }, ...w.fields],
      });
    }
  }
  if (out.length === 0) throw new Error('seed corpus is empty');
  corpusCache = out;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frame generation.

export type FrameKind = 'random' | 'mutated' | 'valid';

/**
 *   answer    a valid request: exactly one answer, in order, that decodes; the connection stays
 *   any       answered or the connection closed: both are fine
 *   end-after the broker may wait for bytes that never come: we end the connection after it
 */
export type FrameExpectation = 'answer' | 'any' | 'end-after';

export interface FuzzFrame {
  readonly index: number;
  readonly kind: FrameKind;
  /** Which seed request a mutated or valid frame came from ("Metadata v4"). */
  readonly base: string | null;
  readonly mutations: readonly string[];
  /** The bytes on the wire, size prefix included. */
  readonly bytes: Buffer;
  readonly expect: FrameExpectation;
  /** For valid frames: how to decode the answer. */
  readonly api: KafkaApiName | null;
  readonly version: number;
}

export interface FrameMix {
  /** Share of frames that are valid (the rest is split between random and mutated). */
  readonly valid: number;
  /** Share of frames that are random bytes. */
  readonly random: number;
}

export const DEFAULT_MIX: FrameMix = { valid: 0.2, random: 0.2 };

/** Api keys worth trying: served ones, known unserved ones, around them, and the edges. */
const INTERESTING_API_KEYS = [0, 1, 2, 4, 5, 6, 7, 11, 12, 13, 14, 17, 21, 22, 28, 29, 30, 31, 36, 43, 44, 45, 46, 47, 50, 60, 67, 68, 74, 255, 256, 0x7fff, -1, -2, -32768];
const INTERESTING_I16 = [0, -1, -2, 1, 0x7fff, -0x8000, 0x7ffe, 0x4000, 0xff];
/** For the first byte of a varint: zero (null), small, a continuation byte, all bits. */
const INTERESTING_U8 = [0, 1, 2, 0x7f, 0x80, 0xff];
const INTERESTING_I32 = [0, -1, -2, 1, 0x7fffffff, -0x80000000, 0x10000000, 0x01000000, 0x10000, 0xffff, 0x7ffffffe];

function writeInt(frame: Buffer, offset: number, width: 1 | 2 | 4, value: number): void {
  if (offset + width > frame.length) return;
  if (width === 1) frame.writeUInt8(value & 0xff, offset);
  else if (width === 2) frame.writeInt16BE(((value + 0x8000) & 0xffff) - 0x8000, offset);
  else frame.writeInt32BE(value | 0, offset);
}

function readInt(frame: Buffer, offset: number, width: 1 | 2 | 4): number {
  if (offset + width > frame.length) return 0;
  if (width === 1) return frame.readUInt8(offset);
  return width === 2 ? frame.readInt16BE(offset) : frame.readInt32BE(offset);
}

/** One body/header mutation; returns the new frame and its name. Offsets may be stale after inserts. */
function mutateOnce(r: Prng, frame: Buffer, seed: SeedRequest, fields: readonly LengthField[]): [Buffer, string] {
  const choice = r.int(100);
  if (choice < 16) {
    const out = Buffer.from(frame);
    const flips = r.chance(0.7) ? 1 : r.range(2, 8);
    for (let i = 0; i < flips && out.length > 0; i++) {
      const at = r.int(out.length);
      out[at] = out[at]! ^ (1 << r.int(8));
    }
    return [out, `bitflip(${flips})`];
  }
  if (choice < 24) {
    const out = Buffer.from(frame);
    const n = r.range(1, 4);
    for (let i = 0; i < n && out.length > 0; i++) out[r.int(out.length)] = r.pick([0x00, 0xff, 0x7f, 0x80, 0x01, r.next() & 0xff]);
    return [out, `byteset(${n})`];
  }
  if (choice < 31) {
    const at = r.int(frame.length + 1);
    const n = r.chance(0.8) ? r.range(1, 16) : r.range(17, 4096);
    return [Buffer.concat([frame.subarray(0, at), r.bytes(n), frame.subarray(at)]), `insert(${n}@${at})`];
  }
  if (choice < 38) {
    if (frame.length === 0) return [frame, 'delete(0)'];
    const at = r.int(frame.length);
    const n = Math.min(frame.length - at, r.range(1, 16));
    return [Buffer.concat([frame.subarray(0, at), frame.subarray(at + n)]), `delete(${n}@${at})`];
  }
  if (choice < 45) {
    const at = r.int(frame.length);
    return [Buffer.from(frame.subarray(0, at)), `truncate(${at})`];
  }
  if (choice < 50) {
    const n = r.chance(0.8) ? r.range(1, 16) : r.range(17, 2048);
    return [Buffer.concat([frame, r.chance(0.5) ? Buffer.alloc(n) : r.bytes(n)]), `trailing(${n})`];
  }
  if (choice < 72 && fields.length > 0) {
    // A length or count field: huge, negative, null, off by one, or random.
    const f = r.pick(fields);
    const out = Buffer.from(frame);
    const current = readInt(out, f.offset, f.width);
    const options = f.width === 1 ? INTERESTING_U8 : f.width === 2 ? INTERESTING_I16 : INTERESTING_I32;
    const roll = r.int(10);
    const value =
      roll < 5
        ? r.pick(options)
        : roll < 7
          ? current + r.pick([1, -1, 2, -2])
          : roll < 8
            ? -r.range(2, 1000)
            : f.width === 1
              ? r.next() & 0xff
              : f.width === 2
                ? (r.next() & 0xffff) - 0x8000
                : r.next() | 0;
    writeInt(out, f.offset, f.width, value);
    return [out, `${f.kind}-length@${f.offset}=${value}`];
  }
  if (choice < 80) {
    const out = Buffer.from(frame);
    const key = r.chance(0.6) ? r.pick(INTERESTING_API_KEYS) : r.chance(0.5) ? r.range(0, 80) : (r.next() & 0xffff) - 0x8000;
    writeInt(out, 0, 2, key);
    return [out, `api-key=${key}`];
  }
  if (choice < 90) {
    const out = Buffer.from(frame);
    const roll = r.int(6);
    const version =
      roll === 0 ? seed.maxVersion + 1 : roll === 1 ? seed.minVersion - 1 : roll === 2 ? r.pick([-1, 0x7fff, -0x8000, 3, 4]) : r.range(seed.minVersion, seed.maxVersion);
    writeInt(out, 2, 2, version);
    return [out, `api-version=${version}`];
  }
  if (choice < 95) {
    const out = Buffer.from(frame);
    writeInt(out, HEADER_CORRELATION_OFFSET, 4, r.pick(INTERESTING_I32));
    return [out, 'correlation-id'];
  }
  // A random aligned word anywhere: catches INT16/INT32 fields the writer did not note (counts of
  // partitions, timeouts, replication factors...).
  const out = Buffer.from(frame);
  const width = r.chance(0.5) ? 2 : 4;
  const at = r.int(Math.max(1, frame.length - width + 1));
  const value = r.pick(width === 2 ? INTERESTING_I16 : INTERESTING_I32);
  writeInt(out, at, width, value);
  return [out, `word${width * 8}@${at}=${value}`];
}

function withSize(frame: Buffer, size = frame.length): Buffer {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeInt32BE(size | 0, 0);
  frame.copy(out, 4);
  return out;
}

/** Frame `index` of the stream of `seed` (pure: the same arguments give the same bytes). */
export function generateFuzzFrame(seed: number, index: number, mix: FrameMix = DEFAULT_MIX): FuzzFrame {
  const corpus = seedCorpus();
  const r = new Prng(seed, index);
  const roll = r.float();
  if (roll < mix.valid) {
    const s = r.pick(corpus);
    const frame = Buffer.from(s.frame);
    frame.writeInt32BE(index | 0, HEADER_CORRELATION_OFFSET);
    return { index, kind: 'valid', base: `${s.api} v${s.version}`, mutations: [], bytes: withSize(frame), expect: 'answer', api: s.api, version: s.version };
  }
  if (roll < mix.valid + mix.random) {
    const length = r.chance(0.85) ? r.range(0, 64) : r.chance(0.8) ? r.range(65, 1024) : r.range(1025, 16384);
    const body = r.bytes(length);
    // Usually a Kafka-looking start: api key high byte 0, a correlation id.
    if (length > 0 && r.chance(0.9)) body[0] = 0;
    if (length >= 8 && r.chance(0.5)) body.writeInt32BE(index | 0, HEADER_CORRELATION_OFFSET);
    const sizeRoll = r.int(20);
    if (sizeRoll === 0) return { index, kind: 'random', base: null, mutations: ['size=random'], bytes: withSize(body, r.next() | 0), expect: 'end-after', api: null, version: 0 };
    if (sizeRoll === 1) return { index, kind: 'random', base: null, mutations: ['size=longer'], bytes: withSize(body, length + r.range(1, 64)), expect: 'end-after', api: null, version: 0 };
    return { index, kind: 'random', base: null, mutations: [`random(${length})`], bytes: withSize(body), expect: 'any', api: null, version: 0 };
  }

  const s = r.pick(corpus);
  let frame: Buffer = Buffer.from(s.frame);
  frame.writeInt32BE(index | 0, HEADER_CORRELATION_OFFSET);
  const mutations: string[] = [];
  const count = r.chance(0.7) ? 1 : r.range(2, 3);
  for (let i = 0; i < count; i++) {
    // Field offsets are exact only until a mutation moves bytes; later ones may hit other bytes.
    const [next, name] = mutateOnce(r, frame, s, s.fields);
    frame = next;
    mutations.push(name);
  }
  // Sometimes the size prefix lies.
  const sizeRoll = r.int(100);
  let bytes: Buffer;
  let expect: FrameExpectation = 'any';
  if (sizeRoll < 4) {
    const k = r.range(1, Math.max(1, frame.length));
    bytes = withSize(frame, frame.length - k);
    mutations.push(`size=${frame.length - k}(shorter)`);
    expect = 'end-after'; // the rest starts a frame of its own, which may wait for more bytes
  } else if (sizeRoll < 7) {
    const extra = r.chance(0.8) ? r.range(1, 64) : r.range(65, 1 << 20);
    bytes = withSize(frame, frame.length + extra);
    mutations.push(`size=${frame.length + extra}(longer)`);
    expect = 'end-after';
  } else if (sizeRoll < 10) {
    const size = r.pick([MAX_KAFKA_FRAME_BYTES + 1, 0x7fffffff, MAX_KAFKA_FRAME_BYTES + r.range(2, 1 << 20)]);
    bytes = withSize(frame, size);
    mutations.push(`size=${size}(over limit)`);
  } else if (sizeRoll < 12) {
    const size = r.pick([-1, -0x80000000, -r.range(2, 1 << 30)]);
    bytes = withSize(frame, size);
    mutations.push(`size=${size}(negative)`);
  } else if (sizeRoll < 13) {
    bytes = withSize(Buffer.alloc(0), 0);
    mutations.push('size=0');
  } else if (sizeRoll < 14) {
    const size = r.pick([MAX_KAFKA_FRAME_BYTES, MAX_KAFKA_FRAME_BYTES - 1, r.range(1 << 20, MAX_KAFKA_FRAME_BYTES)]);
    bytes = withSize(frame, size);
    mutations.push(`size=${size}(huge, within limit)`);
    expect = 'end-after';
  } else {
    bytes = withSize(frame);
  }
  return { index, kind: 'mutated', base: `${s.api} v${s.version}`, mutations, bytes, expect, api: null, version: 0 };
}

/** A frame as one line: index, kind, what it came from, the mutations, the hex. */
export function describeFrame(f: FuzzFrame): string {
  return `#${f.index} ${f.kind}${f.base !== null ? ` of ${f.base}` : ''}${f.mutations.length > 0 ? ` [${f.mutations.join(', ')}]` : ''} ${f.bytes.length} bytes: ${f.bytes.toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// The run.

export interface KafkaFuzzOptions {
  readonly host: string;
  readonly port: number;
  /** Random + mutated frames to send (valid ones are mixed in on top). */
  readonly frames: number;
  readonly seed: number;
  /** The whole run stops here (result.timedOut) even if not every frame was sent. */
  readonly timeLimitMs: number;
  /** Fuzzing connections open at once. Default 16. */
  readonly connections?: number;
  /** Frames and bytes one connection writes before it waits for the outcome. Defaults 32, 64 KiB. */
  readonly runFramesMax?: number;
  readonly runBytesMax?: number;
  /** A run neither answered nor closed within this is a finding (stall). Default 30 s (> the broker's 25 s forwarding timeout). */
  readonly stallTimeoutMs?: number;
  /** Pause between bystander rounds (ApiVersions v2 + Metadata). Default 50 ms. */
  readonly bystanderIntervalMs?: number;
  /** A bystander answer later than this is a failure. Default 5 s. */
  readonly bystanderTimeoutMs?: number;
  readonly mix?: FrameMix;
  /** Called about every `progressEvery` frames. */
  readonly onProgress?: (p: { framesSent: number; elapsedMs: number }) => void;
  readonly progressEvery?: number;
  /**
   * Probes beside the fuzzing, off by default. fullSizeFrames: connections that each send one
   * request of exactly the broker's frame limit (MAX_KAFKA_FRAME_BYTES, allowed) for an API it does
   * not serve, every byte of it; the broker must refuse it and close, without stalling others,
   * within fullSizeFrameMaxMs (default 20 s) of its first byte (loopback moves 100 MiB in well
   * under a second).
   */
  readonly fullSizeFrames?: number;
  readonly fullSizeFrameMaxMs?: number;
  /**
   * nonReaders: connections that pipeline valid ApiVersions requests and never read an answer, up
   * to nonReaderBytes (default 64 MiB) each. A broker must stop reading from such a client
   * (back-pressure) instead of buffering every answer: more than nonReaderAcceptedMax (default 40 MiB:
   * kernel socket buffers on loopback may hold tens of MiB) taken from one of them is a finding.
   */
  readonly nonReaders?: number;
  readonly nonReaderBytes?: number;
  readonly nonReaderAcceptedMax?: number;
}

export interface FuzzFinding {
  readonly kind: 'stall' | 'bad-answer' | 'unexpected-answer' | 'broker-unreachable' | 'full-size-frame' | 'non-reader';
  readonly detail: string;
  /** The frames the connection had carried, in order (the last 256), to replay it. */
  readonly frames: readonly number[];
}

export interface BystanderStats {
  ok: number;
  failed: number;
  maxLatencyMs: number;
  /** The first few failures, with their reasons. */
  failures: string[];
}

export interface KafkaFuzzResult {
  seed: number;
  framesRequested: number;
  /** Random + mutated frames written. */
  framesSent: number;
  validFramesSent: number;
  byKind: Record<FrameKind, number>;
  /** How often each kind of mutation was used (the name up to its first '(' '@' or '='). */
  byMutation: Record<string, number>;
  bytesSent: number;
  bytesReceived: number;
  /** Answers received on fuzzing connections (valid ones decoded and checked). */
  answers: number;
  /** Random or mutated frames the broker answered (they decoded, or were ApiVersions of another version). */
  fuzzFramesAnswered: number;
  connectionsOpened: number;
  /** Closed by the broker while we waited for an answer: what a refused frame costs. */
  connectionsClosedByBroker: number;
  /** Ended by us after a frame the broker would wait on forever. */
  connectionsEndedByFuzzer: number;
  connectFailures: number;
  bystander: BystanderStats;
  findings: FuzzFinding[];
  elapsedMs: number;
  /** The time limit stopped the run before every frame was sent. */
  timedOut: boolean;
  /** The probes, when asked for: per full-size frame, ms from its first byte to the broker's close (null: not closed). */
  fullSizeFrameMs: (number | null)[];
  /** Per non-reading client: request bytes the broker took from it (the rest stayed with us). */
  nonReaderAcceptedBytes: number[];
}

const FINDINGS_MAX = 50;
const BYSTANDER_FAILURES_MAX = 20;
const HISTORY_MAX = 256;
const CONNECT_FAILURES_IN_A_ROW_MAX = 50;

/** A response splitter: INT32 size, then the body (correlation id first). */
class ResponseReader {
  private chunks: Buffer[] = [];
  private bytes = 0;
  push(chunk: Buffer, onFrame: (body: Buffer) => void): string | null {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes >= 4) {
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
      this.chunks = [all];
      const size = all.readInt32BE(0);
      if (size < 4 || size > 256 * 1024 * 1024) return `answer with size ${size}`;
      if (all.length < 4 + size) break;
      const body = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.bytes = rest.length;
      onFrame(body);
    }
    return null;
  }
}

function mutationName(m: string): string {
  const cut = m.search(/[(@=]/);
  return cut < 0 ? m : m.slice(0, cut);
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends the frames on a pool of connections with a bystander beside them; see the file header. */
export async function runKafkaFuzz(o: KafkaFuzzOptions): Promise<KafkaFuzzResult> {
  const started = performance.now();
  const deadline = started + o.timeLimitMs;
  const poolSize = o.connections ?? 16;
  const runFramesMax = o.runFramesMax ?? 32;
  const runBytesMax = o.runBytesMax ?? 64 * 1024;
  const stallTimeoutMs = o.stallTimeoutMs ?? 30_000;
  const mix = o.mix ?? DEFAULT_MIX;
  const progressEvery = o.progressEvery ?? 10_000;
  seedCorpus();

  const result: KafkaFuzzResult = {
    seed: o.seed,
    framesRequested: o.frames,
    framesSent: 0,
    validFramesSent: 0,
    byKind: { random: 0, mutated: 0, valid: 0 },
    byMutation: {},
    bytesSent: 0,
    bytesReceived: 0,
    answers: 0,
    fuzzFramesAnswered: 0,
    connectionsOpened: 0,
    connectionsClosedByBroker: 0,
    connectionsEndedByFuzzer: 0,
    connectFailures: 0,
    bystander: { ok: 0, failed: 0, maxLatencyMs: 0, failures: [] },
    findings: [],
    elapsedMs: 0,
    timedOut: false,
    fullSizeFrameMs: [],
    nonReaderAcceptedBytes: [],
  };
  const finding = (f: FuzzFinding) => {
    if (result.findings.length < FINDINGS_MAX) result.findings.push(f);
  };

  let nextIndex = 0;
  let stopped = false;
  let connectFailuresInARow = 0;
  let lastProgress = 0;
  const live = new Set<net.Socket>();
  const overDeadline = () => {
    if (performance.now() >= deadline) {
      if (result.framesSent < o.frames) result.timedOut = true;
      stopped = true;
    }
    return stopped;
  };
  const deadlineTimer = setInterval(() => {
    if (overDeadline()) for (const s of live) s.destroy();
  }, 100);

  /** One fuzzing connection after another, until the frames run out. */
  const worker = async (): Promise<void> => {
    while (!overDeadline() && result.framesSent < o.frames) {
      let socket: net.Socket;
      try {
        socket = await connect(o.host, o.port, 5_000);
        connectFailuresInARow = 0;
      } catch (e) {
        result.connectFailures++;
        if (++connectFailuresInARow >= CONNECT_FAILURES_IN_A_ROW_MAX) {
          if (!stopped) finding({ kind: 'broker-unreachable', detail: `${connectFailuresInARow} connects in a row failed, the last with: ${(e as Error).message}`, frames: [] });
          stopped = true;
          return;
        }
        await sleep(20);
        continue;
      }
      result.connectionsOpened++;
      live.add(socket);
      await serveConnection(socket);
      live.delete(socket);
      socket.destroy();
    }
  };

  const serveConnection = async (socket: net.Socket): Promise<void> => {
    const history: number[] = [];
    const reader = new ResponseReader();
    /** Valid frames waiting for their answer, in order. */
    const awaiting: FuzzFrame[] = [];
    /** The run's last frame, which may be answered or refused; null when the run has none. */
    let tail: FuzzFrame | null = null;
    let tailAnswered = false;
    let endedByUs = false;
    let closed = false;
    let wake: (() => void) | null = null;
    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const note = (f: FuzzFinding) => finding(f);

    socket.on('data', (chunk: Buffer) => {
      result.bytesReceived += chunk.length;
      const bad = reader.push(chunk, (body) => {
        result.answers++;
        const correlationId = body.readInt32BE(0);
        const head = awaiting[0];
        if (head !== undefined) {
          awaiting.shift();
          if (correlationId !== head.index) {
            note({ kind: 'bad-answer', detail: `answer with correlation id ${correlationId} where frame #${head.index} (${head.base}) was next`, frames: [...history] });
            return;
          }
          try {
            decodeResponseFrame(head.api!, head.version, body);
          } catch (e) {
            note({ kind: 'bad-answer', detail: `answer to #${head.index} (${head.base}) does not decode: ${(e as Error).message}`, frames: [...history] });
          }
        } else if (tail !== null && !tailAnswered) {
          tailAnswered = true;
          result.fuzzFramesAnswered++;
        } else if (!endedByUs) {
          note({ kind: 'unexpected-answer', detail: `an answer (correlation id ${correlationId}) to nothing we sent`, frames: [...history] });
        }
      });
      if (bad !== null) {
        note({ kind: 'bad-answer', detail: bad, frames: [...history] });
        socket.destroy();
      }
      poke();
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      closed = true;
      poke();
    });

    let fresh = true;
    /** A frame that may be refused, held back until the valid frames before it are answered. */
    let held: FuzzFrame | null = null;
    while (!closed && !overDeadline() && result.framesSent < o.frames) {
      // Write one run.
      let runBytes = 0;
      let runFrames = 0;
      tail = null;
      tailAnswered = false;
      let endAfter = false;
      while (runFrames < runFramesMax && runBytes < runBytesMax && result.framesSent < o.frames) {
        const f: FuzzFrame = held ?? generateFuzzFrame(o.seed, nextIndex++, mix);
        held = null;
        if (f.expect !== 'answer' && awaiting.length > 0) {
          // Its refusal would close the connection before the answers to the valid frames are
          // written: let those come first, so each of them is checked.
          held = f;
          break;
        }
        let expect = f.expect;
        // The first bytes of a connection choose the protocol (quorum/net/server.ts): too few of
        // them, or a non-zero 5th byte, go to our own handshake, which waits for its own frame.
        if (fresh && (f.bytes.length < 5 || f.bytes[4] !== 0)) expect = 'end-after';
        fresh = false;
        history.push(f.index);
        if (history.length > HISTORY_MAX) history.shift();
        const flushed = socket.write(f.bytes);
        runFrames++;
        runBytes += f.bytes.length;
        result.bytesSent += f.bytes.length;
        result.byKind[f.kind]++;
        for (const m of f.mutations) result.byMutation[mutationName(m)] = (result.byMutation[mutationName(m)] ?? 0) + 1;
        if (f.kind === 'valid') result.validFramesSent++;
        else result.framesSent++;
        if (result.framesSent - lastProgress >= progressEvery) {
          lastProgress = result.framesSent;
          o.onProgress?.({ framesSent: result.framesSent, elapsedMs: performance.now() - started });
        }
        if (expect === 'answer') awaiting.push(f);
        else {
          tail = f;
          endAfter = expect === 'end-after';
          break;
        }
        if (!flushed) break; // let the socket drain before writing more
      }
      if (endAfter) {
        endedByUs = true;
        socket.end();
      }
      // Wait for the outcome: every valid frame answered (and the tail answered), or closed.
      const waitStart = performance.now();
      while (!closed && !stopped) {
        const answered = awaiting.length === 0 && (tail === null || tailAnswered);
        if (answered && !endAfter) break;
        const left = waitStart + stallTimeoutMs - performance.now();
        if (left <= 0) {
          note({
            kind: 'stall',
            detail: `no answer and no close within ${stallTimeoutMs} ms (${awaiting.length} valid frames unanswered${tail !== null ? `, last frame #${tail.index} ${endAfter ? 'then our FIN' : 'unanswered'}` : ''})`,
            frames: [...history],
          });
          socket.destroy();
          return;
        }
        await new Promise<void>((r) => {
          const timer = setTimeout(r, Math.min(left, 1_000));
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
      if (closed) {
        if (endedByUs) result.connectionsEndedByFuzzer++;
        else if (!stopped) result.connectionsClosedByBroker++;
        return;
      }
      if (socket.writableLength > 0) await new Promise<void>((r) => socket.once('drain', r).once('close', r));
    }
  };

  // The bystander: a well-behaved client on its own connection.
  let bystanderStop = false;
  const bystander = async (): Promise<void> => {
    const intervalMs = o.bystanderIntervalMs ?? 50;
    const timeoutMs = o.bystanderTimeoutMs ?? 5_000;
    let correlation = 0;
    const fail = (why: string) => {
      result.bystander.failed++;
      if (result.bystander.failures.length < BYSTANDER_FAILURES_MAX) result.bystander.failures.push(`${new Date().toISOString()} ${why}`);
    };
    const metadataVersion = Math.min(KAFKA_APIS.Metadata.maxVersion, 6);
    while (!bystanderStop) {
      let socket: net.Socket;
      try {
        socket = await connect(o.host, o.port, timeoutMs);
      } catch (e) {
        fail(`connect: ${(e as Error).message}`);
        await sleep(intervalMs);
        continue;
      }
      const reader = new ResponseReader();
      const waiting = new Map<number, { api: 'ApiVersions' | 'Metadata'; version: number; sentAt: number; done: (error: string | null) => void }>();
      let closedWhy: string | null = null;
      socket.on('data', (chunk: Buffer) => {
        const bad = reader.push(chunk, (body) => {
          const id = body.readInt32BE(0);
          const w = waiting.get(id);
          if (w === undefined) return void (closedWhy ??= `answer with unknown correlation id ${id}`);
          waiting.delete(id);
          const latency = performance.now() - w.sentAt;
          try {
            if (w.api === 'ApiVersions') {
              const a = decodeResponseBody('ApiVersions', w.version, body.subarray(4));
              if (a.errorCode !== 0) return w.done(`ApiVersions v${w.version} answered error ${a.errorCode}`);
              if (!a.apiKeys.some((k) => k.apiKey === KAFKA_APIS.Metadata.apiKey)) return w.done('ApiVersions does not list Metadata');
            } else {
              const m = decodeResponseBody('Metadata', w.version, body.subarray(4));
              if (m.brokers.length === 0) return w.done(`Metadata v${w.version} lists no brokers`);
            }
          } catch (e) {
            return w.done(`${w.api} v${w.version} answer does not decode: ${(e as Error).message}`);
          }
          result.bystander.maxLatencyMs = Math.max(result.bystander.maxLatencyMs, latency);
          w.done(null);
        });
        if (bad !== null) {
          closedWhy ??= bad;
          socket.destroy();
        }
      });
      socket.on('error', (e) => (closedWhy ??= `connection error: ${e.message}`));
      socket.on('close', () => {
        closedWhy ??= 'the broker closed the bystander connection';
        for (const w of waiting.values()) w.done(closedWhy);
        waiting.clear();
      });
      const ask = (api: 'ApiVersions' | 'Metadata', version: number, frame: Buffer, id: number) =>
        new Promise<string | null>((resolveAsk) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            resolveAsk(`${api} v${version} not answered within ${timeoutMs} ms`);
          }, timeoutMs);
          waiting.set(id, {
            api,
            version,
            sentAt: performance.now(),
            done: (error) => {
              clearTimeout(timer);
              resolveAsk(error);
            },
          });
          socket.write(withSize(frame));
        });
      let roundFailed = false;
      while (!bystanderStop && closedWhy === null) {
        const a = ++correlation;
        const m = ++correlation;
        const outcomes = await Promise.all([
          ask('ApiVersions', 2, encodeRequestFrame('ApiVersions', 2, {}, a, 'bystander'), a),
          ask('Metadata', metadataVersion, encodeRequestFrame('Metadata', metadataVersion, { topics: [], allowAutoTopicCreation: false }, m, 'bystander'), m),
        ]);
        for (const why of outcomes) {
          if (why === null) result.bystander.ok++;
          else fail(why);
        }
        if (outcomes.some((w) => w !== null)) {
          roundFailed = true;
          break; // start over on a new connection
        }
        await sleep(intervalMs);
      }
      // Closed between two rounds: a failure too.
      if (!roundFailed && closedWhy !== null && !bystanderStop) fail(closedWhy);
      socket.destroy();
    }
  };

  // Probe: a request of exactly the frame limit, all of it (see KafkaFuzzOptions.fullSizeFrames).
  const fullSizeFrame = async (): Promise<void> => {
    let socket: net.Socket;
    try {
      socket = await connect(o.host, o.port, 5_000);
    } catch {
      return;
    }
    result.connectionsOpened++;
    live.add(socket);
    socket.on('error', () => undefined);
    socket.resume(); // discard whatever comes back
    let closedAt: number | null = null;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        closedAt = performance.now();
        r();
      }),
    );
    const firstByteAt = performance.now();
    const head = new KafkaWriter().int32(MAX_KAFKA_FRAME_BYTES).int16(0).int16(0).int32(-1).nullableString(CLIENT_ID).toBuffer();
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024);
    let left = MAX_KAFKA_FRAME_BYTES - (head.length - 4);
    while (left > 0 && closedAt === null && !stopped) {
      const n = Math.min(left, chunk.length);
      if (!socket.write(chunk.subarray(0, n))) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
      left -= n;
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([closed.then(() => 'closed' as const), new Promise<'open'>((r) => (timer = setTimeout(() => r('open'), stallTimeoutMs)))]);
    clearTimeout(timer);
    live.delete(socket);
    socket.destroy();
    if (stopped && outcome !== 'closed') return;
    const ms = closedAt === null ? null : Math.round(closedAt - firstByteAt);
    result.fullSizeFrameMs.push(ms);
    const maxMs = o.fullSizeFrameMaxMs ?? 20_000;
    if (ms === null) finding({ kind: 'full-size-frame', detail: `a request of ${MAX_KAFKA_FRAME_BYTES} bytes for api key 0 was not refused within ${stallTimeoutMs} ms of its last byte`, frames: [] });
    else {
      result.connectionsClosedByBroker++;
      if (ms > maxMs) finding({ kind: 'full-size-frame', detail: `a request of ${MAX_KAFKA_FRAME_BYTES} bytes (the frame limit) for api key 0 took ${ms} ms from its first byte to its refusal (more than ${maxMs} ms)`, frames: [] });
    }
  };

  // Probe: a client that never reads (see KafkaFuzzOptions.nonReaders).
  const nonReader = async (id: number): Promise<void> => {
    const total = o.nonReaderBytes ?? 64 * 1024 * 1024;
    const acceptedMax = o.nonReaderAcceptedMax ?? 40 * 1024 * 1024;
    let socket: net.Socket;
    try {
      socket = await connect(o.host, o.port, 5_000);
    } catch {
      return;
    }
    result.connectionsOpened++;
    live.add(socket);
    socket.pause(); // never read
    socket.on('error', () => undefined);
    let isClosed = false;
    socket.once('close', () => (isClosed = true));
    const batch = Buffer.concat(Array.from({ length: 4096 }, (_, i) => withSize(encodeRequestFrame('ApiVersions', 2, {}, (id << 24) | i, 'non-reader'))));
    let written = 0;
    while (written < total && !isClosed && !stopped) {
      const ok = socket.write(batch);
      written += batch.length;
      if (!ok) {
        // Blocked: the broker stopped taking bytes. Wait a moment to see whether it stays so.
        const drained = await Promise.race([new Promise<boolean>((r) => socket.once('drain', () => r(true))), sleep(2_000).then(() => false)]);
        if (!drained) break;
      }
    }
    const accepted = socket.bytesWritten - socket.writableLength;
    live.delete(socket);
    socket.destroy();
    result.nonReaderAcceptedBytes.push(accepted);
    if (accepted > acceptedMax) {
      finding({ kind: 'non-reader', detail: `the broker took ${accepted} bytes of requests (${Math.round(accepted / 16)} ApiVersions) from a client that never reads its answers: it buffers the answers instead of applying back-pressure`, frames: [] });
    }
  };

  const bystanderDone = bystander();
  try {
    await Promise.all([
      ...Array.from({ length: poolSize }, () => worker()),
      ...Array.from({ length: o.fullSizeFrames ?? 0 }, () => fullSizeFrame()),
      ...Array.from({ length: o.nonReaders ?? 0 }, (_, i) => nonReader(i)),
    ]);
  } finally {
    clearInterval(deadlineTimer);
    for (const s of live) s.destroy();
    bystanderStop = true;
    await bystanderDone;
  }
  result.elapsedMs = Math.round(performance.now() - started);
  result.bystander.maxLatencyMs = Math.round(result.bystander.maxLatencyMs * 10) / 10;
  return result;
}

/** True when the run shows nothing wrong (the CLI's exit code 0). */
export function fuzzPassed(r: KafkaFuzzResult): boolean {
  return !r.timedOut && r.framesSent === r.framesRequested && r.findings.length === 0 && r.bystander.failed === 0 && r.bystander.ok > 0;
}

export interface ReplayResult {
  /** 'closed' by the broker, 'open' after waitMs, or 'refused' (could not connect). */
  readonly outcome: 'closed' | 'open' | 'refused';
  readonly answers: number;
  readonly elapsedMs: number;
}

/** Writes frames `indices` of `seed`'s stream, in order, on one new connection, and waits for the outcome. */
export async function replayFrames(host: string, port: number, seed: number, indices: readonly number[], waitMs = 2_000, mix: FrameMix = DEFAULT_MIX): Promise<ReplayResult> {
  const started = performance.now();
  let socket: net.Socket;
  try {
    socket = await connect(host, port, 5_000);
  } catch {
    return { outcome: 'refused', answers: 0, elapsedMs: 0 };
  }
  let answers = 0;
  const reader = new ResponseReader();
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => reader.push(chunk, () => answers++));
  for (const i of indices) socket.write(generateFuzzFrame(seed, i, mix).bytes);
  const outcome = await Promise.race([closed.then(() => 'closed' as const), sleep(waitMs).then(() => 'open' as const)]);
  socket.destroy();
  return { outcome, answers, elapsedMs: Math.round(performance.now() - started) };
}

// ---------------------------------------------------------------------------------------------
// CLI.

function summary(r: KafkaFuzzResult): string {
  const lines = [
    `seed ${r.seed}: ${r.framesSent}/${r.framesRequested} random+mutated frames (${r.byKind.random} random, ${r.byKind.mutated} mutated) and ${r.validFramesSent} valid frames in ${r.elapsedMs} ms${r.timedOut ? ' (TIME LIMIT HIT)' : ''}`,
    `  ${(r.bytesSent / 1024 / 1024).toFixed(1)} MiB sent, ${(r.bytesReceived / 1024 / 1024).toFixed(1)} MiB and ${r.answers} answers received (${r.fuzzFramesAnswered} to random or mutated frames)`,
    `  connections: ${r.connectionsOpened} opened, ${r.connectionsClosedByBroker} closed by the broker, ${r.connectionsEndedByFuzzer} ended by the fuzzer, ${r.connectFailures} connect failures`,
    `  bystander: ${r.bystander.ok} ok, ${r.bystander.failed} failed, max latency ${r.bystander.maxLatencyMs} ms`,
    ...r.bystander.failures.map((f) => `    failure: ${f}`),
    ...(r.fullSizeFrameMs.length > 0 ? [`  full-size frames: refused ${r.fullSizeFrameMs.map((ms) => (ms === null ? 'never' : `${ms} ms`)).join(', ')} after their first byte`] : []),
    ...(r.nonReaderAcceptedBytes.length > 0 ? [`  non-reading clients: the broker took ${r.nonReaderAcceptedBytes.map((b) => `${(b / 1024 / 1024).toFixed(1)} MiB`).join(', ')} of requests`] : []),
    `  findings: ${r.findings.length}`,
    ...r.findings.map((f) => `    ${f.kind}: ${f.detail}${f.frames.length > 0 ? `\n      frames on that connection, in order: ${f.frames.join(',')}` : ''}`),
  ];
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${headerComment(fileURLToPath(import.meta.url))}\n`);
    return 0;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        bootstrap: { type: 'string' },
        frames: { type: 'string', default: '100000' },
        seed: { type: 'string', default: '1' },
        'time-limit-ms': { type: 'string', default: '60000' },
        connections: { type: 'string', default: '16' },
        json: { type: 'boolean', default: false },
        'print-frame': { type: 'string' },
        replay: { type: 'string' },
        'full-size-frames': { type: 'string', default: '0' },
        'non-readers': { type: 'string', default: '0' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const int = (name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return n;
  };
  try {
    const seed = int('seed', values.seed, 0, 0xffffffff);
    if (values['print-frame'] !== undefined) {
      for (const part of values['print-frame'].split(',')) process.stdout.write(`${describeFrame(generateFuzzFrame(seed, int('print-frame', part, 0)))}\n`);
      return 0;
    }
    if (values.bootstrap === undefined) throw new Error('--bootstrap host:port is required');
    const colon = values.bootstrap.lastIndexOf(':');
    if (colon <= 0) throw new Error(`--bootstrap must be host:port, got ${JSON.stringify(values.bootstrap)}`);
    const host = values.bootstrap.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = int('bootstrap port', values.bootstrap.slice(colon + 1), 1, 65535);
    if (values.replay !== undefined) {
      const indices = values.replay.split(',').map((p) => int('replay', p, 0));
      const r = await replayFrames(host, port, seed, indices);
      process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `replayed ${indices.length} frames: ${r.outcome}, ${r.answers} answers, ${r.elapsedMs} ms\n`);
      return 0;
    }
    const r = await runKafkaFuzz({
      host,
      port,
      frames: int('frames', values.frames, 1),
      seed,
      timeLimitMs: int('time-limit-ms', values['time-limit-ms'], 1),
      connections: int('connections', values.connections, 1, 1000),
      fullSizeFrames: int('full-size-frames', values['full-size-frames'], 0, 16),
      nonReaders: int('non-readers', values['non-readers'], 0, 64),
      ...(values.json ? {} : { onProgress: (p: { framesSent: number; elapsedMs: number }) => process.stderr.write(`  ${p.framesSent} frames, ${Math.round(p.elapsedMs)} ms\n`) }),
    });
    process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${summary(r)}\n`);
    return fuzzPassed(r) ? 0 : 1;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
