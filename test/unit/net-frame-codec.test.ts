// The frame codec of the internal protocol: length-prefixed msgpack, cut back into values
// whatever the chunking, with the size bound enforced before a body is buffered.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, FrameTooLargeError, plainCodec, SHAPE_KEYS_MAX, streamCodec } from '../../quorum/net/frame-codec.js';
import { Packr } from 'msgpackr';

function header(length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length, 0);
  return b;
}

/** Plain arrays of bytes instead of Uint8Array/Buffer, so decoded values compare by content and type. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

/** Values msgpack carries: numbers, strings, booleans, null, bytes, and arrays and objects of them (keys from `key`). */
function msgpackValue(key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
      fc.string({ maxLength: 20 }),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 40 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

describe('frame codec', () => {
  it('a frame is a 4-byte big-endian length then the msgpack payload, and round-trips', () => {
    const value = { t: 'q', id: 7, method: 'describeNode', body: { names: ['a', 'b'], big: 2 ** 40 + 3, neg: -5, f: 1.5, n: null } };
    const frame = encodeFrame(value);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(new FrameDecoder(1024).push(frame)).toEqual([value]);
  });

  it('frames split byte by byte are reassembled', () => {
    const values = [{ a: 1 }, 'two', [3, { four: 4 }]];
    const bytes = Buffer.concat(values.map(encodeFrame));
    const d = new FrameDecoder(1024);
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) {
      out.push(...d.push(bytes.subarray(i, i + 1)));
      if (i < bytes.length - 1) expect(out.length).toBeLessThan(values.length);
    }
    expect(out).toEqual(values);
    expect(d.bufferedBytes).toBe(0);
  });

  it('several frames in one chunk come out in order, with a trailing partial frame kept', () => {
    const all = Buffer.concat([encodeFrame(1), encodeFrame({ x: 'y' }), encodeFrame([true, false])]);
    const d = new FrameDecoder(1024);
    const cut = all.length - 3;
    expect(d.push(all.subarray(0, cut))).toEqual([1, { x: 'y' }]);
    expect(d.bufferedBytes).toBeGreaterThan(0);
    expect(d.push(all.subarray(cut))).toEqual([[true, false]]);
  });

  it('Uint8Array values come back as Uint8Array with the same bytes', () => {
    const records = [new Uint8Array([0, 1, 2, 255]), new Uint8Array(0), Buffer.from('hello')];
    const [out] = new FrameDecoder(1024).push(encodeFrame({ batches: [{ records }] })) as [{ batches: [{ records: unknown[] }] }];
    const got = out.batches[0].records;
    expect(got).toHaveLength(3);
    got.forEach((r, i) => {
      expect(r).toBeInstanceOf(Uint8Array);
      expect([...(r as Uint8Array)]).toEqual([...records[i]!]);
    });
  });

  it('a length above the bound is refused as soon as the header is seen, before any body', () => {
    const d = new FrameDecoder(1000);
    let error: unknown;
    try {
      d.push(header(1001));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).reason).toMatch(/1001 bytes exceeds the bound of 1000/);
    expect(d.bufferedBytes).toBe(0);
    // The decoder stays failed: nothing more is read from that stream.
    expect(() => d.push(encodeFrame('ok'))).toThrow(FrameError);
  });

  it('a frame exactly at the bound is accepted', () => {
    const frame = encodeFrame('x'.repeat(200));
    const d = new FrameDecoder(frame.length - 4);
    expect(d.push(frame)).toEqual(['x'.repeat(200)]);
  });

  it('the first frame has a bound of its own; the frames after it, in the same chunk too, are held to the larger one', () => {
    const first = encodeFrame('h'.repeat(90));
    const big = encodeFrame('x'.repeat(5000));
    const d = new FrameDecoder(8192, 100);
    expect(d.push(Buffer.concat([first, big]))).toEqual(['h'.repeat(90), 'x'.repeat(5000)]);
    // The same first frame one byte over its own bound is refused at its header.
    const refusing = new FrameDecoder(8192, first.length - 5);
    expect(() => refusing.push(first.subarray(0, 4))).toThrow(`frame of ${first.length - 4} bytes exceeds the bound of ${first.length - 5} bytes`);
    // A first-frame bound above the frame bound is no wider than it.
    expect(new FrameDecoder(1000, 5000).firstFrameBytesMax).toBe(1000);
  });

  it('a peer speaking HTTP is named as such (an HTTP port: a metrics listener?), not as a frame of a billion bytes; only at the first frame', () => {
    for (const start of ['HTTP/1.1 200 OK\r\n', 'GET /metrics HTTP/1.1\r\n', 'POST / HTTP/1.1\r\n']) {
      const d = new FrameDecoder(65536, 4096);
      expect(() => d.push(Buffer.from(start, 'latin1'))).toThrow(/the peer speaks HTTP \("(HTTP|GET|POST)…"\), not metaquorum's protocol: an HTTP port, such as a node's metrics listener\?/);
    }
    // After a first frame, the same bytes are just an oversized frame.
    const later = new FrameDecoder(65536, 4096);
    expect(later.push(encodeFrame('hello'))).toEqual(['hello']);
    expect(() => later.push(Buffer.from('HTTP/1.1 200 OK\r\n', 'latin1'))).toThrow(/frame of \d+ bytes exceeds the bound of 65536 bytes/);
  });

  it('an undecodable payload is a FrameError naming the problem', () => {
    const truncatedMap = Buffer.from([0x82, 0x01]); // a map of two entries holding half of one
    const d = new FrameDecoder(1024);
    expect(() => d.push(Buffer.concat([header(2), truncatedMap]))).toThrow(/undecodable payload of 2 bytes/);
  });

  it('a payload with trailing bytes after its value is refused', () => {
    const d = new FrameDecoder(1024);
    expect(() => d.push(Buffer.concat([header(2), Buffer.from([0x01, 0x02])]))).toThrow(FrameError);
  });

  it('an empty frame is refused', () => {
    expect(() => new FrameDecoder(1024).push(header(0))).toThrow(/empty frame/);
  });

  it('a frame dripped one byte per chunk is held in a few buffers, not one per byte, and decodes in linear time', () => {
    // Before, the decoder kept every chunk: a peer sending one byte per TCP segment made a node
    // hold ~160 bytes of bookkeeping per byte, and the frame's last byte then cost time quadratic
    // in the chunks (shifting them off one by one): 8 s on the event loop for 256 KiB.
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const frame = encodeFrame({ payload });
    const d = new FrameDecoder(2 << 20);
    let out: unknown[] = [];
    const startMs = performance.now();
    for (let i = 0; i < frame.length; i++) {
      out = d.push(frame.subarray(i, i + 1));
      if (d.bufferedChunks >= 64) expect.fail(`${d.bufferedChunks} buffers held after ${i + 1} bytes`);
    }
    expect(performance.now() - startMs).toBeLessThan(5_000);
    expect(out).toHaveLength(1);
    expect(Buffer.from((out[0] as { payload: Uint8Array }).payload).equals(Buffer.from(payload))).toBe(true);
    expect(d.bufferedChunks).toBe(0);
    // Large chunks are still kept as they came: a frame in 64 KiB chunks is 17 of them at most.
    const e = new FrameDecoder(2 << 20);
    for (let at = 0; at < frame.length; at += 64 * 1024) {
      out = e.push(frame.subarray(at, at + 64 * 1024));
      if (out.length === 0) expect(e.bufferedChunks).toBe(at / (64 * 1024) + 1);
    }
    expect(out).toHaveLength(1);
  });

  it('(property) any chunking of any frames decodes to the values encoded', () => {
    const value = msgpackValue(fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (values, cutSeeds) => {
        const bytes = Buffer.concat(values.map(encodeFrame));
        const cuts = [...new Set(cutSeeds.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const d = new FrameDecoder(1 << 20);
        const out: unknown[] = [];
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          out.push(...d.push(bytes.subarray(at, cut)));
          at = cut;
        }
        expect(normalize(out)).toEqual(normalize(values));
        expect(d.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stream codec (msgpackr records, one per connection)', () => {
  // msgpackr's own marker key and a built-in name among the ordinary keys.
  const value = msgpackValue(fc.oneof(fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'), fc.constantFrom('__keys__', 'constructor')));

  /** `values` through one end's encoder and, in order and in any chunking, the other end's decoder. */
  function across(values: readonly unknown[], cutSeeds: readonly number[] = []): unknown[] {
    const sender = streamCodec();
    const receiver = streamCodec();
    const bytes = Buffer.concat(values.map((v) => sender.encode(v)));
    const cuts = [...new Set(cutSeeds.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const d = new FrameDecoder(1 << 20);
    const out: unknown[] = [];
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      for (const body of d.bodies(bytes.subarray(at, cut))) out.push(d.decode(receiver, body));
      at = cut;
    }
    return out;
  }

  it('(property) any sequence of values, in any chunking, decodes at the other end to what the plain codec gives', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), (values, cutSeeds) => {
        const plain = values.map((v) => plainCodec.decode(encodeFrame(v).subarray(4)));
        expect(normalize(across(values, cutSeeds))).toEqual(normalize(plain));
      }),
      { numRuns: 300 },
    );
  });

  it('more shapes than the encoder keeps (it recycles record ids) still decode, the old shapes again too', () => {
    const shapes = Array.from({ length: 300 }, (_, i) => ({ [`k${i}`]: i, common: `v${i}`, [`z${i % 7}`]: [i] }));
    const values = [...shapes, ...shapes.slice(0, 50), ...shapes.slice(250)];
    expect(across(values)).toEqual(values);
  });

  it('a shape seen before is sent as its values only: the hot request is a quarter of its plain size', () => {
    const request = (n: number) => ({ t: 'q', id: n, method: 'alterPartition', body: { brokerId: 4, brokerEpoch: 12, topics: [{ topicId: 'AbCdEfGhIjKlMnOpQrStUv', partitions: [{ partitionIndex: n, leaderEpoch: 3, partitionEpoch: n, newIsrWithEpochs: [{ brokerId: 4, brokerEpoch: 12 }], leaderRecoveryState: 0 }] }] } });
    const codec = streamCodec();
    const first = codec.encode(request(1)).length;
    const second = codec.encode(request(2)).length;
    const plain = encodeFrame(request(2)).length;
    expect(first).toBeGreaterThan(plain * 0.8); // the definitions travel once
    expect(second).toBeLessThan(plain / 3);
  });

  it('a value that cannot be encoded throws, and the frames encoded after it still decode at the other end', () => {
    const sender = streamCodec();
    const receiver = streamCodec();
    const d = new FrameDecoder(1 << 20);
    const sent: unknown[] = [];
    const received: unknown[] = [];
    const deliver = (frame: Buffer) => {
      for (const body of d.bodies(frame)) received.push(d.decode(receiver, body));
    };
    for (const [i, bad] of [{ big: 2n ** 70n }, { sym: Symbol('x') }].entries()) {
      const good = { a: i, b: [i, { c: 'x' }] };
      deliver(sender.encode(good));
      sent.push(good);
      // Fails after the encoder has begun a new shape (the outer object) that never leaves.
      expect(() => sender.encode({ fresh: i, nested: { other: 1, bad } })).toThrow();
      for (const after of [{ fresh: i, nested: { other: 2, bad: null } }, good, { a: -1, b: [] }]) {
        deliver(sender.encode(after));
        sent.push(after);
      }
    }
    expect(received).toEqual(sent);
  });

  it('a value over the bound given to encode throws FrameTooLargeError, and the frames encoded after it still decode at the other end', () => {
    for (const codec of [plainCodec, streamCodec()]) {
      const d = new FrameDecoder(1 << 20);
      const receiver = codec === plainCodec ? plainCodec : streamCodec();
      // A shape first seen in the refused value: the peer never saw its definition.
      const large = { fresh: 'x'.repeat(200) };
      const error = (() => {
        try {
          codec.encode(large, 100);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(FrameTooLargeError);
      expect((error as Error).message).toMatch(/^a frame is 2\d\d bytes, over the frame bound of 100 bytes$/);
      // Exactly at the bound it goes.
      const atBound = codec.encode(large, (error as FrameTooLargeError).bytes);
      const bodies = d.bodies(Buffer.concat([atBound, codec.encode({ fresh: 'again' }, 100)]));
      expect(bodies.map((b) => d.decode(receiver, b))).toEqual([large, { fresh: 'again' }]);
    }
  });

  it('an undecodable body fails the decoder with FrameError', () => {
    const d = new FrameDecoder(1024);
    const [body] = d.bodies(Buffer.concat([header(2), Buffer.from([0xd4, 0x72])]));
    expect(() => d.decode(streamCodec(), body!)).toThrow(FrameError);
    expect(() => d.bodies(Buffer.alloc(0))).toThrow(FrameError);
  });

  it('an object with a key named __keys__, or with more keys than a shape holds, round-trips (sent as a map)', () => {
    const wide = Object.fromEntries(Array.from({ length: SHAPE_KEYS_MAX + 1 }, (_, i) => [`key${i}`, i]));
    const values = [{ x: 1, __keys__: 2 }, { x: 2 }, { __keys__: 1 }, {}, wide, { ...wide, extra: true }, wide];
    expect(across(values)).toEqual(values);
  });

  describe('a hostile peer cannot make the decoder keep shapes beyond the encoder\'s bounds', () => {
    const plain = new Packr({ useRecords: false });
    /** A body that defines a record shape (msgpackr's extension 0x72) and holds one value of it. */
    const defining = (idBytes: number[], keys: string[]) => Buffer.concat([Buffer.from([...idBytes]), plain.pack(keys), ...keys.map(() => plain.pack(null))]);
    const decodeAll = (bodies: Buffer[]) => {
      const d = new FrameDecoder(1 << 24);
      const codec = streamCodec();
      return bodies.map((b) => d.decode(codec, b));
    };

    it('a shape of at most SHAPE_KEYS_MAX keys in a one-byte slot is accepted', () => {
      const keys = Array.from({ length: SHAPE_KEYS_MAX }, (_, i) => `k${i}`);
      const [value] = decodeAll([defining([0xd4, 0x72, 0x40], keys)]);
      expect(Object.keys(value as object)).toEqual(keys);
    });

    it('a shape with more keys fails the frame (FrameError)', () => {
      const keys = Array.from({ length: SHAPE_KEYS_MAX + 1 }, (_, i) => `k${i}`);
      expect(() => decodeAll([defining([0xd4, 0x72, 0x41], keys)])).toThrow(/record shape of 65 keys/);
      expect(() => decodeAll([defining([0xd4, 0x72, 0x41], keys)])).toThrow(FrameError);
    });

    it('a shape in a two-byte slot fails the frame (FrameError)', () => {
      expect(() => decodeAll([defining([0xd5, 0x72, 0x60, 0x05], ['a', 'b'])])).toThrow(/outside the 64 one-byte ids/);
    });
  });
});

