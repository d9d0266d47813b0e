// Offset expiry on the coordinating broker (broker/offset-expirer.ts) against the controller's own
// ExpireOffsets operation: what expires and when (retention counted from the commit and from when
// the group emptied here), what never does (a group with members; groups of other brokers; any
// group within the grace after coordination may have moved), and how requests are cut. An explicit
// expiry (retention_time_ms; offset-retention-time.test.ts has the rest) waits for the same group
// states, not for the retention since the group emptied.

import { consumerSubscription } from '../support/consumer-subscription.js';
import { describe, expect, it } from 'vitest';
import { EXPIRE_BATCH, OffsetExpirer, type OffsetExpirerOptions } from '../../broker/offset-expirer.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import type { MetadataDelta } from '../../metadata-log/delta.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import { commitOffsets, type ExpireOffsetsRequest } from '../../quorum/controller/configs/offsets.js';
import { storeGroup } from '../../quorum/controller/configs/group-membership.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type GroupStore } from '../../broker/kafka/groups/group-coordinator.js';
import { silentLogger } from '../support/real-node-env.js';
import { defaultCluster, groupOwnedBy, oneLiveBroker, testbed, topicRecords, type HandlerTestbed } from './kafka-handlers-fixture.js';

const RETENTION_MS = 1_000;

/** The broker's image is the controller's (the harness's); listeners hear what a test publishes. */
class HarnessSource implements MetadataSource {
  private readonly listeners: MetadataListener[] = [];
  constructor(private readonly t: HandlerTestbed) {}
  get image() {
    return this.t.harness.image;
  }
  addMetadataListener(listener: MetadataListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  /** A delta that changed broker `brokerId` (fenced, unfenced, registered...). */
  brokersChanged(brokerId: number): void {
    const delta = { base: this.image, changedBrokerIds: () => new Set([brokerId]) } as unknown as MetadataDelta;
    for (const l of this.listeners) l(delta, this.image);
  }
}

function setup(records = oneLiveBroker(), options: Partial<OffsetExpirerOptions> = {}) {
  const t = testbed({ baseRecords: records });
  const source = new HarnessSource(t);
  const expirer = new OffsetExpirer({
    retentionMs: RETENTION_MS,
    checkIntervalMs: 100,
    graceMs: 0,
    brokerId: 1,
    brokerEpoch: t.ctx.brokerEpoch,
    source,
    channel: t.controller,
    groups: t.ctx.groups,
    clock: t.clock,
    wallClockMs: () => t.harness.nowMs, // what the controller stamps commits with
    logger: silentLogger,
    ...options,
  });
  /** retentionTimeMs: OffsetCommit v2-v4 retention_time_ms (absent: -1, the broker default). */
  const commit = (groupId: string, partitions: readonly number[], topic = 't1', retentionTimeMs?: number) =>
    t.harness.apply(
      commitOffsets(t.harness.ctx(), {
        groupId,
        ...(retentionTimeMs === undefined ? {} : { retentionTimeMs }),
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: null })) }],
      }),
    );
  const held = (groupId: string) => t.harness.image.groupOffsets(groupId)?.size ?? 0;
  const expireCalls = () => t.controller.calls.filter((c) => c.method === 'expireOffsets').map((c) => c.request as ExpireOffsetsRequest);
  /** A first sweep notes the groups found empty here (when they emptied is unknown); then the retention passes on the broker's clock. */
  const noted = async () => {
    expect((await expirer.sweep()).expired).toBe(0);
    t.clock.advance(RETENTION_MS);
  };
  return { t, source, expirer, commit, held, expireCalls, noted, wall: { advance: (ms: number) => (t.harness.nowMs += ms) } };
}

/** One member joins (not synced: the group is in CompletingRebalance); its member id and generation. */
async function joinOne(t: HandlerTestbed, groupId: string, metadata: Uint8Array = new Uint8Array([1]), protocolType = 'consumer'): Promise<{ memberId: string; generationId: number }> {
  const r = await t.ctx.groups.join({
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType,
    protocols: [{ name: 'range', metadata }],
    requireKnownMemberId: false,
  });
  expect(r.errorCode).toBe(0);
  return { memberId: r.memberId, generationId: r.generationId };
}


/** One member joins with `metadata` and, as the leader, syncs: the group is Stable. */
async function stableGroup(t: HandlerTestbed, groupId: string, metadata: Uint8Array, protocolType = 'consumer'): Promise<void> {
  const { memberId, generationId } = await joinOne(t, groupId, metadata, protocolType);
  const synced = await t.ctx.groups.sync({ groupId, generationId, memberId, assignments: [] });
  expect(synced.errorCode).toBe(0);
}

describe('OffsetExpirer', () => {
  it("a group without members loses its offsets once the retention has passed since they were committed, not a moment before", async () => {
    const { expirer, commit, held, wall, noted } = setup();
    commit('idle', [0, 1]);
    await noted();
    wall.advance(RETENTION_MS - 1);
    expect(await expirer.sweep()).toEqual({ expired: 0, refusedGroups: 0 });
    expect(held('idle')).toBe(2);
    commit('idle', [2]); // a later commit has its own retention
    wall.advance(1);
    expect(await expirer.sweep()).toEqual({ expired: 2, refusedGroups: 0 });
    expect(held('idle')).toBe(1);
    wall.advance(RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(1);
    expect(held('idle')).toBe(0);
    expirer.close();
  });

  it('a group with members keeps its offsets however old; once it empties, the retention counts from then', async () => {
    const { t, expirer, commit, held, wall } = setup();
    commit('busy', [0]);
    const { memberId: member } = await joinOne(t, 'busy');
    wall.advance(10 * RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(t.ctx.groups.leave('busy', [{ memberId: member, groupInstanceId: null }])).toEqual([0]);
    expect(t.ctx.groups.isActive('busy')).toBe(false);
    t.clock.advance(RETENTION_MS - 1);
    expect((await expirer.sweep()).expired).toBe(0);
    t.clock.advance(1);
    expect((await expirer.sweep()).expired).toBe(1);
    expect(held('busy')).toBe(0);
    expirer.close();
  });

  it('a Stable consumer group loses the retention-old offsets of topics no member subscribes to, and keeps those of its subscribed topics however old', async () => {
    const { t, expirer, commit, held, wall } = setup();
    commit('moved-on', [0, 1], 't1');
    commit('moved-on', [0], 't2');
    await stableGroup(t, 'moved-on', consumerSubscription(['t1']));
    expect(t.ctx.groups.subscribedTopics('moved-on')).toEqual(new Set(['t1']));
    wall.advance(RETENTION_MS - 1);
    expect((await expirer.sweep()).expired).toBe(0);
    wall.advance(1);
    expect((await expirer.sweep()).expired).toBe(1);
    const left = [...(t.harness.image.groupOffsets('moved-on') ?? new Map()).keys()].map((k) => k.split('\u0000')[0]);
    expect(left).toEqual(['t1', 't1']);
    wall.advance(10 * RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(held('moved-on')).toBe(2);
    expirer.close();
  });

  it('a group with members keeps every offset when its subscriptions cannot be known: metadata that is not a consumer subscription, another protocol type, a rebalance under way', async () => {
    const { t, expirer, commit, held, wall } = setup();
    for (const g of ['garbled', 'connect', 'joining']) commit(g, [0], 't2');
    await stableGroup(t, 'garbled', new Uint8Array([0, 1, 0xff]));
    await stableGroup(t, 'connect', consumerSubscription(['t1']), 'connect');
    await joinOne(t, 'joining'); // joined, not synced: CompletingRebalance
    wall.advance(10 * RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(0);
    for (const g of ['garbled', 'connect', 'joining']) expect(held(g)).toBe(1);
    expirer.close();
  });

  it("an explicit expiry (retention_time_ms) still waits for the group's state: members keep it on subscribed topics and in a rebalance; a Stable consumer group loses it on a topic it dropped; an empty group at its time, before the retention since it emptied", async () => {
    const { t, expirer, commit, held, wall } = setup(oneLiveBroker(), { retentionMs: 10 * RETENTION_MS });
    commit('joining', [0], 't1', 100);
    commit('moved-on', [0], 't1', 100);
    commit('moved-on', [0], 't2', 100);
    commit('emptied', [0], 't1', 100);
    await joinOne(t, 'joining'); // CompletingRebalance
    await stableGroup(t, 'moved-on', consumerSubscription(['t1']));
    const { memberId } = await joinOne(t, 'emptied');
    expect(t.ctx.groups.leave('emptied', [{ memberId, groupInstanceId: null }])).toEqual([0]); // emptied just now
    wall.advance(99);
    expect((await expirer.sweep()).expired).toBe(0);
    wall.advance(1);
    expect((await expirer.sweep()).expired).toBe(2);
    expect(held('joining')).toBe(1);
    expect([...(t.harness.image.groupOffsets('moved-on') ?? new Map()).keys()].map((k) => k.split('\u0000')[0])).toEqual(['t1']);
    expect(held('emptied')).toBe(0);
    wall.advance(100 * RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(0);
    expirer.close();
  });

  it('nothing expires within the grace after start or after a change to the brokers (groups may just have moved here)', async () => {
    const { t, source, expirer, commit, held, wall, expireCalls } = setup(oneLiveBroker(), { graceMs: 5_000, checkIntervalMs: 60_000 });
    commit('moved', [0]);
    wall.advance(RETENTION_MS);
    t.clock.advance(4_999);
    expect((await expirer.sweep()).expired).toBe(0);
    expect(expireCalls()).toEqual([]);
    source.brokersChanged(2);
    t.clock.advance(4_999);
    expect((await expirer.sweep()).expired).toBe(0);
    t.clock.advance(1);
    expect((await expirer.sweep()).expired).toBe(0); // first seen empty here: counted from now
    t.clock.advance(RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(1);
    expect(held('moved')).toBe(0);
    expirer.close();
  });

  it("only the groups this broker coordinates: another broker's groups are left to it", async () => {
    const { t, expirer, commit, held, wall, expireCalls, noted } = setup(defaultCluster());
    const mine = groupOwnedBy(t.ctx, 1);
    const theirs = groupOwnedBy(t.ctx, 2);
    commit(mine, [0]);
    commit(theirs, [0]);
    await noted();
    wall.advance(RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(1);
    expect(held(mine)).toBe(0);
    expect(held(theirs)).toBe(1);
    expect(expireCalls().flatMap((r) => r.groups.map((g) => g.groupId))).toEqual([mine]);
    expirer.close();
  });

  it('a group the controller refuses (its image has another coordinator) is counted and keeps its offsets', async () => {
    const { t, expirer, commit, held, wall, noted } = setup();
    commit('g', [0]);
    await noted();
    wall.advance(RETENTION_MS);
    t.controller.canned.expireOffsets = (req) => ({ results: req.groups.map((g) => ({ groupId: g.groupId, errorCode: 16, errorMessage: 'not the coordinator', expired: 0 })) });
    expect(await expirer.sweep()).toEqual({ expired: 0, refusedGroups: 1 });
    expect(held('g')).toBe(1);
    expirer.close();
  });

  it(`requests hold at most ${EXPIRE_BATCH} offsets, a large group split across them; every offset expires`, async () => {
    const partitions = Array.from({ length: 400 }, (_, i) => i);
    const { expirer, commit, held, wall, expireCalls, noted } = setup([...oneLiveBroker(), ...topicRecords('wide', 9, 400)]);
    commit('a', partitions, 'wide');
    commit('b', partitions, 'wide');
    commit('c', [0, 1, 2]);
    await noted();
    wall.advance(RETENTION_MS);
    expect((await expirer.sweep()).expired).toBe(803);
    const sizes = expireCalls().map((r) => r.groups.reduce((n, g) => n + g.offsets.length, 0));
    expect(sizes.every((n) => n <= EXPIRE_BATCH)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(803);
    expect(sizes.length).toBe(Math.ceil(803 / EXPIRE_BATCH));
    expect(held('a') + held('b') + held('c')).toBe(0);
    expirer.close();
  });

  it('the timer sweeps every check interval until closed; an unregistered broker asks nothing', async () => {
    const { t, expirer, commit, held, wall, expireCalls, noted } = setup();
    commit('g', [0]);
    expect((await expirer.sweep()).expired).toBe(0); // notes the group as found empty here
    wall.advance(RETENTION_MS);
    t.clock.advance(RETENTION_MS - 100); // the timer's sweep at 100 finds nothing due; it is re-armed only after it settles
    await new Promise((r) => setImmediate(r));
    t.clock.advance(99);
    await new Promise((r) => setImmediate(r));
    expect(held('g')).toBe(1);
    t.clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(held('g')).toBe(0);
    expirer.close();
    expect(t.clock.pendingTimers).toBe(0);

    const unregistered = setup(oneLiveBroker(), { brokerEpoch: () => -1 });
    unregistered.commit('g', [0]);
    unregistered.wall.advance(RETENTION_MS);
    expect((await unregistered.expirer.sweep()).expired).toBe(0);
    expect(unregistered.expireCalls()).toEqual([]);
    unregistered.expirer.close();
    expect(expireCalls().length).toBe(1);
  });
});

describe('stored group membership nobody comes back for', () => {
  it('a stored group this broker coordinates is resumed by a sweep past the grace, so its members that never come expire and its membership is removed (it holds no offsets)', async () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    const groupId = groupOwnedBy(t.ctx, 1, 'orphan');
    // Stored by a coordinator that has since gone, its consumers gone too (no LeaveGroup: static members, kill -9).
    t.harness.apply(
      storeGroup(t.harness.ctx(), {
        coordinator: { brokerId: 1, brokerEpoch: 10 },
        groupId,
        group: { protocolType: 'consumer', generationId: 3, protocolName: 'range', leaderId: 'm', members: [{ memberId: 'm', groupInstanceId: 'i', clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000, subscription: new Uint8Array([1]), assignment: new Uint8Array([2]) }] },
      }),
    );
    expect(t.harness.image.groupMetadata(groupId)).toBeDefined();
    const removed: string[] = [];
    const store: GroupStore = { load: (id) => t.harness.image.groupMetadata(id), save: () => 'skipped', remove: (id) => void removed.push(id) };
    const groups = new GroupCoordinator(t.clock, DEFAULT_GROUP_COORDINATOR_CONFIG, store);
    const expirer = new OffsetExpirer({
      retentionMs: RETENTION_MS,
      checkIntervalMs: 100,
      graceMs: 0,
      brokerId: 1,
      brokerEpoch: t.ctx.brokerEpoch,
      source: new HarnessSource(t),
      channel: t.controller,
      groups,
      clock: t.clock,
      logger: silentLogger,
    });
    await expirer.sweep();
    t.clock.advance(10_000 + 10_000); // the member's session, then the rebalance it leaves behind
    expect(removed).toEqual([groupId]);
    expirer.close();
  });
});
