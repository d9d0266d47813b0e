// meta.properties, `format` and the start-up check: a directory is written once per cluster and
// node, a formatted one is refused (or skipped with ignoreFormatted), and start refuses an
// unformatted, foreign-cluster or other-node directory with a message saying what to run.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../tools/cli/common.js';
import { randomClusterId } from '../../tools/config/cluster-id.js';
import { StorageError } from '../../tools/config/errors.js';
import { formatStorage } from '../../tools/config/format.js';
import { checkFormatted, dataDirs, META_PROPERTIES_FILE, readMetaProperties, writeMetaProperties } from '../../tools/config/meta-properties.js';
import { parseProperties } from '../../tools/config/properties.js';
import { type NodeConfig, parseServerConfig } from '../../tools/config/server-config.js';
import { isUuid } from '../../metadata-log/records/uuid.js';

const CLUSTER_A = 'MkU3OEVBNTcwNTJENDM2Qg';
const CLUSTER_B = 'q1Sh-9_ISia_zwGINzRvyQ';
const DIR_ID_1 = 'AAAAAAAAAAAAAAAAAAAAAg';
const DIR_ID_2 = 'AAAAAAAAAAAAAAAAAAAAAw';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-storage-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function nodeConfig(extra: Record<string, string> = {}, nodeId = 1): NodeConfig {
  const props = new Map(
    Object.entries({
      'process.roles': 'broker,controller',
      'node.id': String(nodeId),
      'controller.quorum.voters': `${nodeId}@localhost:9093`,
      'controller.listener.names': 'CONTROLLER',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'metadata.log.dir': join(root, 'meta'),
      'log.dirs': `${join(root, 'data1')},${join(root, 'data2')}`,
      ...extra,
    }),
  );
  return parseServerConfig(props, () => {});
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('meta.properties', () => {
  it('round trip: write then read gives the same fields; the file is Kafka\'s key=value form', async () => {
    await writeMetaProperties(root, { clusterId: CLUSTER_A, nodeId: 3, directoryId: DIR_ID_1 });
    expect(await readMetaProperties(root)).toEqual({ version: 1, clusterId: CLUSTER_A, nodeId: 3, directoryId: DIR_ID_1 });
    const text = await readFile(join(root, META_PROPERTIES_FILE), 'utf8');
    expect(Object.fromEntries(parseProperties(text))).toEqual({ version: '1', 'cluster.id': CLUSTER_A, 'node.id': '3', 'directory.id': DIR_ID_1 });
    expect(await readdir(root)).toEqual([META_PROPERTIES_FILE]); // no .tmp left behind
  });

  it('rewriting replaces the file', async () => {
    await writeMetaProperties(root, { clusterId: CLUSTER_A, nodeId: 3, directoryId: DIR_ID_1 });
    await writeMetaProperties(root, { clusterId: CLUSTER_B, nodeId: 4, directoryId: DIR_ID_2 });
    expect(await readMetaProperties(root)).toEqual({ version: 1, clusterId: CLUSTER_B, nodeId: 4, directoryId: DIR_ID_2 });
  });

  it('absent file or absent directory reads as undefined (not formatted)', async () => {
    expect(await readMetaProperties(root)).toBeUndefined();
    expect(await readMetaProperties(join(root, 'missing'))).toBeUndefined();
  });

  it('a leftover .tmp from an interrupted write is not read', async () => {
    await writeFile(join(root, `${META_PROPERTIES_FILE}.tmp`), `version=1\ncluster.id=${CLUSTER_A}\nnode.id=1\ndirectory.id=${DIR_ID_1}\n`);
    expect(await readMetaProperties(root)).toBeUndefined();
  });

  const good = { version: '1', 'cluster.id': CLUSTER_A, 'node.id': '1', 'directory.id': DIR_ID_1 };
  const damaged: [string, Record<string, string | undefined>, RegExp][] = [
    ['version 2', { version: '2' }, /version "2"; this build reads version 1/],
    ['no version', { version: undefined }, /no version/],
    ['no cluster.id', { 'cluster.id': undefined }, /no cluster\.id/],
    ['bad cluster.id', { 'cluster.id': 'not-a-cluster' }, /cluster\.id "not-a-cluster" is not a cluster id/],
    ['bad node.id', { 'node.id': '-1' }, /node\.id "-1" is not a node id/],
    ['huge node.id', { 'node.id': '2147483648' }, /node\.id/],
    ['no directory.id', { 'directory.id': undefined }, /no directory\.id/],
    ['bad directory.id', { 'directory.id': 'x' }, /directory\.id "x" is not a uuid/],
  ];
  for (const [name, change, message] of damaged) {
    it(`a damaged file (${name}) is a StorageError with exit code 2`, async () => {
      const fields = Object.entries({ ...good, ...change }).filter(([, v]) => v !== undefined);
      await writeFile(join(root, META_PROPERTIES_FILE), fields.map(([k, v]) => `${k}=${v}`).join('\n'));
      const e = await rejection(readMetaProperties(root));
      expect(e).toBeInstanceOf(StorageError);
      expect((e as StorageError).exitCode).toBe(2);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(join(root, META_PROPERTIES_FILE));
    });
  }

  it("Kafka's ZooKeeper-mode meta.properties (version=0, broker.id) is named as such, not called damaged", async () => {
    // As Kafka writes it (Properties#store: a date comment, any key order). The message said
    // "damaged ... restore it from a backup", which no backup can fix: the directory is a
    // ZooKeeper-mode Kafka broker's.
    await writeFile(join(root, META_PROPERTIES_FILE), `#\n#Mon Nov 20 10:00:00 UTC 2023\nbroker.id=7\nversion=0\ncluster.id=${CLUSTER_A}\n`);
    const e = await rejection(readMetaProperties(root));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).exitCode).toBe(2);
    expect(e.message).toContain(`${join(root, META_PROPERTIES_FILE)} was written by a Kafka broker in ZooKeeper mode (version=0, broker.id=7)`);
    expect(e.message).not.toMatch(/damaged|backup/);
    expect(e.message).toContain('migrate-from-zk');
  });

  it("Kafka's KRaft meta.properties from before 3.7 (no directory.id) is named as a likely Kafka node's directory, not only as damaged", async () => {
    // As kafka-storage.sh format 3.6 writes it. The message said only "damaged (no directory.id);
    // restore it from a backup", and start never reached the check that names Kafka's metadata log.
    await writeFile(join(root, META_PROPERTIES_FILE), `#\n#Mon Nov 20 10:00:00 UTC 2023\ncluster.id=${CLUSTER_A}\nnode.id=1\nversion=1\n`);
    const e = await rejection(readMetaProperties(root));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).exitCode).toBe(2);
    expect(e.message).toContain(`${join(root, META_PROPERTIES_FILE)} has no directory.id`);
    expect(e.message).toContain(`Apache Kafka before 3.7 writes such a file (then ${root} is a Kafka node's directory`);
  });

  it('a file with a broken escape is damaged, not a crash', async () => {
    await writeFile(join(root, META_PROPERTIES_FILE), 'version=\\uZZ\n');
    expect(await rejection(readMetaProperties(root))).toBeInstanceOf(StorageError);
  });
});

describe('formatStorage', () => {
  it('creates metadata.log.dir and every log dir, each with a fresh directory id', async () => {
    const config = nodeConfig();
    const result = await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    expect(result).toEqual({ formatted: [join(root, 'meta'), join(root, 'data1'), join(root, 'data2')], skipped: [] });
    const metas = await Promise.all(result.formatted.map((d) => readMetaProperties(d)));
    for (const m of metas) expect(m).toMatchObject({ version: 1, clusterId: CLUSTER_A, nodeId: 1 });
    const ids = metas.map((m) => m!.directoryId);
    for (const id of ids) expect(isUuid(id)).toBe(true);
    expect(new Set(ids).size).toBe(3);
  });

  it('metadata.log.dir that is also one of log.dirs is formatted once', async () => {
    const config = nodeConfig({ 'metadata.log.dir': join(root, 'data1') });
    const result = await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    expect(result.formatted).toEqual([join(root, 'data1'), join(root, 'data2')]);
  });

  it('refuses an already formatted directory, naming it, and writes nothing', async () => {
    const config = nodeConfig();
    await mkdir(join(root, 'data2'), { recursive: true });
    await writeMetaProperties(join(root, 'data2'), { clusterId: CLUSTER_A, nodeId: 1, directoryId: DIR_ID_1 });
    const e = await rejection(formatStorage(config, CLUSTER_A, { ignoreFormatted: false }));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).exitCode).toBe(2);
    expect(e.message).toContain(`log.dirs entry ${join(root, 'data2')} is already formatted`);
    expect(e.message).toContain('--ignore-formatted');
    expect(await readMetaProperties(join(root, 'meta'))).toBeUndefined();
    expect(await readMetaProperties(join(root, 'data1'))).toBeUndefined();
  });

  it('with ignoreFormatted a formatted directory is left as it is and reported as skipped', async () => {
    const config = nodeConfig();
    await mkdir(join(root, 'data2'), { recursive: true });
    await writeMetaProperties(join(root, 'data2'), { clusterId: CLUSTER_A, nodeId: 1, directoryId: DIR_ID_1 });
    const before = await readFile(join(root, 'data2', META_PROPERTIES_FILE), 'utf8');
    const result = await formatStorage(config, CLUSTER_A, { ignoreFormatted: true });
    expect(result).toEqual({ formatted: [join(root, 'meta'), join(root, 'data1')], skipped: [join(root, 'data2')] });
    expect(await readFile(join(root, 'data2', META_PROPERTIES_FILE), 'utf8')).toBe(before);
    const again = await formatStorage(config, CLUSTER_A, { ignoreFormatted: true });
    expect(again).toEqual({ formatted: [], skipped: [join(root, 'meta'), join(root, 'data1'), join(root, 'data2')] });
  });

  it('even with ignoreFormatted a directory of another cluster or node is refused', async () => {
    const config = nodeConfig();
    await mkdir(join(root, 'data1'), { recursive: true });
    await writeMetaProperties(join(root, 'data1'), { clusterId: CLUSTER_B, nodeId: 1, directoryId: DIR_ID_1 });
    const e = await rejection(formatStorage(config, CLUSTER_A, { ignoreFormatted: true }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toContain(`already formatted for another cluster (${CLUSTER_B}, not ${CLUSTER_A})`);
    await writeMetaProperties(join(root, 'data1'), { clusterId: CLUSTER_A, nodeId: 2, directoryId: DIR_ID_1 });
    const n = await rejection(formatStorage(config, CLUSTER_A, { ignoreFormatted: true }));
    expect(n.message).toContain('already formatted for node.id 2, not 1');
  });

  it('an invalid cluster id is a usage error (exit 2) and nothing is created', async () => {
    for (const bad of ['', 'not-a-uuid', 'AAAAAAAAAAAAAAAAAAAAAA']) {
      const e = await rejection(formatStorage(nodeConfig(), bad, { ignoreFormatted: false }));
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(2);
      expect(e.message).toContain(JSON.stringify(bad));
    }
    expect(await readdir(root)).toEqual([]);
  });

  it('a path that cannot be a directory is a StorageError naming it', async () => {
    await writeFile(join(root, 'file'), 'x');
    const config = nodeConfig({ 'metadata.log.dir': join(root, 'file', 'meta') });
    const e = await rejection(formatStorage(config, CLUSTER_A, { ignoreFormatted: false }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toContain(join(root, 'file', 'meta'));
  });

  it('a later directory that cannot be created leaves the earlier ones unformatted: fixed, the same format runs again', async () => {
    await writeFile(join(root, 'file'), 'x');
    const bad = nodeConfig({ 'log.dirs': `${join(root, 'data1')},${join(root, 'file', 'sub')}` });
    const e = await rejection(formatStorage(bad, CLUSTER_A, { ignoreFormatted: false }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toContain(join(root, 'file', 'sub'));
    expect(await readMetaProperties(join(root, 'meta'))).toBeUndefined();
    expect(await readMetaProperties(join(root, 'data1'))).toBeUndefined();
    const fixed = await formatStorage(nodeConfig({ 'log.dirs': join(root, 'data1') }), CLUSTER_A, { ignoreFormatted: false });
    expect(fixed.formatted.sort()).toEqual([join(root, 'data1'), join(root, 'meta')].sort());
  });
});

describe('checkFormatted', () => {
  it('ok: returns the cluster id and each directory\'s id', async () => {
    const config = nodeConfig();
    await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    const r = await checkFormatted(config);
    expect(r.clusterId).toBe(CLUSTER_A);
    expect([...r.directoryIds.keys()]).toEqual([join(root, 'meta'), join(root, 'data1'), join(root, 'data2')]);
    expect(r.directoryIds.get(join(root, 'data1'))).toBe((await readMetaProperties(join(root, 'data1')))!.directoryId);
    expect((await checkFormatted(config, CLUSTER_A)).clusterId).toBe(CLUSTER_A);
  });

  it("a metadata.log.dir holding Apache Kafka's own metadata log (same meta.properties) is refused, naming the file; metaquorum's own layout is not", async () => {
    const config = nodeConfig();
    await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    // metaquorum's own partition directory (log/, quorum-state, snapshots/) passes.
    await mkdir(join(root, 'meta', '__cluster_metadata-0', 'log'), { recursive: true });
    await writeFile(join(root, 'meta', '__cluster_metadata-0', 'quorum-state'), '{}');
    expect((await checkFormatted(config)).clusterId).toBe(CLUSTER_A);
    // A KRaft Kafka node's: its segment sits directly in the partition directory.
    await writeFile(join(root, 'meta', '__cluster_metadata-0', '00000000000000000000.log'), '');
    const e = await rejection(checkFormatted(config));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).path).toBe(join(root, 'meta'));
    expect(e.message).toBe(
      `metadata.log.dir ${join(root, 'meta')} holds Apache Kafka's own metadata log (${join('__cluster_metadata-0', '00000000000000000000.log')}), which metaquorum cannot read: ` +
        'point metadata.log.dir at a directory of its own and format it',
    );
  });

  it('unformatted: says to run format and how to get a cluster id', async () => {
    const config = nodeConfig({ 'log.dirs': join(root, 'data1'), 'metadata.log.dir': join(root, 'data1') });
    const e = await rejection(checkFormatted(config, undefined, { configPath: '/etc/mq/server.properties' }));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).exitCode).toBe(2);
    expect(e.message).toBe(
      `metadata.log.dir ${join(root, 'data1')} is not formatted: run "metaquorum format --config /etc/mq/server.properties --cluster-id <id>" (a node joining a running cluster takes its id, the cluster.id in any of its nodes' meta.properties; a new cluster gets one from "metaquorum random-cluster-id")`,
    );
  });

  it('a data directory is named after the key that gave it: log.dirs, log.dir, or the default when neither is set', () => {
    const whats = (extra: Record<string, string | undefined>) => dataDirs(nodeConfig(extra as Record<string, string>)).map((d) => d.what);
    expect(whats({})).toEqual([`metadata.log.dir ${join(root, 'meta')}`, `log.dirs entry ${join(root, 'data1')}`, `log.dirs entry ${join(root, 'data2')}`]);
    expect(whats({ 'log.dirs': undefined, 'log.dir': join(root, 'one') })).toEqual([`metadata.log.dir ${join(root, 'meta')}`, `log.dir ${join(root, 'one')}`]);
    expect(whats({ 'log.dirs': undefined })).toEqual([
      `metadata.log.dir ${join(root, 'meta')}`,
      'log.dir /tmp/kraft-combined-logs (the default: neither log.dirs nor log.dir is set)',
    ]);
  });

  it('several damaged meta.properties and an unformatted directory are all listed at once', async () => {
    for (const d of ['meta', 'data1']) {
      await mkdir(join(root, d), { recursive: true });
      await writeFile(join(root, d, META_PROPERTIES_FILE), 'version=2\n');
    }
    const e = await rejection(checkFormatted(nodeConfig()));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toMatch(/^3 data directories cannot be used:\n/);
    for (const d of ['meta', 'data1']) expect(e.message).toContain(join(root, d, META_PROPERTIES_FILE));
    expect(e.message).toContain(`${join(root, 'data2')} is not formatted`);
  });

  it('every unformatted directory is listed', async () => {
    const e = await rejection(checkFormatted(nodeConfig()));
    expect(e.message).toMatch(/^3 data directories cannot be used:\n/);
    for (const d of ['meta', 'data1', 'data2']) expect(e.message).toContain(`${join(root, d)} is not formatted`);
  });

  it('a new, unformatted log dir next to formatted ones: format it with the cluster id and --ignore-formatted', async () => {
    const config = nodeConfig();
    await formatStorage(nodeConfig({ 'log.dirs': join(root, 'data1') }), CLUSTER_A, { ignoreFormatted: false });
    const e = await rejection(checkFormatted(config, undefined, { configPath: 'server.properties' }));
    expect(e.message).toBe(
      `log.dirs entry ${join(root, 'data2')} is not formatted (but metadata.log.dir ${join(root, 'meta')} is, for cluster ${CLUSTER_A}): ` +
        `run "metaquorum format --config server.properties --cluster-id ${CLUSTER_A} --ignore-formatted" to format only the directories that are not`,
    );
  });

  it("the format command suggested carries start's --override entries, so that it formats the directories start was given", async () => {
    const config = nodeConfig();
    await formatStorage(nodeConfig({ 'log.dirs': join(root, 'data1') }), CLUSTER_A, { ignoreFormatted: false });
    const overrides = [`log.dirs=${join(root, 'data1')},${join(root, 'data2')}`, "broker.rack=rack 'a'"];
    const e = await rejection(checkFormatted(config, undefined, { configPath: 'server.properties', overrides }));
    expect(e.message).toContain(
      `run "metaquorum format --config server.properties --override log.dirs=${join(root, 'data1')},${join(root, 'data2')} --override 'broker.rack=rack '\\''a'\\''' --cluster-id ${CLUSTER_A} --ignore-formatted"`,
    );
  });

  it('cluster mismatch between directories: names both clusters and says the directory is another cluster\'s', async () => {
    const config = nodeConfig();
    await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    await writeMetaProperties(join(root, 'data2'), { clusterId: CLUSTER_B, nodeId: 1, directoryId: DIR_ID_2 });
    const e = await rejection(checkFormatted(config));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).path).toBe(join(root, 'data2'));
    expect(e.message).toContain(`log.dirs entry ${join(root, 'data2')} belongs to cluster ${CLUSTER_B} but metadata.log.dir ${join(root, 'meta')} belongs to cluster ${CLUSTER_A}`);
    expect(e.message).toContain('this directory was formatted for another cluster');
  });

  it('cluster mismatch against the expected cluster id', async () => {
    const config = nodeConfig();
    await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    const e = await rejection(checkFormatted(config, CLUSTER_B));
    expect(e.message).toMatch(/^3 data directories cannot be used/);
    expect(e.message).toContain(`metadata.log.dir ${join(root, 'meta')} belongs to cluster ${CLUSTER_A} but this node expects cluster ${CLUSTER_B}`);
  });

  it('node id mismatch: names both node ids', async () => {
    const formattedFor2 = nodeConfig({}, 2);
    await formatStorage(formattedFor2, CLUSTER_A, { ignoreFormatted: false });
    const e = await rejection(checkFormatted(nodeConfig({ 'log.dirs': join(root, 'data1') }, 1), undefined, { configPath: 'n1.properties' }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toContain(`metadata.log.dir ${join(root, 'meta')} was formatted for node.id 2 but this node's node.id is 1`);
    expect(e.message).toContain('check node.id in n1.properties');
  });

  it('a copied directory (same directory.id twice) is refused', async () => {
    const config = nodeConfig();
    await formatStorage(config, CLUSTER_A, { ignoreFormatted: false });
    const copied = (await readMetaProperties(join(root, 'data1')))!;
    await writeMetaProperties(join(root, 'data2'), copied);
    const e = await rejection(checkFormatted(config));
    expect(e.message).toContain(`log.dirs entry ${join(root, 'data2')} has the same directory.id (${copied.directoryId}) as log.dirs entry ${join(root, 'data1')}`);
  });

  it('format then check, for random cluster ids and several node ids', async () => {
    for (const nodeId of [0, 5, 2 ** 31 - 1]) {
      const clusterId = randomClusterId();
      const config = nodeConfig({ 'metadata.log.dir': join(root, `n${nodeId}`, 'meta'), 'log.dirs': join(root, `n${nodeId}`, 'data') }, nodeId);
      await formatStorage(config, clusterId, { ignoreFormatted: false });
      expect((await checkFormatted(config, clusterId)).clusterId).toBe(clusterId);
    }
  });
});
