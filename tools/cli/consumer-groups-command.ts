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

import type { Command } from 'commander';
import { KafkaReader } from '../../broker/kafka/protocol/reader.js';
import type { DescribedGroup, DescribeGroupsResponse } from '../../quorum/server/rpc-methods.js';
import { action, print, UsageError } from './common.js';
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

async function run(opts: GroupsOptions): Promise<void> {
  if ((opts.list === true) === (opts.describe === true)) throw new UsageError('give exactly one of --list and --describe');
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
      "Consumer groups as the metadata log holds them (Kafka's kafka-consumer-groups --list / --describe): each group's membership as of its last completed rebalance, and its committed offsets. No LOG-END-OFFSET or LAG: brokers keep no partition data.",
    )
    .option('--list', 'list every group with its state (Stable: membership stored; Empty: offsets only)')
    .option('--describe', 'describe the groups given with --group, or every group with --all-groups')
    .option('--group <id>', 'a group to describe (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--all-groups', 'describe every group')
    .option('--offsets', 'with --describe: committed offsets and assigned partitions, with the member each is assigned to (the default)')
    .option('--members', 'with --describe: the members, their instance ids and assignments')
    .option('--state', 'with --describe: state, generation, protocol and leader');
  addAdminOptions(cmd, { json: true }).action(action(run));
}
