// The SASL side of one Kafka connection on a SASL_PLAINTEXT or SASL_SSL listener (Kafka's
// SaslServerAuthenticator): until the client has proved who it is, only the requests of the
// exchange are read, and each is answered here; once it has, every request goes to its handler as
// on any other listener, under the principal User:<name>.
//
// States and transitions (a request not listed for a state fails the session unanswered, with the
// reason logged, as Kafka's IllegalSaslStateException does):
//
//   handshake       ApiVersions, the first         → handshake      (answered by its handler; a second
//                                                                     one fails, as in Kafka: one per connection)
//                   ApiVersions at a version not served, up to UNSUPPORTED_VERSIONS_MAX times before the
//                   first served one              → handshake      (UNSUPPORTED_VERSION, so the client retries)
//                   SaslHandshake, mechanism offered → exchange      (NONE, the mechanisms offered)
//                   SaslHandshake, mechanism not offered → failed    (UNSUPPORTED_SASL_MECHANISM, the mechanisms offered)
//   exchange        SaslAuthenticate (after a v1 handshake) or a raw token (after v0: a frame that
//                   is the SCRAM message itself, no Kafka header, answered the same way)
//                     client-first                 → exchange       (server-first)
//                     client-final, proof valid    → authenticated  (server-final)
//                     anything wrong               → failed         (SASL_AUTHENTICATION_FAILED; v0: no answer)
//   authenticated   anything                       → authenticated  (its handler; SaslHandshake and
//                                                                     SaslAuthenticate get ILLEGAL_SASL_STATE
//                                                                     there: no re-authentication, KIP-368)
//   failed          nothing more is read. Every way into failed (a wrong proof, an unoffered mechanism,
//                   a request out of order, a frame that does not decode) holds the connection
//                   connection.failed.authentication.delay.ms, then sends what was answered before,
//                   the failure's answer if it has one, and closes (Kafka delays every failure of the
//                   exchange). A v0 client's wrong proof closed at once until a review found it: a
//                   password guesser could skip the delay by asking for v0.
//
// Before authenticated, a request larger than sasl.server.max.receive.size closes the connection
// (frameBound): an unauthenticated client cannot make the broker buffer a 100 MiB frame.
// Credentials are read from the broker's image at the client-first message: a credential altered
// or deleted later does not end a connection that authenticated with it (Kafka's rule without
// re-authentication).

import { RefusalWarnings } from '../../../quorum/net/refusal-warnings.js';
import type { Logger } from '../../../quorum/env/index.js';
import type { HandshakeSaslOptions } from '../../../quorum/net/types.js';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ScramMechanism } from '../../../metadata-log/records/types.js';
import { scramMechanismByName } from '../../../metadata-log/records/user-scram-credential.js';
import { encodeKafkaResponse, ErrorCode, type DecodedKafkaRequest } from '../protocol/index.js';
import { ScramAuthenticationError, ScramServerExchange } from './scram-server.js';

/** A node's SASL settings (server.properties, tools/config/sasl-settings.ts). */
export interface SaslSettings {
  /** The mechanisms each SASL listener offers, by listener name; no entry for any other listener. */
  readonly mechanisms: ReadonlyMap<string, readonly string[]>;
  /** connection.failed.authentication.delay.ms */
  readonly failedAuthenticationDelayMs: number;
  /** sasl.server.max.receive.size: the largest request read before a client has authenticated. */
  readonly maxReceiveBytes: number;
}

/** What one SASL listener is served with. */
export interface KafkaSaslOptions {
  /** The mechanisms offered, in the order the handshake lists them. */
  readonly mechanisms: readonly string[];
  readonly failedAuthenticationDelayMs: number;
  readonly maxReceiveBytes: number;
  /** Failed authentications on this listener, coalesced in the log (one line per interval, with the count). */
  readonly failureWarnings: RefusalWarnings;
}

/** What the connection does with a frame while the session is not authenticated. */
export type SaslVerdict =
  /** Answer it as on any listener (ApiVersions before the handshake). */
  | { readonly kind: 'dispatch' }
  /** Write this answer; with `thenClose`, hold it `delayMs` first and close the connection behind it. */
  | { readonly kind: 'reply'; readonly bytes: Buffer; readonly thenClose?: { readonly reason: string; readonly delayMs: number } }
  /** Close unanswered, after `delayMs` (the answers queued before it leave first). */
  | { readonly kind: 'close'; readonly reason: string; readonly delayMs: number };

/** ApiVersions at versions not served a client may send before its first served one (kafkajs retries once). */
export const UNSUPPORTED_VERSIONS_MAX = 3;

type State =
  | { readonly name: 'handshake'; readonly versionsAnswered: boolean }
  | { readonly name: 'exchange'; readonly mechanism: string; readonly scram: ScramServerExchange; readonly raw: boolean }
  | { readonly name: 'authenticated'; readonly principal: string }
  | { readonly name: 'failed' };

export class SaslSession {
  private state: State = { name: 'handshake', versionsAnswered: false };
  private unsupportedVersionsLeft = UNSUPPORTED_VERSIONS_MAX;

  constructor(
    private readonly o: KafkaSaslOptions,
    private readonly image: () => MetadataImageView,
    private readonly listenerName: string,
    private readonly remote: string,
    private readonly logger: Logger,
    private readonly onOutcome?: (mechanism: string, succeeded: boolean) => void,
  ) {}

  /** User:<name> once authenticated; null before. */
  get principal(): string | null {
    return this.state.name === 'authenticated' ? this.state.principal : null;
  }

  /** True after a v0 handshake: the next frames are raw SCRAM messages, not Kafka requests. */
  get expectsRawToken(): boolean {
    return this.state.name === 'exchange' && this.state.raw;
  }

  /** The largest frame the connection may read now. */
  frameBound(authenticatedBound: number): number {
    return this.state.name === 'authenticated' ? authenticatedBound : Math.min(authenticatedBound, this.o.maxReceiveBytes);
  }

  /** A Kafka request that arrived before the session was authenticated. */
  onRequest(decoded: DecodedKafkaRequest): SaslVerdict {
    const { api, header } = decoded;
    const state = this.state;
    if (state.name === 'handshake') {
      if (api === 'ApiVersions') {
        if (state.versionsAnswered) return this.refuse('a second ApiVersions before SASL authentication');
        this.state = { name: 'handshake', versionsAnswered: true };
        return { kind: 'dispatch' };
      }
      if (api !== 'SaslHandshake') return this.refuse(`${api} before SASL authentication (a client configured without SASL on a SASL listener?)`);
      const mechanism = decoded.request.mechanism;
      const mechanisms = [...this.o.mechanisms];
      const id = scramMechanismByName(mechanism);
      if (id === undefined || !this.o.mechanisms.includes(mechanism)) {
        this.state = { name: 'failed' };
        const reason = `the client asked for SASL mechanism ${JSON.stringify(mechanism.slice(0, 64))}; listener ${this.listenerName} offers ${mechanisms.join(', ')}`;
        const bytes = encodeKafkaResponse('SaslHandshake', header, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms });
        return { kind: 'reply', bytes, thenClose: { reason, delayMs: this.o.failedAuthenticationDelayMs } };
      }
      this.state = { name: 'exchange', mechanism, scram: scramExchange(id, this.image), raw: header.apiVersion === 0 };
      return { kind: 'reply', bytes: encodeKafkaResponse('SaslHandshake', header, { errorCode: ErrorCode.NONE, mechanisms }) };
    }
    if (state.name === 'exchange' && !state.raw) {
      if (api !== 'SaslAuthenticate') return this.refuse(`${api} during SASL authentication`);
      return this.step(state, decoded.request.authBytes, (outcome) =>
        encodeKafkaResponse('SaslAuthenticate', header, {
          errorCode: outcome.ok ? ErrorCode.NONE : ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: outcome.ok ? null : outcome.message,
          authBytes: outcome.ok ? outcome.bytes : new Uint8Array(0),
          sessionLifetimeMs: 0n,
        }),
      );
    }
    return this.refuse(`${api} in SASL state ${state.name}`);
  }

  /** ApiVersions at a version not served, before authentication: answered (UNSUPPORTED_VERSION) only while the client may still pick a served one. */
  onUnsupportedApiVersions(): SaslVerdict {
    if (this.state.name !== 'handshake' || this.state.versionsAnswered) return this.refuse(`ApiVersions in SASL state ${this.state.name === 'handshake' ? 'handshake, after an ApiVersions' : this.state.name}`);
    if (this.unsupportedVersionsLeft-- <= 0) return this.refuse(`more than ${UNSUPPORTED_VERSIONS_MAX} ApiVersions at versions not served before SASL authentication`);
    return { kind: 'dispatch' };
  }

  /** A frame after a v0 handshake: the SCRAM message itself. Answered with the reply alone, size-prefixed; a failure closes unanswered, as Kafka does. */
  onRawToken(token: Uint8Array): SaslVerdict {
    const state = this.state;
    if (state.name !== 'exchange' || !state.raw) return this.refuse(`a raw SASL token in SASL state ${state.name}`);
    return this.step(state, token, (outcome) => (outcome.ok ? sizePrefixed(outcome.bytes) : null));
  }

  private step(
    state: Extract<State, { name: 'exchange' }>,
    message: Uint8Array,
    answer: (outcome: { ok: true; bytes: Uint8Array } | { ok: false; message: string }) => Buffer | null,
  ): SaslVerdict {
    let reply: Uint8Array;
    try {
      reply = state.scram.evaluate(message);
    } catch (e) {
      if (!(e instanceof ScramAuthenticationError)) throw e;
      this.state = { name: 'failed' };
      this.onOutcome?.(state.mechanism, false);
      logSaslFailure(this.o, this.logger, { listener: this.listenerName, remote: this.remote, mechanism: state.mechanism, reason: e.reason });
      const bytes = answer({ ok: false, message: e.message });
      const thenClose = { reason: `SASL authentication failed (${state.mechanism})`, delayMs: this.o.failedAuthenticationDelayMs };
      return bytes === null ? { kind: 'close', ...thenClose } : { kind: 'reply', bytes, thenClose };
    }
    const bytes = answer({ ok: true, bytes: reply })!;
    if (state.scram.complete) {
      const principal = `User:${state.scram.user!}`;
      this.state = { name: 'authenticated', principal };
      this.onOutcome?.(state.mechanism, true);
      this.logger.debug({ remote: this.remote, listener: this.listenerName, mechanism: state.mechanism, principal }, 'SASL authentication succeeded');
    }
    return { kind: 'reply', bytes };
  }

  /** Fails the session for `reason` (a request out of order, or one that cannot be read): closed unanswered after the failure delay. */
  refuse(reason: string): SaslVerdict {
    this.state = { name: 'failed' };
    return { kind: 'close', reason, delayMs: this.o.failedAuthenticationDelayMs };
  }

}

/** A SCRAM exchange for `mechanism` against the credentials in the broker's image (read at the client-first message). */
function scramExchange(mechanism: ScramMechanism, image: () => MetadataImageView): ScramServerExchange {
  return new ScramServerExchange(mechanism, (user, m) => image().scramUser(user)?.credentials.get(m));
}

/** A failed authentication in the log: one warn line per interval and listener, with the count (a guesser would flood it). */
function logSaslFailure(o: KafkaSaslOptions, logger: Logger, f: { readonly listener: string; readonly remote: string; readonly mechanism: string; readonly reason: string }): void {
  const failures = o.failureWarnings.note(f.listener);
  if (failures === null) return;
  logger.warn({ ...f, failures }, 'SASL authentication failed');
}

/**
 * The same listener's SASL for metaquorum's tools, in the internal protocol's handshake
 * (quorum/net/handshake.ts): the same mechanisms, credentials, delay, log lines and counter as a
 * Kafka client meets there, so one password works for both and a guesser gains nothing by
 * switching protocol.
 */
export function internalProtocolSasl(
  o: KafkaSaslOptions,
  image: () => MetadataImageView,
  listenerName: string,
  logger: Logger,
  onOutcome?: (mechanism: string, succeeded: boolean) => void,
  ready?: Promise<unknown>,
): HandshakeSaslOptions {
  return {
    mechanisms: o.mechanisms,
    failureDelayMs: o.failedAuthenticationDelayMs,
    ...(ready === undefined ? {} : { ready }),
    exchange: (mechanism) => scramExchange(scramMechanismByName(mechanism)!, image),
    onOutcome: (mechanism, { user, reason, remote }) => {
      onOutcome?.(mechanism, user !== null);
      if (user !== null) logger.debug({ remote, listener: listenerName, mechanism, principal: `User:${user}` }, 'SASL authentication succeeded (internal protocol)');
      else logSaslFailure(o, logger, { listener: listenerName, remote, mechanism, reason: reason ?? 'unknown' });
    },
  };
}

function sizePrefixed(bytes: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + bytes.length);
  frame.writeInt32BE(bytes.length, 0);
  frame.set(bytes, 4);
  return frame;
}
