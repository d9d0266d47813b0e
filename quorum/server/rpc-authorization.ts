// What each method of the internal RPC (rpc-methods.ts) must be authorized for, when the node that
// answers it has an authorizer (authorizer.class.name): on a controller's listeners and on a
// broker's. The rules are Kafka's for the matching Kafka API (KafkaApis and ControllerApis), so an
// ACL means the same whichever protocol a client speaks; methods a Kafka cluster only ever sees
// between its own nodes need CLUSTER_ACTION on the cluster, as Kafka's inter-broker APIs do.
//
//   method                                  needs
//   describeNode, describeFeatures,         nothing (a liveness probe and what ApiVersions and
//   describeCluster                         Metadata tell any client: ids, endpoints, features);
//                                           a controller's quorum view in describeNode only with
//                                           DESCRIBE on the cluster (what DescribeQuorum needs)
//   registerBroker, brokerHeartbeat,        CLUSTER_ACTION on the cluster (a node's own traffic;
//   alterPartition, allocateProducerIds,    the offsets methods are a broker's group coordinator
//   commitOffsets, fetchOffsets,            writing and reading for its Kafka clients, after
//   deleteGroups, deleteOffsets,            checking them against the group's ACLs itself;
//   expireOffsets, storeGroup,              (storeGroup: a group's membership, from its coordinator);
//   exportMetadata                          exportMetadata is the whole image as records, what a
//                                           Fetch of the metadata log reads: sensitive config
//                                           values that DescribeConfigs hides, every topic, every
//                                           group's offsets)
//   unregisterBroker, updateFeatures,       ALTER on the cluster
//   alterPartitionReassignments,
//   electLeaders, createAcls, deleteAcls,
//   importMetadata
//   describeQuorum, describeAcls,           DESCRIBE on the cluster
//   listPartitionReassignments
//   createTopics                            CREATE on the cluster, else CREATE on each topic
//   deleteTopics                            DESCRIBE and DELETE on each topic (named or by id)
//   createPartitions                        ALTER on each topic
//   alterConfigs, incrementalAlterConfigs   ALTER_CONFIGS on each topic; on the cluster for a
//                                           broker resource
//   describeConfigs                         DESCRIBE_CONFIGS, as alterConfigs
//   alterClientQuotas                       ALTER_CONFIGS on the cluster (Kafka's AlterClientQuotas)
//   describeClientQuotas                    DESCRIBE_CONFIGS on the cluster
//   alterUserScramCredentials               ALTER on the cluster (Kafka's AlterUserScramCredentials)
//   describeUserScramCredentials            DESCRIBE on the cluster
//   describeGroups                          DESCRIBE on each named group; a listing (no ids) leaves
//                                           out the groups the caller may not DESCRIBE, and every
//                                           answer the offsets of topics it may not DESCRIBE
//   describeTopics                          DESCRIBE on each named topic; with no names (absent
//                                           or null: every topic), the answer leaves out the
//                                           topics the caller may not DESCRIBE (as Kafka's
//                                           Metadata does); a topic's configs are shown only
//                                           with DESCRIBE_CONFIGS on it (else empty)
//
// A request is authorized whole or refused whole, naming the first item refused, with Kafka's
// TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED. (Kafka's APIs answer item by item; the internal
// RPC's callers are our own tools, for which one clear refusal is the better answer.)
//
// The session is the connection's: its principal (principal.ts: the verified client certificate,
// else User:ANONYMOUS) and its IP (with no IP known, only ACLs for host '*' match it). A broker forwards a write to the active controller under its
// own principal, after checking its caller here: so the nodes' own principals belong in
// super.users, as Kafka asks of its brokers and controllers.
//
// The Raft traffic on a controller listener (Fetch from voters and from brokers, Vote,
// BeginQuorumEpoch...) needs CLUSTER_ACTION on the cluster too: RAFT_FRAME_NEED.

import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { CLUSTER_RESOURCE_NAME } from '../../metadata-log/records/acl-codes.js';
import type { AclOperation, AclResourceType, ConfigResourceType } from '../../metadata-log/records/types.js';
import type { Session, StandardAuthorizer } from '../controller/acls/authorizer.js';
import { ErrorCode, errorName } from '../controller/errors.js';
import { listsEveryGroup, listsEveryTopic } from './image-reads.js';
import { ANONYMOUS_PRINCIPAL, sessionHost } from '../net/principal.js';
import { RemoteError, type PeerChannel } from '../net/types.js';
import type { DescribedTopic, RpcMethod, RpcRequest, RpcResponse } from './rpc-methods.js';

/** One thing a request needs: `op` on the resource `type`/`name`. */
export interface Need {
  readonly op: AclOperation;
  readonly type: AclResourceType;
  readonly name: string;
}

/** May the session do `op` on the resource? */
type Can = (need: Need) => boolean;

interface Rule<M extends RpcMethod> {
  /** The first need the session is refused, or null when the request is allowed. */
  readonly refused: (can: Can, request: RpcRequest<M>, image: MetadataImageView) => Need | null;
  /** Leaves out of an allowed answer what the session may not see. */
  readonly visible?: (can: Can, request: RpcRequest<M>, answer: RpcResponse<M>) => RpcResponse<M>;
}

const onCluster = (op: AclOperation): Need => ({ op, type: 'CLUSTER', name: CLUSTER_RESOURCE_NAME });
const onTopic = (op: AclOperation, name: string): Need => ({ op, type: 'TOPIC', name });
const onGroup = (op: AclOperation, name: string): Need => ({ op, type: 'GROUP', name });

/** The first of `needs` refused. */
function firstRefused(can: Can, needs: Iterable<Need>): Need | null {
  for (const need of needs) if (!can(need)) return need;
  return null;
}

/** A rule that looks at no field of the request (and so fits every method). */
interface RequestBlindRule {
  readonly refused: (can: Can) => Need | null;
}
const everyone: RequestBlindRule = { refused: () => null };
const clusterRule = (...ops: AclOperation[]): RequestBlindRule => ({ refused: (can) => firstRefused(can, ops.map(onCluster)) });

/** A config resource's need: its topic, or the cluster for a broker (Kafka's rule). */
function onConfigResource(op: AclOperation, resource: { readonly resourceType: ConfigResourceType; readonly resourceName: string }): Need {
  return resource.resourceType === 'topic' ? onTopic(op, resource.resourceName) : onCluster(op);
}

/**
 * A described topic, its configs left out unless the session may DESCRIBE_CONFIGS it: DESCRIBE (or
 * READ, which implies it) shows a topic's partitions in Kafka's Metadata, never its configs.
 */
function withVisibleConfigs(can: Can, topic: DescribedTopic): DescribedTopic {
  return can(onTopic('DESCRIBE_CONFIGS', topic.name)) ? topic : { ...topic, configs: {} };
}

/** Request fields are checked by the method itself; a missing list is nothing to authorize here. */
const listOf = <T>(items: readonly T[] | null | undefined): readonly T[] => (Array.isArray(items) ? items : []);

/** One entry per method: a method added to rpc-methods.ts without a rule here does not compile. */
const RULES: { readonly [M in RpcMethod]: Rule<M> } = {
  describeNode: {
    refused: everyone.refused,
    // A controller's own quorum view (epoch, vote, high watermark, log end) is what DescribeQuorum
    // shows, which Kafka gives only with DESCRIBE on the cluster; the rest is a liveness probe's.
    visible: (can, _request, answer) => {
      if (answer.quorum === undefined || can(onCluster('DESCRIBE'))) return answer;
      const { quorum: _hidden, ...rest } = answer;
      return rest;
    },
  },
  describeFeatures: everyone,
  describeCluster: everyone,

  registerBroker: clusterRule('CLUSTER_ACTION'),
  brokerHeartbeat: clusterRule('CLUSTER_ACTION'),
  alterPartition: clusterRule('CLUSTER_ACTION'),
  allocateProducerIds: clusterRule('CLUSTER_ACTION'),
  commitOffsets: clusterRule('CLUSTER_ACTION'),
  fetchOffsets: clusterRule('CLUSTER_ACTION'),
  deleteGroups: clusterRule('CLUSTER_ACTION'),
  deleteOffsets: clusterRule('CLUSTER_ACTION'),
  expireOffsets: clusterRule('CLUSTER_ACTION'),
  storeGroup: clusterRule('CLUSTER_ACTION'),
  exportMetadata: clusterRule('CLUSTER_ACTION'),

  unregisterBroker: clusterRule('ALTER'),
  updateFeatures: clusterRule('ALTER'),
  alterPartitionReassignments: clusterRule('ALTER'),
  electLeaders: clusterRule('ALTER'),
  createAcls: clusterRule('ALTER'),
  deleteAcls: clusterRule('ALTER'),
  importMetadata: clusterRule('ALTER'),

  describeQuorum: clusterRule('DESCRIBE'),
  describeAcls: clusterRule('DESCRIBE'),
  alterClientQuotas: clusterRule('ALTER_CONFIGS'),
  describeClientQuotas: clusterRule('DESCRIBE_CONFIGS'),
  alterUserScramCredentials: clusterRule('ALTER'),
  describeUserScramCredentials: clusterRule('DESCRIBE'),
  listPartitionReassignments: clusterRule('DESCRIBE'),

  createTopics: {
    refused: (can, r) => (can(onCluster('CREATE')) ? null : firstRefused(can, listOf(r.topics).map((t) => onTopic('CREATE', t.name)))),
  },
  deleteTopics: {
    refused: (can, r, image) =>
      firstRefused(
        can,
        listOf(r.topics).flatMap((t) => {
          // By id: the topic the id names now (an unknown id is the method's to answer).
          const name = t.name ?? (t.topicId === null ? undefined : image.topicById(t.topicId)?.name);
          return name === undefined || name === null ? [] : [onTopic('DESCRIBE', name), onTopic('DELETE', name)];
        }),
      ),
  },
  createPartitions: { refused: (can, r) => firstRefused(can, listOf(r.topics).map((t) => onTopic('ALTER', t.name))) },
  alterConfigs: { refused: (can, r) => firstRefused(can, listOf(r.resources).map((x) => onConfigResource('ALTER_CONFIGS', x))) },
  incrementalAlterConfigs: { refused: (can, r) => firstRefused(can, listOf(r.resources).map((x) => onConfigResource('ALTER_CONFIGS', x))) },
  describeConfigs: { refused: (can, r) => firstRefused(can, listOf(r.resources).map((x) => onConfigResource('DESCRIBE_CONFIGS', x))) },
  describeGroups: {
    refused: (can, r) => firstRefused(can, listOf(r.groupIds).map((id) => onGroup('DESCRIBE', id))),
    // A listing leaves out the groups the caller may not DESCRIBE (Kafka's ListGroups), and each
    // group its offsets of topics the caller may not DESCRIBE (Kafka's OffsetFetch).
    visible: (can, r, answer) => {
      const shown = listsEveryGroup(r) ? answer.groups.filter((g) => can(onGroup('DESCRIBE', g.groupId))) : answer.groups;
      return { ...answer, groups: shown.map((g) => ({ ...g, offsets: g.offsets.filter((o) => can(onTopic('DESCRIBE', o.topic))) })) };
    },
  },
  describeTopics: {
    refused: (can, r) => firstRefused(can, listOf(r.names).map((name) => onTopic('DESCRIBE', name))),
    visible: (can, r, answer) => {
      const shown = listsEveryTopic(r) ? answer.topics.filter((t) => can(onTopic('DESCRIBE', t.name))) : answer.topics;
      return { ...answer, topics: shown.map((t) => withVisibleConfigs(can, t)) };
    },
  },
};

/** The rule of a method this node knows (a name off the wire: never one of Object's own keys). */
function ruleOf(method: string): Rule<RpcMethod> | undefined {
  return Object.hasOwn(RULES, method) ? (RULES as Readonly<Record<string, Rule<RpcMethod>>>)[method] : undefined;
}

/** What the Raft traffic of voters and observers on a controller listener needs. */
export const RAFT_FRAME_NEED: Need = onCluster('CLUSTER_ACTION');

const REFUSAL_CODE: Readonly<Partial<Record<AclResourceType, number>>> = {
  TOPIC: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  GROUP: ErrorCode.GROUP_AUTHORIZATION_FAILED,
};

/** Who is asking on a channel: the principal it proved (else User:ANONYMOUS) and its IP. */
export function sessionOf(channel: PeerChannel): Session {
  return { principal: channel.principal ?? ANONYMOUS_PRINCIPAL, host: channel.remoteIp === undefined ? '' : sessionHost(channel.remoteIp) };
}

/** Checks a session's RPC requests against one node's authorizer and image. */
export class RpcAuthorization {
  constructor(private readonly authorizer: StandardAuthorizer) {}

  private can(image: MetadataImageView, session: Session): Can {
    return (need) => this.authorizer.authorize(image, session, need.op, need.type, need.name);
  }

  /** Whether the session is a super user: allowed everything, whatever any image holds. */
  isSuperUser(session: Session): boolean {
    return this.authorizer.config.superUsers.has(session.principal);
  }

  /** Whether anyone may call the method (its rule needs nothing, so no image need be current to check it). */
  isOpen(method: string): boolean {
    return ruleOf(method)?.refused === everyone.refused;
  }

  /** Whether the session may send Raft traffic (RAFT_FRAME_NEED). */
  mayReplicate(image: MetadataImageView, session: Session): boolean {
    return this.can(image, session)(RAFT_FRAME_NEED);
  }

  /**
   * Null when the request is allowed; else the refusal to answer with. A method this node does not
   * know is allowed here, so that the caller is told it is unknown rather than refused.
   */
  refusal(image: MetadataImageView, session: Session, method: string, request: object): RemoteError | null {
    const rule = ruleOf(method);
    if (rule === undefined) return null;
    const need = rule.refused(this.can(image, session), request as never, image);
    if (need === null) return null;
    const code = REFUSAL_CODE[need.type] ?? ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    const resource = need.type === 'CLUSTER' ? 'the cluster' : `${need.type.toLowerCase()} '${need.name}'`;
    return new RemoteError({
      code,
      name: errorName(code),
      message: `${session.principal} (from ${session.host}) may not ${method}: it needs ${need.op} on ${resource} (an ACL, or super.users)`,
    });
  }

  /** An allowed request's answer, less what the session may not see. */
  visibleAnswer(image: MetadataImageView, session: Session, method: string, request: object, answer: unknown): unknown {
    const rule = ruleOf(method);
    if (rule?.visible === undefined) return answer;
    return rule.visible(this.can(image, session), request as never, answer as never);
  }
}
