// The metadata records (DESIGN §6): the only way state changes. Every change the controller makes is
// a list of these, appended to the Raft log; every node replays them through MetadataDelta.
//
// This file is the in-memory shape only (a tagged union on `type`). Each record type's wire schema
// (type id, versions, encode/decode with validation and upgrades) lives in its own file beside this
// one; the envelope codec is ./codec.ts.
//
// Conventions:
// - Ids and counts are plain numbers (safe integers). Offsets and epochs fit in 2^53.
// - Uuids (topic ids, incarnation ids) are Kafka's text form: 22 characters of URL-safe base64
//   (no padding) of 16 bytes. See ./uuid.ts.
// - Change records are diffs: a field that is `undefined` is unchanged.
// - Broker epoch = the log offset of the broker's RegisterBroker record.

export type Uuid = string;

export interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

/** A feature a broker can run, as a version range. */
export interface FeatureRange {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface RegisterBrokerRecord {
  readonly type: 'RegisterBroker';
  readonly brokerId: number;
  readonly incarnationId: Uuid;
  readonly brokerEpoch: number;
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  readonly features: readonly FeatureRange[];
}

export interface UnregisterBrokerRecord {
  readonly type: 'UnregisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface BrokerRegistrationChangeRecord {
  readonly type: 'BrokerRegistrationChange';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** true = fence, false = unfence, undefined = unchanged. */
  readonly fenced?: boolean;
  /** true = entered controlled shutdown, undefined = unchanged (it is left only by re-registering). */
  readonly inControlledShutdown?: boolean;
}

export interface TopicRecord {
  readonly type: 'Topic';
  readonly name: string;
  readonly topicId: Uuid;
}

/** 0 = recovered, 1 = recovering (after an unclean election). */
export type LeaderRecoveryState = 0 | 1;

/** No leader. */
export const NO_LEADER = -1;

export interface PartitionRecord {
  readonly type: 'Partition';
  readonly topicId: Uuid;
  readonly partitionId: number;
  /** Preferred order: replicas[0] is the preferred leader. */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  /** A broker id, or NO_LEADER. */
  readonly leader: number;
  readonly leaderRecoveryState: LeaderRecoveryState;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/**
 * A diff of one partition. Replay: any `leader` present (even the same id) bumps the leader epoch;
 * every PartitionChange bumps the partition epoch.
 */
export interface PartitionChangeRecord {
  readonly type: 'PartitionChange';
  readonly topicId: Uuid;
  readonly partitionId: number;
  readonly isr?: readonly number[];
  /** A broker id or NO_LEADER; undefined = unchanged. */
  readonly leader?: number;
  readonly replicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
  readonly addingReplicas?: readonly number[];
  readonly leaderRecoveryState?: LeaderRecoveryState;
}

export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic';
  readonly topicId: Uuid;
}

/** Kafka's ConfigResource.Type ids: TOPIC = 2, BROKER = 4. */
export type ConfigResourceType = 'topic' | 'broker';

export interface ConfigRecord {
  readonly type: 'Config';
  readonly resourceType: ConfigResourceType;
  /** Topic name, broker id as text, or '' for the cluster-wide broker default. */
  readonly resourceName: string;
  readonly name: string;
  /** null = delete the key. */
  readonly value: string | null;
}

export interface FeatureLevelRecord {
  readonly type: 'FeatureLevel';
  readonly name: string;
  /** 0 removes the feature. */
  readonly featureLevel: number;
}

export interface ProducerIdsRecord {
  readonly type: 'ProducerIds';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The first id not yet handed out (the next block starts here). */
  readonly nextProducerId: number;
}

export interface OffsetCommitRecord {
  readonly type: 'OffsetCommit';
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** -1 = unknown. */
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: number;
  /** Explicit expiry (OffsetCommit v2-v4 retention_time_ms; metadata-log/offset-expiry-rule.ts). Absent: the broker's offsets.retention.minutes. */
  readonly expireTimestampMs?: number;
}

/** Removes one committed offset (DeleteGroups writes one per offset the group holds). */
export interface OffsetCommitTombstoneRecord {
  readonly type: 'OffsetCommitTombstone';
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * One member of a consumer group as its coordinator last stored it (Kafka's MemberMetadata in
 * GroupMetadataValue): who it is, its timeouts, its metadata for the group's chosen protocol and the
 * assignment the leader gave it.
 */
export interface GroupMemberMetadata {
  readonly memberId: string;
  /** KIP-345 group.instance.id; null for a dynamic member. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** The member's metadata for the chosen protocol (a consumer's ConsumerProtocolSubscription). */
  readonly subscription: Uint8Array;
  readonly assignment: Uint8Array;
}

/**
 * GroupMetadata (ours): a consumer group's membership as its coordinator completed it (the group is
 * Stable at this generation with these members and assignments), so that a broker that takes over
 * the group's coordination resumes it instead of making every member rejoin. Replaces whatever the
 * image held for the group.
 */
export interface GroupMetadataRecord {
  readonly type: 'GroupMetadata';
  readonly groupId: string;
  readonly protocolType: string;
  readonly generationId: number;
  /** The protocol chosen for this generation (the assignor, for consumers). */
  readonly protocolName: string;
  /** The member id of the generation's leader. */
  readonly leaderId: string;
  /** Wall-clock ms when the coordinator stored this state. */
  readonly stateTimestampMs: number;
  /** At least one: a group that empties is removed with GroupMetadataTombstone. */
  readonly members: readonly GroupMemberMetadata[];
}

/** Removes a group's stored membership (it emptied or was deleted); a no-op when there is none. */
export interface GroupMetadataTombstoneRecord {
  readonly type: 'GroupMetadataTombstone';
  readonly groupId: string;
}

export interface NoOpRecord {
  readonly type: 'NoOp';
}

/** Kafka's values: 0 None, 2 PreMigration, 1 Migration, 3 PostMigration. */
export type ZkMigrationStateValue = 0 | 1 | 2 | 3;

export interface ZkMigrationStateRecord {
  readonly type: 'ZkMigrationState';
  readonly state: ZkMigrationStateValue;
}

export interface BeginTransactionRecord {
  readonly type: 'BeginTransaction';
  readonly name: string | null;
}

export interface EndTransactionRecord {
  readonly type: 'EndTransaction';
}

export interface AbortTransactionRecord {
  readonly type: 'AbortTransaction';
  readonly reason: string | null;
}

/** Kafka's ResourceType names an ACL can name (ANY and UNKNOWN are filter-only). */
export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN' | 'USER';
/** Kafka's PatternType of a stored ACL: the name exactly, or every name starting with it. */
export type AclPatternType = 'LITERAL' | 'PREFIXED';
/** Kafka's AclOperation names a stored ACL can grant or deny. */
export type AclOperation =
  | 'ALL'
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'CLUSTER_ACTION'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE'
  | 'CREATE_TOKENS'
  | 'DESCRIBE_TOKENS';
export type AclPermissionType = 'ALLOW' | 'DENY';

/** One ACL as Kafka's StandardAcl holds it: who (principal, host) may or may not do what to which resources. */
export interface AclBinding {
  readonly resourceType: AclResourceType;
  /** A name, a prefix (PREFIXED), or '*' (LITERAL: every resource of the type). The cluster is 'kafka-cluster'. */
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  /** 'User:alice', or 'User:*' for everyone. */
  readonly principal: string;
  /** An IP address, or '*' for any host. */
  readonly host: string;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

/** AccessControlEntry (Kafka's AccessControlEntryRecord): adds the ACL `id` (a controller-chosen uuid). */
export interface AccessControlEntryRecord extends AclBinding {
  readonly type: 'AccessControlEntry';
  readonly id: Uuid;
}

/** RemoveAccessControlEntry (Kafka's RemoveAccessControlEntryRecord): removes the ACL `id`. */
export interface RemoveAccessControlEntryRecord {
  readonly type: 'RemoveAccessControlEntry';
  readonly id: Uuid;
}

/** The kinds of client a quota names (Kafka's ClientQuotaEntity types). */
export type ClientQuotaEntityType = 'user' | 'client-id' | 'ip';

/** One part of a quota's entity: a user, a client id or an IP address; a null name is that kind's default. */
export interface ClientQuotaEntityPart {
  readonly entityType: ClientQuotaEntityType;
  readonly entityName: string | null;
}

/**
 * ClientQuota (Kafka's ClientQuotaRecord): sets one quota key of an entity (`remove`: deletes it).
 * The entity's parts are in canonical order (user, client-id, ip), each type at most once.
 */
export interface ClientQuotaRecord {
  readonly type: 'ClientQuota';
  readonly entity: readonly ClientQuotaEntityPart[];
  readonly key: string;
  /** The quota (a rate, or a percentage for request_percentage); 0 when `remove`. */
  readonly value: number;
  readonly remove: boolean;
}

/** Kafka's ScramMechanism types: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
export type ScramMechanism = 1 | 2;

/**
 * UserScramCredential (Kafka's UserScramCredentialRecord): the SCRAM credential of user `name` for
 * one mechanism (replacing any it had): RFC 5802's salt, StoredKey, ServerKey and iteration count.
 */
export interface UserScramCredentialRecord {
  readonly type: 'UserScramCredential';
  readonly name: string;
  readonly mechanism: ScramMechanism;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly iterations: number;
}

/** RemoveUserScramCredential (Kafka's RemoveUserScramCredentialRecord): deletes user `name`'s credential for one mechanism. */
export interface RemoveUserScramCredentialRecord {
  readonly type: 'RemoveUserScramCredential';
  readonly name: string;
  readonly mechanism: ScramMechanism;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | UnregisterBrokerRecord
  | BrokerRegistrationChangeRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord
  | ConfigRecord
  | FeatureLevelRecord
  | ProducerIdsRecord
  | OffsetCommitRecord
  | OffsetCommitTombstoneRecord
  | GroupMetadataRecord
  | GroupMetadataTombstoneRecord
  | NoOpRecord
  | ZkMigrationStateRecord
  | AccessControlEntryRecord
  | RemoveAccessControlEntryRecord
  | ClientQuotaRecord
  | UserScramCredentialRecord
  | RemoveUserScramCredentialRecord
  | BeginTransactionRecord
  | EndTransactionRecord
  | AbortTransactionRecord;

export type MetadataRecordType = MetadataRecord['type'];

/** The record of one type, e.g. RecordOf<'Topic'>. */
export type RecordOf<T extends MetadataRecordType> = Extract<MetadataRecord, { type: T }>;

/** The metadata.version feature. */
export const METADATA_VERSION_FEATURE = 'metadata.version';
