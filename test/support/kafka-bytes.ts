// Byte helpers for the Kafka codec's tests: hex in, hex out, the protocol error a read throws, and
// an API's request body decoding to / response body encoding from the bytes written out by hand.

import { expect } from 'vitest';
import { KafkaProtocolError } from '../../broker/kafka/protocol/errors.js';
import { KAFKA_APIS, KafkaReader, KafkaWriter, type KafkaApiCodec, type KafkaApiName, type KafkaApiTypes } from '../../broker/kafka/protocol/index.js';

/** Bytes from hex written with any spacing. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** What `f` writes, as lowercase hex. */
export const written = (f: (w: KafkaWriter) => void): string => {
  const w = new KafkaWriter(16);
  f(w);
  return w.toBuffer().toString('hex');
};

/** The KafkaProtocolError `f` throws; fails the test when it throws something else or nothing. */
export function protocolError(f: () => unknown): KafkaProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaProtocolError) return e;
    throw new Error(`expected KafkaProtocolError, got ${String(e)}`);
  }
  throw new Error('expected KafkaProtocolError, nothing thrown');
}

/** `bytes` (a request body) decodes to `expected` at this version. */
export function decodes<N extends KafkaApiName>(api: N, version: number, bytes: string, expected: KafkaApiTypes[N][0]): void {
  expect((KAFKA_APIS[api] as KafkaApiCodec).decodeRequest(version, new KafkaReader(hex(bytes)))).toEqual(expected);
}

/** `response` encodes to exactly `bytes` (a response body) at this version. */
export function encodes<N extends KafkaApiName>(api: N, version: number, response: KafkaApiTypes[N][1], bytes: string): void {
  const w = new KafkaWriter();
  (KAFKA_APIS[api] as KafkaApiCodec).encodeResponse(version, w, response);
  expect(w.toBuffer().toString('hex')).toBe(bytes.replace(/\s+/g, ''));
}
