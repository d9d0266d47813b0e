import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import {
  coalesceOffsetCommits,
  commitOffsets,
  deleteGroups,
  expireOffsets,
  fetchOffsets,
  fetchOffsetsOp,
  utf8ByteLength,
  type OffsetCommitRequestPartition,
} from '../../quorum/controller/configs/offsets.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord, OpHarness, topicIdOf, topicRecords } from './controller-configs-fixture.js';
import { coordinatorOf } from '../../metadata-log/group-ownership.js';

function harness(overrides: ConstructorParameters<typeof OpHarness>[1] = {}, level?: number): OpHarness {
  return new OpHarness([mvRecord(level), ...topicRecords('orders', 1, 3), ...topicRecords('events', 2, 1)], overrides);
}

const part = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null): OffsetCommitRequestPartition => ({
  partitionIndex,
  committedOffset,
  committedLeaderEpoch: -1,
  committedMetadata,
});

function commit(h: OpHarness, groupId: string, topics: { name: string; partitions: OffsetCommitRequestPartition[] }[]) {
  const r = commitOffsets(h.ctx(), { groupId, topics });
  return { r, codes: r.response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)) };
}

describe('OffsetCommit', () => {
  it('(accepted) one OffsetCommit record per partition, stamped with nowMs; OffsetFetch then returns it', () => {
    const h = harness();
    const { r, codes } = commit(h, 'g1', [{ name: 'orders', partitions: [part(0, 42, 'meta'), { ...part(2, 7), committedLeaderEpoch: 3 }] }]);
    expect(codes).toEqual([0, 0]);
    expect(r.records).toEqual([
      { type: 'OffsetCommit', groupId: 'g1', topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: 'meta', commitTimestampMs: h.nowMs },
      { type: 'OffsetCommit', groupId: 'g1', topic: 'orders', partition: 2, offset: 7, leaderEpoch: 3, metadata: null, commitTimestampMs: h.nowMs },
    ]);
    h.apply(r);
    const f = fetchOffsets(h.image, { groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }] });
    expect(f).toEqual({
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, metadata: 'meta', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 2, committedOffset: 7, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
  });

  it('(empty group id) INVALID_GROUP_ID for every partition, no records', () => {
    const { r, codes } = commit(harness(), '', [{ name: 'orders', partitions: [part(0, 1), part(1, 1)] }]);
    expect(codes).toEqual([ErrorCode.INVALID_GROUP_ID, ErrorCode.INVALID_GROUP_ID]);
    expect(r.records).toEqual([]);
  });

  it('(unknown topic or partition) UNKNOWN_TOPIC_OR_PARTITION for those; the rest commit', () => {
    const { r, codes } = commit(harness(), 'g', [
      { name: 'nope', partitions: [part(0, 1)] },
      { name: 'orders', partitions: [part(3, 1), part(-1, 1), part(1, 5)] },
    ]);
    expect(codes).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE]);
    expect(r.records).toHaveLength(1);
  });

  it('(metadata too large, counted in UTF-8 bytes) OFFSET_METADATA_TOO_LARGE; exactly the bound is fine', () => {
    const h = harness({ offsetMetadataMaxBytes: 10 });
    const { r, codes } = commit(h, 'g', [
      { name: 'orders', partitions: [part(0, 1, 'x'.repeat(10)), part(1, 1, 'x'.repeat(11)), part(2, 1, 'é'.repeat(6))] },
    ]);
    // 'é' x 6 is 6 UTF-16 units but 12 UTF-8 bytes
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
    expect(r.records).toHaveLength(1);
    expect(utf8ByteLength('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8ByteLength('\ud800')).toBe(3); // a lone surrogate is written as U+FFFD
  });

  it('(offsets) -1 and -2 (resetOffsets latest/earliest) are stored; a non-integer or an unsafe integer is INVALID_REQUEST', () => {
    const h = harness();
    const { r, codes } = commit(h, 'g', [
      { name: 'orders', partitions: [part(0, -1), part(1, -2), part(2, 1.5)] },
      { name: 'events', partitions: [part(0, Number.MIN_SAFE_INTEGER - 2)] },
    ]);
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    h.apply(r); // the fixture round-trips every record through the codec
    expect(h.image.committedOffset('g', 'orders', 1)?.offset).toBe(-2);
    const bad = commit(h, 'g', [{ name: 'events', partitions: [{ ...part(0, 1), committedLeaderEpoch: -2 }] }]);
    expect(bad.codes).toEqual([ErrorCode.INVALID_REQUEST]);
  });

  it('(not a string) metadata that is not a string, or holds a lone surrogate, is INVALID_REQUEST for its partition, and no record carries it (it failed the whole linger window at encoding)', () => {
    const bad = (committedMetadata: unknown) => ({ ...part(1, 1), committedMetadata: committedMetadata as string });
    const { r, codes } = commit(harness(), 'g', [{ name: 'orders', partitions: [bad(5), bad('\uD800'), part(2, 1)] }]);
    expect(codes).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    expect(r.records).toHaveLength(1);
    const group = commitOffsets(harness().ctx(), { groupId: 7 as unknown as string, topics: [{ name: 'orders', partitions: [part(0, 1)] }] });
    expect(group.response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(group.records).toEqual([]);
  });

  it('(timestamp) stamped with wall-clock ms: the clock reading plus wallClockOriginMs (a monotonic reading differs per controller)', () => {
    const origin = 1_763_000_000_000;
    const h = harness({ wallClockOriginMs: origin });
    const { r } = commit(h, 'g1', [{ name: 'orders', partitions: [part(0, 42)] }]);
    expect(r.records).toMatchObject([{ type: 'OffsetCommit', commitTimestampMs: Math.floor(origin + h.nowMs) }]);
  });

  it('(metadata.version 1) UNSUPPORTED_VERSION: offsets need level 2', () => {
    const { r, codes } = commit(harness({}, 1), 'g', [{ name: 'orders', partitions: [part(0, 1)] }]);
    expect(codes).toEqual([ErrorCode.UNSUPPORTED_VERSION]);
    expect(r.records).toEqual([]);
  });

  it('(bound) more accepted partitions than maxRecordsPerOperation: the whole commit is INVALID_COMMIT_OFFSET_SIZE (Kafka\'s code), nothing written; partitions refused for their own reason keep it', () => {
    const { r, codes } = commit(harness({ maxRecordsPerOperation: 2 }), 'g', [{ name: 'orders', partitions: [part(0, 1), part(1, 1), part(2, 1)] }, { name: 'nope', partitions: [part(0, 1)] }]);
    expect(codes).toEqual([ErrorCode.INVALID_COMMIT_OFFSET_SIZE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(r.records).toEqual([]);
    const atBound = commit(harness({ maxRecordsPerOperation: 2 }), 'g', [{ name: 'orders', partitions: [part(0, 1), part(1, 1)] }]);
    expect(atBound.codes).toEqual([0, 0]);
    expect(atBound.r.records).toHaveLength(2);
  });
});

describe('OffsetFetch', () => {
  function withOffsets(): OpHarness {
    const h = harness();
    h.apply(commitOffsets(h.ctx(), { groupId: 'g', topics: [{ name: 'orders', partitions: [part(2, 20), part(0, 10)] }, { name: 'events', partitions: [part(0, 5)] }] }));
    return h;
  }

  it('(topics null) every offset the group holds, topics by name, partitions ascending', () => {
    const h = withOffsets();
    const f = fetchOffsets(h.image, { groupId: 'g', topics: null });
    expect(f.errorCode).toBe(0);
    expect(f.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      ['events', [[0, 5]]],
      ['orders', [[0, 10], [2, 20]]],
    ]);
  });

  it('(unknown group) topics null: no topics; named partitions: -1 with metadata "" and NONE', () => {
    const h = withOffsets();
    expect(fetchOffsets(h.image, { groupId: 'other', topics: null })).toEqual({ errorCode: 0, errorMessage: null, topics: [] });
    const f = fetchOffsets(h.image, { groupId: 'other', topics: [{ name: 'nope', partitionIndexes: [0] }] });
    expect(f.topics[0]?.partitions[0]).toEqual({ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 });
  });

  it('(empty group id) top-level INVALID_GROUP_ID', () => {
    expect(fetchOffsets(withOffsets().image, { groupId: '', topics: null }).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it("(deleted topic) its offsets are no longer shown", () => {
    const h = withOffsets();
    h.append([{ type: 'RemoveTopic', topicId: topicIdOf(2) }]);
    const f = fetchOffsets(h.image, { groupId: 'g', topics: null });
    expect(f.topics.map((t) => t.name)).toEqual(['orders']);
    expect(fetchOffsets(h.image, { groupId: 'g', topics: [{ name: 'events', partitionIndexes: [0] }] }).topics[0]?.partitions[0]?.committedOffset).toBe(-1);
  });

  it('(on the controller) a read: no records', () => {
    const h = withOffsets();
    expect(fetchOffsetsOp(h.ctx(), { groupId: 'g', topics: null }).records).toEqual([]);
  });
});

describe('DeleteGroups', () => {
  it('(group with offsets) one tombstone per offset in (topic, partition) order; the group is gone after', () => {
    const h = harness();
    h.apply(commitOffsets(h.ctx(), { groupId: 'g', topics: [{ name: 'orders', partitions: [part(2, 1), part(0, 1)] }, { name: 'events', partitions: [part(0, 1)] }] }));
    const r = deleteGroups(h.ctx(), { groupIds: ['g'] });
    expect(r.response.results).toEqual([{ groupId: 'g', errorCode: 0, errorMessage: null }]);
    expect(r.records).toEqual([
      { type: 'OffsetCommitTombstone', groupId: 'g', topic: 'events', partition: 0 },
      { type: 'OffsetCommitTombstone', groupId: 'g', topic: 'orders', partition: 0 },
      { type: 'OffsetCommitTombstone', groupId: 'g', topic: 'orders', partition: 2 },
    ]);
    h.apply(r);
    expect(h.image.groupOffsets('g')).toBeUndefined();
    expect([...h.image.groupIds()]).not.toContain('g');
    expect(deleteGroups(h.ctx(), { groupIds: ['g'] }).response.results[0]?.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('(unknown group) GROUP_ID_NOT_FOUND; (empty id) INVALID_GROUP_ID; a repeated id is handled once', () => {
    const h = harness();
    h.apply(commitOffsets(h.ctx(), { groupId: 'g', topics: [{ name: 'orders', partitions: [part(0, 1)] }] }));
    const r = deleteGroups(h.ctx(), { groupIds: ['nope', '', 'g', 'g'] });
    expect(r.response.results.map((x) => [x.groupId, x.errorCode])).toEqual([
      ['nope', ErrorCode.GROUP_ID_NOT_FOUND],
      ['', ErrorCode.INVALID_GROUP_ID],
      ['g', ErrorCode.NONE],
      ['g', ErrorCode.NONE],
    ]);
    expect(r.records).toHaveLength(1);
  });

  it('(stale offsets of a deleted topic) are tombstoned too', () => {
    const h = harness();
    h.apply(commitOffsets(h.ctx(), { groupId: 'g', topics: [{ name: 'events', partitions: [part(0, 1)] }] }));
    h.append([{ type: 'RemoveTopic', topicId: topicIdOf(2) }]);
    const r = deleteGroups(h.ctx(), { groupIds: ['g'] });
    expect(r.response.results[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(r.records).toHaveLength(1);
  });

  it('(no bound) groups holding more offsets than maxRecordsPerOperation are deleted whole in one request (the controller writes the tombstones as a transaction)', () => {
    const h = harness({ maxRecordsPerOperation: 2 });
    h.apply(commitOffsets(h.ctx(), { groupId: 'a', topics: [{ name: 'events', partitions: [part(0, 1)] }] }));
    h.apply(commitOffsets(h.ctx(), { groupId: 'b', topics: [{ name: 'orders', partitions: [part(0, 1), part(1, 1)] }] }));
    h.apply(commitOffsets(h.ctx(), { groupId: 'c', topics: [{ name: 'orders', partitions: [part(0, 1)] }] }));
    const r = deleteGroups(h.ctx(), { groupIds: ['a', 'b', 'c'] });
    expect(r.response.results.map((x) => x.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
    expect(r.records).toHaveLength(4);
    h.apply(r);
    expect([...h.image.groupIds()]).toEqual([]);
  });
});

describe("a broker's claim to coordinate the group (OffsetCommit and DeleteGroups forwarded by a broker)", () => {
  /** Brokers 1-3 (epochs 10-12), broker 3 fenced; a group broker 1 coordinates and one broker 2 does. */
  function claims() {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), brokerRecord(3, 12, { fenced: true }), ...topicRecords('orders', 1, 3)]);
    const ownedBy = (b: number) => Array.from({ length: 1000 }, (_, i) => `g${i}`).find((g) => coordinatorOf([1, 2], g) === b)!;
    return { h, g1: ownedBy(1), g2: ownedBy(2) };
  }
  const offsets = [{ name: 'orders', partitions: [part(0, 5), part(1, 6)] }];

  it('the coordinator (registered with that epoch, live) is accepted', () => {
    const { h, g1 } = claims();
    const r = commitOffsets(h.ctx(), { groupId: g1, topics: offsets, coordinator: { brokerId: 1, brokerEpoch: 10 } });
    expect(r.response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    expect(r.records).toHaveLength(2);
  });

  it.each([
    ['another live broker', { brokerId: 2, brokerEpoch: 11 }, /coordinated by broker 1, not by broker 2\.$/],
    ['the coordinator with an older epoch', { brokerId: 1, brokerEpoch: 9 }, /Broker 1 is not registered with epoch 9/],
    ['an unregistered broker', { brokerId: 7, brokerEpoch: 1 }, /Broker 7 is not registered with epoch 1/],
  ])('%s: NOT_COORDINATOR for every partition, nothing written', (_what, coordinator, message) => {
    const { h, g1 } = claims();
    const r = commitOffsets(h.ctx(), { groupId: g1, topics: offsets, coordinator });
    expect(r.records).toEqual([]);
    for (const p of r.response.topics[0]!.partitions) {
      expect(p.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(p.errorMessage).toMatch(message);
    }
  });

  it('a fenced broker is told so (the group went to a live broker)', () => {
    const { h } = claims();
    const groupOf3 = Array.from({ length: 1000 }, (_, i) => `g${i}`).find((g) => coordinatorOf([1, 2, 3], g) === 3)!;
    const r = commitOffsets(h.ctx(), { groupId: groupOf3, topics: offsets, coordinator: { brokerId: 3, brokerEpoch: 12 } });
    expect(r.response.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: expect.stringMatching(/not by broker 3 \(it is fenced\)/) });
  });

  it('no claim (an admin tool writing to the controller): not checked', () => {
    const { h, g2 } = claims();
    expect(commitOffsets(h.ctx(), { groupId: g2, topics: offsets }).records).toHaveLength(2);
  });

  it('DeleteGroups: each group is checked against the claim; refused ones keep their offsets', () => {
    const { h, g1, g2 } = claims();
    h.apply(commitOffsets(h.ctx(), { groupId: g1, topics: offsets }));
    h.apply(commitOffsets(h.ctx(), { groupId: g2, topics: offsets }));
    const r = deleteGroups(h.ctx(), { groupIds: [g1, g2], coordinator: { brokerId: 2, brokerEpoch: 11 } });
    expect(r.response.results.map((x) => x.errorCode)).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NONE]);
    expect(r.records.every((rec) => rec.type === 'OffsetCommitTombstone' && rec.groupId === g2)).toBe(true);
    h.apply(r);
    expect(h.image.committedOffset(g1, 'orders', 0)?.offset).toBe(5);
    expect(h.image.committedOffset(g2, 'orders', 0)).toBeUndefined();
  });
});

describe('ExpireOffsets (from the coordinating broker, broker/offset-expirer.ts)', () => {
  /** Brokers 1 and 2 live (epochs 10, 11); a group broker 1 coordinates, with offsets on orders-0 and orders-1 committed at h.nowMs. */
  function expiring(overrides: ConstructorParameters<typeof OpHarness>[1] = {}) {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), ...topicRecords('orders', 1, 3)], overrides);
    const g = Array.from({ length: 1000 }, (_, i) => `g${i}`).find((x) => coordinatorOf([1, 2], x) === 1)!;
    for (const p of [part(0, 5), part(1, 6)]) h.apply(commitOffsets(h.ctx(), { groupId: g, topics: [{ name: 'orders', partitions: [p] }] }));
    const seenAt = h.image.committedOffset(g, 'orders', 0)!.commitTimestampMs;
    return { h, g, seenAt, claim: { brokerId: 1, brokerEpoch: 10 } };
  }

  it('tombstones the offsets named with the timestamp the image holds; one committed again since stays', () => {
    const { h, g, seenAt, claim } = expiring();
    h.nowMs += 60_000;
    h.apply(commitOffsets(h.ctx(), { groupId: g, topics: [{ name: 'orders', partitions: [part(1, 7)] }] })); // recommitted after the sweep looked
    const r = expireOffsets(h.ctx(), {
      coordinator: claim,
      retentionMs: 1,
      groups: [{ groupId: g, offsets: [{ topic: 'orders', partition: 0, commitTimestampMs: seenAt }, { topic: 'orders', partition: 1, commitTimestampMs: seenAt }, { topic: 'orders', partition: 0, commitTimestampMs: seenAt }] }],
    });
    expect(r.response.results).toEqual([{ groupId: g, errorCode: ErrorCode.NONE, errorMessage: null, expired: 1 }]);
    expect(r.records).toEqual([{ type: 'OffsetCommitTombstone', groupId: g, topic: 'orders', partition: 0 }]);
    h.apply(r);
    expect(h.image.committedOffset(g, 'orders', 0)).toBeUndefined();
    expect(h.image.committedOffset(g, 'orders', 1)?.offset).toBe(7);
    // Named again: already gone, nothing written.
    expect(expireOffsets(h.ctx(), { coordinator: claim, retentionMs: 1, groups: [{ groupId: g, offsets: [{ topic: 'orders', partition: 0, commitTimestampMs: seenAt }] }] }).records).toEqual([]);
  });

  it('only the coordinator, and only with a claim: another broker gets NOT_COORDINATOR, no claim INVALID_REQUEST; nothing written', () => {
    const { h, g, seenAt } = expiring();
    const offsets = [{ topic: 'orders', partition: 0, commitTimestampMs: seenAt }];
    const other = expireOffsets(h.ctx(), { coordinator: { brokerId: 2, brokerEpoch: 11 }, retentionMs: 1, groups: [{ groupId: g, offsets }] });
    expect(other.records).toEqual([]);
    expect(other.response.results[0]).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, expired: 0 });
    const stale = expireOffsets(h.ctx(), { coordinator: { brokerId: 1, brokerEpoch: 9 }, retentionMs: 1, groups: [{ groupId: g, offsets }] });
    expect(stale.response.results[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const unclaimed = expireOffsets(h.ctx(), { retentionMs: 1, groups: [{ groupId: g, offsets }] } as never);
    expect(unclaimed.records).toEqual([]);
    expect(unclaimed.response.results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('more offsets than maxRecordsPerOperation in one request: refused whole, nothing written', () => {
    const { h, g, seenAt, claim } = expiring({ maxRecordsPerOperation: 1 });
    const r = expireOffsets(h.ctx(), { coordinator: claim, retentionMs: 1, groups: [{ groupId: g, offsets: [0, 1].map((partition) => ({ topic: 'orders', partition, commitTimestampMs: seenAt })) }] });
    expect(r.records).toEqual([]);
    expect(r.response.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/2 offsets .* at most 1/) });
  });
});

describe('coalesceOffsetCommits', () => {
  const c = (groupId: string, topic: string, partition: number, offset: number): MetadataRecord => ({
    type: 'OffsetCommit',
    groupId,
    topic,
    partition,
    offset,
    leaderEpoch: -1,
    metadata: null,
    commitTimestampMs: offset,
  });
  const t = (groupId: string, topic: string, partition: number): MetadataRecord => ({ type: 'OffsetCommitTombstone', groupId, topic, partition });

  it('keeps only the last record per (group, topic, partition), in input order; other records stay', () => {
    const input: MetadataRecord[] = [
      c('g', 'a', 0, 1),
      c('g', 'a', 1, 1),
      { type: 'NoOp' },
      c('g', 'a', 0, 2),
      c('h', 'a', 0, 9),
      c('g', 'a', 1, 2),
      c('g', 'a', 0, 3),
    ];
    expect(coalesceOffsetCommits(input)).toEqual([{ type: 'NoOp' }, c('h', 'a', 0, 9), c('g', 'a', 1, 2), c('g', 'a', 0, 3)]);
  });

  it('a tombstone after a commit removes the commit; a commit after a tombstone removes the tombstone', () => {
    expect(coalesceOffsetCommits([c('g', 'a', 0, 1), t('g', 'a', 0)])).toEqual([t('g', 'a', 0)]);
    expect(coalesceOffsetCommits([t('g', 'a', 0), c('g', 'a', 0, 1)])).toEqual([c('g', 'a', 0, 1)]);
  });

  it('does not confuse keys that a naive join would: group "a\\u0000b" vs topic', () => {
    const x = c('a\u0000b', 'c', 0, 1);
    const y = c('a', 'b\u0000c', 0, 2);
    expect(coalesceOffsetCommits([x, y])).toEqual([x, y]);
  });

  it('(property) the result is a subsequence with one record per key, and replays to the same offsets', () => {
    const groups = ['g1', 'g2', 'g3'];
    const topics = ['a', 'b'];
    const recordArb: fc.Arbitrary<MetadataRecord> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ g: fc.constantFrom(...groups), tp: fc.constantFrom(...topics), p: fc.integer({ min: 0, max: 3 }), o: fc.nat(1_000_000) }).map((r) => c(r.g, r.tp, r.p, r.o)) },
      { weight: 2, arbitrary: fc.record({ g: fc.constantFrom(...groups), tp: fc.constantFrom(...topics), p: fc.integer({ min: 0, max: 3 }) }).map((r) => t(r.g, r.tp, r.p)) },
      { weight: 1, arbitrary: fc.constant<MetadataRecord>({ type: 'NoOp' }) },
    );
    const snapshot = (image: MetadataImageView) =>
      [...image.groupIds()].sort().map((g) => [g, [...(image.groupOffsets(g) ?? new Map()).entries()].sort(([k1], [k2]) => (k1 < k2 ? -1 : 1))]);
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 300 }), (records) => {
        const out = coalesceOffsetCommits(records);
        // subsequence of the input (same objects, same order)
        let i = 0;
        for (const r of out) {
          while (i < records.length && records[i] !== r) i++;
          expect(i).toBeLessThan(records.length);
          i++;
        }
        const keys = out.flatMap((r) => (r.type === 'OffsetCommit' || r.type === 'OffsetCommitTombstone' ? [JSON.stringify([r.groupId, r.topic, r.partition])] : []));
        expect(new Set(keys).size).toBe(keys.length);
        expect(out.filter((r) => r.type === 'NoOp')).toHaveLength(records.filter((r) => r.type === 'NoOp').length);
        expect(snapshot(imageOf(out))).toEqual(snapshot(imageOf(records)));
      }),
      { numRuns: 200 },
    );
  });
});
