// Reads the PEM files NodeConfig names for an SSL listener into the TLS material the transport
// takes. A keystore is one PEM file holding the private key and the certificate chain (Kafka's
// ssl.keystore.type=PEM); a truststore a PEM file of CA certificates. An encrypted private key
// (PKCS#8 "ENCRYPTED PRIVATE KEY", or a traditional one with "Proc-Type: 4,ENCRYPTED") is
// decrypted here with ssl.key.password, as Kafka's PEM keystores take it, so that the transport
// only ever sees a plain key and no message or log line carries the password.

import { createPrivateKey, X509Certificate } from 'node:crypto';
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

const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/**
 * A keystore holding a private key and a matching certificate; else a ConfigError (exit 2), not an
 * OpenSSL error at bind time. The key comes back decrypted when the file holds it encrypted.
 */
async function readKeystore(tls: ListenerTlsConfig, path: string): Promise<{ certPem: string; keyPem: string }> {
  const key = keystoreKey(tls);
  const pem = await readPem(path, key);
  const passwordKey = tls.keyPasswordKey ?? 'ssl.key.password';
  let keyPem = pem;
  if (ENCRYPTED_KEY.test(pem) && tls.keyPassword === undefined) {
    throw new ConfigError(`${key} = "${path}": its private key is encrypted; set ${passwordKey} to its password`, passwordKey);
  }
  if (tls.keyPassword !== undefined) {
    try {
      keyPem = createPrivateKey({ key: pem, format: 'pem', passphrase: tls.keyPassword }).export({ type: 'pkcs8', format: 'pem' }).toString();
    } catch (e) {
      throw new ConfigError(`${key} = "${path}": ${passwordKey} does not open its private key (${pemReason(e)})`, passwordKey);
    }
  }
  try {
    createSecureContext({ key: keyPem, cert: pem });
  } catch (e) {
    throw new ConfigError(`${key} = "${path}": not a usable PEM keystore (${pemReason(e)}); it must hold the private key and the certificate chain`, key);
  }
  return { certPem: pem, keyPem };
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
  const keystore = await readKeystore(tls, tls.keystoreLocation);
  return {
    ...keystore,
    ...(tls.truststoreLocation === null ? {} : { caPem: await readTruststore(tls.truststoreLocation, truststoreKey(tls)) }),
    clientAuth: tls.clientAuth,
    verifyHostname: tls.verifyHostname,
  };
}

/** Material for connecting to an SSL listener (client side: our certificate, if any, and the CAs we trust). */
export async function clientTlsMaterial(tls: ListenerTlsConfig): Promise<TlsMaterial> {
  const keystore = tls.keystoreLocation === null ? undefined : await readKeystore(tls, tls.keystoreLocation);
  return {
    ...keystore,
    ...(tls.truststoreLocation === null ? {} : { caPem: await readTruststore(tls.truststoreLocation, truststoreKey(tls)) }),
    verifyHostname: tls.verifyHostname,
  };
}
