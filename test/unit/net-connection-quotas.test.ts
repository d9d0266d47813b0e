// Kafka's per-address and total connection limits on a listener (quorum/net/connection-quotas.ts,
// enforced by NetServer on accept): the connection over a limit is closed by the server at once
// while the ones held go on answering, a closed connection frees its slot, an override raises or
// lowers the limit for its address, the total spans every listener sharing the quotas, an
// IPv4-mapped address counts as the IPv4 one, and each refusal is a warn line, at most one per
// address per interval with the count of the others (./refusal-warnings.ts). The ip connection
// rate quotas (KIP-612's connection_creation_rate): an address's own before the default, none
// unmeasured, checked before the count limits, their own warn line, and every refusal counted.

import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetClient } from '../../quorum/net/client.js';
import { canonicalAddress, ConnectionQuotas, type ConnectionLimits, type IpConnectionRateQuotas } from '../../quorum/net/connection-quotas.js';
import { dynamicConnectionLimits } from '../../broker/dynamic-connection-limits.js';
import { imageOf } from '../../metadata-log/delta.js';
import { RefusalWarnings } from '../../quorum/net/refusal-warnings.js';
import { NetServer } from '../../quorum/net/server.js';
import type { ListenerSpec, PeerIdentity } from '../../quorum/net/types.js';
import { capturingLogger, waitFor, type LogLine } from '../support/recording-logger.js';
import { makePki, type Pki } from '../support/tls-certs.js';
import { connectUntilServerCloses } from '../support/tcp-probes.js';
import { closedAfterEach } from '../support/net-cleanup.js';

const CLUSTER = 'quota-cluster';
const serverSelf: PeerIdentity = { nodeId: 1, role: 'broker', clusterId: CLUSTER };
const clientSelf: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: CLUSTER };
const NO_LIMIT = 2 ** 31 - 1;

const { servers, clients, sockets } = closedAfterEach();

function limits(o: { perIp?: number; overrides?: Record<string, number>; total?: number; perListener?: Record<string, number> }): ConnectionLimits {
  return {
    perAddressMax: o.perIp ?? NO_LIMIT,
    perAddressOverrides: new Map(Object.entries(o.overrides ?? {})),
    totalMax: o.total ?? NO_LIMIT,
    perListenerMax: new Map(Object.entries(o.perListener ?? {})),
  };
}

async function listen(quotas: ConnectionQuotas, log = capturingLogger(), listener: Partial<ListenerSpec> = {}): Promise<NetServer> {
  const s = await NetServer.listen({
    listener: { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT', ...listener } as ListenerSpec,
    self: serverSelf,
    handlers: { onRequest: async () => 'pong' },
    logger: log,
    connectionQuotas: quotas,
  });
  servers.push(s);
  return s;
}

/** A tool connected from 127.0.0.1 that has been answered once (so it holds its slot). */
async function answeredClient(port: number, host = '127.0.0.1'): Promise<NetClient> {
  const c = new NetClient({ endpoint: { host, port }, self: clientSelf, expect: { nodeId: 1, clusterId: CLUSTER }, reconnect: false, logger: capturingLogger() });
  clients.push(c);
  await expect(c.request('ping', null)).resolves.toBe('pong');
  return c;
}

const closedByServer = connectUntilServerCloses;

const refusals = (log: { lines: LogLine[] }) => log.lines.filter((l) => l.level === 'warn' && l.msg === 'connection refused: too many connections');

describe('per-address limit (max.connections.per.ip)', () => {
  it('N connections from 127.0.0.1 are held and answered; the N+1st is closed by the server with a warn line naming the address and the limit', async () => {
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ perIp: 3 }));
    const port = (await listen(quotas, log)).address().port;
    const held = [await answeredClient(port), await answeredClient(port), await answeredClient(port)];
    await closedByServer(port);
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
    expect(refusals(log)).toHaveLength(1);
    expect(refusals(log)[0]!.fields).toMatchObject({ listener: 'PLAINTEXT', limit: 'max.connections.per.ip', connectionsMax: 3, dropped: 1, reason: '127.0.0.1 holds 3 connections already (max.connections.per.ip: at most 3)' });
    expect(String(refusals(log)[0]!.fields['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(quotas.held('127.0.0.1')).toBe(3);
  });

  it('a connection that closes frees its slot for the next one', async () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 2 }));
    const port = (await listen(quotas)).address().port;
    const first = await answeredClient(port);
    await answeredClient(port);
    await closedByServer(port);
    await first.close();
    await waitFor('the closed connection to give back its slot', () => quotas.held('127.0.0.1') === 1);
    await answeredClient(port);
    await closedByServer(port);
  });

  it('a connection closed before its handshake (a TCP health check) frees its slot too', async () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 1 }));
    const port = (await listen(quotas)).address().port;
    const probe = net.connect({ host: '127.0.0.1', port });
    sockets.push(probe);
    await new Promise<void>((r) => probe.once('connect', () => r()));
    await waitFor('the probe to hold its slot', () => quotas.held() === 1);
    probe.end();
    await waitFor('the probe to give back its slot', () => quotas.held() === 0);
    await answeredClient(port);
  });

  it('an override raises the limit for its address', async () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 1, overrides: { '127.0.0.1': 3 } }));
    const log = capturingLogger();
    const port = (await listen(quotas, log)).address().port;
    for (let i = 0; i < 3; i++) await answeredClient(port);
    await closedByServer(port);
    expect(refusals(log)[0]!.fields).toMatchObject({ limit: 'max.connections.per.ip.overrides', connectionsMax: 3 });
  });

  it('an override lowers the limit for its address (0: none), and one for another address leaves 127.0.0.1 at the default', async () => {
    const lowered = new ConnectionQuotas(limits({ perIp: 5, overrides: { '127.0.0.1': 1 } }));
    const port = (await listen(lowered)).address().port;
    await answeredClient(port);
    await closedByServer(port);

    const none = new ConnectionQuotas(limits({ perIp: 5, overrides: { '127.0.0.1': 0 } }));
    await closedByServer((await listen(none)).address().port);

    const elsewhere = new ConnectionQuotas(limits({ perIp: 2, overrides: { '10.0.0.5': 100 } }));
    const port3 = (await listen(elsewhere)).address().port;
    await answeredClient(port3);
    await answeredClient(port3);
    await closedByServer(port3);
  });
});

describe('total limit (max.connections)', () => {
  it('spans every listener sharing the quotas: with 3 in all, 2 on one listener and 1 on the other fill it; one more on either is closed', async () => {
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ total: 3 }));
    const a = (await listen(quotas, log)).address().port;
    const b = (await listen(quotas, log, { name: 'INTERNAL' })).address().port;
    const held = [await answeredClient(a), await answeredClient(a), await answeredClient(b)];
    await closedByServer(a);
    await closedByServer(b);
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
    // One line for both refusals: the total is about the broker, not one address.
    expect(refusals(log)).toHaveLength(1);
    expect(refusals(log)[0]!.fields).toMatchObject({ limit: 'max.connections', connectionsMax: 3, reason: 'the client listeners hold 3 connections already (max.connections: at most 3)' });
    await held[0]!.close();
    await waitFor('a slot to be freed', () => quotas.held() === 2);
    await answeredClient(b);
  });

  it('listener.name.<listener>.max.connections bounds that listener alone: 2 on INTERNAL fill it, PLAINTEXT takes more; a closed one frees its slot', async () => {
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ perListener: { INTERNAL: 2 } }));
    const plain = (await listen(quotas, log)).address().port;
    const internal = (await listen(quotas, log, { name: 'INTERNAL' })).address().port;
    const held = [await answeredClient(internal), await answeredClient(internal)];
    await closedByServer(internal);
    for (let i = 0; i < 3; i++) await answeredClient(plain);
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
    expect(quotas.heldOn('INTERNAL')).toBe(2);
    expect(quotas.heldOn('PLAINTEXT')).toBe(3);
    expect(refusals(log)).toHaveLength(1);
    expect(refusals(log)[0]!.fields).toMatchObject({
      limit: 'listener.name.internal.max.connections',
      connectionsMax: 2,
      reason: 'listener INTERNAL holds 2 connections already (listener.name.internal.max.connections: at most 2)',
    });
    await held[0]!.close();
    await waitFor('a slot to be freed', () => quotas.heldOn('INTERNAL') === 1);
    await answeredClient(internal);
  });

  it('a listener limit and the broker-wide one both hold: max.connections 3 refuses a fourth even where the listener allows it', () => {
    const quotas = new ConnectionQuotas(limits({ total: 3, perListener: { INTERNAL: 5 } }));
    for (let i = 0; i < 3; i++) expect(quotas.admit(`10.0.0.${i}`, 'INTERNAL').admitted).toBe(true);
    const fourth = quotas.admit('10.0.0.9', 'INTERNAL');
    expect(fourth.admitted ? null : fourth.refusal.limit).toBe('max.connections');
  });
});

describe('TLS listener', () => {
  let dir: string;
  let pki: Pki;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mq-quota-tls-'));
    pki = makePki(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a connection over the limit is refused before the TLS handshake, with the refusal line and nothing about TLS', async () => {
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ perIp: 1 }));
    const s = await listen(quotas, log, { securityProtocol: 'SSL', tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caPem, clientAuth: 'none' } });
    const port = s.address().port;
    const c = new NetClient({ endpoint: { host: '127.0.0.1', port }, self: clientSelf, expect: { nodeId: 1, clusterId: CLUSTER }, tls: { caPem: pki.caPem, verifyHostname: true }, reconnect: false, logger: capturingLogger() });
    clients.push(c);
    await expect(c.request('ping', null)).resolves.toBe('pong');
    await closedByServer(port);
    await new Promise((r) => setTimeout(r, 100)); // a TLS error line would come after the close
    expect(log.lines.filter((l) => l.level !== 'info').map((l) => l.msg)).toEqual(['connection refused: too many connections']);
    await expect(c.request('ping', null)).resolves.toBe('pong');
  });
});

describe('addresses', () => {
  it('canonical form: IPv4-mapped IPv6 is the IPv4 address, IPv6 compressed and lower case', () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:10.0.0.5')).toBe('10.0.0.5');
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('FE80::1')).toBe('fe80::1');
    expect(canonicalAddress('10.0.0.5')).toBe('10.0.0.5');
  });

  it('::ffff:127.0.0.1 and 127.0.0.1 share one count and one override', () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 1, overrides: { '::ffff:127.0.0.1': 2 } }));
    expect(quotas.admit('127.0.0.1').admitted).toBe(true);
    expect(quotas.admit('::ffff:127.0.0.1').admitted).toBe(true);
    const third = quotas.admit('127.0.0.1');
    expect(third.admitted).toBe(false);
    expect(third.admitted ? null : third.refusal).toMatchObject({ address: '127.0.0.1', limit: 'max.connections.per.ip.overrides', max: 2 });
  });

  it('release gives back one slot, once, whatever the form the address came in', () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 1, total: 2 }));
    const a = quotas.admit('::ffff:127.0.0.1');
    if (!a.admitted) throw new Error('refused');
    a.release();
    a.release();
    expect(quotas.held()).toBe(0);
    expect(quotas.held('127.0.0.1')).toBe(0);
    expect(quotas.admit('127.0.0.1').admitted).toBe(true);
    expect(quotas.admit('::1').admitted).toBe(true);
    expect(quotas.admit('::2').admitted).toBe(false); // the total
  });

  it('a dual-stack listener sees an IPv4 client as ::ffff:127.0.0.1: it is counted, overridden and logged as 127.0.0.1', async (ctx) => {
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ perIp: 5, overrides: { '127.0.0.1': 1 } }));
    let s: NetServer;
    try {
      s = await listen(quotas, log, { host: '::' });
    } catch {
      return ctx.skip(); // no IPv6 on this machine
    }
    const port = s.address().port;
    await answeredClient(port, '127.0.0.1');
    expect(quotas.held('127.0.0.1')).toBe(1);
    await closedByServer(port, '127.0.0.1');
    expect(refusals(log)[0]!.fields).toMatchObject({ limit: 'max.connections.per.ip.overrides', connectionsMax: 1 });
    expect(String(refusals(log)[0]!.fields['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('the warn line is rate-limited per address', () => {
  it('one line per address per interval, each with the refusals since the previous line; another address gets its own line', async () => {
    let now = 0;
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({ perIp: 0, overrides: { '10.0.0.9': 1 } }), new RefusalWarnings(10_000, () => now));
    const port = (await listen(quotas, log)).address().port;
    for (let i = 0; i < 4; i++) await closedByServer(port);
    expect(refusals(log).map((l) => l.fields['dropped'])).toEqual([1]);
    now = 9_999;
    await closedByServer(port);
    expect(refusals(log)).toHaveLength(1);
    now = 10_000;
    await closedByServer(port);
    // The four not logged and this one.
    expect(refusals(log).map((l) => l.fields['dropped'])).toEqual([1, 5]);
    expect(refusals(log)[1]!.fields).toMatchObject({ limit: 'max.connections.per.ip', connectionsMax: 0 });
  });
});

describe('dynamic limits (max.connections.per.ip and max.connections as dynamic broker configs)', () => {
  it('apply to the next admission over the static ones, an override still wins, and undefined gives the static limit back', () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 3, total: 10, overrides: { '10.0.0.9': 5 } }));
    quotas.applyDynamic({ perAddressMax: 1, totalMax: undefined });
    const held = quotas.admit('127.0.0.1');
    expect(held.admitted).toBe(true);
    expect(quotas.admit('127.0.0.1')).toMatchObject({ admitted: false, refusal: { limit: 'max.connections.per.ip', max: 1 } });
    expect(quotas.admit('10.0.0.9').admitted).toBe(true); // its override (5) is over the dynamic 1
    quotas.applyDynamic({ perAddressMax: undefined, totalMax: 2 });
    expect(quotas.admit('10.0.0.8')).toMatchObject({ admitted: false, refusal: { limit: 'max.connections', max: 2 } });
    quotas.applyDynamic({ perAddressMax: undefined, totalMax: undefined });
    expect(quotas.effectiveLimits()).toEqual({ perAddressMax: 3, totalMax: 10 });
    expect(quotas.admit('127.0.0.1').admitted).toBe(true);
  });

  it("are read from the image: this broker's dynamic config first, then the cluster default, else none", () => {
    const image = imageOf([
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'max.connections.per.ip', value: '7' },
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'max.connections', value: '100' },
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'max.connections.per.ip', value: '2' },
    ]);
    expect(dynamicConnectionLimits(image, 4)).toEqual({ perAddressMax: 2, totalMax: 100 });
    expect(dynamicConnectionLimits(image, 5)).toEqual({ perAddressMax: 7, totalMax: 100 });
    expect(dynamicConnectionLimits(imageOf([]), 4)).toEqual({ perAddressMax: undefined, totalMax: undefined });
  });
});

function ipRates(byAddress: Record<string, number>, defaultQuota?: number): IpConnectionRateQuotas {
  return { byAddress: new Map(Object.entries(byAddress)), defaultQuota };
}

const rateRefusals = (log: { lines: LogLine[] }) => log.lines.filter((l) => l.level === 'warn' && l.msg === 'connection refused: connection rate quota exceeded');

/** Admits `n` connections from `address` at the quotas' current time; how many were admitted (held ones stay held). */
function connectMany(quotas: ConnectionQuotas, address: string, n: number): number {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (quotas.admit(address).admitted) admitted++;
  return admitted;
}

describe('ip connection rate quotas (connection_creation_rate, KIP-612)', () => {
  it("an address's own quota before the default; the default for every other address; none: not measured", () => {
    const now = 0;
    const quotas = new ConnectionQuotas(limits({}), new RefusalWarnings(), () => now);
    quotas.applyIpConnectionRates(ipRates({ '10.0.0.7': 1 }, 3));
    expect(quotas.ipConnectionRateQuota('10.0.0.7')).toEqual({ quota: 1, own: true });
    expect(quotas.ipConnectionRateQuota('10.0.0.8')).toEqual({ quota: 3, own: false });
    // A burst of 10 x quota (Kafka measures a new address over 10 s), then refusals.
    expect(connectMany(quotas, '10.0.0.7', 15)).toBe(10);
    expect(connectMany(quotas, '10.0.0.8', 35)).toBe(30);
    expect(connectMany(quotas, '10.0.0.9', 35)).toBe(30); // each address is measured apart

    quotas.applyIpConnectionRates(ipRates({ '10.0.0.7': 1 }));
    expect(quotas.ipConnectionRateQuota('10.0.0.8')).toBeUndefined();
    expect(connectMany(quotas, '10.0.0.8', 100)).toBe(100);
  });

  it('2147483647 is no quota (Kafka\'s unlimited): as an address\'s own it exempts the address from the default', () => {
    const quotas = new ConnectionQuotas(limits({}), new RefusalWarnings(), () => 0);
    quotas.applyIpConnectionRates(ipRates({ '127.0.0.1': 2 ** 31 - 1 }, 0));
    expect(quotas.ipConnectionRateQuota('127.0.0.1')).toBeUndefined();
    expect(connectMany(quotas, '127.0.0.1', 50)).toBe(50);
    expect(connectMany(quotas, '127.0.0.2', 1)).toBe(0); // the default 0
  });

  it('the refusal names the address, the quota and the rate measured; ::ffff:127.0.0.1 is 127.0.0.1', () => {
    const quotas = new ConnectionQuotas(limits({}), new RefusalWarnings(), () => 0);
    quotas.applyIpConnectionRates(ipRates({ '127.0.0.1': 2 }));
    expect(connectMany(quotas, '::ffff:127.0.0.1', 20)).toBe(20);
    const refused = quotas.admit('::ffff:127.0.0.1');
    expect(refused.admitted ? null : refused.refusal).toEqual({
      address: '127.0.0.1',
      limit: 'connection_creation_rate',
      max: 2,
      ratePerSecond: 2.1,
      warnKey: '127.0.0.1 (connection_creation_rate)',
      reason: '127.0.0.1 opens connections at 2.1 per second, over its connection_creation_rate quota of 2 per second',
    });
    expect(quotas.held('127.0.0.1')).toBe(20); // the refused one holds no slot
    quotas.applyIpConnectionRates(ipRates({}, 0));
    const byDefault = quotas.admit('10.1.1.1');
    expect(byDefault.admitted ? null : byDefault.refusal.reason).toBe('10.1.1.1 opens connections at 0.1 per second, over the default ip connection_creation_rate quota of 0 per second');
  });

  it('the rate is checked before the count limits, and a connection a count limit refuses still counts towards the rate (as in Kafka)', () => {
    const quotas = new ConnectionQuotas(limits({ perIp: 5 }), new RefusalWarnings(), () => 0);
    quotas.applyIpConnectionRates(ipRates({ '10.0.0.7': 1 }));
    const refusedBy = () => {
      const a = quotas.admit('10.0.0.7');
      return a.admitted ? 'admitted' : a.refusal.limit;
    };
    const seen = Array.from({ length: 12 }, refusedBy);
    expect(seen).toEqual([...Array<string>(5).fill('admitted'), ...Array<string>(5).fill('max.connections.per.ip'), 'connection_creation_rate', 'connection_creation_rate']);
    expect(Object.fromEntries(quotas.refusals())).toEqual({ 'max.connections.per.ip': 5, connection_creation_rate: 2 });
  });

  it("after a burst the address waits for the burst to leave the window (11 s): Kafka's window is 10 s plus the part of the current second", () => {
    let now = 0;
    const quotas = new ConnectionQuotas(limits({}), new RefusalWarnings(), () => now);
    quotas.applyIpConnectionRates(ipRates({ '10.0.0.7': 2 }));
    expect(connectMany(quotas, '10.0.0.7', 25)).toBe(20);
    now = 1_000; // a new sample: 1 s elapsed, padded to 10 s: 21 would be 2.1/s
    expect(connectMany(quotas, '10.0.0.7', 5)).toBe(0);
    now = 1_500; // 10.5 s: room for 21
    expect(connectMany(quotas, '10.0.0.7', 5)).toBe(1);
    now = 11_000; // the burst's sample (last event at 0) has expired: 1 counted over 10 s
    expect(connectMany(quotas, '10.0.0.7', 25)).toBe(19);
  });

  it('over a listener: connections over the rate are closed by the server with a warn line naming the address, the rate and the quota, one per address per interval', async () => {
    let now = 0;
    const log = capturingLogger();
    const quotas = new ConnectionQuotas(limits({}), new RefusalWarnings(10_000, () => now), () => now);
    quotas.applyIpConnectionRates(ipRates({ '127.0.0.1': 1 }));
    const port = (await listen(quotas, log)).address().port;
    const held = [];
    for (let i = 0; i < 10; i++) held.push(await answeredClient(port));
    await closedByServer(port);
    await closedByServer(port);
    for (const c of held) await expect(c.request('ping', null)).resolves.toBe('pong');
    expect(rateRefusals(log)).toHaveLength(1);
    expect(rateRefusals(log)[0]!.fields).toMatchObject({ listener: 'PLAINTEXT', limit: 'connection_creation_rate', connectionCreationRate: 1.1, quota: 1, dropped: 1 });
    expect(String(rateRefusals(log)[0]!.fields['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(refusals(log)).toHaveLength(0); // not a count refusal
    now = 10_000;
    await closedByServer(port);
    expect(rateRefusals(log).map((l) => l.fields['dropped'])).toEqual([1, 2]);
    expect(quotas.refusals().get('connection_creation_rate')).toBe(3);
  });
});
