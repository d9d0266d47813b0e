// --command-config (tools/admin/client-properties.ts): the client properties admin commands take
// to reach TLS listeners, with the ssl.* keys a Kafka tool's file carries.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientTlsFromProperties } from '../../tools/admin/client-properties.js';
import { ConfigError } from '../../tools/config/errors.js';
import { makePki, type Pki } from '../support/tls-certs.js';

describe('client properties (--command-config)', () => {
  let dir: string;
  let pki: Pki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mq-client-props-'));
    pki = makePki(dir);
    execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'client.key', '-out', 'client.enc.key', '-passout', 'pass:s3cret'], { cwd: dir, stdio: 'pipe' });
    await writeFile(join(dir, 'client.enc.pem'), readFileSync(join(dir, 'client.enc.key'), 'utf8') + pki.clientCertPem);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (lines: readonly string[]) => {
    const path = join(dir, 'client.properties');
    await writeFile(path, `${lines.join('\n')}\n`);
    const warnings: string[] = [];
    const material = await clientTlsFromProperties(path, (w) => warnings.push(w)).then(
      (m) => m,
      (e: unknown) => e,
    );
    return { material, warnings };
  };
  const base = (extra: readonly string[]) => ['security.protocol=SSL', `ssl.keystore.location=${join(dir, 'client.enc.pem')}`, `ssl.truststore.location=${join(dir, 'ca.crt')}`, ...extra];

  it('an encrypted client key is opened with ssl.key.password (a known key, not warned about)', async () => {
    const { material, warnings } = await load(base(['ssl.key.password=s3cret']));
    expect(warnings).toEqual([]);
    expect(material).toMatchObject({ certPem: expect.stringContaining('BEGIN CERTIFICATE'), keyPem: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/), caPem: pki.caPem });
  });

  it('without ssl.key.password, an encrypted key is a ConfigError saying what to set', async () => {
    const { material } = await load(base([]));
    expect(material).toBeInstanceOf(ConfigError);
    expect((material as ConfigError).key).toBe('ssl.key.password');
    expect((material as ConfigError).message).toContain('its private key is encrypted');
  });
});
