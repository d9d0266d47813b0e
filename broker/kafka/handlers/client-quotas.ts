// DescribeClientQuotas (api 48, v0-1) and AlterClientQuotas (api 49, v0-1): Kafka's client quotas
// (KIP-546), as kafka-configs.sh --entity-type users|clients|ips and the Java AdminClient's
// describeClientQuotas / alterClientQuotas use them. Quotas are stored in the metadata log and
// served. Of them only an ip's connection_creation_rate is enforced, on the Kafka listeners
// (../../broker-server.ts, ../../dynamic-connection-limits.ts); the user and client quotas are
// not: there is no data plane (no Produce, no Fetch) to throttle.
//
// - DescribeClientQuotas is answered from this broker's own image with the controller's own
//   describeClientQuotas (quorum/controller/configs/client-quotas.ts; the filter is Kafka's
//   ClientQuotasImage.describe, metadata-log/client-quota-filter.ts), as a KRaft broker answers
//   from its metadata cache. A refused filter (an unknown match type, a type twice, ip with user or
//   client-id, ...) is the top-level error_code and error_message, with null entries, as Kafka's.
// - AlterClientQuotas is forwarded to the active controller's `alterClientQuotas` op, which judges
//   every entry (Kafka's ClientQuotaControlManager rules) and answers one result per entry in
//   request order; each answer carries the request's entity as sent. After a write this broker
//   waits, at most READ_YOUR_WRITES_WAIT_MS, until its own image shows what the entries answered
//   NONE set and removed, so a DescribeClientQuotas to it right after sees them. A forward that
//   fails as a whole answers every entry with NOT_CONTROLLER (retried by clients) or the
//   controller's code (./controller-failure.ts).
// Who may call them (DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster) is checked before, in
// ../authorize-requests.ts.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { checkClientQuotaEntity, describeClientQuotas, type ClientQuotaAlteration } from '../../../quorum/controller/configs/client-quotas.js';
import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/apis/alter-client-quotas.js';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../protocol/apis/describe-client-quotas.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { READ_YOUR_WRITES_WAIT_MS } from './topics.js';

export const handleDescribeClientQuotas: KafkaHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse> = async (ctx, request) => {
  const r = describeClientQuotas(ctx.image(), { components: request.components, strict: request.strict });
  if (r.errorCode !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: r.errorMessage, entries: null };
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    entries: r.entries.map((e) => ({
      entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
      values: e.values.map((v) => ({ key: v.key, value: v.value })),
    })),
  };
};

/** True when `image` holds what `alteration` set and no longer holds what it removed. */
function shows(image: MetadataImageView, alteration: ClientQuotaAlteration): boolean {
  const checked = checkClientQuotaEntity(alteration.entity);
  if ('error' in checked) return true; // not written (the controller would not have answered NONE)
  const held = image.clientQuota(checked.entity)?.values;
  return alteration.ops.every((op) => (op.remove ? held?.has(op.key) !== true : held?.get(op.key) === op.value));
}

export const handleAlterClientQuotas: KafkaHandler<AlterClientQuotasRequest, AlterClientQuotasResponse> = async (ctx, request) => {
  if (request.entries.length === 0) return { throttleTimeMs: 0, entries: [] };
  const alterations: ClientQuotaAlteration[] = request.entries.map((e) => ({ entity: e.entity, ops: e.ops }));
  let results: readonly { readonly errorCode: number; readonly errorMessage: string | null }[];
  try {
    const r = await ctx.controller.call('alterClientQuotas', { entries: alterations, validateOnly: request.validateOnly }, { timeoutMs: ctx.controllerTimeoutMs });
    results = r.entries;
    if (!request.validateOnly) {
      const written = alterations.filter((_a, i) => r.entries[i]?.errorCode === ErrorCode.NONE);
      if (written.length > 0) await ctx.awaitImage((image) => written.every((a) => shows(image, a)), READ_YOUR_WRITES_WAIT_MS);
    }
  } catch (e) {
    const f = forwardFailure(e, 'admin');
    results = request.entries.map(() => f);
  }
  return {
    throttleTimeMs: 0,
    entries: request.entries.map((e, i) => {
      const result = results[i] ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller answered no result for this entry' };
      return { errorCode: result.errorCode, errorMessage: result.errorMessage, entity: e.entity };
    }),
  };
};
