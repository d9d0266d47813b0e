// migrate-from-zk: what a run refuses or says before and after the import (name clashes, replicas on controller-only ids, an unanswered import), which znodes it walks, and wrong password secrets.

import { createCipheriv, createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runMigration, type MigrateDeps, type MigrateOptions } from '../../tools/migrate/migrate.js';
import { renderMigrateReport } from '../../tools/migrate/migrate-report.js';
import type { ReadZkTreeOptions } from '../../tools/migrate/zk-reader.js';
import type { ZkTree } from '../../tools/migrate/zk-tree.js';
import { decryptPassword, parseEncodedPassword } from '../../tools/migrate/zk-password.js';
import { CLUSTER_ID, kafkaTree } from './migrate-fixture.js';
import type { ImportMetadataRequest } from '../../quorum/controller/migration/import-metadata.js';
import { FakeImportSession } from '../support/fake-import-session.js';
import { ACLS_METADATA_VERSION, CLIENT_QUOTAS_METADATA_VERSION, LATEST_METADATA_VERSION, SCRAM_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { scramCredential } from '../../tools/zookeeper/kafka-trees.js';

const OPTIONS: MigrateOptions = {
  mode: 'dry-run',
  zookeeperConnect: '127.0.0.1:2181',
  zkConnectTimeoutMs: 1_000,
  concurrency: 8,
  allowExistingTopics: true,
  force: false,
  passwordEncoderSecrets: [],
  importLegacyOffsets: true,
  importTimeoutMs: 10_000,
  requestTimeoutMs: 1_000,
};

function deps(
  tree: ZkTree,
  quorumTopics: readonly string[],
  importFails?: Error,
  shape: { voters: number[]; brokers: number[] } = { voters: [], brokers: [] },
  metadataVersion = LATEST_METADATA_VERSION,
): { deps: MigrateDeps; readOptions: ReadZkTreeOptions[] } {
  const readOptions: ReadZkTreeOptions[] = [];
  let now = 0;
  // Every end fails with importFails: its answer never comes.
  const session = new FakeImportSession();
  session.interrupt = (step) => (step === 'end' ? importFails : undefined);
  return {
    readOptions,
    deps: {
      probe: async () => ({ root: '/', children: ['brokers', 'cluster'], hasBrokers: true, hasBrokerIds: true, hasBrokerTopics: true, hasClusterId: true, clusterId: CLUSTER_ID, clusterIdProblem: undefined, hasMigration: false, looksLikeKafka: true, summary: 'Kafka' }),
      readTree: async (_cs, o) => {
        readOptions.push(o);
        return tree;
      },
      progress: () => undefined,
      nowMs: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      connectQuorum: async () => ({
        close: async () => undefined,
        call: (async (method: string, request: ImportMetadataRequest) => {
          if (method === 'describeNode') return { clusterId: CLUSTER_ID, nodeId: 1, roles: ['controller'], activeControllerId: 1, voters: shape.voters.map((id) => ({ id, host: 'h', port: 1 })), metadataOffset: 10, zkMigrationState: 0 };
          if (method === 'describeCluster') return { clusterId: CLUSTER_ID, controllerId: 1, brokers: shape.brokers.map((brokerId) => ({ brokerId })) };
          if (method === 'describeTopics') return { metadataOffset: 10, topics: quorumTopics.map((name, i) => ({ name, topicId: `id${i}`, partitions: [], configs: {} })), unknown: [] };
          if (method === 'describeFeatures') return { metadataOffset: 10, features: [{ name: 'metadata.version', finalizedLevel: metadataVersion, supportedMinLevel: 1, supportedMaxLevel: LATEST_METADATA_VERSION, brokers: [] }] };
          if (method === 'importMetadata') return session.answer(request);
          throw new Error(`unexpected ${method}`);
        }) as never,
      }),
    },
  };
}

const tree = () => kafkaTree().topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } }).build();

describe('migrate-from-zk review', () => {
  it('a dry run with --allow-existing-topics says the import would be refused when a ZooKeeper topic name is already in the quorum', async () => {
    const r = await runMigration(OPTIONS, deps(tree(), ['orders', 'other']).deps);
    expect(r.ok).toBe(false);
    expect(r.refusals.join('\n')).toMatch(/already exist in the quorum under the same name \(orders\)/);
  });

  it("walks only Kafka's top-level znodes (another application at the root is neither read nor able to block the import); /consumers only with legacy offsets", async () => {
    const withOffsets = deps(tree(), []);
    await runMigration(OPTIONS, withOffsets.deps);
    const roots = withOffsets.readOptions[0]?.roots ?? ['/'];
    expect(roots).not.toContain('/');
    expect(roots).toEqual(expect.arrayContaining(['/brokers', '/config', '/admin', '/cluster', '/consumers']));
    const without = deps(tree(), []);
    await runMigration({ ...OPTIONS, importLegacyOffsets: false }, without.deps);
    expect(without.readOptions[0]?.roots).not.toContain('/consumers');
  });

  it('an import whose last step is never answered says it may have been written (not "the quorum may have no leader")', async () => {
    const timeout = Object.assign(new Error('importMetadata: no active controller answered within 10000 ms'), { code: 'REQUEST_TIMEOUT' });
    await expect(runMigration({ ...OPTIONS, mode: 'import' }, deps(tree(), [], timeout).deps)).rejects.toThrow(/may have been written.*Run the same command again/);
  });

  it("refuses replicas on broker ids that are the quorum's controller-only nodes (dev's default shape: controllers 1-3, brokers 4-6)", async () => {
    const split = { voters: [1, 2, 3], brokers: [4, 5, 6] };
    const r = await runMigration(OPTIONS, deps(tree(), [], undefined, split).deps);
    expect(r.ok).toBe(false);
    expect(r.refusals.join('\n')).toMatch(/1 partition\(s\) have replicas on broker id\(s\) 1, which are controller-only nodes/);
    // Combined nodes 1-3 are brokers too: nothing to refuse.
    expect((await runMigration(OPTIONS, deps(tree(), [], undefined, { voters: [1, 2, 3], brokers: [1, 2, 3] }).deps)).ok).toBe(true);
    expect((await runMigration({ ...OPTIONS, force: true }, deps(tree(), [], undefined, split).deps)).ok).toBe(true);
  });

  it("a dry run says the import would be refused when the quorum's metadata.version is below what the plan's records need (ACLs: 1.0-IV3), naming the upgrade", async () => {
    const withAcls = kafkaTree()
      .topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } })
      .acl('/kafka-acl/Topic/orders', [
        { principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' },
        { principal: 'User:bob', permissionType: 'Allow', operation: 'Write', host: '*' },
      ])
      .build();
    const old = await runMigration(OPTIONS, deps(withAcls, [], undefined, undefined, ACLS_METADATA_VERSION - 1).deps);
    expect(old.ok).toBe(false);
    expect(old.quorum?.metadataVersion).toBe(ACLS_METADATA_VERSION - 1);
    expect(old.refusals).toEqual([
      'the plan holds ACLs (2 record(s)), which need metadata.version 1.0-IV3 (level 4), and the quorum is at 1.0-IV2 (level 3): run metaquorum features upgrade --metadata 1.0-IV3 first',
    ]);
    expect(old.summary).toMatch(/would be refused \(1 reason/);
    // At the level ACLs need, or with no ACL in the plan, nothing to refuse.
    expect((await runMigration(OPTIONS, deps(withAcls, [], undefined, undefined, ACLS_METADATA_VERSION).deps)).ok).toBe(true);
    expect((await runMigration(OPTIONS, deps(tree(), [], undefined, undefined, ACLS_METADATA_VERSION - 1).deps)).ok).toBe(true);
  });

  it("client quotas need metadata.version 1.0-IV5: below it a dry run and an import say so, naming the upgrade, and write nothing; at it they go ahead", async () => {
    const withQuotas = kafkaTree()
      .topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } })
      .config('clients', 'etl%20job', { producer_byte_rate: '1048576', consumer_byte_rate: '2097152' })
      .config('users', '<default>', { request_percentage: '25.5', 'SCRAM-SHA-512': 'salt=c2FsdA==,stored_key=a2V5,server_key=a2V5,iterations=4096' })
      .build();
    const refusal =
      'the plan holds client quotas (3 record(s)), which need metadata.version 1.0-IV5 (level 6), and the quorum is at 1.0-IV4 (level 5): run metaquorum features upgrade --metadata 1.0-IV5 first';
    const dry = await runMigration(OPTIONS, deps(withQuotas, [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION - 1).deps);
    expect(dry.ok).toBe(false);
    expect(dry.refusals).toEqual([refusal]);
    expect(dry.summary).toMatch(/would be refused \(1 reason/);

    const run = deps(withQuotas, [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION - 1);
    const imported = await runMigration({ ...OPTIONS, mode: 'import' }, run.deps);
    expect(imported.ok).toBe(false);
    expect(imported.imported).toBeNull();
    expect(imported.summary).toBe(`import refused, nothing written: ${refusal}`);

    // With offsets and ACLs too, at a level below all: one refusal per kind, each naming its level, the highest first (its upgrade covers the others).
    const all = kafkaTree()
      .topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } })
      .config('clients', '<default>', { producer_byte_rate: '1' })
      .legacyOffset('legacy', 'orders', 0, '42')
      .acl('/kafka-acl/Topic/orders', [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Read', host: '*' }])
      .build();
    const old = await runMigration({ ...OPTIONS, mode: 'import' }, deps(all, [], undefined, undefined, 1).deps);
    expect(old.refusals).toEqual([
      expect.stringMatching(/^the plan holds client quotas \(1 record\(s\)\), which need metadata\.version 1\.0-IV5 \(level 6\), and the quorum is at 1\.0-IV0 \(level 1\)/),
      expect.stringMatching(/^the plan holds ACLs \(1 record\(s\)\), which need metadata\.version 1\.0-IV3 \(level 4\)/),
      expect.stringMatching(/^the plan holds consumer-group offsets \(1 record\(s\)\), which need metadata\.version 1\.0-IV1 \(level 2\)/),
    ]);
    expect(old.summary).toMatch(/run metaquorum features upgrade --metadata 1\.0-IV5 first \(and 2 more\)$/);

    // At the level quotas need, nothing to refuse; a tree without quotas is not held to it.
    const ok = await runMigration({ ...OPTIONS, mode: 'import' }, deps(withQuotas, [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION).deps);
    expect(ok.ok).toBe(true);
    expect(ok.summary).toMatch(/3 client quotas/);
    expect((await runMigration(OPTIONS, deps(tree(), [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION - 1).deps)).ok).toBe(true);
  });

  it('SCRAM credentials need metadata.version 1.0-IV6: below it a dry run and an import say so, naming the upgrade, and write nothing; the SCRAM refusal comes before the quotas\' (its upgrade covers both); at it they go ahead', async () => {
    const withScram = kafkaTree()
      .topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } })
      .config('users', 'alice%40example.com', { consumer_byte_rate: '4194304', 'SCRAM-SHA-256': scramCredential('alice', 'SCRAM-SHA-256'), 'SCRAM-SHA-512': scramCredential('alice') })
      .build();
    const refusal =
      'the plan holds SCRAM credentials (2 record(s)), which need metadata.version 1.0-IV6 (level 7), and the quorum is at 1.0-IV5 (level 6): run metaquorum features upgrade --metadata 1.0-IV6 first';
    const dry = await runMigration(OPTIONS, deps(withScram, [], undefined, undefined, SCRAM_METADATA_VERSION - 1).deps);
    expect(dry.ok).toBe(false);
    expect(dry.plan.counts.scramCredentials).toBe(2);
    expect(dry.refusals).toEqual([refusal]);
    expect(dry.summary).toMatch(/would be refused \(1 reason/);
    // The report counts them with what is imported; nothing is "not imported" any more.
    const text = renderMigrateReport(dry);
    expect(text).toContain('1 client quotas, 2 SCRAM credentials');
    expect(text).not.toMatch(/Not imported|SCRAM credentials \(\/config/);

    const run = deps(withScram, [], undefined, undefined, SCRAM_METADATA_VERSION - 1);
    const imported = await runMigration({ ...OPTIONS, mode: 'import' }, run.deps);
    expect(imported.ok).toBe(false);
    expect(imported.imported).toBeNull();
    expect(imported.summary).toBe(`import refused, nothing written: ${refusal}`);

    // Below the quotas' level too: the SCRAM refusal first, its upgrade named in the summary.
    const older = await runMigration({ ...OPTIONS, mode: 'import' }, deps(withScram, [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION - 1).deps);
    expect(older.refusals).toEqual([
      expect.stringMatching(/^the plan holds SCRAM credentials \(2 record\(s\)\), which need metadata\.version 1\.0-IV6 \(level 7\), and the quorum is at 1\.0-IV4 \(level 5\)/),
      expect.stringMatching(/^the plan holds client quotas \(1 record\(s\)\), which need metadata\.version 1\.0-IV5 \(level 6\)/),
    ]);
    expect(older.summary).toMatch(/run metaquorum features upgrade --metadata 1\.0-IV6 first \(and 1 more\)$/);

    // At 1.0-IV6 the import goes ahead and says how many credentials it wrote.
    const ok = await runMigration({ ...OPTIONS, mode: 'import' }, deps(withScram, [], undefined, undefined, SCRAM_METADATA_VERSION).deps);
    expect(ok.ok).toBe(true);
    expect(ok.summary).toMatch(/1 client quotas, 2 SCRAM credentials/);
    // A credential left out (here: too few iterations) needs no level: the plan holds none.
    const leftOut = kafkaTree()
      .topic('orders', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1] } })
      .config('users', 'alice', { 'SCRAM-SHA-256': scramCredential('alice', 'SCRAM-SHA-256', 1024) })
      .build();
    const quiet = await runMigration(OPTIONS, deps(leftOut, [], undefined, undefined, CLIENT_QUOTAS_METADATA_VERSION - 1).deps);
    expect(quiet.ok).toBe(true);
    expect(quiet.plan.anomalies.map((a) => a.kind)).toEqual(['invalid-scram-credential']);
  });

  it('a wrong password.encoder.secret whose CBC padding happens to check out is not taken for the right one', () => {
    const clear = 'keystore-pass15';
    const field = (salt: Buffer, iv: Buffer, enc: Buffer) =>
      `keyFactoryAlgorithm:PBKDF2WithHmacSHA512,cipherAlgorithm:AES/CBC/PKCS5Padding,keyLength:128,iterations:1,salt:${salt.toString('base64')},initializationVector:${iv.toString('base64')},encryptedPassword:${enc.toString('base64')},passwordLength:${clear.length}`;
    let found = 0;
    for (let i = 0; i < 5_000 && found < 3; i++) {
      const salt = Buffer.alloc(32, 0);
      salt.writeUInt32BE(i);
      const iv = Buffer.alloc(16, 1);
      const c = createCipheriv('aes-128-cbc', pbkdf2Sync(Buffer.from('right-secret'), salt, 1, 16, 'sha512'), iv);
      const value = field(salt, iv, Buffer.concat([c.update(clear, 'utf8'), c.final()]));
      // Only the cases where the wrong key passes the padding check and gives 15 UTF-16 units matter.
      const wrong = createDecipherivSafe(pbkdf2Sync(Buffer.from('wrong-secret'), salt, 1, 16, 'sha512'), iv, value);
      if (wrong === null || wrong.toString('utf8').length !== clear.length) continue;
      found++;
      const r = decryptPassword(parseEncodedPassword(value)!, ['wrong-secret', 'right-secret']);
      expect(r).toEqual({ ok: true, value: clear });
    }
    expect(found).toBeGreaterThan(0);
  });
});

function createDecipherivSafe(key: Buffer, iv: Buffer, value: string): Buffer | null {
  const enc = Buffer.from(parseEncodedPassword(value)!.get('encryptedPassword')!, 'base64');
  try {
    const d = createDecipheriv('aes-128-cbc', key, iv);
    return Buffer.concat([d.update(enc), d.final()]);
  } catch {
    return null;
  }
}
