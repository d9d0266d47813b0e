// The controller role of a node process: the metadata log's Raft voter, the quorum controller as
// its state machine, and the controller listener that carries both Raft traffic and the RPCs of
// brokers and tools (rpc-methods.ts).
//
//   start(): open storage -> bind the listeners (a port in use fails here, before anything else)
//            -> restore the log and join the quorum
//   stop():  a leader resigns first (EndQuorumEpoch, so a successor stands at once) -> pending
//            operations fail NOT_CONTROLLER -> listeners and connections close -> storage closes
//
// Who may connect (the handshake's admit rule): another voter of controller.quorum.voters as a
// controller (never one claiming this node's own id), any broker id, and tools. Everything else
// is refused with a logged reason and the node keeps running.

import { performance } from 'node:perf_hooks';
import type { Clock, Logger, NodeEnv, Random } from '../env/index.js';
import type { ControllerConfig } from '../controller/config.js';
import { describeConfigs } from '../controller/configs/describe-configs.js';
import { describeFeatures, supportedFeatures } from '../controller/configs/features.js';
import { describeClientQuotas } from '../controller/configs/client-quotas.js';
import { describeUserScramCredentials } from '../controller/configs/scram-credentials.js';
import { NotControllerError } from '../controller/errors.js';
import { QuorumController } from '../controller/quorum-controller.js';
import { NetServer } from '../net/server.js';
import { isRaftFrame } from '../net/raft-wire.js';
import { TcpRaftTransport } from '../net/tcp-raft-transport.js';
import type { Endpoint, ListenerSpec, PeerChannel, PeerIdentity, TlsMaterial } from '../net/types.js';
import { controllerCollector, ControllerRequestTimes } from '../metrics/controller-metrics.js';
import { raftCollector } from '../metrics/raft-metrics.js';
import { Histogram, type Collector } from '../metrics/registry.js';
import { openMetadataStorage, type MetadataStorage } from '../node/layout.js';
import { raftConfig, type RaftConfig } from '../raft/config.js';
import { RaftNode } from '../runtime/raft-node.js';
import type { VoterEndpoint } from './controller-channel.js';
import { describeAcls, describeGroups, describeTopics, exportMetadata } from './image-reads.js';
import { toRemoteError } from './remote-errors.js';
import { CONTROLLER_METHODS, type DescribeNodeResponse, type RpcMethod } from './rpc-methods.js';
import { RpcAuthorization, sessionOf } from './rpc-authorization.js';
import { StandardAuthorizer, type AuthorizerConfig } from '../controller/acls/authorizer.js';
import { principalOfSocket } from '../net/principal.js';
import { withTrustedQuotaClaim } from '../controller/quotas/controller-mutation-quotas.js';

export interface ControllerServerOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly voters: readonly VoterEndpoint[];
  /** The controller listener to bind (its TLS material loaded): the one voters and brokers dial. */
  readonly listener: ListenerSpec;
  /**
   * The other listeners of controller.listener.names, each bound and served as the first is (as
   * Kafka's controller serves every controller listener, e.g. a second one while moving to SSL).
   */
  readonly extraListeners?: readonly ListenerSpec[];
  /** TLS used when connecting to the other voters (their controller listener is SSL). */
  readonly peerTls?: TlsMaterial;
  readonly metadataLogDir: string;
  readonly raft: Partial<RaftConfig>;
  readonly controller: ControllerConfig;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Roles of the whole process, as describeNode reports them. */
  readonly roles: readonly ('broker' | 'controller')[];
  /** The broker role's lifecycle state in a combined node (describeNode). */
  readonly brokerState?: () => string;
  readonly onFatal: (error: unknown) => void;
  /**
   * authorizer.class.name set: every request and Raft frame on the controller listeners is checked
   * against the committed ACLs (rpc-authorization.ts), the peer named by its client certificate.
   */
  readonly authorizer?: AuthorizerConfig;
}

export class ControllerServer {
  /** Request durations by method and the log's fdatasync durations, for `GET /metrics`. */
  private readonly requestTimes = new ControllerRequestTimes();
  private readonly fsyncTimes = new Histogram();
  /** Channels whose Raft traffic was refused (each is logged once, then closed). */
  private readonly refusedChannels = new WeakSet<PeerChannel>();

  private constructor(
    private readonly o: ControllerServerOptions,
    readonly controller: QuorumController,
    readonly raft: RaftNode,
    private readonly servers: readonly NetServer[],
    private readonly transport: TcpRaftTransport,
    private readonly storage: MetadataStorage,
    private readonly authorization: RpcAuthorization | undefined,
  ) {
    storage.log.onSynced = (seconds) => this.fsyncTimes.observe(seconds);
  }

  /** The controller's metrics: its replica of the quorum and the controller's own. */
  collectors(): Collector[] {
    return [raftCollector(this.raft, true, () => this.o.clock.nowMs(), this.fsyncTimes), controllerCollector(this.controller, this.requestTimes)];
  }

  static async start(o: ControllerServerOptions): Promise<ControllerServer> {
    const self: PeerIdentity = { nodeId: o.nodeId, role: 'controller', clusterId: o.clusterId };
    const voterIds = new Set(o.voters.map((v) => v.id));
    const storage = await openMetadataStorage(o.metadataLogDir, o.logger);
    const transport = new TcpRaftTransport({
      self,
      voters: new Map(o.voters.filter((v) => v.id !== o.nodeId).map((v) => [v.id, { host: v.host, port: v.port }])),
      ...(o.peerTls === undefined ? {} : { tls: o.peerTls }),
      logger: o.logger,
    });
    const controller = new QuorumController({ nodeId: o.nodeId, clock: o.clock, random: o.random, logger: o.logger, config: o.controller, onFatal: o.onFatal });
    const env: NodeEnv = { clock: o.clock, random: o.random, transport, logger: o.logger, ...storage };
    const raft = new RaftNode(env, raftConfig(o.nodeId, [...voterIds], o.raft), controller, { onFatal: o.onFatal });
    controller.raft = raft;

    const authorization = o.authorizer === undefined ? undefined : new RpcAuthorization(new StandardAuthorizer(o.authorizer));
    let serverRef: ControllerServer | undefined;
    const servers: NetServer[] = [];
    try {
      for (const listener of [o.listener, ...(o.extraListeners ?? [])]) {
        servers.push(
          await NetServer.listen({
            listener,
            self,
            admit: (peer) => admitPeer(peer, o.nodeId, voterIds),
            logger: o.logger,
            ...(authorization === undefined ? {} : { identify: principalOfSocket }),
            handlers: {
              onOpen: (ch) => transport.attachInbound(ch),
              onClose: (ch) => transport.detachInbound(ch),
              onMessage: (ch, m) => {
                if (!isRaftFrame(m)) return;
                if (authorization !== undefined && !serverRef?.mayReplicate(authorization, ch)) return;
                transport.deliverInbound(ch, m);
              },
              onRequest: (ch, method, body) => serverRef!.handle(ch, method, body),
            },
          }),
        );
      }
    } catch (e) {
      await Promise.all([...servers.map((s) => s.close()), transport.close()]);
      await storage.log.close();
      throw e;
    }
    serverRef = new ControllerServer(o, controller, raft, servers, transport, storage, authorization);
    try {
      await raft.start();
      // Warm connections to the other voters: the first election after the leader is lost does
      // not wait for connects and handshakes (see connectVoters).
      transport.connectVoters();
    } catch (e) {
      await serverRef.closeResources();
      throw e;
    }
    return serverRef;
  }

  /** Where the first controller listener is bound. */
  address(): Endpoint {
    return this.servers[0]!.address();
  }

  describeNode(): DescribeNodeResponse {
    const quorum = this.raft.localView();
    return {
      clusterId: this.o.clusterId,
      nodeId: this.o.nodeId,
      roles: this.o.roles,
      activeControllerId: this.controller.activeControllerId(),
      voters: this.o.voters,
      metadataOffset: this.controller.image.provenance.endOffset,
      zkMigrationState: this.controller.image.zkMigrationState,
      supportedFeatures: supportedFeatures(),
      ...(this.o.brokerState === undefined ? {} : { brokerState: this.o.brokerState() }),
      ...(quorum === null ? {} : { quorum }),
    };
  }

  /** Graceful: resign if leading, fail pending work, close the listener and the storage. */
  async stop(): Promise<void> {
    await this.raft.stop(); // a leader resigns first
    this.controller.close();
    await this.closeResources();
  }

  /** A crash, for tests: nothing more is written. */
  async halt(): Promise<void> {
    this.raft.halt();
    this.controller.close();
    await this.closeResources();
  }

  /** The listeners and the transport close at once (each may wait out a linger), then the log. */
  private async closeResources(): Promise<void> {
    await Promise.all([...this.servers.map((s) => s.close()), this.transport.close()]);
    await this.storage.log.close();
  }

  /**
   * Whether a Raft frame from this channel may be delivered (CLUSTER_ACTION on the cluster). A
   * refused channel is logged once and closed: its peer's reconnect backoff paces any retry.
   */
  private mayReplicate(authorization: RpcAuthorization, channel: PeerChannel): boolean {
    const session = sessionOf(channel);
    if (authorization.mayReplicate(this.controller.image, session)) return true;
    if (!this.refusedChannels.has(channel)) {
      this.refusedChannels.add(channel);
      const reason = `${session.principal} may not send Raft traffic: it needs CLUSTER_ACTION on the cluster (put the nodes' principals in super.users)`;
      this.o.logger.warn({ peer: channel.peer, remoteAddress: channel.remoteAddress, principal: session.principal }, `refused: ${reason}`);
      channel.close(reason);
    }
    return false;
  }

  /** Not an async function: a write is answered through as few promises as it can be (the hot path). */
  private handle(channel: PeerChannel, method: string, rawBody: unknown): Promise<unknown> {
    const started = performance.now();
    const took = () => this.requestTimes.observe(method, (performance.now() - started) / 1000);
    const forwarder = channel.peer.role === 'broker' && (this.authorization === undefined || this.authorization.mayReplicate(this.controller.image, sessionOf(channel)));
    const body = withTrustedQuotaClaim(forwarder, method, rawBody);
    let answer: unknown;
    try {
      answer = this.authorization === undefined ? this.dispatch(method as RpcMethod, body) : this.authorizedDispatch(this.authorization, channel, method, body);
    } catch (e) {
      took();
      return Promise.reject(toRemoteError(e));
    }
    if (!(answer instanceof Promise)) {
      took();
      return Promise.resolve(answer);
    }
    // One handler either way, as the plain .catch was: no extra promise hop per write.
    return answer.then(
      (a: unknown) => {
        took();
        return a;
      },
      (e: unknown) => {
        took();
        return rethrowRemote(e);
      },
    );
  }

  /**
   * dispatch, for a caller the ACLs allow it to (rpc-authorization.ts), showing what it may see.
   * Only the active controller judges by the ACLs: its committed image is the newest, where a
   * standby's may lag (a restarted one's by much) and miss a grant or a DENY (Kafka's
   * StandardAuthorizer likewise answers nothing before its first load). So a standby answers
   * NOT_CONTROLLER, and the caller's channel goes on to the active controller, for a method only
   * the active one runs (as dispatch would) and for any other a caller who is not a super user
   * needs ACLs for; open methods and super users' reads it answers itself.
   */
  private authorizedDispatch(authorization: RpcAuthorization, channel: PeerChannel, method: string, body: unknown): Promise<unknown> | unknown {
    const session = sessionOf(channel);
    const judgedByAcls = !authorization.isOpen(method) && !authorization.isSuperUser(session);
    if (!this.controller.isActive && (CONTROLLER_METHODS.has(method as RpcMethod) || judgedByAcls)) throw new NotControllerError(this.controller.activeControllerId());
    const request = requestObject(method, body);
    const refusal = authorization.refusal(this.controller.image, session, method, request);
    if (refusal !== null) throw refusal;
    const answer = this.dispatch(method as RpcMethod, request);
    const visible = (a: unknown) => authorization.visibleAnswer(this.controller.image, session, method, request, a);
    return answer instanceof Promise ? answer.then(visible) : visible(answer);
  }

  private dispatch(method: RpcMethod, body: unknown): Promise<unknown> | unknown {
    const c = this.controller;
    const b = requestObject(method, body);
    switch (method) {
      case 'describeNode':
        return this.describeNode();
      case 'describeTopics':
        return describeTopics(c.image, b as never);
      case 'exportMetadata':
        return exportMetadata(c.image);
      case 'describeConfigs':
        return describeConfigs(c.image, b as never);
      case 'describeFeatures':
        return describeFeatures(c.image);
      case 'describeAcls':
        return describeAcls(c.image, b as never);
      case 'describeClientQuotas':
        return describeClientQuotas(c.image, b as never);
      case 'describeUserScramCredentials':
        return describeUserScramCredentials(c.image, b as never);
      case 'describeGroups':
        return describeGroups(c.image, b as never);
      case 'describeQuorum': {
        const q = c.describeQuorum();
        if (q === null || q.leaderId !== this.o.nodeId || q.role !== 'Leader') throw new NotControllerError(c.activeControllerId());
        return q;
      }
      case 'describeCluster':
        if (!c.isActive) throw new NotControllerError(c.activeControllerId());
        return c.describeCluster((b as { listenerName?: string }).listenerName);
      case 'registerBroker':
        return c.registerBroker(b as never);
      case 'brokerHeartbeat':
        return c.brokerHeartbeat(b as never);
      case 'unregisterBroker':
        return c.unregisterBroker(b as never);
      case 'createTopics':
        return c.createTopics(b as never);
      case 'deleteTopics':
        return c.deleteTopics(b as never);
      case 'createPartitions':
        return c.createPartitions(b as never);
      case 'alterPartition':
        return c.alterPartition(b as never);
      case 'alterPartitionReassignments':
        return c.alterPartitionReassignments(b as never);
      case 'electLeaders':
        return c.electLeaders(b as never);
      case 'createAcls':
        return c.createAcls(b as never);
      case 'deleteAcls':
        return c.deleteAcls(b as never);
      case 'listPartitionReassignments':
        return c.listPartitionReassignments(b as never);
      case 'incrementalAlterConfigs':
        return c.incrementalAlterConfigs(b as never);
      case 'alterConfigs':
        return c.alterConfigs(b as never);
      case 'updateFeatures':
        return c.updateFeatures(b as never);
      case 'alterClientQuotas':
        return c.alterClientQuotas(b as never);
      case 'alterUserScramCredentials':
        return c.alterUserScramCredentials(b as never);
      case 'allocateProducerIds':
        return c.allocateProducerIds(b as never);
      case 'commitOffsets':
        return c.commitOffsets(b as never);
      case 'fetchOffsets':
        return c.fetchOffsets(b as never);
      case 'deleteGroups':
        return c.deleteGroups(b as never);
      case 'deleteOffsets':
        return c.deleteOffsets(b as never);
      case 'expireOffsets':
        return c.expireOffsets(b as never);
      case 'storeGroup':
        return c.storeGroup(b as never);
      case 'importMetadata':
        return c.importMetadata(b as never);
      default:
        throw unknownMethod(method);
    }
  }
}

function rethrowRemote(e: unknown): never {
  throw toRemoteError(e);
}

/** The handshake's admission rule for the controller listener; a refusal reason or null. */
export function admitPeer(peer: PeerIdentity, selfId: number, voterIds: ReadonlySet<number>): string | null {
  if (peer.role === 'controller') {
    if (!voterIds.has(peer.nodeId)) return `node ${peer.nodeId} says it is a controller but is not in controller.quorum.voters (${[...voterIds].join(',')})`;
    if (peer.nodeId === selfId) return `another process claims this node's id ${selfId}: check node.id in its config`;
  }
  if (peer.role === 'broker' && (!Number.isSafeInteger(peer.nodeId) || peer.nodeId < 0)) return `broker id ${peer.nodeId} is not a valid node id`;
  return null;
}

/** Request bodies must be objects; anything else is refused as INVALID_REQUEST. */
export function requestObject(method: string, body: unknown): object {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw Object.assign(new Error(`${method}: the request body must be an object`), { code: 42, errorName: 'INVALID_REQUEST' });
  }
  return body;
}

export function unknownMethod(method: string): Error {
  return Object.assign(new Error(`unknown method ${JSON.stringify(method)}; this node speaks protocol version 1`), { code: 35, errorName: 'UNSUPPORTED_VERSION' });
}
