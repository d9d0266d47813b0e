// The Kafka codec as a table a dispatcher can use: one entry per API we serve, with its advertised
// version range, its first flexible version (if it has one we serve: that decides the headers,
// ./header.ts), a body decoder (which also refuses trailing bytes) and a body encoder. Plus
// decodeKafkaRequest, which turns one request frame (size prefix removed) into a typed request or
// into "unsupported" (answer: ApiVersions gets error 35 in the v0 layout; any other API was never
// advertised, so Kafka closes the connection), and encodeKafkaResponse, which frames an answer.
//
// Malformed bytes throw KafkaProtocolError only; the caller closes that connection with a logged
// reason. Pure code: no sockets, no I/O.

import { assert } from '../../../quorum/raft/assert.js';
import { ApiKey, SUPPORTED_API_VERSIONS, type ApiKeyName } from './api-keys.js';
import { KafkaProtocolError } from './errors.js';
import { decodeRequestHeader, frameResponse, MAX_KAFKA_FRAME_BYTES, requestHeaderVersion, responseHeaderVersion, type RequestHeader } from './header.js';
import { KafkaReader } from './reader.js';
import { KafkaWriter } from './writer.js';
import * as alterClientQuotas from './apis/alter-client-quotas.js';
import * as alterConfigs from './apis/alter-configs.js';
import * as alterUserScramCredentials from './apis/alter-user-scram-credentials.js';
import * as alterPartitionReassignments from './apis/alter-partition-reassignments.js';
import * as apiVersions from './apis/api-versions.js';
import * as createAcls from './apis/create-acls.js';
import * as createPartitions from './apis/create-partitions.js';
import * as createTopics from './apis/create-topics.js';
import * as deleteAcls from './apis/delete-acls.js';
import * as deleteGroups from './apis/delete-groups.js';
import * as deleteTopics from './apis/delete-topics.js';
import * as describeAcls from './apis/describe-acls.js';
import * as describeClientQuotas from './apis/describe-client-quotas.js';
import * as describeConfigs from './apis/describe-configs.js';
import * as describeUserScramCredentials from './apis/describe-user-scram-credentials.js';
import * as describeGroups from './apis/describe-groups.js';
import * as electLeaders from './apis/elect-leaders.js';
import * as findCoordinator from './apis/find-coordinator.js';
import * as heartbeat from './apis/heartbeat.js';
import * as incrementalAlterConfigs from './apis/incremental-alter-configs.js';
import * as joinGroup from './apis/join-group.js';
import * as leaveGroup from './apis/leave-group.js';
import * as listGroups from './apis/list-groups.js';
import * as listPartitionReassignments from './apis/list-partition-reassignments.js';
import * as listOffsets from './apis/list-offsets.js';
import * as metadata from './apis/metadata.js';
import * as offsetCommit from './apis/offset-commit.js';
import * as offsetDelete from './apis/offset-delete.js';
import * as offsetFetch from './apis/offset-fetch.js';
import * as saslAuthenticate from './apis/sasl-authenticate.js';
import * as saslHandshake from './apis/sasl-handshake.js';
import * as syncGroup from './apis/sync-group.js';

export { KafkaProtocolError } from './errors.js';
export { KafkaReader, REQUEST_ITEMS_MAX } from './reader.js';
export { KafkaWriter } from './writer.js';
export { ApiKey, apiKeyName, SUPPORTED_API_VERSIONS, isSupportedVersion, supportedRange } from './api-keys.js';
export type { ApiKeyName, ApiVersionRange } from './api-keys.js';
export { ErrorCode } from './error-codes.js';
export {
  MAX_KAFKA_FRAME_BYTES,
  decodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  encodeResponseFrame,
  frameResponse,
} from './header.js';
export type { RequestHeader } from './header.js';

/** Request and response types per served API. */
export interface KafkaApiTypes {
  ApiVersions: [apiVersions.ApiVersionsRequest, apiVersions.ApiVersionsResponse];
  Metadata: [metadata.MetadataRequest, metadata.MetadataResponse];
  CreateTopics: [createTopics.CreateTopicsRequest, createTopics.CreateTopicsResponse];
  DeleteTopics: [deleteTopics.DeleteTopicsRequest, deleteTopics.DeleteTopicsResponse];
  CreatePartitions: [createPartitions.CreatePartitionsRequest, createPartitions.CreatePartitionsResponse];
  FindCoordinator: [findCoordinator.FindCoordinatorRequest, findCoordinator.FindCoordinatorResponse];
  OffsetCommit: [offsetCommit.OffsetCommitRequest, offsetCommit.OffsetCommitResponse];
  OffsetFetch: [offsetFetch.OffsetFetchRequest, offsetFetch.OffsetFetchResponse];
  DescribeGroups: [describeGroups.DescribeGroupsRequest, describeGroups.DescribeGroupsResponse];
  ListGroups: [listGroups.ListGroupsRequest, listGroups.ListGroupsResponse];
  DeleteGroups: [deleteGroups.DeleteGroupsRequest, deleteGroups.DeleteGroupsResponse];
  OffsetDelete: [offsetDelete.OffsetDeleteRequest, offsetDelete.OffsetDeleteResponse];
  DescribeConfigs: [describeConfigs.DescribeConfigsRequest, describeConfigs.DescribeConfigsResponse];
  AlterConfigs: [alterConfigs.AlterConfigsRequest, alterConfigs.AlterConfigsResponse];
  IncrementalAlterConfigs: [incrementalAlterConfigs.IncrementalAlterConfigsRequest, incrementalAlterConfigs.IncrementalAlterConfigsResponse];
  DescribeClientQuotas: [describeClientQuotas.DescribeClientQuotasRequest, describeClientQuotas.DescribeClientQuotasResponse];
  AlterClientQuotas: [alterClientQuotas.AlterClientQuotasRequest, alterClientQuotas.AlterClientQuotasResponse];
  DescribeUserScramCredentials: [
    describeUserScramCredentials.DescribeUserScramCredentialsRequest,
    describeUserScramCredentials.DescribeUserScramCredentialsResponse,
  ];
  AlterUserScramCredentials: [alterUserScramCredentials.AlterUserScramCredentialsRequest, alterUserScramCredentials.AlterUserScramCredentialsResponse];
  ListOffsets: [listOffsets.ListOffsetsRequest, listOffsets.ListOffsetsResponse];
  JoinGroup: [joinGroup.JoinGroupRequest, joinGroup.JoinGroupResponse];
  SyncGroup: [syncGroup.SyncGroupRequest, syncGroup.SyncGroupResponse];
  Heartbeat: [heartbeat.HeartbeatRequest, heartbeat.HeartbeatResponse];
  LeaveGroup: [leaveGroup.LeaveGroupRequest, leaveGroup.LeaveGroupResponse];
  ElectLeaders: [electLeaders.ElectLeadersRequest, electLeaders.ElectLeadersResponse];
  AlterPartitionReassignments: [
    alterPartitionReassignments.AlterPartitionReassignmentsRequest,
    alterPartitionReassignments.AlterPartitionReassignmentsResponse,
  ];
  ListPartitionReassignments: [
    listPartitionReassignments.ListPartitionReassignmentsRequest,
    listPartitionReassignments.ListPartitionReassignmentsResponse,
  ];
  DescribeAcls: [describeAcls.DescribeAclsRequest, describeAcls.DescribeAclsResponse];
  CreateAcls: [createAcls.CreateAclsRequest, createAcls.CreateAclsResponse];
  DeleteAcls: [deleteAcls.DeleteAclsRequest, deleteAcls.DeleteAclsResponse];
  SaslHandshake: [saslHandshake.SaslHandshakeRequest, saslHandshake.SaslHandshakeResponse];
  SaslAuthenticate: [saslAuthenticate.SaslAuthenticateRequest, saslAuthenticate.SaslAuthenticateResponse];
}

export type KafkaApiName = keyof KafkaApiTypes & ApiKeyName;

export interface KafkaApiCodec<N extends KafkaApiName = KafkaApiName> {
  readonly name: N;
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Whether `version` is flexible (compact types, tagged fields, request header v2). */
  isFlexible(version: number): boolean;
  /** Decodes the whole rest of `reader` as the body; KafkaProtocolError on malformed or extra bytes. */
  decodeRequest(version: number, reader: KafkaReader): KafkaApiTypes[N][0];
  encodeResponse(version: number, writer: KafkaWriter, response: KafkaApiTypes[N][1]): void;
}

function codec<N extends KafkaApiName>(
  name: N,
  minVersion: number,
  maxVersion: number,
  decode: (reader: KafkaReader, version: number) => KafkaApiTypes[N][0],
  encode: (writer: KafkaWriter, version: number, response: KafkaApiTypes[N][1]) => void,
  firstFlexibleVersion = Infinity,
): KafkaApiCodec<N> {
  return Object.freeze({
    name,
    apiKey: ApiKey[name],
    minVersion,
    maxVersion,
    isFlexible: (version: number) => version >= firstFlexibleVersion,
    decodeRequest(version: number, reader: KafkaReader): KafkaApiTypes[N][0] {
      const request = decode(reader, version);
      reader.expectEnd(`${name} v${version} request`);
      return request;
    },
    encodeResponse(version: number, writer: KafkaWriter, response: KafkaApiTypes[N][1]): void {
      encode(writer, version, response);
    },
  });
}

export const KAFKA_APIS: { readonly [N in KafkaApiName]: KafkaApiCodec<N> } = Object.freeze({
  ApiVersions: codec(
    'ApiVersions',
    apiVersions.API_VERSIONS_MIN_VERSION,
    apiVersions.API_VERSIONS_MAX_VERSION,
    apiVersions.decodeApiVersionsRequest,
    apiVersions.encodeApiVersionsResponse,
  ),
  Metadata: codec('Metadata', metadata.METADATA_MIN_VERSION, metadata.METADATA_MAX_VERSION, metadata.decodeMetadataRequest, metadata.encodeMetadataResponse),
  CreateTopics: codec(
    'CreateTopics',
    createTopics.CREATE_TOPICS_MIN_VERSION,
    createTopics.CREATE_TOPICS_MAX_VERSION,
    createTopics.decodeCreateTopicsRequest,
    createTopics.encodeCreateTopicsResponse,
  ),
  DeleteTopics: codec(
    'DeleteTopics',
    deleteTopics.DELETE_TOPICS_MIN_VERSION,
    deleteTopics.DELETE_TOPICS_MAX_VERSION,
    deleteTopics.decodeDeleteTopicsRequest,
    deleteTopics.encodeDeleteTopicsResponse,
  ),
  CreatePartitions: codec(
    'CreatePartitions',
    createPartitions.CREATE_PARTITIONS_MIN_VERSION,
    createPartitions.CREATE_PARTITIONS_MAX_VERSION,
    createPartitions.decodeCreatePartitionsRequest,
    createPartitions.encodeCreatePartitionsResponse,
  ),
  FindCoordinator: codec(
    'FindCoordinator',
    findCoordinator.FIND_COORDINATOR_MIN_VERSION,
    findCoordinator.FIND_COORDINATOR_MAX_VERSION,
    findCoordinator.decodeFindCoordinatorRequest,
    findCoordinator.encodeFindCoordinatorResponse,
  ),
  OffsetCommit: codec(
    'OffsetCommit',
    offsetCommit.OFFSET_COMMIT_MIN_VERSION,
    offsetCommit.OFFSET_COMMIT_MAX_VERSION,
    offsetCommit.decodeOffsetCommitRequest,
    offsetCommit.encodeOffsetCommitResponse,
  ),
  OffsetFetch: codec(
    'OffsetFetch',
    offsetFetch.OFFSET_FETCH_MIN_VERSION,
    offsetFetch.OFFSET_FETCH_MAX_VERSION,
    offsetFetch.decodeOffsetFetchRequest,
    offsetFetch.encodeOffsetFetchResponse,
  ),
  DescribeGroups: codec(
    'DescribeGroups',
    describeGroups.DESCRIBE_GROUPS_MIN_VERSION,
    describeGroups.DESCRIBE_GROUPS_MAX_VERSION,
    describeGroups.decodeDescribeGroupsRequest,
    describeGroups.encodeDescribeGroupsResponse,
  ),
  ListGroups: codec(
    'ListGroups',
    listGroups.LIST_GROUPS_MIN_VERSION,
    listGroups.LIST_GROUPS_MAX_VERSION,
    listGroups.decodeListGroupsRequest,
    listGroups.encodeListGroupsResponse,
  ),
  DeleteGroups: codec(
    'DeleteGroups',
    deleteGroups.DELETE_GROUPS_MIN_VERSION,
    deleteGroups.DELETE_GROUPS_MAX_VERSION,
    deleteGroups.decodeDeleteGroupsRequest,
    deleteGroups.encodeDeleteGroupsResponse,
  ),
  OffsetDelete: codec(
    'OffsetDelete',
    offsetDelete.OFFSET_DELETE_MIN_VERSION,
    offsetDelete.OFFSET_DELETE_MAX_VERSION,
    offsetDelete.decodeOffsetDeleteRequest,
    offsetDelete.encodeOffsetDeleteResponse,
  ),
  DescribeConfigs: codec(
    'DescribeConfigs',
    describeConfigs.DESCRIBE_CONFIGS_MIN_VERSION,
    describeConfigs.DESCRIBE_CONFIGS_MAX_VERSION,
    describeConfigs.decodeDescribeConfigsRequest,
    describeConfigs.encodeDescribeConfigsResponse,
  ),
  AlterConfigs: codec(
    'AlterConfigs',
    alterConfigs.ALTER_CONFIGS_MIN_VERSION,
    alterConfigs.ALTER_CONFIGS_MAX_VERSION,
    alterConfigs.decodeAlterConfigsRequest,
    alterConfigs.encodeAlterConfigsResponse,
  ),
  IncrementalAlterConfigs: codec(
    'IncrementalAlterConfigs',
    incrementalAlterConfigs.INCREMENTAL_ALTER_CONFIGS_MIN_VERSION,
    incrementalAlterConfigs.INCREMENTAL_ALTER_CONFIGS_MAX_VERSION,
    incrementalAlterConfigs.decodeIncrementalAlterConfigsRequest,
    incrementalAlterConfigs.encodeIncrementalAlterConfigsResponse,
    incrementalAlterConfigs.INCREMENTAL_ALTER_CONFIGS_FIRST_FLEXIBLE_VERSION,
  ),
  DescribeClientQuotas: codec(
    'DescribeClientQuotas',
    describeClientQuotas.DESCRIBE_CLIENT_QUOTAS_MIN_VERSION,
    describeClientQuotas.DESCRIBE_CLIENT_QUOTAS_MAX_VERSION,
    describeClientQuotas.decodeDescribeClientQuotasRequest,
    describeClientQuotas.encodeDescribeClientQuotasResponse,
    describeClientQuotas.DESCRIBE_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION,
  ),
  AlterClientQuotas: codec(
    'AlterClientQuotas',
    alterClientQuotas.ALTER_CLIENT_QUOTAS_MIN_VERSION,
    alterClientQuotas.ALTER_CLIENT_QUOTAS_MAX_VERSION,
    alterClientQuotas.decodeAlterClientQuotasRequest,
    alterClientQuotas.encodeAlterClientQuotasResponse,
    alterClientQuotas.ALTER_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION,
  ),
  DescribeUserScramCredentials: codec(
    'DescribeUserScramCredentials',
    describeUserScramCredentials.DESCRIBE_USER_SCRAM_CREDENTIALS_MIN_VERSION,
    describeUserScramCredentials.DESCRIBE_USER_SCRAM_CREDENTIALS_MAX_VERSION,
    describeUserScramCredentials.decodeDescribeUserScramCredentialsRequest,
    describeUserScramCredentials.encodeDescribeUserScramCredentialsResponse,
    describeUserScramCredentials.DESCRIBE_USER_SCRAM_CREDENTIALS_FIRST_FLEXIBLE_VERSION,
  ),
  AlterUserScramCredentials: codec(
    'AlterUserScramCredentials',
    alterUserScramCredentials.ALTER_USER_SCRAM_CREDENTIALS_MIN_VERSION,
    alterUserScramCredentials.ALTER_USER_SCRAM_CREDENTIALS_MAX_VERSION,
    alterUserScramCredentials.decodeAlterUserScramCredentialsRequest,
    alterUserScramCredentials.encodeAlterUserScramCredentialsResponse,
    alterUserScramCredentials.ALTER_USER_SCRAM_CREDENTIALS_FIRST_FLEXIBLE_VERSION,
  ),
  ListOffsets: codec(
    'ListOffsets',
    listOffsets.LIST_OFFSETS_MIN_VERSION,
    listOffsets.LIST_OFFSETS_MAX_VERSION,
    listOffsets.decodeListOffsetsRequest,
    listOffsets.encodeListOffsetsResponse,
  ),
  JoinGroup: codec(
    'JoinGroup',
    joinGroup.JOIN_GROUP_MIN_VERSION,
    joinGroup.JOIN_GROUP_MAX_VERSION,
    joinGroup.decodeJoinGroupRequest,
    joinGroup.encodeJoinGroupResponse,
  ),
  SyncGroup: codec(
    'SyncGroup',
    syncGroup.SYNC_GROUP_MIN_VERSION,
    syncGroup.SYNC_GROUP_MAX_VERSION,
    syncGroup.decodeSyncGroupRequest,
    syncGroup.encodeSyncGroupResponse,
  ),
  Heartbeat: codec(
    'Heartbeat',
    heartbeat.HEARTBEAT_MIN_VERSION,
    heartbeat.HEARTBEAT_MAX_VERSION,
    heartbeat.decodeHeartbeatRequest,
    heartbeat.encodeHeartbeatResponse,
  ),
  LeaveGroup: codec(
    'LeaveGroup',
    leaveGroup.LEAVE_GROUP_MIN_VERSION,
    leaveGroup.LEAVE_GROUP_MAX_VERSION,
    leaveGroup.decodeLeaveGroupRequest,
    leaveGroup.encodeLeaveGroupResponse,
  ),
  ElectLeaders: codec(
    'ElectLeaders',
    electLeaders.ELECT_LEADERS_MIN_VERSION,
    electLeaders.ELECT_LEADERS_MAX_VERSION,
    electLeaders.decodeElectLeadersRequest,
    electLeaders.encodeElectLeadersResponse,
    electLeaders.ELECT_LEADERS_FIRST_FLEXIBLE_VERSION,
  ),
  AlterPartitionReassignments: codec(
    'AlterPartitionReassignments',
    alterPartitionReassignments.ALTER_PARTITION_REASSIGNMENTS_MIN_VERSION,
    alterPartitionReassignments.ALTER_PARTITION_REASSIGNMENTS_MAX_VERSION,
    alterPartitionReassignments.decodeAlterPartitionReassignmentsRequest,
    alterPartitionReassignments.encodeAlterPartitionReassignmentsResponse,
    alterPartitionReassignments.ALTER_PARTITION_REASSIGNMENTS_FIRST_FLEXIBLE_VERSION,
  ),
  ListPartitionReassignments: codec(
    'ListPartitionReassignments',
    listPartitionReassignments.LIST_PARTITION_REASSIGNMENTS_MIN_VERSION,
    listPartitionReassignments.LIST_PARTITION_REASSIGNMENTS_MAX_VERSION,
    listPartitionReassignments.decodeListPartitionReassignmentsRequest,
    listPartitionReassignments.encodeListPartitionReassignmentsResponse,
    listPartitionReassignments.LIST_PARTITION_REASSIGNMENTS_FIRST_FLEXIBLE_VERSION,
  ),
  DescribeAcls: codec(
    'DescribeAcls',
    describeAcls.DESCRIBE_ACLS_MIN_VERSION,
    describeAcls.DESCRIBE_ACLS_MAX_VERSION,
    describeAcls.decodeDescribeAclsRequest,
    describeAcls.encodeDescribeAclsResponse,
  ),
  CreateAcls: codec('CreateAcls', createAcls.CREATE_ACLS_MIN_VERSION, createAcls.CREATE_ACLS_MAX_VERSION, createAcls.decodeCreateAclsRequest, createAcls.encodeCreateAclsResponse),
  DeleteAcls: codec('DeleteAcls', deleteAcls.DELETE_ACLS_MIN_VERSION, deleteAcls.DELETE_ACLS_MAX_VERSION, deleteAcls.decodeDeleteAclsRequest, deleteAcls.encodeDeleteAclsResponse),
  SaslHandshake: codec(
    'SaslHandshake',
    saslHandshake.SASL_HANDSHAKE_MIN_VERSION,
    saslHandshake.SASL_HANDSHAKE_MAX_VERSION,
    saslHandshake.decodeSaslHandshakeRequest,
    saslHandshake.encodeSaslHandshakeResponse,
  ),
  SaslAuthenticate: codec(
    'SaslAuthenticate',
    saslAuthenticate.SASL_AUTHENTICATE_MIN_VERSION,
    saslAuthenticate.SASL_AUTHENTICATE_MAX_VERSION,
    saslAuthenticate.decodeSaslAuthenticateRequest,
    saslAuthenticate.encodeSaslAuthenticateResponse,
  ),
});

const BY_KEY = new Map<number, KafkaApiCodec>(
  (Object.values(KAFKA_APIS) as KafkaApiCodec[]).map((c) => [c.apiKey, c]),
);

// The advertised table and the codecs must agree exactly (a mismatch is a programmer error).
assert(BY_KEY.size === SUPPORTED_API_VERSIONS.length, 'every advertised API has exactly one codec');
for (const range of SUPPORTED_API_VERSIONS) {
  const c = BY_KEY.get(range.apiKey);
  assert(
    c !== undefined && c.minVersion === range.minVersion && c.maxVersion === range.maxVersion,
    `codec of api key ${range.apiKey} disagrees with the advertised range`,
  );
}

/** The codec serving `apiKey`, or undefined when we never advertised it. */
export function codecForApiKey(apiKey: number): KafkaApiCodec | undefined {
  return BY_KEY.get(apiKey);
}

/** One decoded request, discriminated by `api`. */
export type DecodedKafkaRequest = {
  [N in KafkaApiName]: {
    readonly kind: 'request';
    readonly api: N;
    readonly header: RequestHeader;
    readonly request: KafkaApiTypes[N][0];
    /** Array items the request holds (all its arrays): what decoding it cost, for the connection's budget. */
    readonly items: number;
  };
}[KafkaApiName];

/**
 * A well-formed header asking for something we do not serve. For ApiVersions, answer with
 * encodeUnsupportedApiVersionsResponse; for any other API (never advertised), close the connection.
 */
export interface UnsupportedKafkaRequest {
  readonly kind: 'unsupported';
  readonly header: RequestHeader;
  readonly reason: 'unknown-api' | 'unsupported-version';
}

/** Decodes one request frame (size prefix already removed). Throws KafkaProtocolError only. */
export function decodeKafkaRequest(frame: Uint8Array): DecodedKafkaRequest | UnsupportedKafkaRequest {
  if (frame.length > MAX_KAFKA_FRAME_BYTES) {
    throw new KafkaProtocolError('FRAME_TOO_LARGE', `request of ${frame.length} bytes exceeds ${MAX_KAFKA_FRAME_BYTES}`);
  }
  const reader = new KafkaReader(frame);
  const header = decodeRequestHeader(reader);
  const c = BY_KEY.get(header.apiKey);
  if (c === undefined) return { kind: 'unsupported', header, reason: 'unknown-api' };
  if (header.apiVersion < c.minVersion || header.apiVersion > c.maxVersion) {
    return { kind: 'unsupported', header, reason: 'unsupported-version' };
  }
  if (requestHeaderVersion(c.isFlexible(header.apiVersion)) === 2) reader.taggedFields('request header tagged fields');
  const request = c.decodeRequest(header.apiVersion, reader);
  return { kind: 'request', api: c.name, header, request, items: reader.itemCount } as DecodedKafkaRequest;
}

/** A whole response frame (size, response header of the API and version, body) for `api` at the request's version. */
export function encodeKafkaResponse<N extends KafkaApiName>(
  api: N,
  header: Pick<RequestHeader, 'apiVersion' | 'correlationId'>,
  response: KafkaApiTypes[N][1],
): Buffer {
  const c = KAFKA_APIS[api] as KafkaApiCodec<N>;
  const w = new KafkaWriter();
  c.encodeResponse(header.apiVersion, w, response);
  return frameResponse(header.correlationId, w.toBuffer(), responseHeaderVersion(c.apiKey, c.isFlexible(header.apiVersion)));
}

export * from './apis/alter-client-quotas.js';
export * from './apis/alter-configs.js';
export * from './apis/alter-user-scram-credentials.js';
export * from './apis/alter-partition-reassignments.js';
export * from './apis/api-versions.js';
export * from './apis/create-acls.js';
export * from './apis/create-partitions.js';
export * from './apis/create-topics.js';
export * from './apis/delete-acls.js';
export * from './apis/delete-groups.js';
export * from './apis/delete-topics.js';
export * from './apis/describe-acls.js';
export * from './apis/describe-client-quotas.js';
export * from './apis/describe-configs.js';
export * from './apis/describe-user-scram-credentials.js';
export * from './apis/describe-groups.js';
export * from './apis/elect-leaders.js';
export * from './apis/find-coordinator.js';
export * from './apis/heartbeat.js';
export * from './apis/join-group.js';
export * from './apis/leave-group.js';
export * from './apis/list-groups.js';
export * from './apis/list-partition-reassignments.js';
export * from './apis/list-offsets.js';
export * from './apis/metadata.js';
export * from './apis/offset-commit.js';
export * from './apis/offset-fetch.js';
export * from './apis/sasl-authenticate.js';
export * from './apis/sasl-handshake.js';
export * from './apis/sync-group.js';
