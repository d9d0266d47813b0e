// The connection limits a broker takes from its metadata image. Pure.
//
// max.connections.per.ip and max.connections set as dynamic broker configs, this broker's own
// first, then the cluster-wide default (Kafka's precedence). Their static values
// (server.properties) stay in ConnectionQuotas, which uses them where neither dynamic level sets a
// key.
//
// The ip client quotas' connection_creation_rate (Kafka's KIP-612, set with AlterClientQuotas on
// an entity [{ ip: 10.0.0.7 }], or [{ ip: null }] for the default ip): by address, and the
// default for every address without its own (Kafka's ConnectionQuotas.connectionRateForIp).
// Only entities of the ip type alone count (the controller refuses ip with another type). The
// names are compared in canonicalAddress form, as the per-address count limits are: when two
// entities name one address (10.0.0.7 and ::ffff:10.0.0.7, or ::1 and 0:0:0:0:0:0:0:1) the lower
// quota applies, whichever was written last (Kafka keys both by one InetAddress: there the later
// update wins, and removing either removes both). The value, a whole number the controller
// checked within Kafka's 1e-6, is rounded to it (Kafka truncates: 4.9999995 is 4 there).

import type { MetadataImageView } from '../metadata-log/image-types.js';
import { canonicalAddress, type DynamicConnectionLimits, type IpConnectionRateQuotas } from '../quorum/net/connection-quotas.js';
import { UNLIMITED_CONNECTION_RATE } from '../quorum/net/connection-rate.js';

export function dynamicConnectionLimits(image: MetadataImageView, brokerId: number): DynamicConnectionLimits {
  const own = image.configs('broker', String(brokerId));
  const clusterDefault = image.configs('broker', '');
  const limit = (key: string): number | undefined => {
    const text = own.get(key) ?? clusterDefault.get(key);
    if (text === undefined) return undefined;
    // The controller accepted it as an int >= 0 (config-schema.ts); anything else is left to the static limit.
    const n = Number(text.trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };
  return { perAddressMax: limit('max.connections.per.ip'), totalMax: limit('max.connections') };
}

/** The quota key of an ip entity (Kafka's QuotaConfigs.IP_CONNECTION_RATE_OVERRIDE_CONFIG). */
export const IP_CONNECTION_RATE_KEY = 'connection_creation_rate';

/** The ip connection_creation_rate quotas in the image (see the header). */
export function ipConnectionRateQuotas(image: MetadataImageView): IpConnectionRateQuotas {
  const byAddress = new Map<string, number>();
  let defaultQuota: number | undefined;
  for (const { entity, values } of image.clientQuotas()) {
    const [part, ...others] = entity;
    if (part?.entityType !== 'ip' || others.length > 0) continue;
    const value = values.get(IP_CONNECTION_RATE_KEY);
    if (value === undefined) continue;
    const quota = Math.min(UNLIMITED_CONNECTION_RATE, Math.max(0, Math.round(value)));
    if (part.entityName === null) {
      defaultQuota = quota;
      continue;
    }
    const address = canonicalAddress(part.entityName);
    byAddress.set(address, Math.min(quota, byAddress.get(address) ?? UNLIMITED_CONNECTION_RATE));
  }
  return { byAddress, defaultQuota };
}
