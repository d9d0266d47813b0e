// What CreateTopics and CreatePartitions share: checking an explicit replica assignment, and the
// PartitionRecord of a new partition (Kafka's validateManualPartitionAssignment and
// buildPartitionRegistration). Messages are Kafka's.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { PartitionRecord, Uuid } from '../../../metadata-log/records/types.js';
import { apiError, type ApiError } from '../errors.js';
import type { IsEligible } from './eligibility.js';
import { LEADER_RECOVERED } from './partition-change.js';

/**
 * INVALID_REPLICA_ASSIGNMENT when an explicit replica list is empty, names an unregistered broker or
 * one broker twice, or (given `replicationFactor`) has another length; null when it is acceptable.
 */
export function manualAssignmentError(
  image: MetadataImageView,
  brokerIds: readonly number[],
  replicationFactor: number | null,
): ApiError | null {
  if (brokerIds.length === 0) {
    return apiError('INVALID_REPLICA_ASSIGNMENT', 'The manual partition assignment includes an empty replica list.');
  }
  const sorted = [...brokerIds].sort((a, b) => a - b);
  let previous: number | undefined;
  for (const id of sorted) {
    if (!Number.isSafeInteger(id) || image.broker(id) === undefined) {
      return apiError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    }
    if (id === previous) {
      return apiError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes the broker ${id} more than once.`);
    }
    previous = id;
  }
  if (replicationFactor !== null && brokerIds.length !== replicationFactor) {
    return apiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`,
    );
  }
  return null;
}

/**
 * The record of a new partition: ISR = the eligible replicas (replica order), leader = the first of
 * them, epochs 0. null when no replica is eligible (the caller refuses the request).
 */
export function newPartitionRecord(
  topicId: Uuid,
  partitionId: number,
  replicas: readonly number[],
  isEligible: IsEligible,
): PartitionRecord | null {
  const isr = replicas.filter(isEligible);
  const leader = isr[0];
  if (leader === undefined) return null;
  return {
    type: 'Partition',
    topicId,
    partitionId,
    replicas,
    isr,
    removingReplicas: [],
    addingReplicas: [],
    leader,
    leaderRecoveryState: LEADER_RECOVERED,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}
