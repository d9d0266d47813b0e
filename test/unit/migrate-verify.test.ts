// migrate-from-zk --verify (tools/migrate/verify.ts): a plan of a ZooKeeper tree against the records
// of the quorum's image after the import. The quorum side is built the way the import builds it:
// the plan's records replayed on a fresh quorum (metadata.version), then the ZkMigrationState marker,
// then whatever happened since (a real broker registering, an ISR change...), written out with
// snapshotRecords. Each rule of verify.ts's header has its own test.

import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataRecord, PartitionRecord } from '../../metadata-log/records/types.js';
import { snapshotRecords } from '../../metadata-log/snapshot.js';
import { rebaseBrokerEpochs, type MigrationPlan } from '../../tools/migrate/plan.js';
import { diffImport, renderDifferences, type ImportDiff, type ImportDifference } from '../../tools/migrate/verify.js';
import { mvRecord } from './controller-configs-fixture.js';
import { Prng } from '../../quorum/sim/prng.js';
import { kafkaTree, plan, recordsOf, ZkTreeBuilder } from './migrate-fixture.js';
import { scramCredential } from '../../tools/zookeeper/kafka-trees.js';

const ORDERS_ID = 'YkNwuAgmQO-8m5ZAi2_o-g';
const MARKER: MetadataRecord = { type: 'ZkMigrationState', state: 3 };

/** 12 partitions (so ids 2 and 10 test numeric order), states with epochs, configs, offsets. */
function tree(): ZkTreeBuilder {
  const partitions: Record<number, number[]> = {};
  for (let i = 0; i < 12; i++) partitions[i] = [1 + (i % 3), 1 + ((i + 1) % 3), 1 + ((i + 2) % 3)];
  return kafkaTree()
    .broker(1, 5)
    .broker(2, 5)
    .broker(3, 4)
    .topic('orders', {
      partitions,
      topicId: ORDERS_ID,
      states: { 3: { leader: 2, leader_epoch: 7, isr: [2, 3], statVersion: 9 } },
      config: { 'retention.ms': '86400000', 'cleanup.policy': 'compact' },
    })
    // Version 2 holds no topic_id: the plan mints one.
    .topic('events', { version: 2, partitions: { 0: [1, 2], 1: [2, 3] }, config: { 'segment.bytes': '1048576' } })
    .config('brokers', '<default>', { 'log.retention.ms': '604800000' })
    .config('brokers', '2', { 'ssl.keystore.password': 'hunter2', 'log.cleaner.threads': '2' })
    .producerIdBlock(1, '0', '999')
    .legacyOffset('legacy', 'orders', 0, '42')
    .legacyOffset('legacy', 'orders', 3, '7')
    .legacyOffset('legacy', 'events', 1, '100')
    .acl('/kafka-acl/Topic/orders', [
      { principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' },
      { principal: 'User:bob', permissionType: 'Deny', operation: 'Write', host: '198.51.100.7' },
    ])
    .acl('/kafka-acl-extended/prefixed/Group/etl-', [{ principal: 'User:etl', permissionType: 'Allow', operation: 'Read', host: '*' }])
    .config('users', 'alice%40example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-512': scramCredential('alice') })
    .config('users', 'bob', { 'SCRAM-SHA-256': scramCredential('bob', 'SCRAM-SHA-256', 8192) })
    .config('users', '<default>/clients/etl%20job', { request_percentage: '25.5' })
    .config('ips', '<default>', { connection_creation_rate: '50' });
}

/** The quorum after importing `p` (marker included unless `marker` is false), then `since` replayed. */
function imported(p: MigrationPlan, since: readonly MetadataRecord[] = [], marker = true): MetadataRecord[] {
  const image = imageOf([mvRecord(), ...rebaseBrokerEpochs(p.records, 1), ...(marker ? [MARKER] : []), ...since]);
  return [...snapshotRecords(image)];
}

/** The records with every Partition of `topicId`/`partitionId` edited (fields no change record can set). */
function editPartition(records: readonly MetadataRecord[], topicId: string, partitionId: number, edit: Partial<PartitionRecord>): MetadataRecord[] {
  return records.map((r) => (r.type === 'Partition' && r.topicId === topicId && r.partitionId === partitionId ? { ...r, ...edit } : r));
}

function topicIdOf(p: MigrationPlan, name: string): string {
  const t = recordsOf(p, 'Topic').find((r) => r.name === name);
  if (t === undefined) throw new Error(`no topic ${name} in the plan`);
  return t.topicId;
}

function kindsOf(d: ImportDiff): string[] {
  return d.differences.map((x) => `${x.kind} ${x.name}${x.field === undefined ? '' : ` ${x.field}`}`);
}

describe('diffImport: an untouched import', () => {
  it('has no differences, and counts what it compared', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p));
    expect(d.differences).toEqual([]);
    // 3 brokers; 2 topics; 12 + 2 partitions; 2 + 1 topic configs and 1 + 2 broker configs; 3 offsets; 3 ACLs; 3 quotas (not the SCRAM keys); 2 SCRAM credentials.
    expect(d.compared).toEqual({ brokers: 3, topics: 2, partitions: 14, configs: 6, offsets: 3, acls: 3, clientQuotas: 3, scramCredentials: 2 });
    expect(renderDifferences(d)).toBe('compared 3 brokers, 2 topics, 14 partitions, 6 configs, 3 offsets, 3 ACLs, 3 client quotas, 2 SCRAM credentials: no differences');
  });

  it('without the ZkMigrationState marker: exactly one not-imported-marker difference', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p, [], false));
    expect(d.differences).toEqual([{ kind: 'not-imported-marker', entity: 'migration-state', name: 'migration state' }]);
  });

  it('a marker other than POST_MIGRATION (3) is no marker; the difference names the state held', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p, [{ type: 'ZkMigrationState', state: 1 }], false));
    expect(d.differences).toEqual([{ kind: 'not-imported-marker', entity: 'migration-state', name: 'migration state', quorum: '1' }]);
    expect(renderDifferences(d)).toMatch(/^migration state: the quorum holds no ZkMigrationState POST_MIGRATION \(3\) marker \(it holds state 1\)/);
  });

  it('an empty tree against an empty quorum: only the marker', () => {
    const p = plan(kafkaTree());
    const d = diffImport(p, []);
    expect(kindsOf(d)).toEqual(['not-imported-marker migration state']);
    expect(d.compared).toEqual({ brokers: 0, topics: 0, partitions: 0, configs: 0, offsets: 0, acls: 0, clientQuotas: 0, scramCredentials: 0 });
  });

  it('reads records in any order: a Partition before its Topic still resolves to the topic name', () => {
    const p = plan(tree());
    const reversed = imported(p).reverse();
    expect(diffImport(p, reversed).differences).toEqual([]);
  });
});

describe('diffImport: topics by name, ids only when ZooKeeper held them', () => {
  it('a minted id differs on every plan: not compared, and the partitions still match by name', () => {
    const first = plan(tree(), { random: new Prng(25) });
    const second = plan(tree(), { random: new Prng(75) });
    expect(topicIdOf(first, 'events')).not.toBe(topicIdOf(second, 'events'));
    expect(second.mintedTopicIds.map((m) => m.topic)).toEqual(['events']);
    const quorum = imported(first);
    expect(diffImport(second, quorum).differences).toEqual([]);

    // Name keying, not id keying: a change to a partition of the re-minted topic is still found.
    const changed = editPartition(quorum, topicIdOf(first, 'events'), 1, { leaderEpoch: 5 });
    expect(diffImport(second, changed).differences).toEqual([
      { kind: 'different', entity: 'partition', name: 'partition events-1', field: 'leaderEpoch', zookeeper: '0', quorum: '5' },
    ]);
  });

  it('an id ZooKeeper held is compared: another id in the quorum is a topicId difference', () => {
    const p = plan(tree());
    const other = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const quorum = imported(p).map((r) => (r.type === 'Topic' && r.name === 'orders' ? { ...r, topicId: other } : r.type === 'Partition' && r.topicId === ORDERS_ID ? { ...r, topicId: other } : r));
    expect(diffImport(p, quorum).differences).toEqual([
      { kind: 'different', entity: 'topic', name: 'topic orders', field: 'topicId', zookeeper: ORDERS_ID, quorum: other },
    ]);
  });

  it('a topic missing from the quorum is one difference: not one per partition or config', () => {
    const p = plan(tree());
    // RemoveTopic takes the topic's 12 partitions and 2 configs with it (the group's offsets stay).
    const d = diffImport(p, imported(p, [{ type: 'RemoveTopic', topicId: ORDERS_ID }]));
    expect(d.differences).toEqual([{ kind: 'missing-in-quorum', entity: 'topic', name: 'topic orders' }]);
    expect(d.compared).toMatchObject({ topics: 2, partitions: 2, configs: 4 });
  });

  it('a topic only in the quorum is one difference: its partitions and configs are not listed', () => {
    const p = plan(tree());
    const topicId = 'AAAAAAAAAAAAAAAAAAAAAg';
    const since: MetadataRecord[] = [
      { type: 'Topic', name: 'payments', topicId },
      ...[0, 1, 2].map((partitionId): MetadataRecord => ({ type: 'Partition', topicId, partitionId, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 })),
      { type: 'Config', resourceType: 'topic', resourceName: 'payments', name: 'retention.ms', value: '1000' },
    ];
    const d = diffImport(p, imported(p, since));
    expect(d.differences).toEqual([{ kind: 'only-in-quorum', entity: 'topic', name: 'topic payments' }]);
    expect(d.compared).toMatchObject({ topics: 3, partitions: 14, configs: 6 });
  });
});

describe('diffImport: partitions', () => {
  const cases: readonly { field: keyof PartitionRecord; edit: Partial<PartitionRecord>; zookeeper: string; quorum: string }[] = [
    { field: 'replicas', edit: { replicas: [3, 2, 4] }, zookeeper: '[3,1,2]', quorum: '[3,2,4]' },
    { field: 'isr', edit: { isr: [3, 1] }, zookeeper: '[3,1,2]', quorum: '[3,1]' },
    { field: 'leader', edit: { leader: -1 }, zookeeper: '3', quorum: '-1' },
    { field: 'leaderEpoch', edit: { leaderEpoch: 4 }, zookeeper: '0', quorum: '4' },
    { field: 'partitionEpoch', edit: { partitionEpoch: 2 }, zookeeper: '0', quorum: '2' },
    { field: 'addingReplicas', edit: { addingReplicas: [4] }, zookeeper: '[]', quorum: '[4]' },
    { field: 'removingReplicas', edit: { removingReplicas: [2] }, zookeeper: '[]', quorum: '[2]' },
    { field: 'leaderRecoveryState', edit: { leaderRecoveryState: 1 }, zookeeper: '0', quorum: '1' },
  ];
  it.each(cases)('$field is compared', ({ field, edit, zookeeper, quorum }) => {
    const p = plan(tree());
    const d = diffImport(p, editPartition(imported(p), ORDERS_ID, 2, edit));
    expect(d.differences).toEqual([{ kind: 'different', entity: 'partition', name: 'partition orders-2', field, zookeeper, quorum }]);
  });

  it('the same ISR in another order is a difference (an import copies it as is)', () => {
    const p = plan(tree());
    const d = diffImport(p, editPartition(imported(p), ORDERS_ID, 2, { isr: [3, 2, 1] }));
    expect(kindsOf(d)).toEqual(['different partition orders-2 isr']);
  });

  it('a change made since the import (ISR shrink through PartitionChange) shows every field it moved', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p, [{ type: 'PartitionChange', topicId: ORDERS_ID, partitionId: 3, isr: [2], leader: 2 }]));
    // ZooKeeper: leader 2, leader_epoch 7, ISR [2,3], partition epoch 9 (the state node's version).
    expect(d.differences).toEqual([
      { kind: 'different', entity: 'partition', name: 'partition orders-3', field: 'isr', zookeeper: '[2,3]', quorum: '[2]' },
      { kind: 'different', entity: 'partition', name: 'partition orders-3', field: 'leaderEpoch', zookeeper: '7', quorum: '8' },
      { kind: 'different', entity: 'partition', name: 'partition orders-3', field: 'partitionEpoch', zookeeper: '9', quorum: '10' },
    ]);
    // The rendering says such changes are what a running cluster does by itself.
    const lines = renderDifferences(d).split('\n');
    expect(lines[lines.length - 1]).toMatch(/^note: 3 differences are in a partition's ISR, leader or epochs, which a running cluster changes on its own/);
  });

  it('the note on live partition state is left out when no such field differs', () => {
    const p = plan(tree());
    const d = diffImport(p, editPartition(imported(p), ORDERS_ID, 2, { replicas: [3, 2, 1] }));
    expect(kindsOf(d)).toEqual(['different partition orders-2 replicas']);
    expect(renderDifferences(d)).not.toContain('note:');
  });

  it('a partition count difference: extra partitions are only-in-quorum, lost ones missing-in-quorum', () => {
    const p = plan(tree());
    const added: MetadataRecord = { type: 'Partition', topicId: ORDERS_ID, partitionId: 12, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 };
    expect(diffImport(p, imported(p, [added])).differences).toEqual([{ kind: 'only-in-quorum', entity: 'partition', name: 'partition orders-12' }]);

    const eventsId = topicIdOf(p, 'events');
    const lost = imported(p).filter((r) => !(r.type === 'Partition' && r.topicId === eventsId && r.partitionId === 1));
    const d = diffImport(p, lost);
    expect(d.differences).toEqual([{ kind: 'missing-in-quorum', entity: 'partition', name: 'partition events-1' }]);
    expect(d.compared.partitions).toBe(14);
  });
});

describe('diffImport: brokers by presence only', () => {
  it('the real broker replacing the imported registration (endpoints, epoch, incarnation, unfenced) is no difference', () => {
    const p = plan(tree());
    const real: MetadataRecord = {
      type: 'RegisterBroker',
      brokerId: 2,
      incarnationId: 'dGhpcyBpcyB0aGUgcmVhbA',
      brokerEpoch: 500,
      endpoints: [{ name: 'INTERNAL', host: 'new-host', port: 19092, securityProtocol: 'SSL' }],
      rack: 'rack-b',
      fenced: false,
      inControlledShutdown: false,
      features: [],
    };
    expect(diffImport(p, imported(p, [real])).differences).toEqual([]);
  });

  it('a broker only in the quorum is no difference (ZooKeeper registrations are ephemeral)', () => {
    const p = plan(tree().remove('/brokers/ids/3'));
    const quorum = imported(plan(tree()));
    const d = diffImport(p, quorum);
    expect(d.differences).toEqual([]);
    expect(d.compared.brokers).toBe(2);
  });

  it('a broker in /brokers/ids but not in the quorum is missing-in-quorum', () => {
    const p = plan(tree());
    const quorum = imported(p).filter((r) => !(r.type === 'RegisterBroker' && r.brokerId === 3));
    expect(diffImport(p, quorum).differences).toEqual([{ kind: 'missing-in-quorum', entity: 'broker', name: 'broker 3' }]);
  });
});

describe('diffImport: configs', () => {
  it('topic configs by (topic, key): changed, deleted, added', () => {
    const p = plan(tree());
    const d = diffImport(
      p,
      imported(p, [
        { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
        { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: null },
        { type: 'Config', resourceType: 'topic', resourceName: 'events', name: 'max.message.bytes', value: '2000000' },
      ]),
    );
    expect(d.differences).toEqual([
      { kind: 'only-in-quorum', entity: 'topic-config', name: 'config topic events max.message.bytes' },
      { kind: 'missing-in-quorum', entity: 'topic-config', name: 'config topic orders cleanup.policy' },
      { kind: 'different', entity: 'topic-config', name: 'config topic orders retention.ms', field: 'value', zookeeper: '86400000', quorum: '1000' },
    ]);
    expect(d.compared.configs).toBe(7);
  });

  it('broker configs: the cluster default is "<default>", per-broker by id; a sensitive value is never shown', () => {
    const p = plan(tree());
    const d = diffImport(
      p,
      imported(p, [
        { type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value: '1' },
        { type: 'Config', resourceType: 'broker', resourceName: '2', name: 'ssl.keystore.password', value: 'changed-secret' },
        { type: 'Config', resourceType: 'broker', resourceName: '2', name: 'log.cleaner.threads', value: null },
        { type: 'Config', resourceType: 'broker', resourceName: '10', name: 'log.cleaner.threads', value: '4' },
      ]),
    );
    expect(d.differences).toEqual([
      { kind: 'different', entity: 'broker-config', name: 'config broker <default> log.retention.ms', field: 'value', zookeeper: '604800000', quorum: '1' },
      { kind: 'missing-in-quorum', entity: 'broker-config', name: 'config broker 2 log.cleaner.threads' },
      { kind: 'different', entity: 'broker-config', name: 'config broker 2 ssl.keystore.password', field: 'value', zookeeper: '[hidden]', quorum: '[hidden]' },
      // Broker ids sort numerically: 10 after 2.
      { kind: 'only-in-quorum', entity: 'broker-config', name: 'config broker 10 log.cleaner.threads' },
    ]);
    expect(renderDifferences(d)).not.toMatch(/hunter2|changed-secret/);
  });

  it('a key the plan dropped (an undecryptable password) set again in the quorum: only-in-quorum', () => {
    const p = plan(tree());
    const withoutKey = { ...p, records: p.records.filter((r) => !(r.type === 'Config' && r.name === 'ssl.keystore.password')) };
    expect(kindsOf(diffImport(withoutKey, imported(p)))).toEqual(['only-in-quorum config broker 2 ssl.keystore.password']);
  });
});

describe('diffImport: producer ids', () => {
  it('the quorum may be ahead of ZooKeeper, never behind; absent when ZooKeeper has a block is missing', () => {
    const p = plan(tree());
    expect(recordsOf(p, 'ProducerIds')[0]?.nextProducerId).toBe(1000);
    const at = (next: number): MetadataRecord[] => imported(p, [{ type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: next }]);
    expect(diffImport(p, at(1000)).differences).toEqual([]);
    expect(diffImport(p, at(5000)).differences).toEqual([]);
    expect(diffImport(p, at(999)).differences).toEqual([
      { kind: 'different', entity: 'producer-ids', name: 'producer ids', field: 'nextProducerId', zookeeper: '1000', quorum: '999' },
    ]);
    const none = imported(p).filter((r) => r.type !== 'ProducerIds');
    expect(diffImport(p, none).differences).toEqual([{ kind: 'missing-in-quorum', entity: 'producer-ids', name: 'producer ids' }]);
  });

  it('no block in ZooKeeper: the quorum\'s producer ids are not compared', () => {
    const p = plan(tree().remove('/latest_producer_id_block'));
    expect(recordsOf(p, 'ProducerIds')).toEqual([]);
    expect(diffImport(p, imported(plan(tree()))).differences).toEqual([]);
  });
});

describe('diffImport: offsets', () => {
  const commit = (groupId: string, topic: string, partition: number, offset: number): MetadataRecord => ({
    type: 'OffsetCommit',
    groupId,
    topic,
    partition,
    offset,
    leaderEpoch: 3,
    metadata: 'since',
    commitTimestampMs: 1_800_000_000_000,
  });

  it('within a plan group: a moved offset is different, a lost one missing, a new one only-in-quorum', () => {
    const p = plan(tree());
    const quorum = imported(p, [commit('legacy', 'orders', 0, 50), commit('legacy', 'orders', 5, 1), { type: 'OffsetCommitTombstone', groupId: 'legacy', topic: 'events', partition: 1 }]);
    const d = diffImport(p, quorum);
    expect(d.differences).toEqual([
      { kind: 'missing-in-quorum', entity: 'offset', name: 'offset group legacy events-1' },
      { kind: 'different', entity: 'offset', name: 'offset group legacy orders-0', field: 'offset', zookeeper: '42', quorum: '50' },
      { kind: 'only-in-quorum', entity: 'offset', name: 'offset group legacy orders-5' },
    ]);
    expect(d.compared.offsets).toBe(4);
  });

  it('only the offset is compared: leader epoch, metadata and timestamp change with any commit of the same offset', () => {
    const p = plan(tree());
    expect(diffImport(p, imported(p, [commit('legacy', 'orders', 3, 7)])).differences).toEqual([]);
  });

  it('groups the plan does not hold (committed through the Kafka protocol since) are not compared', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p, [commit('new-group', 'orders', 0, 9), commit('new-group', 'events', 1, 3)]));
    expect(d.differences).toEqual([]);
    expect(d.compared.offsets).toBe(3);
  });
});

describe('diffImport: order and size', () => {
  it('sorted by entity, then name (ids numerically), then field, whatever the input order', () => {
    const p = plan(tree());
    const eventsId = topicIdOf(p, 'events');
    let quorum = imported(p, [
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1' },
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: 10 },
      { type: 'OffsetCommit', groupId: 'legacy', topic: 'orders', partition: 0, offset: 1, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 },
      { type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value: '1' },
    ], false);
    quorum = editPartition(quorum, ORDERS_ID, 10, { leader: 1, isr: [1] });
    quorum = editPartition(quorum, ORDERS_ID, 2, { leaderEpoch: 1 });
    quorum = editPartition(quorum, eventsId, 0, { partitionEpoch: 1 });
    quorum = quorum.filter((r) => !(r.type === 'RegisterBroker' && r.brokerId === 1));
    const expected = [
      'missing-in-quorum broker 1',
      'different partition events-0 partitionEpoch',
      'different partition orders-2 leaderEpoch',
      'different partition orders-10 isr',
      'different partition orders-10 leader',
      'different config topic orders retention.ms value',
      'different config broker <default> log.retention.ms value',
      'different producer ids nextProducerId',
      'different offset group legacy orders-0 offset',
      'not-imported-marker migration state',
    ];
    expect(kindsOf(diffImport(p, quorum))).toEqual(expected);
    expect(kindsOf(diffImport(p, [...quorum].reverse()))).toEqual(expected);
    expect(diffImport(p, quorum).differences.map((x) => x.entity)).toEqual([
      'broker', 'partition', 'partition', 'partition', 'partition', 'topic-config', 'broker-config', 'producer-ids', 'offset', 'migration-state',
    ]);
  });

  it('finds the one difference among 20,000 partitions kept under other (minted) ids', () => {
    const records: MetadataRecord[] = [];
    const quorum: MetadataRecord[] = [MARKER];
    for (let t = 0; t < 200; t++) {
      const topicId = `topic${String(t).padStart(17, '0')}`;
      const name = `t${t}`;
      records.push({ type: 'Topic', name, topicId });
      for (let partitionId = 0; partitionId < 100; partitionId++) {
        records.push({ type: 'Partition', topicId, partitionId, replicas: [1, 2, 3], isr: [1, 2, 3], removingReplicas: [], addingReplicas: [], leader: 1 + (partitionId % 3), leaderRecoveryState: 0, leaderEpoch: partitionId, partitionEpoch: t, });
      }
    }
    // The quorum holds the same under other (minted) ids, one ISR shrunk.
    const minted = records.filter((r) => r.type === 'Topic').map((r) => ({ topic: r.name, topicId: r.topicId }));
    for (const r of records) {
      if (r.type === 'Topic') quorum.push({ ...r, topicId: `Q${r.topicId.slice(1)}` });
      else if (r.type === 'Partition') quorum.push({ ...r, topicId: `Q${r.topicId.slice(1)}`, isr: r.topicId.endsWith('199') && r.partitionId === 99 ? [1, 2] : r.isr });
    }
    const p: MigrationPlan = { ...plan(kafkaTree()), records, mintedTopicIds: minted };
    const d: ImportDiff = diffImport(p, quorum);
    expect(d.compared.partitions).toBe(20_000);
    expect(kindsOf(d)).toEqual(['different partition t199-99 isr']);
  });
});

describe('diffImport: ACLs', () => {
  it('compared by binding, not id: a re-made plan (new ids) has no differences; one removed since is missing, one added since only in the quorum', () => {
    const p = plan(tree());
    const quorum = imported(p);
    // Another plan of the same tree mints other ids: still no difference.
    const again = plan(tree(), { random: new Prng(99) });
    expect(recordsOf(again, 'AccessControlEntry')[0]!.id).not.toBe(recordsOf(p, 'AccessControlEntry')[0]!.id);
    expect(diffImport(again, quorum).differences).toEqual([]);

    const bob = recordsOf(p, 'AccessControlEntry').find((a) => a.principal === 'User:bob')!;
    const since: MetadataRecord[] = [
      { type: 'RemoveAccessControlEntry', id: bob.id },
      { type: 'AccessControlEntry', id: 'AAAAAAAAAAAAAAAAAAAABw', resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:admin', host: '*', operation: 'ALL', permissionType: 'ALLOW' },
    ];
    const d = diffImport(p, imported(p, since));
    expect(d.differences).toEqual([
      { kind: 'only-in-quorum', entity: 'acl', name: 'acl CLUSTER kafka-cluster (LITERAL): User:admin from * ALLOW ALL' },
      { kind: 'missing-in-quorum', entity: 'acl', name: 'acl TOPIC orders (LITERAL): User:bob from 198.51.100.7 DENY WRITE' },
    ]);
    expect(d.compared.acls).toBe(4);
    expect(renderDifferences(d).split('\n')).toEqual([
      'acl CLUSTER kafka-cluster (LITERAL): User:admin from * ALLOW ALL: only in the quorum, not in ZooKeeper',
      'acl TOPIC orders (LITERAL): User:bob from 198.51.100.7 DENY WRITE: in ZooKeeper, missing from the quorum',
      'compared 3 brokers, 2 topics, 14 partitions, 6 configs, 3 offsets, 4 ACLs, 3 client quotas, 2 SCRAM credentials: 2 differences (1 missing from the quorum, 1 only in the quorum)',
    ]);
  });
});

describe('diffImport: client quotas', () => {
  const alice = [{ entityType: 'user', entityName: 'alice@example.com' }] as const;
  const etl = [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'etl job' }] as const;
  const quota = (entity: readonly { entityType: string; entityName: string | null }[], key: string, value: number, remove = false): MetadataRecord => ({ type: 'ClientQuota', entity, key, value, remove }) as MetadataRecord;

  it('by (entity, key): a quota changed since is different, one removed missing, one set since only in the quorum; a SCRAM key is no quota', () => {
    const p = plan(tree());
    expect(diffImport(p, imported(p)).differences).toEqual([]);
    const since = [
      quota(alice, 'consumer_byte_rate', 1024),
      quota(etl, 'request_percentage', 0, true),
      quota([{ entityType: 'ip', entityName: '198.51.100.7' }], 'connection_creation_rate', 5),
      quota(alice, 'producer_byte_rate', 2048),
    ];
    const d = diffImport(p, imported(p, since));
    // Sorted by the entity as shown, then the key.
    expect(d.differences).toEqual([
      { kind: 'only-in-quorum', entity: 'client-quota', name: 'quota ip "198.51.100.7" connection_creation_rate' },
      { kind: 'different', entity: 'client-quota', name: 'quota user "alice@example.com" consumer_byte_rate', field: 'value', zookeeper: '4194304', quorum: '1024' },
      { kind: 'only-in-quorum', entity: 'client-quota', name: 'quota user "alice@example.com" producer_byte_rate' },
      { kind: 'missing-in-quorum', entity: 'client-quota', name: 'quota user <default>, client-id "etl job" request_percentage' },
    ]);
    expect(d.compared.clientQuotas).toBe(5);
    expect(renderDifferences(d).split('\n')).toEqual([
      'quota ip "198.51.100.7" connection_creation_rate: only in the quorum, not in ZooKeeper',
      'quota user "alice@example.com" consumer_byte_rate: value differs: zookeeper 4194304, quorum 1024',
      'quota user "alice@example.com" producer_byte_rate: only in the quorum, not in ZooKeeper',
      'quota user <default>, client-id "etl job" request_percentage: in ZooKeeper, missing from the quorum',
      'compared 3 brokers, 2 topics, 14 partitions, 6 configs, 3 offsets, 3 ACLs, 5 client quotas, 2 SCRAM credentials: 4 differences (1 missing from the quorum, 2 only in the quorum, 1 different)',
    ]);
  });

  it('a quorum that never got the quotas (an import that left them out) differs by every quota; a default is not a user named "<default>"', () => {
    const p = plan(tree());
    const without = imported({ ...p, records: p.records.filter((r) => r.type !== 'ClientQuota') });
    expect(kindsOf(diffImport(p, without))).toEqual([
      'missing-in-quorum quota ip <default> connection_creation_rate',
      'missing-in-quorum quota user "alice@example.com" consumer_byte_rate',
      'missing-in-quorum quota user <default>, client-id "etl job" request_percentage',
    ]);
    // The same key on a user literally named "<default>" (%3Cdefault%3E in ZooKeeper) is another entity.
    const named = imported(p, [quota([{ entityType: 'user', entityName: '<default>' }, { entityType: 'client-id', entityName: 'etl job' }], 'request_percentage', 25.5), quota(etl, 'request_percentage', 0, true)]);
    expect(kindsOf(diffImport(p, named))).toEqual([
      'only-in-quorum quota user "<default>", client-id "etl job" request_percentage',
      'missing-in-quorum quota user <default>, client-id "etl job" request_percentage',
    ]);
  });

  it('sorted after the ACLs, before the migration marker', () => {
    const p = plan(tree());
    const d = diffImport(p, imported(p, [quota(alice, 'consumer_byte_rate', 1), { type: 'ProducerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: 10 }], false));
    expect(d.differences.map((x) => x.entity)).toEqual(['producer-ids', 'client-quota', 'migration-state']);
  });
});

describe('diffImport: SCRAM credentials', () => {
  const credential = (name: string, mechanism: 1 | 2, seed: string, iterations = 4096): MetadataRecord => {
    const planned = recordsOf(plan(kafkaTree().config('users', 'x', { [mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512']: scramCredential(seed, mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', iterations) })), 'UserScramCredential')[0]!;
    return { ...planned, name };
  };

  it('by (user, mechanism): iterations, salt, StoredKey and ServerKey compared; a credential changed since is different (the salt and keys named, never shown), one removed missing, one set since only in the quorum', () => {
    const p = plan(tree());
    expect(diffImport(p, imported(p)).differences).toEqual([]);
    const alice = recordsOf(p, 'UserScramCredential').find((r) => r.name === 'alice@example.com')!;
    const since: MetadataRecord[] = [
      // alice's password changed (new salt and keys, same count); bob's removed; carol's set since;
      // alice's SCRAM-SHA-256 set since as well.
      credential('alice@example.com', 2, 'alice-new-password'),
      { type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 },
      credential('carol', 1, 'carol'),
      credential('alice@example.com', 1, 'alice'),
    ];
    const d = diffImport(p, imported(p, since));
    expect(d.differences).toEqual([
      { kind: 'only-in-quorum', entity: 'scram-credential', name: 'SCRAM credential "alice@example.com" SCRAM-SHA-256' },
      { kind: 'different', entity: 'scram-credential', name: 'SCRAM credential "alice@example.com" SCRAM-SHA-512', field: 'salt', zookeeper: '[hidden]', quorum: '[hidden]' },
      { kind: 'different', entity: 'scram-credential', name: 'SCRAM credential "alice@example.com" SCRAM-SHA-512', field: 'serverKey', zookeeper: '[hidden]', quorum: '[hidden]' },
      { kind: 'different', entity: 'scram-credential', name: 'SCRAM credential "alice@example.com" SCRAM-SHA-512', field: 'storedKey', zookeeper: '[hidden]', quorum: '[hidden]' },
      { kind: 'missing-in-quorum', entity: 'scram-credential', name: 'SCRAM credential "bob" SCRAM-SHA-256' },
      { kind: 'only-in-quorum', entity: 'scram-credential', name: 'SCRAM credential "carol" SCRAM-SHA-256' },
    ]);
    expect(d.compared.scramCredentials).toBe(4);
    const text = renderDifferences(d);
    expect(text.split('\n')).toEqual([
      'SCRAM credential "alice@example.com" SCRAM-SHA-256: only in the quorum, not in ZooKeeper',
      'SCRAM credential "alice@example.com" SCRAM-SHA-512: salt differs: zookeeper [hidden], quorum [hidden]',
      'SCRAM credential "alice@example.com" SCRAM-SHA-512: serverKey differs: zookeeper [hidden], quorum [hidden]',
      'SCRAM credential "alice@example.com" SCRAM-SHA-512: storedKey differs: zookeeper [hidden], quorum [hidden]',
      'SCRAM credential "bob" SCRAM-SHA-256: in ZooKeeper, missing from the quorum',
      'SCRAM credential "carol" SCRAM-SHA-256: only in the quorum, not in ZooKeeper',
      'compared 3 brokers, 2 topics, 14 partitions, 6 configs, 3 offsets, 3 ACLs, 3 client quotas, 4 SCRAM credentials: 6 differences (1 missing from the quorum, 2 only in the quorum, 3 different)',
    ]);
    // Never a salt or a key, in any encoding.
    const shown = JSON.stringify(d) + text;
    for (const r of [alice, since[0]!] as { salt: Uint8Array; storedKey: Uint8Array; serverKey: Uint8Array }[]) {
      for (const bytes of [r.salt, r.storedKey, r.serverKey]) {
        for (const encoding of ['base64', 'hex', 'utf8'] as const) expect(shown).not.toContain(Buffer.from(bytes).toString(encoding));
      }
    }
  });

  it('each field on its own: the iteration count is shown, a salt, StoredKey or ServerKey alone is named', () => {
    const p = plan(tree());
    const bob = recordsOf(p, 'UserScramCredential').find((r) => r.name === 'bob')!;
    const flip = (b: Uint8Array): Uint8Array => {
      const c = Buffer.from(b);
      c[c.length - 1]! ^= 1;
      return c;
    };
    const with_ = (edit: Partial<typeof bob>): MetadataRecord[] => imported(p).map((r) => (r.type === 'UserScramCredential' && r.name === 'bob' ? { ...r, ...edit } : r));
    expect(diffImport(p, with_({ iterations: 16384 })).differences).toEqual([
      { kind: 'different', entity: 'scram-credential', name: 'SCRAM credential "bob" SCRAM-SHA-256', field: 'iterations', zookeeper: '8192', quorum: '16384' },
    ]);
    for (const field of ['salt', 'storedKey', 'serverKey'] as const) {
      expect(kindsOf(diffImport(p, with_({ [field]: flip(bob[field]) }))), field).toEqual([`different SCRAM credential "bob" SCRAM-SHA-256 ${field}`]);
    }
    // A mechanism is another credential: bob's SCRAM-SHA-256 moved to SCRAM-SHA-512 is one missing and one only in the quorum.
    expect(kindsOf(diffImport(p, with_({ mechanism: 2 })))).toEqual(['missing-in-quorum SCRAM credential "bob" SCRAM-SHA-256', 'only-in-quorum SCRAM credential "bob" SCRAM-SHA-512']);
  });

  it('a quorum that never got the credentials differs by each; the ones the plan left out are in neither side; sorted after the quotas, before the marker', () => {
    const p = plan(tree().config('users', 'weak', { 'SCRAM-SHA-256': scramCredential('weak', 'SCRAM-SHA-256', 1000) }));
    expect(p.anomalies.filter((a) => a.kind === 'invalid-scram-credential').map((a) => a.path)).toEqual(['/config/users/weak']);
    expect(diffImport(p, imported(p)).differences).toEqual([]);
    const without = imported({ ...p, records: p.records.filter((r) => r.type !== 'UserScramCredential') });
    expect(kindsOf(diffImport(p, without))).toEqual(['missing-in-quorum SCRAM credential "alice@example.com" SCRAM-SHA-512', 'missing-in-quorum SCRAM credential "bob" SCRAM-SHA-256']);
    const d = diffImport(p, imported(p, [{ type: 'ClientQuota', entity: [{ entityType: 'user', entityName: 'bob' }], key: 'producer_byte_rate', value: 1, remove: false }, { type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 }], false));
    expect(d.differences.map((x) => x.entity)).toEqual(['client-quota', 'scram-credential', 'migration-state']);
  });
});

describe('renderDifferences', () => {
  const isr: ImportDifference = { kind: 'different', entity: 'partition', name: 'partition orders-3', field: 'isr', zookeeper: '[1,2,3]', quorum: '[1,2]' };
  const compared = { brokers: 1, topics: 1, partitions: 4, configs: 0, offsets: 0, acls: 0, clientQuotas: 0, scramCredentials: 0 };

  it('one line per difference, then a summary by kind', () => {
    const text = renderDifferences({
      differences: [
        { kind: 'missing-in-quorum', entity: 'broker', name: 'broker 2' },
        { kind: 'only-in-quorum', entity: 'topic', name: 'topic payments' },
        isr,
        { kind: 'different', entity: 'topic-config', name: 'config topic orders compression.type', field: 'value', zookeeper: '', quorum: 'zstd' },
        { kind: 'different', entity: 'producer-ids', name: 'producer ids', field: 'nextProducerId', zookeeper: '1000', quorum: '999' },
        { kind: 'not-imported-marker', entity: 'migration-state', name: 'migration state' },
      ],
      compared,
    });
    expect(text.split('\n')).toEqual([
      'broker 2: in ZooKeeper, missing from the quorum',
      'topic payments: only in the quorum, not in ZooKeeper',
      'partition orders-3: isr differs: zookeeper [1,2,3], quorum [1,2]',
      'config topic orders compression.type: value differs: zookeeper "", quorum zstd',
      "producer ids: nextProducerId is below ZooKeeper's: zookeeper 1000, quorum 999 (producer ids could be handed out twice)",
      'migration state: the quorum holds no ZkMigrationState POST_MIGRATION (3) marker (it holds none): the import did not complete',
      'compared 1 broker, 1 topic, 4 partitions, 0 configs, 0 offsets, 0 ACLs, 0 client quotas, 0 SCRAM credentials: 6 differences (1 missing from the quorum, 1 only in the quorum, 3 different, 1 import marker absent)',
      "note: 1 difference is in a partition's ISR, leader or epochs, which a running cluster changes on its own (ISR expansion and shrinking, leader elections): expected once brokers have run since the import",
    ]);
  });

  it('beyond the limit: "… and N more" (the summary still counts them all)', () => {
    const differences = Array.from({ length: 53 }, (_, i): ImportDifference => ({ ...isr, name: `partition orders-${i}` }));
    const lines = renderDifferences({ differences, compared }).split('\n');
    expect(lines).toHaveLength(53);
    expect(lines[52]).toMatch(/^note: 53 differences are in a partition's ISR/);
    expect(lines[49]).toBe('partition orders-49: isr differs: zookeeper [1,2,3], quorum [1,2]');
    expect(lines[50]).toBe('… and 3 more');
    expect(lines[51]).toMatch(/: 53 differences \(53 different\)$/);

    const two = renderDifferences({ differences, compared }, 2).split('\n');
    expect(two).toEqual([expect.stringMatching(/^partition orders-0:/), expect.stringMatching(/^partition orders-1:/), '… and 51 more', expect.stringMatching(/53 differences/), expect.stringMatching(/^note:/)]);
    expect(renderDifferences({ differences: differences.slice(0, 2), compared }, 2)).not.toMatch(/more/);
  });
});
