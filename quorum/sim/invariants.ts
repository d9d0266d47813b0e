// The Raft safety invariants of DESIGN §5 (after Kafka's RaftEventSimulationTest and the KRaft
// TLA+ specs, reference/kraft.md §6), one small pure function each over plain data: a ClusterView
// (what every node shows now: its inspection, its persisted quorum state, its durable log and
// snapshots) and a History (what was seen before). A function returns a violation message or
// null. `recordHistory` is the only one that changes anything. The simulator calls them after
// every event; the real-process chaos checker can build the same views from what it observes.

import type { LogBatch, NodeId, QuorumStateData, RoleName, SnapshotId } from '../raft/types.js';

/** What the checker needs of a node's in-memory state (a subset of RaftNode.inspect()). */
export interface InspectionView {
  readonly role: RoleName;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  /** The leader the node reports to its driver and clients (RaftCore.leader()); absent where not observed. */
  readonly reportedLeaderId?: NodeId | null;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly batches: readonly LogBatch[];
  readonly latestSnapshot: SnapshotId | null;
}

/** A node's log as it would be found after a crash now. */
export interface DurableLogView {
  readonly logStartOffset: number;
  readonly endOffset: number;
  /** Epoch of the durable record at `offset`, undefined when that offset is not in the durable log. */
  epochAt(offset: number): number | undefined;
}

export interface NodeView {
  readonly nodeId: NodeId;
  readonly isVoter: boolean;
  readonly state: 'running' | 'paused' | 'crashed';
  /** Null while crashed or starting. */
  readonly inspection: InspectionView | null;
  readonly persisted: QuorumStateData | undefined;
  readonly durable: DurableLogView;
  /** Committed snapshots on disk, oldest first. */
  readonly snapshots: readonly SnapshotId[];
  /** Offsets below this were applied by the current state machine; null while crashed. */
  readonly appliedEnd: number | null;
  /**
   * Set when the node's disk was wiped: it held (or may have held) everything below this offset
   * until a fault outside Raft's model destroyed it. The durability check counts it as a holder
   * there; whether the quorum then keeps what was committed is checked where entries are applied.
   */
  readonly lostBelow?: number;
}

export interface ClusterView {
  readonly timeMs: number;
  readonly voters: readonly NodeId[];
  readonly nodes: readonly NodeView[];
}

export interface CommittedEntry {
  readonly epoch: number;
  /** The state machine's value; null for a control record. */
  readonly value: number | null;
  /** Who first reported it (for messages). */
  readonly nodeId: NodeId;
}

export interface History {
  /** epoch → the node some evidence named leader of it, and where that evidence came from. */
  readonly leaderOfEpoch: Map<number, { readonly nodeId: NodeId; readonly source: string }>;
  /** node → highest persisted epoch seen. */
  readonly persistedEpoch: Map<NodeId, number>;
  /** `${node}:${epoch}` → highest high watermark seen while that node led that epoch. */
  readonly leaderHighWatermark: Map<string, number>;
  /** Highest high watermark any leader (or just-resigned leader) ever had. */
  maxLeaderHighWatermark: number;
  /** offset → the first (epoch, value) ever applied or snapshotted there. */
  readonly committed: Map<number, CommittedEntry>;
}

export function emptyHistory(): History {
  return {
    leaderOfEpoch: new Map(),
    persistedEpoch: new Map(),
    leaderHighWatermark: new Map(),
    maxLeaderHighWatermark: 0,
    committed: new Map(),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Epoch of the record at `offset` in an offset-ordered list of batches (binary search). */
export function epochInBatches(batches: readonly LogBatch[], offset: number): number | undefined {
  let lo = 0;
  let hi = batches.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = batches[mid] as LogBatch;
    const end = b.baseOffset + (b.control !== undefined ? 1 : b.records.length);
    if (offset < b.baseOffset) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return b.epoch;
  }
  return undefined;
}

/** A DurableLogView over plain batches (for the chaos checker and tests). */
export function durableLogFromBatches(logStartOffset: number, batches: readonly LogBatch[]): DurableLogView {
  const last = batches[batches.length - 1];
  const endOffset = last === undefined ? logStartOffset : last.baseOffset + (last.control !== undefined ? 1 : last.records.length);
  return { logStartOffset, endOffset, epochAt: (o) => epochInBatches(batches, o) };
}

interface LeaderClaim {
  readonly epoch: number;
  readonly nodeId: NodeId;
  readonly source: string;
}

function leaderClaims(view: ClusterView): LeaderClaim[] {
  const claims: LeaderClaim[] = [];
  for (const n of view.nodes) {
    if (n.persisted !== undefined && n.persisted.leaderId !== null) {
      claims.push({ epoch: n.persisted.epoch, nodeId: n.persisted.leaderId, source: `persisted state of node ${n.nodeId}` });
    }
    const i = n.inspection;
    if (i === null) continue;
    if (i.role === 'Leader') claims.push({ epoch: i.epoch, nodeId: n.nodeId, source: `role of node ${n.nodeId}` });
    if (i.leaderId !== null) claims.push({ epoch: i.epoch, nodeId: i.leaderId, source: `leader hint of node ${n.nodeId}` });
  }
  return claims;
}

// ---------------------------------------------------------------------------------------------
// The invariants

/** At most one leader per epoch, over every node and all time (roles, hints and persisted states). */
export function singleLeaderPerEpoch(view: ClusterView, history: History): string | null {
  const seen = new Map<number, LeaderClaim>();
  for (const c of leaderClaims(view)) {
    const past = history.leaderOfEpoch.get(c.epoch);
    if (past !== undefined && past.nodeId !== c.nodeId) {
      return `two leaders in epoch ${c.epoch}: node ${past.nodeId} (${past.source}, earlier) and node ${c.nodeId} (${c.source})`;
    }
    const now = seen.get(c.epoch);
    if (now !== undefined && now.nodeId !== c.nodeId) {
      return `two leaders in epoch ${c.epoch}: node ${now.nodeId} (${now.source}) and node ${c.nodeId} (${c.source})`;
    }
    seen.set(c.epoch, c);
  }
  return null;
}

/**
 * Only a leader reports itself as the leader: a resigned leader standing for election again once
 * did (Prospective kept its own id), so its driver logged a leader change to itself and its
 * NotLeaderError hinted at itself.
 */
export function onlyALeaderReportsItself(view: ClusterView): string | null {
  for (const n of view.nodes) {
    const i = n.inspection;
    if (i === null || i.reportedLeaderId !== n.nodeId || i.role === 'Leader') continue;
    return `node ${n.nodeId} is ${i.role} in epoch ${i.epoch} but reports itself as the leader`;
  }
  return null;
}

/** A node's persisted epoch never decreases, and its in-memory epoch is never behind it. */
export function monotonicPersistedEpoch(view: ClusterView, history: History): string | null {
  for (const n of view.nodes) {
    if (n.persisted === undefined) continue;
    const before = history.persistedEpoch.get(n.nodeId);
    if (before !== undefined && n.persisted.epoch < before) {
      return `node ${n.nodeId}: persisted epoch went back from ${before} to ${n.persisted.epoch}`;
    }
    if (n.inspection !== null && n.inspection.epoch < n.persisted.epoch) {
      return `node ${n.nodeId}: in-memory epoch ${n.inspection.epoch} is behind its persisted epoch ${n.persisted.epoch}`;
    }
  }
  return null;
}

/** A leader's high watermark never decreases within its epoch. */
export function monotonicLeaderHighWatermark(view: ClusterView, history: History): string | null {
  for (const n of view.nodes) {
    const i = n.inspection;
    if (i === null || i.role !== 'Leader') continue;
    const before = history.leaderHighWatermark.get(`${n.nodeId}:${i.epoch}`);
    if (before !== undefined && i.highWatermark < before) {
      return `node ${n.nodeId}: leader high watermark went back from ${before} to ${i.highWatermark} in epoch ${i.epoch}`;
    }
  }
  return null;
}

/** Whether a node's durable state holds every offset below `hwm`, ending with `epochAtHwm` at hwm-1. */
function durablyHolds(n: NodeView, hwm: number, epochAtHwm: number | undefined): boolean {
  if (n.lostBelow !== undefined && hwm <= n.lostBelow) return true;
  const e = n.durable.epochAt(hwm - 1);
  if (e !== undefined) return epochAtHwm === undefined || e === epochAtHwm;
  // Below the durable log start: held through a snapshot covering it.
  if (hwm <= n.durable.logStartOffset) return n.snapshots.some((s) => s.endOffset >= hwm);
  return false;
}

/**
 * A majority of voters durably holds every offset below each node's high watermark: whatever a
 * leader, an ex-leader, a follower or an observer believes committed is on a majority's disks
 * (with the same epoch at the last committed offset), now and forever after.
 */
export function majorityHoldsHighWatermark(view: ClusterView): string | null {
  const voters = view.nodes.filter((n) => n.isVoter);
  const majority = Math.floor(view.voters.length / 2) + 1;
  for (const node of view.nodes) {
    const i = node.inspection;
    if (i === null || i.highWatermark <= 0) continue;
    const hwm = i.highWatermark;
    let epochAtHwm = epochInBatches(i.batches, hwm - 1);
    if (epochAtHwm === undefined && i.latestSnapshot !== null && i.latestSnapshot.endOffset === hwm) epochAtHwm = i.latestSnapshot.epoch;
    const holders = voters.filter((v) => durablyHolds(v, hwm, epochAtHwm)).map((v) => v.nodeId);
    if (holders.length < majority) {
      const detail = voters.map((v) => `${v.nodeId}:end=${v.durable.endOffset},e@${hwm - 1}=${v.durable.epochAt(hwm - 1) ?? '-'}`).join(' ');
      return `${i.role} ${node.nodeId} (epoch ${i.epoch}) has high watermark ${hwm} (epoch ${epochAtHwm ?? '?'} at ${hwm - 1}) but only voters [${holders.join(',')}] hold it durably (${detail})`;
    }
  }
  return null;
}

/** No node truncates its log below its high watermark (checked on each truncate call). */
export function noTruncationBelowHighWatermark(nodeId: NodeId, truncateOffset: number, highWatermark: number): string | null {
  if (truncateOffset < highWatermark) {
    return `node ${nodeId}: truncates its log from ${truncateOffset}, below its high watermark ${highWatermark}`;
  }
  return null;
}

/** An applied (offset, epoch, value) agrees with whatever was first committed there. */
export function committedEntryAgrees(history: History, nodeId: NodeId, offset: number, epoch: number, value: number | null): string | null {
  const first = history.committed.get(offset);
  if (first === undefined) return null;
  if (first.epoch !== epoch || first.value !== value) {
    return `committed data diverges at offset ${offset}: node ${first.nodeId} had (epoch ${first.epoch}, value ${first.value}), node ${nodeId} has (epoch ${epoch}, value ${value})`;
  }
  return null;
}

/** Each node's log, below its high watermark, agrees in epochs with the committed history. */
export function logsAgreeBelowHighWatermark(view: ClusterView, history: History): string | null {
  for (const n of view.nodes) {
    const i = n.inspection;
    if (i === null) continue;
    for (const b of i.batches) {
      if (b.baseOffset >= i.highWatermark) break;
      const c = history.committed.get(b.baseOffset);
      if (c !== undefined && c.epoch !== b.epoch) {
        return `node ${n.nodeId}: committed batch at ${b.baseOffset} has epoch ${b.epoch} but epoch ${c.epoch} was committed there (by node ${c.nodeId})`;
      }
    }
  }
  return null;
}

/** A log that starts above 0 starts at a snapshot the node holds (KAFKA-14240). */
export function snapshotAtLogStart(view: ClusterView): string | null {
  for (const n of view.nodes) {
    const start = n.durable.logStartOffset;
    if (start > 0 && !n.snapshots.some((s) => s.endOffset === start)) {
      return `node ${n.nodeId}: durable log starts at ${start} but no snapshot ends there (snapshots: ${n.snapshots.map((s) => s.endOffset).join(',') || 'none'})`;
    }
  }
  return null;
}

/**
 * Stricter, for a quiet cluster: on every running node the oldest snapshot is exactly the log
 * start (Kafka's SnapshotAtLogStart). A node that crashed between moving its log start and
 * deleting the old snapshot is excused until it restarts (start-up cleans up).
 */
export function oldestSnapshotIsLogStart(view: ClusterView): string | null {
  for (const n of view.nodes) {
    if (n.state === 'crashed') continue;
    const start = n.durable.logStartOffset;
    const oldest = n.snapshots[0];
    if (start > 0 && oldest !== undefined && oldest.endOffset !== start) {
      return `node ${n.nodeId}: durable log starts at ${start} but its oldest snapshot ends at ${oldest.endOffset}`;
    }
  }
  return null;
}

/** A leader, or one that resigned (a leader can advance its high watermark and resign in one step). */
function isLeaderOrExLeader(i: InspectionView): boolean {
  return i.role === 'Leader' || i.role === 'Resigned';
}

/** No node (observers included) applies past the highest high watermark a leader ever had. */
export function noApplyPastHighWatermark(view: ClusterView, history: History): string | null {
  let max = history.maxLeaderHighWatermark;
  for (const n of view.nodes) {
    if (n.inspection !== null && isLeaderOrExLeader(n.inspection)) max = Math.max(max, n.inspection.highWatermark);
  }
  for (const n of view.nodes) {
    if (n.appliedEnd !== null && n.appliedEnd > max) {
      return `${n.isVoter ? 'voter' : 'observer'} ${n.nodeId} applied up to ${n.appliedEnd}, past every leader's high watermark (max ${max})`;
    }
  }
  return null;
}

/** The invariants checked after every event, in order. */
export const eventInvariants: ReadonlyArray<(view: ClusterView, history: History) => string | null> = [
  singleLeaderPerEpoch,
  onlyALeaderReportsItself,
  monotonicPersistedEpoch,
  monotonicLeaderHighWatermark,
  majorityHoldsHighWatermark,
  snapshotAtLogStart,
  noApplyPastHighWatermark,
];

/** Runs every per-event invariant; returns the violations found. */
export function checkView(view: ClusterView, history: History): string[] {
  const out: string[] = [];
  for (const check of eventInvariants) {
    const v = check(view, history);
    if (v !== null) out.push(v);
  }
  return out;
}

/** Folds the view into the history (call after checking it). */
export function recordHistory(view: ClusterView, history: History): void {
  for (const c of leaderClaims(view)) {
    if (!history.leaderOfEpoch.has(c.epoch)) history.leaderOfEpoch.set(c.epoch, { nodeId: c.nodeId, source: c.source });
  }
  for (const n of view.nodes) {
    if (n.persisted !== undefined) {
      const before = history.persistedEpoch.get(n.nodeId) ?? -1;
      if (n.persisted.epoch > before) history.persistedEpoch.set(n.nodeId, n.persisted.epoch);
    }
    const i = n.inspection;
    if (i !== null && i.role === 'Leader') {
      const key = `${n.nodeId}:${i.epoch}`;
      const before = history.leaderHighWatermark.get(key) ?? -1;
      if (i.highWatermark > before) history.leaderHighWatermark.set(key, i.highWatermark);
    }
    if (i !== null && isLeaderOrExLeader(i) && i.highWatermark > history.maxLeaderHighWatermark) {
      history.maxLeaderHighWatermark = i.highWatermark;
    }
  }
}

/** Records an applied entry as committed (first writer wins; call after committedEntryAgrees). */
export function recordCommitted(history: History, nodeId: NodeId, offset: number, epoch: number, value: number | null): void {
  if (!history.committed.has(offset)) history.committed.set(offset, { epoch, value, nodeId });
}
