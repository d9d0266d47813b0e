// DeleteTopics (by name and by id) and CreatePartitions (increase only).
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { PartitionRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { createPartitions, type CreatePartitionsTopic } from '../../quorum/controller/replication/create-partitions.js';
import { deleteTopics } from '../../quorum/controller/replication/delete-topics.js';
import { apply, broker, brokers, ctx, image, rng, tid, topic } from './controller-replication-fixtures.js';

const base = image([
  ...brokers(3),
  ...topic('a', [{ replicas: [1, 2] }, { replicas: [2, 3] }], { 'cleanup.policy': 'compact' }),
  ...topic('b', [{ replicas: [3, 1] }]),
]);

describe('DeleteTopics', () => {
  it('by name and by id: one RemoveTopic each; partitions and topic configs go on replay', () => {
    const { records, response } = deleteTopics(ctx(base), { topics: [{ name: 'a', topicId: null }, { name: null, topicId: tid('b') }] });
    expect(records).toEqual([
      { type: 'RemoveTopic', topicId: tid('a') },
      { type: 'RemoveTopic', topicId: tid('b') },
    ]);
    expect(response.responses).toEqual([
      { name: 'a', topicId: tid('a'), errorCode: 0, errorMessage: null },
      { name: 'b', topicId: tid('b'), errorCode: 0, errorMessage: null },
    ]);
    const after = apply(base, records);
    expect(after.topicCount).toBe(0);
    expect(after.configs('topic', 'a').size).toBe(0);
  });

  it('committed offsets on a deleted topic are tombstoned, so a topic created again under its name starts clean', () => {
    const commit = (groupId: string, t: string, partition: number) =>
      ({ type: 'OffsetCommit', groupId, topic: t, partition, offset: 7, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 }) as const;
    const withOffsets = apply(base, [commit('g1', 'a', 0), commit('g1', 'a', 1), commit('g1', 'b', 0), commit('g2', 'a', 1)]);
    const { records } = deleteTopics(ctx(withOffsets), { topics: [{ name: 'a', topicId: null }] });
    const tombstones = records.filter((r) => r.type === 'OffsetCommitTombstone').map((r) => r.type === 'OffsetCommitTombstone' && `${r.groupId}/${r.topic}/${r.partition}`);
    expect(tombstones.sort()).toEqual(['g1/a/0', 'g1/a/1', 'g2/a/1']);
    const after = apply(withOffsets, records);
    expect(after.committedOffset('g1', 'a', 0)).toBeUndefined();
    expect(after.committedOffset('g1', 'b', 0)?.offset).toBe(7);
    expect(after.groupOffsets('g2')).toBeUndefined();
  });

  it('unknown name: UNKNOWN_TOPIC_OR_PARTITION; unknown id: UNKNOWN_TOPIC_ID; others still deleted', () => {
    const { records, response } = deleteTopics(ctx(base), {
      topics: [
        { name: 'nope', topicId: null },
        { name: null, topicId: tid('nope') },
        { name: 'b', topicId: null },
      ],
    });
    expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_ID, 0]);
    expect(records).toHaveLength(1);
  });

  it('a name or id twice: INVALID_REQUEST for each; neither or both given: INVALID_REQUEST', () => {
    const { records, response } = deleteTopics(ctx(base), {
      topics: [
        { name: 'a', topicId: null },
        { name: 'a', topicId: null },
        { name: null, topicId: null },
        { name: 'b', topicId: tid('b') },
      ],
    });
    expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(records).toEqual([]);
  });

  it('the same topic by name and by id is deleted once; both entries succeed', () => {
    const { records, response } = deleteTopics(ctx(base), { topics: [{ name: 'a', topicId: null }, { name: null, topicId: tid('a') }] });
    expect(records).toHaveLength(1);
    expect(response.responses.map((r) => r.errorCode)).toEqual([0, 0]);
  });

  it('more topics than the record bound: POLICY_VIOLATION for the ones past it', () => {
    const c = ctx(base, { maxRecordsPerOperation: 1 });
    const { records, response } = deleteTopics(c, { topics: [{ name: 'a', topicId: null }, { name: 'b', topicId: null }] });
    expect(records).toHaveLength(1);
    expect(response.responses.map((r) => r.errorCode)).toEqual([0, ErrorCode.POLICY_VIOLATION]);
  });
});

describe('CreatePartitions', () => {
  const run = (img: MetadataImage, topics: CreatePartitionsTopic[], validateOnly = false, max?: number) =>
    createPartitions(ctx(img, max === undefined ? {} : { maxRecordsPerOperation: max }), { topics, validateOnly }, rng(5));

  it('adds partitions with the topic replication factor, continuing the partition ids', () => {
    const { records, response } = run(base, [{ name: 'a', count: 5, assignments: null }]);
    expect(response.results).toEqual([{ name: 'a', errorCode: 0, errorMessage: null }]);
    const parts = records as PartitionRecord[];
    expect(parts.map((p) => p.partitionId)).toEqual([2, 3, 4]);
    for (const p of parts) {
      expect(p.replicas).toHaveLength(2);
      expect(p).toMatchObject({ topicId: tid('a'), isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
    }
    expect(apply(base, records).topicByName('a')?.partitions).toHaveLength(5);
  });

  it('count equal or lower: INVALID_PARTITIONS; unknown topic: UNKNOWN_TOPIC_OR_PARTITION; name twice: INVALID_REQUEST', () => {
    const { response, records } = run(base, [
      { name: 'a', count: 2, assignments: null },
      { name: 'b', count: 0, assignments: null },
      { name: 'zz', count: 4, assignments: null },
    ]);
    expect(response.results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_PARTITIONS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(records).toEqual([]);
    const dup = run(base, [{ name: 'a', count: 3, assignments: null }, { name: 'a', count: 4, assignments: null }]);
    expect(dup.response.results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('explicit assignments are used; wrong count, wrong length, unknown or repeated broker: INVALID_REPLICA_ASSIGNMENT', () => {
    const ok = run(base, [{ name: 'a', count: 3, assignments: [{ brokerIds: [3, 1] }] }]);
    expect(ok.response.results[0]?.errorCode).toBe(0);
    expect((ok.records[0] as PartitionRecord).replicas).toEqual([3, 1]);
    for (const assignments of [[], [{ brokerIds: [1] }], [{ brokerIds: [1, 9] }], [{ brokerIds: [2, 2] }], [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }]]) {
      expect(run(base, [{ name: 'a', count: 3, assignments }]).response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    }
  });

  it('explicit assignment of only fenced brokers: INVALID_REPLICA_ASSIGNMENT', () => {
    const img = apply(base, [broker({ id: 4, fenced: true }), broker({ id: 5, shutdown: true })]);
    expect(run(img, [{ name: 'a', count: 3, assignments: [{ brokerIds: [4, 5] }] }]).response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });

  it('too few usable brokers for the replication factor: INVALID_REPLICATION_FACTOR', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2, fenced: true }), ...topic('a', [{ replicas: [1, 2] }])]);
    expect(run(img, [{ name: 'a', count: 2, assignments: null }]).response.results[0]?.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });

  it('validateOnly: same answers, no records', () => {
    const { records, response } = run(base, [{ name: 'a', count: 4, assignments: null }], true);
    expect(records).toEqual([]);
    expect(response.results[0]?.errorCode).toBe(0);
  });

  it('record bound: POLICY_VIOLATION for the topic that would cross it', () => {
    const { records, response } = run(base, [{ name: 'a', count: 4, assignments: null }, { name: 'b', count: 3, assignments: null }], false, 3);
    expect(response.results.map((r) => r.errorCode)).toEqual([0, ErrorCode.POLICY_VIOLATION]);
    expect(records).toHaveLength(2);
  });
});
