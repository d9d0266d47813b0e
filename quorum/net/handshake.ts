// The handshake (DESIGN §8): the first frame each way on a new connection. The client says who it
// is and which cluster it belongs to; the server answers with who it is, or refuses and closes.
//
//   client → server   { t: 'hello', magic: 'metaquorum', v, nodeId, role, clusterId, codecs?, sasl? }
//   server → client   { t: 'welcome', v, nodeId, role, clusterId, codec?, saslToken? }  |  { t: 'refused', reason, otherCluster?, clusterId? }
//
// On a listener that asks for SASL (a broker's SASL_PLAINTEXT or SASL_SSL client listener, where
// metaquorum's tools meet Kafka clients), the hello carries the client's first message and the
// server answers with a challenge before the welcome (SCRAM's four messages in three round trips
// of the handshake, no extra one):
//
//   client → server   hello { …, sasl: { mechanism, token: client-first } }
//   server → client   { t: 'sasl-challenge', token: server-first }
//   client → server   { t: 'sasl-response', token: client-final }
//   server → client   welcome { …, saslToken: server-final }  (the client checks it: the server holds the credential)
//
// Server states: hello → (no sasl: refused, naming what the tool needs) | (mechanism not offered,
// or the first message refused: refused after failureDelayMs) | challenged → (response refused:
// refused after failureDelayMs, the generic text) | welcome, the peer's principal User:<name>.
// Both of the exchange's frames are held to the handshake's small frame bound. A tool that asked
// for SASL and got a welcome without a challenge refuses it: the listener is not the SASL one it
// was configured for (Kafka's client fails the same way), and it must not send a password's proof
// to a server that never asked.
//
// Both frames are plain msgpack (frame-codec.ts). `codecs` lists the frame codecs the client can
// speak after the handshake; the server picks one it speaks too and names it in `codec`, or
// leaves `codec` out and both ends stay plain (an older build ignores the fields, so the two
// still talk). From the frame after the welcome on, both ends use the chosen codec both ways.
//
// The server refuses a malformed hello, another protocol version, another cluster (a tool may
// send clusterId null), and whatever its admit() callback refuses; each refusal is a warn line
// naming the remote address and the reason, and the server keeps serving. Whatever a refused
// peer sent is quoted in that line cut to QUOTED_CHARS_MAX characters, and the handshake frame
// itself is bounded by netLimits.handshakeFrameBytesMax, not by the frame bound of the connection
// after it: a peer that has not yet said who it is made a node buffer a 64 MiB hello, then write
// its cluster id into the log twice (128 MiB of log per connection). The client refuses a
// welcome that does not match what it expected (the node id it dialled, its cluster).
//
// Both ends read the first frame with the connection's own FrameDecoder and pause the socket once
// they have it: frames that arrived behind it are handed to the Connection, nothing is lost.

import type { Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameError, plainCodec, STREAM_CODEC, streamCodec, type FrameCodec } from './frame-codec.js';
import { isTlsError, tlsReason } from './tls-options.js';
import { netLimits } from './limits.js';
import type { Logger } from '../env/index.js';
import { HandshakeRefusedError, ConnectionError, PROTOCOL_VERSION, type HandshakeSaslOptions, type PeerIdentity, type PeerRole, type SaslClientExchange } from './types.js';

export const HANDSHAKE_MAGIC = 'metaquorum';

export interface HelloFrame {
  readonly t: 'hello';
  readonly magic: typeof HANDSHAKE_MAGIC;
  readonly v: number;
  readonly nodeId: number;
  readonly role: PeerRole;
  readonly clusterId: string | null;
  readonly codecs?: readonly string[];
  /** To a SASL listener: the mechanism and the client's first message. */
  readonly sasl?: { readonly mechanism: string; readonly token: Uint8Array };
}

export interface WelcomeFrame {
  readonly t: 'welcome';
  readonly v: number;
  readonly nodeId: number;
  readonly role: PeerRole;
  readonly clusterId: string | null;
  readonly codec?: string;
  /** After a SASL exchange: the server's last message (SCRAM's server-final). */
  readonly saslToken?: Uint8Array;
}

/** The server's answer to a hello's first SASL message. */
export interface SaslChallengeFrame {
  readonly t: 'sasl-challenge';
  readonly token: Uint8Array;
}

/** The client's answer to a challenge. */
export interface SaslResponseFrame {
  readonly t: 'sasl-response';
  readonly token: Uint8Array;
}

export interface RefusedFrame {
  readonly t: 'refused';
  readonly reason: string;
  /** Set when the two ends belong to different clusters: retrying cannot help. */
  readonly otherCluster?: boolean;
  /** With otherCluster: the refusing node's cluster, so the client can say it in its own terms. */
  readonly clusterId?: string;
}

/** What the client expects of the node it dials; a mismatch fails with HandshakeRefusedError. */
export interface HandshakeExpectation {
  readonly nodeId?: number;
  readonly clusterId?: string;
  readonly role?: PeerRole;
}

/** A completed handshake: who the other end is, the codec chosen, and the decoder and frames that follow it. */
export interface HandshakeResult {
  readonly peer: PeerIdentity;
  /** For every frame after the handshake, both ways (a new stream codec, or the plain one). */
  readonly codec: FrameCodec;
  readonly decoder: FrameDecoder;
  /** Bodies of the frames that arrived in the same chunks as the handshake frame, in order, undecoded. */
  readonly rest: readonly Buffer[];
  /** Server side, after a SASL exchange: the principal the client proved, User:<name>. */
  readonly principal?: string;
}

/** The frame codecs this build speaks after the handshake, the preferred first. */
const CODECS_OFFERED: readonly string[] = [STREAM_CODEC];

/** The codec the server picks from a hello's offer: the stream codec when offered, else plain. */
function chooseCodec(hello: unknown): FrameCodec {
  const offered = isRecord(hello) && Array.isArray(hello['codecs']) ? hello['codecs'] : [];
  return offered.includes(STREAM_CODEC) ? streamCodec() : plainCodec;
}

const ROLES: readonly PeerRole[] = ['controller', 'broker', 'tool'];

export function helloFrame(self: PeerIdentity, sasl?: { readonly mechanism: string; readonly token: Uint8Array }): HelloFrame {
  return { t: 'hello', magic: HANDSHAKE_MAGIC, v: PROTOCOL_VERSION, nodeId: self.nodeId, role: self.role, clusterId: self.clusterId, codecs: CODECS_OFFERED, ...(sasl === undefined ? {} : { sasl }) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Characters of a peer's value quoted in a refusal or a log line. */
const QUOTED_CHARS_MAX = 100;

/** A value the peer sent, as a refusal or a log line may quote it: short, whatever was sent. */
function quoted(v: unknown): string {
  const s = typeof v === 'string' ? v : typeof v === 'object' && v !== null ? describe(v) : String(v);
  return s.length <= QUOTED_CHARS_MAX ? s : `${s.slice(0, QUOTED_CHARS_MAX)}... (${s.length} characters)`;
}

/** A field of a refused hello for the log: numbers as they are, anything else quoted. */
function loggable(v: unknown): unknown {
  return v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean' ? v : quoted(v);
}

function describe(v: unknown): string {
  if (isRecord(v)) return `an object with keys [${Object.keys(v).slice(0, 8).map(quoted).join(', ')}]`;
  if (v instanceof Uint8Array) return `${v.length} raw bytes`;
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** Reads the identity fields shared by hello and welcome; a string says what is wrong. */
function parseIdentity(f: Record<string, unknown>): PeerIdentity | string {
  const { nodeId, role, clusterId } = f;
  if (typeof nodeId !== 'number' || !Number.isInteger(nodeId) || nodeId < -1) return `bad node id ${quoted(nodeId)}`;
  if (typeof role !== 'string' || !ROLES.includes(role as PeerRole)) return `bad role ${quoted(role)}`;
  if (clusterId !== null && typeof clusterId !== 'string') return 'bad cluster id';
  if (role !== 'tool' && (clusterId === null || nodeId < 0)) return `a ${role} must send its node id and cluster id`;
  return { nodeId, role: role as PeerRole, clusterId };
}

/**
 * The server's decision on a hello frame: the peer it admits, or the reason it refuses.
 * `admit` sees only well-formed hellos of this cluster and protocol version.
 */
export function checkHello(
  frame: unknown,
  self: PeerIdentity,
  admit?: (peer: PeerIdentity) => string | null,
): { readonly peer: PeerIdentity } | { readonly refused: string; readonly otherCluster?: boolean } {
  if (!isRecord(frame) || frame['t'] !== 'hello') return { refused: `malformed handshake: expected a hello frame, got ${describe(frame)}` };
  if (frame['magic'] !== HANDSHAKE_MAGIC) return { refused: `malformed handshake: wrong magic ${JSON.stringify(String(frame['magic'])).slice(0, 40)}` };
  const v = frame['v'];
  if (v !== PROTOCOL_VERSION) {
    return { refused: `unsupported protocol version ${quoted(v)} (this node speaks version ${PROTOCOL_VERSION})` };
  }
  const peer = parseIdentity(frame);
  if (typeof peer === 'string') return { refused: `malformed handshake: ${peer}` };
  if (peer.clusterId !== null && self.clusterId !== null && peer.clusterId !== self.clusterId) {
    return { refused: `cluster id mismatch: the peer belongs to cluster ${quoted(peer.clusterId)}, this node to cluster ${self.clusterId}`, otherCluster: true };
  }
  const refusal = admit?.(peer) ?? null;
  if (refusal !== null) return { refused: refusal };
  return { peer };
}

/** The client's decision on the server's answer: the server's identity, or a HandshakeRefusedError. */
export function checkWelcome(frame: unknown, self: PeerIdentity, expect: HandshakeExpectation, where: string): PeerIdentity {
  if (isRecord(frame) && frame['t'] === 'refused') {
    const otherCluster = frame['otherCluster'] === true;
    const theirs = frame['clusterId'];
    // The reason is worded from the refusing node's side ("this node" is it): a cluster mismatch
    // is said again from this side, which an operator reading this node's error needs.
    if (otherCluster && typeof theirs === 'string' && self.clusterId !== null) {
      throw new HandshakeRefusedError(`${where} refused the connection: cluster id mismatch: ${where} belongs to cluster ${quoted(theirs)}, this node to cluster ${self.clusterId}`, true);
    }
    const reason = typeof frame['reason'] === 'string' ? frame['reason'] : 'no reason given';
    throw new HandshakeRefusedError(`${where} refused the connection: ${reason}${otherCluster ? ` (in ${where}'s words: "this node" is ${where})` : ''}`, otherCluster);
  }
  if (!isRecord(frame) || frame['t'] !== 'welcome') {
    throw new HandshakeRefusedError(`${where} answered the handshake with ${describe(frame)}, not a welcome: is it a metaquorum controller listener?`);
  }
  if (frame['v'] !== PROTOCOL_VERSION) {
    throw new HandshakeRefusedError(`${where} speaks protocol version ${quoted(frame['v'])}, this process ${PROTOCOL_VERSION}`);
  }
  const peer = parseIdentity(frame);
  if (typeof peer === 'string') throw new HandshakeRefusedError(`${where} sent a malformed welcome: ${peer}`);
  const clusterId = expect.clusterId ?? self.clusterId;
  if (clusterId !== null && peer.clusterId !== clusterId) {
    throw new HandshakeRefusedError(`${where} belongs to cluster ${quoted(peer.clusterId)}, expected cluster ${clusterId}`, true);
  }
  if (expect.nodeId !== undefined && peer.nodeId !== expect.nodeId) {
    throw new HandshakeRefusedError(`${where} is node ${peer.nodeId}, expected node ${expect.nodeId}: check controller.quorum.voters`);
  }
  if (expect.role !== undefined && peer.role !== expect.role) {
    throw new HandshakeRefusedError(`${where} is a ${peer.role}, expected a ${expect.role}`);
  }
  return peer;
}

/** The codec a (checked) welcome chose: one this build offered, or plain when it names none. */
function welcomeCodec(welcome: unknown, where: string): FrameCodec {
  const chosen = isRecord(welcome) ? welcome['codec'] : undefined;
  if (chosen === undefined) return plainCodec;
  if (chosen === STREAM_CODEC) return streamCodec();
  throw new HandshakeRefusedError(`${where} chose the frame codec ${JSON.stringify(String(chosen)).slice(0, 40)}, which this process did not offer`);
}

// ---------------------------------------------------------------------------------------------
// On a socket.

type FirstFrame =
  | { readonly ok: true; readonly frame: unknown; readonly rest: Buffer[] }
  | { readonly ok: false; readonly kind: 'timeout' | 'closed' | 'malformed'; readonly reason: string; readonly error?: Error };

/** TLS records start with a content type (0x15 alert, 0x16 handshake) and major version 3. */
function looksLikeTls(chunk: Buffer): boolean {
  return chunk.length >= 2 && (chunk[0] === 0x16 || chunk[0] === 0x15) && chunk[1] === 0x03;
}

/** Waits for the first frame; then pauses the socket and removes its listeners. Never rejects. */
function readFirstFrame(socket: Socket, decoder: FrameDecoder, timeoutMs: number, tlsHint: string, timeoutText = `no handshake within ${timeoutMs} ms`): Promise<FirstFrame> {
  return new Promise((resolve) => {
    let firstChunk = true;
    const finish = (r: FirstFrame): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('end', onClose);
      socket.off('error', onError);
      socket.pause();
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      if (firstChunk) {
        firstChunk = false;
        if (looksLikeTls(chunk)) return finish({ ok: false, kind: 'malformed', reason: tlsHint });
      }
      try {
        // Only the handshake frame is decoded here (plain); the ones behind it may use the
        // codec the handshake chooses.
        const bodies = decoder.bodies(chunk);
        if (bodies.length > 0) finish({ ok: true, frame: decoder.decode(plainCodec, bodies[0]!), rest: bodies.slice(1) });
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        finish({ ok: false, kind: 'malformed', reason: err.message });
      }
    };
    let lastError: Error | null = null;
    const onError = (err: Error): void => {
      lastError = err;
    };
    const onClose = (): void => {
      const e = lastError;
      const reason = `connection closed during the handshake${e !== null ? `: ${isTlsError(e) ? tlsReason(e) : e.message}` : ''}`;
      finish(e !== null ? { ok: false, kind: 'closed', reason, error: e } : { ok: false, kind: 'closed', reason });
    };
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', reason: timeoutText }), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('end', onClose);
    socket.on('error', onError);
    socket.resume();
  });
}

export interface AcceptHandshakeOptions {
  readonly self: PeerIdentity;
  readonly admit?: (peer: PeerIdentity) => string | null;
  /** The listener asks its clients to authenticate with SASL first (see the header). */
  readonly sasl?: HandshakeSaslOptions;
  readonly logger: Logger;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly remoteAddress: string;
  /** The listener's name, for the log. */
  readonly listener: string;
  /** True on a PLAINTEXT listener: a TLS ClientHello gets a precise refusal. */
  readonly plaintext: boolean;
  /** How long a refused socket may take to flush the refusal before it is destroyed. */
  readonly closeLingerMs: number;
}

/**
 * The server side: reads the hello, answers, and returns the peer; or refuses (logged at warn,
 * the socket closed) and returns null. Never throws for anything the peer sends.
 */
export async function acceptHandshake(socket: Socket, o: AcceptHandshakeOptions): Promise<HandshakeResult | null> {
  const decoder = new FrameDecoder(o.maxFrameBytes, netLimits.handshakeFrameBytesMax, o.sasl === undefined ? 1 : 2);
  const tlsHint = o.plaintext
    ? 'received a TLS handshake on a PLAINTEXT listener: the client is configured for SSL'
    : 'received a TLS record inside the TLS session: not a metaquorum client';
  const first = await readFirstFrame(socket, decoder, o.handshakeTimeoutMs, tlsHint);
  const fields = { remote: o.remoteAddress, listener: o.listener };
  if (!first.ok) {
    if (first.kind === 'closed') {
      o.logger.debug({ ...fields, reason: first.reason }, 'connection closed before its handshake');
      socket.destroy();
    } else {
      o.logger.warn({ ...fields, reason: first.reason }, 'handshake refused');
      refuse(socket, first.reason, o.closeLingerMs);
    }
    return null;
  }
  const decision = checkHello(first.frame, o.self, o.admit);
  if ('refused' in decision) {
    const hello = isRecord(first.frame) ? first.frame : {};
    o.logger.warn(
      { ...fields, reason: decision.refused, peerNodeId: loggable(hello['nodeId']), peerRole: loggable(hello['role']), peerClusterId: loggable(hello['clusterId']) },
      'handshake refused',
    );
    refuse(socket, decision.refused, o.closeLingerMs, decision.otherCluster === true ? o.self.clusterId : undefined);
    return null;
  }
  let rest: readonly Buffer[] = first.rest;
  let sasl: SaslOutcome | undefined;
  if (o.sasl !== undefined) {
    const outcome = await authenticate(socket, decoder, first.frame, rest, o.sasl, o, tlsHint);
    if ('refused' in outcome) {
      // A wrong proof is coalesced by onOutcome (a guesser would flood the log); the rest is a warn line here.
      if (outcome.logged !== true) o.logger.warn({ ...fields, reason: outcome.refused }, 'handshake refused');
      refuse(socket, outcome.refused, o.closeLingerMs);
      return null;
    }
    sasl = outcome;
    rest = outcome.rest;
  }
  const codec = chooseCodec(first.frame);
  const welcome: WelcomeFrame = {
    t: 'welcome',
    v: PROTOCOL_VERSION,
    nodeId: o.self.nodeId,
    role: o.self.role,
    clusterId: o.self.clusterId,
    ...(codec !== plainCodec ? { codec: codec.name } : {}),
    ...(sasl === undefined ? {} : { saslToken: sasl.token }),
  };
  socket.write(encodeFrame(welcome));
  return { peer: decision.peer, codec, decoder, rest, ...(sasl === undefined ? {} : { principal: sasl.principal }) };
}

interface SaslOutcome {
  readonly principal: string;
  /** The server's last message, for the welcome. */
  readonly token: Uint8Array;
  readonly rest: readonly Buffer[];
}

/** The text a tool that did not authenticate is refused with: what it needs to. */
export function saslRequiredText(listener: string, mechanisms: readonly string[]): string {
  return (
    `listener ${listener} asks its clients to authenticate with SASL (${mechanisms.join(', ')}): give the tool a --command-config with ` +
    'security.protocol=SASL_PLAINTEXT (or SASL_SSL), sasl.mechanism and a ScramLoginModule sasl.jaas.config'
  );
}

/** Waits until `ready` settles ('ready'; a rejection counts), the socket closes, or `ms` pass; removes what it added. */
function settledWithin(socket: Socket, ready: Promise<unknown>, ms: number): Promise<'ready' | 'closed' | 'timeout'> {
  if (socket.destroyed) return Promise.resolve('closed');
  return new Promise((resolve) => {
    let done = false;
    const finish = (how: 'ready' | 'closed' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('close', onClose);
      resolve(how);
    };
    const onClose = () => finish('closed');
    const timer = setTimeout(() => finish('timeout'), ms);
    socket.once('close', onClose);
    ready.then(
      () => finish('ready'),
      () => finish('ready'),
    );
  });
}

/** Waits `ms`, or until the socket closes (whichever is first). */
async function holdBack(socket: Socket, ms: number): Promise<void> {
  // A promise of its own that never settles (collected with the wait): only the time or the close ends it.
  if (ms > 0) await settledWithin(socket, new Promise<never>(() => undefined), ms);
}

/**
 * The server's side of a hello's SASL exchange (see the header). A refusal of the exchange itself
 * (an unoffered mechanism, a message the exchange refuses) is held back failureDelayMs first; its
 * text is the exchange's error message (generic: no hint whether the user exists).
 */
async function authenticate(
  socket: Socket,
  decoder: FrameDecoder,
  hello: unknown,
  rest: readonly Buffer[],
  sasl: HandshakeSaslOptions,
  o: AcceptHandshakeOptions,
  tlsHint: string,
): Promise<SaslOutcome | { readonly refused: string; readonly logged?: boolean }> {
  const offer = isRecord(hello) ? hello['sasl'] : undefined;
  if (offer === undefined) return { refused: saslRequiredText(o.listener, sasl.mechanisms) };
  if (!isRecord(offer) || typeof offer['mechanism'] !== 'string' || !(offer['token'] instanceof Uint8Array)) {
    return { refused: `malformed handshake: sasl is ${describe(offer)}, not { mechanism, token }` };
  }
  const mechanism = offer['mechanism'];
  const failed = async (refused: string, reason: string, logged = false) => {
    sasl.onOutcome?.(mechanism, { user: null, reason, remote: o.remoteAddress });
    await holdBack(socket, sasl.failureDelayMs);
    return { refused, logged };
  };
  if (!sasl.mechanisms.includes(mechanism)) {
    // Not counted by onOutcome: its name is the client's (a review grew a metric label set without bound with it).
    await holdBack(socket, sasl.failureDelayMs);
    return { refused: `SASL mechanism ${quoted(mechanism)} is not offered on listener ${o.listener}; it offers ${sasl.mechanisms.join(', ')}` };
  }
  if (sasl.ready !== undefined) {
    // A broker still catching up would check the proof against credentials it does not hold yet.
    // It waits as long as a hello may take: a client gets an answer, and a listener that stays
    // behind holds no connection longer than the handshake timeout.
    const waited = await settledWithin(socket, sasl.ready, o.handshakeTimeoutMs);
    if (waited === 'closed') return { refused: 'connection closed while the listener was not ready for SASL authentication', logged: true };
    if (waited === 'timeout') return { refused: `not ready for SASL authentication within ${o.handshakeTimeoutMs} ms (a broker catching up with the metadata log); try again` };
  }
  const exchange = sasl.exchange(mechanism);
  const step = (token: Uint8Array): Uint8Array | { readonly message: string; readonly reason: string } => {
    try {
      return exchange.evaluate(token);
    } catch (e) {
      const reason = (e as { reason?: unknown }).reason;
      // An error with a reason is the exchange refusing the client (its message is for the client);
      // any other is a bug of ours, and its text is not the client's to read.
      if (typeof reason === 'string') return { message: (e as Error).message, reason };
      o.logger.error({ remote: o.remoteAddress, listener: o.listener, mechanism, err: e }, 'SASL exchange failed');
      return { message: 'SASL authentication failed: an internal error (see the server log)', reason: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
  const challenge = step(offer['token']);
  if (!(challenge instanceof Uint8Array)) return failed(challenge.message, challenge.reason, true);
  socket.write(encodeFrame({ t: 'sasl-challenge', token: challenge } satisfies SaslChallengeFrame));
  let response: unknown;
  if (rest.length > 0) {
    try {
      response = decoder.decode(plainCodec, rest[0]!);
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      return { refused: e.message };
    }
    rest = rest.slice(1);
  } else {
    const next = await readFirstFrame(socket, decoder, o.handshakeTimeoutMs, tlsHint, `no answer to the SASL challenge within ${o.handshakeTimeoutMs} ms`);
    if (!next.ok) return { refused: next.reason };
    response = next.frame;
    rest = next.rest;
  }
  if (!isRecord(response) || response['t'] !== 'sasl-response' || !(response['token'] instanceof Uint8Array)) {
    return failed(`malformed handshake: expected a sasl-response frame, got ${describe(response)}`, 'the client did not answer the SASL challenge with a sasl-response');
  }
  const outcome = step(response['token']);
  if (!(outcome instanceof Uint8Array)) return failed(outcome.message, outcome.reason, true);
  if (!exchange.complete || exchange.user === null) return failed('SASL authentication did not complete in two messages', 'the exchange wanted more than two client messages');
  sasl.onOutcome?.(mechanism, { user: exchange.user, reason: null, remote: o.remoteAddress });
  return { principal: `User:${exchange.user}`, token: outcome, rest };
}

/**
 * Sends the refusal and closes; a peer that does not read it is cut off after the linger.
 * `ownClusterId` is given for a cluster mismatch (null: this node has none, it says only that).
 */
function refuse(socket: Socket, reason: string, closeLingerMs: number, ownClusterId?: string | null): void {
  if (socket.destroyed) return;
  const refused: RefusedFrame =
    ownClusterId === undefined ? { t: 'refused', reason } : { t: 'refused', reason, otherCluster: true, ...(ownClusterId === null ? {} : { clusterId: ownClusterId }) };
  socket.end(encodeFrame(refused));
  const timer = setTimeout(() => socket.destroy(), closeLingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // The refused peer may keep sending; nothing it sends is read, but errors must not go unhandled.
  socket.on('error', () => {});
}

export interface OfferHandshakeOptions {
  readonly self: PeerIdentity;
  readonly expect: HandshakeExpectation;
  readonly maxFrameBytes: number;
  readonly timeoutMs: number;
  /**
   * The whole budget the caller was given, when `timeoutMs` is what is left of it after connecting:
   * a timeout names the budget the user set ("within 300 ms"), not the remainder ("within 298 ms").
   */
  readonly budgetMs?: number;
  /** host:port, for messages. */
  readonly where: string;
  /** Under TLS (for the hints of a failure). */
  readonly secure: boolean;
  /** Authenticate with SASL: the listener must ask for it (see the header). A new exchange per connection. */
  readonly sasl?: SaslClientExchange;
}

/** A welcome after this client asked for SASL: it must end the exchange, and prove the server holds the credential. */
function checkSaslWelcome(welcome: unknown, sasl: SaslClientExchange, where: string): void {
  const token = isRecord(welcome) ? welcome['saslToken'] : undefined;
  if (token === undefined) {
    throw new HandshakeRefusedError(
      `${where} did not ask for SASL authentication: it is not a SASL_PLAINTEXT or SASL_SSL listener (a controller, or a PLAINTEXT or SSL broker listener); ` +
        'point the tool at the SASL listener, or leave sasl.* and security.protocol=SASL_* out of --command-config',
    );
  }
  if (!(token instanceof Uint8Array)) throw new HandshakeRefusedError(`${where} ended the SASL exchange with ${describe(token)}`);
  try {
    sasl.verify(token);
  } catch (e) {
    throw new HandshakeRefusedError(`SASL authentication with ${where} failed: ${(e as Error).message}`);
  }
}

/** Why a handshake failed when the peer took the TCP connection and never answered the hello. */
export function handshakeSilenceText(withinMs: number): string {
  return `connected, but no answer to the handshake within ${withinMs} ms: the node may be hung (paused, stopped in a debugger, or overloaded), or the port is not a metaquorum listener`;
}

/**
 * The client side: sends the hello and checks the answer. Throws HandshakeRefusedError (refused,
 * or not the node expected) or ConnectionError (closed, timed out); the socket is then destroyed.
 */
export async function offerHandshake(socket: Socket, o: OfferHandshakeOptions): Promise<HandshakeResult> {
  const decoder = new FrameDecoder(o.maxFrameBytes, netLimits.handshakeFrameBytesMax, o.sasl === undefined ? 1 : 2);
  const started = performance.now();
  socket.write(encodeFrame(helloFrame(o.self, o.sasl === undefined ? undefined : { mechanism: o.sasl.mechanism, token: o.sasl.first() })));
  const tlsHint = `${o.where} answered with TLS: it is an SSL listener, configure TLS for this connection`;
  const timeoutText = o.budgetMs === undefined ? undefined : handshakeSilenceText(o.budgetMs);
  let first = await readFirstFrame(socket, decoder, o.timeoutMs, tlsHint, timeoutText);
  try {
    if (first.ok && o.sasl !== undefined && isRecord(first.frame) && first.frame['t'] === 'sasl-challenge') {
      const challenge = first.frame['token'];
      if (!(challenge instanceof Uint8Array)) throw new HandshakeRefusedError(`${o.where} sent a malformed SASL challenge`);
      let response: Uint8Array;
      try {
        response = o.sasl.respond(challenge);
      } catch (e) {
        throw new HandshakeRefusedError(`SASL authentication with ${o.where} failed: ${(e as Error).message}`);
      }
      socket.write(encodeFrame({ t: 'sasl-response', token: response } satisfies SaslResponseFrame));
      first = await readFirstFrame(socket, decoder, Math.max(1, o.timeoutMs - (performance.now() - started)), tlsHint, timeoutText);
    }
    if (!first.ok) {
      const failed = `handshake with ${o.where} failed: ${first.reason}`;
      if (first.kind === 'malformed') throw new HandshakeRefusedError(failed);
      // A TLS alert here is the server refusing this client (its certificate, mostly).
      if (first.error !== undefined && isTlsError(first.error)) throw new HandshakeRefusedError(failed);
      if (first.kind === 'closed' && first.error === undefined) {
        const hint = o.secure
          ? 'the server may have refused this client or its certificate; see its log'
          : 'if it is an SSL listener, configure TLS for this connection; see its log';
        throw new ConnectionError(`${failed} (${hint})`);
      }
      throw new ConnectionError(failed);
    }
    const peer = checkWelcome(first.frame, o.self, o.expect, o.where);
    if (o.sasl !== undefined) checkSaslWelcome(first.frame, o.sasl, o.where);
    return { peer, codec: welcomeCodec(first.frame, o.where), decoder, rest: first.rest };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
