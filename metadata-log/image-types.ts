// The read side of a MetadataImage (DESIGN §6), as interfaces, so that the controller, the broker
// and the tools are written against this surface while ./image.ts owns the representation.
//
// An image is immutable. Arrays handed out are shared with the image: never mutate them.

import type { AclBinding, ClientQuotaEntityPart, ConfigResourceType, GroupMetadataRecord, PartitionRecord, RegisterBrokerRecord, ScramMechanism, Uuid, ZkMigrationStateValue } from './records/types.js';

/** A broker's registration: its RegisterBroker record, as amended by BrokerRegistrationChange. */
export type BrokerRegistration = Omit<RegisterBrokerRecord, 'type'>;

/** A partition's state: its Partition record, as amended by PartitionChange (epochs bumped on replay). */
export type PartitionRegistration = Omit<PartitionRecord, 'type' | 'topicId' | 'partitionId'>;

/** An ACL in the image: its binding and the id its AccessControlEntry record gave it. */
export interface StoredAcl extends AclBinding {
  readonly id: Uuid;
}

/** A client entity's quotas (ClientQuota records): key -> value; never empty in an image. */
export interface StoredClientQuota {
  /** In canonical order (user, client-id, ip). */
  readonly entity: readonly ClientQuotaEntityPart[];
  readonly values: ReadonlyMap<string, number>;
}

/** One SCRAM credential (a UserScramCredential record without its user and mechanism). */
export interface ScramCredential {
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly iterations: number;
}

/** A user's SCRAM credentials by mechanism; never empty in an image. */
export interface StoredScramUser {
  readonly name: string;
  readonly credentials: ReadonlyMap<ScramMechanism, ScramCredential>;
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: Uuid;
  /** Indexed by partition id (0..n-1, dense). */
  readonly partitions: readonly PartitionRegistration[];
}

export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: number;
  /** Set by an OffsetCommit v2-v4 retention_time_ms (metadata-log/offset-expiry-rule.ts); absent: the broker's retention applies. */
  readonly expireTimestampMs?: number;
}

/** A group's membership as its coordinator last stored it (its GroupMetadata record). */
export type StoredGroupMetadata = Omit<GroupMetadataRecord, 'type'>;

/** Where an image stands in the log: every record below `endOffset` is in it. */
export interface Provenance {
  /** Exclusive: the offset of the next record to replay. */
  readonly endOffset: number;
  /** The epoch of the last record replayed (0 for the empty image). */
  readonly epoch: number;
}

export interface MetadataImageView {
  readonly provenance: Provenance;

  /** Finalized feature levels (metadata.version among them). */
  featureLevel(name: string): number | undefined;
  features(): ReadonlyMap<string, number>;

  broker(brokerId: number): BrokerRegistration | undefined;
  /** All registered brokers, ascending id. */
  brokers(): readonly BrokerRegistration[];
  readonly brokerCount: number;

  topicById(topicId: Uuid): TopicImage | undefined;
  topicByName(name: string): TopicImage | undefined;
  /** Names of topics holding '.' or '_' whose unified form ('.' as '_') is `unified` (the collision check). */
  topicNamesUnifiedAs(unified: string): readonly string[];
  /** All topics (no particular order unless sorted by the caller). */
  topics(): IterableIterator<TopicImage>;
  readonly topicCount: number;
  readonly partitionCount: number;

  /** A resource's explicit config keys (no defaults applied); empty when none. */
  configs(resourceType: ConfigResourceType, resourceName: string): ReadonlyMap<string, string>;

  /** The first producer id not yet handed out (0 when none ever was). */
  readonly nextProducerId: number;

  /** A group's committed offsets, keyed `${topic}\u0000${partition}`; undefined when the group holds none. */
  groupOffsets(groupId: string): ReadonlyMap<string, CommittedOffset> | undefined;
  committedOffset(groupId: string, topic: string, partition: number): CommittedOffset | undefined;
  groupIds(): IterableIterator<string>;
  /** The group's stored membership (GroupMetadata), undefined when none is stored (never completed a rebalance, or emptied). */
  groupMetadata(groupId: string): StoredGroupMetadata | undefined;
  /** Ids of the groups with stored membership. */
  groupMetadataIds(): IterableIterator<string>;

  readonly zkMigrationState: ZkMigrationStateValue;

  /** Every ACL (no particular order). */
  acls(): IterableIterator<StoredAcl>;
  acl(id: Uuid): StoredAcl | undefined;
  readonly aclCount: number;

  /** Every client entity with a quota (no particular order). */
  clientQuotas(): IterableIterator<StoredClientQuota>;
  /** The quotas of one entity (its parts in any order), undefined when it has none. */
  clientQuota(entity: readonly ClientQuotaEntityPart[]): StoredClientQuota | undefined;
  readonly clientQuotaCount: number;

  /** Every user with a SCRAM credential (no particular order). */
  scramUsers(): IterableIterator<StoredScramUser>;
  /** One user's SCRAM credentials, undefined when it has none. */
  scramUser(name: string): StoredScramUser | undefined;
  readonly scramUserCount: number;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The image's key of a client quota entity: its parts in canonical order, a null name apart from every string. */
export function clientQuotaEntityKey(entity: readonly ClientQuotaEntityPart[]): string {
  const order = (t: ClientQuotaEntityPart['entityType']) => (t === 'user' ? 0 : t === 'client-id' ? 1 : 2);
  const parts = entity.length < 2 ? entity : [...entity].sort((a, b) => order(a.entityType) - order(b.entityType));
  return JSON.stringify(parts.map((p) => [p.entityType, p.entityName]));
}

/** offsetKey's inverse. */
export function splitOffsetKey(key: string): { readonly topic: string; readonly partition: number } {
  const at = key.lastIndexOf('\u0000');
  if (at < 0) throw new Error(`malformed offset key ${JSON.stringify(key)}`);
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}
