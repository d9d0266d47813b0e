// Which stored ACLs a filter selects (Kafka's AclBindingFilter.matches), and describeAcls over an
// image: what DescribeAcls, DeleteAcls and `acls --list` answer.

import { describe, expect, it } from 'vitest';
import { aclMatchesFilter, ANY_ACL, type AclBindingFilter } from '../../metadata-log/acl-filter.js';
import { imageOf } from '../../metadata-log/delta.js';
import type { AccessControlEntryRecord, AclBinding } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import { describeAcls } from '../../quorum/server/image-reads.js';

const acl = (over: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW', ...over,
});
const filter = (over: Partial<AclBindingFilter> = {}): AclBindingFilter => ({ ...ANY_ACL, ...over });

describe('ACL filters', () => {
  it('ANY selects everything; each definite field must be equal', () => {
    expect(aclMatchesFilter(acl(), ANY_ACL)).toBe(true);
    expect(aclMatchesFilter(acl(), filter({ resourceType: 'GROUP' }))).toBe(false);
    expect(aclMatchesFilter(acl(), filter({ principal: 'User:bob' }))).toBe(false);
    expect(aclMatchesFilter(acl(), filter({ host: '10.0.0.1' }))).toBe(false);
    expect(aclMatchesFilter(acl(), filter({ operation: 'WRITE' }))).toBe(false);
    expect(aclMatchesFilter(acl(), filter({ permissionType: 'DENY' }))).toBe(false);
    expect(aclMatchesFilter(acl(), filter({ resourceType: 'TOPIC', resourceName: 'payments', principal: 'User:alice', operation: 'READ' }))).toBe(true);
    // No wildcard expansion of principals or hosts: a filter for User:* finds ACLs stored for User:*.
    expect(aclMatchesFilter(acl(), filter({ principal: 'User:*' }))).toBe(false);
  });

  it('LITERAL and PREFIXED select that pattern type with the name as written; ANY any pattern with that name', () => {
    const prefixed = acl({ patternType: 'PREFIXED', resourceName: 'pay' });
    expect(aclMatchesFilter(prefixed, filter({ patternType: 'LITERAL', resourceName: 'pay' }))).toBe(false);
    expect(aclMatchesFilter(prefixed, filter({ patternType: 'PREFIXED', resourceName: 'pay' }))).toBe(true);
    expect(aclMatchesFilter(prefixed, filter({ patternType: 'PREFIXED', resourceName: 'payments' }))).toBe(false);
    expect(aclMatchesFilter(prefixed, filter({ resourceName: 'pay' }))).toBe(true);
    expect(aclMatchesFilter(prefixed, filter({ resourceName: 'payments' }))).toBe(false);
  });

  it('MATCH selects every ACL that applies to the named resource: literal, wildcard and prefixes of it', () => {
    const m = filter({ patternType: 'MATCH', resourceName: 'payments' });
    expect(aclMatchesFilter(acl(), m)).toBe(true);
    expect(aclMatchesFilter(acl({ resourceName: '*' }), m)).toBe(true);
    expect(aclMatchesFilter(acl({ patternType: 'PREFIXED', resourceName: 'pay' }), m)).toBe(true);
    expect(aclMatchesFilter(acl({ patternType: 'PREFIXED', resourceName: 'payments-eu' }), m)).toBe(false);
    expect(aclMatchesFilter(acl({ resourceName: 'pay' }), m)).toBe(false);
    // A stored PREFIXED '*' is a prefix, not a wildcard: it applies only to names starting with '*'.
    expect(aclMatchesFilter(acl({ patternType: 'PREFIXED', resourceName: '*' }), m)).toBe(false);
  });

  it('describeAcls answers what a filter selects from the image, in a stable order', () => {
    const id = (n: number) => {
      const b = new Uint8Array(16);
      b[15] = n;
      return uuidFromBytes(b);
    };
    const records: AccessControlEntryRecord[] = [
      { type: 'AccessControlEntry', id: id(3), ...acl({ principal: 'User:bob' }) },
      { type: 'AccessControlEntry', id: id(1), ...acl({ resourceType: 'GROUP', resourceName: 'g' }) },
      { type: 'AccessControlEntry', id: id(2), ...acl() },
    ];
    const image = imageOf(records);
    expect(describeAcls(image, { filter: ANY_ACL }).acls.map((a) => a.id)).toEqual([id(1), id(2), id(3)]); // GROUP before TOPIC, then by principal
    expect(describeAcls(image, { filter: filter({ resourceType: 'TOPIC', principal: 'User:bob' }) }).acls.map((a) => a.id)).toEqual([id(3)]);
    expect(describeAcls(image, {} as never).acls).toHaveLength(3);
  });
});
