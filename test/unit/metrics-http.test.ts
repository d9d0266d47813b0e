// The monitoring endpoint: metaquorum.metrics.listener's syntax and rules, and the HTTP server's
// answers (the exposition with its content type, /health's codes, 404/405, a failing collector
// answered 500 without taking the node down, a port in use refused with the key's name).

import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseServerConfig } from '../../tools/config/server-config.js';
import { gauge, MetricsRegistry } from '../../quorum/metrics/registry.js';
import { MetricsHttpServer, type Health } from '../../tools/server/metrics-http.js';
import { ListenError } from '../../quorum/net/server.js';
import { parseExposition, sampleValue } from '../support/prometheus-text.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';
import { ONE_NODE_PROPERTIES } from '../support/server-properties.js';

const BASE = ONE_NODE_PROPERTIES;

function parse(value: string | undefined) {
  const props = new Map(Object.entries({ ...BASE, ...(value === undefined ? {} : { 'metaquorum.metrics.listener': value }) }));
  return parseServerConfig(props, () => undefined);
}

function failure(value: string): ConfigError {
  try {
    parse(value);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected ${value} to be refused`);
}

describe('metaquorum.metrics.listener', () => {
  it('is off by default, takes host:port or http://host:port, and an empty host means loopback', () => {
    expect(parse(undefined).metricsListener).toBeNull();
    expect(parse('0.0.0.0:9404').metricsListener).toEqual({ host: '0.0.0.0', port: 9404 });
    expect(parse('http://[::1]:9404').metricsListener).toEqual({ host: '::1', port: 9404 });
    expect(parse(':0').metricsListener).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('refuses a malformed value or a port another listener has, naming the key', () => {
    for (const bad of ['9404', 'localhost', 'host:99999', 'https://host:1']) {
      const e = failure(bad);
      expect(e.key, bad).toBe('metaquorum.metrics.listener');
    }
    const clash = failure('127.0.0.1:9092');
    expect(clash.key).toBe('metaquorum.metrics.listener');
    expect(clash.message).toMatch(/listener PLAINTEXT/);
  });
});

describe('the metrics HTTP server', () => {
  const servers: MetricsHttpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function start(registry: MetricsRegistry, health: () => Health = () => ({ healthy: true, reason: '' })) {
    const lines: LogLine[] = [];
    const server = await MetricsHttpServer.listen({ host: '127.0.0.1', port: 0, registry, health, logger: recordingLogger(lines) });
    servers.push(server);
    const { port } = server.address();
    return { url: (path: string) => `http://127.0.0.1:${port}${path}`, lines };
  }

  it('serves the registry on GET /metrics in the text format, read afresh each time', async () => {
    let n = 0;
    const registry = new MetricsRegistry();
    registry.add(() => [gauge('scrapes', 'collections so far', ++n)]);
    const { url, lines } = await start(registry);
    const first = await fetch(url('/metrics'));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sampleValue(parseExposition(await first.text()), 'scrapes')).toBe(1);
    expect(sampleValue(parseExposition(await (await fetch(url('/metrics?x=1'))).text()), 'scrapes')).toBe(2);
    const head = await fetch(url('/metrics'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(lines.some((l) => l.msg === 'listening' && l.fields.listener === 'metrics')).toBe(true);
  });

  it('answers /health 200 or 503 with the reason, as etcd does', async () => {
    let health: Health = { healthy: true, reason: '' };
    const { url } = await start(new MetricsRegistry(), () => health);
    const ok = await fetch(url('/health'));
    expect([ok.status, await ok.json()]).toEqual([200, { health: 'true', reason: '' }]);
    health = { healthy: false, reason: 'the broker is fenced' };
    const bad = await fetch(url('/health'));
    expect([bad.status, await bad.json()]).toEqual([503, { health: 'false', reason: 'the broker is fenced' }]);
  });

  it('404 for other paths, 405 for other methods', async () => {
    const { url } = await start(new MetricsRegistry());
    expect((await fetch(url('/'))).status).toBe(404);
    expect((await fetch(url('/metricsx'))).status).toBe(404);
    const post = await fetch(url('/metrics'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('a collector that throws gives 500 and a log line, and the next scrape is served', async () => {
    let fail = true;
    const registry = new MetricsRegistry();
    registry.add(() => {
      if (fail) throw new Error('collector bug');
      return [gauge('fine', 'x', 1)];
    });
    const { url, lines } = await start(registry);
    expect((await fetch(url('/metrics'))).status).toBe(500);
    expect(lines.some((l) => l.level === 'error' && l.fields.err === 'collector bug')).toBe(true);
    fail = false;
    expect((await fetch(url('/metrics'))).status).toBe(200);
  });

  it('a port in use is a ListenError naming the key', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = MetricsHttpServer.listen({ host: '127.0.0.1', port, registry: new MetricsRegistry(), health: () => ({ healthy: true, reason: '' }), logger: recordingLogger([]) });
      await expect(attempt).rejects.toBeInstanceOf(ListenError);
      await expect(attempt).rejects.toThrow(/metaquorum\.metrics\.listener.*address already in use/);
    } finally {
      blocker.close();
    }
  });
});
