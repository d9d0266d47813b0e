// OffsetCommit (type 100, ours: Kafka keeps offsets in __consumer_offsets, not in the metadata log;
// ids from 100 up are ours so they never collide with a Kafka apiKey). One committed offset.
//
// Version history (payload fields, in order):
//   v0  [groupId, topic, partition, offset, leaderEpoch, metadata, commitTimestampMs]
//   v1  v0 + [expireTimestampMs]                                      (current)
//         The explicit expiry an OffsetCommit v2-v4 retention_time_ms asked for (metadata-log/
//         offset-expiry-rule.ts), 0..2^53-1, in the log so that it survives a restart, a new
//         coordinator and a new controller. Written only by a record that has one: every other
//         record is still written at v0, byte for byte as before, so a release that reads only v0
//         reads every log that never used retention_time_ms (Kafka's OffsetCommitValue writes its
//         version with expire_timestamp only when there is one, likewise). Reading v0: none.
//
// Ranges follow what a Kafka client may send: offset is any int64 the log can hold exactly (Kafka
// stores whatever is committed; kafkajs's resetOffsets commits -2 = earliest and -1 = latest, which
// its consumers resolve), commitTimestampMs is int64 where -1 is Kafka's "none/default" marker,
// leaderEpoch is int32 with -1 = unknown. (Until 2026-11 v0 decoded offsets >= -1 only; no log
// written before then holds a lower one, so widening the reader changes no stored record.)

import type { OffsetCommitRecord } from './types.js';
import type { RecordSchema, Writable } from './schema.js';
import { fieldsOf, int, int32Id, INT32_MAX, nullableStr, SAFE_MAX, SAFE_MIN, str } from './fields.js';

const V0_FIELDS = 7;
const V1_FIELDS = 8;

export const offsetCommitSchema: RecordSchema<OffsetCommitRecord> = {
  name: 'OffsetCommit',
  typeId: 100,
  version: 1,
  oldestReadableVersion: 0,

  writeVersion(r) {
    return r.expireTimestampMs === undefined ? 0 : 1;
  },

  encode(r) {
    const v0 = [r.groupId, r.topic, r.partition, r.offset, r.leaderEpoch, r.metadata, r.commitTimestampMs];
    return r.expireTimestampMs === undefined ? v0 : [...v0, r.expireTimestampMs];
  },

  decode(version, payload) {
    const p = fieldsOf(payload, version === 0 ? V0_FIELDS : V1_FIELDS);
    const record: Writable<OffsetCommitRecord> = {
      type: 'OffsetCommit',
      groupId: str(p[0], 'groupId'),
      topic: str(p[1], 'topic'),
      partition: int32Id(p[2], 'partition'),
      offset: int(p[3], SAFE_MIN, SAFE_MAX, 'offset'),
      leaderEpoch: int(p[4], -1, INT32_MAX, 'leaderEpoch'),
      metadata: nullableStr(p[5], 'metadata'),
      commitTimestampMs: int(p[6], -1, SAFE_MAX, 'commitTimestampMs'),
    };
    if (version >= 1) record.expireTimestampMs = int(p[7], 0, SAFE_MAX, 'expireTimestampMs');
    return record;
  },
};
