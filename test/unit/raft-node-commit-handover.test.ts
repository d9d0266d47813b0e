// When a Ready's own flush is what commits (a single voter; or a leader whose followers
// acknowledged before its fsync ended), the commit is handed over as soon as that Ready ends, in
// the light lane, not bundled into the next Ready, whose hand-over waits for its own append and
// fsync: under a stream of proposals every commit would otherwise wait one more fsync.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { LogBatch } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { realNodeEnv } from '../support/real-node-env.js';
import { waitFor } from '../support/recording-logger.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const noState = { apply(_batches: readonly LogBatch[]): void {}, loadSnapshot(): void {} };

describe('RaftNode: a commit its own Ready made durable', () => {
  it('(voters=1) is answered before the next Ready, already appending, ends', async () => {
    const events: string[] = [];
    const env = await realNodeEnv(cleanup, new LocalHub().transport(1));
    const append = env.log.append.bind(env.log);
    const appendsStarted: (() => void)[] = [];
    // Every append takes 40 ms, so the next Ready's append is under way long after A is durable.
    env.log.append = async (batches, sync) => {
      for (const started of appendsStarted.splice(0)) started();
      const offsets = batches.map((b) => b.baseOffset).join(',');
      await new Promise((r) => setTimeout(r, 40));
      await append(batches, sync);
      if (offsets !== '') events.push(`appended ${offsets}`);
    };
    const node = new RaftNode(env, raftConfig(1, [1]), noState);
    cleanup.push(() => node.stop());
    await node.start();
    await waitFor('a leader', () => node.leader().leaderId === 1);
    await waitFor('idle', () => node.status().highWatermark === node.status().logEndOffset);
    events.length = 0;
    const aAppending = new Promise<void>((r) => appendsStarted.push(r));
    const a = node.propose([new TextEncoder().encode('a')]).then((p) => (events.push(`answered ${p.offset}`), p));
    await aAppending;
    // B is proposed while A's append is in flight: its own Ready starts when A's ends.
    const b = node.propose([new TextEncoder().encode('b')]).then((p) => (events.push(`answered ${p.offset}`), p));
    const [posA, posB] = await Promise.all([a, b]);
    expect(events, events.join('\n')).toEqual([`appended ${posA.offset}`, `answered ${posA.offset}`, `appended ${posB.offset}`, `answered ${posB.offset}`]);
  });
});
