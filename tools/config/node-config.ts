// NodeConfig: what server.properties says about one node, checked and typed (server-config.ts
// builds it). The runtime takes its settings from here and nowhere else; paths stay paths (TLS
// files are read when a listener starts, directories are checked by meta-properties.ts).

import type { AuthorizerConfig } from '../../quorum/controller/acls/authorizer.js';
import type { GroupCoordinatorConfig } from '../../broker/kafka/groups/group-coordinator.js';
import type { OffsetRetention } from '../../broker/offset-expirer.js';
import type { ControllerConfig } from '../../quorum/controller/config.js';
import type { ReadOnlyBrokerConfig } from '../../quorum/controller/configs/config-schema.js';
import type { ListenerSpec, SecurityProtocol } from '../../quorum/net/types.js';
import type { ConnectionLimitSettings } from './connection-overrides.js';
import type { Voter } from './endpoints.js';
import type { SaslSettings } from '../../broker/kafka/sasl/sasl-session.js';
import type { Role, SslClientAuth } from './server-keys.js';

export type { Voter } from './endpoints.js';
export type { Role, SslClientAuth } from './server-keys.js';

/** A listener as configured (TLS material is loaded elsewhere, from NodeConfig.tls). */
export type ListenerConfig = Omit<ListenerSpec, 'tls'>;

/** The TLS settings of one SSL listener, as paths. */
export interface ListenerTlsConfig {
  /** ssl.keystore.location: PEM private key + certificate chain. Null only for a listener this node does not bind (a broker's view of an SSL controller listener). */
  readonly keystoreLocation: string | null;
  /** ssl.truststore.location: PEM CA certificates; null = the system store. */
  readonly truststoreLocation: string | null;
  /** ssl.client.auth */
  readonly clientAuth: SslClientAuth;
  /** ssl.endpoint.identification.algorithm = https */
  readonly verifyHostname: boolean;
  /** The key keystoreLocation came from when it is a listener.name.<name>.* key, so that a bad file's message names what the operator wrote. */
  readonly keystoreKey?: string;
  /** The same for truststoreLocation. */
  readonly truststoreKey?: string;
  /** ssl.key.password: decrypts an encrypted private key in the keystore; absent when the key is not encrypted. */
  readonly keyPassword?: string;
  /** The key keyPassword came from when it is a listener.name.<name>.* key. */
  readonly keyPasswordKey?: string;
}

/** The controller.quorum.* keys (and our two metaquorum.* ones), in RaftConfig's names. */
export interface RaftSettings {
  readonly electionTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly electionBackoffMaxMs: number;
  readonly requestTimeoutMs: number;
  readonly fetchMaxWaitMs: number;
  readonly observerFetchIntervalMs: number;
  readonly snapshotsRetained: number;
}

export interface BrokerSettings {
  /** broker.heartbeat.interval.ms */
  readonly heartbeatIntervalMs: number;
  /** broker.session.timeout.ms */
  readonly sessionTimeoutMs: number;
  /** initial.broker.registration.timeout.ms */
  readonly initialRegistrationTimeoutMs: number;
  /** metaquorum.controlled.shutdown.timeout.ms */
  readonly controlledShutdownTimeoutMs: number;
  /** metaquorum.isr.expansion.enable */
  readonly isrExpansionEnable: boolean;
}

export interface NodeConfig {
  /** process.roles, in the order broker, controller. */
  readonly processRoles: readonly Role[];
  /** node.id */
  readonly nodeId: number;
  /** controller.quorum.voters, in the order written. */
  readonly voters: readonly Voter[];
  /** controller.listener.names (upper case) */
  readonly controllerListenerNames: readonly string[];
  /** listeners; an empty host is 0.0.0.0, port 0 picks a free port. */
  readonly listeners: readonly ListenerConfig[];
  /** advertised.listeners minus controller listeners: what the broker registers. */
  readonly advertisedListeners: readonly ListenerConfig[];
  /** listener.security.protocol.map (upper-case names) */
  readonly securityProtocolMap: ReadonlyMap<string, SecurityProtocol>;
  /** One entry per SSL or SASL_SSL listener this node binds or (controller listeners) connects to. */
  readonly tls: ReadonlyMap<string, ListenerTlsConfig>;
  /** The mechanisms of each SASL_PLAINTEXT or SASL_SSL broker listener, and the bounds of an exchange. */
  readonly sasl: SaslSettings;
  /** metadata.log.dir */
  readonly metadataLogDir: string;
  /** log.dirs (or log.dir) */
  readonly logDirs: readonly string[];
  /** Which key gave logDirs: messages about a data directory name the key the user wrote (or the default). */
  readonly logDirsFrom?: 'log.dirs' | 'log.dir' | 'default';
  /** broker.rack */
  readonly brokerRack: string | null;
  readonly raft: RaftSettings;
  readonly broker: BrokerSettings;
  /** max.connections.per.ip, max.connections.per.ip.overrides (hosts as written; resolved at start) and max.connections. */
  readonly connectionLimits: ConnectionLimitSettings;
  /** The controller's settings from their Kafka-named keys; see controllerConfigFrom. */
  readonly controller: Partial<Omit<ControllerConfig, 'clusterId'>>;
  /** auto.create.topics.enable */
  readonly autoCreateTopicsEnable: boolean;
  /** authorizer.class.name set: super.users and allow.everyone.if.no.acl.found; null: no authorization. */
  readonly authorizer: AuthorizerConfig | null;
  /** group.* : the consumer-group coordinator's limits. */
  readonly groups: GroupCoordinatorConfig;
  /** offsets.retention.minutes (in ms) and offsets.retention.check.interval.ms */
  readonly offsetRetention: OffsetRetention;
  /** metaquorum.shutdown.timeout.ms */
  readonly shutdownTimeoutMs: number;
  /** metaquorum.metrics.listener: where GET /metrics and /health are served; null: nowhere. */
  readonly metricsListener: { readonly host: string; readonly port: number } | null;
  /** The read-only broker configs (server.properties keys read at start), as DescribeConfigs of this broker lists them. */
  readonly readOnlyBrokerConfigs?: ReadonlyMap<string, ReadOnlyBrokerConfig>;
}
