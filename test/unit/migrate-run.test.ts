// runMigration (tools/migrate/migrate.ts) with every outside part faked: the order of the checks
// (the quorum before the walk), what each mode sends to the quorum, and when it refuses.

import { describe, expect, it } from 'vitest';
import { runMigration, type MigrateDeps, type MigrateOptions } from '../../tools/migrate/migrate.js';
import { zkAuthArg } from '../../tools/cli/migrate-command.js';
import type { KafkaRootInfo } from '../../tools/migrate/zk-reader.js';
import type { ZkTree } from '../../tools/migrate/zk-tree.js';
import type { RpcMethod } from '../../quorum/server/rpc-methods.js';
import { CLUSTER_ID, kafkaTree, plan } from './migrate-fixture.js';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { snapshotRecords } from '../../metadata-log/snapshot.js';
import { rebaseBrokerEpochs } from '../../tools/migrate/plan.js';
import { mvRecord } from './controller-configs-fixture.js';
import type { ImportMetadataRequest } from '../../quorum/controller/migration/import-metadata.js';
import { FakeImportSession } from '../support/fake-import-session.js';

/** The quorum's records once `tree`'s plan is imported into an empty quorum (what exportMetadata then answers). */
function importedRecords(tree: ZkTree): MetadataRecord[] {
  return [...snapshotRecords(imageOf([mvRecord(), ...rebaseBrokerEpochs(plan(tree).records, 1), { type: 'ZkMigrationState', state: 3 }]))];
}

const OPTIONS: MigrateOptions = {
  mode: 'import',
  zookeeperConnect: '127.0.0.1:2181/kafka',
  zkConnectTimeoutMs: 1_000,
  concurrency: 8,
  allowExistingTopics: false,
  force: false,
  passwordEncoderSecrets: [],
  importLegacyOffsets: true,
  importTimeoutMs: 10_000,
  requestTimeoutMs: 1_000,
};

const ROOT: KafkaRootInfo = {
  root: '/kafka',
  children: ['brokers', 'cluster'],
  hasBrokers: true,
  hasBrokerIds: true,
  hasBrokerTopics: true,
  hasClusterId: true,
  clusterId: CLUSTER_ID,
  clusterIdProblem: undefined,
  hasMigration: false,
  looksLikeKafka: true,
  summary: 'chroot /kafka holds a Kafka tree',
};

function goodTree(): ZkTree {
  return kafkaTree().topic('orders', { version: 3, topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1, 2], 1: [2, 1] } }).build();
}

interface FakeQuorum {
  readonly calls: RpcMethod[];
  clusterId: string;
  topics: number;
  zkMigrationState: number;
  /** The quorum's topic ids, by position (default id0, id1, …). */
  topicIds?: readonly string[];
  /** What exportMetadata answers (default: nothing). */
  exported?: readonly MetadataRecord[];
  /** The active controller's import session. */
  readonly session: FakeImportSession;
  fail?: Error;
}

function fakes(tree: ZkTree, q: FakeQuorum | null, root: KafkaRootInfo = ROOT): { deps: MigrateDeps; reads: string[]; progress: string[] } {
  const reads: string[] = [];
  const progress: string[] = [];
  const deps: MigrateDeps = {
    probe: async () => root,
    readTree: async (cs) => {
      reads.push(cs);
      return tree;
    },
    progress: (l) => progress.push(l),
    nowMs: () => 0,
    ...(q === null
      ? {}
      : {
          connectQuorum: async () => ({
            close: async () => undefined,
            call: async (method: RpcMethod, request: unknown) => {
              q.calls.push(method);
              if (q.fail !== undefined) throw q.fail;
              switch (method) {
                case 'describeNode':
                  return { clusterId: q.clusterId, nodeId: 1, roles: ['controller'], activeControllerId: 1, voters: [], metadataOffset: 10, zkMigrationState: q.zkMigrationState };
                case 'describeCluster':
                  return { clusterId: q.clusterId, controllerId: 1, brokers: [] };
                case 'describeTopics':
                  return { metadataOffset: 10, topics: Array.from({ length: q.topics }, (_, i) => ({ name: `t${i}`, topicId: q.topicIds?.[i] ?? `id${i}`, partitions: [], configs: {} })), unknown: [] };
                case 'importMetadata':
                  return q.session.answer(request as ImportMetadataRequest);
                case 'exportMetadata':
                  return { metadataOffset: 10, records: q.exported ?? [] };
                default:
                  throw new Error(`unexpected ${method}`);
              }
            },
          }),
        }),
  } as MigrateDeps;
  return { deps, reads, progress };
}

const quorum = (o: Partial<FakeQuorum> = {}): FakeQuorum => ({ calls: [], clusterId: CLUSTER_ID, topics: 0, zkMigrationState: 0, session: new FakeImportSession(), ...o });

describe('runMigration', () => {
  it('imports: checks the quorum, reads, plans, and writes one import session (begin, a part, end)', async () => {
    const q = quorum();
    const f = fakes(goodTree(), q);
    const r = await runMigration(OPTIONS, f.deps);
    expect(r.ok).toBe(true);
    expect(q.session.steps).toEqual(['begin', 'part 0', 'end']);
    expect(q.session.partSizes).toEqual([r.plan.counts.records]);
    expect(q.calls.indexOf('describeNode')).toBeLessThan(q.calls.indexOf('importMetadata'));
    expect(r.imported?.recordsWritten).toBe(r.plan.counts.records + 3);
    expect(f.progress.some((l) => l.includes('records written and committed'))).toBe(true);
  });

  it('--zk-auth: both ZooKeeper sessions (the probe and the walk) authenticate; scheme:credentials splits at the first colon', async () => {
    const seen: unknown[] = [];
    const f = fakes(goodTree(), quorum());
    const auth = [zkAuthArg('digest:super:s3:cret')];
    expect(auth).toEqual([{ scheme: 'digest', credentials: 'super:s3:cret' }]);
    const deps: MigrateDeps = {
      ...f.deps,
      probe: async (cs, o) => (seen.push(o.auth), f.deps.probe(cs, o)),
      readTree: async (cs, o) => (seen.push(o.auth), f.deps.readTree(cs, o)),
    };
    expect((await runMigration({ ...OPTIONS, zkAuth: auth }, deps)).ok).toBe(true);
    expect(seen).toEqual([auth, auth]);
    for (const bad of ['digest', ':x', 'digest:']) expect(() => zkAuthArg(bad)).toThrow(/--zk-auth takes scheme:credentials/);
  });

  it('an unreachable quorum fails before ZooKeeper is walked', async () => {
    const q = quorum({ fail: Object.assign(new Error('connect ECONNREFUSED'), { code: 'CONNECTION_ERROR' }) });
    const f = fakes(goodTree(), q);
    await expect(runMigration(OPTIONS, f.deps)).rejects.toThrow(/ECONNREFUSED/);
    expect(f.reads).toEqual([]);
  });

  it('a root that is not Kafka fails before the walk, quoting what was found', async () => {
    const f = fakes(goodTree(), quorum(), { ...ROOT, looksLikeKafka: false, summary: 'the ZooKeeper root does not hold a Kafka tree (hbase)' });
    await expect(runMigration(OPTIONS, f.deps)).rejects.toThrow(/not a Kafka tree: .*hbase/);
    expect(f.reads).toEqual([]);
  });

  it('refuses, without writing: another cluster id (saying how to format), existing topics, plan errors', async () => {
    const other = quorum({ clusterId: 'AAAAAAAAAAAAAAAAAAAAAQ' });
    const r1 = await runMigration(OPTIONS, fakes(goodTree(), other).deps);
    expect(r1.ok).toBe(false);
    expect(r1.refusals[0]).toContain(`--cluster-id ${CLUSTER_ID}`);
    // format refuses a directory formatted for another cluster even with --ignore-formatted: the
    // hint must not offer it, and must say that every node (brokers too) needs fresh directories.
    expect(r1.refusals[0]).not.toContain('--ignore-formatted');
    expect(r1.refusals[0]).toMatch(/empty every node's metadata\.log\.dir and log\.dirs/);
    expect(r1.refusals[0]).toContain(`dev --data-dir <new dir> --cluster-id ${CLUSTER_ID}`);
    expect(other.calls).not.toContain('importMetadata');

    const busy = quorum({ topics: 2 });
    const r2 = await runMigration(OPTIONS, fakes(goodTree(), busy).deps);
    expect(r2.refusals.join()).toMatch(/already holds 2 topic\(s\)/);
    expect(busy.calls).not.toContain('importMetadata');
    const allowed = quorum({ topics: 2 });
    expect((await runMigration({ ...OPTIONS, allowExistingTopics: true }, fakes(goodTree(), allowed).deps)).ok).toBe(true);
    expect(allowed.calls).toContain('importMetadata');

    const broken = kafkaTree().put('/brokers/topics/bad', '{"version":3,').build();
    const strict = quorum();
    const r3 = await runMigration(OPTIONS, fakes(broken, strict).deps);
    expect(r3.refusals.join()).toMatch(/1 error\(s\) \(malformed-json at \/brokers\/topics\/bad\).*--force/);
    expect(strict.calls).not.toContain('importMetadata');
    const forced = quorum();
    expect((await runMigration({ ...OPTIONS, force: true }, fakes(broken, forced).deps)).ok).toBe(true);
    expect(forced.calls).toContain('importMetadata');
  });

  it('a tree with no /cluster/id (Kafka before 0.10.1): refused, saying so, even with --force; with --take-quorum-cluster-id imported under the quorum\'s id (no --force needed) and then verified', async () => {
    const old = kafkaTree().remove('/cluster/id').build();
    for (const force of [false, true]) {
      const strict = quorum();
      const r1 = await runMigration({ ...OPTIONS, force }, fakes(old, strict).deps);
      expect(r1.ok).toBe(false);
      expect(r1.refusals[0]).toMatch(/no \/cluster\/id \(Kafka before 0\.10\.1 wrote none.*pass --take-quorum-cluster-id to import the tree under the quorum's cluster id/);
      expect(strict.calls).not.toContain('importMetadata');
    }
    const taken = quorum();
    let begun: unknown;
    taken.session.interrupt = (step, request) => {
      if (step === 'begin') begun = request;
      return undefined;
    };
    const r2 = await runMigration({ ...OPTIONS, takeQuorumClusterId: true }, fakes(old, taken).deps);
    expect(r2.refusals).toEqual([]);
    expect(r2.ok).toBe(true);
    expect(begun).toMatchObject({ step: 'begin', clusterId: CLUSTER_ID });
    // --verify of that import: the missing id is not a part left uncompared.
    const verify = await runMigration({ ...OPTIONS, mode: 'verify' }, fakes(old, quorum({ zkMigrationState: 3, exported: importedRecords(old) })).deps);
    expect([verify.ok, verify.summary]).toEqual([true, expect.stringMatching(/^verified: /)]);
    // A /cluster/id that is there but unreadable is never replaced.
    const invalid = kafkaTree().put('/cluster/id', '{"version":"1","id":').build();
    const r3 = await runMigration({ ...OPTIONS, force: true, takeQuorumClusterId: true }, fakes(invalid, quorum()).deps);
    expect(r3.ok).toBe(false);
    expect(r3.refusals[0]).toMatch(/no usable \/cluster\/id \(see its anomaly\)/);
  });

  it('a dry run without a quorum that would be refused says so in its summary', async () => {
    const r = await runMigration({ ...OPTIONS, mode: 'dry-run' }, fakes(kafkaTree().remove('/cluster/id').build(), null).deps);
    expect(r.ok).toBe(false);
    expect(r.summary).toMatch(/^dry run: nothing written \(no --bootstrap-controller: the quorum was not checked\); the import would be refused \(1 reason\(s\)\)$/);
  });

  it('a quorum that holds an import: a no-op that says so', async () => {
    const q = quorum({ zkMigrationState: 3, topics: 5 });
    const r = await runMigration(OPTIONS, fakes(goodTree(), q).deps);
    expect(r.ok).toBe(true);
    expect(r.imported?.alreadyImported).toBe(true);
    expect(r.summary).toMatch(/already imported/);
    expect(q.calls).not.toContain('importMetadata');
  });

  it('run again after its import, it reports no anomaly for the topics that import brought (their ids are in use by themselves)', async () => {
    const q = quorum({ zkMigrationState: 3, topics: 1, topicIds: ['zZqXfC0sRZ2cW8t3lF0Qmw'] });
    const r = await runMigration(OPTIONS, fakes(goodTree(), q).deps);
    expect(r.ok).toBe(true);
    expect(r.imported?.alreadyImported).toBe(true);
    expect(r.plan.anomalies).toEqual([]);
    // Before any import, the same id in the quorum is a conflict the plan names.
    const fresh = quorum({ topics: 1, topicIds: ['zZqXfC0sRZ2cW8t3lF0Qmw'] });
    const refused = await runMigration({ ...OPTIONS, mode: 'dry-run' }, fakes(goodTree(), fresh).deps);
    expect(refused.plan.anomalies.map((a) => a.kind)).toContain('topic-id-in-use');
  });

  it('dry run writes nothing and says whether the import would go ahead', async () => {
    const q = quorum();
    const r = await runMigration({ ...OPTIONS, mode: 'dry-run' }, fakes(goodTree(), q).deps);
    expect(r.ok).toBe(true);
    expect(r.summary).toMatch(/would go ahead/);
    expect(q.calls).not.toContain('importMetadata');
    const r2 = await runMigration({ ...OPTIONS, mode: 'dry-run' }, fakes(goodTree(), quorum({ clusterId: 'AAAAAAAAAAAAAAAAAAAAAQ' })).deps);
    expect(r2.ok).toBe(false);
    expect(r2.summary).toMatch(/would be refused/);
  });

  it('verify: a quorum holding the import verifies; one formatted with another cluster id does not, nor does an import into it count as done', async () => {
    const exported = importedRecords(goodTree());
    const same = await runMigration({ ...OPTIONS, mode: 'verify' }, fakes(goodTree(), quorum({ zkMigrationState: 3, exported })).deps);
    expect(same).toMatchObject({ ok: true, summary: expect.stringMatching(/^verified/) });
    const other = await runMigration({ ...OPTIONS, mode: 'verify' }, fakes(goodTree(), quorum({ zkMigrationState: 3, exported, clusterId: 'AAAAAAAAAAAAAAAAAAAAAQ' })).deps);
    expect(other).toMatchObject({ ok: false, summary: expect.stringMatching(/not verified: ZooKeeper holds cluster .* the quorum was formatted as AAAAAAAAAAAAAAAAAAAAAQ/) });
    const again = await runMigration(OPTIONS, fakes(goodTree(), quorum({ zkMigrationState: 3, clusterId: 'AAAAAAAAAAAAAAAAAAAAAQ' })).deps);
    expect(again).toMatchObject({ ok: false, summary: expect.stringMatching(/import refused/) });
  });

  it('verify: what the plan could not read (a topic a forced import left out) is not compared, so the quorum is not verified', async () => {
    const tree = kafkaTree()
      .topic('orders', { topicId: 'YkNwuAgmQO-8m5ZAi2_o-g', partitions: { 0: [1, 2] } })
      .topic('payments', { topicId: 'zZqXfC0sRZ2cW8t3lF0Qmw', partitions: { 0: [1, 2] } })
      .put('/brokers/topics/payments/partitions/0/state', '{"leader":1,"isr":[1]') // malformed: the topic is skipped
      .build();
    const r = await runMigration({ ...OPTIONS, mode: 'verify' }, fakes(tree, quorum({ zkMigrationState: 3, exported: importedRecords(tree) })).deps);
    expect(r.verify?.differences).toEqual([]);
    expect(r).toMatchObject({ ok: false, summary: expect.stringMatching(/not verified: 1 part\(s\) of ZooKeeper could not be read or planned.*payments/) });
  });

  it('verify exports the quorum and reports differences (here: everything missing)', async () => {
    const q = quorum({ zkMigrationState: 3 });
    const r = await runMigration({ ...OPTIONS, mode: 'verify' }, fakes(goodTree(), q).deps);
    expect(q.calls).toContain('exportMetadata');
    expect(q.calls).not.toContain('importMetadata');
    expect(r.ok).toBe(false);
    expect(r.verify?.differences.map((d) => `${d.kind} ${d.name}`)).toEqual(expect.arrayContaining(['missing-in-quorum topic orders']));
  });
});
