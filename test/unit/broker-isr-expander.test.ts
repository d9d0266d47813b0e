// ISR expansion by partition leaders (broker/isr-expander.ts): the request a leader builds is one
// the controller's AlterPartition accepts and that puts every eligible replica back; the expander
// asks after image changes that touch brokers or topics, retries when unanswered, and stops on close.

import { describe, expect, it } from 'vitest';
import { expansionRequest, IsrExpander, type LookCursor } from '../../broker/isr-expander.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import { MetadataDelta } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import type { MetadataListener } from '../../metadata-log/loader.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { silentLogger } from '../../quorum/env/index.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { alterPartition, type AlterPartitionRequest } from '../../quorum/controller/replication/alter-partition.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { ManualClock } from '../support/manual-clock.js';
import { apply, broker, brokers, ctx, image, part, tid, topic } from './controller-replication-fixtures.js';

/** Leader 1 everywhere; broker 3 is back (unfenced) but left out of the ISRs it replicates. */
function shrunk(): MetadataImage {
  return image([
    ...brokers(4),
    ...topic('a', [
      { replicas: [1, 2, 3], isr: [1, 2] }, // 3 missing
      { replicas: [3, 1, 2], isr: [1], leader: 1 }, // 3 and 2 missing; 3 is preferred
      { replicas: [1, 2], isr: [1, 2] }, // complete
      { replicas: [2, 1, 3], isr: [2] }, // led by 2: not ours
    ]),
  ]);
}

/** A cursor over every topic of `img`, from the start. */
const everything = (img: MetadataImageView): LookCursor => ({ topicIds: [...img.topics()].map((t) => t.topicId), index: 0, partition: 0 });

describe('expansionRequest', () => {
  it('asks, for each partition it leads, for the ISR followed by every eligible replica missing from it; the controller accepts it', () => {
    const img = shrunk();
    const cursor = everything(img);
    const request = expansionRequest(img, 1, cursor, 100);
    expect(cursor.index).toBe(cursor.topicIds.length); // looked at everything
    const asked = request!.topics.flatMap((t) => t.partitions.map((p) => [img.topicById(t.topicId)!.name, p.partitionIndex, p.newIsrWithEpochs.map((m) => m.brokerId)]));
    expect(asked).toEqual([
      ['a', 0, [1, 2, 3]],
      ['a', 1, [1, 3, 2]],
    ]);
    const { records, response } = alterPartition(ctx(img), request!);
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(records).toHaveLength(2);
  });

  it('leaves out fenced and shutting-down replicas, partitions with an ineligible member, and asks nothing while itself ineligible', () => {
    const img = image([
      broker({ id: 1 }),
      broker({ id: 2, fenced: true }),
      broker({ id: 3, shutdown: true }),
      broker({ id: 4 }),
      ...topic('a', [
        { replicas: [1, 2, 3], isr: [1] },
        { replicas: [1, 4, 2], isr: [1] },
        { replicas: [1, 4, 3], isr: [1, 3] },
      ]),
    ]);
    const request = expansionRequest(img, 1, everything(img), 100);
    expect(request!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.newIsrWithEpochs.map((m) => m.brokerId)])).toEqual([[1, [1, 4]]]);
    const fencedLeader = image([broker({ id: 1, fenced: true }), broker({ id: 4 }), ...topic('a', [{ replicas: [1, 4], isr: [1] }])]);
    expect(expansionRequest(fencedLeader, 1, everything(fencedLeader), 100)).toBeNull();
  });

  it('stops at the bound; the cursor resumes where it stopped, so no partition is asked for twice', () => {
    const img = image([...brokers(2), ...topic('many', Array.from({ length: 5 }, () => ({ replicas: [1, 2], isr: [1] }))), ...topic('more', [{ replicas: [2, 1], isr: [1], leader: 1 }])]);
    const cursor = everything(img);
    const asked: string[] = [];
    for (let request = expansionRequest(img, 1, cursor, 3); request !== null; request = expansionRequest(img, 1, cursor, 3)) {
      expect(request.topics.reduce((n, t) => n + t.partitions.length, 0)).toBeLessThanOrEqual(3);
      for (const t of request.topics) for (const p of t.partitions) asked.push(`${img.topicById(t.topicId)!.name}-${p.partitionIndex}`);
    }
    expect([...asked].sort()).toEqual(['many-0', 'many-1', 'many-2', 'many-3', 'many-4', 'more-0']);
  });

  it('a move whose adding replicas are all in the ISR already (imported from ZooKeeper so) is asked for as it is, and the controller completes it', () => {
    // Nothing is missing from these ISRs, so nothing else would ever change the partitions: their
    // moves stayed in flight for good. m-0 adds a replica, m-1 replaces one (its leader stays).
    const img = image([
      ...brokers(3),
      { type: 'Topic', name: 'm', topicId: tid('m') },
      { type: 'Partition', topicId: tid('m'), partitionId: 0, replicas: [1, 2], isr: [1, 2], addingReplicas: [2], removingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 },
      { type: 'Partition', topicId: tid('m'), partitionId: 1, replicas: [1, 3, 2], isr: [1, 2, 3], addingReplicas: [3], removingReplicas: [2], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 },
      // In flight and not completable (its new replica is not in sync yet, and cannot join: fenced).
      broker({ id: 4, fenced: true }),
      { type: 'Partition', topicId: tid('m'), partitionId: 2, replicas: [1, 4], isr: [1], addingReplicas: [4], removingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 },
    ]);
    const request = expansionRequest(img, 1, everything(img), 100);
    expect(request?.topics[0]!.partitions.map((p) => [p.partitionIndex, p.newIsrWithEpochs.map((m) => m.brokerId)])).toEqual([
      [0, [1, 2]],
      [1, [1, 2, 3]],
    ]);
    const { records, response } = alterPartition(ctx(img), request!);
    expect(response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const after = apply(img, records);
    expect(part(after, 'm', 0)).toMatchObject({ replicas: [1, 2], isr: [1, 2], addingReplicas: [], removingReplicas: [] });
    expect(part(after, 'm', 1)).toMatchObject({ replicas: [1, 3], isr: [1, 3], addingReplicas: [], removingReplicas: [], leader: 1, leaderEpoch: 1 });
    // Settled, nothing more to ask: no loop.
    expect(expansionRequest(after, 1, everything(after), 100)).toBeNull();
  });

  it('a partition still RECOVERING after an unclean election is declared RECOVERED with its ISR grown; the controller accepts it', () => {
    const img = image([...brokers(2), ...topic('u', [{ replicas: [1, 2], isr: [1], leaderRecoveryState: 1 }, { replicas: [1], isr: [1], leaderRecoveryState: 1 }])]);
    const request = expansionRequest(img, 1, everything(img), 100)!;
    expect(request.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderRecoveryState, p.newIsrWithEpochs.map((m) => m.brokerId)])).toEqual([
      [0, 0, [1, 2]],
      [1, 0, [1]],
    ]);
    const { records, response } = alterPartition(ctx(img), request);
    expect(response.topics[0]!.partitions.map((p) => [p.errorCode, p.leaderRecoveryState])).toEqual([
      [ErrorCode.NONE, 0],
      [ErrorCode.NONE, 0],
    ]);
    expect(records).toHaveLength(2);
  });
});

/** A broker's view of the log: records replayed through a real delta, published to listeners. */
class ReplayingSource implements MetadataSource {
  private readonly listeners: MetadataListener[] = [];
  constructor(public image: MetadataImage) {}
  addMetadataListener(listener: MetadataListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  publish(records: readonly MetadataRecord[]): void {
    const delta = new MetadataDelta(this.image);
    for (const r of records) delta.replay(r);
    this.image = delta.apply({ endOffset: this.image.provenance.endOffset + records.length, epoch: 1 });
    for (const l of [...this.listeners]) l(delta, this.image);
  }
}

/**
 * The controller as the channel: each AlterPartition is decided on the source's image and its
 * records published; `draining` brokers may not join an ISR (as while a controlled shutdown drains).
 */
function controllerChannel(source: ReplayingSource, fail: () => boolean, draining: (id: number) => boolean = () => false): { channel: RpcCaller; requests: AlterPartitionRequest[] } {
  const requests: AlterPartitionRequest[] = [];
  const channel = {
    call: async (method: string, request: unknown) => {
      expect(method).toBe('alterPartition');
      requests.push(request as AlterPartitionRequest);
      if (fail()) throw new Error('no controller reachable');
      const { records, response } = alterPartition({ ...ctx(source.image), draining }, request as AlterPartitionRequest);
      source.publish(records);
      return response;
    },
  } as RpcCaller;
  return { channel, requests };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('IsrExpander', () => {
  it('after a broker comes back, its leader puts it back in every ISR; a later shrink is undone on the next change', async () => {
    const clock = new ManualClock();
    const source = new ReplayingSource(image([...brokers(2), broker({ id: 3, fenced: true }), ...topic('a', [{ replicas: [1, 2, 3], isr: [1, 2] }, { replicas: [1, 3], isr: [1] }])]));
    const { channel, requests } = controllerChannel(source, () => false);
    const expander = new IsrExpander({ brokerId: 1, source, channel, clock, logger: silentLogger });
    clock.advance(100);
    await settle();
    expect(requests).toHaveLength(0); // 3 is fenced: nothing to ask

    source.publish([{ type: 'BrokerRegistrationChange', brokerId: 3, brokerEpoch: 103, fenced: false }]);
    clock.advance(100);
    await settle();
    expect(requests).toHaveLength(1);
    expect(part(source.image, 'a', 0).isr).toEqual([1, 2, 3]);
    expect(part(source.image, 'a', 1).isr).toEqual([1, 3]);

    // Someone shrinks partition 1 again (a PartitionChange): the topic changed, so it is looked at.
    const p1 = part(source.image, 'a', 1);
    source.publish([{ type: 'PartitionChange', topicId: source.image.topicByName('a')!.topicId, partitionId: 1, isr: [1] }]);
    expect(part(source.image, 'a', 1).partitionEpoch).toBe(p1.partitionEpoch + 1);
    clock.advance(100);
    await settle();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([1]); // only the changed topic's partition
    expect(part(source.image, 'a', 1).isr).toEqual([1, 3]);

    expander.close();
    source.publish([{ type: 'PartitionChange', topicId: source.image.topicByName('a')!.topicId, partitionId: 1, isr: [1] }]);
    clock.advance(1_000);
    await settle();
    expect(requests).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('unanswered, it asks again after a backoff, and stops asking once answered', async () => {
    const clock = new ManualClock();
    const source = new ReplayingSource(image([...brokers(2), ...topic('a', [{ replicas: [1, 2], isr: [1] }])]));
    let failures = 2;
    const { channel, requests } = controllerChannel(source, () => failures-- > 0);
    const expander = new IsrExpander({ brokerId: 1, source, channel, clock, logger: silentLogger });
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await settle();
    }
    expect(requests).toHaveLength(3); // two lost, the third answered
    expect(part(source.image, 'a', 0).isr).toEqual([1, 2]);
    clock.advance(10_000);
    await settle();
    expect(requests).toHaveLength(3);
    expander.close();
  });

  it('after a refusal, a change to one topic looks at that topic only, not at every partition again', async () => {
    const clock = new ManualClock();
    const source = new ReplayingSource(image([...brokers(3), ...topic('a', [{ replicas: [1, 2], isr: [1, 2] }]), ...topic('b', [{ replicas: [1, 3], isr: [1] }])]));
    const { channel, requests } = controllerChannel(source, () => false, (id) => id === 3); // 3 is being drained
    const expander = new IsrExpander({ brokerId: 1, source, channel, clock, logger: silentLogger });
    clock.advance(100);
    await settle();
    expect(requests.map((r) => r.topics.map((t) => source.image.topicById(t.topicId)!.name))).toEqual([['b']]); // refused
    expect(part(source.image, 'b', 0).isr).toEqual([1]);
    source.publish([{ type: 'PartitionChange', topicId: source.image.topicByName('a')!.topicId, partitionId: 0, isr: [1] }]);
    clock.advance(100);
    await settle();
    expect(requests.map((r) => r.topics.map((t) => source.image.topicById(t.topicId)!.name))).toEqual([['b'], ['a']]);
    expect(part(source.image, 'a', 0).isr).toEqual([1, 2]);
    expander.close();
  });

  it('a restart at scale: the missing replica goes back in steps of at most 500 partitions, none asked for twice', async () => {
    const clock = new ManualClock();
    const n = 1_234;
    const source = new ReplayingSource(image([...brokers(2), ...topic('big', Array.from({ length: n }, () => ({ replicas: [1, 2], isr: [1] })))]));
    const { channel, requests } = controllerChannel(source, () => false);
    const expander = new IsrExpander({ brokerId: 1, source, channel, clock, logger: silentLogger });
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await settle();
    }
    const sizes = requests.map((r) => r.topics.reduce((k, t) => k + t.partitions.length, 0));
    expect(sizes).toEqual([500, 500, 234]);
    const asked = requests.flatMap((r) => r.topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex)));
    expect(new Set(asked).size).toBe(n);
    expect(source.image.topicByName('big')!.partitions.every((p) => p.isr.length === 2)).toBe(true);
    expander.close();
  });
});
