// The active controller aborting an import session when Raft refuses the abort's append for the
// moment (back-pressure): the session must stay open, so other writes keep waiting (a write
// appended inside the still-open transaction would be dropped with it), and the abort is written
// once Raft takes it. Before, the refusal escaped the idle timer's event and stopped the controller.
// Also: an import id that is not a short string is refused before anything is opened.
// The rest of the session is tested on the simulated quorum (test/sim/controller-import.test.ts).

import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../metadata-log/records/codec.js';
import { METADATA_VERSION_FEATURE, type MetadataRecord } from '../../metadata-log/records/types.js';
import { controllerConfig } from '../../quorum/controller/config.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ControllerBusyError } from '../../quorum/controller/event-queue.js';
import { controllerLimits } from '../../quorum/controller/limits.js';
import { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { silentLogger } from '../../quorum/env/index.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { ProposalRejectedError, type AppendedProposal, type RaftClient } from '../../quorum/runtime/api.js';
import { ManualClock } from '../support/manual-clock.js';

const CLUSTER = 'import-abort-test';

/** A leader's Raft that commits every append at once (applying it to the controller), unless told to refuse. */
class InstantRaft {
  readonly log: LogBatch[] = [];
  refuse = 0;
  /** While set, appends wait here for release() instead of committing on the next turn. */
  held: (() => void)[] | null = null;
  constructor(private readonly controller: QuorumController) {}

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const commit of held) commit();
  }

  nextOffset(): number {
    const last = this.log.at(-1);
    return last === undefined ? 0 : last.baseOffset + last.records.length;
  }

  appendAll(proposals: readonly (readonly Uint8Array[])[]): AppendedProposal {
    if (this.refuse > 0) {
      this.refuse--;
      throw new ProposalRejectedError('BACKPRESSURE', 'too much appended and not yet committed');
    }
    const base = this.nextOffset();
    const batches = proposals.map((records, i) => ({ baseOffset: base + proposals.slice(0, i).reduce((n, p) => n + p.length, 0), epoch: 1, appendTimeMs: 0, records: [...records] }));
    this.log.push(...batches);
    const lastOffset = this.nextOffset() - 1;
    // Committed on the next turn, as a leader's own append is after the followers acknowledge it.
    const held = this.held;
    const acknowledged = held === null ? Promise.resolve() : new Promise<void>((resolve) => held.push(resolve));
    const committed = acknowledged.then(() => {
      this.controller.apply(batches);
      return { offset: lastOffset, epoch: 1 };
    });
    return { baseOffset: base, lastOffset, epoch: 1, committed };
  }

  leader() {
    return { epoch: 1, leaderId: 1 };
  }

  types(): string[] {
    return this.log.flatMap((b) => b.records.map((r) => decodeRecord(r).type));
  }
}

async function activeController(): Promise<{ c: QuorumController; raft: InstantRaft; clock: ManualClock }> {
  const clock = new ManualClock();
  const c = new QuorumController({ nodeId: 1, clock, random: { next: () => 0.5 }, logger: silentLogger, config: controllerConfig(CLUSTER, { noOpIntervalMs: 0 }) });
  const raft = new InstantRaft(c);
  c.raft = raft as unknown as RaftClient;
  c.onLeaderChange({ epoch: 1, leaderId: 1 });
  const first: MetadataRecord = { type: 'FeatureLevel', name: METADATA_VERSION_FEATURE, featureLevel: 7 };
  raft.log.push({ baseOffset: 0, epoch: 1, appendTimeMs: 0, records: [encodeRecord(first)] });
  c.apply(raft.log);
  await new Promise((r) => setImmediate(r));
  expect(c.isActive).toBe(true);
  return { c, raft, clock };
}

/** A write that appends a record (a cluster-wide broker config). */
const alterConfig = (c: QuorumController) =>
  c.incrementalAlterConfigs({ resources: [{ resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.ms', op: 0, value: '1000' }] }], validateOnly: false });

describe('aborting an import while Raft refuses appends for the moment', () => {
  it('the session stays open (other writes still wait), the controller goes on, and the abort is written once Raft takes it', async () => {
    const { c, raft, clock } = await activeController();
    const begun = await c.importMetadata({ step: 'begin', importId: 'quiet', clusterId: CLUSTER, allowExisting: false, totalRecords: 1 });
    expect(begun.errorCode).toBe(0);
    raft.refuse = 1;
    clock.advance(controllerLimits.importIdleTimeoutMs);
    await new Promise((r) => setImmediate(r));
    expect(raft.types()).not.toContain('AbortTransaction');
    await expect(alterConfig(c)).rejects.toBeInstanceOf(ControllerBusyError);

    clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(raft.types().slice(-2)).toEqual(['BeginTransaction', 'AbortTransaction']);
    // The controller is alive and takes writes again.
    expect(c.isActive).toBe(true);
    const before = raft.log.length;
    const r = await alterConfig(c);
    expect(r.results[0]?.errorCode, JSON.stringify(r)).toBe(0);
    expect(raft.log.length).toBe(before + 1);
  });

  it('an import id that is not a short string is refused, and nothing is opened', async () => {
    const { c, raft } = await activeController();
    for (const importId of ['', 'x'.repeat(65), 7 as unknown as string]) {
      const r = await c.importMetadata({ step: 'begin', importId, clusterId: CLUSTER, allowExisting: false, totalRecords: 1 });
      expect(r.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.errorMessage).toMatch(/1 to 64 characters/);
    }
    expect(raft.types()).not.toContain('BeginTransaction');
  });

  it('the idle wait counts from a step\'s commit: a part the quorum takes 45 s to commit is not aborted, and leaves the importer its 30 s after', async () => {
    const { c, raft, clock } = await activeController();
    expect((await c.importMetadata({ step: 'begin', importId: 'slow', clusterId: CLUSTER, allowExisting: false, totalRecords: 2 })).errorCode).toBe(0);
    raft.held = [];
    const part0 = c.importMetadata({ step: 'part', importId: 'slow', part: 0, records: [{ type: 'NoOp' }] });
    await new Promise((r) => setImmediate(r));
    clock.advance(45_000);
    await new Promise((r) => setImmediate(r));
    expect(raft.types()).not.toContain('AbortTransaction');
    raft.release();
    expect((await part0).errorCode).toBe(0);
    clock.advance(20_000); // 65 s after the part was appended, 20 s after it committed
    await new Promise((r) => setImmediate(r));
    expect(raft.types()).not.toContain('AbortTransaction');
    expect((await c.importMetadata({ step: 'part', importId: 'slow', part: 1, records: [{ type: 'NoOp' }] })).errorCode).toBe(0);
  });

  it('while an abort waits for Raft, the import goes no further: a part is told to start again, and the retry is not put off', async () => {
    const { c, raft, clock } = await activeController();
    expect((await c.importMetadata({ step: 'begin', importId: 'x', clusterId: CLUSTER, allowExisting: false, totalRecords: 1 })).errorCode).toBe(0);
    raft.refuse = 1;
    await c.importMetadata({ step: 'abort', importId: 'x', reason: 'the importer gives up' });
    expect(raft.types()).not.toContain('AbortTransaction');
    const part = await c.importMetadata({ step: 'part', importId: 'x', part: 0, records: [{ type: 'NoOp' }] });
    expect(part.errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(part.errorMessage).toMatch(/being aborted/);
    clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(raft.types().slice(-2)).toEqual(['BeginTransaction', 'AbortTransaction']);
  });
});

describe('a re-sent begin is a step (review)', () => {
  it('answered again, it restarts the idle wait: the importer, just told its session is open, is not cut off a moment later', async () => {
    const { c, raft, clock } = await activeController();
    expect((await c.importMetadata({ step: 'begin', importId: 'again', clusterId: CLUSTER, allowExisting: false, totalRecords: 1 })).errorCode).toBe(0);
    clock.advance(29_000);
    await new Promise((r) => setImmediate(r));
    const again = await c.importMetadata({ step: 'begin', importId: 'again', clusterId: CLUSTER, allowExisting: false, totalRecords: 1 });
    expect(again.errorCode).toBe(0);
    clock.advance(2_000); // 2 s after the importer was told (again) that its session is open
    await new Promise((r) => setImmediate(r));
    expect(raft.types()).not.toContain('AbortTransaction');
    expect((await c.importMetadata({ step: 'part', importId: 'again', part: 0, records: [{ type: 'NoOp' }] })).errorCode).toBe(0);
  });
});
