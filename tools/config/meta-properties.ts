// meta.properties: the file `format` writes into every data directory, as Kafka's (version=1,
// cluster.id, node.id, directory.id), and the check `start` makes before touching any data.
//
// Why the check matters: a node that starts on an empty or foreign directory could vote, lead or
// serve with a log that is missing committed records (an empty metadata directory on a majority
// can elect a leader without them). So, as KRaft does, a node refuses to start unless every one
// of its directories is formatted for this cluster and this node, and the error says what to run.
//
// Writes are durable and atomic: `meta.properties.tmp` is written and fsynced, renamed over the
// target, and the directory fsynced (the same order as the quorum-state file, KAFKA-15312).
// Reads never look at the .tmp file: a leftover one is an interrupted format.

import assert from 'node:assert/strict';
import { open, readdir, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isUuid } from '../../metadata-log/records/uuid.js';
import { fsyncDir } from '../../quorum/node/fsync-dir.js';
import { METADATA_PARTITION_DIR } from '../../quorum/node/layout.js';
import { isValidClusterId } from './cluster-id.js';
import { ConfigError, StorageError } from './errors.js';
import { formatProperties, parseProperties } from './properties.js';
import type { NodeConfig } from './server-config.js';

export const META_PROPERTIES_FILE = 'meta.properties';
export const META_PROPERTIES_VERSION = 1;

export interface MetaProperties {
  readonly version: 1;
  readonly clusterId: string;
  readonly nodeId: number;
  /** This directory's own id (a Kafka Uuid): tells copies of a directory apart. */
  readonly directoryId: string;
}

/** The meta.properties of `dir`; undefined when there is none (the directory is not formatted). */
export async function readMetaProperties(dir: string): Promise<MetaProperties | undefined> {
  const file = join(dir, META_PROPERTIES_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StorageError(`cannot read ${file}: ${(e as Error).message}`, file);
  }
  const damaged = (why: string): never => {
    throw new StorageError(
      `${file} is damaged (${why}); restore it from a backup, or, if nothing in ${dir} is needed, empty the directory and run "metaquorum format" again`,
      file,
    );
  };
  let props: Map<string, string>;
  try {
    props = parseProperties(text);
  } catch (e) {
    if (e instanceof ConfigError) return damaged(e.message);
    throw e;
  }
  const field = (key: string): string => props.get(key)?.trim() ?? damaged(`no ${key}`);
  const version = field('version');
  if (version === '0') {
    // Not damaged: Kafka in ZooKeeper mode writes version=0 with broker.id. A backup cannot help;
    // the operator pointed this node at a ZooKeeper-mode Kafka broker's directory.
    const brokerId = props.get('broker.id')?.trim();
    throw new StorageError(
      `${file} was written by a Kafka broker in ZooKeeper mode (version=0${brokerId === undefined ? '' : `, broker.id=${brokerId}`}), not by "metaquorum format": ` +
        `${dir} is that broker's data directory. Give this node a directory of its own and format it; to bring the ZooKeeper cluster's metadata over, use "metaquorum migrate-from-zk"`,
      file,
    );
  }
  if (version !== String(META_PROPERTIES_VERSION)) damaged(`version ${JSON.stringify(version)}; this build reads version ${META_PROPERTIES_VERSION}`);
  const clusterId = field('cluster.id');
  if (!isValidClusterId(clusterId)) damaged(`cluster.id ${JSON.stringify(clusterId)} is not a cluster id`);
  const nodeIdText = field('node.id');
  const nodeId = Number(nodeIdText);
  if (!/^\d+$/.test(nodeIdText) || nodeId > 2 ** 31 - 1) damaged(`node.id ${JSON.stringify(nodeIdText)} is not a node id`);
  if (props.get('directory.id') === undefined) {
    // Not (only) damaged: Kafka's `kafka-storage.sh format` before 3.7 writes exactly this, a
    // KRaft meta.properties without directory.id. "Restore it from a backup" cannot help there:
    // the operator pointed this node at a Kafka node's directory (found by a review).
    throw new StorageError(
      `${file} has no directory.id, which "metaquorum format" always writes: Apache Kafka before 3.7 writes such a file (then ${dir} is a Kafka node's directory, which metaquorum cannot use: ` +
        `give this node a directory of its own and format it); otherwise the file is damaged: restore it from a backup, or, if nothing in ${dir} is needed, empty the directory and run "metaquorum format" again`,
      file,
    );
  }
  const directoryId = field('directory.id');
  if (!isUuid(directoryId)) damaged(`directory.id ${JSON.stringify(directoryId)} is not a uuid`);
  return { version: META_PROPERTIES_VERSION, clusterId, nodeId, directoryId };
}

/** Writes `dir`/meta.properties atomically and durably (`dir` must exist). */
export async function writeMetaProperties(dir: string, meta: { readonly clusterId: string; readonly nodeId: number; readonly directoryId: string }): Promise<void> {
  assert.ok(isValidClusterId(meta.clusterId), `writeMetaProperties: invalid cluster id ${JSON.stringify(meta.clusterId)}`);
  assert.ok(Number.isInteger(meta.nodeId) && meta.nodeId >= 0 && meta.nodeId <= 2 ** 31 - 1, `writeMetaProperties: invalid node id ${meta.nodeId}`);
  assert.ok(isUuid(meta.directoryId), `writeMetaProperties: invalid directory id ${JSON.stringify(meta.directoryId)}`);
  const text = formatProperties(
    new Map([
      ['version', String(META_PROPERTIES_VERSION)],
      ['cluster.id', meta.clusterId],
      ['node.id', String(meta.nodeId)],
      ['directory.id', meta.directoryId],
    ]),
    'Written by "metaquorum format". It ties this directory to one cluster and one node: do not edit it or copy it to another directory.',
  );
  const file = join(dir, META_PROPERTIES_FILE);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

/** A data directory of a node, and the key that names it (for messages). */
export interface DataDir {
  readonly dir: string;
  readonly key: 'metadata.log.dir' | 'log.dirs';
  /** How messages name it: "metadata.log.dir /x", "log.dirs entry /y", "log.dir /z (the default ...)". */
  readonly what: string;
}

/** How a log.dirs directory is named in messages, after the key that gave it. */
function logDirWhat(config: NodeConfig, dir: string): string {
  switch (config.logDirsFrom) {
    case 'log.dir':
      return `log.dir ${dir}`;
    case 'default':
      // Formatted and checked although no key names it (Kafka does the same): say where it came from.
      return `log.dir ${dir} (the default: neither log.dirs nor log.dir is set)`;
    default:
      return `log.dirs entry ${dir}`;
  }
}

/** metadata.log.dir first, then each of log.dirs not already listed (compared as absolute paths). */
export function dataDirs(config: NodeConfig): DataDir[] {
  const out: DataDir[] = [{ dir: config.metadataLogDir, key: 'metadata.log.dir', what: `metadata.log.dir ${config.metadataLogDir}` }];
  for (const dir of config.logDirs) {
    if (!out.some((d) => resolve(d.dir) === resolve(dir))) out.push({ dir, key: 'log.dirs', what: logDirWhat(config, dir) });
  }
  return out;
}

export interface FormattedStorage {
  readonly clusterId: string;
  /** directory.id of each data directory, by the directory as configured. */
  readonly directoryIds: ReadonlyMap<string, string>;
}

/**
 * Files Apache Kafka keeps directly in its __cluster_metadata-0 (a segment, its partition
 * metadata, its epoch checkpoint); metaquorum keeps its own log one level down, in log/.
 */
const KAFKA_METADATA_FILE = /^(\d{20}\.(log|index|timeindex)|partition\.metadata|leader-epoch-checkpoint)$/;

/** One of Kafka's own files in `dir`'s metadata partition, if any. */
async function kafkaMetadataFile(dir: string): Promise<string | undefined> {
  const entries = await readdir(join(dir, METADATA_PARTITION_DIR)).catch(() => [] as string[]);
  return entries.find((name) => KAFKA_METADATA_FILE.test(name));
}

const label = (d: DataDir): string => d.what;

/**
 * What `start` runs first: every data directory must hold a meta.properties for one cluster (the
 * expected one, when given) and for this node.id. Otherwise a StorageError (exit 2) says, for
 * each directory, what is wrong and what to run.
 */
export async function checkFormatted(
  config: NodeConfig,
  expectedClusterId?: string,
  options: { readonly configPath?: string; readonly overrides?: readonly string[] } = {},
): Promise<FormattedStorage> {
  const cfg = options.configPath ?? '<file>';
  // The format command suggested must name the directories start was given, --override included:
  // without them it formatted those of the file alone (found by a review).
  const formatConfig = [cfg, ...(options.overrides ?? []).map((o) => `--override ${shellWord(o)}`)].join(' ');
  const dirs = dataDirs(config);
  // A damaged meta.properties is one problem among the others, not the end of the check: every
  // directory that cannot be used is listed at once (it stopped at the first; found by a review).
  const metas = await Promise.all(
    dirs.map(async (d) => {
      try {
        return { d, meta: await readMetaProperties(d.dir) };
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        return { d, meta: undefined, damaged: e };
      }
    }),
  );
  const reference = metas.find((m) => m.meta !== undefined);
  const clusterId = expectedClusterId ?? reference?.meta?.clusterId;
  const problems: { dir: string; text: string }[] = [];
  const directoryIds = new Map<string, string>();
  const seenDirectoryIds = new Map<string, DataDir>();

  for (const { d, meta, damaged } of metas) {
    if (damaged !== undefined) {
      problems.push({ dir: d.dir, text: damaged.message });
      continue;
    }
    if (meta === undefined) {
      const text =
        clusterId === undefined
          ? `${label(d)} is not formatted: run "metaquorum format --config ${formatConfig} --cluster-id <id>" ` +
            '(a node joining a running cluster takes its id, the cluster.id in any of its nodes\' meta.properties; a new cluster gets one from "metaquorum random-cluster-id")'
          : `${label(d)} is not formatted${reference === undefined ? '' : ` (but ${label(reference.d)} is, for cluster ${reference.meta!.clusterId})`}: ` +
            `run "metaquorum format --config ${formatConfig} --cluster-id ${clusterId} --ignore-formatted" to format only the directories that are not`;
      problems.push({ dir: d.dir, text });
      continue;
    }
    if (clusterId !== undefined && meta.clusterId !== clusterId) {
      const expected =
        expectedClusterId !== undefined
          ? `this node expects cluster ${expectedClusterId}`
          : `${label(reference!.d)} belongs to cluster ${clusterId}`;
      problems.push({
        dir: d.dir,
        text:
          `${label(d)} belongs to cluster ${meta.clusterId} but ${expected}; this directory was formatted for another cluster: ` +
          `point ${d.key} at this node's own directory, or, if nothing in ${d.dir} is needed, empty it and run ` +
          `"metaquorum format --config ${formatConfig} --cluster-id ${clusterId} --ignore-formatted"`,
      });
      continue;
    }
    // Kafka's meta.properties is the same file: a KRaft Kafka node's directory passes the checks
    // above, and the node would start an empty log beside Kafka's, which it cannot read.
    const kafkaFile = d.key === 'metadata.log.dir' ? await kafkaMetadataFile(d.dir) : undefined;
    if (kafkaFile !== undefined) {
      problems.push({
        dir: d.dir,
        text:
          `${label(d)} holds Apache Kafka's own metadata log (${join(METADATA_PARTITION_DIR, kafkaFile)}), which metaquorum cannot read: ` +
          `point ${d.key} at a directory of its own and format it`,
      });
      continue;
    }
    if (meta.nodeId !== config.nodeId) {
      problems.push({
        dir: d.dir,
        text:
          `${label(d)} was formatted for node.id ${meta.nodeId} but this node's node.id is ${config.nodeId}; this directory belongs to another node: ` +
          `check node.id in ${cfg}, or point ${d.key} at node ${config.nodeId}'s own directory`,
      });
      continue;
    }
    const twin = seenDirectoryIds.get(meta.directoryId);
    if (twin !== undefined) {
      problems.push({
        dir: d.dir,
        text:
          `${label(d)} has the same directory.id (${meta.directoryId}) as ${label(twin)}: one is a copy of the other; ` +
          `empty the copy and run "metaquorum format --config ${formatConfig} --cluster-id ${clusterId!} --ignore-formatted"`,
      });
      continue;
    }
    seenDirectoryIds.set(meta.directoryId, d);
    directoryIds.set(d.dir, meta.directoryId);
  }

  const first = problems[0];
  if (first !== undefined) {
    const text = problems.length === 1 ? first.text : `${problems.length} data directories cannot be used:\n${problems.map((p) => `  - ${p.text}`).join('\n')}`;
    throw new StorageError(text, first.dir);
  }
  assert.ok(clusterId !== undefined, 'checkFormatted: no problems but no cluster id');
  return { clusterId, directoryIds };
}

/** `s` as one word of a POSIX shell command line (single-quoted unless it needs no quoting). */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
