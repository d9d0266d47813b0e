// ZooKeeper's failover trials for bench:vs-zk, as perf-anchors.md A.4 (c) measured them: an
// open-loop writer (cluster/open-loop-writer.ts, the one metaquorum's trials use) doing a setData
// every 10 ms, each bounded at 5 s, on a client that knows every server and retries its connection
// after 20 ms (spinDelay); after steady writes the leader (by `srvr`) gets SIGKILL or SIGSTOP by
// pid, survivors are polled with `srvr` every 25 ms for the new leader, and the figure is the
// first write issued after the fault that succeeds. In the SIGSTOP case the client knows only the
// two survivors, as in the anchors (a client on the hung leader would wait for its session to
// expire, which measures the client, not the ensemble). Afterwards the old leader is restarted
// (or SIGCONTed) and the next trial waits until all three serve on one zxid, plus 2 s.

import type { ZooKeeperCluster } from '../../zookeeper/local-zookeeper.js';
import { closeZooKeeper, connectZooKeeper } from '../../zookeeper/zk-client.js';
import { bounded, sleep } from '../cluster/bench-cluster.js';
import { msText, runFailover, type FailoverRun } from '../cluster/failover-run.js';
import type { FaultKind } from '../cluster/failover-trial.js';
import { OpenLoopWriter, RoundRobinPool } from '../cluster/open-loop-writer.js';
import { openZkClients, writeKey, type ZkKey } from './zk-writes.js';
import { waitEnsembleHealthy, zkLeader } from './zk-ensemble.js';

const WRITE_EVERY_MS = 10;
const WRITE_TIMEOUT_MS = 5_000;
const SPIN_DELAY_MS = 20;
const LEADER_POLL_MS = 25;
/** ZooKeeper notices a hung leader only after syncLimit × tickTime = 10 s; leave room beyond. */
const GIVE_UP_MS = 30_000;
const SETTLE_MS = 2_000;

export interface ZkTrial extends FailoverRun {
  readonly kind: FaultKind;
  /** myid of the old leader (newLeader is a myid too). */
  readonly oldLeader: number;
}

export async function zkFailoverTrial(zk: ZooKeeperCluster, kind: FaultKind, trial: number, keys: readonly ZkKey[], o: { steadyMs: number; say: (line: string) => void }): Promise<ZkTrial> {
  const leader = await zkLeader(zk, 30_000);
  const survivors = zk.servers.map((_, i) => i).filter((i) => i !== leader);
  const hosts = (kind === 'kill' ? zk.servers : survivors.map((i) => zk.servers[i]!)).map((s) => s.address).join(',');
  const client = await connectZooKeeper(hosts, { timeoutMs: 15_000, spinDelayMs: SPIN_DELAY_MS });
  openZkClients.add(client);
  const pool = new RoundRobinPool(keys);
  let paused = false;
  const run = await runFailover({
    writer: new OpenLoopWriter({ everyMs: WRITE_EVERY_MS, maxInFlight: 2_000, write: () => pool.use((k) => bounded(writeKey(client, k), WRITE_TIMEOUT_MS, 'a ZooKeeper write')) }),
    steadyMs: o.steadyMs,
    leaderProbes: survivors.map((i) => async () => ((await zk.mode(i)) === 'leader' ? zk.servers[i]!.myid : null)),
    leaderPollMs: LEADER_POLL_MS,
    fault: async () => {
      if (kind === 'kill') return zk.kill(leader);
      paused = true;
      zk.pause(leader);
    },
    giveUpMs: GIVE_UP_MS,
    recover: async () => {
      if (kind === 'kill') await zk.restart(leader);
      else {
        zk.resume(leader);
        paused = false;
      }
      await waitEnsembleHealthy(zk, 60_000);
      await sleep(SETTLE_MS);
    },
    finally: async () => {
      if (paused) zk.resume(leader);
      openZkClients.delete(client);
      await closeZooKeeper(client);
    },
    label: `zk ${kind} trial ${trial + 1}`,
    say: o.say,
  });
  const t: ZkTrial = { kind, oldLeader: zk.servers[leader]!.myid, ...run };
  o.say(`zk ${kind} trial ${trial + 1}: leader ${t.oldLeader} → ${t.newLeader ?? '?'}: first write ${msText(t.firstWriteMs)}, new leader known ${msText(t.newLeaderKnownMs)}, longest gap ${msText(t.longestGapMs)}, recovered in ${msText(t.recoveryMs)}`);
  return t;
}
