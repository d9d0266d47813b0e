// The import's steps (migrate-from-zk's write, migration/import-metadata.ts): cluster id check at
// begin, a second run is a no-op that says so, refusal next to existing topics unless asked, a part
// whose records would not apply refused whole, already-registered brokers kept, and the
// ZkMigrationState marker at the end. The session around the steps is tested on the simulated
// quorum (test/sim/controller-import.test.ts).

import { describe, expect, it } from 'vitest';
import { beginImport, endImport, IMPORT_TRANSACTION_NAME, IMPORTED_INCARNATION_ID, importPart, ZK_MIGRATION_STATE } from '../../quorum/controller/migration/import-metadata.js';
import { registerBroker } from '../../quorum/controller/cluster/register-broker.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { brokerRecord, importInSteps, mvRecord, OpHarness, topicIdOf, topicRecords } from './controller-configs-fixture.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { ACLS_METADATA_VERSION, CLIENT_QUOTAS_METADATA_VERSION, GROUP_METADATA_METADATA_VERSION, OFFSET_EXPIRY_METADATA_VERSION, OFFSETS_METADATA_VERSION, SCRAM_METADATA_VERSION } from '../../quorum/controller/configs/features.js';

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

const begin = (allowExisting = false, clusterId = CLUSTER) => ({ step: 'begin' as const, importId: 'i1', clusterId, allowExisting, totalRecords: 0 });

describe('the import steps', () => {
  it('begin opens the transaction; a part writes every record, brokers fenced with their own offsets as epochs; end writes ZkMigrationState POST_MIGRATION and closes it', () => {
    const h = new OpHarness([mvRecord()]);
    const begun = beginImport(h.ctx(), begin());
    expect(begun.records).toEqual([{ type: 'BeginTransaction', name: IMPORT_TRANSACTION_NAME }]);
    expect(begun.response).toMatchObject({ errorCode: 0, alreadyImported: false, partRecordsMax: h.config.maxRecordsPerOperation });
    const at = h.ctx().nextWriteOffset;
    const part = importPart(h.ctx(), tree());
    expect(part.response).toEqual({ errorCode: 0, errorMessage: null, alreadyImported: false, recordsWritten: tree().length, brokersSkipped: 0 });
    h.apply(part);
    expect(endImport()).toEqual([{ type: 'ZkMigrationState', state: ZK_MIGRATION_STATE.POST_MIGRATION }, { type: 'EndTransaction' }]);
    h.append(endImport().slice(0, 1));
    expect(h.image.broker(1)).toMatchObject({ fenced: true, brokerEpoch: at, incarnationId: IMPORTED_INCARNATION_ID });
    expect(h.image.broker(2)).toMatchObject({ fenced: true, brokerEpoch: at + 1 });
    expect(h.image.topicByName('orders')?.partitions).toHaveLength(3);
    expect(h.image.committedOffset('legacy', 'orders', 0)?.offset).toBe(42);
    expect(h.image.zkMigrationState).toBe(ZK_MIGRATION_STATE.POST_MIGRATION);

    const again = beginImport(h.ctx(), begin());
    expect(again.records).toEqual([]);
    expect(again.response).toMatchObject({ errorCode: 0, alreadyImported: true, recordsWritten: 0 });
  });

  it('another cluster id: INCONSISTENT_CLUSTER_ID telling how to format; nothing written', () => {
    const r = beginImport(new OpHarness([mvRecord()]).ctx(), begin(false, 'zk-cluster-XYZ'));
    expect(r.records).toEqual([]);
    expect(r.response.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID);
    expect(r.response.errorMessage).toMatch(/format --cluster-id zk-cluster-XYZ/);
  });

  it('a quorum that already holds topics: refused unless allowExisting; a part with a name clash is refused whole even then', () => {
    const h = new OpHarness([mvRecord(), ...topicRecords('mine', 9, 1)]);
    const r = beginImport(h.ctx(), begin());
    expect(r.response).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, recordsWritten: 0 });
    expect(r.response.errorMessage).toMatch(/already holds 1 topic/);
    expect(r.records).toEqual([]);

    expect(beginImport(h.ctx(), begin(true)).response.errorCode).toBe(ErrorCode.NONE);
    expect(importPart(h.ctx(), tree()).response.errorCode).toBe(ErrorCode.NONE);

    const clash = importPart(h.ctx(), [...tree(), ...topicRecords('mine', 10, 1)]);
    expect(clash.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(clash.response.errorMessage).toMatch(/do not apply/);
    expect(clash.records).toEqual([]);
  });

  it('a part is checked against what the parts before it wrote (a topic split from its partitions applies; a repeated one does not)', () => {
    const h = new OpHarness([mvRecord()]);
    const orders = topicRecords('orders', 5, 3);
    h.apply(importPart(h.ctx(), orders.slice(0, 2)));
    const rest = importPart(h.ctx(), orders.slice(2));
    expect(rest.response.errorCode).toBe(ErrorCode.NONE);
    h.apply(rest);
    expect(h.image.topicByName('orders')?.partitions).toHaveLength(3);
    expect(importPart(h.ctx(), orders.slice(0, 1)).response.errorMessage).toMatch(/do not apply/);
  });

  it('a part may not carry the markers the controller writes itself', () => {
    const h = new OpHarness([mvRecord()]);
    for (const marker of [{ type: 'ZkMigrationState', state: 3 }, { type: 'EndTransaction' }, { type: 'BeginTransaction', name: null }] as MetadataRecord[]) {
      const r = importPart(h.ctx(), [...tree(), marker]);
      expect(r.records).toEqual([]);
      expect(r.response.errorMessage).toMatch(new RegExp(`may not carry a ${marker.type}`));
    }
  });

  it("a part is held to the finalized metadata.version like any other write: no offsets below 1.0-IV1, no expire timestamp (OffsetCommit v1) below 1.0-IV2, and no FeatureLevel (metadata.version only goes up, by UpdateFeatures)", () => {
    const legacy: MetadataRecord = { type: 'OffsetCommit', groupId: 'legacy', topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 };
    const explicit: MetadataRecord = { ...legacy, partition: 1, expireTimestampMs: 1_700_000_000_000 };
    const orders = topicRecords('orders', 5, 3);
    const refused = (level: number, records: MetadataRecord[], why: RegExp) => {
      const r = importPart(new OpHarness([mvRecord(level)]).ctx(), records);
      expect(r.records).toEqual([]);
      expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.response.errorMessage).toMatch(why);
    };
    refused(OFFSETS_METADATA_VERSION - 1, [...orders, legacy], /metadata\.version 2 \(1\.0-IV1\)/);
    refused(OFFSET_EXPIRY_METADATA_VERSION - 1, [...orders, legacy, explicit], /metadata\.version 3 \(1\.0-IV2\)/);
    for (const level of [1, 2, 3]) refused(OFFSET_EXPIRY_METADATA_VERSION, [...orders, { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: level }], /may not carry a FeatureLevel/);
    // What each level carries is imported as before.
    expect(importPart(new OpHarness([mvRecord(OFFSETS_METADATA_VERSION)]).ctx(), [...orders, legacy]).response.errorCode).toBe(ErrorCode.NONE);
    const latest = new OpHarness([mvRecord(OFFSET_EXPIRY_METADATA_VERSION)]);
    latest.apply(importPart(latest.ctx(), [...orders, legacy, explicit]));
    expect(latest.image.committedOffset('legacy', 'orders', 1)?.expireTimestampMs).toBe(1_700_000_000_000);
    expect(latest.image.featureLevel(METADATA_VERSION_FEATURE)).toBe(OFFSET_EXPIRY_METADATA_VERSION);
  });

  it('group membership (GroupMetadata, GroupMetadataTombstone): refused below metadata.version 1.0-IV4, which a node of an older build cannot read', () => {
    const member = { memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 1, sessionTimeoutMs: 1, subscription: new Uint8Array(0), assignment: new Uint8Array(0) };
    const membership: MetadataRecord = { type: 'GroupMetadata', groupId: 'g', protocolType: 'consumer', generationId: 1, protocolName: 'range', leaderId: 'm1', stateTimestampMs: 0, members: [member] };
    for (const r of [membership, { type: 'GroupMetadataTombstone', groupId: 'g' } as MetadataRecord]) {
      const below = importPart(new OpHarness([mvRecord(GROUP_METADATA_METADATA_VERSION - 1)]).ctx(), [...topicRecords('orders', 5, 3), r]);
      expect(below.records).toEqual([]);
      expect(below.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(below.response.errorMessage).toMatch(/consumer-group membership, which needs metadata\.version 5 \(1\.0-IV4\)/);
    }
  });

  it('producer ids never go back: ZooKeeper\'s next id is imported only when it is ahead of the quorum\'s', () => {
    const producerIds = (nextProducerId: number): MetadataRecord => ({ type: 'ProducerIds', brokerId: 1, brokerEpoch: 0, nextProducerId });
    const ahead = new OpHarness([mvRecord(), producerIds(50_000), ...topicRecords('mine', 9, 1)]);
    expect(importInSteps(ahead, { clusterId: CLUSTER, records: [...tree(), producerIds(1_000)], allowExisting: true }).errorCode).toBe(ErrorCode.NONE);
    expect(ahead.image.nextProducerId).toBe(50_000);

    const behind = new OpHarness([mvRecord(), producerIds(500)]);
    importInSteps(behind, { clusterId: CLUSTER, records: [...tree(), producerIds(1_000)], allowExisting: false });
    expect(behind.image.nextProducerId).toBe(1_000);
  });

  it('ACLs: imported at metadata.version 1.0-IV3, refused below it; one identical to an ACL the quorum holds is stored once; a removal is refused', () => {
    const acl = (id: number, principal: string): MetadataRecord => ({
      type: 'AccessControlEntry', id: topicIdOf(500 + id), resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal, host: '*', operation: 'READ', permissionType: 'ALLOW',
    });
    const below = importPart(new OpHarness([mvRecord(ACLS_METADATA_VERSION - 1)]).ctx(), [...topicRecords('orders', 5, 3), acl(1, 'User:alice')]);
    expect(below.records).toEqual([]);
    expect(below.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(below.response.errorMessage).toMatch(/ACLs, which needs metadata\.version 4 \(1\.0-IV3\)/);

    const h = new OpHarness([mvRecord(), acl(9, 'User:alice')]);
    const r = importInSteps(h, { clusterId: CLUSTER, records: [...tree(), acl(1, 'User:alice'), acl(2, 'User:bob')], allowExisting: false });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect([...h.image.acls()].map((a) => [a.id, a.principal]).sort()).toEqual([[topicIdOf(502), 'User:bob'], [topicIdOf(509), 'User:alice']].sort());

    const removal = importPart(new OpHarness().ctx(), [{ type: 'RemoveAccessControlEntry', id: topicIdOf(509) }]);
    expect(removal.response.errorMessage).toMatch(/may not carry a RemoveAccessControlEntry/);
  });

  it('ACLs: one createAcls would refuse (an empty PREFIXED name applies to every topic; no Type:name principal) refuses the part; one repeated in a part is stored once', () => {
    const acl = (id: number, fields: Readonly<Record<string, string>>): MetadataRecord =>
      ({ type: 'AccessControlEntry', id: topicIdOf(600 + id), resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW', ...fields }) as MetadataRecord;
    for (const [bad, message] of [
      [acl(1, { resourceName: '', patternType: 'PREFIXED', principal: 'User:*', operation: 'ALL' }), /Resource name should not be empty/],
      [acl(2, { principal: 'alice' }), /Could not parse principal from `alice`/],
      [acl(3, { host: '' }), /Invalid empty host/],
    ] as const) {
      const h = new OpHarness([mvRecord()]);
      const r = importPart(h.ctx(), [...topicRecords('orders', 5, 3), bad]);
      expect(r.records).toEqual([]);
      expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.response.errorMessage).toMatch(message);
    }

    const h = new OpHarness([mvRecord()]);
    const r = importInSteps(h, { clusterId: CLUSTER, records: [...tree(), acl(4, {}), acl(5, {}), acl(6, { principal: 'User:bob' })], allowExisting: false });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect([...h.image.acls()].map((a) => [a.id, a.principal]).sort()).toEqual([[topicIdOf(604), 'User:alice'], [topicIdOf(606), 'User:bob']].sort());
  });

  it('client quotas: imported at metadata.version 1.0-IV5, refused below it; one alterClientQuotas would refuse, or a removal, refuses the part', () => {
    const quota = (entity: readonly [string, string | null][], key: string, value: number, remove = false): MetadataRecord =>
      ({ type: 'ClientQuota', entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })), key, value, remove }) as MetadataRecord;
    const good = [quota([['user', 'alice@example.com']], 'consumer_byte_rate', 4194304), quota([['user', null], ['client-id', 'etl job']], 'request_percentage', 25.5), quota([['ip', null]], 'connection_creation_rate', 50)];

    const below = importPart(new OpHarness([mvRecord(CLIENT_QUOTAS_METADATA_VERSION - 1)]).ctx(), [...topicRecords('orders', 5, 3), ...good]);
    expect(below.records).toEqual([]);
    expect(below.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(below.response.errorMessage).toBe(
      "An import part carries client quotas, which needs metadata.version 6 (1.0-IV5); upgrade the cluster's metadata.version first (metaquorum features upgrade --metadata 1.0-IV5).",
    );

    const h = new OpHarness([mvRecord(CLIENT_QUOTAS_METADATA_VERSION)]);
    expect(importInSteps(h, { clusterId: CLUSTER, records: [...tree(), ...good], allowExisting: false }).errorCode).toBe(ErrorCode.NONE);
    expect(h.image.clientQuota([{ entityType: 'client-id', entityName: 'etl job' }, { entityType: 'user', entityName: null }])?.values).toEqual(new Map([['request_percentage', 25.5]]));
    expect(h.image.clientQuotaCount).toBe(3);

    for (const [bad, message] of [
      [quota([['user', 'alice']], 'connection_creation_rate', 1), /\(user "alice", connection_creation_rate\): Invalid configuration key connection_creation_rate/],
      [quota([['client-id', 'app']], 'producer_byte_rate', -1), /must be a number at least 0/],
      [quota([['client-id', 'app']], 'producer_byte_rate', 1.5), /must be a Long value/],
      [quota([['ip', 'kafka.example.com']], 'connection_creation_rate', 1), /kafka\.example\.com is not a valid IP address/],
      [quota([['user', '']], 'producer_byte_rate', 1), /Empty user not supported/],
      [quota([['user', 'alice']], 'producer_byte_rate', 0, true), /an import only sets quotas/],
    ] as const) {
      const r = importPart(new OpHarness([mvRecord()]).ctx(), [...topicRecords('orders', 5, 3), bad]);
      expect(r.records).toEqual([]);
      expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.response.errorMessage).toMatch(message);
    }
  });

  it('SCRAM credentials: imported at metadata.version 1.0-IV6, refused below it; one alterUserScramCredentials would not have written, or a removal, refuses the part', () => {
    const credential = (name: string, mechanism: number, iterations = 4096, keyBytes = mechanism === 2 ? 64 : 32, salt = Buffer.from('salt')): MetadataRecord =>
      ({ type: 'UserScramCredential', name, mechanism, salt, storedKey: Buffer.alloc(keyBytes, 1), serverKey: Buffer.alloc(keyBytes, 2), iterations }) as MetadataRecord;
    const good = [credential('alice', 1), credential('alice', 2, 8192), credential('etl job', 2)];

    const below = importPart(new OpHarness([mvRecord(SCRAM_METADATA_VERSION - 1)]).ctx(), [...topicRecords('orders', 5, 3), ...good]);
    expect(below.records).toEqual([]);
    expect(below.response.errorMessage).toBe(
      "An import part carries SCRAM credentials, which needs metadata.version 7 (1.0-IV6); upgrade the cluster's metadata.version first (metaquorum features upgrade --metadata 1.0-IV6).",
    );

    const h = new OpHarness([mvRecord(SCRAM_METADATA_VERSION)]);
    expect(importInSteps(h, { clusterId: CLUSTER, records: [...tree(), ...good], allowExisting: false }).errorCode).toBe(ErrorCode.NONE);
    expect([...h.image.scramUser('alice')!.credentials].map(([m, c]) => [m, c.iterations])).toEqual([[1, 4096], [2, 8192]]);
    expect(h.image.scramUserCount).toBe(2);

    for (const [bad, message] of [
      [credential('', 1), /\(user "", mechanism 1\): Username must not be empty/],
      [credential('bob', 1, 100), /Too few iterations: 100/],
      [credential('bob', 2, 20000), /Too many iterations: 20000/],
      [credential('bob', 2, 4096, 32), /SCRAM-SHA-512 keys are 64 bytes/],
      [credential('bob', 1, 4096, 32, Buffer.alloc(0)), /The salt must not be empty/],
      [{ type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 } as MetadataRecord, /an import only sets credentials/],
      [credential('bob', 1, Number.NaN), /The iteration count must be a whole number, got NaN/],
      [{ ...credential('bob', 1), storedKey: 'a'.repeat(32) } as unknown as MetadataRecord, /The salt and keys must be bytes/],
    ] as const) {
      const r = importPart(new OpHarness([mvRecord()]).ctx(), [...topicRecords('orders', 5, 3), bad]);
      expect(r.records).toEqual([]);
      expect(r.response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.response.errorMessage).toMatch(message);
    }
  });

  it('a broker already registered keeps its live registration; the import counts it as skipped', () => {
    const h = new OpHarness([mvRecord(), brokerRecord(1, 77)]);
    expect(importInSteps(h, { clusterId: CLUSTER, records: tree(), allowExisting: false }).brokersSkipped).toBe(1);
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
    expect(importInSteps(h, { clusterId: CLUSTER_ID, records: [brokerRecord(1, 0), brokerRecord(2, 0), ...leader1], allowExisting: false }).errorCode).toBe(ErrorCode.NONE);
    expect(h.image.broker(1)).toMatchObject({ incarnationId: IMPORTED_INCARNATION_ID, fenced: true });

    const r = registerBroker(h.ctx(), h.hb, registrationRequest(1, incarnation(1)));
    expect(r.response.errorCode).toBe(ErrorCode.NONE);
    expect(r.records.map((x) => x.type)).toEqual(['RegisterBroker']);
    h.apply(r);
    expect(h.partition('zk-topic', 0)).toMatchObject({ leader: 1, isr: [1, 2], leaderEpoch: 7 });
    expect(h.image.broker(1)?.incarnationId).toBe(incarnation(1)); // an ordinary registration from now on
  });
});
