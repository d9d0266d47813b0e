// readZkTree against a real Apache ZooKeeper 3.8 (Debian's package, started by the test on free
// 127.0.0.1 ports): a standalone server and a 3-node ensemble. Kafka-format trees of several eras
// (tools/zookeeper/kafka-trees.ts) are written, read back with and without a chroot, and compared
// node by node with what was written: data, stat.version, ephemeral owner, children. Also: clear
// errors (unreachable, chroot absent, bad connect strings), /zookeeper never read, a node deleted
// mid-walk recorded rather than fatal, a server of the ensemble killed mid-walk, and a timing print
// for the 46,000-znode benchmark tree (not an assertion).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { startZooKeeper, type ZooKeeperCluster } from '../../tools/zookeeper/local-zookeeper.js';
import {
  KAFKA_TREES,
  benchmarkTree,
  kafka28Tree,
  kafka3xTree,
  notKafkaTree,
  populate,
  populateAndClose,
  removeNode,
  type Populated,
  type TreeSpec,
} from '../../tools/zookeeper/kafka-trees.js';
import { inspectKafkaRoot, parseZkConnectString, probeKafkaRoot, readZkTree, ZkReaderError, type ReadZkTreeOptions } from '../../tools/migrate/zk-reader.js';
import type { ZkTree } from '../../tools/migrate/zk-tree.js';

const READ: ReadZkTreeOptions = { connectTimeoutMs: 10_000, concurrency: 64 };

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The tree read equals what was populated: the same paths (apart from those under `ignore`, which
 * other tests wrote), and for each node the same data (null for no data and for zero bytes), data
 * version, ephemeral owner and children.
 */
function expectTreeMatches(tree: ZkTree, p: Populated, ignore: readonly string[] = []): void {
  expect(tree.errors).toEqual([]);
  const ignored = (path: string) => ignore.some((i) => under(path, i));
  const expectedChildren = new Map<string, string[]>();
  for (const path of p.nodes.keys()) {
    if (path === '/') continue;
    const parent = parentOf(path);
    expectedChildren.set(parent, [...(expectedChildren.get(parent) ?? []), path.slice(path.lastIndexOf('/') + 1)]);
  }
  for (const [path, w] of p.nodes) {
    const n = tree.nodes.get(path);
    expect(n, `${path} was written but not read`).toBeDefined();
    if (n === undefined) continue;
    expect(n.data === null ? null : n.data.toString('utf8'), `data of ${path}`).toEqual(w.data === null ? null : w.data.toString('utf8'));
    expect(n.stat.version, `stat.version of ${path}`).toBe(w.version);
    expect(n.stat.ephemeralOwner, `ephemeralOwner of ${path}`).toBe(w.mode.startsWith('ephemeral') ? p.sessionId : '0');
    expect(n.stat.ctime, `ctime of ${path}`).toBeGreaterThan(1_600_000_000_000);
    expect(n.stat.mtime, `mtime of ${path}`).toBeGreaterThanOrEqual(n.stat.ctime);
    const children = n.children.filter((c) => !ignored(path === '/' ? `/${c}` : `${path}/${c}`));
    expect(children, `children of ${path}`).toEqual([...(expectedChildren.get(path) ?? [])].sort());
  }
  if (!p.nodes.has('/')) {
    // No chroot: the real root, which the populator did not write (it holds no data).
    const root = tree.nodes.get('/');
    expect(root, 'the root').toBeDefined();
    expect(root!.data).toBeNull();
    expect(root!.children.filter((c) => !ignored(`/${c}`))).toEqual([...(expectedChildren.get('/') ?? [])].sort());
  }
  const extra = [...tree.nodes.keys()].filter((path) => path !== '/' && !p.nodes.has(path) && !ignored(path));
  expect(extra, 'nodes read that were never written').toEqual([]);
}

async function expectReaderError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a ZkReaderError').toBeInstanceOf(ZkReaderError);
  expect((e as ZkReaderError).code).toBe(code);
  expect((e as ZkReaderError).message).toMatch(message);
}

/** Children of an absolute path, through a plain client (for checks the reader must not make). */
async function rawChildren(connectString: string, path: string): Promise<string[]> {
  const client = zookeeper.createClient(connectString, { retries: 0 });
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  try {
    return await new Promise<string[]>((resolve, reject) => client.getChildren(path, (e, children) => (e ? reject(e) : resolve(children))));
  } finally {
    client.close();
  }
}

describe.sequential('readZkTree: standalone ZooKeeper', () => {
  let zk: ZooKeeperCluster;
  const sessions: Populated[] = [];
  // Every test but the first writes under one of these.
  const OTHERS = ['/t', '/bench', '/deleting'];

  beforeAll(async () => {
    zk = await startZooKeeper({ ensemble: 1 });
    console.log(`standalone ZooKeeper on ${zk.connectString} (pid ${zk.servers[0]!.pid}) serving after ${zk.startupMs} ms`);
  }, 90_000);

  afterAll(async () => {
    for (const s of sessions) await s.close();
    await zk?.stop();
  }, 30_000);

  it('reads a 2.8 tree at the root (no chroot) exactly as written, ephemeral nodes included, never touching /zookeeper', async () => {
    const p = await populate(zk.connectString, kafka28Tree());
    sessions.push(p);
    const visited: string[] = [];
    const tree = await readZkTree(zk.connectString, { ...READ, beforeRead: (path) => void visited.push(path) });
    expectTreeMatches(tree, p, OTHERS);

    // ZooKeeper's own subtree is there, and was neither read nor listed.
    expect(await rawChildren(zk.connectString, '/zookeeper')).toContain('quota');
    expect(visited.filter((v) => under(v, '/zookeeper'))).toEqual([]);
    expect([...tree.nodes.keys()].filter((v) => under(v, '/zookeeper'))).toEqual([]);
    expect(tree.nodes.get('/')!.children).not.toContain('zookeeper');
    expect(visited.length).toBe(tree.nodes.size);

    // Broker registrations and /controller are ephemeral, owned by the populator's session.
    expect(tree.nodes.get('/brokers/ids/3')!.stat.ephemeralOwner).toBe(p.sessionId);
    expect(tree.nodes.get('/controller')!.stat.ephemeralOwner).not.toBe('0');
    expect(tree.nodes.get('/brokers/topics/orders.reassigning/partitions/0/state')!.stat.version).toBe(9);

    const info = inspectKafkaRoot(tree);
    expect(info).toMatchObject({ root: '/', looksLikeKafka: true, hasBrokers: true, hasClusterId: true, clusterId: 'IM1QENJwR0yiNHFBvM4elw', hasMigration: false });
    expect(await probeKafkaRoot(zk.connectString, READ)).toEqual(info);
  });

  it.each(['kafka-0.9', 'kafka-1.1', 'kafka-3.x', 'awkward', 'malformed', 'huge-numbers', 'already-migrating', 'not-kafka'])('reads the %s tree under a chroot exactly as written', async (name) => {
    const spec: TreeSpec = KAFKA_TREES[name]!({ chroot: `/t/${name}` });
    const p = await populate(zk.connectString, spec);
    sessions.push(p);
    const progress: number[] = [];
    const tree = await readZkTree(zk.connectStringWith(spec.chroot), { ...READ, onProgress: (pr) => progress.push(pr.nodesRead) });
    expectTreeMatches(tree, p);
    expect(progress.at(-1)).toBe(tree.nodes.size);
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1]!)).toBe(true);
    // Sequential nodes carry their 10-digit suffix.
    for (const names of p.sequentialNames.values()) for (const n of names) expect(n).toMatch(/_\d{10}$/);
  });

  it('reports the awkward cases as they are in ZooKeeper', async () => {
    const t = await readZkTree(zk.connectStringWith('/t/awkward'), READ);
    const node = (path: string) => {
      const n = t.nodes.get(path);
      expect(n, path).toBeDefined();
      return n!;
    };
    // Bumped once with an empty array: zero bytes read back as null, version 1.
    expect(node('/brokers/seqid')).toMatchObject({ data: null, stat: { version: 1 } });
    // Broker 3 is down (absent), yet a replica; 1001 is an auto-generated id.
    expect(node('/brokers/ids').children).toEqual(['1', '1001', '2']);
    // Offline partition: leader -1, last ISR member kept, partition epoch = state version.
    const offline = node('/brokers/topics/mixed/partitions/1/state');
    expect(JSON.parse(offline.data!.toString())).toMatchObject({ leader: -1, isr: [3] });
    expect(offline.stat.version).toBe(4);
    // partitions/2 has no state child; partitions/4 does not exist at all.
    expect(node('/brokers/topics/mixed/partitions/2')).toMatchObject({ data: null, children: [] });
    expect(node('/brokers/topics/mixed/partitions').children).toEqual(['0', '1', '2', '3']);
    expect(node('/config/topics/mixed').data).toBeNull();
    expect(t.nodes.has('/config/topics/no-id-v2')).toBe(false);
    // Sanitized names and <default>; a config parent without data.
    expect(node('/config/users').children).toEqual(['<default>', 'alice%40example.com', 'bob']);
    expect(node('/config/users/bob').data).toBeNull();
    expect(node('/config/clients').children).toEqual(['app%2A1', 'etl%20job']);
    expect(node('/config/users/bob/clients').children).toEqual(['mobile%20app']);
    // Plain text where Kafka writes plain text.
    expect(node('/controller_epoch').data!.toString()).toBe('23');
    expect(node('/consumers/legacy-etl/offsets/legacy.clickstream_raw/1').data!.toString()).toBe('5000000000');
    expect(node('/admin/delete_topics').children).toEqual(['doomed', 'gone-long-ago']);
    expect(node('/admin/delete_topics/doomed').data).toBeNull();
    expect(node('/config/brokers/1').data!.toString()).toContain('keyFactoryAlgorithm:PBKDF2WithHmacSHA512');
    expect(node('/config/changes').children).toHaveLength(2);
  });

  it('reads only the given roots, skipping those that do not exist', async () => {
    const t = await readZkTree(zk.connectStringWith('/t/kafka-3.x'), { ...READ, roots: ['/brokers/topics', '/config', '/config/topics', '/kafka-acl'] });
    expect(t.errors).toEqual([]);
    const paths = [...t.nodes.keys()];
    expect(paths.every((p) => under(p, '/brokers/topics') || under(p, '/config'))).toBe(true);
    expect(paths).toContain('/brokers/topics/audit_log.compacted/partitions/0/state');
    expect(paths).toContain('/config/users/<default>/clients/<default>');
    expect(paths).not.toContain('/');
    expect(paths).not.toContain('/brokers/ids');
  });

  it('says whether the root holds Kafka', async () => {
    const old = await probeKafkaRoot(zk.connectStringWith('/t/kafka-0.9'), READ);
    expect(old).toMatchObject({ looksLikeKafka: true, hasBrokers: true, hasClusterId: false, clusterId: undefined });
    expect(old.summary).toMatch(/no \/cluster\/id/);
    const migrating = await probeKafkaRoot(zk.connectStringWith('/t/already-migrating'), READ);
    expect(migrating).toMatchObject({ looksLikeKafka: true, hasMigration: true });
    const other = await probeKafkaRoot(zk.connectStringWith('/t/not-kafka'), READ);
    expect(other).toMatchObject({ looksLikeKafka: false, hasBrokers: false, hasClusterId: false, children: ['hbase', 'solr'] });
    expect(other.summary).toMatch(/does not hold a Kafka tree.*hbase, solr/);
    expect(inspectKafkaRoot(await readZkTree(zk.connectStringWith('/t/not-kafka'), READ), '/t/not-kafka')).toEqual(other);
    const parent = await probeKafkaRoot(zk.connectStringWith('/t'), READ);
    expect(parent.looksLikeKafka).toBe(false);
  });

  it('fails clearly: unreachable, chroot absent, bad connect strings, ZooKeeper\'s own subtree', async () => {
    const t0 = Date.now();
    await expectReaderError(readZkTree('127.0.0.1:1', { ...READ, connectTimeoutMs: 1_000 }), 'UNREACHABLE', /ZooKeeper unreachable: no server of 127\.0\.0\.1:1 .* 1000 ms/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await expectReaderError(probeKafkaRoot('127.0.0.1:1,127.0.0.1:2/kafka', { connectTimeoutMs: 500 }), 'UNREACHABLE', /127\.0\.0\.1:1,127\.0\.0\.1:2/);
    await expectReaderError(readZkTree(zk.connectStringWith('/no/such/chroot'), READ), 'CHROOT_ABSENT', /^chroot \/no\/such\/chroot does not exist/);
    await expectReaderError(probeKafkaRoot(zk.connectStringWith('/nope'), READ), 'CHROOT_ABSENT', /chroot \/nope does not exist/);
    for (const [cs, why] of [
      [`${zk.connectString}/kafka/`, /must not end with \//],
      [`${zk.connectString}/`, /the chroot "\/" is the root/],
      [`${zk.connectString}//kafka`, /empty segment/],
      [`${zk.connectString}/kafka/../x`, /relative segment/],
      [`${zk.servers[0]!.address}/kafka,${zk.servers[0]!.address}/kafka`, /written once, after the last host/],
      [`${zk.connectString}/zookeeper/quota`, /inside ZooKeeper's own \/zookeeper/],
      ['h1:2181,,h2:2181', /empty host/],
      ['h1:99999', /port must be a number/],
      ['[::1]:2181', /IPv6/],
      ['', /empty/],
    ] as const) {
      await expectReaderError(readZkTree(cs, READ), 'BAD_CONNECT_STRING', why);
    }
    await expectReaderError(readZkTree(zk.connectString, { ...READ, roots: ['/zookeeper'] }), 'BAD_ROOT', /ZooKeeper's own subtree/);
    await expectReaderError(readZkTree(zk.connectString, { ...READ, roots: ['brokers'] }), 'BAD_ROOT', /absolute/);
    expect(parseZkConnectString('a:1,b,c:3/kafka/prod')).toEqual({ hosts: [{ host: 'a', port: 1 }, { host: 'b', port: 2181 }, { host: 'c', port: 3 }], chroot: '/kafka/prod', hostList: 'a:1,b:2181,c:3' });
  });

  it("a chroot this client may not read is ZooKeeper's error, said as such (not presented as the quorum refusing a request); with its credentials (--zk-auth) it reads", async () => {
    const client = zookeeper.createClient(zk.connectString);
    client.connect();
    await new Promise<void>((resolve) => client.once('connected', () => resolve()));
    const digest = createHash('sha1').update('owner:secret').digest('base64');
    const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', `owner:${digest}`))];
    await new Promise<void>((resolve, reject) => client.create('/locked', Buffer.from('x'), acl, zookeeper.CreateMode.PERSISTENT, (e) => (e ? reject(e) : resolve())));
    client.close();
    const err = await probeKafkaRoot(zk.connectStringWith('/locked'), READ).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ZkReaderError);
    expect(err).toMatchObject({ code: 'ZOOKEEPER_ERROR', message: expect.stringMatching(/cannot look at \/locked in ZooKeeper at .*NO_AUTH.*--zk-auth/) });
    // With the owner's credentials (migrate-from-zk --zk-auth digest:owner:secret) it reads.
    const auth = [{ scheme: 'digest', credentials: 'owner:secret' }];
    expect(await probeKafkaRoot(zk.connectStringWith('/locked'), { ...READ, auth })).toMatchObject({ looksLikeKafka: false });
    const tree = await readZkTree(zk.connectStringWith('/locked'), { ...READ, auth });
    expect(tree.errors).toEqual([]);
  });

  it('records a node deleted while the walk runs, and carries on', async () => {
    const p = await populateAndClose(zk.connectString, {
      name: 'deleting',
      description: 'victims',
      chroot: '/deleting',
      nodes: ['a', 'b', 'c', 'd'].map((n) => ({ path: `/victims/${n}`, data: n })).concat([{ path: '/victims/e/child', data: 'x' }, { path: '/keep', data: 'k' }]),
    });
    const tree = await readZkTree(zk.connectStringWith('/deleting'), {
      ...READ,
      beforeRead: async (path) => {
        // Listed by its parent, gone before it is read.
        if (path === '/victims/c') await removeNode(zk.connectString, '/deleting/victims/c');
        // A subtree: listed, then deleted with its child before either is read.
        if (path === '/victims/e') {
          await removeNode(zk.connectString, '/deleting/victims/e/child');
          await removeNode(zk.connectString, '/deleting/victims/e');
        }
      },
    });
    expect(tree.errors).toEqual([
      { path: '/victims/c', reason: 'NO_NODE (deleted while reading)' },
      { path: '/victims/e', reason: 'NO_NODE (deleted while reading)' },
    ]);
    expect(tree.nodes.get('/victims')!.children).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([...tree.nodes.keys()].sort()).toEqual(['/', '/keep', '/victims', '/victims/a', '/victims/b', '/victims/d']);
    expect(p.nodes.size).toBe(9);
  });

  it('reads the 46,000-znode benchmark tree (timing printed, not asserted)', async () => {
    const spec = benchmarkTree({ chroot: '/bench' });
    const p = await populateAndClose(zk.connectString, spec);
    let reported = 0;
    const t0 = performance.now();
    const tree = await readZkTree(zk.connectStringWith('/bench'), { ...READ, onProgress: (pr) => (reported = pr.nodesRead) });
    const ms = Math.round(performance.now() - t0);
    expect(tree.errors).toEqual([]);
    expect(tree.nodes.size).toBe(p.nodes.size);
    expect(reported).toBe(tree.nodes.size);
    expect(tree.nodes.size).toBeGreaterThanOrEqual(46_000);
    console.log(`benchmark tree: ${p.nodes.size} znodes written in ${p.elapsedMs} ms; read in ${ms} ms with concurrency ${READ.concurrency} (${Math.round(tree.nodes.size / (ms / 1000))} znodes/s)`);
  }, 180_000);
});

describe.sequential('readZkTree: 3-node ensemble', () => {
  let zk: ZooKeeperCluster;

  beforeAll(async () => {
    zk = await startZooKeeper({ ensemble: 3 });
    const modes = await Promise.all(zk.servers.map((_, i) => zk.mode(i)));
    console.log(`3-node ZooKeeper ensemble on ${zk.connectString} (pids ${zk.servers.map((s) => s.pid).join(', ')}; ${modes.join(', ')}) serving after ${zk.startupMs} ms`);
  }, 90_000);

  afterAll(async () => {
    await zk?.stop();
  }, 30_000);

  it('reads, through one server, a tree written through another: with and without the chroot', async () => {
    const p = await populate(zk.servers[0]!.address, kafka3xTree({ chroot: '/kafka' }));
    try {
      await zk.waitForSync();
      const viaChroot = await readZkTree(`${zk.servers[2]!.address}/kafka`, READ);
      expectTreeMatches(viaChroot, p);
      // The whole connect string, no chroot: the same nodes, under /kafka.
      const whole = await readZkTree(zk.connectString, READ);
      expect(whole.errors).toEqual([]);
      expect(whole.nodes.get('/')!.children).toEqual(['kafka']);
      for (const [path, n] of viaChroot.nodes) {
        const m = whole.nodes.get(path === '/' ? '/kafka' : `/kafka${path}`);
        expect(m, path).toEqual(n);
      }
      expect(whole.nodes.size).toBe(viaChroot.nodes.size + 1);
      expect(inspectKafkaRoot(whole).looksLikeKafka).toBe(false);
      expect(inspectKafkaRoot(whole).summary).toMatch(/append it \(e\.g\. host:2181\/kafka\)/);
    } finally {
      await p.close();
    }
  });

  it('finishes the walk when the server it reads from is killed mid-walk', async () => {
    const p = await populateAndClose(zk.servers[0]!.address, benchmarkTree({ topics: 200, chroot: '/failover' }));
    await zk.waitForSync();
    let killed: number | undefined;
    let n = 0;
    const tree = await readZkTree(zk.connectStringWith('/failover'), {
      ...READ,
      beforeRead: async () => {
        if (++n !== 1_000) return;
        const at = n;
        // The reader's connection is the one that has sent hundreds of requests (`cons` lists each
        // connection with its `recved` count).
        for (let i = 0; i < zk.servers.length; i++) {
          const received = [...(await zk.fourLetter(i, 'cons')).matchAll(/recved=(\d+)/g)].map((m) => Number(m[1]));
          if (received.some((r) => r >= 500)) killed = i;
        }
        if (killed !== undefined) {
          console.log(`killing server ${killed} (${await zk.mode(killed)}, pid ${zk.servers[killed]!.pid}) under the reader after ${at} nodes`);
          await zk.kill(killed);
        }
      },
    });
    expect(killed, 'found the server the reader was connected to').toBeDefined();
    expect(zk.servers[killed!]!.running).toBe(false);
    expectTreeMatches(tree, p);
    await zk.restart(killed!);
    expect(await zk.mode(killed!)).toMatch(/leader|follower/);
  }, 120_000);
});
