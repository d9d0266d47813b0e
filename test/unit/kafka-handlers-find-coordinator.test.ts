// FindCoordinator: the coordinator is the group id's hash over the live brokers, answered by any
// broker with the coordinator's endpoint for the listener the request came in on; transactions,
// no live broker and missing listeners get retriable errors.

import { describe, expect, it } from 'vitest';
import { handleFindCoordinator } from '../../broker/kafka/handlers/find-coordinator.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { imageOf } from '../../metadata-log/delta.js';
import { brokerRecord, defaultCluster, mvRecord, overTheWire, testbed, withEndpoints } from './kafka-handlers-fixture.js';

describe('FindCoordinator', () => {
  it.each([0, 1, 2])('v%i: every broker names the same coordinator, the live broker the group id hashes to, at its PLAINTEXT endpoint', async (version) => {
    for (const asked of [1, 2, 3]) {
      const t = testbed({ brokerId: asked });
      // Rendezvous hashing (metadata-log/group-ownership.ts): "g6" scores highest on broker 3 of 1-3.
      const r = await overTheWire('FindCoordinator', version, { key: 'g6', keyType: 0 }, handleFindCoordinator, t.ctx);
      expect(r).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 3, host: 'b3', port: 9092 });
      if (version >= 1) expect(r.errorMessage).toBeNull();
      expect(t.controller.calls).toEqual([]);
    }
  });

  it('a fenced broker coordinates nothing: its groups move to the live ones', async () => {
    const base = [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), brokerRecord(3, 12, { fenced: true })];
    const t = testbed({ baseRecords: base });
    // "g6" (broker 3's while it is live) and "g10" go to their next-highest live brokers, 2 and 1.
    expect(await handleFindCoordinator(t.ctx, { key: 'g6', keyType: 0 }, 2)).toMatchObject({ errorCode: 0, nodeId: 2, host: 'b2' });
    expect(await handleFindCoordinator(t.ctx, { key: 'g10', keyType: 0 }, 2)).toMatchObject({ errorCode: 0, nodeId: 1, host: 'b1' });
  });

  it('answers the endpoint of the listener the request came in on', async () => {
    const endpoints = [
      { name: 'PLAINTEXT', host: 'plain.example', port: 9092, securityProtocol: 'PLAINTEXT' },
      { name: 'SSL', host: 'tls.example', port: 9093, securityProtocol: 'SSL' },
    ];
    const base = [mvRecord(), withEndpoints(brokerRecord(1, 10), endpoints)];
    const ssl = testbed({ baseRecords: base, listenerName: 'SSL' });
    expect(await handleFindCoordinator(ssl.ctx, { key: 'g', keyType: 0 }, 2)).toMatchObject({ errorCode: 0, nodeId: 1, host: 'tls.example', port: 9093 });
    const plain = testbed({ baseRecords: base, listenerName: 'PLAINTEXT' });
    expect(await handleFindCoordinator(plain.ctx, { key: 'g', keyType: 0 }, 2)).toMatchObject({ errorCode: 0, nodeId: 1, host: 'plain.example', port: 9092 });
  });

  it('v2 transaction coordinator: COORDINATOR_NOT_AVAILABLE (no transactions here)', async () => {
    const t = testbed();
    const r = await overTheWire('FindCoordinator', 2, { key: 'tx-1', keyType: 1 }, handleFindCoordinator, t.ctx);
    expect(r.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(r.errorMessage).toMatch(/transaction/);
    expect(r).toMatchObject({ nodeId: -1, host: '', port: -1 });
  });

  it('an unknown key type: INVALID_REQUEST', async () => {
    const t = testbed();
    expect((await handleFindCoordinator(t.ctx, { key: 'g', keyType: 7 }, 2)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('no live broker (an empty image, or all fenced): COORDINATOR_NOT_AVAILABLE (retriable), at v0 too', async () => {
    const fenced = testbed({ baseRecords: [mvRecord(), brokerRecord(1, 10, { fenced: true })] });
    const r = await overTheWire('FindCoordinator', 0, { key: 'g', keyType: 0 }, handleFindCoordinator, fenced.ctx);
    expect(r).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 });
    const t = testbed({ brokerId: 9 });
    t.setBrokerImage(imageOf([]));
    expect((await handleFindCoordinator(t.ctx, { key: 'g', keyType: 0 }, 2)).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  it('registered without the listener asked on: COORDINATOR_NOT_AVAILABLE naming the listener', async () => {
    const t = testbed({ baseRecords: defaultCluster(), listenerName: 'SSL' });
    const r = await handleFindCoordinator(t.ctx, { key: 'g', keyType: 0 }, 2);
    expect(r.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(r.errorMessage).toMatch(/SSL/);
  });
});
