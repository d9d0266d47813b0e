// The TLS files a broker's SSL client listeners take from its metadata image: ssl.keystore.location,
// ssl.key.password and ssl.truststore.location set as dynamic configs of this broker (Kafka's are
// per-broker only), each for one listener as listener.name.<listener>.<key> (the listener's name in
// lower case) over the unprefixed key for all of them, over the listener's own server.properties
// values, key by key. One difference from Kafka, whose prefixed key wins at any level: a dynamic
// unprefixed key wins here over a static prefixed one too, so that setting ssl.keystore.location on
// a broker rotates every SSL listener's certificate, whatever server.properties prefixed. Kafka reloads a
// listener's keystore and truststore when they change, for the next connection; so does BrokerServer
// (NetServer.updateTls), through the reader node-process gives it (tools/server/tls-material.ts: the
// same checks as at start). A reload that fails keeps the listener's certificate and says why in the
// log. Keystores are PEM (ssl.keystore.type=PEM), so the two store passwords play no part. Pure.

import type { MetadataImageView } from '../metadata-log/image-types.js';

export interface DynamicTlsSettings {
  readonly keystoreLocation?: string;
  readonly keyPassword?: string;
  readonly truststoreLocation?: string;
  /** The listener-prefixed key a value came from (absent: the unprefixed key), for log lines and errors. */
  readonly from?: { readonly [F in TlsField]?: string };
}

type TlsField = 'keystoreLocation' | 'keyPassword' | 'truststoreLocation';

const KEYS = { keystoreLocation: 'ssl.keystore.location', keyPassword: 'ssl.key.password', truststoreLocation: 'ssl.truststore.location' } as const;

/** This broker's dynamic ssl.* settings for one listener (absent keys: the listener's static value applies). */
export function dynamicTlsSettings(image: MetadataImageView, brokerId: number, listenerName: string): DynamicTlsSettings {
  const own = image.configs('broker', String(brokerId));
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  const out: { -readonly [F in TlsField]?: string } = {};
  const from: { [F in TlsField]?: string } = {};
  for (const [field, key] of Object.entries(KEYS) as [TlsField, string][]) {
    const prefixed = own.get(prefix + key);
    if (prefixed !== undefined) from[field] = prefix + key;
    const v = prefixed ?? own.get(key);
    if (v !== undefined) out[field] = v;
  }
  return Object.keys(from).length === 0 ? out : { ...out, from };
}

/** The config key a setting came from: its listener-prefixed name, or the unprefixed one. */
export function tlsSettingKey(s: DynamicTlsSettings, field: TlsField): string {
  return s.from?.[field] ?? KEYS[field];
}

export function sameTlsSettings(a: DynamicTlsSettings, b: DynamicTlsSettings): boolean {
  return a.keystoreLocation === b.keystoreLocation && a.keyPassword === b.keyPassword && a.truststoreLocation === b.truststoreLocation;
}

/** For a log line: which files, never the password. */
export function tlsSettingsText(s: DynamicTlsSettings): string {
  const parts = [
    s.keystoreLocation === undefined ? undefined : `${tlsSettingKey(s, 'keystoreLocation')}=${s.keystoreLocation}`,
    s.keyPassword === undefined ? undefined : `${tlsSettingKey(s, 'keyPassword')}=[hidden]`,
    s.truststoreLocation === undefined ? undefined : `${tlsSettingKey(s, 'truststoreLocation')}=${s.truststoreLocation}`,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? 'the static ssl.* settings (server.properties)' : parts.join(', ');
}
