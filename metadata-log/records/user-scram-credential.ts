// UserScramCredential (type 11, Kafka's UserScramCredentialRecord) sets one user's SCRAM credential
// for one mechanism, replacing any it had; RemoveUserScramCredential (type 22, Kafka's
// RemoveUserScramCredentialRecord) deletes it. What is stored is RFC 5802's server side of a
// credential: the salt, StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey =
// HMAC(SaltedPassword, "Server Key"), and the iteration count; never the password.
//
// Version history (payload fields, in order):
//   UserScramCredential v0        [name, mechanism, salt, storedKey, serverKey, iterations]  (current)
//   RemoveUserScramCredential v0  [name, mechanism]                                          (current)
//     mechanism: Kafka's ScramMechanism type, 1 SCRAM-SHA-256 or 2 SCRAM-SHA-512.
//     salt, storedKey, serverKey: msgpack bin. iterations: a positive int32.
//
// Which names, iteration counts and key lengths are accepted is the controller's rule
// (quorum/controller/configs/scram-credentials.ts); the record keeps only a well-formed credential
// of a known mechanism, so a later build may widen the rule without making older logs unreadable.

import type { RemoveUserScramCredentialRecord, ScramMechanism, UserScramCredentialRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { bytes, FieldError, fieldsOf, int, str, describe } from './fields.js';

/** A SCRAM mechanism's name, as SASL and kafka-configs spell it. */
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** One SCRAM mechanism: Kafka's type, its name, the hash behind it and that hash's output length. */
export interface ScramMechanismInfo {
  readonly mechanism: ScramMechanism;
  readonly name: ScramMechanismName;
  /** node:crypto's name of the hash (H and HMAC of RFC 5802, and PBKDF2's PRF in Hi()). */
  readonly hash: 'sha256' | 'sha512';
  /** The hash's output length: what Hi() yields, and the length of StoredKey, ServerKey and a proof. */
  readonly bytes: number;
}

/**
 * The one table of SCRAM mechanisms (Kafka's ScramMechanism): the controller's credential rules,
 * the CLI's salting and the broker's SASL server all read it.
 */
export const SCRAM_MECHANISM_INFO: ReadonlyMap<ScramMechanism, ScramMechanismInfo> = new Map<ScramMechanism, ScramMechanismInfo>([
  [1, Object.freeze({ mechanism: 1, name: 'SCRAM-SHA-256', hash: 'sha256', bytes: 32 })],
  [2, Object.freeze({ mechanism: 2, name: 'SCRAM-SHA-512', hash: 'sha512', bytes: 64 })],
]);

/** Kafka's ScramMechanism types and their names. */
export const SCRAM_MECHANISMS: ReadonlyMap<ScramMechanism, ScramMechanismName> = new Map([...SCRAM_MECHANISM_INFO].map(([m, info]) => [m, info.name]));

const BY_NAME: ReadonlyMap<string, ScramMechanism> = new Map([...SCRAM_MECHANISM_INFO].map(([m, info]) => [info.name, m]));

/** The mechanism named exactly `name` ('SCRAM-SHA-256' or 'SCRAM-SHA-512', upper case, as Kafka matches it), else undefined. */
export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return BY_NAME.get(name);
}

/** Bytes a salt is drawn from: 136 bits, of which saltText keeps 130. */
export const SALT_SOURCE_BYTES = 17;

/**
 * Kafka's salt text (ScramFormatter.secureRandomBytes: a 130-bit number in base 36, as UTF-8
 * bytes) made of the first SALT_SOURCE_BYTES of `source`: random bytes for a new credential, or the
 * broker's mock salt for a user without one, which must look like a real salt.
 */
export function saltText(source: Uint8Array): Buffer {
  if (source.length < SALT_SOURCE_BYTES) throw new RangeError(`saltText: ${source.length} bytes, fewer than ${SALT_SOURCE_BYTES}`);
  const bytes = Buffer.from(source.subarray(0, SALT_SOURCE_BYTES));
  bytes[0]! &= 0x03; // 136 bits, the top 6 cleared
  return Buffer.from(BigInt(`0x${bytes.toString('hex')}`).toString(36), 'utf8');
}

function mechanism(v: unknown, field: string): ScramMechanism {
  if (v !== 1 && v !== 2) throw new FieldError(field, `is ${describe(v)}, not 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512)`);
  return v;
}

export const userScramCredentialSchema: RecordSchema<UserScramCredentialRecord> = {
  name: 'UserScramCredential',
  typeId: 11,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.name, r.mechanism, r.salt, r.storedKey, r.serverKey, r.iterations];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 6);
    return {
      type: 'UserScramCredential',
      name: str(p[0], 'name'),
      mechanism: mechanism(p[1], 'mechanism'),
      salt: bytes(p[2], 'salt'),
      storedKey: bytes(p[3], 'storedKey'),
      serverKey: bytes(p[4], 'serverKey'),
      iterations: int(p[5], 1, 2_147_483_647, 'iterations'),
    };
  },
};

export const removeUserScramCredentialSchema: RecordSchema<RemoveUserScramCredentialRecord> = {
  name: 'RemoveUserScramCredential',
  typeId: 22,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.name, r.mechanism];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 2);
    return { type: 'RemoveUserScramCredential', name: str(p[0], 'name'), mechanism: mechanism(p[1], 'mechanism') };
  },
};
