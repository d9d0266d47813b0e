// diffImport: what `metaquorum migrate-from-zk --verify` reports. ZooKeeper is read and planned
// again (./plan.ts) and the plan's records are compared with the quorum's image, written out as
// records (metadata-log/snapshot.ts snapshotRecords). Pure: no I/O, no clock, no randomness.
//
// Rules (each a consequence of what an import legitimately changes afterwards):
// - Everything is keyed by name, never by topic id: each side maps its own topic ids to names and
//   partitions are `<topic>-<n>`. A topic's id is compared only when ZooKeeper holds it
//   (plan.mintedTopicIds lists the others: a plan mints a new random id every time it is made).
// - Brokers: presence by id only. The imported placeholder registration is replaced when the real
//   broker registers (endpoints, epoch, incarnation, fencing all change), and a broker the quorum
//   holds but /brokers/ids does not is normal: ZooKeeper registrations are ephemeral.
// - Topics: a topic missing from the quorum is one difference, not one per partition or config;
//   a topic only in the quorum is likewise one (created since the import), its contents unlisted.
// - Partitions of topics on both sides: replicas, isr, leader, leaderEpoch, partitionEpoch,
//   addingReplicas, removingReplicas, leaderRecoveryState, compared exactly (order included: an
//   import copies the lists as ZooKeeper has them, so any reordering is a change made since). A
//   different partition count shows as partitions missing from or only in the quorum.
// - Configs: topic and broker configs ('' = the cluster default) by (resource, key) → value. Keys
//   the plan dropped (undecryptable passwords) show as only in the quorum once set again: fine.
//   Sensitive values are compared but never shown.
// - ProducerIds: the quorum's nextProducerId must be at least the plan's (it only grows after the
//   import); lower means ids could be handed out twice.
// - Offsets: by (group, topic, partition) → offset, for the groups the plan holds only: groups
//   committed through the Kafka protocol since are none of ZooKeeper's business.
// - ACLs: by binding (resource type, name, pattern type, principal, host, operation, permission),
//   never by id (a plan mints new ids each time it is made): in ZooKeeper and not in the quorum is
//   missing (removed since, or not imported), in the quorum and not in ZooKeeper is only-in-quorum
//   (added since), as for topics.
// - Client quotas: by (entity, key) → value, the entity's parts in canonical order with null for a
//   default: a quota in ZooKeeper missing from the quorum or with another value there is a
//   difference, as is one only in the quorum (set since, or held before the import). The quotas
//   the plan left out (invalid-client-quota: the controller would refuse them) are in neither side.
// - SCRAM credentials: by (user, mechanism): iterations, salt, StoredKey and ServerKey must be
//   equal. Missing from the quorum (removed since, or not imported), only in the quorum (set
//   since), or different (the password changed since on either side) is a difference; a salt or
//   key that differs is named, its bytes never shown (with the salt, StoredKey is what an offline
//   password guess is checked against). The credentials the plan left out
//   (invalid-scram-credential) are in neither side.
// - Migration marker: the quorum must hold ZkMigrationState POST_MIGRATION (3), which the import
//   writes last (quorum/controller/migration/import-metadata.ts); without it the import did not
//   complete or never happened.
// Input records are read as state, a later record replacing an earlier one with the same key (a
// Config with value null removes its key). Change records (PartitionChange, RemoveTopic...) are
// ignored: pass an image's records (snapshotRecords), not a log.
// Differences come out sorted by entity (in ENTITY_ORDER), then name (numbers within a name, such
// as partition and broker ids, numerically), then field. Nothing is capped: renderDifferences caps
// what it shows.

import { aclBindingKey } from '../../metadata-log/acl-filter.js';
import { clientQuotaEntityKey } from '../../metadata-log/image-types.js';
import type { AclBinding, ClientQuotaEntityPart, MetadataRecord, PartitionRecord, ScramMechanism, UserScramCredentialRecord, Uuid } from '../../metadata-log/records/types.js';
import { SCRAM_MECHANISMS } from '../../metadata-log/records/user-scram-credential.js';
import { isSensitiveConfig } from '../../quorum/controller/configs/config-schema.js';
import { clientQuotaEntityText } from '../../metadata-log/client-quota-filter.js';
import type { MigrationPlan } from './plan-types.js';

/** The entities a difference is about, in the order differences are sorted. */
export const ENTITY_ORDER = ['broker', 'topic', 'partition', 'topic-config', 'broker-config', 'producer-ids', 'offset', 'acl', 'client-quota', 'scram-credential', 'migration-state'] as const;
export type ImportEntity = (typeof ENTITY_ORDER)[number];

export type ImportDifferenceKind = 'missing-in-quorum' | 'only-in-quorum' | 'different' | 'not-imported-marker';

export interface ImportDifference {
  readonly kind: ImportDifferenceKind;
  /** What it is about: 'broker' | 'topic' | 'partition' | 'topic-config' | 'broker-config' | 'producer-ids' | 'offset' | 'acl' | 'client-quota' | 'scram-credential' | 'migration-state' */
  readonly entity: ImportEntity;
  /** e.g. "topic orders", "partition orders-3", "config topic orders retention.ms", "broker 2", "offset group g orders-0", "acl TOPIC orders (LITERAL): User:alice from * ALLOW READ", "quota user \"alice\", client-id <default> producer_byte_rate", "SCRAM credential \"alice\" SCRAM-SHA-256" */
  readonly name: string;
  /** For 'different': the field and both values as text (sensitive config values, SCRAM salts and keys as "[hidden]"). */
  readonly field?: string;
  readonly zookeeper?: string;
  /** For 'different'; for 'not-imported-marker', the ZkMigrationState the quorum holds instead, if any. */
  readonly quorum?: string;
}

export interface ImportComparedCounts {
  brokers: number;
  topics: number;
  partitions: number;
  configs: number;
  offsets: number;
  acls: number;
  clientQuotas: number;
  scramCredentials: number;
}

export interface ImportDiff {
  readonly differences: readonly ImportDifference[];
  /**
   * How many of each were compared: the distinct keys looked at on either side, leaving out what
   * the rules do not compare (quorum-only brokers, groups not in the plan, the partitions and
   * configs of a topic on one side only).
   */
  readonly compared: ImportComparedCounts;
}

/** Kafka's ZkMigrationState POST_MIGRATION: the value the import's last record sets. */
const POST_MIGRATION = 3;

/** What a difference shows for a value that must not leave the process (a password, a SCRAM salt or key). */
const HIDDEN = '[hidden]';

/** The cluster-default broker config resource, as ZooKeeper and kafka-configs name it. */
const DEFAULT_BROKER = '<default>';

// ---- one side, as maps by name ------------------------------------------------------------------

interface OffsetEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The state one side's records describe, keyed by name. */
interface Side {
  readonly brokers: Set<number>;
  /** topic name → topic id */
  readonly topics: Map<string, Uuid>;
  /** topic name → partition id → partition */
  readonly partitions: Map<string, Map<number, PartitionRecord>>;
  /** `${resourceType}\0${resourceName}` → key → value */
  readonly configs: Map<string, Map<string, string>>;
  /** group → `${topic}\0${partition}` → offset */
  readonly offsets: Map<string, Map<string, OffsetEntry>>;
  nextProducerId: number | null;
  /** aclBindingKey → the binding */
  readonly acls: Map<string, AclBinding>;
  /** clientQuotaEntityKey → the entity and its quotas (key → value) */
  readonly clientQuotas: Map<string, { readonly entity: readonly ClientQuotaEntityPart[]; readonly values: Map<string, number> }>;
  /** `${user}\0${mechanism}` → the credential */
  readonly scramCredentials: Map<string, UserScramCredentialRecord>;
  /** Every ZkMigrationState value seen, in order. */
  readonly migrationStates: number[];
}

function scramKey(user: string, mechanism: ScramMechanism): string {
  return `${user}\u0000${mechanism}`;
}

function resourceKey(resourceType: string, resourceName: string): string {
  return `${resourceType}\u0000${resourceName}`;
}

function readSide(records: Iterable<MetadataRecord>): Side {
  const side: Side = { brokers: new Set(), topics: new Map(), partitions: new Map(), configs: new Map(), offsets: new Map(), nextProducerId: null, acls: new Map(), clientQuotas: new Map(), scramCredentials: new Map(), migrationStates: [] };
  const namesById = new Map<Uuid, string>();
  // Partitions are resolved to names after every Topic is known, so record order does not matter.
  const partitions: PartitionRecord[] = [];
  for (const r of records) {
    switch (r.type) {
      case 'RegisterBroker':
        side.brokers.add(r.brokerId);
        break;
      case 'Topic':
        namesById.set(r.topicId, r.name);
        side.topics.set(r.name, r.topicId);
        break;
      case 'Partition':
        partitions.push(r);
        break;
      case 'Config':
        setConfig(side, r.resourceType, r.resourceName, r.name, r.value);
        break;
      case 'ProducerIds':
        side.nextProducerId = r.nextProducerId;
        break;
      case 'OffsetCommit':
        groupOf(side, r.groupId).set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset });
        break;
      case 'ZkMigrationState':
        side.migrationStates.push(r.state);
        break;
      case 'AccessControlEntry': {
        const { type: _type, id: _id, ...binding } = r;
        side.acls.set(aclBindingKey(binding), binding);
        break;
      }
      case 'ClientQuota': {
        const key = clientQuotaEntityKey(r.entity);
        let quota = side.clientQuotas.get(key);
        if (quota === undefined) side.clientQuotas.set(key, (quota = { entity: r.entity, values: new Map() }));
        if (r.remove) quota.values.delete(r.key);
        else quota.values.set(r.key, r.value);
        break;
      }
      case 'UserScramCredential':
        side.scramCredentials.set(scramKey(r.name, r.mechanism), r);
        break;
      case 'RemoveUserScramCredential':
        side.scramCredentials.delete(scramKey(r.name, r.mechanism));
        break;
      default:
        break; // change records and markers: not state (see the header)
    }
  }
  for (const p of partitions) {
    // An image never holds a partition without its topic; one here cannot be named, so it is left out.
    const name = namesById.get(p.topicId);
    if (name === undefined) continue;
    let byId = side.partitions.get(name);
    if (byId === undefined) side.partitions.set(name, (byId = new Map()));
    byId.set(p.partitionId, p);
  }
  return side;
}

function setConfig(side: Side, resourceType: string, resourceName: string, key: string, value: string | null): void {
  const rk = resourceKey(resourceType, resourceName);
  let entries = side.configs.get(rk);
  if (entries === undefined) side.configs.set(rk, (entries = new Map()));
  if (value === null) entries.delete(key);
  else entries.set(key, value);
}

function groupOf(side: Side, groupId: string): Map<string, OffsetEntry> {
  let group = side.offsets.get(groupId);
  if (group === undefined) side.offsets.set(groupId, (group = new Map()));
  return group;
}

// ---- collecting differences ---------------------------------------------------------------------

/** A difference with the key it sorts by (kept apart so the differences stay plain data). */
interface Found {
  readonly diff: ImportDifference;
  readonly order: number;
  readonly key: readonly (string | number)[];
}

class Collector {
  readonly found: Found[] = [];
  readonly compared: ImportComparedCounts = { brokers: 0, topics: 0, partitions: 0, configs: 0, offsets: 0, acls: 0, clientQuotas: 0, scramCredentials: 0 };

  add(entity: ImportEntity, key: readonly (string | number)[], diff: Omit<ImportDifference, 'entity'>): void {
    this.found.push({ diff: { ...diff, entity }, order: ENTITY_ORDER.indexOf(entity), key });
  }

  sorted(): ImportDifference[] {
    return this.found.sort(compareFound).map((f) => f.diff);
  }
}

function compareFound(a: Found, b: Found): number {
  if (a.order !== b.order) return a.order - b.order;
  const n = Math.min(a.key.length, b.key.length);
  for (let i = 0; i < n; i++) {
    const c = compareKeyPart(a.key[i]!, b.key[i]!);
    if (c !== 0) return c;
  }
  if (a.key.length !== b.key.length) return a.key.length - b.key.length;
  return byText(a.diff.field ?? '', b.diff.field ?? '');
}

/** Numbers numerically and before text; text by UTF-16 code units (never by locale: every machine agrees). */
function compareKeyPart(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return byText(a, b);
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the rules ----------------------------------------------------------------------------------

export function diffImport(plan: MigrationPlan, quorumRecords: Iterable<MetadataRecord>): ImportDiff {
  const zk = readSide(plan.records);
  const quorum = readSide(quorumRecords);
  const out = new Collector();
  diffBrokers(zk, quorum, out);
  const oneSided = diffTopics(plan, zk, quorum, out);
  diffPartitions(zk, quorum, out);
  diffConfigs(zk, quorum, oneSided, out);
  diffProducerIds(zk, quorum, out);
  diffOffsets(zk, quorum, out);
  diffAcls(zk, quorum, out);
  diffClientQuotas(zk, quorum, out);
  diffScramCredentials(zk, quorum, out);
  checkMarker(quorum, out);
  return { differences: out.sorted(), compared: out.compared };
}

function diffBrokers(zk: Side, quorum: Side, out: Collector): void {
  // Presence only, and one way only (see the header).
  for (const id of zk.brokers) {
    out.compared.brokers++;
    if (!quorum.brokers.has(id)) out.add('broker', [id], { kind: 'missing-in-quorum', name: `broker ${id}` });
  }
}

/** Compares topics; returns the names of topics on one side only (their contents are not listed). */
function diffTopics(plan: MigrationPlan, zk: Side, quorum: Side, out: Collector): Set<string> {
  const minted = new Set(plan.mintedTopicIds.map((m) => m.topic));
  const oneSided = new Set<string>();
  for (const [name, zkId] of zk.topics) {
    out.compared.topics++;
    const quorumId = quorum.topics.get(name);
    if (quorumId === undefined) {
      oneSided.add(name);
      out.add('topic', [name], { kind: 'missing-in-quorum', name: `topic ${name}` });
    } else if (quorumId !== zkId && !minted.has(name)) {
      out.add('topic', [name], { kind: 'different', name: `topic ${name}`, field: 'topicId', zookeeper: zkId, quorum: quorumId });
    }
  }
  for (const name of quorum.topics.keys()) {
    if (zk.topics.has(name)) continue;
    out.compared.topics++;
    oneSided.add(name);
    out.add('topic', [name], { kind: 'only-in-quorum', name: `topic ${name}` });
  }
  return oneSided;
}

type PartitionField = 'replicas' | 'isr' | 'leader' | 'leaderEpoch' | 'partitionEpoch' | 'addingReplicas' | 'removingReplicas' | 'leaderRecoveryState';
const PARTITION_FIELDS: readonly PartitionField[] = ['replicas', 'isr', 'leader', 'leaderEpoch', 'partitionEpoch', 'addingReplicas', 'removingReplicas', 'leaderRecoveryState'];

function diffPartitions(zk: Side, quorum: Side, out: Collector): void {
  for (const topic of zk.topics.keys()) {
    // Topics on one side only were reported whole by diffTopics.
    if (!quorum.topics.has(topic)) continue;
    const zkParts = zk.partitions.get(topic) ?? new Map<number, PartitionRecord>();
    const quorumParts = quorum.partitions.get(topic) ?? new Map<number, PartitionRecord>();
    for (const [id, zp] of zkParts) {
      out.compared.partitions++;
      const name = `partition ${topic}-${id}`;
      const qp = quorumParts.get(id);
      if (qp === undefined) out.add('partition', [topic, id], { kind: 'missing-in-quorum', name });
      else diffPartition(topic, id, name, zp, qp, out);
    }
    for (const id of quorumParts.keys()) {
      if (zkParts.has(id)) continue;
      out.compared.partitions++;
      out.add('partition', [topic, id], { kind: 'only-in-quorum', name: `partition ${topic}-${id}` });
    }
  }
}

function diffPartition(topic: string, id: number, name: string, zp: PartitionRecord, qp: PartitionRecord, out: Collector): void {
  for (const field of PARTITION_FIELDS) {
    const a = zp[field];
    const b = qp[field];
    if (sameValue(a, b)) continue;
    out.add('partition', [topic, id], { kind: 'different', name, field, zookeeper: valueText(a), quorum: valueText(b) });
  }
}

function sameValue(a: number | readonly number[], b: number | readonly number[]): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valueText(v: number | readonly number[]): string {
  return typeof v === 'number' ? String(v) : `[${v.join(',')}]`;
}

function diffConfigs(zk: Side, quorum: Side, oneSidedTopics: ReadonlySet<string>, out: Collector): void {
  const resources = new Set([...zk.configs.keys(), ...quorum.configs.keys()]);
  for (const rk of resources) {
    const cut = rk.indexOf('\u0000');
    const resourceType = rk.slice(0, cut);
    const resourceName = rk.slice(cut + 1);
    // A topic's configs go with the topic: one on one side only was reported whole.
    if (resourceType === 'topic' && oneSidedTopics.has(resourceName)) continue;
    diffResource(resourceType, resourceName, zk.configs.get(rk), quorum.configs.get(rk), out);
  }
}

function diffResource(resourceType: string, resourceName: string, zk: ReadonlyMap<string, string> | undefined, quorum: ReadonlyMap<string, string> | undefined, out: Collector): void {
  const entity: ImportEntity = resourceType === 'topic' ? 'topic-config' : 'broker-config';
  const shownResource = resourceType === 'broker' && resourceName === '' ? DEFAULT_BROKER : resourceName;
  // Broker ids sort numerically, after the cluster default.
  const sortName: string | number = resourceType === 'broker' ? (resourceName === '' ? -1 : brokerIdOrName(resourceName)) : resourceName;
  const none = new Map<string, string>();
  const zkEntries = zk ?? none;
  const quorumEntries = quorum ?? none;
  const at = (key: string) => ({ key: [sortName, key], name: `config ${resourceType} ${shownResource} ${key}` });
  for (const [key, zv] of zkEntries) {
    out.compared.configs++;
    const { key: sortKey, name } = at(key);
    const qv = quorumEntries.get(key);
    if (qv === undefined) out.add(entity, sortKey, { kind: 'missing-in-quorum', name });
    else if (qv !== zv) {
      out.add(entity, sortKey, { kind: 'different', name, field: 'value', zookeeper: configText(resourceType, key, zv), quorum: configText(resourceType, key, qv) });
    }
  }
  for (const key of quorumEntries.keys()) {
    if (zkEntries.has(key)) continue;
    out.compared.configs++;
    const { key: sortKey, name } = at(key);
    out.add(entity, sortKey, { kind: 'only-in-quorum', name });
  }
}

function brokerIdOrName(resourceName: string): string | number {
  return /^(0|[1-9][0-9]*)$/.test(resourceName) ? Number(resourceName) : resourceName;
}

/** A config value as shown: sensitive ones (passwords) never leave the process in a report. */
function configText(resourceType: string, key: string, value: string): string {
  return isSensitiveConfig(resourceType === 'broker' ? 'broker' : 'topic', key) ? HIDDEN : value;
}

function diffProducerIds(zk: Side, quorum: Side, out: Collector): void {
  if (zk.nextProducerId === null) return;
  const name = 'producer ids';
  // The quorum writes ProducerIds only once an id was handed out (snapshotRecords): absent = 0.
  if (quorum.nextProducerId === null) {
    if (zk.nextProducerId > 0) out.add('producer-ids', [name], { kind: 'missing-in-quorum', name });
    return;
  }
  // Higher is normal: brokers took blocks since the import.
  if (quorum.nextProducerId < zk.nextProducerId) {
    out.add('producer-ids', [name], { kind: 'different', name, field: 'nextProducerId', zookeeper: String(zk.nextProducerId), quorum: String(quorum.nextProducerId) });
  }
}

function diffOffsets(zk: Side, quorum: Side, out: Collector): void {
  // Only the plan's groups: groups that committed through the Kafka protocol since are not ZooKeeper's.
  for (const [groupId, zkOffsets] of zk.offsets) {
    const quorumOffsets = quorum.offsets.get(groupId) ?? new Map<string, OffsetEntry>();
    for (const [k, zo] of zkOffsets) {
      out.compared.offsets++;
      const name = offsetName(groupId, zo);
      const qo = quorumOffsets.get(k);
      if (qo === undefined) out.add('offset', [groupId, zo.topic, zo.partition], { kind: 'missing-in-quorum', name });
      else if (qo.offset !== zo.offset) {
        out.add('offset', [groupId, zo.topic, zo.partition], { kind: 'different', name, field: 'offset', zookeeper: String(zo.offset), quorum: String(qo.offset) });
      }
    }
    for (const [k, qo] of quorumOffsets) {
      if (zkOffsets.has(k)) continue;
      out.compared.offsets++;
      out.add('offset', [groupId, qo.topic, qo.partition], { kind: 'only-in-quorum', name: offsetName(groupId, qo) });
    }
  }
}

function offsetName(groupId: string, o: OffsetEntry): string {
  return `offset group ${groupId} ${o.topic}-${o.partition}`;
}

function diffAcls(zk: Side, quorum: Side, out: Collector): void {
  for (const [key, acl] of zk.acls) {
    out.compared.acls++;
    if (!quorum.acls.has(key)) out.add('acl', aclSortKey(acl), { kind: 'missing-in-quorum', name: aclName(acl) });
  }
  for (const [key, acl] of quorum.acls) {
    if (zk.acls.has(key)) continue;
    out.compared.acls++;
    out.add('acl', aclSortKey(acl), { kind: 'only-in-quorum', name: aclName(acl) });
  }
}

function aclSortKey(a: AclBinding): string[] {
  return [a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType];
}

/** "acl TOPIC orders (LITERAL): User:alice from * ALLOW READ" */
function aclName(a: AclBinding): string {
  return `acl ${a.resourceType} ${a.resourceName} (${a.patternType}): ${a.principal} from ${a.host} ${a.permissionType} ${a.operation}`;
}

function diffClientQuotas(zk: Side, quorum: Side, out: Collector): void {
  const none = new Map<string, number>();
  for (const [entityKey, { entity, values }] of zk.clientQuotas) {
    const quorumValues = quorum.clientQuotas.get(entityKey)?.values ?? none;
    for (const [key, zv] of values) {
      out.compared.clientQuotas++;
      const at = quotaAt(entity, key);
      const qv = quorumValues.get(key);
      if (qv === undefined) out.add('client-quota', at.key, { kind: 'missing-in-quorum', name: at.name });
      else if (qv !== zv) out.add('client-quota', at.key, { kind: 'different', name: at.name, field: 'value', zookeeper: String(zv), quorum: String(qv) });
    }
  }
  for (const [entityKey, { entity, values }] of quorum.clientQuotas) {
    const zkValues = zk.clientQuotas.get(entityKey)?.values ?? none;
    for (const key of values.keys()) {
      if (zkValues.has(key)) continue;
      out.compared.clientQuotas++;
      const at = quotaAt(entity, key);
      out.add('client-quota', at.key, { kind: 'only-in-quorum', name: at.name });
    }
  }
}

/** "quota user \"alice\", client-id <default> producer_byte_rate", sorted by entity then key. */
function quotaAt(entity: readonly ClientQuotaEntityPart[], key: string): { readonly key: readonly string[]; readonly name: string } {
  const text = clientQuotaEntityText(entity);
  return { key: [text, key], name: `quota ${text} ${key}` };
}

/** The credential's fields compared, in order; the byte ones are never shown. */
const SCRAM_SECRETS = ['salt', 'storedKey', 'serverKey'] as const;

function diffScramCredentials(zk: Side, quorum: Side, out: Collector): void {
  for (const [key, zc] of zk.scramCredentials) {
    out.compared.scramCredentials++;
    const at = scramAt(zc);
    const qc = quorum.scramCredentials.get(key);
    if (qc === undefined) {
      out.add('scram-credential', at.key, { kind: 'missing-in-quorum', name: at.name });
      continue;
    }
    if (qc.iterations !== zc.iterations) out.add('scram-credential', at.key, { kind: 'different', name: at.name, field: 'iterations', zookeeper: String(zc.iterations), quorum: String(qc.iterations) });
    for (const field of SCRAM_SECRETS) {
      if (!Buffer.from(zc[field]).equals(Buffer.from(qc[field]))) out.add('scram-credential', at.key, { kind: 'different', name: at.name, field, zookeeper: HIDDEN, quorum: HIDDEN });
    }
  }
  for (const [key, qc] of quorum.scramCredentials) {
    if (zk.scramCredentials.has(key)) continue;
    out.compared.scramCredentials++;
    const at = scramAt(qc);
    out.add('scram-credential', at.key, { kind: 'only-in-quorum', name: at.name });
  }
}

/** "SCRAM credential \"alice\" SCRAM-SHA-256", sorted by user then mechanism. */
function scramAt(c: UserScramCredentialRecord): { readonly key: readonly (string | number)[]; readonly name: string } {
  return { key: [c.name, c.mechanism], name: `SCRAM credential ${JSON.stringify(c.name)} ${SCRAM_MECHANISMS.get(c.mechanism) ?? `mechanism ${c.mechanism}`}` };
}

function checkMarker(quorum: Side, out: Collector): void {
  if (quorum.migrationStates.includes(POST_MIGRATION)) return;
  const last = quorum.migrationStates.at(-1);
  const name = 'migration state';
  out.add('migration-state', [name], last === undefined ? { kind: 'not-imported-marker', name } : { kind: 'not-imported-marker', name, quorum: String(last) });
}

// ---- rendering ----------------------------------------------------------------------------------

/**
 * The differences as lines for a terminal: at most `limit` of them, then "… and N more" when some
 * were left out, then a summary line with what was compared and the differences by kind.
 */
export function renderDifferences(diff: ImportDiff, limit = 50): string {
  const shown = Math.max(0, Math.min(limit, diff.differences.length));
  const lines = diff.differences.slice(0, shown).map(differenceLine);
  if (diff.differences.length > shown) lines.push(`… and ${diff.differences.length - shown} more`);
  lines.push(summaryLine(diff));
  const live = liveStateDifferences(diff);
  if (live > 0) {
    lines.push(
      `note: ${plural(live, 'difference')} ${live === 1 ? 'is' : 'are'} in a partition's ISR, leader or epochs, which a running cluster changes on its own ` +
        '(ISR expansion and shrinking, leader elections): expected once brokers have run since the import',
    );
  }
  return lines.join('\n');
}

/** Partition fields that leaders and the controller move in normal operation after an import. */
const LIVE_PARTITION_FIELDS: ReadonlySet<string> = new Set(['isr', 'leader', 'leaderEpoch', 'partitionEpoch', 'leaderRecoveryState']);

function liveStateDifferences(diff: ImportDiff): number {
  return diff.differences.filter((d) => d.kind === 'different' && d.entity === 'partition' && LIVE_PARTITION_FIELDS.has(d.field ?? '')).length;
}

function differenceLine(d: ImportDifference): string {
  switch (d.kind) {
    case 'missing-in-quorum':
      return `${d.name}: in ZooKeeper, missing from the quorum`;
    case 'only-in-quorum':
      return `${d.name}: only in the quorum, not in ZooKeeper`;
    case 'not-imported-marker': {
      const holds = d.quorum === undefined ? 'none' : `state ${d.quorum}`;
      return `${d.name}: the quorum holds no ZkMigrationState POST_MIGRATION (${POST_MIGRATION}) marker (it holds ${holds}): the import did not complete`;
    }
    case 'different': {
      const values = `zookeeper ${textOrQuoted(d.zookeeper)}, quorum ${textOrQuoted(d.quorum)}`;
      if (d.entity === 'producer-ids') return `${d.name}: ${d.field ?? 'value'} is below ZooKeeper's: ${values} (producer ids could be handed out twice)`;
      return `${d.name}: ${d.field ?? 'value'} differs: ${values}`;
    }
  }
}

/** An empty value would vanish from the line: shown as "". */
function textOrQuoted(v: string | undefined): string {
  return v === undefined || v === '' ? '""' : v;
}

const KIND_LABELS: readonly (readonly [ImportDifferenceKind, string])[] = [
  ['missing-in-quorum', 'missing from the quorum'],
  ['only-in-quorum', 'only in the quorum'],
  ['different', 'different'],
  ['not-imported-marker', 'import marker absent'],
];

function summaryLine(diff: ImportDiff): string {
  const c = diff.compared;
  const compared = `compared ${plural(c.brokers, 'broker')}, ${plural(c.topics, 'topic')}, ${plural(c.partitions, 'partition')}, ${plural(c.configs, 'config')}, ${plural(c.offsets, 'offset')}, ${plural(c.acls, 'ACL')}, ${plural(c.clientQuotas, 'client quota')}, ${plural(c.scramCredentials, 'SCRAM credential')}`;
  const total = diff.differences.length;
  if (total === 0) return `${compared}: no differences`;
  const byKind = KIND_LABELS.map(([kind, label]) => [diff.differences.filter((d) => d.kind === kind).length, label] as const)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`);
  return `${compared}: ${plural(total, 'difference')} (${byKind.join(', ')})`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
