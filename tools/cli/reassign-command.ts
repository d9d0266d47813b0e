// `metaquorum reassign-partitions --generate | --execute | --verify | --cancel | --list`: Kafka's
// kafka-reassign-partitions over AlterPartitionReassignments and ListPartitionReassignments
// (quorum/controller/replication/reassignments.ts has the state machine).
//
// The partitions come from a plan in Kafka's JSON format (--reassignment-json-file, see
// reassignment-plan.ts) or, for one partition, from --topic/--partition/--replicas.
//   --generate proposes such a plan: the topics of --topics-to-move-json-file placed on
//              --broker-list as the controller places new topics (rack-aware unless
//              --disable-rack-aware), each keeping its replication factor; changes nothing.
//   --execute  prints the current assignment of the plan's partitions as a plan (keep it to roll
//              back), then starts each move; a move finishes by itself once the new replicas are
//              in sync. Per-partition refusals go to stderr and make the exit code 1. As Kafka's,
//              it refuses while any move is in flight unless --additional is given.
//   --verify   says for each partition whether its move is done, still in progress, or done with
//              other replicas than the plan's; exit 0 only when every one is done as planned, so
//              a script can poll it.
//   --cancel   stops the moves in flight: each partition goes back to the replicas it had before
//              the move (Kafka KRaft's revert: its replicas minus those being added, so the order,
//              and with it the preferred leader, may differ). A partition of the plan not moving
//              (any more) is said so, and is not a failure.
//   --list     every move in flight in the cluster.
// --json prints one object instead (execute: the rollback plan and each outcome).

import { InvalidArgumentError, Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { ListPartitionReassignmentsResponse, ReassignableTopicResult } from '../../quorum/controller/replication/reassignments.js';
import type { DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import { brokerListArg, brokerIdsArg } from './admin-args.js';
import { ItemsFailedError, reportItems, type ItemOutcome } from './admin-errors.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { action, print, UsageError } from './common.js';
import { errorText, isErrorCode, writeLines } from './format.js';
import { groupByTopic, parseReassignmentPlan, parseTopicsToMove, planJson, type PlannedMove } from './reassignment-plan.js';
import { placeReplicas, type UsableBroker } from '../../quorum/controller/replication/placement.js';

interface ReassignOptions extends ReadOptions {
  readonly additional: boolean;
  readonly generate: boolean;
  readonly topicsToMoveJsonFile?: string;
  readonly brokerList?: readonly number[];
  readonly disableRackAware: boolean;
  readonly execute: boolean;
  readonly verify: boolean;
  readonly cancel: boolean;
  readonly list: boolean;
  readonly reassignmentJsonFile?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly replicas?: readonly number[];
}

type Action = 'generate' | 'execute' | 'verify' | 'cancel' | 'list';

function chosenAction(opts: ReassignOptions): Action {
  const chosen = (['generate', 'execute', 'verify', 'cancel', 'list'] as const).filter((a) => opts[a]);
  if (chosen.length !== 1) throw new UsageError('reassign-partitions: give exactly one of --generate, --execute, --verify, --cancel and --list');
  return chosen[0]!;
}

/** The partitions the action is about, from the plan file or the single-partition flags. */
export function plannedMoves(opts: ReassignOptions, act: Exclude<Action, 'list' | 'generate'>): PlannedMove[] {
  const needReplicas = act !== 'cancel';
  const single = opts.topic !== undefined || opts.partition !== undefined || opts.replicas !== undefined;
  if (opts.reassignmentJsonFile !== undefined) {
    if (single) throw new UsageError('reassign-partitions: give --reassignment-json-file or --topic/--partition/--replicas, not both');
    let text: string;
    try {
      text = readFileSync(opts.reassignmentJsonFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--reassignment-json-file: cannot read ${opts.reassignmentJsonFile}: ${(e as Error).message}`);
    }
    return parseReassignmentPlan(text, opts.reassignmentJsonFile, needReplicas);
  }
  if (opts.topic === undefined || opts.partition === undefined) {
    throw new UsageError(`reassign-partitions --${act}: give --reassignment-json-file <file>, or --topic <name> and --partition <n>${needReplicas ? ' and --replicas <ids>' : ''}`);
  }
  if (needReplicas && opts.replicas === undefined) throw new UsageError(`reassign-partitions --${act}: --replicas <ids> is missing`);
  if (!needReplicas && opts.replicas !== undefined) throw new UsageError('reassign-partitions --cancel: --replicas is not used (a cancel goes back to the replicas the partition had)');
  return [{ topic: opts.topic, partition: opts.partition, ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }) }];
}

const partitionName = (topic: string, partition: number) => `${topic}-${partition}`;

/** Each move's outcome, in plan order. */
function outcomesOf(moves: readonly PlannedMove[], responses: readonly ReassignableTopicResult[], done: string, failed: string): ItemOutcome[] {
  const byKey = new Map<string, { errorCode: number; errorMessage: string | null }>();
  for (const t of responses) for (const p of t.partitions) byKey.set(partitionName(t.name, p.partitionIndex), p);
  return moves.map((m): ItemOutcome => {
    const name = partitionName(m.topic, m.partition);
    const r = byKey.get(name);
    if (r === undefined) return { name, ok: false, line: `error: no answer for ${name}` };
    if (isErrorCode(r.errorCode, 'NONE')) return { name, ok: true, line: `${done} ${name}.` };
    return { name, ok: false, line: `error: ${failed} ${name}: ${errorText(r.errorCode, r.errorMessage)}` };
  });
}

/** The plan that puts the moves' partitions back as they are now (partitions that do not exist are left out). */
function rollbackPlan(moves: readonly PlannedMove[], described: DescribeTopicsResponse): PlannedMove[] {
  const byName = new Map(described.topics.map((t) => [t.name, t]));
  const out: PlannedMove[] = [];
  for (const m of moves) {
    const p = byName.get(m.topic)?.partitions[m.partition];
    if (p !== undefined) out.push({ topic: m.topic, partition: m.partition, replicas: p.replicas.filter((r) => !(p.addingReplicas ?? []).includes(r)) });
  }
  return out;
}

/**
 * --generate: a plan moving the named topics onto --broker-list, placed as new topics are (the
 * controller's rack-aware placement, quorum/controller/replication/placement.ts; Kafka's
 * assignReplicasToBrokers), each topic keeping its replication factor. Nothing is changed: it
 * prints the current assignment and the proposal, to review and pass to --execute.
 */
async function generate(opts: ReassignOptions): Promise<void> {
  if (opts.topicsToMoveJsonFile === undefined || opts.brokerList === undefined) {
    throw new UsageError('reassign-partitions --generate: give --topics-to-move-json-file <file> and --broker-list <ids>');
  }
  let text: string;
  try {
    text = readFileSync(opts.topicsToMoveJsonFile, 'utf8');
  } catch (e) {
    throw new UsageError(`--topics-to-move-json-file: cannot read ${opts.topicsToMoveJsonFile}: ${(e as Error).message}`);
  }
  const names = parseTopicsToMove(text, opts.topicsToMoveJsonFile);
  const brokerList = opts.brokerList;
  await withAdmin(opts, async (rpc, callOptions) => {
    const described = await rpc.call('describeTopics', { names }, callOptions);
    if (described.unknown.length > 0) throw new ItemsFailedError(described.unknown, `unknown topic${described.unknown.length === 1 ? '' : 's'}: ${described.unknown.join(', ')}`);
    const cluster = await rpc.call('describeCluster', {}, callOptions);
    const racks = new Map(cluster.brokers.map((b) => [b.brokerId, b.rack]));
    const unregistered = brokerList.filter((id) => !racks.has(id));
    if (unregistered.length > 0) throw new ItemsFailedError(unregistered.map(String), `--broker-list names broker(s) ${unregistered.join(', ')}, not registered in the cluster`);
    const brokers: UsableBroker[] = brokerList.map((brokerId) => ({ brokerId, rack: opts.disableRackAware ? null : (racks.get(brokerId) ?? null) }));
    const current: PlannedMove[] = [];
    const proposed: PlannedMove[] = [];
    for (const t of described.topics) {
      const first = t.partitions[0];
      if (first === undefined) continue;
      const replicationFactor = first.replicas.length - (first.removingReplicas?.length ?? 0);
      const placement = placeReplicas({ startPartition: 0, partitions: t.partitions.length, replicationFactor }, brokers, { next: Math.random });
      if (!placement.ok) throw new ItemsFailedError([t.name], `topic ${t.name} has replication factor ${replicationFactor}, more than the ${brokers.length} broker(s) of --broker-list`);
      t.partitions.forEach((p, i) => {
        current.push({ topic: t.name, partition: p.partition, replicas: p.replicas.filter((r) => !(p.addingReplicas ?? []).includes(r)) });
        proposed.push({ topic: t.name, partition: p.partition, replicas: placement.assignments[i]! });
      });
    }
    if (opts.json) print(true, { current: JSON.parse(planJson(current)), proposed: JSON.parse(planJson(proposed)) }, () => '');
    else writeLines(['Current partition replica assignment', planJson(current), '', 'Proposed partition reassignment configuration', planJson(proposed)]);
  });
}

async function execute(opts: ReassignOptions): Promise<void> {
  const moves = plannedMoves(opts, 'execute');
  await withAdmin(opts, async (rpc, callOptions) => {
    if (!opts.additional) {
      // As Kafka: moves already in flight are not replaced or added to by accident.
      const ongoing = await rpc.call('listPartitionReassignments', { topics: null }, callOptions);
      const moving = ongoing.topics.flatMap((t) => t.partitions.map((p) => partitionName(t.name, p.partitionIndex)));
      if (moving.length > 0) {
        throw new ItemsFailedError(moving, `Cannot execute because there is an existing partition assignment (${moving.slice(0, 10).join(', ')}${moving.length > 10 ? `, … ${moving.length} in all` : ''}). Use --additional to override this and create a new partition assignment in addition to the existing one.`);
      }
    }
    const described = await rpc.call('describeTopics', { names: [...new Set(moves.map((m) => m.topic))] }, callOptions);
    // As Kafka's tool: a plan naming a partition that does not exist is refused before anything is
    // printed or started (an empty rollback plan was printed, then the controller's refusals).
    const partitionCount = new Map(described.topics.map((t) => [t.name, t.partitions.length]));
    const missing = moves.filter((m) => m.partition >= (partitionCount.get(m.topic) ?? 0)).map((m) => partitionName(m.topic, m.partition));
    if (missing.length > 0) {
      throw new ItemsFailedError(missing, `nothing started: the plan names partitions that do not exist: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, … ${missing.length} in all` : ''}`);
    }
    const rollback = rollbackPlan(moves, described);
    const request = { topics: groupByTopic(moves, (m) => ({ partitionIndex: m.partition, replicas: m.replicas! })) };
    const response = await rpc.call('alterPartitionReassignments', request, callOptions);
    const outcomes = outcomesOf(moves, response.responses, 'Successfully started partition reassignment for', 'cannot reassign');
    if (opts.json) {
      print(true, { rollback: JSON.parse(planJson(rollback)), results: outcomes.map((o) => ({ partition: o.name, ok: o.ok, ...(o.ok ? {} : { error: o.line.replace(/^error: /, '') }) })) }, () => '');
      const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
      if (failed.length > 0) throw new ItemsFailedError(failed, `could not reassign ${failed.length} of ${outcomes.length} partitions: ${failed.join(', ')}`);
      return;
    }
    writeLines(['Current partition replica assignment', '', planJson(rollback), '', 'Save this to use as the --reassignment-json-file option during rollback']);
    reportItems(outcomes, 'reassign', 'partitions');
  });
}

async function cancel(opts: ReassignOptions): Promise<void> {
  const moves = plannedMoves(opts, 'cancel');
  await withAdmin(opts, async (rpc, callOptions) => {
    const request = { topics: groupByTopic(moves, (m) => ({ partitionIndex: m.partition, replicas: null })) };
    const response = await rpc.call('alterPartitionReassignments', request, callOptions);
    // A partition with no move in flight (done already, or never started) has nothing to cancel:
    // as Kafka's tool, which cancels only the plan's partitions still moving, not a failure.
    const idle = new Set<string>();
    for (const t of response.responses) for (const p of t.partitions) if (isErrorCode(p.errorCode, 'NO_REASSIGNMENT_IN_PROGRESS')) idle.add(partitionName(t.name, p.partitionIndex));
    const outcomes = outcomesOf(moves, response.responses, 'Successfully cancelled partition reassignment for', 'cannot cancel the reassignment of').map((o) =>
      idle.has(o.name) ? { name: o.name, ok: true, line: `There is no active reassignment of partition ${o.name}.` } : o,
    );
    if (opts.json) print(true, { results: outcomes.map((o) => ({ partition: o.name, ok: o.ok, ...(idle.has(o.name) ? { active: false } : {}), ...(o.ok ? {} : { error: o.line.replace(/^error: /, '') }) })) }, () => '');
    else reportItems(outcomes, 'cancel the reassignment of', 'partitions');
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
    if (opts.json && failed.length > 0) throw new ItemsFailedError(failed, `could not cancel the reassignment of ${failed.length} of ${outcomes.length} partitions: ${failed.join(', ')}`);
  });
}

export type VerifyState = 'done' | 'in-progress' | 'other-replicas' | 'unknown-partition';

export interface VerifiedMove {
  readonly partition: string;
  readonly state: VerifyState;
  readonly replicas: readonly number[] | null;
  readonly target: readonly number[];
}

/** Where each planned move stands, from the moves in flight and the partitions as described. */
export function verifyMoves(moves: readonly PlannedMove[], ongoing: ListPartitionReassignmentsResponse, described: DescribeTopicsResponse): VerifiedMove[] {
  const moving = new Set(ongoing.topics.flatMap((t) => t.partitions.map((p) => partitionName(t.name, p.partitionIndex))));
  const byName = new Map(described.topics.map((t) => [t.name, t]));
  return moves.map((m): VerifiedMove => {
    const name = partitionName(m.topic, m.partition);
    const target = m.replicas ?? [];
    const p = byName.get(m.topic)?.partitions[m.partition];
    if (p === undefined) return { partition: name, state: 'unknown-partition', replicas: null, target };
    // The describe may come from a broker's own image, behind the controller's list: a partition it
    // still sees moving is in progress, not "on other replicas" (the half-moved replica list).
    if (moving.has(name) || p.addingReplicas !== undefined) return { partition: name, state: 'in-progress', replicas: p.replicas, target };
    const same = p.replicas.length === target.length && p.replicas.every((r, i) => r === target[i]);
    return { partition: name, state: same ? 'done' : 'other-replicas', replicas: p.replicas, target };
  });
}

function verifyLine(v: VerifiedMove): string {
  switch (v.state) {
    case 'done':
      return `Reassignment of partition ${v.partition} is completed.`;
    case 'in-progress':
      return `Reassignment of partition ${v.partition} is still in progress.`;
    case 'other-replicas':
      return `There is no active reassignment of partition ${v.partition}, but replica set is ${v.replicas!.join(',')} rather than ${v.target.join(',')}.`;
    case 'unknown-partition':
      return `Partition ${v.partition} does not exist.`;
  }
}

async function verify(opts: ReassignOptions): Promise<void> {
  const moves = plannedMoves(opts, 'verify');
  await withAdmin(opts, async (rpc, callOptions) => {
    const topics = groupByTopic(moves, (m) => m.partition).map((t) => ({ name: t.name, partitionIndexes: t.partitions }));
    const ongoing = await rpc.call('listPartitionReassignments', { topics }, callOptions);
    const described = await rpc.call('describeTopics', { names: topics.map((t) => t.name) }, callOptions);
    const verified = verifyMoves(moves, ongoing, described);
    if (opts.json) print(true, { partitions: verified }, () => '');
    else writeLines(['Status of partition reassignment:', ...verified.map(verifyLine)]);
    const notDone = verified.filter((v) => v.state !== 'done').map((v) => v.partition);
    if (notDone.length > 0) throw new ItemsFailedError(notDone, `${notDone.length} of ${verified.length} partitions not reassigned as planned (yet): ${notDone.join(', ')}`);
  });
}

async function list(opts: ReassignOptions): Promise<void> {
  if (opts.reassignmentJsonFile !== undefined || opts.topic !== undefined || opts.partition !== undefined || opts.replicas !== undefined) {
    throw new UsageError('reassign-partitions --list: lists every move in flight; it takes no plan or partition');
  }
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('listPartitionReassignments', { topics: null }, callOptions);
    if (opts.json) {
      print(true, response, () => '');
      return;
    }
    const lines = response.topics.flatMap((t) =>
      t.partitions.map((p) => `${partitionName(t.name, p.partitionIndex)}: replicas: ${p.replicas.join(',')}. adding: ${p.addingReplicas.join(',')}. removing: ${p.removingReplicas.join(',')}.`),
    );
    writeLines(lines.length === 0 ? ['No partition reassignments found.'] : ['Current partition reassignments:', ...lines]);
  });
}

function partitionArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 2_147_483_647) throw new InvalidArgumentError(`--partition must be a partition number, got "${value}"`);
  return n;
}

export function registerReassignCommand(program: Command): void {
  const cmd = program
    .command('reassign-partitions')
    .description(
      "Move partitions' replicas to other brokers (Kafka's kafka-reassign-partitions): --generate proposes a plan, --execute starts the moves of a plan, --verify says whether they are done, --cancel stops them, --list shows every move in flight.",
    )
    .option('--generate', 'propose a plan moving the topics of --topics-to-move-json-file onto --broker-list (changes nothing)', false)
    .option('--topics-to-move-json-file <file>', 'with --generate: {"version":1,"topics":[{"topic":"t"}]}')
    .addOption(new Option('--broker-list <ids>', 'with --generate: the brokers to place the replicas on ("4,5,6")').argParser(brokerIdsArg))
    .option('--disable-rack-aware', 'with --generate: ignore the brokers\' racks', false)
    .option('--execute', "start the plan's moves (prints the current assignment first, as a plan to roll back with)", false)
    .option('--additional', 'with --execute: go ahead while other moves are in flight (a partition of the plan already moving is re-targeted)', false)
    .option('--verify', "report whether each of the plan's moves is done; exit 1 while any is not", false)
    .option('--cancel', "stop the plan's moves in flight: each partition keeps the replicas it had before the move (those being added are dropped; their order, and so the preferred leader, may change)", false)
    .option('--list', 'list every partition being moved', false)
    .option('--reassignment-json-file <file>', 'the plan, in Kafka\'s format: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[4,5,6]}]}')
    .option('--topic <name>', 'instead of a plan: the topic of one partition')
    .addOption(new Option('--partition <n>', 'instead of a plan: the partition number').argParser(partitionArg))
    .addOption(new Option('--replicas <ids>', 'instead of a plan: the new replicas, preferred leader first ("4,5,6")').argParser(brokerListArg));
  addAdminOptions(cmd, { json: true }).action(
    action(async (opts: ReassignOptions) => {
      const act = chosenAction(opts);
      const generating = opts.topicsToMoveJsonFile !== undefined || opts.brokerList !== undefined || opts.disableRackAware;
      if (generating && act !== 'generate') throw new UsageError(`reassign-partitions --${act}: --topics-to-move-json-file, --broker-list and --disable-rack-aware go with --generate`);
      if (act === 'generate' && (opts.reassignmentJsonFile !== undefined || opts.topic !== undefined || opts.partition !== undefined || opts.replicas !== undefined)) {
        throw new UsageError('reassign-partitions --generate: it writes a plan; --reassignment-json-file, --topic, --partition and --replicas go with the other actions');
      }
      if (act === 'generate') await generate(opts);
      else if (act === 'execute') await execute(opts);
      else if (act === 'verify') await verify(opts);
      else if (act === 'cancel') await cancel(opts);
      else await list(opts);
    }),
  );
}
