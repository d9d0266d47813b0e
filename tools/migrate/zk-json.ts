// Reading what Kafka wrote into a znode: compact JSON (key order arbitrary, unknown keys ignored, as
// Kafka's own readers do) or plain decimal text, with every error naming the znode path and, for
// JSON, the key. Pure: no I/O; the planner (./plan.ts) turns a ZkDataError into an anomaly.
//
// Rules (zk-layout.md, "General rules"):
// - No data, and zero bytes, are the same thing: `dataOf` answers null for both.
// - Bytes must be UTF-8 (Kafka writes UTF-8 only); invalid UTF-8 is malformed, never replaced.
// - A JSON document must be an object; each field is checked for the type Kafka writes, and numbers
//   that are not safe integers are refused (JSON.parse would have rounded them).
// - 64-bit values (producer-id bounds, legacy offsets) are read as BigInt from their decimal text.

import type { ZkNode } from './zk-tree.js';

export type ZkDataErrorKind = 'malformed-json' | 'malformed-text' | 'empty-node';

/** A znode whose data is not what Kafka writes there. */
export class ZkDataError extends Error {
  override readonly name = 'ZkDataError';
  constructor(
    readonly path: string,
    readonly kind: ZkDataErrorKind,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The node's bytes, or null when it holds none (null data and zero bytes are the same). */
export function dataOf(node: ZkNode | undefined): Buffer | null {
  if (node === undefined || node.data === null || node.data.length === 0) return null;
  return node.data;
}

/** The node's data as text; null when it holds none. Throws on invalid UTF-8. */
export function textOf(path: string, node: ZkNode | undefined): string | null {
  const data = dataOf(node);
  if (data === null) return null;
  try {
    return utf8.decode(data);
  } catch {
    throw new ZkDataError(path, 'malformed-text', `${data.length} bytes that are not UTF-8`);
  }
}

/** A short, safe rendering of a value for a message (never a whole document). */
export function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `the string ${JSON.stringify(v.slice(0, 40))}...` : `the string ${JSON.stringify(v)}`;
    case 'number':
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

/** The node's JSON object; null when the node holds no data. Throws ZkDataError. */
export function jsonOf(path: string, node: ZkNode | undefined): JsonFields | null {
  const text = textOf(path, node);
  if (text === null) return null;
  return parseJsonObject(path, text);
}

/** Like jsonOf, but a node without data is an error too (`what` says what it should hold). */
export function requiredJsonOf(path: string, node: ZkNode | undefined, what: string): JsonFields {
  const json = jsonOf(path, node);
  if (json === null) throw new ZkDataError(path, 'empty-node', `holds no data; Kafka writes ${what} here`);
  return json;
}

export function parseJsonObject(path: string, text: string): JsonFields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ZkDataError(path, 'malformed-json', `is not JSON (${reason})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ZkDataError(path, 'malformed-json', `is ${show(value)}, not a JSON object`);
  }
  return new JsonFields(path, value as Record<string, unknown>, '');
}

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
const DECIMAL = /^-?[0-9]+$/;

/** Typed access to one JSON object's fields; errors name the znode path and the key. */
export class JsonFields {
  constructor(
    readonly path: string,
    readonly obj: Readonly<Record<string, unknown>>,
    /** The object's own key path inside the document ("" for the document, "config." below it). */
    readonly prefix: string,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.obj, key);
  }

  /** The raw value; undefined when absent. */
  get(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  keys(): string[] {
    return Object.keys(this.obj);
  }

  fail(key: string, expected: string): never {
    throw new ZkDataError(this.path, 'malformed-json', `key "${this.prefix}${key}" is ${show(this.get(key))}, not ${expected}`);
  }

  /** The "version" field as Kafka wrote it (a number, or "1" for /cluster/id); undefined when absent. */
  version(): number | string | undefined {
    const v = this.get('version');
    return typeof v === 'number' || typeof v === 'string' ? v : undefined;
  }

  int(key: string, min: number = INT32_MIN, max: number = INT32_MAX): number {
    const v = this.get(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) this.fail(key, `an integer in ${min}..${max}`);
    return v;
  }

  optInt(key: string, min: number = INT32_MIN, max: number = INT32_MAX): number | undefined {
    const v = this.get(key);
    return v === undefined || v === null ? undefined : this.int(key, min, max);
  }

  str(key: string): string {
    const v = this.get(key);
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v;
  }

  /** A string, or null when the key is absent or null. */
  optStr(key: string): string | null {
    const v = this.get(key);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.fail(key, 'a string or null');
    return v;
  }

  /** A list of int32 ids (broker ids): each in 0..2^31-1. */
  ids(key: string): number[] {
    return this.idsOf(key, this.get(key));
  }

  idsOf(key: string, v: unknown): number[] {
    if (!Array.isArray(v)) this.fail(key, 'an array of broker ids');
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > INT32_MAX) {
        throw new ZkDataError(this.path, 'malformed-json', `key "${this.prefix}${key}" holds ${show(x)}, not a broker id (0..${INT32_MAX})`);
      }
    }
    return v as number[];
  }

  object(key: string): JsonFields {
    const v = this.get(key);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'a JSON object');
    return new JsonFields(this.path, v as Record<string, unknown>, `${this.prefix}${key}.`);
  }

  /** The object, or null when the key is absent or null. */
  optObject(key: string): JsonFields | null {
    const v = this.get(key);
    return v === undefined || v === null ? null : this.object(key);
  }

  array(key: string): unknown[] {
    const v = this.get(key);
    if (!Array.isArray(v)) this.fail(key, 'a JSON array');
    return v;
  }

  /**
   * A 64-bit integer Kafka writes as a JSON string ("41999"); a plain JSON number is accepted when
   * it is a safe integer (beyond that JSON.parse has already rounded it).
   */
  long(key: string): bigint {
    const v = this.get(key);
    if (typeof v === 'string' && DECIMAL.test(v)) return BigInt(v);
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    return this.fail(key, 'a 64-bit integer (Kafka writes it as a decimal string)');
  }
}

/** Plain decimal text (/controller_epoch, legacy offsets) as a BigInt; surrounding whitespace is tolerated. */
export function decimalTextOf(path: string, text: string): bigint {
  const t = text.trim();
  if (!DECIMAL.test(t)) throw new ZkDataError(path, 'malformed-text', `is ${show(text)}, not a decimal integer`);
  return BigInt(t);
}
