// The node's HTTP endpoint for monitoring, bound when `metaquorum.metrics.listener` is set:
//
//   GET /metrics   Prometheus text format 0.0.4 (quorum/metrics/registry.ts), every collector
//   GET /health    200 {"health":"true"} when this node can do its job, else 503 with the reason
//                  (etcd's /health shape): a controller leads or follows a leader; a broker is
//                  RUNNING and not fenced. A load balancer or an orchestrator's probe reads the code.
//   anything else  404 (405 for a method other than GET or HEAD on those paths)
//
// Plain HTTP and read-only: bind it to loopback or a monitoring network. A scrape runs on the
// node's event loop between Raft turns; its collectors read state the node already keeps.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../quorum/env/index.js';
import { ListenError } from '../../quorum/net/server.js';
import type { MetricsRegistry } from '../../quorum/metrics/registry.js';

export interface Health {
  readonly healthy: boolean;
  /** Why not, when not healthy. */
  readonly reason: string;
}

export interface MetricsHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: MetricsRegistry;
  readonly health: () => Health;
  readonly logger: Logger;
}

const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricsHttpServer {
  private constructor(
    private readonly server: Server,
    private readonly logger: Logger,
  ) {}

  static async listen(o: MetricsHttpOptions): Promise<MetricsHttpServer> {
    const server = createServer((req, res) => serve(req, res, o));
    // A scrape that stalls must not hold a socket for ever.
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: Error & { code?: string }) => {
        const what = err.code === 'EADDRINUSE' ? 'address already in use' : err.message;
        reject(new ListenError(`cannot listen on ${o.host}:${o.port} (metaquorum.metrics.listener): ${what}`, err.code ?? 'ELISTEN', { host: o.host, port: o.port }));
      });
      server.listen({ host: o.host, port: o.port }, () => resolve());
    });
    server.on('error', (err) => o.logger.error({ listener: 'metrics', err: err.message }, 'listener error'));
    const self = new MetricsHttpServer(server, o.logger);
    const { host, port } = self.address();
    o.logger.info({ listener: 'metrics', securityProtocol: 'HTTP', host, port, paths: ['/metrics', '/health'] }, 'listening');
    return self;
  }

  address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function serve(req: IncomingMessage, res: ServerResponse, o: MetricsHttpOptions): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/health') return reply(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /health\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  try {
    if (path === '/metrics') return reply(res, 200, EXPOSITION_CONTENT_TYPE, o.registry.render(), req.method === 'HEAD');
    const h = o.health();
    return reply(res, h.healthy ? 200 : 503, 'application/json', `${JSON.stringify({ health: String(h.healthy), reason: h.reason })}\n`, req.method === 'HEAD');
  } catch (e) {
    // A collector bug answers 500 and is logged; the node goes on.
    o.logger.error({ listener: 'metrics', path, err: e instanceof Error ? e.message : String(e) }, 'metrics request failed');
    return reply(res, 500, 'text/plain; charset=utf-8', 'internal error; see the node log\n');
  }
}

function reply(res: ServerResponse, status: number, contentType: string, body: string, headOnly = false): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}
