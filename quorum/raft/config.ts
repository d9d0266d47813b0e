// Static configuration of one node's Raft core. Defaults follow Kafka's QuorumConfig
// (reference/kraft.md §1.9) except where noted.

import type { NodeId } from './types.js';

export interface RaftConfig {
  readonly nodeId: NodeId;
  /** The static voter set (controller.quorum.voters). A node outside it is an observer. */
  readonly voters: readonly NodeId[];
  /**
   * This node's data directory id (meta.properties' directory.id). A voter sends it with its votes
   * and fetches so the quorum can tell a wiped directory from the one it knew (voter-directories.ts).
   */
  readonly directoryId?: string;
  /** controller.quorum.election.timeout.ms: randomized to [t, 2t). */
  readonly electionTimeoutMs: number;
  /** controller.quorum.fetch.timeout.ms: a follower without a successful fetch this long stands for election. */
  readonly fetchTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms. */
  readonly electionBackoffMaxMs: number;
  /** controller.quorum.request.timeout.ms: an unanswered request is sent again after this. */
  readonly requestTimeoutMs: number;
  /** How long the leader parks an empty fetch (Kafka: 500 ms). */
  readonly fetchMaxWaitMs: number;
  /**
   * Under a stream of changes, an observer (a broker) sends its next fetch no sooner than this
   * after its previous one (0: at once, as a voter does). One fetch then carries the commits of
   * several Raft batches instead of one: the broker wakes, reads, appends and applies once per
   * interval rather than once per commit, and stops competing with the voters for cores at every
   * commit. The wait is in proportion to the records the last answer carried, whole from
   * limits.observerBurstRecords and at least limits.observerSpacingMinMs, or the whole interval
   * when that is shorter (core.ts observerSpacingMs); none while the observer is catching up. Idle, nothing changes:
   * the previous fetch was sent long ago, so the leader's answer to the parked fetch is followed
   * by the next fetch at once. Not in Kafka (its brokers fetch again at once); voters ignore it
   * (they acknowledge, so their fetch is on the commit path).
   */
  readonly observerFetchIntervalMs: number;
  /** Snapshots kept on disk; the log starts at the oldest kept one. */
  readonly snapshotsRetained: number;
  /**
   * Added to the core's clock to stamp a batch's appendTimeMs. The core's clock is monotonic and
   * starts near 0 in a real node, which passes that clock's wall-clock origin here, so a batch
   * carries wall-clock ms since the epoch as Kafka's do (dump-log shows it). Default 0.
   */
  readonly appendTimeOriginMs?: number;
}

export const defaultRaftTimeouts = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  electionBackoffMaxMs: 1000,
  requestTimeoutMs: 2000,
  fetchMaxWaitMs: 500,
  observerFetchIntervalMs: 40,
  snapshotsRetained: 2,
} as const;

export function raftConfig(nodeId: NodeId, voters: readonly NodeId[], overrides: Partial<RaftConfig> = {}): RaftConfig {
  const config: RaftConfig = { nodeId, voters: [...voters].sort((a, b) => a - b), ...defaultRaftTimeouts, ...overrides };
  validateRaftConfig(config);
  return config;
}

export function validateRaftConfig(c: RaftConfig): void {
  const positive = ['electionTimeoutMs', 'fetchTimeoutMs', 'electionBackoffMaxMs', 'requestTimeoutMs', 'fetchMaxWaitMs'] as const;
  for (const key of positive) {
    if (!Number.isFinite(c[key]) || c[key] <= 0) throw new RangeError(`${key} must be a positive number, got ${c[key]}`);
  }
  if (!Number.isFinite(c.observerFetchIntervalMs) || c.observerFetchIntervalMs < 0 || c.observerFetchIntervalMs >= c.fetchMaxWaitMs) {
    throw new RangeError(`observerFetchIntervalMs must be at least 0 and below fetchMaxWaitMs (${c.fetchMaxWaitMs}), got ${c.observerFetchIntervalMs}`);
  }
  if (c.voters.length === 0) throw new RangeError('the voter set is empty');
  if (new Set(c.voters).size !== c.voters.length) throw new RangeError(`duplicate voter ids in ${c.voters.join(',')}`);
  if (c.requestTimeoutMs <= c.fetchMaxWaitMs) {
    throw new RangeError(`requestTimeoutMs (${c.requestTimeoutMs}) must exceed fetchMaxWaitMs (${c.fetchMaxWaitMs}) or every parked fetch times out`);
  }
  if (!Number.isInteger(c.snapshotsRetained) || c.snapshotsRetained < 1) throw new RangeError('snapshotsRetained must be at least 1');
}
