// `consumer-groups --reset-offsets`, `--delete` and `--delete-offsets`: the writes of Kafka's
// kafka-consumer-groups.sh, through the quorum's own RPCs (commitOffsets, deleteGroups and
// deleteOffsets, run by the active controller).
//
// Both act on inactive groups only, as Kafka's tool does: a group whose membership the metadata
// log holds (state Stable: members as of its last completed rebalance) is refused, with Kafka's
// words, because its consumers would go on from their own positions and overwrite the reset. The
// log is what is checked: a group in its very first rebalance (nothing stored yet) reads as
// inactive here; its coordinator's memory is not asked.
//
// --reset-offsets plans first, then writes only with --execute (Kafka's rule; without it the plan
// is printed and a note says nothing was written). Which partitions: --topic t (every partition
// of t) or --topic t:0,2 (repeatable), or --all-topics (every partition the group has an offset
// for). The new offset: --to-offset n, --shift-by n (from the committed offset; a partition
// without one is left out and named), --to-earliest (0: brokers keep no log, so the earliest
// offset is 0), or --to-current (the committed offset again). --to-latest needs log end offsets,
// which no broker here keeps: refused as a usage error saying so. A reset below 0 is 0.
//
// --delete removes each named group's offsets and stored membership (deleteGroups). Per group:
// done, or the reason (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND); exit 1 if any failed.
//
// --delete-offsets removes one group's offsets of the partitions named with --topic (deleteOffsets,
// Kafka's OffsetDelete). Unlike the two above it may act on a group with members, as Kafka's tool
// does: the controller refuses, per partition, the topics the group's stored members subscribe to
// (GROUP_SUBSCRIBED_TO_TOPIC), and a stored group of another protocol type whole
// (NON_EMPTY_GROUP). Per partition: Successful or the error; exit 1 if any failed.

import type { DescribedGroup, DescribeGroupsResponse, RpcRequest } from '../../quorum/server/rpc-methods.js';
import type { AdminConnection } from './connect.js';
import { UsageError } from './common.js';
import { errorName } from '../../quorum/controller/errors.js';

export type ResetSpec =
  | { readonly kind: 'to-offset'; readonly offset: number }
  | { readonly kind: 'shift-by'; readonly delta: number }
  | { readonly kind: 'to-earliest' }
  | { readonly kind: 'to-current' };

/** The reset-spec flags, as commander gives them. */
export interface ResetOptions {
  readonly toOffset?: string;
  readonly shiftBy?: string;
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toCurrent?: boolean;
}

export interface PlannedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface GroupResetPlan {
  readonly groupId: string;
  readonly partitions: readonly PlannedOffset[];
  /** Partitions left out, with why (no committed offset to shift). */
  readonly skipped: readonly { readonly topic: string; readonly partition: number; readonly reason: string }[];
}

const INTEGER = /^-?\d+$/;

/** Offsets the log holds exactly: 0..2^53-1. */
const OFFSET_MAX = Number.MAX_SAFE_INTEGER;

function integerArg(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!INTEGER.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} takes an integer in ${min === 0 ? '0' : '-(2^53-1)'}..2^53-1, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** The one reset spec given, or a usage error. */
export function resetSpecOf(o: ResetOptions): ResetSpec {
  const given = [o.toOffset !== undefined && '--to-offset', o.shiftBy !== undefined && '--shift-by', o.toEarliest === true && '--to-earliest', o.toLatest === true && '--to-latest', o.toCurrent === true && '--to-current'].filter(
    (x): x is string => x !== false,
  );
  if (given.length !== 1) throw new UsageError(`--reset-offsets needs exactly one of --to-offset, --shift-by, --to-earliest, --to-current${given.length > 1 ? ` (got ${given.join(' and ')})` : ''}`);
  if (o.toLatest === true) throw new UsageError('--to-latest needs each partition\'s log end offset, and brokers here keep no partition data; use --to-offset');
  if (o.toOffset !== undefined) return { kind: 'to-offset', offset: integerArg('--to-offset', o.toOffset, 0) };
  if (o.shiftBy !== undefined) return { kind: 'shift-by', delta: integerArg('--shift-by', o.shiftBy, Number.MIN_SAFE_INTEGER) };
  return o.toEarliest === true ? { kind: 'to-earliest' } : { kind: 'to-current' };
}

/** `t` or `t:0,2`: a topic and the partitions named (undefined: all of them). */
export function topicArg(text: string): { readonly topic: string; readonly partitions: readonly number[] | undefined } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { topic: text, partitions: undefined };
  const topic = text.slice(0, colon);
  const list = text.slice(colon + 1);
  if (topic === '' || list === '') throw new UsageError(`--topic takes a topic or topic:partition,partition..., got ${JSON.stringify(text)}`);
  return { topic, partitions: list.split(',').map((p) => integerArg(`--topic ${topic}`, p, 0)) };
}

/** Kafka's refusal for a group that has members. */
export function activeGroupText(g: DescribedGroup): string {
  return `Assignments can only be reset if the group '${g.groupId}' is inactive, but the current state is ${g.state} (${g.members.length} member(s) stored at generation ${g.generationId}).`;
}

/** The new offsets for one group (pure). `partitionsOf` gives a topic's partitions, undefined for a topic that does not exist. */
export function planReset(g: DescribedGroup, spec: ResetSpec, scope: { readonly topics: readonly string[]; readonly allTopics: boolean }, partitionsOf: (topic: string) => readonly number[] | undefined): GroupResetPlan {
  const committed = new Map(g.offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
  const targets: { topic: string; partition: number }[] = [];
  if (scope.allTopics) for (const o of g.offsets) targets.push({ topic: o.topic, partition: o.partition });
  for (const text of scope.topics) {
    const { topic, partitions } = topicArg(text);
    const existing = partitionsOf(topic);
    if (existing === undefined) throw new UsageError(`--topic ${topic}: no such topic`);
    for (const p of partitions ?? existing) {
      if (!existing.includes(p)) throw new UsageError(`--topic ${text}: ${topic} has no partition ${p} (it has ${existing.length})`);
      targets.push({ topic, partition: p });
    }
  }
  const seen = new Set<string>();
  const partitions: PlannedOffset[] = [];
  const skipped: GroupResetPlan['skipped'][number][] = [];
  for (const t of targets) {
    const key = `${t.topic}\u0000${t.partition}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const current = committed.get(key);
    let offset: number;
    if (spec.kind === 'to-offset') offset = spec.offset;
    else if (spec.kind === 'to-earliest') offset = 0;
    else if (current === undefined) {
      skipped.push({ ...t, reason: `no committed offset to ${spec.kind === 'shift-by' ? 'shift' : 'keep'}` });
      continue;
    } else if (spec.kind === 'shift-by' && current + spec.delta > OFFSET_MAX) {
      skipped.push({ ...t, reason: `${current} shifted by ${spec.delta} is past the largest offset, 2^53-1` });
      continue;
    } else offset = spec.kind === 'shift-by' ? Math.max(0, current + spec.delta) : current;
    partitions.push({ ...t, offset });
  }
  partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { groupId: g.groupId, partitions, skipped };
}

/** The commitOffsets request that writes `plan` (an admin's commit: no coordinator claim). */
export function commitRequestOf(plan: GroupResetPlan): RpcRequest<'commitOffsets'> {
  const byTopic = new Map<string, PlannedOffset[]>();
  for (const p of plan.partitions) {
    const list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, [p]);
    else list.push(p);
  }
  return {
    groupId: plan.groupId,
    topics: [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, committedMetadata: null })),
    })),
  };
}

export interface DeleteOffsetsOutcome {
  readonly groupId: string;
  /** A refusal of the whole group (then no partitions), or null. */
  readonly error: string | null;
  readonly partitions: readonly { readonly topic: string; readonly partition: number; readonly error: string | null }[];
}

/** The error text of an answer's code and message, or null for NONE. */
const errorText = (errorCode: number, errorMessage: string | null): string | null => (errorCode === 0 ? null : `${errorName(errorCode)}${errorMessage === null ? '' : `: ${errorMessage}`}`);

/** Deletes one group's offsets of the partitions `topics` names (`t`: all of t's partitions; `t:0,2`: those). */
export async function deleteOffsetsOf(rpc: AdminConnection, callOptions: { readonly timeoutMs: number }, groupId: string, topics: readonly string[]): Promise<DeleteOffsetsOutcome> {
  const named = topics.map(topicArg);
  const whole = [...new Set(named.filter((t) => t.partitions === undefined).map((t) => t.topic))];
  const described = whole.length === 0 ? undefined : await rpc.call('describeTopics', { names: whole }, callOptions);
  const request = named.map(({ topic, partitions }) => {
    const all = partitions ?? described?.topics.find((t) => t.name === topic)?.partitions.map((p) => p.partition);
    if (all === undefined) throw new UsageError(`--topic ${topic}: no such topic`);
    return { name: topic, partitionIndexes: [...all] };
  });
  const r = await rpc.call('deleteOffsets', { groupId, topics: request }, callOptions);
  return {
    groupId,
    error: errorText(r.errorCode, r.errorMessage),
    partitions: r.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: errorText(p.errorCode, p.errorMessage) }))),
  };
}

export interface ResetOutcome {
  readonly executed: boolean;
  readonly groups: readonly (GroupResetPlan & { readonly errors: readonly string[] })[];
  /** Groups refused before planning (active), with why. */
  readonly refused: readonly { readonly groupId: string; readonly reason: string }[];
}

/** Plans every group's reset and, with `execute`, writes each plan. Failures are per group, in the outcome. */
export async function resetOffsets(
  rpc: AdminConnection,
  callOptions: { readonly timeoutMs: number },
  groups: DescribeGroupsResponse,
  spec: ResetSpec,
  scope: { readonly topics: readonly string[]; readonly allTopics: boolean },
  execute: boolean,
): Promise<ResetOutcome> {
  const names = scope.topics.map((t) => topicArg(t).topic);
  const described = names.length === 0 ? undefined : await rpc.call('describeTopics', { names: [...new Set(names)] }, callOptions);
  const partitionsOf = (topic: string) => described?.topics.find((t) => t.name === topic)?.partitions.map((p) => p.partition);
  const refused: ResetOutcome['refused'][number][] = [];
  const out: ResetOutcome['groups'][number][] = [];
  for (const g of groups.groups) {
    if (g.state === 'Stable') {
      refused.push({ groupId: g.groupId, reason: activeGroupText(g) });
      continue;
    }
    const plan = planReset(g, spec, scope, partitionsOf);
    const errors: string[] = [];
    if (execute && plan.partitions.length > 0) {
      const r = await rpc.call('commitOffsets', commitRequestOf(plan), callOptions);
      for (const t of r.topics) for (const p of t.partitions) if (p.errorCode !== 0) errors.push(`${t.name}-${p.partitionIndex}: ${errorText(p.errorCode, p.errorMessage)}`);
    }
    out.push({ ...plan, errors });
  }
  return { executed: execute, groups: out, refused };
}
