// server.properties -> NodeConfig: every key rejects a bad value with a ConfigError naming it,
// defaults are the documented ones, unknown keys warn (with a suggestion), and the rules that
// span keys (roles, voters, listeners, security protocols, SSL, timeouts) hold.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configReferenceMarkdown,
  ConfigError,
  controllerConfigFrom,
  loadServerConfig,
  type NodeConfig,
  parseServerConfig,
  raftConfigFrom,
  SERVER_CONFIG_KEYS,
  toRaftConfigOverrides,
} from '../../tools/config/server-config.js';
import { defaultControllerConfig } from '../../quorum/controller/config.js';
import { clientTlsMaterial, serverTlsMaterial } from '../../tools/server/tls-material.js';
import { clientTlsOptions, serverTlsOptions } from '../../quorum/net/tls-options.js';
import { makePki } from '../support/tls-certs.js';

/** A valid combined node; tests change a key or two. */
const BASE: Readonly<Record<string, string>> = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': '1@localhost:9093,2@localhost:9193,3@localhost:9293',
  'controller.listener.names': 'CONTROLLER',
  listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
  'log.dirs': '/var/lib/mq/data',
};

/** BASE as a broker-only node (default listener). */
const BROKER_ONLY = { 'process.roles': 'broker', 'node.id': '4', listeners: undefined, 'controller.listener.names': undefined };
/** A keystore path: parsing the config does not read it (start does). */
const KEYSTORE = '/etc/metaquorum/keystore.pem';

function parse(changes: Record<string, string | undefined> = {}, warnings: string[] = []): NodeConfig {
  const props = new Map(Object.entries({ ...BASE, ...changes }).filter((e): e is [string, string] => e[1] !== undefined));
  return parseServerConfig(props, (m) => warnings.push(m), { hostname: () => 'node1.example' });
}

function configError(changes: Record<string, string | undefined>): ConfigError {
  try {
    parse(changes);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(changes)}`);
}

const INT_BAD = ['0', '-1', 'ten', '1.5', '2147483648', '', '0x10'];
const NON_NEGATIVE_BAD = ['-1', 'x', '1e3', '2147483648'];

/** At least one invalid value for every supported key. */
const INVALID: Readonly<Record<string, readonly string[]>> = {
  'process.roles': ['worker', 'broker,broker', '', 'Broker', 'broker;controller'],
  'node.id': ['x', '-1', '2147483648', '1.5', ''],
  'broker.id': ['x', '-1', '2147483648', '', '2'],
  'controller.quorum.voters': ['', '1@localhost', '1@h:1,1@h:2', 'a@h:1', '1@:9093', '1@h:0', '1@h:70000', 'localhost:9093'],
  'controller.listener.names': ['', ' , ', 'CON/TROLLER'],
  listeners: ['PLAINTEXT:9092', 'PLAINTEXT://:9092,plaintext://:9094', 'PLAIN TEXT://:1', 'PLAINTEXT://:99999', 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9092'],
  'advertised.listeners': ['PLAINTEXT//h:1', 'PLAINTEXT://0.0.0.0:9092', 'OTHER://h:1', 'PLAINTEXT://[::]:9092'],
  'listener.security.protocol.map': ['PLAINTEXT', 'PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT', 'PLAINTEXT:PLAINTEXT,PLAINTEXT:SSL,CONTROLLER:PLAINTEXT', 'CONTROLLER:PLAINTEXT'],
  'ssl.keystore.location': ['', '  '],
  'ssl.keystore.type': ['JKS', 'PKCS12'],
  'ssl.key.password': ['', '   '],
  'ssl.truststore.location': [''],
  'ssl.truststore.type': ['JKS'],
  'ssl.client.auth': ['yes', 'true'],
  'ssl.endpoint.identification.algorithm': ['http', 'HTTPS2'],
  'metadata.log.dir': ['', '  '],
  'log.dirs': ['', ' , ', '/a,/a', '/a,/b/../a'],
  'log.dir': [''],
  'broker.rack': ['', '   '],
  'controller.quorum.election.timeout.ms': INT_BAD,
  'controller.quorum.fetch.timeout.ms': [...INT_BAD, '250', '100'],
  'controller.quorum.election.backoff.max.ms': INT_BAD,
  'controller.quorum.request.timeout.ms': [...INT_BAD, '250'],
  'metaquorum.quorum.fetch.max.wait.ms': INT_BAD,
  'metaquorum.quorum.observer.fetch.interval.ms': ['-1', '1.5', 'x', '', '250', '300'],
  'metaquorum.snapshots.retained': INT_BAD,
  'broker.heartbeat.interval.ms': [...INT_BAD, '9000', '10000'],
  'broker.session.timeout.ms': [...INT_BAD],
  'initial.broker.registration.timeout.ms': INT_BAD,
  'metaquorum.controlled.shutdown.timeout.ms': [...INT_BAD, '10000'],
  'metaquorum.isr.expansion.enable': ['yes', '1', 'on', ''],
  // 0 without overrides: no client could connect (Kafka refuses it too).
  'max.connections.per.ip': [...NON_NEGATIVE_BAD, '0'],
  'max.connections.per.ip.overrides': ['127.0.0.1', '127.0.0.1:', ':5', '127.0.0.1:-1', '127.0.0.1:x', '127.0.0.1:1.5', '127.0.0.1:2147483648', 'bad host:1', 'a..b:1', 'host/x:1', '127.0.0.1:1,127.0.0.1:2', '[::1]:1,0:0:0:0:0:0:0:1:2'],
  'max.connections': NON_NEGATIVE_BAD,
  'num.partitions': INT_BAD,
  'default.replication.factor': INT_BAD,
  'auto.leader.rebalance.enable': ['yes', '1', 'on', ''],
  'leader.imbalance.check.interval.seconds': ['0', '-1', 'x', '9007199254741'],
  'unclean.leader.election.enable': ['no', '0'],
  'metadata.log.max.record.bytes.between.snapshots': ['0', 'x', '9007199254740993', '-1'],
  'metadata.log.max.snapshot.interval.ms': ['-1', 'x', '9007199254740993'],
  'metadata.max.idle.interval.ms': NON_NEGATIVE_BAD,
  'offset.metadata.max.bytes': NON_NEGATIVE_BAD,
  'auto.create.topics.enable': ['yes', 'TRUE!', ''],
  'authorizer.class.name': ['kafka.security.authorizer.AclAuthorizer', 'StandardAuthorizer', 'org.apache.kafka.metadata.authorizer.standardauthorizer'],
  'super.users': ['alice', 'User:', ':alice', 'User:alice;bob', 'User:alice,User:bob;admin'],
  'allow.everyone.if.no.acl.found': ['yes', '1', ''],
  'sasl.enabled.mechanisms': ['PLAIN', 'GSSAPI', 'scram-sha-512', '', 'SCRAM-SHA-256;SCRAM-SHA-512'],
  'connection.failed.authentication.delay.ms': [...NON_NEGATIVE_BAD, '600000'],
  'sasl.server.max.receive.size': INT_BAD,
  'group.min.session.timeout.ms': INT_BAD,
  'group.max.session.timeout.ms': INT_BAD,
  'group.initial.rebalance.delay.ms': NON_NEGATIVE_BAD,
  'group.max.size': INT_BAD,
  'offsets.retention.minutes': INT_BAD,
  'offsets.retention.check.interval.ms': INT_BAD,
  'metaquorum.shutdown.timeout.ms': INT_BAD,
  'metaquorum.metrics.listener': ['9404', 'localhost', 'h:65536', 'https://h:1', ''],
};

describe('every key rejects a bad value with a ConfigError naming it', () => {
  it('the table above covers every supported key', () => {
    expect(Object.keys(INVALID).sort()).toEqual(SERVER_CONFIG_KEYS.map((k) => k.name).sort());
  });

  for (const [key, values] of Object.entries(INVALID)) {
    for (const value of values) {
      it(`${key} = ${JSON.stringify(value)}`, () => {
        const e = configError({ [key]: value });
        expect(e.key).toBe(key);
        expect(e.exitCode).toBe(2);
        expect(e.message).toContain(key);
      });
    }
  }

  it('the message names the key, the value as written and what is expected', () => {
    expect(configError({ 'node.id': 'x' }).message).toBe('node.id = "x": must be a non-negative integer');
    expect(configError({ 'auto.create.topics.enable': 'yes' }).message).toBe('auto.create.topics.enable = "yes": must be true or false');
    expect(configError({ 'controller.quorum.voters': '1@h:1,1@h:2' }).message).toMatch(/^controller\.quorum\.voters = "1@h:1,1@h:2": voter id 1 appears more than once/);
    expect(configError({ 'controller.quorum.voters': '1@127.0.0.1:9093,2@127.0.0.1:9093' }).message).toMatch(
      /^controller\.quorum\.voters = "1@127\.0\.0\.1:9093,2@127\.0\.0\.1:9093": voters 1 and 2 have the same address 127\.0\.0\.1:9093; each voter needs its own controller listener/,
    );
  });

  it('authorizer.class.name: empty is no authorization, StandardAuthorizer turns it on with super.users (semicolons) and allow.everyone.if.no.acl.found', () => {
    expect(parse().authorizer).toBeNull();
    expect(parse({ 'super.users': 'User:admin' }).authorizer).toBeNull();
    const on = parse({
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': ' User:admin ; User:CN=ops,OU=eng,O=acme ;',
      ...BROKER_ONLY,
    }).authorizer;
    expect(on).toEqual({ superUsers: new Set(['User:admin', 'User:CN=ops,OU=eng,O=acme']), allowEveryoneIfNoAclFound: false });
    // A broker alone needs no super user (on a controller, see the next test).
    expect(parse({ 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'true', ...BROKER_ONLY }).authorizer).toEqual({
      superUsers: new Set(),
      allowEveryoneIfNoAclFound: true,
    });
    expect(configError({ 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' }).message).toMatch(/^authorizer\.class\.name = "kafka\.security\.authorizer\.AclAuthorizer": unknown authorizer/);
  });

  it('authorizer on a controller: refused where every peer of a controller listener is User:ANONYMOUS unless it is a super user; warned with no super user', () => {
    const authorizer = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };
    const e = configError({ ...authorizer, 'super.users': 'User:CN=node' });
    expect(e.key).toBe('authorizer.class.name');
    expect(e.message).toContain('on controller listener CONTROLLER (PLAINTEXT) every voter and broker is User:ANONYMOUS');
    const warnings: string[] = [];
    expect(parse({ ...authorizer, 'super.users': 'User:ANONYMOUS' }, warnings).authorizer?.superUsers).toEqual(new Set(['User:ANONYMOUS']));
    expect(warnings).toEqual([]);
    // Where peers can prove a name (SSL, client certificates asked for), the check is left to the ACLs and super.users.
    const ssl = {
      'listener.security.protocol.map': 'CONTROLLER:SSL,PLAINTEXT:PLAINTEXT',
      'ssl.keystore.location': KEYSTORE,
      'ssl.truststore.location': KEYSTORE,
    };
    expect(configError({ ...authorizer, ...ssl }).message).toContain('(SSL with ssl.client.auth=none)');
    for (const clientAuth of ['required', 'requested']) {
      const w: string[] = [];
      expect(parse({ ...authorizer, ...ssl, 'ssl.client.auth': clientAuth }, w).authorizer).not.toBeNull();
      expect(w).toEqual([expect.stringMatching(/^authorizer\.class\.name is set on a controller and super\.users is empty/)]);
    }
  });

  it('values are trimmed (as Kafka\'s ConfigDef) and booleans take any letter case', () => {
    const c = parse({ 'node.id': ' 1 ', 'auto.create.topics.enable': 'TRUE', 'unclean.leader.election.enable': 'False ' });
    expect(c.nodeId).toBe(1);
    expect(c.autoCreateTopicsEnable).toBe(true);
    expect(c.controller.uncleanLeaderElectionEnable).toBe(false);
    // Set to false in the file: a static config (STATIC_BROKER_CONFIG), not Kafka's default.
    expect(c.controller.uncleanLeaderElectionEnableSet).toBe(true);
    expect(parse({}).controller.uncleanLeaderElectionEnableSet).toBe(false);
  });

  it('every broker config the file sets is its static level, as written (DescribeConfigs: STATIC_BROKER_CONFIG); a key it leaves out is not', () => {
    const c = parse({ 'unclean.leader.election.enable': 'False ', 'max.connections.per.ip': ' 50', 'node.id': '1' });
    expect(c.controller.staticBrokerConfigs).toEqual(new Map([['max.connections.per.ip', '50'], ['unclean.leader.election.enable', 'False']]));
    expect(parse({}).controller.staticBrokerConfigs).toEqual(new Map());
  });

  it('group.min.session.timeout.ms above group.max.session.timeout.ms: refused naming both', () => {
    const e = configError({ 'group.min.session.timeout.ms': '60000', 'group.max.session.timeout.ms': '30000' });
    expect(e.key).toBe('group.min.session.timeout.ms');
    expect(e.message).toMatch(/group\.max\.session\.timeout\.ms \(30000\)/);
    expect(parse({ 'group.initial.rebalance.delay.ms': '0' }).groups).toEqual({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1800000, initialRebalanceDelayMs: 0, maxGroupSize: 2147483647 });
  });

  it('range edges are accepted: node.id 0 and 2147483647, idle interval 0', () => {
    expect(parse({ 'node.id': '0', 'controller.quorum.voters': '0@h:1' }).nodeId).toBe(0);
    expect(parse({ 'node.id': '2147483647', 'controller.quorum.voters': '2147483647@h:1' }).nodeId).toBe(2 ** 31 - 1);
    expect(parse({ 'metadata.max.idle.interval.ms': '0' }).controller.noOpIntervalMs).toBe(0);
  });
});

describe('required keys', () => {
  for (const key of ['process.roles', 'node.id', 'controller.quorum.voters']) {
    it(`${key} missing is a ConfigError naming it`, () => {
      const e = configError({ [key]: undefined });
      expect(e.key).toBe(key);
      expect(e.message).toMatch(new RegExp(`^${key.replace(/\./g, '\\.')} is required`));
    });
  }

  it('controller.listener.names is required for a controller, defaults to CONTROLLER for a broker', () => {
    expect(configError({ 'controller.listener.names': undefined }).key).toBe('controller.listener.names');
    const broker = parse({
      'process.roles': 'broker',
      'node.id': '4',
      'controller.listener.names': undefined,
      listeners: 'PLAINTEXT://127.0.0.1:9092',
    });
    expect(broker.controllerListenerNames).toEqual(['CONTROLLER']);
  });
});

describe('defaults', () => {
  it('a minimal combined node gets the documented defaults', () => {
    const c = parse({ 'log.dirs': undefined });
    expect(c.processRoles).toEqual(['broker', 'controller']);
    expect(c.logDirs).toEqual(['/tmp/kraft-combined-logs']);
    expect(c.metadataLogDir).toBe('/tmp/kraft-combined-logs');
    expect(c.brokerRack).toBeNull();
    expect(c.raft).toEqual({ electionTimeoutMs: 500, fetchTimeoutMs: 800, electionBackoffMaxMs: 500, requestTimeoutMs: 1500, fetchMaxWaitMs: 250, observerFetchIntervalMs: 40, snapshotsRetained: 2 });
    expect(c.broker).toEqual({ heartbeatIntervalMs: 2000, sessionTimeoutMs: 9000, initialRegistrationTimeoutMs: 60_000, controlledShutdownTimeoutMs: 8000, isrExpansionEnable: true });
    expect(c.autoCreateTopicsEnable).toBe(false);
    expect(c.shutdownTimeoutMs).toBe(10_000);
    // Kafka's default map, SASL included, and the controller listener as PLAINTEXT (Kafka's rule).
    expect([...c.securityProtocolMap]).toEqual([
      ['PLAINTEXT', 'PLAINTEXT'],
      ['SSL', 'SSL'],
      ['SASL_PLAINTEXT', 'SASL_PLAINTEXT'],
      ['SASL_SSL', 'SASL_SSL'],
      ['CONTROLLER', 'PLAINTEXT'],
    ]);
    expect(c.tls.size).toBe(0);
    expect(c.sasl).toEqual({ mechanisms: new Map(), failedAuthenticationDelayMs: 100, maxReceiveBytes: 524288 });
    const { producerIdBlockSize: _a, offsetCommitLingerMs: _b, maxRecordsPerOperation: _c, maxElectionsPerPass: _d, ...kafkaNamed } = defaultControllerConfig;
    expect(c.controller).toEqual({ ...kafkaNamed, uncleanLeaderElectionEnableSet: false, staticBrokerConfigs: new Map() });
  });

  it('listeners defaults to Kafka\'s PLAINTEXT://:9092 (a broker-only node can start from it)', () => {
    const c = parse(BROKER_ONLY);
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', host: '0.0.0.0', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    expect(c.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'node1.example', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  });

  it("broker.id is node.id's synonym, as in Kafka: it gives node.id when node.id is absent, and must equal node.id when both are set", () => {
    const warnings: string[] = [];
    expect(parse({ 'node.id': undefined, 'broker.id': '1' }, warnings).nodeId).toBe(1);
    expect(parse({ 'broker.id': '1' }, warnings).nodeId).toBe(1);
    expect(warnings).toEqual([]);
    const e = configError({ 'broker.id': '2' });
    expect(e.key).toBe('broker.id');
    expect(e.message).toContain('must equal node.id (1)');
    expect(configError({ 'node.id': undefined }).message).toContain('node.id is required');
  });

  it('metadata.log.dir defaults to the first of log.dirs; log.dir is used when log.dirs is absent', () => {
    expect(parse({ 'log.dirs': '/d1, /d2' })).toMatchObject({ logDirs: ['/d1', '/d2'], metadataLogDir: '/d1' });
    expect(parse({ 'log.dirs': '/d1', 'metadata.log.dir': '/meta' })).toMatchObject({ logDirs: ['/d1'], metadataLogDir: '/meta' });
    expect(parse({ 'log.dirs': undefined, 'log.dir': '/one' })).toMatchObject({ logDirs: ['/one'], metadataLogDir: '/one' });
  });

  it('log.dir next to log.dirs is ignored with a warning', () => {
    const warnings: string[] = [];
    expect(parse({ 'log.dir': '/other' }, warnings).logDirs).toEqual(['/var/lib/mq/data']);
    expect(warnings).toEqual(['log.dir is ignored because log.dirs is set']);
  });

  it('the values set reach NodeConfig', () => {
    const c = parse({
      'controller.quorum.election.timeout.ms': '700',
      'controller.quorum.fetch.timeout.ms': '1000',
      'controller.quorum.election.backoff.max.ms': '300',
      'controller.quorum.request.timeout.ms': '2000',
      'metaquorum.quorum.fetch.max.wait.ms': '100',
      'metaquorum.quorum.observer.fetch.interval.ms': '0',
      'metaquorum.snapshots.retained': '3',
      'broker.heartbeat.interval.ms': '500',
      'broker.session.timeout.ms': '3000',
      'initial.broker.registration.timeout.ms': '1000',
      'metaquorum.controlled.shutdown.timeout.ms': '2000',
      'metaquorum.isr.expansion.enable': 'false',
      'metaquorum.shutdown.timeout.ms': '5000',
      'num.partitions': '3',
      'default.replication.factor': '2',
      'auto.leader.rebalance.enable': 'false',
      'leader.imbalance.check.interval.seconds': '10',
      'unclean.leader.election.enable': 'true',
      'metadata.log.max.record.bytes.between.snapshots': '1048576',
      'metadata.log.max.snapshot.interval.ms': '0',
      'metadata.max.idle.interval.ms': '250',
      'offset.metadata.max.bytes': '100',
      'broker.rack': 'rack-a',
      'auto.create.topics.enable': 'true',
    });
    expect(c.raft).toEqual({ electionTimeoutMs: 700, fetchTimeoutMs: 1000, electionBackoffMaxMs: 300, requestTimeoutMs: 2000, fetchMaxWaitMs: 100, observerFetchIntervalMs: 0, snapshotsRetained: 3 });
    expect(c.broker).toEqual({ heartbeatIntervalMs: 500, sessionTimeoutMs: 3000, initialRegistrationTimeoutMs: 1000, controlledShutdownTimeoutMs: 2000, isrExpansionEnable: false });
    expect(c.shutdownTimeoutMs).toBe(5000);
    expect(c.brokerRack).toBe('rack-a');
    expect(c.autoCreateTopicsEnable).toBe(true);
    expect(c.controller).toEqual({
      brokerSessionTimeoutMs: 3000,
      brokerHeartbeatIntervalMs: 500,
      defaultPartitions: 3,
      defaultReplicationFactor: 2,
      noOpIntervalMs: 250,
      autoLeaderRebalanceEnable: false,
      leaderImbalanceCheckIntervalMs: 10_000,
      uncleanLeaderElectionEnable: true,
      uncleanLeaderElectionEnableSet: true,
      staticBrokerConfigs: new Map([['unclean.leader.election.enable', 'true']]),
      snapshotMaxBytes: 1_048_576,
      snapshotMaxIntervalMs: 0,
      offsetMetadataMaxBytes: 100,
    });
  });
});

describe('timeout relations name the keys', () => {
  it('request timeout must exceed the fetch max wait', () => {
    const e = configError({ 'controller.quorum.request.timeout.ms': '250' });
    expect(e.key).toBe('controller.quorum.request.timeout.ms');
    expect(e.message).toContain('metaquorum.quorum.fetch.max.wait.ms');
    expect(configError({ 'metaquorum.quorum.fetch.max.wait.ms': '1500' }).key).toBe('controller.quorum.request.timeout.ms');
  });

  it('fetch timeout must exceed the fetch max wait', () => {
    const e = configError({ 'controller.quorum.fetch.timeout.ms': '200', 'metaquorum.quorum.fetch.max.wait.ms': '200' });
    expect(e.key).toBe('controller.quorum.fetch.timeout.ms');
    expect(e.message).toContain('metaquorum.quorum.fetch.max.wait.ms');
  });

  it('the observer fetch interval must be below the fetch max wait', () => {
    const e = configError({ 'metaquorum.quorum.observer.fetch.interval.ms': '100', 'metaquorum.quorum.fetch.max.wait.ms': '100' });
    expect(e.key).toBe('metaquorum.quorum.observer.fetch.interval.ms');
    expect(e.message).toContain('metaquorum.quorum.fetch.max.wait.ms');
  });

  it('the observer fetch interval left unset gives way to a fetch max wait set at or below its default', () => {
    expect(parse({ 'metaquorum.quorum.fetch.max.wait.ms': '30' }).raft.observerFetchIntervalMs).toBe(29);
    expect(parse({ 'metaquorum.quorum.fetch.max.wait.ms': '41' }).raft.observerFetchIntervalMs).toBe(40);
    expect(parse({ 'metaquorum.quorum.fetch.max.wait.ms': '30', 'metaquorum.quorum.observer.fetch.interval.ms': '10' }).raft.observerFetchIntervalMs).toBe(10);
    expect(configError({ 'metaquorum.quorum.fetch.max.wait.ms': '30', 'metaquorum.quorum.observer.fetch.interval.ms': '30' }).key).toBe('metaquorum.quorum.observer.fetch.interval.ms');
  });

  it('heartbeat interval must be below the session timeout', () => {
    const e = configError({ 'broker.session.timeout.ms': '1000' });
    expect(e.key).toBe('broker.heartbeat.interval.ms');
    expect(e.message).toContain('broker.session.timeout.ms (1000)');
  });

  it('the controlled shutdown must fit in the shutdown timeout', () => {
    const e = configError({ 'metaquorum.shutdown.timeout.ms': '5000' });
    expect(e.key).toBe('metaquorum.controlled.shutdown.timeout.ms');
    expect(e.message).toContain('metaquorum.shutdown.timeout.ms (5000)');
  });
});

describe('unknown keys', () => {
  it('warn one line each, suggesting the closest known key', () => {
    const warnings: string[] = [];
    parse({ 'node.idd': '1', 'controller.quorum.voter': 'x', 'listener.name.controller.ssl.keystore.locaton': '/k', 'something.else.entirely': '1' }, warnings);
    expect(warnings).toEqual([
      'unknown config key "node.idd" (ignored); did you mean "node.id"?',
      'unknown config key "controller.quorum.voter" (ignored); did you mean "controller.quorum.voters"?',
      'unknown config key "listener.name.controller.ssl.keystore.locaton" (ignored); did you mean "listener.name.controller.ssl.keystore.location"?',
      'unknown config key "something.else.entirely" (ignored)',
    ]);
  });

  it('Kafka settings we do not use are called that, not typos', () => {
    const warnings: string[] = [];
    parse({ 'num.io.threads': '8', 'controller.quorum.bootstrap.servers': 'h:9093' }, warnings);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('config key "num.io.threads" is a Kafka setting metaquorum does not use; ignored');
    expect(warnings[1]).toMatch(/controller\.quorum\.bootstrap\.servers.*static voter set/);
  });

  it('known keys produce no warning', () => {
    const warnings: string[] = [];
    parse({ 'broker.rack': 'r1', 'metaquorum.snapshots.retained': '3' }, warnings);
    expect(warnings).toEqual([]);
  });
});

describe('roles, voters and listeners', () => {
  it('process.roles is order-insensitive', () => {
    expect(parse({ 'process.roles': 'controller, broker' }).processRoles).toEqual(['broker', 'controller']);
    expect(parse({ 'process.roles': 'controller', listeners: 'CONTROLLER://:9093' }).processRoles).toEqual(['controller']);
  });

  it('a controller must be in the voter set', () => {
    const e = configError({ 'node.id': '7' });
    expect(e.key).toBe('controller.quorum.voters');
    expect(e.message).toContain('does not include this node\'s node.id 7');
  });

  it('a broker-only node must not be in the voter set', () => {
    const e = configError({ 'process.roles': 'broker', listeners: 'PLAINTEXT://:9092' });
    expect(e.key).toBe('controller.quorum.voters');
    expect(e.message).toContain('a broker-only node must not be a voter');
  });

  it('voters parse with IPv6 hosts and ids are kept in order', () => {
    const c = parse({ 'controller.quorum.voters': '1@[::1]:9093, 2@host-b:9193' });
    expect(c.voters).toEqual([
      { id: 1, host: '::1', port: 9093 },
      { id: 2, host: 'host-b', port: 9193 },
    ]);
  });

  it('a controller must listen on a controller listener', () => {
    const e = configError({ listeners: 'PLAINTEXT://:9092' });
    expect(e.key).toBe('listeners');
    expect(e.message).toContain('controller listener');
  });

  it('a controller listens on every name in controller.listener.names (Kafka: "must only contain values appearing in listeners")', () => {
    // It passed this check with one of two names bound, then `start` failed on the other with
    // "listeners: no listener named CONTROLLER" after format had accepted the file.
    for (const roles of ['controller', 'broker,controller']) {
      const e = configError({
        'process.roles': roles,
        'controller.listener.names': 'CONTROLLER,CONTROLLER2',
        listeners: roles === 'controller' ? 'CONTROLLER2://:9094' : 'PLAINTEXT://:9092,CONTROLLER2://:9094',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CONTROLLER2:PLAINTEXT',
      });
      expect(e.key, roles).toBe('controller.listener.names');
      expect(e.message, roles).toContain('CONTROLLER is not in listeners');
    }
    // A broker-only node only dials the first controller listener: it binds none of them.
    expect(parse({ 'process.roles': 'broker', 'node.id': '4', listeners: 'PLAINTEXT://:9092', 'controller.listener.names': 'CONTROLLER,CONTROLLER2', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CONTROLLER2:PLAINTEXT' }).processRoles).toEqual(['broker']);
  });

  it('a controller-only node listens only on controller listeners', () => {
    const e = configError({ 'process.roles': 'controller' });
    expect(e.key).toBe('listeners');
    expect(e.message).toContain('listener PLAINTEXT is not in controller.listener.names');
  });

  it('a broker-only node must not listen on a controller listener', () => {
    const e = configError({ 'process.roles': 'broker', 'node.id': '4' });
    expect(e.key).toBe('listeners');
    expect(e.message).toContain('listener CONTROLLER is a controller listener');
  });

  it('a broker needs a non-controller listener', () => {
    const e = configError({ listeners: 'CONTROLLER://:9093' });
    expect(e.key).toBe('listeners');
    expect(e.message).toContain('a broker needs a listener that is not a controller listener');
  });

  it('listener names are case-insensitive and an empty host is 0.0.0.0; port 0 may repeat', () => {
    const c = parse({ listeners: 'plaintext://:0,controller://[::1]:0', 'advertised.listeners': 'PLAINTEXT://broker1:9092' });
    expect(c.listeners).toEqual([
      { name: 'PLAINTEXT', host: '0.0.0.0', port: 0, securityProtocol: 'PLAINTEXT' },
      { name: 'CONTROLLER', host: '::1', port: 0, securityProtocol: 'PLAINTEXT' },
    ]);
  });

  it('every listener must be in the security protocol map, which names the listener', () => {
    const e = configError({ listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093,INTERNAL://:9094' });
    expect(e.key).toBe('listener.security.protocol.map');
    expect(e.message).toContain('does not map listener INTERNAL (from listeners)');
    const ok = parse({ listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093,INTERNAL://:9094', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,internal:plaintext' });
    expect(ok.listeners.map((l) => l.name)).toEqual(['PLAINTEXT', 'CONTROLLER', 'INTERNAL']);
  });

  it("SASL protocols are accepted in the map whether in use or not (Kafka's sample server.properties lists them); a broker listener may use them, a controller listener may not", () => {
    // Kafka's sample KRaft file (found by a review: it was refused with exit 2).
    const map = 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL';
    expect(parse({ 'listener.security.protocol.map': map }).listeners.map((l) => `${l.name}:${l.securityProtocol}`)).toEqual(['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT']);
    const sasl = parse({ 'listener.security.protocol.map': map.replace('PLAINTEXT:PLAINTEXT', 'PLAINTEXT:SASL_PLAINTEXT') });
    expect(sasl.listeners.map((l) => `${l.name}:${l.securityProtocol}`)).toEqual(['PLAINTEXT:SASL_PLAINTEXT', 'CONTROLLER:PLAINTEXT']);
    const e = configError({ 'listener.security.protocol.map': map.replace('CONTROLLER:PLAINTEXT', 'CONTROLLER:SASL_SSL') });
    expect(e.key).toBe('listener.security.protocol.map');
    expect(e.message).toContain('maps controller listener CONTROLLER to SASL_SSL: a controller listener is PLAINTEXT or SSL (nodes authenticate with mutual TLS)');
    expect(configError({ 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:KERBEROS' }).message).toContain('security protocol "KERBEROS" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL');
  });

  it('a SASL listener offers sasl.enabled.mechanisms (default both SCRAM mechanisms), or its own listener.name.<x>.sasl.enabled.mechanisms; other mechanisms exit 2 naming the key', () => {
    const map = { 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CLIENT:SASL_PLAINTEXT,SECURE:SASL_SSL' };
    const listeners = 'PLAINTEXT://:9092,CONTROLLER://:9093,CLIENT://:9094,SECURE://:9095';
    const base = { ...map, listeners, 'listener.name.secure.ssl.keystore.location': KEYSTORE };
    const defaults = parse(base);
    expect([...defaults.sasl.mechanisms]).toEqual([
      ['CLIENT', ['SCRAM-SHA-256', 'SCRAM-SHA-512']],
      ['SECURE', ['SCRAM-SHA-256', 'SCRAM-SHA-512']],
    ]);
    expect(defaults.sasl.failedAuthenticationDelayMs).toBe(100);
    expect(defaults.sasl.maxReceiveBytes).toBe(524288);
    // SASL_SSL is TLS: it takes the listener's ssl.* keys (a keystore is required).
    expect(defaults.tls.has('SECURE')).toBe(true);
    expect(defaults.tls.has('CLIENT')).toBe(false);
    expect(configError({ ...map, listeners }).message).toContain('listener SECURE uses SASL_SSL but has no keystore');

    const own = parse({ ...base, 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'listener.name.client.sasl.enabled.mechanisms': 'SCRAM-SHA-256' });
    expect([...own.sasl.mechanisms]).toEqual([
      ['CLIENT', ['SCRAM-SHA-256']],
      ['SECURE', ['SCRAM-SHA-512']],
    ]);
    for (const [value, message] of [
      ['PLAIN', 'mechanism PLAIN is not offered; only SCRAM-SHA-256 and SCRAM-SHA-512'],
      ['GSSAPI,SCRAM-SHA-256', 'mechanism GSSAPI is not offered'],
      ['scram-sha-256', 'mechanism names are upper case: SCRAM-SHA-256'],
      [' , ', 'must be one or more of SCRAM-SHA-256, SCRAM-SHA-512'],
    ] as const) {
      const e = configError({ ...base, 'sasl.enabled.mechanisms': value });
      expect(e.key).toBe('sasl.enabled.mechanisms');
      expect(e.message).toContain(message);
      const perListener = configError({ ...base, 'listener.name.client.sasl.enabled.mechanisms': value });
      expect(perListener.key).toBe('listener.name.client.sasl.enabled.mechanisms');
    }
    expect(parse({ ...base, 'connection.failed.authentication.delay.ms': '0', 'sasl.server.max.receive.size': '4096' }).sasl).toMatchObject({ failedAuthenticationDelayMs: 0, maxReceiveBytes: 4096 });
    expect(configError({ ...base, 'sasl.server.max.receive.size': '0' }).key).toBe('sasl.server.max.receive.size');
    // Kafka's rule: the held answer must leave before connections.max.idle.ms closes the connection.
    expect(parse({ ...base, 'connection.failed.authentication.delay.ms': '599999' }).sasl.failedAuthenticationDelayMs).toBe(599_999);
    expect(configError({ ...base, 'connection.failed.authentication.delay.ms': '600000' }).message).toContain('less than connections.max.idle.ms, 600000');

    // A per-listener key for a listener that is not SASL here is warned about, not silently unused.
    const warnings: string[] = [];
    const plain = parse({ 'listener.name.plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-256' }, warnings);
    expect(plain.sasl.mechanisms.size).toBe(0);
    expect(warnings).toContain('listener.name.plaintext.sasl.enabled.mechanisms: this node has no SASL_PLAINTEXT or SASL_SSL broker listener named PLAINTEXT; ignored');
  });

  it("Kafka's SASL login keys (JAAS, the inter-broker mechanism) are ignored with a reason, not reported as typos", () => {
    const warnings: string[] = [];
    parse({ 'listener.name.client.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;', 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512' }, warnings);
    expect(warnings.some((w) => w.includes('"listener.name.client.scram-sha-256.sasl.jaas.config" is a Kafka JAAS login setting metaquorum does not use; ignored'))).toBe(true);
    expect(warnings.some((w) => w.includes('"sasl.mechanism.inter.broker.protocol" is a Kafka setting metaquorum does not use; ignored'))).toBe(true);
  });

  it('a controller listener name must be mapped even on a broker-only node', () => {
    const e = configError({
      'process.roles': 'broker',
      'node.id': '4',
      listeners: 'PLAINTEXT://:9092',
      'controller.listener.names': 'CTRL',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT',
    });
    expect(e.key).toBe('listener.security.protocol.map');
    expect(e.message).toContain('CTRL (from controller.listener.names)');
  });

  it("without listener.security.protocol.map, controller listeners of any name are PLAINTEXT unless SSL or SASL is in use (Kafka's effectiveListenerSecurityProtocolMap)", () => {
    // Kafka starts these; CTRL was refused as unmapped (found by a review).
    const combined = parse({ listeners: 'PLAINTEXT://:9092,CTRL://:9093', 'controller.listener.names': 'CTRL' });
    expect(combined.listeners.map((l) => `${l.name}:${l.securityProtocol}`)).toEqual(['PLAINTEXT:PLAINTEXT', 'CTRL:PLAINTEXT']);
    expect(parse({ 'process.roles': 'broker', 'node.id': '4', listeners: 'PLAINTEXT://:9092', 'controller.listener.names': 'CTRL' }).securityProtocolMap.get('CTRL')).toBe('PLAINTEXT');
    // A listener named SSL in use: Kafka adds no mapping, the operator says what the controller listener is.
    const e = configError({ listeners: 'SSL://:9094,CONTROLLER://:9093', 'listener.name.ssl.ssl.keystore.location': KEYSTORE });
    expect(e.key).toBe('listener.security.protocol.map');
    expect(e.message).toContain('does not map listener CONTROLLER (from controller.listener.names)');
    // An explicit map is taken as written.
    expect(configError({ listeners: 'PLAINTEXT://:9092,CTRL://:9093', 'controller.listener.names': 'CTRL', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT' }).message).toContain('does not map listener CTRL');
  });

  it("a controller whose voters entry names a port none of its controller listeners listens on is warned about (others dial that port); a matching one, or a port-0 listener, is not", () => {
    const warnings: string[] = [];
    parse({ listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9094' }, warnings);
    expect(warnings).toEqual([
      'controller.quorum.voters gives this node (1) port 9093, but its controller listener(s) listen on 9094: the other voters and the brokers dial the voters entry; unless a port mapping forwards it, fix one or the other',
    ]);
    const none: string[] = [];
    parse({}, none);
    parse({ listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:0' }, none);
    parse({ 'process.roles': 'broker', 'node.id': '4', listeners: 'PLAINTEXT://127.0.0.1:9093' }, none);
    expect(none).toEqual([]);
  });
});

describe('advertised listeners', () => {
  it('default to listeners minus controller listeners, with an empty host advertised as the host name', () => {
    const c = parse({ listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093' });
    expect(c.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'node1.example', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  });

  it('an explicit 0.0.0.0 in listeners cannot be the default advertised address', () => {
    const e = configError({ listeners: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093' });
    expect(e.key).toBe('advertised.listeners');
    expect(e.message).toContain('advertised.listeners (defaulting to listeners) = "PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093"');
    expect(e.message).toContain('0.0.0.0 cannot be advertised');
    const ok = parse({ listeners: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093', 'advertised.listeners': 'PLAINTEXT://b1.example:19092' });
    expect(ok.advertisedListeners).toEqual([{ name: 'PLAINTEXT', host: 'b1.example', port: 19092, securityProtocol: 'PLAINTEXT' }]);
  });

  it('must name listeners from listeners', () => {
    const e = configError({ 'advertised.listeners': 'OTHER://h:1' });
    expect(e.message).toContain('listener OTHER is not in listeners');
  });

  it('a controller listener in advertised.listeners is dropped with a warning', () => {
    const warnings: string[] = [];
    const c = parse({ 'advertised.listeners': 'PLAINTEXT://b1:9092,CONTROLLER://b1:9093' }, warnings);
    expect(c.advertisedListeners.map((l) => l.name)).toEqual(['PLAINTEXT']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('controller listener CONTROLLER is not advertised');
  });

  it('a broker must advertise something', () => {
    const e = configError({ 'advertised.listeners': 'CONTROLLER://b1:9093' });
    expect(e.key).toBe('advertised.listeners');
    expect(e.message).toContain('a broker must advertise at least one listener');
  });

  it('a controller-only node advertises nothing, and needs nothing advertised', () => {
    const c = parse({ 'process.roles': 'controller', listeners: 'CONTROLLER://:9093' });
    expect(c.advertisedListeners).toEqual([]);
  });
});

describe('SSL listeners', () => {
  const ssl = { listeners: 'SSL://:9094,CONTROLLER://:9093', 'listener.security.protocol.map': 'SSL:SSL,CONTROLLER:SSL' };

  it('an SSL listener without a keystore is a ConfigError naming ssl.keystore.location', () => {
    const e = configError(ssl);
    expect(e.key).toBe('ssl.keystore.location');
    expect(e.message).toContain('listener.name.ssl.ssl.keystore.location');
    expect(e.message).toMatch(/^listener (SSL|CONTROLLER) uses SSL but has no keystore/);
  });

  it('the global ssl.* keys apply to every SSL listener', () => {
    const c = parse({ ...ssl, 'ssl.keystore.location': '/pki/node.pem', 'ssl.truststore.location': '/pki/ca.pem', 'ssl.client.auth': 'required' });
    const expected = { keystoreLocation: '/pki/node.pem', truststoreLocation: '/pki/ca.pem', clientAuth: 'required', verifyHostname: true };
    expect(Object.fromEntries(c.tls)).toEqual({ SSL: expected, CONTROLLER: expected });
    expect(c.listeners.map((l) => l.securityProtocol)).toEqual(['SSL', 'SSL']);
  });

  it('listener.name.<lowercase name>.ssl.* overrides one key for one listener', () => {
    const c = parse({
      ...ssl,
      'ssl.keystore.location': '/pki/node.pem',
      'ssl.truststore.location': '/pki/ca.pem',
      'listener.name.controller.ssl.keystore.location': '/pki/controller.pem',
      'listener.name.controller.ssl.client.auth': 'required',
      'listener.name.ssl.ssl.endpoint.identification.algorithm': '',
    });
    expect(c.tls.get('CONTROLLER')).toEqual({ keystoreLocation: '/pki/controller.pem', keystoreKey: 'listener.name.controller.ssl.keystore.location', truststoreLocation: '/pki/ca.pem', clientAuth: 'required', verifyHostname: true });
    expect(c.tls.get('SSL')).toEqual({ keystoreLocation: '/pki/node.pem', truststoreLocation: '/pki/ca.pem', clientAuth: 'none', verifyHostname: false });
  });

  it('per-listener keystores alone are enough', () => {
    const c = parse({ ...ssl, 'listener.name.ssl.ssl.keystore.location': '/a.pem', 'listener.name.controller.ssl.keystore.location': '/b.pem' });
    expect(c.tls.get('SSL')?.keystoreLocation).toBe('/a.pem');
    expect(c.tls.get('CONTROLLER')?.keystoreLocation).toBe('/b.pem');
  });

  it('a bad per-listener value is a ConfigError naming the per-listener key', () => {
    for (const [key, value] of [
      ['listener.name.ssl.ssl.client.auth', 'always'],
      ['listener.name.controller.ssl.keystore.type', 'JKS'],
      ['listener.name.ssl.ssl.endpoint.identification.algorithm', 'ftp'],
    ] as const) {
      const e = configError({ ...ssl, 'ssl.keystore.location': '/k.pem', [key]: value });
      expect(e.key).toBe(key);
      expect(e.message).toMatch(new RegExp(`^${key.replace(/\./g, '\\.')} = "${value}": must be`));
    }
  });

  it('per-listener keys are checked even on a listener that is not SSL (and then warned about)', () => {
    expect(configError({ 'listener.name.plaintext.ssl.client.auth': 'maybe' }).key).toBe('listener.name.plaintext.ssl.client.auth');
    const warnings: string[] = [];
    parse({ 'listener.name.plaintext.ssl.client.auth': 'required' }, warnings);
    expect(warnings).toEqual(['listener.name.plaintext.ssl.client.auth: listener PLAINTEXT uses PLAINTEXT, not SSL or SASL_SSL; ignored']);
  });

  it('an upper-case listener name in a per-listener key is not applied (Kafka\'s rule) and is warned about', () => {
    const warnings: string[] = [];
    const e = (() => {
      try {
        parse({ ...ssl, 'listener.name.SSL.ssl.keystore.location': '/a.pem', 'listener.name.controller.ssl.keystore.location': '/b.pem' }, warnings);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e.key).toBe('ssl.keystore.location');
    expect(e.message).toContain('listener SSL uses SSL but has no keystore');
    expect(warnings[0]).toContain('did you mean "listener.name.ssl.ssl.keystore.location"?');
  });

  it('a per-listener key for a listener that does not exist is warned about', () => {
    const warnings: string[] = [];
    parse({ 'listener.name.internal.ssl.keystore.location': '/x.pem' }, warnings);
    expect(warnings).toEqual(['listener.name.internal.ssl.keystore.location: there is no listener named INTERNAL; ignored']);
  });

  it('a broker-only node may reach an SSL controller listener without a keystore of its own', () => {
    const c = parse({
      'process.roles': 'broker',
      'node.id': '4',
      listeners: 'PLAINTEXT://:9092',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL',
      'ssl.truststore.location': '/pki/ca.pem',
    });
    expect(c.tls.get('CONTROLLER')).toEqual({ keystoreLocation: null, truststoreLocation: '/pki/ca.pem', clientAuth: 'none', verifyHostname: true });
    expect(c.tls.has('PLAINTEXT')).toBe(false);
  });

  it('an unusable PEM file set by a per-listener key is a ConfigError naming that key, not the plain ssl.* one', async () => {
    // The operator wrote listener.name.controller.ssl.keystore.location; the message named
    // ssl.keystore.location, a key that is not in their file (or that points somewhere else).
    const dir = await mkdtemp(join(tmpdir(), 'mq-config-pem-'));
    try {
      const garbage = join(dir, 'garbage.pem');
      await writeFile(garbage, 'not PEM\n');
      const c = parse({
        ...ssl,
        'ssl.keystore.location': garbage,
        'listener.name.controller.ssl.keystore.location': join(dir, 'missing.pem'),
        'listener.name.controller.ssl.truststore.location': garbage,
      });
      const failure = async (p: Promise<unknown>): Promise<ConfigError> => {
        const e = await p.then(() => undefined, (err: unknown) => err);
        if (!(e instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(e)}`);
        return e;
      };
      const keystore = await failure(serverTlsMaterial(c.tls.get('CONTROLLER')!));
      expect(keystore.key).toBe('listener.name.controller.ssl.keystore.location');
      expect(keystore.message).toMatch(/^listener\.name\.controller\.ssl\.keystore\.location = ".*missing\.pem": cannot be read \(ENOENT\)/);
      const truststore = await failure(clientTlsMaterial({ ...c.tls.get('CONTROLLER')!, keystoreLocation: null }));
      expect(truststore.key).toBe('listener.name.controller.ssl.truststore.location');
      expect(truststore.message).toMatch(/^listener\.name\.controller\.ssl\.truststore\.location = ".*garbage\.pem": holds no PEM certificate/);
      // The plain key is still named when it is the one in use.
      const global = await failure(serverTlsMaterial(c.tls.get('SSL')!));
      expect(global.key).toBe('ssl.keystore.location');
      expect(global.message).toMatch(/^ssl\.keystore\.location = ".*garbage\.pem": not a usable PEM keystore/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an encrypted private key (PKCS#8 or traditional) is opened with ssl.key.password; without it or with a wrong one, a ConfigError names that key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-config-keypass-'));
    try {
      const pki = makePki(dir);
      const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      openssl('pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', 'server.key', '-out', 'pkcs8.key', '-passout', 'pass:s3cret');
      openssl('ec', '-aes256', '-in', 'server.key', '-out', 'traditional.key', '-passout', 'pass:s3cret');
      const truststore = join(dir, 'ca.crt');
      for (const form of ['pkcs8', 'traditional']) {
        const keystore = join(dir, `${form}.pem`);
        await writeFile(keystore, readFileSync(join(dir, `${form}.key`), 'utf8') + pki.serverCertPem);
        const listener = (extra: Record<string, string>) => parse({ ...ssl, 'ssl.keystore.location': keystore, 'ssl.truststore.location': truststore, ...extra }).tls.get('SSL')!;
        const refusal = async (extra: Record<string, string>): Promise<ConfigError> => {
          const e = await serverTlsMaterial(listener(extra)).then(() => undefined, (err: unknown) => err);
          if (!(e instanceof ConfigError)) throw new Error(`${form}: expected a ConfigError, got ${String(e)}`);
          return e;
        };
        const missing = await refusal({});
        expect(missing.key, form).toBe('ssl.key.password');
        expect(missing.message, form).toMatch(/its private key is encrypted; set ssl\.key\.password/);
        const wrong = await refusal({ 'listener.name.ssl.ssl.key.password': 'wrong' });
        expect(wrong.key, form).toBe('listener.name.ssl.ssl.key.password');
        expect(wrong.message, form).not.toContain('wrong'); // the password itself is never echoed
        // The right one: a TLS client that trusts the CA completes a handshake with the decrypted key.
        const material = await serverTlsMaterial(listener({ 'ssl.key.password': 's3cret' }));
        expect(material.keyPem, form).toMatch(/^-----BEGIN PRIVATE KEY-----/);
        const server = tls.createServer(serverTlsOptions('SSL', material, 5_000), (socket) => socket.end());
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const port = (server.address() as AddressInfo).port;
          await new Promise<void>((resolve, reject) => {
            const client = tls.connect(clientTlsOptions({ host: '127.0.0.1', port }, { caPem: pki.caPem }), () => {
              client.destroy();
              resolve();
            });
            client.once('error', reject);
          });
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ssl.client.auth and the keystore type take any letter case', () => {
    const c = parse({ ...ssl, 'ssl.keystore.location': '/k.pem', 'ssl.client.auth': 'REQUESTED', 'ssl.keystore.type': 'pem' });
    expect(c.tls.get('SSL')?.clientAuth).toBe('requested');
  });
});

describe('loadServerConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mq-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fileText = Object.entries(BASE)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

  it('reads the file and applies --override key=value entries, later ones winning', async () => {
    const path = join(dir, 'a.properties');
    await writeFile(path, `# a node\n${fileText}\nnum.partitions=2\n`);
    const c = await loadServerConfig(path, ['num.partitions=5', 'broker.rack=r1', 'broker.rack = r2', 'metaquorum.snapshots.retained=4'], () => {});
    expect(c.controller.defaultPartitions).toBe(5);
    expect(c.brokerRack).toBe('r2');
    expect(c.raft.snapshotsRetained).toBe(4);
  });

  it('an override value may contain "="', async () => {
    const path = join(dir, 'b.properties');
    await writeFile(path, fileText);
    const c = await loadServerConfig(path, ['listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093', 'broker.rack=a=b'], () => {});
    expect(c.brokerRack).toBe('a=b');
  });

  it('a malformed override is a ConfigError', async () => {
    const path = join(dir, 'c.properties');
    await writeFile(path, fileText);
    for (const bad of ['num.partitions', '=5', '  =5']) {
      const e = await loadServerConfig(path, [bad], () => {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain(`--override ${JSON.stringify(bad)}: expected key=value`);
    }
  });

  it('an override is validated like the file', async () => {
    const path = join(dir, 'd.properties');
    await writeFile(path, fileText);
    const e = await loadServerConfig(path, ['node.id=x'], () => {}).catch((x: unknown) => x);
    expect((e as ConfigError).key).toBe('node.id');
  });

  it('a missing or unreadable file is a ConfigError naming the path', async () => {
    const missing = join(dir, 'nope.properties');
    const e = await loadServerConfig(missing, [], () => {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(2);
    expect((e as ConfigError).message).toBe(`cannot read config file ${missing}: no such file`);
    const asDir = await loadServerConfig(dir, [], () => {}).catch((x: unknown) => x);
    expect((asDir as ConfigError).message).toContain(dir);
  });

  it('duplicate keys in the file are warned about; a syntax error names the file and line', async () => {
    const path = join(dir, 'e.properties');
    await writeFile(path, `${fileText}\nnum.partitions=2\nnum.partitions=3\n`);
    const warnings: string[] = [];
    const c = await loadServerConfig(path, [], (m) => warnings.push(m));
    expect(c.controller.defaultPartitions).toBe(3);
    expect(warnings).toEqual([`config file ${path}: num.partitions is set on lines 7, 8; the last one (line 8) is used`]);
    const bad = join(dir, 'f.properties');
    await writeFile(bad, `${fileText}\nbroker.rack=\\uZZZZ\n`);
    const e = await loadServerConfig(bad, [], () => {}).catch((x: unknown) => x);
    expect((e as ConfigError).message).toMatch(new RegExp(`^config file ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, line 7: malformed`));
  });
});

describe('handing the config to the runtime', () => {
  it('toRaftConfigOverrides and raftConfigFrom carry the quorum timeouts and the voter ids', () => {
    const c = parse({ 'controller.quorum.election.timeout.ms': '600' });
    expect(toRaftConfigOverrides(c)).toEqual({ electionTimeoutMs: 600, fetchTimeoutMs: 800, electionBackoffMaxMs: 500, requestTimeoutMs: 1500, fetchMaxWaitMs: 250, observerFetchIntervalMs: 40, snapshotsRetained: 2 });
    const raft = raftConfigFrom(c);
    expect(raft.nodeId).toBe(1);
    expect(raft.voters).toEqual([1, 2, 3]);
    expect(raft.electionTimeoutMs).toBe(600);
  });

  it('controllerConfigFrom fills in the cluster id and the settings without a Kafka key', () => {
    const cc = controllerConfigFrom(parse({ 'num.partitions': '6' }), 'MkU3OEVBNTcwNTJENDM2Qg');
    expect(cc.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qg');
    expect(cc.defaultPartitions).toBe(6);
    expect(cc.producerIdBlockSize).toBe(defaultControllerConfig.producerIdBlockSize);
  });

  it('controllerConfigFrom turns the controller\'s own check into a ConfigError naming the key', () => {
    const c = parse();
    const broken: NodeConfig = { ...c, controller: { ...c.controller, defaultPartitions: 0 } };
    const e = (() => {
      try {
        controllerConfigFrom(broken, 'MkU3OEVBNTcwNTJENDM2Qg');
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.key).toBe('num.partitions');
  });
});

describe('configuration reference', () => {
  it('a markdown table with a row for every key, its default and its meaning', () => {
    const md = configReferenceMarkdown();
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| key | default | meaning |');
    for (const k of SERVER_CONFIG_KEYS) {
      const row = lines.find((l) => l.startsWith(`| \`${k.name}\` |`));
      expect(row, k.name).toBeDefined();
      expect(row!.split(' | ')).toHaveLength(3);
    }
    expect(md).toContain('| `controller.quorum.election.timeout.ms` | `500` |');
    expect(md).toContain('| `node.id` | (required) |');
    expect(md).toContain('`listener.name.<listener>.ssl.*`');
    expect(md).toContain('`listener.name.<listener>.sasl.enabled.mechanisms`');
    expect(lines).toHaveLength(SERVER_CONFIG_KEYS.length + 5);
  });

  it('every key has a doc string, and the quorum timeouts say why they are faster than Kafka', () => {
    for (const k of SERVER_CONFIG_KEYS) expect(k.doc.length, k.name).toBeGreaterThan(10);
    const election = SERVER_CONFIG_KEYS.find((k) => k.name === 'controller.quorum.election.timeout.ms')!;
    expect(election.doc).toMatch(/pre-vote/i);
    expect(election.doc).toMatch(/check-quorum/i);
  });
});
