// The hex captures of reference/kafka-protocol.md §1.2 (kafkajs 2.2.4 against the test broker),
// byte for byte: ApiVersions v2 and Metadata v6 requests decode to what kafkajs meant, and our
// responses encode to exactly the captured frames. Also the header, the dispatcher
// (decodeKafkaRequest / encodeKafkaResponse), the advertised table, and the ApiVersions answer to
// a version we do not speak (v0 layout, error 35, full list).

import { describe, expect, it } from 'vitest';
import {
  ApiKey,
  KAFKA_APIS,
  KafkaProtocolError,
  KafkaReader,
  KafkaWriter,
  MAX_KAFKA_FRAME_BYTES,
  SUPPORTED_API_VERSIONS,
  codecForApiKey,
  decodeKafkaRequest,
  decodeRequestHeader,
  encodeApiVersionsResponse,
  encodeKafkaResponse,
  encodeUnsupportedApiVersionsResponse,
  frameResponse,
  isSupportedVersion,
  supportedApiVersionsResponse,
} from '../../broker/kafka/protocol/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** Strips and checks the INT32 size prefix of a captured frame. */
function unframe(frame: Buffer): Buffer {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(4);
}

const API_VERSIONS_V2_REQUEST = hex('0000000f 0012 0002 00000000 0005 70726f6265');
const API_VERSIONS_V2_RESPONSE = hex(
  '00000026 00000000 0000 00000004 0003 0000 0006 0012 0000 0002 0013 0000 0003 0014 0000 0001 00000000',
);
const METADATA_V6_REQUEST = hex('00000014 0003 0006 00000001 0005 70726f6265 ffffffff 00');
const METADATA_V6_RESPONSE = hex(
  '00000036 00000001 00000000 00000001 00000001 0009 3132372e302e302e31 000071a5 ffff 000b 706f632d636c7573746572 00000001 00000000',
);

describe('kafka protocol: captured kafkajs vectors', () => {
  it('ApiVersions v2 request (header v1, client_id "probe", empty body)', () => {
    const decoded = decodeKafkaRequest(unframe(API_VERSIONS_V2_REQUEST));
    expect(decoded).toEqual({
      kind: 'request',
      api: 'ApiVersions',
      header: { apiKey: 18, apiVersion: 2, correlationId: 0, clientId: 'probe' },
      request: {},
      items: 0,
    });
  });

  it('ApiVersions v2 response with the 4 captured keys, byte for byte', () => {
    const w = new KafkaWriter();
    encodeApiVersionsResponse(w, 2, {
      errorCode: 0,
      apiKeys: [
        { apiKey: 3, minVersion: 0, maxVersion: 6 },
        { apiKey: 18, minVersion: 0, maxVersion: 2 },
        { apiKey: 19, minVersion: 0, maxVersion: 3 },
        { apiKey: 20, minVersion: 0, maxVersion: 1 },
      ],
      throttleTimeMs: 0,
    });
    expect(frameResponse(0, w.toBuffer()).toString('hex')).toBe(API_VERSIONS_V2_RESPONSE.toString('hex'));
  });

  it('Metadata v6 request: topics null (all), allow_auto_topic_creation false', () => {
    const decoded = decodeKafkaRequest(unframe(METADATA_V6_REQUEST));
    expect(decoded).toEqual({
      kind: 'request',
      api: 'Metadata',
      header: { apiKey: 3, apiVersion: 6, correlationId: 1, clientId: 'probe' },
      request: { topics: null, allowAutoTopicCreation: false },
      items: 0,
    });
  });

  it('Metadata v6 response: one broker, cluster id, controller 1, no topics, byte for byte', () => {
    const frame = encodeKafkaResponse(
      'Metadata',
      { apiVersion: 6, correlationId: 1 },
      {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: '127.0.0.1', port: 29093, rack: null }],
        clusterId: 'poc-cluster',
        controllerId: 1,
        topics: [],
      },
    );
    expect(frame.toString('hex')).toBe(METADATA_V6_RESPONSE.toString('hex'));
  });
});

describe('kafka protocol: header and framing', () => {
  it('request header v1 with a null client_id', () => {
    const r = new KafkaReader(hex('0003 0001 7fffffff ffff'));
    expect(decodeRequestHeader(r)).toEqual({ apiKey: 3, apiVersion: 1, correlationId: 0x7fffffff, clientId: null });
    expect(r.remaining).toBe(0);
  });

  it('frameResponse writes size = 4 + body, then the correlation id', () => {
    expect(frameResponse(-5, Buffer.from([0xab])).toString('hex')).toBe('00000005' + 'fffffffb' + 'ab');
  });

  it('the frame bound is Kafka socket.request.max.bytes (100 MiB)', () => {
    expect(MAX_KAFKA_FRAME_BYTES).toBe(104_857_600);
  });

  it('a truncated header is a KafkaProtocolError', () => {
    expect(() => decodeKafkaRequest(hex('0012 0002 0000'))).toThrow(KafkaProtocolError);
  });

  it('a frame over the bound is refused before decoding', () => {
    const big = Buffer.alloc(MAX_KAFKA_FRAME_BYTES + 1);
    expect(() => decodeKafkaRequest(big)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });
});

describe('kafka protocol: advertised versions and dispatch', () => {
  it('advertises exactly the reference ranges, key 18 included, sorted by key', () => {
    expect(SUPPORTED_API_VERSIONS.map((r) => [r.apiKey, r.minVersion, r.maxVersion])).toEqual([
      [2, 1, 3], // ListOffsets
      [3, 0, 6], // Metadata
      [8, 2, 7], // OffsetCommit: past kafkajs's 5, v7 carries group_instance_id (librdkafka's static members)
      [9, 1, 5], // OffsetFetch
      [10, 0, 2], // FindCoordinator
      [11, 0, 5], // JoinGroup: v5 carries group_instance_id (static membership)
      [12, 0, 3], // Heartbeat
      [13, 0, 3], // LeaveGroup
      [14, 0, 3], // SyncGroup
      [15, 0, 4], // DescribeGroups: past kafkajs's 2, v4 names each static member's instance id
      [16, 0, 2], // ListGroups
      [17, 0, 1], // SaslHandshake: kafkajs's range, on every listener (answered ILLEGAL_SASL_STATE where SASL is not running)
      [18, 0, 2], // ApiVersions
      [19, 0, 3], // CreateTopics
      [20, 0, 1], // DeleteTopics
      [29, 0, 1], // DescribeAcls: kafkajs's v1 (PREFIXED), v2 is flexible
      [30, 0, 1], // CreateAcls
      [31, 0, 1], // DeleteAcls
      [32, 0, 2], // DescribeConfigs
      [33, 0, 1], // AlterConfigs
      [36, 0, 1], // SaslAuthenticate: kafkajs's range; v2 is flexible
      [37, 0, 1], // CreatePartitions
      [42, 0, 1], // DeleteGroups
      [43, 0, 2], // ElectLeaders: v2 is flexible
      [44, 0, 1], // IncrementalAlterConfigs: v1 is flexible (kafka-configs.sh, the Java AdminClient, librdkafka)
      [45, 0, 0], // AlterPartitionReassignments: flexible only
      [46, 0, 0], // ListPartitionReassignments: flexible only
      [47, 0, 0], // OffsetDelete: its only version (kafka-consumer-groups.sh --delete-offsets)
      [48, 0, 1], // DescribeClientQuotas: v1 is flexible (kafka-configs.sh --entity-type users|clients|ips, the Java AdminClient)
      [49, 0, 1], // AlterClientQuotas: v1 is flexible
      [50, 0, 0], // DescribeUserScramCredentials: its only version, flexible (kafka-configs.sh --describe --entity-type users)
      [51, 0, 0], // AlterUserScramCredentials: its only version, flexible (kafka-configs.sh --alter --entity-type users)
    ]);
    for (const r of SUPPORTED_API_VERSIONS) {
      const c = codecForApiKey(r.apiKey);
      expect(c && [c.minVersion, c.maxVersion]).toEqual([r.minVersion, r.maxVersion]);
    }
    expect(codecForApiKey(ApiKey.Produce)).toBeUndefined();
    expect(codecForApiKey(ApiKey.Fetch)).toBeUndefined();
    expect(isSupportedVersion(ApiKey.OffsetFetch, 0)).toBe(false);
    expect(isSupportedVersion(ApiKey.OffsetFetch, 1)).toBe(true);
    expect(isSupportedVersion(ApiKey.OffsetCommit, 1)).toBe(false);
    expect(isSupportedVersion(ApiKey.ListOffsets, 0)).toBe(false);
    expect(isSupportedVersion(ApiKey.ListOffsets, 1)).toBe(true);
  });

  it('the default ApiVersions v2 answer lists the whole table', () => {
    const w = new KafkaWriter();
    KAFKA_APIS.ApiVersions.encodeResponse(2, w, supportedApiVersionsResponse());
    const r = new KafkaReader(w.toBuffer());
    expect(r.int16()).toBe(0);
    expect(r.array((x) => ({ apiKey: x.int16(), minVersion: x.int16(), maxVersion: x.int16() }))).toEqual(SUPPORTED_API_VERSIONS);
    expect(r.int32()).toBe(0);
    r.expectEnd('response');
  });

  it('ApiVersions v3 (librdkafka, header v2 with tag buffers) is unsupported, answered in v0 layout with error 35', () => {
    // header v1 part, then librdkafka's header tag buffer and flexible body: never parsed.
    const frame = hex('0012 0003 00000007 0007 72646b6166 6b61 00 0a 6c6962726466 00 06 322e3132 00 00');
    const decoded = decodeKafkaRequest(frame);
    expect(decoded).toEqual({
      kind: 'unsupported',
      reason: 'unsupported-version',
      header: { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'rdkafka' },
    });
    const w = new KafkaWriter();
    encodeUnsupportedApiVersionsResponse(w);
    const body = w.toBuffer();
    // v0: error_code 35, the full list, no throttle_time_ms.
    expect(body.subarray(0, 6).toString('hex')).toBe('0023' + SUPPORTED_API_VERSIONS.length.toString(16).padStart(8, '0'));
    expect(body.length).toBe(2 + 4 + 6 * SUPPORTED_API_VERSIONS.length);
    expect(body.subarray(6, 12).toString('hex')).toBe('0002' + '0001' + '0003'); // ListOffsets 1-3 comes first
  });

  it('an API we never advertised, and a version below the minimum, come back as unsupported', () => {
    expect(decodeKafkaRequest(hex('0000 0007 00000001 ffff 0001'))).toMatchObject({ kind: 'unsupported', reason: 'unknown-api' });
    expect(decodeKafkaRequest(hex('0009 0000 00000001 ffff 0001 67 00000000'))).toMatchObject({
      kind: 'unsupported',
      reason: 'unsupported-version',
      header: { apiKey: 9, apiVersion: 0 },
    });
  });

  it('trailing bytes after a supported body are refused', () => {
    const frame = Buffer.concat([unframe(METADATA_V6_REQUEST), hex('00')]);
    expect(() => decodeKafkaRequest(frame)).toThrow(expect.objectContaining({ code: 'TRAILING_BYTES' }));
  });
});
