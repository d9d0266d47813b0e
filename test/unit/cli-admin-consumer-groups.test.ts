// `metaquorum consumer-groups` against a fake connector (--list; --describe with --offsets,
// --members, --state; --json; usage errors), and the describeGroups read it asks for
// (quorum/server/image-reads.ts) on a real image: stored membership, offsets, a named unknown group.

import { describe, expect, it } from 'vitest';
import { KafkaWriter } from '../../broker/kafka/protocol/writer.js';
import { imageOf } from '../../metadata-log/delta.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { describeGroups, describeTopics } from '../../quorum/server/image-reads.js';
import type { DescribeGroupsResponse } from '../../quorum/server/rpc-methods.js';
import { consumerAssignment } from '../../tools/cli/consumer-groups-command.js';
import { planReset } from '../../tools/cli/consumer-groups-write.js';
import { deleteOffsets, type DeleteOffsetsRequest } from '../../quorum/controller/configs/offsets.js';
import { mvRecord, OpHarness, topicRecords } from './controller-configs-fixture.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

/** A ConsumerProtocolAssignment v0: version, [topic, [partition]], user data. */
function assignment(topics: Record<string, number[]>): Buffer {
  const w = new KafkaWriter().int16(0).int32(Object.keys(topics).length);
  for (const [topic, partitions] of Object.entries(topics)) w.string(topic).int32Array(partitions);
  return w.bytes(new Uint8Array(0)).toBuffer();
}

const member = (memberId: string, host: string, topics: Record<string, number[]>, groupInstanceId: string | null = null) => ({
  memberId,
  groupInstanceId,
  clientId: 'app',
  clientHost: host,
  rebalanceTimeoutMs: 60_000,
  sessionTimeoutMs: 10_000,
  subscription: Buffer.from([]),
  assignment: assignment(topics),
});

function records(): MetadataRecord[] {
  return [
    mvRecord(),
    ...topicRecords('orders', 1, 3),
    { type: 'GroupMetadata', groupId: 'billing', protocolType: 'consumer', generationId: 4, protocolName: 'range', leaderId: 'm-1', stateTimestampMs: 1_700_000_000_000, members: [member('m-1', '/10.0.0.1', { orders: [0, 1] }, 'worker-1'), member('m-2', '/10.0.0.2', { orders: [2] })] },
    { type: 'OffsetCommit', groupId: 'billing', topic: 'orders', partition: 1, offset: 42, leaderEpoch: -1, metadata: null, commitTimestampMs: 5 },
    { type: 'OffsetCommit', groupId: 'billing', topic: 'orders', partition: 7, offset: 9, leaderEpoch: -1, metadata: null, commitTimestampMs: 5 }, // a partition that does not exist
    { type: 'OffsetCommit', groupId: 'audit', topic: 'orders', partition: 0, offset: 3, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 6 },
  ];
}

function image() {
  return imageOf(records());
}

describe('describeGroups (the read)', () => {
  it('a stored group is Stable with its members; one with offsets only is Empty; a named unknown one Dead; offsets of partitions that exist only', () => {
    const r = describeGroups(image(), {});
    expect(r.groups.map((g) => [g.groupId, g.state, g.generationId, g.members.length, g.offsets.map((o) => `${o.topic}-${o.partition}=${o.offset}`)])).toEqual([
      ['audit', 'Empty', -1, 0, ['orders-0=3']],
      ['billing', 'Stable', 4, 2, ['orders-1=42']],
    ]);
    const named = describeGroups(image(), { groupIds: ['nobody', 'billing', 'billing'] });
    expect(named.groups.map((g) => [g.groupId, g.state])).toEqual([
      ['billing', 'Stable'],
      ['nobody', 'Dead'],
    ]);
    expect(() => describeGroups(image(), { groupIds: 'billing' as never })).toThrow(/groupIds must be a list/);
  });

  it('decodes a consumer assignment, and says null for bytes that are not one', () => {
    expect(consumerAssignment(assignment({ orders: [0, 2], events: [] }))).toEqual([
      { topic: 'orders', partitions: [0, 2] },
      { topic: 'events', partitions: [] },
    ]);
    expect(consumerAssignment(new Uint8Array(0))).toEqual([]);
    expect(consumerAssignment(Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff]))).toBeNull();
  });
});

describe('consumer-groups', () => {
  const answer = (request: { groupIds?: readonly string[] | null }): DescribeGroupsResponse => describeGroups(image(), request);

  it('--list: every group and its state', async () => {
    const f = installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', '--list', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(['GROUP    STATE', 'audit    Empty', 'billing  Stable', ''].join('\n'));
    expect(f.calls.map((c) => [c.method, c.request])).toEqual([['describeGroups', {}]]);
  });

  it('--describe --group: each committed offset and assigned partition with the member it is assigned to', async () => {
    const f = installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', '--describe', '--group', 'billing', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'GROUP    TOPIC   PARTITION  CURRENT-OFFSET  CONSUMER-ID  HOST       CLIENT-ID',
        'billing  orders  0          -               m-1          /10.0.0.1  app',
        'billing  orders  1          42              m-1          /10.0.0.1  app',
        'billing  orders  2          -               m-2          /10.0.0.2  app',
        '',
      ].join('\n'),
    );
    expect(f.calls.map((c) => c.request)).toEqual([{ groupIds: ['billing'] }]);
  });

  it('--describe of a group that does not exist: the others printed, it named on stderr, exit 1', async () => {
    installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', '--describe', '--group', 'nobody', '--group', 'billing', '--state', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(['GROUP    STATE   GENERATION  PROTOCOL-TYPE  ASSIGNMENT-STRATEGY  #MEMBERS  LEADER', 'billing  Stable  4           consumer       range                2         m-1', ''].join('\n'));
    expect(r.stderr).toBe("error: consumer group 'nobody' does not exist\nerror: 1 of 2 groups do not exist: nobody\n");
    const alone = await runCli('consumer-groups', '--describe', '--group', 'nobody', ...CONTROLLER);
    expect([alone.exitCode, alone.stdout]).toEqual([1, '']);
  });

  it('--describe --json of a group that does not exist: the answer on stdout (state Dead), {error, exitCode} on stderr, exit 1', async () => {
    installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', '--describe', '--group', 'nobody', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect((JSON.parse(r.stdout) as { groups: { groupId: string; state: string }[] }).groups.map((g) => [g.groupId, g.state])).toEqual([['nobody', 'Dead']]);
    expect(JSON.parse(r.stderr)).toEqual({ error: '1 of 1 groups do not exist: nobody', exitCode: 1 });
  });

  it('--describe --all-groups --members and --state', async () => {
    installFake({ describeGroups: answer });
    const members = await runCli('consumer-groups', '--describe', '--all-groups', '--members', ...CONTROLLER);
    expect(members.stdout).toBe(
      [
        "Consumer group 'audit' has no stored members (state Empty).",
        '',
        'GROUP    CONSUMER-ID  GROUP-INSTANCE-ID  HOST       CLIENT-ID  #PARTITIONS  ASSIGNMENT',
        'billing  m-1          worker-1           /10.0.0.1  app        2            orders(0,1)',
        'billing  m-2          -                  /10.0.0.2  app        1            orders(2)',
        '',
      ].join('\n'),
    );
    const state = await runCli('consumer-groups', '--describe', '--group', 'billing', '--state', ...CONTROLLER);
    expect(state.stdout).toBe(['GROUP    STATE   GENERATION  PROTOCOL-TYPE  ASSIGNMENT-STRATEGY  #MEMBERS  LEADER', 'billing  Stable  4           consumer       range                2         m-1', ''].join('\n'));
  });

  it('--json: the answer with each assignment decoded', async () => {
    installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', '--describe', '--group', 'billing', '--json', ...CONTROLLER);
    const json = JSON.parse(r.stdout) as { groups: { members: { memberId: string; assignment: unknown }[] }[] };
    expect(json.groups[0]!.members.map((m) => [m.memberId, m.assignment])).toEqual([
      ['m-1', [{ topic: 'orders', partitions: [0, 1] }]],
      ['m-2', [{ topic: 'orders', partitions: [2] }]],
    ]);
  });

  it.each([
    [['--list', '--describe'], /exactly one of --list, --describe, --reset-offsets, --delete and --delete-offsets/],
    [[], /exactly one of --list, --describe, --reset-offsets, --delete and --delete-offsets/],
    [['--delete', '--all-groups'], /--delete needs --group <id> \(repeatable\); --all-groups is not taken/],
    [['--reset-offsets', '--group', 'g', '--to-offset', '1'], /exactly one of --topic <topic\[:partitions\]> \(repeatable\) and --all-topics/],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--all-topics', '--to-offset', '1'], /exactly one of --topic <topic\[:partitions\]> \(repeatable\) and --all-topics/],
    [['--delete', '--group', 'g', '--topic', 'orders'], /--topic cannot be used with --delete \(to delete one topic's offsets, use --delete-offsets\)/],
    [['--delete-offsets', '--group', 'g'], /--delete-offsets needs --topic/],
    [['--delete-offsets', '--group', 'g', '--group', 'h', '--topic', 'orders'], /--delete-offsets takes exactly one --group/],
    [['--delete-offsets', '--all-groups', '--topic', 'orders'], /--delete-offsets takes exactly one --group/],
    [['--delete-offsets', '--group', 'g', '--all-topics'], /--all-topics cannot be used with --delete-offsets/],
    [['--delete-offsets', '--delete', '--group', 'g', '--topic', 'orders'], /give exactly one of --list, --describe, --reset-offsets, --delete and --delete-offsets/],
    [['--list', '--execute'], /--execute cannot be used with --list/],
    [['--describe', '--group', 'g', '--to-offset', '3'], /--to-offset cannot be used with --describe/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-offset', '9007199254740992'], /--to-offset takes an integer in 0\.\.2\^53-1/],
    [['--describe'], /--group <id> \(repeatable\) or --all-groups/],
    [['--describe', '--group', 'g', '--all-groups'], /--group <id> \(repeatable\) or --all-groups/],
    [['--list', '--group', 'g'], /--group and --all-groups go with --describe/],
    [['--describe', '--all-groups', '--members', '--state'], /choose one of --members, --state and --offsets/],
  ])('usage error (exit 2): %j', async (args, message) => {
    installFake({ describeGroups: answer });
    const r = await runCli('consumer-groups', ...args, ...CONTROLLER);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('consumer-groups --reset-offsets and --delete', () => {
  const handlers = () => ({
    describeGroups: (request: { groupIds?: readonly string[] | null }) => describeGroups(image(), request),
    describeTopics: (request: { names?: readonly string[] }) => describeTopics(image(), request),
    commitOffsets: (request: { topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[] }) => ({
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, errorMessage: null })) })),
    }),
    deleteGroups: (request: { groupIds: readonly string[] }) => ({ results: request.groupIds.map((groupId) => ({ groupId, errorCode: 0, errorMessage: null })) }),
  });

  it('without --execute: the plan for every partition of the topic, a dry-run note, nothing written', async () => {
    const f = installFake(handlers());
    const r = await runCli('consumer-groups', '--reset-offsets', '--group', 'audit', '--topic', 'orders', '--to-offset', '10', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(['GROUP  TOPIC   PARTITION  NEW-OFFSET', 'audit  orders  0          10', 'audit  orders  1          10', 'audit  orders  2          10', ''].join('\n'));
    expect(r.stderr).toBe('dry run: nothing written; add --execute to commit these offsets\n');
    expect(f.calls.map((c) => c.method)).toEqual(['describeGroups', 'describeTopics']);
  });

  it('--execute writes them as an admin commit (no coordinator claim); --shift-by counts from the committed offset, not below 0; a partition without one is left out and named', async () => {
    const f = installFake(handlers());
    const r = await runCli('consumer-groups', '--reset-offsets', '--group', 'audit', '--topic', 'orders:0,2', '--shift-by', '-5', '--execute', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(['GROUP  TOPIC   PARTITION  NEW-OFFSET', 'audit  orders  0          0', 'audit: orders-2 left out: no committed offset to shift', ''].join('\n'));
    expect(f.calls.find((c) => c.method === 'commitOffsets')?.request).toEqual({
      groupId: 'audit',
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
  });

  it('a group with stored members is refused with Kafka\'s words, nothing written, exit 1; --to-latest and a missing spec are usage errors', async () => {
    const f = installFake(handlers());
    const r = await runCli('consumer-groups', '--reset-offsets', '--group', 'billing', '--all-topics', '--to-earliest', '--execute', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ executed: true, groups: [], refused: [{ groupId: 'billing', reason: expect.stringMatching(/^Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable/) as unknown }] });
    expect(f.calls.map((c) => c.method)).not.toContain('commitOffsets');
    // Under --json, stderr is JSON objects only.
    expect(r.stderr.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { error: expect.stringMatching(/^Assignments can only be reset if the group 'billing' is inactive/) as unknown },
      { error: '1 group(s) not reset: billing', exitCode: 1 },
    ]);
    const latest = await runCli('consumer-groups', '--reset-offsets', '--group', 'audit', '--all-topics', '--to-latest', ...CONTROLLER);
    expect([latest.exitCode, latest.stderr]).toEqual([2, expect.stringMatching(/--to-latest needs each partition's log end offset/)]);
    const none = await runCli('consumer-groups', '--reset-offsets', '--group', 'audit', '--all-topics', ...CONTROLLER);
    expect([none.exitCode, none.stderr]).toEqual([2, expect.stringMatching(/needs exactly one of --to-offset, --shift-by, --to-earliest, --to-current/)]);
    const badPartition = await runCli('consumer-groups', '--reset-offsets', '--group', 'audit', '--topic', 'orders:5', '--to-offset', '1', ...CONTROLLER);
    expect([badPartition.exitCode, badPartition.stderr]).toEqual([2, expect.stringMatching(/orders has no partition 5 \(it has 3\)/)]);
  });

  it('--delete: an inactive group is deleted; one with stored members is refused NON_EMPTY_GROUP and not sent; exit 1', async () => {
    const f = installFake(handlers());
    const r = await runCli('consumer-groups', '--delete', '--group', 'audit', '--group', 'billing', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(
      [
        "Deletion of requested consumer groups ('audit') was successful.",
        'Deletion of some consumer groups failed:',
        "* Group 'billing' could not be deleted due to: NON_EMPTY_GROUP: the group has 2 member(s) stored at generation 4",
        '',
      ].join('\n'),
    );
    expect(f.calls.find((c) => c.method === 'deleteGroups')?.request).toEqual({ groupIds: ['audit'] });
  });
});

describe('consumer-groups --delete-offsets', () => {
  /** The real controller operation on these records (billing's stored members' subscriptions do not parse: every topic counts as subscribed). */
  const handlers = (h = new OpHarness(records())) => ({
    describeTopics: (request: { names?: readonly string[] }) => describeTopics(h.image, request),
    deleteOffsets: (request: DeleteOffsetsRequest) => h.apply(deleteOffsets(h.ctx(), request)),
  });

  it("a topic's every partition: the one with an offset deleted, all Successful, exit 0", async () => {
    const h = new OpHarness(records());
    const f = installFake(handlers(h));
    const r = await runCli('consumer-groups', '--delete-offsets', '--group', 'audit', '--topic', 'orders', ...CONTROLLER);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(["Request succeeded for deleting offsets of group 'audit'.", 'TOPIC   PARTITION  STATUS', 'orders  0          Successful', 'orders  1          Successful', 'orders  2          Successful', ''].join('\n'));
    expect(f.calls.find((c) => c.method === 'deleteOffsets')?.request).toEqual({ groupId: 'audit', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }] });
    expect(h.image.groupOffsets('audit')?.size ?? 0).toBe(0);
  });

  it('a group with stored members keeps its subscribed topics\' offsets (GROUP_SUBSCRIBED_TO_TOPIC per partition), exit 1; --json answers per partition', async () => {
    const h = new OpHarness(records());
    installFake(handlers(h));
    const r = await runCli('consumer-groups', '--delete-offsets', '--group', 'billing', '--topic', 'orders:1,9', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      groupId: 'billing',
      error: null,
      partitions: [
        { topic: 'orders', partition: 1, error: expect.stringMatching(/^GROUP_SUBSCRIBED_TO_TOPIC: /) as unknown },
        { topic: 'orders', partition: 9, error: expect.stringMatching(/^UNKNOWN_TOPIC_OR_PARTITION: /) as unknown },
      ],
    });
    expect(h.image.committedOffset('billing', 'orders', 1)?.offset).toBe(42);
  });

  it('an unknown group is refused whole (GROUP_ID_NOT_FOUND), exit 1; an unknown bare topic is a usage error', async () => {
    installFake(handlers());
    const r = await runCli('consumer-groups', '--delete-offsets', '--group', 'nobody', '--topic', 'orders:0', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^Offsets of group 'nobody' were not deleted: GROUP_ID_NOT_FOUND: /);
    const missing = await runCli('consumer-groups', '--delete-offsets', '--group', 'audit', '--topic', 'nope', ...CONTROLLER);
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringMatching(/--topic nope: no such topic/)]);
  });
});

describe('planReset', () => {
  it('a shift past 2^53-1 leaves the partition out, saying why (it was computed inexactly); below 0 it is 0', () => {
    const g = { ...describeGroups(image(), { groupIds: ['audit'] }).groups[0]!, offsets: [{ topic: 'orders', partition: 0, offset: Number.MAX_SAFE_INTEGER, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 }] };
    const up = planReset(g as never, { kind: 'shift-by', delta: 2 }, { topics: [], allTopics: true }, () => undefined);
    expect(up.partitions).toEqual([]);
    expect(up.skipped).toEqual([{ topic: 'orders', partition: 0, reason: `${Number.MAX_SAFE_INTEGER} shifted by 2 is past the largest offset, 2^53-1` }]);
    const down = planReset(g as never, { kind: 'shift-by', delta: -Number.MAX_SAFE_INTEGER }, { topics: [], allTopics: true }, () => undefined);
    expect(down.partitions).toEqual([{ topic: 'orders', partition: 0, offset: 0 }]);
  });
});
