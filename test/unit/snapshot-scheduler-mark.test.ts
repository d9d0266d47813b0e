// The snapshot scheduler's byte mark: a snapshot during which many images were published (a slow
// snapshot under load) still resets the bytes counted toward the next one. Before, the mark was
// looked up among the last 64 publications, was lost, and snapshots ran back to back.
import { describe, expect, it } from 'vitest';
import { MetadataLoader } from '../../metadata-log/loader.js';
import { SnapshotScheduler } from '../../metadata-log/snapshot-scheduler.js';
import { encodeRecord } from '../../metadata-log/records/codec.js';
import type { RaftClient } from '../../quorum/runtime/api.js';
import type { SnapshotId } from '../../quorum/raft/types.js';
import { silentLogger } from '../support/real-node-env.js';


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
