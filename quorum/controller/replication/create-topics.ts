// CreateTopics (api 19) on the controller: Kafka's ReplicationControlManager.createTopics.
//
// Each topic succeeds or fails on its own; one bad topic does not fail the others. Checks, in
// Kafka's order, first failure answers:
//   1. the name appears twice in the request      → INVALID_REQUEST (every occurrence)
//   2. illegal name                               → INVALID_TOPIC_EXCEPTION (which rule);
//      __cluster_metadata, the name of the metadata log itself → INVALID_REQUEST (Kafka's words)
//   3. the topic exists                           → TOPIC_ALREADY_EXISTS
//   4. '.'/'_' collision with an existing topic, or with one created earlier in this request
//                                                 → INVALID_TOPIC_EXCEPTION (naming it)
//   5. configs: a key twice or a null value       → INVALID_REQUEST; invalid key/value → INVALID_CONFIG
//   6. explicit assignments: numPartitions or replicationFactor not -1 → INVALID_REQUEST; a partition
//      twice, an empty list, an unregistered or repeated broker, unequal lengths, not dense 0..n-1,
//      or no eligible replica in a partition    → INVALID_REPLICA_ASSIGNMENT
//      otherwise: replicationFactor 0 or < -1   → INVALID_REPLICATION_FACTOR; numPartitions 0 or
//      < -1 → INVALID_PARTITIONS; -1 takes the config default; more replicas than usable brokers
//      → INVALID_REPLICATION_FACTOR (both numbers in the message)
//   7. controller_mutation_rate (../quotas/controller-mutation-quotas.ts), charged the topic's
//      partitions once checks 1-6 and placement pass, validateOnly too (as Kafka charges): a strict
//      quota in debt → THROTTLING_QUOTA_EXCEEDED; the answer's throttleTimeMs says how long to wait
//   8. the operation's record bound (config.maxRecordsPerOperation, Kafka's MAX_RECORDS_PER_USER_OP)
//      → POLICY_VIOLATION for the topic that would cross it (checked before placement, so a huge
//      numPartitions costs nothing). Kafka fails the whole operation there; refusing per topic keeps
//      the others, and POLICY_VIOLATION (not THROTTLING_QUOTA_EXCEEDED) because retrying the same
//      topic cannot succeed: the client must split the request or ask for fewer partitions.
// Records per created topic: TopicRecord, its ConfigRecords, a PartitionRecord per partition (ISR =
// the eligible replicas, leader = the first of them, epochs 0). validateOnly answers the same as a
// real run (including the record bound) but writes nothing, and answers the zero topic id (a real
// id would never exist). The answer's configs are the ones the request set explicitly.
//
// Randomness (topic ids, placement start) comes from `random`. `leaderCounts` (optional: partitions
// led per broker, see ./leader-counts.ts) steers leaders of new partitions to the least-loaded
// brokers; without it placement starts at random, as Kafka's does.

import assert from 'node:assert/strict';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ConfigRecord, MetadataRecord, PartitionRecord, Uuid } from '../../../metadata-log/records/types.js';
import { randomUuid, ZERO_UUID } from '../../../metadata-log/records/uuid.js';
import type { Random } from '../../env/index.js';
import { inheritedTopicConfig, staticConfigsOf, validateConfigs } from '../configs/config-schema.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import type { RequestMutationQuota, MutationQuotaClaim } from '../quotas/controller-mutation-quotas.js';
import { eligibility, excludingDraining, type IsEligible } from './eligibility.js';
import { manualAssignmentError, newPartitionRecord } from './new-partitions.js';
import { placeReplicas, usableBrokers, type UsableBroker } from './placement.js';
import { CLUSTER_METADATA_TOPIC, collidingTopic, topicNameError } from './topic-names.js';
import { unifyCollisionChars } from '../../../metadata-log/topic-collisions.js';

export interface CreatableReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreatableTopicConfig {
  readonly name: string;
  readonly value: string | null;
}

export interface CreatableTopic {
  readonly name: string;
  /** -1 = num.partitions (ControllerConfig.defaultPartitions). */
  readonly numPartitions: number;
  /** -1 = default.replication.factor (ControllerConfig.defaultReplicationFactor). */
  readonly replicationFactor: number;
  /** Explicit replica lists; then numPartitions and replicationFactor must be -1. */
  readonly assignments?: readonly CreatableReplicaAssignment[];
  readonly configs: readonly CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly validateOnly: boolean;
  /** Set by a broker forwarding a Kafka client's request: whose controller_mutation_rate it charges. */
  readonly mutationQuota?: MutationQuotaClaim;
}

export interface CreatableTopicResult {
  readonly name: string;
  /** ZERO_UUID on error and for validateOnly. */
  readonly topicId: Uuid;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** -1 on error. */
  readonly numPartitions: number;
  /** -1 on error. */
  readonly replicationFactor: number;
  readonly configs: readonly { readonly name: string; readonly value: string }[];
}

export interface CreateTopicsResponse {
  /** One per requested topic, in request order. */
  readonly topics: readonly CreatableTopicResult[];
  /** How long the client should wait before its next mutation (its controller_mutation_rate); absent: 0. */
  readonly throttleTimeMs?: number;
}

function failed(name: string, error: ApiError): CreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode: error.code, errorMessage: error.message, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** The request's configs as a map, or the error; Kafka refuses null values for topic configs. */
function requestedConfigs(image: MetadataImageView, topic: CreatableTopic, ctx: OpContext): Map<string, string> | ApiError {
  const entries = new Map<string, string>();
  for (const c of topic.configs) {
    if (entries.has(c.name)) return apiError('INVALID_REQUEST', `Duplicate config key ${c.name} for topic ${topic.name}.`);
    if (c.value === null) return apiError('INVALID_REQUEST', `Null value not supported for topic configs: ${c.name}`);
    entries.set(c.name, c.value);
  }
  if (entries.size === 0) return entries;
  const staticConfigs = staticConfigsOf(ctx.config);
  const error = validateConfigs('topic', entries, (key) => inheritedTopicConfig(image, key, { staticConfigs }).value);
  return error ?? entries;
}

/** Replica lists from explicit assignments (Kafka's rules), or the error. */
function manualReplicas(image: MetadataImageView, topic: CreatableTopic, isEligible: IsEligible): (readonly number[])[] | ApiError {
  const assignments = topic.assignments ?? [];
  if (topic.replicationFactor !== -1) {
    return apiError('INVALID_REQUEST', 'A manual partition assignment was specified, but replication factor was not set to -1.');
  }
  if (topic.numPartitions !== -1) {
    return apiError('INVALID_REQUEST', 'A manual partition assignment was specified, but numPartitions was not set to -1.');
  }
  const byIndex = new Map<number, readonly number[]>();
  let replicationFactor: number | null = null;
  for (const a of assignments) {
    if (byIndex.has(a.partitionIndex)) {
      return apiError('INVALID_REPLICA_ASSIGNMENT', `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
    }
    const error = manualAssignmentError(image, a.brokerIds, replicationFactor);
    if (error !== null) return error;
    replicationFactor = a.brokerIds.length;
    if (!a.brokerIds.some(isEligible)) {
      return apiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `All brokers specified in the manual partition assignment for partition ${a.partitionIndex} are fenced or in controlled shutdown.`,
      );
    }
    byIndex.set(a.partitionIndex, a.brokerIds);
  }
  const out: (readonly number[])[] = [];
  for (let i = 0; i < byIndex.size; i++) {
    const replicas = byIndex.get(i);
    if (replicas === undefined) return apiError('INVALID_REPLICA_ASSIGNMENT', 'partitions should be a consecutive 0-based integer sequence');
    out.push(replicas);
  }
  return out;
}

/** The resolved partition count and replication factor for a placed topic, or the error. */
function resolvedShape(topic: CreatableTopic, ctx: OpContext): { partitions: number; replicationFactor: number } | ApiError {
  const rf = topic.replicationFactor;
  if (!Number.isSafeInteger(rf) || rf < -1 || rf === 0) {
    return apiError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.');
  }
  const n = topic.numPartitions;
  if (!Number.isSafeInteger(n) || n < -1 || n === 0) {
    return apiError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.');
  }
  return {
    partitions: n === -1 ? ctx.config.defaultPartitions : n,
    replicationFactor: rf === -1 ? ctx.config.defaultReplicationFactor : rf,
  };
}

function recordBoundError(name: string, needed: number, used: number, max: number): ApiError {
  return apiError(
    'POLICY_VIOLATION',
    used === 0
      ? `Unable to create topic ${name}: it needs ${needed} records, more than the ${max} one operation may write; ask for fewer partitions.`
      : `Unable to create topic ${name}: its ${needed} records with the ${used} of the topics before it in this request exceed the ${max} one operation may write; send it in another request.`,
  );
}

export function createTopics(
  ctx: OpContext,
  request: CreateTopicsRequest,
  random: Random,
  leaderCounts?: ReadonlyMap<number, number>,
  quota?: RequestMutationQuota,
): OpResult<CreateTopicsResponse> {
  const image = ctx.image;
  const isEligible = excludingDraining(eligibility(image), ctx.draining);
  const max = ctx.config.maxRecordsPerOperation;
  const occurrences = new Map<string, number>();
  for (const t of request.topics) occurrences.set(t.name, (occurrences.get(t.name) ?? 0) + 1);

  const records: MetadataRecord[] = [];
  let recordCount = 0; // as if not validateOnly
  const created = new Map<string, string>(); // unified name -> name, created by this request
  const usedIds = new Set<Uuid>();
  let usable: UsableBroker[] | undefined;
  const counts = leaderCounts === undefined ? undefined : new Map(leaderCounts);
  const results: CreatableTopicResult[] = [];

  for (const topic of request.topics) {
    const name = topic.name;
    if ((occurrences.get(name) ?? 0) > 1) {
      results.push(failed(name, apiError('INVALID_REQUEST', 'Duplicate topic name.')));
      continue;
    }
    const nameError = topicNameError(name) ?? (name === CLUSTER_METADATA_TOPIC ? apiError('INVALID_REQUEST', `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`) : null);
    if (nameError !== null) {
      results.push(failed(name, nameError));
      continue;
    }
    if (image.topicByName(name) !== undefined) {
      results.push(failed(name, apiError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`)));
      continue;
    }
    const collision = collidingTopic(image, name, created);
    if (collision !== null) {
      results.push(failed(name, apiError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${collision}`)));
      continue;
    }
    const configs = requestedConfigs(image, topic, ctx);
    if (!(configs instanceof Map)) {
      results.push(failed(name, configs));
      continue;
    }

    let replicaLists: readonly (readonly number[])[];
    if (topic.assignments !== undefined && topic.assignments.length > 0) {
      const manual = manualReplicas(image, topic, isEligible);
      if (!Array.isArray(manual)) {
        results.push(failed(name, manual));
        continue;
      }
      const needed = 1 + configs.size + manual.length;
      if (recordCount + needed > max) {
        results.push(failed(name, recordBoundError(name, needed, recordCount, max)));
        continue;
      }
      replicaLists = manual;
    } else {
      const shape = resolvedShape(topic, ctx);
      if (!('partitions' in shape)) {
        results.push(failed(name, shape));
        continue;
      }
      const needed = 1 + configs.size + shape.partitions;
      if (recordCount + needed > max) {
        results.push(failed(name, recordBoundError(name, needed, recordCount, max)));
        continue;
      }
      usable ??= usableBrokers(image, ctx.draining);
      const placement = placeReplicas({ startPartition: 0, partitions: shape.partitions, replicationFactor: shape.replicationFactor }, usable, random, counts);
      if (!placement.ok) {
        results.push(failed(name, placement.error));
        continue;
      }
      replicaLists = placement.assignments;
    }
    const throttled = quota?.charge(replicaLists.length) ?? null;
    if (throttled !== null) {
      results.push(failed(name, throttled));
      continue;
    }

    let topicId: Uuid;
    do topicId = randomUuid(random);
    while (image.topicById(topicId) !== undefined || usedIds.has(topicId));
    usedIds.add(topicId);

    const partitionRecords: PartitionRecord[] = [];
    for (let p = 0; p < replicaLists.length; p++) {
      const record = newPartitionRecord(topicId, p, replicaLists[p]!, isEligible);
      // Placement uses eligible brokers only, and manual lists were checked for one eligible member.
      assert.ok(record !== null, `createTopics: partition ${p} of ${name} has no eligible replica after checks`);
      partitionRecords.push(record);
      if (counts !== undefined) counts.set(record.leader, (counts.get(record.leader) ?? 0) + 1);
    }
    const configRecords: ConfigRecord[] = [...configs].map(([key, value]) => ({ type: 'Config', resourceType: 'topic', resourceName: name, name: key, value }));
    recordCount += 1 + configRecords.length + partitionRecords.length;
    if (!request.validateOnly) records.push({ type: 'Topic', name, topicId }, ...configRecords, ...partitionRecords);
    created.set(unifyCollisionChars(name), name);
    results.push({
      name,
      topicId: request.validateOnly ? ZERO_UUID : topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: partitionRecords.length,
      replicationFactor: replicaLists[0]?.length ?? -1,
      configs: [...configs].map(([key, value]) => ({ name: key, value })),
    });
  }
  assert.ok(recordCount <= max && (request.validateOnly || records.length === recordCount), `createTopics: ${recordCount} records, bound ${max}`);
  return { records, response: { topics: results, ...(quota !== undefined && quota.throttleTimeMs > 0 ? { throttleTimeMs: quota.throttleTimeMs } : {}) } };
}
