// `metaquorum configs describe|alter`: Kafka's kafka-configs for topic and broker configs, mapped to
// DescribeConfigs (answered by the node reached, from its image) and IncrementalAlterConfigs
// (SET for --add-config, DELETE for --delete-config; run by the active controller).
//
// Entities: --entity-type topics|brokers; --entity-name is a topic name or a broker id. Left out,
// `topics` means every topic (describe only) and `brokers` the cluster-wide default (resource
// name ""). describe lists the configs set at the entity's own level (Kafka's "Dynamic configs");
// --all lists every key with its effective value and source. Each entry prints as kafka-configs
// does: `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`. A resource that fails
// (an unknown topic) is reported by name and makes the exit code 1.
//
// As kafka-configs does, alter refuses (exit 1, nothing changed) a --delete-config of a key not
// set at the entity's own level: deleting it would change nothing, and a typo would pass silently.
// A broker id that is not registered is allowed (configs set ahead apply when it registers) but
// warned about on stderr, by describe and alter alike: a wrong id would otherwise look empty.
//
// Client quotas (--entity-type users|clients|ips, users and clients together for a user's quota
// for one client id) are ./configs-quotas.ts; a user's SCRAM credentials (the keys SCRAM-SHA-256
// and SCRAM-SHA-512 of --entity-type users) ./configs-scram.ts. --entity-type may be given twice (users with
// clients only); each --entity-name or --entity-default names the --entity-type at the same
// position, as kafka-configs pairs them. --entity-default of brokers is the cluster default (what
// leaving the name out also means); topics have no default.
//
// kafka-configs' shorthand flags (KIP-543) name an entity type and its name in one: --topic,
// --broker, --user, --client, --ip, and --broker-defaults, --user-defaults, --client-defaults,
// --ip-defaults for the defaults. As kafka-configs does, they add to the --entity-type list after
// any given there (named ones first, then the defaults), so they can be mixed with it; a type
// named twice either way is refused.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { isIP } from 'node:net';
import { BROKER_CONFIGS, ConfigSource, configKeys, LISTENER_PREFIXABLE_KEYS, type ConfigSourceValue } from '../../quorum/controller/configs/config-schema.js';
import { editDistance } from '../config/unknown-keys.js';
import type { DescribeConfigsResult } from '../../quorum/controller/configs/describe-configs.js';
import { AlterConfigOpType, type AlterableConfig } from '../../quorum/controller/configs/incremental-alter-configs.js';
import type { ConfigResourceType } from '../../metadata-log/records/types.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { action, print, UsageError, warningText } from './common.js';
import { ItemsFailedError, reportItems } from './admin-errors.js';
import { deleteConfigArg, parseAddConfig, type ConfigPair } from './admin-args.js';
import { addAdminOptions, withAdmin, type AdminOptions, type ReadOptions } from './admin-options.js';
import { errorLabel, errorText, isErrorCode } from './format.js';
import { alterQuotas, describeQuotas, QUOTA_ENTITY_TYPES, quotaHelpText, type QuotaEntityPattern } from './configs-quotas.js';
import { alterUserConfigs, describeScram, hasScramChanges, scramDescribeUsers, scramHelpText, userConfigChanges } from './configs-scram.js';

export const ENTITY_TYPES = ['topics', 'brokers', 'users', 'clients', 'ips'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

interface EntityOptions extends ShorthandOptions {
  /** Each --entity-type, in order. */
  readonly entityType?: readonly EntityType[];
  /** Each --entity-name, and null for each --entity-default, in command-line order. */
  readonly entityName?: readonly (string | null)[];
}

/** kafka-configs' shorthand flags: an entity type with its name (--user alice) or its default (--user-defaults). */
interface ShorthandOptions {
  readonly topic?: string;
  readonly broker?: string;
  readonly user?: string;
  readonly client?: string;
  readonly ip?: string;
  readonly brokerDefaults?: boolean;
  readonly userDefaults?: boolean;
  readonly clientDefaults?: boolean;
  readonly ipDefaults?: boolean;
}

/** The shorthand flags in kafka-configs' order: named entities, then defaults (topics have none). */
const SHORTHAND_NAMED = [
  ['topic', 'topics'],
  ['client', 'clients'],
  ['user', 'users'],
  ['broker', 'brokers'],
  ['ip', 'ips'],
] as const satisfies readonly (readonly [keyof ShorthandOptions, EntityType])[];
const SHORTHAND_DEFAULTS = [
  ['clientDefaults', 'clients'],
  ['userDefaults', 'users'],
  ['brokerDefaults', 'brokers'],
  ['ipDefaults', 'ips'],
] as const satisfies readonly (readonly [keyof ShorthandOptions, EntityType])[];

/** The --entity-type list and its names with the shorthand flags appended as kafka-configs appends them. */
function entityTypesAndNames(opts: EntityOptions): { readonly types: readonly EntityType[]; readonly names: readonly (string | null)[] } {
  const types = [...(opts.entityType ?? [])];
  const names = [...(opts.entityName ?? [])];
  // A shorthand's name must pair with its own type: names given with --entity-name beyond the
  // --entity-type list would shift onto it.
  const shorthands = [...SHORTHAND_NAMED.filter(([flag]) => opts[flag] !== undefined), ...SHORTHAND_DEFAULTS.filter(([flag]) => opts[flag] === true)];
  if (shorthands.length > 0 && names.length > types.length) {
    throw new UsageError(`more --entity-name/--entity-default (${names.length}) than --entity-type (${types.length}): each names the --entity-type at its position`);
  }
  names.length = shorthands.length > 0 ? types.length : names.length;
  for (const [flag, type] of shorthands) {
    if (types.includes(type)) throw new UsageError(`${type} is named twice (--${kebab(flag)} and another --entity-type or shorthand flag)`);
    types.push(type);
    const value = opts[flag];
    names.push(typeof value === 'string' ? value : null);
  }
  if (types.length === 0) {
    throw new UsageError('name an entity: --entity-type (with --entity-name or --entity-default), or one of --topic, --broker, --user, --client, --ip, --broker-defaults, --user-defaults, --client-defaults, --ip-defaults');
  }
  return { types, names };
}

function kebab(flag: string): string {
  return flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

interface DescribeOptions extends ReadOptions, EntityOptions {
  readonly all: boolean;
}

interface AlterOptions extends AdminOptions, EntityOptions {
  readonly addConfig?: readonly ConfigPair[];
  readonly deleteConfig?: readonly string[];
}

const SOURCE_NAMES = new Map<number, string>(Object.entries(ConfigSource).map(([name, id]) => [id, name]));

function sourceName(source: number): string {
  return SOURCE_NAMES.get(source) ?? `SOURCE_${source}`;
}

/** The source of a value set at this resource's own level (what describe shows without --all). */
function ownSource(resourceType: ConfigResourceType, resourceName: string): ConfigSourceValue {
  if (resourceType === 'topic') return ConfigSource.DYNAMIC_TOPIC_CONFIG;
  return resourceName === '' ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigSource.DYNAMIC_BROKER_CONFIG;
}

/** What the entity options name: a config resource (topics, brokers) or a client quota entity. */
export type ConfigEntity =
  | { readonly kind: 'resource'; readonly resourceType: ConfigResourceType; readonly resourceName: string | undefined }
  | { readonly kind: 'quota'; readonly parts: readonly QuotaEntityPattern[] };

/** The entity the options name (each name paired with the type at its position); UsageError for what kafka-configs refuses. */
export function entityOf(opts: EntityOptions): ConfigEntity {
  const { types, names } = entityTypesAndNames(opts);
  if (types.length > 1 && !(types.length === 2 && types.includes('users') && types.includes('clients'))) {
    throw new UsageError(`--entity-type: only users and clients may be given together (a user's quota for one client id), got ${types.join(', ')}`);
  }
  if (names.length > types.length) {
    throw new UsageError(`more --entity-name/--entity-default (${names.length}) than --entity-type (${types.length}): each names the --entity-type at its position`);
  }
  const type = types[0]!;
  if (type === 'topics' || type === 'brokers') return { kind: 'resource', ...resourceOf(type, names[0]) };
  const parts = types.map((t, i): QuotaEntityPattern => {
    const entityType = QUOTA_ENTITY_TYPES.get(t)!;
    const name = names[i];
    if (name === '') throw new UsageError(`--entity-name: an empty ${t.slice(0, -1)} name (the default of every ${t.slice(0, -1)} is --entity-default)`);
    if (entityType === 'ip' && typeof name === 'string' && isIP(name) === 0) {
      throw new UsageError(`--entity-name: ${JSON.stringify(name)} is not an IP address (ips are named by IPv4 or IPv6 address)`);
    }
    return { entityType, entityName: name };
  });
  return { kind: 'quota', parts };
}

/** The resource a topics or brokers entity names; a broker name must be a broker id (null: --entity-default). */
function resourceOf(type: 'topics' | 'brokers', name: string | null | undefined): { resourceType: ConfigResourceType; resourceName: string | undefined } {
  if (type === 'topics') {
    if (name === null) throw new UsageError('--entity-default: topics have no default entity; name the topic with --entity-name');
    if (name === '') throw new UsageError('--entity-name: a topic name cannot be empty');
    return { resourceType: 'topic', resourceName: name };
  }
  if (typeof name === 'string' && !(/^\d+$/.test(name) && String(Number(name)) === name && Number(name) <= 2_147_483_647)) {
    throw new UsageError(`--entity-name: brokers are named by id, got ${JSON.stringify(name)} (leave it out for the cluster default)`);
  }
  return { resourceType: 'broker', resourceName: name ?? '' };
}

function entityText(resourceType: ConfigResourceType, resourceName: string): string {
  if (resourceType === 'broker' && resourceName === '') return 'the broker cluster default';
  return `${resourceType} ${resourceName}`;
}

export interface ConfigEntryView {
  readonly name: string;
  readonly value: string | null;
  readonly source: string;
  readonly isSensitive: boolean;
  readonly synonyms: readonly { readonly name: string; readonly value: string | null; readonly source: string }[];
}

export interface ConfigResourceView {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly errorCode: number;
  readonly errorName: string | null;
  readonly errorMessage: string | null;
  readonly configs: readonly ConfigEntryView[];
}

export function configResourceView(r: DescribeConfigsResult, all: boolean): ConfigResourceView {
  const own = ownSource(r.resourceType, r.resourceName);
  const failed = !isErrorCode(r.errorCode, 'NONE');
  return {
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    errorCode: r.errorCode,
    errorName: failed ? errorLabel(r.errorCode) : null,
    errorMessage: r.errorMessage,
    configs: r.configs
      .filter((c) => all || c.source === own)
      .map((c) => ({
        name: c.name,
        value: c.value,
        source: sourceName(c.source),
        isSensitive: c.isSensitive,
        synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: sourceName(s.source) })),
      })),
  };
}

/**
 * The cluster default's --all listing: the keys set there as answered, and every other dynamic
 * broker key with Kafka's default (sensitive values hidden as the server hides them).
 */
export function withKafkaDefaults(view: ConfigResourceView): ConfigResourceView {
  const set = new Map(view.configs.map((c) => [c.name, c]));
  const source = sourceName(ConfigSource.DEFAULT_CONFIG);
  const configs = [...BROKER_CONFIGS.values()]
    .map((def): ConfigEntryView => {
      const own = set.get(def.name);
      if (own !== undefined) return own;
      const value = def.sensitive ? null : def.defaultValue;
      return { name: def.name, value, source, isSensitive: def.sensitive, synonyms: def.defaultValue === null ? [] : [{ name: def.name, value, source }] };
    });
  return { ...view, configs }; // BROKER_CONFIGS is in name order, as the server lists keys
}

function renderResource(r: ConfigResourceView, all: boolean): string[] {
  const lines = [`${all ? 'All' : 'Dynamic'} configs for ${entityText(r.resourceType, r.resourceName)} are:`];
  for (const c of r.configs) {
    const synonyms = c.synonyms.map((s) => `${s.source}:${s.name}=${s.value}`).join(', ');
    lines.push(`  ${c.name}=${c.value} sensitive=${c.isSensitive} synonyms={${synonyms}}`);
  }
  return lines;
}

type CallOptions = { readonly timeoutMs: number };

/** Warns (stderr) when a broker entity names an id no broker registered with. */
/** How long the check behind that warning may take: it is advice, and a read must not wait on it. */
const REGISTRATION_CHECK_MS = 2_000;

/**
 * Warns when the broker named has not registered. Only advice: when the check cannot be made (a
 * broker answering reads from its own image while the controllers are down) it is skipped, and
 * it never holds the command longer than REGISTRATION_CHECK_MS.
 */
async function warnIfUnregistered(rpc: RpcCaller, callOptions: CallOptions, resourceType: ConfigResourceType, resourceName: string | undefined): Promise<void> {
  if (resourceType !== 'broker' || resourceName === undefined || resourceName === '') return;
  let brokers: readonly { readonly brokerId: number }[];
  try {
    ({ brokers } = await rpc.call('describeCluster', {}, { ...callOptions, timeoutMs: Math.min(callOptions.timeoutMs, REGISTRATION_CHECK_MS) }));
  } catch {
    return;
  }
  if (brokers.some((b) => String(b.brokerId) === resourceName)) return;
  process.stderr.write(warningText(`broker ${resourceName} is not registered (configs set for it apply when it registers)`));
}

/** The deleted keys not set at the entity's own level (kafka-configs refuses those). */
async function keysNotSet(rpc: RpcCaller, callOptions: CallOptions, resourceType: ConfigResourceType, resourceName: string, keys: readonly string[]): Promise<string[] | null> {
  const response = await rpc.call('describeConfigs', { resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }, callOptions);
  const result = response.results[0];
  if (result === undefined || !isErrorCode(result.errorCode, 'NONE')) return null; // the alter reports the resource's error
  const own = ownSource(resourceType, resourceName);
  const set = new Set(result.configs.filter((c) => c.source === own).map((c) => c.name));
  return keys.filter((k) => !set.has(k));
}

async function describe(opts: DescribeOptions): Promise<void> {
  const entity = entityOf(opts);
  if (entity.kind === 'quota') {
    if (opts.all) throw new UsageError('--all: applies to topics and brokers (a quota has no inherited values to list); leave it out');
    const scramUsers = scramDescribeUsers(entity.parts);
    return describeQuotas(opts, entity.parts, scramUsers === undefined ? undefined : (rpc, callOptions) => describeScram(rpc, callOptions, scramUsers, opts.json));
  }
  const { resourceType, resourceName } = entity;
  await withAdmin(opts, async (rpc, callOptions) => {
    await warnIfUnregistered(rpc, callOptions, resourceType, resourceName);
    const names = resourceName !== undefined ? [resourceName] : (await rpc.call('describeTopics', {}, callOptions)).topics.map((t) => t.name);
    const resources = names.map((n) => ({ resourceType, resourceName: n, configurationKeys: null }));
    const response = resources.length === 0 ? { results: [] } : await rpc.call('describeConfigs', { resources, includeSynonyms: true, includeDocumentation: false }, callOptions);
    const clusterDefaultAll = resourceType === 'broker' && resourceName === '' && opts.all;
    const views = response.results.map((r) => {
      const view = configResourceView(r, opts.all);
      return clusterDefaultAll && isErrorCode(view.errorCode, 'NONE') ? withKafkaDefaults(view) : view;
    });
    const ok = views.filter((v) => isErrorCode(v.errorCode, 'NONE'));
    const failed = views.filter((v) => !isErrorCode(v.errorCode, 'NONE'));
    if (opts.json) {
      print(true, { resources: views }, () => '');
    } else {
      const lines = ok.flatMap((v) => renderResource(v, opts.all));
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      for (const v of failed) process.stderr.write(`error: cannot describe configs of ${entityText(v.resourceType, v.resourceName)}: ${errorText(v.errorCode, v.errorMessage)}\n`);
      if (clusterDefaultAll && ok.length > 0) {
        process.stderr.write("note: cluster-wide values (set at the cluster default, else Kafka's default); a broker's server.properties and its own dynamic configs override them: --entity-name <id> shows one broker's effective values\n");
      }
    }
    if (failed.length > 0) {
      const which = failed.map((v) => entityText(v.resourceType, v.resourceName));
      throw new ItemsFailedError(which, `could not describe configs of ${failed.length} of ${views.length} resources: ${which.join(', ')}`);
    }
  });
}

/** The IncrementalAlterConfigs ops: SET per added pair, then DELETE per deleted key. */
export function alterOps(opts: Pick<AlterOptions, 'addConfig' | 'deleteConfig'>): AlterableConfig[] {
  const add = opts.addConfig ?? [];
  const del = opts.deleteConfig ?? [];
  if (add.length === 0 && del.length === 0) throw new UsageError('configs alter: give --add-config and/or --delete-config');
  const both = add.filter((p) => del.includes(p.name)).map((p) => p.name);
  if (both.length > 0) throw new UsageError(`configs alter: ${both.join(', ')} both added and deleted`);
  return [
    ...add.map((p) => ({ name: p.name, op: AlterConfigOpType.SET, value: p.value })),
    ...del.map((name) => ({ name, op: AlterConfigOpType.DELETE, value: null })),
  ];
}

/**
 * A hint for Kafka's answer to a misspelt key, which names the key and stops there ("Unknown topic
 * config name: retention.msec"): the closest key of that resource type, when one is close enough to
 * be what was meant, as server.properties warnings do (found by a newcomer's review). '' otherwise.
 */
export function unknownConfigHint(message: string | null): string {
  const m = /^Unknown (topic|broker) config name: (.+)$/.exec(message ?? '');
  if (m === null) return '';
  const key = m[2]!;
  // A listener-prefixed broker key: the part after the prefix is matched against the keys that take
  // a prefix, and the hint names the listener in lower case (Kafka's prefix). Matched whole against
  // the unprefixed keys, it was never close to any.
  const prefixed = m[1] === 'broker' ? /^listener\.name\.([^.]+)\./i.exec(key) : null;
  const base = prefixed === null ? key : key.slice(prefixed[0].length);
  const candidates = prefixed === null ? configKeys(m[1] as ConfigResourceType).keys() : LISTENER_PREFIXABLE_KEYS;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(base, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best === undefined || bestDistance > Math.max(2, Math.floor(base.length / 5))) return '';
  const hint = prefixed === null ? best : `listener.name.${prefixed[1]!.toLowerCase()}.${best}`;
  return hint === key ? '' : `; did you mean "${hint}"?`;
}

/** What commander hands alter: --add-config's texts as given (parseAddConfig says why they are parsed here). */
interface AlterFlags extends Omit<AlterOptions, 'addConfig'> {
  readonly addConfig?: readonly string[];
}

async function alter(flags: AlterFlags): Promise<void> {
  const opts: AlterOptions = { ...flags, addConfig: parseAddConfig(flags.addConfig ?? []) };
  const entity = entityOf(opts);
  if (entity.kind === 'quota') {
    alterOps(opts); // the same checks of --add-config and --delete-config
    const changes = userConfigChanges(opts.addConfig ?? [], opts.deleteConfig ?? []);
    if (hasScramChanges(changes)) return alterUserConfigs(opts, entity.parts, changes);
    return alterQuotas(opts, entity.parts, opts.addConfig ?? [], opts.deleteConfig ?? []);
  }
  const { resourceType, resourceName } = entity;
  if (resourceName === undefined) throw new UsageError('configs alter: --entity-name is required for topics');
  const configs = alterOps(opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    await warnIfUnregistered(rpc, callOptions, resourceType, resourceName);
    const deleted = opts.deleteConfig ?? [];
    const missing = deleted.length === 0 ? [] : await keysNotSet(rpc, callOptions, resourceType, resourceName, deleted);
    if (missing !== null && missing.length > 0) {
      const entity = entityText(resourceType, resourceName);
      const line = `error: cannot alter configs of ${entity}: --delete-config ${missing.join(', ')}: not set on ${entity}, nothing to delete (nothing was changed)`;
      reportItems([{ name: entity, ok: false, line }], 'alter configs of', 'resources');
    }
    const response = await rpc.call('incrementalAlterConfigs', { resources: [{ resourceType, resourceName, configs }], validateOnly: false }, callOptions);
    const outcomes = response.results.map((r) => {
      const entity = entityText(r.resourceType, r.resourceName);
      return isErrorCode(r.errorCode, 'NONE')
        ? { name: entity, ok: true, line: `Completed updating config for ${entity}.` }
        : { name: entity, ok: false, line: `error: cannot alter configs of ${entity}: ${errorText(r.errorCode, r.errorMessage)}${unknownConfigHint(r.errorMessage)}` };
    });
    reportItems(outcomes, 'alter configs of', 'resources');
  });
}

/** `--entity-type` (repeatable): the types in order; an unknown one or one given twice is refused. */
export function entityTypeArg(value: string, previous?: readonly EntityType[]): EntityType[] {
  const type = ENTITY_TYPES.find((t) => t === value);
  if (type === undefined) throw new InvalidArgumentError(`expected one of ${ENTITY_TYPES.join(', ')}`);
  if (previous?.includes(type) === true) throw new InvalidArgumentError(`${type} is given twice`);
  return [...(previous ?? []), type];
}

function entityOptions(cmd: Command, nameHelp: string): Command {
  cmd
    .addOption(new Option('--entity-type <type>', `what the configs belong to: ${ENTITY_TYPES.join(', ')} (users and clients may be given together)`).argParser(entityTypeArg))
    .addOption(new Option('--entity-name <name>', nameHelp).argParser((value: string, previous?: readonly (string | null)[]) => [...(previous ?? []), value]))
    .option('--entity-default', 'the default entity of the --entity-type at this position: every user, client id or IP address; brokers: the cluster default')
    .option('--topic <name>', 'shorthand for --entity-type topics --entity-name <name>')
    .option('--broker <id>', 'shorthand for --entity-type brokers --entity-name <id>')
    .option('--broker-defaults', 'shorthand for --entity-type brokers --entity-default (the cluster default)')
    .option('--user <name>', 'shorthand for --entity-type users --entity-name <name> (with --client or --client-defaults: that user\'s quota for a client id)')
    .option('--user-defaults', 'shorthand for --entity-type users --entity-default')
    .option('--client <id>', 'shorthand for --entity-type clients --entity-name <id>')
    .option('--client-defaults', 'shorthand for --entity-type clients --entity-default')
    .option('--ip <address>', 'shorthand for --entity-type ips --entity-name <address>')
    .option('--ip-defaults', 'shorthand for --entity-type ips --entity-default');
  // --entity-default takes its place among the names, so that each pairs with the --entity-type at
  // its position (commander keeps a flag apart; its event comes in command-line order).
  cmd.on('option:entity-default', () => {
    const names = (cmd.getOptionValue('entityName') as readonly (string | null)[] | undefined) ?? [];
    cmd.setOptionValueWithSource('entityName', [...names, null], 'cli');
  });
  return cmd;
}

export function registerConfigsCommand(program: Command): void {
  const configs = program.command('configs').description("Describe and change topic and broker configs, client quotas and users' SCRAM credentials (Kafka's kafka-configs).");

  const describe_ = entityOptions(
    configs.command('describe').description('List the configs set on an entity, or (--all) every config with its effective value and source; the quotas of users, clients or IP addresses, and users\' SCRAM credentials.'),
    'a topic name, broker id, user, client id or IP address (topics: every topic when left out; brokers: the cluster default; users, clients, ips: every one)',
  ).option('--all', 'every config key with its effective value and source, not only those set here (topics and brokers)', false);
  addAdminOptions(describe_, { json: true }).action(action(describe));
  describe_.addHelpText('after', `${quotaHelpText('describe')}\n${scramHelpText('describe')}`);

  const alter_ = entityOptions(
    configs.command('alter').description('Set (--add-config) and remove (--delete-config) configs or quotas of one entity in one request, or a user\'s SCRAM credentials.'),
    'a topic name, broker id, user, client id or IP address (brokers: the cluster default when left out)',
  )
    .addOption(new Option('--add-config <k=v,...>', 'configs to set; a value with commas goes in brackets: k=[a,b]; quota values are numbers; SCRAM-SHA-256=[iterations=8192,password=p] sets a user\'s credential').argParser((value: string, previous?: readonly string[]) => [...(previous ?? []), value]))
    .addOption(new Option('--delete-config <k,...>', 'configs to remove (the inherited value applies again)').argParser(deleteConfigArg));
  addAdminOptions(alter_, { json: false }).action(action(alter));
  alter_.addHelpText('after', `${quotaHelpText('alter')}\n${scramHelpText('alter')}`);
}
