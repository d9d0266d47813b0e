// DescribeConfigs (api 32): a read of the image, answered by whichever node holds one (a broker
// answers from its own image, the controller from its pending one). Returns no records.
//
// What each resource lists (Kafka's ConfigHelper):
// - topic: every topic config key, with its effective value and source (config-schema.ts header:
//   topic override → this broker's dynamic config → cluster default → static → Kafka's default).
//   An unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
// - broker '<id>': every dynamic broker key, effective for that broker. The id need not be
//   registered (see incremental-alter-configs.ts rule 3); a name that is no id: INVALID_REQUEST.
//   Listener-prefixed ssl.* keys set for the broker (listener.name.<l>.ssl.keystore.location) are
//   listed too, DYNAMIC_BROKER_CONFIG. A broker describing itself also lists its read-only keys (STATIC_ONLY_BROKER_KEYS, read from
//   server.properties at start), as Kafka lists every broker config: readOnly, STATIC_BROKER_CONFIG
//   when the file sets one, else DEFAULT_CONFIG with the default (null when there is none).
// - broker '': only the keys set at the cluster default (source DYNAMIC_DEFAULT_BROKER_CONFIG).
// - configurationKeys null lists all of the above; a list keeps only the named ones that exist
//   (unknown names are left out silently, as Kafka does).
// Entries: value null for sensitive keys (in synonyms too); isDefault = source DEFAULT_CONFIG;
// readOnly false but for the read-only keys above; synonyms (highest priority first) only when
// includeSynonyms, else empty; documentation only when includeDocumentation, else null.
// Keys are listed in name order.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ConfigResourceType } from '../../../metadata-log/records/types.js';
import { ErrorCode, NONE, type ApiError } from '../errors.js';
import { answer, type OpContext, type OpResult } from '../op.js';
import {
  brokerConfigSynonyms,
  BROKER_CONFIGS,
  listenerPrefixedKey,
  ConfigSource,
  ConfigTypeId,
  staticConfigsOf,
  topicConfigSynonyms,
  TOPIC_CONFIGS,
  type ConfigKeyDef,
  type ConfigLookupOptions,
  type ConfigSourceValue,
  type ConfigSynonym,
  type ReadOnlyBrokerConfig,
} from './config-schema.js';
import { checkConfigResource } from './incremental-alter-configs.js';

export interface DescribeConfigsResource {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  /** null = every key. */
  readonly configurationKeys: readonly string[] | null;
}

export interface DescribeConfigsRequest {
  readonly resources: readonly DescribeConfigsResource[];
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

export interface DescribeConfigsEntry {
  readonly name: string;
  /** null for a sensitive key, or a key with no value at any level. */
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly isDefault: boolean;
  readonly source: ConfigSourceValue;
  readonly isSensitive: boolean;
  /** DescribeConfigs v3 config_type. */
  readonly configType: number;
  /** Highest priority first; empty unless includeSynonyms. */
  readonly synonyms: readonly ConfigSynonym[];
  /** null unless includeDocumentation. */
  readonly documentation: string | null;
}

export interface DescribeConfigsResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  /** Empty when errorCode is not NONE. */
  readonly configs: readonly DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  /** One per request resource, in request order. */
  readonly results: readonly DescribeConfigsResult[];
}

function entry(def: ConfigKeyDef, levels: readonly ConfigSynonym[], request: DescribeConfigsRequest): DescribeConfigsEntry {
  const hide = (s: ConfigSynonym): ConfigSynonym => (def.sensitive ? { ...s, value: null } : s);
  const first = levels[0];
  const source = first?.source ?? ConfigSource.DEFAULT_CONFIG;
  return {
    name: def.name,
    value: def.sensitive ? null : (first?.value ?? null),
    readOnly: false,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    source,
    isSensitive: def.sensitive,
    configType: ConfigTypeId[def.type],
    synonyms: request.includeSynonyms ? levels.map(hide) : [],
    documentation: request.includeDocumentation ? def.doc : null,
  };
}

/** A read-only key's entry: the file's value, else the default; its synonyms are those two levels. */
function readOnlyEntry(name: string, c: ReadOnlyBrokerConfig, request: DescribeConfigsRequest): DescribeConfigsEntry {
  const sensitive = c.type === 'password';
  const levels: ConfigSynonym[] = [];
  if (c.value !== undefined) levels.push({ name, value: sensitive ? null : c.value, source: ConfigSource.STATIC_BROKER_CONFIG });
  if (c.defaultValue !== undefined) levels.push({ name, value: sensitive ? null : c.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
  const source = c.value === undefined ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
  return {
    name,
    value: levels[0]?.value ?? null,
    readOnly: true,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    source,
    isSensitive: sensitive,
    configType: ConfigTypeId[c.type],
    synonyms: request.includeSynonyms ? levels : [],
    documentation: null,
  };
}

function wanted(keys: ReadonlyMap<string, ConfigKeyDef>, names: readonly string[] | null): ConfigKeyDef[] {
  if (names === null) return [...keys.values()];
  const asked = new Set(names);
  return [...keys.values()].filter((d) => asked.has(d.name));
}

function describeOne(image: MetadataImageView, res: DescribeConfigsResource, request: DescribeConfigsRequest, options: ConfigLookupOptions): DescribeConfigsResult {
  const { resourceType, resourceName } = res;
  const error: ApiError = checkConfigResource(image, resourceType, resourceName, 'describe');
  if (error.code !== ErrorCode.NONE) return { errorCode: error.code, errorMessage: error.message, resourceType, resourceName, configs: [] };
  let configs: DescribeConfigsEntry[];
  if (resourceType === 'topic') {
    configs = wanted(TOPIC_CONFIGS, res.configurationKeys).map((def) => entry(def, topicConfigSynonyms(image, resourceName, def.name, options), request));
  } else if (resourceName === '') {
    const set = image.configs('broker', '');
    configs = wanted(BROKER_CONFIGS, res.configurationKeys)
      .filter((def) => set.has(def.name))
      .map((def) => entry(def, brokerConfigSynonyms(image, null, def.name, options), request));
  } else {
    const brokerId = Number(resourceName);
    // The static level is the answering node's own server.properties: it says nothing of another
    // broker's (nor does a controller's, which passes no brokerId), so it shows only for itself.
    const { staticConfigs: _own, ...withoutStatic } = options;
    const levels = options.brokerId === brokerId ? options : withoutStatic;
    configs = wanted(BROKER_CONFIGS, res.configurationKeys).map((def) => entry(def, brokerConfigSynonyms(image, brokerId, def.name, levels), request));
    const asked = res.configurationKeys === null ? null : new Set(res.configurationKeys);
    // Listener-prefixed keys set for this broker (they have no level but this one).
    for (const name of image.configs('broker', resourceName).keys()) {
      const def = listenerPrefixedKey(name);
      if (def !== undefined && (asked === null || asked.has(name))) configs.push(entry(def, brokerConfigSynonyms(image, brokerId, name, levels), request));
    }
    if (options.brokerId === brokerId && options.readOnlyConfigs !== undefined) {
      for (const [name, c] of options.readOnlyConfigs) if (asked === null || asked.has(name)) configs.push(readOnlyEntry(name, c, request));
    }
    configs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { errorCode: NONE.code, errorMessage: null, resourceType, resourceName, configs };
}

/**
 * DescribeConfigs against `image`. `options.brokerId` is the answering broker (its own dynamic
 * configs then show as DYNAMIC_BROKER_CONFIG synonyms of topic keys); `options.staticConfigs` its
 * server.properties values (STATIC_BROKER_CONFIG): for topic keys, and for its own broker resource
 * only (another broker's file is not known here).
 */
export function describeConfigs(image: MetadataImageView, request: DescribeConfigsRequest, options: ConfigLookupOptions = {}): DescribeConfigsResponse {
  return { results: request.resources.map((res) => describeOne(image, res, request, options)) };
}

/** DescribeConfigs run on the controller: its static configs are its ControllerConfig's. No records. */
export function describeConfigsOp(ctx: OpContext, request: DescribeConfigsRequest): OpResult<DescribeConfigsResponse> {
  return answer(describeConfigs(ctx.image, request, { staticConfigs: staticConfigsOf(ctx.config) }));
}
