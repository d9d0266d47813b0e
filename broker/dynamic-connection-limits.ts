// The connection limits a broker takes from its metadata image: max.connections.per.ip and
// max.connections set as dynamic broker configs, this broker's own first, then the cluster-wide
// default (Kafka's precedence). Their static values (server.properties) stay in ConnectionQuotas,
// which uses them where neither dynamic level sets a key. Pure.

import type { MetadataImageView } from '../metadata-log/image-types.js';
import type { DynamicConnectionLimits } from '../quorum/net/connection-quotas.js';

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
