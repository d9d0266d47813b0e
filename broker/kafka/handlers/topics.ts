// CreateTopics, DeleteTopics and CreatePartitions: forwarded to the active controller (which
// validates names, counts, assignments and configs with Kafka's error codes), answered per topic.
// A controller that cannot be reached within the timeout answers NOT_CONTROLLER per topic (the code
// kafkajs's admin retries); -1 partitions or replication factor mean the cluster default (kafkajs sends -1
// at every version, reference §0 rule 6).

import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../protocol/index.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';

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
    const f = forwardFailure(e, 'admin');
    return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};

export const handleDeleteTopics: KafkaHandler<DeleteTopicsRequest, DeleteTopicsResponse> = async (ctx, request) => {
  try {
    const r = await ctx.controller.call('deleteTopics', { topics: request.topicNames.map((name) => ({ name, topicId: null })) }, { timeoutMs: ctx.controllerTimeoutMs });
    return { throttleTimeMs: 0, responses: r.responses.map((t, i) => ({ name: t.name ?? request.topicNames[i] ?? '', errorCode: t.errorCode })) };
  } catch (e) {
    const { errorCode } = forwardFailure(e, 'admin');
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
    const f = forwardFailure(e, 'admin');
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};
