// Sensitive dynamic broker configs as Kafka stores them in ZooKeeper (zk-layout.md §3): encrypted
// with `password.encoder.secret` by Kafka's EncryptingPasswordEncoder, as a "key:value,key:value"
// list in any order:
//   keyFactoryAlgorithm   PBKDF2WithHmacSHA512 (PBKDF2WithHmacSHA1 on old JVMs)
//   cipherAlgorithm       AES/CBC/PKCS5Padding (default) or AES/GCM/NoPadding
//   keyLength             bits (128)
//   iterations            4096
//   salt                  standard base64 (256 random bytes)
//   initializationVector  standard base64
//   authenticationTagLength  bits, GCM only
//   encryptedPassword     standard base64; for GCM the tag is its last authenticationTagLength/8 bytes
//   passwordLength        the clear text's length in UTF-16 units (Java's String.length): a sanity check
// Decryption: key = PBKDF2(UTF-8 of the secret, salt, iterations, keyLength), then AES; the result
// must have passwordLength. Deterministic and without I/O (node:crypto only computes), so the
// planner stays pure. Which keys Kafka encrypts: every dynamic config of PASSWORD type, matched by
// suffix (so listener-prefixed names like listener.name.internal.ssl.keystore.password count).

import { createDecipheriv, pbkdf2Sync } from 'node:crypto';

export { isPasswordConfig, PASSWORD_CONFIG_SUFFIXES } from '../../quorum/controller/configs/config-schema.js';

const REQUIRED = ['cipherAlgorithm', 'keyLength', 'iterations', 'salt', 'encryptedPassword', 'passwordLength'] as const;

/** The fields of an encoded password (Kafka's CoreUtils.parseCsvMap), or null when `value` is not one. */
export function parseEncodedPassword(value: string): ReadonlyMap<string, string> | null {
  const fields = new Map<string, string>();
  for (const part of value.split(/\s*,\s*/)) {
    const colon = part.lastIndexOf(':');
    if (colon <= 0) return null;
    fields.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
  }
  return REQUIRED.every((k) => fields.has(k)) ? fields : null;
}

const KEY_FACTORIES: Readonly<Record<string, string>> = {
  PBKDF2WithHmacSHA512: 'sha512',
  PBKDF2WithHmacSHA256: 'sha256',
  PBKDF2WithHmacSHA1: 'sha1',
};

const ITERATIONS_MAX = 10_000_000;

/**
 * Kafka wrote the clear text as UTF-8. CBC has no integrity check: a wrong secret passes the padding
 * check about once in 250 tries, and its garbage often has the right length too, so invalid UTF-8
 * is what tells a wrong secret from the right one there. (ignoreBOM: a leading U+FEFF is kept, as Java's
 * String constructor keeps it.)
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type DecryptResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** Decrypts an encoded password with the first of `secrets` that works. Never throws. */
export function decryptPassword(fields: ReadonlyMap<string, string>, secrets: readonly string[]): DecryptResult {
  const digest = KEY_FACTORIES[fields.get('keyFactoryAlgorithm') ?? 'PBKDF2WithHmacSHA512'];
  if (digest === undefined) return { ok: false, reason: `key factory ${JSON.stringify(fields.get('keyFactoryAlgorithm'))} is not supported` };
  const keyLength = Number(fields.get('keyLength'));
  if (keyLength !== 128 && keyLength !== 192 && keyLength !== 256) return { ok: false, reason: `key length ${JSON.stringify(fields.get('keyLength'))} is not 128, 192 or 256` };
  const iterations = Number(fields.get('iterations'));
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > ITERATIONS_MAX) return { ok: false, reason: `iterations ${JSON.stringify(fields.get('iterations'))} is out of range` };
  const passwordLength = Number(fields.get('passwordLength'));
  if (!Number.isInteger(passwordLength) || passwordLength < 0) return { ok: false, reason: `passwordLength ${JSON.stringify(fields.get('passwordLength'))} is not a length` };
  const cipherAlgorithm = fields.get('cipherAlgorithm');
  const salt = Buffer.from(fields.get('salt') ?? '', 'base64');
  const iv = Buffer.from(fields.get('initializationVector') ?? '', 'base64');
  const encrypted = Buffer.from(fields.get('encryptedPassword') ?? '', 'base64');
  let decrypt: (key: Buffer) => Buffer;
  if (cipherAlgorithm === 'AES/CBC/PKCS5Padding') {
    if (iv.length !== 16) return { ok: false, reason: 'the CBC initialization vector is not 16 bytes' };
    decrypt = (key) => {
      const d = createDecipheriv(`aes-${keyLength}-cbc`, key, iv);
      return Buffer.concat([d.update(encrypted), d.final()]);
    };
  } else if (cipherAlgorithm === 'AES/GCM/NoPadding') {
    const tagBits = Number(fields.get('authenticationTagLength') ?? '128');
    if (![96, 104, 112, 120, 128].includes(tagBits)) return { ok: false, reason: `GCM tag length ${tagBits} is not supported` };
    const tagBytes = tagBits / 8;
    if (iv.length === 0 || encrypted.length < tagBytes) return { ok: false, reason: 'the GCM parameters are incomplete' };
    decrypt = (key) => {
      const d = createDecipheriv(`aes-${keyLength}-gcm`, key, iv, { authTagLength: tagBytes });
      d.setAuthTag(encrypted.subarray(encrypted.length - tagBytes));
      return Buffer.concat([d.update(encrypted.subarray(0, encrypted.length - tagBytes)), d.final()]);
    };
  } else {
    return { ok: false, reason: `cipher ${JSON.stringify(cipherAlgorithm)} is not supported` };
  }
  if (secrets.length === 0) return { ok: false, reason: 'no password.encoder.secret was given' };
  for (const secret of secrets) {
    let clear: string;
    try {
      const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, keyLength / 8, digest);
      clear = utf8.decode(decrypt(key));
    } catch {
      continue; // wrong secret: bad padding or tag, or not UTF-8
    }
    if (clear.length === passwordLength) return { ok: true, value: clear };
  }
  return { ok: false, reason: secrets.length === 1 ? 'the password.encoder.secret given does not decrypt it' : `none of the ${secrets.length} secrets given decrypts it` };
}
