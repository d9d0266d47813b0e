// Byte helpers for the Kafka codec's tests: hex in, hex out, and the protocol error a read throws.

import { KafkaProtocolError } from '../../broker/kafka/protocol/errors.js';
import { KafkaWriter } from '../../broker/kafka/protocol/writer.js';

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
