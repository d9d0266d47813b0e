// Replica placement for new partitions (CreateTopics, CreatePartitions without explicit
// assignments). Kafka's rack-aware assignment (AdminUtils.assignReplicasToBrokersRackAware) over the
// USABLE brokers only: registered, unfenced, not in controlled shutdown (KIP-841; Kafka's
// ClusterControlManager.usableBrokers).
//
// 1. The brokers are arranged rack-alternated: racks sorted by name, brokers sorted by id within a
//    rack, then one broker from each rack in turn (a, b, c, a, b, c, ...). A broker without a rack
//    is in a rack of its own kind ("no rack"); with no racks at all this is plain id order.
// 2. Partition p's first replica (its preferred leader) is arranged[(p + startIndex) % n]: leaders
//    round-robin, so within one placement every broker leads ⌊P/n⌋ or ⌈P/n⌉ partitions.
// 3. Followers: the next brokers after the leader at a shift that changes each full round (so the
//    followers of one leader vary), skipping a broker whose rack already holds a replica while some
//    rack holds none. With racks ≥ RF no two replicas of a partition share a rack.
//
// startIndex and the follower shift come from the injected random source, as in Kafka. Cluster-wide
// leader balance (a heuristic, beyond Kafka): when the caller passes current leader counts per
// broker, the P mod n brokers that get one leader more than the others are the consecutive window
// (in arranged order) with the fewest leaders between them, ties broken at random. Creating many
// small topics then keeps leaders spread across brokers instead of piling up by chance. Without
// counts the start is uniformly random (Kafka's behaviour). The counts cost the caller nothing here:
// see ./leader-counts.ts for how to keep them without rescanning the image.

import assert from 'node:assert/strict';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { Random } from '../../env/index.js';
import { apiError, type ApiError } from '../errors.js';

export interface UsableBroker {
  readonly brokerId: number;
  readonly rack: string | null;
}

export interface PlacementSpec {
  /** Id of the first new partition (0 for a new topic, the current count for CreatePartitions). */
  readonly startPartition: number;
  readonly partitions: number;
  readonly replicationFactor: number;
}

export type Placement =
  | { readonly ok: true; readonly assignments: readonly (readonly number[])[] }
  | { readonly ok: false; readonly error: ApiError };

/** Brokers new replicas may be placed on, ascending id: neither fenced nor shutting down (`draining` included). */
export function usableBrokers(image: MetadataImageView, draining?: (brokerId: number) => boolean): UsableBroker[] {
  const out: UsableBroker[] = [];
  for (const b of image.brokers()) {
    if (!b.fenced && !b.inControlledShutdown && draining?.(b.brokerId) !== true) out.push({ brokerId: b.brokerId, rack: b.rack });
  }
  return out;
}

export function randomInt(random: Random, bound: number): number {
  const x = random.next();
  assert.ok(x >= 0 && x < 1, `random.next() returned ${x}, outside [0, 1)`);
  return Math.floor(x * bound);
}

/** Racks sorted, brokers by id within each, then one per rack in turn (Kafka's getRackAlternatedBrokerList). */
export function rackAlternated(brokers: readonly UsableBroker[]): UsableBroker[] {
  const byRack = new Map<string | null, UsableBroker[]>();
  for (const b of brokers) {
    const list = byRack.get(b.rack);
    if (list === undefined) byRack.set(b.rack, [b]);
    else list.push(b);
  }
  const racks = [...byRack.keys()].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
  const lists = racks.map((r) => byRack.get(r)!.slice().sort((a, b) => a.brokerId - b.brokerId));
  const out: UsableBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const list of lists) {
      const b = list[i];
      if (b !== undefined) out.push(b);
    }
  }
  return out;
}

/** The window start (arranged position) of the brokers that get one extra leader, per the header. */
function extraLeaderWindow(arranged: readonly UsableBroker[], extra: number, random: Random, leaderCounts: ReadonlyMap<number, number>): number {
  const n = arranged.length;
  const count = (i: number): number => leaderCounts.get(arranged[i % n]!.brokerId) ?? 0;
  let sum = 0;
  for (let i = 0; i < extra; i++) sum += count(i);
  let best = sum;
  let ties: number[] = [0];
  for (let w = 1; w < n; w++) {
    sum += count(w + extra - 1) - count(w - 1);
    if (sum < best) {
      best = sum;
      ties = [w];
    } else if (sum === best) {
      ties.push(w);
    }
  }
  return ties[randomInt(random, ties.length)]!;
}

/**
 * Replica lists for `spec.partitions` new partitions, or INVALID_REPLICATION_FACTOR when there are
 * fewer usable brokers than the replication factor.
 */
export function placeReplicas(
  spec: PlacementSpec,
  brokers: readonly UsableBroker[],
  random: Random,
  leaderCounts?: ReadonlyMap<number, number>,
): Placement {
  const { startPartition, partitions, replicationFactor: rf } = spec;
  assert.ok(Number.isSafeInteger(partitions) && partitions >= 0 && startPartition >= 0, `placeReplicas: bad spec ${JSON.stringify(spec)}`);
  assert.ok(Number.isSafeInteger(rf) && rf > 0, `placeReplicas: replication factor ${rf}`);
  const n = brokers.length;
  if (rf > n) {
    return {
      ok: false,
      error: apiError(
        'INVALID_REPLICATION_FACTOR',
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${n} broker(s) are usable (unfenced and not in controlled shutdown).`,
      ),
    };
  }
  if (partitions === 0) return { ok: true, assignments: [] };

  const arranged = rackAlternated(brokers);
  const numRacks = new Set(arranged.map((b) => b.rack)).size;
  const extra = partitions % n;
  let startIndex: number;
  if (leaderCounts !== undefined && extra > 0) {
    const window = extraLeaderWindow(arranged, extra, random, leaderCounts);
    startIndex = (((window - startPartition) % n) + n) % n;
  } else {
    startIndex = randomInt(random, n);
  }
  let shift = randomInt(random, n);

  const assignments: number[][] = [];
  for (let p = startPartition; p < startPartition + partitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const leader = arranged[first]!;
    const replicas = [leader.brokerId];
    const racksUsed = new Set<string | null>([leader.rack]);
    const brokersUsed = new Set<number>([leader.brokerId]);
    let k = 0;
    while (replicas.length < rf) {
      assert.ok(k < rf * n, `placeReplicas: no broker found for replica ${replicas.length} of partition ${p}`);
      // Kafka's replicaIndex: never the leader's own position.
      const b = arranged[(first + 1 + ((shift * numRacks + k) % (n - 1))) % n]!;
      k++;
      if (racksUsed.has(b.rack) && racksUsed.size < numRacks) continue;
      if (brokersUsed.has(b.brokerId)) continue;
      replicas.push(b.brokerId);
      racksUsed.add(b.rack);
      brokersUsed.add(b.brokerId);
    }
    assignments.push(replicas);
  }
  return { ok: true, assignments };
}
