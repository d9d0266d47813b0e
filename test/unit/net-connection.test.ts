// Requests and messages on a connection of the internal protocol: pipelining with answers in any
// order, typed failures (remote error, timeout, disconnect), the write-buffer bound, frames over
// the frame bound never sent, malformed frames after the handshake, the listener's connection
// bound, and a client that reconnects with backoff when the server returns.

import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../quorum/env/index.js';
import { NetClient, type NetClientOptions } from '../../quorum/net/client.js';
import { Connection, toWireError, UNKNOWN_SERVER_ERROR } from '../../quorum/net/connection.js';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from '../../quorum/net/frame-codec.js';
import { helloFrame } from '../../quorum/net/handshake.js';
import { NetServer, ListenError, type NetServerOptions } from '../../quorum/net/server.js';
import {
  ConnectionError,
  RemoteError,
  RequestTimeoutError,
  type InboundHandlers,
  type PeerChannel,
  type PeerIdentity,
} from '../../quorum/net/types.js';
import { capturingLogger, waitFor, type LogLine } from '../support/recording-logger.js';
import { withSilentListener } from '../support/tcp-probes.js';


function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const CLUSTER = 'c1';
const serverSelf: PeerIdentity = { nodeId: 1, role: 'controller', clusterId: CLUSTER };
const clientSelf: PeerIdentity = { nodeId: 100, role: 'broker', clusterId: CLUSTER };

const servers: NetServer[] = [];
const clients: NetClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(handlers: InboundHandlers, extra: Partial<NetServerOptions> = {}): Promise<NetServer> {
  const s = await NetServer.listen({
    listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
    self: serverSelf,
    handlers,
    logger: capturingLogger(),
    ...extra,
  });
  servers.push(s);
  return s;
}

function startClient(port: number, extra: Partial<NetClientOptions> = {}): NetClient {
  const c = new NetClient({ endpoint: { host: '127.0.0.1', port }, self: clientSelf, expect: { nodeId: 1, clusterId: CLUSTER }, logger: capturingLogger(), ...extra });
  clients.push(c);
  return c;
}

/** A raw socket that has completed the client side of the handshake. */
async function handshakenSocket(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  // A raw client of an older build: no codecs offered, so the frames it writes are plain msgpack.
  const { codecs: _offered, ...plainHello } = helloFrame(clientSelf);
  socket.write(encodeFrame(plainHello));
  const decoder = new FrameDecoder(1 << 20);
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (decoder.push(chunk).length > 0) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  return socket;
}

describe('requests', () => {
  it('pipelined requests are all in flight at once and matched to answers arriving in reverse order', async () => {
    const waiting: { n: number; answer: (v: unknown) => void }[] = [];
    const allArrived = deferred<void>();
    const server = await startServer({
      onRequest: (_ch, _method, body) => {
        const d = deferred<unknown>();
        waiting.push({ n: (body as { n: number }).n, answer: d.resolve });
        if (waiting.length === 5) allArrived.resolve();
        return d.promise;
      },
    });
    const client = startClient(server.address().port);
    const settledOrder: number[] = [];
    const calls = [0, 1, 2, 3, 4].map((n) =>
      client.request<{ n: number }>('echo', { n }).then((r) => {
        settledOrder.push(r.n);
        return r;
      }),
    );
    await allArrived.promise; // the server holds all five before answering any
    for (const w of [...waiting].reverse()) w.answer({ n: w.n });
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(settledOrder).toEqual([4, 3, 2, 1, 0]);
  });

  it('a connected client refuses a bad timeout as a rejection, never a throw, and then serves the next request', async () => {
    const server = await startServer({ onRequest: async (_ch, _method, body) => body });
    const client = startClient(server.address().port);
    expect(await client.request('echo', { n: 1 })).toEqual({ n: 1 }); // connected from here on
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = client.request('echo', { n: 2 }, { timeoutMs: Number.NaN });
    }).not.toThrow();
    await expect(call).rejects.toThrow(RangeError);
    expect(await client.request('echo', { n: 3 })).toEqual({ n: 3 });
  });

  it('a thrown error with a numeric code travels as a RemoteError with its hints', async () => {
    const server = await startServer({
      onRequest: async (_ch, method) => {
        if (method === 'coded') {
          throw Object.assign(new Error('not the active controller'), { code: 41, errorName: 'NOT_CONTROLLER', activeControllerId: 3, outcome: 'unknown' });
        }
        throw new TypeError('boom');
      },
    });
    const client = startClient(server.address().port);
    const coded = await client.request('coded', null).catch((e: unknown) => e);
    expect(coded).toBeInstanceOf(RemoteError);
    expect(coded).toMatchObject({ code: 41, errorName: 'NOT_CONTROLLER', message: 'not the active controller', activeControllerId: 3, outcome: 'unknown' });
    const plain = await client.request('plain', null).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(RemoteError);
    expect(plain).toMatchObject({ code: UNKNOWN_SERVER_ERROR, message: 'boom', activeControllerId: null, outcome: undefined });
  });

  it('toWireError: numeric code kept, name from errorName or name, hints copied only when present', () => {
    expect(toWireError(Object.assign(new Error('m'), { code: 7, name: 'X' }))).toEqual({ code: 7, name: 'X', message: 'm' });
    expect(toWireError({ code: 41, errorName: 'NOT_CONTROLLER', message: 'm', activeControllerId: null, outcome: 'not-appended' })).toEqual({
      code: 41,
      name: 'NOT_CONTROLLER',
      message: 'm',
      activeControllerId: null,
      outcome: 'not-appended',
    });
    expect(toWireError(Object.assign(new Error('io'), { code: 'ENOENT' }))).toEqual({ code: -1, name: 'UNKNOWN_SERVER_ERROR', message: 'io' });
    expect(toWireError('just a string')).toEqual({ code: -1, name: 'UNKNOWN_SERVER_ERROR', message: 'just a string' });
  });

  it('a request not answered in time fails with RequestTimeoutError and its late answer is ignored', async () => {
    const late = deferred<unknown>();
    const server = await startServer({
      onRequest: (_ch, method) => (method === 'slow' ? late.promise : Promise.resolve('fast')),
    });
    const client = startClient(server.address().port);
    await client.request('warm-up', null);
    const error = await client.request('slow', null, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toMatch(/slow .* no answer within/);
    late.resolve('too late');
    // The late answer arrives first on the connection; the next request still gets its own answer.
    await expect(client.request('next', null)).resolves.toBe('fast');
    expect(client.connected).toBe(true);
  });

  it('each pending request times out at its own deadline, a shorter one sent after a longer one too', async () => {
    const server = await startServer({
      onRequest: (_ch, method) => (method === 'answered' ? Promise.resolve('ok') : new Promise(() => {})),
    });
    const client = startClient(server.address().port);
    await client.request('answered', null);
    const started = performance.now();
    const settledAt = (p: Promise<unknown>) =>
      p.then(
        () => ({ error: null as unknown, ms: performance.now() - started }),
        (e: unknown) => ({ error: e, ms: performance.now() - started }),
      );
    const long = settledAt(client.request('hang-long', null, { timeoutMs: 900 }));
    const answered = settledAt(client.request('answered', null, { timeoutMs: 50 }));
    const short = settledAt(client.request('hang-short', null, { timeoutMs: 150 }));
    const a = await answered;
    expect(a.error).toBeNull();
    const s = await short;
    expect(s.error).toBeInstanceOf(RequestTimeoutError);
    expect((s.error as Error).message).toMatch(/hang-short .* within 150 ms/);
    expect(s.ms).toBeGreaterThanOrEqual(149);
    expect(s.ms).toBeLessThan(800); // not held until the longer deadline
    const l = await long;
    expect(l.error).toBeInstanceOf(RequestTimeoutError);
    expect((l.error as Error).message).toMatch(/hang-long .* within 900 ms/);
    expect(l.ms).toBeGreaterThanOrEqual(899);
    expect(client.connected).toBe(true);
  });

  it('requests pending when the connection drops fail with ConnectionError, and onDisconnected fires once', async () => {
    const arrived = deferred<void>();
    let count = 0;
    const server = await startServer({
      onRequest: () => {
        if (++count === 3) arrived.resolve();
        return new Promise(() => {}); // never answered
      },
    });
    const reasons: string[] = [];
    const client = startClient(server.address().port, { reconnect: false, onDisconnected: (r) => reasons.push(r) });
    const calls = [1, 2, 3].map(() => client.request('hang', null, { timeoutMs: 60_000 }).catch((e: unknown) => e));
    await arrived.promise;
    await server.close();
    for (const e of await Promise.all(calls)) expect(e).toBeInstanceOf(ConnectionError);
    expect(reasons).toHaveLength(1);
    expect(client.connected).toBe(false);
  });

  it('a request to a port nobody listens on fails promptly with ConnectionError', async () => {
    const s = await startServer({ onRequest: async () => null });
    const port = s.address().port;
    await s.close();
    const client = startClient(port, { reconnect: false });
    const error = await client.request('ping', null, { timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/cannot connect to 127\.0\.0\.1:\d+/);
    // The address once: Node's own text ("connect ECONNREFUSED 127.0.0.1:port") is not repeated.
    expect((error as Error).message.split(`:${port}`)).toHaveLength(2);
    expect((error as ConnectionError).reason).toBe('connection refused, nothing listens on that port (ECONNREFUSED)');
  });

  it('a node that takes the TCP connection and never answers the handshake is reported as hung, not as unreachable', async () => {
    // A paused (SIGSTOP) node: the kernel accepts the connection, nothing reads or answers.
    await withSilentListener(async (port) => {
      // The caller's timeout ends the wait, then the dial's own budget does.
      for (const [requestMs, connectMs] of [[300, 20_000], [20_000, 300]] as const) {
        const client = startClient(port, { reconnect: false, connectTimeoutMs: connectMs });
        const error = await client.request('ping', null, { timeoutMs: requestMs }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as Error).message).toContain('connected, but no answer to the handshake within 300 ms: the node may be hung');
        expect((error as Error).message).not.toContain('no connection');
        await client.close();
      }
    });
  });
});

describe('messages', () => {
  it('one-way messages flow both ways, and the server may send requests to the client', async () => {
    const atServer: unknown[] = [];
    const opened = deferred<PeerChannel>();
    const server = await startServer({
      onRequest: async () => null,
      onOpen: (ch) => opened.resolve(ch),
      onMessage: (_ch, m) => atServer.push(m),
    });
    const atClient: unknown[] = [];
    const client = startClient(server.address().port, {
      onMessage: (m) => atClient.push(m),
      onRequest: async (method, body) => ({ answeredBy: 'client', method, body }),
    });
    await client.request('ping', null);
    expect(client.send({ hello: 'server', bytes: new Uint8Array([9]) })).toBe(true);
    await waitFor('the message at the server', () => atServer.length === 1);
    expect(atServer[0]).toMatchObject({ hello: 'server' });
    const channel = await opened.promise;
    expect(channel.send({ hello: 'client' })).toBe(true);
    await waitFor('the message at the client', () => atClient.length === 1);
    expect(atClient).toEqual([{ hello: 'client' }]);
    expect(channel).toBeInstanceOf(Connection);
    await expect((channel as Connection).request('whoami', 5, 10_000)).resolves.toEqual({ answeredBy: 'client', method: 'whoami', body: 5 });
  });

  it('send returns false when the client is not connected', async () => {
    const s = await startServer({ onRequest: async () => null });
    const client = startClient(s.address().port);
    expect(client.send({ x: 1 })).toBe(false);
  });
});

describe('malformed frames after the handshake', () => {
  for (const [name, bytes, reason] of [
    ['a frame of unknown type', encodeFrame({ t: 'zzz' }), /unknown type/],
    ['a request without a method', encodeFrame({ t: 'q', id: 1 }), /without an id or a method/],
    ['a failed response without an error', encodeFrame({ t: 'r', id: 1, ok: false }), /without a valid error/],
    ['an oversized frame', Buffer.from([0x7f, 0xff, 0xff, 0xff]), /exceeds the bound/],
    ['undecodable bytes', Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from([0x82, 0x01])]), /undecodable/],
  ] as const) {
    it(`${name} closes that connection with a logged reason; the server keeps serving`, async () => {
      const log = capturingLogger();
      const closed: string[] = [];
      const server = await startServer({ onRequest: async () => 'pong', onClose: (_ch, r) => closed.push(r) }, { logger: log });
      const port = server.address().port;
      const socket = await handshakenSocket(port);
      const gone = new Promise<void>((r) => socket.once('close', () => r()));
      socket.write(bytes);
      await gone;
      const warn = log.lines.find((l) => l.level === 'warn' && l.msg === 'closing connection: malformed frame');
      expect(String(warn?.fields['reason'])).toMatch(reason);
      await waitFor('onClose', () => closed.length === 1);
      await expect(startClient(port).request('ping', null)).resolves.toBe('pong');
    });
  }
});

describe('frame bound on the sending side', () => {
  const boundBytes = 64 * 1024;
  const tooLarge = 'x'.repeat(boundBytes + 1);

  it('an answer over the frame bound fails that request alone, as MESSAGE_TOO_LARGE; the connection carries on', async () => {
    // Before, the answer was written anyway: the client's decoder refused it and closed the
    // connection, failing every request on it with a ConnectionError (which callers retry).
    const server = await startServer({ onRequest: async (_ch, method) => (method === 'big' ? tooLarge : 'pong') }, { maxFrameBytes: boundBytes });
    const reasons: string[] = [];
    const client = startClient(server.address().port, { maxFrameBytes: boundBytes, onDisconnected: (r) => reasons.push(r) });
    const [big, ping] = await Promise.allSettled([client.request('big', null), client.request('ping', null)]);
    expect(ping).toEqual({ status: 'fulfilled', value: 'pong' });
    const error = big.status === 'rejected' ? (big.reason as unknown) : undefined;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 10, errorName: 'MESSAGE_TOO_LARGE' });
    expect((error as Error).message).toMatch(/^the answer to big is \d+ bytes, over the frame bound of 65536 bytes$/);
    await expect(client.request('ping', null)).resolves.toBe('pong');
    expect(reasons).toEqual([]);
  });

  it('a request or message over the frame bound is not sent: the request fails with FrameTooLargeError, send() returns false; the connection carries on', async () => {
    const messages: unknown[] = [];
    const server = await startServer({ onRequest: async () => 'pong', onMessage: (_ch, m) => messages.push(m) }, { maxFrameBytes: boundBytes });
    const reasons: string[] = [];
    const client = startClient(server.address().port, { maxFrameBytes: boundBytes, onDisconnected: (r) => reasons.push(r) });
    await expect(client.request('ping', null)).resolves.toBe('pong');
    const error = await client.request('echo', tooLarge).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect((error as Error).message).toMatch(/^the request echo to 127\.0\.0\.1:\d+ is \d+ bytes, over the frame bound of 65536 bytes$/);
    expect(client.send(tooLarge)).toBe(false);
    expect(client.send('small')).toBe(true);
    await expect(client.request('ping', null)).resolves.toBe('pong');
    await waitFor('the small message', () => messages.length === 1);
    expect(messages).toEqual(['small']);
    expect(reasons).toEqual([]);
  });
});

describe('write-buffer bound', () => {
  it('past the bound send() drops and request() fails with ConnectionError, instead of queueing', async () => {
    // A peer that never reads: the kernel buffers fill, then the socket's own queue grows.
    const accepted = deferred<net.Socket>();
    const sink = net.createServer((s) => {
      s.pause();
      accepted.resolve(s);
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const port = (sink.address() as net.AddressInfo).port;
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const peerSocket = await accepted.promise;
    const conn = new Connection({
      socket,
      decoder: new FrameDecoder(1 << 20),
      peer: serverSelf,
      remoteAddress: `127.0.0.1:${port}`,
      logger: capturingLogger(),
      writeBufferBytesMax: 256 * 1024,
    });
    conn.start();
    const payload = new Uint8Array(64 * 1024);
    let sent = 0;
    while (conn.send({ payload }) && sent < 100_000) sent++;
    expect(sent).toBeLessThan(100_000); // it did stop accepting
    expect(socket.writableLength).toBeGreaterThan(256 * 1024);
    expect(socket.writableLength).toBeLessThan(256 * 1024 + 2 * 65 * 1024);
    await expect(conn.request('x', null, 10_000)).rejects.toBeInstanceOf(ConnectionError);
    conn.close('test over');
    peerSocket.destroy();
    socket.destroy();
    await new Promise<void>((r) => sink.close(() => r()));
  });
  it('a peer that sends requests but never reads the answers is cut off, instead of its answers queueing without bound', async () => {
    // Answers bypassed the bound that send() and request() respect: a peer (a tool needs no
    // cluster id) pipelining requests without reading made the node queue every answer.
    const accepted = deferred<net.Socket>();
    const sink = net.createServer((s) => {
      s.pause(); // never reads what the connection writes
      accepted.resolve(s);
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const port = (sink.address() as net.AddressInfo).port;
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const peerSocket = await accepted.promise;
    peerSocket.on('error', () => {});
    const boundBytes = 256 * 1024;
    const answer = new Uint8Array(64 * 1024);
    let maxQueuedBytes = 0;
    let answered = 0;
    const log = capturingLogger();
    const closed = deferred<string>();
    const conn = new Connection({
      socket,
      decoder: new FrameDecoder(1 << 20),
      peer: { nodeId: -1, role: 'tool', clusterId: null },
      remoteAddress: `127.0.0.1:${port}`,
      logger: log,
      writeBufferBytesMax: boundBytes,
      onRequest: async () => {
        maxQueuedBytes = Math.max(maxQueuedBytes, socket.writableLength);
        answered++;
        return answer;
      },
      onClose: (reason) => closed.resolve(reason),
    });
    conn.start();
    // 4,000 answers of 64 KiB: 250 MiB, far past what the kernel's buffers take.
    const requests = Buffer.concat(Array.from({ length: 4_000 }, (_, id) => encodeFrame({ t: 'q', id, method: 'get', body: null })));
    peerSocket.write(requests);
    await waitFor('every request answered, or the connection closed', () => answered === 4_000 || conn.closed, 20_000);
    expect(maxQueuedBytes).toBeLessThanOrEqual(boundBytes + answer.length + 64);
    expect(answered).toBeLessThan(4_000);
    expect(await closed.promise).toMatch(/not reading/);
    expect(log.lines.some((l) => l.level === 'warn')).toBe(true);
    peerSocket.destroy();
    socket.destroy();
    await new Promise<void>((r) => sink.close(() => r()));
  });
});

describe('reconnect', () => {
  it('after the server restarts on the same port the client reconnects by itself, with onDisconnected called once', async () => {
    const first = await startServer({ onRequest: async () => 'first' });
    const port = first.address().port;
    let connectedCount = 0;
    const reasons: string[] = [];
    const client = startClient(port, {
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 100,
      onConnected: () => connectedCount++,
      onDisconnected: (r) => reasons.push(r),
    });
    client.connect();
    await waitFor('connected', () => client.connected);
    await expect(client.request('ping', null)).resolves.toBe('first');
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    await waitFor('disconnected', () => !client.connected);
    // Down: requests fail promptly rather than waiting out the backoff (or the 60 s timeout).
    await expect(client.request('ping', null, { timeoutMs: 60_000 })).rejects.toBeInstanceOf(ConnectionError);
    await new Promise((r) => setTimeout(r, 300)); // several failed attempts
    expect(reasons).toHaveLength(1);
    await startServer({ onRequest: async () => 'second' }, { listener: { name: 'CONTROLLER', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' } });
    await waitFor('reconnected', () => client.connected);
    await expect(client.request('ping', null)).resolves.toBe('second');
    expect(connectedCount).toBe(2);
    expect(reasons).toHaveLength(1);
  });

  it('a server that closes every connection right after the handshake is redialled with a growing backoff, not every 25-50 ms', async () => {
    let opened = 0;
    const server = await startServer({ onRequest: async () => null, onOpen: (channel) => (opened++, channel.close('going away')) });
    // The defaults: 50 ms, doubling up to 1 s. A connection that lasted is what resets the backoff.
    const client = startClient(server.address().port);
    client.connect();
    await new Promise((r) => setTimeout(r, 2_000));
    // Backing off 25-50, 50-100, 100-200, 200-400, 400-800, 500-1000 ms...: at most 8 in 2 s.
    // Reset after each successful handshake (before), it dialled 40-80 times.
    expect(opened).toBeGreaterThan(1);
    expect(opened).toBeLessThanOrEqual(8);
  });

  it('a connection over the listener\'s bound is refused with a warn line naming the bound; the connections held go on', async () => {
    // Node closes such a connection on accept: the dialler saw "closed during the handshake ...
    // see its log", and the log had nothing to see.
    const log = capturingLogger();
    const server = await startServer({ onRequest: async () => 'pong' }, { logger: log, connectionsMax: 2 });
    const port = server.address().port;
    const held = [startClient(port), startClient(port)];
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
    const turnedAway = startClient(port, { reconnect: false });
    await expect(turnedAway.request('ping', null)).rejects.toBeInstanceOf(ConnectionError);
    const warn = log.lines.filter((l) => l.level === 'warn');
    expect(warn).toHaveLength(1);
    expect(warn[0]?.msg).toBe('connection refused: too many connections');
    expect(warn[0]?.fields).toMatchObject({ listener: 'CONTROLLER', connectionsMax: 2, dropped: 1, reason: 'the listener holds 2 connections already' });
    expect(String(warn[0]?.fields['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
  });

  it('listening on a port in use fails with a clear EADDRINUSE error', async () => {
    const taken = await startServer({ onRequest: async () => null });
    const { port } = taken.address();
    const error = await startServer(
      { onRequest: async () => null },
      { listener: { name: 'CONTROLLER', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ code: 'EADDRINUSE' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('address already in use');
    // The first server is untouched.
    await expect(startClient(port).request('ping', null)).resolves.toBeNull();
  });
});
