// UnregisterBroker (type 1, Kafka's UnregisterBrokerRecord): removes a broker's registration.
// The epoch names the registration meant, so a stale unregister cannot remove a newer one.
//
// Version history (payload fields, in order):
//   v0  [brokerId, brokerEpoch]                                       (current)

import type { UnregisterBrokerRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int32Id, int64NonNeg } from './fields.js';

export const unregisterBrokerSchema: RecordSchema<UnregisterBrokerRecord> = {
  name: 'UnregisterBroker',
  typeId: 1,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.brokerId, r.brokerEpoch];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 2);
    return { type: 'UnregisterBroker', brokerId: int32Id(p[0], 'brokerId'), brokerEpoch: int64NonNeg(p[1], 'brokerEpoch') };
  },
};
