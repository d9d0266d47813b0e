// SegmentLogStorage under simulated crashes, a model check of its file-system calls (from a review
// of preallocation): random workloads run against the real storage while every mutating call it
// makes is recorded (vi.mock of node:fs and node:fs/promises); the trace is replayed on a model
// with a durable and a volatile state per file and for the directory, and at every crash point
// (after each call) post-crash directories are built: a kill (the page cache survives) and power
// losses (the synced state plus any subset of the unsynced writes, torn at 512-byte sectors, and of
// the unsynced directory operations, or only a prefix of them in time; the size persisted without
// the data). Each is opened and loaded: load() must not refuse, must keep every acknowledged batch
// (an append with sync that returned), must keep nothing never written, and the log must then take
// appends across two rolls and reopen cleanly. Found: a truncateFrom that emptied the first
// segment made it durable before the unlinks of the later ones, and a roll could create a segment
// whose directory entry outlived the previous one's (both read as a gap and refused at open). The
// workloads include restartAt (an observer discarding its log), whose unlinks must go newest first.
// CRASH_SIM_SEEDS / _STEPS / _SAMPLES make a longer run.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import type { LogBatch } from '../../quorum/raft/types.js';
import { SegmentLogStorage } from '../../quorum/node/segment-log-storage.js';
import { LOG_START_FILE } from '../../quorum/node/segment-files.js';
import { silentLogger } from '../../quorum/env/index.js';

type Ev =
  | { t: 'open'; fd: number; path: string; create: boolean }
  | { t: 'write'; fd: number; pos: number; data: Buffer }
  | { t: 'ftrunc'; fd: number; len: number }
  | { t: 'trunc'; path: string; len: number }
  | { t: 'sync'; fd: number }
  | { t: 'unlink'; path: string }
  | { t: 'rename'; from: string; to: string; content: Buffer }
  | { t: 'mark'; what: string; n: number; must: Key[]; logStart: number; inProgress?: { kind: 'truncate' | 'deletePrefix' | 'restartAt'; offset: number } };

interface Key {
  base: number;
  end: number;
  id: string;
}

const rec = vi.hoisted(() => ({ on: false, root: '', events: [] as unknown[] }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const { resolve: res } = await import('node:path');
  const mine = (p: unknown) => rec.on && res(String(p)).startsWith(rec.root);
  const known = new Set<number>();
  return {
    ...fs,
    openSync: ((path: string, flags: string, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(path, flags, ...rest);
      if (mine(path)) {
        known.add(fd);
        rec.events.push({ t: 'open', fd, path: res(path), create: flags === 'wx' });
      } else known.delete(fd);
      return fd;
    }) as typeof fs.openSync,
    writevSync: ((fd: number, bufs: NodeJS.ArrayBufferView[], pos?: number) => {
      const n = fs.writevSync(fd, bufs, pos);
      if (rec.on && known.has(fd)) rec.events.push({ t: 'write', fd, pos, data: Buffer.concat(bufs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))) });
      return n;
    }) as typeof fs.writevSync,
    writeSync: ((fd: number, buf: Buffer, off: number, len: number, pos: number) => {
      const n = fs.writeSync(fd, buf, off, len, pos);
      if (rec.on && known.has(fd)) rec.events.push({ t: 'write', fd, pos, data: Buffer.from(buf.subarray(off, off + len)) });
      return n;
    }) as typeof fs.writeSync,
    ftruncateSync: ((fd: number, len: number) => {
      fs.ftruncateSync(fd, len);
      if (rec.on && known.has(fd)) rec.events.push({ t: 'ftrunc', fd, len });
    }) as typeof fs.ftruncateSync,
    fdatasyncSync: (fd: number) => {
      fs.fdatasyncSync(fd);
      if (rec.on && known.has(fd)) rec.events.push({ t: 'sync', fd });
    },
    fsyncSync: (fd: number) => {
      fs.fsyncSync(fd);
      if (rec.on && known.has(fd)) rec.events.push({ t: 'sync', fd });
    },
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  const { resolve: res } = await import('node:path');
  const { readFileSync: rf } = await vi.importActual<typeof import('node:fs')>('node:fs');
  const mine = (p: unknown) => rec.on && res(String(p)).startsWith(rec.root);
  return {
    ...fsp,
    truncate: async (path: string, len?: number) => {
      await fsp.truncate(path, len);
      if (mine(path)) rec.events.push({ t: 'trunc', path: res(path), len: len ?? 0 });
    },
    unlink: async (path: string) => {
      await fsp.unlink(path);
      if (mine(path)) rec.events.push({ t: 'unlink', path: res(path) });
    },
    rename: async (from: string, to: string) => {
      const content = mine(to) ? rf(from) : undefined;
      await fsp.rename(from, to);
      if (content !== undefined) rec.events.push({ t: 'rename', from: res(from), to: res(to), content });
    },
  };
});

// ---- the model ----

type FileOp = { k: 'w'; pos: number; data: Buffer } | { k: 't'; len: number };
interface Inode {
  vol: Buffer;
  dur: Buffer;
  pending: FileOp[];
}
type DirOp = { k: 'set'; name: string; ino: number } | { k: 'del'; name: string };

function applyOp(b: Buffer, op: FileOp): Buffer {
  if (op.k === 't') return op.len <= b.length ? Buffer.from(b.subarray(0, op.len)) : Buffer.concat([b, Buffer.alloc(op.len - b.length)]);
  const end = op.pos + op.data.length;
  const out = end > b.length ? Buffer.concat([b, Buffer.alloc(end - b.length)]) : Buffer.from(b);
  op.data.copy(out, op.pos);
  return out;
}

class Model {
  inodes: Inode[] = [];
  vol = new Map<string, number>();
  dur = new Map<string, number>();
  pendingDir: DirOp[] = [];
  fds = new Map<number, number | 'dir'>();
  constructor(readonly dir: string) {}

  /** Files present before recording began: durable. */
  seed(files: Map<string, Buffer>): void {
    for (const [name, content] of files) {
      const ino = this.inodes.push({ vol: content, dur: content, pending: [] }) - 1;
      this.vol.set(name, ino);
      this.dur.set(name, ino);
    }
  }

  private dirOp(op: DirOp): void {
    if (op.k === 'set') this.vol.set(op.name, op.ino);
    else this.vol.delete(op.name);
    this.pendingDir.push(op);
  }

  private fileOp(ino: number, op: FileOp): void {
    const i = this.inodes[ino]!;
    i.vol = applyOp(i.vol, op);
    i.pending.push(op);
  }

  apply(e: Ev): void {
    switch (e.t) {
      case 'open': {
        if (e.path === this.dir) {
          this.fds.set(e.fd, 'dir');
          return;
        }
        const name = basename(e.path);
        if (e.create) {
          const ino = this.inodes.push({ vol: Buffer.alloc(0), dur: Buffer.alloc(0), pending: [] }) - 1;
          this.dirOp({ k: 'set', name, ino });
          this.fds.set(e.fd, ino);
        } else {
          const ino = this.vol.get(name);
          if (ino === undefined) throw new Error(`model: open of missing ${name}`);
          this.fds.set(e.fd, ino);
        }
        return;
      }
      case 'write':
        this.fileOp(this.fd(e.fd), { k: 'w', pos: e.pos, data: e.data });
        return;
      case 'ftrunc':
        this.fileOp(this.fd(e.fd), { k: 't', len: e.len });
        return;
      case 'trunc': {
        const ino = this.vol.get(basename(e.path));
        if (ino === undefined) throw new Error(`model: truncate of missing ${e.path}`);
        this.fileOp(ino, { k: 't', len: e.len });
        return;
      }
      case 'sync': {
        const f = this.fds.get(e.fd);
        if (f === 'dir') {
          this.dur = new Map(this.vol);
          this.pendingDir = [];
        } else if (f !== undefined) {
          const i = this.inodes[f]!;
          i.dur = i.vol;
          i.pending = [];
        }
        return;
      }
      case 'unlink':
        this.dirOp({ k: 'del', name: basename(e.path) });
        return;
      case 'rename': {
        const ino = this.inodes.push({ vol: e.content, dur: e.content, pending: [] }) - 1;
        this.dirOp({ k: 'set', name: basename(e.to), ino });
        return;
      }
      case 'mark':
        return;
    }
  }

  private fd(fd: number): number {
    const f = this.fds.get(fd);
    if (f === undefined || f === 'dir') throw new Error(`model: write to unknown fd ${fd}`);
    return f;
  }

  /** What the directory holds after a kill: the page cache. */
  killState(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const [name, ino] of this.vol) out.set(name, this.inodes[ino]!.vol);
    return out;
  }

  /** After a power loss: durable state plus a chosen part of what was pending. */
  powerState(rnd: () => number, mode: 'subset' | 'prefix' | 'none' | 'all-dir-none-data' | 'writeback'): Map<string, Buffer> {
    const names = new Map(this.dur);
    let dirOps: DirOp[];
    if (mode === 'none' || mode === 'all-dir-none-data') dirOps = mode === 'none' ? [] : this.pendingDir;
    else if (mode === 'prefix') dirOps = this.pendingDir.slice(0, Math.floor(rnd() * (this.pendingDir.length + 1)));
    else dirOps = this.pendingDir.filter(() => rnd() < 0.5);
    for (const op of dirOps) {
      if (op.k === 'set') names.set(op.name, op.ino);
      else names.delete(op.name);
    }
    const out = new Map<string, Buffer>();
    for (const [name, ino] of names) {
      const i = this.inodes[ino]!;
      let b = i.dur;
      if (mode === 'none' || mode === 'all-dir-none-data') {
        // nothing pending persisted
      } else if (mode === 'writeback') {
        // the size (metadata) persisted, the pending data did not: zeros where it was written
        b = Buffer.concat([i.dur.subarray(0, Math.min(i.dur.length, i.vol.length)), Buffer.alloc(Math.max(0, i.vol.length - i.dur.length))]);
      } else {
        const ops = mode === 'prefix' ? i.pending.slice(0, Math.floor(rnd() * (i.pending.length + 1))) : i.pending;
        for (const op of ops) {
          if (op.k === 't') {
            if (mode === 'prefix' || rnd() < 0.5) b = applyOp(b, op);
            continue;
          }
          if (mode === 'prefix') {
            b = applyOp(b, op);
            continue;
          }
          // subset: each 512-byte sector of the write lands or not
          for (let s = Math.floor(op.pos / 512) * 512; s < op.pos + op.data.length; s += 512) {
            if (rnd() < 0.5) continue;
            const from = Math.max(s, op.pos);
            const to = Math.min(s + 512, op.pos + op.data.length);
            b = applyOp(b, { k: 'w', pos: from, data: op.data.subarray(from - op.pos, to - op.pos) });
          }
        }
      }
      out.set(name, b);
    }
    return out;
  }
}

// ---- the workload ----

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const idOf = (b: LogBatch) => `${b.baseOffset}@${b.epoch}:${b.records.length}:${b.records[0]?.length ?? 0}:${b.records[0]?.[0] ?? 0}`;
const endOf = (b: LogBatch) => b.baseOffset + (b.control ? 1 : b.records.length);
const keyOf = (b: LogBatch): Key => ({ base: b.baseOffset, end: endOf(b), id: idOf(b) });

interface Trace {
  seed: number;
  seg: number;
  events: Ev[];
  ops: string[];
  initial: Map<string, Buffer>;
  written: Set<string>;
}

async function runWorkload(seed: number, segmentBytes: number, recordBytes: [number, number], steps: number, workDir: string): Promise<Trace> {
  const rnd = mulberry32(seed);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  rec.root = resolve(workDir);
  rec.events = [];
  const events = rec.events as Ev[];
  const written = new Set<string>();
  const ops: string[] = [];
  let epoch = 1;
  let cur: LogBatch[] = [];
  let must: Key[] = [];
  let logStart = 0;
  const mark = (what: string, inProgress?: { kind: 'truncate' | 'deletePrefix' | 'restartAt'; offset: number }) =>
    events.push({ t: 'mark', what, n: ops.length, must: must.slice(), logStart, ...(inProgress ? { inProgress } : {}) });
  let log = await SegmentLogStorage.open(workDir, silentLogger, segmentBytes);
  await log.load();
  rec.on = true;
  mark('start');
  for (let step = 0; step < steps; step++) {
    const r = rnd();
    const end = log.logEndOffset;
    if (r < 0.68) {
      const n = 1 + Math.floor(rnd() * 3);
      const sync = rnd() < 0.6;
      const batches: LogBatch[] = [];
      let at = end;
      epoch++;
      for (let i = 0; i < n; i++) {
        const count = 1 + Math.floor(rnd() * 3);
        const size = recordBytes[0] + Math.floor(rnd() * (recordBytes[1] - recordBytes[0]));
        const b: LogBatch = { baseOffset: at, epoch, appendTimeMs: step, records: Array.from({ length: count }, () => new Uint8Array(size).fill((epoch * 7 + at) % 251 || 1)) };
        batches.push(b);
        written.add(idOf(b));
        at = endOf(b);
      }
      ops.push(`append ${batches.map((b) => `[${b.baseOffset},${endOf(b)})`).join('')} sync=${sync}`);
      await log.append(batches, sync);
      cur.push(...batches);
      if (sync) must = cur.map(keyOf);
      mark(ops.at(-1)!);
    } else if (r < 0.78 && end > logStart) {
      const offset = logStart + Math.floor(rnd() * (end - logStart));
      ops.push(`truncateFrom ${offset}`);
      mark(`begin ${ops.at(-1)}`, { kind: 'truncate', offset });
      await log.truncateFrom(offset);
      cur = cur.filter((b) => endOf(b) <= offset);
      must = must.filter((k) => k.end <= offset);
      mark(ops.at(-1)!);
    } else if (r < 0.86) {
      const offset = logStart + Math.floor(rnd() * (end - logStart + 6));
      if (offset === logStart) continue;
      ops.push(`deletePrefix ${offset}`);
      mark(`begin ${ops.at(-1)}`, { kind: 'deletePrefix', offset });
      await log.deletePrefix(offset);
      logStart = offset;
      if (offset >= end) cur = [];
      cur = cur.filter((b) => endOf(b) > offset);
      // deletePrefix syncs the active segment first: everything written is durable now
      must = cur.map(keyOf);
      mark(ops.at(-1)!);
    } else if (r < 0.91) {
      ops.push('reopen');
      await log.close();
      log = await SegmentLogStorage.open(workDir, silentLogger, segmentBytes);
      const loaded = await log.load();
      cur = loaded.batches.slice();
      must = cur.map(keyOf);
      mark('reopen');
    } else if (r < 0.96) {
      // An observer discarding its copy: the new start may be below the old one, or above the end.
      const offset = Math.floor(rnd() * (end + 6));
      ops.push(`restartAt ${offset}`);
      mark(`begin ${ops.at(-1)}`, { kind: 'restartAt', offset });
      await log.restartAt(offset);
      logStart = offset;
      cur = [];
      must = [];
      mark(ops.at(-1)!);
    } else {
      ops.push('flush');
      await log.append([], true);
      must = cur.map(keyOf);
      mark('flush');
    }
  }
  rec.on = false;
  await log.close();
  return { seed, seg: segmentBytes, events, ops, initial: new Map(), written };
}

interface Failure {
  where: string;
  reason: string;
}

async function checkState(files: Map<string, Buffer>, m: Ev & { t: 'mark' }, trace: Trace, checkDir: string, segmentBytes: number): Promise<string | undefined> {
  rmSync(checkDir, { recursive: true, force: true });
  mkdirSync(checkDir, { recursive: true });
  for (const [name, content] of files) if (name.endsWith('.log') || name === LOG_START_FILE) writeFileSync(join(checkDir, name), content);
  let log: SegmentLogStorage | undefined;
  try {
    log = await SegmentLogStorage.open(checkDir, silentLogger, segmentBytes);
    let loaded;
    try {
      loaded = await log.load();
    } catch (e) {
      return `load() threw: ${(e as Error).message.slice(0, 300)}`;
    }
    const allowedStarts = new Set([m.logStart, ...(m.inProgress?.kind === 'deletePrefix' || m.inProgress?.kind === 'restartAt' ? [m.inProgress.offset] : [])]);
    if (!allowedStarts.has(loaded.logStartOffset)) return `log start ${loaded.logStartOffset}, expected one of ${[...allowedStarts]}`;
    const got = new Map(loaded.batches.map((b) => [b.baseOffset, idOf(b)]));
    for (const b of loaded.batches) if (!trace.written.has(idOf(b))) return `kept a batch never written: ${idOf(b)}`;
    for (const k of m.must) {
      if (k.end <= loaded.logStartOffset) continue;
      if (m.inProgress?.kind === 'truncate' && k.end > m.inProgress.offset) continue;
      if (m.inProgress?.kind === 'restartAt') break; // every batch may be gone (what is kept is checked below)
      if (got.get(k.base) !== k.id) return `lost acknowledged batch ${k.id} [${k.base},${k.end}) (loaded ${loaded.batches.map((b) => `[${b.baseOffset},${endOf(b)})`).join('')} start ${loaded.logStartOffset}${loaded.recovered ? `, recovered: ${loaded.recovered.reason}` : ''})`;
    }
    // The log goes on: appends across at least two rolls, then a clean reopen.
    const before = loaded.batches.map(idOf);
    const added: string[] = [];
    let at = log.logEndOffset;
    const big = Math.max(8, Math.floor(segmentBytes / 3));
    for (let i = 0; i < 7; i++) {
      const b: LogBatch = { baseOffset: at, epoch: 99999, appendTimeMs: i, records: [new Uint8Array(big).fill(5)] };
      await log.append([b], i % 2 === 0);
      added.push(idOf(b));
      at = endOf(b);
    }
    await log.append([], true);
    await log.close();
    log = await SegmentLogStorage.open(checkDir, silentLogger, segmentBytes);
    let again;
    try {
      again = await log.load();
    } catch (e) {
      return `after load + appends, a reopen threw: ${(e as Error).message.slice(0, 300)}`;
    }
    const want = [...before, ...added];
    const have = again.batches.map(idOf);
    if (again.recovered) return `after load + appends, the reopen cut: ${again.recovered.reason}`;
    if (JSON.stringify(have) !== JSON.stringify(want)) return `after load + appends, reopen gave ${have.length} batches, expected ${want.length}`;
    return undefined;
  } catch (e) {
    return `threw: ${(e as Error).stack?.slice(0, 400)}`;
  } finally {
    await log?.close().catch(() => undefined);
  }
}

async function explore(trace: Trace, base: string, powerSamples: number): Promise<{ failures: Failure[]; states: number }> {
  const model = new Model(resolve(join(base, 'work')));
  model.seed(trace.initial);
  const rnd = mulberry32(trace.seed * 31 + 7);
  const failures: Failure[] = [];
  let states = 0;
  let lastMark: Ev & { t: 'mark' } = trace.events[0] as Ev & { t: 'mark' };
  const seen = new Set<string>();
  for (let i = 0; i < trace.events.length; i++) {
    const e = trace.events[i]!;
    model.apply(e);
    if (e.t === 'mark') {
      lastMark = e;
      continue;
    }
    const candidates: [string, Map<string, Buffer>][] = [['kill', model.killState()], ['power:none', model.powerState(rnd, 'none')], ['power:dir-only', model.powerState(rnd, 'all-dir-none-data')], ['power:writeback', model.powerState(rnd, 'writeback')]];
    for (let s = 0; s < powerSamples; s++) candidates.push([`power:subset#${s}`, model.powerState(rnd, 'subset')], [`power:prefix#${s}`, model.powerState(rnd, 'prefix')]);
    for (const [mode, files] of candidates) {
      const fp = [...files].filter(([n]) => n.endsWith('.log') || n === LOG_START_FILE).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, b]) => `${n}:${b.length}:${b.toString('base64')}`).join('|') + JSON.stringify(lastMark);
      if (seen.has(fp)) continue;
      seen.add(fp);
      states++;
      const reason = await checkState(files, lastMark, trace, join(base, 'check'), trace.seg);
      if (reason !== undefined) {
        failures.push({ where: `seed ${trace.seed} seg ${trace.seg}: after event ${i} (${e.t}${'path' in e ? ` ${basename(e.path)}` : ''}) within "${lastMark.what}" (ops so far: ${trace.ops.slice(0, lastMark.n).slice(-8).join('; ')}; in progress: ${trace.ops[lastMark.n] ?? '-'}), ${mode}, files ${[...files].filter(([n]) => n.endsWith('.log')).map(([n, b]) => `${n.replace(/^0+(?=.)/, '')}:${b.length}`).join(' ')}`, reason });
      }
    }
  }
  return { failures, states };
}

const base = join('/dev/shm', `segment-crash-sim-${process.pid}`);
beforeAll(() => mkdirSync(base, { recursive: true }));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const SEEDS = Number(process.env.CRASH_SIM_SEEDS ?? 6);
const STEPS = Number(process.env.CRASH_SIM_STEPS ?? 40);
const SAMPLES = Number(process.env.CRASH_SIM_SAMPLES ?? 3);

describe('SegmentLogStorage under simulated crashes', () => {
  for (const [segmentBytes, recordBytes] of [
    [700, [10, 120]],
    [300_000, [4_000, 30_000]],
  ] as [number, [number, number]][]) {
    it(`segmentBytes ${segmentBytes}: every crash point of ${SEEDS} random workloads loads without refusal or loss`, async () => {
      const all: Failure[] = [];
      let states = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = await runWorkload(seed, segmentBytes, recordBytes, STEPS, join(base, 'work'));
        const r = await explore(trace, base, SAMPLES);
        states += r.states;
        all.push(...r.failures);
      }
      const byReason = new Map<string, Failure[]>();
      for (const f of all) {
        const k = f.reason.replace(/the metadata log in \S+ is damaged in data it had synced \(/, 'LogCorrupt (').replace(/; a crash only damages.*/, '').replace(/\d+/g, 'N').slice(0, 160);
        byReason.set(k, [...(byReason.get(k) ?? []), f]);
      }
      const report = [...byReason].map(([k, fs]) => `${fs.length}x ${k}\n   e.g. ${fs[0]!.where}\n   ${fs[0]!.reason}`).join('\n');
      console.log(`segmentBytes ${segmentBytes}: ${states} crash states checked, ${all.length} failures\n${report}`);
      expect(report).toBe('');
    }, 600_000);
  }
});
