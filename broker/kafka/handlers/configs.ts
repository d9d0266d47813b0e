// DescribeConfigs (api 32, v0-2), AlterConfigs (api 33, v0-1) and IncrementalAlterConfigs (api 44, v0-1).
//
// - DescribeConfigs reads this broker's image with the controller's own describeConfigs rules
//   (quorum/controller/configs/describe-configs.ts), as this broker: its dynamic broker configs
//   show up as DYNAMIC_BROKER_CONFIG synonyms of topic keys.
// - AlterConfigs is forwarded to the active controller's `alterConfigs` op (Kafka's legacy
//   semantics: the given set replaces the resource's whole explicit set; validate_only supported:
//   same errors, nothing written). After a successful write this broker waits, briefly and
//   bounded, until its own image shows the new set: kafkajs sends describeConfigs to the same
//   broker right after, and should read its own write.
// - IncrementalAlterConfigs is forwarded to the controller's `incrementalAlterConfigs` op (SET,
//   DELETE, APPEND, SUBTRACT per key; Kafka's rules and errors), and waits the same way until this
//   broker's image shows what its SET and DELETE operations wrote.
// - Resource types: Kafka's 2 (topic) and 4 (broker) map to the log's 'topic' and 'broker'; any
//   other (BROKER_LOGGER 8, unknown) is answered INVALID_REQUEST here, per resource. DescribeConfigs
//   of a broker resource naming another broker is INVALID_REQUEST too, as in Kafka (ask that broker).
// - Controller unreachable (after the channel's retries): NOT_CONTROLLER per resource, the code
//   kafkajs's admin retries on (controller-failure.ts).

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ConfigResourceType as LogResourceType } from '../../../metadata-log/records/types.js';
import { describeConfigs } from '../../../quorum/controller/configs/describe-configs.js';
import type { IncrementalAlterConfigsResource as ControllerIncrementalResource, LegacyAlterConfigsResource } from '../../../quorum/controller/configs/incremental-alter-configs.js';
import { AlterConfigOpType } from '../../../quorum/controller/configs/incremental-alter-configs.js';
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../protocol/apis/incremental-alter-configs.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/apis/alter-configs.js';
import {
  ConfigResourceType,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
} from '../protocol/apis/describe-configs.js';
import type { KafkaContext, KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';

/** How long AlterConfigs waits for this broker's image to show its write, and how often it looks. */
export const ALTER_CONFIGS_VISIBLE_WAIT_MS = 2_000;
const ALTER_CONFIGS_VISIBLE_POLL_MS = 10;

/** Kafka's resource type code to the metadata log's, or null for one we do not store. */
export function logResourceType(kafkaType: number): LogResourceType | null {
  if (kafkaType === ConfigResourceType.TOPIC) return 'topic';
  if (kafkaType === ConfigResourceType.BROKER) return 'broker';
  return null;
}

function unsupportedTypeMessage(kafkaType: number): string {
  return `Unsupported resource type ${kafkaType}: only topic (2) and broker (4) configs are stored.`;
}

export const handleDescribeConfigs: KafkaHandler<DescribeConfigsRequest, DescribeConfigsResponse> = async (ctx, request) => {
  const image = ctx.image();
  const results = request.resources.map((res): DescribeConfigsResult => {
    const resourceType = logResourceType(res.resourceType);
    const base = { resourceType: res.resourceType, resourceName: res.resourceName };
    if (resourceType === null) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: unsupportedTypeMessage(res.resourceType), configs: [] };
    // Kafka's rule: a broker describes itself (or the cluster default, ''); asked about another,
    // it would report its own static values under that broker's name.
    if (resourceType === 'broker' && /^\d+$/.test(res.resourceName) && Number(res.resourceName) !== ctx.brokerId) {
      const errorMessage = `Unexpected broker id, expected ${ctx.brokerId} or empty string, but received ${res.resourceName}`;
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage, configs: [] };
    }
    const one = describeConfigs(
      image,
      { resources: [{ resourceType, resourceName: res.resourceName, configurationKeys: res.configurationKeys }], includeSynonyms: request.includeSynonyms, includeDocumentation: false },
      { brokerId: ctx.brokerId, ...ctx.ownConfigs },
    ).results[0];
    if (one === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'describeConfigs answered no result', configs: [] };
    return {
      ...base,
      errorCode: one.errorCode,
      errorMessage: one.errorMessage,
      configs: one.configs.map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        configSource: c.source,
        isSensitive: c.isSensitive,
        synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })),
      })),
    };
  });
  return { throttleTimeMs: 0, results };
};

/** True when `image` holds exactly `configs` (null values = unset) as the resource's explicit set. */
function shows(image: MetadataImageView, res: LegacyAlterConfigsResource): boolean {
  const held = image.configs(res.resourceType, res.resourceName);
  const wanted = res.configs.filter((c) => c.value !== null);
  return held.size === wanted.length && wanted.every((c) => held.get(c.name) === c.value);
}

/** True when `image` shows what the SET and DELETE operations on `res` wrote (APPEND and SUBTRACT are not checked). */
function showsOps(image: MetadataImageView, res: ControllerIncrementalResource): boolean {
  const held = image.configs(res.resourceType, res.resourceName);
  return res.configs.every((c) => (c.op === AlterConfigOpType.SET ? held.get(c.name) === c.value : c.op === AlterConfigOpType.DELETE ? !held.has(c.name) : true));
}

async function awaitVisible(image: () => MetadataImageView, visible: (image: MetadataImageView) => boolean): Promise<void> {
  const deadline = Date.now() + ALTER_CONFIGS_VISIBLE_WAIT_MS;
  while (Date.now() < deadline) {
    if (visible(image())) return;
    await new Promise((r) => setTimeout(r, ALTER_CONFIGS_VISIBLE_POLL_MS));
  }
  // Not visible yet (a slow image, or a concurrent change won): answer anyway, the write is done.
}

/** One resource's answer to AlterConfigs or IncrementalAlterConfigs (both share this shape). */
interface ConfigWriteResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Forwards the config writes of an AlterConfigs or IncrementalAlterConfigs request to the active
 * controller (`send`): one answer per resource, in request order; a type the log does not store is
 * answered here. After a write, waits (bounded) until this broker's image `shows` it.
 */
async function forwardConfigWrites<In extends { resourceType: number; resourceName: string }, Out>(
  ctx: KafkaContext,
  resources: readonly In[],
  validateOnly: boolean,
  toController: (res: In, resourceType: LogResourceType) => Out,
  send: (forwarded: Out[]) => Promise<{ readonly results: readonly { readonly errorCode: number; readonly errorMessage: string | null }[] }>,
  shows: (image: MetadataImageView, res: Out) => boolean,
): Promise<ConfigWriteResult[]> {
  const forwarded: { index: number; resource: Out }[] = [];
  const responses: ConfigWriteResult[] = resources.map((res, index) => {
    const base = { resourceType: res.resourceType, resourceName: res.resourceName };
    const resourceType = logResourceType(res.resourceType);
    if (resourceType === null) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: unsupportedTypeMessage(res.resourceType) };
    forwarded.push({ index, resource: toController(res, resourceType) });
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  if (forwarded.length === 0) return responses;
  const put = (i: number, errorCode: number, errorMessage: string | null): void => {
    const slot = responses[i];
    if (slot !== undefined) responses[i] = { ...slot, errorCode, errorMessage };
  };
  try {
    const r = await send(forwarded.map((f) => f.resource));
    forwarded.forEach((f, i) => {
      const result = r.results[i];
      if (result === undefined) put(f.index, ErrorCode.UNKNOWN_SERVER_ERROR, 'the controller answered no result for this resource');
      else put(f.index, result.errorCode, result.errorMessage);
    });
    if (!validateOnly) {
      const written = forwarded.filter((_f, i) => r.results[i]?.errorCode === ErrorCode.NONE).map((f) => f.resource);
      if (written.length > 0) await awaitVisible(() => ctx.image(), (now) => written.every((res) => shows(now, res)));
    }
  } catch (e) {
    const failure = forwardFailure(e, 'admin');
    for (const f of forwarded) put(f.index, failure.errorCode, failure.errorMessage);
  }
  return responses;
}

export const handleAlterConfigs: KafkaHandler<AlterConfigsRequest, AlterConfigsResponse> = async (ctx, request) => ({
  throttleTimeMs: 0,
  responses: await forwardConfigWrites(
    ctx,
    request.resources,
    request.validateOnly,
    (res, resourceType): LegacyAlterConfigsResource => ({ resourceType, resourceName: res.resourceName, configs: res.configs.map((c) => ({ name: c.name, value: c.value })) }),
    (resources) => ctx.controller.call('alterConfigs', { resources, validateOnly: request.validateOnly }, { timeoutMs: ctx.controllerTimeoutMs }),
    shows,
  ),
});

export const handleIncrementalAlterConfigs: KafkaHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = async (ctx, request) => ({
  throttleTimeMs: 0,
  responses: await forwardConfigWrites(
    ctx,
    request.resources,
    request.validateOnly,
    (res, resourceType): ControllerIncrementalResource => ({
      resourceType,
      resourceName: res.resourceName,
      configs: res.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
    }),
    (resources) => ctx.controller.call('incrementalAlterConfigs', { resources, validateOnly: request.validateOnly }, { timeoutMs: ctx.controllerTimeoutMs }),
    showsOps,
  ),
});
