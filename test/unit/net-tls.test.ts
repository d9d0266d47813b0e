// SSL listeners of the internal protocol with certificates made for the test by the openssl CLI:
// mutual TLS works; a client without a certificate, a client trusting another CA, and either
// protocol mismatch (PLAINTEXT↔SSL) fail cleanly with a reason, and the server keeps serving; a
// TCP health check on an SSL listener is no warning.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../quorum/env/index.js';
import { NetClient, type NetClientOptions } from '../../quorum/net/client.js';
import { NetServer } from '../../quorum/net/server.js';
import { ConnectionError, HandshakeRefusedError, type PeerIdentity, type TlsMaterial } from '../../quorum/net/types.js';
import { makePki, type Pki } from '../support/tls-certs.js';
import { capturingLogger, waitFor, type LogLine } from '../support/recording-logger.js';
import { connectAndHangUp, withSilentListener } from '../support/tcp-probes.js';


const CLUSTER = 'tls-cluster';
const serverSelf: PeerIdentity = { nodeId: 1, role: 'controller', clusterId: CLUSTER };
const clientSelf: PeerIdentity = { nodeId: 2, role: 'controller', clusterId: CLUSTER };

describe('TLS', () => {
  let dir: string;
  let pki: Pki;
  const servers: NetServer[] = [];
  const clients: NetClient[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metaquorum-net-tls-'));
    pki = makePki(dir);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function sslServer(log: Logger, clientAuth: TlsMaterial['clientAuth'] = 'required'): Promise<NetServer> {
    const s = await NetServer.listen({
      listener: {
        name: 'CONTROLLER',
        host: '127.0.0.1',
        port: 0,
        securityProtocol: 'SSL',
        tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem, clientAuth },
      },
      self: serverSelf,
      handlers: { onRequest: async (ch, method) => ({ method, peer: ch.peer.nodeId }) },
      logger: log,
    });
    servers.push(s);
    return s;
  }

  function client(port: number, tls: TlsMaterial | undefined, extra: Partial<NetClientOptions> = {}): NetClient {
    const c = new NetClient({
      endpoint: { host: '127.0.0.1', port },
      self: clientSelf,
      expect: { nodeId: 1, clusterId: CLUSTER },
      ...(tls === undefined ? {} : { tls }),
      reconnect: false,
      logger: capturingLogger(),
      ...extra,
    });
    clients.push(c);
    return c;
  }

  const goodClientTls = (): TlsMaterial => ({ caPem: pki.caPem, certPem: pki.clientCertPem, keyPem: pki.clientKeyPem, verifyHostname: true });

  async function expectServing(port: number): Promise<void> {
    await expect(client(port, goodClientTls()).request('ping', null)).resolves.toEqual({ method: 'ping', peer: 2 });
  }

  it('mutual TLS: a client with a certificate of the trusted CA connects and is answered', async () => {
    const log = capturingLogger();
    const s = await sslServer(log);
    await expectServing(s.address().port);
    expect(log.lines.find((l) => l.msg === 'listening')?.fields).toMatchObject({ securityProtocol: 'SSL' });
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('the server certificate is checked against the host name dialled (localhost is in its SAN)', async () => {
    const s = await sslServer(capturingLogger());
    const c = client(s.address().port, goodClientTls(), { endpoint: { host: 'localhost', port: s.address().port } });
    await expect(c.request('ping', null)).resolves.toMatchObject({ peer: 2 });
  });

  it('a client without a certificate is refused when client certificates are required, with the TLS error logged', async () => {
    const log = capturingLogger();
    const s = await sslServer(log);
    const port = s.address().port;
    const c = client(port, { caPem: pki.caPem });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof ConnectionError || error instanceof HandshakeRefusedError).toBe(true);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.level === 'warn' && l.msg === 'handshake refused: TLS error'));
    const line = log.lines.find((l) => l.msg === 'handshake refused: TLS error')!;
    expect(String(line.fields['reason'])).toMatch(/certificate/i);
    expect(line.fields['remote']).toMatch(/^127\.0\.0\.1:\d+$/);
    await expectServing(port);
  });

  it('a client certificate of another CA is refused', async () => {
    const log = capturingLogger();
    const s = await sslServer(log);
    const port = s.address().port;
    const c = client(port, { caPem: pki.caPem, certPem: pki.otherClientCertPem, keyPem: pki.otherClientKeyPem });
    await expect(c.request('ping', null)).rejects.toBeInstanceOf(Error);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.msg === 'handshake refused: TLS error'));
    expect(log.lines.find((l) => l.msg === 'handshake refused: TLS error')?.fields['reason']).toMatch(/client certificate rejected|unknown ca/i);
    await expectServing(port);
  });

  it('ssl.client.auth=requested: a client without a certificate, or with a valid one, is served; one whose certificate does not verify is refused, logged', async () => {
    const log = capturingLogger();
    const s = await sslServer(log, 'requested');
    const port = s.address().port;
    await expect(client(port, { caPem: pki.caPem }).request('ping', null)).resolves.toEqual({ method: 'ping', peer: 2 });
    await expectServing(port);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
    const other = client(port, { caPem: pki.caPem, certPem: pki.otherClientCertPem, keyPem: pki.otherClientKeyPem });
    await expect(other.request('ping', null)).rejects.toBeInstanceOf(Error);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.msg === 'handshake refused: TLS error'));
    const line = log.lines.find((l) => l.msg === 'handshake refused: TLS error')!;
    expect(String(line.fields['reason'])).toMatch(/client certificate rejected/);
    expect(line.fields['remote']).toMatch(/^127\.0\.0\.1:\d+$/);
    await expectServing(port);
  });

  it('ssl.client.auth=none: no certificate is asked for, so a client with one of another CA is served too', async () => {
    const s = await sslServer(capturingLogger(), 'none');
    const port = s.address().port;
    await expect(client(port, { caPem: pki.caPem, certPem: pki.otherClientCertPem, keyPem: pki.otherClientKeyPem }).request('ping', null)).resolves.toMatchObject({ peer: 2 });
  });

  it('a client trusting another CA refuses the server certificate', async () => {
    const s = await sslServer(capturingLogger());
    const port = s.address().port;
    const clientLog = capturingLogger();
    const c = client(port, { caPem: pki.otherCaPem, certPem: pki.clientCertPem, keyPem: pki.clientKeyPem }, { logger: clientLog });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed: .*certificate/i);
    expect(clientLog.lines.some((l) => l.level === 'warn' && /certificate/i.test(String(l.fields['reason'])))).toBe(true);
    await expectServing(port);
  });

  it('a client that hangs up before sending a byte (a TCP health check) costs a debug line, not a warn, whether it ends or resets', async () => {
    // It was warned about as 'handshake refused: TLS error' with 'socket hang up': a load balancer
    // probing an SSL listener filled the log, where a PLAINTEXT listener logs it at debug.
    const log = capturingLogger();
    const s = await sslServer(log);
    const port = s.address().port;
    for (const hangUp of ['end', 'reset'] as const) {
      await connectAndHangUp(port, hangUp);
    }
    await waitFor('both seen by the server', () => log.lines.filter((l) => l.msg === 'connection closed before its handshake').length === 2);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
    for (const l of log.lines.filter((x) => x.msg === 'connection closed before its handshake')) expect(l.level).toBe('debug');
    await expectServing(port);
  });

  it('a client that hangs up during the TLS handshake without an alert (it distrusts the server certificate) is named so in the warn line', async () => {
    const log = capturingLogger();
    const s = await sslServer(log);
    const port = s.address().port;
    await expect(client(port, { caPem: pki.otherCaPem, certPem: pki.clientCertPem, keyPem: pki.clientKeyPem }).request('ping', null)).rejects.toBeInstanceOf(ConnectionError);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.msg === 'handshake refused: TLS error'));
    const line = log.lines.find((l) => l.msg === 'handshake refused: TLS error')!;
    // Before: only 'socket hang up (ECONNRESET)'.
    expect(line.fields['reason']).toMatch(/^the client hung up during the TLS handshake \(does it trust this listener's certificate\?\): /);
    expect(line.level).toBe('warn');
  });

  it('a PLAINTEXT client on an SSL listener fails cleanly; the server logs it and keeps serving', async () => {
    const log = capturingLogger();
    const s = await sslServer(log);
    const port = s.address().port;
    const c = client(port, undefined, { connectTimeoutMs: 10_000 });
    const error = await c.request('ping', null).catch((e: unknown) => e);
    expect(error instanceof ConnectionError || error instanceof HandshakeRefusedError).toBe(true);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.msg === 'handshake refused: TLS error'));
    await expectServing(port);
  });

  it('an SSL client on a PLAINTEXT listener fails cleanly, and the server says the client spoke TLS', async () => {
    const log = capturingLogger();
    const s = await NetServer.listen({
      listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: serverSelf,
      handlers: { onRequest: async () => 'plain' },
      logger: log,
    });
    servers.push(s);
    const port = s.address().port;
    const error = await client(port, goodClientTls()).request('ping', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed/);
    await waitFor('the refusal in the server log', () => log.lines.some((l) => l.msg === 'handshake refused'));
    expect(log.lines.find((l) => l.msg === 'handshake refused')?.fields['reason']).toMatch(/TLS handshake on a PLAINTEXT listener/);
    await expect(client(port, undefined).request('ping', null)).resolves.toBe('plain');
  });

  it('an SSL client of a node that takes the TCP connection and never answers (paused) calls it hung, not unreachable', async () => {
    await withSilentListener(async (port) => {
      for (const [requestMs, connectMs] of [[300, 20_000], [20_000, 300]] as const) {
        const c = client(port, goodClientTls(), { connectTimeoutMs: connectMs });
        const error = await c.request('ping', null, { timeoutMs: requestMs }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as Error).message).toContain('connected, but no answer to the handshake within 300 ms: the node may be hung');
      }
    });
  });

  it('updateTls (a dynamic ssl.* config): the next handshake presents the new certificate, a connection already open keeps its own', async () => {
    const s = await sslServer(capturingLogger(), 'none');
    const { port } = s.address();
    const subjectOf = (socket: tls.TLSSocket) => socket.getPeerCertificate().subject.CN;
    const open = (): Promise<tls.TLSSocket> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(socket));
        socket.once('error', reject);
      });
    const before = await open();
    expect(subjectOf(before)).toBe('server');
    s.updateTls({ certPem: pki.clientCertPem, keyPem: pki.clientKeyPem, caPem: pki.caPem });
    const after = await open();
    expect(subjectOf(after)).toBe('client');
    expect([before.destroyed, subjectOf(before)]).toEqual([false, 'server']);
    before.destroy();
    after.destroy();
    expect(() => s.updateTls({ caPem: pki.caPem })).toThrow(/has no certificate and key/);
  });
});
