// FeatureLevel (type 12, Kafka's FeatureLevelRecord): sets a finalized feature level; level 0
// removes the feature. A new log or snapshot starts with the metadata.version one.
//
// Version history (payload fields, in order):
//   v0  [name, featureLevel]                                          (current)
//         Kafka freezes this record's schema at v0 because it is read before metadata.version is
//         known; keep it frozen here too.

import type { FeatureLevelRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int, INT16_MAX, str } from './fields.js';

export const featureLevelSchema: RecordSchema<FeatureLevelRecord> = {
  name: 'FeatureLevel',
  typeId: 12,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.name, r.featureLevel];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 2);
    return { type: 'FeatureLevel', name: str(p[0], 'name'), featureLevel: int(p[1], 0, INT16_MAX, 'featureLevel') };
  },
};
