// reservablePort: a free loopback port below the kernel's ephemeral range, so that no outgoing
// connection can take it while the server that owns it is down (a node restarted on its port).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { reservablePort } from '../../tools/server/free-port.js';

describe('reservablePort', () => {
  it('gives distinct-enough free ports below the ephemeral range, each one bindable', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => reservablePort('127.0.0.1')));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
      await new Promise<void>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
      });
    }
    expect(new Set(ports).size).toBeGreaterThan(15); // random over thousands of ports
  });
});
