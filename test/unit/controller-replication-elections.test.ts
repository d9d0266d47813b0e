// Elections driven by broker state (fence / controlled shutdown / unfence) and the periodic passes
// (preferred-leader rebalance, unclean elections). Properties over random images with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { BrokerRegistration, MetadataImageView, PartitionRegistration, TopicImage } from '../../metadata-log/image-types.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import {
  brokerDrainChanges,
  brokerEligibleChanges,
  brokerIneligibleChanges,
  eligibility,
  preferredLeaderRebalance,
  uncleanElections,
} from '../../quorum/controller/replication/elections.js';
import { apply, broker, image, part, partitionRecord, topic, type BrokerSpec, type PartitionSpec } from './controller-replication-fixtures.js';

const UNCLEAN = { 'unclean.leader.election.enable': 'true' };

function invariantsHold(img: MetadataImageView): string | null {
  for (const t of img.topics()) {
    for (const [i, p] of t.partitions.entries()) {
      if (p.leader !== -1 && !p.isr.includes(p.leader)) return `${t.name}-${i}: leader ${p.leader} not in ISR [${p.isr}]`;
      if (!p.isr.every((r) => p.replicas.includes(r))) return `${t.name}-${i}: ISR [${p.isr}] not within replicas [${p.replicas}]`;
      if (new Set(p.isr).size !== p.isr.length) return `${t.name}-${i}: duplicate ISR [${p.isr}]`;
    }
  }
  return null;
}

describe('fence and controlled shutdown (brokerIneligibleChanges)', () => {
  it('(3 brokers) fencing the leader moves leadership to the next ISR member in replica order and shrinks ISRs', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), broker({ id: 3 }), ...topic('t', [{ replicas: [1, 2, 3] }, { replicas: [2, 3, 1] }, { replicas: [3, 2] }])]);
    const records = brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]])));
    expect(records).toHaveLength(2);
    const after = apply(img, records);
    expect(part(after, 't', 0)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 1 });
    expect(part(after, 't', 1)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 0 });
    expect(part(after, 't', 2)).toEqual(part(img, 't', 2));
  });

  it('the only ISR member fenced: ISR kept as is, leader -1', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('t', [{ replicas: [1, 2], isr: [1] }])]);
    const records = brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]])));
    expect(records).toEqual([{ type: 'PartitionChange', topicId: img.topicByName('t')!.topicId, partitionId: 0, leader: -1 }]);
    expect(part(apply(img, records), 't', 0)).toMatchObject({ leader: -1, isr: [1] });
  });

  it('the only ISR member fenced on a topic allowing unclean election: another eligible replica leads, RECOVERING', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('t', [{ replicas: [1, 2], isr: [1] }], UNCLEAN)]);
    const after = apply(img, brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]]))));
    expect(part(after, 't', 0)).toMatchObject({ leader: 2, isr: [2], leaderRecoveryState: 1 });
  });

  it('the cluster default from options turns unclean election on; the topic config can turn it off', () => {
    const img = image([
      broker({ id: 1 }),
      broker({ id: 2 }),
      ...topic('on', [{ replicas: [1, 2], isr: [1] }]),
      ...topic('off', [{ replicas: [1, 2], isr: [1] }], { 'unclean.leader.election.enable': 'false' }),
    ]);
    const after = apply(img, brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]])), { uncleanLeaderElectionEnable: true }));
    expect(part(after, 'on', 0).leader).toBe(2);
    expect(part(after, 'off', 0).leader).toBe(-1);
  });

  it('KIP-841: a broker in controlled shutdown is not chosen as the new leader', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2, shutdown: true }), broker({ id: 3 }), ...topic('t', [{ replicas: [1, 2, 3] }])]);
    const after = apply(img, brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]]))));
    expect(part(after, 't', 0)).toMatchObject({ leader: 3, isr: [2, 3] });
  });

  it('the broker counts as ineligible even when the predicate passed still says eligible', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('t', [{ replicas: [1, 2] }])]);
    expect(part(apply(img, brokerIneligibleChanges(img, 1, eligibility(img))), 't', 0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('property: after fencing any broker it leads nothing, is in no ISR beyond the last-member rule, and invariants hold', () => {
    fc.assert(
      fc.property(arbitraryImage(), fc.nat(), fc.boolean(), ({ img }, pick, clusterUnclean) => {
        const ids = img.brokers().map((b) => b.brokerId);
        const b = ids[pick % ids.length]!;
        const isEligible = eligibility(img, new Map([[b, false]]));
        const records = brokerIneligibleChanges(img, b, isEligible, { uncleanLeaderElectionEnable: clusterUnclean });
        const after = apply(img, records);
        const broken = invariantsHold(after);
        if (broken !== null) throw new Error(broken);
        for (const t of after.topics()) {
          for (const [i, p] of t.partitions.entries()) {
            const before = img.topicById(t.topicId)!.partitions[i]!;
            if (p.leader === b) throw new Error(`${t.name}-${i} still led by ${b}`);
            if (p.isr.includes(b) && !(p.isr.length === 1 && before.isr.length === 1)) throw new Error(`${t.name}-${i}: ${b} still in ISR [${p.isr}]`);
            if (p.leader !== before.leader && p.leader !== -1 && !isEligible(p.leader)) throw new Error(`${t.name}-${i}: ineligible leader ${p.leader}`);
            // A leader that was valid and is not the fenced broker keeps its epoch.
            if (before.leader !== b && before.leader !== -1 && isEligible(before.leader) && p.leader !== before.leader) {
              throw new Error(`${t.name}-${i}: valid leader ${before.leader} moved to ${p.leader}`);
            }
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('large controlled shutdown in steps (brokerDrainChanges)', () => {
  it('at most max records, leaderships first; a partition whose other ISR members are all ineligible is left for the final step', () => {
    const img = image([
      broker({ id: 1 }),
      broker({ id: 2 }),
      broker({ id: 3, fenced: true }),
      ...topic('t', [
        { replicas: [2, 1], isr: [2, 1] }, // 1 follows
        { replicas: [1, 2], isr: [1, 2] }, // 1 leads
        { replicas: [1, 3], isr: [1, 3] }, // 1 leads, the other member is fenced: left
        { replicas: [1, 2], isr: [1] }, // 1 is the last ISR member: left
        { replicas: [1, 2], isr: [1, 2] }, // 1 leads
      ]),
    ]);
    const isEligible = eligibility(img, new Map([[1, false]]));
    const first = brokerDrainChanges(img, 1, isEligible, 2);
    expect(first.more).toBe(true);
    expect(first.records.map((r) => [r.partitionId, r.leader, r.isr])).toEqual([
      [1, 2, [2]],
      [4, 2, [2]],
    ]);
    const all = brokerDrainChanges(img, 1, isEligible, 3);
    expect(all.more).toBe(false);
    expect(all.records.map((r) => r.partitionId)).toEqual([1, 4, 0]);
    const after = apply(img, all.records);
    expect(invariantsHold(after)).toBeNull();
    expect(part(after, 't', 0)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 0 });
    expect(part(after, 't', 2)).toEqual(part(img, 't', 2));
    expect(part(after, 't', 3)).toEqual(part(img, 't', 3));
    // Nothing drainable left: an empty pass.
    expect(brokerDrainChanges(after, 1, eligibility(after, new Map([[1, false]])), 3)).toEqual({ records: [], more: false });
  });

  it('a pass starts at the cursor and goes round every topic once: a stale or unknown cursor misses nothing', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...['a', 'b', 'c', 'd'].flatMap((name) => topic(name, [{ replicas: [1, 2] }, { replicas: [2, 1] }]))]);
    const isEligible = eligibility(img, new Map([[1, false]]));
    const order = [...img.topics()].map((t) => t.topicId);
    const first = brokerDrainChanges(img, 1, isEligible, 1);
    expect(first).toMatchObject({ more: true, cursor: { leaderships: true, topicId: order[1] } });
    expect(first.records.map((r) => [r.topicId, r.partitionId])).toEqual([[order[0], 0]]);
    // From the cursor: the next leadership, in the next topic.
    const second = brokerDrainChanges(apply(img, first.records), 1, isEligible, 1, first.cursor);
    expect(second.records.map((r) => [r.topicId, r.partitionId])).toEqual([[order[1], 0]]);
    // A cursor at the last topic (as if everything before it were done) still finds them all, wrapping round.
    const wrapped = brokerDrainChanges(img, 1, isEligible, 100, { leaderships: true, topicId: order[3]! });
    expect(wrapped.more).toBe(false);
    // Leaderships from the cursor round to it; then the other memberships from the first topic.
    expect(wrapped.records.map((r) => [r.topicId, r.partitionId])).toEqual([
      [order[3], 0],
      [order[0], 0],
      [order[1], 0],
      [order[2], 0],
      [order[0], 1],
      [order[1], 1],
      [order[2], 1],
      [order[3], 1],
    ]);
    // A cursor in the ISR phase skips leaderships (the final step's movesOff takes any left); an unknown topic starts over.
    expect(brokerDrainChanges(img, 1, isEligible, 100, { leaderships: false, topicId: order[0]! }).records.every((r) => r.partitionId === 1)).toBe(true);
    expect(brokerDrainChanges(img, 1, isEligible, 100, { leaderships: false, topicId: 'gone' as never }).records).toHaveLength(8);
  });
});

describe('unfence (brokerEligibleChanges)', () => {
  it('a leaderless partition whose ISR holds the unfenced broker gets it as leader', () => {
    const base = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('t', [{ replicas: [1, 2], isr: [1] }])]);
    const fenced = apply(base, [
      { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 101, fenced: true },
      ...brokerIneligibleChanges(base, 1, eligibility(base, new Map([[1, false]]))),
    ]);
    expect(part(fenced, 't', 0)).toMatchObject({ leader: -1, isr: [1] });
    // The image still says fenced: the unfence record goes in the same operation.
    const records = brokerEligibleChanges(fenced, 1, eligibility(fenced));
    expect(part(apply(fenced, records), 't', 0)).toMatchObject({ leader: 1, isr: [1], leaderEpoch: 2 });
  });

  it('a leaderless partition on a topic allowing unclean election elects the unfenced replica outside the ISR', () => {
    const img = image([broker({ id: 1, fenced: true }), broker({ id: 2, fenced: true }), ...topic('t', [{ replicas: [1, 2], isr: [1], leader: -1 }], UNCLEAN)]);
    const after = apply(img, brokerEligibleChanges(img, 2, eligibility(img)));
    expect(part(after, 't', 0)).toMatchObject({ leader: 2, isr: [2], leaderRecoveryState: 1 });
  });

  it('without unclean election, a replica outside the ISR is not elected', () => {
    const img = image([broker({ id: 1, fenced: true }), broker({ id: 2, fenced: true }), ...topic('t', [{ replicas: [1, 2], isr: [1], leader: -1 }])]);
    expect(brokerEligibleChanges(img, 2, eligibility(img))).toEqual([]);
  });

  it('a broker in controlled shutdown is not elected on unfence', () => {
    const img = image([broker({ id: 1, shutdown: true }), ...topic('t', [{ replicas: [1], isr: [1], leader: -1 }])]);
    expect(brokerEligibleChanges(img, 1, eligibility(img))).toEqual([]);
  });

  it('property: after unfencing, every partition with an eligible ISR member has an eligible leader (leaderless or led by an ineligible broker before); invariants hold', () => {
    fc.assert(
      fc.property(arbitraryImage(), fc.nat(), ({ img }, pick) => {
        const ids = img.brokers().map((b) => b.brokerId);
        const b = ids[pick % ids.length]!;
        const reg = img.broker(b)!;
        const records: MetadataRecord[] = [
          { type: 'BrokerRegistrationChange', brokerId: b, brokerEpoch: reg.brokerEpoch, fenced: false },
          ...brokerEligibleChanges(img, b, eligibility(img)),
        ];
        const after = apply(img, records);
        const broken = invariantsHold(after);
        if (broken !== null) throw new Error(broken);
        const ok = eligibility(after);
        for (const t of after.topics()) {
          for (const [i, p] of t.partitions.entries()) {
            if (p.leader === -1 && p.isr.some(ok)) throw new Error(`${t.name}-${i} leaderless with eligible ISR [${p.isr}]`);
            if (p.leader !== -1 && !ok(p.leader) && p.isr.some(ok)) throw new Error(`${t.name}-${i} led by ineligible ${p.leader} with eligible ISR [${p.isr}]`);
            const before = img.topicById(t.topicId)!.partitions[i]!;
            if (p.leader !== before.leader && !ok(p.leader)) throw new Error(`${t.name}-${i}: ineligible leader ${p.leader}`);
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('periodic passes', () => {
  it('preferred-leader rebalance moves leadership back to the preferred replica when eligible and in ISR', () => {
    const img = image([
      broker({ id: 1 }),
      broker({ id: 2 }),
      broker({ id: 3, fenced: true }),
      ...topic('t', [
        { replicas: [1, 2], leader: 2 }, // moves to 1
        { replicas: [1, 2], isr: [2], leader: 2 }, // 1 not in ISR: stays
        { replicas: [3, 1], isr: [3, 1], leader: 1 }, // 3 fenced: stays
        { replicas: [2, 1], leader: 2 }, // already preferred
      ]),
    ]);
    const pass = preferredLeaderRebalance(img, 1000, eligibility(img));
    expect(pass.more).toBe(false);
    expect(pass.records).toEqual([{ type: 'PartitionChange', topicId: img.topicByName('t')!.topicId, partitionId: 0, leader: 1 }]);
  });

  it('preferred-leader rebalance stops at its bound and says more; the next chunk goes on from its cursor', () => {
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('t', Array.from({ length: 5 }, () => ({ replicas: [1, 2], leader: 2 })))]);
    const first = preferredLeaderRebalance(img, 3, eligibility(img));
    expect(first.records).toHaveLength(3);
    expect(first.more).toBe(true);
    expect(first.cursor).toMatchObject({ topicIndex: 0, partition: 3 });
    const next = apply(img, first.records);
    const second = preferredLeaderRebalance(next, 3, eligibility(next), first.cursor);
    expect(second).toMatchObject({ more: false, cursor: undefined });
    expect(second.records.map((r) => r.partitionId)).toEqual([3, 4]);
  });

  /** Runs a periodic pass in chunks of `max` to its end, applying each chunk; returns the image and how often `isEligible` was asked. */
  function chunkedPass(img: MetadataImage, max: number, pass: typeof preferredLeaderRebalance): { img: MetadataImage; asked: number; chunks: number } {
    let asked = 0;
    let chunks = 0;
    let cursor: Parameters<typeof pass>[3];
    do {
      const eligible = eligibility(img);
      const r = pass(img, max, (id) => (asked++, eligible(id)), cursor);
      img = apply(img, r.records);
      cursor = r.cursor;
      chunks++;
    } while (cursor !== undefined);
    return { img, asked, chunks };
  }

  it('a chunked pass looks at each partition once in all, not once per chunk (linear, not quadratic, in partitions)', () => {
    // 200 partitions whose preferred replica (3) is fenced come first: every rescan from the first
    // topic asks about each of them again. 20 partitions need an election, one per chunk.
    const img = image([
      broker({ id: 1 }),
      broker({ id: 2 }),
      broker({ id: 3, fenced: true }),
      ...topic('a-blocked', Array.from({ length: 200 }, () => ({ replicas: [3, 1], isr: [3, 1], leader: 1 }))),
      ...topic('b-moves', Array.from({ length: 20 }, () => ({ replicas: [1, 2], leader: 2 }))),
    ]);
    const run = chunkedPass(img, 1, preferredLeaderRebalance);
    expect(run.chunks).toBe(20);
    for (let p = 0; p < 20; p++) expect(part(run.img, 'b-moves', p).leader).toBe(1);
    // About once per partition (220), plus the elections' own questions and each chunk's stopping
    // point: 279 here. Rescanning from the first topic in each chunk asks 20 × 200 = 4,000 times.
    expect(run.asked).toBeLessThanOrEqual(2 * 220);
  });

  it('a chunked pass skips topics deleted since its first chunk and sees partitions added to the topic it stopped in', () => {
    const moves = { replicas: [1, 2], leader: 2 };
    const img = image([broker({ id: 1 }), broker({ id: 2 }), ...topic('a', [moves, moves]), ...topic('b', [moves, moves])]);
    const first = preferredLeaderRebalance(img, 1, eligibility(img));
    const [reached, notReached] = first.cursor!.topicIds.map((id) => img.topicById(id)!);
    expect(first.cursor).toMatchObject({ topicIndex: 0, partition: 1 });
    const next = apply(img, [
      ...first.records,
      { type: 'RemoveTopic', topicId: notReached!.topicId },
      partitionRecord(reached!.topicId, reached!.partitions.length, moves),
    ]);
    const rest = preferredLeaderRebalance(next, 100, eligibility(next), first.cursor);
    expect(rest.more).toBe(false);
    const after = apply(next, rest.records);
    expect(after.topicById(notReached!.topicId)).toBeUndefined();
    expect(after.topicById(reached!.topicId)!.partitions.map((p) => p.leader)).toEqual([1, 1, 1]);
  });

  it('unclean elections only touch leaderless partitions of topics that allow it, bounded', () => {
    const img = image([
      broker({ id: 1, fenced: true }),
      broker({ id: 2 }),
      ...topic('u', [{ replicas: [1, 2], isr: [1], leader: -1 }, { replicas: [1, 2], isr: [1], leader: -1 }], UNCLEAN),
      ...topic('c', [{ replicas: [1, 2], isr: [1], leader: -1 }]),
    ]);
    const pass = uncleanElections(img, { uncleanLeaderElectionEnable: false }, 1, eligibility(img));
    expect(pass.more).toBe(true);
    expect(pass.records).toEqual([{ type: 'PartitionChange', topicId: img.topicByName('u')!.topicId, partitionId: 0, leader: 2, isr: [2], leaderRecoveryState: 1 }]);
    const after = apply(img, pass.records);
    const rest = uncleanElections(after, { uncleanLeaderElectionEnable: false }, 1, eligibility(after), pass.cursor);
    expect(rest).toMatchObject({ more: false, records: [{ partitionId: 1, leader: 2 }] });
    const all = uncleanElections(img, { uncleanLeaderElectionEnable: true }, 100, eligibility(img));
    expect(all.records).toHaveLength(3);
    expect(all.more).toBe(false);
  });
});

describe('scale', () => {
  /** The best of three runs: the two shared cores are busy with other work, a minimum is the fair figure. */
  function bestMs(fn: () => unknown): number {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      fn();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  it('(1M partitions, 12 brokers) fence and unfence scans: 200 ms target (asserted with slack for a loaded machine)', () => {
    const img = bigImage(100_000, 10, 12);
    // Broker 13 is registered but holds nothing: the pure scan. Broker 1 is in a quarter of the ISRs.
    const scanMs = bestMs(() => brokerIneligibleChanges(img, 13, eligibility(img, new Map([[13, false]]))));
    const unfenceMs = bestMs(() => brokerEligibleChanges(img, 1, eligibility(img)));
    let records = 0;
    const fenceMs = bestMs(() => (records = brokerIneligibleChanges(img, 1, eligibility(img, new Map([[1, false]]))).length));
    expect(records).toBe(250_000);
    console.log(`1M partitions: fence scan ${scanMs.toFixed(0)} ms, unfence scan ${unfenceMs.toFixed(0)} ms, fence with 250k changes ${fenceMs.toFixed(0)} ms`);
    expect(scanMs).toBeLessThan(1000);
    expect(unfenceMs).toBeLessThan(1000);
    expect(fenceMs).toBeLessThan(3000);
  });
});

// ---- generators -----------------------------------------------------------------------------

interface Generated {
  readonly img: MetadataImage;
}

function arbitraryImage(): fc.Arbitrary<Generated> {
  return fc.integer({ min: 1, max: 6 }).chain((n) => {
    const brokerSpecs = fc.array(fc.constantFrom<'ok' | 'fenced' | 'shutdown'>('ok', 'ok', 'fenced', 'shutdown'), { minLength: n, maxLength: n });
    const partitionSpec: fc.Arbitrary<PartitionSpec> = fc
      .shuffledSubarray(
        Array.from({ length: n }, (_, i) => i + 1),
        { minLength: 1, maxLength: Math.min(n, 4) },
      )
      .chain((replicas) =>
        fc.tuple(fc.subarray(replicas, { minLength: 1 }), fc.nat()).map(([isr, leaderPick]): PartitionSpec => {
          const leaderIndex = leaderPick % (isr.length + 1);
          return { replicas, isr, leader: leaderIndex === isr.length ? -1 : isr[leaderIndex]! };
        }),
      );
    const topics = fc.array(fc.tuple(fc.array(partitionSpec, { minLength: 1, maxLength: 5 }), fc.boolean()), { minLength: 1, maxLength: 4 });
    return fc.tuple(brokerSpecs, topics).map(([states, ts]): Generated => {
      const records: MetadataRecord[] = states.map((s, i) => broker({ id: i + 1, fenced: s === 'fenced', shutdown: s === 'shutdown' } satisfies BrokerSpec));
      ts.forEach(([parts, unclean], i) => records.push(...topic(`gen-${i}`, parts, unclean ? UNCLEAN : {})));
      return { img: image(records) };
    });
  });
}

/** A minimal MetadataImageView with `topics × partitions` partitions over `brokers` brokers, RF 3. */
function bigImage(topicCount: number, partitionsPerTopic: number, brokerCount: number): MetadataImageView {
  const brokers: BrokerRegistration[] = Array.from({ length: brokerCount + 1 }, (_, i) => ({
    brokerId: i + 1,
    incarnationId: 'AAAAAAAAAAAAAAAAAAAAAA',
    brokerEpoch: 1,
    endpoints: [],
    rack: null,
    fenced: false,
    inControlledShutdown: false,
    features: [],
  }));
  const topics: TopicImage[] = [];
  let k = 0;
  for (let t = 0; t < topicCount; t++) {
    const partitions: PartitionRegistration[] = [];
    for (let p = 0; p < partitionsPerTopic; p++, k++) {
      const replicas = [1 + (k % brokerCount), 1 + ((k + 1) % brokerCount), 1 + ((k + 2) % brokerCount)];
      partitions.push({ replicas, isr: replicas, removingReplicas: [], addingReplicas: [], leader: replicas[0]!, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 });
    }
    topics.push({ name: `t${t}`, topicId: `t${t}`, partitions });
  }
  const empty = new Map<string, string>();
  return {
    provenance: { endOffset: 0, epoch: 0 },
    featureLevel: () => undefined,
    features: () => new Map(),
    broker: (id) => brokers[id - 1],
    brokers: () => brokers,
    brokerCount: brokerCount + 1,
    topicById: () => undefined,
    topicByName: () => undefined,
    topicNamesUnifiedAs: () => [],
    topics: () => topics.values(),
    topicCount,
    partitionCount: topicCount * partitionsPerTopic,
    configs: () => empty,
    nextProducerId: 0,
    groupOffsets: () => undefined,
    committedOffset: () => undefined,
    groupIds: () => [].values(),
    groupMetadata: () => undefined,
    groupMetadataIds: () => [].values(),
    zkMigrationState: 0,
    acls: () => [].values(),
    acl: () => undefined,
    aclCount: 0,
    clientQuotas: () => [].values(),
    clientQuota: () => undefined,
    clientQuotaCount: 0,
    scramUsers: () => [].values(),
    scramUser: () => undefined,
    scramUserCount: 0,
  };
}
