// SaslAuthenticate (key 36), versions 0-1, not flexible (Kafka's SaslAuthenticateRequest.json /
// Response.json; kafkajs 2.2.4's range; v2 is flexible and not advertised). One SASL token each
// way, after a SaslHandshake v1 (KIP-152): for SCRAM, client-first then client-final in, server-
// first then server-final out. A failed exchange is answered SASL_AUTHENTICATION_FAILED (58) with
// a message
// (Kafka then closes the connection).
// Request: auth_bytes BYTES.
// Response: error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES, session_lifetime_ms
// INT64 (v1+; KIP-368: when the client must re-authenticate, 0 for never, what we always answer).

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const SASL_AUTHENTICATE_MIN_VERSION = 0;
export const SASL_AUTHENTICATE_MAX_VERSION = 1;

export interface SaslAuthenticateRequest {
  /** The client's SASL token. */
  authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  /** The server's SASL token (empty on an error). */
  authBytes: Uint8Array;
  /** v1+: milliseconds until the session expires and the client must re-authenticate; 0: never. */
  sessionLifetimeMs: bigint;
}

function checkVersion(version: number): void {
  assert(version >= SASL_AUTHENTICATE_MIN_VERSION && version <= SASL_AUTHENTICATE_MAX_VERSION, `SaslAuthenticate v${version} is not supported`);
}

export function decodeSaslAuthenticateRequest(reader: KafkaReader, version: number): SaslAuthenticateRequest {
  checkVersion(version);
  return { authBytes: reader.bytes('SaslAuthenticate auth_bytes') };
}

export function encodeSaslAuthenticateResponse(writer: KafkaWriter, version: number, response: SaslAuthenticateResponse): void {
  checkVersion(version);
  writer.int16(response.errorCode).nullableString(response.errorMessage).bytes(response.authBytes);
  if (version >= 1) writer.int64(response.sessionLifetimeMs);
}
