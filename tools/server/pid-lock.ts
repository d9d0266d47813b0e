// A pid file that says one process owns a directory. `metaquorum dev` takes <data-dir>/dev.pid:
// a second `dev` on the same directory would otherwise restart the nodes the first one runs, see
// them fail on their log locks, and overwrite cluster.json with the pids of nothing. A file left
// by a process that is gone (kill -9, a crash) is taken over; a live holder is named instead.
//
// The check is "a process with that pid exists": after a reboot or pid reuse an unrelated process
// may hold the number, so the refusal names the file to remove when that is the case.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export type PidLock = { readonly release: () => void } | { readonly heldBy: number };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function holder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes `path` for this process, or reports the live process that holds it. */
export function takePidLock(path: string): PidLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = holder(path);
      if (pid !== null && pid !== process.pid && alive(pid)) return { heldBy: pid };
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    const release = (): void => {
      if (holder(path) === process.pid) rmSync(path, { force: true });
    };
    return { release };
  }
  // Two takers raced for a stale file and the other won.
  const pid = holder(path);
  return { heldBy: pid ?? -1 };
}
