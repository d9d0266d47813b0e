// With an authorizer, a broker's internal RPC (the msgpack protocol `metaquorum` commands speak on
// the same client listener as Kafka clients) is answered only to super.users, describeNode aside:
// otherwise a Kafka client with no ACL could forward createAcls (or createTopics...) to the
// controller through it and grant itself anything. Without an authorizer nothing changes.

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

async function outcome(target: { host: string; port: number }, method: 'createAcls' | 'describeAcls' | 'describeNode', request: object) {
  try {
    return { answer: await askNode(target, method, request as never, { timeoutMs: 2_000 }) };
  } catch (e) {
    return { error: e as { code?: number; message: string } };
  }
}

const grant = { creations: [{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:ANONYMOUS', host: '*', operation: 'ALL', permissionType: 'ALLOW' }] };

describe("a broker's internal RPC with the authorizer on", () => {
  it('refuses an anonymous peer everything but describeNode (CLUSTER_AUTHORIZATION_FAILED, nothing forwarded)', async () => {
    const target = await broker({ superUsers: new Set(['User:admin']), allowEveryoneIfNoAclFound: false });
    const created = await outcome(target, 'createAcls', grant);
    expect(created.error).toMatchObject({ code: 31 });
    expect(created.error!.message).toMatch(/User:ANONYMOUS may not call createAcls .*super\.users/);
    expect((await outcome(target, 'describeAcls', { filter: { resourceType: 'ANY', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: 'ANY', permissionType: 'ANY' } })).error).toMatchObject({ code: 31 });
    expect((await outcome(target, 'describeNode', {})).answer).toMatchObject({ nodeId: 2 });
  });

  it('answers a super user, and everyone when no authorizer is configured', async () => {
    for (const target of [await broker({ superUsers: new Set(['User:ANONYMOUS']), allowEveryoneIfNoAclFound: false }), await broker(undefined)]) {
      const read = await outcome(target, 'describeAcls', { filter: { resourceType: 'ANY', resourceName: null, patternType: 'ANY', principal: null, host: null, operation: 'ANY', permissionType: 'ANY' } });
      expect(read.error).toMatchObject({ code: 8 }); // passed on: this lone broker never catches up
    }
  });
});
