// Kafka request and response headers (reference/kafka-protocol.md §1.2), plus the INT32 size
// prefix of a response. Which header a request and its answer carry depends on the API and version:
// - classic (non-flexible) versions: request header v1 (api_key, api_version, correlation_id,
//   client_id NULLABLE_STRING), response header v0 (correlation_id). kafkajs always sends v1 here.
// - flexible versions: request header v2 (v1, then a tagged-field section; client_id stays a
//   classic NULLABLE_STRING), response header v1 (correlation_id, then tagged fields). Except
//   ApiVersions, whose response header is always v0, so that a client can read the answer to a
//   version the broker does not speak (KIP-511). We serve no flexible ApiVersions (librdkafka's v3
//   is answered with error 35 in the v0 layout without its body being parsed: ./index.ts).
//
// decodeRequestHeader reads the v1 part; the caller, once it knows the API and version are served
// and flexible, reads the tagged fields (./index.ts).
//
// The size prefix of requests is stripped by the connection's length-prefixed splitter; it must
// refuse sizes above MAX_KAFKA_FRAME_BYTES before buffering the body.

import { assert } from '../../../quorum/raft/assert.js';
import { ApiKey } from './api-keys.js';
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

/** Reads header v1 (the part v2 shares) from the start of a request frame (size prefix already removed). */
export function decodeRequestHeader(reader: KafkaReader): RequestHeader {
  const apiKey = reader.int16('request header api_key');
  const apiVersion = reader.int16('request header api_version');
  const correlationId = reader.int32('request header correlation_id');
  const clientId = reader.nullableString('request header client_id');
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Request header 2 for a flexible version, else 1. */
export function requestHeaderVersion(flexible: boolean): 1 | 2 {
  return flexible ? 2 : 1;
}

/** Response header 1 for a flexible version, else 0; ApiVersions always 0. */
export function responseHeaderVersion(apiKey: number, flexible: boolean): 0 | 1 {
  return flexible && apiKey !== ApiKey.ApiVersions ? 1 : 0;
}

export function encodeResponseHeader(writer: KafkaWriter, correlationId: number, headerVersion: 0 | 1 = 0): void {
  writer.int32(correlationId);
  if (headerVersion === 1) writer.taggedFields();
}

/** INT32 size, the response header (v0: correlation id; v1: and no tagged fields), then `body`: one whole response frame. */
export function frameResponse(correlationId: number, body: Uint8Array, headerVersion: 0 | 1 = 0): Buffer {
  const headerBytes = headerVersion === 1 ? 5 : 4;
  const size = headerBytes + body.length;
  assert(size <= 0x7fff_ffff, `response of ${size} bytes does not fit an INT32 size`);
  const frame = Buffer.allocUnsafe(SIZE_PREFIX_BYTES + size);
  frame.writeInt32BE(size, 0);
  frame.writeInt32BE(correlationId, 4);
  if (headerVersion === 1) frame.writeUInt8(0, 8); // an empty tagged-field section
  frame.set(body, SIZE_PREFIX_BYTES + headerBytes);
  return frame;
}

/** Convenience: frame the body produced by `encodeBody` (response header v0). */
export function encodeResponseFrame(correlationId: number, encodeBody: (w: KafkaWriter) => void): Buffer {
  const w = new KafkaWriter();
  encodeBody(w);
  return frameResponse(correlationId, w.toBuffer());
}
