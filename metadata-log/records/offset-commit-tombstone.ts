// OffsetCommitTombstone (type 101, ours; see offset-commit.ts): removes one committed offset.
// DeleteGroups writes one per offset the group holds.
//
// Version history (payload fields, in order):
//   v0  [groupId, topic, partition]                                   (current)

import type { OffsetCommitTombstoneRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int32Id, str } from './fields.js';

export const offsetCommitTombstoneSchema: RecordSchema<OffsetCommitTombstoneRecord> = {
  name: 'OffsetCommitTombstone',
  typeId: 101,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.groupId, r.topic, r.partition];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 3);
    return { type: 'OffsetCommitTombstone', groupId: str(p[0], 'groupId'), topic: str(p[1], 'topic'), partition: int32Id(p[2], 'partition') };
  },
};
