// Partitions led per broker, for the placement heuristic in ./placement.ts. Counting from an image
// scans every partition (O(partitions)), too slow to do per CreateTopics, so the controller may keep
// a count and move it forward with the records it appends (O(records)):
//
//   const counts = leaderCountsOf(image);              // once, e.g. on becoming active
//   ...each operation's records, against the image they apply to:
//   applyLeaderCounts(counts, imageBefore, records);
//
// Brokers leading nothing are absent (count 0).

import assert from 'node:assert/strict';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { MetadataRecord, Uuid } from '../../../metadata-log/records/types.js';
import { NO_LEADER } from '../../../metadata-log/records/types.js';

export function leaderCountsOf(image: MetadataImageView): Map<number, number> {
  const counts = new Map<number, number>();
  for (const topic of image.topics()) {
    for (const p of topic.partitions) {
      if (p.leader !== NO_LEADER) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    }
  }
  return counts;
}

function bump(counts: Map<number, number>, brokerId: number, by: number): void {
  if (brokerId === NO_LEADER) return;
  const next = (counts.get(brokerId) ?? 0) + by;
  assert.ok(next >= 0, `leader count of broker ${brokerId} would go negative`);
  if (next === 0) counts.delete(brokerId);
  else counts.set(brokerId, next);
}

/** Moves `counts` (leaders in `before`) to the leaders after `records` are replayed on `before`. */
export function applyLeaderCounts(counts: Map<number, number>, before: MetadataImageView, records: readonly MetadataRecord[]): void {
  // Most operations move no leader (an ISR change, a config): nothing to set up for them.
  if (!records.some(movesLeaders)) return;
  // Leaders set by earlier records of this batch, per topic id then partition (overrides `before`).
  const changed = new Map<Uuid, Map<number, number>>();
  const removed = new Set<Uuid>();
  const leaderOf = (topicId: Uuid, partitionId: number): number => {
    const own = changed.get(topicId)?.get(partitionId);
    if (own !== undefined) return own;
    if (removed.has(topicId)) return NO_LEADER;
    return before.topicById(topicId)?.partitions[partitionId]?.leader ?? NO_LEADER;
  };
  const setLeader = (topicId: Uuid, partitionId: number, leader: number): void => {
    bump(counts, leaderOf(topicId, partitionId), -1);
    bump(counts, leader, 1);
    let m = changed.get(topicId);
    if (m === undefined) changed.set(topicId, (m = new Map()));
    m.set(partitionId, leader);
  };
  for (const r of records) {
    switch (r.type) {
      case 'Partition':
        setLeader(r.topicId, r.partitionId, r.leader);
        break;
      case 'PartitionChange':
        if (r.leader !== undefined) setLeader(r.topicId, r.partitionId, r.leader);
        break;
      case 'RemoveTopic': {
        const ids = new Set<number>(changed.get(r.topicId)?.keys());
        if (!removed.has(r.topicId)) {
          const n = before.topicById(r.topicId)?.partitions.length ?? 0;
          for (let i = 0; i < n; i++) ids.add(i);
        }
        for (const id of ids) bump(counts, leaderOf(r.topicId, id), -1);
        changed.delete(r.topicId);
        removed.add(r.topicId);
        break;
      }
      default:
        break;
    }
  }
}

/** Whether a record can change which broker leads some partition. */
function movesLeaders(r: MetadataRecord): boolean {
  return r.type === 'Partition' || r.type === 'RemoveTopic' || (r.type === 'PartitionChange' && r.leader !== undefined);
}
