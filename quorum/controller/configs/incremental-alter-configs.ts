// IncrementalAlterConfigs (api 44) and the legacy AlterConfigs (api 33) as controller operations:
// validate each resource against the pending image and answer one ConfigRecord per key whose
// explicit value changes (value null = the key is deleted). Pure; appends nothing itself.
//
// Rules, per resource, in this order (each resource succeeds or fails alone, as in Kafka):
// 1. A resource named twice in one request: INVALID_REQUEST for every copy (Kafka's preprocess).
// 2. Resource type other than topic/broker: INVALID_REQUEST.
// 3. Topic: must exist in the image, else UNKNOWN_TOPIC_OR_PARTITION.
//    Broker: '' (the cluster default) or a base-10 broker id in canonical form ('1', not '01': the
//    image is keyed by String(brokerId)), else INVALID_REQUEST. The id need not be registered:
//    Kafka's controller allows configuring a broker before it joins (it checks the name only), and
//    so do we.
// 4. A key named twice in one resource: INVALID_REQUEST ("Error due to duplicate config keys").
// 5. Op id outside SET 0, DELETE 1, APPEND 2, SUBTRACT 3: INVALID_REQUEST. A null value with SET,
//    APPEND or SUBTRACT: INVALID_REQUEST (Kafka's "Null value not supported for : key").
// 6. SET/APPEND/SUBTRACT of an unknown key: INVALID_CONFIG "Unknown topic config name: x". DELETE of
//    any key (even unknown, so stale keys from a ZooKeeper import can be removed) is accepted and
//    writes a record only if the key is set. Since rule 9 validates the whole resulting set, a
//    resource holding a stale unknown key must delete it in the same request as other changes.
// 7. APPEND/SUBTRACT of a non-list key: INVALID_CONFIG. APPEND adds the comma-separated items not
//    already present; SUBTRACT removes every copy of each item. Both start from the key's explicit
//    value at this resource, or, when it has none, from the value it inherits from the level below
//    (a topic: the cluster default broker synonym, then Kafka's default; a broker id: the cluster
//    default, then Kafka's default). Kafka starts from the static/default value only; starting from
//    the inherited dynamic default is what an operator who appends sees in DescribeConfigs.
// 8. A per-broker-only key (the SSL keystores) set at the cluster default '': INVALID_CONFIG.
// 9. The resulting explicit set (not only the changed keys) is validated by validateConfigs, with the
//    cross-key checks on effective values (min.compaction.lag.ms ≤ max.compaction.lag.ms). We do not
//    over-validate: min.insync.replicas above the replication factor is allowed, as in Kafka.
// Records are written only for keys whose explicit value changes (Kafka writes broker ones always;
// an unchanged broker value changes nothing for a replaying broker here). validateOnly answers the
// same errors and no records. A request whose records would pass config.maxRecordsPerOperation
// answers the resources past the bound with INVALID_REQUEST.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ConfigRecord, ConfigResourceType } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { topicNameError } from '../replication/topic-names.js';
import {
  configKey,
  effectiveBrokerConfig,
  inheritedTopicConfig,
  parseList,
  staticConfigsOf,
  unknownConfigKeyError,
  validateConfigs,
  type ConfigLookupOptions,
} from './config-schema.js';

/** Kafka's AlterConfigOp.OpType ids. */
export const AlterConfigOpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
export type AlterConfigOpTypeValue = (typeof AlterConfigOpType)[keyof typeof AlterConfigOpType];
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const;

export interface AlterableConfig {
  readonly name: string;
  /** An AlterConfigOpType id; anything else is INVALID_REQUEST. */
  readonly op: number;
  readonly value: string | null;
}

export interface IncrementalAlterConfigsResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly configs: readonly AlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  readonly resources: readonly IncrementalAlterConfigsResource[];
  readonly validateOnly: boolean;
}

export interface AlterConfigsResourceResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
}

export interface AlterConfigsResponse {
  /** One per request resource, in request order. */
  readonly results: readonly AlterConfigsResourceResult[];
}

export interface LegacyAlterConfigsResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  /** The whole new explicit set; a null value leaves the key unset. */
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface LegacyAlterConfigsRequest {
  readonly resources: readonly LegacyAlterConfigsResource[];
  readonly validateOnly: boolean;
}

const BROKER_ID_TEXT = /^\d+$/;
const BROKER_ID_MAX = 2147483647;

/**
 * Rules 2 and 3: the resource exists and is named well. A missing topic whose name no topic can
 * have is INVALID_TOPIC_EXCEPTION, and an alter of '' (the cluster default of brokers, which topics
 * do not have) INVALID_REQUEST, as Kafka's ConfigHelper and ControllerConfigurationValidator
 * answer; both were UNKNOWN_TOPIC_OR_PARTITION (found by a review). A topic that exists is
 * configurable whatever its name: migrate-from-zk imports names an older Kafka allowed.
 */
export function checkConfigResource(image: MetadataImageView, resourceType: string, resourceName: string, op: 'describe' | 'alter'): ApiError {
  if (resourceType === 'topic') {
    if (op === 'alter' && resourceName === '') return apiError('INVALID_REQUEST', 'Default topic resources are not allowed.');
    if (image.topicByName(resourceName) !== undefined) return NONE; // also a name migrate-from-zk imported from an older Kafka
    const badName = topicNameError(resourceName);
    return badName ?? apiError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${resourceName}' does not exist.`);
  }
  if (resourceType === 'broker') {
    if (resourceName === '') return NONE;
    if (!BROKER_ID_TEXT.test(resourceName) || Number(resourceName) > BROKER_ID_MAX || String(Number(resourceName)) !== resourceName) {
      return apiError('INVALID_REQUEST', `Unable to parse broker name '${resourceName}' as a base 10 broker id; use '' for the cluster default.`);
    }
    return NONE;
  }
  return apiError('INVALID_REQUEST', `Unsupported resource type '${resourceType}': only topic and broker configs are stored.`);
}

/** The value a key inherits at a resource from the level below it (rule 7). */
function inheritedValue(ctx: OpContext, resourceType: ConfigResourceType, resourceName: string, key: string): string | null {
  const options: ConfigLookupOptions = { staticConfigs: staticConfigsOf(ctx.config) };
  if (configKey(resourceType, key) === undefined) return null;
  if (resourceType === 'topic') return inheritedTopicConfig(ctx.image, key, options).value;
  if (resourceName === '') {
    const def = configKey('broker', key);
    return options.staticConfigs?.get(key) ?? def?.defaultValue ?? null;
  }
  return effectiveBrokerConfig(ctx.image, null, key, options).value;
}

function perBrokerOnlyError(resourceType: ConfigResourceType, resourceName: string, keys: Iterable<string>): ApiError | null {
  if (resourceType !== 'broker' || resourceName !== '') return null;
  const bad = [...keys].filter((k) => configKey('broker', k)?.perBrokerOnly === true).sort();
  if (bad.length === 0) return null;
  return apiError('INVALID_CONFIG', `Cannot update these configs at default cluster level, broker id must be specified: ${bad.join(', ')}`);
}

/** Rule 9 and the records: validates the resulting explicit set and diffs it against the current one. */
function finish(
  ctx: OpContext,
  resourceType: ConfigResourceType,
  resourceName: string,
  current: ReadonlyMap<string, string>,
  next: ReadonlyMap<string, string>,
  order: readonly string[],
): { error: ApiError; records: ConfigRecord[] } {
  const changed = order.filter((k) => next.get(k) !== current.get(k));
  const perBroker = perBrokerOnlyError(resourceType, resourceName, changed.filter((k) => next.has(k)));
  if (perBroker !== null) return { error: perBroker, records: [] };
  const invalid = validateConfigs(resourceType, next, (k) => inheritedValue(ctx, resourceType, resourceName, k));
  if (invalid !== null) return { error: invalid, records: [] };
  const records: ConfigRecord[] = changed.map((name) => ({ type: 'Config', resourceType, resourceName, name, value: next.get(name) ?? null }));
  return { error: NONE, records };
}

function alterIncrementally(ctx: OpContext, res: IncrementalAlterConfigsResource): { error: ApiError; records: ConfigRecord[] } {
  const { resourceType, resourceName } = res;
  const names = new Set<string>();
  for (const c of res.configs) {
    if (names.has(c.name)) return { error: apiError('INVALID_REQUEST', `Error due to duplicate config keys: ${c.name}`), records: [] };
    names.add(c.name);
  }
  const current = ctx.image.configs(resourceType, resourceName);
  const next = new Map(current);
  for (const c of res.configs) {
    const opName = OP_NAMES[c.op];
    if (!Number.isInteger(c.op) || opName === undefined) {
      return { error: apiError('INVALID_REQUEST', `Unknown config operation ${c.op} for ${c.name} (SET 0, DELETE 1, APPEND 2, SUBTRACT 3)`), records: [] };
    }
    if (c.op === AlterConfigOpType.DELETE) {
      next.delete(c.name);
      continue;
    }
    if (c.value === null) return { error: apiError('INVALID_REQUEST', `Null value not supported for : ${c.name}`), records: [] };
    const def = configKey(resourceType, c.name);
    if (def === undefined) return { error: unknownConfigKeyError(resourceType, c.name), records: [] };
    if (c.op === AlterConfigOpType.SET) {
      next.set(c.name, c.value);
      continue;
    }
    if (def.type !== 'list') {
      return { error: apiError('INVALID_CONFIG', `Can't ${opName} to key ${c.name} because its type is not LIST.`), records: [] };
    }
    const base = current.get(c.name) ?? inheritedValue(ctx, resourceType, resourceName, c.name) ?? '';
    let items = parseList(base);
    const operands = parseList(c.value);
    if (c.op === AlterConfigOpType.APPEND) {
      for (const item of operands) if (!items.includes(item)) items.push(item);
    } else {
      items = items.filter((item) => !operands.includes(item));
    }
    next.set(c.name, items.join(','));
  }
  return finish(ctx, resourceType, resourceName, current, next, res.configs.map((c) => c.name));
}

function alterWhole(ctx: OpContext, res: LegacyAlterConfigsResource): { error: ApiError; records: ConfigRecord[] } {
  const { resourceType, resourceName } = res;
  const next = new Map<string, string>();
  const seen = new Set<string>();
  for (const c of res.configs) {
    if (seen.has(c.name)) return { error: apiError('INVALID_REQUEST', `Error due to duplicate config keys: ${c.name}`), records: [] };
    seen.add(c.name);
    if (c.value !== null) next.set(c.name, c.value);
  }
  const current = ctx.image.configs(resourceType, resourceName);
  const removed = [...current.keys()].filter((k) => !next.has(k)).sort();
  return finish(ctx, resourceType, resourceName, current, next, [...removed, ...[...next.keys()]]);
}

function resourceId(resourceType: string, resourceName: string): string {
  return `${resourceType}\u0000${resourceName}`;
}

function run<R extends { readonly resourceType: ConfigResourceType; readonly resourceName: string }>(
  ctx: OpContext,
  resources: readonly R[],
  validateOnly: boolean,
  alter: (ctx: OpContext, res: R) => { error: ApiError; records: ConfigRecord[] },
): OpResult<AlterConfigsResponse> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(resourceId(r.resourceType, r.resourceName), (counts.get(resourceId(r.resourceType, r.resourceName)) ?? 0) + 1);
  const records: ConfigRecord[] = [];
  const results: AlterConfigsResourceResult[] = [];
  for (const res of resources) {
    const { resourceType, resourceName } = res;
    let error: ApiError;
    let produced: ConfigRecord[] = [];
    if ((counts.get(resourceId(resourceType, resourceName)) ?? 0) > 1) {
      error = apiError('INVALID_REQUEST', `The ${resourceType} resource '${resourceName}' appears more than once in the request.`);
    } else {
      error = checkConfigResource(ctx.image, resourceType, resourceName, 'alter');
      if (error.code === ErrorCode.NONE) ({ error, records: produced } = alter(ctx, res));
    }
    if (error.code === ErrorCode.NONE && records.length + produced.length > ctx.config.maxRecordsPerOperation) {
      error = apiError('INVALID_REQUEST', `Too many config changes in one request (bound: ${ctx.config.maxRecordsPerOperation} records); split it.`);
      produced = [];
    }
    if (error.code === ErrorCode.NONE && !validateOnly) records.push(...produced);
    results.push({ errorCode: error.code, errorMessage: error.message, resourceType, resourceName });
  }
  return { records, response: { results } };
}

/** IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT per key (rules in the header). */
export function incrementalAlterConfigs(ctx: OpContext, request: IncrementalAlterConfigsRequest): OpResult<AlterConfigsResponse> {
  return run(ctx, request.resources, request.validateOnly, alterIncrementally);
}

/** Legacy AlterConfigs: the request's set replaces the resource's whole explicit set. */
export function alterConfigs(ctx: OpContext, request: LegacyAlterConfigsRequest): OpResult<AlterConfigsResponse> {
  return run(ctx, request.resources, request.validateOnly, alterWhole);
}
