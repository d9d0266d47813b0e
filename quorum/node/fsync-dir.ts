// Makes renames and creations in a directory durable. On POSIX a directory entry lives in the
// directory's own data, so after `rename(tmp, target)` the directory must be fsynced too, or a
// crash can bring back the old entry (or none). Used by the quorum-state and snapshot stores.

import { open } from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
