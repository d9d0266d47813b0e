// The TCP Raft transport between real listeners: voter↔voter over outbound connections,
// voter→observer back over the observer's inbound channel, onPeerLost when a peer goes away, and
// inbound checks (a spoofed `from`, another `to`, a malformed message) that drop without crashing.

import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../quorum/env/index.js';
import { NetClient } from '../../quorum/net/client.js';
import { NetServer } from '../../quorum/net/server.js';
import { encodeBatch } from '../../quorum/node/batch-codec.js';
import { checkRaftMessage, isRaftFrame } from '../../quorum/net/raft-wire.js';
import { TcpRaftTransport } from '../../quorum/net/tcp-raft-transport.js';
import type { Endpoint, PeerIdentity } from '../../quorum/net/types.js';
import type { NodeId, RaftMessage } from '../../quorum/raft/types.js';
import { capturingLogger, waitFor, type LogLine } from '../support/recording-logger.js';


const CLUSTER = 'raft-cluster';

interface TestNode {
  readonly id: NodeId;
  readonly transport: TcpRaftTransport;
  readonly server: NetServer | null;
  readonly received: RaftMessage[];
  readonly lost: NodeId[];
  readonly log: ReturnType<typeof capturingLogger>;
  stop(): Promise<void>;
}

const running: TestNode[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.stop()));
});

/** Listeners for the voters first (ports are chosen by the system), then their transports. */
async function startVoters(ids: readonly NodeId[]): Promise<{ nodes: TestNode[]; endpoints: Map<NodeId, Endpoint> }> {
  const pending: { id: NodeId; server: NetServer; transport: { t?: TcpRaftTransport }; log: ReturnType<typeof capturingLogger> }[] = [];
  for (const id of ids) {
    const log = capturingLogger();
    const holder: { t?: TcpRaftTransport } = {};
    const server = await NetServer.listen({
      listener: { name: 'CONTROLLER', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
      self: { nodeId: id, role: 'controller', clusterId: CLUSTER },
      handlers: {
        onOpen: (ch) => holder.t!.attachInbound(ch),
        onClose: (ch) => holder.t!.detachInbound(ch),
        onMessage: (ch, m) => {
          if (isRaftFrame(m)) holder.t!.deliverInbound(ch, m);
        },
        onRequest: async () => null,
      },
      logger: log,
    });
    pending.push({ id, server, transport: holder, log });
  }
  const endpoints = new Map(pending.map((p) => [p.id, p.server.address()]));
  const nodes = pending.map((p) => {
    const self: PeerIdentity = { nodeId: p.id, role: 'controller', clusterId: CLUSTER };
    const voters = new Map([...endpoints].filter(([id]) => id !== p.id));
    const transport = new TcpRaftTransport({ self, voters, logger: p.log, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 200 });
    p.transport.t = transport;
    return wire(p.id, transport, p.server, p.log);
  });
  return { nodes, endpoints };
}

function startObserver(id: NodeId, endpoints: ReadonlyMap<NodeId, Endpoint>): TestNode {
  const log = capturingLogger();
  const transport = new TcpRaftTransport({ self: { nodeId: id, role: 'broker', clusterId: CLUSTER }, voters: endpoints, logger: log, reconnectBackoffMs: 20 });
  return wire(id, transport, null, log);
}

function wire(id: NodeId, transport: TcpRaftTransport, server: NetServer | null, log: ReturnType<typeof capturingLogger>): TestNode {
  const received: RaftMessage[] = [];
  const lost: NodeId[] = [];
  transport.onReceive(
    (m) => received.push(m),
    (nodeId) => lost.push(nodeId),
  );
  let stopped = false;
  const node: TestNode = {
    id,
    transport,
    server,
    received,
    lost,
    log,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server?.close();
      await transport.close();
    },
  };
  running.push(node);
  return node;
}

function vote(from: NodeId, to: NodeId, epoch = 1): RaftMessage {
  return { from, to, body: { kind: 'VoteRequest', epoch, candidateId: from, lastEpoch: 0, endOffset: 0, preVote: true } };
}

/** Raft retries; so do these tests: send until the receiver has something matching. */
async function sendUntilReceived(from: TestNode, message: RaftMessage, to: TestNode): Promise<RaftMessage> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    from.transport.send(message);
    await new Promise((r) => setTimeout(r, 20));
    const got = to.received.find((m) => m.from === message.from && m.body.kind === message.body.kind);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${message.body.kind} from ${from.id} never reached ${to.id}`);
  }
}

describe('TcpRaftTransport', () => {
  it('(voters=2) a vote request and its answer travel between voters', async () => {
    const { nodes } = await startVoters([1, 2]);
    const [n1, n2] = nodes as [TestNode, TestNode];
    const request = await sendUntilReceived(n1, vote(1, 2), n2);
    expect(request).toEqual(vote(1, 2));
    const answer: RaftMessage = { from: 2, to: 1, body: { kind: 'VoteResponse', error: 'NONE', epoch: 1, leaderId: null, granted: true, preVote: true } };
    expect(await sendUntilReceived(n2, answer, n1)).toEqual(answer);
  });

  it('(voters=1, observer) a fetch from an observer is answered back over its inbound channel, bytes intact', async () => {
    const { nodes, endpoints } = await startVoters([1]);
    const leader = nodes[0]!;
    const broker = startObserver(100, endpoints);
    const fetch: RaftMessage = {
      from: 100,
      to: 1,
      body: { kind: 'FetchRequest', fetchId: 1, epoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 500, readRound: 0 },
    };
    await sendUntilReceived(broker, fetch, leader);
    const records = [new Uint8Array([1, 2, 3]), new Uint8Array([250, 251])];
    const response: RaftMessage = {
      from: 1,
      to: 100,
      body: {
        kind: 'FetchResponse',
        fetchId: 1,
        error: 'NONE',
        epoch: 1,
        leaderId: 1,
        highWatermark: 2,
        logStartOffset: 0,
        batches: [{ baseOffset: 0, epoch: 1, appendTimeMs: 1000, records }],
        readRound: 0,
      },
    };
    // 100 is not a voter: the only route is the channel the broker opened.
    const got = await sendUntilReceived(leader, response, broker);
    const body = got.body as Extract<RaftMessage['body'], { kind: 'FetchResponse' }>;
    const gotRecords = body.batches[0]!.records;
    expect(gotRecords.map((r) => r instanceof Uint8Array)).toEqual([true, true]);
    expect(gotRecords.map((r) => [...r])).toEqual([
      [1, 2, 3],
      [250, 251],
    ]);
  });

  it('(voters=1, observer) a reply goes back over the channel that carried Raft, not a newer RPC-only one from the same node', async () => {
    // Regression: a broker also connects to the controller for registration and heartbeats. When
    // that connection came second, fetch responses went to it and were lost; the observer never
    // caught up.
    const { nodes, endpoints } = await startVoters([1]);
    const leader = nodes[0]!;
    const broker = startObserver(100, endpoints);
    const fetch: RaftMessage = { from: 100, to: 1, body: { kind: 'FetchRequest', fetchId: 1, epoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 500, readRound: 0 } };
    await sendUntilReceived(broker, fetch, leader);
    const rpcOnly = new NetClient({
      endpoint: endpoints.get(1)!,
      self: { nodeId: 100, role: 'broker', clusterId: CLUSTER },
      logger: capturingLogger(),
    });
    rpcOnly.connect();
    await waitFor('the RPC-only connection', () => rpcOnly.connected);
    try {
      const got = await sendUntilReceived(leader, vote(1, 100), broker);
      expect(got.body.kind).toBe('VoteRequest');
    } finally {
      await rpcOnly.close();
    }
  });

  it('(observer) messages sent once, before the connection to the voter is up, arrive in order once it is', async () => {
    // Regression: a new broker's first Fetch was dropped while its connection was still being
    // dialled, and the broker waited out a whole fetch timeout per controller before loading.
    const { nodes, endpoints } = await startVoters([1]);
    const leader = nodes[0]!;
    const broker = startObserver(100, endpoints);
    const fetches = [1, 2, 3].map(
      (fetchId): RaftMessage => ({ from: 100, to: 1, body: { kind: 'FetchRequest', fetchId, epoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 500, readRound: 0 } }),
    );
    for (const f of fetches) broker.transport.send(f); // each exactly once, all before any connection exists
    await waitFor('the three fetches at the voter', () => leader.received.length >= 3);
    expect(leader.received.map((m) => (m.body.kind === 'FetchRequest' ? m.body.fetchId : -1))).toEqual([1, 2, 3]);
  });

  it('a message held for a connection that then fails is dropped, not sent on a later connection', async () => {
    const log = capturingLogger();
    const listen = (port: number, onMessage: (m: unknown) => void) =>
      NetServer.listen({
        listener: { name: 'CONTROLLER', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' },
        self: { nodeId: 1, role: 'controller', clusterId: CLUSTER },
        handlers: { onOpen: () => {}, onClose: () => {}, onMessage: (_ch, m) => onMessage(m), onRequest: async () => null },
        logger: capturingLogger(),
      });
    // A port nobody listens on any more: the first attempt fails.
    const first = await listen(0, () => {});
    const endpoint = first.address();
    await first.close();
    const client = new NetClient({ endpoint, self: { nodeId: 100, role: 'broker', clusterId: CLUSTER }, logger: log, reconnect: false });
    const got: unknown[] = [];
    let second: NetServer | null = null;
    try {
      expect(client.hold({ n: 1 })).toBe(true); // starts the dial
      await waitFor('the failed attempt', () => log.lines.some((l: LogLine) => l.msg === 'connection failed'));
      second = await listen(endpoint.port, (m) => got.push(m));
      expect(client.hold({ n: 2 })).toBe(true); // idle again (no reconnect): a new attempt
      await waitFor('the second message', () => got.length >= 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([{ n: 2 }]);
    } finally {
      await client.close();
      await second?.close();
    }
    expect(client.hold({ n: 3 })).toBe(false); // closed
  });

  it('(voters=3) connectVoters dials every other voter before any message is sent', async () => {
    // Followers send each other nothing until the leader is lost; warm connections keep the first
    // pre-vote from waiting on a connect and a handshake (a wider window for a split vote).
    const { nodes } = await startVoters([1, 2, 3]);
    const [n1, n2, n3] = nodes as [TestNode, TestNode, TestNode];
    const inboundFrom = (at: TestNode, id: NodeId): boolean => at.server!.channels().some((ch) => ch.peer.nodeId === id);
    n2.transport.connectVoters();
    n3.transport.connectVoters();
    await waitFor('node 2 connected to 1 and 3, node 3 to 1 and 2', () => inboundFrom(n1, 2) && inboundFrom(n3, 2) && inboundFrom(n1, 3) && inboundFrom(n2, 3));
    // Node 1 did not ask: it has dialled nobody.
    expect(inboundFrom(n2, 1) || inboundFrom(n3, 1)).toBe(false);
    expect([n1, n2, n3].every((n) => n.received.length === 0)).toBe(true);
    // One send, no retry: the connection is already there.
    n2.transport.send(vote(2, 3));
    await waitFor('the vote request at node 3', () => n3.received.length === 1);
    expect(n3.received).toEqual([vote(2, 3)]);
  });

  it('a message to a node with no route is dropped without an error', async () => {
    const { nodes } = await startVoters([1]);
    expect(() => nodes[0]!.transport.send(vote(1, 55))).not.toThrow();
  });

  it('(voters=2) onPeerLost fires on the survivor when a peer process goes away', async () => {
    const { nodes } = await startVoters([1, 2]);
    const [n1, n2] = nodes as [TestNode, TestNode];
    await sendUntilReceived(n1, vote(1, 2), n2);
    await sendUntilReceived(n2, vote(2, 1), n1);
    expect(n1.lost).toEqual([]);
    await n2.stop();
    await waitFor('onPeerLost(2) on node 1', () => n1.lost.includes(2));
    expect(n1.lost.every((id) => id === 2)).toBe(true);
  });

  it('(voters=2) onPeerLost fires once for an outbound connection lost, not again for each failed reconnect', async () => {
    const { nodes } = await startVoters([1, 2]);
    const [n1, n2] = nodes as [TestNode, TestNode];
    await sendUntilReceived(n1, vote(1, 2), n2); // only node 1 → node 2: node 1 has no inbound channel from 2
    expect(n1.server!.channels()).toEqual([]);
    await n2.stop();
    await waitFor('onPeerLost(2) on node 1', () => n1.lost.length > 0);
    for (let i = 0; i < 10; i++) n1.transport.send(vote(1, 2)); // dropped while node 2 is away
    await new Promise((r) => setTimeout(r, 300)); // several reconnect attempts (backoff 20..200 ms)
    expect(n1.lost).toEqual([2]);
  });

  it('onPeerLost fires on a voter when its last inbound channel from an observer closes', async () => {
    const { nodes, endpoints } = await startVoters([1]);
    const leader = nodes[0]!;
    const broker = startObserver(100, endpoints);
    await sendUntilReceived(broker, vote(100, 1), leader);
    await broker.stop();
    await waitFor('onPeerLost(100) on node 1', () => leader.lost.includes(100));
  });

  it('a message whose from differs from the authenticated peer is dropped and logged', async () => {
    const { nodes, endpoints } = await startVoters([1]);
    const n1 = nodes[0]!;
    const raw = new NetClient({
      endpoint: endpoints.get(1)!,
      self: { nodeId: 100, role: 'broker', clusterId: CLUSTER },
      logger: capturingLogger(),
    });
    try {
      await raw.request('ping', null); // connected and admitted as node 100
      raw.send({ raft: vote(2, 1) }); // claims to be node 2
      raw.send({ raft: vote(100, 7) }); // for another node
      raw.send({ raft: { from: 100, to: 1, body: { epoch: 1 } } }); // no kind
      raw.send({ raft: 'nonsense' });
      raw.send({ raft: vote(100, 1, 42) }); // a good one, after the others on the same connection
      await waitFor('the good message', () => n1.received.length > 0);
      expect(n1.received).toEqual([vote(100, 1, 42)]);
      const reasons = n1.log.lines.filter((l) => l.level === 'warn' && l.msg === 'dropped an invalid raft message').map((l) => l.fields['reason']);
      expect(reasons).toEqual([
        'from 2 on a connection authenticated as node 100',
        'addressed to node 7, this is node 1',
        'no body with a kind',
        'not an object',
      ]);
    } finally {
      await raw.close();
    }
  });

  it('a fetch response carries its batches as log frames: one whose CRC fails is dropped and logged, the next one arrives', async () => {
    const { nodes, endpoints } = await startVoters([1]);
    const n1 = nodes[0]!;
    const raw = new NetClient({ endpoint: endpoints.get(1)!, self: { nodeId: 100, role: 'broker', clusterId: CLUSTER }, logger: capturingLogger() });
    const batch = { baseOffset: 0, epoch: 1, appendTimeMs: 5, records: [Uint8Array.of(9, 8, 7)] };
    const response = (batches: unknown[]) => ({
      raft: { from: 100, to: 1, body: { kind: 'FetchResponse', fetchId: 1, error: 'NONE', epoch: 1, leaderId: 1, highWatermark: 0, logStartOffset: 0, batches, readRound: 0 } },
    });
    try {
      await raw.request('ping', null);
      const frame = Uint8Array.from(encodeBatch(batch));
      const flipped = Uint8Array.from(frame);
      flipped[flipped.length - 1]! ^= 0xff;
      raw.send(response([flipped]));
      raw.send(response([batch])); // the old form, an object: not a frame
      raw.send(response([frame]));
      await waitFor('the good response', () => n1.received.length > 0);
      expect(n1.received).toHaveLength(1);
      const got = n1.received[0]!.body as Extract<RaftMessage['body'], { kind: 'FetchResponse' }>;
      expect(got.batches.map((b) => ({ ...b, records: b.records.map((r) => [...r]) }))).toEqual([{ ...batch, records: [[9, 8, 7]] }]);
      const reasons = n1.log.lines.filter((l) => l.level === 'warn' && l.msg === 'dropped an invalid raft message').map((l) => String(l.fields['reason']));
      expect(reasons).toHaveLength(2);
      expect(reasons[0]).toMatch(/^batch 0 of a FetchResponse: crc32c mismatch/);
      expect(reasons[1]).toBe('batch 0 of a FetchResponse is not a log frame');
    } finally {
      await raw.close();
    }
  });

  it('a message on an outbound connection must come from the voter dialled', async () => {
    // Node 2's listener answers node 1's dial and then sends, over that same connection, a message claiming to be from 3.
    const { nodes } = await startVoters([1, 2]);
    const [n1, n2] = nodes as [TestNode, TestNode];
    await sendUntilReceived(n1, vote(1, 2), n2); // node 1 → node 2 connection is up
    const channel = n2.server!.channels().find((ch) => ch.peer.nodeId === 1)!;
    channel.send({ raft: vote(3, 1) });
    channel.send({ raft: vote(2, 1, 9) });
    await waitFor('the good message', () => n1.received.length > 0);
    expect(n1.received).toEqual([vote(2, 1, 9)]);
    expect(n1.log.lines.some((l) => l.level === 'warn' && l.fields['reason'] === 'from 3 on a connection authenticated as node 2')).toBe(true);
  });

  it('checkRaftMessage names what is wrong', () => {
    expect(checkRaftMessage(vote(2, 1), 2, 1)).toBeNull();
    expect(checkRaftMessage({ from: '2', to: 1, body: { kind: 'VoteRequest' } }, 2, 1)).toBe('from and to must be numbers');
    expect(checkRaftMessage({ from: 2, to: 1, body: { kind: 'Gossip' } }, 2, 1)).toBe('unknown kind Gossip');
    expect(isRaftFrame({ raft: 1 })).toBe(true);
    expect(isRaftFrame({ other: 1 })).toBe(false);
  });
});
