// DescribeCluster (Kafka api 60): the registered brokers as the image has them, with the liveness
// the active controller's soft state knows (metadata offset, last contact). A read: no records.
// On a controller that is not active the soft state is empty and those fields are null.

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { Endpoint } from '../../../metadata-log/records/types.js';
import type { ControllerConfig } from '../config.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';

export type BrokerLifecycleState = 'fenced' | 'unfenced' | 'controlled-shutdown';

export interface DescribedBroker {
  readonly brokerId: number;
  /** The endpoint picked by the listener name (see describeCluster), for clients that want one address. */
  readonly host: string;
  readonly port: number;
  /** Every listener the broker registered, in registration order (`cluster describe` lists them all). */
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  /** fenced wins over controlled-shutdown: a fenced broker serves nothing either way. */
  readonly state: BrokerLifecycleState;
  readonly brokerEpoch: number;
  /** The metadata offset the broker last reported to this controller; null if unknown. */
  readonly metadataOffset: number | null;
  /** How long ago this controller last heard from the broker (or activated its session), ms; null if unknown. */
  readonly lastContactAgoMs: number | null;
}

export interface DescribeClusterResponse {
  readonly clusterId: string;
  /** The active controller's id; null when none is known. */
  readonly controllerId: number | null;
  /** Ascending broker id. */
  readonly brokers: readonly DescribedBroker[];
}

/**
 * `listenerName`: report each broker's endpoint of that listener and leave out brokers without it
 * (Kafka answers with the listener the request came in on); when absent, each broker's first endpoint.
 */
export function describeCluster(
  ctx: { readonly image: MetadataImageView; readonly config: ControllerConfig; readonly nowMs: number },
  hb: BrokerHeartbeatManager,
  controllerId: number | null,
  listenerName?: string,
): DescribeClusterResponse {
  const brokers: DescribedBroker[] = [];
  for (const b of ctx.image.brokers()) {
    const endpoint = listenerName === undefined ? b.endpoints[0] : b.endpoints.find((e) => e.name === listenerName);
    if (endpoint === undefined) continue;
    const session = hb.session(b.brokerId);
    brokers.push({
      brokerId: b.brokerId,
      host: endpoint.host,
      port: endpoint.port,
      endpoints: b.endpoints,
      rack: b.rack,
      fenced: b.fenced,
      inControlledShutdown: b.inControlledShutdown,
      state: b.fenced ? 'fenced' : b.inControlledShutdown ? 'controlled-shutdown' : 'unfenced',
      brokerEpoch: b.brokerEpoch,
      metadataOffset: session?.metadataOffset ?? null,
      lastContactAgoMs: session === undefined ? null : Math.max(0, Math.round(ctx.nowMs - session.lastContactMs)),
    });
  }
  return { clusterId: ctx.config.clusterId, controllerId, brokers };
}
