// Partition reassignment (KIP-455; Kafka's ReplicationControlManager.alterPartitionReassignments and
// listPartitionReassignments): moving a partition's replicas to other brokers, the way
// kafka-reassign-partitions does it, with no data copied here (these brokers hold none: a new
// replica is in sync as soon as it may join the ISR, broker/isr-expander.ts).
//
// A partition's reassignment state lives in its registration (addingReplicas, removingReplicas),
// so it is replicated, survives a failover and is in every snapshot. Transitions, per partition:
//
//   settled (adding = removing = [])
//     ── alter(target T ≠ replicas) ──► moving: replicas = T, then the current replicas not in T
//        (in their order); adding = T minus the current replicas; removing = the current replicas
//        not in T. No replica leaves yet, so the leader and its epoch stay.
//   moving ── a change whose ISR holds every adding replica (the leader's AlterPartition adding
//        them, or any election or fencing that finds it so) ──► settled: the removing replicas
//        leave the replicas and the ISR, the leader is re-elected among what is left if it was
//        removed, and the leader epoch bumps (partition-change.ts). A target that only drops
//        replicas settles at once, in the alter itself. Never while it would empty the ISR.
//   moving ── alter(T2) ──► moving towards T2, computed the same way from the replicas as they are
//        now, except that a replica the move in flight is still adding stays "adding" if T2 keeps
//        it (it has not proven it caught up unless it is in the ISR, which the completion checks),
//        and one T2 drops leaves at once, ISR included (it was never one of the partition's own
//        replicas; only while it is the only in-sync copy does it stay, as removing). So a cancel
//        after any number of re-targets goes back to the replicas from before the first move.
//   moving ── cancel (replicas null) ──► settled at the replicas it is not adding, ISR without
//        them. If that empties the ISR (only replicas being added were in sync) it is an unclean
//        election, allowed only where unclean.leader.election.enable is; else
//        INVALID_REPLICA_ASSIGNMENT, as Kafka.
//   settled ── cancel ──► NO_REASSIGNMENT_IN_PROGRESS.
//
// Per partition, first failure answers (partitions fail alone; names and messages are Kafka's):
//   unknown topic / partition            → UNKNOWN_TOPIC_OR_PARTITION
//   target empty, with an unregistered or repeated broker → INVALID_REPLICA_ASSIGNMENT
//   cancel with nothing moving           → NO_REASSIGNMENT_IN_PROGRESS
//   cancel of a move adding every replica (imported odd lists: nothing to go back to)
//                                        → INVALID_REPLICA_ASSIGNMENT
//   a cancel needing an unclean election the topic does not allow → INVALID_REPLICA_ASSIGNMENT
//   the operation's record bound reached → POLICY_VIOLATION (send the rest in another request)
// Fenced target brokers are accepted (Kafka checks registration only); the move then waits until
// they are back. A partition named twice in one request is handled the second time against the
// state the first produced.

import type { MetadataImageView, PartitionRegistration } from '../../../metadata-log/image-types.js';
import type { PartitionChangeRecord } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { eligibility, type IsEligible } from './eligibility.js';
import { manualAssignmentError } from './new-partitions.js';
import { applyPartitionChange, buildPartitionChange, LEADER_RECOVERING, type PartitionChangeTarget } from './partition-change.js';
import { uncleanElectionEnabled } from './unclean-election.js';

export interface ReassignablePartition {
  readonly partitionIndex: number;
  /** The target replicas (the first is the preferred leader), or null to cancel a move in flight. */
  readonly replicas: readonly number[] | null;
}

export interface ReassignableTopic {
  readonly name: string;
  readonly partitions: readonly ReassignablePartition[];
}

export interface AlterPartitionReassignmentsRequest {
  readonly topics: readonly ReassignableTopic[];
}

export interface ReassignablePartitionResult {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface ReassignableTopicResult {
  readonly name: string;
  readonly partitions: readonly ReassignablePartitionResult[];
}

export interface AlterPartitionReassignmentsResponse {
  /** One per requested topic, in request order. */
  readonly responses: readonly ReassignableTopicResult[];
}

export interface ListPartitionReassignmentsRequest {
  /** null: every topic. An unknown topic or partition is left out of the answer, as in Kafka. */
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null;
}

export interface OngoingPartitionReassignment {
  readonly partitionIndex: number;
  /** Every replica now: the target's, then those being removed. */
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface OngoingTopicReassignment {
  readonly name: string;
  readonly partitions: readonly OngoingPartitionReassignment[];
}

export interface ListPartitionReassignmentsResponse {
  /** Topics with a partition moving, sorted by name; partitions ascending. */
  readonly topics: readonly OngoingTopicReassignment[];
}

/** Whether a partition has a reassignment in flight. */
export function isMoving(p: PartitionRegistration): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

/**
 * Replicas, adding, removing and ISR once `target` replaces what `p` is moving to (the header's
 * rules). Replicas the move in flight was adding and `target` no longer wants are dropped at once,
 * from the ISR too, so that a cancel later goes back to the replicas from before every move; kept
 * as removing only while they are the only in-sync copies.
 */
export function reassignmentTowards(p: PartitionRegistration, target: readonly number[]): { replicas: number[]; adding: number[]; removing: number[]; isr: readonly number[] } {
  const abandoned = p.addingReplicas.filter((r) => !target.includes(r));
  const dropped = p.isr.some((r) => !abandoned.includes(r)) ? abandoned : abandoned.filter((r) => !p.isr.includes(r));
  const staying = dropped.length === 0 ? p.replicas : p.replicas.filter((r) => !dropped.includes(r));
  const removing = staying.filter((r) => !target.includes(r));
  const adding = target.filter((r) => !staying.includes(r) || p.addingReplicas.includes(r));
  const isr = dropped.length === 0 ? p.isr : p.isr.filter((r) => !dropped.includes(r));
  return { replicas: [...target, ...removing], adding, removing, isr };
}

/** A body of another shape (it came from the network) is refused whole: INVALID_REQUEST. */
function checkShape(request: AlterPartitionReassignmentsRequest): void {
  const ok =
    Array.isArray(request.topics) &&
    request.topics.every(
      (t) =>
        typeof t?.name === 'string' &&
        Array.isArray(t.partitions) &&
        t.partitions.every((p: ReassignablePartition) => Number.isSafeInteger(p?.partitionIndex) && (p.replicas === null || Array.isArray(p.replicas))),
    );
  if (!ok) throw Object.assign(new Error('alterPartitionReassignments: topics must be a list of { name, partitions: [{ partitionIndex, replicas: [ids] | null }] }'), { code: ErrorCode.INVALID_REQUEST });
}

export function alterPartitionReassignments(ctx: OpContext, request: AlterPartitionReassignmentsRequest): OpResult<AlterPartitionReassignmentsResponse> {
  checkShape(request);
  const image = ctx.image;
  const isEligible = eligibility(image);
  const max = ctx.config.maxRecordsPerOperation;
  const records: PartitionChangeRecord[] = [];
  const updated = new Map<string, PartitionRegistration>();
  const responses = request.topics.map((t): ReassignableTopicResult => {
    const topic = image.topicByName(t.name);
    const partitions = t.partitions.map((target): ReassignablePartitionResult => {
      const index = target.partitionIndex;
      const key = `${t.name}\u0000${index}`;
      const current = topic === undefined ? undefined : (updated.get(key) ?? topic.partitions[index]);
      const error =
        topic === undefined
          ? apiError('UNKNOWN_TOPIC_OR_PARTITION', `Unable to find a topic named ${t.name}.`)
          : current === undefined
            ? apiError('UNKNOWN_TOPIC_OR_PARTITION', `Unable to find partition ${t.name}:${index}.`)
            : target.replicas === null
              ? cancelError(image, t.name, index, current, ctx.config.uncleanLeaderElectionEnable)
              : manualAssignmentError(image, target.replicas, null);
      if (error !== null) return result(index, error);
      let change: PartitionChangeRecord | null;
      if (target.replicas === null) {
        const adding = current!.addingReplicas;
        const replicas = current!.replicas.filter((r) => !adding.includes(r));
        const isr = current!.isr.filter((r) => !adding.includes(r));
        change = buildPartitionChange(topic!.topicId, index, current!, isEligible, revertTarget(replicas, isr, isEligible));
      } else {
        const towards = reassignmentTowards(current!, target.replicas);
        change = buildPartitionChange(topic!.topicId, index, current!, isEligible, {
          replicas: towards.replicas,
          isr: towards.isr,
          addingReplicas: towards.adding,
          removingReplicas: towards.removing,
        });
      }
      if (change === null) return result(index, null);
      if (records.length >= max) {
        return result(index, apiError('POLICY_VIOLATION', `Unable to reassign ${t.name}:${index}: this request already changes the ${max} partitions one operation may; send the rest in another request.`));
      }
      records.push(change);
      updated.set(key, applyPartitionChange(current!, change));
      return result(index, null);
    });
    return { name: t.name, partitions };
  });
  return { records, response: { responses } };
}

/**
 * What a cancel asks of the builder. An empty ISR left is an unclean election (cancelError allowed
 * it): the first eligible replica leads alone, RECOVERING; with none eligible, the first replica
 * is the ISR, leaderless and RECOVERING, until it comes back (as Kafka's PartitionReassignmentRevert).
 */
function revertTarget(replicas: readonly number[], isr: readonly number[], isEligible: IsEligible): PartitionChangeTarget {
  if (isr.length > 0) return { replicas, isr, election: 'ONLINE' };
  if (replicas.some(isEligible)) return { replicas, isr: [], election: 'UNCLEAN' };
  return { replicas, isr: replicas.slice(0, 1), leaderRecoveryState: LEADER_RECOVERING };
}

/** Why `p` cannot have its move cancelled, or null. */
function cancelError(image: MetadataImageView, topicName: string, index: number, p: PartitionRegistration, clusterUnclean: boolean): ApiError | null {
  if (!isMoving(p)) return apiError('NO_REASSIGNMENT_IN_PROGRESS', 'No partition reassignment is in progress.');
  // Nothing to go back to (only a move imported from ZooKeeper can say so): Kafka's
  // PartitionReassignmentRevert refuses it, before looking at the ISR.
  if (p.replicas.every((r) => p.addingReplicas.includes(r))) {
    return apiError('INVALID_REPLICA_ASSIGNMENT', 'Invalid replica assignment: addingReplicas contains all replicas.');
  }
  if (p.isr.every((r) => p.addingReplicas.includes(r)) && !uncleanElectionEnabled(image, topicName, clusterUnclean)) {
    return apiError('INVALID_REPLICA_ASSIGNMENT', `Unable to revert partition assignment for ${topicName}:${index} because it would require an unclean leader election.`);
  }
  return null;
}

function result(partitionIndex: number, error: ApiError | null): ReassignablePartitionResult {
  return error === null ? { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null } : { partitionIndex, errorCode: error.code, errorMessage: error.message };
}

/** The moves in flight, from an image (every partition is looked at when no topics are named). */
export function listPartitionReassignments(image: MetadataImageView, request: ListPartitionReassignmentsRequest): ListPartitionReassignmentsResponse {
  const named = request.topics ?? null;
  if (named !== null && !(Array.isArray(named) && named.every((t) => typeof t?.name === 'string' && Array.isArray(t.partitionIndexes) && t.partitionIndexes.every((i: number) => Number.isSafeInteger(i))))) {
    throw Object.assign(new Error('listPartitionReassignments: topics must be null or a list of { name, partitionIndexes: [n] }'), { code: ErrorCode.INVALID_REQUEST });
  }
  const topics: OngoingTopicReassignment[] = [];
  const add = (name: string, entries: Iterable<[number, PartitionRegistration | undefined]>) => {
    const partitions: OngoingPartitionReassignment[] = [];
    for (const [partitionIndex, p] of entries) {
      if (p === undefined || !isMoving(p)) continue;
      partitions.push({ partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas });
    }
    if (partitions.length > 0) topics.push({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) });
  };
  if (named === null) {
    for (const t of image.topics()) add(t.name, t.partitions.entries());
  } else {
    for (const { name, partitionIndexes } of named) {
      const t = image.topicByName(name);
      if (t !== undefined) add(name, [...new Set<number>(partitionIndexes)].map((i): [number, PartitionRegistration | undefined] => [i, t.partitions[i]]));
    }
  }
  return { topics: topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}
