// Reads the PEM files NodeConfig names for an SSL listener into the TLS material the transport
// takes. A keystore is one PEM file holding the private key and the certificate chain (Kafka's
// ssl.keystore.type=PEM); a truststore a PEM file of CA certificates.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
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

/** An OpenSSL failure's own words ("no start line"). */
const pemReason = (e: unknown): string => (e as { reason?: string }).reason ?? (e as Error).message;

/** A keystore holding a private key and a matching certificate; else a ConfigError (exit 2), not an OpenSSL error at bind time. */
async function readKeystore(path: string, key: string): Promise<string> {
  const pem = await readPem(path, key);
  try {
    createSecureContext({ key: pem, cert: pem });
  } catch (e) {
    throw new ConfigError(`${key} = "${path}": not a usable PEM keystore (${pemReason(e)}); it must hold the private key and the certificate chain`, key);
  }
  return pem;
}

/** A truststore with at least one certificate (OpenSSL would silently load nothing from another file and trust no one). */
async function readTruststore(path: string, key: string): Promise<string> {
  const pem = await readPem(path, key);
  try {
    new X509Certificate(pem);
  } catch (e) {
    throw new ConfigError(`${key} = "${path}": holds no PEM certificate (${pemReason(e)})`, key);
  }
  return pem;
}

/** The keys a listener's files came from: the per-listener ones when set there (messages name what the operator wrote). */
const keystoreKey = (tls: ListenerTlsConfig): string => tls.keystoreKey ?? 'ssl.keystore.location';
const truststoreKey = (tls: ListenerTlsConfig): string => tls.truststoreKey ?? 'ssl.truststore.location';

/** Material for a listener this node binds (server side). */
export async function serverTlsMaterial(tls: ListenerTlsConfig): Promise<TlsMaterial> {
  if (tls.keystoreLocation === null) throw new ConfigError('ssl.keystore.location: an SSL listener needs a keystore', 'ssl.keystore.location');
  const pem = await readKeystore(tls.keystoreLocation, keystoreKey(tls));
  return {
    certPem: pem,
    keyPem: pem,
    ...(tls.truststoreLocation === null ? {} : { caPem: await readTruststore(tls.truststoreLocation, truststoreKey(tls)) }),
    clientAuth: tls.clientAuth,
    verifyHostname: tls.verifyHostname,
  };
}

/** Material for connecting to an SSL listener (client side: our certificate, if any, and the CAs we trust). */
export async function clientTlsMaterial(tls: ListenerTlsConfig): Promise<TlsMaterial> {
  const pem = tls.keystoreLocation === null ? undefined : await readKeystore(tls.keystoreLocation, keystoreKey(tls));
  return {
    ...(pem === undefined ? {} : { certPem: pem, keyPem: pem }),
    ...(tls.truststoreLocation === null ? {} : { caPem: await readTruststore(tls.truststoreLocation, truststoreKey(tls)) }),
    verifyHostname: tls.verifyHostname,
  };
}
