// The simulator's clients. Each proposes fresh unique values every few ms to the node it believes
// leads, following NotLeaderError hints, and records every operation as a history entry:
// invoke → ok(offset) | fail (certainly not appended) | unknown (timed out, node crashed, or the
// driver says the outcome is unknown). The final check holds the cluster to these answers: every
// ok value is committed at its offset and on every node, no failed value is ever committed, and
// nothing is committed that nobody proposed.

import type { NodeId } from '../raft/types.js';
import { NotLeaderError, ProposalRejectedError } from '../runtime/api.js';
import type { CommittedPosition } from '../runtime/api.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { WorkloadKnobs } from './sim-options.js';
import { encodeValue, valueKey } from './test-state-machine.js';

export type OpStatus = 'pending' | 'ok' | 'fail' | 'unknown';

export interface OpRecord {
  readonly id: number;
  readonly client: number;
  readonly values: readonly number[];
  readonly target: NodeId;
  readonly invokeMs: number;
  status: OpStatus;
  /** Offset of the last record, when ok. */
  offset?: number;
  epoch?: number;
  endMs?: number;
  reason?: string;
}

/** How the workload reaches nodes: runs `call` inside the target's current incarnation. */
export interface NodeGateway {
  /** Voters, for a client with no leader hint. */
  readonly voters: readonly NodeId[];
  /**
   * Calls `propose` on the node's current RaftNode if it is up (held while paused); returns false
   * when the node is down. `incarnation` lets a late answer be told from a current one.
   */
  callPropose(
    nodeId: NodeId,
    records: readonly Uint8Array[],
    settle: (incarnation: number, result: { ok: CommittedPosition } | { error: unknown }) => void,
  ): boolean;
  isIncarnation(nodeId: NodeId, incarnation: number): boolean;
}

export interface WorkloadStats {
  invoked: number;
  ok: number;
  fail: number;
  unknown: number;
  lateOk: number;
  notLeader: number;
}

export class Workload {
  readonly ops: OpRecord[] = [];
  /** value → the op that proposed it. */
  readonly valueOwner = new Map<number, OpRecord>();
  readonly stats: WorkloadStats = { invoked: 0, ok: 0, fail: 0, unknown: 0, lateOk: 0, notLeader: 0 };
  private running = false;
  private readonly seq: number[];
  private readonly believedLeader: (NodeId | undefined)[];
  private readonly inFlight: number[];
  /** Per client, the cancel handle of its next tick. */
  private readonly cancelTick: ((() => void) | undefined)[];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly prng: Prng,
    private readonly knobs: WorkloadKnobs,
    private readonly gateway: NodeGateway,
  ) {
    this.seq = Array.from({ length: knobs.clients }, () => 0);
    this.believedLeader = Array.from({ length: knobs.clients }, () => undefined);
    this.inFlight = Array.from({ length: knobs.clients }, () => 0);
    this.cancelTick = Array.from({ length: knobs.clients }, () => undefined);
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let c = 0; c < this.knobs.clients; c++) this.scheduleTick(c);
  }

  /** No new proposals; outstanding ones still settle. */
  stop(): void {
    this.running = false;
    for (let c = 0; c < this.cancelTick.length; c++) {
      this.cancelTick[c]?.();
      this.cancelTick[c] = undefined;
    }
  }

  get outstanding(): number {
    return this.inFlight.reduce((a, b) => a + b, 0);
  }

  /** A node crashed: what was sent to it is now of unknown outcome. */
  onCrash(nodeId: NodeId): void {
    for (let c = 0; c < this.knobs.clients; c++) if (this.believedLeader[c] === nodeId) this.believedLeader[c] = undefined;
    for (const op of this.ops) {
      if (op.status === 'pending' && op.target === nodeId) this.finish(op, 'unknown', 'target crashed');
    }
  }

  /** Proposes `records` fresh values now from `client` to `target` (or the believed leader). */
  invoke(client = 0, target?: NodeId, records = 1): OpRecord {
    const writer = client + 1;
    const values: number[] = [];
    const encoded: Uint8Array[] = [];
    for (let i = 0; i < records; i++) {
      const s = ++this.seq[client]!;
      values.push(valueKey(writer, s));
      encoded.push(encodeValue(writer, s));
    }
    const to = target ?? this.believedLeader[client] ?? this.prng.pick(this.gateway.voters);
    const op: OpRecord = { id: this.ops.length, client, values, target: to, invokeMs: this.scheduler.nowMs(), status: 'pending' };
    this.ops.push(op);
    for (const v of values) this.valueOwner.set(v, op);
    this.stats.invoked++;
    this.inFlight[client]!++;
    const sent = this.gateway.callPropose(to, encoded, (incarnation, result) => this.settle(op, incarnation, result));
    if (!sent) {
      this.believedLeader[client] = undefined;
      this.finish(op, 'fail', 'target down');
      return op;
    }
    this.scheduler.after(this.knobs.clientTimeoutMs, () => {
      if (op.status === 'pending') this.finish(op, 'unknown', 'client timeout');
    }, `client${client} timeout`);
    return op;
  }

  private scheduleTick(client: number): void {
    const delay = this.prng.float(this.knobs.proposeIntervalMinMs, this.knobs.proposeIntervalMaxMs);
    this.cancelTick[client] = this.scheduler.after(
      delay,
      () => {
        if (!this.running) return;
        if (this.inFlight[client]! < this.knobs.maxInFlight) {
          this.invoke(client, undefined, this.prng.int(1, this.knobs.recordsPerProposalMax));
        }
        this.scheduleTick(client);
      },
      `client${client} tick`,
    );
  }

  private settle(op: OpRecord, incarnation: number, result: { ok: CommittedPosition } | { error: unknown }): void {
    // A halted incarnation's answers are never seen: the process is gone.
    if (!this.gateway.isIncarnation(op.target, incarnation)) return;
    if ('ok' in result) {
      if (op.status !== 'pending') {
        if (op.status === 'unknown') this.stats.lateOk++;
        else return;
      }
      op.offset = result.ok.offset;
      op.epoch = result.ok.epoch;
      this.believedLeader[op.client] = op.target;
      this.finish(op, 'ok');
      return;
    }
    const e = result.error;
    if (e instanceof NotLeaderError) {
      this.stats.notLeader++;
      this.believedLeader[op.client] = e.leader.leaderId ?? undefined;
      if (op.status === 'pending') this.finish(op, e.outcome === 'not-appended' ? 'fail' : 'unknown', e.message);
      return;
    }
    if (e instanceof ProposalRejectedError) {
      if (op.status === 'pending') this.finish(op, e.code === 'SHUTTING_DOWN' ? 'unknown' : 'fail', e.message);
      return;
    }
    if (op.status === 'pending') this.finish(op, 'unknown', `unexpected error: ${String(e)}`);
  }

  private finish(op: OpRecord, status: Exclude<OpStatus, 'pending'>, reason?: string): void {
    const wasPending = op.status === 'pending';
    if (op.status !== 'pending' && op.status !== 'unknown') return;
    if (op.status === 'unknown') this.stats.unknown--;
    op.status = status;
    op.endMs = this.scheduler.nowMs();
    if (reason !== undefined) op.reason = reason;
    this.stats[status]++;
    if (wasPending) this.inFlight[op.client]!--;
  }
}
