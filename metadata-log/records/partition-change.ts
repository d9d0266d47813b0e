// PartitionChange (type 5, Kafka's PartitionChangeRecord): a diff of one partition's registration.
// An absent field is unchanged. Replay: a present `leader` (even the same id) bumps the leader
// epoch; every PartitionChange bumps the partition epoch.
//
// Version history (payload fields, in order; nil = absent):
//   v0  [topicId, partitionId, isr?, leader?, replicas?, removingReplicas?, addingReplicas?,
//        leaderRecoveryState?]                                        (current)
//         Kafka writes "unchanged" as leader -2 / leaderRecoveryState -1; here it is nil, so
//         leader is -1 (NO_LEADER) or a broker id when present.

import type { PartitionChangeRecord } from './types.js';
import type { RecordSchema, Writable } from './schema.js';
import { fieldsOf, int32Id, int32Ids, leaderId, leaderRecoveryState, topicId } from './fields.js';

export const partitionChangeSchema: RecordSchema<PartitionChangeRecord> = {
  name: 'PartitionChange',
  typeId: 5,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [
      r.topicId,
      r.partitionId,
      r.isr ?? null,
      r.leader ?? null,
      r.replicas ?? null,
      r.removingReplicas ?? null,
      r.addingReplicas ?? null,
      r.leaderRecoveryState ?? null,
    ];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 8);
    const r: Writable<PartitionChangeRecord> = {
      type: 'PartitionChange',
      topicId: topicId(p[0], 'topicId'),
      partitionId: int32Id(p[1], 'partitionId'),
    };
    if (p[2] !== null) r.isr = int32Ids(p[2], 'isr');
    if (p[3] !== null) r.leader = leaderId(p[3], 'leader');
    if (p[4] !== null) r.replicas = int32Ids(p[4], 'replicas');
    if (p[5] !== null) r.removingReplicas = int32Ids(p[5], 'removingReplicas');
    if (p[6] !== null) r.addingReplicas = int32Ids(p[6], 'addingReplicas');
    if (p[7] !== null) r.leaderRecoveryState = leaderRecoveryState(p[7], 'leaderRecoveryState');
    return r;
  },
};
