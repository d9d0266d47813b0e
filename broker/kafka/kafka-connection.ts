// One Kafka client connection on a broker listener: INT32-size-prefixed requests (header v1, or
// v2 for the flexible versions served), each decoded by ./protocol, answered by a handler, and the
// answers written in request order (Kafka's contract per connection), while later requests are
// already being worked on (kafkajs pipelines).
//
// Bad input never reaches past this file: an oversized frame, a request that does not decode, or
// an API we never advertised closes this connection with a logged reason; other connections and
// the broker go on. ApiVersions at a version we do not speak is answered in the v0 layout with
// UNSUPPORTED_VERSION and the full list, so clients can retry with a version we know.
//
// Bounded per connection (found by tools/fuzz/kafka-fuzz.ts and by reviews):
// - Memory: reading stops while IN_FLIGHT_MAX requests are being answered, while their array items
//   reach REQUEST_ITEMS_MAX (what their decoded objects cost), or while the socket's unsent answers
//   exceed WRITE_BUFFER_HIGH_BYTES (a client that sends but never reads), and goes on once they
//   drain; Kafka stops reading from such a client the same way. The bounds hold within one chunk
//   too: frames already received wait, undecoded, until the connection may take more (a review
//   found one 64 KiB write of 3,640 small Metadata requests answered at once, 40 MB queued).
// - CPU: a frame arriving in many chunks is assembled once, when its last byte is in, not re-copied
//   per chunk (a 100 MiB frame in 64 KiB chunks was quadratic: over a minute of CPU).
// - Start-up: nothing is read before the broker has caught up with the metadata log (ctx.caughtUp):
//   a broker answering from an empty or stale image told kafkajs there were no brokers at all.
// - Idle: a connection that sends nothing for connections.max.idle.ms (Kafka's 10 minutes) is closed.
// - Throttled: an answer with throttle_time_ms (a controller_mutation_rate in debt) stops the reading
//   of this connection's requests that long, as Kafka mutes a throttled channel (KIP-219); nothing
//   behind a topic write is read before its answer (and throttle) is known.

import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { Logger } from '../../quorum/env/index.js';
import {
  decodeKafkaRequest,
  encodeKafkaResponse,
  encodeResponseFrame,
  encodeUnsupportedApiVersionsResponse,
  KafkaProtocolError,
  MAX_KAFKA_FRAME_BYTES,
  REQUEST_ITEMS_MAX,
  ApiKey,
  apiKeyName,
  type DecodedKafkaRequest,
} from './protocol/index.js';
import { dispatchKafkaRequest } from './dispatch.js';
import { principalOfSocket } from '../../quorum/net/principal.js';
import type { KafkaContext } from './handlers/context.js';
import { SaslSession, type SaslVerdict } from './sasl/sasl-session.js';
import { CONNECTIONS_MAX_IDLE_MS } from './connection-limits.js';

const SIZE_BYTES = 4;
/** Requests being worked on at once per connection; more wait (back-pressure on the socket). */
const IN_FLIGHT_MAX = 128;
/** Unsent answer bytes above which this connection's requests are no longer read. */
const WRITE_BUFFER_HIGH_BYTES = 4 * 1024 * 1024;
/** How long a connection closed after its last answer may take to flush it. */
const CLOSE_LINGER_MS = 1_000;

/** The requests charged to controller_mutation_rate, whose answers may throttle the connection. */
const MUTATIONS: ReadonlySet<string> = new Set(['CreateTopics', 'DeleteTopics', 'CreatePartitions']);

/** Why a connection closes once an answer is written, and how loudly that is logged. */
interface ClosingReason {
  readonly reason: string;
  readonly level: 'warn' | 'info';
}

export function serveKafkaConnection(socket: Socket, ctx: KafkaContext, logger: Logger, remote: string): void {
  // Fixed for the connection, as Kafka's session: the TLS handshake is done before the first byte is read.
  const principal = principalOfSocket(socket);
  if (principal === null) {
    // A verified certificate whose subject cannot be read: Kafka's handshake fails on one Java cannot parse.
    logger.warn({ remote, listener: ctx.listenerName, reason: 'client certificate subject unreadable' }, 'closing Kafka connection');
    socket.destroy();
    return;
  }
  // On a SASL listener, requests wait for the client to authenticate (./sasl/sasl-session.ts), and
  // the principal is then the SASL one.
  const sasl =
    ctx.sasl === undefined
      ? undefined
      : new SaslSession(ctx.sasl, ctx.image, ctx.listenerName, remote, logger, (mechanism, ok) => ctx.metrics?.authenticated(ctx.listenerName, mechanism, ok));
  /** Set once an answer that ends the connection is queued: nothing more is read. */
  let ending = false;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  /** The size (prefix included) of the frame being assembled, once its prefix is in. */
  let frameBytes: number | null = null;
  let closed = false;
  /** Answers in request order: the bytes to write (null: nothing), the request's array items, and why the connection closes once it is written. */
  const replies: { readonly bytes: Promise<Buffer | null>; readonly items: number; readonly thenClose?: ClosingReason }[] = [];
  /** Answers held back (a failed SASL authentication's delay): cleared when the connection closes, so none outlives it. */
  const holds = new Set<NodeJS.Timeout>();
  const heldFor = <T>(ms: number, value: T): Promise<T> =>
    ms === 0
      ? Promise.resolve(value)
      : new Promise<T>((resolve) => {
          const timer = setTimeout(() => {
            holds.delete(timer);
            resolve(value);
          }, ms); // not unref'd: the 'close' handler clears it, and a test counts it
          holds.add(timer);
        });
  let writing = false;
  /** Array items of the requests in `replies` (decoded, not yet answered). */
  let itemsInFlight = 0;
  let caughtUp = ctx.caughtUp === undefined;
  const clientHost = `/${socket.remoteAddress ?? 'unknown'}`;

  /** Until then (performance.now()) no request is read: an answer's throttle_time_ms (KIP-219: Kafka mutes a throttled channel). */
  let mutedUntil = 0;
  /** A topic write (CreateTopics, DeleteTopics, CreatePartitions) being answered: nothing after it is read until it is. */
  let mutationPending = false;
  /** Take no more requests while too much is in flight or unsent, or while throttled; go on once it has drained. */
  const mustWait = () => ending || !caughtUp || mutationPending || (mutedUntil > 0 && performance.now() < mutedUntil) || replies.length >= IN_FLIGHT_MAX || itemsInFlight >= REQUEST_ITEMS_MAX || socket.writableLength > WRITE_BUFFER_HIGH_BYTES;
  const maybeResume = () => {
    if (closed || mustWait()) return;
    if (bufferedBytes > 0) {
      takeFrames(); // what arrived while the connection waited
      void drainReplies();
    }
    if (!closed && socket.isPaused() && !mustWait()) socket.resume();
  };

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
        const bytes = await replies[0]!.bytes;
        const reply = replies.shift()!;
        itemsInFlight -= reply.items;
        if (bytes !== null && !closed) socket.write(bytes);
        if (reply.thenClose !== undefined) return closeAfterWrites(reply.thenClose.reason, reply.thenClose.level);
        maybeResume();
      }
    } finally {
      writing = false;
    }
  };

  /** Ends the connection once what was written has left (the client reads the answer that explains why). */
  const closeAfterWrites = (reason: string, level: 'warn' | 'info') => {
    if (closed) return;
    closed = true;
    logger[level]({ remote, listener: ctx.listenerName, reason }, 'closing Kafka connection');
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
  };

  /**
   * Carries out what the SASL session decided for a frame; `dispatch` answers with `onDispatch`.
   * A failure is held back (the session's delay), then written behind the answers before it, then
   * the connection closes: nothing after it is read (`ending`), so pipelining cannot dodge the delay.
   */
  const onSaslVerdict = (verdict: SaslVerdict, onDispatch: () => void) => {
    if (verdict.kind === 'dispatch') return onDispatch();
    if (verdict.kind === 'close') {
      ending = true;
      replies.push({ bytes: heldFor(verdict.delayMs, null), items: 0, thenClose: { reason: verdict.reason, level: 'warn' } });
      return;
    }
    const { bytes, thenClose } = verdict;
    if (thenClose === undefined) return void replies.push({ bytes: Promise.resolve(bytes), items: 0 });
    ending = true;
    replies.push({ bytes: heldFor(thenClose.delayMs, bytes), items: 0, thenClose: { reason: thenClose.reason, level: 'info' } });
  };
  /** Reads nothing more for `ms` (a throttled answer); the idle timeout still closes a connection muted past it. */
  const muteFor = (ms: number) => {
    const until = performance.now() + ms;
    if (until <= mutedUntil || closed) return;
    mutedUntil = until;
    const timer = setTimeout(() => {
      holds.delete(timer);
      // Timers fire on whole milliseconds, up to one before `until`: the mute ends here, or a
      // connection whose timer came early stayed paused until the idle close (found by a review).
      if (mutedUntil === until) mutedUntil = 0;
      maybeResume();
    }, Math.min(ms, CONNECTIONS_MAX_IDLE_MS));
    holds.add(timer);
    socket.pause();
  };
  const dispatch = (decoded: DecodedKafkaRequest) => {
    itemsInFlight += decoded.items;
    if (!MUTATIONS.has(decoded.api)) return void replies.push({ bytes: answer(decoded), items: decoded.items });
    // Its answer may carry a throttle time that mutes the connection: the requests behind it must
    // wait for that, or a client pipelining 128 topic writes would have them all taken before the
    // first throttle (Kafka reads one request per connection at a time).
    mutationPending = true;
    const bytes = answer(decoded).finally(() => {
      mutationPending = false;
      maybeResume();
    });
    replies.push({ bytes, items: decoded.items });
  };
  const unauthenticated = () => sasl !== undefined && sasl.principal === null;

  const answer = async (decoded: DecodedKafkaRequest): Promise<Buffer | null> => {
    const started = performance.now();
    try {
      const response = await dispatchKafkaRequest(ctx, decoded, clientHost, sasl?.principal ?? principal);
      const bytes = encodeKafkaResponse(decoded.api, decoded.header, response as never);
      const throttleMs = (response as { throttleTimeMs?: unknown }).throttleTimeMs;
      if (typeof throttleMs === 'number' && throttleMs > 0) muteFor(throttleMs);
      ctx.metrics?.requestAnswered(decoded.api, (performance.now() - started) / 1000);
      return bytes;
    } catch (e) {
      // A handler bug: the client gets no answer it could misread; the connection closes.
      close(`handler for ${decoded.api} v${decoded.header.apiVersion} failed: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };

  const onFrame = (frame: Buffer) => {
    if (sasl?.expectsRawToken === true) return onSaslVerdict(sasl.onRawToken(frame), () => undefined);
    let decoded;
    try {
      decoded = decodeKafkaRequest(frame);
    } catch (e) {
      if (!(e instanceof KafkaProtocolError)) throw e;
      return unauthenticated() ? onSaslVerdict(sasl!.refuse(e.message), () => undefined) : close(e.message);
    }
    if (decoded.kind === 'unsupported') {
      const { header } = decoded;
      if (header.apiKey === ApiKey.ApiVersions) {
        const answerUnsupported = () =>
          void replies.push({ bytes: Promise.resolve(encodeResponseFrame(header.correlationId, (w) => encodeUnsupportedApiVersionsResponse(w))), items: 0 });
        return unauthenticated() ? onSaslVerdict(sasl!.onUnsupportedApiVersions(), answerUnsupported) : answerUnsupported();
      }
      if (unauthenticated()) return onSaslVerdict(sasl!.refuse(`api key ${header.apiKey} v${header.apiVersion} before SASL authentication`), () => undefined);
      return close(
        decoded.reason === 'unknown-api'
          ? `request for api key ${header.apiKey}, which this broker does not serve`
          : `${apiKeyName(header.apiKey) ?? header.apiKey} v${header.apiVersion} is outside the advertised range`,
      );
    }
    if (unauthenticated()) return onSaslVerdict(sasl!.onRequest(decoded), () => dispatch(decoded));
    dispatch(decoded);
  };

  /** Cuts and handles the whole frames buffered, as long as the connection may take more. */
  const takeFrames = () => {
    while (!closed && !mustWait() && bufferedBytes >= SIZE_BYTES) {
      if (frameBytes === null) {
        const head = buffered[0]!.length >= SIZE_BYTES ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
        const size = head.readInt32BE(0);
        const bound = sasl?.frameBound(MAX_KAFKA_FRAME_BYTES) ?? MAX_KAFKA_FRAME_BYTES;
        if (size < 0 || size > bound) {
          return close(
            bound < MAX_KAFKA_FRAME_BYTES
              ? `request size ${size} before SASL authentication is outside 0..${bound} (sasl.server.max.receive.size)`
              : `request size ${size} is outside 0..${MAX_KAFKA_FRAME_BYTES}`,
          );
        }
        frameBytes = SIZE_BYTES + size;
      }
      if (bufferedBytes < frameBytes) break;
      const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
      const frame = all.subarray(SIZE_BYTES, frameBytes);
      const rest = all.subarray(frameBytes);
      buffered = rest.length > 0 ? [rest] : [];
      bufferedBytes = rest.length;
      frameBytes = null;
      try {
        onFrame(frame);
      } catch (e) {
        // A bug of ours: this connection ends, the broker and its other connections go on.
        logger.error({ remote, listener: ctx.listenerName, err: e }, 'Kafka request handling failed');
        return close(`internal error handling a request: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    buffered.push(chunk);
    bufferedBytes += chunk.length;
    takeFrames();
    if (mustWait()) socket.pause();
    void drainReplies();
  });
  socket.on('drain', maybeResume);
  ctx.caughtUp?.then(() => {
    caughtUp = true;
    maybeResume();
  });
  socket.setTimeout(CONNECTIONS_MAX_IDLE_MS, () => close(`idle for ${CONNECTIONS_MAX_IDLE_MS} ms (connections.max.idle.ms)`, 'info'));
  socket.on('error', () => undefined); // 'close' follows
  ctx.metrics?.connectionOpened(ctx.listenerName);
  socket.on('close', () => {
    closed = true;
    for (const timer of holds) clearTimeout(timer);
    holds.clear();
    ctx.metrics?.connectionClosed(ctx.listenerName);
  });
}

