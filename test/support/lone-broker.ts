// A broker process's server in-process, with no controller to talk to: its one voter's port is
// closed, so it stays STARTING (or, held, restoring) while a test probes its client listener.
// Given a MetadataSource (test/support/manual-metadata-source.ts) it runs in combined mode on it
// instead of following a log of its own, so a test can change its image.

import net from 'node:net';
import { join } from 'node:path';
import { BrokerServer } from '../../broker/broker-server.js';
import type { MetadataSource } from '../../broker/metadata-follower.js';
import type { Logger } from '../../quorum/env/index.js';
import type { ConnectionLimits } from '../../quorum/net/connection-quotas.js';
import type { AuthorizerConfig } from '../../quorum/controller/acls/authorizer.js';
import { realClock, realRandom } from '../../quorum/node/real-env.js';
import { capturingLogger } from './recording-logger.js';

/** A loopback port that was just free: nothing listens on it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface LoneBrokerOptions {
  readonly clientPort?: number;
  readonly onFatal?: (e: unknown) => void;
  readonly readCatchUpWaitMs?: number;
  readonly connectionLimits?: ConnectionLimits;
  /** A second client listener, INTERNAL, on any port. */
  readonly secondListener?: boolean;
  readonly logger?: Logger;
  /** authorizer.class.name set, with these super.users and allow.everyone.if.no.acl.found. */
  readonly authorizer?: AuthorizerConfig;
  /** Combined mode on this source instead of a log of its own. */
  readonly metadata?: MetadataSource;
}

/** Starts broker 2 (data under `dir`, its client listener on `clientPort`, 0: any) whose only voter never answers. */
export async function startLoneBroker(dir: string, o: LoneBrokerOptions = {}): Promise<BrokerServer> {
  const voterPort = await freePort();
  const port = o.clientPort ?? 0;
  const second = o.secondListener === true ? [{ name: 'INTERNAL', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' as const }] : [];
  return BrokerServer.start({
    nodeId: 2,
    clusterId: 'lone-broker-cluster',
    voters: [{ id: 1, host: '127.0.0.1', port: voterPort }],
    rack: null,
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' }, ...second],
    advertised: [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' }, ...second],
    heartbeatIntervalMs: 500,
    initialRegistrationTimeoutMs: 600_000,
    controlledShutdownTimeoutMs: 500,
    isrExpansionEnable: false,
    clock: realClock,
    random: realRandom,
    logger: o.logger ?? capturingLogger(),
    roles: ['broker'],
    onFatal: o.onFatal ?? (() => undefined),
    ...(o.readCatchUpWaitMs === undefined ? {} : { readCatchUpWaitMs: o.readCatchUpWaitMs }),
    ...(o.connectionLimits === undefined ? {} : { connectionLimits: o.connectionLimits }),
    ...(o.authorizer === undefined ? {} : { authorizer: o.authorizer }),
    ...(o.metadata === undefined
      ? { split: { metadataLogDir: join(dir, 'meta'), raft: {}, snapshots: { maxBytes: 1 << 20, maxIntervalMs: 0, retryBackoffMs: 1000 } } }
      : { combined: { source: o.metadata, activeControllerId: () => null } }),
  });
}
