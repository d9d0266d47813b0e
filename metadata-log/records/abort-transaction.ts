// AbortTransaction (type 25, Kafka's AbortTransactionRecord, KIP-868): drops the open metadata
// transaction's records.
//
// Version history (payload fields, in order):
//   v0  [reason]                                                      (current; reason may be nil)

import type { AbortTransactionRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, nullableStr } from './fields.js';

export const abortTransactionSchema: RecordSchema<AbortTransactionRecord> = {
  name: 'AbortTransaction',
  typeId: 25,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.reason];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'AbortTransaction', reason: nullableStr(p[0], 'reason') };
  },
};
