// `metaquorum acls` against a fake connector that runs the real controller operations
// (createAcls, deleteAcls) and the real describeAcls over one image: the requests kafka-acls'
// flags make, Kafka's output, the exit codes, and the usage errors that send nothing.

import { describe, expect, it } from 'vitest';
import { createAcls } from '../../quorum/controller/acls/create-acls.js';
import { deleteAcls } from '../../quorum/controller/acls/delete-acls.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { describeAcls } from '../../quorum/server/image-reads.js';
import { CONTROLLER, installFake, runCli } from './cli-admin-fixture.js';
import { mvRecord, OpHarness } from './controller-configs-fixture.js';
import { rng } from './controller-replication-fixtures.js';

function cluster(level?: number) {
  const h = new OpHarness(level === undefined ? undefined : [mvRecord(level)]);
  const random = rng(7);
  const fake = installFake({
    createAcls: (r) => h.apply(createAcls(h.ctx(), r, random)),
    deleteAcls: (r) => h.apply(deleteAcls(h.ctx(), r)),
    describeAcls: (r) => describeAcls(h.image, r),
  });
  return { h, fake };
}

const acls = (...args: string[]) => runCli('acls', ...args, ...CONTROLLER);

describe('acls --add', () => {
  it('one ACL per resource x principal x host x operation, printed as kafka-acls prints them', async () => {
    const { h, fake } = cluster();
    const r = await acls('--add', '--allow-principal', 'User:alice', '--allow-principal', 'User:bob', '--operation', 'Read', '--operation', 'describe', '--topic', 'payments', '--group', 'billing');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(fake.calls.map((c) => c.method)).toEqual(['createAcls']);
    expect(h.image.aclCount).toBe(8);
    expect(r.stdout).toBe(
      [
        'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=payments, patternType=LITERAL)`:',
        '\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)',
        '\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)',
        '\t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)',
        '\t(principal=User:bob, host=*, operation=DESCRIBE, permissionType=ALLOW)',
        '',
        'Adding ACLs for resource `ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)`:',
        '\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)',
        '\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)',
        '\t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)',
        '\t(principal=User:bob, host=*, operation=DESCRIBE, permissionType=ALLOW)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('values are trimmed as kafka-acls trims them: a principal or name with stray spaces is the same ACL', async () => {
    const { h } = cluster();
    expect((await acls('--add', '--allow-principal', ' User:alice ', '--operation', 'Read', '--topic', ' payments ')).exitCode).toBe(0);
    expect([...h.image.acls()].map((a) => [a.principal, a.resourceName])).toEqual([['User:alice', 'payments']]);
    expect((await acls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'payments')).exitCode).toBe(0);
    expect(h.image.aclCount).toBe(1);
  });

  it('deny principals with their hosts, prefixed patterns, the cluster, operation All by default; adding the same again is a no-op', async () => {
    const { h, fake } = cluster();
    const args = ['--add', '--deny-principal', 'User:mallory', '--deny-host', '10.0.0.9', '--resource-pattern-type', 'prefixed', '--topic', 'pay', '--transactional-id', 'tx-'];
    expect((await acls(...args)).exitCode).toBe(0);
    expect(fake.calls[0]?.request).toEqual({
      creations: [
        { resourceType: 'TOPIC', resourceName: 'pay', patternType: 'PREFIXED', principal: 'User:mallory', host: '10.0.0.9', operation: 'ALL', permissionType: 'DENY' },
        { resourceType: 'TRANSACTIONAL_ID', resourceName: 'tx-', patternType: 'PREFIXED', principal: 'User:mallory', host: '10.0.0.9', operation: 'ALL', permissionType: 'DENY' },
      ],
    });
    expect((await acls(...args)).exitCode).toBe(0);
    expect(h.image.aclCount).toBe(2);
    const c = await acls('--add', '--allow-principal', 'User:broker', '--operation', 'ClusterAction', '--cluster', '--json');
    expect(JSON.parse(c.stdout)).toEqual({
      created: [{ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', patternType: 'LITERAL', principal: 'User:broker', host: '*', operation: 'CLUSTER_ACTION', permissionType: 'ALLOW' }],
      failed: [],
    });
  });

  it('refused by the controller (metadata.version below 1.0-IV3): each ACL on stderr with the upgrade hint, exit 1', async () => {
    cluster(3);
    const r = await acls('--add', '--allow-principal', 'User:alice', '--topic', 't');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error while adding ACL (principal=User:alice, host=*, operation=ALL, permissionType=ALLOW) for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`: UNSUPPORTED_VERSION');
    expect(r.stderr).toContain('metaquorum features upgrade --metadata 1.0-IV3');
    expect(r.stderr).toContain('error: could not add 1 of 1 ACLs');
  });
});

describe('acls --list and --remove', () => {
  async function seeded() {
    const c = cluster();
    await acls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', 'payments', '--topic', 'orders');
    await acls('--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--resource-pattern-type', 'prefixed', '--topic', 'pay');
    await acls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--group', 'billing');
    c.fake.calls.length = 0;
    expect(c.h.image.aclCount).toBe(6);
    return c;
  }

  it('--list: everything grouped by resource; a topic selects its literal ACLs (the default, as Kafka), prefixed or any those patterns too; match finds what applies', async () => {
    await seeded();
    const all = await acls('--list');
    expect(all.exitCode).toBe(0);
    expect(all.stdout.split('\n').filter((l) => l.startsWith('Current ACLs'))).toEqual([
      'Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)`:',
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:',
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=payments, patternType=LITERAL)`:',
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=pay, patternType=PREFIXED)`:',
    ]);
    const payments = await acls('--list', '--topic', 'payments', '--json');
    expect(JSON.parse(payments.stdout).acls.map((a: { operation: string }) => a.operation)).toEqual(['READ', 'WRITE']);
    const literal = await acls('--list', '--topic', 'pay', '--json');
    expect(JSON.parse(literal.stdout).acls).toEqual([]);
    const prefixed = await acls('--list', '--topic', 'pay', '--resource-pattern-type', 'prefixed', '--json');
    expect(JSON.parse(prefixed.stdout).acls.map((a: { principal: string }) => a.principal)).toEqual(['User:bob']);
    const any = await acls('--list', '--topic', 'pay', '--resource-pattern-type', 'any', '--json');
    expect(JSON.parse(any.stdout).acls.map((a: { patternType: string }) => a.patternType)).toEqual(['PREFIXED']);
    const match = await acls('--list', '--topic', 'payments', '--resource-pattern-type', 'match', '--json');
    expect(JSON.parse(match.stdout).acls.map((a: { principal: string }) => a.principal)).toEqual(['User:alice', 'User:alice', 'User:bob']);
    const bob = await acls('--list', '--principal', 'User:bob');
    expect(bob.stdout).toBe('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=pay, patternType=PREFIXED)`:\n\t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)\n\n');
    expect((await acls('--list', '--group', 'nope')).stdout).toBe('No ACLs found.\n');
  });

  it('--remove with principals removes exactly those ACLs; without, every ACL of the resource (narrowed by --operation)', async () => {
    const { h } = await seeded();
    const one = await acls('--remove', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'payments');
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toBe('Removed ACLs for resource `ResourcePattern(resourceType=TOPIC, name=payments, patternType=LITERAL)`:\n\t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)\n\n');
    expect(h.image.aclCount).toBe(5);
    const writes = await acls('--remove', '--topic', 'orders', '--operation', 'write', '--json');
    expect(JSON.parse(writes.stdout).removed).toHaveLength(1);
    expect(h.image.aclCount).toBe(4);
    const rest = await acls('--remove', '--topic', 'orders', '--topic', 'pay', '--json');
    expect(JSON.parse(rest.stdout).removed.map((a: { resourceName: string }) => a.resourceName)).toEqual(['orders']);
    expect(h.image.aclCount).toBe(3);
    // As kafka-acls: the PREFIXED ACLs of a name go only when asked for (the default is literal).
    const prefixed = await acls('--remove', '--topic', 'pay', '--resource-pattern-type', 'prefixed', '--json');
    expect(JSON.parse(prefixed.stdout).removed.map((a: { resourceName: string; patternType: string }) => `${a.resourceName} ${a.patternType}`)).toEqual(['pay PREFIXED']);
    expect(h.image.aclCount).toBe(2);
    expect((await acls('--remove', '--topic', 'orders')).stdout).toBe('No ACL matched; nothing was removed.\n');
  });

  it('--remove with no resource is refused without --force (exit 2, nothing sent); with --force it removes every ACL', async () => {
    const { h, fake } = await seeded();
    const refused = await acls('--remove');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/every resource; give a resource, or --force/);
    expect(fake.calls).toEqual([]);
    const forced = await acls('--remove', '--force');
    expect(forced.exitCode).toBe(0);
    expect(h.image.aclCount).toBe(0);
  });

  it('a filter the controller refuses is on stderr with exit 1', async () => {
    installFake({ deleteAcls: () => ({ results: [{ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown patternFilter.', matchingAcls: [] }] }) });
    const r = await acls('--remove', '--topic', 't');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error while removing ACLs matching ResourcePatternFilter(resourceType=TOPIC, name=t, patternType=LITERAL)');
    expect(r.stderr).toContain('INVALID_REQUEST: Unknown patternFilter.');
  });
});

describe('acls usage errors', () => {
  it.each([
    [[] as string[], /one of --add, --remove and --list/],
    [['--add', '--list'], /one of --add, --remove and --list/],
    [['--add', '--topic', 't'], /--allow-principal or --deny-principal/],
    [['--add', '--allow-principal', 'User:a'], /at least one resource/],
    [['--add', '--allow-principal', 'alice', '--topic', 't'], /Type:name/],
    [['--add', '--allow-principal', 'User:a', '--topic', 't', '--operation', 'Fly'], /--operation must be one of/],
    [['--add', '--allow-principal', 'User:a', '--group', 'g', '--operation', 'Write'], /ResourceType GROUP only supports operations READ, DESCRIBE, DELETE, ALL/],
    [['--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match'], /not valid when adding ACLs/],
    [['--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'regex'], /literal, prefixed, match or any/],
    [['--add', '--allow-principal', 'User:a', '--deny-host', '1.2.3.4', '--topic', 't'], /--deny-host goes with --deny-principal/],
    [['--add', '--allow-principal', 'User:a', '--topic', ''], /--topic must not be empty/],
    [['--list', '--allow-principal', 'User:a'], /filter by principal with --principal/],
    [['--add', '--principal', 'User:a', '--topic', 't'], /--principal filters --list/],
    [['--list', '--force'], /--force is for --remove/],
  ])('acls %j: exit 2, nothing sent', async (args, message) => {
    const f = installFake({});
    const r = await acls(...args);
    expect(r.exitCode, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(f.calls).toEqual([]);
  });
});
