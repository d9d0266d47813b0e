// The Raft core driven directly (no driver, no I/O): elections, replication, commit, and bad
// input answered as values rather than crashes.
import { describe, expect, it } from 'vitest';
import { CoreCluster, bytes } from '../support/core-cluster.js';
import { limits } from '../../quorum/limits.js';
import { raftConfig } from '../../quorum/raft/config.js';
import { receiveRaftMessage } from '../../quorum/net/raft-wire.js';
import type { RaftMessage, RaftMessageBody, Ready } from '../../quorum/raft/types.js';

function electedCluster(voters = [1, 2, 3], observers: number[] = []): { c: CoreCluster; leader: number } {
  const c = new CoreCluster(voters, observers);
  c.run(5_000);
  const leaders = c.leaders();
  expect(leaders).toHaveLength(1);
  return { c, leader: leaders[0]! };
}

function dataRecords(n: { applied: { control?: unknown; records: readonly Uint8Array[] }[] }): string[] {
  return n.applied.filter((b) => b.control === undefined).flatMap((b) => b.records.map((r) => new TextDecoder().decode(r)));
}

describe('raft core: elections and replication', () => {
  it('(voters=1) a lone voter elects itself and commits', () => {
    const c = new CoreCluster([1]);
    c.run(100);
    expect(c.leaders()).toEqual([1]);
    const r = c.node(1).core.propose([bytes('a')], c.nowMs);
    expect(r.ok).toBe(true);
    c.run(10);
    expect(dataRecords(c.node(1))).toEqual(['a']);
  });

  it('(voters=3) elects one leader, which commits its LeaderChange and then data on every node', () => {
    const { c, leader } = electedCluster();
    const epoch = c.node(leader).core.leader().epoch;
    expect(epoch).toBeGreaterThanOrEqual(1);
    for (const id of [1, 2, 3]) expect(c.node(id).core.leader()).toEqual({ epoch, leaderId: leader });
    const r = c.node(leader).core.propose([bytes('x'), bytes('y')], c.nowMs);
    expect(r).toMatchObject({ ok: true, epoch });
    c.run(1_000);
    for (const id of [1, 2, 3]) expect(dataRecords(c.node(id))).toEqual(['x', 'y']);
    // The first committed batch of the epoch is the leader's LeaderChange control record.
    expect(c.node(leader).applied.some((b) => b.control?.type === 'leaderChange' && b.epoch === epoch)).toBe(true);
  });

  it('(voters=3, observers=1) an observer finds the leader, replicates, and never votes', () => {
    const { c, leader } = electedCluster([1, 2, 3], [100]);
    c.node(leader).core.propose([bytes('o')], c.nowMs);
    c.run(1_000);
    expect(dataRecords(c.node(100))).toEqual(['o']);
    expect(c.node(100).core.role).toBe('Follower');
    expect(c.node(100).core.persistedState().votedId).toBeNull();
  });

  it("(voters=3, observers=1) an observer's fetches carry its data directory: the leader's replica state shows it, and it never counts", () => {
    const observerDirectory = 'hN1o3v0aQpWm1fCz2bKx4g';
    class WithObserverDirectory extends CoreCluster {
      override config(id: number) {
        return id === 100 ? { ...super.config(id), directoryId: observerDirectory } : super.config(id);
      }
    }
    const c = new WithObserverDirectory([1, 2, 3], [100]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    c.node(leader).core.propose([bytes('o')], c.nowMs);
    c.run(1_000);
    expect(dataRecords(c.node(100))).toEqual(['o']);
    expect(c.node(leader).core.replicaStates().get(100)?.directoryId).toBe(observerDirectory);
    expect(c.node(100).core.persistedState().votedId).toBeNull();
  });

  it('(voters=3, observers=1) an observer that loses its connection to the leader asks the next voter at once', () => {
    const { c, leader } = electedCluster([1, 2, 3], [100]);
    c.run(1_000);
    expect(c.node(100).core.leader().leaderId).toBe(leader);
    c.takeQueued(leader);
    c.node(100).core.step({ type: 'peerDisconnected', nodeId: leader }, c.nowMs);
    expect(c.node(100).core.role).toBe('Unattached');
    expect(c.node(100).core.leader().leaderId).toBeNull();
    c.drain();
    const asked = [1, 2, 3].filter((id) => c.takeQueued(id).some((m) => m.from === 100 && m.body.kind === 'FetchRequest'));
    // Not the lost leader: the voter after it in the voter list.
    expect(asked).toEqual([(leader % 3) + 1]);
  });

  it('(voters=3, observers=1) an observer whose leader goes silent (hung: no disconnect) asks the other voters first at its fetch timeout', () => {
    for (let trial = 0; trial < 6; trial++) {
      const { c, leader } = electedCluster([1, 2, 3], [100]);
      c.run(1_000 + trial * 37); // a different point in the fetch rhythm each time
      expect(c.node(100).core.leader().leaderId).toBe(leader);
      // Nothing reaches the leader or comes from it, and no connection closes. Record whom the
      // observer asks once it has given up on the leader.
      const asked: number[] = [];
      c.filter = (m) => {
        if (m.from === 100 && m.body.kind === 'FetchRequest' && c.node(100).core.role === 'Unattached') asked.push(m.to);
        return m.from !== leader && m.to !== leader;
      };
      c.run(6_000, 1);
      // The hung leader is not asked first (asked, it would hold the observer for a request timeout).
      expect(asked.length).toBeGreaterThan(0);
      expect(asked[0]).not.toBe(leader);
      const next = c.leaders().filter((id) => id !== leader);
      expect(c.node(100).core.leader().leaderId).toBe(next[0]);
    }
  });

  it('(voters=3, observers=1) an observer that lost its leader is not sent back to it by a voter that has not noticed yet, and follows the next leader', () => {
    const { c, leader } = electedCluster([1, 2, 3], [100]);
    c.run(1_000);
    const epoch = c.node(100).core.leader().epoch;
    // The leader's process is gone: nothing reaches it or comes from it. The voters notice only at
    // their fetch timeout, and until then they answer the observer naming it.
    c.filter = (m) => m.from !== leader && m.to !== leader;
    c.node(100).core.step({ type: 'peerDisconnected', nodeId: leader }, c.nowMs);
    c.run(500);
    const named = c.node(100).core.leader();
    expect(named.leaderId === leader && named.epoch === epoch).toBe(false);
    c.run(5_000);
    const next = c.leaders().filter((id) => id !== leader);
    expect(next).toHaveLength(1);
    expect(c.node(100).core.leader().leaderId).toBe(next[0]);
    c.node(next[0]!).core.propose([bytes('after')], c.nowMs);
    c.run(1_000);
    expect(dataRecords(c.node(100))).toContain('after');
  });

  it('(voters=1, observers=1) an observer looking for the leader over a slow link (every answer 600 ms late: more than a quarter of the request timeout) still finds it and follows it', () => {
    const { c, leader } = electedCluster([1], [100]);
    c.run(1_000);
    expect(c.node(100).core.leader().leaderId).toBe(leader);
    // The leader pauses (its connection stays open) past the observer's fetch timeout and the
    // half fetch timeout it then shuns the leader: the observer looks for the leader again, in
    // the same epoch (a lone voter keeps it).
    c.filter = () => false;
    c.run(4_000);
    expect(c.node(100).core.role).toBe('Unattached');
    // Back, but its answers reach the observer 600 ms after they leave: each comes after the
    // observer gave up on that fetch (requestTimeoutMs / 4) and asked again.
    const late: { atMs: number; m: RaftMessage }[] = [];
    c.filter = (m) => {
      if (m.from !== leader || m.to !== 100) return true;
      late.push({ atMs: c.nowMs + 600, m });
      return false;
    };
    // Runs the cluster for `ms`, handing over each held answer when its time comes.
    const runDeliveringLate = (ms: number): void => {
      for (let t = 0; t < ms; t += 10) {
        c.run(10);
        while (late.length > 0 && late[0]!.atMs <= c.nowMs) {
          const { m } = late.shift()!;
          c.inject(m.from, m.to, m.body);
          c.deliver();
        }
      }
    };
    runDeliveringLate(6_000);
    expect(c.node(100).core.role).toBe('Follower');
    expect(c.node(100).core.leader().leaderId).toBe(leader);
    c.node(leader).core.propose([bytes('slow')], c.nowMs);
    runDeliveringLate(3_000);
    expect(dataRecords(c.node(100))).toContain('slow');
  });

  it('(voters=5) a voter whose elections keep being refused backs off a random time each round, not always electionBackoffMaxMs: candidates that lost together stood together again, so over a slow link (one-way 450 ms) they split every vote for 30 s', () => {
    const c = new CoreCluster([1, 2, 3, 4, 5]);
    for (const id of [2, 3, 4, 5]) c.node(id).up = false; // node 1 hears only what the test hands it
    const core = c.node(1).core;
    const maxMs = raftConfig(1, [1, 2, 3, 4, 5]).electionBackoffMaxMs;
    const backoffs: number[] = [];
    for (let round = 0; round < 16; round++) {
      while (core.role !== 'Prospective') c.run(10);
      const epoch = core.leader().epoch;
      for (const v of [2, 3]) c.inject(v, 1, { kind: 'VoteResponse', error: 'NONE', epoch, leaderId: null, granted: true, preVote: true });
      expect(core.role).toBe('Candidate');
      // Refused by a majority (the other candidates, and a voter that voted for one of them).
      for (const v of [2, 3, 4]) c.inject(v, 1, { kind: 'VoteResponse', error: 'NONE', epoch: epoch + 1, leaderId: null, granted: false, preVote: false });
      // A backoff of 0 has it stand again at once.
      // (role read through a widening alias: TypeScript kept the narrowing of the loop above)
      const roleNow: string = core.role;
      backoffs.push(roleNow === 'Unattached' ? core.nextDeadlineMs() - c.nowMs : 0);
    }
    // Once the exponential window reaches the cap, min(100 ms x rand(2^retries), cap) is the cap
    // nearly every time: candidates that lost in the same round (their refusals arrive together)
    // all waited exactly electionBackoffMaxMs and stood together again, every round; only a
    // one-way delay shorter than the drift of their clocks let one of them get ahead.
    const late = backoffs.slice(8);
    expect(late.every((ms) => ms >= 0 && ms <= maxMs), backoffs.join(', ')).toBe(true);
    expect(new Set(late).size, backoffs.join(', ')).toBeGreaterThan(late.length / 2);
    expect(Math.max(...late) - Math.min(...late), backoffs.join(', ')).toBeGreaterThan(maxMs / 4);
  });

  it('(voters=3) leader partitioned away: the others elect a new leader that commits; the old one resigns', () => {
    const { c, leader } = electedCluster();
    c.filter = (m) => m.from !== leader && m.to !== leader;
    c.run(8_000);
    const others = c.leaders().filter((id) => id !== leader);
    expect(others).toHaveLength(1);
    const newLeader = others[0]!;
    expect(c.node(leader).core.role).not.toBe('Leader'); // check-quorum made it resign
    c.node(newLeader).core.propose([bytes('after')], c.nowMs);
    c.run(1_000);
    expect(dataRecords(c.node(newLeader))).toContain('after');
    c.filter = () => true;
    c.run(5_000);
    expect(dataRecords(c.node(leader))).toContain('after');
  });

  it('(voters=3) an isolated leader that resigned and stands again (Prospective) reports no leader, not itself; propose hints at nobody', () => {
    const { c, leader } = electedCluster();
    c.filter = (m) => m.from !== leader && m.to !== leader;
    const n = c.node(leader);
    let prospectiveMs = 0;
    for (let t = 0; t < 8_000; t += 10) {
      c.run(10);
      if (n.core.role !== 'Prospective') continue;
      prospectiveMs += 10;
      expect(n.core.leader().leaderId).toBeNull();
      expect(n.core.propose([bytes('x')], c.nowMs)).toMatchObject({ ok: false, error: 'NOT_LEADER', leader: { leaderId: null } });
    }
    expect(prospectiveMs).toBeGreaterThan(0);
  });

  it('(voters=3) an isolated leader with a minority commits nothing', () => {
    const { c, leader } = electedCluster();
    const before = c.node(leader).core.inspect().highWatermark;
    c.filter = (m) => m.from !== leader && m.to !== leader;
    const r = c.node(leader).core.propose([bytes('lost')], c.nowMs);
    expect(r.ok).toBe(true);
    c.run(2_000);
    expect(c.node(leader).core.inspect().highWatermark).toBe(before);
    expect(dataRecords(c.node(leader))).not.toContain('lost');
  });

  it('a leader restarted from disk comes back Resigned and never leads its old epoch again (KAFKA-10527)', () => {
    const { c, leader } = electedCluster();
    const epoch = c.node(leader).core.leader().epoch;
    const restarted = c.restart(leader);
    expect(restarted.core.role).toBe('Resigned');
    expect(restarted.core.leader().epoch).toBe(epoch);
    c.run(10_000);
    for (const [, n] of c.nodes) {
      if (n.core.role === 'Leader') expect(n.core.leader().epoch).toBeGreaterThan(epoch);
    }
  });

  it('(voters=1) a lone voter restarted after leading comes back Resigned and at once leads a new epoch (Kafka: it stands at once)', () => {
    const c = new CoreCluster([1]);
    c.run(100);
    const epoch = c.node(1).core.leader().epoch;
    expect(c.leaders()).toEqual([1]);
    const restarted = c.restart(1);
    expect(restarted.core.role).toBe('Resigned');
    // Well under the election timeout: without the shortcut the first deadline is at least that far.
    c.run(1);
    expect(c.leaders()).toEqual([1]);
    expect(restarted.core.leader().epoch).toBe(epoch + 1);
    expect(c.config(1).electionTimeoutMs).toBeGreaterThan(1);
  });

  it('graceful resign sends EndQuorumEpoch and the best-placed follower takes over quickly', () => {
    const { c, leader } = electedCluster();
    const epoch = c.node(leader).core.leader().epoch;
    c.node(leader).core.step({ type: 'resign' }, c.nowMs);
    c.drain();
    expect(c.queue.filter((m) => m.body.kind === 'EndQuorumEpochRequest')).toHaveLength(2);
    c.run(600);
    const next = c.leaders();
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(leader);
    expect(c.node(next[0]!).core.leader().epoch).toBe(epoch + 1);
  });

  it('read barrier: the leader confirms a quorum round before answering', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    core.step({ type: 'readBarrier', readId: 7 }, c.nowMs);
    let rd = core.ready();
    expect(rd?.readsReady ?? []).toEqual([]);
    if (rd) core.advance(rd, c.nowMs);
    c.queue.push(...(rd?.messages ?? []));
    let confirmed: { readId: number; offset: number }[] = [];
    for (let i = 0; i < 20 && confirmed.length === 0; i++) {
      const m = c.queue.shift();
      if (m === undefined) break;
      c.nodes.get(m.to)!.core.step({ type: 'receive', message: m }, c.nowMs);
      for (const [id, n] of c.nodes) {
        for (rd = n.core.ready(); rd; rd = n.core.ready()) {
          c.queue.push(...rd.messages);
          if (id === leader) confirmed = confirmed.concat(rd.readsReady);
          n.core.advance(rd, c.nowMs);
        }
      }
    }
    expect(confirmed).toEqual([{ readId: 7, offset: core.inspect().highWatermark }]);
  });

  it('read barrier on an isolated leader is never confirmed, and fails once it resigns', () => {
    const { c, leader } = electedCluster();
    c.filter = (m) => m.from !== leader && m.to !== leader;
    const core = c.node(leader).core;
    core.step({ type: 'readBarrier', readId: 1 }, c.nowMs);
    const ready: number[] = [];
    const failed: number[] = [];
    for (let t = 0; t < 50; t++) {
      c.nowMs += 100;
      core.step({ type: 'tick' }, c.nowMs);
      for (let rd = core.ready(); rd; rd = core.ready()) {
        ready.push(...rd.readsReady.map((r) => r.readId));
        failed.push(...rd.readsFailed.map((r) => r.readId));
        // Leaving the leadership: the failure names no leader, not the node that just gave it up.
        for (const r of rd.readsFailed) expect(r.leader.leaderId).toBeNull();
        core.advance(rd, c.nowMs);
      }
    }
    expect(ready).toEqual([]);
    expect(failed).toEqual([1]);
    expect(c.node(leader).core.localView().leaderId).toBeNull();
  });
});

describe('raft core: batch append time', () => {
  it('is the clock plus appendTimeOriginMs, in whole ms (a real node: wall-clock ms since the epoch); the clock alone by default', () => {
    const origin = 1_790_000_000_000.4;
    for (const [c, offset] of [
      [new CoreCluster([1, 2, 3], [], { appendTimeOriginMs: origin }), origin],
      [new CoreCluster([1, 2, 3]), 0],
    ] as const) {
      c.run(5_000);
      const leader = c.leaders()[0]!;
      const proposedAt = c.nowMs;
      expect(c.node(leader).core.propose([bytes('t')], proposedAt)).toMatchObject({ ok: true });
      c.run(1_000);
      const batch = c.node(leader).applied.find((b) => b.control === undefined)!;
      // Stamped when the batch is cut (the core's next step after the proposal), within the run.
      expect(batch.appendTimeMs).toBeGreaterThanOrEqual(Math.round(proposedAt + offset));
      expect(batch.appendTimeMs).toBeLessThanOrEqual(Math.round(proposedAt + offset) + 1_000);
      for (const b of c.node(leader).applied) expect(Number.isInteger(b.appendTimeMs)).toBe(true);
    }
  });
});

describe('raft core: bad input is a value, never a crash', () => {
  it('a vote request from an unknown node is refused with UNKNOWN_NODE', () => {
    const { c, leader } = electedCluster();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    c.inject(99, follower, { kind: 'VoteRequest', epoch: 50, candidateId: 99, lastEpoch: 50, endOffset: 1000, preVote: false });
    const answer = c.takeQueued(99);
    expect(answer[0]?.body).toMatchObject({ kind: 'VoteResponse', granted: false, error: 'UNKNOWN_NODE' });
    expect(c.node(follower).core.leader().epoch).toBeLessThan(50);
  });

  it('a vote request with a stale epoch is refused and changes nothing', () => {
    const { c, leader } = electedCluster();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const before = c.node(follower).core.persistedState();
    const other = [1, 2, 3].find((id) => id !== leader && id !== follower)!;
    c.inject(other, follower, { kind: 'VoteRequest', epoch: before.epoch - 1, candidateId: other, lastEpoch: 0, endOffset: 0, preVote: false });
    expect(c.takeQueued(other)[0]?.body).toMatchObject({ granted: false, epoch: before.epoch });
    expect(c.node(follower).core.persistedState()).toEqual(before);
  });

  it('a fetch with a stale epoch gets FENCED_LEADER_EPOCH and the current leader', () => {
    const { c, leader } = electedCluster();
    const epoch = c.node(leader).core.leader().epoch;
    c.inject(2 === leader ? 3 : 2, leader, { kind: 'FetchRequest', fetchId: 1, epoch: epoch - 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0, readRound: 0 });
    const answer = c.takeQueued(2 === leader ? 3 : 2).find((m) => m.body.kind === 'FetchResponse');
    expect(answer?.body).toMatchObject({ error: 'FENCED_LEADER_EPOCH', epoch, leaderId: leader });
  });

  it('a fetch offset past the end is answered with a divergence to the leader end, not a crash', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const epoch = core.leader().epoch;
    const peer = leader === 1 ? 2 : 1;
    c.inject(peer, leader, { kind: 'FetchRequest', fetchId: 9, epoch, fetchOffset: 1_000_000, lastFetchedEpoch: epoch, maxWaitMs: 0, readRound: 0 });
    const answer = c.takeQueued(peer).find((m) => m.body.kind === 'FetchResponse');
    expect(answer?.body).toMatchObject({ error: 'NONE', divergingEpoch: { epoch, endOffset: core.inspect().logEndOffset } });
  });

  it('a fetch offset before the log start is redirected to the snapshot that replaced it', () => {
    const c = new CoreCluster([1], [], { snapshotsRetained: 1 });
    c.run(100);
    const core = c.node(1).core;
    const r = core.propose([bytes('a'), bytes('b')], c.nowMs);
    c.run(10);
    expect(r.ok).toBe(true);
    const id = core.snapshotIdAt(core.inspect().appliedOffset);
    core.step({ type: 'snapshotTaken', snapshotId: id }, c.nowMs);
    c.drain();
    expect(core.inspect().logStartOffset).toBe(id.endOffset);
    c.inject(100, 1, { kind: 'FetchRequest', fetchId: 3, epoch: core.leader().epoch, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 500, readRound: 0 });
    expect(c.takeQueued(100)[0]?.body).toMatchObject({ kind: 'FetchResponse', error: 'NONE', snapshotId: id, batches: [] });
  });

  it('(KAFKA-15078) a new replica at offset 0 is sent the newest snapshot, not the oldest kept nor a replay of the log', () => {
    const c = new CoreCluster([1], [], { snapshotsRetained: 2 });
    c.run(100);
    const core = c.node(1).core;
    const snapshot = (value: string) => {
      expect(core.propose([bytes(value)], c.nowMs).ok).toBe(true);
      c.run(10);
      const id = core.snapshotIdAt(core.inspect().appliedOffset);
      core.step({ type: 'snapshotTaken', snapshotId: id }, c.nowMs);
      c.drain();
      return id;
    };
    const older = snapshot('a');
    const newer = snapshot('b');
    expect(core.inspect().logStartOffset).toBe(older.endOffset);
    c.inject(100, 1, { kind: 'FetchRequest', fetchId: 3, epoch: core.leader().epoch, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 500, readRound: 0 });
    expect(c.takeQueued(100)[0]?.body).toMatchObject({ kind: 'FetchResponse', error: 'NONE', snapshotId: newer, batches: [] });
  });

  it('a negative offset is dropped as malformed; a last-fetched epoch from the future is INVALID_REQUEST', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const epoch = core.leader().epoch;
    const peer = leader === 1 ? 2 : 1;
    const anomalies = core.anomalies.length;
    c.inject(peer, leader, { kind: 'FetchRequest', fetchId: 1, epoch, fetchOffset: -5, lastFetchedEpoch: 0, maxWaitMs: 0, readRound: 0 });
    expect(core.anomalies.length).toBe(anomalies + 1);
    c.inject(peer, leader, { kind: 'FetchRequest', fetchId: 2, epoch, fetchOffset: 0, lastFetchedEpoch: epoch + 3, maxWaitMs: 0, readRound: 0 });
    const errors = c.takeQueued(peer).filter((m) => m.body.kind === 'FetchResponse').map((m) => (m.body as { error: string }).error);
    expect(errors).toEqual(['INVALID_REQUEST']);
    expect(core.role).toBe('Leader');
  });

  it('a fetch sent to a follower is answered NOT_LEADER_OR_FOLLOWER with the leader hint', () => {
    const { c, leader } = electedCluster();
    const follower = leader === 1 ? 2 : 1;
    c.inject(100, follower, { kind: 'FetchRequest', fetchId: 1, epoch: 0, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0, readRound: 0 });
    expect(c.takeQueued(100)[0]?.body).toMatchObject({ error: 'NOT_LEADER_OR_FOLLOWER', leaderId: leader });
  });

  it('an oversized or empty proposal is refused with BATCH_TOO_LARGE; a follower refuses with NOT_LEADER', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const big = new Uint8Array(limits.proposalBytesMax + 1);
    expect(core.propose([big], c.nowMs)).toMatchObject({ ok: false, error: 'BATCH_TOO_LARGE' });
    expect(core.propose([], c.nowMs)).toMatchObject({ ok: false, error: 'BATCH_TOO_LARGE' });
    const follower = leader === 1 ? 2 : 1;
    expect(c.node(follower).core.propose([bytes('x')], c.nowMs)).toMatchObject({ ok: false, error: 'NOT_LEADER', leader: { leaderId: leader } });
  });

  it('a proposal is never split across batches: the batch closes before it, or it gets one of its own', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const many = (n: number, size: number) => Array.from({ length: n }, () => new Uint8Array(size));
    const a = core.propose(many(limits.batchRecordsMax - 1000, 8), c.nowMs);
    const b = core.propose(many(2000, 8), c.nowMs);
    const big = core.propose(many(3, Math.ceil(limits.batchBytesMax / 2)), c.nowMs);
    if (!a.ok || !b.ok || !big.ok) throw new Error('not leader');
    const rd = core.ready();
    const bounds = (rd?.append ?? []).map((x) => [x.baseOffset, x.baseOffset + x.records.length - 1]);
    expect(bounds).toEqual([
      [a.baseOffset, a.lastOffset],
      [b.baseOffset, b.lastOffset],
      [big.baseOffset, big.lastOffset],
    ]);
  });

  it('proposeAll appends every part or none: a bad later part leaves the log untouched', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const before = core.nextProposalOffset();
    const tooBig = new Uint8Array(limits.proposalBytesMax + 1);
    expect(core.proposeAll([[bytes('a')], [tooBig]], c.nowMs)).toMatchObject({ ok: false, error: 'BATCH_TOO_LARGE' });
    expect(core.proposeAll([[bytes('a')], []], c.nowMs)).toMatchObject({ ok: false, error: 'BATCH_TOO_LARGE' });
    expect(core.nextProposalOffset()).toBe(before);
    const r = core.proposeAll([[bytes('a'), bytes('b')], [bytes('c')]], c.nowMs);
    expect(r).toMatchObject({ ok: true, baseOffset: before, lastOffset: before! + 2 });
    const rd = core.ready();
    expect((rd?.append ?? []).reduce((n, b) => n + b.records.length, 0)).toBe(3);
  });

  it('malformed numbers (NaN, Infinity, fractions) in any message are refused as anomalies, never asserted on', () => {
    const c = new CoreCluster([1, 2, 3]);
    const core = c.node(2).core; // still Unattached: it would follow any leader hint
    const bad = [NaN, Infinity, 1.5, -1];
    for (const epoch of bad) {
      expect(() => core.step({ type: 'receive', message: { from: 1, to: 2, body: { kind: 'BeginQuorumEpochRequest', epoch, leaderId: 1 } } }, 0)).not.toThrow();
      expect(() => core.step({ type: 'receive', message: { from: 1, to: 2, body: { kind: 'VoteResponse', error: 'NONE', epoch, leaderId: 1, granted: true, preVote: false } } }, 0)).not.toThrow();
    }
    expect(core.leader().epoch).toBe(0);
    expect(core.anomalies.length).toBe(2 * bad.length);
  });

  it('malformed shapes that pass the wire gate (a snapshot id or diverging epoch that is null or missing, a non-boolean preVote) are refused as anomalies: one frame from any peer, a broker included, used to halt the node', () => {
    const c = new CoreCluster([1, 2, 3], [100]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const epoch = c.node(follower).core.leader().epoch;
    const viaWire = (raw: unknown, from: number, self: number): RaftMessage => {
      const r = receiveRaftMessage(raw, from, self);
      if ('problem' in r) throw new Error(`the wire gate refused it: ${r.problem}`);
      return r.message;
    };
    const toLeader = [
      { kind: 'FetchSnapshotRequest', epoch, position: 0, maxBytes: 10 },
      { kind: 'FetchSnapshotRequest', epoch, position: 0, maxBytes: 10, snapshotId: null },
    ];
    const toFollower = [
      { kind: 'FetchResponse', fetchId: 1, error: 'NONE', epoch, leaderId: leader, highWatermark: 0, logStartOffset: 0, readRound: 0, batches: [], divergingEpoch: null },
      { kind: 'FetchResponse', fetchId: 1, error: 'NONE', epoch, leaderId: leader, highWatermark: 0, logStartOffset: 0, readRound: 0, batches: [], snapshotId: 7 },
      { kind: 'FetchSnapshotResponse', error: 'NONE', epoch, leaderId: leader, snapshotId: null, position: 0, size: 1, bytes: new Uint8Array(1) },
      { kind: 'VoteRequest', epoch: epoch + 1, candidateId: leader, lastEpoch: epoch, endOffset: 0, preVote: 'yes' },
      { kind: 'VoteRequest', epoch: epoch + 1, candidateId: leader, lastEpoch: epoch, endOffset: 0, preVote: true, preVoteRound: -1 },
      { kind: 'VoteResponse', error: 'NONE', epoch, leaderId: null, granted: true, preVote: true, preVoteRound: 1.5 },
    ];
    const before = { leader: c.node(leader).core.anomalies.length, follower: c.node(follower).core.anomalies.length };
    for (const body of toLeader) expect(() => c.node(leader).core.step({ type: 'receive', message: viaWire({ from: 100, to: leader, body }, 100, leader) }, c.nowMs)).not.toThrow();
    for (const body of toFollower) expect(() => c.node(follower).core.step({ type: 'receive', message: viaWire({ from: leader, to: follower, body }, leader, follower) }, c.nowMs)).not.toThrow();
    expect(c.node(leader).core.anomalies.length - before.leader).toBe(toLeader.length);
    expect(c.node(follower).core.anomalies.length - before.follower).toBe(toFollower.length);
    expect(c.node(follower).core.leader()).toMatchObject({ epoch, leaderId: leader }); // the bad vote request changed nothing
  });

  it('a pre-vote grant given in an earlier epoch (delayed or duplicated) without a round (an older node) does not count: the Prospective does not stand and depose a live leader', () => {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const x = [1, 2, 3].find((id) => id !== leader)!;
    const epoch = c.node(leader).core.leader().epoch;
    c.filter = (m) => !(m.from === leader && m.to === x); // x stops hearing from the leader
    for (let i = 0; i < 400 && c.node(x).core.role !== 'Prospective'; i++) {
      c.nowMs += 10;
      c.node(x).core.step({ type: 'tick' }, c.nowMs); // only x's clock moves
    }
    expect(c.node(x).core.role).toBe('Prospective');
    c.queue = c.queue.filter((m) => m.to !== x); // the other follower's refusal is kept away
    c.node(x).core.step({ type: 'receive', message: { from: leader, to: x, body: { kind: 'VoteResponse', error: 'NONE', epoch: epoch - 1, leaderId: null, granted: true, preVote: true } } }, c.nowMs);
    expect(c.node(x).core.role).toBe('Prospective');
    expect(c.node(x).core.leader().epoch).toBe(epoch);
    c.filter = () => true;
    c.deliver();
    expect(c.node(leader).core.role).toBe('Leader');
    expect(c.node(leader).core.leader().epoch).toBe(epoch);
  });

  /** Three voters; `x` (not the leader) stops hearing from it and turns Prospective; its pre-vote requests, taken off the queue. */
  function prospectiveCutOff(): { c: CoreCluster; leader: number; x: number; other: number; epoch: number; round: number } {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const x = [1, 2, 3].find((id) => id !== leader)!;
    const other = [1, 2, 3].find((id) => id !== leader && id !== x)!;
    const epoch = c.node(leader).core.leader().epoch;
    c.filter = (m) => !(m.from === leader && m.to === x);
    for (let i = 0; i < 400 && c.node(x).core.role !== 'Prospective'; i++) {
      c.nowMs += 10;
      c.node(x).core.step({ type: 'tick' }, c.nowMs);
    }
    expect(c.node(x).core.role).toBe('Prospective');
    c.drain();
    const requests = c.queue.filter((m) => m.from === x && m.body.kind === 'VoteRequest');
    expect(requests.length).toBeGreaterThan(0);
    const rounds = new Set(requests.map((m) => (m.body.kind === 'VoteRequest' ? m.body.preVoteRound : undefined)));
    expect(rounds.size).toBe(1);
    const round = [...rounds][0]!;
    expect(round).toBeGreaterThan(0);
    c.queue = c.queue.filter((m) => m.from !== x && m.to !== x);
    return { c, leader, x, other, epoch, round };
  }
  const preVoteAnswer = (epoch: number, granted: boolean, preVoteRound?: number, leaderId: number | null = null): RaftMessageBody => ({
    kind: 'VoteResponse',
    error: 'NONE',
    epoch,
    leaderId,
    granted,
    preVote: true,
    ...(preVoteRound === undefined ? {} : { preVoteRound }),
  });

  it('a pre-vote grant answering this round counts though the voter is still in an older epoch (restarted, or cut off while the epochs moved on)', () => {
    const { c, other, x, epoch, round } = prospectiveCutOff();
    // The voter answers from its own, older epoch: a pre-vote changes nothing there (KIP-996).
    c.node(x).core.step({ type: 'receive', message: { from: other, to: x, body: preVoteAnswer(epoch - 1, true, round) } }, c.nowMs);
    expect(c.node(x).core.role).toBe('Candidate');
    expect(c.node(x).core.leader().epoch).toBe(epoch + 1);
  });

  it('an answer echoing another round does not count, in this epoch or an older one; nor does an older epoch\'s without an echo (an older node)', () => {
    const { c, other, x, epoch, round } = prospectiveCutOff();
    for (const body of [preVoteAnswer(epoch, true, round - 1), preVoteAnswer(epoch - 1, true, round + 1), preVoteAnswer(epoch - 1, true)]) {
      c.node(x).core.step({ type: 'receive', message: { from: other, to: x, body } }, c.nowMs);
      expect(c.node(x).core.role).toBe('Prospective');
      expect(c.node(x).core.leader().epoch).toBe(epoch);
    }
    // An older node's grant in this epoch (no echo) still counts, as before rounds existed.
    c.node(x).core.step({ type: 'receive', message: { from: other, to: x, body: preVoteAnswer(epoch, true) } }, c.nowMs);
    expect(c.node(x).core.role).toBe('Candidate');
  });

  it('a refusal answering this round counts though the voter is in an older epoch (a refused round backs off), and a leader it names in that epoch is not followed', () => {
    const { c, other, x, leader, epoch, round } = prospectiveCutOff();
    // Both others refuse from the older epoch, naming its leader: the round is lost, and x backs
    // off instead of following a leader of an epoch behind its own.
    c.node(x).core.step({ type: 'receive', message: { from: other, to: x, body: preVoteAnswer(epoch - 1, false, round, leader) } }, c.nowMs);
    expect(c.node(x).core.role).toBe('Prospective'); // one refusal of three does not decide
    c.node(x).core.step({ type: 'receive', message: { from: leader, to: x, body: preVoteAnswer(epoch - 1, false, round, leader) } }, c.nowMs);
    expect(c.node(x).core.role).toBe('Unattached');
    expect(c.node(x).core.leader()).toEqual({ epoch, leaderId: null });
  });

  it('an answer to a round of an earlier start of the node does not count after its restart: a voter in an older epoch, answering late, cannot make it depose a live leader', () => {
    const c = new CoreCluster([1, 2, 3]);
    const v = 2;
    c.node(v).up = false; // away while 1 and 3 elect: it stays in epoch 0
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const x = [1, 3].find((id) => id !== leader)!;
    const epoch = c.node(leader).core.leader().epoch;
    expect(c.node(v).core.leader().epoch).toBe(0);
    // x loses the leader and asks for pre-votes; the request to v waits (v is paused).
    c.filter = (m) => !((m.from === x && m.to === leader) || (m.from === leader && m.to === x));
    for (let i = 0; i < 400 && c.node(x).core.role !== 'Prospective'; i++) {
      c.nowMs += 10;
      c.node(x).core.step({ type: 'tick' }, c.nowMs);
    }
    expect(c.node(x).core.role).toBe('Prospective');
    c.drain();
    const held = c.queue.find((m) => m.from === x && m.to === v && m.body.kind === 'VoteRequest')!;
    c.queue = c.queue.filter((m) => m.from !== x);
    // x restarts; v resumes and answers the old request, from epoch 0, to whatever process is x now.
    const restarted = c.restart(x);
    c.node(v).up = true;
    c.node(v).core.step({ type: 'receive', message: held }, c.nowMs);
    c.drain();
    const late = c.queue.filter((m) => m.from === v && m.to === x && m.body.kind === 'VoteResponse');
    c.queue = c.queue.filter((m) => !(m.from === v && m.to === x));
    expect(late).toHaveLength(1);
    expect(late[0]!.body).toMatchObject({ granted: true, preVote: true, epoch: 0 });
    // v joins the leader meanwhile; the restarted x stays cut off from it and is paused.
    restarted.up = false;
    const partition = c.filter;
    c.filter = (m) => m.to !== x && partition(m);
    c.run(2_500);
    expect(c.node(v).core.leader()).toEqual({ epoch, leaderId: leader });
    // x resumes: its overdue timer first (Node runs timers before socket reads), then the late answer.
    restarted.up = true;
    c.filter = partition;
    for (let i = 0; i < 400 && restarted.core.role !== 'Prospective'; i++) {
      c.nowMs += 10;
      restarted.core.step({ type: 'tick' }, c.nowMs);
    }
    expect(restarted.core.role).toBe('Prospective');
    restarted.core.step({ type: 'receive', message: late[0]! }, c.nowMs);
    expect(restarted.core.role).toBe('Prospective');
    c.deliver();
    c.run(100);
    expect(c.node(leader).core.role).toBe('Leader');
    expect(c.node(v).core.leader()).toEqual({ epoch, leaderId: leader });
  });

  it('a voter echoes the pre-vote round it answers, and only for a pre-vote', () => {
    const { c, leader, x, other, epoch, round } = prospectiveCutOff();
    const answers = (): RaftMessageBody[] => {
      c.drain();
      const out = c.queue.filter((m) => m.from === other && m.to === x).map((m) => m.body);
      c.queue = c.queue.filter((m) => !(m.from === other && m.to === x));
      return out;
    };
    answers();
    const ask = (preVote: boolean, preVoteRound?: number) =>
      c.node(other).core.step(
        { type: 'receive', message: { from: x, to: other, body: { kind: 'VoteRequest', epoch, candidateId: x, lastEpoch: 0, endOffset: 0, preVote, ...(preVoteRound === undefined ? {} : { preVoteRound }) } } },
        c.nowMs,
      );
    ask(true, round + 7);
    expect(answers()).toEqual([expect.objectContaining({ kind: 'VoteResponse', preVote: true, preVoteRound: round + 7 })]);
    ask(true);
    expect(answers()[0]).not.toHaveProperty('preVoteRound');
    ask(false, 3);
    expect(answers()[0]).not.toHaveProperty('preVoteRound');
    expect(c.node(leader).core.role).toBe('Leader');
  });

  it('a commit wakes the observers\' parked fetches at once and the followers\' only after the linger: followers learn it with their next data', () => {
    // Five voters: the first follower to acknowledge is parked before the commit (2 of 5), so the
    // commit itself has a parked voter fetch to wake or not; the later ones arrive after it.
    const { c, leader } = electedCluster([1, 2, 3, 4, 5], [100]);
    c.run(1_000);
    const followers = [1, 2, 3, 4, 5].filter((id) => id !== leader);
    const r = c.node(leader).core.propose([bytes('p')], c.nowMs);
    if (!r.ok) throw new Error('not leader');
    // No time passes: every message is delivered at the same instant.
    const sent: { to: number; highWatermark: number; batches: number }[] = [];
    const filter = c.filter;
    c.filter = (m) => {
      if (m.from === leader && m.body.kind === 'FetchResponse') sent.push({ to: m.to, highWatermark: m.body.highWatermark, batches: m.body.batches.length });
      return filter(m);
    };
    c.deliver();
    const committedTo = r.lastOffset + 1;
    expect(c.node(leader).core.inspect().highWatermark).toBe(committedTo);
    expect(c.node(100).core.inspect().highWatermark).toBe(committedTo);
    expect(dataRecords(c.node(100))).toEqual(['p']);
    for (const f of followers) {
      expect(c.node(f).core.inspect().highWatermark, `follower ${f}`).toBeLessThan(committedTo);
      // One answer each, the data; none carrying only the news of the commit.
      expect(sent.filter((m) => m.to === f)).toEqual([{ to: f, highWatermark: r.baseOffset, batches: 1 }]);
    }
    c.run(limits.voterHighWatermarkLingerMs, 1);
    for (const f of followers) {
      expect(c.node(f).core.inspect().highWatermark, `follower ${f}`).toBe(committedTo);
      expect(dataRecords(c.node(f))).toEqual(['p']);
    }
  });

  it('a fetch offset inside a batch is INVALID_REQUEST and cannot put the high watermark mid-batch', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const r = core.propose([bytes('a'), bytes('b'), bytes('c')], c.nowMs);
    c.run(500);
    if (!r.ok) throw new Error('not leader');
    const peer = leader === 1 ? 2 : 1;
    c.inject(peer, leader, { kind: 'FetchRequest', fetchId: 5, epoch: r.epoch, fetchOffset: r.baseOffset + 1, lastFetchedEpoch: r.epoch, maxWaitMs: 0, readRound: 0 });
    expect(c.takeQueued(peer).find((m) => m.body.kind === 'FetchResponse')?.body).toMatchObject({ error: 'INVALID_REQUEST' });
    expect(core.hasReady()).toBe(false); // no Ready loop spinning on an unreachable commit
  });

  it('a fetch response with an empty batch, or a divergence below the high watermark, is dropped as an anomaly', () => {
    const { c, leader } = electedCluster();
    const follower = leader === 1 ? 2 : 1;
    const core = c.node(follower).core;
    const { epoch } = core.leader();
    const hwm = core.inspect().highWatermark;
    expect(hwm).toBeGreaterThan(0);
    const base = { kind: 'FetchResponse' as const, fetchId: 0, error: 'NONE' as const, epoch, leaderId: leader, highWatermark: hwm, logStartOffset: 0, readRound: 0 };
    const before = core.anomalies.length;
    expect(() => c.inject(leader, follower, { ...base, batches: [{ baseOffset: core.inspect().logEndOffset, epoch, appendTimeMs: 0, records: [] }] })).not.toThrow();
    expect(core.anomalies.length).toBe(before + 1);
    expect(core.inspect().highWatermark).toBe(hwm);
  });

  it('a message addressed to another node is ignored and noted as an anomaly', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    core.step({ type: 'receive', message: { from: 2, to: 42, body: { kind: 'BeginQuorumEpochRequest', epoch: 99, leaderId: 2 } } }, c.nowMs);
    expect(core.role).toBe('Leader');
    expect(core.anomalies.length).toBe(1);
  });
});

describe('raft core: a caller breaking its contract is asserted on (DESIGN §10), not passed on', () => {
  it('a proposed record that is not bytes throws before anything is queued', () => {
    const { c, leader } = electedCluster();
    const core = c.node(leader).core;
    const before = core.nextProposalOffset();
    expect(() => core.proposeAll([[bytes('a')], ['b' as unknown as Uint8Array]], c.nowMs)).toThrow(/record is string, not a Uint8Array/);
    expect(core.nextProposalOffset()).toBe(before);
    expect(core.ready()?.append ?? []).toEqual([]);
  });
});

describe('raft core: an observer spaces its fetches (observerFetchIntervalMs)', () => {
  /** A commit of `perCommit` records every `everyMs` ms for `ms`; when observer 100 sent its fetches meanwhile. */
  function underLoad(observerFetchIntervalMs: number, o: { perCommit: number; everyMs?: number; ms?: number }): { c: CoreCluster; sentAt: number[]; proposed: string[] } {
    const c = new CoreCluster([1, 2, 3], [100], { observerFetchIntervalMs });
    c.run(5_000);
    const [leader] = c.leaders();
    if (leader === undefined) throw new Error('no leader');
    const sentAt: number[] = [];
    c.filter = (m) => {
      if (m.from === 100 && m.body.kind === 'FetchRequest') sentAt.push(c.nowMs);
      return true;
    };
    const proposed: string[] = [];
    const everyMs = o.everyMs ?? 1;
    for (let t = 0; t < (o.ms ?? 200); t += everyMs) {
      const values = Array.from({ length: o.perCommit }, (_, i) => `w${t}.${i}`);
      if (c.node(leader).core.propose(values.map(bytes), c.nowMs).ok) proposed.push(...values);
      c.run(everyMs, 1);
    }
    return { c, sentAt, proposed };
  }

  const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);

  it('under a stream (4 records every ms), an observer settles at one fetch per interval and still applies every commit', () => {
    const { c, sentAt, proposed } = underLoad(20, { perCommit: 4 });
    // The wait grows with what each answer carried (4, then more): full after a few fetches.
    expect(Math.min(...gaps(sentAt).slice(4))).toBeGreaterThanOrEqual(20);
    expect(sentAt.length).toBeLessThanOrEqual(200 / 20 + 4);
    c.run(100);
    expect(dataRecords(c.node(100)).slice(-proposed.length)).toEqual(proposed);
  });

  it('under changes one after the other (1 record every 2 ms), it fetches every observerSpacingMinMs, whatever the interval, each commit applied', () => {
    const { c, sentAt, proposed } = underLoad(40, { perCommit: 1, everyMs: 2, ms: 420 });
    // The least wait (5 ms), not once per commit (210 commits), once per interval (10) nor a share of it.
    expect(Math.min(...gaps(sentAt))).toBeGreaterThanOrEqual(limits.observerSpacingMinMs);
    expect(sentAt.length).toBeGreaterThan(60);
    expect(sentAt.length).toBeLessThanOrEqual(420 / limits.observerSpacingMinMs + 1);
    c.run(100);
    expect(dataRecords(c.node(100)).slice(-proposed.length)).toEqual(proposed);
  });

  it('with an interval below observerSpacingMinMs, it waits the interval and no longer', () => {
    const { c, sentAt, proposed } = underLoad(3, { perCommit: 4 });
    const later = gaps(sentAt).slice(4);
    expect(Math.min(...later)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...later)).toBeLessThan(limits.observerSpacingMinMs);
    c.run(100);
    expect(dataRecords(c.node(100)).slice(-proposed.length)).toEqual(proposed);
  });

  it('after a burst into a fresh fetch, the next change waits out the interval, and no longer however large the burst', () => {
    const c = new CoreCluster([1, 2, 3], [100], { observerFetchIntervalMs: 20 });
    c.run(5_000);
    const [leader] = c.leaders();
    const burst = (tag: string) => {
      const values = Array.from({ length: 10 * limits.observerBurstRecords }, (_, i) => `${tag}${i}`);
      expect(c.node(leader!).core.propose(values.map(bytes), c.nowMs).ok).toBe(true);
      return values;
    };
    // The first burst answers a fetch parked long ago, so the next fetch leaves at once and parks;
    // the second burst answers that fresh fetch: the one after it waits out the interval.
    const first = burst('a');
    c.run(3, 1);
    const second = burst('b');
    c.run(3, 1);
    expect(dataRecords(c.node(100))).toEqual([...first, ...second]);
    expect(c.node(leader!).core.propose([bytes('single')], c.nowMs).ok).toBe(true);
    c.run(5, 1);
    expect(dataRecords(c.node(100))).toEqual([...first, ...second]);
    c.run(17, 1);
    expect(dataRecords(c.node(100))).toEqual([...first, ...second, 'single']);
  });

  it('catching up (answers cut at the fetch size bound), it fetches again at once', () => {
    const c = new CoreCluster([1, 2, 3], [100], { observerFetchIntervalMs: 20 });
    c.run(5_000);
    const [leader] = c.leaders();
    let cutOff = true;
    c.filter = (m) => !(cutOff && (m.from === 100 || m.to === 100));
    // 40 records of 512 KiB: 20 MiB, three answers' worth.
    const big = Array.from({ length: 40 }, (_, i) => new Uint8Array(512 * 1024).fill(i));
    for (let i = 0; i < big.length; i += 2) expect(c.node(leader!).core.propose(big.slice(i, i + 2), c.nowMs).ok).toBe(true);
    c.run(50, 1);
    cutOff = false;
    const answers: number[] = [];
    c.filter = (m) => {
      if (m.to === 100 && m.body.kind === 'FetchResponse' && m.body.batches.length > 0) answers.push(c.nowMs);
      return true;
    };
    c.run(3_000, 1); // the observer's fetch timed out meanwhile: it asks again within a retry
    expect(dataRecords(c.node(100)).length).toBe(big.length);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers[answers.length - 1]! - answers[0]!).toBeLessThanOrEqual(2);
  });

  it('with 0, it fetches again as soon as each commit reaches it (Kafka\'s behaviour)', () => {
    const { sentAt } = underLoad(0, { perCommit: 4 });
    expect(sentAt.length).toBeGreaterThan(150);
  });

  it('idle, a commit still reaches it at once: the parked fetch was sent long before the interval', () => {
    const c = new CoreCluster([1, 2, 3], [100], { observerFetchIntervalMs: 20 });
    c.run(5_000);
    const [leader] = c.leaders();
    const r = c.node(leader!).core.propose([bytes('late')], c.nowMs);
    expect(r.ok).toBe(true);
    c.run(1, 1);
    expect(dataRecords(c.node(100))).toEqual(['late']);
  });

  it('a voter ignores it: a follower fetches again at once', () => {
    const c = new CoreCluster([1, 2, 3], [], { observerFetchIntervalMs: 20 });
    c.run(5_000);
    const [leader] = c.leaders();
    const follower = leader === 1 ? 2 : 1;
    let fetches = 0;
    c.filter = (m) => {
      if (m.from === follower && m.body.kind === 'FetchRequest') fetches++;
      return true;
    };
    for (let t = 0; t < 100; t++) {
      c.node(leader!).core.propose([bytes(`v${t}`)], c.nowMs);
      c.run(1, 1);
    }
    expect(fetches).toBeGreaterThan(50);
  });

  it('refuses a negative interval or one not below fetchMaxWaitMs', () => {
    expect(() => raftConfig(1, [1], { observerFetchIntervalMs: -1 })).toThrow(RangeError);
    expect(() => raftConfig(1, [1], { observerFetchIntervalMs: 500, fetchMaxWaitMs: 500 })).toThrow(/below fetchMaxWaitMs/);
    expect(raftConfig(1, [1], { observerFetchIntervalMs: 0 }).observerFetchIntervalMs).toBe(0);
  });
});

describe('a snapshot download the follower stops fetching', () => {
  it('is handed to the driver as abandoned (once), so the partial file is deleted instead of kept open until the next download', () => {
    const c = new CoreCluster([1, 2, 3]);
    c.run(5_000);
    const leader = c.leaders()[0]!;
    const [f, other] = [1, 2, 3].filter((id) => id !== leader) as [number, number];
    const core = c.node(f).core;
    const epoch = core.leader().epoch;
    // f's next fetch is kept from the leader (this test answers it); then f is cut off from the rest.
    let fetch: RaftMessage | undefined;
    c.filter = (m) => {
      if (m.from !== f || m.body.kind !== 'FetchRequest') return true;
      fetch ??= m;
      return false;
    };
    for (let i = 0; i < 200 && fetch === undefined; i++) c.run(10);
    expect(fetch).toBeDefined();
    c.filter = () => false;
    const readies = (): Ready[] => {
      const out: Ready[] = [];
      for (let rd = core.ready(); rd !== undefined; rd = core.ready()) {
        out.push(rd);
        core.advance(rd, c.nowMs);
      }
      return out;
    };
    const sent = (kind: string) => readies().flatMap((rd) => rd.messages).find((m) => m.body.kind === kind);
    const fetchId = (fetch!.body as { fetchId: number }).fetchId;
    const snapshotId = { endOffset: 500, epoch };
    const receive = (body: RaftMessageBody, from = leader) => core.step({ type: 'receive', message: { from, to: f, body } }, c.nowMs);
    receive({ kind: 'FetchResponse', fetchId, error: 'NONE', epoch, leaderId: leader, highWatermark: 500, logStartOffset: 500, readRound: 0, batches: [], snapshotId });
    expect(sent('FetchSnapshotRequest')).toBeDefined();
    receive({ kind: 'FetchSnapshotResponse', error: 'NONE', epoch, leaderId: leader, snapshotId, position: 0, size: 100, bytes: new Uint8Array(10) });
    const first = readies();
    expect(first.flatMap((rd) => rd.snapshotWrites).map((w) => w.position)).toEqual([0]);
    expect(first.some((rd) => rd.abandonSnapshotDownload === true)).toBe(false);
    // A new leader, before the download is done: its snapshot is no longer wanted.
    receive({ kind: 'BeginQuorumEpochRequest', epoch: epoch + 1, leaderId: other }, other);
    const after = readies();
    expect(after.filter((rd) => rd.abandonSnapshotDownload === true)).toHaveLength(1);
    expect(after.flatMap((rd) => rd.notices).some((n) => /snapshot download abandoned/.test(n.msg))).toBe(true);
    c.nowMs += 100;
    core.step({ type: 'tick' }, c.nowMs);
    expect(readies().some((rd) => rd.abandonSnapshotDownload === true)).toBe(false);
  });
});
