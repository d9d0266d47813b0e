// A node process's logs: pino NDJSON, one object per line, each carrying the node id, the role of
// the component that logged it (controller or broker) and the current quorum epoch, so that the
// lines of a whole cluster can be merged and read per epoch.

import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger } from '../../quorum/env/index.js';
import { pinoLogger } from '../../quorum/node/real-env.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface NodeLogging {
  readonly root: PinoLogger;
  /** A child logger for one component of the node. */
  forRole(role: 'controller' | 'broker' | 'node'): Logger;
  /** Where the epoch field comes from (the process's Raft node, once it exists). */
  setEpochSource(epoch: () => number): void;
}

export function nodeLogging(nodeId: number, level: LogLevel, destination: number = 1): NodeLogging {
  let epochOf: (() => number) | null = null;
  const root = pino(
    {
      level,
      base: { pid: process.pid, nodeId },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => (epochOf === null ? {} : { epoch: epochOf() }),
    },
    pino.destination({ dest: destination, sync: true }),
  );
  return {
    root,
    forRole: (role) => pinoLogger(root.child({ role })),
    setEpochSource: (fn) => {
      epochOf = fn;
    },
  };
}
