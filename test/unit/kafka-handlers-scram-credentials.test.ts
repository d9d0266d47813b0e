// DescribeUserScramCredentials (api 50, v0) and AlterUserScramCredentials (api 51, v0) at a broker
// (broker/kafka/handlers/scram-credentials.ts). Describe is answered from the broker's own image through the controller's describeUserScramCredentials
// (Kafka's ScramImage.describe), nothing forwarded. Asking for every user (null or empty list) is
// NONE with every user holding a credential, by name; each named user is answered once, in the
// order first named, with its mechanisms and iteration counts (never salts or keys), or
// RESOURCE_NOT_FOUND; a user named twice is one DUPLICATE_RESOURCE result. Alter is forwarded to
// the active controller (here the fake channel running the controller's own op), answered one
// result per user in the order first named, and waits until the broker's image shows what it wrote.

import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { handleAlterUserScramCredentials, handleDescribeUserScramCredentials } from '../../broker/kafka/handlers/scram-credentials.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { alterUserScramCredentials, scramKeys, type ScramCredentialUpsertion } from '../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { defaultCluster, mvRecord, overTheWire, remoteError, testbed, type HandlerTestbed } from './kafka-handlers-fixture.js';

const notFound = (user: string) => ({ user, errorCode: 91, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
const duplicate = (user: string) => ({ user, errorCode: 92, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] });
const found = (user: string, ...infos: [number, number][]) => ({ user, errorCode: 0, errorMessage: null, credentialInfos: infos.map(([mechanism, iterations]) => ({ mechanism, iterations })) });

/** An upsertion as Kafka's AdminClient builds it (the password salted on the client). */
function upsertion(name: string, mechanism: number, iterations = 4096, password = `pw-${name}`, salt = Buffer.from(`salt-of-${name}`)): ScramCredentialUpsertion & { salt: Buffer; saltedPassword: Buffer } {
  return { name, mechanism, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, mechanism === 2 ? 64 : 32, mechanism === 2 ? 'sha512' : 'sha256') };
}

/** Credentials written through the controller's own operation into the testbed's log. */
function store(t: HandlerTestbed, ...upsertions: ScramCredentialUpsertion[]): void {
  const r = t.harness.apply(alterUserScramCredentials(t.harness.ctx(), { deletions: [], upsertions }));
  expect(r.results.every((x) => x.errorCode === ErrorCode.NONE)).toBe(true);
}

describe('DescribeUserScramCredentials', () => {
  it('the error codes are Kafka\'s', () => {
    expect([ErrorCode.RESOURCE_NOT_FOUND, ErrorCode.DUPLICATE_RESOURCE]).toEqual([91, 92]);
  });

  it.each([
    ['null', null],
    ['empty', []],
  ] as const)('every user (%s list) with no credential stored: NONE at the top and no results, over the wire', async (_name, users) => {
    const t = testbed();
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users: users === null ? null : [...users] }, handleDescribeUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
    expect(t.controller.calls).toEqual([]);
  });

  it.each([
    ['null', null],
    ['empty', []],
  ] as const)('every user (%s list): each user holding a credential, by name, with its mechanisms and iterations, over the wire', async (_name, users) => {
    const t = testbed();
    store(t, upsertion('carol', 2, 8192), upsertion('alice', 1, 4096));
    store(t, upsertion('carol', 1, 10000));
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users: users === null ? null : [...users] }, handleDescribeUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [found('alice', [1, 4096]), found('carol', [1, 10000], [2, 8192])] });
    expect(t.controller.calls).toEqual([]);
  });

  it('each named user: its credentials, or RESOURCE_NOT_FOUND with Kafka\'s message, in the order named, over the wire', async () => {
    const t = testbed();
    store(t, upsertion('alice', 1, 8192), upsertion('Ünïcode user', 2, 16384));
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users: [{ name: 'bob' }, { name: 'alice' }, { name: 'Ünïcode user' }] }, handleDescribeUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [notFound('bob'), found('alice', [1, 8192]), found('Ünïcode user', [2, 16384])] });
    expect(t.controller.calls).toEqual([]);
  });

  it('a user named twice (or more): one DUPLICATE_RESOURCE result for it, even when it has credentials; the others are still answered', async () => {
    const t = testbed();
    store(t, upsertion('alice', 1));
    const users = ['alice', 'bob', 'alice', 'carol', 'alice'].map((name) => ({ name }));
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users }, handleDescribeUserScramCredentials, t.ctx);
    expect(r.errorCode).toBe(0);
    expect(r.results).toEqual([duplicate('alice'), notFound('bob'), notFound('carol')]);
  });

  it('answers from the broker\'s own image: a broker whose image is behind does not see a newer credential yet', async () => {
    const t = testbed();
    t.lagging(true);
    store(t, upsertion('alice', 1));
    const ask = () => handleDescribeUserScramCredentials(t.ctx, { users: [{ name: 'alice' }] }, 0);
    expect((await ask()).results).toEqual([notFound('alice')]);
    t.lagging(false);
    expect((await ask()).results).toEqual([found('alice', [1, 4096])]);
  });

  it('an empty user name is answered as any other name (Kafka\'s KRaft answer)', async () => {
    const r = await handleDescribeUserScramCredentials(testbed().ctx, { users: [{ name: '' }] }, 0);
    expect(r.results).toEqual([notFound('')]);
  });
});

describe('AlterUserScramCredentials', () => {
  const ok = (user: string) => ({ user, errorCode: 0, errorMessage: null });

  it('forwards the deletions and upsertions as sent (salted passwords, never a password) and answers one result per user, over the wire; the credentials are stored', async () => {
    const t = testbed();
    store(t, upsertion('dave', 2, 4096));
    const alice = upsertion('alice', 1, 8192);
    const bob = upsertion('bob', 2, 16384);
    const r = await overTheWire('AlterUserScramCredentials', 0, { deletions: [{ name: 'dave', mechanism: 2 }], upsertions: [alice, bob] }, handleAlterUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, results: [ok('dave'), ok('alice'), ok('bob')] });
    expect(t.controller.calls.map((c) => [c.method, c.timeoutMs])).toEqual([['alterUserScramCredentials', 3_000]]);
    const sent = t.controller.calls[0]!.request as { deletions: unknown[]; upsertions: { salt: Uint8Array; saltedPassword: Uint8Array }[] };
    expect(sent.deletions).toEqual([{ name: 'dave', mechanism: 2 }]);
    expect(sent.upsertions.map((u) => [Buffer.from(u.salt).equals(alice.salt), Buffer.from(u.saltedPassword).equals(alice.saltedPassword)])[0]).toEqual([true, true]);
    // Stored: RFC 5802's keys from the salted password, with the client's salt and iterations.
    const stored = t.harness.image.scramUser('alice')!.credentials.get(1)!;
    const keys = scramKeys(1, alice.saltedPassword);
    expect([stored.iterations, Buffer.from(stored.salt).equals(alice.salt), Buffer.from(stored.storedKey).equals(keys.storedKey), Buffer.from(stored.serverKey).equals(keys.serverKey)]).toEqual([8192, true, true, true]);
    expect(t.harness.image.scramUser('dave')).toBeUndefined();
    const described = await handleDescribeUserScramCredentials(t.ctx, { users: null }, 0);
    expect(described.results).toEqual([found('alice', [1, 8192]), found('bob', [2, 16384])]);
  });

  it('the controller\'s refusals, per user in the order first named: RESOURCE_NOT_FOUND, UNACCEPTABLE_CREDENTIAL (93), UNSUPPORTED_SASL_MECHANISM (33), DUPLICATE_RESOURCE; the others are written', async () => {
    const t = testbed();
    const r = await overTheWire(
      'AlterUserScramCredentials',
      0,
      {
        deletions: [{ name: 'nobody', mechanism: 1 }, { name: 'erin', mechanism: 1 }],
        upsertions: [upsertion('few', 1, 4095), upsertion('many', 2, 16385), upsertion('sha1', 3), upsertion('', 1), upsertion('erin', 1), upsertion('fine', 2), upsertion('gina', 1), upsertion('gina', 1, 5000)],
      },
      handleAlterUserScramCredentials,
      t.ctx,
    );
    expect(r.results.map((x) => [x.user, x.errorCode])).toEqual([
      ['nobody', ErrorCode.RESOURCE_NOT_FOUND],
      ['erin', ErrorCode.RESOURCE_NOT_FOUND], // its deletion's refusal comes first; its upsertion of the same mechanism is not looked at
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['sha1', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['fine', ErrorCode.NONE],
      ['gina', ErrorCode.DUPLICATE_RESOURCE],
    ]);
    expect([ErrorCode.UNSUPPORTED_SASL_MECHANISM, ErrorCode.UNACCEPTABLE_CREDENTIAL]).toEqual([33, 93]);
    expect(r.results.every((x) => (x.errorCode === 0) === (x.errorMessage === null))).toBe(true);
    expect(r.results[2]!.errorMessage).toContain('4095');
    expect([...t.harness.image.scramUsers()].map((u) => u.name)).toEqual(['fine']);
  });

  it('below metadata.version 1.0-IV6 every user is UNSUPPORTED_VERSION (the controller\'s answer)', async () => {
    const t = testbed({ baseRecords: [mvRecord(6), ...defaultCluster().slice(1)] });
    const r = await handleAlterUserScramCredentials(t.ctx, { deletions: [{ name: 'a', mechanism: 1 }], upsertions: [upsertion('b', 1)] }, 0);
    expect(r.results.map((x) => [x.user, x.errorCode])).toEqual([['a', ErrorCode.UNSUPPORTED_VERSION], ['b', ErrorCode.UNSUPPORTED_VERSION]]);
  });

  it('waits until the broker\'s own image shows what it upserted and deleted (read-your-writes), not for refused users', async () => {
    const t = testbed();
    store(t, upsertion('alice', 1, 4096), upsertion('bob', 1));
    const tests: ((image: MetadataImageView) => boolean)[] = [];
    const ctx: KafkaContext = { ...t.ctx, awaitImage: async (test) => (tests.push(test), test(t.ctx.image())) };
    const before = t.harness.image;
    // alice's credential replaced (new salt and iterations), bob's deleted, carol refused.
    const alice = upsertion('alice', 1, 8192, 'new', Buffer.from('new salt'));
    const r = await handleAlterUserScramCredentials(ctx, { deletions: [{ name: 'bob', mechanism: 1 }], upsertions: [alice, upsertion('carol', 1, 100)] }, 0);
    expect(r.results.map((x) => x.errorCode)).toEqual([0, 0, 93]);
    expect(tests).toHaveLength(1);
    expect(tests[0]!(before)).toBe(false);
    expect(tests[0]!(t.harness.image)).toBe(true);
    // Half applied, either half: not shown yet. A same-iterations credential with another salt is not it either.
    const after = t.harness.image;
    t.harness.image = before;
    t.harness.append([{ type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 }]);
    expect(tests[0]!(t.harness.image)).toBe(false);
    t.harness.image = before;
    t.harness.append([{ type: 'UserScramCredential', name: 'alice', mechanism: 1, salt: alice.salt, ...scramKeys(1, alice.saltedPassword), iterations: 8192 }]);
    expect(tests[0]!(t.harness.image)).toBe(false);
    t.harness.append([{ type: 'RemoveUserScramCredential', name: 'bob', mechanism: 1 }, { type: 'UserScramCredential', name: 'alice', mechanism: 1, salt: Buffer.from('old salt'), ...scramKeys(1, alice.saltedPassword), iterations: 8192 }]);
    expect(tests[0]!(t.harness.image)).toBe(false);
    t.harness.image = after;

    tests.length = 0;
    await handleAlterUserScramCredentials(ctx, { deletions: [{ name: 'nobody', mechanism: 2 }], upsertions: [upsertion('carol', 1, 100)] }, 0);
    expect(tests).toEqual([]);
  });

  it('nothing to alter: answered empty, nothing forwarded', async () => {
    const t = testbed();
    expect(await handleAlterUserScramCredentials(t.ctx, { deletions: [], upsertions: [] }, 0)).toEqual({ throttleTimeMs: 0, results: [] });
    expect(t.controller.calls).toEqual([]);
  });

  it('the controller unreachable: NOT_CONTROLLER for every user named, once each and sorted (Kafka\'s getErrorResponse; the AdminClient retries it); a definite refusal keeps its code and message', async () => {
    const t = testbed();
    const request = { deletions: [{ name: 'zed', mechanism: 1 }, { name: 'amy', mechanism: 2 }], upsertions: [upsertion('zed', 2), upsertion('bob', 1)] };
    t.controller.failure = new RequestTimeoutError('alterUserScramCredentials timed out after 3000 ms');
    const r = await handleAlterUserScramCredentials(t.ctx, request, 0);
    expect(r.results.map((x) => [x.user, x.errorCode])).toEqual([['amy', ErrorCode.NOT_CONTROLLER], ['bob', ErrorCode.NOT_CONTROLLER], ['zed', ErrorCode.NOT_CONTROLLER]]);
    expect(r.results[0]!.errorMessage).toContain('did not answer');
    t.controller.failure = remoteError(ErrorCode.POLICY_VIOLATION, 'too many records');
    expect((await handleAlterUserScramCredentials(t.ctx, request, 0)).results.map((x) => [x.user, x.errorCode, x.errorMessage])).toEqual([
      ['amy', ErrorCode.POLICY_VIOLATION, 'too many records'],
      ['bob', ErrorCode.POLICY_VIOLATION, 'too many records'],
      ['zed', ErrorCode.POLICY_VIOLATION, 'too many records'],
    ]);
  });

  it('a user the controller answered nothing for is UNKNOWN_SERVER_ERROR, not dropped', async () => {
    const t = testbed();
    t.controller.canned.alterUserScramCredentials = () => ({ results: [{ user: 'b', errorCode: 0, errorMessage: null }] });
    const r = await handleAlterUserScramCredentials(t.ctx, { deletions: [{ name: 'a', mechanism: 1 }], upsertions: [] }, 0);
    expect(r.results.map((x) => [x.user, x.errorCode])).toEqual([['a', ErrorCode.UNKNOWN_SERVER_ERROR]]);
  });
});
