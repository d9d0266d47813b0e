// BeginTransaction (type 23, Kafka's BeginTransactionRecord, KIP-868): opens a metadata
// transaction; loaders publish none of its records until the matching EndTransaction.
//
// Version history (payload fields, in order):
//   v0  [name]                                                        (current; name may be nil)

import type { BeginTransactionRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, nullableStr } from './fields.js';

export const beginTransactionSchema: RecordSchema<BeginTransactionRecord> = {
  name: 'BeginTransaction',
  typeId: 23,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.name];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'BeginTransaction', name: nullableStr(p[0], 'name') };
  },
};
