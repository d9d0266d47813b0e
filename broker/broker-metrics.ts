// A broker's gauges and counters for `GET /metrics`: its lifecycle (Kafka's BrokerState), how far
// its metadata image has come, the partitions it leads, its Kafka clients (connections and
// request times per API, Kafka's RequestMetrics) and its consumer groups (Kafka's NumGroups*).
// Image counts are read at scrape time (../quorum/metrics/partition-summary.ts); connections and
// requests are counted where they happen (kafka/kafka-connection.ts); connections the client
// listeners refused on accept, by the limit that refused them, where they are refused
// (../quorum/net/connection-quotas.ts).

import type { BrokerState } from './lifecycle.js';
import { partitionCounts } from '../quorum/metrics/partition-summary.js';
import { counter, gauge, Histogram, type Collector, type MetricFamily, type Sample } from '../quorum/metrics/registry.js';
import type { MetadataImageView } from '../metadata-log/image-types.js';

/** Kafka's BrokerState values (kafka.server:type=KafkaServer,name=BrokerState), as numbers there. */
const BROKER_STATES: readonly BrokerState[] = ['NOT_RUNNING', 'STARTING', 'RECOVERY', 'RUNNING', 'PENDING_CONTROLLED_SHUTDOWN', 'SHUTTING_DOWN'];

/** Kafka-protocol traffic on the client listeners, counted as it happens. */
export class KafkaMetrics {
  private readonly connections = new Map<string, number>();
  private readonly requestTimes = new Map<string, Histogram>();
  /** SASL authentications, by listener, mechanism and outcome. */
  private readonly authentications = new Map<string, { readonly labels: Record<string, string>; value: number }>();

  connectionOpened(listener: string): void {
    this.connections.set(listener, (this.connections.get(listener) ?? 0) + 1);
  }

  connectionClosed(listener: string): void {
    this.connections.set(listener, (this.connections.get(listener) ?? 1) - 1);
  }

  /** `api` is a name from the codec's table (an unknown key is refused before it gets here). */
  requestAnswered(api: string, seconds: number): void {
    let h = this.requestTimes.get(api);
    if (h === undefined) {
      h = new Histogram();
      this.requestTimes.set(api, h);
    }
    h.observe(seconds);
  }

  /** One SASL exchange ended; `mechanism` is what the client asked for (one the listener offers). */
  authenticated(listener: string, mechanism: string, succeeded: boolean): void {
    const result = succeeded ? 'success' : 'failure';
    const key = `${listener}\u0000${mechanism}\u0000${result}`;
    const entry = this.authentications.get(key);
    if (entry === undefined) this.authentications.set(key, { labels: { listener, mechanism, result }, value: 1 });
    else entry.value++;
  }

  families(listeners: readonly string[]): MetricFamily[] {
    const apis = [...this.requestTimes.keys()].sort();
    return [
      gauge(
        'metaquorum_broker_kafka_connections',
        'Kafka-protocol connections open now, by client listener (Kafka: connection-count).',
        listeners.map((l) => ({ labels: { listener: l }, value: this.connections.get(l) ?? 0 })),
      ),
      {
        name: 'metaquorum_broker_kafka_request_duration_seconds',
        help: 'From a Kafka request\'s decoding to its answer being ready, by API (Kafka: RequestMetrics TotalTimeMs).',
        type: 'histogram',
        samples: apis.flatMap((api) => this.requestTimes.get(api)!.samples({ api })),
      },
      counter(
        'metaquorum_broker_sasl_authentications_total',
        'SASL authentications on the SASL client listeners, by listener, mechanism and result (success, failure) (Kafka: successful-authentication-total, failed-authentication-total).',
        [...this.authentications.values()].map((e) => ({ labels: e.labels, value: e.value })),
      ),
    ];
  }
}

export interface BrokerMetricsSource {
  readonly nodeId: number;
  state(): BrokerState;
  epoch(): number;
  image(): MetadataImageView;
  /** This broker's registration epoch, -1 while unregistered. */
  brokerEpoch(): number;
  /** Groups this broker coordinates, by Kafka's state name (Stable, PreparingRebalance...). */
  groupStates(): ReadonlyMap<string, number>;
  readonly listenerNames: readonly string[];
  /** Connections the client listeners refused on accept so far, by the limit (its config or quota key). */
  connectionRefusals(): ReadonlyMap<string, number>;
}

/** The limits a refusal count is reported for even before the first refusal (a listener's own limit appears once it refuses). */
const REFUSAL_LIMITS: readonly string[] = ['max.connections.per.ip', 'max.connections.per.ip.overrides', 'max.connections', 'connection_creation_rate'];

export function brokerCollector(broker: BrokerMetricsSource, kafka: KafkaMetrics): Collector {
  return (): MetricFamily[] => {
    const image = broker.image();
    const counts = partitionCounts(image);
    const registration = image.broker(broker.nodeId);
    const state = broker.state();
    const groups: Sample[] = [...broker.groupStates()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([state, n]) => ({ labels: { state }, value: n }));
    return [
      gauge(
        'metaquorum_broker_state',
        'This broker\'s lifecycle state: 1 for the current one (Kafka: BrokerState).',
        BROKER_STATES.map((s) => ({ labels: { state: s }, value: s === state ? 1 : 0 })),
      ),
      gauge('metaquorum_broker_registration_epoch', 'The broker epoch its registration got, -1 while unregistered.', broker.brokerEpoch()),
      gauge('metaquorum_broker_fenced', 'Whether the committed metadata has this broker fenced (1), not (0), or does not know it (-1).', registration === undefined ? -1 : registration.fenced ? 1 : 0),
      gauge(
        'metaquorum_broker_metadata_applied_offset',
        'The offset of the last metadata record in this broker\'s image, -1 for none (Kafka: last-applied-record-offset).',
        image.provenance.endOffset - 1,
      ),
      gauge('metaquorum_broker_metadata_epoch', 'The quorum epoch this broker\'s metadata comes from.', broker.epoch()),
      gauge('metaquorum_broker_leader_partitions', 'Partitions this broker leads (Kafka: LeaderCount).', counts.leaders.get(broker.nodeId) ?? 0),
      gauge(
        'metaquorum_broker_under_replicated_partitions',
        'Partitions this broker leads with fewer in-sync replicas than their replication factor (Kafka: UnderReplicatedPartitions).',
        counts.underReplicatedByLeader.get(broker.nodeId) ?? 0,
      ),
      counter(
        'metaquorum_broker_connections_refused_total',
        'Connections the client listeners closed on accept, by the limit that refused them: max.connections.per.ip(.overrides), max.connections, listener.name.<listener>.max.connections, or connection_creation_rate (an ip client quota, KIP-612; Kafka: connection-accept-rate and ip-connection-accept-throttle-time).',
        refusalSamples(broker.connectionRefusals()),
      ),
      gauge('metaquorum_broker_consumer_groups', 'Consumer groups this broker coordinates, by state (Kafka: NumGroupsStable, NumGroupsEmpty...).', groups),
      ...kafka.families(broker.listenerNames),
    ];
  };
}

function refusalSamples(refusals: ReadonlyMap<string, number>): Sample[] {
  const limits = [...new Set([...REFUSAL_LIMITS, ...[...refusals.keys()].sort()])];
  return limits.map((limit) => ({ labels: { limit }, value: refusals.get(limit) ?? 0 }));
}
