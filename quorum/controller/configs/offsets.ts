// Consumer-group offsets stored in the metadata log: OffsetCommit, OffsetFetch, DeleteGroups,
// OffsetDelete.
// A deliberate deviation from Kafka, which keeps them in __consumer_offsets (kraft.md §3.1): one
// path for every change (DESIGN §2), paid for with batching (coalesceOffsetCommits).
//
// Choices:
// - Group membership and generations are not checked here (no group coordinator state lives in
//   the log); DeleteGroups therefore never answers NON_EMPTY_GROUP.
// - Who may write: a commit or deletion a broker forwards for a Kafka client carries its claim to
//   coordinate the group (broker id and broker epoch). It is refused with NOT_COORDINATOR, whole,
//   unless that broker is registered with that epoch and is the group's coordinator in the
//   controller's newest image (metadata-log/group-ownership.ts). Kafka gets this from the
//   __consumer_offsets partition leader's epoch; without it, a broker that stalled while it was
//   fenced (its group moved, and the new coordinator took commits) answered a queued commit from
//   its stale image when it resumed, and the offset went backwards (found by a review). A request
//   without a claim (the admin tools, the benchmarks) is not checked.
// - OffsetCommit, per partition, in this order: empty group id → INVALID_GROUP_ID (every
//   partition); metadata.version below OFFSETS_METADATA_VERSION → UNSUPPORTED_VERSION; unknown
//   topic or partition → UNKNOWN_TOPIC_OR_PARTITION; an offset that is not a safe integer or a
//   leader epoch outside -1..2^31-1 → INVALID_REQUEST; metadata longer than
//   config.offsetMetadataMaxBytes UTF-8 bytes → OFFSET_METADATA_TOO_LARGE (Kafka counts UTF-16
//   units; bytes bound the record).
//   Any offset is stored as committed, negative ones included, as Kafka does: kafkajs's
//   admin.resetOffsets commits -2 (earliest) and -1 (latest), which its consumers resolve. Only
//   offsets outside JavaScript's safe integers (what the record can hold exactly) are refused.
//   A retentionTimeMs other than -1 (OffsetCommit v2-v4), at metadata.version 1.0-IV2 or later
//   (features.ts; below it the field is ignored), gives every record of the commit an
//   explicit expireTimestampMs, counted from the commit's stamp (metadata-log/offset-expiry-rule.ts
//   has Kafka's rule and the clamps); a retentionTimeMs that is not a safe integer: INVALID_REQUEST,
//   whole (the broker clamps the wire's int64 before it forwards).
//   More accepted partitions than config.maxRecordsPerOperation in one request: the whole commit
//   is refused with INVALID_COMMIT_OFFSET_SIZE and nothing written, Kafka's answer to a commit too
//   large to append (kafkajs knows it; it does not know THROTTLING_QUOTA_EXCEEDED, answered here
//   before, and a review saw the last partition of a 10,001-partition commit dropped that way).
// - OffsetFetch: a partition with no committed offset answers offset -1, leader epoch -1, metadata
//   '' and NONE (Kafka's convention; unknown topics too). Offsets are shown only for topics and
//   partitions that exist now (DeleteTopics tombstones a deleted topic's offsets; this also hides
//   offsets of partitions a topic no longer has). A
//   null metadata is answered as '' (Kafka stores null as ''). Empty group id: top-level INVALID_GROUP_ID.
// - DeleteGroups: empty id → INVALID_GROUP_ID; a group holding no offsets and no stored membership
//   (group-membership.ts) → GROUP_ID_NOT_FOUND; else one OffsetCommitTombstone per offset it holds,
//   in (topic, partition) order, and a GroupMetadataTombstone if it has stored membership (its
//   coordinator found it without members, so what is stored is stale). An id repeated in the request is handled once; every copy gets
//   that answer. Every group named is deleted whole, as Kafka does: past
//   config.maxRecordsPerOperation tombstones the controller writes them as one metadata
//   transaction, which readers apply all at once (a bound here used to leave groups half deleted,
//   answered with a code kafkajs does not know). The tombstones are as many as the offsets the
//   groups hold: bounded by the image.
// - OffsetDelete (Kafka's GroupCoordinator.handleDeleteOffsets and KafkaApis.handleOffsetDelete
//   Request): an empty group id → INVALID_GROUP_ID; a refused claim → NOT_COORDINATOR; a group
//   holding no offsets and no stored membership → GROUP_ID_NOT_FOUND, unless its coordinator says
//   it exists there (members, or emptied there lately; `groupExists`). Each of these answers only
//   at the top level, with no partitions, as Kafka does. Whether the group's state lets an offset
//   go is judged by whoever knows that state best: a coordinator's forward carries only the
//   partitions it judged free (its memory is newer than the log), unless the log holds a membership
//   stored at a newer generation than the one it judged (a rebalance completed while the request
//   travelled: its members may subscribe to the topic and have committed); that, and an admin
//   tool's request (no claim), is judged here on the stored membership (group-membership.ts): a stored group of
//   another protocol type → NON_EMPTY_GROUP; of consumers → GROUP_SUBSCRIBED_TO_TOPIC for each
//   partition of a topic a stored member subscribes to (of every topic when a subscription cannot
//   be read); no stored membership: every partition is free. Then per partition: one that does not
//   exist → UNKNOWN_TOPIC_OR_PARTITION; else NONE, with an OffsetCommitTombstone if the group holds
//   an offset for it (once, however often it is named). A group in its first rebalance has nothing
//   stored: the admin tools see it as empty.
// - ExpireOffsets (ours; Kafka's coordinator expires offsets from its own cache): the coordinating
//   broker decides which offsets have outlived offsets.retention.minutes (it alone knows whether
//   the group has members; broker/offset-expirer.ts) and names each with the commit timestamp it
//   saw. Only its claim is accepted (required here). An offset is tombstoned only if the image
//   still holds it with that timestamp (one committed again since is newer and stays) and it is due
//   by this controller's clock: past its own explicit expire timestamp if it has one (which may be
//   well within the retention), else retentionMs old (offset-expiry-rule.ts offsetDue). More than
//   config.maxRecordsPerOperation offsets in one request: refused whole (INVALID_REQUEST), nothing
//   written; the broker sends fewer.

import { splitOffsetKey, type MetadataImageView } from '../../../metadata-log/image-types.js';
import type { GroupMetadataTombstoneRecord, MetadataRecord, OffsetCommitRecord, OffsetCommitTombstoneRecord } from '../../../metadata-log/records/types.js';
import { FieldError, nullableStr } from '../../../metadata-log/records/fields.js';
import { coordinatorOf, liveBrokerIds } from '../../../metadata-log/group-ownership.js';
import { explicitExpireTimestampMs, offsetDue } from '../../../metadata-log/offset-expiry-rule.js';
import { apiError, ErrorCode, NONE, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { CONSUMER_PROTOCOL_TYPE, consumerSubscriptionTopics } from '../../../metadata-log/consumer-subscription.js';
import { metadataVersionSupportsOffsetExpiry, metadataVersionSupportsOffsets, OFFSETS_METADATA_VERSION } from './features.js';

export interface OffsetCommitRequestPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  /** -1 = unknown. */
  readonly committedLeaderEpoch: number;
  readonly committedMetadata: string | null;
}

/** A broker forwarding a group write: it believes it coordinates the group (see the header). */
export interface CoordinatorClaim {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /**
   * OffsetCommit v2-v4 retention_time_ms, a safe integer: absent or -1 = the broker's
   * offsets.retention.minutes; anything else gives every offset of this commit an explicit expire
   * timestamp (metadata-log/offset-expiry-rule.ts).
   */
  readonly retentionTimeMs?: number;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetCommitRequestPartition[] }[];
  readonly coordinator?: CoordinatorClaim;
}

export interface OffsetCommitResponse {
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: number; readonly errorMessage: string | null }[];
  }[];
}

export interface OffsetFetchRequest {
  readonly groupId: string;
  /** null = every offset the group holds. */
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null;
}

export interface OffsetFetchPartition {
  readonly partitionIndex: number;
  /** -1 = none committed. */
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  readonly metadata: string;
  readonly errorCode: number;
}

export interface OffsetFetchResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetFetchPartition[] }[];
}

export interface DeleteGroupsRequest {
  readonly groupIds: readonly string[];
  readonly coordinator?: CoordinatorClaim;
}

export interface DeleteOffsetsRequest {
  readonly groupId: string;
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[];
  /** The coordinating broker forwarding Kafka's OffsetDelete; absent for the admin tools (see the header). */
  readonly coordinator?: CoordinatorClaim;
  /** From the coordinator: the group exists there (members, or emptied there lately) even if the log holds nothing of it. */
  readonly groupExists?: boolean;
  /** From the coordinator: the generation its judgement saw (-1: none); a membership stored at a newer one is judged here. */
  readonly judgedAtGeneration?: number;
}

export interface DeleteOffsetsResponse {
  /** A group-level error; then `topics` is empty, as in Kafka's answer. */
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** Every requested partition, in request order (a repeated one answered each time). */
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: number; readonly errorMessage: string | null }[];
  }[];
}

export interface DeleteGroupsResponse {
  /** One per request id, in request order. */
  readonly results: readonly { readonly groupId: string; readonly errorCode: number; readonly errorMessage: string | null }[];
}

/** An offset the coordinator found expired, as it saw it. */
export interface ExpiringOffset {
  readonly topic: string;
  readonly partition: number;
  readonly commitTimestampMs: number;
}

export interface ExpireOffsetsRequest {
  readonly coordinator: CoordinatorClaim;
  /**
   * offsets.retention.minutes in ms. An offset goes only if this controller's clock (the one commits
   * are stamped with) agrees it is due: this old, or past its explicit expire timestamp if it has one.
   */
  readonly retentionMs: number;
  readonly groups: readonly { readonly groupId: string; readonly offsets: readonly ExpiringOffset[] }[];
}

export interface ExpireOffsetsResponse {
  /** One per request group, in request order: how many of its offsets were tombstoned. */
  readonly results: readonly { readonly groupId: string; readonly errorCode: number; readonly errorMessage: string | null; readonly expired: number }[];
}

/** The lowest offset a commit may carry: the lowest the OffsetCommit record holds exactly. */
export const OFFSET_MIN = Number.MIN_SAFE_INTEGER;
const INT32_MAX = 0x7fffffff;

/** UTF-8 length of a JS string, without allocating. */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function partitionExists(image: MetadataImageView, topic: string, partition: number): boolean {
  const t = image.topicByName(topic);
  return t !== undefined && Number.isInteger(partition) && partition >= 0 && partition < t.partitions.length;
}

/**
 * Why `v` cannot be a record's (nullable) string, or null. Checked per request: the records of many
 * commits share one proposal (coalesceOffsetCommits), and one that failed its encoding then failed
 * them all, with an assertion instead of an error code (found by a review).
 */
function stringProblem(v: unknown): string | null {
  try {
    nullableStr(v, 'value');
    return null;
  } catch (e) {
    if (e instanceof FieldError) return e.reason;
    throw e;
  }
}

/** NOT_COORDINATOR when `claim` is not the coordinator of `groupId` in `image`; null when it is, or when there is no claim. */
export function claimError(image: MetadataImageView, groupId: string, claim: CoordinatorClaim | undefined): ApiError | null {
  if (claim === undefined) return null;
  const broker = image.broker(claim.brokerId);
  if (broker === undefined || broker.brokerEpoch !== claim.brokerEpoch) {
    return apiError('NOT_COORDINATOR', `Broker ${claim.brokerId} is not registered with epoch ${claim.brokerEpoch}; it does not coordinate group ${groupId}.`);
  }
  const owner = coordinatorOf(liveBrokerIds(image), groupId);
  if (owner === claim.brokerId) return null;
  const why = broker.fenced ? ' (it is fenced)' : broker.inControlledShutdown ? ' (it is in controlled shutdown)' : '';
  return apiError('NOT_COORDINATOR', `Group ${groupId} is coordinated by ${owner === null ? 'no broker (none is live)' : `broker ${owner}`}, not by broker ${claim.brokerId}${why}.`);
}

function commitError(ctx: OpContext, topic: string, p: OffsetCommitRequestPartition): ApiError {
  if (!partitionExists(ctx.image, topic, p.partitionIndex)) {
    return apiError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${p.partitionIndex} does not exist.`);
  }
  if (!Number.isSafeInteger(p.committedOffset) || p.committedOffset < OFFSET_MIN) {
    return apiError('INVALID_REQUEST', `Offset ${p.committedOffset} is not an integer in -(2^53-1)..2^53-1 (what the log can hold exactly).`);
  }
  if (!Number.isSafeInteger(p.committedLeaderEpoch) || p.committedLeaderEpoch < -1 || p.committedLeaderEpoch > INT32_MAX) {
    return apiError('INVALID_REQUEST', `Leader epoch ${p.committedLeaderEpoch} is not -1 or a valid epoch.`);
  }
  const notAString = stringProblem(p.committedMetadata);
  if (notAString !== null) return apiError('INVALID_REQUEST', `Offset metadata ${notAString}.`);
  if (p.committedMetadata !== null) {
    const bytes = utf8ByteLength(p.committedMetadata);
    if (bytes > ctx.config.offsetMetadataMaxBytes) {
      return apiError('OFFSET_METADATA_TOO_LARGE', `Offset metadata of ${bytes} bytes is larger than offset.metadata.max.bytes = ${ctx.config.offsetMetadataMaxBytes}.`);
    }
  }
  return NONE;
}

/** Now on the wall clock commits are stamped with, in whole ms. */
export function stampNowMs(ctx: OpContext): number {
  return Math.floor(ctx.nowMs + (ctx.config.wallClockOriginMs ?? 0));
}

/** OffsetCommit (api 8): one OffsetCommit record per accepted partition, stamped ctx.nowMs (whole ms). */
export function commitOffsets(ctx: OpContext, request: OffsetCommitRequest): OpResult<OffsetCommitResponse> {
  const records: OffsetCommitRecord[] = [];
  let whole: ApiError | null = null;
  const badGroupId = request.groupId === null ? 'is null' : stringProblem(request.groupId);
  if (badGroupId !== null) whole = apiError('INVALID_GROUP_ID', `The group id ${badGroupId}.`);
  else if (request.groupId === '') whole = apiError('INVALID_GROUP_ID', 'The group id must not be empty.');
  else if (request.retentionTimeMs !== undefined && !Number.isSafeInteger(request.retentionTimeMs)) {
    whole = apiError('INVALID_REQUEST', `Retention ${String(request.retentionTimeMs)} is not an integer in -(2^53-1)..2^53-1 ms.`);
  } else if (!metadataVersionSupportsOffsets(ctx.image)) {
    whole = apiError('UNSUPPORTED_VERSION', `Offsets need metadata.version ${OFFSETS_METADATA_VERSION}; upgrade the cluster's metadata.version first.`);
  } else whole = claimError(ctx.image, request.groupId, request.coordinator);
  // Wall-clock (a user reads it; found by a review), whole ms: the record holds an integer, and
  // clocks read fractions (performance.now(), the simulator's), which encodeRecord refuses (found
  // by test/sim/controller-model.test.ts). The explicit expiry counts from the same stamp, as
  // Kafka's counts from its commit timestamp.
  const commitTimestampMs = stampNowMs(ctx);
  // Below metadata.version 1.0-IV2 a record cannot carry it (an older node could not read it): ignored, as before.
  const expireTimestampMs =
    whole === null && request.retentionTimeMs !== undefined && metadataVersionSupportsOffsetExpiry(ctx.image) ? explicitExpireTimestampMs(commitTimestampMs, request.retentionTimeMs) : undefined;
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const error = whole ?? commitError(ctx, t.name, p);
      if (error.code === ErrorCode.NONE) {
        const record: OffsetCommitRecord = {
          type: 'OffsetCommit',
          groupId: request.groupId,
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
          commitTimestampMs,
        };
        records.push(expireTimestampMs === undefined ? record : { ...record, expireTimestampMs });
      }
      return { partitionIndex: p.partitionIndex, errorCode: error.code, errorMessage: error.message };
    }),
  }));
  if (records.length > ctx.config.maxRecordsPerOperation) {
    const tooLarge = apiError('INVALID_COMMIT_OFFSET_SIZE', `A commit of ${records.length} offsets is larger than the ${ctx.config.maxRecordsPerOperation} one request may hold; commit them in smaller requests.`);
    const refused = topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => (p.errorCode === ErrorCode.NONE ? { ...p, errorCode: tooLarge.code, errorMessage: tooLarge.message } : p)) }));
    return { records: [], response: { topics: refused } };
  }
  return { records, response: { topics } };
}

const NO_OFFSET = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE } as const;


/** OffsetFetch (api 9): a read of `image`; see the header for the conventions. */
export function fetchOffsets(image: MetadataImageView, request: OffsetFetchRequest): OffsetFetchResponse {
  if (request.groupId === '') {
    return { errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'The group id must not be empty.', topics: [] };
  }
  const held = image.groupOffsets(request.groupId);
  const lookup = (topic: string, partitionIndex: number): OffsetFetchPartition => {
    const c = partitionExists(image, topic, partitionIndex) ? image.committedOffset(request.groupId, topic, partitionIndex) : undefined;
    if (c === undefined) return { partitionIndex, ...NO_OFFSET };
    return { partitionIndex, committedOffset: c.offset, committedLeaderEpoch: c.leaderEpoch, metadata: c.metadata ?? '', errorCode: ErrorCode.NONE };
  };
  if (request.topics !== null) {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => lookup(t.name, p)) })),
    };
  }
  const byTopic = new Map<string, number[]>();
  for (const key of held?.keys() ?? []) {
    const { topic, partition } = splitOffsetKey(key);
    if (!partitionExists(image, topic, partition)) continue;
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  const names = [...byTopic.keys()].sort();
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: names.map((name) => ({ name, partitions: byTopic.get(name)!.sort((a, b) => a - b).map((p) => lookup(name, p)) })),
  };
}

/** OffsetFetch run on the controller: a read, no records. */
export function fetchOffsetsOp(ctx: OpContext, request: OffsetFetchRequest): OpResult<OffsetFetchResponse> {
  return { records: [], response: fetchOffsets(ctx.image, request) };
}

/** DeleteGroups (api 42): one tombstone per offset each group holds; see the header for the bound. */
export function deleteGroups(ctx: OpContext, request: DeleteGroupsRequest): OpResult<DeleteGroupsResponse> {
  const records: (OffsetCommitTombstoneRecord | GroupMetadataTombstoneRecord)[] = [];
  const outcome = new Map<string, ApiError>();
  for (const groupId of request.groupIds) {
    if (outcome.has(groupId)) continue;
    if (groupId === '') {
      outcome.set(groupId, apiError('INVALID_GROUP_ID', 'The group id must not be empty.'));
      continue;
    }
    const notCoordinator = claimError(ctx.image, groupId, request.coordinator);
    if (notCoordinator !== null) {
      outcome.set(groupId, notCoordinator);
      continue;
    }
    const held = ctx.image.groupOffsets(groupId);
    const membership = ctx.image.groupMetadata(groupId);
    if ((held === undefined || held.size === 0) && membership === undefined) {
      outcome.set(groupId, apiError('GROUP_ID_NOT_FOUND', `The group ${groupId} holds no offsets.`));
      continue;
    }
    const keys = [...(held?.keys() ?? [])].map(splitOffsetKey).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    for (const { topic, partition } of keys) records.push({ type: 'OffsetCommitTombstone', groupId, topic, partition });
    if (membership !== undefined) records.push({ type: 'GroupMetadataTombstone', groupId });
    outcome.set(groupId, NONE);
  }
  const results = request.groupIds.map((groupId) => {
    const e = outcome.get(groupId) ?? NONE;
    return { groupId, errorCode: e.code, errorMessage: e.message };
  });
  return { records, response: { results } };
}

/**
 * The topics an admin's OffsetDelete may not touch, judged on the group's stored membership (see
 * the header): undefined = none (no stored membership); 'all' = the group is not a consumer group
 * (NON_EMPTY_GROUP) ; else the topics its stored members subscribe to, or every topic when a
 * subscription cannot be read (Kafka's isSubscribedToTopic without known subscriptions).
 */
function storedSubscriptions(image: MetadataImageView, groupId: string): { readonly nonConsumer: true } | { readonly topics: ReadonlySet<string> | 'every' } | undefined {
  const stored = image.groupMetadata(groupId);
  if (stored === undefined) return undefined;
  if (stored.protocolType !== CONSUMER_PROTOCOL_TYPE) return { nonConsumer: true };
  const topics = new Set<string>();
  for (const m of stored.members) {
    const subscribed = consumerSubscriptionTopics(m.subscription);
    if (subscribed === null) return { topics: 'every' };
    for (const t of subscribed) topics.add(t);
  }
  return { topics };
}

/** OffsetDelete (api 47): a tombstone per named offset the group holds; see the header for who judges the group's state. */
export function deleteOffsets(ctx: OpContext, request: DeleteOffsetsRequest): OpResult<DeleteOffsetsResponse> {
  const refuse = (e: ApiError): OpResult<DeleteOffsetsResponse> => ({ records: [], response: { errorCode: e.code, errorMessage: e.message, topics: [] } });
  const { groupId } = request;
  if (typeof groupId !== 'string' || groupId === '') return refuse(apiError('INVALID_GROUP_ID', 'The group id must be a non-empty string.'));
  const wellFormed =
    Array.isArray(request.topics) &&
    request.topics.every((t: unknown) => typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string' && Array.isArray((t as { partitionIndexes?: unknown }).partitionIndexes));
  if (!wellFormed) return refuse(apiError('INVALID_REQUEST', 'topics must be a list of { name: string, partitionIndexes: integer[] }.'));
  const notCoordinator = claimError(ctx.image, groupId, request.coordinator);
  if (notCoordinator !== null) return refuse(notCoordinator);
  const held = ctx.image.groupOffsets(groupId);
  // A coordinator's judgement stands unless the group completed a newer rebalance since (its
  // members, stored before any of them could commit, may subscribe to the topic now).
  const storedGeneration = ctx.image.groupMetadata(groupId)?.generationId;
  const judgeHere = request.coordinator === undefined || (storedGeneration !== undefined && typeof request.judgedAtGeneration === 'number' && storedGeneration > request.judgedAtGeneration);
  const stored = judgeHere ? storedSubscriptions(ctx.image, groupId) : undefined;
  if ((held === undefined || held.size === 0) && ctx.image.groupMetadata(groupId) === undefined && request.groupExists !== true) {
    return refuse(apiError('GROUP_ID_NOT_FOUND', `The group ${groupId} holds no offsets.`));
  }
  if (stored !== undefined && 'nonConsumer' in stored) {
    return refuse(apiError('NON_EMPTY_GROUP', `The group ${groupId} has members stored and is not a consumer group: its offsets can be deleted only once it is empty.`));
  }
  const records: OffsetCommitTombstoneRecord[] = [];
  const tombstoned = new Set<string>();
  const answer = (topic: string, partition: number): ApiError => {
    if (!partitionExists(ctx.image, topic, partition)) return apiError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist.`);
    if (stored !== undefined && (stored.topics === 'every' || stored.topics.has(topic))) {
      return apiError('GROUP_SUBSCRIBED_TO_TOPIC', `The group ${groupId} has members stored that subscribe to ${topic}.`);
    }
    const tombstone: OffsetCommitTombstoneRecord = { type: 'OffsetCommitTombstone', groupId, topic, partition };
    if (ctx.image.committedOffset(groupId, topic, partition) !== undefined && !tombstoned.has(offsetRecordKey(tombstone))) {
      tombstoned.add(offsetRecordKey(tombstone));
      records.push(tombstone);
    }
    return NONE;
  };
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex: number) => {
      const e = answer(t.name, partitionIndex);
      return { partitionIndex, errorCode: e.code, errorMessage: e.message };
    }),
  }));
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, topics } };
}

/** One key per (group, topic, partition). The group id is length-prefixed: it may hold any character, a topic name never holds \u0000. */
function offsetRecordKey(r: OffsetCommitRecord | OffsetCommitTombstoneRecord): string {
  return `${r.groupId.length}:${r.groupId}\u0000${r.topic}\u0000${r.partition}`;
}

/** ExpireOffsets (ours): tombstones the named offsets the image still holds as named; see the header. */
export function expireOffsets(ctx: OpContext, request: ExpireOffsetsRequest): OpResult<ExpireOffsetsResponse> {
  const groups: readonly unknown[] = Array.isArray(request.groups) ? request.groups : [];
  const groupIdOf = (g: unknown): string => (typeof g === 'object' && g !== null && typeof (g as { groupId?: unknown }).groupId === 'string' ? (g as { groupId: string }).groupId : '');
  const refuseAll = (e: ApiError): OpResult<ExpireOffsetsResponse> => ({
    records: [],
    response: { results: groups.map((g) => ({ groupId: groupIdOf(g), errorCode: e.code, errorMessage: e.message, expired: 0 })) },
  });
  const claim: unknown = request.coordinator;
  if (typeof claim !== 'object' || claim === null || !Number.isSafeInteger((claim as CoordinatorClaim).brokerId) || !Number.isSafeInteger((claim as CoordinatorClaim).brokerEpoch)) {
    return refuseAll(apiError('INVALID_REQUEST', 'Only a group coordinator expires offsets: the request carries no valid claim.'));
  }
  if (!Number.isSafeInteger(request.retentionMs) || request.retentionMs <= 0) return refuseAll(apiError('INVALID_REQUEST', `Retention ${String(request.retentionMs)} is not a positive integer of ms.`));
  const wellFormed = (g: unknown): g is { groupId: string; offsets: ExpiringOffset[] } =>
    typeof g === 'object' && g !== null && typeof (g as { groupId?: unknown }).groupId === 'string' && Array.isArray((g as { offsets?: unknown }).offsets) &&
    (g as { offsets: unknown[] }).offsets.every((o) => typeof o === 'object' && o !== null && typeof (o as ExpiringOffset).topic === 'string' && Number.isSafeInteger((o as ExpiringOffset).partition) && Number.isSafeInteger((o as ExpiringOffset).commitTimestampMs));
  if (!groups.every(wellFormed)) return refuseAll(apiError('INVALID_REQUEST', 'Every group needs a string groupId and offsets of { topic: string, partition: integer, commitTimestampMs: integer }.'));
  const named = groups.reduce((n: number, g) => n + g.offsets.length, 0);
  if (named > ctx.config.maxRecordsPerOperation) {
    return refuseAll(apiError('INVALID_REQUEST', `${named} offsets to expire in one request; at most ${ctx.config.maxRecordsPerOperation}.`));
  }
  // The clock commits are stamped with (commitOffsets): the broker's wall clock may differ from it.
  const stampNow = stampNowMs(ctx);
  const records: OffsetCommitTombstoneRecord[] = [];
  const tombstoned = new Set<string>();
  const results = groups.map((g) => {
    const notCoordinator = claimError(ctx.image, g.groupId, claim as CoordinatorClaim);
    if (notCoordinator !== null) return { groupId: g.groupId, errorCode: notCoordinator.code, errorMessage: notCoordinator.message, expired: 0 };
    let expired = 0;
    for (const o of g.offsets) {
      const held = ctx.image.committedOffset(g.groupId, o.topic, o.partition);
      if (held === undefined || held.commitTimestampMs !== o.commitTimestampMs) continue; // gone, or committed again since
      // Not due by the clock that stamped it: at its own explicit expire timestamp if it has one
      // (the broker decided the group's state lets it go; its age is judged here), else the retention.
      if (!offsetDue(held, stampNow, request.retentionMs)) continue;
      const tombstone: OffsetCommitTombstoneRecord = { type: 'OffsetCommitTombstone', groupId: g.groupId, topic: o.topic, partition: o.partition };
      if (tombstoned.has(offsetRecordKey(tombstone))) continue; // named twice
      tombstoned.add(offsetRecordKey(tombstone));
      records.push(tombstone);
      expired++;
    }
    return { groupId: g.groupId, errorCode: ErrorCode.NONE, errorMessage: null, expired };
  });
  return { records, response: { results } };
}

/**
 * For one linger window's records: drops every OffsetCommit / OffsetCommitTombstone that a later
 * one for the same (group, topic, partition) supersedes; every other record stays. The survivors
 * keep their relative order, so replaying the result builds the same image as replaying the input
 * (an offset's final state is its last record's; other records do not read offsets).
 */
export function coalesceOffsetCommits<T extends MetadataRecord>(records: readonly T[]): T[] {
  const keyOf = offsetRecordKey;
  const lastIndex = new Map<string, number>();
  records.forEach((r, i) => {
    if (r.type === 'OffsetCommit' || r.type === 'OffsetCommitTombstone') lastIndex.set(keyOf(r), i);
  });
  return records.filter((r, i) => (r.type === 'OffsetCommit' || r.type === 'OffsetCommitTombstone' ? lastIndex.get(keyOf(r)) === i : true));
}
