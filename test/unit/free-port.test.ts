// reservablePort: a free loopback port below the kernel's ephemeral range, so that no outgoing
// connection can take it while the server that owns it is down (a node restarted on its port).

import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLAIM_TTL_MS, claimPort, reservablePort } from '../../tools/server/free-port.js';

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

  it('a port claimed by another process (a file in the shared claim directory) is not handed out, until its claim is old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-port-claims-'));
    try {
      const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
      // Two draws: the first lands on a port another process claimed, the second on the next one.
      const first = 10_000 + Math.floor(0.25 * (low - 10_000));
      const draws = [0.25, 0.25 + 1 / (low - 10_000)];
      expect(claimPort(first, dir)).toBe(true); // "another process"
      const got = await reservablePort('127.0.0.1', { claimDir: dir, random: () => draws.shift() ?? Math.random() });
      expect(got).not.toBe(first);
      expect(claimPort(got, dir)).toBe(false); // claimed by the call that returned it
      // An old claim is taken over.
      const old = (Date.now() - CLAIM_TTL_MS - 60_000) / 1000;
      utimesSync(join(dir, String(first)), old, old);
      expect(claimPort(first, dir)).toBe(true);
      expect(claimPort(first, dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
