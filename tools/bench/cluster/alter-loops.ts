// The write workload of the cluster benchmarks (bench:cluster, bench:vs-zk): AlterPartition sent as
// the partition's leader broker (its id and broker epoch, as a real broker would), shrinking a
// full ISR to [leader] and growing it back, alternately, each request carrying the epochs of the
// previous answer. It is the controller's hottest write in a real cluster (every ISR change of
// every partition) and the counterpart of ZooKeeper-mode Kafka's setData of a partition state.
// Also here: creating the topics it writes to, reading their state back, the brokers' epochs.

import { ErrorCode, errorName } from '../../../quorum/controller/errors.js';
import type { AlterPartitionRequest, AlterPartitionResponse } from '../../../quorum/controller/replication/alter-partition.js';
import type { CreatableTopic } from '../../../quorum/controller/replication/create-topics.js';
import type { NetClient } from '../../../quorum/net/client.js';
import type { RpcCaller, RpcMethod, RpcRequest, RpcResponse } from '../../../quorum/server/rpc-methods.js';
import { closedLoops, pipelined, type LoopRun } from '../closed-loops.js';
import { errKey, now, rpc } from './bench-cluster.js';
import { RoundRobinPool } from './open-loop-writer.js';

/** One partition as its leader broker knows it (updated from every answer). */
export interface Part {
  readonly topic: string;
  readonly topicId: string;
  readonly partitionIndex: number;
  readonly replicas: readonly number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: readonly number[];
}

/** A typed call on a connection or a channel. */
export type Call = <M extends RpcMethod>(method: M, request: RpcRequest<M>) => Promise<RpcResponse<M>>;

export const callOn = (c: NetClient, timeoutMs = 10_000): Call => (method, request) => rpc(c, method, request, timeoutMs);
export const callVia = (ch: RpcCaller, timeoutMs?: number): Call => (method, request) => ch.call(method, request, timeoutMs === undefined ? {} : { timeoutMs });

/**
 * Creates `names` (each `partitionsPerTopic` partitions, RF 3), `perCall` topics per CreateTopics,
 * `concurrency` calls in flight. An existing topic counts as created (a retried call).
 */
export async function createTopics(call: Call, names: readonly string[], partitionsPerTopic: number, o: { perCall: number; concurrency: number }): Promise<{ seconds: number }> {
  const calls: string[][] = [];
  for (let i = 0; i < names.length; i += o.perCall) calls.push(names.slice(i, i + o.perCall));
  const t0 = now();
  await pipelined(calls, o.concurrency, async (batch) => {
    const topics: CreatableTopic[] = batch.map((name) => ({ name, numPartitions: partitionsPerTopic, replicationFactor: 3, configs: [] }));
    const r = await call('createTopics', { topics, validateOnly: false });
    for (const t of r.topics) {
      if (t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
        throw new Error(`createTopics ${t.name}: ${errorName(t.errorCode)} ${t.errorMessage ?? ''}`);
      }
    }
  });
  return { seconds: (now() - t0) / 1000 };
}

/** Every partition of `names`, each required fully replicated (3 in the ISR, a leader). */
export async function readParts(call: Call, names: readonly string[]): Promise<Part[]> {
  const d = await call('describeTopics', { names });
  if (d.unknown.length > 0) throw new Error(`topics missing after creation: ${d.unknown.slice(0, 5).join(', ')}`);
  const parts: Part[] = [];
  for (const t of d.topics) {
    for (const p of t.partitions) {
      if (p.isr.length !== 3 || p.leader < 0) throw new Error(`${t.name}-${p.partition} is not fully replicated: leader ${p.leader}, ISR [${p.isr.join(',')}]`);
      parts.push({ topic: t.name, topicId: t.topicId, partitionIndex: p.partition, replicas: p.replicas, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr: p.isr });
    }
  }
  return parts;
}

/** Every broker's epoch; all must be unfenced (AlterPartition is refused for a fenced one). */
export async function brokerEpochs(call: Call): Promise<Map<number, number>> {
  const d = await call('describeCluster', {});
  const fenced = d.brokers.filter((x) => x.fenced).map((x) => x.brokerId);
  if (fenced.length > 0) throw new Error(`brokers fenced before the write phases: ${fenced.join(', ')}`);
  return new Map(d.brokers.map((x) => [x.brokerId, x.brokerEpoch]));
}

/** Shrink a full ISR to [leader]; grow anything else back to all replicas. */
export function alterRequest(p: Part, epochs: ReadonlyMap<number, number>): AlterPartitionRequest {
  const newIsr = p.isr.length === p.replicas.length ? [p.leader] : p.replicas;
  const epochOf = (id: number) => epochs.get(id) ?? -1;
  return {
    brokerId: p.leader,
    brokerEpoch: epochOf(p.leader),
    topics: [
      {
        topicId: p.topicId,
        partitions: [
          {
            partitionIndex: p.partitionIndex,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
            newIsrWithEpochs: newIsr.map((id) => ({ brokerId: id, brokerEpoch: epochOf(id) })),
            leaderRecoveryState: 0,
          },
        ],
      },
    ],
  };
}

export type AlterOutcome = { readonly ok: true } | { readonly ok: false; readonly key: string; readonly thrown: boolean };

/** One AlterPartition of `p`; on success `p` takes the answer's epochs and ISR. */
export async function alterOnce(call: Call, p: Part, epochs: ReadonlyMap<number, number>): Promise<AlterOutcome> {
  let r: AlterPartitionResponse;
  try {
    r = await call('alterPartition', alterRequest(p, epochs));
  } catch (e) {
    return { ok: false, key: errKey(e), thrown: true };
  }
  const answer = r.topics[0]?.partitions[0];
  if (r.errorCode === ErrorCode.NONE && answer !== undefined && answer.errorCode === ErrorCode.NONE) {
    p.leader = answer.leaderId;
    p.leaderEpoch = answer.leaderEpoch;
    p.partitionEpoch = answer.partitionEpoch;
    p.isr = answer.isr;
    return { ok: true };
  }
  return { ok: false, key: errorName(r.errorCode !== ErrorCode.NONE ? r.errorCode : (answer?.errorCode ?? -1)), thrown: false };
}

/** After a failed write: `p` as the cluster has it now (best effort; the next write answers again). */
export async function refreshPart(call: Call, p: Part): Promise<void> {
  try {
    const d = await call('describeTopics', { names: [p.topic] });
    const current = d.topics[0]?.partitions[p.partitionIndex];
    if (current !== undefined) Object.assign(p, { leader: current.leader, leaderEpoch: current.leaderEpoch, partitionEpoch: current.partitionEpoch, isr: current.isr });
  } catch {
    // the next request answers again
  }
}

export type AlterRun = LoopRun;

/**
 * `loops` closed loops of AlterPartition over the partitions (closed-loops.ts), loop w on
 * clients[w mod n], until `endMs` or `opsMax` requests in all. A failed partition is read back
 * from the controller and goes on; a loop whose connection is gone stops.
 */
export function runAlterLoops(clients: readonly NetClient[], parts: readonly Part[], epochs: ReadonlyMap<number, number>, loops: number, endMs: number, opsMax: number, record: boolean): Promise<AlterRun> {
  const calls = clients.map((c) => callOn(c));
  const clientOf = (w: number) => w % clients.length;
  return closedLoops(parts, {
    loops,
    endMs,
    opsMax,
    record,
    op: async (p, w) => {
      const outcome = await alterOnce(calls[clientOf(w)]!, p, epochs);
      return outcome.ok ? outcome : { ok: false, key: outcome.key, stopLoop: outcome.thrown && !clients[clientOf(w)]!.connected };
    },
    afterFailure: (p, w) => refreshPart(calls[clientOf(w)]!, p),
  });
}

/**
 * The failover writer's write (cluster/failover-trial.ts) as AlterPartition: each write alters the
 * next partition without a write in flight, through the trial's channel; a partition whose write
 * failed is read back before it is written again.
 */
export function alterPartitionWrite(parts: readonly Part[], epochs: ReadonlyMap<number, number>): (ch: RpcCaller) => (seq: number) => Promise<void> {
  const pool = new RoundRobinPool(parts);
  const stale = new Set<Part>();
  return (ch) => {
    const call = callVia(ch);
    return () =>
      pool.use(async (p) => {
        if (stale.delete(p)) await refreshPart(call, p);
        const outcome = await alterOnce(call, p, epochs);
        if (outcome.ok) return;
        stale.add(p);
        throw Object.assign(new Error(`alterPartition: ${outcome.key}`), { name: outcome.key });
      });
  };
}
