import { describe, expect, it } from 'vitest';
import type { RegisterBrokerRecord } from '../../metadata-log/records/types.js';
import { METADATA_VERSION_FEATURE, NO_LEADER } from '../../metadata-log/records/types.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { CLUSTER_ID, Harness, incarnation, METADATA_VERSION, registrationRequest, SESSION_TIMEOUT_MS } from './controller-cluster-fixture.js';

describe('registerBroker', () => {
  it('broker epoch = the log offset of its RegisterBroker record; it starts fenced, not in controlled shutdown', () => {
    const h = new Harness();
    h.noOps(41);
    const offset = h.endOffset;
    const result = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { rack: 'rack-a' }));
    expect(result.records).toHaveLength(1);
    const rec = result.records[0] as RegisterBrokerRecord;
    expect(rec).toMatchObject({ type: 'RegisterBroker', brokerId: 1, incarnationId: incarnation(1), brokerEpoch: offset, fenced: true, inControlledShutdown: false, rack: 'rack-a' });
    expect(result.response).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch: offset });
    h.apply(result);
    expect(h.log[offset]).toBe(rec);
    expect(h.image.broker(1)).toMatchObject({ brokerEpoch: offset, fenced: true, inControlledShutdown: false, rack: 'rack-a' });
    // Registration starts a session.
    expect(h.hb.session(1)?.lastContactMs).toBe(h.nowMs);
  });

  it('two brokers registered back to back get the offsets of their own records', () => {
    const h = new Harness();
    const e1 = h.register(1);
    const e2 = h.register(2);
    expect(e2).toBe(e1 + 1);
    expect(h.log[e1]).toMatchObject({ type: 'RegisterBroker', brokerId: 1 });
    expect(h.log[e2]).toMatchObject({ type: 'RegisterBroker', brokerId: 2 });
  });

  it('wrong cluster id -> INCONSISTENT_CLUSTER_ID, nothing written', () => {
    const h = new Harness();
    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { clusterId: 'other-cluster' }));
    expect(r.records).toEqual([]);
    expect(r.response.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID);
    expect(r.response.errorMessage).toContain('other-cluster');
    expect(r.response.errorMessage).toContain(CLUSTER_ID);
    expect(r.response.brokerEpoch).toBe(-1);
    expect(h.hb.session(1)).toBeUndefined();
  });

  it.each([
    ['no listeners', { listeners: [] }],
    ['port 0', { listeners: [{ name: 'PLAINTEXT', host: 'h', port: 0, securityProtocol: 'PLAINTEXT' }] }],
    ['port 65536', { listeners: [{ name: 'PLAINTEXT', host: 'h', port: 65_536, securityProtocol: 'PLAINTEXT' }] }],
    ['fractional port', { listeners: [{ name: 'PLAINTEXT', host: 'h', port: 90.5, securityProtocol: 'PLAINTEXT' }] }],
    ['empty host', { listeners: [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }] }],
    [
      'duplicate listener names',
      {
        listeners: [
          { name: 'PLAINTEXT', host: 'a', port: 9092, securityProtocol: 'PLAINTEXT' },
          { name: 'PLAINTEXT', host: 'b', port: 9093, securityProtocol: 'PLAINTEXT' },
        ],
      },
    ],
    ['incarnation id not a uuid', { incarnationId: 'not-a-uuid' }],
    ['the zero incarnation id, which marks an imported registration', { incarnationId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    ['negative broker id', { brokerId: -1 }],
    ['feature range upside down', { features: [{ name: METADATA_VERSION_FEATURE, minVersion: 9, maxVersion: 3 }] }],
    ['previous broker epoch below -1', { previousBrokerEpoch: -2 }],
  ] as const)('invalid request (%s) -> INVALID_REQUEST, nothing written', (_name, overrides) => {
    const h = new Harness();
    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), overrides));
    expect(r.records).toEqual([]);
    expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(r.response.errorMessage).not.toBeNull();
  });

  it('metadata.version: the finalized level must be in the broker range (UNSUPPORTED_VERSION otherwise)', () => {
    const h = new Harness();
    const tooNew = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { features: [{ name: METADATA_VERSION_FEATURE, minVersion: METADATA_VERSION + 1, maxVersion: 20 }] }));
    expect(tooNew.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(tooNew.response.errorMessage).toContain(`level ${METADATA_VERSION}`);
    expect(tooNew.records).toEqual([]);
    const tooOld = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { features: [{ name: METADATA_VERSION_FEATURE, minVersion: 1, maxVersion: METADATA_VERSION - 1 }] }));
    expect(tooOld.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const missing = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { features: [] }));
    expect(missing.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const exact = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1), { features: [{ name: METADATA_VERSION_FEATURE, minVersion: METADATA_VERSION, maxVersion: METADATA_VERSION }] }));
    expect(exact.response.errorCode).toBe(ErrorCode.NONE);
  });

  it('another finalized feature the broker does not support -> UNSUPPORTED_VERSION', () => {
    const h = new Harness();
    h.append([{ type: 'FeatureLevel', name: 'group.version', featureLevel: 1 }]);
    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1)));
    expect(r.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(r.response.errorMessage).toContain('group.version');
  });

  it('(KAFKA-16952) the same incarnation re-registering keeps its epoch and state, writes nothing', () => {
    const h = new Harness();
    const epoch = h.start(1);
    h.noOps(10);
    h.advance(1_000);
    const again = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1)));
    expect(again.records).toEqual([]);
    expect(again.response).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, brokerEpoch: epoch });
    expect(h.image.broker(1)).toMatchObject({ brokerEpoch: epoch, fenced: false });
    // It counts as contact: the session was renewed.
    expect(h.hb.session(1)?.lastContactMs).toBe(h.nowMs);
  });

  it('a new incarnation while the old session is live is refused; after expiry it registers with a new epoch', () => {
    const h = new Harness();
    const oldEpoch = h.start(1);
    h.advance(SESSION_TIMEOUT_MS - 1);
    const refused = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101)));
    expect(refused.records).toEqual([]);
    expect(refused.response.errorCode).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
    expect(refused.response.brokerEpoch).toBe(-1);
    expect(refused.response.errorMessage).toContain(incarnation(1));
    expect(refused.response.errorMessage).toContain("whose session expires in 1 s unless it heartbeats"); // 1 ms left, rounded up: never a clock reading
    // Still live at exactly lastContact + timeout, expired one ms later.
    h.advance(1);
    expect(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101))).response.errorCode).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
    h.advance(1);
    h.noOps(3);
    const offset = h.endOffset;
    const epoch = h.register(1, incarnation(101));
    expect(epoch).toBe(offset);
    expect(epoch).toBeGreaterThan(oldEpoch);
    expect(h.image.broker(1)).toMatchObject({ incarnationId: incarnation(101), brokerEpoch: epoch, fenced: true });
  });

  it('a heartbeating old incarnation keeps the id: the newcomer is refused for as long as it lives', () => {
    const h = new Harness();
    h.start(1);
    for (let i = 0; i < 10; i++) {
      h.advance(2_000);
      h.heartbeat(1);
      expect(registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101))).response.errorCode).toBe(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
    }
  });

  it('a new incarnation replaces a FENCED registration at once (a fenced broker holds no session, as in Kafka)', () => {
    const h = new Harness();
    h.register(1);
    h.heartbeat(1, { wantFence: true });
    expect(h.image.broker(1)?.fenced).toBe(true);
    const epoch = h.register(1, incarnation(101));
    expect(h.image.broker(1)).toMatchObject({ incarnationId: incarnation(101), brokerEpoch: epoch });
  });

  it('(unclean shutdown) the old incarnation still leads: cleanup moves come first, epoch = offset of the RegisterBroker record', () => {
    const h = new Harness();
    h.start(1);
    h.start(2);
    h.createTopic('t', 2, [
      { replicas: [1, 2], isr: [1, 2], leader: 1 },
      { replicas: [2, 1], isr: [2, 1], leader: 2 },
    ]);
    h.advance(SESSION_TIMEOUT_MS + 1);
    h.heartbeat(2); // broker 2 is alive, broker 1's process died and restarts
    const offset = h.endOffset;
    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101)));
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    const types = r.records.map((x) => x.type);
    expect(types.at(-1)).toBe('RegisterBroker');
    expect(types.slice(0, -1).every((t) => t === 'PartitionChange')).toBe(true);
    expect(types.length).toBeGreaterThan(1);
    const epoch = offset + r.records.length - 1;
    expect(r.response.brokerEpoch).toBe(epoch);
    expect((r.records.at(-1) as RegisterBrokerRecord).brokerEpoch).toBe(epoch);
    h.apply(r);
    expect(h.log[epoch]).toMatchObject({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: epoch });
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
    expect(h.partition('t', 1)).toMatchObject({ leader: 2, isr: [2] });
    h.expectNoIneligibleLeader();
  });

  it('(unclean shutdown, sole ISR member) the partition goes leaderless rather than keep a dead leader', () => {
    const h = new Harness();
    h.start(1);
    h.createTopic('solo', 3, [{ replicas: [1], isr: [1], leader: 1 }]);
    h.advance(SESSION_TIMEOUT_MS + 1);
    h.register(1, incarnation(101));
    expect(h.partition('solo', 0).leader).toBe(NO_LEADER);
    h.expectNoIneligibleLeader();
  });

  it('a new incarnation of a broker that holds nothing writes only the RegisterBroker record', () => {
    const h = new Harness();
    h.start(1);
    h.advance(SESSION_TIMEOUT_MS + 1);
    const offset = h.endOffset;
    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(101)));
    expect(r.records.map((x) => x.type)).toEqual(['RegisterBroker']);
    expect(r.response.brokerEpoch).toBe(offset);
  });
});
