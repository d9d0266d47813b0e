// StoreGroup (ours): a group coordinator stores a consumer group's membership in the metadata log
// (GroupMetadata), or removes it (GroupMetadataTombstone), so that the broker that coordinates the
// group next resumes it: its members go on heartbeating and committing at the same generation
// instead of all rejoining (Kafka keeps the same state in __consumer_offsets; the coordinator's
// side is broker/kafka/groups/group-coordinator.ts).
//
// Rules, in order (the whole request is one answer):
// - the claim (broker id and epoch) must be well formed: only a coordinator stores groups;
//   a group id that is not a non-empty string → INVALID_GROUP_ID;
// - metadata.version below 1.0-IV4 (features.ts) → UNSUPPORTED_VERSION: the records would be
//   unreadable to an older node; the coordinator then keeps membership in memory only, as before;
// - the claim must name the group's coordinator in this controller's newest image (the rule of
//   offsets.ts): NOT_COORDINATOR otherwise, so a broker that stalled through its fencing cannot
//   overwrite what the new coordinator stored meanwhile;
// - `group` null (the group emptied): a tombstone if the image holds the group's membership (with
//   `removeBelowGeneration`, only one stored at an older generation: a removal that arrives late,
//   after the group was made afresh and stored again, must not delete the newer membership), else
//   nothing to write; NONE either way;
// - otherwise the membership must make a valid GroupMetadata record (at least one member, unique
//   member and instance ids, the leader a member, generation 1 or more): INVALID_REQUEST naming the
//   field; and it must encode to at most GROUP_METADATA_BYTES_MAX (Kafka's message.max.bytes
//   default, which bounds the same record in __consumer_offsets): INVALID_REQUEST;
// - a generation older than the one stored → ILLEGAL_GENERATION (a coordinator that resumed from an
//   older image; the one stored is newer). The same generation replaces it: a static member that
//   restarted keeps the generation under a new member id.
// The record is stamped with this controller's wall clock (stateTimestampMs), like offset commits.

import { encodeRecord } from '../../../metadata-log/records/codec.js';
import { FieldError } from '../../../metadata-log/records/fields.js';
import { groupMetadataSchema } from '../../../metadata-log/records/group-metadata.js';
import type { GroupMemberMetadata, GroupMetadataRecord, GroupMetadataTombstoneRecord } from '../../../metadata-log/records/types.js';
import { apiError, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { GROUP_METADATA_METADATA_VERSION, metadataVersionSupportsGroupMetadata } from './features.js';
import { claimError, stampNowMs, type CoordinatorClaim } from './offsets.js';

/** The largest GroupMetadata record stored, encoded: Kafka's message.max.bytes default (1 MiB + 12). */
export const GROUP_METADATA_BYTES_MAX = 1_048_588;

/** A group's membership as its coordinator completed it: GroupMetadataRecord without what the controller fills in. */
export interface StoredGroupMembership {
  readonly protocolType: string;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly members: readonly GroupMemberMetadata[];
}

export interface StoreGroupRequest {
  readonly coordinator: CoordinatorClaim;
  readonly groupId: string;
  /** null: the group emptied, its stored membership goes. */
  readonly group: StoredGroupMembership | null;
  /** With `group` null: remove only a membership stored at a generation below this one (the one the group emptied at). */
  readonly removeBelowGeneration?: number;
}

export interface StoreGroupResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

function answerWith(e: ApiError, records: (GroupMetadataRecord | GroupMetadataTombstoneRecord)[] = []): OpResult<StoreGroupResponse> {
  return { records, response: { errorCode: e.code, errorMessage: e.message } };
}

function validClaim(claim: unknown): claim is CoordinatorClaim {
  return typeof claim === 'object' && claim !== null && Number.isSafeInteger((claim as CoordinatorClaim).brokerId) && Number.isSafeInteger((claim as CoordinatorClaim).brokerEpoch);
}

/**
 * The record the request's membership makes, as every node will read it back (only the record's
 * fields, the bytes copied out of the request's frame), or the first problem the record's own checks
 * (group-metadata.ts) find in it: the request's shape is not trusted.
 */
function recordOf(raw: GroupMetadataRecord): GroupMetadataRecord | string {
  const members: unknown = raw.members;
  if (!Array.isArray(members) || !members.every((m) => typeof m === 'object' && m !== null)) return 'members is not a list of members';
  try {
    return groupMetadataSchema.decode(groupMetadataSchema.version, groupMetadataSchema.encode(raw));
  } catch (e) {
    if (e instanceof FieldError) return e.message;
    throw e;
  }
}

export function storeGroup(ctx: OpContext, request: StoreGroupRequest): OpResult<StoreGroupResponse> {
  if (!validClaim(request.coordinator)) return answerWith(apiError('INVALID_REQUEST', 'Only a group coordinator stores groups: the request carries no valid claim.'));
  const groupId: unknown = request.groupId;
  if (typeof groupId !== 'string' || groupId === '') return answerWith(apiError('INVALID_GROUP_ID', 'The group id must be a non-empty string.'));
  if (!metadataVersionSupportsGroupMetadata(ctx.image)) {
    return answerWith(apiError('UNSUPPORTED_VERSION', `Group membership in the metadata log needs metadata.version ${GROUP_METADATA_METADATA_VERSION}; upgrade the cluster's metadata.version first.`));
  }
  const notCoordinator = claimError(ctx.image, groupId, request.coordinator);
  if (notCoordinator !== null) return answerWith(notCoordinator);
  const stored = ctx.image.groupMetadata(groupId);
  if (request.group === null) {
    const below: unknown = request.removeBelowGeneration;
    if (below !== undefined && !Number.isSafeInteger(below)) return answerWith(apiError('INVALID_REQUEST', 'removeBelowGeneration is not an integer.'));
    const stale = stored !== undefined && (below === undefined || stored.generationId < (below as number));
    return answerWith(NONE, stale ? [{ type: 'GroupMetadataTombstone', groupId }] : []);
  }
  if (typeof request.group !== 'object') return answerWith(apiError('INVALID_REQUEST', 'The group is neither null nor a membership.'));
  const g = request.group;
  const record = recordOf({
    type: 'GroupMetadata',
    groupId,
    protocolType: g.protocolType,
    generationId: g.generationId,
    protocolName: g.protocolName,
    leaderId: g.leaderId,
    stateTimestampMs: stampNowMs(ctx),
    members: g.members,
  });
  if (typeof record === 'string') return answerWith(apiError('INVALID_REQUEST', `The group's membership is not a valid GroupMetadata record: ${record}.`));
  if (stored !== undefined && g.generationId < stored.generationId) {
    return answerWith(apiError('ILLEGAL_GENERATION', `Group ${groupId} is stored at generation ${stored.generationId}, newer than ${g.generationId}.`));
  }
  const bytes = encodeRecord(record).length;
  if (bytes > GROUP_METADATA_BYTES_MAX) {
    return answerWith(apiError('INVALID_REQUEST', `Group ${groupId}'s membership is ${bytes} bytes as a record, more than the ${GROUP_METADATA_BYTES_MAX} one record may hold.`));
  }
  return answerWith(NONE, [record]);
}
