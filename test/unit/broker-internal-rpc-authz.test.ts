// With an authorizer, a broker's internal RPC (the msgpack protocol `metaquorum` commands speak on
// the same client listener as Kafka clients) is checked against the ACLs, as the controller's is
// (rules: rpc-authorization.test.ts; a caught-up broker: e2e/acls.test.ts). Here, on a broker that
// never catches up: a caller who is not a super user is not judged on a stale image (which could
// miss a DENY) and nothing is forwarded; describeNode is open; a super user, and everyone without
// an authorizer, is passed on.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizerConfig } from '../../quorum/controller/acls/authorizer.js';
import { askNode } from '../../tools/admin/admin-client.js';
import { startLoneBroker } from '../support/lone-broker.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(authorizer: AuthorizerConfig | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'mq-broker-rpc-authz-'));
  const b = await startLoneBroker(dir, { readCatchUpWaitMs: 200, ...(authorizer === undefined ? {} : { authorizer }) });
  cleanups.push(async () => {
    await b.halt();
    await rm(dir, { recursive: true, force: true });
  });
  return { host: '127.0.0.1', port: b.addresses().get('PLAINTEXT')!.port };
}

async function outcome(target: { host: string; port: number }, method: 'createAcls' | 'describeNode', request: object) {
  try {
    return { answer: await askNode(target, method, request as never, { timeoutMs: 2_000 }) };
  } catch (e) {
    return { error: e as { code?: number | string; message: string } };
  }
}

const grant = { creations: [{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation: 'ALL', permissionType: 'ALLOW' }] };

describe("a broker's internal RPC with the authorizer on", () => {
  it('does not judge an anonymous peer before the ACLs are caught up (BROKER_NOT_AVAILABLE, nothing forwarded); describeNode is open', async () => {
    const target = await broker({ superUsers: new Set(['User:admin']), allowEveryoneIfNoAclFound: false });
    const created = await outcome(target, 'createAcls', grant);
    expect(created.error).toMatchObject({ code: 8 });
    expect(created.error!.message).toMatch(/has not caught up with the metadata log/);
    expect((await outcome(target, 'describeNode', {})).answer).toMatchObject({ nodeId: 2 });
  });

  it('passes a super user on at once, and everyone when no authorizer is configured', async () => {
    for (const target of [await broker({ superUsers: new Set(['User:ANONYMOUS']), allowEveryoneIfNoAclFound: false }), await broker(undefined)]) {
      // Forwarded to a controller that never answers: the caller's own timeout ends the call,
      // where the anonymous caller above was answered BROKER_NOT_AVAILABLE by the broker.
      const created = await outcome(target, 'createAcls', grant);
      expect(created.error).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    }
  });
});
