// ZooKeeper's cold read for bench:vs-zk: a brand-new client loading every topic and partition state,
// the way a ZooKeeper-mode Kafka controller does when it takes over (perf-anchors.md A.4 d):
// getChildren(/brokers/topics), then every topic's assignment (getData, which names its
// partitions), then every partition's state (getData), `outstanding` requests in flight in each
// phase. Timed from creating the client (connect included) until the last state has arrived; a
// ZooKeeper has no bulk read, so this is one request per record.

import { closeZooKeeper, connectZooKeeper, zkGetChildren, zkGetData } from '../../zookeeper/zk-client.js';
import { pipelined } from '../closed-loops.js';
import { now } from '../cluster/bench-cluster.js';
import { openZkClients } from './zk-writes.js';
import { statePath, topicPath, TOPICS_ROOT } from './layout.js';

export interface ColdWalk {
  readonly ms: number;
  readonly connectMs: number;
  readonly topics: number;
  readonly partitions: number;
  readonly requests: number;
  readonly valueBytes: number;
}

export async function zkColdWalk(address: string, outstanding: number): Promise<ColdWalk> {
  const t0 = now();
  const client = await connectZooKeeper(address, { timeoutMs: 15_000 });
  openZkClients.add(client);
  try {
    const connectMs = now() - t0;
    let bytes = 0;
    let requests = 1;
    const topics = await zkGetChildren(client, TOPICS_ROOT);
    const states: string[] = [];
    await pipelined(topics, outstanding, async (topic) => {
      const data = await zkGetData(client, topicPath(topic));
      requests++;
      bytes += data?.length ?? 0;
      const assignment = JSON.parse(data?.toString('utf8') ?? '{}') as { partitions?: Record<string, unknown> };
      for (const p of Object.keys(assignment.partitions ?? {})) states.push(statePath(topic, Number(p)));
    });
    await pipelined(states, outstanding, async (path) => {
      const data = await zkGetData(client, path);
      requests++;
      bytes += data?.length ?? 0;
    });
    return { ms: now() - t0, connectMs, topics: topics.length, partitions: states.length, requests, valueBytes: bytes };
  } finally {
    openZkClients.delete(client);
    await closeZooKeeper(client);
  }
}
