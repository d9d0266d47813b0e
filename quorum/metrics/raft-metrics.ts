// The quorum as a process's replica of the metadata log sees it (Kafka's raft-metrics group):
// a controller's voter, or a split-mode broker's observer. Read from RaftNode.status() at scrape
// time; the fsync histogram is fed by the segment log as it syncs.

import type { QuorumStatus } from '../runtime/api.js';
import type { RoleName } from '../raft/types.js';
import { counter, gauge, Histogram, type Collector, type MetricFamily, type Sample } from './registry.js';

/** What the collector reads: RaftNode, or a stand-in in tests. */
export interface RaftMetricsSource {
  status(): QuorumStatus;
  readonly leaderChangesSeen: number;
}

/** Kafka's current-state values; an observer is "observer" whatever its role underneath. */
export const RAFT_STATES = ['leader', 'follower', 'candidate', 'prospective', 'unattached', 'resigned', 'observer'] as const;

function stateOf(role: RoleName, isVoter: boolean): (typeof RAFT_STATES)[number] {
  return isVoter ? (role.toLowerCase() as (typeof RAFT_STATES)[number]) : 'observer';
}

/**
 * Whether a replica in this role is part of a working quorum: the leader, or a follower (one that
 * fetched from its leader within the fetch timeout; it turns Prospective when it has not). Not the
 * leader id: a Prospective voter keeps its last leader's id as a hint while it asks for pre-votes.
 */
export function inQuorum(role: RoleName): boolean {
  return role === 'Leader' || role === 'Follower';
}

export function raftCollector(
  raft: RaftMetricsSource,
  isVoter: boolean,
  /** The clock RaftNode's status times are in (lastFetchMs). */
  nowMs: () => number,
  fsync: Histogram,
): Collector {
  return (): MetricFamily[] => {
    const s = raft.status();
    const state = stateOf(s.role, isVoter);
    const families: MetricFamily[] = [
      gauge(
        'metaquorum_raft_state',
        'This replica\'s Raft state: 1 for the current one (Kafka: raft-metrics current-state).',
        RAFT_STATES.map((st) => ({ labels: { state: st }, value: st === state ? 1 : 0 })),
      ),
      gauge('metaquorum_raft_has_leader', 'Whether this replica leads or follows a leader (1) or looks for one (0).', inQuorum(s.role) ? 1 : 0),
      gauge('metaquorum_raft_current_leader', 'The leader this replica knows, -1 for none (current-leader).', s.leaderId ?? -1),
      gauge('metaquorum_raft_current_epoch', 'The quorum epoch this replica is in (current-epoch).', s.epoch),
      gauge('metaquorum_raft_current_vote', 'The voter this replica voted for in its epoch, -1 for none (current-vote).', s.votedId ?? -1),
      counter(
        'metaquorum_raft_leader_changes_seen_total',
        'How many times this replica learnt of a new leader since it started (etcd: leader_changes_seen_total).',
        raft.leaderChangesSeen,
      ),
      gauge('metaquorum_raft_high_watermark', 'The high watermark: the end of the committed log, as this replica knows it (high-watermark).', s.highWatermark),
      gauge('metaquorum_raft_log_start_offset', 'The first offset still in the log; those below are in a snapshot.', s.logStartOffset),
      gauge('metaquorum_raft_log_end_offset', 'The offset after the last record in the log, committed or not (log-end-offset).', s.logEndOffset),
      gauge('metaquorum_raft_applied_offset', 'The offset after the last record applied to the metadata image.', s.appliedOffset),
      fsync.family('metaquorum_raft_log_fsync_duration_seconds', 'How long each fdatasync of a log append took (etcd: disk_wal_fsync_duration_seconds).'),
    ];
    if (s.role === 'Leader') families.push(...replicaFamilies(s, nowMs()));
    return families;
  };
}

/** The leader's view of every replica (quorum describe --replication), as gauges per replica. */
function replicaFamilies(s: QuorumStatus, now: number): MetricFamily[] {
  const lag: Sample[] = [];
  const fetchAge: Sample[] = [];
  for (const [kind, rows] of [['voter', s.voters], ['observer', s.observers]] as const) {
    for (const r of rows) {
      if (r.nodeId === s.nodeId) continue;
      const labels = { replica: String(r.nodeId), kind };
      lag.push({ labels, value: Math.max(0, s.logEndOffset - r.endOffset) });
      fetchAge.push({ labels, value: r.lastFetchMs === null ? -1 : Math.max(0, now - r.lastFetchMs) / 1000 });
    }
  }
  return [
    gauge('metaquorum_raft_replica_lag_records', 'Leader only: how far each replica\'s log ends behind the leader\'s, in offsets.', lag),
    gauge('metaquorum_raft_replica_last_fetch_age_seconds', 'Leader only: seconds since each replica last fetched, -1 if it never has.', fetchAge),
  ];
}
