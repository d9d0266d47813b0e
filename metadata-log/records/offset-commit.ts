// OffsetCommit (type 100, ours: Kafka keeps offsets in __consumer_offsets, not in the metadata log;
// ids from 100 up are ours so they never collide with a Kafka apiKey). One committed offset.
//
// Version history (payload fields, in order):
//   v0  [groupId, topic, partition, offset, leaderEpoch, metadata, commitTimestampMs]   (current)
//
// Ranges follow what a Kafka client may send: offset and commitTimestampMs are int64 where -1 is
// Kafka's "none/default" marker, leaderEpoch is int32 with -1 = unknown.

import type { OffsetCommitRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int, int32Id, INT32_MAX, nullableStr, SAFE_MAX, str } from './fields.js';

export const offsetCommitSchema: RecordSchema<OffsetCommitRecord> = {
  name: 'OffsetCommit',
  typeId: 100,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.groupId, r.topic, r.partition, r.offset, r.leaderEpoch, r.metadata, r.commitTimestampMs];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 7);
    return {
      type: 'OffsetCommit',
      groupId: str(p[0], 'groupId'),
      topic: str(p[1], 'topic'),
      partition: int32Id(p[2], 'partition'),
      offset: int(p[3], -1, SAFE_MAX, 'offset'),
      leaderEpoch: int(p[4], -1, INT32_MAX, 'leaderEpoch'),
      metadata: nullableStr(p[5], 'metadata'),
      commitTimestampMs: int(p[6], -1, SAFE_MAX, 'commitTimestampMs'),
    };
  },
};
