// What every Kafka API the broker serves must be authorized for, when an authorizer is configured
// (authorizer.class.name; ./authorizer.ts has the rules). Kafka's KafkaApis, API by API. A guard
// wraps the API's handler: it asks the authorizer, answers the denied items itself with Kafka's
// error code, and hands the handler only what is allowed (nothing at all when nothing is), so no
// handler ever acts on a denied item and none needs to know about authorization.
//
//   API                          needs                                              denied answer
//   ApiVersions                  nothing
//   SaslHandshake,               nothing (only ever answered ILLEGAL_SASL_STATE here: the
//   SaslAuthenticate             connection runs the exchange itself, before any guard)
//   Metadata                     DESCRIBE topic; auto-creation also CREATE on the   TOPIC_AUTHORIZATION_FAILED (29) per named topic;
//                                cluster, else on the topic                         a full listing (null) leaves unauthorized topics out
//   CreateTopics                 CREATE on the cluster, else on the topic           29 per topic
//   DeleteTopics                 DESCRIBE and DELETE topic                          29 per topic
//   CreatePartitions             ALTER topic                                        29 per topic
//   DescribeConfigs              DESCRIBE_CONFIGS topic; broker resources: on       29 per topic, CLUSTER_AUTHORIZATION_FAILED (31)
//                                the cluster                                        per broker resource
//   AlterConfigs                 ALTER_CONFIGS, as DescribeConfigs                  29 / 31 per resource
//   IncrementalAlterConfigs      ALTER_CONFIGS, as AlterConfigs                     29 / 31 per resource
//   DescribeClientQuotas         DESCRIBE_CONFIGS on the cluster                    CLUSTER_AUTHORIZATION_FAILED (31), top level
//                                                                                   (null entries)
//   AlterClientQuotas            ALTER_CONFIGS on the cluster                       31 on every entry
//   DescribeUserScramCredentials DESCRIBE on the cluster                            31, top level (no results)
//   AlterUserScramCredentials    ALTER on the cluster                               31 for every user named, once each
//   FindCoordinator              DESCRIBE group (key type 0), DESCRIBE              GROUP_AUTHORIZATION_FAILED (30) /
//                                transactional id (key type 1)                      TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53)
//   JoinGroup, SyncGroup,        READ group                                         30
//   Heartbeat, LeaveGroup
//   OffsetCommit                 READ group, then READ topic                        30 on every partition; 29 per topic's partitions
//   OffsetFetch                  DESCRIBE group, then DESCRIBE topic                30 (top level from v2, per partition below);
//                                                                                   29 per topic; all topics (null): unauthorized left out
//   ListGroups                   DESCRIBE cluster, else only the groups the         (filtered)
//                                principal may DESCRIBE
//   DescribeGroups               DESCRIBE group                                     30 per group; authorized_operations (v3+) are
//                                                                                   the principal's own
//   DeleteGroups                 DELETE group                                       30 per group
//   OffsetDelete                 DELETE group, then READ topic                      30 (top level); 29 per topic's partitions
//   ListOffsets                  DESCRIBE topic                                     29 per topic's partitions
//   DescribeAcls                 DESCRIBE cluster                                   31
//   CreateAcls, DeleteAcls       ALTER cluster                                      31 per creation / filter
//   AlterPartitionReassignments  ALTER cluster                                      31, at the top and on every partition
//   ElectLeaders                 ALTER cluster                                      31 on every partition (and the top, v1+)
//   ListPartitionReassignments   DESCRIBE cluster                                   31
//
// The type of GUARDS has one entry per served API (KafkaApiName), so an API added to the codec
// without a row here does not compile, and kafka-authorize-requests.test.ts checks the table against
// api-keys.ts at run time too. The internal RPC's rules are in quorum/server/rpc-authorization.ts.

import type { AclOperation, AclResourceType } from '../../metadata-log/records/types.js';
import { CLUSTER_RESOURCE_NAME } from '../../metadata-log/records/acl-codes.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { topicNameError } from '../../quorum/controller/replication/topic-names.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { alterUserScramCredentialsErrorResponse, AUTHORIZED_OPERATIONS_OMITTED, partitionWithoutOffset, type KafkaApiName, type KafkaApiTypes } from './protocol/index.js';
import type { KafkaContext } from './handlers/context.js';
import type { Session, StandardAuthorizer } from '../../quorum/controller/acls/authorizer.js';

/** Kafka's TRANSACTIONAL_ID_AUTHORIZATION_FAILED: FindCoordinator for a transactional id. */
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
/** Kafka's ConfigResource.Type codes. */
const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
const CONFIG_BROKER_LOGGER = 8;

export const TOPIC_DENIED = 'Topic authorization failed.';
export const GROUP_DENIED = 'Group authorization failed.';
export const CLUSTER_DENIED = 'Cluster authorization failed.';

/** The question a guard asks: may this session do `op` on the resource? */
export type Check = (op: AclOperation, type: AclResourceType, name: string) => boolean;

export type Guard<N extends KafkaApiName> = (
  can: Check,
  request: KafkaApiTypes[N][0],
  version: number,
  run: (request: KafkaApiTypes[N][0]) => Promise<KafkaApiTypes[N][1]>,
  image: MetadataImageView,
  ctx: KafkaContext,
) => Promise<KafkaApiTypes[N][1]>;

/** Kafka's AclOperation codes of the operations DescribeGroups reports (bit n = code n). */
const ACL_OP_BIT = { READ: 3, DELETE: 6, DESCRIBE: 8 } as const;

const onCluster = (can: Check, op: AclOperation) => can(op, 'CLUSTER', CLUSTER_RESOURCE_NAME);

/**
 * Answers in request order: a denied item's own answer, an allowed one's the handler's (matched by
 * key, each handler answer used once); handler answers left unmatched follow, so none is lost.
 */
function merge<Item, Res>(items: readonly Item[], denied: (item: Item) => boolean, keyOfItem: (item: Item) => string, deniedAnswer: (item: Item) => Res, answers: readonly Res[], keyOfAnswer: (r: Res) => string): Res[] {
  const byKey = new Map<string, Res[]>();
  for (const a of answers) {
    const k = keyOfAnswer(a);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [a]);
    else list.push(a);
  }
  const out: Res[] = [];
  for (const item of items) {
    if (denied(item)) out.push(deniedAnswer(item));
    else {
      const next = byKey.get(keyOfItem(item))?.shift();
      if (next !== undefined) out.push(next);
    }
  }
  for (const rest of byKey.values()) out.push(...rest);
  return out;
}

/** Runs the handler on the allowed items, or answers `empty` without it when nothing is allowed. */
async function runAllowed<Req, Res>(allowedCount: number, run: (r: Req) => Promise<Res>, request: Req, empty: Res): Promise<Res> {
  return allowedCount > 0 ? run(request) : empty;
}

/** AlterConfigs and IncrementalAlterConfigs: ALTER_CONFIGS per resource, denied ones answered in place. */
function alterConfigsGuard<N extends 'AlterConfigs' | 'IncrementalAlterConfigs'>(): Guard<N> {
  return (async (can: Check, request: KafkaApiTypes['AlterConfigs' | 'IncrementalAlterConfigs'][0], _v: number, run: (r: typeof request) => Promise<KafkaApiTypes['AlterConfigs'][1]>) => {
    const code = (r: { resourceType: number; resourceName: string }) => configResourceCheck(can, 'ALTER_CONFIGS', r);
    const allowed = request.resources.filter((r) => code(r) === ErrorCode.NONE);
    const res = await runAllowed(allowed.length, run, { ...request, resources: allowed }, { throttleTimeMs: 0, responses: [] });
    const deniedAnswer = (r: { resourceType: number; resourceName: string }) => ({ errorCode: code(r), errorMessage: deniedMessage(code(r)), resourceType: r.resourceType, resourceName: r.resourceName });
    return { ...res, responses: merge(request.resources, (r) => code(r) !== ErrorCode.NONE, configKey, deniedAnswer, res.responses, configKey) };
  }) as unknown as Guard<N>;
}

const configResourceCheck = (can: Check, op: AclOperation, r: { resourceType: number; resourceName: string }): number => {
  if (r.resourceType === CONFIG_TOPIC) return can(op, 'TOPIC', r.resourceName) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  if (r.resourceType === CONFIG_BROKER || r.resourceType === CONFIG_BROKER_LOGGER) return onCluster(can, op) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  return ErrorCode.NONE; // an unknown type: the handler refuses it (INVALID_REQUEST)
};
const deniedMessage = (code: number) => (code === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? TOPIC_DENIED : CLUSTER_DENIED);
const configKey = (r: { resourceType: number; resourceName: string }) => `${r.resourceType}\u0000${r.resourceName}`;

const groupGuard =
  <N extends 'JoinGroup' | 'SyncGroup' | 'Heartbeat' | 'LeaveGroup'>(denied: (request: KafkaApiTypes[N][0]) => KafkaApiTypes[N][1]): Guard<N> =>
  async (can, request, _v, run) =>
    can('READ', 'GROUP', request.groupId) ? run(request) : denied(request);

export const GUARDS: { readonly [N in KafkaApiName]: Guard<N> } = {
  ApiVersions: async (_can, request, _v, run) => run(request),
  SaslHandshake: async (_can, request, _v, run) => run(request),
  SaslAuthenticate: async (_can, request, _v, run) => run(request),

  Metadata: async (can, request, _v, run, image, ctx) => {
    if (request.topics === null) {
      const all = await run(request);
      return { ...all, topics: all.topics.filter((t) => can('DESCRIBE', 'TOPIC', t.name)) };
    }
    const names = [...new Set(request.topics)];
    const denied = new Set(names.filter((n) => !can('DESCRIBE', 'TOPIC', n)));
    if (request.allowAutoTopicCreation && ctx.autoCreateTopicsEnable && !onCluster(can, 'CREATE')) {
      // Topics the request would create: those it may not create are refused, not created.
      for (const n of names) {
        if (!denied.has(n) && image.topicByName(n) === undefined && topicNameError(n) === null && !can('CREATE', 'TOPIC', n)) denied.add(n);
      }
    }
    const r = await run({ ...request, topics: names.filter((n) => !denied.has(n)) });
    return {
      ...r,
      topics: merge(names, (n) => denied.has(n), (n) => n, (name) => ({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] }), r.topics, (t) => t.name),
    };
  },

  CreateTopics: async (can, request, _v, run) => {
    const cluster = onCluster(can, 'CREATE');
    const denied = (t: { name: string }) => !cluster && !can('CREATE', 'TOPIC', t.name);
    const allowed = request.topics.filter((t) => !denied(t));
    const r = await runAllowed(allowed.length, run, { ...request, topics: allowed }, { throttleTimeMs: 0, topics: [] });
    return {
      ...r,
      topics: merge(request.topics, denied, (t) => t.name, (t) => ({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: TOPIC_DENIED }), r.topics, (t) => t.name),
    };
  },

  DeleteTopics: async (can, request, _v, run) => {
    // DESCRIBE first, as Kafka's ControllerApis.deleteTopics: an ALLOW of DELETE implies DESCRIBE,
    // but a DENY of DESCRIBE still stops the deletion.
    const denied = (n: string) => !can('DESCRIBE', 'TOPIC', n) || !can('DELETE', 'TOPIC', n);
    const allowed = request.topicNames.filter((n) => !denied(n));
    const r = await runAllowed(allowed.length, run, { ...request, topicNames: allowed }, { throttleTimeMs: 0, responses: [] });
    return { ...r, responses: merge(request.topicNames, denied, (n) => n, (name) => ({ name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }), r.responses, (t) => t.name) };
  },

  CreatePartitions: async (can, request, _v, run) => {
    const denied = (t: { name: string }) => !can('ALTER', 'TOPIC', t.name);
    const allowed = request.topics.filter((t) => !denied(t));
    const r = await runAllowed(allowed.length, run, { ...request, topics: allowed }, { throttleTimeMs: 0, results: [] });
    return {
      ...r,
      results: merge(request.topics, denied, (t) => t.name, (t) => ({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: TOPIC_DENIED }), r.results, (t) => t.name),
    };
  },

  DescribeConfigs: async (can, request, _v, run) => {
    const code = (r: { resourceType: number; resourceName: string }) => configResourceCheck(can, 'DESCRIBE_CONFIGS', r);
    const allowed = request.resources.filter((r) => code(r) === ErrorCode.NONE);
    const res = await runAllowed(allowed.length, run, { ...request, resources: allowed }, { throttleTimeMs: 0, results: [] });
    const deniedAnswer = (r: { resourceType: number; resourceName: string }) => ({ errorCode: code(r), errorMessage: deniedMessage(code(r)), resourceType: r.resourceType, resourceName: r.resourceName, configs: [] });
    return { ...res, results: merge(request.resources, (r) => code(r) !== ErrorCode.NONE, configKey, deniedAnswer, res.results, configKey) };
  },

  AlterConfigs: alterConfigsGuard<'AlterConfigs'>(),

  IncrementalAlterConfigs: alterConfigsGuard<'IncrementalAlterConfigs'>(),

  DescribeClientQuotas: async (can, request, _v, run) =>
    onCluster(can, 'DESCRIBE_CONFIGS') ? run(request) : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, entries: null },

  AlterClientQuotas: async (can, request, _v, run) =>
    onCluster(can, 'ALTER_CONFIGS')
      ? run(request)
      : { throttleTimeMs: 0, entries: request.entries.map((e) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, entity: e.entity })) },

  // Kafka's handler answers 31 at the top (the AdminClient then fails every user's future with it).
  DescribeUserScramCredentials: async (can, request, _v, run) =>
    onCluster(can, 'DESCRIBE') ? run(request) : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, results: [] },

  // Kafka's handler answers 31 for each user named (once, sorted: the request's getErrorResponse); nothing is forwarded.
  AlterUserScramCredentials: async (can, request, _v, run) =>
    onCluster(can, 'ALTER') ? run(request) : alterUserScramCredentialsErrorResponse(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, CLUSTER_DENIED),

  FindCoordinator: async (can, request, _v, run) => {
    const refuse = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
    if (request.keyType === 0 && !can('DESCRIBE', 'GROUP', request.key)) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, GROUP_DENIED);
    if (request.keyType === 1 && !can('DESCRIBE', 'TRANSACTIONAL_ID', request.key)) return refuse(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.');
    return run(request);
  },

  JoinGroup: groupGuard<'JoinGroup'>(() => ({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolName: '', leader: '', memberId: '', members: [] })),
  SyncGroup: groupGuard<'SyncGroup'>(() => ({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: new Uint8Array(0) })),
  Heartbeat: groupGuard<'Heartbeat'>(() => ({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
  LeaveGroup: groupGuard<'LeaveGroup'>(() => ({ throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] })),

  OffsetCommit: async (can, request, _v, run) => {
    const everyPartition = (errorCode: number) => (t: { name: string; partitions: { partitionIndex: number }[] }) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    });
    if (!can('READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, topics: request.topics.map(everyPartition(ErrorCode.GROUP_AUTHORIZATION_FAILED)) };
    const denied = (t: { name: string }) => !can('READ', 'TOPIC', t.name);
    const allowed = request.topics.filter((t) => !denied(t));
    const r = await runAllowed(allowed.length, run, { ...request, topics: allowed }, { throttleTimeMs: 0, topics: [] });
    return { ...r, topics: merge(request.topics, denied, (t) => t.name, everyPartition(ErrorCode.TOPIC_AUTHORIZATION_FAILED), r.topics, (t) => t.name) };
  },

  OffsetFetch: async (can, request, version, run) => {
    const unknown = (errorCode: number) => (t: { name: string; partitionIndexes: number[] }) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => partitionWithoutOffset(partitionIndex, errorCode)),
    });
    if (!can('DESCRIBE', 'GROUP', request.groupId)) {
      const code = ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode: code, topics: version >= 2 ? [] : (request.topics ?? []).map(unknown(code)) };
    }
    if (request.topics === null) {
      const all = await run(request);
      return { ...all, topics: all.topics.filter((t) => can('DESCRIBE', 'TOPIC', t.name)) };
    }
    const denied = (t: { name: string }) => !can('DESCRIBE', 'TOPIC', t.name);
    const allowed = request.topics.filter((t) => !denied(t));
    const r = await runAllowed(allowed.length, run, { ...request, topics: allowed }, { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [] });
    // A group-level error from the handler (v2+: top level only) stays as it is.
    if (r.errorCode !== ErrorCode.NONE && version >= 2) return r;
    return { ...r, topics: merge(request.topics, denied, (t) => t.name, unknown(ErrorCode.TOPIC_AUTHORIZATION_FAILED), r.topics, (t) => t.name) };
  },

  ListGroups: async (can, request, _v, run) => {
    const r = await run(request);
    if (onCluster(can, 'DESCRIBE')) return r;
    return { ...r, groups: r.groups.filter((g) => can('DESCRIBE', 'GROUP', g.groupId)) };
  },

  DescribeGroups: async (can, request, _v, run) => {
    const denied = (g: string) => !can('DESCRIBE', 'GROUP', g);
    const allowed = request.groupIds.filter((g) => !denied(g));
    const r = await runAllowed(allowed.length, run, { ...request, groupIds: allowed }, { throttleTimeMs: 0, groups: [] });
    // The principal's own operations on each group it was answered about (Kafka's authorizedOperations).
    const ops = (groupId: string) => (['READ', 'DELETE', 'DESCRIBE'] as const).reduce((bits, op) => (can(op, 'GROUP', groupId) ? bits | (1 << ACL_OP_BIT[op]) : bits), 0);
    const groups = r.groups.map((g) => (g.authorizedOperations === AUTHORIZED_OPERATIONS_OMITTED ? g : { ...g, authorizedOperations: ops(g.groupId) }));
    const deniedAnswer = (groupId: string) => ({
      errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
      groupId,
      groupState: '',
      protocolType: '',
      protocolData: '',
      members: [],
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    });
    return { ...r, groups: merge(request.groupIds, denied, (g) => g, deniedAnswer, groups, (g) => g.groupId) };
  },

  DeleteGroups: async (can, request, _v, run) => {
    const denied = (g: string) => !can('DELETE', 'GROUP', g);
    const allowed = request.groupsNames.filter((g) => !denied(g));
    const r = await runAllowed(allowed.length, run, { ...request, groupsNames: allowed }, { throttleTimeMs: 0, results: [] });
    return { ...r, results: merge(request.groupsNames, denied, (g) => g, (groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }), r.results, (g) => g.groupId) };
  },

  OffsetDelete: async (can, request, _v, run) => {
    if (!can('DELETE', 'GROUP', request.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const denied = (t: { name: string }) => !can('READ', 'TOPIC', t.name);
    // Run even with every topic denied: the group's own errors (GROUP_ID_NOT_FOUND, ...) come first, as in Kafka.
    const r = await run({ ...request, topics: request.topics.filter((t) => !denied(t)) });
    if (r.errorCode !== ErrorCode.NONE) return r;
    const deniedAnswer = (t: { name: string; partitionIndexes: number[] }) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) });
    return { ...r, topics: merge(request.topics, denied, (t) => t.name, deniedAnswer, r.topics, (t) => t.name) };
  },

  ListOffsets: async (can, request, _v, run) => {
    const denied = (t: { name: string }) => !can('DESCRIBE', 'TOPIC', t.name);
    const allowed = request.topics.filter((t) => !denied(t));
    const r = await runAllowed(allowed.length, run, { ...request, topics: allowed }, { throttleTimeMs: 0, topics: [] });
    const deniedAnswer = (t: { name: string; partitions: { partitionIndex: number }[] }) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1n, offset: -1n })),
    });
    return { ...r, topics: merge(request.topics, denied, (t) => t.name, deniedAnswer, r.topics, (t) => t.name) };
  },

  DescribeAcls: async (can, request, _v, run) =>
    onCluster(can, 'DESCRIBE') ? run(request) : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, resources: [] },

  CreateAcls: async (can, request, _v, run) =>
    onCluster(can, 'ALTER')
      ? run(request)
      : { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED })) },

  DeleteAcls: async (can, request, _v, run) =>
    onCluster(can, 'ALTER')
      ? run(request)
      : { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, matchingAcls: [] })) },

  AlterPartitionReassignments: async (can, request, _v, run) =>
    onCluster(can, 'ALTER')
      ? run(request)
      : {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: CLUSTER_DENIED,
          responses: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED })),
          })),
        },

  ListPartitionReassignments: async (can, request, _v, run) =>
    onCluster(can, 'DESCRIBE') ? run(request) : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED, topics: [] },

  ElectLeaders: async (can, request, _v, run) =>
    onCluster(can, 'ALTER')
      ? run(request)
      : {
          throttleTimeMs: 0,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          replicaElectionResults: (request.topicPartitions ?? []).map((t) => ({
            topic: t.topic,
            partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: CLUSTER_DENIED })),
          })),
        },
};

/** Runs `api`'s handler behind its guard, asking `authorizer` for `session`. */
export function authorized<N extends KafkaApiName>(
  authorizer: StandardAuthorizer,
  session: Session,
  api: N,
  request: KafkaApiTypes[N][0],
  version: number,
  ctx: KafkaContext,
  run: (request: KafkaApiTypes[N][0]) => Promise<KafkaApiTypes[N][1]>,
): Promise<KafkaApiTypes[N][1]> {
  const image = ctx.image(); // one image for every check of this request
  const can: Check = (op, type, name) => authorizer.authorize(image, session, op, type, name);
  return (GUARDS[api] as Guard<N>)(can, request, version, run, image, ctx);
}
