// The snapshot scheduler's byte mark: a snapshot during which many images were published (a slow
// snapshot under load) still resets the bytes counted toward the next one. Before, the mark was
// looked up among the last 64 publications, was lost, and snapshots ran back to back.
import { describe, expect, it } from 'vitest';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { SnapshotScheduler, type SnapshotPolicy } from '../../metadata-log/snapshot-scheduler.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { RaftClient } from '../../quorum/runtime/api.js';
import type { SnapshotId } from '../../quorum/raft/types.js';
import { silentLogger } from '../support/real-node-env.js';
import { mvRecord, topicRecords } from './controller-configs-fixture.js';


describe('snapshot byte mark', () => {
  it('a slow snapshot (more than 64 publications while it is written) still resets bytesSinceSnapshot', async () => {
    const loader = new MetadataLoader();
    let now = 0;
    const clock = { nowMs: () => now, setTimer: (_d: number, fn: () => void) => { setImmediate(fn); return () => {}; } };
    const created: number[] = [];
    let release!: () => void;
    const raft = {
      createSnapshot: async (endOffset: number, chunks: Iterable<Uint8Array>) => {
        for (const _ of chunks) { /* consume */ }
        created.push(endOffset);
        await new Promise<void>((r) => (release = r));
        return { endOffset, epoch: 1 } as SnapshotId;
      },
    } as unknown as RaftClient;
    const maxBytes = 10_000;
    const sched = new SnapshotScheduler(loader, () => raft, clock, silentLogger, { maxBytes, maxIntervalMs: 0, retryBackoffMs: 10 });
    let offset = 0;
    const applyOne = (bytes = 100) => {
      const rec = encodeRecord({ type: 'NoOp' });
      const n = Math.max(1, Math.floor(bytes / rec.length));
      const records = Array.from({ length: n }, () => rec);
      loader.applyBatches([{ baseOffset: offset, epoch: 1, records }]);
      offset += n;
      sched.maybeSnapshot();
    };
    // Fill past maxBytes: a snapshot starts.
    while (created.length === 0) { applyOne(500); await new Promise((r) => setImmediate(r)); }
    // 100 small publications while it is being written.
    for (let i = 0; i < 100; i++) applyOne(10);
    release();
    await new Promise((r) => setTimeout(r, 10));
    // Bytes since the snapshot are those of the 100 small batches only (far below maxBytes).
    expect(loader.bytesSinceSnapshot).toBeLessThan(maxBytes);
    applyOne(10);
    await new Promise((r) => setTimeout(r, 10));
    expect(created.length).toBe(1);
  });
});

describe('a snapshot with a deadline (shutdown)', () => {
  /** A loader holding a topic of `partitions` partitions (a frame each in a snapshot), a scheduler over a raft that records what it was asked to write, and a clock tests move. */
  function setup(partitions: number, policy: Partial<SnapshotPolicy> = {}) {
    const loader = new MetadataLoader();
    const records = [mvRecord(), ...topicRecords('t', 1, partitions)].map(encodeRecord);
    loader.applyBatches([{ baseOffset: 0, epoch: 1, records }]);
    const clock = { now: 0, nowMs: () => clock.now, setTimer: (_d: number, fn: () => void) => (setImmediate(fn), () => {}) };
    const created: number[] = [];
    const raft = {
      createSnapshot: async (endOffset: number) => {
        created.push(endOffset);
        return { endOffset, epoch: 1 } as SnapshotId;
      },
    } as unknown as RaftClient;
    const sched = new SnapshotScheduler(loader, () => raft, clock, silentLogger, { maxBytes: Number.MAX_SAFE_INTEGER, maxIntervalMs: 0, retryBackoffMs: 10, ...policy });
    return { loader, clock, created, sched };
  }

  it('is given up, writing nothing, when the image is still being encoded at the deadline', async () => {
    const { clock, created, sched } = setup(30_000); // about 1.5 MB: 23 frames of 64 KiB, a pause after every 4
    // The first slices are encoded in time; then the clock passes the deadline (a large image takes long).
    let pauses = 0;
    const setTimer = clock.setTimer;
    clock.setTimer = (d, fn) => (++pauses === 3 && (clock.now = 5), setTimer(d, fn));
    expect(await sched.snapshotNow(5)).toBeNull();
    expect(pauses).toBe(3);
    expect(created).toEqual([]);
  });

  it('a periodic snapshot already being encoded when the shutdown asks for one is given up at the shutdown\'s deadline (from a review)', async () => {
    // A broker's stop() asks for a snapshot bounded by its shutdown; one begun earlier by the
    // time trigger had no deadline, and the stop waited for all of it (seconds for a large image,
    // past the process's shutdown bound).
    const { clock, created, sched } = setup(30_000, { maxIntervalMs: 1 });
    clock.now = 1;
    sched.maybeSnapshot(); // the time trigger: encoding begins, with no deadline of its own
    let pauses = 0;
    const setTimer = clock.setTimer;
    clock.setTimer = (d, fn) => (++pauses === 3 && (clock.now = 10), setTimer(d, fn));
    expect(await sched.snapshotNow(5)).toBeNull();
    expect(created).toEqual([]);
  });

  it('is written when encoded before the deadline, as without one', async () => {
    const { created, sched } = setup(100);
    expect(await sched.snapshotNow(1_000)).toEqual({ endOffset: 102, epoch: 1 });
    expect(created).toEqual([102]);
  });
});
