// `metaquorum reassign-partitions` against a fake connector: plans (Kafka's JSON or the
// single-partition flags) becoming AlterPartitionReassignments requests, the rollback plan,
// verify's states and exit code, cancel, list, and the usage errors.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { AlterPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../../quorum/controller/replication/reassignments.js';
import type { DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import { parseReassignmentPlan, planJson } from '../../tools/cli/reassignment-plan.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const DESCRIBED: DescribeTopicsResponse = {
  metadataOffset: 7,
  topics: [
    {
      name: 'orders',
      topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
      configs: {},
      partitions: [
        { partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] },
        { partition: 1, leader: 4, leaderEpoch: 1, partitionEpoch: 2, replicas: [4, 5, 2, 3], isr: [2, 3, 4], offlineReplicas: [], addingReplicas: [4, 5], removingReplicas: [3] },
      ],
    },
  ],
  unknown: [],
};

const NOTHING_MOVING: ListPartitionReassignmentsResponse = { topics: [] };

function okAnswers(req: AlterPartitionReassignmentsRequest) {
  return { responses: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null })) })) };
}

function planFile(doc: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mq-plan-')), 'plan.json');
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

describe('reassign-partitions --execute', () => {
  it("a Kafka plan file becomes one request grouped by topic; the rollback plan holds today's replicas (without those being added)", async () => {
    const f = installFake({ listPartitionReassignments: () => NOTHING_MOVING, describeTopics: () => DESCRIBED, alterPartitionReassignments: okAnswers });
    const file = planFile({ version: 1, partitions: [{ topic: 'orders', partition: 0, replicas: [4, 5, 6], log_dirs: ['any', 'any', 'any'] }, { topic: 'orders', partition: 1, replicas: [2, 3, 4] }] });
    const r = await runCli('reassign-partitions', '--execute', '--reassignment-json-file', file, ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    const alter = f.calls.find((c) => c.method === 'alterPartitionReassignments');
    expect(alter?.request).toEqual({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [4, 5, 6] }, { partitionIndex: 1, replicas: [2, 3, 4] }] }] });
    expect(r.stdout).toContain('Current partition replica assignment');
    const rollback = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{'))!);
    expect(rollback.partitions).toEqual([
      { topic: 'orders', partition: 0, replicas: [1, 2, 3], log_dirs: ['any', 'any', 'any'] },
      { topic: 'orders', partition: 1, replicas: [2, 3], log_dirs: ['any', 'any'] },
    ]);
    expect(r.stdout).toContain('Successfully started partition reassignment for orders-0.');
  });

  it('--topic/--partition/--replicas name one partition; a refused partition goes to stderr and exits 1', async () => {
    const f = installFake({
      listPartitionReassignments: () => NOTHING_MOVING,
      describeTopics: () => DESCRIBED,
      alterPartitionReassignments: (req) => ({
        responses: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes broker 9, but no such broker is registered.' })) })),
      }),
    });
    const r = await runCli('reassign-partitions', '--execute', '--topic', 'orders', '--partition', '0', '--replicas', '9,1', ...CONTROLLER);
    expect(f.calls.find((c) => c.method === 'alterPartitionReassignments')?.request).toEqual({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [9, 1] }] }] });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('cannot reassign orders-0: INVALID_REPLICA_ASSIGNMENT');
    expect(r.stderr).toContain('could not reassign 1 of 1 partitions: orders-0');
  });

  it('a plan naming a partition that does not exist: refused before anything is printed or started, exit 1', async () => {
    const f = installFake({ listPartitionReassignments: () => NOTHING_MOVING, describeTopics: () => ({ ...DESCRIBED, unknown: ['nope'] }), alterPartitionReassignments: okAnswers });
    const file = planFile({ version: 1, partitions: [{ topic: 'orders', partition: 0, replicas: [4, 5, 6] }, { topic: 'orders', partition: 7, replicas: [1] }, { topic: 'nope', partition: 0, replicas: [1] }] });
    const r = await runCli('reassign-partitions', '--execute', '--reassignment-json-file', file, ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: nothing started: the plan names partitions that do not exist: orders-7, nope-0\n');
    expect(f.calls.map((c) => c.method)).not.toContain('alterPartitionReassignments');
  });

  it('--json: the rollback plan and each outcome as one object', async () => {
    installFake({ listPartitionReassignments: () => NOTHING_MOVING, describeTopics: () => DESCRIBED, alterPartitionReassignments: okAnswers });
    const r = await runCli('reassign-partitions', '--execute', '--topic', 'orders', '--partition', '0', '--replicas', '4', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ rollback: { version: 1, partitions: [{ topic: 'orders', partition: 0, replicas: [1, 2, 3], log_dirs: ['any', 'any', 'any'] }] }, results: [{ partition: 'orders-0', ok: true }] });
  });
});

describe('reassign-partitions --execute while moves are in flight', () => {
  it("refuses, as Kafka's tool, naming them (exit 1, nothing changed); --additional goes ahead", async () => {
    const moving: ListPartitionReassignmentsResponse = { topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, replicas: [4, 5, 2, 3], addingReplicas: [4, 5], removingReplicas: [3] }] }] };
    const f = installFake({ listPartitionReassignments: () => moving, describeTopics: () => DESCRIBED, alterPartitionReassignments: okAnswers });
    const refused = await runCli('reassign-partitions', '--execute', '--topic', 'orders', '--partition', '0', '--replicas', '4', ...CONTROLLER);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Cannot execute because there is an existing partition assignment (orders-1). Use --additional');
    expect(f.calls.map((c) => c.method)).toEqual(['listPartitionReassignments']);
    const added = await runCli('reassign-partitions', '--execute', '--additional', '--topic', 'orders', '--partition', '0', '--replicas', '4', ...CONTROLLER);
    expect(added.exitCode).toBe(0);
    expect(f.calls.map((c) => c.method).slice(1)).toEqual(['describeTopics', 'alterPartitionReassignments']);
  });
});

describe('reassign-partitions --verify', () => {
  it('done, in progress, other replicas and unknown partitions; exit 1 until all are done', async () => {
    const moving: ListPartitionReassignmentsResponse = { topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, replicas: [4, 5, 2, 3], addingReplicas: [4, 5], removingReplicas: [3] }] }] };
    const f = installFake({ listPartitionReassignments: () => moving, describeTopics: () => DESCRIBED });
    const file = planFile({
      version: 1,
      partitions: [
        { topic: 'orders', partition: 0, replicas: [1, 2, 3] },
        { topic: 'orders', partition: 1, replicas: [4, 5, 2] },
        { topic: 'orders', partition: 2, replicas: [1] },
      ],
    });
    const r = await runCli('reassign-partitions', '--verify', '--reassignment-json-file', file, ...CONTROLLER);
    expect(f.calls.find((c) => c.method === 'listPartitionReassignments')?.request).toEqual({ topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }] });
    expect(r.stdout.split('\n')).toEqual([
      'Status of partition reassignment:',
      'Reassignment of partition orders-0 is completed.',
      'Reassignment of partition orders-1 is still in progress.',
      'Partition orders-2 does not exist.',
      '',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('2 of 3 partitions not reassigned as planned (yet): orders-1, orders-2');
  });

  it('exit 0 when every move is done; a partition on other replicas than planned says so', async () => {
    installFake({ listPartitionReassignments: () => NOTHING_MOVING, describeTopics: () => DESCRIBED });
    expect((await runCli('reassign-partitions', '--verify', '--topic', 'orders', '--partition', '0', '--replicas', '1,2,3', ...CONTROLLER)).exitCode).toBe(0);
    const other = await runCli('reassign-partitions', '--verify', '--topic', 'orders', '--partition', '0', '--replicas', '3,2,1', '--json', ...CONTROLLER);
    expect(other.exitCode).toBe(1);
    expect(JSON.parse(other.stdout)).toEqual({ partitions: [{ partition: 'orders-0', state: 'other-replicas', replicas: [1, 2, 3], target: [3, 2, 1] }] });
  });
});

describe('reassign-partitions --verify against a broker behind the controller', () => {
  it('a partition the broker still sees moving is in progress, though the controller lists no move for it', async () => {
    // Through --bootstrap-server the list comes from the active controller and the describe from
    // the broker's own image, which may not have the completion yet.
    installFake({ listPartitionReassignments: () => NOTHING_MOVING, describeTopics: () => DESCRIBED });
    const r = await runCli('reassign-partitions', '--verify', '--topic', 'orders', '--partition', '1', '--replicas', '4,5,2', ...CONTROLLER);
    expect(r.stdout.split('\n')).toEqual(['Status of partition reassignment:', 'Reassignment of partition orders-1 is still in progress.', '']);
    expect(r.exitCode).toBe(1);
  });
});

describe('reassign-partitions --cancel and --list', () => {
  it('--cancel sends null replicas; a plan may leave replicas out', async () => {
    const f = installFake({ alterPartitionReassignments: okAnswers });
    const file = planFile({ partitions: [{ topic: 'orders', partition: 1 }] });
    const r = await runCli('reassign-partitions', '--cancel', '--reassignment-json-file', file, ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, replicas: null }] }] });
    expect(r.stdout).toContain('Successfully cancelled partition reassignment for orders-1.');
  });

  it('--cancel of a plan whose moves are partly done: those are not moving, which is not a failure (exit 0, as Kafka); other refusals still are', async () => {
    const answers = (codes: Record<number, [number, string | null]>) => (req: AlterPartitionReassignmentsRequest) => ({
      responses: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[p.partitionIndex]![0], errorMessage: codes[p.partitionIndex]![1] })) })),
    });
    const f = installFake({ alterPartitionReassignments: answers({ 0: [ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.'], 1: [ErrorCode.NONE, null] }) });
    const file = planFile({ partitions: [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }] });
    const r = await runCli('reassign-partitions', '--cancel', '--reassignment-json-file', file, ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['There is no active reassignment of partition orders-0.', 'Successfully cancelled partition reassignment for orders-1.', '']);
    const json = await runCli('reassign-partitions', '--cancel', '--reassignment-json-file', file, '--json', ...CONTROLLER);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ results: [{ partition: 'orders-0', ok: true, active: false }, { partition: 'orders-1', ok: true }] });
    f.handlers.alterPartitionReassignments = answers({ 0: [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Unable to revert partition assignment for orders:0 because it would require an unclean leader election.'], 1: [ErrorCode.NONE, null] });
    const refused = await runCli('reassign-partitions', '--cancel', '--reassignment-json-file', file, ...CONTROLLER);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('unclean leader election');
  });

  it('--list prints every move in flight, or says there is none', async () => {
    const moving: ListPartitionReassignmentsResponse = { topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, replicas: [4, 5, 2, 3], addingReplicas: [4, 5], removingReplicas: [3] }] }] };
    const f = installFake({ listPartitionReassignments: () => moving });
    const r = await runCli('reassign-partitions', '--list', ...CONTROLLER);
    expect(f.calls[0]?.request).toEqual({ topics: null });
    expect(r.stdout).toBe('Current partition reassignments:\norders-1: replicas: 4,5,2,3. adding: 4,5. removing: 3.\n');
    f.handlers.listPartitionReassignments = () => NOTHING_MOVING;
    expect((await runCli('reassign-partitions', '--list', ...CONTROLLER)).stdout).toBe('No partition reassignments found.\n');
    expect(JSON.parse((await runCli('reassign-partitions', '--list', '--json', ...CONTROLLER)).stdout)).toEqual(NOTHING_MOVING);
  });
});

describe('topics describe of a partition being moved', () => {
  it("shows its adding and removing replicas, and the topic's replication factor as the move's target (Kafka's TopicCommand)", async () => {
    const moving: DescribeTopicsResponse = { ...DESCRIBED, topics: [{ ...DESCRIBED.topics[0]!, partitions: [DESCRIBED.topics[0]!.partitions[1]!] }] };
    installFake({ describeTopics: () => moving });
    const r = await runCli('topics', 'describe', 'orders', ...CONTROLLER);
    expect(r.stdout.split('\n')[0]).toContain('ReplicationFactor: 3');
    expect(r.stdout).toContain('\tReplicas: 4,5,2,3\tIsr: 2,3,4\tAdding Replicas: 4,5\tRemoving Replicas: 3\tOffline: ');
  });
});

describe('reassign-partitions usage errors (exit 2, nothing sent)', () => {
  const cases: [string, string[], RegExp][] = [
    ['no action', ['--topic', 'orders', '--partition', '0', '--replicas', '1'], /exactly one of --generate, --execute, --verify, --cancel and --list/],
    ['two actions', ['--execute', '--list'], /exactly one of/],
    ['execute without replicas', ['--execute', '--topic', 'orders', '--partition', '0'], /--replicas <ids> is missing/],
    ['execute with nothing named', ['--execute'], /give --reassignment-json-file <file>, or --topic <name> and --partition <n> and --replicas <ids>/],
    ['cancel with replicas', ['--cancel', '--topic', 'orders', '--partition', '0', '--replicas', '1'], /--replicas is not used/],
    ['list with a partition', ['--list', '--topic', 'orders'], /takes no plan or partition/],
    ['a broker twice', ['--execute', '--topic', 'orders', '--partition', '0', '--replicas', '1,1'], /names a broker twice/],
    ['a bad partition', ['--execute', '--topic', 'orders', '--partition', 'x', '--replicas', '1'], /--partition must be a partition number/],
    ['a missing plan file', ['--execute', '--reassignment-json-file', '/nonexistent/plan.json'], /cannot read \/nonexistent\/plan.json/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const f = installFake({});
      const r = await runCli('reassign-partitions', ...args, ...CONTROLLER);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(f.calls).toEqual([]);
    });
  }
});

describe('reassignment plan files', () => {
  it("reads Kafka's format, and what planJson writes reads back the same", () => {
    const moves = parseReassignmentPlan('{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[3,1],"log_dirs":["any","any"]},{"topic":"b","partition":2,"replicas":[2]}]}', 'p.json', true);
    expect(moves).toEqual([
      { topic: 'a', partition: 0, replicas: [3, 1] },
      { topic: 'b', partition: 2, replicas: [2] },
    ]);
    expect(parseReassignmentPlan(planJson(moves), 'again', true)).toEqual(moves);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{', /p.json: not JSON/],
    ['no partitions list', '{"version":1}', /expected \{"version":1,"partitions"/],
    ['another version', '{"version":2,"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}', /version 2 is not supported/],
    ['an empty plan', '{"version":1,"partitions":[]}', /names no partitions/],
    ['no topic', '{"partitions":[{"partition":0,"replicas":[1]}]}', /partitions\[0\]: "topic" must be a topic name/],
    ['a negative partition', '{"partitions":[{"topic":"a","partition":-1,"replicas":[1]}]}', /"partition" must be a partition number/],
    ['a partition twice', '{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}', /partitions\[1\]: a-0 is named twice/],
    ['replicas missing', '{"partitions":[{"topic":"a","partition":0}]}', /"replicas" is missing/],
    ['replicas empty', '{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}', /non-empty list of broker ids/],
    ['a broker twice', '{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}', /names a broker twice/],
    ['a log dir', '{"partitions":[{"topic":"a","partition":0,"replicas":[1],"log_dirs":["/data"]}]}', /"log_dirs" must be "any"/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => parseReassignmentPlan(text, 'p.json', true)).toThrow(message);
    });
  }
});

describe('reassign-partitions --generate', () => {
  const cluster = {
    clusterId: 'c',
    controllerId: 1,
    brokers: [4, 5, 6, 7].map((brokerId) => ({ brokerId, host: 'h', port: 9092, endpoints: [], rack: brokerId === 7 ? 'r2' : 'r1', fenced: false, inControlledShutdown: false, state: 'RUNNING' as const, brokerEpoch: 1, metadataOffset: 1, lastContactAgoMs: 1 })),
  };

  it('proposes every partition of the named topics on the broker list, keeping each topic\'s replication factor; prints the current assignment too', async () => {
    const f = installFake({ describeTopics: () => DESCRIBED, describeCluster: () => cluster as never });
    const r = await runCli('reassign-partitions', '--generate', '--topics-to-move-json-file', planFile({ version: 1, topics: [{ topic: 'orders' }] }), '--broker-list', '5,6,7', '--json', ...CONTROLLER);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(f.calls.map((c) => c.method)).toEqual(['describeTopics', 'describeCluster']);
    const out = JSON.parse(r.stdout) as { current: { partitions: { partition: number; replicas: number[] }[] }; proposed: { partitions: { partition: number; replicas: number[] }[] } };
    expect(out.current.partitions.map((p) => p.replicas)).toEqual([[1, 2, 3], [2, 3]]);
    expect(out.proposed.partitions.map((p) => p.partition)).toEqual([0, 1]);
    for (const p of out.proposed.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(new Set(p.replicas)).toEqual(new Set([5, 6, 7]));
    }
    // Different preferred leaders for the two partitions (round-robin).
    expect(out.proposed.partitions[0]!.replicas[0]).not.toBe(out.proposed.partitions[1]!.replicas[0]);
  });

  it('refuses an unregistered broker, a list shorter than the replication factor, and plan flags (exit 2 before anything is sent)', async () => {
    installFake({ describeTopics: () => DESCRIBED, describeCluster: () => cluster as never });
    const topics = planFile({ topics: [{ topic: 'orders' }] });
    const unregistered = await runCli('reassign-partitions', '--generate', '--topics-to-move-json-file', topics, '--broker-list', '5,9,7', ...CONTROLLER);
    expect(unregistered.exitCode).toBe(1);
    expect(unregistered.stderr).toContain('--broker-list names broker(s) 9, not registered');
    const short = await runCli('reassign-partitions', '--generate', '--topics-to-move-json-file', topics, '--broker-list', '5,6', ...CONTROLLER);
    expect(short.exitCode).toBe(1);
    expect(short.stderr).toContain('topic orders has replication factor 3, more than the 2 broker(s) of --broker-list');
    const f = installFake({});
    for (const args of [['--generate', '--broker-list', '5'], ['--generate', '--topics-to-move-json-file', topics, '--broker-list', '5', '--topic', 'x'], ['--execute', '--broker-list', '5', '--topic', 'orders', '--partition', '0', '--replicas', '1']]) {
      expect((await runCli('reassign-partitions', ...args, ...CONTROLLER)).exitCode, args.join(' ')).toBe(2);
    }
    expect(f.calls).toEqual([]);
  });
});
