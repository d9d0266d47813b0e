// One Kafka client connection on a broker listener: INT32-size-prefixed requests (header v1,
// non-flexible bodies), each decoded by ./protocol, answered by a handler, and the answers written
// in request order (Kafka's contract per connection), while later requests are already being
// worked on (kafkajs pipelines).
//
// Bad input never reaches past this file: an oversized frame, a request that does not decode, or
// an API we never advertised closes this connection with a logged reason; other connections and
// the broker go on. ApiVersions at a version we do not speak is answered in the v0 layout with
// UNSUPPORTED_VERSION and the full list, so clients can retry with a version we know.

import type { Socket } from 'node:net';
import type { Logger } from '../../quorum/env/index.js';
import {
  decodeKafkaRequest,
  encodeKafkaResponse,
  encodeResponseFrame,
  encodeUnsupportedApiVersionsResponse,
  KafkaProtocolError,
  MAX_KAFKA_FRAME_BYTES,
  ApiKey,
  apiKeyName,
  type DecodedKafkaRequest,
} from './protocol/index.js';
import { dispatchKafkaRequest } from './dispatch.js';
import type { KafkaContext } from './handlers/context.js';

const SIZE_BYTES = 4;
/** Requests being worked on at once per connection; more wait (back-pressure on the socket). */
const IN_FLIGHT_MAX = 128;

export function serveKafkaConnection(socket: Socket, ctx: KafkaContext, logger: Logger, remote: string): void {
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let closed = false;
  /** Answers in request order: each entry resolves to the bytes to write (or null: nothing). */
  const replies: Promise<Buffer | null>[] = [];
  let writing = false;
  const clientHost = `/${socket.remoteAddress ?? 'unknown'}`;

  const close = (reason: string, level: 'warn' | 'info' = 'warn') => {
    if (closed) return;
    closed = true;
    logger[level]({ remote, listener: ctx.listenerName, reason }, level === 'warn' ? 'closing Kafka connection' : 'Kafka connection closed');
    socket.destroy();
  };

  const drainReplies = async () => {
    if (writing) return;
    writing = true;
    try {
      while (replies.length > 0 && !closed) {
        const bytes = await replies[0]!;
        replies.shift();
        if (bytes !== null && !closed) socket.write(bytes);
        if (replies.length < IN_FLIGHT_MAX && socket.isPaused()) socket.resume();
      }
    } finally {
      writing = false;
    }
  };

  const answer = async (decoded: DecodedKafkaRequest): Promise<Buffer | null> => {
    try {
      const response = await dispatchKafkaRequest(ctx, decoded, clientHost);
      return encodeKafkaResponse(decoded.api, decoded.header, response as never);
    } catch (e) {
      // A handler bug: the client gets no answer it could misread; the connection closes.
      close(`handler for ${decoded.api} v${decoded.header.apiVersion} failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };

  const onFrame = (frame: Buffer) => {
    let decoded;
    try {
      decoded = decodeKafkaRequest(frame);
    } catch (e) {
      if (e instanceof KafkaProtocolError) return close(`malformed Kafka request: ${e.message}`);
      throw e;
    }
    if (decoded.kind === 'unsupported') {
      const { header } = decoded;
      if (header.apiKey === ApiKey.ApiVersions) {
        replies.push(Promise.resolve(encodeResponseFrame(header.correlationId, (w) => encodeUnsupportedApiVersionsResponse(w))));
        return;
      }
      return close(
        decoded.reason === 'unknown-api'
          ? `request for api key ${header.apiKey}, which this broker does not serve`
          : `${apiKeyName(header.apiKey) ?? header.apiKey} v${header.apiVersion} is outside the advertised range`,
      );
    }
    replies.push(answer(decoded));
  };

  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    buffered.push(chunk);
    bufferedBytes += chunk.length;
    while (!closed && bufferedBytes >= SIZE_BYTES) {
      const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
      buffered = [all];
      const size = all.readInt32BE(0);
      if (size < 0 || size > MAX_KAFKA_FRAME_BYTES) return close(`request size ${size} is outside 0..${MAX_KAFKA_FRAME_BYTES}`);
      if (bufferedBytes < SIZE_BYTES + size) break;
      const frame = all.subarray(SIZE_BYTES, SIZE_BYTES + size);
      const rest = all.subarray(SIZE_BYTES + size);
      buffered = rest.length > 0 ? [rest] : [];
      bufferedBytes = rest.length;
      onFrame(frame);
    }
    if (replies.length >= IN_FLIGHT_MAX) socket.pause();
    void drainReplies();
  });
  socket.on('error', () => undefined); // 'close' follows
  socket.on('close', () => {
    closed = true;
  });
}

