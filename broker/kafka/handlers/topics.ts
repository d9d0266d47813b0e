// CreateTopics, DeleteTopics and CreatePartitions: forwarded to the active controller (which
// validates names, counts, assignments and configs with Kafka's error codes), answered per topic.
// A controller that cannot be reached within the timeout answers REQUEST_TIMED_OUT per topic (the
// client retries); -1 partitions or replication factor mean the cluster default (kafkajs sends -1
// at every version, reference §0 rule 6).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import { RemoteError } from '../../../quorum/net/types.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../protocol/index.js';
import type { KafkaHandler } from './context.js';

/** A forwarding failure as one error code and message for every item of the request. */
export function forwardingFailure(e: unknown): { errorCode: number; errorMessage: string } {
  if (e instanceof RemoteError) return { errorCode: e.code, errorMessage: e.message };
  return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: `the controller did not answer: ${e instanceof Error ? e.message : String(e)}` };
}

export const handleCreateTopics: KafkaHandler<CreateTopicsRequest, CreateTopicsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call(
      'createTopics',
      {
        topics: request.topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          ...(t.assignments.length > 0 ? { assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })) } : {}),
          configs: t.configs.map((c) => ({ name: c.name, value: c.value })),
        })),
        validateOnly: request.validateOnly,
      },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    return { throttleTimeMs: 0, topics: r.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) };
  } catch (e) {
    const f = forwardingFailure(e);
    return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};

export const handleDeleteTopics: KafkaHandler<DeleteTopicsRequest, DeleteTopicsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call('deleteTopics', { topics: request.topicNames.map((name) => ({ name, topicId: null })) }, { timeoutMs: ctx.controllerTimeoutMs });
    return { throttleTimeMs: 0, responses: r.responses.map((t, i) => ({ name: t.name ?? request.topicNames[i] ?? '', errorCode: t.errorCode })) };
  } catch (e) {
    const { errorCode } = forwardingFailure(e);
    return { throttleTimeMs: 0, responses: request.topicNames.map((name) => ({ name, errorCode })) };
  }
};

export const handleCreatePartitions: KafkaHandler<CreatePartitionsRequest, CreatePartitionsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call(
      'createPartitions',
      {
        topics: request.topics.map((t) => ({
          name: t.name,
          count: t.count,
          assignments: t.assignments === null ? null : t.assignments.map((brokerIds) => ({ brokerIds: brokerIds ?? [] })),
        })),
        validateOnly: request.validateOnly,
      },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    return { throttleTimeMs: 0, results: r.results.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) };
  } catch (e) {
    const f = forwardingFailure(e);
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};
