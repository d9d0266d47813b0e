import { describe, expect, it } from 'vitest';
import { describeConfigs } from '../../quorum/controller/configs/describe-configs.js';
import type { ConfigResourceType } from '../../metadata-log/records/types.js';
import {
  alterConfigs,
  AlterConfigOpType,
  incrementalAlterConfigs,
  type AlterableConfig,
} from '../../quorum/controller/configs/incremental-alter-configs.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, configRecord, mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';

const { SET, DELETE, APPEND, SUBTRACT } = AlterConfigOpType;

function harness(extra: Parameters<typeof configRecord>[] = [], overrides: ConstructorParameters<typeof OpHarness>[1] = {}): OpHarness {
  return new OpHarness(
    [mvRecord(), brokerRecord(1, 10), ...topicRecords('orders', 1, 3), ...topicRecords('events', 2, 1), ...extra.map((a) => configRecord(...a))],
    overrides,
  );
}

function alterOne(h: OpHarness, resourceType: ConfigResourceType, resourceName: string, configs: AlterableConfig[], validateOnly = false) {
  const result = incrementalAlterConfigs(h.ctx(), { resources: [{ resourceType, resourceName, configs }], validateOnly });
  expect(result.response.results).toHaveLength(1);
  return { records: result.records, result: result.response.results[0]!, apply: () => h.apply(result) };
}

describe('IncrementalAlterConfigs', () => {
  it('(SET) writes one ConfigRecord per changed key; the image then holds it', () => {
    const h = harness();
    const r = alterOne(h, 'topic', 'orders', [
      { name: 'retention.ms', op: SET, value: '1000' },
      { name: 'cleanup.policy', op: SET, value: 'compact' },
    ]);
    expect(r.result).toEqual({ errorCode: 0, errorMessage: null, resourceType: 'topic', resourceName: 'orders' });
    expect(r.records).toEqual([
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact' },
    ]);
    r.apply();
    expect(Object.fromEntries(h.image.configs('topic', 'orders'))).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'compact' });
  });

  it('(SET same value) answers NONE and writes nothing', () => {
    const h = harness([['topic', 'orders', 'retention.ms', '1000']]);
    const r = alterOne(h, 'topic', 'orders', [{ name: 'retention.ms', op: SET, value: '1000' }]);
    expect(r.result.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toEqual([]);
  });

  it('(DELETE) writes value null; deleting an unset key writes nothing; a stale unknown key can be deleted', () => {
    const h = harness([
      ['topic', 'orders', 'retention.ms', '1000'],
      ['topic', 'orders', 'message.format.version', '2.8'],
    ]);
    const r = alterOne(h, 'topic', 'orders', [
      { name: 'retention.ms', op: DELETE, value: null },
      { name: 'segment.ms', op: DELETE, value: null },
      { name: 'message.format.version', op: DELETE, value: null },
    ]);
    expect(r.result.errorCode).toBe(ErrorCode.NONE);
    expect(r.records.map((x) => (x.type === 'Config' ? [x.name, x.value] : null))).toEqual([
      ['retention.ms', null],
      ['message.format.version', null],
    ]);
    r.apply();
    expect(h.image.configs('topic', 'orders').size).toBe(0);
  });

  it('(stale unknown key) blocks other changes until deleted in the same request, since the whole result is validated', () => {
    const h = harness([['topic', 'orders', 'message.format.version', '2.8']]);
    expect(alterOne(h, 'topic', 'orders', [{ name: 'retention.ms', op: SET, value: '5' }]).result).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Unknown topic config name: message.format.version',
    });
  });

  it('(unknown topic) UNKNOWN_TOPIC_OR_PARTITION', () => {
    const r = alterOne(harness(), 'topic', 'nope', [{ name: 'retention.ms', op: SET, value: '1' }]);
    expect(r.result.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(r.records).toEqual([]);
  });

  it("(topic name) one no topic can have is INVALID_TOPIC_EXCEPTION, and '' INVALID_REQUEST, as Kafka's validator answers, before existence", () => {
    const h = harness();
    for (const name of ['a/b', 'x'.repeat(250), '..']) {
      const r = alterOne(h, 'topic', name, [{ name: 'retention.ms', op: SET, value: '1' }]);
      expect(r.result.errorCode, name.slice(0, 20)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(r.records).toEqual([]);
    }
    expect(alterOne(h, 'topic', '', [{ name: 'retention.ms', op: SET, value: '1' }]).result).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Default topic resources are not allowed.',
    });
  });

  it('(topic name) a topic that exists is configurable whatever its name (migrate-from-zk imports 250-character names an older Kafka allowed)', () => {
    const long = 'z'.repeat(250);
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10), ...topicRecords(long, 1, 1)]);
    const r = alterOne(h, 'topic', long, [{ name: 'retention.ms', op: SET, value: '1' }]);
    expect(r.result.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toHaveLength(1);
  });

  it("(broker name) '' and any base-10 id (registered or not) are accepted; anything else is INVALID_REQUEST", () => {
    const h = harness();
    expect(alterOne(h, 'broker', '', [{ name: 'log.retention.ms', op: SET, value: '1' }]).result.errorCode).toBe(ErrorCode.NONE);
    expect(alterOne(h, 'broker', '1', [{ name: 'log.retention.ms', op: SET, value: '1' }]).result.errorCode).toBe(ErrorCode.NONE);
    expect(alterOne(h, 'broker', '7', [{ name: 'log.retention.ms', op: SET, value: '1' }]).result.errorCode).toBe(ErrorCode.NONE);
    for (const name of ['abc', '-1', '1.5', ' 1', '01', '99999999999']) {
      expect(alterOne(h, 'broker', name, [{ name: 'log.retention.ms', op: SET, value: '1' }]).result.errorCode, name).toBe(ErrorCode.INVALID_REQUEST);
    }
  });

  it('(unsupported resource type) INVALID_REQUEST', () => {
    const h = harness();
    const r = incrementalAlterConfigs(h.ctx(), {
      resources: [{ resourceType: 'broker_logger' as ConfigResourceType, resourceName: '1', configs: [] }],
      validateOnly: false,
    });
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('(duplicate key in one resource) INVALID_REQUEST and nothing written', () => {
    const r = alterOne(harness(), 'topic', 'orders', [
      { name: 'retention.ms', op: SET, value: '1' },
      { name: 'retention.ms', op: DELETE, value: null },
    ]);
    expect(r.result).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys: retention.ms' });
    expect(r.records).toEqual([]);
  });

  it('(duplicate resource) INVALID_REQUEST for every copy; other resources go on', () => {
    const h = harness();
    const r = incrementalAlterConfigs(h.ctx(), {
      resources: [
        { resourceType: 'topic', resourceName: 'orders', configs: [{ name: 'retention.ms', op: SET, value: '1' }] },
        { resourceType: 'topic', resourceName: 'events', configs: [{ name: 'retention.ms', op: SET, value: '2' }] },
        { resourceType: 'topic', resourceName: 'orders', configs: [{ name: 'segment.ms', op: SET, value: '3' }] },
      ],
      validateOnly: false,
    });
    expect(r.response.results.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.NONE, ErrorCode.INVALID_REQUEST]);
    expect(r.records).toEqual([{ type: 'Config', resourceType: 'topic', resourceName: 'events', name: 'retention.ms', value: '2' }]);
  });

  it('(unknown key) INVALID_CONFIG "Unknown topic config name: x"', () => {
    const r = alterOne(harness(), 'topic', 'orders', [{ name: 'retention.mss', op: SET, value: '1' }]);
    expect(r.result).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: retention.mss' });
    const b = alterOne(harness(), 'broker', '', [{ name: 'log.retention.mss', op: SET, value: '3' }]);
    expect(b.result).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown broker config name: log.retention.mss' });
    // A key server.properties sets at start only: Kafka's read-only refusal.
    const s = alterOne(harness(), 'broker', '', [{ name: 'num.partitions', op: SET, value: '3' }]);
    expect(s.result).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/^Cannot update these configs dynamically: num\.partitions/) as unknown });
  });

  it('(bad value) INVALID_CONFIG naming key, value and rule; nothing written for the resource', () => {
    const r = alterOne(harness(), 'topic', 'orders', [
      { name: 'retention.ms', op: SET, value: '5' },
      { name: 'compression.type', op: SET, value: 'brotli' },
    ]);
    expect(r.result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(r.result.errorMessage).toContain('Invalid value brotli for configuration compression.type');
    expect(r.result.errorMessage).toContain('uncompressed, zstd, lz4, snappy, gzip, producer');
    expect(r.records).toEqual([]);
  });

  it('(value longer than a Kafka STRING) INVALID_CONFIG: once stored, DescribeConfigs could never carry it', () => {
    const h = harness();
    const longest = 'x'.repeat(32767);
    expect(alterOne(h, 'broker', '1', [{ name: 'ssl.keystore.location', op: SET, value: longest }]).result.errorCode).toBe(ErrorCode.NONE);
    const r = alterOne(h, 'broker', '1', [{ name: 'ssl.keystore.location', op: SET, value: '\u00e9'.repeat(16384) }]); // 32,768 UTF-8 bytes
    expect(r.result).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/32768 UTF-8 bytes, more than the 32767/) });
    expect(r.records).toEqual([]);
  });

  it('(null value) INVALID_REQUEST for SET, APPEND and SUBTRACT', () => {
    for (const op of [SET, APPEND, SUBTRACT]) {
      const r = alterOne(harness(), 'topic', 'orders', [{ name: 'cleanup.policy', op, value: null }]);
      expect(r.result).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : cleanup.policy' });
    }
  });

  it('(unknown op id) INVALID_REQUEST', () => {
    for (const op of [4, -1, 1.5]) {
      expect(alterOne(harness(), 'topic', 'orders', [{ name: 'retention.ms', op, value: '1' }]).result.errorCode, String(op)).toBe(ErrorCode.INVALID_REQUEST);
    }
  });

  it('(APPEND / SUBTRACT on a non-list key) INVALID_CONFIG', () => {
    const a = alterOne(harness(), 'topic', 'orders', [{ name: 'retention.ms', op: APPEND, value: '1' }]);
    expect(a.result).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: "Can't APPEND to key retention.ms because its type is not LIST." });
    const s = alterOne(harness(), 'broker', '', [{ name: 'compression.type', op: SUBTRACT, value: 'gzip' }]);
    expect(s.result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('(APPEND) starts from the default when unset and skips items already there', () => {
    const h = harness();
    const r = alterOne(h, 'topic', 'orders', [{ name: 'cleanup.policy', op: APPEND, value: 'compact,delete' }]);
    expect(r.result.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toEqual([{ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'delete,compact' }]);
  });

  it('(APPEND) starts from the inherited cluster default when the topic has none', () => {
    const h = harness([['broker', '', 'log.cleanup.policy', 'compact']]);
    const r = alterOne(h, 'topic', 'orders', [{ name: 'cleanup.policy', op: APPEND, value: 'delete' }]);
    expect(r.records).toEqual([{ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact,delete' }]);
  });

  it('(APPEND / SUBTRACT) on a throttled-replicas list', () => {
    const h = harness([['topic', 'orders', 'leader.replication.throttled.replicas', '0:1']]);
    alterOne(h, 'topic', 'orders', [{ name: 'leader.replication.throttled.replicas', op: APPEND, value: '1:1,0:1,2:1' }]).apply();
    expect(h.image.configs('topic', 'orders').get('leader.replication.throttled.replicas')).toBe('0:1,1:1,2:1');
    alterOne(h, 'topic', 'orders', [{ name: 'leader.replication.throttled.replicas', op: SUBTRACT, value: '0:1,2:1,9:9' }]).apply();
    expect(h.image.configs('topic', 'orders').get('leader.replication.throttled.replicas')).toBe('1:1');
    alterOne(h, 'topic', 'orders', [{ name: 'leader.replication.throttled.replicas', op: SUBTRACT, value: '1:1' }]).apply();
    expect(h.image.configs('topic', 'orders').get('leader.replication.throttled.replicas')).toBe('');
  });

  it('(SUBTRACT to an empty cleanup.policy) INVALID_CONFIG: the result is validated', () => {
    const h = harness([['topic', 'orders', 'cleanup.policy', 'compact,delete']]);
    const ok = alterOne(h, 'topic', 'orders', [{ name: 'cleanup.policy', op: SUBTRACT, value: 'delete' }]);
    expect(ok.records).toEqual([{ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact' }]);
    const empty = alterOne(h, 'topic', 'orders', [{ name: 'cleanup.policy', op: SUBTRACT, value: 'compact,delete' }]);
    expect(empty.result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(empty.result.errorMessage).toContain('cleanup.policy');
  });

  it('(resulting config) a change that conflicts with an existing key is refused; both together are fine', () => {
    const h = harness([['topic', 'orders', 'max.compaction.lag.ms', '50']]);
    const bad = alterOne(h, 'topic', 'orders', [{ name: 'min.compaction.lag.ms', op: SET, value: '100' }]);
    expect(bad.result).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'conflict topic config setting min.compaction.lag.ms (100) > max.compaction.lag.ms (50)',
    });
    const good = alterOne(h, 'topic', 'orders', [
      { name: 'min.compaction.lag.ms', op: SET, value: '100' },
      { name: 'max.compaction.lag.ms', op: SET, value: '200' },
    ]);
    expect(good.result.errorCode).toBe(ErrorCode.NONE);
    expect(good.records).toHaveLength(2);
  });

  it('(resulting config) conflicts with the inherited cluster default too', () => {
    const h = harness([['broker', '', 'log.cleaner.max.compaction.lag.ms', '10']]);
    expect(alterOne(h, 'topic', 'orders', [{ name: 'min.compaction.lag.ms', op: SET, value: '11' }]).result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('(no over-validation) min.insync.replicas above the replication factor is accepted, as in Kafka', () => {
    const r = alterOne(harness(), 'topic', 'orders', [{ name: 'min.insync.replicas', op: SET, value: '5' }]);
    expect(r.result.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toHaveLength(1);
  });

  it('(validateOnly) the same answers, no records', () => {
    const ok = alterOne(harness(), 'topic', 'orders', [{ name: 'retention.ms', op: SET, value: '1' }], true);
    expect(ok.result.errorCode).toBe(ErrorCode.NONE);
    expect(ok.records).toEqual([]);
    const bad = alterOne(harness(), 'topic', 'orders', [{ name: 'retention.ms', op: SET, value: 'x' }], true);
    expect(bad.result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  });

  it("(per-broker-only key) refused at the cluster default '', accepted for one broker; a sensitive value is not echoed", () => {
    const h = harness();
    const atDefault = alterOne(h, 'broker', '', [{ name: 'ssl.keystore.password', op: SET, value: 's3cret' }]);
    expect(atDefault.result.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(atDefault.result.errorMessage).toContain('broker id must be specified: ssl.keystore.password');
    const perBroker = alterOne(h, 'broker', '1', [{ name: 'ssl.keystore.password', op: SET, value: 's3cret' }]);
    expect(perBroker.result.errorCode).toBe(ErrorCode.NONE);
    expect(perBroker.records).toHaveLength(1);
  });

  it('(listener-prefixed ssl.* key) accepted for one broker, refused at the cluster default; other prefixed keys, or a listener not in lower case, are unknown; DescribeConfigs lists it, hidden when sensitive', () => {
    const h = harness();
    const set = (resourceName: string, name: string, value = '/etc/x.pem') => alterOne(h, 'broker', resourceName, [{ name, op: SET, value }]);
    const ok = set('1', 'listener.name.external.ssl.keystore.location');
    expect(ok.result.errorCode).toBe(ErrorCode.NONE);
    ok.apply();
    set('1', 'listener.name.external.ssl.key.password', 's3cret').apply();
    expect(set('', 'listener.name.external.ssl.keystore.location').result.errorMessage).toContain('broker id must be specified: listener.name.external.ssl.keystore.location');
    expect(set('1', 'listener.name.external.ssl.client.auth').result.errorMessage).toBe('Unknown broker config name: listener.name.external.ssl.client.auth');
    expect(set('1', 'listener.name.EXTERNAL.ssl.keystore.location').result.errorMessage).toBe('Unknown broker config name: listener.name.EXTERNAL.ssl.keystore.location');
    const described = describeConfigs(h.image, { resources: [{ resourceType: 'broker', resourceName: '1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }).results[0]!.configs;
    const byName = new Map(described.map((c) => [c.name, c]));
    expect(byName.get('listener.name.external.ssl.keystore.location')).toMatchObject({ value: '/etc/x.pem', source: 2, isSensitive: false });
    expect(byName.get('listener.name.external.ssl.key.password')).toMatchObject({ value: null, source: 2, isSensitive: true });
    expect(described.map((c) => c.name)).toEqual([...described.map((c) => c.name)].sort());
  });

  it('(broker) a cluster default and a per-broker value land at their resource names', () => {
    const h = harness();
    const r = incrementalAlterConfigs(h.ctx(), {
      resources: [
        { resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.ms', op: SET, value: '100' }] },
        { resourceType: 'broker', resourceName: '1', configs: [{ name: 'log.retention.ms', op: SET, value: '200' }] },
      ],
      validateOnly: false,
    });
    h.apply(r);
    expect(h.image.configs('broker', '').get('log.retention.ms')).toBe('100');
    expect(h.image.configs('broker', '1').get('log.retention.ms')).toBe('200');
  });

  it('(bound) changes past maxRecordsPerOperation answer INVALID_REQUEST for the resource that crosses it', () => {
    const h = harness([], { maxRecordsPerOperation: 2 });
    const r = incrementalAlterConfigs(h.ctx(), {
      resources: [
        { resourceType: 'topic', resourceName: 'orders', configs: [{ name: 'retention.ms', op: SET, value: '1' }, { name: 'segment.ms', op: SET, value: '1' }] },
        { resourceType: 'topic', resourceName: 'events', configs: [{ name: 'retention.ms', op: SET, value: '1' }] },
      ],
      validateOnly: false,
    });
    expect(r.response.results.map((x) => x.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST]);
    expect(r.records).toHaveLength(2);
  });
});

describe('AlterConfigs (legacy, replaces the whole set)', () => {
  it('keys not in the request are deleted; changed ones set; unchanged ones untouched', () => {
    const h = harness([
      ['topic', 'orders', 'retention.ms', '1000'],
      ['topic', 'orders', 'segment.ms', '2000'],
    ]);
    const r = alterConfigs(h.ctx(), {
      resources: [{ resourceType: 'topic', resourceName: 'orders', configs: [{ name: 'segment.ms', value: '2000' }, { name: 'cleanup.policy', value: 'compact' }] }],
      validateOnly: false,
    });
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toEqual([
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: null },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact' },
    ]);
    h.apply(r);
    expect(Object.fromEntries(h.image.configs('topic', 'orders'))).toEqual({ 'segment.ms': '2000', 'cleanup.policy': 'compact' });
  });

  it('validates like the incremental form: unknown key, bad value, duplicates, unknown topic', () => {
    const h = harness();
    const run = (resourceName: string, configs: { name: string; value: string | null }[]) =>
      alterConfigs(h.ctx(), { resources: [{ resourceType: 'topic', resourceName, configs }], validateOnly: false }).response.results[0]?.errorCode;
    expect(run('orders', [{ name: 'nope', value: '1' }])).toBe(ErrorCode.INVALID_CONFIG);
    expect(run('orders', [{ name: 'retention.ms', value: 'x' }])).toBe(ErrorCode.INVALID_CONFIG);
    expect(run('orders', [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }])).toBe(ErrorCode.INVALID_REQUEST);
    expect(run('nope', [{ name: 'retention.ms', value: '1' }])).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(run('orders', [])).toBe(ErrorCode.NONE);
  });
});
