// Client quotas end to end, on real processes (1 controller + 1 broker, split mode): `configs alter`
// through the broker (which forwards it to the active controller) and through the controller,
// `configs describe` answered by each from its own image, a --delete-config, and the broker's
// metadata directory read by metadata-shell (/clientQuotas) and dump-log while it runs; a user's
// SCRAM credentials set and deleted with configs alter, described by each node.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';

describe.sequential('client quotas through the CLI, controller and broker', () => {
  let t: TestCluster;
  let controller: string;
  let broker: string;

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: false });
    controller = t.cluster.bootstrapControllers();
    broker = t.cluster.bootstrapServers();
  }, 90_000);

  afterAll(async () => {
    await t?.dispose();
  }, 60_000);

  const cli = async (...args: string[]) => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  it('alter through the broker and the controller; each describes from its image; a delete', async () => {
    expect(await cli('configs', 'alter', '--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'etl', '--add-config', 'producer_byte_rate=1048576,request_percentage=50', '--bootstrap-server', broker)).toBe(
      "Completed updating config for user-principal 'alice', client-id 'etl'.\n",
    );
    expect(await cli('configs', 'alter', '--entity-type', 'users', '--entity-default', '--add-config', 'consumer_byte_rate=20000000', '--bootstrap-controller', controller)).toBe(
      'Completed updating default config for users in the cluster.\n',
    );
    const pair = "Quota configs for user-principal 'alice', client-id 'etl' are producer_byte_rate=1048576.0, request_percentage=50.0\n";
    expect(await cli('configs', 'describe', '--entity-type', 'users', '--entity-type', 'clients', '--bootstrap-controller', controller)).toBe(pair);
    // The broker answers from its own image: it may be a moment behind the controller.
    await until('the broker to hold both quotas', 20_000, async () => {
      const r = await runCli(['configs', 'describe', '--entity-type', 'users', '--json', '--bootstrap-server', broker]);
      return r.code === 0 && (JSON.parse(r.stdout) as { entries: unknown[] }).entries.length === 1 ? true : undefined;
    });
    expect(await cli('configs', 'describe', '--entity-type', 'users', '--entity-type', 'clients', '--bootstrap-server', broker)).toBe(pair);
    expect(await cli('configs', 'describe', '--entity-type', 'users', '--bootstrap-server', broker)).toBe('Quota configs for the default user-principal are consumer_byte_rate=2.0E7\n');

    await cli('configs', 'alter', '--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'etl', '--delete-config', 'request_percentage', '--bootstrap-server', broker);
    expect(await cli('configs', 'describe', '--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'etl', '--bootstrap-controller', controller)).toBe(
      "Quota configs for user-principal 'alice', client-id 'etl' are producer_byte_rate=1048576.0\n",
    );
    const refused = await runCli(['configs', 'alter', '--entity-type', 'users', '--entity-name', 'alice', '--add-config', 'producer_byte_rate=1.5', '--bootstrap-server', broker]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: cannot alter quotas of user-principal 'alice': INVALID_REQUEST: Configuration producer_byte_rate must be a Long value");
  }, 60_000);

  it("metadata-shell and dump-log read the broker's directory while it runs", async () => {
    const brokerNode = t.cluster.nodes.find((n) => n.roles.includes('broker') && !n.roles.includes('controller'))!;
    const dir = join(brokerNode.dir, 'metadata');
    await until('the broker to hold the delete', 20_000, async () => {
      const r = await runCli(['metadata-shell', '--dir', dir, '--command', 'tree /clientQuotas']);
      return r.code === 0 && !r.stdout.includes('request_percentage') ? r.stdout : undefined;
    });
    const shell = await cli('metadata-shell', '--dir', dir, '--command', 'ls /clientQuotas', '--command', 'cat /clientQuotas/user=alice,client-id=etl/producer_byte_rate');
    expect(shell).toBe('user=<default>\nuser=alice,client-id=etl\n1048576\n');
    const dump = await cli('dump-log', '--dir', dir, '--records-only');
    expect(dump).toContain('type: ClientQuota version: 0 payload: {"entity":[{"entityType":"user","entityName":null}],"key":"consumer_byte_rate","value":20000000,"remove":false}');
    expect(dump).toContain('type: ClientQuota version: 0 payload: {"entity":[{"entityType":"user","entityName":"alice"},{"entityType":"client-id","entityName":"etl"}],"key":"request_percentage","value":0,"remove":true}');
  }, 60_000);

  it("SCRAM credentials in kafka-configs' syntax: set through the broker (the salted password over the wire), described by each node, deleted", async () => {
    expect(await cli('configs', 'alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]', '--bootstrap-server', broker)).toBe(
      "Completed updating the SCRAM credentials of user-principal 'alice': SCRAM-SHA-256 set (iterations=8192), SCRAM-SHA-512 set (iterations=4096).\n" +
        'Completed updating config for user alice.\n',
    );
    const line = "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n";
    expect(await cli('configs', 'describe', '--entity-type', 'users', '--entity-name', 'alice', '--bootstrap-controller', controller)).toBe(line);
    await until('the broker to hold both credentials', 20_000, async () => {
      const r = await runCli(['configs', 'describe', '--user', 'alice', '--bootstrap-server', broker]);
      return r.code === 0 && r.stdout === line ? true : undefined;
    });
    await cli('configs', 'alter', '--user', 'alice', '--delete-config', 'SCRAM-SHA-512', '--bootstrap-controller', controller);
    expect(await cli('configs', 'describe', '--user', 'alice', '--bootstrap-controller', controller)).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n");
  }, 60_000);
});
