// Kafka's PartitionChangeBuilder (KIP-631, KIP-841; kraft.md §3.5): from a partition's current
// registration and the change its caller wants (a new ISR, new replicas, an election kind), the one
// PartitionChange record that gets there, or null when nothing would change.
//
// Leader election (who leads after the change), with "valid" = in the resulting ISR and eligible:
// - ONLINE: keep the current leader if valid; else the first valid replica in replica order; else
//   no leader (-1).
// - PREFERRED: the preferred replica (replicas[0]) if valid; else the current leader if valid; else
//   the first valid replica; else -1. (Kafka's electPreferredLeader.)
// - UNCLEAN: as ONLINE, and when that finds nobody, the first eligible replica in replica order even
//   outside the ISR; the ISR becomes [it] and leaderRecoveryState RECOVERING (data may be lost).
//   (Should that be the current leader, which the caller dropped from the ISR, it stays leader
//   with ISR [it] and no RECOVERING: its own log is whole. Kafka would write the ISR without it.)
// A fenced or shutting-down broker (isEligible false) is never made leader or kept leader.
//
// The ISR:
// - The target ISR is restricted to the target replicas (ISR ⊆ replicas always).
// - The same members in another order count as unchanged (ISR order carries no meaning).
// - An EMPTY target ISR is not written: the current ISR stays (restricted to the target replicas).
//   This is Kafka without ELR (KIP-966): when the last ISR member is fenced or shuts down it stays
//   the ISR's only member and the partition goes leaderless, so the operator sees which replica
//   had the data, and an unclean election stays a visible, separate decision. Since that member is
//   not eligible it is not leader: the invariant "leader ∈ ISR or -1" holds.
// - Members are not checked for eligibility here: a shrink may leave ineligible members (the caller
//   removes the broker it is fencing); additions are checked by AlterPartition (INELIGIBLE_REPLICA).
//
// Replicas: a target replica list replaces the current one, with the adding and removing replicas
// given alongside it (a reassignment starting or changing, ./reassignments.ts) or cleared when not
// given. When it drops a replica and the leader does not change anyway, the leader is re-set to
// itself so the leader epoch bumps and the dropped replica is fenced off (Kafka's
// triggerLeaderEpochBumpForReplicaReassignmentIfNeeded). Plain ISR changes never bump the leader
// epoch (KAFKA-15021: the record carries no `leader`).
//
// A reassignment in flight (adding or removing replicas, after the target's) completes in whatever
// change first finds every adding replica in the ISR: the removing replicas leave the replicas and
// the ISR, adding and removing are cleared, and the election below runs on what is left (Kafka's
// completeReassignmentIfNeeded, run before the election). Not while that would empty the ISR: the
// partition stays moving rather than lose its last in-sync copy. So the broker's ISR expansion
// finishes a move, and so may an election or a fencing that happens to meet the condition.
//
// Invariants asserted on every record built: leader ∈ ISR or -1; ISR ⊆ replicas; no duplicates;
// adding and removing replicas a change sets are disjoint and ⊆ replicas.

import assert from 'node:assert/strict';
import type { PartitionRegistration } from '../../../metadata-log/image-types.js';
import type { LeaderRecoveryState, PartitionChangeRecord, Uuid } from '../../../metadata-log/records/types.js';
import { NO_LEADER } from '../../../metadata-log/records/types.js';
import type { IsEligible } from './eligibility.js';

export type Election = 'PREFERRED' | 'ONLINE' | 'UNCLEAN';

export const LEADER_RECOVERED: LeaderRecoveryState = 0;
export const LEADER_RECOVERING: LeaderRecoveryState = 1;

export interface PartitionChangeTarget {
  /** The wanted ISR; undefined = unchanged. */
  readonly isr?: readonly number[];
  /** The wanted replica list (preferred order); undefined = unchanged. */
  readonly replicas?: readonly number[];
  /** With `replicas`: the reassignment's adding and removing replicas; undefined = none (cleared). */
  readonly addingReplicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
  /** undefined = unchanged (an unclean election sets RECOVERING itself). */
  readonly leaderRecoveryState?: LeaderRecoveryState;
  /** Default ONLINE. */
  readonly election?: Election;
}

export interface ElectionResult {
  /** A broker id or NO_LEADER. */
  readonly leader: number;
  readonly unclean: boolean;
}

const EMPTY: readonly number[] = [];

type Draft = { -readonly [K in keyof PartitionChangeRecord]: PartitionChangeRecord[K] };

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same members, any order (both lists are duplicate-free). */
function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

/** Replica lists are short: a quadratic check beats allocating a Set on this hot path. */
function hasDuplicates(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) {
    for (let j = 0; j < i; j++) if (ids[i] === ids[j]) return true;
  }
  return false;
}

function within(ids: readonly number[], set: readonly number[]): boolean {
  for (const id of ids) if (!set.includes(id)) return false;
  return true;
}

/**
 * Whether a change leaving this ISR completes the reassignment in flight (the header's rule): one
 * is in flight, every adding replica is in sync, and someone stays in the ISR after the removals.
 */
export function completesReassignment(adding: readonly number[], removing: readonly number[], isr: readonly number[]): boolean {
  return (adding.length > 0 || removing.length > 0) && within(adding, isr) && isr.some((r) => !removing.includes(r));
}

/** Who leads after the change, by the rules in the header. */
export function electLeader(
  replicas: readonly number[],
  isr: readonly number[],
  currentLeader: number,
  election: Election,
  isEligible: IsEligible,
): ElectionResult {
  const valid = (r: number): boolean => r !== NO_LEADER && isr.includes(r) && isEligible(r);
  if (election === 'PREFERRED') {
    const preferred = replicas[0];
    if (preferred !== undefined && valid(preferred)) return { leader: preferred, unclean: false };
  }
  if (replicas.includes(currentLeader) && valid(currentLeader)) return { leader: currentLeader, unclean: false };
  for (const r of replicas) if (valid(r)) return { leader: r, unclean: false };
  if (election === 'UNCLEAN') {
    for (const r of replicas) if (isEligible(r)) return { leader: r, unclean: true };
  }
  return { leader: NO_LEADER, unclean: false };
}

/**
 * The PartitionChange record taking `partition` to `target`, or null when it would change nothing.
 */
export function buildPartitionChange(
  topicId: Uuid,
  partitionId: number,
  partition: PartitionRegistration,
  isEligible: IsEligible,
  target: PartitionChangeTarget,
): PartitionChangeRecord | null {
  let replicas = target.replicas ?? partition.replicas;
  let adding = target.replicas === undefined ? partition.addingReplicas : (target.addingReplicas ?? EMPTY);
  let removing = target.replicas === undefined ? partition.removingReplicas : (target.removingReplicas ?? EMPTY);
  if (replicas.length === 0 || hasDuplicates(replicas)) assert.fail(`partition change ${topicId}-${partitionId}: bad replicas [${replicas.join(',')}]`);

  const asked = target.isr ?? partition.isr;
  const wanted = within(asked, replicas) ? asked : asked.filter((r) => replicas.includes(r));
  if (hasDuplicates(wanted)) assert.fail(`partition change ${topicId}-${partitionId}: duplicate ISR members [${wanted.join(',')}]`);
  // The ISR after the change (before an unclean election overrides it), per the header's rules.
  let isr: readonly number[];
  if (wanted.length > 0) {
    isr = sameMembers(wanted, partition.isr) ? partition.isr : wanted;
  } else {
    isr = within(partition.isr, replicas) ? partition.isr : partition.isr.filter((r) => replicas.includes(r));
  }

  if (completesReassignment(adding, removing, isr)) {
    const staying = isr.filter((r) => !removing.includes(r));
    replicas = replicas.filter((r) => !removing.includes(r));
    isr = staying.length === isr.length ? isr : staying;
    adding = EMPTY;
    removing = EMPTY;
  }
  const replicasChanged = !sameIds(replicas, partition.replicas);

  const record: Draft = { type: 'PartitionChange', topicId, partitionId };
  let changed = false;

  const elected = electLeader(replicas, isr, partition.leader, target.election ?? 'ONLINE', isEligible);
  let leaderRecoveryState = target.leaderRecoveryState ?? partition.leaderRecoveryState;
  if (elected.unclean) {
    // Only this replica's log is known to be whole now. When it is the current leader itself (the
    // caller dropped an eligible leader from the ISR and nobody else is valid) it keeps leading,
    // nothing was lost, and only the ISR shrinks to it.
    isr = [elected.leader];
    if (elected.leader !== partition.leader) leaderRecoveryState = LEADER_RECOVERING;
  }
  if (elected.leader !== partition.leader) {
    record.leader = elected.leader;
    changed = true;
  } else if (replicasChanged && partition.replicas.some((r) => !replicas.includes(r))) {
    record.leader = partition.leader; // bump the leader epoch: a removed replica must stop following
    changed = true;
  }

  if (isr !== partition.isr && !sameIds(isr, partition.isr)) {
    record.isr = isr;
    changed = true;
  }
  if (replicasChanged) {
    record.replicas = replicas;
    changed = true;
  }
  if (!sameIds(adding, partition.addingReplicas)) {
    record.addingReplicas = adding;
    changed = true;
  }
  if (!sameIds(removing, partition.removingReplicas)) {
    record.removingReplicas = removing;
    changed = true;
  }
  if (leaderRecoveryState !== partition.leaderRecoveryState) {
    record.leaderRecoveryState = leaderRecoveryState;
    changed = true;
  }
  if (!changed) return null;

  // The invariants, on what replay will produce (messages built only on failure: this is hot).
  const leaderAfter = record.leader ?? partition.leader;
  const isrAfter = record.isr ?? partition.isr;
  if (leaderAfter !== NO_LEADER && !(isrAfter.includes(leaderAfter) && isEligible(leaderAfter))) {
    assert.fail(`partition change ${topicId}-${partitionId}: leader ${leaderAfter} not an eligible ISR member [${isrAfter.join(',')}]`);
  }
  if (isrAfter.length === 0 || !within(isrAfter, replicas) || hasDuplicates(isrAfter)) {
    assert.fail(`partition change ${topicId}-${partitionId}: ISR [${isrAfter.join(',')}] not a non-empty set within replicas [${replicas.join(',')}]`);
  }
  // (Checked on lists this change sets: a partition imported from ZooKeeper may carry odder ones.)
  if (target.replicas !== undefined && (adding.length > 0 || removing.length > 0) && (!within(adding, replicas) || !within(removing, replicas) || hasDuplicates([...adding, ...removing]))) {
    assert.fail(`partition change ${topicId}-${partitionId}: adding [${adding.join(',')}] and removing [${removing.join(',')}] not disjoint sets within replicas [${replicas.join(',')}]`);
  }
  return record;
}

/**
 * A partition after a PartitionChange record, by the replay rules (kraft.md §3.1): `leader` present
 * bumps the leader epoch, every change bumps the partition epoch. For answers and checks; the image
 * itself changes only through MetadataDelta.
 */
export function applyPartitionChange(partition: PartitionRegistration, change: PartitionChangeRecord): PartitionRegistration {
  return {
    replicas: change.replicas ?? partition.replicas,
    isr: change.isr ?? partition.isr,
    removingReplicas: change.removingReplicas ?? partition.removingReplicas,
    addingReplicas: change.addingReplicas ?? partition.addingReplicas,
    leader: change.leader ?? partition.leader,
    leaderRecoveryState: change.leaderRecoveryState ?? partition.leaderRecoveryState,
    leaderEpoch: change.leader === undefined ? partition.leaderEpoch : partition.leaderEpoch + 1,
    partitionEpoch: partition.partitionEpoch + 1,
  };
}

/** Kafka's fluent builder shape over buildPartitionChange, for callers that set targets piecemeal. */
export class PartitionChangeBuilder {
  private target: PartitionChangeTarget = {};

  constructor(
    private readonly topicId: Uuid,
    private readonly partitionId: number,
    private readonly partition: PartitionRegistration,
    private readonly isEligible: IsEligible,
  ) {}

  setTargetIsr(isr: readonly number[]): this {
    this.target = { ...this.target, isr };
    return this;
  }

  setTargetReplicas(replicas: readonly number[]): this {
    this.target = { ...this.target, replicas };
    return this;
  }

  setTargetLeaderRecoveryState(leaderRecoveryState: LeaderRecoveryState): this {
    this.target = { ...this.target, leaderRecoveryState };
    return this;
  }

  setElection(election: Election): this {
    this.target = { ...this.target, election };
    return this;
  }

  build(): PartitionChangeRecord | null {
    return buildPartitionChange(this.topicId, this.partitionId, this.partition, this.isEligible, this.target);
  }
}
