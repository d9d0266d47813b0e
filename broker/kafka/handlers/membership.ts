// JoinGroup (api 11, v0-5), SyncGroup (14, v0-3), Heartbeat (12, v0-3), LeaveGroup (13, v0-3): the
// consumer-group membership protocol, answered by this broker's GroupCoordinator for the groups it
// coordinates (metadata-log/group-ownership.ts) and NOT_COORDINATOR for the others (the client asks
// FindCoordinator again). The state machine and its error codes: groups/group-coordinator.ts.
//
// Version details:
// - JoinGroup v0 has no rebalance timeout: the session timeout stands in (Kafka's rule).
// - JoinGroup v4+: a member joining without an id is handed one with MEMBER_ID_REQUIRED and rejoins.
// - JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3 carry group_instance_id: static
//   membership (KIP-345; the rules are the coordinator's). A request whose instance id maps to
//   another member id is answered FENCED_INSTANCE_ID; LeaveGroup v3 may name a member by its
//   instance id alone (member_id '').
// - LeaveGroup v0-2 carry one member and answer its error at the top; v3 answers per member with
//   NONE at the top (unless this broker is not the coordinator).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import type { CoordinatorClaim } from '../../../quorum/controller/configs/offsets.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/apis/heartbeat.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/apis/join-group.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/apis/leave-group.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/apis/sync-group.js';
import { coordinatesGroups } from '../../../metadata-log/group-ownership.js';
import { NO_CLIENT, type KafkaContext, type KafkaHandler } from './context.js';

/** Does this broker coordinate `groupId` according to its own image? */
export function coordinates(ctx: KafkaContext, groupId: string): boolean {
  return coordinatesGroups(ctx.image(), ctx.brokerId)(groupId);
}

/** What a group write forwarded to the controller says of its sender (checked there against its image). */
export function coordinatorClaim(ctx: KafkaContext): CoordinatorClaim {
  return { brokerId: ctx.brokerId, brokerEpoch: ctx.brokerEpoch() };
}

const JOIN_REQUIRES_KNOWN_MEMBER_ID_FROM = 4;

export const handleJoinGroup: KafkaHandler<JoinGroupRequest, JoinGroupResponse> = async (ctx, request, version, client = NO_CLIENT) => {
  if (!coordinates(ctx, request.groupId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, generationId: -1, protocolName: '', leader: '', memberId: request.memberId, members: [] };
  }
  const r = await ctx.groups.join({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: client.clientId,
    clientHost: client.clientHost,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs, // v0 has none: the codec fills in the session timeout
    protocolType: request.protocolType,
    protocols: request.protocols,
    requireKnownMemberId: version >= JOIN_REQUIRES_KNOWN_MEMBER_ID_FROM,
  });
  return { throttleTimeMs: 0, ...r, members: [...r.members] };
};

export const handleSyncGroup: KafkaHandler<SyncGroupRequest, SyncGroupResponse> = async (ctx, request) => {
  if (!coordinates(ctx, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, assignment: new Uint8Array(0) };
  const r = await ctx.groups.sync(request);
  return { throttleTimeMs: 0, errorCode: r.errorCode, assignment: r.assignment };
};

export const handleHeartbeat: KafkaHandler<HeartbeatRequest, HeartbeatResponse> = async (ctx, request) => {
  if (!coordinates(ctx, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR };
  return { throttleTimeMs: 0, errorCode: ctx.groups.heartbeat(request.groupId, request.generationId, request.memberId, request.groupInstanceId) };
};

export const handleLeaveGroup: KafkaHandler<LeaveGroupRequest, LeaveGroupResponse> = async (ctx, request, version) => {
  if (!coordinates(ctx, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
  const codes = ctx.groups.leave(request.groupId, request.members);
  const members = request.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i] ?? ErrorCode.UNKNOWN_SERVER_ERROR }));
  const errorCode = version >= 3 ? ErrorCode.NONE : (members[0]?.errorCode ?? ErrorCode.NONE);
  return { throttleTimeMs: 0, errorCode, members };
};
