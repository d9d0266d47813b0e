// One metadata record's bytes as the inspection tools show them: its type name, the version its
// envelope was written at (decodeRecord upgrades to the current shape; the dump shows what is on
// disk) and its fields, or the reason it does not decode. Pure.

import { Packr } from 'msgpackr';
import { decodeRecord, RecordDecodeError, schemaOf } from '../../metadata-log/records/index.js';
import type { MetadataRecordType } from '../../metadata-log/records/index.js';

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

export function viewRecord(bytes: Uint8Array): RecordView {
  try {
    const { type, ...fields } = decodeRecord(bytes);
    return { ok: true, type, typeId: schemaOf(type).typeId, version: envelopeVersion(bytes), fields };
  } catch (e) {
    if (!(e instanceof RecordDecodeError)) throw e;
    return { ok: false, typeId: e.typeId, version: e.version, error: e.message, bytes };
  }
}

/** The version in an envelope that decodeRecord has already accepted. */
function envelopeVersion(bytes: Uint8Array): number {
  const envelope = envelopePeek.unpack(bytes) as unknown[];
  return envelope[2] as number;
}
