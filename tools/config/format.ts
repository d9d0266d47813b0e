// `metaquorum format` (Kafka's `kafka-storage.sh format`): creates metadata.log.dir and each of
// log.dirs and writes meta.properties into each, with this cluster id, this node id and a fresh
// random directory id. Formatting is explicit, never automatic, for the reason in
// meta-properties.ts: an empty directory that formats itself can lose committed metadata.
//
// All directories are checked, and created, before any is written, so a refusal leaves nothing
// half done. A
// directory that already holds meta.properties is refused (exit 2), or, with ignoreFormatted
// (Kafka's --ignore-formatted), left untouched and reported as skipped; either way a directory
// formatted for another cluster or another node.id is refused, since the node could not start
// on it. A damaged meta.properties is refused too.
//
// What the node is told about the voters' directories (initial-controllers.ts) goes into the
// metadata directory's quorum-state file, written before its meta.properties: an interrupted
// format leaves no meta.properties, and a metadata directory that holds a quorum state but no
// meta.properties is refused (a stale vote or directory map must not be formatted over).

import { existsSync } from 'node:fs';
import { mkdirDurably } from '../../quorum/node/fsync-dir.js';
import { metadataStoragePaths } from '../../quorum/node/layout.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { UsageError } from '../cli/common.js';
import { cryptoRandom, isValidClusterId } from './cluster-id.js';
import { StorageError } from './errors.js';
import { bootstrapDirectoryId, bootstrapQuorumState, writeBootstrapQuorumState, type VoterBootstrap } from './initial-controllers.js';
import { dataDirs, readMetaProperties, writeMetaProperties } from './meta-properties.js';
import type { NodeConfig } from './server-config.js';

export interface FormatResult {
  /** Directories written in this run. */
  readonly formatted: string[];
  /** Directories already formatted for this cluster and node, left as they were (ignoreFormatted). */
  readonly skipped: string[];
}

export async function formatStorage(
  config: NodeConfig,
  clusterId: string,
  options: { readonly ignoreFormatted: boolean; readonly voters?: VoterBootstrap },
  random: { next(): number } = cryptoRandom,
): Promise<FormatResult> {
  const bootstrap = options.voters ?? { kind: 'first-use' };
  const isVoter = config.processRoles.includes('controller') && config.voters.some((v) => v.id === config.nodeId);
  if (!isValidClusterId(clusterId)) {
    throw new UsageError(
      `--cluster-id ${JSON.stringify(clusterId)} is not a cluster id (22 characters of URL-safe base64, as "metaquorum random-cluster-id" prints)`,
    );
  }
  const dirs = dataDirs(config);
  const toWrite: string[] = [];
  const skipped: string[] = [];
  for (const { dir, key, what } of dirs) {
    const meta = await readMetaProperties(dir);
    if (meta === undefined) {
      const quorumState = metadataStoragePaths(dir).quorumStateFile;
      if (key === 'metadata.log.dir' && existsSync(quorumState)) {
        throw new StorageError(`metadata.log.dir ${dir} is not formatted but holds a quorum state (${quorumState}): it was used by a node before; if nothing in it is needed, empty it and format again`, dir);
      }
      toWrite.push(dir);
      continue;
    }
    if (meta.clusterId !== clusterId) {
      throw new StorageError(`${what} is already formatted for another cluster (${meta.clusterId}, not ${clusterId}); if nothing in it is needed, empty it and format again`, dir);
    }
    if (meta.nodeId !== config.nodeId) {
      throw new StorageError(`${what} is already formatted for node.id ${meta.nodeId}, not ${config.nodeId}; check node.id, or use another directory`, dir);
    }
    if (!options.ignoreFormatted) {
      throw new StorageError(`${what} is already formatted (cluster ${meta.clusterId}, node.id ${meta.nodeId}); use --ignore-formatted to format only the directories that are not`, dir);
    }
    skipped.push(dir);
  }
  // Every directory is created before any is written: one that cannot be (a path under a file)
  // must not leave the others formatted, which a second run would refuse as already formatted
  // (found by a review). An empty directory left behind is simply not formatted yet.
  for (const dir of toWrite) {
    try {
      await mkdirDurably(dir);
    } catch (e) {
      throw new StorageError(`cannot create data directory ${dir}: ${(e as Error).message}`, dir);
    }
  }
  for (const dir of toWrite) {
    await writeFormattedDirectory(dir, { clusterId, nodeId: config.nodeId, isMetadataDir: dir === config.metadataLogDir, isVoter, bootstrap }, random);
  }
  return { formatted: toWrite, skipped };
}

/**
 * Formats one existing, unformatted directory: the metadata directory's quorum state first (what
 * the node is told about the voters' directories), then meta.properties, the commit point.
 */
export async function writeFormattedDirectory(
  dir: string,
  o: { readonly clusterId: string; readonly nodeId: number; readonly isMetadataDir: boolean; readonly isVoter: boolean; readonly bootstrap: VoterBootstrap },
  random: { next(): number } = cryptoRandom,
): Promise<void> {
  const state = o.isMetadataDir ? bootstrapQuorumState(o.bootstrap, o.nodeId, o.isVoter) : undefined;
  if (state !== undefined) await writeBootstrapQuorumState(dir, state);
  const directoryId = (o.isMetadataDir ? bootstrapDirectoryId(o.bootstrap, o.nodeId, o.isVoter) : undefined) ?? randomUuid(random);
  await writeMetaProperties(dir, { clusterId: o.clusterId, nodeId: o.nodeId, directoryId });
}
