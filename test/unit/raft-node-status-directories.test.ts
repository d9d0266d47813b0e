// RaftNode.status() (what DescribeQuorum reports): a voter's directory id comes from its own fetches
// to this leader and, until it has fetched from a new leader, from the voter directories recorded in
// the log. Before, a voter that was down when the leadership moved showed no directory id at all.
import { afterEach, describe, expect, it } from 'vitest';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { NodeId } from '../../quorum/raft/types.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { realNodeEnv } from '../support/real-node-env.js';
import { waitFor } from '../support/recording-logger.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const noState = { apply(): void {}, loadSnapshot(): void {} };
const dir = (id: number): string => `Dir${id}AAAAAAAAAAAAAAAAAAA`;
const ids = [1, 2, 3] as NodeId[];

describe('RaftNode.status: voter directory ids', () => {
  it('a voter that has not fetched from the new leader shows the directory the log recorded for it', async () => {
    const hub = new LocalHub();
    const nodes = new Map<NodeId, RaftNode>();
    for (const id of ids) {
      const env = await realNodeEnv(cleanup, hub.transport(id), id);
      const node = new RaftNode(env, raftConfig(id, ids, { directoryId: dir(id), electionTimeoutMs: 300, fetchTimeoutMs: 400 }), noState);
      nodes.set(id, node);
      cleanup.push(() => node.stop());
    }
    for (const n of nodes.values()) await n.start();
    const leaderOf = (): RaftNode | undefined => [...nodes.values()].find((n) => n.leader().leaderId === n.status().nodeId && n.status().role === 'Leader');
    await waitFor('a leader with every voter directory recorded', () => {
      const l = leaderOf();
      return l !== undefined && ids.every((v) => l.inspect().voterDirectories[String(v)] === dir(v)) && l.status().highWatermark === l.status().logEndOffset;
    }, 10_000);
    const first = leaderOf()!;
    const firstId = first.status().nodeId;
    // Take a follower down, then move the leadership to the other follower: the one that is down
    // has never fetched from the new leader.
    const down = ids.find((v) => v !== firstId)!;
    const next = ids.find((v) => v !== firstId && v !== down)!;
    await waitFor('every voter caught up', () => ids.every((v) => nodes.get(v)!.status().highWatermark === first.status().highWatermark));
    await nodes.get(down)!.stop();
    first.resign();
    // Resigned, it no longer reports itself as the leader (DescribeQuorum, the leader metric).
    expect([first.status().role, first.status().leaderId]).toEqual(['Resigned', null]);
    await waitFor(`voter ${next} leading`, () => leaderOf() === nodes.get(next), 10_000);
    const status = nodes.get(next)!.status();
    expect(status.voters.map((v) => [v.nodeId, v.directoryId])).toEqual(ids.map((v) => [v, dir(v)]));
    const unheard = status.voters.find((v) => v.nodeId === down)!;
    expect(unheard.lastFetchMs).toBeNull(); // it never fetched from this leader: the directory is from the log
  }, 30_000);

  it('a voter that fetches presenting no directory is shown without one (why its fetches do not count), not with the log\'s', async () => {
    const hub = new LocalHub();
    const nodes = new Map<NodeId, RaftNode>();
    for (const id of ids) {
      const env = await realNodeEnv(cleanup, hub.transport(id), id);
      await env.quorumStateStore.write({ epoch: 0, leaderId: null, votedId: null, voterDirectories: { offset: 0, map: { 1: dir(1), 2: dir(2), 3: dir(3) } } });
      const node = new RaftNode(env, raftConfig(id, ids, { ...(id === 2 ? {} : { directoryId: dir(id) }), electionTimeoutMs: 300, fetchTimeoutMs: 400 }), noState);
      nodes.set(id, node);
      cleanup.push(() => node.stop());
    }
    for (const n of nodes.values()) await n.start();
    const leaderOf = (): RaftNode | undefined => [...nodes.values()].find((n) => n.status().role === 'Leader');
    await waitFor('voter 2 fetched from the leader', () => {
      const l = leaderOf();
      return l !== undefined && l.status().nodeId !== 2 && (l.status().voters.find((v) => v.nodeId === 2)?.lastFetchMs ?? null) !== null;
    }, 10_000);
    const row = leaderOf()!.status().voters.find((v) => v.nodeId === 2)!;
    expect(row.lastFetchMs).not.toBeNull();
    expect(row.directoryId).toBeUndefined();
  }, 30_000);
});
