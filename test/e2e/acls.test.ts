// ACLs end to end, on real processes (1 controller + 1 broker, split mode) with the authorizer on
// (authorizer.class.name = StandardAuthorizer, allow.everyone.if.no.acl.found = false; no super
// user on the broker, User:ANONYMOUS on the PLAINTEXT controller listener): an unmodified kafkajs
// 2.2.4 client (User:ANONYMOUS on a plaintext listener) is refused until `metaquorum acls --add`
// grants it, through the controller's internal RPC; removing the grant refuses the client again.
// The broker's internal RPC obeys the same ACLs. Then kafkajs's own createAcls, describeAcls and
// deleteAcls round-trip through the broker, and `acls --list` sees what kafkajs wrote.

import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { connectedAdmin } from '../support/kafkajs.js';
import { askNode } from '../../tools/admin/admin-client.js';

const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** What a kafkajs call failed with (its error type, e.g. TOPIC_AUTHORIZATION_FAILED), or 'ok'. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    const err = e as { type?: string; errors?: { type?: string }[]; message?: string };
    return err.type ?? err.errors?.[0]?.type ?? err.message ?? String(e);
  }
}

describe.sequential('ACLs through kafkajs and the CLI, with the authorizer on', () => {
  let t: TestCluster;
  let admin: Admin;
  let controller: string;

  const acls = async (...args: string[]) => {
    const r = await runCli(['acls', ...args, '--bootstrap-controller', controller]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    t = await startTestCluster({
      controllers: 1,
      brokers: 1,
      combined: false,
      properties: { 'authorizer.class.name': STANDARD_AUTHORIZER, 'allow.everyone.if.no.acl.found': 'false' },
      // The controller listener is PLAINTEXT here: the broker and the CLI reach it as
      // User:ANONYMOUS, which must then be a super user there (config refuses it otherwise).
      controllerProperties: { 'super.users': 'User:ANONYMOUS' },
    });
    controller = t.cluster.bootstrapControllers();
    // No retries: a refusal must come back as the refusal, not as a timeout after retrying it.
    admin = await connectedAdmin('acl-e2e', t.cluster.bootstrapServers(), 0);
  }, 90_000);

  afterAll(async () => {
    await admin?.disconnect();
    await t?.dispose();
  }, 60_000);

  it('an anonymous client without ACLs is refused; an ACL added with the CLI lets it in; removed, it is refused again', async () => {
    expect(await outcome(() => admin.createTopics({ topics: [{ topic: 'acl-a' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await outcome(() => admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, permissionType: AclPermissionTypes.ANY, operation: AclOperationTypes.ANY }))).toBe(
      'CLUSTER_AUTHORIZATION_FAILED',
    );

    await acls('--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Create', '--operation', 'Describe', '--operation', 'Alter', '--cluster');
    await acls('--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', '*');
    // The grant commits on the controller; the broker applies it within moments.
    await until('the broker applies the grant', 10_000, async () => ((await outcome(() => admin.createTopics({ topics: [{ topic: 'acl-a' }] }))) === 'ok' ? true : undefined));
    expect((await admin.listTopics()).includes('acl-a')).toBe(true);
    // Describe on topics does not give Delete.
    expect(await outcome(() => admin.deleteTopics({ topics: ['acl-a'] }))).toBe('TOPIC_AUTHORIZATION_FAILED');

    await acls('--remove', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Create', '--cluster');
    // Probed with validateOnly: a probe made before the broker has the removal must not create the
    // topic (CI once saw acl-b created by such a probe, and the check below failed).
    await until('the broker applies the removal', 10_000, async () =>
      (await outcome(() => admin.createTopics({ validateOnly: true, topics: [{ topic: 'acl-b' }] }))) === 'TOPIC_AUTHORIZATION_FAILED' ? true : undefined,
    );
    expect(await outcome(() => admin.createTopics({ topics: [{ topic: 'acl-b' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect((await admin.listTopics()).includes('acl-b')).toBe(false);
  }, 60_000);

  it("the broker's internal RPC obeys the same ACLs (the grants above: DESCRIBE and ALTER on the cluster, DESCRIBE on topics)", async () => {
    const [host, port] = t.cluster.bootstrapServers().split(':');
    const broker = { host: host!, port: Number(port) };
    const rpc = async (method: 'createTopics' | 'deleteTopics' | 'describeQuorum' | 'createAcls', request: object) => {
      try {
        await askNode(broker, method, request as never, { timeoutMs: 10_000 });
        return 'ok';
      } catch (e) {
        return (e as { errorName?: string; message: string }).errorName + ': ' + (e as Error).message;
      }
    };
    // CREATE on the cluster was removed above: refused, naming the topic, never forwarded.
    expect(await rpc('createTopics', { topics: [{ name: 'acl-rpc', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false })).toBe(
      "TOPIC_AUTHORIZATION_FAILED: User:ANONYMOUS (from 127.0.0.1) may not createTopics: it needs CREATE on topic 'acl-rpc' (an ACL, or super.users)",
    );
    expect(await rpc('deleteTopics', { topics: [{ name: 'acl-a', topicId: null }] })).toMatch(/^TOPIC_AUTHORIZATION_FAILED: .* needs DELETE on topic 'acl-a'/);
    // DESCRIBE and ALTER on the cluster were granted: forwarded and answered.
    expect(await rpc('describeQuorum', {})).toBe('ok');
    const dave = { resourceType: 'TOPIC', resourceName: 'acl-a', patternType: 'LITERAL', principal: 'User:dave', host: '*', operation: 'READ', permissionType: 'ALLOW' };
    expect(await rpc('createAcls', { creations: [dave] })).toBe('ok');
    expect(await acls('--list', '--topic', 'acl-a')).toContain('User:dave');
    expect((await runCli(['topics', 'list', '--bootstrap-server', t.cluster.bootstrapServers()])).stdout).toContain('acl-a');
  }, 60_000);

  it('kafkajs createAcls, describeAcls and deleteAcls round-trip through the broker, and the CLI sees the same ACLs', async () => {
    const bob = { resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-a', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*' };
    await admin.createAcls({
      acl: [
        { ...bob, operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { ...bob, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY },
      ],
    });
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'acl-a',
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:bob',
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    expect(described.resources).toHaveLength(1);
    expect(described.resources[0]!.acls.map((a) => [a.operation, a.permissionType]).sort()).toEqual([
      [AclOperationTypes.READ, AclPermissionTypes.ALLOW],
      [AclOperationTypes.WRITE, AclPermissionTypes.DENY],
    ]);
    const listed = JSON.parse(await acls('--list', '--topic', 'acl-a', '--json')) as { acls: { principal: string; operation: string; permissionType: string }[] };
    expect(listed.acls.filter((a) => a.principal === 'User:bob').map((a) => `${a.operation}/${a.permissionType}`).sort()).toEqual(['READ/ALLOW', 'WRITE/DENY']);

    const deleted = await admin.deleteAcls({ filters: [{ ...bob, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.DENY }] });
    expect(deleted.filterResponses[0]!.matchingAcls.map((a) => a.operation)).toEqual([AclOperationTypes.WRITE]);
    const after = JSON.parse(await acls('--list', '--topic', 'acl-a', '--json')) as { acls: { principal: string; operation: string }[] };
    expect(after.acls.filter((a) => a.principal === 'User:bob').map((a) => a.operation)).toEqual(['READ']);
  }, 60_000);
});
