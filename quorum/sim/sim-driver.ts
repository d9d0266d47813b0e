// What the simulator needs of the driver under test: RaftNode's public surface (quorum/runtime/
// raft-node.ts), written out structurally so the harness does not depend on the driver module
// itself and a test can plug in another implementation. The real one is in ./real-driver.ts.

import type { NodeEnv } from '../env/index.js';
import type { RaftConfig } from '../raft/config.js';
import type { LogBatch, NodeId, RoleName, SnapshotId } from '../raft/types.js';
import type { RaftClient, StateMachine } from '../runtime/api.js';

/** RaftNode.inspect(): a node's in-memory state, for checkers. */
export interface DriverInspection {
  readonly nodeId: NodeId;
  readonly isVoter: boolean;
  readonly role: RoleName;
  readonly epoch: number;
  readonly leaderId: NodeId | null;
  readonly votedId: NodeId | null;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly flushedEndOffset: number;
  readonly appliedOffset: number;
  readonly batches: readonly LogBatch[];
  readonly latestSnapshot: SnapshotId | null;
}

export interface SimDriver extends RaftClient {
  start(): Promise<void>;
  stop(): Promise<void>;
  halt(): void;
  inspect(): DriverInspection;
}

export interface DriverHooks {
  /** The driver stopped itself on an error it cannot go on from (an assertion, a storage error). */
  readonly onFatal: (error: unknown) => void;
}

export type DriverFactory = (env: NodeEnv, config: RaftConfig, stateMachine: StateMachine, hooks: DriverHooks) => SimDriver;
