// Hostile and broken request frames: a valid request of every served (api, version) cut short at
// every byte, negative lengths and absurd array counts in real fields, and fast-check properties
// over random bodies behind valid headers, random whole frames and mutated valid frames. The only
// exception decoding may throw is KafkaProtocolError (so the connection can be closed with a
// reason), and an absurd count is refused before any allocation.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KAFKA_APIS, KafkaProtocolError, decodeKafkaRequest, type KafkaApiName } from '../../broker/kafka/protocol/index.js';
import { MIRRORS, allApiVersions, encodeRequestFrame, type Mirror } from '../../tools/kafka-client/mirror-codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function sampleFrame(api: KafkaApiName, version: number): Buffer {
  return encodeRequestFrame(api, version, (MIRRORS[api] as Mirror<KafkaApiName>).requestSample(version));
}

/** Decodes; any exception other than KafkaProtocolError is rethrown (and fails the test). */
function decodeOrProtocolError(frame: Uint8Array): 'ok' | KafkaProtocolError {
  try {
    decodeKafkaRequest(frame);
    return 'ok';
  } catch (e) {
    if (e instanceof KafkaProtocolError) return e;
    throw e;
  }
}

/** A header v1 for `api` at `version`, client_id "x". */
function header(api: KafkaApiName, version: number): string {
  return KAFKA_APIS[api].apiKey.toString(16).padStart(4, '0') + version.toString(16).padStart(4, '0') + '00000001 0001 78';
}

const pairs = allApiVersions().map(({ api, version }) => [`${api} v${version}`, api, version] as const);

describe('kafka malformed: truncation', () => {
  it.each(pairs)('%s: every proper prefix of a valid frame is a KafkaProtocolError', (_name, api, version) => {
    const frame = sampleFrame(api, version);
    expect(decodeKafkaRequest(frame)).toMatchObject({ kind: 'request', api });
    for (let cut = 0; cut < frame.length; cut++) {
      const outcome = decodeOrProtocolError(frame.subarray(0, cut));
      expect(outcome, `cut at ${cut} of ${frame.length}`).toBeInstanceOf(KafkaProtocolError);
      expect(['TRUNCATED', 'COUNT_TOO_LARGE']).toContain((outcome as KafkaProtocolError).code);
    }
  });
});

describe('kafka malformed: lengths and counts in real fields', () => {
  it.each([
    ['Metadata v6 topic name length -2', 'Metadata', 6, '00000001 fffe 00', 'NEGATIVE_LENGTH'],
    ['Metadata v6 topics count -2', 'Metadata', 6, 'fffffffe 00', 'NEGATIVE_LENGTH'],
    ['Metadata v6 topics count 2^31-1', 'Metadata', 6, '7fffffff 0001 74 00', 'COUNT_TOO_LARGE'],
    ['CreateTopics v3 null topic name', 'CreateTopics', 3, '00000001 ffff ffffffff ffff 00000000 00000000 00001388 00', 'NEGATIVE_LENGTH'],
    ['CreateTopics v3 topics count 1e9', 'CreateTopics', 3, '3b9aca00 00000000', 'COUNT_TOO_LARGE'],
    ['CreateTopics v3 broker_ids count 3 with 8 bytes left', 'CreateTopics', 3, '00000001 0001 74 ffffffff ffff 00000001 00000000 00000003 00000001 00000002', 'COUNT_TOO_LARGE'],
    ['CreateTopics v3 null assignments', 'CreateTopics', 3, '00000001 0001 74 ffffffff ffff ffffffff 00000000 00001388 00', 'NEGATIVE_LENGTH'],
    ['DeleteTopics v1 null topic names', 'DeleteTopics', 1, 'ffffffff 00001388', 'NEGATIVE_LENGTH'],
    ['CreatePartitions v1 assignments count -7', 'CreatePartitions', 1, '00000001 0001 74 00000004 fffffff9 00001388 00', 'NEGATIVE_LENGTH'],
    ['OffsetCommit v5 null group id', 'OffsetCommit', 5, 'ffff ffffffff 0000 00000000', 'NEGATIVE_LENGTH'],
    ['OffsetCommit v5 partitions count 2^31-1', 'OffsetCommit', 5, '0002 6731 ffffffff 0000 00000001 0001 74 7fffffff', 'COUNT_TOO_LARGE'],
    ['OffsetFetch v4 partition_indexes count 0x40000000', 'OffsetFetch', 4, '0002 6731 00000001 0001 74 40000000 00000000', 'COUNT_TOO_LARGE'],
    ['DescribeConfigs v2 keys count -2', 'DescribeConfigs', 2, '00000001 02 0001 74 fffffffe 01', 'NEGATIVE_LENGTH'],
    ['AlterConfigs v1 config name length -32768', 'AlterConfigs', 1, '00000001 02 0001 74 00000001 8000 0001 76 01', 'NEGATIVE_LENGTH'],
    ['DeleteGroups v1 trailing byte', 'DeleteGroups', 1, '00000001 0002 6731 00', 'TRAILING_BYTES'],
    ['ListGroups v2 non-empty body', 'ListGroups', 2, '00', 'TRAILING_BYTES'],
    ['JoinGroup v4 null protocol_type', 'JoinGroup', 4, '0002 6731 00007530 0000ea60 0000 ffff 00000000', 'NEGATIVE_LENGTH'],
    ['JoinGroup v4 protocol metadata length -2', 'JoinGroup', 4, '0002 6731 00007530 0000ea60 0000 0001 63 00000001 0001 72 fffffffe', 'NEGATIVE_LENGTH'],
    ['JoinGroup v0 protocols count 2^31-1', 'JoinGroup', 0, '0002 6731 00007530 0000 0001 63 7fffffff', 'COUNT_TOO_LARGE'],
    ['SyncGroup v3 null assignment bytes', 'SyncGroup', 3, '0002 6731 00000001 0001 6d ffff 00000001 0001 6d ffffffff', 'NEGATIVE_LENGTH'],
    ['Heartbeat v0 trailing group_instance_id', 'Heartbeat', 0, '0002 6731 00000001 0001 6d ffff', 'TRAILING_BYTES'],
    ['LeaveGroup v3 null member_id', 'LeaveGroup', 3, '0002 6731 00000001 ffff ffff', 'NEGATIVE_LENGTH'],
    ['LeaveGroup v3 members count 0x10000000', 'LeaveGroup', 3, '0002 6731 10000000 0000 ffff', 'COUNT_TOO_LARGE'],
    ['ListOffsets v3 partitions count 2 with 12 bytes left', 'ListOffsets', 3, 'ffffffff 00 00000001 0001 74 00000002 00000000 ffffffffffffffff', 'COUNT_TOO_LARGE'],
    ['DescribeClientQuotas v0 null entity_type', 'DescribeClientQuotas', 0, '00000001 ffff 00 ffff 00', 'NEGATIVE_LENGTH'],
    // Flexible versions (v1): the body follows the request header's own tag section (the first 00).
    ['DescribeClientQuotas v1 components varint 2^31-1 (2^31-2 items) with 3 bytes left', 'DescribeClientQuotas', 1, '00 ffffffff07 00 00 00', 'COUNT_TOO_LARGE'],
    ['DescribeClientQuotas v1 without its closing tag section', 'DescribeClientQuotas', 1, '00 01 00', 'TRUNCATED'],
    ['AlterClientQuotas v0 ops count 1e6 with 12 bytes left', 'AlterClientQuotas', 0, '00000001 00000000 000f4240 0001 6b 3ff0000000000000 00 00', 'COUNT_TOO_LARGE'],
    ['AlterClientQuotas v0 value cut short', 'AlterClientQuotas', 0, '00000001 00000000 00000001 0009 6b6b6b6b6b6b6b6b6b 3ff000000000', 'TRUNCATED'],
    ['AlterClientQuotas v1 compact null entity', 'AlterClientQuotas', 1, '00 02 00 01 00 00 00', 'NEGATIVE_LENGTH'],
    ['DescribeUserScramCredentials v0 users varint 2^31-1 (2^31-2 items) with 2 bytes left', 'DescribeUserScramCredentials', 0, '00 ffffffff07 00 00', 'COUNT_TOO_LARGE'],
    ['DescribeUserScramCredentials v0 null user name', 'DescribeUserScramCredentials', 0, '00 02 00 00 00', 'NEGATIVE_LENGTH'],
    ['DescribeUserScramCredentials v0 user name cut short', 'DescribeUserScramCredentials', 0, '00 02 06 616c69', 'TRUNCATED'],
    ['DescribeUserScramCredentials v0 without its closing tag section', 'DescribeUserScramCredentials', 0, '00 00', 'TRUNCATED'],
    ['DescribeUserScramCredentials v0 trailing byte', 'DescribeUserScramCredentials', 0, '00 00 00 00', 'TRAILING_BYTES'],
    ['AlterUserScramCredentials v0 deletions varint 2^31-1 (2^31-2 items) with 3 bytes left', 'AlterUserScramCredentials', 0, '00 ffffffff07 01 01 00', 'COUNT_TOO_LARGE'],
    ['AlterUserScramCredentials v0 upsertions count 1000 with 10 bytes left', 'AlterUserScramCredentials', 0, '00 01 e907 02 75 01 00001000 01 01 00', 'COUNT_TOO_LARGE'],
    ['AlterUserScramCredentials v0 null deletions', 'AlterUserScramCredentials', 0, '00 00 01 00', 'NEGATIVE_LENGTH'],
    ['AlterUserScramCredentials v0 null deletion name', 'AlterUserScramCredentials', 0, '00 02 00 01 00 01 00', 'NEGATIVE_LENGTH'],
    ['AlterUserScramCredentials v0 null salt', 'AlterUserScramCredentials', 0, '00 01 02 02 75 01 00001000 00 01 00 00', 'NEGATIVE_LENGTH'],
    ['AlterUserScramCredentials v0 null salted password', 'AlterUserScramCredentials', 0, '00 01 02 02 75 01 00001000 02 aa 00 00 00', 'NEGATIVE_LENGTH'],
    ['AlterUserScramCredentials v0 salted password longer than what is left', 'AlterUserScramCredentials', 0, '00 01 02 02 75 01 00001000 02 aa 21 bbbbbbbb 00 00', 'TRUNCATED'],
    ['AlterUserScramCredentials v0 iterations cut short', 'AlterUserScramCredentials', 0, '00 01 02 07 757575757575 01 0000', 'TRUNCATED'],
    ['AlterUserScramCredentials v0 without its closing tag section', 'AlterUserScramCredentials', 0, '00 01 01', 'TRUNCATED'],
    ['AlterUserScramCredentials v0 trailing byte', 'AlterUserScramCredentials', 0, '00 01 01 00 00', 'TRAILING_BYTES'],
    ['ListOffsets v1 with a v0 max_num_offsets', 'ListOffsets', 1, 'ffffffff 00000001 0001 74 00000001 00000000 ffffffffffffffff 00000001', 'TRAILING_BYTES'],
  ] as const)('%s', (_name, api, version, body, code) => {
    const outcome = decodeOrProtocolError(hex(header(api, version) + body));
    expect(outcome).toBeInstanceOf(KafkaProtocolError);
    expect((outcome as KafkaProtocolError).code).toBe(code);
  });

  it('a null client_id is fine, a client_id length of -2 is not', () => {
    expect(decodeKafkaRequest(hex('0010 0002 00000001 ffff'))).toMatchObject({ kind: 'request', header: { clientId: null } });
    expect(decodeOrProtocolError(hex('0010 0002 00000001 fffe'))).toMatchObject({ code: 'NEGATIVE_LENGTH' });
  });
});

describe('kafka malformed: properties', () => {
  const supported = fc.constantFrom(...allApiVersions());

  it('random bodies behind a valid header of every served version: decoded or KafkaProtocolError', () => {
    fc.assert(
      fc.property(supported, fc.uint8Array({ maxLength: 200 }), ({ api, version }, body) => {
        const frame = Buffer.concat([hex(header(api, version)), body]);
        decodeOrProtocolError(frame);
      }),
      { numRuns: 5000 },
    );
  });

  it('random whole frames: decoded, unsupported, or KafkaProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (frame) => {
        decodeOrProtocolError(frame);
      }),
      { numRuns: 5000 },
    );
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('minus1' as const), at: fc.nat() }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
  function mutate(frame: Buffer, m: Mutation): Buffer {
    const at = m.at % (frame.length + 1);
    switch (m.kind) {
      case 'flip': {
        const out = Buffer.from(frame);
        if (at < out.length) out[at] = m.value;
        return out;
      }
      case 'insert':
        return Buffer.concat([frame.subarray(0, at), m.bytes, frame.subarray(at)]);
      case 'delete':
        return Buffer.concat([frame.subarray(0, at), frame.subarray(at + m.count)]);
      case 'minus1': {
        // Overwrite 4 bytes with ffffffff: turns lengths and counts into -1 / huge values.
        const out = Buffer.from(frame);
        out.fill(0xff, at, Math.min(out.length, at + 4));
        return out;
      }
    }
  }

  it('mutated valid frames of every served version: decoded or KafkaProtocolError', () => {
    fc.assert(
      fc.property(supported, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ api, version }, mutations) => {
        let frame = sampleFrame(api, version);
        for (const m of mutations) frame = mutate(frame, m);
        decodeOrProtocolError(frame);
      }),
      { numRuns: 10000 },
    );
  });
});
