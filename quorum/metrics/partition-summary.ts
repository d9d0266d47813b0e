// Counts over every partition of a metadata image (offline, under-replicated, not led by their
// preferred replica, being reassigned, led per broker), for the controller's and the brokers'
// gauges. Kafka keeps such counts up to date record by record; here a scrape counts them, and the
// image makes that cheap: it is persistent, so a topic no record touched since the last scrape is
// the same TopicImage object, and its counts are remembered (a WeakMap: dropped with the topic).
// A scrape then costs one lookup per topic plus the partitions of the topics that changed.

import type { MetadataImageView, PartitionRegistration, TopicImage } from '../../metadata-log/image-types.js';

export interface PartitionCounts {
  partitions: number;
  /** No leader (Kafka's OfflinePartitionsCount). */
  offline: number;
  /** Fewer in-sync replicas than the replication factor (replicas minus those being removed). */
  underReplicated: number;
  /** Not led by the first replica (Kafka's PreferredReplicaImbalanceCount, which counts offline ones too). */
  preferredImbalance: number;
  /** With adding or removing replicas: a reassignment in flight. */
  reassigning: number;
  /** Partitions each broker leads (Kafka's LeaderCount). */
  readonly leaders: Map<number, number>;
  /** Under-replicated partitions by their leader (Kafka's UnderReplicatedPartitions, a broker's own). */
  readonly underReplicatedByLeader: Map<number, number>;
}

const emptyCounts = (): PartitionCounts => ({
  partitions: 0,
  offline: 0,
  underReplicated: 0,
  preferredImbalance: 0,
  reassigning: 0,
  leaders: new Map(),
  underReplicatedByLeader: new Map(),
});

const perTopic = new WeakMap<TopicImage, PartitionCounts>();

function addOne(c: PartitionCounts, p: PartitionRegistration): void {
  c.partitions++;
  const led = p.leader >= 0;
  if (!led) c.offline++;
  if (!led || p.leader !== p.replicas[0]) c.preferredImbalance++;
  if (p.addingReplicas.length > 0 || p.removingReplicas.length > 0) c.reassigning++;
  const under = p.isr.length < p.replicas.length - p.removingReplicas.length;
  if (under) c.underReplicated++;
  if (led) {
    c.leaders.set(p.leader, (c.leaders.get(p.leader) ?? 0) + 1);
    if (under) c.underReplicatedByLeader.set(p.leader, (c.underReplicatedByLeader.get(p.leader) ?? 0) + 1);
  }
}

function topicCounts(t: TopicImage): PartitionCounts {
  let c = perTopic.get(t);
  if (c === undefined) {
    c = emptyCounts();
    for (const p of t.partitions) addOne(c, p);
    perTopic.set(t, c);
  }
  return c;
}

function addMap(into: Map<number, number>, from: ReadonlyMap<number, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

/** The counts over every topic of `image`. */
export function partitionCounts(image: MetadataImageView): PartitionCounts {
  const total = emptyCounts();
  for (const t of image.topics()) {
    const c = topicCounts(t);
    total.partitions += c.partitions;
    total.offline += c.offline;
    total.underReplicated += c.underReplicated;
    total.preferredImbalance += c.preferredImbalance;
    total.reassigning += c.reassigning;
    addMap(total.leaders, c.leaders);
    addMap(total.underReplicatedByLeader, c.underReplicatedByLeader);
  }
  return total;
}
