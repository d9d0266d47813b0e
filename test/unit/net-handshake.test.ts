// The handshake of the internal protocol: every refusal (another cluster, an unknown node id, a
// wrong magic, garbage, an oversized first frame, silence) costs only that connection, names its
// reason in a warn line, and leaves the server serving the next good client.

import * as net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../quorum/env/index.js';
import { NetClient } from '../../quorum/net/client.js';
import { encodeFrame, FrameDecoder, STREAM_CODEC, streamCodec } from '../../quorum/net/frame-codec.js';
import { checkWelcome, HANDSHAKE_MAGIC } from '../../quorum/net/handshake.js';
import { netLimits } from '../../quorum/net/limits.js';
import { NetServer } from '../../quorum/net/server.js';
import { HandshakeRefusedError, PROTOCOL_VERSION, type PeerIdentity } from '../../quorum/net/types.js';
import { capturingLogger, waitFor, type LogLine } from '../support/recording-logger.js';
import { connectAndHangUp } from '../support/tcp-probes.js';


const CLUSTER = 'cluster-A';
const serverSelf: PeerIdentity = { nodeId: 1, role: 'controller', clusterId: CLUSTER };

/** Writes `bytes` on a raw connection and collects the frames the server sends until it closes. */
function rawExchange(port: number, bytes: Buffer): Promise<{ frames: unknown[]; closed: true }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder(1 << 20);
    const frames: unknown[] = [];
    socket.on('connect', () => {
      if (bytes.length > 0) socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    socket.on('error', () => {}); // a reset after the refusal is fine
    socket.on('close', () => resolve({ frames, closed: true }));
    setTimeout(() => reject(new Error('the server did not close the connection')), 15_000).unref();
  });
}

/** Writes `bytes` on a raw connection; resolves with the first frame the server sends (plain), then hangs up. */
function rawFirstFrame(port: number, bytes: Buffer): Promise<{ frame: unknown; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder(1 << 20);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      const [frame] = decoder.push(chunk);
      if (frame !== undefined) resolve({ frame, socket });
    });
    socket.on('error', () => {});
    setTimeout(() => reject(new Error('no answer to the hello')), 15_000).unref();
  });
}

function hello(overrides: Record<string, unknown> = {}): Buffer {
  return encodeFrame({ t: 'hello', magic: HANDSHAKE_MAGIC, v: PROTOCOL_VERSION, nodeId: 2, role: 'controller', clusterId: CLUSTER, ...overrides });
}

describe('handshake', () => {
  let log: ReturnType<typeof capturingLogger>;
  let server: NetServer;
  let port: number;
  const clients: NetClient[] = [];

  beforeEach(async () => {
    log = capturingLogger();
    server = await NetServer.listen({
      listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: serverSelf,
      admit: (peer) => (peer.role === 'controller' && peer.nodeId !== 2 ? `unknown node id ${peer.nodeId}: not a voter` : null),
      handlers: { onRequest: async (ch, method, body) => ({ method, body, peer: ch.peer }) },
      logger: log,
      maxFrameBytes: 4096,
      handshakeTimeoutMs: 1000,
    });
    port = server.address().port;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  function client(self: PeerIdentity, extra: Partial<ConstructorParameters<typeof NetClient>[0]> = {}): NetClient {
    const c = new NetClient({ endpoint: { host: '127.0.0.1', port }, self, logger: capturingLogger(), reconnect: false, ...extra });
    clients.push(c);
    return c;
  }

  /** The server still admits and answers a good peer. */
  async function expectServing(): Promise<void> {
    const good = client({ nodeId: 2, role: 'controller', clusterId: CLUSTER }, { expect: { nodeId: 1, clusterId: CLUSTER } });
    await expect(good.request('ping', { n: 1 })).resolves.toEqual({ method: 'ping', body: { n: 1 }, peer: { nodeId: 2, role: 'controller', clusterId: CLUSTER } });
  }

  function refusals(): LogLine[] {
    return log.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('handshake refused'));
  }

  it('logs one info line when listening, with the listener, protocol, host and port', () => {
    const line = log.lines.find((l) => l.msg === 'listening');
    expect(line?.level).toBe('info');
    expect(line?.fields).toEqual({ listener: 'CONTROLLER', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port });
  });

  it('a good peer is welcomed with the server identity', async () => {
    const c = client({ nodeId: 2, role: 'controller', clusterId: CLUSTER }, { expect: { nodeId: 1, clusterId: CLUSTER } });
    await c.request('ping', null);
    expect(c.peer).toEqual(serverSelf);
    expect(server.channels().map((ch) => ch.peer)).toEqual([{ nodeId: 2, role: 'controller', clusterId: CLUSTER }]);
  });

  it('a tool without a cluster id is admitted', async () => {
    const c = client({ nodeId: -1, role: 'tool', clusterId: null });
    await expect(c.request('describeNode', {})).resolves.toMatchObject({ method: 'describeNode' });
  });

  it('a peer of another cluster is refused, the reason logged, and the server keeps serving', async () => {
    const { frames } = await rawExchange(port, hello({ clusterId: 'cluster-B' }));
    expect(frames).toEqual([{ t: 'refused', reason: expect.stringMatching(/cluster id mismatch.*cluster-B.*cluster-A/), otherCluster: true, clusterId: 'cluster-A' }]);
    const [line] = refusals();
    expect(line?.fields['reason']).toMatch(/cluster id mismatch/);
    expect(line?.fields['remote']).toMatch(/^127\.0\.0\.1:\d+$/);
    await expectServing();
  });

  it('a node of another cluster is told so in its own terms: the listener\'s cluster, then its own', async () => {
    const c = client({ nodeId: 2, role: 'controller', clusterId: 'cluster-B' });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).otherCluster).toBe(true);
    expect((error as Error).message).toMatch(/^127\.0\.0\.1:\d+ refused the connection: cluster id mismatch: 127\.0\.0\.1:\d+ belongs to cluster cluster-A, this node to cluster cluster-B$/);
  });

  it("an older node's cluster refusal (no clusterId in the frame) is relayed saying whose words they are", () => {
    const frame = { t: 'refused', reason: 'cluster id mismatch: the peer belongs to cluster B, this node to cluster A', otherCluster: true };
    const error = (() => {
      try {
        checkWelcome(frame, { nodeId: 2, role: 'broker', clusterId: 'B' }, {}, 'h:1');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).otherCluster).toBe(true);
    expect((error as Error).message).toBe('h:1 refused the connection: cluster id mismatch: the peer belongs to cluster B, this node to cluster A (in h:1\'s words: "this node" is h:1)');
  });

  it('a node the admit callback refuses gets HandshakeRefusedError naming the reason ("unknown node id")', async () => {
    const c = client({ nodeId: 7, role: 'controller', clusterId: CLUSTER });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toMatch(/unknown node id 7/);
    expect(refusals().map((l) => l.fields['reason'])).toEqual(['unknown node id 7: not a voter']);
    await expectServing();
  });

  it('a hello with the wrong magic is refused as malformed', async () => {
    const { frames } = await rawExchange(port, hello({ magic: 'kafka' }));
    expect(frames).toEqual([{ t: 'refused', reason: expect.stringMatching(/malformed handshake: wrong magic/) }]);
    expect(refusals()[0]?.fields['reason']).toMatch(/wrong magic/);
    await expectServing();
  });

  it('a hello of another protocol version is refused', async () => {
    const { frames } = await rawExchange(port, hello({ v: PROTOCOL_VERSION + 1 }));
    expect(frames).toEqual([{ t: 'refused', reason: expect.stringMatching(/unsupported protocol version/) }]);
    await expectServing();
  });

  it('a first frame that is not a hello (a request before the handshake) is refused', async () => {
    await rawExchange(port, encodeFrame({ t: 'q', id: 0, method: 'ping', body: null }));
    expect(refusals()[0]?.fields['reason']).toMatch(/expected a hello frame/);
    await expectServing();
  });

  it('garbage bytes (an HTTP request) are refused without waiting for a body', async () => {
    await rawExchange(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(refusals()[0]?.fields['reason']).toMatch(/the peer speaks HTTP \("GET…"\), not metaquorum's protocol/);
    await expectServing();
  });

  it('an undecodable first frame is refused', async () => {
    const body = Buffer.from([0x82, 0x01]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    await rawExchange(port, Buffer.concat([head, body]));
    expect(refusals()[0]?.fields['reason']).toMatch(/undecodable payload/);
    await expectServing();
  });

  it('an oversized first frame is refused as soon as its header arrives', async () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(4097, 0);
    const { closed } = await rawExchange(port, head); // only the header: the server must not wait for 4097 bytes
    expect(closed).toBe(true);
    expect(refusals()[0]?.fields['reason']).toMatch(/4097 bytes exceeds the bound of 4096/);
    await expectServing();
  });

  it('a peer silent past the handshake timeout is cut off', async () => {
    const { frames } = await rawExchange(port, Buffer.alloc(0));
    expect(frames).toEqual([{ t: 'refused', reason: 'no handshake within 1000 ms' }]);
    expect(refusals()[0]?.fields['reason']).toBe('no handshake within 1000 ms');
    await expectServing();
  });

  it('a client expecting another node id fails with HandshakeRefusedError', async () => {
    const c = client({ nodeId: 2, role: 'controller', clusterId: CLUSTER }, { expect: { nodeId: 3 } });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toMatch(/is node 1, expected node 3/);
    await expectServing();
  });

  it('a tool expecting another cluster id fails with HandshakeRefusedError', async () => {
    const c = client({ nodeId: -1, role: 'tool', clusterId: null }, { expect: { clusterId: 'cluster-B' } });
    await expect(c.request('ping', null)).rejects.toThrow(/belongs to cluster cluster-A, expected cluster cluster-B/);
  });

  it('a refused client that reconnects keeps failing with HandshakeRefusedError, logged at warn', async () => {
    const clientLog = capturingLogger();
    const c = client({ nodeId: 7, role: 'controller', clusterId: CLUSTER }, { reconnect: true, logger: clientLog, reconnectBackoffMs: 20 });
    c.connect();
    await waitFor('two refusals', () => refusals().length >= 2);
    await expect(c.request('ping', null)).rejects.toBeInstanceOf(HandshakeRefusedError);
    expect(clientLog.lines.filter((l) => l.level === 'warn' && /unknown node id 7/.test(String(l.fields['reason'])))).toHaveLength(1);
    expect(c.connected).toBe(false);
  });

  describe('frame codec negotiation', () => {
    it('a client of this build offers the stream codec and the server chooses it: frames after the welcome are records', async () => {
      const { frame, socket } = await rawFirstFrame(port, encodeFrame({ t: 'hello', magic: HANDSHAKE_MAGIC, v: PROTOCOL_VERSION, nodeId: 2, role: 'controller', clusterId: CLUSTER, codecs: ['zzz', STREAM_CODEC] }));
      expect(frame).toMatchObject({ t: 'welcome', codec: STREAM_CODEC });
      // The server now decodes with a stream codec: a request in records form is answered in kind.
      const mine = streamCodec();
      const answered = new Promise<unknown>((resolve) => {
        const decoder = new FrameDecoder(1 << 20);
        socket.on('data', (chunk: Buffer) => {
          for (const body of decoder.bodies(chunk)) resolve(decoder.decode(mine, body));
        });
      });
      socket.write(mine.encode({ t: 'q', id: 1, method: 'ping', body: { n: 5 } }));
      await expect(answered).resolves.toEqual({ t: 'r', id: 1, ok: true, body: { method: 'ping', body: { n: 5 }, peer: { nodeId: 2, role: 'controller', clusterId: CLUSTER } } });
      socket.destroy();
    });

    it('a hello without codecs (an older build), or offering none the server knows, gets a welcome without one: plain frames', async () => {
      for (const extra of [{}, { codecs: ['zzz'] }, { codecs: 'not a list' }]) {
        const { frame, socket } = await rawFirstFrame(port, hello(extra));
        expect(frame).toEqual({ t: 'welcome', v: PROTOCOL_VERSION, nodeId: 1, role: 'controller', clusterId: CLUSTER });
        socket.destroy();
      }
      await expectServing();
    });

    it('a welcome choosing a codec the client did not offer fails the client with HandshakeRefusedError', async () => {
      const fake = net.createServer((socket) => {
        socket.on('error', () => {});
        const decoder = new FrameDecoder(1 << 20);
        socket.on('data', (chunk: Buffer) => {
          if (decoder.push(chunk).length > 0) socket.write(encodeFrame({ t: 'welcome', v: PROTOCOL_VERSION, nodeId: 1, role: 'controller', clusterId: CLUSTER, codec: 'zzz' }));
        });
      });
      await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
      try {
        const c = new NetClient({ endpoint: { host: '127.0.0.1', port: (fake.address() as net.AddressInfo).port }, self: { nodeId: 2, role: 'controller', clusterId: CLUSTER }, logger: capturingLogger(), reconnect: false });
        clients.push(c);
        const error = await c.request('ping', null).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HandshakeRefusedError);
        expect((error as Error).message).toMatch(/chose the frame codec "zzz", which this process did not offer/);
      } finally {
        await new Promise<void>((r) => fake.close(() => r()));
      }
    });
  });
});

describe('before the handshake, a peer may be anyone', () => {
  let log: ReturnType<typeof capturingLogger>;
  let server: NetServer;
  let port: number;

  beforeEach(async () => {
    log = capturingLogger();
    // The default frame bound (64 MiB), as a node runs: the handshake's own bound must apply.
    server = await NetServer.listen({
      listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: serverSelf,
      handlers: { onRequest: async (_ch, _method, body) => body },
      logger: log,
      handshakeTimeoutMs: 5_000,
    });
    port = server.address().port;
  });

  afterEach(async () => {
    await server.close();
  });

  it('a hello above the handshake frame bound is refused at its header, whatever the frame bound after the handshake', async () => {
    // Before, a hello could be as large as any frame: the node buffered up to 64 MiB per
    // connection from a peer that had not said who it is.
    const head = Buffer.alloc(4);
    head.writeUInt32BE(netLimits.handshakeFrameBytesMax + 1, 0);
    const { frames } = await rawExchange(port, head); // only the header: it must not wait for the body
    const reason = `malformed frame: frame of ${netLimits.handshakeFrameBytesMax + 1} bytes exceeds the bound of ${netLimits.handshakeFrameBytesMax} bytes`;
    expect(frames).toEqual([{ t: 'refused', reason }]);
    const refused = log.lines.filter((l) => l.level === 'warn' && l.msg === 'handshake refused');
    expect(refused.map((l) => l.fields['reason'])).toEqual([reason]);
  });

  it('what a refused hello sent is quoted cut short in the refusal and the warn line', async () => {
    // A hello of another cluster with a 20,000-character cluster id put that id into the warn
    // line twice (in the reason and as a field): a log line as large as the hello, per connection.
    const longId = 'B'.repeat(20_000); // three of them fit under the handshake frame bound
    const { frames } = await rawExchange(port, hello({ clusterId: longId, role: { [longId]: 1 }, nodeId: longId }));
    const { frames: other } = await rawExchange(port, hello({ clusterId: longId }));
    const refused = log.lines.filter((l) => l.level === 'warn' && l.msg === 'handshake refused');
    expect(refused).toHaveLength(2);
    for (const line of refused) expect(JSON.stringify(line).length).toBeLessThan(1_000);
    expect(refused[0]?.fields['reason']).toMatch(/^malformed handshake: bad node id B{100}\.\.\. \(20000 characters\)$/);
    expect(refused[1]?.fields['reason']).toMatch(/^cluster id mismatch: the peer belongs to cluster B{100}\.\.\. \(20000 characters\), this node to cluster cluster-A$/);
    expect(refused[1]?.fields['peerClusterId']).toBe(`${'B'.repeat(100)}... (20000 characters)`);
    for (const f of [...frames, ...other]) expect(JSON.stringify(f).length).toBeLessThan(1_000);
  });

  it('after the handshake, frames up to the connection\'s own bound are served', async () => {
    const c = new NetClient({ endpoint: { host: '127.0.0.1', port }, self: { nodeId: -1, role: 'tool', clusterId: null }, logger: capturingLogger(), reconnect: false });
    try {
      const body = 'x'.repeat(4 * netLimits.handshakeFrameBytesMax);
      await expect(c.request('echo', body)).resolves.toBe(body);
    } finally {
      await c.close();
    }
  });
});

describe('a listener shared with another protocol (a broker client listener also speaks Kafka)', () => {
  it('a client that connects and hangs up at once (a TCP health check) is let go at once: no wait for the handshake timeout, no warn line', async () => {
    const log = capturingLogger();
    const served: net.Socket[] = [];
    const server = await NetServer.listen({
      listener: { name: 'CLIENT', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: serverSelf,
      handlers: { onRequest: async () => 'pong' },
      logger: log,
      handshakeTimeoutMs: 400,
      alternateProtocol: { bytesNeeded: 5, detect: (first) => first[4] === 0x00, serve: (s) => served.push(s) },
    });
    try {
      const { port } = server.address();
      for (const hangUp of ['end', 'reset'] as const) {
        await connectAndHangUp(port, hangUp);
      }
      // Well past the handshake timeout: before the fix the server sat on each socket until then,
      // and then logged 'handshake refused: no handshake within 400 ms' for a peer long gone.
      await new Promise((r) => setTimeout(r, 800));
      expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
      expect(log.lines.filter((l) => l.msg === 'connection closed before its handshake')).toHaveLength(2);
      expect(served).toEqual([]);
      // Both protocols are still served.
      const c = new NetClient({ endpoint: { host: '127.0.0.1', port }, self: { nodeId: -1, role: 'tool', clusterId: null }, logger: capturingLogger(), reconnect: false });
      await expect(c.request('ping', null)).resolves.toBe('pong');
      await c.close();
      const kafka = net.connect({ host: '127.0.0.1', port });
      kafka.on('error', () => {});
      kafka.once('connect', () => kafka.write(Buffer.from([0, 0, 0, 10, 0, 3, 0, 0])));
      await waitFor('the Kafka client served', () => served.length === 1);
      kafka.destroy();
      served[0]!.destroy();
    } finally {
      await server.close();
    }
  });
});
