// OffsetDelete on the controller (quorum/controller/configs/offsets.ts deleteOffsets), and the
// consumer subscription it reads from stored membership (metadata-log/consumer-subscription.ts).
import { consumerSubscription } from '../support/consumer-subscription.js';
import { describe, expect, it } from 'vitest';
import { consumerSubscriptionTopics } from '../../metadata-log/consumer-subscription.js';
import { coordinatorOf } from '../../metadata-log/group-ownership.js';
import type { GroupMemberMetadata } from '../../metadata-log/records/types.js';
import { storeGroup } from '../../quorum/controller/configs/group-membership.js';
import { commitOffsets, deleteOffsets, type DeleteOffsetsRequest } from '../../quorum/controller/configs/offsets.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { brokerRecord, mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';


describe('consumerSubscriptionTopics', () => {
  it('reads the topics of any version (the V0 prefix), whatever follows them', () => {
    expect(consumerSubscriptionTopics(consumerSubscription(['orders', 'événements'], 0))).toEqual(['orders', 'événements']);
    expect(consumerSubscriptionTopics(consumerSubscription(['a'], 3, [0, 0, 0, 0, 1, 2, 3]))).toEqual(['a']);
    expect(consumerSubscriptionTopics(consumerSubscription([], 1))).toEqual([]);
    // A view into a larger buffer is read at its own offset.
    const framed = Buffer.concat([Buffer.from([9, 9, 9]), consumerSubscription(['x'], 0)]);
    expect(consumerSubscriptionTopics(framed.subarray(3))).toEqual(['x']);
  });

  it('is null for what is not a subscription: a negative version, a cut or lying length, a null topic', () => {
    expect(consumerSubscriptionTopics(consumerSubscription(['a'], -1))).toBeNull();
    expect(consumerSubscriptionTopics(Buffer.from([0]))).toBeNull();
    const whole = consumerSubscription(['orders'], 0, []);
    expect(consumerSubscriptionTopics(whole.subarray(0, whole.length - 1))).toBeNull();
    expect(consumerSubscriptionTopics(Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 1, 0x61]))).toBeNull();
    expect(consumerSubscriptionTopics(Buffer.from([0, 0, 0, 0, 0, 1, 0xff, 0xff]))).toBeNull();
    expect(consumerSubscriptionTopics(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
  });
});

const member = (memberId: string, sub: Uint8Array): GroupMemberMetadata => ({
  memberId,
  groupInstanceId: null,
  clientId: 'app',
  clientHost: '/127.0.0.1',
  rebalanceTimeoutMs: 60_000,
  sessionTimeoutMs: 10_000,
  subscription: sub,
  assignment: Buffer.alloc(0),
});

/** Brokers 1 and 2; topics orders (3 partitions) and events (2); group g1 (coordinated by broker 1) holding orders-0, orders-1, events-0. */
function cluster() {
  const h = new OpHarness([mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), ...topicRecords('orders', 1, 3), ...topicRecords('events', 2, 2)]);
  const ownedBy = (b: number) => Array.from({ length: 1000 }, (_, i) => `g${i}`).find((g) => coordinatorOf([1, 2], g) === b)!;
  const g1 = ownedBy(1);
  const claim1 = { brokerId: 1, brokerEpoch: 10 };
  const at = (partitionIndex: number) => ({ partitionIndex, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null });
  h.apply(commitOffsets(h.ctx(), { groupId: g1, topics: [{ name: 'orders', partitions: [at(0), at(1)] }, { name: 'events', partitions: [at(0)] }] }));
  const store = (protocolType: string, ...subs: Uint8Array[]) =>
    h.apply(storeGroup(h.ctx(), { coordinator: claim1, groupId: g1, group: { protocolType, generationId: 2, protocolName: 'range', leaderId: 'm0', members: subs.map((s, i) => member(`m${i}`, s)) } }));
  const held = () => [...(h.image.groupOffsets(g1)?.keys() ?? [])].length;
  return { h, g1, claim1, claim2: { brokerId: 2, brokerEpoch: 11 }, store, held };
}

const codes = (r: ReturnType<typeof deleteOffsets>) => r.response.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)]);

describe('deleteOffsets', () => {
  it('tombstones each named offset the group holds (once, however often named); other named partitions are NONE, missing ones UNKNOWN_TOPIC_OR_PARTITION', () => {
    const { h, g1, held } = cluster();
    const r = deleteOffsets(h.ctx(), { groupId: g1, topics: [{ name: 'orders', partitionIndexes: [0, 2, 0, 3] }, { name: 'nope', partitionIndexes: [0] }] });
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    expect(codes(r)).toEqual([
      ['orders', [0, 0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
      ['nope', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
    expect(r.records).toEqual([{ type: 'OffsetCommitTombstone', groupId: g1, topic: 'orders', partition: 0 }]);
    h.apply(r);
    expect(held()).toBe(2);
    expect(h.image.committedOffset(g1, 'orders', 1)?.offset).toBe(5);
  });

  it('answers group-level errors at the top, with no partitions: empty id, unknown group, malformed topics, a claim from another broker', () => {
    const { h, g1, claim2, held } = cluster();
    const top = (request: DeleteOffsetsRequest) => {
      const r = deleteOffsets(h.ctx(), request);
      expect(r.records).toEqual([]);
      expect(r.response.topics).toEqual([]);
      return r.response.errorCode;
    };
    const topics = [{ name: 'orders', partitionIndexes: [0] }];
    expect(top({ groupId: '', topics })).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(top({ groupId: 'other', topics })).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(top({ groupId: g1, topics: 'x' as never })).toBe(ErrorCode.INVALID_REQUEST);
    expect(top({ groupId: g1, topics: [{ name: 'orders' }] as never })).toBe(ErrorCode.INVALID_REQUEST);
    expect(top({ groupId: g1, topics, coordinator: claim2 })).toBe(ErrorCode.NOT_COORDINATOR);
    expect(held()).toBe(3);
  });

  it('a group its coordinator knows (groupExists) is not GROUP_ID_NOT_FOUND even when the log holds nothing of it', () => {
    const { h } = cluster();
    const groupId = Array.from({ length: 1000 }, (_, i) => `fresh${i}`).find((g) => coordinatorOf([1, 2], g) === 2)!;
    const r = deleteOffsets(h.ctx(), { groupId, topics: [{ name: 'events', partitionIndexes: [1] }], coordinator: { brokerId: 2, brokerEpoch: 11 }, groupExists: true });
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    expect(codes(r)).toEqual([['events', [0]]]);
    expect(r.records).toEqual([]);
  });

  it("an admin's request (no claim) is judged on the stored membership: subscribed topics are refused, the others deleted", () => {
    const { h, g1, store, held } = cluster();
    store('consumer', consumerSubscription(['orders'], 0), consumerSubscription(['orders'], 1));
    const r = deleteOffsets(h.ctx(), { groupId: g1, topics: [{ name: 'orders', partitionIndexes: [0, 1] }, { name: 'events', partitionIndexes: [0] }] });
    expect(codes(r)).toEqual([
      ['orders', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
      ['events', [0]],
    ]);
    h.apply(r);
    expect(held()).toBe(2);
    expect(h.image.committedOffset(g1, 'events', 0)).toBeUndefined();
  });

  it('a stored subscription that cannot be read protects every topic; a stored group of another protocol type is NON_EMPTY_GROUP', () => {
    const a = cluster();
    a.store('consumer', consumerSubscription(['orders'], 0), Buffer.from([1]));
    expect(codes(deleteOffsets(a.h.ctx(), { groupId: a.g1, topics: [{ name: 'events', partitionIndexes: [0] }] }))).toEqual([['events', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]]]);
    const b = cluster();
    b.store('connect', Buffer.from([1]));
    const r = deleteOffsets(b.h.ctx(), { groupId: b.g1, topics: [{ name: 'events', partitionIndexes: [0] }] });
    expect(r.response.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
    expect(r.records).toEqual([]);
  });

  it("a coordinator's forward is not judged on the stored membership (the coordinator judged it on newer state)", () => {
    const { h, g1, claim1, store } = cluster();
    store('consumer', consumerSubscription(['orders'], 0));
    const r = deleteOffsets(h.ctx(), { groupId: g1, topics: [{ name: 'orders', partitionIndexes: [0] }], coordinator: claim1, judgedAtGeneration: 2 });
    expect(codes(r)).toEqual([['orders', [0]]]);
    expect(r.records).toEqual([{ type: 'OffsetCommitTombstone', groupId: g1, topic: 'orders', partition: 0 }]);
  });

  it('unless a membership was stored at a newer generation than the one judged (a rebalance completed meanwhile): then it is judged on that', () => {
    const { h, g1, claim1, store } = cluster();
    store('consumer', consumerSubscription(['orders'], 0)); // generation 2
    for (const judgedAtGeneration of [1, -1]) {
      const r = deleteOffsets(h.ctx(), { groupId: g1, topics: [{ name: 'orders', partitionIndexes: [0] }], coordinator: claim1, judgedAtGeneration });
      expect(codes(r)).toEqual([['orders', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]]]);
      expect(r.records).toEqual([]);
    }
  });
});
