// DescribeConfigs (from this broker's image, as this broker) and AlterConfigs (forwarded to the
// controller's legacy alterConfigs op, run for real): resource type mapping, sources and synonyms,
// validate-only, per-resource errors, a controller that cannot be reached, and read-your-write
// on the same broker.

import { describe, expect, it } from 'vitest';
import { ALTER_CONFIGS_VISIBLE_WAIT_MS, handleAlterConfigs, handleDescribeConfigs, handleIncrementalAlterConfigs } from '../../broker/kafka/handlers/configs.js';
import { ConfigSource } from '../../broker/kafka/protocol/apis/describe-configs.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ConnectionError } from '../../quorum/net/types.js';
import { configRecord, overTheWire, remoteError, testbed } from './kafka-handlers-fixture.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

describe('DescribeConfigs', () => {
  it.each([0, 1, 2])('v%i topic: a topic override (TOPIC_CONFIG) and a default (DEFAULT_CONFIG, is_default at v0)', async (version) => {
    const t = testbed({ records: [configRecord('topic', 't1', 'retention.ms', '1000')] });
    const r = await overTheWire(
      'DescribeConfigs',
      version,
      { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: ['retention.ms', 'cleanup.policy', 'no.such.key'] }], includeSynonyms: false },
      handleDescribeConfigs,
      t.ctx,
    );
    const res = r.results[0];
    expect(res).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't1' });
    expect(res?.configs.map((c) => c.name)).toEqual(['cleanup.policy', 'retention.ms']); // unknown names left out, name order
    const retention = res?.configs.find((c) => c.name === 'retention.ms');
    const cleanup = res?.configs.find((c) => c.name === 'cleanup.policy');
    expect(retention).toMatchObject({ value: '1000', readOnly: false, isSensitive: false });
    expect(cleanup?.value).toBe('delete');
    if (version === 0) {
      // v0 carries only is_default: the client reads it back as DEFAULT_CONFIG or not.
      expect(cleanup?.configSource).toBe(ConfigSource.DEFAULT_CONFIG);
      expect(retention?.configSource).not.toBe(ConfigSource.DEFAULT_CONFIG);
    } else {
      expect(retention?.configSource).toBe(ConfigSource.TOPIC_CONFIG);
      expect(cleanup?.configSource).toBe(ConfigSource.DEFAULT_CONFIG);
      expect(retention?.synonyms).toEqual([]);
    }
  });

  it("synonyms (v1+): this broker's dynamic config is a DYNAMIC_BROKER_CONFIG synonym of the topic key; another broker's is not", async () => {
    const records = [configRecord('broker', '1', 'log.retention.ms', '5000'), configRecord('broker', '2', 'log.retention.ms', '7000'), configRecord('broker', '', 'log.retention.ms', '6000')];
    const request = { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: ['retention.ms'] }], includeSynonyms: true };
    const one = await overTheWire('DescribeConfigs', 2, request, handleDescribeConfigs, testbed({ brokerId: 1, records }).ctx);
    expect(one.results[0]?.configs[0]).toMatchObject({
      name: 'retention.ms',
      value: '5000',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '5000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
        { name: 'log.retention.ms', value: '6000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.ms', value: '604800000', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    const three = await handleDescribeConfigs(testbed({ brokerId: 3, records }).ctx, request, 2);
    expect(three.results[0]?.configs[0]).toMatchObject({ value: '6000', configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  });

  it("a static broker value from this node's server.properties (unclean.leader.election.enable) is reported as STATIC_BROKER_CONFIG, as the controller reports its own (was always the default, false)", async () => {
    const t = testbed();
    const ctx = { ...t.ctx, ownConfigs: { staticConfigs: new Map([['unclean.leader.election.enable', 'true']]) } };
    const r = await handleDescribeConfigs(ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: ['unclean.leader.election.enable'] }], includeSynonyms: false }, 2);
    expect(r.results[0]?.configs[0]).toMatchObject({ name: 'unclean.leader.election.enable', value: 'true', configSource: ConfigSource.STATIC_BROKER_CONFIG });
  });

  it("broker resource '2' on broker 2: its own dynamic value (DYNAMIC_BROKER_CONFIG)", async () => {
    const t = testbed({ brokerId: 2, records: [configRecord('broker', '2', 'log.retention.ms', '7000')] });
    const r = await handleDescribeConfigs(t.ctx, { resources: [{ resourceType: BROKER, resourceName: '2', configurationKeys: ['log.retention.ms'] }], includeSynonyms: false }, 2);
    expect(r.results[0]).toMatchObject({ errorCode: 0, resourceType: BROKER, resourceName: '2' });
    expect(r.results[0]?.configs).toEqual([
      { name: 'log.retention.ms', value: '7000', readOnly: false, configSource: ConfigSource.DYNAMIC_BROKER_CONFIG, isSensitive: false, synonyms: [] },
    ]);
  });

  it("broker resource of another broker: INVALID_REQUEST, as Kafka answers (its static values would be this broker's)", async () => {
    const t = testbed({ records: [configRecord('broker', '3', 'log.retention.ms', '7000')] });
    const ctx = { ...t.ctx, ownConfigs: { staticConfigs: new Map([['unclean.leader.election.enable', 'true']]) } };
    const r = await handleDescribeConfigs(ctx, { resources: [{ resourceType: BROKER, resourceName: '3', configurationKeys: null }], includeSynonyms: false }, 2);
    expect(r.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 3', configs: [] });
  });

  it('per-resource errors: unknown topic, unsupported type, bad broker name; the others still answered', async () => {
    const t = testbed();
    const r = await overTheWire(
      'DescribeConfigs',
      1,
      {
        resources: [
          { resourceType: TOPIC, resourceName: 'nope', configurationKeys: null },
          { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
          { resourceType: BROKER, resourceName: 'x1', configurationKeys: null },
          { resourceType: TOPIC, resourceName: 't2', configurationKeys: null },
        ],
        includeSynonyms: false,
      },
      handleDescribeConfigs,
      t.ctx,
    );
    expect(r.results.map((x) => [x.resourceType, x.resourceName, x.errorCode, x.configs.length > 0])).toEqual([
      [TOPIC, 'nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, false],
      [BROKER_LOGGER, '1', ErrorCode.INVALID_REQUEST, false],
      [BROKER, 'x1', ErrorCode.INVALID_REQUEST, false],
      [TOPIC, 't2', ErrorCode.NONE, true],
    ]);
    expect(r.results[1]?.errorMessage).toMatch(/Unsupported resource type 8/);
    expect(t.controller.calls).toEqual([]);
  });
});

describe('AlterConfigs', () => {
  it.each([0, 1])('v%i: forwarded as the legacy op with mapped types; the set replaces the explicit set', async (version) => {
    const t = testbed({ records: [configRecord('topic', 't1', 'retention.ms', '1000')] });
    const r = await overTheWire(
      'AlterConfigs',
      version,
      { resources: [{ resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: false },
      handleAlterConfigs,
      t.ctx,
    );
    expect(r.responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't1' }]);
    expect(t.controller.calls).toEqual([
      {
        method: 'alterConfigs',
        request: { resources: [{ resourceType: 'topic', resourceName: 't1', configs: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: false },
        timeoutMs: 3_000,
      },
    ]);
    expect([...t.harness.image.configs('topic', 't1')]).toEqual([['cleanup.policy', 'compact']]); // retention.ms removed
  });

  it('validate_only: same answers, nothing written', async () => {
    const t = testbed();
    const r = await handleAlterConfigs(
      t.ctx,
      {
        resources: [
          { resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', value: '5' }] },
          { resourceType: TOPIC, resourceName: 't2', configs: [{ name: 'retention.ms', value: 'soon' }] },
        ],
        validateOnly: true,
      },
      1,
    );
    expect(r.responses.map((x) => x.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_CONFIG]);
    expect(t.harness.image.configs('topic', 't1').size).toBe(0);
    expect((t.controller.calls[0]?.request as { validateOnly: boolean }).validateOnly).toBe(true);
  });

  it("controller refusals per resource (unknown topic, unknown key, broker default); an unsupported type is refused here and not sent", async () => {
    const t = testbed();
    const r = await handleAlterConfigs(
      t.ctx,
      {
        resources: [
          { resourceType: TOPIC, resourceName: 'nope', configs: [] },
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name: 'kafka.server', value: 'DEBUG' }] },
          { resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'no.such.key', value: '1' }] },
          { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', value: '9000' }] },
        ],
        validateOnly: false,
      },
      1,
    );
    expect(r.responses.map((x) => [x.resourceType, x.resourceName, x.errorCode])).toEqual([
      [TOPIC, 'nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      [BROKER_LOGGER, '1', ErrorCode.INVALID_REQUEST],
      [TOPIC, 't1', ErrorCode.INVALID_CONFIG],
      [BROKER, '', ErrorCode.NONE],
    ]);
    expect(r.responses[2]?.errorMessage).toMatch(/no\.such\.key/);
    const sent = t.controller.calls[0]?.request as { resources: { resourceType: string }[] };
    expect(sent.resources.map((x) => x.resourceType)).toEqual(['topic', 'topic', 'broker']);
    expect(t.harness.image.configs('broker', '').get('log.retention.ms')).toBe('9000');
  });

  it('only unsupported types: answered without a call', async () => {
    const t = testbed();
    const r = await handleAlterConfigs(t.ctx, { resources: [{ resourceType: 0, resourceName: 'x', configs: [] }], validateOnly: false }, 1);
    expect(r.responses[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(t.controller.calls).toEqual([]);
  });

  it.each([
    ['a lost connection', new ConnectionError('closed')],
    ['NOT_CONTROLLER after the last retry', remoteError(ErrorCode.NOT_CONTROLLER)],
  ])('controller unreachable (%s): NOT_CONTROLLER per resource, which kafkajs admin retries', async (_name, error) => {
    const t = testbed();
    t.controller.failure = error;
    const r = await handleAlterConfigs(
      t.ctx,
      {
        resources: [
          { resourceType: TOPIC, resourceName: 't1', configs: [] },
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [] },
        ],
        validateOnly: false,
      },
      1,
    );
    expect(r.responses.map((x) => x.errorCode)).toEqual([ErrorCode.NOT_CONTROLLER, ErrorCode.INVALID_REQUEST]);
    expect(r.responses[0]?.errorMessage).toMatch(/controller/);
  });

  it("read-your-write: the answer waits until this broker's image shows the new set", async () => {
    const t = testbed();
    t.lagging(true);
    setTimeout(() => t.lagging(false), 60); // the broker applies the committed record a little later
    const started = Date.now();
    const r = await handleAlterConfigs(t.ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', value: '1234' }] }], validateOnly: false }, 1);
    expect(r.responses[0]?.errorCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    const d = await handleDescribeConfigs(t.ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configurationKeys: ['retention.ms'] }], includeSynonyms: false }, 2);
    expect(d.results[0]?.configs[0]?.value).toBe('1234');
  });

  it('validate_only and failed resources do not wait for the image', async () => {
    const t = testbed();
    t.lagging(true);
    const started = Date.now();
    await handleAlterConfigs(t.ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', value: '1' }] }], validateOnly: true }, 1);
    await handleAlterConfigs(t.ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', value: 'x' }] }], validateOnly: false }, 1);
    // A wait for the image would last the whole bound: the image never changes here.
    expect(Date.now() - started).toBeLessThan(ALTER_CONFIGS_VISIBLE_WAIT_MS);
  });
});

describe('IncrementalAlterConfigs', () => {
  it.each([0, 1])('v%i: SET, DELETE and APPEND forwarded as the incremental op with mapped types; only the keys named change', async (version) => {
    const t = testbed({ records: [configRecord('topic', 't1', 'retention.ms', '1000'), configRecord('topic', 't1', 'segment.ms', '9000')] });
    const r = await overTheWire(
      'IncrementalAlterConfigs',
      version,
      {
        resources: [
          {
            resourceType: TOPIC,
            resourceName: 't1',
            configs: [
              { name: 'max.message.bytes', configOperation: 0, value: '2000' },
              { name: 'retention.ms', configOperation: 1, value: null },
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
            ],
          },
        ],
        validateOnly: false,
      },
      handleIncrementalAlterConfigs,
      t.ctx,
    );
    expect(r.responses).toEqual([{ errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't1' }]);
    expect(t.controller.calls[0]).toMatchObject({ method: 'incrementalAlterConfigs', request: { resources: [{ resourceType: 'topic', resourceName: 't1' }], validateOnly: false } });
    const held = t.harness.image.configs('topic', 't1');
    expect(held.get('segment.ms')).toBe('9000'); // untouched, unlike AlterConfigs
    expect(held.has('retention.ms')).toBe(false);
    expect(held.get('max.message.bytes')).toBe('2000');
    expect(held.get('cleanup.policy')).toBe('delete,compact'); // appended to the inherited default
  });

  it("per-resource errors (Kafka's codes): an unknown operation, an unknown key; an unsupported type refused here; validate_only writes nothing", async () => {
    const t = testbed();
    const r = await handleIncrementalAlterConfigs(
      t.ctx,
      {
        resources: [
          { resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', configOperation: 9, value: '1' }] },
          { resourceType: TOPIC, resourceName: 't2', configs: [{ name: 'no.such.key', configOperation: 0, value: '1' }] },
          { resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name: 'kafka.server', configOperation: 0, value: 'DEBUG' }] },
          { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '9000' }] },
        ],
        validateOnly: true,
      },
      1,
    );
    expect(r.responses.map((x) => [x.resourceType, x.errorCode])).toEqual([
      [TOPIC, ErrorCode.INVALID_REQUEST],
      [TOPIC, ErrorCode.INVALID_CONFIG],
      [BROKER_LOGGER, ErrorCode.INVALID_REQUEST],
      [BROKER, ErrorCode.NONE],
    ]);
    expect(t.harness.image.configs('broker', '').size).toBe(0);
  });

  it("read-your-write: the answer waits until this broker's image shows what SET wrote", async () => {
    const t = testbed();
    t.lagging(true);
    setTimeout(() => t.lagging(false), 60);
    const started = Date.now();
    const r = await handleIncrementalAlterConfigs(t.ctx, { resources: [{ resourceType: TOPIC, resourceName: 't1', configs: [{ name: 'retention.ms', configOperation: 0, value: '1234' }] }], validateOnly: false }, 1);
    expect(r.responses[0]?.errorCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(t.ctx.image().configs('topic', 't1').get('retention.ms')).toBe('1234');
  });
});
