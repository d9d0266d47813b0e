// The Transport of the seam (quorum/env) over the internal protocol, for nodes in separate
// processes; quorum/node/local-transport.ts is its in-process twin.
//
// Routes: a message to a voter goes over an outbound NetClient to that voter's endpoint, dialled
// on first use (a voter dials every other voter at start: connectVoters) and kept up
// (reconnecting with backoff); a message to any other node (an observer:
// a broker fetching the metadata log) goes back over the inbound channel from that node that last
// carried Raft traffic (the same node also opens RPC-only connections), as registered by the
// node's NetServer with attachInbound/detachInbound. While a voter's
// own connection is down, a channel that voter opened to us is used instead; with neither, a
// message to a voter whose connection is being dialled waits for it (NetClient.hold). No route:
// the message is dropped (Raft retries).
//
// On the wire a Raft message is the one-way frame { raft: RaftMessage }, so the same connection can
// carry other one-way messages. A FetchResponse's batches travel as their log frames (batch-codec:
// length, CRC32C, msgpack; the bytes the leader wrote to its own disk, encoded once however many
// replicas fetch them), and are decoded and CRC-checked on arrival; a receiver writes those same
// bytes to its disk. Every inbound message is checked before the core sees it: its
// shape, `from` equal to the peer the handshake authenticated, `to` equal to this node; a message
// failing a check is dropped with a warn line, never an exception. onPeerLost(nodeId) fires when a
// connected outbound connection to a voter drops, or the last inbound channel from a node closes,
// so that a follower whose leader's process died starts a pre-vote at once. The frame's encoding
// and checks are in raft-wire.ts (the simulator sends its messages through them too).

import type { Logger, Transport } from '../env/index.js';
import type { NodeId, RaftMessage } from '../raft/types.js';
import { NetClient } from './client.js';
import { isRaftFrame, raftMessageToWire, receiveRaftMessage, type RaftFrame } from './raft-wire.js';
import type { Endpoint, PeerChannel, PeerIdentity, TlsMaterial } from './types.js';

export interface TcpRaftTransportOptions {
  /** This node; its nodeId is the `to` of every message it accepts. */
  readonly self: PeerIdentity;
  /** The voters' controller endpoints (an entry for this node itself is never used). */
  readonly voters: ReadonlyMap<NodeId, Endpoint>;
  /** Present ⇒ outbound connections use SSL. */
  readonly tls?: TlsMaterial;
  readonly logger: Logger;
  readonly maxFrameBytes?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
}

export class TcpRaftTransport implements Transport {
  private readonly outbound = new Map<NodeId, NetClient>();
  /** Inbound channels per node, most recent last. */
  private readonly inbound = new Map<NodeId, PeerChannel[]>();
  private handler: ((message: RaftMessage) => void) | null = null;
  private onPeerLost: ((nodeId: NodeId) => void) | null = null;
  private closed = false;

  constructor(private readonly o: TcpRaftTransportOptions) {}

  send(message: RaftMessage): void {
    if (this.closed || message.to === this.o.self.nodeId) return;
    const frame: RaftFrame = { raft: raftMessageToWire(message) };
    // A voter's own connection first; while it is down, a connection the voter opened to us.
    const client = this.clientFor(message.to);
    if (client !== null && client.send(frame)) return;
    const channels = this.inbound.get(message.to);
    const channel = channels?.[channels.length - 1];
    if (channel !== undefined) channel.send(frame);
    // No route yet, but our connection to the voter is being dialled: it goes out once that is up.
    else client?.hold(frame);
  }

  /**
   * Dials every voter now instead of at the first message to it. A voter calls this at start: a
   * follower sends nothing to the other followers until the leader is lost, and then the first
   * pre-vote waited for a connect and a handshake (milliseconds; a TLS handshake more). The
   * survivors stand after independent random jitters; any delay in the pre-vote's round trip
   * widens the window in which both get a grant, both stand, and the vote splits (a second
   * election, half a second or more). Fresh clusters split on about one first failover in five
   * before this.
   */
  connectVoters(): void {
    if (this.closed) return;
    for (const id of this.o.voters.keys()) if (id !== this.o.self.nodeId) this.clientFor(id);
  }

  onReceive(handler: (message: RaftMessage) => void, onPeerLost?: (nodeId: NodeId) => void): void {
    this.handler = handler;
    this.onPeerLost = onPeerLost ?? null;
  }

  /** A connection the node's server admitted: replies to that node may go back over it. */
  attachInbound(channel: PeerChannel): void {
    if (this.closed || channel.peer.role === 'tool') return;
    const id = channel.peer.nodeId;
    const list = this.inbound.get(id) ?? [];
    // Last in the list is where replies go; a new connection earns that place by carrying Raft
    // traffic (deliverInbound), since the same node also opens connections for RPCs only.
    list.unshift(channel);
    this.inbound.set(id, list);
  }

  detachInbound(channel: PeerChannel): void {
    const id = channel.peer.nodeId;
    const list = this.inbound.get(id);
    if (list === undefined) return;
    const at = list.indexOf(channel);
    if (at < 0) return;
    list.splice(at, 1);
    if (list.length > 0) return;
    this.inbound.delete(id);
    if (!this.closed) this.onPeerLost?.(id);
  }

  /** A one-way frame received on an inbound channel; false when it is not a Raft frame. */
  deliverInbound(channel: PeerChannel, frame: unknown): boolean {
    if (!isRaftFrame(frame)) return false;
    const list = this.inbound.get(channel.peer.nodeId);
    if (list !== undefined && list[list.length - 1] !== channel) {
      const at = list.indexOf(channel);
      if (at >= 0) {
        list.splice(at, 1);
        list.push(channel);
      }
    }
    this.deliver(frame.raft, channel.peer.nodeId, channel.remoteAddress);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inbound.clear();
    const clients = [...this.outbound.values()];
    this.outbound.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  // -------------------------------------------------------------------------------------------

  private deliver(message: unknown, peerNodeId: NodeId, remote: string): void {
    if (this.closed) return;
    const received = receiveRaftMessage(message, peerNodeId, this.o.self.nodeId);
    if ('problem' in received) {
      this.o.logger.warn({ remote, peerNodeId, reason: received.problem }, 'dropped an invalid raft message');
      return;
    }
    this.handler?.(received.message);
  }

  /** The outbound client to a voter (created on first use), or null for a non-voter. */
  private clientFor(nodeId: NodeId): NetClient | null {
    const existing = this.outbound.get(nodeId);
    if (existing !== undefined) return existing;
    const endpoint = this.o.voters.get(nodeId);
    if (endpoint === undefined) return null;
    const { o } = this;
    const where = `${endpoint.host}:${endpoint.port}`;
    const client = new NetClient({
      endpoint,
      self: o.self,
      expect: o.self.clusterId === null ? { nodeId, role: 'controller' } : { nodeId, clusterId: o.self.clusterId, role: 'controller' },
      ...(o.tls !== undefined ? { tls: o.tls } : {}),
      ...(o.maxFrameBytes !== undefined ? { maxFrameBytes: o.maxFrameBytes } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.reconnectBackoffMs !== undefined ? { reconnectBackoffMs: o.reconnectBackoffMs } : {}),
      ...(o.reconnectBackoffMaxMs !== undefined ? { reconnectBackoffMaxMs: o.reconnectBackoffMaxMs } : {}),
      logger: o.logger,
      onMessage: (m) => {
        if (isRaftFrame(m)) this.deliver(m.raft, nodeId, where);
        else o.logger.debug({ remote: where }, 'ignored a non-raft message on a raft connection');
      },
      onDisconnected: () => {
        if (!this.closed) this.onPeerLost?.(nodeId);
      },
    });
    this.outbound.set(nodeId, client);
    client.connect();
    return client;
  }
}
