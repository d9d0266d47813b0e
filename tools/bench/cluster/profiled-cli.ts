// The metaquorum CLI under the V8 sampling profiler, for `bench:cluster --cpu-prof <dir>`: Node 20
// refuses --cpu-prof in NODE_OPTIONS, and ProcessCluster spawns `node <cliPath> start ...`, so the
// bench points cliPath here instead. The profiler is switched by SIGUSR2 (profiler-toggle.ts): the
// bench sends one at the start and one at the end of each timed window, so a profile holds the
// steady state only (no start-up, setup or shutdown), written to
// $METAQUORUM_CPU_PROF_DIR/<node-dir>-<pid>-<window>.cpuprofile, readable by Chrome DevTools or
// speedscope.

import { basename, dirname } from 'node:path';
import { installProfilerToggle } from '../profiler-toggle.js';

const dir = process.env['METAQUORUM_CPU_PROF_DIR'];
if (dir === undefined || dir === '') throw new Error('profiled-cli: METAQUORUM_CPU_PROF_DIR is not set');
const configAt = process.argv.indexOf('--config');
installProfilerToggle(dir, configAt > 0 ? basename(dirname(process.argv[configAt + 1] ?? 'node')) : 'node');

await import('../../cli.js');
