// /config/<entityType>/<entityName> → Config records (topics, brokers), ClientQuota records
// (clients, users, ips), and a count of what our records cannot hold (SCRAM credentials).
// zk-layout.md §3.
//
// - Every entity node is {"version":1,"config":{key: "value"}}; values are strings. A number or a
//   boolean is taken as its text (reported); any other value makes the node malformed. A node
//   with no data (a parent a recursive create made) or no node at all means no overrides.
// - Topics: resource name = the topic name (not sanitized). Keys unknown to our schema or values
//   it refuses are imported as Kafka has them and reported (IncrementalAlterConfigs can DELETE
//   unknown keys, so an operator can clean them up).
// - Brokers: "<default>" → resource name "" (cluster-wide default); "<id>" → the id in canonical
//   decimal. Sensitive (PASSWORD-typed) values are Kafka-encrypted: decrypted with the secrets in
//   the options, else dropped and reported. Never copied as ciphertext, never guessed. The report
//   never prints a sensitive value.
// - Quotas, as Kafka's migration writes them: one ClientQuota per key of
//     /config/users/<u>                  entity [user u]
//     /config/users/<u>/clients/<c>      entity [user u, client-id c]
//     /config/clients/<c>                entity [client-id c]
//     /config/ips/<ip>                   entity [ip ip]
//   with the value parsed as a double (parseQuotaValue). "<default>" is the kind's default: a null
//   name (configs use "" instead). User and client-id names are desanitized (Java URLDecoder: %XX
//   as UTF-8, '+' as space); ip names are taken as they are (Kafka does not sanitize them).
//   The controller's rules decide (quorum/controller/configs/client-quotas.ts, so that the plan
//   and the controller agree): a key the entity's kind does not take, a value that is not a finite
//   number at least 0 (or not whole, or above 2^31 - 1, where the key needs it), an entity the
//   controller refuses (an ip name that is no IP address), a name that does not decode, or a
//   second node naming an entity already planned (e.g. "a%2A" and "a*") leaves that quota (or the
//   node's quotas) out: an `invalid-client-quota` (or `malformed-entity-name`) warning and a
//   plan.skipped entry each, never a refusal of the whole import. The value of a key that is not a
//   quota is never shown (it may be a credential). An unreadable or malformed node is an error,
//   as for other configs. Records: entities in canonical order (compareEntities), keys sorted.
// - SCRAM credentials (the SCRAM-SHA-256 / SCRAM-SHA-512 keys of /config/users/<u>, next to its
//   quotas): no record type here holds them. Counted (one UserScramCredentialRecord each in
//   Kafka's migration), reported as not imported, never written as quotas.

import type { ClientQuotaEntityPart, ClientQuotaEntityType, ClientQuotaRecord, ConfigRecord, ConfigResourceType } from '../../metadata-log/records/types.js';
import { clientQuotaEntityKey } from '../../metadata-log/image-types.js';
import { clientQuotaEntityText, compareEntities } from '../../metadata-log/client-quota-filter.js';
import { checkClientQuotaEntity, clientQuotaKeysFor, clientQuotaValueError, type ClientQuotaEntityInput } from '../../quorum/controller/configs/client-quotas.js';
import { configKey, validValues, valueFailure } from '../../quorum/controller/configs/config-schema.js';
import type { AnomalySeverity, PlanContext } from './plan-types.js';
import { childPath, idOf } from './plan-types.js';
import { jsonOf, ZkDataError } from './zk-json.js';
import { decryptPassword, isPasswordConfig, parseEncodedPassword } from './zk-password.js';

export const DEFAULT_ENTITY = '<default>';

/** A config node's entries (sorted by key), null when it has none, or 'failed' (unreadable or malformed: reported). */
export type ConfigRead = Map<string, string> | null | 'failed';

/** Reads /config/<type>/<name> as Kafka's entity-config JSON. */
export function readConfigNode(ctx: PlanContext, path: string, consequence: string, severity: AnomalySeverity = 'error'): ConfigRead {
  if (ctx.isUnreadable(path)) return 'failed';
  if (ctx.listedButAbsent(path)) {
    ctx.anomaly(path, 'unreadable', severity, `listed by its parent but not read; ${consequence}`);
    return 'failed';
  }
  const node = ctx.node(path);
  const read = ctx.guard(consequence, () => {
    const json = jsonOf(path, node);
    if (json === null) return null;
    ctx.checkVersion(path, json.version(), [1], 'version 1');
    const config = json.object('config');
    const entries = new Map<string, string>();
    for (const key of config.keys().sort()) {
      const v = config.get(key);
      if (typeof v === 'string') entries.set(key, v);
      else if (typeof v === 'number' || typeof v === 'boolean') {
        ctx.anomaly(path, 'non-string-config-value', 'warning', `config ${key} is the JSON ${typeof v} ${String(v)}, not a string; imported as "${String(v)}"`);
        entries.set(key, String(v));
      } else {
        throw new ZkDataError(path, 'malformed-json', `key "config.${key}" is ${v === null ? 'null' : 'not a string'}`);
      }
    }
    return entries;
  }, severity);
  return read === undefined ? 'failed' : read;
}

/** Reports keys our schema does not know and values it refuses (imported anyway). */
function checkAgainstSchema(ctx: PlanContext, path: string, resourceType: ConfigResourceType, resourceName: string, entries: ReadonlyMap<string, string>): void {
  for (const [key, value] of entries) {
    const def = configKey(resourceType, key);
    if (def === undefined) {
      ctx.anomaly(path, 'unknown-config-key', 'warning', `${resourceType} config ${key} is not one this quorum knows; imported as is (delete it with IncrementalAlterConfigs if stale)`);
      continue;
    }
    const failure = valueFailure(def, value);
    if (failure !== null) {
      const shown = def.sensitive ? '[hidden]' : JSON.stringify(value);
      ctx.anomaly(path, 'invalid-config-value', 'warning', `${resourceType} config ${key} = ${shown} is refused by this quorum (${failure}; valid: ${validValues(def)}); imported as is`);
    }
    if (resourceType === 'broker' && resourceName === '' && def.perBrokerOnly === true) {
      ctx.anomaly(path, 'invalid-config-value', 'warning', `broker config ${key} may be set per broker only, not as the cluster default; imported as is`);
    }
  }
}

export function topicConfigRecords(ctx: PlanContext, path: string, topic: string, entries: ReadonlyMap<string, string>): ConfigRecord[] {
  checkAgainstSchema(ctx, path, 'topic', topic, entries);
  return [...entries].map(([name, value]) => ({ type: 'Config', resourceType: 'topic', resourceName: topic, name, value }));
}

export const BROKER_CONFIGS_PATH = '/config/brokers';

/** /config/brokers/* → Config records: the cluster default first, then ascending broker id, keys sorted. */
export function brokerConfigRecords(ctx: PlanContext): ConfigRecord[] {
  const resources: { resourceName: string; order: number; path: string }[] = [];
  for (const name of ctx.children(BROKER_CONFIGS_PATH)) {
    const path = childPath(BROKER_CONFIGS_PATH, name);
    if (name === DEFAULT_ENTITY) {
      resources.push({ resourceName: '', order: -1, path });
      continue;
    }
    const id = idOf(name);
    if (id === null) {
      ctx.anomaly(path, 'invalid-broker-id', 'error', `"${name}" is neither a broker id nor ${DEFAULT_ENTITY}; its configs are not imported`);
      ctx.skip(path, 'not a broker id');
      continue;
    }
    resources.push({ resourceName: String(id), order: id, path });
  }
  resources.sort((a, b) => a.order - b.order);

  const secrets = ctx.options.passwordEncoderSecrets ?? [];
  const records: ConfigRecord[] = [];
  for (const { resourceName, path } of resources) {
    const what = resourceName === '' ? 'the cluster-wide broker defaults' : `broker ${resourceName}'s dynamic configs`;
    const entries = readConfigNode(ctx, path, `${what} are not imported`);
    if (entries === 'failed') {
      ctx.skip(path, `${what} could not be read`);
      continue;
    }
    if (entries === null) continue;
    const imported = new Map<string, string>();
    for (const [key, value] of entries) {
      const encoded = parseEncodedPassword(value);
      if (encoded !== null) {
        const result = decryptPassword(encoded, secrets);
        if (result.ok) imported.set(key, result.value);
        else {
          ctx.anomaly(
            path,
            'undecryptable-config',
            'error',
            `sensitive config ${key} is encrypted with password.encoder.secret and cannot be decrypted (${result.reason}); not imported: set it again after the import`,
          );
        }
        continue;
      }
      if (isPasswordConfig(key)) {
        ctx.anomaly(path, 'unencrypted-sensitive-config', 'warning', `sensitive config ${key} is stored in clear text, not encrypted as Kafka does with a password encoder; imported as is`);
      }
      imported.set(key, value);
    }
    checkAgainstSchema(ctx, path, 'broker', resourceName, imported);
    for (const [name, value] of imported) records.push({ type: 'Config', resourceType: 'broker', resourceName, name, value });
  }
  return records;
}

/** Java's URLDecoder.decode (UTF-8): how Kafka desanitizes user and client-id znode names. */
export function desanitize(name: string): string | null {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Kafka's SCRAM mechanisms: the config keys of /config/users/<user> that hold credentials, not quotas. */
const SCRAM_MECHANISMS: ReadonlySet<string> = new Set(['SCRAM-SHA-256', 'SCRAM-SHA-512']);

export const CLIENT_CONFIGS_PATH = '/config/clients';
export const USER_CONFIGS_PATH = '/config/users';
export const IP_CONFIGS_PATH = '/config/ips';

/** Plain decimal notation (sign, digits, fraction, exponent), what Kafka's tools write. */
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * A quota value as Kafka's migration reads it (Java's Double.parseDouble, which ignores surrounding
 * blanks), in plain decimal notation only: "NaN", "Infinity", hexadecimal and Java's d/f suffixes
 * give NaN, which the controller's rule then refuses. -0 is 0.
 */
export function parseQuotaValue(text: string): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) return Number.NaN;
  const n = Number(t);
  return n === 0 ? 0 : n;
}

export interface ClientQuotaPlan {
  /** One ClientQuota per quota key and entity, entities in canonical order (compareEntities), keys sorted. */
  readonly records: readonly ClientQuotaRecord[];
  /** SCRAM credentials seen (one UserScramCredentialRecord each in Kafka's migration): not imported. */
  readonly scramCredentials: number;
}

/** A quota value as the report shows it: quoted, cut short. */
function shownValue(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

/**
 * /config/users/<u>, /config/users/<u>/clients/<c>, /config/clients/<c> and /config/ips/<ip> →
 * ClientQuota records, as Kafka's migration writes them; SCRAM credentials counted.
 */
export function clientQuotaRecords(ctx: PlanContext): ClientQuotaPlan {
  const planned: { entity: readonly ClientQuotaEntityPart[]; values: Map<string, number> }[] = [];
  const byEntity = new Map<string, string>(); // clientQuotaEntityKey -> the path that named it first
  let scramCredentials = 0;

  /** One entity node: `names` are the znode names of its parts, by type, as ZooKeeper holds them. */
  const entityNode = (path: string, names: readonly (readonly [ClientQuotaEntityType, string])[]): void => {
    const entries = readConfigNode(ctx, path, 'its quotas are not imported');
    if (entries === 'failed') {
      ctx.skip(path, 'the quotas it holds could not be read');
      return;
    }
    if (entries === null || entries.size === 0) return;
    const quotas = new Map<string, string>();
    for (const [key, value] of entries) {
      if (names.length === 1 && names[0]![0] === 'user' && SCRAM_MECHANISMS.has(key)) scramCredentials++;
      else quotas.set(key, value);
    }
    if (quotas.size === 0) return;
    const leftOut = (kind: 'invalid-client-quota' | 'malformed-entity-name', why: string): void => {
      const what = `${quotas.size} quota(s) (${[...quotas.keys()].join(', ')})`;
      ctx.anomaly(path, kind, 'warning', `${why}; its ${what} are not imported`);
      ctx.skip(path, `${what}: ${why}`);
    };

    // Names: "<default>" is the kind's default (null); user and client-id names are sanitized
    // (URL-encoded), ip names are not (Kafka writes them as given).
    const parts: ClientQuotaEntityInput[] = [];
    for (const [entityType, znodeName] of names) {
      let entityName: string | null = znodeName;
      if (znodeName === DEFAULT_ENTITY) entityName = null;
      else if (entityType !== 'ip') {
        entityName = desanitize(znodeName);
        if (entityName === null) {
          leftOut('malformed-entity-name', `the ${entityType} name "${znodeName}" is not a valid sanitized (URL-encoded) name`);
          return;
        }
      }
      parts.push({ entityType, entityName });
    }
    const checked = checkClientQuotaEntity(parts);
    if ('error' in checked) {
      leftOut('invalid-client-quota', `the controller refuses its entity (${clientQuotaEntityText(parts)}): ${checked.error.message ?? 'invalid entity'}`);
      return;
    }
    const entity = checked.entity;
    const key = clientQuotaEntityKey(entity);
    const first = byEntity.get(key);
    if (first !== undefined) {
      leftOut('invalid-client-quota', `it names the same entity (${clientQuotaEntityText(entity)}) as ${first}, whose quotas are imported`);
      return;
    }
    byEntity.set(key, path);

    const keys = clientQuotaKeysFor(entity.map((p) => p.entityType));
    const values = new Map<string, number>();
    for (const [quotaKey, text] of quotas) {
      const value = parseQuotaValue(text);
      const refused = clientQuotaValueError(keys, quotaKey, value);
      if (refused === null) {
        values.set(quotaKey, value);
        continue;
      }
      // The value of a key that is no quota is not shown: it may be a credential.
      const why = keys.has(quotaKey)
        ? `quota ${quotaKey} = ${shownValue(text)} is refused by the controller (${refused})`
        : `${quotaKey} is not a quota key of ${entity.map((p) => p.entityType).join(' and ')} entities (${refused}; valid: ${[...keys.keys()].join(', ')})`;
      ctx.anomaly(path, 'invalid-client-quota', 'warning', `${why}; not imported`);
      ctx.skip(path, `quota ${quotaKey} of ${clientQuotaEntityText(entity)}: ${keys.has(quotaKey) ? 'an invalid value' : 'not a quota key'}`);
    }
    if (values.size > 0) planned.push({ entity, values });
  };

  for (const user of ctx.children(USER_CONFIGS_PATH)) {
    const userPath = childPath(USER_CONFIGS_PATH, user);
    entityNode(userPath, [['user', user]]);
    const clientsPath = childPath(userPath, 'clients');
    for (const client of ctx.children(clientsPath)) {
      entityNode(childPath(clientsPath, client), [
        ['user', user],
        ['client-id', client],
      ]);
    }
  }
  for (const client of ctx.children(CLIENT_CONFIGS_PATH)) entityNode(childPath(CLIENT_CONFIGS_PATH, client), [['client-id', client]]);
  for (const ip of ctx.children(IP_CONFIGS_PATH)) entityNode(childPath(IP_CONFIGS_PATH, ip), [['ip', ip]]);

  planned.sort((a, b) => compareEntities(a.entity, b.entity));
  const records: ClientQuotaRecord[] = [];
  for (const { entity, values } of planned) {
    for (const key of [...values.keys()].sort()) records.push({ type: 'ClientQuota', entity, key, value: values.get(key)!, remove: false });
  }
  return { records, scramCredentials };
}
