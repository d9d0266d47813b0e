// AlterPartitionReassignments v0, ListPartitionReassignments v0 and ElectLeaders v0-v2 over the
// wire (encoded as a client would, decoded by our codec, handled against the real controller
// operations, answered and read back as a client reads it): Kafka's per-partition codes, a null
// topic list meaning every partition, and what a client sees when the controller cannot be reached
// (NOT_CONTROLLER at the top and on every partition named, as Kafka's getErrorResponse).

import { describe, expect, it } from 'vitest';
import type { MetadataRecord, PartitionRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { handleAlterPartitionReassignments, handleElectLeaders, handleListPartitionReassignments } from '../../broker/kafka/handlers/reassignments.js';
import type { ElectLeadersRequest } from '../../broker/kafka/protocol/index.js';
import { topicIdOf } from './controller-configs-fixture.js';
import { brokerRecord, mvRecord, overTheWire, remoteError, testbed } from './kafka-handlers-fixture.js';

const TOPIC_ID = topicIdOf(7);

function partition(partitionId: number, replicas: number[], isr: number[], leader: number): PartitionRecord {
  return { type: 'Partition', topicId: TOPIC_ID, partitionId, replicas, isr, removingReplicas: [], addingReplicas: [], leader, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 };
}

/**
 * Brokers 1 and 2 live, 3 fenced. Topic 'moves':
 *   0: [1] led by 1          1: [1,2] led by 2 (its preferred replica 1 is not leading)
 *   2: [2,1] led by 2        3: [3] leaderless (its only replica, 3, is fenced)
 */
function cluster(): MetadataRecord[] {
  return [
    mvRecord(),
    brokerRecord(1, 10),
    brokerRecord(2, 11),
    brokerRecord(3, 12, { fenced: true }),
    { type: 'Topic', name: 'moves', topicId: TOPIC_ID },
    partition(0, [1], [1], 1),
    partition(1, [1, 2], [1, 2], 2),
    partition(2, [2, 1], [2, 1], 2),
    partition(3, [3], [3], -1),
  ];
}

const alter = (topics: { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[]) => ({ timeoutMs: 30_000, topics });

describe('AlterPartitionReassignments / ListPartitionReassignments v0', () => {
  it('a move is started and listed (null topics: every partition; named ones: only those moving, unknown ones left out), then cancelled with null replicas; a second cancel is NO_REASSIGNMENT_IN_PROGRESS', async () => {
    const { ctx, harness, controller } = testbed({ baseRecords: cluster() });
    const started = await overTheWire('AlterPartitionReassignments', 0, alter([{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2] }] }]), handleAlterPartitionReassignments, ctx);
    expect(started).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [{ name: 'moves', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }] });
    expect(controller.calls[0]).toMatchObject({ method: 'alterPartitionReassignments', request: { topics: [{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2] }] }] } });
    expect(harness.image.topicByName('moves')!.partitions[0]).toMatchObject({ replicas: [2, 1], addingReplicas: [2], removingReplicas: [1] });

    const moving = { name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2, 1], addingReplicas: [2], removingReplicas: [1] }] };
    const all = await overTheWire('ListPartitionReassignments', 0, { timeoutMs: 30_000, topics: null }, handleListPartitionReassignments, ctx);
    expect(all).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [moving] });
    const named = await overTheWire(
      'ListPartitionReassignments',
      0,
      { timeoutMs: 30_000, topics: [{ name: 'moves', partitionIndexes: [0, 1, 99] }, { name: 'nope', partitionIndexes: [0] }] },
      handleListPartitionReassignments,
      ctx,
    );
    expect(named.topics).toEqual([moving]);
    expect(controller.calls[2]).toMatchObject({ method: 'listPartitionReassignments', request: { topics: [{ name: 'moves', partitionIndexes: [0, 1, 99] }, { name: 'nope', partitionIndexes: [0] }] } });

    const cancelled = await overTheWire('AlterPartitionReassignments', 0, alter([{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: null }] }]), handleAlterPartitionReassignments, ctx);
    expect(cancelled.responses[0]!.partitions[0]).toEqual({ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null });
    expect(harness.image.topicByName('moves')!.partitions[0]).toMatchObject({ replicas: [1], addingReplicas: [], removingReplicas: [] });
    expect((await overTheWire('ListPartitionReassignments', 0, { timeoutMs: 30_000, topics: null }, handleListPartitionReassignments, ctx)).topics).toEqual([]);

    const again = await overTheWire('AlterPartitionReassignments', 0, alter([{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: null }] }]), handleAlterPartitionReassignments, ctx);
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.responses[0]!.partitions[0]).toEqual({ partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' });
  });

  it("per partition, Kafka's codes: unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION, an unregistered or repeated broker INVALID_REPLICA_ASSIGNMENT; the rest of the request goes ahead", async () => {
    const { ctx, harness } = testbed({ baseRecords: cluster() });
    const r = await overTheWire(
      'AlterPartitionReassignments',
      0,
      alter([
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
        {
          name: 'moves',
          partitions: [
            { partitionIndex: 7, replicas: [1] },
            { partitionIndex: 1, replicas: [9] },
            { partitionIndex: 2, replicas: [1, 1] },
            { partitionIndex: 0, replicas: [1, 2] },
          ],
        },
      ]),
      handleAlterPartitionReassignments,
      ctx,
    );
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.responses.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      [
        'moves',
        [
          [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
          [1, ErrorCode.INVALID_REPLICA_ASSIGNMENT],
          [2, ErrorCode.INVALID_REPLICA_ASSIGNMENT],
          [0, ErrorCode.NONE],
        ],
      ],
    ]);
    for (const p of r.responses.flatMap((t) => t.partitions)) expect(p.errorCode === ErrorCode.NONE ? p.errorMessage === null : (p.errorMessage ?? '').length > 0).toBe(true);
    expect(harness.image.topicByName('moves')!.partitions[0]).toMatchObject({ replicas: [1, 2], addingReplicas: [2] });
  });

  it.each([
    ['NOT_CONTROLLER after the last retry', remoteError(ErrorCode.NOT_CONTROLLER)],
    ['a timeout', new RequestTimeoutError('no answer in 3000 ms')],
  ])('controller unreachable (%s): NOT_CONTROLLER at the top and on every partition (Alter), at the top with no topics (List)', async (_name, failure) => {
    const { ctx, controller } = testbed({ baseRecords: cluster() });
    controller.failure = failure;
    const a = await overTheWire('AlterPartitionReassignments', 0, alter([{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2] }, { partitionIndex: 1, replicas: null }] }]), handleAlterPartitionReassignments, ctx);
    expect(a.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect(a.errorMessage).toMatch(/controller/);
    expect(a.responses[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([
      [0, ErrorCode.NOT_CONTROLLER],
      [1, ErrorCode.NOT_CONTROLLER],
    ]);
    const l = await overTheWire('ListPartitionReassignments', 0, { timeoutMs: 30_000, topics: null }, handleListPartitionReassignments, ctx);
    expect([l.errorCode, l.topics]).toEqual([ErrorCode.NOT_CONTROLLER, []]);
  });

  it('a refusal of the whole request keeps its code (INVALID_REQUEST)', async () => {
    const { ctx, controller } = testbed({ baseRecords: cluster() });
    controller.failure = remoteError(ErrorCode.INVALID_REQUEST, 'bad body');
    const a = await overTheWire('AlterPartitionReassignments', 0, alter([{ name: 'moves', partitions: [{ partitionIndex: 0, replicas: [2] }] }]), handleAlterPartitionReassignments, ctx);
    expect([a.errorCode, a.errorMessage, a.responses[0]!.partitions[0]!.errorCode]).toEqual([ErrorCode.INVALID_REQUEST, 'bad body', ErrorCode.INVALID_REQUEST]);
  });
});

describe('ElectLeaders v0-v2', () => {
  const named = (electionType: number): ElectLeadersRequest => ({
    electionType,
    topicPartitions: [
      { topic: 'moves', partitions: [1, 2, 3] },
      { topic: 'nope', partitions: [0] },
    ],
    timeoutMs: 30_000,
  });
  const codes = (r: { replicaElectionResults: { topic: string; partitionResult: { partitionId: number; errorCode: number }[] }[] }) =>
    r.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((p) => [p.partitionId, p.errorCode])]);

  it.each([0, 1, 2])('v%i preferred: the preferred replica elected, ELECTION_NOT_NEEDED where it leads, PREFERRED_LEADER_NOT_AVAILABLE where it is fenced, UNKNOWN_TOPIC_OR_PARTITION', async (version) => {
    const { ctx, harness, controller } = testbed({ baseRecords: cluster() });
    const r = await overTheWire('ElectLeaders', version, named(0), handleElectLeaders, ctx);
    expect(controller.calls[0]).toMatchObject({ method: 'electLeaders', request: { electionType: 0, partitions: [{ topic: 'moves', partitionIds: [1, 2, 3] }, { topic: 'nope', partitionIds: [0] }] } });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(codes(r)).toEqual([
      [
        'moves',
        [
          [1, ErrorCode.NONE],
          [2, ErrorCode.ELECTION_NOT_NEEDED],
          [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
        ],
      ],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    expect(harness.image.topicByName('moves')!.partitions[1]!.leader).toBe(1);
  });

  it('v1 and v2 unclean: a partition with a leader is ELECTION_NOT_NEEDED, one with no eligible replica ELIGIBLE_LEADERS_NOT_AVAILABLE', async () => {
    for (const version of [1, 2]) {
      const { ctx } = testbed({ baseRecords: cluster() });
      const r = await overTheWire('ElectLeaders', version, { electionType: 1, topicPartitions: [{ topic: 'moves', partitions: [0, 3] }], timeoutMs: 30_000 }, handleElectLeaders, ctx);
      expect(codes(r)).toEqual([
        [
          'moves',
          [
            [0, ErrorCode.ELECTION_NOT_NEEDED],
            [3, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE],
          ],
        ],
      ]);
    }
  });

  it('null partitions: every partition is looked at, and only those that needed an election are answered', async () => {
    const { ctx } = testbed({ baseRecords: cluster() });
    const r = await overTheWire('ElectLeaders', 2, { electionType: 0, topicPartitions: null, timeoutMs: 30_000 }, handleElectLeaders, ctx);
    expect(codes(r)).toEqual([
      [
        'moves',
        [
          [1, ErrorCode.NONE],
          [3, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
        ],
      ],
    ]);
  });

  it("null partitions: the controller is asked again while it says there are more, each round's results merged per topic; a round that fails after one that did not answers what was elected with the failure at the top", async () => {
    const { ctx, controller } = testbed({ baseRecords: cluster() });
    const rounds = [
      { results: [{ topic: 'a', partitions: [{ partitionId: 0, errorCode: 0, errorMessage: null }] }], more: true },
      { results: [{ topic: 'a', partitions: [{ partitionId: 1, errorCode: 0, errorMessage: null }] }, { topic: 'b', partitions: [{ partitionId: 0, errorCode: 0, errorMessage: null }] }], more: false },
    ];
    let round = 0;
    controller.canned.electLeaders = () => rounds[round++]!;
    const r = await overTheWire('ElectLeaders', 1, { electionType: 0, topicPartitions: null, timeoutMs: 30_000 }, handleElectLeaders, ctx);
    expect(controller.methods()).toEqual(['electLeaders', 'electLeaders']);
    expect(codes(r)).toEqual([
      ['a', [[0, 0], [1, 0]]],
      ['b', [[0, 0]]],
    ]);

    round = 0;
    controller.canned.electLeaders = () => {
      if (round++ === 0) return rounds[0]!;
      throw remoteError(ErrorCode.NOT_CONTROLLER);
    };
    const partial = await overTheWire('ElectLeaders', 1, { electionType: 0, topicPartitions: null, timeoutMs: 30_000 }, handleElectLeaders, ctx);
    expect([partial.errorCode, codes(partial)]).toEqual([ErrorCode.NOT_CONTROLLER, [['a', [[0, 0]]]]]);
  });

  it('controller unreachable: NOT_CONTROLLER on every partition named (v0 has no top-level code), and at the top from v1; with no partitions named, no results', async () => {
    for (const version of [0, 1, 2]) {
      const { ctx, controller } = testbed({ baseRecords: cluster() });
      controller.failure = new RequestTimeoutError('no answer');
      const r = await overTheWire('ElectLeaders', version, named(0), handleElectLeaders, ctx);
      expect(r.errorCode).toBe(version === 0 ? 0 : ErrorCode.NOT_CONTROLLER);
      expect(codes(r)).toEqual([
        ['moves', [[1, 41], [2, 41], [3, 41]]],
        ['nope', [[0, 41]]],
      ]);
      const all = await overTheWire('ElectLeaders', version, { electionType: 0, topicPartitions: null, timeoutMs: 30_000 }, handleElectLeaders, ctx);
      expect(all.replicaElectionResults).toEqual([]);
    }
  });
});
