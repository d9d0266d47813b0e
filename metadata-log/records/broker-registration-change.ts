// BrokerRegistrationChange (type 17, Kafka's BrokerRegistrationChangeRecord): fences, unfences or
// marks a registered broker as shutting down. A diff: an absent field is unchanged.
//
// Version history (payload fields, in order; nil = absent):
//   v0  [brokerId, brokerEpoch, fenced?, inControlledShutdown?]       (current)
//         Booleans, where Kafka uses int8 (1 fence / -1 unfence / 0 none): nil plays Kafka's 0.

import type { BrokerRegistrationChangeRecord } from './types.js';
import type { RecordSchema, Writable } from './schema.js';
import { bool, fieldsOf, int32Id, int64NonNeg } from './fields.js';

export const brokerRegistrationChangeSchema: RecordSchema<BrokerRegistrationChangeRecord> = {
  name: 'BrokerRegistrationChange',
  typeId: 17,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.brokerId, r.brokerEpoch, r.fenced ?? null, r.inControlledShutdown ?? null];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 4);
    const r: Writable<BrokerRegistrationChangeRecord> = {
      type: 'BrokerRegistrationChange',
      brokerId: int32Id(p[0], 'brokerId'),
      brokerEpoch: int64NonNeg(p[1], 'brokerEpoch'),
    };
    if (p[2] !== null) r.fenced = bool(p[2], 'fenced');
    if (p[3] !== null) r.inControlledShutdown = bool(p[3], 'inControlledShutdown');
    return r;
  },
};
