// NoOp (type 20, Kafka's NoOpRecord): written by an idle active controller so the high watermark
// keeps moving and a stale follower can tell it is stale.
//
// Version history (payload fields, in order):
//   v0  []                                                            (current)

import type { NoOpRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf } from './fields.js';

/** Every NoOp is the same value: decode hands out this one (no allocation per idle tick). */
const NO_OP: NoOpRecord = Object.freeze({ type: 'NoOp' });

export const noOpSchema: RecordSchema<NoOpRecord> = {
  name: 'NoOp',
  typeId: 20,
  version: 0,
  oldestReadableVersion: 0,

  encode() {
    return [];
  },

  decode(_version, payload) {
    fieldsOf(payload, 0);
    return NO_OP;
  },
};
