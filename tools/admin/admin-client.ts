// The admin tools' way into a cluster. From `--bootstrap-controller` addresses it asks a
// controller who the voters are (describeNode) and then talks to the active controller through a
// ControllerChannel, which follows NOT_CONTROLLER answers across a failover. From
// `--bootstrap-server` addresses it talks to the first broker that answers; the broker answers
// reads from its own image and forwards writes to the active controller.

import type { Logger } from '../../quorum/env/index.js';
import { silentLogger } from '../../quorum/env/index.js';
import { NetClient } from '../../quorum/net/client.js';
import { ConnectionError, type PeerIdentity, type TlsMaterial } from '../../quorum/net/types.js';
import { ControllerChannel } from '../../quorum/server/controller-channel.js';
import type { DescribeNodeResponse, RpcCaller, RpcMethod, RpcRequest, RpcResponse } from '../../quorum/server/rpc-methods.js';
import type { AdminConnection, AdminConnector, AdminTarget } from '../cli/connect.js';
import { clientTlsFromProperties } from './client-properties.js';

const TOOL: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: null };

export interface AdminClientOptions {
  readonly timeoutMs: number;
  readonly tls?: TlsMaterial;
  readonly logger?: Logger;
}

/** One request to one node, on a connection opened for it and closed after. */
export async function askNode<M extends RpcMethod>(
  target: { readonly host: string; readonly port: number },
  method: M,
  request: RpcRequest<M>,
  o: AdminClientOptions,
): Promise<RpcResponse<M>> {
  const client = new NetClient({
    endpoint: { host: target.host, port: target.port },
    self: TOOL,
    ...(o.tls === undefined ? {} : { tls: o.tls }),
    reconnect: false,
    connectTimeoutMs: Math.min(o.timeoutMs, 5_000),
    requestTimeoutMs: o.timeoutMs,
    logger: o.logger ?? silentLogger,
  });
  try {
    client.connect();
    return await client.request<RpcResponse<M>>(method, request, { timeoutMs: o.timeoutMs });
  } finally {
    await client.close();
  }
}

/** A connection to a single node that keeps one socket for all calls. */
class NodeConnection implements RpcCaller {
  constructor(private readonly client: NetClient) {}
  call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options: { readonly timeoutMs?: number } = {}): Promise<RpcResponse<M>> {
    return this.client.request<RpcResponse<M>>(method, request, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  }
  close(): Promise<void> {
    return this.client.close();
  }
}

export async function connectAdmin(targets: readonly AdminTarget[], o: AdminClientOptions): Promise<AdminConnection> {
  const errors: string[] = [];
  for (const target of targets) {
    try {
      const node: DescribeNodeResponse = await askNode(target, 'describeNode', {}, o);
      if (target.kind === 'controller') {
        if (!node.roles.includes('controller')) {
          errors.push(`${target.host}:${target.port} is node ${node.nodeId} (${node.roles.join(',')}), not a controller listener; use --bootstrap-server for brokers`);
          continue;
        }
        const channel = new ControllerChannel({
          voters: node.voters,
          self: TOOL,
          ...(o.tls === undefined ? {} : { tls: o.tls }),
          logger: o.logger ?? silentLogger,
          defaultTimeoutMs: o.timeoutMs,
        });
        return channel;
      }
      const client = new NetClient({
        endpoint: { host: target.host, port: target.port },
        self: TOOL,
        ...(o.tls === undefined ? {} : { tls: o.tls }),
        reconnect: false,
        requestTimeoutMs: o.timeoutMs,
        logger: o.logger ?? silentLogger,
      });
      client.connect();
      return new NodeConnection(client);
    } catch (e) {
      errors.push(`${target.host}:${target.port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new ConnectionError(`could not reach the cluster: ${errors.join('; ')}`);
}

export const realAdminConnector: AdminConnector = async (targets, options) => {
  const tls = options.commandConfig === undefined ? undefined : await clientTlsFromProperties(options.commandConfig, (m) => process.stderr.write(`warning: ${m}\n`));
  return connectAdmin(targets, { timeoutMs: options.timeoutMs, ...(tls === undefined ? {} : { tls }) });
};
