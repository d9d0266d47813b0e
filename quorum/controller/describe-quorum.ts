// DescribeQuorum (Kafka's api 55, and `kafka-metadata-quorum describe --status / --replication`):
// the leader's view of every voter and observer. Only the leader knows the replicas' progress, so
// elsewhere the answer carries the leader hint and no replica rows.
//
// Kafka reports wall-clock timestamps; our clocks are monotonic (they never jump with NTP), so the
// rows carry both the monotonic reading and "ms ago", which is what an operator's check wants
// (Strimzi's roller compares lastCaughtUp against the fetch timeout).

import type { QuorumStatus, ReplicaStatus } from '../runtime/api.js';

export interface ReplicaDescription {
  readonly replicaId: number;
  readonly status: 'Leader' | 'Follower' | 'Observer';
  readonly logEndOffset: number;
  /** Leader's log end offset minus this replica's. */
  readonly lag: number;
  /** How long ago its last fetch arrived; null if it never fetched. */
  readonly lastFetchAgoMs: number | null;
  /** How long ago it was last caught up with the leader's log end; null if never. */
  readonly lastCaughtUpAgoMs: number | null;
}

export interface QuorumDescription {
  readonly nodeId: number;
  readonly role: string;
  readonly leaderId: number | null;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  /** Leader's log end offset minus the slowest voter's (Kafka's MaxFollowerLag); null off the leader. */
  readonly maxFollowerLag: number | null;
  /** Kafka's MaxFollowerLagTimeMs: how far the slowest voter's last catch-up trails the leader's; null off the leader. */
  readonly maxFollowerLagTimeMs: number | null;
  readonly voters: readonly ReplicaDescription[];
  readonly observers: readonly ReplicaDescription[];
}

export function describeQuorum(status: QuorumStatus, nowMs: number): QuorumDescription {
  const isLeader = status.role === 'Leader';
  const leo = status.logEndOffset;
  const row = (r: ReplicaStatus, observer: boolean): ReplicaDescription => ({
    replicaId: r.nodeId,
    status: observer ? 'Observer' : r.nodeId === status.nodeId ? 'Leader' : 'Follower',
    logEndOffset: r.endOffset,
    lag: Math.max(0, leo - r.endOffset),
    lastFetchAgoMs: r.lastFetchMs === null ? null : Math.max(0, Math.round(nowMs - r.lastFetchMs)),
    lastCaughtUpAgoMs: r.lastCaughtUpMs === null ? null : Math.max(0, Math.round(nowMs - r.lastCaughtUpMs)),
  });
  const voters = status.voters.map((r) => row(r, false));
  const observers = status.observers.map((r) => row(r, true));
  let maxFollowerLag: number | null = null;
  let maxFollowerLagTimeMs: number | null = null;
  if (isLeader) {
    maxFollowerLag = Math.max(0, ...voters.map((v) => v.lag));
    const caughtUp = voters.map((v) => v.lastCaughtUpAgoMs);
    maxFollowerLagTimeMs = caughtUp.some((c) => c === null) ? -1 : Math.max(0, ...(caughtUp as number[]));
  }
  return {
    nodeId: status.nodeId,
    role: status.role,
    leaderId: status.leaderId,
    leaderEpoch: status.epoch,
    highWatermark: status.highWatermark,
    maxFollowerLag,
    maxFollowerLagTimeMs,
    voters,
    observers,
  };
}
