import { describe, expect, it } from 'vitest';
import type { BrokerRegistrationChangeRecord, PartitionChangeRecord, PartitionRecord } from '../../metadata-log/records/types.js';
import { NO_LEADER } from '../../metadata-log/records/types.js';
import { brokerHeartbeat } from '../../quorum/controller/cluster/heartbeat.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { checkImage } from '../../quorum/sim/metadata-invariants.js';
import { Harness, type PartitionSpec } from './controller-cluster-fixture.js';
import { rng } from './controller-replication-fixtures.js';
import { createPartitions } from '../../quorum/controller/replication/create-partitions.js';
import { createTopics } from '../../quorum/controller/replication/create-topics.js';
import { preferredLeaderRebalance } from '../../quorum/controller/replication/elections.js';
import { eligibility, excludingDraining } from '../../quorum/controller/replication/eligibility.js';

describe('brokerHeartbeat: errors', () => {
  it('unknown broker -> BROKER_ID_NOT_REGISTERED, no session created', () => {
    const h = new Harness();
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 7, brokerEpoch: 1, currentMetadataOffset: 0, wantFence: false, wantShutDown: false });
    expect(r.records).toEqual([]);
    expect(r.response).toMatchObject({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, isFenced: true, shouldShutDown: false });
    expect(h.hb.session(7)).toBeUndefined();
  });

  it('epoch of an older registration -> STALE_BROKER_EPOCH, no contact recorded', () => {
    const h = new Harness();
    const epoch = h.register(1);
    h.advance(500);
    for (const stale of [epoch - 1, epoch + 1]) {
      const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: stale, currentMetadataOffset: epoch, wantFence: false, wantShutDown: false });
      expect(r.records).toEqual([]);
      expect(r.response.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
      expect(r.response.errorMessage).toContain(String(epoch));
    }
    expect(h.hb.session(1)?.lastContactMs).toBe(h.nowMs - 500);
  });

  it('metadata offset below -1 -> INVALID_REQUEST', () => {
    const h = new Harness();
    h.register(1);
    expect(h.heartbeat(1, { currentMetadataOffset: -5 }).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('brokerHeartbeat: unfencing', () => {
  it('stays fenced until it has applied its own registration record; then unfenced (BrokerRegistrationChange fenced=false)', () => {
    const h = new Harness();
    const epoch = h.register(1);
    const behind = h.heartbeat(1, { currentMetadataOffset: epoch - 1 });
    expect(behind).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: false, isFenced: true, shouldShutDown: false });
    expect(h.image.broker(1)?.fenced).toBe(true);
    const offset = h.endOffset;
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: epoch, wantFence: false, wantShutDown: false });
    expect(r.response).toMatchObject({ isCaughtUp: true, isFenced: false, shouldShutDown: false });
    expect(r.records[0]).toEqual({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: epoch, fenced: false });
    h.apply(r);
    expect(h.log[offset]).toMatchObject({ type: 'BrokerRegistrationChange', fenced: false });
    expect(h.image.broker(1)?.fenced).toBe(false);
    expect(h.hb.session(1)?.metadataOffset).toBe(epoch);
    // Further heartbeats change nothing.
    expect(brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: false }).records).toEqual([]);
  });

  it('(KAFKA-13959) a busy log does not keep a broker fenced: caught up = its registration offset, not the log end', () => {
    const h = new Harness();
    const epoch = h.register(1);
    // The controller writes NoOps faster than the broker fetches: the broker is always 50 records behind the end.
    h.noOps(50);
    let applied = epoch - 1;
    let unfencedAt: number | null = null;
    for (let round = 0; round < 5 && unfencedAt === null; round++) {
      applied = h.endOffset - 50;
      h.noOps(50);
      const r = h.heartbeat(1, { currentMetadataOffset: applied });
      expect(applied).toBeLessThan(h.endOffset - 1);
      if (!r.isFenced) unfencedAt = applied;
    }
    expect(unfencedAt).not.toBeNull();
    expect(unfencedAt).toBeGreaterThanOrEqual(epoch);
    expect(h.image.broker(1)?.fenced).toBe(false);
  });

  it('wantFence keeps a caught-up broker fenced', () => {
    const h = new Harness();
    h.register(1);
    const r = h.heartbeat(1, { wantFence: true });
    expect(r).toMatchObject({ isCaughtUp: true, isFenced: true, shouldShutDown: false });
    expect(h.image.broker(1)?.fenced).toBe(true);
  });

  it('unfencing elects it leader of the leaderless partitions whose ISR holds it, registration change first', () => {
    const h = new Harness();
    h.start(2);
    const epoch = h.register(1);
    h.createTopic('t', 2, [
      { replicas: [1, 2], isr: [1], leader: NO_LEADER },
      { replicas: [2, 1], isr: [2, 1], leader: 2 },
    ]);
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: false });
    expect(r.records[0]).toMatchObject({ type: 'BrokerRegistrationChange', brokerId: 1, fenced: false });
    expect(r.records.slice(1).map((x) => x.type)).toEqual(['PartitionChange']);
    expect(r.records[1]).toMatchObject({ partitionId: 0, leader: 1 });
    h.apply(r);
    expect(h.partition('t', 0).leader).toBe(1);
    expect(h.partition('t', 1).leader).toBe(2);
    h.expectNoIneligibleLeader();
  });

  it('wantFence on an unfenced broker fences it and moves its leaderships', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
    const r = h.heartbeat(1, { wantFence: true });
    expect(r).toMatchObject({ isFenced: true, shouldShutDown: false });
    expect(h.image.broker(1)?.fenced).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
    h.expectNoIneligibleLeader();
  });
});

describe('brokerHeartbeat: controlled shutdown', () => {
  /** Brokers 1-3 up, topic 't' with these partitions, 2 and 3 heartbeating. */
  function threeBrokersOneTopic(
    partitions: readonly PartitionSpec[] = [
      { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 },
      { replicas: [2, 1, 3], isr: [2, 1, 3], leader: 2 },
      { replicas: [3, 2], isr: [3, 2], leader: 3 },
    ],
  ): Harness {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.start(3);
    h.createTopic('t', 2, partitions);
    h.heartbeat(2);
    h.heartbeat(3);
    return h;
  }

  it('a fenced broker asking to shut down is told to at once, nothing written', () => {
    const h = new Harness();
    h.register(1);
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: 0, wantFence: false, wantShutDown: true });
    expect(r.records).toEqual([]);
    expect(r.response).toMatchObject({ isFenced: true, shouldShutDown: true });
  });

  it('an unfenced broker that leads nothing and is in no ISR shuts down at once (and is fenced)', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [{ replicas: [2], isr: [2], leader: 2 }]);
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: true });
    expect(r.response).toMatchObject({ isFenced: true, shouldShutDown: true });
    expect(r.records).toEqual([{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: h.epochOf(1), fenced: true }]);
  });

  it('a leader enters controlled shutdown: inControlledShutdown record first, leaderships move, offset = last of them', () => {
    const h = threeBrokersOneTopic();
    const offset = h.endOffset;
    const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: offset - 1, wantFence: false, wantShutDown: true });
    expect(r.response).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: false, shouldShutDown: false });
    const first = r.records[0] as BrokerRegistrationChangeRecord;
    expect(first).toEqual({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: h.epochOf(1), inControlledShutdown: true });
    const moves = r.records.slice(1) as PartitionChangeRecord[];
    expect(moves.map((m) => m.partitionId).sort()).toEqual([0, 1]);
    expect(h.hb.controlledShutdownOffset(1)).toBe(offset + r.records.length - 1);
    h.apply(r);
    expect(h.image.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: true });
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(h.partition('t', 1)).toMatchObject({ leader: 2, isr: [2, 3] });
    h.expectNoIneligibleLeader();
    // A shutting-down broker is not active: it does not hold back its own shutdown.
    expect(h.hb.lowestActiveOffset(h.image)).toBeLessThan(offset);
  });

  it('(KAFKA-14292) shutdown completes once every active broker passes the offset, which repeated requests and a busy log never move', () => {
    const h = threeBrokersOneTopic();
    h.heartbeat(1, { wantShutDown: true });
    const shutdownOffset = h.hb.controlledShutdownOffset(1);
    expect(shutdownOffset).not.toBeNull();
    const csOffset = shutdownOffset as number;
    // Broker 2 has caught up past it, broker 3 lags; the log keeps growing; broker 1 keeps asking.
    for (let i = 0; i < 20; i++) {
      h.noOps(25);
      h.advance(50);
      h.heartbeat(2, { currentMetadataOffset: h.endOffset - 1 });
      h.heartbeat(3, { currentMetadataOffset: csOffset - 1 });
      const r = h.heartbeat(1, { wantShutDown: true });
      expect(r).toMatchObject({ isFenced: false, shouldShutDown: false });
      expect(h.hb.controlledShutdownOffset(1)).toBe(csOffset);
    }
    // Broker 3 applies the last leadership move (not the log end: the log end is far ahead by now).
    h.heartbeat(3, { currentMetadataOffset: csOffset });
    expect(csOffset).toBeLessThan(h.endOffset - 100);
    const done = h.heartbeat(1, { wantShutDown: true });
    expect(done).toMatchObject({ shouldShutDown: true, isFenced: true });
    expect(h.image.broker(1)).toMatchObject({ fenced: true, inControlledShutdown: true });
    h.expectNoIneligibleLeader();
    // Once granted it stays granted.
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(true);
  });

  it('an active broker this controller has not heard from yet holds the shutdown back (offset unknown = -1)', () => {
    const h = threeBrokersOneTopic();
    h.heartbeat(1, { wantShutDown: true });
    h.failover();
    // After failover: broker 1's shutdown offset is lost; brokers 2 and 3 are not heard from.
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(false);
    const restored = h.hb.controlledShutdownOffset(1);
    expect(restored).toBe(h.endOffset - 1);
    h.heartbeat(2);
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(false);
    h.heartbeat(3);
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(true);
  });

  it('with no other active broker the shutdown is granted on the next heartbeat', () => {
    const h = new Harness();
    h.start(1);
    h.createTopic('t', 2, [{ replicas: [1], isr: [1], leader: 1 }]);
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(false);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [1] });
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(true);
    h.expectNoIneligibleLeader();
  });

  it('a broker in controlled shutdown is never unfenced again, nor elected (leaving it takes a new incarnation)', () => {
    const h = threeBrokersOneTopic();
    h.heartbeat(1, { wantShutDown: true });
    // It changes its mind: heartbeats without wantShutDown.
    const r = h.heartbeat(1);
    expect(r.isFenced).toBe(false);
    expect(h.image.broker(1)?.inControlledShutdown).toBe(true);
    // Broker 2 and 3 die; leaderless partitions must not go to broker 1.
    h.heartbeat(2, { wantFence: true });
    h.heartbeat(3, { wantFence: true });
    h.expectNoIneligibleLeader();
    for (const p of [0, 1, 2]) expect(h.partition('t', p).leader).not.toBe(1);
  });

  it('a broker fenced while in controlled shutdown stays fenced and is told to shut down', () => {
    const h = threeBrokersOneTopic();
    h.heartbeat(1, { wantShutDown: true });
    h.heartbeat(1, { wantFence: true });
    expect(h.image.broker(1)).toMatchObject({ fenced: true, inControlledShutdown: true });
    const r = h.heartbeat(1);
    expect(r).toMatchObject({ isCaughtUp: true, isFenced: true, shouldShutDown: true });
    expect(h.image.broker(1)?.fenced).toBe(true);
  });

  it('(bench:scale, 2M partitions) a broker holding more than N partitions is drained in steps of at most N moves, leaderships first, still eligible; then the final step enters controlled shutdown', () => {
    const h = threeBrokersOneTopic([
      ...Array.from({ length: 3 }, () => ({ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 })), // p0-p2: led by 1
      ...Array.from({ length: 3 }, () => ({ replicas: [2, 1, 3], isr: [2, 1, 3], leader: 2 })), // p3-p5: 1 follows
      { replicas: [1, 2], isr: [1], leader: 1 }, // p6: 1 is the last ISR member, left for the final step
      { replicas: [2, 3], isr: [2, 3], leader: 2 }, // p7: not 1's
    ]);
    const N = 2;
    const step = () => {
      const request = { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: true };
      const r = brokerHeartbeat(h.ctx(), h.hb, request, N);
      const response = h.apply(r);
      expect(checkImage(h.image)).toEqual([]);
      h.expectNoIneligibleLeader();
      return { records: r.records, response };
    };
    const moved = (records: readonly unknown[]) => (records as PartitionChangeRecord[]).map((m) => m.partitionId);

    const first = step();
    expect(first.response).toMatchObject({ isFenced: false, shouldShutDown: false });
    expect(moved(first.records)).toEqual([0, 1]); // leaderships first
    expect(h.image.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: false });
    expect(h.hb.controlledShutdownOffset(1)).toBeNull();
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2, 3] });

    const second = step();
    expect(moved(second.records)).toEqual([2, 3]);
    expect(h.partition('t', 3)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(h.image.broker(1)?.inControlledShutdown).toBe(false);

    // Two drainable partitions left (p4, p5) fit in one step: the final transaction takes them and p6.
    const last = step();
    expect(last.records[0]).toEqual({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: h.epochOf(1), inControlledShutdown: true });
    expect(moved(last.records.slice(1))).toEqual([4, 5, 6]);
    expect(h.hb.controlledShutdownOffset(1)).toBe(h.endOffset - 1);
    expect(h.partition('t', 6)).toMatchObject({ leader: NO_LEADER, isr: [1] });
    expect(h.partition('t', 7)).toMatchObject({ leader: 2, isr: [2, 3] });
    for (let p = 0; p < 6; p++) expect(h.partition('t', p).isr).not.toContain(1);

    h.heartbeat(2);
    h.heartbeat(3);
    expect(step().response).toMatchObject({ isFenced: true, shouldShutDown: true });
  });

  it('(drain) while it is drained in steps the broker gets nothing back: no preferred-leader election, no replica or leadership of a new topic or partition, no ISR place', () => {
    const h = threeBrokersOneTopic([
      { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 },
      { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 },
      { replicas: [1, 3, 2], isr: [1, 3, 2], leader: 3 }, // 1 is its preferred leader, in the ISR
    ]);
    const request = { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: true };
    h.apply(brokerHeartbeat(h.ctx(), h.hb, request, 1)); // p0's leadership moves to 2; more to come
    expect(h.hb.isDraining(1)).toBe(true);
    expect(h.image.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: false });
    expect(h.partition('t', 0).leader).toBe(2);

    // The preferred-leader pass, with the eligibility the controller gives it, leaves p2 with 3.
    const ctx = h.ctx();
    expect(preferredLeaderRebalance(h.image, 100, excludingDraining(eligibility(h.image), ctx.draining)).records).toEqual([]);
    expect(preferredLeaderRebalance(h.image, 100, eligibility(h.image)).records).toMatchObject([{ partitionId: 2, leader: 1 }]); // what it did before

    const created = createTopics(ctx, { topics: [{ name: 'new', numPartitions: 6, replicationFactor: 2, configs: [] }], validateOnly: false }, rng(3));
    expect(created.response.topics[0]!.errorCode).toBe(0);
    const placed = created.records.filter((r): r is PartitionRecord => r.type === 'Partition');
    expect(placed).toHaveLength(6);
    for (const p of placed) expect(p.replicas).not.toContain(1);
    // Named by hand, it is a replica but neither leader nor in the ISR.
    const manual = createTopics(ctx, { topics: [{ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }], validateOnly: false }, rng(3));
    expect(manual.records.find((r) => r.type === 'Partition')).toMatchObject({ replicas: [1, 2], isr: [2], leader: 2 });
    // 't' has 3 replicas per partition: with broker 1 out, more cannot be placed (as in controlled shutdown).
    const onT = createPartitions(ctx, { topics: [{ name: 't', count: 9, assignments: null }], validateOnly: false }, rng(3));
    expect(onT.response.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICATION_FACTOR });
    h.createTopic('u', 3, [{ replicas: [2, 3], isr: [2, 3], leader: 2 }]);
    const more = createPartitions(h.ctx(), { topics: [{ name: 'u', count: 7, assignments: null }], validateOnly: false }, rng(3));
    expect(more.response.results[0]!.errorCode).toBe(0);
    expect(more.records).toHaveLength(6);
    for (const p of more.records as PartitionRecord[]) expect(p.replicas).not.toContain(1);
  });

  it('(drain) a partition elected onto the draining broker meanwhile is moved off by a later step', () => {
    const h = threeBrokersOneTopic();
    const request = () => ({ brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: h.endOffset - 1, wantFence: false, wantShutDown: true });
    h.apply(brokerHeartbeat(h.ctx(), h.hb, request(), 1)); // p0's leadership moves to 2
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(h.image.broker(1)?.inControlledShutdown).toBe(false);
    // Broker 2 is fenced: p1, led by 2 with 1 still in its ISR, elects 1 (still eligible).
    h.heartbeat(2, { wantFence: true });
    expect(h.partition('t', 1).leader).toBe(1);
    // Left: p1 (led by 1, ISR [1, 3]): one record, within the step bound: the final step.
    const r = h.apply(brokerHeartbeat(h.ctx(), h.hb, request(), 1));
    expect(r).toMatchObject({ isFenced: false, shouldShutDown: false });
    expect(h.image.broker(1)?.inControlledShutdown).toBe(true);
    expect(h.partition('t', 1)).toMatchObject({ leader: 3, isr: [3] });
    h.expectNoIneligibleLeader();
    expect(checkImage(h.image)).toEqual([]);
  });
});
