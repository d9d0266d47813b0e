// Model-based testing of the quorum controller (fast-check `fc.commands`): a plain Map-based model
// of what the controller's committed image must hold, commands that call the real controller and
// predict each answer from the model, and two systems under test that run them:
//   - SimSystem: the real QuorumController on the simulated quorum (controller-sim.ts), with brokers
//     that heartbeat, go silent (to be fenced), come back or restart as a new incarnation, and
//     controller failovers (crash or graceful stop between commands, a crash with a write in flight,
//     the active controller cut off from the quorum);
//   - PureSystem: the pure operations (quorum/controller/**) applied to an image with replayAll, no
//     Raft, no time (liveness commands are not generated for it).
//
// The model (Kafka's semantics, plus the documented choices of this code base):
//   topics    name -> { partitions, replicationFactor, explicit configs }
//   brokers   id -> { heartbeating, changedAtMs, restartedAtMs? }: the registered brokers; whether
//             one must be fenced or unfenced is derived from time (expectedFence), "unknown" while
//             it may still move
//   offsets   `${group}/${topic}/${partition}` -> offset; deleting a topic drops the offsets every
//             group holds on it (as Kafka's group coordinator does), so a topic created again under
//             the same name starts with none
//   producer id blocks handed out (disjoint, increasing), metadata.version
//
// Every command predicts the set of acceptable error codes from the model, calls the system, checks
// the answer, updates the model from it, and then verify() compares the whole committed image with
// the model. A call the simulator had to retry (NOT_CONTROLLER or no answer after an active
// controller took it) may have taken effect on its first attempt: such an answer is "ambiguous" and
// the "already done" outcome (TOPIC_ALREADY_EXISTS for a create...) is accepted too. A write lost
// with a crashed controller must have happened entirely or not at all; the model adopts whichever
// the next active controller's image shows.

import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import { splitOffsetKey, type CommittedOffset, type MetadataImageView } from '../../metadata-log/image-types.js';
import { METADATA_VERSION_FEATURE, type AclBinding, type MetadataRecord, type Uuid } from '../../metadata-log/records/types.js';
import { createAcls } from '../../quorum/controller/acls/create-acls.js';
import { deleteAcls } from '../../quorum/controller/acls/delete-acls.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { brokerHeartbeat } from '../../quorum/controller/cluster/heartbeat.js';
import { BrokerHeartbeatManager } from '../../quorum/controller/cluster/heartbeat-manager.js';
import { registerBroker, type BrokerRegistrationRequest } from '../../quorum/controller/cluster/register-broker.js';
import { unregisterBroker } from '../../quorum/controller/cluster/unregister-broker.js';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import { ConfigSource, staticConfigsOf } from '../../quorum/controller/configs/config-schema.js';
import { describeConfigs } from '../../quorum/controller/configs/describe-configs.js';
import { ACLS_METADATA_VERSION, bootstrapRecords, GROUP_METADATA_METADATA_VERSION, LATEST_METADATA_VERSION, MIN_METADATA_VERSION, supportedFeatures, updateFeatures } from '../../quorum/controller/configs/features.js';
import { AlterConfigOpType, incrementalAlterConfigs } from '../../quorum/controller/configs/incremental-alter-configs.js';
import { commitOffsets, deleteGroups, fetchOffsets, type OffsetFetchResponse } from '../../quorum/controller/configs/offsets.js';
import { storeGroup } from '../../quorum/controller/configs/group-membership.js';
import { coordinatorOf, liveBrokerIds } from '../../metadata-log/group-ownership.js';
import { allocateProducerIds } from '../../quorum/controller/configs/producer-ids.js';
import { ErrorCode, errorName, NotControllerError } from '../../quorum/controller/errors.js';
import type { OpContext, OpResult } from '../../quorum/controller/op.js';
import type { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { createPartitions } from '../../quorum/controller/replication/create-partitions.js';
import { createTopics, type CreateTopicsRequest } from '../../quorum/controller/replication/create-topics.js';
import { deleteTopics } from '../../quorum/controller/replication/delete-topics.js';
import { alterPartitionReassignments } from '../../quorum/controller/replication/reassignments.js';
import { ProposalRejectedError } from '../../quorum/runtime/api.js';
import type { SimCluster } from '../../quorum/sim/cluster.js';
import { checkImage, checkImageStep } from '../../quorum/sim/metadata-invariants.js';
import { Prng } from '../../quorum/sim/prng.js';
import { CLUSTER_ID, controllerOf, expectImagesAgree, simControllerDefaults, startControllerCluster } from './controller-sim.js';
import { report } from './sim-scenario.js';

// ---------------------------------------------------------------------------------------------
// The model

export interface ModelConfig {
  readonly defaultPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly brokerSessionTimeoutMs: number;
  readonly maxRecordsPerOperation: number;
  readonly producerIdBlockSize: number;
}

export interface TopicModel {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: ReadonlyMap<string, string>;
}

export interface BrokerModel {
  readonly heartbeating: boolean;
  /** When heartbeats last stopped or (re)started (simulated ms). */
  readonly changedAtMs: number;
  /** A new incarnation was started at this time and has not registered yet (it waits for the old session to end). */
  readonly restartedAtMs?: number;
}

export interface OffsetModel {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
}

export interface ControllerModel {
  readonly config: ModelConfig;
  /** Brokers can stop heartbeating and controllers fail over (the simulator only). */
  readonly liveness: boolean;
  readonly topics: Map<string, TopicModel>;
  readonly brokers: Map<number, BrokerModel>;
  readonly offsets: Map<string, OffsetModel>;
  readonly producerBlocks: { readonly start: number; readonly end: number }[];
  nextProducerId: number;
  metadataVersion: number;
  /** A ZooKeeper import has landed (controller-model-import.ts): a second one answers alreadyImported. */
  imported: boolean;
  /** Registrations an import wrote for brokers that do not run (fenced until a broker takes the id). */
  readonly importedBrokers: Set<number>;
  /** Every topic name ever used (to check that a deleted topic leaves no configs behind). */
  readonly namesSeen: Set<string>;
  /** One line per command run, with its outcome (for failure messages). */
  readonly history: string[];
  /** When each broker was last restarted (its epoch may move for a while: see epochMayMove). */
  readonly restarts: Map<number, number>;
  /** Outcome counts, `command:ERROR_NAME` (for coverage reporting). */
  readonly outcomes: Map<string, number>;
  ambiguousCalls: number;
  /** Stored ACLs by modelAclKey: what the image must hold. */
  readonly acls: Map<string, AclBinding>;
  /** Groups with stored membership (StoreGroup) → the generation stored. */
  readonly groupsStored: Map<string, number>;
}

export function initialModel(config: ModelConfig, liveness: boolean, brokerIds: readonly number[], nowMs: number): ControllerModel {
  return {
    config,
    liveness,
    topics: new Map(),
    brokers: new Map(brokerIds.map((id) => [id, { heartbeating: true, changedAtMs: nowMs }])),
    offsets: new Map(),
    producerBlocks: [],
    nextProducerId: 0,
    metadataVersion: LATEST_METADATA_VERSION,
    imported: false,
    importedBrokers: new Set(),
    namesSeen: new Set(),
    history: [],
    restarts: new Map(),
    outcomes: new Map(),
    ambiguousCalls: 0,
    acls: new Map(),
    groupsStored: new Map(),
  };
}

/**
 * A heartbeating broker is unfenced this long after it (re)started heartbeating or the active
 * controller took over: a heartbeat every 500 ms, one lost with a crashed controller given up after
 * two intervals, and the unfencing committed.
 */
export const UNFENCE_SETTLE_MS = 2_500;
/** Past the session timeout, before an expired session has surely been fenced (check interval, commit). */
export const FENCE_SLACK_MS = 1_000;

export type FenceExpectation = 'fenced' | 'unfenced' | 'unknown';

/**
 * What the model can say about a registered broker's fenced flag at `nowMs`, given when the active
 * controller took over (null: none is active). Sessions are soft state of the active controller and
 * start afresh when one takes over, so the clock starts at the later of that and the broker's last
 * change: a silent broker is fenced one session timeout later, a heartbeating one unfenced soon.
 */
export function expectedFence(m: ControllerModel, brokerId: number, nowMs: number, activeSinceMs: number | null): FenceExpectation {
  const b = m.brokers.get(brokerId);
  if (b === undefined) throw new Error(`model: broker ${brokerId} is not registered`);
  if (activeSinceMs === null || b.restartedAtMs !== undefined) return 'unknown';
  const since = Math.max(b.changedAtMs, activeSinceMs);
  if (b.heartbeating) return nowMs - since >= UNFENCE_SETTLE_MS ? 'unfenced' : 'unknown';
  return nowMs - since >= m.config.brokerSessionTimeoutMs + FENCE_SLACK_MS ? 'fenced' : 'unknown';
}

/** Lower and upper bound of the usable (unfenced) brokers. */
function usableBounds(m: ControllerModel, r: SystemUnderTest): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const id of m.brokers.keys()) {
    const e = expectedFence(m, id, r.nowMs(), r.activeSinceMs());
    if (e === 'unfenced') min++;
    if (e !== 'fenced') max++;
  }
  return { min, max };
}

/** Acceptable codes for placing `rf` replicas on usable brokers. */
function placementCodes(m: ControllerModel, r: SystemUnderTest, rf: number): number[] {
  const { min, max } = usableBounds(m, r);
  if (rf <= min) return [ErrorCode.NONE];
  if (rf > max) return [ErrorCode.INVALID_REPLICATION_FACTOR];
  return [ErrorCode.NONE, ErrorCode.INVALID_REPLICATION_FACTOR];
}

// Topic names and configs, as the model understands them (written from Kafka's rules, not imported).

function legalTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== '.' && name !== '..' && /^[a-zA-Z0-9._-]+$/.test(name);
}

/** Describe/AlterConfigs of a topic the model does not hold: '' (alter only), then a name no topic can have, then a missing one. */
function missingTopicConfigCode(name: string, op: 'describe' | 'alter'): number {
  if (op === 'alter' && name === '') return ErrorCode.INVALID_REQUEST;
  return legalTopicName(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
}

function collidesWith(m: ControllerModel, name: string): boolean {
  const unified = name.replaceAll('.', '_');
  for (const other of m.topics.keys()) if (other !== name && other.replaceAll('.', '_') === unified) return true;
  return false;
}

function listItems(value: string): string[] {
  const v = value.trim();
  return v === '' ? [] : v.split(',').map((s) => s.trim());
}

function integerIn(value: string, min: bigint, max: bigint): boolean {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= min && n <= max;
}

const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

/** The topic config keys the commands use, with the model's idea of a valid value. */
const MODEL_CONFIG_KEYS: Readonly<Record<string, { readonly list: boolean; readonly valid: (v: string) => boolean; readonly inherited: string }>> = {
  'retention.ms': { list: false, valid: (v) => integerIn(v, -1n, LONG_MAX), inherited: '604800000' },
  'cleanup.policy': {
    list: true,
    valid: (v) => {
      const items = listItems(v);
      return items.length > 0 && items.every((i) => i === 'compact' || i === 'delete') && new Set(items).size === items.length;
    },
    inherited: 'delete',
  },
  'min.insync.replicas': { list: false, valid: (v) => integerIn(v, 1n, INT_MAX), inherited: '1' },
  'segment.bytes': { list: false, valid: (v) => integerIn(v, 1048576n, INT_MAX), inherited: '1073741824' },
};

function validConfig(key: string, value: string): boolean {
  return MODEL_CONFIG_KEYS[key]?.valid(value) ?? false;
}

// ---------------------------------------------------------------------------------------------
// Systems under test

/** The controller operations the commands call (QuorumController's signatures). */
export type ControllerOps = Pick<
  QuorumController,
  | 'createTopics'
  | 'deleteTopics'
  | 'createPartitions'
  | 'alterPartitionReassignments'
  | 'incrementalAlterConfigs'
  | 'describeConfigs'
  | 'updateFeatures'
  | 'allocateProducerIds'
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'deleteGroups'
  | 'storeGroup'
  | 'unregisterBroker'
  | 'importMetadata'
  | 'createAcls'
  | 'deleteAcls'
>;

export interface CallOutcome<T> {
  readonly value: T;
  /** The call was retried after an attempt an active controller had accepted: it may have acted twice. */
  readonly ambiguous: boolean;
}

/** How a write handed to a controller that crashed went: answered, or lost (`unapplied`: the controller said it appended nothing). */
export type InFlightOutcome<T> = { readonly ok: T } | { readonly lost: string; readonly unapplied: boolean };

export interface SystemUnderTest {
  /** Seeds and state, for failure messages. */
  describe(): string;
  nowMs(): number;
  /** When the active controller took over (simulated ms), or null when none is active. */
  activeSinceMs(): number | null;
  /** How many times the active controller has changed (its soft state, an open import, went with it). */
  activeChanges(): number;
  call<T>(name: string, fn: (ops: ControllerOps) => Promise<T>): Promise<CallOutcome<T>>;
  /** The committed image of the active controller, once it holds everything acknowledged so far. */
  caughtUpImage(): Promise<MetadataImageView>;
  /** Registers a broker (a new incarnation) and waits until it is unfenced. */
  startBroker(brokerId: number): Promise<void>;
  /** Replaces a registered broker's process by a new incarnation (no waiting: it registers once the old session ends). */
  restartBroker(brokerId: number): void;
  /** When the broker's current incarnation registered (simulated ms), or null while it has not. */
  brokerRegisteredAtMs(brokerId: number): number | null;
  /** Stops a broker for good (before it is unregistered). */
  shutDownBroker(brokerId: number): void;
  setHeartbeating(brokerId: number, on: boolean): void;
  /** Crashes (or stops) the active controller; it restarts after `restartAfterMs`. */
  failover(graceful: boolean, restartAfterMs: number): Promise<void>;
  /**
   * Hands `fn` to the active controller and crashes that controller `crashAfterMs` later (it
   * restarts `restartAfterMs` after that): the answer, or `lost` when the controller failed or never
   * answered (NOT_CONTROLLER, or the call went down with it).
   */
  callDuringFailover<T>(fn: (ops: ControllerOps) => Promise<T>, crashAfterMs: number, restartAfterMs: number): Promise<InFlightOutcome<T>>;
  /** Cuts the active controller off from the other voters for `durationMs` (it keeps running). */
  isolateActive(durationMs: number): Promise<void>;
  runFor(ms: number): Promise<void>;
  violations(): readonly string[];
  /** Final checks once the commands ran (every voter's image agrees...). */
  finish(): Promise<void>;
}

// ---- the simulator -----------------------------------------------------------------------------

/**
 * A broker as the controller sees one (like controller-sim.ts's SimBroker): registers a new
 * incarnation, heartbeats every interval reporting the active controller's committed offset, can
 * stop heartbeating. A call that a crashed controller never answers is abandoned after two
 * intervals, so the broker does not go silent forever (and get fenced) because of one lost answer.
 */
export class ModelBroker {
  epoch = -1;
  registeredAtMs: number | null = null;
  heartbeating = true;
  shutDown = false;
  lastError: string | null = null;
  private inFlight: { readonly sinceMs: number } | null = null;
  private readonly incarnationId: Uuid;

  constructor(
    private readonly c: SimCluster,
    readonly brokerId: number,
    incarnation: number,
    private readonly intervalMs = simControllerDefaults.brokerHeartbeatIntervalMs!,
  ) {
    this.incarnationId = randomUuid(new Prng(c.options.seed * 7919 + brokerId * 131 + incarnation));
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.c.scheduler.after(delayMs, () => this.tick(), `model broker${this.brokerId} heartbeat`);
  }

  private tick(): void {
    if (this.shutDown) return;
    this.schedule(this.intervalMs);
    if (!this.heartbeating) return;
    if (this.inFlight !== null && this.c.nowMs() - this.inFlight.sinceMs < 2 * this.intervalMs) return;
    const active = currentActive(this.c);
    if (active === undefined) return;
    const token = { sinceMs: this.c.nowMs() };
    this.inFlight = token;
    const done = () => {
      if (this.inFlight === token) this.inFlight = null;
    };
    const ctrl = active.controller;
    if (this.epoch < 0) {
      const request: BrokerRegistrationRequest = {
        brokerId: this.brokerId,
        clusterId: CLUSTER_ID,
        incarnationId: this.incarnationId,
        listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + this.brokerId, securityProtocol: 'PLAINTEXT' }],
        features: supportedFeatures(),
        rack: null,
        previousBrokerEpoch: -1,
      };
      ctrl
        .registerBroker(request)
        .then((r) => {
          if (r.errorCode === ErrorCode.NONE) {
            if (!this.shutDown && this.epoch < 0) {
              this.epoch = r.brokerEpoch;
              this.registeredAtMs = this.c.nowMs();
            }
          } else this.lastError = `register: ${errorName(r.errorCode)} ${r.errorMessage ?? ''}`;
        })
        .catch((e: unknown) => (this.lastError = String(e)))
        .finally(done);
      return;
    }
    ctrl
      .brokerHeartbeat({ brokerId: this.brokerId, brokerEpoch: this.epoch, currentMetadataOffset: ctrl.image.provenance.endOffset, wantFence: false, wantShutDown: false })
      .then((r) => {
        if (r.errorCode !== ErrorCode.NONE) this.lastError = `heartbeat: ${errorName(r.errorCode)} ${r.errorMessage ?? ''}`;
      })
      .catch((e: unknown) => (this.lastError = String(e)))
      .finally(done);
  }
}

/**
 * The active controller clients and brokers talk to: the running one of the highest epoch. (While
 * the previous one is cut off from the quorum it may still think itself active for a while.)
 */
export function currentActive(c: SimCluster): { readonly id: number; readonly controller: QuorumController; readonly epoch: number } | undefined {
  let best: { id: number; controller: QuorumController; epoch: number } | undefined;
  for (const n of c.liveNodes()) {
    if (n.process.state !== 'running') continue;
    const controller = controllerOf(c, n.id);
    if (controller?.isActive !== true) continue;
    const epoch = n.inspect()?.epoch ?? -1;
    if (best === undefined || epoch > best.epoch) best = { id: n.id, controller, epoch };
  }
  return best;
}

/** Hands `fn` to `controller` and waits (simulated time) for its answer. */
async function callOnceOn<T>(c: SimCluster, controller: QuorumController, fn: (ops: ControllerOps) => Promise<T>, boundMs: number): Promise<{ ok: T } | { error: unknown } | { timedOut: true }> {
  let outcome: { ok: T } | { error: unknown } | undefined;
  fn(controller).then(
    (ok) => (outcome = { ok }),
    (error: unknown) => (outcome = { error }),
  );
  await c.waitFor(() => outcome !== undefined, boundMs);
  return outcome ?? { timedOut: true };
}

export interface SimSetup {
  readonly seed: number;
  readonly voters: 3 | 5;
  /** Small values make the controllers snapshot often (restarted nodes load snapshots). */
  readonly snapshotMaxBytes: number;
  /** Small values make createTopics refuse big topics and fencing go out as metadata transactions. */
  readonly maxRecordsPerOperation: number;
}

export const INITIAL_BROKERS = [1, 2, 3, 4] as const;

export class SimSystem implements SystemUnderTest {
  readonly brokers = new Map<number, ModelBroker>();
  private incarnations = 0;
  private committedTarget = 0;
  /** Counts isolations, so a heal scheduled for an older one does not end a newer one. */
  private partitions = 0;
  private isolated = false;
  private active: { readonly controller: QuorumController; readonly epoch: number; readonly sinceMs: number } | null = null;
  private changes = 0;

  private constructor(
    readonly c: SimCluster,
    readonly setup: SimSetup,
  ) {
    // Watch for a new active controller after every event (its broker sessions start then).
    const checks = c.scheduler.afterEvent;
    c.scheduler.afterEvent = (label) => {
      checks?.(label);
      this.observeActive();
    };
  }

  private observeActive(): void {
    const a = currentActive(this.c);
    if (a === undefined) {
      if (this.active !== null) this.changes++;
      this.active = null;
    } else if (this.active?.controller !== a.controller || this.active.epoch !== a.epoch) {
      this.changes++;
      this.active = { controller: a.controller, epoch: a.epoch, sinceMs: this.c.nowMs() };
    }
  }

  activeChanges(): number {
    this.observeActive();
    return this.changes;
  }

  activeSinceMs(): number | null {
    this.observeActive();
    // While a controller is cut off, or two think themselves active, whose sessions count is unclear.
    if (this.isolated) return null;
    const actives = [...this.c.liveNodes()].filter((n) => n.process.state === 'running' && controllerOf(this.c, n.id)?.isActive === true).length;
    return actives === 1 ? (this.active?.sinceMs ?? null) : null;
  }

  static async start(setup: SimSetup): Promise<SimSystem> {
    const c = await startControllerCluster({ seed: setup.seed, voters: setup.voters }, () => ({
      snapshotMaxBytes: setup.snapshotMaxBytes,
      maxRecordsPerOperation: setup.maxRecordsPerOperation,
    }));
    const sys = new SimSystem(c, setup);
    const ok = await c.waitFor(() => currentActive(c) !== undefined, 20_000);
    if (!ok) sys.fail('no active controller at start');
    for (const id of INITIAL_BROKERS) sys.brokers.set(id, new ModelBroker(c, id, sys.incarnations++));
    await sys.waitUnfenced([...INITIAL_BROKERS]);
    return sys;
  }

  static modelConfig(setup: SimSetup): ModelConfig {
    return {
      defaultPartitions: simControllerDefaults.defaultPartitions!,
      defaultReplicationFactor: simControllerDefaults.defaultReplicationFactor!,
      brokerSessionTimeoutMs: simControllerDefaults.brokerSessionTimeoutMs!,
      maxRecordsPerOperation: setup.maxRecordsPerOperation,
      producerIdBlockSize: controllerConfig(CLUSTER_ID).producerIdBlockSize,
    };
  }

  describe(): string {
    return `sim seed ${this.setup.seed} (voters=${this.setup.voters}, snapshotMaxBytes=${this.setup.snapshotMaxBytes}, maxRecordsPerOperation=${this.setup.maxRecordsPerOperation}) at t=${this.c.nowMs().toFixed(1)}ms: ${this.c.describe()}`;
  }

  private fail(message: string): never {
    throw new Error(`${message}\n${report(this.c)}`);
  }

  nowMs(): number {
    return this.c.nowMs();
  }

  async call<T>(name: string, fn: (ops: ControllerOps) => Promise<T>): Promise<CallOutcome<T>> {
    const c = this.c;
    const deadline = c.nowMs() + 30_000;
    let ambiguous = false;
    let last = 'no attempt';
    while (c.nowMs() < deadline && !c.failed) {
      const active = currentActive(c);
      if (active === undefined) {
        await c.waitFor(() => currentActive(c) !== undefined, Math.max(1, deadline - c.nowMs()));
        continue;
      }
      const r = await callOnceOn(c, active.controller, fn, Math.min(5_000, Math.max(1, deadline - c.nowMs())));
      if ('ok' in r) {
        this.committedTarget = Math.max(this.committedTarget, c.leader()?.inspection.highWatermark ?? 0);
        return { value: r.ok, ambiguous };
      }
      // Retriable: the controller lost the lead (or crashed) with the call. Unless it says that it
      // appended nothing, the first attempt may still take effect.
      if ('error' in r && !(r.error instanceof NotControllerError) && !(r.error instanceof ProposalRejectedError)) throw r.error;
      if (!('error' in r && r.error instanceof NotControllerError && r.error.outcome === 'not-appended')) ambiguous = true;
      last = 'error' in r ? String(r.error) : 'timed out';
      await c.runFor(50);
    }
    return this.fail(`${name}: the controller did not answer within 30 s (last: ${last})`);
  }

  async caughtUpImage(): Promise<MetadataImageView> {
    const c = this.c;
    this.committedTarget = Math.max(this.committedTarget, c.leader()?.inspection.highWatermark ?? 0);
    const target = this.committedTarget;
    const ok = await c.waitFor(() => {
      const a = currentActive(c);
      return a !== undefined && a.controller.image.provenance.endOffset >= target;
    }, 30_000);
    if (!ok) this.fail(`no active controller whose committed image reached offset ${target} within 30 s`);
    return currentActive(c)!.controller.image;
  }

  private async waitUnfenced(ids: readonly number[]): Promise<void> {
    const c = this.c;
    const unfenced = () => {
      const a = currentActive(c);
      return a !== undefined && ids.every((id) => a.controller.image.broker(id)?.fenced === false && this.brokers.get(id)!.epoch >= 0);
    };
    const ok = await c.waitFor(unfenced, 30_000);
    if (!ok) {
      const errs = ids.map((id) => `${id}: ${this.brokers.get(id)?.lastError ?? '-'}`).join(', ');
      this.fail(`brokers ${ids.join(',')} not registered and unfenced within 30 s (${errs})`);
    }
  }

  async startBroker(brokerId: number): Promise<void> {
    if (this.brokers.has(brokerId)) this.fail(`broker ${brokerId} is already running`);
    this.brokers.set(brokerId, new ModelBroker(this.c, brokerId, this.incarnations++));
    await this.waitUnfenced([brokerId]);
    this.committedTarget = Math.max(this.committedTarget, this.c.leader()?.inspection.highWatermark ?? 0);
  }

  shutDownBroker(brokerId: number): void {
    const b = this.brokers.get(brokerId);
    if (b !== undefined) b.shutDown = true;
    this.brokers.delete(brokerId);
  }

  restartBroker(brokerId: number): void {
    this.shutDownBroker(brokerId);
    this.brokers.set(brokerId, new ModelBroker(this.c, brokerId, this.incarnations++));
  }

  brokerRegisteredAtMs(brokerId: number): number | null {
    return this.brokers.get(brokerId)?.registeredAtMs ?? null;
  }

  setHeartbeating(brokerId: number, on: boolean): void {
    const b = this.brokers.get(brokerId);
    if (b === undefined) this.fail(`broker ${brokerId} is not running`);
    b.heartbeating = on;
  }

  private crashedVoters(): number[] {
    return this.c.voterIds.filter((id) => this.c.node(id).process.state === 'crashed');
  }

  /** Restarts voters so that a majority stays up once the active controller goes; returns the active one. */
  private async prepareFailover(): Promise<{ readonly id: number; readonly controller: QuorumController }> {
    const c = this.c;
    const maxDown = (this.setup.voters - 1) / 2;
    const down = this.crashedVoters();
    for (const id of down.slice(0, Math.max(0, down.length - (maxDown - 1)))) c.restart(id);
    const ok = await c.waitFor(() => currentActive(c) !== undefined, 30_000);
    if (!ok) this.fail('no active controller to fail over');
    return currentActive(c)!;
  }

  private restartLater(id: number, restartAfterMs: number): void {
    this.c.scheduler.after(
      restartAfterMs,
      () => {
        if (this.c.node(id).process.state === 'crashed') this.c.restart(id);
      },
      `model restart n${id}`,
    );
  }

  async failover(graceful: boolean, restartAfterMs: number): Promise<void> {
    const { id } = await this.prepareFailover();
    if (graceful) await this.c.stop(id);
    else this.c.crash(id);
    this.restartLater(id, restartAfterMs);
  }

  async callDuringFailover<T>(fn: (ops: ControllerOps) => Promise<T>, crashAfterMs: number, restartAfterMs: number): Promise<InFlightOutcome<T>> {
    const c = this.c;
    const active = await this.prepareFailover();
    let outcome: InFlightOutcome<T> | undefined;
    let failure: unknown = undefined;
    fn(active.controller).then(
      (ok) => {
        outcome = { ok };
        // Answered: committed up to here (the node may crash right after).
        this.committedTarget = Math.max(this.committedTarget, c.node(active.id).inspect()?.highWatermark ?? 0);
      },
      (e: unknown) => {
        if (e instanceof NotControllerError) outcome = { lost: `${e.message} [${e.outcome}]`, unapplied: e.outcome === 'not-appended' };
        else if (e instanceof ProposalRejectedError) outcome = { lost: String(e), unapplied: false };
        else failure = e;
      },
    );
    let crashed = false;
    c.scheduler.after(
      crashAfterMs,
      () => {
        crashed = true;
        c.crash(active.id);
        this.restartLater(active.id, restartAfterMs);
      },
      `model crash n${active.id} with a call in flight`,
    );
    await c.waitFor(() => crashed && (outcome !== undefined || failure !== undefined), 5_000);
    if (failure !== undefined) throw failure;
    if (!crashed) this.fail('the in-flight crash never happened');
    return outcome ?? { lost: 'no answer: the controller crashed with the call', unapplied: false };
  }

  async isolateActive(durationMs: number): Promise<void> {
    const c = this.c;
    // One fault at a time: every voter up, the network whole, then the active one cut off.
    for (const id of this.crashedVoters()) c.restart(id);
    this.partitions++;
    c.heal();
    this.isolated = false;
    const ok = await c.waitFor(() => currentActive(c) !== undefined, 30_000);
    if (!ok) this.fail('no active controller to isolate');
    const id = currentActive(c)!.id;
    c.partition([[id], c.voterIds.filter((v) => v !== id)]);
    this.isolated = true;
    const token = ++this.partitions;
    c.scheduler.after(
      durationMs,
      () => {
        if (this.partitions !== token) return;
        c.heal();
        this.isolated = false;
      },
      `model heal n${id}`,
    );
  }

  async runFor(ms: number): Promise<void> {
    await this.c.runFor(ms);
  }

  violations(): readonly string[] {
    return this.c.violations;
  }

  async finish(): Promise<void> {
    this.partitions++;
    this.c.heal();
    this.isolated = false;
    for (const id of this.crashedVoters()) this.c.restart(id);
    await this.caughtUpImage();
    await expectImagesAgree(this.c, 30_000);
    if (this.c.violations.length > 0) this.fail('invariant violations');
  }
}

// ---- the pure operations -----------------------------------------------------------------------

/** The pure operations over an image: each op's records are replayed at once (one offset each). */
export class PureSystem implements SystemUnderTest, ControllerOps {
  private image: MetadataImage;
  private now = 1_000_000;
  private readonly random: Prng;
  private readonly hb: BrokerHeartbeatManager;
  private incarnations = 0;
  private readonly invariantViolations: string[] = [];

  constructor(
    readonly seed: number,
    readonly config: ControllerConfig,
  ) {
    this.random = new Prng(seed);
    this.hb = new BrokerHeartbeatManager(config.brokerSessionTimeoutMs);
    this.image = imageOf(bootstrapRecords(config));
    for (const id of INITIAL_BROKERS) this.registerUnfenced(id);
  }

  describe(): string {
    return `pure system seed ${this.seed} (maxRecordsPerOperation=${this.config.maxRecordsPerOperation}) at image offset ${this.image.provenance.endOffset}`;
  }

  modelConfig(): ModelConfig {
    const c = this.config;
    return {
      defaultPartitions: c.defaultPartitions,
      defaultReplicationFactor: c.defaultReplicationFactor,
      brokerSessionTimeoutMs: c.brokerSessionTimeoutMs,
      maxRecordsPerOperation: c.maxRecordsPerOperation,
      producerIdBlockSize: c.producerIdBlockSize,
    };
  }

  nowMs(): number {
    return this.now;
  }

  activeSinceMs(): number {
    return -Infinity;
  }

  activeChanges(): number {
    return 0;
  }

  private run<R>(op: (ctx: OpContext) => OpResult<R>): R {
    this.now += 10.25; // fractional, as real and simulated clocks read
    const end = this.image.provenance.endOffset;
    const result = op({ image: this.image, nowMs: this.now, nextWriteOffset: end, config: this.config });
    if (result.records.length > 0) this.apply(result.records);
    return result.response;
  }

  /** Replays an operation's records and checks the metadata invariants, as the simulator does. */
  private apply(records: readonly MetadataRecord[]): void {
    const before = this.image;
    const end = before.provenance.endOffset;
    this.image = replayAll(before, records, { endOffset: end + records.length, epoch: 1 });
    this.invariantViolations.push(...checkImage(this.image), ...checkImageStep(before, this.image));
  }

  private registerUnfenced(brokerId: number): void {
    const incarnationId = randomUuid(new Prng(this.seed * 7919 + brokerId * 131 + this.incarnations++));
    const reg = this.run((ctx) =>
      registerBroker(ctx, this.hb, {
        brokerId,
        clusterId: this.config.clusterId,
        incarnationId,
        listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + brokerId, securityProtocol: 'PLAINTEXT' }],
        features: supportedFeatures(),
        rack: null,
        previousBrokerEpoch: -1,
      }),
    );
    if (reg.errorCode !== ErrorCode.NONE) throw new Error(`pure: broker ${brokerId} could not register: ${reg.errorMessage}`);
    const hb = this.run((ctx) =>
      brokerHeartbeat(ctx, this.hb, { brokerId, brokerEpoch: reg.brokerEpoch, currentMetadataOffset: ctx.image.provenance.endOffset, wantFence: false, wantShutDown: false }),
    );
    if (hb.errorCode !== ErrorCode.NONE || hb.isFenced) throw new Error(`pure: broker ${brokerId} was not unfenced: ${JSON.stringify(hb)}`);
  }

  // ControllerOps, as the controller runs them (configs for describe as QuorumController passes them).
  createTopics: ControllerOps['createTopics'] = async (req) => this.run((ctx) => createTopics(ctx, req, this.random));
  deleteTopics: ControllerOps['deleteTopics'] = async (req) => this.run((ctx) => deleteTopics(ctx, req));
  createPartitions: ControllerOps['createPartitions'] = async (req) => this.run((ctx) => createPartitions(ctx, req, this.random));
  alterPartitionReassignments: ControllerOps['alterPartitionReassignments'] = async (req) => this.run((ctx) => alterPartitionReassignments(ctx, req));
  incrementalAlterConfigs: ControllerOps['incrementalAlterConfigs'] = async (req) => this.run((ctx) => incrementalAlterConfigs(ctx, req));
  describeConfigs: ControllerOps['describeConfigs'] = async (req) => describeConfigs(this.image, req, { staticConfigs: staticConfigsOf(this.config) });
  updateFeatures: ControllerOps['updateFeatures'] = async (req) => this.run((ctx) => updateFeatures(ctx, req));
  allocateProducerIds: ControllerOps['allocateProducerIds'] = async (req) => this.run((ctx) => allocateProducerIds(ctx, req));
  commitOffsets: ControllerOps['commitOffsets'] = async (req) => this.run((ctx) => commitOffsets(ctx, req));
  fetchOffsets: ControllerOps['fetchOffsets'] = async (req) => fetchOffsets(this.image, req);
  deleteGroups: ControllerOps['deleteGroups'] = async (req) => this.run((ctx) => deleteGroups(ctx, req));
  storeGroup: ControllerOps['storeGroup'] = async (req) => this.run((ctx) => storeGroup(ctx, req));
  createAcls: ControllerOps['createAcls'] = async (req) => this.run((ctx) => createAcls(ctx, req, this.random));
  deleteAcls: ControllerOps['deleteAcls'] = async (req) => this.run((ctx) => deleteAcls(ctx, req));
  unregisterBroker: ControllerOps['unregisterBroker'] = async (req) => this.run((ctx) => unregisterBroker(ctx, this.hb, req));
  /** Import sessions are the active controller's soft state: the import commands run on the simulator only. */
  importMetadata: ControllerOps['importMetadata'] = async () => {
    throw new Error('the pure system runs no import sessions');
  };

  async call<T>(_name: string, fn: (ops: ControllerOps) => Promise<T>): Promise<CallOutcome<T>> {
    return { value: await fn(this), ambiguous: false };
  }

  async caughtUpImage(): Promise<MetadataImageView> {
    return this.image;
  }

  async startBroker(brokerId: number): Promise<void> {
    this.registerUnfenced(brokerId);
  }

  shutDownBroker(): void {}

  restartBroker(): void {
    throw new Error('pure system: brokers do not restart');
  }

  brokerRegisteredAtMs(): number {
    return -Infinity;
  }

  setHeartbeating(): void {
    throw new Error('pure system: brokers always heartbeat');
  }

  async failover(): Promise<void> {
    throw new Error('pure system: there is no quorum to fail over');
  }

  async callDuringFailover(): Promise<never> {
    throw new Error('pure system: there is no quorum to fail over');
  }

  async runFor(ms: number): Promise<void> {
    this.now += ms;
  }

  async isolateActive(): Promise<void> {
    throw new Error('pure system: there is no quorum to partition');
  }

  violations(): readonly string[] {
    return this.invariantViolations;
  }

  async finish(): Promise<void> {}
}

export function pureControllerConfig(maxRecordsPerOperation: number): ControllerConfig {
  return controllerConfig(CLUSTER_ID, { ...simControllerDefaults, maxRecordsPerOperation });
}

// ---------------------------------------------------------------------------------------------
// Checking

export class ModelMismatch extends Error {}

export function mismatch(m: ControllerModel, r: SystemUnderTest, message: string): never {
  throw new ModelMismatch(`${message}\n${r.describe()}\ncommands so far:\n  ${m.history.slice(-40).join('\n  ')}`);
}

export function expectEqual(m: ControllerModel, r: SystemUnderTest, what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) mismatch(m, r, `${what}: got ${JSON.stringify(actual)}, the model expects ${JSON.stringify(expected)}`);
}

export function expectCode(m: ControllerModel, r: SystemUnderTest, what: string, code: number, message: string | null, acceptable: readonly number[]): void {
  if (!acceptable.includes(code)) {
    mismatch(m, r, `${what}: answered ${errorName(code)} (${message ?? ''}), the model expects ${acceptable.map(errorName).join(' or ')}`);
  }
}

export function count(m: ControllerModel, what: string, code: number): void {
  const key = `${what}:${errorName(code)}`;
  m.outcomes.set(key, (m.outcomes.get(key) ?? 0) + 1);
}

export function offsetKeyOf(group: string, topic: string, partition: number): string {
  return `${group}/${topic}/${partition}`;
}

/** What OffsetFetch (all topics) must answer for `group`, from the model's offsets. */
function expectedFetch(m: ControllerModel, group: string): OffsetFetchResponse {
  const byTopic = new Map<string, OffsetModel[]>();
  for (const o of m.offsets.values()) {
    if (o.group !== group) continue;
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  const names = [...byTopic.keys()].sort();
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: names.map((name) => ({
      name,
      partitions: byTopic
        .get(name)!
        .sort((a, b) => a.partition - b.partition)
        .map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE })),
    })),
  };
}

/** Compares the committed image with the model (after every command). */
export async function verify(m: ControllerModel, r: SystemUnderTest): Promise<void> {
  if (r.violations().length > 0) mismatch(m, r, `invariant violations:\n${r.violations().join('\n')}`);
  const image = await r.caughtUpImage();
  const nowMs = r.nowMs();

  // Topics: names, partition counts, replication factors, explicit configs.
  const names = [...image.topics()].map((t) => t.name).sort();
  expectEqual(m, r, 'topic names', names, [...m.topics.keys()].sort());
  for (const [name, t] of m.topics) {
    const topic = image.topicByName(name)!;
    expectEqual(m, r, `partitions of ${name}`, topic.partitions.length, t.partitions);
    // A partition being reassigned counts the replicas it moves to (its target; reassign targets keep the factor).
    const rfs = [...new Set(topic.partitions.map((p) => p.replicas.length - p.removingReplicas.length))];
    expectEqual(m, r, `replication factors of ${name}`, rfs, [t.replicationFactor]);
    expectEqual(m, r, `configs of ${name}`, new Map([...image.configs('topic', name)].sort()), new Map([...t.configs].sort()));
  }
  for (const name of m.namesSeen) {
    if (!m.topics.has(name)) expectEqual(m, r, `configs of deleted or never-created topic ${JSON.stringify(name)}`, image.configs('topic', name).size, 0);
  }

  // Brokers: registered ids, and fenced flags where the model can tell. A restarted broker counts
  // from the moment its new incarnation registered.
  for (const [id, b] of m.brokers) {
    if (b.restartedAtMs === undefined) continue;
    const at = r.brokerRegisteredAtMs(id);
    if (at !== null) m.brokers.set(id, { heartbeating: true, changedAtMs: at });
    else if (nowMs - b.restartedAtMs > 3 * m.config.brokerSessionTimeoutMs + 20_000) mismatch(m, r, `broker ${id}'s new incarnation never registered`);
  }
  expectEqual(m, r, 'registered brokers', image.brokers().map((b) => b.brokerId), [...m.brokers.keys(), ...m.importedBrokers].sort((a, b) => a - b));
  for (const id of m.importedBrokers) expectEqual(m, r, `imported broker ${id} (no process takes its id) fenced`, image.broker(id)!.fenced, true);
  for (const id of m.brokers.keys()) {
    const e = expectedFence(m, id, nowMs, r.activeSinceMs());
    if (e === 'unknown') continue;
    expectEqual(m, r, `broker ${id} fenced (heartbeating=${m.brokers.get(id)!.heartbeating})`, image.broker(id)!.fenced, e === 'fenced');
    if (e === 'fenced') m.outcomes.set('verify:fenced-broker', (m.outcomes.get('verify:fenced-broker') ?? 0) + 1);
  }

  // Offsets: what the image holds, and what OffsetFetch answers from it.
  const groups = new Set([...image.groupIds(), ...[...m.offsets.values()].map((o) => o.group)]);
  for (const group of [...groups].sort()) {
    const held = [...(image.groupOffsets(group) ?? new Map<string, CommittedOffset>()).entries()].map(([key, c]) => {
      const { topic, partition } = splitOffsetKey(key);
      return `${topic}/${partition}=${c.offset}`;
    });
    const modelHeld = [...m.offsets.values()].filter((o) => o.group === group).map((o) => `${o.topic}/${o.partition}=${o.offset}`);
    expectEqual(m, r, `offsets held by group ${group}`, held.sort(), modelHeld.sort());
    expectEqual(m, r, `OffsetFetch of group ${group} on the committed image`, fetchOffsets(image, { groupId: group, topics: null }), expectedFetch(m, group));
  }

  // Stored group membership: the generation each group was stored at.
  expectEqual(
    m,
    r,
    'stored group membership',
    [...image.groupMetadataIds()].sort().map((g) => `${g}@${image.groupMetadata(g)!.generationId}`),
    [...m.groupsStored].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([g, gen]) => `${g}@${gen}`),
  );

  expectEqual(m, r, 'zkMigrationState', image.zkMigrationState, m.imported ? 3 : 0);

  // ACLs: the bindings stored, each once, under distinct ids.
  const stored = [...image.acls()];
  expectEqual(m, r, 'ACLs', stored.map(modelAclKey).sort(), [...m.acls.keys()].sort());
  expectEqual(m, r, 'distinct ACL ids', new Set(stored.map((a) => a.id)).size, stored.length);

  // Producer ids and metadata.version.
  expectEqual(m, r, 'nextProducerId', image.nextProducerId, m.nextProducerId);
  expectEqual(m, r, 'metadata.version', image.featureLevel(METADATA_VERSION_FEATURE), m.metadataVersion);
}

// ---------------------------------------------------------------------------------------------
// Commands

export type Cmd = fc.AsyncCommand<ControllerModel, SystemUnderTest>;

/** A topic named directly, or the n-th existing topic (so commands hit existing topics often). */
export type TopicRef = { readonly existing: number } | { readonly name: string };

function resolveTopic(m: ControllerModel, ref: TopicRef): string {
  if ('name' in ref) return ref.name;
  const names = [...m.topics.keys()].sort();
  return names.length === 0 ? 'a' : names[ref.existing % names.length]!;
}

function refText(ref: TopicRef): string {
  return 'name' in ref ? JSON.stringify(ref.name.length > 20 ? `${ref.name.slice(0, 8)}…(${ref.name.length})` : ref.name) : `topic#${ref.existing}`;
}

export abstract class ModelCommand implements Cmd {
  /** What the command resolved to on its last run (for the counterexample). */
  protected resolved = '';

  check(m: Readonly<ControllerModel>): boolean {
    return this.applies(m);
  }

  protected applies(_m: Readonly<ControllerModel>): boolean {
    return true;
  }

  abstract describe(): string;
  protected abstract exec(m: ControllerModel, r: SystemUnderTest): Promise<string>;

  async run(m: ControllerModel, r: SystemUnderTest): Promise<void> {
    const at = r.nowMs();
    m.history.push(`t=${at.toFixed(0)} ${this.describe()} …`);
    const outcome = await this.exec(m, r);
    m.history[m.history.length - 1] = `t=${at.toFixed(0)} ${this.describe()}${this.resolved} → ${outcome}`;
    await verify(m, r);
  }

  toString(): string {
    return `${this.describe()}${this.resolved}`;
  }
}

export function markAmbiguous(m: ControllerModel, ambiguous: boolean): string {
  if (ambiguous) m.ambiguousCalls++;
  return ambiguous ? ' (retried)' : '';
}

export interface CreateTopicSpec {
  readonly ref: TopicRef;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: readonly { readonly key: string; readonly value: string }[];
  readonly validateOnly: boolean;
}

export class CreateTopic extends ModelCommand {
  constructor(readonly spec: CreateTopicSpec) {
    super();
  }

  describe(): string {
    const s = this.spec;
    const configs = s.configs.map((c) => `${c.key}=${JSON.stringify(c.value)}`).join(',');
    return `CreateTopic(${refText(s.ref)}, p=${s.numPartitions}, rf=${s.replicationFactor}${configs ? `, ${configs}` : ''}${s.validateOnly ? ', validateOnly' : ''})`;
  }

  predict(m: ControllerModel, name: string, r: SystemUnderTest): { codes: number[]; partitions: number; rf: number } {
    const s = this.spec;
    const fail = (code: number) => ({ codes: [code], partitions: -1, rf: -1 });
    if (!legalTopicName(name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
    if (m.topics.has(name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS);
    if (collidesWith(m, name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
    if (s.configs.some((c) => !validConfig(c.key, c.value))) return fail(ErrorCode.INVALID_CONFIG);
    if (s.replicationFactor === 0 || s.replicationFactor < -1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR);
    if (s.numPartitions === 0 || s.numPartitions < -1) return fail(ErrorCode.INVALID_PARTITIONS);
    const partitions = s.numPartitions === -1 ? m.config.defaultPartitions : s.numPartitions;
    const rf = s.replicationFactor === -1 ? m.config.defaultReplicationFactor : s.replicationFactor;
    if (1 + s.configs.length + partitions > m.config.maxRecordsPerOperation) return fail(ErrorCode.POLICY_VIOLATION);
    return { codes: placementCodes(m, r, rf), partitions, rf };
  }

  request(name: string): CreateTopicsRequest {
    const s = this.spec;
    return {
      topics: [{ name, numPartitions: s.numPartitions, replicationFactor: s.replicationFactor, assignments: [], configs: s.configs.map((c) => ({ name: c.key, value: c.value })) }],
      validateOnly: s.validateOnly,
    };
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const s = this.spec;
    const name = resolveTopic(m, s.ref);
    if ('existing' in s.ref) this.resolved = ` /*${name}*/`;
    const expected = this.predict(m, name, r);
    const request = this.request(name);
    const { value, ambiguous } = await r.call('createTopics', (ops) => ops.createTopics(request));
    const res = value.topics[0];
    if (res === undefined || value.topics.length !== 1) return mismatch(m, r, `createTopics answered ${value.topics.length} results for one topic`);
    let code = res.errorCode;
    const retriedDone = ambiguous && !s.validateOnly && code === ErrorCode.TOPIC_ALREADY_EXISTS && expected.codes.includes(ErrorCode.NONE);
    if (retriedDone) code = ErrorCode.NONE;
    expectCode(m, r, `createTopics ${name}`, code, res.errorMessage, expected.codes);
    count(m, 'CreateTopic', code);
    if (code === ErrorCode.NONE) {
      if (!retriedDone) {
        expectEqual(m, r, `createTopics ${name} numPartitions`, res.numPartitions, expected.partitions);
        expectEqual(m, r, `createTopics ${name} replicationFactor`, res.replicationFactor, expected.rf);
        expectEqual(m, r, `createTopics ${name} configs`, res.configs, s.configs.map((c) => ({ name: c.key, value: c.value })));
      }
      if (!s.validateOnly) {
        m.topics.set(name, { partitions: expected.partitions, replicationFactor: expected.rf, configs: new Map(s.configs.map((c) => [c.key, c.value])) });
        m.namesSeen.add(name);
      }
    }
    return `${errorName(code)}${markAmbiguous(m, ambiguous)}`;
  }
}

export class DeleteTopic extends ModelCommand {
  constructor(readonly ref: TopicRef) {
    super();
  }

  describe(): string {
    return `DeleteTopic(${refText(this.ref)})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const name = resolveTopic(m, this.ref);
    if ('existing' in this.ref) this.resolved = ` /*${name}*/`;
    const exists = m.topics.has(name);
    const { value, ambiguous } = await r.call('deleteTopics', (ops) => ops.deleteTopics({ topics: [{ name, topicId: null }] }));
    const res = value.responses[0];
    if (res === undefined) return mismatch(m, r, 'deleteTopics answered no result');
    let code = res.errorCode;
    if (ambiguous && exists && code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) code = ErrorCode.NONE;
    expectCode(m, r, `deleteTopics ${name}`, code, res.errorMessage, [exists ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    count(m, 'DeleteTopic', code);
    if (code === ErrorCode.NONE) {
      m.topics.delete(name);
      for (const [key, o] of m.offsets) if (o.topic === name) m.offsets.delete(key);
    }
    return `${errorName(code)}${markAmbiguous(m, ambiguous)}`;
  }
}

export class CreatePartitions extends ModelCommand {
  constructor(
    readonly ref: TopicRef,
    /** New count = current + delta (or delta + 3 for an unknown topic). */
    readonly delta: number,
    readonly validateOnly: boolean,
  ) {
    super();
  }

  describe(): string {
    return `CreatePartitions(${refText(this.ref)}, ${this.delta >= 0 ? '+' : ''}${this.delta}${this.validateOnly ? ', validateOnly' : ''})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const name = resolveTopic(m, this.ref);
    const topic = m.topics.get(name);
    const count_ = (topic?.partitions ?? 3) + this.delta;
    this.resolved = ` /*${name} → ${count_}*/`;
    let codes: number[];
    if (topic === undefined) codes = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION];
    else if (count_ <= topic.partitions) codes = [ErrorCode.INVALID_PARTITIONS];
    else if (count_ - topic.partitions > m.config.maxRecordsPerOperation) codes = [ErrorCode.POLICY_VIOLATION];
    else codes = placementCodes(m, r, topic.replicationFactor);
    const { value, ambiguous } = await r.call('createPartitions', (ops) =>
      ops.createPartitions({ topics: [{ name, count: count_, assignments: null }], validateOnly: this.validateOnly }),
    );
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'createPartitions answered no result');
    let code = res.errorCode;
    if (ambiguous && !this.validateOnly && code === ErrorCode.INVALID_PARTITIONS && codes.includes(ErrorCode.NONE)) code = ErrorCode.NONE;
    expectCode(m, r, `createPartitions ${name} to ${count_}`, code, res.errorMessage, codes);
    count(m, 'CreatePartitions', code);
    if (code === ErrorCode.NONE && !this.validateOnly && topic !== undefined) m.topics.set(name, { ...topic, partitions: count_ });
    return `${errorName(code)}${markAmbiguous(m, ambiguous)}`;
  }
}

/**
 * AlterPartitionReassignments of one partition: a move to `target` (as many brokers as the topic's
 * replication factor, so the model's factor holds; broker 7 is never registered) or a cancel. The
 * simulated brokers do not expand ISRs, so a move completes only when its new replicas are in sync
 * already; moves in flight meet fencing, elections, controlled shutdowns and failovers, and every
 * node checks the partition invariants after each batch. A cancel may find no move in flight (one
 * completed, or none began) or one that would need an unclean election: the model cannot tell.
 */
export class ReassignPartition extends ModelCommand {
  constructor(
    readonly ref: TopicRef,
    readonly partition: number,
    /** Brokers to pick the target from, in preference order; null = cancel. */
    readonly pool: readonly number[] | null,
  ) {
    super();
  }

  describe(): string {
    return `ReassignPartition(${refText(this.ref)}, ${this.partition}, ${this.pool === null ? 'cancel' : `[${this.pool.join(',')}]`})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const name = resolveTopic(m, this.ref);
    const topic = m.topics.get(name);
    const target = this.pool === null ? null : this.pool.slice(0, topic?.replicationFactor ?? 1);
    this.resolved = ` /*${name}-${this.partition} → ${target === null ? 'cancel' : `[${target.join(',')}]`}*/`;
    const registered = (id: number) => m.brokers.has(id) || m.importedBrokers.has(id);
    let codes: number[];
    if (topic === undefined || this.partition >= topic.partitions) codes = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION];
    else if (target === null) codes = [ErrorCode.NONE, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, ErrorCode.INVALID_REPLICA_ASSIGNMENT];
    else if (target.length < topic.replicationFactor || !target.every(registered)) codes = [ErrorCode.INVALID_REPLICA_ASSIGNMENT];
    else codes = [ErrorCode.NONE];
    if (target !== null && topic !== undefined && target.length < topic.replicationFactor) {
      // Too few brokers in the pool for the factor: not sent (it would change the factor).
      count(m, 'ReassignPartition', ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      return 'skipped (pool smaller than the replication factor)';
    }
    const { value, ambiguous } = await r.call('alterPartitionReassignments', (ops) =>
      ops.alterPartitionReassignments({ topics: [{ name, partitions: [{ partitionIndex: this.partition, replicas: target }] }] }),
    );
    const res = value.responses[0]?.partitions[0];
    if (res === undefined) return mismatch(m, r, 'alterPartitionReassignments answered no result');
    expectCode(m, r, `alterPartitionReassignments ${name}-${this.partition}`, res.errorCode, res.errorMessage, codes);
    count(m, 'ReassignPartition', res.errorCode);
    return `${errorName(res.errorCode)}${markAmbiguous(m, ambiguous)}`;
  }
}

export type ConfigOp =
  | { readonly op: 'SET'; readonly key: string; readonly value: string }
  | { readonly op: 'DELETE'; readonly key: string }
  | { readonly op: 'APPEND' | 'SUBTRACT'; readonly key: string; readonly value: string };

export class AlterConfigs extends ModelCommand {
  constructor(
    readonly ref: TopicRef,
    readonly ops: readonly ConfigOp[],
    readonly validateOnly: boolean,
  ) {
    super();
  }

  describe(): string {
    const ops = this.ops.map((o) => (o.op === 'DELETE' ? `-${o.key}` : `${o.key}${o.op === 'SET' ? '=' : o.op === 'APPEND' ? '+=' : '-='}${JSON.stringify(o.value)}`));
    return `AlterConfigs(${refText(this.ref)}, ${ops.join(', ')}${this.validateOnly ? ', validateOnly' : ''})`;
  }

  /** The resulting explicit configs, or the error code (rules 4-9 of incremental-alter-configs.ts). */
  private predict(current: ReadonlyMap<string, string>): Map<string, string> | number {
    const next = new Map(current);
    for (const o of this.ops) {
      if (o.op === 'DELETE') {
        next.delete(o.key);
        continue;
      }
      const def = MODEL_CONFIG_KEYS[o.key];
      if (def === undefined) return ErrorCode.INVALID_CONFIG;
      if (o.op === 'SET') {
        next.set(o.key, o.value);
        continue;
      }
      if (!def.list) return ErrorCode.INVALID_CONFIG;
      let items = listItems(current.get(o.key) ?? def.inherited);
      const operands = listItems(o.value);
      if (o.op === 'APPEND') for (const i of operands) if (!items.includes(i)) items.push(i);
      if (o.op === 'SUBTRACT') items = items.filter((i) => !operands.includes(i));
      next.set(o.key, items.join(','));
    }
    for (const [k, v] of next) if (!validConfig(k, v)) return ErrorCode.INVALID_CONFIG;
    return next;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const name = resolveTopic(m, this.ref);
    if ('existing' in this.ref) this.resolved = ` /*${name}*/`;
    const topic = m.topics.get(name);
    const predicted = topic === undefined ? missingTopicConfigCode(name, 'alter') : this.predict(topic.configs);
    const opId = { SET: AlterConfigOpType.SET, DELETE: AlterConfigOpType.DELETE, APPEND: AlterConfigOpType.APPEND, SUBTRACT: AlterConfigOpType.SUBTRACT };
    const request = {
      resources: [
        { resourceType: 'topic' as const, resourceName: name, configs: this.ops.map((o) => ({ name: o.key, op: opId[o.op], value: o.op === 'DELETE' ? null : o.value })) },
      ],
      validateOnly: this.validateOnly,
    };
    const { value, ambiguous } = await r.call('incrementalAlterConfigs', (ops) => ops.incrementalAlterConfigs(request));
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'incrementalAlterConfigs answered no result');
    expectCode(m, r, `incrementalAlterConfigs ${name}`, res.errorCode, res.errorMessage, [typeof predicted === 'number' ? predicted : ErrorCode.NONE]);
    count(m, 'AlterConfigs', res.errorCode);
    if (typeof predicted !== 'number' && !this.validateOnly && topic !== undefined) m.topics.set(name, { ...topic, configs: predicted });
    return `${errorName(res.errorCode)}${markAmbiguous(m, ambiguous)}`;
  }
}

export class DescribeConfigs extends ModelCommand {
  constructor(readonly ref: TopicRef) {
    super();
  }

  describe(): string {
    return `DescribeConfigs(${refText(this.ref)})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const name = resolveTopic(m, this.ref);
    if ('existing' in this.ref) this.resolved = ` /*${name}*/`;
    const topic = m.topics.get(name);
    const { value } = await r.call('describeConfigs', (ops) =>
      ops.describeConfigs({ resources: [{ resourceType: 'topic', resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }),
    );
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'describeConfigs answered no result');
    expectCode(m, r, `describeConfigs ${name}`, res.errorCode, res.errorMessage, [topic === undefined ? missingTopicConfigCode(name, 'describe') : ErrorCode.NONE]);
    count(m, 'DescribeConfigs', res.errorCode);
    if (topic !== undefined) {
      const explicit = res.configs.filter((e) => e.source === ConfigSource.DYNAMIC_TOPIC_CONFIG).map((e) => [e.name, e.value] as const);
      expectEqual(m, r, `describeConfigs ${name}: the topic's own configs`, new Map(explicit.sort()), new Map([...topic.configs].sort()));
    }
    return errorName(res.errorCode);
  }
}

export interface OffsetCommitEntry {
  readonly ref: TopicRef;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

const OFFSET_METADATA_MAX_BYTES = 4096;

export class CommitOffsets extends ModelCommand {
  constructor(
    readonly group: string,
    readonly entries: readonly OffsetCommitEntry[],
  ) {
    super();
  }

  describe(): string {
    const e = this.entries.map((x) => `${refText(x.ref)}/${x.partition}=${x.offset}${x.metadata !== null && x.metadata.length > 20 ? ` (metadata ${x.metadata.length} bytes)` : ''}`);
    return `CommitOffsets(${JSON.stringify(this.group)}, ${e.join(', ')})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const names = this.entries.map((e) => resolveTopic(m, e.ref));
    this.resolved = ` /*${names.join(',')}*/`;
    const predicted = this.entries.map((e, i) => {
      const topic = m.topics.get(names[i]!);
      if (this.group === '') return ErrorCode.INVALID_GROUP_ID;
      if (topic === undefined || e.partition >= topic.partitions) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (!Number.isSafeInteger(e.offset)) return ErrorCode.INVALID_REQUEST; // any safe integer is stored, -2 (earliest) included
      if (e.metadata !== null && Buffer.byteLength(e.metadata, 'utf8') > OFFSET_METADATA_MAX_BYTES) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      return ErrorCode.NONE;
    });
    const request = {
      groupId: this.group,
      topics: this.entries.map((e, i) => ({
        name: names[i]!,
        partitions: [{ partitionIndex: e.partition, committedOffset: e.offset, committedLeaderEpoch: -1, committedMetadata: e.metadata }],
      })),
    };
    const { value, ambiguous } = await r.call('commitOffsets', (ops) => ops.commitOffsets(request));
    const codes: string[] = [];
    this.entries.forEach((e, i) => {
      const res = value.topics[i]?.partitions[0];
      if (res === undefined) return mismatch(m, r, `commitOffsets answered no result for entry ${i}`);
      expectCode(m, r, `commitOffsets ${this.group} ${names[i]}/${e.partition}`, res.errorCode, res.errorMessage, [predicted[i]!]);
      count(m, 'CommitOffsets', res.errorCode);
      codes.push(errorName(res.errorCode));
      if (res.errorCode === ErrorCode.NONE) {
        const key = offsetKeyOf(this.group, names[i]!, e.partition);
        m.offsets.set(key, { group: this.group, topic: names[i]!, partition: e.partition, offset: e.offset, leaderEpoch: -1, metadata: e.metadata ?? '' });
      }
    });
    return `${codes.join(',')}${markAmbiguous(m, ambiguous)}`;
  }
}

export class FetchOffsets extends ModelCommand {
  constructor(
    readonly group: string,
    /** null = all topics the group holds; else these topics, partitions 0..4. */
    readonly refs: readonly TopicRef[] | null,
  ) {
    super();
  }

  describe(): string {
    return `FetchOffsets(${JSON.stringify(this.group)}${this.refs === null ? '' : `, ${this.refs.map(refText).join(',')}`})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const names = this.refs?.map((ref) => resolveTopic(m, ref)) ?? null;
    if (names !== null) this.resolved = ` /*${names.join(',')}*/`;
    const request = { groupId: this.group, topics: names === null ? null : names.map((name) => ({ name, partitionIndexes: [0, 1, 2, 3, 4] })) };
    const { value } = await r.call('fetchOffsets', (ops) => ops.fetchOffsets(request));
    count(m, 'FetchOffsets', value.errorCode);
    if (this.group === '') {
      expectCode(m, r, 'fetchOffsets ""', value.errorCode, value.errorMessage, [ErrorCode.INVALID_GROUP_ID]);
      return errorName(value.errorCode);
    }
    if (names === null) {
      expectEqual(m, r, `fetchOffsets ${this.group}`, value, expectedFetch(m, this.group));
    } else {
      const expected: OffsetFetchResponse = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topics: names.map((name) => ({
          name,
          partitions: [0, 1, 2, 3, 4].map((p) => {
            const o = m.offsets.get(offsetKeyOf(this.group, name, p));
            return o !== undefined
              ? { partitionIndex: p, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE }
              : { partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
          }),
        })),
      };
      expectEqual(m, r, `fetchOffsets ${this.group} ${names.join(',')}`, value, expected);
    }
    return errorName(value.errorCode);
  }
}

export class DeleteGroup extends ModelCommand {
  constructor(readonly group: string) {
    super();
  }

  describe(): string {
    return `DeleteGroup(${JSON.stringify(this.group)})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const held = [...m.offsets.entries()]
      .filter(([, o]) => o.group === this.group)
      .sort(([, a], [, b]) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    // A group is deleted whole, past the record bound too (one metadata transaction, 23ecf6c).
    const stored = m.groupsStored.has(this.group);
    const predicted = this.group === '' ? ErrorCode.INVALID_GROUP_ID : held.length === 0 && !stored ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE;
    const { value, ambiguous } = await r.call('deleteGroups', (ops) => ops.deleteGroups({ groupIds: [this.group] }));
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'deleteGroups answered no result');
    let code = res.errorCode;
    if (ambiguous && code === ErrorCode.GROUP_ID_NOT_FOUND && predicted === ErrorCode.NONE) code = ErrorCode.NONE;
    expectCode(m, r, `deleteGroups ${this.group}`, code, res.errorMessage, [predicted]);
    count(m, 'DeleteGroup', code);
    if (code === ErrorCode.NONE) {
      for (const [key] of held) m.offsets.delete(key);
      m.groupsStored.delete(this.group);
    }
    return `${errorName(code)}${markAmbiguous(m, ambiguous)}`;
  }
}

/**
 * A group coordinator stores a group's membership (storeGroup, group-membership.ts), or its removal
 * (`members` 0). The claim is the coordinator's as the committed image has it, or (`wrongBroker`)
 * another registered broker's. While any broker's fencing is uncertain, or the claimant's epoch may
 * move, the coordinator the controller sees may differ: NOT_COORDINATOR is then possible too.
 */
export class StoreGroup extends ModelCommand {
  constructor(
    readonly group: string,
    readonly generation: number,
    readonly members: number,
    readonly wrongBroker: boolean,
  ) {
    super();
  }

  describe(): string {
    return `StoreGroup(${JSON.stringify(this.group)}, ${this.members === 0 ? 'removal' : `generation ${this.generation}, ${this.members} member(s)`}${this.wrongBroker ? ', wrong broker' : ''})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const image = await r.caughtUpImage();
    const coordinator = coordinatorOf(liveBrokerIds(image), this.group);
    const others = image.brokers().map((b) => b.brokerId).filter((id) => id !== coordinator);
    const claimant = this.wrongBroker ? (others[this.generation % Math.max(1, others.length)] ?? coordinator) : coordinator;
    if (claimant === null) return 'skipped (no live broker)';
    const claim = { brokerId: claimant, brokerEpoch: image.broker(claimant)?.brokerEpoch ?? 999_999 };
    const uncertain = [...m.brokers.keys()].some((id) => expectedFence(m, id, r.nowMs(), r.activeSinceMs()) === 'unknown' || epochMayMove(m, id, r.nowMs()));
    const storedGeneration = m.groupsStored.get(this.group);
    const members = Array.from({ length: this.members }, (_, i) => ({
      memberId: `${this.group}-m${i}-${this.generation}`,
      groupInstanceId: i === 0 ? `${this.group}-i0` : null,
      clientId: 'model',
      clientHost: '/127.0.0.1',
      rebalanceTimeoutMs: 60_000,
      sessionTimeoutMs: 10_000,
      subscription: Buffer.from([i]),
      assignment: Buffer.from([this.generation]),
    }));
    const group = this.members === 0 ? null : { protocolType: 'consumer', generationId: this.generation, protocolName: 'range', leaderId: members[0]!.memberId, members };
    // What the controller answers once it accepts the claim.
    const ifAccepted = group !== null && storedGeneration !== undefined && this.generation < storedGeneration ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    let acceptable: number[];
    if (this.group === '') acceptable = [ErrorCode.INVALID_GROUP_ID];
    else if (m.metadataVersion < GROUP_METADATA_METADATA_VERSION) acceptable = [ErrorCode.UNSUPPORTED_VERSION];
    // The controller judges the claim against its newest image, which may have moved on.
    else if (uncertain) acceptable = [ErrorCode.NOT_COORDINATOR, ifAccepted];
    else acceptable = [claimant === coordinator ? ifAccepted : ErrorCode.NOT_COORDINATOR];
    const { value, ambiguous } = await r.call('storeGroup', (ops) => ops.storeGroup({ coordinator: claim, groupId: this.group, group }));
    expectCode(m, r, `storeGroup ${this.group}`, value.errorCode, value.errorMessage, acceptable);
    count(m, 'StoreGroup', value.errorCode);
    if (value.errorCode === ErrorCode.NONE) {
      if (group === null) m.groupsStored.delete(this.group);
      else if (storedGeneration === undefined || this.generation >= storedGeneration) m.groupsStored.set(this.group, this.generation);
    }
    return `${errorName(value.errorCode)}${markAmbiguous(m, ambiguous)}`;
  }
}

export class AllocateProducerIds extends ModelCommand {
  constructor(
    readonly brokerId: number,
    readonly staleEpoch: boolean,
  ) {
    super();
  }

  describe(): string {
    return `AllocateProducerIds(broker ${this.brokerId}${this.staleEpoch ? ', stale epoch' : ''})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const registered = isRegistered(m, this.brokerId);
    const epoch = (await r.caughtUpImage()).broker(this.brokerId)?.brokerEpoch ?? 999_999;
    const brokerEpoch = this.staleEpoch ? epoch - 1 : epoch;
    const predicted = !registered ? ErrorCode.BROKER_ID_NOT_REGISTERED : this.staleEpoch ? ErrorCode.STALE_BROKER_EPOCH : ErrorCode.NONE;
    const { value, ambiguous } = await r.call('allocateProducerIds', (ops) => ops.allocateProducerIds({ brokerId: this.brokerId, brokerEpoch }));
    expectCode(m, r, `allocateProducerIds broker ${this.brokerId}`, value.errorCode, value.errorMessage, epochMayMove(m, this.brokerId, r.nowMs()) ? [predicted, ErrorCode.STALE_BROKER_EPOCH] : [predicted]);
    count(m, 'AllocateProducerIds', value.errorCode);
    if (value.errorCode !== ErrorCode.NONE) return errorName(value.errorCode);
    const start = value.producerIdStart;
    const end = start + value.producerIdLen;
    expectEqual(m, r, 'producer id block size', value.producerIdLen, m.config.producerIdBlockSize);
    // Disjoint from and above every block handed out before (a retried call may have skipped one).
    for (const b of m.producerBlocks) if (start < b.end && b.start < end) mismatch(m, r, `producer id block [${start}, ${end}) overlaps [${b.start}, ${b.end})`);
    if (ambiguous) {
      if (start < m.nextProducerId) mismatch(m, r, `producer id block starts at ${start}, below the next free id ${m.nextProducerId}`);
    } else {
      expectEqual(m, r, 'producer id block start', start, m.nextProducerId);
    }
    m.producerBlocks.push({ start, end });
    m.nextProducerId = end;
    return `NONE [${start}, ${end})${markAmbiguous(m, ambiguous)}`;
  }
}

export class UpdateMetadataVersion extends ModelCommand {
  constructor(
    readonly level: number,
    readonly upgradeType: number,
    readonly validateOnly: boolean,
  ) {
    super();
  }

  describe(): string {
    return `UpdateFeatures(metadata.version=${this.level}, type ${this.upgradeType}${this.validateOnly ? ', validateOnly' : ''})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const current = m.metadataVersion;
    let predicted: number;
    if (![1, 2, 3].includes(this.upgradeType)) predicted = ErrorCode.INVALID_REQUEST;
    else if (this.level < MIN_METADATA_VERSION || this.level > LATEST_METADATA_VERSION) predicted = ErrorCode.FEATURE_UPDATE_FAILED;
    else if (this.level === current) predicted = ErrorCode.NONE;
    else if (this.level < current) predicted = ErrorCode.FEATURE_UPDATE_FAILED;
    else predicted = this.upgradeType === 1 ? ErrorCode.NONE : ErrorCode.INVALID_UPDATE_VERSION;
    const { value } = await r.call('updateFeatures', (ops) =>
      ops.updateFeatures({ featureUpdates: [{ feature: METADATA_VERSION_FEATURE, maxVersionLevel: this.level, upgradeType: this.upgradeType }], validateOnly: this.validateOnly }),
    );
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'updateFeatures answered no result');
    expectCode(m, r, 'updateFeatures', res.errorCode, res.errorMessage, [predicted]);
    count(m, 'UpdateFeatures', res.errorCode);
    if (res.errorCode === ErrorCode.NONE && !this.validateOnly) m.metadataVersion = this.level;
    return errorName(res.errorCode);
  }
}

/** An ACL's seven fields as one string (the model's identity of an ACL; ids are the controller's). */
function modelAclKey(a: AclBinding): string {
  return [a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType].join('|');
}

function aclText(a: AclBinding): string {
  return `${a.permissionType} ${a.principal}@${a.host} ${a.operation} ${a.resourceType}:${a.patternType}:${a.resourceName}`;
}

/** The model's own reading of the rules (acl-rules.ts): the version gate first, then the fields its arbitrary can get wrong. */
function predictCreateAcl(m: Readonly<ControllerModel>, a: AclBinding): number {
  const invalid = (a.resourceType === 'CLUSTER' && a.resourceName !== 'kafka-cluster') || !/^[^:]+:.+$/.test(a.principal);
  return m.metadataVersion < ACLS_METADATA_VERSION ? ErrorCode.UNSUPPORTED_VERSION : invalid ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE;
}

export class CreateAcl extends ModelCommand {
  constructor(readonly acl: AclBinding) {
    super();
  }

  describe(): string {
    return `CreateAcl(${aclText(this.acl)})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const a = this.acl;
    const predicted = predictCreateAcl(m, a);
    const { value, ambiguous } = await r.call('createAcls', (ops) => ops.createAcls({ creations: [a] }));
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'createAcls answered no result');
    expectCode(m, r, `createAcls ${aclText(a)}`, res.errorCode, res.errorMessage, [predicted]);
    count(m, 'CreateAcl', res.errorCode);
    // Storing an ACL twice is a no-op, so a retried call leaves the same state.
    if (res.errorCode === ErrorCode.NONE) m.acls.set(modelAclKey(a), a);
    return `${errorName(res.errorCode)}${markAmbiguous(m, ambiguous)}`;
  }
}

/** A DeleteAcls filter over the few fields the model varies; the rest match anything. */
export interface ModelAclFilter {
  readonly resourceType: AclBinding['resourceType'] | null;
  readonly resourceName: string | null;
  readonly principal: string | null;
  readonly operation: AclBinding['operation'] | null;
}

export class DeleteAcls extends ModelCommand {
  constructor(readonly filter: ModelAclFilter) {
    super();
  }

  describe(): string {
    const f = this.filter;
    return `DeleteAcls(${f.resourceType ?? 'any type'}:${f.resourceName ?? '*any*'} ${f.principal ?? 'any principal'} ${f.operation ?? 'any operation'})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const f = this.filter;
    const selects = (a: AclBinding) =>
      (f.resourceType === null || a.resourceType === f.resourceType) &&
      (f.resourceName === null || a.resourceName === f.resourceName) &&
      (f.principal === null || a.principal === f.principal) &&
      (f.operation === null || a.operation === f.operation);
    const expected = [...m.acls.entries()].filter(([, a]) => selects(a)).map(([k]) => k);
    const predicted = m.metadataVersion < ACLS_METADATA_VERSION ? ErrorCode.UNSUPPORTED_VERSION : expected.length > m.config.maxRecordsPerOperation ? ErrorCode.POLICY_VIOLATION : ErrorCode.NONE;
    const { value, ambiguous } = await r.call('deleteAcls', (ops) =>
      ops.deleteAcls({
        filters: [{ resourceType: f.resourceType ?? 'ANY', resourceName: f.resourceName, patternType: 'ANY', principal: f.principal, host: null, operation: f.operation ?? 'ANY', permissionType: 'ANY' }],
      }),
    );
    const res = value.results[0];
    if (res === undefined) return mismatch(m, r, 'deleteAcls answered no result');
    expectCode(m, r, 'deleteAcls', res.errorCode, res.errorMessage, [predicted]);
    count(m, 'DeleteAcls', res.errorCode);
    if (res.errorCode !== ErrorCode.NONE) return errorName(res.errorCode);
    // A retried call finds what the first attempt left: its list may be short, never different.
    const listed = res.matchingAcls.map(modelAclKey).sort();
    if (ambiguous) {
      for (const k of listed) if (!expected.includes(k)) mismatch(m, r, `deleteAcls listed ${k}, which the filter does not select`);
    } else expectEqual(m, r, 'ACLs deleteAcls removed', listed, [...expected].sort());
    for (const k of expected) m.acls.delete(k);
    return `NONE ${expected.length} removed${markAmbiguous(m, ambiguous)}`;
  }
}

/** Broker ids the commands use: the four started at first, and two more that may register later. */
export const BROKER_IDS = [1, 2, 3, 4, 5, 6] as const;

/** Registered in the image: a running broker, or a registration an import wrote (fenced, no process). */
function isRegistered(m: Readonly<ControllerModel>, brokerId: number): boolean {
  return m.brokers.has(brokerId) || m.importedBrokers.has(brokerId);
}

export class RegisterBroker extends ModelCommand {
  constructor(readonly brokerId: number) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return !m.brokers.has(this.brokerId);
  }

  describe(): string {
    return `RegisterBroker(${this.brokerId})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    await r.startBroker(this.brokerId);
    m.brokers.set(this.brokerId, { heartbeating: true, changedAtMs: r.nowMs() });
    m.importedBrokers.delete(this.brokerId); // a running broker takes an imported registration over
    count(m, 'RegisterBroker', ErrorCode.NONE);
    return 'registered and unfenced';
  }
}

export class UnregisterBroker extends ModelCommand {
  constructor(readonly brokerId: number) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    // Keep one broker registered, so topics can still be created.
    return !m.brokers.has(this.brokerId) || m.brokers.size > 1;
  }

  describe(): string {
    return `UnregisterBroker(${this.brokerId})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const running = m.brokers.has(this.brokerId);
    const registered = isRegistered(m, this.brokerId);
    if (running) r.shutDownBroker(this.brokerId);
    const { value, ambiguous } = await r.call('unregisterBroker', (ops) => ops.unregisterBroker({ brokerId: this.brokerId }));
    let code = value.errorCode;
    if (ambiguous && registered && code === ErrorCode.BROKER_ID_NOT_REGISTERED) code = ErrorCode.NONE;
    expectCode(m, r, `unregisterBroker ${this.brokerId}`, code, value.errorMessage, [registered ? ErrorCode.NONE : ErrorCode.BROKER_ID_NOT_REGISTERED]);
    count(m, 'UnregisterBroker', code);
    if (code === ErrorCode.NONE) {
      m.brokers.delete(this.brokerId);
      m.importedBrokers.delete(this.brokerId);
    }
    return `${errorName(code)}${markAmbiguous(m, ambiguous)}`;
  }
}

/** Stops (or resumes) the n-th registered broker that is heartbeating (or not). */
/**
 * A restarted broker's new registration may be appended (so in the pending image the controller
 * checks epochs against) but not yet committed (so not in the image the command read its epoch
 * from): for a while after a restart, STALE_BROKER_EPOCH is a possible answer.
 */
function epochMayMove(m: ControllerModel, brokerId: number, nowMs: number): boolean {
  const at = m.restarts.get(brokerId);
  return at !== undefined && nowMs - at < 3 * m.config.brokerSessionTimeoutMs + 20_000;
}

export class SetHeartbeats extends ModelCommand {
  constructor(
    readonly on: boolean,
    readonly index: number,
  ) {
    super();
  }

  private candidates(m: Readonly<ControllerModel>): number[] {
    return [...m.brokers.entries()]
      .filter(([, b]) => b.heartbeating !== this.on && b.restartedAtMs === undefined)
      .map(([id]) => id)
      .sort((a, b) => a - b);
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness && this.candidates(m).length > 0;
  }

  describe(): string {
    return `${this.on ? 'ResumeBroker' : 'StopBrokerHeartbeats'}(#${this.index})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const list = this.candidates(m);
    const id = list[this.index % list.length]!;
    this.resolved = ` /*broker ${id}*/`;
    r.setHeartbeating(id, this.on);
    m.brokers.set(id, { heartbeating: this.on, changedAtMs: r.nowMs() });
    return this.on ? 'heartbeating' : 'silent';
  }
}

/** Replaces the n-th registered broker's process by a new incarnation, without unregistering it. */
export class RestartBroker extends ModelCommand {
  constructor(readonly index: number) {
    super();
  }

  private candidates(m: Readonly<ControllerModel>): number[] {
    return [...m.brokers.entries()]
      .filter(([, b]) => b.restartedAtMs === undefined)
      .map(([id]) => id)
      .sort((a, b) => a - b);
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness && this.candidates(m).length > 0;
  }

  describe(): string {
    return `RestartBroker(#${this.index})`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const list = this.candidates(m);
    const id = list[this.index % list.length]!;
    this.resolved = ` /*broker ${id}*/`;
    r.restartBroker(id);
    m.brokers.set(id, { heartbeating: true, changedAtMs: r.nowMs(), restartedAtMs: r.nowMs() });
    m.restarts.set(id, r.nowMs());
    count(m, 'RestartBroker', ErrorCode.NONE);
    return 'new incarnation started';
  }
}

export class ControllerFailover extends ModelCommand {
  constructor(
    readonly graceful: boolean,
    readonly restartAfterMs: number,
  ) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness;
  }

  describe(): string {
    return `ControllerFailover(${this.graceful ? 'stop' : 'crash'}, restart after ${this.restartAfterMs} ms)`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    await r.failover(this.graceful, this.restartAfterMs);
    count(m, 'ControllerFailover', ErrorCode.NONE);
    return 'done';
  }
}

/** A write that the active controller is handed just before it crashes (an in-flight failover). */
export type InFlightWrite =
  | { readonly kind: 'create'; readonly spec: CreateTopicSpec }
  | { readonly kind: 'delete'; readonly ref: TopicRef }
  | { readonly kind: 'commit'; readonly group: string; readonly ref: TopicRef; readonly partition: number; readonly offset: number }
  | { readonly kind: 'allocate'; readonly brokerId: number }
  | { readonly kind: 'acls'; readonly creations: readonly AclBinding[] };

/**
 * Crashes the active controller `crashAfterMs` after handing it a write. An answered write must
 * stick; an unanswered one (NOT_CONTROLLER, or lost with the node) must have happened entirely or
 * not at all, and the model adopts whichever the new active controller's image shows.
 */
export class InFlightFailover extends ModelCommand {
  constructor(
    readonly write: InFlightWrite,
    readonly crashAfterMs: number,
    readonly restartAfterMs: number,
  ) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness;
  }

  describe(): string {
    const w = this.write;
    const what =
      w.kind === 'create'
        ? new CreateTopic(w.spec).describe()
        : w.kind === 'delete'
          ? `DeleteTopic(${refText(w.ref)})`
          : w.kind === 'commit'
            ? `CommitOffsets(${JSON.stringify(w.group)}, ${refText(w.ref)}/${w.partition}=${w.offset})`
            : w.kind === 'acls'
              ? `CreateAcls(${w.creations.map(aclText).join('; ')})`
              : `AllocateProducerIds(broker ${w.brokerId})`;
    return `InFlightFailover(${what}, crash after ${this.crashAfterMs.toFixed(2)} ms, restart after ${this.restartAfterMs} ms)`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    const w = this.write;
    const crash = <T>(fn: (ops: ControllerOps) => Promise<T>) => r.callDuringFailover(fn, this.crashAfterMs, this.restartAfterMs);
    let outcome: string;
    switch (w.kind) {
      case 'create': {
        const cmd = new CreateTopic(w.spec);
        const name = resolveTopic(m, w.spec.ref);
        this.resolved = ` /*${name}*/`;
        const expected = cmd.predict(m, name, r);
        const out = await crash((ops) => ops.createTopics(cmd.request(name)));
        if ('ok' in out) {
          const res = out.ok.topics[0]!;
          expectCode(m, r, `createTopics ${name} (answered before the crash)`, res.errorCode, res.errorMessage, expected.codes);
          outcome = errorName(res.errorCode);
          if (res.errorCode !== ErrorCode.NONE || w.spec.validateOnly) break;
        } else {
          outcome = `lost (${out.lost.slice(0, 80)})`;
          if (!expected.codes.includes(ErrorCode.NONE) || w.spec.validateOnly) break;
          const topic = (await r.caughtUpImage()).topicByName(name);
          if (topic === undefined) break;
          if (out.unapplied) mismatch(m, r, `createTopics ${name} failed with "${out.lost}", yet the topic was created`);
          outcome += ', took effect';
        }
        m.topics.set(name, { partitions: expected.partitions, replicationFactor: expected.rf, configs: new Map(w.spec.configs.map((c) => [c.key, c.value])) });
        m.namesSeen.add(name);
        break;
      }
      case 'delete': {
        const name = resolveTopic(m, w.ref);
        this.resolved = ` /*${name}*/`;
        const exists = m.topics.has(name);
        const out = await crash((ops) => ops.deleteTopics({ topics: [{ name, topicId: null }] }));
        let deleted: boolean;
        if ('ok' in out) {
          const res = out.ok.responses[0]!;
          expectCode(m, r, `deleteTopics ${name} (answered before the crash)`, res.errorCode, res.errorMessage, [exists ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
          outcome = errorName(res.errorCode);
          deleted = res.errorCode === ErrorCode.NONE;
        } else {
          deleted = exists && (await r.caughtUpImage()).topicByName(name) === undefined;
          if (deleted && out.unapplied) mismatch(m, r, `deleteTopics ${name} failed with "${out.lost}", yet the topic was deleted`);
          outcome = `lost (${out.lost.slice(0, 80)})${deleted ? ', took effect' : ''}`;
        }
        if (deleted) {
          m.topics.delete(name);
          for (const [key, o] of m.offsets) if (o.topic === name) m.offsets.delete(key);
        }
        break;
      }
      case 'commit': {
        const name = resolveTopic(m, w.ref);
        this.resolved = ` /*${name}*/`;
        const topic = m.topics.get(name);
        const valid = w.group !== '' && topic !== undefined && w.partition < topic.partitions && w.offset >= -1;
        const request = { groupId: w.group, topics: [{ name, partitions: [{ partitionIndex: w.partition, committedOffset: w.offset, committedLeaderEpoch: -1, committedMetadata: null }] }] };
        const out = await crash((ops) => ops.commitOffsets(request));
        let committed: boolean;
        if ('ok' in out) {
          const res = out.ok.topics[0]!.partitions[0]!;
          if (valid) expectCode(m, r, `commitOffsets ${w.group} ${name}/${w.partition} (answered before the crash)`, res.errorCode, res.errorMessage, [ErrorCode.NONE]);
          else if (res.errorCode === ErrorCode.NONE) mismatch(m, r, `commitOffsets ${w.group} ${name}/${w.partition} answered NONE, the model expects an error`);
          outcome = errorName(res.errorCode);
          committed = res.errorCode === ErrorCode.NONE;
        } else {
          const before = m.offsets.get(offsetKeyOf(w.group, name, w.partition))?.offset;
          committed = valid && before !== w.offset && (await r.caughtUpImage()).committedOffset(w.group, name, w.partition)?.offset === w.offset;
          if (committed && out.unapplied) mismatch(m, r, `commitOffsets ${w.group} ${name}/${w.partition} failed with "${out.lost}", yet the offset was committed`);
          outcome = `lost (${out.lost.slice(0, 80)})${committed ? ', took effect' : ''}`;
        }
        if (committed) m.offsets.set(offsetKeyOf(w.group, name, w.partition), { group: w.group, topic: name, partition: w.partition, offset: w.offset, leaderEpoch: -1, metadata: '' });
        break;
      }
      case 'allocate': {
        const registered = isRegistered(m, w.brokerId);
        const epoch = (await r.caughtUpImage()).broker(w.brokerId)?.brokerEpoch ?? 999_999;
        const out = await crash((ops) => ops.allocateProducerIds({ brokerId: w.brokerId, brokerEpoch: epoch }));
        const size = m.config.producerIdBlockSize;
        if ('ok' in out) {
          const codes = [registered ? ErrorCode.NONE : ErrorCode.BROKER_ID_NOT_REGISTERED, ...(epochMayMove(m, w.brokerId, r.nowMs()) ? [ErrorCode.STALE_BROKER_EPOCH] : [])];
          expectCode(m, r, `allocateProducerIds ${w.brokerId} (answered before the crash)`, out.ok.errorCode, out.ok.errorMessage, codes);
          outcome = errorName(out.ok.errorCode);
          if (out.ok.errorCode === ErrorCode.NONE) {
            expectEqual(m, r, 'producer id block start (answered before the crash)', out.ok.producerIdStart, m.nextProducerId);
            m.producerBlocks.push({ start: m.nextProducerId, end: m.nextProducerId + size });
            m.nextProducerId += size;
          }
        } else {
          // Lost: the block was handed to nobody, but if it committed its ids are gone for good.
          const next = (await r.caughtUpImage()).nextProducerId;
          const tookEffect = registered && next === m.nextProducerId + size;
          if (tookEffect && out.unapplied) mismatch(m, r, `allocateProducerIds ${w.brokerId} failed with "${out.lost}", yet a block was allocated`);
          outcome = `lost (${out.lost.slice(0, 80)})${tookEffect ? ', took effect' : ''}`;
          if (tookEffect) m.nextProducerId = next;
        }
        break;
      }
      case 'acls': {
        // One request of several creations: answered, each is stored as predicted; lost, the new
        // ACLs are all in the next image or none is (one batch), and none if nothing was appended.
        const predicted = w.creations.map((a) => predictCreateAcl(m, a));
        const fresh = [...new Map(w.creations.filter((a, i) => predicted[i] === ErrorCode.NONE).map((a) => [modelAclKey(a), a])).entries()].filter(([k]) => !m.acls.has(k));
        const out = await crash((ops) => ops.createAcls({ creations: w.creations }));
        let stored: (readonly [string, AclBinding])[];
        if ('ok' in out) {
          w.creations.forEach((a, i) => {
            const res = out.ok.results[i];
            if (res === undefined) mismatch(m, r, `createAcls ${aclText(a)} (answered before the crash): no result`);
            else expectCode(m, r, `createAcls ${aclText(a)} (answered before the crash)`, res.errorCode, res.errorMessage, [predicted[i]!]);
          });
          outcome = out.ok.results.map((res) => errorName(res.errorCode)).join(',');
          stored = fresh;
        } else {
          const image = await r.caughtUpImage();
          const held = new Set([...image.acls()].map(modelAclKey));
          stored = fresh.filter(([k]) => held.has(k));
          if (stored.length !== 0 && stored.length !== fresh.length) mismatch(m, r, `createAcls of ${fresh.length} new ACLs was lost with the controller, yet ${stored.length} of them are stored: an operation lands whole or not at all`);
          if (stored.length > 0 && out.unapplied) mismatch(m, r, `createAcls failed with "${out.lost}", yet its ACLs were stored`);
          outcome = `lost (${out.lost.slice(0, 80)})${stored.length > 0 ? ', took effect' : ''}`;
        }
        for (const [k, a] of stored) m.acls.set(k, a);
        break;
      }
    }
    const key = `InFlightFailover:${w.kind}:${outcome.startsWith('lost') ? (outcome.endsWith('took effect') ? 'lost-took-effect' : 'lost') : 'answered'}`;
    m.outcomes.set(key, (m.outcomes.get(key) ?? 0) + 1);
    return outcome;
  }
}

/** Cuts the active controller off from the other voters for a while (a zombie until it notices). */
export class IsolateActive extends ModelCommand {
  constructor(readonly durationMs: number) {
    super();
  }

  protected override applies(m: Readonly<ControllerModel>): boolean {
    return m.liveness;
  }

  describe(): string {
    return `IsolateActive(${this.durationMs} ms)`;
  }

  protected async exec(m: ControllerModel, r: SystemUnderTest): Promise<string> {
    await r.isolateActive(this.durationMs);
    count(m, 'IsolateActive', ErrorCode.NONE);
    return 'partitioned';
  }
}

export class RunFor extends ModelCommand {
  constructor(readonly ms: number) {
    super();
  }

  describe(): string {
    return `RunFor(${this.ms} ms)`;
  }

  protected async exec(_m: ControllerModel, r: SystemUnderTest): Promise<string> {
    await r.runFor(this.ms);
    return 'ok';
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Short names over a, b, '.', '_': duplicates and '.'/'_' collisions (and "." / "..") happen often. */
const topicNameArb = fc.string({ unit: fc.constantFrom('a', 'b', '.', '_'), minLength: 1, maxLength: 3 });
const invalidTopicNameArb = fc.constantFrom('', '.', '..', 'a b', 'x/y', 'é', 'a'.repeat(250));

export const topicRefArb: fc.Arbitrary<TopicRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 50 }).map((existing) => ({ existing })) },
  { weight: 2, arbitrary: topicNameArb.map((name) => ({ name })) },
);

const newTopicRefArb: fc.Arbitrary<TopicRef> = fc.oneof(
  { weight: 8, arbitrary: topicNameArb.map((name) => ({ name })) },
  { weight: 1, arbitrary: invalidTopicNameArb.map((name) => ({ name })) },
  { weight: 1, arbitrary: fc.nat({ max: 50 }).map((existing) => ({ existing })) },
);

/** Values per key: mostly ones Kafka accepts, some it refuses (the model decides which are which). */
const CONFIG_VALUES: Readonly<Record<string, readonly string[]>> = {
  'retention.ms': ['1000', '-1', '604800000', ' 5000'],
  'cleanup.policy': ['compact', 'delete', 'compact,delete', 'delete, compact'],
  'min.insync.replicas': ['1', '2'],
  'segment.bytes': ['1048576'],
};
const BAD_CONFIG_VALUES: Readonly<Record<string, readonly string[]>> = {
  'retention.ms': ['-2', 'abc', '1.5'],
  'cleanup.policy': ['', 'compact,compact', 'bogus'],
  'min.insync.replicas': ['0', '2147483648'],
  'segment.bytes': ['1000'],
  'no.such.config': ['x'],
};
const CONFIG_KEYS = [...new Set([...Object.keys(CONFIG_VALUES), ...Object.keys(BAD_CONFIG_VALUES)])];

function configValueArb(values: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<{ key: string; value: string }> {
  const keys = Object.keys(values);
  return fc.constantFrom(...keys).chain((key) => fc.constantFrom(...values[key]!).map((value) => ({ key, value })));
}

const configSetArb = fc.oneof({ weight: 6, arbitrary: configValueArb(CONFIG_VALUES) }, { weight: 1, arbitrary: configValueArb(BAD_CONFIG_VALUES) });

const configOpArb: fc.Arbitrary<ConfigOp> = fc.oneof(
  { weight: 5, arbitrary: configSetArb.map(({ key, value }) => ({ op: 'SET' as const, key, value })) },
  { weight: 3, arbitrary: fc.constantFrom(...CONFIG_KEYS).map((key) => ({ op: 'DELETE' as const, key })) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('APPEND' as const, 'SUBTRACT' as const),
      key: fc.constantFrom('cleanup.policy', 'cleanup.policy', 'retention.ms'),
      value: fc.constantFrom('compact', 'delete', 'compact,delete'),
    }),
  },
);

/** true about one time in six (validateOnly). */
const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const groupArb = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('g1', 'g2', 'g3') }, { weight: 1, arbitrary: fc.constant('') });

const offsetEntryArb: fc.Arbitrary<OffsetCommitEntry> = fc.record({
  ref: topicRefArb,
  partition: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.nat({ max: 4 }) }),
  offset: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: -1, max: 1000 }) }, { weight: 1, arbitrary: fc.constant(-2) }),
  metadata: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(null, '', 'm1', 'ü') }, { weight: 1, arbitrary: fc.constant('x'.repeat(OFFSET_METADATA_MAX_BYTES + 1)) }),
});

const createTopicSpecArb: fc.Arbitrary<CreateTopicSpec> = fc.record({
  ref: newTopicRefArb,
  numPartitions: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.constant(0) }),
  replicationFactor: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(4) }, { weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.constant(0) }),
  configs: fc.uniqueArray(configSetArb, { maxLength: 2, selector: (c) => c.key }),
  validateOnly: rarely,
});

const aclArb: fc.Arbitrary<AclBinding> = fc.record({
  resourceType: fc.constantFrom('TOPIC' as const, 'GROUP' as const, 'CLUSTER' as const),
  resourceName: fc.constantFrom('a', 'b', '*', 'kafka-cluster'),
  patternType: fc.constantFrom('LITERAL' as const, 'PREFIXED' as const),
  principal: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('User:alice', 'User:bob', 'User:*') }, { weight: 1, arbitrary: fc.constantFrom('alice', 'User:') }),
  host: fc.constantFrom('*', '10.0.0.1'),
  operation: fc.constantFrom('READ' as const, 'WRITE' as const, 'DESCRIBE' as const, 'ALL' as const),
  permissionType: fc.constantFrom('ALLOW' as const, 'DENY' as const),
});

const inFlightWriteArb: fc.Arbitrary<InFlightWrite> = fc.oneof(
  createTopicSpecArb.map((spec) => ({ kind: 'create' as const, spec })),
  topicRefArb.map((ref) => ({ kind: 'delete' as const, ref })),
  fc.record({ kind: fc.constant('commit' as const), group: groupArb, ref: topicRefArb, partition: fc.nat({ max: 1 }), offset: fc.integer({ min: 0, max: 1000 }) }),
  fc.constantFrom(...BROKER_IDS).map((brokerId) => ({ kind: 'allocate' as const, brokerId })),
  fc.array(aclArb, { minLength: 1, maxLength: 3 }).map((creations) => ({ kind: 'acls' as const, creations })),
);


const aclFilterArb: fc.Arbitrary<ModelAclFilter> = fc.record({
  resourceType: fc.option(fc.constantFrom('TOPIC' as const, 'GROUP' as const, 'CLUSTER' as const), { nil: null }),
  resourceName: fc.option(fc.constantFrom('a', 'b', '*', 'kafka-cluster'), { nil: null }),
  principal: fc.option(fc.constantFrom('User:alice', 'User:bob', 'User:*'), { nil: null }),
  operation: fc.option(fc.constantFrom('READ' as const, 'WRITE' as const, 'DESCRIBE' as const, 'ALL' as const), { nil: null }),
});

const reassignArb: fc.Arbitrary<Cmd> = fc
  .tuple(
    topicRefArb,
    fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 1 }) }, { weight: 1, arbitrary: fc.constant(5) }),
    fc.oneof(
      { weight: 5, arbitrary: fc.shuffledSubarray([...BROKER_IDS], { minLength: 3, maxLength: 6 }) },
      { weight: 1, arbitrary: fc.shuffledSubarray([...BROKER_IDS, 7], { minLength: 3, maxLength: 7 }) },
      { weight: 2, arbitrary: fc.constant(null) },
    ),
  )
  .map(([ref, partition, pool]) => new ReassignPartition(ref, partition, pool));

/** The command arbitraries; `liveness` adds broker fencing and controller failovers (simulator only). */
export function commandArbs(liveness: boolean): fc.Arbitrary<Cmd>[] {
  const createTopic = createTopicSpecArb.map((spec) => new CreateTopic(spec));
  const arbs: fc.Arbitrary<Cmd>[] = [
    // fc.commands picks among these uniformly: creates are listed several times so topics exist.
    createTopic,
    createTopic,
    createTopic,
    createTopic,
    createTopic,
    createTopic,
    topicRefArb.map((ref) => new DeleteTopic(ref)),
    fc.tuple(topicRefArb, fc.integer({ min: -2, max: 4 }), rarely).map(([ref, delta, v]) => new CreatePartitions(ref, delta, v)),
    reassignArb,
    reassignArb,
    fc.tuple(topicRefArb, fc.uniqueArray(configOpArb, { minLength: 1, maxLength: 3, selector: (o) => o.key }), rarely).map(([ref, ops, v]) => new AlterConfigs(ref, ops, v)),
    fc.tuple(topicRefArb, fc.uniqueArray(configOpArb, { minLength: 1, maxLength: 3, selector: (o) => o.key }), rarely).map(([ref, ops, v]) => new AlterConfigs(ref, ops, v)),
    topicRefArb.map((ref) => new DescribeConfigs(ref)),
    fc.tuple(groupArb, fc.array(offsetEntryArb, { minLength: 1, maxLength: 3 })).map(([g, e]) => new CommitOffsets(g, e)),
    fc.tuple(groupArb, fc.array(offsetEntryArb, { minLength: 1, maxLength: 3 })).map(([g, e]) => new CommitOffsets(g, e)),
    fc.tuple(groupArb, fc.option(fc.array(topicRefArb, { minLength: 1, maxLength: 2 }), { nil: null })).map(([g, refs]) => new FetchOffsets(g, refs)),
    groupArb.map((g) => new DeleteGroup(g)),
    fc.tuple(groupArb, fc.integer({ min: 1, max: 6 }), fc.nat({ max: 3 }), rarely).map(([g, gen, n, wrong]) => new StoreGroup(g, gen, n, wrong)),
    fc.tuple(fc.constantFrom(...BROKER_IDS), fc.boolean()).map(([id, stale]) => new AllocateProducerIds(id, stale)),
    fc.tuple(fc.integer({ min: 0, max: LATEST_METADATA_VERSION + 1 }), fc.constantFrom(1, 2, 3, 7), rarely).map(([level, type, v]) => new UpdateMetadataVersion(level, type, v)),
    aclArb.map((a) => new CreateAcl(a)),
    aclArb.map((a) => new CreateAcl(a)),
    aclFilterArb.map((f) => new DeleteAcls(f)),
    fc.constantFrom(...BROKER_IDS).map((id) => new RegisterBroker(id)),
    fc.constantFrom(...BROKER_IDS).map((id) => new UnregisterBroker(id)),
    fc.integer({ min: 10, max: 4_000 }).map((ms) => new RunFor(ms)),
  ];
  if (liveness) {
    arbs.push(
      fc.nat({ max: 5 }).map((i) => new SetHeartbeats(false, i)),
      fc.nat({ max: 5 }).map((i) => new SetHeartbeats(true, i)),
      fc.nat({ max: 5 }).map((i) => new RestartBroker(i)),
      fc.integer({ min: 100, max: 6_000 }).map((ms) => new IsolateActive(ms)),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4_000 })).map(([graceful, ms]) => new ControllerFailover(graceful, ms)),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4_000 })).map(([graceful, ms]) => new ControllerFailover(graceful, ms)),
      fc.integer({ min: 3_000, max: 8_000 }).map((ms) => new RunFor(ms)),
      fc.tuple(inFlightWriteArb, fc.integer({ min: 0, max: 3_000 }).map((x) => x / 100), fc.integer({ min: 0, max: 3_000 })).map(([w, crashMs, restartMs]) => new InFlightFailover(w, crashMs, restartMs)),
      fc.tuple(inFlightWriteArb, fc.integer({ min: 0, max: 3_000 }).map((x) => x / 100), fc.integer({ min: 0, max: 3_000 })).map(([w, crashMs, restartMs]) => new InFlightFailover(w, crashMs, restartMs)),
    );
  }
  return arbs;
}
