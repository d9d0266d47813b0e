// The authorizer on every node of a split cluster (3 controllers + 1 broker, real processes) whose
// controller listener is mutual TLS: every node presents the same certificate (User:CN=server, the
// one super user), so the voters' Raft traffic and the broker's registration, heartbeats and
// metadata fetches pass the controllers' checks (CLUSTER_ACTION) and the cluster forms; a tool
// with another certificate of the same CA (User:CN=client) is refused admin writes until an ACL
// grants them; after kill -9 of the leader the remaining voters elect a new one through the same
// checks, and no node ever logged a refused peer.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_AUTHORIZER_CLASS } from '../../quorum/controller/acls/authorizer.js';
import { askNode } from '../../tools/admin/admin-client.js';
import { controllerChannelTo } from '../../tools/server/cluster-ready.js';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { makePki, type Pki } from '../support/tls-certs.js';

describe.sequential('a split cluster with the authorizer on and mutual TLS on the controller listener', () => {
  let t: TestCluster;
  let pkiDir: string;
  let pki: Pki;
  const exits: string[] = [];
  /** client.properties for the CLI: the super user's certificate, or the plain client's. */
  let asAdmin: string;
  let asClient: string;

  const cli = (props: string, ...args: string[]) => runCli([...args, '--bootstrap-controller', t.cluster.bootstrapControllers(), '--command-config', props, '--timeout', '15000']);

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'mq-mtls-authz-'));
    pki = makePki(pkiDir);
    const keystore = join(pkiDir, 'node.keystore.pem');
    await writeFile(keystore, pki.serverKeyPem + pki.serverCertPem);
    const clientKeystore = join(pkiDir, 'client.keystore.pem');
    await writeFile(clientKeystore, pki.clientKeyPem + pki.clientCertPem);
    const truststore = join(pkiDir, 'ca.crt');
    asAdmin = join(pkiDir, 'admin.properties');
    asClient = join(pkiDir, 'client.properties');
    await writeFile(asAdmin, `security.protocol=SSL\nssl.keystore.location=${keystore}\nssl.truststore.location=${truststore}\n`);
    await writeFile(asClient, `security.protocol=SSL\nssl.keystore.location=${clientKeystore}\nssl.truststore.location=${truststore}\n`);
    t = await startTestCluster(
      {
        controllers: 3,
        brokers: 1,
        combined: false,
        properties: {
          'listener.security.protocol.map': 'CONTROLLER:SSL,PLAINTEXT:PLAINTEXT',
          'listener.name.controller.ssl.keystore.location': keystore,
          'listener.name.controller.ssl.truststore.location': truststore,
          'listener.name.controller.ssl.client.auth': 'required',
          'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
          'super.users': 'User:CN=server',
        },
      },
      exits,
      { controllerTls: { caPem: pki.caPem, certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, verifyHostname: true } },
    );
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await rm(pkiDir, { recursive: true, force: true });
  }, 60_000);

  /** Log lines of every node that say a peer's Raft traffic was refused. */
  const refusedPeers = async () =>
    (await Promise.all(t.cluster.nodes.map((n) => readFile(n.logPath, 'utf8')))).flatMap((text) => text.split('\n').filter((l) => l.includes('may not send Raft traffic')));

  it('forms: the broker registered and runs, and only the super user may create topics until an ACL grants it', async () => {
    const refused = await cli(asClient, 'topics', 'create', 'mtls-a', '--partitions', '1', '--replication-factor', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("User:CN=client (from 127.0.0.1) may not createTopics: it needs CREATE on topic 'mtls-a'");
    const created = await cli(asAdmin, 'topics', 'create', 'mtls-a', '--partitions', '1', '--replication-factor', '1');
    expect(created.code, created.stderr).toBe(0);

    const granted = await cli(asAdmin, 'acls', '--add', '--allow-principal', 'User:CN=client', '--operation', 'Create', '--topic', 'mtls-', '--resource-pattern-type', 'prefixed');
    expect(granted.code, granted.stderr).toBe(0);
    const now = await cli(asClient, 'topics', 'create', 'mtls-b', '--partitions', '1', '--replication-factor', '1');
    expect(now.code, now.stderr).toBe(0);
    // The grant is for topics named mtls-*, nothing else.
    expect((await cli(asClient, 'topics', 'create', 'other', '--partitions', '1', '--replication-factor', '1')).code).toBe(1);
    expect(await refusedPeers()).toEqual([]);
  }, 60_000);

  it('only the active controller judges by the ACLs: a standby answers NOT_CONTROLLER to a caller who needs them, so its channel goes on to the active one', async () => {
    const channel = controllerChannelTo(t.cluster, 15_000);
    const leaderId = (await channel.call('describeQuorum', {})).leaderId!;
    await channel.close();
    const asClient = { caPem: pki.caPem, certPem: pki.clientCertPem, keyPem: pki.clientKeyPem, verifyHostname: true };
    const asAdmin = { caPem: pki.caPem, certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, verifyHostname: true };
    const answer = (id: number, method: 'describeQuorum' | 'describeTopics' | 'describeNode', tls = asClient) =>
      askNode({ host: '127.0.0.1', port: t.cluster.node(id).controllerPort! }, method, {}, { timeoutMs: 10_000, tls }).then(
        () => 'ok',
        (e: unknown) => (e as { errorName?: string }).errorName ?? String(e),
      );
    const standby = t.cluster.controllers.find((n) => n.id !== leaderId)!.id;
    // A method only the active controller runs, and a read any controller answers: both judged by the active one.
    expect(await answer(standby, 'describeQuorum')).toBe('NOT_CONTROLLER');
    expect(await answer(leaderId, 'describeQuorum')).toBe('CLUSTER_AUTHORIZATION_FAILED'); // CN=client has no DESCRIBE on the cluster
    expect(await answer(standby, 'describeTopics')).toBe('NOT_CONTROLLER');
    expect(await answer(leaderId, 'describeTopics')).toBe('ok'); // a listing, less what CN=client may not DESCRIBE
    // Open methods, and a super user's reads, the standby answers itself.
    expect(await answer(standby, 'describeNode')).toBe('ok');
    expect(await answer(standby, 'describeTopics', asAdmin)).toBe('ok');
  }, 30_000);

  it('kill -9 of the leader: the other voters elect a new one through the same checks, and it commits', async () => {
    const channel = controllerChannelTo(t.cluster, 15_000);
    try {
      const before = await channel.call('describeQuorum', {});
      await t.cluster.kill(before.leaderId!);
      const after = await until('a new leader', 30_000, async () => {
        const q = await channel.call('describeQuorum', {}).catch(() => undefined);
        return q !== undefined && q.leaderId !== null && q.leaderId !== before.leaderId ? q : undefined;
      });
      expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    } finally {
      await channel.close();
    }
    const created = await cli(asAdmin, 'topics', 'create', 'mtls-after', '--partitions', '1', '--replication-factor', '1');
    expect(created.code, created.stderr).toBe(0);
    expect(await refusedPeers()).toEqual([]);
    expect(exits).toEqual([]);
  }, 90_000);
});
