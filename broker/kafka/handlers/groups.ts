// DeleteGroups (api 42, v0-1), ListGroups (api 16, v0-2), DescribeGroups (api 15, v0-4), answered
// by the group's coordinator (metadata-log/group-ownership.ts); other brokers answer NOT_COORDINATOR per group.
//
// A group is its members (in the coordinator's memory, groups/group-coordinator.ts) and its
// committed offsets (in the metadata log):
// - DescribeGroups: a group with members is described as the coordinator has it (state, protocol,
//   members with their metadata, and assignments once Stable); one with only offsets is `Empty`,
//   protocol type "consumer", as is one that emptied here (with its protocol type) until the next
//   offset-expiry tick, as Kafka keeps an Empty group until its cleanup, and one held here with only
//   member ids handed out (MEMBER_ID_REQUIRED), which Kafka has Empty too; any other is `Dead` with
//   NONE, as Kafka answers for a group it does not know. admin.setOffsets accepts only Empty and
//   Dead (reference §1.6). v4 names each static member's group.instance.id. v3+ asked for authorized operations gets every operation on a group
//   (READ, DESCRIBE, DELETE): there are no ACLs here, and Kafka without an authorizer answers the same;
//   a group answered with an error gets none (Integer.MIN_VALUE), as in Kafka.
// - ListGroups: each broker lists the groups it coordinates (with members, stored membership,
//   offsets, or emptied here since the last offset-expiry tick), so the
//   union over brokers, which kafkajs's admin.listGroups concatenates, has every group once in a
//   steady state. While brokers join or leave, two images may disagree for a moment and a group
//   may be listed twice or not at all. A broker that is not live lists nothing.
// - DeleteGroups: a group with joined members → NON_EMPTY_GROUP (ids handed out with
//   MEMBER_ID_REQUIRED are not members, as in Kafka); the others are forwarded to the active
//   controller (GROUP_ID_NOT_FOUND for a group without offsets, but NONE for one that emptied
//   here since the last tick or is held here with only such ids, INVALID_GROUP_ID for '');
//   controller unreachable → COORDINATOR_NOT_AVAILABLE per group, retriable.
// Offsets are read from this broker's image (they may lag the controller by the image's
// propagation delay, as Kafka's are answered from a coordinator's cache).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/apis/delete-groups.js';
import { AUTHORIZED_OPERATIONS_OMITTED, type DescribedGroup, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../protocol/apis/describe-groups.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/apis/list-groups.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { coordinatorClaim } from './membership.js';
import { coordinatesGroups } from '../../../metadata-log/group-ownership.js';
import { CONSUMER_PROTOCOL_TYPE } from '../../../metadata-log/consumer-subscription.js';

/** READ (3), DELETE (6) and DESCRIBE (8) as Kafka's bit field of AclOperation codes: all a group supports. */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

function holdsOffsets(image: MetadataImageView, groupId: string): boolean {
  const held = image.groupOffsets(groupId);
  return held !== undefined && held.size > 0;
}

export const handleDeleteGroups: KafkaHandler<DeleteGroupsRequest, DeleteGroupsResponse> = async (ctx, request) => {
  const ours = coordinatesGroups(ctx.image(), ctx.brokerId);
  const local = (groupId: string): number | null =>
    !ours(groupId) ? ErrorCode.NOT_COORDINATOR : ctx.groups.hasMembers(groupId) ? ErrorCode.NON_EMPTY_GROUP : null;
  const decided = request.groupsNames.map(local);
  const forwarded = request.groupsNames.filter((_, i) => decided[i] === null);
  const answers = new Map<string, number>();
  if (forwarded.length > 0) {
    try {
      const r = await ctx.controller.call('deleteGroups', { groupIds: forwarded, coordinator: coordinatorClaim(ctx) }, { timeoutMs: ctx.controllerTimeoutMs, retryAmbiguous: false });
      forwarded.forEach((groupId, i) => answers.set(groupId, r.results[i]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR));
    } catch (e) {
      const { errorCode } = forwardFailure(e, 'group');
      for (const groupId of forwarded) answers.set(groupId, errorCode);
    }
  }
  // A group that emptied here and holds no offsets is the controller's GROUP_ID_NOT_FOUND, but it
  // exists here, Empty, until the next cleanup: deleting it succeeds, as in Kafka. So does one held
  // here with only ids handed out with MEMBER_ID_REQUIRED (Kafka's Empty group with pending members).
  const existsHere = (groupId: string): boolean => ctx.groups.lingeringEmptyProtocol(groupId) !== undefined || ctx.groups.isActive(groupId);
  const answerOf = (groupId: string, i: number): number => {
    const a = decided[i] ?? answers.get(groupId) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    return a === ErrorCode.GROUP_ID_NOT_FOUND && existsHere(groupId) ? ErrorCode.NONE : a;
  };
  const results = request.groupsNames.map((groupId, i) => ({ groupId, errorCode: answerOf(groupId, i) }));
  for (const r of results) if (r.errorCode === ErrorCode.NONE) ctx.groups.forget(r.groupId);
  return { throttleTimeMs: 0, results };
};

export const handleDescribeGroups: KafkaHandler<DescribeGroupsRequest, DescribeGroupsResponse> = async (ctx, request) => {
  const image = ctx.image();
  const ours = coordinatesGroups(image, ctx.brokerId);
  const authorizedOperations = request.includeAuthorizedOperations ? ALL_GROUP_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED;
  const groups = request.groupIds.map((groupId): DescribedGroup => {
    const base = { groupId, protocolData: '', members: [], authorizedOperations };
    // Kafka sets authorized operations only on a group answered NONE; an error keeps Integer.MIN_VALUE.
    const failed = { ...base, authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
    if (groupId === '') return { ...failed, errorCode: ErrorCode.INVALID_GROUP_ID, groupState: 'Dead', protocolType: '' };
    if (!ours(groupId)) return { ...failed, errorCode: ErrorCode.NOT_COORDINATOR, groupState: '', protocolType: '' };
    const live = ctx.groups.describe(groupId);
    if (live !== undefined && live.members.length > 0) {
      return {
        groupId,
        errorCode: ErrorCode.NONE,
        groupState: live.state,
        protocolType: live.protocolType,
        protocolData: live.protocolName,
        authorizedOperations,
        members: live.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      };
    }
    const lingering = ctx.groups.lingeringEmptyProtocol(groupId);
    if (lingering !== undefined) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Empty', protocolType: lingering };
    if (holdsOffsets(image, groupId)) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Empty', protocolType: CONSUMER_PROTOCOL_TYPE };
    // Held here without members: only ids handed out with MEMBER_ID_REQUIRED. Kafka made the group
    // at that first JoinGroup and has it Empty; ListGroups lists it, so Dead contradicted it.
    if (live !== undefined) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Empty', protocolType: live.protocolType };
    return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead', protocolType: '' };
  });
  return { throttleTimeMs: 0, groups };
};

export const handleListGroups: KafkaHandler<ListGroupsRequest, ListGroupsResponse> = async (ctx) => {
  const image = ctx.image();
  const ours = coordinatesGroups(image, ctx.brokerId);
  const listed = new Map<string, string>();
  for (const groupId of ctx.groups.activeGroupIds()) {
    if (ours(groupId)) listed.set(groupId, ctx.groups.describe(groupId)?.protocolType || CONSUMER_PROTOCOL_TYPE);
  }
  // Groups that emptied here, kept Empty until the next cleanup tick as Kafka keeps them.
  for (const [groupId, protocolType] of ctx.groups.lingeringEmptyGroups()) {
    if (!listed.has(groupId) && ours(groupId)) listed.set(groupId, protocolType);
  }
  // Groups stored in the log that this broker has not resumed yet (none of their members has come).
  for (const groupId of image.groupMetadataIds()) {
    if (!listed.has(groupId) && ours(groupId)) listed.set(groupId, image.groupMetadata(groupId)!.protocolType || CONSUMER_PROTOCOL_TYPE);
  }
  for (const groupId of image.groupIds()) {
    if (!listed.has(groupId) && holdsOffsets(image, groupId) && ours(groupId)) listed.set(groupId, CONSUMER_PROTOCOL_TYPE);
  }
  const groups = [...listed].map(([groupId, protocolType]) => ({ groupId, protocolType }));
  groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
};
