// What a Kafka request handler sees of its broker: the broker's own metadata image (reads are
// answered from it, as a KRaft broker answers from its metadata cache), a channel to the active
// controller (writes are forwarded there, retried across a controller failover), and who this
// broker is and which listener the request came in on (endpoints are reported for that listener).
//
// Handlers are functions (context, request, version) -> response. Expected failures are error
// codes in the response (DESIGN §10); a thrown error is a bug, and closes the connection with the
// reason logged (kafka-connection.ts): the client gets no answer it could misread, and reconnects.

import type { KafkaMetrics } from '../../broker-metrics.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { RpcCaller } from '../../../quorum/server/rpc-methods.js';
import type { GroupCoordinator } from '../groups/group-coordinator.js';
import type { StandardAuthorizer } from '../../../quorum/controller/acls/authorizer.js';
import type { ConfigLookupOptions } from '../../../quorum/controller/configs/config-schema.js';
import type { KafkaSaslOptions } from '../sasl/sasl-session.js';

/** A node's own config levels for DescribeConfigs: ConfigLookupOptions without the answering broker. */
export type OwnConfigLevels = Omit<ConfigLookupOptions, 'brokerId'>;

export interface KafkaContext {
  readonly brokerId: number;
  /** Where connections and request times are counted (GET /metrics); absent in tests that do not look. */
  readonly metrics?: KafkaMetrics;
  /** This broker's epoch from its registration (-1 while unregistered): sent with group writes. */
  brokerEpoch(): number;
  readonly clusterId: string;
  /** The broker's image as of now (read it once per request). */
  image(): MetadataImageView;
  /** The active controller, wherever it is. */
  readonly controller: RpcCaller;
  /** The listener the connection came in on (e.g. PLAINTEXT). */
  readonly listenerName: string;
  /** auto.create.topics.enable */
  readonly autoCreateTopicsEnable: boolean;
  /** This node's own config levels (server.properties: static values of broker keys, read-only keys), reported by DescribeConfigs. */
  readonly ownConfigs?: OwnConfigLevels;
  /** How long a forwarded write may take, retries included. */
  readonly controllerTimeoutMs: number;
  /** Membership of the groups this broker coordinates (metadata-log/group-ownership.ts says which). */
  readonly groups: GroupCoordinator;
  /**
   * Resolves true once this broker's image satisfies `test`, false after `timeoutMs` (read-your-
   * writes for forwarded topic writes; broker/image-watch.ts).
   */
  awaitImage(test: (image: MetadataImageView) => boolean, timeoutMs: number): Promise<boolean>;
  /**
   * Resolves once the broker has caught up with the metadata log (the controller moved it to
   * RECOVERY): until then its image may be empty or stale, so its connections read no request, as
   * Kafka enables request processing only after the initial catch-up. Absent: caught up already.
   */
  readonly caughtUp?: Promise<void>;
  /**
   * authorizer.class.name: every request is checked (../authorize-requests.ts) when set; absent, no
   * request is, and the ACL APIs answer SECURITY_DISABLED.
   */
  readonly authorizer?: StandardAuthorizer;
  /**
   * On a SASL_PLAINTEXT or SASL_SSL listener: the mechanisms it offers and the bounds of an
   * exchange. Every connection then authenticates before its first other request
   * (../sasl/sasl-session.ts). Absent on PLAINTEXT and SSL listeners.
   */
  readonly sasl?: KafkaSaslOptions;
}

/** Who sent a request: the header's client id and the connection's address (Kafka's "/127.0.0.1"). */
export interface KafkaClient {
  readonly clientId: string;
  readonly clientHost: string;
  /** Who the connection proved to be ('User:' + its certificate's subject), or User:ANONYMOUS. */
  readonly principal?: string;
}

/** For callers with no connection behind them (tests, tools). */
export const NO_CLIENT: KafkaClient = { clientId: '', clientHost: '' };

export type KafkaHandler<Req, Res> = (ctx: KafkaContext, request: Req, version: number, client?: KafkaClient) => Promise<Res>;
