// Which handler answers which Kafka API (every API ./protocol/api-keys.ts advertises has one).

import { supportedApiVersionsResponse, type DecodedKafkaRequest, type KafkaApiName, type KafkaApiTypes } from './protocol/index.js';
import type { KafkaContext, KafkaHandler } from './handlers/context.js';
import { handleAlterConfigs, handleDescribeConfigs } from './handlers/configs.js';
import { handleFindCoordinator } from './handlers/find-coordinator.js';
import { handleDeleteGroups, handleDescribeGroups, handleListGroups } from './handlers/groups.js';
import { handleMetadata } from './handlers/metadata.js';
import { handleOffsetCommit, handleOffsetFetch } from './handlers/offsets.js';
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
  DescribeGroups: handleDescribeGroups,
  ListGroups: handleListGroups,
  DeleteGroups: handleDeleteGroups,
  DescribeConfigs: handleDescribeConfigs,
  AlterConfigs: handleAlterConfigs,
};

export async function dispatchKafkaRequest(ctx: KafkaContext, decoded: DecodedKafkaRequest): Promise<unknown> {
  const handler = handlers[decoded.api] as KafkaHandler<unknown, unknown>;
  return handler(ctx, decoded.request, decoded.header.apiVersion);
}
