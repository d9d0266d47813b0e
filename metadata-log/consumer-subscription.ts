// The topics a member of a consumer group ("consumer" protocol type) subscribes to, read from the
// protocol metadata it sent in JoinGroup (and which GroupMetadata records store): Kafka's
// ConsumerProtocolSubscription, whose version 0 (INT16 version, ARRAY[STRING] topics, BYTES user
// data) is a prefix of every later version, so the version number is read and the V0 prefix parsed
// whatever it says, as Kafka's coordinator does (GroupMetadata.subscribedTopics).
//
// Shared by the coordinating broker (offset expiry, OffsetDelete: broker/kafka/groups/
// group-coordinator.ts) and the controller (OffsetDelete from the admin tools, judged on the stored
// membership: quorum/controller/configs/offsets.ts), so both read a subscription alike. Its own
// few bounds-checked reads, not the broker's Kafka codec: the metadata log does not depend on the
// broker.

/** The protocol type of Kafka consumers (KafkaConsumer, kafkajs), whose metadata is a ConsumerProtocolSubscription. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The subscribed topics, or null when the metadata is not a consumer subscription (then nothing is inferred from it). */
export function consumerSubscriptionTopics(metadata: Uint8Array): string[] | null {
  const bytes = Buffer.from(metadata.buffer, metadata.byteOffset, metadata.byteLength);
  let at = 0;
  const take = (n: number): number | null => (bytes.length - at < n ? null : ((at += n), at - n));
  const version = take(2);
  if (version === null || bytes.readInt16BE(version) < 0) return null;
  const countAt = take(4);
  if (countAt === null) return null;
  const count = bytes.readInt32BE(countAt);
  // Each topic takes at least its 2-byte length: a count the bytes cannot hold is not a subscription.
  if (count < 0 || count > (bytes.length - at) / 2) return null;
  const topics: string[] = [];
  for (let i = 0; i < count; i++) {
    const lengthAt = take(2);
    if (lengthAt === null) return null;
    const length = bytes.readInt16BE(lengthAt);
    const start = length < 0 ? null : take(length);
    if (start === null) return null;
    topics.push(bytes.toString('utf8', start, start + length));
  }
  return topics;
}
