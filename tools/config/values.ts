// Value parsers for configuration keys: integers in a range, booleans, enums, lists. Each returns
// the typed value or throws BadValue with what was expected; the caller (server-config.ts) turns
// that into a ConfigError naming the key as the operator wrote it (a per-listener key included),
// so that every message reads `node.id = "x": must be a non-negative integer`.
//
// Strictness follows Kafka's ConfigDef: values are trimmed, booleans are true/false in any case
// and nothing else (no yes/1/on), integers are decimal and must fit the key's range.

import { ConfigError } from './errors.js';

/** A raw value a parser rejects. An empty reason means "use the key's `expected` text". */
export class BadValue extends Error {
  constructor(readonly reason = '') {
    super(reason);
    this.name = 'BadValue';
  }
}

export const INT_MAX = 2 ** 31 - 1;

/** The message every bad value gets: the key, the value as written, and what is expected. */
export function badValueError(key: string, raw: string, expected: string): ConfigError {
  return new ConfigError(`${key} = ${JSON.stringify(raw)}: ${expected}`, key);
}

/** Decimal integers (an optional sign, digits) in [min, max]. */
export function intParser(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^[+-]?\d+$/.test(raw)) throw new BadValue();
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new BadValue();
    return n;
  };
}

/** true or false, in any letter case (Kafka's BOOLEAN). */
export function parseBoolean(raw: string): boolean {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new BadValue();
}

/** One of `values`, exactly as written there. */
export function enumParser<T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    const found = values.find((v) => v === raw);
    if (found === undefined) throw new BadValue();
    return found;
  };
}

/** Any string with something other than whitespace in it. */
export function parseNonEmpty(raw: string): string {
  if (raw.trim() === '') throw new BadValue();
  return raw;
}

/** Kafka's LIST: comma-separated, items trimmed, empty items dropped; each item through `item`. */
export function listParser<T>(item: (raw: string) => T): (raw: string) => T[] {
  return (raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(item);
}
