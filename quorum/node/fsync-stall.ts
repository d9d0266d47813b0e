// A test-only slow disk: while on, every fsync this process makes (log appends with sync, the
// quorum-state file, snapshots, directory syncs) waits first, as a disk whose flushes stall would
// make it. The chaos harness (tools/chaos) turns it on and off per node.
//
// Off unless the process was started with METAQUORUM_TEST_FSYNC_STALL=1: then SIGUSR2 makes it
// re-read `<metadata.log.dir>/test-fsync-stall-ms` (a number of milliseconds; missing or 0 = off).
// A file rather than a toggle, so a lost or repeated signal cannot leave the state inverted.
// The hot path pays one comparison when the hook is off.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../env/index.js';

export const FSYNC_STALL_ENV = 'METAQUORUM_TEST_FSYNC_STALL';
export const FSYNC_STALL_FILE = 'test-fsync-stall-ms';

let stallMs = 0;

/** Resolves after the configured stall, or undefined (no await needed) when there is none. */
export function fsyncStall(): Promise<void> | undefined {
  return stallMs > 0 ? new Promise((r) => setTimeout(r, stallMs)) : undefined;
}

/** Installs the SIGUSR2 handler when the environment asks for it; a no-op otherwise. */
export function installFsyncStallHook(metadataLogDir: string, logger: Logger): void {
  if (process.env[FSYNC_STALL_ENV] !== '1') return;
  const file = join(metadataLogDir, FSYNC_STALL_FILE);
  process.on('SIGUSR2', () => {
    let ms = 0;
    try {
      ms = Number(readFileSync(file, 'utf8').trim());
    } catch {
      ms = 0; // no file: off
    }
    stallMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
    logger.warn({ fsyncStallMs: stallMs }, stallMs > 0 ? `test hook: every fsync now stalls ${stallMs} ms` : 'test hook: fsync stall off');
  });
}
