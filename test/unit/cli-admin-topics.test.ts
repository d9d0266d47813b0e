// `metaquorum topics ...` against a fake connector: how flags become CreateTopics, DeleteTopics,
// CreatePartitions and DescribeTopics requests, Kafka's describe layout, and per-topic failures.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { CreatableTopicResult, CreateTopicsRequest } from '../../quorum/controller/replication/create-topics.js';
import type { DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';

function created(name: string, numPartitions = 3, replicationFactor = 2): CreatableTopicResult {
  return { name, topicId: ID_A, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions, replicationFactor, configs: [] };
}

function exists(name: string): CreatableTopicResult {
  return { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${name}' already exists.`, numPartitions: -1, replicationFactor: -1, configs: [] };
}

function createFake(answer: (name: string) => CreatableTopicResult = (n) => created(n)) {
  return installFake({ createTopics: (req: CreateTopicsRequest) => ({ topics: req.topics.map((t) => answer(t.name)) }) });
}

const DESCRIBED: DescribeTopicsResponse = {
  metadataOffset: 42,
  topics: [
    {
      name: 'orders',
      topicId: ID_A,
      configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
      partitions: [
        { partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] },
        { partition: 1, leader: -1, leaderEpoch: 2, partitionEpoch: 3, replicas: [2, 3, 4], isr: [4], offlineReplicas: [2, 3] },
      ],
    },
    { name: 'users', topicId: 'AAAAAAAAAAAAAAAAAAAAAg', configs: {}, partitions: [{ partition: 0, leader: 2, leaderEpoch: 0, partitionEpoch: 0, replicas: [2], isr: [2], offlineReplicas: [] }] },
  ],
  unknown: [],
};

describe('topics create', () => {
  it('--partitions, --replication-factor and repeated --config become one CreatableTopic per name', async () => {
    const f = createFake();
    const r = await runCli('topics', 'create', 'a', 'b', '--partitions', '3', '--replication-factor', '2', '--config', 'cleanup.policy=compact,delete', '--config', 'x.y=a=b', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    const configs = [
      { name: 'cleanup.policy', value: 'compact,delete' },
      { name: 'x.y', value: 'a=b' },
    ];
    expect(f.calls.map((c) => [c.method, c.request])).toEqual([
      [
        'createTopics',
        {
          topics: [
            { name: 'a', numPartitions: 3, replicationFactor: 2, configs },
            { name: 'b', numPartitions: 3, replicationFactor: 2, configs },
          ],
          validateOnly: false,
        },
      ],
    ]);
    expect(r.stdout).toBe(`Created topic a (TopicId: ${ID_A}, 3 partition(s), replication factor 2).\nCreated topic b (TopicId: ${ID_A}, 3 partition(s), replication factor 2).\n`);
  });

  it('no counts given: -1 asks for the controller defaults', async () => {
    const f = createFake();
    await runCli('topics', 'create', 't', ...CONTROLLER);
    expect(f.calls[0]?.request).toEqual({ topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, configs: [] }], validateOnly: false });
  });

  it('--replica-assignment "1:2,2:3" becomes assignments with partition indexes, counts -1', async () => {
    const f = createFake();
    const r = await runCli('topics', 'create', 't', '--replica-assignment', '1:2,2:3', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({
      topics: [
        {
          name: 't',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [1, 2] },
            { partitionIndex: 1, brokerIds: [2, 3] },
          ],
          configs: [],
        },
      ],
      validateOnly: false,
    });
  });

  it('--validate-only asks the controller to check only, and says nothing was created', async () => {
    const f = createFake((n) => ({ ...created(n), topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    const r = await runCli('topics', 'create', 't', '--validate-only', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect((f.calls[0]?.request as CreateTopicsRequest).validateOnly).toBe(true);
    expect(r.stdout).toBe('Topic t is valid: 3 partition(s), replication factor 2 (validate only: nothing created).\n');
  });

  it('one topic of two already exists: the other is created, the failure is named, exit 1', async () => {
    createFake((n) => (n === 'b' ? exists(n) : created(n)));
    const r = await runCli('topics', 'create', 'a', 'b', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Created topic a');
    expect(r.stdout).not.toContain('topic b');
    expect(r.stderr).toBe("error: cannot create topic b: TOPIC_ALREADY_EXISTS: Topic 'b' already exists.\nerror: could not create 1 of 2 topics: b\n");
  });

  it('a misspelt --config key: Kafka\'s answer, then the closest topic config key', async () => {
    createFake((n) => ({ ...exists(n), errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: cleanup.polcy' }));
    const r = await runCli('topics', 'create', 'a', '--config', 'cleanup.polcy=compact', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: cannot create topic a: INVALID_CONFIG: Unknown topic config name: cleanup.polcy; did you mean "cleanup.policy"?\nerror: could not create 1 of 1 topics: a\n');
  });

  it('--if-not-exists: an existing topic is not a failure', async () => {
    createFake((n) => (n === 'b' ? exists(n) : created(n)));
    const r = await runCli('topics', 'create', 'a', 'b', '--if-not-exists', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Topic b already exists.\n');
    expect(r.stderr).toBe('');
  });

  it('--if-not-exists does not hide other errors', async () => {
    createFake((n) => ({ ...exists(n), errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Unable to replicate the partition 3 time(s): only 1 broker(s) are usable.' }));
    const r = await runCli('topics', 'create', 'a', '--if-not-exists', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('cannot create topic a: INVALID_REPLICATION_FACTOR: Unable to replicate');
  });

  it.each([
    ['--replication-factor 0', ['--replication-factor', '0'], /--replication-factor must be a positive integer/],
    ['--partitions abc', ['--partitions', 'abc'], /--partitions must be a positive integer/],
    ['--config without =', ['--config', 'retention.ms'], /--config: expected key=value/],
    ['--config with an empty key', ['--config', '=1'], /--config: expected key=value/],
    ['--config key twice', ['--config', 'a=1', '--config', 'a=2'], /--config: a is given twice/],
    ['--replica-assignment with a non-id', ['--replica-assignment', '1:x'], /"x" is not a broker id/],
    ['--replica-assignment with an empty partition', ['--replica-assignment', '1:2,,2:3'], /partition 1 has no replicas/],
    ['--replica-assignment naming a broker twice', ['--replica-assignment', '1:1'], /partition 0 names a broker twice/],
    ['--replica-assignment with --partitions', ['--replica-assignment', '1:2', '--partitions', '1'], /leave out --partitions and --replication-factor/],
    ['a topic named twice', ['u', 't'], /topic "t" named more than once; name each topic once/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    const f = createFake();
    const r = await runCli('topics', 'create', 't', ...flags, ...CONTROLLER);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(f.calls).toEqual([]);
  });
});

describe('topics list', () => {
  it('prints names one per line, or {topics: [...]} with --json', async () => {
    const f = installFake({ describeTopics: () => DESCRIBED });
    const text = await runCli('topics', 'list', ...CONTROLLER);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toBe('orders\nusers\n');
    expect(f.calls[0]?.request).toEqual({});
    const json = await runCli('topics', 'list', '--json', ...CONTROLLER);
    expect(JSON.parse(json.stdout)).toEqual({ topics: ['orders', 'users'] });
  });

  it('no topics: prints nothing', async () => {
    installFake({ describeTopics: () => ({ metadataOffset: 0, topics: [], unknown: [] }) });
    const r = await runCli('topics', 'list', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('topics describe filters', () => {
  const filtered: DescribeTopicsResponse = {
    ...DESCRIBED,
    topics: [
      ...DESCRIBED.topics,
      {
        name: 'moving',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAw',
        configs: {},
        partitions: [
          // Moving from [2, 3, 5] to [4, 5, 2]: 3 in sync of a factor 3 — not under-replicated.
          { partition: 0, leader: 2, leaderEpoch: 1, partitionEpoch: 2, replicas: [4, 5, 2, 3], isr: [2, 3, 5], offlineReplicas: [], addingReplicas: [4], removingReplicas: [3] },
          // Led by a fenced broker: unavailable.
          { partition: 1, leader: 3, leaderEpoch: 1, partitionEpoch: 2, replicas: [3, 4], isr: [3, 4], offlineReplicas: [3] },
        ],
      },
    ],
  };

  it('--under-replicated-partitions and --unavailable-partitions print only the matching partition lines, as Kafka', async () => {
    installFake({ describeTopics: () => filtered });
    const under = await runCli('topics', 'describe', '--under-replicated-partitions', ...CONTROLLER);
    expect(under.stdout).toBe('\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3,4\tIsr: 4\tOffline: 2,3\n');
    const unavailable = await runCli('topics', 'describe', '--unavailable-partitions', ...CONTROLLER);
    expect(unavailable.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t').slice(1, 3).join(' '))).toEqual(['Topic: orders Partition: 1', 'Topic: moving Partition: 1']);
    const json = JSON.parse((await runCli('topics', 'describe', '--under-replicated-partitions', '--json', ...CONTROLLER)).stdout);
    expect(json.topics.map((t: { name: string; partitions: { partition: number }[] }) => [t.name, t.partitions.map((p) => p.partition)])).toEqual([['orders', [1]]]);
  });
});

describe('topics describe', () => {
  it("prints kafka-topics' layout: a topic line with sorted configs, then a line per partition", async () => {
    const f = installFake({ describeTopics: () => DESCRIBED });
    const r = await runCli('topics', 'describe', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({});
    expect(r.stdout.split('\n')).toEqual([
      `Topic: orders\tTopicId: ${ID_A}\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: cleanup.policy=compact,retention.ms=1000`,
      '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tOffline: ',
      '\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3,4\tIsr: 4\tOffline: 2,3',
      'Topic: users\tTopicId: AAAAAAAAAAAAAAAAAAAAAg\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: ',
      '\tTopic: users\tPartition: 0\tLeader: 2\tReplicas: 2\tIsr: 2\tOffline: ',
      '',
    ]);
  });

  it('named topics are asked for by name; unknown ones are reported and exit 1, the known ones still print', async () => {
    const f = installFake({ describeTopics: () => ({ ...DESCRIBED, topics: [DESCRIBED.topics[1]!], unknown: ['nope', 'gone'] }) });
    const r = await runCli('topics', 'describe', 'users', 'nope', 'gone', ...CONTROLLER);
    expect(f.calls[0]?.request).toEqual({ names: ['users', 'nope', 'gone'] });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Topic: users\t');
    expect(r.stderr).toBe('error: unknown topics: nope, gone\n');
  });

  it('--json prints the DescribeTopics answer', async () => {
    installFake({ describeTopics: () => DESCRIBED });
    const r = await runCli('topics', 'describe', 'orders', '--json', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(DESCRIBED);
  });
});

describe('topics delete', () => {
  it('a topic named twice is a usage error (exit 2), nothing sent', async () => {
    const f = installFake({});
    const r = await runCli('topics', 'delete', 'a', 'b', 'a', ...CONTROLLER);
    expect([r.exitCode, r.stderr]).toEqual([2, 'error: topic "a" named more than once; name each topic once\n']);
    expect(f.calls).toEqual([]);
  });

  it('names each topic by name (topicId null) and prints each deletion', async () => {
    const f = installFake({
      deleteTopics: (req) => ({ responses: req.topics.map((t) => ({ name: t.name, topicId: ID_A, errorCode: ErrorCode.NONE, errorMessage: null })) }),
    });
    const r = await runCli('topics', 'delete', 'a', 'b', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({
      topics: [
        { name: 'a', topicId: null },
        { name: 'b', topicId: null },
      ],
    });
    expect(r.stdout).toBe('Deleted topic a.\nDeleted topic b.\n');
  });

  const unknownB = (req: { readonly topics: readonly { readonly name: string | null }[] }) => ({
    responses: req.topics.map((t) =>
      t.name === 'b'
        ? { name: 'b', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic: b.' }
        : { name: t.name, topicId: ID_A, errorCode: ErrorCode.NONE, errorMessage: null },
    ),
  });

  it('an unknown topic is named and exits 1; --if-exists accepts it', async () => {
    installFake({ deleteTopics: unknownB });
    const r = await runCli('topics', 'delete', 'a', 'b', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('Deleted topic a.\n');
    expect(r.stderr).toBe('error: cannot delete topic b: UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic: b.\nerror: could not delete 1 of 2 topics: b\n');
    const lenient = await runCli('topics', 'delete', 'a', 'b', '--if-exists', ...CONTROLLER);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toBe('Deleted topic a.\nTopic b does not exist; nothing to delete.\n');
  });
});

describe('topics add-partitions', () => {
  it('--total is the new partition count (CreatePartitions count), placed by the controller', async () => {
    const f = installFake({ createPartitions: (req) => ({ results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null })) }) });
    const r = await runCli('topics', 'add-partitions', 'orders', '--total', '6', ...CONTROLLER);
    expect(r.exitCode).toBe(0);
    expect(f.calls[0]?.request).toEqual({ topics: [{ name: 'orders', count: 6, assignments: null }], validateOnly: false });
    expect(r.stdout).toBe('Topic orders now has 6 partitions.\n');
  });

  it('a refused count is named with its error and exits 1', async () => {
    installFake({
      createPartitions: (req) => ({ results: req.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 6 partition(s).' })) }),
    });
    const r = await runCli('topics', 'add-partitions', 'orders', '--total', '6', ...CONTROLLER);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: cannot add partitions to topic orders: INVALID_PARTITIONS: Topic already has 6 partition(s).\nerror: could not add partitions to 1 of 1 topics: orders\n');
  });

  it.each([
    ['--total missing', []],
    ['--total 0', ['--total', '0']],
  ])('usage error, exit 2: %s', async (_name, flags) => {
    const f = installFake({});
    const r = await runCli('topics', 'add-partitions', 'orders', ...flags, ...CONTROLLER);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--total/);
    expect(f.connects).toEqual([]);
  });
});
