// NoOp (type 20, Kafka's NoOpRecord): written by an idle active controller so the high watermark
// keeps moving and a stale follower can tell it is stale.
//
// Version history (payload fields, in order):
//   v0  []                                                            (current)

import type { NoOpRecord } from './types.js';
import { fieldlessSchema } from './schema.js';

export const noOpSchema = fieldlessSchema<NoOpRecord>('NoOp', 20, { type: 'NoOp' });
