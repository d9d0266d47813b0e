// Leader elections driven by broker state and by the controller's periodic tasks (KIP-631,
// KIP-841; kraft.md §3.2, §3.3, §3.5). Each function scans the image and returns PartitionChange
// records built by ./partition-change.ts; it changes nothing itself.
//
// - brokerIneligibleChanges: fence or controlled shutdown. The broker leaves every ISR it is in and
//   every leadership it holds moves to the first valid replica (in ISR, eligible). When the broker is
//   the ISR's only member the ISR stays as it is and the leader becomes -1 (Kafka without ELR), or,
//   where the topic allows unclean election, the first eligible replica leads with ISR = [it] and
//   leaderRecoveryState RECOVERING. (Kafka's generateLeaderAndIsrUpdates with brokerToRemove.)
// - brokerDrainChanges: the steps of a large controlled shutdown, before the broker is marked as
//   shutting down: at most `max` records that take it out of ISRs where another eligible member
//   remains (leaderships first, each moving to such a member). Partitions where it is the last
//   eligible ISR member are left for brokerIneligibleChanges at the final step.
// - brokerEligibleChanges: unfence. Every leaderless partition is offered an election in which the
//   unfenced broker counts as eligible even if `isEligible` still sees it fenced (Kafka's
//   brokerToAdd), unclean where the topic allows it. So is every partition whose leader is not
//   eligible: the controller moves leaderships off a broker it fences, so only a partition imported
//   from ZooKeeper (its brokers written fenced until they register) has one, and it stayed offline
//   for good when its leader never came back (found by a review).
// - preferredLeaderRebalance: partitions whose leader is not the preferred replica (replicas[0])
//   while that replica is eligible and in the ISR (auto.leader.rebalance.enable).
// - uncleanElections: leaderless partitions of topics that allow unclean election.
// The periodic passes stop after `max` records and say `more` (Kafka's MAX_ELECTIONS_PER_IMBALANCE:
// reschedule at once) with a cursor: the next chunk goes on from the partition where this one
// stopped, over the topics the first chunk listed, so a pass of n partitions in chunks of k costs
// O(n) in all, not O(n²/k) (each chunk rescanning from the first topic: 2,000 chunks of 1,000 over
// 2,000,000 partitions). Topics created meanwhile wait for the next periodic pass.
//
// Cost: every function is one pass over all partitions with O(replicas) work each (no allocation
// for untouched partitions); 1M partitions take tens of milliseconds.

import type { MetadataImageView, TopicImage } from '../../../metadata-log/image-types.js';
import type { PartitionChangeRecord, Uuid } from '../../../metadata-log/records/types.js';
import { NO_LEADER } from '../../../metadata-log/records/types.js';
import type { ControllerConfig } from '../config.js';
import type { IsEligible } from './eligibility.js';
import { buildPartitionChange, type Election } from './partition-change.js';
import { uncleanElectionLookup } from './unclean-election.js';

export { eligibility, type IsEligible } from './eligibility.js';

export interface ElectionOptions {
  /** The cluster's unclean.leader.election.enable (ControllerConfig.uncleanLeaderElectionEnable); default false. */
  readonly uncleanLeaderElectionEnable?: boolean;
}

/** One periodic election pass: its records, and whether it stopped at its bound with work left. */
export interface ElectionPass {
  readonly records: PartitionChangeRecord[];
  readonly more: boolean;
}

/** Where a chunked periodic pass stopped: the topics its first chunk listed, and the next partition to look at. */
export interface PassCursor {
  readonly topicIds: readonly Uuid[];
  readonly topicIndex: number;
  readonly partition: number;
}

/** A chunk of a periodic pass; `cursor` (set when `more`) is where the next chunk starts. */
export interface PeriodicPass extends ElectionPass {
  readonly cursor: PassCursor | undefined;
}

/**
 * Visits every partition once, in the order of the topics listed when the pass began (`from`
 * absent) or from `from` on. `visit` returns false to stop before that partition: the returned
 * cursor points at it. Topics deleted meanwhile are skipped, as are those `wanted` refuses
 * (whole, without a look at their partitions); partitions added to a topic not yet reached are visited.
 */
function scanPartitions(
  image: MetadataImageView,
  from: PassCursor | undefined,
  visit: (topic: TopicImage, p: number) => boolean,
  wanted: (topic: TopicImage) => boolean = () => true,
): PassCursor | undefined {
  const topicIds = from?.topicIds ?? Array.from(image.topics(), (t) => t.topicId);
  for (let i = from?.topicIndex ?? 0; i < topicIds.length; i++) {
    const topic = image.topicById(topicIds[i]!);
    if (topic === undefined || !wanted(topic)) continue;
    for (let p = from !== undefined && i === from.topicIndex ? from.partition : 0; p < topic.partitions.length; p++) {
      if (!visit(topic, p)) return { topicIds, topicIndex: i, partition: p };
    }
  }
  return undefined;
}

/** Per topic: ONLINE or UNCLEAN (the inherited config level resolved once per scan). */
function topicElections(image: MetadataImageView, clusterDefault: boolean): (topic: TopicImage) => Election {
  const unclean = uncleanElectionLookup(image, clusterDefault);
  return (topic) => (unclean(topic.name) ? 'UNCLEAN' : 'ONLINE');
}

/**
 * PartitionChange records that take `brokerId` out of every ISR it is in and move every leadership
 * it holds to another eligible ISR member (preferred order), or to no leader (-1) when none is
 * eligible (unclean election only where the topic allows it). Used on fence and controlled shutdown.
 * `brokerId` is treated as ineligible whatever `isEligible` says.
 */
export function brokerIneligibleChanges(
  image: MetadataImageView,
  brokerId: number,
  isEligible: IsEligible,
  options: ElectionOptions = {},
): PartitionChangeRecord[] {
  const acceptable: IsEligible = (r) => r !== brokerId && isEligible(r);
  const topicElection = topicElections(image, options.uncleanLeaderElectionEnable ?? false);
  const out: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    let election: Election | undefined;
    const parts = topic.partitions;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      if (part.leader !== brokerId && !part.isr.includes(brokerId)) continue;
      election ??= topicElection(topic);
      const change = buildPartitionChange(topic.topicId, p, part, acceptable, {
        isr: part.isr.filter((r) => r !== brokerId),
        election,
      });
      if (change !== null) out.push(change);
    }
  }
  return out;
}

/** Where a drain pass stopped: its phase (leaderships, then the other ISR memberships) and topic. */
export interface DrainCursor {
  readonly leaderships: boolean;
  readonly topicId: Uuid;
}

/** A drain pass: its records, whether it stopped at its bound, and where the next pass may start. */
export interface DrainPass extends ElectionPass {
  readonly cursor: DrainCursor | undefined;
}

/**
 * Up to `max` PartitionChange records that take `brokerId` out of ISRs in which another member is
 * eligible, the partitions it leads first (leadership moves to the first such member in replica
 * order). `brokerId` is treated as ineligible whatever `isEligible` says. `more`: partitions of that
 * kind were left for another pass. Never makes a partition leaderless, so the broker may still be
 * an eligible, unfenced broker while this runs: each record is an ordinary ISR shrink.
 *
 * `from` (the previous pass's cursor) is where the scan starts; it goes round every topic once
 * from there, so a stale cursor costs time, never a partition: steps of a 2,000,000-partition
 * drain scan about their own share instead of the whole table each (which took 25% of the active
 * controller's CPU in bench:scale).
 */
export function brokerDrainChanges(image: MetadataImageView, brokerId: number, isEligible: IsEligible, max: number, from?: DrainCursor): DrainPass {
  const acceptable: IsEligible = (r) => r !== brokerId && isEligible(r);
  const records: PartitionChangeRecord[] = [];
  const topics = [...image.topics()];
  const at = from === undefined ? -1 : topics.findIndex((t) => t.topicId === from.topicId);
  let first = at < 0 ? 0 : at;
  for (const leaderships of from === undefined || at < 0 || from.leaderships ? [true, false] : [false]) {
    for (let k = 0; k < topics.length; k++) {
      const topic = topics[(first + k) % topics.length]!;
      const parts = topic.partitions;
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p]!;
        if ((part.leader === brokerId) !== leaderships || !part.isr.includes(brokerId) || !part.isr.some(acceptable)) continue;
        if (records.length >= max) return { records, more: true, cursor: { leaderships, topicId: topic.topicId } };
        const change = buildPartitionChange(topic.topicId, p, part, acceptable, { isr: part.isr.filter((r) => r !== brokerId), election: 'ONLINE' });
        if (change !== null) records.push(change);
      }
    }
    first = 0;
  }
  return { records, more: false, cursor: undefined };
}

/**
 * PartitionChange records that elect `brokerId` (just unfenced) leader of the leaderless partitions
 * whose ISR holds it (and, where the topic allows unclean election, leaderless ones whose ISR has no
 * eligible member). Like Kafka, every leaderless partition gets the election, so one that any
 * eligible ISR member could lead is healed too. `brokerId` counts as eligible unless it is
 * unregistered or in controlled shutdown.
 */
export function brokerEligibleChanges(
  image: MetadataImageView,
  brokerId: number,
  isEligible: IsEligible,
  options: ElectionOptions = {},
): PartitionChangeRecord[] {
  const registration = image.broker(brokerId);
  const added = registration !== undefined && !registration.inControlledShutdown;
  const acceptable: IsEligible = (r) => (r === brokerId ? added || isEligible(r) : isEligible(r));
  const topicElection = topicElections(image, options.uncleanLeaderElectionEnable ?? false);
  const out: PartitionChangeRecord[] = [];
  for (const topic of image.topics()) {
    let election: Election | undefined;
    const parts = topic.partitions;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      const ledByIneligible = part.leader !== NO_LEADER;
      if (ledByIneligible && acceptable(part.leader)) continue;
      election ??= topicElection(topic);
      const change = buildPartitionChange(topic.topicId, p, part, acceptable, { election });
      if (change === null) continue;
      // An ineligible leader gives way only to an eligible one (no record that just says -1).
      if (ledByIneligible && (change.leader === undefined || change.leader === NO_LEADER)) continue;
      out.push(change);
    }
  }
  return out;
}

/**
 * Up to `maxElections` preferred-leader elections: partitions led by someone other than their
 * preferred replica while the preferred replica is eligible and in the ISR. `from`: where the
 * previous chunk of this pass stopped.
 */
export function preferredLeaderRebalance(image: MetadataImageView, maxElections: number, isEligible: IsEligible, from?: PassCursor): PeriodicPass {
  const records: PartitionChangeRecord[] = [];
  const cursor = scanPartitions(image, from, (topic, p) => {
    const part = topic.partitions[p]!;
    const preferred = part.replicas[0];
    if (preferred === undefined || part.leader === preferred || !part.isr.includes(preferred) || !isEligible(preferred)) return true;
    if (records.length >= maxElections) return false;
    const change = buildPartitionChange(topic.topicId, p, part, isEligible, { election: 'PREFERRED' });
    if (change !== null) records.push(change);
    return true;
  });
  return { records, more: cursor !== undefined, cursor };
}

/**
 * Up to `max` elections for leaderless partitions of topics that allow unclean election
 * (unclean.leader.election.enable, topic config over cluster default over `config`). A clean
 * leader is still preferred when one is valid. `from`: where the previous chunk stopped.
 */
export function uncleanElections(
  image: MetadataImageView,
  config: Pick<ControllerConfig, 'uncleanLeaderElectionEnable'>,
  max: number,
  isEligible: IsEligible,
  from?: PassCursor,
): PeriodicPass {
  const topicElection = topicElections(image, config.uncleanLeaderElectionEnable);
  const records: PartitionChangeRecord[] = [];
  // One config lookup per topic first: with unclean election off (the default) this pass costs
  // a lookup per topic instead of a look at every partition (1M partitions: ~200 ms every 5 s).
  const unclean = (topic: TopicImage) => topicElection(topic) === 'UNCLEAN';
  const cursor = scanPartitions(
    image,
    from,
    (topic, p) => {
      const part = topic.partitions[p]!;
      if (part.leader !== NO_LEADER) return true;
      if (records.length >= max) return false;
      const change = buildPartitionChange(topic.topicId, p, part, isEligible, { election: 'UNCLEAN' });
      if (change !== null) records.push(change);
      return true;
    },
    unclean,
  );
  return { records, more: cursor !== undefined, cursor };
}
