// Offset expiry never takes offsets a group may still need (found by a review of the first version):
// a coordinator that does not know when a group emptied (restarted, or the group moved away and
// back) counts from when it first found it empty; a group whose consumer arrives during a sweep
// keeps its offsets; the controller refuses malformed requests and judges age on its own clock.
import { describe, expect, it } from 'vitest';
import { OffsetExpirer, type OffsetExpirerOptions } from '../../broker/offset-expirer.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import { GroupCoordinator, DEFAULT_GROUP_COORDINATOR_CONFIG } from '../../broker/kafka/groups/group-coordinator.js';
import { commitOffsets, expireOffsets } from '../../quorum/controller/configs/offsets.js';
import { silentLogger } from '../support/real-node-env.js';
import { oneLiveBroker, testbed, topicRecords, type HandlerTestbed } from './kafka-handlers-fixture.js';

const RETENTION = 60_000;
const GRACE = 5_000;

class Src implements MetadataSource {
  constructor(private readonly t: HandlerTestbed) {}
  get image() { return this.t.harness.image; }
  addMetadataListener(_l: MetadataListener) { return () => {}; }
}

function mk(t: HandlerTestbed, groups: GroupCoordinator, extra: Partial<OffsetExpirerOptions> = {}) {
  return new OffsetExpirer({
    retentionMs: RETENTION, checkIntervalMs: 10_000_000, graceMs: GRACE, brokerId: 1,
    brokerEpoch: t.ctx.brokerEpoch, source: new Src(t), channel: t.controller, groups,
    clock: t.clock, wallClockMs: () => t.harness.nowMs, logger: silentLogger, ...extra,
  });
}

async function join(groups: GroupCoordinator, groupId: string): Promise<string> {
  const r = await groups.join({ groupId, memberId: '', groupInstanceId: null, clientId: 'c', clientHost: 'h', sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array([1]) }], requireKnownMemberId: false });
  expect(r.errorCode).toBe(0);
  return r.memberId;
}

function commit(t: HandlerTestbed, groupId: string, partitions: number[], topic = 't1') {
  t.harness.apply(commitOffsets(t.harness.ctx(), { groupId, topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: null })) }] }));
}

describe('offset expiry: what it must never take', () => {
  it('a restarted coordinator counts a group\'s retention from when it found the group empty, not from commits long ago', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), groups: { initialRebalanceDelayMs: 0 } });
    const groups = t.ctx.groups;
    commit(t, 'g', [0]);
    t.harness.nowMs += 10 * RETENTION; // idle partition: last commit long ago
    const m = await join(groups, 'g');
    t.clock.advance(1000);
    groups.leave('g', [{ memberId: m, groupInstanceId: null }]); // consumers stopped for maintenance now
    const before = mk(t, groups);
    t.clock.advance(GRACE);
    expect((await before.sweep()).expired).toBe(0); // right: emptied 5 s ago
    before.close();
    // The coordinator restarts (or the group moves away and back): new memory.
    const restarted = new GroupCoordinator(t.clock, { ...DEFAULT_GROUP_COORDINATOR_CONFIG, initialRebalanceDelayMs: 0 });
    const after = mk(t, restarted);
    t.clock.advance(GRACE);
    const r = await after.sweep();
    expect(r.expired).toBe(0); // the restarted broker counts from when it found the group empty
    after.close();
  });

  it('so does one the group moved away from and back to', async () => {
    const t = testbed({ baseRecords: oneLiveBroker(), groups: { initialRebalanceDelayMs: 0 } });
    const groups = t.ctx.groups;
    commit(t, 'g', [0]);
    t.harness.nowMs += 10 * RETENTION;
    const m = await join(groups, 'g');
    groups.leave('g', [{ memberId: m, groupInstanceId: null }]);
    groups.retainOnly(() => false); // moved away (e.g. a higher-scoring broker registered)
    const e = mk(t, groups);
    t.clock.advance(GRACE);
    expect((await e.sweep()).expired).toBe(0);
    e.close();
  });

  it('a group that becomes active while an earlier request of the sweep is out keeps its offsets', async () => {
    const t = testbed({ baseRecords: [...oneLiveBroker(), ...topicRecords('wide', 9, 500)], groups: { initialRebalanceDelayMs: 0 } });
    const groups = t.ctx.groups;
    const all = Array.from({ length: 500 }, (_, i) => i);
    commit(t, 'a', all, 'wide'); // one full request each
    commit(t, 'b', all, 'wide');
    t.harness.nowMs += 10 * RETENTION;
    const e = mk(t, groups);
    t.clock.advance(GRACE);
    await e.sweep(); // notes a and b as found empty here (when they emptied is unknown)
    t.clock.advance(RETENTION);
    let late: string | null = null;
    t.controller.canned.expireOffsets = (req) => {
      if (late === null) { late = req.groups[0]!.groupId === 'a' ? 'b' : 'a'; void join(groups, late); } // its consumer arrives now
      return t.harness.apply(expireOffsets(t.harness.ctx(), req)) as never;
    };
    await e.sweep();
    expect(groups.isActive(late!)).toBe(true);
    expect(t.harness.image.groupOffsets(late!)?.size ?? 0).toBe(500); // the first version tombstoned all 500
    e.close();
  });

  it('malformed ExpireOffsets bodies are refused with INVALID_REQUEST, nothing written; the controller judges age on its own stamp clock', () => {
    const t = testbed({ baseRecords: oneLiveBroker() });
    commit(t, 'g', [0]);
    const ts = t.harness.image.committedOffset('g', 't1', 0)!.commitTimestampMs;
    const claim = { brokerId: 1, brokerEpoch: t.ctx.brokerEpoch() };
    for (const bad of [
      { retentionMs: 1, coordinator: claim, groups: [{ groupId: 'g', offsets: [{ topic: 't1', partition: '0', commitTimestampMs: ts }] }] },
      { retentionMs: 1, coordinator: claim, groups: [{ groupId: 'g', offsets: [{ topic: ['t1'], partition: 0, commitTimestampMs: ts }] }] },
      { retentionMs: 1, coordinator: null, groups: [{ groupId: 'g', offsets: [] }] },
      { retentionMs: 1, coordinator: claim, groups: [null] },
      { coordinator: claim, groups: [{ groupId: 'g', offsets: [{ topic: 't1', partition: 0, commitTimestampMs: ts }] }] },
    ]) {
      const r = expireOffsets(t.harness.ctx(), bad as never);
      expect(r.records).toEqual([]);
      expect(r.response.results.every((x) => x.errorCode === 42)).toBe(true);
    }
    // A broker whose wall clock runs a day ahead asks for an offset committed a moment ago: kept.
    const fresh = expireOffsets(t.harness.ctx(), { retentionMs: 60_000, coordinator: claim, groups: [{ groupId: 'g', offsets: [{ topic: 't1', partition: 0, commitTimestampMs: ts }] }] });
    expect(fresh.records).toEqual([]);
    t.harness.nowMs += 60_000;
    expect(expireOffsets(t.harness.ctx(), { retentionMs: 60_000, coordinator: claim, groups: [{ groupId: 'g', offsets: [{ topic: 't1', partition: 0, commitTimestampMs: ts }] }] }).records.length).toBe(1);
  });
});
