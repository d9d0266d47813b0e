// OffsetCommit and OffsetFetch: requests mapped onto the controller's commitOffsets/fetchOffsets
// (run for real against an OpHarness), per-partition and group-level errors, generations checked
// against the coordinator's membership, only the coordinator answering, fetches that see commits
// the broker's own image has not applied, and a controller that cannot be reached.

import { describe, expect, it } from 'vitest';
import { handleOffsetCommit, handleOffsetFetch } from '../../broker/kafka/handlers/offsets.js';
import type { OffsetCommitRequest } from '../../broker/kafka/protocol/apis/offset-commit.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { commitOffsets } from '../../quorum/controller/configs/offsets.js';
import { coordinatorOf, liveBrokerIds } from '../../metadata-log/group-ownership.js';
import { ConnectionError, RequestTimeoutError } from '../../quorum/net/types.js';
import { AmbiguousOutcomeError } from '../../quorum/server/controller-channel.js';
import { groupOwnedBy, oneLiveBroker, overTheWire, remoteError, testbed } from './kafka-handlers-fixture.js';

/** Partitions as [index, offset, metadata] or [index, offset, metadata, committed leader epoch] (default -1). */
function commit(groupId: string, topics: { name: string; partitions: ([number, bigint, string | null] | [number, bigint, string | null, number])[] }[], gen = -1, member = ''): OffsetCommitRequest {
  return {
    groupId,
    generationId: gen,
    memberId: member,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map(([partitionIndex, committedOffset, committedMetadata, committedLeaderEpoch = -1]) => ({ partitionIndex, committedOffset, committedLeaderEpoch, committedMetadata })) })),
  };
}

describe('OffsetCommit', () => {
  it.each([2, 3, 4, 5])('v%i simple commit (generation -1, no member): forwarded, NONE per partition, fetched back', async (version) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const r = await overTheWire('OffsetCommit', version, commit('g1', [{ name: 't1', partitions: [[0, 42n, 'meta'], [2, 7n, null]] }]), handleOffsetCommit, t.ctx);
    expect(r.topics).toEqual([{ name: 't1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 0 }] }]);
    expect(t.controller.calls).toEqual([
      {
        method: 'commitOffsets',
        request: {
          groupId: 'g1',
          topics: [{ name: 't1', partitions: [
            { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'meta' },
            { partitionIndex: 2, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null },
          ] }],
          coordinator: { brokerId: 1, brokerEpoch: 10 },
        },
        timeoutMs: 3_000,
        retryAmbiguous: false,
      },
    ]);
    expect(t.harness.image.committedOffset('g1', 't1', 0)?.offset).toBe(42);
    expect(t.harness.image.committedOffset('g1', 't1', 2)?.metadata).toBeNull();
  });

  it('a member commit is checked against the group: unknown generation → ILLEGAL_GENERATION on every partition; the current one is accepted', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const stale = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 5n, ''], [2, 5n, '']] }], 3, 'kafkajs-0c1d'), 5);
    expect(stale.topics[0]?.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.ILLEGAL_GENERATION, ErrorCode.ILLEGAL_GENERATION]);
    expect(t.controller.calls).toEqual([]);

    const joined = await t.ctx.groups.join({
      groupId: 'g1', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/h', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }], requireKnownMemberId: false,
    });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    // Joined but not synced yet (CompletingRebalance): Kafka refuses member commits until the assignment is out.
    const early = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 5n, '']] }], joined.generationId, joined.memberId), 5);
    expect(early.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await t.ctx.groups.sync({ groupId: 'g1', generationId: joined.generationId, memberId: joined.memberId, assignments: [] });
    const wrongMember = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 5n, '']] }], joined.generationId, 'someone-else'), 5);
    expect(wrongMember.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const wrongGeneration = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 5n, '']] }], joined.generationId + 1, joined.memberId), 5);
    expect(wrongGeneration.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 5n, '']] }], joined.generationId, joined.memberId), 5);
    expect(r.topics[0]?.partitions).toEqual([{ partitionIndex: 1, errorCode: ErrorCode.NONE }]);
    expect(t.harness.image.committedOffset('g1', 't1', 1)?.offset).toBe(5);
    // A simple commit (-1, no member) while the group has members: UNKNOWN_MEMBER_ID (Kafka's order of checks).
    const simple = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[1, 6n, '']] }]), 5);
    expect(simple.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('v6/v7: the leader epoch is committed as sent (negative as -1); a v7 commit from a fenced static incarnation is FENCED_INSTANCE_ID, nothing forwarded', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const join = (groupInstanceId: string) => t.ctx.groups.join({
      groupId: 'g1', memberId: '', groupInstanceId, clientId: 'c', clientHost: '/h', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }], requireKnownMemberId: true,
    });
    const old = await join('inst');
    await t.ctx.groups.sync({ groupId: 'g1', generationId: old.generationId, memberId: old.memberId, groupInstanceId: 'inst', assignments: [] });
    const v7 = (memberId: string, committedLeaderEpoch: number): OffsetCommitRequest => ({
      ...commit('g1', [{ name: 't1', partitions: [[0, 11n, null]] }], old.generationId, memberId),
      groupInstanceId: 'inst',
      topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 11n, committedLeaderEpoch, committedMetadata: null }] }],
    });
    const ok = await overTheWire('OffsetCommit', 7, v7(old.memberId, 4), handleOffsetCommit, t.ctx);
    expect(ok.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(t.harness.image.committedOffset('g1', 't1', 0)).toMatchObject({ offset: 11, leaderEpoch: 4 });
    expect((await overTheWire('OffsetCommit', 6, { ...v7(old.memberId, -7), groupInstanceId: null }, handleOffsetCommit, t.ctx)).topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    expect(t.harness.image.committedOffset('g1', 't1', 0)?.leaderEpoch).toBe(-1);

    const restarted = await join('inst'); // the instance restarted: `old` is fenced
    expect(restarted.generationId).toBe(old.generationId);
    const calls = t.controller.calls.length;
    const fenced = await overTheWire('OffsetCommit', 7, v7(old.memberId, 5), handleOffsetCommit, t.ctx);
    expect(fenced.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(t.controller.calls.length).toBe(calls);
    expect((await overTheWire('OffsetCommit', 7, v7(restarted.memberId, 5), handleOffsetCommit, t.ctx)).topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('a broker that does not coordinate the group: NOT_COORDINATOR everywhere, nothing forwarded (commit and fetch)', async () => {
    const t = testbed({ brokerId: 1 });
    const other = groupOwnedBy(t.ctx, 2);
    const r = await handleOffsetCommit(t.ctx, commit(other, [{ name: 't1', partitions: [[0, 1n, null], [1, 1n, null]] }]), 5);
    expect(r.topics[0]?.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
    const f = await handleOffsetFetch(t.ctx, { groupId: other, topics: null }, 4);
    expect(f.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const f1 = await handleOffsetFetch(t.ctx, { groupId: other, topics: [{ name: 't1', partitionIndexes: [0] }] }, 1);
    expect(f1.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(t.controller.calls).toEqual([]);
    const mine = groupOwnedBy(t.ctx, 1);
    const ok = await handleOffsetCommit(t.ctx, commit(mine, [{ name: 't1', partitions: [[0, 1n, null]] }]), 5);
    expect(ok.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('unknown topic and partition: UNKNOWN_TOPIC_OR_PARTITION for those only; the rest commit', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 'nope', partitions: [[0, 1n, null]] }, { name: 't1', partitions: [[0, 1n, null], [3, 1n, null]] }]), 5);
    expect(r.topics).toEqual([
      { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 't1', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }, { partitionIndex: 3, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);
    expect(t.harness.image.committedOffset('g1', 't1', 0)?.offset).toBe(1);
  });

  it('an offset outside the safe integers: INVALID_REQUEST here, the rest forwarded; all refused → no call', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const huge = 2n ** 60n;
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, huge, null], [1, 9n, null]] }]), 5);
    expect(r.topics[0]?.partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.INVALID_REQUEST },
      { partitionIndex: 1, errorCode: ErrorCode.NONE },
    ]);
    const sent = t.controller.calls[0]?.request as { topics: { partitions: { partitionIndex: number }[] }[] };
    expect(sent.topics[0]?.partitions.map((p) => p.partitionIndex)).toEqual([1]);

    const only = testbed({ baseRecords: oneLiveBroker() });
    const r2 = await handleOffsetCommit(only.ctx, commit('g1', [{ name: 't1', partitions: [[0, -huge, null]] }]), 5);
    expect(r2.topics[0]?.partitions).toEqual([{ partitionIndex: 0, errorCode: ErrorCode.INVALID_REQUEST }]);
    expect(only.controller.calls).toEqual([]);
  });

  it('an empty request answers empty without a call', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    expect(await handleOffsetCommit(t.ctx, commit('g1', []), 5)).toEqual({ throttleTimeMs: 0, topics: [] });
    expect(t.controller.calls).toEqual([]);
  });

  it("empty group id: the controller's INVALID_GROUP_ID on every partition", async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const r = await handleOffsetCommit(t.ctx, commit('', [{ name: 't1', partitions: [[0, 1n, null], [1, 1n, null]] }]), 5);
    expect(r.topics[0]?.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_GROUP_ID, ErrorCode.INVALID_GROUP_ID]);
  });

  it('offsets -2 and -1 (kafkajs resetOffsets earliest/latest) are stored as committed and fetched back', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, -2n, null], [1, -1n, null]] }]), 5);
    expect(r.topics[0]?.partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.NONE },
      { partitionIndex: 1, errorCode: ErrorCode.NONE },
    ]);
    const f = await handleOffsetFetch(t.ctx, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0] }] }, 4);
    expect(f.topics[0]?.partitions[0]?.committedOffset).toBe(-2n);
  });

  it.each([
    ['a timeout', new RequestTimeoutError('commitOffsets: no active controller answered within 3000 ms')],
    ['a lost connection', new ConnectionError('closed')],
    ['NOT_CONTROLLER after the last retry', remoteError(ErrorCode.NOT_CONTROLLER)],
    ['a busy controller', remoteError(ErrorCode.THROTTLING_QUOTA_EXCEEDED)],
  ])('controller unreachable (%s): COORDINATOR_NOT_AVAILABLE on every partition', async (_name, error) => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    t.controller.failure = error;
    const r = await overTheWire('OffsetCommit', 5, commit('g1', [{ name: 't1', partitions: [[0, 1n, null]] }, { name: 't2', partitions: [[0, 2n, null]] }]), handleOffsetCommit, t.ctx);
    expect(r.topics.flatMap((x) => x.partitions.map((p) => p.errorCode))).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
  });

  it('a definite remote refusal keeps its code; a programmer error is rethrown', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    t.controller.failure = remoteError(ErrorCode.UNSUPPORTED_VERSION);
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, 1n, null]] }]), 5);
    expect(r.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    t.controller.failure = new TypeError('bug');
    await expect(handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, 1n, null]] }]), 5)).rejects.toThrow('bug');
  });
});

describe('OffsetFetch', () => {
  async function seeded() {
    const t = testbed({ baseRecords: oneLiveBroker() });
    // Partition t1-2 committed under leader epoch 4 (OffsetCommit v6+ carries it); the others with none (-1).
    await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[2, 30n, 'm2', 4], [0, 10n, null]] }, { name: 't2', partitions: [[0, 5n, 'x']] }]), 7);
    t.controller.calls.length = 0;
    return t;
  }

  it.each([1, 2, 3, 4, 5])('v%i named partitions: offsets and metadata (null stored as ""), -1 for none; the leader epoch from v5', async (version) => {
    const t = await seeded();
    const r = await overTheWire('OffsetFetch', version, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 1, 2] }] }, handleOffsetFetch, t.ctx);
    expect(r.topics).toEqual([
      {
        name: 't1',
        partitions: [
          { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          // Below v5 the epoch is not on the wire (the decoder's -1).
          { partitionIndex: 2, committedOffset: 30n, committedLeaderEpoch: version >= 5 ? 4 : -1, metadata: 'm2', errorCode: 0 },
        ],
      },
    ]);
    expect(r.errorCode).toBe(0);
    expect(t.controller.calls).toEqual([{ method: 'fetchOffsets', request: { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 1, 2] }] }, timeoutMs: 3_000 }]);
  });

  it.each([2, 3, 4, 5])('v%i null topics: every partition the group has an offset for, sorted', async (version) => {
    const t = await seeded();
    const r = await overTheWire('OffsetFetch', version, { groupId: 'g1', topics: null }, handleOffsetFetch, t.ctx);
    expect(r.topics).toEqual([
      { name: 't1', partitions: [
        { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
        { partitionIndex: 2, committedOffset: 30n, committedLeaderEpoch: version >= 5 ? 4 : -1, metadata: 'm2', errorCode: 0 },
      ] },
      { name: 't2', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: 'x', errorCode: 0 }] },
    ]);
    expect((t.controller.calls[0]?.request as { topics: unknown }).topics).toBeNull();
  });

  it('unknown topic and unknown group: offset -1 with NONE (Kafka convention); null topics of an unknown group: none', async () => {
    const t = await seeded();
    const r = await handleOffsetFetch(t.ctx, { groupId: 'g1', topics: [{ name: 'nope', partitionIndexes: [0] }] }, 4);
    expect(r.topics).toEqual([{ name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }]);
    const unknown = await handleOffsetFetch(t.ctx, { groupId: 'other', topics: [{ name: 't1', partitionIndexes: [0] }] }, 4);
    expect(unknown.topics[0]?.partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: 0 });
    expect(await handleOffsetFetch(t.ctx, { groupId: 'other', topics: null }, 4)).toEqual({ throttleTimeMs: 0, topics: [], errorCode: 0 });
  });

  it("sees a commit the broker's own image has not applied yet (read at the controller)", async () => {
    const t = await seeded();
    t.lagging(true);
    await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, 99n, null]] }]), 5);
    expect(t.ctx.image().committedOffset('g1', 't1', 0)?.offset).toBe(10); // the broker is behind
    const r = await handleOffsetFetch(t.ctx, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0] }] }, 4);
    expect(r.topics[0]?.partitions[0]?.committedOffset).toBe(99n);
  });

  it('a broker whose image is stale (fenced meanwhile, its groups moved) has its commit refused by the controller: the offset stays', async () => {
    // Brokers 1-3 live; broker 1 coordinates the group. Its image then freezes (a stalled process)
    // while the controller fences it: the group moves, and the new coordinator's commit lands.
    const t = testbed();
    const groupId = groupOwnedBy(t.ctx, 1);
    t.lagging(true);
    t.harness.apply({ records: [{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 10, fenced: true }], response: undefined });
    const newOwner = coordinatorOf(liveBrokerIds(t.harness.image), groupId)!;
    t.harness.apply(commitOffsets(t.harness.ctx(), { groupId, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 50, committedLeaderEpoch: -1, committedMetadata: null }] }], coordinator: { brokerId: newOwner, brokerEpoch: t.harness.image.broker(newOwner)!.brokerEpoch } }));
    // Broker 1 resumes and handles a commit queued on its socket, from its stale image.
    const r = await handleOffsetCommit(t.ctx, commit(groupId, [{ name: 't1', partitions: [[0, 5n, null]] }]), 5);
    expect(r.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(t.harness.image.committedOffset(groupId, 't1', 0)?.offset).toBe(50);
  });

  it('a forwarded commit whose outcome is unknown is not sent again by the channel: COORDINATOR_NOT_AVAILABLE, and the client retries it (checked again)', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    t.controller.failure = new AmbiguousOutcomeError('commitOffsets to controller 1: connection closed', { cause: new Error('connection closed') });
    const r = await handleOffsetCommit(t.ctx, commit('g1', [{ name: 't1', partitions: [[0, 5n, null]] }]), 5);
    expect(r.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(t.controller.calls[0]?.retryAmbiguous).toBe(false);
  });

  it('controller unreachable: group-level COORDINATOR_NOT_AVAILABLE at v2+, per partition at v1', async () => {
    const t = await seeded();
    t.controller.failure = new RequestTimeoutError('fetchOffsets: no active controller answered');
    const v4 = await overTheWire('OffsetFetch', 4, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0] }] }, handleOffsetFetch, t.ctx);
    expect(v4).toEqual({ throttleTimeMs: 0, topics: [], errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    const v1 = await overTheWire('OffsetFetch', 1, { groupId: 'g1', topics: [{ name: 't1', partitionIndexes: [0, 1] }] }, handleOffsetFetch, t.ctx);
    expect(v1.topics).toEqual([
      { name: 't1', partitions: [
        { partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
        { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE },
      ] },
    ]);
  });

  it('empty group id: INVALID_GROUP_ID at the group level (v2+), per partition at v1', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    expect((await handleOffsetFetch(t.ctx, { groupId: '', topics: null }, 3)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    const v1 = await handleOffsetFetch(t.ctx, { groupId: '', topics: [{ name: 't1', partitionIndexes: [0] }] }, 1);
    expect(v1.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});
