// --command-config (tools/admin/client-properties.ts): the client properties admin commands take
// to reach TLS and SASL listeners, with the ssl.* and sasl.* keys a Kafka tool's file carries.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecurityFromProperties, type ClientSecurity } from '../../tools/admin/client-properties.js';
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
    const material = await clientSecurityFromProperties(path, (w) => warnings.push(w)).then(
      (m) => m.tls,
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

describe('client properties for SASL (--command-config)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mq-client-sasl-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
  const load = async (lines: readonly string[]) => {
    const path = join(dir, 'sasl.properties');
    await writeFile(path, `${lines.join('\n')}\n`);
    const warnings: string[] = [];
    const security = await clientSecurityFromProperties(path, (w) => warnings.push(w)).catch((e: unknown) => e);
    return { security, warnings };
  };

  it('SASL_PLAINTEXT with SCRAM: a new SCRAM exchange per connection for the user named, no TLS', async () => {
    const { security, warnings } = await load(['security.protocol=SASL_PLAINTEXT ', 'sasl.mechanism=SCRAM-SHA-512 ', `sasl.jaas.config=${MODULE} required username="alice" password="alice-secret";`]);
    expect(warnings).toEqual([]);
    const s = security as ClientSecurity;
    expect(s.tls).toBeUndefined();
    const a = s.sasl!();
    const b = s.sasl!();
    expect(a).not.toBe(b);
    expect(a.mechanism).toBe('SCRAM-SHA-512');
    expect(Buffer.from(a.first()).toString()).toMatch(/^n,,n=alice,r=/);
  });

  it('sasl.* keys with security.protocol PLAINTEXT or SSL are warned about (they would do nothing)', async () => {
    const { security, warnings } = await load(['sasl.mechanism=SCRAM-SHA-256']);
    expect(security).toEqual({});
    expect(warnings).toEqual(['--command-config: sasl.mechanism is ignored: security.protocol is PLAINTEXT, not SASL_PLAINTEXT or SASL_SSL']);
  });

  it('what cannot be used is a ConfigError naming the key, and never quotes the JAAS text (it holds the password)', async () => {
    const jaas = (options: string) => `sasl.jaas.config=${MODULE} required ${options};`;
    for (const [lines, key, message] of [
      [['security.protocol=SASL_PLAINTEXT', jaas('username="a" password="pw-secret"')], 'sasl.mechanism', "sasl.mechanism is not set: metaquorum offers SCRAM-SHA-256 and SCRAM-SHA-512 (Kafka's default, GSSAPI, is not offered)"],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=PLAIN', jaas('username="a" password="pw-secret"')], 'sasl.mechanism', 'must be SCRAM-SHA-256 or SCRAM-SHA-512'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=scram-sha-256', jaas('username="a" password="pw-secret"')], 'sasl.mechanism', 'mechanism names are upper case: SCRAM-SHA-256'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256'], 'sasl.jaas.config', 'sasl.jaas.config is not set'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', 'sasl.jaas.config=com.example.Plain required password="pw-secret";'], 'sasl.jaas.config', `names login module com.example.Plain; with SCRAM-SHA-256 it must be ${MODULE}`],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', jaas('username="a"')], 'sasl.jaas.config', 'has no password="…" option'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', jaas('password="pw-secret"')], 'sasl.jaas.config', 'has no username="…" option'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', `sasl.jaas.config=${MODULE} required username="a" password="pw-secret`], 'sasl.jaas.config', "cannot be read: the entry does not end with ';'"],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', 'sasl.jaas.config=pw-secret required username="a";'], 'sasl.jaas.config', 'names a login module that is not a class name'],
      [['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', jaas('username="a" password="pw-secret" tokenauth=true')], 'sasl.jaas.config', 'delegation token'],
      [['security.protocol=KERBEROS'], 'security.protocol', 'must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL'],
    ] as const) {
      const { security } = await load(lines);
      expect(security, lines.join(' ')).toBeInstanceOf(ConfigError);
      expect((security as ConfigError).key).toBe(key);
      expect((security as ConfigError).message).toContain(message);
      expect((security as ConfigError).message).not.toContain('pw-secret');
    }
  });
});
