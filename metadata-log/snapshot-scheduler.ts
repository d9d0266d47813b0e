// When a node writes a metadata snapshot: every `maxBytes` of records or `maxIntervalMs`
// (metadata.log.max.record.bytes.between.snapshots / metadata.log.max.snapshot.interval.ms), never
// inside a metadata transaction, one at a time, and written in slices so a large image does not
// stall the node's event loop. Controllers and brokers (which keep a local snapshot for a fast
// restart) share it. A snapshot asked for with a deadline (a broker's shutdown) is given up if it
// is still being encoded then, and so is one a trigger began before it, which the ask waits for.

import type { Clock, Logger } from '../quorum/env/index.js';
import type { SnapshotId } from '../quorum/raft/types.js';
import type { RaftClient } from '../quorum/runtime/api.js';
import type { MetadataLoader } from './loader.js';
import { writeSnapshotInSlices } from './snapshot.js';

export interface SnapshotPolicy {
  readonly maxBytes: number;
  /** 0: no time trigger. */
  readonly maxIntervalMs: number;
  /** After a failed write, wait this long before trying again. */
  readonly retryBackoffMs: number;
}

/** A snapshot given up at its deadline, before anything was written. */
class SnapshotDeadlineError extends Error {}

export class SnapshotScheduler {
  private writing: Promise<SnapshotId | null> | null = null;
  /** When the write in progress is given up if still encoding (clock ms); lowered by snapshotNow. */
  private writeDeadlineMs = Infinity;
  private lastSnapshotMs: number;
  private retryAtMs = 0;

  constructor(
    private readonly loader: MetadataLoader,
    /** The quorum client, once it exists (the node is built with its state machine first). */
    private readonly raft: () => RaftClient | undefined,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly policy: SnapshotPolicy,
  ) {
    this.lastSnapshotMs = clock.nowMs();
  }

  /** A snapshot was loaded: time is counted from now (bytes are reset by the loader). */
  snapshotLoaded(): void {
    this.lastSnapshotMs = this.clock.nowMs();
  }

  /** Called after each apply: starts a snapshot when one is due. */
  maybeSnapshot(): void {
    if (this.writing !== null || this.loader.inTransaction) return;
    const bytes = this.loader.bytesSinceSnapshot;
    if (bytes === 0) return;
    const now = this.clock.nowMs();
    const { maxBytes, maxIntervalMs } = this.policy;
    const due = bytes >= maxBytes || (maxIntervalMs > 0 && now - this.lastSnapshotMs >= maxIntervalMs);
    if (due && now >= this.retryAtMs) void this.write();
  }

  /**
   * Writes a snapshot of the published image now unless it has nothing new (then null), or waits
   * for the one being written. Used at shutdown so that a restart has little to replay. A new one
   * is given up (null, logged) if it is still being encoded at `deadlineMs` (clock ms): encoding
   * a large image takes seconds (about 1 s per 200,000 partitions), and a shutdown is bounded.
   * A snapshot already being written (by the size or time trigger) is held to the same deadline:
   * waiting for it unbounded took a broker's stop past the process's shutdown bound.
   */
  snapshotNow(deadlineMs = Infinity): Promise<SnapshotId | null> {
    if (this.writing !== null) {
      this.writeDeadlineMs = Math.min(this.writeDeadlineMs, deadlineMs);
      return this.writing;
    }
    if (this.loader.bytesSinceSnapshot === 0) return Promise.resolve(null);
    return this.write(deadlineMs);
  }

  private write(deadlineMs = Infinity): Promise<SnapshotId | null> {
    const raft = this.raft();
    if (raft === undefined) return Promise.resolve(null);
    const image = this.loader.image;
    const endOffset = image.provenance.endOffset;
    const bytes = this.loader.bytesSinceSnapshot;
    const markAt = this.loader.publishedBytes;
    const startedMs = this.clock.nowMs();
    this.writeDeadlineMs = deadlineMs;
    // Read at each pause, not captured: snapshotNow may bring the deadline forward meanwhile.
    const pause = () =>
      this.clock.nowMs() >= this.writeDeadlineMs
        ? Promise.reject(new SnapshotDeadlineError(`still encoding the image at its deadline, ${Math.round(this.clock.nowMs() - startedMs)} ms after it began`))
        : new Promise<void>((resolve) => this.clock.setTimer(0, resolve));
    const done = writeSnapshotInSlices(image, pause)
      .then((chunks) => raft.createSnapshot(endOffset, chunks))
      .then(
        (id): SnapshotId => {
          this.lastSnapshotMs = startedMs;
          this.loader.markSnapshot(endOffset, markAt);
          this.logger.info({ snapshot: id, bytesSincePrevious: bytes, tookMs: Math.round(this.clock.nowMs() - startedMs) }, 'wrote a metadata snapshot');
          return id;
        },
        (e: unknown) => {
          if (e instanceof SnapshotDeadlineError) {
            this.logger.warn({ endOffset, reason: e.message }, 'gave up a metadata snapshot (nothing was written): the next start replays the log from the previous one');
            return null;
          }
          // The trigger stays armed (bytes and time count from the last snapshot written); the
          // back-off keeps a failing disk from being asked on every batch.
          this.retryAtMs = this.clock.nowMs() + this.policy.retryBackoffMs;
          this.logger.warn({ endOffset, err: e instanceof Error ? e.message : String(e) }, 'metadata snapshot failed; will retry');
          return null;
        },
      )
      .finally(() => {
        this.writing = null;
      });
    this.writing = done;
    return done;
  }
}
