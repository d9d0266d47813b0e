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

import { Option, type Command } from 'commander';
import { BROKER_CONFIGS, ConfigSource, configKeys, LISTENER_PREFIXABLE_KEYS, type ConfigSourceValue } from '../../quorum/controller/configs/config-schema.js';
import { editDistance } from '../config/unknown-keys.js';
import type { DescribeConfigsResult } from '../../quorum/controller/configs/describe-configs.js';
import { AlterConfigOpType, type AlterableConfig } from '../../quorum/controller/configs/incremental-alter-configs.js';
import type { ConfigResourceType } from '../../metadata-log/records/types.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { action, print, UsageError, warningText } from './common.js';
import { ItemsFailedError, reportItems } from './admin-errors.js';
import { addConfigArg, deleteConfigArg, type ConfigPair } from './admin-args.js';
import { addAdminOptions, withAdmin, type AdminOptions, type ReadOptions } from './admin-options.js';
import { errorLabel, errorText, isErrorCode } from './format.js';

type EntityType = 'topics' | 'brokers';

interface EntityOptions {
  readonly entityType: EntityType;
  readonly entityName?: string;
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

/** The resource an entity names; a broker name must be a broker id. */
function resourceOf(opts: EntityOptions): { resourceType: ConfigResourceType; resourceName: string | undefined } {
  const name = opts.entityName;
  if (opts.entityType === 'topics') {
    if (name === '') throw new UsageError('--entity-name: a topic name cannot be empty');
    return { resourceType: 'topic', resourceName: name };
  }
  if (name !== undefined && !(/^\d+$/.test(name) && String(Number(name)) === name && Number(name) <= 2_147_483_647)) {
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
  const { resourceType, resourceName } = resourceOf(opts);
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

async function alter(opts: AlterOptions): Promise<void> {
  const { resourceType, resourceName } = resourceOf(opts);
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

function entityOptions(cmd: Command, nameHelp: string): Command {
  return cmd
    .addOption(new Option('--entity-type <type>', 'what the configs belong to').choices(['topics', 'brokers']).makeOptionMandatory())
    .option('--entity-name <name>', nameHelp);
}

export function registerConfigsCommand(program: Command): void {
  const configs = program.command('configs').description("Describe and change topic and broker configs (Kafka's kafka-configs).");

  const describe_ = entityOptions(
    configs.command('describe').description('List the configs set on an entity, or (--all) every config with its effective value and source.'),
    'a topic name or broker id (topics: every topic when left out; brokers: the cluster default)',
  ).option('--all', 'every config key with its effective value and source, not only those set here', false);
  addAdminOptions(describe_, { json: true }).action(action(describe));

  const alter_ = entityOptions(
    configs.command('alter').description('Set (--add-config) and remove (--delete-config) configs of one entity in one request.'),
    'a topic name or broker id (brokers: the cluster default when left out)',
  )
    .addOption(new Option('--add-config <k=v,...>', 'configs to set; a value with commas goes in brackets: k=[a,b]').argParser(addConfigArg))
    .addOption(new Option('--delete-config <k,...>', 'configs to remove (the inherited value applies again)').argParser(deleteConfigArg));
  addAdminOptions(alter_, { json: false }).action(action(alter));
}
