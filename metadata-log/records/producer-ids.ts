// ProducerIds (type 15, Kafka's ProducerIdsRecord): a broker took the next block of producer ids.
//
// Version history (payload fields, in order):
//   v0  [brokerId, brokerEpoch, nextProducerId]                       (current)

import type { ProducerIdsRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int32Id, int64NonNeg } from './fields.js';

export const producerIdsSchema: RecordSchema<ProducerIdsRecord> = {
  name: 'ProducerIds',
  typeId: 15,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.brokerId, r.brokerEpoch, r.nextProducerId];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 3);
    return {
      type: 'ProducerIds',
      brokerId: int32Id(p[0], 'brokerId'),
      brokerEpoch: int64NonNeg(p[1], 'brokerEpoch'),
      nextProducerId: int64NonNeg(p[2], 'nextProducerId'),
    };
  },
};
