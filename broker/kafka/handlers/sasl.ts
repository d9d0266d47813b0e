// SaslHandshake (api 17, v0-v1) and SaslAuthenticate (api 36, v0-v1) when they reach dispatch:
// that is, out of turn. A SASL exchange is run by the connection itself (../kafka-connection.ts,
// with ../sasl/scram-server.ts) before any request is dispatched, so one of these reaching a
// handler comes on a listener without SASL (PLAINTEXT, SSL) or on a SASL connection that has
// already authenticated; re-authentication (KIP-368) is not offered. Both are answered
// ILLEGAL_SASL_STATE (34), as Kafka's KafkaApis.handleSaslHandshakeRequest /
// handleSaslAuthenticateRequest answer them: the handshake with no mechanisms (its response has no
// message), SaslAuthenticate with Kafka's own message, no token and session_lifetime_ms 0. The
// connection stays open, as in Kafka.
// Neither is authorized (Kafka checks no ACL for either): ../authorize-requests.ts.

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../protocol/apis/sasl-authenticate.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/apis/sasl-handshake.js';
import type { KafkaHandler } from './context.js';

/** Kafka's KafkaApis message for a SaslAuthenticate out of turn (also on a listener without SASL). */
export const SASL_AUTHENTICATE_OUT_OF_TURN = 'SaslAuthenticate request received after successful authentication';

export const handleSaslHandshake: KafkaHandler<SaslHandshakeRequest, SaslHandshakeResponse> = async () => ({
  errorCode: ErrorCode.ILLEGAL_SASL_STATE,
  mechanisms: [],
});

export const handleSaslAuthenticate: KafkaHandler<SaslAuthenticateRequest, SaslAuthenticateResponse> = async () => ({
  errorCode: ErrorCode.ILLEGAL_SASL_STATE,
  errorMessage: SASL_AUTHENTICATE_OUT_OF_TURN,
  authBytes: new Uint8Array(0),
  sessionLifetimeMs: 0n,
});
