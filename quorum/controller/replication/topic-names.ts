// Kafka's topic name rules (org.apache.kafka.common.internals.Topic): non-empty, at most 249
// characters, only ASCII alphanumerics, '.', '_' and '-', and not "." or "..". The messages are
// Kafka's, so a client sees what it would see from a Kafka controller.
//
// Collisions: '.' and '_' collide in metric names, so a new topic whose name equals an existing one
// after mapping '.' to '_' is refused (an exact match is TOPIC_ALREADY_EXISTS, decided by the caller).
// The image indexes topics by exact name only, so finding a colliding one costs min(2^k, topics)
// lookups for a name with k collision characters: the variants are enumerated when that is fewer
// than the topics, else the topics are scanned. Names without '.' or '_' cost nothing.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { hasCollisionChars, unifyCollisionChars } from '../../../metadata-log/topic-collisions.js';
import { apiError, type ApiError } from '../errors.js';

export const TOPIC_NAME_LENGTH_MAX = 249;

/** The metadata log's own name (Kafka's Topic.CLUSTER_METADATA_TOPIC_NAME): no topic may take it. */
export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

/** Kafka's Topic.isInternal: topics Kafka's own coordinators keep (Metadata reports them as internal). */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name (INVALID_TOPIC_EXCEPTION), or null when it is. */
export function topicNameError(name: string): ApiError | null {
  if (name.length === 0) return apiError('INVALID_TOPIC_EXCEPTION', "Topic name is illegal, it can't be empty");
  if (name === '.' || name === '..') return apiError('INVALID_TOPIC_EXCEPTION', 'Topic name cannot be "." or ".."');
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return apiError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${name}`,
    );
  }
  if (!LEGAL.test(name)) {
    return apiError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
  return null;
}


/**
 * An existing topic (other than `name` itself) whose name collides with `name`, or null. `pending`
 * maps unified names to topics being created by the same request, which collide too. One index
 * lookup (the image keeps names by their unified form), whatever the number of topics.
 */
export function collidingTopic(image: MetadataImageView, name: string, pending?: ReadonlyMap<string, string>): string | null {
  if (!hasCollisionChars(name)) return null;
  const unified = unifyCollisionChars(name);
  const inRequest = pending?.get(unified);
  if (inRequest !== undefined && inRequest !== name) return inRequest;
  return image.topicNamesUnifiedAs(unified).find((other) => other !== name) ?? null;
}
