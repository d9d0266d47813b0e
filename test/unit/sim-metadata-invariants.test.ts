// The metadata invariants (quorum/sim/metadata-invariants.ts) on hand-built images: each check
// must flag the bad image it is named after, name where, and stay quiet on a sound one. Images are
// replayed from records (imageOf / replayAll); the delta builds these bad images without
// complaint, since it trusts the controller that wrote the log. One check reads a fake view to
// show the functions need nothing but MetadataImageView.

import { describe, expect, it } from 'vitest';
import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { BrokerRegistration, MetadataImageView, TopicImage } from '../../metadata-log/image-types.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataRecord, PartitionChangeRecord, PartitionRecord, RegisterBrokerRecord } from '../../metadata-log/records/types.js';
import { checkImage, checkImageStep } from '../../quorum/sim/metadata-invariants.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const OTHER_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function broker(brokerId: number, state: { fenced?: boolean; inControlledShutdown?: boolean; brokerEpoch?: number } = {}): RegisterBrokerRecord {
  return {
    type: 'RegisterBroker',
    brokerId,
    incarnationId: `AAAAAAAAAAAAAAAAAAAA${String(brokerId).padStart(2, '0')}`,
    brokerEpoch: state.brokerEpoch ?? 100 + brokerId,
    endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9000 + brokerId, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: state.fenced ?? false,
    inControlledShutdown: state.inControlledShutdown ?? false,
    features: [],
  };
}

interface PartitionSpec {
  readonly replicas?: readonly number[];
  readonly isr?: readonly number[];
  readonly leader?: number;
  readonly leaderEpoch?: number;
  readonly partitionEpoch?: number;
}

function partition(partitionId: number, spec: PartitionSpec = {}, topicId = TOPIC_ID): PartitionRecord {
  const replicas = spec.replicas ?? [1, 2, 3];
  return {
    type: 'Partition',
    topicId,
    partitionId,
    replicas,
    isr: spec.isr ?? replicas,
    removingReplicas: [],
    addingReplicas: [],
    leader: spec.leader ?? replicas[0]!,
    leaderRecoveryState: 0,
    leaderEpoch: spec.leaderEpoch ?? 0,
    partitionEpoch: spec.partitionEpoch ?? 0,
  };
}

/** Brokers 1-3 (eligible unless `brokers` says otherwise) and topic t with the given partitions. */
function image(partitions: readonly PartitionSpec[], brokers: readonly RegisterBrokerRecord[] = [broker(1), broker(2), broker(3)]): MetadataImage {
  const records: MetadataRecord[] = [...brokers, { type: 'Topic', name: 't', topicId: TOPIC_ID }, ...partitions.map((p, i) => partition(i, p))];
  return imageOf(records);
}

function step(before: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return replayAll(before, records, { endOffset: before.provenance.endOffset + records.length, epoch: 1 });
}

function change(partitionId: number, fields: Omit<PartitionChangeRecord, 'type' | 'topicId' | 'partitionId'>): PartitionChangeRecord {
  return { type: 'PartitionChange', topicId: TOPIC_ID, partitionId, ...fields };
}

describe('checkImage', () => {
  it('a sound image (leaders in their ISRs, leaderless partitions, a fenced last ISR member) has no violations', () => {
    const img = image(
      [{ leader: 2 }, { leader: 2, isr: [2, 3] }, { leader: -1, isr: [1] }, { replicas: [3, 1], isr: [3], leader: 3 }],
      [broker(1, { fenced: true }), broker(2), broker(3)],
    );
    expect(checkImage(img)).toEqual([]);
  });

  it('the empty image has no violations', () => {
    expect(checkImage(imageOf([]))).toEqual([]);
  });

  it('flags a leader outside the ISR, naming the partition and offset', () => {
    const img = image([{}, { leader: 1, isr: [2, 3] }]);
    expect(checkImage(img)).toEqual([`t-1 at offset ${img.provenance.endOffset}: leader 1 is not in the ISR 2,3`]);
  });

  it('flags an ISR member that is not a replica', () => {
    const img = image([{ replicas: [1, 2], isr: [1, 2, 3], leader: 1 }]);
    expect(checkImage(img)).toEqual([`t-0 at offset ${img.provenance.endOffset}: ISR member 3 is not a replica (replicas 1,2)`]);
  });

  it("flags a reassignment's adding or removing replica that is not a replica, and one both adding and removed", () => {
    const sound = step(image([{}]), [change(0, { replicas: [4, 1, 2, 3], addingReplicas: [4], removingReplicas: [1] })]);
    expect(checkImage(sound)).toEqual([]);
    const outside = step(image([{}]), [change(0, { addingReplicas: [4], removingReplicas: [5] })]);
    expect(checkImage(outside)).toEqual([
      `t-0 at offset ${outside.provenance.endOffset}: adding replica 4 is not a replica, or is also being removed (replicas 1,2,3, removing 5)`,
      `t-0 at offset ${outside.provenance.endOffset}: removing replica 5 is not a replica (replicas 1,2,3)`,
    ]);
    const both = step(image([{}]), [change(0, { addingReplicas: [2], removingReplicas: [2] })]);
    expect(checkImage(both)).toHaveLength(1);
  });

  it('flags a fenced leader, even one in the ISR', () => {
    const img = image([{ leader: 2 }], [broker(1), broker(2, { fenced: true }), broker(3)]);
    expect(checkImage(img)).toEqual([`t-0 at offset ${img.provenance.endOffset}: leader 2 is fenced`]);
  });

  it('flags a leader in controlled shutdown', () => {
    const img = image([{ leader: 3 }], [broker(1), broker(2), broker(3, { inControlledShutdown: true })]);
    expect(checkImage(img)).toEqual([`t-0 at offset ${img.provenance.endOffset}: leader 3 is in controlled shutdown`]);
  });

  it('flags a leader that is not registered at all', () => {
    const img = image([{ replicas: [1, 2, 9], leader: 9 }]);
    expect(checkImage(img)).toEqual([`t-0 at offset ${img.provenance.endOffset}: leader 9 is unregistered`]);
  });

  it('flags a leader outside the ISR that is also fenced twice over', () => {
    const img = image([{ leader: 1, isr: [2, 3] }], [broker(1, { fenced: true }), broker(2), broker(3)]);
    expect(checkImage(img)).toHaveLength(2);
  });

  it('flags two brokers sharing a broker epoch', () => {
    const img = image([{}], [broker(1, { brokerEpoch: 7 }), broker(2), broker(3, { brokerEpoch: 7 })]);
    expect(checkImage(img)).toEqual(['brokers 1 and 3 share broker epoch 7']);
  });

  it('checks every topic, not only the first', () => {
    const img = replayAll(image([{}]), [{ type: 'Topic', name: 'u', topicId: OTHER_ID }, partition(0, { leader: 2, isr: [1] }, OTHER_ID)], { endOffset: 99, epoch: 1 });
    expect(checkImage(img)).toEqual(['u-0 at offset 99: leader 2 is not in the ISR 1']);
  });

  it('reports a bounded number of partition violations', () => {
    const bad = Array.from({ length: 100 }, () => ({ leader: 1, isr: [2] }));
    const out = checkImage(image(bad));
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThanOrEqual(21);
  });

  it('reads nothing but the MetadataImageView surface (a fake view)', () => {
    const brokers: BrokerRegistration[] = [
      { brokerId: 1, incarnationId: 'x', brokerEpoch: 5, endpoints: [], rack: null, fenced: false, inControlledShutdown: true, features: [] },
    ];
    const topic: TopicImage = {
      name: 'f',
      topicId: TOPIC_ID,
      partitions: [{ replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }],
    };
    const view = {
      provenance: { endOffset: 42, epoch: 3 },
      broker: (id: number) => brokers.find((b) => b.brokerId === id),
      brokers: () => brokers,
      brokerCount: 1,
      topics: () => [topic][Symbol.iterator](),
      topicById: (id: string) => (id === TOPIC_ID ? topic : undefined),
    } as unknown as MetadataImageView;
    expect(checkImage(view)).toEqual(['f-0 at offset 42: leader 1 is in controlled shutdown']);
  });
});

describe('checkImageStep', () => {
  it('an ordinary step (leader moves, ISR shrinks and grows with eligible brokers) has no violations', () => {
    const before = image([{}, { leader: 2, isr: [2] }]);
    const after = step(before, [change(0, { leader: 2, isr: [2, 3] }), change(1, { isr: [2, 3, 1] })]);
    expect(checkImageStep(before, after)).toEqual([]);
  });

  it('an unchanged image and an untouched topic are not looked at', () => {
    const before = image([{}]);
    expect(checkImageStep(before, before)).toEqual([]);
    const after = step(before, [broker(4)]);
    expect(checkImageStep(before, after)).toEqual([]);
  });

  it('flags a leader epoch that went back', () => {
    const before = image([{ leaderEpoch: 5, partitionEpoch: 5 }]);
    const after = step(before, [partition(0, { leaderEpoch: 3, partitionEpoch: 6 })]);
    expect(checkImageStep(before, after)).toEqual([`t-0 at offset ${after.provenance.endOffset}: leader epoch went back from 5 to 3`]);
  });

  it('flags a partition epoch that went back', () => {
    const before = image([{ leaderEpoch: 5, partitionEpoch: 9 }]);
    const after = step(before, [partition(0, { leaderEpoch: 5, partitionEpoch: 8 })]);
    expect(checkImageStep(before, after)).toEqual([`t-0 at offset ${after.provenance.endOffset}: partition epoch went back from 9 to 8`]);
  });

  it('flags a fenced broker added to an ISR', () => {
    const before = image([{ isr: [1, 2] }], [broker(1), broker(2), broker(3, { fenced: true })]);
    const after = step(before, [change(0, { isr: [1, 2, 3] })]);
    expect(checkImageStep(before, after)).toEqual([`t-0 at offset ${after.provenance.endOffset}: fenced broker 3 was added to the ISR`]);
  });

  it('flags a broker in controlled shutdown added to an ISR', () => {
    const before = image([{ isr: [1] }], [broker(1), broker(2, { inControlledShutdown: true }), broker(3)]);
    const after = step(before, [change(0, { isr: [1, 2] })]);
    expect(checkImageStep(before, after)).toEqual([`t-0 at offset ${after.provenance.endOffset}: in controlled shutdown broker 2 was added to the ISR`]);
  });

  it('flags a broker fenced in the same step as it is added to an ISR (judged by the image after)', () => {
    const before = image([{ isr: [1, 2] }]);
    const after = step(before, [{ type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 103, fenced: true }, change(0, { isr: [1, 2, 3] })]);
    expect(checkImageStep(before, after)).toEqual([`t-0 at offset ${after.provenance.endOffset}: fenced broker 3 was added to the ISR`]);
  });

  it('lets a fenced broker stay in an ISR it was already in (the last member, as in Kafka)', () => {
    const before = image([{ isr: [1], leader: 1 }]);
    const after = step(before, [{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 101, fenced: true }, change(0, { leader: -1 })]);
    expect(checkImageStep(before, after)).toEqual([]);
    expect(checkImage(after)).toEqual([]);
  });

  it('does not judge a topic created in the step (checkImage covers it)', () => {
    const before = image([{}], [broker(1), broker(2), broker(3, { fenced: true })]);
    const after = step(before, [{ type: 'Topic', name: 'u', topicId: OTHER_ID }, partition(0, { isr: [1, 2, 3], leader: 1 }, OTHER_ID)]);
    expect(checkImageStep(before, after)).toEqual([]);
  });

  it('does not judge a partition added in the step', () => {
    const before = image([{}], [broker(1), broker(2), broker(3, { fenced: true })]);
    const after = step(before, [partition(1, { isr: [1, 2, 3] })]);
    expect(checkImageStep(before, after)).toEqual([]);
  });

  it('reports every violation of a step, across partitions', () => {
    const before = image([{ leaderEpoch: 2 }, { isr: [1] }], [broker(1), broker(2, { fenced: true }), broker(3)]);
    const after = step(before, [partition(0, { leaderEpoch: 1, partitionEpoch: 1 }), change(1, { isr: [1, 2] })]);
    expect(checkImageStep(before, after)).toHaveLength(2);
  });
});
