// Every key server.properties may hold: its name (Kafka's, where Kafka has one; `metaquorum.*` for
// our own), type, default, what a valid value looks like, what it means, and the parser that
// checks it. One table feeds parsing (server-config.ts), `--help` and the README's configuration
// reference (configReferenceMarkdown), so the three cannot drift apart.
//
// Defaults are Kafka's unless the doc says why not; the controller's come from
// quorum/controller/config.ts's defaultControllerConfig so that the two cannot disagree.

import { defaultControllerConfig } from '../../quorum/controller/config.js';
import { limits } from '../../quorum/limits.js';
import { netLimits } from '../../quorum/net/limits.js';
import { REFUSAL_WARN_INTERVAL_MS } from '../../quorum/net/refusal-warnings.js';
import { parseConnectionOverrides } from './connection-overrides.js';
import { parseHttpListener, parseListenerList, parseListenerName, parseSecurityProtocolMap, parseVoters } from './endpoints.js';
import { STANDARD_AUTHORIZER_CLASS } from '../../quorum/controller/acls/authorizer.js';
import { SCRAM_MECHANISMS, type ScramMechanismName } from '../../metadata-log/records/user-scram-credential.js';
import { CONNECTIONS_MAX_IDLE_MS } from '../../broker/kafka/connection-limits.js';
import { BadValue, enumParser, INT_MAX, intParser, listParser, parseBoolean, parseNonEmpty } from './values.js';

export type Role = 'broker' | 'controller';
export type SslClientAuth = 'none' | 'requested' | 'required';

export interface KeySpec<T> {
  readonly name: string;
  /** For documentation: int, long, boolean, string, list, path, enum, password. */
  readonly type: string;
  /** The default as it would be written in the file; undefined when there is no literal default. */
  readonly default: string | undefined;
  /** How the default reads in documentation when it is not a literal (required, derived...). */
  readonly defaultText?: string;
  /** What a valid value looks like, as the end of an error message ("must be ..."). */
  readonly expected: string;
  readonly doc: string;
  /** Parses a trimmed raw value; throws BadValue (an empty reason means `expected`). */
  readonly parse: (raw: string) => T;
}

const key = <T>(spec: KeySpec<T>): KeySpec<T> => spec;

const positiveInt = intParser(1, INT_MAX);
const nonNegativeInt = intParser(0, INT_MAX);
const positiveLong = intParser(1, Number.MAX_SAFE_INTEGER);
const nonNegativeLong = intParser(0, Number.MAX_SAFE_INTEGER);
const POSITIVE_INT = `must be a positive integer (1..${INT_MAX})`;
const NON_NEGATIVE_INT = `must be a non-negative integer (0..${INT_MAX})`;

function parseRoles(raw: string): Role[] {
  const roles = listParser((s): Role => {
    if (s !== 'broker' && s !== 'controller') throw new BadValue(`unknown role "${s}"; must be broker, controller or broker,controller`);
    return s;
  })(raw);
  if (roles.length === 0) throw new BadValue();
  if (new Set(roles).size !== roles.length) throw new BadValue('a role is listed twice; must be broker, controller or broker,controller');
  return (['broker', 'controller'] as const).filter((r) => roles.includes(r));
}

/** The SASL mechanisms a broker listener can offer: SCRAM, against the credentials in the metadata log. */
export const SASL_MECHANISM_NAMES: readonly ScramMechanismName[] = [...SCRAM_MECHANISMS.values()];
export type SaslMechanismName = ScramMechanismName;
const SASL_MECHANISMS_DEFAULT = SASL_MECHANISM_NAMES.join(',');

function parseSaslMechanisms(raw: string): SaslMechanismName[] {
  const mechanisms = listParser((s): SaslMechanismName => {
    const known = SASL_MECHANISM_NAMES.find((m) => m === s);
    if (known !== undefined) return known;
    const upper = SASL_MECHANISM_NAMES.find((m) => m === s.toUpperCase());
    if (upper !== undefined) throw new BadValue(`"${s}" is not a mechanism name; mechanism names are upper case: ${upper}`);
    throw new BadValue(`mechanism ${s} is not offered; only ${SASL_MECHANISM_NAMES.join(' and ')} (against the SCRAM credentials in the metadata log)`);
  })(raw);
  if (mechanisms.length === 0) throw new BadValue();
  return [...new Set(mechanisms)];
}

function parseDirs(raw: string): string[] {
  const dirs = listParser(parseNonEmpty)(raw);
  if (dirs.length === 0) throw new BadValue();
  return dirs;
}

function parsePemType(raw: string): 'PEM' {
  if (raw.toUpperCase() !== 'PEM') throw new BadValue();
  return 'PEM';
}

/** "" (off) or "https" (check the peer's host name against its certificate), as Kafka. */
function parseEndpointIdentification(raw: string): boolean {
  if (raw === '') return false;
  if (raw.toLowerCase() === 'https') return true;
  throw new BadValue();
}

const QUORUM_DEFAULTS_SEE = 'Faster than Kafka\'s default for fast failover; why is under controller.quorum.election.timeout.ms.';

const QUORUM_DEFAULTS_WHY =
  'Faster than Kafka\'s default on purpose: when a leader process dies its followers see the connections close and stand for ' +
  'election at once, so it is replaced well under a second; a hung leader is noticed after controller.quorum.fetch.timeout.ms ' +
  'and replaced in about a second. Pre-vote (a voter that still hears its leader refuses to vote) and check-quorum (a leader ' +
  'that no majority fetched from within 1.5 x the fetch timeout resigns) keep such short timeouts from unseating a healthy leader.';

/** authorizer.class.name: '' (off) or Kafka's StandardAuthorizer (on). */
function parseAuthorizerClassName(raw: string): boolean {
  if (raw === '') return false;
  if (raw === STANDARD_AUTHORIZER_CLASS) return true;
  throw new BadValue(`unknown authorizer "${raw}"; must be empty (no authorization) or ${STANDARD_AUTHORIZER_CLASS}`);
}

/** super.users: 'User:alice;User:CN=admin,O=acme' (semicolons: a certificate subject holds commas). */
function parseSuperUsers(raw: string): string[] {
  const users = raw.split(';').map((u) => u.trim()).filter((u) => u !== '');
  for (const u of users) {
    const colon = u.indexOf(':');
    if (colon <= 0 || colon === u.length - 1) throw new BadValue(`"${u}" is not a principal of the form Type:name (e.g. User:alice)`);
  }
  return users;
}

const c = defaultControllerConfig;

/** The keys, by the field of NodeConfig they feed. */
export const serverKeys = {
  processRoles: key({
    name: 'process.roles',
    type: 'list',
    default: undefined,
    defaultText: '(required)',
    expected: 'must be broker, controller or broker,controller',
    doc: 'What this node runs: broker, controller, or both (combined mode, for development and small clusters).',
    parse: parseRoles,
  }),
  nodeId: key({
    name: 'node.id',
    type: 'int',
    default: undefined,
    defaultText: '(required)',
    expected: 'must be a non-negative integer',
    doc: 'This node\'s id, unique among brokers and controllers (one id space, as in Kafka).',
    parse: nonNegativeInt,
  }),
  brokerId: key({
    name: 'broker.id',
    type: 'int',
    default: undefined,
    defaultText: 'node.id',
    expected: 'must be a non-negative integer',
    doc: 'Kafka\'s older name for node.id, a synonym as in Kafka: it gives node.id when node.id is not set, and must equal it when both are.',
    parse: nonNegativeInt,
  }),
  voters: key({
    name: 'controller.quorum.voters',
    type: 'list',
    default: undefined,
    defaultText: '(required)',
    expected: 'must be id@host:port,... with unique ids',
    doc: 'The static voter set: every controller as id@host:port. A controller\'s node.id must be in it; a broker-only node\'s must not.',
    parse: parseVoters,
  }),
  controllerListenerNames: key({
    name: 'controller.listener.names',
    type: 'list',
    default: 'CONTROLLER',
    defaultText: '(required for controllers); CONTROLLER for a broker',
    expected: 'must be a comma-separated list of listener names',
    doc: 'Listeners that speak the controller protocol. Brokers use the first to reach the controllers.',
    parse: (raw) => {
      const names = listParser(parseListenerName)(raw);
      if (names.length === 0) throw new BadValue('must name at least one listener');
      return names;
    },
  }),
  listeners: key({
    name: 'listeners',
    type: 'list',
    default: 'PLAINTEXT://:9092',
    expected: 'must be NAME://host:port,... with unique names and ports (an empty host means 0.0.0.0)',
    doc: 'Where this node listens. A controller needs a controller listener; a broker needs at least one other.',
    parse: parseListenerList,
  }),
  advertisedListeners: key({
    name: 'advertised.listeners',
    type: 'list',
    default: undefined,
    defaultText: 'listeners, minus controller listeners',
    expected: 'must be NAME://host:port,... naming listeners from `listeners` (0.0.0.0 cannot be advertised)',
    doc: 'What the broker registers for clients to connect to. An empty host advertises this machine\'s host name; controllers are reached through controller.quorum.voters.',
    parse: parseListenerList,
  }),
  securityProtocolMap: key({
    name: 'listener.security.protocol.map',
    type: 'list',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    defaultText:
      '`PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL`, and each of controller.listener.names as PLAINTEXT unless a listener or controller listener is named SSL, SASL_PLAINTEXT or SASL_SSL (Kafka\'s rule)',
    expected: 'must be NAME:PROTOCOL,... with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL',
    doc:
      'The security protocol of each listener name; every listener must be mapped. A broker listener may use any of the four: SSL and SASL_SSL are TLS (the ssl.* keys), and on SASL_PLAINTEXT and SASL_SSL a Kafka client, and metaquorum\'s own tools (--command-config), must authenticate with SCRAM first (sasl.enabled.mechanisms). A controller listener is PLAINTEXT or SSL: nodes authenticate each other with mutual TLS.',
    parse: parseSecurityProtocolMap,
  }),
  sslKeystoreLocation: key({
    name: 'ssl.keystore.location',
    type: 'path',
    default: undefined,
    defaultText: '(none; required for an SSL listener)',
    expected: 'must be a path',
    doc: 'A PEM file holding the private key and certificate chain. Per listener: listener.name.<name>.ssl.keystore.location.',
    parse: parseNonEmpty,
  }),
  sslKeystoreType: key({
    name: 'ssl.keystore.type',
    type: 'enum',
    default: 'PEM',
    expected: 'must be PEM (the only keystore type supported)',
    doc: 'Only PEM (Kafka\'s default is JKS, which Node cannot read).',
    parse: parsePemType,
  }),
  sslKeyPassword: key({
    name: 'ssl.key.password',
    type: 'password',
    default: undefined,
    defaultText: '(none: the private key is not encrypted)',
    expected: 'must be a non-empty string',
    doc: 'The password of an encrypted private key in the keystore PEM file; the key is decrypted once at start and the password is never logged. Per listener: listener.name.<name>.ssl.key.password.',
    parse: parseNonEmpty,
  }),
  sslTruststoreLocation: key({
    name: 'ssl.truststore.location',
    type: 'path',
    default: undefined,
    defaultText: '(none: the system CAs)',
    expected: 'must be a path',
    doc: 'A PEM file of trusted CA certificates, for checking peers. Per listener: listener.name.<name>.ssl.truststore.location.',
    parse: parseNonEmpty,
  }),
  sslTruststoreType: key({
    name: 'ssl.truststore.type',
    type: 'enum',
    default: 'PEM',
    expected: 'must be PEM (the only truststore type supported)',
    doc: 'Only PEM (Kafka\'s default is JKS, which Node cannot read).',
    parse: parsePemType,
  }),
  sslClientAuth: key({
    name: 'ssl.client.auth',
    type: 'enum',
    default: 'none',
    expected: 'must be none, requested or required',
    doc: 'Whether an SSL listener asks connecting peers for a certificate: required (mutual TLS: none or an untrusted one is refused), requested (optional, but an untrusted one is refused), none.',
    parse: (raw) => enumParser<SslClientAuth>(['none', 'requested', 'required'])(raw.toLowerCase()),
  }),
  sslEndpointIdentification: key({
    name: 'ssl.endpoint.identification.algorithm',
    type: 'string',
    default: 'https',
    expected: 'must be https (check host names) or empty (do not)',
    doc: 'https: a client checks that the server certificate matches the host it dialled; empty turns the check off.',
    parse: parseEndpointIdentification,
  }),
  metadataLogDir: key({
    name: 'metadata.log.dir',
    type: 'path',
    default: undefined,
    defaultText: 'the first of log.dirs',
    expected: 'must be a path',
    doc: 'Where the metadata log, its snapshots and the quorum state live.',
    parse: parseNonEmpty,
  }),
  logDirs: key({
    name: 'log.dirs',
    type: 'list',
    default: undefined,
    defaultText: 'log.dir',
    expected: 'must be a comma-separated list of paths',
    doc: 'Data directories; each is formatted with a meta.properties.',
    parse: parseDirs,
  }),
  logDir: key({
    name: 'log.dir',
    type: 'path',
    default: '/tmp/kraft-combined-logs',
    expected: 'must be a path',
    doc: 'The data directory when log.dirs is not set (the default is the one Kafka\'s KRaft sample config uses).',
    parse: parseNonEmpty,
  }),
  brokerRack: key({
    name: 'broker.rack',
    type: 'string',
    default: undefined,
    defaultText: '(none)',
    expected: 'must be a non-empty string (leave the key out for no rack)',
    doc: 'The rack the broker is in, for rack-aware replica placement.',
    parse: parseNonEmpty,
  }),
  electionTimeoutMs: key({
    name: 'controller.quorum.election.timeout.ms',
    type: 'int',
    default: '500',
    expected: POSITIVE_INT,
    doc: `How long a voter without a leader waits before standing for election, randomized to [t, 2t) (Kafka: 1000). ${QUORUM_DEFAULTS_WHY}`,
    parse: positiveInt,
  }),
  fetchTimeoutMs: key({
    name: 'controller.quorum.fetch.timeout.ms',
    type: 'int',
    default: '800',
    expected: POSITIVE_INT,
    doc: `A follower that has not fetched from its leader this long stands for election (Kafka: 2000). ${QUORUM_DEFAULTS_SEE}`,
    parse: positiveInt,
  }),
  electionBackoffMaxMs: key({
    name: 'controller.quorum.election.backoff.max.ms',
    type: 'int',
    default: '500',
    expected: POSITIVE_INT,
    doc: `The longest back-off after a lost election (Kafka: 1000): each one is drawn evenly from a window that doubles with every election lost in a row (100 ms, 200 ms, ...) up to this, so candidates that lost together do not stand together again. ${QUORUM_DEFAULTS_SEE}`,
    parse: positiveInt,
  }),
  requestTimeoutMs: key({
    name: 'controller.quorum.request.timeout.ms',
    type: 'int',
    default: '1500',
    expected: POSITIVE_INT,
    doc: `An unanswered quorum request is sent again after this; must exceed metaquorum.quorum.fetch.max.wait.ms (Kafka: 2000). ${QUORUM_DEFAULTS_SEE}`,
    parse: positiveInt,
  }),
  fetchMaxWaitMs: key({
    name: 'metaquorum.quorum.fetch.max.wait.ms',
    type: 'int',
    default: '250',
    expected: POSITIVE_INT,
    doc: 'How long the leader parks a fetch that finds nothing new (Kafka: 500, not configurable). Below the fetch and request timeouts, so a parked fetch is never mistaken for a dead leader.',
    parse: positiveInt,
  }),
  observerFetchIntervalMs: key({
    name: 'metaquorum.quorum.observer.fetch.interval.ms',
    type: 'int',
    default: '40',
    expected: NON_NEGATIVE_INT,
    doc:
      'Under a stream of metadata changes, a broker sends its next metadata fetch no sooner than this after its previous one (0: at once, as Kafka does), ' +
      `so it wakes once per interval instead of once per commit. After a fetch that brought fewer than ${limits.observerBurstRecords} records it waits less, ` +
      `in proportion, but at least ${limits.observerSpacingMinMs} ms (or this, when shorter); a change reaching an idle broker, and a broker catching up, fetch at once. ` +
      'Must be below metaquorum.quorum.fetch.max.wait.ms; unset, it is 1 ms below that when the fetch max wait is set to 40 ms or less.',
    parse: nonNegativeInt,
  }),
  snapshotsRetained: key({
    name: 'metaquorum.snapshots.retained',
    type: 'int',
    default: '2',
    expected: POSITIVE_INT,
    doc: 'Metadata snapshots kept on disk; the log starts at the oldest kept one.',
    parse: positiveInt,
  }),
  brokerHeartbeatIntervalMs: key({
    name: 'broker.heartbeat.interval.ms',
    type: 'int',
    default: String(c.brokerHeartbeatIntervalMs),
    expected: POSITIVE_INT,
    doc: 'How often a broker heartbeats to the active controller; must be below broker.session.timeout.ms.',
    parse: positiveInt,
  }),
  brokerSessionTimeoutMs: key({
    name: 'broker.session.timeout.ms',
    type: 'int',
    default: String(c.brokerSessionTimeoutMs),
    expected: POSITIVE_INT,
    doc: 'A broker not heard from this long is fenced (its leaderships move away).',
    parse: positiveInt,
  }),
  initialRegistrationTimeoutMs: key({
    name: 'initial.broker.registration.timeout.ms',
    type: 'int',
    default: '60000',
    expected: POSITIVE_INT,
    doc: 'A broker that cannot register with the controllers within this long after starting gives up and exits.',
    parse: positiveInt,
  }),
  controlledShutdownTimeoutMs: key({
    name: 'metaquorum.controlled.shutdown.timeout.ms',
    type: 'int',
    default: '8000',
    expected: POSITIVE_INT,
    doc: 'How long a stopping broker waits for the controller to move its leaderships away before it stops anyway; must be below metaquorum.shutdown.timeout.ms.',
    parse: positiveInt,
  }),
  isrExpansionEnable: key({
    name: 'metaquorum.isr.expansion.enable',
    type: 'boolean',
    default: 'true',
    expected: 'must be true or false',
    doc:
      'Whether a broker that leads a partition asks the controller to add eligible replicas back to its ISR, as a Kafka leader does once a follower catches up (these brokers keep no partition data, so an eligible replica is in sync). Off only where a harness plays the partition leaders itself.',
    parse: parseBoolean,
  }),
  maxConnectionsPerIp: key({
    name: 'max.connections.per.ip',
    type: 'int',
    default: String(INT_MAX),
    expected: NON_NEGATIVE_INT,
    doc:
      "Connections one remote IP address may hold on the broker's client listeners together (Kafka clients and metaquorum tools alike); " +
      `one more is closed as soon as it is accepted, with a warn line naming the address and the limit (at most one per address per ${REFUSAL_WARN_INTERVAL_MS / 1000} s, ` +
      'counting the others). An IPv4-mapped IPv6 address (::ffff:10.0.0.5) counts as the IPv4 address. 0 only with ' +
      'max.connections.per.ip.overrides (Kafka\'s rule): then only the addresses listed there may connect. Kafka\'s default (no limit).',
    parse: nonNegativeInt,
  }),
  maxConnectionsPerIpOverrides: key({
    name: 'max.connections.per.ip.overrides',
    type: 'list',
    default: '',
    expected: 'must be host:count,... (an IP address or a host name, each once, and a count 0..2147483647)',
    doc:
      'Per-address exceptions to max.connections.per.ip, e.g. 127.0.0.1:200,10.0.0.5:5 (IPv6: [::1]:50). A host name is resolved once, ' +
      'at start, to one address (the first IPv4 one, else the first, as Kafka does), and a name that does not resolve stops the node; ' +
      'the override then applies to connections from that address only.',
    parse: parseConnectionOverrides,
  }),
  maxConnections: key({
    name: 'max.connections',
    type: 'int',
    default: String(INT_MAX),
    expected: NON_NEGATIVE_INT,
    doc:
      `Connections the broker's client listeners may hold in all; one more is closed as soon as it is accepted, with a warn line (at most one per ${REFUSAL_WARN_INTERVAL_MS / 1000} s, ` +
      'counting the others). Kafka instead stops accepting until a connection closes. One listener may be given a lower limit of its own, ' +
      'listener.name.<lowercase listener>.max.connections. Each listener also holds at most ' +
      `${netLimits.serverConnectionsMax} connections of its own. Kafka's default (no limit).`,
    parse: nonNegativeInt,
  }),
  defaultPartitions: key({
    name: 'num.partitions',
    type: 'int',
    default: String(c.defaultPartitions),
    expected: POSITIVE_INT,
    doc: 'Partitions of a topic created without a partition count.',
    parse: positiveInt,
  }),
  defaultReplicationFactor: key({
    name: 'default.replication.factor',
    type: 'int',
    default: String(c.defaultReplicationFactor),
    expected: POSITIVE_INT,
    doc: 'Replication factor of a topic created without one.',
    parse: positiveInt,
  }),
  autoLeaderRebalanceEnable: key({
    name: 'auto.leader.rebalance.enable',
    type: 'boolean',
    default: String(c.autoLeaderRebalanceEnable),
    expected: 'must be true or false',
    doc: 'Whether the controller moves leadership back to preferred replicas.',
    parse: parseBoolean,
  }),
  leaderImbalanceCheckIntervalSeconds: key({
    name: 'leader.imbalance.check.interval.seconds',
    type: 'long',
    default: String(c.leaderImbalanceCheckIntervalMs / 1000),
    expected: 'must be a positive integer (seconds)',
    doc: 'How often the controller looks for partitions not led by their preferred replica.',
    parse: intParser(1, Math.floor(Number.MAX_SAFE_INTEGER / 1000)),
  }),
  uncleanLeaderElectionEnable: key({
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: String(c.uncleanLeaderElectionEnable),
    expected: 'must be true or false',
    doc: 'Cluster default: may a replica outside the ISR become leader (losing data) when no ISR member is left. A topic config overrides it.',
    parse: parseBoolean,
  }),
  snapshotMaxBytes: key({
    name: 'metadata.log.max.record.bytes.between.snapshots',
    type: 'long',
    default: String(c.snapshotMaxBytes),
    expected: 'must be a positive integer (bytes)',
    doc: 'A controller takes a metadata snapshot after this many bytes of records.',
    parse: positiveLong,
  }),
  snapshotMaxIntervalMs: key({
    name: 'metadata.log.max.snapshot.interval.ms',
    type: 'long',
    default: String(c.snapshotMaxIntervalMs),
    expected: 'must be a non-negative integer (0 = no time trigger)',
    doc: 'A controller takes a metadata snapshot at least this often when there are new records (0 = never by time).',
    parse: nonNegativeLong,
  }),
  noOpIntervalMs: key({
    name: 'metadata.max.idle.interval.ms',
    type: 'int',
    default: String(c.noOpIntervalMs),
    expected: NON_NEGATIVE_INT,
    doc: 'The active controller writes a NoOp record this often, so brokers can tell a quiet log from a stuck one (0 = never).',
    parse: nonNegativeInt,
  }),
  offsetMetadataMaxBytes: key({
    name: 'offset.metadata.max.bytes',
    type: 'int',
    default: String(c.offsetMetadataMaxBytes),
    expected: NON_NEGATIVE_INT,
    doc: 'The largest metadata string a consumer may commit with an offset.',
    parse: nonNegativeInt,
  }),
  autoCreateTopicsEnable: key({
    name: 'auto.create.topics.enable',
    type: 'boolean',
    default: 'false',
    expected: 'must be true or false',
    doc: 'Whether a metadata request for an unknown topic creates it. Off by default (Kafka: true): a typo should not create a topic.',
    parse: parseBoolean,
  }),
  authorizerClassName: key({
    name: 'authorizer.class.name',
    type: 'string',
    default: '',
    expected: `must be empty (no authorization) or ${STANDARD_AUTHORIZER_CLASS}`,
    doc:
      `Empty: no authorization (every client may do everything, and DescribeAcls, CreateAcls and DeleteAcls answer SECURITY_DISABLED). ${STANDARD_AUTHORIZER_CLASS}: Kafka's KRaft authorizer over the ACLs in the metadata log, checked on every Kafka API a broker serves and on the internal RPC and Raft traffic of the node's listeners (README, Access control). On a controller it needs listeners that name their peers (SSL with ssl.client.auth) or User:ANONYMOUS in super.users. No other class exists here.`,
    parse: parseAuthorizerClassName,
  }),
  superUsers: key({
    name: 'super.users',
    type: 'list',
    default: '',
    defaultText: 'none',
    expected: 'must be principals of the form Type:name (User:alice, User:CN=admin,O=acme) separated by semicolons',
    doc: "Principals the authorizer allows everything, whatever the ACLs say; separated by semicolons (a certificate subject holds commas), as in Kafka. With the authorizer on the controllers, list the nodes' own principals here: voters and brokers need CLUSTER_ACTION on the cluster.",
    parse: parseSuperUsers,
  }),
  allowEveryoneIfNoAclFound: key({
    name: 'allow.everyone.if.no.acl.found',
    type: 'boolean',
    default: 'false',
    expected: 'must be true or false',
    doc: "With the authorizer on: whether a resource no ACL applies to (for anyone) is open to everyone. Kafka's default, false: such a resource is closed to all but super.users.",
    parse: parseBoolean,
  }),
  saslEnabledMechanisms: key({
    name: 'sasl.enabled.mechanisms',
    type: 'list',
    default: SASL_MECHANISMS_DEFAULT,
    expected: `must be one or more of ${SASL_MECHANISM_NAMES.join(', ')}, separated by commas`,
    doc:
      'The SASL mechanisms a SASL_PLAINTEXT or SASL_SSL broker listener offers Kafka clients (one listener may have its own, listener.name.<lowercase listener>.sasl.enabled.mechanisms). ' +
      "Only SCRAM is offered: a client proves it knows the password of a SCRAM credential in the metadata log (configs alter --add-config 'SCRAM-SHA-256=[password=…]', or kafka-configs.sh) and is then User:<name> to the authorizer. " +
      "Kafka's default, GSSAPI (Kerberos), and PLAIN, OAUTHBEARER and delegation tokens are not offered here.",
    parse: parseSaslMechanisms,
  }),
  connectionFailedAuthenticationDelayMs: key({
    name: 'connection.failed.authentication.delay.ms',
    type: 'int',
    default: '100',
    expected: `must be an integer from 0 to ${CONNECTIONS_MAX_IDLE_MS - 1} (less than connections.max.idle.ms, ${CONNECTIONS_MAX_IDLE_MS}, as Kafka requires: the held answer must leave before the idle connection is closed)`,
    doc: "How long a broker holds back its answer to a failed SASL authentication (and the close of a connection that broke the SASL exchange's order) before it closes the connection, which slows a client guessing passwords. Kafka's default.",
    parse: intParser(0, CONNECTIONS_MAX_IDLE_MS - 1),
  }),
  saslServerMaxReceiveSize: key({
    name: 'sasl.server.max.receive.size',
    type: 'int',
    default: '524288',
    expected: POSITIVE_INT,
    doc: "The largest request a broker reads from a client on a SASL listener before it has authenticated; a larger one closes the connection (an unauthenticated client cannot make the broker buffer a 100 MiB frame). Kafka's default.",
    parse: positiveInt,
  }),
  groupMinSessionTimeoutMs: key({
    name: 'group.min.session.timeout.ms',
    type: 'int',
    default: '6000',
    expected: POSITIVE_INT,
    doc: "The shortest session timeout a consumer may ask for in JoinGroup (shorter: INVALID_SESSION_TIMEOUT). Kafka's default.",
    parse: positiveInt,
  }),
  groupMaxSessionTimeoutMs: key({
    name: 'group.max.session.timeout.ms',
    type: 'int',
    default: '1800000',
    expected: POSITIVE_INT,
    doc: "The longest session timeout a consumer may ask for in JoinGroup. Kafka's default.",
    parse: positiveInt,
  }),
  groupInitialRebalanceDelayMs: key({
    name: 'group.initial.rebalance.delay.ms',
    type: 'int',
    default: '3000',
    expected: NON_NEGATIVE_INT,
    doc: "How long an empty group waits for more members before its first rebalance (extended while members keep arriving, up to the rebalance timeout). Kafka's default; 0 for tests.",
    parse: nonNegativeInt,
  }),
  groupMaxSize: key({
    name: 'group.max.size',
    type: 'int',
    default: '2147483647',
    expected: POSITIVE_INT,
    doc: 'The most members a consumer group may have; one more gets GROUP_MAX_SIZE_REACHED.',
    parse: positiveInt,
  }),
  offsetsRetentionMinutes: key({
    name: 'offsets.retention.minutes',
    type: 'int',
    default: '10080',
    expected: POSITIVE_INT,
    doc: "How long a consumer group's committed offsets are kept once the group has no members: counted from the later of the commit and the moment the group emptied. A stable consumer group's offsets of topics it no longer subscribes to go this long after their commit; its other offsets are kept. Kafka's default (7 days). An offset committed with an OffsetCommit v2-v4 retention_time_ms other than -1 goes at its own expire timestamp instead, once metadata.version is 1.0-IV2 or later (below it the field is ignored).",
    parse: positiveInt,
  }),
  offsetsRetentionCheckIntervalMs: key({
    name: 'offsets.retention.check.interval.ms',
    type: 'int',
    default: '600000',
    expected: POSITIVE_INT,
    doc: "How often a broker looks for expired offsets in the groups it coordinates. Kafka's default.",
    parse: positiveInt,
  }),
  metricsListener: key({
    name: 'metaquorum.metrics.listener',
    type: 'string',
    default: undefined,
    defaultText: 'none (no endpoint)',
    expected: 'must be host:port (or http://host:port; IPv6 in brackets, port 0 picks a free one)',
    doc:
      'Where the node serves plain HTTP for monitoring: GET /metrics (Prometheus text format: the quorum, the controller, the broker and the process) and GET /health (200 or 503 with the reason, as etcd\'s). An empty host means 127.0.0.1. Unset, nothing is bound. See the README\'s Monitoring section for the metrics and their Kafka names.',
    parse: parseHttpListener,
  }),
  shutdownTimeoutMs: key({
    name: 'metaquorum.shutdown.timeout.ms',
    type: 'int',
    default: '10000',
    expected: POSITIVE_INT,
    doc: 'On SIGTERM the node resigns or shuts down in a controlled way and exits within this long, whatever happens.',
    parse: positiveInt,
  }),
} as const;

/** Every supported key, in documentation order. */
export const SERVER_CONFIG_KEYS: readonly KeySpec<unknown>[] = Object.values(serverKeys);

/** The ssl.* keys that may also be set per listener as listener.name.<lowercase name>.<key>. */
export const PER_LISTENER_SSL_KEYS: readonly KeySpec<unknown>[] = [
  serverKeys.sslKeystoreLocation,
  serverKeys.sslKeystoreType,
  serverKeys.sslKeyPassword,
  serverKeys.sslTruststoreLocation,
  serverKeys.sslTruststoreType,
  serverKeys.sslClientAuth,
  serverKeys.sslEndpointIdentification,
];

/**
 * The keys that may be set for one listener, as listener.name.<lowercase name>.<key>: the ssl.*
 * keys, max.connections (Kafka's per-listener limit, KIP-402: a broker client listener's
 * connections, within the broker-wide max.connections), and sasl.enabled.mechanisms.
 */
export const PER_LISTENER_KEYS: readonly KeySpec<unknown>[] = [...PER_LISTENER_SSL_KEYS, serverKeys.maxConnections, serverKeys.saslEnabledMechanisms];

/** listener.name.<listener>.<key>: group 1 is the listener name as written, group 2 the key. */
export const PER_LISTENER_KEY = /^listener\.name\.([^.]+)\.(.+)$/;

/** The per-listener form of an ssl.* key (Kafka's rule: the listener name in lower case). */
export function perListenerKey(listenerName: string, keyName: string): string {
  return `listener.name.${listenerName.toLowerCase()}.${keyName}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');

/** The configuration reference as a markdown table: key | default | meaning. */
export function configReferenceMarkdown(): string {
  const rows = SERVER_CONFIG_KEYS.map((k) => {
    const def = k.defaultText ?? (k.default === undefined ? '' : k.default === '' ? '""' : `\`${k.default}\``);
    return `| \`${k.name}\` | ${cell(def)} | ${cell(`${k.doc} Valid values: ${k.expected.replace(/^must be /, '')}.`)} |`;
  });
  rows.push(
    `| \`listener.name.<listener>.ssl.*\` | the ssl.* key | ${cell(
      `Any of ${PER_LISTENER_SSL_KEYS.map((k) => k.name).join(', ')} for one listener only, its name in lower case (listener.name.ssl.ssl.keystore.location).`,
    )} |`,
  );
  rows.push(
    `| \`listener.name.<listener>.sasl.enabled.mechanisms\` | sasl.enabled.mechanisms | ${cell('The SASL mechanisms of one SASL_PLAINTEXT or SASL_SSL listener, its name in lower case. Valid values: as sasl.enabled.mechanisms.')} |`,
  );
  rows.push(
    `| \`listener.name.<listener>.max.connections\` | none | ${cell(
      "Connections one broker client listener may hold (Kafka's per-listener max.connections), within the broker-wide max.connections; one more is closed as soon as it is accepted, with a warn line naming the listener. Valid values: a non-negative integer (0..2147483647).",
    )} |`,
  );
  return ['| key | default | meaning |', '|---|---|---|', ...rows].join('\n') + '\n';
}
