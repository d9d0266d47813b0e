// The chaos checker: after a run, does the quorum's final committed image agree with what the
// workload was told? A pure function of the history (./history.ts) and the final image exported as
// records (snapshot order, metadata.version first). It never looks at timing beyond the history's
// own invoke/complete times and never at a node's internals, so a report is about what a client
// could have seen.
//
// The outcome rules (history.ts): ok must be in the image, fail must not, unknown may or may not.
// "Was asked" below means some op with outcome ok or unknown (a fail is a definite refusal, so it
// never explains anything in the image). The checks, each one small function named as below:
//
//   acked-create-present  an acked create-topic's topic is in the image with the acked topicId;
//                         if a delete of it was asked it may be gone, but if present the id must
//                         still match (unless another create of the name was asked: a recreate).
//   failed-create-absent  a failed create-topic's topic is absent, unless another create of the
//                         same name was asked.
//   acked-delete-absent   an acked delete-topic's topic is absent, unless a create of the name was
//                         asked after the delete was invoked and the topic present is not one an
//                         acked create before the delete made.
//   never-invoked         every image topic with the prefix was the subject of some create-topic
//                         (a name whose creates all failed is failed-create-absent's to report, so
//                         one fault is reported once). Other topics are the harness's own.
//   partition-count       an image topic with the prefix has the partition count some create or
//                         add-partitions asked for, and at least the largest acked add-partitions.
//   offsets               per (group, topic, partition) of commit-offset ops: the final offset was
//                         sent by an op that was asked (not a failed one, not a value never sent)
//                         and is ≥ the largest acked offset; an acked commit with no final offset
//                         is lost. Keys of topics whose delete was asked are skipped.
//   quotas                per user of set-quota ops: the final producer_byte_rate was sent by an
//                         op that was asked and is ≥ the largest acked value; an acked set with no
//                         final value is lost.
//   scram                 the same for set-scram ops and the user's final SCRAM-SHA-256 iteration count.
//   alter-isr             the final partition's epochs are ≥ every acked alter-isr's (and the
//                         topic is there at all, unless its delete was asked); and acked
//                         alter-isr ops of one partition that do not overlap in time acked strictly
//                         increasing partition epochs (the later one committed after the earlier).
//   reassign              per partition moved: when the reassign or cancel invoked last was acked
//                         and every other one asked of that partition had completed before it was
//                         invoked (so it is linearized last), the final partition has that move's
//                         target as its replicas (first, and as many, not counting those still
//                         being removed: the move may be in flight), or, for a cancel, no move in
//                         flight. Skipped for topics whose delete was asked.
//   commit-order          per offset key: the final offset must not be one written by an op that
//                         completed before some acked commit was invoked (that acked commit is
//                         linearized after it, so it or a later one must be final). Unlike
//                         `offsets` this does not lean on offsets growing.
//   image-invariants      the final records replay (a record that does not apply is a violation)
//                         and the image passes checkImage (leader in ISR, ISR ⊆ replicas, ...).
//
// Cost: one pass to index the history by topic/partition/offset key (Maps), one replay of the
// records, then each check walks its own index once (alter-isr sorts per partition).

import { MetadataDelta, MetadataReplayError } from '../../metadata-log/delta.js';
import type { MetadataImageView, PartitionRegistration, TopicImage } from '../../metadata-log/image-types.js';
import { MetadataImage } from '../../metadata-log/image.js';
import type { MetadataRecord } from '../../metadata-log/records/types.js';
import { checkImage } from '../../quorum/sim/metadata-invariants.js';
import type { OpRecord, OpRequest } from './history.js';
import { QUOTA_KEY, SCRAM_MECHANISM } from './workload.js';

export interface Violation {
  /** The check's name (CHECK_NAMES). */
  readonly check: string;
  readonly message: string;
  /** The ops involved, ascending; empty when the fault is the image's alone. */
  readonly opIds: readonly number[];
}

export interface CheckSummary {
  readonly violations: readonly Violation[];
  readonly checked: { ops: number; acked: number; failed: number; unknown: number; topics: number; offsets: number };
}

export interface CheckOptions {
  /** Only image topics with this prefix must be explained by the history (default 'chaos-'). */
  readonly topicPrefix?: string;
}

export const CHECK_NAMES = [
  'acked-create-present',
  'failed-create-absent',
  'acked-delete-absent',
  'never-invoked',
  'partition-count',
  'offsets',
  'quotas',
  'scram',
  'alter-isr',
  'reassign',
  'commit-order',
  'image-invariants',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];

type OpOf<K extends OpRequest['kind']> = OpRecord & { readonly request: Extract<OpRequest, { kind: K }> };
type CreateOp = OpOf<'create-topic'>;
type DeleteOp = OpOf<'delete-topic'>;
type AddOp = OpOf<'add-partitions'>;
type AlterOp = OpOf<'alter-isr'>;
type CommitOp = OpOf<'commit-offset'>;
type ReassignOp = OpOf<'reassign'>;
type QuotaOp = OpOf<'set-quota'>;
type ScramOp = OpOf<'set-scram'>;

/** The history grouped by what each op touched, every list in history order. */
interface HistoryIndex {
  readonly creates: Map<string, CreateOp[]>;
  readonly deletes: Map<string, DeleteOp[]>;
  readonly adds: Map<string, AddOp[]>;
  /** Keyed partitionKey(topic, partition). */
  readonly alters: Map<string, AlterOp[]>;
  /** Keyed commitKey(group, topic, partition). */
  readonly commits: Map<string, CommitOp[]>;
  /** Keyed partitionKey(topic, partition). */
  readonly reassigns: Map<string, ReassignOp[]>;
  /** Keyed by user. */
  readonly quotas: Map<string, QuotaOp[]>;
  /** Keyed by user. */
  readonly scram: Map<string, ScramOp[]>;
  /** Topics with a delete-topic that was asked: their later state is not pinned down. */
  readonly deleteAsked: Set<string>;
}

interface Context {
  readonly index: HistoryIndex;
  readonly image: MetadataImageView;
  readonly prefix: string;
}

// ---- the entry point --------------------------------------------------------------------------

export function checkHistory(ops: readonly OpRecord[], finalRecords: readonly MetadataRecord[], options?: CheckOptions): CheckSummary {
  const prefix = options?.topicPrefix ?? 'chaos-';
  const index = indexHistory(ops);
  const { image, errors } = replayFinal(finalRecords);
  const ctx: Context = { index, image, prefix };

  const violations: Violation[] = [
    ...ackedCreatePresent(ctx),
    ...failedCreateAbsent(ctx),
    ...ackedDeleteAbsent(ctx),
    ...neverInvoked(ctx),
    ...partitionCount(ctx),
    ...offsets(ctx),
    ...quotas(ctx),
    ...scram(ctx),
    ...alterIsr(ctx),
    ...reassign(ctx),
    ...commitOrder(ctx),
    ...imageInvariants(image, errors),
  ];

  let acked = 0;
  let failed = 0;
  let unknown = 0;
  for (const op of ops) {
    if (op.outcome === 'ok') acked++;
    else if (op.outcome === 'fail') failed++;
    else unknown++;
  }
  let topics = 0;
  for (const t of image.topics()) if (t.name.startsWith(prefix)) topics++;
  let offsetKeys = 0;
  for (const commits of index.commits.values()) if (!index.deleteAsked.has(first(commits).request.topic)) offsetKeys++;
  return { violations, checked: { ops: ops.length, acked, failed, unknown, topics, offsets: offsetKeys } };
}

// ---- indexing ---------------------------------------------------------------------------------

function indexHistory(ops: readonly OpRecord[]): HistoryIndex {
  const index: HistoryIndex = {
    creates: new Map(),
    deletes: new Map(),
    adds: new Map(),
    alters: new Map(),
    commits: new Map(),
    reassigns: new Map(),
    quotas: new Map(),
    scram: new Map(),
    deleteAsked: new Set(),
  };
  for (const op of ops) {
    const r = op.request;
    switch (r.kind) {
      case 'create-topic':
        push(index.creates, r.topic, op as CreateOp);
        break;
      case 'delete-topic':
        push(index.deletes, r.topic, op as DeleteOp);
        if (asked(op)) index.deleteAsked.add(r.topic);
        break;
      case 'add-partitions':
        push(index.adds, r.topic, op as AddOp);
        break;
      case 'alter-isr':
        push(index.alters, partitionKey(r.topic, r.partition), op as AlterOp);
        break;
      case 'commit-offset':
        push(index.commits, commitKey(r.group, r.topic, r.partition), op as CommitOp);
        break;
      case 'reassign':
        push(index.reassigns, partitionKey(r.topic, r.partition), op as ReassignOp);
        break;
      case 'set-quota':
        push(index.quotas, r.user, op as QuotaOp);
        break;
      case 'set-scram':
        push(index.scram, r.user, op as ScramOp);
        break;
      default: {
        const unknown: never = r;
        throw new Error(`checkHistory: unknown op ${JSON.stringify(unknown)}`);
      }
    }
  }
  return index;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function commitKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

/** Outcome ok or unknown: the op may have taken effect, so it may explain the image. */
function asked(op: OpRecord): boolean {
  return op.outcome !== 'fail';
}

function first<T>(list: readonly T[]): T {
  const x = list[0];
  if (x === undefined) throw new Error('checkHistory: empty index list'); // lists are created with one element
  return x;
}

// ---- the final image --------------------------------------------------------------------------

/**
 * The image of the records, replayed one by one on the empty image. A record that does not apply
 * (MetadataDelta checks before it mutates) is skipped and reported, so one corrupt record does not
 * hide every other finding behind a thrown error.
 */
function replayFinal(records: readonly MetadataRecord[]): { image: MetadataImage; errors: string[] } {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  const errors: string[] = [];
  records.forEach((r, i) => {
    if (r.type === 'BeginTransaction' || r.type === 'EndTransaction' || r.type === 'AbortTransaction') {
      errors.push(`final record ${i}: a ${r.type} marker has no place in a committed image`);
      return;
    }
    try {
      delta.replay(r);
    } catch (e) {
      if (!(e instanceof MetadataReplayError)) throw e;
      errors.push(`final record ${i}: ${e.message}`);
    }
  });
  const image = delta.apply({ endOffset: records.length, epoch: records.length === 0 ? 0 : 1 });
  return { image, errors };
}

// ---- messages ---------------------------------------------------------------------------------

function violation(check: CheckName, message: string, ops: readonly OpRecord[]): Violation {
  return { check, message, opIds: [...new Set(ops.map((o) => o.id))].sort((a, b) => a - b) };
}

function opList(ops: readonly OpRecord[]): string {
  return `${ops.length === 1 ? 'op' : 'ops'} ${ops.map((o) => o.id).join(', ')}`;
}

function describeTopic(t: TopicImage): string {
  return `topicId ${t.topicId}, ${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}`;
}

/** At most `max` values, so a message about 10k ops stays one line. */
function someOf(values: readonly (string | number)[], max = 10): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')}, ... (${values.length} in all)`;
}

// ---- the checks -------------------------------------------------------------------------------

function ackedCreatePresent({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const [name, creates] of index.creates) {
    const present = image.topicByName(name);
    const deleted = index.deleteAsked.has(name);
    const askedCount = creates.filter(asked).length;
    for (const c of creates) {
      if (c.outcome !== 'ok') continue;
      if (c.result?.kind !== 'create-topic') {
        out.push(violation('acked-create-present', `op ${c.id} create-topic ${name} was acked without a topicId (result ${JSON.stringify(c.result)})`, [c]));
        continue;
      }
      const ackedId = c.result.topicId;
      if (present === undefined) {
        // A delete that was asked may have taken it.
        if (!deleted) out.push(violation('acked-create-present', `op ${c.id} create-topic ${name}: acked with topicId ${ackedId}, absent from the final image`, [c]));
        continue;
      }
      if (present.topicId === ackedId) continue;
      // Deleted and created again under the same name: the other create's id is checked on its own turn.
      const recreated = deleted && askedCount > 1;
      if (!recreated) {
        out.push(violation('acked-create-present', `op ${c.id} create-topic ${name}: acked with topicId ${ackedId}, final image has topicId ${present.topicId}`, [c]));
      }
    }
  }
  return out;
}

function failedCreateAbsent({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const [name, creates] of index.creates) {
    const failed = creates.filter((c) => c.outcome === 'fail');
    if (failed.length === 0 || creates.some(asked)) continue;
    const present = image.topicByName(name);
    if (present === undefined) continue;
    const errors = someOf(failed.map((f) => f.error ?? 'no error text'));
    out.push(violation('failed-create-absent', `${opList(failed)} create-topic ${name} failed (${errors}), expected absent, final image has it (${describeTopic(present)})`, failed));
  }
  return out;
}

function ackedDeleteAbsent({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const [name, deletes] of index.deletes) {
    const present = image.topicByName(name);
    if (present === undefined) continue;
    const creates = index.creates.get(name) ?? [];
    for (const d of deletes) {
      if (d.outcome !== 'ok') continue;
      const recreate = creates.find((c) => asked(c) && c.invokedAtMs > d.invokedAtMs);
      // The ids the delete must have removed: those acked before the delete was invoked.
      const old = creates.find((c) => c.outcome === 'ok' && c.completedAtMs <= d.invokedAtMs && c.result?.kind === 'create-topic' && c.result.topicId === present.topicId);
      if (recreate !== undefined && old === undefined) continue;
      const involved = old === undefined ? [d] : [d, old];
      const which = old === undefined ? '' : ` (the one op ${old.id} created)`;
      out.push(violation('acked-delete-absent', `op ${d.id} delete-topic ${name} was acked, expected absent, final image still has it${which} (${describeTopic(present)})`, involved));
    }
  }
  return out;
}

function neverInvoked({ index, image, prefix }: Context): Violation[] {
  const out: Violation[] = [];
  for (const t of image.topics()) {
    if (!t.name.startsWith(prefix)) continue;
    // A name whose creates all failed is failed-create-absent's to report.
    if (index.creates.has(t.name)) continue;
    out.push(violation('never-invoked', `topic ${t.name} (${describeTopic(t)}) is in the final image, but no create-topic op asked for it`, []));
  }
  return out;
}

function partitionCount({ index, image, prefix }: Context): Violation[] {
  const out: Violation[] = [];
  for (const t of image.topics()) {
    if (!t.name.startsWith(prefix)) continue;
    const creates = (index.creates.get(t.name) ?? []).filter(asked);
    // No create asked: never-invoked / failed-create-absent already report the topic.
    if (creates.length === 0) continue;
    const adds = (index.adds.get(t.name) ?? []).filter(asked);
    const n = t.partitions.length;
    const askedN = creates.some((c) => c.request.partitions === n) || adds.some((a) => a.request.total === n);
    if (!askedN) {
      const wanted = [...creates.map((c) => `op ${c.id} create ${c.request.partitions}`), ...adds.map((a) => `op ${a.id} add-partitions to ${a.request.total}`)];
      out.push(violation('partition-count', `topic ${t.name} has ${n} partitions in the final image, but no op asked for ${n} (${someOf(wanted)})`, [...creates, ...adds]));
    }
    let largest: AddOp | undefined;
    for (const a of adds) if (a.outcome === 'ok' && (largest === undefined || a.request.total > largest.request.total)) largest = a;
    if (largest !== undefined && n < largest.request.total) {
      out.push(violation('partition-count', `topic ${t.name}: op ${largest.id} add-partitions to ${largest.request.total} was acked, final image has ${n} partitions`, [largest]));
    }
  }
  return out;
}

function where(r: CommitOp['request']): string {
  return `group ${r.group} ${r.topic}-${r.partition}`;
}

function offsets({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const commits of index.commits.values()) {
    const r = first(commits).request;
    if (index.deleteAsked.has(r.topic)) continue; // a deleted topic's offsets may go with it
    let largest: CommitOp | undefined;
    for (const c of commits) if (c.outcome === 'ok' && (largest === undefined || c.request.offset > largest.request.offset)) largest = c;
    const final = image.committedOffset(r.group, r.topic, r.partition);
    if (final === undefined) {
      if (largest !== undefined) out.push(violation('offsets', `${where(r)}: op ${largest.id} committed offset ${largest.request.offset} (acked), final image has no committed offset`, [largest]));
      continue;
    }
    const writers = commits.filter((c) => c.request.offset === final.offset);
    if (writers.length === 0) {
      const sent = someOf(commits.map((c) => c.request.offset));
      out.push(violation('offsets', `${where(r)}: final committed offset ${final.offset} was never sent (${opList(commits)} sent ${sent})`, commits));
    } else if (!writers.some(asked)) {
      out.push(violation('offsets', `${where(r)}: final committed offset ${final.offset} is what failed ${opList(writers)} sent, expected an acked or unknown op's offset`, writers));
    }
    if (largest !== undefined && final.offset < largest.request.offset) {
      out.push(violation('offsets', `${where(r)}: op ${largest.id} committed offset ${largest.request.offset} (acked), final committed offset is lower: ${final.offset}`, [largest]));
    }
  }
  return out;
}

function quotas({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const [user, sets] of index.quotas) {
    const final = image.clientQuota([{ entityType: 'user', entityName: user }])?.values.get(QUOTA_KEY);
    out.push(...growingValue('quotas', `user ${user}: `, QUOTA_KEY, sets, (s) => s.request.value, final));
  }
  return out;
}

function scram({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const [user, sets] of index.scram) {
    const final = image.scramUser(user)?.credentials.get(SCRAM_MECHANISM)?.iterations;
    out.push(...growingValue('scram', `user ${user}: `, 'SCRAM-SHA-256 iterations', sets, (s) => s.request.iterations, final));
  }
  return out;
}

/**
 * One value set by sequential ops whose values only grow: the final value must have been sent by
 * an op that was asked (not a failed one, not a value never sent) and be at least the largest
 * acked one; an acked set with no final value is lost.
 */
function growingValue<O extends OpRecord>(check: CheckName, who: string, what: string, sets: readonly O[], valueOf: (op: O) => number, final: number | undefined): Violation[] {
  let largest: O | undefined;
  for (const s of sets) if (s.outcome === 'ok' && (largest === undefined || valueOf(s) > valueOf(largest))) largest = s;
  if (final === undefined) {
    return largest === undefined ? [] : [violation(check, `${who}op ${largest.id} set ${what} ${valueOf(largest)} (acked), final image has no such value`, [largest])];
  }
  const out: Violation[] = [];
  const writers = sets.filter((s) => valueOf(s) === final);
  if (writers.length === 0) {
    out.push(violation(check, `${who}final ${what} ${final} was never sent (${opList(sets)} sent ${someOf(sets.map(valueOf))})`, sets));
  } else if (!writers.some(asked)) {
    out.push(violation(check, `${who}final ${what} ${final} is what failed ${opList(writers)} sent, expected an acked or unknown op's value`, writers));
  }
  if (largest !== undefined && final < valueOf(largest)) {
    out.push(violation(check, `${who}op ${largest.id} set ${what} ${valueOf(largest)} (acked), final value is lower: ${final}`, [largest]));
  }
  return out;
}

type AckedAlter = AlterOp & { readonly result: { readonly kind: 'alter-isr'; readonly leaderEpoch: number; readonly partitionEpoch: number } };

function alterIsr({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const alters of index.alters.values()) {
    const { topic, partition } = first(alters).request;
    if (index.deleteAsked.has(topic)) continue; // a recreated topic starts its epochs again
    const acked: AckedAlter[] = [];
    for (const a of alters) {
      if (a.outcome !== 'ok') continue;
      if (a.result?.kind === 'alter-isr') acked.push(a as AckedAlter);
      else out.push(violation('alter-isr', `op ${a.id} alter-isr ${topic}-${partition} was acked without epochs (result ${JSON.stringify(a.result)})`, [a]));
    }
    if (acked.length === 0) continue;
    const t = image.topicByName(topic);
    // An acked AlterPartition proves the topic was committed, and only a delete removes one.
    if (t === undefined) out.push(violation('alter-isr', `${opList(acked)} alter-isr ${topic}-${partition} acked and no delete of ${topic} was asked, final image has no topic ${topic}`, acked));
    else out.push(...alterIsrAgainstImage(t, partition, acked));
    out.push(...alterIsrOrder(topic, partition, acked));
  }
  return out;
}

/** Epochs only grow, so the final partition holds at least what every acked AlterPartition returned. */
function alterIsrAgainstImage(t: TopicImage, partition: number, acked: readonly AckedAlter[]): Violation[] {
  const p: PartitionRegistration | undefined = t.partitions[partition];
  if (p === undefined) {
    return [violation('alter-isr', `${opList(acked)} alter-isr ${t.name}-${partition} acked, final image has only ${t.partitions.length} partitions`, acked)];
  }
  const out: Violation[] = [];
  for (const a of acked) {
    const behind: string[] = [];
    if (p.partitionEpoch < a.result.partitionEpoch) behind.push(`partitionEpoch ${p.partitionEpoch} < acked ${a.result.partitionEpoch}`);
    if (p.leaderEpoch < a.result.leaderEpoch) behind.push(`leaderEpoch ${p.leaderEpoch} < acked ${a.result.leaderEpoch}`);
    if (behind.length > 0) out.push(violation('alter-isr', `op ${a.id} alter-isr ${t.name}-${partition}: final image went back: ${behind.join(', ')}`, [a]));
  }
  return out;
}

/**
 * Ops that do not overlap are ordered: B invoked after A completed commits after A, so B's
 * partition epoch is above A's. A sweep over completions (sorted) keeps, for each B in invocation
 * order, the highest epoch acked by an op that completed strictly before B was invoked.
 */
function alterIsrOrder(topic: string, partition: number, acked: readonly AckedAlter[]): Violation[] {
  const out: Violation[] = [];
  const byCompletion = [...acked].sort((a, b) => a.completedAtMs - b.completedAtMs);
  const byInvocation = [...acked].sort((a, b) => a.invokedAtMs - b.invokedAtMs);
  let i = 0;
  let highest: AckedAlter | undefined;
  for (const b of byInvocation) {
    for (let a = byCompletion[i]; a !== undefined && a.completedAtMs < b.invokedAtMs; a = byCompletion[++i]) {
      if (highest === undefined || a.result.partitionEpoch > highest.result.partitionEpoch) highest = a;
    }
    if (highest !== undefined && b.result.partitionEpoch <= highest.result.partitionEpoch) {
      const message =
        `${topic}-${partition}: op ${b.id} alter-isr (invoked at ${b.invokedAtMs}ms) acked partitionEpoch ${b.result.partitionEpoch}, ` +
        `expected above ${highest.result.partitionEpoch} that op ${highest.id} acked on completing at ${highest.completedAtMs}ms`;
      out.push(violation('alter-isr', message, [highest, b]));
    }
  }
  return out;
}

function reassign({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const ops of index.reassigns.values()) {
    const { topic, partition } = first(ops).request;
    if (index.deleteAsked.has(topic)) continue;
    const askedOps = ops.filter(asked);
    let last: ReassignOp | undefined;
    for (const o of askedOps) if (last === undefined || o.invokedAtMs > last.invokedAtMs) last = o;
    if (last === undefined || last.outcome !== 'ok') continue;
    // Another asked op still running when the last was invoked may be linearized after it.
    if (askedOps.some((o) => o !== last && o.completedAtMs >= last.invokedAtMs)) continue;
    const p = image.topicByName(topic)?.partitions[partition];
    if (p === undefined) continue; // acked-create-present reports a topic that should be there
    const target = last.request.replicas;
    const moving = p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
    const state = `replicas ${p.replicas.join(',')}, adding ${p.addingReplicas.join(',') || '-'}, removing ${p.removingReplicas.join(',') || '-'}`;
    if (target === null) {
      if (moving) out.push(violation('reassign', `${topic}-${partition}: op ${last.id} cancelled its move (acked, the last asked), final image has a move in flight (${state})`, [last]));
      continue;
    }
    const onTarget = p.replicas.length - p.removingReplicas.length === target.length && target.every((r, i) => p.replicas[i] === r);
    if (!onTarget) out.push(violation('reassign', `${topic}-${partition}: op ${last.id} moved it to ${target.join(',')} (acked, the last asked), final image has ${state}`, [last]));
  }
  return out;
}

function commitOrder({ index, image }: Context): Violation[] {
  const out: Violation[] = [];
  for (const commits of index.commits.values()) {
    const r = first(commits).request;
    if (index.deleteAsked.has(r.topic)) continue;
    const final = image.committedOffset(r.group, r.topic, r.partition);
    if (final === undefined) continue; // offsets reports a lost acked commit
    // The acked commit invoked last: any op completed before it was invoked is linearized before it.
    let latest: CommitOp | undefined;
    for (const c of commits) if (c.outcome === 'ok' && (latest === undefined || c.invokedAtMs > latest.invokedAtMs)) latest = c;
    if (latest === undefined) continue;
    const writers = commits.filter((c) => asked(c) && c.request.offset === final.offset);
    if (writers.length === 0) continue; // offsets reports a final value no asked op sent
    // An unknown op may take effect any time after its invocation, so only ok writers are pinned.
    const overtaken = writers.every((w) => w.outcome === 'ok' && w.completedAtMs < latest.invokedAtMs);
    if (!overtaken) continue;
    const completed = Math.max(...writers.map((w) => w.completedAtMs));
    const message =
      `${where(r)}: final committed offset ${final.offset} is what ${opList(writers)} committed (completed by ${completed}ms), ` +
      `but op ${latest.id} (offset ${latest.request.offset}) was acked and invoked at ${latest.invokedAtMs}ms, after: expected ${latest.request.offset} or a later commit`;
    out.push(violation('commit-order', message, [...writers, latest]));
  }
  return out;
}

function imageInvariants(image: MetadataImageView, replayErrors: readonly string[]): Violation[] {
  return [...replayErrors, ...checkImage(image)].map((message) => ({ check: 'image-invariants', message, opIds: [] }));
}
