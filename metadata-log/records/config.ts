// Config (type 4, Kafka's ConfigRecord): sets or deletes one config key of a topic or a broker
// (resourceName '' = the cluster-wide broker default).
//
// Version history (payload fields, in order):
//   v0  [resourceType, resourceName, name, value]                     (current)
//         resourceType as Kafka's ConfigResource.Type int8: 2 topic, 4 broker.
//         value nil = delete the key: it is not optional, null is kept as null on decode.

import type { ConfigRecord, ConfigResourceType } from './types.js';
import type { RecordSchema } from './schema.js';
import { describe, FieldError, fieldsOf, nullableStr, str } from './fields.js';

const TOPIC = 2;
const BROKER = 4;

export const configSchema: RecordSchema<ConfigRecord> = {
  name: 'Config',
  typeId: 4,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.resourceType === 'topic' ? TOPIC : r.resourceType === 'broker' ? BROKER : r.resourceType, r.resourceName, r.name, r.value];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 4);
    return {
      type: 'Config',
      resourceType: resourceType(p[0]),
      resourceName: str(p[1], 'resourceName'),
      name: str(p[2], 'name'),
      value: nullableStr(p[3], 'value'),
    };
  },
};

function resourceType(v: unknown): ConfigResourceType {
  if (v === TOPIC) return 'topic';
  if (v === BROKER) return 'broker';
  throw new FieldError('resourceType', `is ${describe(v)}, not ${TOPIC} (topic) or ${BROKER} (broker)`);
}
