// The metaquorum CLI with its memory sampled, for bench:scale: every second the process appends
// process.memoryUsage() (resident set, V8 heap used and total, external and ArrayBuffer bytes) as
// one JSON line to $METAQUORUM_MEM_DIR/<node-dir>-<pid>.jsonl. /proc says how much a node holds;
// this says where: the V8 heap (the image, the log's records, garbage not yet collected) or outside
// it (buffers, code). One synchronous append a second costs nothing measurable.
// With $METAQUORUM_CPU_PROF_DIR set as well, SIGUSR2 switches a V8 profiler on and off
// (../profiler-toggle.ts); with $METAQUORUM_CPU_PROF_FROM_START=1 it runs from the start.

import { appendFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { installProfilerToggle } from '../profiler-toggle.js';

export interface MemorySample {
  /** ms since the epoch. */
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

const dir = process.env['METAQUORUM_MEM_DIR'];
if (dir === undefined || dir === '') throw new Error('mem-sampled-cli: METAQUORUM_MEM_DIR is not set');
const configAt = process.argv.indexOf('--config');
const label = configAt > 0 ? basename(dirname(process.argv[configAt + 1] ?? 'node')) : 'node';
const file = join(dir, `${label}-${process.pid}.jsonl`);
const sample = () => {
  const m = process.memoryUsage();
  const s: MemorySample = { t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  try {
    appendFileSync(file, `${JSON.stringify(s)}\n`);
  } catch {
    // the bench removed its directory: nothing left to tell
  }
};
setInterval(sample, 1_000).unref();
sample();

const profileDir = process.env['METAQUORUM_CPU_PROF_DIR'] ?? '';
if (profileDir !== '') installProfilerToggle(profileDir, label, { startNow: process.env['METAQUORUM_CPU_PROF_FROM_START'] === '1' });

await import('../../cli.js');
