// A loopback port for a server that may have to listen on it again later (a node restarted after
// a kill keeps its port, and its peers keep dialling it).
//
// listen(0) hands out a port from the kernel's ephemeral range, the same range every outgoing
// connection takes its local port from. Once the first server closes (a node killed by the chaos
// tool, say), any connection on the machine may take that port, and the restarted node failed with
// EADDRINUSE (seen in CI). So the port is drawn at random below the ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range), where connect() never picks, and checked free by a bind.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port we draw from: clear of the well-known and the usual registered services. */
const LOWEST = 10_000;

/** The first port of the ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function tryListen(host: string, port: number): Promise<number | null> {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.once('error', () => resolvePort(null));
    s.listen(port, host, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolvePort(bound));
    });
  });
}

/** A port free now on `host`, below the ephemeral range when one is (after 50 tries, any free port). */
export async function reservablePort(host: string): Promise<number> {
  const high = ephemeralLow();
  for (let i = 0; i < 50; i++) {
    const port = await tryListen(host, LOWEST + Math.floor(Math.random() * (high - LOWEST)));
    if (port !== null) return port;
  }
  const any = await tryListen(host, 0);
  if (any === null) throw new Error(`no free port on ${host}`);
  return any;
}
