// The invariant functions on hand-built cluster views: each one must flag the violation it is
// named after and stay quiet on a healthy view.
import { describe, expect, it } from 'vitest';
import type { LogBatch, QuorumStateData, RoleName, SnapshotId } from '../../quorum/raft/types.js';
import {
  checkView,
  committedEntryAgrees,
  durableLogFromBatches,
  emptyHistory,
  logsAgreeBelowHighWatermark,
  majorityHoldsHighWatermark,
  monotonicLeaderHighWatermark,
  monotonicPersistedEpoch,
  noApplyPastHighWatermark,
  noTruncationBelowHighWatermark,
  oldestSnapshotIsLogStart,
  recordCommitted,
  recordHistory,
  singleLeaderPerEpoch,
  snapshotAtLogStart,
} from '../../quorum/sim/invariants.js';
import type { ClusterView, NodeView } from '../../quorum/sim/invariants.js';

function batches(epochs: number[]): LogBatch[] {
  return epochs.map((epoch, i) => ({ baseOffset: i, epoch, appendTimeMs: 0, records: [new Uint8Array([i])] }));
}

interface NodeSpec {
  id: number;
  voter?: boolean;
  role?: RoleName;
  epoch?: number;
  leaderId?: number | null;
  hwm?: number;
  log?: number[];
  durable?: number[];
  logStart?: number;
  snapshots?: SnapshotId[];
  persisted?: QuorumStateData;
  applied?: number;
}

function node(s: NodeSpec): NodeView {
  const log = batches(s.log ?? []);
  const durable = batches(s.durable ?? s.log ?? []).filter((b) => b.baseOffset >= (s.logStart ?? 0));
  return {
    nodeId: s.id,
    isVoter: s.voter ?? true,
    state: 'running',
    inspection: {
      role: s.role ?? 'Follower',
      epoch: s.epoch ?? 1,
      leaderId: s.leaderId === undefined ? 1 : s.leaderId,
      highWatermark: s.hwm ?? 0,
      logStartOffset: s.logStart ?? 0,
      logEndOffset: log.length,
      batches: log,
      latestSnapshot: s.snapshots?.[s.snapshots.length - 1] ?? null,
    },
    persisted: s.persisted,
    durable: durableLogFromBatches(s.logStart ?? 0, durable),
    snapshots: s.snapshots ?? [],
    appliedEnd: s.applied ?? 0,
  };
}

function view(...nodes: NodeView[]): ClusterView {
  return { timeMs: 0, voters: nodes.filter((n) => n.isVoter).map((n) => n.nodeId), nodes };
}

const healthy = view(
  node({ id: 1, role: 'Leader', leaderId: 1, hwm: 3, log: [1, 1, 1], applied: 3 }),
  node({ id: 2, hwm: 3, log: [1, 1, 1], applied: 3 }),
  node({ id: 3, hwm: 2, log: [1, 1], applied: 2 }),
  node({ id: 100, voter: false, hwm: 2, log: [1, 1], applied: 2 }),
);

describe('sim invariants', () => {
  it('a healthy view passes every check', () => {
    const h = emptyHistory();
    expect(checkView(healthy, h)).toEqual([]);
    recordHistory(healthy, h);
    expect(checkView(healthy, h)).toEqual([]);
  });

  it('single leader per epoch: now and across history', () => {
    const h = emptyHistory();
    const two = view(node({ id: 1, role: 'Leader', leaderId: 1 }), node({ id: 2, role: 'Leader', leaderId: 2 }), node({ id: 3 }));
    expect(singleLeaderPerEpoch(two, h)).toMatch(/two leaders in epoch 1/);
    recordHistory(view(node({ id: 1, role: 'Leader', leaderId: 1 })), h);
    const later = view(node({ id: 2, leaderId: null, persisted: { epoch: 1, leaderId: 2, votedId: null } }));
    expect(singleLeaderPerEpoch(later, h)).toMatch(/node 1 .* and node 2/);
  });

  it('persisted epoch never decreases and memory is never behind disk', () => {
    const h = emptyHistory();
    recordHistory(view(node({ id: 1, epoch: 5, persisted: { epoch: 5, leaderId: null, votedId: 1 } })), h);
    expect(monotonicPersistedEpoch(view(node({ id: 1, epoch: 5, persisted: { epoch: 4, leaderId: null, votedId: null } })), h)).toMatch(/went back from 5 to 4/);
    expect(monotonicPersistedEpoch(view(node({ id: 1, epoch: 4, persisted: { epoch: 5, leaderId: null, votedId: null } })), h)).toMatch(/behind/);
  });

  it('a leader high watermark never decreases within its epoch', () => {
    const h = emptyHistory();
    recordHistory(view(node({ id: 1, role: 'Leader', leaderId: 1, hwm: 5, log: [1, 1, 1, 1, 1] })), h);
    expect(monotonicLeaderHighWatermark(view(node({ id: 1, role: 'Leader', leaderId: 1, hwm: 4, log: [1, 1, 1, 1, 1] })), h)).toMatch(/from 5 to 4/);
    expect(monotonicLeaderHighWatermark(view(node({ id: 1, role: 'Leader', leaderId: 1, epoch: 2, hwm: 4, log: [1, 1, 1, 1, 1] })), h)).toBeNull();
  });

  it('a majority must hold every offset below any high watermark durably, with the same epoch', () => {
    const unflushed = view(
      node({ id: 1, role: 'Leader', leaderId: 1, hwm: 3, log: [1, 1, 1], durable: [1, 1] }),
      node({ id: 2, log: [1, 1, 1], durable: [1, 1] }),
      node({ id: 3, log: [1, 1, 1] }),
    );
    expect(majorityHoldsHighWatermark(unflushed)).toMatch(/only voters \[3\]/);
    const otherEpoch = view(
      node({ id: 1, role: 'Leader', leaderId: 1, epoch: 2, hwm: 3, log: [1, 1, 2] }),
      node({ id: 2, log: [1, 1, 1] }),
      node({ id: 3, log: [1, 1, 1] }),
    );
    expect(majorityHoldsHighWatermark(otherEpoch)).toMatch(/only voters \[1\]/);
    const follower = view(node({ id: 1, leaderId: 2, hwm: 2, log: [1, 1] }), node({ id: 2, log: [1] }), node({ id: 3, log: [1] }));
    expect(majorityHoldsHighWatermark(follower)).toMatch(/Follower 1/);
    const viaSnapshot = view(
      node({ id: 1, role: 'Leader', leaderId: 1, hwm: 3, log: [1, 1, 1] }),
      node({ id: 2, logStart: 3, snapshots: [{ endOffset: 3, epoch: 1 }] }),
      node({ id: 3 }),
    );
    expect(majorityHoldsHighWatermark(viaSnapshot)).toBeNull();
  });

  it('no truncation below the high watermark', () => {
    expect(noTruncationBelowHighWatermark(1, 4, 5)).toMatch(/below its high watermark 5/);
    expect(noTruncationBelowHighWatermark(1, 5, 5)).toBeNull();
  });

  it('committed entries agree across nodes and time', () => {
    const h = emptyHistory();
    expect(committedEntryAgrees(h, 1, 0, 1, 42)).toBeNull();
    recordCommitted(h, 1, 0, 1, 42);
    expect(committedEntryAgrees(h, 2, 0, 1, 42)).toBeNull();
    expect(committedEntryAgrees(h, 2, 0, 1, 43)).toMatch(/diverges at offset 0/);
    expect(committedEntryAgrees(h, 2, 0, 2, 42)).toMatch(/diverges/);
    expect(logsAgreeBelowHighWatermark(view(node({ id: 3, hwm: 1, log: [2] })), h)).toMatch(/epoch 2 but epoch 1/);
  });

  it('a log that starts above 0 starts at a snapshot', () => {
    expect(snapshotAtLogStart(view(node({ id: 1, logStart: 2, log: [1, 1, 1] })))).toMatch(/no snapshot ends there/);
    expect(snapshotAtLogStart(view(node({ id: 1, logStart: 2, log: [1, 1, 1], snapshots: [{ endOffset: 2, epoch: 1 }] })))).toBeNull();
    expect(
      oldestSnapshotIsLogStart(view(node({ id: 1, logStart: 2, log: [1, 1, 1], snapshots: [{ endOffset: 1, epoch: 1 }, { endOffset: 2, epoch: 1 }] }))),
    ).toMatch(/oldest snapshot ends at 1/);
  });

  it('no node applies past the highest leader high watermark', () => {
    const h = emptyHistory();
    recordHistory(view(node({ id: 1, role: 'Leader', leaderId: 1, hwm: 2, log: [1, 1] })), h);
    expect(noApplyPastHighWatermark(view(node({ id: 1, role: 'Follower', hwm: 2 }), node({ id: 100, voter: false, applied: 3 })), h)).toMatch(
      /observer 100 applied up to 3/,
    );
    expect(noApplyPastHighWatermark(view(node({ id: 100, voter: false, applied: 2 })), h)).toBeNull();
  });
});
