// Waiting for a cluster of node processes to be usable: every node answers on its listener, the
// quorum has a leader, and every broker has registered, caught up and been unfenced (RUNNING).
// Used by `dev`, the end-to-end tests and the cluster benchmark.

import { silentLogger } from '../../quorum/env/index.js';
import { ControllerChannel } from '../../quorum/server/controller-channel.js';
import { askNode } from '../admin/admin-client.js';
import type { PlannedNode, ProcessCluster } from './process-cluster.js';

/** Polls `probe` every `everyMs` until it answers, the deadline passes, or `signal` aborts (a caller that gave up). */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 100, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (signal?.aborted === true) throw new Error(`stopped waiting for ${what}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms (${last})`);
}

export function endpointOf(n: PlannedNode): { host: string; port: number } {
  return { host: '127.0.0.1', port: (n.controllerPort ?? n.clientPort)! };
}

/**
 * `running`: the nodes expected up (default every node); a bench that keeps a broker back for
 * later (bench:vs-zk's cold broker) leaves it out. `signal` stops the polling of a caller that
 * gave up (dev, when a node exited), so it does not hold the process until the timeout.
 */
export async function waitForClusterReady(cluster: ProcessCluster, timeoutMs: number, running?: ReadonlySet<number>, signal?: AbortSignal): Promise<{ leaderId: number; epoch: number }> {
  const opts = { timeoutMs: 2_000 };
  const expected = (n: PlannedNode) => running === undefined || running.has(n.id);
  const tls = cluster.controllerTls;
  for (const n of cluster.nodes.filter(expected)) {
    // endpointOf is a controller listener for any node with one (where controllerTls applies).
    const nodeOpts = n.controllerPort !== null && tls !== undefined ? { ...opts, tls } : opts;
    await waitFor(`node ${n.id}`, timeoutMs, async () => ownNode(cluster, n, await askNode(endpointOf(n), 'describeNode', {}, nodeOpts)), 100, signal);
  }
  const channel = controllerChannelTo(cluster, 2_000);
  try {
    const q = await waitFor(
      'the quorum',
      timeoutMs,
      async () => {
        const d = await channel.call('describeQuorum', {});
        return d.leaderId === null ? undefined : d;
      },
      100,
      signal,
    );
    for (const n of cluster.brokers.filter(expected)) {
      await waitFor(
        `broker ${n.id}`,
        timeoutMs,
        async () => {
          const d = ownNode(cluster, n, await askNode({ host: '127.0.0.1', port: n.clientPort! }, 'describeNode', {}, opts));
          return d.brokerState === 'RUNNING' ? d : undefined;
        },
        100,
        signal,
      );
    }
    return { leaderId: q.leaderId!, epoch: q.leaderEpoch };
  } finally {
    await channel.close();
  }
}


/**
 * The node's answer, if it is this cluster's node `n`: a port still held by another cluster's node
 * (a second dev on the same base port) answers too, and counting it made dev print "up" for a
 * cluster whose own nodes could not listen.
 */
function ownNode<T extends { readonly clusterId: string; readonly nodeId: number }>(cluster: ProcessCluster, n: PlannedNode, answer: T): T {
  if (answer.clusterId === cluster.clusterId && answer.nodeId === n.id) return answer;
  const { host, port } = endpointOf(n);
  throw new Error(`${host}:${port} is held by node ${answer.nodeId} of cluster ${answer.clusterId}, not node ${n.id} of cluster ${cluster.clusterId} (another cluster on these ports?)`);
}

/** A channel to the cluster's active controller, as a tool (the caller closes it); `attemptTimeoutMs` bounds each try (the channel's default otherwise). */
export function controllerChannelTo(cluster: ProcessCluster, defaultTimeoutMs = 10_000, attemptTimeoutMs?: number): ControllerChannel {
  return new ControllerChannel({
    voters: cluster.controllers.map((n) => ({ id: n.id, host: '127.0.0.1', port: n.controllerPort! })),
    // With the cluster's id, a voter's port held by another cluster is refused, not followed.
    self: { nodeId: -1, role: 'tool', clusterId: cluster.clusterId },
    logger: silentLogger,
    ...(cluster.controllerTls === undefined ? {} : { tls: cluster.controllerTls }),
    defaultTimeoutMs,
    ...(attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs }),
  });
}
