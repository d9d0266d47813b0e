// Reads a node's metadata log (a LevelLogStorage directory) without ever writing to it.
//
// Why a copy: level has no read-only mode. Opening a LevelDB directory takes its LOCK (a running
// node holds it, so the open fails), replays its write-ahead log into new table files and starts a
// new MANIFEST; LevelLogStorage.open also mkdirs and load() deletes a torn tail. None of that may
// touch a node's directory. So the tools always copy the directory to a fresh temp dir
// (fs.mkdtemp), open the copy, and delete it afterwards; a running node's lock does not matter.
//
// A running node may flush or compact while the copy is made (new table files appear, old ones
// go). The copy is taken again when the directory's file names changed while it was copied or when
// the copy does not open, up to COPY_ATTEMPTS_MAX times. LevelDB drops a half-written last entry of
// its own write-ahead log on open, so a copy taken mid-write reads as the log before that write.

import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedLog } from '../../quorum/env/index.js';
import { silentLogger } from '../../quorum/env/index.js';
import { LevelLogStorage } from '../../quorum/node/level-log-storage.js';
import { kindOf } from './layout.js';

/** Times the copy is retried when the directory changed underneath it or the copy did not open. */
export const COPY_ATTEMPTS_MAX = 10;
/** Pause between attempts, so a flush or compaction in progress can finish. */
const COPY_RETRY_DELAY_MS = 50;
/** LevelDB's files the copy leaves out: its lock and its human-readable info logs. */
const NOT_COPIED = new Set(['LOCK', 'LOG', 'LOG.old']);

/** No consistent copy could be taken: the node kept changing its files, or the copy did not open. */
export class LogCopyError extends Error {
  readonly code = 'LOG_COPY_FAILED';
  readonly retriable = true;
  constructor(readonly logDir: string, cause: unknown) {
    super(
      `cannot read a consistent copy of the metadata log in ${logDir} after ${COPY_ATTEMPTS_MAX} attempts: ${errorText(cause)}. ` +
        'If the node is busy, try again; if the directory is damaged, the cause says how.',
      { cause },
    );
    this.name = 'LogCopyError';
  }
}

/**
 * Loads the log in `logDir` from a temp copy, or returns undefined when `logDir` does not exist.
 * `note` hears a line saying a copy is read (for stderr), and one per retry. Never writes under
 * `logDir`. Throws LogCopyError.
 */
export async function loadLogCopy(logDir: string, note: (line: string) => void): Promise<LoadedLog | undefined> {
  if ((await kindOf(logDir)) !== 'dir') return undefined;
  const tmp = await mkdtemp(join(tmpdir(), 'metaquorum-inspect-log-'));
  note(`reading a copy of ${logDir} in ${tmp} (level cannot open a directory read-only and a running node holds its lock); the node's directory is not written, the copy is deleted afterwards`);
  try {
    let lastError: unknown;
    for (let attempt = 1; attempt <= COPY_ATTEMPTS_MAX; attempt++) {
      const copyDir = join(tmp, `attempt-${attempt}`);
      if (await copyOnce(logDir, copyDir)) {
        try {
          return await loadFrom(copyDir);
        } catch (e) {
          lastError = e;
        }
      } else {
        lastError = new Error('its files changed while they were copied');
      }
      await rm(copyDir, { recursive: true, force: true });
      if (attempt === COPY_ATTEMPTS_MAX) break;
      note(`copy ${attempt} of ${logDir} is not consistent (${errorText(lastError)}); copying again`);
      await new Promise((r) => setTimeout(r, COPY_RETRY_DELAY_MS));
    }
    throw new LogCopyError(logDir, lastError);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies the files of `src` into `dst`; false when the set of files changed meanwhile. */
async function copyOnce(src: string, dst: string): Promise<boolean> {
  const before = await fileNames(src);
  await rm(dst, { recursive: true, force: true });
  await mkdir(dst, { recursive: true });
  for (const name of before) {
    try {
      await copyFile(join(src, name), join(dst, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // compacted away meanwhile
      throw e;
    }
  }
  const after = await fileNames(src);
  return after.length === before.length && after.every((name, i) => name === before[i]);
}

async function fileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && !NOT_COPIED.has(e.name)).map((e) => e.name).sort();
}

async function loadFrom(copyDir: string): Promise<LoadedLog> {
  // The copy is ours: LevelLogStorage may cut a torn tail here; load() reports it as `recovered`.
  const log = await LevelLogStorage.open(copyDir, silentLogger);
  try {
    return await log.load();
  } finally {
    await log.close();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
