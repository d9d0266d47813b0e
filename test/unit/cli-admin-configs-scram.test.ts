// `metaquorum configs describe|alter --entity-type users` for SCRAM credentials against a fake
// connector that runs the real controller operation (alterUserScramCredentials) and the real
// describeUserScramCredentials over one image: kafka-configs' SCRAM-SHA-256=[iterations=N,password=P]
// syntax, the password salted and hashed on the client (checked by recomputing PBKDF2 with the salt
// sent, and by verifying the password against the keys the controller stored), one request for a
// user's credential changes (written all or none), kafka-configs' describe line, --json, and the exit codes: 2 for usage errors
// (nothing sent), 1 for a controller's refusal.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alterClientQuotas, describeClientQuotas, type AlterClientQuotasRequest } from '../../quorum/controller/configs/client-quotas.js';
import {
  alterUserScramCredentials,
  describeUserScramCredentials,
  type AlterUserScramCredentialsRequest,
  type DescribeUserScramCredentialsRequest,
} from '../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { parseScramValue, scramSalt } from '../../tools/cli/configs-scram.js';
import { CONTROLLER, installFake, runCli, type FakeCluster } from './cli-admin-fixture.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';

function cluster(level?: number) {
  const h = new OpHarness(level === undefined ? undefined : [mvRecord(level)]);
  const fake = installFake({
    alterClientQuotas: (r) => h.apply(alterClientQuotas(h.ctx(), r)),
    describeClientQuotas: (r) => describeClientQuotas(h.image, r),
    alterUserScramCredentials: (r) => h.apply(alterUserScramCredentials(h.ctx(), r)),
    describeUserScramCredentials: (r) => describeUserScramCredentials(h.image, r),
  });
  return { h, fake };
}

const configs = (...args: string[]) => runCli('configs', ...args, ...CONTROLLER);
const alterUser = (user: string, ...args: string[]) => configs('alter', '--entity-type', 'users', '--entity-name', user, ...args);

const HASHES = { 1: { name: 'sha256', bytes: 32 }, 2: { name: 'sha512', bytes: 64 } } as const;

/** The alterUserScramCredentials requests sent. */
const scramRequests = (fake: FakeCluster) => fake.calls.filter((c) => c.method === 'alterUserScramCredentials').map((c) => c.request as AlterUserScramCredentialsRequest);

/** Mechanism -> iterations of each user's stored credentials. */
const held = (h: OpHarness) => Object.fromEntries([...h.image.scramUsers()].map((u) => [u.name, Object.fromEntries([...u.credentials].map(([m, c]) => [m, c.iterations]))]));

/**
 * Whether `password` verifies against what the controller stored for the user and mechanism, as a
 * SCRAM server checks a client's proof: Hi() with the stored salt and count gives the client key,
 * whose hash must be StoredKey, and ServerKey must follow from it too (RFC 5802, computed here
 * independently of the controller's code).
 */
function verifies(h: OpHarness, user: string, mechanism: 1 | 2, password: string): boolean {
  const c = h.image.scramUser(user)?.credentials.get(mechanism);
  if (c === undefined) return false;
  const { name, bytes } = HASHES[mechanism];
  const salted = pbkdf2Sync(password, c.salt, c.iterations, bytes, name);
  const clientKey = createHmac(name, salted).update('Client Key').digest();
  const storedOk = createHash(name).update(clientKey).digest().equals(Buffer.from(c.storedKey));
  const serverOk = createHmac(name, salted).update('Server Key').digest().equals(Buffer.from(c.serverKey));
  return storedOk && serverOk;
}

describe('configs alter: SCRAM credentials', () => {
  it("kafka-configs' two-mechanism example: one request for both, the password salted and hashed on the client, the controller's keys verify it", async () => {
    const { h, fake } = cluster();
    const r = await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      "Completed updating the SCRAM credentials of user-principal 'alice': SCRAM-SHA-256 set (iterations=8192), SCRAM-SHA-512 set (iterations=4096).\n" +
        'Completed updating config for user alice.\n',
    );
    expect(fake.calls.map((c) => c.method)).toEqual(['alterUserScramCredentials']);
    const sent = scramRequests(fake);
    expect(sent.map((q) => q.deletions)).toEqual([[]]);
    expect(sent.map((q) => q.upsertions.map((u) => [u.name, u.mechanism, u.iterations]))).toEqual([[['alice', 1, 8192], ['alice', 2, 4096]]]);
    const salts: string[] = [];
    for (const u of sent[0]!.upsertions) {
      // Only these fields travel: no password.
      expect(Object.keys(u).sort()).toEqual(['iterations', 'mechanism', 'name', 'salt', 'saltedPassword']);
      // Kafka's ScramFormatter.secureRandomBytes: a 130-bit number in base 36.
      const salt = Buffer.from(u.salt).toString('utf8');
      expect(salt).toMatch(/^[0-9a-z]{1,26}$/);
      salts.push(salt);
      const { name, bytes } = HASHES[u.mechanism as 1 | 2];
      expect(Buffer.from(u.saltedPassword).equals(pbkdf2Sync('alice-secret', u.salt, u.iterations, bytes, name))).toBe(true);
      expect(Buffer.from(u.saltedPassword).includes(Buffer.from('alice-secret'))).toBe(false);
    }
    expect(salts[0]).not.toBe(salts[1]); // a fresh salt per credential
    expect(held(h)).toEqual({ alice: { 1: 8192, 2: 4096 } });
    expect(verifies(h, 'alice', 1, 'alice-secret')).toBe(true);
    expect(verifies(h, 'alice', 2, 'alice-secret')).toBe(true);
    expect(verifies(h, 'alice', 1, 'alice-secreT')).toBe(false);
  });

  it('the salt: a random 130-bit number in base 36 (as Kafka draws it), a different one each time', () => {
    const salts = Array.from({ length: 200 }, () => scramSalt().toString('utf8'));
    for (const s of salts) {
      expect(s).toMatch(/^[0-9a-z]+$/);
      expect(BigInt([...s].reduce((n, d) => n * 36n + BigInt(parseInt(d, 36)), 0n)) < 2n ** 130n).toBe(true);
    }
    expect(new Set(salts).size).toBe(200);
    // Nearly all are 25 or 26 digits long (36^25 > 2^129): the draw fills 130 bits.
    expect(salts.filter((s) => s.length >= 25).length).toBeGreaterThan(190);
  });

  it('an upsertion replaces the credential (a new salt; the old password no longer verifies); the --user shorthand; a password holding commas and =', async () => {
    const { h, fake } = cluster();
    expect((await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[password=old]')).exitCode).toBe(0);
    const r = await configs('alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=16384,password=n,e=w]');
    expect(r.exitCode, r.stderr).toBe(0);
    const [first, second] = scramRequests(fake).map((q) => q.upsertions[0]!);
    expect(Buffer.from(first!.salt).equals(Buffer.from(second!.salt))).toBe(false);
    expect(held(h)).toEqual({ alice: { 1: 16384 } });
    expect(verifies(h, 'alice', 1, 'n,e=w')).toBe(true);
    expect(verifies(h, 'alice', 1, 'old')).toBe(false);
  });

  it('--delete-config SCRAM-SHA-512 sends a deletion; a user with none left is gone', async () => {
    const { h, fake } = cluster();
    await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[password=a],SCRAM-SHA-512=[password=b]');
    fake.calls.length = 0;
    let r = await alterUser('alice', '--delete-config', 'SCRAM-SHA-512');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("Completed updating the SCRAM credentials of user-principal 'alice': SCRAM-SHA-512 deleted.\nCompleted updating config for user alice.\n");
    expect(fake.calls.map((c) => [c.method, c.request])).toEqual([['alterUserScramCredentials', { deletions: [{ name: 'alice', mechanism: 2 }], upsertions: [] }]]);
    expect(held(h)).toEqual({ alice: { 1: 4096 } });
    expect(verifies(h, 'alice', 1, 'a')).toBe(true);
    r = await alterUser('alice', '--delete-config', 'SCRAM-SHA-256');
    expect(r.exitCode).toBe(0);
    expect(held(h)).toEqual({});
  });

  it('deletions and upsertions of two mechanisms go in one request (as kafka-configs sends them)', async () => {
    const { h, fake } = cluster();
    await alterUser('alice', '--add-config', 'SCRAM-SHA-512=[password=b]');
    fake.calls.length = 0;
    const r = await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[password=a]', '--delete-config', 'SCRAM-SHA-512');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(scramRequests(fake).map((q) => [q.deletions.length, q.upsertions.length])).toEqual([[1, 1]]);
    expect(r.stdout.split('\n')[0]).toBe("Completed updating the SCRAM credentials of user-principal 'alice': SCRAM-SHA-512 deleted, SCRAM-SHA-256 set (iterations=4096).");
    expect(held(h)).toEqual({ alice: { 1: 4096 } });
  });

  it('quota keys with SCRAM keys: the quotas in their own AlterClientQuotas request first, then the credential; each reported', async () => {
    const { h, fake } = cluster();
    const r = await alterUser('bob', '--add-config', 'producer_byte_rate=1024,SCRAM-SHA-256=[password=bob-pw]');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "Completed updating the quotas of user-principal 'bob'.\n" +
        "Completed updating the SCRAM credentials of user-principal 'bob': SCRAM-SHA-256 set (iterations=4096).\n" +
        'Completed updating config for user bob.\n',
    );
    expect(fake.calls.map((c) => c.method)).toEqual(['alterClientQuotas', 'alterUserScramCredentials']);
    expect((fake.calls[0]!.request as AlterClientQuotasRequest).entries).toEqual([{ entity: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] }]);
    expect(verifies(h, 'bob', 1, 'bob-pw')).toBe(true);
    expect(h.image.clientQuotaCount).toBe(1);
  });

  it('quota keys with SCRAM keys: a quota --delete-config of a key not held stops the command before anything changes, exit 1', async () => {
    const { h, fake } = cluster();
    const r = await alterUser('bob', '--add-config', 'SCRAM-SHA-256=[password=bob-pw]', '--delete-config', 'producer_byte_rate');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("error: cannot alter quotas of user-principal 'bob': --delete-config producer_byte_rate: not set on user-principal 'bob', nothing to delete (nothing was changed)");
    expect(fake.calls.map((c) => c.method)).toEqual(['describeClientQuotas']);
    expect(held(h)).toEqual({});
  });

  it("a controller's refusal prints with the user and its reason, exit 1; none of the user's changes is written", async () => {
    const { h } = cluster();
    const r = await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[iterations=20000,password=a],SCRAM-SHA-512=[password=b]');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: cannot alter the SCRAM credentials of user-principal 'alice' (nothing was changed): UNACCEPTABLE_CREDENTIAL: Too many iterations: 20000, at most 16384\n" +
        "error: could not alter 1 of 1 configs of user-principal 'alice': SCRAM credentials\n",
    );
    expect(held(h)).toEqual({});
  });

  it('deleting a credential the user does not hold: RESOURCE_NOT_FOUND, exit 1 (text and --json)', async () => {
    cluster();
    const r = await alterUser('alice', '--delete-config', 'SCRAM-SHA-256');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: cannot alter the SCRAM credentials of user-principal 'alice' (nothing was changed): RESOURCE_NOT_FOUND: Attempt to delete a user credential that does not exist: alice has no SCRAM-SHA-256 credential\n" +
        "error: could not alter 1 of 1 configs of user-principal 'alice': SCRAM credentials\n",
    );
  });

  it('below metadata.version 1.0-IV6: UNSUPPORTED_VERSION with the upgrade to run, exit 1', async () => {
    const { h } = cluster(6);
    const r = await alterUser('alice', '--add-config', 'SCRAM-SHA-256=[password=a]');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      "error: cannot alter the SCRAM credentials of user-principal 'alice' (nothing was changed): UNSUPPORTED_VERSION: SCRAM credentials need metadata.version 1.0-IV6 or later (metaquorum features upgrade).",
    );
    expect(h.image.scramUserCount).toBe(0);
  });

  it('through a broker (--bootstrap-server): the same requests (the broker forwards the alter)', async () => {
    const { h, fake } = cluster();
    const r = await runCli('configs', 'alter', '--user', 'carol', '--add-config', 'SCRAM-SHA-512=[password=c]', '--bootstrap-server', 'b1:9092');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fake.connects.map((c) => c.targets)).toEqual([[{ kind: 'server', host: 'b1', port: 9092 }]]);
    expect(verifies(h, 'carol', 2, 'c')).toBe(true);
  });

  it.each([
    ['an unbalanced bracket in the password', ['SCRAM-SHA-256=[iterations=8192,password=s3cr]t]'], /--add-config: unbalanced '\]' \(the value is not shown: it holds a SCRAM password\)/],
    ['an open bracket in the password', ['SCRAM-SHA-256=[password=s3cr[t'], /unbalanced '\['/],
    ['a trailing comma', ['SCRAM-SHA-256=[password=s3crt],'], /empty entry/],
    ['the key in two --add-config flags', ['SCRAM-SHA-256=[password=s3crt]', '--add-config', 'SCRAM-SHA-256=[password=s3crt]'], /SCRAM-SHA-256 is given twice/],
  ])('a malformed --add-config holding a password never echoes it, exit 2: %s', async (_name, values, message) => {
    const { fake } = cluster();
    const r = await alterUser('alice', '--add-config', ...values);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr + r.stdout).not.toMatch(/s3cr/);
    expect(fake.connects).toEqual([]);
  });

  const A = ['--entity-type', 'users', '--entity-name', 'alice'];
  it.each([
    ['no password', [...A, '--add-config', 'SCRAM-SHA-256=[iterations=8192]'], /--add-config: SCRAM-SHA-256 needs a password: SCRAM-SHA-256=\[iterations=8192,password=<password>\]/],
    ['a bare value', [...A, '--add-config', 'SCRAM-SHA-256=secret'], /SCRAM-SHA-256 needs a password/],
    ['iterations not a number', [...A, '--add-config', 'SCRAM-SHA-256=[iterations=lots,password=p]'], /SCRAM-SHA-256: iterations must be a whole number, got "lots"/],
    ['iterations empty', [...A, '--add-config', 'SCRAM-SHA-256=[iterations=,password=p]'], /iterations must be a whole number, got ""/],
    ['iterations below 4096 (kafka-configs checks it)', [...A, '--add-config', 'SCRAM-SHA-512=[iterations=1000,password=p]'], /SCRAM-SHA-512: iterations 1000 is less than the minimum 4096/],
    ['an unknown key in the brackets', [...A, '--add-config', 'SCRAM-SHA-256=[iteration=8192,password=p]'], /SCRAM-SHA-256: unknown key "iteration" \(a credential takes iterations and password\)/],
    ['iterations twice', [...A, '--add-config', 'SCRAM-SHA-256=[iterations=8192,iterations=4096,password=p]'], /iterations is given twice/],
    ['iterations after the password', [...A, '--add-config', 'SCRAM-SHA-256=[password=p,iterations=8192]'], /the password comes last/],
    ['an empty password', [...A, '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=]'], /SCRAM-SHA-256: the password is empty/],
    ['a mechanism not served', [...A, '--add-config', 'SCRAM-SHA-1=[password=p]'], /SCRAM-SHA-1 is not a SCRAM mechanism served: SCRAM-SHA-256 or SCRAM-SHA-512/],
    ['a mechanism in lower case', [...A, '--delete-config', 'scram-sha-256'], /--delete-config: scram-sha-256 is not a SCRAM mechanism served/],
    ['--entity-default', ['--entity-type', 'users', '--entity-default', '--add-config', 'SCRAM-SHA-256=[password=p]'], /--entity-default \(or --user-defaults\) cannot take SCRAM credentials/],
    ['--user-defaults', ['--user-defaults', '--delete-config', 'SCRAM-SHA-256'], /cannot take SCRAM credentials/],
    ['a user with a client id', [...A, '--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'SCRAM-SHA-256=[password=p]'], /SCRAM credentials belong to a user alone/],
    ['a client id', ['--client', 'etl', '--add-config', 'SCRAM-SHA-256=[password=p]'], /SCRAM credentials belong to a user alone/],
    ['an ip', ['--ip', '10.0.0.1', '--delete-config', 'SCRAM-SHA-256'], /SCRAM credentials belong to a user alone/],
    ['users without a name', ['--entity-type', 'users', '--add-config', 'SCRAM-SHA-256=[password=p]'], /give --entity-name or --entity-default for every --entity-type/],
    ['added and deleted', [...A, '--add-config', 'SCRAM-SHA-256=[password=p]', '--delete-config', 'SCRAM-SHA-256'], /SCRAM-SHA-256 both added and deleted/],
    ['a bad quota value beside a credential', [...A, '--add-config', 'producer_byte_rate=1MB,SCRAM-SHA-256=[password=p]'], /"1MB" is not a number/],
  ])('usage error, exit 2, nothing sent: %s', async (_name, flags, message) => {
    const { fake, h } = cluster();
    const r = await configs('alter', ...flags);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.connects).toEqual([]);
    expect(h.image.scramUserCount).toBe(0);
  });

  it('the value parser: iterations first and optional, the password to the end', () => {
    expect(parseScramValue('SCRAM-SHA-256', 'password=p')).toEqual({ iterations: 4096, password: 'p' });
    expect(parseScramValue('SCRAM-SHA-256', ' iterations = 16384 ,password=a b,c')).toEqual({ iterations: 16384, password: 'a b,c' });
    expect(parseScramValue('SCRAM-SHA-256', 'iterations=4096,password=password=x')).toEqual({ iterations: 4096, password: 'password=x' });
  });
});

describe('configs describe: SCRAM credentials', () => {
  /** alice: both mechanisms and a quota; bob: SCRAM-SHA-512 only; the default user: a quota. */
  async function seeded() {
    const c = cluster();
    for (const args of [
      ['--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'],
      ['--user', 'alice', '--add-config', 'producer_byte_rate=1048576'],
      ['--user', 'bob', '--add-config', 'SCRAM-SHA-512=[iterations=10000,password=bob-secret]'],
      ['--user-defaults', '--add-config', 'consumer_byte_rate=2000'],
      ['--user', 'alice', '--client', 'etl', '--add-config', 'producer_byte_rate=10'],
    ]) {
      const r = await configs('alter', ...args);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    c.fake.calls.length = 0;
    return c;
  }

  it("a user by name: kafka-configs' line after its quota line; DescribeUserScramCredentials names the user", async () => {
    const { fake } = await seeded();
    const r = await configs('describe', '--entity-type', 'users', '--entity-name', 'alice');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0\n" +
        "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    );
    expect(fake.calls.map((c) => [c.method, c.request])).toEqual([
      ['describeClientQuotas', { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true }],
      ['describeUserScramCredentials', { users: [{ name: 'alice' }] } satisfies DescribeUserScramCredentialsRequest],
    ]);
  });

  it('every user (no --entity-name): every user with a credential, users: null', async () => {
    const { fake } = await seeded();
    const r = await configs('describe', '--entity-type', 'users');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'Quota configs for the default user-principal are consumer_byte_rate=2000.0',
      "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0",
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096",
      "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=10000",
      '',
    ]);
    expect(fake.calls[1]).toMatchObject({ method: 'describeUserScramCredentials', request: { users: null } });
  });

  it('a user with credentials and no quotas: the quota note on stderr, the credential line on stdout', async () => {
    await seeded();
    const r = await configs('describe', '--user', 'bob');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=10000\n");
    expect(r.stderr).toBe("no quota configs for user-principal 'bob'\n");
  });

  it('a user named with no credentials: nothing printed for them (RESOURCE_NOT_FOUND only means none), exit 0', async () => {
    await seeded();
    const r = await configs('describe', '--user', 'carol');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("no quota configs for user-principal 'carol'\n");
  });

  it('the default user, users with client ids: no DescribeUserScramCredentials (kafka-configs does not ask either)', async () => {
    const { fake } = await seeded();
    for (const args of [['--user-defaults'], ['--entity-type', 'users', '--entity-default'], ['--entity-type', 'users', '--entity-type', 'clients'], ['--user', 'alice', '--client', 'etl'], ['--client', 'etl']]) {
      const r = await configs('describe', ...args);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('SCRAM');
    }
    expect(fake.calls.map((c) => c.method)).not.toContain('describeUserScramCredentials');
  });

  it('--json: scramCredentials beside the quota entries (mechanism names, iterations); [] for a user without; absent where not asked', async () => {
    await seeded();
    let r = await configs('describe', '--entity-type', 'users', '--json');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      entries: [
        { entity: [{ entityType: 'user', entityName: null }], quotas: { consumer_byte_rate: 2000 } },
        { entity: [{ entityType: 'user', entityName: 'alice' }], quotas: { producer_byte_rate: 1048576 } },
      ],
      scramCredentials: [
        { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
        { user: 'bob', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 10000 }] },
      ],
    });
    r = await configs('describe', '--user', 'carol', '--json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ entries: [], scramCredentials: [] });
    expect(JSON.parse(r.stderr)).toEqual({ note: "no quota configs for user-principal 'carol'" });
    r = await configs('describe', '--user-defaults', '--json');
    expect(JSON.parse(r.stdout)).toEqual({ entries: [{ entity: [{ entityType: 'user', entityName: null }], quotas: { consumer_byte_rate: 2000 } }] });
  });

  it("a node's refusal of the whole describe: the quota lines stay printed, the error after them, exit 1", async () => {
    const h = new OpHarness();
    h.apply(alterClientQuotas(h.ctx(), { entries: [{ entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 5, remove: false }] }], validateOnly: false }));
    installFake({
      describeClientQuotas: (r) => describeClientQuotas(h.image, r),
      describeUserScramCredentials: () => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not allowed', results: [] }),
    });
    const r = await configs('describe', '--user', 'alice');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("Quota configs for user-principal 'alice' are producer_byte_rate=5.0\n");
    expect(r.stderr).toBe("error: cannot describe the SCRAM credentials of user-principal 'alice': CLUSTER_AUTHORIZATION_FAILED: not allowed\n");
  });

  it('a per-user error other than RESOURCE_NOT_FOUND is an error, exit 1', async () => {
    installFake({
      describeClientQuotas: () => ({ errorCode: 0, errorMessage: null, entries: [] }),
      describeUserScramCredentials: () => ({ errorCode: 0, errorMessage: null, results: [{ user: 'alice', errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'twice', credentialInfos: [] }] }),
    });
    const r = await configs('describe', '--user', 'alice');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "no quota configs for user-principal 'alice'\n" +
        "error: cannot describe the SCRAM credentials of user-principal 'alice': DUPLICATE_RESOURCE: twice\n" +
        'error: could not describe the SCRAM credentials of 1 of 1 users: alice\n',
    );
  });
});

describe('configs --help: SCRAM credentials', () => {
  it('describe and alter explain the syntax, that the password is salted and hashed on the client, with an example', async () => {
    const d = await runCli('configs', 'describe', '--help');
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toContain('SCRAM-SHA-256=[iterations=8192,password=<password>]');
    expect(d.stdout).toContain('The password is salted and hashed here, on the client');
    expect(d.stdout).toContain("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096");
    const a = await runCli('configs', 'alter', '--help');
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toContain("--add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'");
    expect(a.stdout).toContain('--delete-config SCRAM-SHA-512');
    expect(a.stdout).toContain('The password is salted and hashed here, on the client');
    expect(a.stdout).toContain('4096 when left out');
    expect(a.stdout).toContain("A user's credential changes go in one request and are written all or none");
    expect(a.stdout).toContain('not --entity-default, not with clients');
  });
});
