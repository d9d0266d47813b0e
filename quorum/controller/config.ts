// The controller's settings, under the names Kafka uses for them where one exists (the property
// name is in each comment). Defaults are Kafka's unless a comment says why not.

import { limits } from '../limits.js';

export interface ControllerConfig {
  /** The cluster id brokers must present when they register. */
  readonly clusterId: string;
  /** broker.session.timeout.ms: a broker not heard from for this long is fenced. */
  readonly brokerSessionTimeoutMs: number;
  /** broker.heartbeat.interval.ms: what brokers are told to use. */
  readonly brokerHeartbeatIntervalMs: number;
  /** num.partitions: partitions of a topic created with -1. */
  readonly defaultPartitions: number;
  /** default.replication.factor: replication factor of a topic created with -1. */
  readonly defaultReplicationFactor: number;
  /** metadata.max.idle.interval.ms: the active controller writes a NoOp this often (0 = never). */
  readonly noOpIntervalMs: number;
  /** auto.leader.rebalance.enable */
  readonly autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.check.interval.seconds × 1000 */
  readonly leaderImbalanceCheckIntervalMs: number;
  /** unclean.leader.election.enable: the cluster default; a topic config overrides it. */
  readonly uncleanLeaderElectionEnable: boolean;
  /**
   * Whether server.properties sets unclean.leader.election.enable: DescribeConfigs then reports it
   * as STATIC_BROKER_CONFIG, else as Kafka's default (as Kafka does). Absent (tests, the
   * simulator): set when it differs from Kafka's default.
   */
  readonly uncleanLeaderElectionEnableSet?: boolean;
  /**
   * The broker configs server.properties sets (after --override), as written, for every key
   * DescribeConfigs knows: reported as STATIC_BROKER_CONFIG. Absent (tests, the simulator): only
   * unclean.leader.election.enable, by uncleanLeaderElectionEnableSet.
   */
  readonly staticBrokerConfigs?: ReadonlyMap<string, string>;
  /** metadata.log.max.record.bytes.between.snapshots */
  readonly snapshotMaxBytes: number;
  /** metadata.log.max.snapshot.interval.ms (0 = no time trigger) */
  readonly snapshotMaxIntervalMs: number;
  /** Producer ids handed out per AllocateProducerIds (Kafka's PRODUCER_ID_BLOCK_SIZE). */
  readonly producerIdBlockSize: number;
  /** offset.metadata.max.bytes */
  readonly offsetMetadataMaxBytes: number;
  /** Offset commits arriving within this window share one proposal (Kafka's append linger is 25 ms). */
  readonly offsetCommitLingerMs: number;
  /** Records one operation may produce (Kafka's MAX_RECORDS_PER_USER_OP). */
  readonly maxRecordsPerOperation: number;
  /** Leader elections per rebalance or unclean-election pass (Kafka's MAX_ELECTIONS_PER_IMBALANCE). */
  readonly maxElectionsPerPass: number;
  /**
   * Wall-clock ms at which the clock read 0 (performance.timeOrigin in a real node; absent: 0, as
   * in the simulator): timestamps a user reads (an offset's commit time) are wall-clock, never a
   * monotonic reading that differs per controller and goes back across a failover.
   */
  readonly wallClockOriginMs?: number;
}

export const defaultControllerConfig: Omit<ControllerConfig, 'clusterId'> = {
  brokerSessionTimeoutMs: 9_000,
  brokerHeartbeatIntervalMs: 2_000,
  defaultPartitions: 1,
  defaultReplicationFactor: 1,
  noOpIntervalMs: 500,
  autoLeaderRebalanceEnable: true,
  leaderImbalanceCheckIntervalMs: 300_000,
  uncleanLeaderElectionEnable: false,
  snapshotMaxBytes: 20 * 1024 * 1024,
  snapshotMaxIntervalMs: 60 * 60 * 1000,
  producerIdBlockSize: 1000,
  offsetMetadataMaxBytes: 4096,
  offsetCommitLingerMs: 5,
  maxRecordsPerOperation: 10_000,
  maxElectionsPerPass: 1000,
};

export function controllerConfig(clusterId: string, overrides: Partial<Omit<ControllerConfig, 'clusterId'>> = {}): ControllerConfig {
  const config = { ...defaultControllerConfig, ...overrides, clusterId };
  validateControllerConfig(config);
  return config;
}

/** Throws a RangeError naming the setting (Kafka's property name) that is out of range. */
export function validateControllerConfig(c: ControllerConfig): void {
  const check = (ok: boolean, name: string, value: unknown, rule: string) => {
    if (!ok) throw new RangeError(`${name} = ${String(value)}: ${rule}`);
  };
  const positiveInt = (v: number) => Number.isSafeInteger(v) && v > 0;
  const nonNegativeInt = (v: number) => Number.isSafeInteger(v) && v >= 0;
  check(c.clusterId.length > 0, 'cluster.id', c.clusterId, 'must not be empty');
  check(positiveInt(c.brokerSessionTimeoutMs), 'broker.session.timeout.ms', c.brokerSessionTimeoutMs, 'must be a positive integer');
  check(positiveInt(c.brokerHeartbeatIntervalMs) && c.brokerHeartbeatIntervalMs < c.brokerSessionTimeoutMs, 'broker.heartbeat.interval.ms', c.brokerHeartbeatIntervalMs, 'must be a positive integer below broker.session.timeout.ms');
  check(positiveInt(c.defaultPartitions), 'num.partitions', c.defaultPartitions, 'must be a positive integer');
  check(positiveInt(c.defaultReplicationFactor), 'default.replication.factor', c.defaultReplicationFactor, 'must be a positive integer');
  check(nonNegativeInt(c.noOpIntervalMs), 'metadata.max.idle.interval.ms', c.noOpIntervalMs, 'must be 0 (off) or a positive integer');
  check(positiveInt(c.leaderImbalanceCheckIntervalMs), 'leader.imbalance.check.interval.seconds', c.leaderImbalanceCheckIntervalMs / 1000, 'must be positive');
  check(positiveInt(c.snapshotMaxBytes), 'metadata.log.max.record.bytes.between.snapshots', c.snapshotMaxBytes, 'must be a positive integer');
  check(nonNegativeInt(c.snapshotMaxIntervalMs), 'metadata.log.max.snapshot.interval.ms', c.snapshotMaxIntervalMs, 'must be 0 (off) or a positive integer');
  check(positiveInt(c.producerIdBlockSize), 'producer id block size', c.producerIdBlockSize, 'must be a positive integer');
  check(nonNegativeInt(c.offsetMetadataMaxBytes), 'offset.metadata.max.bytes', c.offsetMetadataMaxBytes, 'must be a non-negative integer');
  check(nonNegativeInt(c.offsetCommitLingerMs), 'offset commit linger ms', c.offsetCommitLingerMs, 'must be a non-negative integer');
  check(positiveInt(c.maxRecordsPerOperation) && c.maxRecordsPerOperation <= limits.recordsPerProposalMax, 'max records per operation', c.maxRecordsPerOperation, `must be 1..${limits.recordsPerProposalMax}`);
  check(positiveInt(c.maxElectionsPerPass), 'max elections per pass', c.maxElectionsPerPass, 'must be a positive integer');
}
