// Partition reassignment (quorum/controller/replication/reassignments.ts): starting, completing
// (through AlterPartition, as the leader's ISR expansion does, and through any other change),
// replacing and cancelling a move, the refusals, listing, and a property over random sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { PartitionRegistration } from '../../metadata-log/image-types.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { alterPartition } from '../../quorum/controller/replication/alter-partition.js';
import { brokerDrainChanges, brokerEligibleChanges, brokerIneligibleChanges, preferredLeaderRebalance, uncleanElections } from '../../quorum/controller/replication/elections.js';
import { eligibility } from '../../quorum/controller/replication/eligibility.js';
import {
  alterPartitionReassignments,
  listPartitionReassignments,
  type ReassignablePartition,
} from '../../quorum/controller/replication/reassignments.js';
import { createPartitions } from '../../quorum/controller/replication/create-partitions.js';
import type { PartitionRecord } from '../../metadata-log/records/types.js';
import { apply, broker, brokers, ctx, image, part, rng, tid, topic } from './controller-replication-fixtures.js';

function reassign(img: MetadataImage, name: string, partitions: ReassignablePartition[], overrides = {}) {
  return alterPartitionReassignments(ctx(img, overrides), { topics: [{ name, partitions }] });
}

/** Runs an operation's records into the image; returns the new image and the per-partition codes. */
function run(img: MetadataImage, name: string, partitions: ReassignablePartition[], overrides = {}): { img: MetadataImage; codes: number[]; records: readonly MetadataRecord[] } {
  const r = reassign(img, name, partitions, overrides);
  return { img: apply(img, r.records), codes: r.response.responses[0]!.partitions.map((p) => p.errorCode), records: r.records };
}

/** The leader's AlterPartition adding every eligible replica to the ISR (broker/isr-expander.ts). */
function expandIsr(img: MetadataImage, name: string, partitionId: number) {
  const p = part(img, name, partitionId);
  const eligible = eligibility(img);
  const isr = [...p.isr, ...p.replicas.filter((r) => !p.isr.includes(r) && eligible(r))];
  const r = alterPartition(ctx(img), {
    brokerId: p.leader,
    brokerEpoch: img.broker(p.leader)!.brokerEpoch,
    topics: [
      {
        topicId: tid(name),
        partitions: [{ partitionIndex: partitionId, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsrWithEpochs: isr.map((id) => ({ brokerId: id, brokerEpoch: img.broker(id)!.brokerEpoch })), leaderRecoveryState: 0 }],
      },
    ],
  });
  return { img: apply(img, r.records), answer: r.response.topics[0]!.partitions[0]!, records: r.records };
}

const settled = (p: PartitionRegistration) => p.addingReplicas.length === 0 && p.removingReplicas.length === 0;

describe('partition reassignment', () => {
  const base = image([...brokers(6), ...topic('t', [{ replicas: [1, 2, 3] }, { replicas: [2, 3, 1] }])]);

  it('starting a move: replicas are the target then the ones leaving; adding and removing set; the leader and its epoch stay', () => {
    const { img, codes } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    expect(codes).toEqual([ErrorCode.NONE]);
    const p = part(img, 't', 0);
    expect(p).toMatchObject({ replicas: [4, 5, 1, 2, 3], addingReplicas: [4, 5], removingReplicas: [2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0 });
    expect(listPartitionReassignments(img, { topics: null })).toEqual({
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [4, 5, 1, 2, 3], addingReplicas: [4, 5], removingReplicas: [2, 3] }] }],
    });
  });

  it("the leader's ISR expansion completes it: the removing replicas leave, the leader epoch bumps, and the leader, still leading, is answered its new epoch (as Kafka)", () => {
    let { img } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    const before = part(img, 't', 0);
    const expanded = expandIsr(img, 't', 0);
    img = expanded.img;
    expect(expanded.answer).toMatchObject({ errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: before.leaderEpoch + 1, partitionEpoch: before.partitionEpoch + 1 });
    expect([...expanded.answer.isr].sort()).toEqual([1, 4, 5]);
    const p = part(img, 't', 0);
    expect(settled(p)).toBe(true);
    expect(p.replicas).toEqual([4, 5, 1]);
    expect([...p.isr].sort()).toEqual([1, 4, 5]);
    expect(p.leader).toBe(1); // still a member: it keeps leading
    expect(p.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(listPartitionReassignments(img, { topics: null }).topics).toEqual([]);
  });

  it('a move away from the leader elects a new one from the target when it completes; the old leader is told NEW_LEADER_ELECTED', () => {
    let { img } = run(base, 't', [{ partitionIndex: 0, replicas: [5, 6] }]);
    expect(part(img, 't', 0).leader).toBe(1);
    const expanded = expandIsr(img, 't', 0);
    expect(expanded.answer.errorCode).toBe(ErrorCode.NEW_LEADER_ELECTED);
    img = expanded.img;
    expect(part(img, 't', 0)).toMatchObject({ replicas: [5, 6], leader: 5, addingReplicas: [], removingReplicas: [] });
    expect([...part(img, 't', 0).isr].sort()).toEqual([5, 6]);
  });

  it('a target that only drops replicas completes in the alter itself', () => {
    const { img, records } = run(base, 't', [{ partitionIndex: 0, replicas: [2] }]);
    expect(records).toHaveLength(1);
    expect(part(img, 't', 0)).toMatchObject({ replicas: [2], isr: [2], leader: 2, addingReplicas: [], removingReplicas: [] });
  });

  it('not while completing would empty the ISR: a move to fenced brokers waits for them', () => {
    const fenced = apply(base, [{ ...broker({ id: 5, fenced: true }) }, { ...broker({ id: 6, fenced: true }) }]);
    let { img } = run(fenced, 't', [{ partitionIndex: 0, replicas: [5, 6] }]);
    img = expandIsr(img, 't', 0).img; // nobody eligible to add: nothing changes
    expect(part(img, 't', 0)).toMatchObject({ replicas: [5, 6, 1, 2, 3], addingReplicas: [5, 6], isr: [1, 2, 3] });
    img = apply(img, [broker({ id: 5 }), broker({ id: 6 })]); // back
    img = expandIsr(img, 't', 0).img;
    expect(part(img, 't', 0)).toMatchObject({ replicas: [5, 6], leader: 5, addingReplicas: [] });
  });

  it('any change that finds the adding replicas in sync completes the move: an imported one, at the fencing of its leader', () => {
    // Imported from ZooKeeper mid-move, the new replica already in sync: nothing asks to add it.
    let img = image([...brokers(4), { type: 'Topic', name: 'z', topicId: tid('z') }, { type: 'Partition', topicId: tid('z'), partitionId: 0, replicas: [4, 1], isr: [1, 4], addingReplicas: [4], removingReplicas: [1], leader: 1, leaderRecoveryState: 0, leaderEpoch: 3, partitionEpoch: 5 }]);
    img = apply(img, brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]]))));
    expect(part(img, 'z', 0)).toMatchObject({ replicas: [4], isr: [4], leader: 4, addingReplicas: [], removingReplicas: [], leaderEpoch: 4 });
  });

  it('a new target while one is in flight: computed from the replicas as they are, adding kept for replicas not yet proven in sync, abandoned ones dropped at once', () => {
    let { img } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    ({ img } = run(img, 't', [{ partitionIndex: 0, replicas: [4, 6, 2] }]));
    expect(part(img, 't', 0)).toMatchObject({ replicas: [4, 6, 2, 1, 3], addingReplicas: [4, 6], removingReplicas: [1, 3] });
    img = expandIsr(img, 't', 0).img;
    expect(part(img, 't', 0)).toMatchObject({ replicas: [4, 6, 2], addingReplicas: [], removingReplicas: [] });
    expect(part(img, 't', 0).leader).toBe(4); // the old leader 1 left: the first in-sync replica in the target's order
  });

  it('a cancel after re-targets goes back to the replicas from before the first move', () => {
    let { img } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 6] }]);
    ({ img } = run(img, 't', [{ partitionIndex: 0, replicas: [5, 1] }]));
    ({ img } = run(img, 't', [{ partitionIndex: 0, replicas: [6, 2, 4] }]));
    ({ img } = run(img, 't', [{ partitionIndex: 0, replicas: null }]));
    expect(part(img, 't', 0)).toMatchObject({ replicas: [2, 1, 3], addingReplicas: [], removingReplicas: [] });
    expect([...part(img, 't', 0).isr].sort()).toEqual([1, 2, 3]);
  });

  it('an abandoned replica already in sync leaves the ISR too; kept (as removing) only while it is the only in-sync copy', () => {
    // [1] moving to [2, 1] with 3 fenced: 2 joins the ISR; then re-targeted to [3]: 2 is dropped.
    let img = image([...brokers(3), ...topic('w', [{ replicas: [1] }])]);
    ({ img } = run(img, 'w', [{ partitionIndex: 0, replicas: [1, 2, 3] }]));
    img = apply(img, [broker({ id: 3, fenced: true })]);
    img = expandIsr(img, 'w', 0).img;
    expect(part(img, 'w', 0)).toMatchObject({ isr: [1, 2], addingReplicas: [2, 3] });
    ({ img } = run(img, 'w', [{ partitionIndex: 0, replicas: [3, 1] }]));
    expect(part(img, 'w', 0)).toMatchObject({ replicas: [3, 1], isr: [1], addingReplicas: [3], removingReplicas: [] });
    // The only in-sync copy being an abandoned one: it stays, as removing, until the target catches up.
    let v = image([...brokers(3), ...topic('v', [{ replicas: [1] }])]);
    ({ img: v } = run(v, 'v', [{ partitionIndex: 0, replicas: [1, 2, 3] }]));
    v = apply(v, [broker({ id: 3, fenced: true })]);
    v = expandIsr(v, 'v', 0).img;
    v = apply(v, brokerIneligibleChanges(v, 1, eligibility(v, new Map([[1, false]]))));
    expect(part(v, 'v', 0)).toMatchObject({ isr: [2], leader: 2 });
    ({ img: v } = run(v, 'v', [{ partitionIndex: 0, replicas: [3] }]));
    expect(part(v, 'v', 0)).toMatchObject({ replicas: [3, 1, 2], isr: [2], leader: 2, addingReplicas: [3], removingReplicas: [1, 2] });
  });

  it('the same target again changes nothing', () => {
    const { img } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    const again = reassign(img, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    expect(again.records).toEqual([]);
    expect(again.response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('cancel: back to the replicas it is not adding, the ISR without them, the epoch bumped', () => {
    let { img } = run(base, 't', [{ partitionIndex: 0, replicas: [4, 5, 1] }]);
    const epoch = part(img, 't', 0).leaderEpoch;
    const cancelled = run(img, 't', [{ partitionIndex: 0, replicas: null }]);
    expect(cancelled.codes).toEqual([ErrorCode.NONE]);
    img = cancelled.img;
    expect(part(img, 't', 0)).toMatchObject({ replicas: [1, 2, 3], isr: [1, 2, 3], addingReplicas: [], removingReplicas: [], leader: 1 });
    expect(part(img, 't', 0).leaderEpoch).toBe(epoch + 1);
  });

  it('cancel with nothing moving: NO_REASSIGNMENT_IN_PROGRESS', () => {
    const r = reassign(base, 't', [{ partitionIndex: 0, replicas: null }]);
    expect(r.records).toEqual([]);
    expect(r.response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' });
  });

  /** [1,2] moving to [3,4] with 4 fenced; 3 joined the ISR, then 1 and 2 were fenced out: ISR [3], all of it being added. */
  function onlyAddingInSync(configs: Record<string, string> = {}): MetadataImage {
    let img = image([...brokers(3), broker({ id: 4, fenced: true }), ...topic('u', [{ replicas: [1, 2] }], configs)]);
    ({ img } = run(img, 'u', [{ partitionIndex: 0, replicas: [3, 4] }]));
    img = expandIsr(img, 'u', 0).img;
    expect(part(img, 'u', 0)).toMatchObject({ isr: [1, 2, 3], addingReplicas: [3, 4], removingReplicas: [1, 2] });
    for (const id of [1, 2]) {
      img = apply(img, brokerIneligibleChanges(img, id, eligibility(img, new Map([[id, false]]))));
      img = apply(img, [broker({ id, fenced: true })]);
    }
    expect(part(img, 'u', 0)).toMatchObject({ isr: [3], leader: 3, addingReplicas: [3, 4] });
    return img;
  }

  it('a cancel that would need an unclean election is refused unless the topic allows one', () => {
    const img = onlyAddingInSync();
    const r = reassign(img, 'u', [{ partitionIndex: 0, replicas: null }]);
    expect(r.records).toEqual([]);
    expect(r.response.responses[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Unable to revert partition assignment for u:0 because it would require an unclean leader election.',
    });
  });

  it('allowed, the cancel is an unclean election: the first eligible replica leads alone, RECOVERING; none eligible, the first replica is the ISR, leaderless', () => {
    const fencedOut = run(onlyAddingInSync({ 'unclean.leader.election.enable': 'true' }), 'u', [{ partitionIndex: 0, replicas: null }]);
    expect(fencedOut.codes).toEqual([ErrorCode.NONE]);
    expect(part(fencedOut.img, 'u', 0)).toMatchObject({ replicas: [1, 2], isr: [1], leader: -1, leaderRecoveryState: 1, addingReplicas: [], removingReplicas: [] });

    const back = apply(onlyAddingInSync({ 'unclean.leader.election.enable': 'true' }), [broker({ id: 2 })]);
    const cancelled = run(back, 'u', [{ partitionIndex: 0, replicas: null }]);
    expect(part(cancelled.img, 'u', 0)).toMatchObject({ replicas: [1, 2], isr: [2], leader: 2, leaderRecoveryState: 1 });
    // The cluster-wide default counts too.
    const byDefault = reassign(apply(onlyAddingInSync(), [broker({ id: 2 })]), 'u', [{ partitionIndex: 0, replicas: null }], { uncleanLeaderElectionEnable: true });
    expect(byDefault.response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('a cancel with every replica being added (an odd move imported from ZooKeeper) is refused for that partition alone, as Kafka', () => {
    // Nothing would be left to go back to: Kafka's PartitionReassignmentRevert refuses it.
    const img = image([...brokers(3), { type: 'Topic', name: 'z', topicId: tid('z') }, { type: 'Partition', topicId: tid('z'), partitionId: 0, replicas: [1, 2], isr: [1, 2], addingReplicas: [1, 2], removingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }, ...topic('t', [{ replicas: [1, 2] }])]);
    const moving = run(img, 't', [{ partitionIndex: 0, replicas: [3] }]).img;
    // Whether or not unclean election is allowed (with it, the builder was asked for no replicas at all and threw, failing the whole request).
    for (const uncleanLeaderElectionEnable of [false, true]) {
      const r = alterPartitionReassignments(ctx(moving, { uncleanLeaderElectionEnable }), {
        topics: [
          { name: 'z', partitions: [{ partitionIndex: 0, replicas: null }] },
          { name: 't', partitions: [{ partitionIndex: 0, replicas: null }] },
        ],
      });
      expect(r.response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Invalid replica assignment: addingReplicas contains all replicas.' });
      expect(r.response.responses[1]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(r.records).toHaveLength(1);
    }
  });

  it('unknown topic or partition and bad targets are refused per partition, the rest goes ahead', () => {
    const r = alterPartitionReassignments(ctx(base), {
      topics: [
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
        {
          name: 't',
          partitions: [
            { partitionIndex: 9, replicas: [1] },
            { partitionIndex: 0, replicas: [] },
            { partitionIndex: 0, replicas: [1, 1] },
            { partitionIndex: 0, replicas: [7] },
            { partitionIndex: 1, replicas: [4, 5, 6] },
          ],
        },
      ],
    });
    expect(r.response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named nope.' });
    expect(r.response.responses[1]!.partitions.map((p) => p.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.NONE,
    ]);
    expect(r.records).toHaveLength(1);
  });

  it('a malformed body is refused whole as INVALID_REQUEST', () => {
    for (const bad of [{}, { topics: 'x' }, { topics: [{ name: 1, partitions: [] }] }, { topics: [{ name: 't', partitions: [{ partitionIndex: 'a', replicas: [1] }] }] }, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: 'x' }] }] }]) {
      expect(() => alterPartitionReassignments(ctx(base), bad as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
    }
  });

  it('past the operation bound: POLICY_VIOLATION for the rest, the first ones written', () => {
    const r = reassign(base, 't', [{ partitionIndex: 0, replicas: [4] }, { partitionIndex: 1, replicas: [5] }], { maxRecordsPerOperation: 1 });
    expect(r.records).toHaveLength(1);
    expect(r.response.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.POLICY_VIOLATION]);
  });

  it('a partition named twice in one request: the second entry sees the first one\'s state', () => {
    const r = reassign(base, 't', [
      { partitionIndex: 0, replicas: [4, 5, 6] },
      { partitionIndex: 0, replicas: null },
    ]);
    expect(r.response.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const img = apply(base, r.records);
    expect(part(img, 't', 0)).toMatchObject({ replicas: [1, 2, 3], addingReplicas: [], removingReplicas: [] });
  });

  it('partitions added while partition 0 is moving get the replication factor it moves to, not the union', () => {
    const { img } = run(base, 't', [{ partitionIndex: 0, replicas: [5, 6] }]);
    expect(part(img, 't', 0).replicas).toHaveLength(5);
    const r = createPartitions(ctx(img), { topics: [{ name: 't', count: 3, assignments: null }], validateOnly: false }, rng());
    expect(r.response.results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((r.records[0] as PartitionRecord).replicas).toHaveLength(2);
  });

  it('list: only the named partitions that are moving; unknown names left out', () => {
    const { img } = run(base, 't', [{ partitionIndex: 1, replicas: [4, 5, 6] }]);
    expect(listPartitionReassignments(img, { topics: [{ name: 't', partitionIndexes: [0] }, { name: 'nope', partitionIndexes: [0] }] }).topics).toEqual([]);
    expect(listPartitionReassignments(img, { topics: [{ name: 't', partitionIndexes: [1, 1, 7] }] }).topics).toEqual([
      { name: 't', partitions: [{ partitionIndex: 1, replicas: [4, 5, 6, 2, 3, 1], addingReplicas: [4, 5, 6], removingReplicas: [2, 3, 1] }] },
    ]);
    expect(() => listPartitionReassignments(img, { topics: 'x' } as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
  });
});

describe('partition reassignment, random sequences', () => {
  type Step =
    | { readonly kind: 'alter'; readonly target: number[] }
    | { readonly kind: 'cancel' }
    | { readonly kind: 'expand' }
    | { readonly kind: 'fence' | 'unfence'; readonly broker: number };
  const brokerId = fc.integer({ min: 1, max: 6 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('alter' as const), target: fc.uniqueArray(brokerId, { minLength: 1, maxLength: 4 }) }),
    fc.constant({ kind: 'cancel' as const }),
    fc.constant({ kind: 'expand' as const }),
    fc.record({ kind: fc.constantFrom('fence' as const, 'unfence' as const), broker: brokerId }),
  );

  function checkInvariants(p: PartitionRegistration, eligible: (id: number) => boolean): void {
    const within = (xs: readonly number[]) => xs.every((x) => p.replicas.includes(x));
    expect(new Set(p.replicas).size).toBe(p.replicas.length);
    expect(p.isr.length).toBeGreaterThan(0);
    expect(within(p.isr)).toBe(true);
    if (p.leader !== -1) expect(p.isr.includes(p.leader) && eligible(p.leader)).toBe(true);
    expect(within(p.addingReplicas) && within(p.removingReplicas)).toBe(true);
    expect(p.addingReplicas.some((a) => p.removingReplicas.includes(a))).toBe(false);
    // A move that could complete has: every change to the partition tries.
    if (!settled(p)) {
      const couldComplete = p.addingReplicas.every((a) => p.isr.includes(a)) && p.isr.some((r) => !p.removingReplicas.includes(r));
      expect(couldComplete).toBe(false);
    }
  }

  it('keep the partition invariants; a settled move ends on its target, a cancelled one on the replicas it was not adding', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        let img = image([...brokers(6), ...topic('r', [{ replicas: [1, 2, 3] }])]);
        let lastTarget: number[] | null = null;
        /** The replicas before the move in flight began (null while settled). */
        let origin: readonly number[] | null = null;
        for (const s of steps) {
          const before = part(img, 'r', 0);
          if (s.kind === 'alter') {
            if (settled(before)) origin = before.replicas;
            const r = run(img, 'r', [{ partitionIndex: 0, replicas: s.target }]);
            img = r.img;
            expect(r.codes).toEqual([ErrorCode.NONE]); // all six are registered
            lastTarget = s.target;
          } else if (s.kind === 'cancel') {
            const r = run(img, 'r', [{ partitionIndex: 0, replicas: null }], { uncleanLeaderElectionEnable: true });
            img = r.img;
            if (settled(before)) expect(r.codes).toEqual([ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);
            else {
              expect(r.codes).toEqual([ErrorCode.NONE]);
              expect(part(img, 'r', 0).replicas).toEqual(before.replicas.filter((x) => !before.addingReplicas.includes(x)));
              // Back to the replicas from before the first move, unless an abandoned replica had to
              // stay as the only in-sync copy (a removing replica that was never the partition's).
              const strays = before.removingReplicas.filter((x) => !origin!.includes(x));
              if (strays.length === 0) expect([...part(img, 'r', 0).replicas].sort()).toEqual([...origin!].sort());
              lastTarget = null;
            }
          } else if (s.kind === 'expand') {
            if (before.leader !== -1) img = expandIsr(img, 'r', 0).img;
          } else {
            const fenced = s.kind === 'fence';
            if (img.broker(s.broker)!.fenced === fenced) continue;
            if (fenced) img = apply(img, brokerIneligibleChanges(img, s.broker, eligibility(img, new Map([[s.broker, false]]))));
            img = apply(img, [broker({ id: s.broker, fenced })]);
          }
          const p = part(img, 'r', 0);
          checkInvariants(p, eligibility(img));
          if (settled(p) && lastTarget !== null && (s.kind === 'alter' || !settled(before))) expect(p.replicas).toEqual(lastTarget);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('partition reassignment, random sequences from an imported move, with every kind of change', () => {
  const id = fc.integer({ min: 1, max: 5 });
  const step = fc.oneof(
    fc.record({ kind: fc.constant('alter' as const), target: fc.uniqueArray(id, { minLength: 1, maxLength: 4 }) }),
    fc.constant({ kind: 'cancel' as const }),
    fc.constant({ kind: 'expand' as const }),
    fc.constant({ kind: 'preferred' as const }),
    fc.constant({ kind: 'unclean' as const }),
    fc.record({ kind: fc.constantFrom('fence' as const, 'shutdown' as const, 'unfence' as const, 'drain' as const), broker: id }),
  );
  // A partition as migrate-from-zk may import it: adding and removing lists kept as ZooKeeper had
  // them, even outside the replicas or overlapping.
  const imported = fc.record({
    replicas: fc.uniqueArray(id, { minLength: 1, maxLength: 4 }),
    adding: fc.uniqueArray(id, { maxLength: 3 }),
    removing: fc.uniqueArray(id, { maxLength: 3 }),
    isrMask: fc.nat(),
    leaderPick: fc.nat(),
  });

  it('no change throws, and every change keeps leader ∈ ISR (eligible), ISR non-empty ⊆ replicas', () => {
    fc.assert(
      fc.property(imported, fc.array(step, { minLength: 1, maxLength: 30 }), fc.boolean(), (start, steps, unclean) => {
        const isr = start.replicas.filter((_, i) => ((start.isrMask >> i) & 1) === 1);
        const isr0 = isr.length > 0 ? isr : start.replicas.slice(0, 1);
        const leader = start.leaderPick % 3 === 0 ? -1 : isr0[start.leaderPick % isr0.length]!;
        let img = image([
          ...brokers(5),
          ...topic('m', [], unclean ? { 'unclean.leader.election.enable': 'true' } : {}),
          { type: 'Partition', topicId: tid('m'), partitionId: 0, replicas: start.replicas, isr: isr0, addingReplicas: start.adding, removingReplicas: start.removing, leader, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 },
        ]);
        for (const s of steps) {
          const isEligible = eligibility(img);
          const p0 = part(img, 'm', 0);
          let records: readonly MetadataRecord[] = [];
          if (s.kind === 'alter' || s.kind === 'cancel') records = reassign(img, 'm', [{ partitionIndex: 0, replicas: s.kind === 'alter' ? s.target : null }]).records;
          else if (s.kind === 'expand') {
            if (p0.leader !== -1 && isEligible(p0.leader)) records = expandIsr(img, 'm', 0).records;
          } else if (s.kind === 'preferred') records = preferredLeaderRebalance(img, 100, isEligible).records;
          else if (s.kind === 'unclean') records = uncleanElections(img, { uncleanLeaderElectionEnable: false }, 100, isEligible).records;
          else if (s.kind === 'drain') {
            if (isEligible(s.broker)) records = brokerDrainChanges(img, s.broker, eligibility(img, new Map([[s.broker, false]])), 100).records;
          } else if (s.kind === 'unfence') {
            const b = img.broker(s.broker)!;
            if (b.fenced || b.inControlledShutdown) records = [...brokerEligibleChanges(img, s.broker, eligibility(img, new Map([[s.broker, true]]))), broker({ id: s.broker })];
          } else if (isEligible(s.broker)) {
            records = [...brokerIneligibleChanges(img, s.broker, eligibility(img, new Map([[s.broker, false]]))), broker({ id: s.broker, fenced: s.kind === 'fence', shutdown: s.kind === 'shutdown' })];
          }
          img = apply(img, records);
          const p = part(img, 'm', 0);
          expect(new Set(p.replicas).size).toBe(p.replicas.length);
          expect(p.isr.length).toBeGreaterThan(0);
          expect(p.isr.every((r) => p.replicas.includes(r))).toBe(true);
          if (p.leader !== -1) expect(p.isr.includes(p.leader) && eligibility(img)(p.leader)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
