// MetadataDelta / MetadataImage: each replay rule (Kafka's), epoch bumps, structural sharing between
// consecutive images, the memory-sharing rules of partitions, and the corrupt-log errors.

import { describe, expect, it } from 'vitest';
import { imageOf, MetadataDelta, MetadataReplayError, replayAll } from '../../metadata-log/delta.js';
import { EMPTY_IDS, MetadataImage } from '../../metadata-log/image.js';
import type { AccessControlEntryRecord, ClientQuotaEntityPart, ClientQuotaRecord, MetadataRecord, RegisterBrokerRecord, UserScramCredentialRecord } from '../../metadata-log/records/types.js';
import { partitionRecord, testUuid } from '../support/image-records.js';

const uuid = testUuid;

const T1 = uuid(1);
const T2 = uuid(2);

function broker(id: number, epoch: number, extra: Partial<RegisterBrokerRecord> = {}): RegisterBrokerRecord {
  return {
    type: 'RegisterBroker',
    brokerId: id,
    incarnationId: uuid(1000 + id),
    brokerEpoch: epoch,
    endpoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 + id, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: true,
    inControlledShutdown: false,
    features: [],
    ...extra,
  };
}

const partition = partitionRecord;

function topic(name: string, topicId: string, partitions: number): MetadataRecord[] {
  const out: MetadataRecord[] = [{ type: 'Topic', name, topicId }];
  for (let p = 0; p < partitions; p++) out.push(partition(topicId, p, [1, 2, 3]));
  return out;
}

function next(image: MetadataImage, records: MetadataRecord[]): MetadataImage {
  return replayAll(image, records, { endOffset: image.provenance.endOffset + records.length, epoch: 1 });
}

describe('MetadataImage.EMPTY', () => {
  it('is empty at provenance (0, 0)', () => {
    const e = MetadataImage.EMPTY;
    expect(e.provenance).toEqual({ endOffset: 0, epoch: 0 });
    expect([e.topicCount, e.partitionCount, e.brokerCount, e.nextProducerId, e.zkMigrationState]).toEqual([0, 0, 0, 0, 0]);
    expect(e.brokers()).toEqual([]);
    expect([...e.topics()]).toEqual([]);
    expect([...e.groupIds()]).toEqual([]);
    expect(e.configs('topic', 'x').size).toBe(0);
    expect(e.features().size).toBe(0);
  });
});

describe('MetadataDelta brokers', () => {
  it('RegisterBroker replaces the registration; brokers() is ascending by id', () => {
    const img = imageOf([broker(3, 10), broker(1, 11), broker(2, 12), broker(1, 20, { fenced: false, rack: 'r1' })]);
    expect(img.brokers().map((b) => b.brokerId)).toEqual([1, 2, 3]);
    expect(img.brokerCount).toBe(3);
    expect(img.broker(1)).toMatchObject({ brokerEpoch: 20, fenced: false, rack: 'r1' });
    expect(img.broker(1)).not.toHaveProperty('type');
  });

  it('UnregisterBroker removes only with the matching epoch (a stale epoch or unknown broker is ignored)', () => {
    const img = imageOf([
      broker(1, 10),
      broker(2, 11),
      { type: 'UnregisterBroker', brokerId: 1, brokerEpoch: 9 },
      { type: 'UnregisterBroker', brokerId: 7, brokerEpoch: 1 },
      { type: 'UnregisterBroker', brokerId: 2, brokerEpoch: 11 },
    ]);
    expect(img.brokers().map((b) => b.brokerId)).toEqual([1]);
  });

  it('BrokerRegistrationChange applies fenced / inControlledShutdown at the matching epoch, absent = unchanged, stale ignored', () => {
    let img = imageOf([broker(1, 10)]);
    img = next(img, [{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 10, fenced: false }]);
    expect(img.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: false });
    img = next(img, [{ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 10, inControlledShutdown: true }]);
    expect(img.broker(1)).toMatchObject({ fenced: false, inControlledShutdown: true });
    const before = img.broker(1);
    img = next(img, [
      { type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 9, fenced: true },
      { type: 'BrokerRegistrationChange', brokerId: 5, brokerEpoch: 10, fenced: true },
    ]);
    expect(img.broker(1)).toBe(before);
    expect(img.broker(5)).toBeUndefined();
  });
});

describe('MetadataDelta topics and partitions', () => {
  it('Topic adds and Partition sets; partitionCount follows; partitions are indexed by id', () => {
    const img = imageOf([...topic('a', T1, 3), ...topic('b', T2, 2), partition(T1, 1, [4, 5])]);
    expect(img.topicCount).toBe(2);
    expect(img.partitionCount).toBe(5);
    expect(img.topicByName('a')!.topicId).toBe(T1);
    expect(img.topicById(T2)!.name).toBe('b');
    expect(img.topicById(T1)!.partitions[1]!.replicas).toEqual([4, 5]);
    expect(img.topicById(T1)).toBe(img.topicByName('a'));
  });

  it('PartitionChange: leader present bumps leaderEpoch (even the same id); every change bumps partitionEpoch; absent fields unchanged', () => {
    let img = imageOf(topic('a', T1, 1));
    const p0 = img.topicById(T1)!.partitions[0]!;
    img = next(img, [{ type: 'PartitionChange', topicId: T1, partitionId: 0, isr: [1, 2] }]);
    let p = img.topicById(T1)!.partitions[0]!;
    expect(p).toMatchObject({ leader: 1, leaderEpoch: 0, partitionEpoch: 1, isr: [1, 2], replicas: [1, 2, 3] });
    img = next(img, [{ type: 'PartitionChange', topicId: T1, partitionId: 0, leader: 1 }]);
    p = img.topicById(T1)!.partitions[0]!;
    expect(p).toMatchObject({ leader: 1, leaderEpoch: 1, partitionEpoch: 2, isr: [1, 2] });
    img = next(img, [
      { type: 'PartitionChange', topicId: T1, partitionId: 0, leader: -1, leaderRecoveryState: 1 },
      { type: 'PartitionChange', topicId: T1, partitionId: 0, replicas: [2, 3], addingReplicas: [3], removingReplicas: [1] },
    ]);
    p = img.topicById(T1)!.partitions[0]!;
    expect(p).toEqual({
      replicas: [2, 3],
      isr: [1, 2],
      removingReplicas: [1],
      addingReplicas: [3],
      leader: -1,
      leaderRecoveryState: 1,
      leaderEpoch: 2,
      partitionEpoch: 4,
    });
    expect(p0).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0 }); // the old image's object is untouched
  });

  it('RemoveTopic removes the topic, its partitions and its topic configs; the name can be reused', () => {
    let img = imageOf([
      ...topic('a', T1, 3),
      { type: 'Config', resourceType: 'topic', resourceName: 'a', name: 'retention.ms', value: '1' },
      { type: 'Config', resourceType: 'broker', resourceName: 'a', name: 'x', value: '1' },
    ]);
    img = next(img, [{ type: 'RemoveTopic', topicId: T1 }]);
    expect(img.topicById(T1)).toBeUndefined();
    expect(img.topicByName('a')).toBeUndefined();
    expect([img.topicCount, img.partitionCount]).toEqual([0, 0]);
    expect(img.configs('topic', 'a').size).toBe(0);
    expect(img.configs('broker', 'a').get('x')).toBe('1');
    // Removed and re-created under a new id within one delta.
    img = next(img, [...topic('b', uuid(3), 1)]);
    img = next(img, [{ type: 'RemoveTopic', topicId: img.topicByName('b')!.topicId }, ...topic('b', T2, 2)]);
    expect(img.topicByName('b')!.topicId).toBe(T2);
    expect([img.topicCount, img.partitionCount]).toEqual([1, 2]);
  });

  it('a partition change leaves the name index as it was, and a lookup by name still finds the changed topic', () => {
    const before = imageOf([...topic('a', T1, 2), ...topic('b', T2, 1)]);
    const after = next(before, [{ type: 'PartitionChange', topicId: T1, partitionId: 1, isr: [1] }]);
    expect(after.parts.topicIdsByName).toBe(before.parts.topicIdsByName);
    expect(after.topicByName('a')).toBe(after.topicById(T1));
    expect(after.topicByName('a')!.partitions[1]!.isr).toEqual([1]);
    expect(before.topicByName('a')!.partitions[1]!.isr).toEqual([1, 2, 3]);
  });

  it('a removed topic\'s id reused by a Topic record in the same delta makes a new topic, as across two deltas', () => {
    const base = imageOf(topic('a.b', T1, 2));
    const records: MetadataRecord[] = [{ type: 'RemoveTopic', topicId: T1 }, ...topic('c_d', T1, 1)];
    const oneDelta = next(base, records);
    const twoDeltas = next(next(base, records.slice(0, 1)), records.slice(1));
    for (const img of [oneDelta, twoDeltas]) {
      expect(img.topicByName('a.b')).toBeUndefined();
      expect(img.topicByName('c_d')!.topicId).toBe(T1);
      expect(img.parts.topicIdsByName.size).toBe(1);
      expect(img.topicNamesUnifiedAs('a_b')).toEqual([]);
      expect(img.topicNamesUnifiedAs('c_d')).toEqual(['c_d']);
      expect([img.topicCount, img.partitionCount]).toEqual([1, 1]);
    }
    const d = new MetadataDelta(base);
    for (const r of records) d.replay(r);
    expect(d.removedTopics().map((t) => t.name)).toEqual(['a.b']);
  });

  it('a topic created and removed inside one delta leaves nothing behind', () => {
    const img = imageOf([...topic('a', T1, 4), { type: 'RemoveTopic', topicId: T1 }]);
    expect([img.topicCount, img.partitionCount]).toEqual([0, 0]);
    expect(img.topicByName('a')).toBeUndefined();
  });

  it('corrupt log: records naming something missing throw MetadataReplayError', () => {
    const base = imageOf(topic('a', T1, 2));
    const cases: [MetadataRecord, RegExp][] = [
      [partition(T2, 0, [1]), /unknown topic id/],
      [partition(T1, 3, [1]), /gap/],
      [{ type: 'PartitionChange', topicId: T1, partitionId: 2, leader: 1 }, /unknown partition 2/],
      [{ type: 'PartitionChange', topicId: T2, partitionId: 0, leader: 1 }, /unknown topic id/],
      [{ type: 'RemoveTopic', topicId: T2 }, /unknown topic id/],
      [{ type: 'Topic', name: 'b', topicId: T1 }, /already exists/],
      [{ type: 'Topic', name: 'a', topicId: T2 }, /already used/],
    ];
    for (const [record, message] of cases) {
      const d = new MetadataDelta(base);
      expect(() => d.replay(record), record.type).toThrow(MetadataReplayError);
      expect(() => new MetadataDelta(base).replay(record)).toThrow(message);
    }
    const removed = new MetadataDelta(base);
    removed.replay({ type: 'RemoveTopic', topicId: T1 });
    expect(() => removed.replay(partition(T1, 0, [1]))).toThrow(/unknown topic id/);
    // Also when the topic was just touched (the delta caches the last topic it touched).
    const touched = new MetadataDelta(base);
    touched.replay({ type: 'PartitionChange', topicId: T1, partitionId: 0, leader: 2 });
    touched.replay({ type: 'RemoveTopic', topicId: T1 });
    expect(() => touched.replay({ type: 'PartitionChange', topicId: T1, partitionId: 0, leader: 3 })).toThrow(/unknown topic id/);
  });

  it('transaction markers are the loader\'s: replaying one is a programmer error', () => {
    for (const r of [{ type: 'BeginTransaction', name: null }, { type: 'EndTransaction' }, { type: 'AbortTransaction', reason: null }] as MetadataRecord[]) {
      expect(() => new MetadataDelta(MetadataImage.EMPTY).replay(r)).toThrow(/MetadataLoader/);
    }
  });

  it('a delta is single-use: replay or apply after apply() throws', () => {
    const d = new MetadataDelta(MetadataImage.EMPTY);
    d.apply({ endOffset: 0, epoch: 0 });
    expect(() => d.replay({ type: 'NoOp' })).toThrow(/single-use/);
    expect(() => d.apply({ endOffset: 0, epoch: 0 })).toThrow(/twice/);
  });
});

describe('MetadataDelta configs, features, producer ids, offsets, migration state', () => {
  it('Config sets and null deletes; a resource with no keys left disappears', () => {
    let img = imageOf([
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'a', value: '1' },
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'b', value: '2' },
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'a', value: '3' },
    ]);
    expect([...img.configs('broker', '')]).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
    const before = img.configs('broker', '');
    img = next(img, [{ type: 'Config', resourceType: 'broker', resourceName: '', name: 'a', value: null }]);
    expect([...img.configs('broker', '')]).toEqual([['b', '2']]);
    expect(before.get('a')).toBe('3');
    img = next(img, [{ type: 'Config', resourceType: 'broker', resourceName: '', name: 'b', value: null }]);
    expect(img.parts.configs.size).toBe(0);
  });

  it('FeatureLevel sets and level 0 removes', () => {
    let img = imageOf([
      { type: 'FeatureLevel', name: 'metadata.version', featureLevel: 7 },
      { type: 'FeatureLevel', name: 'kraft.version', featureLevel: 1 },
    ]);
    expect(img.featureLevel('metadata.version')).toBe(7);
    img = next(img, [{ type: 'FeatureLevel', name: 'kraft.version', featureLevel: 0 }]);
    expect([...img.features()]).toEqual([['metadata.version', 7]]);
  });

  it('ProducerIds sets nextProducerId; ZkMigrationState sets; NoOp changes nothing', () => {
    let img = imageOf([
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 3, nextProducerId: 1000 },
      { type: 'ProducerIds', brokerId: 2, brokerEpoch: 4, nextProducerId: 2000 },
      { type: 'ZkMigrationState', state: 2 },
    ]);
    expect([img.nextProducerId, img.zkMigrationState]).toEqual([2000, 2]);
    const d = new MetadataDelta(img);
    d.replay({ type: 'NoOp' });
    expect(d.hasChanges).toBe(false);
    img = d.apply({ endOffset: 10, epoch: 2 });
    expect(img.parts).toMatchObject({ topicsById: d.base.parts.topicsById, brokers: d.base.parts.brokers });
  });

  it('OffsetCommit sets; OffsetCommitTombstone deletes and an empty group disappears; a tombstone for nothing creates nothing', () => {
    const commit = (groupId: string, topic: string, partition: number, offset: number): MetadataRecord => ({
      type: 'OffsetCommit',
      groupId,
      topic,
      partition,
      offset,
      leaderEpoch: -1,
      metadata: null,
      commitTimestampMs: 5,
    });
    let img = imageOf([commit('g', 't', 0, 10), commit('g', 't', 1, 11), commit('g', 't', 0, 12), commit('h', 't', 0, 1)]);
    expect(img.committedOffset('g', 't', 0)).toEqual({ offset: 12, leaderEpoch: -1, metadata: null, commitTimestampMs: 5 });
    expect(img.groupOffsets('g')!.size).toBe(2);
    img = next(img, [
      { type: 'OffsetCommitTombstone', groupId: 'g', topic: 't', partition: 0 },
      { type: 'OffsetCommitTombstone', groupId: 'g', topic: 't', partition: 1 },
      { type: 'OffsetCommitTombstone', groupId: 'nobody', topic: 't', partition: 1 },
    ]);
    expect(img.groupOffsets('g')).toBeUndefined();
    expect(img.groupOffsets('nobody')).toBeUndefined();
    expect([...img.groupIds()]).toEqual(['h']);
  });
});

describe('MetadataDelta ACLs', () => {
  const acl = (id: string, extra: Partial<AccessControlEntryRecord> = {}): AccessControlEntryRecord => ({
    type: 'AccessControlEntry', id, resourceType: 'TOPIC', resourceName: 'a', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW', ...extra,
  });
  const A1 = uuid(501);
  const A2 = uuid(502);

  it('AccessControlEntry adds under its id, RemoveAccessControlEntry removes; the base image is untouched', () => {
    const first = imageOf([acl(A1), acl(A2, { operation: 'WRITE', permissionType: 'DENY' })]);
    expect(first.aclCount).toBe(2);
    expect(first.acl(A2)).toEqual({ id: A2, resourceType: 'TOPIC', resourceName: 'a', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'WRITE', permissionType: 'DENY' });
    const d = new MetadataDelta(first);
    d.replay({ type: 'RemoveAccessControlEntry', id: A1 });
    expect(d.hasChanges && d.aclsChanged).toBe(true);
    const second = d.apply({ endOffset: 3, epoch: 1 });
    expect([...second.acls()].map((a) => a.id)).toEqual([A2]);
    expect(first.aclCount).toBe(2);
  });

  it('an id already in use, or the removal of one not there, is a corrupt log (as Kafka\'s AclControlManager)', () => {
    expect(() => imageOf([acl(A1), acl(A1)])).toThrow(MetadataReplayError);
    expect(() => imageOf([{ type: 'RemoveAccessControlEntry', id: A1 }])).toThrow(/no ACL with id/);
    // Removed and added again within one delta is fine: ids are unique among live ACLs.
    expect(imageOf([acl(A1), { type: 'RemoveAccessControlEntry', id: A1 }, acl(A1, { host: '10.0.0.1' })]).acl(A1)!.host).toBe('10.0.0.1');
  });
});

describe('MetadataDelta client quotas', () => {
  const alice: ClientQuotaEntityPart[] = [{ entityType: 'user', entityName: 'alice' }];
  const aliceEtl: ClientQuotaEntityPart[] = [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }];
  const quota = (entity: ClientQuotaEntityPart[], key: string, value: number, remove = false): ClientQuotaRecord => ({ type: 'ClientQuota', entity, key, value, remove });

  it('ClientQuota sets a key of its entity; entities are apart, the default apart from every name; the base image is untouched', () => {
    const first = imageOf([
      quota(alice, 'producer_byte_rate', 1024),
      quota(alice, 'request_percentage', 12.5),
      quota(aliceEtl, 'producer_byte_rate', 2048),
      quota([{ entityType: 'user', entityName: null }], 'producer_byte_rate', 10),
      quota(alice, 'producer_byte_rate', 4096),
    ]);
    expect(first.clientQuotaCount).toBe(3);
    expect([...first.clientQuota(alice)!.values]).toEqual([['producer_byte_rate', 4096], ['request_percentage', 12.5]]);
    // Looked up with its parts in any order.
    expect(first.clientQuota([...aliceEtl].reverse())!.values.get('producer_byte_rate')).toBe(2048);
    expect(first.clientQuota([{ entityType: 'user', entityName: null }])!.values.get('producer_byte_rate')).toBe(10);
    expect(first.clientQuota([{ entityType: 'user', entityName: 'null' }])).toBeUndefined();
    const d = new MetadataDelta(first);
    d.replay(quota(alice, 'producer_byte_rate', 0, true));
    expect(d.hasChanges && d.clientQuotasChanged).toBe(true);
    const second = d.apply({ endOffset: 6, epoch: 1 });
    expect([...second.clientQuota(alice)!.values]).toEqual([['request_percentage', 12.5]]);
    expect(first.clientQuota(alice)!.values.get('producer_byte_rate')).toBe(4096);
  });

  it('an entity whose last key is removed disappears; removing a key not held changes nothing', () => {
    const first = imageOf([quota(alice, 'producer_byte_rate', 1024)]);
    const d = new MetadataDelta(first);
    d.replay(quota(alice, 'consumer_byte_rate', 0, true));
    d.replay(quota(aliceEtl, 'producer_byte_rate', 0, true));
    expect(d.hasChanges).toBe(false);
    d.replay(quota(alice, 'producer_byte_rate', 0, true));
    const second = d.apply({ endOffset: 4, epoch: 1 });
    expect(second.clientQuota(alice)).toBeUndefined();
    expect(second.clientQuotaCount).toBe(0);
  });
});

describe('MetadataDelta SCRAM credentials', () => {
  const credential = (name: string, mechanism: 1 | 2, iterations: number): UserScramCredentialRecord => ({
    type: 'UserScramCredential', name, mechanism, salt: Buffer.from([iterations & 0xff]), storedKey: Buffer.alloc(32, 1), serverKey: Buffer.alloc(32, 2), iterations,
  });

  it('UserScramCredential sets a mechanism of its user, replacing one there; users are apart; the base image is untouched', () => {
    const first = imageOf([credential('alice', 1, 4096), credential('alice', 2, 8192), credential('bob', 1, 4096), credential('alice', 1, 10000)]);
    expect(first.scramUserCount).toBe(2);
    expect([...first.scramUser('alice')!.credentials].map(([m, c]) => [m, c.iterations])).toEqual([[1, 10000], [2, 8192]]);
    expect(first.scramUser('alice')!.credentials.get(1)!.salt).toEqual(Buffer.from([10000 & 0xff]));
    expect(first.scramUser('carol')).toBeUndefined();
    const d = new MetadataDelta(first);
    d.replay({ type: 'RemoveUserScramCredential', name: 'alice', mechanism: 1 });
    expect(d.hasChanges && d.scramCredentialsChanged).toBe(true);
    const second = d.apply({ endOffset: 5, epoch: 1 });
    expect([...second.scramUser('alice')!.credentials.keys()]).toEqual([2]);
    expect([...first.scramUser('alice')!.credentials.keys()]).toEqual([1, 2]);
  });

  it('a user whose last credential is removed disappears; removing one not held is a corrupt log (as in Kafka)', () => {
    const first = imageOf([credential('alice', 1, 4096)]);
    const d = new MetadataDelta(first);
    d.replay({ type: 'RemoveUserScramCredential', name: 'alice', mechanism: 1 });
    const second = d.apply({ endOffset: 2, epoch: 1 });
    expect(second.scramUser('alice')).toBeUndefined();
    expect(second.scramUserCount).toBe(0);
    expect(() => imageOf([credential('alice', 1, 4096), { type: 'RemoveUserScramCredential', name: 'alice', mechanism: 2 }])).toThrow(/alice.*no credential for mechanism 2/);
    expect(() => imageOf([{ type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 }])).toThrow(MetadataReplayError);
    // Removed and set again within one delta.
    expect(imageOf([credential('alice', 1, 4096), { type: 'RemoveUserScramCredential', name: 'alice', mechanism: 1 }, credential('alice', 1, 5000)]).scramUser('alice')!.credentials.get(1)!.iterations).toBe(5000);
  });
});

describe('MetadataDelta group metadata', () => {
  const member = (memberId: string, groupInstanceId: string | null = null) => ({
    memberId, groupInstanceId, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 10_000, subscription: Buffer.from([1]), assignment: Buffer.from([2]),
  });
  const stored = (groupId: string, generationId: number, members = [member('m1', 'i1')]): MetadataRecord => ({
    type: 'GroupMetadata', groupId, protocolType: 'consumer', generationId, protocolName: 'range', leaderId: members[0]!.memberId, stateTimestampMs: 5, members,
  });

  it('GroupMetadata replaces the group\'s membership, GroupMetadataTombstone removes it; offsets are another map', () => {
    const first = imageOf([stored('g', 1), stored('h', 3), { type: 'OffsetCommit', groupId: 'g', topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 }]);
    expect(first.groupMetadata('g')!.generationId).toBe(1);
    const d = new MetadataDelta(first);
    d.replay(stored('g', 2, [member('m2'), member('m3', 'i3')]));
    d.replay({ type: 'GroupMetadataTombstone', groupId: 'h' });
    expect(d.hasChanges).toBe(true);
    const second = d.apply({ endOffset: 5, epoch: 1 });
    expect(second.groupMetadata('g')).toMatchObject({ generationId: 2, leaderId: 'm2', members: [{ memberId: 'm2' }, { memberId: 'm3', groupInstanceId: 'i3' }] });
    expect(second.groupMetadata('h')).toBeUndefined();
    expect([...second.groupMetadataIds()]).toEqual(['g']);
    expect(second.committedOffset('g', 't', 0)?.offset).toBe(1);
    // The base image is untouched.
    expect(first.groupMetadata('g')!.generationId).toBe(1);
    expect([...first.groupMetadataIds()].sort()).toEqual(['g', 'h']);
  });

  it('a tombstone for a group without stored membership changes nothing', () => {
    const d = new MetadataDelta(imageOf([stored('g', 1)]));
    d.replay({ type: 'GroupMetadataTombstone', groupId: 'nobody' });
    expect(d.hasChanges).toBe(false);
    expect([...d.apply({ endOffset: 2, epoch: 1 }).groupMetadataIds()]).toEqual(['g']);
  });
});

describe('structural sharing and memory shape', () => {
  it('changing one partition of one topic shares every other topic, partition and map with the previous image', () => {
    const records: MetadataRecord[] = [broker(1, 1)];
    for (let t = 0; t < 200; t++) records.push(...topic(`t${t}`, uuid(10_000 + t), 3));
    records.push({ type: 'Config', resourceType: 'broker', resourceName: '1', name: 'x', value: 'y' });
    const a = imageOf(records);
    const changed = uuid(10_000 + 7);
    const b = next(a, [{ type: 'PartitionChange', topicId: changed, partitionId: 1, isr: [1] }]);
    for (let t = 0; t < 200; t++) {
      const id = uuid(10_000 + t);
      if (id === changed) continue;
      expect(b.topicById(id)).toBe(a.topicById(id));
    }
    const ta = a.topicById(changed)!;
    const tb = b.topicById(changed)!;
    expect(tb).not.toBe(ta);
    expect(tb.partitions[0]).toBe(ta.partitions[0]);
    expect(tb.partitions[2]).toBe(ta.partitions[2]);
    expect(tb.partitions[1]).not.toBe(ta.partitions[1]);
    expect(b.brokers()).toBe(a.brokers());
    expect(b.parts.configs).toBe(a.parts.configs);
    expect(b.parts.groups).toBe(a.parts.groups);
    expect(b.parts.features).toBe(a.parts.features);
    expect(b.partitionCount).toBe(600);
  });

  it('the delta reports what changed (for publishers)', () => {
    const a = imageOf([...topic('a', T1, 2), broker(1, 1)]);
    const d = new MetadataDelta(a);
    d.replay({ type: 'RemoveTopic', topicId: T1 });
    d.replay({ type: 'Topic', name: 'b', topicId: T2 });
    d.replay({ type: 'BrokerRegistrationChange', brokerId: 1, brokerEpoch: 1, fenced: false });
    expect(d.changedTopicIds()).toEqual([T2]);
    expect(d.removedTopics().map((t) => t.name)).toEqual(['a']);
    expect([...d.changedBrokerIds()]).toEqual([1]);
    expect(d.hasChanges).toBe(true);
  });

  it('ISR equal to replicas is the replicas array; empty lists are the one shared frozen array', () => {
    const img = imageOf([
      ...topic('a', T1, 1),
      partition(T1, 1, [1, 2], { isr: [1] }),
      { type: 'PartitionChange', topicId: T1, partitionId: 1, isr: [1, 2] },
    ]);
    const [p0, p1] = img.topicById(T1)!.partitions;
    expect(p0!.isr).toBe(p0!.replicas);
    expect(p1!.isr).toBe(p1!.replicas);
    expect(p0!.addingReplicas).toBe(EMPTY_IDS);
    expect(p0!.removingReplicas).toBe(EMPTY_IDS);
    expect(Object.isFrozen(EMPTY_IDS)).toBe(true);
    expect(Object.keys(p0!)).toEqual(Object.keys(p1!));
  });
});
