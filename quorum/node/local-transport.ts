// An in-process Transport: nodes of one process exchange message objects through a hub, each
// delivery on a later turn of the event loop (as a socket would). For benchmarks and tests that
// run several real nodes (real storage, real clock) in one process; the TCP transport is for
// separate processes.

import type { Transport } from '../env/index.js';
import type { NodeId, RaftMessage } from '../raft/types.js';

type Receiver = { onMessage: (m: RaftMessage) => void; onPeerLost?: (id: NodeId) => void };

export class LocalHub {
  private readonly receivers = new Map<NodeId, Receiver>();
  private queue: RaftMessage[] = [];
  private scheduled = false;
  delivered = 0;

  transport(nodeId: NodeId): Transport {
    return {
      send: (m) => this.enqueue(m),
      onReceive: (onMessage, onPeerLost) => {
        this.receivers.set(nodeId, onPeerLost === undefined ? { onMessage } : { onMessage, onPeerLost });
      },
      close: async () => {
        this.receivers.delete(nodeId);
        for (const [id, r] of this.receivers) if (id !== nodeId) r.onPeerLost?.(nodeId);
      },
    };
  }

  private enqueue(m: RaftMessage): void {
    this.queue.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      const r = this.receivers.get(m.to);
      if (r === undefined) continue;
      this.delivered++;
      r.onMessage(m);
    }
  }
}
