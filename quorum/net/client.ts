// An outbound connection of the internal protocol (DESIGN §8) that keeps itself up: it dials,
// runs the client side of the handshake, and with `reconnect` dials again after a loss, backing
// off exponentially (with jitter) while the other end stays away.
//
// States and transitions:
//
//   idle        --connect() / request()-->  connecting
//   connecting  --handshake done-->         connected      (onConnected)
//   connecting  --failed, reconnect-->      backoff        (the failure is logged)
//   connecting  --failed, no reconnect-->   idle
//   connected   --connection lost-->        backoff | idle (onDisconnected, only here)
//   backoff     --timer-->                  connecting
//   any         --close()-->                closed         (final)
//
// The backoff doubles (with jitter) from reconnectBackoffMs up to reconnectBackoffMaxMs at every
// failed attempt and every loss; it starts again from the bottom only after a connection that
// lasted reconnectBackoffMaxMs, so a peer that hangs up right after each handshake is not
// redialled at the bottom rate.
//
// One-way messages sent while an attempt is under way (connecting) may be held with hold(): up to
// HELD_MAX of them, oldest dropped first, written in order once connected and dropped if the
// attempt fails. Without this, the first messages to a peer (a new node's first Fetch) were lost
// and waited out a request timeout, although the connection came up a millisecond later.
//
// A request never waits out a backoff: callers fail over to another node instead. It waits for an
// attempt already under way (within its own timeout); while backing off it fails at once with the
// last failure (a HandshakeRefusedError as such, anything else as a ConnectionError).

import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger } from '../env/index.js';
import { Connection } from './connection.js';
import { handshakeSilenceText, offerHandshake, type HandshakeExpectation } from './handshake.js';
import { netLimits } from './limits.js';
import { clientTlsOptions, isTlsError, tlsReason } from './tls-options.js';
import {
  ConnectionError,
  socketErrorText,
  DEFAULT_MAX_FRAME_BYTES,
  HandshakeRefusedError,
  type Endpoint,
  type PeerIdentity,
  type SaslClientExchange,
  type TlsMaterial,
} from './types.js';

export interface NetClientOptions {
  readonly endpoint: Endpoint;
  readonly self: PeerIdentity;
  readonly expect?: HandshakeExpectation;
  /** Present ⇒ SSL. */
  readonly tls?: TlsMaterial;
  /** Present ⇒ authenticate with SASL in the handshake (a SASL listener): a new exchange per dial. */
  readonly sasl?: () => SaslClientExchange;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Default true: dial again after a failure or a loss, until close(). */
  readonly reconnect?: boolean;
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
  readonly maxFrameBytes?: number;
  readonly logger: Logger;
  readonly onMessage?: (message: unknown) => void;
  readonly onRequest?: (method: string, body: unknown) => Promise<unknown>;
  readonly onConnected?: () => void;
  /** Called on a transition from connected to not connected (not on failed attempts). */
  readonly onDisconnected?: (reason: string) => void;
}

type State = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

/** One-way messages held while connecting; beyond it the oldest goes (the sender retries anyway). */
export const HELD_MAX = 64;

export class NetClient {
  private state: State = 'idle';
  private conn: Connection | null = null;
  private attempt: Promise<Connection> | null = null;
  /** The socket being dialled or connected, for close(). */
  private socket: net.Socket | null = null;
  /** Where the dial in progress is: the TCP (and TLS) connect, or waiting for the handshake's answer. */
  private dialPhase: 'connect' | 'handshake' = 'connect';
  private backoffTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  /** When the current connection's handshake completed (performance.now()). */
  private connectedAtMs = 0;
  private lastFailure: Error | null = null;
  private lastLoggedFailure: string | null = null;
  private readonly where: string;
  private readonly reconnect: boolean;
  private readonly requestTimeoutMs: number;
  /** One-way messages waiting for the attempt under way (hold()). */
  private held: unknown[] = [];

  constructor(private readonly o: NetClientOptions) {
    this.where = `${o.endpoint.host}:${o.endpoint.port}`;
    this.reconnect = o.reconnect ?? true;
    this.requestTimeoutMs = o.requestTimeoutMs ?? netLimits.requestTimeoutMs;
    this.backoffMs = this.backoffMinMs();
    if (!(this.backoffMs > 0)) throw new RangeError(`reconnectBackoffMs must be positive, got ${this.backoffMs}`);
    if (!Number.isInteger(o.endpoint.port) || o.endpoint.port <= 0 || o.endpoint.port > 65535) {
      throw new RangeError(`bad port in endpoint ${this.where}`);
    }
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** The node at the other end, while connected. */
  get peer(): PeerIdentity | null {
    return this.conn?.peer ?? null;
  }

  /** Starts connecting in the background (a no-op unless idle). */
  connect(): void {
    if (this.state === 'idle') void this.startAttempt().catch(() => {});
  }

  /** Fire and forget; false when not connected or backed up. */
  send(message: unknown): boolean {
    return this.state === 'connected' && this.conn !== null && this.conn.send(message);
  }

  /**
   * Keeps a one-way message for the connection being dialled (starting a dial when idle), to be
   * written once it is up; false when no attempt is under way or starting (backing off, closed).
   */
  hold(message: unknown): boolean {
    if (this.state === 'idle') this.connect();
    if (this.state !== 'connecting') return false;
    this.held.push(message);
    if (this.held.length > HELD_MAX) this.held.shift();
    return true;
  }

  request<T = unknown>(method: string, body: unknown, options?: { readonly timeoutMs?: number }): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? this.requestTimeoutMs;
    // Connected (the usual case): written now, with no turn spent waiting for the connection
    // (~0.3 µs of a pipelining client's ~3 µs per request). Failures still come as rejections.
    if (this.state === 'connected' && this.conn !== null) {
      try {
        return this.conn.request(method, body, Math.max(1, Math.round(timeoutMs))) as Promise<T>;
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return this.requestWhenConnected(method, body, timeoutMs);
  }

  private async requestWhenConnected<T>(method: string, body: unknown, timeoutMs: number): Promise<T> {
    const startMs = performance.now();
    let conn: Connection;
    try {
      conn = await this.connection(timeoutMs);
    } catch (e) {
      // No connection to send it on: the request certainly was not seen (callers may retry it freely).
      if (e instanceof ConnectionError) e.notSent = true;
      throw e;
    }
    const remainingMs = Math.max(1, Math.round(timeoutMs - (performance.now() - startMs)));
    return (await conn.request(method, body, remainingMs)) as T;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = [];
    if (this.backoffTimer !== null) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const socket = this.socket;
    this.socket = null;
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) conn.close('client closed');
    else socket?.destroy();
    if (socket !== null && !socket.closed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  }

  // -------------------------------------------------------------------------------------------

  private connection(timeoutMs: number): Promise<Connection> {
    switch (this.state) {
      case 'closed':
        return Promise.reject(new ConnectionError(`client of ${this.where} is closed`));
      case 'connected':
        if (this.conn !== null) return Promise.resolve(this.conn);
        break;
      case 'backoff':
        return Promise.reject(this.failureForCaller());
      case 'idle':
        void this.startAttempt().catch(() => {});
        break;
      case 'connecting':
        break;
    }
    const attempt = this.attempt;
    if (attempt === null) return Promise.reject(new Error(`NetClient: no attempt in state ${this.state}`));
    return new Promise<Connection>((resolve, reject) => {
      const timer = setTimeout(() => {
        const reason = this.dialTimeoutReason(timeoutMs);
        reject(new ConnectionError(this.dialPhase === 'handshake' ? `${this.where}: ${reason}` : `no connection to ${this.where} within ${timeoutMs} ms`, reason));
      }, timeoutMs);
      attempt.then(
        (c) => {
          clearTimeout(timer);
          resolve(c);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private failureForCaller(): Error {
    const f = this.lastFailure;
    if (f instanceof HandshakeRefusedError) return f;
    const reason = `${f === null ? 'not connected' : f instanceof ConnectionError ? f.reason : f.message} (retrying)`;
    return new ConnectionError(`not connected to ${this.where}: ${reason}`, reason);
  }

  private startAttempt(): Promise<Connection> {
    this.state = 'connecting';
    const attempt = this.dial().then(
      ({ conn, rest }) => {
        if (this.state === 'closed') {
          conn.close('client closed');
          throw new ConnectionError(`client of ${this.where} is closed`);
        }
        this.state = 'connected';
        this.conn = conn;
        this.attempt = null;
        // The backoff is reset once the connection has lasted (onConnectionClosed), not here: a
        // peer that takes the handshake and hangs up at once was redialled every 25-50 ms.
        this.connectedAtMs = performance.now();
        this.lastFailure = null;
        this.lastLoggedFailure = null;
        this.o.logger.info({ remote: this.where, peerNodeId: conn.peer.nodeId, peerRole: conn.peer.role }, 'connected');
        this.o.onConnected?.();
        conn.start(rest);
        const held = this.held;
        this.held = [];
        for (const m of held) conn.send(m);
        return conn;
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.onAttemptFailed(error);
        throw error;
      },
    );
    this.attempt = attempt;
    return attempt;
  }

  private onAttemptFailed(err: Error): void {
    this.attempt = null;
    this.held = [];
    if (this.state === 'closed') return;
    this.lastFailure = err;
    const configProblem = err instanceof HandshakeRefusedError || (err as { tls?: boolean }).tls === true;
    if (err.message !== this.lastLoggedFailure) {
      this.lastLoggedFailure = err.message;
      const fields = { remote: this.where, reason: err.message, retrying: this.reconnect };
      if (configProblem) this.o.logger.warn(fields, 'connection refused');
      else this.o.logger.info(fields, 'connection failed');
    } else {
      this.o.logger.debug({ remote: this.where, reason: err.message }, 'connection failed again');
    }
    this.afterLoss();
  }

  private onConnectionClosed(conn: Connection, reason: string): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.socket = null;
    if (this.state === 'closed') return;
    this.o.logger.info({ remote: this.where, peerNodeId: conn.peer.nodeId, reason }, 'disconnected');
    if (performance.now() - this.connectedAtMs >= this.backoffMaxMs()) this.backoffMs = this.backoffMinMs();
    this.lastFailure = new ConnectionError(`connection to ${this.where} lost: ${reason}`);
    this.afterLoss();
    this.o.onDisconnected?.(reason);
  }

  private backoffMinMs(): number {
    return this.o.reconnectBackoffMs ?? netLimits.reconnectBackoffMs;
  }

  private backoffMaxMs(): number {
    return this.o.reconnectBackoffMaxMs ?? netLimits.reconnectBackoffMaxMs;
  }

  /** Backs off before the next attempt, or goes idle without reconnect. */
  private afterLoss(): void {
    if (!this.reconnect) {
      this.state = 'idle';
      return;
    }
    this.state = 'backoff';
    const delayMs = this.backoffMs / 2 + (Math.random() * this.backoffMs) / 2;
    this.backoffMs = Math.min(this.backoffMs * 2, this.backoffMaxMs());
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.state === 'backoff') void this.startAttempt().catch(() => {});
    }, delayMs);
    this.backoffTimer.unref(); // a reconnect loop alone does not keep a process (a CLI) alive
  }

  /** TCP connect, TLS, handshake; all within connectTimeoutMs. */
  private async dial(): Promise<{ conn: Connection; rest: readonly Buffer[] }> {
    const { endpoint, logger } = this.o;
    const connectTimeoutMs = this.o.connectTimeoutMs ?? netLimits.connectTimeoutMs;
    const startMs = performance.now();
    const t = this.o.tls;
    const socket = t === undefined ? net.connect({ host: endpoint.host, port: endpoint.port }) : tls.connect(clientTlsOptions(endpoint, t));
    this.socket = socket;
    socket.on('error', () => {}); // acted on through 'close'
    socket.setNoDelay(true);
    socket.setKeepAlive(true, netLimits.keepAliveInitialDelayMs);
    // The node's kernel took the connection: from here silence is the node's (also a TLS
    // handshake that never answers; a TLSSocket emits 'connect' on the TCP connect).
    this.dialPhase = 'connect';
    socket.once('connect', () => {
      if (this.socket === socket) this.dialPhase = 'handshake';
    });
    await this.waitReady(socket, t !== undefined, connectTimeoutMs);
    this.dialPhase = 'handshake';
    const remainingMs = Math.max(1, Math.round(connectTimeoutMs - (performance.now() - startMs)));
    const result = await offerHandshake(socket, {
      self: this.o.self,
      expect: this.o.expect ?? {},
      maxFrameBytes: this.o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      timeoutMs: remainingMs,
      budgetMs: connectTimeoutMs,
      where: this.where,
      secure: t !== undefined,
      ...(this.o.sasl === undefined ? {} : { sasl: this.o.sasl() }),
    });
    const conn: Connection = new Connection({
      socket,
      decoder: result.decoder,
      codec: result.codec,
      peer: result.peer,
      remoteAddress: this.where,
      logger,
      ...(this.o.onMessage !== undefined ? { onMessage: this.o.onMessage } : {}),
      ...(this.o.onRequest !== undefined ? { onRequest: this.o.onRequest } : {}),
      onClose: (reason) => this.onConnectionClosed(conn, reason),
    });
    return { conn, rest: result.rest };
  }

  /**
   * Why a dial timed out after `timeoutMs`. A node that took the TCP connection and says nothing is
   * hung (SIGSTOP, a debugger, an overloaded host), not unreachable: "no connection" sent users
   * looking at the network.
   */
  private dialTimeoutReason(timeoutMs: number): string {
    return this.dialPhase === 'handshake' ? handshakeSilenceText(timeoutMs) : `no connection within ${timeoutMs} ms`;
  }

  /** Resolves on connect (secureConnect under TLS); rejects with a ConnectionError. */
  private waitReady(socket: net.Socket, secure: boolean, timeoutMs: number): Promise<void> {
    const readyEvent = secure ? 'secureConnect' : 'connect';
    return new Promise<void>((resolve, reject) => {
      let error: (Error & { code?: string }) | null = null;
      const done = (err: Error | null): void => {
        clearTimeout(timer);
        socket.off(readyEvent, onReady);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (err === null) return resolve();
        socket.destroy();
        reject(err);
      };
      const onReady = (): void => done(null);
      const onError = (err: Error & { code?: string }): void => {
        error = err;
      };
      const onClose = (): void => {
        const e = error;
        if (e !== null && secure && isTlsError(e)) {
          const hint = e.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (is it a PLAINTEXT listener?)' : '';
          return done(Object.assign(new ConnectionError(`TLS handshake with ${this.where} failed: ${tlsReason(e)}${hint}`), { tls: true }));
        }
        const reason = socketErrorText(e);
        done(new ConnectionError(`cannot connect to ${this.where}: ${reason}`, reason));
      };
      const timer = setTimeout(() => {
        const reason = this.dialTimeoutReason(timeoutMs);
        done(new ConnectionError(`cannot connect to ${this.where}: ${reason}`, reason));
      }, timeoutMs);
      socket.on(readyEvent, onReady);
      socket.on('error', onError);
      socket.on('close', onClose);
    });
  }
}
