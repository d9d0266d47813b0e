// A split-mode broker's state machine: the committed metadata log, fetched as a Raft observer,
// replayed into an image (the same MetadataLoader the controllers use), with a local snapshot
// every so many bytes and at shutdown, so a restart loads the snapshot and replays only the tail.
//
// A combined-mode broker has no follower of its own: it listens to its controller's loader (one
// log per process). Either way the broker sees `MetadataSource`.

import type { Clock, Logger } from '../quorum/env/index.js';
import type { LeaderInfo, LogBatch, SnapshotId } from '../quorum/raft/types.js';
import type { RaftClient, StateMachine } from '../quorum/runtime/api.js';
import type { MetadataImage } from '../metadata-log/image.js';
import { MetadataLoader, type MetadataListener } from '../metadata-log/loader.js';
import { SnapshotScheduler, type SnapshotPolicy } from '../metadata-log/snapshot-scheduler.js';

/** What the broker reads the metadata from. */
export interface MetadataSource {
  readonly image: MetadataImage;
  addMetadataListener(listener: MetadataListener): () => void;
}

export class MetadataFollower implements StateMachine, MetadataSource {
  raft: RaftClient | undefined = undefined;
  private readonly loader = new MetadataLoader();
  private readonly snapshots: SnapshotScheduler;
  private leader: LeaderInfo = { epoch: 0, leaderId: null };

  constructor(clock: Clock, private readonly logger: Logger, policy: SnapshotPolicy) {
    this.snapshots = new SnapshotScheduler(this.loader, () => this.raft, clock, logger, policy);
  }

  get image(): MetadataImage {
    return this.loader.image;
  }

  /** The quorum leader as last reported (null while none is known). */
  get leaderId(): number | null {
    return this.leader.leaderId;
  }

  addMetadataListener(listener: MetadataListener): () => void {
    return this.loader.addListener(listener);
  }

  apply(batches: readonly LogBatch[]): void {
    try {
      this.loader.applyBatches(batches);
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'broker cannot apply the metadata log');
      throw e;
    }
    this.snapshots.maybeSnapshot();
  }

  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void {
    this.loader.loadSnapshot(snapshotId, bytes);
    this.snapshots.snapshotLoaded();
    this.logger.info({ snapshot: snapshotId, topics: this.loader.image.topicCount, partitions: this.loader.image.partitionCount }, 'loaded a metadata snapshot');
  }

  onLeaderChange(leader: LeaderInfo): void {
    this.leader = leader;
  }

  snapshotNow(deadlineMs?: number): Promise<SnapshotId | null> {
    return this.snapshots.snapshotNow(deadlineMs);
  }
}
