// End-to-end: max.connections.per.ip on a real combined node (`metaquorum start`, controller and
// broker in one process), so the key travels from server.properties to the broker's client
// listener: three Kafka clients from 127.0.0.1 are answered, a fourth is closed by the node at once
// and the node logs why, the three still answer, and one closing lets a new one in. `start` with an
// override host that does not resolve, or a negative limit, exits 2 naming the key. The same for
// listener.name.plaintext.max.connections on another node: its listener takes two, not three. A
// dynamic max.connections.per.ip (configs alter) applies at once and goes with its deletion.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCluster, until, type TestCluster } from '../support/process-harness.js';
import { connectUntilServerCloses, kafkaClientConnection, type KafkaProbe } from '../support/tcp-probes.js';

const PER_IP = 3;

describe('max.connections.per.ip on a combined node', () => {
  let t: TestCluster;
  const probes: KafkaProbe[] = [];

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: true, properties: { 'max.connections.per.ip': String(PER_IP) } });
  }, 60_000);

  afterAll(async () => {
    for (const p of probes) p.socket.destroy();
    await t?.dispose();
  }, 30_000);

  it(`${PER_IP} Kafka clients from 127.0.0.1 are answered; one more is closed by the node with a warn line, and the ${PER_IP} go on; a closed one frees its slot`, async () => {
    const node = t.cluster.nodes[0]!;
    const port = node.clientPort!;
    // The harness's readiness probes from 127.0.0.1 are closed connections by now, but the node may not have seen the last close yet.
    const clients: KafkaProbe[] = [];
    await until('three Kafka connections answered', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      if ((await c.apiVersions(1)) === 0) clients.push(c);
      return clients.length >= PER_IP ? true : undefined;
    }, 100);
    expect(clients).toHaveLength(PER_IP);

    await connectUntilServerCloses(port);
    for (const [i, c] of clients.entries()) expect(await c.apiVersions(10 + i)).toBe(0);

    const refusal = await until('the refusal in the node log', 10_000, async () => {
      const lines = (await readFile(node.logPath, 'utf8')).split('\n').filter((l) => l.includes('connection refused: too many connections'));
      return lines.length > 0 ? (JSON.parse(lines[0]!) as Record<string, unknown>) : undefined;
    });
    expect(refusal).toMatchObject({ level: 'warn', listener: 'PLAINTEXT', limit: 'max.connections.per.ip', connectionsMax: PER_IP, dropped: 1 });
    expect(String(refusal['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);

    clients[0]!.socket.destroy();
    const next = await until('a connection in the freed slot', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      return (await c.apiVersions(20)) === 0 ? c : undefined;
    }, 100);
    expect(next.socket.destroyed).toBe(false);
  });

  it('a dynamic max.connections.per.ip (configs alter) applies to the next connection at once, held ones stay; deleting it brings the static limit back', async () => {
    const node = t.cluster.nodes[0]!;
    const port = node.clientPort!;
    for (const p of probes.splice(0)) p.socket.destroy();
    const alter = (flag: string, value: string) => runCli(['configs', 'alter', '--entity-type', 'brokers', '--entity-name', String(node.id), flag, value, '--bootstrap-controller', t.cluster.bootstrapControllers()]);
    const first = await until('one Kafka connection answered (the closed probes\' slots freed)', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      return (await c.apiVersions(30)) === 0 ? c : undefined;
    }, 100);
    const set = await alter('--add-config', 'max.connections.per.ip=1');
    expect(set.code, set.stderr).toBe(0);
    // The node applies it once the record is in its image: a second connection is closed at once.
    await until('a second connection closed by the node', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      return (await c.apiVersions(31).catch(() => -1)) === 0 ? undefined : true;
    }, 100);
    expect(await first.apiVersions(32)).toBe(0);
    const unset = await alter('--delete-config', 'max.connections.per.ip');
    expect(unset.code, unset.stderr).toBe(0);
    const second = await until('a second connection answered under the static limit again', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      return (await c.apiVersions(33).catch(() => -1)) === 0 ? c : undefined;
    }, 100);
    expect(second.socket.destroyed).toBe(false);
  });

  it('start exits 2 naming the key for a negative limit and for an override host that does not resolve', async () => {
    const config = t.cluster.nodes[0]!.configPath;
    const negative = await runCli(['start', '--config', config, '--override', 'max.connections=-1']);
    expect(negative.code, negative.stderr).toBe(2);
    expect(negative.stderr).toContain('max.connections = "-1": must be a non-negative integer');
    const unresolved = await runCli(['start', '--config', config, '--override', 'max.connections.per.ip.overrides=127.0.0.1:5,nowhere.invalid:2']);
    expect(unresolved.code, unresolved.stderr).toBe(2);
    expect(unresolved.stderr).toContain('max.connections.per.ip.overrides: cannot resolve host "nowhere.invalid"');
  });
});

describe('listener.name.plaintext.max.connections on a combined node', () => {
  let t: TestCluster;
  const probes: KafkaProbe[] = [];

  beforeAll(async () => {
    t = await startTestCluster({ controllers: 1, brokers: 1, combined: true, properties: { 'listener.name.plaintext.max.connections': '2' } });
  }, 60_000);

  afterAll(async () => {
    for (const p of probes) p.socket.destroy();
    await t?.dispose();
  }, 30_000);

  it('two Kafka clients are answered on the listener; one more is closed with a warn line naming the listener limit', async () => {
    const node = t.cluster.nodes[0]!;
    const port = node.clientPort!;
    const clients: KafkaProbe[] = [];
    await until('two Kafka connections answered', 10_000, async () => {
      const c = await kafkaClientConnection(port);
      probes.push(c);
      if ((await c.apiVersions(1)) === 0) clients.push(c);
      return clients.length >= 2 ? true : undefined;
    }, 100);
    await connectUntilServerCloses(port);
    for (const [i, c] of clients.entries()) expect(await c.apiVersions(10 + i)).toBe(0);
    const refusal = await until('the refusal in the node log', 10_000, async () => {
      const lines = (await readFile(node.logPath, 'utf8')).split('\n').filter((l) => l.includes('connection refused: too many connections'));
      return lines.length > 0 ? (JSON.parse(lines[0]!) as Record<string, unknown>) : undefined;
    });
    expect(refusal).toMatchObject({ level: 'warn', listener: 'PLAINTEXT', limit: 'listener.name.plaintext.max.connections', connectionsMax: 2 });
  });
});
