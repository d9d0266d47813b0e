// The contract of the internal wire protocol (DESIGN §8), as types: what the controller server,
// the broker and the command-line tools use. quorum/net/ implements it over TCP and TLS.
//
// A connection carries length-prefixed msgpack frames. After the handshake both ends are equal:
// either may send one-way messages (Raft traffic) and requests (RPCs, answered on the same
// connection, pipelined, matched by a correlation id).

/**
 * Kafka's four. A broker client listener may use any of them; a controller listener, where nodes
 * speak the internal protocol, only PLAINTEXT or SSL (nodes prove who they are with certificates).
 */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** True when the listener's connections are TLS (SSL, SASL_SSL). */
export function usesTls(p: SecurityProtocol): boolean {
  return p === 'SSL' || p === 'SASL_SSL';
}

/** True when a Kafka client must authenticate with SASL before any other request (SASL_PLAINTEXT, SASL_SSL). */
export function usesSasl(p: SecurityProtocol): boolean {
  return p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** PEM material (file contents, not paths). */
export interface TlsMaterial {
  readonly certPem?: string;
  readonly keyPem?: string;
  /** Trusted CAs; when absent the system store is used. */
  readonly caPem?: string;
  /**
   * Server side, Kafka's ssl.client.auth: 'required' (mutual TLS: a peer without a valid
   * certificate is refused), 'requested' (a certificate is asked for; a peer may go without one,
   * but one that does not verify is refused), 'none' (not asked for; the default).
   */
  readonly clientAuth?: 'none' | 'requested' | 'required';
  /** Client side: check the server certificate's host name (ssl.endpoint.identification.algorithm=https). */
  readonly verifyHostname?: boolean;
}

/** One listener, as named in `listeners` and mapped by `listener.security.protocol.map`. */
export interface ListenerSpec {
  readonly name: string;
  readonly host: string;
  /** 0 picks a free port (see NetServer.address). */
  readonly port: number;
  readonly securityProtocol: SecurityProtocol;
  readonly tls?: TlsMaterial;
}

export type PeerRole = 'controller' | 'broker' | 'tool';

/**
 * The server side of one SASL exchange in the handshake (SCRAM: broker/kafka/sasl/scram-server.ts):
 * each client message in, the answer out. A refused message throws an error whose `message` may
 * go to the client (generic) and whose `reason`, when present, is for the server's log only.
 */
export interface SaslServerExchange {
  evaluate(message: Uint8Array): Uint8Array;
  /** True once the client has proved who it is. */
  readonly complete: boolean;
  /** The user proved, once complete. */
  readonly user: string | null;
}

/** A listener that asks the internal protocol's clients (metaquorum's tools) to authenticate with SASL. */
export interface HandshakeSaslOptions {
  /** The mechanisms offered (upper case, as SASL names them). */
  readonly mechanisms: readonly string[];
  /** A new exchange for one of `mechanisms`. */
  exchange(mechanism: string): SaslServerExchange;
  /** How long a failure's refusal is held back before it is sent (connection.failed.authentication.delay.ms). */
  readonly failureDelayMs: number;
  /** Exchanges start once it settles (a broker's image has caught up: the credentials are in it). */
  readonly ready?: Promise<unknown>;
  /** Each exchange's outcome (metrics, coalesced warnings): the user proved, or the reason it failed (never a password). */
  onOutcome?(mechanism: string, outcome: { readonly user: string | null; readonly reason: string | null; readonly remote: string }): void;
}

/** The client side of one SASL exchange (SCRAM: tools/admin/scram-client.ts): a new one per connection. */
export interface SaslClientExchange {
  readonly mechanism: string;
  /** The first message (SCRAM's client-first). */
  first(): Uint8Array;
  /** The answer to the server's challenge (SCRAM's client-final to server-first); throws when the challenge is unacceptable. */
  respond(challenge: Uint8Array): Uint8Array;
  /** Checks the server's last message (SCRAM's server-final: the server knows the credential too); throws when it does not. */
  verify(outcome: Uint8Array): void;
}

/** What each end of a connection says about itself in the handshake. */
export interface PeerIdentity {
  /** -1 for a tool (the CLI). */
  readonly nodeId: number;
  readonly role: PeerRole;
  /** A tool may not know it (null); nodes always send theirs. */
  readonly clusterId: string | null;
}

/** Version of the internal protocol spoken after the handshake. */
export const PROTOCOL_VERSION = 2;

/** Frames above this are refused (the connection closes with a logged reason). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** A request's failure as it travels on the wire: a Kafka error code, a message, and a hint. */
export interface WireError {
  readonly code: number;
  readonly name: string;
  readonly message: string;
  /** Set with NOT_CONTROLLER: the active controller the answering node knows of. */
  readonly activeControllerId?: number | null;
  /** Set with NOT_CONTROLLER: 'unknown' when the write may still have been applied. */
  readonly outcome?: 'not-appended' | 'unknown';
}

/** Thrown by request() when the other end answered with an error. */
export class RemoteError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly activeControllerId: number | null;
  readonly outcome: 'not-appended' | 'unknown' | undefined;
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.code = wire.code;
    this.errorName = wire.name;
    this.activeControllerId = wire.activeControllerId ?? null;
    this.outcome = wire.outcome;
  }
}

/** The connection closed or could not be made; the request may or may not have been seen. */
export class ConnectionError extends Error {
  readonly code = 'CONNECTION_ERROR';
  readonly retriable = true;
  /** True when the request never left this process (no connection to send it on): it was certainly not applied. */
  notSent = false;
  /** What went wrong, without the address the message names (for callers that name it themselves). */
  readonly reason: string;
  constructor(message: string, reason?: string) {
    super(message);
    this.reason = reason ?? message;
  }
}

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused, nothing listens on that port',
  ECONNRESET: 'connection reset by the other end',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'connection closed by the other end',
};

/**
 * A socket error in a few words, without the address Node's message repeats (`connect
 * ECONNREFUSED 127.0.0.1:9093`): the caller's message names the address once.
 */
export function socketErrorText(e: (Error & { code?: unknown }) | null): string {
  if (e === null) return 'connection closed';
  const code = typeof e.code === 'string' ? e.code : undefined;
  const known = code === undefined ? undefined : SOCKET_ERRORS[code];
  if (known !== undefined) return `${known} (${code})`;
  return e.message;
}

/** No answer within the request timeout; the request may or may not have been applied. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  readonly retriable = true;
}

/** The handshake was refused by the other end (another cluster, an unknown node id...). */
export class HandshakeRefusedError extends Error {
  readonly code = 'HANDSHAKE_REFUSED';
  readonly retriable = false;
  constructor(
    message: string,
    /** The two ends belong to different clusters (a directory formatted for another cluster): waiting will not help. */
    readonly otherCluster = false,
  ) {
    super(message);
  }
}

/** One authenticated connection, as a handler sees it. */
export interface PeerChannel {
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  /**
   * Who the connection proved to be, on a listener that identifies its peers (NetServerOptions.
   * identify: a broker's client listener with an authorizer); absent elsewhere.
   */
  readonly principal?: string;
  /** The peer's IP address as node gives it ("127.0.0.1", "::1"), on a connection a server accepted (remoteAddress adds the port). */
  readonly remoteIp?: string;
  /** Fire and forget; false when dropped (closed, the write buffer over its bound, or the message over the frame bound). */
  send(message: unknown): boolean;
  close(reason: string): void;
}

export interface InboundHandlers {
  /** A request: resolve with the response body, or throw (a RemoteError-like {code,...} is sent back). */
  onRequest(channel: PeerChannel, method: string, body: unknown): Promise<unknown>;
  onMessage?(channel: PeerChannel, message: unknown): void;
  onOpen?(channel: PeerChannel): void;
  onClose?(channel: PeerChannel, reason: string): void;
}

/** "host:port", an IPv6 host in brackets ("[::1]:9093"), as addresses are written everywhere here. */
export function hostPortText(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
