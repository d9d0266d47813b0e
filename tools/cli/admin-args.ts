// Commander argParsers for the admin commands' structured flags, in Kafka's tools' syntax. Each
// throws InvalidArgumentError on malformed text, so a bad flag is a usage error (exit 2) before
// anything is sent.
//   --config k=v            (repeatable; the value may hold '=' and ',')      topics create
//   --replica-assignment "1:2,2:3"   partitions by ',', replicas by ':'         topics create
//   --add-config k=v,k2=[a,b]        a value with commas goes in brackets       configs alter
//   --delete-config k,k2                                                        configs alter
//   --replicas 4,5,6        a partition's new replicas, preferred leader first  reassign-partitions
//   --broker-list 4,5,6     the brokers --generate may place replicas on        reassign-partitions

import { InvalidArgumentError } from 'commander';
import { UsageError } from './common.js';
import type { CreatableReplicaAssignment, CreatableTopicConfig } from '../../quorum/controller/replication/create-topics.js';

export interface ConfigPair {
  readonly name: string;
  readonly value: string;
}

function splitPair(text: string, flag: string): ConfigPair {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || name === '') throw new InvalidArgumentError(`${flag}: expected key=value, got ${JSON.stringify(text)}`);
  return { name, value: text.slice(eq + 1) };
}

/** Repeatable `--config k=v`: collects the pairs; a key given twice is refused. */
export function topicConfigArg(value: string, previous: readonly CreatableTopicConfig[] = []): CreatableTopicConfig[] {
  const pair = splitPair(value, '--config');
  if (previous.some((c) => c.name === pair.name)) throw new InvalidArgumentError(`--config: ${pair.name} is given twice`);
  return [...previous, pair];
}

function brokerId(text: string, flag: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n > 2_147_483_647) throw new InvalidArgumentError(`${flag}: ${JSON.stringify(text)} is not a broker id`);
  return n;
}

/** `--replica-assignment "1:2,2:3"`: partition 0 on brokers 1,2, partition 1 on brokers 2,3. */
export function replicaAssignmentArg(value: string): CreatableReplicaAssignment[] {
  const flag = '--replica-assignment';
  const parts = value.split(',');
  return parts.map((part, partitionIndex) => {
    if (part.trim() === '') throw new InvalidArgumentError(`${flag}: partition ${partitionIndex} has no replicas in ${JSON.stringify(value)}`);
    const brokerIds = part.split(':').map((id) => brokerId(id, flag));
    if (new Set(brokerIds).size !== brokerIds.length) throw new InvalidArgumentError(`${flag}: partition ${partitionIndex} names a broker twice (${part.trim()})`);
    return { partitionIndex, brokerIds };
  });
}

/** A comma-separated list of broker ids, none twice, for `flag`. */
function brokerIdList(value: string, flag: string): number[] {
  const ids = value.split(',').map((id) => brokerId(id, flag));
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError(`${flag}: names a broker twice (${value.trim()})`);
  return ids;
}

/** `--replicas 4,5,6`: a partition's new replicas, preferred leader first. */
export function brokerListArg(value: string): number[] {
  return brokerIdList(value, '--replicas');
}

/** `--broker-list 4,5,6`: the brokers a generated plan may use. */
export function brokerIdsArg(value: string): number[] {
  return brokerIdList(value, '--broker-list');
}

/** Splits on commas outside square brackets: "a=1,b=[x,y]" → ["a=1", "b=[x,y]"]. */
function splitOutsideBrackets(text: string, flag: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth < 0) throw new InvalidArgumentError(`${flag}: unbalanced ']' in ${JSON.stringify(text)}`);
    } else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new InvalidArgumentError(`${flag}: unbalanced '[' in ${JSON.stringify(text)}`);
  out.push(text.slice(start));
  return out;
}

/** `--add-config k=v,k2=[a,b]` (repeatable): the pairs, brackets around a value removed; a key twice is refused. */
function addConfigArg(value: string, previous?: readonly ConfigPair[]): ConfigPair[] {
  const flag = '--add-config';
  // Repeated flags add up (commander hands over what the earlier ones gave).
  const pairs: ConfigPair[] = [...(previous ?? [])];
  for (const item of splitOutsideBrackets(value, flag)) {
    if (item.trim() === '') throw new InvalidArgumentError(`${flag}: empty entry in ${JSON.stringify(value)}`);
    const pair = splitPair(item, flag);
    const v = pair.value.trim();
    const unwrapped = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : pair.value;
    if (pairs.some((p) => p.name === pair.name)) throw new InvalidArgumentError(`${flag}: ${pair.name} is given twice`);
    pairs.push({ name: pair.name, value: unwrapped });
  }
  return pairs;
}

/**
 * `--add-config` as given (each repeat of the flag), parsed by the command rather than by commander:
 * commander quotes a flag's whole text in its own message when an argParser refuses it, and this
 * text may hold a SCRAM password (SCRAM-SHA-256=[password=...]). A refusal is a UsageError; when the
 * text holds a SCRAM key its message leaves the text out (found by a review).
 */
export function parseAddConfig(texts: readonly string[]): ConfigPair[] {
  let pairs: ConfigPair[] = [];
  for (const text of texts) {
    try {
      pairs = addConfigArg(text, pairs);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      const message = /SCRAM-/i.test(text) ? e.message.replace(/ (in|got) ".*$/s, ' (the value is not shown: it holds a SCRAM password)') : e.message;
      throw new UsageError(message);
    }
  }
  return pairs;
}

/** `--delete-config k,k2` (repeatable): the keys; an empty one or a key twice is refused. */
export function deleteConfigArg(value: string, previous?: readonly string[]): string[] {
  const flag = '--delete-config';
  const given = value.split(',').map((k) => k.trim());
  if (given.some((k) => k === '')) throw new InvalidArgumentError(`${flag}: empty key in ${JSON.stringify(value)}`);
  const keys = [...(previous ?? []), ...given]; // repeated flags add up
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`${flag}: ${twice} is given twice`);
  return keys;
}
