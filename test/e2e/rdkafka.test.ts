// A second, independent Kafka client: node-rdkafka (librdkafka, C) against a real multi-process
// cluster. librdkafka negotiates differently from kafkajs (ApiVersions v3, answered with error 35
// in the v0 layout, then v0; then Metadata v6 and CreateTopics v3), sends CreateTopics to the
// controller_id it read from Metadata, and keeps its own view of brokers and leaders. Only
// connect + Metadata + CreateTopics here: our brokers serve no Produce/Fetch.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Kafka from 'node-rdkafka';
import type { IAdminClient, LibrdKafkaError, Metadata, NewTopic, Producer } from 'node-rdkafka';
import { startTestCluster, until, type TestCluster } from '../support/process-harness.js';

const { ERRORS } = Kafka.CODES;

describe.sequential(`node-rdkafka (librdkafka ${Kafka.librdkafkaVersion}) against a split-mode cluster (3 controllers + 2 brokers)`, () => {
  let t: TestCluster;
  let admin: IAdminClient | undefined;
  let producer: Producer | undefined;
  const logs: string[] = [];

  const createTopic = (topic: NewTopic): Promise<LibrdKafkaError | null> =>
    new Promise((resolve) => admin!.createTopic(topic, 10_000, (err) => resolve(err ?? null)));
  const metadata = (): Promise<Metadata> =>
    new Promise((resolve, reject) => producer!.getMetadata({ allTopics: true, timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data))));

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 3, brokers: 2, combined: false });
    // Logs: node-rdkafka's AdminClient swallows librdkafka's (it installs an event callback that
    // JS cannot listen to); the producer's go to a buffer that is printed when a test fails.
    // RDKAFKA_DEBUG=protocol,broker (librdkafka `debug` contexts) also prints the producer's to
    // stderr: the requests and versions librdkafka sends.
    const debug = process.env['RDKAFKA_DEBUG'] ? { debug: process.env['RDKAFKA_DEBUG'] } : {};
    const common = { 'bootstrap.servers': t.cluster.bootstrapServers(), 'client.id': 'e2e-rdkafka', ...debug };
    admin = Kafka.AdminClient.create(common);
    producer = new Kafka.Producer({ ...common, event_cb: true, 'socket.timeout.ms': 10_000 });
    producer.on('event.log', (l: { severity: number; fac: string; message: string }) => logs.push(`${l.severity} ${l.fac} ${l.message}`));
    producer.on('event.error', (e: LibrdKafkaError) => logs.push(`error ${e.code} ${e.message}`));
    if (debug.debug) producer.on('event.log', (l: { fac: string; message: string }) => process.stderr.write(`producer ${l.fac} ${l.message}\n`));
    await new Promise<void>((resolve, reject) => producer!.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())));
  }, 120_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && logs.length > 0) console.error(`librdkafka (producer) logs:\n${logs.join('\n')}`);
  });

  afterAll(async () => {
    admin?.disconnect();
    if (producer?.isConnected()) await new Promise<void>((resolve) => producer!.disconnect(10_000, () => resolve()));
    await t?.dispose();
  }, 60_000);

  it('reads the cluster from Metadata: exactly the brokers, at their advertised host:port', async () => {
    const m = await metadata();
    const expected = t.cluster.brokers.map((b) => ({ id: b.id, host: '127.0.0.1', port: b.clientPort! })).sort((a, b) => a.id - b.id);
    expect([...m.brokers].sort((a, b) => a.id - b.id)).toEqual(expected);
    expect(t.cluster.bootstrapServers().split(',').sort()).toEqual(expected.map((b) => `${b.host}:${b.port}`).sort());
    expect(expected.map((b) => b.id)).toContain(m.orig_broker_id);
    expect(m.topics).toEqual([]);
  });

  it('creates topics through the controller, and reads them back from Metadata', async () => {
    expect(await createTopic({ topic: 'rd-three', num_partitions: 3, replication_factor: 2 })).toBeNull();
    expect(await createTopic({ topic: 'rd-one', num_partitions: 1, replication_factor: 1, config: { 'retention.ms': '3600000' } })).toBeNull();

    // Metadata is answered by one broker from its own image: the other may need a moment to apply
    // the new records (as in Kafka), so look until both topics show with all their partitions.
    const m = await until('both topics in the metadata', 15_000, async () => {
      const m = await metadata();
      const n = (name: string) => m.topics.find((x) => x.name === name)?.partitions.length;
      return n('rd-three') === 3 && n('rd-one') === 1 ? m : undefined;
    });
    expect(m.topics.map((x) => x.name).sort()).toEqual(['rd-one', 'rd-three']);
    const brokers = new Set(t.cluster.brokers.map((b) => b.id));
    for (const [name, rf] of [['rd-three', 2], ['rd-one', 1]] as const) {
      const parts = m.topics.find((x) => x.name === name)!.partitions;
      expect(parts.map((p) => p.id).sort()).toEqual([...parts.keys()]);
      for (const p of parts) {
        expect(brokers.has(p.leader)).toBe(true);
        expect(p.replicas).toHaveLength(rf);
        expect(new Set(p.replicas).size).toBe(rf);
        for (const r of p.replicas) expect(brokers.has(r)).toBe(true);
        expect(p.replicas).toContain(p.leader);
        expect(p.isrs.length).toBeGreaterThan(0);
        for (const r of p.isrs) expect(p.replicas).toContain(r);
      }
    }
  }, 60_000);

  it('gets the broker errors back for a duplicate, an invalid name and an impossible replication factor', async () => {
    expect((await createTopic({ topic: 'rd-three', num_partitions: 3, replication_factor: 2 }))?.code).toBe(ERRORS.ERR_TOPIC_ALREADY_EXISTS);
    expect((await createTopic({ topic: 'bad name!', num_partitions: 1, replication_factor: 1 }))?.code).toBe(ERRORS.ERR_TOPIC_EXCEPTION);
    expect((await createTopic({ topic: 'rd-too-many', num_partitions: 1, replication_factor: 3 }))?.code).toBe(ERRORS.ERR_INVALID_REPLICATION_FACTOR);
    const m = await metadata();
    expect(m.topics.map((x) => x.name).sort()).toEqual(['rd-one', 'rd-three']);
  }, 60_000);
});
