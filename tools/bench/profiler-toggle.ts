// A V8 sampling profiler inside a node process, switched by SIGUSR2, for the benchmarks'
// --cpu-prof: the first SIGUSR2 starts it, the next stops it and writes
// <dir>/<label>-<pid>-<n>.cpuprofile (Chrome DevTools, speedscope), renamed from .tmp so a reader
// never sees half a file; and so on. `startNow` starts it at once (a node's start-up is the window:
// bench:scale's broker cold start), so the first SIGUSR2 stops it. SIGUSR1 is Node's inspector
// signal; the CLI does not use SIGUSR2. Used by metadata/profiled-cli.ts and scale/mem-sampled-cli.ts.

import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export function installProfilerToggle(dir: string, label: string, o: { readonly startNow?: boolean } = {}): void {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  const start = () => {
    running = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
  };
  if (o.startNow === true) start();
  process.on('SIGUSR2', () => {
    if (!running) {
      start();
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (err !== null) return;
      const path = join(dir, `${label}-${process.pid}-${++written}.cpuprofile`);
      writeFileSync(`${path}.tmp`, JSON.stringify(result.profile));
      renameSync(`${path}.tmp`, path);
    });
  });
}
