// listener.name.<listener>.max.connections (Kafka's per-listener connection limit, KIP-402): the
// connections one broker client listener may hold, within the broker-wide max.connections
// (quorum/net/connection-quotas.ts enforces both). Its own file: server-keys.ts imports
// connection-overrides.ts, so the reading of the per-listener form cannot live there.

import type { KeyReader } from './key-reader.js';
import { PER_LISTENER_KEY, serverKeys as K } from './server-keys.js';
import { isKnownKey } from './unknown-keys.js';

/**
 * listener.name.<listener>.max.connections of the broker client listeners this node binds, by
 * listener name. One for a listener the node does not bind as a broker client listener (a typo, a
 * controller listener, a controller-only node) is warned about: it would be silently unused.
 */
export function perListenerConnectionLimits(r: KeyReader, clientListenerNames: ReadonlySet<string>, warn: (msg: string) => void): Map<string, number> {
  const limits = new Map<string, number>();
  for (const [key, raw] of r.props) {
    const m = PER_LISTENER_KEY.exec(key);
    if (m === null || m[2] !== K.maxConnections.name || !isKnownKey(key)) continue;
    const name = m[1]!.toUpperCase();
    const max = r.parseAs(K.maxConnections, key, raw.trim());
    if (!clientListenerNames.has(name)) {
      warn(`${key}: this node has no broker client listener named ${name} (the limit applies to those only); ignored`);
      continue;
    }
    limits.set(name, max);
  }
  return limits;
}
