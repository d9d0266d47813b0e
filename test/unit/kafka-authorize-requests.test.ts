// Authorization of every Kafka API the broker serves (broker/kafka/authorize-requests.ts), through
// dispatchKafkaRequest as a connection calls it: for each API, what a principal without the ACL
// gets (Kafka's error code per item, nothing forwarded), what one with it gets (the handler's
// answer), and the filtered listings. The table covers every served API, checked here against
// api-keys.ts and the guard file's header.

import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccessControlEntryRecord, AclBinding, MetadataRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { StandardAuthorizer } from '../../quorum/controller/acls/authorizer.js';
import { GUARDS } from '../../broker/kafka/authorize-requests.js';
import { dispatchKafkaRequest } from '../../broker/kafka/dispatch.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import { ApiKey, KAFKA_APIS, SUPPORTED_API_VERSIONS, apiKeyName, type DecodedKafkaRequest, type KafkaApiName, type KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { sessionHost } from '../../quorum/net/principal.js';
import { groupOwnedBy, testbed } from './kafka-handlers-fixture.js';

let nextId = 1;
const aclRecord = (over: Partial<AclBinding>): AccessControlEntryRecord => {
  const b = new Uint8Array(16);
  b[15] = nextId++;
  return {
    type: 'AccessControlEntry',
    id: uuidFromBytes(b),
    resourceType: 'TOPIC', resourceName: 't1', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'DESCRIBE', permissionType: 'ALLOW',
    ...over,
  };
};
const ALICE = 'User:alice';

function bed(acls: Partial<AclBinding>[], options: { superUsers?: string[]; authorizer?: boolean; autoCreate?: boolean; extra?: MetadataRecord[] } = {}) {
  const tb = testbed({ records: [...acls.map(aclRecord), ...(options.extra ?? [])] });
  const ctx: KafkaContext = {
    ...tb.ctx,
    autoCreateTopicsEnable: options.autoCreate ?? false,
    ...(options.authorizer === false ? {} : { authorizer: new StandardAuthorizer({ superUsers: new Set(options.superUsers ?? []), allowEveryoneIfNoAclFound: false }) }),
  };
  async function call<N extends KafkaApiName>(api: N, version: number, request: KafkaApiTypes[N][0], principal = ALICE): Promise<KafkaApiTypes[N][1]> {
    const decoded = { kind: 'request', api, header: { apiKey: ApiKey[api], apiVersion: version, correlationId: 1, clientId: 'test' }, request, items: 0 } as DecodedKafkaRequest;
    return (await dispatchKafkaRequest(ctx, decoded, '/10.0.0.1', principal)) as KafkaApiTypes[N][1];
  }
  return { ...tb, ctx, call };
}

describe('the guard table', () => {
  it('has one guard per served API, named in the header table', () => {
    const served = SUPPORTED_API_VERSIONS.map((r) => apiKeyName(r.apiKey)).sort();
    expect(Object.keys(GUARDS).sort()).toEqual(served);
    expect(Object.keys(KAFKA_APIS).sort()).toEqual(served);
    const header = readFileSync(join(import.meta.dirname, '..', '..', 'broker', 'kafka', 'authorize-requests.ts'), 'utf8').split('\n\nimport')[0]!;
    for (const api of served) expect(header, `${api} has no row in the header table`).toMatch(new RegExp(`\\b${api}\\b`));
  });
});

describe('principal and host', () => {
  it('IPv4-mapped hosts read as IPv4, IPv6 ones in Java\'s uncompressed form', () => {
    expect(sessionHost('/::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(sessionHost('/::1')).toBe('0:0:0:0:0:0:0:1'); // Java's InetAddress.getHostAddress(), what Kafka matches ACL hosts against
  });
});

describe('Metadata', () => {
  it('a full listing leaves out topics the principal may not DESCRIBE; named ones are TOPIC_AUTHORIZATION_FAILED', async () => {
    const { call } = bed([{ resourceName: 't1' }]);
    const all = await call('Metadata', 6, { topics: null, allowAutoTopicCreation: false });
    expect(all.topics.map((t) => t.name)).toEqual(['t1']);
    const named = await call('Metadata', 6, { topics: ['t2', 't1', 'nope'], allowAutoTopicCreation: false });
    expect(named.topics.map((t) => [t.name, t.errorCode])).toEqual([['t2', 29], ['t1', 0], ['nope', 29]]);
    expect(named.brokers.length).toBeGreaterThan(0);
  });

  it('auto-creation needs CREATE on the cluster or the topic: without it the topic is refused and not created', async () => {
    const denied = bed([{ resourceName: 'new' }], { autoCreate: true });
    denied.controller.canned.createTopics = (r) => ({ topics: r.topics.map((t) => ({ name: t.name, topicId: 'x', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: [] })) }) as never;
    expect((await denied.call('Metadata', 6, { topics: ['new'], allowAutoTopicCreation: true })).topics[0]).toMatchObject({ name: 'new', errorCode: 29 });
    expect(denied.controller.methods()).toEqual([]);
    const allowed = bed([{ resourceName: 'new' }, { resourceName: 'new', operation: 'CREATE' }], { autoCreate: true });
    allowed.controller.canned.createTopics = denied.controller.canned.createTopics;
    await allowed.call('Metadata', 6, { topics: ['new'], allowAutoTopicCreation: true });
    expect(allowed.controller.methods()).toEqual(['createTopics']);
  });
});

describe('topic admin: CreateTopics, DeleteTopics, CreatePartitions', () => {
  const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });
  const cannedCreate = (r: { topics: readonly { name: string }[] }) =>
    ({ topics: r.topics.map((t) => ({ name: t.name, topicId: 'x', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: [] })) }) as never;

  it('CreateTopics: CREATE on the topic lets that topic through, the other is TOPIC_AUTHORIZATION_FAILED; CREATE on the cluster lets all', async () => {
    const b = bed([{ resourceName: 'a', operation: 'CREATE' }]);
    b.controller.canned.createTopics = cannedCreate;
    const r = await b.call('CreateTopics', 3, { topics: [topic('a'), topic('b')], timeoutMs: 0, validateOnly: false });
    expect(r.topics.map((t) => [t.name, t.errorCode])).toEqual([['a', 0], ['b', 29]]);
    expect((b.controller.calls[0]!.request as { topics: { name: string }[] }).topics.map((t) => t.name)).toEqual(['a']);

    const none = bed([]);
    expect((await none.call('CreateTopics', 3, { topics: [topic('a')], timeoutMs: 0, validateOnly: false })).topics[0]).toMatchObject({ errorCode: 29, errorMessage: 'Topic authorization failed.' });
    expect(none.controller.methods()).toEqual([]);

    const cluster = bed([{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'CREATE' }]);
    cluster.controller.canned.createTopics = cannedCreate;
    expect((await cluster.call('CreateTopics', 3, { topics: [topic('a'), topic('b')], timeoutMs: 0, validateOnly: false })).topics.map((t) => t.errorCode)).toEqual([0, 0]);
  });

  it('DeleteTopics needs DELETE, CreatePartitions ALTER, per topic', async () => {
    const b = bed([{ resourceName: 't1', operation: 'DELETE' }, { resourceName: 't2', operation: 'ALTER' }]);
    b.controller.canned.deleteTopics = (r) => ({ responses: r.topics.map((t) => ({ name: t.name, topicId: null, errorCode: 0, errorMessage: null })) }) as never;
    b.controller.canned.createPartitions = (r) => ({ results: r.topics.map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })) }) as never;
    expect((await b.call('DeleteTopics', 1, { topicNames: ['t1', 't2'], timeoutMs: 0 })).responses).toEqual([{ name: 't1', errorCode: 0 }, { name: 't2', errorCode: 29 }]);
    const p = await b.call('CreatePartitions', 1, { topics: [{ name: 't1', count: 9, assignments: null }, { name: 't2', count: 9, assignments: null }], timeoutMs: 0, validateOnly: true });
    expect(p.results.map((t) => [t.name, t.errorCode])).toEqual([['t1', 29], ['t2', 0]]);
  });
  it('DeleteTopics checks DESCRIBE before DELETE: a DENY of DESCRIBE stops a deletion an ALLOW of DELETE would let through', async () => {
    const b = bed([{ resourceName: 't1', operation: 'DELETE' }, { resourceName: 't1', operation: 'DESCRIBE', permissionType: 'DENY' }, { resourceName: 't2', operation: 'DELETE' }]);
    b.controller.canned.deleteTopics = (r) => ({ responses: r.topics.map((t) => ({ name: t.name, topicId: null, errorCode: 0, errorMessage: null })) }) as never;
    expect((await b.call('DeleteTopics', 1, { topicNames: ['t1', 't2'], timeoutMs: 0 })).responses).toEqual([{ name: 't1', errorCode: 29 }, { name: 't2', errorCode: 0 }]);
    expect((b.controller.calls[0]!.request as { topics: { name: string }[] }).topics.map((t) => t.name)).toEqual(['t2']);
  });
});

describe('configs', () => {
  it('DescribeConfigs: DESCRIBE_CONFIGS on the topic (implied by ALTER_CONFIGS), on the cluster for a broker; AlterConfigs: ALTER_CONFIGS', async () => {
    const b = bed([{ resourceName: 't1', operation: 'ALTER_CONFIGS' }]);
    const d = await b.call('DescribeConfigs', 2, { resources: [{ resourceType: 2, resourceName: 't1', configurationKeys: null }, { resourceType: 4, resourceName: '1', configurationKeys: null }, { resourceType: 2, resourceName: 't2', configurationKeys: null }], includeSynonyms: false });
    expect(d.results.map((r) => [r.resourceName, r.errorCode])).toEqual([['t1', 0], ['1', 31], ['t2', 29]]);
    expect(d.results[0]!.configs.length).toBeGreaterThan(0);
    const a = await b.call('AlterConfigs', 1, { resources: [{ resourceType: 2, resourceName: 't2', configs: [] }, { resourceType: 4, resourceName: '', configs: [] }], validateOnly: true });
    expect(a.responses.map((r) => r.errorCode)).toEqual([29, 31]);
    expect(b.controller.methods()).toEqual([]);
  });
});

describe('groups', () => {
  it('FindCoordinator and the membership APIs need DESCRIBE / READ on the group: GROUP_AUTHORIZATION_FAILED without', async () => {
    const b = bed([{ resourceType: 'GROUP', resourceName: 'ok', operation: 'READ' }]);
    const g = groupOwnedBy(b.ctx, 1, 'no');
    expect((await b.call('FindCoordinator', 2, { key: g, keyType: 0 })).errorCode).toBe(30);
    expect((await b.call('FindCoordinator', 2, { key: 'tx', keyType: 1 })).errorCode).toBe(53);
    expect((await b.call('FindCoordinator', 2, { key: 'ok', keyType: 0 })).errorCode).toBe(0); // READ implies DESCRIBE
    const join = await b.call('JoinGroup', 5, { groupId: g, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }] });
    expect(join.errorCode).toBe(30);
    expect((await b.call('SyncGroup', 3, { groupId: g, generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] })).errorCode).toBe(30);
    expect((await b.call('Heartbeat', 3, { groupId: g, generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode).toBe(30);
    expect((await b.call('LeaveGroup', 3, { groupId: g, members: [{ memberId: 'm', groupInstanceId: null }] })).errorCode).toBe(30);
    const okJoin = await b.call('JoinGroup', 5, { groupId: 'ok', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }] });
    expect(okJoin.errorCode).not.toBe(30);
  });

  it('OffsetCommit: READ group, then READ topic per topic; OffsetFetch: DESCRIBE group and topic, unauthorized topics left out of "all"', async () => {
    const g0 = groupOwnedBy(testbed().ctx, 1, 'grp');
    const b = bed([{ resourceType: 'GROUP', resourceName: g0, operation: 'READ' }, { resourceName: 't1', operation: 'READ' }]);
    const commit = await b.call('OffsetCommit', 2, {
      groupId: g0, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }, { name: 't2', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    expect(commit.topics.map((t) => [t.name, t.partitions[0]!.errorCode])).toEqual([['t1', 0], ['t2', 29]]);
    const denied = await b.call('OffsetCommit', 2, { groupId: 'other', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(denied.topics[0]!.partitions[0]!.errorCode).toBe(30);

    const fetched = await b.call('OffsetFetch', 3, { groupId: g0, topics: [{ name: 't1', partitionIndexes: [0] }, { name: 't2', partitionIndexes: [0] }] });
    expect(fetched.topics.map((t) => [t.name, t.partitions[0]!.errorCode, t.partitions[0]!.committedOffset])).toEqual([['t1', 0, 5n], ['t2', 29, -1n]]);
    const all = await b.call('OffsetFetch', 3, { groupId: g0, topics: null });
    expect(all.topics.map((t) => t.name)).toEqual(['t1']);
    expect((await b.call('OffsetFetch', 3, { groupId: 'other', topics: null })).errorCode).toBe(30);
    expect((await b.call('OffsetFetch', 1, { groupId: 'other', topics: [{ name: 't1', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.errorCode).toBe(30);
  });

  it('ListGroups: all with DESCRIBE on the cluster, else only describable groups; DescribeGroups and DeleteGroups per group, with the principal\'s own operations', async () => {
    const g0 = groupOwnedBy(testbed().ctx, 1, 'grp');
    const b = bed([{ resourceType: 'GROUP', resourceName: g0, operation: 'READ' }, { resourceName: 't1', operation: 'READ' }], { superUsers: ['User:admin'] });
    const c = (groupId: string) => b.call('OffsetCommit', 2, { groupId, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    await c(g0);
    await b.call('OffsetCommit', 2, { groupId: 'hidden', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [] }, 'User:admin');
    // Both groups live on this coordinator (a member id handed out to each); a super user sees
    // both, so the filtered list below is not empty by accident.
    const hidden = groupOwnedBy(b.ctx, 1, 'hidden');
    const join = (groupId: string, principal?: string) =>
      b.call('JoinGroup', 5, { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(0) }] }, principal);
    await join(g0);
    await join(hidden, 'User:admin');
    const all = await b.call('ListGroups', 2, {}, 'User:admin');
    expect(all.groups.map((g) => g.groupId).sort()).toEqual([g0, hidden].sort());
    const listed = await b.call('ListGroups', 2, {});
    expect(listed.groups.map((g) => g.groupId)).toEqual([g0]);
    const described = await b.call('DescribeGroups', 4, { groupIds: [g0, 'hidden'], includeAuthorizedOperations: true });
    expect(described.groups.map((g) => [g.groupId, g.errorCode])).toEqual([[g0, 0], ['hidden', 30]]);
    expect(described.groups[0]!.authorizedOperations).toBe((1 << 3) | (1 << 8)); // READ, and DESCRIBE it implies; not DELETE
    const deleted = await b.call('DeleteGroups', 1, { groupsNames: [g0] });
    expect(deleted.results).toEqual([{ groupId: g0, errorCode: 30 }]);
    expect(b.controller.methods()).not.toContain('deleteGroups');
  });
});

describe('OffsetDelete', () => {
  it('DELETE on the group (else GROUP_AUTHORIZATION_FAILED at the top, nothing forwarded), then READ per topic (TOPIC_AUTHORIZATION_FAILED per partition)', async () => {
    const g0 = groupOwnedBy(testbed().ctx, 1, 'grp');
    const offset = (topic: string): MetadataRecord => ({ type: 'OffsetCommit', groupId: g0, topic, partition: 0, offset: 4, leaderEpoch: -1, metadata: null, commitTimestampMs: 1 });
    const request = { groupId: g0, topics: [{ name: 't1', partitionIndexes: [0] }, { name: 't2', partitionIndexes: [0] }] };
    const denied = bed([{ resourceType: 'GROUP', resourceName: g0, operation: 'READ' }, { resourceName: 't1', operation: 'READ' }], { extra: [offset('t1')] });
    expect(await denied.call('OffsetDelete', 0, request)).toEqual({ errorCode: 30, throttleTimeMs: 0, topics: [] });
    expect(denied.controller.methods()).toEqual([]);
    const b = bed([{ resourceType: 'GROUP', resourceName: g0, operation: 'DELETE' }, { resourceName: 't1', operation: 'READ' }], { extra: [offset('t1'), offset('t2')] });
    const r = await b.call('OffsetDelete', 0, request);
    expect(r.topics).toEqual([
      { name: 't1', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      { name: 't2', partitions: [{ partitionIndex: 0, errorCode: 29 }] },
    ]);
    expect([...(b.harness.image.groupOffsets(g0)?.keys() ?? [])]).toEqual(['t2\u00000']);
  });
});

describe('client quotas: DescribeClientQuotas, AlterClientQuotas', () => {
  const quota: MetadataRecord = { type: 'ClientQuota', entity: [{ entityType: 'user', entityName: 'bob' }], key: 'producer_byte_rate', value: 1024, remove: false };
  const filter = { components: [{ entityType: 'user', matchType: 0, match: 'bob' }], strict: false };
  const alteration = {
    entries: [
      { entity: [{ entityType: 'user', entityName: 'carol' }], ops: [{ key: 'producer_byte_rate', value: 2048, remove: false }] },
      { entity: [{ entityType: 'ip', entityName: null }], ops: [{ key: 'connection_creation_rate', value: 10, remove: false }] },
    ],
    validateOnly: false,
  };
  const cluster = (operation: AclBinding['operation'], permissionType: AclBinding['permissionType'] = 'ALLOW') => ({ resourceType: 'CLUSTER' as const, resourceName: 'kafka-cluster', operation, permissionType });

  it('DescribeClientQuotas needs DESCRIBE_CONFIGS on the cluster (ALTER_CONFIGS implies it): else CLUSTER_AUTHORIZATION_FAILED at the top, entries null', async () => {
    for (const acls of [[], [cluster('DESCRIBE')], [cluster('ALTER')], [{ resourceName: 't1', operation: 'DESCRIBE_CONFIGS' as const }]]) {
      const b = bed(acls, { extra: [quota] });
      expect(await b.call('DescribeClientQuotas', 1, filter), JSON.stringify(acls)).toEqual({ throttleTimeMs: 0, errorCode: 31, errorMessage: 'Cluster authorization failed.', entries: null });
    }
    for (const acls of [[cluster('DESCRIBE_CONFIGS')], [cluster('ALTER_CONFIGS')]]) {
      const b = bed(acls, { extra: [quota] });
      expect((await b.call('DescribeClientQuotas', 0, filter)).entries, JSON.stringify(acls)).toEqual([{ entity: [{ entityType: 'user', entityName: 'bob' }], values: [{ key: 'producer_byte_rate', value: 1024 }] }]);
    }
    const denied = bed([cluster('ALTER_CONFIGS'), cluster('DESCRIBE_CONFIGS', 'DENY')], { extra: [quota] });
    expect((await denied.call('DescribeClientQuotas', 1, filter)).errorCode).toBe(31);
  });

  it('AlterClientQuotas needs ALTER_CONFIGS on the cluster: else CLUSTER_AUTHORIZATION_FAILED on every entry, nothing forwarded', async () => {
    for (const acls of [[], [cluster('DESCRIBE_CONFIGS')], [cluster('ALTER')]]) {
      const b = bed(acls);
      expect(await b.call('AlterClientQuotas', 1, alteration), JSON.stringify(acls)).toEqual({
        throttleTimeMs: 0,
        entries: alteration.entries.map((e) => ({ errorCode: 31, errorMessage: 'Cluster authorization failed.', entity: e.entity })),
      });
      expect(b.controller.methods()).toEqual([]);
    }
    const b = bed([cluster('ALTER_CONFIGS')]);
    expect((await b.call('AlterClientQuotas', 0, alteration)).entries.map((e) => e.errorCode)).toEqual([0, 0]);
    expect(b.controller.methods()).toEqual(['alterClientQuotas']);
    expect(b.harness.image.clientQuota([{ entityType: 'user', entityName: 'carol' }])?.values.get('producer_byte_rate')).toBe(2048);
  });
});

describe('DescribeUserScramCredentials', () => {
  const cluster = (operation: AclBinding['operation'], permissionType: AclBinding['permissionType'] = 'ALLOW') => ({ resourceType: 'CLUSTER' as const, resourceName: 'kafka-cluster', operation, permissionType });
  const users = { users: [{ name: 'alice' }, { name: 'bob' }] };

  it('needs DESCRIBE on the cluster (ALTER implies it): else CLUSTER_AUTHORIZATION_FAILED at the top, no results', async () => {
    for (const acls of [[], [cluster('DESCRIBE_CONFIGS')], [cluster('DESCRIBE', 'DENY'), cluster('ALTER')], [{ resourceName: 't1', operation: 'DESCRIBE' as const }]]) {
      const b = bed(acls);
      for (const request of [users, { users: null }]) {
        expect(await b.call('DescribeUserScramCredentials', 0, request), JSON.stringify(acls)).toEqual({ throttleTimeMs: 0, errorCode: 31, errorMessage: 'Cluster authorization failed.', results: [] });
      }
    }
    for (const acls of [[cluster('DESCRIBE')], [cluster('ALTER')]]) {
      const b = bed(acls);
      const r = await b.call('DescribeUserScramCredentials', 0, users);
      expect(r.errorCode, JSON.stringify(acls)).toBe(0);
      expect(r.results.map((u) => [u.user, u.errorCode])).toEqual([['alice', 91], ['bob', 91]]);
      expect(b.controller.methods()).toEqual([]);
    }
  });
});

describe('AlterUserScramCredentials', () => {
  const cluster = (operation: AclBinding['operation'], permissionType: AclBinding['permissionType'] = 'ALLOW') => ({ resourceType: 'CLUSTER' as const, resourceName: 'kafka-cluster', operation, permissionType });
  const salt = Buffer.from('salt');
  // carol upserted, bob deleted (he has none: RESOURCE_NOT_FOUND when allowed), carol named again.
  const alteration = {
    deletions: [{ name: 'bob', mechanism: 1 }],
    upsertions: [{ name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: pbkdf2Sync('pw', salt, 4096, 32, 'sha256') }],
  };

  it('needs ALTER on the cluster (ALTER_CONFIGS or DESCRIBE are not it): else CLUSTER_AUTHORIZATION_FAILED for every user named, once each and sorted, nothing forwarded', async () => {
    const twice = { ...alteration, deletions: [...alteration.deletions, { name: 'carol', mechanism: 2 }] };
    for (const acls of [[], [cluster('ALTER_CONFIGS')], [cluster('DESCRIBE')], [cluster('ALTER', 'DENY'), cluster('ALL')], [{ resourceName: 't1', operation: 'ALTER' as const }]]) {
      const b = bed(acls);
      expect(await b.call('AlterUserScramCredentials', 0, twice), JSON.stringify(acls)).toEqual({
        throttleTimeMs: 0,
        results: [
          { user: 'bob', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
          { user: 'carol', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
        ],
      });
      expect(b.controller.methods()).toEqual([]);
      expect([...b.harness.image.scramUsers()]).toEqual([]);
    }
    for (const acls of [[cluster('ALTER')], [cluster('ALL')]]) {
      const b = bed(acls);
      expect((await b.call('AlterUserScramCredentials', 0, alteration)).results.map((r) => [r.user, r.errorCode]), JSON.stringify(acls)).toEqual([['bob', 91], ['carol', 0]]);
      expect(b.controller.methods()).toEqual(['alterUserScramCredentials']);
      expect(b.harness.image.scramUser('carol')?.credentials.get(1)?.iterations).toBe(4096);
    }
  });
});

describe('ListOffsets', () => {
  it('DESCRIBE topic per topic', async () => {
    const b = bed([{ resourceName: 't1' }]);
    const r = await b.call('ListOffsets', 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, timestamp: -1n }] }, { name: 't2', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
    expect(r.topics.map((t) => t.name)).toEqual(['t1', 't2']);
    expect(r.topics[0]!.partitions[0]!.errorCode).not.toBe(29); // the handler's own answer (this broker does not lead it)
    expect(r.topics[1]!.partitions[0]).toEqual({ partitionIndex: 0, errorCode: 29, timestamp: -1n, offset: -1n });
  });
});

describe('cluster APIs: ACLs, reassignments, elections', () => {
  const creation = { resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 3, permissionType: 3 };
  const anyFilter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };

  it('no authorizer: the ACL APIs answer SECURITY_DISABLED and nothing is checked', async () => {
    const b = bed([], { authorizer: false });
    expect((await b.call('DescribeAcls', 1, anyFilter)).errorCode).toBe(54);
    expect((await b.call('CreateAcls', 1, { creations: [creation] })).results[0]!.errorCode).toBe(54);
    expect((await b.call('DeleteAcls', 1, { filters: [anyFilter] })).filterResults[0]!.errorCode).toBe(54);
    expect((await b.call('Metadata', 6, { topics: null, allowAutoTopicCreation: false })).topics.map((t) => t.name)).toEqual(['t1', 't2']);
  });

  it('DescribeAcls needs DESCRIBE on the cluster and groups the ACLs by resource; CreateAcls and DeleteAcls need ALTER', async () => {
    const b = bed([{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'DESCRIBE' }, { principal: 'User:bob', operation: 'READ' }]);
    const d = await b.call('DescribeAcls', 1, { ...anyFilter, resourceTypeFilter: 2 });
    expect(d).toMatchObject({ errorCode: 0, resources: [{ resourceType: 2, resourceName: 't1', patternType: 3 }] });
    expect(d.resources[0]!.acls.map((a) => [a.principal, a.operation])).toEqual([['User:bob', 3]]);
    expect((await b.call('DescribeAcls', 1, anyFilter)).resources.map((r) => [r.resourceType, r.resourceName])).toEqual([[4, 'kafka-cluster'], [2, 't1']]);
    expect((await b.call('DescribeAcls', 1, anyFilter, 'User:bob')).errorCode).toBe(31);
    expect((await b.call('CreateAcls', 1, { creations: [creation] })).results).toEqual([{ errorCode: 31, errorMessage: 'Cluster authorization failed.' }]);
    expect((await b.call('DeleteAcls', 1, { filters: [anyFilter] })).filterResults[0]!.errorCode).toBe(31);
    expect(b.controller.methods()).toEqual([]);
  });

  it('CreateAcls / DeleteAcls with ALTER on the cluster are forwarded (invalid items refused on their own), and answered once the image shows them', async () => {
    const b = bed([{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'ALTER' }]);
    b.controller.canned.createAcls = (r) => {
      b.harness.apply({ records: r.creations.map((c) => aclRecord(c)), response: null } as never);
      return { results: r.creations.map(() => ({ errorCode: 0, errorMessage: null })) };
    };
    const created = await b.call('CreateAcls', 1, { creations: [creation, { ...creation, resourceType: 4, resourceName: 'other' }, { ...creation, operation: 1 }] });
    expect(created.results.map((r) => r.errorCode)).toEqual([0, 42, 42]);
    expect((b.controller.calls[0]!.request as { creations: AclBinding[] }).creations).toEqual([
      { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:bob', host: '*', operation: 'READ', permissionType: 'ALLOW' },
    ]);
    expect([...b.ctx.image().acls()].some((a) => a.resourceName === 'orders')).toBe(true);
    b.controller.canned.deleteAcls = (r) => ({ results: r.filters.map(() => ({ errorCode: 0, errorMessage: null, matchingAcls: [] })) });
    const deleted = await b.call('DeleteAcls', 1, { filters: [{ ...anyFilter, resourceTypeFilter: 2 }, { ...anyFilter, operation: 0 }] });
    expect(deleted.filterResults.map((f) => f.errorCode)).toEqual([0, 42]);
    expect((b.controller.calls[1]!.request as { filters: unknown[] }).filters).toHaveLength(1);
  });

  it('AlterPartitionReassignments and ElectLeaders need ALTER on the cluster, ListPartitionReassignments DESCRIBE; a super user needs no ACL', async () => {
    const b = bed([]);
    const alter = await b.call('AlterPartitionReassignments', 0, { timeoutMs: 1000, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, replicas: [2] }] }] });
    expect(alter).toMatchObject({ errorCode: 31, responses: [{ name: 't1', partitions: [{ partitionIndex: 0, errorCode: 31 }] }] });
    expect((await b.call('ListPartitionReassignments', 0, { timeoutMs: 1000, topics: null })).errorCode).toBe(31);
    const elect = await b.call('ElectLeaders', 1, { electionType: 0, topicPartitions: [{ topic: 't1', partitions: [0, 1] }], timeoutMs: 1000 });
    expect(elect).toMatchObject({ errorCode: 31, replicaElectionResults: [{ topic: 't1', partitionResult: [{ partitionId: 0, errorCode: 31 }, { partitionId: 1, errorCode: 31 }] }] });
    expect(b.controller.methods()).toEqual([]);
    const su = bed([], { superUsers: [ALICE] });
    expect((await su.call('ListPartitionReassignments', 0, { timeoutMs: 1000, topics: null })).errorCode).toBe(0);
    expect((await su.call('Metadata', 6, { topics: null, allowAutoTopicCreation: false })).topics.map((t) => t.name)).toEqual(['t1', 't2']);
  });
});
