// Dynamic ssl.* broker configs on a real combined node whose client listener is SSL: `configs
// alter` of the broker's ssl.keystore.location makes the next TLS handshake present the new
// certificate (as Kafka reloads a listener's keystore); a keystore that cannot be read keeps the
// certificate in use and says why in the node log; deleting the config goes back to the
// server.properties keystore. The listener-prefixed key does the same for that listener.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../tools/server/process-cluster.js';
import { waitForClusterReady } from '../../tools/server/cluster-ready.js';
import { CLI, runCli, TEST_PROPERTIES, until } from '../support/process-harness.js';
import { freePort } from '../support/lone-broker.js';
import { makePki } from '../support/tls-certs.js';

describe.sequential('dynamic ssl.keystore.location on an SSL client listener', () => {
  let cluster: ProcessCluster;
  let dir: string;
  let pkiDir: string;
  let otherKeystore: string;
  let sslPort: number;

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'mq-dynamic-tls-'));
    const pki = makePki(pkiDir);
    const keystore = join(pkiDir, 'server.keystore.pem');
    await writeFile(keystore, pki.serverKeyPem + pki.serverCertPem);
    otherKeystore = join(pkiDir, 'rotated.keystore.pem');
    await writeFile(otherKeystore, pki.clientKeyPem + pki.clientCertPem);
    dir = await mkdtemp(join(tmpdir(), 'metaquorum-e2e-'));
    cluster = await ProcessCluster.create({ dataDir: dir, shape: { basePort: 0, controllers: 1, brokers: 0, combined: true, properties: TEST_PROPERTIES }, cliPath: CLI, logLevel: 'info' });
    // A second client listener, SSL, beside the PLAINTEXT one the harness probes.
    const node = cluster.nodes[0]!;
    sslPort = await freePort();
    const lines = (await readFile(node.configPath, 'utf8')).split('\n');
    const set = (key: string, value: string) => {
      const i = lines.findIndex((l) => l.startsWith(`${key}=`));
      if (i >= 0) lines[i] = `${key}=${value}`;
      else lines.push(`${key}=${value}`);
    };
    const get = (key: string) => lines.find((l) => l.startsWith(`${key}=`))!.slice(key.length + 1);
    set('listeners', `${get('listeners')},SSL://127.0.0.1:${sslPort}`);
    set('listener.security.protocol.map', `${get('listener.security.protocol.map')},SSL:SSL`);
    set('listener.name.ssl.ssl.keystore.location', keystore);
    await writeFile(node.configPath, lines.join('\n'));
    await cluster.startAll();
    await waitForClusterReady(cluster, 45_000);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop(10_000);
    await rm(dir, { recursive: true, force: true });
    await rm(pkiDir, { recursive: true, force: true });
  }, 30_000);

  /** The CN of the certificate the SSL listener presents to a new connection. */
  const presented = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: sslPort, rejectUnauthorized: false }, () => {
        const cn = String(socket.getPeerCertificate().subject.CN);
        socket.destroy();
        resolve(cn);
      });
      socket.once('error', reject);
    });
  const alter = (flag: string, value: string) =>
    runCli(['configs', 'alter', '--entity-type', 'brokers', '--entity-name', String(cluster.nodes[0]!.id), flag, value, '--bootstrap-controller', cluster.bootstrapControllers()]);

  it('the new keystore serves the next handshake; an unreadable one is logged and changes nothing; deleting the config restores the static one', async () => {
    expect(await presented()).toBe('server');
    const set = await alter('--add-config', `ssl.keystore.location=${otherKeystore}`);
    expect(set.code, set.stderr).toBe(0);
    await until('the rotated certificate presented', 10_000, async () => ((await presented()) === 'client' ? true : undefined), 100);

    const missing = join(pkiDir, 'missing.pem');
    expect((await alter('--add-config', `ssl.keystore.location=${missing}`)).code).toBe(0);
    const logged = await until('the failed reload in the node log', 10_000, async () => {
      const line = (await readFile(cluster.nodes[0]!.logPath, 'utf8')).split('\n').find((l) => l.includes('cannot reload TLS material'));
      return line === undefined ? undefined : (JSON.parse(line) as { level: string; err: string });
    });
    expect(logged.level).toBe('error');
    expect(logged.err).toContain(`ssl.keystore.location (a dynamic config of broker ${cluster.nodes[0]!.id}) = "${missing}": cannot be read (ENOENT)`);
    expect(await presented()).toBe('client');

    expect((await alter('--delete-config', 'ssl.keystore.location')).code).toBe(0);
    await until('the static certificate presented again', 10_000, async () => ((await presented()) === 'server' ? true : undefined), 100);
  });

  it("a listener-prefixed key (listener.name.ssl.ssl.keystore.location) rotates that listener's certificate; deleting it restores the static one", async () => {
    expect((await alter('--add-config', `listener.name.ssl.ssl.keystore.location=${otherKeystore}`)).code).toBe(0);
    await until('the rotated certificate presented', 10_000, async () => ((await presented()) === 'client' ? true : undefined), 100);
    expect((await alter('--delete-config', 'listener.name.ssl.ssl.keystore.location')).code).toBe(0);
    await until('the static certificate presented again', 10_000, async () => ((await presented()) === 'server' ? true : undefined), 100);
  });
});
