// Metadata's error codes, as Kafka's KRaftMetadataCache and KafkaApis answer them: kafkajs acts on
// them (it retries LEADER_NOT_AVAILABLE; a leader missing from brokers[] fails it with "broker not
// found"). From a review of the broker's Kafka side; answers go over the wire codec.

import { describe, expect, it } from 'vitest';
import { handleMetadata } from '../../broker/kafka/handlers/metadata.js';
import type { MetadataRecord, PartitionRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { createTopics } from '../../quorum/controller/replication/create-topics.js';
import { rng } from './controller-replication-fixtures.js';
import { topicIdOf } from './controller-configs-fixture.js';
import { brokerRecord, mvRecord, overTheWire, testbed, withEndpoints } from './kafka-handlers-fixture.js';

function topicOn(name: string, no: number, leader: number, replicas: number[], isr: number[]): MetadataRecord[] {
  const topicId = topicIdOf(no);
  const p: PartitionRecord = {
    type: 'Partition',
    topicId,
    partitionId: 0,
    replicas,
    isr,
    removingReplicas: [],
    addingReplicas: [],
    leader,
    leaderRecoveryState: 0,
    leaderEpoch: 1,
    partitionEpoch: 1,
  };
  return [{ type: 'Topic', name, topicId }, p];
}


describe('Metadata error codes', () => {
  it('a leaderless partition (its only ISR broker fenced): LEADER_NOT_AVAILABLE, leader -1', async () => {
    const tb = testbed({ baseRecords: [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11, { fenced: true }), ...topicOn('orphan', 1, -1, [2], [2])] });
    const r = await overTheWire('Metadata', 6, { topics: ['orphan'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(r.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas: [2] });
  });

  it('a leader that is a live broker registered without this listener: LISTENER_NOT_FOUND from v6, LEADER_NOT_AVAILABLE below, leader -1 either way', async () => {
    const b2OtherListenerOnly = withEndpoints(brokerRecord(2, 11), [{ name: 'INTERNAL', host: 'b2', port: 9093, securityProtocol: 'PLAINTEXT' }]);
    const tb = testbed({ baseRecords: [mvRecord(), brokerRecord(1, 10), b2OtherListenerOnly, ...topicOn('t', 1, 2, [2, 1], [2, 1])] });
    const v6 = await overTheWire('Metadata', 6, { topics: ['t'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(v6.brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(v6.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LISTENER_NOT_FOUND, leaderId: -1 });
    const v5 = await overTheWire('Metadata', 5, { topics: ['t'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(v5.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1 });
  });

  it("Kafka's internal topic names (__consumer_offsets, __transaction_state) are reported is_internal; others are not", async () => {
    const tb = testbed({ baseRecords: [mvRecord(), brokerRecord(1, 10), ...topicOn('__consumer_offsets', 1, 1, [1], [1]), ...topicOn('__transaction_state', 2, 1, [1], [1]), ...topicOn('t', 3, 1, [1], [1])] });
    const r = await overTheWire('Metadata', 6, { topics: ['__consumer_offsets', '__transaction_state', 't'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(r.topics.map((t) => [t.name, t.isInternal])).toEqual([['__consumer_offsets', true], ['__transaction_state', true], ['t', false]]);
  });

  it('a partition led by a live broker on this listener: NONE with its leader', async () => {
    const tb = testbed({ baseRecords: [mvRecord(), brokerRecord(1, 10), brokerRecord(2, 11), ...topicOn('t', 1, 2, [2, 1], [2, 1])] });
    const r = await overTheWire('Metadata', 6, { topics: ['t'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(r.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, leaderId: 2 });
  });

  it('a name no topic can have: INVALID_TOPIC_EXCEPTION; a legal one that does not exist: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const tb = testbed();
    const r = await overTheWire('Metadata', 6, { topics: ['bad name!', 'absent'], allowAutoTopicCreation: false }, handleMetadata, tb.ctx);
    expect(r.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['absent', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it("auto-create: created by the controller but not yet in this broker's image: LEADER_NOT_AVAILABLE, which kafkajs retries", async () => {
    const tb = testbed();
    tb.lagging(true);
    tb.controller.canned.createTopics = (req) => ({ topics: req.topics.map((t) => ({ name: t.name, topicId: topicIdOf(77), errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: [] })) }) as never;
    const r = await overTheWire('Metadata', 6, { topics: ['fresh'], allowAutoTopicCreation: true }, handleMetadata, { ...tb.ctx, autoCreateTopicsEnable: true });
    expect(tb.controller.methods()).toEqual(['createTopics']);
    expect(r.topics[0]!.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
  });

  it('auto-create of a topic named twice in one request creates it once (a repeat made the controller refuse it as a duplicate, INVALID_REQUEST)', async () => {
    const tb = testbed();
    // The controller's own operation, run on the harness (it refuses a request naming a topic twice).
    tb.controller.canned.createTopics = (req) => tb.harness.apply(createTopics(tb.harness.ctx(), req, rng())) as never;
    const r = await overTheWire('Metadata', 6, { topics: ['fresh', 'fresh'], allowAutoTopicCreation: true }, handleMetadata, { ...tb.ctx, autoCreateTopicsEnable: true });
    expect((tb.controller.calls[0]!.request as { topics: { name: string }[] }).topics.map((t) => t.name)).toEqual(['fresh']);
    expect(tb.harness.image.topicByName('fresh')).toBeDefined();
    expect(r.topics.map((t) => [t.name, t.errorCode])).toEqual([['fresh', ErrorCode.NONE]]);
  });

  it("auto-create refused by the controller: its error (here INVALID_REPLICATION_FACTOR); an illegal name is not sent to be created", async () => {
    const tb = testbed();
    tb.controller.canned.createTopics = (req) => ({ topics: req.topics.map((t) => ({ name: t.name, topicId: null, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'rf', numPartitions: -1, replicationFactor: -1, configs: [] })) }) as never;
    const r = await overTheWire('Metadata', 6, { topics: ['fresh', 'bad name!'], allowAutoTopicCreation: true }, handleMetadata, { ...tb.ctx, autoCreateTopicsEnable: true });
    expect(r.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REPLICATION_FACTOR, ErrorCode.INVALID_TOPIC_EXCEPTION]);
    expect((tb.controller.calls[0]!.request as { topics: { name: string }[] }).topics.map((t) => t.name)).toEqual(['fresh']);
  });

  it('auto-create without an answer from the controller: LEADER_NOT_AVAILABLE (retriable), not UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const tb = testbed();
    tb.controller.failure = new Error('connection lost');
    const r = await overTheWire('Metadata', 6, { topics: ['fresh'], allowAutoTopicCreation: true }, handleMetadata, { ...tb.ctx, autoCreateTopicsEnable: true });
    expect(r.topics[0]!.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
  });
});
