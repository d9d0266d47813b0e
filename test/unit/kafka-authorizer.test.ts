// The authorizer (quorum/controller/acls/authorizer.ts): Kafka's StandardAuthorizer rules one by
// one, the index kept while the image's ACL map is unchanged and rebuilt when it changes, and a
// property: over random ACLs, sessions and resources, the indexed authorizer answers exactly what a
// naive reading of the rules (a scan of every ACL) answers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageOf, replayAll } from '../../metadata-log/delta.js';
import type { AccessControlEntryRecord, AclBinding, AclOperation, AclResourceType } from '../../metadata-log/records/types.js';
import { uuidFromBytes } from '../../metadata-log/records/uuid.js';
import type { StoredAcl } from '../../metadata-log/image-types.js';
import { StandardAuthorizer, type AuthorizerConfig, type Session } from '../../quorum/controller/acls/authorizer.js';
import { sessionHost } from '../../quorum/net/principal.js';
import { mvRecord, topicRecords } from './controller-configs-fixture.js';

const id = (n: number) => {
  const b = new Uint8Array(16);
  b[14] = n >> 8;
  b[15] = n & 0xff;
  return uuidFromBytes(b);
};
const acl = (over: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW', ...over,
});
const records = (acls: readonly AclBinding[]): AccessControlEntryRecord[] => acls.map((a, i) => ({ type: 'AccessControlEntry', id: id(i + 1), ...a }));
const alice: Session = { principal: 'User:alice', host: '10.0.0.1' };
const bob: Session = { principal: 'User:bob', host: '10.0.0.2' };
const config = (over: Partial<AuthorizerConfig> = {}): AuthorizerConfig => ({ superUsers: new Set(), allowEveryoneIfNoAclFound: false, ...over });

function check(acls: readonly AclBinding[], session: Session, op: AclOperation, name = 'payments', type: AclResourceType = 'TOPIC', cfg = config()): boolean {
  return new StandardAuthorizer(cfg).authorize(imageOf(records(acls)), session, op, type, name);
}

describe('authorizer: Kafka StandardAuthorizer rules', () => {
  it('no ACL on the resource: allow.everyone.if.no.acl.found decides (default false); an ACL for anyone else makes it deny', () => {
    expect(check([], alice, 'READ')).toBe(false);
    expect(check([], alice, 'READ', 'payments', 'TOPIC', config({ allowEveryoneIfNoAclFound: true }))).toBe(true);
    // An ACL on another resource does not count; one on this resource for bob does.
    expect(check([acl({ resourceName: 'other', principal: 'User:bob' })], alice, 'READ', 'payments', 'TOPIC', config({ allowEveryoneIfNoAclFound: true }))).toBe(true);
    expect(check([acl({ principal: 'User:bob' })], alice, 'READ', 'payments', 'TOPIC', config({ allowEveryoneIfNoAclFound: true }))).toBe(false);
  });

  it('super users may do everything, DENY ACLs included', () => {
    const cfg = config({ superUsers: new Set(['User:alice']) });
    expect(check([acl({ operation: 'ALL', permissionType: 'DENY' })], alice, 'DELETE', 'payments', 'TOPIC', cfg)).toBe(true);
    expect(check([], alice, 'ALTER', 'kafka-cluster', 'CLUSTER', cfg)).toBe(true);
    expect(check([], bob, 'ALTER', 'kafka-cluster', 'CLUSTER', cfg)).toBe(false);
  });

  it('resources: LITERAL by name or *, PREFIXED by a prefix of the name, of the same type only', () => {
    expect(check([acl()], alice, 'READ')).toBe(true);
    expect(check([acl({ resourceName: '*' })], alice, 'READ')).toBe(true);
    expect(check([acl({ resourceName: 'pay' })], alice, 'READ')).toBe(false); // literal 'pay' is not 'payments'
    expect(check([acl({ resourceName: 'pay', patternType: 'PREFIXED' })], alice, 'READ')).toBe(true);
    expect(check([acl({ resourceName: 'payments', patternType: 'PREFIXED' })], alice, 'READ')).toBe(true);
    expect(check([acl({ resourceName: 'paymentsX', patternType: 'PREFIXED' })], alice, 'READ')).toBe(false);
    expect(check([acl({ resourceName: '*', patternType: 'PREFIXED' })], alice, 'READ')).toBe(false); // a prefixed '*' is the character
    expect(check([acl({ resourceType: 'GROUP' })], alice, 'READ')).toBe(false);
  });

  it('principal equal or User:*; host equal or *', () => {
    expect(check([acl({ principal: 'User:*' })], bob, 'READ')).toBe(true);
    expect(check([acl({ principal: 'User:bob' })], alice, 'READ')).toBe(false);
    expect(check([acl({ host: '10.0.0.1' })], alice, 'READ')).toBe(true);
    expect(check([acl({ host: '10.0.0.9' })], alice, 'READ')).toBe(false);
  });

  it('an IPv6 host matches in either spelling: a DENY written as Java writes the address (Kafka, ZooKeeper-migrated ACLs) is not missed', () => {
    const v6 = { principal: 'User:alice', host: sessionHost('/::1') };
    expect(v6.host).toBe('0:0:0:0:0:0:0:1');
    expect(check([acl(), acl({ host: '0:0:0:0:0:0:0:1', permissionType: 'DENY' })], v6, 'READ')).toBe(false);
    expect(check([acl(), acl({ host: '::1', permissionType: 'DENY' })], v6, 'READ')).toBe(false);
    expect(check([acl({ host: '0:0:0:0:0:0:0:1' })], v6, 'READ')).toBe(true);
    expect(check([acl({ host: '::2' })], v6, 'READ')).toBe(false);
    expect(sessionHost('/fe80::a:0:0:1%eth0')).toBe('fe80:0:0:0:a:0:0:1%eth0');
    expect(sessionHost('/2001:db8::ffff:10.0.0.1')).toBe('2001:db8:0:0:0:ffff:a00:1');
    expect(sessionHost('/::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(sessionHost('/10.0.0.1')).toBe('10.0.0.1');
  });

  it('DENY beats ALLOW, from any matching ACL (wildcards and prefixes included); ALL matches any operation', () => {
    expect(check([acl(), acl({ principal: 'User:*', host: '*', permissionType: 'DENY' })], alice, 'READ')).toBe(false);
    expect(check([acl(), acl({ resourceName: 'pay', patternType: 'PREFIXED', permissionType: 'DENY', operation: 'ALL' })], alice, 'READ')).toBe(false);
    expect(check([acl({ operation: 'ALL' })], alice, 'DELETE')).toBe(true);
    expect(check([acl(), acl({ operation: 'WRITE', permissionType: 'DENY' })], alice, 'READ')).toBe(true); // a DENY of another operation
  });

  it('implied operations: ALLOW of READ, WRITE, DELETE or ALTER allows DESCRIBE; ALTER_CONFIGS allows DESCRIBE_CONFIGS; DENY implies nothing', () => {
    for (const op of ['READ', 'WRITE', 'DELETE', 'ALTER'] as const) expect(check([acl({ operation: op })], alice, 'DESCRIBE')).toBe(true);
    expect(check([acl({ operation: 'CREATE' })], alice, 'DESCRIBE')).toBe(false);
    expect(check([acl({ operation: 'ALTER_CONFIGS' })], alice, 'DESCRIBE_CONFIGS')).toBe(true);
    expect(check([acl({ operation: 'DESCRIBE' })], alice, 'READ')).toBe(false);
    expect(check([acl({ operation: 'DESCRIBE' }), acl({ operation: 'READ', permissionType: 'DENY' })], alice, 'DESCRIBE')).toBe(true);
  });

  it('the index is built once per ACL map: an image with other changes keeps it, an ACL change rebuilds it', () => {
    const authorizer = new StandardAuthorizer(config());
    const first = imageOf([mvRecord(), ...records([acl()])]);
    expect(authorizer.authorize(first, alice, 'READ', 'TOPIC', 'payments')).toBe(true);
    const topicsOnly = replayAll(first, topicRecords('t9', 9, 1), { endOffset: 100, epoch: 1 });
    expect(topicsOnly).not.toBe(first);
    expect(authorizer.authorize(topicsOnly, alice, 'READ', 'TOPIC', 'payments')).toBe(true);
    expect(authorizer.indexBuilds).toBe(1);
    const removed = replayAll(topicsOnly, [{ type: 'RemoveAccessControlEntry', id: id(1) }], { endOffset: 101, epoch: 1 });
    expect(authorizer.authorize(removed, alice, 'READ', 'TOPIC', 'payments')).toBe(false);
    expect(authorizer.indexBuilds).toBe(2);
  });
});

/** The rules read literally: a scan of every ACL, no index. */
function naive(acls: readonly StoredAcl[], cfg: AuthorizerConfig, s: Session, op: AclOperation, type: AclResourceType, name: string): boolean {
  if (cfg.superUsers.has(s.principal)) return true;
  const applies = acls.filter(
    (a) => a.resourceType === type && (a.patternType === 'LITERAL' ? a.resourceName === name || a.resourceName === '*' : name.startsWith(a.resourceName)),
  );
  if (applies.length === 0) return cfg.allowEveryoneIfNoAclFound;
  const mine = applies.filter((a) => (a.principal === s.principal || a.principal === 'User:*') && (a.host === s.host || a.host === '*'));
  if (mine.some((a) => a.permissionType === 'DENY' && (a.operation === op || a.operation === 'ALL'))) return false;
  const implies = (granted: AclOperation): boolean =>
    granted === op ||
    granted === 'ALL' ||
    (op === 'DESCRIBE' && ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(granted)) ||
    (op === 'DESCRIBE_CONFIGS' && granted === 'ALTER_CONFIGS');
  return mine.some((a) => a.permissionType === 'ALLOW' && implies(a.operation));
}

describe('authorizer: property against the naive reading', () => {
  const names = ['', 'p', 'pa', 'pay', 'payments', 'payroll', '*', 'orders', 'o'];
  const ops: AclOperation[] = ['ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'CLUSTER_ACTION'];
  const askOps = ops.filter((o) => o !== 'ALL');
  const types: AclResourceType[] = ['TOPIC', 'GROUP', 'CLUSTER'];
  const principals = ['User:alice', 'User:bob', 'User:*'];
  const hosts = ['10.0.0.1', '10.0.0.2', '*'];
  const aclArb = fc.record({
    resourceType: fc.constantFrom(...types),
    resourceName: fc.constantFrom(...names.filter((n) => n !== '')),
    patternType: fc.constantFrom('LITERAL' as const, 'PREFIXED' as const),
    principal: fc.constantFrom(...principals),
    host: fc.constantFrom(...hosts),
    operation: fc.constantFrom(...ops),
    permissionType: fc.constantFrom('ALLOW' as const, 'DENY' as const),
  });
  it('the indexed authorizer answers as a scan of every ACL (300 runs of 40 questions)', () => {
    fc.assert(
      fc.property(
        fc.array(aclArb, { maxLength: 25 }),
        fc.boolean(),
        fc.subarray(['User:alice', 'User:bob']),
        fc.array(
          fc.record({
            principal: fc.constantFrom('User:alice', 'User:bob', 'User:carol'),
            host: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
            op: fc.constantFrom(...askOps),
            type: fc.constantFrom(...types),
            name: fc.constantFrom(...names),
          }),
          { minLength: 40, maxLength: 40 },
        ),
        (acls, allowEveryone, supers, questions) => {
          const cfg = config({ superUsers: new Set(supers), allowEveryoneIfNoAclFound: allowEveryone });
          const image = imageOf(records(acls));
          const stored = [...image.acls()];
          const authorizer = new StandardAuthorizer(cfg);
          for (const q of questions) {
            const s = { principal: q.principal, host: q.host };
            expect(authorizer.authorize(image, s, q.op, q.type, q.name)).toBe(naive(stored, cfg, s, q.op, q.type, q.name));
          }
          expect(authorizer.indexBuilds).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
