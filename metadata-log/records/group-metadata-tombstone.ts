// GroupMetadataTombstone (type 103, ours; see group-metadata.ts): removes a group's stored
// membership. Its coordinator writes one when the group empties (its last member left or expired),
// and DeleteGroups with the group's offsets. Removing what is not there is a no-op.
//
// Version history (payload fields, in order):
//   v0  [groupId]                                                     (current)

import type { GroupMetadataTombstoneRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, str } from './fields.js';

export const groupMetadataTombstoneSchema: RecordSchema<GroupMetadataTombstoneRecord> = {
  name: 'GroupMetadataTombstone',
  typeId: 103,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.groupId];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 1);
    return { type: 'GroupMetadataTombstone', groupId: str(p[0], 'groupId') };
  },
};
