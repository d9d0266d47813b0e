// /config/<entityType>/<entityName> → Config records (topics, brokers), ClientQuota records
// (clients, users, ips) and UserScramCredential records (users). zk-layout.md §3.
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
//   quotas; never quotas): one UserScramCredential each, as Kafka's migration writes it (mechanism
//   1 for SCRAM-SHA-256, 2 for SCRAM-SHA-512). The value is Kafka's ScramCredentialUtils string
//   "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>" (parseScramCredential). The user
//   is the desanitized znode name, the name ZooKeeper-mode brokers authenticated (their user config
//   handler desanitizes it; Kafka's migration passes the znode name as it is, so "alice%40x.com"
//   became a user no client logs in as). "<default>" holds no credential a broker ever used (the
//   handler skips it). A value that does not parse, a credential the controller's rule refuses
//   (scramCredentialError: iterations 4096..16384, a non-empty salt, keys the hash's length), the
//   default user, a name that does not decode, or a second node naming a user and mechanism
//   already planned leaves that credential out: an `invalid-scram-credential` (or
//   `malformed-entity-name`) warning and a plan.skipped entry each, naming the user and the
//   reason, never the salt or keys; never a refusal of the whole import. Records: by user name,
//   then mechanism. A SCRAM key under /config/users/<u>/clients/<c> is no credential: refused as a
//   quota key there (Kafka's migration fails on it).

import type { ClientQuotaEntityPart, ClientQuotaEntityType, ClientQuotaRecord, ConfigRecord, ConfigResourceType, ScramMechanism, UserScramCredentialRecord } from '../../metadata-log/records/types.js';
import { SCRAM_MECHANISMS, scramMechanismByName } from '../../metadata-log/records/user-scram-credential.js';
import { clientQuotaEntityKey } from '../../metadata-log/image-types.js';
import { clientQuotaEntityText, compareEntities } from '../../metadata-log/client-quota-filter.js';
import { checkClientQuotaEntity, clientQuotaKeysFor, clientQuotaValueError, type ClientQuotaEntityInput } from '../../quorum/controller/configs/client-quotas.js';
import { configKey, validValues, valueFailure } from '../../quorum/controller/configs/config-schema.js';
import { scramCredentialError } from '../../quorum/controller/configs/scram-credentials.js';
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

/** A SCRAM credential as ZooKeeper holds it (ScramCredentialUtils.credentialFromString). */
export interface ZkScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

/** Java's Base64.getDecoder(): the standard alphabet, padding optional but correct when present, nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
/** Java's Integer.parseInt: an optional sign and decimal digits. */
const JAVA_INT = /^[+-]?[0-9]+$/;
const SCRAM_FIELDS = ['salt', 'stored_key', 'server_key', 'iterations'] as const;

/**
 * Kafka's credential string, "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>" (fields
 * in any order), read as ScramCredentialUtils.credentialFromString reads it: comma-separated
 * key=value pairs split at the first '=', exactly those four keys, standard base64, the iteration
 * count a Java int. Stricter in one way: a key given twice is refused (Kafka keeps the last).
 * The error says what is wrong without quoting the value (it is a credential).
 */
export function parseScramCredential(text: string): ZkScramCredential | { readonly error: string } {
  const tokens = text.split(',');
  while (tokens.length > 1 && tokens[tokens.length - 1] === '') tokens.pop(); // Java's split drops trailing empty strings
  const fields = new Map<string, string>();
  for (const token of tokens) {
    const at = token.indexOf('=');
    if (at <= 0) return { error: 'not a list of key=value pairs' };
    const key = token.slice(0, at);
    if (!(SCRAM_FIELDS as readonly string[]).includes(key)) return { error: `unknown field ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key)}` };
    if (fields.has(key)) return { error: `field ${key} given twice` };
    fields.set(key, token.slice(at + 1));
  }
  const missing = SCRAM_FIELDS.filter((f) => !fields.has(f));
  if (missing.length > 0) return { error: `no ${missing.join(', ')}` };
  const bytes: Buffer[] = [];
  for (const f of ['salt', 'stored_key', 'server_key'] as const) {
    const b64 = fields.get(f)!;
    if (!BASE64.test(b64)) return { error: `${f} is not base64` };
    bytes.push(Buffer.from(b64, 'base64'));
  }
  const iterationsText = fields.get('iterations')!;
  const iterations = Number(iterationsText);
  if (!JAVA_INT.test(iterationsText) || iterations < -2_147_483_648 || iterations > 2_147_483_647) return { error: `iterations ${JSON.stringify(iterationsText.slice(0, 20))} is not an integer` };
  return { salt: bytes[0]!, storedKey: bytes[1]!, serverKey: bytes[2]!, iterations: iterations === 0 ? 0 : iterations };
}

function compareScram(a: UserScramCredentialRecord, b: UserScramCredentialRecord): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.mechanism - b.mechanism;
}

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
  /** One UserScramCredential per credential imported, by user name then mechanism. */
  readonly scramCredentials: readonly UserScramCredentialRecord[];
}

/** A quota value as the report shows it: quoted, cut short. */
function shownValue(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

/**
 * /config/users/<u>, /config/users/<u>/clients/<c>, /config/clients/<c> and /config/ips/<ip> →
 * ClientQuota records, and /config/users/<u>'s SCRAM keys → UserScramCredential records, as
 * Kafka's migration writes them.
 */
export function clientQuotaRecords(ctx: PlanContext): ClientQuotaPlan {
  const planned: { entity: readonly ClientQuotaEntityPart[]; values: Map<string, number> }[] = [];
  const byEntity = new Map<string, string>(); // clientQuotaEntityKey -> the path that named it first
  const scramCredentials: UserScramCredentialRecord[] = [];
  const scramByUser = new Map<string, string>(); // `${user}\0${mechanism}` -> the path that named it first

  /** /config/users/<znodeName>'s SCRAM credentials (mechanism -> Kafka's credential string). */
  const scramNode = (path: string, znodeName: string, credentials: ReadonlyMap<ScramMechanism, string>): void => {
    const leftOut = (kind: 'invalid-scram-credential' | 'malformed-entity-name', what: string, why: string): void => {
      ctx.anomaly(path, kind, 'warning', `${what} is not imported: ${why}`);
      ctx.skip(path, `${what}: ${why}`);
    };
    const mechanisms = [...credentials.keys()].sort((a, b) => a - b);
    // Each credential is left out on its own: an anomaly and a skipped entry each.
    const user = znodeName === DEFAULT_ENTITY ? null : desanitize(znodeName);
    if (user === null) {
      for (const mechanism of mechanisms) {
        const what = `the ${SCRAM_MECHANISMS.get(mechanism)!} credential of ${znodeName === DEFAULT_ENTITY ? DEFAULT_ENTITY : JSON.stringify(znodeName)}`;
        if (znodeName === DEFAULT_ENTITY) leftOut('invalid-scram-credential', what, 'the default user is no user: ZooKeeper-mode brokers never authenticated anyone with it');
        else leftOut('malformed-entity-name', what, `the user name "${znodeName}" is not a valid sanitized (URL-encoded) name`);
      }
      return;
    }
    for (const mechanism of mechanisms) {
      const what = `the ${SCRAM_MECHANISMS.get(mechanism)!} credential of user ${JSON.stringify(user)}`;
      const parsed = parseScramCredential(credentials.get(mechanism)!);
      if ('error' in parsed) {
        leftOut('invalid-scram-credential', what, `it is not Kafka's salt=...,stored_key=...,server_key=...,iterations=... (${parsed.error})`);
        continue;
      }
      const refused = scramCredentialError(user, mechanism, parsed.iterations, parsed.salt, [parsed.storedKey, parsed.serverKey]);
      if (refused !== null) {
        leftOut('invalid-scram-credential', what, `the controller refuses it (${refused.message ?? 'invalid credential'})`);
        continue;
      }
      const key = `${user}\u0000${mechanism}`;
      const first = scramByUser.get(key);
      if (first !== undefined) {
        leftOut('invalid-scram-credential', what, `${first} names the same user, and its credential is imported`);
        continue;
      }
      scramByUser.set(key, path);
      scramCredentials.push({ type: 'UserScramCredential', name: user, mechanism, ...parsed });
    }
  };

  /** One entity node: `names` are the znode names of its parts, by type, as ZooKeeper holds them. */
  const entityNode = (path: string, names: readonly (readonly [ClientQuotaEntityType, string])[]): void => {
    const entries = readConfigNode(ctx, path, 'its quotas are not imported');
    if (entries === 'failed') {
      ctx.skip(path, 'the quotas it holds could not be read');
      return;
    }
    if (entries === null || entries.size === 0) return;
    const quotas = new Map<string, string>();
    const scram = new Map<ScramMechanism, string>();
    for (const [key, value] of entries) {
      const mechanism = names.length === 1 && names[0]![0] === 'user' ? scramMechanismByName(key) : undefined;
      if (mechanism !== undefined) scram.set(mechanism, value);
      else quotas.set(key, value);
    }
    if (scram.size > 0) scramNode(path, names[0]![1], scram);
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
  scramCredentials.sort(compareScram);
  return { records, scramCredentials };
}
