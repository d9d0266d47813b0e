// A quorum of real nodes in one process: segment-file logs, quorum-state files and snapshot
// stores under one root directory, joined by the in-process transport. Used by `metaquorum dev`
// (until the multi-process cluster arrives) and by bench:raft.

import { join } from 'node:path';
import type { Logger, NodeEnv } from '../env/index.js';
import { raftConfig, type RaftConfig } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';
import type { StateMachine } from '../runtime/api.js';
import { RaftNode } from '../runtime/raft-node.js';
import { FileQuorumStateStore } from './file-quorum-state-store.js';
import { FileSnapshotStore } from './file-snapshot-store.js';
import { SegmentLogStorage } from './segment-log-storage.js';
import { LocalHub } from './local-transport.js';
import { realClock, realRandom } from './real-env.js';

export interface LocalCluster {
  readonly nodes: ReadonlyMap<NodeId, RaftNode>;
  leader(): RaftNode | undefined;
  /** Resolves with the leader once one has committed a record of its own epoch. */
  waitForLeader(timeoutMs: number): Promise<RaftNode>;
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  readonly root: string;
  readonly voters: readonly NodeId[];
  readonly stateMachine: (id: NodeId) => StateMachine;
  readonly logger: (id: NodeId) => Logger;
  readonly raft?: Partial<RaftConfig>;
  readonly onFatal?: (id: NodeId, error: unknown) => void;
}

export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const hub = new LocalHub();
  const nodes = new Map<NodeId, RaftNode>();
  const envs: NodeEnv[] = [];
  for (const id of o.voters) {
    const dir = join(o.root, `node-${id}`);
    const logger = o.logger(id);
    const env: NodeEnv = {
      clock: realClock,
      random: realRandom,
      transport: hub.transport(id),
      log: await SegmentLogStorage.open(join(dir, 'metadata-log'), logger),
      quorumStateStore: new FileQuorumStateStore(join(dir, 'quorum-state'), logger),
      snapshotStore: await FileSnapshotStore.open(join(dir, 'snapshots'), logger),
      logger,
    };
    const node = new RaftNode(env, raftConfig(id, o.voters, o.raft), o.stateMachine(id), {
      onFatal: (e) => o.onFatal?.(id, e),
    });
    envs.push(env);
    nodes.set(id, node);
  }
  for (const node of nodes.values()) await node.start();

  const leader = () => [...nodes.values()].find((n) => n.running && n.status().role === 'Leader');
  return {
    nodes,
    leader,
    async waitForLeader(timeoutMs) {
      const deadline = realClock.nowMs() + timeoutMs;
      while (realClock.nowMs() < deadline) {
        const l = leader();
        if (l !== undefined) {
          try {
            await l.readBarrier(); // it has committed in its epoch and still leads
            return l;
          } catch {
            // lost it meanwhile: look again
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no leader within ${timeoutMs} ms`);
    },
    async stop() {
      for (const n of nodes.values()) await n.stop();
      for (const e of envs) {
        await e.transport.close();
        await e.log.close();
      }
    },
  };
}
