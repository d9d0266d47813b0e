// Static group membership (KIP-345) with a real client: two node-rdkafka (librdkafka) consumers
// with group.instance.id against a one-node cluster. The second is closed and started again with
// the same instance id: it must get the same partitions back, and the first must see no rebalance.
// Our brokers serve no Fetch (librdkafka then fetches nothing): the consumers only join, sync and
// heartbeat, which is all this needs. consume() runs node-rdkafka's poll loop, which is what serves
// the rebalance callbacks (without it no assignment is ever reported). A third consumer, in a group
// of its own, commits offsets and reads them back: librdkafka's OffsetCommit and OffsetFetch (v5).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Kafka from 'node-rdkafka';
import type { IAdminClient, KafkaConsumer, LibrdKafkaError } from 'node-rdkafka';
import { connectProbe, disconnectConsumer, lastAssigned, newProbe, type Probe } from '../support/rdkafka-probe.js';
import { startTestCluster, until, type TestCluster } from '../support/process-harness.js';

const TOPIC = 'rd-static';
const GROUP = 'rd-static-group';

describe.sequential(`node-rdkafka (librdkafka ${Kafka.librdkafkaVersion}) static members`, () => {
  let t: TestCluster;
  let admin: IAdminClient | undefined;
  const open: KafkaConsumer[] = [];

  function consumer(instance: string, extra: Record<string, string | number | boolean> = {}): Probe {
    const p = newProbe(t.cluster.bootstrapServers(), GROUP, instance, extra);
    open.push(p.consumer);
    return p;
  }
  const connect = connectProbe;
  const disconnect = disconnectConsumer;

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: true });
    admin = Kafka.AdminClient.create({ 'bootstrap.servers': t.cluster.bootstrapServers() });
    const err = await new Promise<LibrdKafkaError | null>((resolve) => admin!.createTopic({ topic: TOPIC, num_partitions: 4, replication_factor: 1 }, 10_000, (e) => resolve(e ?? null)));
    expect(err).toBeNull();
  }, 120_000);

  afterAll(async () => {
    for (const c of open) if (c.isConnected()) await disconnect(c);
    admin?.disconnect();
    await t?.dispose();
  }, 60_000);

  it('a consumer restarted with the same group.instance.id gets the same partitions; the other member sees no rebalance', async () => {
    const a = consumer('static-a');
    const b = consumer('static-b');
    let b2: Probe | undefined;
    try {
      await connect(a);
      a.consumer.subscribe([TOPIC]);
      a.consumer.consume();
      await until('a alone has all four partitions', 30_000, async () => (lastAssigned(a)?.split(',').length === 4 ? true : undefined));
      await connect(b);
      b.consumer.subscribe([TOPIC]);
      b.consumer.consume();
      await until('a and b share the partitions', 30_000, async () => {
        const [pa, pb] = [lastAssigned(a), lastAssigned(b)];
        return pa !== undefined && pb !== undefined && pa.split(',').length === 2 && pb.split(',').length === 2 ? true : undefined;
      });
      const before = { a: lastAssigned(a)!, b: lastAssigned(b)!, aEvents: a.events.length };

      // b stops (a static member sends no LeaveGroup) and starts again with the same instance id.
      await disconnect(b.consumer);
      const restarted = (b2 = consumer('static-b'));
      await connect(restarted);
      restarted.consumer.subscribe([TOPIC]);
      restarted.consumer.consume();
      await until('the restarted b is assigned', 30_000, async () => (lastAssigned(restarted) !== undefined ? true : undefined));
      expect(lastAssigned(restarted)).toBe(before.b);
      // Several of a's heartbeats later: still no rebalance event on a.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(a.events.slice(before.aEvents)).toEqual([]);
      expect(lastAssigned(a)).toBe(before.a);
    } catch (e) {
      console.error(`a: ${a.events.join(' ')}\nb: ${b.events.join(' ')}\nb restarted: ${b2?.events.join(' ') ?? '-'}\n${[...a.logs, ...b.logs, ...(b2?.logs ?? [])].slice(-40).join('\n')}`);
      throw e;
    }
  }, 120_000);

  it('offsets committed by librdkafka are fetched back by it over OffsetFetch v5 (committed leader epoch in the answer)', async () => {
    // A group of its own: joining the static members' group would make them rebalance (and slow their close).
    const p = consumer('static-offsets', { 'group.id': 'rd-offsets-group', debug: 'protocol' });
    try {
      await connect(p);
      p.consumer.subscribe([TOPIC]);
      p.consumer.consume();
      await until('the member is assigned', 30_000, async () => (lastAssigned(p) !== undefined ? true : undefined));
      const mine = lastAssigned(p)!.split(',').map((tp) => Number(tp.slice(tp.lastIndexOf('-') + 1)));
      p.consumer.commitSync(mine.map((partition, i) => ({ topic: TOPIC, partition, offset: 40 + i })));
      const committed = await new Promise<{ partition: number; offset: number }[]>((resolve, reject) =>
        p.consumer.committed(mine.map((partition) => ({ topic: TOPIC, partition })), 10_000, (err, tps) => (err ? reject(err) : resolve(tps))),
      );
      const byPartition = (xs: number[][]) => xs.sort((x, y) => x[0]! - y[0]!);
      expect(byPartition(committed.map((c) => [c.partition, c.offset]))).toEqual(byPartition(mine.map((partition, i) => [partition, 40 + i])));
      // librdkafka picks the highest version both sides speak: the v5 this broker now advertises.
      expect(p.logs.some((l) => /OffsetFetchRequest \(v5/.test(l))).toBe(true);
    } catch (e) {
      console.error(p.logs.filter((l) => /OffsetFetch|OffsetCommit/.test(l)).slice(-20).join('\n'));
      throw e;
    }
  }, 60_000);
});
