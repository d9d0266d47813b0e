// `metaquorum configs describe|alter` for client quotas: kafka-configs.sh's `--entity-type
// users|clients|ips`, mapped to DescribeClientQuotas (answered by the node reached, from its image)
// and AlterClientQuotas (run by the active controller; a broker forwards it).
//
// The entity (configs-command.ts pairs each --entity-name / --entity-default with the
// --entity-type at the same position, as kafka-configs does): a user, a client id, a user with a
// client id (users and clients given together), or an IP address; --entity-default names that
// type's default. describe may leave names out: that type with any name, the default included.
//
// describe sends a strict filter, as kafka-configs does (ClientQuotaFilter.containsOnly): only
// entities of exactly the types given. `--entity-type users` lists every user's quotas and the
// default user's, not a user's quotas for a client id (`--entity-type users --entity-type clients`
// lists those). Each entity prints as kafka-configs prints it, values as Java prints a double:
//   Quota configs for user-principal 'alice', client-id 'etl' are producer_byte_rate=1048576.0
//   Quota configs for the default ip are connection_creation_rate=10.0
// --json: { entries: [{ entity: [{ entityType, entityName }], quotas: { key: value } }] }.
//
// alter: --add-config values must be numbers (a usage error, exit 2, before anything is sent);
// --delete-config of a key the entity does not hold is refused (exit 1, nothing changed), as
// kafka-configs refuses it ("Invalid config(s)"). The controller judges keys and values (which keys
// a kind takes, whole numbers, the IP address); its refusal prints with the entity, exit 1. It
// prints kafka-configs' line on success: `Completed updating config for user alice.`, `Completed
// updating default config for users in the cluster.`; a user with a client id, which
// kafka-configs names by its user alone, is named in full.

import { editDistance } from '../config/unknown-keys.js';
import { ClientQuotaMatchType, type ClientQuotaFilterComponent } from '../../metadata-log/client-quota-filter.js';
import type { ClientQuotaEntityPart, ClientQuotaEntityType } from '../../metadata-log/records/types.js';
import { clientQuotaKeysFor, type ClientQuotaOp, type DescribeClientQuotasResponse } from '../../quorum/controller/configs/client-quotas.js';
import type { RpcCaller } from '../../quorum/server/rpc-methods.js';
import { noteText, print, UsageError } from './common.js';
import { reportItems, type ItemOutcome } from './admin-errors.js';
import { withAdmin, type AdminOptions } from './admin-options.js';
import { errorText, isErrorCode, writeLines } from './format.js';
import type { ConfigPair } from './admin-args.js';

/** The kafka-configs entity types that name client quotas, and the quota entity type each means. */
export const QUOTA_ENTITY_TYPES: ReadonlyMap<string, ClientQuotaEntityType> = new Map([
  ['users', 'user'],
  ['clients', 'client-id'],
  ['ips', 'ip'],
]);

/** One part of the entity a command names: a name, null for the type's default, undefined for any (describe only). */
export interface QuotaEntityPattern {
  readonly entityType: ClientQuotaEntityType;
  readonly entityName: string | null | undefined;
}

/** How kafka-configs names each type in its describe lines. */
const TYPE_WORDS: Readonly<Record<ClientQuotaEntityType, string>> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' };
/** kafka-configs' --entity-type for each quota type. */
const CLI_TYPES: Readonly<Record<ClientQuotaEntityType, string>> = { user: 'users', 'client-id': 'clients', ip: 'ips' };

/** "user-principal 'alice', client-id 'etl'", "the default ip", as kafka-configs words an entity; parts in canonical order. */
export function quotaEntityText(entity: readonly { readonly entityType: ClientQuotaEntityType; readonly entityName: string | null | undefined }[]): string {
  return sortedParts(entity)
    .map((p) => (p.entityName === undefined ? `any ${TYPE_WORDS[p.entityType]}` : p.entityName === null ? `the default ${TYPE_WORDS[p.entityType]}` : `${TYPE_WORDS[p.entityType]} '${p.entityName}'`))
    .join(', ');
}

const ORDER: readonly ClientQuotaEntityType[] = ['user', 'client-id', 'ip'];

function sortedParts<P extends { readonly entityType: ClientQuotaEntityType }>(parts: readonly P[]): P[] {
  return [...parts].sort((a, b) => ORDER.indexOf(a.entityType) - ORDER.indexOf(b.entityType));
}

/** kafka-configs' line after an alter (an entity of two parts, which it names by its first alone, in full). */
export function alteredText(parts: readonly QuotaEntityPattern[]): string {
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only === undefined) return `Completed updating config for ${quotaEntityText(parts)}.`;
  const type = CLI_TYPES[only.entityType];
  return only.entityName == null ? `Completed updating default config for ${type} in the cluster.` : `Completed updating config for ${type.slice(0, -1)} ${only.entityName}.`;
}

/**
 * A double as Java's Double.toString prints it (kafka-configs prints quota values so): at least
 * one digit after the point, and computerized scientific notation below 10^-3 and from 10^7 on
 * (1048576.0, 0.5, 1.0E7, 2.5E-4). The digits are the shortest that read back as the same double,
 * as JavaScript's and JDK 19's are.
 */
export function javaDoubleText(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value); // plain decimal in this range
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** A decimal number as typed (kafka-configs parses the value as a double); no hex, no Infinity, no NaN. */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The AlterClientQuotas ops: a value per added key (which must be a number), then a removal per deleted key. UsageError otherwise. */
export function quotaOps(add: readonly ConfigPair[], del: readonly string[]): ClientQuotaOp[] {
  const ops: ClientQuotaOp[] = add.map(({ name, value }) => {
    const text = value.trim();
    const n = Number(text);
    if (!NUMBER_TEXT.test(text) || !Number.isFinite(n)) {
      throw new UsageError(`--add-config: cannot parse quota configuration value for ${name}: ${JSON.stringify(value)} is not a number (e.g. ${name}=1048576)`);
    }
    return { key: name, value: n, remove: false };
  });
  return [...ops, ...del.map((key) => ({ key, value: 0, remove: true }))];
}

/**
 * A hint for the controller's "Invalid configuration key k" (Kafka's words, which stop there): the
 * closest key this kind of entity takes when one is close, or which kind takes it. '' otherwise.
 */
export function unknownQuotaKeyHint(message: string | null, types: readonly ClientQuotaEntityType[]): string {
  const m = /^Invalid configuration key (.+)$/.exec(message ?? '');
  if (m === null) return '';
  const key = m[1]!;
  const keys = clientQuotaKeysFor(types);
  const otherTypes: ClientQuotaEntityType[] = types.includes('ip') ? ['user'] : ['ip'];
  if (clientQuotaKeysFor(otherTypes).has(key)) return `; ${key} is a quota of ${types.includes('ip') ? 'users and clients' : 'ips'}`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of keys.keys()) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best === undefined || bestDistance > Math.max(2, Math.floor(key.length / 5))) return '';
  return `; did you mean "${best}"?`;
}

/** The strict filter kafka-configs sends for these parts (EXACT for a name, DEFAULT for the default, SPECIFIED for any). */
export function quotaFilterComponents(parts: readonly QuotaEntityPattern[]): ClientQuotaFilterComponent[] {
  return parts.map((p) =>
    p.entityName === undefined
      ? { entityType: p.entityType, matchType: ClientQuotaMatchType.SPECIFIED, match: null }
      : p.entityName === null
        ? { entityType: p.entityType, matchType: ClientQuotaMatchType.DEFAULT, match: null }
        : { entityType: p.entityType, matchType: ClientQuotaMatchType.EXACT, match: p.entityName },
  );
}

type CallOptions = { readonly timeoutMs: number };

async function describeEntries(rpc: RpcCaller, callOptions: CallOptions, parts: readonly QuotaEntityPattern[]): Promise<DescribeClientQuotasResponse['entries']> {
  const response = await rpc.call('describeClientQuotas', { components: quotaFilterComponents(parts), strict: true }, callOptions);
  if (!isErrorCode(response.errorCode, 'NONE')) throw new Error(`cannot describe quotas of ${quotaEntityText(parts)}: ${errorText(response.errorCode, response.errorMessage)}`);
  return response.entries;
}

export interface QuotaEntryView {
  readonly entity: readonly ClientQuotaEntityPart[];
  readonly quotas: Readonly<Record<string, number>>;
}

/**
 * More to describe after the quotas, on the same connection (a user's SCRAM credentials): text
 * lines printed after the quota lines, fields added to the --json object, and a check run once all
 * is printed (it throws when part of the answer was an error).
 */
export interface DescribeSection {
  readonly lines: readonly string[];
  readonly json: Readonly<Record<string, unknown>>;
  readonly finish: () => void;
}

export async function describeQuotas(
  opts: AdminOptions & { readonly json: boolean },
  parts: readonly QuotaEntityPattern[],
  more?: (rpc: RpcCaller, callOptions: CallOptions) => Promise<DescribeSection>,
): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const entries = await describeEntries(rpc, callOptions, parts);
    // kafka-configs prints nothing at all when there are none; a line on stderr says the answer is "none", not lost.
    const none = entries.length === 0 ? noteText(`no quota configs for ${quotaEntityText(parts)}`) : '';
    if (!opts.json) {
      // Printed before asking for more, as kafka-configs does: a failure there leaves these shown.
      writeLines(entries.map((e) => `Quota configs for ${quotaEntityText(e.entity)} are ${e.values.map((v) => `${v.key}=${javaDoubleText(v.value)}`).join(', ')}`));
      process.stderr.write(none);
    }
    const section = more === undefined ? undefined : await more(rpc, callOptions);
    if (opts.json) {
      const views: QuotaEntryView[] = entries.map((e) => ({ entity: e.entity, quotas: Object.fromEntries(e.values.map((v) => [v.key, v.value])) }));
      print(true, { entries: views, ...section?.json }, () => '');
      process.stderr.write(none);
    } else {
      writeLines(section?.lines ?? []);
    }
    section?.finish();
  });
}

/**
 * Refuses (exit 1, nothing changed) a --delete-config of quota keys the entity does not hold, as
 * kafka-configs refuses them ("Invalid config(s)").
 */
export async function checkQuotaDeletions(rpc: RpcCaller, callOptions: CallOptions, parts: readonly QuotaEntityPattern[], del: readonly string[]): Promise<void> {
  if (del.length === 0) return;
  const text = quotaEntityText(parts);
  const held = new Set((await describeEntries(rpc, callOptions, parts))[0]?.values.map((v) => v.key));
  const missing = del.filter((k) => !held.has(k));
  if (missing.length > 0) {
    const line = `error: cannot alter quotas of ${text}: --delete-config ${missing.join(', ')}: not set on ${text}, nothing to delete (nothing was changed)`;
    reportItems([{ name: text, ok: false, line }], 'alter quotas of', 'entities');
  }
}

/** Sends one AlterClientQuotas entry for a named entity: its outcome, `okLine` the line on success. */
export async function alterQuotaEntity(rpc: RpcCaller, callOptions: CallOptions, parts: readonly QuotaEntityPattern[], ops: readonly ClientQuotaOp[], okLine: string): Promise<ItemOutcome> {
  const entity = sortedParts(parts).map((p) => ({ entityType: p.entityType, entityName: p.entityName ?? null }));
  const text = quotaEntityText(entity);
  const response = await rpc.call('alterClientQuotas', { entries: [{ entity, ops: [...ops] }], validateOnly: false }, callOptions);
  const r = response.entries[0];
  if (r === undefined) return { name: text, ok: false, line: `error: cannot alter quotas of ${text}: no answer for the entity` };
  return isErrorCode(r.errorCode, 'NONE')
    ? { name: text, ok: true, line: okLine }
    : { name: text, ok: false, line: `error: cannot alter quotas of ${text}: ${errorText(r.errorCode, r.errorMessage)}${unknownQuotaKeyHint(r.errorMessage, entity.map((p) => p.entityType))}` };
}

export async function alterQuotas(opts: AdminOptions, parts: readonly QuotaEntityPattern[], add: readonly ConfigPair[], del: readonly string[]): Promise<void> {
  checkNamed(parts);
  const ops = quotaOps(add, del);
  await withAdmin(opts, async (rpc, callOptions) => {
    await checkQuotaDeletions(rpc, callOptions, parts, del);
    reportItems([await alterQuotaEntity(rpc, callOptions, parts, ops, alteredText(parts))], 'alter quotas of', 'entities');
  });
}

/** alter names every part of its entity (a name, or --entity-default). */
export function checkNamed(parts: readonly QuotaEntityPattern[]): void {
  if (parts.some((p) => p.entityName === undefined)) throw new UsageError('configs alter: give --entity-name or --entity-default for every --entity-type');
}

/** The --help text for quotas: the entity options, the keys, an example. */
export function quotaHelpText(command: 'describe' | 'alter'): string {
  const keys = (types: ClientQuotaEntityType[]) => [...clientQuotaKeysFor(types).keys()].join(', ');
  const lines = [
    '',
    'Client quotas (kafka-configs syntax):',
    '  --entity-type users --entity-name alice            the user alice',
    '  --entity-type users --entity-default               the default of every user',
    '  --entity-type users --entity-name alice --entity-type clients --entity-name etl',
    '                                                     the client id etl of the user alice',
    '  --entity-type clients --entity-default             the default of every client id',
    '  --entity-type ips --entity-name 10.0.0.7           one IP address (ips go alone)',
    'Each --entity-name or --entity-default names the --entity-type at the same position.',
    `Keys: users and clients take ${keys(['user'])} (the byte rates whole numbers); ips take ${keys(['ip'])}. Values are numbers.`,
    'Quotas are stored in the metadata log and every node describes them from its image. Brokers enforce an ip\'s',
    'connection_creation_rate on their Kafka listeners (a connection over it is closed at once); the user and client',
    'quotas are not enforced (there is no data plane).',
  ];
  if (command === 'describe') {
    lines.push(
      'Without --entity-name, every entity of exactly the types given, as kafka-configs lists them: --entity-type users',
      "lists every user's quotas (the default's too), not a user's quotas for a client id (add --entity-type clients).",
      '',
      'Example:',
      '  metaquorum configs describe --entity-type users --bootstrap-controller localhost:9093',
      "  Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0, request_percentage=50.0",
    );
  } else {
    lines.push(
      '',
      'Example:',
      "  metaquorum configs alter --entity-type users --entity-name alice --add-config 'producer_byte_rate=1048576,request_percentage=50' --bootstrap-controller localhost:9093",
      '  metaquorum configs alter --entity-type users --entity-name alice --delete-config request_percentage --bootstrap-server localhost:9092',
    );
  }
  return lines.join('\n');
}
