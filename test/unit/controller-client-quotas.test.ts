// Client quotas (quorum/controller/configs/client-quotas.ts, metadata-log/client-quota-filter.ts):
// AlterClientQuotas's rules and records, and DescribeClientQuotas's filter, on a controller image.

import { describe, expect, it } from 'vitest';
import { ClientQuotaMatchType } from '../../metadata-log/client-quota-filter.js';
import { alterClientQuotas, describeClientQuotas, type ClientQuotaAlteration, type ClientQuotaEntityInput, type ClientQuotaOp } from '../../quorum/controller/configs/client-quotas.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';

const user = (name: string | null): ClientQuotaEntityInput => ({ entityType: 'user', entityName: name });
const client = (name: string | null): ClientQuotaEntityInput => ({ entityType: 'client-id', entityName: name });
const ip = (name: string | null): ClientQuotaEntityInput => ({ entityType: 'ip', entityName: name });
const set = (key: string, value: number): ClientQuotaOp => ({ key, value, remove: false });
const del = (key: string): ClientQuotaOp => ({ key, value: 0, remove: true });
const entry = (entity: ClientQuotaEntityInput[], ...ops: ClientQuotaOp[]): ClientQuotaAlteration => ({ entity, ops });

function alter(h: OpHarness, entries: ClientQuotaAlteration[], validateOnly = false) {
  const r = alterClientQuotas(h.ctx(), { entries, validateOnly });
  const response = h.apply(r);
  return { records: r.records, codes: response.entries.map((e) => e.errorCode), messages: response.entries.map((e) => e.errorMessage), response };
}

const quotasOf = (h: OpHarness) =>
  Object.fromEntries([...h.image.clientQuotas()].map((q) => [q.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(','), Object.fromEntries(q.values)]));

describe('alterClientQuotas', () => {
  it('writes one record per changed key, in canonical entity order; the image then holds them', () => {
    const h = new OpHarness();
    const r = alter(h, [
      entry([client('etl'), user('alice')], set('producer_byte_rate', 1048576), set('request_percentage', 12.5)),
      entry([user(null)], set('consumer_byte_rate', 2048)),
      entry([ip('10.0.0.7')], set('connection_creation_rate', 50)),
      entry([ip('::1')], set('connection_creation_rate', 5)),
    ]);
    expect(r.codes).toEqual([0, 0, 0, 0]);
    expect(r.records).toHaveLength(5);
    expect(r.records[0]).toEqual({
      type: 'ClientQuota',
      entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'etl' }],
      key: 'producer_byte_rate',
      value: 1048576,
      remove: false,
    });
    expect(quotasOf(h)).toEqual({
      'user=alice,client-id=etl': { producer_byte_rate: 1048576, request_percentage: 12.5 },
      'user=<default>': { consumer_byte_rate: 2048 },
      'ip=10.0.0.7': { connection_creation_rate: 50 },
      'ip=::1': { connection_creation_rate: 5 },
    });
    // The answer names each entity as asked.
    expect(r.response.entries[0]!.entity).toEqual([client('etl'), user('alice')]);
  });

  it('an unchanged value writes nothing; a removal writes a record only for a key the entity holds', () => {
    const h = new OpHarness();
    alter(h, [entry([user('alice')], set('producer_byte_rate', 1024), set('consumer_byte_rate', 1024))]);
    const again = alter(h, [entry([user('alice')], set('producer_byte_rate', 1024), del('request_percentage'))]);
    expect(again.codes).toEqual([0]);
    expect(again.records).toEqual([]);
    const removal = alter(h, [entry([user('alice')], del('producer_byte_rate'))]);
    expect(removal.records).toEqual([{ type: 'ClientQuota', entity: [{ entityType: 'user', entityName: 'alice' }], key: 'producer_byte_rate', value: 0, remove: true }]);
    expect(quotasOf(h)).toEqual({ 'user=alice': { consumer_byte_rate: 1024 } });
    alter(h, [entry([user('alice')], del('consumer_byte_rate'))]);
    expect(h.image.clientQuotaCount).toBe(0);
  });

  it.each([
    ['no parts', [], [set('producer_byte_rate', 1)], /Invalid empty client quota entity/],
    ['an unknown type', [{ entityType: 'group', entityName: 'g' }], [set('producer_byte_rate', 1)], /Unhandled client quota entity type: group/],
    ['a type twice', [user('a'), user('b')], [set('producer_byte_rate', 1)], /duplicate entity entry user/],
    ['an empty name', [client('')], [set('producer_byte_rate', 1)], /Empty client-id not supported/],
    ['ip with user', [ip('10.0.0.1'), user('a')], [set('connection_creation_rate', 1)], /ip cannot be combined/],
    ['an ip that is a host name', [ip('broker-1.local')], [set('connection_creation_rate', 1)], /not a valid IP address/],
    ['the same key twice', [user('a')], [set('producer_byte_rate', 1), del('producer_byte_rate')], /Duplicate quota key producer_byte_rate/],
    ['an ip key on a user', [user('a')], [set('connection_creation_rate', 1)], /Invalid configuration key connection_creation_rate/],
    ['a user key on an ip', [ip('10.0.0.1')], [set('producer_byte_rate', 1)], /Invalid configuration key producer_byte_rate/],
    ['an unknown key', [client('c')], [set('producer.byte.rate', 1)], /Invalid configuration key producer\.byte\.rate/],
    ['a fraction of a byte rate', [user('a')], [set('producer_byte_rate', 1.5)], /must be a Long value/],
    ['a negative rate', [user('a')], [set('request_percentage', -1)], /must be a number at least 0/],
    ['NaN', [user('a')], [set('request_percentage', NaN)], /must be a number at least 0/],
    ['infinity', [user('a')], [set('consumer_byte_rate', Infinity)], /must be a number at least 0/],
    ['a connection rate above int32', [ip(null)], [set('connection_creation_rate', 2 ** 31)], /must be at most 2147483647/],
  ])('%s: INVALID_REQUEST for that entry, with no record, while a valid entry beside it is written', (_what, entity, ops, message) => {
    const h = new OpHarness();
    const r = alter(h, [entry(entity as ClientQuotaEntityInput[], ...ops), entry([user('ok')], set('producer_byte_rate', 7))]);
    expect(r.codes).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    expect(r.messages[0]).toMatch(message);
    expect(quotasOf(h)).toEqual({ 'user=ok': { producer_byte_rate: 7 } });
  });

  it('a whole-number key takes a double within 1e-6 of a whole number (Kafka\'s tolerance); fractions go to the fraction keys', () => {
    const h = new OpHarness();
    const r = alter(h, [entry([user('a')], set('producer_byte_rate', 1024.0000001), set('controller_mutation_rate', 0.25))]);
    expect(r.codes).toEqual([0]);
    expect(h.image.clientQuota([{ entityType: 'user', entityName: 'a' }])!.values.get('controller_mutation_rate')).toBe(0.25);
  });

  it('-0 is written as 0, as every replica reads it back', () => {
    const h = new OpHarness();
    const r = alter(h, [entry([user('a')], set('request_percentage', -0))]);
    expect(r.codes).toEqual([0]);
    expect(Object.is((r.records[0] as { value: number }).value, 0)).toBe(true);
  });

  it('an entity named by two entries is refused in both (its parts in either order), and neither writes', () => {
    const h = new OpHarness();
    const r = alter(h, [entry([user('a'), client('c')], set('producer_byte_rate', 1)), entry([client('c'), user('a')], set('consumer_byte_rate', 2)), entry([user('a')], set('producer_byte_rate', 3))]);
    expect(r.codes).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    expect(r.messages[0]).toMatch(/duplicate entity/);
    expect(quotasOf(h)).toEqual({ 'user=a': { producer_byte_rate: 3 } });
  });

  it('validateOnly answers the same and writes nothing', () => {
    const h = new OpHarness();
    const r = alter(h, [entry([user('a')], set('producer_byte_rate', 1)), entry([user('b')], set('producer_byte_rate', 0.5))], true);
    expect(r.codes).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST]);
    expect(r.records).toEqual([]);
  });

  it('below metadata.version 6 (1.0-IV5) every entry is UNSUPPORTED_VERSION and nothing is written', () => {
    const h = new OpHarness([mvRecord(5)]);
    const r = alter(h, [entry([user('a')], set('producer_byte_rate', 1)), entry([], set('x', 1))]);
    expect(r.codes).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNSUPPORTED_VERSION]);
    expect(r.messages[0]).toMatch(/1\.0-IV5/);
    expect(r.records).toEqual([]);
  });

  it('an entry whose records would pass maxRecordsPerOperation is POLICY_VIOLATION; the ones before it are written', () => {
    const h = new OpHarness([mvRecord()], { maxRecordsPerOperation: 3 });
    const r = alter(h, [entry([user('a')], set('producer_byte_rate', 1), set('consumer_byte_rate', 1)), entry([user('b')], set('producer_byte_rate', 1), set('consumer_byte_rate', 1))]);
    expect(r.codes).toEqual([ErrorCode.NONE, ErrorCode.POLICY_VIOLATION]);
    expect(h.image.clientQuotaCount).toBe(1);
  });

  it.each([
    ['no entries list', {}],
    ['an entry without ops', { entries: [{ entity: [] }] }],
    ['a numeric entity name', { entries: [{ entity: [{ entityType: 'user', entityName: 5 }], ops: [] }] }],
    ['an op without remove', { entries: [{ entity: [], ops: [{ key: 'k', value: 1 }] }] }],
  ])('a malformed request (%s) is refused whole with INVALID_REQUEST', (_what, request) => {
    const h = new OpHarness();
    expect(() => alterClientQuotas(h.ctx(), request as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
  });
});

describe('describeClientQuotas', () => {
  const h = new OpHarness();
  alter(h, [
    entry([user('alice')], set('producer_byte_rate', 1)),
    entry([user('alice'), client('etl')], set('producer_byte_rate', 2)),
    entry([user(null)], set('producer_byte_rate', 3)),
    entry([user(null), client(null)], set('producer_byte_rate', 4)),
    entry([client('etl')], set('consumer_byte_rate', 5), set('request_percentage', 6)),
    entry([ip('10.0.0.1')], set('connection_creation_rate', 7)),
    entry([ip(null)], set('connection_creation_rate', 8)),
  ]);
  const { EXACT, DEFAULT, SPECIFIED } = ClientQuotaMatchType;
  const c = (entityType: string, matchType: number, match: string | null = null) => ({ entityType, matchType, match });
  const names = (components: ReturnType<typeof c>[], strict: boolean) => {
    const r = describeClientQuotas(h.image, { components, strict });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    return r.entries.map((e) => e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(','));
  };

  it('EXACT, DEFAULT and SPECIFIED select by type and name; strict also wants no other types', () => {
    expect(names([c('user', EXACT, 'alice')], false)).toEqual(['user=alice', 'user=alice,client-id=etl']);
    expect(names([c('user', EXACT, 'alice')], true)).toEqual(['user=alice']);
    expect(names([c('user', DEFAULT)], false)).toEqual(['user=<default>', 'user=<default>,client-id=<default>']);
    expect(names([c('user', DEFAULT), c('client-id', DEFAULT)], true)).toEqual(['user=<default>,client-id=<default>']);
    expect(names([c('client-id', SPECIFIED)], true)).toEqual(['client-id=etl']);
    expect(names([c('user', SPECIFIED), c('client-id', SPECIFIED)], true)).toEqual(['user=<default>,client-id=<default>', 'user=alice,client-id=etl']);
    expect(names([c('ip', SPECIFIED)], false)).toEqual(['ip=<default>', 'ip=10.0.0.1']);
    expect(names([c('user', EXACT, 'nobody')], false)).toEqual([]);
  });

  it('no components: every entity, or none when strict', () => {
    expect(names([], false)).toHaveLength(7);
    expect(names([], true)).toEqual([]);
  });

  it('answers each entity with its values sorted by key', () => {
    const r = describeClientQuotas(h.image, { components: [c('client-id', EXACT, 'etl')], strict: true });
    expect(r.entries).toEqual([{ entity: [{ entityType: 'client-id', entityName: 'etl' }], values: [{ key: 'consumer_byte_rate', value: 5 }, { key: 'request_percentage', value: 6 }] }]);
  });

  it.each([
    ['an empty type', [c('', SPECIFIED)], 'INVALID_REQUEST', /Invalid empty entity type/],
    ['a type twice', [c('user', SPECIFIED), c('user', DEFAULT)], 'INVALID_REQUEST', /cannot appear more than once/],
    ['an unknown type', [c('group', SPECIFIED)], 'UNSUPPORTED_VERSION', /Unsupported entity type group/],
    ['EXACT without a name', [c('user', EXACT)], 'INVALID_REQUEST', /MATCH_TYPE_EXACT, but set match string to null/],
    ['DEFAULT with a name', [c('user', DEFAULT, 'a')], 'INVALID_REQUEST', /MATCH_TYPE_DEFAULT, but also specified/],
    ['SPECIFIED with a name', [c('user', SPECIFIED, 'a')], 'INVALID_REQUEST', /MATCH_TYPE_SPECIFIED, but also specified/],
    ['an unknown match type', [c('user', 7)], 'INVALID_REQUEST', /Unknown match type 7/],
    ['ip with client-id', [c('ip', SPECIFIED), c('client-id', SPECIFIED)], 'INVALID_REQUEST', /IP filter component should not be used/],
  ] as const)('refuses %s with %s and no entries', (_what, components, error, message) => {
    const r = describeClientQuotas(h.image, { components: [...components], strict: false });
    expect(r.errorCode).toBe(ErrorCode[error]);
    expect(r.errorMessage).toMatch(message);
    expect(r.entries).toEqual([]);
  });
});
