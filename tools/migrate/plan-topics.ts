// /brokers/topics/<t> (+ partitions/<n>/state, /config/topics/<t>, /admin/delete_topics/<t>) →
// the topics to import, each with its id, partitions and config overrides. zk-layout.md §2, §4.
//
// Assignment (versions 1-3; every key is read whatever the version says, as Kafka's decoder does):
//   partitions        {"<n>": [replica, ...]} with n = 0..count-1 (JSON order means nothing), each
//                     list non-empty without repeats, replicas[0] the preferred leader. Anything
//                     else (no partitions, a gap, a bad list) cannot replay here: topic skipped.
//   adding_replicas / removing_replicas   kept as is for the partitions they name (the move in
//                     flight survives the import, reported per topic as reassignment-in-flight:
//                     the quorum finishes it, see below); entries for unknown partitions are dropped,
//                     lists outside the replicas or overlapping are kept and reported.
//   topic_id          kept byte for byte; absent → minted (see assignTopicIds). Present but not a
//                     Uuid, the zero id or the metadata topic's id → topic skipped (minting a new
//                     one would disagree with the brokers' partition.metadata files).
// State (partitions/<n>/state, version 1): leader (-1 = offline), leader_epoch, isr,
//   controller_epoch, leader_recovery_state (absent = 0, present only as 1); the partition epoch
//   is the state node's stat.version. Missing state node: Kafka's migration defaults (leader =
//   first replica, ISR = all replicas, leader and partition epoch 0, recovered), reported. An
//   unreadable, empty or malformed state node is not "missing": the topic is skipped. An ISR that
//   holds none of the replicas (empty, say) cannot be kept, as the controller could never change
//   the partition again: it becomes [leader] when the leader is a replica, else the topic is
//   skipped. A repeated ISR member is dropped; anything else odd is kept as is and reported.
// Topic configs: an unreadable or malformed /config/topics/<t> skips the topic (without its
//   overrides it could get another retention or cleanup policy).
// Pending deletion (/admin/delete_topics/<t>): skipped with its configs and partitions, as Kafka
//   does; a marker for a topic that no longer exists is reported too.
// A reassignment requested through /admin/reassign_partitions is not imported (a request), but one
//   in flight there for a partition whose topic node names no adding/removing replicas was started
//   by a controller older than Kafka 2.4: `partitions` then holds the target and the old replicas
//   with nothing to tell them apart, imported as the final assignment: reported (legacy-reassignment).

import { randomUuid } from '../../metadata-log/records/uuid.js';
import { isUuid, METADATA_TOPIC_ID, ZERO_UUID } from '../../metadata-log/records/uuid.js';
import type { LeaderRecoveryState, Uuid } from '../../metadata-log/records/types.js';
import { NO_LEADER } from '../../metadata-log/records/types.js';
import { topicNameError } from '../../quorum/controller/replication/topic-names.js';
import { readConfigNode } from './plan-configs.js';
import type { PlanContext } from './plan-types.js';
import { childPath, idOf } from './plan-types.js';
import { JsonFields, requiredJsonOf, show, ZkDataError } from './zk-json.js';

export const TOPICS_PATH = '/brokers/topics';
export const DELETE_TOPICS_PATH = '/admin/delete_topics';
export const TOPIC_CONFIGS_PATH = '/config/topics';
export const REASSIGN_PARTITIONS_PATH = '/admin/reassign_partitions';

export interface ZkPartition {
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly leaderRecoveryState: LeaderRecoveryState;
}

export interface ZkTopic {
  readonly name: string;
  readonly path: string;
  /** The id ZooKeeper holds; null when it holds none. */
  readonly zkTopicId: Uuid | null;
  /** Dense: partitions[i].partitionId === i. */
  readonly partitions: readonly ZkPartition[];
  /** Config overrides (sorted by key); empty when none. */
  readonly configs: ReadonlyMap<string, string>;
  readonly configPath: string;
}

/** A topic that cannot be imported: the anomaly to report. */
class TopicRejected extends Error {
  constructor(
    readonly path: string,
    readonly kind: 'invalid-assignment' | 'invalid-topic-id' | 'invalid-isr',
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Reads every topic under /brokers/topics that can be imported; the rest is reported and skipped. */
export function readTopics(ctx: PlanContext, controllerEpoch: number | null): ZkTopic[] {
  const names = ctx.children(TOPICS_PATH);
  const existing = new Set(names);
  const marked = new Set(ctx.children(DELETE_TOPICS_PATH));
  for (const name of marked) {
    if (!existing.has(name)) ctx.skip(childPath(DELETE_TOPICS_PATH, name), `deletion marker for topic ${name}, which no longer exists`);
  }
  for (const name of ctx.children(TOPIC_CONFIGS_PATH)) {
    if (!existing.has(name) && !marked.has(name)) ctx.skip(childPath(TOPIC_CONFIGS_PATH, name), `configs of topic ${name}, which does not exist (no ${childPath(TOPICS_PATH, name)})`);
  }

  const topics: ZkTopic[] = [];
  for (const name of [...names].sort()) {
    const path = childPath(TOPICS_PATH, name);
    if (marked.has(name)) {
      ctx.skip(path, `topic ${name} is marked for deletion (${childPath(DELETE_TOPICS_PATH, name)}): not imported, nor its configs; brokers delete its logs`);
      continue;
    }
    if (ctx.isUnreadable(path)) {
      ctx.skip(path, `topic ${name}'s assignment could not be read`);
      continue;
    }
    const consequence = `topic ${name} is not imported`;
    try {
      const topic = readTopic(ctx, name, path, controllerEpoch);
      if (topic !== null) topics.push(topic);
      else ctx.skip(path, `topic ${name} could not be read completely`);
    } catch (err) {
      if (err instanceof ZkDataError) ctx.dataError(err, consequence);
      else if (err instanceof TopicRejected) ctx.anomaly(err.path, err.kind, 'error', `${err.detail}; ${consequence}`);
      else throw err;
      ctx.skip(path, consequence);
    }
  }
  return topics;
}

/** The topic, or null when a part of it is unreadable (already reported). Throws ZkDataError / TopicRejected. */
function readTopic(ctx: PlanContext, name: string, path: string, controllerEpoch: number | null): ZkTopic | null {
  const node = ctx.node(path);
  if (node === undefined) {
    ctx.anomaly(path, 'unreadable', 'error', `topic ${name} is listed under ${TOPICS_PATH} but its node was not read; topic ${name} is not imported`);
    return null;
  }
  const json = requiredJsonOf(path, node, "the topic's replica assignment JSON");
  ctx.checkVersion(path, json.version(), [1, 2, 3], 'version 3');
  const assignment = readAssignment(path, json);
  const zkTopicId = readTopicId(path, json);
  const adding = readReassignment(ctx, path, json, 'adding_replicas', assignment);
  const removing = readReassignment(ctx, path, json, 'removing_replicas', assignment);

  const partitionsPath = `${path}/partitions`;
  if (ctx.isUnreadable(partitionsPath)) return null;
  const partitions: ZkPartition[] = [];
  for (let p = 0; p < assignment.length; p++) {
    const replicas = assignment[p]!;
    const add = adding.get(p) ?? [];
    const remove = removing.get(p) ?? [];
    checkReassignment(ctx, path, p, replicas, add, remove);
    const partition = readPartition(ctx, name, `${partitionsPath}/${p}`, p, replicas, add, remove, controllerEpoch);
    if (partition === null) return null;
    partitions.push(partition);
  }
  reportReassignmentsInFlight(ctx, name, path, partitions);
  for (const child of ctx.children(partitionsPath)) {
    const p = idOf(child);
    if (p === null || p >= assignment.length) {
      ctx.anomaly(childPath(partitionsPath, child), 'orphan-partition-state', 'warning', `topic ${name}'s assignment lists no partition "${child}"; ignored`);
    }
  }

  const configPath = childPath(TOPIC_CONFIGS_PATH, name);
  const configs = readConfigNode(ctx, configPath, `topic ${name} is not imported (without its config overrides it could get another retention or cleanup policy)`);
  if (configs === 'failed') return null;
  return { name, path, zkTopicId, partitions, configs: configs ?? new Map(), configPath };
}

/**
 * One warning per topic with partitions being moved (adding/removing replicas): they are imported
 * as ZooKeeper has them and the quorum carries the move on (quorum/controller/replication/
 * reassignments.ts): it completes once the adding replicas are in the ISR, which the partition's
 * leader asks for as soon as they are registered brokers. Imported already in sync, a move
 * completes when the leader asks for its ISR as it is (broker/isr-expander.ts); --execute with the
 * same target finishes it at once too. The operator should know a move is under way and how to
 * follow or stop it.
 */
function reportReassignmentsInFlight(ctx: PlanContext, name: string, path: string, partitions: readonly ZkPartition[]): void {
  const moving = partitions.filter((p) => p.addingReplicas.length > 0 || p.removingReplicas.length > 0).map((p) => p.partitionId);
  if (moving.length === 0) return;
  ctx.anomaly(
    path,
    'reassignment-in-flight',
    'warning',
    `topic ${name}: partition(s) ${moving.join(', ')} are being reassigned (adding or removing replicas); imported as they are, and the quorum finishes each move once its new replicas are in sync: ` +
      'follow it with metaquorum reassign-partitions --list (or --verify with the plan), or stop it with --cancel',
  );
}

/**
 * Reports each partition /admin/reassign_partitions is moving whose imported topic records no
 * adding/removing replicas (a reassignment started before Kafka 2.4; see the header).
 */
export function checkLegacyReassignments(ctx: PlanContext, topics: readonly ZkTopic[]): void {
  const node = ctx.node(REASSIGN_PARTITIONS_PATH);
  if (node === undefined) return;
  const entries = ctx.guard(
    'the reassignments it requests are not checked',
    () => {
      const json = requiredJsonOf(REASSIGN_PARTITIONS_PATH, node, 'the reassignment request JSON');
      return json.array('partitions').map((raw, i) => {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ZkDataError(REASSIGN_PARTITIONS_PATH, 'malformed-json', `partitions[${i}] holds ${show(raw)}, not a JSON object`);
        const entry = new JsonFields(REASSIGN_PARTITIONS_PATH, raw as Record<string, unknown>, `partitions[${i}].`);
        return { topic: entry.str('topic'), partition: entry.int('partition', 0), replicas: entry.ids('replicas') };
      });
    },
    'warning',
  );
  const byName = new Map(topics.map((t) => [t.name, t]));
  for (const e of entries ?? []) {
    const p = byName.get(e.topic)?.partitions[e.partition];
    if (p === undefined || p.addingReplicas.length > 0 || p.removingReplicas.length > 0) continue;
    if (sameIds(p.replicas, e.replicas)) continue; // already where it was asked to go
    ctx.anomaly(
      REASSIGN_PARTITIONS_PATH,
      'legacy-reassignment',
      'warning',
      `partition ${e.topic}-${e.partition} is being moved to [${e.replicas.join(',')}] by a controller older than Kafka 2.4 (its topic node names no adding or removing replicas): ` +
        `imported with replicas [${p.replicas.join(',')}] as its final assignment; let the reassignment finish before migrating`,
    );
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** partitions → replica lists indexed by partition id. */
function readAssignment(path: string, json: JsonFields): (readonly number[])[] {
  const partitions = json.object('partitions');
  const byId = new Map<number, readonly number[]>();
  for (const key of partitions.keys()) {
    const p = idOf(key);
    if (p === null) throw new TopicRejected(path, 'invalid-assignment', `partitions key "${key}" is not a partition number`);
    const replicas = partitions.ids(key);
    if (replicas.length === 0) throw new TopicRejected(path, 'invalid-assignment', `partition ${p} has no replicas`);
    if (new Set(replicas).size !== replicas.length) throw new TopicRejected(path, 'invalid-assignment', `partition ${p} names a replica twice: [${replicas.join(',')}]`);
    byId.set(p, replicas);
  }
  if (byId.size === 0) throw new TopicRejected(path, 'invalid-assignment', 'the assignment lists no partitions');
  const out: (readonly number[])[] = [];
  for (let p = 0; p < byId.size; p++) {
    const replicas = byId.get(p);
    if (replicas === undefined) {
      const ids = [...byId.keys()].sort((a, b) => a - b);
      throw new TopicRejected(path, 'invalid-assignment', `partition numbers [${ids.join(',')}] are not 0..${byId.size - 1}`);
    }
    out.push(replicas);
  }
  return out;
}

function readTopicId(path: string, json: JsonFields): Uuid | null {
  const v = json.get('topic_id');
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !isUuid(v)) {
    throw new TopicRejected(path, 'invalid-topic-id', `topic_id ${JSON.stringify(v)} is not a Kafka Uuid (22 characters of URL-safe base64)`);
  }
  if (v === ZERO_UUID || v === METADATA_TOPIC_ID) throw new TopicRejected(path, 'invalid-topic-id', `topic_id ${v} is a reserved id, never a topic's`);
  return v;
}

/** adding_replicas / removing_replicas: {"<n>": [ids]} for the partitions being reassigned. */
function readReassignment(ctx: PlanContext, path: string, json: JsonFields, key: string, assignment: readonly (readonly number[])[]): Map<number, readonly number[]> {
  const out = new Map<number, readonly number[]>();
  const obj = json.optObject(key);
  if (obj === null) return out;
  for (const k of obj.keys()) {
    const p = idOf(k);
    if (p === null || p >= assignment.length) {
      ctx.anomaly(path, 'inconsistent-reassignment', 'warning', `${key} names partition "${k}", which the assignment does not list; that entry is dropped`);
      continue;
    }
    out.set(p, obj.ids(k));
  }
  return out;
}

function checkReassignment(ctx: PlanContext, path: string, p: number, replicas: readonly number[], adding: readonly number[], removing: readonly number[]): void {
  if (adding.length === 0 && removing.length === 0) return;
  const problems: string[] = [];
  const outside = (ids: readonly number[]): number[] => ids.filter((r) => !replicas.includes(r));
  if (outside(adding).length > 0) problems.push(`adding [${outside(adding).join(',')}] not among the replicas`);
  if (outside(removing).length > 0) problems.push(`removing [${outside(removing).join(',')}] not among the replicas`);
  const both = adding.filter((r) => removing.includes(r));
  if (both.length > 0) problems.push(`[${both.join(',')}] both added and removed`);
  if (new Set(adding).size !== adding.length || new Set(removing).size !== removing.length) problems.push('a broker listed twice');
  if (problems.length > 0) {
    ctx.anomaly(path, 'inconsistent-reassignment', 'warning', `partition ${p} (replicas [${replicas.join(',')}]): ${problems.join('; ')}; imported as is`);
  }
}

/** A partition's state, Kafka's defaults when the state node is missing, or null when unreadable (reported). */
function readPartition(
  ctx: PlanContext,
  topic: string,
  partPath: string,
  partitionId: number,
  replicas: readonly number[],
  addingReplicas: readonly number[],
  removingReplicas: readonly number[],
  controllerEpoch: number | null,
): ZkPartition | null {
  const statePath = `${partPath}/state`;
  if (ctx.isUnreadable(statePath)) return null;
  if (ctx.listedButAbsent(statePath)) {
    ctx.anomaly(statePath, 'unreadable', 'error', `listed by its parent but not read; topic ${topic} is not imported`);
    return null;
  }
  const node = ctx.node(statePath);
  let partition: ZkPartition;
  if (node === undefined) {
    ctx.anomaly(
      statePath,
      'missing-partition-state',
      'warning',
      `${topic}-${partitionId} has no state node; imported as Kafka's migration does: leader ${replicas[0]} (first replica), ISR = replicas [${replicas.join(',')}], leader epoch 0, partition epoch 0`,
    );
    partition = { partitionId, replicas, isr: replicas.slice(), addingReplicas, removingReplicas, leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0 };
  } else {
    const json = requiredJsonOf(statePath, node, 'the partition state JSON');
    ctx.checkVersion(statePath, json.version(), [1], 'version 1');
    const leader = json.int('leader', -1);
    const leaderEpoch = json.int('leader_epoch', 0);
    const isr = json.ids('isr');
    const stateControllerEpoch = json.int('controller_epoch', 0);
    const leaderRecoveryState = (json.optInt('leader_recovery_state', 0, 1) ?? 0) as LeaderRecoveryState;
    const partitionEpoch = node.stat.version;
    if (!Number.isInteger(partitionEpoch) || partitionEpoch < 0 || partitionEpoch > 0x7fffffff) {
      throw new ZkDataError(statePath, 'malformed-json', `stat.version ${partitionEpoch} is not a partition epoch`);
    }
    if (controllerEpoch !== null && stateControllerEpoch > controllerEpoch) {
      ctx.anomaly(statePath, 'controller-epoch-ahead', 'warning', `controller_epoch ${stateControllerEpoch} is above /controller_epoch ${controllerEpoch}`);
    }
    partition = { partitionId, replicas, isr, addingReplicas, removingReplicas, leader, leaderEpoch, partitionEpoch, leaderRecoveryState };
  }
  return checkLeaderAndIsr(ctx, statePath, `${topic}-${partitionId}`, partition);
}

/**
 * Reports what is odd about a partition's leader and ISR; returns it as imported (an ISR's repeats
 * dropped; an ISR holding none of the replicas replaced by the leader). Throws TopicRejected when
 * no replica is known to hold the data.
 */
function checkLeaderAndIsr(ctx: PlanContext, path: string, what: string, p: ZkPartition): ZkPartition {
  if (!p.isr.some((r) => p.replicas.includes(r))) return isrOfLeader(ctx, path, what, p);
  if (p.leader === NO_LEADER) {
    ctx.anomaly(path, 'offline-partition', 'warning', `${what} has no leader (-1): offline until a replica in ISR [${p.isr.join(',')}] comes back`);
  } else if (!p.isr.includes(p.leader) || !p.replicas.includes(p.leader)) {
    ctx.anomaly(path, 'leader-not-in-isr', 'warning', `${what}'s leader ${p.leader} is not in its ISR [${p.isr.join(',')}] and replicas [${p.replicas.join(',')}]; imported as is`);
  }
  const outside = p.isr.filter((r) => !p.replicas.includes(r));
  if (outside.length > 0) {
    ctx.anomaly(path, 'isr-outside-replicas', 'warning', `${what}'s ISR [${p.isr.join(',')}] holds [${outside.join(',')}], not among its replicas [${p.replicas.join(',')}]; imported as is`);
  }
  if (new Set(p.isr).size !== p.isr.length) {
    // Not as is: every later change of the partition (a fencing, a shutdown) would stop on the
    // repeat, and the controller with it (found by a review).
    const isr = [...new Set(p.isr)];
    ctx.anomaly(path, 'invalid-isr', 'warning', `${what}'s ISR [${p.isr.join(',')}] names a broker twice; imported as [${isr.join(',')}]`);
    return { ...p, isr };
  }
  return p;
}

/**
 * A partition whose ISR is empty or holds none of its replicas (ZooKeeper-mode controllers never
 * write either). Not as is: the controller keeps an ISR within the replicas and never empty, so
 * every later change of the partition (its leader fenced, any broker unfenced) would fail on it,
 * and the heartbeat or fencing with it. The leader, when it is a replica, holds the data by
 * definition: ISR [leader]. Without one no replica is known to hold it, and any guess could
 * elect one that lost data: the topic is refused.
 */
function isrOfLeader(ctx: PlanContext, path: string, what: string, p: ZkPartition): ZkPartition {
  const shown = p.isr.length === 0 ? 'is empty' : `[${p.isr.join(',')}] holds none of its replicas [${p.replicas.join(',')}]`;
  if (p.leader === NO_LEADER || !p.replicas.includes(p.leader)) {
    throw new TopicRejected(
      path,
      'invalid-isr',
      `${what}'s ISR ${shown} and its leader (${p.leader}) is not a replica, so no replica is known to hold its data; ` +
        `set "isr" in this node to the replica(s) with the latest data and run again`,
    );
  }
  ctx.anomaly(path, 'invalid-isr', 'warning', `${what}'s ISR ${shown}; imported as [${p.leader}], its leader (this quorum keeps every ISR non-empty and within the replicas)`);
  return { ...p, isr: [p.leader] };
}

export interface IdentifiedTopic extends ZkTopic {
  readonly topicId: Uuid;
  readonly minted: boolean;
}

/**
 * Keeps every valid ZooKeeper topic id; topics sharing one, or holding one the target quorum
 * already uses, are skipped. Topics without one get a minted id (in name order, from
 * options.random, never reserved, used or starting with '-': randomUuid's rules).
 */
export function assignTopicIds(ctx: PlanContext, topics: readonly ZkTopic[]): IdentifiedTopic[] {
  const reserved = ctx.options.reservedTopicIds ?? new Set<Uuid>();
  const holders = new Map<Uuid, string[]>();
  for (const t of topics) {
    if (t.zkTopicId !== null) holders.set(t.zkTopicId, [...(holders.get(t.zkTopicId) ?? []), t.name]);
  }
  const used = new Set<Uuid>([...holders.keys(), ...reserved]);
  const out: IdentifiedTopic[] = [];
  for (const t of topics) {
    const consequence = `topic ${t.name} is not imported`;
    if (t.zkTopicId === null) {
      let id: Uuid;
      do id = randomUuid(ctx.options.random);
      while (used.has(id));
      used.add(id);
      out.push({ ...t, topicId: id, minted: true });
      continue;
    }
    const sharing = holders.get(t.zkTopicId) ?? [];
    if (sharing.length > 1) {
      ctx.anomaly(t.path, 'duplicate-topic-id', 'error', `topic_id ${t.zkTopicId} is also held by ${sharing.filter((n) => n !== t.name).join(', ')}; ${consequence}`);
      ctx.skip(t.path, consequence);
      continue;
    }
    if (reserved.has(t.zkTopicId)) {
      ctx.anomaly(t.path, 'topic-id-in-use', 'error', `topic_id ${t.zkTopicId} is already used by a topic in the quorum; ${consequence}`);
      ctx.skip(t.path, consequence);
      continue;
    }
    out.push({ ...t, topicId: t.zkTopicId, minted: false });
  }
  checkNames(ctx, out);
  return out;
}

/** Names outside Kafka's current rules, and '.'/'_' collisions: imported, reported. */
function checkNames(ctx: PlanContext, topics: readonly IdentifiedTopic[]): void {
  const unified = new Map<string, string[]>();
  for (const t of topics) {
    const error = topicNameError(t.name);
    if (error !== null) ctx.anomaly(t.path, 'invalid-topic-name', 'warning', `${error.message}; imported anyway`);
    const key = t.name.replace(/\./g, '_');
    unified.set(key, [...(unified.get(key) ?? []), t.name]);
  }
  for (const t of topics) {
    const group = unified.get(t.name.replace(/\./g, '_')) ?? [];
    if (group.length > 1) {
      ctx.anomaly(t.path, 'topic-name-collision', 'warning', `topic ${t.name} collides with ${group.filter((n) => n !== t.name).join(', ')} ('.' and '_' are the same in metric names); imported anyway`);
    }
  }
}
