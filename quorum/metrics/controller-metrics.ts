// The quorum controller's gauges (Kafka's kafka.controller:type=KafkaController group), read from
// the committed metadata image at scrape time. Every controller reports the cluster-wide counts
// from its own image (Kafka reports them on the active controller only); `active` says which
// one is active, so a dashboard filters on it or takes the max.

import type { MetadataImageView } from '../../metadata-log/image-types.js';
import { METADATA_VERSION_FEATURE } from '../../metadata-log/records/types.js';
import { partitionCounts } from './partition-summary.js';
import { gauge, Histogram, type Collector, type MetricFamily } from './registry.js';

export interface ControllerMetricsSource {
  readonly image: MetadataImageView;
  readonly isActive: boolean;
}

export function controllerCollector(controller: ControllerMetricsSource, requests: ControllerRequestTimes): Collector {
  return (): MetricFamily[] => {
    const image = controller.image;
    const counts = partitionCounts(image);
    let fenced = 0;
    let shuttingDown = 0;
    for (const b of image.brokers()) {
      if (b.fenced) fenced++;
      else if (b.inControlledShutdown) shuttingDown++;
    }
    const active = image.brokerCount - fenced - shuttingDown;
    return [
      gauge('metaquorum_controller_active', 'Whether this controller is the active one (Kafka: ActiveControllerCount).', controller.isActive ? 1 : 0),
      gauge('metaquorum_controller_topics', 'Topics in the committed image (GlobalTopicCount).', image.topicCount),
      gauge('metaquorum_controller_partitions', 'Partitions in the committed image (GlobalPartitionCount).', counts.partitions),
      gauge('metaquorum_controller_offline_partitions', 'Partitions without a leader (OfflinePartitionsCount).', counts.offline),
      gauge('metaquorum_controller_under_replicated_partitions', 'Partitions with fewer in-sync replicas than their replication factor.', counts.underReplicated),
      gauge(
        'metaquorum_controller_preferred_replica_imbalance',
        'Partitions not led by their first replica, offline ones included (PreferredReplicaImbalanceCount).',
        counts.preferredImbalance,
      ),
      gauge('metaquorum_controller_reassigning_partitions', 'Partitions with a reassignment in flight.', counts.reassigning),
      gauge('metaquorum_controller_brokers', 'Registered brokers by state (ActiveBrokerCount, FencedBrokerCount, ControlledShutdownBrokerCount).', [
        { labels: { state: 'active' }, value: active },
        { labels: { state: 'fenced' }, value: fenced },
        { labels: { state: 'controlled_shutdown' }, value: shuttingDown },
      ]),
      gauge('metaquorum_controller_metadata_version', 'The finalized metadata.version level, 0 when none (CurrentMetadataVersion).', image.featureLevel(METADATA_VERSION_FEATURE) ?? 0),
      gauge(
        'metaquorum_controller_last_applied_record_offset',
        'The offset of the last record in the committed image, -1 for none (LastAppliedRecordOffset).',
        image.provenance.endOffset - 1,
      ),
      requests.family(),
    ];
  };
}

/** More than the RPC methods there are (rpc-methods.ts), fewer than would bloat a scrape. */
const MAX_METHODS = 64;

/** How long the controller took to answer each kind of request (Kafka: RequestMetrics TotalTimeMs), by method. */
export class ControllerRequestTimes {
  private readonly byMethod = new Map<string, Histogram>();

  observe(method: string, seconds: number): void {
    let h = this.byMethod.get(method);
    if (h === undefined) {
      // Method names come off the wire: a peer sending made-up ones must not grow the label set.
      if (this.byMethod.size >= MAX_METHODS) return;
      h = new Histogram();
      this.byMethod.set(method, h);
    }
    h.observe(seconds);
  }

  family(): MetricFamily {
    const methods = [...this.byMethod.keys()].sort();
    return {
      name: 'metaquorum_controller_request_duration_seconds',
      help: 'From a request\'s arrival to its answer, by method; a write includes its commit by a majority.',
      type: 'histogram',
      samples: methods.flatMap((m) => this.byMethod.get(m)!.samples({ method: m })),
    };
  }
}
