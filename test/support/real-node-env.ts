// A RaftNode's environment on real storage in a fresh temporary directory, for tests that run real
// nodes in one process (the in-process transport): what each such test used to build for itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, NodeEnv, Transport } from '../../quorum/env/index.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { realClock } from '../../quorum/node/real-env.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { SeqRandom } from './core-cluster.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The env, and `cleanup` gets what closes the log and removes the directory. */
export async function realNodeEnv(cleanup: (() => Promise<void>)[], transport: Transport, seed = 5): Promise<NodeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-node-'));
  const log = await SegmentLogStorage.open(join(dir, 'log'), silentLogger);
  cleanup.push(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    clock: realClock,
    random: new SeqRandom(seed),
    transport,
    log,
    quorumStateStore: new FileQuorumStateStore(join(dir, 'quorum-state')),
    snapshotStore: await FileSnapshotStore.open(join(dir, 'snapshots'), silentLogger),
    logger: silentLogger,
  };
}
