// Field checks shared by every record schema's decode. Each takes the raw msgpack value and the
// field's name, and returns the value typed or throws FieldError; codec.ts turns that into a
// RecordDecodeError that also names the record type and version.
//
// Why so strict: a record that one node accepts and another rejects splits the cluster, and a
// record nobody can read is a poison pill in the log. encodeRecord runs these same checks before a
// record is written, so the write side and the read side cannot disagree.
//
// Hot path (a snapshot replays a Partition record per partition): plain functions, no closures,
// no allocation on success; arrays from msgpack are checked in place and returned as they are.

import type { LeaderRecoveryState, Uuid } from './types.js';
import { isUuid, ZERO_UUID } from './uuid.js';

export const INT16_MAX = 0x7fff;
export const INT32_MAX = 0x7fffffff;
export const UINT16_MAX = 0xffff;
export const SAFE_MAX = Number.MAX_SAFE_INTEGER;
export const SAFE_MIN = Number.MIN_SAFE_INTEGER;

/** One frozen empty array for every empty id list decoded (most partitions have no reassignment). */
export const EMPTY_IDS: readonly number[] = Object.freeze([] as number[]);

/** A field that is not what its schema says. Internal to the records module: codec.ts wraps it. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`field ${field}: ${reason}`);
    this.name = 'FieldError';
  }
}

/** Checks the payload array and its length for this version. */
export function fieldsOf(payload: unknown, count: number): readonly unknown[] {
  if (!Array.isArray(payload)) throw new FieldError('(payload)', `is ${describe(payload)}, not an array`);
  if (payload.length !== count) throw new FieldError('(payload)', `has ${payload.length} fields, this version has ${count}`);
  return payload;
}

/** An integer in [min, max]; max at most 2^53 - 1. */
export function int(v: unknown, min: number, max: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FieldError(field, `is ${describe(v)}, not an integer in ${min}..${max}`);
  }
  return v;
}

/** Broker ids, partition ids, replica ids: Kafka's int32, never negative. */
export function int32Id(v: unknown, field: string): number {
  return int(v, 0, INT32_MAX, field);
}

/** A broker id or -1 (NO_LEADER). */
export function leaderId(v: unknown, field: string): number {
  return int(v, -1, INT32_MAX, field);
}

/** Offsets, broker epochs, producer ids: Kafka's int64, held as a safe non-negative integer. */
export function int64NonNeg(v: unknown, field: string): number {
  return int(v, 0, SAFE_MAX, field);
}

/** 0 recovered, 1 recovering (after an unclean election). */
export function leaderRecoveryState(v: unknown, field: string): LeaderRecoveryState {
  return int(v, 0, 1, field) as LeaderRecoveryState;
}

export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new FieldError(field, `is ${describe(v)}, not a boolean`);
  return v;
}

interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * A string that survives UTF-8: a lone surrogate would be replaced by U+FFFD when packed, so the
 * record read back would differ from the one written. (isWellFormed is ES2024; Node 20 has it.)
 */
export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new FieldError(field, `is ${describe(v)}, not a string`);
  if (!(v as unknown as WellFormed).isWellFormed()) throw new FieldError(field, 'holds a lone UTF-16 surrogate');
  return v;
}

export function nullableStr(v: unknown, field: string): string | null {
  return v === null ? null : str(v, field);
}

export function uuid(v: unknown, field: string): Uuid {
  if (!isUuid(v)) throw new FieldError(field, `is ${describe(v)}, not a uuid (22 chars of url-safe base64)`);
  return v;
}

/** A topic id: a uuid other than ZERO_UUID, which means "no topic id" in Kafka. */
export function topicId(v: unknown, field: string): Uuid {
  const id = uuid(v, field);
  if (id === ZERO_UUID) throw new FieldError(field, 'is the zero uuid, which is never a topic id');
  return id;
}

/** A list of int32 ids (replicas, ISR). Empty lists come back as the shared EMPTY_IDS. */
export function int32Ids(v: unknown, field: string): readonly number[] {
  if (!Array.isArray(v)) throw new FieldError(field, `is ${describe(v)}, not an array of ids`);
  const n = v.length;
  if (n === 0) return EMPTY_IDS;
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > INT32_MAX) {
      throw new FieldError(field, `element ${i} is ${describe(x)}, not an integer in 0..${INT32_MAX}`);
    }
  }
  return v as number[];
}

/**
 * Opaque bytes (msgpack bin: a consumer's subscription or assignment), as a copy of their own: a
 * decoded bin is a view into the frame it was read from (a whole fetched batch), which an image
 * holding the record must not keep alive. Not Buffer.from: it cuts a small copy out of Node's
 * shared 8 KiB pool, and the image would then keep that slab alive instead.
 */
export function bytes(v: unknown, field: string): Buffer {
  if (!(v instanceof Uint8Array)) throw new FieldError(field, `is ${describe(v)}, not bytes`);
  const copy = Buffer.allocUnsafeSlow(v.length);
  copy.set(v);
  return copy;
}

/** An array of nested tuples (endpoints, features): checks it is an array; elements are the caller's. */
export function array(v: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new FieldError(field, `is ${describe(v)}, not an array`);
  return v;
}

/** Rethrows a FieldError from inside a nested tuple with the tuple's path in front (e.g. endpoints[2].port). */
export function nested(err: unknown, path: string): never {
  if (err instanceof FieldError) throw new FieldError(`${path}.${err.field}`, err.reason);
  throw err;
}

/** A short, safe description of a bad value for an error message (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  switch (typeof v) {
    case 'string':
      return v.length > 40 ? `the string ${JSON.stringify(v.slice(0, 40))}...` : `the string ${JSON.stringify(v)}`;
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `the 64-bit integer ${v}`;
    default:
      return `a value of type ${typeof v}`;
  }
}
