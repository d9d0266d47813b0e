// The driver the simulator runs by default: the very RaftNode that ships (DESIGN §5, one code
// path for real and simulated runs). Kept in its own file so the rest of quorum/sim does not
// depend on the driver module.

import { RaftNode } from '../runtime/raft-node.js';
import type { DriverFactory } from './sim-driver.js';

export const realDriverFactory: DriverFactory = (env, config, stateMachine, hooks) =>
  new RaftNode(env, config, stateMachine, { onFatal: hooks.onFatal });
