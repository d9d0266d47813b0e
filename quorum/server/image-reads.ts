// Reads answered from a node's own image, the same way on controllers and brokers: topics as
// `topics describe` shows them. (DescribeConfigs reuses the controller's describeConfigs.)

import { aclMatchesFilter, ANY_ACL, compareAcls } from '../../metadata-log/acl-filter.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../controller/acls/acl-requests.js';
import type { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataImageView, TopicImage } from '../../metadata-log/image-types.js';
import { snapshotRecords } from '../../metadata-log/snapshot.js';
import { ErrorCode } from '../controller/errors.js';
import { isMoving } from '../controller/replication/reassignments.js';
import type { DescribedGroup, DescribeGroupsRequest, DescribeGroupsResponse, DescribedTopic, DescribeTopicsRequest, DescribeTopicsResponse, ExportMetadataResponse } from './rpc-methods.js';
import { splitOffsetKey } from '../../metadata-log/image-types.js';

/** A replica is offline when its broker is fenced or not registered (Kafka's offline replicas). */
function isOffline(image: MetadataImageView, brokerId: number): boolean {
  const b = image.broker(brokerId);
  return b === undefined || b.fenced;
}

export function describeTopic(image: MetadataImageView, topic: TopicImage): DescribedTopic {
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitions: topic.partitions.map((p, partition) => ({
      partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.replicas.filter((r) => isOffline(image, r)),
      ...(isMoving(p) ? { addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas } : {}),
    })),
    configs: Object.fromEntries(image.configs('topic', topic.name)),
  };
}

/** Whether a describeTopics request lists every topic: names absent, or null off the wire (an authorizer filters such an answer). */
export function listsEveryTopic(request: DescribeTopicsRequest): boolean {
  return request.names === undefined || request.names === null;
}

export function describeTopics(image: MetadataImageView, request: DescribeTopicsRequest): DescribeTopicsResponse {
  const names: unknown = request.names;
  if (names !== undefined && names !== null && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw Object.assign(new Error('describeTopics: names must be a list of topic names'), { code: ErrorCode.INVALID_REQUEST });
  }
  const unknown: string[] = [];
  let chosen: TopicImage[];
  if (listsEveryTopic(request)) {
    chosen = [...image.topics()];
  } else {
    chosen = [];
    for (const name of new Set(request.names)) {
      const t = image.topicByName(name);
      if (t === undefined) unknown.push(name);
      else chosen.push(t);
    }
  }
  chosen.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { metadataOffset: image.provenance.endOffset, topics: chosen.map((t) => describeTopic(image, t)), unknown };
}

/** The image as the records a snapshot of it would hold (a controller's committed image). */
export function exportMetadata(image: MetadataImage): ExportMetadataResponse {
  return { metadataOffset: image.provenance.endOffset, records: [...snapshotRecords(image)] };
}

/** The ACLs a filter selects (DescribeAcls), ordered by resource, principal, then id: a stable listing. */
export function describeAcls(image: MetadataImageView, request: DescribeAclsRequest): DescribeAclsResponse {
  const filter = (request as Partial<DescribeAclsRequest>).filter ?? ANY_ACL;
  const acls = [...image.acls()].filter((a) => aclMatchesFilter(a, filter)).sort(compareAcls);
  return { errorCode: 0, errorMessage: null, acls };
}

/** Whether a describeGroups request lists every group: ids absent, or null off the wire (an authorizer filters such an answer). */
export function listsEveryGroup(request: DescribeGroupsRequest): boolean {
  return request.groupIds === undefined || request.groupIds === null;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One group as the image holds it (see DescribedGroup for the states). */
export function describeGroup(image: MetadataImageView, groupId: string): DescribedGroup {
  const stored = image.groupMetadata(groupId);
  const offsets = [...(image.groupOffsets(groupId) ?? new Map())]
    .map(([key, o]) => ({ ...splitOffsetKey(key), o }))
    // As OffsetFetch shows them: only partitions that exist now.
    .filter(({ topic, partition }) => partition < (image.topicByName(topic)?.partitions.length ?? 0))
    .sort((a, b) => byText(a.topic, b.topic) || a.partition - b.partition)
    .map(({ topic, partition, o }) => ({ topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestampMs: o.commitTimestampMs }));
  if (stored !== undefined) {
    return {
      groupId,
      state: 'Stable',
      protocolType: stored.protocolType,
      protocolName: stored.protocolName,
      generationId: stored.generationId,
      leaderId: stored.leaderId,
      stateTimestampMs: stored.stateTimestampMs,
      members: stored.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: m.assignment })),
      offsets,
    };
  }
  const held = image.groupOffsets(groupId) !== undefined;
  return { groupId, state: held ? 'Empty' : 'Dead', protocolType: held ? 'consumer' : '', protocolName: '', generationId: -1, leaderId: '', stateTimestampMs: -1, members: [], offsets };
}

/** Consumer groups as the metadata log holds them: stored membership and committed offsets (`consumer-groups`). */
export function describeGroups(image: MetadataImageView, request: DescribeGroupsRequest): DescribeGroupsResponse {
  const ids: unknown = request.groupIds;
  if (ids !== undefined && ids !== null && (!Array.isArray(ids) || ids.some((n) => typeof n !== 'string'))) {
    throw Object.assign(new Error('describeGroups: groupIds must be a list of group ids'), { code: ErrorCode.INVALID_REQUEST });
  }
  const chosen = listsEveryGroup(request) ? new Set([...image.groupMetadataIds(), ...image.groupIds()]) : new Set(request.groupIds);
  return { metadataOffset: image.provenance.endOffset, groups: [...chosen].sort(byText).map((g) => describeGroup(image, g)) };
}
