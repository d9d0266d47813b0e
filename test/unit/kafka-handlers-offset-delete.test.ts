// OffsetDelete (api 47) at the coordinator (broker/kafka/handlers/offset-delete.ts): the group's
// state as this broker's GroupCoordinator holds it decides which offsets may go (Kafka's
// GroupCoordinator.handleDeleteOffsets), the controller tombstones them.

import { consumerSubscription } from '../support/consumer-subscription.js';
import { describe, expect, it } from 'vitest';
import { handleOffsetDelete } from '../../broker/kafka/handlers/offset-delete.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { groupOwnedBy, oneLiveBroker, overTheWire, testbed } from './kafka-handlers-fixture.js';

function offset(groupId: string, topic: string, partition: number): MetadataRecord {
  return { type: 'OffsetCommit', groupId, topic, partition, offset: 9, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 };
}


const join = (groupId: string, protocolType: string, metadata: Uint8Array) => ({
  groupId,
  memberId: '',
  groupInstanceId: null,
  clientId: 'app',
  clientHost: '/127.0.0.1',
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  protocolType,
  protocols: [{ name: 'range', metadata }],
  requireKnownMemberId: false,
});

const held = (t: ReturnType<typeof testbed>, groupId: string) => [...(t.harness.image.groupOffsets(groupId)?.keys() ?? [])].sort();

describe('OffsetDelete', () => {
  it('an empty group: every named offset goes; missing partitions are UNKNOWN_TOPIC_OR_PARTITION, decided here and not forwarded', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), offset('g1', 't1', 1), offset('g1', 't2', 0)] });
    const r = await overTheWire('OffsetDelete', 0, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 7, 2] }, { name: 'nope', partitionIndexes: [0] }] }, handleOffsetDelete, t.ctx);
    expect(r).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        { name: 't1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }, { partitionIndex: 2, errorCode: 0 }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });
    expect(t.controller.calls).toEqual([
      { method: 'deleteOffsets', request: { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 2] }], coordinator: { brokerId: 1, brokerEpoch: 10 }, groupExists: false, judgedAtGeneration: -1 }, timeoutMs: 3_000, retryAmbiguous: false },
    ]);
    expect(held(t, 'g1')).toEqual(['t1\u00001', 't2\u00000'].sort());
  });

  it('a consumer group with members: partitions of subscribed topics are GROUP_SUBSCRIBED_TO_TOPIC, the others go', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), offset('g1', 't2', 0)] });
    expect((await t.ctx.groups.join(join('g1', 'consumer', consumerSubscription(['t1'])))).errorCode).toBe(ErrorCode.NONE);
    const r = await handleOffsetDelete(t.ctx, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0] }, { name: 't2', partitionIndexes: [0] }] }, 0);
    expect(r.topics).toEqual([
      { name: 't1', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      { name: 't2', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
    ]);
    expect(held(t, 'g1')).toEqual(['t1\u00000']);
  });

  it('a consumer whose subscription cannot be read protects every topic; members of another protocol type: NON_EMPTY_GROUP, nothing forwarded', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't2', 0), offset('g2', 't2', 0)] });
    await t.ctx.groups.join(join('g1', 'consumer', new Uint8Array([1])));
    const r1 = await handleOffsetDelete(t.ctx, { groupId: 'g1', topics: [{ name: 't2', partitionIndexes: [0] }] }, 0);
    expect(r1.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    await t.ctx.groups.join(join('g2', 'connect', consumerSubscription(['t1'])));
    const r2 = await handleOffsetDelete(t.ctx, { groupId: 'g2', topics: [{ name: 't2', partitionIndexes: [0] }] }, 0);
    expect(r2).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, throttleTimeMs: 0, topics: [] });
    expect(held(t, 'g2')).toEqual(['t2\u00000']);
  });

  it('a group nothing knows is GROUP_ID_NOT_FOUND; one with members but no offsets exists (NONE per partition)', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    expect(await handleOffsetDelete(t.ctx, { groupId: 'ghost', topics: [{ name: 't1', partitionIndexes: [0] }] }, 0)).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
    await t.ctx.groups.join(join('fresh', 'consumer', consumerSubscription(['t1'])));
    const r = await handleOffsetDelete(t.ctx, { groupId: 'fresh', topics: [{ name: 't2', partitionIndexes: [0] }] }, 0);
    expect(r).toEqual({ errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't2', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] });
  });

  it('another broker\'s group: NOT_COORDINATOR; an empty id: INVALID_GROUP_ID; neither forwarded', async () => {
    const t = testbed();
    const theirs = groupOwnedBy(t.ctx, 2);
    expect((await handleOffsetDelete(t.ctx, { groupId: theirs, topics: [] }, 0)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await handleOffsetDelete(t.ctx, { groupId: '', topics: [] }, 0)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(t.controller.calls).toEqual([]);
  });

  it('controller unreachable: COORDINATOR_NOT_AVAILABLE at the top; nothing deleted', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0)] });
    t.controller.failure = new RequestTimeoutError('deleteOffsets: no active controller answered');
    expect(await handleOffsetDelete(t.ctx, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0] }] }, 0)).toEqual({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] });
    expect(held(t, 'g1')).toEqual(['t1\u00000']);
  });

  it('a topic named twice is answered twice, each in its place', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), records: [offset('g1', 't1', 0), offset('g1', 't1', 1)] });
    const r = await handleOffsetDelete(t.ctx, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 9] }, { name: 't1', partitionIndexes: [1] }] }, 0);
    expect(r.topics).toEqual([
      { name: 't1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 't1', partitions: [{ partitionIndex: 1, errorCode: 0 }] },
    ]);
    expect(held(t, 'g1')).toEqual([]);
  });
});
