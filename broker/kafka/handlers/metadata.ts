// Metadata from the broker's own image (reference/kafka-protocol.md §0 rules): every registered,
// unfenced broker with its endpoint on the listener the request came in on; a controller id that is
// one of those brokers (kafkajs looks it up there to send admin requests; the broker forwards them
// to the active controller); topics with leader, replicas, ISR and offline replicas. A topic that
// does not exist is answered with UNKNOWN_TOPIC_OR_PARTITION, or created first when the client
// allows it and auto.create.topics.enable is set.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
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

function topicOf(image: MetadataImageView, name: string, live: ReadonlySet<number>): MetadataTopic {
  const t = image.topicByName(name);
  if (t === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
  const partitions: MetadataPartition[] = t.partitions.map((p, partitionIndex) => ({
    errorCode: ErrorCode.NONE,
    partitionIndex,
    leaderId: p.leader,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    offlineReplicas: p.replicas.filter((r) => !live.has(r)),
  }));
  return { errorCode: ErrorCode.NONE, name, isInternal: false, partitions };
}

async function autoCreate(ctx: KafkaContext, names: readonly string[]): Promise<void> {
  await ctx.controller.call(
    'createTopics',
    { topics: names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, configs: [] })), validateOnly: false },
    { timeoutMs: ctx.controllerTimeoutMs },
  );
}

export const handleMetadata: KafkaHandler<MetadataRequest, MetadataResponse> = async (ctx, request) => {
  let image = ctx.image();
  if (request.topics !== null && request.allowAutoTopicCreation && ctx.autoCreateTopicsEnable) {
    const missing = request.topics.filter((n) => image.topicByName(n) === undefined);
    if (missing.length > 0) {
      try {
        await autoCreate(ctx, missing);
      } catch {
        // Reported below as unknown topics; the client retries.
      }
      image = ctx.image();
    }
  }
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
    topics: names.map((n) => topicOf(image, n, live)),
  };
};
