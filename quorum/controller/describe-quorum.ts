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
  /** Kafka's DirectoryId: the data directory the replica runs on (every replica sends it with its fetches); null when unknown. */
  readonly directoryId: string | null;
  /**
   * Its log end offset as the leader last heard it; null for a voter that has not fetched from
   * this leader (a new leader starts knowing nothing of the others' logs: 0 would claim an empty one).
   */
  readonly logEndOffset: number | null;
  /** Leader's log end offset minus this replica's; null when its log end offset is unknown. */
  readonly lag: number | null;
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
  /**
   * Leader's log end offset minus the slowest voter's (Kafka's MaxFollowerLag), a voter not heard
   * from counting as missing the whole log; null off the leader.
   */
  readonly maxFollowerLag: number | null;
  /** Kafka's MaxFollowerLagTimeMs: how far the slowest voter's last catch-up trails the leader's; null off the leader. */
  readonly maxFollowerLagTimeMs: number | null;
  readonly voters: readonly ReplicaDescription[];
  readonly observers: readonly ReplicaDescription[];
}

export function describeQuorum(status: QuorumStatus, nowMs: number): QuorumDescription {
  const isLeader = status.role === 'Leader';
  const leo = status.logEndOffset;
  const row = (r: ReplicaStatus, observer: boolean): ReplicaDescription => {
    // Observers are listed only once they fetched; the leader's own row is its log.
    const known = observer || r.nodeId === status.nodeId || r.lastFetchMs !== null;
    return {
      replicaId: r.nodeId,
      status: observer ? 'Observer' : r.nodeId === status.nodeId ? 'Leader' : 'Follower',
      directoryId: r.directoryId ?? null,
      logEndOffset: known ? r.endOffset : null,
      lag: known ? Math.max(0, leo - r.endOffset) : null,
      lastFetchAgoMs: r.lastFetchMs === null ? null : Math.max(0, Math.round(nowMs - r.lastFetchMs)),
      lastCaughtUpAgoMs: r.lastCaughtUpMs === null ? null : Math.max(0, Math.round(nowMs - r.lastCaughtUpMs)),
    };
  };
  const voters = status.voters.map((r) => row(r, false));
  const observers = status.observers.map((r) => row(r, true));
  let maxFollowerLag: number | null = null;
  let maxFollowerLagTimeMs: number | null = null;
  if (isLeader) {
    maxFollowerLag = Math.max(0, ...voters.map((v) => v.lag ?? leo));
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
