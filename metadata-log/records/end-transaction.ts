// EndTransaction (type 24, Kafka's EndTransactionRecord, KIP-868): commits the open metadata
// transaction; its records become visible together.
//
// Version history (payload fields, in order):
//   v0  []                                                            (current)

import type { EndTransactionRecord } from './types.js';
import { fieldlessSchema } from './schema.js';

export const endTransactionSchema = fieldlessSchema<EndTransactionRecord>('EndTransaction', 24, { type: 'EndTransaction' });
