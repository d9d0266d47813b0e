// The active controller aborting an import session when Raft refuses the abort's append for the
// moment (back-pressure): the session must stay open, so other writes keep waiting (a write
// appended inside the still-open transaction would be dropped with it), and the abort is written
// once Raft takes it. Before, the refusal escaped the idle timer's event and stopped the controller.
// Also: an import id that is not a short string is refused before anything is opened.
// The rest of the session is tested on the simulated quorum (test/sim/controller-import.test.ts).

import { describe, expect, it } from 'vitest';
import type { QuorumController } from '../../quorum/controller/quorum-controller.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ControllerBusyError } from '../../quorum/controller/event-queue.js';
import { controllerLimits } from '../../quorum/controller/limits.js';
import { activeController } from '../support/instant-raft.js';

const CLUSTER = 'import-abort-test';

/** A write that appends a record (a cluster-wide broker config). */
const alterConfig = (c: QuorumController) =>
  c.incrementalAlterConfigs({ resources: [{ resourceType: 'broker', resourceName: '', configs: [{ name: 'log.retention.ms', op: 0, value: '1000' }] }], validateOnly: false });

describe('aborting an import while Raft refuses appends for the moment', () => {
  it('the session stays open (other writes still wait), the controller goes on, and the abort is written once Raft takes it', async () => {
    const { c, raft, clock } = await activeController(CLUSTER);
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
    const { c, raft } = await activeController(CLUSTER);
    for (const importId of ['', 'x'.repeat(65), 7 as unknown as string]) {
      const r = await c.importMetadata({ step: 'begin', importId, clusterId: CLUSTER, allowExisting: false, totalRecords: 1 });
      expect(r.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(r.errorMessage).toMatch(/1 to 64 characters/);
    }
    expect(raft.types()).not.toContain('BeginTransaction');
  });

  it('the idle wait counts from a step\'s commit: a part the quorum takes 45 s to commit is not aborted, and leaves the importer its 30 s after', async () => {
    const { c, raft, clock } = await activeController(CLUSTER);
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
    const { c, raft, clock } = await activeController(CLUSTER);
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
    const { c, raft, clock } = await activeController(CLUSTER);
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
