// The real quorum controller on the simulated quorum: a SimCluster whose voters run
// ControllerStateMachine (each committed image held to every other node's at the same end offset:
// quorum/sim/image-agreement.ts), helpers to call the active controller (retrying NOT_CONTROLLER across
// failovers, in simulated time), and simulated brokers that register and heartbeat like the broker
// runtime will (issue 4), reporting the active controller's committed offset as their own.

import { supportedFeatures } from '../../quorum/controller/configs/features.js';
import { expect } from 'vitest';
import { writeSnapshot } from '../../metadata-log/snapshot.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import { NotControllerError } from '../../quorum/controller/errors.js';
import type { QuorumController } from '../../quorum/controller/quorum-controller.js';
import type { LogBatch, NodeId } from '../../quorum/raft/types.js';
import { SimCluster } from '../../quorum/sim/cluster.js';
import { ControllerStateMachine } from '../../quorum/sim/controller-state-machine.js';
import { ImageAgreement } from '../../quorum/sim/image-agreement.js';
import { Prng } from '../../quorum/sim/prng.js';
import { realDriverFactory } from '../../quorum/sim/real-driver.js';
import type { SimOptionsInput } from '../../quorum/sim/sim-options.js';
import { report } from './sim-scenario.js';

export const CLUSTER_ID = 'sim-cluster-id-000000A';

/** Controller settings for the simulator: Kafka's defaults, with shorter broker timeouts. */
export const simControllerDefaults: Partial<Omit<ControllerConfig, 'clusterId'>> = {
  brokerSessionTimeoutMs: 3_000,
  brokerHeartbeatIntervalMs: 500,
  defaultReplicationFactor: 3,
  defaultPartitions: 3,
};

export interface ControllerClusterOptions {
  /** Stop run loops at the first violation (default true; false lets every node meet a fault). */
  readonly stopOnViolation?: boolean;
  /**
   * Called on every node incarnation after each apply() of committed batches, with the node's
   * state machine (its committed image is `sm.controller.image`): a scenario's own per-batch check.
   */
  readonly afterApply?: (nodeId: NodeId, sm: ControllerStateMachine, batches: readonly LogBatch[]) => void;
}

export async function startControllerCluster(
  input: SimOptionsInput,
  configFor: (nodeId: NodeId) => Partial<Omit<ControllerConfig, 'clusterId'>> = () => ({}),
  options: ControllerClusterOptions = {},
): Promise<SimCluster> {
  const { afterApply } = options;
  const agreement = new ImageAgreement();
  const c = new SimCluster(input, {
    factory: realDriverFactory,
    logLines: 300,
    ...(options.stopOnViolation !== undefined ? { stopOnViolation: options.stopOnViolation } : {}),
    stateMachine: (id, env, hooks) => {
      const sm = new ControllerStateMachine(id, env, hooks, controllerConfig(CLUSTER_ID, { ...simControllerDefaults, ...configFor(id) }), agreement);
      if (afterApply !== undefined) {
        const apply = sm.apply.bind(sm);
        sm.apply = (batches) => {
          apply(batches);
          afterApply(id, sm, batches);
        };
      }
      return sm;
    },
  });
  await c.start();
  return c;
}

export function controllerOf(c: SimCluster, id: NodeId): QuorumController | undefined {
  const sm = c.node(id).stateMachine;
  return sm instanceof ControllerStateMachine ? sm.controller : undefined;
}

/** The node whose controller is active and whose process runs. */
export function activeController(c: SimCluster): { readonly id: NodeId; readonly controller: QuorumController } | undefined {
  for (const n of c.liveNodes()) {
    if (n.process.state !== 'running') continue;
    const ctrl = controllerOf(c, n.id);
    if (ctrl?.isActive) return { id: n.id, controller: ctrl };
  }
  return undefined;
}

export async function expectActiveController(c: SimCluster, boundMs = 20_000): Promise<NodeId> {
  const ok = await c.waitFor(() => activeController(c) !== undefined, boundMs);
  expect(c.violations, report(c)).toEqual([]);
  expect(ok, `no active controller within ${boundMs} ms: ${c.describe()}`).toBe(true);
  return activeController(c)!.id;
}

export type CallOutcome<T> = { readonly ok: T } | { readonly error: unknown } | { readonly timedOut: true };

/** Calls the active controller once and waits (simulated time) for the answer. */
export async function callOnce<T>(c: SimCluster, fn: (ctrl: QuorumController) => Promise<T>, boundMs = 5_000): Promise<CallOutcome<T>> {
  const active = activeController(c);
  if (active === undefined) return { error: new NotControllerError(null) };
  let outcome: CallOutcome<T> | undefined;
  fn(active.controller).then(
    (ok) => (outcome = { ok }),
    (error: unknown) => (outcome = { error }),
  );
  await c.waitFor(() => outcome !== undefined, boundMs);
  return outcome ?? { timedOut: true };
}

/**
 * Calls the active controller until it answers: NOT_CONTROLLER, a controller that crashed with the
 * call (no answer within the attempt's bound) and "no active controller yet" are retried.
 */
export async function callController<T>(c: SimCluster, fn: (ctrl: QuorumController) => Promise<T>, boundMs = 30_000): Promise<T> {
  const deadline = c.nowMs() + boundMs;
  let last: unknown = 'no attempt';
  while (c.nowMs() < deadline && !c.failed) {
    if (activeController(c) === undefined) {
      await c.waitFor(() => activeController(c) !== undefined, Math.max(1, deadline - c.nowMs()));
      continue;
    }
    const r = await callOnce(c, fn, Math.min(5_000, Math.max(1, deadline - c.nowMs())));
    if ('ok' in r) return r.ok;
    if ('error' in r && !(r.error instanceof NotControllerError)) throw r.error;
    last = 'error' in r ? r.error : 'timed out';
    await c.runFor(50);
  }
  throw new Error(`the controller did not answer within ${boundMs} ms (last: ${String(last)}): ${report(c)}`);
}

/** Every live voter's committed image, written out as a snapshot (for byte-for-byte comparison). */
export function imageBytesByNode(c: SimCluster): Map<NodeId, { endOffset: number; bytes: Buffer }> {
  const out = new Map<NodeId, { endOffset: number; bytes: Buffer }>();
  for (const n of c.liveNodes()) {
    const ctrl = controllerOf(c, n.id);
    if (ctrl === undefined || !n.started) continue;
    out.set(n.id, { endOffset: ctrl.image.provenance.endOffset, bytes: Buffer.concat(writeSnapshot(ctrl.image)) });
  }
  return out;
}

/** Waits until every live voter's committed image is at the same offset, then compares their bytes. */
export async function expectImagesAgree(c: SimCluster, boundMs = 20_000): Promise<void> {
  const offsets = () => new Set([...c.liveNodes()].map((n) => controllerOf(c, n.id)?.image.provenance.endOffset ?? -1));
  // NoOps keep the log moving: wait for a moment when all images stand at one offset.
  const ok = await c.waitFor(() => offsets().size === 1, boundMs);
  expect(ok, `images never stood at one offset: ${[...offsets()].join(',')} ${c.describe()}`).toBe(true);
  const images = [...imageBytesByNode(c)];
  const [firstId, first] = images[0]!;
  for (const [id, img] of images.slice(1)) {
    expect(img.endOffset).toBe(first.endOffset);
    expect(img.bytes.equals(first.bytes), `node ${id}'s image differs from node ${firstId}'s at offset ${first.endOffset}`).toBe(true);
  }
}

/**
 * A broker as the controller sees one: registers (fenced), heartbeats every interval with the
 * active controller's committed offset as its metadata offset (a caught-up observer), is unfenced
 * once caught up, and can stop heartbeating (to be fenced) or ask for a controlled shutdown.
 * One request at a time; one unanswered for requestTimeoutMs is given up, as a real broker's
 * request timeout does (a controller that crashed with it never answers), and its late answer is
 * ignored.
 */
export class SimBroker {
  epoch = -1;
  fenced = true;
  shutDown = false;
  /** Simulated time at which the controller answered shouldShutDown, or null. */
  shutDownAtMs: number | null = null;
  heartbeating = true;
  wantShutDown = false;
  lastError: string | null = null;
  /** Requests given up after requestTimeoutMs without an answer. */
  requestsTimedOut = 0;
  requestTimeoutMs: number;
  private readonly incarnationId: string;
  /** The request awaiting an answer (compared by identity: a late answer to an abandoned one is dropped). */
  private inFlight: { readonly sentAtMs: number } | null = null;

  constructor(
    private readonly c: SimCluster,
    readonly brokerId: number,
    readonly rack: string | null = null,
    private readonly intervalMs = simControllerDefaults.brokerHeartbeatIntervalMs!,
  ) {
    this.incarnationId = randomUuid(new Prng(c.options.seed * 1000 + brokerId));
    this.requestTimeoutMs = 4 * intervalMs;
    this.schedule(0);
  }

  /** A request is waiting for the controller's answer. */
  get requestInFlight(): boolean {
    return this.inFlight !== null;
  }

  private schedule(delayMs: number): void {
    this.c.scheduler.after(delayMs, () => this.tick(), `broker${this.brokerId} heartbeat`);
  }

  private tick(): void {
    if (this.shutDown) return;
    this.schedule(this.intervalMs);
    if (this.inFlight !== null) {
      if (this.c.nowMs() - this.inFlight.sentAtMs < this.requestTimeoutMs) return;
      this.requestsTimedOut++;
      this.lastError = `request timed out after ${this.requestTimeoutMs} ms`;
      this.inFlight = null;
    }
    if (!this.heartbeating) return;
    const active = activeController(this.c);
    if (active === undefined) return;
    const request = { sentAtMs: this.c.nowMs() };
    this.inFlight = request;
    const ctrl = active.controller;
    const current = () => this.inFlight === request;
    const done = () => {
      if (current()) this.inFlight = null;
    };
    if (this.epoch < 0) {
      ctrl
        .registerBroker({
          brokerId: this.brokerId,
          clusterId: CLUSTER_ID,
          incarnationId: this.incarnationId,
          listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + this.brokerId, securityProtocol: 'PLAINTEXT' }],
          features: supportedFeatures(),
          rack: this.rack,
          previousBrokerEpoch: -1,
        })
        .then((r) => {
          if (!current()) return;
          if (r.errorCode === 0) this.epoch = r.brokerEpoch;
          else this.lastError = `register: ${r.errorCode} ${r.errorMessage ?? ''}`;
        })
        .catch((e: unknown) => {
          if (current()) this.lastError = String(e);
        })
        .finally(done);
      return;
    }
    ctrl
      .brokerHeartbeat({
        brokerId: this.brokerId,
        brokerEpoch: this.epoch,
        currentMetadataOffset: ctrl.image.provenance.endOffset,
        wantFence: false,
        wantShutDown: this.wantShutDown,
      })
      .then((r) => {
        if (!current()) return;
        if (r.errorCode !== 0) {
          this.lastError = `heartbeat: ${r.errorCode} ${r.errorMessage ?? ''}`;
          return;
        }
        this.fenced = r.isFenced;
        if (r.shouldShutDown && !this.shutDown) {
          this.shutDown = true;
          this.shutDownAtMs = this.c.nowMs();
        }
      })
      .catch((e: unknown) => {
        if (current()) this.lastError = String(e);
      })
      .finally(done);
  }
}

/** Starts brokers 1..n (racks r0.. round-robin when `racks` > 0) and waits until all are unfenced. */
export async function startBrokers(c: SimCluster, ids: readonly number[], racks = 0, boundMs = 20_000): Promise<SimBroker[]> {
  const brokers = ids.map((id, i) => new SimBroker(c, id, racks > 0 ? `r${i % racks}` : null));
  const ok = await c.waitFor(() => brokers.every((b) => !b.fenced), boundMs);
  expect(ok, `brokers not all unfenced within ${boundMs} ms: ${brokers.map((b) => `${b.brokerId}:${b.fenced ? 'fenced' : 'unfenced'} ${b.lastError ?? ''}`).join(', ')} ${c.describe()}`).toBe(true);
  return brokers;
}
