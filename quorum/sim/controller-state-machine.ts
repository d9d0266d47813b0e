// The quorum controller as a simulated node's state machine: the real QuorumController, plus what
// the cluster's checker needs. Each applied record is reported as a 32-bit hash of its bytes (so
// the Raft invariants compare committed prefixes across nodes as they do for the test state
// machine), and after every applied batch the committed image is checked with the metadata
// invariants (quorum/sim/metadata-invariants.ts), alone and against the image before it, and
// (given the cluster's ImageAgreement) against every other node's image at the same end offset.

import type { NodeEnv } from '../env/index.js';
import type { LeaderInfo, LogBatch, SnapshotId } from '../raft/types.js';
import type { RaftClient } from '../runtime/api.js';
import { QuorumController } from '../controller/quorum-controller.js';
import type { ControllerConfig } from '../controller/config.js';
import { FNV_OFFSET_BASIS, fnv1a } from './fnv.js';
import type { ImageAgreement } from './image-agreement.js';
import { checkImage, checkImageStep } from './metadata-invariants.js';
import type { SimStateMachine, StateMachineHooks } from './test-state-machine.js';

/** FNV-1a over the record's bytes: a record's identity for the committed-prefix checks. */
export function recordHash(bytes: Uint8Array): number {
  return fnv1a(FNV_OFFSET_BASIS, bytes);
}

export class ControllerStateMachine implements SimStateMachine {
  readonly controller: QuorumController;
  /** Hash per applied offset (null for control records); sparse below a loaded snapshot. */
  private readonly values: (number | null)[] = [];
  private end = 0;
  snapshotsLoaded = 0;

  constructor(
    readonly nodeId: number,
    env: NodeEnv,
    private readonly hooks: StateMachineHooks,
    config: ControllerConfig,
    /** The cluster's cross-node check of committed images (image-agreement.ts), when it keeps one. */
    private readonly agreement?: ImageAgreement,
  ) {
    this.controller = new QuorumController({
      nodeId,
      clock: env.clock,
      random: env.random,
      logger: env.logger,
      config,
      onFatal: (e) => hooks.onViolation(`node ${nodeId}: the controller stopped on a fatal error: ${e instanceof Error ? e.message : String(e)}`),
      verifyRecords: true,
    });
  }

  get client(): RaftClient | undefined {
    return this.controller.raft;
  }

  set client(client: RaftClient | undefined) {
    this.controller.raft = client;
  }

  get appliedEnd(): number {
    return this.end;
  }

  valueAt(offset: number): number | null | undefined {
    return this.values[offset];
  }

  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) {
      if (b.baseOffset !== this.end) {
        this.hooks.onViolation(`node ${this.nodeId}: apply of batch at ${b.baseOffset} but ${this.end} applied so far`);
        return;
      }
      if (b.control !== undefined) {
        this.push(b.baseOffset, b.epoch, null);
        continue;
      }
      b.records.forEach((r, i) => this.push(b.baseOffset + i, b.epoch, recordHash(r)));
    }
    const before = this.controller.image;
    this.controller.apply(batches);
    const after = this.controller.image;
    if (after !== before) this.report([...checkImage(after), ...checkImageStep(before, after), ...this.agrees()]);
  }

  loadSnapshot(snapshotId: SnapshotId, bytes: Uint8Array): void {
    this.controller.loadSnapshot(snapshotId, bytes);
    this.values.length = 0;
    this.end = snapshotId.endOffset;
    this.snapshotsLoaded++;
    this.hooks.onLoadSnapshot(snapshotId, [], []);
    this.report([...checkImage(this.controller.image), ...this.agrees()]);
  }

  /** The committed image against the other nodes' at its end offset. */
  private agrees(): string[] {
    const v = this.agreement?.check(this.nodeId, this.controller.image) ?? null;
    return v === null ? [] : [v];
  }

  onLeaderChange(leader: LeaderInfo): void {
    this.controller.onLeaderChange(leader);
  }

  private push(offset: number, epoch: number, value: number | null): void {
    this.values[offset] = value;
    this.end = offset + 1;
    this.hooks.onApply(offset, epoch, value);
  }

  private report(violations: readonly string[]): void {
    for (const v of violations) this.hooks.onViolation(`node ${this.nodeId}: ${v}`);
  }
}
