// Kafka API keys, their names, and the version ranges our brokers advertise in ApiVersions
// (reference/kafka-protocol.md, "kafkajs API / version table"). Every broker advertises exactly
// this table: kafkajs reuses the seed broker's ApiVersions for all brokers (tulios/kafkajs#1656).
//
// Why these ranges:
// - Each max is kafkajs 2.2.4's own max (but OffsetCommit, DescribeGroups and the admin APIs
//   below), so kafkajs sends exactly one version per API. Every API served before ElectLeaders and
//   the reassignment pair stays non-flexible: librdkafka picks the highest version advertised, and
//   raising one to a flexible version would change what it sends.
// - Metadata starts at v0 but kafkajs needs v1+ (controller_id) for admin calls: we advertise 6.
// - OffsetFetch min is 1: kafkajs implements only v1-v4 and crashes if the broker's max is 0.
// - OffsetCommit min is 2, as in Kafka 4 (KIP-896 dropped v0-v1).
// - ListOffsets min is 1: Kafka 4 dropped v0 (KIP-896), whose old_style_offsets array layout
//   differs; kafkajs picks its max 3 anyway.
// - JoinGroup 0-5, SyncGroup 0-3, Heartbeat 0-3, LeaveGroup 0-3: the group membership APIs at
//   kafkajs 2.2.4's max (the next version of each is the first flexible one), from v0: kafkajs
//   works at every one of them (Kafka 4 serves JoinGroup only from v2, KIP-896, but the older
//   layouts cost nothing here). Their last versions carry group_instance_id: static membership
//   (KIP-345) is implemented (groups/group-coordinator.ts).
// - OffsetCommit 2-7 and DescribeGroups 0-4 go past kafkajs's max (5 and 2), to the last
//   non-flexible versions, for librdkafka's static members: v7 carries group_instance_id (a fenced
//   incarnation's commit is refused), DescribeGroups v4 names each member's. OffsetFetch 1-5 goes
//   past kafkajs's 4 likewise: v5 answers the leader epoch an offset was committed under (KIP-320),
//   which librdkafka uses to validate a fetched position.
// - DescribeConfigs 0-2, AlterConfigs 0-1, ListGroups 0-2, DeleteGroups 0-1: kafkajs 2.2.4's
//   implemented ranges (src/protocol/requests/*). kafkajs has no IncrementalAlterConfigs, so
//   admin.alterConfigs uses AlterConfigs.
// - IncrementalAlterConfigs 0-1 (v1 flexible): what Kafka's own kafka-configs.sh --alter, the Java
//   AdminClient and librdkafka send to change configs (KIP-339); not advertising it left them
//   unable to (found by a review).
// - OffsetDelete 0 (KIP-496; its only version, not flexible): kafka-consumer-groups.sh
//   --delete-offsets and the Java AdminClient's deleteConsumerGroupOffsets (kafkajs has none).
// - DescribeClientQuotas 0-1 and AlterClientQuotas 0-1 (KIP-546; v1 flexible): Kafka 3.x's range,
//   what kafka-configs.sh --entity-type users|clients|ips and the Java AdminClient's
//   describeClientQuotas / alterClientQuotas send (kafkajs has neither). New APIs, so advertising
//   their flexible version changes nothing an existing client sends for another API.
// - DescribeUserScramCredentials 0 (KIP-554; its only version, flexible): what the Java
//   AdminClient's describeUserScramCredentials sends, which kafka-configs.sh --describe
//   --entity-type users calls after describing the users' quotas (it failed there with
//   UnsupportedVersionException). Answered from the broker's image, where the metadata log's
//   SCRAM credentials are (broker/kafka/handlers/scram-credentials.ts). A new API, so its flexible
//   version changes nothing else a client sends.
// - AlterUserScramCredentials 0 (KIP-554; its only version, flexible): the Java AdminClient's
//   alterUserScramCredentials, and so kafka-configs.sh --alter --entity-type users
//   --add-config 'SCRAM-SHA-256=[...]' / --delete-config; forwarded to the active controller,
//   which stores salted keys only. Clients authenticate with them on SASL listeners.
// - SaslHandshake 0-1 and SaslAuthenticate 0-1: kafkajs 2.2.4's ranges, both not flexible
//   (SaslAuthenticate v2 is the first flexible version: librdkafka picks the highest advertised, so
//   advertising it would change what it sends). Advertised on every listener, as Kafka does, since
//   every broker advertises one table; on a listener without SASL, or once a connection has
//   authenticated, both are answered ILLEGAL_SASL_STATE (broker/kafka/handlers/sasl.ts). kafkajs
//   sends SaslAuthenticate (not raw SASL tokens, KIP-152) only when the broker advertises it.
//   session_lifetime_ms (v1) is always 0: no re-authentication (KIP-368).
// - Produce and Fetch are not advertised (kafkajs then fails cleanly with
//   KafkaJSServerDoesNotSupportApiKey).
// - ElectLeaders 0-2 (v2 flexible), AlterPartitionReassignments 0 and ListPartitionReassignments 0
//   (flexible only: v0 is the first version), the versions of KIP-183/460/455 (later Kafka
//   versions add fields not served here). They, IncrementalAlterConfigs v1, the client quota
//   APIs' v1 and the SCRAM credential APIs' v0 are the only flexible versions served. kafkajs
//   2.2.4 speaks the reassignment pair (v0), not ElectLeaders; the active controller runs all three
//   (quorum/controller/replication/reassignments.ts, elect-leaders.ts).
// - DescribeAcls, CreateAcls, DeleteAcls 0-1: kafkajs 2.2.4's versions (v1 adds PREFIXED ACLs,
//   KIP-290); v2 is flexible and would change what librdkafka sends. Answered SECURITY_DISABLED
//   when no authorizer is configured, as Kafka (broker/kafka/handlers/acls.ts).

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
} as const;

export type ApiKeyName = keyof typeof ApiKey;

const NAMES = new Map<number, ApiKeyName>(
  (Object.entries(ApiKey) as [ApiKeyName, number][]).map(([name, key]) => [key, name]),
);

/** The name of an API key, or `ApiKey(<n>)` for one we do not know. */
export function apiKeyName(apiKey: number): string {
  return NAMES.get(apiKey) ?? `ApiKey(${apiKey})`;
}

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** What every broker advertises, sorted by api key (the order Kafka lists them in). */
export const SUPPORTED_API_VERSIONS: readonly ApiVersionRange[] = Object.freeze(
  [
    { apiKey: ApiKey.ListOffsets, minVersion: 1, maxVersion: 3 },
    { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 6 },
    { apiKey: ApiKey.OffsetCommit, minVersion: 2, maxVersion: 7 },
    { apiKey: ApiKey.OffsetFetch, minVersion: 1, maxVersion: 5 },
    { apiKey: ApiKey.FindCoordinator, minVersion: 0, maxVersion: 2 },
    { apiKey: ApiKey.JoinGroup, minVersion: 0, maxVersion: 5 },
    { apiKey: ApiKey.Heartbeat, minVersion: 0, maxVersion: 3 },
    { apiKey: ApiKey.LeaveGroup, minVersion: 0, maxVersion: 3 },
    { apiKey: ApiKey.SyncGroup, minVersion: 0, maxVersion: 3 },
    { apiKey: ApiKey.DescribeGroups, minVersion: 0, maxVersion: 4 },
    { apiKey: ApiKey.ListGroups, minVersion: 0, maxVersion: 2 },
    { apiKey: ApiKey.SaslHandshake, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
    { apiKey: ApiKey.CreateTopics, minVersion: 0, maxVersion: 3 },
    { apiKey: ApiKey.DeleteTopics, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.DescribeAcls, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.CreateAcls, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.DeleteAcls, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.DescribeConfigs, minVersion: 0, maxVersion: 2 },
    { apiKey: ApiKey.AlterConfigs, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.CreatePartitions, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.DeleteGroups, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.ElectLeaders, minVersion: 0, maxVersion: 2 },
    { apiKey: ApiKey.IncrementalAlterConfigs, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.AlterPartitionReassignments, minVersion: 0, maxVersion: 0 },
    { apiKey: ApiKey.ListPartitionReassignments, minVersion: 0, maxVersion: 0 },
    { apiKey: ApiKey.OffsetDelete, minVersion: 0, maxVersion: 0 },
    { apiKey: ApiKey.DescribeClientQuotas, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.AlterClientQuotas, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.DescribeUserScramCredentials, minVersion: 0, maxVersion: 0 },
    { apiKey: ApiKey.AlterUserScramCredentials, minVersion: 0, maxVersion: 0 },
  ].map((r) => Object.freeze(r)),
);

const RANGES = new Map<number, ApiVersionRange>(SUPPORTED_API_VERSIONS.map((r) => [r.apiKey, r]));

/** The advertised range of `apiKey`, or undefined when we do not serve it at all. */
export function supportedRange(apiKey: number): ApiVersionRange | undefined {
  return RANGES.get(apiKey);
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const range = RANGES.get(apiKey);
  return range !== undefined && apiVersion >= range.minVersion && apiVersion <= range.maxVersion;
}
