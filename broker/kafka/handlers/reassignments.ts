// AlterPartitionReassignments, ListPartitionReassignments and ElectLeaders: forwarded to the
// active controller, which runs them (quorum/controller/replication/reassignments.ts and
// elect-leaders.ts have the rules and answer Kafka's per-partition codes: UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_REPLICA_ASSIGNMENT, NO_REASSIGNMENT_IN_PROGRESS, ELECTION_NOT_NEEDED,
// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, ...). The list is read from the
// active controller too (linearizable), not from this broker's image.
//
// A forward that fails as a whole (no controller in time: NOT_CONTROLLER, the code kafkajs's admin
// retries; or a refusal of the whole request, e.g. INVALID_REQUEST for an election type other
// than 0 or 1) is answered as Kafka's getErrorResponse of each request does: the top-level error
// code and message, and for Alter and ElectLeaders the same code on every partition named (none
// when ElectLeaders named no partitions; ElectLeaders v0 has no top-level code).
//
// Neither waits for this broker's image to show the change (as Kafka's brokers do not): a client
// reading Metadata from another broker right after may see the old replicas or leader for moments.
//
// ElectLeaders with no partitions named asks the controller again while it says there are more
// (it makes at most maxRecordsPerOperation elections per operation), at most ELECT_ALL_ROUNDS_MAX
// times; results of the rounds are merged per topic. A round that fails after others succeeded
// answers the elections made so far with the failure as the top-level code (lost at v0).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { ElectLeadersResponse as ControllerElectLeadersResponse } from '../../../quorum/controller/replication/elect-leaders.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ElectLeadersPartitionResult,
  ElectLeadersRequest,
  ElectLeadersResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../protocol/index.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';

/** Rounds of an all-partitions ElectLeaders (each makes at most maxRecordsPerOperation elections). */
export const ELECT_ALL_ROUNDS_MAX = 100;

export const handleAlterPartitionReassignments: KafkaHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call(
      'alterPartitionReassignments',
      { topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, replicas: p.replicas })) })) },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: r.responses.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: p.errorCode, errorMessage: p.errorMessage })),
      })),
    };
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    return {
      throttleTimeMs: 0,
      ...f,
      responses: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...f })) })),
    };
  }
};

export const handleListPartitionReassignments: KafkaHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call(
      'listPartitionReassignments',
      { topics: request.topics === null ? null : request.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: r.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          replicas: [...p.replicas],
          addingReplicas: [...p.addingReplicas],
          removingReplicas: [...p.removingReplicas],
        })),
      })),
    };
  } catch (e) {
    return { throttleTimeMs: 0, ...forwardFailure(e, 'admin'), topics: [] };
  }
};

/** Adds one round's results, merging a topic the previous round stopped in the middle of. */
function merge(into: Map<string, ElectLeadersPartitionResult[]>, response: ControllerElectLeadersResponse): void {
  for (const t of response.results) {
    const partitions = into.get(t.topic) ?? [];
    for (const p of t.partitions) partitions.push({ partitionId: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage });
    into.set(t.topic, partitions);
  }
}

export const handleElectLeaders: KafkaHandler<ElectLeadersRequest, ElectLeadersResponse> = async (ctx, request) => {
  const partitions = request.topicPartitions === null ? null : request.topicPartitions.map((t) => ({ topic: t.topic, partitionIds: t.partitions }));
  try {
    if (partitions !== null) {
      const r = await ctx.controller.call('electLeaders', { electionType: request.electionType, partitions }, { timeoutMs: ctx.controllerTimeoutMs });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: r.results.map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((p) => ({ partitionId: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage })),
        })),
      };
    }
    const byTopic = new Map<string, ElectLeadersPartitionResult[]>();
    let errorCode: number = ErrorCode.NONE;
    for (let round = 0; round < ELECT_ALL_ROUNDS_MAX; round++) {
      try {
        const r = await ctx.controller.call('electLeaders', { electionType: request.electionType, partitions: null }, { timeoutMs: ctx.controllerTimeoutMs });
        merge(byTopic, r);
        if (!r.more) break;
      } catch (e) {
        if (round === 0) throw e;
        // The elections of the earlier rounds are made: answer them, and the failure at the top (v1+).
        errorCode = forwardFailure(e, 'admin').errorCode;
        break;
      }
    }
    return { throttleTimeMs: 0, errorCode, replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })) };
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    return {
      throttleTimeMs: 0,
      errorCode: f.errorCode,
      replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((partitionId) => ({ partitionId, ...f })) })),
    };
  }
};
