import { describe, expect, it } from 'vitest';
import { describeQuorum } from '../../quorum/controller/describe-quorum.js';
import type { QuorumStatus } from '../../quorum/runtime/api.js';

const base: QuorumStatus = {
  nodeId: 1,
  role: 'Leader',
  epoch: 4,
  leaderId: 1,
  votedId: 1,
  highWatermark: 90,
  logStartOffset: 0,
  logEndOffset: 100,
  appliedOffset: 90,
  voters: [
    { nodeId: 1, endOffset: 100, lastFetchMs: 1000, lastCaughtUpMs: 1000, directoryId: 'DFMbow1Hfb87hgRAYVAEiQ' },
    { nodeId: 2, endOffset: 95, lastFetchMs: 990, lastCaughtUpMs: 900, directoryId: 'ka9ANCUkUPrj9MvLvspVNA' },
    { nodeId: 3, endOffset: 60, lastFetchMs: 400, lastCaughtUpMs: 300 },
  ],
  observers: [{ nodeId: 100, endOffset: 80, lastFetchMs: null, lastCaughtUpMs: null }],
};

describe('DescribeQuorum', () => {
  it('the leader reports each replica with lag and ages, and the slowest voter as max lag', () => {
    const d = describeQuorum(base, 1000);
    expect(d.voters.map((v) => [v.replicaId, v.status, v.lag, v.lastFetchAgoMs, v.lastCaughtUpAgoMs])).toEqual([
      [1, 'Leader', 0, 0, 0],
      [2, 'Follower', 5, 10, 100],
      [3, 'Follower', 40, 600, 700],
    ]);
    expect(d.observers).toEqual([{ replicaId: 100, status: 'Observer', directoryId: null, logEndOffset: 80, lag: 20, lastFetchAgoMs: null, lastCaughtUpAgoMs: null }]);
    expect(d).toMatchObject({ leaderId: 1, leaderEpoch: 4, highWatermark: 90, maxFollowerLag: 40, maxFollowerLagTimeMs: 700 });
  });

  it("each replica's DirectoryId (Kafka's) as it presented it; null when unknown", () => {
    const d = describeQuorum(base, 1000);
    expect(d.voters.map((v) => [v.replicaId, v.directoryId])).toEqual([
      [1, 'DFMbow1Hfb87hgRAYVAEiQ'],
      [2, 'ka9ANCUkUPrj9MvLvspVNA'],
      [3, null],
    ]);
  });

  it('a voter that never caught up makes MaxFollowerLagTimeMs -1, as Kafka reports it', () => {
    const status = { ...base, voters: [base.voters[0]!, { nodeId: 2, endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null }] };
    expect(describeQuorum(status, 1000).maxFollowerLagTimeMs).toBe(-1);
  });

  it('a voter that has not fetched from this leader has an unknown log end and lag (not an empty log), and counts as missing the whole log', () => {
    const status = { ...base, voters: [base.voters[0]!, base.voters[1]!, { nodeId: 3, endOffset: 0, lastFetchMs: null, lastCaughtUpMs: null }] };
    const d = describeQuorum(status, 1000);
    expect(d.voters.map((v) => [v.replicaId, v.logEndOffset, v.lag])).toEqual([
      [1, 100, 0],
      [2, 95, 5],
      [3, null, null],
    ]);
    expect(d.maxFollowerLag).toBe(100);
  });

  it('a follower answers with the leader hint and no replica rows', () => {
    const d = describeQuorum({ ...base, nodeId: 2, role: 'Follower', voters: [], observers: [] }, 1000);
    expect(d).toMatchObject({ leaderId: 1, role: 'Follower', maxFollowerLag: null, maxFollowerLagTimeMs: null, voters: [], observers: [] });
  });
});
