// DeleteTopics (api 20) on the controller: Kafka's ControllerApis.deleteTopics +
// ReplicationControlManager.deleteTopics. Topics are named by name or by id (one of the two per
// entry). Per entry, in request order:
//   - neither or both of name and id given        → INVALID_REQUEST
//   - the same name (or the same id) twice        → INVALID_REQUEST for every occurrence
//   - unknown name → UNKNOWN_TOPIC_OR_PARTITION; unknown id → UNKNOWN_TOPIC_ID
//   - more topics than the operation's record bound → POLICY_VIOLATION for the ones past it
// Each topic deleted writes one RemoveTopicRecord (its partitions and topic configs go with it on
// replay). A topic named once by name and once by id is deleted once and both entries succeed.
// Consumer groups' committed offsets on a deleted topic are tombstoned in the same operation (as
// Kafka's group coordinator drops offsets of deleted partitions), so a topic created again under
// the same name does not inherit them. Past maxRecordsPerOperation the controller writes the
// operation as a metadata transaction, so the deletion and the tombstones land together.

import type { OffsetCommitTombstoneRecord, RemoveTopicRecord, Uuid } from '../../../metadata-log/records/types.js';
import { splitOffsetKey, type MetadataImageView } from '../../../metadata-log/image-types.js';
import { ZERO_UUID } from '../../../metadata-log/records/uuid.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import type { RequestMutationQuota, MutationQuotaClaim } from '../quotas/controller-mutation-quotas.js';

export interface DeleteTopicState {
  /** null when the topic is named by id. */
  readonly name: string | null;
  /** null when the topic is named by name. */
  readonly topicId: Uuid | null;
}

export interface DeleteTopicsRequest {
  readonly topics: readonly DeleteTopicState[];
  /** Set by a broker forwarding a Kafka client's request: whose controller_mutation_rate it charges. */
  readonly mutationQuota?: MutationQuotaClaim;
}

export interface DeletableTopicResult {
  /** The topic's name when known (null for an unknown id). */
  readonly name: string | null;
  /** The topic's id when known (ZERO_UUID for an unknown name). */
  readonly topicId: Uuid;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DeleteTopicsResponse {
  /** One per requested topic, in request order. */
  readonly responses: readonly DeletableTopicResult[];
  /** How long the client should wait before its next mutation (its controller_mutation_rate); absent: 0. */
  readonly throttleTimeMs?: number;
}

function failed(entry: DeleteTopicState, error: ApiError): DeletableTopicResult {
  return { name: entry.name, topicId: entry.topicId ?? ZERO_UUID, errorCode: error.code, errorMessage: error.message };
}

export function deleteTopics(ctx: OpContext, request: DeleteTopicsRequest, quota?: RequestMutationQuota): OpResult<DeleteTopicsResponse> {
  const image = ctx.image;
  const max = ctx.config.maxRecordsPerOperation;
  const names = new Map<string, number>();
  const ids = new Map<Uuid, number>();
  for (const t of request.topics) {
    if (t.name !== null) names.set(t.name, (names.get(t.name) ?? 0) + 1);
    if (t.topicId !== null) ids.set(t.topicId, (ids.get(t.topicId) ?? 0) + 1);
  }

  const records: RemoveTopicRecord[] = [];
  const removed = new Set<Uuid>();
  const responses: DeletableTopicResult[] = [];
  for (const entry of request.topics) {
    const byName = entry.name !== null;
    const byId = entry.topicId !== null && entry.topicId !== ZERO_UUID;
    if (byName === byId) {
      responses.push(failed(entry, apiError('INVALID_REQUEST', 'Exactly one of topic name and topic id must be given.')));
      continue;
    }
    if (byName ? (names.get(entry.name!) ?? 0) > 1 : (ids.get(entry.topicId!) ?? 0) > 1) {
      responses.push(failed(entry, apiError('INVALID_REQUEST', byName ? 'Duplicate topic name.' : 'Duplicate topic id.')));
      continue;
    }
    const topic = byName ? image.topicByName(entry.name!) : image.topicById(entry.topicId!);
    if (topic === undefined) {
      responses.push(
        failed(
          entry,
          byName
            ? apiError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic: ${entry.name}.`)
            : apiError('UNKNOWN_TOPIC_ID', `This server does not host a topic with id ${entry.topicId}.`),
        ),
      );
      continue;
    }
    if (!removed.has(topic.topicId)) {
      if (records.length >= max) {
        responses.push(
          failed(entry, apiError('POLICY_VIOLATION', `Unable to delete topic ${topic.name}: one operation may delete at most ${max} topics; send it in another request.`)),
        );
        continue;
      }
      const throttled = quota?.charge(topic.partitions.length) ?? null;
      if (throttled !== null) {
        responses.push(failed(entry, throttled));
        continue;
      }
      removed.add(topic.topicId);
      records.push({ type: 'RemoveTopic', topicId: topic.topicId });
    }
    responses.push({ name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  const deletedNames = new Set([...removed].map((id) => image.topicById(id)!.name));
  const throttleTimeMs = quota?.throttleTimeMs ?? 0;
  return { records: [...records, ...offsetTombstones(image, deletedNames)], response: { responses, ...(throttleTimeMs > 0 ? { throttleTimeMs } : {}) } };
}

/** A tombstone for every committed offset any group holds on one of `topics`. */
function offsetTombstones(image: MetadataImageView, topics: ReadonlySet<string>): OffsetCommitTombstoneRecord[] {
  const out: OffsetCommitTombstoneRecord[] = [];
  if (topics.size === 0) return out;
  for (const groupId of image.groupIds()) {
    for (const key of image.groupOffsets(groupId)?.keys() ?? []) {
      const { topic, partition } = splitOffsetKey(key);
      if (topics.has(topic)) out.push({ type: 'OffsetCommitTombstone', groupId, topic, partition });
    }
  }
  return out;
}
