// The driver's send order at a commit, on real storage and the in-process transport: the leader
// sends an observer (a broker) committed batches only, and that fetch response goes out after the
// commit is applied and its proposer answered, so that the client's answer is not queued behind
// broker wake-ups; the observer still gets the batch and applies it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../quorum/env/index.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { LogBatch, NodeId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { realNodeEnv } from '../support/real-node-env.js';
import { waitFor } from '../support/recording-logger.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});


class Applied {
  records: string[] = [];
  apply(batches: readonly LogBatch[]): void {
    for (const b of batches) for (const r of b.records) this.records.push(new TextDecoder().decode(r));
  }
  loadSnapshot(): void {}
}

describe('RaftNode: a commit sent to an observer', () => {
  it('(voters=1, observer) the batch goes out once committed, after the proposer is answered, and the observer applies it', async () => {
    const hub = new LocalHub();
    const events: string[] = [];
    const inner = hub.transport(1);
    const leaderTransport: Transport = {
      ...inner,
      send: (m) => {
        if (m.body.kind === 'FetchResponse' && m.to === 100) events.push(`fetch response to 100: ${m.body.batches.length} batches, high watermark ${m.body.highWatermark}`);
        inner.send(m);
      },
    };
    // The leader's own appends are slow (a single voter commits at its own flush), so the new batch
    // sits uncommitted while the observer's fetch is parked at the leader: it must stay parked
    // until the commit, which releases it with the batch.
    const leaderEnv = await realNodeEnv(cleanup, leaderTransport);
    const append = leaderEnv.log.append.bind(leaderEnv.log);
    leaderEnv.log.append = async (batches, sync) => {
      await new Promise((r) => setTimeout(r, 30));
      return append(batches, sync);
    };
    const leader = new RaftNode(leaderEnv, raftConfig(1, [1]), new Applied());
    const observerState = new Applied();
    const observer = new RaftNode(await realNodeEnv(cleanup, hub.transport(100)), raftConfig(100 as NodeId, [1]), observerState);
    cleanup.push(() => leader.stop(), () => observer.stop());
    await leader.start();
    await observer.start();
    await waitFor('a leader', () => leader.leader().leaderId === 1);
    // The observer caught up (its fetch is parked at the leader).
    await waitFor('the observer at the leader', () => observer.status().highWatermark === leader.status().highWatermark && leader.status().highWatermark > 0);
    events.length = 0;
    const committed = leader.propose([new TextEncoder().encode('x')]).then((p) => {
      events.push('proposer answered');
      return p;
    });
    const { offset } = await committed;
    await waitFor('the observer applied x', () => observerState.records.includes('x'));
    const withBatch = events.filter((e) => e.startsWith('fetch response to 100: 1 batches'));
    expect(withBatch, events.join('\n')).toEqual([`fetch response to 100: 1 batches, high watermark ${offset + 1}`]);
    expect(events.indexOf(withBatch[0]!), events.join('\n')).toBeGreaterThan(events.indexOf('proposer answered'));
    expect(events.indexOf('proposer answered')).toBeGreaterThanOrEqual(0);
  });
});
