// The simulated network (DESIGN §5): one Transport per node incarnation, all fed by one seeded
// PRNG. Each message gets a random delay (so messages reorder), may be dropped or duplicated, and
// is subject to the current faults: symmetric partitions and one-way blocks, checked both when it
// is sent and when it would arrive (a partition also eats what is in flight). A message to a
// crashed node, or to an incarnation that has since crashed, is lost; one to a paused node is held
// by SimProcess and delivered on resume. When a node crashes its peers hear `onPeerLost` after a
// small delay, as when a socket closes; a paused node's peers hear nothing (a hung process keeps
// its sockets open). A connection reset between two live nodes loses what is in flight from one
// to the other and both hear `onPeerLost` for the other, as when a TCP connection drops.

import { Packr } from 'msgpackr';
import type { Transport } from '../env/index.js';
import { raftMessageToWire, receiveRaftMessage } from '../net/raft-wire.js';
import type { NodeId, RaftMessage } from '../raft/types.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { SimProcess } from './sim-process.js';

export interface NetworkKnobs {
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  /** How long after a crash its peers hear `onPeerLost`. */
  readonly peerLostDelayMs: number;
  /**
   * Send every message through the real wire path (raft-wire.ts: the { raft } frame, a
   * FetchResponse's batches as CRC-checked log frames, msgpack, and the receiver's checks), so the
   * receiver gets its own copy and a message the real transport would drop is a contract violation.
   * Slower: property tests and sweeps turn it on in about a quarter of their runs.
   */
  readonly serialize: boolean;
}

export const defaultNetworkKnobs: NetworkKnobs = {
  delayMinMs: 0.5,
  delayMaxMs: 5,
  dropProbability: 0,
  duplicateProbability: 0,
  peerLostDelayMs: 5,
  serialize: false,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Dropped because of a partition or one-way block. */
  blocked: number;
  peerLostNotices: number;
}

interface Endpoint {
  readonly process: SimProcess;
  /** Receivers per incarnation (only the current one is ever used). */
  incarnation: number;
  receive: ((m: RaftMessage) => void) | undefined;
  peerLost: ((id: NodeId) => void) | undefined;
  closed: boolean;
}

const packr = new Packr({ useRecords: false });

export class SimNetwork {
  private readonly endpoints = new Map<NodeId, Endpoint>();
  /** Partition group per node; absent = not partitioned. */
  private groupOf: Map<NodeId, number> | undefined = undefined;
  private readonly oneWay = new Set<string>();
  /** `${from}>${to}` → bumped by each connection reset: a message sent under an older one is lost. */
  private readonly linkGeneration = new Map<string, number>();
  private knobsValue: NetworkKnobs;
  /** Set by the cluster: a message the real receiver would drop (serialize mode). */
  hooks: { onContractViolation?: (message: string) => void } = {};
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, blocked: 0, peerLostNotices: 0 };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly prng: Prng,
    knobs: Partial<NetworkKnobs> = {},
  ) {
    this.knobsValue = { ...defaultNetworkKnobs, ...knobs };
  }

  get knobs(): NetworkKnobs {
    return this.knobsValue;
  }

  setKnobs(knobs: Partial<NetworkKnobs>): void {
    this.knobsValue = { ...this.knobsValue, ...knobs };
  }

  /** Adds a node; its peers hear `onPeerLost` whenever it crashes. */
  register(process: SimProcess): void {
    const id = process.nodeId;
    if (this.endpoints.has(id)) throw new Error(`node ${id} registered twice`);
    this.endpoints.set(id, { process, incarnation: 0, receive: undefined, peerLost: undefined, closed: true });
    process.onCrash(() => this.onCrash(id));
  }

  /** The Transport of the node's current incarnation (call right after SimProcess.boot). */
  transport(nodeId: NodeId): Transport {
    const ep = this.endpoint(nodeId);
    const incarnation = ep.process.incarnation;
    ep.incarnation = incarnation;
    ep.receive = undefined;
    ep.peerLost = undefined;
    ep.closed = false;
    return {
      send: (message) => this.send(nodeId, incarnation, message),
      onReceive: (handler, onPeerLost) => {
        if (ep.incarnation !== incarnation) return;
        ep.receive = handler;
        ep.peerLost = onPeerLost;
      },
      close: async () => {
        if (ep.incarnation === incarnation) ep.closed = true;
      },
    };
  }

  /**
   * Splits the nodes into groups that cannot talk to each other (symmetric). A node in no group
   * is isolated from everyone.
   */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const g = new Map<NodeId, number>();
    groups.forEach((group, i) => {
      for (const id of group) {
        if (g.has(id)) throw new Error(`node ${id} is in two partition groups`);
        g.set(id, i);
      }
    });
    let next = groups.length;
    for (const id of this.endpoints.keys()) if (!g.has(id)) g.set(id, next++);
    this.groupOf = g;
  }

  /** Messages from `from` to `to` are lost; the other direction still works. */
  blockOneWay(from: NodeId, to: NodeId): void {
    this.oneWay.add(`${from}>${to}`);
  }

  /** Removes every partition and one-way block. */
  heal(): void {
    this.groupOf = undefined;
    this.oneWay.clear();
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    if (this.oneWay.has(`${from}>${to}`)) return true;
    const g = this.groupOf;
    return g !== undefined && g.get(from) !== g.get(to);
  }

  get faultsActive(): boolean {
    return this.groupOf !== undefined || this.oneWay.size > 0;
  }

  private endpoint(id: NodeId): Endpoint {
    const ep = this.endpoints.get(id);
    if (ep === undefined) throw new Error(`unknown node ${id}`);
    return ep;
  }

  private send(from: NodeId, fromIncarnation: number, message: RaftMessage): void {
    const src = this.endpoint(from);
    // A halted incarnation's late sends never reach the wire.
    if (!src.process.isCurrent(fromIncarnation) || src.incarnation !== fromIncarnation || src.closed) return;
    this.stats.sent++;
    if (message.from !== from) throw new Error(`node ${from} sent a message claiming to be from ${message.from}`);
    const dst = this.endpoints.get(message.to);
    if (dst === undefined || dst.process.state === 'crashed') {
      this.stats.dropped++;
      return;
    }
    if (this.isBlocked(from, message.to)) {
      this.stats.blocked++;
      return;
    }
    const k = this.knobsValue;
    if (this.prng.chance(k.dropProbability)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.prng.chance(k.duplicateProbability) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    const toIncarnation = dst.process.incarnation;
    const link = `${from}>${message.to}`;
    const generation = this.linkGeneration.get(link) ?? 0;
    const wire = k.serialize ? packr.pack({ raft: raftMessageToWire(message) }) : undefined;
    for (let i = 0; i < copies; i++) {
      const payload = wire === undefined ? message : this.received(wire, from, message.to);
      if (payload === undefined) return;
      const delay = this.prng.float(k.delayMinMs, Math.max(k.delayMinMs, k.delayMaxMs));
      this.scheduler.after(delay, () => this.arrive(from, toIncarnation, payload, generation), `net ${link} ${message.body.kind}`);
    }
  }

  /** What the receiver's transport makes of the bytes (each copy decoded on its own), or undefined when it would drop them. */
  private received(wire: Uint8Array, from: NodeId, to: NodeId): RaftMessage | undefined {
    const frame = packr.unpack(wire) as { raft: unknown };
    const r = receiveRaftMessage(frame.raft, from, to);
    if ('message' in r) return r.message;
    this.hooks.onContractViolation?.(`node ${to} would drop a raft message from node ${from}: ${r.problem}`);
    return undefined;
  }

  private arrive(from: NodeId, toIncarnation: number, message: RaftMessage, generation: number): void {
    const dst = this.endpoint(message.to);
    if ((this.linkGeneration.get(`${from}>${message.to}`) ?? 0) !== generation) {
      this.stats.dropped++; // its connection was reset while it was in flight
      return;
    }
    if (this.isBlocked(from, message.to)) {
      this.stats.blocked++;
      return;
    }
    const accepted = dst.process.deliver(toIncarnation, () => {
      if (dst.incarnation !== toIncarnation || dst.closed || dst.receive === undefined) {
        this.stats.dropped++;
        return;
      }
      this.stats.delivered++;
      dst.receive(message);
    });
    if (!accepted) this.stats.dropped++;
  }

  /**
   * The connection between `a` and `b` drops (both processes live): what is in flight between them
   * is lost, and each hears `onPeerLost` for the other after peerLostDelayMs. Later messages go
   * through (the transports reconnect).
   */
  resetConnection(a: NodeId, b: NodeId): void {
    for (const link of [`${a}>${b}`, `${b}>${a}`]) this.linkGeneration.set(link, (this.linkGeneration.get(link) ?? 0) + 1);
    this.notifyPeerLost(a, b);
    this.notifyPeerLost(b, a);
  }

  private onCrash(crashed: NodeId): void {
    for (const [id, ep] of this.endpoints) {
      if (id !== crashed && ep.process.state !== 'crashed') this.notifyPeerLost(id, crashed);
    }
  }

  /** `listener`'s current incarnation hears that `lost` is gone, after peerLostDelayMs. */
  private notifyPeerLost(listener: NodeId, lost: NodeId): void {
    const ep = this.endpoint(listener);
    if (ep.process.state === 'crashed') return;
    const inc = ep.process.incarnation;
    this.scheduler.after(
      this.knobsValue.peerLostDelayMs,
      () => {
        ep.process.deliver(inc, () => {
          if (ep.incarnation !== inc || ep.closed || ep.peerLost === undefined) return;
          this.stats.peerLostNotices++;
          ep.peerLost(lost);
        });
      },
      `net peerLost ${lost}@${listener}`,
    );
  }
}
