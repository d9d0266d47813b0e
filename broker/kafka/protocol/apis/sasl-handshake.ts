// SaslHandshake (key 17), versions 0-1, not flexible (Kafka's SaslHandshakeRequest.json /
// Response.json; kafkajs 2.2.4's range). The first request of a SASL connection: the client names
// the mechanism it wants; the broker answers with the mechanisms the listener offers. At v0 the
// SASL tokens that follow travel raw (an INT32 size and the bytes, no Kafka header); at v1 they
// travel in SaslAuthenticate requests (KIP-152), which is what kafkajs does once the broker
// advertises SaslAuthenticate.
// Request: mechanism STRING.
// Response: error_code INT16, mechanisms [STRING].

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const SASL_HANDSHAKE_MIN_VERSION = 0;
export const SASL_HANDSHAKE_MAX_VERSION = 1;

export interface SaslHandshakeRequest {
  /** The SASL mechanism the client chose, e.g. SCRAM-SHA-256. */
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  /** The mechanisms the listener offers (empty when it offers none, or the handshake is out of turn). */
  mechanisms: string[];
}

function checkVersion(version: number): void {
  assert(version >= SASL_HANDSHAKE_MIN_VERSION && version <= SASL_HANDSHAKE_MAX_VERSION, `SaslHandshake v${version} is not supported`);
}

export function decodeSaslHandshakeRequest(reader: KafkaReader, version: number): SaslHandshakeRequest {
  checkVersion(version);
  return { mechanism: reader.string('SaslHandshake mechanism') };
}

export function encodeSaslHandshakeResponse(writer: KafkaWriter, version: number, response: SaslHandshakeResponse): void {
  checkVersion(version);
  writer.int16(response.errorCode).stringArray(response.mechanisms);
}
