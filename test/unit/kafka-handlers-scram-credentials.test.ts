// DescribeUserScramCredentials (api 50, v0) at a broker (broker/kafka/handlers/scram-credentials.ts):
// answered from the broker's own image through the controller's describeUserScramCredentials
// (Kafka's ScramImage.describe), nothing forwarded. Asking for every user (null or empty list) is
// NONE with every user holding a credential, by name; each named user is answered once, in the
// order first named, with its mechanisms and iteration counts (never salts or keys), or
// RESOURCE_NOT_FOUND; a user named twice is one DUPLICATE_RESOURCE result.

import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleDescribeUserScramCredentials } from '../../broker/kafka/handlers/scram-credentials.js';
import { alterUserScramCredentials, type ScramCredentialUpsertion } from '../../quorum/controller/configs/scram-credentials.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { overTheWire, testbed, type HandlerTestbed } from './kafka-handlers-fixture.js';

const notFound = (user: string) => ({ user, errorCode: 91, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
const duplicate = (user: string) => ({ user, errorCode: 92, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] });
const found = (user: string, ...infos: [number, number][]) => ({ user, errorCode: 0, errorMessage: null, credentialInfos: infos.map(([mechanism, iterations]) => ({ mechanism, iterations })) });

/** An upsertion as Kafka's AdminClient builds it (the password salted on the client). */
function upsertion(name: string, mechanism: number, iterations = 4096, password = `pw-${name}`): ScramCredentialUpsertion {
  const salt = Buffer.from(`salt-of-${name}`);
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
