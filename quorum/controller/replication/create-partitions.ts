// CreatePartitions (api 37) on the controller: Kafka's ReplicationControlManager.createPartitions.
// Partitions can only be added. Per topic, in request order, first failure answers:
//   - the name appears twice in the request                → INVALID_REQUEST (every occurrence)
//   - unknown topic                                       → UNKNOWN_TOPIC_OR_PARTITION
//   - count = current → INVALID_PARTITIONS ("already has"); count < current → INVALID_PARTITIONS
//   - assignments given but not one per new partition     → INVALID_REPLICA_ASSIGNMENT
//   - an assignment empty, naming an unregistered or repeated broker, of another length than the
//     topic's replication factor, or with no eligible broker → INVALID_REPLICA_ASSIGNMENT
//   - no assignments and fewer usable brokers than the replication factor → INVALID_REPLICATION_FACTOR
//   - the operation's record bound would be crossed        → POLICY_VIOLATION (see ./create-topics.ts)
// New partitions: replication factor = that of partition 0 (the one it is being reassigned to, if it
// is: Kafka counts the replicas leaving too, which would grow the topic's factor); placement as for
// new topics, continuing the round-robin at the first new partition id; ISR = eligible replicas,
// leader = first of them.
// validateOnly answers the same and writes nothing.

import assert from 'node:assert/strict';
import type { PartitionRecord } from '../../../metadata-log/records/types.js';
import type { Random } from '../../env/index.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import type { RequestMutationQuota, MutationQuotaClaim } from '../quotas/controller-mutation-quotas.js';
import { eligibility, excludingDraining } from './eligibility.js';
import { manualAssignmentError, newPartitionRecord } from './new-partitions.js';
import { placeReplicas, usableBrokers, type UsableBroker } from './placement.js';

export interface CreatePartitionsAssignment {
  readonly brokerIds: readonly number[];
}

export interface CreatePartitionsTopic {
  readonly name: string;
  /** The new total partition count. */
  readonly count: number;
  /** One replica list per NEW partition, or null to place them. */
  readonly assignments: readonly CreatePartitionsAssignment[] | null;
}

export interface CreatePartitionsRequest {
  readonly topics: readonly CreatePartitionsTopic[];
  readonly validateOnly: boolean;
  /** Set by a broker forwarding a Kafka client's request: whose controller_mutation_rate it charges. */
  readonly mutationQuota?: MutationQuotaClaim;
}

export interface CreatePartitionsTopicResult {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface CreatePartitionsResponse {
  /** One per requested topic, in request order. */
  readonly results: readonly CreatePartitionsTopicResult[];
  /** How long the client should wait before its next mutation (its controller_mutation_rate); absent: 0. */
  readonly throttleTimeMs?: number;
}

function failed(name: string, error: ApiError): CreatePartitionsTopicResult {
  return { name, errorCode: error.code, errorMessage: error.message };
}

export function createPartitions(
  ctx: OpContext,
  request: CreatePartitionsRequest,
  random: Random,
  leaderCounts?: ReadonlyMap<number, number>,
  quota?: RequestMutationQuota,
): OpResult<CreatePartitionsResponse> {
  const image = ctx.image;
  const isEligible = excludingDraining(eligibility(image), ctx.draining);
  const max = ctx.config.maxRecordsPerOperation;
  const occurrences = new Map<string, number>();
  for (const t of request.topics) occurrences.set(t.name, (occurrences.get(t.name) ?? 0) + 1);
  const counts = leaderCounts === undefined ? undefined : new Map(leaderCounts);
  let usable: UsableBroker[] | undefined;
  const records: PartitionRecord[] = [];
  let recordCount = 0;
  const results: CreatePartitionsTopicResult[] = [];

  topics: for (const request_ of request.topics) {
    const { name, count } = request_;
    if ((occurrences.get(name) ?? 0) > 1) {
      results.push(failed(name, apiError('INVALID_REQUEST', 'Duplicate topic name.')));
      continue;
    }
    const topic = image.topicByName(name);
    if (topic === undefined) {
      results.push(failed(name, apiError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic: ${name}.`)));
      continue;
    }
    const current = topic.partitions.length;
    if (!Number.isSafeInteger(count) || count < current) {
      results.push(failed(name, apiError('INVALID_PARTITIONS', `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`)));
      continue;
    }
    if (count === current) {
      results.push(failed(name, apiError('INVALID_PARTITIONS', `Topic already has ${current} partition(s).`)));
      continue;
    }
    const additional = count - current;
    // Charged here, before the assignments are checked, as Kafka's createPartitions charges it.
    const throttled = quota?.charge(additional) ?? null;
    if (throttled !== null) {
      results.push(failed(name, throttled));
      continue;
    }
    const first = topic.partitions[0];
    assert.ok(first !== undefined, `createPartitions: topic ${name} has no partitions`);
    // While partition 0 is being reassigned its replicas include those leaving: count where it goes.
    const replicationFactor = first.replicas.length - first.removingReplicas.length;

    let replicaLists: readonly (readonly number[])[];
    if (request_.assignments !== null) {
      if (request_.assignments.length !== additional) {
        results.push(
          failed(
            name,
            apiError(
              'INVALID_REPLICA_ASSIGNMENT',
              `Attempted to add ${additional} additional partition(s), but only ${request_.assignments.length} assignment(s) were specified.`,
            ),
          ),
        );
        continue;
      }
      for (let i = 0; i < additional; i++) {
        const brokerIds = request_.assignments[i]!.brokerIds;
        const error =
          manualAssignmentError(image, brokerIds, replicationFactor) ??
          (brokerIds.some(isEligible)
            ? null
            : apiError(
                'INVALID_REPLICA_ASSIGNMENT',
                `All brokers specified in the manual partition assignment for partition ${current + i} are fenced or in controlled shutdown.`,
              ));
        if (error !== null) {
          results.push(failed(name, error));
          continue topics;
        }
      }
      if (recordCount + additional > max) {
        results.push(failed(name, boundError(name, additional, recordCount, max)));
        continue;
      }
      replicaLists = request_.assignments.map((a) => a.brokerIds);
    } else {
      if (recordCount + additional > max) {
        results.push(failed(name, boundError(name, additional, recordCount, max)));
        continue;
      }
      usable ??= usableBrokers(image, ctx.draining);
      const placement = placeReplicas({ startPartition: current, partitions: additional, replicationFactor }, usable, random, counts);
      if (!placement.ok) {
        results.push(failed(name, placement.error));
        continue;
      }
      replicaLists = placement.assignments;
    }

    for (let i = 0; i < replicaLists.length; i++) {
      const record = newPartitionRecord(topic.topicId, current + i, replicaLists[i]!, isEligible);
      assert.ok(record !== null, `createPartitions: partition ${current + i} of ${name} has no eligible replica after checks`);
      if (!request.validateOnly) records.push(record);
      if (counts !== undefined) counts.set(record.leader, (counts.get(record.leader) ?? 0) + 1);
    }
    recordCount += replicaLists.length;
    results.push({ name, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  assert.ok(recordCount <= max, `createPartitions: ${recordCount} records, bound ${max}`);
  const throttleTimeMs = quota?.throttleTimeMs ?? 0;
  return { records, response: { results, ...(throttleTimeMs > 0 ? { throttleTimeMs } : {}) } };
}

function boundError(name: string, needed: number, used: number, max: number): ApiError {
  return apiError(
    'POLICY_VIOLATION',
    used === 0
      ? `Unable to add ${needed} partition(s) to ${name}: more than the ${max} records one operation may write; add fewer at a time.`
      : `Unable to add ${needed} partition(s) to ${name}: with the ${used} records of the topics before it in this request that exceeds the ${max} one operation may write; send it in another request.`,
  );
}
