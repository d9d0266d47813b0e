// The partition counts behind the controller's and brokers' gauges: what each counts (Kafka's
// definitions), and that the per-topic cache never serves a count from a topic that has changed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { partitionCounts } from '../../quorum/metrics/partition-summary.js';
import { partitionRecord, testUuid } from '../support/image-records.js';

const uuid = testUuid;

const partition = partitionRecord;

const T1 = uuid(1);
const T2 = uuid(2);

describe('partition counts', () => {
  it('count offline, under-replicated, preferred-leader imbalance, reassigning and leaders per broker as Kafka defines them', () => {
    const image = imageOf([
      { type: 'Topic', name: 'a', topicId: T1 },
      partition(T1, 0, [1, 2, 3]), // healthy, led by its preferred replica
      partition(T1, 1, [1, 2, 3], { leader: 2 }), // led by another replica: imbalanced
      partition(T1, 2, [1, 2, 3], { leader: -1, isr: [] }), // offline: imbalanced and under-replicated too
      partition(T1, 3, [2, 3, 1], { isr: [2, 3] }), // under-replicated, led by 2
      { type: 'Topic', name: 'b', topicId: T2 },
      // Moving 3 -> 4: replicas are the union; the factor is 3 (4 replicas minus 1 removing).
      partition(T2, 0, [1, 2, 4, 3], { isr: [1, 2, 3], addingReplicas: [4], removingReplicas: [3] }),
      partition(T2, 1, [1, 2, 4, 3], { isr: [1, 2, 4], addingReplicas: [4], removingReplicas: [3] }),
    ]);
    const c = partitionCounts(image);
    expect(c.partitions).toBe(6);
    expect(c.offline).toBe(1);
    expect(c.preferredImbalance).toBe(2);
    // T1-2 (isr 0 of 3), T1-3 (2 of 3); T2-0 has 3 in sync of a factor of 3 but lacks the adding replica: 3 < 4 - 1 is false.
    expect(c.underReplicated).toBe(2);
    expect(c.reassigning).toBe(2);
    expect(Object.fromEntries(c.leaders)).toEqual({ 1: 3, 2: 2 });
    expect(Object.fromEntries(c.underReplicatedByLeader)).toEqual({ 2: 1 });
  });

  it('follow every change of the image, whatever the cache holds from earlier images (property)', () => {
    const base = imageOf([
      { type: 'Topic', name: 'a', topicId: T1 },
      ...[0, 1, 2, 3].map((p) => partition(T1, p, [1, 2, 3])),
      { type: 'Topic', name: 'b', topicId: T2 },
      ...[0, 1].map((p) => partition(T2, p, [2, 3, 1])),
    ]);
    const change = fc.record({
      topic: fc.constantFrom(T1, T2),
      partition: fc.nat(3),
      leader: fc.constantFrom(-1, 1, 2, 3),
      isrSize: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 30 }), (changes) => {
        let image: MetadataImage = base;
        partitionCounts(image); // fill the cache from the base
        for (const ch of changes) {
          const topic = image.topicById(ch.topic)!;
          const p = ch.partition % topic.partitions.length;
          const replicas = topic.partitions[p]!.replicas;
          const isr = replicas.slice(0, ch.isrSize);
          const leader = ch.leader >= 0 && !isr.includes(ch.leader) ? -1 : ch.leader;
          const record: MetadataRecord = { type: 'PartitionChange', topicId: ch.topic, partitionId: p, isr, leader };
          image = replayAll(image, [record], { endOffset: image.provenance.endOffset + 1, epoch: 1 });
          expect(partitionCounts(image)).toEqual(countFromScratch(image));
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** The same counts, written out plainly over every partition (no cache). */
function countFromScratch(image: MetadataImage) {
  let partitions = 0;
  let offline = 0;
  let underReplicated = 0;
  let preferredImbalance = 0;
  let reassigning = 0;
  const leaders = new Map<number, number>();
  const underReplicatedByLeader = new Map<number, number>();
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      partitions++;
      if (p.leader === -1) offline++;
      if (p.leader !== p.replicas[0]) preferredImbalance++;
      if (p.addingReplicas.length + p.removingReplicas.length > 0) reassigning++;
      const under = p.isr.length + p.removingReplicas.length < p.replicas.length;
      if (under) underReplicated++;
      if (p.leader !== -1) {
        leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
        if (under) underReplicatedByLeader.set(p.leader, (underReplicatedByLeader.get(p.leader) ?? 0) + 1);
      }
    }
  }
  return { partitions, offline, underReplicated, preferredImbalance, reassigning, leaders, underReplicatedByLeader };
}
