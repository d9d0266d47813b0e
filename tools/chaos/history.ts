// What the chaos workload did, as data: every operation with a unique id, what it asked for, when
// it was invoked and completed (ms since the run started), and how it ended:
//   ok       the quorum acknowledged it: it must be in the final image, in order;
//   fail     a definite refusal (a validation error, NOT_CONTROLLER before anything was written):
//            it must NOT be in the final image;
//   unknown  no answer (timeout, connection lost): it may or may not be in the final image.
// The workload never retries an operation: a retry is a new operation with a new id, so each
// outcome belongs to exactly one request.
//
// Names carry the operation that created them (topic `chaos-<opId>`), so the checker can tell a
// topic that was never asked for.

export type OpOutcome = 'ok' | 'fail' | 'unknown';

export type OpRequest =
  /** CreateTopics of one topic. */
  | { readonly kind: 'create-topic'; readonly topic: string; readonly partitions: number; readonly replicationFactor: number }
  /** DeleteTopics of one topic (only invoked after its create was acknowledged). */
  | { readonly kind: 'delete-topic'; readonly topic: string }
  /** CreatePartitions: grow the topic to `total` partitions. */
  | { readonly kind: 'add-partitions'; readonly topic: string; readonly total: number }
  /** AlterPartition sent as the partition's leader: set the ISR. */
  | { readonly kind: 'alter-isr'; readonly topic: string; readonly partition: number; readonly isr: readonly number[] }
  /** AlterPartitionReassignments of one partition: move it to `replicas`, or cancel its move (replicas null). */
  | { readonly kind: 'reassign'; readonly topic: string; readonly partition: number; readonly replicas: readonly number[] | null }
  /** OffsetCommit of one offset; per (group, topic, partition) offsets only grow and commits are sequential. */
  | { readonly kind: 'commit-offset'; readonly group: string; readonly topic: string; readonly partition: number; readonly offset: number }
  /** AlterClientQuotas of one user's producer_byte_rate; per user the values only grow and are set one at a time. */
  | { readonly kind: 'set-quota'; readonly user: string; readonly value: number }
  /** AlterUserScramCredentials of one user's SCRAM-SHA-256 credential; per user the iteration counts only grow and are set one at a time. */
  | { readonly kind: 'set-scram'; readonly user: string; readonly iterations: number };

/** What an acknowledged operation answered (what the checker compares with the final image). */
export type OpResult =
  | { readonly kind: 'create-topic'; readonly topicId: string }
  | { readonly kind: 'alter-isr'; readonly leaderEpoch: number; readonly partitionEpoch: number; readonly isr: readonly number[] }
  | { readonly kind: 'none' };

export interface OpRecord {
  /** Unique in the run, increasing in invocation order. */
  readonly id: number;
  readonly request: OpRequest;
  readonly invokedAtMs: number;
  readonly completedAtMs: number;
  readonly outcome: OpOutcome;
  /** Set when outcome is ok. */
  readonly result?: OpResult;
  /** The error name or message when fail/unknown. */
  readonly error?: string;
}

/** One window in which writes were attempted but none was acknowledged. */
export interface UnavailableWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The longest stretch during which operations were being attempted and none succeeded: measured
 * between consecutive acknowledgements (and from the first invocation), on completion times.
 */
export function longestUnavailability(ops: readonly OpRecord[]): UnavailableWindow | null {
  const acks = ops
    .filter((o) => o.outcome === 'ok')
    .map((o) => o.completedAtMs)
    .sort((a, b) => a - b);
  const first = ops.reduce((m, o) => Math.min(m, o.invokedAtMs), Infinity);
  if (!Number.isFinite(first)) return null;
  let best: UnavailableWindow | null = null;
  let previous = first;
  for (const at of acks) {
    if (best === null || at - previous > best.toMs - best.fromMs) best = { fromMs: previous, toMs: at };
    previous = at;
  }
  const last = ops.reduce((m, o) => Math.max(m, o.completedAtMs), -Infinity);
  if (last > previous && (best === null || last - previous > best.toMs - best.fromMs)) best = { fromMs: previous, toMs: last };
  return best;
}
