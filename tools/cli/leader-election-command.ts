// `metaquorum leader-election --election-type preferred|unclean (--topic t --partition n |
// --path-to-json-file f | --all-topic-partitions)`: Kafka's kafka-leader-election over the
// controller's electLeaders (quorum/controller/replication/elect-leaders.ts has the rules).
// Typically run after reassign-partitions, to move leadership onto each partition's new preferred
// replica without waiting for the periodic rebalance.
//
// Output is Kafka's: the partitions elected, those whose leader was already right ("Valid replica
// already elected"), then one error line per partition that could not be elected; any such error
// makes the exit code 1. --all-topic-partitions goes on (one request after another) while the
// controller says it stopped at its per-operation bound. --json prints one object instead.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ElectionType, type ElectLeadersResponse } from '../../quorum/controller/replication/elect-leaders.js';
import { ItemsFailedError } from './admin-errors.js';
import { addAdminOptions, withAdmin, type ReadOptions } from './admin-options.js';
import { action, print, UsageError } from './common.js';
import { errorText, isErrorCode, writeLines } from './format.js';
import { groupByTopic, parseReassignmentPlan } from './reassignment-plan.js';

interface ElectionOptions extends ReadOptions {
  readonly electionType: 'PREFERRED' | 'UNCLEAN';
  readonly topic?: string;
  readonly partition?: number;
  readonly pathToJsonFile?: string;
  readonly allTopicPartitions: boolean;
}

/** Rounds of --all-topic-partitions at most (each elects up to the controller's per-operation bound). */
const ROUNDS_MAX = 1_000;

function electionTypeArg(value: string): 'PREFERRED' | 'UNCLEAN' {
  const v = value.trim().toUpperCase();
  if (v !== 'PREFERRED' && v !== 'UNCLEAN') throw new InvalidArgumentError(`--election-type must be preferred or unclean, got "${value}"`);
  return v;
}

function partitionArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 2_147_483_647) throw new InvalidArgumentError(`--partition must be a partition number, got "${value}"`);
  return n;
}

/** The request's partitions (null: all), from exactly one of the three ways of naming them. */
export function electionPartitions(opts: ElectionOptions): { topic: string; partitionIds: number[] }[] | null {
  const single = opts.topic !== undefined || opts.partition !== undefined;
  const ways = [single, opts.pathToJsonFile !== undefined, opts.allTopicPartitions].filter(Boolean).length;
  if (ways !== 1) throw new UsageError('leader-election: give one of --topic with --partition, --path-to-json-file and --all-topic-partitions');
  if (opts.allTopicPartitions) return null;
  if (opts.pathToJsonFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.pathToJsonFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--path-to-json-file: cannot read ${opts.pathToJsonFile}: ${(e as Error).message}`);
    }
    const moves = parseReassignmentPlan(text, opts.pathToJsonFile, false, '{"partitions":[{"topic":…,"partition":…}]}');
    return groupByTopic(moves, (m) => m.partition).map((t) => ({ topic: t.name, partitionIds: t.partitions }));
  }
  if (opts.topic === undefined || opts.partition === undefined) throw new UsageError('leader-election: --topic and --partition go together');
  return [{ topic: opts.topic, partitionIds: [opts.partition] }];
}

interface Tally {
  readonly elected: string[];
  readonly notNeeded: string[];
  readonly failed: { readonly partition: string; readonly error: string }[];
}

function tally(into: Tally, response: ElectLeadersResponse): void {
  for (const t of response.results) {
    for (const p of t.partitions) {
      const name = `${t.topic}-${p.partitionId}`;
      if (isErrorCode(p.errorCode, 'NONE')) into.elected.push(name);
      else if (isErrorCode(p.errorCode, 'ELECTION_NOT_NEEDED')) into.notNeeded.push(name);
      else into.failed.push({ partition: name, error: errorText(p.errorCode, p.errorMessage) });
    }
  }
}

async function elect(opts: ElectionOptions): Promise<void> {
  const partitions = electionPartitions(opts);
  const kind = opts.electionType;
  await withAdmin(opts, async (rpc, callOptions) => {
    const result: Tally = { elected: [], notNeeded: [], failed: [] };
    for (let round = 0; ; round++) {
      const response = await rpc.call('electLeaders', { electionType: ElectionType[kind], partitions }, callOptions);
      tally(result, response);
      if (!response.more) break;
      if (round + 1 >= ROUNDS_MAX) {
        result.failed.push({ partition: '(the rest)', error: `stopped after ${ROUNDS_MAX} rounds with elections still pending; run it again` });
        break;
      }
    }
    if (opts.json) print(true, { electionType: kind, ...result }, () => '');
    else {
      const lines: string[] = [];
      if (result.elected.length > 0) lines.push(`Successfully completed leader election (${kind}) for partitions ${result.elected.join(', ')}`);
      if (result.notNeeded.length > 0) lines.push(`Valid replica already elected for partitions ${result.notNeeded.join(', ')}`);
      if (result.elected.length === 0 && result.notNeeded.length === 0 && result.failed.length === 0) lines.push(`No partition needed a leader election (${kind}).`);
      writeLines(lines);
      for (const f of result.failed) process.stderr.write(`Error completing leader election (${kind}) for partition: ${f.partition}: ${f.error}\n`);
    }
    if (result.failed.length > 0) {
      throw new ItemsFailedError(result.failed.map((f) => f.partition), `${result.failed.length} partition(s) could not be elected: ${result.failed.map((f) => f.partition).join(', ')}`);
    }
  });
}

export function registerLeaderElectionCommand(program: Command): void {
  const cmd = program
    .command('leader-election')
    .description("Elect partition leaders now (Kafka's kafka-leader-election): preferred moves leadership to each partition's first replica; unclean makes a leaderless partition's first live replica leader, accepting data loss.")
    .addOption(new Option('--election-type <type>', 'preferred or unclean').argParser(electionTypeArg).makeOptionMandatory())
    .option('--topic <name>', 'the topic of one partition (with --partition)')
    .addOption(new Option('--partition <n>', 'the partition number (with --topic)').argParser(partitionArg))
    .option('--path-to-json-file <file>', 'partitions in Kafka\'s format: {"partitions":[{"topic":"t","partition":0}]}')
    .option('--all-topic-partitions', 'every partition that needs it', false);
  addAdminOptions(cmd, { json: true }).action(action(elect));
}
