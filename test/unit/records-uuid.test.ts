// Kafka's Uuid text form: 22 url-safe base64 characters for 16 bytes, exactly one text per uuid;
// randomUuid is reproducible from its seed and never hands out a reserved id or one starting '-'.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isUuid, METADATA_TOPIC_ID, randomUuid, uuidFromBytes, uuidToBytes, ZERO_UUID } from '../../metadata-log/records/index.js';

/** A [0, 1) source that plays back byte values (as b / 256), then repeats the last. */
function scripted(bytes: number[]): { next(): number; draws: number } {
  const source = {
    draws: 0,
    next(): number {
      const b = bytes[Math.min(source.draws, bytes.length - 1)]!;
      source.draws++;
      return b / 256;
    },
  };
  return source;
}

function seeded(seed: number): { next(): number } {
  let s = seed >>> 0 || 1;
  return {
    next() {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    },
  };
}

describe('uuid', () => {
  it('bytes -> text -> bytes is the identity, and the text is a uuid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = uuidFromBytes(bytes);
        expect(text).toHaveLength(22);
        expect(isUuid(text)).toBe(true);
        expect(uuidToBytes(text)).toEqual(bytes);
      }),
    );
  });

  it("matches Kafka's text for known ids", () => {
    expect(uuidFromBytes(new Uint8Array(16))).toBe(ZERO_UUID);
    expect(uuidFromBytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))).toBe(METADATA_TOPIC_ID);
    expect(uuidFromBytes(Uint8Array.from({ length: 16 }, (_, i) => i + 1))).toBe('AQIDBAUGBwgJCgsMDQ4PEA');
    expect(uuidFromBytes(new Uint8Array(16).fill(0xff))).toBe('_____________________w');
  });

  it.each([
    ['21 chars', 'AAAAAAAAAAAAAAAAAAAAA'],
    ['23 chars', 'AAAAAAAAAAAAAAAAAAAAAAA'],
    ['padding', 'AAAAAAAAAAAAAAAAAAAA=='],
    ['standard base64 +', 'AAAAAAAAAAAAAAAAAAAA+A'],
    ['standard base64 /', 'AAAAAAAAAAAAAAAAAAAA/A'],
    ['a space', 'AAAAAAAAAAAAAAAAAAAA A'],
    ['a non-ascii char', 'AAAAAAAAAAAAAAAAAAAAéA'],
    ['stray bits in the last char (B)', 'AAAAAAAAAAAAAAAAAAAAAB'],
    ['stray bits in the last char (_)', 'AAAAAAAAAAAAAAAAAAAAA_'],
    ['the empty string', ''],
  ])('isUuid refuses %s', (_what, text) => {
    expect(isUuid(text)).toBe(false);
  });

  it('isUuid refuses non-strings', () => {
    for (const v of [null, undefined, 22, ['AQIDBAUGBwgJCgsMDQ4PEA'], new Uint8Array(16)]) expect(isUuid(v)).toBe(false);
  });

  it('every last char with only the 2 data bits set is accepted, no other', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted = [...alphabet].filter((c) => isUuid(`AAAAAAAAAAAAAAAAAAAAA${c}`));
    expect(accepted).toEqual(['A', 'Q', 'g', 'w']);
  });

  it('uuidToBytes and uuidFromBytes refuse bad input instead of guessing', () => {
    expect(() => uuidToBytes('AAAAAAAAAAAAAAAAAAAAAB')).toThrow(/not a uuid/);
    expect(() => uuidFromBytes(new Uint8Array(15))).toThrow(/need 16 bytes/);
  });

  it('randomUuid is reproducible from its seed and gives distinct ids', () => {
    const a = Array.from({ length: 200 }, ((r) => () => randomUuid(r))(seeded(7)));
    const b = Array.from({ length: 200 }, ((r) => () => randomUuid(r))(seeded(7)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(200);
    expect(a.every((u) => isUuid(u) && !u.startsWith('-') && u !== ZERO_UUID && u !== METADATA_TOPIC_ID)).toBe(true);
  });

  it('randomUuid re-draws the zero id, the metadata topic id and ids starting with "-"', () => {
    const zero = new Array<number>(16).fill(0);
    const metadata = [...zero.slice(0, 15), 1];
    const dash = [0xf8, ...zero.slice(1)]; // top 6 bits 62 = '-'
    const good = [0x01, ...zero.slice(1)];
    const source = scripted([...zero, ...metadata, ...dash, ...good]);
    const id = randomUuid(source);
    expect(uuidFromBytes(Uint8Array.from(dash)).startsWith('-')).toBe(true);
    expect(id).toBe(uuidFromBytes(Uint8Array.from(good)));
    expect(source.draws).toBe(64);
  });

  it('randomUuid refuses a source outside [0, 1)', () => {
    expect(() => randomUuid({ next: () => 1 })).toThrow(/outside \[0, 1\)/);
    expect(() => randomUuid({ next: () => -0.1 })).toThrow(/outside \[0, 1\)/);
  });
});
