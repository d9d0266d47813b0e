// CreateAcls and DeleteAcls (quorum/controller/acls/): Kafka's AclControlManager rules, the records
// they write, and the image they leave, against a model set of bindings.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aclBindingKey, ANY_ACL, type AclBindingFilter } from '../../metadata-log/acl-filter.js';
import type { AclBinding } from '../../metadata-log/records/types.js';
import { createAcls } from '../../quorum/controller/acls/create-acls.js';
import { deleteAcls } from '../../quorum/controller/acls/delete-acls.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';
import { rng } from './controller-replication-fixtures.js';

const acl = (over: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: 'payments',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
  ...over,
});
const filter = (over: Partial<AclBindingFilter> = {}): AclBindingFilter => ({ ...ANY_ACL, ...over });
const bindings = (h: OpHarness) => [...h.image.acls()].map(({ id: _id, ...b }) => b);

function create(h: OpHarness, creations: readonly AclBinding[], seed = 1) {
  const r = createAcls(h.ctx(), { creations }, rng(seed));
  return { records: r.records, response: h.apply(r), codes: r.response.results.map((x) => x.errorCode) };
}

function remove(h: OpHarness, filters: readonly AclBindingFilter[]) {
  const r = deleteAcls(h.ctx(), { filters });
  return { records: r.records, response: h.apply(r), codes: r.response.results.map((x) => x.errorCode) };
}

describe('createAcls', () => {
  it('a valid ACL gets one AccessControlEntry record under a fresh id; the image then holds it', () => {
    const h = new OpHarness();
    const r = create(h, [acl(), acl({ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'CLUSTER_ACTION', principal: 'User:broker' })]);
    expect(r.response).toEqual({ results: [{ errorCode: 0, errorMessage: null }, { errorCode: 0, errorMessage: null }] });
    expect(r.records).toHaveLength(2);
    expect(r.records[0]).toMatchObject({ type: 'AccessControlEntry', ...acl() });
    expect(r.records[0]!.type === 'AccessControlEntry' && r.records[1]!.type === 'AccessControlEntry' && r.records[0].id !== r.records[1].id).toBe(true);
    expect(h.image.aclCount).toBe(2);
  });

  it.each<[string, Partial<AclBinding> | Record<string, unknown>, string]>([
    ['resource type ANY', { resourceType: 'ANY' }, 'Invalid resourceType ANY'],
    ['resource type UNKNOWN', { resourceType: 'UNKNOWN' }, 'Invalid resourceType UNKNOWN'],
    ['pattern type MATCH', { patternType: 'MATCH' }, 'Invalid patternType MATCH'],
    ['pattern type ANY', { patternType: 'ANY' }, 'Invalid patternType ANY'],
    ['operation ANY', { operation: 'ANY' }, 'Invalid operation ANY'],
    ['operation UNKNOWN', { operation: 'UNKNOWN' }, 'Invalid operation UNKNOWN'],
    ['permission ANY', { permissionType: 'ANY' }, 'Invalid permissionType ANY'],
    ['an empty resource name', { resourceName: '' }, 'Resource name should not be empty'],
    ['a CLUSTER resource not named kafka-cluster', { resourceType: 'CLUSTER', resourceName: 'prod' }, 'The only valid name for the CLUSTER resource is kafka-cluster'],
    ['a principal without a type', { principal: 'alice' }, 'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)'],
    ['a principal with an empty name', { principal: 'User:' }, 'Could not parse principal from `User:`'],
    ['a principal with an empty type', { principal: ':alice' }, 'Could not parse principal from `:alice`'],
    ['an empty host', { host: '' }, 'Invalid empty host'],
    ['a host that is not a string', { host: null }, 'Invalid empty host'],
  ])('%s is INVALID_REQUEST with Kafka\'s words, and nothing is written', (_what, over, message) => {
    const h = new OpHarness();
    const r = create(h, [acl(over as Partial<AclBinding>), acl({ resourceName: 'ok' })]);
    expect(r.codes).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    expect(r.response.results[0]!.errorMessage).toContain(message);
    expect(r.records).toHaveLength(1);
    expect(bindings(h)).toEqual([acl({ resourceName: 'ok' })]);
  });

  it('an ACL identical to a stored one (all seven fields) succeeds without a record; one field apart is a new ACL', () => {
    const h = new OpHarness();
    create(h, [acl()]);
    const [stored] = [...h.image.acls()];
    const again = create(h, [acl()], 2);
    expect(again.codes).toEqual([ErrorCode.NONE]);
    expect(again.records).toEqual([]);
    expect([...h.image.acls()]).toEqual([stored]);
    for (const over of [{ resourceType: 'GROUP' }, { resourceName: 'pay' }, { patternType: 'PREFIXED' }, { principal: 'User:bob' }, { host: '10.0.0.1' }, { operation: 'WRITE' }, { permissionType: 'DENY' }] as const) {
      expect(create(h, [acl(over)], 3).records).toHaveLength(1);
    }
    expect(h.image.aclCount).toBe(8);
  });

  it('the same ACL twice in one request is written once, both answered NONE', () => {
    const h = new OpHarness();
    const r = create(h, [acl(), acl({ host: '10.0.0.1' }), acl()]);
    expect(r.codes).toEqual([0, 0, 0]);
    expect(r.records).toHaveLength(2);
    expect(h.image.aclCount).toBe(2);
  });

  it('past maxRecordsPerOperation new ACLs are POLICY_VIOLATION; duplicates of written ones still succeed', () => {
    const h = new OpHarness([mvRecord()], { maxRecordsPerOperation: 2 });
    const r = create(h, [acl({ resourceName: 'a' }), acl({ resourceName: 'b' }), acl({ resourceName: 'c' }), acl({ resourceName: 'a' })]);
    expect(r.codes).toEqual([0, 0, ErrorCode.POLICY_VIOLATION, 0]);
    expect(r.response.results[2]!.errorMessage).toMatch(/2 ACLs one operation may write/);
    expect(bindings(h).map((b) => b.resourceName).sort()).toEqual(['a', 'b']);
  });

  it('a request that is not a list of creations is refused as a whole (INVALID_REQUEST)', () => {
    const h = new OpHarness();
    expect(() => createAcls(h.ctx(), { creations: 'x' } as never, rng())).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
    expect(() => createAcls(h.ctx(), {} as never, rng())).toThrow(/creations must be a list/);
  });
});

describe('deleteAcls', () => {
  const seeded = () => {
    const h = new OpHarness();
    create(h, [
      acl(),
      acl({ operation: 'WRITE' }),
      acl({ principal: 'User:bob' }),
      acl({ resourceType: 'GROUP', resourceName: 'billing' }),
      acl({ patternType: 'PREFIXED', resourceName: 'pay' }),
      acl({ resourceName: '*' }),
    ]);
    return h;
  };

  it('overlapping filters: each ACL is removed by one record, and listed under every filter that matched it', () => {
    const h = seeded();
    const alice = filter({ principal: 'User:alice', resourceType: 'TOPIC' });
    const payments = filter({ resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL' });
    const r = remove(h, [alice, payments, filter({ resourceName: 'nothing' })]);
    expect(r.codes).toEqual([0, 0, 0]);
    const [a, p, none] = r.response.results.map((x) => x.matchingAcls.map(({ id: _id, ...b }) => b));
    expect(a).toHaveLength(4); // payments READ and WRITE, the prefix, the wildcard
    expect(p).toEqual([acl(), acl({ operation: 'WRITE' }), acl({ principal: 'User:bob' })]);
    expect(none).toEqual([]);
    expect(r.records).toHaveLength(5);
    expect(new Set(r.records.map((x) => (x.type === 'RemoveAccessControlEntry' ? x.id : ''))).size).toBe(5);
    expect(bindings(h)).toEqual([acl({ resourceType: 'GROUP', resourceName: 'billing' })]);
  });

  it('MATCH removes every ACL that applies to a resource: its literal name, the wildcard and the prefixes', () => {
    const h = seeded();
    const r = remove(h, [filter({ resourceType: 'TOPIC', resourceName: 'payments', patternType: 'MATCH', principal: 'User:alice', operation: 'READ' })]);
    expect(r.response.results[0]!.matchingAcls.map((x) => x.resourceName).sort()).toEqual(['*', 'pay', 'payments']);
    expect(h.image.aclCount).toBe(3);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['resource type UNKNOWN', { resourceType: 'UNKNOWN' }, 'Unknown patternFilter.'],
    ['pattern type UNKNOWN', { patternType: 'UNKNOWN' }, 'Unknown patternFilter.'],
    ['operation UNKNOWN', { operation: 'UNKNOWN' }, 'Unknown entryFilter.'],
    ['permission UNKNOWN', { permissionType: 'UNKNOWN' }, 'Unknown entryFilter.'],
    ['a principal that is not a string', { principal: 7 }, 'principal must be a string or null'],
  ])('a filter with %s is INVALID_REQUEST and removes nothing; the other filters still apply', (_what, over, message) => {
    const h = seeded();
    const r = remove(h, [filter(over as Partial<AclBindingFilter>), filter({ resourceType: 'GROUP' })]);
    expect(r.codes).toEqual([ErrorCode.INVALID_REQUEST, 0]);
    expect(r.response.results[0]).toEqual({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringContaining(message), matchingAcls: [] });
    expect(h.image.aclCount).toBe(5);
  });

  it('a filter whose matches would pass maxRecordsPerOperation is POLICY_VIOLATION and removes none of them', () => {
    const h = new OpHarness([mvRecord()], { maxRecordsPerOperation: 3 });
    create(h, [acl({ resourceName: 'a' }), acl({ resourceName: 'b' })]);
    create(h, [acl({ resourceName: 'c' }), acl({ resourceName: 'd', resourceType: 'GROUP' })]);
    const r = remove(h, [filter({ resourceType: 'GROUP' }), filter({ resourceType: 'TOPIC' })]);
    expect(r.codes).toEqual([0, ErrorCode.POLICY_VIOLATION]);
    expect(r.response.results[1]!.errorMessage).toBe('Cannot remove more than 3 acls in a single delete operation.');
    expect(h.image.aclCount).toBe(3);
  });
});

describe('ACLs below metadata.version 4 (1.0-IV3)', () => {
  it('create and delete answer UNSUPPORTED_VERSION for every entry, naming the upgrade command, and write nothing', () => {
    const h = new OpHarness([mvRecord(3)]);
    const c = create(h, [acl(), acl({ resourceName: '' })]);
    expect(c.records).toEqual([]);
    expect(c.codes).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.UNSUPPORTED_VERSION]);
    expect(c.response.results[0]!.errorMessage).toContain('metaquorum features upgrade --metadata 1.0-IV3');
    const d = remove(h, [ANY_ACL]);
    expect(d.records).toEqual([]);
    expect(d.response.results).toEqual([{ errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: expect.stringContaining('metadata.version 4 (1.0-IV3)'), matchingAcls: [] }]);
  });
});

describe('ACL operations against a model', () => {
  const resourceTypes = ['TOPIC', 'GROUP', 'CLUSTER'] as const;
  const arbBinding = fc
    .record({
      resourceType: fc.constantFrom(...resourceTypes),
      resourceName: fc.constantFrom('a', 'ab', '*'),
      patternType: fc.constantFrom('LITERAL', 'PREFIXED'),
      principal: fc.constantFrom('User:alice', 'User:bob', 'User:*'),
      host: fc.constantFrom('*', '10.0.0.1'),
      operation: fc.constantFrom('READ', 'WRITE', 'ALL'),
      permissionType: fc.constantFrom('ALLOW', 'DENY'),
    })
    .map((b): AclBinding => (b.resourceType === 'CLUSTER' ? { ...b, resourceName: 'kafka-cluster' } : b));
  const arbFilter = fc.record({
    resourceType: fc.constantFrom('ANY', ...resourceTypes),
    resourceName: fc.constantFrom(null, 'a', 'ab', '*', 'kafka-cluster'),
    patternType: fc.constantFrom('ANY', 'MATCH', 'LITERAL', 'PREFIXED'),
    principal: fc.constantFrom(null, 'User:alice', 'User:*'),
    host: fc.constantFrom(null, '*'),
    operation: fc.constantFrom('ANY', 'READ', 'ALL'),
    permissionType: fc.constantFrom('ANY', 'ALLOW', 'DENY'),
  }) as fc.Arbitrary<AclBindingFilter>;
  const arbStep = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), creations: fc.array(arbBinding, { maxLength: 6 }) }),
    fc.record({ kind: fc.constant('delete' as const), filters: fc.array(arbFilter, { maxLength: 3 }) }),
  );

  it('(200 runs) after random creates and deletes the image holds exactly the model set, each binding once, every id distinct', () => {
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 25 }), fc.integer({ min: 1, max: 1_000_000 }), (steps, seed) => {
        const h = new OpHarness();
        const random = rng(seed);
        const model = new Map<string, AclBinding>();
        for (const step of steps) {
          if (step.kind === 'create') {
            const r = createAcls(h.ctx(), { creations: step.creations }, random);
            expect(r.response.results.every((x) => x.errorCode === 0)).toBe(true);
            h.apply(r);
            for (const b of step.creations) model.set(aclBindingKey(b), b);
          } else {
            const r = deleteAcls(h.ctx(), { filters: step.filters });
            const removedIds = new Set<string>();
            step.filters.forEach((f, i) => {
              const expected = [...model.values()].filter((b) => aclBindingKeyMatches(b, f));
              expect(r.response.results[i]!.matchingAcls.map(aclBindingKey).sort()).toEqual(expected.map(aclBindingKey).sort());
              for (const m of r.response.results[i]!.matchingAcls) removedIds.add(m.id);
            });
            expect(r.records).toHaveLength(removedIds.size);
            h.apply(r);
            for (const f of step.filters) for (const [k, b] of [...model]) if (aclBindingKeyMatches(b, f)) model.delete(k);
          }
          const inImage = [...h.image.acls()];
          expect(inImage.map(aclBindingKey).sort()).toEqual([...model.keys()].sort());
          expect(new Set(inImage.map((a) => a.id)).size).toBe(inImage.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** The model's own reading of Kafka's filter (kept apart from acl-filter.ts so a slip there shows). */
function aclBindingKeyMatches(b: AclBinding, f: AclBindingFilter): boolean {
  const eq = <T>(want: T | 'ANY' | null, got: T) => want === 'ANY' || want === null || want === got;
  if (!eq(f.resourceType, b.resourceType) || !eq(f.principal, b.principal) || !eq(f.host, b.host) || !eq(f.operation, b.operation) || !eq(f.permissionType, b.permissionType)) return false;
  if (f.patternType === 'MATCH') {
    if (f.resourceName === null) return true;
    return b.patternType === 'LITERAL' ? b.resourceName === f.resourceName || b.resourceName === '*' : f.resourceName.startsWith(b.resourceName);
  }
  return eq(f.patternType, b.patternType) && eq(f.resourceName, b.resourceName);
}
