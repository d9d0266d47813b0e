// OffsetCommit (api 8, v2-7) and OffsetFetch (api 9, v1-4): forwarded to the active controller,
// which stores offsets in the metadata log (quorum/controller/configs/offsets.ts has the rules and
// the per-partition error codes; they are answered as they come).
//
// Choices:
// - Only the group's coordinator (metadata-log/group-ownership.ts) answers; other brokers say NOT_COORDINATOR
//   and the client asks FindCoordinator again. The commit carries this broker's claim to coordinate
//   the group, which the controller checks against its newest image (a broker whose image is stale
//   gets NOT_COORDINATOR from there). A forward whose outcome is unknown (the controller failed
//   after it was sent) is not sent again by the channel, which could land it after a newer
//   generation's commit: the client gets COORDINATOR_NOT_AVAILABLE and retries, checked again.
// - Generation and member ids are checked by the coordinator's membership (GroupCoordinator.
//   checkCommit, Kafka's rules): a commit outside any generation (-1, '') is accepted for a group
//   with no members (admin tools, "simple" consumers); a member's commit must carry its current
//   generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS otherwise, for every
//   partition). A v7 commit carrying a group_instance_id now mapped to another member id comes
//   from a fenced incarnation of a static member: FENCED_INSTANCE_ID, so that it cannot overwrite
//   the offsets of the instance that replaced it.
// - retention_time_ms (v2-4) is honoured as Kafka 2.1+ does (KIP-211; KafkaApis.
//   handleOffsetCommitRequest, GroupMetadata.removeExpiredOffsets): -1 (DEFAULT_RETENTION_TIME, and
//   every v5 commit) leaves the offset to offsets.retention.minutes; any other value gives it an
//   explicit expire timestamp, commit time + retention_time_ms, stored in its OffsetCommit record
//   (it survives a restart, a new coordinator, a new controller). It then expires once that time
//   has come, but, as in Kafka, only when its group's state lets its offsets go at all (no members,
//   or a topic a Stable consumer group no longer subscribes to): metadata-log/offset-expiry-rule.ts
//   and broker/offset-expirer.ts. The wire's int64 is clamped to the safe integers here (beyond
//   them it means "never", or "already past", all the same); the controller computes the timestamp
//   from its commit stamp, and only at metadata.version 1.0-IV2 or later (below it the field is
//   ignored, as before: quorum/controller/configs/features.ts). Every offset also goes with DeleteGroups or its topic.
// - v6+ carry the leader epoch the consumer saw, committed as is (a negative one as -1, unknown,
//   which is what clients mean by it); v2-5 carry none: committed as -1.
// - An offset outside JavaScript's safe integers cannot be carried to the controller exactly:
//   INVALID_REQUEST for that partition here (the controller refuses it the same way).
// - OffsetFetch goes to the controller too, not to this broker's image: a commit acknowledged by
//   any broker must be visible to the next fetch (consumers fetch right after a rebalance).
// - Controller unreachable (after the channel's own retries): COORDINATOR_NOT_AVAILABLE, per
//   partition (OffsetCommit, OffsetFetch v1) or group-level (OffsetFetch v2+); kafkajs retries it.
//   Kafka answers a group-level error per partition below v2 too.

import { ErrorCode } from '../../../quorum/controller/errors.js';
import { DEFAULT_RETENTION_TIME_MS } from '../../../metadata-log/offset-expiry-rule.js';
import type { OffsetCommitRequest as ControllerCommitRequest, OffsetFetchResponse as ControllerFetchResponse } from '../../../quorum/controller/configs/offsets.js';
import type { OffsetCommitRequest, OffsetCommitResponse, OffsetCommitResponsePartition } from '../protocol/apis/offset-commit.js';
import { partitionWithoutOffset, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponseTopic } from '../protocol/apis/offset-fetch.js';
import type { KafkaHandler } from './context.js';
import { forwardFailure } from './controller-failure.js';
import { coordinatorClaim, coordinates } from './membership.js';

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** retention_time_ms as the controller takes it: undefined for the default (-1), else clamped to the safe integers (see the header). */
function forwardedRetention(retentionTimeMs: bigint): { retentionTimeMs?: number } {
  if (retentionTimeMs === BigInt(DEFAULT_RETENTION_TIME_MS)) return {};
  const clamped = retentionTimeMs < SAFE_MIN ? SAFE_MIN : retentionTimeMs > SAFE_MAX ? SAFE_MAX : retentionTimeMs;
  return { retentionTimeMs: Number(clamped) };
}

/** Where each request partition's answer comes from: a local refusal or the controller's i-th answer. */
type Slot = { readonly local: number } | { readonly forwarded: number };

/** Every partition answered with one error code. */
function commitRefused(request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
}

export const handleOffsetCommit: KafkaHandler<OffsetCommitRequest, OffsetCommitResponse> = async (ctx, request) => {
  if (!coordinates(ctx, request.groupId)) return commitRefused(request, ErrorCode.NOT_COORDINATOR);
  const membership = ctx.groups.checkCommit(request.groupId, request.generationId, request.memberId, request.groupInstanceId);
  if (membership !== ErrorCode.NONE) return commitRefused(request, membership);
  const slots: Slot[][] = [];
  const forwarded: { name: string; partitions: ControllerCommitRequest['topics'][number]['partitions'][number][] }[] = [];
  for (const t of request.topics) {
    const sent: (typeof forwarded)[number] = { name: t.name, partitions: [] };
    slots.push(
      t.partitions.map((p): Slot => {
        if (p.committedOffset < SAFE_MIN || p.committedOffset > SAFE_MAX) return { local: ErrorCode.INVALID_REQUEST };
        sent.partitions.push({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
          committedMetadata: p.committedMetadata,
        });
        return { forwarded: sent.partitions.length - 1 };
      }),
    );
    forwarded.push(sent);
  }

  let answer: (topic: number, index: number) => number;
  if (forwarded.every((t) => t.partitions.length === 0)) {
    answer = () => ErrorCode.NONE; // nothing to send (no partitions, or all refused here)
  } else {
    try {
      const r = await ctx.controller.call(
        'commitOffsets',
        { groupId: request.groupId, ...forwardedRetention(request.retentionTimeMs), topics: forwarded, coordinator: coordinatorClaim(ctx) },
        { timeoutMs: ctx.controllerTimeoutMs, retryAmbiguous: false },
      );
      answer = (topic, index) => r.topics[topic]?.partitions[index]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    } catch (e) {
      const failure = forwardFailure(e, 'group');
      answer = () => failure.errorCode;
    }
  }

  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t, ti) => ({
      name: t.name,
      partitions: t.partitions.map((p, pi): OffsetCommitResponsePartition => {
        const slot = slots[ti]?.[pi];
        const errorCode = slot === undefined ? ErrorCode.UNKNOWN_SERVER_ERROR : 'local' in slot ? slot.local : answer(ti, slot.forwarded);
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    })),
  };
};

function fromController(r: ControllerFetchResponse): OffsetFetchResponseTopic[] {
  return r.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}

/** A group-level error: top level from v2, copied onto every requested partition below (Kafka's rule). */
function groupError(request: OffsetFetchRequest, version: number, errorCode: number): OffsetFetchResponse {
  const topics: OffsetFetchResponseTopic[] =
    version >= 2
      ? []
      : (request.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => partitionWithoutOffset(partitionIndex, errorCode)),
        }));
  return { throttleTimeMs: 0, topics, errorCode };
}

export const handleOffsetFetch: KafkaHandler<OffsetFetchRequest, OffsetFetchResponse> = async (ctx, request, version) => {
  if (!coordinates(ctx, request.groupId)) return groupError(request, version, ErrorCode.NOT_COORDINATOR);
  let r: ControllerFetchResponse;
  try {
    r = await ctx.controller.call(
      'fetchOffsets',
      { groupId: request.groupId, topics: request.topics === null ? null : request.topics.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) },
      { timeoutMs: ctx.controllerTimeoutMs },
    );
  } catch (e) {
    return groupError(request, version, forwardFailure(e, 'group').errorCode);
  }
  if (r.errorCode !== ErrorCode.NONE) return groupError(request, version, r.errorCode);
  return { throttleTimeMs: 0, topics: fromController(r), errorCode: ErrorCode.NONE };
};
