// The client properties file admin commands take with --command-config (Kafka's tools take the
// same): `security.protocol` (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL), the ssl.* keys of a
// client as in server.properties, and for SASL `sasl.mechanism` (SCRAM-SHA-256 or SCRAM-SHA-512)
// with a ScramLoginModule `sasl.jaas.config` naming the user and password. PLAINTEXT (or no file)
// means no TLS and no SASL. The SASL exchange runs in the internal protocol's handshake
// (quorum/net/handshake.ts), against a broker's SASL_PLAINTEXT or SASL_SSL listener.

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors.js';
import { parseProperties } from '../config/properties.js';
import type { SaslClientExchange, TlsMaterial } from '../../quorum/net/types.js';
import { scramMechanismByName } from '../../metadata-log/records/user-scram-credential.js';
import { clientTlsMaterial } from '../server/tls-material.js';
import { loginModuleText, parseJaasEntry, SCRAM_LOGIN_MODULE } from './jaas-config.js';
import { ScramClientExchange } from './scram-client.js';

const SSL_KEYS = ['ssl.keystore.location', 'ssl.keystore.type', 'ssl.key.password', 'ssl.truststore.location', 'ssl.truststore.type', 'ssl.endpoint.identification.algorithm'];
const SASL_KEYS = ['sasl.mechanism', 'sasl.jaas.config'];
const KNOWN = new Set(['security.protocol', ...SSL_KEYS, ...SASL_KEYS]);
const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** How a tool reaches a listener: TLS material for SSL and SASL_SSL, a SASL exchange (a new one per connection) for SASL_*. */
export interface ClientSecurity {
  readonly tls?: TlsMaterial;
  readonly sasl?: () => SaslClientExchange;
}

/** What a client properties file asks for; {} for PLAINTEXT. */
export async function clientSecurityFromProperties(path: string, warn: (msg: string) => void): Promise<ClientSecurity> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--command-config ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const props = parseProperties(text);
  for (const key of props.keys()) if (!KNOWN.has(key)) warn(`--command-config: unknown key ${key} is ignored`);
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!PROTOCOLS.includes(protocol)) throw new ConfigError(`security.protocol = "${protocol}": must be one of ${PROTOCOLS.join(', ')}`, 'security.protocol');
  const withTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const withSasl = protocol.startsWith('SASL_');
  if (!withSasl) {
    for (const key of SASL_KEYS) if (props.has(key)) warn(`--command-config: ${key} is ignored: security.protocol is ${protocol}, not SASL_PLAINTEXT or SASL_SSL`);
  }
  return {
    ...(withTls ? { tls: await tlsMaterial(props) } : {}),
    ...(withSasl ? { sasl: saslExchange(props) } : {}),
  };
}

async function tlsMaterial(props: ReadonlyMap<string, string>): Promise<TlsMaterial> {
  for (const key of ['ssl.keystore.type', 'ssl.truststore.type']) {
    const type = props.get(key);
    if (type !== undefined && type.toUpperCase() !== 'PEM') throw new ConfigError(`${key} = "${type}": only PEM is supported`, key);
  }
  const algorithm = props.get('ssl.endpoint.identification.algorithm') ?? 'https';
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https') throw new ConfigError(`ssl.endpoint.identification.algorithm = "${algorithm}": must be https or empty`, 'ssl.endpoint.identification.algorithm');
  const keyPassword = props.get('ssl.key.password');
  return clientTlsMaterial({
    keystoreLocation: props.get('ssl.keystore.location') ?? null,
    ...(keyPassword === undefined ? {} : { keyPassword }),
    truststoreLocation: props.get('ssl.truststore.location') ?? null,
    clientAuth: 'none',
    verifyHostname: algorithm !== '',
  });
}

/** The SCRAM exchange the sasl.* keys describe; a ConfigError (never quoting the JAAS text: it holds the password) when they cannot be used. */
function saslExchange(props: ReadonlyMap<string, string>): () => SaslClientExchange {
  const mechanism = props.get('sasl.mechanism')?.trim();
  if (mechanism === undefined) {
    throw new ConfigError("sasl.mechanism is not set: metaquorum offers SCRAM-SHA-256 and SCRAM-SHA-512 (Kafka's default, GSSAPI, is not offered)", 'sasl.mechanism');
  }
  if (scramMechanismByName(mechanism) === undefined) {
    const hint = scramMechanismByName(mechanism.toUpperCase()) !== undefined ? ` (mechanism names are upper case: ${mechanism.toUpperCase()})` : '';
    throw new ConfigError(`sasl.mechanism = "${mechanism.slice(0, 40)}": must be SCRAM-SHA-256 or SCRAM-SHA-512${hint}`, 'sasl.mechanism');
  }
  const jaas = props.get('sasl.jaas.config');
  if (jaas === undefined) {
    throw new ConfigError(`sasl.jaas.config is not set: it names the user, e.g. ${SCRAM_LOGIN_MODULE} required username="alice" password="…";`, 'sasl.jaas.config');
  }
  let entry;
  try {
    entry = parseJaasEntry(jaas);
  } catch (e) {
    throw new ConfigError(`sasl.jaas.config cannot be read: ${(e as Error).message}`, 'sasl.jaas.config');
  }
  if (entry.loginModule !== SCRAM_LOGIN_MODULE) {
    const named = loginModuleText(entry.loginModule);
    throw new ConfigError(`sasl.jaas.config names ${named === entry.loginModule ? `login module ${named}` : 'a login module that is not a class name'}; with ${mechanism} it must be ${SCRAM_LOGIN_MODULE}`, 'sasl.jaas.config');
  }
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  for (const [name, value] of [['username', username], ['password', password]] as const) {
    if (value === undefined || value === '') throw new ConfigError(`sasl.jaas.config has no ${name}="…" option`, 'sasl.jaas.config');
  }
  if (entry.options.get('tokenauth')?.toLowerCase() === 'true') {
    throw new ConfigError('sasl.jaas.config asks for delegation token authentication (tokenauth=true), which metaquorum does not offer', 'sasl.jaas.config');
  }
  return () => new ScramClientExchange(mechanism, username!, password!);
}
