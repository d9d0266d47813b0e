// The internal RPC's ACL checks (quorum/server/rpc-authorization.ts): what each method needs, as
// Kafka's matching API needs it, on an image holding the ACLs; the refusal's code and text; what a
// listing leaves out; and what Raft traffic needs.

import { describe, expect, it } from 'vitest';
import { imageOf } from '../../metadata-log/delta.js';
import type { AclBinding, AclOperation, MetadataRecord } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { StandardAuthorizer, type Session } from '../../quorum/controller/acls/authorizer.js';
import { describeTopics } from '../../quorum/server/image-reads.js';
import { RpcAuthorization, sessionOf } from '../../quorum/server/rpc-authorization.js';
import type { RpcMethod } from '../../quorum/server/rpc-methods.js';
import type { PeerChannel } from '../../quorum/net/types.js';
import { mvRecord, topicIdOf, topicRecords } from './controller-configs-fixture.js';

const aclId = (n: number) => {
  const b = new Uint8Array(16);
  b[0] = 0xac;
  b[15] = n;
  return uuidFromBytes(b);
};
const alice: Session = { principal: 'User:alice', host: '10.0.0.1' };
const grant = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'ALTER', permissionType: 'ALLOW', ...over,
});
const onTopic = (name: string, operation: AclOperation, over: Partial<AclBinding> = {}) => grant({ resourceType: 'TOPIC', resourceName: name, operation, ...over });

/** An image with topics 'orders' (1) and 'payments' (2) and the ACLs given. */
function imageWith(acls: readonly AclBinding[]) {
  const records: MetadataRecord[] = [mvRecord(), ...topicRecords('orders', 1, 1), ...topicRecords('payments', 2, 1)];
  acls.forEach((a, i) => records.push({ type: 'AccessControlEntry', id: aclId(i + 1), ...a }));
  return imageOf(records);
}

function authz(superUsers: string[] = []) {
  return new RpcAuthorization(new StandardAuthorizer({ superUsers: new Set(superUsers), allowEveryoneIfNoAclFound: false }));
}

/** The refusal alice gets for `method` with `request` under `acls` (null: allowed). */
function refusal(acls: readonly AclBinding[], method: string, request: object = {}) {
  const r = authz().refusal(imageWith(acls), alice, method, request);
  return r === null ? null : { code: r.code, name: r.errorName, message: r.message };
}

describe('internal RPC authorization', () => {
  // Kafka's ControllerApis / KafkaApis rules, method by method: the operation on the cluster each needs.
  const clusterMethods: [RpcMethod, AclOperation][] = [
    ['registerBroker', 'CLUSTER_ACTION'],
    ['brokerHeartbeat', 'CLUSTER_ACTION'],
    ['alterPartition', 'CLUSTER_ACTION'],
    ['allocateProducerIds', 'CLUSTER_ACTION'],
    ['commitOffsets', 'CLUSTER_ACTION'],
    ['fetchOffsets', 'CLUSTER_ACTION'],
    ['deleteGroups', 'CLUSTER_ACTION'],
    ['deleteOffsets', 'CLUSTER_ACTION'],
    ['expireOffsets', 'CLUSTER_ACTION'],
    ['unregisterBroker', 'ALTER'],
    ['updateFeatures', 'ALTER'],
    ['alterPartitionReassignments', 'ALTER'],
    ['electLeaders', 'ALTER'],
    ['createAcls', 'ALTER'],
    ['deleteAcls', 'ALTER'],
    ['importMetadata', 'ALTER'],
    ['describeQuorum', 'DESCRIBE'],
    ['describeAcls', 'DESCRIBE'],
    ['listPartitionReassignments', 'DESCRIBE'],
  ];

  it.each(clusterMethods)('%s needs %s on the cluster: refused without it (CLUSTER_AUTHORIZATION_FAILED), allowed with it', (method, op) => {
    const refused = refusal([], method);
    expect(refused).toMatchObject({ code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED' });
    expect(refused!.message).toBe(`User:alice (from 10.0.0.1) may not ${method}: it needs ${op} on the cluster (an ACL, or super.users)`);
    expect(refusal([grant({ operation: op })], method)).toBeNull();
    expect(refusal([grant({ operation: 'ALL' })], method)).toBeNull();
    // Another principal's grant, or a DENY beside the grant, does not do.
    expect(refusal([grant({ operation: op, principal: 'User:bob' })], method)).not.toBeNull();
    expect(refusal([grant({ operation: op }), grant({ operation: op, permissionType: 'DENY' })], method)).not.toBeNull();
  });

  it('CLUSTER_ACTION is not implied by ALTER, nor DESCRIBE-only methods open to an ALTER-less reader of topics', () => {
    expect(refusal([grant({ operation: 'ALTER' })], 'registerBroker')).not.toBeNull();
    expect(refusal([onTopic('*', 'ALL')], 'describeQuorum')).not.toBeNull();
  });

  it('describeNode, describeFeatures and describeCluster are open to anyone; an unknown method is left to be answered as unknown', () => {
    const a = authz();
    for (const method of ['describeNode', 'describeFeatures', 'describeCluster']) {
      expect(refusal([], method)).toBeNull();
      expect(a.isOpen(method)).toBe(true);
    }
    expect(a.isOpen('createTopics')).toBe(false);
    for (const method of ['noSuchMethod', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(refusal([], method)).toBeNull();
      expect(a.isOpen(method)).toBe(false);
    }
  });

  it("describeNode is open, but a controller's quorum view in it is shown only with DESCRIBE on the cluster (as DescribeQuorum)", () => {
    const a = authz();
    const answer = { clusterId: 'c', nodeId: 1, roles: ['controller'], quorum: { role: 'Leader', epoch: 3, leaderId: 1, votedId: 1, highWatermark: 9, logEndOffset: 9 } };
    const { quorum: _q, ...withoutQuorum } = answer;
    expect(a.isOpen('describeNode')).toBe(true);
    expect(a.refusal(imageWith([]), alice, 'describeNode', {})).toBeNull();
    expect(a.visibleAnswer(imageWith([]), alice, 'describeNode', {}, answer)).toEqual(withoutQuorum);
    expect(a.visibleAnswer(imageWith([grant({ operation: 'DESCRIBE' })]), alice, 'describeNode', {}, answer)).toBe(answer);
    expect(authz(['User:alice']).visibleAnswer(imageWith([]), alice, 'describeNode', {}, answer)).toBe(answer);
    // A broker's answer has no quorum view: left as it is.
    expect(a.visibleAnswer(imageWith([]), alice, 'describeNode', {}, withoutQuorum)).toBe(withoutQuorum);
  });

  it('exportMetadata needs CLUSTER_ACTION on the cluster, as a Fetch of the metadata log does: the records hold what no API shows', () => {
    // Sensitive config values (ssl.keystore.password...), every topic and every group's offsets:
    // DescribeConfigs hides the first, and the others need ACLs on each topic and group.
    const reader = [grant({ operation: 'DESCRIBE' }), grant({ operation: 'DESCRIBE_CONFIGS' }), grant({ operation: 'ALTER' }), grant({ operation: 'ALTER_CONFIGS' })];
    expect(refusal(reader, 'exportMetadata')).toMatchObject({ code: 31, message: expect.stringContaining('it needs CLUSTER_ACTION on the cluster') });
    expect(refusal([grant({ operation: 'CLUSTER_ACTION' })], 'exportMetadata')).toBeNull();
  });

  it('createTopics: CREATE on the cluster covers every topic; else each topic needs its own, and the first refused is named (TOPIC_AUTHORIZATION_FAILED)', () => {
    const request = { topics: [{ name: 'a-1' }, { name: 'b-1' }], validateOnly: false };
    expect(refusal([grant({ operation: 'CREATE' })], 'createTopics', request)).toBeNull();
    expect(refusal([onTopic('a-', 'CREATE', { patternType: 'PREFIXED' })], 'createTopics', request)).toEqual({
      code: 29,
      name: 'TOPIC_AUTHORIZATION_FAILED',
      message: "User:alice (from 10.0.0.1) may not createTopics: it needs CREATE on topic 'b-1' (an ACL, or super.users)",
    });
    expect(refusal([onTopic('a-1', 'CREATE'), onTopic('b-1', 'CREATE')], 'createTopics', request)).toBeNull();
  });

  it('deleteTopics: DESCRIBE and DELETE on each topic, one named by id resolved through the image', () => {
    const byId = { topics: [{ name: null, topicId: topicIdOf(2) }] };
    expect(refusal([onTopic('orders', 'DELETE')], 'deleteTopics', byId)).toMatchObject({ code: 29, message: expect.stringContaining("on topic 'payments'") });
    // An ALLOW of DELETE implies DESCRIBE; a DENY of DESCRIBE takes it back.
    expect(refusal([onTopic('payments', 'DELETE')], 'deleteTopics', byId)).toBeNull();
    expect(refusal([onTopic('payments', 'DELETE'), onTopic('payments', 'DESCRIBE', { permissionType: 'DENY' })], 'deleteTopics', byId)).toMatchObject({
      message: expect.stringContaining("needs DESCRIBE on topic 'payments'"),
    });
    // An id no topic has is the method's to answer (UNKNOWN_TOPIC_ID), not a refusal.
    expect(refusal([], 'deleteTopics', { topics: [{ name: null, topicId: topicIdOf(9) }] })).toBeNull();
  });

  it('createPartitions needs ALTER on each topic', () => {
    const request = { topics: [{ name: 'orders', count: 3, assignments: null }], validateOnly: false };
    expect(refusal([onTopic('orders', 'CREATE')], 'createPartitions', request)).toMatchObject({ code: 29 });
    expect(refusal([onTopic('orders', 'ALTER')], 'createPartitions', request)).toBeNull();
  });

  it('configs: ALTER_CONFIGS / DESCRIBE_CONFIGS on the topic, and on the cluster for a broker resource', () => {
    const topic = { resourceType: 'topic', resourceName: 'orders' };
    const broker = { resourceType: 'broker', resourceName: '4' };
    for (const method of ['alterConfigs', 'incrementalAlterConfigs'] as const) {
      expect(refusal([onTopic('orders', 'ALTER_CONFIGS')], method, { resources: [topic], validateOnly: false })).toBeNull();
      expect(refusal([onTopic('orders', 'ALTER_CONFIGS')], method, { resources: [topic, broker], validateOnly: false })).toMatchObject({ code: 31 });
      expect(refusal([grant({ operation: 'ALTER_CONFIGS' })], method, { resources: [broker], validateOnly: false })).toBeNull();
    }
    const describe = (resources: object[]) => ({ resources, includeSynonyms: false, includeDocumentation: false });
    // ALTER_CONFIGS implies DESCRIBE_CONFIGS (Kafka's implied operations).
    expect(refusal([onTopic('orders', 'ALTER_CONFIGS')], 'describeConfigs', describe([topic]))).toBeNull();
    expect(refusal([onTopic('orders', 'DESCRIBE')], 'describeConfigs', describe([topic]))).toMatchObject({ code: 29 });
  });

  it('describeTopics: each named topic needs DESCRIBE; a full listing leaves out what the caller may not DESCRIBE', () => {
    const acls = [onTopic('orders', 'READ')]; // READ implies DESCRIBE
    expect(refusal(acls, 'describeTopics', { names: ['orders'] })).toBeNull();
    expect(refusal(acls, 'describeTopics', { names: ['orders', 'payments'] })).toMatchObject({ code: 29, message: expect.stringContaining("'payments'") });
    const answer = { metadataOffset: 7, topics: [{ name: 'orders', configs: {} }, { name: 'payments', configs: {} }], unknown: [] };
    const a = authz();
    expect(a.visibleAnswer(imageWith(acls), alice, 'describeTopics', {}, answer)).toEqual({ ...answer, topics: [{ name: 'orders', configs: {} }] });
    // Named topics were checked whole: no topic is left out; other methods' answers are left as they are.
    expect(a.visibleAnswer(imageWith(acls), alice, 'describeTopics', { names: ['orders'] }, answer)).toEqual(answer);
    expect(a.visibleAnswer(imageWith([]), alice, 'describeAcls', {}, answer)).toBe(answer);
  });

  it('describeGroups: each named group needs DESCRIBE; a listing leaves out the groups, and every answer the offsets of topics, the caller may not DESCRIBE', () => {
    const onGroup = (name: string, operation: AclOperation) => grant({ resourceType: 'GROUP', resourceName: name, operation });
    const acls = [onGroup('billing', 'READ'), onTopic('orders', 'DESCRIBE')]; // READ implies DESCRIBE
    expect(refusal(acls, 'describeGroups', { groupIds: ['billing'] })).toBeNull();
    expect(refusal(acls, 'describeGroups', { groupIds: ['billing', 'audit'] })).toMatchObject({ code: 30, message: expect.stringContaining("group 'audit'") });
    const offset = (topic: string) => ({ topic, partition: 0, offset: 1, leaderEpoch: -1, metadata: null, commitTimestampMs: 0 });
    const group = (groupId: string) => ({ groupId, state: 'Empty', offsets: [offset('orders'), offset('payments')] });
    const answer = { metadataOffset: 7, groups: [group('audit'), group('billing')] };
    const a = authz();
    expect(a.visibleAnswer(imageWith(acls), alice, 'describeGroups', {}, answer as never)).toEqual({ ...answer, groups: [{ ...group('billing'), offsets: [offset('orders')] }] });
    expect(a.visibleAnswer(imageWith(acls), alice, 'describeGroups', { groupIds: ['billing'] }, { ...answer, groups: [group('billing')] } as never)).toEqual({ ...answer, groups: [{ ...group('billing'), offsets: [offset('orders')] }] });
  });

  it("describeTopics shows a topic's configs only to a caller with DESCRIBE_CONFIGS on it, as DescribeConfigs does", () => {
    const configs = { 'retention.ms': '1000' };
    const answer = { metadataOffset: 7, topics: [{ name: 'orders', configs }, { name: 'payments', configs }], unknown: [] };
    const acls = [onTopic('*', 'READ'), onTopic('payments', 'DESCRIBE_CONFIGS')];
    for (const request of [{}, { names: ['orders', 'payments'] }]) {
      expect(refusal(acls, 'describeTopics', request)).toBeNull();
      expect(authz().visibleAnswer(imageWith(acls), alice, 'describeTopics', request, answer)).toEqual({ ...answer, topics: [{ name: 'orders', configs: {} }, { name: 'payments', configs }] });
    }
    // A DENY of DESCRIBE_CONFIGS beside an ALTER_CONFIGS grant hides them too.
    const denied = [onTopic('orders', 'ALTER_CONFIGS'), onTopic('orders', 'DESCRIBE_CONFIGS', { permissionType: 'DENY' })];
    expect(authz().visibleAnswer(imageWith(denied), alice, 'describeTopics', { names: ['orders'] }, { ...answer, topics: [answer.topics[0]] })).toMatchObject({ topics: [{ configs: {} }] });
  });

  it('describeTopics with names null lists every topic (as no names does), so its answer is filtered too', () => {
    const acls = [onTopic('orders', 'READ')];
    const image = imageWith(acls);
    const request = { names: null };
    expect(refusal(acls, 'describeTopics', request)).toBeNull();
    const answer = describeTopics(image, request as never);
    expect(answer.topics.map((t) => t.name)).toEqual(['orders', 'payments']);
    expect((authz().visibleAnswer(image, alice, 'describeTopics', request, answer) as typeof answer).topics.map((t) => t.name)).toEqual(['orders']);
  });

  it('a super user is allowed everything, whatever the ACLs deny, and may send Raft traffic', () => {
    const a = authz(['User:alice']);
    const deny = imageWith([grant({ operation: 'ALL', permissionType: 'DENY' }), onTopic('*', 'ALL', { permissionType: 'DENY' })]);
    expect(a.isSuperUser(alice)).toBe(true);
    expect(a.refusal(deny, alice, 'createAcls', {})).toBeNull();
    expect(a.refusal(deny, alice, 'deleteTopics', { topics: [{ name: 'orders', topicId: null }] })).toBeNull();
    expect(a.mayReplicate(deny, alice)).toBe(true);
  });

  it('Raft traffic needs CLUSTER_ACTION on the cluster', () => {
    const a = authz();
    expect(a.mayReplicate(imageWith([]), alice)).toBe(false);
    expect(a.mayReplicate(imageWith([grant({ operation: 'ALTER' })]), alice)).toBe(false);
    expect(a.mayReplicate(imageWith([grant({ operation: 'CLUSTER_ACTION' })]), alice)).toBe(true);
    expect(a.mayReplicate(imageWith([grant({ operation: 'CLUSTER_ACTION', host: '10.0.0.9' })]), alice)).toBe(false);
  });

  it("a channel's session: its proven principal, else User:ANONYMOUS; the host in Java's form", () => {
    const channel = (over: Partial<PeerChannel>): PeerChannel => ({ peer: { nodeId: 1, role: 'tool', clusterId: 'c' }, remoteAddress: '', send: () => true, close: () => undefined, ...over }) as PeerChannel;
    expect(sessionOf(channel({ remoteAddress: '[::1]:40001', remoteIp: '::1' }))).toEqual({ principal: 'User:ANONYMOUS', host: '0:0:0:0:0:0:0:1' });
    expect(sessionOf(channel({ principal: 'User:CN=server', remoteAddress: '127.0.0.1:40002', remoteIp: '127.0.0.1' }))).toEqual({ principal: 'User:CN=server', host: '127.0.0.1' });
    // No IP known (never so on an accepted connection): only a host '*' ACL can match.
    expect(sessionOf(channel({ remoteAddress: 'unknown' }))).toEqual({ principal: 'User:ANONYMOUS', host: '' });
  });
});
