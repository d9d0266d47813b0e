// ZooKeeper as Debian ships it, for bench:vs-zk: a 3-node ensemble of the packaged 3.8 on
// 127.0.0.1 (tools/zookeeper/local-zookeeper.ts starts it), with the settings perf-anchors.md A.3
// measured, so that the comparison is with ZooKeeper as an operator runs it, not with the
// throwaway test servers the end-to-end tests use (small heap, C1 only, no fsync, short ticks):
//   zoo.cfg  tickTime=2000 initLimit=10 syncLimit=5 (Debian's conf_example), forceSync=yes,
//            preAllocSize and cnxTimeout at ZooKeeper's defaults, no admin server, 4lw srvr & co.
//   JVM      -Xms1000m -Xmx1000m (upstream zkEnv.sh's heap), HotSpot defaults (G1, tiered JIT).
// The leader is found with the `srvr` four-letter word, as the anchors did.

import { waitFor } from '../../server/cluster-ready.js';
import { startZooKeeper, type StartZooKeeperOptions, type ZooKeeperCluster } from '../../zookeeper/local-zookeeper.js';

export const SHIPPED_ZOOKEEPER: StartZooKeeperOptions = {
  ensemble: 3,
  tickTimeMs: 2_000,
  forceSync: true,
  minHeapMb: 1_000,
  maxHeapMb: 1_000,
  jvmFlags: [],
  config: {
    initLimit: '10',
    syncLimit: '5',
    preAllocSize: '65536', // KB: ZooKeeper's default (the test servers use 4 MB)
    cnxTimeout: '5000', // ms: ZooKeeper's default (the test servers use 1 s)
    '4lw.commands.whitelist': 'srvr,stat,mntr,ruok,conf',
  },
};

/** Ids under which the ZooKeeper servers appear in CPU samples (clear of metaquorum's node ids). */
export const ZK_CPU_ID_BASE = 100;

export function startShippedEnsemble(): Promise<ZooKeeperCluster> {
  return startZooKeeper(SHIPPED_ZOOKEEPER);
}

/** The java pid of every server, keyed ZK_CPU_ID_BASE + myid, for proc-cpu. */
export function zkPids(zk: ZooKeeperCluster): Map<number, number | null> {
  return new Map(zk.servers.map((s) => [ZK_CPU_ID_BASE + s.myid, s.pid ?? null]));
}

/** The index of the server answering `srvr` with "Mode: leader", among `among` (default all). */
export async function zkLeader(zk: ZooKeeperCluster, timeoutMs: number, among?: readonly number[]): Promise<number> {
  const candidates = among ?? zk.servers.map((_, i) => i);
  return waitFor(
    'a ZooKeeper leader',
    timeoutMs,
    async () => {
      for (const i of candidates) if ((await zk.mode(i)) === 'leader') return i;
      return undefined;
    },
    25,
  );
}

/** Every server serving (one leader, two followers) on the same zxid. */
export async function waitEnsembleHealthy(zk: ZooKeeperCluster, timeoutMs: number): Promise<void> {
  await waitFor(
    'every ZooKeeper server serving',
    timeoutMs,
    async () => {
      const modes = await Promise.all(zk.servers.map((_, i) => zk.mode(i)));
      return modes.filter((m) => m === 'leader').length === 1 && modes.filter((m) => m === 'follower').length === zk.servers.length - 1 ? true : undefined;
    },
    50,
  );
  await zk.waitForSync(timeoutMs);
}
