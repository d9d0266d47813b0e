// OffsetDelete (api 47, v0): deletes some of a group's committed offsets, answered by the group's
// coordinator (other brokers: NOT_COORDINATOR), as Kafka's KafkaApis.handleOffsetDeleteRequest and
// GroupCoordinator.handleDeleteOffsets do:
// - an empty group id → INVALID_GROUP_ID;
// - per partition, first: one that does not exist in this broker's image → UNKNOWN_TOPIC_OR_PARTITION;
// - then the group's state, which only this coordinator's memory knows (groups/group-coordinator.ts
//   offsetDeletion): members of another protocol type → NON_EMPTY_GROUP; a consumer group with
//   members → GROUP_SUBSCRIBED_TO_TOPIC for each partition of a topic a member subscribes to; an
//   empty group, or one held nowhere, gives up every offset named;
// - the rest is forwarded to the active controller with this broker's claim to coordinate the
//   group, whether the group exists here and the generation it was judged at (quorum/controller/
//   configs/offsets.ts deleteOffsets: GROUP_ID_NOT_FOUND for a group nothing knows, a tombstone
//   per offset held, NONE per partition; a membership stored since at a newer generation, whose
//   members may have subscribed to the topic and committed meanwhile, is judged again there).
//   The request goes even when nothing is left to delete: only the controller knows whether a
//   group held nowhere holds offsets (GROUP_ID_NOT_FOUND otherwise).
// A group-level answer carries no partitions, as Kafka's. The controller unreachable (after the
// channel's own retries): COORDINATOR_NOT_AVAILABLE, which clients retry; a forward whose outcome
// is unknown is not sent again by the channel, as for OffsetCommit.

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/apis/offset-delete.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { coordinatorClaim, coordinates } from './membership.js';

const groupLevel = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });

export const handleOffsetDelete: KafkaHandler<OffsetDeleteRequest, OffsetDeleteResponse> = async (ctx, request) => {
  if (request.groupId === '') return groupLevel(ErrorCode.INVALID_GROUP_ID);
  if (!coordinates(ctx, request.groupId)) return groupLevel(ErrorCode.NOT_COORDINATOR);
  const state = ctx.groups.offsetDeletion(request.groupId);
  if (state.kind === 'non-empty') return groupLevel(ErrorCode.NON_EMPTY_GROUP);
  const image = ctx.image();
  const local = (topic: string, partition: number): number | null => {
    const t = image.topicByName(topic);
    if (t === undefined || partition < 0 || partition >= t.partitions.length) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (state.kind === 'consumer' && (state.subscribed === undefined || state.subscribed.has(topic))) return ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
    return null;
  };
  const decided = request.topics.map((t) => t.partitionIndexes.map((p) => local(t.name, p)));
  const forwarded = request.topics
    .map((t, ti) => ({ name: t.name, partitionIndexes: t.partitionIndexes.filter((_, pi) => decided[ti]![pi] === null) }))
    .filter((t) => t.partitionIndexes.length > 0);
  let r;
  try {
    r = await ctx.controller.call(
      'deleteOffsets',
      { groupId: request.groupId, topics: forwarded, coordinator: coordinatorClaim(ctx), groupExists: state.kind !== 'unknown', judgedAtGeneration: state.generationId },
      { timeoutMs: ctx.controllerTimeoutMs, retryAmbiguous: false },
    );
  } catch (e) {
    return groupLevel(forwardFailure(e, 'group').errorCode);
  }
  if (r.errorCode !== ErrorCode.NONE) return groupLevel(r.errorCode);
  // The controller answers every forwarded partition in order; a topic named twice is two entries.
  const answers = new Map<string, number[]>();
  for (const t of r.topics) answers.set(t.name, [...(answers.get(t.name) ?? []), ...t.partitions.map((p) => p.errorCode)]);
  const next = (topic: string): number => answers.get(topic)?.shift() ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: request.topics.map((t, ti) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex, pi) => ({ partitionIndex, errorCode: decided[ti]![pi] ?? next(t.name) })),
    })),
  };
};
