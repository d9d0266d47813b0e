// RemoveAccessControlEntry (type 19, Kafka's RemoveAccessControlEntryRecord): removes the ACL
// with this id (an id not in the image is a corrupt log, as in Kafka).
//
// Version history (payload fields, in order):
//   v0  [id]                                                          (current)

import type { RemoveAccessControlEntryRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, uuid } from './fields.js';

export const removeAccessControlEntrySchema: RecordSchema<RemoveAccessControlEntryRecord> = {
  name: 'RemoveAccessControlEntry',
  typeId: 19,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.id];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'RemoveAccessControlEntry', id: uuid(p[0], 'id') };
  },
};
