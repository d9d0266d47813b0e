// DescribeClientQuotas (api 48) and AlterClientQuotas (api 49) at a broker
// (broker/kafka/handlers/client-quotas.ts): describe answers from the broker's own image with the
// controller's filter (a refused filter is the top-level error, entries null); alter is forwarded to
// the active controller, answered per entry in request order with the entity as sent, and waits
// until the broker's own image shows what it wrote.

import { describe, expect, it } from 'vitest';
import { handleAlterClientQuotas, handleDescribeClientQuotas } from '../../broker/kafka/handlers/client-quotas.js';
import type { KafkaContext } from '../../broker/kafka/handlers/context.js';
import type { MetadataImageView } from '../../metadata-log/image-types.js';
import type { ClientQuotaEntityPart, MetadataRecord } from '../../metadata-log/records/types.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { RequestTimeoutError } from '../../quorum/net/types.js';
import { defaultCluster, mvRecord, overTheWire, remoteError, testbed } from './kafka-handlers-fixture.js';

const user = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'user', entityName: name });
const client = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'client-id', entityName: name });
const ip = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'ip', entityName: name });
const quota = (entity: ClientQuotaEntityPart[], key: string, value: number): MetadataRecord => ({ type: 'ClientQuota', entity, key, value, remove: false });

const stored: MetadataRecord[] = [
  quota([user('alice')], 'producer_byte_rate', 1048576),
  quota([user('alice')], 'request_percentage', 12.5),
  quota([user('alice'), client('app')], 'consumer_byte_rate', 2097152),
  quota([client(null)], 'producer_byte_rate', 1024),
  quota([ip('10.0.0.7')], 'connection_creation_rate', 50),
];

describe('DescribeClientQuotas', () => {
  it.each([0, 1])('v%i: a user filter, not strict, selects every entity naming that user, values sorted by key, over the wire', async (version) => {
    const t = testbed({ records: stored });
    const r = await overTheWire('DescribeClientQuotas', version, { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: false }, handleDescribeClientQuotas, t.ctx);
    expect(r).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: [
        { entity: [user('alice')], values: [{ key: 'producer_byte_rate', value: 1048576 }, { key: 'request_percentage', value: 12.5 }] },
        { entity: [user('alice'), client('app')], values: [{ key: 'consumer_byte_rate', value: 2097152 }] },
      ],
    });
    expect(t.controller.calls).toEqual([]); // answered from the broker's image, nothing forwarded
  });

  it('strict: only entities of exactly the named types; the default client id; any ip', async () => {
    const t = testbed({ records: stored });
    const ask = async (components: { entityType: string; matchType: number; match: string | null }[], strict: boolean) =>
      (await handleDescribeClientQuotas(t.ctx, { components, strict }, 1)).entries?.map((e) => e.entity);
    expect(await ask([{ entityType: 'user', matchType: 0, match: 'alice' }], true)).toEqual([[user('alice')]]);
    expect(await ask([{ entityType: 'client-id', matchType: 1, match: null }], false)).toEqual([[client(null)]]);
    expect(await ask([{ entityType: 'ip', matchType: 2, match: null }], true)).toEqual([[ip('10.0.0.7')]]);
    expect(await ask([], true)).toEqual([]);
    expect(await ask([], false)).toHaveLength(4);
  });

  it('answers from the broker\'s own image: a quota the controller holds but this broker has not applied is not there yet', async () => {
    const t = testbed({ records: stored });
    t.lagging(true);
    t.harness.append([quota([user('bob')], 'producer_byte_rate', 5)]);
    const bob = { components: [{ entityType: 'user', matchType: 0, match: 'bob' }], strict: false };
    expect((await handleDescribeClientQuotas(t.ctx, bob, 1)).entries).toEqual([]);
    t.lagging(false);
    expect((await handleDescribeClientQuotas(t.ctx, bob, 1)).entries).toEqual([{ entity: [user('bob')], values: [{ key: 'producer_byte_rate', value: 5 }] }]);
  });

  it.each([
    ['an unknown match type', [{ entityType: 'user', matchType: 7, match: null }], ErrorCode.INVALID_REQUEST, 'Unknown match type 7'],
    ['an exact match without a name', [{ entityType: 'user', matchType: 0, match: null }], ErrorCode.INVALID_REQUEST, 'MATCH_TYPE_EXACT'],
    ['a type twice', [{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 1, match: null }], ErrorCode.INVALID_REQUEST, 'more than once'],
    ['ip with user', [{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }], ErrorCode.INVALID_REQUEST, 'IP filter component'],
    ['a type other than user, client-id and ip', [{ entityType: 'group', matchType: 2, match: null }], ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type group'],
  ])('a refused filter (%s) is the top-level error with its message, and null entries on the wire (v0 and v1)', async (_name, components, errorCode, words) => {
    const t = testbed({ records: stored });
    for (const version of [0, 1]) {
      const r = await overTheWire('DescribeClientQuotas', version, { components, strict: false }, handleDescribeClientQuotas, t.ctx);
      expect(r).toEqual({ throttleTimeMs: 0, errorCode, errorMessage: expect.stringContaining(words), entries: null });
    }
  });
});

describe('AlterClientQuotas', () => {
  const described = async (ctx: KafkaContext, entity: ClientQuotaEntityPart[]) => ctx.image().clientQuota(entity)?.values;

  it.each([0, 1])('v%i: forwarded as sent; one answer per entry in request order, with the entity as sent; the valid ones are written', async (version) => {
    const t = testbed({ records: stored });
    const request = {
      entries: [
        // Parts out of canonical order: answered as sent, stored canonically.
        { entity: [client('app'), user('bob')], ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }] },
        { entity: [ip('10.0.0.7')], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
        { entity: [user('alice')], ops: [{ key: 'request_percentage', value: 0, remove: true }, { key: 'consumer_byte_rate', value: 300, remove: false }] },
        { entity: [ip(null)], ops: [{ key: 'connection_creation_rate', value: NaN, remove: false }] },
      ],
      validateOnly: false,
    };
    const r = await overTheWire('AlterClientQuotas', version, request, handleAlterClientQuotas, t.ctx);
    expect(r).toEqual({
      throttleTimeMs: 0,
      entries: [
        { errorCode: 0, errorMessage: null, entity: [client('app'), user('bob')] },
        { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid configuration key producer_byte_rate', entity: [ip('10.0.0.7')] },
        { errorCode: 0, errorMessage: null, entity: [user('alice')] },
        { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining('connection_creation_rate'), entity: [ip(null)] },
      ],
    });
    expect(t.controller.methods()).toEqual(['alterClientQuotas']);
    expect((t.controller.calls[0]!.request as { entries: unknown[] }).entries).toHaveLength(4);
    expect(t.controller.calls[0]!.timeoutMs).toBe(3_000);
    expect(await described(t.ctx, [user('bob'), client('app')])).toEqual(new Map([['producer_byte_rate', 4096]]));
    expect(await described(t.ctx, [user('alice')])).toEqual(new Map([['producer_byte_rate', 1048576], ['consumer_byte_rate', 300]]));
    expect(await described(t.ctx, [ip(null)])).toBeUndefined();
  });

  it('validate_only: the same answers, nothing written', async () => {
    const t = testbed({ records: stored });
    const r = await handleAlterClientQuotas(t.ctx, { entries: [{ entity: [user(null)], ops: [{ key: 'consumer_byte_rate', value: 10, remove: false }] }, { entity: [user(null)], ops: [] }], validateOnly: true }, 1);
    expect(r.entries.map((e) => e.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]); // the same entity twice: every copy refused
    const one = await handleAlterClientQuotas(t.ctx, { entries: [{ entity: [user(null)], ops: [{ key: 'consumer_byte_rate', value: 10, remove: false }] }], validateOnly: true }, 1);
    expect(one.entries).toEqual([{ errorCode: 0, errorMessage: null, entity: [user(null)] }]);
    expect(t.ctx.image().clientQuota([user(null)])).toBeUndefined();
  });

  it('below metadata.version 1.0-IV5 every entry is UNSUPPORTED_VERSION (the controller\'s answer)', async () => {
    const t = testbed({ baseRecords: [mvRecord(5), ...defaultCluster().slice(1)] });
    const r = await handleAlterClientQuotas(t.ctx, { entries: [{ entity: [user('a')], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }, { entity: [ip(null)], ops: [] }], validateOnly: false }, 0);
    expect(r.entries.map((e) => e.errorCode)).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNSUPPORTED_VERSION]);
  });

  it('waits until the broker\'s own image shows what it set and removed (read-your-writes), not for refused entries', async () => {
    const t = testbed({ records: stored });
    const tests: ((image: MetadataImageView) => boolean)[] = [];
    const ctx: KafkaContext = { ...t.ctx, awaitImage: async (test) => (tests.push(test), test(t.ctx.image())) };
    const before = t.harness.image;
    await handleAlterClientQuotas(ctx, {
      entries: [
        { entity: [client('app'), user('alice')], ops: [{ key: 'consumer_byte_rate', value: 0, remove: true }] },
        { entity: [user('carol')], ops: [{ key: 'producer_byte_rate', value: 77, remove: false }] },
        { entity: [user('dave')], ops: [{ key: 'bogus', value: 1, remove: false }] },
      ],
      validateOnly: false,
    }, 1);
    expect(tests).toHaveLength(1);
    expect(tests[0]!(before)).toBe(false);
    expect(tests[0]!(t.harness.image)).toBe(true);
    // Half applied, either half: not shown yet.
    const after = t.harness.image;
    t.harness.image = before;
    t.harness.append([{ type: 'ClientQuota', entity: [user('alice'), client('app')], key: 'consumer_byte_rate', value: 0, remove: true }]);
    expect(tests[0]!(t.harness.image)).toBe(false);
    t.harness.image = before;
    t.harness.append([quota([user('carol')], 'producer_byte_rate', 77)]);
    expect(tests[0]!(t.harness.image)).toBe(false);
    t.harness.image = after;

    tests.length = 0;
    await handleAlterClientQuotas(ctx, { entries: [{ entity: [user('dave')], ops: [{ key: 'bogus', value: 1, remove: false }] }], validateOnly: false }, 1);
    await handleAlterClientQuotas(ctx, { entries: [{ entity: [user('erin')], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }], validateOnly: true }, 1);
    expect(tests).toEqual([]);
  });

  it('no entries: answered empty, nothing forwarded', async () => {
    const t = testbed();
    expect(await handleAlterClientQuotas(t.ctx, { entries: [], validateOnly: false }, 1)).toEqual({ throttleTimeMs: 0, entries: [] });
    expect(t.controller.calls).toEqual([]);
  });

  it('the controller unreachable: NOT_CONTROLLER on every entry (kafka-configs.sh and the AdminClient retry it); a definite refusal keeps its code and message', async () => {
    const t = testbed();
    const request = { entries: [{ entity: [user('a')], ops: [] }, { entity: [ip(null)], ops: [] }], validateOnly: false };
    t.controller.failure = new RequestTimeoutError('alterClientQuotas timed out after 3000 ms');
    const r = await handleAlterClientQuotas(t.ctx, request, 1);
    expect(r.entries.map((e) => [e.errorCode, e.entity])).toEqual([[ErrorCode.NOT_CONTROLLER, [user('a')]], [ErrorCode.NOT_CONTROLLER, [ip(null)]]]);
    expect(r.entries[0]!.errorMessage).toContain('did not answer');
    t.controller.failure = remoteError(ErrorCode.POLICY_VIOLATION, 'too many records');
    expect((await handleAlterClientQuotas(t.ctx, request, 1)).entries.map((e) => [e.errorCode, e.errorMessage])).toEqual([
      [ErrorCode.POLICY_VIOLATION, 'too many records'],
      [ErrorCode.POLICY_VIOLATION, 'too many records'],
    ]);
  });
});
