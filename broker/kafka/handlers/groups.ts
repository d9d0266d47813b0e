// DeleteGroups (api 42, v0-1), ListGroups (api 16, v0-2), DescribeGroups (api 15, v0-2).
//
// A group here is a set of committed offsets in the metadata log: there is no membership protocol,
// so a group that holds offsets is `Empty` (protocol type "consumer", no members) and any other is
// `Dead` with error NONE, which is what Kafka answers for a group it does not know. admin.setOffsets
// accepts both (reference §1.6, DescribeGroups).
//
// - DeleteGroups is a write: forwarded to the active controller (GROUP_ID_NOT_FOUND for a group
//   without offsets, INVALID_GROUP_ID for ''); controller unreachable → COORDINATOR_NOT_AVAILABLE
//   per group, retriable.
// - DescribeGroups and ListGroups read this broker's image (they may lag the controller by the
//   image's propagation delay, as Kafka's are answered from a coordinator's cache).
// - ListGroups: Kafka lists, per broker, the groups that broker coordinates, and kafkajs's
//   admin.listGroups concatenates every broker's answer without removing duplicates. Since every
//   broker may serve every group (find-coordinator.ts), listing all groups everywhere would show
//   each group once per broker. So the groups are split among the live brokers (registered, not
//   fenced, not shutting down) by a hash of the group id, and each broker lists its share: in a
//   steady state the union is every group exactly once. While brokers join or leave, two images
//   may disagree for a moment and a group may be listed twice or not at all. A broker that is not
//   live itself lists nothing (its share belongs to live ones).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/apis/delete-groups.js';
import type { DescribedGroup, DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/apis/describe-groups.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/apis/list-groups.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

function holdsOffsets(image: MetadataImageView, groupId: string): boolean {
  const held = image.groupOffsets(groupId);
  return held !== undefined && held.size > 0;
}

export const handleDeleteGroups: KafkaHandler<DeleteGroupsRequest, DeleteGroupsResponse> = async (ctx, request) => {
  if (request.groupsNames.length === 0) return { throttleTimeMs: 0, results: [] };
  try {
    const r = await ctx.controller.call('deleteGroups', { groupIds: request.groupsNames }, { timeoutMs: ctx.controllerTimeoutMs });
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId, i) => ({ groupId, errorCode: r.results[i]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR })),
    };
  } catch (e) {
    const { errorCode } = forwardFailure(e, 'group');
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  }
};

export const handleDescribeGroups: KafkaHandler<DescribeGroupsRequest, DescribeGroupsResponse> = async (ctx, request) => {
  const image = ctx.image();
  const groups = request.groupIds.map((groupId): DescribedGroup => {
    const base = { groupId, protocolData: '', members: [] };
    if (groupId === '') return { ...base, errorCode: ErrorCode.INVALID_GROUP_ID, groupState: 'Dead', protocolType: '' };
    if (holdsOffsets(image, groupId)) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Empty', protocolType: CONSUMER_PROTOCOL_TYPE };
    return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead', protocolType: '' };
  });
  return { throttleTimeMs: 0, groups };
};

/** Java's String.hashCode (UTF-16 units), as Kafka's Utils.abs(groupId.hashCode) % partitions uses. */
export function groupHash(groupId: string): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  return h & 0x7fffffff;
}

/** Live broker ids in ascending order: the brokers groups are listed by. */
export function liveBrokerIds(image: MetadataImageView): number[] {
  return image
    .brokers()
    .filter((b) => !b.fenced && !b.inControlledShutdown)
    .map((b) => b.brokerId)
    .sort((a, b) => a - b);
}

/** The live broker that lists `groupId` in ListGroups (null: no broker is live). */
export function listingBroker(live: readonly number[], groupId: string): number | null {
  if (live.length === 0) return null;
  return live[groupHash(groupId) % live.length] ?? null;
}

export const handleListGroups: KafkaHandler<ListGroupsRequest, ListGroupsResponse> = async (ctx) => {
  const image = ctx.image();
  const live = liveBrokerIds(image);
  const groups: ListGroupsResponse['groups'] = [];
  if (live.includes(ctx.brokerId)) {
    for (const groupId of image.groupIds()) {
      if (holdsOffsets(image, groupId) && listingBroker(live, groupId) === ctx.brokerId) groups.push({ groupId, protocolType: CONSUMER_PROTOCOL_TYPE });
    }
  }
  groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
};
