// Metadata from the broker's own image (reference/kafka-protocol.md §0 rules): every registered,
// unfenced broker with its endpoint on the listener the request came in on; a controller id that is
// one of those brokers (kafkajs looks it up there to send admin requests; the broker forwards them
// to the active controller); topics with leader, replicas, ISR and offline replicas. Error codes as
// Kafka's KRaftMetadataCache and KafkaApis answer them (kafkajs retries on some of them only):
//   - a partition whose leader has no live endpoint on this listener is answered with leader -1:
//     LEADER_NOT_AVAILABLE (5) when the leader is none, unregistered or fenced; LISTENER_NOT_FOUND
//     (72, from v6; 5 below) when it is a live broker registered without this listener;
//   - a topic that does not exist: INVALID_TOPIC_EXCEPTION (17) for a name no topic can have, else
//     UNKNOWN_TOPIC_OR_PARTITION (3), or, when the client allows it and auto.create.topics.enable is
//     set, created first: LEADER_NOT_AVAILABLE (5, retried by kafkajs) while this broker's image
//     has yet to show it, the controller's own error when it refused.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import { INTERNAL_TOPICS, topicNameError } from '../../../quorum/controller/replication/topic-names.js';
import type { MetadataBroker, MetadataPartition, MetadataRequest, MetadataResponse, MetadataTopic } from '../protocol/index.js';
import type { KafkaContext, KafkaHandler } from './context.js';

function liveBrokers(image: MetadataImageView, listenerName: string): MetadataBroker[] {
  const out: MetadataBroker[] = [];
  for (const b of image.brokers()) {
    if (b.fenced) continue;
    const e = b.endpoints.find((x) => x.name === listenerName);
    if (e === undefined) continue;
    out.push({ nodeId: b.brokerId, host: e.host, port: e.port, rack: b.rack });
  }
  return out;
}

/** Why a partition led by `leader` has no leader a client on `listenerName` can reach, or NONE. */
function leaderError(image: MetadataImageView, leader: number, live: ReadonlySet<number>, listenerName: string, version: number): number {
  if (live.has(leader)) return ErrorCode.NONE;
  const registered = leader < 0 ? undefined : image.broker(leader);
  if (registered === undefined || registered.fenced) return ErrorCode.LEADER_NOT_AVAILABLE;
  // Live, but registered without this listener.
  return version >= 6 && !registered.endpoints.some((e) => e.name === listenerName) ? ErrorCode.LISTENER_NOT_FOUND : ErrorCode.LEADER_NOT_AVAILABLE;
}

function topicOf(image: MetadataImageView, name: string, live: ReadonlySet<number>, listenerName: string, version: number, missing: number): MetadataTopic {
  const t = image.topicByName(name);
  if (t === undefined) return { errorCode: missing, name, isInternal: false, partitions: [] };
  const partitions: MetadataPartition[] = t.partitions.map((p, partitionIndex) => {
    const errorCode = leaderError(image, p.leader, live, listenerName, version);
    return {
      errorCode,
      partitionIndex,
      leaderId: errorCode === ErrorCode.NONE ? p.leader : -1,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: p.replicas.filter((r) => !live.has(r)),
    };
  });
  return { errorCode: ErrorCode.NONE, name, isInternal: INTERNAL_TOPICS.has(name), partitions };
}

/** Creates `names` on the controller; the error code each is to be answered with while this broker's image lacks it. */
async function autoCreate(ctx: KafkaContext, names: readonly string[]): Promise<Map<string, number>> {
  const answers = new Map<string, number>(names.map((n) => [n, ErrorCode.LEADER_NOT_AVAILABLE]));
  try {
    const r = await ctx.controller.call(
      'createTopics',
      { topics: names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, configs: [] })), validateOnly: false },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
    for (const t of r.topics) {
      if (t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) answers.set(t.name, t.errorCode);
    }
  } catch {
    // No answer from the controller: still LEADER_NOT_AVAILABLE, which the client retries.
  }
  return answers;
}

export const handleMetadata: KafkaHandler<MetadataRequest, MetadataResponse> = async (ctx, request, version) => {
  let image = ctx.image();
  let created = new Map<string, number>();
  if (request.topics !== null && request.allowAutoTopicCreation && ctx.autoCreateTopicsEnable) {
    const missing = [...new Set(request.topics)].filter((n) => image.topicByName(n) === undefined && topicNameError(n) === null);
    if (missing.length > 0) {
      created = await autoCreate(ctx, missing);
      image = ctx.image();
    }
  }
  const missingCode = (name: string) =>
    topicNameError(name) !== null ? ErrorCode.INVALID_TOPIC_EXCEPTION : (created.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const brokers = liveBrokers(image, ctx.listenerName);
  const live = new Set(brokers.map((b) => b.nodeId));
  // Each topic once, as Kafka answers (it reads the list into a set): a name repeated N times is not N answers.
  const names = request.topics !== null ? [...new Set(request.topics)] : [...image.topics()].map((t) => t.name).sort();
  // The controller id must be a live broker: this one when it is registered and live, else the lowest.
  const controllerId = live.has(ctx.brokerId) ? ctx.brokerId : (brokers[0]?.nodeId ?? -1);
  return {
    throttleTimeMs: 0,
    brokers,
    clusterId: ctx.clusterId,
    controllerId,
    topics: names.map((n) => topicOf(image, n, live, ctx.listenerName, version, missingCode(n))),
  };
};
