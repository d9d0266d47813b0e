// The ip client quotas' connection_creation_rate (KIP-612) on a broker: read from its image (an
// address's own quota before the default ip quota, no quota no limit, addresses in canonical form,
// only ip entities), and applied to its client listeners when the image's client quotas change:
// with 2 per second, a quick run of connections from 127.0.0.1 gets Kafka's burst (10 s worth)
// and the rest are closed by the broker with a warn line and a count in its metrics; removing the
// quota lets them through again; the default ip quota and an address's own exemption apply the
// same way, and a snapshot that drops every quota drops them. Quotas and dynamic
// max.connections.per.ip already in the image at start apply from the first connection, on a
// broker given no static connection limits too. Each part of the wiring was removed in turn
// (the reload on a delta, on a discontinuous one, at start; canonical addresses; the quotas
// without static limits) and a test here failed. The rate math itself is tested in
// net-connection-rate.test.ts, its enforcement on a bare listener in net-connection-quotas.test.ts.

import * as net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipConnectionRateQuotas } from '../../broker/dynamic-connection-limits.js';
import type { BrokerServer } from '../../broker/broker-server.js';
import { imageOf } from '../../metadata-log/delta.js';
import type { ClientQuotaEntityPart, ClientQuotaRecord } from '../../metadata-log/records/types.js';
import { startLoneBroker } from '../support/lone-broker.js';
import { ManualMetadataSource } from '../support/manual-metadata-source.js';
import { capturingLogger } from '../support/recording-logger.js';

const ip = (name: string | null): ClientQuotaEntityPart[] => [{ entityType: 'ip', entityName: name }];

function quota(entity: ClientQuotaEntityPart[], value: number, key = 'connection_creation_rate'): ClientQuotaRecord {
  return { type: 'ClientQuota', entity, key, value, remove: false };
}

function removeQuota(entity: ClientQuotaEntityPart[], key = 'connection_creation_rate'): ClientQuotaRecord {
  return { type: 'ClientQuota', entity, key, value: 0, remove: true };
}

describe('ip connection rate quotas read from the image', () => {
  it("an address's own quota and the default ip quota; none at all: no address limited", () => {
    expect(ipConnectionRateQuotas(imageOf([]))).toEqual({ byAddress: new Map(), defaultQuota: undefined });
    const rates = ipConnectionRateQuotas(imageOf([quota(ip('10.0.0.7'), 5), quota(ip(null), 20), quota(ip('fd00::1'), 0)]));
    expect(rates).toEqual({ byAddress: new Map([['10.0.0.7', 5], ['fd00::1', 0]]), defaultQuota: 20 });
  });

  it('a removed quota is gone; the default alone limits every address', () => {
    const image = imageOf([quota(ip('10.0.0.7'), 5), quota(ip(null), 20), removeQuota(ip('10.0.0.7'))]);
    expect(ipConnectionRateQuotas(image)).toEqual({ byAddress: new Map(), defaultQuota: 20 });
  });

  it('addresses in canonical form (IPv4-mapped is IPv4, IPv6 compressed); two entities on one address: the lower quota', () => {
    const rates = ipConnectionRateQuotas(
      imageOf([quota(ip('::ffff:10.0.0.7'), 3), quota(ip('10.0.0.7'), 9), quota(ip('0:0:0:0:0:0:0:1'), 4), quota(ip('FD00::2'), 6), quota(ip('::1'), 8)]),
    );
    expect(rates.byAddress).toEqual(new Map([['10.0.0.7', 3], ['::1', 4], ['fd00::2', 6]]));
  });

  it('only ip entities and their connection_creation_rate count; a value within 1e-6 of a whole number is that number', () => {
    const rates = ipConnectionRateQuotas(
      imageOf([
        quota([{ entityType: 'user', entityName: 'alice' }], 7, 'producer_byte_rate'),
        quota([{ entityType: 'user', entityName: null }], 7, 'connection_creation_rate'),
        quota([{ entityType: 'user', entityName: 'bob' }, { entityType: 'ip', entityName: '10.0.0.9' }], 7),
        quota(ip('10.0.0.8'), 4.9999995),
      ]),
    );
    expect(rates).toEqual({ byAddress: new Map([['10.0.0.8', 5]]), defaultQuota: undefined });
  });
});

// ---- on a broker ------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(source: ManualMetadataSource, log = capturingLogger()): Promise<{ broker: BrokerServer; port: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-broker-rate-'));
  const b = await startLoneBroker(dir, { logger: log, metadata: source });
  cleanups.push(async () => {
    await b.halt();
    await rm(dir, { recursive: true, force: true });
  });
  return { broker: b, port: b.addresses().get('PLAINTEXT')!.port };
}

/**
 * Opens `n` TCP connections from 127.0.0.1 one after another (each once connected), then waits
 * `settleMs` for the broker to close those it refuses. Returns how many it kept open.
 */
async function openMany(port: number, n: number, settleMs = 300): Promise<{ open: number; closed: number }> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    sockets.push(s);
    cleanups.push(async () => void s.destroy());
    await new Promise<void>((resolve) => {
      s.once('connect', () => resolve());
      s.once('close', () => resolve());
    });
  }
  await new Promise((r) => setTimeout(r, settleMs));
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  return { open, closed: n - open };
}

const rateRefusalLines = (log: ReturnType<typeof capturingLogger>) => log.lines.filter((l) => l.msg === 'connection refused: connection rate quota exceeded');

function refusedMetric(b: BrokerServer, limit: string): number | undefined {
  const family = b.collectors().flatMap((c) => [...c()]).find((f) => f.name === 'metaquorum_broker_connections_refused_total');
  return family?.samples.find((s) => s.labels?.['limit'] === limit)?.value;
}

describe("a broker's client listeners under ip connection rate quotas", () => {
  it('quota 2/s for 127.0.0.1: of 30 quick connections Kafka\'s burst (20, or 21 a second on) stays and the rest are closed, logged and counted; removing the quota lets them through again', async () => {
    const source = new ManualMetadataSource();
    const log = capturingLogger();
    const { broker: b, port } = await broker(source, log);
    expect(refusedMetric(b, 'connection_creation_rate')).toBe(0);

    source.append(quota(ip('127.0.0.1'), 2));
    const limited = await openMany(port, 30);
    // Measured over 10 s plus the part of the current second: 20 pass at once, at most 21 within 10 s.
    expect(limited.open).toBeGreaterThanOrEqual(20);
    expect(limited.open).toBeLessThanOrEqual(21);
    expect(refusedMetric(b, 'connection_creation_rate')).toBe(limited.closed);
    const lines = rateRefusalLines(log);
    expect(lines).toHaveLength(1); // one line per address per interval
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { listener: 'PLAINTEXT', limit: 'connection_creation_rate', quota: 2, dropped: 1 } });
    expect(lines[0]!.fields['connectionCreationRate']).toBeGreaterThan(2);
    expect(String(lines[0]!.fields['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(String(lines[0]!.fields['reason'])).toMatch(/^127\.0\.0\.1 opens connections at [\d.]+ per second, over its connection_creation_rate quota of 2 per second$/);

    source.append(removeQuota(ip('127.0.0.1')));
    expect(await openMany(port, 30)).toEqual({ open: 30, closed: 0 });
    expect(refusedMetric(b, 'connection_creation_rate')).toBe(limited.closed);
  });

  it('the default ip quota limits 127.0.0.1, its own 2147483647 exempts it, and a snapshot without quotas drops them all', async () => {
    const source = new ManualMetadataSource();
    const { broker: b, port } = await broker(source);

    source.append(quota(ip(null), 0));
    expect(await openMany(port, 3)).toEqual({ open: 0, closed: 3 });
    source.append(quota(ip('127.0.0.1'), 2 ** 31 - 1));
    expect(await openMany(port, 3)).toEqual({ open: 3, closed: 0 });
    source.append(quota(ip('127.0.0.1'), 0));
    expect(await openMany(port, 1)).toEqual({ open: 0, closed: 1 });
    // A delta that does not follow the last image (a snapshot installed after falling behind):
    // it changes no client quota, yet the quotas it does not hold are gone.
    source.loadSnapshot();
    expect(await openMany(port, 3)).toEqual({ open: 3, closed: 0 });
    expect(refusedMetric(b, 'connection_creation_rate')).toBe(4);
  });
});

describe("a broker's client listeners from the image it starts with", () => {
  it('a quota already in the image applies from the first connection, and a delta changing no client quota keeps it', async () => {
    const source = new ManualMetadataSource();
    source.append(quota(ip('127.0.0.1'), 0));
    const { broker: b, port } = await broker(source);
    expect(await openMany(port, 2)).toEqual({ open: 0, closed: 2 });
    source.append({ type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value: '60000' });
    expect(await openMany(port, 2)).toEqual({ open: 0, closed: 2 });
    expect(refusedMetric(b, 'connection_creation_rate')).toBe(4);
  });

  it('dynamic max.connections.per.ip applies on a broker given no static connection limits, at start and when it changes', async () => {
    const source = new ManualMetadataSource();
    const perIp = (value: string) => ({ type: 'Config' as const, resourceType: 'broker' as const, resourceName: '', name: 'max.connections.per.ip', value });
    source.append(perIp('1'));
    const { broker: b, port } = await broker(source);
    expect(await openMany(port, 3)).toEqual({ open: 1, closed: 2 });
    source.append(perIp('3')); // the one held counts: 2 more
    expect(await openMany(port, 3)).toEqual({ open: 2, closed: 1 });
    expect(refusedMetric(b, 'max.connections.per.ip')).toBe(3);
  });
});
