// ExitWatch: how dev (and the benches) report a node's exit they did not ask for.

import { describe, expect, it } from 'vitest';
import { ExitWatch, type NodeExit } from '../../tools/server/exit-watch.js';
import type { ProcessCluster } from '../../tools/server/process-cluster.js';

function watched(logged: string | null): { lines: string[]; exit: (code: number | null, signal: NodeJS.Signals | null) => Promise<string> } {
  const lines: string[] = [];
  const watch = new ExitWatch((line: string, _exit: NodeExit) => lines.push(line));
  const cluster = { lastLoggedError: async () => logged, node: (id: number) => ({ logPath: `/data/node-${id}/node.log` }) } as unknown as ProcessCluster;
  const onExit = watch.onExit(() => cluster);
  return {
    lines,
    exit: async (code, signal) => {
      onExit(4, code, signal);
      return watch.failed.then(
        () => 'resolved',
        (e: Error) => e.message,
      );
    },
  };
}

describe('ExitWatch', () => {
  it('a kill or an error exit is unexpected, with the error the node logged last and its log', async () => {
    const w = watched('cannot listen on 127.0.0.1:9092: address already in use');
    expect(await w.exit(1, null)).toBe('node 4 exited unexpectedly (code 1): cannot listen on 127.0.0.1:9092: address already in use; see /data/node-4/node.log');
    expect(await watched(null).exit(null, 'SIGKILL')).toBe('node 4 exited unexpectedly (SIGKILL); see /data/node-4/node.log');
  });

  it('exit 0 (a SIGTERM sent by hand) is reported as a graceful stop, not as a failure', async () => {
    const w = watched(null);
    expect(await w.exit(0, null)).toBe('node 4 stopped gracefully (exit 0); see /data/node-4/node.log');
    expect(w.lines).toEqual(['node 4 stopped gracefully (exit 0); see /data/node-4/node.log']);
  });
});
