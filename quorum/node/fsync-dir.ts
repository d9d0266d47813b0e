// Makes renames and creations in a directory durable. On POSIX a directory entry lives in the
// directory's own data, so after `rename(tmp, target)` the directory must be fsynced too, or a
// crash can bring back the old entry (or none). The same holds for a directory just created: its
// name is in its parent, so `mkdirDurably` syncs the parent of each directory it makes, or a power
// loss soon after a first start could take the whole metadata directory (its vote and log) while
// meta.properties survives: a voter silently back on an empty disk under its old directory id.

import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * mkdir -p: creates `dir` and any missing parents, top down, and returns the first it created
 * (undefined when `dir` was there). Not Node's `mkdir(dir, { recursive: true })`, which loops
 * forever where mkdir keeps failing with ENOENT (a path under /proc): here that error surfaces.
 */
export async function makeDirs(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  missing.reverse();
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // made meanwhile by another process
    }
  }
  return missing[0];
}

/** mkdir -p, then a sync of every directory it created and of the parent of the first one. */
export async function mkdirDurably(dir: string, sync: (dir: string) => Promise<void> = fsyncDir): Promise<void> {
  const first = await makeDirs(dir);
  if (first === undefined) return; // it was there already
  const top = dirname(first);
  for (let d = resolve(dir); d !== top; d = dirname(d)) await sync(d);
  await sync(top);
}
