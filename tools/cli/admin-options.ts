// The flags every admin command shares and the connection each one opens, uses once and closes:
//   --bootstrap-controller <host:port,...> | --bootstrap-server <host:port,...>  (exactly one)
//   --timeout <ms> (default 15000)      --json (read commands)
// Either bootstrap list reaches the active controller for writes (a broker forwards them); reads
// are answered by the node reached. A bad host:port is a commander error (exit 2); neither or
// both lists is a UsageError (exit 2); a failure of the connection or of the whole request is
// reworded by adminErrorMessage (exit 1).

import { Option, type Command } from 'commander';
import { EXIT_USAGE, hostPortListArg, timeoutMsArg, UsageError, type HostPort } from './common.js';
import { adminErrorMessage, isCodedError } from './admin-errors.js';
import { adminConnector, type AdminConnection, type AdminTarget } from './connect.js';

export const DEFAULT_ADMIN_TIMEOUT_MS = 15_000;

export interface AdminOptions {
  readonly bootstrapController?: readonly HostPort[];
  readonly bootstrapServer?: readonly HostPort[];
  readonly timeout: number;
  /** --command-config: client properties (security.protocol, ssl.*, sasl.*), as Kafka's tools take them. */
  readonly commandConfig?: string;
}

export interface ReadOptions extends AdminOptions {
  readonly json: boolean;
}

/** Adds the bootstrap and timeout flags (and --json when `json`) to an admin command. */
export function addAdminOptions(cmd: Command, options: { readonly json: boolean }): Command {
  cmd
    .addOption(new Option('--bootstrap-controller <host:port,...>', 'controller listener(s) to reach the quorum through').argParser(hostPortListArg('--bootstrap-controller')))
    .addOption(new Option('--bootstrap-server <host:port,...>', "broker client listener(s) to reach the cluster through").argParser(hostPortListArg('--bootstrap-server')))
    .addOption(new Option('--timeout <ms>', 'per-request timeout in milliseconds').default(DEFAULT_ADMIN_TIMEOUT_MS).argParser(timeoutMsArg('--timeout')))
    .option(
      '--command-config <file>',
      'client properties for reaching TLS and SASL listeners, as Kafka\'s tools take them: security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), ' +
        'ssl.keystore.location, ssl.key.password, ssl.truststore.location, ssl.endpoint.identification.algorithm; ' +
        'sasl.mechanism (SCRAM-SHA-256 or SCRAM-SHA-512) and sasl.jaas.config (a ScramLoginModule line with username and password)',
    );
  if (options.json) cmd.option('--json', 'print one JSON object', false);
  return cmd;
}

/** The bootstrap targets; UsageError unless exactly one non-empty list was given. */
export function adminTargets(opts: AdminOptions): AdminTarget[] {
  const { bootstrapController: controllers, bootstrapServer: servers } = opts;
  if (controllers !== undefined && servers !== undefined) {
    throw new UsageError('give one of --bootstrap-controller and --bootstrap-server, not both');
  }
  if (controllers === undefined && servers === undefined) {
    throw new UsageError('missing --bootstrap-controller <host:port> or --bootstrap-server <host:port>');
  }
  const kind = controllers !== undefined ? 'controller' : 'server';
  const list = controllers ?? servers ?? [];
  if (list.length === 0) throw new UsageError(`--bootstrap-${kind}: expected at least one host:port`);
  return list.map((hp) => ({ kind, host: hp.host, port: hp.port }));
}

/**
 * Connects, runs `fn` with the caller and closes (a failed close is ignored: the answer is in).
 * Remote and transport errors become one-line messages (exit 1); others pass through unchanged.
 */
export async function withAdmin<T>(opts: AdminOptions, fn: (rpc: AdminConnection, callOptions: { readonly timeoutMs: number }) => Promise<T>): Promise<T> {
  const targets = adminTargets(opts);
  const timeoutMs = opts.timeout;
  try {
    const connection = await adminConnector()(targets, { timeoutMs, ...(opts.commandConfig === undefined ? {} : { commandConfig: opts.commandConfig }) });
    try {
      return await fn(connection, { timeoutMs });
    } finally {
      await connection.close().catch(() => undefined);
    }
  } catch (e) {
    // A usage or configuration error of this command (a --command-config that cannot be used)
    // keeps its message and exit status 2: it is not an answer from the cluster (found by a review).
    if (!isCodedError(e) || (e as { exitCode?: unknown }).exitCode === EXIT_USAGE) throw e;
    throw new Error(adminErrorMessage(e, { targets, timeoutMs }) ?? String(e), { cause: e });
  }
}
