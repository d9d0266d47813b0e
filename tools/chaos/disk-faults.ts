// The disk side of the nemesis (./nemesis.ts) on a real node's directories: a slow fsync (through
// the test-only hook in quorum/node/fsync-stall.ts), a wiped and re-formatted metadata directory,
// and damage to the tail of the newest log segment or to the newest snapshot. Each damage
// says which log line the node must print when it next starts (null: none can be expected).

import { mkdir, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFormattedDirectory } from '../config/format.js';
import { FSYNC_STALL_FILE } from '../../quorum/node/fsync-stall.js';
import { metadataStoragePaths } from '../../quorum/node/layout.js';
import { scanSegments, segmentFiles } from '../../quorum/node/segment-files.js';

export interface Damage {
  readonly detail: string;
  readonly expect: RegExp | null;
}

/** Writes the stall a node's SIGUSR2 handler will read (0 removes it: off). */
export async function writeFsyncStall(metadataDir: string, stallMs: number): Promise<void> {
  const file = join(metadataDir, FSYNC_STALL_FILE);
  if (stallMs > 0) await writeFile(file, String(stallMs));
  else await rm(file, { force: true });
}

/**
 * What an operator does to a lost disk: empty the directory and `format` it again with
 * --no-initial-controllers (a new directory id, not counted until the quorum re-admits it).
 */
export async function wipeAndFormat(metadataDir: string, clusterId: string, nodeId: number, isVoter: boolean): Promise<void> {
  await rm(metadataDir, { recursive: true, force: true });
  await mkdir(metadataDir, { recursive: true });
  await writeFormattedDirectory(metadataDir, { clusterId, nodeId, isMetadataDir: true, isVoter, bootstrap: { kind: 'replacing' } });
}

/**
 * Damages a stopped node's metadata: with two snapshots or more, half the time the newest one
 * (flipped or cut: it must be set aside, the older one used); otherwise the newest segment of the
 * log (flipped: its last batch fails its CRC; cut: a torn last frame, as after a crash mid-write),
 * at the end of its data (the zeros preallocated after it are left alone).
 * Either way the node cuts the log before that batch and must say so.
 */
export async function damageMetadata(metadataDir: string, random: () => number): Promise<Damage> {
  const paths = metadataStoragePaths(metadataDir);
  const snapshots = (await readdir(paths.snapshotsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.checkpoint')).sort();
  const flip = random() < 0.5;
  if (snapshots.length >= 2 && random() < 0.5) {
    const file = join(paths.snapshotsDir, snapshots[snapshots.length - 1]!);
    const size = (await stat(file)).size;
    if (flip) await flipBytes(file, Math.floor(size / 2), 1);
    else await truncate(file, Math.max(0, size - 50));
    return { detail: `${flip ? 'a byte flipped in' : 'the last 50 bytes cut from'} its newest snapshot ${snapshots[snapshots.length - 1]}`, expect: /skipping corrupt snapshot/ };
  }
  const segments = await segmentFiles(paths.logDir).catch(() => []);
  const segment = segments[segments.length - 1]?.file;
  // Where the newest segment's data ends: zeros written ahead of it (preallocation) follow.
  const scanned = segment === undefined ? undefined : (await scanSegments(paths.logDir)).segments.at(-1);
  const size = scanned !== undefined && scanned.file === segment ? scanned.size : 0;
  if (segment === undefined || size < 64) return { detail: 'nothing to damage (its newest log segment is empty)', expect: null };
  const file = join(paths.logDir, segment);
  if (flip) {
    await flipBytes(file, size - 8, 8);
    return { detail: `the last 8 bytes of its log segment ${segment} flipped`, expect: /cut a torn or corrupt tail/ };
  }
  await truncate(file, size - 32);
  return { detail: `the last 32 bytes of its log segment ${segment} cut (a torn tail)`, expect: /cut a torn or corrupt tail/ };
}

async function flipBytes(file: string, at: number, count: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const buf = Buffer.alloc(count);
    await fh.read(buf, 0, count, at);
    for (let i = 0; i < count; i++) buf[i]! ^= 0xff;
    await fh.write(buf, 0, count, at);
  } finally {
    await fh.close();
  }
}

/** The size of a node's log file now: lines after it are what the node says from then on. */
export async function logMark(logPath: string): Promise<number> {
  return (await stat(logPath).catch(() => ({ size: 0 }))).size;
}

/** Polls a node's log after `mark` for a line matching `pattern`, up to timeoutMs. */
export async function logSince(logPath: string, mark: number, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  return (await logLineSince(logPath, mark, pattern, timeoutMs)) !== null;
}

/** As logSince, answering the first whole line that matches (null when none did in time). */
export async function logLineSince(logPath: string, mark: number, pattern: RegExp, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await readFile(logPath).catch(() => Buffer.alloc(0))).subarray(mark).toString('utf8');
    // Whole lines only: the last one may still be being written.
    const line = text.split('\n').slice(0, -1).find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}
