import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import {
  BROKER_CONFIGS,
  ConfigSource,
  effectiveBrokerConfig,
  effectiveTopicConfig,
  inheritedTopicConfig,
  STATIC_ONLY_BROKER_KEYS,
  staticConfigsOf,
  topicConfigBoolean,
  topicConfigSynonyms,
  TOPIC_CONFIGS,
  validateConfigValue,
  validateConfigs,
  valueFailure,
} from '../../quorum/controller/configs/config-schema.js';
import { serverKeys } from '../../tools/config/server-keys.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { configRecord, mvRecord, topicRecords } from './controller-configs-fixture.js';

const REQUIRED_TOPIC_KEYS = [
  'cleanup.policy', 'compression.type', 'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms',
  'index.interval.bytes', 'max.compaction.lag.ms', 'max.message.bytes', 'message.timestamp.type', 'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate', 'retention.bytes', 'retention.ms', 'segment.bytes',
  'segment.index.bytes', 'segment.jitter.ms', 'segment.ms', 'unclean.leader.election.enable', 'message.downconversion.enable',
  'local.retention.ms', 'local.retention.bytes', 'remote.storage.enable',
];

const topic = (entries: Record<string, string>) => validateConfigs('topic', new Map(Object.entries(entries)));

describe('config schema: the tables', () => {
  it('knows every topic key Kafka operators use', () => {
    for (const k of REQUIRED_TOPIC_KEYS) expect(TOPIC_CONFIGS.has(k), k).toBe(true);
    for (const k of ['log.retention.ms', 'log.retention.bytes', 'log.segment.bytes', 'log.cleanup.policy', 'unclean.leader.election.enable', 'min.insync.replicas', 'message.max.bytes', 'compression.type', 'log.message.timestamp.type']) {
      expect(BROKER_CONFIGS.has(k), k).toBe(true);
    }
    expect(BROKER_CONFIGS.has('num.partitions')).toBe(false); // not dynamic in Kafka
  });

  it("every default passes its own key's validation", () => {
    for (const [type, keys] of [['topic', TOPIC_CONFIGS], ['broker', BROKER_CONFIGS]] as const) {
      for (const def of keys.values()) {
        if (def.defaultValue === null) continue;
        expect(valueFailure(def, def.defaultValue), `${type} ${def.name}=${def.defaultValue}`).toBeNull();
      }
    }
  });

  it('every topic key maps to a broker key of the same type and default (or to none)', () => {
    for (const def of TOPIC_CONFIGS.values()) {
      if (def.brokerSynonym === undefined) continue;
      const b = BROKER_CONFIGS.get(def.brokerSynonym);
      expect(b, `${def.name} -> ${def.brokerSynonym}`).toBeDefined();
      expect(b?.type).toBe(def.type);
      expect(b?.defaultValue).toBe(def.defaultValue);
    }
    expect(TOPIC_CONFIGS.get('retention.ms')?.brokerSynonym).toBe('log.retention.ms');
    expect(TOPIC_CONFIGS.get('segment.ms')?.brokerSynonym).toBe('log.roll.ms');
    expect(TOPIC_CONFIGS.get('max.message.bytes')?.brokerSynonym).toBe('message.max.bytes');
    expect(TOPIC_CONFIGS.get('remote.storage.enable')?.brokerSynonym).toBeUndefined();
  });

  it("has Kafka's defaults for the keys clients read most", () => {
    const d = (k: string) => TOPIC_CONFIGS.get(k)?.defaultValue;
    expect(d('retention.ms')).toBe('604800000');
    expect(d('segment.bytes')).toBe('1073741824');
    expect(d('cleanup.policy')).toBe('delete');
    expect(d('compression.type')).toBe('producer');
    expect(d('max.message.bytes')).toBe('1048588');
    expect(d('min.insync.replicas')).toBe('1');
    expect(d('flush.messages')).toBe('9223372036854775807');
    expect(d('min.cleanable.dirty.ratio')).toBe('0.5');
    expect(TOPIC_CONFIGS.get('max.message.bytes')?.type).toBe('int');
    expect(TOPIC_CONFIGS.get('cleanup.policy')?.type).toBe('list');
    expect(BROKER_CONFIGS.get('ssl.keystore.password')?.sensitive).toBe(true);
    expect(TOPIC_CONFIGS.get('retention.ms')?.sensitive).toBe(false);
  });
});

describe('validateConfigs', () => {
  it('(unknown key) INVALID_CONFIG "Unknown topic config name: x"', () => {
    expect(topic({ 'retention.mss': '1' })).toEqual({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown topic config name: retention.mss' });
    expect(validateConfigs('broker', new Map([['log.retention.mss', '1']]))?.message).toBe('Unknown broker config name: log.retention.mss');
    // a topic key is not a broker key and back
    expect(validateConfigs('broker', new Map([['retention.ms', '1']]))?.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(topic({ 'log.retention.ms': '1' })?.code).toBe(ErrorCode.INVALID_CONFIG);
  });

  it.each([
    ['retention.ms', 'abc', 'Not a number of type LONG'],
    ['retention.ms', '-2', 'Value must be at least -1'],
    ['retention.ms', '1.5', 'Not a number of type LONG'],
    ['segment.bytes', '1000', 'Value must be at least 1048576'],
    ['max.message.bytes', '2147483648', 'Not a number of type INT'],
    ['flush.messages', '9223372036854775808', 'Not a number of type LONG'],
    ['flush.messages', '0', 'Value must be at least 1'],
    ['min.insync.replicas', '0', 'Value must be at least 1'],
    ['cleanup.policy', 'foo', 'String must be one of: compact, delete'],
    ['cleanup.policy', 'compact,foo', 'String must be one of: compact, delete'],
    ['cleanup.policy', '', 'The list must not be empty'],
    ['cleanup.policy', 'compact,compact', 'Values must not repeat'],
    ['compression.type', 'brotli', 'String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    ['compression.type', 'GZIP', 'String must be one of'],
    ['message.timestamp.type', 'createtime', 'String must be one of: CreateTime, LogAppendTime'],
    ['min.cleanable.dirty.ratio', '1.5', 'Value must be no more than 1'],
    ['min.cleanable.dirty.ratio', '-0.1', 'Value must be at least 0'],
    ['min.cleanable.dirty.ratio', 'half', 'Not a number of type DOUBLE'],
    ['preallocate', 'yes', 'Expected value to be either true or false'],
    ['compression.gzip.level', '0', 'between 1 and 9'],
    ['compression.lz4.level', '18', 'Value must be no more than 17'],
    ['remote.storage.enable', 'true', 'Tiered Storage functionality is disabled'],
    ['leader.replication.throttled.replicas', '0-1', "wildcard '*'"],
    ['local.retention.ms', '-3', 'Value must be at least -2'],
  ])('(bad value) %s=%j: INVALID_CONFIG naming key, value and rule', (key, value, why) => {
    const err = topic({ [key]: value });
    expect(err?.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(err?.message).toContain(`Invalid value ${value} for configuration ${key}: `);
    expect(err?.message).toContain(why);
    expect(err?.message).toContain('(valid: ');
    expect(err?.message).not.toContain('(valid: any)');
  });

  it("a key of any value of its type names the type's values, not \"any\" (unclean.leader.election.enable=maybe)", () => {
    expect(topic({ 'unclean.leader.election.enable': 'maybe' })?.message).toBe(
      'Invalid value maybe for configuration unclean.leader.election.enable: Expected value to be either true or false (valid: true or false)',
    );
  });

  it.each([
    ['cleanup.policy', 'compact,delete'],
    ['cleanup.policy', 'delete,compact'],
    ['cleanup.policy', ' compact '],
    ['compression.type', 'zstd'],
    ['compression.type', 'uncompressed'],
    ['message.timestamp.type', 'LogAppendTime'],
    ['preallocate', 'TRUE'],
    ['retention.ms', '-1'],
    ['retention.ms', ' 86400000 '],
    ['retention.bytes', '-5'],
    ['flush.messages', '9223372036854775807'],
    ['max.message.bytes', '2147483647'],
    ['min.cleanable.dirty.ratio', '1'],
    ['min.cleanable.dirty.ratio', '0.01'],
    ['min.insync.replicas', '5'],
    ['compression.gzip.level', '-1'],
    ['leader.replication.throttled.replicas', '*'],
    ['follower.replication.throttled.replicas', '0:1,1:2'],
    ['follower.replication.throttled.replicas', ''],
    ['remote.storage.enable', 'false'],
  ])('(good value) %s=%j passes', (key, value) => {
    expect(topic({ [key]: value })).toBeNull();
  });

  it('(cross-key) min.compaction.lag.ms above max.compaction.lag.ms is INVALID_CONFIG, also against an inherited value', () => {
    expect(topic({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' })?.message).toBe(
      'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
    );
    expect(topic({ 'min.compaction.lag.ms': '5', 'max.compaction.lag.ms': '5' })).toBeNull();
    expect(topic({ 'min.compaction.lag.ms': '10' })).toBeNull(); // max defaults to Long.MAX
    const inherited = (k: string) => (k === 'max.compaction.lag.ms' ? '7' : null);
    expect(validateConfigs('topic', new Map([['min.compaction.lag.ms', '8']]), inherited)?.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(validateConfigs('broker', new Map([['log.cleaner.min.compaction.lag.ms', '9'], ['log.cleaner.max.compaction.lag.ms', '1']]))?.code).toBe(
      ErrorCode.INVALID_CONFIG,
    );
  });

  it('reports the first bad key in name order', () => {
    expect(topic({ 'segment.ms': '0', 'retention.ms': 'x' })?.message).toContain('retention.ms');
  });
});

describe('effective topic config and its sources', () => {
  const base = [mvRecord(), ...topicRecords('orders', 1, 1)];

  it('(nothing set) DEFAULT_CONFIG from the broker synonym', () => {
    const image = imageOf(base);
    expect(effectiveTopicConfig(image, 'orders', 'retention.ms')).toEqual({ value: '604800000', source: ConfigSource.DEFAULT_CONFIG });
    expect(topicConfigSynonyms(image, 'orders', 'retention.ms')).toEqual([{ name: 'log.retention.ms', value: '604800000', source: 5 }]);
    expect(effectiveTopicConfig(image, 'orders', 'remote.storage.enable')).toEqual({ value: 'false', source: 5 });
    expect(topicConfigSynonyms(image, 'orders', 'remote.storage.enable')).toEqual([{ name: 'remote.storage.enable', value: 'false', source: 5 }]);
  });

  it('(cluster default set) retention.ms falls back to log.retention.ms at resource "" (DYNAMIC_DEFAULT_BROKER_CONFIG)', () => {
    const image = imageOf([...base, configRecord('broker', '', 'log.retention.ms', '1000')]);
    expect(effectiveTopicConfig(image, 'orders', 'retention.ms')).toEqual({ value: '1000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect(inheritedTopicConfig(image, 'retention.ms')).toEqual({ value: '1000', source: 3 });
  });

  it('(every level set) the topic wins; synonyms come highest priority first', () => {
    const image = imageOf([
      ...base,
      configRecord('broker', '', 'log.retention.ms', '1000'),
      configRecord('broker', '2', 'log.retention.ms', '2000'),
      configRecord('topic', 'orders', 'retention.ms', '3000'),
    ]);
    const staticConfigs = new Map([['log.retention.ms', '4000']]);
    expect(topicConfigSynonyms(image, 'orders', 'retention.ms', { brokerId: 2, staticConfigs })).toEqual([
      { name: 'retention.ms', value: '3000', source: 1 },
      { name: 'log.retention.ms', value: '2000', source: 2 },
      { name: 'log.retention.ms', value: '1000', source: 3 },
      { name: 'log.retention.ms', value: '4000', source: 4 },
      { name: 'log.retention.ms', value: '604800000', source: 5 },
    ]);
    expect(effectiveTopicConfig(image, 'orders', 'retention.ms')).toEqual({ value: '3000', source: 1 });
    // another topic: the answering broker's own value, then (without a broker) the cluster default
    expect(effectiveTopicConfig(image, 'other', 'retention.ms', { brokerId: 2 })).toEqual({ value: '2000', source: 2 });
    expect(effectiveTopicConfig(image, 'other', 'retention.ms', { brokerId: 3 })).toEqual({ value: '1000', source: 3 });
    expect(effectiveTopicConfig(image, 'other', 'retention.ms')).toEqual({ value: '1000', source: 3 });
  });

  it('(static config) unclean.leader.election.enable from the controller config is STATIC_BROKER_CONFIG', () => {
    const image = imageOf(base);
    const staticConfigs = staticConfigsOf(controllerConfig('c', { uncleanLeaderElectionEnable: true }));
    expect(effectiveTopicConfig(image, 'orders', 'unclean.leader.election.enable', { staticConfigs })).toEqual({ value: 'true', source: 4 });
    expect(topicConfigBoolean(image, 'orders', 'unclean.leader.election.enable', { staticConfigs })).toBe(true);
    expect(topicConfigBoolean(image, 'orders', 'unclean.leader.election.enable')).toBe(false);
    const overridden = imageOf([...base, configRecord('topic', 'orders', 'unclean.leader.election.enable', 'FALSE')]);
    expect(topicConfigBoolean(overridden, 'orders', 'unclean.leader.election.enable', { staticConfigs })).toBe(false);
  });

  it('(static config) unclean.leader.election.enable is static only when server.properties sets it; unset it is Kafka\'s default', () => {
    const image = imageOf(base);
    const unset = staticConfigsOf(controllerConfig('c', { uncleanLeaderElectionEnable: false, uncleanLeaderElectionEnableSet: false }));
    expect(effectiveTopicConfig(image, 'orders', 'unclean.leader.election.enable', { staticConfigs: unset })).toEqual({ value: 'false', source: 5 });
    const setFalse = staticConfigsOf(controllerConfig('c', { uncleanLeaderElectionEnable: false, uncleanLeaderElectionEnableSet: true }));
    expect(effectiveTopicConfig(image, 'orders', 'unclean.leader.election.enable', { staticConfigs: setFalse })).toEqual({ value: 'false', source: 4 });
    // Without the file's word (tests, the simulator): only a value other than the default is static.
    expect([...staticConfigsOf(controllerConfig('c'))]).toEqual([]);
  });

  it('broker configs: per-broker over cluster default over default', () => {
    const image = imageOf([...base, configRecord('broker', '', 'message.max.bytes', '100'), configRecord('broker', '1', 'message.max.bytes', '200')]);
    expect(effectiveBrokerConfig(image, 1, 'message.max.bytes')).toEqual({ value: '200', source: 2 });
    expect(effectiveBrokerConfig(image, 0, 'message.max.bytes')).toEqual({ value: '100', source: 3 });
    expect(effectiveBrokerConfig(image, null, 'message.max.bytes')).toEqual({ value: '100', source: 3 });
    expect(effectiveBrokerConfig(image, 0, 'num.io.threads')).toEqual({ value: '8', source: 5 });
  });

  it('an unknown key is a programmer error (throws)', () => {
    expect(() => effectiveTopicConfig(imageOf(base), 'orders', 'retention.mss')).toThrow(/unknown topic config key/);
  });
});

describe('read-only broker keys (server.properties only)', () => {
  it('STATIC_ONLY_BROKER_KEYS is every server.properties key of Kafka\'s that is not a dynamic broker config here', () => {
    const fileKeys = Object.values(serverKeys)
      .map((k) => k.name)
      .filter((name) => !name.startsWith('metaquorum.') && !BROKER_CONFIGS.has(name));
    expect([...STATIC_ONLY_BROKER_KEYS].sort()).toEqual([...new Set(fileKeys)].sort());
    for (const k of STATIC_ONLY_BROKER_KEYS) expect(BROKER_CONFIGS.has(k)).toBe(false);
  });

  it("altering one is refused as Kafka refuses it (Cannot update these configs dynamically), an unknown key as unknown", () => {
    expect(validateConfigValue('broker', 'num.partitions', '3')).toMatchObject({ code: ErrorCode.INVALID_CONFIG, message: expect.stringMatching(/^Cannot update these configs dynamically: num\.partitions \(a node reads it from server\.properties/) as unknown });
    expect(validateConfigValue('broker', 'no.such.key', '3')).toMatchObject({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown broker config name: no.such.key' });
    expect(validateConfigValue('topic', 'num.partitions', '3')).toMatchObject({ message: 'Unknown topic config name: num.partitions' });
  });
});

describe('dynamic max.connections.per.ip', () => {
  it('0 is refused (it would lock every client out: the overrides that 0 leaves room for are static here); 1 is taken', () => {
    expect(validateConfigValue('broker', 'max.connections.per.ip', '0')).toMatchObject({ code: ErrorCode.INVALID_CONFIG, message: expect.stringMatching(/at least 1: 0 would refuse every client/) as unknown });
    expect(validateConfigValue('broker', 'max.connections.per.ip', '1')).toBeNull();
  });
});
