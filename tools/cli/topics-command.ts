// `metaquorum topics create|list|describe|delete|add-partitions`: Kafka's kafka-topics, mapped to
// CreateTopics, DescribeTopics, DeleteTopics and CreatePartitions.
//
// Writes answer per topic: each topic's outcome is printed (failures on stderr, with the Kafka
// error name and message) and any failure makes the exit code 1, naming the topics. --if-not-exists
// and --if-exists turn TOPIC_ALREADY_EXISTS and UNKNOWN_TOPIC_OR_PARTITION into successes.
// `describe` prints Kafka's layout (tab-separated, as kafka-topics does): a topic line, then a line
// per partition; names that do not exist are reported and make the exit code 1.

import { Option, type Command } from 'commander';
import type { CreatableReplicaAssignment, CreatableTopic, CreatableTopicConfig } from '../../quorum/controller/replication/create-topics.js';
import type { DescribedPartition, DescribedTopic, DescribeTopicsResponse } from '../../quorum/server/rpc-methods.js';
import { action, positiveIntArg, print, UsageError } from './common.js';
import { ItemsFailedError, reportItems, type ItemOutcome } from './admin-errors.js';
import { replicaAssignmentArg, topicConfigArg } from './admin-args.js';
import { addAdminOptions, withAdmin, type AdminOptions, type ReadOptions } from './admin-options.js';
import { unknownConfigHint } from './configs-command.js';
import { errorText, isErrorCode, writeLines } from './format.js';

interface CreateOptions extends AdminOptions {
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly config?: readonly CreatableTopicConfig[];
  readonly replicaAssignment?: readonly CreatableReplicaAssignment[];
  readonly validateOnly: boolean;
  readonly ifNotExists: boolean;
}

interface DeleteOptions extends AdminOptions {
  readonly ifExists: boolean;
}

interface AddPartitionsOptions extends AdminOptions {
  readonly total: number;
  readonly validateOnly: boolean;
}

/** The CreateTopics entries for `names`: explicit assignments, or counts (-1 = the controller's default). */
export function creatableTopics(names: readonly string[], opts: CreateOptions): CreatableTopic[] {
  const assignments = opts.replicaAssignment;
  if (assignments !== undefined && (opts.partitions !== undefined || opts.replicationFactor !== undefined)) {
    throw new UsageError('topics create: --replica-assignment fixes the partitions and replicas; leave out --partitions and --replication-factor');
  }
  const configs = opts.config ?? [];
  return names.map((name) =>
    assignments !== undefined
      ? { name, numPartitions: -1, replicationFactor: -1, assignments, configs }
      : { name, numPartitions: opts.partitions ?? -1, replicationFactor: opts.replicationFactor ?? -1, configs },
  );
}

/**
 * A topic named twice on one command line is a usage error (exit 2): the controller answers
 * INVALID_REQUEST for each copy, and the command printed that twice and exited 1 (found by a review).
 */
export function refuseRepeatedNames(names: readonly string[]): void {
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (repeated.length > 0) throw new UsageError(`topic ${repeated.map((n) => JSON.stringify(n)).join(', ')} named more than once; name each topic once`);
}

async function create(names: string[], opts: CreateOptions): Promise<void> {
  refuseRepeatedNames(names);
  const topics = creatableTopics(names, opts);
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('createTopics', { topics, validateOnly: opts.validateOnly }, callOptions);
    const outcomes = response.topics.map((t): ItemOutcome => {
      if (isErrorCode(t.errorCode, 'NONE')) {
        const shape = `${t.numPartitions} partition(s), replication factor ${t.replicationFactor}`;
        const line = opts.validateOnly ? `Topic ${t.name} is valid: ${shape} (validate only: nothing created).` : `Created topic ${t.name} (TopicId: ${t.topicId}, ${shape}).`;
        return { name: t.name, ok: true, line };
      }
      if (opts.ifNotExists && isErrorCode(t.errorCode, 'TOPIC_ALREADY_EXISTS')) return { name: t.name, ok: true, line: `Topic ${t.name} already exists.` };
      return { name: t.name, ok: false, line: `error: cannot create topic ${t.name}: ${errorText(t.errorCode, t.errorMessage)}${unknownConfigHint(t.errorMessage)}` };
    });
    reportItems(outcomes, 'create', 'topics');
  });
}

async function list(opts: ReadOptions): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('describeTopics', {}, callOptions);
    const names = response.topics.map((t) => t.name);
    if (opts.json) print(true, { topics: names }, () => '');
    else writeLines(names);
  });
}

/** A partition's replication factor, as Kafka's TopicCommand counts it: a partition being reassigned counts the replicas it moves to. */
function replicationFactorOf(p: DescribedPartition): number {
  return p.replicas.length - (p.removingReplicas?.length ?? 0);
}

/** Partition line of kafka-topics --describe. */
function partitionLine(t: DescribedTopic, p: DescribedPartition): string {
  const leader = p.leader < 0 ? 'none' : String(p.leader);
  const moving = p.addingReplicas === undefined ? '' : `\tAdding Replicas: ${p.addingReplicas.join(',')}\tRemoving Replicas: ${(p.removingReplicas ?? []).join(',')}`;
  return `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${moving}\tOffline: ${p.offlineReplicas.join(',')}`;
}

/** Kafka's filters of kafka-topics --describe: fewer in-sync replicas than the factor; no live leader. */
export const PARTITION_FILTERS = {
  underReplicated: (p: DescribedPartition) => p.isr.length < replicationFactorOf(p),
  unavailable: (p: DescribedPartition) => p.leader < 0 || p.offlineReplicas.includes(p.leader),
} as const;

/** Kafka's kafka-topics --describe block for one topic. */
export function renderTopic(t: DescribedTopic): string[] {
  const configs = Object.entries(t.configs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const first = t.partitions[0];
  const replicationFactor = first === undefined ? 0 : replicationFactorOf(first);
  const lines = [`Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${configs}`];
  for (const p of t.partitions) lines.push(partitionLine(t, p));
  return lines;
}

interface DescribeOptions extends ReadOptions {
  readonly underReplicatedPartitions: boolean;
  readonly unavailablePartitions: boolean;
}

async function describe(names: string[], opts: DescribeOptions): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const response: DescribeTopicsResponse = await rpc.call('describeTopics', names.length === 0 ? {} : { names }, callOptions);
    const filters = [opts.underReplicatedPartitions && PARTITION_FILTERS.underReplicated, opts.unavailablePartitions && PARTITION_FILTERS.unavailable].filter((f) => f !== false);
    if (filters.length > 0) {
      // As Kafka: only the partitions that match (any of the filters), without the topic lines.
      const topics = response.topics.map((t) => ({ ...t, partitions: t.partitions.filter((p) => filters.some((f) => f(p))) })).filter((t) => t.partitions.length > 0);
      if (opts.json) print(true, { ...response, topics }, () => '');
      else writeLines(topics.flatMap((t) => t.partitions.map((p) => partitionLine(t, p))));
    } else if (opts.json) print(true, response, () => '');
    else writeLines(response.topics.flatMap(renderTopic));
    if (response.unknown.length > 0) {
      throw new ItemsFailedError(response.unknown, `unknown topic${response.unknown.length === 1 ? '' : 's'}: ${response.unknown.join(', ')}`);
    }
  });
}

async function remove(names: string[], opts: DeleteOptions): Promise<void> {
  refuseRepeatedNames(names);
  await withAdmin(opts, async (rpc, callOptions) => {
    const response = await rpc.call('deleteTopics', { topics: names.map((name) => ({ name, topicId: null })) }, callOptions);
    const outcomes = response.responses.map((r, i): ItemOutcome => {
      const name = r.name ?? names[i] ?? r.topicId;
      if (isErrorCode(r.errorCode, 'NONE')) return { name, ok: true, line: `Deleted topic ${name}.` };
      if (opts.ifExists && isErrorCode(r.errorCode, 'UNKNOWN_TOPIC_OR_PARTITION')) return { name, ok: true, line: `Topic ${name} does not exist; nothing to delete.` };
      return { name, ok: false, line: `error: cannot delete topic ${name}: ${errorText(r.errorCode, r.errorMessage)}` };
    });
    reportItems(outcomes, 'delete', 'topics');
  });
}

async function addPartitions(name: string, opts: AddPartitionsOptions): Promise<void> {
  await withAdmin(opts, async (rpc, callOptions) => {
    const request = { topics: [{ name, count: opts.total, assignments: null }], validateOnly: opts.validateOnly };
    const response = await rpc.call('createPartitions', request, callOptions);
    const outcomes = response.results.map((r): ItemOutcome => {
      if (!isErrorCode(r.errorCode, 'NONE')) return { name: r.name, ok: false, line: `error: cannot add partitions to topic ${r.name}: ${errorText(r.errorCode, r.errorMessage)}` };
      const line = opts.validateOnly ? `Topic ${r.name} can grow to ${opts.total} partitions (validate only: nothing changed).` : `Topic ${r.name} now has ${opts.total} partitions.`;
      return { name: r.name, ok: true, line };
    });
    reportItems(outcomes, 'add partitions to', 'topics');
  });
}

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description("Create, list, describe and delete topics, and add partitions (Kafka's kafka-topics).");

  const create_ = topics
    .command('create')
    .description('Create topics; each succeeds or fails on its own.')
    .argument('<name...>', 'topic names')
    .addOption(new Option('--partitions <n>', 'partition count (default: the controller num.partitions)').argParser(positiveIntArg('--partitions')))
    .addOption(new Option('--replication-factor <n>', 'replicas per partition (default: default.replication.factor)').argParser(positiveIntArg('--replication-factor')))
    .option('--config <key=value>', 'a topic config override (repeatable)', topicConfigArg)
    .addOption(new Option('--replica-assignment <list>', 'explicit replicas: partitions by ",", brokers by ":" ("1:2,2:3")').argParser(replicaAssignmentArg))
    .option('--validate-only', 'check the request; create nothing', false)
    .option('--if-not-exists', 'a topic that already exists is not an error', false);
  addAdminOptions(create_, { json: false }).action(action(create));

  addAdminOptions(topics.command('list').description('List topic names, one per line.'), { json: true }).action(action(list));

  const describe_ = topics
    .command('describe')
    .description('Describe topics (all when none is named): id, configs, and each partition leader, replicas, ISR and offline replicas.')
    .argument('[name...]', 'topic names')
    .option('--under-replicated-partitions', 'only partitions with fewer in-sync replicas than replicas', false)
    .option('--unavailable-partitions', 'only partitions without a live leader', false);
  addAdminOptions(describe_, { json: true }).action(action(describe));

  const delete_ = topics
    .command('delete')
    .description('Delete topics; each succeeds or fails on its own.')
    .argument('<name...>', 'topic names')
    .option('--if-exists', 'a topic that does not exist is not an error', false);
  addAdminOptions(delete_, { json: false }).action(action(remove));

  const add = topics
    .command('add-partitions')
    .description("Grow a topic's partition count to --total (partitions are never removed).")
    .argument('<name>', 'topic name')
    .addOption(new Option('--total <n>', 'the new total partition count').argParser(positiveIntArg('--total')).makeOptionMandatory())
    .option('--validate-only', 'check the request; change nothing', false);
  addAdminOptions(add, { json: false }).action(action(addPartitions));
}
