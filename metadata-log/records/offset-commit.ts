// OffsetCommit (type 100, ours: Kafka keeps offsets in __consumer_offsets, not in the metadata log;
// ids from 100 up are ours so they never collide with a Kafka apiKey). One committed offset.
//
// Version history (payload fields, in order):
//   v0  [groupId, topic, partition, offset, leaderEpoch, metadata, commitTimestampMs]   (current)
//
// Ranges follow what a Kafka client may send: offset is any int64 the log can hold exactly (Kafka
// stores whatever is committed; kafkajs's resetOffsets commits -2 = earliest and -1 = latest, which
// its consumers resolve), commitTimestampMs is int64 where -1 is Kafka's "none/default" marker,
// leaderEpoch is int32 with -1 = unknown. (Until 2026-11 v0 decoded offsets >= -1 only; no log
// written before then holds a lower one, so widening the reader changes no stored record.)

import type { OffsetCommitRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int, int32Id, INT32_MAX, nullableStr, SAFE_MAX, SAFE_MIN, str } from './fields.js';

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
      offset: int(p[3], SAFE_MIN, SAFE_MAX, 'offset'),
      leaderEpoch: int(p[4], -1, INT32_MAX, 'leaderEpoch'),
      metadata: nullableStr(p[5], 'metadata'),
      commitTimestampMs: int(p[6], -1, SAFE_MAX, 'commitTimestampMs'),
    };
  },
};
