import { describe, expect, it } from 'vitest';
import { NO_LEADER } from '../../metadata-log/records/types.js';
import { fenceExpiredBroker } from '../../quorum/controller/cluster/fencing.js';
import { Harness, SESSION_TIMEOUT_MS } from './controller-cluster-fixture.js';

describe('fenceExpiredBroker', () => {
  it('nothing expired -> no records', () => {
    const h = new Harness();
    h.start(1);
    h.advance(SESSION_TIMEOUT_MS);
    const r = fenceExpiredBroker(h.ctx(), h.hb);
    expect(r).toEqual({ records: [], response: { fencedBrokerId: null } });
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
