// Snapshots on disk (SnapshotStore of DESIGN §5): one file per snapshot in one directory.
//
// Names follow Kafka: `<endOffset, 20 digits>-<epoch, 10 digits>.checkpoint`, so a directory
// listing sorts oldest first. A snapshot is written as `<name>.part`; commit() appends the
// trailer, fsyncs the file, renames it to `<name>` and fsyncs the directory, so a crash leaves
// either a stale `.part` (removed by list()) or a complete file, never a half one under the real
// name.
//
// Layout: [content bytes][trailer: 8-byte magic "MQSNAP01"][u64 content length][u32 crc32c(content)]
// (big-endian). A truncated file fails the magic or length check, a flipped byte fails the CRC.
// list() checks every file and moves a bad one aside as `<name>.corrupt` (kept for an operator,
// never listed); readAll() checks again before the state machine loads the bytes.

import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotId } from '../raft/types.js';
import type { Logger, SnapshotStore, SnapshotWriter } from '../env/index.js';
import { SnapshotCorruptError } from '../env/index.js';
import { limits } from '../limits.js';
import { crc32c } from './crc32c.js';
import { fsyncDir, mkdirDurably } from './fsync-dir.js';

const MAGIC = Buffer.from('MQSNAP01', 'latin1');
const TRAILER_BYTES = 8 + 8 + 4;
const NAME = /^(\d{20})-(\d{10})\.checkpoint$/;
const PART_SUFFIX = '.part';
const CORRUPT_SUFFIX = '.corrupt';
/** Bytes read per step while checking a snapshot's CRC, so list() never loads a whole file. */
const VERIFY_CHUNK_BYTES = 1024 * 1024;

/** A snapshot that is not (or no longer) in the store. */
export class SnapshotNotFoundError extends Error {
  readonly code = 'SNAPSHOT_NOT_FOUND';
  readonly retriable = false;
  constructor(readonly snapshotId: SnapshotId, readonly dir: string) {
    super(`snapshot ${snapshotId.endOffset}-${snapshotId.epoch} is not in ${dir}`);
    this.name = 'SnapshotNotFoundError';
  }
}

export function snapshotFileName(id: SnapshotId): string {
  assert.ok(Number.isSafeInteger(id.endOffset) && id.endOffset >= 0, `bad snapshot endOffset ${id.endOffset}`);
  assert.ok(Number.isSafeInteger(id.epoch) && id.epoch >= 0 && id.epoch < 1e10, `bad snapshot epoch ${id.epoch}`);
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`;
}

export class FileSnapshotStore implements SnapshotStore {
  /** `.part` files of writers open in this process: list() must not delete them. */
  private readonly writing = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  static async open(dir: string, logger: Logger): Promise<FileSnapshotStore> {
    await mkdirDurably(dir);
    // A process killed between a commit's rename and its directory sync left a snapshot only the
    // page cache holds: make it durable before restore drops the log prefix it covers.
    await fsyncDir(dir);
    return new FileSnapshotStore(dir, logger);
  }

  async list(options: { readonly verify?: boolean } = {}): Promise<SnapshotId[]> {
    const ids: SnapshotId[] = [];
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (name.endsWith(`.checkpoint${PART_SUFFIX}`)) {
        if (this.writing.has(path)) continue;
        this.logger.info({ file: path }, 'snapshot store: removing an uncommitted snapshot left by a crash');
        await unlinkIfExists(path);
        continue;
      }
      const match = NAME.exec(name);
      if (match === null) continue;
      const id = { endOffset: Number(match[1]), epoch: Number(match[2]) };
      const problem = options.verify === false ? undefined : await verifyFile(path);
      if (problem !== undefined) {
        this.logger.warn({ file: path, snapshotId: id, reason: problem }, `snapshot store: skipping corrupt snapshot ${name} (${problem}); moved aside as ${name}${CORRUPT_SUFFIX}`);
        await rename(path, path + CORRUPT_SUFFIX);
        continue;
      }
      ids.push(id);
    }
    return ids.sort((a, b) => a.endOffset - b.endOffset || a.epoch - b.epoch);
  }

  create(snapshotId: SnapshotId): SnapshotWriter {
    const target = this.pathOf(snapshotId);
    const part = target + PART_SUFFIX;
    assert.ok(!this.writing.has(part), `snapshot ${snapshotFileName(snapshotId)} is already being written`);
    this.writing.add(part);
    return new FileSnapshotWriter(snapshotId, this.dir, part, target, () => this.writing.delete(part));
  }

  async read(snapshotId: SnapshotId, position: number, maxBytes: number): Promise<Uint8Array> {
    assert.ok(Number.isSafeInteger(position) && position >= 0, `read position ${position}`);
    assert.ok(Number.isSafeInteger(maxBytes) && maxBytes >= 0, `read maxBytes ${maxBytes}`);
    const fh = await this.openCommitted(snapshotId);
    try {
      const size = await contentSize(fh, snapshotId);
      assert.ok(position <= size, `read position ${position} is past the end of snapshot (${size} bytes)`);
      const length = Math.min(maxBytes, limits.snapshotChunkBytesMax, size - position);
      return await readExactly(fh, position, length);
    } finally {
      await fh.close();
    }
  }

  async size(snapshotId: SnapshotId): Promise<number> {
    const fh = await this.openCommitted(snapshotId);
    try {
      return await contentSize(fh, snapshotId);
    } finally {
      await fh.close();
    }
  }

  async readAll(snapshotId: SnapshotId): Promise<Uint8Array> {
    let file: Buffer;
    try {
      file = await readFile(this.pathOf(snapshotId));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SnapshotNotFoundError(snapshotId, this.dir);
      throw e;
    }
    const problem = checkTrailer(file.length, file.subarray(Math.max(0, file.length - TRAILER_BYTES)));
    const content = file.subarray(0, Math.max(0, file.length - TRAILER_BYTES));
    const reason = problem ?? crcProblem(file.readUInt32BE(file.length - 4), crc32c(content));
    if (reason !== undefined) {
      this.logger.warn({ file: this.pathOf(snapshotId), snapshotId, reason }, 'snapshot store: snapshot failed its check on read');
      throw new SnapshotCorruptError(snapshotId, reason);
    }
    return content;
  }

  async delete(snapshotId: SnapshotId): Promise<void> {
    await unlinkIfExists(this.pathOf(snapshotId));
  }

  private pathOf(id: SnapshotId): string {
    return join(this.dir, snapshotFileName(id));
  }

  private async openCommitted(id: SnapshotId): Promise<FileHandle> {
    try {
      return await open(this.pathOf(id), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SnapshotNotFoundError(id, this.dir);
      throw e;
    }
  }
}

/** Streams chunks into `<name>.part`, keeping the running length and CRC for the trailer. */
class FileSnapshotWriter implements SnapshotWriter {
  private fh: Promise<FileHandle> | undefined;
  private length = 0;
  private crc = 0;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    readonly snapshotId: SnapshotId,
    private readonly dir: string,
    private readonly part: string,
    private readonly target: string,
    private readonly release: () => void,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    assert.equal(this.state, 'open', `write to a ${this.state} snapshot writer`);
    const fh = await this.handle();
    await fh.writeFile(chunk);
    this.length += chunk.length;
    this.crc = crc32c(chunk, this.crc);
  }

  async commit(): Promise<number> {
    assert.equal(this.state, 'open', `commit of a ${this.state} snapshot writer`);
    this.state = 'committed';
    try {
      const trailer = Buffer.alloc(TRAILER_BYTES);
      MAGIC.copy(trailer, 0);
      trailer.writeBigUInt64BE(BigInt(this.length), 8);
      trailer.writeUInt32BE(this.crc, 16);
      const fh = await this.handle();
      try {
        await fh.writeFile(trailer);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.part, this.target);
      await fsyncDir(this.dir);
      return this.length;
    } finally {
      this.release();
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    try {
      if (this.fh !== undefined) await (await this.fh).close();
      await unlinkIfExists(this.part);
    } finally {
      this.release();
    }
  }

  private handle(): Promise<FileHandle> {
    this.fh ??= open(this.part, 'w');
    return this.fh;
  }
}

/** Returns why the snapshot file at `path` is bad, or undefined when its trailer and CRC hold. */
async function verifyFile(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const fileBytes = (await fh.stat()).size;
    const trailer = await readExactly(fh, Math.max(0, fileBytes - TRAILER_BYTES), Math.min(fileBytes, TRAILER_BYTES));
    const problem = checkTrailer(fileBytes, trailer);
    if (problem !== undefined) return problem;
    const contentBytes = fileBytes - TRAILER_BYTES;
    let crc = 0;
    for (let position = 0; position < contentBytes; position += VERIFY_CHUNK_BYTES) {
      crc = crc32c(await readExactly(fh, position, Math.min(VERIFY_CHUNK_BYTES, contentBytes - position)), crc);
    }
    return crcProblem(trailer.readUInt32BE(16), crc);
  } finally {
    await fh.close();
  }
}

/**
 * The content part of a snapshot file that failed its checks, for a tool to show what it can (the
 * frames inside carry their own checksums): the bytes before the trailer when the trailer is there,
 * else the whole file (a truncated one lost its trailer first).
 */
export function uncheckedSnapshotContent(file: Uint8Array): Uint8Array {
  const trailer = Buffer.from(file.buffer, file.byteOffset, file.byteLength).subarray(Math.max(0, file.length - TRAILER_BYTES));
  const trailerThere = file.length >= TRAILER_BYTES && trailer.subarray(0, 8).equals(MAGIC);
  return trailerThere ? file.subarray(0, file.length - TRAILER_BYTES) : file;
}

/** Checks the magic and the recorded length of a file of `fileBytes` bytes ending in `trailer`. */
function checkTrailer(fileBytes: number, trailer: Buffer): string | undefined {
  if (fileBytes < TRAILER_BYTES) return `file of ${fileBytes} bytes is shorter than its ${TRAILER_BYTES}-byte trailer`;
  if (!trailer.subarray(0, 8).equals(MAGIC)) return 'trailer magic missing (truncated or not a snapshot)';
  const recorded = trailer.readBigUInt64BE(8);
  if (recorded !== BigInt(fileBytes - TRAILER_BYTES)) return `trailer records ${recorded} content bytes, the file holds ${fileBytes - TRAILER_BYTES}`;
  return undefined;
}

function crcProblem(stored: number, computed: number): string | undefined {
  return stored === computed ? undefined : `crc32c mismatch: stored ${stored.toString(16)}, computed ${computed.toString(16)}`;
}

async function contentSize(fh: FileHandle, id: SnapshotId): Promise<number> {
  const fileBytes = (await fh.stat()).size;
  if (fileBytes < TRAILER_BYTES) throw new SnapshotCorruptError(id, `file of ${fileBytes} bytes is shorter than its trailer`);
  return fileBytes - TRAILER_BYTES;
}

async function readExactly(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + done} (wanted ${length} bytes from ${position})`);
    done += bytesRead;
  }
  return buffer;
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
