// A listener of the internal protocol (DESIGN §8): accepts connections on one ListenerSpec, runs
// the server side of the handshake, and hands each admitted connection to the InboundHandlers as
// a PeerChannel. PLAINTEXT is node:net, SSL is node:tls (clientAuth 'required' = mutual TLS).
//
// Whatever a peer sends — garbage, another cluster's hello, a TLS client on a PLAINTEXT port, no
// certificate — costs it its connection and the node one warn line; the server keeps serving. A
// peer that hangs up before sending anything (a TCP health check) costs a debug line, on either
// kind of listener.
//
// Past connectionsMax, Node accepts a new connection and closes it at once. That is a refusal
// too, and says so in a warn line (at most one per REFUSAL_WARN_INTERVAL_MS, counting the others):
// before, a voter turned away by a full listener saw only "connection closed during the
// handshake ... see its log", and the log held nothing.
//
// A broker's client listeners also share ConnectionQuotas (Kafka's max.connections.per.ip, its
// overrides and max.connections; ./connection-quotas.ts): a connection over one of them is closed
// on accept, before TLS or the first protocol byte, with the same warn line naming the limit (at
// most one per remote address per interval). All of a client listener's connections count, Kafka
// clients and our own tools alike, as Kafka counts every connection at accept. A connection from
// an address over its connection rate quota (Kafka's KIP-612 ip quota) is closed on accept the
// same way, with its own warn line, 'connection refused: connection rate quota exceeded', naming
// the address, the rate measured and the quota (at most one per address per interval).

import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger } from '../env/index.js';
import { Connection } from './connection.js';
import type { ConnectionQuotas } from './connection-quotas.js';
import { acceptHandshake } from './handshake.js';
import { netLimits } from './limits.js';
import { RefusalWarnings } from './refusal-warnings.js';
import { isTlsError, presentedCertificateProblem, serverTlsOptions, tlsReason } from './tls-options.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  hostPortText,
  type Endpoint,
  type InboundHandlers,
  type ListenerSpec,
  type PeerChannel,
  type PeerIdentity,
  type HandshakeSaslOptions,
  type TlsMaterial,
  usesTls,
} from './types.js';

export interface NetServerOptions {
  readonly listener: ListenerSpec;
  /** This node, as the welcome frame states it. */
  readonly self: PeerIdentity;
  /** Returns a refusal reason for a peer this node will not talk to (unknown controller ids...). */
  readonly admit?: (peer: PeerIdentity) => string | null;
  /** Clients of the internal protocol authenticate with SASL in the handshake (handshake.ts); their principal is then the SASL one. */
  readonly sasl?: HandshakeSaslOptions;
  readonly handlers: InboundHandlers;
  readonly logger: Logger;
  readonly maxFrameBytes?: number;
  readonly handshakeTimeoutMs?: number;
  /** Connections held at once, handshaking or open (default netLimits.serverConnectionsMax). */
  readonly connectionsMax?: number;
  /** Per-address and total connection limits, shared with the other listeners they span (a broker's client listeners). */
  readonly connectionQuotas?: ConnectionQuotas;
  /**
   * A second protocol on the same listener (a broker's client listener also speaks Kafka). The
   * first bytes a client sends decide: `detect` sees at least `bytesNeeded` of them; when it says
   * yes the socket, with those bytes still unread, goes to `serve` instead of the handshake.
   */
  /**
   * Who a connection of the internal protocol proved to be (its TLS client certificate), set as its
   * PeerChannel.principal: a broker with an authorizer answers its internal RPC only to super users.
   * null: it proved nobody it can name (a certificate whose subject cannot be read), and is refused.
   * After a SASL exchange (`sasl`), the SASL principal is used instead, as Kafka does on SASL_SSL.
   */
  readonly identify?: (socket: net.Socket) => string | null;
  readonly alternateProtocol?: {
    readonly bytesNeeded: number;
    detect(firstBytes: Buffer): boolean;
    serve(socket: net.Socket, remoteAddress: string): void;
  };
}

/**
 * Reads at least `n` bytes, then puts them back unread; null when the peer hung up first (its
 * 'end' or 'close' has then been emitted, and no handshake reader attached later would see it).
 */
function peek(socket: net.Socket, n: number, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (hungUp: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onHangUp);
      socket.off('close', onHangUp);
      socket.pause();
      if (hungUp) return resolve(null);
      const first = Buffer.concat(chunks, got);
      if (first.length > 0) socket.unshift(first);
      resolve(first);
    };
    const onHangUp = () => done(true);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) done(false);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onHangUp);
    socket.once('close', onHangUp);
  });
}

/** The TCP socket beneath a server-side TLS socket (not a public property: undefined if Node moves it). */
function rawSocketOf(socket: tls.TLSSocket): net.Socket | undefined {
  const parent = (socket as unknown as { _parent?: unknown })._parent;
  return parent instanceof net.Socket ? parent : undefined;
}

/**
 * Why a TLS handshake failed, for the warn line; null when the peer hung up before sending a byte
 * (a TCP health check: the PLAINTEXT listener lets it go with a debug line too, and a load
 * balancer probing an SSL listener every few seconds filled the log with "socket hang up").
 */
function tlsFailureReason(err: Error & { code?: string; reason?: string }, socket: tls.TLSSocket): string | null {
  // Node checks a client certificate after the TLS handshake and just destroys the socket: the
  // error is then a bare reset, and the real reason is the socket's authorizationError.
  const authError = socket.authorizationError as Error | string | null | undefined;
  if (authError !== null && authError !== undefined) {
    return `client certificate rejected: ${typeof authError === 'string' ? authError : authError.message}`;
  }
  if (isTlsError(err)) return tlsReason(err);
  // Not a TLS error: the peer hung up, or the connection was reset.
  if (rawSocketOf(socket)?.bytesRead === 0) return null;
  // Mid-handshake, without an alert: what a client that does not trust this certificate does.
  return `the client hung up during the TLS handshake (does it trust this listener's certificate?): ${tlsReason(err)}`;
}

/** The listener could not be bound: the port is taken, the address is not local... */
export class ListenError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly code: string,
    readonly endpoint: Endpoint,
  ) {
    super(message);
  }
}

function hostPort(host: string | undefined, port: number | undefined): string {
  return hostPortText(host ?? 'unknown', port ?? 0);
}

function remoteOf(socket: net.Socket): string {
  return hostPort(socket.remoteAddress, socket.remotePort);
}

export class NetServer {
  /** Every TCP connection, from accept to close (under TLS: the raw socket beneath). */
  private readonly rawSockets = new Set<net.Socket>();
  /** Sockets in the protocol handshake (under TLS: after the TLS handshake). */
  private readonly handshaking = new Set<net.Socket>();
  /** Sockets handed to the alternate protocol (a broker's Kafka clients). */
  private readonly alternateSockets = new Set<net.Socket>();
  private readonly open = new Set<Connection>();
  /** Remote addresses noted on accept: a TLS socket that failed may no longer know its own. */
  private readonly rawRemote = new WeakMap<net.Socket, string>();
  /** Raw sockets closed on accept by the connection quotas: their TLS side is not worth a log line. */
  private readonly refusedOnAccept = new WeakSet<net.Socket>();
  private closing: Promise<void> | null = null;
  /** When a connection refused over connectionsMax is logged (one key: this listener). */
  private readonly dropWarnings = new RefusalWarnings();

  private constructor(
    private readonly o: NetServerOptions,
    private readonly server: net.Server,
  ) {}

  /** Binds the listener; rejects with ListenError (code EADDRINUSE when the port is taken). */
  static async listen(o: NetServerOptions): Promise<NetServer> {
    const { listener } = o;
    const handshakeTimeoutMs = o.handshakeTimeoutMs ?? netLimits.handshakeTimeoutMs;
    const secure = usesTls(listener.securityProtocol);
    const server: net.Server =
      secure
        ? tls.createServer(serverTlsOptions(listener.name, listener.tls, handshakeTimeoutMs))
        : net.createServer();
    server.maxConnections = o.connectionsMax ?? netLimits.serverConnectionsMax;
    const self = new NetServer(o, server);
    server.on('drop', (data?: net.DropArgument) => self.onDrop(data));
    server.on('connection', (raw: net.Socket) => {
      self.rawSockets.add(raw);
      self.rawRemote.set(raw, remoteOf(raw));
      raw.once('close', () => self.rawSockets.delete(raw));
      if (o.connectionQuotas !== undefined) self.admitWithinQuotas(raw, o.connectionQuotas);
    });
    server.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      if (self.refusedOnAccept.has(socket)) return;
      if (secure) {
        const problem = presentedCertificateProblem(socket as tls.TLSSocket);
        if (problem !== null) {
          o.logger.warn({ remote: self.remoteOfTls(socket as tls.TLSSocket), listener: listener.name, reason: problem }, 'handshake refused: TLS error');
          socket.destroy();
          return;
        }
      }
      void self.onSocket(socket);
    });
    if (secure) {
      server.on('tlsClientError', (err: Error & { code?: string; reason?: string }, socket: tls.TLSSocket) => {
        const raw = rawSocketOf(socket);
        if (raw !== undefined && self.refusedOnAccept.has(raw)) return; // logged as the refusal it is
        const remote = self.remoteOfTls(socket);
        const reason = tlsFailureReason(err, socket);
        if (reason === null) {
          o.logger.debug({ remote, listener: listener.name }, 'connection closed before its handshake');
          return;
        }
        o.logger.warn({ remote, listener: listener.name, reason, tlsError: err.code }, 'handshake refused: TLS error');
      });
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error & { code?: string }): void => {
        const where = `${listener.host}:${listener.port}`;
        const code = err.code ?? 'ELISTEN';
        const what = code === 'EADDRINUSE' ? 'address already in use' : err.message;
        reject(new ListenError(`cannot listen on ${where} (listener ${listener.name}): ${what}`, code, { host: listener.host, port: listener.port }));
      };
      server.once('error', onError);
      server.listen({ host: listener.host, port: listener.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => o.logger.error({ listener: listener.name, err: err.message }, 'listener error'));
    const { host, port } = self.address();
    o.logger.info({ listener: listener.name, securityProtocol: listener.securityProtocol, host, port }, 'listening');
    return self;
  }

  /** Where it listens (the port chosen by the system when the spec said 0). */
  address(): Endpoint {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error(`listener ${this.o.listener.name} is not bound`);
    return { host: a.address, port: a.port };
  }

  /**
   * An SSL listener's new certificate, key and CAs (a dynamic ssl.* broker config): the next TLS
   * handshake uses them; connections already open keep theirs, as in Kafka. ssl.client.auth stays
   * as bound. Throws for a PLAINTEXT listener, or material without a certificate and key.
   */
  updateTls(material: TlsMaterial): void {
    const { listener } = this.o;
    if (!usesTls(listener.securityProtocol)) throw new Error(`listener ${listener.name} is not SSL or SASL_SSL`);
    const { cert, key, ca } = serverTlsOptions(listener.name, material, 0);
    (this.server as tls.Server).setSecureContext({ cert, key, ...(ca === undefined ? {} : { ca }), minVersion: 'TLSv1.2' });
  }

  /** The connections open now, handshake completed. */
  channels(): readonly PeerChannel[] {
    return [...this.open];
  }

  /** Stops accepting, closes every connection, and resolves when all are gone. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      // Open connections flush and close; whatever is left after the linger is cut.
      const cut = setTimeout(() => {
        for (const raw of this.rawSockets) raw.destroy();
      }, netLimits.closeLingerMs);
      this.server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      for (const c of [...this.open]) c.close('server shutting down');
      for (const s of this.handshaking) s.destroy();
      // The other protocol's clients (Kafka) are told too, rather than cut at the linger's end.
      for (const s of this.alternateSockets) s.end();
    });
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------

  /** A connection Node closed on accept because the listener was full: a refusal, logged (rate-limited). */
  private onDrop(data: net.DropArgument | undefined): void {
    const dropped = this.dropWarnings.note(this.o.listener.name);
    if (dropped === null) return;
    const remote = hostPort(data?.remoteAddress, data?.remotePort);
    const connectionsMax = this.server.maxConnections;
    this.o.logger.warn(
      { remote, listener: this.o.listener.name, connectionsMax, dropped, reason: `the listener holds ${connectionsMax} connections already` },
      'connection refused: too many connections',
    );
  }

  /**
   * Takes a slot of the connection quotas for a new TCP connection, given back when it closes; a
   * connection over a limit is closed at once and logged (rate-limited), as a full listener's is.
   */
  private admitWithinQuotas(raw: net.Socket, quotas: ConnectionQuotas): void {
    const admission = quotas.admit(raw.remoteAddress ?? 'unknown', this.o.listener.name);
    if (admission.admitted) {
      raw.once('close', admission.release);
      return;
    }
    const { refusal } = admission;
    const remote = hostPort(refusal.address, raw.remotePort);
    this.refusedOnAccept.add(raw);
    raw.destroy();
    const dropped = quotas.warnings.note(refusal.warnKey);
    if (dropped === null) return;
    const { limit, max, reason, ratePerSecond } = refusal;
    if (limit === 'connection_creation_rate') {
      this.o.logger.warn(
        { remote, listener: this.o.listener.name, limit, connectionCreationRate: ratePerSecond, quota: max, dropped, reason },
        'connection refused: connection rate quota exceeded',
      );
      return;
    }
    this.o.logger.warn({ remote, listener: this.o.listener.name, limit, connectionsMax: max, dropped, reason }, 'connection refused: too many connections');
  }

  private remoteOfTls(socket: tls.TLSSocket): string {
    if (socket.remoteAddress !== undefined) return remoteOf(socket);
    // The log line loses only the address without the TCP socket beneath.
    const raw = rawSocketOf(socket);
    return (raw === undefined ? undefined : this.rawRemote.get(raw)) ?? 'unknown';
  }

  private async onSocket(socket: net.Socket): Promise<void> {
    const remoteAddress = remoteOf(socket);
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    this.handshaking.add(socket);
    socket.on('error', () => {}); // every error is followed by 'close', which is what we act on
    socket.setNoDelay(true);
    socket.setKeepAlive(true, netLimits.keepAliveInitialDelayMs);
    const { listener, logger } = this.o;
    const alternate = this.o.alternateProtocol;
    if (alternate !== undefined) {
      const first = await peek(socket, alternate.bytesNeeded, this.o.handshakeTimeoutMs ?? netLimits.handshakeTimeoutMs);
      if (first === null) {
        // A TCP health check, mostly. The handshake's reader would wait out its timeout for an
        // 'end' or 'close' already emitted, then warn about a peer long gone.
        this.handshaking.delete(socket);
        logger.debug({ remote: remoteAddress, listener: listener.name }, 'connection closed before its handshake');
        socket.destroy();
        return;
      }
      if (first.length >= alternate.bytesNeeded && alternate.detect(first)) {
        this.handshaking.delete(socket);
        if (this.closing !== null) return void socket.destroy();
        this.alternateSockets.add(socket);
        socket.once('close', () => this.alternateSockets.delete(socket));
        alternate.serve(socket, remoteAddress);
        socket.resume();
        return;
      }
      // peek() left the socket paused: flowing resumes on the next tick, after the handshake's
      // reader is attached below.
      socket.resume();
    }
    const result = await acceptHandshake(socket, {
      self: this.o.self,
      ...(this.o.admit !== undefined ? { admit: this.o.admit } : {}),
      ...(this.o.sasl !== undefined ? { sasl: this.o.sasl } : {}),
      logger,
      maxFrameBytes: this.o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      handshakeTimeoutMs: this.o.handshakeTimeoutMs ?? netLimits.handshakeTimeoutMs,
      remoteAddress,
      listener: listener.name,
      plaintext: !usesTls(listener.securityProtocol),
      closeLingerMs: netLimits.closeLingerMs,
    });
    this.handshaking.delete(socket);
    if (result === null) return;
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    const principal = result.principal ?? this.o.identify?.(socket);
    if (principal === null) {
      logger.warn({ remote: remoteAddress, listener: listener.name }, 'refusing peer: client certificate subject unreadable');
      socket.destroy();
      return;
    }
    const { handlers } = this.o;
    const conn: Connection = new Connection({
      socket,
      decoder: result.decoder,
      codec: result.codec,
      peer: result.peer,
      remoteAddress,
      ...(principal !== undefined ? { principal } : {}),
      ...(socket.remoteAddress !== undefined ? { remoteIp: socket.remoteAddress } : {}),
      logger,
      onMessage: (m) => handlers.onMessage?.(conn, m),
      onRequest: (method, body) => handlers.onRequest(conn, method, body),
      onClose: (reason) => {
        if (!this.open.delete(conn)) return;
        logger.info({ remote: remoteAddress, peerNodeId: conn.peer.nodeId, peerRole: conn.peer.role, reason }, 'peer disconnected');
        handlers.onClose?.(conn, reason);
      },
    });
    this.open.add(conn);
    logger.info({ remote: remoteAddress, listener: listener.name, peerNodeId: result.peer.nodeId, peerRole: result.peer.role }, 'peer connected');
    handlers.onOpen?.(conn);
    conn.start(result.rest);
  }
}
