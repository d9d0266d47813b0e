// BrokerServer (broker/broker-server.ts) as it starts and stops (from a review): its client
// listener answers describeNode while the local metadata is still being restored (NOT_RUNNING, not
// a TypeError: every admin command given --bootstrap-server asks it first), and a stop tells the
// Kafka clients connected to it (FIN) instead of holding the stop for the close linger.

import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftNode } from '../../quorum/runtime/raft-node.js';
import { askNode } from '../../tools/admin/admin-client.js';
import { freePort, startLoneBroker } from '../support/lone-broker.js';


describe('broker server start-up', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers describeNode while its local metadata is still being restored (the client listener is already bound)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-broker-server-'));
    const clientPort = await freePort();
    // A large local snapshot takes a while to load: hold the restore until the test has asked.
    let releaseRestore!: () => void;
    const restoring = new Promise<void>((r) => (releaseRestore = r));
    const realStart = RaftNode.prototype.start;
    vi.spyOn(RaftNode.prototype, 'start').mockImplementation(async function (this: RaftNode) {
      await restoring;
      return realStart.call(this);
    });
    const starting = startLoneBroker(dir, { clientPort });
    let answer: unknown;
    try {
      // What `connectAdmin` (every admin command given --bootstrap-server) asks first.
      const deadline = Date.now() + 5_000;
      for (;;) {
        try {
          answer = await askNode({ host: '127.0.0.1', port: clientPort }, 'describeNode', {}, { timeoutMs: 1_000 });
          break;
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (/ECONNREFUSED|connect/i.test(msg) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          answer = `error: ${msg}`;
          break;
        }
      }
    } finally {
      releaseRestore();
      const broker = await starting;
      await broker.halt();
      await rm(dir, { recursive: true, force: true });
    }
    expect(answer).toMatchObject({ nodeId: 2, brokerState: 'NOT_RUNNING' });
  });

  it('refuses reads of its image until it has caught up with the metadata log (BROKER_NOT_AVAILABLE, not an empty answer)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-broker-server-'));
    // No controller answers: the broker never catches up, and its image stays empty.
    const broker = await startLoneBroker(dir, { readCatchUpWaitMs: 300 });
    const target = { host: '127.0.0.1', port: broker.addresses().get('PLAINTEXT')!.port };
    const outcome = async (method: 'describeTopics' | 'describeConfigs', request: object) => {
      const started = Date.now();
      try {
        return { answer: await askNode(target, method, request as never, { timeoutMs: 5_000 }), ms: Date.now() - started };
      } catch (e) {
        return { error: e as { code?: number; message: string }, ms: Date.now() - started };
      }
    };
    try {
      const topics = await outcome('describeTopics', { names: ['orders'] });
      const configs = await outcome('describeConfigs', { resources: [{ resourceType: 'topic', resourceName: 'orders', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
      for (const o of [topics, configs]) {
        expect(o.answer).toBeUndefined();
        expect(o.error).toMatchObject({ code: 8 });
        expect(o.error!.message).toMatch(/broker 2 has not caught up with the metadata log yet \(state STARTING.*--bootstrap-controller/);
        expect(o.ms).toBeGreaterThanOrEqual(250); // it waited for the catch-up first
      }
    } finally {
      await broker.halt();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('broker server shutdown', () => {
  it('an idle Kafka client is told (FIN) when the broker stops, and does not hold stop() for the 1 s close linger', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-broker-server-'));
    const broker = await startLoneBroker(dir);
    // A Kafka client (kafkajs keeps its connections open): ApiVersions v0 header, then idle.
    const sock = net.connect(broker.addresses().get('PLAINTEXT')!.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let how = 'open';
    sock.on('end', () => (how = how === 'open' ? 'FIN' : how));
    sock.on('error', (e: NodeJS.ErrnoException) => (how = how === 'open' ? (e.code ?? 'error') : how));
    const body = Buffer.from([0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]); // api 18 v0, correlation 1, null client id
    const frame = Buffer.alloc(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);
    sock.write(frame);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await broker.stop();
    const tookMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    await rm(dir, { recursive: true, force: true });
    expect(tookMs).toBeLessThan(900);
    expect(how).toBe('FIN');
  });
});
