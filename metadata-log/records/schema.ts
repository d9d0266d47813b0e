// What every record type's file exports: its wire identity and its payload codec.
//
// Payload = a msgpack array of the fields in schema order (positional). A new version may only
// append fields (or, rarely, change one's meaning); decode(version, payload) reads every version
// from oldestReadableVersion up to version and returns the current shape, filling upgrade defaults.
// Versions are never reused: once a version's bytes have been written anywhere, its layout is
// frozen (test/fixtures/records holds its golden bytes).

import { fieldsOf } from './fields.js';
import type { MetadataRecord } from './types.js';

export interface RecordSchema<R extends MetadataRecord> {
  /** The record's `type` tag. */
  readonly name: R['type'];
  /** Wire type id, never reused (Kafka's apiKey where Kafka has the record). */
  readonly typeId: number;
  /** The newest version: what decode reads up to, and what encode writes unless writeVersion says otherwise. */
  readonly version: number;
  /** The oldest version decode still reads. */
  readonly oldestReadableVersion: number;
  /**
   * The version this record is written at, when it is not always `version`: a record that uses
   * nothing a newer version added is written at the older one, so software that reads only the
   * older one still reads it (Kafka's OffsetCommitValue does the same with its expire timestamp).
   */
  writeVersion?(record: R): number;
  /** The payload array for the version the record is written at. Optional fields that are absent become null (msgpack nil). */
  encode(record: R): unknown[];
  /**
   * Checks every field of a payload of `version` (between oldestReadableVersion and version; the
   * codec has checked that) and returns the record. Throws FieldError naming the field.
   */
  decode(version: number, payload: unknown): R;
}

/** A record under construction: optional fields are added only when present (exactOptionalPropertyTypes). */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The schema of a record type without fields (NoOp, EndTransaction), v0 only: its payload is the
 * empty array, and decode hands out one frozen value (no allocation per record).
 */
export function fieldlessSchema<R extends MetadataRecord>(name: R['type'], typeId: number, value: R): RecordSchema<R> {
  const frozen = Object.freeze(value);
  return {
    name,
    typeId,
    version: 0,
    oldestReadableVersion: 0,
    encode: () => [],
    decode(_version, payload) {
      fieldsOf(payload, 0);
      return frozen;
    },
  };
}
