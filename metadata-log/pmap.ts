// A persistent (copy-on-write) string-keyed map for the image's big top-level maps (topics by id and
// by name, configs, groups). Why: an image is immutable and a new one is built for every committed
// batch; replacing one topic in a 100,000-topic image must not copy 100,000 entries.
//
// How: a hash array mapped trie (HAMT), 32-way. A key's 32-bit hash picks 5 bits per level; each
// branch stores only the children present (a bitmap says which) so small maps stay small. An
// update copies the path from the root to the changed leaf (~log32(n) nodes of ≤ 32 slots) and
// shares everything else. Keys whose full hashes collide share a collision node.
//
// Batch mode (PMapBuilder): replaying 1M records into one delta must not copy a path per record.
// A builder holds an edit token; nodes it created or already copied carry that token and are
// mutated in place, nodes shared with older maps are copied once. `build()` retires the token so a
// built map can never change afterwards.
//
// Keys are strings only: every map the image needs is keyed by a uuid, a name or a composite key.

import assert from 'node:assert/strict';

const BITS = 5;
const MASK = 31;

/** Identity token of one builder; nodes owned by the live token may be mutated in place. */
interface Edit {
  live: boolean;
}

class Leaf<V> {
  constructor(
    readonly hash: number,
    readonly key: string,
    readonly value: V,
  ) {}
}

class Branch<V> {
  constructor(
    public owner: Edit | null,
    public bitmap: number,
    public children: Node<V>[],
  ) {}
}

/** Leaves whose 32-bit hashes are all equal (then the trie cannot tell them apart by bits). */
class Collision<V> {
  constructor(
    public owner: Edit | null,
    readonly hash: number,
    public leaves: Leaf<V>[],
  ) {}
}

type Node<V> = Leaf<V> | Branch<V> | Collision<V>;

/** String hash (31-multiplier, as Java's) finished with murmur3's fmix32 so similar names spread. */
function hashOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function bitFor(hash: number, shift: number): number {
  return 1 << ((hash >>> shift) & MASK);
}

/** Mutable flag passed down a recursive update: did the size change? */
interface SizeChange {
  delta: number;
}

function lookup<V>(root: Branch<V>, hash: number, key: string): Leaf<V> | undefined {
  let node: Node<V> = root;
  let shift = 0;
  for (;;) {
    if (node instanceof Leaf) return node.key === key ? node : undefined;
    if (node instanceof Collision) {
      if (node.hash !== hash) return undefined;
      for (const leaf of node.leaves) if (leaf.key === key) return leaf;
      return undefined;
    }
    const bit = bitFor(hash, shift);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))]!;
    shift += BITS;
  }
}

/** Two distinct leaves that landed in one slot at `shift`: push them down until their bits differ. */
function merge<V>(edit: Edit | null, a: Leaf<V>, b: Leaf<V>, shift: number): Node<V> {
  if (a.hash === b.hash) return new Collision(edit, a.hash, [a, b]);
  // Hashes differ, so some level ≤ 30 separates them (shift never reaches 32 here).
  const ia = (a.hash >>> shift) & MASK;
  const ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return new Branch(edit, 1 << ia, [merge(edit, a, b, shift + BITS)]);
  return new Branch(edit, (1 << ia) | (1 << ib), ia < ib ? [a, b] : [b, a]);
}

function setIn<V>(edit: Edit | null, node: Branch<V> | Collision<V>, shift: number, leaf: Leaf<V>, change: SizeChange): Node<V> {
  if (node instanceof Collision) {
    if (node.hash !== leaf.hash) {
      // A different hash reached a collision node: put the collision under a branch and retry.
      const wrapper = new Branch<V>(edit, bitFor(node.hash, shift), [node]);
      return setIn(edit, wrapper, shift, leaf, change);
    }
    const i = node.leaves.findIndex((l) => l.key === leaf.key);
    if (i >= 0 && node.leaves[i]!.value === leaf.value) return node;
    const leaves = node.owner === edit && edit !== null ? node.leaves : node.leaves.slice();
    if (i >= 0) leaves[i] = leaf;
    else {
      leaves.push(leaf);
      change.delta = 1;
    }
    if (leaves === node.leaves) return node;
    return new Collision(edit, node.hash, leaves);
  }
  const bit = bitFor(leaf.hash, shift);
  const idx = popcount(node.bitmap & (bit - 1));
  const owned = edit !== null && node.owner === edit;
  if ((node.bitmap & bit) === 0) {
    change.delta = 1;
    if (owned) {
      node.children.splice(idx, 0, leaf);
      node.bitmap |= bit;
      return node;
    }
    const children = node.children.slice(0, idx);
    children.push(leaf);
    for (let i = idx; i < node.children.length; i++) children.push(node.children[i]!);
    return new Branch(edit, node.bitmap | bit, children);
  }
  const child = node.children[idx]!;
  let next: Node<V>;
  if (child instanceof Leaf) {
    if (child.key === leaf.key) {
      if (child.value === leaf.value) return node;
      next = leaf;
    } else {
      change.delta = 1;
      next = merge(edit, child, leaf, shift + BITS);
    }
  } else {
    next = setIn(edit, child, shift + BITS, leaf, change);
    if (next === child) return node;
  }
  if (owned) {
    node.children[idx] = next;
    return node;
  }
  const children = node.children.slice();
  children[idx] = next;
  return new Branch(edit, node.bitmap, children);
}

/**
 * Removes `key` below `node`. Returns the node to put in its place: the same node when the key was
 * absent, undefined when nothing is left, or a lone leaf/collision to lift into the parent (so a
 * trie after deletes has the shape it would have had if the key was never inserted).
 */
function deleteIn<V>(
  edit: Edit | null,
  node: Branch<V> | Collision<V>,
  shift: number,
  hash: number,
  key: string,
  change: SizeChange,
): Node<V> | undefined {
  if (node instanceof Collision) {
    if (node.hash !== hash) return node;
    const i = node.leaves.findIndex((l) => l.key === key);
    if (i < 0) return node;
    change.delta = -1;
    if (node.leaves.length === 2) return node.leaves[1 - i]!;
    const leaves = node.leaves.slice();
    leaves.splice(i, 1);
    return new Collision(edit, hash, leaves);
  }
  const bit = bitFor(hash, shift);
  if ((node.bitmap & bit) === 0) return node;
  const idx = popcount(node.bitmap & (bit - 1));
  const child = node.children[idx]!;
  let next: Node<V> | undefined;
  if (child instanceof Leaf) {
    if (child.key !== key) return node;
    change.delta = -1;
    next = undefined;
  } else {
    next = deleteIn(edit, child, shift + BITS, hash, key, change);
    if (next === child) return node;
  }
  const owned = edit !== null && node.owner === edit;
  let children: Node<V>[];
  let bitmap = node.bitmap;
  if (next === undefined) {
    bitmap &= ~bit;
    children = owned ? node.children : node.children.slice();
    children.splice(idx, 1);
  } else {
    children = owned ? node.children : node.children.slice();
    children[idx] = next;
  }
  // The root stays a branch; an inner branch left with one leaf (or collision) is lifted.
  if (shift > 0) {
    if (children.length === 0) return undefined;
    const only = children[0]!;
    if (children.length === 1 && !(only instanceof Branch)) return only;
  }
  if (owned) {
    node.bitmap = bitmap;
    return node;
  }
  return new Branch(edit, bitmap, children);
}

function* iterate<V>(node: Node<V>): Generator<Leaf<V>, void, undefined> {
  if (node instanceof Leaf) yield node;
  else if (node instanceof Collision) yield* node.leaves;
  else for (const child of node.children) yield* iterate(child);
}

function forEachLeaf<V>(node: Node<V>, fn: (value: V, key: string) => void): void {
  if (node instanceof Leaf) fn(node.value, node.key);
  else if (node instanceof Collision) for (const leaf of node.leaves) fn(leaf.value, leaf.key);
  else for (const child of node.children) forEachLeaf(child, fn);
}

const EMPTY_ROOT = new Branch<never>(null, 0, []);

/** An immutable string-keyed map; every update returns a new map sharing what it did not touch. */
export class PMap<V> {
  private static readonly EMPTY_MAP = new PMap<never>(EMPTY_ROOT, 0);

  static empty<V>(): PMap<V> {
    return PMap.EMPTY_MAP as PMap<V>;
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PMap<V> {
    const b = PMap.empty<V>().builder();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  }

  /** @internal use PMap.empty() / builder(). */
  constructor(
    private readonly root: Branch<V>,
    readonly size: number,
  ) {}

  get(key: string): V | undefined {
    return lookup(this.root, hashOf(key), key)?.value;
  }

  has(key: string): boolean {
    return lookup(this.root, hashOf(key), key) !== undefined;
  }

  set(key: string, value: V): PMap<V> {
    const change: SizeChange = { delta: 0 };
    const root = setIn(null, this.root, 0, new Leaf(hashOf(key), key, value), change) as Branch<V>;
    return root === this.root ? this : new PMap(root, this.size + change.delta);
  }

  delete(key: string): PMap<V> {
    const change: SizeChange = { delta: 0 };
    const root = deleteIn(null, this.root, 0, hashOf(key), key, change) as Branch<V>;
    return root === this.root ? this : new PMap(root, this.size + change.delta);
  }

  /** A builder that starts from this map; this map itself never changes. */
  builder(): PMapBuilder<V> {
    return new PMapBuilder(this.root, this.size);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const leaf of iterate(this.root)) yield [leaf.key, leaf.value];
  }

  *keys(): IterableIterator<string> {
    for (const leaf of iterate(this.root)) yield leaf.key;
  }

  *values(): IterableIterator<V> {
    for (const leaf of iterate(this.root)) yield leaf.value;
  }

  /** Faster than the iterators (no generator frames); order is the trie's, not insertion order. */
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    forEachLeaf(this.root, (value: V, key: string) => fn(value, key, this));
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

/** Batch mode: updates in place on nodes this builder owns; `build()` freezes the result. */
export class PMapBuilder<V> {
  private edit: Edit = { live: true };
  private root: Branch<V>;

  constructor(
    root: Branch<V>,
    private count: number,
  ) {
    this.root = root;
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return lookup(this.root, hashOf(key), key)?.value;
  }

  has(key: string): boolean {
    return lookup(this.root, hashOf(key), key) !== undefined;
  }

  set(key: string, value: V): this {
    assert(this.edit.live, 'PMapBuilder used after build()');
    const change: SizeChange = { delta: 0 };
    this.root = setIn(this.edit, this.root, 0, new Leaf(hashOf(key), key, value), change) as Branch<V>;
    this.count += change.delta;
    return this;
  }

  delete(key: string): this {
    assert(this.edit.live, 'PMapBuilder used after build()');
    const change: SizeChange = { delta: 0 };
    this.root = deleteIn(this.edit, this.root, 0, hashOf(key), key, change) as Branch<V>;
    this.count += change.delta;
    return this;
  }

  build(): PMap<V> {
    assert(this.edit.live, 'PMapBuilder.build() called twice');
    // Retire the token: nodes stamped with it are now shared by an immutable map.
    this.edit.live = false;
    return this.count === 0 ? PMap.empty<V>() : new PMap(this.root, this.count);
  }
}
