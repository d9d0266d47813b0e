// `metaquorum consumer-groups`: consumer groups as the metadata log holds them, in the spirit of
// Kafka's kafka-consumer-groups.sh. Read from one node's image (describeGroups): each group's
// stored membership (its last completed rebalance: generation, members, assignments) and its
// committed offsets. What only the group's coordinator knows (a rebalance under way, members that
// joined since) and what needs a data plane (LOG-END-OFFSET, LAG) is not shown.
//
//   --list                          GROUP, STATE
//   --describe (--group g ... | --all-groups)
//        (default) --offsets        GROUP, TOPIC, PARTITION, CURRENT-OFFSET, CONSUMER-ID, HOST,
//                                   CLIENT-ID: each committed offset and each assigned partition,
//                                   with the member it is assigned to ('-' for none)
//        --members                  GROUP, CONSUMER-ID, GROUP-INSTANCE-ID, HOST, CLIENT-ID,
//                                   #PARTITIONS, ASSIGNMENT
//        --state                    GROUP, STATE, GENERATION, PROTOCOL-TYPE, ASSIGNMENT-STRATEGY,
//                                   #MEMBERS, LEADER
// A member's assignment is read as a consumer's ConsumerProtocolAssignment (version, then the V0
// prefix: topics with their partitions); a group of another protocol type shows '-' for it.
// --json prints the answer with each assignment decoded (null when it is not a consumer's).
// A group named with --group that does not exist (state Dead) is reported on stderr and makes the
// exit code 1, the others still printed, as configs describe does with an unknown topic: a script
// checking a group must not take a typo for an empty group.
//
//   --reset-offsets (--group g ... | --all-groups) (--topic t[:p,...] ... | --all-topics)
//        (--to-offset n | --shift-by n | --to-earliest | --to-current) [--execute]
//                                   GROUP, TOPIC, PARTITION, NEW-OFFSET; written only with --execute
//   --delete --group g ...          each group's offsets and stored membership removed
// Both refuse a group with stored members, as Kafka's tool refuses an active group.
//   --delete-offsets --group g (--topic t[:p,...] ...)
//                                   TOPIC, PARTITION, STATUS: those offsets of one group removed;
//                                   a group with members keeps those of its subscribed topics
// (./consumer-groups-write.ts)

import type { Command } from 'commander';
import { KafkaReader } from '../../broker/kafka/protocol/reader.js';
import type { DescribedGroup, DescribeGroupsResponse } from '../../quorum/server/rpc-methods.js';
import { action, errorJson, noteText, print, UsageError } from './common.js';
import { errorName } from '../../quorum/controller/errors.js';
import { deleteOffsetsOf, resetOffsets, resetSpecOf, type DeleteOffsetsOutcome, type ResetOutcome } from './consumer-groups-write.js';
import { ItemsFailedError } from './admin-errors.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { renderTable } from './format.js';

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** A consumer's assigned partitions, or null when the bytes are not a ConsumerProtocolAssignment. */
export function consumerAssignment(bytes: Uint8Array): TopicPartitions[] | null {
  if (bytes.length === 0) return [];
  try {
    const r = new KafkaReader(bytes);
    if (r.int16('version') < 0) return null;
    return r.array((t) => ({ topic: t.string('topic'), partitions: t.int32Array('partitions') }), 6, 'assigned topics');
  } catch {
    return null;
  }
}

type View = 'offsets' | 'members' | 'state';

interface GroupsOptions extends ReadOptions {
  readonly list?: boolean;
  readonly describe?: boolean;
  readonly resetOffsets?: boolean;
  readonly delete?: boolean;
  readonly deleteOffsets?: boolean;
  readonly topic?: string[];
  readonly allTopics?: boolean;
  readonly toOffset?: string;
  readonly shiftBy?: string;
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toCurrent?: boolean;
  readonly execute?: boolean;
  readonly group?: string[];
  readonly allGroups?: boolean;
  readonly members?: boolean;
  readonly state?: boolean;
  readonly offsets?: boolean;
}

/** The assignment of a consumer group's member, decoded (null: not a consumer's). */
function assignmentOf(g: DescribedGroup, assignment: Uint8Array): TopicPartitions[] | null {
  return g.protocolType === 'consumer' ? consumerAssignment(assignment) : null;
}

const partitionText = (tps: readonly TopicPartitions[]): string => tps.map((t) => `${t.topic}(${t.partitions.join(',')})`).join(',');

export function renderGroupList(r: DescribeGroupsResponse): string {
  if (r.groups.length === 0) return 'No consumer groups.';
  return renderTable(['GROUP', 'STATE'], r.groups.map((g) => [g.groupId, g.state]));
}

/** The line for a group that does not exist (printed on stderr). */
export const missingGroupText = (groupId: string): string => `error: consumer group '${groupId}' does not exist`;

/** The groups that exist, as tables; those that do not are left to missingGroupText. */
export function renderGroups(r: DescribeGroupsResponse, view: View): string {
  const existing = r.groups.filter((g) => g.state !== 'Dead');
  if (existing.length === 0) return r.groups.length === 0 ? 'No consumer groups.' : '';
  const blocks = existing.map((g) => {
    if (view === 'state') {
      return renderTable(
        ['GROUP', 'STATE', 'GENERATION', 'PROTOCOL-TYPE', 'ASSIGNMENT-STRATEGY', '#MEMBERS', 'LEADER'],
        [[g.groupId, g.state, g.generationId < 0 ? '-' : String(g.generationId), g.protocolType || '-', g.protocolName || '-', String(g.members.length), g.leaderId || '-']],
      );
    }
    if (view === 'members') {
      if (g.members.length === 0) return `Consumer group '${g.groupId}' has no stored members (state ${g.state}).`;
      return renderTable(
        ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'],
        g.members.map((m) => {
          const a = assignmentOf(g, m.assignment);
          return [g.groupId, m.memberId, m.groupInstanceId ?? '-', m.clientHost, m.clientId, a === null ? '-' : String(a.reduce((n, t) => n + t.partitions.length, 0)), a === null ? '-' : partitionText(a) || '-'];
        }),
      );
    }
    // Offsets: every committed offset, and every assigned partition without one.
    const owner = new Map<string, { memberId: string; host: string; clientId: string }>();
    for (const m of g.members) {
      for (const t of assignmentOf(g, m.assignment) ?? []) for (const p of t.partitions) owner.set(`${t.topic}\u0000${p}`, { memberId: m.memberId, host: m.clientHost, clientId: m.clientId });
    }
    const rows = new Map<string, string[]>();
    const row = (topic: string, partition: number, offset: string): string[] => {
      const o = owner.get(`${topic}\u0000${partition}`);
      return [g.groupId, topic, String(partition), offset, o?.memberId ?? '-', o?.host ?? '-', o?.clientId ?? '-'];
    };
    for (const o of g.offsets) rows.set(`${o.topic}\u0000${o.partition}`, row(o.topic, o.partition, String(o.offset)));
    for (const key of owner.keys()) {
      if (rows.has(key)) continue;
      const cut = key.indexOf('\u0000');
      rows.set(key, row(key.slice(0, cut), Number(key.slice(cut + 1)), '-'));
    }
    if (rows.size === 0) return `Consumer group '${g.groupId}' has no committed offsets and no assigned partitions (state ${g.state}).`;
    const sorted = [...rows.values()].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : Number(a[2]) - Number(b[2])));
    return renderTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], sorted);
  });
  return blocks.join('\n\n');
}

/** --json: the answer with assignments decoded. */
function jsonOf(r: DescribeGroupsResponse): unknown {
  return { ...r, groups: r.groups.map((g) => ({ ...g, members: g.members.map((m) => ({ ...m, assignment: assignmentOf(g, m.assignment) })) })) };
}

function viewOf(opts: GroupsOptions): View {
  const chosen = (['members', 'state', 'offsets'] as const).filter((v) => opts[v] === true);
  if (chosen.length > 1) throw new UsageError(`choose one of --members, --state and --offsets (got ${chosen.map((v) => `--${v}`).join(' and ')})`);
  return chosen[0] ?? 'offsets';
}

export function renderReset(r: ResetOutcome): string {
  const rows = r.groups.flatMap((g) => g.partitions.map((p) => [g.groupId, p.topic, String(p.partition), String(p.offset)]));
  const lines = rows.length === 0 ? ['No offsets to reset.'] : [renderTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], rows)];
  for (const g of r.groups) for (const s of g.skipped) lines.push(`${g.groupId}: ${s.topic}-${s.partition} left out: ${s.reason}`);
  return lines.join('\n');
}

/** Kafka's tool's words for a group-level refusal, then each partition's status. */
export function renderDeleteOffsets(r: DeleteOffsetsOutcome): string {
  if (r.error !== null) return `Offsets of group '${r.groupId}' were not deleted: ${r.error}`;
  const failed = r.partitions.some((p) => p.error !== null);
  const head = failed ? `Some offsets of group '${r.groupId}' were not deleted; see each partition:` : `Request succeeded for deleting offsets of group '${r.groupId}'.`;
  return [head, renderTable(['TOPIC', 'PARTITION', 'STATUS'], r.partitions.map((p) => [p.topic, String(p.partition), p.error === null ? 'Successful' : `Error: ${p.error}`]))].join('\n');
}

type GroupsAction = 'list' | 'describe' | 'reset' | 'delete' | 'delete-offsets';

/** The options that belong to one action only (any other action refuses them rather than ignore them). */
const ACTION_OPTIONS: readonly { readonly flag: string; readonly given: (o: GroupsOptions) => boolean; readonly actions: readonly GroupsAction[] }[] = [
  { flag: '--offsets', given: (o) => o.offsets === true, actions: ['describe'] },
  { flag: '--members', given: (o) => o.members === true, actions: ['describe'] },
  { flag: '--state', given: (o) => o.state === true, actions: ['describe'] },
  { flag: '--topic', given: (o) => o.topic !== undefined, actions: ['reset', 'delete-offsets'] },
  { flag: '--all-topics', given: (o) => o.allTopics === true, actions: ['reset'] },
  { flag: '--to-offset', given: (o) => o.toOffset !== undefined, actions: ['reset'] },
  { flag: '--shift-by', given: (o) => o.shiftBy !== undefined, actions: ['reset'] },
  { flag: '--to-earliest', given: (o) => o.toEarliest === true, actions: ['reset'] },
  { flag: '--to-latest', given: (o) => o.toLatest === true, actions: ['reset'] },
  { flag: '--to-current', given: (o) => o.toCurrent === true, actions: ['reset'] },
  { flag: '--execute', given: (o) => o.execute === true, actions: ['reset'] },
];

const ACTION_FLAG: Readonly<Record<GroupsAction, string>> = { list: '--list', describe: '--describe', reset: '--reset-offsets', delete: '--delete', 'delete-offsets': '--delete-offsets' };

/** Exactly one of the actions, and no option of another (--delete --topic would delete the whole group, not the topic's offsets). */
function actionOf(opts: GroupsOptions): GroupsAction {
  const given = ([['list', opts.list], ['describe', opts.describe], ['reset', opts.resetOffsets], ['delete', opts.delete], ['delete-offsets', opts.deleteOffsets]] as const)
    .filter(([, on]) => on === true)
    .map(([a]) => a);
  if (given.length !== 1) throw new UsageError('give exactly one of --list, --describe, --reset-offsets, --delete and --delete-offsets');
  const act = given[0]!;
  const foreign = ACTION_OPTIONS.filter((o) => o.given(opts) && !o.actions.includes(act)).map((o) => o.flag);
  if (foreign.length > 0) {
    const hint = act === 'delete' && opts.topic !== undefined ? " (to delete one topic's offsets, use --delete-offsets)" : '';
    throw new UsageError(`${foreign.join(', ')} cannot be used with ${ACTION_FLAG[act]}${hint}`);
  }
  return act;
}

async function runReset(opts: GroupsOptions): Promise<void> {
  const groups = opts.group ?? [];
  if ((groups.length > 0) === (opts.allGroups === true)) throw new UsageError('--reset-offsets needs --group <id> (repeatable) or --all-groups');
  const topics = opts.topic ?? [];
  if ((topics.length > 0) === (opts.allTopics === true)) throw new UsageError('--reset-offsets needs exactly one of --topic <topic[:partitions]> (repeatable) and --all-topics');
  const spec = resetSpecOf(opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    const described = await rpc.call('describeGroups', opts.allGroups === true ? {} : { groupIds: groups }, callOptions);
    // A group that does not exist yet (Dead) may be given offsets, as Kafka's tool allows.
    const outcome = await resetOffsets(rpc, callOptions, described, spec, { topics, allTopics: opts.allTopics === true }, opts.execute === true);
    print(opts.json, outcome, (x) => renderReset(x as ResetOutcome));
    // Under --json each stderr line is a JSON object too.
    const itemError = (text: string) => process.stderr.write(opts.json ? `${errorJson(text)}\n` : `error: ${text}\n`);
    for (const r of outcome.refused) itemError(r.reason);
    const failed = outcome.groups.filter((g) => g.errors.length > 0);
    for (const g of failed) for (const e of g.errors) itemError(`${g.groupId}: ${e}`);
    if (!outcome.executed) process.stderr.write(noteText('dry run: nothing written; add --execute to commit these offsets'));
    const bad = [...outcome.refused.map((r) => r.groupId), ...failed.map((g) => g.groupId)];
    if (bad.length > 0) throw new ItemsFailedError(bad, `${bad.length} group(s) not reset: ${bad.join(', ')}`);
  });
}

async function runDelete(opts: GroupsOptions): Promise<void> {
  const groups = opts.group ?? [];
  if (groups.length === 0 || opts.allGroups === true) throw new UsageError('--delete needs --group <id> (repeatable); --all-groups is not taken');
  await withAdmin(opts, async (rpc, callOptions) => {
    const described = await rpc.call('describeGroups', { groupIds: groups }, callOptions);
    const active = new Map(described.groups.filter((g) => g.state === 'Stable').map((g) => [g.groupId, `NON_EMPTY_GROUP: the group has ${g.members.length} member(s) stored at generation ${g.generationId}`]));
    const deletable = [...new Set(groups)].filter((id) => !active.has(id));
    const answered = deletable.length === 0 ? { results: [] } : await rpc.call('deleteGroups', { groupIds: deletable }, callOptions);
    const byId = new Map(answered.results.map((r) => [r.groupId, r.errorCode === 0 ? null : `${errorName(r.errorCode)}${r.errorMessage === null ? '' : `: ${r.errorMessage}`}`]));
    const results = [...new Set(groups)].map((groupId) => ({ groupId, error: active.get(groupId) ?? byId.get(groupId) ?? null }));
    const failed = results.filter((r) => r.error !== null);
    const done = results.filter((r) => r.error === null).map((r) => `'${r.groupId}'`);
    print(opts.json, { results }, () =>
      [
        ...(done.length > 0 ? [`Deletion of requested consumer groups (${done.join(', ')}) was successful.`] : []),
        ...(failed.length > 0 ? ['Deletion of some consumer groups failed:', ...failed.map((r) => `* Group '${r.groupId}' could not be deleted due to: ${r.error}`)] : []),
      ].join('\n'),
    );
    if (failed.length > 0) throw new ItemsFailedError(failed.map((r) => r.groupId), `${failed.length} of ${results.length} group(s) not deleted: ${failed.map((r) => r.groupId).join(', ')}`);
  });
}

async function runDeleteOffsets(opts: GroupsOptions): Promise<void> {
  const groups = opts.group ?? [];
  if (groups.length !== 1 || opts.allGroups === true) throw new UsageError('--delete-offsets takes exactly one --group <id> (as Kafka\'s tool)');
  const topics = opts.topic ?? [];
  if (topics.length === 0) throw new UsageError('--delete-offsets needs --topic <topic[:partitions]> (repeatable)');
  await withAdmin(opts, async (rpc, callOptions) => {
    const outcome = await deleteOffsetsOf(rpc, callOptions, groups[0]!, topics);
    print(opts.json, outcome, (x) => renderDeleteOffsets(x as DeleteOffsetsOutcome));
    const failed = outcome.partitions.filter((p) => p.error !== null).map((p) => `${p.topic}-${p.partition}`);
    if (outcome.error !== null) throw new ItemsFailedError([outcome.groupId], `group ${outcome.groupId}: ${outcome.error}`);
    if (failed.length > 0) throw new ItemsFailedError(failed, `${failed.length} of ${outcome.partitions.length} offset(s) not deleted: ${failed.join(', ')}`);
  });
}

async function run(opts: GroupsOptions): Promise<void> {
  const act = actionOf(opts);
  if (act === 'reset') return runReset(opts);
  if (act === 'delete') return runDelete(opts);
  if (act === 'delete-offsets') return runDeleteOffsets(opts);
  if (opts.list === true) {
    if (opts.group !== undefined || opts.allGroups === true) throw new UsageError('--list lists every group: --group and --all-groups go with --describe');
    await withAdmin(opts, async (rpc, callOptions) => {
      const r = await rpc.call('describeGroups', {}, callOptions);
      print(opts.json, opts.json ? { metadataOffset: r.metadataOffset, groups: r.groups.map((g) => ({ groupId: g.groupId, state: g.state })) } : r, (x) => renderGroupList(x as DescribeGroupsResponse));
    });
    return;
  }
  const groups = opts.group ?? [];
  if ((groups.length > 0) === (opts.allGroups === true)) throw new UsageError('--describe needs --group <id> (repeatable) or --all-groups');
  const view = viewOf(opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    const r = await rpc.call('describeGroups', opts.allGroups === true ? {} : { groupIds: groups }, callOptions);
    const missing = r.groups.filter((g) => g.state === 'Dead').map((g) => g.groupId);
    if (opts.json) print(true, jsonOf(r), () => '');
    else {
      const text = renderGroups(r, view);
      if (text !== '') process.stdout.write(`${text}\n`);
      for (const id of missing) process.stderr.write(`${missingGroupText(id)}\n`);
    }
    if (missing.length > 0) {
      throw new ItemsFailedError(missing, `${missing.length} of ${r.groups.length} groups do not exist: ${missing.join(', ')}`);
    }
  });
}

export function registerConsumerGroupsCommand(program: Command): void {
  const cmd = program
    .command('consumer-groups')
    .description(
      "Consumer groups as the metadata log holds them (Kafka's kafka-consumer-groups --list / --describe / --reset-offsets / --delete / --delete-offsets): each group's membership as of its last completed rebalance, and its committed offsets. No LOG-END-OFFSET or LAG: brokers keep no partition data. Resets and deletes refuse a group with stored members (an active group), as Kafka's tool does; --delete-offsets refuses only the topics its stored members subscribe to.",
    )
    .option('--list', 'list every group with its state (Stable: membership stored; Empty: offsets only)')
    .option('--describe', 'describe the groups given with --group, or every group with --all-groups')
    .option('--reset-offsets', 'set the committed offsets of inactive groups (with --topic or --all-topics and one of --to-offset, --shift-by, --to-earliest, --to-current); a dry run unless --execute')
    .option('--delete', 'delete inactive groups given with --group: their offsets and stored membership')
    .option('--delete-offsets', "delete one group's offsets of the partitions given with --topic (a group with members keeps those of the topics it subscribes to)")
    .option('--group <id>', 'a group to act on (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--all-groups', 'every group (--describe, --reset-offsets)')
    .option('--topic <topic[:p,...]>', 'with --reset-offsets or --delete-offsets: a topic (all its partitions) or some of its partitions (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--all-topics', 'with --reset-offsets: every partition the group has an offset for')
    .option('--to-offset <n>', 'with --reset-offsets: this offset')
    .option('--shift-by <n>', 'with --reset-offsets: the committed offset plus n (n may be negative; not below 0)')
    .option('--to-earliest', 'with --reset-offsets: offset 0 (brokers keep no log, so the earliest offset is 0)')
    .option('--to-latest', 'not available: brokers keep no log end offsets')
    .option('--to-current', 'with --reset-offsets: the committed offset again')
    .option('--execute', 'with --reset-offsets: write the offsets (without it, only the plan is printed)')
    .option('--offsets', 'with --describe: committed offsets and assigned partitions, with the member each is assigned to (the default)')
    .option('--members', 'with --describe: the members, their instance ids and assignments')
    .option('--state', 'with --describe: state, generation, protocol and leader');
  addAdminOptions(cmd, { json: true }).action(action(run));
}
