// A tiny synchronous harness around bare RaftCores (no driver, no I/O): every Ready is carried out
// at once and messages wait in one FIFO queue until `deliver` runs. For unit tests that poke the
// core's message handling directly; the simulator (quorum/sim) covers the real driver.

import { raftConfig, type RaftConfig } from '../../quorum/raft/config.js';
import { RaftCore } from '../../quorum/raft/core.js';
import type { LogBatch, NodeId, QuorumStateData, RaftMessage, RaftMessageBody } from '../../quorum/raft/types.js';

export class SeqRandom {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // xorshift32: enough for tests, deterministic.
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 2 ** 32;
  }
}

export interface CoreNode {
  core: RaftCore;
  persisted: QuorumStateData | undefined;
  applied: LogBatch[];
  up: boolean;
}

export class CoreCluster {
  nowMs = 0;
  readonly nodes = new Map<NodeId, CoreNode>();
  queue: RaftMessage[] = [];
  /** Return false to drop a message. */
  filter: (m: RaftMessage) => boolean = () => true;

  constructor(
    readonly voters: NodeId[],
    observers: NodeId[] = [],
    readonly overrides: Partial<RaftConfig> = {},
  ) {
    for (const id of [...voters, ...observers]) this.boot(id, undefined, []);
  }

  config(id: NodeId): RaftConfig {
    return raftConfig(id, this.voters, this.overrides);
  }

  /** Starts of each node so far: each start is an incarnation of its own (NodeEnv.incarnation, as the simulator numbers them). */
  private readonly boots = new Map<NodeId, number>();

  boot(id: NodeId, persisted: QuorumStateData | undefined, batches: readonly LogBatch[]): CoreNode {
    const started = this.boots.get(id) ?? 0;
    this.boots.set(id, started + 1);
    const core = new RaftCore(this.config(id), new SeqRandom(id * 7919), { quorumState: persisted, snapshots: [], batches, appliedOffset: 0 }, this.nowMs, started * 2 ** 32);
    const node: CoreNode = { core, persisted, applied: [], up: true };
    this.nodes.set(id, node);
    return node;
  }

  /** Restart from what was persisted: flushed log, quorum state. */
  restart(id: NodeId): CoreNode {
    const old = this.node(id);
    const i = old.core.inspect();
    const flushed = i.batches.filter((b) => b.baseOffset < i.flushedEndOffset);
    return this.boot(id, old.persisted, flushed);
  }

  node(id: NodeId): CoreNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Carry out every pending Ready of every node; queue its messages. */
  drain(): void {
    for (const [, n] of this.nodes) {
      if (!n.up) continue;
      for (let rd = n.core.ready(); rd !== undefined; rd = n.core.ready()) {
        if (rd.quorumState !== undefined) n.persisted = rd.quorumState;
        this.queue.push(...rd.messages);
        n.applied.push(...rd.committed);
        n.core.advance(rd, this.nowMs);
      }
    }
  }

  /** Deliver queued messages (and the ones they cause) until the network is quiet or `max` is hit. */
  deliver(max = 10_000): void {
    this.drain();
    let n = 0;
    while (this.queue.length > 0 && n++ < max) {
      const m = this.queue.shift()!;
      const to = this.nodes.get(m.to);
      if (to === undefined || !to.up || !this.filter(m)) continue;
      to.core.step({ type: 'receive', message: m }, this.nowMs);
      this.drain();
    }
  }

  /** Advance time by `ms` in steps, ticking every node and delivering messages. */
  run(ms: number, stepMs = 10): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + stepMs);
      for (const [, n] of this.nodes) if (n.up) n.core.step({ type: 'tick' }, this.nowMs);
      this.deliver();
    }
  }

  leaders(): NodeId[] {
    return [...this.nodes].filter(([, n]) => n.up && n.core.role === 'Leader').map(([id]) => id);
  }

  /** Inject a message as if `from` had sent it. */
  inject(from: NodeId, to: NodeId, body: RaftMessageBody): void {
    this.node(to).core.step({ type: 'receive', message: { from, to, body } }, this.nowMs);
    this.drain();
  }

  /** Messages queued for `to` (without delivering them). */
  takeQueued(to: NodeId): RaftMessage[] {
    const out = this.queue.filter((m) => m.to === to);
    this.queue = this.queue.filter((m) => m.to !== to);
    return out;
  }
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
