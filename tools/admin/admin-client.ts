// The admin tools' way into a cluster. From `--bootstrap-controller` addresses it asks a
// controller who the voters are (describeNode) and then talks to the active controller through a
// ControllerChannel, which follows NOT_CONTROLLER answers across a failover. From
// `--bootstrap-server` addresses it talks to the first broker that answers; the broker answers
// reads from its own image and forwards writes to the active controller.

import type { Logger } from '../../quorum/env/index.js';
import { silentLogger } from '../../quorum/env/index.js';
import { NetClient } from '../../quorum/net/client.js';
import { ConnectionError, RequestTimeoutError, type PeerIdentity } from '../../quorum/net/types.js';
import { ControllerChannel, NO_ACTIVE_CONTROLLER } from '../../quorum/server/controller-channel.js';
import { CONTROLLER_METHODS, type DescribeNodeResponse, type RpcCaller, type RpcMethod, type RpcRequest, type RpcResponse } from '../../quorum/server/rpc-methods.js';
import type { AdminConnection, AdminConnector, AdminTarget, VoterAnswer } from '../cli/connect.js';
import { warningText } from '../cli/common.js';
import { clientSecurityFromProperties, type ClientSecurity } from './client-properties.js';

const TOOL: PeerIdentity = { nodeId: -1, role: 'tool', clusterId: null };

export interface AdminClientOptions extends ClientSecurity {
  readonly timeoutMs: number;
  readonly logger?: Logger;
}

/** The TLS and SASL parts of `o`, for a NetClient (a SASL listener is a broker's: controllers take TLS only). */
function security(o: ClientSecurity): ClientSecurity {
  return { ...(o.tls === undefined ? {} : { tls: o.tls }), ...(o.sasl === undefined ? {} : { sasl: o.sasl }) };
}

/** One request to one node, on a connection opened for it and closed after. */
export async function askNode<M extends RpcMethod>(
  target: { readonly host: string; readonly port: number },
  method: M,
  request: RpcRequest<M>,
  o: AdminClientOptions,
): Promise<RpcResponse<M>> {
  const ask = openAsk(target, method, request, o);
  try {
    return await ask.answer;
  } finally {
    await ask.close();
  }
}

/** askNode that the caller closes, possibly before the answer (it is then abandoned). */
function openAsk<M extends RpcMethod>(
  target: { readonly host: string; readonly port: number },
  method: M,
  request: RpcRequest<M>,
  o: AdminClientOptions,
): { readonly answer: Promise<RpcResponse<M>>; close(): Promise<void> } {
  const client = new NetClient({
    endpoint: { host: target.host, port: target.port },
    self: TOOL,
    ...security(o),
    reconnect: false,
    connectTimeoutMs: Math.min(o.timeoutMs, 5_000),
    requestTimeoutMs: o.timeoutMs,
    logger: o.logger ?? silentLogger,
  });
  client.connect();
  return { answer: client.request<RpcResponse<M>>(method, request, { timeoutMs: o.timeoutMs }), close: () => client.close() };
}

/** A voter that has not answered describeNode by then is reported as silent (a paused process accepts connections but never answers). */
const VOTER_PROBE_TIMEOUT_MS = 5_000;

/** describeNode of every voter at once, each on its own connection (see AdminConnection.askVoters). */
export function askVoters(voters: DescribeNodeResponse['voters'], o: AdminClientOptions): Promise<VoterAnswer[]> {
  // Voters are controllers, which take TLS only: a SASL exchange there would be refused.
  const { sasl: _brokersOnly, ...withoutSasl } = o;
  const probe = { ...withoutSasl, timeoutMs: Math.min(o.timeoutMs, VOTER_PROBE_TIMEOUT_MS) };
  return Promise.all(
    voters.map(async ({ id, host, port }): Promise<VoterAnswer> => {
      try {
        return { id, host, port, node: await askNode({ host, port }, 'describeNode', {}, probe) };
      } catch (e) {
        return { id, host, port, error: e instanceof ConnectionError ? e.reason : e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

/**
 * A connection to a single node (a broker's client listener) that keeps one socket for all calls.
 * The broker forwards CONTROLLER_METHODS to the active controller and waits for one for up to 30 s,
 * longer than a command's --timeout (15 s): with no active controller the command's own timeout
 * fired first and read "got no answer within 15000 ms (raise --timeout, or check the node)", of a
 * broker that had just answered, and `quorum describe --status` could not show the voters' views
 * (found by a newcomer's review, the README tour with two controllers killed, through a broker).
 * Such a timeout now says it was forwarded and that no active controller answered, as the
 * controller channel does, so the CLI gives the no-leader hint and quorum describe asks the voters.
 */
class NodeConnection implements RpcCaller {
  constructor(
    private readonly client: NetClient,
    private readonly defaultTimeoutMs: number,
  ) {}
  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options: { readonly timeoutMs?: number } = {}): Promise<RpcResponse<M>> {
    try {
      return await this.client.request<RpcResponse<M>>(method, request, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    } catch (e) {
      if (!(e instanceof RequestTimeoutError) || !CONTROLLER_METHODS.has(method)) throw e;
      throw new RequestTimeoutError(`${method}: the broker forwards it to the active controller, and ${NO_ACTIVE_CONTROLLER} within ${options.timeoutMs ?? this.defaultTimeoutMs} ms`);
    }
  }
  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * A bootstrap target that has not answered by then is joined by the next one: a paused node
 * accepts connections and answers nothing, and asking the targets one after the other waited
 * out its whole connect timeout (5 s) first although the next one would answer at once.
 */
export const BOOTSTRAP_STAGGER_MS = 500;

/**
 * The first target that answers: the targets are asked in order, the next one as soon as one
 * fails or after BOOTSTRAP_STAGGER_MS without an answer; the questions still open are dropped
 * once one is answered. When none answers: with one target, its own error (a timeout or a refused
 * handshake keeps its kind); with several, one ConnectionError naming each target once, in order.
 */
export function connectAdmin(targets: readonly AdminTarget[], o: AdminClientOptions): Promise<AdminConnection> {
  const failures: ({ readonly where: string; readonly error: Error } | undefined)[] = [];
  const open = new Set<{ close(): Promise<void> }>();
  return new Promise<AdminConnection>((resolve, reject) => {
    let next = 0;
    let done = false;
    let stagger: ReturnType<typeof setTimeout> | undefined;
    const failed = (i: number, where: string, error: Error): void => {
      failures[i] = { where, error };
      if (failures.filter((f) => f !== undefined).length === targets.length) {
        done = true;
        clearTimeout(stagger);
        reject(noTargetAnswered(failures.filter((f) => f !== undefined)));
      } else ask();
    };
    const ask = (): void => {
      clearTimeout(stagger);
      if (done || next >= targets.length) return;
      const i = next++;
      const target = targets[i]!;
      const where = `${target.host}:${target.port}`;
      const question = openAsk(target, 'describeNode', {}, o);
      open.add(question);
      if (next < targets.length) stagger = setTimeout(ask, BOOTSTRAP_STAGGER_MS);
      question.answer.then(
        (node) => {
          if (done) return;
          let connection: AdminConnection | Error;
          try {
            connection = connectionFor(target, where, node, o);
          } catch (e) {
            // An answer not shaped as expected (no roles, no voters): this target does not serve.
            // Thrown from here it would be an unhandled rejection, and connectAdmin would never settle.
            connection = e instanceof Error ? e : new Error(String(e));
          }
          if (connection instanceof Error) return failed(i, where, connection);
          done = true;
          clearTimeout(stagger);
          resolve(connection);
        },
        (e: unknown) => {
          if (!done) failed(i, where, e instanceof Error ? e : new Error(String(e)));
        },
      );
    };
    if (targets.length === 0) reject(new ConnectionError('could not reach the cluster: no address given', 'no address given'));
    else ask();
  }).finally(() => Promise.all([...open].map((q) => q.close())));
}

/** The connection an answering bootstrap target leads to, or why it does not serve. */
function connectionFor(target: AdminTarget, where: string, node: DescribeNodeResponse, o: AdminClientOptions): AdminConnection | Error {
  if (target.kind === 'controller') {
    if (!node.roles.includes('controller')) {
      const reason = `node ${node.nodeId} (roles ${node.roles.join(',')}) listens there, not a controller; use --bootstrap-server for brokers`;
      return new ConnectionError(`${where}: ${reason}`, reason);
    }
    const channel = new ControllerChannel({
      voters: node.voters,
      self: TOOL,
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      logger: o.logger ?? silentLogger,
      defaultTimeoutMs: o.timeoutMs,
    });
    return Object.assign(channel, { askVoters: () => askVoters(node.voters, o) });
  }
  const client = new NetClient({
    endpoint: { host: target.host, port: target.port },
    self: TOOL,
    ...security(o),
    reconnect: false,
    requestTimeoutMs: o.timeoutMs,
    logger: o.logger ?? silentLogger,
  });
  client.connect();
  return Object.assign(new NodeConnection(client, o.timeoutMs), { askVoters: () => askVoters(node.voters, o) });
}

function noTargetAnswered(failures: readonly { readonly where: string; readonly error: Error }[]): Error {
  const only = failures.length === 1 ? failures[0]!.error : undefined;
  if (only !== undefined && (only as { code?: unknown }).code !== undefined) return only;
  const reasonAt = ({ where, error }: (typeof failures)[number]): string => {
    const reason = error instanceof ConnectionError ? error.reason : error.message;
    return reason.includes(where) ? reason : `${where}: ${reason}`;
  };
  const reason = failures.map(reasonAt).join('; ');
  return new ConnectionError(`could not reach the cluster: ${reason}`, reason);
}

export const realAdminConnector: AdminConnector = async (targets, options) => {
  const secure = options.commandConfig === undefined ? {} : await clientSecurityFromProperties(options.commandConfig, (m) => process.stderr.write(warningText(m)));
  return connectAdmin(targets, { timeoutMs: options.timeoutMs, ...secure });
};
