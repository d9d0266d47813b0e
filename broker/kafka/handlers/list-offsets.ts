// ListOffsets (api 2, v1-3): the offsets a consumer starts from when its group has none committed
// (kafkajs asks for them in setOffsets/resetOffsets and whenever a committed offset is negative).
//
// This cluster has no data plane (Produce and Fetch are not served), so every partition's log is
// empty: its log start and end offset are both 0. Answers, per partition:
// - unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION;
// - this broker not its leader (per its own image) → NOT_LEADER_OR_FOLLOWER (the client refreshes
//   metadata and asks the leader, as with Kafka);
// - timestamp -1 (latest) or -2 (earliest) → offset 0, timestamp -1;
// - any other timestamp → offset -1, timestamp -1: no record at or after it (Kafka's answer for a
//   timestamp past the last record).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { ListOffsetsRequest, ListOffsetsResponse, ListOffsetsResponsePartition } from '../protocol/apis/list-offsets.js';
import type { KafkaHandler } from './context.js';

const LATEST = -1n;
const EARLIEST = -2n;
/** Where an empty log starts and ends. */
const EMPTY_LOG_OFFSET = 0n;

export const handleListOffsets: KafkaHandler<ListOffsetsRequest, ListOffsetsResponse> = async (ctx, request) => {
  const image = ctx.image();
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => {
      const topic = image.topicByName(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p): ListOffsetsResponsePartition => {
          const answer = (errorCode: number, offset = -1n): ListOffsetsResponsePartition => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1n, offset });
          const partition = topic?.partitions[p.partitionIndex];
          if (partition === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (partition.leader !== ctx.brokerId) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          return answer(ErrorCode.NONE, p.timestamp === LATEST || p.timestamp === EARLIEST ? EMPTY_LOG_OFFSET : -1n);
        }),
      };
    }),
  };
};
