// How an admin command's failures read on the terminal. Two kinds, both exit 1:
// - the whole request failed: a remote refusal (numeric Kafka `code` + `errorName`, e.g.
//   NOT_CONTROLLER) or a transport failure (string `code`: CONNECTION_ERROR, REQUEST_TIMEOUT,
//   HANDSHAKE_REFUSED); adminErrorMessage words it as one line naming where it went;
// - some items of an answered request failed (a topic that exists, a resource that does not):
//   each item is printed (reportItems), then one summary naming the failed ones is thrown.

import { ConnectionError } from '../../quorum/net/types.js';
import type { AdminTarget } from './connect.js';
import { errorLabel, hostPortText } from './format.js';
import { isNoActiveController } from './quorum-no-leader.js';

/** Some items of an answered request failed; the message names them. Exit 1. */
export class ItemsFailedError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly failed: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** What happened to one item of a request, as the line to print. */
export interface ItemOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly line: string;
}

/**
 * Prints each outcome (successes on stdout, failures on stderr, in request order), then throws one
 * ItemsFailedError naming the failed items: "could not create 1 of 2 topics: b".
 */
export function reportItems(outcomes: readonly ItemOutcome[], verb: string, noun: string): void {
  for (const o of outcomes) (o.ok ? process.stdout : process.stderr).write(`${o.line}\n`);
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
  if (failed.length > 0) throw new ItemsFailedError(failed, `could not ${verb} ${failed.length} of ${outcomes.length} ${noun}: ${failed.join(', ')}`);
}

/** "controller localhost:9093, localhost:9094" */
export function targetsText(targets: readonly AdminTarget[]): string {
  const kind = targets[0]?.kind === 'server' ? 'server' : 'controller';
  return `${kind} ${targets.map((t) => hostPortText(t.host, t.port)).join(', ')}`;
}

interface CodedError {
  readonly code?: unknown;
  readonly errorName?: unknown;
  readonly message?: unknown;
}

/** True for errors that came from the remote end or the transport (they carry a `code`). */
export function isCodedError(e: unknown): boolean {
  const code = (e as CodedError | null)?.code;
  return typeof code === 'number' || typeof code === 'string';
}

/** The transport's words for "this is an SSL listener" (quorum/net/handshake.ts), and how a command gets TLS. */
const TLS_HINT = 'configure TLS for this connection';
const TLS_HOW = `${TLS_HINT} (--command-config <file> with security.protocol=SSL and ssl.truststore.location; ssl.keystore.location too if it asks for a client certificate)`;

const NO_LEADER_HINT =
  "the quorum may have no leader: is a majority of the voters running? (quorum describe --status shows each voter's own view; dump-log --dir <a voter's metadata.log.dir> --limit 1 reads a stopped one's epoch and vote)";

/** One line for a whole-request failure; null when `e` is not a remote or transport error. */
export function adminErrorMessage(e: unknown, context: { readonly targets: readonly AdminTarget[]; readonly timeoutMs: number }): string | null {
  // The transport says to configure TLS; a command does it with --command-config: say how.
  return transportOrRemoteMessage(e, context)?.replace(TLS_HINT, TLS_HOW) ?? null;
}

function transportOrRemoteMessage(e: unknown, context: { readonly targets: readonly AdminTarget[]; readonly timeoutMs: number }): string | null {
  if (e === null || typeof e !== 'object') return null;
  const { code, errorName, message } = e as CodedError;
  const reason = e instanceof ConnectionError ? e.reason : message;
  const text = typeof reason === 'string' && reason !== '' ? reason : 'no details';
  const where = targetsText(context.targets);
  if (typeof code === 'number') {
    const name = typeof errorName === 'string' && errorName !== '' ? errorName : errorLabel(code);
    // NOT_CONTROLLER at the deadline: the voters asked all said some other one leads, or none does.
    return `request refused (via ${where}): ${name}: ${text}${isNoActiveController(e) ? `; ${NO_LEADER_HINT}` : ''}`;
  }
  if (typeof code !== 'string') return null;
  // Transport errors often name the address already ("handshake with h:p failed: ..."): say it once.
  const named = context.targets.some((t) => text.includes(hostPortText(t.host, t.port)) || text.includes(`${t.host}:${t.port}`));
  // The bootstrap node answered, but no voter would act as the active controller: not an address
  // problem (found by a review: it read "cannot reach controller <a node that had answered>").
  // The hint names what works without a leader: `quorum describe --status` then asks each voter
  // for its own view (quorum-no-leader.ts); dump-log reads a stopped voter's files.
  if ((code === 'CONNECTION_ERROR' || code === 'REQUEST_TIMEOUT') && isNoActiveController(e)) return `${text} (via ${where}); ${NO_LEADER_HINT}`;
  switch (code) {
    case 'CONNECTION_ERROR':
      return named && typeof message === 'string' ? message : `cannot reach ${where}: ${text}`;
    case 'REQUEST_TIMEOUT':
      return `${named ? text : `no answer within ${context.timeoutMs} ms from ${where}: ${text}`} (raise --timeout, or check the node)`;
    case 'HANDSHAKE_REFUSED':
      return named ? text : `${where} refused the connection handshake: ${text}`;
    default:
      return `${code} (via ${where}): ${text}`;
  }
}
