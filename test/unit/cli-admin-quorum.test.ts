// `metaquorum quorum describe --status | --replication` against a fake connector: Kafka's fields,
// the replication table, JSON, and the flag rules.

import { describe, expect, it, vi } from 'vitest';
import type { QuorumDescription } from '../../quorum/controller/describe-quorum.js';
import type { DescribeNodeResponse } from '../../quorum/server/rpc-methods.js';
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
