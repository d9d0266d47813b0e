// The seam between the admin commands and the network: a connector turns the bootstrap addresses
// the user gave (--bootstrap-controller / --bootstrap-server) into a typed RPC caller.
//
// The commands only know this interface, so they run the same against the real TCP client (wired
// by the program's entry point with setAdminConnector) and against an in-process fake in tests.
// A caller's failures arrive as thrown errors: a remote refusal carries a numeric Kafka error
// `code` and an `errorName`; a transport failure carries a string `code` ('CONNECTION_ERROR',
// 'REQUEST_TIMEOUT', 'HANDSHAKE_REFUSED'); see ./admin-errors.ts for how they are worded.

import type { DescribeNodeResponse, RpcCaller } from '../../quorum/server/rpc-methods.js';

/** One bootstrap address: a controller listener, or a broker's client listener. */
export interface AdminTarget {
  readonly kind: 'controller' | 'server';
  readonly host: string;
  readonly port: number;
}

/** One voter asked directly (describeNode on its controller listener): its answer, or why none came. */
export type VoterAnswer = { readonly id: number; readonly host: string; readonly port: number } & ({ readonly node: DescribeNodeResponse } | { readonly error: string });

export type AdminConnection = RpcCaller & {
  close(): Promise<void>;
  /**
   * Every voter the bootstrap node named, each asked on its own connection: works with no active
   * controller, so a tool can show each voter's own view when nothing else answers.
   */
  askVoters(): Promise<VoterAnswer[]>;
};

export interface AdminConnectOptions {
  readonly timeoutMs: number;
  /** A client properties file (security.protocol, ssl.*), when the listeners use TLS. */
  readonly commandConfig?: string;
}

export type AdminConnector = (targets: readonly AdminTarget[], options: AdminConnectOptions) => Promise<AdminConnection>;

let connector: AdminConnector | undefined;

/** Sets the connector every admin command uses (the entry point's real client, or a test's fake). */
export function setAdminConnector(c: AdminConnector): void {
  connector = c;
}

/** The connector set by setAdminConnector; throws when none was set (a wiring mistake). */
export function adminConnector(): AdminConnector {
  if (connector === undefined) throw new Error('no admin connector is set: the program entry point must call setAdminConnector');
  return connector;
}
