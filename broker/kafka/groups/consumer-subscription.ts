// The topics a member of a consumer group ("consumer" protocol type) subscribes to, read from the
// protocol metadata it sent in JoinGroup: Kafka's ConsumerProtocolSubscription, whose version 0
// (INT16 version, ARRAY[STRING] topics, BYTES user data) is a prefix of every later version, so
// the version number is read and the V0 prefix parsed whatever it says, as Kafka's coordinator does.
// Offset expiry needs it (broker/offset-expirer.ts): a stable group's offsets of topics no member
// subscribes to expire like those of an empty group.

import { KafkaReader } from '../protocol/reader.js';

/** The subscribed topics, or null when the metadata is not a consumer subscription (then nothing is inferred from it). */
export function consumerSubscriptionTopics(metadata: Uint8Array): string[] | null {
  try {
    const r = new KafkaReader(metadata);
    if (r.int16('version') < 0) return null;
    return r.stringArray('topics');
  } catch {
    return null;
  }
}
