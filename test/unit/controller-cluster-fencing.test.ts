import { describe, expect, it } from 'vitest';
import { NO_LEADER, type MetadataRecord } from '../../metadata-log/records/types.js';
import { fenceExpiredBroker } from '../../quorum/controller/cluster/fencing.js';
import { brokerHeartbeat } from '../../quorum/controller/cluster/heartbeat.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';
import { unregisterBroker } from '../../quorum/controller/cluster/unregister-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { checkImage } from '../../quorum/sim/metadata-invariants.js';
import { CLUSTER_ID, Harness, incarnation, registrationRequest, SESSION_TIMEOUT_MS } from './controller-cluster-fixture.js';
import { brokerRecord, importInSteps, topicIdOf } from './controller-configs-fixture.js';

/** Brokers 1-3 live; broker 1 leads p0-p2, follows in p3-p5, is the last ISR member of p6; p7 is not its. */
function brokerOneHoldsEight(): Harness {
  const h = new Harness();
  h.start(1);
  h.start(2);
  h.start(3);
  h.createTopic('t', 2, [
    ...Array.from({ length: 3 }, () => ({ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 })),
    ...Array.from({ length: 3 }, () => ({ replicas: [2, 1, 3], isr: [2, 1, 3], leader: 2 })),
    { replicas: [1, 2], isr: [1], leader: 1 },
    { replicas: [2, 3], isr: [2, 3], leader: 2 },
  ]);
  return h;
}

describe('fenceExpiredBroker', () => {
  it('nothing expired -> no records', () => {
    const h = new Harness();
    h.start(1);
    h.advance(SESSION_TIMEOUT_MS);
    const r = fenceExpiredBroker(h.ctx(), h.hb);
    expect(r).toEqual({ records: [], response: { fencedBrokerId: null, drainedBrokerId: null, drainStarted: false } });
  });

  /** brokerOneHoldsEight with broker 1's session expired (2 and 3 heartbeating) and one drain step of 2 moves taken. */
  function brokerOneDrainedOneStep(): Harness {
    const h = brokerOneHoldsEight();
    h.advance(SESSION_TIMEOUT_MS + 100);
    h.heartbeat(2);
    h.heartbeat(3);
    h.apply(fenceExpiredBroker(h.ctx(), h.hb, 2));
    return h;
  }

  it('(bench:scale, 2M partitions) an expired broker holding more than N partitions is drained in steps of at most N moves while still unfenced, then fenced with what is left', () => {
    const h = brokerOneHoldsEight();
    const N = 2;
    h.advance(SESSION_TIMEOUT_MS + 100);
    h.heartbeat(2);
    h.heartbeat(3);
    const moved = (records: readonly MetadataRecord[]) => records.map((r) => (r.type === 'PartitionChange' ? r.partitionId : r.type));
    const tick = () => {
      const r = fenceExpiredBroker(h.ctx(), h.hb, N);
      h.apply(r);
      expect(checkImage(h.image)).toEqual([]);
      h.expectNoIneligibleLeader();
      return r;
    };
    const first = tick();
    expect(first.response).toEqual({ fencedBrokerId: null, drainedBrokerId: 1, drainStarted: true });
    expect(moved(first.records)).toEqual([0, 1]); // leaderships first, at most N
    expect(h.image.broker(1)?.fenced).toBe(false);
    expect(h.hb.isDraining(1)).toBe(true);
    expect(moved(tick().records)).toEqual([2, 3]);
    // What is left fits in one step: the fencing takes it, and p6 (1 is its last ISR member) goes leaderless.
    const last = tick();
    expect(last.response).toEqual({ fencedBrokerId: 1, drainedBrokerId: null, drainStarted: false });
    expect(moved(last.records)).toEqual(['BrokerRegistrationChange', 4, 5, 6]);
    expect(h.image.broker(1)?.fenced).toBe(true);
    expect(h.hb.isDraining(1)).toBe(false);
    expect(h.partition('t', 6)).toMatchObject({ leader: NO_LEADER, isr: [1] });
    for (let p = 0; p < 6; p++) expect(h.partition('t', p).isr).not.toContain(1);
    expect(h.partition('t', 7)).toMatchObject({ leader: 2, isr: [2, 3] });
  });

  it('a new incarnation registering while the old one is drained is told to retry (its cleanup would be the one large operation); after the fencing it registers', () => {
    const h = brokerOneDrainedOneStep();
    const early = h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(9))));
    expect(early).toMatchObject({ errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: expect.stringMatching(/being fenced in steps/) });
    for (let step = 0; step < 10 && h.image.broker(1)?.fenced === false; step++) h.apply(fenceExpiredBroker(h.ctx(), h.hb, 2));
    expect(h.image.broker(1)?.fenced).toBe(true);
    expect(h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(9)))).errorCode).toBe(ErrorCode.NONE);
  });

  it('a broker heard from again during the drain stays unfenced and is no longer drained (it may lead again)', () => {
    const h = brokerOneDrainedOneStep();
    expect(h.hb.isDraining(1)).toBe(true);
    h.heartbeat(1);
    expect(h.hb.isDraining(1)).toBe(false);
    const next = fenceExpiredBroker(h.ctx(), h.hb, 2);
    expect(next).toEqual({ records: [], response: { fencedBrokerId: null, drainedBrokerId: null, drainStarted: false } });
    expect(h.image.broker(1)?.fenced).toBe(false);
  });

  it('(brokers=3, all silent) fences ONE broker per call, each visible before the next', () => {
    const h = new Harness();
    h.start(1);
    h.advance(10);
    h.start(2);
    h.advance(10);
    h.start(3);
    h.createTopic('t', 2, [{ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 }]);
    h.advance(SESSION_TIMEOUT_MS + 100);
    const first = fenceExpiredBroker(h.ctx(), h.hb);
    expect(first.response.fencedBrokerId).toBe(1);
    expect(first.records[0]).toEqual({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: h.epochOf(1), fenced: true });
    expect(first.records.slice(1).every((r) => r.type === 'PartitionChange' && r.leader !== 1)).toBe(true);
    expect(first.records.filter((r) => r.type === 'BrokerRegistrationChange')).toHaveLength(1);
    h.apply(first);
    // Leadership moved to broker 2, which is itself about to be fenced — but only in the next operation.
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(h.fenceTick()).toBe(2);
    expect(h.partition('t', 0)).toMatchObject({ leader: 3, isr: [3] });
    expect(h.fenceTick()).toBe(3);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [3] });
    expect(h.fenceTick()).toBeNull();
    for (const id of [1, 2, 3]) expect(h.image.broker(id)?.fenced).toBe(true);
    h.expectNoIneligibleLeader();
  });

  it('heartbeats keep a broker unfenced; the silent one is fenced and its leadership moves', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [
      { replicas: [1, 2], isr: [1, 2], leader: 1 },
      { replicas: [2, 1], isr: [2, 1], leader: 2 },
    ]);
    for (let i = 0; i < 4; i++) {
      h.advance(2_000);
      h.heartbeat(2);
      expect(h.fenceTick()).toBeNull();
    }
    h.advance(1_000); // broker 1 last heard 9 000 ms ago: still live
    h.heartbeat(2);
    expect(h.fenceTick()).toBeNull();
    h.advance(1);
    h.heartbeat(2);
    expect(h.fenceTick()).toBe(1);
    expect(h.fenceTick()).toBeNull();
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
    expect(h.partition('t', 1)).toMatchObject({ leader: 2, isr: [2] });
    h.expectNoIneligibleLeader();
  });

  it('a fenced broker that comes back and catches up is unfenced and can lead again', () => {
    const h = new Harness();
    h.start(1);
    h.createTopic('t', 2, [{ replicas: [1], isr: [1], leader: 1 }]);
    h.advance(SESSION_TIMEOUT_MS + 1);
    expect(h.fenceTick()).toBe(1);
    expect(h.partition('t', 0).leader).toBe(NO_LEADER);
    const r = h.heartbeat(1);
    expect(r.isFenced).toBe(false);
    expect(h.partition('t', 0).leader).toBe(1);
  });

  it('a fenced broker is unfenced only once its image has its fencing (a stalled broker reports its pre-stall offset first)', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
    const beforeStall = h.endOffset - 1;
    h.advance(5_000);
    h.heartbeat(2);
    h.advance(SESSION_TIMEOUT_MS - 4_000);
    expect(h.fenceTick()).toBe(1);
    const fencedThrough = h.endOffset - 1;
    // It resumes: its first heartbeat reports the offset its image had before the stall.
    const early = h.heartbeat(1, { currentMetadataOffset: beforeStall });
    expect(early).toMatchObject({ errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: true });
    expect(h.image.broker(1)?.fenced).toBe(true);
    expect(h.heartbeat(1, { currentMetadataOffset: fencedThrough - 1 }).isFenced).toBe(true);
    // Its image has the whole fencing now (it dropped what it held): unfenced.
    expect(h.heartbeat(1, { currentMetadataOffset: fencedThrough }).isFenced).toBe(false);
    expect(h.image.broker(1)?.fenced).toBe(false);
  });

  it('what a fenced broker must read is forgotten once it is unfenced, and set by every way of fencing it (a controlled shutdown too)', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.advance(SESSION_TIMEOUT_MS + 1);
    h.heartbeat(2);
    expect(h.fenceTick()).toBe(1);
    expect(h.hb.unfenceAfter(1)).toBe(h.endOffset - 1);
    expect(h.heartbeat(1).isFenced).toBe(false);
    expect(h.hb.unfenceAfter(1)).toBe(-1);
    // Broker 2 leads nothing: its controlled shutdown fences it at once.
    const r = h.heartbeat(2, { wantShutDown: true });
    expect(r).toMatchObject({ isFenced: true, shouldShutDown: true });
    expect(h.hb.unfenceAfter(2)).toBe(h.endOffset - 1);
  });

  it('(failover) a broker fenced before this controller was active must reach the offset the controller started from', () => {
    const h = new Harness();
    h.start(1);
    h.advance(SESSION_TIMEOUT_MS + 1);
    expect(h.fenceTick()).toBe(1);
    h.failover();
    const activatedAt = h.endOffset - 1;
    expect(h.heartbeat(1, { currentMetadataOffset: activatedAt - 1 }).isFenced).toBe(true);
    expect(h.heartbeat(1, { currentMetadataOffset: activatedAt }).isFenced).toBe(false);
  });

  it('a broker in controlled shutdown whose session expires is fenced', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
    h.heartbeat(1, { wantShutDown: true });
    expect(h.image.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: true });
    h.advance(SESSION_TIMEOUT_MS + 1);
    h.heartbeat(2);
    expect(h.fenceTick()).toBe(1);
    expect(h.image.broker(1)).toMatchObject({ fenced: true, inControlledShutdown: true });
  });

  it('(failover) the new active controller gives every broker a fresh session from its activation', () => {
    const h = new Harness();
    h.start(1);
    h.advance(SESSION_TIMEOUT_MS - 1);
    h.failover();
    h.advance(2);
    // Under the old controller broker 1 would have expired by now; the new one waits a full session.
    expect(h.fenceTick()).toBeNull();
    h.advance(SESSION_TIMEOUT_MS - 2);
    expect(h.fenceTick()).toBeNull();
    h.advance(1);
    expect(h.fenceTick()).toBe(1);
  });

  it('an unregistered broker is never named (its soft state is dropped)', () => {
    const h = new Harness();
    h.start(1);
    h.append([{ type: 'UnregisterBroker', brokerId: 1, brokerEpoch: h.epochOf(1) }]);
    h.advance(SESSION_TIMEOUT_MS * 2);
    expect(h.fenceTick()).toBeNull();
    expect(h.hb.size).toBe(0);
  });
});

describe('partitions imported from ZooKeeper, led by a broker written fenced', () => {
  function importTree(h: Harness): void {
    const records: MetadataRecord[] = [
      brokerRecord(1, 0),
      brokerRecord(2, 0),
      { type: 'Topic', name: 'zk-topic', topicId: topicIdOf(42) },
      { type: 'Partition', partitionId: 0, topicId: topicIdOf(42), replicas: [1, 2], isr: [1, 2], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 7, partitionEpoch: 12 },
    ];
    expect(importInSteps(h, { clusterId: CLUSTER_ID, records, allowExisting: false }).errorCode).toBe(ErrorCode.NONE);
  }

  it('another ISR member unfencing takes the leadership its fenced leader cannot use (it stayed offline for good when that broker never came back)', () => {
    const h = new Harness();
    importTree(h);
    expect(h.partition('zk-topic', 0)).toMatchObject({ leader: 1 });
    h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(2, incarnation(2))));
    expect(h.heartbeat(2).isFenced).toBe(false);
    expect(h.image.broker(1)?.fenced).toBe(true);
    expect(h.partition('zk-topic', 0)).toMatchObject({ leader: 2, leaderEpoch: 8 });
    expect(checkImage(h.image)).toEqual([]);
  });

  it('its own broker coming back keeps the leadership it had (nothing moves)', () => {
    const h = new Harness();
    importTree(h);
    h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1))));
    expect(h.heartbeat(1).isFenced).toBe(false);
    expect(h.partition('zk-topic', 0)).toMatchObject({ leader: 1, leaderEpoch: 7 });
  });
});

describe('the other ways a large broker loses its partitions are bounded too', () => {
  const moved = (records: readonly MetadataRecord[]) => records.map((r) => (r.type === 'PartitionChange' ? r.partitionId : r.type));

  it('a heartbeat asking to be fenced (wantFence) drains a broker holding more than N partitions in steps, unfenced, then fences it', () => {
    const h = brokerOneHoldsEight();
    const ask = () => {
      const r = brokerHeartbeat(h.ctx(), h.hb, { brokerId: 1, brokerEpoch: h.epochOf(1), currentMetadataOffset: h.endOffset - 1, wantFence: true, wantShutDown: false }, 2);
      h.apply(r);
      expect(checkImage(h.image)).toEqual([]);
      h.expectNoIneligibleLeader();
      return r;
    };
    const first = ask();
    expect(moved(first.records)).toEqual([0, 1]);
    expect(first.response).toMatchObject({ errorCode: ErrorCode.NONE, isFenced: false });
    expect(h.hb.isDraining(1)).toBe(true);
    expect(moved(ask().records)).toEqual([2, 3]);
    const last = ask();
    expect(moved(last.records)).toEqual(['BrokerRegistrationChange', 4, 5, 6]);
    expect(last.response.isFenced).toBe(true);
    expect(h.image.broker(1)?.fenced).toBe(true);
  });

  it('UnregisterBroker of a broker whose moves would exceed N is refused, saying what to do; within N it goes through', () => {
    const h = brokerOneHoldsEight();
    const refused = unregisterBroker(h.ctx(), h.hb, { brokerId: 1 }, 6);
    expect(refused.records).toEqual([]);
    expect(refused.response).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/needing 7 changes.*stop it first/) });
    expect(h.hb.session(1)).toBeDefined();
    const done = unregisterBroker(h.ctx(), h.hb, { brokerId: 1 }, 7);
    expect(done.response.errorCode).toBe(ErrorCode.NONE);
    expect(moved(done.records)).toEqual([0, 1, 2, 3, 4, 5, 6, 'UnregisterBroker']);
  });

  it('a new incarnation whose cleanup of the expired old one would exceed N is told to retry, and the periodic check drains the old one', () => {
    const h = brokerOneHoldsEight();
    h.advance(SESSION_TIMEOUT_MS + 100);
    h.heartbeat(2);
    h.heartbeat(3);
    const early = h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(9)), 2));
    expect(early).toMatchObject({ errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: expect.stringMatching(/fenced in steps; retry/) });
    expect(h.image.broker(1)?.incarnationId).toBe(incarnation(1));
    for (let step = 0; step < 10 && h.image.broker(1)?.fenced === false; step++) h.apply(fenceExpiredBroker(h.ctx(), h.hb, 2));
    expect(h.image.broker(1)?.fenced).toBe(true);
    const later = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(9)), 2);
    expect(later.response.errorCode).toBe(ErrorCode.NONE);
    expect(moved(later.records)).toEqual(['RegisterBroker']);
  });
});
