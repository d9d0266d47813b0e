import { describe, expect, it } from 'vitest';
import { describeCluster } from '../../quorum/controller/cluster/describe-cluster.js';
import { unregisterBroker } from '../../quorum/controller/cluster/unregister-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { CLUSTER_ID, Harness, incarnation, registrationRequest } from './controller-cluster-fixture.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';

describe('unregisterBroker', () => {
  it('unknown broker -> BROKER_ID_NOT_REGISTERED, nothing written', () => {
    const h = new Harness();
    const r = unregisterBroker(h.ctx(), h.hb, { brokerId: 4 });
    expect(r.records).toEqual([]);
    expect(r.response.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED);
  });

  it('moves leaderships and ISR memberships off, then UnregisterBroker with its epoch; soft state forgotten', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [
      { replicas: [1, 2], isr: [1, 2], leader: 1 },
      { replicas: [2, 1], isr: [2, 1], leader: 2 },
    ]);
    const epoch = h.epochOf(1);
    const r = unregisterBroker(h.ctx(), h.hb, { brokerId: 1 });
    expect(r.response).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(r.records.at(-1)).toEqual({ type: 'UnregisterBroker', brokerId: 1, brokerEpoch: epoch });
    expect(r.records.slice(0, -1).every((x) => x.type === 'PartitionChange')).toBe(true);
    expect(h.hb.session(1)).toBeUndefined();
    h.apply(r);
    expect(h.image.broker(1)).toBeUndefined();
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
    expect(h.partition('t', 1)).toMatchObject({ leader: 2, isr: [2] });
    h.expectNoIneligibleLeader();
    // The id is free: a new incarnation registers at once.
    expect(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101))).response.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('describeCluster', () => {
  it('lists brokers ascending with state, epoch and the soft state the active controller has', () => {
    const h = new Harness();
    h.start(3); // unfenced
    h.register(1); // fenced, never heartbeated
    h.start(2);
    h.createTopic('t', 2, [{ replicas: [2, 3], isr: [2, 3], leader: 2 }]);
    h.heartbeat(2, { wantShutDown: true }); // controlled shutdown
    h.advance(100);
    h.heartbeat(3, { currentMetadataOffset: 5 });
    const d = describeCluster(h, h.hb, 3000);
    expect(d.clusterId).toBe(CLUSTER_ID);
    expect(d.controllerId).toBe(3000);
    expect(d.brokers.map((b) => [b.brokerId, b.state])).toEqual([
      [1, 'fenced'],
      [2, 'controlled-shutdown'],
      [3, 'unfenced'],
    ]);
    const [b1, b2, b3] = d.brokers;
    expect(b1).toMatchObject({ host: 'broker-1.local', port: 9093, rack: null, fenced: true, inControlledShutdown: false, brokerEpoch: h.epochOf(1), metadataOffset: null });
    expect(b1?.lastContactAgoMs).toBe(100); // registration started its session, 100 ms ago
    expect(b2).toMatchObject({ fenced: false, inControlledShutdown: true });
    expect(b3).toMatchObject({ metadataOffset: 5, lastContactAgoMs: 0, brokerEpoch: h.epochOf(3) });
  });

  it('on a controller with no soft state (standby / just activated) liveness fields are null or count from the activation', () => {
    const h = new Harness();
    h.start(1);
    h.failover();
    const d = describeCluster(h, h.hb, null);
    expect(d.controllerId).toBeNull();
    expect(d.brokers[0]).toMatchObject({ metadataOffset: null, lastContactAgoMs: 0 });
  });

  it('a listener name picks that endpoint and leaves out brokers without it', () => {
    const h = new Harness();
    h.apply(
      registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), {
        listeners: [
          { name: 'INTERNAL', host: 'in-1', port: 19092, securityProtocol: 'PLAINTEXT' },
          { name: 'EXTERNAL', host: 'out-1', port: 29092, securityProtocol: 'SSL' },
        ],
      })),
    );
    h.register(2);
    const d = describeCluster(h, h.hb, 1, 'EXTERNAL');
    expect(d.brokers).toHaveLength(1);
    expect(d.brokers[0]).toMatchObject({ brokerId: 1, host: 'out-1', port: 29092 });
    expect(describeCluster(h, h.hb, 1).brokers[0]).toMatchObject({ host: 'in-1', port: 19092 });
  });

  it('every broker carries all the listeners it registered, whatever listener picked host and port', () => {
    const h = new Harness();
    const listeners = [
      { name: 'INTERNAL', host: 'in-1', port: 19092, securityProtocol: 'PLAINTEXT' },
      { name: 'EXTERNAL', host: 'out-1', port: 29092, securityProtocol: 'SSL' },
    ];
    h.apply(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { listeners })));
    expect(describeCluster(h, h.hb, 1).brokers[0]?.endpoints).toEqual(listeners);
    expect(describeCluster(h, h.hb, 1, 'EXTERNAL').brokers[0]?.endpoints).toEqual(listeners);
  });
});
