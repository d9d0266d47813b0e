// SASL in the internal protocol's handshake (quorum/net/handshake.ts): metaquorum's tools on a
// broker's SASL listener prove a SCRAM credential before any request, the connection's principal
// is then User:<name>; a wrong password, an unknown user or an unoffered mechanism is refused
// after the failure delay with Kafka's generic text; a tool without SASL is told what to configure;
// a tool with SASL refuses a listener that never challenged it, and a server that cannot prove it
// holds the credential. Over real sockets: NetServer and NetClient with the SCRAM server
// (broker/kafka/sasl/scram-server.ts) and client (tools/admin/scram-client.ts).

import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NetClient } from '../../quorum/net/client.js';
import { encodeFrame, FrameDecoder } from '../../quorum/net/frame-codec.js';
import { HANDSHAKE_MAGIC, saslRequiredText } from '../../quorum/net/handshake.js';
import { netLimits } from '../../quorum/net/limits.js';
import { NetServer } from '../../quorum/net/server.js';
import { HandshakeRefusedError, PROTOCOL_VERSION, type HandshakeSaslOptions, type PeerIdentity } from '../../quorum/net/types.js';
import { ScramServerExchange } from '../../broker/kafka/sasl/scram-server.js';
import { scramMechanismByName } from '../../metadata-log/records/user-scram-credential.js';
import type { ScramCredential } from '../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../metadata-log/records/types.js';
import { ScramClientExchange } from '../../tools/admin/scram-client.js';
import { scramCredential } from '../support/scram-credential.js';
import { capturingLogger } from '../support/recording-logger.js';
import { closedAfterEach } from '../support/net-cleanup.js';
import { timerAtLeastMs } from '../support/timer-granularity.js';

const CLUSTER = 'cluster-S';
const TOOL: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: null };
const BROKER: PeerIdentity = { nodeId: 4, role: 'broker', clusterId: CLUSTER };

const credential = scramCredential;

const CREDENTIALS = new Map<string, Map<ScramMechanism, ScramCredential>>([
  ['alice', new Map([[1, credential(1, 'alice-secret')], [2, credential(2, 'alice-512', 8192)]])],
]);

const { servers, clients, sockets } = closedAfterEach();

interface Outcome {
  readonly mechanism: string;
  readonly user: string | null;
  readonly reason: string | null;
}

async function serve(
  options: {
    mechanisms?: readonly string[];
    delayMs?: number;
    ready?: Promise<unknown>;
    sasl?: boolean;
    handshakeTimeoutMs?: number;
    identify?: () => string;
    exchange?: HandshakeSaslOptions['exchange'];
  } = {},
) {
  const log = capturingLogger();
  const outcomes: Outcome[] = [];
  const sasl: HandshakeSaslOptions = {
    mechanisms: options.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
    failureDelayMs: options.delayMs ?? 0,
    exchange: options.exchange ?? ((mechanism) => new ScramServerExchange(scramMechanismByName(mechanism)!, (user, m) => CREDENTIALS.get(user)?.get(m))),
    onOutcome: (mechanism, { user, reason }) => outcomes.push({ mechanism, user, reason }),
    ...(options.ready === undefined ? {} : { ready: options.ready }),
  };
  const server = await NetServer.listen({
    listener: { name: 'SECURE', host: '127.0.0.1', port: 0, securityProtocol: options.sasl === false ? 'PLAINTEXT' : 'SASL_PLAINTEXT' },
    self: BROKER,
    ...(options.sasl === false ? {} : { sasl }),
    ...(options.identify === undefined ? {} : { identify: options.identify }),
    handlers: { onRequest: async (ch) => ({ principal: ch.principal ?? null }) },
    logger: log,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 2000,
  });
  servers.push(server);
  return { port: server.address().port, log, outcomes };
}

function tool(port: number, sasl?: { mechanism: string; user: string; password: string }): NetClient {
  const c = new NetClient({
    endpoint: { host: '127.0.0.1', port },
    self: TOOL,
    logger: capturingLogger(),
    reconnect: false,
    connectTimeoutMs: 3000,
    ...(sasl === undefined ? {} : { sasl: () => new ScramClientExchange(sasl.mechanism, sasl.user, sasl.password) }),
  });
  clients.push(c);
  return c;
}

const FAILED_256 = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256';

describe('SASL in the handshake', () => {
  it('SCRAM-SHA-256 and SCRAM-SHA-512 with the right password: served, and the connection\'s principal is User:alice', async () => {
    const s = await serve();
    await expect(tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {})).resolves.toEqual({ principal: 'User:alice' });
    await expect(tool(s.port, { mechanism: 'SCRAM-SHA-512', user: 'alice', password: 'alice-512' }).request('describeNode', {})).resolves.toEqual({ principal: 'User:alice' });
    expect(s.outcomes).toEqual([
      { mechanism: 'SCRAM-SHA-256', user: 'alice', reason: null },
      { mechanism: 'SCRAM-SHA-512', user: 'alice', reason: null },
    ]);
  });

  it("a wrong password and an unknown user fail alike, with Kafka's generic text, after the failure delay; the reason goes to onOutcome, not to a warn line per attempt", async () => {
    const s = await serve({ delayMs: 300 });
    for (const [user, password] of [
      ['alice', 'guess'],
      ['mallory', 'alice-secret'],
    ] as const) {
      const started = performance.now();
      const error = await tool(s.port, { mechanism: 'SCRAM-SHA-256', user, password }).request('describeNode', {}).catch((e: unknown) => e);
      expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(300));
      expect(error).toBeInstanceOf(HandshakeRefusedError);
      expect((error as Error).message).toContain(`refused the connection: ${FAILED_256}`);
    }
    expect(s.outcomes.map((o) => [o.user, o.reason])).toEqual([
      [null, expect.stringContaining('a wrong password')],
      [null, expect.stringContaining('user "mallory" has no SCRAM-SHA-256 credential')],
    ]);
    expect(s.log.lines.filter((l) => l.msg === 'handshake refused')).toEqual([]);
    expect(JSON.stringify(s.log.lines)).not.toMatch(/guess|alice-secret/);
  });

  it('a tool without SASL on a SASL listener is refused at once, told what to configure (logged)', async () => {
    const s = await serve({ delayMs: 5000 });
    const error = await tool(s.port).request('describeNode', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toContain(saslRequiredText('SECURE', ['SCRAM-SHA-256', 'SCRAM-SHA-512']));
    expect((error as Error).message).toContain('--command-config with security.protocol=SASL_PLAINTEXT');
    expect(s.log.lines.some((l) => l.msg === 'handshake refused' && String(l.fields['reason']).startsWith('listener SECURE asks its clients to authenticate with SASL'))).toBe(true);
  });

  it('a mechanism the listener does not offer is refused after the delay, naming those it offers', async () => {
    const s = await serve({ mechanisms: ['SCRAM-SHA-512'], delayMs: 200 });
    const started = performance.now();
    const error = await tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {}).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(timerAtLeastMs(200));
    expect((error as Error).message).toContain('SASL mechanism SCRAM-SHA-256 is not offered on listener SECURE; it offers SCRAM-SHA-512');
    // Not counted: the name is the client's, and a counter labelled with it grew without bound (found by a review).
    expect(s.outcomes).toEqual([]);
  });

  it('on SASL_SSL the principal is the SASL user, not the TLS identity', async () => {
    const s = await serve({ identify: () => 'User:CN=tool-cert' });
    await expect(tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {})).resolves.toEqual({ principal: 'User:alice' });
  });

  it("an exchange that fails for a reason of ours (a bug) tells the client only that, and logs the error", async () => {
    const s = await serve({
      exchange: () => ({
        evaluate: () => {
          throw new Error('image index 7 out of range');
        },
        complete: false,
        user: null,
      }),
    });
    const error = await tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {}).catch((e: unknown) => e);
    expect((error as Error).message).toContain('SASL authentication failed: an internal error (see the server log)');
    expect((error as Error).message).not.toContain('out of range');
    expect(s.log.lines.some((l) => l.level === 'error' && l.msg === 'SASL exchange failed')).toBe(true);
  });

  it('a tool with SASL refuses a listener that does not ask for it (a PLAINTEXT listener, a controller), and sends it no proof', async () => {
    const s = await serve({ sasl: false });
    const error = await tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toContain('did not ask for SASL authentication: it is not a SASL_PLAINTEXT or SASL_SSL listener');
  });

  it("a server that challenges but cannot prove it holds the credential (a wrong server-final) is refused by the tool", async () => {
    // A fake listener: answers the hello with a real challenge, then a welcome whose signature is made up.
    const server = net.createServer((socket) => {
      sockets.push(socket);
      const decoder = new FrameDecoder(1 << 20);
      const exchange = new ScramServerExchange(1, (user, m) => CREDENTIALS.get(user)?.get(m));
      socket.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk) as Record<string, unknown>[]) {
          if (frame['t'] === 'hello') {
            const { token } = frame['sasl'] as { token: Uint8Array };
            socket.write(encodeFrame({ t: 'sasl-challenge', token: exchange.evaluate(token) }));
          } else if (frame['t'] === 'sasl-response') {
            exchange.evaluate(frame['token'] as Uint8Array); // the proof is right
            socket.write(encodeFrame({ t: 'welcome', v: PROTOCOL_VERSION, nodeId: 4, role: 'broker', clusterId: CLUSTER, saslToken: Buffer.from(`v=${randomBytes(32).toString('base64')}`) }));
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const error = await tool(port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HandshakeRefusedError);
      expect((error as Error).message).toContain("the server's signature does not match this password's");
    } finally {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("the client's answer to the challenge is held to the handshake's frame bound, not the connection's", async () => {
    const s = await serve();
    const socket = net.connect({ host: '127.0.0.1', port: s.port });
    sockets.push(socket);
    const decoder = new FrameDecoder(1 << 20);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const client = new ScramClientExchange('SCRAM-SHA-256', 'alice', 'alice-secret');
    const challenged = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => decoder.push(chunk).length > 0 && resolve()));
    socket.write(encodeFrame({ t: 'hello', magic: HANDSHAKE_MAGIC, v: PROTOCOL_VERSION, nodeId: -1, role: 'tool', clusterId: null, sasl: { mechanism: 'SCRAM-SHA-256', token: client.first() } }));
    await challenged;
    const header = Buffer.alloc(4);
    header.writeUInt32BE(netLimits.handshakeFrameBytesMax + 1);
    socket.write(header);
    await closed;
    expect(s.log.lines.some((l) => l.msg === 'handshake refused' && String(l.fields['reason']).includes(`exceeds the bound of ${netLimits.handshakeFrameBytesMax} bytes`))).toBe(true);
  });

  it('the exchange waits until the listener is ready (a broker catching up has not got the credentials yet)', async () => {
    let markReady!: () => void;
    const s = await serve({ ready: new Promise<void>((resolve) => (markReady = resolve)) });
    const answer = tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {});
    await new Promise((r) => setTimeout(r, 200));
    expect(s.outcomes).toEqual([]);
    markReady();
    await expect(answer).resolves.toEqual({ principal: 'User:alice' });
  });

  it('a listener that is still not ready when the handshake timeout ends refuses, saying to try again (no connection held without bound)', async () => {
    const s = await serve({ ready: new Promise<void>(() => undefined), handshakeTimeoutMs: 400 });
    const error = await tool(s.port, { mechanism: 'SCRAM-SHA-256', user: 'alice', password: 'alice-secret' }).request('describeNode', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toContain('not ready for SASL authentication within 400 ms (a broker catching up with the metadata log); try again');
  });
});
