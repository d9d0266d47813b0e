// One metadata record's bytes as the inspection tools show them: its type name, the version its
// envelope was written at (decodeRecord upgrades to the current shape; the dump shows what is on
// disk) and its fields, or the reason it does not decode. A sensitive config value (an SSL or SASL
// password set as a dynamic broker config, kept in clear in the log as in Kafka) shows as
// [redacted], as Kafka's metadata shell shows it; so do a SCRAM credential's salt, StoredKey and
// ServerKey (with the salt, StoredKey is what an offline guess of the password is checked
// against, and ServerKey lets one pose as the server). Pure.

import { Packr } from 'msgpackr';
import { decodeRecord, RecordDecodeError, schemaOf } from '../../metadata-log/records/index.js';
import type { MetadataRecord, MetadataRecordType } from '../../metadata-log/records/index.js';
import { isSensitiveConfig } from '../../quorum/controller/configs/config-schema.js';

export type RecordView =
  | {
      readonly ok: true;
      readonly type: MetadataRecordType;
      readonly typeId: number;
      readonly version: number;
      /** The decoded record without its `type` tag. */
      readonly fields: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      readonly typeId: number | null;
      readonly version: number | null;
      readonly error: string;
      /** The record's bytes as stored; none for a SCRAM credential (they may hold its salt and keys). */
      readonly bytes: Uint8Array;
    };

const envelopePeek = new Packr({ useRecords: false });

/** What a sensitive config's value shows as (Kafka's metadata shell prints the same). */
export const REDACTED = '[redacted]';

export function viewRecord(bytes: Uint8Array): RecordView {
  try {
    const record = decodeRecord(bytes);
    return { ok: true, type: record.type, typeId: schemaOf(record.type).typeId, version: envelopeVersion(bytes), fields: redactedFields(record) };
  } catch (e) {
    if (!(e instanceof RecordDecodeError)) throw e;
    // A SCRAM credential this build cannot decode (a newer version, a damaged one) may still hold
    // its salt and keys: its bytes are not shown either.
    const shown = e.typeId === schemaOf('UserScramCredential').typeId ? new Uint8Array(0) : bytes;
    return { ok: false, typeId: e.typeId, version: e.version, error: e.message, bytes: shown };
  }
}

/** The record's fields (no `type` tag) with its secrets replaced by REDACTED: a sensitive config value, a SCRAM credential's salt and keys. */
function redactedFields(record: MetadataRecord): Readonly<Record<string, unknown>> {
  const { type: _type, ...fields } = record;
  if (record.type === 'UserScramCredential') return { ...fields, salt: REDACTED, storedKey: REDACTED, serverKey: REDACTED };
  if (record.type === 'Config' && record.value !== null && isSensitiveConfig(record.resourceType, record.name)) return { ...fields, value: REDACTED };
  return fields;
}

/** The version in an envelope that decodeRecord has already accepted. */
function envelopeVersion(bytes: Uint8Array): number {
  const envelope = envelopePeek.unpack(bytes) as unknown[];
  return envelope[2] as number;
}
