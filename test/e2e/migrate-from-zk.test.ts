// migrate-from-zk end to end: a real Apache ZooKeeper 3.8 (standalone, and a 3-node ensemble),
// Kafka trees of several eras written by the populator, a real metaquorum cluster formatted with
// the trees' cluster id, and the command run as a user runs it (the CLI in a child process).
// Results are checked the ways an operator would: `topics describe --json`, `metadata-shell`,
// `--verify`, the describeClientQuotas RPC of a broker and of the controllers, and an unmodified
// Kafka client (kafkajs Metadata through the brokers).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import { join } from 'node:path';
import { runCli, startTestCluster, until, type CliResult, type TestCluster } from '../support/process-harness.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../tools/zookeeper/local-zookeeper.js';
import {
  awkwardTree,
  kafka09Tree,
  kafka11Tree,
  kafka28Tree,
  kafka3xTree,
  KAFKA_TREE_CLUSTER_ID,
  kafkaJson,
  kafkaUuid,
  malformedTree,
  notKafkaTree,
  populate,
  populateAndClose,
  scramCredential,
  type Populated,
} from '../../tools/zookeeper/kafka-trees.js';
import type { MigrateReport } from '../../tools/migrate/migrate.js';
import type { DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import type { DescribeClientQuotasResponse } from '../../quorum/controller/configs/client-quotas.js';
import type { DescribeUserScramCredentialsResponse } from '../../quorum/controller/configs/scram-credentials.js';
import { realAdminConnector } from '../../tools/admin/admin-client.js';
import type { AdminTarget } from '../../tools/cli/connect.js';
import { connectedAdmin } from '../support/kafkajs.js';

const MIGRATE_TIMEOUT_MS = 90_000;

function migrate(zk: string, quorum: string | null, ...extra: string[]): Promise<CliResult> {
  return runCli(['migrate-from-zk', '--zookeeper-connect', zk, ...(quorum === null ? [] : ['--bootstrap-controller', quorum]), ...extra], MIGRATE_TIMEOUT_MS);
}

function reportOf(r: CliResult): MigrateReport {
  expect(r.stdout.trim(), r.stderr).not.toBe('');
  return JSON.parse(r.stdout) as MigrateReport;
}

async function describeTopics(bootstrap: string[]): Promise<DescribeTopicsResponse> {
  const r = await runCli(['topics', 'describe', ...bootstrap, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DescribeTopicsResponse;
}

/** Every client quota, as the describeClientQuotas RPC answers it (no filter). */
async function describeQuotas(target: AdminTarget): Promise<DescribeClientQuotasResponse> {
  const admin = await realAdminConnector([target], { timeoutMs: 10_000 });
  try {
    return await admin.call('describeClientQuotas', { components: [], strict: false });
  } finally {
    await admin.close();
  }
}

/** SCRAM credentials as the describeUserScramCredentials RPC answers them (every user, or those named). */
async function describeScram(target: AdminTarget, users: string[] | null = null): Promise<DescribeUserScramCredentialsResponse> {
  const admin = await realAdminConnector([target], { timeoutMs: 10_000 });
  try {
    return await admin.call('describeUserScramCredentials', { users: users === null ? null : users.map((name) => ({ name })) });
  } finally {
    await admin.close();
  }
}

/** Sets a znode's data (a change to ZooKeeper after the import, for --verify to find). */
function setZnode(connectString: string, path: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 10_000 });
    client.once('connected', () => {
      client.setData(path, Buffer.from(data), -1, (e) => {
        client.close();
        if (e) reject(e);
        else resolve();
      });
    });
    client.connect();
  });
}

/**
 * These tests compare the imported partitions with ZooKeeper's exactly (--verify reports any change
 * made since the import, by design), so the brokers leading them leave their ISRs as imported;
 * ISR expansion is tested in cluster.test.ts.
 */
const IMPORTED_AS_IS = { 'metaquorum.isr.expansion.enable': 'false' };

describe.sequential('migrate-from-zk: a standalone ZooKeeper into a combined-mode cluster (3 nodes)', { timeout: 180_000 }, () => {
  let zk: ZooKeeperCluster;
  let t: TestCluster;
  let quorum: string;

  beforeAll(async () => {
    [zk, t] = await Promise.all([startZooKeeper({ ensemble: 1 }), startTestCluster({ controllers: 3, brokers: 3, combined: true, properties: IMPORTED_AS_IS }, [], { clusterId: KAFKA_TREE_CLUSTER_ID })]);
    quorum = t.cluster.bootstrapControllers();
    // Kafka 1.1 under a chroot (brokers 1..3 are this cluster's ids), plus trees for the error cases.
    await populateAndClose(zk.connectString, kafka11Tree({ chroot: '/kafka' }));
    await populateAndClose(zk.connectString, awkwardTree({ chroot: '/awkward' }));
    await populateAndClose(zk.connectString, notKafkaTree({ chroot: '/other' }));
    await populateAndClose(zk.connectString, malformedTree({ chroot: '/malformed' }));
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await zk?.stop();
  }, 60_000);

  it('--dry-run prints the counts per kind and the checks against the quorum, and writes nothing', async () => {
    const r = await migrate(zk.connectStringWith('/kafka'), quorum, '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = reportOf(r);
    expect(report.mode).toBe('dry-run');
    expect(report.plan.clusterId).toBe(KAFKA_TREE_CLUSTER_ID);
    // The broker registrations were ephemeral: gone with the populator's session.
    expect(report.plan.brokersOnlyInAssignments).toEqual([1, 2, 3]);
    expect(report.plan.counts).toMatchObject({ brokers: 0, topics: 2, partitions: 5, topicConfigs: 2, brokerConfigs: 3, producerIds: 1 });
    expect(report.refusals).toEqual([]);
    expect(report.quorum).toMatchObject({ clusterId: KAFKA_TREE_CLUSTER_ID, topics: 0, alreadyImported: false });
    expect(report.plan.counts.acls).toBe(1);
    // Client, user and (default user, client) quotas; alice's SCRAM credential is not one, but a credential of its own.
    expect(report.plan.counts.clientQuotas).toBe(4);
    expect(report.plan.counts.scramCredentials).toBe(1);
    expect(report.plan.anomalies.filter((a) => a.kind === 'invalid-scram-credential')).toEqual([]);
    expect(report.plan.notImported.map((n) => n.kind)).toEqual(['delegation-tokens']);
    // Progress went to stderr.
    expect(r.stderr).toMatch(/znodes/);
    expect((await describeTopics(['--bootstrap-controller', quorum])).topics).toEqual([]);

    const text = await migrate(zk.connectStringWith('/kafka'), quorum, '--dry-run');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/2 topics, 5 partitions/);
    expect(text.stdout).toMatch(/4 client quotas, 1 SCRAM credentials/);
    expect(text.stdout).not.toMatch(/Not imported/);
    expect(text.stdout).toMatch(/dry run: nothing written; the import of \d+ records would go ahead/);
  });

  it('--dry-run lists every anomaly with its path, and says the import would be refused', async () => {
    const r = await migrate(zk.connectStringWith('/malformed'), quorum, '--dry-run');
    expect(r.code).toBe(1);
    for (const path of ['/brokers/topics/broken-json', '/brokers/topics/future-version', '/brokers/topics/string-replicas', '/brokers/topics/bad-state/partitions/0/state', '/latest_producer_id_block']) {
      expect(r.stdout).toContain(path);
    }
    expect(r.stdout).toMatch(/malformed-json/);
    expect(r.stdout).toMatch(/unknown-version/);
    expect(r.stdout).toMatch(/would be refused/);
    expect(r.stdout).toMatch(/--force/);

    const awkward = reportOf(await migrate(zk.connectStringWith('/awkward'), null, '--dry-run', '--json'));
    const kinds = new Set(awkward.plan.anomalies.map((a) => a.kind));
    for (const k of ['missing-partition-state', 'offline-partition', 'isr-outside-replicas', 'undecryptable-config']) expect(kinds, k).toContain(k);
    expect(awkward.plan.skipped.map((s) => s.path)).toContain('/brokers/topics/doomed');
    expect(awkward.quorum).toBeNull(); // no --bootstrap-controller: the quorum was not checked
  });

  it('clear errors: ZooKeeper unreachable, chroot absent, not a Kafka tree, bad connect string, quorum unreachable, --dry-run with --verify', async () => {
    const unreachable = await migrate('127.0.0.1:1', quorum, '--zk-connect-timeout', '1500');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/ZooKeeper: .*(no ZooKeeper server|could not connect|unreachable|answered)/i);

    const absent = await migrate(zk.connectStringWith('/nope'), quorum);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/\/nope/);

    const notKafka = await migrate(zk.connectStringWith('/other'), quorum);
    expect(notKafka.code).toBe(1);
    expect(notKafka.stderr).toMatch(/not a Kafka tree: .*no \/brokers and no \/cluster\/id.*hbase/);

    const root = await migrate(zk.connectString, quorum, '--dry-run');
    expect(root.code).toBe(1);
    expect(root.stderr).toMatch(/not a Kafka tree: .*append it/);

    const bad = await migrate('127.0.0.1:2181/kafka/', quorum);
    expect(bad.code).toBe(2);

    const noQuorum = await migrate(zk.connectStringWith('/kafka'), '127.0.0.1:1', '--timeout', '2000');
    expect(noQuorum.code).toBe(1);
    expect(noQuorum.stderr).toMatch(/cannot reach|could not reach/);

    const both = await migrate(zk.connectStringWith('/kafka'), quorum, '--dry-run', '--verify');
    expect(both.code).toBe(2);
    // None of that wrote anything.
    expect((await describeTopics(['--bootstrap-controller', quorum])).topics).toEqual([]);
  });

  it('refuses a tree with errors unless --force (nothing written)', async () => {
    const r = await migrate(zk.connectStringWith('/malformed'), quorum, '--json');
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(report.imported).toBeNull();
    expect(report.refusals.join(' ')).toMatch(/--force/);
    expect((await describeTopics(['--bootstrap-controller', quorum])).topics).toEqual([]);
  });

  it('imports Kafka 1.1 under a chroot; every node shows it (topics describe, metadata-shell, kafkajs)', async () => {
    const r = await migrate(zk.connectStringWith('/kafka'), quorum, '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = reportOf(r);
    expect(report.imported).toMatchObject({ alreadyImported: false });
    expect(report.imported!.recordsWritten).toBe(report.plan.counts.records - report.imported!.brokersSkipped + 3); // + BeginTransaction, ZkMigrationState, EndTransaction
    expect(r.stderr).toMatch(/records written and committed/);

    // The controllers' view.
    const d = await describeTopics(['--bootstrap-controller', quorum]);
    expect(d.topics.map((x) => x.name)).toEqual(['orders', 'payments']);
    const orders = d.topics[0]!;
    expect(orders.configs).toEqual({ 'cleanup.policy': 'compact', 'segment.bytes': '104857600' });
    expect(orders.partitions.map((p) => p.replicas)).toEqual([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
      [1, 3, 2],
    ]);
    const p1 = orders.partitions[1]!;
    expect(p1).toMatchObject({ leader: 3, leaderEpoch: 4, isr: [3, 2] });
    // Partition epoch = the state node's version: written once by the populator, then set (5 times).
    expect(p1.partitionEpoch).toBeGreaterThanOrEqual(0);
    // Every broker applies the same image.
    for (const b of t.cluster.brokers) {
      await until(`broker ${b.id} shows the import`, 15_000, async () => {
        const onBroker = await describeTopics(['--bootstrap-server', `127.0.0.1:${b.clientPort}`]);
        return JSON.stringify(onBroker.topics) === JSON.stringify(d.topics) ? true : undefined;
      });
    }

    // The imported ACL on a broker (describeAcls from its own image); one added through a broker
    // (createAcls forwarded to the active controller), listed by a controller, removed again.
    const viaBroker = ['--bootstrap-server', `127.0.0.1:${t.cluster.brokers[0]!.clientPort}`];
    const listed = async (bootstrap: string[]) => {
      const l = await runCli(['acls', '--list', '--json', ...bootstrap]);
      expect(l.code, l.stderr).toBe(0);
      return (JSON.parse(l.stdout) as { acls: { principal: string; resourceName: string; operation: string }[] }).acls;
    };
    await until('a broker lists the imported ACL', 15_000, async () => ((await listed(viaBroker)).length === 1 ? true : undefined));
    expect(await listed(viaBroker)).toMatchObject([{ resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', operation: 'READ', permissionType: 'ALLOW' }]);
    const added = await runCli(['acls', '--add', '--allow-principal', 'User:bob', '--operation', 'Write', '--topic', 'payments', ...viaBroker]);
    expect(added.code, added.stderr).toBe(0);
    await until('a controller lists the added ACL', 15_000, async () => ((await listed(['--bootstrap-controller', quorum])).length === 2 ? true : undefined));
    const removed = await runCli(['acls', '--remove', '--topic', 'payments', '--bootstrap-controller', quorum]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('(principal=User:bob, host=*, operation=WRITE, permissionType=ALLOW)');

    // The quotas as Kafka wrote them (sanitized names, <default>): null for a default, names
    // decoded, values as doubles; the same on a broker (its own image) and on the controllers.
    const quotas = [
      { entity: [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'etl job' }], values: [{ key: 'request_percentage', value: 25.5 }] },
      { entity: [{ entityType: 'user', entityName: 'alice@example.com' }], values: [{ key: 'consumer_byte_rate', value: 4194304 }] },
      { entity: [{ entityType: 'client-id', entityName: null }], values: [{ key: 'consumer_byte_rate', value: 2097152 }] },
      { entity: [{ entityType: 'client-id', entityName: 'etl job' }], values: [{ key: 'producer_byte_rate', value: 1048576 }] },
    ];
    const broker = t.cluster.brokers[1]!;
    await until('a broker describes the imported quotas', 15_000, async () => ((await describeQuotas({ kind: 'server', host: '127.0.0.1', port: broker.clientPort! })).entries.length === quotas.length ? true : undefined));
    expect(await describeQuotas({ kind: 'server', host: '127.0.0.1', port: broker.clientPort! })).toEqual({ errorCode: 0, errorMessage: null, entries: quotas });
    const [host, port] = quorum.split(',')[0]!.split(':');
    const controller: AdminTarget = { kind: 'controller', host: host!, port: Number(port) };
    await until('a controller describes the imported quotas', 15_000, async () => ((await describeQuotas(controller)).entries.length === quotas.length ? true : undefined));
    expect((await describeQuotas(controller)).entries).toEqual(quotas);

    // alice's SCRAM credential (Kafka 1.1 wrote SCRAM-SHA-256 with 4096 iterations under the
    // sanitized name alice%40example.com): the user decoded, its mechanism and iteration count,
    // the same on a broker and on a controller (describeUserScramCredentials shows no salt or key).
    const scramUsers = { errorCode: 0, errorMessage: null, results: [{ user: 'alice@example.com', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }] }] };
    await until('a broker describes the imported SCRAM credential', 15_000, async () => ((await describeScram({ kind: 'server', host: '127.0.0.1', port: broker.clientPort! })).results.length === 1 ? true : undefined));
    expect(await describeScram({ kind: 'server', host: '127.0.0.1', port: broker.clientPort! })).toEqual(scramUsers);
    expect(await describeScram(controller)).toEqual(scramUsers);
    expect(await describeScram(controller, ['alice@example.com', 'alice%40example.com'])).toEqual({
      errorCode: 0,
      errorMessage: null,
      results: [scramUsers.results[0], { user: 'alice%40example.com', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: alice%40example.com', credentialInfos: [] }],
    });

    // metadata-shell on a node's directory (a live node: it only reads).
    const dir = join(t.cluster.node(1).dir, 'metadata');
    const shell = await runCli(['metadata-shell', '--dir', dir, '-c', 'ls /topics', '-c', 'cat /zkMigrationState', '-c', 'cat /configs/topic/orders/cleanup.policy']);
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/orders/);
    expect(shell.stdout).toMatch(/payments/);
    expect(shell.stdout).toMatch(/^3$/m);
    expect(shell.stdout).toMatch(/compact/);

    // An unmodified Kafka client sees the imported topics through the brokers.
    const admin = await connectedAdmin('migrate-e2e', t.cluster.bootstrapServers(), 5);
    try {
      expect((await admin.listTopics()).sort()).toEqual(['orders', 'payments']);
      const meta = await admin.fetchTopicMetadata({ topics: ['orders', 'payments'] });
      const ordersMeta = meta.topics.find((x) => x.name === 'orders')!;
      expect(ordersMeta.partitions.sort((a, b) => a.partitionId - b.partitionId).map((p) => p.replicas)).toEqual(orders.partitions.map((p) => p.replicas));
      expect(ordersMeta.partitions.find((p) => p.partitionId === 1)?.leader).toBe(3);
      const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: 'orders' }], includeSynonyms: false });
      expect(cfg.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  });

  it('running it again is a no-op that says so; --verify finds no difference, then the one made in ZooKeeper', async () => {
    const again = await migrate(zk.connectStringWith('/kafka'), quorum);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already imported/);

    const clean = await migrate(zk.connectStringWith('/kafka'), quorum, '--verify', '--json');
    const cleanReport = reportOf(clean);
    expect(cleanReport.verify?.differences ?? [], clean.stdout).toEqual([]);
    expect(clean.code).toBe(0);

    expect(cleanReport.verify?.compared.clientQuotas).toBe(4);
    expect(cleanReport.verify?.compared.scramCredentials).toBe(1);

    // A change in ZooKeeper after the import (a Kafka controller still running would do this).
    await setZnode(zk.connectStringWith('/kafka'), '/brokers/topics/payments/partitions/0/state', JSON.stringify({ controller_epoch: 7, leader: 3, version: 1, leader_epoch: 9, isr: [3] }));
    await setZnode(zk.connectStringWith('/kafka'), '/config/clients/etl%20job', JSON.stringify({ version: 1, config: { producer_byte_rate: '2097152' } }));
    // alice's password set again in ZooKeeper, with more iterations (the salt drawn alike here).
    const newCredential = scramCredential('alice', 'SCRAM-SHA-256', 8192, 'another password');
    await setZnode(zk.connectStringWith('/kafka'), '/config/users/alice%40example.com', JSON.stringify({ version: 1, config: { consumer_byte_rate: '4194304', 'SCRAM-SHA-256': newCredential } }));
    const dirty = await migrate(zk.connectStringWith('/kafka'), quorum, '--verify');
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toMatch(/payments-0/);
    expect(dirty.stdout).toMatch(/leader/i);
    expect(dirty.stdout).toContain('quota client-id "etl job" producer_byte_rate: value differs: zookeeper 2097152, quorum 1048576');
    expect(dirty.stdout).toContain('SCRAM credential "alice@example.com" SCRAM-SHA-256: iterations differs: zookeeper 8192, quorum 4096');
    expect(dirty.stdout).toContain('SCRAM credential "alice@example.com" SCRAM-SHA-256: storedKey differs: zookeeper [hidden], quorum [hidden]');
    expect(dirty.stdout).toContain('SCRAM credential "alice@example.com" SCRAM-SHA-256: serverKey differs: zookeeper [hidden], quorum [hidden]');
    for (const secret of [...newCredential.split(','), ...scramCredential('alice', 'SCRAM-SHA-256').split(',')].filter((f) => !f.startsWith('iterations='))) {
      expect(dirty.stdout).not.toContain(secret.slice(secret.indexOf('=') + 1));
    }
  });
});

describe.sequential('migrate-from-zk: a 3-node ZooKeeper ensemble into a split-mode cluster (3 controllers + 2 brokers)', { timeout: 180_000 }, () => {
  let zk: ZooKeeperCluster;
  let t: TestCluster;
  let quorum: string;
  let k28: Populated | undefined;

  beforeAll(async () => {
    [zk, t] = await Promise.all([startZooKeeper({ ensemble: 3 }), startTestCluster({ controllers: 3, brokers: 2, combined: false, properties: IMPORTED_AS_IS }, [], { clusterId: KAFKA_TREE_CLUSTER_ID })]);
    quorum = t.cluster.bootstrapControllers();
    // Kept open: the 2.8 tree's broker registrations are ephemeral, as Kafka writes them.
    k28 = await populate(zk.connectString, kafka28Tree({ chroot: '/k28' }));
    await populateAndClose(zk.connectString, kafka3xTree({ chroot: '/k3' }));
    await populateAndClose(zk.connectString, kafka09Tree({ chroot: '/k09' }));
    const other = kafka3xTree({ chroot: '/other-cluster' });
    await populateAndClose(zk.connectString, { ...other, nodes: [...other.nodes, { path: '/cluster/id', data: kafkaJson.clusterId('AAAAAAAAAAAAAAAAAAAAAQ') }] });
    await zk.waitForSync();
  }, 150_000);

  afterAll(async () => {
    await k28?.close();
    await t?.dispose();
    await zk?.stop();
  }, 60_000);

  it('a tree of another cluster is refused, saying how to format; so is a tree without a cluster id', async () => {
    const r = await migrate(zk.connectStringWith('/other-cluster'), quorum);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`metaquorum format --config <file> --cluster-id AAAAAAAAAAAAAAAAAAAAAQ`);
    // Kafka 0.9 wrote no /cluster/id: there is no id to keep, so the import is refused with the
    // reason and the option that takes the quorum's id instead.
    const old = await migrate(zk.connectStringWith('/k09'), quorum);
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/no \/cluster\/id \(Kafka before 0\.10\.1 wrote none.*pass --take-quorum-cluster-id/);
    expect((await describeTopics(['--bootstrap-controller', quorum])).topics).toEqual([]);
  });

  it('refuses to import beside existing topics unless --allow-existing-topics; then keeps topic ids and mints the missing ones', async () => {
    const create = await runCli(['topics', 'create', 'already-here', '--partitions', '2', '--replication-factor', '2', '--bootstrap-controller', quorum]);
    expect(create.code, create.stderr).toBe(0);
    const refused = await migrate(zk.connectStringWith('/k28'), quorum);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/already holds 1 topic\(s\).*--allow-existing-topics/);

    // Replicas name brokers 1-3, which are this split cluster's controllers: refused without --force.
    const onControllers = await migrate(zk.connectStringWith('/k28'), quorum, '--allow-existing-topics');
    expect(onControllers.code).toBe(1);
    expect(onControllers.stdout).toMatch(/broker id\(s\) 1, 2, 3, which are controller-only nodes/);
    const r = await migrate(zk.connectStringWith('/k28'), quorum, '--allow-existing-topics', '--force', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = reportOf(r);
    // Broker 4 is a real broker of this cluster: its live registration wins over ZooKeeper's.
    expect(report.imported?.brokersSkipped).toBe(1);
    const d = await describeTopics(['--bootstrap-controller', quorum]);
    expect(d.topics.map((x) => x.name)).toEqual(['already-here', 'events', 'old-ibp-topic', 'orders.reassigning']);
    const byName = new Map(d.topics.map((x) => [x.name, x]));
    expect(byName.get('events')!.topicId).toBe(kafkaUuid('events'));
    const minted = report.plan.mintedTopicIds.find((m) => m.topic === 'old-ibp-topic');
    expect(byName.get('old-ibp-topic')!.topicId).toBe(minted?.topicId);
    // A reassignment in flight: the full replica set, with the target and the leftovers.
    expect(byName.get('orders.reassigning')!.partitions[0]).toMatchObject({ replicas: [2, 3, 4, 1], leader: 2, leaderEpoch: 6, isr: [2, 3, 1] });

    // Kafka 2.8's SCRAM-SHA-512 credential for alice@example.com (4096 iterations), on the controllers.
    expect(report.plan.counts.scramCredentials).toBe(1);
    const [host, port] = quorum.split(',')[0]!.split(':');
    expect((await describeScram({ kind: 'controller', host: host!, port: Number(port) })).results).toEqual([{ user: 'alice@example.com', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 2, iterations: 4096 }] }]);

    const cluster = await runCli(['cluster', 'describe', '--bootstrap-controller', quorum, '--json']);
    const brokers = (JSON.parse(cluster.stdout) as { brokers: { brokerId: number; fenced: boolean }[] }).brokers;
    // Imported registrations stay fenced until their broker registers for real.
    expect(brokers.filter((b) => [1, 2, 3].includes(b.brokerId)).every((b) => b.fenced)).toBe(true);
    expect(brokers.find((b) => b.brokerId === 4)?.fenced).toBe(false);

    const verify = await migrate(zk.connectStringWith('/k28'), quorum, '--verify');
    expect(verify.stdout).toMatch(/already-here/); // a topic ZooKeeper does not hold is a difference
    expect(verify.code).toBe(1);
  });

  it('a second tree into a quorum that holds an import is a no-op that says so', async () => {
    const r = await migrate(zk.connectStringWith('/k3'), quorum);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already imported/);
    const d = await describeTopics(['--bootstrap-controller', quorum]);
    expect(d.topics.some((x) => x.name === 'audit_log.compacted')).toBe(false);
  });

  it('reads through the ensemble while one ZooKeeper server is down', async () => {
    await zk.kill(0);
    try {
      const r = await migrate(zk.connectStringWith('/k3'), null, '--dry-run', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(reportOf(r).plan.counts).toMatchObject({ topics: 2, partitions: 5 });
    } finally {
      await zk.restart(0);
    }
  });
});
