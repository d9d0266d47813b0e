// The TLS settings of each SSL or SASL_SSL listener (both are TLS; "SSL listener" below), from the ssl.* keys with Kafka's per-listener rule: a
// key written as listener.name.<listener name in lower case>.ssl.<...> applies to that listener
// only and wins over the plain ssl.<...> key, one key at a time (a listener may take its own
// keystore and the shared truststore).
//
// Every SSL listener this node binds needs a keystore. A broker-only node also gets an entry for
// an SSL controller listener, which it only dials: there the keystore is optional (needed only
// when the controllers ask for client certificates). Per-listener keys that point at no listener,
// or at a listener that is not SSL, are warned about: they would otherwise be silently unused.

import { usesTls, type SecurityProtocol } from '../../quorum/net/types.js';
import { ConfigError } from './errors.js';
import type { KeyReader } from './key-reader.js';
import type { ListenerConfig, ListenerTlsConfig } from './node-config.js';
import { type KeySpec, PER_LISTENER_KEY, PER_LISTENER_KEYS, PER_LISTENER_SSL_KEYS, perListenerKey, serverKeys as K } from './server-keys.js';
import { isKnownKey } from './unknown-keys.js';

/** Parses every listener.name.<x>.<key> present (ssl.* and max.connections), whichever listener it is for. */
export function checkPerListenerKeys(r: KeyReader): void {
  for (const [key, value] of r.props) {
    const m = PER_LISTENER_KEY.exec(key);
    const spec = m === null ? undefined : PER_LISTENER_KEYS.find((s) => s.name === m[2]);
    if (spec !== undefined && isKnownKey(key)) r.parseAs(spec, key, value.trim());
  }
}

export function resolveTls(
  r: KeyReader,
  listeners: readonly ListenerConfig[],
  controllerListenerNames: readonly string[],
  securityProtocolMap: ReadonlyMap<string, SecurityProtocol>,
  warn: (msg: string) => void,
): Map<string, ListenerTlsConfig> {
  const names = new Set([...listeners.map((l) => l.name), ...controllerListenerNames]);
  const isTlsListener = (name: string) => {
    const protocol = securityProtocolMap.get(name);
    return protocol !== undefined && usesTls(protocol);
  };
  for (const key of r.props.keys()) {
    const m = PER_LISTENER_KEY.exec(key);
    if (m === null || !isKnownKey(key) || !PER_LISTENER_SSL_KEYS.some((spec) => spec.name === m[2])) continue;
    const name = m[1]!.toUpperCase();
    if (!names.has(name)) warn(`${key}: there is no listener named ${name}; ignored`);
    else if (!isTlsListener(name)) warn(`${key}: listener ${name} uses ${securityProtocolMap.get(name)}, not SSL or SASL_SSL; ignored`);
  }

  const tls = new Map<string, ListenerTlsConfig>();
  for (const name of names) {
    if (!isTlsListener(name)) continue;
    const setting = <T>(spec: KeySpec<T>): T | undefined => {
      const key = perListenerKey(name, spec.name);
      const raw = r.raw(key);
      return raw === undefined ? r.optional(spec) : r.parseAs(spec, key, raw);
    };
    // The files are read at start (tls-material.ts): its messages name the key that was used.
    const perListener = (spec: KeySpec<unknown>): string | undefined => (r.raw(perListenerKey(name, spec.name)) === undefined ? undefined : perListenerKey(name, spec.name));
    const keystoreKey = perListener(K.sslKeystoreLocation);
    const truststoreKey = perListener(K.sslTruststoreLocation);
    const keyPasswordKey = perListener(K.sslKeyPassword);
    const keyPassword = setting(K.sslKeyPassword);
    const keystoreLocation = setting(K.sslKeystoreLocation) ?? null;
    if (keystoreLocation === null && listeners.some((l) => l.name === name)) {
      throw new ConfigError(
        `listener ${name} uses ${securityProtocolMap.get(name)} but has no keystore: set ${K.sslKeystoreLocation.name} (or ${perListenerKey(name, K.sslKeystoreLocation.name)} ` +
          'for this listener only) to a PEM file holding the private key and certificate chain',
        K.sslKeystoreLocation.name,
      );
    }
    setting(K.sslKeystoreType);
    setting(K.sslTruststoreType);
    tls.set(name, {
      keystoreLocation,
      truststoreLocation: setting(K.sslTruststoreLocation) ?? null,
      clientAuth: setting(K.sslClientAuth) ?? 'none',
      verifyHostname: setting(K.sslEndpointIdentification) ?? true,
      ...(keystoreKey === undefined ? {} : { keystoreKey }),
      ...(truststoreKey === undefined ? {} : { truststoreKey }),
      ...(keyPassword === undefined ? {} : { keyPassword }),
      ...(keyPasswordKey === undefined ? {} : { keyPasswordKey }),
    });
  }
  return tls;
}
