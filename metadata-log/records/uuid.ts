// Kafka's Uuid in its text form: the 16 bytes as URL-safe base64 without padding, 22 characters
// (org.apache.kafka.common.Uuid#toString). Topic ids and incarnation ids are kept as these strings
// everywhere (records, image, wire), so they compare with === and print as Kafka prints them.
//
// 16 bytes = 128 bits, 22 characters carry 132: the last character holds 2 data bits and 4 bits
// that must be zero. isUuid checks that too, so every valid text has exactly one byte form and
// decode -> encode gives back the same text.

import assert from 'node:assert/strict';
import type { Uuid } from './types.js';

export const UUID_BYTES = 16;
export const UUID_TEXT_LENGTH = 22;

/** Kafka's Uuid.ZERO_UUID: "no id" (e.g. a topic created before topic ids existed). */
export const ZERO_UUID: Uuid = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Kafka's Uuid.METADATA_TOPIC_ID (0...01), reserved for the __cluster_metadata topic. */
export const METADATA_TOPIC_ID: Uuid = 'AAAAAAAAAAAAAAAAAAAAAQ';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** 1 for each char code in the URL-safe base64 alphabet (all codes < 128). */
const IN_ALPHABET = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) IN_ALPHABET[ALPHABET.charCodeAt(i)] = 1;

/** The last character's low 4 bits must be zero: only A (0), Q (16), g (32), w (48) qualify. */
const LAST_CHAR_OK = new Uint8Array(128);
for (const c of 'AQgw') LAST_CHAR_OK[c.charCodeAt(0)] = 1;

/** Exact check: 22 characters of the alphabet, and no stray bits in the last one. Hot on decode. */
export function isUuid(s: unknown): s is Uuid {
  if (typeof s !== 'string' || s.length !== UUID_TEXT_LENGTH) return false;
  const last = UUID_TEXT_LENGTH - 1;
  for (let i = 0; i < last; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || IN_ALPHABET[c] !== 1) return false;
  }
  const c = s.charCodeAt(last);
  return c < 128 && LAST_CHAR_OK[c] === 1;
}

export function uuidToBytes(s: Uuid): Uint8Array {
  // Buffer's base64url decoder is lenient (skips junk, ignores stray bits): check first.
  assert.ok(isUuid(s), `uuidToBytes: ${JSON.stringify(s)} is not a uuid`);
  const bytes = new Uint8Array(Buffer.from(s, 'base64url'));
  assert.equal(bytes.length, UUID_BYTES);
  return bytes;
}

export function uuidFromBytes(b: Uint8Array): Uuid {
  assert.equal(b.length, UUID_BYTES, `uuidFromBytes: need ${UUID_BYTES} bytes, got ${b.length}`);
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  assert.ok(isUuid(s), `uuidFromBytes produced ${s}`);
  return s;
}

/**
 * A fresh uuid from a seeded [0, 1) source, so simulated runs are reproducible. Like Kafka's
 * Uuid.randomUuid it re-draws the two reserved ids and any text starting with '-' (Kafka's
 * command-line tools would read such a topic id as an option).
 */
export function randomUuid(random: { next(): number }): Uuid {
  const bytes = new Uint8Array(UUID_BYTES);
  // Each draw is taken with probability > 1 - 2^-5, so this bound is never reached by a sane source.
  for (let attempt = 0; attempt < 1000; attempt++) {
    for (let i = 0; i < UUID_BYTES; i++) {
      const x = random.next();
      assert.ok(x >= 0 && x < 1, `randomUuid: random.next() returned ${x}, outside [0, 1)`);
      bytes[i] = Math.floor(x * 256);
    }
    const s = uuidFromBytes(bytes);
    if (s !== ZERO_UUID && s !== METADATA_TOPIC_ID && s.charCodeAt(0) !== 0x2d /* '-' */) return s;
  }
  assert.fail('randomUuid: 1000 draws in a row were reserved ids; the random source is broken');
}
