// Replica placement: usable brokers only, leaders spread evenly, racks alternated, leader counts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { applyLeaderCounts, leaderCountsOf } from '../../quorum/controller/replication/leader-counts.js';
import { placeReplicas, rackAlternated, usableBrokers, type UsableBroker } from '../../quorum/controller/replication/placement.js';
import { apply, broker, image, partitionRecord, rng, tid, topic } from './controller-replication-fixtures.js';

function ids(n: number, rack?: (i: number) => string): UsableBroker[] {
  return Array.from({ length: n }, (_, i) => ({ brokerId: i + 1, rack: rack ? rack(i) : null }));
}

function leaderSpread(assignments: readonly (readonly number[])[], brokers: readonly UsableBroker[]): number {
  const counts = new Map(brokers.map((b) => [b.brokerId, 0]));
  for (const a of assignments) counts.set(a[0]!, counts.get(a[0]!)! + 1);
  return Math.max(...counts.values()) - Math.min(...counts.values());
}

describe('placement', () => {
  it('(brokers=1..3 usable of 5) only unfenced, not-shutting-down brokers are usable', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2, fenced: true }), broker({ id: 3 }), broker({ id: 4, shutdown: true }), broker({ id: 5 })]);
    expect(usableBrokers(img).map((b) => b.brokerId)).toEqual([1, 3, 5]);
  });

  it('replication factor above usable brokers: INVALID_REPLICATION_FACTOR with both numbers', () => {
    const r = placeReplicas({ startPartition: 0, partitions: 1, replicationFactor: 4 }, ids(3), rng());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
      expect(r.error.message).toContain('replication factor of 4');
      expect(r.error.message).toContain('only 3 broker(s)');
    }
  });

  it('every partition gets RF distinct brokers, and leaders are within ±1 across brokers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5 }), fc.integer(), fc.integer({ min: 0, max: 4 }), (n, partitions, rf0, seed, racks) => {
        const rf = Math.min(rf0, n);
        const brokers = ids(n, racks === 0 ? undefined : (i) => `r${i % racks}`);
        const r = placeReplicas({ startPartition: 0, partitions, replicationFactor: rf }, brokers, rng(seed));
        if (!r.ok || r.assignments.length !== partitions) return false;
        if (!r.assignments.every((a) => a.length === rf && new Set(a).size === rf)) return false;
        return leaderSpread(r.assignments, brokers) <= 1;
      }),
      { numRuns: 300 },
    );
  });

  it('(racks=3, RF=3) no two replicas of a partition share a rack', () => {
    const brokers = ids(9, (i) => ['east', 'west', 'north'][i % 3]!);
    const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
    const r = placeReplicas({ startPartition: 0, partitions: 60, replicationFactor: 3 }, brokers, rng(7));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const a of r.assignments) expect(new Set(a.map((b) => rackOf.get(b))).size).toBe(3);
  });

  it('(racks uneven: 4 brokers in a, 1 in b, RF=2) every partition spans both racks', () => {
    const brokers = [...ids(4, () => 'a'), { brokerId: 9, rack: 'b' }];
    const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = placeReplicas({ startPartition: 0, partitions: 20, replicationFactor: 2 }, brokers, rng(seed));
        if (!r.ok) throw new Error('placement failed');
        for (const a of r.assignments) expect(new Set(a.map((b) => rackOf.get(b))).size).toBe(2);
      }),
      { numRuns: 50 },
    );
  });

  it('racks ≥ RF, any layout: no rack holds two replicas of one partition (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (rackOfIndex, rf0, seed) => {
        const brokers = rackOfIndex.map((r, i) => ({ brokerId: i + 1, rack: `r${r}` }));
        const racks = new Set(rackOfIndex).size;
        const rf = Math.min(rf0, racks);
        const r = placeReplicas({ startPartition: 0, partitions: 30, replicationFactor: rf }, brokers, rng(seed));
        if (!r.ok) throw new Error('placement failed');
        const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
        return r.assignments.every((a) => new Set(a.map((b) => rackOf.get(b))).size === rf);
      }),
      { numRuns: 300 },
    );
  });

  it('rack-alternated order: racks sorted, one broker per rack in turn', () => {
    const brokers = [
      { brokerId: 1, rack: 'b' },
      { brokerId: 2, rack: 'a' },
      { brokerId: 3, rack: 'a' },
      { brokerId: 4, rack: 'c' },
      { brokerId: 5, rack: 'b' },
    ];
    expect(rackAlternated(brokers).map((b) => b.brokerId)).toEqual([2, 1, 4, 3, 5]);
  });

  it('the start offset comes from the injected random source (deterministic per seed, varies across seeds)', () => {
    const spec = { startPartition: 0, partitions: 1, replicationFactor: 1 };
    const one = placeReplicas(spec, ids(10), rng(1));
    expect(placeReplicas(spec, ids(10), rng(1))).toEqual(one);
    const leaders = new Set<number>();
    for (let s = 0; s < 50; s++) {
      const r = placeReplicas(spec, ids(10), rng(s));
      if (r.ok) leaders.add(r.assignments[0]![0]!);
    }
    expect(leaders.size).toBeGreaterThan(5);
  });

  it('(brokers=5, 200 topics of 1..4 partitions) with leader counts, leaders stay within ±1 across the cluster', () => {
    const brokers = ids(5);
    const counts = new Map<number, number>();
    const random = rng(3);
    for (let t = 0; t < 200; t++) {
      const r = placeReplicas({ startPartition: 0, partitions: 1 + (t % 4), replicationFactor: 2 }, brokers, random, counts);
      if (!r.ok) throw new Error('placement failed');
      for (const a of r.assignments) counts.set(a[0]!, (counts.get(a[0]!) ?? 0) + 1);
      const values = brokers.map((b) => counts.get(b.brokerId) ?? 0);
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    }
  });

  it('leader counts kept with applyLeaderCounts equal a recount of the image', () => {
    const a = tid('lc-a');
    const b = tid('lc-b');
    const base = image([...brokers3(), ...topic('lc-a', [{ replicas: [1, 2] }, { replicas: [2, 3] }, { replicas: [3, 1] }])]);
    const counts = leaderCountsOf(base);
    expect(Object.fromEntries(counts)).toEqual({ 1: 1, 2: 1, 3: 1 });
    const records: MetadataRecord[] = [
      { type: 'PartitionChange', topicId: a, partitionId: 0, leader: 2, isr: [2] },
      { type: 'Topic', name: 'lc-b', topicId: b },
      partitionRecord(b, 0, { replicas: [3] }),
      { type: 'PartitionChange', topicId: b, partitionId: 0, leader: -1 },
      { type: 'PartitionChange', topicId: a, partitionId: 1, isr: [2, 3] },
      { type: 'RemoveTopic', topicId: a },
      partitionRecord(b, 1, { replicas: [1] }),
    ];
    applyLeaderCounts(counts, base, records);
    expect(counts).toEqual(leaderCountsOf(apply(base, records)));
    expect(Object.fromEntries(counts)).toEqual({ 1: 1 });
  });

  it('each kind of record that moves leaders, alone in an operation, is counted; an ISR change alone moves none', () => {
    const a = tid('lc-a');
    const b = tid('lc-b');
    let img = image([...brokers3(), ...topic('lc-a', [{ replicas: [1, 2] }, { replicas: [2, 3] }])]);
    const counts = leaderCountsOf(img);
    const operations: MetadataRecord[][] = [
      [{ type: 'PartitionChange', topicId: a, partitionId: 1, isr: [2] }],
      [{ type: 'Topic', name: 'lc-b', topicId: b }, partitionRecord(b, 0, { replicas: [3] })],
      [{ type: 'PartitionChange', topicId: a, partitionId: 0, leader: 2 }],
      [{ type: 'RemoveTopic', topicId: a }],
    ];
    for (const records of operations) {
      applyLeaderCounts(counts, img, records);
      img = apply(img, records);
      expect(counts).toEqual(leaderCountsOf(img));
    }
    expect(Object.fromEntries(counts)).toEqual({ 3: 1 });
  });
});

function brokers3(): MetadataRecord[] {
  return [broker({ id: 1 }), broker({ id: 2 }), broker({ id: 3 })];
}
