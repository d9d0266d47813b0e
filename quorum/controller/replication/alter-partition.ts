// AlterPartition (api 56) from partition leaders: ISR changes and leader recovery (KIP-631,
// KIP-841, KIP-704; kraft.md §3.5). Kafka's ReplicationControlManager.alterPartition.
//
// Whole request: the sender's broker epoch must be its registration's → else STALE_BROKER_EPOCH
// (unknown broker too), and no partition is looked at.
// Per partition, first failure answers (Kafka's validateAlterPartitionData order):
//   unknown topic id or partition                         → UNKNOWN_TOPIC_ID
//   request leaderEpoch or partitionEpoch above ours      → NOT_CONTROLLER (we are the stale one)
//   request leaderEpoch below ours                        → FENCED_LEADER_EPOCH
//   sender is not the leader                              → INVALID_REQUEST
//   request partitionEpoch below ours                     → INVALID_UPDATE_VERSION
//   ISR has duplicates, a non-replica, or lacks the leader → INVALID_REQUEST
//   leaderRecoveryState not 0/1; RECOVERING with ISR > 1; RECOVERED → RECOVERING → INVALID_REQUEST
//   an ISR member unregistered, fenced, in controlled shutdown, or with a broker epoch other than
//   its registration's (-1 skips that check); or a member joining while the controller drains
//   its controlled shutdown in steps (`ctx.draining`: still eligible, but each step takes it out of
//   ISRs; a leader adding it back would undo the drain)    → INELIGIBLE_REPLICA
// Then a PartitionChange with the new ISR (and recovery state); the leader epoch is not bumped
// (the record has no `leader`), unless the new ISR completes a reassignment in flight
// (partition-change.ts): then the removing replicas go and the leader epoch bumps. If the sender
// still leads, it is answered the new state (its new leader epoch); if the leader moved, the
// answer is NEW_LEADER_ELECTED with the record written (Kafka's answer from v2, and only then).
// The same members as now (any order) and the same recovery state
// write nothing and answer the current state. A partition named twice in one request is checked
// the second time against the state the first entry produced.

import type { PartitionRegistration } from '../../../metadata-log/image-types.js';
import type { LeaderRecoveryState, PartitionChangeRecord, Uuid } from '../../../metadata-log/records/types.js';
import { NO_LEADER } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, type ApiError, type ErrorCodeValue } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { eligibility } from './eligibility.js';
import { applyPartitionChange, buildPartitionChange, LEADER_RECOVERED, LEADER_RECOVERING } from './partition-change.js';

export interface BrokerState {
  readonly brokerId: number;
  /** -1 = do not check (older request versions). */
  readonly brokerEpoch: number;
}

export interface AlterPartitionPartitionData {
  readonly partitionIndex: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsrWithEpochs: readonly BrokerState[];
  readonly leaderRecoveryState: number;
}

export interface AlterPartitionTopicData {
  readonly topicId: Uuid;
  readonly partitions: readonly AlterPartitionPartitionData[];
}

export interface AlterPartitionRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly topics: readonly AlterPartitionTopicData[];
}

export interface AlterPartitionPartitionResult {
  readonly partitionIndex: number;
  readonly errorCode: number;
  /** The partition's state after the request (on success); -1 / [] / 0 on error. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
  readonly leaderRecoveryState: LeaderRecoveryState;
}

export interface AlterPartitionTopicResult {
  readonly topicId: Uuid;
  readonly partitions: readonly AlterPartitionPartitionResult[];
}

export interface AlterPartitionResponse {
  /** Whole-request error (STALE_BROKER_EPOCH) or NONE. */
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly topics: readonly AlterPartitionTopicResult[];
}

function failed(partitionIndex: number, code: ErrorCodeValue): AlterPartitionPartitionResult {
  return { partitionIndex, errorCode: code, leaderId: NO_LEADER, leaderEpoch: -1, partitionEpoch: -1, isr: [], leaderRecoveryState: LEADER_RECOVERED };
}

function succeeded(partitionIndex: number, p: PartitionRegistration): AlterPartitionPartitionResult {
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    isr: p.isr,
    leaderRecoveryState: p.leaderRecoveryState,
  };
}

function senderError(ctx: OpContext, request: AlterPartitionRequest): ApiError | null {
  const registration = ctx.image.broker(request.brokerId);
  if (registration === undefined) return apiError('STALE_BROKER_EPOCH', `No broker registration found for broker ${request.brokerId}`);
  if (registration.brokerEpoch !== request.brokerEpoch) {
    return apiError('STALE_BROKER_EPOCH', `Expected broker epoch ${registration.brokerEpoch}, but got broker epoch ${request.brokerEpoch}`);
  }
  return null;
}

/** The per-partition checks of the header, NONE when the change may be made. */
function validate(ctx: OpContext, senderId: number, partition: PartitionRegistration, data: AlterPartitionPartitionData): ErrorCodeValue {
  if (data.leaderEpoch > partition.leaderEpoch || data.partitionEpoch > partition.partitionEpoch) return ErrorCode.NOT_CONTROLLER;
  if (data.leaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (senderId !== partition.leader) return ErrorCode.INVALID_REQUEST;
  if (data.partitionEpoch < partition.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const isr = data.newIsrWithEpochs.map((s) => s.brokerId);
  if (new Set(isr).size !== isr.length || !isr.every((r) => partition.replicas.includes(r))) return ErrorCode.INVALID_REQUEST;
  if (!isr.includes(partition.leader)) return ErrorCode.INVALID_REQUEST;
  const lrs = data.leaderRecoveryState;
  if (lrs !== LEADER_RECOVERED && lrs !== LEADER_RECOVERING) return ErrorCode.INVALID_REQUEST;
  if (lrs === LEADER_RECOVERING && isr.length > 1) return ErrorCode.INVALID_REQUEST;
  if (partition.leaderRecoveryState === LEADER_RECOVERED && lrs === LEADER_RECOVERING) return ErrorCode.INVALID_REQUEST;
  for (const member of data.newIsrWithEpochs) {
    const b = ctx.image.broker(member.brokerId);
    if (b === undefined || b.fenced || b.inControlledShutdown) return ErrorCode.INELIGIBLE_REPLICA;
    if (member.brokerEpoch !== -1 && member.brokerEpoch !== b.brokerEpoch) return ErrorCode.INELIGIBLE_REPLICA;
    if (ctx.draining?.(member.brokerId) === true && !partition.isr.includes(member.brokerId)) return ErrorCode.INELIGIBLE_REPLICA;
  }
  return ErrorCode.NONE;
}

export function alterPartition(ctx: OpContext, request: AlterPartitionRequest): OpResult<AlterPartitionResponse> {
  const stale = senderError(ctx, request);
  if (stale !== null) return { records: [], response: { errorCode: stale.code, errorMessage: stale.message, topics: [] } };

  const isEligible = eligibility(ctx.image);
  const records: PartitionChangeRecord[] = [];
  // State produced by earlier entries of this request, keyed `${topicId}:${partition}`.
  const updated = new Map<string, PartitionRegistration>();
  const topics: AlterPartitionTopicResult[] = [];
  for (const topicData of request.topics) {
    const topic = ctx.image.topicById(topicData.topicId);
    const partitions: AlterPartitionPartitionResult[] = [];
    topics.push({ topicId: topicData.topicId, partitions });
    for (const data of topicData.partitions) {
      const key = `${topicData.topicId}:${data.partitionIndex}`;
      const partition = updated.get(key) ?? topic?.partitions[data.partitionIndex];
      if (partition === undefined) {
        partitions.push(failed(data.partitionIndex, ErrorCode.UNKNOWN_TOPIC_ID));
        continue;
      }
      const code = validate(ctx, request.brokerId, partition, data);
      if (code !== ErrorCode.NONE) {
        partitions.push(failed(data.partitionIndex, code));
        continue;
      }
      const change = buildPartitionChange(topicData.topicId, data.partitionIndex, partition, isEligible, {
        isr: data.newIsrWithEpochs.map((s) => s.brokerId),
        leaderRecoveryState: data.leaderRecoveryState as LeaderRecoveryState,
        election: 'ONLINE',
      });
      if (change === null) {
        partitions.push(succeeded(data.partitionIndex, partition));
        continue;
      }
      records.push(change);
      const after = applyPartitionChange(partition, change);
      updated.set(key, after);
      // An ISR change alone keeps the leader (an eligible member of the new ISR). One that completes
      // a reassignment may move it: as Kafka, the record stays and the sender is told
      // NEW_LEADER_ELECTED, to wait for the new metadata. One that only bumps its epoch (to fence
      // off the removed replicas) answers the new state, as Kafka does.
      if (change.leader !== undefined && change.leader !== request.brokerId) {
        partitions.push(failed(data.partitionIndex, ErrorCode.NEW_LEADER_ELECTED));
        continue;
      }
      partitions.push(succeeded(data.partitionIndex, after));
    }
  }
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, topics } };
}
