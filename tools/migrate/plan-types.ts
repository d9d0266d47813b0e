// The planner's public shapes (options, plan, anomalies) and the small context its parts share.
// See ./plan.ts for the mapping rules.

import type { MetadataRecord, Uuid } from '../../metadata-log/records/types.js';
import { ZkDataError } from './zk-json.js';
import type { ZkNode, ZkTree } from './zk-tree.js';

export interface PlanOptions {
  /** A [0, 1) source for minted topic ids and broker incarnation ids (seeded in tests). */
  readonly random: { next(): number };
  /**
   * Kafka's `password.encoder.secret` (then `password.encoder.old.secret`), to decrypt sensitive
   * dynamic broker configs. Without them such values are dropped and reported.
   */
  readonly passwordEncoderSecrets?: readonly string[];
  /** Topic ids already used in the target quorum: never minted, and a kept one that collides is refused. */
  readonly reservedTopicIds?: ReadonlySet<Uuid>;
  /** Import /consumers/<group>/offsets as OffsetCommit records (default true). */
  readonly importLegacyOffsets?: boolean;
  /**
   * The feature ranges each imported (fenced, placeholder) broker registration declares; default
   * none. ZooKeeper holds no ranges that mean anything to this quorum (see plan.ts).
   */
  readonly brokerFeatures?: readonly { readonly name: string; readonly minVersion: number; readonly maxVersion: number }[];
}

/**
 * error: something in the tree is not imported, or could not be imported faithfully; an importer
 * should refuse to write without an explicit override. warning: imported as ZooKeeper has it, but
 * unusual enough to show the operator.
 */
export type AnomalySeverity = 'error' | 'warning';

export type AnomalyKind =
  /** A node listed by ZooKeeper that could not be read (tree.errors). */
  | 'unreadable'
  /** Not JSON, not an object, a key of the wrong type, or not UTF-8. */
  | 'malformed-json'
  /** Plain-text node (/controller_epoch, a legacy offset) that is not a decimal integer. */
  | 'malformed-text'
  /** A node that must hold data holds none. */
  | 'empty-node'
  /** A JSON "version" the reference does not list (parsed with the latest known rules anyway). */
  | 'unknown-version'
  | 'missing-cluster-id'
  | 'invalid-cluster-id'
  /** /migration exists, or /controller has kraftControllerEpoch >= 0: Apache Kafka is migrating this tree. */
  | 'kraft-migration-in-progress'
  /** A ZooKeeper-mode Kafka controller holds /controller: the tree may change while it is read. */
  | 'live-controller'
  /** A /brokers/ids or /config/brokers child that is not a broker id. */
  | 'invalid-broker-id'
  /** A broker endpoint that cannot be parsed or has no security protocol (dropped). */
  | 'malformed-endpoint'
  /** An endpoint with an empty host (kept; clients cannot use it). */
  | 'endpoint-without-host'
  /** A broker registration with no usable endpoint (registered anyway). */
  | 'broker-without-endpoints'
  /** Non-empty `features` in a v5 registration (ZK brokers write {}; not copied). */
  | 'broker-features-ignored'
  /** Topic assignment unusable (no partitions, ids not 0..n-1, bad replica list): topic skipped. */
  | 'invalid-assignment'
  /** topic_id present but not a valid, non-reserved Kafka Uuid: topic skipped. */
  | 'invalid-topic-id'
  /** Two topics with one topic_id: both skipped. */
  | 'duplicate-topic-id'
  /** A kept topic_id already used in the target quorum (options.reservedTopicIds): topic skipped. */
  | 'topic-id-in-use'
  /** A topic name outside Kafka's current rules (imported anyway). */
  | 'invalid-topic-name'
  /** Two imported topics whose names differ only in '.' versus '_' (imported anyway). */
  | 'topic-name-collision'
  /** adding/removing replicas not within the replicas, overlapping, or for unknown partitions (kept as is). */
  | 'inconsistent-reassignment'
  /** /admin/reassign_partitions moves a partition whose topic node names no adding/removing replicas (pre-2.4): imported as assigned. */
  | 'legacy-reassignment'
  /** Partitions with adding/removing replicas: imported as they are, but no reassignment API here finishes the move. */
  | 'reassignment-in-flight'
  /** partitions/<n>/state absent: Kafka's defaults (leader = first replica, ISR = replicas, epochs 0). */
  | 'missing-partition-state'
  /** leader -1: an offline partition (imported as is). */
  | 'offline-partition'
  /** A leader that is not in the ISR or the replicas (imported as is). */
  | 'leader-not-in-isr'
  /** ISR members that are not replicas (imported as is). */
  | 'isr-outside-replicas'
  /**
   * An ISR that names a broker twice (imported without the repeat), or holds none of the replicas,
   * e.g. empty (imported as [leader]; with no leader among the replicas, the topic is skipped: error).
   */
  | 'invalid-isr'
  /** A state node's controller_epoch above /controller_epoch. */
  | 'controller-epoch-ahead'
  /** partitions/<n> for a partition the assignment does not list (ignored, as Kafka does). */
  | 'orphan-partition-state'
  /** A config value that is a number or boolean, not a string (imported as its text). */
  | 'non-string-config-value'
  /** A config key our schema does not know (imported: IncrementalAlterConfigs can DELETE it). */
  | 'unknown-config-key'
  /** A value our schema refuses, or a per-broker-only key at the cluster default (imported as is). */
  | 'invalid-config-value'
  /** An encrypted sensitive broker config that cannot be decrypted (no or wrong secret): dropped. */
  | 'undecryptable-config'
  /** A sensitive broker config stored in clear text (no password encoder): imported as is. */
  | 'unencrypted-sensitive-config'
  /** A sanitized user or client-id name with a broken %-escape: that node's quotas are not imported. */
  | 'malformed-entity-name'
  /**
   * A quota the controller would refuse (a key its entity's kind does not take, a value that is not
   * a finite number at least 0 or not whole where it must be, an entity it refuses, a second node
   * naming the same entity): not imported, the rest is (a warning, never a refusal of the import).
   */
  | 'invalid-client-quota'
  /**
   * A SCRAM credential (/config/users/<u>) that does not parse as Kafka's credential string, that the
   * controller would refuse (iterations outside 4096..16384, an empty salt, keys not the hash's
   * length), of the default user, or of a user and mechanism another node already gave: not
   * imported, the rest is (a warning). The salt and keys are never shown.
   */
  | 'invalid-scram-credential'
  /** A 64-bit value above 2^53 - 1 (producer id, offset): our records hold safe integers only. */
  | 'unrepresentable-value'
  /** /feature finalizes features (not imported: this quorum has its own metadata.version). */
  | 'finalized-features-ignored'
  /** An ACL entry the controller would refuse (unknown operation, bad principal...), or a store directory Kafka does not write: not imported. */
  | 'invalid-acl';

export interface Anomaly {
  readonly path: string;
  readonly kind: AnomalyKind;
  readonly severity: AnomalySeverity;
  readonly message: string;
}

export interface Skipped {
  readonly path: string;
  readonly reason: string;
}

/**
 * ZooKeeper state our records cannot hold (or that is deliberately left behind). `count` is the
 * number of records Apache Kafka's own migration would have written for it.
 */
export type NotImportedKind = 'delegation-tokens';

export interface NotImported {
  readonly kind: NotImportedKind;
  readonly count: number;
  readonly reason: string;
}

export interface PlanCounts {
  readonly brokers: number;
  readonly topics: number;
  readonly partitions: number;
  readonly topicConfigs: number;
  readonly brokerConfigs: number;
  readonly producerIds: number;
  readonly offsetCommits: number;
  /** AccessControlEntry records (/kafka-acl, /kafka-acl-extended/prefixed). */
  readonly acls: number;
  /** ClientQuota records, one per quota key and entity (/config/users, /config/clients, /config/ips). */
  readonly clientQuotas: number;
  /** UserScramCredential records, one per user and mechanism (/config/users/<u>'s SCRAM-SHA-* keys). */
  readonly scramCredentials: number;
  readonly records: number;
}

export interface MigrationPlan {
  /** /cluster/id's id; null when absent or unreadable (an anomaly says which). */
  readonly clusterId: string | null;
  /** /controller_epoch (not imported: nothing in a KRaft log holds it); null when absent. */
  readonly controllerEpoch: number | null;
  /** In replay order, to follow the metadata.version FeatureLevel; broker epochs as if the first record were at offset 0 (rebaseBrokerEpochs). */
  readonly records: readonly MetadataRecord[];
  readonly counts: PlanCounts;
  readonly anomalies: readonly Anomaly[];
  readonly skipped: readonly Skipped[];
  readonly notImported: readonly NotImported[];
  /** Broker ids that replicas name but that have no /brokers/ids node (down brokers: normal in ZK). */
  readonly brokersOnlyInAssignments: readonly number[];
  /** Topic ids minted for topics ZooKeeper holds without one. */
  readonly mintedTopicIds: readonly { readonly topic: string; readonly topicId: Uuid }[];
  /** The lowest metadata.version the records need (importLevelNeed: offsets 1.0-IV1, ACLs 1.0-IV3, client quotas 1.0-IV5, SCRAM credentials 1.0-IV6). */
  readonly requiredMetadataVersion: number;
}

/** Everything the planning steps share: the tree, the options, and the report being built. */
export class PlanContext {
  readonly anomalies: Anomaly[] = [];
  readonly skipped: Skipped[] = [];
  /** Paths in tree.errors, with their reasons. */
  readonly unreadable: ReadonlyMap<string, string>;

  constructor(
    readonly tree: ZkTree,
    readonly options: PlanOptions,
  ) {
    this.unreadable = new Map(tree.errors.map((e) => [e.path, e.reason]));
  }

  node(path: string): ZkNode | undefined {
    return this.tree.nodes.get(path);
  }

  /** The node's children (sorted); none when the node is absent. */
  children(path: string): readonly string[] {
    return this.tree.nodes.get(path)?.children ?? [];
  }

  /**
   * True when the node, or one of its ancestors, could not be read: below an unreadable node the
   * tree holds nothing, so an absent node there is unknown, not absent.
   */
  isUnreadable(path: string): boolean {
    if (this.unreadable.size === 0) return false;
    let p = path;
    for (;;) {
      if (this.unreadable.has(p)) return true;
      if (p === '/') return false;
      const at = p.lastIndexOf('/');
      p = at <= 0 ? '/' : p.slice(0, at);
    }
  }

  /**
   * True when the parent lists the node but the tree does not hold it and no read error names it
   * (a reader that broke its contract, or a hand-built tree): its content is unknown, not absent.
   */
  listedButAbsent(path: string): boolean {
    if (this.tree.nodes.has(path) || path === '/') return false;
    const at = path.lastIndexOf('/');
    const parent = this.tree.nodes.get(at <= 0 ? '/' : path.slice(0, at));
    return parent !== undefined && parent.children.includes(path.slice(at + 1));
  }

  anomaly(path: string, kind: AnomalyKind, severity: AnomalySeverity, message: string): void {
    this.anomalies.push({ path, kind, severity, message });
  }

  /** Reports a ZkDataError (malformed/empty data) as an anomaly. */
  dataError(err: ZkDataError, consequence: string, severity: AnomalySeverity = 'error'): void {
    this.anomaly(err.path, err.kind, severity, `${err.detail}; ${consequence}`);
  }

  skip(path: string, reason: string): void {
    this.skipped.push({ path, reason });
  }

  /** Runs `read`; a ZkDataError becomes an anomaly (with `consequence`) and the answer is undefined. */
  guard<T>(consequence: string, read: () => T, severity: AnomalySeverity = 'error'): T | undefined {
    try {
      return read();
    } catch (err) {
      if (err instanceof ZkDataError) {
        this.dataError(err, consequence, severity);
        return undefined;
      }
      throw err;
    }
  }

  /** Reports a version outside `known` (each document has its own). */
  checkVersion(path: string, version: number | string | undefined, known: readonly (number | string)[], treatedAs: string): void {
    if (version !== undefined && known.includes(version)) return;
    const shown = version === undefined ? 'no "version"' : `version ${JSON.stringify(version)}`;
    this.anomaly(path, 'unknown-version', 'warning', `${shown}, not one of ${known.map((k) => JSON.stringify(k)).join(', ')}; read as ${treatedAs}`);
  }
}

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

const CANONICAL_ID = /^(0|[1-9][0-9]*)$/;

/** A znode name that is a canonical int32 id (broker id, partition id), or null. */
export function idOf(name: string): number | null {
  if (!CANONICAL_ID.test(name)) return null;
  const n = Number(name);
  return n <= 0x7fffffff ? n : null;
}
