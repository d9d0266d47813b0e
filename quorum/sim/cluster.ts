// The simulated cluster (DESIGN §5): voters 1..V and observers 100.., each a SimProcess with its
// own skewed clock, a SimDisk that outlives its RaftNode instances, and a Transport on one
// SimNetwork, all driven by one Scheduler and one seed. It runs the real driver (through a
// DriverFactory), checks the invariants after every event, and offers the verbs scenario tests
// are written in: crash, restart, pause, resume, stop, partition, blockOneWay, resetConnection,
// heal, runFor, waitFor, leader, propose. runSimulation (./run.ts) builds the random
// safety/liveness run on it.

import type { Logger, NodeEnv } from '../env/index.js';
import { raftConfig } from '../raft/config.js';
import type { NodeId, QuorumStateData, SnapshotId } from '../raft/types.js';
import type { CommittedPosition } from '../runtime/api.js';
import {
  checkView,
  committedEntryAgrees,
  emptyHistory,
  epochInBatches,
  monotonicPersistedEpoch,
  noTruncationBelowHighWatermark,
  recordCommitted,
  recordHistory,
} from './invariants.js';
import type { ClusterView, DurableLogView, History, NodeView } from './invariants.js';
import { Prng } from './prng.js';
import { Scheduler } from './scheduler.js';
import { SimClock } from './sim-clock.js';
import type { ClockSkew } from './sim-clock.js';
import { SimDisk } from './sim-disk.js';
import type { DriverFactory, DriverInspection, SimDriver } from './sim-driver.js';
import { SimNetwork } from './sim-network.js';
import { simOptions } from './sim-options.js';
import type { SimOptions, SimOptionsInput } from './sim-options.js';
import { SimProcess } from './sim-process.js';
import { TestStateMachine } from './test-state-machine.js';
import type { SimStateMachine, StateMachineHooks } from './test-state-machine.js';
import { Workload } from './workload.js';
import type { OpRecord } from './workload.js';

export const OBSERVER_BASE_ID = 100;

/** One node of the cluster: its process, disk and current incarnation. */
export class SimNode {
  driver: SimDriver | undefined = undefined;
  stateMachine: SimStateMachine | undefined = undefined;
  clock: SimClock | undefined = undefined;
  /** True once the current incarnation's start() resolved. */
  started = false;
  restarts = 0;
  /** Times its disk was wiped: part of its directory id, as `format` mints a new one each time. */
  wipes = 0;
  /** Set by a wipe: the highest committed offset then (what the wipe destroyed, beyond Raft's fault model). */
  lostBelow: number | undefined = undefined;
  readonly durableView: DurableLogView;

  constructor(
    readonly id: NodeId,
    readonly isVoter: boolean,
    readonly process: SimProcess,
    readonly disk: SimDisk,
  ) {
    this.durableView = {
      get logStartOffset() {
        return disk.durableLogStartOffset;
      },
      get endOffset() {
        return disk.durableEndOffset;
      },
      epochAt: (o) => disk.durableEpochAt(o),
    };
  }

  /** Its data directory's id (meta.properties' directory.id): a new one after every wipe. */
  get directoryId(): string {
    return `dir-${this.id}-${this.wipes}`;
  }

  /** The current incarnation's inspection, when it is up and started. */
  inspect(): DriverInspection | null {
    if (this.driver === undefined || !this.started || this.process.state === 'crashed') return null;
    return this.driver.inspect();
  }
}

export interface LogLine {
  readonly timeMs: number;
  readonly nodeId: NodeId;
  readonly level: string;
  readonly msg: string;
  readonly fields: object;
}

export interface ClusterConfig {
  readonly factory: DriverFactory;
  /** Stop run loops at the first violation (default true). */
  readonly stopOnViolation?: boolean;
  /** Keep the last N driver log lines (debug included) for failure reports; 0 = none. */
  readonly logLines?: number;
  /** Also print log lines as they happen. */
  readonly echoLogs?: boolean;
  /**
   * The replicated state machine of each node incarnation (default: TestStateMachine, which the
   * workload and finalCheck need). A controller scenario plugs the quorum controller in here.
   */
  readonly stateMachine?: StateMachineFactory;
  /**
   * Give voters data directory ids (default true), as real nodes have from meta.properties. Off,
   * the quorum cannot tell a wiped voter from the one it knew: for scenarios showing why it must.
   */
  readonly voterDirectoryIds?: boolean;
}

/** Builds one node incarnation's state machine; `hooks` report applies to the cluster's checker. */
export type StateMachineFactory = (nodeId: NodeId, env: NodeEnv, hooks: StateMachineHooks, options: SimOptions) => SimStateMachine;

const testStateMachine: StateMachineFactory = (nodeId, _env, hooks, options) => new TestStateMachine(nodeId, options.snapshotEveryRecords, hooks);

const MAX_VIOLATIONS = 50;
/** Events at one simulated instant before we call it a zero-delay livelock. */
const SAME_INSTANT_EVENTS_MAX = 200_000;

export class SimCluster {
  readonly options: SimOptions;
  readonly scheduler = new Scheduler();
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly voterIds: readonly NodeId[];
  readonly observerIds: readonly NodeId[];
  readonly history: History = emptyHistory();
  readonly violations: string[] = [];
  readonly workload: Workload;
  readonly log: LogLine[] = [];
  readonly counters = { crashes: 0, restarts: 0, pauses: 0, gracefulStops: 0, partitions: 0, oneWayBlocks: 0, slowDisks: 0, wipes: 0, overlappingWipes: 0, connectionResets: 0 };
  private readonly violationSet = new Set<string>();
  private readonly factory: DriverFactory;
  private readonly stateMachineFactory: StateMachineFactory;
  private readonly stopOnViolation: boolean;
  private readonly voterDirectoryIds: boolean;
  private readonly logLines: number;
  private readonly echoLogs: boolean;
  private readonly faultPrng: Prng;
  private sameInstant = { timeMs: -1, events: 0, labels: new Map<string, number>() };

  constructor(input: SimOptions | SimOptionsInput, config: ClusterConfig) {
    this.options = simOptions(input as SimOptionsInput);
    const o = this.options;
    this.factory = config.factory;
    this.stateMachineFactory = config.stateMachine ?? testStateMachine;
    this.stopOnViolation = config.stopOnViolation ?? true;
    this.voterDirectoryIds = config.voterDirectoryIds ?? true;
    this.logLines = config.logLines ?? 0;
    this.echoLogs = config.echoLogs ?? false;
    this.prng = new Prng(o.seed);
    this.faultPrng = this.prng.fork('cluster');
    this.network = new SimNetwork(this.scheduler, this.prng.fork('network'), o.network);
    this.network.hooks = { onContractViolation: (m) => this.violation(m) };
    this.voterIds = Array.from({ length: o.voters }, (_, i) => i + 1);
    this.observerIds = Array.from({ length: o.observers }, (_, i) => OBSERVER_BASE_ID + i);
    for (const id of [...this.voterIds, ...this.observerIds]) {
      const process = new SimProcess(id, this.scheduler);
      const disk = new SimDisk(id, this.scheduler, process, this.prng.fork(`disk${id}`), o.disk, this.formattedQuorumState());
      const node = new SimNode(id, this.voterIds.includes(id), process, disk);
      disk.hooks = {
        onTruncate: (offset) => {
          const i = node.inspect();
          if (i !== null) this.violation(noTruncationBelowHighWatermark(id, offset, i.highWatermark));
        },
        onContractViolation: (m) => this.violation(m),
        onQuorumStateDurable: () => this.violation(monotonicPersistedEpoch(this.view(), this.history)),
      };
      this.network.register(process);
      this.nodes.set(id, node);
    }
    this.workload = new Workload(this.scheduler, this.prng.fork('workload'), o.workload, {
      voters: this.voterIds,
      callPropose: (nodeId, records, settle) => this.callPropose(nodeId, records, settle),
      isIncarnation: (nodeId, inc) => this.node(nodeId).process.isCurrent(inc),
    });
    this.scheduler.afterEvent = (label) => this.afterEvent(label);
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  nowMs(): number {
    return this.scheduler.nowMs();
  }

  /** The live (running) leader with the highest epoch, if any. */
  leader(): { readonly nodeId: NodeId; readonly epoch: number; readonly inspection: DriverInspection } | undefined {
    let best: { nodeId: NodeId; epoch: number; inspection: DriverInspection } | undefined;
    for (const n of this.nodes.values()) {
      if (n.process.state !== 'running') continue;
      const i = n.inspect();
      if (i !== null && i.role === 'Leader' && (best === undefined || i.epoch > best.epoch)) best = { nodeId: n.id, epoch: i.epoch, inspection: i };
    }
    return best;
  }

  liveNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.process.state !== 'crashed');
  }

  /** The plain view the invariants look at. */
  view(): ClusterView {
    const nodes: NodeView[] = [];
    for (const n of this.nodes.values()) {
      nodes.push({
        nodeId: n.id,
        isVoter: n.isVoter,
        state: n.process.state,
        inspection: n.inspect(),
        persisted: n.disk.persistedQuorumState,
        durable: n.durableView,
        snapshots: n.disk.snapshotIds(),
        ...(n.lostBelow !== undefined ? { lostBelow: n.lostBelow } : {}),
        appliedEnd: n.process.state === 'crashed' ? null : (n.stateMachine?.appliedEnd ?? null),
      });
    }
    return { timeMs: this.scheduler.nowMs(), voters: this.voterIds, nodes };
  }

  /** One line per node: role, epoch, leader, high watermark, log end, applied. */
  describe(): string {
    const parts: string[] = [];
    for (const n of this.nodes.values()) {
      const i = n.inspect();
      if (i === null) {
        parts.push(`${n.id}:${n.process.state}${n.driver !== undefined ? '/starting' : ''}`);
        continue;
      }
      parts.push(
        `${n.id}:${n.process.state === 'paused' ? 'paused/' : ''}${i.role}@${i.epoch} leader=${i.leaderId ?? '-'} hwm=${i.highWatermark} leo=${i.logEndOffset} applied=${n.stateMachine?.appliedEnd ?? '-'}`,
      );
    }
    return parts.join('; ');
  }

  get failed(): boolean {
    return this.violations.length > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle verbs

  /** Boots every node (call once). */
  async start(): Promise<void> {
    for (const n of this.nodes.values()) this.boot(n);
    await this.settle();
  }

  /** Crash: the process dies now; unflushed data and in-flight work are lost. */
  crash(id: NodeId): void {
    const n = this.node(id);
    if (n.process.state === 'crashed') return;
    this.counters.crashes++;
    try {
      n.driver?.halt();
    } catch (e) {
      this.violation(`node ${id}: halt() threw: ${String(e)}`);
    }
    n.process.crash();
    n.driver = undefined;
    n.stateMachine = undefined;
    n.clock = undefined;
    n.started = false;
    this.workload.onCrash(id);
  }

  /**
   * The node's data directory is emptied and re-formatted while it is down (a new directory id):
   * it comes back with nothing it once acknowledged. Restart it afterwards.
   */
  wipe(id: NodeId): void {
    const n = this.node(id);
    if (n.process.state !== 'crashed') throw new Error(`node ${id} must be down to wipe its disk`);
    this.counters.wipes++;
    if (this.awaitingReadmission().some((v) => v !== id)) this.counters.overlappingWipes++;
    n.wipes++;
    n.disk.wipe(this.formattedQuorumState(n));
    // Beyond Raft's fault model only when the others do not hold what it held (its acknowledgements
    // may already have counted, or count before the leader hears of the wipe).
    if (!this.othersHoldCommitted(id)) n.lostBelow = Math.max(n.lostBelow ?? 0, this.history.maxLeaderHighWatermark, n.disk.durableEndOffset);
    // A new directory is a new voter identity as far as the persisted epoch goes.
    this.history.persistedEpoch.delete(id);
  }

  /**
   * The quorum state `format` writes with the initial controllers (SimOptions.initialControllers):
   * every voter's first directory for a node of the new cluster, or, for `replacing` (a wiped
   * voter reformatted with --no-initial-controllers), only that it is not counted yet.
   */
  private formattedQuorumState(replacing?: SimNode): QuorumStateData | undefined {
    if (!this.options.initialControllers || !this.voterDirectoryIds) return undefined;
    const map: Record<string, string | null> = {};
    if (replacing !== undefined) {
      if (!replacing.isVoter) return undefined;
      map[String(replacing.id)] = null;
    } else {
      for (const v of this.voterIds) map[String(v)] = `dir-${v}-0`;
    }
    return { epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map, strict: true } };
  }

  /**
   * Whether a majority of the voters other than `id` durably hold everything committed so far and
   * everything `id` holds (its acknowledgements may count towards a commit after it is gone). Holding
   * means the same records, not as many: a voter whose diverged tail is not yet truncated has the
   * offsets but other records. By log matching, the same epoch at an offset means the same prefix.
   */
  othersHoldCommitted(id: NodeId, excluded: readonly NodeId[] = []): boolean {
    const committedEnd = this.history.maxLeaderHighWatermark;
    const own = this.node(id).disk;
    const marks: { readonly offset: number; readonly epoch: number | undefined }[] = [];
    if (committedEnd > 0) marks.push({ offset: committedEnd - 1, epoch: this.committedEpochAt(committedEnd - 1) });
    if (own.durableEndOffset > committedEnd) marks.push({ offset: own.durableEndOffset - 1, epoch: own.durableEpochAt(own.durableEndOffset - 1) });
    const holds = (d: SimDisk, m: (typeof marks)[number]): boolean => {
      if (d.snapshotIds().some((s) => s.endOffset > m.offset)) return true; // snapshots hold only committed records
      return m.epoch !== undefined && d.durableEpochAt(m.offset) === m.epoch;
    };
    const holders = this.voterIds.filter((v) => v !== id && !excluded.includes(v) && marks.every((m) => holds(this.node(v).disk, m)));
    return holders.length >= Math.floor(this.voterIds.length / 2) + 1;
  }

  /** The epoch of the committed record at `offset`: from the history, else from a live node that has it committed; undefined when none can tell. */
  private committedEpochAt(offset: number): number | undefined {
    const known = this.history.committed.get(offset)?.epoch;
    if (known !== undefined) return known;
    for (const n of this.nodes.values()) {
      const i = n.inspect();
      if (i === null || i.highWatermark <= offset) continue;
      const epoch = epochInBatches(i.batches, offset);
      if (epoch !== undefined) return epoch;
    }
    return undefined;
  }

  /**
   * Whether replacing `id`'s disk now is one replacement at a time, as an operator does it: a
   * leader is up and its log knows every voter by the directory it has now (none is still waiting
   * to be re-admitted; none still unknown, which trusts whatever comes first), and the others hold
   * everything `id` held.
   */
  mayWipe(id: NodeId, atOnce = 1): boolean {
    // The committed view: a re-admission the leader has appended but not committed is lost when
    // the leader itself is the one wiped. Gating on the leader's whole log let such a wipe go
    // ahead while another voter still awaited re-admission in every surviving log: two voters
    // counting for nothing out of three, and no leader ever again (seed 1071410).
    const dirs = this.leader()?.inspection.committedVoterDirectories;
    if (dirs === undefined) return false;
    if (atOnce <= 1) return this.voterIds.every((v) => dirs[String(v)] === this.node(v).directoryId) && this.othersHoldCommitted(id);
    // Overlapping replacements (FaultKnobs.wipesAtOnce): the voters still waiting to be re-admitted
    // count for nothing, so the rest, this one aside, must be a majority holding everything.
    const waiting = this.awaitingReadmission();
    if (waiting.includes(id) || waiting.length + 1 > atOnce) return false;
    const known = this.voterIds.every((v) => waiting.includes(v) || dirs[String(v)] === this.node(v).directoryId);
    return known && this.othersHoldCommitted(id, waiting);
  }

  /** Voters whose disk was wiped and that no live node's log counts under their new directory yet. */
  awaitingReadmission(): NodeId[] {
    return this.voterIds.filter((v) => {
      const n = this.node(v);
      if (n.wipes === 0) return false;
      return ![...this.nodes.values()].some((o) => o.inspect()?.voterDirectories[String(v)] === n.directoryId);
    });
  }

  /** A new incarnation over the same disk. */
  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.process.state !== 'crashed') throw new Error(`node ${id} is not down`);
    this.counters.restarts++;
    n.restarts++;
    this.boot(n);
  }

  pause(id: NodeId): void {
    const n = this.node(id);
    if (n.process.state !== 'running') return;
    this.counters.pauses++;
    n.process.pause();
  }

  resume(id: NodeId): void {
    this.node(id).process.resume();
  }

  /**
   * Graceful shutdown (a leader resigns first), then the process exits (a crash of what is left,
   * bounded by `boundMs` as Kafka's simulation does). Resolves when the node is down.
   */
  async stop(id: NodeId, boundMs = 500): Promise<void> {
    const n = this.node(id);
    const driver = n.driver;
    if (driver === undefined || n.process.state !== 'running') return;
    this.counters.gracefulStops++;
    const inc = n.process.incarnation;
    let done = false;
    driver.stop().then(
      () => {
        done = true;
      },
      (e: unknown) => {
        done = true;
        this.violation(`node ${id}: stop() failed: ${String(e)}`);
      },
    );
    await this.waitFor(() => done || !n.process.isCurrent(inc), boundMs);
    if (n.process.isCurrent(inc)) this.crash(id);
  }

  /** Same as stop() but as a fire-and-forget scheduled action (for the fault injector). */
  stopInBackground(id: NodeId, boundMs = 500): void {
    const n = this.node(id);
    const driver = n.driver;
    if (driver === undefined || n.process.state !== 'running') return;
    this.counters.gracefulStops++;
    const inc = n.process.incarnation;
    const finish = (): void => {
      if (n.process.isCurrent(inc)) this.crash(id);
    };
    driver.stop().then(finish, (e: unknown) => {
      this.violation(`node ${id}: stop() failed: ${String(e)}`);
      finish();
    });
    this.scheduler.after(boundMs, finish, `n${id} stop bound`);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.counters.partitions++;
    this.network.partition(groups);
  }

  /** The connection between two nodes drops: in-flight messages between them are lost and each hears the other is gone. */
  resetConnection(a: NodeId, b: NodeId): void {
    this.counters.connectionResets++;
    this.network.resetConnection(a, b);
  }

  blockOneWay(from: NodeId, to: NodeId): void {
    this.counters.oneWayBlocks++;
    this.network.blockOneWay(from, to);
  }

  heal(): void {
    this.network.heal();
  }

  slowDisk(id: NodeId, fsyncMaxMs: number): void {
    this.counters.slowDisks++;
    this.node(id).disk.setKnobs({ fsyncLatencyMaxMs: fsyncMaxMs });
  }

  restoreDisk(id: NodeId): void {
    this.node(id).disk.setKnobs({ fsyncLatencyMaxMs: this.options.disk.fsyncLatencyMaxMs, fsyncLatencyMinMs: this.options.disk.fsyncLatencyMinMs });
  }

  // -------------------------------------------------------------------------------------------
  // Time

  /** Runs the simulation for `ms` simulated milliseconds (or until a violation). */
  async runFor(ms: number): Promise<void> {
    await this.scheduler.run({ untilMs: this.scheduler.nowMs() + ms, stopWhen: () => this.shouldStop() });
  }

  /** Runs until `pred` holds (true) or `boundMs` passes (false). */
  async waitFor(pred: () => boolean, boundMs: number): Promise<boolean> {
    if (pred()) return true;
    await this.scheduler.run({ untilMs: this.scheduler.nowMs() + boundMs, stopWhen: () => this.shouldStop() || pred() });
    return pred();
  }

  /** Drains microtasks and checks invariants after a verb called from outside an event. */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.afterEvent('settle');
  }

  // -------------------------------------------------------------------------------------------
  // Clients

  /** Proposes fresh values from client 0 to `target` (default: the live leader or a voter). */
  propose(target?: NodeId, records = 1): OpRecord {
    return this.workload.invoke(0, target ?? this.leader()?.nodeId, records);
  }

  /** Proposes until one proposal is acknowledged; returns it, or undefined after `boundMs`. */
  async proposeAndWait(boundMs: number, records = 1): Promise<OpRecord | undefined> {
    const deadline = this.nowMs() + boundMs;
    while (this.nowMs() < deadline && !this.shouldStop()) {
      await this.waitFor(() => this.leader() !== undefined, deadline - this.nowMs());
      const l = this.leader();
      if (l === undefined) break;
      const op = this.propose(l.nodeId, records);
      await this.waitFor(() => op.status !== 'pending', Math.max(0, deadline - this.nowMs()));
      if (op.status === 'ok') return op;
      if (op.status === 'pending') break;
      await this.runFor(Math.min(50, Math.max(0, deadline - this.nowMs())));
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Checks

  violation(message: string | null): void {
    if (message === null) return;
    if (this.violationSet.has(message) || this.violations.length >= MAX_VIOLATIONS) return;
    this.violationSet.add(message);
    this.violations.push(`t=${this.scheduler.nowMs().toFixed(3)}ms ${message}`);
  }

  private shouldStop(): boolean {
    if (this.stopOnViolation && this.violations.length > 0) return true;
    if (this.scheduler.eventsRun > this.options.maxEvents) {
      this.violation(`livelock: more than ${this.options.maxEvents} events`);
      return true;
    }
    return false;
  }

  private afterEvent(label: string): void {
    const t = this.scheduler.nowMs();
    if (t === this.sameInstant.timeMs) {
      const count = ++this.sameInstant.events;
      if (count > SAME_INSTANT_EVENTS_MAX - 1000) this.sameInstant.labels.set(label, (this.sameInstant.labels.get(label) ?? 0) + 1);
      if (count === SAME_INSTANT_EVENTS_MAX) {
        const top = [...this.sameInstant.labels].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([l, n]) => `${l} ×${n}`);
        this.violation(`livelock: ${SAME_INSTANT_EVENTS_MAX} events at one instant (last 1000: ${top.join(', ')}) (${this.describe()})`);
      }
    } else {
      this.sameInstant = { timeMs: t, events: 0, labels: new Map() };
    }
    const view = this.view();
    for (const v of checkView(view, this.history)) this.violation(v);
    recordHistory(view, this.history);
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private boot(n: SimNode): void {
    const inc = n.process.boot();
    const skew: ClockSkew = {
      offsetMs: this.options.clockOffsetMaxMs > 0 ? this.faultPrng.float(0, this.options.clockOffsetMaxMs) : 0,
      rate: this.options.clockRateDelta > 0 ? this.faultPrng.float(1 - this.options.clockRateDelta, 1 + this.options.clockRateDelta) : 1,
    };
    const timerPrng = this.prng.fork(`timers${n.id}/inc${inc}`);
    const latenessMax = this.options.timerLatenessMaxMs;
    const earlyMax = this.options.timerEarlinessMaxMs;
    const earlyPrng = this.prng.fork(`early-timers${n.id}/inc${inc}`);
    const clock = new SimClock(
      this.scheduler,
      n.process,
      inc,
      skew,
      latenessMax > 0 ? () => timerPrng.float(0.001, latenessMax) : () => 0,
      earlyMax > 0 ? () => earlyPrng.float(0, earlyMax) : () => 0,
    );
    const env: NodeEnv = {
      clock,
      random: this.prng.fork(`node${n.id}/inc${inc}`),
      // Each incarnation its own range of pre-vote round numbers (deterministic, no PRNG draw).
      incarnation: inc * 2 ** 32,
      transport: this.network.transport(n.id),
      log: n.disk.logStorage(),
      quorumStateStore: n.disk.quorumStateStore(),
      snapshotStore: n.disk.snapshotStore(),
      logger: this.logger(n.id),
    };
    const sm = this.stateMachineFactory(n.id, env, {
      onApply: (offset, epoch, value) => {
        this.violation(committedEntryAgrees(this.history, n.id, offset, epoch, value));
        recordCommitted(this.history, n.id, offset, epoch, value);
      },
      onLoadSnapshot: (id, epochs, values) => this.onLoadSnapshot(n, id, epochs, values),
      onViolation: (m) => this.violation(m),
      defer: (fn) => {
        this.scheduler.after(0, () => n.process.deliver(inc, fn), `n${n.id} sm-deferred`);
      },
    }, this.options);
    const o = this.options;
    const config = raftConfig(n.id, this.voterIds, {
      electionTimeoutMs: o.raft.electionTimeoutMs,
      fetchTimeoutMs: o.raft.fetchTimeoutMs,
      electionBackoffMaxMs: o.raft.electionBackoffMaxMs,
      requestTimeoutMs: o.raft.requestTimeoutMs,
      fetchMaxWaitMs: o.raft.fetchMaxWaitMs,
      observerFetchIntervalMs: o.raft.observerFetchIntervalMs,
      snapshotsRetained: o.raft.snapshotsRetained,
      ...(n.isVoter && this.voterDirectoryIds ? { directoryId: n.directoryId } : {}),
    });
    let driver: SimDriver;
    try {
      driver = this.factory(env, config, sm, {
        onFatal: (e: unknown) => {
          if (n.process.isCurrent(inc)) {
            this.violation(`node ${n.id}: the driver stopped on a fatal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          }
        },
      });
    } catch (e) {
      this.violation(`node ${n.id}: RaftNode constructor threw: ${String(e)}`);
      n.process.crash();
      return;
    }
    sm.client = driver;
    n.driver = driver;
    n.stateMachine = sm;
    n.clock = clock;
    n.started = false;
    driver.start().then(
      () => {
        if (n.process.isCurrent(inc)) n.started = true;
      },
      (e: unknown) => {
        if (n.process.isCurrent(inc)) this.violation(`node ${n.id}: start() failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      },
    );
  }

  private onLoadSnapshot(n: SimNode, id: SnapshotId, epochs: readonly number[], values: readonly (number | null)[]): void {
    const i = n.inspect();
    if (i !== null && i.role === 'Leader') this.violation(`node ${n.id}: the leader of epoch ${i.epoch} loaded snapshot ${id.endOffset}-${id.epoch}`);
    if (id.endOffset > this.history.maxLeaderHighWatermark && this.history.maxLeaderHighWatermark > 0) {
      const leader = this.leader();
      if (leader === undefined || leader.inspection.highWatermark < id.endOffset) {
        this.violation(`node ${n.id}: loaded snapshot ${id.endOffset}-${id.epoch}, past every leader's high watermark ${this.history.maxLeaderHighWatermark}`);
      }
    }
    for (let o = 0; o < values.length; o++) {
      const v = committedEntryAgrees(this.history, n.id, o, epochs[o] as number, values[o] as number | null);
      if (v !== null) {
        this.violation(`snapshot ${id.endOffset}-${id.epoch} on node ${n.id}: ${v}`);
        break;
      }
      recordCommitted(this.history, n.id, o, epochs[o] as number, values[o] as number | null);
    }
  }

  private callPropose(
    nodeId: NodeId,
    records: readonly Uint8Array[],
    settle: (incarnation: number, result: { ok: CommittedPosition } | { error: unknown }) => void,
  ): boolean {
    const n = this.nodes.get(nodeId);
    if (n === undefined || n.process.state === 'crashed') return false;
    const inc = n.process.incarnation;
    return n.process.deliver(inc, () => {
      const driver = n.driver;
      if (driver === undefined || !n.process.isCurrent(inc)) return;
      let p: Promise<CommittedPosition>;
      try {
        p = driver.propose(records);
      } catch (e) {
        settle(inc, { error: e });
        return;
      }
      p.then(
        (ok) => settle(inc, { ok }),
        (error: unknown) => settle(inc, { error }),
      );
    });
  }

  private logger(nodeId: NodeId): Logger {
    const keep = this.logLines;
    const echo = this.echoLogs;
    if (keep <= 0 && !echo) {
      return { debug() {}, info() {}, warn() {}, error() {} };
    }
    const line = (level: string) => (fields: object, msg: string) => {
      const l: LogLine = { timeMs: this.scheduler.nowMs(), nodeId, level, msg, fields };
      if (echo) console.error(formatLogLine(l));
      if (keep > 0) {
        this.log.push(l);
        if (this.log.length > keep * 2) this.log.splice(0, this.log.length - keep);
      }
    };
    return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }
}

export function formatLogLine(l: LogLine): string {
  let fields = '';
  try {
    fields = JSON.stringify(l.fields);
  } catch {
    fields = '{…}';
  }
  return `${l.timeMs.toFixed(3).padStart(10)} n${l.nodeId} ${l.level.padEnd(5)} ${l.msg} ${fields}`;
}
