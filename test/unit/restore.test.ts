// Start-up against real storage: the log must start at a snapshot (KAFKA-14240), and a crash
// between writing a snapshot and dropping the log it replaces is repaired, not fatal.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger, NodeEnv } from '../../quorum/env/index.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { realClock } from '../../quorum/node/real-env.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { LogBatch, SnapshotId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { StorageInconsistentError } from '../../quorum/runtime/restore.js';
import { SeqRandom } from '../support/core-cluster.js';

const dirs: string[] = [];
const logs: SegmentLogStorage[] = [];
afterEach(async () => {
  for (const l of logs.splice(0)) await l.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function batch(baseOffset: number, count: number, epoch = 1): LogBatch {
  return { baseOffset, epoch, appendTimeMs: 0, records: Array.from({ length: count }, (_, i) => new Uint8Array([baseOffset + i])) };
}

const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (_f, m) => warnings.push(m), error() {} };

async function envAt(dir: string, on: { hub: LocalHub; nodeId: number } = { hub: new LocalHub(), nodeId: 1 }): Promise<NodeEnv> {
  const log = await SegmentLogStorage.open(join(dir, 'log'), logger);
  logs.push(log);
  return {
    clock: realClock,
    random: new SeqRandom(3),
    transport: on.hub.transport(on.nodeId),
    log,
    quorumStateStore: new FileQuorumStateStore(join(dir, 'quorum-state')),
    snapshotStore: await FileSnapshotStore.open(join(dir, 'snapshots'), logger),
    logger,
  };
}

class Recorder {
  loaded: SnapshotId[] = [];
  /** The first byte of every record applied, in order. */
  applied: number[] = [];
  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) for (const r of b.records) this.applied.push(r[0]!);
  }
  loadSnapshot(id: SnapshotId): void {
    this.loaded.push(id);
  }
}

async function writeSnapshot(env: NodeEnv, id: SnapshotId): Promise<void> {
  const w = env.snapshotStore.create(id);
  await w.write(new Uint8Array([1, 2, 3]));
  await w.commit();
}

async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'mq-restore-'));
  dirs.push(d);
  return d;
}

describe('start-up reconciles the log with the snapshots', () => {
  it('KAFKA-14240: a log that starts above 0 with no snapshot refuses to start, saying what to do', async () => {
    const env = await envAt(await freshDir());
    await env.log.load();
    await env.log.append([batch(0, 5), batch(5, 5)], true);
    await env.log.deletePrefix(5);
    const node = new RaftNode(env, raftConfig(1, [1]), new Recorder());
    const err = await node.start().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageInconsistentError);
    expect(String((err as Error).message)).toMatch(/starts at offset 5 .* no valid snapshot .* re-format/);
  });

  it('a log that starts above its newest valid snapshot (the one at the log start corrupt, an older one left) refuses before touching the log', async () => {
    const dir = await freshDir();
    const env = await envAt(dir);
    await env.log.load();
    await env.log.append([batch(0, 5), batch(5, 5), batch(10, 5)], true);
    await writeSnapshot(env, { endOffset: 5, epoch: 1 });
    await writeSnapshot(env, { endOffset: 10, epoch: 1 });
    await env.log.deletePrefix(10);
    // The older snapshot survived (a crash before its delete); the newer one is damaged.
    const newest = join(dir, 'snapshots', '00000000000000000010-0000000001.checkpoint');
    const bytes = await readFile(newest);
    bytes[1]! ^= 0x40;
    await writeFile(newest, bytes);
    const node = new RaftNode(env, raftConfig(1, [1]), new Recorder());
    const err = await node.start().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageInconsistentError);
    expect(String((err as Error).message)).toMatch(/starts at offset 10 but the newest valid snapshot ends at 5/);
    // The log it holds is still there for whoever repairs the directory.
    const kept = await (env.log as SegmentLogStorage).readRange(10, 15);
    expect(kept.map((b) => b.baseOffset)).toEqual([10]);
  });

  it('a crash after a snapshot was written but before the log was cut: the log is kept and the snapshot loaded', async () => {
    const env = await envAt(await freshDir());
    await env.log.load();
    await env.log.append([batch(0, 3), batch(3, 3), batch(6, 4)], true);
    await writeSnapshot(env, { endOffset: 6, epoch: 1 });
    const sm = new Recorder();
    const node = new RaftNode(env, raftConfig(1, [1]), sm);
    await node.start();
    expect(sm.loaded).toEqual([{ endOffset: 6, epoch: 1 }]);
    const i = node.inspect();
    expect(i.logStartOffset).toBe(6);
    expect(i.batches[0]?.baseOffset).toBe(6);
    expect(i.logEndOffset).toBeGreaterThanOrEqual(10);
    await node.stop();
  });

  it('the voter-directory records of a prefix dropped at start-up reach the quorum-state file first (a crash between snapshot and prefix drop)', async () => {
    const dir = await freshDir();
    const env = await envAt(dir);
    await env.log.load();
    const directory = (baseOffset: number, voterId: number, directoryId: string | null): LogBatch => ({ baseOffset, epoch: 1, appendTimeMs: 0, records: [], control: { type: 'voterDirectory', voterId, directoryId } });
    await env.log.append([directory(0, 2, 'dir-2-0'), directory(1, 3, 'dir-3-0'), batch(2, 4), directory(6, 3, null), batch(7, 3)], true);
    await writeSnapshot(env, { endOffset: 6, epoch: 1 });
    const node = new RaftNode(env, raftConfig(1, [1, 2, 3], { directoryId: 'dir-1-0' }), new Recorder());
    await node.start();
    const i = node.inspect();
    expect(i.logStartOffset).toBe(6);
    await node.stop();
    // Persisted below the new log start, and the record past it is still in the log.
    expect((await new FileQuorumStateStore(join(dir, 'quorum-state')).read())?.voterDirectories).toEqual({ offset: 6, map: { '2': 'dir-2-0', '3': 'dir-3-0' } });
    expect(i.batches.some((b) => b.control?.type === 'voterDirectory' && b.control.voterId === 3 && b.control.directoryId === null)).toBe(true);
  });

  it('a log that does not reach the newest snapshot restarts empty at the snapshot, with a warning', async () => {
    const env = await envAt(await freshDir());
    await env.log.load();
    await env.log.append([batch(0, 4)], true);
    await writeSnapshot(env, { endOffset: 20, epoch: 3 });
    const sm = new Recorder();
    const node = new RaftNode(env, raftConfig(1, [1]), sm);
    warnings.length = 0;
    await node.start();
    expect(warnings.some((w) => /does not reach the newest snapshot/.test(w))).toBe(true);
    expect(sm.loaded).toEqual([{ endOffset: 20, epoch: 3 }]);
    expect(node.inspect().logStartOffset).toBe(20);
    expect(node.inspect().batches.every((b) => b.baseOffset >= 20)).toBe(true);
    await node.stop();
  });

  it('a snapshot whose epoch disagrees with the log at its offset is treated like one the log does not reach', async () => {
    const env = await envAt(await freshDir());
    await env.log.load();
    await env.log.append([batch(0, 3, 1), batch(3, 3, 1)], true);
    await writeSnapshot(env, { endOffset: 3, epoch: 2 });
    const node = new RaftNode(env, raftConfig(1, [1]), new Recorder());
    await node.start();
    expect(node.inspect().logStartOffset).toBe(3);
    // The quorum-state file is older than the snapshot's epoch: the node must still lead in a later
    // epoch (waited for up to 10 s: a loaded CI machine can take seconds to run the election).
    // The role flips before the driver has handed the state machine the earlier leader changes, which
    // reject proposals made meanwhile: retry those (what a client does), still bounded.
    let position: Awaited<ReturnType<typeof node.propose>> | undefined;
    for (let i = 0; i < 1000 && position === undefined; i++) {
      if (node.status().role === 'Leader') position = await node.propose([new Uint8Array([9])]).catch(() => undefined);
      if (position === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    if (position === undefined) throw new Error(`no proposal committed: ${JSON.stringify(node.status())}`);
    expect(position.epoch).toBeGreaterThan(2);
    expect(node.inspect().batches.every((b) => b.epoch > 2)).toBe(true);
    expect(node.fatalError).toBeUndefined();
    await node.stop();
  });
});

describe('an observer (a broker) discards a log it cannot restore and fetches it again', () => {
  /** Waits (bounded) until `test` holds, checking every 10 ms. */
  async function until(what: string, test: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!test()) throw new Error(`timed out waiting for ${what}`);
  }

  it('no valid snapshot under a log that starts above 0: the log restarts empty at 0, with a warning, instead of refusing', async () => {
    const env = await envAt(await freshDir(), { hub: new LocalHub(), nodeId: 2 });
    await env.log.load();
    await env.log.append([batch(0, 5), batch(5, 5)], true);
    await env.log.deletePrefix(5);
    warnings.length = 0;
    const sm = new Recorder();
    const node = new RaftNode(env, raftConfig(2, [1]), sm);
    await node.start();
    expect(node.fatalError).toBeUndefined();
    expect(node.inspect()).toMatchObject({ logStartOffset: 0, logEndOffset: 0 });
    expect(sm.loaded).toEqual([]);
    expect(warnings.join('\n')).toMatch(/starts at offset 5 but no valid snapshot .* observer.* fetching again from the leader from offset 0/);
    await node.stop();
    // Durably: the next start finds an empty log at 0, and says nothing more.
    await env.log.close();
    const again = await SegmentLogStorage.open(join(dirs[dirs.length - 1]!, 'log'), logger);
    logs.push(again);
    expect(await again.load()).toMatchObject({ logStartOffset: 0, batches: [] });
  });

  it('a log that starts above its newest valid snapshot: the log restarts empty at that snapshot, which is loaded', async () => {
    const dir = await freshDir();
    const env = await envAt(dir, { hub: new LocalHub(), nodeId: 2 });
    await env.log.load();
    await env.log.append([batch(0, 5), batch(5, 5), batch(10, 5)], true);
    await writeSnapshot(env, { endOffset: 5, epoch: 1 });
    await env.log.deletePrefix(10); // the snapshot at 10 is gone (damaged and moved aside)
    warnings.length = 0;
    const sm = new Recorder();
    const node = new RaftNode(env, raftConfig(2, [1]), sm);
    await node.start();
    expect(node.fatalError).toBeUndefined();
    expect(sm.loaded).toEqual([{ endOffset: 5, epoch: 1 }]);
    expect(node.inspect()).toMatchObject({ logStartOffset: 5, logEndOffset: 5 });
    expect(warnings.join('\n')).toMatch(/newest valid snapshot ends at 5: .* observer.* from offset 5/);
    await node.stop();
  });

  it('end to end: the observer restarted on such a log gets every committed record from the leader again', async () => {
    const hub = new LocalHub();
    const leaderEnv = await envAt(await freshDir(), { hub, nodeId: 1 });
    const leader = new RaftNode(leaderEnv, raftConfig(1, [1]), new Recorder());
    await leader.start();
    const observerDir = await freshDir();
    const observerEnv = await envAt(observerDir, { hub, nodeId: 2 });
    const first = new Recorder();
    const observer = new RaftNode(observerEnv, raftConfig(2, [1]), first);
    await observer.start();
    await until('a leader', () => leader.status().role === 'Leader');
    for (let i = 1; i <= 6; i++) await leader.propose([new Uint8Array([i])]);
    await until('the observer to apply six records', () => first.applied.length === 6);
    await observer.stop();
    // Its log lost the snapshot under its start (as if the only snapshot failed its check).
    await observerEnv.log.deletePrefix(observer.inspect().logEndOffset - 2);
    await observerEnv.log.close();
    const again = new Recorder();
    const restarted = new RaftNode(await envAt(observerDir, { hub, nodeId: 2 }), raftConfig(2, [1]), again);
    await restarted.start();
    await leader.propose([new Uint8Array([7])]);
    await until('the restarted observer to apply every record', () => again.applied.length === 7);
    expect(again.applied).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(restarted.fatalError).toBeUndefined();
    await restarted.stop();
    await leader.stop();
  });
});
