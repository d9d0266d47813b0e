// `metaquorum quorum describe --status | --replication` against a fake connector: Kafka's fields,
// the replication table, JSON, and the flag rules.

import { describe, expect, it, vi } from 'vitest';
import type { QuorumDescription } from '../../quorum/controller/describe-quorum.js';
import type { DescribeNodeResponse } from '../../quorum/server/rpc-methods.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { ConnectionError, RemoteError, RequestTimeoutError } from '../../quorum/net/types.js';
import type { LocalQuorumView } from '../../quorum/raft/types.js';
import type { VoterAnswer } from '../../tools/cli/connect.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const DIR1 = 'DFMbow1Hfb87hgRAYVAEiQ';
const DIR2 = 'ka9ANCUkUPrj9MvLvspVNA';

const QUORUM: QuorumDescription = {
  nodeId: 1,
  role: 'Leader',
  leaderId: 1,
  leaderEpoch: 4,
  highWatermark: 90,
  maxFollowerLag: 40,
  maxFollowerLagTimeMs: 700,
  voters: [
    { replicaId: 2, status: 'Follower', directoryId: DIR2, logEndOffset: 95, lag: 5, lastFetchAgoMs: 10, lastCaughtUpAgoMs: 100 },
    { replicaId: 1, status: 'Leader', directoryId: DIR1, logEndOffset: 100, lag: 0, lastFetchAgoMs: 0, lastCaughtUpAgoMs: 0 },
    // A voter whose directory the leader has not heard: no directoryId is printed for it.
    { replicaId: 3, status: 'Follower', directoryId: null, logEndOffset: 60, lag: 40, lastFetchAgoMs: 600, lastCaughtUpAgoMs: 700 },
  ],
  observers: [{ replicaId: 100, status: 'Observer', directoryId: null, logEndOffset: 80, lag: 20, lastFetchAgoMs: null, lastCaughtUpAgoMs: null }],
};

const NODE: DescribeNodeResponse = {
  clusterId: 'MQtestCluster0000000000',
  nodeId: 1,
  roles: ['controller'],
  activeControllerId: 1,
  zkMigrationState: 0,
  voters: [
    { id: 1, host: 'localhost', port: 9093 },
    { id: 2, host: '::1', port: 9094 },
  ],
  metadataOffset: 100,
};

function fake(quorum: QuorumDescription = QUORUM) {
  return installFake({ describeQuorum: () => quorum, describeNode: () => NODE });
}

describe('quorum describe --status', () => {
  // Kafka's CurrentVoters carry each voter's directoryId (reference/kraft.md §7); it was missing,
  // so a voter back on a wiped disk could not be told from the copy the quorum knows.
  it("prints Kafka's fields, voters with their directory ids and the endpoints DescribeNode knows", async () => {
    const f = fake();
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'ClusterId:              MQtestCluster0000000000',
        'LeaderId:               1',
        'LeaderEpoch:            4',
        'HighWatermark:          90',
        'MaxFollowerLag:         40',
        'MaxFollowerLagTimeMs:   700',
        `CurrentVoters:          [{"id": 2, "directoryId": "${DIR2}", "endpoints": ["[::1]:9094"]}, {"id": 1, "directoryId": "${DIR1}", "endpoints": ["localhost:9093"]}, {"id": 3}]`,
        'CurrentObservers:       [{"id": 100}]',
        '',
      ].join('\n'),
    );
    expect(f.connects).toEqual([{ targets: [{ kind: 'controller', host: 'localhost', port: 9093 }], timeoutMs: 15_000 }]);
    expect(f.calls.map((c) => [c.method, c.request, c.timeoutMs])).toEqual([
      ['describeQuorum', {}, 15_000],
      ['describeNode', {}, 15_000],
    ]);
    expect(f.closed).toBe(1);
  });

  it('--json prints one camelCase object', async () => {
    fake();
    const r = await runCli('quorum', 'describe', '--status', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({
      clusterId: 'MQtestCluster0000000000',
      leaderId: 1,
      leaderEpoch: 4,
      highWatermark: 90,
      maxFollowerLag: 40,
      maxFollowerLagTimeMs: 700,
      currentVoters: [{ id: 2, directoryId: DIR2, endpoints: ['[::1]:9094'] }, { id: 1, directoryId: DIR1, endpoints: ['localhost:9093'] }, { id: 3 }],
      currentObservers: [{ id: 100 }],
    });
  });

  it('no leader known: LeaderId and the lag fields print -1 (null in JSON)', async () => {
    fake({ ...QUORUM, role: 'Unattached', leaderId: null, maxFollowerLag: null, maxFollowerLagTimeMs: null, voters: [], observers: [] });
    const text = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(text.stdout).toContain('LeaderId:               -1\n');
    expect(text.stdout).toContain('MaxFollowerLag:         -1\n');
    expect(text.stdout).toContain('MaxFollowerLagTimeMs:   -1\n');
    expect(text.stdout).toContain('CurrentVoters:          []\n');
    const json = await runCli('quorum', 'describe', '--status', '--json', ...CONTROLLER);
    expect(JSON.parse(json.stdout)).toMatchObject({ leaderId: null, maxFollowerLag: null, maxFollowerLagTimeMs: null });
  });

  it('--bootstrap-server and --timeout reach the connector and every call', async () => {
    const f = fake();
    const r = await runCli('quorum', 'describe', '--status', '--bootstrap-server', 'b1:9092,[::1]:9192', '--timeout', '2500');
    expect(r.exitCode).toBe(0);
    expect(f.connects).toEqual([
      {
        targets: [
          { kind: 'server', host: 'b1', port: 9092 },
          { kind: 'server', host: '::1', port: 9192 },
        ],
        timeoutMs: 2500,
      },
    ]);
    expect(f.calls.every((c) => c.timeoutMs === 2500)).toBe(true);
  });
});

describe('quorum describe --replication', () => {
  it('one aligned row per replica with its DirectoryId ("-" unknown), leader first, then followers and observers; wall-clock ms as Kafka prints them, -1 for never', async () => {
    const f = fake();
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_790_000_000_000);
    const r = await runCli('quorum', 'describe', '--replication', ...CONTROLLER);
    now.mockRestore();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'NodeId  DirectoryId             LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status',
        `1       ${DIR1}  100           0    1790000000000       1790000000000          Leader`,
        `2       ${DIR2}  95            5    1789999999990       1789999999900          Follower`,
        '3       -                       60            40   1789999999400       1789999999300          Follower',
        '100     -                       80            20   -1                  -1                     Observer',
        '',
      ].join('\n'),
    );
    expect(f.calls.map((c) => c.method)).toEqual(['describeQuorum']);
  });

  it('a voter not heard from since the election prints -1 for its log end offset and lag', async () => {
    const unheard = { replicaId: 3, status: 'Follower', directoryId: null, logEndOffset: null, lag: null, lastFetchAgoMs: null, lastCaughtUpAgoMs: null } as const;
    fake({ ...QUORUM, voters: [QUORUM.voters[0]!, QUORUM.voters[1]!, unheard] });
    const r = await runCli('quorum', 'describe', '--replication', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[3]).toMatch(/^3\s+-\s+-1\s+-1\s+-1\s+-1\s+Follower$/);
  });

  it('--human-readable prints "N ms ago" and "never"', async () => {
    fake();
    const r = await runCli('quorum', 'describe', '--replication', '--human-readable', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/^2\s+\S+\s+95\s+5\s+10 ms ago\s+100 ms ago\s+Follower$/);
    expect(lines[4]).toMatch(/^100\s+-\s+80\s+20\s+never\s+never\s+Observer$/);
  });

  it('--json prints the rows as one object, ages and timestamps both', async () => {
    fake();
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_790_000_000_000);
    const r = await runCli('quorum', 'describe', '--replication', '--json', ...CONTROLLER);
    now.mockRestore();
    const t = (ago: number) => 1_790_000_000_000 - ago;
    expect(JSON.parse(r.stdout)).toEqual({
      replicas: [
        { nodeId: 1, directoryId: DIR1, logEndOffset: 100, lag: 0, lastFetchAgoMs: 0, lastCaughtUpAgoMs: 0, lastFetchTimestamp: t(0), lastCaughtUpTimestamp: t(0), status: 'Leader' },
        { nodeId: 2, directoryId: DIR2, logEndOffset: 95, lag: 5, lastFetchAgoMs: 10, lastCaughtUpAgoMs: 100, lastFetchTimestamp: t(10), lastCaughtUpTimestamp: t(100), status: 'Follower' },
        { nodeId: 3, directoryId: null, logEndOffset: 60, lag: 40, lastFetchAgoMs: 600, lastCaughtUpAgoMs: 700, lastFetchTimestamp: t(600), lastCaughtUpTimestamp: t(700), status: 'Follower' },
        { nodeId: 100, directoryId: null, logEndOffset: 80, lag: 20, lastFetchAgoMs: null, lastCaughtUpAgoMs: null, lastFetchTimestamp: null, lastCaughtUpTimestamp: null, status: 'Observer' },
      ],
    });
  });
});

describe('quorum describe: usage errors exit 2 before connecting', () => {
  it.each([
    ['neither --status nor --replication', ['quorum', 'describe', ...CONTROLLER], /exactly one of --status and --replication/],
    ['both --status and --replication', ['quorum', 'describe', '--status', '--replication', ...CONTROLLER], /exactly one of --status and --replication/],
    ['--human-readable with --status', ['quorum', 'describe', '--status', '--human-readable', ...CONTROLLER], /--human-readable goes with --replication/],
  ])('%s', async (_name, args, message) => {
    const f = fake();
    const r = await runCli(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(f.connects).toEqual([]);
  });
});

// With no leader, DescribeQuorum has nobody to answer it; Kafka's tool can only fail. Ours asks
// every voter for its own view, prints one row each and fails with what they say.
describe('quorum describe with no active controller', () => {
  const NO_LEADER = () => {
    throw new RequestTimeoutError('describeQuorum: no active controller answered within 3000 ms (last error: connect ECONNREFUSED 127.0.0.1:9094)');
  };
  const view = (nodeId: number, quorum: LocalQuorumView, clusterId = NODE.clusterId): VoterAnswer => ({
    id: nodeId,
    host: '127.0.0.1',
    port: 9092 + nodeId,
    node: { ...NODE, nodeId, clusterId, activeControllerId: null, quorum },
  });
  const down = (id: number): VoterAnswer => ({ id, host: '127.0.0.1', port: 9092 + id, error: `connect ECONNREFUSED 127.0.0.1:${9092 + id}` });
  const candidate = (nodeId: number, epoch: number, clusterId?: string): VoterAnswer =>
    view(nodeId, { role: 'Candidate', epoch, leaderId: null, votedId: nodeId, highWatermark: 40, logEndOffset: 52 }, clusterId);

  function noLeader(voterAnswers: VoterAnswer[]) {
    const f = installFake({ describeQuorum: NO_LEADER, describeNode: () => NODE });
    f.voterAnswers = voterAnswers;
    return f;
  }

  it('a minority up: one row per voter, and the error names the voters a leader still needs', async () => {
    noLeader([down(3), candidate(1, 7), down(2)]);
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe("No voter acts as the active controller. Each voter's own view:");
    expect(lines[1]).toMatch(/^NodeId\s+Endpoint\s+State\s+Epoch\s+LeaderId\s+VotedFor\s+LogEndOffset\s+HighWatermark\s+Note$/);
    expect(lines[2]).toMatch(/^1\s+127\.0\.0\.1:9093\s+Candidate\s+7\s+-1\s+1\s+52\s+40$/);
    expect(lines[3]).toMatch(/^2\s+127\.0\.0\.1:9094\s+-\s+-\s+-\s+-\s+-\s+-\s+no answer: connect ECONNREFUSED 127\.0\.0\.1:9094$/);
    expect(lines[4]).toMatch(/^3\s/);
    expect(r.stderr).toBe('error: no active controller: 1 of 3 voters answer, and a leader needs 2: start or reach voter(s) 2, 3 (the Note column says what failed)\n');
  });

  it('--json: the rows as one object on stdout, the error on stderr', async () => {
    noLeader([candidate(1, 7), down(2), down(3)]);
    const r = await runCli('quorum', 'describe', '--replication', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      leaderId: null,
      voters: [
        { id: 1, endpoint: '127.0.0.1:9093', role: 'Candidate', epoch: 7, leaderId: null, votedId: 1, highWatermark: 40, logEndOffset: 52 },
        { id: 2, endpoint: '127.0.0.1:9094', note: 'no answer: connect ECONNREFUSED 127.0.0.1:9094' },
        { id: 3, endpoint: '127.0.0.1:9095', note: 'no answer: connect ECONNREFUSED 127.0.0.1:9095' },
      ],
    });
    expect(JSON.parse(r.stderr)).toEqual({ error: expect.stringMatching(/^no active controller: 1 of 3 voters answer, and a leader needs 2.*\(the note field says what failed\)$/), exitCode: 1 });
  });

  it('a leader that did not answer in time (busy or hung): the voters\' rows, and the error says it leads but did not answer', async () => {
    const f = installFake({
      describeQuorum: () => {
        throw new RequestTimeoutError('describeQuorum: controller 2 (127.0.0.1:9094) was sent it and did not answer within 3000 ms: it may have been applied, or the controller may be hung');
      },
      describeNode: () => NODE,
    });
    f.voterAnswers = [candidate(1, 7), view(2, { role: 'Leader', epoch: 7, leaderId: 2, votedId: 2, highWatermark: 40, logEndOffset: 53 }), down(3)];
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^No voter acts as the active controller/);
    expect(r.stderr).toBe('error: voter 2 leads in epoch 7 but did not answer in time: raise --timeout, or check that node (2 of 3 voters answer)\n');
  });

  it('a majority up but none leading: an election under way, with their epochs', async () => {
    noLeader([candidate(1, 7), candidate(2, 8), down(3)]);
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      "error: no active controller: 2 of 3 voters answer but none leads: voter(s) 1, 2 are asking for votes (epochs 7, 8); if this lasts, check that the voters reach each other's controller listeners\n",
    );
  });

  it('a voter that has just won: run again', async () => {
    noLeader([candidate(1, 7), view(2, { role: 'Leader', epoch: 8, leaderId: 2, votedId: 2, highWatermark: 40, logEndOffset: 53 }), down(3)]);
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.stderr).toBe('error: no active controller: 2 of 3 voters answer; voter 2 has just become leader in epoch 8: run the command again\n');
  });

  it("another cluster's node in the voters list is noted and not counted", async () => {
    noLeader([candidate(1, 7), candidate(2, 7), candidate(3, 7, 'AnotherCluster000000000')]);
    const r = await runCli('quorum', 'describe', '--status', '--json', ...CONTROLLER);
    const out = JSON.parse(r.stdout) as { voters: { id: number; note?: string; role?: string }[] };
    expect(out.voters[2]).toEqual({ id: 3, endpoint: '127.0.0.1:9095', note: "another cluster's node (cluster id AnotherCluster000000000)" });
    expect(JSON.parse(r.stderr)).toEqual({ error: expect.stringMatching(/^no active controller: 2 of 3 voters answer but none leads/), exitCode: 1 });
  });

  // The channel's deadline may end on a voter's NOT_CONTROLLER rather than on silence (the README
  // tour with two controllers killed gave exactly that): the same outage, the same view.
  it('NOT_CONTROLLER at the deadline is no leader too', async () => {
    const f = installFake({
      describeQuorum: () => {
        throw new RemoteError({ code: ErrorCode.NOT_CONTROLLER, name: 'NOT_CONTROLLER', message: 'not the active controller; none is known yet, retry after the election', activeControllerId: null });
      },
      describeNode: () => NODE,
    });
    f.voterAnswers = [candidate(1, 3), down(2), down(3)];
    const r = await runCli('quorum', 'describe', '--replication', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^No voter acts as the active controller/);
    expect(r.stderr).toMatch(/^error: no active controller: 1 of 3 voters answer, and a leader needs 2/);
  });

  it('any other failure of DescribeQuorum is reported as before, without asking the voters', async () => {
    const f = installFake({
      describeQuorum: () => {
        throw new ConnectionError('connection closed');
      },
      describeNode: () => NODE,
    });
    const r = await runCli('quorum', 'describe', '--status', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: cannot reach controller localhost:9093: connection closed\n');
    expect(f.voterAnswers).toBeUndefined();
  });
});
