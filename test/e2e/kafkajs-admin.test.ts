// An unmodified Kafka client (kafkajs 2.2.4) against a real multi-process cluster: it reaches the
// brokers' client listeners (which also speak our own protocol: the first bytes decide), reads
// metadata from a broker's image, manages topics and configs through a broker that forwards to the
// active controller, and manages a consumer group's offsets (admin.setOffsets runs a real consumer
// through JoinGroup, SyncGroup, OffsetCommit and LeaveGroup at the group's coordinator), and
// client quotas altered through one broker and described on another, and users' SCRAM credentials
// altered through one broker and described on another.

import { pbkdf2Sync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { connectedAdmin } from '../support/kafkajs.js';
import { ask } from '../support/raw-kafka.js';

describe.sequential('kafkajs 2.2.4 admin against a split-mode cluster (3 controllers + 3 brokers)', () => {
  let t: TestCluster;
  let admin: Admin;

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 3, brokers: 3, combined: false });
    admin = await connectedAdmin('e2e', t.cluster.bootstrapServers(), 8);
  }, 90_000);

  afterAll(async () => {
    await admin?.disconnect();
    await t?.dispose();
  }, 60_000);

  it('lists, creates (defaults, explicit, validate-only), describes, grows and deletes topics', async () => {
    expect(await admin.listTopics()).toEqual([]);
    expect(await admin.createTopics({ topics: [{ topic: 'k-default' }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'k-three', numPartitions: 3, replicationFactor: 3 }] })).toBe(true);
    // validateOnly creates nothing, so there are no leaders to wait for (kafkajs would wait anyway).
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'k-validate', numPartitions: 2, replicationFactor: 2 }] })).toBe(true);
    // listTopics may ask another broker than the one that forwarded the creation: it sees it within moments.
    const listed = await until('both topics listed', 10_000, async () => {
      const names = (await admin.listTopics()).sort();
      return names.length >= 2 ? names : undefined;
    });
    expect(listed).toEqual(['k-default', 'k-three']);

    const meta = await admin.fetchTopicMetadata({ topics: ['k-three'] });
    const parts = meta.topics[0]!.partitions;
    expect(parts).toHaveLength(3);
    const brokers = new Set(t.cluster.brokers.map((b) => b.id));
    for (const p of parts) {
      expect(brokers.has(p.leader)).toBe(true);
      for (const r of p.isr) expect(p.replicas).toContain(r);
    }

    await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toThrow(/invalid|Topic/i);
    expect(await admin.createTopics({ topics: [{ topic: 'k-three' }] })).toBe(false); // already exists

    await admin.createPartitions({ topicPartitions: [{ topic: 'k-three', count: 5 }] });
    // Metadata is answered by any broker from its own image: another broker may need a moment to
    // apply the change (as in Kafka), so look until the answer shows it.
    const grown = await until('5 partitions in the metadata', 10_000, async () => {
      const m = await admin.fetchTopicMetadata({ topics: ['k-three'] });
      return m.topics[0]!.partitions.length === 5 ? m : undefined;
    });
    expect(grown.topics[0]!.partitions).toHaveLength(5);

    const cluster = await admin.describeCluster();
    expect(cluster.clusterId).toBe(t.cluster.clusterId);
    expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([...brokers].sort());
    expect(brokers.has(cluster.controller!)).toBe(true);

    await admin.deleteTopics({ topics: ['k-default'] });
    await until('the deletion', 10_000, async () => ((await admin.listTopics()).length === 1 ? true : undefined));
    expect(await admin.listTopics()).toEqual(['k-three']);
  }, 90_000);

  it('alters and describes topic configs, and reads a group with no offsets', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'k-three', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const retention = async () =>
      (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'k-three' }] })).resources[0]!.configEntries.find(
        (e) => e.configName === 'retention.ms',
      )?.configValue;
    expect(await until('the new retention.ms', 10_000, async () => ((await retention()) === '3600000' ? '3600000' : undefined))).toBe('3600000');
    const offsets = await admin.fetchOffsets({ groupId: 'nobody', topics: ['k-three'] });
    expect(offsets[0]!.partitions).toHaveLength(5);
    for (const p of offsets[0]!.partitions) expect(p.offset).toBe('-1');
  }, 60_000);

  it('sets, fetches, resets and deletes a group\'s offsets (setOffsets joins the group as a real consumer)', async () => {
    await admin.setOffsets({ groupId: 'orders-app', topic: 'k-three', partitions: [{ partition: 0, offset: '42' }, { partition: 3, offset: '7' }] });
    const fetched = await admin.fetchOffsets({ groupId: 'orders-app', topics: ['k-three'] });
    const byPartition = new Map(fetched[0]!.partitions.map((p) => [p.partition, p.offset]));
    expect([byPartition.get(0), byPartition.get(3), byPartition.get(1)]).toEqual(['42', '7', '-1']);

    // The consumer left: the group is Empty again (setOffsets refuses a group with live members).
    const described = await admin.describeGroups(['orders-app']);
    expect(described.groups[0]).toMatchObject({ groupId: 'orders-app', state: 'Empty', members: [] });
    expect((await admin.listGroups()).groups).toEqual([{ groupId: 'orders-app', protocolType: 'consumer' }]);

    await admin.resetOffsets({ groupId: 'orders-app', topic: 'k-three', earliest: true });
    const reset = await admin.fetchOffsets({ groupId: 'orders-app', topics: ['k-three'] });
    expect(reset[0]!.partitions.map((p) => p.offset)).toEqual(['-2', '-2', '-2', '-2', '-2']); // kafkajs commits -2 = earliest

    await admin.deleteGroups(['orders-app']);
    const gone = await admin.fetchOffsets({ groupId: 'orders-app', topics: ['k-three'] });
    for (const p of gone[0]!.partitions) expect(p.offset).toBe('-1');
    await expect(admin.deleteGroups(['orders-app'])).rejects.toThrow(/does not exist|GROUP_ID_NOT_FOUND|group/i);
  }, 90_000);

  it('a broker describing itself lists its read-only configs too (kafka-configs --describe --all): node.id from its file, num.partitions at its default', async () => {
    const id = t.cluster.brokers[0]!.id;
    const r = await ask(t.cluster.node(id).clientPort!, 'DescribeConfigs', 2, { resources: [{ resourceType: 4, resourceName: String(id), configurationKeys: ['node.id', 'num.partitions', 'max.connections'] }], includeSynonyms: false });
    expect(r.results[0]!.configs.map((c) => [c.name, c.value, c.readOnly, c.configSource])).toEqual([
      ['max.connections', '2147483647', false, 5],
      ['node.id', String(id), true, 4],
      ['num.partitions', '1', true, 5],
    ]);
  });

  it("deletes some of a group's offsets with OffsetDelete at its coordinator (Kafka's --delete-offsets; kafkajs has no such call, so raw frames)", async () => {
    await admin.setOffsets({ groupId: 'audit-app', topic: 'k-three', partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '6' }] });
    const anyBroker = t.cluster.node(t.cluster.brokers[0]!.id).clientPort!;
    const coordinator = await ask(anyBroker, 'FindCoordinator', 1, { key: 'audit-app', keyType: 0 });
    expect(coordinator.errorCode).toBe(0);
    const r = await ask(coordinator.port, 'OffsetDelete', 0, { groupId: 'audit-app', topics: [{ name: 'k-three', partitionIndexes: [0, 9] }] });
    expect(r).toEqual({ errorCode: 0, throttleTimeMs: 0, topics: [{ name: 'k-three', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 9, errorCode: 3 }] }] });
    const left = await admin.fetchOffsets({ groupId: 'audit-app', topics: ['k-three'] });
    expect(left[0]!.partitions.filter((p) => p.offset !== '-1').map((p) => [p.partition, p.offset])).toEqual([[1, '6']]);
    const nobody = await ask(anyBroker, 'FindCoordinator', 1, { key: 'nobody-app', keyType: 0 });
    expect(await ask(nobody.port, 'OffsetDelete', 0, { groupId: 'nobody-app', topics: [] })).toEqual({ errorCode: 69, throttleTimeMs: 0, topics: [] });
    const other = t.cluster.brokers.map((b) => t.cluster.node(b.id).clientPort!).find((port) => port !== nobody.port)!;
    expect((await ask(other, 'OffsetDelete', 0, { groupId: 'nobody-app', topics: [] })).errorCode).toBe(16); // NOT_COORDINATOR
  }, 90_000);

  it('alters client quotas on one broker and describes them on another (kafka-configs.sh --entity-type users|clients|ips; kafkajs has no such calls, so raw frames)', async () => {
    const [a, b] = t.cluster.brokers.map((x) => t.cluster.node(x.id).clientPort!);
    const user = (name: string | null) => ({ entityType: 'user', entityName: name });
    const client = (name: string | null) => ({ entityType: 'client-id', entityName: name });
    const ip = (name: string | null) => ({ entityType: 'ip', entityName: name });
    const set = (key: string, value: number) => ({ key, value, remove: false });
    const altered = await ask(a!, 'AlterClientQuotas', 1, {
      entries: [
        { entity: [user('alice')], ops: [set('producer_byte_rate', 1048576), set('request_percentage', 12.5)] },
        { entity: [user('alice'), client('app')], ops: [set('consumer_byte_rate', 2097152)] },
        { entity: [client(null)], ops: [set('producer_byte_rate', 1024)] },
        { entity: [ip('10.1.2.3')], ops: [set('connection_creation_rate', 50)] },
      ],
      validateOnly: false,
    });
    expect(altered.entries.map((e) => [e.errorCode, e.errorMessage])).toEqual([[0, null], [0, null], [0, null], [0, null]]);

    // Another broker answers from its own image: the quotas reach it through the metadata log.
    const all = { components: [], strict: false };
    const everything = await until('the quotas on the other broker', 10_000, async () => {
      const r = await ask(b!, 'DescribeClientQuotas', 1, all);
      return r.entries?.length === 4 ? r : undefined;
    });
    expect(everything).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: [
        { entity: [user('alice')], values: [{ key: 'producer_byte_rate', value: 1048576 }, { key: 'request_percentage', value: 12.5 }] },
        { entity: [user('alice'), client('app')], values: [{ key: 'consumer_byte_rate', value: 2097152 }] },
        { entity: [client(null)], values: [{ key: 'producer_byte_rate', value: 1024 }] },
        { entity: [ip('10.1.2.3')], values: [{ key: 'connection_creation_rate', value: 50 }] },
      ],
    });
    // v0 (classic), a strict default-client filter.
    expect((await ask(b!, 'DescribeClientQuotas', 0, { components: [{ entityType: 'client-id', matchType: 1, match: null }], strict: true })).entries).toEqual([
      { entity: [client(null)], values: [{ key: 'producer_byte_rate', value: 1024 }] },
    ]);

    const removed = await ask(a!, 'AlterClientQuotas', 0, { entries: [{ entity: [client(null)], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }], validateOnly: false });
    expect(removed.entries).toEqual([{ errorCode: 0, errorMessage: null, entity: [client(null)] }]);
    const left = await until('the removal on the other broker', 10_000, async () => {
      const r = await ask(b!, 'DescribeClientQuotas', 1, { components: [{ entityType: 'client-id', matchType: 2, match: null }], strict: false });
      return r.entries?.length === 1 ? r.entries : undefined;
    });
    expect(left.map((e) => e.entity)).toEqual([[user('alice'), client('app')]]);

    const invalid = await ask(a!, 'AlterClientQuotas', 1, { entries: [{ entity: [user('bob')], ops: [set('bogus_rate', 1)] }], validateOnly: false });
    expect(invalid.entries).toEqual([{ errorCode: 42, errorMessage: expect.stringContaining('bogus_rate'), entity: [user('bob')] }]); // INVALID_REQUEST
    const refused = await ask(b!, 'DescribeClientQuotas', 1, { components: [{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }], strict: false });
    expect(refused).toMatchObject({ errorCode: 42, entries: null });
  }, 90_000);

  it('describes users\' SCRAM credentials as kafka-configs.sh --describe --entity-type users does: none before any is stored (raw v0 frames; kafkajs has no such call)', async () => {
    const port = t.cluster.node(t.cluster.brokers[0]!.id).clientPort!;
    // Both advertised (the AdminClient refuses to send them otherwise), v0 only.
    const keys = (await ask(port, 'ApiVersions', 2, {})).apiKeys;
    expect(keys.filter((k) => k.apiKey === 50 || k.apiKey === 51)).toEqual([
      { apiKey: 50, minVersion: 0, maxVersion: 0 },
      { apiKey: 51, minVersion: 0, maxVersion: 0 },
    ]);
    // Every user (what kafka-configs.sh asks when no --entity-name is given): none has a credential.
    expect(await ask(port, 'DescribeUserScramCredentials', 0, { users: null })).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
    expect(await ask(port, 'DescribeUserScramCredentials', 0, { users: [] })).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
    // Named users: each not found; one named twice is a duplicate.
    const r = await ask(port, 'DescribeUserScramCredentials', 0, { users: [{ name: 'alice' }, { name: 'bob' }, { name: 'alice' }] });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: [
        { user: 'alice', errorCode: 92, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request: alice', credentialInfos: [] },
        { user: 'bob', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: bob', credentialInfos: [] },
      ],
    });
  }, 30_000);

  it('alters SCRAM credentials through one broker as kafka-configs.sh --alter --entity-type users does, and another broker describes them once its image has them (raw v0 frames)', async () => {
    const [a, b] = t.cluster.brokers.map((x) => t.cluster.node(x.id).clientPort!);
    // What the AdminClient sends: the password salted on the client (SCRAM-SHA-256: PBKDF2 with HMAC-SHA-256, 32 bytes).
    const salt = Buffer.from('e2e-scram-salt-0123456789');
    const saltedPassword = pbkdf2Sync('alice-secret', salt, 8192, 32, 'sha256');
    const upserted = await ask(a!, 'AlterUserScramCredentials', 0, { deletions: [], upsertions: [{ name: 'alice', mechanism: 1, iterations: 8192, salt, saltedPassword }] });
    expect(upserted).toEqual({ throttleTimeMs: 0, results: [{ user: 'alice', errorCode: 0, errorMessage: null }] });
    const alice = { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }] };
    const described = await until('alice\'s credential on the other broker', 10_000, async () => {
      const r = await ask(b!, 'DescribeUserScramCredentials', 0, { users: [{ name: 'alice' }] });
      return r.results[0]?.errorCode === 0 ? r : undefined;
    });
    expect(described).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [alice] });
    // Every user (kafka-configs.sh --describe --entity-type users): alice alone.
    expect((await ask(b!, 'DescribeUserScramCredentials', 0, { users: null })).results).toEqual([alice]);

    // Too few iterations (Kafka's minimum is 4096): UNACCEPTABLE_CREDENTIAL, nothing stored.
    const weak = await ask(a!, 'AlterUserScramCredentials', 0, {
      deletions: [],
      upsertions: [{ name: 'bob', mechanism: 1, iterations: 1000, salt, saltedPassword: pbkdf2Sync('bob-secret', salt, 1000, 32, 'sha256') }],
    });
    expect(weak.results).toEqual([{ user: 'bob', errorCode: 93, errorMessage: expect.stringContaining('1000') }]);

    // The deletion (kafka-configs.sh --delete-config SCRAM-SHA-256), through the other broker this time.
    const deleted = await ask(b!, 'AlterUserScramCredentials', 0, { deletions: [{ name: 'alice', mechanism: 1 }], upsertions: [] });
    expect(deleted.results).toEqual([{ user: 'alice', errorCode: 0, errorMessage: null }]);
    const gone = await until('alice\'s credential gone from the first broker', 10_000, async () => {
      const r = await ask(a!, 'DescribeUserScramCredentials', 0, { users: [{ name: 'alice' }, { name: 'bob' }] });
      return r.results[0]?.errorCode === 91 ? r : undefined;
    });
    expect(gone.results).toEqual([
      { user: 'alice', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: alice', credentialInfos: [] },
      { user: 'bob', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: bob', credentialInfos: [] },
    ]);
    // Deleting it again: RESOURCE_NOT_FOUND from the controller.
    expect((await ask(a!, 'AlterUserScramCredentials', 0, { deletions: [{ name: 'alice', mechanism: 1 }], upsertions: [] })).results.map((r) => r.errorCode)).toEqual([91]);
  }, 60_000);
});
