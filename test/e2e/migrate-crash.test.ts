// A crash during migrate-from-zk leaves all of the import or none of it, and a re-run completes it.
// The tree is the benchmark's (2,000 topics × 10 partitions, ~46,000 znodes): its import is one
// metadata transaction of ~22,000 records spread over many batches, so a crash can land inside it.
//
// Three interruptions, each on a fresh split-mode cluster (3 controllers + 2 brokers):
// - the command is SIGKILLed as soon as it says it is writing (its import session may have begun:
//   the active controller aborts it once it has been quiet for 30 s, and the re-run waits for that);
// - the active controller is SIGKILLed shortly after the command says it is writing (the
//   transaction is then mid-replication; the next leader aborts it if it is not complete).
// - the command is interrupted with SIGINT while writing: it aborts its session before it exits.
// After each: every live node, observed repeatedly, shows either no topic and no migration marker
// or every topic and the marker (POST_MIGRATION = 3), never anything in between; the command run
// again exits 0 and every node then shows the whole import.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askNode } from '../../tools/admin/admin-client.js';
import { CLI, runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../tools/zookeeper/local-zookeeper.js';
import { benchmarkTree, KAFKA_TREE_CLUSTER_ID, populateAndClose } from '../../tools/zookeeper/kafka-trees.js';

const TOPICS = 2_000;
const PARTITIONS = 10;
const CHROOT = '/kafka';

interface NodeView {
  readonly id: number;
  readonly marker: number;
  readonly topics: number;
  readonly partitions: number;
}

/**
 * One node's view. The marker and the topics come from two reads, and the import may land between
 * them: the marker is read before and after the topics, and a view where it moved is read again
 * (else the observation itself would look like a partial import).
 */
async function viewOf(id: number, port: number): Promise<NodeView> {
  const o = { timeoutMs: 10_000 };
  const marker = async () => (await askNode({ host: '127.0.0.1', port }, 'describeNode', {}, o)).zkMigrationState;
  for (let attempt = 0; ; attempt++) {
    const before = await marker();
    const d = await askNode({ host: '127.0.0.1', port }, 'describeTopics', {}, o);
    const after = await marker();
    if (before !== after && attempt < 10) continue;
    let partitions = 0;
    for (const t of d.topics) partitions += t.partitions.length;
    return { id, marker: after, topics: d.topics.length, partitions };
  }
}

/** Every running node's view (controllers on their controller listener, brokers on their client listener). */
async function views(t: TestCluster): Promise<NodeView[]> {
  const out: NodeView[] = [];
  for (const n of t.cluster.nodes) {
    if (!t.cluster.isRunning(n.id)) continue;
    out.push(await viewOf(n.id, n.controllerPort ?? n.clientPort!));
  }
  return out;
}

const NONE = (v: NodeView) => v.marker === 0 && v.topics === 0 && v.partitions === 0;
const ALL = (v: NodeView) => v.marker === 3 && v.topics === TOPICS && v.partitions === TOPICS * PARTITIONS;

/** Observes every node `rounds` times; each view must be all or nothing. Returns the outcomes seen. */
async function expectAllOrNothing(t: TestCluster, rounds: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < rounds; i++) {
    for (const v of await views(t)) {
      expect(NONE(v) || ALL(v), `node ${v.id} shows a partial import: ${JSON.stringify(v)}`).toBe(true);
      seen.add(NONE(v) ? 'none' : 'all');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

/** Starts the command; resolves once its progress matches `until` (by default: it says it is writing; the child keeps running). */
function startMigration(zk: string, quorum: string, until = /quorum: writing/): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<number | null>; signal: () => NodeJS.Signals | null; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    // --force: the tree's replicas name brokers 1-5, and 1-3 are this split cluster's controllers.
    const child = spawn(process.execPath, [CLI, 'migrate-from-zk', '--zookeeper-connect', zk, '--bootstrap-controller', quorum, '--force'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signal: NodeJS.Signals | null = null;
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code, sig) => {
        signal = sig;
        r(code);
      }),
    );
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until.test(stderr)) resolve({ child, exited, signal: () => signal, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`migrate-from-zk exited (${code}) before writing: ${stderr}`)));
  });
}

async function activeController(t: TestCluster): Promise<number> {
  const c = t.cluster.controllers[0]!;
  return until('an active controller', 20_000, async () => (await askNode({ host: '127.0.0.1', port: c.controllerPort! }, 'describeNode', {}, { timeoutMs: 5_000 })).activeControllerId ?? undefined);
}

async function rerunAndExpectComplete(t: TestCluster, zk: string, o: { readonly expectNoWait?: boolean } = {}): Promise<string> {
  const again = await runCli(['migrate-from-zk', '--zookeeper-connect', zk, '--bootstrap-controller', t.cluster.bootstrapControllers(), '--force'], 120_000);
  expect(again.code, again.stderr).toBe(0);
  if (o.expectNoWait === true) expect(again.stderr).not.toMatch(/waiting: another import/);
  expect(again.stdout).toMatch(/already imported|imported 2000 topics/);
  await until('every node shows the whole import', 60_000, async () => ((await views(t)).every(ALL) ? true : undefined), 200);
  return again.stdout.includes('already imported') ? 'already imported' : 'imported';
}

describe.sequential('migrate-from-zk: crashes mid-import', { timeout: 300_000 }, () => {
  let zk: ZooKeeperCluster;

  beforeAll(async () => {
    zk = await startZooKeeper({ ensemble: 1 });
    await populateAndClose(zk.connectString, benchmarkTree({ topics: TOPICS, partitions: PARTITIONS, chroot: CHROOT }));
  }, 180_000);

  afterAll(async () => {
    await zk?.stop();
  }, 60_000);

  it('the command killed while writing: all or nothing, and a re-run completes', async () => {
    const t = await startTestCluster({ controllers: 3, brokers: 2, combined: false }, [], { clusterId: KAFKA_TREE_CLUSTER_ID });
    try {
      const run = await startMigration(zk.connectStringWith(CHROOT), t.cluster.bootstrapControllers());
      run.child.kill('SIGKILL');
      await run.exited;
      const seen = await expectAllOrNothing(t, 20);
      const rerun = await rerunAndExpectComplete(t, zk.connectStringWith(CHROOT));
      console.log(`command killed: nodes showed ${[...seen].join(' / ')} afterwards; the re-run ${rerun}`);
    } finally {
      await t.dispose();
    }
  });

  it('the command interrupted (SIGINT) while writing aborts its import: nothing shows, and a re-run completes without waiting for it', async () => {
    const t = await startTestCluster({ controllers: 3, brokers: 2, combined: false }, [], { clusterId: KAFKA_TREE_CLUSTER_ID });
    try {
      const run = await startMigration(zk.connectStringWith(CHROOT), t.cluster.bootstrapControllers());
      await new Promise((r) => setTimeout(r, 200)); // its session open, a part or two written
      run.child.kill('SIGINT');
      expect(await run.exited, run.stderr()).toBe(1);
      expect(run.stderr()).toMatch(/SIGINT: stopping.*\n(.|\n)*cancelled and aborted: nothing of it became visible/);
      expect([...(await expectAllOrNothing(t, 10))]).toEqual(['none']);
      const rerun = await rerunAndExpectComplete(t, zk.connectStringWith(CHROOT), { expectNoWait: true });
      expect(rerun).toBe('imported');
    } finally {
      await t.dispose();
    }
  });

  it('the command interrupted (SIGINT) before writing, while it reads ZooKeeper, ends at once, as the signal does', async () => {
    const t = await startTestCluster({ controllers: 3, brokers: 2, combined: false }, [], { clusterId: KAFKA_TREE_CLUSTER_ID });
    try {
      const run = await startMigration(zk.connectStringWith(CHROOT), t.cluster.bootstrapControllers(), /zookeeper: /);
      const sentAt = Date.now();
      run.child.kill('SIGINT');
      await run.exited;
      expect(run.signal(), run.stderr()).toBe('SIGINT');
      expect(Date.now() - sentAt).toBeLessThan(2_000); // the walk alone takes about 3 s
      expect(run.stderr()).not.toMatch(/quorum: writing/);
      expect([...(await expectAllOrNothing(t, 5))]).toEqual(['none']);
    } finally {
      await t.dispose();
    }
  });

  it('the active controller killed mid-import: all or nothing on the survivors, and after its restart a re-run completes', async () => {
    const unexpected: string[] = [];
    const t = await startTestCluster({ controllers: 3, brokers: 2, combined: false }, unexpected, { clusterId: KAFKA_TREE_CLUSTER_ID });
    try {
      const leader = await activeController(t);
      const run = await startMigration(zk.connectStringWith(CHROOT), t.cluster.bootstrapControllers());
      // The request is on its way; the controller needs a while to encode, append and replicate it.
      await new Promise((r) => setTimeout(r, 150));
      await t.cluster.kill(leader);
      const seen = await expectAllOrNothing(t, 30);
      const code = await run.exited;
      t.cluster.start(leader);
      await until(`controller ${leader} back`, 30_000, async () => (await viewOf(leader, t.cluster.node(leader).controllerPort!)) !== undefined || undefined);
      await expectAllOrNothing(t, 10);
      const rerun = await rerunAndExpectComplete(t, zk.connectStringWith(CHROOT));
      console.log(`controller ${leader} killed mid-import: survivors showed ${[...seen].join(' / ')}; the command exited ${code}; the re-run ${rerun}`);
      // The restarted controller caught up with the same log.
      expect(ALL(await viewOf(leader, t.cluster.node(leader).controllerPort!))).toBe(true);
    } finally {
      await t.dispose();
    }
  });
});
