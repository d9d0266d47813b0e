// A node-rdkafka (librdkafka) consumer for the end-to-end tests of consumer groups, with what the
// tests look at: every rebalance event it reports ('assign:t-0,t-1', 'revoke:...', served by its
// poll loop, which consume() runs) and its log and error lines for failure messages. Our brokers
// serve no Fetch: such a consumer only joins, syncs and heartbeats (and commits, if asked).

import Kafka from 'node-rdkafka';
import type { KafkaConsumer, LibrdKafkaError, TopicPartition } from 'node-rdkafka';

export interface Probe {
  readonly consumer: KafkaConsumer;
  /** Every rebalance event seen: 'assign:t-0,t-1' or 'revoke:...'. */
  readonly events: string[];
  readonly logs: string[];
}

const names = (ps: readonly TopicPartition[]): string => ps.map((p) => `${p.topic}-${p.partition}`).sort().join(',');

/** A consumer of `group` (static when `instance` is given), 30 s session, 500 ms heartbeats, range assignor; `extra` on top. */
export function newProbe(bootstrapServers: string, group: string, instance: string | null, extra: Record<string, string | number | boolean> = {}): Probe {
  const events: string[] = [];
  const logs: string[] = [];
  const c = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': bootstrapServers,
      'group.id': group,
      ...(instance === null ? {} : { 'group.instance.id': instance }),
      'client.id': `e2e-${instance ?? 'dynamic'}`,
      'session.timeout.ms': 30_000,
      'heartbeat.interval.ms': 500,
      'enable.auto.commit': false,
      'partition.assignment.strategy': 'range',
      event_cb: true,
      // node-rdkafka assigns and unassigns itself, and reports each rebalance as an event.
      rebalance_cb: true,
      ...extra,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  c.on('rebalance', (err: LibrdKafkaError, assignment: TopicPartition[]) =>
    events.push(`${err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS ? 'assign' : 'revoke'}:${names(assignment)}`),
  );
  c.on('event.log', (l: { fac: string; message: string }) => logs.push(`${l.fac} ${l.message}`));
  c.on('event.error', (e: LibrdKafkaError) => logs.push(`error ${e.code} ${e.message}`));
  return { consumer: c, events, logs };
}

export const connectProbe = (p: Probe): Promise<void> =>
  new Promise((resolve, reject) => p.consumer.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())));

export const disconnectConsumer = (c: KafkaConsumer): Promise<void> => new Promise((resolve) => c.disconnect(() => resolve()));

/** The partitions of the last assignment reported ('t-0,t-1'), or undefined before any. */
export const lastAssigned = (p: Probe): string | undefined => [...p.events].reverse().find((e) => e.startsWith('assign:'))?.slice('assign:'.length);
