// One metadata record's bytes as the inspection tools show them: its type name, the version its
// envelope was written at (decodeRecord upgrades to the current shape; the dump shows what is on
// disk) and its fields, or the reason it does not decode. A sensitive config value (an SSL or SASL
// password set as a dynamic broker config, kept in clear in the log as in Kafka) shows as
// [redacted], as Kafka's metadata shell shows it. Pure.

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
      readonly bytes: Uint8Array;
    };

const envelopePeek = new Packr({ useRecords: false });

/** What a sensitive config's value shows as (Kafka's metadata shell prints the same). */
export const REDACTED = '[redacted]';

export function viewRecord(bytes: Uint8Array): RecordView {
  try {
    const record = decodeRecord(bytes);
    const { type, ...fields } = redacted(record);
    return { ok: true, type, typeId: schemaOf(type).typeId, version: envelopeVersion(bytes), fields };
  } catch (e) {
    if (!(e instanceof RecordDecodeError)) throw e;
    return { ok: false, typeId: e.typeId, version: e.version, error: e.message, bytes };
  }
}

/** `record` with a secret config value (a password a dynamic broker config holds, in clear in the log) replaced by REDACTED. */
function redacted(record: MetadataRecord): MetadataRecord {
  if (record.type !== 'Config' || record.value === null || !isSensitiveConfig(record.resourceType, record.name)) return record;
  return { ...record, value: REDACTED };
}

/** The version in an envelope that decodeRecord has already accepted. */
function envelopeVersion(bytes: Uint8Array): number {
  const envelope = envelopePeek.unpack(bytes) as unknown[];
  return envelope[2] as number;
}
