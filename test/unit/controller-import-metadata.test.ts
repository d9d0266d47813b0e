// The import operation (migrate-from-zk's write): cluster id check, a second run is a no-op that
// says so, refusal next to existing topics unless asked, records that would not apply refused
// whole, already-registered brokers kept, and the ZkMigrationState marker last.

import { describe, expect, it } from 'vitest';
import { IMPORTED_INCARNATION_ID, importMetadata, ZK_MIGRATION_STATE } from '../../quorum/controller/migration/import-metadata.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { brokerRecord, mvRecord, OpHarness, topicIdOf, topicRecords } from './controller-configs-fixture.js';

const CLUSTER = 'mq-configs-test';

function tree(): MetadataRecord[] {
  return [
    brokerRecord(1, 0),
    brokerRecord(2, 0, { fenced: true }),
    ...topicRecords('orders', 5, 3),
    ...topicRecords('events', 6, 1),
    { type: 'OffsetCommit', groupId: 'legacy', topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 },
  ];
}

describe('importMetadata', () => {
  it('writes every record, brokers fenced with their own offsets as epochs, then ZkMigrationState POST_MIGRATION', () => {
    const h = new OpHarness([mvRecord()]);
    const at = h.ctx().nextWriteOffset;
    const r = importMetadata(h.ctx(), { clusterId: CLUSTER, records: tree(), allowExisting: false });
    expect(r.response).toEqual({ errorCode: 0, errorMessage: null, alreadyImported: false, recordsWritten: tree().length + 1, brokersSkipped: 0 });
    expect(r.records.at(-1)).toEqual({ type: 'ZkMigrationState', state: ZK_MIGRATION_STATE.POST_MIGRATION });
    h.apply(r);
    expect(h.image.broker(1)).toMatchObject({ fenced: true, brokerEpoch: at });
    expect(h.image.broker(2)).toMatchObject({ fenced: true, brokerEpoch: at + 1 });
    expect(h.image.topicByName('orders')?.partitions).toHaveLength(3);
    expect(h.image.committedOffset('legacy', 'orders', 0)?.offset).toBe(42);
    expect(h.image.zkMigrationState).toBe(ZK_MIGRATION_STATE.POST_MIGRATION);

    const again = importMetadata(h.ctx(), { clusterId: CLUSTER, records: tree(), allowExisting: false });
    expect(again.records).toEqual([]);
    expect(again.response).toMatchObject({ errorCode: 0, alreadyImported: true, recordsWritten: 0 });
  });

  it('another cluster id: INCONSISTENT_CLUSTER_ID telling how to format; nothing written', () => {
    const r = importMetadata(new OpHarness([mvRecord()]).ctx(), { clusterId: 'zk-cluster-XYZ', records: tree(), allowExisting: false });
    expect(r.records).toEqual([]);
    expect(r.response.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID);
    expect(r.response.errorMessage).toMatch(/format --cluster-id zk-cluster-XYZ/);
  });

  it('a quorum that already holds topics: refused unless allowExisting; a name clash is refused whole even then', () => {
    const h = new OpHarness([mvRecord(), ...topicRecords('mine', 9, 1)]);
    const r = importMetadata(h.ctx(), { clusterId: CLUSTER, records: tree(), allowExisting: false });
    expect(r.response).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, recordsWritten: 0 });
    expect(r.response.errorMessage).toMatch(/already holds 1 topic/);
    expect(r.records).toEqual([]);

    const beside = importMetadata(h.ctx(), { clusterId: CLUSTER, records: tree(), allowExisting: true });
    expect(beside.response.errorCode).toBe(ErrorCode.NONE);

    const clash = importMetadata(h.ctx(), { clusterId: CLUSTER, records: [...tree(), ...topicRecords('mine', 10, 1)], allowExisting: true });
    expect(clash.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(clash.response.errorMessage).toMatch(/do not apply/);
    expect(clash.records).toEqual([]);
  });

  it('producer ids never go back: ZooKeeper\'s next id is imported only when it is ahead of the quorum\'s', () => {
    const producerIds = (nextProducerId: number): MetadataRecord => ({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 0, nextProducerId });
    const ahead = new OpHarness([mvRecord(), producerIds(50_000), ...topicRecords('mine', 9, 1)]);
    const r = importMetadata(ahead.ctx(), { clusterId: CLUSTER, records: [...tree(), producerIds(1_000)], allowExisting: true });
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    ahead.apply(r);
    expect(ahead.image.nextProducerId).toBe(50_000);

    const behind = new OpHarness([mvRecord(), producerIds(500)]);
    behind.apply(importMetadata(behind.ctx(), { clusterId: CLUSTER, records: [...tree(), producerIds(1_000)], allowExisting: false }));
    expect(behind.image.nextProducerId).toBe(1_000);
  });

  it('a broker already registered keeps its live registration; the import counts it as skipped', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 77)]);
    const r = importMetadata(h.ctx(), { clusterId: CLUSTER, records: tree(), allowExisting: false });
    expect(r.response.brokersSkipped).toBe(1);
    h.apply(r);
    expect(h.image.broker(1)).toMatchObject({ fenced: false, brokerEpoch: 77 });
    expect(h.image.broker(2)?.fenced).toBe(true);
  });
});

describe('a broker imported from ZooKeeper registering for real', () => {
  it('takes its id over at once (no session to wait out) and keeps its leaderships and ISR places: no cleanup moves', async () => {
    const { Harness, registrationRequest, incarnation, CLUSTER_ID } = await import('./controller-cluster-fixture.js');
    const h = new Harness();
    const leader1: MetadataRecord[] = [
      { type: 'Topic', name: 'zk-topic', topicId: topicIdOf(42) },
      { type: 'Partition', partitionId: 0, topicId: topicIdOf(42), replicas: [1, 2], isr: [1, 2], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 7, partitionEpoch: 12 },
    ];
    const imported = importMetadata(h.ctx(), { clusterId: CLUSTER_ID, records: [brokerRecord(1, 0), brokerRecord(2, 0), ...leader1], allowExisting: false });
    expect(imported.response.errorCode).toBe(ErrorCode.NONE);
    h.apply(imported);
    expect(h.image.broker(1)).toMatchObject({ incarnationId: IMPORTED_INCARNATION_ID, fenced: true });

    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1)));
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    expect(r.records.map((x) => x.type)).toEqual(['RegisterBroker']);
    h.apply(r);
    expect(h.partition('zk-topic', 0)).toMatchObject({ leader: 1, isr: [1, 2], leaderEpoch: 7 });
    expect(h.image.broker(1)?.incarnationId).toBe(incarnation(1)); // an ordinary registration from now on
  });
});
