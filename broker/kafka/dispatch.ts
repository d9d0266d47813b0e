// Which handler answers which Kafka API (every API ./protocol/api-keys.ts advertises has one), and
// with an authorizer configured, which guard stands before it (./authorize-requests.ts).

import { supportedApiVersionsResponse, type DecodedKafkaRequest, type KafkaApiName, type KafkaApiTypes } from './protocol/index.js';
import type { KafkaClient, KafkaContext, KafkaHandler } from './handlers/context.js';
import { authorized } from './authorize-requests.js';
import { ANONYMOUS_PRINCIPAL, sessionHost } from '../../quorum/net/principal.js';
import { handleCreateAcls, handleDeleteAcls, handleDescribeAcls } from './handlers/acls.js';
import { handleAlterClientQuotas, handleDescribeClientQuotas } from './handlers/client-quotas.js';
import { handleAlterConfigs, handleDescribeConfigs, handleIncrementalAlterConfigs } from './handlers/configs.js';
import { handleFindCoordinator } from './handlers/find-coordinator.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from './handlers/groups.js';
import { handleListOffsets } from './handlers/list-offsets.js';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from './handlers/membership.js';
import { handleMetadata } from './handlers/metadata.js';
import { handleOffsetCommit, handleOffsetFetch } from './handlers/offsets.js';
import { handleOffsetDelete } from './handlers/offset-delete.js';
import { handleAlterPartitionReassignments, handleElectLeaders, handleListPartitionReassignments } from './handlers/reassignments.js';
import { handleSaslAuthenticate, handleSaslHandshake } from './handlers/sasl.js';
import { handleAlterUserScramCredentials, handleDescribeUserScramCredentials } from './handlers/scram-credentials.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './handlers/topics.js';

type HandlerTable = { readonly [N in KafkaApiName]: KafkaHandler<KafkaApiTypes[N][0], KafkaApiTypes[N][1]> };

const handlers: HandlerTable = {
  ApiVersions: async () => supportedApiVersionsResponse(),
  Metadata: handleMetadata,
  CreateTopics: handleCreateTopics,
  DeleteTopics: handleDeleteTopics,
  CreatePartitions: handleCreatePartitions,
  FindCoordinator: handleFindCoordinator,
  OffsetCommit: handleOffsetCommit,
  OffsetFetch: handleOffsetFetch,
  JoinGroup: handleJoinGroup,
  SyncGroup: handleSyncGroup,
  Heartbeat: handleHeartbeat,
  LeaveGroup: handleLeaveGroup,
  ListOffsets: handleListOffsets,
  DescribeGroups: handleDescribeGroups,
  ListGroups: handleListGroups,
  DeleteGroups: handleDeleteGroups,
  OffsetDelete: handleOffsetDelete,
  DescribeConfigs: handleDescribeConfigs,
  AlterConfigs: handleAlterConfigs,
  IncrementalAlterConfigs: handleIncrementalAlterConfigs,
  DescribeClientQuotas: handleDescribeClientQuotas,
  AlterClientQuotas: handleAlterClientQuotas,
  DescribeUserScramCredentials: handleDescribeUserScramCredentials,
  AlterUserScramCredentials: handleAlterUserScramCredentials,
  ElectLeaders: handleElectLeaders,
  AlterPartitionReassignments: handleAlterPartitionReassignments,
  ListPartitionReassignments: handleListPartitionReassignments,
  DescribeAcls: handleDescribeAcls,
  CreateAcls: handleCreateAcls,
  DeleteAcls: handleDeleteAcls,
  SaslHandshake: handleSaslHandshake,
  SaslAuthenticate: handleSaslAuthenticate,
};

/**
 * Answers one request: through its guard (./authorize-requests.ts) when an authorizer is
 * configured, straight to its handler otherwise. `clientHost` is Kafka's "/127.0.0.1" form.
 */
export async function dispatchKafkaRequest(ctx: KafkaContext, decoded: DecodedKafkaRequest, clientHost: string, principal: string = ANONYMOUS_PRINCIPAL): Promise<unknown> {
  const handler = handlers[decoded.api] as KafkaHandler<unknown, unknown>;
  const client: KafkaClient = { clientId: decoded.header.clientId ?? '', clientHost, principal };
  const version = decoded.header.apiVersion;
  if (ctx.authorizer === undefined) return handler(ctx, decoded.request, version, client);
  const session = { principal, host: sessionHost(clientHost) };
  return authorized(ctx.authorizer, session, decoded.api as KafkaApiName, decoded.request as never, version, ctx, (request) => handler(ctx, request, version, client) as never);
}
