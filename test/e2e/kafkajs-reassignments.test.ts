// Partition reassignment through the Kafka protocol with an unmodified client: kafkajs 2.2.4's
// admin.alterPartitionReassignments and listPartitionReassignments (flexible v0 requests, request
// header v2) against a real split-mode cluster (1 controller + 2 brokers), forwarded by a broker
// to the active controller. A move onto a live broker finishes by itself (the new replica joins the
// ISR at once here) and is then no longer listed; a move onto a broker that is shut down (fenced)
// stays in flight and is listed with its adding and removing replicas, until it is cancelled with
// null replicas. kafkajs cannot send null replicas (its admin wants an array), so the cancel, and
// an ElectLeaders v2, are sent as raw frames encoded by the test mirror codec. An unknown topic is
// UNKNOWN_TOPIC_OR_PARTITION in kafkajs's aggregate error.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admin } from 'kafkajs';
import { startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { connectedAdmin } from '../support/kafkajs.js';
import { ask } from '../support/raw-kafka.js';

describe.sequential('kafkajs 2.2.4 partition reassignment against a split-mode cluster (1 controller + 2 brokers)', () => {
  let t: TestCluster;
  let admin: Admin;
  let b1: number;
  let b2: number;
  let b2Port: number;

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 2, combined: false });
    [b1, b2] = t.cluster.brokers.map((b) => b.id) as [number, number];
    b2Port = t.cluster.node(b2).clientPort!;
    // Only broker 2 as the seed: broker 1 is shut down halfway.
    admin = await connectedAdmin('e2e', [`127.0.0.1:${b2Port}`], 8);
  }, 90_000);

  afterAll(async () => {
    await admin?.disconnect();
    await t?.dispose();
  }, 60_000);

  const listed = async () => (await admin.listPartitionReassignments({ topics: [{ topic: 'kr', partitions: [0] }] })).topics;

  it('alterPartitionReassignments moves a partition onto the other broker: it finishes by itself, and the list is then empty', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'kr', replicaAssignment: [{ partition: 0, replicas: [b1] }] }] })).toBe(true);
    await admin.alterPartitionReassignments({ topics: [{ topic: 'kr', partitionAssignment: [{ partition: 0, replicas: [b2] }] }] });
    await until('the move is done', 20_000, async () => ((await listed()).length === 0 ? true : undefined), 200);
    const p = await until(`kr-0 on broker ${b2} only, in the metadata`, 10_000, async () => {
      const m = await admin.fetchTopicMetadata({ topics: ['kr'] });
      const p0 = m.topics[0]!.partitions[0]!;
      return p0.replicas.join() === String(b2) ? p0 : undefined;
    });
    expect([p.leader, p.isr]).toEqual([b2, [b2]]);
    expect((await admin.listPartitionReassignments({})).topics).toEqual([]); // null topics: every partition
  }, 60_000);

  it('an unknown topic: UNKNOWN_TOPIC_OR_PARTITION for its partition', async () => {
    const error = await admin.alterPartitionReassignments({ topics: [{ topic: 'nope', partitionAssignment: [{ partition: 0, replicas: [b2] }] }] }).then(
      () => null,
      (e: unknown) => e as { name: string; errors?: { type: string; topic: string; partition: number }[] },
    );
    expect(error?.name).toBe('KafkaJSAggregateError');
    expect(error?.errors?.map((e) => [e.type, e.topic, e.partition])).toEqual([['UNKNOWN_TOPIC_OR_PARTITION', 'nope', 0]]);
  }, 30_000);

  it('a move onto a broker that is shut down stays in flight and is listed; cancelled with null replicas it is gone and the partition is back; a second cancel is NO_REASSIGNMENT_IN_PROGRESS', async () => {
    await t.cluster.signal(b1, 'SIGTERM');
    await until(`broker ${b1} gone from the metadata`, 20_000, async () => {
      const m = await admin.fetchTopicMetadata({ topics: ['kr'] });
      return m.topics[0] !== undefined && (await admin.describeCluster()).brokers.every((b) => b.nodeId !== b1) ? true : undefined;
    }, 200);

    await admin.alterPartitionReassignments({ topics: [{ topic: 'kr', partitionAssignment: [{ partition: 0, replicas: [b1] }] }] });
    expect(await listed()).toEqual([{ name: 'kr', partitions: [{ partition: 0, replicas: [b1, b2], addingReplicas: [b1], removingReplicas: [b2] }] }]);
    // It stays so: the target is fenced, so it cannot join the ISR.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await admin.listPartitionReassignments({})).topics).toHaveLength(1);

    const cancel = () => ask(b2Port, 'AlterPartitionReassignments', 0, { timeoutMs: 30_000, topics: [{ name: 'kr', partitions: [{ partitionIndex: 0, replicas: null }] }] });
    expect(await cancel()).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses: [{ name: 'kr', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }] });
    expect(await listed()).toEqual([]);
    const back = await until(`kr-0 back on broker ${b2} only`, 10_000, async () => {
      const p0 = (await admin.fetchTopicMetadata({ topics: ['kr'] })).topics[0]!.partitions[0]!;
      return p0.replicas.join() === String(b2) ? p0 : undefined;
    });
    expect(back.leader).toBe(b2);
    const again = await cancel();
    expect(again.responses[0]!.partitions[0]!.errorCode).toBe(85); // NO_REASSIGNMENT_IN_PROGRESS
  }, 60_000);

  it('ElectLeaders v2 (flexible) through the broker: the preferred replica already leads, ELECTION_NOT_NEEDED; an unknown partition UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const r = await ask(b2Port, 'ElectLeaders', 2, { electionType: 0, topicPartitions: [{ topic: 'kr', partitions: [0, 5] }], timeoutMs: 30_000 });
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      replicaElectionResults: [
        {
          topic: 'kr',
          partitionResult: [
            { partitionId: 0, errorCode: 84, errorMessage: 'Leader election not needed for topic partition.' },
            { partitionId: 5, errorCode: 3, errorMessage: 'No such partition as kr-5' },
          ],
        },
      ],
    });
  }, 30_000);
});
