// A simulated node's disk (DESIGN §5): the log, the quorum-state file and the snapshots, as the
// env seam's LogStorage, QuorumStateStore and SnapshotStore. The disk outlives the RaftNode
// instances that use it: a restart is a new RaftNode over the same SimDisk.
//
// Every operation completes through a scheduler event after a PRNG latency (fsyncs have their own,
// possibly slow, range), and its completion is delivered through SimProcess (held while paused,
// dropped after a crash). The log is modelled as an append-only file (segment-log-storage.ts): an append
// without sync is volatile; a synced append, a truncate or a prefix delete (both synced) makes
// everything written before it durable too. Since only appends can be unsynced, the volatile part
// is always a tail of batches. A crash:
//   - decides, with the PRNG, whether each operation in flight was applied (and, if synced, made
//     durable) or not;
//   - drops the volatile tail (or, with `volatileSurvivesProbability`, keeps a random prefix of it,
//     as a process crash with an intact page cache would: unacknowledged data surviving is safe);
//   - loses every snapshot writer that was not committed.
// The quorum-state write is atomic: the old or the new state, never a torn one.
// Read-only views (durable end offset, durable epochs, snapshot ids) feed the invariant checker.

import type { LoadedLog, LogStorage, QuorumStateStore, SnapshotStore, SnapshotWriter } from '../env/index.js';
import { quorumStateProblem } from '../raft/quorum-state-check.js';
import { batchEndOffset, batchRecordCount } from '../raft/raft-log.js';
import type { LogBatch, QuorumStateData, SnapshotId } from '../raft/types.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { SimProcess } from './sim-process.js';

export interface DiskKnobs {
  /** Latency of an operation that does not fsync (a buffered write, a read). */
  readonly writeLatencyMinMs: number;
  readonly writeLatencyMaxMs: number;
  /** Latency of an operation that fsyncs. */
  readonly fsyncLatencyMinMs: number;
  readonly fsyncLatencyMaxMs: number;
  /** Probability that an operation in flight at a crash reached the disk. */
  readonly inFlightAppliedProbability: number;
  /** Probability that a crash keeps a random prefix of the unsynced tail instead of dropping it all. */
  readonly volatileSurvivesProbability: number;
}

export const defaultDiskKnobs: DiskKnobs = {
  writeLatencyMinMs: 0.01,
  writeLatencyMaxMs: 0.2,
  fsyncLatencyMinMs: 0.1,
  fsyncLatencyMaxMs: 5,
  inFlightAppliedProbability: 0.5,
  volatileSurvivesProbability: 0,
};

export interface DiskStats {
  appends: number;
  syncs: number;
  truncates: number;
  prefixDeletes: number;
  quorumStateWrites: number;
  snapshotsCommitted: number;
  crashes: number;
  volatileBatchesLost: number;
  inFlightApplied: number;
  inFlightLost: number;
}

export interface DiskHooks {
  /** Called when truncateFrom is invoked, before anything changes (the checker compares with the HWM). */
  onTruncate?(offset: number): void;
  /** Called when the driver breaks the storage contract (concurrent calls, gaps, unaligned offsets). */
  onContractViolation?(message: string): void;
  /** Called when a quorum-state write becomes durable. */
  onQuorumStateDurable?(state: QuorumStateData): void;
}

type Store = 'log' | 'state' | 'snapshot';

interface PendingOp {
  readonly store: Store;
  readonly incarnation: number;
  /** Changes the disk; `sync` ops also make everything before them durable. */
  readonly apply: () => void;
  cancel: () => void;
}

export { batchEndOffset, batchRecordCount };

export function emptyDiskStats(): DiskStats {
  return { appends: 0, syncs: 0, truncates: 0, prefixDeletes: 0, quorumStateWrites: 0, snapshotsCommitted: 0, crashes: 0, volatileBatchesLost: 0, inFlightApplied: 0, inFlightLost: 0 };
}

function snapshotKey(id: SnapshotId): string {
  return `${id.endOffset}-${id.epoch}`;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SimDisk {
  /** The log as the running process sees it; [0, durableCount) is durable, the rest volatile. */
  private batches: LogBatch[] = [];
  private durableCount = 0;
  private logStart = 0;
  private quorumState: QuorumStateData | undefined = undefined;
  private readonly snapshots = new Map<string, { readonly id: SnapshotId; readonly bytes: Uint8Array }>();
  private snapshotIdsCache: SnapshotId[] | undefined = undefined;
  private readonly pending = new Set<PendingOp>();
  private readonly lastCompletionMs: Record<Store, number> = { log: 0, state: 0, snapshot: 0 };
  private logBusy = false;
  private stateWriteBusy = false;
  private knobsValue: DiskKnobs;
  hooks: DiskHooks = {};
  readonly stats: DiskStats = emptyDiskStats();

  constructor(
    readonly nodeId: number,
    private readonly scheduler: Scheduler,
    private readonly process: SimProcess,
    private readonly prng: Prng,
    knobs: Partial<DiskKnobs> = {},
    /** What `format` wrote into the quorum-state file (the initial controllers' directories), if anything. */
    formatted?: QuorumStateData,
  ) {
    this.knobsValue = { ...defaultDiskKnobs, ...knobs };
    this.quorumState = formatted;
    process.onCrash((inc) => this.crash(inc));
  }

  get knobs(): DiskKnobs {
    return this.knobsValue;
  }

  setKnobs(knobs: Partial<DiskKnobs>): void {
    this.knobsValue = { ...this.knobsValue, ...knobs };
  }

  // ------------------------------------------------------------------------------------------
  // Read-only views for the checker.

  get persistedQuorumState(): QuorumStateData | undefined {
    return this.quorumState;
  }

  get durableLogStartOffset(): number {
    return this.logStart;
  }

  get durableEndOffset(): number {
    const last = this.batches[this.durableCount - 1];
    return last === undefined ? this.logStart : batchEndOffset(last);
  }

  /** Batches a crash now would keep (at least). */
  durableBatches(): readonly LogBatch[] {
    return this.batches.slice(0, this.durableCount);
  }

  /** Batches including the volatile tail. */
  currentBatches(): readonly LogBatch[] {
    return this.batches;
  }

  get currentEndOffset(): number {
    const last = this.batches[this.batches.length - 1];
    return last === undefined ? this.logStart : batchEndOffset(last);
  }

  /** Epoch of the durable record at `offset`, or undefined when it is not in the durable log. */
  durableEpochAt(offset: number): number | undefined {
    let lo = 0;
    let hi = this.durableCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.batches[mid] as LogBatch;
      if (offset < b.baseOffset) hi = mid - 1;
      else if (offset >= batchEndOffset(b)) lo = mid + 1;
      else return b.epoch;
    }
    return undefined;
  }

  /** Committed snapshot ids, oldest first. */
  snapshotIds(): readonly SnapshotId[] {
    this.snapshotIdsCache ??= [...this.snapshots.values()].map((s) => s.id).sort((a, b) => a.endOffset - b.endOffset || a.epoch - b.epoch);
    return this.snapshotIdsCache;
  }

  snapshotBytes(id: SnapshotId): Uint8Array | undefined {
    return this.snapshots.get(snapshotKey(id))?.bytes;
  }

  // ------------------------------------------------------------------------------------------
  // The env views, bound to the process's current incarnation.

  logStorage(): LogStorage {
    const inc = this.process.incarnation;
    return {
      load: () =>
        this.op('log', inc, false, () => {
          const loaded: LoadedLog = { logStartOffset: this.logStart, batches: [...this.batches] };
          return loaded;
        }),
      append: (batches, sync) => {
        this.checkAppend(batches);
        const copy = [...batches];
        return this.op('log', inc, sync, () => {
          this.stats.appends++;
          if (sync) this.stats.syncs++;
          this.batches.push(...copy);
          if (sync) this.durableCount = this.batches.length;
        });
      },
      truncateFrom: (offset) => {
        this.hooks.onTruncate?.(offset);
        this.checkTruncate(offset);
        return this.op('log', inc, true, () => {
          // Nothing to cut: the real store returns without a sync, so the unsynced tail stays volatile.
          if (offset >= this.currentEndOffset) return;
          this.stats.truncates++;
          // A batch straddling the offset goes whole (the LogStorage contract).
          let keep = this.batches.length;
          while (keep > 0 && batchEndOffset(this.batches[keep - 1] as LogBatch) > offset) keep--;
          this.batches.length = keep;
          this.durableCount = keep;
        });
      },
      deletePrefix: (offset) => {
        if (offset < this.logStart) this.contract(`deletePrefix(${offset}) below the log start ${this.logStart}`);
        return this.op('log', inc, true, () => {
          if (offset === this.logStart) return; // a no-op, without a sync, as in the real store
          this.stats.prefixDeletes++;
          let drop = 0;
          while (drop < this.batches.length && batchEndOffset(this.batches[drop] as LogBatch) <= offset) drop++;
          this.batches.splice(0, drop);
          this.durableCount = this.batches.length;
          this.logStart = Math.max(this.logStart, offset);
        });
      },
      restartAt: (offset) =>
        this.op('log', inc, true, () => {
          this.stats.prefixDeletes++;
          this.batches = [];
          this.durableCount = 0;
          this.logStart = offset;
        }),
      close: async () => {},
    };
  }

  quorumStateStore(): QuorumStateStore {
    const inc = this.process.incarnation;
    return {
      read: () => this.op('state', inc, false, () => this.quorumState),
      write: (state) => {
        // The real store refuses what it could not read back, and writes through one temporary
        // file, so two writes at once can leave no readable state: both are contract violations here.
        const problem = quorumStateProblem(state.epoch, state.leaderId, state.votedId, state.voterDirectories);
        if (problem !== undefined) this.contract(`quorum state to write is invalid: ${problem}`);
        if (this.stateWriteBusy) this.contract('concurrent quorum-state writes');
        this.stateWriteBusy = true;
        // Everything the real file keeps (file-quorum-state-store.ts), voter directories included:
        // a store that dropped them would make a restarted voter trust a wiped one.
        const dirs = state.voterDirectories;
        const copy: QuorumStateData = {
          epoch: state.epoch,
          leaderId: state.leaderId,
          votedId: state.votedId,
          ...(dirs === undefined ? {} : { voterDirectories: { offset: dirs.offset, map: { ...dirs.map } } }),
        };
        return this.op('state', inc, true, () => {
          this.stateWriteBusy = false;
          this.stats.quorumStateWrites++;
          this.quorumState = copy;
          this.hooks.onQuorumStateDurable?.(copy);
        });
      },
    };
  }

  snapshotStore(): SnapshotStore {
    const inc = this.process.incarnation;
    const find = (id: SnapshotId): Uint8Array => {
      const s = this.snapshots.get(snapshotKey(id));
      if (s === undefined) throw new Error(`snapshot ${snapshotKey(id)} not found on node ${this.nodeId}`);
      return s.bytes;
    };
    return {
      list: () => this.op('snapshot', inc, false, () => [...this.snapshotIds()]),
      create: (snapshotId) => this.writer(inc, snapshotId),
      read: (id, position, maxBytes) => this.op('snapshot', inc, false, () => find(id).slice(position, position + maxBytes)),
      size: (id) => this.op('snapshot', inc, false, () => find(id).length),
      readAll: (id) => this.op('snapshot', inc, false, () => find(id).slice()),
      delete: (id) =>
        this.op('snapshot', inc, true, () => {
          this.snapshots.delete(snapshotKey(id));
          this.snapshotIdsCache = undefined;
        }),
    };
  }

  private writer(inc: number, snapshotId: SnapshotId): SnapshotWriter {
    const chunks: Uint8Array[] = [];
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const id: SnapshotId = { endOffset: snapshotId.endOffset, epoch: snapshotId.epoch };
    return {
      snapshotId: id,
      write: (chunk) => {
        if (state !== 'open') this.contract(`write to a ${state} snapshot writer ${snapshotKey(id)}`);
        const copy = chunk.slice();
        return this.op('snapshot', inc, false, () => {
          chunks.push(copy);
        });
      },
      commit: () => {
        if (state !== 'open') this.contract(`commit of a ${state} snapshot writer ${snapshotKey(id)}`);
        state = 'committed';
        return this.op('snapshot', inc, true, () => {
          const bytes = concat(chunks);
          const existing = this.snapshots.get(snapshotKey(id));
          if (existing !== undefined && !sameBytes(existing.bytes, bytes)) {
            this.contract(`snapshot ${snapshotKey(id)} rewritten with different contents`);
          }
          this.snapshots.set(snapshotKey(id), { id, bytes });
          this.snapshotIdsCache = undefined;
          this.stats.snapshotsCommitted++;
          return bytes.length;
        });
      },
      abort: async () => {
        state = 'aborted';
      },
    };
  }

  // ------------------------------------------------------------------------------------------

  private contract(message: string): void {
    this.hooks.onContractViolation?.(`node ${this.nodeId}: storage contract: ${message}`);
  }

  private checkAppend(batches: readonly LogBatch[]): void {
    // Checked against the log as it will be when this append runs (the driver awaits each call).
    let end = this.currentEndOffset;
    let lastEpoch = this.batches[this.batches.length - 1]?.epoch ?? 0;
    for (const b of batches) {
      if (b.baseOffset !== end) this.contract(`append of batch at ${b.baseOffset} but the log ends at ${end}`);
      if (batchRecordCount(b) === 0) this.contract(`append of an empty batch at ${b.baseOffset}`);
      if (b.control !== undefined && b.records.length !== 0) this.contract(`control batch at ${b.baseOffset} carries records`);
      if (b.epoch < lastEpoch) this.contract(`append of batch at ${b.baseOffset} with epoch ${b.epoch} after epoch ${lastEpoch}`);
      lastEpoch = b.epoch;
      end = batchEndOffset(b);
    }
  }

  private checkTruncate(offset: number): void {
    if (offset < this.logStart) this.contract(`truncateFrom(${offset}) below the log start ${this.logStart}`);
  }

  /** Runs one operation: latency, then (if the incarnation is alive) apply and resolve. */
  private op<T>(store: Store, inc: number, sync: boolean, apply: () => T): Promise<T> {
    if (!this.process.isCurrent(inc)) return new Promise<T>(() => {}); // a dead process waits forever
    if (store === 'log') {
      if (this.logBusy) this.contract('concurrent LogStorage calls');
      this.logBusy = true;
    }
    const k = this.knobsValue;
    const latency = sync
      ? this.prng.float(k.fsyncLatencyMinMs, Math.max(k.fsyncLatencyMinMs, k.fsyncLatencyMaxMs))
      : this.prng.float(k.writeLatencyMinMs, Math.max(k.writeLatencyMinMs, k.writeLatencyMaxMs));
    // Completions of one store stay in call order even if the driver overlaps calls.
    const doneAt = Math.max(this.scheduler.nowMs() + latency, this.lastCompletionMs[store]);
    this.lastCompletionMs[store] = doneAt;
    return new Promise<T>((resolve, reject) => {
      let result: { value: T } | { error: unknown } | undefined;
      const pendingOp: PendingOp = {
        store,
        incarnation: inc,
        apply: () => {
          try {
            result = { value: apply() };
          } catch (error) {
            result = { error };
          }
        },
        cancel: () => {},
      };
      this.pending.add(pendingOp);
      pendingOp.cancel = this.scheduler.at(
        doneAt,
        () => {
          this.pending.delete(pendingOp);
          if (store === 'log') this.logBusy = false;
          // The disk did the work even if the process is now paused; only the answer waits.
          pendingOp.apply();
          this.process.deliver(inc, () => {
            if (result === undefined) return;
            if ('value' in result) resolve(result.value);
            else reject(result.error);
          });
        },
        `n${this.nodeId} disk ${store}${sync ? ' sync' : ''}`,
      );
    });
  }

  /**
   * An operator emptied the data directory while the node was down (a lost or replaced disk):
   * the log, the quorum state and every snapshot are gone; `reformatted` is what `format` wrote
   * into the new quorum-state file, if anything.
   */
  wipe(reformatted?: QuorumStateData): void {
    if (this.process.state !== 'crashed') throw new Error(`node ${this.nodeId}: wipe a disk only while its node is down`);
    this.batches = [];
    this.durableCount = 0;
    this.logStart = 0;
    this.quorumState = reformatted;
    this.snapshots.clear();
    this.snapshotIdsCache = undefined;
  }

  private crash(inc: number): void {
    this.stats.crashes++;
    for (const op of [...this.pending]) {
      if (op.incarnation !== inc) continue;
      op.cancel();
      this.pending.delete(op);
      if (this.prng.chance(this.knobsValue.inFlightAppliedProbability)) {
        this.stats.inFlightApplied++;
        op.apply();
      } else {
        this.stats.inFlightLost++;
      }
    }
    this.logBusy = false;
    this.stateWriteBusy = false;
    for (const s of Object.keys(this.lastCompletionMs) as Store[]) this.lastCompletionMs[s] = 0;
    const volatile = this.batches.length - this.durableCount;
    if (volatile > 0) {
      const keep = this.prng.chance(this.knobsValue.volatileSurvivesProbability) ? this.prng.int(0, volatile) : 0;
      this.stats.volatileBatchesLost += volatile - keep;
      this.batches.length = this.durableCount + keep;
    }
    this.durableCount = this.batches.length;
  }
}
