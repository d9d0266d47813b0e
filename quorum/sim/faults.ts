// Random fault injection for the safety phase (DESIGN §5): at PRNG-drawn intervals it picks a
// fault by the option weights: a crash (later restarted), a graceful stop (later restarted), a
// pause (later resumed), a symmetric partition into two or three groups, a one-way block, a
// connection reset between two live nodes, a wiped voter disk, or a slow fsync on one disk; each undoes itself after a PRNG-drawn time unless the phase is over, in
// which case the liveness phase heals what is left. Clock skew is drawn per incarnation at boot.

import type { NodeId } from '../raft/types.js';
import type { SimCluster } from './cluster.js';
import type { Prng } from './prng.js';
import type { FaultKnobs } from './sim-options.js';

export type FaultKind = keyof FaultKnobs['weights'];

export class FaultInjector {
  private active = false;
  private endMs = 0;
  /** Bumped by each partition so an old heal timer does not undo a newer partition. */
  private networkToken = 0;
  readonly injected: Record<FaultKind, number> = { crash: 0, gracefulStop: 0, pause: 0, partition: 0, oneWay: 0, slowFsync: 0, wipe: 0, reset: 0 };
  private readonly downToken = new Map<NodeId, number>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly prng: Prng,
    private readonly knobs: FaultKnobs,
  ) {}

  /** Injects faults until `untilMs` (simulated). */
  start(untilMs: number): void {
    if (this.knobs.meanIntervalMs <= 0) return;
    this.active = true;
    this.endMs = untilMs;
    this.scheduleNext();
  }

  stop(): void {
    this.active = false;
  }

  private get nowMs(): number {
    return this.cluster.nowMs();
  }

  private scheduleNext(): void {
    // Exponential inter-arrival times around the mean.
    const delay = -Math.log(1 - this.prng.next()) * this.knobs.meanIntervalMs;
    if (this.nowMs + delay >= this.endMs) return;
    this.cluster.scheduler.after(delay, () => {
      if (!this.active) return;
      this.injectOne();
      this.scheduleNext();
    }, 'fault');
  }

  private pickKind(): FaultKind | undefined {
    const entries = (Object.entries(this.knobs.weights) as [FaultKind, number | undefined][]).map(([k, w]) => [k, w ?? 0] as [FaultKind, number]);
    const total = entries.reduce((s, [, w]) => s + Math.max(0, w), 0);
    if (total <= 0) return undefined;
    let x = this.prng.next() * total;
    for (const [k, w] of entries) {
      x -= Math.max(0, w);
      if (x < 0) return k;
    }
    return entries[entries.length - 1]?.[0];
  }

  private later(fn: () => void, minMs: number, maxMs: number, label: string): void {
    this.cluster.scheduler.after(this.prng.float(minMs, maxMs), () => {
      if (this.active) fn();
    }, label);
  }

  /** Restarts a downed node after the down time, unless a later fault took it down again meanwhile. */
  private restartLater(id: NodeId, label: string): void {
    const token = (this.downToken.get(id) ?? 0) + 1;
    this.downToken.set(id, token);
    this.later(
      () => {
        if (this.downToken.get(id) === token && this.cluster.node(id).process.state === 'crashed') this.cluster.restart(id);
      },
      this.knobs.downMinMs,
      this.knobs.downMaxMs,
      label,
    );
  }

  private injectOne(): void {
    const kind = this.pickKind();
    if (kind === undefined) return;
    const c = this.cluster;
    const all = [...c.nodes.values()];
    const running = all.filter((n) => n.process.state === 'running').map((n) => n.id);
    const k = this.knobs;
    switch (kind) {
      case 'crash':
      case 'gracefulStop': {
        const candidates = all.filter((n) => n.process.state !== 'crashed').map((n) => n.id);
        if (candidates.length === 0) return;
        const id = this.prng.pick(candidates);
        if (kind === 'crash') c.crash(id);
        else if (c.node(id).process.state === 'running') c.stopInBackground(id);
        else c.crash(id);
        this.injected[kind]++;
        this.restartLater(id, `fault restart ${id}`);
        return;
      }
      case 'pause': {
        if (running.length === 0) return;
        const id = this.prng.pick(running);
        c.pause(id);
        this.injected.pause++;
        this.later(() => c.resume(id), k.downMinMs, k.downMaxMs, `fault resume ${id}`);
        return;
      }
      case 'partition': {
        const ids = this.prng.shuffle(all.map((n) => n.id));
        if (ids.length < 2) return;
        const groupCount = ids.length >= 3 && this.prng.chance(0.3) ? 3 : 2;
        const groups: NodeId[][] = Array.from({ length: groupCount }, () => []);
        ids.forEach((id, i) => (i < groupCount ? groups[i]! : this.prng.pick(groups)).push(id));
        c.partition(groups);
        this.injected.partition++;
        const token = ++this.networkToken;
        this.later(() => {
          if (this.networkToken === token) c.heal();
        }, k.faultMinMs, k.faultMaxMs, 'fault heal');
        return;
      }
      case 'oneWay': {
        const ids = all.map((n) => n.id);
        if (ids.length < 2) return;
        const [from, to] = this.prng.shuffle(ids) as [NodeId, NodeId];
        c.blockOneWay(from, to);
        this.injected.oneWay++;
        const token = ++this.networkToken;
        this.later(() => {
          if (this.networkToken === token) c.heal();
        }, k.faultMinMs, k.faultMaxMs, 'fault heal');
        return;
      }
      case 'reset': {
        const ids = running.length >= 2 ? this.prng.shuffle(running) : [];
        if (ids.length < 2) return;
        c.resetConnection(ids[0]!, ids[1]!);
        this.injected.reset++;
        return;
      }
      case 'wipe': {
        // One disk replacement at a time (or FaultKnobs.wipesAtOnce), of a voter whose data a
        // majority of the others holds.
        const candidates = c.voterIds.filter((v) => c.mayWipe(v, k.wipesAtOnce ?? 1));
        if (candidates.length === 0) return;
        const id = this.prng.pick(candidates);
        c.crash(id);
        c.wipe(id);
        this.injected.wipe++;
        this.restartLater(id, `fault restart ${id} (wiped)`);
        return;
      }
      case 'slowFsync': {
        const id = this.prng.pick(all.map((n) => n.id));
        c.slowDisk(id, k.slowFsyncMaxMs);
        this.injected.slowFsync++;
        this.later(() => c.restoreDisk(id), k.faultMinMs, k.faultMaxMs, `fault disk ${id}`);
        return;
      }
    }
  }
}
