// The TLS files a broker's SSL client listeners take from its metadata image: ssl.keystore.location,
// ssl.key.password and ssl.truststore.location set as dynamic configs of this broker (Kafka's are
// per-broker only), over the listener's own server.properties values, key by key. Kafka reloads a
// listener's keystore and truststore when they change, for the next connection; so does BrokerServer
// (NetServer.updateTls), through the reader node-process gives it (tools/server/tls-material.ts: the
// same checks as at start). A reload that fails keeps the listener's certificate and says why in the
// log. Keystores are PEM (ssl.keystore.type=PEM), so the two store passwords play no part. Pure.

import type { MetadataImageView } from '../metadata-log/image-types.js';

export interface DynamicTlsSettings {
  readonly keystoreLocation?: string;
  readonly keyPassword?: string;
  readonly truststoreLocation?: string;
}

const KEYS = { keystoreLocation: 'ssl.keystore.location', keyPassword: 'ssl.key.password', truststoreLocation: 'ssl.truststore.location' } as const;

/** This broker's dynamic ssl.* settings (absent keys: the listener's static value applies). */
export function dynamicTlsSettings(image: MetadataImageView, brokerId: number): DynamicTlsSettings {
  const own = image.configs('broker', String(brokerId));
  const out: { -readonly [K in keyof DynamicTlsSettings]: string } = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof DynamicTlsSettings, string][]) {
    const v = own.get(key);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

export function sameTlsSettings(a: DynamicTlsSettings, b: DynamicTlsSettings): boolean {
  return a.keystoreLocation === b.keystoreLocation && a.keyPassword === b.keyPassword && a.truststoreLocation === b.truststoreLocation;
}

/** For a log line: which files, never the password. */
export function tlsSettingsText(s: DynamicTlsSettings): string {
  const parts = [
    s.keystoreLocation === undefined ? undefined : `ssl.keystore.location=${s.keystoreLocation}`,
    s.keyPassword === undefined ? undefined : 'ssl.key.password=[hidden]',
    s.truststoreLocation === undefined ? undefined : `ssl.truststore.location=${s.truststoreLocation}`,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? 'the static ssl.* settings (server.properties)' : parts.join(', ');
}
