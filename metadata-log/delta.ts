// MetadataDelta: replays records on top of a base image and builds the next image (DESIGN §2, §6).
// Every node (active controller, standbys, brokers) changes state only through `replay`, one
// exhaustive switch, so they all reach the same image from the same records.
//
// Replay rules (Kafka's, KIP-631; kraft.md §3.1):
// - RegisterBroker replaces the broker's registration.
// - UnregisterBroker removes it only if the record's epoch is the registration's. A mismatch (or no
//   broker) is a stale record for an older registration and is ignored, as is
// - BrokerRegistrationChange with a stale epoch: the epoch names the registration the controller
//   meant; a newer registration supersedes it. (Kafka's controller throws there; the image side
//   ignores, which is what a broker needs when it replays a log the controller already checked.)
// - Topic adds (the id or name of a live topic is a corrupt log; a removed topic's id makes a new
//   topic, within one delta as across two); Partition sets; PartitionChange: `leader`
//   present (even the same id) bumps leaderEpoch by 1, every change bumps partitionEpoch by 1,
//   absent fields are unchanged.
// - RemoveTopic removes the topic, its partitions and its topic configs.
// - Config sets (value null deletes); FeatureLevel sets (level 0 removes); ProducerIds sets
//   nextProducerId; OffsetCommit sets; OffsetCommitTombstone deletes (an empty group disappears);
//   ZkMigrationState sets; NoOp does nothing.
// - GroupMetadata replaces the group's stored membership; GroupMetadataTombstone removes it (a no-op
//   when there is none).
// - AccessControlEntry adds an ACL under its id; RemoveAccessControlEntry removes one (an id in use,
//   or removing one not there, is a corrupt log, as in Kafka's AclControlManager).
// - ClientQuota sets one key of an entity's quotas, or removes it (removing a key not there is a
//   no-op, as in Kafka's ClientQuotaControlManager); an entity left with no keys disappears.
// - UserScramCredential sets a user's credential for one mechanism (replacing any);
//   RemoveUserScramCredential deletes it (removing one not there is a corrupt log, as in Kafka's
//   ScramControlManager); a user left with no credential disappears.
// - Transaction markers belong to MetadataLoader (it holds a transaction's records aside); one
//   reaching replay is a programmer error.
// A record that names something missing (a partition of an unknown topic...) means the log is
// corrupt: replay throws MetadataReplayError and the caller stops (KAFKA-14275: never skip).
//
// Structural sharing: the delta copies a part of the base only when a record touches it (one topic's
// partition array, one group's offsets, the broker map), and apply() builds the next image from the
// base's persistent maps with a batch builder. A delta is single-use: apply() seals it, since the
// new image now shares the delta's arrays.

import assert from 'node:assert/strict';
import { PMap, type PMapBuilder } from './pmap.js';
import { hasCollisionChars, unifyCollisionChars } from './topic-collisions.js';
import type { BrokerRegistration, CommittedOffset, PartitionRegistration, Provenance, ScramCredential, StoredAcl, StoredClientQuota, StoredGroupMetadata, StoredScramUser, TopicImage } from './image-types.js';
import { clientQuotaEntityKey, offsetKey } from './image-types.js';
import type { ConfigResourceImage } from './image.js';
import { configResourceKey, makePartition, MetadataImage } from './image.js';
import type {
  AccessControlEntryRecord,
  BrokerRegistrationChangeRecord,
  ClientQuotaRecord,
  ConfigRecord,
  MetadataRecord,
  OffsetCommitRecord,
  OffsetCommitTombstoneRecord,
  PartitionChangeRecord,
  PartitionRecord,
  RegisterBrokerRecord,
  RemoveAccessControlEntryRecord,
  RemoveTopicRecord,
  RemoveUserScramCredentialRecord,
  ScramMechanism,
  UserScramCredentialRecord,
  TopicRecord,
  UnregisterBrokerRecord,
  Uuid,
  ZkMigrationStateValue,
} from './records/types.js';

/** A record that cannot apply to the image: the log is corrupt (fatal for the caller). */
export class MetadataReplayError extends Error {
  override readonly name = 'MetadataReplayError';
  constructor(
    readonly recordType: MetadataRecord['type'],
    readonly reason: string,
  ) {
    super(`cannot replay ${recordType} record: ${reason}`);
  }
}

/** A topic the delta created or copied from the base; `partitions` is the delta's own array. */
interface DraftTopic {
  readonly name: string;
  readonly topicId: Uuid;
  readonly partitions: PartitionRegistration[];
}

interface DraftConfig {
  readonly resourceType: ConfigResourceImage['resourceType'];
  readonly resourceName: string;
  readonly entries: Map<string, string>;
}

/**
 * What a delta's collections read as until their first write. A delta is made per operation on the
 * active controller and per batch everywhere, and most touch one or two of its eleven collections
 * (an AlterPartition only the topics): allocating them all up front was a fifth of what the
 * active controller allocated per write, and its scavenges were a quarter of its CPU.
 */
const NO_ENTRIES: ReadonlyMap<never, never> = new Map<never, never>();
const NO_MEMBERS: ReadonlySet<never> = new Set<never>();

export class MetadataDelta {
  private sealed = false;
  private replayed = 0;
  private featureDraft: Map<string, number> | null = null;
  private brokerDraft: Map<number, BrokerRegistration> | null = null;
  private brokerIdsOwn: Set<number> | null = null;
  private get brokerIds(): ReadonlySet<number> {
    return this.brokerIdsOwn ?? NO_MEMBERS;
  }
  private brokerIdsToWrite(): Set<number> {
    return (this.brokerIdsOwn ??= new Set());
  }
  /** Brokers some record of this delta left live (registered, unfenced, not shutting down). */
  private wentLiveIdsOwn: Set<number> | null = null;
  private get wentLiveIds(): ReadonlySet<number> {
    return this.wentLiveIdsOwn ?? NO_MEMBERS;
  }
  private wentLiveIdsToWrite(): Set<number> {
    return (this.wentLiveIdsOwn ??= new Set());
  }
  /** null = removed in this delta. */
  private topicDraftsOwn: Map<Uuid, DraftTopic | null> | null = null;
  private get topicDrafts(): ReadonlyMap<Uuid, DraftTopic | null> {
    return this.topicDraftsOwn ?? NO_ENTRIES;
  }
  private topicDraftsToWrite(): Map<Uuid, DraftTopic | null> {
    return (this.topicDraftsOwn ??= new Map());
  }
  /**
   * Topics of the base image this delta removed, even if a Topic record then reused the id (its
   * draft is then the new topic): apply() must drop the old name whatever became of the id, as
   * two deltas would.
   */
  private removedBaseIdsOwn: Set<Uuid> | null = null;
  private get removedBaseIds(): ReadonlySet<Uuid> {
    return this.removedBaseIdsOwn ?? NO_MEMBERS;
  }
  private removedBaseIdsToWrite(): Set<Uuid> {
    return (this.removedBaseIdsOwn ??= new Set());
  }
  /** Topic names created (-> id) or removed (-> null) in this delta. */
  private nameDraftsOwn: Map<string, Uuid | null> | null = null;
  private get nameDrafts(): ReadonlyMap<string, Uuid | null> {
    return this.nameDraftsOwn ?? NO_ENTRIES;
  }
  private nameDraftsToWrite(): Map<string, Uuid | null> {
    return (this.nameDraftsOwn ??= new Map());
  }
  private partitionCountChange = 0;
  /**
   * The draft last touched: partition records come grouped by topic (CreateTopics, snapshots), so
   * this skips a map lookup keyed by a freshly decoded (unhashed) id string per partition.
   * Reset whenever a draft is dropped (RemoveTopic).
   */
  private lastDraft: DraftTopic | null = null;
  /** null = the whole resource was removed (its topic went away). */
  private configDraftsOwn: Map<string, DraftConfig | null> | null = null;
  private get configDrafts(): ReadonlyMap<string, DraftConfig | null> {
    return this.configDraftsOwn ?? NO_ENTRIES;
  }
  private configDraftsToWrite(): Map<string, DraftConfig | null> {
    return (this.configDraftsOwn ??= new Map());
  }
  /** Each changed group's offsets as a persistent-map builder: a commit costs O(log group size), not a copy of the group. */
  private groupDraftsOwn: Map<string, PMapBuilder<CommittedOffset>> | null = null;
  private get groupDrafts(): ReadonlyMap<string, PMapBuilder<CommittedOffset>> {
    return this.groupDraftsOwn ?? NO_ENTRIES;
  }
  private groupDraftsToWrite(): Map<string, PMapBuilder<CommittedOffset>> {
    return (this.groupDraftsOwn ??= new Map());
  }
  /** Groups whose stored membership changed in this delta: the new one, or null = removed. */
  private groupMetadataDraftsOwn: Map<string, StoredGroupMetadata | null> | null = null;
  private get groupMetadataDrafts(): ReadonlyMap<string, StoredGroupMetadata | null> {
    return this.groupMetadataDraftsOwn ?? NO_ENTRIES;
  }
  private groupMetadataDraftsToWrite(): Map<string, StoredGroupMetadata | null> {
    return (this.groupMetadataDraftsOwn ??= new Map());
  }
  private nextProducerIdDraft: number | undefined;
  private zkMigrationStateDraft: ZkMigrationStateValue | undefined;
  /** ACLs added (-> the ACL) or removed (-> null) in this delta, by id. */
  private aclDraftsOwn: Map<Uuid, StoredAcl | null> | null = null;
  private get aclDrafts(): ReadonlyMap<Uuid, StoredAcl | null> {
    return this.aclDraftsOwn ?? NO_ENTRIES;
  }
  private aclDraftsToWrite(): Map<Uuid, StoredAcl | null> {
    return (this.aclDraftsOwn ??= new Map());
  }
  /** Client quota entities changed in this delta, by clientQuotaEntityKey: their keys after it (empty = gone). */
  private clientQuotaDraftsOwn: Map<string, { readonly entity: StoredClientQuota['entity']; readonly values: Map<string, number> }> | null = null;
  private get clientQuotaDrafts(): ReadonlyMap<string, { readonly entity: StoredClientQuota['entity']; readonly values: Map<string, number> }> {
    return this.clientQuotaDraftsOwn ?? NO_ENTRIES;
  }
  private clientQuotaDraftsToWrite(): Map<string, { readonly entity: StoredClientQuota['entity']; readonly values: Map<string, number> }> {
    return (this.clientQuotaDraftsOwn ??= new Map());
  }

  /** Users whose SCRAM credentials changed in this delta: their credentials after it (empty = gone). */
  private scramDraftsOwn: Map<string, Map<ScramMechanism, ScramCredential>> | null = null;
  private get scramDrafts(): ReadonlyMap<string, Map<ScramMechanism, ScramCredential>> {
    return this.scramDraftsOwn ?? NO_ENTRIES;
  }
  private scramDraftsToWrite(): Map<string, Map<ScramMechanism, ScramCredential>> {
    return (this.scramDraftsOwn ??= new Map());
  }

  constructor(readonly base: MetadataImage) {}

  /** Records replayed so far. */
  get recordCount(): number {
    return this.replayed;
  }

  replay(record: MetadataRecord): void {
    assert(!this.sealed, 'MetadataDelta.replay after apply(): a delta is single-use');
    this.replayed++;
    switch (record.type) {
      case 'RegisterBroker':
        return this.registerBroker(record);
      case 'UnregisterBroker':
        return this.unregisterBroker(record);
      case 'BrokerRegistrationChange':
        return this.changeBroker(record);
      case 'Topic':
        return this.addTopic(record);
      case 'Partition':
        return this.setPartition(record);
      case 'PartitionChange':
        return this.changePartition(record);
      case 'RemoveTopic':
        return this.removeTopic(record);
      case 'Config':
        return this.setConfig(record);
      case 'FeatureLevel': {
        const features = (this.featureDraft ??= new Map(this.base.parts.features));
        if (record.featureLevel === 0) features.delete(record.name);
        else features.set(record.name, record.featureLevel);
        return;
      }
      case 'ProducerIds':
        this.nextProducerIdDraft = record.nextProducerId;
        return;
      case 'OffsetCommit':
        return this.commitOffset(record);
      case 'OffsetCommitTombstone':
        return this.deleteOffset(record);
      case 'GroupMetadata': {
        const { type: _type, ...stored } = record;
        this.groupMetadataDraftsToWrite().set(record.groupId, stored);
        return;
      }
      case 'GroupMetadataTombstone':
        // Removing what is not there is a no-op, as for offsets (and no change for publishers).
        if (!this.groupMetadataDrafts.has(record.groupId) && this.base.parts.groupMetadata.get(record.groupId) === undefined) return;
        this.groupMetadataDraftsToWrite().set(record.groupId, null);
        return;
      case 'NoOp':
        return;
      case 'ZkMigrationState':
        this.zkMigrationStateDraft = record.state;
        return;
      case 'AccessControlEntry':
        return this.addAcl(record);
      case 'RemoveAccessControlEntry':
        return this.removeAcl(record);
      case 'ClientQuota':
        return this.setClientQuota(record);
      case 'UserScramCredential':
        return this.setScramCredential(record);
      case 'RemoveUserScramCredential':
        return this.removeScramCredential(record);
      case 'BeginTransaction':
      case 'EndTransaction':
      case 'AbortTransaction':
        assert.fail(`MetadataDelta.replay(${record.type}): transaction markers are handled by MetadataLoader`);
      // eslint-disable-next-line no-fallthrough
      default: {
        const unknown: never = record;
        assert.fail(`MetadataDelta.replay: unknown record ${JSON.stringify(unknown)}`);
      }
    }
  }

  // ---- brokers ------------------------------------------------------------------------------

  private currentBroker(brokerId: number): BrokerRegistration | undefined {
    return (this.brokerDraft ?? this.base.parts.brokers).get(brokerId);
  }

  private putBroker(brokerId: number, registration: BrokerRegistration | undefined): void {
    const brokers = (this.brokerDraft ??= new Map(this.base.parts.brokers));
    if (registration === undefined) brokers.delete(brokerId);
    else brokers.set(brokerId, registration);
    this.brokerIdsToWrite().add(brokerId);
    if (registration !== undefined && !registration.fenced && !registration.inControlledShutdown) this.wentLiveIdsToWrite().add(brokerId);
  }

  private registerBroker(r: RegisterBrokerRecord): void {
    this.putBroker(r.brokerId, {
      brokerId: r.brokerId,
      incarnationId: r.incarnationId,
      brokerEpoch: r.brokerEpoch,
      endpoints: r.endpoints,
      rack: r.rack,
      fenced: r.fenced,
      inControlledShutdown: r.inControlledShutdown,
      features: r.features,
    });
  }

  private unregisterBroker(r: UnregisterBrokerRecord): void {
    const current = this.currentBroker(r.brokerId);
    if (current === undefined || current.brokerEpoch !== r.brokerEpoch) return; // stale: see header
    this.putBroker(r.brokerId, undefined);
  }

  private changeBroker(r: BrokerRegistrationChangeRecord): void {
    const current = this.currentBroker(r.brokerId);
    if (current === undefined || current.brokerEpoch !== r.brokerEpoch) return; // stale: see header
    this.putBroker(r.brokerId, {
      ...current,
      fenced: r.fenced ?? current.fenced,
      inControlledShutdown: r.inControlledShutdown ?? current.inControlledShutdown,
    });
  }

  // ---- topics and partitions ----------------------------------------------------------------

  /** The topic as of this delta (draft or base), without copying; undefined when absent. */
  private currentTopic(topicId: Uuid): { readonly name: string; readonly partitions: readonly PartitionRegistration[] } | undefined {
    const draft = this.topicDrafts.get(topicId);
    if (draft !== undefined) return draft ?? undefined;
    return this.base.topicById(topicId);
  }

  /** The topic's draft, copying the base's partition array on first touch. */
  private draftTopic(topicId: Uuid, recordType: MetadataRecord['type']): DraftTopic {
    const last = this.lastDraft;
    if (last !== null && last.topicId === topicId) return last;
    const draft = this.topicDrafts.get(topicId);
    if (draft !== undefined && draft !== null) return (this.lastDraft = draft);
    const baseTopic = draft === null ? undefined : this.base.topicById(topicId);
    if (baseTopic === undefined) throw new MetadataReplayError(recordType, `unknown topic id ${topicId}`);
    const copy: DraftTopic = { name: baseTopic.name, topicId, partitions: baseTopic.partitions.slice() };
    this.topicDraftsToWrite().set(topicId, copy);
    return (this.lastDraft = copy);
  }

  private topicIdByName(name: string): Uuid | undefined {
    const draft = this.nameDrafts.get(name);
    if (draft !== undefined) return draft ?? undefined;
    return this.base.topicByName(name)?.topicId;
  }

  private addTopic(r: TopicRecord): void {
    if (this.currentTopic(r.topicId) !== undefined) {
      throw new MetadataReplayError('Topic', `topic id ${r.topicId} already exists`);
    }
    const holder = this.topicIdByName(r.name);
    if (holder !== undefined) throw new MetadataReplayError('Topic', `topic name '${r.name}' is already used by id ${holder}`);
    // A removed-then-recreated id (not from random ids; an import carries ids) is a new topic.
    const draft: DraftTopic = { name: r.name, topicId: r.topicId, partitions: [] };
    this.topicDraftsToWrite().set(r.topicId, draft);
    this.nameDraftsToWrite().set(r.name, r.topicId);
    this.lastDraft = draft;
  }

  private removeTopic(r: RemoveTopicRecord): void {
    const topic = this.currentTopic(r.topicId);
    if (topic === undefined) throw new MetadataReplayError('RemoveTopic', `unknown topic id ${r.topicId}`);
    this.partitionCountChange -= topic.partitions.length;
    this.lastDraft = null;
    if (this.base.topicById(r.topicId) !== undefined) this.removedBaseIdsToWrite().add(r.topicId);
    this.topicDraftsToWrite().set(r.topicId, null);
    this.nameDraftsToWrite().set(topic.name, null);
    this.configDraftsToWrite().set(configResourceKey('topic', topic.name), null);
  }

  private setPartition(r: PartitionRecord): void {
    const topic = this.draftTopic(r.topicId, 'Partition');
    const n = topic.partitions.length;
    // Partition ids are dense (TopicImage.partitions is indexed by id): the controller creates them
    // in order, so a gap means a lost record.
    if (r.partitionId > n) {
      throw new MetadataReplayError('Partition', `partition ${r.partitionId} of topic ${topic.name} (${r.topicId}) would leave a gap after ${n} partitions`);
    }
    if (r.partitionId === n) this.partitionCountChange++;
    topic.partitions[r.partitionId] = makePartition(
      r.replicas,
      r.isr,
      r.removingReplicas,
      r.addingReplicas,
      r.leader,
      r.leaderRecoveryState,
      r.leaderEpoch,
      r.partitionEpoch,
    );
  }

  private changePartition(r: PartitionChangeRecord): void {
    const topic = this.draftTopic(r.topicId, 'PartitionChange');
    const p = topic.partitions[r.partitionId];
    if (p === undefined) {
      throw new MetadataReplayError('PartitionChange', `unknown partition ${r.partitionId} of topic ${topic.name} (${r.topicId})`);
    }
    topic.partitions[r.partitionId] = makePartition(
      r.replicas ?? p.replicas,
      r.isr ?? p.isr,
      r.removingReplicas ?? p.removingReplicas,
      r.addingReplicas ?? p.addingReplicas,
      r.leader ?? p.leader,
      r.leaderRecoveryState ?? p.leaderRecoveryState,
      r.leader === undefined ? p.leaderEpoch : p.leaderEpoch + 1,
      p.partitionEpoch + 1,
    );
  }

  // ---- ACLs ---------------------------------------------------------------------------------

  private currentAcl(id: Uuid): StoredAcl | undefined {
    const draft = this.aclDrafts.get(id);
    return draft === undefined ? this.base.parts.acls.get(id) : (draft ?? undefined);
  }

  private addAcl(r: AccessControlEntryRecord): void {
    if (this.currentAcl(r.id) !== undefined) throw new MetadataReplayError(r.type, `ACL id ${r.id} is already in use`);
    const { type: _type, ...acl } = r;
    this.aclDraftsToWrite().set(r.id, acl);
  }

  private removeAcl(r: RemoveAccessControlEntryRecord): void {
    if (this.currentAcl(r.id) === undefined) throw new MetadataReplayError(r.type, `no ACL with id ${r.id}`);
    this.aclDraftsToWrite().set(r.id, null);
  }

  // ---- client quotas -----------------------------------------------------------------------

  private setClientQuota(r: ClientQuotaRecord): void {
    const key = clientQuotaEntityKey(r.entity);
    let draft = this.clientQuotaDrafts.get(key);
    if (draft === undefined) {
      const base = this.base.parts.clientQuotas.get(key);
      // A removal of a key the entity does not hold changes nothing (and must not count as a change).
      if (r.remove && base?.values.has(r.key) !== true) return;
      draft = { entity: r.entity, values: new Map(base?.values) };
      this.clientQuotaDraftsToWrite().set(key, draft);
    }
    if (r.remove) draft.values.delete(r.key);
    else draft.values.set(r.key, r.value);
  }

  // ---- SCRAM credentials -------------------------------------------------------------------

  private draftScramUser(name: string): Map<ScramMechanism, ScramCredential> {
    let draft = this.scramDrafts.get(name);
    if (draft === undefined) {
      draft = new Map(this.base.parts.scramUsers.get(name)?.credentials);
      this.scramDraftsToWrite().set(name, draft);
    }
    return draft;
  }

  private setScramCredential(r: UserScramCredentialRecord): void {
    this.draftScramUser(r.name).set(r.mechanism, { salt: r.salt, storedKey: r.storedKey, serverKey: r.serverKey, iterations: r.iterations });
  }

  private removeScramCredential(r: RemoveUserScramCredentialRecord): void {
    const held = this.scramDrafts.get(r.name) ?? this.base.parts.scramUsers.get(r.name)?.credentials;
    if (held?.has(r.mechanism) !== true) throw new MetadataReplayError(r.type, `user ${JSON.stringify(r.name)} has no credential for mechanism ${r.mechanism}`);
    this.draftScramUser(r.name).delete(r.mechanism);
  }

  // ---- configs and offsets ------------------------------------------------------------------

  private setConfig(r: ConfigRecord): void {
    const key = configResourceKey(r.resourceType, r.resourceName);
    let draft = this.configDrafts.get(key);
    if (draft === undefined || draft === null) {
      const base = draft === null ? undefined : this.base.parts.configs.get(key);
      draft = { resourceType: r.resourceType, resourceName: r.resourceName, entries: new Map(base?.entries) };
      this.configDraftsToWrite().set(key, draft);
    }
    if (r.value === null) draft.entries.delete(r.name);
    else draft.entries.set(r.name, r.value);
  }

  private draftGroup(groupId: string): PMapBuilder<CommittedOffset> {
    let draft = this.groupDrafts.get(groupId);
    if (draft === undefined) {
      draft = (this.base.parts.groups.get(groupId) ?? PMap.empty<CommittedOffset>()).builder();
      this.groupDraftsToWrite().set(groupId, draft);
    }
    return draft;
  }

  private commitOffset(r: OffsetCommitRecord): void {
    const committed: CommittedOffset =
      r.expireTimestampMs === undefined
        ? { offset: r.offset, leaderEpoch: r.leaderEpoch, metadata: r.metadata, commitTimestampMs: r.commitTimestampMs }
        : { offset: r.offset, leaderEpoch: r.leaderEpoch, metadata: r.metadata, commitTimestampMs: r.commitTimestampMs, expireTimestampMs: r.expireTimestampMs };
    this.draftGroup(r.groupId).set(offsetKey(r.topic, r.partition), committed);
  }

  private deleteOffset(r: OffsetCommitTombstoneRecord): void {
    // Deleting what is not there is a no-op (tombstones are idempotent), and must not create a group.
    if (!this.groupDrafts.has(r.groupId) && this.base.parts.groups.get(r.groupId) === undefined) return;
    this.draftGroup(r.groupId).delete(offsetKey(r.topic, r.partition));
  }

  // ---- what changed (for publishers) --------------------------------------------------------

  /** True when some record changed state (NoOps alone do not). */
  get hasChanges(): boolean {
    return (
      this.featureDraft !== null ||
      this.brokerIds.size > 0 ||
      this.topicDrafts.size > 0 ||
      this.configDrafts.size > 0 ||
      this.groupDrafts.size > 0 ||
      this.groupMetadataDrafts.size > 0 ||
      this.nextProducerIdDraft !== undefined ||
      this.zkMigrationStateDraft !== undefined ||
      this.aclDrafts.size > 0 ||
      this.clientQuotaDrafts.size > 0 ||
      this.scramDrafts.size > 0
    );
  }

  /** True when an ACL was added or removed (a broker's authorizer reloads on it). */
  get aclsChanged(): boolean {
    return this.aclDrafts.size > 0;
  }

  /**
   * True when some client quota key was set or removed in this delta (removing a key not held is
   * no change). A broker reloads its ip connection rate quotas on it (broker/broker-server.ts). A
   * delta from the empty image (a snapshot loaded) cannot say what the image before it held, so a
   * listener that must see removals also reloads when a delta's base is not the last image it saw.
   */
  get clientQuotasChanged(): boolean {
    return this.clientQuotaDrafts.size > 0;
  }

  /** True when a SCRAM credential was set or removed. */
  get scramCredentialsChanged(): boolean {
    return this.scramDrafts.size > 0;
  }

  get featuresChanged(): boolean {
    return this.featureDraft !== null;
  }

  changedBrokerIds(): ReadonlySet<number> {
    return this.brokerIds;
  }

  /** The changed brokers that some record of this delta left live, if only until a later record. */
  brokersLiveDuring(): ReadonlySet<number> {
    return this.wentLiveIds;
  }

  /**
   * Topics created or changed that exist after the delta. Within one, untouched partitions keep
   * their object identity, so `old.partitions[i] !== new.partitions[i]` finds the changed ones.
   */
  changedTopicIds(): Uuid[] {
    const ids: Uuid[] = [];
    for (const [id, draft] of this.topicDrafts) if (draft !== null) ids.push(id);
    return ids;
  }

  /** Topics of the base image that this delta removed. */
  removedTopics(): TopicImage[] {
    return [...this.removedBaseIds].map((id) => this.base.topicById(id)!);
  }

  /** Config resources touched, as [resourceType, resourceName] keys (configResourceKey). */
  changedConfigKeys(): IterableIterator<string> {
    return this.configDrafts.keys();
  }

  changedGroupIds(): IterableIterator<string> {
    return this.groupDrafts.keys();
  }

  // ---- building the next image --------------------------------------------------------------

  apply(provenance: Provenance): MetadataImage {
    assert(!this.sealed, 'MetadataDelta.apply called twice');
    assert(
      provenance.endOffset >= this.base.provenance.endOffset,
      `MetadataDelta.apply: provenance ${provenance.endOffset} is before the base image's ${this.base.provenance.endOffset}`,
    );
    this.sealed = true;
    const base = this.base.parts;

    let topicsById = base.topicsById;
    let topicIdsByName = base.topicIdsByName;
    let topicsByUnifiedName = base.topicsByUnifiedName;
    if (this.topicDrafts.size > 0) {
      const byId = topicsById.builder();
      // Only a topic created or removed touches the name index (a topic keeps its name for life).
      let byName: PMapBuilder<Uuid> | null = null;
      // Only a topic created or removed with '.' or '_' in its name touches this index.
      let byUnified: PMapBuilder<readonly string[]> | null = null;
      const unify = (name: string, change: (names: readonly string[]) => readonly string[]) => {
        if (!hasCollisionChars(name)) return;
        byUnified ??= topicsByUnifiedName.builder();
        const key = unifyCollisionChars(name);
        const names = change(byUnified.get(key) ?? []);
        if (names.length === 0) byUnified.delete(key);
        else byUnified.set(key, names);
      };
      // Removals first, so a name (or an id) removed and reused in this delta ends on the new topic.
      for (const id of this.removedBaseIds) {
        const old = this.base.topicById(id)!;
        byId.delete(id);
        (byName ??= topicIdsByName.builder()).delete(old.name);
        unify(old.name, (names) => names.filter((n) => n !== old.name));
      }
      for (const [id, draft] of this.topicDrafts) {
        if (draft === null) continue;
        const topic: TopicImage = { name: draft.name, topicId: id, partitions: draft.partitions };
        byId.set(id, topic);
        const created = this.base.topicById(id) === undefined || this.removedBaseIds.has(id);
        if (!created) continue;
        (byName ??= topicIdsByName.builder()).set(draft.name, id);
        if (hasCollisionChars(draft.name)) unify(draft.name, (names) => (names.includes(draft.name) ? names : [...names, draft.name]));
      }
      topicsById = byId.build();
      if (byName !== null) topicIdsByName = (byName as PMapBuilder<Uuid>).build();
      if (byUnified !== null) topicsByUnifiedName = (byUnified as PMapBuilder<readonly string[]>).build();
    }

    let configs = base.configs;
    if (this.configDrafts.size > 0) {
      const b = configs.builder();
      for (const [key, draft] of this.configDrafts) {
        if (draft === null || draft.entries.size === 0) b.delete(key);
        else b.set(key, draft);
      }
      configs = b.build();
    }

    let groups = base.groups;
    if (this.groupDrafts.size > 0) {
      const b = groups.builder();
      for (const [groupId, draft] of this.groupDrafts) {
        if (draft.size === 0) b.delete(groupId);
        else b.set(groupId, draft.build());
      }
      groups = b.build();
    }

    let groupMetadata = base.groupMetadata;
    if (this.groupMetadataDrafts.size > 0) {
      const b = groupMetadata.builder();
      for (const [groupId, stored] of this.groupMetadataDrafts) {
        if (stored === null) b.delete(groupId);
        else b.set(groupId, stored);
      }
      groupMetadata = b.build();
    }

    let acls = base.acls;
    if (this.aclDrafts.size > 0) {
      const b = acls.builder();
      for (const [id, acl] of this.aclDrafts) {
        if (acl === null) b.delete(id);
        else b.set(id, acl);
      }
      acls = b.build();
    }

    let clientQuotas = base.clientQuotas;
    if (this.clientQuotaDrafts.size > 0) {
      const b = clientQuotas.builder();
      for (const [key, draft] of this.clientQuotaDrafts) {
        if (draft.values.size === 0) b.delete(key);
        else b.set(key, draft);
      }
      clientQuotas = b.build();
    }

    let scramUsers = base.scramUsers;
    if (this.scramDrafts.size > 0) {
      const b = scramUsers.builder();
      for (const [name, credentials] of this.scramDrafts) {
        if (credentials.size === 0) b.delete(name);
        else b.set(name, { name, credentials } satisfies StoredScramUser);
      }
      scramUsers = b.build();
    }

    const brokers = this.brokerDraft ?? base.brokers;
    const sortedBrokers =
      this.brokerDraft === null ? base.sortedBrokers : [...this.brokerDraft.values()].sort((a, b) => a.brokerId - b.brokerId);

    const partitionCount = base.partitionCount + this.partitionCountChange;
    assert(partitionCount >= 0, `MetadataDelta.apply: partition count went negative (${partitionCount})`);
    return new MetadataImage({
      provenance,
      features: this.featureDraft ?? base.features,
      brokers,
      sortedBrokers,
      topicsById,
      topicIdsByName,
      topicsByUnifiedName,
      partitionCount,
      configs,
      groups,
      groupMetadata,
      nextProducerId: this.nextProducerIdDraft ?? base.nextProducerId,
      zkMigrationState: this.zkMigrationStateDraft ?? base.zkMigrationState,
      acls,
      clientQuotas,
      scramUsers,
    });
  }
}

/** Replays `records` on `base` and returns the next image. */
export function replayAll(base: MetadataImage, records: Iterable<MetadataRecord>, provenance: Provenance): MetadataImage {
  const delta = new MetadataDelta(base);
  for (const r of records) delta.replay(r);
  return delta.apply(provenance);
}

/** For tests: the image of `records` replayed on the empty image (default: one offset per record). */
export function imageOf(records: readonly MetadataRecord[], provenance?: Provenance): MetadataImage {
  return replayAll(MetadataImage.EMPTY, records, provenance ?? { endOffset: records.length, epoch: records.length === 0 ? 0 : 1 });
}
