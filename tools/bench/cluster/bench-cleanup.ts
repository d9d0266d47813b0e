// What every cluster benchmark does to leave nothing behind: on the normal path, on an uncaught
// error, on SIGINT/SIGTERM, and as a last resort at process exit (every node still running is
// killed by its pid). The benchmark hands over its own closers (clients, channels) and the
// cluster once it exists.

import { rm, writeFile } from 'node:fs/promises';
import { makeDirs } from '../../../quorum/node/fsync-dir.js';
import { dirname, resolve } from 'node:path';
import type { ProcessCluster } from '../../server/process-cluster.js';

export interface BenchCleanup {
  /** Set once the cluster is created. */
  cluster: ProcessCluster | undefined;
  /** Idempotent: closes the benchmark's own things, stops the cluster, removes (or keeps) the data. */
  run(): Promise<void>;
}

export function installBenchCleanup(o: {
  readonly root: string;
  readonly keepData: boolean;
  readonly say: (line: string) => void;
  /** The benchmark's own connections, closed before the cluster stops. */
  readonly closeOwn: () => Promise<void>;
}): BenchCleanup {
  let cleaned: Promise<void> | undefined;
  const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const c: BenchCleanup = {
    cluster: undefined,
    run: () =>
      (cleaned ??= (async () => {
        await o.closeOwn().catch(() => undefined);
        if (c.cluster !== undefined) await c.cluster.stop(10_000).catch((e: unknown) => o.say(`stopping the cluster failed: ${errText(e)}`));
        if (o.keepData) o.say(`data kept in ${o.root}`);
        else await rm(o.root, { recursive: true, force: true });
      })()),
  };
  process.once('exit', () => {
    const cluster = c.cluster;
    if (cluster === undefined) return;
    for (const n of cluster.nodes) {
      const pid = cluster.pid(n.id);
      if (pid === null) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const onCrash = (what: string, e: unknown) => {
    o.say(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void c.run().finally(() => process.exit(1));
  };
  process.once('uncaughtException', (e) => onCrash('uncaught exception', e));
  process.once('unhandledRejection', (e) => onCrash('unhandled rejection', e));
  const onSignal = (sig: string) => {
    o.say(`${sig}: stopping the cluster and removing ${o.root}`);
    void c.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  return c;
}

/** The result: the table on stdout (stderr with --json, whose JSON goes to stdout), and the JSON to --out when given. */
export async function emitBenchResult(o: {
  readonly table: string;
  readonly json: string;
  readonly asJson: boolean;
  readonly out: string | undefined;
  readonly say: (line: string) => void;
}): Promise<void> {
  if (o.asJson) {
    process.stderr.write(`${o.table}\n`);
    process.stdout.write(`${o.json}\n`);
  } else {
    process.stdout.write(`${o.table}\n`);
  }
  if (o.out !== undefined) {
    await makeDirs(dirname(resolve(o.out)));
    await writeFile(o.out, `${o.json}\n`);
    o.say(`JSON written to ${o.out}`);
  }
}
