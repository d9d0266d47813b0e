// The broker role of a node process: follows the metadata log (as a Raft observer with its own
// copy on disk in split mode; through its controller's loader in combined mode), keeps the image,
// registers and heartbeats with the active controller, and serves its client listeners.
//
//   start(): [split] open storage -> restore (load the local snapshot, replay the local tail)
//            -> fetch from the quorum as an observer
//            -> bind the client listeners (a port in use fails here)
//            -> register and heartbeat (lifecycle.ts)
//   stop():  controlled shutdown (bounded: leadership moves off first) -> write a local snapshot
//            -> close listeners -> [split] stop the observer and close storage
//
// Client listeners answer the internal RPCs (rpc-methods.ts): reads from this broker's own image,
// writes forwarded to the active controller; Kafka clients on the same port are served by
// ./kafka/ (the first bytes tell the two protocols apart). Every client listener counts its
// connections against one ConnectionQuotas (max.connections.per.ip, its overrides, max.connections),
// so the limits span the listeners as Kafka's do; the first and last may also be set as dynamic
// broker configs, applied from each new image, and the ip client quotas' connection_creation_rate
// (KIP-612) from each image whose client quotas changed (./dynamic-connection-limits.ts). The
// controller listener is the controller's, never counted here.

import { randomUUID } from 'node:crypto';
import type { Clock, Logger, NodeEnv, Random } from '../quorum/env/index.js';
import { describeConfigs } from '../quorum/controller/configs/describe-configs.js';
import type { ReadOnlyBrokerConfig } from '../quorum/controller/configs/config-schema.js';
import type { OwnConfigLevels } from './kafka/handlers/context.js';
import { describeFeatures, supportedFeatures } from '../quorum/controller/configs/features.js';
import { describeClientQuotas } from '../quorum/controller/configs/client-quotas.js';
import { describeUserScramCredentials } from '../quorum/controller/configs/scram-credentials.js';
import { ConnectionQuotas, NO_CONNECTION_LIMITS, type ConnectionLimits, type IpConnectionRateQuotas } from '../quorum/net/connection-quotas.js';
import { dynamicConnectionLimits, ipConnectionRateQuotas } from './dynamic-connection-limits.js';
import { dynamicTlsSettings, sameTlsSettings, tlsSettingsText, type DynamicTlsSettings } from './dynamic-tls.js';
import type { MetadataImageView } from '../metadata-log/image-types.js';
import { NetServer } from '../quorum/net/server.js';
import { TcpRaftTransport } from '../quorum/net/tcp-raft-transport.js';
import { RemoteError, usesSasl, usesTls } from '../quorum/net/types.js';
import { RefusalWarnings } from '../quorum/net/refusal-warnings.js';
import { internalProtocolSasl, type KafkaSaslOptions, type SaslSettings } from './kafka/sasl/sasl-session.js';
import type { Endpoint as NetEndpoint, ListenerSpec, PeerChannel, PeerIdentity, TlsMaterial } from '../quorum/net/types.js';
import { openMetadataStorage, type MetadataStorage } from '../quorum/node/layout.js';
import { raftConfig, type RaftConfig } from '../quorum/raft/config.js';
import { RaftNode } from '../quorum/runtime/raft-node.js';
import { ControllerChannel, type VoterEndpoint } from '../quorum/server/controller-channel.js';
import { requestObject, unknownMethod } from '../quorum/server/controller-server.js';
import { describeAcls, describeGroups, describeTopics, exportMetadata } from '../quorum/server/image-reads.js';
import { toRemoteError } from '../quorum/server/remote-errors.js';
import { ErrorCode } from '../quorum/controller/errors.js';
import { CONTROLLER_METHODS, type DescribeNodeResponse, type RpcMethod } from '../quorum/server/rpc-methods.js';
import type { Endpoint } from '../metadata-log/records/types.js';
import type { MetadataImage } from '../metadata-log/image.js';
import { uuidFromBytes } from '../metadata-log/records/uuid.js';
import type { SnapshotPolicy } from '../metadata-log/snapshot-scheduler.js';
import { BrokerLifecycleManager, type BrokerState } from './lifecycle.js';
import type { KafkaContext } from './kafka/handlers/context.js';
import { StandardAuthorizer, type AuthorizerConfig, type Session } from '../quorum/controller/acls/authorizer.js';
import { RpcAuthorization, sessionOf } from '../quorum/server/rpc-authorization.js';
import { principalOfSocket } from '../quorum/net/principal.js';
import { serveKafkaConnection } from './kafka/kafka-connection.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type GroupCoordinatorConfig } from './kafka/groups/group-coordinator.js';
import { DEFAULT_OFFSET_RETENTION, OffsetExpirer, type OffsetRetention } from './offset-expirer.js';
import { coordinatedThroughout } from '../metadata-log/group-ownership.js';
import { ControllerGroupStore } from './group-store.js';
import { ImageWatch } from './image-watch.js';
import { brokerCollector, KafkaMetrics, type BrokerMetricsSource } from './broker-metrics.js';
import { raftCollector } from '../quorum/metrics/raft-metrics.js';
import { Histogram, type Collector } from '../quorum/metrics/registry.js';
import { IsrExpander } from './isr-expander.js';
import { MetadataFollower, type MetadataSource } from './metadata-follower.js';

/** How long a Kafka admin request forwarded to the controller may take, failover retries included (kafkajs waits 30 s). */
const KAFKA_FORWARD_TIMEOUT_MS = 25_000;
/**
 * How long past the controlled shutdown's bound (8 s by default) the shutdown snapshot may still be
 * encoding: with the process's 10 s bound, a second is left to write it and close.
 */
const SHUTDOWN_SNAPSHOT_MS = 1_000;
/**
 * How long a read through the client listener (describeTopics, describeConfigs) waits for this
 * broker to catch up with the metadata log before it is refused: until then its image is the
 * local snapshot's (stale) or empty, and an answer from it would say a topic does not exist.
 */
export const READ_CATCH_UP_WAIT_MS = 5_000;

export interface BrokerServerOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly voters: readonly VoterEndpoint[];
  readonly rack: string | null;
  /** The client listeners to bind (TLS material loaded). */
  readonly listeners: readonly ListenerSpec[];
  /**
   * Reads an SSL client listener's TLS material again with this broker's dynamic ssl.* settings
   * over its static ones (./dynamic-tls.ts); rejects with why it cannot. Absent: dynamic ssl.*
   * configs are not applied (tests).
   */
  readonly reloadTls?: (listenerName: string, settings: DynamicTlsSettings) => Promise<TlsMaterial>;
  /** What to register: by listener name; a listener bound to port 0 advertises its real port. */
  readonly advertised: readonly Endpoint[];
  /** TLS for connecting to the controllers' listener. */
  readonly controllerTls?: TlsMaterial;
  readonly heartbeatIntervalMs: number;
  readonly initialRegistrationTimeoutMs: number;
  readonly controlledShutdownTimeoutMs: number;
  /** metaquorum.isr.expansion.enable (default true): see ./isr-expander.ts. */
  readonly isrExpansionEnable?: boolean;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly roles: readonly ('broker' | 'controller')[];
  readonly onFatal: (error: unknown) => void;
  /** auto.create.topics.enable: Metadata for an unknown topic creates it (when the client allows). */
  readonly autoCreateTopicsEnable?: boolean;
  /** authorizer.class.name set (super.users, allow.everyone.if.no.acl.found); absent: no authorization. */
  readonly authorizer?: AuthorizerConfig;
  /** The mechanisms of each SASL_PLAINTEXT or SASL_SSL listener and the bounds of an exchange (absent: no SASL listener may be bound). */
  readonly sasl?: SaslSettings;
  /** group.*: the consumer-group coordinator's limits (Kafka's defaults when left out). */
  readonly groups?: GroupCoordinatorConfig;
  /** offsets.retention.*: when the groups this broker coordinates lose their offsets (Kafka's defaults when left out). */
  readonly offsetRetention?: OffsetRetention;
  /**
   * This node's static values of broker keys (server.properties; unclean.leader.election.enable),
   * which DescribeConfigs reports as STATIC_BROKER_CONFIG, as the controller does with its own.
   */
  readonly staticConfigs?: ReadonlyMap<string, string>;
  /** This node's read-only broker configs (server.properties keys read at start), which DescribeConfigs of this broker lists. */
  readonly readOnlyConfigs?: ReadonlyMap<string, ReadOnlyBrokerConfig>;
  /**
   * max.connections.per.ip (overrides resolved to addresses) and max.connections; no static limits
   * when left out (the dynamic ones and the ip connection rate quotas in the image still apply).
   */
  readonly connectionLimits?: ConnectionLimits;
  /** How long a read waits for the broker to catch up (default READ_CATCH_UP_WAIT_MS). */
  readonly readCatchUpWaitMs?: number;
  /** Split mode: the observer's storage and Raft settings. */
  readonly split?: { readonly metadataLogDir: string; readonly raft: Partial<RaftConfig>; readonly snapshots: SnapshotPolicy };
  /** Combined mode: the process's controller, whose log this broker follows. */
  readonly combined?: { readonly source: MetadataSource; readonly activeControllerId: () => number | null };
}

interface SplitParts {
  readonly raft: RaftNode;
  readonly follower: MetadataFollower;
  readonly transport: TcpRaftTransport;
  readonly storage: MetadataStorage;
}

export class BrokerServer {
  private servers: NetServer[] = [];
  /** Kafka connections and request times, and (split mode) the log's fdatasync times, for `GET /metrics`. */
  private readonly kafkaMetrics = new KafkaMetrics();
  private readonly fsyncTimes = new Histogram();
  private lifecycleManager: BrokerLifecycleManager | undefined;
  /** The internal RPC's ACL checks, with an authorizer (set when the listeners are bound). */
  private rpcAuthorization: RpcAuthorization | undefined;
  private stopped = false;
  /** Membership of the consumer groups this broker coordinates (Kafka clients' JoinGroup etc.). */
  readonly groupCoordinator: GroupCoordinator;
  private readonly stopFollowingGroups: () => void;
  private readonly imageWatch: ImageWatch;
  /** The client listeners' connection limits and ip connection rate quotas, shared by them all. */
  private readonly connectionQuotas: ConnectionQuotas;
  /** Stops applying dynamic connection limits from the image (set while the listeners are bound). */
  private stopApplyingConnectionLimits: (() => void) | undefined;
  /** Stops applying dynamic ssl.* configs from the image (set while the listeners are bound). */
  private stopFollowingTls: (() => void) | undefined;
  private isrExpander: IsrExpander | null = null;
  private offsetExpirer: OffsetExpirer | null = null;
  private isCaughtUp = false;
  private markCaughtUp!: () => void;
  /** Resolves when the controller first finds this broker caught up (RECOVERY): clients are served from then on. */
  private readonly caughtUp = new Promise<void>((resolve) => (this.markCaughtUp = () => {
    this.isCaughtUp = true;
    resolve();
  }));

  private constructor(
    private readonly o: BrokerServerOptions,
    private readonly source: MetadataSource,
    private readonly split: SplitParts | undefined,
    readonly channel: ControllerChannel,
  ) {
    if (split !== undefined) split.storage.log.onSynced = (seconds) => this.fsyncTimes.observe(seconds);
    this.connectionQuotas = new ConnectionQuotas(o.connectionLimits ?? NO_CONNECTION_LIMITS);
    this.imageWatch = new ImageWatch(source, o.clock);
    const groupStore = new ControllerGroupStore({
      brokerId: o.nodeId,
      brokerEpoch: () => this.lifecycleManager?.brokerEpoch ?? -1,
      image: () => source.image,
      channel,
      logger: o.logger,
    });
    this.groupCoordinator = new GroupCoordinator(o.clock, o.groups ?? DEFAULT_GROUP_COORDINATOR_CONFIG, groupStore);
    // Groups whose coordination moved elsewhere (a broker joined, or this one was fenced) are
    // dropped at once, so their members learn NOT_COORDINATOR instead of waiting out a timer.
    let seen: MetadataImage = source.image;
    this.stopFollowingGroups = source.addMetadataListener((delta, image) => {
      // A delta not from the last image seen (a snapshot installed after falling behind) may
      // hide any number of moves: nothing is kept. Otherwise only a change to the brokers moves groups.
      const continuous = delta.base === seen;
      seen = image;
      if (!continuous) this.groupCoordinator.retainOnly(() => false);
      else if (delta.changedBrokerIds().size > 0) this.groupCoordinator.retainOnly(coordinatedThroughout(image, o.nodeId, delta.changedBrokerIds(), delta.brokersLiveDuring()));
    });
  }

  static async start(o: BrokerServerOptions): Promise<BrokerServer> {
    const self: PeerIdentity = { nodeId: o.nodeId, role: 'broker', clusterId: o.clusterId };
    let split: SplitParts | undefined;
    let source: MetadataSource;
    if (o.combined !== undefined) {
      source = o.combined.source;
    } else if (o.split !== undefined) {
      const storage = await openMetadataStorage(o.split.metadataLogDir, o.logger);
      const transport = new TcpRaftTransport({
        self,
        voters: new Map(o.voters.map((v) => [v.id, { host: v.host, port: v.port }])),
        ...(o.controllerTls === undefined ? {} : { tls: o.controllerTls }),
        logger: o.logger,
      });
      const follower = new MetadataFollower(o.clock, o.logger, o.split.snapshots);
      const env: NodeEnv = { clock: o.clock, random: o.random, transport, logger: o.logger, ...storage };
      const raft = new RaftNode(env, raftConfig(o.nodeId, o.voters.map((v) => v.id), o.split.raft), follower, { onFatal: o.onFatal });
      follower.raft = raft;
      split = { raft, follower, transport, storage };
      source = follower;
    } else {
      throw new Error('a broker needs either split or combined settings');
    }
    const channel = new ControllerChannel({
      voters: o.voters,
      self,
      ...(o.controllerTls === undefined ? {} : { tls: o.controllerTls }),
      logger: o.logger,
    });
    const broker = new BrokerServer(o, source, split, channel);
    try {
      await broker.bindListeners(self);
      if (split !== undefined) await split.raft.start();
    } catch (e) {
      await broker.closeResources();
      throw e;
    }
    broker.startLifecycle();
    if (o.isrExpansionEnable !== false) {
      broker.isrExpander = new IsrExpander({ brokerId: o.nodeId, source, channel, clock: o.clock, logger: o.logger });
    }
    broker.offsetExpirer = new OffsetExpirer({
      ...(o.offsetRetention ?? DEFAULT_OFFSET_RETENTION),
      brokerId: o.nodeId,
      brokerEpoch: () => broker.lifecycleManager?.brokerEpoch ?? -1,
      source,
      channel,
      groups: broker.groupCoordinator,
      graceMs: (o.groups ?? DEFAULT_GROUP_COORDINATOR_CONFIG).maxSessionTimeoutMs,
      clock: o.clock,
      logger: o.logger,
    });
    return broker;
  }

  get image() {
    return this.source.image;
  }

  /** NOT_RUNNING until the lifecycle starts (the listeners answer while the local metadata is restored). */
  get state(): BrokerState {
    return this.lifecycleManager?.state ?? 'NOT_RUNNING';
  }

  /** Set before start() returns. */
  get lifecycle(): BrokerLifecycleManager {
    if (this.lifecycleManager === undefined) throw new Error('the broker lifecycle has not started');
    return this.lifecycleManager;
  }

  /** Whether the committed metadata has this broker registered and unfenced (what GET /health asks). */
  isUnfenced(): boolean {
    return this.source.image.broker(this.o.nodeId)?.fenced === false;
  }

  /** The broker's metrics; in split mode also its observer's replica of the quorum. */
  collectors(): Collector[] {
    const broker: BrokerMetricsSource = {
      nodeId: this.o.nodeId,
      state: () => this.state,
      epoch: () => this.epoch(),
      image: () => this.source.image,
      brokerEpoch: () => this.lifecycleManager?.brokerEpoch ?? -1,
      groupStates: () => this.groupCoordinator.groupStates(),
      listenerNames: this.o.listeners.map((l) => l.name),
      connectionRefusals: () => this.connectionQuotas.refusals(),
    };
    const collectors = [brokerCollector(broker, this.kafkaMetrics)];
    if (this.split !== undefined) collectors.push(raftCollector(this.split.raft, false, () => this.o.clock.nowMs(), this.fsyncTimes));
    return collectors;
  }

  /** Bound addresses of the client listeners, by listener name. */
  addresses(): ReadonlyMap<string, NetEndpoint> {
    return new Map(this.o.listeners.map((l, i) => [l.name, this.servers[i]!.address()]));
  }

  /** The quorum epoch this broker's observer knows (combined mode: the controller's). */
  epoch(): number {
    return this.split?.raft.leader().epoch ?? this.source.image.provenance.epoch;
  }

  /** The offset of the last metadata record applied (-1: none). */
  metadataOffset(): number {
    return this.source.image.provenance.endOffset - 1;
  }

  describeNode(): DescribeNodeResponse {
    return {
      clusterId: this.o.clusterId,
      nodeId: this.o.nodeId,
      roles: this.o.roles,
      activeControllerId: this.o.combined?.activeControllerId() ?? this.split?.follower.leaderId ?? this.channel.activeControllerId,
      voters: this.o.voters,
      metadataOffset: this.source.image.provenance.endOffset,
      zkMigrationState: this.source.image.zkMigrationState,
      supportedFeatures: supportedFeatures(),
      brokerState: this.state,
    };
  }

  /**
   * Controlled shutdown (bounded), a local snapshot (given up if it is not encoded within
   * SHUTDOWN_SNAPSHOT_MS past the controlled shutdown's bound: the process has 10 s in all), then
   * everything closes.
   */
  async stop(): Promise<{ controlledShutdownMs: number; timedOut: boolean }> {
    if (this.stopped) return { controlledShutdownMs: 0, timedOut: false };
    this.stopped = true;
    const snapshotDeadlineMs = this.o.clock.nowMs() + this.o.controlledShutdownTimeoutMs + SHUTDOWN_SNAPSHOT_MS;
    this.isrExpander?.close(); // leaderships are about to move away
    this.offsetExpirer?.close();
    const result = await this.lifecycle.beginControlledShutdown(this.o.controlledShutdownTimeoutMs);
    this.lifecycle.stop();
    if (this.split !== undefined) {
      try {
        await this.split.follower.snapshotNow(snapshotDeadlineMs);
      } catch (e) {
        this.o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not write a snapshot at shutdown');
      }
    }
    await this.closeResources();
    return { controlledShutdownMs: result.tookMs, timedOut: result.timedOut };
  }

  /** A crash, for tests: no controlled shutdown, no snapshot. */
  async halt(): Promise<void> {
    this.stopped = true;
    this.lifecycleManager?.stop();
    this.split?.raft.halt();
    await this.closeResources();
  }

  /**
   * Closes the listeners, the controller channel and the observer side at once: each graceful
   * close may wait out a linger for a peer that never answers (hung controllers), and one after
   * another they took the 10 s shutdown bound past its end after a timed-out controlled shutdown.
   */
  private async closeResources(): Promise<void> {
    this.isrExpander?.close();
    this.offsetExpirer?.close();
    this.stopFollowingGroups();
    this.groupCoordinator.close();
    this.imageWatch.close();
    this.stopApplyingConnectionLimits?.();
    this.stopFollowingTls?.();
    const split = this.split;
    await Promise.all([
      ...this.servers.splice(0).map((s) => s.close()),
      this.channel.close(),
      (async () => {
        if (split === undefined) return;
        await split.raft.stop();
        await split.transport.close();
        await split.storage.log.close();
      })(),
    ]);
  }

  private async bindListeners(self: PeerIdentity): Promise<void> {
    // One authorizer for every listener: its ACL index is built once per ACL change.
    const authorizer = this.o.authorizer === undefined ? undefined : new StandardAuthorizer(this.o.authorizer);
    if (authorizer !== undefined) this.rpcAuthorization = new RpcAuthorization(authorizer);
    const { connectionQuotas } = this;
    this.followConnectionLimits();
    for (const listener of this.o.listeners) {
      const sasl = usesSasl(listener.securityProtocol) ? this.saslOptions(listener.name) : undefined;
      const kafka: KafkaContext = {
        brokerId: this.o.nodeId,
        brokerEpoch: () => this.lifecycleManager?.brokerEpoch ?? -1,
        clusterId: this.o.clusterId,
        image: () => this.source.image,
        controller: this.channel,
        listenerName: listener.name,
        autoCreateTopicsEnable: this.o.autoCreateTopicsEnable ?? false,
        ownConfigs: this.ownConfigs(),
        controllerTimeoutMs: KAFKA_FORWARD_TIMEOUT_MS,
        groups: this.groupCoordinator,
        awaitImage: (test, timeoutMs) => this.imageWatch.until(test, timeoutMs),
        caughtUp: this.caughtUp,
        metrics: this.kafkaMetrics,
        ...(authorizer === undefined ? {} : { authorizer }),
        ...(sasl === undefined ? {} : { sasl }),
      };
      const server = await NetServer.listen({
        listener,
        self,
        logger: this.o.logger,
        connectionQuotas,
        handlers: { onRequest: (ch, method, body) => this.handle(ch, method, body) },
        // With an authorizer, the internal RPC is answered by principal (see handle()).
        ...(authorizer === undefined ? {} : { identify: principalOfSocket }),
        // On a SASL listener metaquorum's tools authenticate too, in the handshake, against the same credentials.
        ...(sasl === undefined
          ? {}
          : { sasl: internalProtocolSasl(sasl, () => this.source.image, listener.name, this.o.logger, (mechanism, ok) => this.kafkaMetrics.authenticated(listener.name, mechanism, ok), this.caughtUp) }),
        // Kafka clients and our own tools share the client listener: a Kafka request starts with
        // its size and then an api key whose high byte is 0; our handshake's first value is a
        // msgpack map, never 0.
        alternateProtocol: {
          bytesNeeded: 5,
          detect: (first) => first[4] === 0x00,
          serve: (socket, remote) => serveKafkaConnection(socket, kafka, this.o.logger, remote),
        },
      });
      this.servers.push(server);
    }
    this.followDynamicTls();
  }

  /**
   * Applies the connection limits in the image, now and on every change, from the next connection
   * on, as Kafka does: dynamic max.connections(.per.ip) from every image (cheap), the ip connection
   * rate quotas when a delta changed client quotas, or when it does not follow the last image seen
   * (a snapshot installed after falling behind says nothing of what it removed).
   */
  private followConnectionLimits(): void {
    const quotas = this.connectionQuotas;
    let applied = quotas.ipConnectionRates;
    const applyRates = (image: MetadataImageView) => {
      const wanted = ipConnectionRateQuotas(image);
      if (sameIpConnectionRates(wanted, applied)) return;
      quotas.applyIpConnectionRates(wanted);
      applied = wanted;
      this.o.logger.info(
        { ipQuotas: wanted.byAddress.size, defaultIpQuota: wanted.defaultQuota ?? null },
        `ip connection rate quotas (connection_creation_rate): ${wanted.byAddress.size} addresses with their own, default ${wanted.defaultQuota ?? 'none'}; new connections use them`,
      );
    };
    let seen = this.source.image;
    quotas.applyDynamic(dynamicConnectionLimits(seen, this.o.nodeId));
    applyRates(seen);
    this.stopApplyingConnectionLimits = this.source.addMetadataListener((delta, image) => {
      quotas.applyDynamic(dynamicConnectionLimits(image, this.o.nodeId));
      const continuous = delta.base === seen;
      seen = image;
      if (!continuous || delta.clientQuotasChanged) applyRates(image);
    });
  }

  /** What a SASL listener offers; a listener the settings do not name is a configuration bug caught here, not a listener without authentication. */
  private saslOptions(listenerName: string): KafkaSaslOptions {
    const settings = this.o.sasl;
    const mechanisms = settings?.mechanisms.get(listenerName);
    if (settings === undefined || mechanisms === undefined) throw new Error(`listener ${listenerName} is SASL but no SASL mechanisms are configured for it`);
    return {
      mechanisms,
      failedAuthenticationDelayMs: settings.failedAuthenticationDelayMs,
      maxReceiveBytes: settings.maxReceiveBytes,
      failureWarnings: new RefusalWarnings(),
    };
  }

  /** Applies this broker's dynamic ssl.* configs to its SSL and SASL_SSL client listeners, now and on every change (see ./dynamic-tls.ts). */
  private followDynamicTls(): void {
    const reload = this.o.reloadTls;
    const ssl = this.o.listeners.map((l, i) => ({ listener: l, server: this.servers[i]! })).filter((x) => usesTls(x.listener.securityProtocol));
    if (reload === undefined || ssl.length === 0) return;
    // Per listener: what was last asked of it, and a count that tells a stale reload from the newest.
    const state = ssl.map(() => ({ applied: {} as DynamicTlsSettings, generation: 0 }));
    const apply = (image: MetadataImageView) => {
      ssl.forEach(({ listener, server }, i) => {
        const s = state[i]!;
        const wanted = dynamicTlsSettings(image, this.o.nodeId, listener.name);
        if (sameTlsSettings(wanted, s.applied)) return;
        s.applied = wanted;
        const mine = ++s.generation;
        reload(listener.name, wanted).then(
          (material) => {
            if (mine !== s.generation) return; // a newer change is being read
            server.updateTls(material);
            this.o.logger.info({ listener: listener.name }, `listener ${listener.name}: TLS material reloaded from ${tlsSettingsText(wanted)}; new connections use it`);
          },
          (e: unknown) => {
            if (mine !== s.generation) return;
            this.o.logger.error({ listener: listener.name, err: e instanceof Error ? e.message : String(e) }, `listener ${listener.name}: cannot reload TLS material from ${tlsSettingsText(wanted)}; it keeps the certificate it has`);
          },
        );
      });
    };
    apply(this.source.image);
    this.stopFollowingTls = this.source.addMetadataListener((_delta, image) => apply(image));
  }

  private startLifecycle(): void {
    const bound = this.addresses();
    const listeners = this.o.advertised.map((e) => (e.port === 0 ? { ...e, port: bound.get(e.name)?.port ?? 0 } : e));
    const incarnation = Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
    this.lifecycleManager = new BrokerLifecycleManager({
      brokerId: this.o.nodeId,
      clusterId: this.o.clusterId,
      incarnationId: uuidFromBytes(incarnation),
      listeners,
      features: supportedFeatures(),
      rack: this.o.rack,
      heartbeatIntervalMs: this.o.heartbeatIntervalMs,
      initialRegistrationTimeoutMs: this.o.initialRegistrationTimeoutMs,
      metadataOffset: () => this.metadataOffset(),
      channel: this.channel,
      clock: this.o.clock,
      logger: this.o.logger,
      onFatal: (e) => this.o.onFatal(e),
      onStateChange: (state) => {
        if (state === 'RECOVERY' || state === 'RUNNING') this.markCaughtUp();
      },
    });
    this.lifecycleManager.start();
  }

  /**
   * The image once this broker has caught up with the metadata log (as Kafka, which serves no
   * request before then); BROKER_NOT_AVAILABLE, saying why, when that takes longer than readCatchUpWaitMs.
   */
  /** This node's own config levels, as DescribeConfigs of this broker reports them. */
  private ownConfigs(): OwnConfigLevels {
    return { ...(this.o.staticConfigs === undefined ? {} : { staticConfigs: this.o.staticConfigs }), ...(this.o.readOnlyConfigs === undefined ? {} : { readOnlyConfigs: this.o.readOnlyConfigs }) };
  }

  private async caughtUpImage(): Promise<MetadataImage> {
    if (!this.isCaughtUp) {
      let cancel = () => {};
      const waited = new Promise<void>((resolve) => (cancel = this.o.clock.setTimer(this.o.readCatchUpWaitMs ?? READ_CATCH_UP_WAIT_MS, resolve)));
      await Promise.race([this.caughtUp, waited]);
      cancel();
    }
    if (this.isCaughtUp) return this.image;
    throw new RemoteError({
      code: ErrorCode.BROKER_NOT_AVAILABLE,
      name: 'BROKER_NOT_AVAILABLE',
      message:
        `broker ${this.o.nodeId} has not caught up with the metadata log yet (state ${this.state}, ` +
        `metadata offset ${this.metadataOffset()}), so its view may be stale; try again, or ask the controllers with --bootstrap-controller`,
    });
  }

  /**
   * With an authorizer, the internal RPC on this broker's listeners is checked against the ACLs as
   * the controller's is (quorum/server/rpc-authorization.ts: Kafka's rule for each method), the
   * caller named as a Kafka connection is (its verified client certificate, else User:ANONYMOUS).
   * Kafka clients reach the same listeners: without this, one with no ACL at all could forward
   * createAcls (or createTopics, alterConfigs...) to the controller through the internal protocol,
   * under the broker's own principal, and grant itself anything. The ACLs are read once this
   * broker has caught up (a stale image could miss a DENY); a super user and an open method
   * (describeNode...) need no image.
   */
  private async refuseUnauthorized(channel: PeerChannel, method: string, request: object): Promise<Session | undefined> {
    const authorization = this.rpcAuthorization;
    if (authorization === undefined) return undefined;
    const session = sessionOf(channel);
    if (authorization.isSuperUser(session) || authorization.isOpen(method)) return session;
    const refusal = authorization.refusal(await this.caughtUpImage(), session, method, request);
    if (refusal !== null) throw refusal;
    return session;
  }

  private async handle(channel: PeerChannel, method: string, body: unknown): Promise<unknown> {
    try {
      const b = requestObject(method, body);
      const session = await this.refuseUnauthorized(channel, method, b);
      const answer = await this.answer(method as RpcMethod, b);
      return session === undefined ? answer : this.rpcAuthorization!.visibleAnswer(this.source.image, session, method, b, answer);
    } catch (e) {
      throw toRemoteError(e);
    }
  }

  /** An allowed request's answer: a read from this broker's image, or the controller's answer. */
  private async answer(m: RpcMethod, b: object): Promise<unknown> {
    switch (m) {
      case 'describeNode':
        return this.describeNode();
      case 'describeTopics':
        return describeTopics(await this.caughtUpImage(), b as never);
      case 'describeConfigs':
        return describeConfigs(await this.caughtUpImage(), b as never, { brokerId: this.o.nodeId, ...this.ownConfigs() });
      case 'describeFeatures':
        return describeFeatures(await this.caughtUpImage());
      case 'describeAcls':
        return describeAcls(await this.caughtUpImage(), b as never);
      case 'describeClientQuotas':
        return describeClientQuotas(await this.caughtUpImage(), b as never);
      case 'describeUserScramCredentials':
        return describeUserScramCredentials(await this.caughtUpImage(), b as never);
      case 'describeGroups':
        return describeGroups(await this.caughtUpImage(), b as never);
      case 'exportMetadata':
        // A read answered by the node asked (rpc-methods.ts), as controllers do: `migrate-from-zk
        // --verify --bootstrap-server` walked the whole tree and then failed on "unknown method".
        return exportMetadata(await this.caughtUpImage());
      default:
        if (!CONTROLLER_METHODS.has(m)) throw unknownMethod(m);
        return await this.channel.call(m, b as never);
    }
  }
}

function sameIpConnectionRates(a: IpConnectionRateQuotas, b: IpConnectionRateQuotas): boolean {
  if (a.defaultQuota !== b.defaultQuota || a.byAddress.size !== b.byAddress.size) return false;
  for (const [address, quota] of a.byAddress) if (b.byAddress.get(address) !== quota) return false;
  return true;
}
