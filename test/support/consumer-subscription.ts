// A ConsumerProtocolSubscription as Kafka consumers send it in JoinGroup (and GroupMetadata records
// store it): INT16 version, ARRAY[STRING] topics, then BYTES user data (null here) and, from
// version 1, the owned partitions (none). `rest` replaces what follows the topics.

export function consumerSubscription(topics: readonly string[], version = 1, rest?: readonly number[]): Buffer {
  const parts: Buffer[] = [Buffer.from([version >> 8, version & 0xff]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const t of topics) {
    const name = Buffer.from(t, 'utf8');
    const len = Buffer.alloc(2);
    len.writeInt16BE(name.length);
    parts.push(len, name);
  }
  parts.push(Buffer.from(rest ?? (version === 0 ? [0xff, 0xff, 0xff, 0xff] : [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])));
  return Buffer.concat(parts);
}
