// The client properties file admin commands take with --command-config (Kafka's tools take the
// same): `security.protocol=SSL` plus the ssl.* keys of a client, as in server.properties.
// PLAINTEXT (or no file) means no TLS.

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors.js';
import { parseProperties } from '../config/properties.js';
import type { TlsMaterial } from '../../quorum/net/types.js';
import { clientTlsMaterial } from '../server/tls-material.js';

const KNOWN = new Set(['security.protocol', 'ssl.keystore.location', 'ssl.keystore.type', 'ssl.key.password', 'ssl.truststore.location', 'ssl.truststore.type', 'ssl.endpoint.identification.algorithm']);

/** The TLS material a client properties file asks for; undefined for PLAINTEXT. */
export async function clientTlsFromProperties(path: string, warn: (msg: string) => void): Promise<TlsMaterial | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--command-config ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const props = parseProperties(text);
  for (const key of props.keys()) if (!KNOWN.has(key)) warn(`--command-config: unknown key ${key} is ignored`);
  const protocol = (props.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (protocol === 'PLAINTEXT') return undefined;
  if (protocol !== 'SSL') {
    // metaquorum's tools speak the internal protocol, which has no SASL step (a SASL listener refuses them).
    throw new ConfigError(`security.protocol = "${protocol}": must be PLAINTEXT or SSL (metaquorum's tools do not speak SASL: point them at a PLAINTEXT or SSL listener, or a controller)`, 'security.protocol');
  }
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
