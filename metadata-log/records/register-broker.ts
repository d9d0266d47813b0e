// RegisterBroker (type 0, Kafka's RegisterBrokerRecord): a broker's registration. Its log offset
// becomes the broker epoch; a re-registration (new incarnation) replaces the old one.
//
// Version history (payload fields, in order):
//   v0  [brokerId, incarnationId, brokerEpoch, endpoints, features, rack, fenced]
//         endpoints = [[name, host, port, securityProtocol], ...]; features = [[name, minVersion, maxVersion], ...]
//   v1  v0 + [inControlledShutdown]                                   (current)
//         Reading v0: inControlledShutdown = false (a v0 writer had no controlled shutdown state;
//         Kafka's RegisterBrokerRecord v1 added it with the same default).

import type { Endpoint, FeatureRange, RegisterBrokerRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { array, bool, describe, FieldError, fieldsOf, int, int32Id, int64NonNeg, INT16_MAX, nested, nullableStr, str, UINT16_MAX, uuid } from './fields.js';

const V0_FIELDS = 7;
const V1_FIELDS = 8;

export const registerBrokerSchema: RecordSchema<RegisterBrokerRecord> = {
  name: 'RegisterBroker',
  typeId: 0,
  version: 1,
  oldestReadableVersion: 0,

  encode(r) {
    return [
      r.brokerId,
      r.incarnationId,
      r.brokerEpoch,
      r.endpoints.map((e) => [e.name, e.host, e.port, e.securityProtocol]),
      r.features.map((f) => [f.name, f.minVersion, f.maxVersion]),
      r.rack,
      r.fenced,
      r.inControlledShutdown,
    ];
  },

  decode(version, payload) {
    const p = fieldsOf(payload, version === 0 ? V0_FIELDS : V1_FIELDS);
    return {
      type: 'RegisterBroker',
      brokerId: int32Id(p[0], 'brokerId'),
      incarnationId: uuid(p[1], 'incarnationId'),
      brokerEpoch: int64NonNeg(p[2], 'brokerEpoch'),
      endpoints: endpoints(p[3]),
      rack: nullableStr(p[5], 'rack'),
      fenced: bool(p[6], 'fenced'),
      inControlledShutdown: version === 0 ? false : bool(p[7], 'inControlledShutdown'),
      features: features(p[4]),
    };
  },
};

function endpoints(v: unknown): Endpoint[] {
  const list = array(v, 'endpoints');
  const out: Endpoint[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!Array.isArray(e) || e.length !== 4) throw new FieldError(`endpoints[${i}]`, `is ${describe(e)}, not [name, host, port, securityProtocol]`);
    try {
      out.push({ name: str(e[0], 'name'), host: str(e[1], 'host'), port: int(e[2], 0, UINT16_MAX, 'port'), securityProtocol: str(e[3], 'securityProtocol') });
    } catch (err) {
      nested(err, `endpoints[${i}]`);
    }
  }
  return out;
}

function features(v: unknown): FeatureRange[] {
  const list = array(v, 'features');
  const out: FeatureRange[] = [];
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (!Array.isArray(f) || f.length !== 3) throw new FieldError(`features[${i}]`, `is ${describe(f)}, not [name, minVersion, maxVersion]`);
    try {
      const name = str(f[0], 'name');
      const minVersion = int(f[1], 0, INT16_MAX, 'minVersion');
      const maxVersion = int(f[2], 0, INT16_MAX, 'maxVersion');
      if (minVersion > maxVersion) throw new FieldError('maxVersion', `${maxVersion} is below minVersion ${minVersion}`);
      out.push({ name, minVersion, maxVersion });
    } catch (err) {
      nested(err, `features[${i}]`);
    }
  }
  return out;
}
