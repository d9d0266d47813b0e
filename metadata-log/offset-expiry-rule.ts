// When one committed offset is old enough to expire, by Kafka's rule: shared by the coordinating
// broker's sweep (broker/offset-expirer.ts) and the controller's own check (quorum/controller/
// configs/offsets.ts expireOffsets), so the two judge an offset alike. Which offsets may be looked
// at at all (the group's state) is the broker's part, not this file's.
//
// OffsetCommit v2-v4 carry retention_time_ms. Kafka (2.1+, KIP-211; KafkaApis.
// handleOffsetCommitRequest, and OffsetMetadataManager.expireTimestampMs in the new group
// coordinator) gives an offset an explicit expire timestamp of commit time + retention_time_ms
// whenever retention_time_ms is not -1 (OffsetCommitRequest.DEFAULT_RETENTION_TIME); -1, and every
// v5+ commit (no such field), get none. GroupMetadata.removeExpiredOffsets (OffsetExpiration
// ConditionImpl.isOffsetExpired in the new coordinator) then expires an offset
//   - with an explicit expire timestamp: when now >= it, and
//   - without one: when now - base >= offsets.retention.minutes (base: when the group emptied, or
//     the commit),
// but only among the offsets the group's state lets go at all: every offset of an Empty group or
// of a group without a protocol (standalone commits), only the unsubscribed topics' offsets of a
// Stable consumer group, none otherwise. So an explicit expiry does not wait for the retention
// since the group emptied, but still waits for the group to be empty (or the topic unsubscribed).
//
// Values Kafka leaves to Long arithmetic, made total here: any other negative retention gives a
// timestamp already past (expires at the next sweep that may take it), as in Kafka; a sum past
// 2^53-1 (what the record holds exactly) is clamped there, about 285,000 years, i.e. never (Kafka's
// Long overflows to a negative timestamp and expires the offset at once, which no client can mean);
// a sum below 0 is clamped to 0 (already past, and distinct from "none").

import type { CommittedOffset } from './image-types.js';

/** OffsetCommitRequest.DEFAULT_RETENTION_TIME: the broker's offsets.retention.minutes applies. */
export const DEFAULT_RETENTION_TIME_MS = -1;

/** The latest explicit expire timestamp an offset can carry (the record's int64 is held as a safe integer). */
export const EXPIRE_TIMESTAMP_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The explicit expire timestamp of an offset committed at `commitTimestampMs` with
 * `retentionTimeMs` (safe integers), or undefined for the broker default.
 */
export function explicitExpireTimestampMs(commitTimestampMs: number, retentionTimeMs: number): number | undefined {
  if (retentionTimeMs === DEFAULT_RETENTION_TIME_MS) return undefined;
  // Both are safe integers: an exact sum past the bound rounds to a double at or past it, so the clamp is exact.
  return Math.min(EXPIRE_TIMESTAMP_MAX, Math.max(0, commitTimestampMs + retentionTimeMs));
}

/**
 * Whether `offset` is due to expire at `nowMs` (on the clock that stamped it): at its explicit
 * expire timestamp if it has one, else `retentionMs` after its commit.
 */
export function offsetDue(offset: CommittedOffset, nowMs: number, retentionMs: number): boolean {
  if (offset.expireTimestampMs !== undefined) return nowMs >= offset.expireTimestampMs;
  return nowMs - offset.commitTimestampMs >= retentionMs;
}
