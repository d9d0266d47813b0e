// AlterPartition from partition leaders: the validation order and codes, the records written.
import { describe, expect, it } from 'vitest';
import type { MetadataImage } from '../../metadata-log/image.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import {
  alterPartition,
  type AlterPartitionPartitionData,
  type AlterPartitionRequest,
} from '../../quorum/controller/replication/alter-partition.js';
import { apply, broker, ctx, image, part, tid, topic } from './controller-replication-fixtures.js';

// Brokers 1..4 (epochs 101..104), broker 5 fenced, 6 shutting down. Topic t: partition 0 replicas
// [1,2,3,5,6], ISR [1,2], leader 1, leaderEpoch 3, partitionEpoch 7.
const base = image([
  broker({ id: 1 }),
  broker({ id: 2 }),
  broker({ id: 3 }),
  broker({ id: 4 }),
  broker({ id: 5, fenced: true }),
  broker({ id: 6, shutdown: true }),
  ...topic('t', [
    { replicas: [1, 2, 3, 5, 6], isr: [1, 2], leader: 1, leaderEpoch: 3, partitionEpoch: 7 },
    { replicas: [2, 1], isr: [2], leader: 2, leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 1 },
  ]),
]);

function data(isr: number[], more: Partial<AlterPartitionPartitionData> = {}): AlterPartitionPartitionData {
  return {
    partitionIndex: 0,
    leaderEpoch: 3,
    partitionEpoch: 7,
    newIsrWithEpochs: isr.map((b) => ({ brokerId: b, brokerEpoch: 100 + b })),
    leaderRecoveryState: 0,
    ...more,
  };
}

function req(partitions: AlterPartitionPartitionData[], more: Partial<AlterPartitionRequest> = {}): AlterPartitionRequest {
  return { brokerId: 1, brokerEpoch: 101, topics: [{ topicId: tid('t'), partitions }], ...more };
}

function code(img: MetadataImage, request: AlterPartitionRequest): number {
  return alterPartition(ctx(img), request).response.topics[0]!.partitions[0]!.errorCode;
}

describe('AlterPartition', () => {
  it('ISR expand: one PartitionChange with isr only; leader epoch unchanged, partition epoch bumped', () => {
    const { records, response } = alterPartition(ctx(base), req([data([1, 2, 3])]));
    expect(records).toEqual([{ type: 'PartitionChange', topicId: tid('t'), partitionId: 0, isr: [1, 2, 3] }]);
    expect(response.errorCode).toBe(0);
    expect(response.topics[0]!.partitions[0]).toEqual({
      partitionIndex: 0,
      errorCode: 0,
      leaderId: 1,
      leaderEpoch: 3,
      partitionEpoch: 8,
      isr: [1, 2, 3],
      leaderRecoveryState: 0,
    });
    expect(part(apply(base, records), 't', 0)).toMatchObject({ isr: [1, 2, 3], leaderEpoch: 3, partitionEpoch: 8 });
  });

  it('ISR shrink to the leader alone', () => {
    const { records } = alterPartition(ctx(base), req([data([1])]));
    expect(records).toEqual([{ type: 'PartitionChange', topicId: tid('t'), partitionId: 0, isr: [1] }]);
  });

  it('identical ISR (any order): no record, the current state answered', () => {
    const { records, response } = alterPartition(ctx(base), req([data([2, 1])]));
    expect(records).toEqual([]);
    expect(response.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, leaderId: 1, leaderEpoch: 3, partitionEpoch: 7, isr: [1, 2] });
  });

  it("sender's broker epoch stale or unknown sender: STALE_BROKER_EPOCH for the whole request", () => {
    for (const more of [{ brokerEpoch: 99 }, { brokerId: 42, brokerEpoch: 142 }]) {
      const { records, response } = alterPartition(ctx(base), req([data([1, 2, 3])], more));
      expect(records).toEqual([]);
      expect(response.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
      expect(response.topics).toEqual([]);
    }
  });

  it('unknown topic or partition: UNKNOWN_TOPIC_ID', () => {
    expect(code(base, { brokerId: 1, brokerEpoch: 101, topics: [{ topicId: tid('nope'), partitions: [data([1])] }] })).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    expect(code(base, req([data([1], { partitionIndex: 9 })]))).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('request epochs above ours: NOT_CONTROLLER', () => {
    expect(code(base, req([data([1], { leaderEpoch: 4 })]))).toBe(ErrorCode.NOT_CONTROLLER);
    expect(code(base, req([data([1], { partitionEpoch: 8 })]))).toBe(ErrorCode.NOT_CONTROLLER);
  });

  it('leader epoch below ours: FENCED_LEADER_EPOCH (checked before the sender is the leader)', () => {
    expect(code(base, req([data([1], { leaderEpoch: 2 })]))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(code(base, req([data([1], { leaderEpoch: 2 })], { brokerId: 2, brokerEpoch: 102 }))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });

  it('sender not the leader: INVALID_REQUEST', () => {
    expect(code(base, req([data([1, 2])], { brokerId: 2, brokerEpoch: 102 }))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('partition epoch below ours: INVALID_UPDATE_VERSION', () => {
    expect(code(base, req([data([1], { partitionEpoch: 6 })]))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
  });

  it('ISR not within replicas, without the leader, or with duplicates: INVALID_REQUEST', () => {
    expect(code(base, req([data([1, 4])]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(base, req([data([2, 3])]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(base, req([data([1, 2, 2])]))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('leader recovery: RECOVERING with ISR > 1, RECOVERED → RECOVERING, or an unknown state: INVALID_REQUEST', () => {
    const recovering = (isr: number[], lrs: number) => req([{ partitionIndex: 1, leaderEpoch: 0, partitionEpoch: 0, newIsrWithEpochs: isr.map((b) => ({ brokerId: b, brokerEpoch: 100 + b })), leaderRecoveryState: lrs }], { brokerId: 2, brokerEpoch: 102 });
    expect(code(base, recovering([2, 1], 1))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(base, req([data([1], { leaderRecoveryState: 1 })]))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(base, req([data([1], { leaderRecoveryState: 7 })]))).toBe(ErrorCode.INVALID_REQUEST);
    // RECOVERING → RECOVERED with a larger ISR is the normal end of recovery.
    const { records, response } = alterPartition(ctx(base), recovering([2, 1], 0));
    expect(response.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, isr: [2, 1], leaderRecoveryState: 0 });
    expect(records).toEqual([{ type: 'PartitionChange', topicId: tid('t'), partitionId: 1, isr: [2, 1], leaderRecoveryState: 0 }]);
  });

  it('members fenced, shutting down, unregistered or with a stale broker epoch: INELIGIBLE_REPLICA', () => {
    expect(code(base, req([data([1, 5])]))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(code(base, req([data([1, 6])]))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    const stale = data([1, 3]);
    expect(code(base, req([{ ...stale, newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: 101 }, { brokerId: 3, brokerEpoch: 1 }] }]))).toBe(
      ErrorCode.INELIGIBLE_REPLICA,
    );
    // -1 skips the epoch check.
    expect(code(base, req([{ ...stale, newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: -1 }, { brokerId: 3, brokerEpoch: -1 }] }]))).toBe(0);
  });

  it('a broker the controller is draining (a stepped controlled shutdown) may stay in an ISR but not join one: INELIGIBLE_REPLICA', () => {
    const draining = (id: number) => id === 2 || id === 3;
    const with2 = alterPartition({ ...ctx(base), draining }, req([data([1, 2])])).response.topics[0]!.partitions[0]!;
    expect(with2.errorCode).toBe(0); // 2 is in the ISR already: unchanged
    const join3 = alterPartition({ ...ctx(base), draining }, req([data([1, 2, 3])]));
    expect(join3.response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(join3.records).toEqual([]);
    expect(alterPartition(ctx(base), req([data([1, 2, 3])])).response.topics[0]!.partitions[0]!.errorCode).toBe(0); // not draining: joins
  });

  it('errors on one partition do not stop the others', () => {
    const { records, response } = alterPartition(ctx(base), req([data([1], { leaderEpoch: 1 }), data([1, 2, 3])]));
    expect(response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.FENCED_LEADER_EPOCH, 0]);
    expect(records).toHaveLength(1);
  });

  it('the same partition twice: the second entry is checked against the first one\'s result', () => {
    const { records, response } = alterPartition(ctx(base), req([data([1, 2, 3]), data([1, 2])]));
    expect(response.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.INVALID_UPDATE_VERSION]);
    expect(records).toHaveLength(1);
  });
});
