// A client-side mirror of the Kafka codec in broker/kafka/protocol, written independently of it: a
// request encoder and a response decoder per API and version (what a client such as kafkajs does),
// used by the codec's tests and by the fuzzer (tools/fuzz) as its corpus; plus per-version sample
// requests and responses. In the samples, every field a version does not carry holds the value
// the codec fills in (or the test decoder reports) for that version, so a round trip must give
// back exactly the sample; every field the version does carry holds a non-default value, so a
// field written at the wrong version shows up as a mismatch or as trailing bytes. The primitives
// used here are pinned byte for byte in kafka-protocol-primitives.test.ts (the flexible ones in
// kafka-protocol-flexible.test.ts, which also runs kafkajs's own encoders and decoders for the
// reassignment APIs), and one version per API is pinned byte for byte in
// kafka-protocol-layouts.test.ts, so this is not the codec tested against itself only.

import { KafkaReader } from '../../broker/kafka/protocol/reader.js';
import { KafkaWriter } from '../../broker/kafka/protocol/writer.js';
import type { KafkaApiName, KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { KAFKA_APIS } from '../../broker/kafka/protocol/index.js';

export interface Mirror<N extends KafkaApiName> {
  /** The first flexible version (request header v2, response header v1 but for ApiVersions); absent: none. */
  readonly firstFlexibleVersion?: number;
  encodeRequest(w: KafkaWriter, version: number, request: KafkaApiTypes[N][0]): void;
  decodeResponse(r: KafkaReader, version: number): KafkaApiTypes[N][1];
  requestSample(version: number): KafkaApiTypes[N][0];
  responseSample(version: number): KafkaApiTypes[N][1];
}

const throttle = (r: KafkaReader, present: boolean): number => (present ? r.int32() : 0);

export const MIRRORS: { readonly [N in KafkaApiName]: Mirror<N> } = {
  ApiVersions: {
    encodeRequest() {},
    decodeResponse(r, v) {
      const errorCode = r.int16();
      const apiKeys = r.array((ar) => ({ apiKey: ar.int16(), minVersion: ar.int16(), maxVersion: ar.int16() }));
      return { errorCode, apiKeys, throttleTimeMs: throttle(r, v >= 1) };
    },
    requestSample: () => ({}),
    responseSample: (v) => ({
      errorCode: 0,
      apiKeys: [
        { apiKey: 3, minVersion: 0, maxVersion: 6 },
        { apiKey: 18, minVersion: 0, maxVersion: 2 },
      ],
      throttleTimeMs: v >= 1 ? 7 : 0,
    }),
  },

  Metadata: {
    encodeRequest(w, v, req) {
      if (v === 0) w.stringArray(req.topics ?? []);
      else w.nullableArray(req.topics, (tw, t) => tw.string(t));
      if (v >= 4) w.boolean(req.allowAutoTopicCreation);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 3);
      const brokers = r.array((br) => ({
        nodeId: br.int32(),
        host: br.string(),
        port: br.int32(),
        rack: v >= 1 ? br.nullableString() : null,
      }));
      const clusterId = v >= 2 ? r.nullableString() : null;
      const controllerId = v >= 1 ? r.int32() : -1;
      const topics = r.array((tr) => ({
        errorCode: tr.int16(),
        name: tr.string(),
        isInternal: v >= 1 ? tr.boolean() : false,
        partitions: tr.array((pr) => ({
          errorCode: pr.int16(),
          partitionIndex: pr.int32(),
          leaderId: pr.int32(),
          replicaNodes: pr.int32Array(),
          isrNodes: pr.int32Array(),
          offlineReplicas: v >= 5 ? pr.int32Array() : [],
        })),
      }));
      return { throttleTimeMs, brokers, clusterId, controllerId, topics };
    },
    requestSample: (v) => ({ topics: ['orders', 'payments'], allowAutoTopicCreation: v >= 4 ? false : true }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 3 ? 11 : 0,
      brokers: [
        { nodeId: 1, host: '127.0.0.1', port: 29093, rack: v >= 1 ? 'rack-a' : null },
        { nodeId: 2, host: 'b2.example', port: 29094, rack: null },
      ],
      clusterId: v >= 2 ? 'poc-cluster' : null,
      controllerId: v >= 1 ? 2 : -1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: v >= 1,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: v >= 5 ? [2] : [] },
            { errorCode: 9, partitionIndex: 1, leaderId: -1, replicaNodes: [2], isrNodes: [], offlineReplicas: [] },
          ],
        },
        { errorCode: 3, name: 'missing', isInternal: false, partitions: [] },
      ],
    }),
  },

  CreateTopics: {
    encodeRequest(w, v, req) {
      w.array(req.topics, (tw, t) => {
        tw.string(t.name).int32(t.numPartitions).int16(t.replicationFactor);
        tw.array(t.assignments, (aw, a) => aw.int32(a.partitionIndex).int32Array(a.brokerIds));
        tw.array(t.configs, (cw, c) => cw.string(c.name).nullableString(c.value));
      });
      w.int32(req.timeoutMs);
      if (v >= 1) w.boolean(req.validateOnly);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 2);
      const topics = r.array((tr) => ({
        name: tr.string(),
        errorCode: tr.int16(),
        errorMessage: v >= 1 ? tr.nullableString() : null,
      }));
      return { throttleTimeMs, topics };
    },
    requestSample: (v) => ({
      topics: [
        { name: 't1', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] },
        {
          name: 't2',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [1, 2] },
            { partitionIndex: 1, brokerIds: [2, 3] },
          ],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
        { name: 't3', numPartitions: 3, replicationFactor: 2, assignments: [], configs: [] },
      ],
      timeoutMs: 5000,
      validateOnly: v >= 1,
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 2 ? 5 : 0,
      topics: [
        { name: 't1', errorCode: 0, errorMessage: null },
        { name: 't2', errorCode: 36, errorMessage: v >= 1 ? "Topic 't2' already exists." : null },
      ],
    }),
  },

  DeleteTopics: {
    encodeRequest(w, _v, req) {
      w.stringArray(req.topicNames).int32(req.timeoutMs);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      return { throttleTimeMs, responses: r.array((rr) => ({ name: rr.string(), errorCode: rr.int16() })) };
    },
    requestSample: () => ({ topicNames: ['a', 'bb'], timeoutMs: 30000 }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 1 ? 3 : 0,
      responses: [
        { name: 'a', errorCode: 0 },
        { name: 'bb', errorCode: 3 },
      ],
    }),
  },

  CreatePartitions: {
    encodeRequest(w, _v, req) {
      w.array(req.topics, (tw, t) => {
        tw.string(t.name).int32(t.count);
        tw.nullableArray(t.assignments, (aw, a) => aw.nullableArray(a, (bw, b) => bw.int32(b)));
      });
      w.int32(req.timeoutMs).boolean(req.validateOnly);
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const results = r.array((rr) => ({ name: rr.string(), errorCode: rr.int16(), errorMessage: rr.nullableString() }));
      return { throttleTimeMs, results };
    },
    requestSample: () => ({
      topics: [
        { name: 't1', count: 4, assignments: null },
        { name: 't2', count: 3, assignments: [[1, 2], null] },
      ],
      timeoutMs: 5000,
      validateOnly: true,
    }),
    responseSample: () => ({
      throttleTimeMs: 2,
      results: [
        { name: 't1', errorCode: 0, errorMessage: null },
        { name: 't2', errorCode: 37, errorMessage: 'Topic already has 3 partitions.' },
      ],
    }),
  },

  FindCoordinator: {
    encodeRequest(w, v, req) {
      w.string(req.key);
      if (v >= 1) w.int8(req.keyType);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      const errorCode = r.int16();
      const errorMessage = v >= 1 ? r.nullableString() : null;
      return { throttleTimeMs, errorCode, errorMessage, nodeId: r.int32(), host: r.string(), port: r.int32() };
    },
    requestSample: (v) => ({ key: 'group-1', keyType: v >= 1 ? 1 : 0 }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 1 ? 4 : 0,
      errorCode: 15,
      errorMessage: v >= 1 ? 'not yet' : null,
      nodeId: 2,
      host: 'b2.example',
      port: 9092,
    }),
  },

  OffsetCommit: {
    encodeRequest(w, v, req) {
      w.string(req.groupId).int32(req.generationId).string(req.memberId);
      if (v >= 7) w.nullableString(req.groupInstanceId);
      if (v <= 4) w.int64(req.retentionTimeMs);
      w.array(req.topics, (tw, t) => {
        tw.string(t.name);
        tw.array(t.partitions, (pw, p) => {
          pw.int32(p.partitionIndex).int64(p.committedOffset);
          if (v >= 6) pw.int32(p.committedLeaderEpoch);
          pw.nullableString(p.committedMetadata);
        });
      });
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 3);
      const topics = r.array((tr) => ({
        name: tr.string(),
        partitions: tr.array((pr) => ({ partitionIndex: pr.int32(), errorCode: pr.int16() })),
      }));
      return { throttleTimeMs, topics };
    },
    requestSample: (v) => ({
      groupId: 'g1',
      generationId: -1,
      memberId: '',
      groupInstanceId: v >= 7 ? 'instance-a' : null,
      retentionTimeMs: v <= 4 ? 86_400_000n : -1n,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: v >= 6 ? 7 : -1, committedMetadata: null },
            { partitionIndex: 1, committedOffset: 9_007_199_254_740_993n, committedLeaderEpoch: -1, committedMetadata: 'meta' },
          ],
        },
      ],
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 3 ? 6 : 0,
      topics: [
        { name: 't1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }] },
        { name: 't2', partitions: [] },
      ],
    }),
  },

  OffsetFetch: {
    encodeRequest(w, v, req) {
      w.string(req.groupId);
      const writeTopic = (tw: KafkaWriter, t: { name: string; partitionIndexes: number[] }): void => {
        tw.string(t.name).int32Array(t.partitionIndexes);
      };
      if (v >= 2) w.nullableArray(req.topics, writeTopic);
      else w.array(req.topics ?? [], writeTopic);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 3);
      const topics = r.array((tr) => ({
        name: tr.string(),
        partitions: tr.array((pr) => ({
          partitionIndex: pr.int32(),
          committedOffset: pr.int64(),
          committedLeaderEpoch: v >= 5 ? pr.int32() : -1,
          metadata: pr.nullableString(),
          errorCode: pr.int16(),
        })),
      }));
      const errorCode = v >= 2 ? r.int16() : 0;
      return { throttleTimeMs, topics, errorCode };
    },
    requestSample: (v) => ({
      groupId: 'g1',
      topics: v >= 2 ? null : [{ name: 't1', partitionIndexes: [0, 1, 2] }],
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 3 ? 8 : 0,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 },
            { partitionIndex: 1, committedOffset: 123n, committedLeaderEpoch: v >= 5 ? 7 : -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
      errorCode: v >= 2 ? 16 : 0,
    }),
  },

  DescribeGroups: {
    encodeRequest(w, v, req) {
      w.stringArray(req.groupIds);
      if (v >= 3) w.boolean(req.includeAuthorizedOperations);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      const groups = r.array((gr) => ({
        errorCode: gr.int16(),
        groupId: gr.string(),
        groupState: gr.string(),
        protocolType: gr.string(),
        protocolData: gr.string(),
        members: gr.array((mr) => ({
          memberId: mr.string(),
          groupInstanceId: v >= 4 ? mr.nullableString() : null,
          clientId: mr.string(),
          clientHost: mr.string(),
          memberMetadata: mr.bytes(),
          memberAssignment: mr.bytes(),
        })),
        // The codec's value for "not asked" where the version has no field.
        authorizedOperations: v >= 3 ? gr.int32() : -0x80000000,
      }));
      return { throttleTimeMs, groups };
    },
    requestSample: (v) => ({ groupIds: ['g1', 'g2'], includeAuthorizedOperations: v >= 3 }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 1 ? 1 : 0,
      groups: [
        { errorCode: 0, groupId: 'g1', groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [], authorizedOperations: v >= 3 ? 328 : -0x80000000 },
        {
          errorCode: 0,
          groupId: 'g2',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'RoundRobinAssigner',
          authorizedOperations: -0x80000000,
          members: [
            {
              memberId: 'm-1',
              groupInstanceId: v >= 4 ? 'instance-a' : null,
              clientId: 'probe',
              clientHost: '/127.0.0.1',
              memberMetadata: Buffer.from([0, 1, 2]),
              memberAssignment: Buffer.alloc(0),
            },
          ],
        },
      ],
    }),
  },

  ListGroups: {
    encodeRequest() {},
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      const errorCode = r.int16();
      return { throttleTimeMs, errorCode, groups: r.array((gr) => ({ groupId: gr.string(), protocolType: gr.string() })) };
    },
    requestSample: () => ({}),
    responseSample: (v) => ({
      throttleTimeMs: v >= 1 ? 9 : 0,
      errorCode: 0,
      groups: [
        { groupId: 'g1', protocolType: 'consumer' },
        { groupId: 'g2', protocolType: '' },
      ],
    }),
  },

  DeleteGroups: {
    encodeRequest(w, _v, req) {
      w.stringArray(req.groupsNames);
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      return { throttleTimeMs, results: r.array((rr) => ({ groupId: rr.string(), errorCode: rr.int16() })) };
    },
    requestSample: () => ({ groupsNames: ['g1', 'g2'] }),
    responseSample: () => ({
      throttleTimeMs: 0,
      results: [
        { groupId: 'g1', errorCode: 0 },
        { groupId: 'g2', errorCode: 68 },
      ],
    }),
  },

  OffsetDelete: {
    encodeRequest(w, _v, req) {
      w.string(req.groupId);
      w.array(req.topics, (tw, t) => {
        tw.string(t.name);
        tw.array(t.partitionIndexes, (pw, p) => pw.int32(p));
      });
    },
    decodeResponse(r) {
      const errorCode = r.int16();
      const throttleTimeMs = r.int32();
      return { errorCode, throttleTimeMs, topics: r.array((tr) => ({ name: tr.string(), partitions: tr.array((pr) => ({ partitionIndex: pr.int32(), errorCode: pr.int16() })) })) };
    },
    requestSample: () => ({ groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0, 2] }, { name: 'events', partitionIndexes: [] }] }),
    responseSample: () => ({
      errorCode: 0,
      throttleTimeMs: 7,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 86 }] }],
    }),
  },

  DescribeConfigs: {
    encodeRequest(w, v, req) {
      w.array(req.resources, (rw, res) => {
        rw.int8(res.resourceType).string(res.resourceName).nullableArray(res.configurationKeys, (kw, k) => kw.string(k));
      });
      if (v >= 1) w.boolean(req.includeSynonyms);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = r.int32();
      const results = r.array((rr) => ({
        errorCode: rr.int16(),
        errorMessage: rr.nullableString(),
        resourceType: rr.int8(),
        resourceName: rr.string(),
        configs: rr.array((cr) => {
          const name = cr.string();
          const value = cr.nullableString();
          const readOnly = cr.boolean();
          // v0 carries only is_default: report DEFAULT_CONFIG (5) or TOPIC_CONFIG (1).
          const configSource = v === 0 ? (cr.boolean() ? 5 : 1) : cr.int8();
          const isSensitive = cr.boolean();
          const synonyms = v >= 1 ? cr.array((sr) => ({ name: sr.string(), value: sr.nullableString(), source: sr.int8() })) : [];
          return { name, value, readOnly, configSource, isSensitive, synonyms };
        }),
      }));
      return { throttleTimeMs, results };
    },
    requestSample: (v) => ({
      resources: [
        { resourceType: 2, resourceName: 't1', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms', 'num.partitions'] },
      ],
      includeSynonyms: v >= 1,
    }),
    responseSample: (v) => ({
      throttleTimeMs: 12,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 't1',
          configs: [
            {
              name: 'cleanup.policy',
              value: 'compact',
              readOnly: false,
              configSource: 1,
              isSensitive: false,
              synonyms: v >= 1 ? [{ name: 'log.cleanup.policy', value: 'delete', source: 5 }] : [],
            },
            { name: 'retention.ms', value: '604800000', readOnly: true, configSource: 5, isSensitive: false, synonyms: [] },
            { name: 'secret', value: null, readOnly: false, configSource: v >= 1 ? 4 : 1, isSensitive: true, synonyms: [] },
          ],
        },
        { errorCode: 3, errorMessage: 'no such topic', resourceType: 2, resourceName: 'nope', configs: [] },
      ],
    }),
  },

  AlterConfigs: {
    encodeRequest(w, _v, req) {
      w.array(req.resources, (rw, res) => {
        rw.int8(res.resourceType).string(res.resourceName);
        rw.array(res.configs, (cw, c) => cw.string(c.name).nullableString(c.value));
      });
      w.boolean(req.validateOnly);
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const responses = r.array((rr) => ({
        errorCode: rr.int16(),
        errorMessage: rr.nullableString(),
        resourceType: rr.int8(),
        resourceName: rr.string(),
      }));
      return { throttleTimeMs, responses };
    },
    requestSample: () => ({
      resources: [
        { resourceType: 2, resourceName: 't1', configs: [{ name: 'retention.ms', value: '1000' }, { name: 'x', value: null }] },
        { resourceType: 4, resourceName: '', configs: [] },
      ],
      validateOnly: true,
    }),
    responseSample: () => ({
      throttleTimeMs: 0,
      responses: [
        { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't1' },
        { errorCode: 40, errorMessage: 'bad value', resourceType: 4, resourceName: '' },
      ],
    }),
  },

  IncrementalAlterConfigs: {
    firstFlexibleVersion: 1,
    encodeRequest(w, v, req) {
      if (v >= 1) {
        w.compactArray(req.resources, (rw, res) => {
          rw.int8(res.resourceType).compactString(res.resourceName);
          rw.compactArray(res.configs, (cw, c) => cw.compactString(c.name).int8(c.configOperation).compactNullableString(c.value).taggedFields());
          rw.taggedFields();
        });
        w.boolean(req.validateOnly).taggedFields();
      } else {
        w.array(req.resources, (rw, res) => {
          rw.int8(res.resourceType).string(res.resourceName);
          rw.array(res.configs, (cw, c) => cw.string(c.name).int8(c.configOperation).nullableString(c.value));
        });
        w.boolean(req.validateOnly);
      }
    },
    decodeResponse(r, v) {
      const flexible = v >= 1;
      const throttleTimeMs = r.int32();
      const readResult = (rr: KafkaReader) => {
        const errorCode = rr.int16();
        const errorMessage = flexible ? rr.compactNullableString() : rr.nullableString();
        const resourceType = rr.int8();
        const resourceName = flexible ? rr.compactString() : rr.string();
        if (flexible) rr.taggedFields();
        return { errorCode, errorMessage, resourceType, resourceName };
      };
      const responses = flexible ? r.compactArray(readResult) : r.array(readResult);
      if (flexible) r.taggedFields();
      return { throttleTimeMs, responses };
    },
    requestSample: () => ({
      resources: [
        { resourceType: 2, resourceName: 't1', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }, { name: 'x', configOperation: 1, value: null }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.cleaner.threads', configOperation: 2, value: '2' }] },
      ],
      validateOnly: true,
    }),
    responseSample: () => ({
      throttleTimeMs: 5,
      responses: [
        { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't1' },
        { errorCode: 40, errorMessage: 'bad value', resourceType: 4, resourceName: '' },
      ],
    }),
  },

  DescribeClientQuotas: {
    firstFlexibleVersion: 1,
    encodeRequest(w, v, req) {
      if (v >= 1) {
        w.compactArray(req.components, (cw, c) => cw.compactString(c.entityType).int8(c.matchType).compactNullableString(c.match).taggedFields());
        w.boolean(req.strict).taggedFields();
      } else {
        w.array(req.components, (cw, c) => cw.string(c.entityType).int8(c.matchType).nullableString(c.match));
        w.boolean(req.strict);
      }
    },
    decodeResponse(r, v) {
      const flexible = v >= 1;
      const throttleTimeMs = r.int32();
      const errorCode = r.int16();
      const errorMessage = flexible ? r.compactNullableString() : r.nullableString();
      const readPart = (pr: KafkaReader) => {
        const part = flexible ? { entityType: pr.compactString(), entityName: pr.compactNullableString() } : { entityType: pr.string(), entityName: pr.nullableString() };
        if (flexible) pr.taggedFields();
        return part;
      };
      const readValue = (vr: KafkaReader) => {
        const value = { key: flexible ? vr.compactString() : vr.string(), value: vr.float64() };
        if (flexible) vr.taggedFields();
        return value;
      };
      const readEntry = (er: KafkaReader) => {
        const entity = flexible ? er.compactArray(readPart) : er.array(readPart);
        const values = flexible ? er.compactArray(readValue) : er.array(readValue);
        if (flexible) er.taggedFields();
        return { entity, values };
      };
      const entries = flexible ? r.compactNullableArray(readEntry) : r.nullableArray(readEntry);
      if (flexible) r.taggedFields();
      return { throttleTimeMs, errorCode, errorMessage, entries };
    },
    requestSample: () => ({
      components: [
        { entityType: 'user', matchType: 0, match: 'alice' },
        { entityType: 'client-id', matchType: 1, match: null },
      ],
      strict: true,
    }),
    responseSample: () => ({
      throttleTimeMs: 6,
      errorCode: 0,
      errorMessage: null,
      entries: [
        {
          entity: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: null },
          ],
          values: [
            { key: 'consumer_byte_rate', value: 2097152 },
            { key: 'request_percentage', value: 12.75 },
          ],
        },
        { entity: [{ entityType: 'ip', entityName: '10.0.0.7' }], values: [{ key: 'connection_creation_rate', value: 50 }] },
      ],
    }),
  },

  AlterClientQuotas: {
    firstFlexibleVersion: 1,
    encodeRequest(w, v, req) {
      const flexible = v >= 1;
      const writeEntry = (ew: KafkaWriter, e: KafkaApiTypes['AlterClientQuotas'][0]['entries'][number]) => {
        if (flexible) {
          ew.compactArray(e.entity, (pw, p) => pw.compactString(p.entityType).compactNullableString(p.entityName).taggedFields());
          ew.compactArray(e.ops, (ow, o) => ow.compactString(o.key).float64(o.value).boolean(o.remove).taggedFields());
          ew.taggedFields();
        } else {
          ew.array(e.entity, (pw, p) => pw.string(p.entityType).nullableString(p.entityName));
          ew.array(e.ops, (ow, o) => ow.string(o.key).float64(o.value).boolean(o.remove));
        }
      };
      if (flexible) w.compactArray(req.entries, writeEntry).boolean(req.validateOnly).taggedFields();
      else w.array(req.entries, writeEntry).boolean(req.validateOnly);
    },
    decodeResponse(r, v) {
      const flexible = v >= 1;
      const throttleTimeMs = r.int32();
      const readPart = (pr: KafkaReader) => {
        const part = flexible ? { entityType: pr.compactString(), entityName: pr.compactNullableString() } : { entityType: pr.string(), entityName: pr.nullableString() };
        if (flexible) pr.taggedFields();
        return part;
      };
      const readEntry = (er: KafkaReader) => {
        const errorCode = er.int16();
        const errorMessage = flexible ? er.compactNullableString() : er.nullableString();
        const entity = flexible ? er.compactArray(readPart) : er.array(readPart);
        if (flexible) er.taggedFields();
        return { errorCode, errorMessage, entity };
      };
      const entries = flexible ? r.compactArray(readEntry) : r.array(readEntry);
      if (flexible) r.taggedFields();
      return { throttleTimeMs, entries };
    },
    requestSample: () => ({
      entries: [
        {
          entity: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: null },
          ],
          ops: [
            { key: 'producer_byte_rate', value: 1048576, remove: false },
            { key: 'request_percentage', value: 0.5, remove: true },
          ],
        },
        { entity: [{ entityType: 'ip', entityName: null }], ops: [] },
      ],
      validateOnly: true,
    }),
    responseSample: () => ({
      throttleTimeMs: 8,
      entries: [
        { errorCode: 0, errorMessage: null, entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: null }] },
        { errorCode: 42, errorMessage: 'Invalid configuration key bogus', entity: [{ entityType: 'ip', entityName: null }] },
      ],
    }),
  },

  DescribeUserScramCredentials: {
    firstFlexibleVersion: 0,
    encodeRequest(w, _v, req) {
      w.compactNullableArray(req.users, (uw, u) => uw.compactString(u.name).taggedFields());
      w.taggedFields();
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const errorCode = r.int16();
      const errorMessage = r.compactNullableString();
      const results = r.compactArray((rr) => {
        const user = rr.compactString();
        const resultError = rr.int16();
        const resultMessage = rr.compactNullableString();
        const credentialInfos = rr.compactArray((cr) => {
          const info = { mechanism: cr.int8(), iterations: cr.int32() };
          cr.taggedFields();
          return info;
        });
        rr.taggedFields();
        return { user, errorCode: resultError, errorMessage: resultMessage, credentialInfos };
      });
      r.taggedFields();
      return { throttleTimeMs, errorCode, errorMessage, results };
    },
    requestSample: () => ({ users: [{ name: 'alice' }, { name: 'bob' }] }),
    // A user with both mechanisms (infos in mechanism order, as the broker answers) and one without.
    responseSample: () => ({
      throttleTimeMs: 9,
      errorCode: 0,
      errorMessage: null,
      results: [
        { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }, { mechanism: 2, iterations: 4096 }] },
        { user: 'bob', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: bob', credentialInfos: [] },
      ],
    }),
  },

  AlterUserScramCredentials: {
    firstFlexibleVersion: 0,
    encodeRequest(w, _v, req) {
      w.compactArray(req.deletions, (dw, d) => dw.compactString(d.name).int8(d.mechanism).taggedFields());
      w.compactArray(req.upsertions, (uw, u) => uw.compactString(u.name).int8(u.mechanism).int32(u.iterations).compactBytes(u.salt).compactBytes(u.saltedPassword).taggedFields());
      w.taggedFields();
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const results = r.compactArray((rr) => {
        const result = { user: rr.compactString(), errorCode: rr.int16(), errorMessage: rr.compactNullableString() };
        rr.taggedFields();
        return result;
      });
      r.taggedFields();
      return { throttleTimeMs, results };
    },
    requestSample: () => ({
      deletions: [{ name: 'bob', mechanism: 2 }],
      upsertions: [
        { name: 'alice', mechanism: 1, iterations: 8192, salt: Buffer.from('0123456789abcdef', 'hex'), saltedPassword: Buffer.alloc(32, 0xa5) },
        { name: 'carol', mechanism: 2, iterations: 4096, salt: Buffer.from('salt'), saltedPassword: Buffer.alloc(64, 0x5a) },
      ],
    }),
    responseSample: () => ({
      throttleTimeMs: 3,
      results: [
        { user: 'bob', errorCode: 91, errorMessage: 'Attempt to delete a user credential that does not exist' },
        { user: 'alice', errorCode: 0, errorMessage: null },
      ],
    }),
  },

  ListOffsets: {
    encodeRequest(w, v, req) {
      w.int32(req.replicaId);
      if (v >= 2) w.int8(req.isolationLevel);
      w.array(req.topics, (tw, t) => {
        tw.string(t.name);
        tw.array(t.partitions, (pw, p) => pw.int32(p.partitionIndex).int64(p.timestamp));
      });
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 2);
      const topics = r.array((tr) => ({
        name: tr.string(),
        partitions: tr.array((pr) => ({ partitionIndex: pr.int32(), errorCode: pr.int16(), timestamp: pr.int64(), offset: pr.int64() })),
      }));
      return { throttleTimeMs, topics };
    },
    requestSample: (v) => ({
      replicaId: -1,
      isolationLevel: v >= 2 ? 1 : 0,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, timestamp: -1n },
            { partitionIndex: 2, timestamp: -2n },
          ],
        },
        { name: 't2', partitions: [{ partitionIndex: 1, timestamp: 1_700_000_000_123n }] },
      ],
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 2 ? 13 : 0,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 9_007_199_254_740_993n },
            { partitionIndex: 2, errorCode: 0, timestamp: -1n, offset: 0n },
          ],
        },
        { name: 't2', partitions: [{ partitionIndex: 1, errorCode: 3, timestamp: 1_700_000_000_123n, offset: -1n }] },
      ],
    }),
  },

  JoinGroup: {
    encodeRequest(w, v, req) {
      w.string(req.groupId).int32(req.sessionTimeoutMs);
      if (v >= 1) w.int32(req.rebalanceTimeoutMs);
      w.string(req.memberId);
      if (v >= 5) w.nullableString(req.groupInstanceId);
      w.string(req.protocolType);
      w.array(req.protocols, (pw, p) => pw.string(p.name).bytes(p.metadata));
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 2);
      const errorCode = r.int16();
      const generationId = r.int32();
      const protocolName = r.string();
      const leader = r.string();
      const memberId = r.string();
      const members = r.array((mr) => ({
        memberId: mr.string(),
        groupInstanceId: v >= 5 ? mr.nullableString() : null,
        metadata: mr.bytes(),
      }));
      return { throttleTimeMs, errorCode, generationId, protocolName, leader, memberId, members };
    },
    requestSample: (v) => ({
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      // v0 has no rebalance timeout: the codec fills in the session timeout.
      rebalanceTimeoutMs: v >= 1 ? 60000 : 30000,
      memberId: 'probe-1b2c',
      groupInstanceId: v >= 5 ? 'instance-a' : null,
      protocolType: 'consumer',
      protocols: [
        { name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 0, 0, 0, 1, 0, 2, 0x74, 0x31]) },
        { name: 'empty', metadata: Buffer.alloc(0) },
      ],
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 2 ? 14 : 0,
      errorCode: 0,
      generationId: 3,
      protocolName: 'RoundRobinAssigner',
      leader: 'probe-1b2c',
      memberId: 'probe-1b2c',
      members: [
        { memberId: 'probe-1b2c', groupInstanceId: v >= 5 ? 'instance-a' : null, metadata: Buffer.from([0, 1, 2]) },
        { memberId: 'probe-3d4e', groupInstanceId: null, metadata: Buffer.alloc(0) },
      ],
    }),
  },

  SyncGroup: {
    encodeRequest(w, v, req) {
      w.string(req.groupId).int32(req.generationId).string(req.memberId);
      if (v >= 3) w.nullableString(req.groupInstanceId);
      w.array(req.assignments, (aw, a) => aw.string(a.memberId).bytes(a.assignment));
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      return { throttleTimeMs, errorCode: r.int16(), assignment: r.bytes() };
    },
    requestSample: (v) => ({
      groupId: 'g1',
      generationId: 3,
      memberId: 'probe-1b2c',
      groupInstanceId: v >= 3 ? 'instance-a' : null,
      assignments: [
        { memberId: 'probe-1b2c', assignment: Buffer.from([0, 1, 0, 0, 0, 1]) },
        { memberId: 'probe-3d4e', assignment: Buffer.alloc(0) },
      ],
    }),
    responseSample: (v) => ({ throttleTimeMs: v >= 1 ? 15 : 0, errorCode: 0, assignment: Buffer.from([0, 1, 0, 0, 0, 1]) }),
  },

  Heartbeat: {
    encodeRequest(w, v, req) {
      w.string(req.groupId).int32(req.generationId).string(req.memberId);
      if (v >= 3) w.nullableString(req.groupInstanceId);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      return { throttleTimeMs, errorCode: r.int16() };
    },
    requestSample: (v) => ({ groupId: 'g1', generationId: 3, memberId: 'probe-1b2c', groupInstanceId: v >= 3 ? 'instance-a' : null }),
    responseSample: (v) => ({ throttleTimeMs: v >= 1 ? 16 : 0, errorCode: 27 }),
  },

  LeaveGroup: {
    encodeRequest(w, v, req) {
      w.string(req.groupId);
      if (v <= 2) w.string(req.members[0]?.memberId ?? '');
      else w.array(req.members, (mw, m) => mw.string(m.memberId).nullableString(m.groupInstanceId));
    },
    decodeResponse(r, v) {
      const throttleTimeMs = throttle(r, v >= 1);
      const errorCode = r.int16();
      const members =
        v >= 3 ? r.array((mr) => ({ memberId: mr.string(), groupInstanceId: mr.nullableString(), errorCode: mr.int16() })) : [];
      return { throttleTimeMs, errorCode, members };
    },
    requestSample: (v) => ({
      groupId: 'g1',
      members:
        v >= 3
          ? [
              { memberId: 'probe-1b2c', groupInstanceId: 'instance-a' },
              { memberId: 'probe-3d4e', groupInstanceId: null },
            ]
          : [{ memberId: 'probe-1b2c', groupInstanceId: null }],
    }),
    responseSample: (v) => ({
      throttleTimeMs: v >= 1 ? 17 : 0,
      errorCode: 0,
      members:
        v >= 3
          ? [
              { memberId: 'probe-1b2c', groupInstanceId: 'instance-a', errorCode: 0 },
              { memberId: 'probe-3d4e', groupInstanceId: null, errorCode: 25 },
            ]
          : [],
    }),
  },

  ElectLeaders: {
    firstFlexibleVersion: 2,
    encodeRequest(w, v, req) {
      if (v >= 1) w.int8(req.electionType);
      if (v >= 2) {
        w.compactNullableArray(req.topicPartitions, (tw, t) => tw.compactString(t.topic).compactInt32Array(t.partitions).taggedFields());
        w.int32(req.timeoutMs).taggedFields();
      } else {
        w.nullableArray(req.topicPartitions, (tw, t) => tw.string(t.topic).int32Array(t.partitions));
        w.int32(req.timeoutMs);
      }
    },
    decodeResponse(r, v) {
      const flexible = v >= 2;
      const throttleTimeMs = r.int32();
      const errorCode = v >= 1 ? r.int16() : 0;
      const readPartition = (pr: KafkaReader) => {
        const partitionId = pr.int32();
        const code = pr.int16();
        const errorMessage = flexible ? pr.compactNullableString() : pr.nullableString();
        if (flexible) pr.taggedFields();
        return { partitionId, errorCode: code, errorMessage };
      };
      const readTopic = (tr: KafkaReader) => {
        const topic = flexible ? tr.compactString() : tr.string();
        const partitionResult = flexible ? tr.compactArray(readPartition) : tr.array(readPartition);
        if (flexible) tr.taggedFields();
        return { topic, partitionResult };
      };
      const replicaElectionResults = flexible ? r.compactArray(readTopic) : r.array(readTopic);
      if (flexible) r.taggedFields();
      return { throttleTimeMs, errorCode, replicaElectionResults };
    },
    requestSample: (v) => ({
      electionType: v >= 1 ? 1 : 0,
      topicPartitions: [
        { topic: 'orders', partitions: [0, 2] },
        { topic: 'payments', partitions: [] },
      ],
      timeoutMs: 30000,
    }),
    responseSample: (v) => ({
      throttleTimeMs: 18,
      errorCode: v >= 1 ? 41 : 0,
      replicaElectionResults: [
        {
          topic: 'orders',
          partitionResult: [
            { partitionId: 0, errorCode: 0, errorMessage: null },
            { partitionId: 2, errorCode: 84, errorMessage: 'Leader election not needed for topic partition.' },
          ],
        },
      ],
    }),
  },

  AlterPartitionReassignments: {
    firstFlexibleVersion: 0,
    encodeRequest(w, _v, req) {
      w.int32(req.timeoutMs);
      w.compactArray(req.topics, (tw, t) => {
        tw.compactString(t.name);
        tw.compactArray(t.partitions, (pw, p) => pw.int32(p.partitionIndex).compactNullableArray(p.replicas, (rw, b) => rw.int32(b)).taggedFields());
        tw.taggedFields();
      });
      w.taggedFields();
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const errorCode = r.int16();
      const errorMessage = r.compactNullableString();
      const responses = r.compactArray((tr) => {
        const name = tr.compactString();
        const partitions = tr.compactArray((pr) => {
          const p = { partitionIndex: pr.int32(), errorCode: pr.int16(), errorMessage: pr.compactNullableString() };
          pr.taggedFields();
          return p;
        });
        tr.taggedFields();
        return { name, partitions };
      });
      r.taggedFields();
      return { throttleTimeMs, errorCode, errorMessage, responses };
    },
    requestSample: () => ({
      timeoutMs: 60000,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, replicas: [3, 1, 2] }, { partitionIndex: 1, replicas: null }] },
        { name: 'é-topic', partitions: [] },
      ],
    }),
    responseSample: () => ({
      throttleTimeMs: 19,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            { partitionIndex: 1, errorCode: 85, errorMessage: 'No partition reassignment is in progress.' },
          ],
        },
      ],
    }),
  },

  ListPartitionReassignments: {
    firstFlexibleVersion: 0,
    encodeRequest(w, _v, req) {
      w.int32(req.timeoutMs);
      w.compactNullableArray(req.topics, (tw, t) => tw.compactString(t.name).compactInt32Array(t.partitionIndexes).taggedFields());
      w.taggedFields();
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      const errorCode = r.int16();
      const errorMessage = r.compactNullableString();
      const topics = r.compactArray((tr) => {
        const name = tr.compactString();
        const partitions = tr.compactArray((pr) => {
          const p = { partitionIndex: pr.int32(), replicas: pr.compactInt32Array(), addingReplicas: pr.compactInt32Array(), removingReplicas: pr.compactInt32Array() };
          pr.taggedFields();
          return p;
        });
        tr.taggedFields();
        return { name, partitions };
      });
      r.taggedFields();
      return { throttleTimeMs, errorCode, errorMessage, topics };
    },
    requestSample: () => ({ timeoutMs: 60000, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }),
    responseSample: () => ({
      throttleTimeMs: 20,
      errorCode: 41,
      errorMessage: 'The active controller is not available',
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] }] }],
    }),
  },

  DescribeAcls: {
    encodeRequest(w, v, req) {
      aclFilterMirror(w, v, req);
    },
    decodeResponse(r, v) {
      const throttleTimeMs = r.int32();
      const errorCode = r.int16();
      const errorMessage = r.nullableString();
      const resources = r.array((rr) => ({
        resourceType: rr.int8(),
        resourceName: rr.string(),
        patternType: v >= 1 ? rr.int8() : 3,
        acls: rr.array((ar) => ({ principal: ar.string(), host: ar.string(), operation: ar.int8(), permissionType: ar.int8() })),
      }));
      return { throttleTimeMs, errorCode, errorMessage, resources };
    },
    requestSample: (v) => ({
      resourceTypeFilter: 2,
      resourceNameFilter: 'orders',
      patternTypeFilter: v >= 1 ? 4 : 3,
      principalFilter: 'User:alice',
      hostFilter: null,
      operation: 3,
      permissionType: 1,
    }),
    responseSample: (v) => ({
      throttleTimeMs: 5,
      errorCode: 0,
      errorMessage: null,
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          patternType: v >= 1 ? 4 : 3,
          acls: [
            { principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
            { principal: 'User:bob', host: '10.0.0.1', operation: 4, permissionType: 2 },
          ],
        },
        { resourceType: 4, resourceName: 'kafka-cluster', patternType: 3, acls: [{ principal: 'User:*', host: '*', operation: 8, permissionType: 3 }] },
      ],
    }),
  },

  CreateAcls: {
    encodeRequest(w, v, req) {
      w.array(req.creations, (cw, c) => {
        cw.int8(c.resourceType).string(c.resourceName);
        if (v >= 1) cw.int8(c.resourcePatternType);
        cw.string(c.principal).string(c.host).int8(c.operation).int8(c.permissionType);
      });
    },
    decodeResponse(r) {
      const throttleTimeMs = r.int32();
      return { throttleTimeMs, results: r.array((rr) => ({ errorCode: rr.int16(), errorMessage: rr.nullableString() })) };
    },
    requestSample: (v) => ({
      creations: [
        { resourceType: 2, resourceName: 'orders', resourcePatternType: v >= 1 ? 4 : 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
        { resourceType: 3, resourceName: 'g1', resourcePatternType: 3, principal: 'User:bob', host: '10.0.0.1', operation: 2, permissionType: 2 },
      ],
    }),
    responseSample: () => ({
      throttleTimeMs: 3,
      results: [
        { errorCode: 0, errorMessage: null },
        { errorCode: 31, errorMessage: 'Authorization failed.' },
      ],
    }),
  },

  DeleteAcls: {
    encodeRequest(w, v, req) {
      w.array(req.filters, (fw, f) => aclFilterMirror(fw, v, f));
    },
    decodeResponse(r, v) {
      const throttleTimeMs = r.int32();
      const filterResults = r.array((fr) => ({
        errorCode: fr.int16(),
        errorMessage: fr.nullableString(),
        matchingAcls: fr.array((ar) => ({
          errorCode: ar.int16(),
          errorMessage: ar.nullableString(),
          resourceType: ar.int8(),
          resourceName: ar.string(),
          patternType: v >= 1 ? ar.int8() : 3,
          principal: ar.string(),
          host: ar.string(),
          operation: ar.int8(),
          permissionType: ar.int8(),
        })),
      }));
      return { throttleTimeMs, filterResults };
    },
    requestSample: (v) => ({
      filters: [
        { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: v >= 1 ? 1 : 3, principalFilter: 'User:alice', hostFilter: '*', operation: 1, permissionType: 3 },
        { resourceTypeFilter: 3, resourceNameFilter: 'g1', patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 2, permissionType: 2 },
      ],
    }),
    responseSample: (v) => ({
      throttleTimeMs: 4,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: v >= 1 ? 4 : 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
          ],
        },
        { errorCode: 54, errorMessage: 'No Authorizer is configured.', matchingAcls: [] },
      ],
    }),
  },

  SaslHandshake: {
    encodeRequest(w, _v, req) {
      w.string(req.mechanism);
    },
    decodeResponse(r) {
      return { errorCode: r.int16(), mechanisms: r.stringArray() };
    },
    requestSample: () => ({ mechanism: 'SCRAM-SHA-512' }),
    responseSample: () => ({ errorCode: 33, mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'] }),
  },

  SaslAuthenticate: {
    encodeRequest(w, _v, req) {
      w.bytes(req.authBytes);
    },
    decodeResponse(r, v) {
      const errorCode = r.int16();
      const errorMessage = r.nullableString();
      const authBytes = r.bytes();
      return { errorCode, errorMessage, authBytes, sessionLifetimeMs: v >= 1 ? r.int64() : 0n };
    },
    requestSample: () => ({ authBytes: Buffer.from('n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL', 'utf8') }),
    responseSample: (v) => ({
      errorCode: 58,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      authBytes: Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=', 'utf8'),
      sessionLifetimeMs: v >= 1 ? 3_600_000n : 0n,
    }),
  },
};

/** The DescribeAcls / DeleteAcls filter layout (pattern type from v1). */
function aclFilterMirror(w: KafkaWriter, v: number, f: KafkaApiTypes['DescribeAcls'][0]): void {
  w.int8(f.resourceTypeFilter).nullableString(f.resourceNameFilter);
  if (v >= 1) w.int8(f.patternTypeFilter);
  w.nullableString(f.principalFilter).nullableString(f.hostFilter).int8(f.operation).int8(f.permissionType);
}

export const API_NAMES = Object.keys(KAFKA_APIS) as KafkaApiName[];

/** Every (api, version) pair we serve. */
export function allApiVersions(): Array<{ api: KafkaApiName; version: number }> {
  const out: Array<{ api: KafkaApiName; version: number }> = [];
  for (const api of API_NAMES) {
    const c = KAFKA_APIS[api];
    for (let v = c.minVersion; v <= c.maxVersion; v++) out.push({ api, version: v });
  }
  return out;
}

/** Body bytes of a request, as a client would encode it. */
export function encodeRequestBody<N extends KafkaApiName>(api: N, version: number, request: KafkaApiTypes[N][0]): Buffer {
  const w = new KafkaWriter();
  (MIRRORS[api] as Mirror<N>).encodeRequest(w, version, request);
  return w.toBuffer();
}

/** Whether `version` of `api` is flexible, as the mirror knows it. */
export function isFlexibleVersion(api: KafkaApiName, version: number): boolean {
  const first = (MIRRORS[api] as Mirror<KafkaApiName>).firstFlexibleVersion;
  return first !== undefined && version >= first;
}

/** The request header as a client writes it: v1, or v2 (an empty tagged-field section after it) for a flexible version. */
export function encodeRequestHeader(api: KafkaApiName, version: number, correlationId: number, clientId: string | null): Buffer {
  const w = new KafkaWriter();
  w.int16(KAFKA_APIS[api].apiKey).int16(version).int32(correlationId).nullableString(clientId);
  if (isFlexibleVersion(api, version)) w.taggedFields();
  return w.toBuffer();
}

/** A whole request frame without the size prefix: the request header, then the body. */
export function encodeRequestFrame<N extends KafkaApiName>(
  api: N,
  version: number,
  request: KafkaApiTypes[N][0],
  correlationId = 1,
  clientId: string | null = 'probe',
): Buffer {
  return Buffer.concat([encodeRequestHeader(api, version, correlationId, clientId), encodeRequestBody(api, version, request)]);
}

/** Decodes a response body as a client would; throws on trailing bytes. */
export function decodeResponseBody<N extends KafkaApiName>(api: N, version: number, body: Uint8Array): KafkaApiTypes[N][1] {
  const r = new KafkaReader(body);
  const response = (MIRRORS[api] as Mirror<N>).decodeResponse(r, version);
  r.expectEnd(`${api} v${version} response`);
  return response;
}

/**
 * Decodes a response frame without its size prefix: the response header (v0, or v1 with its
 * tagged fields for a flexible version of any API but ApiVersions), then the body.
 */
export function decodeResponseFrame<N extends KafkaApiName>(api: N, version: number, frame: Uint8Array): { correlationId: number; response: KafkaApiTypes[N][1] } {
  const r = new KafkaReader(frame);
  const correlationId = r.int32();
  if (api !== 'ApiVersions' && isFlexibleVersion(api, version)) r.taggedFields();
  const response = (MIRRORS[api] as Mirror<N>).decodeResponse(r, version);
  r.expectEnd(`${api} v${version} response`);
  return { correlationId, response };
}
