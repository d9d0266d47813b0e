// The metaquorum CLI under the V8 sampling profiler, for `bench:cluster --cpu-prof <dir>`: Node 20
// refuses --cpu-prof in NODE_OPTIONS, and ProcessCluster spawns `node <cliPath> start ...`, so the
// bench points cliPath here instead. The profiler starts before the CLI is loaded; when the process
// exits (a clean stop: SIGTERM, then process.exit) the profile is written to
// $METAQUORUM_CPU_PROF_DIR/<node-dir>-<pid>.cpuprofile, readable by Chrome DevTools or speedscope.
// A node killed with SIGKILL writes nothing.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

const dir = process.env['METAQUORUM_CPU_PROF_DIR'];
if (dir === undefined || dir === '') throw new Error('profiled-cli: METAQUORUM_CPU_PROF_DIR is not set');
const configAt = process.argv.indexOf('--config');
const label = configAt > 0 ? basename(dirname(process.argv[configAt + 1] ?? 'node')) : 'node';

const session = new Session();
session.connect();
// The main-thread session answers synchronously, so the exit handler can still collect.
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.once('exit', () => {
  session.post('Profiler.stop', (err, result) => {
    if (err === null) writeFileSync(join(dir, `${label}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});

await import('../../cli.js');
