// A Raft message on the wire between nodes: the one-way frame { raft: message }, a FetchResponse's
// batches carried as their log frames (batch-codec: length, CRC32C, msgpack), and the checks every
// received message passes before a core sees it (its shape, `from` equal to the authenticated peer,
// `to` equal to this node, every frame intact). Pure: the TCP transport uses it, and so does the
// simulated network when it serializes, so that simulated runs exercise the same checks.

import { BatchCorruptError, decodeBatch, encodedBatch } from '../node/batch-codec.js';
import type { LogBatch, NodeId, RaftMessage, RaftMessageBody } from '../raft/types.js';

/** A Raft message as framed on the wire (raftMessageToWire: a FetchResponse's batches as log frames). */
export interface RaftFrame {
  readonly raft: ReturnType<typeof raftMessageToWire>;
}

const RAFT_KINDS: ReadonlySet<RaftMessageBody['kind']> = new Set<RaftMessageBody['kind']>([
  'VoteRequest',
  'VoteResponse',
  'BeginQuorumEpochRequest',
  'BeginQuorumEpochResponse',
  'EndQuorumEpochRequest',
  'EndQuorumEpochResponse',
  'FetchRequest',
  'FetchResponse',
  'FetchSnapshotRequest',
  'FetchSnapshotResponse',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** True for a one-way frame carrying a Raft message (its content is checked on delivery). */
export function isRaftFrame(m: unknown): m is { readonly raft: unknown } {
  return isRecord(m) && 'raft' in m;
}

/** Why `m` may not be handed to the core, or null when it may. */
export function checkRaftMessage(m: unknown, expectedFrom: NodeId, self: NodeId): string | null {
  if (!isRecord(m)) return 'not an object';
  const { from, to, body } = m;
  if (typeof from !== 'number' || typeof to !== 'number') return 'from and to must be numbers';
  if (!isRecord(body) || typeof body['kind'] !== 'string') return 'no body with a kind';
  if (!RAFT_KINDS.has(body['kind'] as RaftMessageBody['kind'])) return `unknown kind ${body['kind'].slice(0, 40)}`;
  if (from !== expectedFrom) return `from ${from} on a connection authenticated as node ${expectedFrom}`;
  if (to !== self) return `addressed to node ${to}, this is node ${self}`;
  return null;
}

/** The message as it goes on the wire: a FetchResponse's batches as their frames. */
export function raftMessageToWire(message: RaftMessage): RaftMessage | { readonly from: NodeId; readonly to: NodeId; readonly body: unknown } {
  const body = message.body;
  if (body.kind !== 'FetchResponse' || body.batches.length === 0) return message;
  return { ...message, body: { ...body, batches: body.batches.map(encodedBatch) } };
}

/**
 * A received message back in the core's terms (a FetchResponse's frames decoded into batches), or
 * why it cannot be: a frame that is not bytes, fails its CRC or does not decode.
 */
export function raftMessageFromWire(m: Record<string, unknown>): { message: unknown } | { problem: string } {
  const body = m['body'];
  if (!isRecord(body) || body['kind'] !== 'FetchResponse' || !Array.isArray(body['batches']) || body['batches'].length === 0) return { message: m };
  const frames = body['batches'] as unknown[];
  const batches: LogBatch[] = new Array<LogBatch>(frames.length);
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (!(frame instanceof Uint8Array)) return { problem: `batch ${i} of a FetchResponse is not a log frame` };
    try {
      batches[i] = decodeBatch(frame);
    } catch (e) {
      if (e instanceof BatchCorruptError) return { problem: `batch ${i} of a FetchResponse: ${e.reason}` };
      throw e;
    }
  }
  return { message: { ...m, body: { ...body, batches } } };
}

/** A received message ready for the core, or why the receiver must drop it. */
export function receiveRaftMessage(message: unknown, expectedFrom: NodeId, self: NodeId): { readonly message: RaftMessage } | { readonly problem: string } {
  const problem = checkRaftMessage(message, expectedFrom, self);
  if (problem !== null) return { problem };
  const r = raftMessageFromWire(message as Record<string, unknown>);
  return 'problem' in r ? r : { message: r.message as RaftMessage };
}
