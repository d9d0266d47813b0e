// The driver's send order at a commit, on real storage and the in-process transport: the leader
// sends an observer (a broker) committed batches only, and that fetch response goes out after the
// commit is applied and its proposer answered, so that the client's answer is not queued behind
// broker wake-ups; the observer still gets the batch and applies it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger, NodeEnv, Transport } from '../../quorum/env/index.js';
import { FileQuorumStateStore } from '../../quorum/node/file-quorum-state-store.js';
import { FileSnapshotStore } from '../../quorum/node/file-snapshot-store.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { realClock } from '../../quorum/node/real-env.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { LogBatch, NodeId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { SeqRandom } from '../support/core-cluster.js';
import { waitFor } from '../support/recording-logger.js';

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function envFor(transport: Transport): Promise<NodeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-news-'));
  const log = await SegmentLogStorage.open(join(dir, 'log'), logger);
  cleanup.push(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    clock: realClock,
    random: new SeqRandom(5),
    transport,
    log,
    quorumStateStore: new FileQuorumStateStore(join(dir, 'quorum-state')),
    snapshotStore: await FileSnapshotStore.open(join(dir, 'snapshots'), logger),
    logger,
  };
}

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
    const leaderEnv = await envFor(leaderTransport);
    const append = leaderEnv.log.append.bind(leaderEnv.log);
    leaderEnv.log.append = async (batches, sync) => {
      await new Promise((r) => setTimeout(r, 30));
      return append(batches, sync);
    };
    const leader = new RaftNode(leaderEnv, raftConfig(1, [1]), new Applied());
    const observerState = new Applied();
    const observer = new RaftNode(await envFor(hub.transport(100)), raftConfig(100 as NodeId, [1]), observerState);
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
