// /config/<entityType>/<entityName> → Config records (topics, brokers) and counts of what our
// records cannot hold (client/user/ip quotas, SCRAM credentials). zk-layout.md §3.
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
// - Clients, users, users/<u>/clients/<c>, ips: quotas and SCRAM credentials. No record type here
//   holds them: counted (as Kafka's migration would write them, one record per quota key and per
//   credential) and reported as not imported. Names are desanitized (Java URLDecoder: %XX as
//   UTF-8, '+' as space) to validate them; "<default>" is the default entity.

import type { ConfigRecord, ConfigResourceType } from '../../metadata-log/records/types.js';
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

export interface QuotaCounts {
  /** Quota keys (Kafka writes one ClientQuotaRecord per key and entity). */
  readonly quotas: number;
  /** SCRAM credentials (one UserScramCredentialRecord each). */
  readonly scramCredentials: number;
}

const SCRAM_PREFIX = 'SCRAM-';

/** Walks /config/clients, /config/users (with users/<u>/clients/<c>) and /config/ips; nothing here becomes a record. */
export function countQuotas(ctx: PlanContext): QuotaCounts {
  let quotas = 0;
  let scramCredentials = 0;
  const consequence = 'not imported either way (no quota or SCRAM records here)';
  const entity = (path: string, name: string, sanitized: boolean): ReadonlyMap<string, string> | null => {
    if (sanitized && name !== DEFAULT_ENTITY && desanitize(name) === null) {
      ctx.anomaly(path, 'malformed-entity-name', 'warning', `"${name}" is not a valid sanitized (URL-encoded) name`);
    }
    const entries = readConfigNode(ctx, path, consequence, 'warning');
    return entries === 'failed' ? null : entries;
  };
  for (const name of ctx.children('/config/clients')) {
    quotas += entity(childPath('/config/clients', name), name, true)?.size ?? 0;
  }
  for (const name of ctx.children('/config/ips')) {
    quotas += entity(childPath('/config/ips', name), name, false)?.size ?? 0;
  }
  for (const user of ctx.children('/config/users')) {
    const userPath = childPath('/config/users', user);
    for (const key of entity(userPath, user, true)?.keys() ?? []) {
      if (key.startsWith(SCRAM_PREFIX)) scramCredentials++;
      else quotas++;
    }
    const clientsPath = childPath(userPath, 'clients');
    for (const client of ctx.children(clientsPath)) {
      quotas += entity(childPath(clientsPath, client), client, true)?.size ?? 0;
    }
  }
  return { quotas, scramCredentials };
}
