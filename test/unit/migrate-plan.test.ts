// The ZooKeeper import planner (tools/migrate/plan.ts): every format version and anomaly of
// ../shared/reference/zk-layout.md, and that every plan replays into an image.

import { pbkdf2Sync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PartitionRecord } from '../../metadata-log/records/types.js';
import type { ZkTree } from '../../tools/migrate/zk-tree.js';
import { isUuid, METADATA_TOPIC_ID, uuidFromBytes, ZERO_UUID } from '../../metadata-log/records/uuid.js';
import { CLIENT_QUOTAS_METADATA_VERSION, OFFSETS_METADATA_VERSION, SCRAM_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { scramKeys } from '../../quorum/controller/configs/scram-credentials.js';
import { scramCredential, scramPassword } from '../../tools/zookeeper/kafka-trees.js';
import { brokerEligibleChanges, brokerIneligibleChanges } from '../../quorum/controller/replication/elections.js';
import { Prng } from '../../quorum/sim/prng.js';
import {
  blockingAnomalies,
  planMigration,
} from '../../tools/migrate/plan.js';
import { parseEndpoint } from '../../tools/migrate/plan-brokers.js';
import { desanitize, parseQuotaValue, parseScramCredential } from '../../tools/migrate/plan-configs.js';
import {
  CLUSTER_ID,
  encryptPassword,
  jsonText,
  kafkaTree,
  kinds,
  plan,
  recordsOf,
  replayPlan,
  ZkTreeBuilder,
  type KeyOrder,
} from './migrate-fixture.js';

const TOPIC_ID = 'YkNwuAgmQO-8m5ZAi2_o-g';

function partitionsOf(p: ReturnType<typeof plan>, topicId: string): PartitionRecord[] {
  return recordsOf(p, 'Partition').filter((r) => r.topicId === topicId);
}

describe('planMigration: cluster', () => {
  it('(/cluster/id) version "1" as a string; the id is kept', () => {
    const p = plan(kafkaTree());
    expect(p.clusterId).toBe(CLUSTER_ID);
    expect(p.anomalies).toEqual([]);
    expect(p.records).toEqual([]);
  });

  it('(/cluster/id) a numeric version 1 is read too, silently (Kafka reads the id only)', () => {
    const p = plan(kafkaTree().clusterId(CLUSTER_ID, 1));
    expect(p.clusterId).toBe(CLUSTER_ID);
    expect(p.anomalies).toEqual([]);
  });

  it('(/cluster/id) an unknown version is reported; the id is still read', () => {
    const p = plan(kafkaTree().clusterId(CLUSTER_ID, '2'));
    expect(p.clusterId).toBe(CLUSTER_ID);
    expect(p.anomalies).toMatchObject([{ path: '/cluster/id', kind: 'unknown-version', severity: 'warning' }]);
  });

  it('(/cluster/id) missing, hyphenated, malformed', () => {
    const missing = plan(kafkaTree().remove('/cluster/id'));
    expect(missing.clusterId).toBeNull();
    expect(missing.anomalies).toMatchObject([{ path: '/cluster/id', kind: 'missing-cluster-id', severity: 'error' }]);

    const hyphenated = plan(kafkaTree({ clusterId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }));
    expect(hyphenated.anomalies).toMatchObject([{ path: '/cluster/id', kind: 'invalid-cluster-id' }]);

    const malformed = plan(kafkaTree().put('/cluster/id', '{"version":"1","id":'));
    expect(malformed.clusterId).toBeNull();
    expect(malformed.anomalies).toMatchObject([{ path: '/cluster/id', kind: 'malformed-json', severity: 'error' }]);
    expect(malformed.anomalies[0]!.message).toMatch(/not JSON/);

    const empty = plan(kafkaTree().put('/cluster/id', null));
    expect(empty.anomalies).toMatchObject([{ path: '/cluster/id', kind: 'empty-node' }]);
  });

  it('(/controller_epoch) plain decimal text; malformed text is reported; absent is null', () => {
    expect(plan(kafkaTree({ controllerEpoch: 23 })).controllerEpoch).toBe(23);
    expect(plan(kafkaTree().controllerEpoch('23\n')).controllerEpoch).toBe(23);
    const bad = plan(kafkaTree().controllerEpoch('{"epoch":23}'));
    expect(bad.controllerEpoch).toBeNull();
    expect(bad.anomalies).toMatchObject([{ path: '/controller_epoch', kind: 'malformed-text' }]);
    expect(plan(kafkaTree().remove('/controller_epoch')).controllerEpoch).toBeNull();
  });

  it('(/controller) v1 and v2 with kraftControllerEpoch -1 are a running ZK controller: a warning that the tree may change while read, not an error', () => {
    const v1 = kafkaTree().put('/controller', { version: 1, brokerid: 2, timestamp: '1717171722000' }, { ephemeralOwner: '1' });
    expect(plan(v1).anomalies).toMatchObject([{ path: '/controller', kind: 'live-controller', severity: 'warning', message: expect.stringMatching(/broker 2\) holds \/controller: the cluster is running.*stop the Kafka brokers first/) }]);
    const v2 = kafkaTree().put('/controller', { version: 2, brokerid: 2, timestamp: '1717171722000', kraftControllerEpoch: -1 });
    expect(plan(v2).anomalies.map((a) => a.kind)).toEqual(['live-controller']);
    expect(plan(kafkaTree()).anomalies).toEqual([]); // no /controller: stopped
  });

  it('(KIP-866 in progress) /migration, or a KRaft controller in /controller, is an error', () => {
    const migration = kafkaTree().put('/migration', { version: 0, kraft_controller_id: 3000, kraft_controller_epoch: 1, kraft_metadata_offset: 12345, kraft_metadata_epoch: 1 });
    expect(plan(migration).anomalies).toMatchObject([{ path: '/migration', kind: 'kraft-migration-in-progress', severity: 'error' }]);
    const kraft = kafkaTree().put('/controller', { version: 2, brokerid: 3000, timestamp: '1717171722000', kraftControllerEpoch: 4 });
    expect(plan(kraft).anomalies).toMatchObject([{ path: '/controller', kind: 'kraft-migration-in-progress' }]);
  });

  it('(/feature) {} is normal; finalized features are reported, not imported', () => {
    const p = plan(kafkaTree().put('/feature', { features: { 'some.feature': { max_version_level: 2 } }, version: 2, status: 1 }));
    expect(p.anomalies).toMatchObject([{ path: '/feature', kind: 'finalized-features-ignored', severity: 'warning' }]);
    expect(p.records).toEqual([]);
    const v1 = plan(kafkaTree().put('/feature', { features: {}, version: 1, status: 0 }));
    expect(v1.anomalies).toEqual([]);
  });

  it('(triggers and requests) change queues, reassign/preferred-election requests, seqid are ignored', () => {
    const b = kafkaTree()
      .put('/config/changes/config_change_0000000042', { version: 2, entity_path: 'topics/orders' })
      .put('/config/changes/config_change_0000000043', { version: 1, entity_type: 'topics', entity_name: 'orders' })
      .put('/isr_change_notification/isr_change_0000000001', { version: 1, partitions: [{ topic: 't', partition: 1 }] })
      .put('/log_dir_event_notification/log_dir_event_0000000001', { version: 1, broker: 1, event: 1 })
      .put('/kafka-acl-changes/acl_changes_0000000001', 'Topic:payments_v2')
      .put('/kafka-acl-extended-changes/acl_changes_0000000001', { version: 1, resourceType: 'TOPIC', name: 'logs.', patternType: 'PREFIXED' })
      .put('/delegation_token/token_changes/token_change_0000000001', 'tokenid')
      .put('/admin/reassign_partitions', { version: 1, partitions: [{ topic: 'x', partition: 0, replicas: [2, 3, 4] }] })
      .put('/admin/preferred_replica_election', { version: 1, partitions: [{ topic: 't', partition: 0 }] })
      .put('/brokers/seqid', Buffer.alloc(0), { version: 3 })
      .put('/consumers/g/ids/g_host-1500000000000-1a2b3c4d', { version: 1, subscription: { t: 1 }, pattern: 'static', timestamp: '1500000000000' })
      .put('/consumers/g/owners/t/0', 'g_host-1500000000000-1a2b3c4d-0');
    const p = plan(b);
    expect(p.records).toEqual([]);
    expect(p.anomalies).toEqual([]);
    expect(p.skipped).toEqual([]);
  });
});

describe('planMigration: brokers', () => {
  const ep = (name: string, host: string | null, port: number, protocol: string) => ({ name, host, port, protocol });

  it('(v1) host/port is the PLAINTEXT listener; registered fenced with a minted incarnation', () => {
    const p = plan(kafkaTree().broker(1, 1, { endpoints: [ep('PLAINTEXT', 'h1', 9092, 'PLAINTEXT')] }));
    expect(p.anomalies).toEqual([]);
    const [r] = recordsOf(p, 'RegisterBroker');
    expect(r).toMatchObject({
      brokerId: 1,
      brokerEpoch: 0,
      endpoints: [{ name: 'PLAINTEXT', host: 'h1', port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      fenced: true,
      inControlledShutdown: false,
      features: [],
    });
    expect(isUuid(r!.incarnationId)).toBe(true);
    expect(p.counts.brokers).toBe(1);
  });

  it('(v1) a null host (no PLAINTEXT listener) gives no endpoint: reported', () => {
    const p = plan(kafkaTree().put('/brokers/ids/1', { version: 1, host: null, port: -1, jmx_port: -1, timestamp: '1400000000000' }));
    expect(recordsOf(p, 'RegisterBroker')[0]!.endpoints).toEqual([]);
    expect(p.anomalies).toMatchObject([{ path: '/brokers/ids/1', kind: 'broker-without-endpoints', severity: 'warning' }]);
  });

  it('(v2) endpoints: the listener name is the protocol; host/port are not used', () => {
    const p = plan(kafkaTree().put('/brokers/ids/2', '{"version":2,"host":"h1","port":9092,"jmx_port":-1,"timestamp":"1500000000000","endpoints":["PLAINTEXT://h1:9092","SSL://h1:9093"]}'));
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'RegisterBroker')[0]!.endpoints).toEqual([
      { name: 'PLAINTEXT', host: 'h1', port: 9092, securityProtocol: 'PLAINTEXT' },
      { name: 'SSL', host: 'h1', port: 9093, securityProtocol: 'SSL' },
    ]);
  });

  it('(v3) rack; absent rack = null', () => {
    const p = plan(kafkaTree().broker(3, 3, { rack: 'use1-az1' }).broker(4, 3));
    expect(recordsOf(p, 'RegisterBroker').map((r) => r.rack)).toEqual(['use1-az1', null]);
    expect(p.anomalies).toEqual([]);
  });

  it('(v4) listener_security_protocol_map; IPv6 hosts lose their brackets', () => {
    const doc =
      '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","REPLICATION":"SSL"},"endpoints":["PLAINTEXT://[fd00::1001]:9092","REPLICATION://[fd00::1001]:9091"],"rack":"use1-az1","jmx_port":9999,"host":"fd00::1001","timestamp":"1717171718001","port":9092,"version":4}';
    const p = plan(kafkaTree().put('/brokers/ids/1001', doc));
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'RegisterBroker')[0]).toMatchObject({
      brokerId: 1001,
      rack: 'use1-az1',
      endpoints: [
        { name: 'PLAINTEXT', host: 'fd00::1001', port: 9092, securityProtocol: 'PLAINTEXT' },
        { name: 'REPLICATION', host: 'fd00::1001', port: 9091, securityProtocol: 'SSL' },
      ],
    });
  });

  it('(v5) listener names are not protocols; host null/port -1 without a PLAINTEXT listener; features {}', () => {
    const p = plan(
      kafkaTree()
        .put(
          '/brokers/ids/3',
          '{"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT","EXTERNAL":"SASL_SSL"},"endpoints":["INTERNAL://kafka-3.internal:19092","EXTERNAL://kafka-3.example.com:9094"],"rack":"use1-az3","jmx_port":9999,"features":{},"host":"kafka-3.internal","timestamp":"1717171717003","port":19092,"version":5}',
        )
        .put('/brokers/ids/4', '{"listener_security_protocol_map":{"SSL":"SSL"},"endpoints":["SSL://kafka-4.internal:9093"],"jmx_port":-1,"features":{},"host":null,"timestamp":"1717171717004","port":-1,"version":5}'),
    );
    expect(p.anomalies).toEqual([]);
    const [b3, b4] = recordsOf(p, 'RegisterBroker');
    expect(b3!.endpoints).toEqual([
      { name: 'INTERNAL', host: 'kafka-3.internal', port: 19092, securityProtocol: 'PLAINTEXT' },
      { name: 'EXTERNAL', host: 'kafka-3.example.com', port: 9094, securityProtocol: 'SASL_SSL' },
    ]);
    expect(b4!.endpoints).toEqual([{ name: 'SSL', host: 'kafka-4.internal', port: 9093, securityProtocol: 'SSL' }]);
    expect(b4!.rack).toBeNull();
  });

  it('(v5 features) non-empty features are reported and not copied; options.brokerFeatures is declared instead', () => {
    const b = kafkaTree().broker(1, 5, { features: { 'metadata.version': { min_version: 1, max_version: 20 } } });
    const p = plan(b, { brokerFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 2 }] });
    expect(p.anomalies).toMatchObject([{ kind: 'broker-features-ignored' }]);
    expect(recordsOf(p, 'RegisterBroker')[0]!.features).toEqual([{ name: 'metadata.version', minVersion: 1, maxVersion: 2 }]);
  });

  it('(every version) one broker per version 1..5 registers; epochs are record offsets; incarnations differ', () => {
    const b = kafkaTree();
    for (let v = 1; v <= 5; v++) b.broker(v, v);
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    const regs = recordsOf(p, 'RegisterBroker');
    expect(regs.map((r) => r.brokerId)).toEqual([1, 2, 3, 4, 5]);
    expect(regs.map((r) => r.brokerEpoch)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(regs.map((r) => r.incarnationId)).size).toBe(5);
    const image = replayPlan(p);
    expect(image.brokers().map((x) => [x.brokerId, x.fenced, x.brokerEpoch])).toEqual([
      [1, true, 1],
      [2, true, 2],
      [3, true, 3],
      [4, true, 4],
      [5, true, 5],
    ]);
  });

  it('(unknown version) read with the v5 rules, reported', () => {
    const b = kafkaTree().put('/brokers/ids/1', { version: 6, endpoints: ['PLAINTEXT://h:9092'], listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' }, host: 'h', port: 9092 });
    const p = plan(b);
    expect(p.anomalies).toMatchObject([{ path: '/brokers/ids/1', kind: 'unknown-version', severity: 'warning' }]);
    expect(recordsOf(p, 'RegisterBroker')[0]!.endpoints).toHaveLength(1);
  });

  it('(endpoints) unparseable, unmapped, unknown protocol, repeated: dropped and reported; an empty host is reported', () => {
    const b = kafkaTree().put('/brokers/ids/1', {
      version: 4,
      endpoints: ['garbage', 'A://h:9092', 'B://h:1', 'C://h:2', 'A://h:9093', 'D://:9094', 'E://[::1:9', 'F://h:99999'],
      listener_security_protocol_map: { A: 'PLAINTEXT', C: 'TRACE', D: 'SSL', E: 'SSL', F: 'SSL' },
    });
    const p = plan(b);
    expect(kinds(p)).toEqual(['malformed-endpoint', 'malformed-endpoint', 'malformed-endpoint', 'malformed-endpoint', 'malformed-endpoint', 'malformed-endpoint', 'endpoint-without-host']);
    expect(recordsOf(p, 'RegisterBroker')[0]!.endpoints).toEqual([
      { name: 'A', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' },
      { name: 'D', host: '', port: 9094, securityProtocol: 'SSL' },
    ]);
    replayPlan(p);
  });

  it('(parseEndpoint) forms Kafka writes', () => {
    expect(parseEndpoint('PLAINTEXT://h1:9092')).toEqual({ name: 'PLAINTEXT', host: 'h1', port: 9092 });
    expect(parseEndpoint('PLAINTEXT://[fd00::1001]:9092')).toEqual({ name: 'PLAINTEXT', host: 'fd00::1001', port: 9092 });
    expect(parseEndpoint('PLAINTEXT://:9092')).toEqual({ name: 'PLAINTEXT', host: '', port: 9092 });
    expect(typeof parseEndpoint('PLAINTEXT://fd00::1:9092')).toBe('string');
  });

  it('(ids) a non-id child is reported; a malformed registration is a warning and the broker is not registered', () => {
    const p = plan(kafkaTree().put('/brokers/ids/abc', { version: 5 }).put('/brokers/ids/7', '{"version":5,'));
    expect(p.anomalies).toMatchObject([
      { path: '/brokers/ids/7', kind: 'malformed-json', severity: 'warning' },
      { path: '/brokers/ids/abc', kind: 'invalid-broker-id' },
    ]);
    expect(recordsOf(p, 'RegisterBroker')).toEqual([]);
  });

  it('(absent registrations) brokers named only by replicas are listed, not anomalies', () => {
    const p = plan(kafkaTree().broker(1, 5).topic('t', { partitions: { 0: [1, 2, 3], 1: [3, 4, 1] } }));
    expect(p.brokersOnlyInAssignments).toEqual([2, 3, 4]);
    expect(p.anomalies).toEqual([]);
    replayPlan(p);
  });
});

describe('planMigration: topics and partitions', () => {
  it('(v1) partitions only, no topic_id: an id is minted (valid, not reserved) and reported in mintedTopicIds', () => {
    const p = plan(kafkaTree().put('/brokers/topics/orders', '{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,4]}}'));
    expect(p.anomalies).toMatchObject([{ kind: 'missing-partition-state' }, { kind: 'missing-partition-state' }]);
    const [topic] = recordsOf(p, 'Topic');
    expect(topic!.name).toBe('orders');
    expect(isUuid(topic!.topicId)).toBe(true);
    expect([ZERO_UUID, METADATA_TOPIC_ID]).not.toContain(topic!.topicId);
    expect(topic!.topicId.startsWith('-')).toBe(false);
    expect(p.mintedTopicIds).toEqual([{ topic: 'orders', topicId: topic!.topicId }]);
    expect(partitionsOf(p, topic!.topicId).map((r) => r.replicas)).toEqual([
      [1, 2, 3],
      [2, 3, 4],
    ]);
  });

  it('(minting) deterministic for a seed, different for another', () => {
    const b = kafkaTree().topic('a', { version: 1, partitions: { 0: [1] } }).topic('b', { version: 2, partitions: { 0: [1] } });
    const id = (seed: number): string[] => recordsOf(plan(b, { random: new Prng(seed) }), 'Topic').map((t) => t.topicId);
    expect(id(7)).toEqual(id(7));
    expect(id(7)).not.toEqual(id(8));
  });

  it('(v2) adding/removing present and empty', () => {
    const p = plan(kafkaTree().topic('t', { version: 2, partitions: { 0: [2, 3, 4] } }));
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'Partition')[0]).toMatchObject({ replicas: [2, 3, 4], isr: [2, 3, 4], addingReplicas: [], removingReplicas: [], leader: 2 });
    expect(p.mintedTopicIds).toHaveLength(1);
  });

  it('(v3) topic_id kept byte for byte; no minting', () => {
    const p = plan(kafkaTree().topic('t', { version: 3, topicId: TOPIC_ID, partitions: { 0: [1] } }));
    expect(recordsOf(p, 'Topic')).toEqual([{ type: 'Topic', name: 't', topicId: TOPIC_ID }]);
    expect(p.mintedTopicIds).toEqual([]);
  });

  it('(v3 without topic_id) minted (2.8+ writes v3 even with IBP < 2.8)', () => {
    const p = plan(kafkaTree().topic('t', { version: 3, partitions: { 0: [1] } }));
    expect(p.anomalies).toEqual([]);
    expect(p.mintedTopicIds.map((m) => m.topic)).toEqual(['t']);
  });

  it('(reassignment) partitions = target then old; adding and removing kept on the record', () => {
    const p = plan(
      kafkaTree().put(
        '/brokers/topics/moving',
        '{"version":3,"partitions":{"0":[2,3,4,1],"1":[1,1001,2],"2":[2,1,3]},"adding_replicas":{"0":[4]},"removing_replicas":{"0":[1]},"topic_id":"YkNwuAgmQO-8m5ZAi2_o-g"}',
      ),
    );
    const parts = partitionsOf(p, TOPIC_ID);
    expect(parts.map((r) => [r.partitionId, r.replicas, r.addingReplicas, r.removingReplicas])).toEqual([
      [0, [2, 3, 4, 1], [4], [1]],
      [1, [1, 1001, 2], [], []],
      [2, [2, 1, 3], [], []],
    ]);
    const image = replayPlan(p);
    expect(image.topicById(TOPIC_ID)!.partitions[0]).toMatchObject({ addingReplicas: [4], removingReplicas: [1] });
    // The quorum carries the move on; the plan says a move is under way, once for the topic, naming the partitions.
    expect(p.anomalies.filter((a) => a.kind === 'reassignment-in-flight')).toEqual([
      {
        path: '/brokers/topics/moving',
        kind: 'reassignment-in-flight',
        severity: 'warning',
        message: expect.stringMatching(/^topic moving: partition\(s\) 0 are being reassigned .* the quorum finishes each move once its new replicas are in sync: follow it with metaquorum reassign-partitions --list .* or stop it with --cancel/),
      },
    ]);
  });

  it('(reassignment) lists outside the replicas or overlapping are reported and kept; unknown partitions dropped', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1, 2] }, adding: { 0: [5], 3: [1] }, removing: { 0: [5] } }));
    expect(kinds(p)).toEqual(['inconsistent-reassignment', 'inconsistent-reassignment', 'reassignment-in-flight']);
    expect(recordsOf(p, 'Partition')[0]).toMatchObject({ addingReplicas: [5], removingReplicas: [5] });
  });

  it('(legacy reassignment) a move /admin/reassign_partitions requests for a partition with no adding/removing replicas (Kafka < 2.4) is reported; one with them, done, or for another topic is not', () => {
    const request = (partitions: unknown[]) => ({ version: 1, partitions });
    const tree = () =>
      kafkaTree()
        .topic('old', { partitions: { 0: [2, 3, 4, 1], 1: [1, 2] } })
        .topic('new', { partitions: { 0: [2, 3, 4, 1] }, adding: { 0: [4] }, removing: { 0: [1] } });
    const p = plan(tree().put('/admin/reassign_partitions', request([
      { topic: 'old', partition: 0, replicas: [2, 3, 4] },
      { topic: 'old', partition: 1, replicas: [1, 2] }, // done: where it was asked to go
      { topic: 'new', partition: 0, replicas: [2, 3, 4] },
      { topic: 'gone', partition: 0, replicas: [1] },
    ])));
    expect(p.anomalies.filter((a) => a.kind !== 'reassignment-in-flight')).toEqual([
      {
        path: '/admin/reassign_partitions',
        kind: 'legacy-reassignment',
        severity: 'warning',
        message: expect.stringMatching(/^partition old-0 is being moved to \[2,3,4\] by a controller older than Kafka 2\.4 .* imported with replicas \[2,3,4,1\] as its final assignment/),
      },
    ]);
    const oldId = recordsOf(p, 'Topic').find((t) => t.name === 'old')!.topicId;
    expect(recordsOf(p, 'Partition').find((r) => r.topicId === oldId && r.partitionId === 0)).toMatchObject({ replicas: [2, 3, 4, 1], addingReplicas: [], removingReplicas: [] });
    const malformed = plan(tree().put('/admin/reassign_partitions', request([{ topic: 'old', partition: 'zero', replicas: [1] }])));
    expect(malformed.anomalies.map((a) => [a.kind, a.severity])).toEqual([['reassignment-in-flight', 'warning'], ['malformed-json', 'warning']]);
    expect(malformed.anomalies[1]!.message).toContain('the reassignments it requests are not checked');
  });

  it('(partition order) JSON order means nothing: partition keys out of order give partitions 0..n-1', () => {
    const b = kafkaTree().put('/brokers/topics/t', '{"partitions":{"2":[3],"10":[1],"0":[1],"1":[2],"3":[1],"4":[1],"5":[1],"6":[1],"7":[1],"8":[1],"9":[1]},"version":1}');
    const p = plan(b);
    expect(recordsOf(p, 'Partition').map((r) => r.partitionId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(recordsOf(p, 'Partition')[2]!.replicas).toEqual([3]);
  });

  it('(assignment) a gap, no partitions, an empty or repeated replica list, a bad key: topic skipped', () => {
    const cases: [string, string][] = [
      ['gap', '{"version":1,"partitions":{"0":[1],"2":[1]}}'],
      ['none', '{"version":1,"partitions":{}}'],
      ['empty', '{"version":1,"partitions":{"0":[]}}'],
      ['repeat', '{"version":1,"partitions":{"0":[1,1]}}'],
      ['key', '{"version":1,"partitions":{"x":[1]}}'],
    ];
    for (const [name, doc] of cases) {
      const p = plan(kafkaTree().put(`/brokers/topics/${name}`, doc));
      expect(p.anomalies, name).toMatchObject([{ path: `/brokers/topics/${name}`, kind: 'invalid-assignment', severity: 'error' }]);
      expect(p.skipped, name).toMatchObject([{ path: `/brokers/topics/${name}` }]);
      expect(p.records, name).toEqual([]);
    }
    const types = plan(kafkaTree().put('/brokers/topics/t', '{"version":1,"partitions":{"0":["1"]}}'));
    expect(types.anomalies).toMatchObject([{ path: '/brokers/topics/t', kind: 'malformed-json' }]);
    expect(types.anomalies[0]!.message).toContain('partitions.0');
  });

  it('(topic_id) not a Uuid, zero, or the metadata topic id: skipped, not re-minted', () => {
    for (const bad of ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', ZERO_UUID, METADATA_TOPIC_ID, 42]) {
      const p = plan(kafkaTree().put('/brokers/topics/t', { version: 3, partitions: { 0: [1] }, adding_replicas: {}, removing_replicas: {}, topic_id: bad }));
      expect(kinds(p)).toEqual(['invalid-topic-id']);
      expect(recordsOf(p, 'Topic')).toEqual([]);
    }
  });

  it('(topic_id) two topics holding one id: both skipped', () => {
    const p = plan(kafkaTree().topic('a', { topicId: TOPIC_ID, partitions: { 0: [1] } }).topic('b', { topicId: TOPIC_ID, partitions: { 0: [1] } }).topic('c', { partitions: { 0: [1] } }));
    expect(kinds(p)).toEqual(['duplicate-topic-id', 'duplicate-topic-id']);
    expect(recordsOf(p, 'Topic').map((t) => t.name)).toEqual(['c']);
    expect(recordsOf(p, 'Topic')[0]!.topicId).not.toBe(TOPIC_ID);
  });

  it('(reservedTopicIds) a kept id in use is refused; minting avoids reserved ids', () => {
    const b = kafkaTree().topic('kept', { topicId: TOPIC_ID, partitions: { 0: [1] } }).topic('new', { version: 1, partitions: { 0: [1] } });
    const free = recordsOf(plan(b), 'Topic').find((t) => t.name === 'new')!.topicId;
    const p = plan(b, { reservedTopicIds: new Set([TOPIC_ID, free]) });
    expect(kinds(p)).toEqual(['topic-id-in-use']);
    const minted = recordsOf(p, 'Topic');
    expect(minted.map((t) => t.name)).toEqual(['new']);
    expect(minted[0]!.topicId).not.toBe(free);
  });

  it('(unknown version) read as v3, reported', () => {
    const p = plan(kafkaTree().topic('t', { version: 4, partitions: { 0: [1] }, topicId: TOPIC_ID }));
    expect(p.anomalies).toMatchObject([{ path: '/brokers/topics/t', kind: 'unknown-version' }]);
    expect(recordsOf(p, 'Topic')).toHaveLength(1);
  });

  it('(names) outside Kafka rules, and "."/"_" collisions: imported, reported', () => {
    const p = plan(kafkaTree().topic('a.b', { partitions: { 0: [1] } }).topic('a_b', { partitions: { 0: [1] } }).topic('x'.repeat(250), { partitions: { 0: [1] } }));
    expect(kinds(p).sort()).toEqual(['invalid-topic-name', 'topic-name-collision', 'topic-name-collision']);
    expect(recordsOf(p, 'Topic')).toHaveLength(3);
  });

  it('(state) leader, epoch, ISR, partition epoch = stat.version; leader_recovery_state absent = 0, 1 kept', () => {
    const b = kafkaTree().topic('t', {
      topicId: TOPIC_ID,
      partitions: { 0: [2, 3, 1], 1: [4, 1] },
      states: {
        0: { leader: 2, leader_epoch: 6, isr: [2, 3, 1], controller_epoch: 23, statVersion: 11 },
        1: { leader: 4, leader_epoch: 9, isr: [4], controller_epoch: 23, leader_recovery_state: 1, statVersion: 3 },
      },
    });
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    expect(partitionsOf(p, TOPIC_ID)).toEqual([
      { type: 'Partition', topicId: TOPIC_ID, partitionId: 0, replicas: [2, 3, 1], isr: [2, 3, 1], removingReplicas: [], addingReplicas: [], leader: 2, leaderRecoveryState: 0, leaderEpoch: 6, partitionEpoch: 11 },
      { type: 'Partition', topicId: TOPIC_ID, partitionId: 1, replicas: [4, 1], isr: [4], removingReplicas: [], addingReplicas: [], leader: 4, leaderRecoveryState: 1, leaderEpoch: 9, partitionEpoch: 3 },
    ]);
    const image = replayPlan(p);
    expect(image.topicById(TOPIC_ID)!.partitions[1]).toMatchObject({ leaderRecoveryState: 1, leaderEpoch: 9, partitionEpoch: 3 });
  });

  it("(missing state node) Kafka's migration defaults: leader = first replica, ISR = replicas, epochs 0; reported", () => {
    const p = plan(kafkaTree().topic('t', { topicId: TOPIC_ID, partitions: { 0: [3, 1, 2], 1: [1, 2, 3] }, states: { 1: 'none' } }));
    expect(p.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/1/state', kind: 'missing-partition-state', severity: 'warning' }]);
    expect(partitionsOf(p, TOPIC_ID)[1]).toMatchObject({ leader: 1, isr: [1, 2, 3], leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0 });
    const all = plan(kafkaTree().topic('u', { partitions: { 0: [1] }, states: 'none' }));
    expect(kinds(all)).toEqual(['missing-partition-state']);
  });

  it('(leader -1) offline: imported as is, the ISR still names the last replica; reported', () => {
    const p = plan(kafkaTree().topic('t', { topicId: TOPIC_ID, partitions: { 0: [1, 2, 3] }, states: { 0: { leader: -1, leader_epoch: 17, isr: [3], statVersion: 4 } } }));
    expect(p.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/0/state', kind: 'offline-partition', severity: 'warning' }]);
    expect(partitionsOf(p, TOPIC_ID)[0]).toMatchObject({ leader: -1, isr: [3], leaderEpoch: 17, partitionEpoch: 4 });
    expect(replayPlan(p).topicById(TOPIC_ID)!.partitions[0]!.leader).toBe(-1);
  });

  it('(ISR outside the replicas, leader outside the ISR) imported as is; a repeated ISR without its repeat, an empty one as [leader]; all reported', () => {
    const p = plan(
      kafkaTree().topic('t', {
        topicId: TOPIC_ID,
        partitions: { 0: [1, 2], 1: [1, 2], 2: [1, 2], 3: [1, 2] },
        states: {
          0: { leader: 1, leader_epoch: 1, isr: [1, 5] },
          1: { leader: 2, leader_epoch: 1, isr: [1] },
          2: { leader: 1, leader_epoch: 1, isr: [] },
          3: { leader: 1, leader_epoch: 1, isr: [1, 1] },
        },
      }),
    );
    expect(kinds(p)).toEqual(['isr-outside-replicas', 'leader-not-in-isr', 'invalid-isr', 'invalid-isr']);
    expect(partitionsOf(p, TOPIC_ID).map((r) => r.isr)).toEqual([[1, 5], [1], [1], [1]]);
    expect(p.anomalies.find((a) => a.path === '/brokers/topics/t/partitions/3/state')?.message).toMatch(/names a broker twice; imported as \[1\]/);
    replayPlan(p);
  });

  it('(ISR holding no replica) becomes [leader] when the leader is a replica, else the topic is refused; the controller can still fence and unfence', () => {
    const p = plan(
      kafkaTree()
        .broker(1, 5)
        .broker(2, 5)
        .topic('t', {
          topicId: TOPIC_ID,
          partitions: { 0: [1, 2], 1: [1, 2] },
          states: { 0: { leader: 1, leader_epoch: 1, isr: [] }, 1: { leader: 2, leader_epoch: 1, isr: [5] } },
        })
        .topic('offline', { partitions: { 0: [1, 2] }, states: { 0: { leader: -1, leader_epoch: 3, isr: [] } } })
        .topic('stray', { partitions: { 0: [1, 2] }, states: { 0: { leader: 5, leader_epoch: 3, isr: [5] } } }),
    );
    expect(p.anomalies.map((a) => [a.path, a.kind, a.severity])).toEqual([
      ['/brokers/topics/offline/partitions/0/state', 'invalid-isr', 'error'],
      ['/brokers/topics/stray/partitions/0/state', 'invalid-isr', 'error'],
      ['/brokers/topics/t/partitions/0/state', 'invalid-isr', 'warning'],
      ['/brokers/topics/t/partitions/1/state', 'invalid-isr', 'warning'],
    ]);
    expect(p.anomalies[0]!.message).toMatch(/ISR is empty and its leader \(-1\) is not a replica.*set "isr" in this node.*topic offline is not imported/);
    expect(p.skipped.map((s) => s.path)).toEqual(['/brokers/topics/offline', '/brokers/topics/stray']);
    expect(recordsOf(p, 'Topic').map((t) => t.name)).toEqual(['t']);
    expect(partitionsOf(p, TOPIC_ID).map((r) => [r.leader, r.isr])).toEqual([
      [1, [1]],
      [2, [2]],
    ]);
    // Every election the controller makes on a broker's fencing or unfencing keeps the ISR within
    // the replicas and non-empty: an imported ISR without a replica made each of them throw.
    const image = replayPlan(p);
    expect(() => brokerEligibleChanges(image, 2, (id) => id === 2)).not.toThrow();
    expect(brokerIneligibleChanges(image, 1, () => false)).toMatchObject([{ partitionId: 0, leader: -1 }]);
  });

  it('(controller_epoch) a state written by a newer controller than /controller_epoch is reported', () => {
    const p = plan(kafkaTree({ controllerEpoch: 5 }).topic('t', { partitions: { 0: [1] }, states: { 0: { leader: 1, leader_epoch: 0, isr: [1], controller_epoch: 6 } } }));
    expect(kinds(p)).toEqual(['controller-epoch-ahead']);
  });

  it('(orphan state) a partitions/<n> the assignment does not list is ignored and reported', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).state('t', 4, { leader: 1, leader_epoch: 0, isr: [1] }));
    expect(p.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/4', kind: 'orphan-partition-state' }]);
    expect(recordsOf(p, 'Partition')).toHaveLength(1);
  });

  it('(state) malformed JSON, no data, or unreadable: the topic is skipped (a guess would fence the brokers wrongly)', () => {
    const malformed = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).put('/brokers/topics/t/partitions/0/state', '{"leader":1,"isr":[1]'));
    expect(malformed.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/0/state', kind: 'malformed-json', severity: 'error' }]);
    expect(malformed.skipped).toMatchObject([{ path: '/brokers/topics/t' }]);
    expect(malformed.records).toEqual([]);

    const wrongType = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).put('/brokers/topics/t/partitions/0/state', { version: 1, leader: '1', leader_epoch: 0, isr: [1], controller_epoch: 1 }));
    expect(wrongType.anomalies).toMatchObject([{ kind: 'malformed-json' }]);
    expect(wrongType.anomalies[0]!.message).toContain('"leader"');

    const empty = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).put('/brokers/topics/t/partitions/0/state', Buffer.alloc(0)));
    expect(empty.anomalies).toMatchObject([{ kind: 'empty-node' }]);
    expect(empty.records).toEqual([]);

    const unreadable = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).unreadable('/brokers/topics/t/partitions/0/state', 'NO_NODE (deleted while reading)'));
    expect(unreadable.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/0/state', kind: 'unreadable', severity: 'error' }]);
    expect(unreadable.anomalies[0]!.message).toContain('NO_NODE');
    expect(unreadable.skipped).toMatchObject([{ path: '/brokers/topics/t' }]);
    expect(unreadable.records).toEqual([]);
  });

  it('(state) an unknown version is read as v1, reported', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, states: { 0: { leader: 1, leader_epoch: 3, isr: [1], version: 2 } } }));
    expect(kinds(p)).toEqual(['unknown-version']);
    expect(recordsOf(p, 'Partition')[0]!.leaderEpoch).toBe(3);
  });

  it('(assignment node) unreadable, empty, or listed but not read: topic skipped', () => {
    const unreadable = plan(kafkaTree().unreadable('/brokers/topics/t'));
    expect(unreadable.anomalies).toMatchObject([{ path: '/brokers/topics/t', kind: 'unreadable' }]);
    expect(unreadable.skipped).toMatchObject([{ path: '/brokers/topics/t' }]);
    const empty = plan(kafkaTree().put('/brokers/topics/t', null));
    expect(empty.anomalies).toMatchObject([{ path: '/brokers/topics/t', kind: 'empty-node' }]);
  });

  it('(many versions together) v1, v2, v3 with and without ids side by side replay into one image', () => {
    const b = kafkaTree()
      .broker(1, 5)
      .topic('v1', { version: 1, partitions: { 0: [1, 2], 1: [2, 1] } })
      .topic('v2', { version: 2, partitions: { 0: [1] } })
      .topic('v3-id', { version: 3, topicId: TOPIC_ID, partitions: { 0: [1, 2, 3] } })
      .topic('v3-no-id', { version: 3, partitions: { 0: [3] } });
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    expect(p.counts).toMatchObject({ brokers: 1, topics: 4, partitions: 5 });
    const image = replayPlan(p);
    expect([...image.topics()].map((t) => t.name).sort()).toEqual(['v1', 'v2', 'v3-id', 'v3-no-id']);
    expect(image.partitionCount).toBe(5);
    expect(image.topicByName('v3-id')!.topicId).toBe(TOPIC_ID);
  });
});

describe('planMigration: configs', () => {
  it('(topic) {} is no override; entries become Config records after the partitions, keys sorted', () => {
    const p = plan(kafkaTree().topic('t', { topicId: TOPIC_ID, partitions: { 0: [1] }, config: { 'segment.bytes': '104857600', 'cleanup.policy': 'compact', 'compression.type': 'producer' } }));
    expect(p.anomalies).toEqual([]);
    expect(p.records.map((r) => r.type)).toEqual(['Topic', 'Partition', 'Config', 'Config', 'Config']);
    expect(recordsOf(p, 'Config').map((c) => [c.resourceType, c.resourceName, c.name, c.value])).toEqual([
      ['topic', 't', 'cleanup.policy', 'compact'],
      ['topic', 't', 'compression.type', 'producer'],
      ['topic', 't', 'segment.bytes', '104857600'],
    ]);
    expect(p.counts.topicConfigs).toBe(3);
    expect(replayPlan(p).configs('topic', 't').get('cleanup.policy')).toBe('compact');
    expect(recordsOf(plan(kafkaTree().topic('u', { partitions: { 0: [1] }, config: {} })), 'Config')).toEqual([]);
  });

  it('(topic) no config node, or one with no data (null or zero bytes): no overrides', () => {
    for (const b of [
      kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }),
      kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).put('/config/topics/t', null),
      kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).put('/config/topics/t', Buffer.alloc(0)),
    ]) {
      const p = plan(b);
      expect(p.anomalies).toEqual([]);
      expect(recordsOf(p, 'Topic')).toHaveLength(1);
      expect(recordsOf(p, 'Config')).toEqual([]);
    }
  });

  it('(topic) malformed or unreadable config node: the topic is skipped (its overrides matter)', () => {
    const malformed = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).put('/config/topics/t', '{"version":1,"config":{"retention.ms":null}}'));
    expect(malformed.anomalies).toMatchObject([{ path: '/config/topics/t', kind: 'malformed-json', severity: 'error' }]);
    expect(malformed.records).toEqual([]);
    const unreadable = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).unreadable('/config/topics/t'));
    expect(unreadable.anomalies).toMatchObject([{ path: '/config/topics/t', kind: 'unreadable' }]);
    expect(unreadable.records).toEqual([]);
  });

  it('(topic) an unreadable /config/topics hides every topic config: those topics are skipped, not imported bare', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).unreadable('/config/topics'));
    expect(p.anomalies).toMatchObject([{ path: '/config/topics', kind: 'unreadable', severity: 'error' }]);
    expect(p.skipped).toMatchObject([{ path: '/brokers/topics/t' }]);
    expect(p.records).toEqual([]);
  });

  it('(topic) numbers and booleans are taken as text; unknown keys and refused values are imported and reported', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).config('topics', 't', { 'retention.ms': 86400000, 'some.old.key': 'x', 'segment.bytes': '12' }));
    expect(kinds(p).sort()).toEqual(['invalid-config-value', 'non-string-config-value', 'unknown-config-key']);
    expect(recordsOf(p, 'Config').map((c) => [c.name, c.value])).toEqual([
      ['retention.ms', '86400000'],
      ['segment.bytes', '12'],
      ['some.old.key', 'x'],
    ]);
  });

  it('(topic) unknown config version is reported and read', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).config('topics', 't', { 'retention.ms': '1' }, 2));
    expect(kinds(p)).toEqual(['unknown-version']);
    expect(recordsOf(p, 'Config')).toHaveLength(1);
  });

  it('(topic) configs of a topic that does not exist are skipped and reported', () => {
    const p = plan(kafkaTree().config('topics', 'ghost', { 'retention.ms': '1' }));
    expect(p.skipped).toMatchObject([{ path: '/config/topics/ghost' }]);
    expect(p.records).toEqual([]);
  });

  it('(broker) <default> → "", ids → canonical text; default first, then ascending id', () => {
    const p = plan(
      kafkaTree()
        .config('brokers', '10', { 'log.cleaner.threads': '3' })
        .config('brokers', '2', { 'leader.replication.throttled.rate': '10485760', 'follower.replication.throttled.rate': '10485760' })
        .config('brokers', '<default>', { 'log.cleaner.threads': '2', 'max.connections.per.ip': '500', 'message.max.bytes': '2097152' }),
    );
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'Config').map((c) => [c.resourceType, c.resourceName, c.name])).toEqual([
      ['broker', '', 'log.cleaner.threads'],
      ['broker', '', 'max.connections.per.ip'],
      ['broker', '', 'message.max.bytes'],
      ['broker', '2', 'follower.replication.throttled.rate'],
      ['broker', '2', 'leader.replication.throttled.rate'],
      ['broker', '10', 'log.cleaner.threads'],
    ]);
    expect(p.counts.brokerConfigs).toBe(6);
    const image = replayPlan(p);
    expect(image.configs('broker', '').get('log.cleaner.threads')).toBe('2');
    expect(image.configs('broker', '10').get('log.cleaner.threads')).toBe('3');
  });

  it('(broker) a name that is neither an id nor <default> is reported and skipped', () => {
    const p = plan(kafkaTree().config('brokers', 'kafka-1', { 'log.cleaner.threads': '3' }).config('brokers', '01', { 'log.cleaner.threads': '3' }));
    expect(kinds(p)).toEqual(['invalid-broker-id', 'invalid-broker-id']);
    expect(p.records).toEqual([]);
  });

  it('(encrypted sensitive config) without the secret: dropped and reported, never copied; the value is never printed', () => {
    const encrypted = encryptPassword('s3cret-keystore', 'encoder-secret');
    const p = plan(kafkaTree().config('brokers', '1', { 'ssl.keystore.password': encrypted, 'log.cleaner.threads': '2' }));
    expect(p.anomalies).toMatchObject([{ path: '/config/brokers/1', kind: 'undecryptable-config', severity: 'error' }]);
    expect(p.anomalies[0]!.message).not.toContain(encrypted);
    expect(recordsOf(p, 'Config').map((c) => c.name)).toEqual(['log.cleaner.threads']);
  });

  it('(encrypted sensitive config) decrypted with password.encoder.secret, or the old secret; CBC, GCM, SHA1', () => {
    const b = kafkaTree().config('brokers', '1', {
      'ssl.keystore.password': encryptPassword('ks-pass', 'new-secret'),
      'ssl.key.password': encryptPassword('key-pass-é', 'old-secret', { cipher: 'GCM' }),
      'listener.name.internal.ssl.truststore.password': encryptPassword('ts-pass', 'new-secret', { keyFactory: 'PBKDF2WithHmacSHA1', iterations: 1000 }),
    });
    const p = plan(b, { passwordEncoderSecrets: ['new-secret', 'old-secret'] });
    expect(kinds(p)).toEqual([]); // the listener-prefixed key is a known (per-listener) one
    expect(Object.fromEntries(recordsOf(p, 'Config').map((c) => [c.name, c.value]))).toEqual({
      'listener.name.internal.ssl.truststore.password': 'ts-pass',
      'ssl.key.password': 'key-pass-é',
      'ssl.keystore.password': 'ks-pass',
    });
    const wrong = plan(b, { passwordEncoderSecrets: ['nope'] });
    expect(kinds(wrong)).toEqual(['undecryptable-config', 'undecryptable-config', 'undecryptable-config']);
    expect(wrong.anomalies[0]!.message).toMatch(/does not decrypt/);
    expect(recordsOf(wrong, 'Config')).toEqual([]);
  });

  it('(sensitive config in clear text) imported as is, reported', () => {
    const p = plan(kafkaTree().config('brokers', '1', { 'ssl.keystore.password': 'plain' }));
    expect(kinds(p)).toEqual(['unencrypted-sensitive-config']);
    expect(p.anomalies[0]!.message).not.toContain('plain');
    expect(recordsOf(p, 'Config')[0]!.value).toBe('plain');
  });

  it('(per-broker-only key at <default>) imported, reported', () => {
    const p = plan(kafkaTree().config('brokers', '<default>', { 'ssl.keystore.location': '/etc/ks.jks' }));
    expect(kinds(p)).toEqual(['invalid-config-value']);
  });

  it('(quotas) every entity kind becomes ClientQuota records as Kafka\'s migration writes them: names desanitized, <default> a null name, (user, client-id) nested, values as doubles; SCRAM keys are never quotas', () => {
    const b = kafkaTree()
      .config('clients', 'etl%20job', { producer_byte_rate: '1048576', consumer_byte_rate: '2097152' })
      .config('clients', '<default>', { request_percentage: '25.5' })
      .config('users', 'alice%40example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-512': scramCredential('alice'), 'SCRAM-SHA-256': scramCredential('alice', 'SCRAM-SHA-256', 8192) })
      .config('users', '<default>', { controller_mutation_rate: '10.5' })
      .config('users', '<default>/clients/<default>', { producer_byte_rate: '3145728' })
      // /config/users/bob has no data: only the parent of bob's (user, client-id) quota.
      .config('users', 'bob/clients/app%2A', { producer_byte_rate: '1' })
      .config('users', 'scram-only', { 'SCRAM-SHA-256': scramCredential('scram-only', 'SCRAM-SHA-256', 8192) })
      .config('ips', '<default>', { connection_creation_rate: '50' })
      .config('ips', '198.51.100.7', { connection_creation_rate: '5' })
      .config('ips', '2001:db8::7', { connection_creation_rate: '0' });
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    expect(p.skipped).toEqual([]);
    const user = (n: string | null) => ({ entityType: 'user', entityName: n });
    const client = (n: string | null) => ({ entityType: 'client-id', entityName: n });
    const ip = (n: string | null) => ({ entityType: 'ip', entityName: n });
    // Entities in canonical order (the default before names; a shorter entity before a longer one), keys sorted.
    expect(recordsOf(p, 'ClientQuota').map((q) => [q.entity, q.key, q.value, q.remove])).toEqual([
      [[user(null)], 'controller_mutation_rate', 10.5, false],
      [[user(null), client(null)], 'producer_byte_rate', 3145728, false],
      [[user('alice@example.com')], 'consumer_byte_rate', 4194304, false],
      [[user('bob'), client('app*')], 'producer_byte_rate', 1, false],
      [[client(null)], 'request_percentage', 25.5, false],
      [[client('etl job')], 'consumer_byte_rate', 2097152, false],
      [[client('etl job')], 'producer_byte_rate', 1048576, false],
      [[ip(null)], 'connection_creation_rate', 50, false],
      [[ip('198.51.100.7')], 'connection_creation_rate', 5, false],
      [[ip('2001:db8::7')], 'connection_creation_rate', 0, false],
    ]);
    // The SCRAM keys are credentials, after the quotas (see the SCRAM tests).
    expect(p.records.map((r) => r.type)).toEqual([...Array<string>(10).fill('ClientQuota'), ...Array<string>(3).fill('UserScramCredential')]);
    expect(p.counts).toMatchObject({ clientQuotas: 10, scramCredentials: 3, records: 13 });
    expect(p.notImported).toEqual([expect.objectContaining({ kind: 'delegation-tokens', count: 0 })]);
    // Quotas need metadata.version 1.0-IV5, SCRAM credentials 1.0-IV6; without the credentials the plan needs 1.0-IV5 only.
    expect(p.requiredMetadataVersion).toBe(SCRAM_METADATA_VERSION);
    expect(plan(kafkaTree().config('users', 'alice%40example.com', { consumer_byte_rate: '4194304' })).requiredMetadataVersion).toBe(CLIENT_QUOTAS_METADATA_VERSION);
    // The plan replays into an image that holds them.
    const image = replayPlan(p);
    expect(image.clientQuotaCount).toBe(9);
    expect(image.clientQuota([user('alice@example.com')] as never)?.values).toEqual(new Map([['consumer_byte_rate', 4194304]]));
    expect(image.clientQuota([user('scram-only')] as never)).toBeUndefined();
    expect(image.scramUserCount).toBe(2);
  });

  it('(quotas) a key its entity kind does not take, a value the controller refuses, an entity it refuses, a name that does not decode, a second node for one entity: left out with a warning and a skipped entry each; the rest imported', () => {
    const b = kafkaTree()
      .config('clients', 'app', { producer_byte_rate: '1.5', consumer_byte_rate: 'fast', request_percentage: '12.5', 'SCRAM-SHA-256': 'salt=c2VjcmV0,stored_key=a2V5,server_key=a2V5,iterations=4096' })
      .config('users', 'u', { request_percentage: '-1', controller_mutation_rate: 'Infinity', connection_creation_rate: '5', producer_byte_rate: ' 1024 ', consumer_byte_rate: 2048 })
      .config('ips', 'kafka.example.com', { connection_creation_rate: '5' })
      .config('ips', '<default>', { connection_creation_rate: '2147483648' })
      .config('ips', '198.51.100.7', { producer_byte_rate: '1', connection_creation_rate: '1e2' })
      .config('clients', 'bad%zz', { producer_byte_rate: '1' })
      .config('clients', 'a%2A', { producer_byte_rate: '10' })
      .config('clients', 'a*', { producer_byte_rate: '20' });
    const p = plan(b);
    // In walk order: users (and their clients), clients, ips; each node's keys sorted.
    expect(p.anomalies.map((a) => [a.path, a.kind, a.severity])).toEqual([
      ['/config/users/u', 'non-string-config-value', 'warning'],
      ['/config/users/u', 'invalid-client-quota', 'warning'],
      ['/config/users/u', 'invalid-client-quota', 'warning'],
      ['/config/users/u', 'invalid-client-quota', 'warning'],
      ['/config/clients/a*', 'invalid-client-quota', 'warning'],
      ['/config/clients/app', 'invalid-client-quota', 'warning'],
      ['/config/clients/app', 'invalid-client-quota', 'warning'],
      ['/config/clients/app', 'invalid-client-quota', 'warning'],
      ['/config/clients/bad%zz', 'malformed-entity-name', 'warning'],
      ['/config/ips/198.51.100.7', 'invalid-client-quota', 'warning'],
      ['/config/ips/<default>', 'invalid-client-quota', 'warning'],
      ['/config/ips/kafka.example.com', 'invalid-client-quota', 'warning'],
    ]);
    const messages = p.anomalies.map((a) => `${a.path}: ${a.message}`).join('\n');
    expect(messages).toContain('/config/clients/app: quota producer_byte_rate = "1.5" is refused by the controller (Configuration producer_byte_rate must be a Long value); not imported');
    expect(messages).toContain('/config/clients/app: quota consumer_byte_rate = "fast" is refused by the controller (Configuration consumer_byte_rate must be a number at least 0); not imported');
    expect(messages).toContain('/config/clients/app: SCRAM-SHA-256 is not a quota key of client-id entities (Invalid configuration key SCRAM-SHA-256; valid: producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate); not imported');
    expect(messages).toContain('/config/users/u: quota request_percentage = "-1" is refused by the controller');
    expect(messages).toContain('/config/users/u: quota controller_mutation_rate = "Infinity" is refused by the controller');
    expect(messages).toContain('/config/users/u: connection_creation_rate is not a quota key of user entities');
    expect(messages).toContain('/config/ips/<default>: quota connection_creation_rate = "2147483648" is refused by the controller (Configuration connection_creation_rate must be at most 2147483647)');
    expect(messages).toContain('/config/ips/198.51.100.7: producer_byte_rate is not a quota key of ip entities');
    expect(messages).toContain('/config/ips/kafka.example.com: the controller refuses its entity (ip "kafka.example.com"): kafka.example.com is not a valid IP address; its 1 quota(s) (connection_creation_rate) are not imported');
    expect(messages).toContain('/config/clients/bad%zz: the client-id name "bad%zz" is not a valid sanitized (URL-encoded) name; its 1 quota(s) (producer_byte_rate) are not imported');
    expect(messages).toContain('/config/clients/a*: it names the same entity (client-id "a*") as /config/clients/a%2A, whose quotas are imported');
    // A value that is not a quota may be a credential: never shown.
    expect(messages).not.toContain('c2VjcmV0');
    // Warnings only: one bad quota never blocks the import.
    expect(blockingAnomalies(p)).toEqual([]);
    expect(p.skipped.map((s) => s.path).sort()).toEqual(
      ['/config/clients/a*', '/config/clients/app', '/config/clients/app', '/config/clients/app', '/config/clients/bad%zz', '/config/ips/198.51.100.7', '/config/ips/<default>', '/config/ips/kafka.example.com', '/config/users/u', '/config/users/u', '/config/users/u'].sort(),
    );
    expect(p.skipped).toContainEqual({ path: '/config/clients/app', reason: 'quota producer_byte_rate of client-id "app": an invalid value' });
    expect(recordsOf(p, 'ClientQuota').map((q) => `${q.entity.map((e) => `${e.entityType}=${e.entityName}`).join(',')} ${q.key} ${q.value}`)).toEqual([
      'user=u consumer_byte_rate 2048',
      'user=u producer_byte_rate 1024',
      'client-id=a* producer_byte_rate 10',
      'client-id=app request_percentage 12.5',
      'ip=198.51.100.7 connection_creation_rate 100',
    ]);
    // A SCRAM key of a client-id entity is no credential.
    expect(recordsOf(p, 'UserScramCredential')).toEqual([]);
    // What the controller would refuse is what the plan leaves out: the rest replays.
    expect(replayPlan(p).clientQuotaCount).toBe(4);
  });

  it('(quotas) values: plain decimal notation as Java parses a double, blanks around it ignored; NaN, Infinity, hexadecimal and d/f suffixes are not numbers; -0 is 0', () => {
    for (const [text, value] of [['1048576', 1048576], ['25.5', 25.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['+7', 7], [' 12\t', 12], ['-0', 0]] as const) {
      expect(Object.is(parseQuotaValue(text), value), text).toBe(true);
    }
    for (const text of ['', 'NaN', 'Infinity', '-Infinity', '0x10', '10d', '1f', '1,000', '1 000', 'e5']) expect(parseQuotaValue(text), text).toBeNaN();
  });

  it('(quotas) an unreadable or malformed quota node is an error now that quotas are imported (what it holds would be lost); its quotas are skipped', () => {
    const p = plan(kafkaTree().unreadable('/config/users/alice', 'NOT_AUTHORIZED').put('/config/clients/x', '{"version":1,').config('clients', 'y', { producer_byte_rate: '1' }));
    expect(p.anomalies.map((a) => [a.path, a.kind, a.severity])).toEqual([
      ['/config/users/alice', 'unreadable', 'error'],
      ['/config/clients/x', 'malformed-json', 'error'],
    ]);
    expect(p.skipped.map((s) => s.path)).toEqual(['/config/users/alice', '/config/clients/x']);
    expect(recordsOf(p, 'ClientQuota').map((q) => q.entity[0]!.entityName)).toEqual(['y']);
  });

  it("(SCRAM credentials) each SCRAM-SHA-256 / SCRAM-SHA-512 key of /config/users/<u> becomes a UserScramCredential as Kafka's migration writes it: the user desanitized, mechanism 1 or 2, salt and keys decoded from base64, the iteration count; by user, then mechanism; needs 1.0-IV6", () => {
    // Fields in another order (Kafka reads them by name) and a trailing comma (Java's split drops it).
    const reordered = (seed: string) => {
      const f = new Map(scramCredential(seed, 'SCRAM-SHA-256', 10000).split(',').map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
      return `iterations=${f.get('iterations')},server_key=${f.get('server_key')},salt=${f.get('salt')},stored_key=${f.get('stored_key')},`;
    };
    const b = kafkaTree()
      .config('users', 'zed', { 'SCRAM-SHA-512': scramCredential('zed', 'SCRAM-SHA-512', 16384), 'SCRAM-SHA-256': scramCredential('zed', 'SCRAM-SHA-256') })
      .config('users', 'bob', { 'SCRAM-SHA-256': reordered('bob') })
      .config('users', 'alice%40example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-512': scramCredential('alice', 'SCRAM-SHA-512', 8192) })
      .config('users', 'etl%20job', { 'SCRAM-SHA-512': scramCredential('etl job') });
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    expect(p.skipped).toEqual([]);
    const scram = recordsOf(p, 'UserScramCredential');
    expect(scram.map((r) => [r.name, r.mechanism, r.iterations, r.storedKey.length, r.serverKey.length])).toEqual([
      ['alice@example.com', 2, 8192, 64, 64],
      ['bob', 1, 10000, 32, 32],
      ['etl job', 2, 4096, 64, 64],
      ['zed', 1, 4096, 32, 32],
      ['zed', 2, 16384, 64, 64],
    ]);
    // Kafka's salt: a random 130-bit number in base 36, as text.
    for (const r of scram) expect(Buffer.from(r.salt).toString('utf8')).toMatch(/^[0-9a-z]{20,26}$/);
    // The bytes are the credential Kafka stored for the password: StoredKey and ServerKey follow from
    // PBKDF2(password, salt, iterations) as the controller derives them (RFC 5802).
    const seeds = ['alice', 'bob', 'etl job', 'zed', 'zed'];
    scram.forEach((r, i) => {
      const hash = r.mechanism === 1 ? 'sha256' : 'sha512';
      const salted = pbkdf2Sync(scramPassword(seeds[i]!), r.salt, r.iterations, r.mechanism === 1 ? 32 : 64, hash);
      const keys = scramKeys(r.mechanism, salted);
      expect(Buffer.from(r.storedKey).equals(keys.storedKey), r.name).toBe(true);
      expect(Buffer.from(r.serverKey).equals(keys.serverKey), r.name).toBe(true);
    });
    // After the quotas; the credentials are counted and need metadata.version 1.0-IV6.
    expect(p.records.map((r) => r.type)).toEqual(['ClientQuota', ...Array<string>(5).fill('UserScramCredential')]);
    expect(p.counts).toMatchObject({ clientQuotas: 1, scramCredentials: 5, records: 6 });
    expect(p.requiredMetadataVersion).toBe(SCRAM_METADATA_VERSION);
    expect(p.notImported).toEqual([expect.objectContaining({ kind: 'delegation-tokens', count: 0 })]);
    // The plan replays into an image holding every user's credentials.
    const image = replayPlan(p);
    expect([...image.scramUser('zed')!.credentials].map(([m, c]) => [m, c.iterations])).toEqual([
      [1, 4096],
      [2, 16384],
    ]);
    expect(image.scramUser('alice@example.com')?.credentials.get(2)?.iterations).toBe(8192);
    expect(image.scramUser('alice%40example.com')).toBeUndefined();
    // The order does not depend on the order ZooKeeper lists the users in.
    const reversed = b.build();
    const backwards = { ...reversed, nodes: new Map([...reversed.nodes].map(([path, n]) => [path, { ...n, children: [...n.children].reverse() }])) };
    expect(recordsOf(plan(backwards), 'UserScramCredential').map((r) => [r.name, r.mechanism])).toEqual(scram.map((r) => [r.name, r.mechanism]));
  });

  it('(SCRAM credentials) one that does not parse, that the controller would refuse, of the default user, under a name that does not decode, or a second one for a user and mechanism: left out with a warning and a skipped entry naming the user and why, never the salt or keys; the rest imported', () => {
    const good = scramCredential('good', 'SCRAM-SHA-256');
    const field = (text: string, name: string) => text.split(',').find((t) => t.startsWith(`${name}=`))!.slice(name.length + 1);
    const without = (text: string, name: string) => text.split(',').filter((t) => !t.startsWith(`${name}=`)).join(',');
    const b = kafkaTree()
      .config('users', 'few', { 'SCRAM-SHA-256': scramCredential('few', 'SCRAM-SHA-256', 4095) })
      .config('users', 'many', { 'SCRAM-SHA-512': scramCredential('many', 'SCRAM-SHA-512', 16385) })
      // A SCRAM-SHA-256 credential under the SCRAM-SHA-512 key: 32-byte keys.
      .config('users', 'short-keys', { 'SCRAM-SHA-512': scramCredential('short-keys', 'SCRAM-SHA-256') })
      .config('users', 'no-salt', { 'SCRAM-SHA-256': `salt=,${without(good, 'salt')}` })
      .config('users', 'garbage', { 'SCRAM-SHA-256': 'hunter2' })
      .config('users', 'missing', { 'SCRAM-SHA-256': without(good, 'server_key') })
      .config('users', 'not-base64', { 'SCRAM-SHA-256': good.replace(`stored_key=${field(good, 'stored_key')}`, `stored_key=*${field(good, 'stored_key').slice(1)}`) })
      .config('users', 'words', { 'SCRAM-SHA-256': good.replace('iterations=4096', 'iterations=lots') })
      .config('users', 'twice', { 'SCRAM-SHA-256': `${good},salt=${field(good, 'salt')}` })
      .config('users', 'clear', { 'SCRAM-SHA-256': `${good},password=hunter2` })
      .config('users', '<default>', { 'SCRAM-SHA-256': good, producer_byte_rate: '1024' })
      .config('users', 'bad%zz', { 'SCRAM-SHA-256': good })
      .config('users', 'a%2A', { 'SCRAM-SHA-256': scramCredential('a*', 'SCRAM-SHA-256') })
      .config('users', 'a*', { 'SCRAM-SHA-256': good, 'SCRAM-SHA-512': scramCredential('a*') })
      .config('users', 'mixed', { 'SCRAM-SHA-256': scramCredential('mixed', 'SCRAM-SHA-256', 100), 'SCRAM-SHA-512': scramCredential('mixed'), consumer_byte_rate: '1' });
    const p = plan(b);
    // In walk order (users sorted), each node's mechanisms in order.
    const lines = p.anomalies.map((a) => `${a.severity} ${a.kind} ${a.path}: ${a.message}`);
    expect(lines).toEqual([
      'warning invalid-scram-credential /config/users/<default>: the SCRAM-SHA-256 credential of <default> is not imported: the default user is no user: ZooKeeper-mode brokers never authenticated anyone with it',
      'warning invalid-scram-credential /config/users/a*: the SCRAM-SHA-256 credential of user "a*" is not imported: /config/users/a%2A names the same user, and its credential is imported',
      'warning malformed-entity-name /config/users/bad%zz: the SCRAM-SHA-256 credential of "bad%zz" is not imported: the user name "bad%zz" is not a valid sanitized (URL-encoded) name',
      'warning invalid-scram-credential /config/users/clear: the SCRAM-SHA-256 credential of user "clear" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (unknown field "password")',
      'warning invalid-scram-credential /config/users/few: the SCRAM-SHA-256 credential of user "few" is not imported: the controller refuses it (Too few iterations: 4095, at least 4096)',
      'warning invalid-scram-credential /config/users/garbage: the SCRAM-SHA-256 credential of user "garbage" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (not a list of key=value pairs)',
      'warning invalid-scram-credential /config/users/many: the SCRAM-SHA-512 credential of user "many" is not imported: the controller refuses it (Too many iterations: 16385, at most 16384)',
      'warning invalid-scram-credential /config/users/missing: the SCRAM-SHA-256 credential of user "missing" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (no server_key)',
      'warning invalid-scram-credential /config/users/mixed: the SCRAM-SHA-256 credential of user "mixed" is not imported: the controller refuses it (Too few iterations: 100, at least 4096)',
      'warning invalid-scram-credential /config/users/no-salt: the SCRAM-SHA-256 credential of user "no-salt" is not imported: the controller refuses it (The salt must not be empty)',
      'warning invalid-scram-credential /config/users/not-base64: the SCRAM-SHA-256 credential of user "not-base64" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (stored_key is not base64)',
      'warning invalid-scram-credential /config/users/short-keys: the SCRAM-SHA-512 credential of user "short-keys" is not imported: the controller refuses it (SCRAM-SHA-512 keys are 64 bytes (sha512 output), got 32)',
      'warning invalid-scram-credential /config/users/twice: the SCRAM-SHA-256 credential of user "twice" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (field salt given twice)',
      'warning invalid-scram-credential /config/users/words: the SCRAM-SHA-256 credential of user "words" is not imported: it is not Kafka\'s salt=...,stored_key=...,server_key=...,iterations=... (iterations "lots" is not an integer)',
    ]);
    // Warnings only: one bad credential never blocks the import.
    expect(blockingAnomalies(p)).toEqual([]);
    expect(p.skipped).toHaveLength(lines.length);
    expect(p.skipped).toContainEqual({ path: '/config/users/few', reason: 'the SCRAM-SHA-256 credential of user "few": the controller refuses it (Too few iterations: 4095, at least 4096)' });
    // Never a salt, a key, or the text around them.
    const shown = JSON.stringify([p.anomalies, p.skipped]);
    for (const seed of ['few', 'many', 'short-keys', 'good', 'a*', 'mixed']) {
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
        for (const name of ['salt', 'stored_key', 'server_key']) expect(shown).not.toContain(field(scramCredential(seed, mechanism), name));
      }
    }
    expect(shown).not.toContain('hunter2');
    // The rest: a%2A's, the first for "a*"; a*'s SCRAM-SHA-512, which no other node gives; mixed's
    // valid one; the default user's quota.
    expect(recordsOf(p, 'UserScramCredential').map((r) => [r.name, r.mechanism])).toEqual([
      ['a*', 1],
      ['a*', 2],
      ['mixed', 2],
    ]);
    expect(recordsOf(p, 'ClientQuota').map((q) => [q.entity[0]!.entityName, q.key])).toEqual([
      [null, 'producer_byte_rate'],
      ['mixed', 'consumer_byte_rate'],
    ]);
    // What the controller would refuse is what the plan leaves out: the rest replays.
    expect(replayPlan(p).scramUserCount).toBe(2);
  });

  it("(SCRAM credentials) parseScramCredential reads what Kafka's credentialFromString reads: fields by name, Java base64 (padding optional, correct when present), a Java int", () => {
    const parsed = (text: string) => {
      const r = parseScramCredential(text);
      return 'error' in r ? r.error : [r.salt.toString('utf8'), r.storedKey.toString('utf8'), r.serverKey.toString('utf8'), r.iterations];
    };
    expect(parsed('salt=c2FsdA==,stored_key=a2V5,server_key=a2V5MQ==,iterations=4096')).toEqual(['salt', 'key', 'key1', 4096]);
    expect(parsed('iterations=+4096,server_key=a2V5MQ,stored_key=a2V5,salt=c2FsdA,,')).toEqual(['salt', 'key', 'key1', 4096]);
    expect(parsed('salt=c2FsdA=,stored_key=a2V5,server_key=a2V5,iterations=4096')).toBe('salt is not base64');
    expect(parsed('salt=c2 FsdA==,stored_key=a2V5,server_key=a2V5,iterations=4096')).toBe('salt is not base64');
    expect(parsed('salt=c2FsdA==,stored_key=a2V5,server_key=a2V5-,iterations=4096')).toBe('server_key is not base64');
    expect(parsed('salt=c2FsdA==,stored_key=a2V5,server_key=a2V5,iterations=2147483648')).toBe('iterations "2147483648" is not an integer');
    expect(parsed('salt=c2FsdA==,stored_key=a2V5,server_key=a2V5,iterations=4096.0')).toBe('iterations "4096.0" is not an integer');
    expect(parsed(',salt=c2FsdA==,stored_key=a2V5,server_key=a2V5,iterations=4096')).toBe('not a list of key=value pairs');
    expect(parsed('')).toBe('not a list of key=value pairs');
    expect(parsed('salt=c2FsdA==,stored_key=a2V5,iterations=4096')).toBe('no server_key');
  });

  it('(sanitized names) Java URLDecoder rules; a broken escape is reported', () => {
    expect(desanitize('alice%40example.com')).toBe('alice@example.com');
    expect(desanitize('etl%20job')).toBe('etl job');
    expect(desanitize('a+b')).toBe('a b');
    expect(desanitize('star%2A')).toBe('star*');
    expect(desanitize('bad%zz')).toBeNull();
    const p = plan(kafkaTree().config('clients', 'bad%zz', { producer_byte_rate: '1' }));
    expect(p.anomalies).toMatchObject([{ path: '/config/clients/bad%zz', kind: 'malformed-entity-name' }]);
  });
});

describe('planMigration: producer ids, deletions, offsets, ACLs, tokens', () => {
  it('(producer-id block) bounds as JSON strings; next = block_end + 1', () => {
    const p = plan(kafkaTree().producerIdBlock(3, '41000', '41999'));
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'ProducerIds')).toEqual([{ type: 'ProducerIds', brokerId: 3, brokerEpoch: 0, nextProducerId: 42000 }]);
    expect(replayPlan(p).nextProducerId).toBe(42000);
  });

  it('(producer-id block) no data (null or zero bytes): no record; bounds beyond 2^53: reported; numbers accepted', () => {
    expect(recordsOf(plan(kafkaTree()), 'ProducerIds')).toEqual([]);
    expect(recordsOf(plan(kafkaTree().put('/latest_producer_id_block', Buffer.alloc(0))), 'ProducerIds')).toEqual([]);
    const big = plan(kafkaTree().producerIdBlock(3, '9007199254740000', '9007199254740999'));
    expect(big.anomalies).toMatchObject([{ kind: 'unrepresentable-value', severity: 'error' }]);
    expect(recordsOf(big, 'ProducerIds')).toEqual([]);
    const numeric = plan(kafkaTree().put('/latest_producer_id_block', { version: 1, broker: 1, block_start: 0, block_end: 999 }));
    expect(recordsOf(numeric, 'ProducerIds')[0]!.nextProducerId).toBe(1000);
    const bad = plan(kafkaTree().put('/latest_producer_id_block', { version: 1, broker: 1, block_start: 'x', block_end: '999' }));
    expect(bad.anomalies).toMatchObject([{ path: '/latest_producer_id_block', kind: 'malformed-json' }]);
  });

  it('(delete_topics) a marked topic is skipped with its configs and offsets; a stale marker is reported', () => {
    const b = kafkaTree()
      .topic('doomed', { topicId: TOPIC_ID, partitions: { 0: [1] }, config: { 'retention.ms': '1' } })
      .topic('kept', { partitions: { 0: [1] } })
      .deleteMarker('doomed')
      .deleteMarker('already-gone')
      .legacyOffset('g', 'doomed', 0, '5');
    const p = plan(b);
    expect(recordsOf(p, 'Topic').map((t) => t.name)).toEqual(['kept']);
    expect(recordsOf(p, 'Config')).toEqual([]);
    expect(recordsOf(p, 'OffsetCommit')).toEqual([]);
    expect(p.skipped.map((s) => s.path).sort()).toEqual(['/admin/delete_topics/already-gone', '/brokers/topics/doomed', '/consumers/g/offsets/doomed']);
    expect(p.anomalies).toEqual([]);
  });

  it('(legacy offsets) plain decimal text → OffsetCommit of a group with the same name, timestamp = mtime', () => {
    const b = kafkaTree()
      .topic('legacy.clickstream_raw', { partitions: { 0: [1], 1: [1] } })
      .legacyOffset('legacy-etl', 'legacy.clickstream_raw', 1, '123757', 1_500_000_000_123)
      .legacyOffset('legacy-etl', 'legacy.clickstream_raw', 0, '0')
      .legacyOffset('another', 'legacy.clickstream_raw', 0, '9007199254740991');
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    expect(recordsOf(p, 'OffsetCommit')).toEqual([
      { type: 'OffsetCommit', groupId: 'another', topic: 'legacy.clickstream_raw', partition: 0, offset: 9007199254740991, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_500_000_000_000 },
      { type: 'OffsetCommit', groupId: 'legacy-etl', topic: 'legacy.clickstream_raw', partition: 0, offset: 0, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_500_000_000_000 },
      { type: 'OffsetCommit', groupId: 'legacy-etl', topic: 'legacy.clickstream_raw', partition: 1, offset: 123757, leaderEpoch: -1, metadata: null, commitTimestampMs: 1_500_000_000_123 },
    ]);
    expect(p.requiredMetadataVersion).toBe(OFFSETS_METADATA_VERSION);
    expect(replayPlan(p).committedOffset('legacy-etl', 'legacy.clickstream_raw', 1)!.offset).toBe(123757);
  });

  it('(legacy offsets) non-numeric, beyond 2^53, empty: reported, not imported', () => {
    const b = kafkaTree()
      .topic('t', { partitions: { 0: [1], 1: [1], 2: [1] } })
      .legacyOffset('g', 't', 0, 'twelve')
      .legacyOffset('g', 't', 1, '9007199254740993')
      .put('/consumers/g/offsets/t/2', null);
    const p = plan(b);
    expect(p.anomalies).toMatchObject([
      { path: '/consumers/g/offsets/t/0', kind: 'malformed-text', severity: 'error' },
      { path: '/consumers/g/offsets/t/1', kind: 'unrepresentable-value', severity: 'error' },
      { path: '/consumers/g/offsets/t/2', kind: 'empty-node' },
    ]);
    expect(recordsOf(p, 'OffsetCommit')).toEqual([]);
    expect(p.requiredMetadataVersion).toBe(1);
  });

  it('(legacy offsets) unknown topics and partitions are skipped; importLegacyOffsets: false imports none', () => {
    const b = kafkaTree().topic('t', { partitions: { 0: [1] } }).legacyOffset('g', 'gone', 0, '5').legacyOffset('g', 't', 3, '5').legacyOffset('g', 't', 0, '7');
    const p = plan(b);
    expect(p.skipped.map((s) => s.path)).toEqual(['/consumers/g/offsets/gone', '/consumers/g/offsets/t/3']);
    expect(recordsOf(p, 'OffsetCommit').map((o) => o.offset)).toEqual([7]);
    expect(recordsOf(plan(b, { importLegacyOffsets: false }), 'OffsetCommit')).toEqual([]);
  });

  it('(ACLs) one AccessControlEntry per entry with a minted id: /kafka-acl LITERAL, /kafka-acl-extended/prefixed PREFIXED, PascalCase or upper-case names; they need metadata.version 1.0-IV3', () => {
    const b = kafkaTree()
      .put('/kafka-acl/Topic', null)
      .put('/kafka-acl/Group', null)
      .put('/kafka-acl/Cluster', null)
      .acl('/kafka-acl/Topic/payments', [
        { principal: 'User:alice@example.com', permissionType: 'Allow', operation: 'Read', host: '*' },
        { principal: 'User:bob', permissionType: 'Deny', operation: 'Write', host: '198.51.100.7' },
      ])
      .acl('/kafka-acl/Cluster/kafka-cluster', [{ principal: 'User:admin', permissionType: 'Allow', operation: 'ClusterAction', host: '*' }])
      .acl('/kafka-acl/TransactionalId/*', [{ principal: 'User:etl', permissionType: 'ALLOW', operation: 'IDEMPOTENT_WRITE', host: '*' }])
      .acl('/kafka-acl-extended/prefixed/Topic/logs.', [{ principal: 'User:*', permissionType: 'Allow', operation: 'Describe', host: '*' }]);
    const p = plan(b);
    expect(p.anomalies).toEqual([]);
    const acls = recordsOf(p, 'AccessControlEntry');
    expect(acls.map(({ id: _id, type: _type, ...binding }) => binding)).toEqual([
      { resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:admin', host: '*', operation: 'CLUSTER_ACTION', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:alice@example.com', host: '*', operation: 'READ', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:bob', host: '198.51.100.7', operation: 'WRITE', permissionType: 'DENY' },
      { resourceType: 'TRANSACTIONAL_ID', resourceName: '*', patternType: 'LITERAL', principal: 'User:etl', host: '*', operation: 'IDEMPOTENT_WRITE', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'logs.', patternType: 'PREFIXED', principal: 'User:*', host: '*', operation: 'DESCRIBE', permissionType: 'ALLOW' },
    ]);
    expect(new Set(acls.map((a) => a.id)).size).toBe(5);
    expect(p.counts.acls).toBe(5);
    expect(p.requiredMetadataVersion).toBe(4);
    expect(p.notImported.map((n) => n.kind)).not.toContain('acls');
    expect(replayPlan(p).aclCount).toBe(5);
  });

  it('(ACLs) entries the controller would refuse, other stores and malformed nodes are errors and left out; an entry twice is planned once', () => {
    const p = plan(
      kafkaTree()
        .acl('/kafka-acl/Topic/t', [
          { principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' },
          { principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' },
          { principal: 'alice', permissionType: 'Allow', operation: 'Read', host: '*' },
          { principal: 'User:a', permissionType: 'Allow', operation: 'Fly', host: '*' },
          { principal: 'User:a', permissionType: 'Maybe', operation: 'Read', host: '*' },
        ])
        .acl('/kafka-acl/Cluster/prod', [{ principal: 'User:a', permissionType: 'Allow', operation: 'Alter', host: '*' }])
        .acl('/kafka-acl/Widget/w', [{ principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' }])
        .acl('/kafka-acl-extended/suffixed/Topic/x', [{ principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' }])
        .put('/kafka-acl/Group/broken', '{"version":1,"acls":')
        .put('/kafka-acl/Group/half', { version: 1, acls: [{ principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' }, 'nope'] }),
    );
    expect(p.anomalies.map((a) => [a.path, a.kind, a.severity])).toEqual([
      ['/kafka-acl/Cluster/prod', 'invalid-acl', 'error'],
      ['/kafka-acl/Group/broken', 'malformed-json', 'error'],
      ['/kafka-acl/Group/half', 'malformed-json', 'error'],
      ['/kafka-acl/Topic/t', 'invalid-acl', 'error'],
      ['/kafka-acl/Topic/t', 'invalid-acl', 'error'],
      ['/kafka-acl/Topic/t', 'invalid-acl', 'error'],
      ['/kafka-acl/Widget', 'invalid-acl', 'error'],
      ['/kafka-acl-extended/suffixed', 'invalid-acl', 'error'],
    ]);
    expect(p.anomalies[0]!.message).toContain('The only valid name for the CLUSTER resource is kafka-cluster');
    expect(p.anomalies[3]!.message).toMatch(/acls\[2\] .*Could not parse principal from `alice`/);
    expect(p.anomalies[4]!.message).toMatch(/acls\[3\] .*Invalid operation Fly/);
    expect(p.anomalies[5]!.message).toMatch(/acls\[4\] .*Invalid permissionType Maybe/);
    // The half-malformed node imports none of its entries; the duplicate is planned once.
    expect(recordsOf(p, 'AccessControlEntry').map((a) => `${a.resourceName} ${a.principal} ${a.operation}`)).toEqual(['t User:a READ']);
  });

  it('(ACLs) an unreadable ACL node is an error now that ACLs are imported; minting ACL ids leaves every other id as it was', () => {
    const p = plan(kafkaTree().acl('/kafka-acl/Topic/t', []).unreadable('/kafka-acl/Topic/t'));
    expect(p.anomalies.map((a) => [a.kind, a.severity])).toEqual([['unreadable', 'error']]);
    const base = kafkaTree().topic('t', { partitions: { 0: [1] } }).broker(1, 4);
    const without = plan(base);
    const withAcls = plan(kafkaTree().topic('t', { partitions: { 0: [1] } }).broker(1, 4).acl('/kafka-acl/Topic/t', [{ principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' }]));
    expect(withAcls.records.slice(0, -1)).toEqual(without.records);
  });

  it('(delegation tokens) counted as not imported', () => {
    const b = kafkaTree()
      .put('/delegation_token/tokens/tok1', { version: 3, owner: 'User%3Aalice', tokenRequester: 'User%3Aalice', renewers: [], issueTimestamp: 1, maxTimestamp: 2, expiryTimestamp: 2, tokenId: 'tok1' })
      .put('/delegation_token/tokens/tok2', { version: 1, owner: 'User%3Abob', renewers: [], issueTimestamp: 1, maxTimestamp: 2, expiryTimestamp: 2, tokenId: 'tok2' });
    const p = plan(b);
    expect(p.notImported).toEqual([expect.objectContaining({ kind: 'delegation-tokens', count: 2 })]);
    expect(p.anomalies).toEqual([]);
    expect(p.records).toEqual([]);
  });
});

describe('planMigration: data encodings', () => {
  it('(null and empty) null data and zero bytes plan identically everywhere', () => {
    const paths = ['/latest_producer_id_block', '/config/topics/t', '/admin/delete_topics/x', '/brokers/seqid', '/config/users/bob'];
    const build = (data: Buffer | null): ZkTreeBuilder => {
      const b = kafkaTree().topic('t', { partitions: { 0: [1] }, config: null }).config('users', 'bob/clients/c', { producer_byte_rate: '1' });
      for (const path of paths) b.put(path, data);
      b.put('/brokers/topics/t/partitions', data).put('/brokers/topics/t/partitions/0', data);
      return b;
    };
    const withNull = plan(build(null));
    const withEmpty = plan(build(Buffer.alloc(0)));
    expect(withEmpty).toEqual(withNull);
    expect(withNull.counts.topics).toBe(1);
  });

  it('(invalid UTF-8) malformed, naming the path', () => {
    const p = plan(kafkaTree().put('/brokers/topics/t', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    expect(p.anomalies).toMatchObject([{ path: '/brokers/topics/t', kind: 'malformed-text' }]);
    expect(p.anomalies[0]!.message).toMatch(/not UTF-8/);
  });

  it('(not an object) a JSON array or string where Kafka writes an object is malformed', () => {
    const p = plan(kafkaTree().put('/brokers/topics/a', '[1,2]').put('/brokers/topics/b', '"x"'));
    expect(kinds(p)).toEqual(['malformed-json', 'malformed-json']);
  });

  it('(key order) reordering every JSON object in the tree changes nothing', () => {
    const build = (order: KeyOrder): ZkTreeBuilder => {
      const b = kafkaTree();
      b.keyOrder = order;
      return b
        .clusterId(CLUSTER_ID)
        .broker(1, 5, { rack: 'r1', endpoints: [{ name: 'INTERNAL', host: 'h', port: 1, protocol: 'PLAINTEXT' }, { name: 'EXT', host: 'e', port: 2, protocol: 'SSL' }] })
        .topic('t', { version: 3, topicId: TOPIC_ID, partitions: { 0: [1, 2, 3], 1: [2, 3, 4, 1], 2: [3, 1, 2] }, adding: { 1: [4] }, removing: { 1: [1] }, config: { 'retention.ms': '1', 'cleanup.policy': 'compact' } })
        .topic('u', { version: 1, partitions: { 0: [1], 1: [1] }, states: { 0: { leader: 1, leader_epoch: 2, isr: [1], leader_recovery_state: 1, statVersion: 5 } } })
        .config('brokers', '<default>', { 'log.cleaner.threads': '2', 'message.max.bytes': '2097152' })
        .producerIdBlock(1, '0', '999');
    };
    const base = plan(build('as-written'));
    expect(plan(build('reversed'))).toEqual(base);
    expect(plan(build((keys) => [...keys].sort()))).toEqual(base);
    expect(jsonText({ b: 1, a: { d: 2, c: 3 } }, 'reversed')).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('(unreadable) every tree.errors entry is an anomaly with its reason', () => {
    const p = plan(kafkaTree().unreadable('/config/users/alice', 'NOT_AUTHORIZED').unreadable('/delegation_token/tokens', 'NOT_AUTHORIZED'));
    expect(p.anomalies).toEqual([
      // An error: user quotas are imported (zookeeper.set.acl hides /config/users: --zk-auth reads it).
      { path: '/config/users/alice', kind: 'unreadable', severity: 'error', message: 'could not be read: NOT_AUTHORIZED' },
      { path: '/delegation_token/tokens', kind: 'unreadable', severity: 'warning', message: 'could not be read: NOT_AUTHORIZED' },
    ]);
  });

  it('(listed but absent) a node its parent lists but the tree lacks is unknown, not missing: no defaults, no bare topic', () => {
    const drop = (b: ZkTreeBuilder, path: string): ZkTree => {
      const tree = b.build();
      (tree.nodes as Map<string, unknown>).delete(path);
      return tree;
    };
    const state = plan(drop(kafkaTree().topic('t', { partitions: { 0: [1] } }), '/brokers/topics/t/partitions/0/state'));
    expect(state.anomalies).toMatchObject([{ path: '/brokers/topics/t/partitions/0/state', kind: 'unreadable', severity: 'error' }]);
    expect(state.records).toEqual([]);
    const config = plan(drop(kafkaTree().topic('t', { partitions: { 0: [1] } }), '/config/topics/t'));
    expect(config.anomalies).toMatchObject([{ path: '/config/topics/t', kind: 'unreadable', severity: 'error' }]);
    expect(config.records).toEqual([]);
  });

  it('(unreadable) an error where something is imported, a warning where nothing is (a broker gone while reading)', () => {
    const p = plan(
      kafkaTree()
        .broker(1, 5)
        .unreadable('/brokers/ids/2', 'NO_NODE (deleted while reading)')
        .unreadable('/config/brokers/1')
        .unreadable('/latest_producer_id_block')
        .unreadable('/consumers/g/owners/t/0', 'NO_NODE (deleted while reading)'),
    );
    expect(p.anomalies.map((a) => [a.path, a.severity])).toEqual([
      ['/brokers/ids/2', 'warning'],
      ['/config/brokers/1', 'error'],
      ['/latest_producer_id_block', 'error'],
      ['/consumers/g/owners/t/0', 'warning'],
    ]);
    expect(p.skipped.map((s) => s.path)).toEqual(['/brokers/ids/2', '/config/brokers/1', '/latest_producer_id_block']);
    expect(recordsOf(p, 'RegisterBroker').map((r) => r.brokerId)).toEqual([1]);
  });
});

describe('planMigration: what blocks an import', () => {
  it('(blockingAnomalies) only errors', () => {
    const p = plan(kafkaTree().topic('t', { partitions: { 0: [1] }, states: 'none' }).put('/brokers/topics/bad', '{'));
    expect(kinds(p).sort()).toEqual(['malformed-json', 'missing-partition-state']);
    expect(blockingAnomalies(p).map((a) => a.kind)).toEqual(['malformed-json']);
  });
});

describe('planMigration: a tree with everything', () => {
  function everything(): ZkTreeBuilder {
    return kafkaTree()
      .broker(1, 1)
      .broker(2, 2)
      .broker(3, 3, { rack: 'a' })
      .broker(4, 4, { rack: 'b' })
      .broker(5, 5, { rack: 'c' })
      .topic('orders', { version: 3, topicId: TOPIC_ID, partitions: { 0: [2, 3, 4, 1], 1: [1, 2, 3] }, adding: { 0: [4] }, removing: { 0: [1] }, config: { 'cleanup.policy': 'compact' } })
      .topic('old', { version: 1, partitions: { 0: [1, 2] }, states: 'none' })
      .topic('offline', { version: 2, partitions: { 0: [7, 8] }, states: { 0: { leader: -1, leader_epoch: 3, isr: [8], statVersion: 9 } } })
      .topic('weird', { partitions: { 0: [1, 2] }, states: { 0: { leader: 1, leader_epoch: 1, isr: [1, 9] } } })
      .topic('doomed', { partitions: { 0: [1] } })
      .deleteMarker('doomed')
      .put('/brokers/topics/broken', '{"version":3,')
      .config('brokers', '<default>', { 'log.cleaner.threads': '2' })
      .config('brokers', '1', { 'ssl.keystore.password': encryptPassword('x', 'secret') })
      .config('clients', '<default>', { producer_byte_rate: '1' })
      .config('users', 'carol', { 'SCRAM-SHA-512': scramCredential('carol') })
      .producerIdBlock(1, '1000', '1999')
      .legacyOffset('g', 'orders', 1, '42')
      .legacyOffset('g', 'old', 0, 'nope')
      .acl('/kafka-acl/Topic/orders', [{ principal: 'User:a', permissionType: 'Allow', operation: 'Read', host: '*' }])
      .unreadable('/config/users/alice');
  }

  it('replays cleanly after the bootstrap metadata.version, records round-trip through the codec', () => {
    const p = plan(everything(), { passwordEncoderSecrets: ['secret'] });
    const image = replayPlan(p);
    expect(image.brokerCount).toBe(5);
    expect([...image.topics()].map((t) => t.name).sort()).toEqual(['offline', 'old', 'orders', 'weird']);
    expect(image.configs('broker', '1').get('ssl.keystore.password')).toBe('x');
    expect(image.nextProducerId).toBe(2000);
    expect(image.committedOffset('g', 'orders', 1)!.offset).toBe(42);
    expect(p.counts).toEqual({ brokers: 5, topics: 4, partitions: 5, topicConfigs: 1, brokerConfigs: 2, producerIds: 1, offsetCommits: 1, acls: 1, clientQuotas: 1, scramCredentials: 1, records: p.records.length });
    expect(image.scramUser('carol')?.credentials.get(2)?.iterations).toBe(4096);
    expect(image.clientQuota([{ entityType: 'client-id', entityName: null }])?.values).toEqual(new Map([['producer_byte_rate', 1]]));
    expect(p.brokersOnlyInAssignments).toEqual([7, 8, 9]);
    expect(new Set(kinds(p))).toEqual(new Set(['unreadable', 'missing-partition-state', 'offline-partition', 'isr-outside-replicas', 'malformed-json', 'malformed-text', 'reassignment-in-flight']));
    expect(p.skipped.map((s) => s.path).sort()).toEqual(['/brokers/topics/broken', '/brokers/topics/doomed', '/config/users/alice']);
    expect(image.aclCount).toBe(1);
  });

  it('is a pure function of the tree and the seed', () => {
    const tree = everything().build();
    expect(planMigration(tree, { random: new Prng(3) })).toEqual(planMigration(tree, { random: new Prng(3) }));
  });
});

// ---- property: random well-formed trees ------------------------------------------------------

interface GenTopic {
  readonly name: string;
  readonly version: 1 | 2 | 3;
  readonly topicId: string | null;
  readonly partitions: readonly {
    readonly replicas: readonly number[];
    readonly isrSize: number;
    readonly leaderIndex: number;
    readonly leaderEpoch: number;
    readonly statVersion: number;
    readonly recovering: boolean;
    readonly withState: boolean;
    readonly moving: boolean;
  }[];
  readonly config: Readonly<Record<string, string>>;
  readonly markedForDeletion: boolean;
  readonly offsets: readonly { readonly group: string; readonly partition: number; readonly offset: number }[];
}

const uuidArb = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => uuidFromBytes(b))
  .filter((u) => u !== ZERO_UUID && u !== METADATA_TOPIC_ID);

const configArb = fc.record(
  {
    'cleanup.policy': fc.constantFrom('compact', 'delete', 'compact,delete'),
    'retention.ms': fc.integer({ min: -1, max: 2 ** 40 }).map(String),
    'segment.bytes': fc.integer({ min: 1048576, max: 2 ** 30 }).map(String),
    'min.insync.replicas': fc.integer({ min: 1, max: 3 }).map(String),
    'compression.type': fc.constantFrom('producer', 'zstd', 'gzip'),
  },
  { requiredKeys: [] },
);

const partitionArb = fc
  .record({
    replicas: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
    isrFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    leaderFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    leaderEpoch: fc.integer({ min: 0, max: 1000 }),
    statVersion: fc.integer({ min: 0, max: 1000 }),
    recovering: fc.boolean(),
    withState: fc.boolean(),
    moving: fc.boolean(),
  })
  .map((p) => {
    const isrSize = 1 + Math.floor(p.isrFraction * (p.replicas.length - 1));
    return { ...p, isrSize, leaderIndex: Math.min(isrSize - 1, Math.floor(p.leaderFraction * isrSize)) };
  });

const treeArb = fc
  .record({
    brokers: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 6 }).chain((ids) => fc.tuple(fc.constant(ids), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: ids.length, maxLength: ids.length }))),
    names: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 1, maxLength: 8 }),
    ids: fc.uniqueArray(uuidArb, { minLength: 8, maxLength: 8 }),
    topics: fc.array(
      fc.record({
        version: fc.constantFrom(1 as const, 2 as const, 3 as const),
        keepId: fc.boolean(),
        partitions: fc.array(partitionArb, { minLength: 1, maxLength: 5 }),
        config: configArb,
        markedForDeletion: fc.boolean(),
        offsets: fc.array(fc.record({ group: fc.constantFrom('g1', 'g2'), partition: fc.nat(5), offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }), { maxLength: 3 }),
      }),
      { minLength: 8, maxLength: 8 },
    ),
    producerBlock: fc.option(fc.integer({ min: 0, max: 2 ** 40 })),
    keyOrder: fc.constantFrom<KeyOrder>('as-written', 'reversed', (k) => [...k].sort()),
    seed: fc.integer(),
  })
  .map((g) => {
    const topics: GenTopic[] = g.names.map((name, i) => {
      const t = g.topics[i]!;
      return {
        name,
        version: t.version,
        topicId: t.version === 3 && t.keepId ? g.ids[i]! : null,
        partitions: t.partitions.map((p) => ({ ...p, moving: p.moving && p.replicas.length >= 2 })),
        config: t.config,
        markedForDeletion: t.markedForDeletion,
        offsets: t.offsets.filter((o, j, all) => o.partition < t.partitions.length && all.findIndex((x) => x.group === o.group && x.partition === o.partition) === j),
      };
    });
    return { brokers: g.brokers[0].map((id, i) => ({ id, version: g.brokers[1][i]! })), topics, producerBlock: g.producerBlock, keyOrder: g.keyOrder, seed: g.seed };
  });

type GenTree = typeof treeArb extends fc.Arbitrary<infer T> ? T : never;

function buildGenerated(g: GenTree): ZkTreeBuilder {
  const b = kafkaTree();
  b.keyOrder = g.keyOrder;
  b.clusterId(CLUSTER_ID);
  for (const { id, version } of g.brokers) b.broker(id, version);
  for (const t of g.topics) {
    const partitions: Record<number, readonly number[]> = {};
    const adding: Record<number, readonly number[]> = {};
    const removing: Record<number, readonly number[]> = {};
    const states: Record<number, 'none' | { leader: number; leader_epoch: number; isr: readonly number[]; leader_recovery_state?: 0 | 1; statVersion: number }> = {};
    t.partitions.forEach((p, i) => {
      partitions[i] = p.replicas;
      if (p.moving && t.version >= 2) {
        adding[i] = [p.replicas[0]!];
        removing[i] = [p.replicas[p.replicas.length - 1]!];
      }
      const isr = p.replicas.slice(0, p.isrSize);
      states[i] = p.withState
        ? { leader: isr[p.leaderIndex]!, leader_epoch: p.leaderEpoch, isr, statVersion: p.statVersion, ...(p.recovering ? { leader_recovery_state: 1 as const } : {}) }
        : 'none';
    });
    b.topic(t.name, { version: t.version, partitions, adding, removing, states, config: t.config, ...(t.topicId === null ? {} : { topicId: t.topicId }) });
    if (t.markedForDeletion) b.deleteMarker(t.name);
    for (const o of t.offsets) b.legacyOffset(o.group, t.name, o.partition, String(o.offset));
  }
  if (g.producerBlock !== null) b.producerIdBlock(0, String(g.producerBlock), String(g.producerBlock + 999));
  return b;
}

describe('planMigration: property over well-formed trees', () => {
  it('replays; each live topic and partition appears exactly once, as ZooKeeper has it; ids kept; no anomaly but missing states', () => {
    fc.assert(
      fc.property(treeArb, (g) => {
        const p = planMigration(buildGenerated(g).build(), { random: new Prng(g.seed) });
        // Well-formed: the only anomalies are the documented, Kafka-handled missing state node, and
        // one warning per topic with a reassignment in flight (nothing here finishes it).
        const liveTopics = g.topics.filter((t) => !t.markedForDeletion);
        const expectedMissing = liveTopics.reduce((n, t) => n + t.partitions.filter((q) => !q.withState).length, 0);
        const expectedMoving = liveTopics.filter((t) => t.version >= 2 && t.partitions.some((q) => q.moving)).map((t) => `/brokers/topics/${t.name}`);
        expect(p.anomalies.filter((a) => a.kind !== 'missing-partition-state' && a.kind !== 'reassignment-in-flight')).toEqual([]);
        expect(p.anomalies.filter((a) => a.kind === 'missing-partition-state')).toHaveLength(expectedMissing);
        expect(p.anomalies.filter((a) => a.kind === 'reassignment-in-flight').map((a) => a.path).sort()).toEqual(expectedMoving.sort());

        const image = replayPlan(p);
        const live = g.topics.filter((t) => !t.markedForDeletion);
        const topicRecords = recordsOf(p, 'Topic');
        expect(topicRecords.map((t) => t.name).sort()).toEqual(live.map((t) => t.name).sort());
        expect(image.topicCount).toBe(live.length);
        for (const t of live) {
          const rec = topicRecords.filter((r) => r.name === t.name);
          expect(rec).toHaveLength(1);
          if (t.topicId !== null) expect(rec[0]!.topicId).toBe(t.topicId);
          const parts = partitionsOf(p, rec[0]!.topicId);
          expect(parts.map((r) => r.partitionId)).toEqual(t.partitions.map((_, i) => i));
          t.partitions.forEach((q, i) => {
            const r = parts[i]!;
            expect(r.replicas).toEqual(q.replicas);
            if (q.withState) {
              expect(r).toMatchObject({ isr: q.replicas.slice(0, q.isrSize), leader: q.replicas[q.leaderIndex], leaderEpoch: q.leaderEpoch, partitionEpoch: q.statVersion, leaderRecoveryState: q.recovering ? 1 : 0 });
            } else {
              expect(r).toMatchObject({ isr: q.replicas, leader: q.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
            }
            expect(r.addingReplicas).toEqual(q.moving && t.version >= 2 ? [q.replicas[0]] : []);
          });
          expect(Object.fromEntries(image.configs('topic', t.name))).toEqual(t.config);
          for (const o of t.offsets) expect(image.committedOffset(o.group, t.name, o.partition)?.offset).toBe(o.offset);
        }
        for (const t of g.topics.filter((x) => x.markedForDeletion)) expect(p.skipped.map((s) => s.path)).toContain(`/brokers/topics/${t.name}`);
        expect(image.brokerCount).toBe(g.brokers.length);
        expect(new Set(topicRecords.map((t) => t.topicId)).size).toBe(topicRecords.length);
        expect(image.nextProducerId).toBe(g.producerBlock === null ? 0 : g.producerBlock + 1000);
        expect(p.counts.records).toBe(p.records.length);
      }),
      { numRuns: 150 },
    );
  });
});
