// Legacy (0.8-era) consumer offsets: /consumers/<group>/offsets/<topic>/<partition>, plain decimal
// text of the next offset to read (zk-layout.md §10). Kafka's own migration ignores /consumers; we
// import them as the committed offsets of a group with the same name, because our offsets live in
// the metadata log (OffsetCommit records):
//   groupId = <group>, topic, partition, offset = the text (any safe integer), leaderEpoch -1
//   (unknown), metadata null (none), commitTimestampMs = the node's mtime (when it was last
//   committed).
// Only for topics this plan imports, and partitions they have: an offset of a topic that is gone
// (common: dead groups keep theirs for ever) would otherwise apply to a future topic of that name.
// Those are skipped and reported per <group>/offsets/<topic>. Non-decimal text and values beyond
// 2^53 - 1 (what the record holds exactly) are anomalies; ephemeral ids/ and owners/ are ignored.

import type { OffsetCommitRecord } from '../../metadata-log/records/types.js';
import type { PlanContext } from './plan-types.js';
import { childPath, idOf } from './plan-types.js';
import { decimalTextOf, textOf, ZkDataError } from './zk-json.js';

export const CONSUMERS_PATH = '/consumers';

/** `partitionCounts`: imported topic → its partition count. Sorted by group, topic, partition. */
export function legacyOffsetRecords(ctx: PlanContext, partitionCounts: ReadonlyMap<string, number>): OffsetCommitRecord[] {
  const records: OffsetCommitRecord[] = [];
  for (const group of [...ctx.children(CONSUMERS_PATH)].sort()) {
    const offsetsPath = `${childPath(CONSUMERS_PATH, group)}/offsets`;
    for (const topic of [...ctx.children(offsetsPath)].sort()) {
      const topicPath = childPath(offsetsPath, topic);
      const partitionNames = ctx.children(topicPath);
      const count = partitionCounts.get(topic);
      if (count === undefined) {
        if (partitionNames.length > 0) {
          ctx.skip(topicPath, `group ${group}'s ${partitionNames.length} offset(s) for topic ${topic}, which is not imported (absent, pending deletion or skipped)`);
        }
        continue;
      }
      const partitions: { partition: number; name: string }[] = [];
      for (const name of partitionNames) {
        const partition = idOf(name);
        if (partition === null || partition >= count) {
          ctx.skip(childPath(topicPath, name), `topic ${topic} has no partition "${name}" (it has ${count})`);
          continue;
        }
        partitions.push({ partition, name });
      }
      partitions.sort((a, b) => a.partition - b.partition);
      for (const { partition, name } of partitions) {
        const path = childPath(topicPath, name);
        if (ctx.isUnreadable(path)) {
          ctx.skip(path, `group ${group}'s offset for ${topic}-${partition} could not be read`);
          continue;
        }
        const node = ctx.node(path);
        if (node === undefined) continue; // deleted while the tree was read
        const record = ctx.guard(`group ${group}'s offset for ${topic}-${partition} is not imported`, (): OffsetCommitRecord | null => {
          const text = textOf(path, node);
          if (text === null) throw new ZkDataError(path, 'empty-node', 'holds no data; Kafka writes the next offset to read here as decimal text');
          const offset = decimalTextOf(path, text);
          if (offset > BigInt(Number.MAX_SAFE_INTEGER) || offset < BigInt(Number.MIN_SAFE_INTEGER)) {
            ctx.anomaly(path, 'unrepresentable-value', 'error', `offset ${offset} is beyond 2^53 - 1, which this quorum's records cannot hold; group ${group}'s offset for ${topic}-${partition} is not imported`);
            return null;
          }
          const mtime = node.stat.mtime;
          return {
            type: 'OffsetCommit',
            groupId: group,
            topic,
            partition,
            offset: Number(offset),
            leaderEpoch: -1,
            metadata: null,
            commitTimestampMs: Number.isSafeInteger(mtime) && mtime >= 0 ? mtime : -1,
          };
        });
        if (record !== undefined && record !== null) records.push(record);
      }
    }
  }
  return records;
}
