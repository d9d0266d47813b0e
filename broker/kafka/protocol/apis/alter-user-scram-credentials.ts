// AlterUserScramCredentials (key 51), version 0, which is flexible (KIP-554; Kafka's
// AlterUserScramCredentialsRequest.json / Response.json): compact types, tagged fields, header
// v2 / v1. What the Java AdminClient's alterUserScramCredentials sends, and so kafka-configs.sh
// --alter --entity-type users --add-config 'SCRAM-SHA-256=[...]' / --delete-config; kafkajs 2.2.4
// has no such call. The client computes SaltedPassword = Hi(password, salt, iterations): the
// password itself never travels.
// Request: deletions[name, mechanism INT8], upsertions[name, mechanism INT8, iterations INT32,
// salt COMPACT_BYTES, salted_password COMPACT_BYTES].
// Response: throttle_time_ms, results[user, error_code, error_message NULLABLE], one per user.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const ALTER_USER_SCRAM_CREDENTIALS_MIN_VERSION = 0;
export const ALTER_USER_SCRAM_CREDENTIALS_MAX_VERSION = 0;
export const ALTER_USER_SCRAM_CREDENTIALS_FIRST_FLEXIBLE_VERSION = 0;

export interface ScramCredentialDeletionData {
  name: string;
  /** Kafka's ScramMechanism type: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
  mechanism: number;
}

export interface ScramCredentialUpsertionData {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export interface AlterUserScramCredentialsRequest {
  deletions: ScramCredentialDeletionData[];
  upsertions: ScramCredentialUpsertionData[];
}

export interface AlterUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterUserScramCredentialsResponse {
  throttleTimeMs: number;
  results: AlterUserScramCredentialsResult[];
}

function checkVersion(version: number): void {
  assert(
    version >= ALTER_USER_SCRAM_CREDENTIALS_MIN_VERSION && version <= ALTER_USER_SCRAM_CREDENTIALS_MAX_VERSION,
    `AlterUserScramCredentials v${version} is not supported`,
  );
}

export function decodeAlterUserScramCredentialsRequest(reader: KafkaReader, version: number): AlterUserScramCredentialsRequest {
  checkVersion(version);
  // Smallest items: a deletion is a name's length byte, the mechanism and a tag section; an
  // upsertion a name's length byte, the mechanism, iterations, two bytes' length bytes and a tag section.
  const deletions = reader.compactArray(
    (r) => {
      const name = r.compactString('AlterUserScramCredentials deletion name');
      const mechanism = r.int8('AlterUserScramCredentials deletion mechanism');
      r.taggedFields('AlterUserScramCredentials deletion tagged fields');
      return { name, mechanism };
    },
    3,
    'AlterUserScramCredentials deletions',
  );
  const upsertions = reader.compactArray(
    (r) => {
      const name = r.compactString('AlterUserScramCredentials upsertion name');
      const mechanism = r.int8('AlterUserScramCredentials upsertion mechanism');
      const iterations = r.int32('AlterUserScramCredentials upsertion iterations');
      const salt = r.compactBytes('AlterUserScramCredentials upsertion salt');
      const saltedPassword = r.compactBytes('AlterUserScramCredentials upsertion salted_password');
      r.taggedFields('AlterUserScramCredentials upsertion tagged fields');
      return { name, mechanism, iterations, salt, saltedPassword };
    },
    9,
    'AlterUserScramCredentials upsertions',
  );
  reader.taggedFields('AlterUserScramCredentials tagged fields');
  return { deletions, upsertions };
}

export function encodeAlterUserScramCredentialsResponse(writer: KafkaWriter, version: number, response: AlterUserScramCredentialsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs);
  writer.compactArray(response.results, (rw, r) => rw.compactString(r.user).int16(r.errorCode).compactNullableString(r.errorMessage).taggedFields());
  writer.taggedFields();
}

/**
 * Kafka's AlterUserScramCredentialsRequest.getErrorResponse: every user the request names
 * (deletions and upsertions), once each, sorted by name, with one error. What a refused or failed
 * request answers (an unauthorized one, or one the controller could not take).
 */
export function alterUserScramCredentialsErrorResponse(request: AlterUserScramCredentialsRequest, errorCode: number, errorMessage: string | null): AlterUserScramCredentialsResponse {
  const users = [...new Set([...request.deletions.map((d) => d.name), ...request.upsertions.map((u) => u.name)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode, errorMessage })) };
}
