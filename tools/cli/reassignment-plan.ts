// The reassignment plan reassign-partitions works from: Kafka's --reassignment-json-file format, so
// a plan written for kafka-reassign-partitions (or printed by it, or by --execute here for a
// rollback) works unchanged:
//
//   {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[4,5,6],"log_dirs":["any","any","any"]}]}
//
// `log_dirs` is accepted and must be "any" (these brokers keep no partition data, so there is no
// directory to choose). For --cancel and --verify, `replicas` may be left out. Every mistake is a
// UsageError naming the entry, before anything is sent.

import { UsageError } from './common.js';

export interface PlannedMove {
  readonly topic: string;
  readonly partition: number;
  /** Absent only where the action needs no target (cancel). */
  readonly replicas?: readonly number[];
}

const INT32_MAX = 2_147_483_647;

function isId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= INT32_MAX;
}

/** The file's JSON; a UsageError naming the file when it is not JSON. */
function jsonOf(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${source}: not JSON: ${(e as Error).message}`);
  }
}

const PLAN_SHAPE = '{"version":1,"partitions":[{"topic":…,"partition":…,"replicas":[…]}]}';

/**
 * Parses a plan's text; `needReplicas` makes `replicas` mandatory (execute, verify). Without it,
 * the same file format names partitions alone (kafka-leader-election's --path-to-json-file).
 */
export function parseReassignmentPlan(text: string, source: string, needReplicas: boolean, shape = PLAN_SHAPE): PlannedMove[] {
  const doc = jsonOf(text, source);
  const partitions = (doc as { partitions?: unknown } | null)?.partitions;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(partitions)) {
    throw new UsageError(`${source}: expected ${shape}`);
  }
  const version = (doc as { version?: unknown }).version;
  if (version !== undefined && version !== 1) throw new UsageError(`${source}: version ${JSON.stringify(version)} is not supported (1 is)`);
  if (partitions.length === 0) throw new UsageError(`${source}: the plan names no partitions`);
  const seen = new Set<string>();
  return partitions.map((entry: unknown, i): PlannedMove => {
    const where = `${source}: partitions[${i}]`;
    const e = entry as { topic?: unknown; partition?: unknown; replicas?: unknown; log_dirs?: unknown } | null;
    if (e === null || typeof e !== 'object') throw new UsageError(`${where} is not an object`);
    if (typeof e.topic !== 'string' || e.topic === '') throw new UsageError(`${where}: "topic" must be a topic name`);
    if (!isId(e.partition)) throw new UsageError(`${where}: "partition" must be a partition number`);
    const key = `${e.topic}-${e.partition}`;
    if (seen.has(key)) throw new UsageError(`${where}: ${key} is named twice`);
    seen.add(key);
    if (e.log_dirs !== undefined && !(Array.isArray(e.log_dirs) && e.log_dirs.every((d) => d === 'any'))) {
      throw new UsageError(`${where}: "log_dirs" must be "any" for every replica (brokers here keep no partition data)`);
    }
    if (e.replicas === undefined) {
      if (needReplicas) throw new UsageError(`${where}: "replicas" is missing`);
      return { topic: e.topic, partition: e.partition };
    }
    if (!Array.isArray(e.replicas) || e.replicas.length === 0 || !e.replicas.every(isId)) {
      throw new UsageError(`${where}: "replicas" must be a non-empty list of broker ids`);
    }
    if (new Set(e.replicas).size !== e.replicas.length) throw new UsageError(`${where}: "replicas" names a broker twice`);
    return { topic: e.topic, partition: e.partition, replicas: e.replicas as number[] };
  });
}

/** A plan in Kafka's format (what --execute prints as the rollback plan). */
export function planJson(moves: readonly PlannedMove[]): string {
  return JSON.stringify({
    version: 1,
    partitions: moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.replicas ?? [], log_dirs: (m.replicas ?? []).map(() => 'any') })),
  });
}

/** The request's topics, grouped in first-seen order. */
export function groupByTopic<T>(moves: readonly PlannedMove[], entry: (m: PlannedMove) => T): { name: string; partitions: T[] }[] {
  const byTopic = new Map<string, T[]>();
  for (const m of moves) {
    const list = byTopic.get(m.topic) ?? [];
    list.push(entry(m));
    byTopic.set(m.topic, list);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

/** kafka-reassign-partitions' --topics-to-move-json-file: {"version":1,"topics":[{"topic":"t"}]} → topic names. */
export function parseTopicsToMove(text: string, source: string): string[] {
  const doc = jsonOf(text, source);
  const topics = (doc as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics) || topics.length === 0) throw new UsageError(`${source}: expected {"version":1,"topics":[{"topic":"t"}, …]} naming at least one topic`);
  const names = topics.map((t: unknown, i) => {
    const name = (t as { topic?: unknown } | null)?.topic;
    if (typeof name !== 'string' || name === '') throw new UsageError(`${source}: topics[${i}]: "topic" must be a topic name`);
    return name;
  });
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`${source}: topic ${twice} is named twice`);
  return names;
}
