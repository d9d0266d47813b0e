// The SASL settings of each SASL_PLAINTEXT or SASL_SSL broker client listener: the mechanisms it
// offers, from sasl.enabled.mechanisms with Kafka's per-listener rule (a key written as
// listener.name.<listener name in lower case>.sasl.enabled.mechanisms applies to that listener only
// and wins over the plain key), and the node-wide bounds of an exchange. A per-listener key that
// points at no SASL listener of this node is warned about: it would otherwise be silently unused.

import { usesSasl } from '../../quorum/net/types.js';
import type { SaslSettings } from '../../broker/kafka/sasl/sasl-session.js';
import type { KeyReader } from './key-reader.js';
import type { ListenerConfig } from './node-config.js';
import { PER_LISTENER_KEY, perListenerKey, type SaslMechanismName, serverKeys as K } from './server-keys.js';
import { isKnownKey } from './unknown-keys.js';

export function resolveSasl(r: KeyReader, listeners: readonly ListenerConfig[], clientListenerNames: ReadonlySet<string>, warn: (msg: string) => void): SaslSettings {
  const saslListeners = listeners.filter((l) => clientListenerNames.has(l.name) && usesSasl(l.securityProtocol)).map((l) => l.name);
  for (const key of r.props.keys()) {
    const m = PER_LISTENER_KEY.exec(key);
    if (m === null || m[2] !== K.saslEnabledMechanisms.name || !isKnownKey(key)) continue;
    const name = m[1]!.toUpperCase();
    if (!saslListeners.includes(name)) warn(`${key}: this node has no SASL_PLAINTEXT or SASL_SSL broker listener named ${name}; ignored`);
  }
  const shared = r.required(K.saslEnabledMechanisms);
  const mechanisms = new Map<string, readonly SaslMechanismName[]>();
  for (const name of saslListeners) {
    const key = perListenerKey(name, K.saslEnabledMechanisms.name);
    const raw = r.raw(key);
    mechanisms.set(name, raw === undefined ? shared : r.parseAs(K.saslEnabledMechanisms, key, raw.trim()));
  }
  return {
    mechanisms,
    failedAuthenticationDelayMs: r.required(K.connectionFailedAuthenticationDelayMs),
    maxReceiveBytes: r.required(K.saslServerMaxReceiveSize),
  };
}
