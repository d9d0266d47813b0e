// SaslHandshake (api 17) and SaslAuthenticate (api 36) when they reach dispatch
// (broker/kafka/handlers/sasl.ts): only out of turn, on a listener without SASL or on a connection
// already authenticated, since the connection runs a SASL exchange itself. Both are answered
// ILLEGAL_SASL_STATE (34) as Kafka's KafkaApis answers them, at every version, whoever asks, with
// or without an authorizer (Kafka checks no ACL for either), and nothing reaches the controller.

import { describe, expect, it } from 'vitest';
import { dispatchKafkaRequest } from '../../broker/kafka/dispatch.js';
import { handleSaslAuthenticate, handleSaslHandshake, SASL_AUTHENTICATE_OUT_OF_TURN } from '../../broker/kafka/handlers/sasl.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { ApiKey, type DecodedKafkaRequest, type KafkaApiName, type KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { StandardAuthorizer } from '../../quorum/controller/acls/authorizer.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { overTheWire, testbed } from './kafka-handlers-fixture.js';

async function dispatch<N extends KafkaApiName>(ctx: KafkaContext, api: N, version: number, request: KafkaApiTypes[N][0], principal?: string): Promise<KafkaApiTypes[N][1]> {
  const decoded = { kind: 'request', api, header: { apiKey: ApiKey[api], apiVersion: version, correlationId: 1, clientId: 'test' }, request, items: 0 } as DecodedKafkaRequest;
  return (await dispatchKafkaRequest(ctx, decoded, '/10.0.0.1', principal)) as KafkaApiTypes[N][1];
}

const handshakeRefused = { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
const authenticateRefused = {
  errorCode: ErrorCode.ILLEGAL_SASL_STATE,
  errorMessage: 'SaslAuthenticate request received after successful authentication',
  authBytes: Buffer.alloc(0),
  sessionLifetimeMs: 0n,
};

describe('SaslHandshake and SaslAuthenticate out of turn', () => {
  it('ILLEGAL_SASL_STATE is Kafka\'s 34, and the message is KafkaApis\'s', () => {
    expect(ErrorCode.ILLEGAL_SASL_STATE).toBe(34);
    expect(SASL_AUTHENTICATE_OUT_OF_TURN).toBe('SaslAuthenticate request received after successful authentication');
  });

  for (const version of [0, 1]) {
    it(`SaslHandshake v${version} over the wire: ILLEGAL_SASL_STATE, no mechanisms (even for one the broker knows)`, async () => {
      const t = testbed();
      expect(await overTheWire('SaslHandshake', version, { mechanism: 'SCRAM-SHA-256' }, handleSaslHandshake, t.ctx)).toEqual(handshakeRefused);
      expect(t.controller.calls).toEqual([]);
    });

    it(`SaslAuthenticate v${version} over the wire: ILLEGAL_SASL_STATE with Kafka's message, no token, session lifetime 0`, async () => {
      const t = testbed();
      const r = await overTheWire('SaslAuthenticate', version, { authBytes: Buffer.from('n,,n=alice,r=abc') }, handleSaslAuthenticate, t.ctx);
      expect({ ...r, authBytes: Buffer.from(r.authBytes) }).toEqual(authenticateRefused);
      expect(t.controller.calls).toEqual([]);
    });
  }

  it('through dispatch without an authorizer (a PLAINTEXT listener): both refused', async () => {
    const { ctx } = testbed();
    expect(await dispatch(ctx, 'SaslHandshake', 1, { mechanism: 'PLAIN' })).toEqual(handshakeRefused);
    const r = await dispatch(ctx, 'SaslAuthenticate', 1, { authBytes: Buffer.from('x') });
    expect({ ...r, authBytes: Buffer.from(r.authBytes) }).toEqual(authenticateRefused);
  });

  it('through dispatch with an authorizer and a principal holding no ACL: still ILLEGAL_SASL_STATE, never an authorization error', async () => {
    const t = testbed();
    const ctx: KafkaContext = { ...t.ctx, authorizer: new StandardAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false }) };
    expect(await dispatch(ctx, 'SaslHandshake', 0, { mechanism: 'SCRAM-SHA-512' }, 'User:mallory')).toEqual(handshakeRefused);
    const r = await dispatch(ctx, 'SaslAuthenticate', 0, { authBytes: Buffer.alloc(0) }, 'User:mallory');
    expect(r.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(t.controller.calls).toEqual([]);
  });
});
