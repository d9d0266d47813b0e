// PartitionChangeBuilder: leader election rules (ONLINE / PREFERRED / UNCLEAN), KIP-841, ISR rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PartitionRegistration } from '../../metadata-log/image-types.js';
import {
  applyPartitionChange,
  buildPartitionChange,
  PartitionChangeBuilder,
  type PartitionChangeTarget,
} from '../../quorum/controller/replication/partition-change.js';
import { tid } from './controller-replication-fixtures.js';

const T = tid('pc');

function reg(replicas: number[], isr: number[], leader: number, extra: Partial<PartitionRegistration> = {}): PartitionRegistration {
  return { replicas, isr, removingReplicas: [], addingReplicas: [], leader, leaderRecoveryState: 0, leaderEpoch: 5, partitionEpoch: 9, ...extra };
}

const all = (): boolean => true;
const except =
  (...ids: number[]) =>
  (b: number): boolean =>
    !ids.includes(b);

function build(p: PartitionRegistration, eligible: (b: number) => boolean, target: PartitionChangeTarget) {
  return buildPartitionChange(T, 0, p, eligible, target);
}

describe('partition change builder', () => {
  it('nothing changes: no record', () => {
    expect(build(reg([1, 2, 3], [1, 2, 3], 1), all, {})).toBeNull();
    expect(build(reg([1, 2, 3], [1, 2, 3], 1), all, { isr: [3, 2, 1] })).toBeNull(); // same members
    expect(build(reg([1, 2, 3], [1, 2, 3], 2), all, { election: 'ONLINE' })).toBeNull();
  });

  it('ISR shrink keeping the leader: record with isr only, leader epoch not bumped', () => {
    const p = reg([1, 2, 3], [1, 2, 3], 1);
    const r = build(p, all, { isr: [1, 2] });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, isr: [1, 2] });
    const after = applyPartitionChange(p, r!);
    expect(after.leaderEpoch).toBe(5);
    expect(after.partitionEpoch).toBe(10);
  });

  it('ONLINE: the current leader stays while valid even when not preferred', () => {
    expect(build(reg([1, 2, 3], [1, 2, 3], 3), all, { isr: [2, 3] })).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, isr: [2, 3] });
  });

  it('ONLINE: leader leaving the ISR moves leadership to the first valid replica in replica order', () => {
    const r = build(reg([3, 1, 2], [1, 2, 3], 3), all, { isr: [2, 1] });
    expect(r?.leader).toBe(1);
    expect(r?.isr).toEqual([2, 1]);
  });

  it('KIP-841: a fenced or shutting-down replica is skipped as new leader', () => {
    const r = build(reg([1, 2, 3], [1, 2, 3], 1), except(1, 2), { isr: [2, 3] });
    expect(r?.leader).toBe(3);
  });

  it('an ineligible current leader is replaced even if it stays in the ISR', () => {
    const r = build(reg([1, 2, 3], [1, 2, 3], 1), except(1), {});
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leader: 2 });
  });

  it('no valid replica, unclean not allowed: leader -1 and the last ISR member stays', () => {
    const r = build(reg([1, 2, 3], [1], 1), except(1), { isr: [] });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leader: -1 });
  });

  it('UNCLEAN: no valid ISR member, the first eligible replica leads with ISR [it] and RECOVERING', () => {
    const r = build(reg([1, 2, 3], [1], -1), except(1), { election: 'UNCLEAN' });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leader: 2, isr: [2], leaderRecoveryState: 1 });
  });

  it('UNCLEAN still prefers a clean leader', () => {
    const r = build(reg([1, 2, 3], [1, 3], 1), except(1), { isr: [3], election: 'UNCLEAN' });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leader: 3, isr: [3] });
  });

  it('UNCLEAN with no eligible replica at all: leader -1', () => {
    expect(build(reg([1, 2], [1], 1), except(1, 2), { isr: [], election: 'UNCLEAN' })?.leader).toBe(-1);
  });

  it('PREFERRED: moves to the preferred replica when valid, else keeps the current leader', () => {
    expect(build(reg([1, 2, 3], [1, 2, 3], 2), all, { election: 'PREFERRED' })?.leader).toBe(1);
    expect(build(reg([1, 2, 3], [1, 2, 3], 2), except(1), { election: 'PREFERRED' })).toBeNull();
    expect(build(reg([1, 2, 3], [2, 3], 2), all, { election: 'PREFERRED' })).toBeNull();
  });

  it('a leader change bumps the leader epoch; every change bumps the partition epoch', () => {
    const p = reg([1, 2], [1, 2], 1);
    const after = applyPartitionChange(p, build(p, except(1), {})!);
    expect(after).toMatchObject({ leader: 2, leaderEpoch: 6, partitionEpoch: 10 });
  });

  it('new replicas: ISR restricted to them, leader epoch bumped when a replica is dropped', () => {
    const r = build(reg([1, 2, 3], [1, 2, 3], 1), all, { replicas: [1, 2, 4] });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leader: 1, isr: [1, 2], replicas: [1, 2, 4] });
  });

  it('leader recovery state target RECOVERED is written', () => {
    const r = build(reg([1, 2], [1], 1, { leaderRecoveryState: 1 }), all, { leaderRecoveryState: 0 });
    expect(r).toEqual({ type: 'PartitionChange', topicId: T, partitionId: 0, leaderRecoveryState: 0 });
  });

  it('the fluent builder gives the same record', () => {
    const p = reg([1, 2, 3], [1, 2, 3], 2);
    expect(new PartitionChangeBuilder(T, 0, p, all).setElection('PREFERRED').setTargetIsr([1, 2]).build()).toEqual(
      build(p, all, { election: 'PREFERRED', isr: [1, 2] }),
    );
  });

  it('property: any start state, eligibility, target ISR and election give leader ∈ ISR or -1, ISR ⊆ replicas, eligible new leaders', () => {
    const ids = [1, 2, 3, 4, 5];
    const arbitraryCase = fc
      .shuffledSubarray(ids, { minLength: 1 })
      .chain((replicas) =>
        fc.record({
          replicas: fc.constant(replicas),
          isr: fc.subarray(replicas, { minLength: 1 }),
          leaderPick: fc.nat(),
          eligible: fc.subarray(ids),
          target: fc.option(fc.subarray(replicas), { nil: undefined }),
          election: fc.constantFrom<'ONLINE' | 'PREFERRED' | 'UNCLEAN'>('ONLINE', 'PREFERRED', 'UNCLEAN'),
        }),
      );
    fc.assert(
      fc.property(arbitraryCase, ({ replicas, isr, leaderPick, eligible, target, election }) => {
        const leader = leaderPick % (isr.length + 1) === isr.length ? -1 : isr[leaderPick % (isr.length + 1)]!;
        const p = reg(replicas, isr, leader);
        const ok = (b: number): boolean => eligible.includes(b);
        const r = build(p, ok, target === undefined ? { election } : { isr: target, election });
        const after = r === null ? p : applyPartitionChange(p, r);
        if (after.leader !== -1 && !after.isr.includes(after.leader)) return false;
        if (!after.isr.every((b) => after.replicas.includes(b)) || after.isr.length === 0) return false;
        if (after.leader !== leader && after.leader !== -1 && !ok(after.leader)) return false;
        // Nobody valid is left leaderless.
        if (after.leader === -1 && after.isr.some(ok)) return false;
        // A leader from outside the wanted ISR only by an unclean election, which marks RECOVERING.
        const wanted = target !== undefined && target.length > 0 ? target : isr;
        if (after.leader !== -1 && !wanted.includes(after.leader)) {
          return election === 'UNCLEAN' && after.isr.length === 1 && (after.leader === leader || after.leaderRecoveryState === 1);
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
