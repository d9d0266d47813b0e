// Which broker coordinates a consumer group: the live brokers (registered, not fenced, not in
// controlled shutdown), in id order, indexed by Kafka's hash of the group id
// (Utils.abs(groupId.hashCode) % n, as Kafka picks a __consumer_offsets partition).
//
// Why a hash over live brokers: every member of a group must reach the same coordinator (membership
// is in that broker's memory, group-coordinator.ts), without an extra consensus round per group.
// Every broker computes the same answer from the same image; while images differ (a broker was just
// fenced or registered) two brokers may both decline or both accept a group for a moment, and
// clients retry on NOT_COORDINATOR. A dead broker stops owning groups once the controller fences it
// (broker.session.timeout.ms), and its members move to the next live broker.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';

/** Java's String.hashCode (UTF-16 units), made non-negative as Kafka's Utils.abs does. */
export function groupHash(groupId: string): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  return h === -2147483648 ? 0 : Math.abs(h); // Utils.abs: Integer.MIN_VALUE maps to 0
}

/** Live broker ids in ascending order: the brokers groups are spread over. */
export function liveBrokerIds(image: MetadataImageView): number[] {
  return image
    .brokers()
    .filter((b) => !b.fenced && !b.inControlledShutdown)
    .map((b) => b.brokerId)
    .sort((a, b) => a - b);
}

/** The live broker that coordinates `groupId` (null: no broker is live). */
export function coordinatorOf(live: readonly number[], groupId: string): number | null {
  if (live.length === 0) return null;
  return live[groupHash(groupId) % live.length] ?? null;
}

/** A predicate for one image: does `brokerId` coordinate the group? */
export function coordinatesGroups(image: MetadataImageView, brokerId: number): (groupId: string) => boolean {
  const live = liveBrokerIds(image);
  return (groupId) => coordinatorOf(live, groupId) === brokerId;
}
