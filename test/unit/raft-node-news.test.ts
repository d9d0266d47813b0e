// The driver's send order at a commit, on real storage and the in-process transport: the leader
// sends an observer (a broker) committed batches only, and that fetch response goes out after the
// commit is applied and its proposer answered, so that the client's answer is not queued behind
// broker wake-ups; the observer still gets the batch and applies it. While the leader has a Ready
// under way the answer waits for it to end, at most limits.observerNewsHoldMaxMs.
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../quorum/env/index.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { LogBatch, NodeId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { limits } from '../../quorum/limits.js';
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

  /**
   * A single voter with an observer: A is proposed, and B while A's append (slow: appendMs[0]) is in
   * flight, so A is committed and answered while B's Ready (its append appendMs[1]) is under way.
   * Returns the leader's sends and answers, timed.
   */
  async function newsDuringTheNextReady(appendMs: readonly [number, number]) {
    const hub = new LocalHub();
    const events: { at: number; what: string }[] = [];
    const note = (what: string) => events.push({ at: performance.now(), what });
    const inner = hub.transport(1);
    const leaderTransport: Transport = {
      ...inner,
      send: (m) => {
        if (m.body.kind === 'FetchResponse' && m.to === 100 && m.body.batches.length > 0) note(`news: ${m.body.batches.map((b) => b.baseOffset).join(',')}`);
        inner.send(m);
      },
    };
    const leaderEnv = await realNodeEnv(cleanup, leaderTransport);
    const append = leaderEnv.log.append.bind(leaderEnv.log);
    const appendsStarted: (() => void)[] = [];
    const delays = [...appendMs];
    const leader = new RaftNode(leaderEnv, raftConfig(1, [1]), new Applied());
    const observerState = new Applied();
    const observer = new RaftNode(await realNodeEnv(cleanup, hub.transport(100)), raftConfig(100 as NodeId, [1]), observerState);
    cleanup.push(() => leader.stop(), () => observer.stop());
    await leader.start();
    await observer.start();
    await waitFor('a leader', () => leader.leader().leaderId === 1);
    await waitFor('the observer at the leader', () => observer.status().highWatermark === leader.status().highWatermark && leader.status().highWatermark > 0);
    leaderEnv.log.append = async (batches, sync) => {
      for (const started of appendsStarted.splice(0)) started();
      if (batches.length > 0) await new Promise((r) => setTimeout(r, delays.shift() ?? 0));
      if (batches.length > 0) note(`appended ${batches.map((b) => b.baseOffset).join(',')}`);
      return append(batches, sync);
    };
    events.length = 0;
    const aAppending = new Promise<void>((r) => appendsStarted.push(r));
    const a = leader.propose([new TextEncoder().encode('a')]).then((p) => (note('a answered'), p));
    await aAppending;
    const b = leader.propose([new TextEncoder().encode('b')]).then((p) => (note('b answered'), p));
    const [posA] = await Promise.all([a, b]);
    await waitFor('the observer applied a and b', () => ['a', 'b'].every((r) => observerState.records.includes(r)));
    const at = (what: string) => events.find((e) => e.what === what)?.at ?? NaN;
    return {
      log: events.map((e) => `${e.at.toFixed(1)} ${e.what}`).join('\n'),
      at,
      posA,
      newsA: events.find((e) => e.what.startsWith('news: ') && e.what.split(': ')[1]!.split(',').includes(String(posA.offset))),
    };
  }

  it('(voters=1, observer) while a Ready is under way the news waits, but no longer than observerNewsHoldMaxMs', async () => {
    // B's append takes 100 ms: its Ready is under way from A's answer for far longer than the hold.
    const { log, at, posA, newsA } = await newsDuringTheNextReady([40, 100]);
    expect(newsA, log).toBeDefined();
    // Held while B's Ready was under way (not sent on the turn after A's answer) ...
    expect(newsA!.at - at('a answered'), log).toBeGreaterThanOrEqual(limits.observerNewsHoldMaxMs - 1);
    // ... but not until that Ready ended: the hold has a bound.
    expect(newsA!.at, log).toBeLessThan(at(`appended ${posA.offset + 1}`));
  });

  it('(voters=1, observer) the news held goes as soon as the loop is idle, before the hold ends', async () => {
    // B's Ready is quick (a plain append and fsync): the loop goes idle before the hold ends, and
    // sends A's news then, before B's answer; only a slow fsync (over the hold) lets the hold send it.
    const { log, at, newsA } = await newsDuringTheNextReady([40, 0]);
    expect(newsA, log).toBeDefined();
    expect(newsA!.at, log).toBeLessThan(at('b answered'));
  });
});
