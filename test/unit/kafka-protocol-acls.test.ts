// DescribeAcls (29), CreateAcls (30) and DeleteAcls (31) at v0 and v1: byte layouts written out by
// hand from Kafka's JSON message specs (DescribeAclsRequest/Response.json, CreateAcls..., DeleteAcls...:
// the pattern type appears from v1, and a v0 filter or creation means LITERAL), and kafkajs 2.2.4's
// own encoders and decoders against our codec, so the codec is not checked against the test
// mirror alone.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeKafkaRequest, encodeKafkaResponse } from '../../broker/kafka/protocol/index.js';
import { decodes, encodes } from '../support/kafka-bytes.js';



const filter = { resourceTypeFilter: 2, resourceNameFilter: 't', patternTypeFilter: 4, principalFilter: null, hostFilter: '*', operation: 3, permissionType: 3 };

describe('kafka layouts: the ACL APIs', () => {
  it('DescribeAcls v0 request: no pattern type (LITERAL)', () =>
    decodes('DescribeAcls', 0, '02 0001 74 ffff 0001 2a 03 03', { ...filter, patternTypeFilter: 3 }));
  it('DescribeAcls v1 request: pattern type after the name', () => decodes('DescribeAcls', 1, '02 0001 74 04 ffff 0001 2a 03 03', filter));
  const described = {
    throttleTimeMs: 1,
    errorCode: 0,
    errorMessage: null,
    resources: [{ resourceType: 2, resourceName: 't', patternType: 4, acls: [{ principal: 'User:a', host: '*', operation: 3, permissionType: 3 }] }],
  };
  it('DescribeAcls v1 response: resources with their pattern type, acls under each', () =>
    encodes('DescribeAcls', 1, described, '00000001 0000 ffff 00000001 02 0001 74 04 00000001 0006 557365723a61 0001 2a 03 03'));
  it('DescribeAcls v0 response: no pattern type', () =>
    encodes('DescribeAcls', 0, described, '00000001 0000 ffff 00000001 02 0001 74 00000001 0006 557365723a61 0001 2a 03 03'));

  const creation = { resourceType: 4, resourceName: 'kafka-cluster', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 5, permissionType: 3 };
  it('CreateAcls v0 and v1 requests', () => {
    decodes('CreateAcls', 0, '00000001 04 000d 6b61666b612d636c7573746572 0006 557365723a61 0001 2a 05 03', { creations: [creation] });
    decodes('CreateAcls', 1, '00000001 04 000d 6b61666b612d636c7573746572 03 0006 557365723a61 0001 2a 05 03', { creations: [creation] });
  });
  it('CreateAcls v0/v1 response: one code and message per creation', () =>
    encodes('CreateAcls', 1, { throttleTimeMs: 0, results: [{ errorCode: 31, errorMessage: 'x' }, { errorCode: 0, errorMessage: null }] }, '00000000 00000002 001f 0001 78 0000 ffff'));

  it('DeleteAcls v1 request: filters in the DescribeAcls layout', () => decodes('DeleteAcls', 1, '00000001 02 0001 74 04 ffff 0001 2a 03 03', { filters: [filter] }));
  it('DeleteAcls v0 request: no pattern type (LITERAL)', () =>
    decodes('DeleteAcls', 0, '00000001 02 0001 74 ffff 0001 2a 03 03', { filters: [{ ...filter, patternTypeFilter: 3 }] }));
  const deleted = {
    throttleTimeMs: 0,
    filterResults: [
      {
        errorCode: 0,
        errorMessage: null,
        matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', patternType: 4, principal: 'User:a', host: '*', operation: 3, permissionType: 3 }],
      },
    ],
  };
  it('DeleteAcls v1 response: each matching ACL with its code, message and pattern type', () =>
    encodes('DeleteAcls', 1, deleted, '00000000 00000001 0000 ffff 00000001 0000 ffff 02 0001 74 04 0006 557365723a61 0001 2a 03 03'));
  it('DeleteAcls v0 response: no pattern type', () =>
    encodes('DeleteAcls', 0, deleted, '00000000 00000001 0000 ffff 00000001 0000 ffff 02 0001 74 0006 557365723a61 0001 2a 03 03'));
  it('a v1 creation cut short is TRUNCATED; a trailing byte is refused', () => {
    expect(() => decodes('CreateAcls', 1, '00000001 04 0001 78 03 0006 557365723a61', { creations: [] })).toThrow(/TRUNCATED/);
    expect(() => decodes('DescribeAcls', 1, '02 0001 74 04 ffff 0001 2a 03 03 00', filter)).toThrow(/trailing|TRAILING/i);
  });
});

describe('kafkajs 2.2.4 ACL encoders and decoders against our codec', () => {
  const require = createRequire(import.meta.url);
  type Encoded = { buffer: Buffer };
  type Req = { encode(): Promise<Encoded> };
  type Proto = { protocol(a: { version: number }): (a: unknown) => { request: Req; response: { decode(b: Buffer): Promise<unknown> } } };
  const frameOf = require('kafkajs/src/protocol/request.js') as (a: { correlationId: number; clientId: string; request: Req }) => Promise<Encoded>;
  const kafkajsFrame = async (request: Req) => (await frameOf({ correlationId: 5, clientId: 'kjs', request })).buffer.subarray(4);
  const afterCorrelationId = (frame: Buffer) => frame.subarray(8);
  const acl = { resourceType: 2, resourceName: 'orders', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };

  for (const version of [0, 1]) {
    it(`DescribeAcls v${version}: kafkajs's filter decodes; our grouped answer decodes in kafkajs`, async () => {
      const p = (require('kafkajs/src/protocol/requests/describeAcls/index.js') as Proto).protocol({ version });
      const { request, response } = p({ ...acl, resourceName: 'orders', principal: null, host: null });
      expect(decodeKafkaRequest(await kafkajsFrame(request))).toMatchObject({
        kind: 'request',
        api: 'DescribeAcls',
        request: { resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: version === 1 ? 4 : 3, principalFilter: null, hostFilter: null, operation: 3, permissionType: 3 },
      });
      const ours = encodeKafkaResponse('DescribeAcls', { apiVersion: version, correlationId: 5 }, {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        resources: [{ resourceType: 2, resourceName: 'orders', patternType: 4, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
      });
      expect(await response.decode(afterCorrelationId(ours))).toMatchObject({
        errorCode: 0,
        resources: [{ resourceType: 2, resourceName: 'orders', ...(version === 1 ? { resourcePatternType: 4 } : {}), acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
      });
    });

    it(`CreateAcls v${version}: kafkajs's creations decode; our answer decodes in kafkajs`, async () => {
      const p = (require('kafkajs/src/protocol/requests/createAcls/index.js') as Proto).protocol({ version });
      const { request, response } = p({ creations: [acl] });
      expect(decodeKafkaRequest(await kafkajsFrame(request))).toMatchObject({
        kind: 'request',
        api: 'CreateAcls',
        request: { creations: [{ ...acl, resourcePatternType: version === 1 ? 4 : 3 }] },
      });
      const ours = encodeKafkaResponse('CreateAcls', { apiVersion: version, correlationId: 5 }, { throttleTimeMs: 0, results: [{ errorCode: 31, errorMessage: 'Authorization failed.' }] });
      expect(await response.decode(afterCorrelationId(ours))).toMatchObject({ creationResponses: [{ errorCode: 31, errorMessage: 'Authorization failed.' }] });
    });

    it(`DeleteAcls v${version}: kafkajs's filters decode; our answer decodes in kafkajs`, async () => {
      const p = (require('kafkajs/src/protocol/requests/deleteAcls/index.js') as Proto).protocol({ version });
      const { request, response } = p({ filters: [{ ...acl, principal: 'User:alice', host: null }] });
      expect(decodeKafkaRequest(await kafkajsFrame(request))).toMatchObject({
        kind: 'request',
        api: 'DeleteAcls',
        request: { filters: [{ resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: version === 1 ? 4 : 3, principalFilter: 'User:alice', hostFilter: null, operation: 3, permissionType: 3 }] },
      });
      const ours = encodeKafkaResponse('DeleteAcls', { apiVersion: version, correlationId: 5 }, {
        throttleTimeMs: 0,
        filterResults: [
          {
            errorCode: 0,
            errorMessage: null,
            matchingAcls: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 4, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
          },
        ],
      });
      expect(await response.decode(afterCorrelationId(ours))).toMatchObject({
        filterResponses: [{ errorCode: 0, matchingAcls: [{ errorCode: 0, resourceType: 2, resourceName: 'orders', ...(version === 1 ? { resourcePatternType: 4 } : {}), principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
      });
    });
  }
});
