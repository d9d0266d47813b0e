// `metaquorum acls --add | --remove | --list`: Kafka's kafka-acls over the controller's createAcls
// and deleteAcls (quorum/controller/acls/ has the rules) and describeAcls (answered by the node
// reached, from its own image, like topics describe).
//
// Resources (repeatable): --topic, --group, --transactional-id, --cluster (the one 'kafka-cluster').
// --resource-pattern-type literal|prefixed (--add) or also match|any (--list and --remove); the
// default is literal for all three, as kafka-acls': --remove --topic pay leaves the PREFIXED ACLs of
// pay (a DENY on pay* among them) unless asked with prefixed, any or match. With no resource given,
// --list and --remove --force select every pattern type unless one is given.
//   --add     one ACL per resource x principal x host x operation: --allow-principal with
//             --allow-host (ALLOW) and --deny-principal with --deny-host (DENY), hosts '*' unless
//             given, --operation (Kafka's names, any case: Read, ClusterAction...) All unless
//             given; an operation the resource type has no use for is refused as Kafka's tool
//             refuses it. Prints Kafka's "Adding ACLs for resource `ResourcePattern(...)`:" blocks.
//             An ACL stored already is not added twice (the controller answers it as done).
//   --remove  with principals: those exact ACLs (as --add would make them); without: every ACL
//             of the resources, narrowed by --operation if given (Kafka's tool ignores --operation
//             there and removes them all, which surprised nobody only until it did). No resource
//             at all selects every resource's ACLs: Kafka's tool refuses that ('You must provide
//             at least one resource'); here it takes --force. Prints the ACLs removed, grouped by
//             resource.
//   --list    every ACL, or those of the resources given, of the --principal(s) given (and of the
//             --operation given), grouped by resource as Kafka prints them.
// --json prints one object: { created, failed } / { removed, failed } / { acls }.
// Exit codes: 0; 1 when the cluster refused an ACL or a filter (each one on stderr) or the
// request failed; 2 for a usage error (nothing sent).

import { InvalidArgumentError, Option, type Command } from 'commander';
import { compareAcls, type AclBindingFilter } from '../../metadata-log/acl-filter.js';
import type { StoredAcl } from '../../metadata-log/image-types.js';
import { CLUSTER_RESOURCE_NAME } from '../../metadata-log/records/acl-codes.js';
import type { AclBinding, AclOperation, AclPatternType, AclPermissionType, AclResourceType } from '../../metadata-log/records/types.js';
import { ItemsFailedError } from './admin-errors.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { action, print, UsageError } from './common.js';
import { errorText, isErrorCode, writeLines } from './format.js';

type PatternArg = AclPatternType | 'MATCH' | 'ANY';

interface AclsOptions extends ReadOptions {
  readonly add: boolean;
  readonly remove: boolean;
  readonly list: boolean;
  readonly force: boolean;
  readonly allowPrincipal: readonly string[];
  readonly denyPrincipal: readonly string[];
  readonly allowHost: readonly string[];
  readonly denyHost: readonly string[];
  readonly principal: readonly string[];
  readonly operation: readonly AclOperation[];
  readonly topic: readonly string[];
  readonly group: readonly string[];
  readonly transactionalId: readonly string[];
  readonly cluster: boolean;
  readonly resourcePatternType?: PatternArg;
}

/** The operations the command takes, by Kafka's names (AclOperation, as kafka-acls spells them). */
const OPERATION_NAMES: Readonly<Record<string, AclOperation>> = {
  read: 'READ',
  write: 'WRITE',
  create: 'CREATE',
  delete: 'DELETE',
  alter: 'ALTER',
  describe: 'DESCRIBE',
  clusteraction: 'CLUSTER_ACTION',
  describeconfigs: 'DESCRIBE_CONFIGS',
  alterconfigs: 'ALTER_CONFIGS',
  idempotentwrite: 'IDEMPOTENT_WRITE',
  all: 'ALL',
};

/** Kafka's AclEntry.supportedOperations per resource type (ALL goes with every type). */
const SUPPORTED_OPERATIONS: Readonly<Partial<Record<AclResourceType, readonly AclOperation[]>>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DESCRIBE', 'DELETE', 'ALTER', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DESCRIBE', 'DELETE'],
  CLUSTER: ['CREATE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'ALTER', 'DESCRIBE'],
  TRANSACTIONAL_ID: ['DESCRIBE', 'WRITE'],
};

const collect = <T>(parse: (v: string) => T) => (value: string, previous: readonly T[] = []): T[] => [...previous, parse(value)];

function operationArg(value: string): AclOperation {
  const op = OPERATION_NAMES[value.replace(/[_\-\s]/g, '').toLowerCase()];
  if (op === undefined) {
    throw new InvalidArgumentError(`--operation must be one of Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All; got "${value}"`);
  }
  return op;
}

/** Kafka's KafkaPrincipal.fromString: Type:name (both parts non-empty here). */
// Values are trimmed, as kafka-acls trims them: 'User:alice ' from a shell script is User:alice.
function principalArg(flag: string) {
  return (raw: string): string => {
    const value = raw.trim();
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError(`${flag} must be a principal as Type:name (User:alice, User:*), got "${raw}"`);
    return value;
  };
}

function hostArg(flag: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} must be an IP address or *, got an empty value`);
    return value.trim();
  };
}

function nameArg(flag: string) {
  return (raw: string): string => {
    const value = raw.trim();
    if (value === '') throw new InvalidArgumentError(`${flag} must not be empty`);
    return value;
  };
}

function patternTypeArg(value: string): PatternArg {
  const v = value.trim().toUpperCase();
  if (v !== 'LITERAL' && v !== 'PREFIXED' && v !== 'MATCH' && v !== 'ANY') throw new InvalidArgumentError(`--resource-pattern-type must be literal, prefixed, match or any, got "${value}"`);
  return v;
}

interface Resource {
  readonly resourceType: AclResourceType;
  readonly name: string;
}

function resourcesOf(opts: AclsOptions): Resource[] {
  return [
    ...opts.topic.map((name): Resource => ({ resourceType: 'TOPIC', name })),
    ...opts.group.map((name): Resource => ({ resourceType: 'GROUP', name })),
    ...opts.transactionalId.map((name): Resource => ({ resourceType: 'TRANSACTIONAL_ID', name })),
    ...(opts.cluster ? [{ resourceType: 'CLUSTER', name: CLUSTER_RESOURCE_NAME } as const] : []),
  ];
}

/** Kafka's ResourcePattern.toString. */
export function patternText(p: { readonly resourceType: string; readonly resourceName: string; readonly patternType: string }): string {
  return `ResourcePattern(resourceType=${p.resourceType}, name=${p.resourceName}, patternType=${p.patternType})`;
}

/** Kafka's AccessControlEntry.toString. */
export function entryText(a: AclBinding): string {
  return `(principal=${a.principal}, host=${a.host}, operation=${a.operation}, permissionType=${a.permissionType})`;
}

/** Blocks of `title` `ResourcePattern(...)`: then one tab-indented entry per ACL, a blank line after each block. */
function grouped(acls: readonly AclBinding[], title: string): string[] {
  const blocks = new Map<string, AclBinding[]>();
  for (const a of acls) {
    const key = patternText(a);
    const list = blocks.get(key) ?? [];
    list.push(a);
    blocks.set(key, list);
  }
  const lines: string[] = [];
  for (const [pattern, list] of blocks) lines.push(`${title} \`${pattern}\`:`, ...list.map((a) => `\t${entryText(a)}`), '');
  return lines;
}

/** The entries --add (and --remove with principals) make: principal x host x operation, ALLOW then DENY. */
function entriesOf(opts: AclsOptions): { principal: string; host: string; operation: AclOperation; permissionType: AclPermissionType }[] {
  const operations = opts.operation.length > 0 ? [...new Set(opts.operation)] : (['ALL'] as const);
  const out: { principal: string; host: string; operation: AclOperation; permissionType: AclPermissionType }[] = [];
  const side = (principals: readonly string[], hosts: readonly string[], permissionType: AclPermissionType) => {
    for (const principal of new Set(principals)) for (const host of new Set(hosts.length > 0 ? hosts : ['*'])) for (const operation of operations) out.push({ principal, host, operation, permissionType });
  };
  side(opts.allowPrincipal, opts.allowHost, 'ALLOW');
  side(opts.denyPrincipal, opts.denyHost, 'DENY');
  return out;
}

function checkOperations(resources: readonly Resource[], operations: readonly AclOperation[]): void {
  for (const r of resources) {
    const valid = [...(SUPPORTED_OPERATIONS[r.resourceType] ?? []), 'ALL'];
    const bad = operations.filter((op) => !valid.includes(op));
    if (bad.length > 0) throw new UsageError(`ResourceType ${r.resourceType} only supports operations ${valid.join(', ')} (not ${[...new Set(bad)].join(', ')})`);
  }
}

function checkFlags(opts: AclsOptions): void {
  const modes = [opts.add, opts.remove, opts.list].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('acls: give one of --add, --remove and --list');
  const principals = opts.allowPrincipal.length + opts.denyPrincipal.length > 0;
  if (opts.list && principals) throw new UsageError('acls --list: filter by principal with --principal (--allow-principal and --deny-principal are for --add and --remove)');
  if (!opts.list && opts.principal.length > 0) throw new UsageError('acls: --principal filters --list; --add and --remove take --allow-principal / --deny-principal');
  if (opts.allowHost.length > 0 && opts.allowPrincipal.length === 0) throw new UsageError('acls: --allow-host goes with --allow-principal');
  if (opts.denyHost.length > 0 && opts.denyPrincipal.length === 0) throw new UsageError('acls: --deny-host goes with --deny-principal');
  if (opts.force && !opts.remove) throw new UsageError('acls: --force is for --remove');
}

async function addAcls(opts: AclsOptions): Promise<void> {
  const resources = resourcesOf(opts);
  const patternType = opts.resourcePatternType ?? 'LITERAL';
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') throw new UsageError(`acls --add: --resource-pattern-type ${patternType.toLowerCase()} is not valid when adding ACLs (literal or prefixed)`);
  if (resources.length === 0) throw new UsageError('acls --add: give at least one resource: --topic, --group, --transactional-id or --cluster');
  if (opts.allowPrincipal.length + opts.denyPrincipal.length === 0) throw new UsageError('acls --add: give --allow-principal or --deny-principal');
  const entries = entriesOf(opts);
  checkOperations(resources, entries.map((e) => e.operation));
  const creations: AclBinding[] = resources.flatMap((r) => entries.map((e) => ({ resourceType: r.resourceType, resourceName: r.name, patternType, ...e })));
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('createAcls', { creations }, callOptions);
    const created: AclBinding[] = [];
    const failed: { acl: AclBinding; error: string }[] = [];
    creations.forEach((acl, i) => {
      const r = response.results[i];
      if (r !== undefined && isErrorCode(r.errorCode, 'NONE')) created.push(acl);
      else failed.push({ acl, error: r === undefined ? 'no answer for this ACL' : errorText(r.errorCode, r.errorMessage) });
    });
    if (opts.json) print(true, { created, failed }, () => '');
    else {
      writeLines(grouped(created, 'Adding ACLs for resource'));
      for (const f of failed) process.stderr.write(`Error while adding ACL ${entryText(f.acl)} for resource \`${patternText(f.acl)}\`: ${f.error}\n`);
    }
    if (failed.length > 0) throw new ItemsFailedError(failed.map((f) => entryText(f.acl)), `could not add ${failed.length} of ${creations.length} ACLs`);
  });
}

/** The filters --remove and --list send: resources (any, with --force or --list) x entries. */
function filtersOf(opts: AclsOptions): AclBindingFilter[] {
  const resources = resourcesOf(opts);
  // Kafka's default (LITERAL) for named resources; every pattern when no resource narrows it.
  const patternType = opts.resourcePatternType ?? (resources.length > 0 ? 'LITERAL' : 'ANY');
  const resourceParts = resources.length > 0 ? resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.name })) : [{ resourceType: 'ANY' as const, resourceName: null }];
  const operations = opts.operation.length > 0 ? [...new Set(opts.operation)] : (['ANY'] as const);
  let entryParts: Omit<AclBindingFilter, 'resourceType' | 'resourceName' | 'patternType'>[];
  if (opts.remove && opts.allowPrincipal.length + opts.denyPrincipal.length > 0) entryParts = entriesOf(opts);
  else {
    const principals = opts.principal.length > 0 ? [...new Set(opts.principal)] : [null];
    entryParts = principals.flatMap((principal) => operations.map((operation) => ({ principal, host: null, operation, permissionType: 'ANY' as const })));
  }
  return resourceParts.flatMap((r) => entryParts.map((e) => ({ ...r, patternType, ...e })));
}

async function removeAcls(opts: AclsOptions): Promise<void> {
  const resources = resourcesOf(opts);
  if (resources.length === 0 && !opts.force) {
    throw new UsageError('acls --remove with no --topic, --group, --transactional-id or --cluster selects the ACLs of every resource; give a resource, or --force to remove them all');
  }
  if (opts.allowPrincipal.length + opts.denyPrincipal.length > 0) checkOperations(resources, entriesOf(opts).map((e) => e.operation));
  const filters = filtersOf(opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('deleteAcls', { filters }, callOptions);
    const removed = new Map<string, StoredAcl>();
    const failed: { filter: AclBindingFilter; error: string }[] = [];
    filters.forEach((filter, i) => {
      const r = response.results[i];
      if (r !== undefined && isErrorCode(r.errorCode, 'NONE')) for (const a of r.matchingAcls) removed.set(a.id, a);
      else failed.push({ filter, error: r === undefined ? 'no answer for this filter' : errorText(r.errorCode, r.errorMessage) });
    });
    const acls = [...removed.values()].sort(compareAcls);
    if (opts.json) print(true, { removed: acls, failed }, () => '');
    else {
      writeLines(acls.length > 0 ? grouped(acls, 'Removed ACLs for resource') : ['No ACL matched; nothing was removed.']);
      for (const f of failed) process.stderr.write(`Error while removing ACLs matching ${filterText(f.filter)}: ${f.error}\n`);
    }
    if (failed.length > 0) throw new ItemsFailedError(failed.map((f) => filterText(f.filter)), `could not remove the ACLs of ${failed.length} of ${filters.length} filters`);
  });
}

function filterText(f: AclBindingFilter): string {
  const v = (x: string | null) => x ?? 'null';
  return `ResourcePatternFilter(resourceType=${f.resourceType}, name=${v(f.resourceName)}, patternType=${f.patternType}) (principal=${v(f.principal)}, host=${v(f.host)}, operation=${f.operation}, permissionType=${f.permissionType})`;
}

async function listAcls(opts: AclsOptions): Promise<void> {
  const filters = filtersOf(opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    const found = new Map<string, StoredAcl>();
    for (const filter of filters) {
      const r = await rpc.call('describeAcls', { filter }, callOptions);
      if (!isErrorCode(r.errorCode, 'NONE')) throw new Error(`describeAcls: ${errorText(r.errorCode, r.errorMessage)}`);
      for (const a of r.acls) found.set(a.id, a);
    }
    const acls = [...found.values()].sort(compareAcls);
    if (opts.json) print(true, { acls }, () => '');
    else writeLines(acls.length > 0 ? grouped(acls, 'Current ACLs for resource') : ['No ACLs found.']);
  });
}

async function run(opts: AclsOptions): Promise<void> {
  checkFlags(opts);
  if (opts.add) return addAcls(opts);
  if (opts.remove) return removeAcls(opts);
  return listAcls(opts);
}

export function registerAclsCommand(program: Command): void {
  const cmd = program
    .command('acls')
    .description("Add, remove and list ACLs (Kafka's kafka-acls): who may do what to which topics, groups, transactional ids and the cluster.")
    .option('--add', 'add ACLs: resources x principals x hosts x operations', false)
    .option('--remove', 'remove ACLs: those named, or all of the resources given', false)
    .option('--list', 'list ACLs: all, or those of the resources / --principal given', false)
    .addOption(new Option('--allow-principal <Type:name>', 'principal the ACLs allow (repeatable): User:alice, User:*').argParser(collect(principalArg('--allow-principal'))).default([]))
    .addOption(new Option('--deny-principal <Type:name>', 'principal the ACLs deny (repeatable)').argParser(collect(principalArg('--deny-principal'))).default([]))
    .addOption(new Option('--allow-host <host>', "host of the allowing ACLs (repeatable; default '*')").argParser(collect(hostArg('--allow-host'))).default([]))
    .addOption(new Option('--deny-host <host>', "host of the denying ACLs (repeatable; default '*')").argParser(collect(hostArg('--deny-host'))).default([]))
    .addOption(new Option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite or All (repeatable; --add default All)').argParser(collect(operationArg)).default([]))
    .addOption(new Option('--topic <name>', "a topic (repeatable; '*' is every topic)").argParser(collect(nameArg('--topic'))).default([]))
    .addOption(new Option('--group <name>', 'a consumer group (repeatable)').argParser(collect(nameArg('--group'))).default([]))
    .addOption(new Option('--transactional-id <id>', 'a transactional id (repeatable)').argParser(collect(nameArg('--transactional-id'))).default([]))
    .option('--cluster', 'the cluster resource (kafka-cluster)', false)
    .addOption(new Option('--resource-pattern-type <type>', 'literal or prefixed (--add); also match or any (--list, --remove); default literal').argParser(patternTypeArg))
    .addOption(new Option('--principal <Type:name>', '--list: only the ACLs of this principal (repeatable)').argParser(collect(principalArg('--principal'))).default([]))
    .option('--force', '--remove with no resource: remove the matching ACLs of every resource', false);
  addAdminOptions(cmd, { json: true }).action(action(run));
}
