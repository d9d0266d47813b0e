// Builders for the replication-control tests: images made by replaying records (the one way state
// changes), a context, and a seeded random source.

import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { PartitionRegistration } from '../../metadata-log/image-types.js';
import type { MetadataRecord, PartitionRecord, RegisterBrokerRecord, Uuid } from '../../metadata-log/records/types.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import type { OpContext } from '../../quorum/controller/op.js';
import { Prng } from '../../quorum/sim/prng.js';

export function rng(seed = 1): Prng {
  return new Prng(seed);
}

const idSource = rng(4242);
/** A fixed topic id per label, so tests can name topics by a readable label. */
const ids = new Map<string, Uuid>();
export function tid(label: string): Uuid {
  let id = ids.get(label);
  if (id === undefined) ids.set(label, (id = randomUuid(idSource)));
  return id;
}

export interface BrokerSpec {
  readonly id: number;
  readonly rack?: string | null;
  readonly fenced?: boolean;
  readonly shutdown?: boolean;
  readonly epoch?: number;
}

export function broker(spec: BrokerSpec): RegisterBrokerRecord {
  return {
    type: 'RegisterBroker',
    brokerId: spec.id,
    incarnationId: tid(`incarnation-${spec.id}`),
    brokerEpoch: spec.epoch ?? 100 + spec.id,
    endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 + spec.id, securityProtocol: 'PLAINTEXT' }],
    rack: spec.rack ?? null,
    fenced: spec.fenced ?? false,
    inControlledShutdown: spec.shutdown ?? false,
    features: [],
  };
}

/** Unfenced brokers 1..n (rack-less). */
export function brokers(n: number): RegisterBrokerRecord[] {
  return Array.from({ length: n }, (_, i) => broker({ id: i + 1 }));
}

export interface PartitionSpec {
  readonly replicas: readonly number[];
  readonly isr?: readonly number[];
  /** Default: isr[0] or -1. */
  readonly leader?: number;
  readonly leaderEpoch?: number;
  readonly partitionEpoch?: number;
  readonly leaderRecoveryState?: 0 | 1;
}

export function partitionRecord(topicId: Uuid, partitionId: number, spec: PartitionSpec): PartitionRecord {
  const isr = spec.isr ?? spec.replicas;
  return {
    type: 'Partition',
    topicId,
    partitionId,
    replicas: spec.replicas,
    isr,
    removingReplicas: [],
    addingReplicas: [],
    leader: spec.leader ?? isr[0] ?? -1,
    leaderRecoveryState: spec.leaderRecoveryState ?? 0,
    leaderEpoch: spec.leaderEpoch ?? 0,
    partitionEpoch: spec.partitionEpoch ?? 0,
  };
}

/** A Topic record (id = tid(name)) and its partitions. */
export function topic(name: string, partitions: readonly PartitionSpec[], configs: Record<string, string> = {}): MetadataRecord[] {
  const topicId = tid(name);
  return [
    { type: 'Topic', name, topicId },
    ...Object.entries(configs).map(([key, value]): MetadataRecord => ({ type: 'Config', resourceType: 'topic', resourceName: name, name: key, value })),
    ...partitions.map((p, i) => partitionRecord(topicId, i, p)),
  ];
}

export function image(records: readonly MetadataRecord[]): MetadataImage {
  return imageOf(records);
}

export function apply(base: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return replayAll(base, records, { endOffset: base.provenance.endOffset + records.length, epoch: 1 });
}

export function ctx(img: MetadataImage, overrides: Partial<Omit<ControllerConfig, 'clusterId'>> = {}): OpContext {
  return { image: img, nowMs: 0, nextWriteOffset: img.provenance.endOffset, config: controllerConfig('test-cluster', overrides) };
}

export function part(img: MetadataImage, topicName: string, partitionId: number): PartitionRegistration {
  const p = img.topicByName(topicName)?.partitions[partitionId];
  if (p === undefined) throw new Error(`no partition ${topicName}-${partitionId}`);
  return p;
}
