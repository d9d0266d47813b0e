// A broker's graceful stop when the controller quorum does not answer (every controller SIGSTOPped:
// sockets open, nothing answers). The controlled shutdown gives up at its deadline (8 s by
// default), and the rest of the stop (snapshot, listeners, the controller channel, the observer's
// transport) must fit in what is left of metaquorum.shutdown.timeout.ms (10 s): exit 0, not the
// hard exit 1. Before, each graceful close waited out its linger one after another (from a review).

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../quorum/controller/errors.js';
import type { ControllerChannel } from '../../quorum/server/controller-channel.js';
import { controllerChannelTo } from '../../tools/server/cluster-ready.js';
import { startTestCluster, type TestCluster } from '../support/process-harness.js';

describe.sequential('a broker stopped while the controllers hang', () => {
  let t: TestCluster;
  let channel: ControllerChannel;
  const exits: string[] = [];

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 3, brokers: 1, combined: false }, exits);
    channel = controllerChannelTo(t.cluster, 20_000);
  }, 90_000);

  afterAll(async () => {
    for (const c of t?.cluster.controllers ?? []) await t.cluster.resume(c.id).catch(() => undefined);
    await channel?.close();
    await t?.dispose();
  }, 60_000);

  it('SIGTERM: the controlled shutdown times out, then the broker exits 0 within the shutdown bound', async () => {
    const r = await channel.call('createTopics', { topics: [{ name: 't', numPartitions: 4, replicationFactor: 1, configs: [] }], validateOnly: false }, { timeoutMs: 20_000 });
    expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    const broker = t.cluster.brokers[0]!;
    for (const c of t.cluster.controllers) await t.cluster.pause(c.id);
    const exited = t.cluster.exited(broker.id);
    await t.cluster.signal(broker.id, 'SIGTERM');
    const exit = await exited;
    const log = await readFile(broker.logPath, 'utf8');
    const tail = log.split('\n').slice(-15).join('\n');
    expect(exit.code ?? exit.signal, tail).toBe(0);
    expect(log).toMatch(/"timedOut":true/); // the controlled shutdown did give up: the case under test
    expect(log).not.toMatch(/shutdown took longer than/);
  }, 60_000);
});
