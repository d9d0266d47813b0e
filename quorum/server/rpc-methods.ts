// The internal RPC catalog (DESIGN §8): every request a broker or a tool may send to a node's
// controller or broker listener, with its request and response types. Writes go to the active
// controller (any node forwards them there); reads are answered from the answering node's own
// image (`describeTopics` on a broker shows what that broker has applied).

import type { FeatureRange, GroupMemberMetadata, MetadataRecord, OffsetCommitRecord } from '../../metadata-log/records/types.js';
import type { DescribeClusterResponse } from '../controller/cluster/describe-cluster.js';
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse } from '../controller/cluster/heartbeat.js';
import type { BrokerRegistrationRequest, BrokerRegistrationResponse } from '../controller/cluster/register-broker.js';
import type { UnregisterBrokerRequest, UnregisterBrokerResponse } from '../controller/cluster/unregister-broker.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../controller/configs/describe-configs.js';
import type { DescribeFeaturesResponse, UpdateFeaturesRequest, UpdateFeaturesResponse } from '../controller/configs/features.js';
import type {
  AlterConfigsResponse,
  IncrementalAlterConfigsRequest,
  LegacyAlterConfigsRequest,
} from '../controller/configs/incremental-alter-configs.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DeleteOffsetsRequest,
  DeleteOffsetsResponse,
  ExpireOffsetsRequest,
  ExpireOffsetsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '../controller/configs/offsets.js';
import type { StoreGroupRequest, StoreGroupResponse } from '../controller/configs/group-membership.js';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from '../controller/configs/producer-ids.js';
import type { QuorumDescription } from '../controller/describe-quorum.js';
import type { LocalQuorumView } from '../raft/types.js';
import type { ImportMetadataRequest, ImportMetadataResponse } from '../controller/migration/import-metadata.js';
import type { AlterPartitionRequest, AlterPartitionResponse } from '../controller/replication/alter-partition.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../controller/replication/create-partitions.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../controller/replication/create-topics.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../controller/replication/delete-topics.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../controller/replication/elect-leaders.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../controller/replication/reassignments.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../controller/configs/client-quotas.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse } from '../controller/configs/scram-credentials.js';
import type { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest, DescribeAclsResponse } from '../controller/acls/acl-requests.js';

/** One partition as `topics describe` shows it. */
export interface DescribedPartition {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Replicas on brokers that are fenced or not registered. */
  readonly offlineReplicas: readonly number[];
  /** Only while the partition is being reassigned: the replicas it is adding and removing. */
  readonly addingReplicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
}

export interface DescribedTopic {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly DescribedPartition[];
  /** The topic's explicit configs (no defaults). */
  readonly configs: Readonly<Record<string, string>>;
}

export interface DescribeTopicsRequest {
  /** Absent: every topic. */
  readonly names?: readonly string[];
}

export interface DescribeTopicsResponse {
  /** The image offset the answer was read at. */
  readonly metadataOffset: number;
  /** Sorted by name. */
  readonly topics: readonly DescribedTopic[];
  /** Requested names that do not exist. */
  readonly unknown: readonly string[];
}

/** Who answered and what it knows: lets a tool find the rest of the cluster. */
export interface DescribeNodeResponse {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly roles: readonly ('broker' | 'controller')[];
  /** The active controller as this node knows it. */
  readonly activeControllerId: number | null;
  readonly voters: readonly { readonly id: number; readonly host: string; readonly port: number }[];
  /** Offset of the metadata this node has applied (exclusive end). */
  readonly metadataOffset: number;
  /** Kafka's ZkMigrationState in this node's image: 3 (POST_MIGRATION) once a ZooKeeper tree was imported, else 0. */
  readonly zkMigrationState: number;
  /**
   * The feature levels this node's build supports (what a broker declares when it registers;
   * controllers declare nothing else, so `features upgrade` asks every voter this). Absent from
   * builds before metadata.version 1.0-IV2, which support at most level 2.
   */
  readonly supportedFeatures?: readonly FeatureRange[];
  /** Broker only: its lifecycle state (STARTING, RECOVERY, RUNNING, PENDING_CONTROLLED_SHUTDOWN, SHUTTING_DOWN). */
  readonly brokerState?: string;
  /** Controller only: its own view of the quorum, leader or not (quorum describe without a leader). */
  readonly quorum?: LocalQuorumView;
}

/** The answering node's whole image as records, in snapshot order (migrate-from-zk --verify). */
export interface ExportMetadataResponse {
  /** The image offset the records were read at (exclusive end). */
  readonly metadataOffset: number;
  readonly records: readonly MetadataRecord[];
}

export interface DescribeGroupsRequest {
  /** Absent or null: every group the image knows (with stored membership or committed offsets). */
  readonly groupIds?: readonly string[] | null;
}

/** A member as its group's last completed rebalance stored it (its assignment as the protocol encodes it: a consumer's ConsumerProtocolAssignment). */
export type DescribedGroupMember = Pick<GroupMemberMetadata, 'memberId' | 'groupInstanceId' | 'clientId' | 'clientHost' | 'assignment'>;

/** A committed offset: its record's fields but the group. */
export type DescribedGroupOffset = Pick<OffsetCommitRecord, 'topic' | 'partition' | 'offset' | 'leaderEpoch' | 'metadata' | 'commitTimestampMs'>;

export interface DescribedGroup {
  readonly groupId: string;
  /**
   * From the metadata log, not from the coordinator's memory: Stable = stored membership (its last
   * completed rebalance); Empty = committed offsets only; Dead = nothing (a group named that the
   * image does not know, as Kafka's DescribeGroups answers).
   */
  readonly state: 'Stable' | 'Empty' | 'Dead';
  readonly protocolType: string;
  readonly protocolName: string;
  /** -1 unless Stable. */
  readonly generationId: number;
  readonly leaderId: string;
  /** Wall-clock ms the membership was stored at; -1 unless Stable. */
  readonly stateTimestampMs: number;
  readonly members: readonly DescribedGroupMember[];
  /** Committed offsets of partitions that exist, by topic and partition. */
  readonly offsets: readonly DescribedGroupOffset[];
}

export interface DescribeGroupsResponse {
  /** The image offset the answer was read at. */
  readonly metadataOffset: number;
  /** By group id; each id asked once. */
  readonly groups: readonly DescribedGroup[];
}

export interface RpcMethods {
  // Writes: run by the active controller.
  registerBroker: [BrokerRegistrationRequest, BrokerRegistrationResponse];
  brokerHeartbeat: [BrokerHeartbeatRequest, BrokerHeartbeatResponse];
  unregisterBroker: [UnregisterBrokerRequest, UnregisterBrokerResponse];
  createTopics: [CreateTopicsRequest, CreateTopicsResponse];
  deleteTopics: [DeleteTopicsRequest, DeleteTopicsResponse];
  createPartitions: [CreatePartitionsRequest, CreatePartitionsResponse];
  alterPartition: [AlterPartitionRequest, AlterPartitionResponse];
  alterPartitionReassignments: [AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse];
  electLeaders: [ElectLeadersRequest, ElectLeadersResponse];
  createAcls: [CreateAclsRequest, CreateAclsResponse];
  deleteAcls: [DeleteAclsRequest, DeleteAclsResponse];
  incrementalAlterConfigs: [IncrementalAlterConfigsRequest, AlterConfigsResponse];
  alterConfigs: [LegacyAlterConfigsRequest, AlterConfigsResponse];
  updateFeatures: [UpdateFeaturesRequest, UpdateFeaturesResponse];
  alterClientQuotas: [AlterClientQuotasRequest, AlterClientQuotasResponse];
  alterUserScramCredentials: [AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse];
  allocateProducerIds: [AllocateProducerIdsRequest, AllocateProducerIdsResponse];
  commitOffsets: [OffsetCommitRequest, OffsetCommitResponse];
  deleteGroups: [DeleteGroupsRequest, DeleteGroupsResponse];
  deleteOffsets: [DeleteOffsetsRequest, DeleteOffsetsResponse];
  /** Broker only: its group coordinator's expired offsets (broker/offset-expirer.ts). */
  expireOffsets: [ExpireOffsetsRequest, ExpireOffsetsResponse];
  /** Broker only: its group coordinator's completed membership (broker/kafka/groups/group-coordinator.ts). */
  storeGroup: [StoreGroupRequest, StoreGroupResponse];
  importMetadata: [ImportMetadataRequest, ImportMetadataResponse];
  // Reads that need the active controller (linearizable, or its soft state).
  fetchOffsets: [OffsetFetchRequest, OffsetFetchResponse];
  listPartitionReassignments: [ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse];
  describeCluster: [{ readonly listenerName?: string }, DescribeClusterResponse];
  describeQuorum: [Record<string, never>, QuorumDescription];
  // Reads answered by whichever node is asked, from its own image.
  describeConfigs: [DescribeConfigsRequest, DescribeConfigsResponse];
  describeFeatures: [Record<string, never>, DescribeFeaturesResponse];
  describeTopics: [DescribeTopicsRequest, DescribeTopicsResponse];
  describeAcls: [DescribeAclsRequest, DescribeAclsResponse];
  describeClientQuotas: [DescribeClientQuotasRequest, DescribeClientQuotasResponse];
  describeUserScramCredentials: [DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse];
  describeGroups: [DescribeGroupsRequest, DescribeGroupsResponse];
  describeNode: [Record<string, never>, DescribeNodeResponse];
  exportMetadata: [Record<string, never>, ExportMetadataResponse];
}

export type RpcMethod = keyof RpcMethods;
export type RpcRequest<M extends RpcMethod> = RpcMethods[M][0];
export type RpcResponse<M extends RpcMethod> = RpcMethods[M][1];

/** Methods the active controller must run; any other node forwards them. */
export const CONTROLLER_METHODS: ReadonlySet<RpcMethod> = new Set<RpcMethod>([
  'registerBroker',
  'brokerHeartbeat',
  'unregisterBroker',
  'createTopics',
  'deleteTopics',
  'createPartitions',
  'alterPartition',
  'alterPartitionReassignments',
  'electLeaders',
  'createAcls',
  'deleteAcls',
  'incrementalAlterConfigs',
  'alterConfigs',
  'updateFeatures',
  'alterClientQuotas',
  'alterUserScramCredentials',
  'allocateProducerIds',
  'commitOffsets',
  'deleteGroups',
  'deleteOffsets',
  'expireOffsets',
  'storeGroup',
  'importMetadata',
  'fetchOffsets',
  'listPartitionReassignments',
  'describeCluster',
  'describeQuorum',
]);

/**
 * Anything that can make a typed call: a connection to one node, or a channel that follows the
 * active controller. `retryAmbiguous: false` (a channel's option; a single connection never
 * retries): an attempt that may have been applied ends the call instead of being sent again.
 */
export interface RpcCaller {
  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options?: { readonly timeoutMs?: number; readonly retryAmbiguous?: boolean; readonly attemptTimeoutMs?: number }): Promise<RpcResponse<M>>;
}
