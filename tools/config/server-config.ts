// server.properties -> NodeConfig: a node's whole static configuration, checked once at start so
// that a mistake stops the node with a message naming the key, the value and what was expected
// (exit 2), instead of surfacing later as a node that cannot elect, connect or register.
//
// Checks, in order: unknown keys (warnings, with the closest known key suggested), each key's
// own syntax and range (every key present is checked, used or not), then the rules that span
// keys: process.roles vs controller.quorum.voters vs listeners vs controller.listener.names,
// every listener mapped to a security protocol, advertised listeners routable, SSL listeners
// with a keystore, the timeout relations (a parked fetch must not look like a dead leader), and
// max.connections.per.ip = 0 only with overrides. Host names in max.connections.per.ip.overrides
// are resolved at start, not here (connection-overrides.ts).
//
// The key table, with names, defaults and docs, is in server-keys.ts; per-key value parsers in
// values.ts and endpoints.ts; the listener rules in topology.ts and tls-settings.ts; NodeConfig's
// shape in node-config.ts. Files named in ssl.* keys are not read here: NodeConfig keeps paths.

import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { controllerConfig, type ControllerConfig } from '../../quorum/controller/config.js';
import { STATIC_ONLY_BROKER_KEYS, staticBrokerConfigsFrom, type ConfigValueType, type ReadOnlyBrokerConfig } from '../../quorum/controller/configs/config-schema.js';
import { raftConfig, type RaftConfig } from '../../quorum/raft/config.js';
import { ANONYMOUS_PRINCIPAL } from '../../quorum/net/principal.js';
import { ConfigError } from './errors.js';
import { KeyReader } from './key-reader.js';
import type { BrokerSettings, NodeConfig, RaftSettings } from './node-config.js';
import { parsePropertiesDetailed } from './properties.js';
import { PER_LISTENER_SSL_KEYS, SERVER_CONFIG_KEYS, serverKeys as K } from './server-keys.js';
import { checkPerListenerKeys, resolveTls } from './tls-settings.js';
import { resolveSasl } from './sasl-settings.js';
import { perListenerConnectionLimits } from './listener-limits.js';
import { effectiveSecurityProtocolMap, resolveTopology } from './topology.js';
import { isKnownKey, unknownKeyWarning } from './unknown-keys.js';

export { configReferenceMarkdown, SERVER_CONFIG_KEYS, serverKeys, type KeySpec } from './server-keys.js';
export type { BrokerSettings, ListenerConfig, ListenerTlsConfig, NodeConfig, RaftSettings, Role, SslClientAuth, Voter } from './node-config.js';
export { ConfigError } from './errors.js';

export interface ParseOptions {
  /** What an empty advertised host becomes (Kafka: the machine's host name). */
  readonly hostname?: () => string;
}

/** Checks `props` and builds the node's configuration; throws ConfigError naming the key at fault. */
export function parseServerConfig(props: ReadonlyMap<string, string>, warn: (msg: string) => void, options: ParseOptions = {}): NodeConfig {
  for (const k of props.keys()) if (!isKnownKey(k)) warn(unknownKeyWarning(k));
  const r = new KeyReader(props);

  // Each key on its own (every key present is checked, whether this node uses it or not).
  const processRoles = r.required(K.processRoles);
  // broker.id is node.id's synonym, as Kafka's KafkaConfig.populateSynonyms makes it: a file
  // carried over from ZooKeeper mode may set only broker.id (it was refused as an unknown key
  // with node.id missing), and one that sets both differently is refused, as Kafka refuses it.
  const brokerId = r.optional(K.brokerId);
  const nodeId = brokerId !== undefined && !r.has(K.nodeId.name) ? brokerId : r.required(K.nodeId);
  if (brokerId !== undefined && brokerId !== nodeId) r.fail(K.brokerId, `must equal node.id (${nodeId}): broker.id is Kafka's older name for node.id; set the same value, or leave broker.id out`);
  const voters = r.required(K.voters);
  const controllerListenerNames = r.required(K.controllerListenerNames);
  const rawListeners = r.required(K.listeners);
  const securityProtocolMap = effectiveSecurityProtocolMap(r.required(K.securityProtocolMap), r.has(K.securityProtocolMap.name), controllerListenerNames, rawListeners);
  const rawAdvertised = r.optional(K.advertisedListeners);
  for (const spec of PER_LISTENER_SSL_KEYS) r.optional(spec);
  checkPerListenerKeys(r);
  const logDirsSet = r.raw(K.logDirs.name) !== undefined;
  const logDir = r.required(K.logDir);
  const logDirs = logDirsSet ? r.required(K.logDirs) : [logDir];
  if (logDirsSet && r.raw(K.logDir.name) !== undefined) warn('log.dir is ignored because log.dirs is set');
  const metadataLogDir = r.optional(K.metadataLogDir) ?? logDirs[0]!;
  const brokerRack = r.optional(K.brokerRack) ?? null;
  const fetchMaxWaitMs = r.required(K.fetchMaxWaitMs);
  const raft: RaftSettings = {
    electionTimeoutMs: r.required(K.electionTimeoutMs),
    fetchTimeoutMs: r.required(K.fetchTimeoutMs),
    electionBackoffMaxMs: r.required(K.electionBackoffMaxMs),
    requestTimeoutMs: r.required(K.requestTimeoutMs),
    fetchMaxWaitMs,
    // Its default gives way to a fetch max wait set at or below it: only a value set is refused.
    observerFetchIntervalMs: r.has(K.observerFetchIntervalMs.name) ? r.required(K.observerFetchIntervalMs) : Math.min(r.required(K.observerFetchIntervalMs), fetchMaxWaitMs - 1),
    snapshotsRetained: r.required(K.snapshotsRetained),
  };
  const broker: BrokerSettings = {
    heartbeatIntervalMs: r.required(K.brokerHeartbeatIntervalMs),
    sessionTimeoutMs: r.required(K.brokerSessionTimeoutMs),
    initialRegistrationTimeoutMs: r.required(K.initialRegistrationTimeoutMs),
    controlledShutdownTimeoutMs: r.required(K.controlledShutdownTimeoutMs),
    isrExpansionEnable: r.required(K.isrExpansionEnable),
  };
  const addressLimits = {
    perIpMax: r.required(K.maxConnectionsPerIp),
    perIpOverrides: r.required(K.maxConnectionsPerIpOverrides),
    totalMax: r.required(K.maxConnections),
  };
  const controller = {
    brokerSessionTimeoutMs: broker.sessionTimeoutMs,
    brokerHeartbeatIntervalMs: broker.heartbeatIntervalMs,
    defaultPartitions: r.required(K.defaultPartitions),
    defaultReplicationFactor: r.required(K.defaultReplicationFactor),
    noOpIntervalMs: r.required(K.noOpIntervalMs),
    autoLeaderRebalanceEnable: r.required(K.autoLeaderRebalanceEnable),
    leaderImbalanceCheckIntervalMs: r.required(K.leaderImbalanceCheckIntervalSeconds) * 1000,
    uncleanLeaderElectionEnable: r.required(K.uncleanLeaderElectionEnable),
    uncleanLeaderElectionEnableSet: r.raw(K.uncleanLeaderElectionEnable.name) !== undefined,
    staticBrokerConfigs: staticBrokerConfigsFrom((key) => r.raw(key)),
    snapshotMaxBytes: r.required(K.snapshotMaxBytes),
    snapshotMaxIntervalMs: r.required(K.snapshotMaxIntervalMs),
    offsetMetadataMaxBytes: r.required(K.offsetMetadataMaxBytes),
  } satisfies Partial<Omit<ControllerConfig, 'clusterId'>>;
  const autoCreateTopicsEnable = r.required(K.autoCreateTopicsEnable);
  // super.users and allow.everyone.if.no.acl.found are checked even with the authorizer off: a typo
  // there should not wait for the day it is turned on.
  const superUsers = new Set(r.required(K.superUsers));
  const allowEveryoneIfNoAclFound = r.required(K.allowEveryoneIfNoAclFound);
  const authorizer = r.required(K.authorizerClassName) ? { superUsers, allowEveryoneIfNoAclFound } : null;
  const groups = {
    minSessionTimeoutMs: r.required(K.groupMinSessionTimeoutMs),
    maxSessionTimeoutMs: r.required(K.groupMaxSessionTimeoutMs),
    initialRebalanceDelayMs: r.required(K.groupInitialRebalanceDelayMs),
    maxGroupSize: r.required(K.groupMaxSize),
  };
  const offsetRetention = {
    retentionMs: r.required(K.offsetsRetentionMinutes) * 60_000,
    checkIntervalMs: r.required(K.offsetsRetentionCheckIntervalMs),
  };
  const shutdownTimeoutMs = r.required(K.shutdownTimeoutMs);
  const metricsListener = r.optional(K.metricsListener) ?? null;

  // Timeouts against each other.
  if (raft.requestTimeoutMs <= raft.fetchMaxWaitMs) {
    r.fail(K.requestTimeoutMs, `must exceed metaquorum.quorum.fetch.max.wait.ms (${raft.fetchMaxWaitMs}), or every parked fetch times out`);
  }
  if (raft.fetchTimeoutMs <= raft.fetchMaxWaitMs) {
    r.fail(K.fetchTimeoutMs, `must exceed metaquorum.quorum.fetch.max.wait.ms (${raft.fetchMaxWaitMs}), or a leader with nothing to send looks dead`);
  }
  if (raft.observerFetchIntervalMs >= raft.fetchMaxWaitMs) {
    r.fail(K.observerFetchIntervalMs, `must be below metaquorum.quorum.fetch.max.wait.ms (${raft.fetchMaxWaitMs})`);
  }
  if (broker.heartbeatIntervalMs >= broker.sessionTimeoutMs) {
    r.fail(K.brokerHeartbeatIntervalMs, `must be below broker.session.timeout.ms (${broker.sessionTimeoutMs}), or healthy brokers are fenced`);
  }
  if (groups.minSessionTimeoutMs > groups.maxSessionTimeoutMs) {
    r.fail(K.groupMinSessionTimeoutMs, `must not exceed group.max.session.timeout.ms (${groups.maxSessionTimeoutMs}), or no consumer can join`);
  }
  if (broker.controlledShutdownTimeoutMs >= shutdownTimeoutMs) {
    r.fail(K.controlledShutdownTimeoutMs, `must be below metaquorum.shutdown.timeout.ms (${shutdownTimeoutMs}), so a controlled shutdown fits in the shutdown`);
  }

  if (addressLimits.perIpMax === 0 && addressLimits.perIpOverrides.length === 0) {
    r.fail(K.maxConnectionsPerIp, 'may be 0 only when max.connections.per.ip.overrides lists the addresses that may connect (as in Kafka), or no client could connect');
  }

  // Roles, voters, listeners, TLS.
  const { listeners, advertisedListeners } = resolveTopology(
    r,
    { processRoles, nodeId, voters, controllerListenerNames, securityProtocolMap, rawListeners, rawAdvertised },
    options.hostname ?? osHostname,
    warn,
  );
  const tls = resolveTls(r, listeners, controllerListenerNames, securityProtocolMap, warn);
  const clientListenerNames = new Set(processRoles.includes('broker') ? listeners.map((l) => l.name).filter((name) => !controllerListenerNames.includes(name)) : []);
  const connectionLimits = { ...addressLimits, perListenerMax: perListenerConnectionLimits(r, clientListenerNames, warn) };
  const sasl = resolveSasl(r, listeners, clientListenerNames, warn);
  if (authorizer !== null && processRoles.includes('controller')) checkControllerAuthorizer(r, authorizer.superUsers, controllerListenerNames, tls, warn);
  if (metricsListener !== null && metricsListener.port !== 0) {
    const clash = listeners.find((l) => l.port === metricsListener.port);
    if (clash !== undefined) r.fail(K.metricsListener, `port ${metricsListener.port} is listener ${clash.name}'s; the metrics endpoint needs a port of its own`);
  }

  // Directories.
  const seenDirs = new Map<string, string>();
  for (const dir of logDirs) {
    const other = seenDirs.get(resolve(dir));
    if (other !== undefined) r.fail(logDirsSet ? K.logDirs : K.logDir, `${other} and ${dir} are the same directory; list each once`);
    seenDirs.set(resolve(dir), dir);
  }

  const config: NodeConfig = {
    processRoles,
    nodeId,
    voters,
    controllerListenerNames,
    listeners,
    advertisedListeners,
    securityProtocolMap,
    tls,
    sasl,
    metadataLogDir,
    logDirs,
    logDirsFrom: logDirsSet ? 'log.dirs' : r.raw(K.logDir.name) !== undefined ? 'log.dir' : 'default',
    brokerRack,
    raft,
    broker,
    connectionLimits,
    controller,
    autoCreateTopicsEnable,
    authorizer,
    groups,
    offsetRetention,
    shutdownTimeoutMs,
    metricsListener,
    readOnlyBrokerConfigs: readOnlyBrokerConfigsFrom((key) => r.raw(key)),
  };
  // The runtime's own validators as a second line: a rule added there and not here still stops the node at start.
  raftConfigFrom(config);
  controllerConfigFrom(config, 'config-check');
  return config;
}

/**
 * With an authorizer, a controller checks its own quorum's traffic too (voters' and brokers' Raft
 * frames and registrations need CLUSTER_ACTION: quorum/server/rpc-authorization.ts). On a controller
 * listener where no peer can prove a name (PLAINTEXT, or SSL with ssl.client.auth=none) every peer
 * is User:ANONYMOUS, so unless that principal is a super user the quorum could never form: refused
 * here, saying what to do, rather than at run time as a stream of refusals.
 */
function checkControllerAuthorizer(
  r: KeyReader,
  superUsers: ReadonlySet<string>,
  controllerListenerNames: readonly string[],
  tls: ReadonlyMap<string, { readonly clientAuth: string }>,
  warn: (msg: string) => void,
): void {
  for (const name of superUsers.has(ANONYMOUS_PRINCIPAL) ? [] : controllerListenerNames) {
    const clientAuth = tls.get(name)?.clientAuth;
    if (clientAuth === 'required' || clientAuth === 'requested') continue;
    r.fail(
      K.authorizerClassName,
      `on a controller, the authorizer checks the quorum's own traffic, and on controller listener ${name} (${clientAuth === undefined ? 'PLAINTEXT' : 'SSL with ssl.client.auth=none'}) every voter and broker is ${ANONYMOUS_PRINCIPAL}: ` +
        `use SSL with ssl.client.auth=required there and put the nodes' certificate principals in ${K.superUsers.name}, or add ${ANONYMOUS_PRINCIPAL} to ${K.superUsers.name} (which lets anyone who reaches that listener do anything)`,
    );
  }
  if (superUsers.size === 0) {
    warn(`${K.authorizerClassName.name} is set on a controller and ${K.superUsers.name} is empty: the other controllers and the brokers need CLUSTER_ACTION on the cluster to reach this one; put their principals in ${K.superUsers.name}`);
  }
}

/**
 * Reads a server.properties file, applies `--override key=value` entries (later ones win) and
 * parses the result. Duplicate keys in the file are reported through `warn`.
 */
export async function loadServerConfig(path: string, overrides: readonly string[], warn: (msg: string) => void, options: ParseOptions = {}): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
  let parsed;
  try {
    parsed = parsePropertiesDetailed(text);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`config file ${path}, ${e.message}`, e.key);
    throw e;
  }
  for (const { key, lines } of parsed.duplicates) {
    warn(`config file ${path}: ${key} is set on lines ${lines.join(', ')}; the last one (line ${lines[lines.length - 1]}) is used`);
  }
  const props = new Map(parsed.properties);
  for (const override of overrides) {
    const eq = override.indexOf('=');
    const key = eq < 0 ? '' : override.slice(0, eq).trim();
    if (key === '') throw new ConfigError(`--override ${JSON.stringify(override)}: expected key=value`);
    props.set(key, override.slice(eq + 1));
  }
  return parseServerConfig(props, warn, options);
}

/** The Raft timeouts of `config`, as overrides for quorum/raft/config.ts's raftConfig. */
export function toRaftConfigOverrides(config: NodeConfig): Partial<RaftConfig> {
  return { ...config.raft };
}

/** The node's RaftConfig (voter ids from controller.quorum.voters); throws ConfigError. */
export function raftConfigFrom(config: NodeConfig): RaftConfig {
  try {
    return raftConfig(
      config.nodeId,
      config.voters.map((v) => v.id),
      toRaftConfigOverrides(config),
    );
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(`invalid quorum configuration: ${e.message}`);
    throw e;
  }
}

/** The controller's configuration for `clusterId`; throws ConfigError naming the Kafka key. */
export function controllerConfigFrom(config: NodeConfig, clusterId: string): ControllerConfig {
  try {
    return controllerConfig(clusterId, config.controller);
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(e.message, /^(\S+) = /.exec(e.message)?.[1] ?? null);
    throw e;
  }
}

/** DescribeConfigs' config type of a server.properties key's documented type (path, enum: STRING). */
const DESCRIBED_TYPE: Readonly<Record<string, ConfigValueType>> = { int: 'int', long: 'long', boolean: 'boolean', list: 'list', password: 'password', class: 'class', double: 'double' };

/** The read-only broker keys as this node reports them (DescribeConfigs of its own broker resource): set in `raw`, or their defaults. */
export function readOnlyBrokerConfigsFrom(raw: (key: string) => string | undefined): ReadonlyMap<string, ReadOnlyBrokerConfig> {
  const out = new Map<string, ReadOnlyBrokerConfig>();
  for (const spec of SERVER_CONFIG_KEYS) {
    if (!STATIC_ONLY_BROKER_KEYS.has(spec.name)) continue;
    // broker.id is node.id's synonym (KafkaConfig.populateSynonyms copies whichever the file sets
    // into the other): Kafka reports the one the file sets under both names, either way round.
    const value =
      spec.name === K.brokerId.name ? (raw(K.brokerId.name) ?? raw(K.nodeId.name)) : spec.name === K.nodeId.name ? (raw(K.nodeId.name) ?? raw(K.brokerId.name)) : raw(spec.name);
    out.set(spec.name, { value: value?.trim(), defaultValue: spec.default, type: DESCRIBED_TYPE[spec.type] ?? 'string' });
  }
  return out;
}
