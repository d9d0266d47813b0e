// planMigration: a Kafka ZooKeeper tree (./zk-tree.ts, read by the importer) → the metadata records
// that import it, with everything odd in it reported. Pure: no I/O, no clock, randomness only from
// options.random, so the same tree and seed give the same plan. The reference for every znode is
// ../shared/reference/zk-layout.md (§n below); Kafka's own migration (KIP-866, kraft.md §4) is
// followed unless said otherwise.
//
// Mapping (znode → records), in the order the records come out:
//   /brokers/ids/<id> (v1-v5)        → RegisterBroker, fenced, not in controlled shutdown, a minted
//                                       incarnation id, brokerEpoch = the record's own offset (as the
//                                       controller does; rebaseBrokerEpochs moves it to the real
//                                       offset). Endpoints from `endpoints` + listener map (v2+) or
//                                       host/port (v1); rack; features: options.brokerFeatures (none
//                                       by default: ZK brokers declare {} and Kafka's feature levels
//                                       are not ours). Kafka's migration copies no registrations; we
//                                       register the live ones as placeholders so replicas resolve
//                                       until each broker registers for real. (plan-brokers.ts)
//   /brokers/topics/<t> (v1-v3)      → Topic (topic_id kept exactly, else minted) then one Partition
//     + partitions/<n>/state (v1)       per partition 0..n-1: replicas (full set during a move),
//                                       adding/removing replicas, ISR, leader (-1 kept), leader epoch,
//                                       partition epoch = the state node's stat.version, leader
//                                       recovery state (absent = 0). A missing state node: leader =
//                                       first replica, ISR = replicas, epochs 0 (Kafka's migration).
//   /config/topics/<t>               → Config(topic, t, key, value) right after the topic's
//                                       partitions, keys sorted. (plan-topics.ts, plan-configs.ts)
//   /config/brokers/<default>|<id>   → Config(broker, '' | id, key, value): cluster default first,
//                                       then ascending id. Encrypted sensitive values are decrypted
//                                       with options.passwordEncoderSecrets, else dropped (reported).
//   /config/users/<u>[/clients/<c>], → ClientQuota(entity, key, value as a double) per quota key:
//   /config/clients/<c>,                names desanitized, <default> = a null name; a quota the
//   /config/ips/<ip>                    controller would refuse is left out (invalid-client-quota,
//                                       a warning); SCRAM keys are never quotas. Entities in
//                                       canonical order; needs metadata.version 1.0-IV5.
//   /config/users/<u>'s SCRAM-SHA-256 → UserScramCredential(u desanitized, mechanism 1 | 2, salt,
//     / SCRAM-SHA-512 keys              storedKey, serverKey, iterations) per credential, after the
//                                       quotas, by user then mechanism; one that does not parse or
//                                       that the controller would refuse is left out
//                                       (invalid-scram-credential, a warning). Needs 1.0-IV6.
//   /latest_producer_id_block        → ProducerIds(nextProducerId = block_end + 1). (plan-cluster.ts)
//   /consumers/<g>/offsets/<t>/<p>   → OffsetCommit(g, t, p, offset, leaderEpoch -1, metadata null,
//                                       commitTimestampMs = mtime), for imported topics only; off
//                                       with options.importLegacyOffsets = false. (plan-offsets.ts)
//   /kafka-acl/<Type>/<name>,        → AccessControlEntry per entry (LITERAL, PREFIXED), a minted id
//   /kafka-acl-extended/prefixed/…      each, after everything else (so adding an ACL changes no
//                                       other minted id); needs metadata.version 1.0-IV3. (plan-acls.ts)
//   /cluster/id                      → plan.clusterId (the quorum must be formatted with it).
//   /controller_epoch                → plan.controllerEpoch (no record holds it; state nodes are
//                                       checked against it).
// Not imported, reported in plan.notImported with the number of records Kafka's migration would
// write: delegation tokens (our records cannot hold them).
// Skipped and reported in plan.skipped: topics pending deletion (/admin/delete_topics/<t>, with
// their configs; Kafka skips them too) and stale markers, configs of topics that do not exist,
// offsets of topics not imported, anything unreadable or malformed that would have been imported.
// Ignored silently (triggers, requests and ephemeral state, §4-§5, §11): /controller (but see
// below), /brokers/seqid, /config/changes, /isr_change_notification, /log_dir_event_notification,
// /kafka-acl*-changes, /delegation_token/token_changes, /admin/reassign_partitions (the move lives
// in adding/removing replicas; one from before Kafka 2.4 does not: legacy-reassignment),
// /admin/preferred_replica_election, /consumers/<g>/ids|owners.
//
// Anomalies (plan.anomalies; each with the znode path, a kind, a severity and a message; the
// kinds are documented on AnomalyKind in ./plan-types.ts). error = not imported or not faithfully:
//   unreadable (tree.errors; a warning in subtrees nothing is imported from), malformed-json / malformed-text / empty-node (naming the path and
//   key), missing-cluster-id, invalid-cluster-id, kraft-migration-in-progress (/migration, or a
//   KRaft controller in /controller), invalid-assignment, invalid-topic-id, duplicate-topic-id,
//   topic-id-in-use, undecryptable-config, unrepresentable-value (> 2^53 - 1), invalid-broker-id
//   (config entity), invalid-isr (an ISR holding no replica, and no leader among them).
// warning = imported as ZooKeeper has it (or harmlessly left out), worth showing:
//   unknown-version, missing-partition-state, offline-partition (leader -1), leader-not-in-isr,
//   isr-outside-replicas, invalid-isr (repaired), inconsistent-reassignment, legacy-reassignment,
//   reassignment-in-flight, orphan-partition-state,
//   controller-epoch-ahead, invalid-topic-name, topic-name-collision, unknown-config-key,
//   invalid-config-value, non-string-config-value, unencrypted-sensitive-config,
//   malformed-endpoint, endpoint-without-host, broker-without-endpoints,
//   broker-features-ignored, finalized-features-ignored, malformed-entity-name,
//   invalid-client-quota and invalid-scram-credential (those quotas or credentials left out, the
//   rest imported: one bad quota or credential never blocks the import).
// (invalid-acl, an ACL entry the controller would refuse, is an error.)
// A well-formed tree of a healthy cluster yields none. Brokers named by replicas but absent from
// /brokers/ids are normal (registrations are ephemeral): plan.brokersOnlyInAssignments.
//
// Replay: the records replay into an image holding only the metadata.version FeatureLevel that a
// new quorum's bootstrap writes (quorum/controller/configs/features.ts bootstrapRecords); offsets,
// ACLs, quotas and SCRAM credentials need metadata.version >= plan.requiredMetadataVersion. The controller's import session
// (quorum/controller/migration/import-metadata.ts) writes them atomically, sets the broker epochs to
// their real offsets and marks success with ZkMigrationState; the plan itself holds neither.

import type { MetadataRecord, RegisterBrokerRecord } from '../../metadata-log/records/types.js';
import { randomUuid } from '../../metadata-log/records/uuid.js';
import { MIN_METADATA_VERSION } from '../../quorum/controller/configs/features.js';
import { importLevelNeed } from '../../quorum/controller/migration/import-metadata.js';
import { aclRecords, countDelegationTokens } from './plan-acls.js';
import { readBrokers } from './plan-brokers.js';
import { checkFeatures, checkKafkaMigration, producerIdsRecord, readClusterId, readControllerEpoch } from './plan-cluster.js';
import { brokerConfigRecords, clientQuotaRecords, topicConfigRecords } from './plan-configs.js';
import { legacyOffsetRecords } from './plan-offsets.js';
import { assignTopicIds, checkLegacyReassignments, readTopics } from './plan-topics.js';
import type { AnomalySeverity, MigrationPlan, NotImported, PlanCounts, PlanOptions } from './plan-types.js';
import { PlanContext } from './plan-types.js';
import type { ZkTree } from './zk-tree.js';

export type { Anomaly, AnomalyKind, AnomalySeverity, MigrationPlan, NotImported, NotImportedKind, PlanCounts, PlanOptions, Skipped } from './plan-types.js';

export function planMigration(tree: ZkTree, options: PlanOptions): MigrationPlan {
  const ctx = new PlanContext(tree, options);
  for (const e of tree.errors) ctx.anomaly(e.path, 'unreadable', unreadableSeverity(e.path), `could not be read: ${e.reason}`);

  const clusterId = readClusterId(ctx);
  const controllerEpoch = readControllerEpoch(ctx);
  checkKafkaMigration(ctx);
  checkFeatures(ctx);

  const records: MetadataRecord[] = [];

  // Topics first (their ids are minted before incarnation ids, so adding a broker does not change them).
  const topics = assignTopicIds(ctx, readTopics(ctx, controllerEpoch));
  checkLegacyReassignments(ctx, topics);

  const brokers = readBrokers(ctx);
  const features = (options.brokerFeatures ?? []).map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion }));
  for (const b of brokers.registered) {
    const registration: RegisterBrokerRecord = {
      type: 'RegisterBroker',
      brokerId: b.brokerId,
      incarnationId: randomUuid(options.random),
      brokerEpoch: records.length,
      endpoints: b.endpoints,
      rack: b.rack,
      fenced: true,
      inControlledShutdown: false,
      features,
    };
    records.push(registration);
  }

  let partitions = 0;
  let topicConfigs = 0;
  const referenced = new Set<number>();
  for (const t of topics) {
    records.push({ type: 'Topic', name: t.name, topicId: t.topicId });
    for (const p of t.partitions) {
      records.push({
        type: 'Partition',
        topicId: t.topicId,
        partitionId: p.partitionId,
        replicas: p.replicas,
        isr: p.isr,
        removingReplicas: p.removingReplicas,
        addingReplicas: p.addingReplicas,
        leader: p.leader,
        leaderRecoveryState: p.leaderRecoveryState,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
      });
      partitions++;
      for (const r of p.replicas) referenced.add(r);
      for (const r of p.isr) referenced.add(r);
    }
    const configs = topicConfigRecords(ctx, t.configPath, t.name, t.configs);
    for (const c of configs) records.push(c);
    topicConfigs += configs.length;
  }

  const brokerConfigs = brokerConfigRecords(ctx);
  for (const c of brokerConfigs) records.push(c);

  const quotas = clientQuotaRecords(ctx);
  for (const q of quotas.records) records.push(q);
  for (const c of quotas.scramCredentials) records.push(c);

  const producerIds = producerIdsRecord(ctx);
  if (producerIds !== null) records.push(producerIds);

  let offsetCommits = 0;
  if (options.importLegacyOffsets ?? true) {
    const offsets = legacyOffsetRecords(ctx, new Map(topics.map((t) => [t.name, t.partitions.length])));
    for (const o of offsets) records.push(o); // (no spread: a big tree has more offsets than a call has arguments)
    offsetCommits = offsets.length;
  }

  // ACLs last: their ids are minted after every other id, so a tree with ACLs plans the rest alike.
  const acls = aclRecords(ctx);
  for (const a of acls) records.push(a);

  const notImported: NotImported[] = [
    { kind: 'delegation-tokens', count: countDelegationTokens(ctx), reason: 'delegation tokens (/delegation_token/tokens): this quorum has no token records' },
  ];

  const brokersOnlyInAssignments = [...referenced].filter((id) => !brokers.listedIds.has(id)).sort((a, b) => a - b);
  const counts: PlanCounts = {
    brokers: brokers.registered.length,
    topics: topics.length,
    partitions,
    topicConfigs,
    brokerConfigs: brokerConfigs.length,
    producerIds: producerIds === null ? 0 : 1,
    offsetCommits,
    acls: acls.length,
    clientQuotas: quotas.records.length,
    scramCredentials: quotas.scramCredentials.length,
    records: records.length,
  };
  return {
    clusterId,
    controllerEpoch,
    records,
    counts,
    anomalies: ctx.anomalies,
    skipped: ctx.skipped,
    notImported,
    brokersOnlyInAssignments,
    mintedTopicIds: topics.filter((t) => t.minted).map((t) => ({ topic: t.name, topicId: t.topicId })),
    requiredMetadataVersion: records.reduce((level, r) => Math.max(level, importLevelNeed(r)?.level ?? MIN_METADATA_VERSION), MIN_METADATA_VERSION),
  };
}

/**
 * Subtrees nothing is imported from (ephemeral, triggers, requests, or state our records cannot
 * hold; not the ACL stores nor the quota entities, which are imported): a node there that could not be read (often deleted while the tree was read, e.g. a broker
 * going down) loses nothing, so it is a warning. Anywhere else it is an error.
 */
const NOT_IMPORTED_SUBTREES: readonly RegExp[] = [
  /^\/brokers\/ids\//,
  /^\/brokers\/seqid$/,
  /^\/controller$/,
  /^\/feature$/,
  /^\/config\/changes(\/|$)/,
  /^\/(isr_change_notification|log_dir_event_notification|kafka-acl-changes|kafka-acl-extended-changes|delegation_token)(\/|$)/,
  /^\/admin\/(reassign_partitions|preferred_replica_election)$/,
  /^\/consumers\/[^/]+\/(ids|owners)(\/|$)/,
];

function unreadableSeverity(path: string): AnomalySeverity {
  return NOT_IMPORTED_SUBTREES.some((re) => re.test(path)) ? 'warning' : 'error';
}

// ---- for the importer -------------------------------------------------------------------------

/**
 * The top-level znodes the planner reads (zk-layout.md), to give the walk as its roots. Without a
 * chroot the root may hold other applications too: they must be neither read (memory, time) nor
 * able to block the import (a node of theirs this client may not read, or an ephemeral one that
 * vanishes during the walk, was an `unreadable` error). The notification queues are left out: they
 * are triggers, never imported, and can hold many thousands of entries. /consumers only when its
 * offsets are imported.
 */
export function kafkaRoots(options: { readonly importLegacyOffsets?: boolean }): string[] {
  const roots = ['/admin', '/brokers', '/cluster', '/config', '/controller', '/controller_epoch', '/delegation_token', '/feature', '/kafka-acl', '/kafka-acl-extended', '/latest_producer_id_block', '/migration'];
  if (options.importLegacyOffsets ?? true) roots.push('/consumers');
  return roots;
}

/**
 * The records with each RegisterBroker's brokerEpoch set to the log offset it will have when
 * records[0] is written at `firstOffset` and the rest follow contiguously (a broker epoch is the
 * offset of its registration). The plan's own epochs are for firstOffset 0.
 */
export function rebaseBrokerEpochs(records: readonly MetadataRecord[], firstOffset: number): MetadataRecord[] {
  if (!Number.isSafeInteger(firstOffset) || firstOffset < 0) throw new RangeError(`rebaseBrokerEpochs: offset ${firstOffset} is not a log offset`);
  return records.map((r, i) => (r.type === 'RegisterBroker' ? { ...r, brokerEpoch: firstOffset + i } : r));
}

/** The anomalies that should stop an import unless the operator overrides. */
export function blockingAnomalies(plan: MigrationPlan): MigrationPlan['anomalies'] {
  return plan.anomalies.filter((a) => a.severity === 'error');
}
