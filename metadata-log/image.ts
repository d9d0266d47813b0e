// MetadataImage: one immutable state of the metadata log at a provenance (DESIGN §6). Built only by
// MetadataDelta.apply (./delta.ts); read through MetadataImageView (./image-types.ts).
//
// Memory (target ≤ 600 heap bytes per partition at 1M partitions): the big maps are persistent
// (./pmap.ts) so a new image shares everything its delta did not touch; partitions are plain
// objects of one fixed shape made by `makePartition`, whose ISR is the replicas array itself when
// the two are equal and whose empty lists are one shared frozen array.

import type {
  BrokerRegistration,
  CommittedOffset,
  MetadataImageView,
  PartitionRegistration,
  Provenance,
  StoredAcl,
  StoredClientQuota,
  StoredScramUser,
  StoredGroupMetadata,
  TopicImage,
} from './image-types.js';
import { clientQuotaEntityKey, offsetKey } from './image-types.js';
import { PMap } from './pmap.js';
import { EMPTY_IDS } from './records/index.js';
import type { ClientQuotaEntityPart, ConfigResourceType, LeaderRecoveryState, Uuid, ZkMigrationStateValue } from './records/types.js';

// EMPTY_IDS (the codec's): the one frozen empty id list every decoded record and every partition
// shares, so a bug that pushes into it throws instead of corrupting every partition.
export { EMPTY_IDS };

const EMPTY_CONFIG: ReadonlyMap<string, string> = new Map();

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shareEmpty(ids: readonly number[]): readonly number[] {
  return ids.length === 0 ? EMPTY_IDS : ids;
}

/**
 * The only way partitions are made, so every partition has the same hidden class (one object
 * literal, properties in one order) and the sharing rules hold. The arrays are kept, not copied:
 * callers hand over arrays nobody mutates (decoded records, or arrays they built).
 */
export function makePartition(
  replicas: readonly number[],
  isr: readonly number[],
  removingReplicas: readonly number[],
  addingReplicas: readonly number[],
  leader: number,
  leaderRecoveryState: LeaderRecoveryState,
  leaderEpoch: number,
  partitionEpoch: number,
): PartitionRegistration {
  const r = shareEmpty(replicas);
  return {
    replicas: r,
    isr: sameIds(isr, r) ? r : shareEmpty(isr),
    removingReplicas: shareEmpty(removingReplicas),
    addingReplicas: shareEmpty(addingReplicas),
    leader,
    leaderRecoveryState,
    leaderEpoch,
    partitionEpoch,
  };
}

/** One config resource's explicit keys. */
export interface ConfigResourceImage {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly entries: ReadonlyMap<string, string>;
}

/** The key of a config resource in the image's config map. */
export function configResourceKey(resourceType: ConfigResourceType, resourceName: string): string {
  return `${resourceType}\u0000${resourceName}`;
}

/** Everything an image holds; MetadataDelta.apply assembles one. */
export interface ImageParts {
  readonly provenance: Provenance;
  readonly features: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  /** `brokers` values ascending by id (kept so brokers() never sorts). */
  readonly sortedBrokers: readonly BrokerRegistration[];
  readonly topicsById: PMap<TopicImage>;
  /**
   * Topic ids by name. Ids, not the topics: a change to a topic's partitions (the commonest record
   * by far) then leaves this index as it is, one path copy per change fewer.
   */
  readonly topicIdsByName: PMap<Uuid>;
  /**
   * Names holding '.' or '_', by their unified form ('.' as '_'), as Kafka's topicsWithCollisionChars:
   * CreateTopics refuses a name colliding with one, and looking it up must not cost a scan (a
   * review blocked the controller for seconds with one request of dotted names on 20,000 topics).
   */
  readonly topicsByUnifiedName: PMap<readonly string[]>;
  readonly partitionCount: number;
  /** Keyed by configResourceKey; a resource with no keys is absent. */
  readonly configs: PMap<ConfigResourceImage>;
  /** Group id -> offsets keyed by offsetKey; a group with no offsets is absent. */
  readonly groups: PMap<PMap<CommittedOffset>>;
  /** Group id -> its stored membership (GroupMetadata records); a group without one is absent. */
  readonly groupMetadata: PMap<StoredGroupMetadata>;
  readonly nextProducerId: number;
  readonly zkMigrationState: ZkMigrationStateValue;
  /** ACLs by their id (AccessControlEntry records). */
  readonly acls: PMap<StoredAcl>;
  /** Client quotas by clientQuotaEntityKey; an entity with no keys is absent. */
  readonly clientQuotas: PMap<StoredClientQuota>;
  /** SCRAM credentials by user name; a user with none is absent. */
  readonly scramUsers: PMap<StoredScramUser>;
}

export class MetadataImage implements MetadataImageView {
  static readonly EMPTY: MetadataImage = new MetadataImage({
    provenance: { endOffset: 0, epoch: 0 },
    features: new Map(),
    brokers: new Map(),
    sortedBrokers: [],
    topicsById: PMap.empty(),
    topicIdsByName: PMap.empty(),
    topicsByUnifiedName: PMap.empty(),
    partitionCount: 0,
    configs: PMap.empty(),
    groups: PMap.empty(),
    groupMetadata: PMap.empty(),
    nextProducerId: 0,
    zkMigrationState: 0,
    acls: PMap.empty(),
    clientQuotas: PMap.empty(),
    scramUsers: PMap.empty(),
  });

  readonly provenance: Provenance;
  readonly partitionCount: number;
  readonly nextProducerId: number;
  readonly zkMigrationState: ZkMigrationStateValue;
  /** The parts, for MetadataDelta and the snapshot writer; read-only like the rest. */
  readonly parts: ImageParts;

  constructor(parts: ImageParts) {
    this.parts = parts;
    this.provenance = parts.provenance;
    this.partitionCount = parts.partitionCount;
    this.nextProducerId = parts.nextProducerId;
    this.zkMigrationState = parts.zkMigrationState;
  }

  /** The same state at a later provenance (offsets that carried no state change). */
  withProvenance(provenance: Provenance): MetadataImage {
    return new MetadataImage({ ...this.parts, provenance });
  }

  featureLevel(name: string): number | undefined {
    return this.parts.features.get(name);
  }

  features(): ReadonlyMap<string, number> {
    return this.parts.features;
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.parts.brokers.get(brokerId);
  }

  brokers(): readonly BrokerRegistration[] {
    return this.parts.sortedBrokers;
  }

  get brokerCount(): number {
    return this.parts.brokers.size;
  }

  topicById(topicId: Uuid): TopicImage | undefined {
    return this.parts.topicsById.get(topicId);
  }

  topicNamesUnifiedAs(unified: string): readonly string[] {
    return this.parts.topicsByUnifiedName.get(unified) ?? [];
  }

  topicByName(name: string): TopicImage | undefined {
    const id = this.parts.topicIdsByName.get(name);
    return id === undefined ? undefined : this.parts.topicsById.get(id);
  }

  topics(): IterableIterator<TopicImage> {
    return this.parts.topicsById.values();
  }

  get topicCount(): number {
    return this.parts.topicsById.size;
  }

  configs(resourceType: ConfigResourceType, resourceName: string): ReadonlyMap<string, string> {
    return this.parts.configs.get(configResourceKey(resourceType, resourceName))?.entries ?? EMPTY_CONFIG;
  }

  groupOffsets(groupId: string): ReadonlyMap<string, CommittedOffset> | undefined {
    return this.parts.groups.get(groupId);
  }

  committedOffset(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.parts.groups.get(groupId)?.get(offsetKey(topic, partition));
  }

  groupIds(): IterableIterator<string> {
    return this.parts.groups.keys();
  }

  groupMetadata(groupId: string): StoredGroupMetadata | undefined {
    return this.parts.groupMetadata.get(groupId);
  }

  groupMetadataIds(): IterableIterator<string> {
    return this.parts.groupMetadata.keys();
  }

  acls(): IterableIterator<StoredAcl> {
    return this.parts.acls.values();
  }

  acl(id: Uuid): StoredAcl | undefined {
    return this.parts.acls.get(id);
  }

  get aclCount(): number {
    return this.parts.acls.size;
  }

  clientQuotas(): IterableIterator<StoredClientQuota> {
    return this.parts.clientQuotas.values();
  }

  clientQuota(entity: readonly ClientQuotaEntityPart[]): StoredClientQuota | undefined {
    return this.parts.clientQuotas.get(clientQuotaEntityKey(entity));
  }

  get clientQuotaCount(): number {
    return this.parts.clientQuotas.size;
  }

  scramUsers(): IterableIterator<StoredScramUser> {
    return this.parts.scramUsers.values();
  }

  scramUser(name: string): StoredScramUser | undefined {
    return this.parts.scramUsers.get(name);
  }

  get scramUserCount(): number {
    return this.parts.scramUsers.size;
  }
}
