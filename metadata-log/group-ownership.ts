// Which broker coordinates a consumer group: of the live brokers (registered, not fenced, not in
// controlled shutdown), the one with the highest score for the group (rendezvous hashing), the
// score mixing the group id's hash (Java's String.hashCode, as Kafka hashes a group id) with the
// broker id.
//
// Why a hash over live brokers: every member of a group must reach the same coordinator (membership
// is in that broker's memory, broker/kafka/groups/group-coordinator.ts), without an extra consensus
// round per group. Every broker computes the same answer from the same image, and so does the
// controller, which refuses an offset commit or a group deletion from a broker that is not the
// group's coordinator in its own (newest) image (quorum/controller/configs/offsets.ts): a broker
// that stalled through its fencing cannot overwrite what the new coordinator committed meanwhile.
// While images differ (a broker was just fenced or registered) two brokers may both decline or
// both accept a group for a moment, and clients retry on NOT_COORDINATOR.
//
// Why rendezvous and not `hash % live.length` (Kafka's partition choice, used here first): when a
// broker leaves, only the groups it coordinated move, each to the broker with its next score; when
// one joins, only the groups it now scores highest for (about 1/n) move to it. With the modulo,
// fencing one broker of three moved two thirds of all groups, coordinators that stayed alive
// included, and each move costs a group a rebalance (found by a review: 6,662 of 10,000 groups).

import type { MetadataImageView } from './image-types.js';

/** Java's String.hashCode (UTF-16 units), made non-negative as Kafka's Utils.abs does. */
export function groupHash(groupId: string): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0;
  return h === -2147483648 ? 0 : Math.abs(h); // Utils.abs: Integer.MIN_VALUE maps to 0
}

/** MurmurHash3's 32-bit finalizer: every input bit moves every output bit. */
function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The rendezvous score of `brokerId` for a group whose hash is `hash` (higher wins). */
function score(hash: number, brokerId: number): number {
  return fmix32(Math.imul(hash, 0x9e3779b1) ^ fmix32(brokerId ^ 0x5bd1e995));
}

/** Live broker ids in ascending order: the brokers groups are spread over. */
export function liveBrokerIds(image: MetadataImageView): number[] {
  return image
    .brokers()
    .filter((b) => !b.fenced && !b.inControlledShutdown)
    .map((b) => b.brokerId)
    .sort((a, b) => a - b);
}

/** Does broker `a` win the group whose hash is `hash` over broker `b`? (A tie goes to the lower id.) */
function outscores(hash: number, a: number, b: number): boolean {
  const sa = score(hash, a);
  const sb = score(hash, b);
  return sa > sb || (sa === sb && a < b);
}

/** The live broker that coordinates `groupId` (null: no broker is live). */
export function coordinatorOf(live: readonly number[], groupId: string): number | null {
  const hash = groupHash(groupId);
  let best: number | null = null;
  for (const id of live) if (best === null || outscores(hash, id, best)) best = id;
  return best;
}

/** A predicate for one image: does `brokerId` coordinate the group? */
export function coordinatesGroups(image: MetadataImageView, brokerId: number): (groupId: string) => boolean {
  const live = liveBrokerIds(image);
  return (groupId) => coordinatorOf(live, groupId) === brokerId;
}

/**
 * A predicate for a delta that ended in `image`: did `brokerId` coordinate the group all through
 * it, not only at its end? A delta can carry several changes (a broker that stalled reads its
 * fencing and its unfencing at once), and the group may have been another broker's in between,
 * which took the members and their commits: the state this broker kept is stale. By the rendezvous
 * rule that can only be when this broker itself changed (`changed`), or when a broker some record
 * left live (`wentLive`: live for a while, if not at the end) outscores it for the group. A broker
 * that was live all along, or never live, cannot have held a group this one holds at the end.
 */
export function coordinatedThroughout(image: MetadataImageView, brokerId: number, changed: ReadonlySet<number>, wentLive: ReadonlySet<number>): (groupId: string) => boolean {
  const ownsNow = coordinatesGroups(image, brokerId);
  if (changed.has(brokerId)) return () => false;
  const others = [...wentLive].filter((id) => id !== brokerId);
  return (groupId) => {
    if (!ownsNow(groupId)) return false;
    const hash = groupHash(groupId);
    return others.every((other) => !outscores(hash, other, brokerId));
  };
}
