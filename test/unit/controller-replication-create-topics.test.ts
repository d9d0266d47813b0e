// CreateTopics: every validation with its error code, records written, per-topic outcomes.
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { PartitionRecord, TopicRecord } from '../../metadata-log/records/types.js';
import { ZERO_UUID } from '../../metadata-log/records/uuid.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { createTopics, type CreatableTopic } from '../../quorum/controller/replication/create-topics.js';
import { leaderCountsOf } from '../../quorum/controller/replication/leader-counts.js';
import { apply, broker, brokers, ctx, image, rng, topic } from './controller-replication-fixtures.js';

function t(name: string, more: Partial<CreatableTopic> = {}): CreatableTopic {
  return { name, numPartitions: 3, replicationFactor: 2, configs: [], ...more };
}

function run(img: MetadataImage, topics: CreatableTopic[], opts: { validateOnly?: boolean; max?: number; counts?: ReadonlyMap<number, number> } = {}) {
  const c = ctx(img, opts.max === undefined ? {} : { maxRecordsPerOperation: opts.max });
  return createTopics(c, { topics, validateOnly: opts.validateOnly ?? false }, rng(11), opts.counts);
}

function codeOf(img: MetadataImage, topic: CreatableTopic): number {
  return run(img, [topic]).response.topics[0]!.errorCode;
}

const three = image(brokers(3));

describe('CreateTopics', () => {
  it('(brokers=3) creates a topic: Topic, Config, Partition records; ISR = replicas, leader = first, epochs 0', () => {
    const { records, response } = run(three, [t('orders', { configs: [{ name: 'cleanup.policy', value: 'compact' }] })]);
    const result = response.topics[0]!;
    expect(result).toMatchObject({ name: 'orders', errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 2, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
    expect(result.topicId).not.toBe(ZERO_UUID);
    expect(records.map((r) => r.type)).toEqual(['Topic', 'Config', 'Partition', 'Partition', 'Partition']);
    expect((records[0] as TopicRecord).topicId).toBe(result.topicId);
    for (const r of records.slice(2) as PartitionRecord[]) {
      expect(r.isr).toEqual(r.replicas);
      expect(r.leader).toBe(r.replicas[0]);
      expect(r).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0 });
    }
    const after = apply(three, records);
    expect(after.topicByName('orders')?.partitions).toHaveLength(3);
    expect(after.configs('topic', 'orders').get('cleanup.policy')).toBe('compact');
  });

  it('-1 takes num.partitions and default.replication.factor from the config', () => {
    const c = ctx(three, { defaultPartitions: 4, defaultReplicationFactor: 3 });
    const { response } = createTopics(c, { topics: [t('d', { numPartitions: -1, replicationFactor: -1 })], validateOnly: false }, rng());
    expect(response.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 4, replicationFactor: 3 });
  });

  it('name rules: INVALID_TOPIC_EXCEPTION', () => {
    for (const name of ['', '.', '..', 'a b', 'x'.repeat(250)]) expect(codeOf(three, t(name))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it("the metadata log's own name, __cluster_metadata: INVALID_REQUEST in Kafka's words (validateOnly too); __consumer_offsets is an ordinary legal name", () => {
    for (const validateOnly of [false, true]) {
      const { response, records } = createTopics(ctx(three), { topics: [t('__cluster_metadata')], validateOnly }, rng());
      expect(response.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Creation of internal topic __cluster_metadata is prohibited.' });
      expect(records).toEqual([]);
    }
    expect(codeOf(three, t('__consumer_offsets'))).toBe(ErrorCode.NONE);
  });

  it('existing topic: TOPIC_ALREADY_EXISTS; colliding name: INVALID_TOPIC_EXCEPTION naming the other', () => {
    const img = apply(three, topic('a.b', [{ replicas: [1] }]));
    expect(codeOf(img, t('a.b'))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const collide = run(img, [t('a_b')]).response.topics[0]!;
    expect(collide.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(collide.errorMessage).toContain('collides with existing topic: a.b');
  });

  it('names colliding within one request: the later one is refused', () => {
    const { response } = run(three, [t('x.y'), t('x_y')]);
    expect(response.topics.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_TOPIC_EXCEPTION]);
  });

  it('a name twice in one request: INVALID_REQUEST for each occurrence, others unaffected', () => {
    const { response, records } = run(three, [t('dup'), t('ok'), t('dup')]);
    expect(response.topics.map((r) => [r.name, r.errorCode])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST],
      ['ok', 0],
      ['dup', ErrorCode.INVALID_REQUEST],
    ]);
    expect(records.filter((r) => r.type === 'Topic')).toHaveLength(1);
  });

  it('partitions 0 or below -1: INVALID_PARTITIONS', () => {
    expect(codeOf(three, t('p', { numPartitions: 0 }))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(codeOf(three, t('p', { numPartitions: -2 }))).toBe(ErrorCode.INVALID_PARTITIONS);
  });

  it('replication factor 0, below -1, or above usable brokers: INVALID_REPLICATION_FACTOR', () => {
    expect(codeOf(three, t('r', { replicationFactor: 0 }))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(codeOf(three, t('r', { replicationFactor: -3 }))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    const over = run(three, [t('r', { replicationFactor: 4 })]).response.topics[0]!;
    expect(over.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(over.errorMessage).toContain('replication factor of 4');
    expect(over.errorMessage).toContain('only 3 broker(s)');
  });

  it('fenced and shutting-down brokers do not count as usable, and get no replicas', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2, fenced: true }), broker({ id: 3, shutdown: true }), broker({ id: 4 })]);
    expect(codeOf(img, t('u', { replicationFactor: 3 }))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    const { records } = run(img, [t('u', { numPartitions: 10, replicationFactor: 2 })]);
    for (const r of records.filter((r): r is PartitionRecord => r.type === 'Partition')) expect([...r.replicas].sort()).toEqual([1, 4]);
  });

  it('bad configs: INVALID_CONFIG; a null value or a key twice: INVALID_REQUEST', () => {
    expect(codeOf(three, t('c', { configs: [{ name: 'no.such.key', value: '1' }] }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(codeOf(three, t('c', { configs: [{ name: 'cleanup.policy', value: 'sometimes' }] }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(codeOf(three, t('c', { configs: [{ name: 'cleanup.policy', value: null }] }))).toBe(ErrorCode.INVALID_REQUEST);
    expect(
      codeOf(three, t('c', { configs: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'cleanup.policy', value: 'compact' }] })),
    ).toBe(ErrorCode.INVALID_REQUEST);
  });

  describe('explicit assignments', () => {
    const manual = (assignments: { partitionIndex: number; brokerIds: number[] }[], more: Partial<CreatableTopic> = {}) =>
      t('m', { numPartitions: -1, replicationFactor: -1, assignments, ...more });

    it('are used as given; ISR = eligible replicas in order, leader = first eligible', () => {
      const img = image([broker({ id: 1, fenced: true }), broker({ id: 2 }), broker({ id: 3 })]);
      const { records, response } = run(img, [manual([{ partitionIndex: 1, brokerIds: [3, 2] }, { partitionIndex: 0, brokerIds: [1, 2] }])]);
      expect(response.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
      const parts = records.filter((r): r is PartitionRecord => r.type === 'Partition');
      expect(parts.map((p) => [p.partitionId, p.replicas, p.isr, p.leader])).toEqual([
        [0, [1, 2], [2], 2],
        [1, [3, 2], [3, 2], 3],
      ]);
    });

    it('with numPartitions or replicationFactor not -1: INVALID_REQUEST', () => {
      expect(codeOf(three, manual([{ partitionIndex: 0, brokerIds: [1] }], { numPartitions: 1 }))).toBe(ErrorCode.INVALID_REQUEST);
      expect(codeOf(three, manual([{ partitionIndex: 0, brokerIds: [1] }], { replicationFactor: 1 }))).toBe(ErrorCode.INVALID_REQUEST);
    });

    it('not dense, a partition twice, unequal lengths, duplicate or unregistered brokers, empty: INVALID_REPLICA_ASSIGNMENT', () => {
      const bad = [
        [{ partitionIndex: 1, brokerIds: [1] }],
        [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 2, brokerIds: [2] }],
        [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 0, brokerIds: [2] }],
        [{ partitionIndex: 0, brokerIds: [1, 2] }, { partitionIndex: 1, brokerIds: [3] }],
        [{ partitionIndex: 0, brokerIds: [1, 1] }],
        [{ partitionIndex: 0, brokerIds: [1, 9] }],
        [{ partitionIndex: 0, brokerIds: [] }],
        [{ partitionIndex: -1, brokerIds: [1] }],
      ];
      for (const a of bad) expect(codeOf(three, manual(a))).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    });

    it('a partition whose brokers are all fenced or shutting down: INVALID_REPLICA_ASSIGNMENT', () => {
      const img = image([broker({ id: 1, fenced: true }), broker({ id: 2, shutdown: true }), broker({ id: 3 })]);
      const r = run(img, [manual([{ partitionIndex: 0, brokerIds: [1, 2] }])]).response.topics[0]!;
      expect(r.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(r.errorMessage).toContain('fenced or in controlled shutdown');
    });
  });

  it('one bad topic does not fail the others', () => {
    const { response, records } = run(three, [t('good1'), t('bad', { numPartitions: 0 }), t('good2')]);
    expect(response.topics.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_PARTITIONS, 0]);
    expect(records.filter((r) => r.type === 'Topic').map((r) => (r as TopicRecord).name)).toEqual(['good1', 'good2']);
  });

  it('validateOnly: same answers, zero topic id, no records', () => {
    const { response, records } = run(three, [t('v'), t('w', { replicationFactor: 9 })], { validateOnly: true });
    expect(records).toEqual([]);
    expect(response.topics.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_REPLICATION_FACTOR]);
    expect(response.topics[0]).toMatchObject({ topicId: ZERO_UUID, numPartitions: 3, replicationFactor: 2 });
  });

  it('record bound: the topic that would cross maxRecordsPerOperation gets POLICY_VIOLATION, the others are created', () => {
    // Each topic: 1 Topic + 3 Partition records = 4. Bound 10: two fit, the third does not.
    const { response, records } = run(three, [t('a'), t('b'), t('c'), t('d', { numPartitions: 1 })], { max: 10 });
    expect(response.topics.map((r) => r.errorCode)).toEqual([0, 0, ErrorCode.POLICY_VIOLATION, 0]);
    expect(records).toHaveLength(10);
    const huge = run(three, [t('huge', { numPartitions: 1_000_000_000 })]).response.topics[0]!;
    expect(huge.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
  });

  it('topic ids are unique within a request and deterministic per seed', () => {
    const a = run(three, [t('a'), t('b'), t('c')]);
    const ids = a.response.topics.map((r) => r.topicId);
    expect(new Set(ids).size).toBe(3);
    expect(run(three, [t('a'), t('b'), t('c')]).response.topics.map((r) => r.topicId)).toEqual(ids);
  });

  it('(brokers=6) with leader counts, 50 one-partition topics in one request spread leaders within ±1', () => {
    const img = image(brokers(6));
    const topics = Array.from({ length: 50 }, (_, i) => t(`s${i}`, { numPartitions: 1 }));
    const { records } = run(img, topics, { counts: leaderCountsOf(img) });
    const counts = leaderCountsOf(apply(img, records));
    const values = [1, 2, 3, 4, 5, 6].map((b) => counts.get(b) ?? 0);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
  });
});
