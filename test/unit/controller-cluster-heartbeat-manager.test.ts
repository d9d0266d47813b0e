import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { BrokerHeartbeatManager } from '../../quorum/controller/cluster/heartbeat-manager.js';
import { incarnation, listenersOf, SUPPORTED } from './controller-cluster-fixture.js';

const TIMEOUT = 9_000;

interface B {
  id: number;
  fenced?: boolean;
  cs?: boolean;
}

function imageWith(brokers: readonly B[]) {
  const records: MetadataRecord[] = brokers.map((b, i) => ({
    type: 'RegisterBroker',
    brokerId: b.id,
    incarnationId: incarnation(b.id),
    brokerEpoch: i,
    endpoints: listenersOf(b.id),
    rack: null,
    fenced: b.fenced ?? false,
    inControlledShutdown: b.cs ?? false,
    features: SUPPORTED,
  }));
  return imageOf(records);
}

describe('BrokerHeartbeatManager', () => {
  it('restore undoes every change made since save (a refused operation leaves no trace in soft state)', () => {
    const hb = BrokerHeartbeatManager.activated(imageWith([{ id: 1 }, { id: 2 }]), 0, TIMEOUT);
    hb.touch(1, 100, 5);
    hb.setDrainCursor(2, { leaderships: true, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const saved = hb.save();
    hb.touch(1, 200, 9);
    hb.setControlledShutdownOffsetOnce(1, 42);
    hb.setDrainCursor(1, { leaderships: false, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    hb.forget(2);
    hb.startSession(3, 200);
    hb.restore(saved);
    expect(hb.session(1)).toEqual({ lastContactMs: 100, metadataOffset: 5, controlledShutdownOffset: null });
    expect(hb.session(2)).toBeDefined();
    expect(hb.session(3)).toBeUndefined();
    expect(hb.drainCursor(1)).toBeUndefined();
    expect(hb.drainCursor(2)).toEqual({ leaderships: true, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    hb.touch(1, 300, 10); // the saved copy is not shared with the live state
    expect(saved.sessions.get(1)?.lastContactMs).toBe(100);
  });

  it('session is live up to and including lastContact + timeout, expired one ms later', () => {
    const image = imageWith([{ id: 1 }]);
    const hb = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    hb.touch(1, 1_000, 5);
    expect(hb.hasLiveSession(1, 1_000 + TIMEOUT, image)).toBe(true);
    expect(hb.nextExpired(1_000 + TIMEOUT, image)).toBeUndefined();
    expect(hb.hasLiveSession(1, 1_001 + TIMEOUT, image)).toBe(false);
    expect(hb.nextExpired(1_001 + TIMEOUT, image)).toBe(1);
    expect(hb.sessionExpiresAtMs(1)).toBe(1_000 + TIMEOUT);
  });

  it('a fenced broker never expires and holds no live session (Kafka hasValidSession)', () => {
    const image = imageWith([{ id: 1, fenced: true }]);
    const hb = new BrokerHeartbeatManager(TIMEOUT);
    hb.touch(1, 0, 0);
    expect(hb.hasLiveSession(1, 1, image)).toBe(false);
    expect(hb.nextExpired(10 * TIMEOUT, image)).toBeUndefined();
  });

  it('(brokers=3, all expired) nextExpired names one per call, the one heard from longest ago', () => {
    const image = imageWith([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const hb = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    hb.touch(3, 100, 0);
    hb.touch(1, 300, 0);
    hb.touch(2, 200, 0);
    const now = 300 + TIMEOUT + 1;
    expect(hb.nextExpired(now, image)).toBe(3);
    // Nothing changed in the image: the same answer again (the caller must apply its fencing first).
    expect(hb.nextExpired(now, image)).toBe(3);
    expect(hb.nextExpired(now, imageWith([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }]))).toBe(2);
    expect(hb.nextExpired(now, imageWith([{ id: 1 }, { id: 2, fenced: true }, { id: 3, fenced: true }]))).toBe(1);
  });

  it('an expired broker in controlled shutdown is still named (it is unfenced)', () => {
    const image = imageWith([{ id: 1, cs: true }]);
    const hb = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    expect(hb.nextExpired(TIMEOUT + 1, image)).toBe(1);
  });

  it('(failover) activate gives every unfenced broker a fresh session from activation and drops old soft state', () => {
    const image = imageWith([{ id: 1 }, { id: 2, fenced: true }, { id: 3, cs: true }]);
    const old = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    old.touch(1, 10, 42);
    old.setControlledShutdownOffsetOnce(3, 7);
    const hb = BrokerHeartbeatManager.activated(image, 50_000, TIMEOUT);
    expect(hb.session(1)).toEqual({ lastContactMs: 50_000, metadataOffset: null, controlledShutdownOffset: null });
    expect(hb.session(2)).toBeUndefined();
    expect(hb.session(3)?.controlledShutdownOffset).toBeNull();
    expect(hb.nextExpired(50_000 + TIMEOUT, image)).toBeUndefined();
    expect(hb.nextExpired(50_001 + TIMEOUT, image)).toBe(1);
    // The old manager would have fenced long ago; the new one waits a full fresh session.
    expect(old.nextExpired(50_000, image)).toBe(3); // broker 3 last heard at 0, broker 1 at 10
  });

  it('an unfenced broker with no session gets one at its first nextExpired, not an instant expiry', () => {
    const image = imageWith([{ id: 1 }]);
    const hb = new BrokerHeartbeatManager(TIMEOUT);
    expect(hb.nextExpired(100_000, image)).toBeUndefined();
    expect(hb.session(1)?.lastContactMs).toBe(100_000);
    expect(hb.nextExpired(100_001 + TIMEOUT, image)).toBe(1);
  });

  it('lowestActiveOffset counts only unfenced brokers not in controlled shutdown; -1 for one not heard from', () => {
    const image = imageWith([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }, { id: 4, cs: true }]);
    const hb = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    hb.touch(3, 1, 0);
    hb.touch(4, 1, 1);
    hb.touch(1, 1, 50);
    expect(hb.lowestActiveOffset(image)).toBe(-1); // broker 2 never reported
    hb.touch(2, 2, 40);
    expect(hb.lowestActiveOffset(image)).toBe(40);
    hb.touch(2, 3, 60);
    expect(hb.lowestActiveOffset(image)).toBe(50);
    hb.touch(1, 4, null); // a touch without an offset keeps the last one
    expect(hb.lowestActiveOffset(image)).toBe(50);
    expect(hb.lowestActiveOffset(imageWith([{ id: 3, fenced: true }, { id: 4, cs: true }]))).toBe(Number.POSITIVE_INFINITY);
    // Given the time, an expired session (a broker about to be fenced, or drained first) holds no one back.
    expect(hb.lowestActiveOffset(image, 3 + TIMEOUT)).toBe(50); // neither expired yet: broker 2 (60 now) and 1 (50)
    expect(hb.lowestActiveOffset(image, 4 + TIMEOUT)).toBe(50); // broker 2 (last heard at 3) expired; 1 (at 4) not
    expect(hb.lowestActiveOffset(image, 4 + TIMEOUT + 1)).toBe(Number.POSITIVE_INFINITY); // both expired
    hb.touch(1, 5, 30);
    expect(hb.lowestActiveOffset(image, 3 + TIMEOUT + 1)).toBe(30);
    expect(hb.lowestActiveOffset(image, 5 + TIMEOUT + 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('(KAFKA-14292) the controlled-shutdown offset is set once; heartbeats and later requests never move it', () => {
    const image = imageWith([{ id: 1 }]);
    const hb = BrokerHeartbeatManager.activated(image, 0, TIMEOUT);
    expect(hb.setControlledShutdownOffsetOnce(1, 100)).toBe(100);
    hb.touch(1, 10, 120);
    expect(hb.setControlledShutdownOffsetOnce(1, 200)).toBe(100);
    expect(hb.controlledShutdownOffset(1)).toBe(100);
    // A new incarnation starts clean.
    hb.startSession(1, 20);
    expect(hb.controlledShutdownOffset(1)).toBeNull();
    expect(hb.session(1)?.metadataOffset).toBeNull();
  });

  it('(bound) sessions of brokers no longer registered are dropped; forget drops one', () => {
    const hb = BrokerHeartbeatManager.activated(imageWith([{ id: 1 }, { id: 2 }, { id: 3 }]), 0, TIMEOUT);
    expect(hb.size).toBe(3);
    hb.nextExpired(1, imageWith([{ id: 1 }, { id: 3 }]));
    expect(hb.size).toBe(2);
    expect(hb.session(2)).toBeUndefined();
    hb.forget(3);
    expect(hb.size).toBe(1);
  });

  it('assertions: nonsense inputs crash rather than corrupt the soft state', () => {
    expect(() => new BrokerHeartbeatManager(0)).toThrow();
    const hb = new BrokerHeartbeatManager(TIMEOUT);
    expect(() => hb.touch(-1, 0, 0)).toThrow();
    expect(() => hb.touch(1, Number.NaN, 0)).toThrow();
    expect(() => hb.setControlledShutdownOffsetOnce(9, 1)).toThrow(/without a session/);
  });
});
