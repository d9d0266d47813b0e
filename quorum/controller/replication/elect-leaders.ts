// ElectLeaders (KIP-183, KIP-460; Kafka's ReplicationControlManager.electLeaders): an operator's
// leader election, what kafka-leader-election runs, typically after a reassignment or a broker's
// return, instead of waiting for the periodic preferred-leader pass (auto.leader.rebalance).
//
// Per partition, first match answers (Kafka's words):
//   unknown topic / partition                       → UNKNOWN_TOPIC_OR_PARTITION
//   PREFERRED and the preferred replica (replicas[0]) leads already,
//   UNCLEAN and the partition has a leader          → ELECTION_NOT_NEEDED (nothing written)
//   PREFERRED: the preferred replica is not an eligible ISR member → PREFERRED_LEADER_NOT_AVAILABLE
//   UNCLEAN: no replica is eligible                 → ELIGIBLE_LEADERS_NOT_AVAILABLE
//   else one PartitionChange (partition-change.ts): PREFERRED makes replicas[0] leader; UNCLEAN
//   makes the first eligible replica leader with ISR [it], RECOVERING, whatever the topic's
//   unclean.leader.election.enable says (the operator asked for it: KIP-460).
// Without partitions named (`partitions: null`), every partition is looked at and only those that
// needed an election are answered; at most maxRecordsPerOperation elections are made, and `more`
// says the scan stopped there (run it again). Named partitions past that bound: POLICY_VIOLATION.

import type { PartitionRegistration } from '../../../metadata-log/image-types.js';
import type { PartitionChangeRecord, Uuid } from '../../../metadata-log/records/types.js';
import { NO_LEADER } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { eligibility, type IsEligible } from './eligibility.js';
import { buildPartitionChange } from './partition-change.js';

/** Kafka's ElectionType ids. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

export interface ElectLeadersRequest {
  /** An ElectionType id. */
  readonly electionType: number;
  /** null: every partition. */
  readonly partitions: readonly { readonly topic: string; readonly partitionIds: readonly number[] }[] | null;
}

export interface ElectLeadersPartitionResult {
  readonly partitionId: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface ElectLeadersResponse {
  readonly results: readonly { readonly topic: string; readonly partitions: readonly ElectLeadersPartitionResult[] }[];
  /** Every partition was asked for and the scan stopped at the operation's bound: run again for the rest. */
  readonly more: boolean;
}

type Outcome = { readonly error: ApiError | null; readonly record: PartitionChangeRecord | null };

function elect(topicId: Uuid, partitionId: number, p: PartitionRegistration, unclean: boolean, isEligible: IsEligible): Outcome {
  if (unclean ? p.leader !== NO_LEADER : p.leader === p.replicas[0]) return { error: apiError('ELECTION_NOT_NEEDED', 'Leader election not needed for topic partition.'), record: null };
  const record = buildPartitionChange(topicId, partitionId, p, isEligible, { election: unclean ? 'UNCLEAN' : 'PREFERRED' });
  const leader = record?.leader;
  if (unclean ? leader === undefined || leader === NO_LEADER : leader !== p.replicas[0]) {
    return unclean
      ? { error: apiError('ELIGIBLE_LEADERS_NOT_AVAILABLE', 'Eligible topic partition leaders are not available.'), record: null }
      : { error: apiError('PREFERRED_LEADER_NOT_AVAILABLE', 'The preferred leader was not available.'), record: null };
  }
  return { error: null, record };
}

function checkShape(request: ElectLeadersRequest): void {
  const named = request.partitions;
  const ok =
    (request.electionType === ElectionType.PREFERRED || request.electionType === ElectionType.UNCLEAN) &&
    (named === null ||
      (Array.isArray(named) && named.every((t) => typeof t?.topic === 'string' && Array.isArray(t.partitionIds) && t.partitionIds.every((i: number) => Number.isSafeInteger(i)))));
  if (!ok) throw Object.assign(new Error('electLeaders: electionType must be 0 (PREFERRED) or 1 (UNCLEAN), partitions null or [{ topic, partitionIds: [n] }]'), { code: ErrorCode.INVALID_REQUEST });
}

export function electLeaders(ctx: OpContext, request: ElectLeadersRequest): OpResult<ElectLeadersResponse> {
  checkShape(request);
  const unclean = request.electionType === ElectionType.UNCLEAN;
  const isEligible = eligibility(ctx.image);
  const max = ctx.config.maxRecordsPerOperation;
  const records: PartitionChangeRecord[] = [];
  const results: { topic: string; partitions: ElectLeadersPartitionResult[] }[] = [];
  const answer = (error: ApiError | null, partitionId: number): ElectLeadersPartitionResult =>
    error === null ? { partitionId, errorCode: ErrorCode.NONE, errorMessage: null } : { partitionId, errorCode: error.code, errorMessage: error.message };

  if (request.partitions === null) {
    for (const topic of ctx.image.topics()) {
      const partitions: ElectLeadersPartitionResult[] = [];
      for (let i = 0; i < topic.partitions.length; i++) {
        const outcome = elect(topic.topicId, i, topic.partitions[i]!, unclean, isEligible);
        if (outcome.error?.code === ErrorCode.ELECTION_NOT_NEEDED) continue;
        if (outcome.record !== null && records.length >= max) {
          if (partitions.length > 0) results.push({ topic: topic.name, partitions });
          return { records, response: { results, more: true } };
        }
        if (outcome.record !== null) records.push(outcome.record);
        partitions.push(answer(outcome.error, i));
      }
      if (partitions.length > 0) results.push({ topic: topic.name, partitions });
    }
    return { records, response: { results, more: false } };
  }

  const done = new Set<string>();
  for (const { topic: name, partitionIds } of request.partitions) {
    const topic = ctx.image.topicByName(name);
    const partitions: ElectLeadersPartitionResult[] = [];
    for (const i of partitionIds) {
      const p = topic?.partitions[i];
      if (topic === undefined || p === undefined) {
        partitions.push(answer(apiError('UNKNOWN_TOPIC_OR_PARTITION', topic === undefined ? `No such topic as ${name}` : `No such partition as ${name}-${i}`), i));
        continue;
      }
      // Named twice: the first election stands (the image here does not have it yet).
      const key = `${name}\u0000${i}`;
      if (done.has(key)) {
        partitions.push(answer(apiError('ELECTION_NOT_NEEDED', 'Leader election not needed for topic partition.'), i));
        continue;
      }
      const outcome = elect(topic.topicId, i, p, unclean, isEligible);
      if (outcome.record !== null) {
        if (records.length >= max) {
          partitions.push(answer(apiError('POLICY_VIOLATION', `Unable to elect a leader for ${name}-${i}: this request already makes the ${max} elections one operation may; send the rest in another request.`), i));
          continue;
        }
        records.push(outcome.record);
        done.add(key);
      }
      partitions.push(answer(outcome.error, i));
    }
    results.push({ topic: name, partitions });
  }
  return { records, response: { results, more: false } };
}
