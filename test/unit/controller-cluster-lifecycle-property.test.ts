// Random broker lifecycles against the real elections: whatever brokers register, heartbeat, ask to
// fence or shut down, go silent, restart or get unregistered, and however the log and the clock move,
// the lifecycle rules hold after every operation.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';
import { unregisterBroker } from '../../quorum/controller/cluster/unregister-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { Harness, incarnation, registrationRequest } from './controller-cluster-fixture.js';

const BROKERS = [1, 2, 3, 4] as const;

type Step =
  | { kind: 'register'; broker: number; restart: boolean }
  | { kind: 'heartbeat'; broker: number; lag: 'none' | 'some' | 'behind-registration'; wantFence: boolean; wantShutDown: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'fence-tick' }
  | { kind: 'noops'; n: number }
  | { kind: 'failover' }
  | { kind: 'unregister'; broker: number };

const broker = fc.constantFrom(...BROKERS);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('register' as const), broker, restart: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('heartbeat' as const),
      broker,
      lag: fc.constantFrom('none' as const, 'some' as const, 'behind-registration' as const),
      wantFence: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
      wantShutDown: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 6_000 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'fence-tick' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('noops' as const), n: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'failover' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unregister' as const), broker }) },
);

function run(steps: readonly Step[]): void {
  const h = new Harness();
  h.createTopic('a', 2, [
    { replicas: [1, 2, 3], isr: [1, 2, 3], leader: -1 },
    { replicas: [2, 3, 4], isr: [2, 3, 4], leader: -1 },
    { replicas: [4, 1], isr: [4, 1], leader: -1 },
  ]);
  const incarnations = new Map<number, number>(BROKERS.map((b) => [b, b]));
  /** Controlled-shutdown offset first seen per (broker, epoch): it must never move. */
  const csOffsets = new Map<string, number>();
  const reported = new Map<number, number>();

  for (const s of steps) {
    switch (s.kind) {
      case 'register': {
        if (s.restart) incarnations.set(s.broker, (incarnations.get(s.broker) ?? 0) + 100);
        const offset = h.endOffset;
        const r = registerBroker(h.ctx(), h.hb, registrationRequest(s.broker, incarnation(incarnations.get(s.broker) ?? 0)));
        h.apply(r);
        if (r.response.errorCode === ErrorCode.NONE) {
          const reg = h.image.broker(s.broker);
          expect(reg?.brokerEpoch).toBe(r.response.brokerEpoch);
          if (r.records.length > 0) {
            expect(r.response.brokerEpoch).toBe(offset + r.records.length - 1);
            expect(reg?.fenced).toBe(true);
          }
        } else {
          expect(r.records).toEqual([]);
          expect(r.response.errorCode).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
        }
        break;
      }
      case 'heartbeat': {
        const reg = h.image.broker(s.broker);
        const last = h.endOffset - 1;
        const offset = reg === undefined ? last : s.lag === 'none' ? last : s.lag === 'some' ? Math.max(reg.brokerEpoch, last - 10) : reg.brokerEpoch - 1;
        const before = reported.get(s.broker);
        const metadataOffset = before !== undefined && before > offset && reg !== undefined && before >= reg.brokerEpoch ? before : offset;
        const r = h.heartbeat(s.broker, { currentMetadataOffset: metadataOffset, wantFence: s.wantFence, wantShutDown: s.wantShutDown });
        if (reg === undefined) {
          expect(r.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
          break;
        }
        expect(r.errorCode).toBe(ErrorCode.NONE);
        reported.set(s.broker, metadataOffset);
        const now = h.image.broker(s.broker);
        expect(r.isFenced).toBe(now?.fenced);
        expect(r.isCaughtUp).toBe(metadataOffset >= reg.brokerEpoch);
        if (!r.isCaughtUp && reg.fenced) expect(now?.fenced).toBe(true); // never unfenced before catching up
        if (s.wantFence) expect(now?.fenced).toBe(true);
        if (r.shouldShutDown) expect(now?.fenced).toBe(true);
        const cs = h.hb.controlledShutdownOffset(s.broker);
        const key = `${s.broker}@${reg.brokerEpoch}`;
        if (cs !== null) {
          const first = csOffsets.get(key);
          if (first === undefined) csOffsets.set(key, cs);
          else expect(cs).toBe(first);
        }
        break;
      }
      case 'advance':
        h.advance(s.ms);
        break;
      case 'fence-tick': {
        const before = h.image.brokers().filter((b) => !b.fenced).length;
        const fenced = h.fenceTick();
        const after = h.image.brokers().filter((b) => !b.fenced).length;
        expect(before - after).toBe(fenced === null ? 0 : 1);
        expect(h.hb.size).toBeLessThanOrEqual(h.image.brokerCount);
        break;
      }
      case 'noops':
        h.noOps(s.n);
        break;
      case 'failover':
        h.failover();
        csOffsets.clear(); // soft state is rebuilt; the brokers' own offsets carry on
        break;
      case 'unregister': {
        const r = h.apply(unregisterBroker(h.ctx(), h.hb, { brokerId: s.broker }));
        expect(h.image.broker(s.broker)).toBeUndefined();
        expect(r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED).toBe(true);
        reported.delete(s.broker);
        break;
      }
    }
    h.expectNoIneligibleLeader();
    // Every registration's epoch is the offset of its own RegisterBroker record.
    for (const b of h.image.brokers()) {
      expect(h.log[b.brokerEpoch]).toMatchObject({ type: 'RegisterBroker', brokerId: b.brokerId, brokerEpoch: b.brokerEpoch, incarnationId: b.incarnationId });
    }
  }
}

describe('broker lifecycle (property)', () => {
  it('(brokers=4, random lifecycles) KIP-841, epoch = registration offset, one fencing per tick, shutdown offset never moves', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
        run(steps);
      }),
      { numRuns: 200 },
    );
  });
});
