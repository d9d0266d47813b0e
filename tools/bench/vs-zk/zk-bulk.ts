// Bulk metadata in ZooKeeper for bench:vs-zk: creating topics the way perf-anchors.md A.4 (d)'s
// "batched-per-topic" variant did (one multi of 22 creates per topic: the assignment, /partitions,
// each /partitions/<p> and its state; `outstanding` multis in flight on one session, which applies
// them in order), and removing them again between trials (one multi of removes per topic,
// children first). The same creator grows the tree for the large cold read.

import type { Client } from 'node-zookeeper-client';
import { encodeData } from '../../zookeeper/kafka-trees.js';
import { zkCommit } from '../../zookeeper/zk-client.js';
import { pipelined } from '../closed-loops.js';
import { now } from '../cluster/bench-cluster.js';
import { topicZnodes } from './layout.js';

/** One multi per topic creating its 22 znodes. */
export async function zkCreateTopics(client: Client, topics: readonly string[], outstanding: number): Promise<{ seconds: number; znodes: number }> {
  let znodes = 0;
  const t0 = now();
  await pipelined(topics, outstanding, (topic) => {
    const tx = client.transaction();
    for (const n of topicZnodes(topic)) {
      const data = encodeData(n.data);
      if (data === undefined) tx.create(n.path);
      else tx.create(n.path, data);
      znodes++;
    }
    return zkCommit(tx);
  });
  return { seconds: (now() - t0) / 1000, znodes };
}

/** One multi per topic removing its znodes, deepest first. */
export async function zkDeleteTopics(client: Client, topics: readonly string[], outstanding: number): Promise<void> {
  await pipelined(topics, outstanding, (topic) => {
    const tx = client.transaction();
    for (const n of topicZnodes(topic).reverse()) tx.remove(n.path, -1);
    return zkCommit(tx);
  });
}
