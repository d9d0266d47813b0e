// The data bench:vs-zk writes, the same for both systems: topics of 10 partitions, named alike in
// ZooKeeper and in metaquorum. In ZooKeeper they sit where ZooKeeper-mode Kafka keeps them
// (/brokers/topics/<t> holding the assignment, /partitions, /partitions/<p>, and the ~200-byte
// partition state in /partitions/<p>/state: 22 znodes per topic); in metaquorum they are topics
// created through CreateTopics (a TopicRecord and 10 PartitionRecords).
//
// The state value is the shape perf-anchors.md A.4 measured ZooKeeper with (a KRaft-era partition
// state with ELR fields and a topic id, ~206 bytes), so that the figures compare with the anchors.

import { kafkaJson, kafkaUuid, type ZnodeSpec } from '../../zookeeper/kafka-trees.js';

export const TOPICS_ROOT = '/brokers/topics';
export const PARTITIONS_PER_TOPIC = 10;
const REPLICAS = [1, 2, 3] as const;

const pad = (i: number) => String(i).padStart(5, '0');
/** The topics the write workloads (throughput, latency, failover) update. */
export const writeTopic = (i: number) => `vs-w-${pad(i)}`;
/** Bulk creation: one set per trial, so that trials never collide. */
export const bulkTopic = (trial: number, i: number) => `vs-b${trial}-${pad(i)}`;
/** The topics that grow the metadata to the large cold-load size. */
export const growTopic = (i: number) => `vs-g-${pad(i)}`;
export const names = (n: number, name: (i: number) => string) => Array.from({ length: n }, (_, i) => name(i));

export const topicPath = (topic: string) => `${TOPICS_ROOT}/${topic}`;
export const statePath = (topic: string, partition: number) => `${topicPath(topic)}/partitions/${partition}/state`;

const topicIds = new Map<string, string>();
/** The topic's id, derived from its name (cached: the write loops ask for it on every write). */
const topicId = (topic: string) => {
  let id = topicIds.get(topic);
  if (id === undefined) topicIds.set(topic, (id = kafkaUuid(topic)));
  return id;
};

/** A partition state as ZooKeeper holds it (~206 bytes); `epoch` makes successive writes differ. */
export function partitionState(topic: string, epoch: number): Buffer {
  return Buffer.from(
    `{"version":1,"controller_epoch":7,"leader":${REPLICAS[0]},"leader_epoch":${epoch},"partition_epoch":${epoch},"isr":[${REPLICAS.join(',')}],"replicas":[${REPLICAS.join(',')}],"elr":[],"last_known_elr":[],"leader_recovery_state":0,"topic_id":"${topicId(topic)}"}`,
  );
}

/** The topic's assignment document (Kafka's topic znode, version 3 with a topic id). */
export function topicAssignment(topic: string): Buffer {
  const partitions: Record<number, readonly number[]> = {};
  for (let p = 0; p < PARTITIONS_PER_TOPIC; p++) partitions[p] = REPLICAS;
  return Buffer.from(kafkaJson.topic(3, partitions, { topicId: topicId(topic) }));
}

/** Every znode of one topic, parents first (what one multi creates): 22 for 10 partitions. */
export function topicZnodes(topic: string): ZnodeSpec[] {
  const nodes: ZnodeSpec[] = [{ path: topicPath(topic), data: topicAssignment(topic) }, { path: `${topicPath(topic)}/partitions` }];
  for (let p = 0; p < PARTITIONS_PER_TOPIC; p++) {
    nodes.push({ path: `${topicPath(topic)}/partitions/${p}` }, { path: statePath(topic, p), data: partitionState(topic, 0) });
  }
  return nodes;
}
