// `metaquorum configs describe|alter --entity-type users|clients|ips` against a fake connector that
// runs the real controller operation (alterClientQuotas) and the real describeClientQuotas over one
// image: kafka-configs' entity syntax (names paired with types by position, users with clients,
// --entity-default), the requests it makes, kafka-configs' output lines, --json, and the exit codes:
// 2 for usage errors (nothing sent), 1 for a controller's refusal.

import { describe, expect, it } from 'vitest';
import { alterClientQuotas, describeClientQuotas, type AlterClientQuotasRequest, type DescribeClientQuotasRequest } from '../../quorum/controller/configs/client-quotas.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { describeUserScramCredentials } from '../../quorum/controller/configs/scram-credentials.js';
import type { DescribeConfigsRequest } from '../../quorum/controller/configs/describe-configs.js';
import { javaDoubleText, quotaEntityText } from '../../tools/cli/configs-quotas.js';
import { BROKER_1_REGISTERED, CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';

function cluster(level?: number) {
  const h = new OpHarness(level === undefined ? undefined : [mvRecord(level)]);
  const fake = installFake({
    alterClientQuotas: (r) => h.apply(alterClientQuotas(h.ctx(), r)),
    describeClientQuotas: (r) => describeClientQuotas(h.image, r),
    // describe of users asks for their SCRAM credentials too (cli-admin-configs-scram.test.ts)
    describeUserScramCredentials: (r) => describeUserScramCredentials(h.image, r),
  });
  return { h, fake };
}

const configs = (...args: string[]) => runCli('configs', ...args, ...CONTROLLER);

/** The quotas the image holds, one "entity: k=v,..." string each, in canonical order. */
function held(h: OpHarness): string[] {
  const r = describeClientQuotas(h.image, { components: [], strict: false });
  return r.entries.map((e) => `${quotaEntityText(e.entity)}: ${e.values.map((v) => `${v.key}=${v.value}`).join(',')}`);
}

/** `configs describe` with these flags is a usage error: exit 2, the message on stderr, no connection made. */
async function expectUsageError(flags: readonly string[], message: RegExp): Promise<void> {
  const { fake } = cluster();
  const r = await configs('describe', ...flags);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(fake.connects).toEqual([]);
}

/** Sets a few quotas through the CLI: user alice, the default user, alice with client etl, client etl, the default ip. */
async function seeded() {
  const c = cluster();
  for (const args of [
    ['--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'producer_byte_rate=1048576,request_percentage=50'],
    ['--entity-type', 'users', '--entity-default', '--add-config', 'consumer_byte_rate=20000000'],
    ['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'producer_byte_rate=2048'],
    ['--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'request_percentage=12.5'],
    ['--entity-type', 'ips', '--entity-default', '--add-config', 'connection_creation_rate=10'],
  ]) {
    const r = await configs('alter', ...args);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  }
  c.fake.calls.length = 0;
  return c;
}

describe('configs alter: quotas', () => {
  it('a user: --add-config values as numbers, one AlterClientQuotas entry; kafka-configs\' line', async () => {
    const { h, fake } = cluster();
    const r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'producer_byte_rate=1048576,request_percentage=50');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('Completed updating config for user alice.\n');
    expect(fake.calls.map((c) => [c.method, c.request])).toEqual([
      [
        'alterClientQuotas',
        {
          entries: [{ entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }, { key: 'request_percentage', value: 50, remove: false }] }],
          validateOnly: false,
        },
      ],
    ]);
    expect(held(h)).toEqual(["user-principal 'alice': producer_byte_rate=1048576,request_percentage=50"]);
  });

  it('users with clients, in either order: one entity of both (user first); each name pairs with the type at its position, --entity-default among them', async () => {
    const { h, fake } = cluster();
    let r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'consumer_byte_rate=1000');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("Completed updating config for user-principal 'alice', client-id 'etl'.\n");
    r = await configs('alter', '--entity-type', 'clients', '--entity-name', 'etl', '--entity-type', 'users', '--entity-default', '--add-config', 'consumer_byte_rate=2000');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("Completed updating config for the default user-principal, client-id 'etl'.\n");
    // Types first, then names: still by position (the first name is the user's).
    r = await configs('alter', '--entity-type', 'users', '--entity-type', 'clients', '--entity-default', '--entity-name', 'batch', '--add-config', 'consumer_byte_rate=3000');
    expect(r.exitCode).toBe(0);
    const entities = fake.calls.map((c) => (c.request as AlterClientQuotasRequest).entries[0]!.entity);
    expect(entities).toEqual([
      [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }],
      [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'etl' }],
      [{ entityType: 'user', entityName: null }, { entityType: 'client-id', entityName: 'batch' }],
    ]);
    expect(held(h)).toEqual([
      "the default user-principal, client-id 'batch': consumer_byte_rate=3000",
      "the default user-principal, client-id 'etl': consumer_byte_rate=2000",
      "user-principal 'alice', client-id 'etl': consumer_byte_rate=1000",
    ]);
  });

  it('defaults and ips: kafka-configs\' "default config ... in the cluster" line; an IPv6 address', async () => {
    const { h } = cluster();
    const lines: string[] = [];
    for (const args of [
      ['--entity-type', 'users', '--entity-default', '--add-config', 'producer_byte_rate=100'],
      ['--entity-type', 'clients', '--entity-default', '--add-config', 'producer_byte_rate=100'],
      ['--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'producer_byte_rate=100'],
      ['--entity-type', 'ips', '--entity-default', '--add-config', 'connection_creation_rate=5'],
      ['--entity-type', 'ips', '--entity-name', '::1', '--add-config', 'connection_creation_rate=7'],
    ]) {
      const r = await configs('alter', ...args);
      expect(r.exitCode, r.stderr).toBe(0);
      lines.push(r.stdout);
    }
    expect(lines).toEqual([
      'Completed updating default config for users in the cluster.\n',
      'Completed updating default config for clients in the cluster.\n',
      'Completed updating config for client etl.\n',
      'Completed updating default config for ips in the cluster.\n',
      'Completed updating config for ip ::1.\n',
    ]);
    expect(held(h)).toContain("ip '::1': connection_creation_rate=7");
  });

  it('--delete-config removes a key the entity holds; a key it does not hold is refused, exit 1, nothing altered', async () => {
    const { h, fake } = await seeded();
    let r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--delete-config', 'request_percentage');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('Completed updating config for user alice.\n');
    expect(fake.calls.map((c) => c.method)).toEqual(['describeClientQuotas', 'alterClientQuotas']);
    expect((fake.calls[0]!.request as DescribeClientQuotasRequest)).toEqual({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true });
    expect((fake.calls[1]!.request as AlterClientQuotasRequest).entries[0]!.ops).toEqual([{ key: 'request_percentage', value: 0, remove: true }]);
    expect(held(h)).toContain("user-principal 'alice': producer_byte_rate=1048576");
    fake.calls.length = 0;
    const before = held(h);
    r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--delete-config', 'producer_byte_rate,request_percentage');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      "error: cannot alter quotas of user-principal 'alice': --delete-config request_percentage: not set on user-principal 'alice', nothing to delete (nothing was changed)\n" +
        "error: could not alter quotas of 1 of 1 entities: user-principal 'alice'\n",
    );
    expect(fake.calls.map((c) => c.method)).toEqual(['describeClientQuotas']);
    expect(held(h)).toEqual(before);
  });

  it("a controller's refusal prints with the entity, exit 1: an unknown key (with the closest one), an ip key on a user, a fraction for a byte rate", async () => {
    const { h } = cluster();
    let r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'producer_byte_rat=5');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: cannot alter quotas of user-principal 'alice': INVALID_REQUEST: Invalid configuration key producer_byte_rat; did you mean "producer_byte_rate"?\n` +
        "error: could not alter quotas of 1 of 1 entities: user-principal 'alice'\n",
    );
    r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'connection_creation_rate=5');
    expect(r.stderr.split('\n')[0]).toBe("error: cannot alter quotas of user-principal 'alice': INVALID_REQUEST: Invalid configuration key connection_creation_rate; connection_creation_rate is a quota of ips");
    r = await configs('alter', '--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'producer_byte_rate=1.5');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("error: cannot alter quotas of client-id 'etl': INVALID_REQUEST: Configuration producer_byte_rate must be a Long value");
    expect(held(h)).toEqual([]);
  });

  it('below metadata.version 1.0-IV5: UNSUPPORTED_VERSION with the upgrade to run, exit 1', async () => {
    const { h } = cluster(5);
    const r = await configs('alter', '--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'producer_byte_rate=1');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("error: cannot alter quotas of user-principal 'alice': UNSUPPORTED_VERSION: Client quotas need metadata.version 1.0-IV5 or later (metaquorum features upgrade).");
    expect(h.image.clientQuotaCount).toBe(0);
  });

  it('through a broker (--bootstrap-server): the same requests (the broker forwards the alter)', async () => {
    const { h, fake } = cluster();
    const r = await runCli('configs', 'alter', '--entity-type', 'ips', '--entity-name', '10.0.0.7', '--add-config', 'connection_creation_rate=3', '--bootstrap-server', 'b1:9092');
    expect(r.exitCode).toBe(0);
    expect(fake.connects.map((c) => c.targets)).toEqual([[{ kind: 'server', host: 'b1', port: 9092 }]]);
    expect(held(h)).toEqual(["ip '10.0.0.7': connection_creation_rate=3"]);
    const d = await runCli('configs', 'describe', '--entity-type', 'ips', '--bootstrap-server', 'b1:9092');
    expect(d.stdout).toBe("Quota configs for ip '10.0.0.7' are connection_creation_rate=3.0\n");
  });

  it.each([
    ['ips with users', ['--entity-type', 'ips', '--entity-name', '10.0.0.1', '--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1'], /only users and clients may be given together .*got ips, users/],
    ['topics with users', ['--entity-type', 'topics', '--entity-type', 'users', '--entity-name', 't', '--add-config', 'a=1'], /only users and clients may be given together/],
    ['a type twice', ['--entity-type', 'users', '--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1'], /users is given twice/],
    ['an unknown type', ['--entity-type', 'groups', '--entity-name', 'a', '--add-config', 'x=1'], /--entity-type.*expected one of topics, brokers, users, clients, ips/],
    ['a user without a name', ['--entity-type', 'users', '--add-config', 'producer_byte_rate=1'], /give --entity-name or --entity-default for every --entity-type/],
    ['users and clients with one name', ['--entity-type', 'users', '--entity-name', 'a', '--entity-type', 'clients', '--add-config', 'producer_byte_rate=1'], /give --entity-name or --entity-default for every --entity-type/],
    ['more names than types', ['--entity-type', 'users', '--entity-name', 'a', '--entity-default', '--add-config', 'producer_byte_rate=1'], /more --entity-name\/--entity-default \(2\) than --entity-type \(1\)/],
    ['an empty name', ['--entity-type', 'users', '--entity-name', '', '--add-config', 'producer_byte_rate=1'], /an empty user name \(the default of every user is --entity-default\)/],
    ['an ip that is no IP address', ['--entity-type', 'ips', '--entity-name', 'host.example', '--add-config', 'connection_creation_rate=1'], /"host.example" is not an IP address/],
    ['a value that is not a number', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1MB'], /cannot parse quota configuration value for producer_byte_rate: "1MB" is not a number/],
    ['NaN', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'request_percentage=NaN'], /"NaN" is not a number/],
    ['a value past a double', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1e999'], /"1e999" is not a number/],
    ['a hex value', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=0x10'], /"0x10" is not a number/],
    ['an empty value', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate='], /"" is not a number/],
    ['neither --add-config nor --delete-config', ['--entity-type', 'users', '--entity-name', 'a'], /give --add-config and\/or --delete-config/],
    ['a key added and deleted', ['--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1', '--delete-config', 'producer_byte_rate'], /both added and deleted/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    const { fake } = cluster();
    const r = await configs('alter', ...flags);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.connects).toEqual([]);
  });
});

describe('configs describe: quotas', () => {
  it("a user by name: kafka-configs' line, values as Java prints doubles; the request is EXACT, strict", async () => {
    const { fake } = await seeded();
    const r = await configs('describe', '--entity-type', 'users', '--entity-name', 'alice');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0, request_percentage=50.0\n");
    // Then the user's SCRAM credentials, as kafka-configs asks (it has none).
    expect(fake.calls.map((c) => [c.method, c.request])).toEqual([
      ['describeClientQuotas', { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true }],
      ['describeUserScramCredentials', { users: [{ name: 'alice' }] }],
    ]);
  });

  it('--entity-type users alone: every user-only entity, the default first (not a user with a client id: strict, as kafka-configs)', async () => {
    const { fake } = await seeded();
    const r = await configs('describe', '--entity-type', 'users');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'Quota configs for the default user-principal are consumer_byte_rate=2.0E7',
      "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0, request_percentage=50.0",
      '',
    ]);
    expect(fake.calls[0]!.request).toEqual({ components: [{ entityType: 'user', matchType: 2, match: null }], strict: true });
  });

  it('users with clients; a default; clients; ips: each entity worded as kafka-configs words it', async () => {
    await seeded();
    const out = async (...args: string[]) => {
      const r = await configs('describe', ...args);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(await out('--entity-type', 'users', '--entity-type', 'clients')).toBe("Quota configs for user-principal 'alice', client-id 'etl' are producer_byte_rate=2048.0\n");
    expect(await out('--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients')).toBe("Quota configs for user-principal 'alice', client-id 'etl' are producer_byte_rate=2048.0\n");
    expect(await out('--entity-type', 'users', '--entity-default')).toBe('Quota configs for the default user-principal are consumer_byte_rate=2.0E7\n');
    expect(await out('--entity-type', 'clients')).toBe("Quota configs for client-id 'etl' are request_percentage=12.5\n");
    expect(await out('--entity-type', 'ips')).toBe('Quota configs for the default ip are connection_creation_rate=10.0\n');
  });

  it('--json: one object, entities as parts (null for a default), quotas as numbers (and users\' SCRAM credentials, none here)', async () => {
    await seeded();
    const r = await configs('describe', '--entity-type', 'users', '--json');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      entries: [
        { entity: [{ entityType: 'user', entityName: null }], quotas: { consumer_byte_rate: 20_000_000 } },
        { entity: [{ entityType: 'user', entityName: 'alice' }], quotas: { producer_byte_rate: 1_048_576, request_percentage: 50 } },
      ],
      scramCredentials: [],
    });
  });

  it('an entity with no quotas: nothing on stdout (as kafka-configs), a note on stderr, exit 0; --json: no entries', async () => {
    await seeded();
    const r = await configs('describe', '--entity-type', 'users', '--entity-name', 'bob');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("no quota configs for user-principal 'bob'\n");
    const j = await configs('describe', '--entity-type', 'users', '--entity-name', 'bob', '--entity-type', 'clients', '--json');
    expect(j.exitCode).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ entries: [] });
    expect(JSON.parse(j.stderr)).toEqual({ note: "no quota configs for user-principal 'bob', any client-id" });
  });

  it("a node's refusal of the filter is an error, exit 1 (text and --json)", async () => {
    installFake({ describeClientQuotas: () => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Entity type user cannot appear more than once in the filter.', entries: [] }) });
    const r = await configs('describe', '--entity-type', 'users', '--entity-name', 'alice');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: cannot describe quotas of user-principal 'alice': INVALID_REQUEST: Entity type user cannot appear more than once in the filter.\n");
    const j = await configs('describe', '--entity-type', 'users', '--entity-name', 'alice', '--json');
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stderr)).toEqual({ error: "cannot describe quotas of user-principal 'alice': INVALID_REQUEST: Entity type user cannot appear more than once in the filter.", exitCode: 1 });
  });

  it.each([
    ['ips with clients', ['--entity-type', 'ips', '--entity-type', 'clients'], /only users and clients may be given together/],
    ['--all with users', ['--entity-type', 'users', '--all'], /--all: applies to topics and brokers/],
    ['--entity-default of topics', ['--entity-type', 'topics', '--entity-default'], /topics have no default entity/],
    ['an ip that is no IP address', ['--entity-type', 'ips', '--entity-name', '10.0.0'], /not an IP address/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    await expectUsageError(flags, message);
  });

  it('brokers take --entity-default for the cluster default, as kafka-configs does', async () => {
    const f = installFake({ describeConfigs: (req: DescribeConfigsRequest) => ({ results: req.resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) }) });
    const r = await configs('describe', '--entity-type', 'brokers', '--entity-default');
    expect(r.exitCode).toBe(0);
    expect((f.calls[0]!.request as DescribeConfigsRequest).resources).toEqual([{ resourceType: 'broker', resourceName: '', configurationKeys: null }]);
  });

  it('--help explains the quota options with an example (describe and alter)', async () => {
    const d = await runCli('configs', 'describe', '--help');
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toContain('--entity-default');
    expect(d.stdout).toContain('--entity-type users --entity-name alice --entity-type clients --entity-name etl');
    expect(d.stdout).toContain('not a user\'s quotas for a client id');
    expect(d.stdout).toContain('metaquorum configs describe --entity-type users --bootstrap-controller localhost:9093');
    const a = await runCli('configs', 'alter', '--help');
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toContain("--add-config 'producer_byte_rate=1048576,request_percentage=50'");
    expect(a.stdout).toContain('connection_creation_rate');
    expect(a.stdout).toContain("Brokers enforce an ip's\nconnection_creation_rate on their Kafka listeners");
    expect(a.stdout).toContain('the user and client\nquotas are not enforced');
  });
});

describe('quota values as kafka-configs prints them (Java Double.toString)', () => {
  it.each([
    [1048576, '1048576.0'],
    [50, '50.0'],
    [12.5, '12.5'],
    [0, '0.0'],
    [0.001, '0.001'],
    [0.0005, '5.0E-4'],
    [9_999_999, '9999999.0'],
    [10_000_000, '1.0E7'],
    [12_345_678_901, '1.2345678901E10'],
    [9.223372036854776e18, '9.223372036854776E18'],
  ])('%d -> %s', (value, text) => {
    expect(javaDoubleText(value)).toBe(text);
  });
});

describe("kafka-configs' shorthand flags (--topic, --broker, --user, --client, --ip and their -defaults)", () => {
  /** The requests one command line sends, against a fresh fake that answers configs and quotas. */
  async function requestsOf(command: 'describe' | 'alter', ...args: string[]) {
    const h = new OpHarness();
    const fake = installFake({
      alterClientQuotas: (r) => h.apply(alterClientQuotas(h.ctx(), r)),
      describeClientQuotas: (r) => describeClientQuotas(h.image, r),
      describeUserScramCredentials: (r) => describeUserScramCredentials(h.image, r),
      describeConfigs: (req: DescribeConfigsRequest) => ({ results: req.resources.map((r) => ({ errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })) }),
      describeCluster: () => BROKER_1_REGISTERED,
    });
    const r = await configs(command, ...args);
    return { exitCode: r.exitCode, stderr: r.stderr, calls: fake.calls.map((c) => [c.method, c.request]) };
  }

  it.each([
    [['--topic', 'orders'], ['--entity-type', 'topics', '--entity-name', 'orders']],
    [['--broker', '1'], ['--entity-type', 'brokers', '--entity-name', '1']],
    [['--broker-defaults'], ['--entity-type', 'brokers', '--entity-default']],
    [['--user', 'alice'], ['--entity-type', 'users', '--entity-name', 'alice']],
    [['--user-defaults'], ['--entity-type', 'users', '--entity-default']],
    [['--client', 'etl'], ['--entity-type', 'clients', '--entity-name', 'etl']],
    [['--client-defaults'], ['--entity-type', 'clients', '--entity-default']],
    [['--ip', '10.0.0.7'], ['--entity-type', 'ips', '--entity-name', '10.0.0.7']],
    [['--ip-defaults'], ['--entity-type', 'ips', '--entity-default']],
    // kafka-configs' order: named shorthands client before user, then the defaults.
    [['--user', 'alice', '--client', 'etl'], ['--entity-type', 'clients', '--entity-name', 'etl', '--entity-type', 'users', '--entity-name', 'alice']],
    [['--client-defaults', '--user', 'alice'], ['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-default']],
    [['--entity-type', 'users', '--entity-name', 'alice', '--client-defaults'], ['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-default']],
    [['--entity-type', 'clients', '--entity-name', 'etl', '--user-defaults'], ['--entity-type', 'clients', '--entity-name', 'etl', '--entity-type', 'users', '--entity-default']],
  ])('describe %j sends what %j sends', async (short, long) => {
    const a = await requestsOf('describe', ...short);
    const b = await requestsOf('describe', ...long);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.calls.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('a shorthand pairs with its own type even when an --entity-type before it has no name (kafka-configs would shift the name onto it)', async () => {
    const r = await requestsOf('describe', '--entity-type', 'clients', '--user-defaults');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      [
        'describeClientQuotas',
        {
          components: [
            { entityType: 'client-id', matchType: 2, match: null },
            { entityType: 'user', matchType: 1, match: null },
          ],
          strict: true,
        },
      ],
    ]);
  });

  it('alter: --user with --client sets the quota of that user for that client id; --ip-defaults the default ip', async () => {
    const { h, fake } = cluster();
    let r = await configs('alter', '--client', 'etl', '--user', 'alice', '--add-config', 'producer_byte_rate=4096');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("Completed updating config for user-principal 'alice', client-id 'etl'.\n");
    r = await configs('alter', '--ip-defaults', '--add-config', 'connection_creation_rate=3');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fake.calls.map((c) => (c.request as AlterClientQuotasRequest).entries[0]!.entity)).toEqual([
      [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }],
      [{ entityType: 'ip', entityName: null }],
    ]);
    expect(held(h)).toEqual(["user-principal 'alice', client-id 'etl': producer_byte_rate=4096", 'the default ip: connection_creation_rate=3']);
  });

  it.each([
    ['a type named by --entity-type and a shorthand', ['--entity-type', 'users', '--entity-name', 'bob', '--user', 'alice'], /users is named twice \(--user /],
    ['a name and a default of one type', ['--user', 'alice', '--user-defaults'], /users is named twice/],
    ['no entity at all', [], /name an entity: --entity-type .* or one of --topic, --broker, --user/],
    ['a name beyond the --entity-type list beside a shorthand', ['--entity-type', 'users', '--entity-name', 'a', '--entity-name', 'b', '--client', 'c'], /more --entity-name\/--entity-default \(2\) than --entity-type \(1\)/],
    ['ips with a user', ['--ip', '10.0.0.1', '--user', 'alice'], /only users and clients may be given together/],
    ['--topic with --broker', ['--topic', 't', '--broker', '1'], /only users and clients may be given together/],
    ['--ip that is no IP address', ['--ip', 'example.com'], /not an IP address/],
    ['--broker that is no broker id', ['--broker', 'b1'], /brokers are named by id/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    await expectUsageError(flags, message);
  });

  it('--help lists every shorthand', async () => {
    for (const command of ['describe', 'alter']) {
      const h = await runCli('configs', command, '--help');
      for (const flag of ['--topic <name>', '--broker <id>', '--broker-defaults', '--user <name>', '--user-defaults', '--client <id>', '--client-defaults', '--ip <address>', '--ip-defaults']) {
        expect(h.stdout).toContain(flag);
      }
    }
  });
});
