// mkdirDurably: a directory it creates is synced, and so is the parent that holds its name (the
// metadata directory made on a first start must survive a power loss with meta.properties).
// makeDirs: mkdir -p that fails where Node's recursive mkdir would loop forever (under /proc).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { makeDirs, mkdirDurably } from '../../quorum/node/fsync-dir.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mq-fsync-dir-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mkdirDurably', () => {
  it('creates missing directories and syncs each new one and the existing parent of the first', async () => {
    const synced: string[] = [];
    const target = join(root, 'a', 'b', 'c');
    await mkdirDurably(target, async (d) => void synced.push(d));
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(synced).toEqual([target, join(root, 'a', 'b'), join(root, 'a'), root]);
  });

  it('syncs only below what already existed', async () => {
    await mkdirDurably(join(root, 'a'));
    const synced: string[] = [];
    await mkdirDurably(join(root, 'a', 'b'), async (d) => void synced.push(d));
    expect(synced).toEqual([join(root, 'a', 'b'), join(root, 'a')]);
  });

  it('syncs nothing when the directory exists', async () => {
    const synced: string[] = [];
    await mkdirDurably(root, async (d) => void synced.push(d));
    expect(synced).toEqual([]);
  });

  it('with the real sync, works on a fresh path', async () => {
    await mkdirDurably(join(root, 'x', 'y'));
    expect((await stat(join(root, 'x', 'y'))).isDirectory()).toBe(true);
  });
});

describe('makeDirs', () => {
  it('creates the missing directories of a relative path and returns the first, absolute', async () => {
    const target = join(root, 'p', 'q');
    expect(await makeDirs(relative(process.cwd(), target))).toBe(join(root, 'p'));
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await makeDirs(target)).toBeUndefined();
  });

  it('a file in the way is ENOTDIR, naming it', async () => {
    await writeFile(join(root, 'f'), 'x');
    await expect(makeDirs(join(root, 'f', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirs(join(root, 'f'))).rejects.toThrow(`not a directory, mkdir '${join(root, 'f')}'`);
  });

  it('where mkdir fails with ENOENT (under /proc) it fails instead of looping forever', async () => {
    await expect(makeDirs('/proc/metaquorum-no-such-dir/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('mkdirDurably of a relative path syncs the same directories as of the absolute one', async () => {
    const synced: string[] = [];
    await mkdirDurably(relative(process.cwd(), join(root, 'r', 's')), async (d) => void synced.push(d));
    expect(synced).toEqual([join(root, 'r', 's'), join(root, 'r'), root]);
  });
});
