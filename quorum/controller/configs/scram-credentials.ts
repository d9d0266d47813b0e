// SCRAM credentials (Kafka's ScramControlManager and ScramImage.describe): AlterUserScramCredentials
// writes UserScramCredential / RemoveUserScramCredential records; DescribeUserScramCredentials
// reads the image (any node answers from its own).
//
// An upsertion carries what Kafka's AdminClient computes on the client, so the password never
// travels: the salt, the iteration count and SaltedPassword = Hi(password, salt, iterations)
// (RFC 5802, PBKDF2 with HMAC-SHA-256 or -512). The controller turns it into what is stored:
// StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key").
//
// AlterUserScramCredentials, per (user, mechanism) (deletions first, then upsertions, each in
// request order; the user's first refusal is its answer, as in Kafka, and then none of the user's
// alterations is written: a user's changes in one request are all written or none, with one
// result per user):
//   the same user and mechanism named a second time → DUPLICATE_RESOURCE (Kafka's controller keys
//                                                   the request by user alone, so kafka-configs'
//                                                   own example, setting SCRAM-SHA-256 and
//                                                   SCRAM-SHA-512 of one user in one request,
//                                                   fails there; ZooKeeper-mode Kafka took it)
//   metadata.version below 7 (1.0-IV6)           → UNSUPPORTED_VERSION
//   an empty name                                → UNACCEPTABLE_CREDENTIAL
//   a mechanism not 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512) → UNSUPPORTED_SASL_MECHANISM
//   deletion: no credential of that mechanism    → RESOURCE_NOT_FOUND
//   upsertion: iterations below 4096 or above 16384 → UNACCEPTABLE_CREDENTIAL (Kafka's bounds)
//   upsertion: an empty salt, or a salted password not the mechanism's hash length (32 or 64
//   bytes, the length Hi() produces)             → UNACCEPTABLE_CREDENTIAL (Kafka's controller
//                                                   takes them and stores a credential no
//                                                   password can match)
//   else NONE: one record per alteration.
// Results: one per user, in the order first named (Kafka's come out of hash maps, in no order).
//
// DescribeUserScramCredentials (Kafka's ScramImage.describe): users null or empty → every user
// with a credential, NONE each; else each named user once, in the order first named: its
// mechanisms and iteration counts (never salts or keys), RESOURCE_NOT_FOUND when it has none,
// DUPLICATE_RESOURCE when named twice.

import { createHash, createHmac } from 'node:crypto';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { SCRAM_MECHANISM_INFO, SCRAM_MECHANISMS } from '../../../metadata-log/records/user-scram-credential.js';
import type { RemoveUserScramCredentialRecord, ScramMechanism, UserScramCredentialRecord } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { metadataVersionSupportsScram } from './features.js';
import { shapeError } from '../acls/acl-rules.js';

/** Kafka's ScramMechanism minIterations (4096 for both) and ScramControlManager.MAX_ITERATIONS. */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export interface ScramCredentialDeletion {
  readonly name: string;
  readonly mechanism: number;
}

export interface ScramCredentialUpsertion {
  readonly name: string;
  readonly mechanism: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly saltedPassword: Uint8Array;
}

export interface AlterUserScramCredentialsRequest {
  readonly deletions: readonly ScramCredentialDeletion[];
  readonly upsertions: readonly ScramCredentialUpsertion[];
}

export interface AlterUserScramCredentialsResponse {
  readonly results: readonly { readonly user: string; readonly errorCode: number; readonly errorMessage: string | null }[];
}

export interface DescribeUserScramCredentialsRequest {
  /** null or empty: every user with a credential. */
  readonly users: readonly { readonly name: string }[] | null;
}

export interface ScramCredentialInfo {
  readonly mechanism: number;
  readonly iterations: number;
}

export interface DescribeUserScramCredentialsResult {
  readonly user: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly credentialInfos: readonly ScramCredentialInfo[];
}

export interface DescribeUserScramCredentialsResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly results: readonly DescribeUserScramCredentialsResult[];
}

/** Kafka's ScramImage.DESCRIBE_USER_THAT_DOES_NOT_EXIST. */
export const SCRAM_USER_NOT_FOUND = 'Attempt to describe a user credential that does not exist: ';
/** Kafka's ScramImage.DESCRIBE_DUPLICATE_USER. */
export const SCRAM_DUPLICATE_USER = 'Cannot describe SCRAM credentials for the same user twice in a single request: ';

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function checkAlterShape(request: AlterUserScramCredentialsRequest): void {
  const r = request as Partial<AlterUserScramCredentialsRequest>;
  const named = (e: unknown): boolean => {
    const n = e as Partial<ScramCredentialDeletion> | null;
    return typeof n === 'object' && n !== null && typeof n.name === 'string' && Number.isInteger(n.mechanism);
  };
  const ok =
    Array.isArray(r.deletions) &&
    r.deletions.every(named) &&
    Array.isArray(r.upsertions) &&
    r.upsertions.every((u: Partial<ScramCredentialUpsertion>) => named(u) && Number.isInteger(u.iterations) && isBytes(u.salt) && isBytes(u.saltedPassword));
  if (!ok) {
    throw shapeError('alterUserScramCredentials: deletions must be a list of { name, mechanism }, upsertions of { name, mechanism, iterations, salt, saltedPassword } (bytes)');
  }
}

/** Why a credential for `name` and `mechanism` is refused whatever it holds, or null. */
function nameAndMechanismError(name: string, mechanism: number): ApiError | null {
  if (name === '') return apiError('UNACCEPTABLE_CREDENTIAL', 'Username must not be empty');
  if (!SCRAM_MECHANISM_INFO.has(mechanism as ScramMechanism)) return apiError('UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${mechanism} (1 is SCRAM-SHA-256, 2 is SCRAM-SHA-512)`);
  return null;
}

/**
 * Why a stored credential (an upsertion's, or an imported record's) is refused, or null: the
 * iteration bounds, and the salt and key lengths (`keyBytes`: the salted password, or each stored key).
 */
export function scramCredentialError(name: string, mechanism: number, iterations: number, salt: Uint8Array, keys: readonly Uint8Array[]): ApiError | null {
  const shared = nameAndMechanismError(name, mechanism);
  if (shared !== null) return shared;
  // An imported record comes as the importer sent it, not through this op's shape check.
  if (!Number.isInteger(iterations)) return apiError('UNACCEPTABLE_CREDENTIAL', `The iteration count must be a whole number, got ${String(iterations)}`);
  if (!isBytes(salt) || !keys.every(isBytes)) return apiError('UNACCEPTABLE_CREDENTIAL', 'The salt and keys must be bytes');
  if (iterations < SCRAM_MIN_ITERATIONS) return apiError('UNACCEPTABLE_CREDENTIAL', `Too few iterations: ${iterations}, at least ${SCRAM_MIN_ITERATIONS}`);
  if (iterations > SCRAM_MAX_ITERATIONS) return apiError('UNACCEPTABLE_CREDENTIAL', `Too many iterations: ${iterations}, at most ${SCRAM_MAX_ITERATIONS}`);
  if (salt.length === 0) return apiError('UNACCEPTABLE_CREDENTIAL', 'The salt must not be empty');
  const info = SCRAM_MECHANISM_INFO.get(mechanism as ScramMechanism)!;
  for (const key of keys) {
    if (key.length !== info.bytes) {
      return apiError('UNACCEPTABLE_CREDENTIAL', `${info.name} keys are ${info.bytes} bytes (${info.hash} output), got ${key.length}`);
    }
  }
  return null;
}

/** RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). */
export function scramKeys(mechanism: ScramMechanism, saltedPassword: Uint8Array): { readonly storedKey: Buffer; readonly serverKey: Buffer } {
  const hash = SCRAM_MECHANISM_INFO.get(mechanism)!.hash;
  const clientKey = createHmac(hash, saltedPassword).update('Client Key').digest();
  return { storedKey: createHash(hash).update(clientKey).digest(), serverKey: createHmac(hash, saltedPassword).update('Server Key').digest() };
}

export function alterUserScramCredentials(ctx: OpContext, request: AlterUserScramCredentialsRequest): OpResult<AlterUserScramCredentialsResponse> {
  checkAlterShape(request);
  const { image } = ctx;
  const supported = metadataVersionSupportsScram(image);
  /** Per user, in the order first named: its alterations, or the first reason one is refused. */
  const outcome = new Map<string, { records: (UserScramCredentialRecord | RemoveUserScramCredentialRecord)[]; error: ApiError | null }>();
  const named = new Set<string>(); // "mechanism user": each (user, mechanism) once per request
  const decide = (name: string, mechanism: number, decision: () => ApiError | UserScramCredentialRecord | RemoveUserScramCredentialRecord): void => {
    let user = outcome.get(name);
    if (user === undefined) outcome.set(name, (user = { records: [], error: null }));
    const key = `${mechanism} ${name}`;
    const twice = named.has(key);
    named.add(key);
    // The user's first refusal is its answer, as in Kafka's ScramControlManager.
    if (user.error !== null) return;
    if (twice) {
      user.error = apiError('DUPLICATE_RESOURCE', `A user credential cannot be altered twice in the same request: ${name}'s mechanism ${mechanism} is named more than once`);
    } else if (!supported) {
      user.error = apiError('UNSUPPORTED_VERSION', 'SCRAM credentials need metadata.version 1.0-IV6 or later (metaquorum features upgrade).');
    } else {
      const d = decision();
      if ('type' in d) user.records.push(d);
      else user.error = d;
    }
  };
  for (const deletion of request.deletions) {
    decide(deletion.name, deletion.mechanism, () => {
      const refused = nameAndMechanismError(deletion.name, deletion.mechanism);
      if (refused !== null) return refused;
      const mechanism = deletion.mechanism as ScramMechanism;
      if (image.scramUser(deletion.name)?.credentials.has(mechanism) !== true) {
        return apiError('RESOURCE_NOT_FOUND', `Attempt to delete a user credential that does not exist: ${deletion.name} has no ${SCRAM_MECHANISMS.get(mechanism)} credential`);
      }
      return { type: 'RemoveUserScramCredential', name: deletion.name, mechanism };
    });
  }
  for (const u of request.upsertions) {
    decide(u.name, u.mechanism, () => {
      const refused = scramCredentialError(u.name, u.mechanism, u.iterations, u.salt, [u.saltedPassword]);
      if (refused !== null) return refused;
      const mechanism = u.mechanism as ScramMechanism;
      const salt = Buffer.from(u.salt);
      return { type: 'UserScramCredential', name: u.name, mechanism, salt, ...scramKeys(mechanism, u.saltedPassword), iterations: u.iterations };
    });
  }
  const records: (UserScramCredentialRecord | RemoveUserScramCredentialRecord)[] = [];
  const results = [...outcome].map(([user, o]) => {
    if (o.error !== null) return { user, errorCode: o.error.code, errorMessage: o.error.message };
    records.push(...o.records);
    return { user, errorCode: NONE.code, errorMessage: null };
  });
  return { records, response: { results } };
}

/** DescribeUserScramCredentials on an image (a broker's, or a controller's for the CLI). */
export function describeUserScramCredentials(image: MetadataImageView, request: DescribeUserScramCredentialsRequest): DescribeUserScramCredentialsResponse {
  const users = (request as Partial<DescribeUserScramCredentialsRequest>).users;
  if (!(users === null || (Array.isArray(users) && users.every((u) => typeof u === 'object' && u !== null && typeof u.name === 'string')))) {
    throw shapeError('describeUserScramCredentials: users must be null or a list of { name }');
  }
  const infos = (name: string): ScramCredentialInfo[] | undefined => {
    const held = image.scramUser(name)?.credentials;
    return held === undefined ? undefined : [...held].sort(([a], [b]) => a - b).map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  };
  if (users === null || users.length === 0) {
    const all = [...image.scramUsers()].map((u) => u.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { errorCode: ErrorCode.NONE, errorMessage: null, results: all.map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(user)! })) };
  }
  const named = new Map<string, boolean>(); // name -> named more than once
  for (const { name } of users) named.set(name, named.has(name));
  const results = [...named].map(([user, duplicate]): DescribeUserScramCredentialsResult => {
    if (duplicate) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: SCRAM_DUPLICATE_USER + user, credentialInfos: [] };
    const held = infos(user);
    if (held === undefined) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: SCRAM_USER_NOT_FOUND + user, credentialInfos: [] };
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: held };
  });
  return { errorCode: ErrorCode.NONE, errorMessage: null, results };
}
