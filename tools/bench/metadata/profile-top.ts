// The hot spots of a V8 .cpuprofile (what `node --cpu-prof` and the inspector's Profiler.stop
// write), for bench:metadata --cpu-prof: time by function, self (the function's own code) and
// inclusive (it or anything it called; a recursive function counts once per sample), as shares of
// the busy samples (idle excluded). Functions are keyed by name and source position; sources are
// shown relative to dist/ or as node: built-ins.
//
// Also runnable on its own: node dist/tools/bench/metadata/profile-top.js <file.cpuprofile> [top]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly fn: string;
  readonly where: string;
  /** Milliseconds, and share of the busy samples. */
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly wallMs: number;
  readonly samples: number;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  readonly self: readonly HotSpot[];
  readonly inclusive: readonly HotSpot[];
}

function where(cf: CallFrame): string {
  if (cf.url === '') return '';
  let u = cf.url;
  const d = u.lastIndexOf('/dist/');
  if (d >= 0) u = u.slice(d + '/dist/'.length);
  else if (u.startsWith('file://')) u = u.slice('file://'.length);
  return `${u}:${cf.lineNumber + 1}`;
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${where(n.callFrame)}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  let busyUs = 0;
  // timeDeltas[i] is the time from sample i-1 to sample i; sample i stands for the interval after it.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(profile.samples[i]!);
    if (leaf === undefined) continue;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') {
      idleUs += dt;
      continue;
    }
    busyUs += dt;
    if (name === '(garbage collector)') gcUs += dt;
    const k = key(leaf);
    self.set(k, (self.get(k) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (n.callFrame.functionName === '(root)') break;
      const kk = key(n);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  const list = (m: Map<string, number>): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [fn, at] = k.split('\u0000');
        return { fn: fn!, where: at!, ms: us / 1000, share: busyUs > 0 ? us / busyUs : NaN };
      });
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    samples: profile.samples.length,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    self: list(self),
    inclusive: list(incl),
  };
}

export function readProfile(path: string, top = 15): ProfileSummary {
  return summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top);
}

export function formatProfile(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const row = (h: HotSpot) => `| ${pct(h.share)} | ${h.ms.toFixed(0)} ms | \`${h.fn}\` | ${h.where} |`;
  return [
    `${s.samples} samples over ${(s.wallMs / 1000).toFixed(1)} s: busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s, GC ${pct(s.gcMs / s.busyMs)} of busy`,
    '',
    'self time (share of busy):',
    '',
    '| share | time | function | source |',
    '| --- | --- | --- | --- |',
    ...s.self.map(row),
    '',
    'inclusive time (share of busy):',
    '',
    '| share | time | function | source |',
    '| --- | --- | --- | --- |',
    ...s.inclusive.map(row),
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/tools/bench/metadata/profile-top.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(readProfile(file, Number(process.argv[3] ?? 25)))}\n`);
}
