// Every served API at every advertised version, both directions: a request encoded as a client
// would (tools/kafka-client/mirror-codec.ts) decodes to exactly the sample, and our response decodes,
// as a client would, to exactly the sample with no bytes left over. Samples hold non-default
// values in every field the version carries, so a field read or written at the wrong version
// fails here. Also the defaults filled in for fields a version lacks.

import { describe, expect, it } from 'vitest';
import { KAFKA_APIS, KafkaReader, KafkaWriter, type KafkaApiCodec, type KafkaApiName } from '../../broker/kafka/protocol/index.js';
import { MIRRORS, allApiVersions, decodeResponseBody, encodeRequestBody, type Mirror } from '../../tools/kafka-client/mirror-codec.js';

const cases = allApiVersions().map(({ api, version }) => [`${api} v${version}`, api, version] as const);

describe('kafka protocol round trips', () => {
  it('covers all 32 APIs and 92 (api, version) pairs', () => {
    expect(new Set(cases.map(([, api]) => api)).size).toBe(32);
    expect(cases.length).toBe(92);
  });

  it.each(cases)('%s request: client bytes decode to the sample', (_name, api, version) => {
    const mirror = MIRRORS[api] as Mirror<KafkaApiName>;
    const sample = mirror.requestSample(version);
    const body = encodeRequestBody(api, version, sample);
    const decoded = (KAFKA_APIS[api] as KafkaApiCodec).decodeRequest(version, new KafkaReader(body));
    expect(decoded).toEqual(sample);
  });

  it.each(cases)('%s response: our bytes decode, as a client reads them, to the sample', (_name, api, version) => {
    const mirror = MIRRORS[api] as Mirror<KafkaApiName>;
    const sample = mirror.responseSample(version);
    const w = new KafkaWriter();
    (KAFKA_APIS[api] as KafkaApiCodec).encodeResponse(version, w, sample);
    expect(decodeResponseBody(api, version, w.toBuffer())).toEqual(sample);
  });
});

describe('kafka protocol: defaults for fields a version lacks', () => {
  const decode = <N extends KafkaApiName>(api: N, version: number, body: Buffer): unknown =>
    (KAFKA_APIS[api] as KafkaApiCodec).decodeRequest(version, new KafkaReader(body));
  const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

  it('Metadata v0: an empty topic list means all topics (null); auto-creation true before v4', () => {
    expect(decode('Metadata', 0, hex('00000000'))).toEqual({ topics: null, allowAutoTopicCreation: true });
    expect(decode('Metadata', 3, hex('ffffffff'))).toEqual({ topics: null, allowAutoTopicCreation: true });
  });

  it('Metadata v1+: an empty topic list means no topics; v0 has no null', () => {
    expect(decode('Metadata', 1, hex('00000000'))).toEqual({ topics: [], allowAutoTopicCreation: true });
    expect(() => decode('Metadata', 0, hex('ffffffff'))).toThrow(expect.objectContaining({ code: 'NEGATIVE_LENGTH' }));
  });

  it('OffsetFetch: null topics are refused at v1 and mean all from v2', () => {
    expect(() => decode('OffsetFetch', 1, hex('0002 6731 ffffffff'))).toThrow(expect.objectContaining({ code: 'NEGATIVE_LENGTH' }));
    expect(decode('OffsetFetch', 2, hex('0002 6731 ffffffff'))).toEqual({ groupId: 'g1', topics: null });
  });

  it('CreateTopics v0 validate_only false; FindCoordinator v0 key_type group; DescribeConfigs v0 no synonyms', () => {
    expect(decode('CreateTopics', 0, hex('00000000 00001388'))).toEqual({ topics: [], timeoutMs: 5000, validateOnly: false });
    expect(decode('FindCoordinator', 0, hex('0002 6731'))).toEqual({ key: 'g1', keyType: 0 });
    expect(decode('DescribeConfigs', 0, hex('00000000'))).toEqual({ resources: [], includeSynonyms: false });
  });

  it('OffsetCommit v5 retention is -1 (broker default)', () => {
    expect(decode('OffsetCommit', 5, hex('0002 6731 00000003 0001 6d 00000000'))).toEqual({
      groupId: 'g1',
      generationId: 3,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [],
    });
  });
});
