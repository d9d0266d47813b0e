// SaslHandshake (17) and SaslAuthenticate (36) at v0 and v1: byte layouts written out by hand from
// Kafka's JSON message specs (SaslHandshakeRequest/Response.json: mechanism; error_code,
// mechanisms. SaslAuthenticateRequest/Response.json: auth_bytes; error_code, error_message,
// auth_bytes, session_lifetime_ms from v1), whole frames through decodeKafkaRequest /
// encodeKafkaResponse (neither version is flexible: header v1 in, v0 out), and kafkajs 2.2.4's own
// encoders and decoders against our codec, so the codec is not checked against the test mirror
// alone.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ApiKey, decodeKafkaRequest, encodeKafkaResponse, isSupportedVersion, KAFKA_APIS, KafkaReader, type KafkaApiCodec } from '../../broker/kafka/protocol/index.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { decodes, encodes, hex } from '../support/kafka-bytes.js';

const str = (s: string) => `${Buffer.byteLength(s).toString(16).padStart(4, '0')} ${Buffer.from(s).toString('hex')}`;
const bytes = (s: string) => `${Buffer.byteLength(s).toString(16).padStart(8, '0')} ${Buffer.from(s).toString('hex')}`;

describe('kafka layouts: SaslHandshake (key 17), v0-v1, not flexible', () => {
  it('is advertised 0-1 under key 17, and its error codes are Kafka\'s', () => {
    expect(ApiKey.SaslHandshake).toBe(17);
    expect([isSupportedVersion(17, 0), isSupportedVersion(17, 1), isSupportedVersion(17, 2)]).toEqual([true, true, false]);
    expect([ErrorCode.UNSUPPORTED_SASL_MECHANISM, ErrorCode.ILLEGAL_SASL_STATE, ErrorCode.SASL_AUTHENTICATION_FAILED]).toEqual([33, 34, 58]);
  });

  for (const version of [0, 1]) {
    it(`v${version} request: the mechanism, a STRING`, () => decodes('SaslHandshake', version, str('SCRAM-SHA-256'), { mechanism: 'SCRAM-SHA-256' }));
    it(`v${version} response: error_code, then the mechanisms, an ARRAY of STRING`, () => {
      encodes('SaslHandshake', version, { errorCode: 0, mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] }, `0000 00000002 ${str('SCRAM-SHA-256')} ${str('SCRAM-SHA-512')}`);
      encodes('SaslHandshake', version, { errorCode: 34, mechanisms: [] }, '0022 00000000');
    });
  }

  it('a null mechanism, one cut short, or a trailing byte is refused', () => {
    expect(() => decodes('SaslHandshake', 1, 'ffff', { mechanism: '' })).toThrow(/NEGATIVE_LENGTH|null/);
    expect(() => decodes('SaslHandshake', 1, '000d 5343', { mechanism: '' })).toThrow(/TRUNCATED|needs/);
    expect(() => decodes('SaslHandshake', 0, `${str('PLAIN')} 00`, { mechanism: 'PLAIN' })).toThrow(/TRAILING|left/);
  });

  it('whole frames: request header v1 in, response header v0 out', () => {
    expect(decodeKafkaRequest(hex(`0011 0001 00000009 0003 6b6a73 ${str('SCRAM-SHA-512')}`))).toMatchObject({
      kind: 'request',
      api: 'SaslHandshake',
      header: { apiKey: 17, apiVersion: 1, correlationId: 9, clientId: 'kjs' },
      request: { mechanism: 'SCRAM-SHA-512' },
    });
    expect(encodeKafkaResponse('SaslHandshake', { apiVersion: 1, correlationId: 9 }, { errorCode: 34, mechanisms: [] }).toString('hex')).toBe('0000000a 00000009 0022 00000000'.replace(/\s+/g, ''));
    // v2 is not served: unsupported, so the connection closes (never advertised).
    expect(decodeKafkaRequest(hex(`0011 0002 00000009 ffff ${str('PLAIN')}`))).toMatchObject({ kind: 'unsupported', reason: 'unsupported-version' });
  });
});

describe('kafka layouts: SaslAuthenticate (key 36), v0-v1, not flexible (v2 is, and is not served)', () => {
  it('is advertised 0-1 under key 36', () => {
    expect(ApiKey.SaslAuthenticate).toBe(36);
    expect([isSupportedVersion(36, 0), isSupportedVersion(36, 1), isSupportedVersion(36, 2)]).toEqual([true, true, false]);
    expect((KAFKA_APIS.SaslAuthenticate as KafkaApiCodec).isFlexible(1)).toBe(false);
  });

  for (const version of [0, 1]) {
    it(`v${version} request: auth_bytes, BYTES (INT32 length)`, () => {
      decodes('SaslAuthenticate', version, bytes('n,,n=user,r=abc'), { authBytes: Buffer.from('n,,n=user,r=abc') });
      decodes('SaslAuthenticate', version, '00000000', { authBytes: Buffer.alloc(0) });
    });
  }

  const answer = { errorCode: 0, errorMessage: null, authBytes: Buffer.from('v=xyz'), sessionLifetimeMs: 0n };
  it('v0 response: error_code, error_message NULLABLE_STRING, auth_bytes; no session lifetime', () => {
    encodes('SaslAuthenticate', 0, answer, `0000 ffff ${bytes('v=xyz')}`);
    encodes('SaslAuthenticate', 0, { ...answer, sessionLifetimeMs: 5n }, `0000 ffff ${bytes('v=xyz')}`); // v0 has no field for it
    encodes('SaslAuthenticate', 0, { errorCode: 58, errorMessage: 'no', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }, `003a ${str('no')} 00000000`);
  });
  it('v1 response: then session_lifetime_ms, INT64', () => {
    encodes('SaslAuthenticate', 1, answer, `0000 ffff ${bytes('v=xyz')} 0000000000000000`);
    encodes('SaslAuthenticate', 1, { ...answer, sessionLifetimeMs: 3_600_000n }, `0000 ffff ${bytes('v=xyz')} 000000000036ee80`);
  });

  it('null auth bytes, bytes cut short, or a trailing byte is refused', () => {
    expect(() => decodes('SaslAuthenticate', 1, 'ffffffff', { authBytes: Buffer.alloc(0) })).toThrow(/NEGATIVE_LENGTH|null/);
    expect(() => decodes('SaslAuthenticate', 1, '00000010 6e2c2c', { authBytes: Buffer.alloc(0) })).toThrow(/TRUNCATED|needs/);
    expect(() => decodes('SaslAuthenticate', 0, '00000001 6e 00', { authBytes: Buffer.from('n') })).toThrow(/TRAILING|left/);
  });

  it('the decoded auth bytes are a copy, not a view of the frame', () => {
    const frame = hex(bytes('abc'));
    const decoded = (KAFKA_APIS.SaslAuthenticate as KafkaApiCodec).decodeRequest(0, new KafkaReader(frame)) as { authBytes: Uint8Array };
    frame.fill(0);
    expect(Buffer.from(decoded.authBytes).toString()).toBe('abc');
  });
});

describe('kafkajs 2.2.4 SASL encoders and decoders against our codec', () => {
  const require = createRequire(import.meta.url);
  type Encoded = { buffer: Buffer };
  type Req = { encode(): Promise<Encoded> };
  type Res = { decode(b: Buffer): Promise<unknown>; parse(d: unknown): Promise<unknown> };
  type Proto<A> = { protocol(a: { version: number }): (a: A) => { request: Req; response: Res } };
  const frameOf = require('kafkajs/src/protocol/request.js') as (a: { correlationId: number; clientId: string; request: Req }) => Promise<Encoded>;
  const kafkajsFrame = async (request: Req) => (await frameOf({ correlationId: 5, clientId: 'kjs', request })).buffer.subarray(4);
  const afterCorrelationId = (frame: Buffer) => frame.subarray(8);
  const handshake = require('kafkajs/src/protocol/requests/saslHandshake/index.js') as Proto<{ mechanism: string }>;
  const authenticate = require('kafkajs/src/protocol/requests/saslAuthenticate/index.js') as Proto<{ authBytes: Buffer }>;
  // kafkajs's SCRAM token encoder (what its SCRAM client hands SaslAuthenticate): BYTES, INT32 length first.
  const scramFirst = require('kafkajs/src/protocol/sasl/scram/firstMessage/request.js') as (a: { clientFirstMessage: string }) => { encode(): Promise<Buffer> };
  const scramResponse = require('kafkajs/src/protocol/sasl/scram/firstMessage/response.js') as Res;

  it('kafkajs serves SaslHandshake and SaslAuthenticate at exactly v0 and v1', () => {
    expect(require('kafkajs/src/protocol/requests/saslHandshake/index.js').versions).toEqual(['0', '1']);
    expect(require('kafkajs/src/protocol/requests/saslAuthenticate/index.js').versions).toEqual(['0', '1']);
  });

  for (const version of [0, 1]) {
    it(`SaslHandshake v${version}: kafkajs's request decodes; our answer decodes in kafkajs`, async () => {
      const { request, response } = handshake.protocol({ version })({ mechanism: 'SCRAM-SHA-256' });
      expect(decodeKafkaRequest(await kafkajsFrame(request))).toMatchObject({
        kind: 'request',
        api: 'SaslHandshake',
        header: { apiKey: 17, apiVersion: version, correlationId: 5, clientId: 'kjs' },
        request: { mechanism: 'SCRAM-SHA-256' },
      });
      const ok = encodeKafkaResponse('SaslHandshake', { apiVersion: version, correlationId: 5 }, { errorCode: 0, mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] });
      expect(await response.decode(afterCorrelationId(ok))).toEqual({ errorCode: 0, enabledMechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] });
      // ILLEGAL_SASL_STATE, as kafkajs reads it: its own error for code 34.
      const refused = encodeKafkaResponse('SaslHandshake', { apiVersion: version, correlationId: 5 }, { errorCode: 34, mechanisms: [] });
      const decoded = await response.decode(afterCorrelationId(refused));
      expect(decoded).toEqual({ errorCode: 34, enabledMechanisms: [] });
      await expect(response.parse(decoded)).rejects.toMatchObject({ type: 'ILLEGAL_SASL_STATE' });
    });

    it(`SaslAuthenticate v${version}: kafkajs's request (a SCRAM token) decodes; our answers decode in kafkajs`, async () => {
      const token = await scramFirst({ clientFirstMessage: 'n,,n=alice,r=abc' }).encode();
      const { request, response } = authenticate.protocol({ version })({ authBytes: token });
      const decoded = decodeKafkaRequest(await kafkajsFrame(request));
      expect(decoded).toMatchObject({ kind: 'request', api: 'SaslAuthenticate', header: { apiKey: 36, apiVersion: version, correlationId: 5 } });
      // The SASL token itself, without kafkajs's length prefix (that is BYTES' length).
      expect(Buffer.from((decoded as { request: { authBytes: Uint8Array } }).request.authBytes).toString()).toBe('n,,n=alice,r=abc');

      const ok = encodeKafkaResponse('SaslAuthenticate', { apiVersion: version, correlationId: 5 }, { errorCode: 0, errorMessage: null, authBytes: Buffer.from('r=abcdef,s=c2FsdA==,i=4096'), sessionLifetimeMs: 0n });
      const answered = (await response.decode(afterCorrelationId(ok))) as { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs?: string };
      expect(answered).toMatchObject({ errorCode: 0, errorMessage: null, ...(version >= 1 ? { sessionLifetimeMs: '0' } : {}) });
      // kafkajs hands the token on to its SCRAM parser, which reads it back as server-first.
      expect(await scramResponse.parse(await scramResponse.decode(answered.authBytes))).toEqual({ original: 'r=abcdef,s=c2FsdA==,i=4096', r: 'abcdef', s: 'c2FsdA==', i: '4096' });

      const message = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256';
      const failed = encodeKafkaResponse('SaslAuthenticate', { apiVersion: version, correlationId: 5 }, { errorCode: 58, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n });
      await expect(response.parse(await response.decode(afterCorrelationId(failed)))).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED', message });
    });
  }
});
