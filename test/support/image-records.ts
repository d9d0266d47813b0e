// Records for building metadata images in tests: deterministic uuids and a Partition record with
// the usual defaults (in sync, led by the first replica), which a test overrides field by field.

import type { PartitionRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';

/** A distinct, valid uuid per n. */
export function testUuid(n: number): string {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(12, n + 100);
  return uuidFromBytes(b);
}

export function partitionRecord(topicId: string, partitionId: number, replicas: number[], extra: Partial<PartitionRecord> = {}): PartitionRecord {
  return {
    type: 'Partition',
    topicId,
    partitionId,
    replicas,
    isr: replicas.slice(),
    removingReplicas: [],
    addingReplicas: [],
    leader: replicas[0] ?? -1,
    leaderRecoveryState: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
    ...extra,
  };
}
