// A snapshot that fails while it is written may be tried again; one whose commit (fsync, rename,
// directory sync) fails stops the node, as a failed append does: after a failed fsync the kernel
// may have dropped the dirty pages, so what the disk holds is unknown. From a durability review.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeEnv, SnapshotStore } from '../../quorum/env/index.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { realClock } from '../../quorum/node/real-env.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { SnapshotId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { SeqRandom } from '../support/core-cluster.js';
import { recordingLogger, type LogLine } from '../support/recording-logger.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });

/** The real store, with its writers failing at `where` (create-once: the first create throws, as for an id whose writer is still open). */
function failingAt(real: SnapshotStore, where: 'write' | 'commit' | 'create-once'): SnapshotStore {
  let createFailed = false;
  return {
    list: () => real.list(),
    read: (id, p, n) => real.read(id, p, n),
    size: (id) => real.size(id),
    readAll: (id) => real.readAll(id),
    delete: (id) => real.delete(id),
    create: (id: SnapshotId) => {
      if (where === 'create-once' && !createFailed) {
        createFailed = true;
        throw new Error(`snapshot ${id.endOffset}-${id.epoch} is already being written`);
      }
      const w = real.create(id);
      return {
        snapshotId: id,
        write: async (chunk) => {
          if (where === 'write') throw eio();
          await w.write(chunk);
        },
        abort: () => w.abort(),
        commit: async () => {
          if (where === 'commit') {
            await w.abort();
            throw eio();
          }
          return w.commit();
        },
      };
    },
  };
}

/** A single-voter node on real files whose snapshot writers fail at `where`, leading, with one record applied. */
async function leadingNode(where: 'write' | 'commit' | 'create-once'): Promise<{ node: RaftNode; fatal: () => unknown; lines: LogLine[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-snapshot-failure-'));
  const lines: LogLine[] = [];
  const logger = recordingLogger(lines);
  const log = await SegmentLogStorage.open(join(dir, 'log'), logger);
  const env: NodeEnv = {
    clock: realClock,
    random: new SeqRandom(3),
    transport: new LocalHub().transport(1),
    log,
    quorumStateStore: new FileQuorumStateStore(join(dir, 'quorum-state')),
    snapshotStore: failingAt(await FileSnapshotStore.open(join(dir, 'snapshots'), logger), where),
    logger,
  };
  let fatal: unknown;
  const node = new RaftNode(env, raftConfig(1, [1]), { apply() {}, loadSnapshot() {} }, { onFatal: (e) => (fatal = e) });
  cleanups.push(async () => {
    await node.stop();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });
  await node.start();
  const until = Date.now() + 10_000;
  for (;;) {
    const appended = node.status().role === 'Leader' ? await node.propose([new Uint8Array([1])]).catch(() => undefined) : undefined;
    if (appended !== undefined) {
      while (node.status().appliedOffset <= appended.offset && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      break;
    }
    if (Date.now() > until) throw new Error('no leadership within 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return { node, fatal: () => fatal, lines };
}

describe('a failing snapshot write', () => {
  it('a chunk that cannot be written: the caller gets the error, the node goes on and may try again', async () => {
    const { node, fatal } = await leadingNode('write');
    const end = node.status().appliedOffset;
    await expect(node.createSnapshot(end, [new Uint8Array([1])])).rejects.toMatchObject({ code: 'EIO' });
    expect(fatal()).toBeUndefined();
    await expect(node.propose([new Uint8Array([2])])).resolves.toBeDefined();
    await expect(node.createSnapshot(end, [new Uint8Array([1])])).rejects.toMatchObject({ code: 'EIO' }); // tried again, not refused as busy
  });

  it('a writer that cannot be created: the caller gets the error, and the node is not left refusing every later snapshot as busy', async () => {
    const { node, fatal } = await leadingNode('create-once');
    const end = node.status().appliedOffset;
    await expect(node.createSnapshot(end, [new Uint8Array([1])])).rejects.toThrow(/already being written/);
    expect(fatal()).toBeUndefined();
    await expect(node.createSnapshot(end, [new Uint8Array([1])])).resolves.toMatchObject({ endOffset: end });
  });

  it('a commit (its fsync) that fails: the node stops on a fatal error and acknowledges nothing more', async () => {
    const { node, fatal, lines } = await leadingNode('commit');
    const end = node.status().appliedOffset;
    await expect(node.createSnapshot(end, [new Uint8Array([1])])).rejects.toMatchObject({ code: 'EIO' });
    expect(fatal()).toMatchObject({ code: 'EIO' });
    expect(lines.some((l) => l.level === 'error' && /stopped on a fatal error/.test(l.msg))).toBe(true);
    await expect(node.propose([new Uint8Array([2])])).rejects.toThrow();
  });
});
