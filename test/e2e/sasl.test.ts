// SASL/SCRAM end to end, on real processes (1 controller + 1 broker, split mode): a user's SCRAM
// credential is set with `metaquorum configs alter` through the controller, the broker is
// restarted with a second client listener mapped to SASL_PLAINTEXT (`--override`s, as an operator
// would), and an unmodified kafkajs 2.2.4 client logs in there with SCRAM-SHA-512, creates a topic
// (forwarded to the controller) and sees it, with the SASL listener's own endpoint advertised to
// it; a wrong password is refused; metaquorum's tools, which do not speak SASL, are refused on that
// listener with the reason, while the PLAINTEXT listener still serves them.

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

  it("metaquorum's tools are refused on the SASL listener, saying why; the PLAINTEXT listener serves them", async () => {
    const refused = await runCli(['topics', 'list', '--bootstrap-server', `${HOST}:${saslPort}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("listener SECURE is SASL_PLAINTEXT: Kafka clients authenticate there with SASL, which metaquorum's tools do not speak");
    const listed = await runCli(['topics', 'list', '--bootstrap-server', t.cluster.bootstrapServers()]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('sasl-e2e');
  });
});
