// The driver at a leader change: a proposal whose records had committed before this node stopped
// leading is answered with its position once applied, not failed as "outcome unknown" (which made
// a caller retry a write that had taken effect). Only proposals at or above the high watermark can
// still go either way. The two meet when one Ready carries both the commit and the change: here
// the acknowledgements and a newer epoch's vote request reach the leader in one turn. (CI once saw
// it fail when it waited a fixed 20 ms for the leader's own fsync of b, which was still running:
// b then rightly had no majority when leadership went.)
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../quorum/env/index.js';
import { LocalHub } from '../../quorum/node/local-transport.js';
import { raftConfig } from '../../quorum/raft/config.js';
import type { NodeId, RaftMessage, VoteRequest } from '../../quorum/raft/types.js';
import { NotLeaderError } from '../../quorum/runtime/api.js';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { realNodeEnv } from '../support/real-node-env.js';
import { waitFor } from '../support/recording-logger.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});


/**
 * A node's transport whose inbound messages matching a test can be held, then handed to the node
 * all at once in one turn of the event loop (so its core steps them all before its next Ready).
 * Messages the test does not match pass as usual.
 */
function holdable(inner: Transport): { transport: Transport; held: readonly RaftMessage[]; hold(which: (m: RaftMessage) => boolean): void; deliverHeldThen(extra: RaftMessage): void } {
  let deliver: (m: RaftMessage) => void = () => {};
  let holding: ((m: RaftMessage) => boolean) | null = null;
  const held: RaftMessage[] = [];
  return {
    held,
    transport: {
      ...inner,
      onReceive: (onMessage, onPeerLost) => {
        deliver = onMessage;
        inner.onReceive((m) => (holding?.(m) ? held.push(m) : onMessage(m)), onPeerLost);
      },
    },
    hold: (which) => {
      holding = which;
    },
    deliverHeldThen: (extra) => {
      holding = null;
      for (const m of held.splice(0)) deliver(m);
      deliver(extra);
    },
  };
}

describe('RaftNode: proposals at a leader change', () => {
  it('(voters=3) one that commits in the same Ready as the leader change is answered with its position, not failed as unknown', async () => {
    const hub = new LocalHub();
    const ids: readonly NodeId[] = [1, 2, 3];
    const links = new Map(ids.map((id) => [id, holdable(hub.transport(id))]));
    const nodes = new Map<NodeId, RaftNode>();
    for (const id of ids) {
      const node = new RaftNode(await realNodeEnv(cleanup, links.get(id)!.transport, 7 + id), raftConfig(id, [...ids]), { apply() {}, loadSnapshot() {} });
      nodes.set(id, node);
      cleanup.push(() => node.stop());
    }
    for (const n of nodes.values()) await n.start();
    // A leader whose epoch has committed. An election may still be settling when the first leader
    // shows (real timers): its proposal then fails with NotLeaderError, and the next leader is tried.
    let found: [NodeId, RaftNode] | undefined;
    while (found === undefined) {
      await waitFor('a leader', () => [...nodes.values()].some((n) => n.nextOffset() !== null));
      const candidate = [...nodes].find(([, n]) => n.nextOffset() !== null);
      const first = candidate?.[1].propose([new TextEncoder().encode('first')]).then(
        () => true,
        (e: unknown) => (e instanceof NotLeaderError ? false : Promise.reject(e)),
      );
      if (candidate !== undefined && (await first)) found = candidate;
    }
    const [leaderId, leader] = found;
    const follower = ids.find((id) => id !== leaderId)!;
    const epoch = leader.leader().epoch;

    // The followers' acknowledgements of b wait; then they and a vote request of a newer epoch
    // reach the leader together: b commits and leadership is lost in one step. Only the
    // acknowledgements are held: the fetches that carry b to the followers must get through, and
    // one may still be on its way when b is proposed.
    const b = leader.propose([new TextEncoder().encode('b')]);
    const outcome = b.then(
      (p) => ({ ok: true as const, p }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const bOffset = leader.nextOffset()! - 1;
    const acknowledged = (m: RaftMessage) => m.body.kind === 'FetchRequest' && m.body.fetchOffset > bOffset;
    links.get(leaderId)!.hold(acknowledged);
    await waitFor("a follower's acknowledgement of b, held", () => links.get(leaderId)!.held.some(acknowledged));
    // The leader's own fsync of b must be done too, or b has no majority yet (a busy machine can
    // take longer over it than any fixed wait).
    await waitFor("the leader's fsync of b", () => leader.inspect().flushedEndOffset > bOffset);
    const vote: VoteRequest = { kind: 'VoteRequest', epoch: epoch + 1, candidateId: follower, lastEpoch: epoch, endOffset: 0, preVote: false };
    links.get(leaderId)!.deliverHeldThen({ from: follower, to: leaderId, body: vote });
    const result = await outcome;
    expect(leader.leader().epoch).toBeGreaterThan(epoch);
    expect(result.ok, result.ok ? '' : String(result.e)).toBe(true);
    expect(result.ok && result.p.offset).toBe(bOffset);
  });
});
