// CreateTopics, DeleteTopics and CreatePartitions: forwarded to the active controller (which
// validates names, counts, assignments and configs with Kafka's error codes), answered per topic.
// A controller that cannot be reached within the timeout answers NOT_CONTROLLER per topic (the code
// kafkajs's admin retries); -1 partitions or replication factor mean the cluster default (kafkajs sends -1
// at every version, reference §0 rule 6).
//
// Read-your-writes: a write the controller accepted is answered only once this broker's own image
// shows it (the topic exists with its new id, is gone, has its new partition count), waiting at
// most READ_YOUR_WRITES_WAIT_MS; the client's next Metadata request to this broker then sees its
// write. kafkajs's createTopics polls this very broker for the new topic's leaders and gives up on
// UNKNOWN_TOPIC_OR_PARTITION, which a broker still catching up after a controller failover would
// answer. If the image is slower than that, the answer goes out anyway: the write is committed.
//
// The request's own timeout_ms bounds the wait for the image, counted from the request's arrival.
// It does not cut the forward: the controller is not told a deadline, so a write abandoned at it
// could still be applied, and the client's retry would meet TOPIC_ALREADY_EXISTS (Kafka passes the
// deadline to its controller; not done here). A timeout_ms of 0 or less is Kafka's "do not wait":
// the write is forwarded and its outcome answered (refusals included), the image not awaited.
//
// Each forward names the client (its principal's name, its client id) so the active controller
// charges the partitions to its controller_mutation_rate (quorum/controller/quotas/); the
// controller's throttle time is the answer's throttle_time_ms, and the connection stops reading
// the client's requests that long (../kafka-connection.ts), as Kafka mutes a throttled channel.

import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../protocol/index.js';
import type { KafkaClient, KafkaContext, KafkaHandler } from './context.js';
import type { MutationQuotaClaim } from '../../../quorum/controller/quotas/controller-mutation-quotas.js';
import { ANONYMOUS_PRINCIPAL } from '../../../quorum/net/principal.js';
import { forwardFailure } from './controller-failure.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';

/** The longest a forwarded topic write waits for this broker's image to show it. */
export const READ_YOUR_WRITES_WAIT_MS = 5_000;

/**
 * What is left of the request's timeout_ms, now, for the image to show the write (at most
 * READ_YOUR_WRITES_WAIT_MS). The forward itself keeps the broker's own bound: the controller is not
 * told the deadline, so a forward abandoned at it could still be applied (see the header).
 */
function imageWaitBudget(requestTimeoutMs: number): () => number {
  const startedMs = performance.now();
  return () => Math.min(READ_YOUR_WRITES_WAIT_MS, Math.floor(requestTimeoutMs - (performance.now() - startedMs)));
}

async function untilVisible(ctx: KafkaContext, waitLeftMs: () => number, tests: ((image: MetadataImageView) => boolean)[]): Promise<void> {
  const waitMs = waitLeftMs();
  if (tests.length > 0 && waitMs > 0) await ctx.awaitImage((image) => tests.every((t) => t(image)), waitMs);
}

/** Kafka's first versions at which a controller_mutation_rate refuses a topic instead of only throttling (KIP-599). */
const STRICT_SINCE = { createTopics: 6, deleteTopics: 5, createPartitions: 3 } as const;

/**
 * The controller's throttle time as the client should wait it from the answer: less the time since
 * the forward went out (the commit, the wait for this broker's image), as Kafka deducts the time
 * since it recorded the charge.
 */
function throttleClock(): (throttleMs: number | undefined) => number {
  const sentMs = performance.now();
  return (throttleMs) => (throttleMs === undefined || throttleMs <= 0 ? 0 : Math.max(0, Math.round(throttleMs - (performance.now() - sentMs))));
}

/** Who the forwarded write is charged to. */
function quotaClaim(client: KafkaClient | undefined, version: number, api: keyof typeof STRICT_SINCE): MutationQuotaClaim {
  const principal = client?.principal ?? ANONYMOUS_PRINCIPAL;
  return { user: principal.slice(principal.indexOf(':') + 1), clientId: client?.clientId ?? '', strict: version >= STRICT_SINCE[api] };
}

export const handleCreateTopics: KafkaHandler<CreateTopicsRequest, CreateTopicsResponse> = async (ctx, request, version, client) => {
  const waitLeftMs = imageWaitBudget(request.timeoutMs);
  const throttleLeft = throttleClock();
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
        mutationQuota: quotaClaim(client, version, 'createTopics'),
      },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    if (!request.validateOnly) {
      await untilVisible(
        ctx,
        waitLeftMs,
        r.topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => (image) => image.topicByName(t.name)?.topicId === t.topicId),
      );
    }
    return { throttleTimeMs: throttleLeft(r.throttleTimeMs), topics: r.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) };
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};

export const handleDeleteTopics: KafkaHandler<DeleteTopicsRequest, DeleteTopicsResponse> = async (ctx, request, version, client) => {
  const waitLeftMs = imageWaitBudget(request.timeoutMs);
  const throttleLeft = throttleClock();
  try {
    const before = ctx.image();
    const r = await ctx.controller.call(
      'deleteTopics',
      { topics: request.topicNames.map((name) => ({ name, topicId: null })), mutationQuota: quotaClaim(client, version, 'deleteTopics') },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    await untilVisible(
      ctx,
      waitLeftMs,
      r.responses
        .filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null)
        .map((t) => {
          const id = before.topicByName(t.name!)?.topicId;
          return (image) => image.topicByName(t.name!) === undefined || image.topicByName(t.name!)?.topicId !== id;
        }),
    );
    return { throttleTimeMs: throttleLeft(r.throttleTimeMs), responses: r.responses.map((t, i) => ({ name: t.name ?? request.topicNames[i] ?? '', errorCode: t.errorCode })) };
  } catch (e) {
    const { errorCode } = forwardFailure(e, 'admin');
    return { throttleTimeMs: 0, responses: request.topicNames.map((name) => ({ name, errorCode })) };
  }
};

export const handleCreatePartitions: KafkaHandler<CreatePartitionsRequest, CreatePartitionsResponse> = async (ctx, request, version, client) => {
  const waitLeftMs = imageWaitBudget(request.timeoutMs);
  const throttleLeft = throttleClock();
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
        mutationQuota: quotaClaim(client, version, 'createPartitions'),
      },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    if (!request.validateOnly) {
      const counts = new Map(request.topics.map((t) => [t.name, t.count]));
      await untilVisible(
        ctx,
        waitLeftMs,
        r.results
          .filter((t) => t.errorCode === ErrorCode.NONE)
          .map((t) => (image) => (image.topicByName(t.name)?.partitions.length ?? Infinity) >= (counts.get(t.name) ?? 0)),
      );
    }
    return { throttleTimeMs: throttleLeft(r.throttleTimeMs), results: r.results.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) };
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    return { throttleTimeMs: 0, results: request.topics.map((t) => ({ name: t.name, ...f })) };
  }
};
