// The first unexpected exit of a ProcessCluster's node: `failed` rejects with it, so a caller
// waiting for the cluster (dev while it starts, every timed phase of a bench) can race against it
// (`race`) instead of waiting out its bound. The message quotes the error the node logged last (a
// port in use, a directory another process holds) and names its log.

import type { ProcessCluster } from './process-cluster.js';

export interface NodeExit {
  readonly id: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ExitWatch {
  readonly failed: Promise<never>;
  private fail!: (e: Error) => void;

  /** `report` hears every exit, with a one-line description. */
  constructor(private readonly report: (line: string, exit: NodeExit) => void) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined); // raced by callers; a rejection nobody races is not unhandled
  }

  /** The ProcessCluster `onUnexpectedExit` handler. */
  onExit(cluster: () => ProcessCluster, label = 'node'): (id: number, code: number | null, signal: NodeJS.Signals | null) => void {
    return (id, code, signal) => {
      void cluster()
        .lastLoggedError(id)
        .then((logged) => {
          // Exit 0 is a graceful stop someone else asked for (a SIGTERM sent by hand): not a failure to report as one.
          const how = code === 0 && signal === null ? 'stopped gracefully (exit 0)' : `exited unexpectedly (${signal ?? `code ${code}`})${logged === null ? '' : `: ${logged}`}`;
          const what = `${label} ${id} ${how}; see ${cluster().node(id).logPath}`;
          this.report(what, { id, code, signal });
          this.fail(new Error(what));
        });
    };
  }

  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }
}
