// A loopback port for a server that may have to listen on it again later (a node restarted after
// a kill keeps its port, and its peers keep dialling it).
//
// listen(0) hands out a port from the kernel's ephemeral range, the same range every outgoing
// connection takes its local port from. Once the first server closes (a node killed by the chaos
// tool, say), any connection on the machine may take that port, and the restarted node failed with
// EADDRINUSE (seen in CI). So the port is drawn at random below the ephemeral range
// (/proc/sys/net/ipv4/ip_local_port_range), where connect() never picks, and checked free by a bind.
//
// A bind proves the port free only for that moment: another process drawing at the same time (two
// test files' clusters, a ZooKeeper and a cluster) could be handed the same port, and whichever
// listened second failed with EADDRINUSE (seen in CI: a controller's port answered by another
// test's HTTP server). So a port is also claimed, across processes, by creating a file named after
// it in a shared directory with O_EXCL: a port claimed in the last CLAIM_TTL_MS is never handed out
// again. Claims older than that are taken over (the process that made them is long done with the
// port, or gone).

import { mkdirSync, openSync, closeSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Where claims are kept: one empty file per port, shared by every process of this user on the machine. */
export const DEFAULT_CLAIM_DIR = join(tmpdir(), `metaquorum-port-claims-${process.getuid?.() ?? 'user'}`);
/** How long a claim keeps a port from being handed out again: longer than a test cluster lives, short enough that repeated runs do not use the range up. */
export const CLAIM_TTL_MS = 30 * 60 * 1000;

/** Claims `port` for this process (see the header); false when another process claimed it recently. */
export function claimPort(port: number, dir = DEFAULT_CLAIM_DIR, nowMs = Date.now()): boolean {
  const file = join(dir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(file, 'wx'));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(dir, { recursive: true });
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Claimed: taken over only once the claim is old (another process racing here may win it).
      let ageMs: number;
      try {
        ageMs = nowMs - statSync(file).mtimeMs;
      } catch {
        continue; // removed meanwhile: try to create it again
      }
      if (ageMs < CLAIM_TTL_MS) return false;
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first; the next attempt finds its fresh claim
      }
    }
  }
  return false;
}

export interface ReservableOptions {
  /** The claim directory (tests give their own). */
  readonly claimDir?: string;
  /** A number in [0, 1) (tests fix the draw). */
  readonly random?: () => number;
}

/** A port free now on `host` and claimed by no other process, below the ephemeral range when one is (after 50 tries, any free port). */
export async function reservablePort(host: string, o: ReservableOptions = {}): Promise<number> {
  const high = ephemeralLow();
  const random = o.random ?? Math.random;
  for (let i = 0; i < 50; i++) {
    const candidate = LOWEST + Math.floor(random() * (high - LOWEST));
    if (!claimPort(candidate, o.claimDir)) continue;
    const port = await tryListen(host, candidate);
    if (port !== null) return port;
  }
  const any = await tryListen(host, 0);
  if (any === null) throw new Error(`no free port on ${host}`);
  return any;
}
