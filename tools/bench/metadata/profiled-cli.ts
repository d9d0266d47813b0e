// The metaquorum CLI with a V8 sampling profiler that is switched on and off by SIGUSR2, for
// `bench:metadata --cpu-prof <dir>`: unlike cluster/profiled-cli.ts (which profiles a node's whole
// life), this profiles only the timed window, so topic creation and the image replay do not drown
// the Metadata path. The first SIGUSR2 starts the profiler; the second stops it and writes
// $METAQUORUM_CPU_PROF_DIR/<node-dir>-<pid>-<n>.cpuprofile (../profiler-toggle.ts). Nodes that get
// no signal are not slowed.

import { basename, dirname } from 'node:path';
import { installProfilerToggle } from '../profiler-toggle.js';

const dir = process.env['METAQUORUM_CPU_PROF_DIR'];
if (dir === undefined || dir === '') throw new Error('metadata/profiled-cli: METAQUORUM_CPU_PROF_DIR is not set');
const configAt = process.argv.indexOf('--config');
installProfilerToggle(dir, configAt > 0 ? basename(dirname(process.argv[configAt + 1] ?? 'node')) : 'node');

await import('../../cli.js');
