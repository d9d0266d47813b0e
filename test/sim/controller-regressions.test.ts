// Controller bugs found in review, each a named, seeded scenario on the simulator. Both lower the
// quorum's back-pressure bound (limits.uncommittedRecordsMax) for the test, and restore it.

import { afterEach, describe, expect, it } from 'vitest';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { ControllerBusyError } from '../../quorum/controller/event-queue.js';
import { limits } from '../../quorum/limits.js';
import { activeController, callController, callOnce, controllerOf, expectActiveController, startControllerCluster } from '../support/controller-sim.js';
import { expectClean, report, TEST_TIMEOUT_MS } from '../support/sim-scenario.js';

const mutableLimits = limits as { uncommittedRecordsMax: number };
const originalUncommittedMax = limits.uncommittedRecordsMax;

afterEach(() => {
  mutableLimits.uncommittedRecordsMax = originalUncommittedMax;
});

const retentionConfig = (value: string): MetadataRecord => ({ type: 'Config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value });

describe('controller regressions', () => {
  it('(seed 1) a large operation is appended whole or refused whole: back-pressure never leaves a transaction open', async () => {
    // Before: parts were appended one by one; back-pressure refused a later part (and the abort
    // after it), leaving a Begin that swallowed every later acknowledged write.
    mutableLimits.uncommittedRecordsMax = 6;
    const c = await startControllerCluster({ seed: 1, voters: 3 }, () => ({ maxRecordsPerOperation: 4, noOpIntervalMs: 0 }));
    const id = await expectActiveController(c);
    await c.runFor(2000);
    const big = await callOnce(c, (q) => q.runOp('big', () => ({ records: Array.from({ length: 14 }, (): MetadataRecord => ({ type: 'NoOp' })), response: 'big' })));
    expect(big, report(c)).toEqual({ ok: 'big' });
    // Right after it, the backlog is over the bound: a small write is refused as busy (retriable)...
    const refused = await callOnce(c, (q) => {
      const p = q.runOp('small', () => ({ records: [retentionConfig('41')], response: 'acked' }));
      return p;
    });
    if ('ok' in refused) expect(controllerOf(c, id)!.image.configs('broker', '').get('log.retention.ms')).toBe('41');
    else if ('error' in refused) expect(refused.error).toBeInstanceOf(ControllerBusyError);
    // ...and once it drains, an acknowledged write is visible in every committed image.
    await c.runFor(1000);
    expect(await callController(c, (q) => q.runOp('small', () => ({ records: [retentionConfig('42')], response: 'acked' })))).toBe('acked');
    for (const n of c.liveNodes()) {
      await c.waitFor(() => controllerOf(c, n.id)!.image.configs('broker', '').get('log.retention.ms') === '42', 5000);
      expect(controllerOf(c, n.id)!.image.configs('broker', '').get('log.retention.ms'), `node ${n.id}: ${report(c)}`).toBe('42');
    }
    expectClean(c);
  }, TEST_TIMEOUT_MS);

  it('(voters=1, seed 1) back-pressure on a periodic task defers it; the controller stays alive and active', async () => {
    // Before: a BACKPRESSURE refusal of the NoOp was treated as a programmer error: the controller
    // went fatal while Raft kept leading, so the cluster had no active controller, forever.
    mutableLimits.uncommittedRecordsMax = 2;
    const c = await startControllerCluster({ seed: 1, voters: 1 });
    const id = await expectActiveController(c);
    await c.runFor(1000);
    c.node(id).disk.setKnobs({ fsyncLatencyMinMs: 4000, fsyncLatencyMaxMs: 4000 }); // the high watermark stalls
    await c.runFor(6000);
    c.restoreDisk(id);
    await c.runFor(10_000);
    expect(c.violations.filter((v) => v.includes('fatal')), report(c)).toEqual([]);
    expect(activeController(c)?.id, report(c)).toBe(id);
    const r = await callController(c, (q) => q.createTopics({ topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false }));
    expect(r.topics[0]?.errorCode).not.toBeUndefined();
    expectClean(c);
  }, TEST_TIMEOUT_MS);
});
