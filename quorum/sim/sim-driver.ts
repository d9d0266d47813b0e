// What the simulator needs of the driver under test: RaftNode's public surface (quorum/runtime/
// raft-node.ts), written out structurally so the harness does not depend on the driver module
// itself and a test can plug in another implementation. The real one is in ./real-driver.ts.

import type { NodeEnv } from '../env/index.js';
import type { RaftConfig } from '../raft/config.js';
import type { RaftClient, StateMachine } from '../runtime/api.js';
import type { NodeInspection } from '../runtime/raft-node.js';

/** RaftNode.inspect(): a node's in-memory state, for checkers (a type-only import: no runtime dependency). */
export type DriverInspection = NodeInspection;

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
