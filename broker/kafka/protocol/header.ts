// Kafka request header v1 and response header v0 (reference/kafka-protocol.md §1.2), plus the
// INT32 size prefix of a response. kafkajs always sends header v1; every version we speak is
// non-flexible, so no header has tagged fields. (librdkafka's ApiVersions v3 uses header v2, whose
// tagged-field bytes simply stay in the body: we answer that version with error 35 without parsing
// the body.)
//
// The size prefix of requests is stripped by the connection's length-prefixed splitter; it must
// refuse sizes above MAX_KAFKA_FRAME_BYTES before buffering the body.

import { assert } from '../../../quorum/raft/assert.js';
import type { KafkaReader } from './reader.js';
import { KafkaWriter } from './writer.js';

/** Kafka's socket.request.max.bytes default (100 MiB): the largest request frame body we accept. */
export const MAX_KAFKA_FRAME_BYTES = 104_857_600;

export const SIZE_PREFIX_BYTES = 4;

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** Null when the client sent length -1. */
  readonly clientId: string | null;
}

/** Reads header v1 from the start of a request frame (size prefix already removed). */
export function decodeRequestHeader(reader: KafkaReader): RequestHeader {
  const apiKey = reader.int16('request header api_key');
  const apiVersion = reader.int16('request header api_version');
  const correlationId = reader.int32('request header correlation_id');
  const clientId = reader.nullableString('request header client_id');
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeResponseHeader(writer: KafkaWriter, correlationId: number): void {
  writer.int32(correlationId);
}

/** INT32 size, response header v0 (correlation id), then `body`: one whole response frame. */
export function frameResponse(correlationId: number, body: Uint8Array): Buffer {
  const size = 4 + body.length;
  assert(size <= 0x7fff_ffff, `response of ${size} bytes does not fit an INT32 size`);
  const frame = Buffer.allocUnsafe(SIZE_PREFIX_BYTES + size);
  frame.writeInt32BE(size, 0);
  frame.writeInt32BE(correlationId, 4);
  frame.set(body, 8);
  return frame;
}

/** Convenience: frame the body produced by `encodeBody`. */
export function encodeResponseFrame(correlationId: number, encodeBody: (w: KafkaWriter) => void): Buffer {
  const w = new KafkaWriter();
  encodeBody(w);
  return frameResponse(correlationId, w.toBuffer());
}
