// FileQuorumStateStore: a voter's epoch and vote round-trip through the file, a new node reads
// undefined, a crash mid-write (a leftover .tmp) leaves the previous state readable, and an empty
// or damaged file is a loud QuorumStateCorruptError naming the file, never "no vote".

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileQuorumStateStore, QuorumStateCorruptError } from '../../quorum/node/file-quorum-state-store.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mq-quorum-state-'));
  file = join(dir, 'quorum-state');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readError(store: FileQuorumStateStore): Promise<QuorumStateCorruptError> {
  try {
    await store.read();
  } catch (e) {
    expect(e).toBeInstanceOf(QuorumStateCorruptError);
    return e as QuorumStateCorruptError;
  }
  throw new Error('read() accepted a damaged file');
}

describe('FileQuorumStateStore', () => {
  it('a new node (no file) reads undefined', async () => {
    expect(await new FileQuorumStateStore(file).read()).toBeUndefined();
  });

  it('written states round-trip, the last write wins, and a fresh instance reads it back', async () => {
    const store = new FileQuorumStateStore(file);
    await store.write({ epoch: 3, leaderId: null, votedId: 2 });
    expect(await store.read()).toEqual({ epoch: 3, leaderId: null, votedId: 2 });
    await store.write({ epoch: 4, leaderId: 1, votedId: null });
    expect(await new FileQuorumStateStore(file).read()).toEqual({ epoch: 4, leaderId: 1, votedId: null });
    expect(await readdir(dir)).toEqual(['quorum-state']); // no .tmp left behind
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, epoch: 4, leaderId: 1, votedId: null });
  });

  it('write creates a missing parent directory', async () => {
    const nested = new FileQuorumStateStore(join(dir, 'a', 'b', 'quorum-state'));
    await nested.write({ epoch: 1, leaderId: 1, votedId: 1 });
    expect(await nested.read()).toEqual({ epoch: 1, leaderId: 1, votedId: 1 });
  });

  it('a leftover .tmp from a crashed write is ignored: the old state is read, and the next write replaces it', async () => {
    const store = new FileQuorumStateStore(file);
    await store.write({ epoch: 5, leaderId: null, votedId: 3 });
    await writeFile(`${file}.tmp`, '{"version":1,"epoch":6,"lead'); // torn, never renamed
    expect(await store.read()).toEqual({ epoch: 5, leaderId: null, votedId: 3 });
    await store.write({ epoch: 6, leaderId: 3, votedId: 3 });
    expect(await store.read()).toEqual({ epoch: 6, leaderId: 3, votedId: 3 });
    expect(await readdir(dir)).toEqual(['quorum-state']);
  });

  it('a zero-length target file is a QuorumStateCorruptError naming the file', async () => {
    await writeFile(file, '');
    const error = await readError(new FileQuorumStateStore(file));
    expect(error.code).toBe('QUORUM_STATE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.reason).toMatch(/empty/);
  });

  it('a file that is not JSON is a QuorumStateCorruptError', async () => {
    await writeFile(file, '\u0000\u0000garbage');
    expect((await readError(new FileQuorumStateStore(file))).reason).toMatch(/not valid JSON/);
  });

  it('a flipped digit that still parses fails the crc check', async () => {
    const store = new FileQuorumStateStore(file);
    await store.write({ epoch: 12, leaderId: null, votedId: 2 });
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"votedId":2', '"votedId":3'));
    expect((await readError(store)).reason).toMatch(/crc32c mismatch/);
  });

  it('voter directories round-trip, are covered by the crc, and a file without them still reads', async () => {
    const store = new FileQuorumStateStore(file);
    const state = { epoch: 7, leaderId: 2, votedId: 2, voterDirectories: { offset: 40, map: { '1': 'dir-a', '2': null, '3': 'dir-c' } } };
    await store.write(state);
    expect(await new FileQuorumStateStore(file).read()).toEqual(state);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"dir-c"', '"dir-x"'));
    expect((await readError(store)).reason).toMatch(/crc32c mismatch/);
    await store.write({ epoch: 8, leaderId: null, votedId: null });
    expect(await store.read()).toEqual({ epoch: 8, leaderId: null, votedId: null });
  });

  it('a well-checksummed file with a bad field or version is rejected', async () => {
    await writeFile(file, JSON.stringify({ version: 2, epoch: 1, leaderId: null, votedId: null, crc: 0 }));
    expect((await readError(new FileQuorumStateStore(file))).reason).toMatch(/unknown version 2/);
  });

  it('writing an invalid state is an assertion failure and leaves the old state', async () => {
    const store = new FileQuorumStateStore(file);
    await store.write({ epoch: 2, leaderId: null, votedId: null });
    await expect(store.write({ epoch: -1, leaderId: null, votedId: null })).rejects.toThrow(/epoch -1/);
    await expect(store.write({ epoch: 3, leaderId: 1.5, votedId: null })).rejects.toThrow(/leaderId 1.5/);
    expect(await store.read()).toEqual({ epoch: 2, leaderId: null, votedId: null });
  });
});
