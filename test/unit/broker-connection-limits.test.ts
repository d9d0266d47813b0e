// A broker's client listeners share one set of connection limits (max.connections.per.ip and
// max.connections, broker/broker-server.ts): Kafka clients on either listener count against the
// same per-address and total limits, and the connection over one is closed by the broker at once
// with a warn line while those held stay open. The limits themselves are tested on the transport
// (net-connection-quotas.test.ts); a broker that answers ApiVersions under them, end to end, in
// test/e2e/connection-limits.test.ts.

import type * as net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerServer } from '../../broker/broker-server.js';
import { startLoneBroker } from '../support/lone-broker.js';
import { capturingLogger } from '../support/recording-logger.js';
import { connectUntilServerCloses, kafkaClientConnection } from '../support/tcp-probes.js';

const NO_LIMIT = 2 ** 31 - 1;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(perIp: number, total: number, log = capturingLogger()): Promise<{ broker: BrokerServer; ports: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-broker-limits-'));
  const b = await startLoneBroker(dir, { secondListener: true, logger: log, connectionLimits: { perAddressMax: perIp, perAddressOverrides: new Map(), totalMax: total } });
  cleanups.push(async () => {
    await b.halt();
    await rm(dir, { recursive: true, force: true });
  });
  const a = b.addresses();
  return { broker: b, ports: [a.get('PLAINTEXT')!.port, a.get('INTERNAL')!.port] };
}

/** A Kafka client holding a connection: its ApiVersions waits, unanswered, for the broker to catch up (it never does here). */
async function held(port: number): Promise<net.Socket> {
  const client = await kafkaClientConnection(port);
  client.apiVersions(1).catch(() => {});
  cleanups.push(async () => void client.socket.destroy());
  return client.socket;
}

const stillOpen = (s: net.Socket) => !s.destroyed && s.readyState === 'open';

describe('a broker\'s client listeners share its connection limits', () => {
  it('max.connections.per.ip = 3: two Kafka clients on one listener and one on the other fill it; a fourth on either is closed, the three stay open', async () => {
    const log = capturingLogger();
    const { ports } = await broker(3, NO_LIMIT, log);
    const clients = [await held(ports[0]!), await held(ports[0]!), await held(ports[1]!)];
    await connectUntilServerCloses(ports[0]!);
    await connectUntilServerCloses(ports[1]!);
    await new Promise((r) => setTimeout(r, 100));
    expect(clients.every(stillOpen)).toBe(true);
    const refused = log.lines.filter((l) => l.msg === 'connection refused: too many connections');
    expect(refused).toHaveLength(1); // one line per address per interval
    expect(refused[0]).toMatchObject({ level: 'warn', fields: { limit: 'max.connections.per.ip', connectionsMax: 3, dropped: 1 } });

    // One closes: its slot is free again, on either listener (once the broker has seen the close).
    clients[0]!.destroy();
    const deadline = Date.now() + 5_000;
    for (;;) {
      const next = await held(ports[1]!);
      await new Promise((r) => setTimeout(r, 100));
      if (stillOpen(next)) break;
      if (Date.now() > deadline) throw new Error('the closed connection never gave back its slot');
    }
  });

  it('max.connections = 2 across both listeners', async () => {
    const { ports } = await broker(NO_LIMIT, 2);
    const clients = [await held(ports[0]!), await held(ports[1]!)];
    await connectUntilServerCloses(ports[0]!);
    await connectUntilServerCloses(ports[1]!);
    expect(clients.every(stillOpen)).toBe(true);
  });
});
