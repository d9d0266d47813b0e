// The metaquorum CLI with a V8 sampling profiler that is switched on and off by SIGUSR2, for
// `bench:metadata --cpu-prof <dir>`: unlike cluster/profiled-cli.ts (which profiles a node's whole
// life), this profiles only the timed window, so topic creation and the image replay do not drown
// the Metadata path. The first SIGUSR2 starts the profiler; the second stops it and writes
// $METAQUORUM_CPU_PROF_DIR/<node-dir>-<pid>-<n>.cpuprofile (Chrome DevTools, speedscope), then
// renames it from .tmp so a reader never sees half a file. Nodes that get no signal are not
// slowed. (SIGUSR1 is Node's inspector signal; the CLI does not use SIGUSR2.)

import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

const dir = process.env['METAQUORUM_CPU_PROF_DIR'];
if (dir === undefined || dir === '') throw new Error('metadata/profiled-cli: METAQUORUM_CPU_PROF_DIR is not set');
const configAt = process.argv.indexOf('--config');
const label = configAt > 0 ? basename(dirname(process.argv[configAt + 1] ?? 'node')) : 'node';

const session = new Session();
session.connect();
let running = false;
let written = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
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

await import('../../cli.js');
