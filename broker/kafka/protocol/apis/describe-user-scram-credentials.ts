// DescribeUserScramCredentials (key 50), version 0, which is flexible (KIP-554; Kafka's
// DescribeUserScramCredentialsRequest.json / Response.json): compact types, tagged fields, header
// v2 / v1. What the Java AdminClient's describeUserScramCredentials sends, and so kafka-configs.sh
// --describe --entity-type users after it has described the users' quotas; kafkajs 2.2.4 has no
// such call.
// Request: users NULLABLE [name] (null or empty: every user).
// Response: throttle_time_ms, error_code, error_message NULLABLE, results[user, error_code,
// error_message NULLABLE, credential_infos[mechanism INT8, iterations INT32]].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_USER_SCRAM_CREDENTIALS_MIN_VERSION = 0;
export const DESCRIBE_USER_SCRAM_CREDENTIALS_MAX_VERSION = 0;
export const DESCRIBE_USER_SCRAM_CREDENTIALS_FIRST_FLEXIBLE_VERSION = 0;

export interface DescribeUserScramCredentialsRequest {
  /** Null or empty: every user. */
  users: { name: string }[] | null;
}

export interface ScramCredentialInfoData {
  /** Kafka's ScramMechanism type: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
  mechanism: number;
  iterations: number;
}

export interface DescribeUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentialInfos: ScramCredentialInfoData[];
}

export interface DescribeUserScramCredentialsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: DescribeUserScramCredentialsResult[];
}

function checkVersion(version: number): void {
  assert(
    version >= DESCRIBE_USER_SCRAM_CREDENTIALS_MIN_VERSION && version <= DESCRIBE_USER_SCRAM_CREDENTIALS_MAX_VERSION,
    `DescribeUserScramCredentials v${version} is not supported`,
  );
}

export function decodeDescribeUserScramCredentialsRequest(reader: KafkaReader, version: number): DescribeUserScramCredentialsRequest {
  checkVersion(version);
  // A user is at least a compact string's length byte and a tag section.
  const users = reader.compactNullableArray(
    (ur) => {
      const name = ur.compactString('DescribeUserScramCredentials user name');
      ur.taggedFields('DescribeUserScramCredentials user tagged fields');
      return { name };
    },
    2,
    'DescribeUserScramCredentials users',
  );
  reader.taggedFields('DescribeUserScramCredentials tagged fields');
  return { users };
}

export function encodeDescribeUserScramCredentialsResponse(writer: KafkaWriter, version: number, response: DescribeUserScramCredentialsResponse): void {
  checkVersion(version);
  writer.int32(response.throttleTimeMs).int16(response.errorCode).compactNullableString(response.errorMessage);
  writer.compactArray(response.results, (rw, r) => {
    rw.compactString(r.user).int16(r.errorCode).compactNullableString(r.errorMessage);
    rw.compactArray(r.credentialInfos, (cw, c) => cw.int8(c.mechanism).int32(c.iterations).taggedFields());
    rw.taggedFields();
  });
  writer.taggedFields();
}
