// Partition (type 3, Kafka's PartitionRecord): a partition's full registration, written when a
// topic is created or partitions are added, and once per partition in every snapshot.
//
// Version history (payload fields, in order):
//   v0  [topicId, partitionId, replicas, isr, removingReplicas, addingReplicas, leader,
//        leaderEpoch, partitionEpoch]
//   v1  v0 + [leaderRecoveryState]                                    (current)
//         Reading v0: leaderRecoveryState = 0 (recovered), the default Kafka's record also gives
//         a missing LeaderRecoveryState (KIP-704): a v0 writer did not track recovery.
//
// The hot record: a 1,000,000-partition snapshot is a million of these. decode builds one object
// of a fixed shape, reuses msgpack's arrays after checking them in place, and shares one frozen
// empty array for the (usual) empty removing/adding lists.

import type { PartitionRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { fieldsOf, int, int32Id, int32Ids, INT32_MAX, leaderId, leaderRecoveryState, topicId } from './fields.js';

const V0_FIELDS = 9;
const V1_FIELDS = 10;

export const partitionSchema: RecordSchema<PartitionRecord> = {
  name: 'Partition',
  typeId: 3,
  version: 1,
  oldestReadableVersion: 0,

  encode(r) {
    return [
      r.topicId,
      r.partitionId,
      r.replicas,
      r.isr,
      r.removingReplicas,
      r.addingReplicas,
      r.leader,
      r.leaderEpoch,
      r.partitionEpoch,
      r.leaderRecoveryState,
    ];
  },

  decode(version, payload) {
    const p = fieldsOf(payload, version === 0 ? V0_FIELDS : V1_FIELDS);
    return {
      type: 'Partition',
      topicId: topicId(p[0], 'topicId'),
      partitionId: int32Id(p[1], 'partitionId'),
      replicas: int32Ids(p[2], 'replicas'),
      isr: int32Ids(p[3], 'isr'),
      removingReplicas: int32Ids(p[4], 'removingReplicas'),
      addingReplicas: int32Ids(p[5], 'addingReplicas'),
      leader: leaderId(p[6], 'leader'),
      leaderRecoveryState: version === 0 ? 0 : leaderRecoveryState(p[9], 'leaderRecoveryState'),
      leaderEpoch: int(p[7], 0, INT32_MAX, 'leaderEpoch'),
      partitionEpoch: int(p[8], 0, INT32_MAX, 'partitionEpoch'),
    };
  },
};
