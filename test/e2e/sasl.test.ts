// SASL/SCRAM end to end, on real processes (1 controller + 1 broker, split mode): a user's SCRAM
// credential is set with `metaquorum configs alter` through the controller, the broker is
// restarted with a second client listener mapped to SASL_PLAINTEXT (`--override`s, as an operator
// would), and an unmodified kafkajs 2.2.4 client logs in there with SCRAM-SHA-512, creates a topic
// (forwarded to the controller) and sees it, with the SASL listener's own endpoint advertised to
// it; a wrong password is refused; metaquorum's tools log in there too, with a Kafka-style
// --command-config (sasl.mechanism, a ScramLoginModule sasl.jaas.config), and without one are
// refused, told what to configure, while the PLAINTEXT listener still serves them.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { freePort } from '../support/lone-broker.js';
import { askNode } from '../../tools/admin/admin-client.js';

const HOST = '127.0.0.1';

describe.sequential('SASL/SCRAM on a broker listener, with kafkajs', () => {
  let t: TestCluster;
  let saslPort: number;
  const admins: Admin[] = [];

  const admin = async (password: string): Promise<Admin> => {
    const kafka = new Kafka({
      clientId: 'sasl-e2e',
      brokers: [`${HOST}:${saslPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password },
    });
    const a = kafka.admin();
    admins.push(a);
    await a.connect();
    return a;
  };

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: false });
    const r = await runCli(['configs', 'alter', '--bootstrap-controller', t.cluster.bootstrapControllers(), '--user', 'alice', '--add-config', 'SCRAM-SHA-512=[iterations=8192,password=alice-secret]']);
    expect(r.code, r.stderr).toBe(0);
    const broker = t.cluster.brokers[0]!;
    saslPort = await freePort();
    await t.cluster.signal(broker.id, 'SIGTERM');
    const plain = `PLAINTEXT://${HOST}:${broker.clientPort}`;
    const sasl = `SECURE://${HOST}:${saslPort}`;
    t.cluster.start(broker.id, [
      '--override',
      `listeners=${plain},${sasl}`,
      '--override',
      `advertised.listeners=${plain},${sasl}`,
      '--override',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SECURE:SASL_PLAINTEXT',
      '--override',
      'listener.name.secure.sasl.enabled.mechanisms=SCRAM-SHA-512',
    ]);
    // Served once it runs again (its PLAINTEXT listener answers the tools).
    await until('the broker runs again', 45_000, async () => {
      const d = await askNode({ host: HOST, port: broker.clientPort! }, 'describeNode', {}, { timeoutMs: 1_000 }).catch(() => undefined);
      return d?.brokerState === 'RUNNING' ? d : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    for (const a of admins) await a.disconnect().catch(() => undefined);
    await t?.dispose();
  }, 60_000);

  it('alice logs in with SCRAM-SHA-512, creates a topic through the controller and sees it; the SASL endpoint is the one advertised to her', async () => {
    const a = await admin('alice-secret');
    expect(await a.createTopics({ topics: [{ topic: 'sasl-e2e', numPartitions: 2 }] })).toBe(true);
    expect(await a.listTopics()).toContain('sasl-e2e');
    expect((await a.describeCluster()).brokers).toEqual([{ nodeId: t.cluster.brokers[0]!.id, host: HOST, port: saslPort }]);
  });

  it('a wrong password is refused with SASL_AUTHENTICATION_FAILED', async () => {
    await expect(admin('not-her-password')).rejects.toThrow('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
  });

  it("metaquorum's tools log in on the SASL listener with a --command-config as Kafka's tools take it; without one, or with a wrong password, they are refused saying why", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-sasl-e2e-'));
    const commandConfig = async (name: string, mechanism: string, password: string) => {
      const path = join(dir, name);
      await writeFile(
        path,
        ['security.protocol=SASL_PLAINTEXT', `sasl.mechanism=${mechanism}`, `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${password}";`].join('\n'),
      );
      return path;
    };
    try {
      const listed = await runCli(['topics', 'list', '--bootstrap-server', `${HOST}:${saslPort}`, '--command-config', await commandConfig('good.properties', 'SCRAM-SHA-512', 'alice-secret')]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('sasl-e2e');

      const wrong = await runCli(['topics', 'list', '--bootstrap-server', `${HOST}:${saslPort}`, '--command-config', await commandConfig('wrong.properties', 'SCRAM-SHA-512', 'guess-1234')]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
      expect(wrong.stderr).not.toContain('guess-1234');

      const other = await runCli(['topics', 'list', '--bootstrap-server', `${HOST}:${saslPort}`, '--command-config', await commandConfig('sha256.properties', 'SCRAM-SHA-256', 'alice-secret')]);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('SASL mechanism SCRAM-SHA-256 is not offered on listener SECURE; it offers SCRAM-SHA-512');

      const without = await runCli(['topics', 'list', '--bootstrap-server', `${HOST}:${saslPort}`]);
      expect(without.code).toBe(1);
      expect(without.stderr).toContain('listener SECURE asks its clients to authenticate with SASL (SCRAM-SHA-512): give the tool a --command-config');

      // The PLAINTEXT listener serves them as before; SASL settings there are refused by the tool (the listener never asks).
      const plain = await runCli(['topics', 'list', '--bootstrap-server', t.cluster.bootstrapServers()]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toContain('sasl-e2e');
      const saslOnPlain = await runCli(['topics', 'list', '--bootstrap-server', t.cluster.bootstrapServers(), '--command-config', await commandConfig('good2.properties', 'SCRAM-SHA-512', 'alice-secret')]);
      expect(saslOnPlain.code).toBe(1);
      expect(saslOnPlain.stderr).toContain('did not ask for SASL authentication');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
