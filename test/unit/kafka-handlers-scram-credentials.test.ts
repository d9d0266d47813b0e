// DescribeUserScramCredentials (api 50, v0) at a broker (broker/kafka/handlers/scram-credentials.ts):
// metaquorum stores no SCRAM credentials, so no user has one. Asking for every user (null or empty
// list) is NONE with no results; each named user is RESOURCE_NOT_FOUND once, in the order first
// named; a user named twice is one DUPLICATE_RESOURCE result. Nothing is forwarded.

import { describe, expect, it } from 'vitest';
import { handleDescribeUserScramCredentials } from '../../broker/kafka/handlers/scram-credentials.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { overTheWire, testbed } from './kafka-handlers-fixture.js';

const notFound = (user: string) => ({ user, errorCode: 91, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] });
const duplicate = (user: string) => ({ user, errorCode: 92, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] });

describe('DescribeUserScramCredentials', () => {
  it('the error codes are Kafka\'s', () => {
    expect([ErrorCode.RESOURCE_NOT_FOUND, ErrorCode.DUPLICATE_RESOURCE]).toEqual([91, 92]);
  });

  it.each([
    ['null', null],
    ['empty', []],
  ] as const)('every user (%s list): NONE at the top and no results, since no user has a credential, over the wire', async (_name, users) => {
    const t = testbed();
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users: users === null ? null : [...users] }, handleDescribeUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
    expect(t.controller.calls).toEqual([]);
  });

  it('each named user: RESOURCE_NOT_FOUND with Kafka\'s message, in the order named, over the wire', async () => {
    const t = testbed();
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users: [{ name: 'bob' }, { name: 'alice' }, { name: 'Ünïcode user' }] }, handleDescribeUserScramCredentials, t.ctx);
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [notFound('bob'), notFound('alice'), notFound('Ünïcode user')] });
    expect(t.controller.calls).toEqual([]);
  });

  it('a user named twice (or more): one DUPLICATE_RESOURCE result for it; the others are still answered', async () => {
    const t = testbed();
    const users = ['alice', 'bob', 'alice', 'carol', 'alice'].map((name) => ({ name }));
    const r = await overTheWire('DescribeUserScramCredentials', 0, { users }, handleDescribeUserScramCredentials, t.ctx);
    expect(r.errorCode).toBe(0);
    expect(r.results).toEqual([duplicate('alice'), notFound('bob'), notFound('carol')]);
  });

  it('an empty user name is answered as any other name (Kafka\'s KRaft answer)', async () => {
    const r = await handleDescribeUserScramCredentials(testbed().ctx, { users: [{ name: '' }] }, 0);
    expect(r.results).toEqual([notFound('')]);
  });
});
