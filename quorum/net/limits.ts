// The internal transport's bounds and default timeouts (DESIGN §10), beside the quorum's in
// quorum/limits.ts. The frame bound itself is DEFAULT_MAX_FRAME_BYTES in ./types.ts (64 MiB), which
// every listener and client of a node uses; quorum/limits.ts bounds what goes into one frame below
// it (a Raft batch: frameBytesMax, 16 MiB; a fetch answer's batches: fetchBytesMax).

export const netLimits = {
  /** Bytes queued on a socket before send() drops messages and request() fails (back-pressure). */
  writeBufferBytesMax: 64 * 1024 * 1024,
  /** Requests one connection may have waiting for an answer; more fail with ConnectionError. */
  pendingRequestsMax: 100_000,
  /** Inbound requests one connection may have running at once; a peer going past it is cut off. */
  inboundRequestsMax: 100_000,
  /** Connections one server holds (handshaking or open); past it, new ones are closed on accept, with a warn line. */
  serverConnectionsMax: 10_000,
  /**
   * Remote addresses whose connection rate a broker's client listeners track at once (only those
   * with a connection_creation_rate quota, and only while they connected within the last 11 s):
   * past it the address idle longest is forgotten (./connection-rate.ts).
   */
  connectionRateAddressesMax: 10_000,
  /**
   * The handshake frame (hello, welcome), read before the peer has said who it is: a hello is
   * ~120 bytes, and the frame bound of the connection after it (64 MiB) is no bound for a peer
   * that may be anyone.
   */
  handshakeFrameBytesMax: 64 * 1024,
  /** A peer must complete its handshake within this. */
  handshakeTimeoutMs: 5_000,
  /** TCP connect, TLS and handshake of an outbound connection together. */
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  /** Outbound reconnects back off exponentially (with jitter) from the first to the second. */
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1_000,
  /** A closing socket gets this long to flush (a refusal, last answers) before it is destroyed. */
  closeLingerMs: 1_000,
  /** TCP keep-alive probes start after this much silence (a vanished host is noticed). */
  keepAliveInitialDelayMs: 10_000,
} as const;
