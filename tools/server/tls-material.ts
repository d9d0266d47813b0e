// Reads the PEM files NodeConfig names for an SSL listener into the TLS material the transport
// takes. A keystore is one PEM file holding the private key and the certificate chain (Kafka's
// ssl.keystore.type=PEM); a truststore a PEM file of CA certificates.

import { readFile } from 'node:fs/promises';
import type { ListenerTlsConfig } from '../config/node-config.js';
import { ConfigError } from '../config/errors.js';
import type { TlsMaterial } from '../../quorum/net/types.js';

async function readPem(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${key} = "${path}": cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, key);
  }
}

/** Material for a listener this node binds (server side). */
export async function serverTlsMaterial(tls: ListenerTlsConfig): Promise<TlsMaterial> {
  if (tls.keystoreLocation === null) throw new ConfigError('ssl.keystore.location: an SSL listener needs a keystore', 'ssl.keystore.location');
  const pem = await readPem(tls.keystoreLocation, 'ssl.keystore.location');
  return {
    certPem: pem,
    keyPem: pem,
    ...(tls.truststoreLocation === null ? {} : { caPem: await readPem(tls.truststoreLocation, 'ssl.truststore.location') }),
    requireClientCert: tls.clientAuth === 'required',
    verifyHostname: tls.verifyHostname,
  };
}

/** Material for connecting to an SSL listener (client side: our certificate, if any, and the CAs we trust). */
export async function clientTlsMaterial(tls: ListenerTlsConfig): Promise<TlsMaterial> {
  const pem = tls.keystoreLocation === null ? undefined : await readPem(tls.keystoreLocation, 'ssl.keystore.location');
  return {
    ...(pem === undefined ? {} : { certPem: pem, keyPem: pem }),
    ...(tls.truststoreLocation === null ? {} : { caPem: await readPem(tls.truststoreLocation, 'ssl.truststore.location') }),
    verifyHostname: tls.verifyHostname,
  };
}
