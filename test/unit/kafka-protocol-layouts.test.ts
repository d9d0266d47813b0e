// Byte layouts written out by hand from reference/kafka-protocol.md §1.6 (and kafkajs 2.2.4's
// encoders for DescribeConfigs, AlterConfigs, ListGroups and DeleteGroups; kafkajs's encoders and
// Kafka's JSON message schemas for the field order of JoinGroup, SyncGroup, Heartbeat, LeaveGroup
// and ListOffsets), for at least one version per API, often the one kafkajs sends and the oldest:
// requests decode from these bytes, responses encode to exactly these bytes. Independent of the
// test-only mirror codec.

import { describe, it } from 'vitest';
import type { KafkaApiTypes } from '../../broker/kafka/protocol/index.js';
import { decodes, encodes } from '../support/kafka-bytes.js';

const str = (s: string): string => Buffer.byteLength(s).toString(16).padStart(4, '0') + Buffer.from(s).toString('hex');
/** A COMPACT_STRING of fewer than 127 bytes: its length + 1 in one varint byte, then UTF-8. */
const cstr = (s: string): string => (Buffer.byteLength(s) + 1).toString(16).padStart(2, '0') + Buffer.from(s).toString('hex');


describe('kafka layouts: Metadata', () => {
  const response = {
    throttleTimeMs: 7,
    brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: 'r' }],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        isInternal: true,
        partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [2] }],
      },
    ],
  };
  it('v0 request: plain array of names', () => decodes('Metadata', 0, '00000001 0001 74', { topics: ['t'], allowAutoTopicCreation: true }));
  it('v0 response: no rack, cluster id, controller, is_internal, throttle, offline replicas', () =>
    encodes('Metadata', 0, response, '00000001 00000001 0001 68 00002384  00000001 0000 0001 74  00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001'));
  it('v1 response: rack, controller_id, is_internal', () =>
    encodes('Metadata', 1, response, '00000001 00000001 0001 68 00002384 0001 72  00000001  00000001 0000 0001 74 01  00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001'));
  it('v5 response: throttle first, cluster id, offline replicas', () =>
    encodes('Metadata', 5, response, '00000007 00000001 00000001 0001 68 00002384 0001 72 0001 63 00000001  00000001 0000 0001 74 01  00000001 0000 00000000 00000001 00000001 00000001 00000001 00000001 00000001 00000002'));
});

describe('kafka layouts: CreateTopics, DeleteTopics, CreatePartitions', () => {
  it('CreateTopics v3 request: -1 defaults, an assignment, a null config value, validate_only', () =>
    decodes('CreateTopics', 3, '00000001 0001 74 ffffffff ffff 00000001 00000000 00000001 00000001 00000001 0001 6b ffff 00001388 01', {
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'k', value: null }] }],
      timeoutMs: 5000,
      validateOnly: true,
    }));
  const ct = { throttleTimeMs: 0, topics: [{ name: 't', errorCode: 36, errorMessage: 'x' }] };
  it('CreateTopics v3 response', () => encodes('CreateTopics', 3, ct, '00000000 00000001 0001 74 0024 0001 78'));
  it('CreateTopics v1 response: message, no throttle', () => encodes('CreateTopics', 1, ct, '00000001 0001 74 0024 0001 78'));
  it('CreateTopics v0 response: name and code only', () => encodes('CreateTopics', 0, ct, '00000001 0001 74 0024'));

  it('DeleteTopics v1 request', () => decodes('DeleteTopics', 1, '00000002 0001 61 0001 62 00007530', { topicNames: ['a', 'b'], timeoutMs: 30000 }));
  const dt = { throttleTimeMs: 0, responses: [{ name: 'a', errorCode: 3 }] };
  it('DeleteTopics v1 response', () => encodes('DeleteTopics', 1, dt, '00000000 00000001 0001 61 0003'));
  it('DeleteTopics v0 response', () => encodes('DeleteTopics', 0, dt, '00000001 0001 61 0003'));

  it('CreatePartitions v1 request: null assignments, and kafkajs null broker lists', () => {
    decodes('CreatePartitions', 1, '00000001 0001 74 00000004 ffffffff 00001388 00', {
      topics: [{ name: 't', count: 4, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    decodes('CreatePartitions', 0, '00000001 0001 74 00000003 00000002 00000002 00000001 00000002 ffffffff 00001388 01', {
      topics: [{ name: 't', count: 3, assignments: [[1, 2], null] }],
      timeoutMs: 5000,
      validateOnly: true,
    });
  });
  it('CreatePartitions v0 and v1 responses are the same', () => {
    const cp = { throttleTimeMs: 0, results: [{ name: 't', errorCode: 37, errorMessage: null }] };
    encodes('CreatePartitions', 0, cp, '00000000 00000001 0001 74 0025 ffff');
    encodes('CreatePartitions', 1, cp, '00000000 00000001 0001 74 0025 ffff');
  });
});

describe('kafka layouts: FindCoordinator, OffsetCommit, OffsetFetch', () => {
  it('FindCoordinator v2 and v0 requests', () => {
    decodes('FindCoordinator', 2, '0002 6731 01', { key: 'g1', keyType: 1 });
    decodes('FindCoordinator', 0, '0002 6731', { key: 'g1', keyType: 0 });
  });
  const fc = { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'h', port: 9092 };
  it('FindCoordinator v2 response', () => encodes('FindCoordinator', 2, fc, '00000000 0000 ffff 00000001 0001 68 00002384'));
  it('FindCoordinator v0 response', () => encodes('FindCoordinator', 0, fc, '0000 00000001 0001 68 00002384'));

  it('OffsetCommit v5 request: no retention', () =>
    decodes('OffsetCommit', 5, '0002 6731 ffffffff 0000 00000001 0001 74 00000001 00000000 000000000000002a ffff', {
      groupId: 'g1',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }));
  it('OffsetCommit v7 request: group_instance_id after member_id, leader epoch after the offset', () =>
    decodes('OffsetCommit', 7, `0002 6731 00000005 ${str('m')} ${str('i')} 00000001 0001 74 00000001 00000000 000000000000002a 00000009 ffff`, {
      groupId: 'g1',
      generationId: 5,
      memberId: 'm',
      groupInstanceId: 'i',
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 9, committedMetadata: null }] }],
    }));
  it('OffsetCommit v6 request: leader epoch, no group_instance_id', () =>
    decodes('OffsetCommit', 6, `0002 6731 00000005 ${str('m')} 00000001 0001 74 00000001 00000000 000000000000002a ffffffff ffff`, {
      groupId: 'g1',
      generationId: 5,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    }));
  it('OffsetCommit v2 request: retention after member_id', () =>
    decodes('OffsetCommit', 2, `0002 6731 00000005 ${str('m')} 0000000000000064 00000001 0001 74 00000001 00000001 ffffffffffffffff ${str('md')}`, {
      groupId: 'g1',
      generationId: 5,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: 100n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, committedMetadata: 'md' }] }],
    }));
  const oc = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] };
  it('OffsetCommit v5 response', () => encodes('OffsetCommit', 5, oc, '00000000 00000001 0001 74 00000001 00000000 0000'));
  it('OffsetCommit v7 response: as v3-v5', () => encodes('OffsetCommit', 7, oc, '00000000 00000001 0001 74 00000001 00000000 0000'));
  it('OffsetCommit v2 response: no throttle', () => encodes('OffsetCommit', 2, oc, '00000001 0001 74 00000001 00000000 0000'));

  it('OffsetFetch v5, v4 and v1 requests (v5 as v4)', () => {
    decodes('OffsetFetch', 5, '0002 6731 ffffffff', { groupId: 'g1', topics: null });
    decodes('OffsetFetch', 4, '0002 6731 ffffffff', { groupId: 'g1', topics: null });
    decodes('OffsetFetch', 1, '0002 6731 00000001 0001 74 00000001 00000000', { groupId: 'g1', topics: [{ name: 't', partitionIndexes: [0] }] });
  });
  const of = {
    throttleTimeMs: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: 7, metadata: null, errorCode: 0 }] }],
    errorCode: 0,
  };
  it('OffsetFetch v5 response: the committed leader epoch between the offset and the metadata', () =>
    encodes('OffsetFetch', 5, of, '00000000 00000001 0001 74 00000001 00000000 ffffffffffffffff 00000007 ffff 0000 0000'));
  it('OffsetFetch v4 response: throttle, then topics, then the group error code', () =>
    encodes('OffsetFetch', 4, of, '00000000 00000001 0001 74 00000001 00000000 ffffffffffffffff ffff 0000 0000'));
  it('OffsetFetch v2 response: no throttle', () => encodes('OffsetFetch', 2, of, '00000001 0001 74 00000001 00000000 ffffffffffffffff ffff 0000 0000'));
  it('OffsetFetch v1 response: no group error code', () => encodes('OffsetFetch', 1, of, '00000001 0001 74 00000001 00000000 ffffffffffffffff ffff 0000'));
});

describe('kafka layouts: groups', () => {
  it('DescribeGroups v2 request', () => decodes('DescribeGroups', 2, '00000001 0002 6731', { groupIds: ['g1'], includeAuthorizedOperations: false }));
  it('DescribeGroups v4 request: include_authorized_operations after the ids', () =>
    decodes('DescribeGroups', 4, '00000001 0002 6731 01', { groupIds: ['g1'], includeAuthorizedOperations: true }));
  const dg = {
    throttleTimeMs: 0,
    groups: [
      {
        errorCode: 0,
        groupId: 'g1',
        groupState: 'Empty',
        protocolType: 'consumer',
        protocolData: '',
        members: [{ memberId: 'm', groupInstanceId: 'i', clientId: 'c', clientHost: 'h', memberMetadata: Buffer.from([7]), memberAssignment: Buffer.alloc(0) }],
        authorizedOperations: 328,
      },
    ],
  };
  const dgBody = `00000001 0000 ${str('g1')} ${str('Empty')} ${str('consumer')} 0000 00000001 ${str('m')} ${str('c')} ${str('h')} 00000001 07 00000000`;
  it('DescribeGroups v2 response', () => encodes('DescribeGroups', 2, dg, `00000000 ${dgBody}`));
  it('DescribeGroups v0 response: no throttle', () => encodes('DescribeGroups', 0, dg, dgBody));
  it('DescribeGroups v4 response: group_instance_id after member_id, authorized_operations after the members', () =>
    encodes(
      'DescribeGroups',
      4,
      dg,
      `00000000 00000001 0000 ${str('g1')} ${str('Empty')} ${str('consumer')} 0000 00000001 ${str('m')} ${str('i')} ${str('c')} ${str('h')} 00000001 07 00000000 00000148`,
    ));
  it('DescribeGroups v3 response: authorized_operations, no group_instance_id', () =>
    encodes('DescribeGroups', 3, dg, `00000000 ${dgBody} 00000148`));

  it('ListGroups request body is empty', () => decodes('ListGroups', 2, '', {}));
  const lg = { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g1', protocolType: 'consumer' }] };
  it('ListGroups v2 response', () => encodes('ListGroups', 2, lg, `00000000 0000 00000001 ${str('g1')} ${str('consumer')}`));
  it('ListGroups v0 response: no throttle', () => encodes('ListGroups', 0, lg, `0000 00000001 ${str('g1')} ${str('consumer')}`));

  it('DeleteGroups v1 request and response', () => {
    decodes('DeleteGroups', 1, '00000001 0002 6731', { groupsNames: ['g1'] });
    encodes('DeleteGroups', 1, { throttleTimeMs: 0, results: [{ groupId: 'g1', errorCode: 69 }] }, '00000000 00000001 0002 6731 0045');
  });

  // Kafka's OffsetDeleteRequest.json / Response.json: the error code comes before the throttle time.
  it('OffsetDelete v0 request and response', () => {
    decodes('OffsetDelete', 0, '0002 6731 00000001 0001 74 00000002 00000000 00000003', { groupId: 'g1', topics: [{ name: 't', partitionIndexes: [0, 3] }] });
    encodes('OffsetDelete', 0, { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 3, errorCode: 86 }] }] }, '0000 00000000 00000001 0001 74 00000001 00000003 0056');
    encodes('OffsetDelete', 0, { errorCode: 69, throttleTimeMs: 0, topics: [] }, '0045 00000000 00000000');
  });
});

describe('kafka layouts: configs', () => {
  it('DescribeConfigs v2 request: null keys (all), include_synonyms', () =>
    decodes('DescribeConfigs', 2, '00000001 02 0001 74 ffffffff 01', {
      resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
      includeSynonyms: true,
    }));
  it('DescribeConfigs v0 request: keys, no include_synonyms', () =>
    decodes('DescribeConfigs', 0, '00000001 04 0001 31 00000001 0001 6b', {
      resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['k'] }],
      includeSynonyms: false,
    }));
  const dc = (configSource: number): KafkaApiTypes['DescribeConfigs'][1] => ({
    throttleTimeMs: 0,
    results: [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 't',
        configs: [{ name: 'k', value: 'v', readOnly: false, configSource, isSensitive: false, synonyms: [{ name: 'k', value: 'v', source: 5 }] }],
      },
    ],
  });
  it('DescribeConfigs v2 response: config_source and synonyms', () =>
    encodes('DescribeConfigs', 2, dc(1), '00000000 00000001 0000 ffff 02 0001 74 00000001 0001 6b 0001 76 00 01 00 00000001 0001 6b 0001 76 05'));
  it('DescribeConfigs v0 response: is_default instead of config_source, no synonyms', () => {
    encodes('DescribeConfigs', 0, dc(5), '00000000 00000001 0000 ffff 02 0001 74 00000001 0001 6b 0001 76 00 01 00');
    encodes('DescribeConfigs', 0, dc(1), '00000000 00000001 0000 ffff 02 0001 74 00000001 0001 6b 0001 76 00 00 00');
  });

  it('AlterConfigs v1 request', () =>
    decodes('AlterConfigs', 1, '00000001 02 0001 74 00000001 0001 6b 0001 76 01', {
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'k', value: 'v' }] }],
      validateOnly: true,
    }));
  it('AlterConfigs v0 response', () =>
    encodes('AlterConfigs', 0, { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] }, '00000000 00000001 0000 ffff 02 0001 74'));
  // IncrementalAlterConfigs (Kafka's IncrementalAlterConfigsRequest.json / Response.json): v0 classic, v1 flexible.
  it('IncrementalAlterConfigs v0 request', () =>
    decodes('IncrementalAlterConfigs', 0, '00000001 02 0001 74 00000001 0001 6b 02 0001 76 01', {
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'k', configOperation: 2, value: 'v' }] }],
      validateOnly: true,
    }));
  it('IncrementalAlterConfigs v1 request (compact strings and arrays, tagged fields at each level)', () =>
    decodes('IncrementalAlterConfigs', 1, '02 04 02 31 03 02 6b 00 02 76 00 02 6a 01 00 00 00 00 00', {
      resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'k', configOperation: 0, value: 'v' }, { name: 'j', configOperation: 1, value: null }] }],
      validateOnly: false,
    }));
  it('IncrementalAlterConfigs v1 response', () =>
    encodes('IncrementalAlterConfigs', 1, { throttleTimeMs: 0, responses: [{ errorCode: 40, errorMessage: null, resourceType: 2, resourceName: 't' }] }, '00000000 02 0028 00 02 02 74 00 00'));
});

describe('kafka layouts: client quotas (Kafka\'s DescribeClientQuotas / AlterClientQuotas Request.json and Response.json; v0 classic, v1 flexible)', () => {
  // FLOAT64 values: 2^21 = 4140000000000000, 2^20 = 4130000000000000, 12.5 = 4029000000000000 (IEEE 754, big-endian).
  const describeRequest = {
    components: [
      { entityType: 'user', matchType: 0, match: 'alice' },
      { entityType: 'client-id', matchType: 1, match: null },
    ],
    strict: true,
  };
  it('DescribeClientQuotas v0 request: components[entity_type, match_type INT8, match NULLABLE], strict', () =>
    decodes('DescribeClientQuotas', 0, `00000002 ${str('user')} 00 ${str('alice')}  ${str('client-id')} 01 ffff  01`, describeRequest));
  it('DescribeClientQuotas v1 request: compact strings and array, a tag section after each component and at the end', () =>
    decodes('DescribeClientQuotas', 1, `03 ${cstr('user')} 00 ${cstr('alice')} 00  ${cstr('client-id')} 01 00 00  01 00`, describeRequest));

  const described = {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    entries: [
      {
        entity: [
          { entityType: 'user', entityName: 'alice' },
          { entityType: 'client-id', entityName: null },
        ],
        values: [{ key: 'consumer_byte_rate', value: 2097152 }, { key: 'request_percentage', value: 12.5 }],
      },
    ],
  };
  it('DescribeClientQuotas v0 response: throttle, error, message, entries[entity[type, name NULLABLE], values[key, value FLOAT64]]', () =>
    encodes(
      'DescribeClientQuotas',
      0,
      described,
      `00000000 0000 ffff 00000001  00000002 ${str('user')} ${str('alice')} ${str('client-id')} ffff  00000002 ${str('consumer_byte_rate')} 4140000000000000 ${str('request_percentage')} 4029000000000000`,
    ));
  it('DescribeClientQuotas v1 response: compact, a tag section closing every struct', () =>
    encodes(
      'DescribeClientQuotas',
      1,
      described,
      `00000000 0000 00 02  03 ${cstr('user')} ${cstr('alice')} 00 ${cstr('client-id')} 00 00  03 ${cstr('consumer_byte_rate')} 4140000000000000 00 ${cstr('request_percentage')} 4029000000000000 00  00  00`,
    ));
  it('DescribeClientQuotas v0 and v1 error responses: the entries are null (-1, compact 0)', () => {
    const refused = { throttleTimeMs: 0, errorCode: 42, errorMessage: 'x', entries: null };
    encodes('DescribeClientQuotas', 0, refused, `00000000 002a ${str('x')} ffffffff`);
    encodes('DescribeClientQuotas', 1, refused, `00000000 002a ${cstr('x')} 00 00`);
  });

  const alterRequest = {
    entries: [
      {
        entity: [{ entityType: 'user', entityName: null }],
        ops: [
          { key: 'producer_byte_rate', value: 1048576, remove: false },
          { key: 'consumer_byte_rate', value: 0, remove: true },
        ],
      },
    ],
    validateOnly: true,
  };
  it('AlterClientQuotas v0 request: entries[entity[type, name NULLABLE], ops[key, value FLOAT64, remove]], validate_only', () =>
    decodes('AlterClientQuotas', 0, `00000001  00000001 ${str('user')} ffff  00000002 ${str('producer_byte_rate')} 4130000000000000 00 ${str('consumer_byte_rate')} 0000000000000000 01  01`, alterRequest));
  it('AlterClientQuotas v1 request: compact, tag sections after each part, op, entry and at the end', () =>
    decodes('AlterClientQuotas', 1, `02  02 ${cstr('user')} 00 00  03 ${cstr('producer_byte_rate')} 4130000000000000 00 00 ${cstr('consumer_byte_rate')} 0000000000000000 01 00  00  01 00`, alterRequest));

  const altered = {
    throttleTimeMs: 0,
    entries: [
      { errorCode: 0, errorMessage: null, entity: [{ entityType: 'user', entityName: null }] },
      { errorCode: 42, errorMessage: 'x', entity: [{ entityType: 'ip', entityName: '1.2.3.4' }] },
    ],
  };
  it('AlterClientQuotas v0 response: throttle, entries[error_code, error_message NULLABLE, entity[type, name NULLABLE]]', () =>
    encodes('AlterClientQuotas', 0, altered, `00000000 00000002  0000 ffff 00000001 ${str('user')} ffff  002a ${str('x')} 00000001 ${str('ip')} ${str('1.2.3.4')}`));
  it('AlterClientQuotas v1 response: compact, tag sections', () =>
    encodes('AlterClientQuotas', 1, altered, `00000000 03  0000 00 02 ${cstr('user')} 00 00 00  002a ${cstr('x')} 02 ${cstr('ip')} ${cstr('1.2.3.4')} 00 00  00`));
});

describe('kafka layouts: DescribeUserScramCredentials (Kafka\'s DescribeUserScramCredentialsRequest.json / Response.json; v0 is flexible)', () => {
  it('v0 request: users COMPACT_NULLABLE_ARRAY[name COMPACT_STRING, tag section], tag section', () => {
    decodes('DescribeUserScramCredentials', 0, `03 ${cstr('alice')} 00 ${cstr('bob')} 00  00`, { users: [{ name: 'alice' }, { name: 'bob' }] });
    decodes('DescribeUserScramCredentials', 0, '01 00', { users: [] });
    decodes('DescribeUserScramCredentials', 0, '00 00', { users: null }); // null: every user
  });
  it('v0 response: throttle, error_code, error_message, results[user, error_code, error_message, credential_infos[mechanism INT8, iterations INT32]]', () =>
    encodes(
      'DescribeUserScramCredentials',
      0,
      {
        throttleTimeMs: 5,
        errorCode: 0,
        errorMessage: null,
        results: [
          { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 8192 }] },
          { user: 'bob', errorCode: 91, errorMessage: 'x', credentialInfos: [] },
        ],
      },
      `00000005 0000 00 03  ${cstr('alice')} 0000 00 03 01 00001000 00 02 00002000 00 00  ${cstr('bob')} 005b ${cstr('x')} 01 00  00`,
    ));
  it('v0 refused response: the top-level error and message, no results', () =>
    encodes('DescribeUserScramCredentials', 0, { throttleTimeMs: 0, errorCode: 31, errorMessage: 'x', results: [] }, `00000000 001f ${cstr('x')} 01 00`));
});

describe('kafka layouts: AlterUserScramCredentials (Kafka\'s AlterUserScramCredentialsRequest.json / Response.json; v0 is flexible)', () => {
  const salt = Buffer.from('a1b2c3d4', 'hex');
  const salted = Buffer.alloc(32, 0x7e);
  it('v0 request: deletions[name, mechanism INT8, tags], upsertions[name, mechanism INT8, iterations INT32, salt COMPACT_BYTES, salted_password COMPACT_BYTES, tags], tags', () => {
    decodes(
      'AlterUserScramCredentials',
      0,
      // 2 deletions; 1 upsertion: alice, SCRAM-SHA-256, 8192 iterations, a 4-byte salt (length 4 + 1), a 32-byte salted password (length 32 + 1 = 0x21).
      `03 ${cstr('bob')} 02 00 ${cstr('carol')} 01 00  02 ${cstr('alice')} 01 00002000 05 a1b2c3d4 21 ${'7e'.repeat(32)} 00  00`,
      {
        deletions: [
          { name: 'bob', mechanism: 2 },
          { name: 'carol', mechanism: 1 },
        ],
        upsertions: [{ name: 'alice', mechanism: 1, iterations: 8192, salt, saltedPassword: salted }],
      },
    );
    decodes('AlterUserScramCredentials', 0, '01 01 00', { deletions: [], upsertions: [] });
    // An empty salt and salted password decode (the controller refuses them): compact length 0 + 1.
    decodes('AlterUserScramCredentials', 0, `01 02 ${cstr('u')} 02 00001000 01 01 00  00`, {
      deletions: [],
      upsertions: [{ name: 'u', mechanism: 2, iterations: 4096, salt: Buffer.alloc(0), saltedPassword: Buffer.alloc(0) }],
    });
  });
  it('v0 response: throttle, results[user, error_code, error_message COMPACT_NULLABLE_STRING, tags], tags', () =>
    encodes(
      'AlterUserScramCredentials',
      0,
      {
        throttleTimeMs: 4,
        results: [
          { user: 'alice', errorCode: 0, errorMessage: null },
          { user: 'bob', errorCode: 93, errorMessage: 'x' },
        ],
      },
      `00000004 03  ${cstr('alice')} 0000 00 00  ${cstr('bob')} 005d ${cstr('x')} 00  00`,
    ));
});

describe('kafka layouts: group membership', () => {
  const protocols = `00000001 ${str('rr')} 00000002 0102`;
  it('JoinGroup v5 request: rebalance timeout, null group_instance_id, empty first-join member id', () =>
    decodes('JoinGroup', 5, `0002 6731 00007530 0000ea60 0000 ffff ${str('consumer')} ${protocols}`, {
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'rr', metadata: Buffer.from([1, 2]) }],
    }));
  it('JoinGroup v5 request: a group_instance_id', () =>
    decodes('JoinGroup', 5, `0002 6731 00007530 0000ea60 ${str('m')} ${str('i')} ${str('consumer')} 00000000`, {
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: 'm',
      groupInstanceId: 'i',
      protocolType: 'consumer',
      protocols: [],
    }));
  it('JoinGroup v0 request: no rebalance timeout (the session timeout stands in), no group_instance_id', () =>
    decodes('JoinGroup', 0, `0002 6731 00007530 ${str('m')} ${str('consumer')} ${protocols}`, {
      groupId: 'g1',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 30000,
      memberId: 'm',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'rr', metadata: Buffer.from([1, 2]) }],
    }));
  const jg = {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 1,
    protocolName: 'rr',
    leader: 'm',
    memberId: 'm',
    members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from([7]) }],
  };
  const jgHead = `0000 00000001 ${str('rr')} ${str('m')} ${str('m')}`;
  it('JoinGroup v5 response: throttle, members with group_instance_id', () =>
    encodes('JoinGroup', 5, jg, `00000000 ${jgHead} 00000001 ${str('m')} ffff 00000001 07`));
  it('JoinGroup v2 response: throttle, members without group_instance_id', () =>
    encodes('JoinGroup', 2, jg, `00000000 ${jgHead} 00000001 ${str('m')} 00000001 07`));
  it('JoinGroup v0 response: no throttle', () => encodes('JoinGroup', 0, jg, `${jgHead} 00000001 ${str('m')} 00000001 07`));
  it('JoinGroup v5 response: MEMBER_ID_REQUIRED (79) with the member id to rejoin with, empty protocol', () =>
    encodes(
      'JoinGroup',
      5,
      { throttleTimeMs: 0, errorCode: 79, generationId: -1, protocolName: '', leader: '', memberId: 'm', members: [] },
      `00000000 004f ffffffff 0000 0000 ${str('m')} 00000000`,
    ));

  it('SyncGroup v3 request: group_instance_id after member_id, then the assignments', () =>
    decodes('SyncGroup', 3, `0002 6731 00000001 ${str('m')} ffff 00000001 ${str('m')} 00000002 0001`, {
      groupId: 'g1',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      assignments: [{ memberId: 'm', assignment: Buffer.from([0, 1]) }],
    }));
  it('SyncGroup v0 request: no group_instance_id', () =>
    decodes('SyncGroup', 0, `0002 6731 00000001 ${str('m')} 00000000`, {
      groupId: 'g1',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      assignments: [],
    }));
  const sg = { throttleTimeMs: 0, errorCode: 0, assignment: Buffer.from([0, 1]) };
  it('SyncGroup v3 response', () => encodes('SyncGroup', 3, sg, '00000000 0000 00000002 0001'));
  it('SyncGroup v0 response: no throttle', () => encodes('SyncGroup', 0, sg, '0000 00000002 0001'));

  it('Heartbeat v3 and v0 requests', () => {
    decodes('Heartbeat', 3, `0002 6731 00000002 ${str('m')} ${str('i')}`, { groupId: 'g1', generationId: 2, memberId: 'm', groupInstanceId: 'i' });
    decodes('Heartbeat', 3, `0002 6731 00000002 ${str('m')} ffff`, { groupId: 'g1', generationId: 2, memberId: 'm', groupInstanceId: null });
    decodes('Heartbeat', 0, `0002 6731 00000002 ${str('m')}`, { groupId: 'g1', generationId: 2, memberId: 'm', groupInstanceId: null });
  });
  it('Heartbeat v3 and v0 responses: REBALANCE_IN_PROGRESS', () => {
    encodes('Heartbeat', 3, { throttleTimeMs: 0, errorCode: 27 }, '00000000 001b');
    encodes('Heartbeat', 0, { throttleTimeMs: 0, errorCode: 27 }, '001b');
  });

  it('LeaveGroup v3 request: a batch of member identities', () =>
    decodes('LeaveGroup', 3, `0002 6731 00000002 ${str('m')} ffff ${str('n')} ${str('i')}`, {
      groupId: 'g1',
      members: [
        { memberId: 'm', groupInstanceId: null },
        { memberId: 'n', groupInstanceId: 'i' },
      ],
    }));
  it('LeaveGroup v0 request: one member_id, as a one-member batch', () =>
    decodes('LeaveGroup', 0, `0002 6731 ${str('m')}`, { groupId: 'g1', members: [{ memberId: 'm', groupInstanceId: null }] }));
  const lv = { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm', groupInstanceId: null, errorCode: 25 }] };
  it('LeaveGroup v3 response: per-member results', () => encodes('LeaveGroup', 3, lv, `00000000 0000 00000001 ${str('m')} ffff 0019`));
  it('LeaveGroup v1 response: throttle and error code only', () => encodes('LeaveGroup', 1, lv, '00000000 0000'));
  it('LeaveGroup v0 response: error code only', () => encodes('LeaveGroup', 0, lv, '0000'));
});

describe('kafka layouts: ListOffsets', () => {
  it('ListOffsets v3 request: replica -1, read committed, latest', () =>
    decodes('ListOffsets', 3, `ffffffff 01 00000001 ${str('t')} 00000001 00000000 ffffffffffffffff`, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    }));
  it('ListOffsets v1 request: no isolation level (read uncommitted), no max_num_offsets', () =>
    decodes('ListOffsets', 1, `ffffffff 00000001 ${str('t')} 00000001 00000003 fffffffffffffffe`, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 3, timestamp: -2n }] }],
    }));
  const lo = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 42n }] }] };
  const loBody = `00000001 ${str('t')} 00000001 00000000 0000 ffffffffffffffff 000000000000002a`;
  it('ListOffsets v3 response: throttle, then timestamp and offset per partition', () => encodes('ListOffsets', 3, lo, `00000000 ${loBody}`));
  it('ListOffsets v1 response: no throttle', () => encodes('ListOffsets', 1, lo, loBody));
});
