// The config keys the controller knows (topic configs and dynamic broker configs), their types,
// validators, Kafka's defaults, and how a topic's effective value is found (DescribeConfigs'
// sources). Pure: every function reads an image and returns values.
//
// Choices (Kafka 4.0 unless said otherwise):
// - Names, types, ranges and defaults are Kafka 4.0's LogConfig / ServerLogConfigs. Kept from 3.x
//   because old tools still send it: message.downconversion.enable (accepted, has no effect).
// - cleanup.policy: a non-empty list of distinct values from {compact, delete}, in any order
//   ("compact,delete" and "delete,compact" are both fine). Kafka 4.1 also allows an empty list
//   (remote storage only); we have no remote storage, so we refuse it.
// - remote.storage.enable=true is refused as Kafka refuses it when the brokers have tiered storage
//   off (remote.log.storage.system.enable=false), which is always the case here.
// - Retention/roll hours and minutes synonyms (log.retention.hours...) are static-only in Kafka and
//   are not modelled: log.retention.ms / log.roll.ms carry the default directly (604800000).
// - Only dynamic broker configs are listed (non-dynamic ones live in server.properties, which the
//   controller does not see). Some are per-broker only, as in Kafka (the SSL keystores): they may
//   be set for one broker id, never for the cluster default ('').
// - Value checks follow Kafka's ConfigDef.parseType: the value is trimmed first; booleans are
//   case-insensitive; enums are case-sensitive; ints are 32-bit and longs 64-bit (checked with
//   BigInt, so Long.MAX_VALUE defaults round-trip as text). Values are stored as given.
// - Effective value of a topic config, first found wins (Kafka's synonym order):
//   topic override (DYNAMIC_TOPIC_CONFIG) → the mapped broker key set for the answering broker
//   (DYNAMIC_BROKER_CONFIG, only when a brokerId is given) → the mapped broker key set at the
//   cluster default '' (DYNAMIC_DEFAULT_BROKER_CONFIG) → the mapped key in the static config handed
//   in (STATIC_BROKER_CONFIG, only when given) → Kafka's default (DEFAULT_CONFIG).

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ConfigResourceType } from '../../../metadata-log/records/types.js';
import type { ControllerConfig } from '../config.js';
import { apiError, type ApiError } from '../errors.js';

export type ConfigValueType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'list' | 'class' | 'password';

/** DescribeConfigs v3+ config_type ids (Kafka's DescribeConfigsResponse.ConfigType). */
export const ConfigTypeId: Readonly<Record<ConfigValueType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** DescribeConfigs config_source ids (Kafka's DescribeConfigsResponse.ConfigSource). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSourceValue = (typeof ConfigSource)[keyof typeof ConfigSource];

export interface ConfigKeyDef {
  readonly name: string;
  readonly type: ConfigValueType;
  /** Kafka's default, as text; null when the key has none. */
  readonly defaultValue: string | null;
  readonly sensitive: boolean;
  readonly doc: string;
  /** The rule, for messages and docs (e.g. "[1,...]", "one of: CreateTime, LogAppendTime"). */
  readonly rule: string;
  /** Checks a value that already parsed as `type`; answers why it is invalid, or null. */
  readonly check: (value: string) => string | null;
  /** Topic keys: the broker key that supplies the cluster-wide default (Kafka's synonym). */
  readonly brokerSynonym?: string;
  /** Broker keys: may be set for one broker id only, not for the cluster default ''. */
  readonly perBrokerOnly?: boolean;
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const LONG_MAX_TEXT = LONG_MAX.toString();
const INT_MAX_TEXT = INT_MAX.toString();

const INTEGER_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;

/** Parses a value as its type; answers the failure in Kafka's words, or null when it parses. */
function parseFailure(type: ConfigValueType, value: string): string | null {
  const v = value.trim();
  switch (type) {
    case 'int':
    case 'long': {
      if (!INTEGER_TEXT.test(v)) return `Not a number of type ${type.toUpperCase()}`;
      const n = BigInt(v);
      const [min, max] = type === 'int' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
      if (n < min || n > max) return `Not a number of type ${type.toUpperCase()}`;
      return null;
    }
    case 'double':
      return DOUBLE_TEXT.test(v) ? null : 'Not a number of type DOUBLE';
    case 'boolean':
      return v.toLowerCase() === 'true' || v.toLowerCase() === 'false' ? null : 'Expected value to be either true or false';
    case 'class':
      return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(v) ? null : 'Expected a Java class name';
    case 'string':
    case 'password':
    case 'list':
      return null;
  }
}

/** Kafka's LIST parsing: comma-separated, each item trimmed; '' is the empty list. */
export function parseList(value: string): string[] {
  const v = value.trim();
  if (v === '') return [];
  return v.split(',').map((s) => s.trim());
}

function atLeast(min: bigint): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: `[${min},...]`,
    check: (value) => (BigInt(value.trim()) < min ? `Value must be at least ${min}` : null),
  };
}

function between(min: bigint, max: bigint): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: `[${min},...,${max}]`,
    check: (value) => {
      const n = BigInt(value.trim());
      if (n < min) return `Value must be at least ${min}`;
      if (n > max) return `Value must be no more than ${max}`;
      return null;
    },
  };
}

function ratio(): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: '[0,...,1]',
    check: (value) => {
      const n = Number(value.trim().replace(/[dDfF]$/, ''));
      if (!(n >= 0)) return 'Value must be at least 0';
      if (n > 1) return 'Value must be no more than 1';
      return null;
    },
  };
}

function oneOf(values: readonly string[]): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: `one of: ${values.join(', ')}`,
    check: (value) => (values.includes(value.trim()) ? null : `String must be one of: ${values.join(', ')}`),
  };
}

function listOf(values: readonly string[], allowEmpty: boolean): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: `${allowEmpty ? 'a' : 'a non-empty'} list of distinct values from: ${values.join(', ')}`,
    check: (value) => {
      const items = parseList(value);
      if (items.length === 0 && !allowEmpty) return `The list must not be empty; values from: ${values.join(', ')}`;
      for (const item of items) if (!values.includes(item)) return `String must be one of: ${values.join(', ')}`;
      if (new Set(items).size !== items.length) return 'Values must not repeat';
      return null;
    },
  };
}

const THROTTLED_REPLICA = /^\d+:\d+$/;
function throttledReplicas(): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: "'*' or a list of partitionId:brokerId",
    check: (value) => {
      const items = parseList(value);
      if (items.length === 1 && items[0] === '*') return null;
      for (const item of items) {
        if (!THROTTLED_REPLICA.test(item)) return "Must be the wildcard '*' or a comma-separated list of partitionId:brokerId";
      }
      return null;
    },
  };
}

const anyValue: Pick<ConfigKeyDef, 'rule' | 'check'> = { rule: 'any', check: () => null };

function gzipLevel(): Pick<ConfigKeyDef, 'rule' | 'check'> {
  return {
    rule: '[1,...,9] or -1',
    check: (value) => {
      const n = BigInt(value.trim());
      return n === -1n || (n >= 1n && n <= 9n) ? null : 'Value must be -1 (the codec default) or between 1 and 9';
    },
  };
}

export const CLEANUP_POLICIES = ['compact', 'delete'] as const;
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

interface TopicKeyInput extends Pick<ConfigKeyDef, 'rule' | 'check'> {
  readonly type: ConfigValueType;
  readonly defaultValue: string | null;
  readonly doc: string;
  /** The broker synonym; omitted when Kafka has none. */
  readonly broker?: string;
}

// Topic configs (Kafka's LogConfig), name → definition. Every mapped broker key below must exist in
// BROKER_KEYS with the same type and default (a unit test checks it).
const TOPIC_KEYS: Readonly<Record<string, TopicKeyInput>> = {
  'cleanup.policy': {
    type: 'list', defaultValue: 'delete', broker: 'log.cleanup.policy', ...listOf(CLEANUP_POLICIES, false),
    doc: 'Retention policy of old segments: delete, compact, or both.',
  },
  'compression.type': {
    type: 'string', defaultValue: 'producer', broker: 'compression.type', ...oneOf(COMPRESSION_TYPES),
    doc: "Final compression of the topic's data; producer keeps the producer's codec.",
  },
  'compression.gzip.level': {
    type: 'int', defaultValue: '-1', broker: 'compression.gzip.level', ...gzipLevel(),
    doc: 'Compression level when compression.type is gzip.',
  },
  'compression.lz4.level': {
    type: 'int', defaultValue: '9', broker: 'compression.lz4.level', ...between(1n, 17n),
    doc: 'Compression level when compression.type is lz4.',
  },
  'compression.zstd.level': {
    type: 'int', defaultValue: '3', broker: 'compression.zstd.level', ...between(-131072n, 22n),
    doc: 'Compression level when compression.type is zstd.',
  },
  'delete.retention.ms': {
    type: 'long', defaultValue: '86400000', broker: 'log.cleaner.delete.retention.ms', ...atLeast(0n),
    doc: 'How long delete tombstones are kept on compacted topics.',
  },
  'file.delete.delay.ms': {
    type: 'long', defaultValue: '60000', broker: 'log.segment.delete.delay.ms', ...atLeast(0n),
    doc: 'Time to wait before deleting a file from the filesystem.',
  },
  'flush.messages': {
    type: 'long', defaultValue: LONG_MAX_TEXT, broker: 'log.flush.interval.messages', ...atLeast(1n),
    doc: 'Messages written between forced fsyncs of the log.',
  },
  'flush.ms': {
    type: 'long', defaultValue: LONG_MAX_TEXT, broker: 'log.flush.interval.ms', ...atLeast(0n),
    doc: 'Time between forced fsyncs of the log.',
  },
  'follower.replication.throttled.replicas': {
    type: 'list', defaultValue: '', ...throttledReplicas(),
    doc: 'Replicas whose log replication is throttled on the follower side.',
  },
  'leader.replication.throttled.replicas': {
    type: 'list', defaultValue: '', ...throttledReplicas(),
    doc: 'Replicas whose log replication is throttled on the leader side.',
  },
  'index.interval.bytes': {
    type: 'int', defaultValue: '4096', broker: 'log.index.interval.bytes', ...atLeast(0n),
    doc: 'Bytes between offset index entries.',
  },
  'local.retention.bytes': {
    type: 'long', defaultValue: '-2', broker: 'log.local.retention.bytes', ...atLeast(-2n),
    doc: 'Local bytes kept before deletion when remote storage is on (-2 = retention.bytes).',
  },
  'local.retention.ms': {
    type: 'long', defaultValue: '-2', broker: 'log.local.retention.ms', ...atLeast(-2n),
    doc: 'Local time kept before deletion when remote storage is on (-2 = retention.ms).',
  },
  'max.compaction.lag.ms': {
    type: 'long', defaultValue: LONG_MAX_TEXT, broker: 'log.cleaner.max.compaction.lag.ms', ...atLeast(1n),
    doc: 'Longest a message stays ineligible for compaction.',
  },
  'max.message.bytes': {
    type: 'int', defaultValue: '1048588', broker: 'message.max.bytes', ...atLeast(0n),
    doc: 'Largest record batch size allowed.',
  },
  'message.downconversion.enable': {
    type: 'boolean', defaultValue: 'true', broker: 'log.message.downconversion.enable', ...anyValue,
    doc: 'Kafka 3.x: down-convert for old consumers (accepted; has no effect here).',
  },
  'message.timestamp.after.max.ms': {
    type: 'long', defaultValue: '3600000', broker: 'log.message.timestamp.after.max.ms', ...atLeast(0n),
    doc: 'How far a CreateTime timestamp may be ahead of the broker clock.',
  },
  'message.timestamp.before.max.ms': {
    type: 'long', defaultValue: LONG_MAX_TEXT, broker: 'log.message.timestamp.before.max.ms', ...atLeast(0n),
    doc: 'How far a CreateTime timestamp may be behind the broker clock.',
  },
  'message.timestamp.type': {
    type: 'string', defaultValue: 'CreateTime', broker: 'log.message.timestamp.type', ...oneOf(TIMESTAMP_TYPES),
    doc: 'Whether record timestamps are the producer time or the append time.',
  },
  'min.cleanable.dirty.ratio': {
    type: 'double', defaultValue: '0.5', broker: 'log.cleaner.min.cleanable.ratio', ...ratio(),
    doc: 'Dirty fraction of the log at which compaction starts.',
  },
  'min.compaction.lag.ms': {
    type: 'long', defaultValue: '0', broker: 'log.cleaner.min.compaction.lag.ms', ...atLeast(0n),
    doc: 'Shortest a message stays uncompacted.',
  },
  'min.insync.replicas': {
    type: 'int', defaultValue: '1', broker: 'min.insync.replicas', ...atLeast(1n),
    doc: 'Replicas that must acknowledge a write with acks=all.',
  },
  preallocate: {
    type: 'boolean', defaultValue: 'false', broker: 'log.preallocate', ...anyValue,
    doc: 'Preallocate the file of a new log segment.',
  },
  'remote.storage.enable': {
    type: 'boolean', defaultValue: 'false',
    rule: 'false (tiered storage is off)',
    check: (value) =>
      value.trim().toLowerCase() === 'true'
        ? 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'
        : null,
    doc: 'Tiered storage for the topic (not available: always false).',
  },
  'retention.bytes': {
    type: 'long', defaultValue: '-1', broker: 'log.retention.bytes', ...anyValue,
    doc: 'Largest a partition may grow before old segments are deleted (-1 = no limit).',
  },
  'retention.ms': {
    type: 'long', defaultValue: '604800000', broker: 'log.retention.ms', ...atLeast(-1n),
    doc: 'Longest a segment is kept before deletion (-1 = no limit).',
  },
  'segment.bytes': {
    type: 'int', defaultValue: '1073741824', broker: 'log.segment.bytes', ...atLeast(1048576n),
    doc: 'Segment file size of the log.',
  },
  'segment.index.bytes': {
    type: 'int', defaultValue: '10485760', broker: 'log.index.size.max.bytes', ...atLeast(4n),
    doc: 'Size of the index that maps offsets to file positions.',
  },
  'segment.jitter.ms': {
    type: 'long', defaultValue: '0', broker: 'log.roll.jitter.ms', ...atLeast(0n),
    doc: 'Random jitter subtracted from the segment roll time.',
  },
  'segment.ms': {
    type: 'long', defaultValue: '604800000', broker: 'log.roll.ms', ...atLeast(1n),
    doc: 'Time after which a segment is rolled even if not full.',
  },
  'unclean.leader.election.enable': {
    type: 'boolean', defaultValue: 'false', broker: 'unclean.leader.election.enable', ...anyValue,
    doc: 'Whether an out-of-sync replica may be elected leader as a last resort (may lose data).',
  },
};

interface BrokerKeyInput extends Pick<ConfigKeyDef, 'rule' | 'check'> {
  readonly type: ConfigValueType;
  readonly defaultValue: string | null;
  readonly doc: string;
  readonly sensitive?: boolean;
  readonly perBrokerOnly?: boolean;
}

function brokerFromTopic(topicKey: string): BrokerKeyInput {
  const t = TOPIC_KEYS[topicKey];
  if (t === undefined) throw new Error(`config-schema: no topic key ${topicKey}`);
  return { type: t.type, defaultValue: t.defaultValue, rule: t.rule, check: t.check, doc: `Cluster default of the topic config ${topicKey}.` };
}

const password = (doc: string): BrokerKeyInput => ({ type: 'password', defaultValue: null, sensitive: true, perBrokerOnly: true, ...anyValue, doc });

// Dynamic broker configs (Kafka's DynamicBrokerConfig reconfigurables), name → definition.
const BROKER_KEYS: Readonly<Record<string, BrokerKeyInput>> = {
  'log.cleanup.policy': brokerFromTopic('cleanup.policy'),
  'compression.type': brokerFromTopic('compression.type'),
  'compression.gzip.level': brokerFromTopic('compression.gzip.level'),
  'compression.lz4.level': brokerFromTopic('compression.lz4.level'),
  'compression.zstd.level': brokerFromTopic('compression.zstd.level'),
  'log.cleaner.delete.retention.ms': brokerFromTopic('delete.retention.ms'),
  'log.segment.delete.delay.ms': brokerFromTopic('file.delete.delay.ms'),
  'log.flush.interval.messages': brokerFromTopic('flush.messages'),
  'log.flush.interval.ms': brokerFromTopic('flush.ms'),
  'log.index.interval.bytes': brokerFromTopic('index.interval.bytes'),
  'log.local.retention.bytes': brokerFromTopic('local.retention.bytes'),
  'log.local.retention.ms': brokerFromTopic('local.retention.ms'),
  'log.cleaner.max.compaction.lag.ms': brokerFromTopic('max.compaction.lag.ms'),
  'message.max.bytes': brokerFromTopic('max.message.bytes'),
  'log.message.downconversion.enable': brokerFromTopic('message.downconversion.enable'),
  'log.message.timestamp.after.max.ms': brokerFromTopic('message.timestamp.after.max.ms'),
  'log.message.timestamp.before.max.ms': brokerFromTopic('message.timestamp.before.max.ms'),
  'log.message.timestamp.type': brokerFromTopic('message.timestamp.type'),
  'log.cleaner.min.cleanable.ratio': brokerFromTopic('min.cleanable.dirty.ratio'),
  'log.cleaner.min.compaction.lag.ms': brokerFromTopic('min.compaction.lag.ms'),
  'min.insync.replicas': brokerFromTopic('min.insync.replicas'),
  'log.preallocate': brokerFromTopic('preallocate'),
  'log.retention.bytes': brokerFromTopic('retention.bytes'),
  'log.retention.ms': brokerFromTopic('retention.ms'),
  'log.segment.bytes': brokerFromTopic('segment.bytes'),
  'log.index.size.max.bytes': brokerFromTopic('segment.index.bytes'),
  'log.roll.jitter.ms': brokerFromTopic('segment.jitter.ms'),
  'log.roll.ms': brokerFromTopic('segment.ms'),
  'unclean.leader.election.enable': brokerFromTopic('unclean.leader.election.enable'),
  'background.threads': { type: 'int', defaultValue: '10', ...atLeast(1n), doc: 'Threads for background processing.' },
  'num.io.threads': { type: 'int', defaultValue: '8', ...atLeast(1n), doc: 'Threads that process requests.' },
  'num.network.threads': { type: 'int', defaultValue: '3', ...atLeast(1n), doc: 'Threads that read and write the network.' },
  'num.replica.fetchers': { type: 'int', defaultValue: '1', ...atLeast(1n), doc: 'Fetcher threads per source broker.' },
  'log.cleaner.threads': { type: 'int', defaultValue: '1', ...atLeast(0n), doc: 'Background threads that compact logs.' },
  'max.connections': { type: 'int', defaultValue: INT_MAX_TEXT, ...atLeast(0n), doc: 'Connections the broker accepts in total.' },
  // Kafka allows 0 only with max.connections.per.ip.overrides naming the addresses that may connect;
  // here the overrides are static (server.properties), so a dynamic 0 would refuse every client.
  'max.connections.per.ip': {
    type: 'int', defaultValue: INT_MAX_TEXT, rule: '[1,...]',
    check: (value) => (BigInt(value.trim()) < 1n ? 'Value must be at least 1: 0 would refuse every client (max.connections.per.ip.overrides, the addresses 0 lets in, is set in server.properties only)' : null),
    doc: 'Connections the broker accepts from one address.',
  },
  'leader.replication.throttled.rate': {
    type: 'long', defaultValue: LONG_MAX_TEXT, ...atLeast(0n),
    doc: 'Bytes/s of throttled replication the broker serves as leader.',
  },
  'follower.replication.throttled.rate': {
    type: 'long', defaultValue: LONG_MAX_TEXT, ...atLeast(0n),
    doc: 'Bytes/s of throttled replication the broker fetches as follower.',
  },
  'ssl.keystore.location': { type: 'string', defaultValue: null, perBrokerOnly: true, ...anyValue, doc: 'Key store file of the broker listener.' },
  'ssl.keystore.password': password('Password of the key store file.'),
  'ssl.key.password': password('Password of the private key in the key store.'),
  'ssl.truststore.location': { type: 'string', defaultValue: null, perBrokerOnly: true, ...anyValue, doc: 'Trust store file of the broker listener.' },
  'ssl.truststore.password': password('Password of the trust store file.'),
};

function freeze(input: Readonly<Record<string, TopicKeyInput | BrokerKeyInput>>): ReadonlyMap<string, ConfigKeyDef> {
  const out = new Map<string, ConfigKeyDef>();
  for (const name of Object.keys(input).sort()) {
    const k = input[name]!;
    const def: ConfigKeyDef = {
      name,
      type: k.type,
      defaultValue: k.defaultValue,
      sensitive: 'sensitive' in k ? k.sensitive === true : false,
      doc: k.doc,
      rule: k.rule,
      check: k.check,
      ...('broker' in k && k.broker !== undefined ? { brokerSynonym: k.broker } : {}),
      ...('perBrokerOnly' in k && k.perBrokerOnly === true ? { perBrokerOnly: true } : {}),
    };
    out.set(name, Object.freeze(def));
  }
  return out;
}

/** Topic configs by name (sorted by name). */
export const TOPIC_CONFIGS: ReadonlyMap<string, ConfigKeyDef> = freeze(TOPIC_KEYS);
/** Dynamic broker configs by name (sorted by name). */
export const BROKER_CONFIGS: ReadonlyMap<string, ConfigKeyDef> = freeze(BROKER_KEYS);

export function configKeys(resourceType: ConfigResourceType): ReadonlyMap<string, ConfigKeyDef> {
  return resourceType === 'topic' ? TOPIC_CONFIGS : BROKER_CONFIGS;
}

export function configKey(resourceType: ConfigResourceType, name: string): ConfigKeyDef | undefined {
  return configKeys(resourceType).get(name) ?? (resourceType === 'broker' ? listenerPrefixedKey(name) : undefined);
}

/** The ssl.* broker configs that may also be set for one listener: listener.name.<listener>.<key>. */
export const LISTENER_PREFIXABLE_KEYS: ReadonlySet<string> = new Set(['ssl.keystore.location', 'ssl.keystore.password', 'ssl.key.password', 'ssl.truststore.location', 'ssl.truststore.password']);

/** Kafka's listener prefix (ListenerName.configPrefix): the listener's name in lower case. */
const LISTENER_PREFIXED = /^listener\.name\.([a-z0-9_-]+)\.(.+)$/;

/**
 * A listener-prefixed ssl.* broker config (listener.name.external.ssl.keystore.location): that
 * listener's value, over the unprefixed key's (Kafka's precedence, KIP-103), per broker only, as
 * the unprefixed keys are. Its definition is the unprefixed key's under the full name.
 */
export function listenerPrefixedKey(name: string): ConfigKeyDef | undefined {
  const m = LISTENER_PREFIXED.exec(name);
  if (m === null || !LISTENER_PREFIXABLE_KEYS.has(m[2]!)) return undefined;
  const base = BROKER_CONFIGS.get(m[2]!)!;
  return Object.freeze({ ...base, name, doc: `${base.doc} For listener ${m[1]!} only, over ${base.name}.` });
}

/**
 * Kafka's PASSWORD-typed broker configs, matched by suffix so that listener-prefixed names
 * (listener.name.internal.ssl.key.password) count: the ones Kafka encrypts in ZooKeeper.
 */
export const PASSWORD_CONFIG_SUFFIXES: readonly string[] = [
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.certificates',
  'sasl.jaas.config',
];

export function isPasswordConfig(name: string): boolean {
  return PASSWORD_CONFIG_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`));
}

/** A name that says its value is a secret (a plugin's password, secret, JAAS config, credential, token or key). */
const SECRET_NAME = /password|secret|jaas|credential|token|(^|\.)key$/i;

/**
 * Whether a config's value is a secret that reports and the inspection tools never show. Kafka's
 * KafkaConfigSchema.isSensitive takes every key it does not know for one; this build knows only
 * part of Kafka's broker configs (migrate-from-zk imports the rest as they are, log.retention.hours
 * among them), so an unknown key is taken for a secret when its name says so (ldap.bind.password).
 */
export function isSensitiveConfig(resourceType: ConfigResourceType, name: string): boolean {
  const def = configKey(resourceType, name);
  if (def !== undefined) return def.sensitive || (resourceType === 'broker' && isPasswordConfig(name));
  return (resourceType === 'broker' && isPasswordConfig(name)) || SECRET_NAME.test(name);
}

/** The broker configs `raw` (a server.properties lookup) sets, as written: the static level of staticConfigsOf. */
export function staticBrokerConfigsFrom(raw: (key: string) => string | undefined): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const key of BROKER_CONFIGS.keys()) {
    const value = raw(key);
    if (value !== undefined) out.set(key, value.trim());
  }
  return out;
}

/** Whether APPEND / SUBTRACT apply to the key (Kafka: LIST-typed keys only). */
export function isListConfig(resourceType: ConfigResourceType, name: string): boolean {
  return configKey(resourceType, name)?.type === 'list';
}

/** Why `value` is invalid for `def` (parse failure or rule), or null. */
export function valueFailure(def: ConfigKeyDef, value: string): string | null {
  return parseFailure(def.type, value) ?? def.check(value);
}

/** What the key accepts, for an error message: its rule, or its type's values when the rule is 'any' (a boolean's "(valid: any)" read as a contradiction). */
export function validValues(def: ConfigKeyDef): string {
  if (def.rule !== 'any') return def.rule;
  switch (def.type) {
    case 'boolean':
      return 'true or false';
    case 'int':
    case 'long':
    case 'double':
      return `any ${def.type.toUpperCase()}`;
    case 'class':
      return 'a Java class name';
    default:
      return 'any';
  }
}

/** The longest config value (UTF-8 bytes) Kafka's DescribeConfigs can carry. */
export const CONFIG_VALUE_BYTES_MAX = 32767;

/**
 * The server.properties keys a node reads at start only (tools/config/server-keys.ts; a test keeps
 * the two in step): not dynamic broker configs, so AlterConfigs refuses them as Kafka refuses a
 * read-only key, "Cannot update these configs dynamically", instead of calling them unknown.
 */
export const STATIC_ONLY_BROKER_KEYS: ReadonlySet<string> = new Set([
  'process.roles', 'node.id', 'broker.id', 'controller.quorum.voters', 'controller.listener.names', 'listeners', 'advertised.listeners',
  'listener.security.protocol.map', 'ssl.keystore.type', 'ssl.truststore.type', 'ssl.client.auth', 'ssl.endpoint.identification.algorithm', 'metadata.log.dir', 'log.dirs', 'log.dir',
  'broker.rack', 'controller.quorum.election.timeout.ms', 'controller.quorum.fetch.timeout.ms', 'controller.quorum.election.backoff.max.ms',
  'controller.quorum.request.timeout.ms', 'broker.heartbeat.interval.ms', 'broker.session.timeout.ms', 'initial.broker.registration.timeout.ms',
  'max.connections.per.ip.overrides', 'num.partitions', 'default.replication.factor', 'auto.leader.rebalance.enable',
  'leader.imbalance.check.interval.seconds', 'metadata.log.max.record.bytes.between.snapshots', 'metadata.log.max.snapshot.interval.ms',
  'metadata.max.idle.interval.ms', 'offset.metadata.max.bytes', 'auto.create.topics.enable', 'authorizer.class.name', 'super.users',
  'allow.everyone.if.no.acl.found', 'group.min.session.timeout.ms', 'group.max.session.timeout.ms', 'group.initial.rebalance.delay.ms',
  'group.max.size', 'offsets.retention.minutes', 'offsets.retention.check.interval.ms',
  'sasl.enabled.mechanisms', 'connection.failed.authentication.delay.ms', 'sasl.server.max.receive.size',
]);

/** INVALID_CONFIG for a key the resource type has no dynamic config of: read-only (static) or unknown. */
export function unknownConfigKeyError(resourceType: ConfigResourceType, name: string): ApiError {
  if (resourceType === 'broker' && STATIC_ONLY_BROKER_KEYS.has(name)) {
    return apiError('INVALID_CONFIG', `Cannot update these configs dynamically: ${name} (a node reads it from server.properties at start: set it there and restart the node)`);
  }
  return apiError('INVALID_CONFIG', `Unknown ${resourceType} config name: ${name}`);
}

/** One key's value: INVALID_CONFIG for an unknown key or a bad value, else null. */
export function validateConfigValue(resourceType: ConfigResourceType, name: string, value: string): ApiError | null {
  const def = configKey(resourceType, name);
  if (def === undefined) return unknownConfigKeyError(resourceType, name);
  // DescribeConfigs carries values as INT16-length strings: a longer one, once stored, could never be described.
  if (value.length > CONFIG_VALUE_BYTES_MAX / 3 && Buffer.byteLength(value, 'utf8') > CONFIG_VALUE_BYTES_MAX) {
    return apiError('INVALID_CONFIG', `Invalid value for configuration ${name}: ${Buffer.byteLength(value, 'utf8')} UTF-8 bytes, more than the ${CONFIG_VALUE_BYTES_MAX} a Kafka STRING holds`);
  }
  const failure = valueFailure(def, value);
  if (failure !== null) {
    const shown = def.sensitive ? '[hidden]' : value;
    return apiError('INVALID_CONFIG', `Invalid value ${shown} for configuration ${name}: ${failure} (valid: ${validValues(def)})`);
  }
  return null;
}

/** Pairs (min key, max key) whose effective values must satisfy min ≤ max (Kafka's LogConfig.validateValues). */
const ORDERED_PAIRS: Readonly<Record<ConfigResourceType, readonly (readonly [string, string])[]>> = {
  topic: [['min.compaction.lag.ms', 'max.compaction.lag.ms']],
  broker: [['log.cleaner.min.compaction.lag.ms', 'log.cleaner.max.compaction.lag.ms']],
};

/**
 * Validates a resource's explicit config set: every key known, every value valid, and the checks
 * across keys (min.compaction.lag.ms ≤ max.compaction.lag.ms) on the effective values, where a key
 * not in `entries` takes `inherited(key)` (the level below: the cluster default, say) or Kafka's
 * default. Answers INVALID_CONFIG naming the key, the value and the rule, or null when valid.
 * Keys are checked in name order, so the first failure is deterministic.
 */
export function validateConfigs(
  resourceType: ConfigResourceType,
  entries: ReadonlyMap<string, string>,
  inherited?: (name: string) => string | null,
): ApiError | null {
  for (const name of [...entries.keys()].sort()) {
    const err = validateConfigValue(resourceType, name, entries.get(name)!);
    if (err !== null) return err;
  }
  const valueOf = (name: string): string | null => entries.get(name) ?? (inherited ? inherited(name) : null) ?? configKey(resourceType, name)?.defaultValue ?? null;
  for (const [minKey, maxKey] of ORDERED_PAIRS[resourceType]) {
    const lo = valueOf(minKey);
    const hi = valueOf(maxKey);
    if (lo === null || hi === null || !INTEGER_TEXT.test(lo.trim()) || !INTEGER_TEXT.test(hi.trim())) continue;
    if (BigInt(lo.trim()) > BigInt(hi.trim())) {
      return apiError('INVALID_CONFIG', `conflict ${resourceType} config setting ${minKey} (${lo.trim()}) > ${maxKey} (${hi.trim()})`);
    }
  }
  return null;
}

export interface ConfigSynonym {
  readonly name: string;
  /** null when the key is sensitive (never shown) or has no value. */
  readonly value: string | null;
  readonly source: ConfigSourceValue;
}

export interface EffectiveConfig {
  readonly value: string | null;
  readonly source: ConfigSourceValue;
}

export interface ConfigLookupOptions {
  /** The broker answering: its own dynamic broker configs take part (DYNAMIC_BROKER_CONFIG). */
  readonly brokerId?: number;
  /** The static broker config (server.properties) known to the caller (STATIC_BROKER_CONFIG). */
  readonly staticConfigs?: ReadonlyMap<string, string>;
  /** The answering broker's read-only configs (STATIC_ONLY_BROKER_KEYS), listed for its own broker resource. */
  readonly readOnlyConfigs?: ReadonlyMap<string, ReadOnlyBrokerConfig>;
}

/** A read-only broker config (read from server.properties at start) as its node reports it. */
export interface ReadOnlyBrokerConfig {
  /** What server.properties sets, trimmed; undefined when it sets nothing. */
  readonly value: string | undefined;
  /** The default as it would be written; undefined when there is none (a required or derived key). */
  readonly defaultValue: string | undefined;
  readonly type: ConfigValueType;
}

/**
 * The static broker configs (server.properties) a node knows from its own settings: only those the
 * file sets. Reporting an unset key as static put unclean.leader.election.enable=false among every
 * topic's and broker's non-default configs; reporting only that key showed a
 * max.connections.per.ip set in the file as Kafka's default (both found by reviews).
 */
export function staticConfigsOf(
  config: Pick<ControllerConfig, 'uncleanLeaderElectionEnable' | 'uncleanLeaderElectionEnableSet' | 'staticBrokerConfigs'>,
): ReadonlyMap<string, string> {
  if (config.staticBrokerConfigs !== undefined) return config.staticBrokerConfigs;
  const set = config.uncleanLeaderElectionEnableSet ?? config.uncleanLeaderElectionEnable;
  return new Map(set ? [['unclean.leader.election.enable', String(config.uncleanLeaderElectionEnable)]] : []);
}

function requireKey(resourceType: ConfigResourceType, name: string): ConfigKeyDef {
  const def = configKey(resourceType, name);
  if (def === undefined) throw new Error(`config-schema: unknown ${resourceType} config key ${name} (a programmer error)`);
  return def;
}

/**
 * The values a broker key has at each level, highest priority first: this broker's dynamic config
 * (when `brokerId` is not null), the cluster default, the static config (when given), Kafka's
 * default. Values are raw (not hidden); callers hide sensitive ones.
 */
function brokerLevels(image: MetadataImageView, brokerId: number | null, def: ConfigKeyDef, options: ConfigLookupOptions): ConfigSynonym[] {
  const out: ConfigSynonym[] = [];
  if (brokerId !== null) {
    const v = image.configs('broker', String(brokerId)).get(def.name);
    if (v !== undefined) out.push({ name: def.name, value: v, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
  }
  const d = image.configs('broker', '').get(def.name);
  if (d !== undefined) out.push({ name: def.name, value: d, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  const s = options.staticConfigs?.get(def.name);
  if (s !== undefined) out.push({ name: def.name, value: s, source: ConfigSource.STATIC_BROKER_CONFIG });
  if (def.defaultValue !== null) out.push({ name: def.name, value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
  return out;
}

/** The levels below a topic's own override: the broker synonym's levels, or Kafka's default. */
function inheritedTopicLevels(image: MetadataImageView, def: ConfigKeyDef, options: ConfigLookupOptions): ConfigSynonym[] {
  if (def.brokerSynonym !== undefined) return brokerLevels(image, options.brokerId ?? null, requireKey('broker', def.brokerSynonym), options);
  return def.defaultValue === null ? [] : [{ name: def.name, value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG }];
}

function firstOf(levels: readonly ConfigSynonym[]): EffectiveConfig {
  const first = levels[0];
  return first === undefined ? { value: null, source: ConfigSource.DEFAULT_CONFIG } : { value: first.value, source: first.source };
}

/**
 * Every level at which a topic config has a value, highest priority first (DescribeConfigs
 * synonyms): the topic override, then the broker synonym's levels (see the header), then Kafka's
 * default. `topicName` need not exist (CreateTopics validates before it does).
 */
export function topicConfigSynonyms(image: MetadataImageView, topicName: string, key: string, options: ConfigLookupOptions = {}): ConfigSynonym[] {
  const def = requireKey('topic', key);
  const own = image.configs('topic', topicName).get(key);
  const below = inheritedTopicLevels(image, def, options);
  return own === undefined ? below : [{ name: key, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }, ...below];
}

/** A topic config's effective value and where it comes from (see the header for the order). */
export function effectiveTopicConfig(image: MetadataImageView, topicName: string, key: string, options: ConfigLookupOptions = {}): EffectiveConfig {
  return firstOf(topicConfigSynonyms(image, topicName, key, options));
}

/** What a topic config is without any topic's own override (the level a topic inherits). */
export function inheritedTopicConfig(image: MetadataImageView, key: string, options: ConfigLookupOptions = {}): EffectiveConfig {
  return firstOf(inheritedTopicLevels(image, requireKey('topic', key), options));
}

/** Every level at which a broker config has a value for `brokerId` (null = the cluster default level). */
export function brokerConfigSynonyms(image: MetadataImageView, brokerId: number | null, key: string, options: ConfigLookupOptions = {}): ConfigSynonym[] {
  return brokerLevels(image, brokerId, requireKey('broker', key), options);
}

/** A broker config's effective value for `brokerId` (null = the cluster default level). */
export function effectiveBrokerConfig(image: MetadataImageView, brokerId: number | null, key: string, options: ConfigLookupOptions = {}): EffectiveConfig {
  return firstOf(brokerConfigSynonyms(image, brokerId, key, options));
}

/** A boolean topic config's effective value (e.g. unclean.leader.election.enable). */
export function topicConfigBoolean(image: MetadataImageView, topicName: string, key: string, options: ConfigLookupOptions = {}): boolean {
  const def = requireKey('topic', key);
  if (def.type !== 'boolean') throw new Error(`config-schema: ${key} is not a boolean config`);
  return effectiveTopicConfig(image, topicName, key, options).value?.trim().toLowerCase() === 'true';
}
