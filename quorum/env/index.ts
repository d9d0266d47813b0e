// The seam (DESIGN §5): everything the driver needs from the outside world, as interfaces. The
// real implementations live in quorum/node/, the simulated ones in quorum/sim/. The driver in
// quorum/runtime/ is written only against these, so the simulator runs the very code that ships.

import type { LogBatch, NodeId, QuorumStateData, RaftMessage, SnapshotId } from '../raft/types.js';

export interface Clock {
  /** Milliseconds; only differences matter. Simulated clocks may be skewed and run at another rate. */
  nowMs(): number;
  /** Calls `fn` once after `delayMs`; the returned function cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
  /**
   * Runs `fn` once the I/O events already waiting have been handled (setImmediate), so that a
   * burst of proposals arriving on several sockets shares one batch and one fsync. Optional: the
   * simulator leaves it out and the driver then starts work at once.
   */
  defer?(fn: () => void): void;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

export interface Transport {
  /** Fire and forget: delivery is not guaranteed, the protocol retries. Never throws. */
  send(message: RaftMessage): void;
  /** Registers the single receiver of inbound messages and connection-loss notices. */
  onReceive(handler: (message: RaftMessage) => void, onPeerLost?: (nodeId: NodeId) => void): void;
  close(): Promise<void>;
}

/** What a log holds when it is opened: the batches after the log start, in offset order. */
export interface LoadedLog {
  readonly logStartOffset: number;
  readonly batches: LogBatch[];
  /** Set when opening found and cut a torn or corrupt tail; says what was dropped. */
  readonly recovered?: { readonly truncatedAtOffset: number; readonly reason: string };
}

/**
 * The replicated log on this node's disk. Calls are made one at a time by the driver (never
 * concurrently), in the order truncate → deletePrefix → append.
 */
export interface LogStorage {
  load(): Promise<LoadedLog>;
  /** Appends contiguous batches; with `sync` the call resolves only after they are durable. */
  append(batches: readonly LogBatch[], sync: boolean): Promise<void>;
  /**
   * Removes every batch holding a record at or after `offset`: a batch straddling it goes whole
   * (a snapshot install cuts a log whose batches do not line up with the snapshot). An offset at
   * or past the end is a no-op.
   */
  truncateFrom(offset: number): Promise<void>;
  /** Removes whole batches that end at or before `offset` and records `offset` as the log start. */
  deletePrefix(offset: number): Promise<void>;
  /**
   * Removes every batch and makes `offset` the log start, below or above the current one: an
   * observer discarding a copy it cannot restore (its log is a cache of the committed log). Durable
   * when it resolves; a crash midway leaves the old log start with fewer batches, never a gap.
   */
  restartAt(offset: number): Promise<void>;
  close(): Promise<void>;
}

export interface QuorumStateStore {
  /** `undefined` when nothing was ever written (a new node). */
  read(): Promise<QuorumStateData | undefined>;
  /** Durable and atomic: after a crash the old or the new state is read, never a torn one. */
  write(state: QuorumStateData): Promise<void>;
}

/** Snapshots are opaque bytes to the quorum; the store frames them with a CRC. */
export interface SnapshotWriter {
  readonly snapshotId: SnapshotId;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the snapshot durable and visible (rename after fsync). Returns its size in bytes. */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

export interface SnapshotStore {
  /**
   * Ids of the complete, valid snapshots, oldest first. Invalid ones are reported and skipped.
   * `verify: false`: the ids of the complete snapshots by name only, not read (for deleting old
   * ones: reading every snapshot whole for that stalled the Raft loop at each snapshot).
   */
  list(options?: { readonly verify?: boolean }): Promise<SnapshotId[]>;
  create(snapshotId: SnapshotId): SnapshotWriter;
  /** Reads `maxBytes` at most from `position` of a committed snapshot. */
  read(snapshotId: SnapshotId, position: number, maxBytes: number): Promise<Uint8Array>;
  size(snapshotId: SnapshotId): Promise<number>;
  /** Whole snapshot, CRC-checked. Throws SnapshotCorruptError when the check fails. */
  readAll(snapshotId: SnapshotId): Promise<Uint8Array>;
  delete(snapshotId: SnapshotId): Promise<void>;
}

/** One node's logger: it stamps the node id on every line, so callers do not add it to `fields`. */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface NodeEnv {
  readonly clock: Clock;
  readonly random: Random;
  /**
   * Numbers this start of the node apart from its earlier and later starts on the same data: the
   * core numbers its pre-vote rounds from it, so an answer to a round of an earlier start is never
   * taken for one to this start's (a voter may answer a request after its sender restarted). The
   * simulator gives each incarnation its own range; absent (real processes), the driver draws one.
   */
  readonly incarnation?: number;
  readonly transport: Transport;
  readonly log: LogStorage;
  readonly quorumStateStore: QuorumStateStore;
  readonly snapshotStore: SnapshotStore;
  readonly logger: Logger;
}

export class SnapshotCorruptError extends Error {
  readonly code = 'SNAPSHOT_CORRUPT';
  constructor(readonly snapshotId: SnapshotId, reason: string) {
    super(`snapshot ${snapshotId.endOffset}-${snapshotId.epoch} is corrupt: ${reason}`);
  }
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
