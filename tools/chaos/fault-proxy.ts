// A fault-injecting TCP proxy for chaos tests of real node processes on one host. Every node of a
// test cluster reaches every other node through its own link, one listener per directed pair
// ("1->3" is what node 1 dials to reach node 3), so a fault can cut one direction of one pair and
// leave the rest of the cluster alone. A proxy rather than iptables/tc: it needs no privileges, runs
// inside the test process on ephemeral ports, and can change a fault between two writes.
//
// The state machine of one link. Any fault may follow any other; what a transition does depends on
// the new fault and on what each connection has lost so far (see "lost" below):
//
//   fault          new connections                     existing connections, on entering the fault
//   pass           target dialled, bytes forwarded     destroyed if they lost something, else untouched
//   slow           as pass, every chunk delayed        as pass (delayed bytes are late, not lost)
//   drop-requests  target dialled; dialer->target      destroyed if target->dialer lost something;
//                  discarded, target->dialer passes    from now on dialer->target is discarded
//   blackhole      accepted, target never dialled,     kept open and silent: everything is discarded
//                  silent (the connection is lost)     both ways, ends (FIN) and aborts (RST) too
//   reset          accepted and reset at once          reset on both sides
//
// Lost: a direction has lost something once a chunk, an end or an abort travelling in it was
// discarded. Our protocols are length-prefixed frames, so that stream is corrupt for good, and a
// real TCP connection would have retransmitted into the void until it timed out. So on the first
// transition under which a direction that lost something would deliver again, its connection is
// destroyed (an RST to both ends); connections that lost nothing carry on, as TCP would after a
// short outage. A connection accepted under blackhole lost its handshake, so it never comes back.
//
// Each direction of a connection is a FIFO of chunks, ends and aborts, each with a due time (now,
// or later under slow; never before its predecessor, so order holds under jitter). Whether an item
// gets through is decided when it arrives and again whenever the fault changes, so nothing queued
// under slow slips through a blackhole set while it was in flight.
//
// Back-pressure: the source is paused while the sink's write buffer is full (pipe semantics) or
// the FIFO holds MAX_QUEUED_BYTES, and resumed when either clears; a direction that discards reads
// freely, as the pulled cable swallows everything.

import * as net from 'node:net';

export type LinkFault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'drop-requests' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'slow'; readonly delayMs: number; readonly jitterMs?: number };

export interface LinkStats {
  /** Connections accepted since the link was added. */
  readonly connections: number;
  /** Connections with a socket not yet closed. */
  readonly open: number;
  /** Bytes handed to a sink, both directions. */
  readonly bytesForwarded: number;
  /** Bytes discarded, both directions. */
  readonly bytesDropped: number;
  /** Bytes held now, waiting for a slow link's delay or a full sink, both directions. */
  readonly bytesQueued: number;
}

export interface LinkEvent {
  readonly link: string;
  /** listening, fault, refused, connect-failed, destroyed */
  readonly event: string;
  readonly detail?: string;
}

export interface FaultProxyOptions {
  /** Where the links listen; 127.0.0.1 by default. */
  readonly host?: string;
  /** In [0, 1); draws the jitter of slow links (a seeded one makes a run repeatable). */
  readonly random?: () => number;
  readonly onEvent?: (e: LinkEvent) => void;
}

/** How much a direction holds back under slow before it pauses its source. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

const PASS: LinkFault = { kind: 'pass' };

export class FaultProxy {
  private readonly links = new Map<string, Link>();
  private readonly host: string;
  private readonly env: LinkEnv;
  private closing: Promise<void> | null = null;

  constructor(options: FaultProxyOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    const onEvent = options.onEvent;
    this.env = {
      random: options.random ?? Math.random,
      emit: onEvent ? (link, event, detail) => onEvent(detail === undefined ? { link, event } : { link, event, detail }) : () => {},
    };
  }

  /** Starts a listener on an ephemeral port forwarding to target; resolves to the listening port. */
  async addLink(name: string, target: { host: string; port: number }): Promise<number> {
    if (this.closing) throw new Error('FaultProxy is closed');
    if (this.links.has(name)) throw new Error(`link ${name} already exists`);
    const link = new Link(name, { host: target.host, port: target.port }, this.env);
    // Reserved before the await, so two concurrent adds of one name cannot both succeed.
    this.links.set(name, link);
    try {
      const port = await link.listen(this.host);
      if (this.closing) throw new Error('FaultProxy closed while the link was starting');
      return port;
    } catch (e) {
      this.links.delete(name);
      await link.close();
      throw e;
    }
  }

  setFault(name: string, fault: LinkFault): void {
    this.link(name).setFault(checkedFault(fault));
  }

  /** Every link back to pass. */
  healAll(): void {
    for (const link of this.links.values()) link.setFault(PASS);
  }

  fault(name: string): LinkFault {
    return { ...this.link(name).fault };
  }

  stats(name: string): LinkStats {
    return this.link(name).stats();
  }

  linkNames(): string[] {
    return [...this.links.keys()];
  }

  /** Closes every listener and destroys every socket; resolves once all of them have closed. */
  close(): Promise<void> {
    this.closing ??= this.closeLinks();
    return this.closing;
  }

  private async closeLinks(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.close()));
    // A server emits close before libuv has released its handle (in the loop's close phase, which
    // is under way); one turn of the loop later nothing of ours is left among the active handles.
    await new Promise((r) => setImmediate(r));
  }

  private link(name: string): Link {
    const link = this.links.get(name);
    if (!link) throw new Error(`no link ${name}`);
    return link;
  }
}

function checkedFault(fault: LinkFault): LinkFault {
  switch (fault.kind) {
    case 'pass':
    case 'blackhole':
    case 'drop-requests':
    case 'reset':
      return { kind: fault.kind };
    case 'slow':
      if (!isDuration(fault.delayMs)) throw new Error(`slow: delayMs must be a finite number >= 0, not ${fault.delayMs}`);
      if (fault.jitterMs === undefined) return { kind: 'slow', delayMs: fault.delayMs };
      if (!isDuration(fault.jitterMs)) throw new Error(`slow: jitterMs must be a finite number >= 0, not ${fault.jitterMs}`);
      return { kind: 'slow', delayMs: fault.delayMs, jitterMs: fault.jitterMs };
    default:
      throw new Error(`unknown fault ${JSON.stringify(fault)}`);
  }
}

function isDuration(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}

function describeFault(fault: LinkFault): string {
  if (fault.kind !== 'slow') return fault.kind;
  return fault.jitterMs ? `slow ${fault.delayMs}+${fault.jitterMs}ms` : `slow ${fault.delayMs}ms`;
}

type Way = 'request' | 'response';

/** Whether anything travelling this way gets through under the fault. */
function delivers(fault: LinkFault, way: Way): boolean {
  switch (fault.kind) {
    case 'pass':
    case 'slow':
      return true;
    case 'drop-requests':
      return way === 'response';
    case 'blackhole':
    case 'reset':
      return false;
  }
}

/**
 * Ends the socket with an RST rather than a FIN: the peer sees ECONNRESET, as when a connection is
 * refused or times out, and cannot mistake it for the orderly end of a stream.
 */
function abort(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

interface LinkEnv {
  readonly random: () => number;
  readonly emit: (link: string, event: string, detail?: string) => void;
}

class Link {
  fault: LinkFault = PASS;
  bytesForwarded = 0;
  bytesDropped = 0;
  private accepted = 0;
  private readonly connections = new Set<ProxiedConnection>();
  private readonly server: net.Server;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly target: { readonly host: string; readonly port: number },
    private readonly env: LinkEnv,
  ) {
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', () => {});
  }

  listen(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      // A close() while listening would otherwise leave the listen callback, and addLink, hanging.
      const fail = (e?: Error): void => reject(e ?? new Error('FaultProxy closed while the link was starting'));
      this.server.once('error', fail);
      this.server.once('close', fail);
      this.server.listen({ host, port: 0 }, () => {
        this.server.off('error', fail);
        this.server.off('close', fail);
        const port = (this.server.address() as net.AddressInfo).port;
        this.env.emit(this.name, 'listening', `${host}:${port} -> ${this.target.host}:${this.target.port}`);
        resolve(port);
      });
    });
  }

  setFault(fault: LinkFault): void {
    this.fault = fault;
    this.env.emit(this.name, 'fault', describeFault(fault));
    for (const c of this.connections) {
      if (fault.kind === 'reset') this.destroy(c, 'reset');
      else if (c.corruptedUnder(fault)) this.destroy(c, 'lost data');
      else c.refresh();
    }
  }

  stats(): LinkStats {
    let bytesQueued = 0;
    for (const c of this.connections) bytesQueued += c.queuedBytes();
    return { connections: this.accepted, open: this.connections.size, bytesForwarded: this.bytesForwarded, bytesDropped: this.bytesDropped, bytesQueued };
  }

  delayMs(): number {
    const f = this.fault;
    return f.kind === 'slow' ? f.delayMs + this.env.random() * (f.jitterMs ?? 0) : 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsClosed = [...this.connections].map((c) => c.destroy());
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.closed || this.fault.kind === 'reset') {
      this.env.emit(this.name, 'refused');
      abort(client);
      return;
    }
    // Under blackhole the handshake would never reach the target: do not let it see a connection.
    const upstream = this.fault.kind === 'blackhole' ? null : this.dial();
    const c = new ProxiedConnection(this, client, upstream, () => this.connections.delete(c));
    this.connections.add(c);
  }

  private dial(): net.Socket {
    const upstream = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true, noDelay: true });
    let connected = false;
    upstream.once('connect', () => (connected = true));
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) this.env.emit(this.name, 'connect-failed', e.code ?? e.message);
    });
    return upstream;
  }

  private destroy(c: ProxiedConnection, why: string): void {
    this.env.emit(this.name, 'destroyed', why);
    void c.destroy();
  }
}

/** One accepted connection and, unless it was accepted under blackhole, its dial to the target. */
class ProxiedConnection {
  private readonly request: Direction;
  private readonly response: Direction | null;
  /** Resolves once every socket has emitted close (socket.closed turns true earlier, in destroy()). */
  private readonly closed: Promise<void>;

  constructor(
    link: Link,
    private readonly client: net.Socket,
    private readonly upstream: net.Socket | null,
    onClosed: () => void,
  ) {
    this.request = new Direction(link, 'request', client, upstream);
    this.response = upstream && new Direction(link, 'response', upstream, client);
    if (!upstream) this.request.lose();
    const sockets = upstream ? [client, upstream] : [client];
    this.closed = Promise.all(sockets.map((s) => new Promise((r) => s.once('close', r)))).then(() => {
      this.request.stop();
      this.response?.stop();
      onClosed();
    });
  }

  queuedBytes(): number {
    return this.request.queued() + (this.response?.queued() ?? 0);
  }

  /** Whether a direction that lost something would deliver again under the fault. */
  corruptedUnder(fault: LinkFault): boolean {
    return this.request.corruptedUnder(fault) || (this.response?.corruptedUnder(fault) ?? false);
  }

  /** The fault changed: discard what may no longer pass, deliver what may, re-apply back-pressure. */
  refresh(): void {
    this.request.refresh();
    this.response?.refresh();
  }

  destroy(): Promise<void> {
    this.request.stop();
    this.response?.stop();
    abort(this.client);
    if (this.upstream) abort(this.upstream);
    return this.closed;
  }
}

/** What travels in a direction: bytes, the source's end (FIN), or its abrupt close (RST). */
type Item = { readonly kind: 'data'; readonly bytes: Buffer } | { readonly kind: 'end' | 'abort' };

interface Queued {
  readonly item: Item;
  readonly dueAt: number;
}

function sizeOf(item: Item): number {
  return item.kind === 'data' ? item.bytes.length : 0;
}

/** One way of one connection: what the source sends, queued until it is due at the sink. */
class Direction {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private lastDueAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private sinkFull = false;
  private paused = false;
  private stopped = false;
  private lost = false;

  constructor(
    private readonly link: Link,
    private readonly way: Way,
    private readonly source: net.Socket,
    private readonly sink: net.Socket | null,
  ) {
    source.on('data', (bytes: Buffer) => this.push({ kind: 'data', bytes }));
    source.on('end', () => this.push({ kind: 'end' }));
    source.once('close', () => {
      // Only an abrupt close is news for the peer: an orderly one already sent its end.
      if (!(source.readableEnded && source.writableFinished)) this.push({ kind: 'abort' });
    });
  }

  lose(): void {
    this.lost = true;
  }

  queued(): number {
    return this.queuedBytes;
  }

  corruptedUnder(fault: LinkFault): boolean {
    return this.lost && delivers(fault, this.way);
  }

  /** The fault changed: what may no longer pass is discarded now, what may is delivered when due. */
  refresh(): void {
    if (this.stopped) return;
    if (!this.passes()) this.discardQueue();
    this.flush();
  }

  /** No more deliveries: the connection is gone. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private passes(): boolean {
    return delivers(this.link.fault, this.way);
  }

  private push(item: Item): void {
    if (this.stopped) return;
    if (!this.passes()) {
      this.discard(item);
      return;
    }
    // A direction is one ordered byte stream: jitter may delay an item, never let it overtake one.
    this.lastDueAt = Math.max(performance.now() + this.link.delayMs(), this.lastDueAt);
    this.queue.push({ item, dueAt: this.lastDueAt });
    this.queuedBytes += sizeOf(item);
    this.flush();
  }

  /** Delivers every item that is due, until the sink is full; then waits for a timer or a drain. */
  private flush(): void {
    while (!this.stopped && !this.sinkFull) {
      const head = this.queue[0];
      if (!head) break;
      const wait = head.dueAt - performance.now();
      if (wait > 0) {
        // Due times never decrease, so a pending timer is for this head or an earlier one.
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.flush();
        }, wait);
        break;
      }
      this.queue.shift();
      this.queuedBytes -= sizeOf(head.item);
      this.deliver(head.item);
    }
    this.applyBackPressure();
  }

  private deliver(item: Item): void {
    const sink = this.sink;
    if (!sink || sink.destroyed) {
      // The peer is gone: nobody can be misled by what it misses any more.
      this.link.bytesDropped += sizeOf(item);
      return;
    }
    if (item.kind === 'data') this.write(sink, item.bytes);
    else if (item.kind === 'end') sink.end();
    else abort(sink);
  }

  private write(sink: net.Socket, bytes: Buffer): void {
    this.link.bytesForwarded += bytes.length;
    if (sink.write(bytes)) return;
    this.sinkFull = true;
    sink.once('drain', () => {
      this.sinkFull = false;
      this.flush();
    });
  }

  private discard(item: Item): void {
    this.link.bytesDropped += sizeOf(item);
    this.lost = true;
  }

  private discardQueue(): void {
    for (const { item } of this.queue.splice(0)) this.discard(item);
    this.queuedBytes = 0;
  }

  /** Pauses the source while the sink or the queue is full, as a pipe would; a discarding direction reads freely. */
  private applyBackPressure(): void {
    const hold = !this.stopped && this.passes() && (this.sinkFull || this.queuedBytes >= MAX_QUEUED_BYTES);
    if (hold === this.paused) return;
    this.paused = hold;
    if (hold) this.source.pause();
    else this.source.resume();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
