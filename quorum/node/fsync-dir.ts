// Makes renames and creations in a directory durable. On POSIX a directory entry lives in the
// directory's own data, so after `rename(tmp, target)` the directory must be fsynced too, or a
// crash can bring back the old entry (or none). The same holds for a directory just created: its
// name is in its parent, so `mkdirDurably` syncs the parent of each directory it makes, or a power
// loss soon after a first start could take the whole metadata directory (its vote and log) while
// meta.properties survives: a voter silently back on an empty disk under its old directory id.

import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p, then a sync of every directory it created and of the parent of the first one. */
export async function mkdirDurably(dir: string, sync: (dir: string) => Promise<void> = fsyncDir): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return; // it was there already
  const top = dirname(first);
  for (let d = dir; d !== top; d = dirname(d)) await sync(d);
  await sync(top);
}
