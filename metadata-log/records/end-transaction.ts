// EndTransaction (type 24, Kafka's EndTransactionRecord, KIP-868): commits the open metadata
// transaction; its records become visible together.
//
// Version history (payload fields, in order):
//   v0  []                                                            (current)

import type { EndTransactionRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf } from './fields.js';

const END_TRANSACTION: EndTransactionRecord = Object.freeze({ type: 'EndTransaction' });

export const endTransactionSchema: RecordSchema<EndTransactionRecord> = {
  name: 'EndTransaction',
  typeId: 24,
  version: 0,
  oldestReadableVersion: 0,

  encode() {
    return [];
  },

  decode(_version, payload) {
    fieldsOf(payload, 0);
    return END_TRANSACTION;
  },
};
