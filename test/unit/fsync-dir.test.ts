// mkdirDurably: a directory it creates is synced, and so is the parent that holds its name (the
// metadata directory made on a first start must survive a power loss with meta.properties).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirDurably } from '../../quorum/node/fsync-dir.js';

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
