// Which handler answers which Kafka API. APIs without a handler yet are answered with
// UNSUPPORTED_VERSION where the response can say so; the table in ./protocol/api-keys.ts says
// what every broker advertises.

import { supportedApiVersionsResponse, type DecodedKafkaRequest, type KafkaApiName, type KafkaApiTypes } from './protocol/index.js';
import type { KafkaContext, KafkaHandler } from './handlers/context.js';
import { handleMetadata } from './handlers/metadata.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './handlers/topics.js';

type HandlerTable = { readonly [N in KafkaApiName]?: KafkaHandler<KafkaApiTypes[N][0], KafkaApiTypes[N][1]> };

const handlers: HandlerTable = {
  ApiVersions: async () => supportedApiVersionsResponse(),
  Metadata: handleMetadata,
  CreateTopics: handleCreateTopics,
  DeleteTopics: handleDeleteTopics,
  CreatePartitions: handleCreatePartitions,
};

/** Registers more handlers (the group, offset and config APIs live in their own files). */
export function registerKafkaHandlers(more: HandlerTable): void {
  Object.assign(handlers, more);
}

export async function dispatchKafkaRequest(ctx: KafkaContext, decoded: DecodedKafkaRequest): Promise<unknown> {
  const handler = handlers[decoded.api] as KafkaHandler<unknown, unknown> | undefined;
  if (handler === undefined) throw new Error(`no handler for ${decoded.api} yet`);
  return handler(ctx, decoded.request, decoded.header.apiVersion);
}
