// Client quotas (Kafka's ClientQuotaControlManager): AlterClientQuotas writes ClientQuota records;
// DescribeClientQuotas reads the image (metadata-log/client-quota-filter.ts).
//
// An entity is a user, a client id, a user with a client id, or an IP address; a null name is
// that kind's default (<default> in Kafka's tools). The keys each kind takes (Kafka's QuotaConfigs):
//   user, client-id, user+client-id   producer_byte_rate, consumer_byte_rate (whole numbers),
//                                     request_percentage, controller_mutation_rate
//   ip                                connection_creation_rate (a whole number up to 2^31-1)
//
// AlterClientQuotas, per entry in request order, first match answers (no records for it):
//   metadata.version below 6 (1.0-IV5)        → UNSUPPORTED_VERSION, every entry
//   its entity also named by another entry    → INVALID_REQUEST, every copy (Kafka answered the
//                                                later copy but kept the earlier one's records)
//   no parts; a type not user/client-id/ip; a type twice; an empty name; ip with another type;
//   an ip name that is not an IPv4 or IPv6 address (no host names: a broker matches the peer's
//   address, so a name would never match)  → INVALID_REQUEST
//   the same key twice                        → INVALID_REQUEST
//   a key the kind does not take; a value that is not a finite number at least 0 or, for the
//   whole-number keys, not whole (Kafka's 1e-6 tolerance)
//                                             → INVALID_REQUEST (Kafka answered NONE after such an
//                                                error and wrote the entry's other keys; and Kafka's
//                                                controller takes a negative rate, which means
//                                                nothing: refused here)
//   its records would take the request past maxRecordsPerOperation → POLICY_VIOLATION
//   else NONE: a record per key whose value changes, and per removal of a key the entity holds.
// validateOnly answers the same and writes nothing.

import { isIP } from 'node:net';
import { CLIENT_QUOTA_ENTITY_TYPES } from '../../../metadata-log/records/client-quota.js';
import type { ClientQuotaEntityPart, ClientQuotaEntityType, ClientQuotaRecord } from '../../../metadata-log/records/types.js';
import { clientQuotaEntityKey, type MetadataImageView } from '../../../metadata-log/image-types.js';
import { selectClientQuotas, type ClientQuotaFilter } from '../../../metadata-log/client-quota-filter.js';
import { apiError, ErrorCode, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { metadataVersionSupportsClientQuotas } from './features.js';
import { shapeError } from '../acls/acl-rules.js';

export interface ClientQuotaEntityInput {
  readonly entityType: string;
  readonly entityName: string | null;
}

export interface ClientQuotaOp {
  readonly key: string;
  /** Ignored when `remove`. */
  readonly value: number;
  readonly remove: boolean;
}

export interface ClientQuotaAlteration {
  readonly entity: readonly ClientQuotaEntityInput[];
  readonly ops: readonly ClientQuotaOp[];
}

export interface AlterClientQuotasRequest {
  readonly entries: readonly ClientQuotaAlteration[];
  readonly validateOnly: boolean;
}

export interface AlterClientQuotasResponse {
  /** One per request entry, in order. */
  readonly entries: readonly { readonly errorCode: number; readonly errorMessage: string | null; readonly entity: readonly ClientQuotaEntityInput[] }[];
}

export type DescribeClientQuotasRequest = ClientQuotaFilter;

export interface DescribeClientQuotasResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly entries: readonly { readonly entity: readonly ClientQuotaEntityPart[]; readonly values: readonly { readonly key: string; readonly value: number }[] }[];
}

type KeyKind = 'whole' | 'int32' | 'fraction';
const USER_AND_CLIENT_KEYS: ReadonlyMap<string, KeyKind> = new Map([
  ['producer_byte_rate', 'whole'],
  ['consumer_byte_rate', 'whole'],
  ['request_percentage', 'fraction'],
  ['controller_mutation_rate', 'fraction'],
]);
const IP_KEYS: ReadonlyMap<string, KeyKind> = new Map([['connection_creation_rate', 'int32']]);

/** The quota keys an entity of these types takes. */
export function clientQuotaKeysFor(types: readonly ClientQuotaEntityType[]): ReadonlyMap<string, KeyKind> {
  return types.includes('ip') ? IP_KEYS : USER_AND_CLIENT_KEYS;
}

/** The entity in canonical order, or why it is refused. */
export function checkClientQuotaEntity(entity: readonly ClientQuotaEntityInput[]): { readonly entity: readonly ClientQuotaEntityPart[] } | { readonly error: ApiError } {
  const invalid = (message: string) => ({ error: apiError('INVALID_REQUEST', message) });
  if (entity.length === 0) return invalid('Invalid empty client quota entity');
  const parts: ClientQuotaEntityPart[] = [];
  for (const p of entity) {
    const type = p.entityType as ClientQuotaEntityType;
    if (!CLIENT_QUOTA_ENTITY_TYPES.includes(type)) return invalid(`Unhandled client quota entity type: ${p.entityType}`);
    if (parts.some((q) => q.entityType === type)) return invalid(`Invalid client quota entity, duplicate entity entry ${p.entityType}`);
    if (p.entityName === '') return invalid(`Empty ${p.entityType} not supported`);
    parts.push({ entityType: type, entityName: p.entityName });
  }
  parts.sort((a, b) => CLIENT_QUOTA_ENTITY_TYPES.indexOf(a.entityType) - CLIENT_QUOTA_ENTITY_TYPES.indexOf(b.entityType));
  const ip = parts.find((p) => p.entityType === 'ip');
  if (ip !== undefined && parts.length > 1) return invalid('Invalid client quota entity: ip cannot be combined with user or client-id');
  if (ip?.entityName != null && isIP(ip.entityName) === 0) return invalid(`${ip.entityName} is not a valid IP address`);
  return { entity: parts };
}

/** Why `value` cannot be the quota `key` of an entity taking `keys`, or null. */
export function clientQuotaValueError(keys: ReadonlyMap<string, KeyKind>, key: string, value: unknown): string | null {
  const kind = keys.get(key);
  if (kind === undefined) return `Invalid configuration key ${key}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `Configuration ${key} must be a number at least 0`;
  if (kind !== 'fraction') {
    const whole = Math.trunc(value + 1e-6);
    if (Math.abs(whole - value) > 1e-6) return `Configuration ${key} must be a Long value`;
    if (kind === 'int32' && value > 0x7fffffff) return `Configuration ${key} must be at most ${0x7fffffff}`;
  }
  return null;
}

function checkShape(request: AlterClientQuotasRequest): void {
  const entries = (request as Partial<AlterClientQuotasRequest>).entries;
  const ok =
    Array.isArray(entries) &&
    entries.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        Array.isArray(e.entity) &&
        e.entity.every((p: Partial<ClientQuotaEntityInput> | null) => typeof p === 'object' && p !== null && typeof p.entityType === 'string' && (p.entityName === null || typeof p.entityName === 'string')) &&
        Array.isArray(e.ops) &&
        e.ops.every((o: Partial<ClientQuotaOp> | null) => typeof o === 'object' && o !== null && typeof o.key === 'string' && typeof o.remove === 'boolean'),
    );
  if (!ok) throw shapeError('alterClientQuotas: entries must be a list of { entity: [{ entityType, entityName }], ops: [{ key, value, remove }] }');
}

export function alterClientQuotas(ctx: OpContext, request: AlterClientQuotasRequest): OpResult<AlterClientQuotasResponse> {
  checkShape(request);
  const { image } = ctx;
  const answerAll = (e: ApiError) => ({ records: [], response: { entries: request.entries.map((q) => ({ errorCode: e.code, errorMessage: e.message, entity: q.entity })) } });
  if (!metadataVersionSupportsClientQuotas(image)) {
    return answerAll(apiError('UNSUPPORTED_VERSION', 'Client quotas need metadata.version 1.0-IV5 or later (metaquorum features upgrade).'));
  }
  const checked = request.entries.map((q) => checkClientQuotaEntity(q.entity));
  const seen = new Map<string, number>();
  for (const c of checked) if ('entity' in c) seen.set(clientQuotaEntityKey(c.entity), (seen.get(clientQuotaEntityKey(c.entity)) ?? 0) + 1);

  const records: ClientQuotaRecord[] = [];
  const results: ApiError[] = request.entries.map((q, i) => {
    const c = checked[i]!;
    if ('error' in c) return c.error;
    if (seen.get(clientQuotaEntityKey(c.entity))! > 1) return apiError('INVALID_REQUEST', 'Ignoring duplicate entity: the request names it more than once');
    const entryRecords = alteration(image, c.entity, q.ops);
    if (!Array.isArray(entryRecords)) return entryRecords;
    if (records.length + entryRecords.length > ctx.config.maxRecordsPerOperation) {
      return apiError('POLICY_VIOLATION', `Unable to alter this entity's quotas: the request would write more than the ${ctx.config.maxRecordsPerOperation} records one operation may write; send it in another request.`);
    }
    records.push(...entryRecords);
    return NONE;
  });
  return {
    records: request.validateOnly ? [] : records,
    response: { entries: request.entries.map((q, i) => ({ errorCode: results[i]!.code, errorMessage: results[i]!.message, entity: q.entity })) },
  };
}

/** One entry's records, or why it is refused. */
function alteration(image: MetadataImageView, entity: readonly ClientQuotaEntityPart[], ops: readonly ClientQuotaOp[]): ClientQuotaRecord[] | ApiError {
  const keys = clientQuotaKeysFor(entity.map((p) => p.entityType));
  const current = image.clientQuota(entity)?.values;
  const named = new Set<string>();
  const records: ClientQuotaRecord[] = [];
  for (const op of ops) {
    if (named.has(op.key)) return apiError('INVALID_REQUEST', `Duplicate quota key ${op.key} not updating quota for this entity`);
    named.add(op.key);
    if (op.remove) {
      if (current?.has(op.key) === true) records.push({ type: 'ClientQuota', entity, key: op.key, value: 0, remove: true });
      continue;
    }
    const invalid = clientQuotaValueError(keys, op.key, op.value);
    if (invalid !== null) return apiError('INVALID_REQUEST', invalid);
    // + 0: -0 would be written as 0 (msgpack has no negative integer zero), so every replica holds 0.
    const value = op.value + 0;
    if (current?.get(op.key) !== value) records.push({ type: 'ClientQuota', entity, key: op.key, value, remove: false });
  }
  return records;
}

/** DescribeClientQuotas on an image (the broker's, or the controller's for the CLI). */
export function describeClientQuotas(image: MetadataImageView, request: DescribeClientQuotasRequest): DescribeClientQuotasResponse {
  const components = (request as Partial<DescribeClientQuotasRequest>).components;
  const wellFormed =
    Array.isArray(components) &&
    components.every((c) => typeof c === 'object' && c !== null && typeof c.entityType === 'string' && typeof c.matchType === 'number' && (c.match === null || typeof c.match === 'string'));
  if (!wellFormed || typeof request.strict !== 'boolean') throw shapeError('describeClientQuotas: components must be a list of { entityType, matchType, match }, strict a boolean');
  const selected = selectClientQuotas(image, request);
  if ('error' in selected) return { errorCode: ErrorCode[selected.error], errorMessage: selected.message, entries: [] };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    entries: selected.entries.map((q) => ({ entity: q.entity, values: [...q.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })) })),
  };
}
