import { describe, expect, it } from 'vitest';
import { readOnlyBrokerConfigsFrom } from '../../tools/config/server-config.js';
import { imageOf } from '../../metadata-log/delta.js';
import { BROKER_CONFIGS, ConfigSource, STATIC_ONLY_BROKER_KEYS, TOPIC_CONFIGS } from '../../quorum/controller/configs/config-schema.js';
import {
  describeConfigs,
  describeConfigsOp,
  type DescribeConfigsEntry,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
} from '../../quorum/controller/configs/describe-configs.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, configRecord, mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';

const image = imageOf([
  mvRecord(),
  brokerRecord(1, 10),
  ...topicRecords('orders', 1, 3),
  ...topicRecords('events', 2, 1),
  configRecord('topic', 'orders', 'retention.ms', '3000'),
  configRecord('broker', '', 'log.retention.ms', '1000'),
  configRecord('broker', '', 'log.segment.bytes', '2097152'),
  configRecord('broker', '1', 'log.segment.bytes', '4194304'),
  configRecord('broker', '1', 'ssl.keystore.password', 's3cret'),
]);

function request(resources: DescribeConfigsResource[], includeSynonyms = true, includeDocumentation = false): DescribeConfigsRequest {
  return { resources, includeSynonyms, includeDocumentation };
}

function entries(resource: DescribeConfigsResource, opts: { synonyms?: boolean; docs?: boolean; brokerId?: number } = {}): Map<string, DescribeConfigsEntry> {
  const r = describeConfigs(image, request([resource], opts.synonyms ?? true, opts.docs ?? false), opts.brokerId === undefined ? {} : { brokerId: opts.brokerId });
  const res = r.results[0]!;
  expect(res.errorCode).toBe(ErrorCode.NONE);
  return new Map(res.configs.map((e) => [e.name, e]));
}

describe('DescribeConfigs', () => {
  it('(topic, all keys) every topic key, in name order, with value and source', () => {
    const e = entries({ resourceType: 'topic', resourceName: 'orders', configurationKeys: null });
    expect([...e.keys()]).toEqual([...TOPIC_CONFIGS.keys()].sort());
    expect(e.get('retention.ms')).toEqual({
      name: 'retention.ms',
      value: '3000',
      readOnly: false,
      isDefault: false,
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
      configType: 5,
      synonyms: [
        { name: 'retention.ms', value: '3000', source: 1 },
        { name: 'log.retention.ms', value: '1000', source: 3 },
        { name: 'log.retention.ms', value: '604800000', source: 5 },
      ],
      documentation: null,
    });
    expect(e.get('segment.bytes')).toMatchObject({ value: '2097152', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, isDefault: false, configType: 3 });
    expect(e.get('cleanup.policy')).toMatchObject({
      value: 'delete',
      source: ConfigSource.DEFAULT_CONFIG,
      isDefault: true,
      configType: 7,
      synonyms: [{ name: 'log.cleanup.policy', value: 'delete', source: 5 }],
    });
  });

  it('(topic, another one) inherits the cluster default; a key with no broker synonym is its own DEFAULT_CONFIG', () => {
    const e = entries({ resourceType: 'topic', resourceName: 'events', configurationKeys: null });
    expect(e.get('retention.ms')).toMatchObject({ value: '1000', source: 3 });
    expect(e.get('remote.storage.enable')).toMatchObject({ value: 'false', source: 5, synonyms: [{ name: 'remote.storage.enable', value: 'false', source: 5 }] });
  });

  it('(answering broker given) its own dynamic config shows as DYNAMIC_BROKER_CONFIG', () => {
    const e = entries({ resourceType: 'topic', resourceName: 'events', configurationKeys: ['segment.bytes'] }, { brokerId: 1 });
    expect(e.get('segment.bytes')).toMatchObject({
      value: '4194304',
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.segment.bytes', value: '4194304', source: 2 },
        { name: 'log.segment.bytes', value: '2097152', source: 3 },
        { name: 'log.segment.bytes', value: '1073741824', source: 5 },
      ],
    });
  });

  it('(configurationKeys) only the named keys; unknown names are left out silently', () => {
    const e = entries({ resourceType: 'topic', resourceName: 'orders', configurationKeys: ['retention.ms', 'no.such.key', 'segment.ms'] });
    expect([...e.keys()]).toEqual(['retention.ms', 'segment.ms']);
  });

  it('(unknown topic) UNKNOWN_TOPIC_OR_PARTITION with no entries; other resources still answer', () => {
    const r = describeConfigs(
      image,
      request([
        { resourceType: 'topic', resourceName: 'nope', configurationKeys: null },
        { resourceType: 'topic', resourceName: 'orders', configurationKeys: ['retention.ms'] },
      ]),
    );
    expect(r.results[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, resourceName: 'nope', configs: [] });
    expect(r.results[1]?.errorCode).toBe(ErrorCode.NONE);
  });

  it("(topic name) one no topic can have, '' included, is INVALID_TOPIC_EXCEPTION (Kafka's Topic.validate), not UNKNOWN_TOPIC_OR_PARTITION", () => {
    const r = describeConfigs(image, request(['a/b', '', 'y'.repeat(250)].map((resourceName) => ({ resourceType: 'topic' as const, resourceName, configurationKeys: null }))));
    expect(r.results.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION]);
    expect(r.results[0]?.errorMessage).toContain('"a/b" is illegal');
  });

  it("(broker '') only the keys set at the cluster default", () => {
    const e = entries({ resourceType: 'broker', resourceName: '', configurationKeys: null });
    expect([...e.keys()]).toEqual(['log.retention.ms', 'log.segment.bytes']);
    expect(e.get('log.retention.ms')).toMatchObject({
      value: '1000',
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '1000', source: 3 },
        { name: 'log.retention.ms', value: '604800000', source: 5 },
      ],
    });
  });

  it('(broker id) every dynamic key, effective for that broker; sensitive values hidden everywhere', () => {
    const e = entries({ resourceType: 'broker', resourceName: '1', configurationKeys: null });
    expect(e.size).toBe(BROKER_CONFIGS.size);
    expect(e.get('log.segment.bytes')).toMatchObject({ value: '4194304', source: 2 });
    expect(e.get('log.retention.ms')).toMatchObject({ value: '1000', source: 3 });
    expect(e.get('num.io.threads')).toMatchObject({ value: '8', source: 5, isDefault: true });
    expect(e.get('ssl.keystore.password')).toEqual({
      name: 'ssl.keystore.password',
      value: null,
      readOnly: false,
      isDefault: false,
      source: ConfigSource.DYNAMIC_BROKER_CONFIG,
      isSensitive: true,
      configType: 9,
      synonyms: [{ name: 'ssl.keystore.password', value: null, source: 2 }],
      documentation: null,
    });
    expect(JSON.stringify([...e.values()])).not.toContain('s3cret');
    // a key with no value anywhere
    expect(e.get('ssl.truststore.location')).toMatchObject({ value: null, source: 5, isDefault: true, synonyms: [] });
  });

  it('(broker id not a number) INVALID_REQUEST', () => {
    const r = describeConfigs(image, request([{ resourceType: 'broker', resourceName: 'b1', configurationKeys: null }]));
    expect(r.results[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('(includeSynonyms false, includeDocumentation true) no synonyms, a doc line per key', () => {
    const e = entries({ resourceType: 'topic', resourceName: 'orders', configurationKeys: null }, { synonyms: false, docs: true });
    for (const entry of e.values()) {
      expect(entry.synonyms).toEqual([]);
      expect(entry.documentation?.length ?? 0, entry.name).toBeGreaterThan(10);
    }
  });

  it("a node's static level shows for its own broker resource only: another broker's, or any broker asked of a controller, has none", () => {
    const h = new OpHarness([mvRecord()], {});
    const staticConfigs = new Map([['max.connections.per.ip', '50']]);
    const ask = (resourceName: string, brokerId?: number) =>
      describeConfigs(h.ctx().image, request([{ resourceType: 'broker', resourceName, configurationKeys: ['max.connections.per.ip'] }]), { staticConfigs, ...(brokerId === undefined ? {} : { brokerId }) }).results[0]?.configs[0];
    expect(ask('4', 4)).toMatchObject({ value: '50', source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(ask('5', 4)).toMatchObject({ value: '2147483647', source: ConfigSource.DEFAULT_CONFIG });
    expect(ask('5')).toMatchObject({ value: '2147483647', source: ConfigSource.DEFAULT_CONFIG });
  });

  it("a broker describing itself also lists its read-only keys (readOnly; the file's value, else the default), in name order; not for another broker", () => {
    const h = new OpHarness([mvRecord()], {});
    const readOnlyConfigs = readOnlyBrokerConfigsFrom((key) => ({ 'num.partitions': ' 6 ', 'node.id': '4' })[key]);
    const ask = (resourceName: string, configurationKeys: string[] | null) =>
      describeConfigs(h.ctx().image, request([{ resourceType: 'broker', resourceName, configurationKeys }]), { brokerId: 4, readOnlyConfigs }).results[0]!.configs;
    const all = ask('4', null);
    const names = all.map((c) => c.name);
    expect(names).toEqual([...names].sort());
    for (const key of STATIC_ONLY_BROKER_KEYS) expect(names).toContain(key);
    const byName = new Map(all.map((c) => [c.name, c]));
    expect(byName.get('num.partitions')).toMatchObject({ value: '6', readOnly: true, isDefault: false, source: ConfigSource.STATIC_BROKER_CONFIG, configType: 3 });
    expect(byName.get('num.partitions')!.synonyms).toEqual([
      { name: 'num.partitions', value: '6', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'num.partitions', value: '1', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    expect(byName.get('auto.create.topics.enable')).toMatchObject({ value: 'false', readOnly: true, isDefault: true, source: ConfigSource.DEFAULT_CONFIG, configType: 1 });
    expect(byName.get('node.id')).toMatchObject({ value: '4', readOnly: true });
    expect(byName.get('broker.id')).toMatchObject({ value: '4', readOnly: true, source: ConfigSource.STATIC_BROKER_CONFIG });
    expect(byName.get('max.connections.per.ip')).toMatchObject({ readOnly: false });
    expect(ask('4', ['num.partitions', 'nope']).map((c) => c.name)).toEqual(['num.partitions']);
    expect(ask('5', null).some((c) => c.readOnly)).toBe(false);
  });

  it("a file that sets only broker.id reports node.id with that value (Kafka's populateSynonyms works both ways)", () => {
    const h = new OpHarness([mvRecord()], {});
    const readOnlyConfigs = readOnlyBrokerConfigsFrom((key) => ({ 'broker.id': '4' })[key]);
    const configs = describeConfigs(h.ctx().image, request([{ resourceType: 'broker', resourceName: '4', configurationKeys: ['node.id', 'broker.id'] }]), { brokerId: 4, readOnlyConfigs }).results[0]!.configs;
    expect(configs.map((c) => [c.name, c.value, c.source])).toEqual([
      ['broker.id', '4', ConfigSource.STATIC_BROKER_CONFIG],
      ['node.id', '4', ConfigSource.STATIC_BROKER_CONFIG],
    ]);
  });

  it('(on the controller) writes no records; its static unclean.leader.election.enable is STATIC_BROKER_CONFIG', () => {
    const h = new OpHarness([mvRecord(), ...topicRecords('orders', 1, 1)], { uncleanLeaderElectionEnable: true });
    const r = describeConfigsOp(h.ctx(), request([{ resourceType: 'topic', resourceName: 'orders', configurationKeys: ['unclean.leader.election.enable'] }]));
    expect(r.records).toEqual([]);
    expect(r.response.results[0]?.configs[0]).toMatchObject({
      value: 'true',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'unclean.leader.election.enable', value: 'true', source: 4 },
        { name: 'unclean.leader.election.enable', value: 'false', source: 5 },
      ],
    });
  });
});
