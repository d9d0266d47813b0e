// The voter's persisted quorum state (epoch, leader, vote): Kafka's `quorum-state` file.
//
// Why so careful: a voter that forgets its vote can vote twice in one epoch and elect two leaders.
// So a write is atomic and durable, and a read that finds a damaged file fails loudly instead of
// answering "never voted".
//
// Format: one line of JSON, {"version":1,"epoch":..,"leaderId":..,"votedId":..,"crc":..}, where
// crc is the CRC32C of the canonical text `[version,epoch,leaderId,votedId]`, so a flipped digit
// that still parses is caught. Once the leader has recorded voter directories and a snapshot has
// folded them into the log start, the line also holds
// "voterDirectories":{"offset":<log start>,"map":{"<id>":"<dir>"|null}} and the CRC covers
// `[version,epoch,leaderId,votedId,voterDirectories]`.
//
// write(): write `<file>.tmp`, fsync it, rename it over `<file>`, fsync the directory. The fsync
// comes before the rename: renaming first can leave a zero-length file after a crash
// (KAFKA-15312). read() never looks at `.tmp`: a leftover one is an interrupted write, and the
// target still holds the previous state. read() first syncs the directory: a process killed
// between write()'s rename and its directory sync left a state that only the page cache holds, and
// the restarted voter must not act on a vote a power loss could still undo.

import assert from 'node:assert/strict';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { QuorumStateData } from '../raft/types.js';
import type { Logger, QuorumStateStore } from '../env/index.js';
import { silentLogger } from '../env/index.js';
import { crc32c } from './crc32c.js';
import { fsyncDir, mkdirDurably } from './fsync-dir.js';
import { fsyncStall } from './fsync-stall.js';
import { quorumStateProblem } from '../raft/quorum-state-check.js';
import type { DirectoriesAt } from '../raft/voter-directories.js';

const FORMAT_VERSION = 1;

/** The quorum-state file exists but cannot be trusted. Not retriable: an operator must look. */
export class QuorumStateCorruptError extends Error {
  readonly code = 'QUORUM_STATE_CORRUPT';
  readonly retriable = false;
  constructor(readonly file: string, readonly reason: string) {
    super(
      `quorum state file ${file} is corrupt (${reason}); refusing to start, because this voter could forget its vote. ` +
        'Restore the file from a backup, or remove this node from the voter set and reformat its directory.',
    );
    this.name = 'QuorumStateCorruptError';
  }
}

export class FileQuorumStateStore implements QuorumStateStore {
  private readonly tmpFile: string;

  constructor(
    readonly file: string,
    private readonly logger: Logger = silentLogger,
  ) {
    this.tmpFile = `${file}.tmp`;
  }

  async read(): Promise<QuorumStateData | undefined> {
    let text: string;
    try {
      await fsyncDir(dirname(this.file));
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const state = parseState(this.file, text);
    this.logger.debug({ file: this.file, ...state }, 'quorum state read');
    return state;
  }

  async write(state: QuorumStateData): Promise<void> {
    const problem = quorumStateProblem(state.epoch, state.leaderId, state.votedId, state.voterDirectories);
    if (problem !== undefined) assert.fail(`quorum state to write is invalid: ${problem}`);
    const dir = dirname(this.file);
    await mkdirDurably(dir);
    const dirs = state.voterDirectories;
    const body = [FORMAT_VERSION, state.epoch, state.leaderId, state.votedId, ...(dirs === undefined ? [] : [dirs])];
    const text = `${JSON.stringify({
      version: FORMAT_VERSION,
      epoch: state.epoch,
      leaderId: state.leaderId,
      votedId: state.votedId,
      ...(dirs === undefined ? {} : { voterDirectories: dirs }),
      crc: crc32c(Buffer.from(JSON.stringify(body))),
    })}\n`;

    const fh = await open(this.tmpFile, 'w');
    try {
      await fh.writeFile(text, 'utf8');
      await fsyncStall(); // a test-only slow disk (fsync-stall.ts); undefined when off
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(this.tmpFile, this.file);
    await fsyncDir(dir);
  }
}

function parseState(file: string, text: string): QuorumStateData {
  if (text.length === 0) throw new QuorumStateCorruptError(file, 'the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new QuorumStateCorruptError(file, 'not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw new QuorumStateCorruptError(file, 'not a JSON object');
  const { version, epoch, leaderId, votedId, voterDirectories, crc } = raw as Record<string, unknown>;
  if (version !== FORMAT_VERSION) throw new QuorumStateCorruptError(file, `unknown version ${String(version)}`);
  const expectedCrc = crc32c(Buffer.from(JSON.stringify([version, epoch, leaderId, votedId, ...(voterDirectories === undefined ? [] : [voterDirectories])])));
  if (crc !== expectedCrc) throw new QuorumStateCorruptError(file, `crc32c mismatch: stored ${String(crc)}, computed ${expectedCrc}`);
  const problem = quorumStateProblem(epoch, leaderId, votedId, voterDirectories);
  if (problem !== undefined) throw new QuorumStateCorruptError(file, problem);
  return { epoch: epoch as number, leaderId: leaderId as number | null, votedId: votedId as number | null, ...(voterDirectories === undefined ? {} : { voterDirectories: voterDirectories as DirectoriesAt }) };
}
