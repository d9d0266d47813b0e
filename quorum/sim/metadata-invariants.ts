// Invariants of the metadata image (issue 3), one pure function each, for the simulator (checked
// after every applied batch on every node) and for the chaos checker. Each returns a list of
// violations, empty when the image (or the step from one image to the next) is sound.
//
// - leader ∈ ISR or -1; ISR ⊆ replicas (every image);
// - a reassignment's adding and removing replicas are replicas, none both (every image);
// - a fenced or shutting-down broker never leads (every image) and is never added to an ISR
//   (from one image to the next; it may remain the last member of an ISR, as in Kafka);
// - leader and partition epochs never decrease (from one image to the next);
// - no two registered brokers share a broker epoch (every image).

import type { MetadataImageView, PartitionRegistration, TopicImage } from '../../metadata-log/image-types.js';

const VIOLATIONS_MAX = 20;

function eligible(image: MetadataImageView, brokerId: number): boolean {
  const b = image.broker(brokerId);
  return b !== undefined && !b.fenced && !b.inControlledShutdown;
}

function where(topic: TopicImage, partitionId: number, image: MetadataImageView): string {
  return `${topic.name}-${partitionId} at offset ${image.provenance.endOffset}`;
}

/** leader ∈ ISR or -1, ISR ⊆ replicas, adding/removing ⊆ replicas and disjoint, leaders eligible, broker epochs unique. */
export function checkImage(image: MetadataImageView): string[] {
  const out: string[] = [];
  const epochs = new Map<number, number>();
  for (const b of image.brokers()) {
    const other = epochs.get(b.brokerEpoch);
    if (other !== undefined) out.push(`brokers ${other} and ${b.brokerId} share broker epoch ${b.brokerEpoch}`);
    epochs.set(b.brokerEpoch, b.brokerId);
  }
  for (const topic of image.topics()) {
    topic.partitions.forEach((p, id) => {
      if (out.length >= VIOLATIONS_MAX) return;
      for (const m of p.isr) if (!p.replicas.includes(m)) out.push(`${where(topic, id, image)}: ISR member ${m} is not a replica (replicas ${p.replicas.join(',')})`);
      for (const m of p.addingReplicas) {
        if (!p.replicas.includes(m) || p.removingReplicas.includes(m)) out.push(`${where(topic, id, image)}: adding replica ${m} is not a replica, or is also being removed (replicas ${p.replicas.join(',')}, removing ${p.removingReplicas.join(',')})`);
      }
      for (const m of p.removingReplicas) if (!p.replicas.includes(m)) out.push(`${where(topic, id, image)}: removing replica ${m} is not a replica (replicas ${p.replicas.join(',')})`);
      if (p.leader !== -1) {
        if (!p.isr.includes(p.leader)) out.push(`${where(topic, id, image)}: leader ${p.leader} is not in the ISR ${p.isr.join(',')}`);
        if (!eligible(image, p.leader)) out.push(`${where(topic, id, image)}: leader ${p.leader} is ${describeBroker(image, p.leader)}`);
      }
    });
  }
  return out;
}

/** What changed from `before` to `after`: epochs only grow; no ineligible broker joins an ISR. */
export function checkImageStep(before: MetadataImageView, after: MetadataImageView): string[] {
  const out: string[] = [];
  for (const topic of after.topics()) {
    const old = before.topicById(topic.topicId);
    if (old === undefined || old === topic) continue;
    topic.partitions.forEach((p, id) => {
      if (out.length >= VIOLATIONS_MAX) return;
      const q: PartitionRegistration | undefined = old.partitions[id];
      if (q === undefined || q === p) return;
      if (p.leaderEpoch < q.leaderEpoch) out.push(`${where(topic, id, after)}: leader epoch went back from ${q.leaderEpoch} to ${p.leaderEpoch}`);
      if (p.partitionEpoch < q.partitionEpoch) out.push(`${where(topic, id, after)}: partition epoch went back from ${q.partitionEpoch} to ${p.partitionEpoch}`);
      for (const m of p.isr) {
        if (!q.isr.includes(m) && !eligible(after, m)) out.push(`${where(topic, id, after)}: ${describeBroker(after, m)} broker ${m} was added to the ISR`);
      }
    });
  }
  return out;
}

function describeBroker(image: MetadataImageView, brokerId: number): string {
  const b = image.broker(brokerId);
  if (b === undefined) return 'unregistered';
  if (b.fenced) return 'fenced';
  if (b.inControlledShutdown) return 'in controlled shutdown';
  return 'eligible';
}
