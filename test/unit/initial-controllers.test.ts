// `format --initial-controllers` / `--no-initial-controllers`: what a new node is told about the
// voters' directories (tools/config/initial-controllers.ts). The list must match
// controller.quorum.voters; a voter takes its own entry's directory id; the map goes into the
// metadata directory's quorum state before meta.properties; a replacement knows only that it is
// not counted yet; and a metadata directory that holds a quorum state but no meta.properties is
// refused rather than formatted over.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../tools/cli/common.js';
import { StorageError } from '../../tools/config/errors.js';
import { formatStorage } from '../../tools/config/format.js';
import { parseInitialControllers, type VoterBootstrap } from '../../tools/config/initial-controllers.js';
import { readMetaProperties } from '../../tools/config/meta-properties.js';
import { type NodeConfig, parseServerConfig } from '../../tools/config/server-config.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { metadataStoragePaths } from '../../quorum/node/layout.js';

const CLUSTER = 'MkU3OEVBNTcwNTJENDM2Qg';
const DIR = { 1: 'hN1o3v0aQpWm1fCz2bKx4g', 2: 'q1Sh-9_ISia_zwGINzRvyQ', 3: 'Ekn_m0xvSNeMROqjFfX1dw' } as const;
const VOTERS = '1@127.0.0.1:9093,2@127.0.0.1:9094,3@[::1]:9095';
const LIST = `1@127.0.0.1:9093:${DIR[1]},2@127.0.0.1:9094:${DIR[2]},3@[::1]:9095:${DIR[3]}`;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-initial-controllers-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function nodeConfig(nodeId: number, roles = 'controller'): NodeConfig {
  const port = 9092 + nodeId;
  const props = new Map(
    Object.entries({
      'process.roles': roles,
      'node.id': String(nodeId),
      'controller.quorum.voters': VOTERS,
      'controller.listener.names': 'CONTROLLER',
      listeners: roles === 'broker' ? `PLAINTEXT://127.0.0.1:${port + 100}` : `CONTROLLER://127.0.0.1:${port}`,
      'metadata.log.dir': join(root, `n${nodeId}`, 'meta'),
      'log.dirs': join(root, `n${nodeId}`, 'data'),
    }),
  );
  return parseServerConfig(props, () => {});
}

const initial = (config: NodeConfig): VoterBootstrap => ({ kind: 'initial-controllers', directories: parseInitialControllers(LIST, config.voters) });
const quorumStateOf = (config: NodeConfig) => new FileQuorumStateStore(metadataStoragePaths(config.metadataLogDir).quorumStateFile).read();

describe('parseInitialControllers', () => {
  const voters = [
    { id: 1, host: '127.0.0.1', port: 9093 },
    { id: 2, host: '127.0.0.1', port: 9094 },
    { id: 3, host: '::1', port: 9095 },
  ];

  it('the voters above are what controller.quorum.voters parses to', () => {
    expect(nodeConfig(1).voters).toEqual(voters);
  });

  it('reads id@host:port:directoryId for every voter, IPv6 in brackets', () => {
    expect(Object.fromEntries(parseInitialControllers(LIST, voters))).toEqual({ 1: DIR[1], 2: DIR[2], 3: DIR[3] });
  });

  it.each([
    ['a voter missing', `1@127.0.0.1:9093:${DIR[1]},2@127.0.0.1:9094:${DIR[2]}`, /no entry for voter 3/],
    ['a node that is not a voter', `${LIST},4@127.0.0.1:9096:AAAAAAAAAAAAAAAAAAAABA`, /node 4 is not in controller.quorum.voters/],
    ['another endpoint than the voters list', LIST.replace('2@127.0.0.1:9094', '2@localhost:9094'), /node 2 is at localhost:9094 here but at 127.0.0.1:9094/],
    ['a voter named twice', `${LIST},1@127.0.0.1:9093:AAAAAAAAAAAAAAAAAAAABA`, /node 1 is named twice/],
    ['two voters with one directory', LIST.replace(DIR[2], DIR[1]), /nodes 1 and 2 have the same directory id/],
    ['a directory id that is not a uuid', LIST.replace(DIR[3], 'not-a-uuid'), /"not-a-uuid" \(node 3\) is not a directory id/],
    ['the zero uuid', LIST.replace(DIR[3], 'AAAAAAAAAAAAAAAAAAAAAA'), /is not a directory id/],
    ['an entry without a directory id', '1@127.0.0.1:9093', /expected id@host:port:directoryId/],
  ])('refuses %s (usage error)', (_what, list, message) => {
    let error: unknown;
    try {
      parseInitialControllers(list, voters);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('format with the initial controllers', () => {
  it('a voter takes its entry\'s directory id, and its quorum state starts with every voter\'s directory', async () => {
    for (const id of [1, 2, 3]) {
      const config = nodeConfig(id);
      await formatStorage(config, CLUSTER, { ignoreFormatted: false, voters: initial(config) });
      expect((await readMetaProperties(config.metadataLogDir))!.directoryId).toBe(DIR[id as 1 | 2 | 3]);
      expect(await quorumStateOf(config)).toEqual({ epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map: { 1: DIR[1], 2: DIR[2], 3: DIR[3] }, strict: true } });
      // log.dirs get directory ids of their own
      expect((await readMetaProperties(config.logDirs[0]!))!.directoryId).not.toBe(DIR[id as 1 | 2 | 3]);
    }
  });

  it('a broker gets a fresh directory id and the same map', async () => {
    const config = nodeConfig(7, 'broker');
    await formatStorage(config, CLUSTER, { ignoreFormatted: false, voters: initial(config) });
    expect(Object.values(DIR)).not.toContain((await readMetaProperties(config.metadataLogDir))!.directoryId);
    expect((await quorumStateOf(config))?.voterDirectories?.map).toEqual({ 1: DIR[1], 2: DIR[2], 3: DIR[3] });
  });

  it('--no-initial-controllers: a voter knows only that it is not counted yet; a broker writes no quorum state', async () => {
    const voter = nodeConfig(2);
    await formatStorage(voter, CLUSTER, { ignoreFormatted: false, voters: { kind: 'replacing' } });
    expect(await quorumStateOf(voter)).toEqual({ epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map: { 2: null }, strict: true } });
    const broker = nodeConfig(7, 'broker');
    await formatStorage(broker, CLUSTER, { ignoreFormatted: false, voters: { kind: 'replacing' } });
    expect(await quorumStateOf(broker)).toBeUndefined();
  });

  it('without either, no quorum state is written (directories trusted on first use)', async () => {
    const config = nodeConfig(1);
    await formatStorage(config, CLUSTER, { ignoreFormatted: false });
    expect(await quorumStateOf(config)).toBeUndefined();
    expect(await readdir(config.metadataLogDir)).toEqual(['meta.properties']);
  });

  it('refuses a metadata directory that holds a quorum state but no meta.properties, and leaves it as it was', async () => {
    const config = nodeConfig(1);
    const store = new FileQuorumStateStore(metadataStoragePaths(config.metadataLogDir).quorumStateFile);
    await store.write({ epoch: 7, leaderId: null, votedId: 2 });
    let error: unknown;
    try {
      await formatStorage(config, CLUSTER, { ignoreFormatted: false, voters: initial(config) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/is not formatted but holds a quorum state/);
    expect(await store.read()).toEqual({ epoch: 7, leaderId: null, votedId: 2 });
    expect(await readMetaProperties(config.metadataLogDir)).toBeUndefined();
  });
});
