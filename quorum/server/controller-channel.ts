// A channel to "the active controller", whichever voter that is right now: brokers send their
// registrations, heartbeats and forwarded admin writes through it, and so do the admin tools.
//
// It keeps one connection per voter, sends to the controller it believes active, and follows
// NOT_CONTROLLER answers: to the named controller at once, or (no hint, a dead connection, a
// timeout) round the voters with a short exponential back-off, until the call's deadline. A
// controller failover is thus a few retries for the caller, never an error, unless it outlasts
// the deadline. A retried write whose first attempt may have been applied (outcome 'unknown') is
// sent again: every write the controller runs is either idempotent or answers the second time
// with a definite error (TOPIC_ALREADY_EXISTS), as Kafka's are. A caller that must know what its
// own request did (the chaos workload's history) passes `retryAmbiguous: false`: an attempt that
// may have been applied (the connection lost or timed out after sending, or NOT_CONTROLLER with
// outcome 'unknown') then ends the call with an AmbiguousOutcomeError instead of a retry.
//
// A hung controller (paused, or stuck in I/O) keeps its connections open and answers nothing: an
// attempt to it would wait out its whole attempt timeout (5 s) although the quorum elects another
// within about a second. So an attempt that has not settled after takeoverProbeMs makes the
// channel ask the other voters (describeNode) who the active controller is, and again every
// takeoverProbeMs while it runs: once a majority of the voters name one other than the attempt's
// target, the attempt is given up (it was sent: an ambiguous outcome, retried there or reported as
// above) and the call goes on at the one named. A majority, not one voter's word: a deposed leader
// cut off from the quorum still names itself until check-quorum retires it. A probe round serves
// every slow call to the same controller for takeoverProbeMs. Routing only: whoever is asked, the
// controller checks its own leadership, and only the quorum commits.

import type { Logger } from '../env/index.js';
import { NetClient } from '../net/client.js';
import {
  ConnectionError,
  HandshakeRefusedError,
  RemoteError,
  RequestTimeoutError,
  type Endpoint,
  type PeerIdentity,
  type TlsMaterial,
} from '../net/types.js';
import { ErrorCode } from '../controller/errors.js';
import type { DescribeNodeResponse, RpcCaller, RpcMethod, RpcRequest, RpcResponse } from './rpc-methods.js';

export interface VoterEndpoint {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** The part of NetClient the channel uses (tests substitute it). */
export interface ControllerConnection {
  request<T>(method: string, body: unknown, options?: { timeoutMs?: number }): Promise<T>;
  close(): Promise<void>;
}

export interface ControllerChannelOptions {
  readonly voters: readonly VoterEndpoint[];
  readonly self: PeerIdentity;
  readonly tls?: TlsMaterial;
  readonly logger: Logger;
  /** One attempt's timeout (the call's own deadline may cut it shorter). */
  readonly attemptTimeoutMs?: number;
  /** The call's deadline when the caller gives none. */
  readonly defaultTimeoutMs?: number;
  readonly connect?: (voter: VoterEndpoint) => ControllerConnection;
  /** How long an attempt runs before the other voters are asked whether another controller took over, and how often again (default TAKEOVER_PROBE_MS). */
  readonly takeoverProbeMs?: number;
}

/** The request may or may not have been applied, and the caller asked not to retry it. */
export class AmbiguousOutcomeError extends Error {
  readonly code = 'UNKNOWN_OUTCOME';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'AmbiguousOutcomeError';
  }
}

/** Call options: the call's deadline, and whether an attempt that may have been applied is retried (default true). */
export interface ChannelCallOptions {
  readonly timeoutMs?: number;
  readonly retryAmbiguous?: boolean;
  /** Bounds one try (default: the channel's attemptTimeoutMs): a long operation (an import) needs more than the usual 5 s. */
  readonly attemptTimeoutMs?: number;
}

const RETRY_BACKOFF_MS = 20;
const RETRY_BACKOFF_MAX_MS = 250;
/**
 * Longer than any healthy attempt takes (a commit is milliseconds, one under a saturating load
 * some hundreds), shorter than a hung leader's replacement (about a second), so a probe is seldom
 * sent for nothing and the new controller is found soon after it is there.
 */
export const TAKEOVER_PROBE_MS = 500;
/** One voter's describeNode in a probe round. */
const PROBE_ANSWER_TIMEOUT_MS = 1_000;

/** An attempt given up because a majority of the voters name another active controller. */
export class SupersededAttemptError extends RequestTimeoutError {
  constructor(method: string, target: number, active: number) {
    super(`${method} to controller ${target} got no answer, and a majority of the voters name controller ${active} active now`);
    this.name = 'SupersededAttemptError';
  }
}

export class ControllerChannel implements RpcCaller {
  private readonly connections = new Map<number, ControllerConnection>();
  private active: number | null = null;
  private nextVoter = 0;
  private closed = false;
  /**
   * The last probe round (see the file header) per target the calls wait on: when it started, and
   * the voter a majority named active, or null.
   */
  private readonly probes = new Map<number, { readonly startedMs: number; readonly named: Promise<number | null> }>();

  constructor(private readonly o: ControllerChannelOptions) {
    if (o.voters.length === 0) throw new RangeError('a controller channel needs at least one voter');
  }

  /** The controller the last answer pointed at (null: unknown). */
  get activeControllerId(): number | null {
    return this.active;
  }

  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>, options: ChannelCallOptions = {}): Promise<RpcResponse<M>> {
    const timeoutMs = options.timeoutMs ?? this.o.defaultTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let backoff = RETRY_BACKOFF_MS;
    let lastError: Error = new RequestTimeoutError(`${method}: no controller answered within ${timeoutMs} ms`);
    /** The voter lastError came from. */
    let lastTarget: VoterEndpoint | null = null;
    for (;;) {
      if (this.closed) throw new ConnectionError(`${method}: the controller channel is closed`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw withContext(lastError, method, timeoutMs, lastTarget);
      const target = this.target();
      try {
        const attempt = this.connection(target).request<RpcResponse<M>>(method, request, {
          timeoutMs: Math.min(remaining, options.attemptTimeoutMs ?? this.o.attemptTimeoutMs ?? 5_000),
        });
        return await this.unlessSuperseded(attempt, method, target.id);
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        // A handshake refusal (another cluster...) says more than a transport failure after it:
        // keep it as the error the call reports, or a late timeout would hide the cause.
        if (!(lastError instanceof HandshakeRefusedError) || !(e instanceof ConnectionError || e instanceof RequestTimeoutError)) {
          lastError = e;
          lastTarget = target;
        }
        if (options.retryAmbiguous === false) {
          const ambiguous =
            (e instanceof ConnectionError && !e.notSent) || e instanceof RequestTimeoutError || (e instanceof RemoteError && e.code === ErrorCode.NOT_CONTROLLER && e.outcome === 'unknown');
          if (ambiguous) {
            if (!(e instanceof SupersededAttemptError)) this.moveOn(target.id); // the next call tries another voter
            throw new AmbiguousOutcomeError(`${method} to controller ${target.id}: ${e.message}`, { cause: e });
          }
        }
        if (e instanceof RemoteError && e.code === ErrorCode.NOT_CONTROLLER) {
          const hint = e.activeControllerId;
          if (hint !== null && hint !== target.id && this.isVoter(hint)) {
            this.active = hint; // go there at once
            continue;
          }
          this.moveOn(target.id);
        } else if (e instanceof SupersededAttemptError) {
          continue; // unlessSuperseded pointed the channel at the controller the voters named
        } else if (e instanceof ConnectionError || e instanceof RequestTimeoutError || e instanceof HandshakeRefusedError) {
          this.moveOn(target.id);
        } else {
          throw e;
        }
      }
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
      backoff = Math.min(backoff * 2, RETRY_BACKOFF_MAX_MS);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
  }

  /**
   * The attempt's outcome, unless it runs past takeoverProbeMs and a probe round finds a majority
   * of the voters naming another active controller: then the channel points there and this
   * throws SupersededAttemptError (the attempt's own outcome, later, is ignored).
   */
  private async unlessSuperseded<T>(attempt: Promise<T>, method: string, target: number): Promise<T> {
    const probeMs = this.o.takeoverProbeMs ?? TAKEOVER_PROBE_MS;
    // The other voters alone must be able to form a majority: with two voters, one never does.
    if (this.o.voters.length < 3 || !(probeMs > 0)) return attempt;
    let settled = false;
    const done = attempt.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([done, new Promise((r) => (timer = setTimeout(r, probeMs)))]);
      clearTimeout(timer); // a settled call leaves no timer behind to hold the process
      if (settled || this.closed) return attempt;
      const named = await Promise.race([done.then(() => undefined), this.probeRound(target, probeMs)]);
      if (settled || this.closed) return attempt;
      if (named !== undefined && named !== null && named !== target && this.isVoter(named)) {
        // Another call may have learnt better since (a NOT_CONTROLLER hint): do not undo it.
        if (this.active === target || this.active === null) this.active = named;
        throw new SupersededAttemptError(method, target, named);
      }
    }
  }

  /**
   * Asks every voter but `unanswering` who is active; the id a majority names, or null. A round
   * started less than takeoverProbeMs ago is shared instead (under way or answered): however many
   * calls are slow, the voters are asked at most once per takeoverProbeMs.
   */
  private probeRound(unanswering: number, probeMs: number): Promise<number | null> {
    const now = Date.now();
    // Shared only by calls waiting on the same target: a round leaves that one out, and the
    // voters it asked (and the majority it needs) would be the wrong ones for another.
    const last = this.probes.get(unanswering);
    if (last !== undefined && now - last.startedMs < probeMs) return last.named;
    const needed = Math.floor(this.o.voters.length / 2) + 1;
    const round = new Promise<number | null>((resolve) => {
      const votes = new Map<number, number>();
      const asked = this.o.voters.filter((v) => v.id !== unanswering);
      let pending = asked.length;
      const settle = (answer: DescribeNodeResponse | null): void => {
        const named = answer?.activeControllerId;
        if (named !== undefined && named !== null) {
          const n = (votes.get(named) ?? 0) + 1;
          votes.set(named, n);
          if (n >= needed) resolve(named);
        }
        if (--pending === 0) resolve(null);
      };
      for (const v of asked) {
        this.connection(v)
          .request<DescribeNodeResponse>('describeNode', {}, { timeoutMs: PROBE_ANSWER_TIMEOUT_MS })
          .then(settle, () => settle(null));
      }
    });
    this.probes.set(unanswering, { startedMs: now, named: round });
    return round;
  }

  private isVoter(id: number): boolean {
    return this.o.voters.some((v) => v.id === id);
  }

  private target(): VoterEndpoint {
    if (this.active !== null) {
      const v = this.o.voters.find((x) => x.id === this.active);
      if (v !== undefined) return v;
    }
    const v = this.o.voters[this.nextVoter % this.o.voters.length]!;
    this.active = v.id;
    return v;
  }

  /** `failed` did not serve: try the next voter. */
  private moveOn(failed: number): void {
    const i = this.o.voters.findIndex((v) => v.id === failed);
    this.nextVoter = i + 1;
    this.active = null;
  }

  private connection(voter: VoterEndpoint): ControllerConnection {
    let c = this.connections.get(voter.id);
    if (c === undefined) {
      c = this.o.connect?.(voter) ?? this.netClient(voter);
      this.connections.set(voter.id, c);
    }
    return c;
  }

  private netClient(voter: VoterEndpoint): ControllerConnection {
    const endpoint: Endpoint = { host: voter.host, port: voter.port };
    const client = new NetClient({
      endpoint,
      self: this.o.self,
      expect: this.o.self.clusterId === null ? { nodeId: voter.id } : { nodeId: voter.id, clusterId: this.o.self.clusterId },
      ...(this.o.tls === undefined ? {} : { tls: this.o.tls }),
      connectTimeoutMs: 2_000,
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 250,
      logger: this.o.logger,
    });
    client.connect();
    return client;
  }
}

/** In the message of a call that found no voter acting as the active controller (tools match it). */
export const NO_ACTIVE_CONTROLLER = 'no active controller answered';

/**
 * The error a call that ran out of time reports. One whose last attempt was sent to a voter and
 * not answered in time is said to be that: the voter may be the active controller, busy with it (a
 * large write) or hung, and the write may have been applied. Calling it "no active controller"
 * sent a user who had only set a short --timeout to check the quorum's majority (found by a review).
 */
function withContext(e: Error, method: string, timeoutMs: number, target: VoterEndpoint | null): Error {
  if (e instanceof RemoteError) return e;
  if (e instanceof HandshakeRefusedError) return new HandshakeRefusedError(`${method}: ${e.message}`, e.otherCluster);
  if (e instanceof RequestTimeoutError && !(e instanceof SupersededAttemptError) && target !== null) {
    return new RequestTimeoutError(
      `${method}: controller ${target.id} (${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}) was sent it and did not answer within ${timeoutMs} ms: it may have been applied, or the controller may be hung`,
    );
  }
  const kind = e instanceof SupersededAttemptError ? RequestTimeoutError : (e.constructor as new (m: string) => Error);
  const wrapped = new kind(`${method}: ${NO_ACTIVE_CONTROLLER} within ${timeoutMs} ms (last error: ${e.message})`);
  return wrapped;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
