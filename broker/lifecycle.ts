// A broker's lifecycle towards the active controller (Kafka's BrokerLifecycleManager, reference
// kraft.md §3.3): register, heartbeat, get unfenced once caught up, and shut down in a controlled
// way (leadership moves off first).
//
//   state                        event                                         next
//   ---------------------------  --------------------------------------------  ---------------------------
//   NOT_RUNNING                  start()                                       STARTING (register)
//   STARTING                     registration refused / no controller          STARTING (retry, back-off);
//                                                                               fatal after initial.broker.registration.timeout.ms
//   STARTING                     registered (epoch)                            STARTING (heartbeat at once)
//   STARTING                     heartbeat: isCaughtUp                         RECOVERY (next heartbeat in 10 ms)
//   RECOVERY                     heartbeat: !isFenced                          RUNNING
//   RUNNING                      heartbeat: isFenced (session expired)         RUNNING, fenced (keeps heartbeating:
//                                                                               the controller unfences it when caught up)
//   any registered               heartbeat: STALE_BROKER_EPOCH / NOT_REGISTERED STARTING (register again)
//   STARTING/RECOVERY/RUNNING    beginControlledShutdown()                     PENDING_CONTROLLED_SHUTDOWN
//                                                                               (heartbeats wantShutDown every 50 ms)
//   PENDING_CONTROLLED_SHUTDOWN  heartbeat: shouldShutDown                     SHUTTING_DOWN (resolved)
//   PENDING_CONTROLLED_SHUTDOWN  deadline passes                               SHUTTING_DOWN (resolved, timedOut)
//   any                          stop()                                        SHUTTING_DOWN (timers cancelled)
//
// Heartbeats carry the offset of the last metadata record the broker has applied; a heartbeat
// never overlaps another (the next is scheduled when the previous one settles).

import type { Clock, Logger } from '../quorum/env/index.js';
import { ErrorCode, errorName } from '../quorum/controller/errors.js';
import type { Endpoint, FeatureRange } from '../metadata-log/records/types.js';
import type { RpcCaller } from '../quorum/server/rpc-methods.js';
import { HandshakeRefusedError } from '../quorum/net/types.js';

export type BrokerState = 'NOT_RUNNING' | 'STARTING' | 'RECOVERY' | 'RUNNING' | 'PENDING_CONTROLLED_SHUTDOWN' | 'SHUTTING_DOWN';

export interface BrokerLifecycleOptions {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly incarnationId: string;
  readonly listeners: readonly Endpoint[];
  readonly features: readonly FeatureRange[];
  readonly rack: string | null;
  readonly heartbeatIntervalMs: number;
  readonly initialRegistrationTimeoutMs: number;
  /** The offset of the last metadata record this broker has applied (-1: none). */
  readonly metadataOffset: () => number;
  readonly channel: RpcCaller;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The broker could not register in time: the process should exit. */
  readonly onFatal: (error: Error) => void;
  /** Called on every state change. */
  readonly onStateChange?: (state: BrokerState, fenced: boolean) => void;
}

const RECOVERY_HEARTBEAT_MS = 10;
const SHUTDOWN_HEARTBEAT_MS = 50;
/**
 * A refused registration is tried again after this, doubling up to REGISTRATION_RETRY_MAX_MS (a
 * refusal is answered at once: at a fixed 100 ms a duplicate node.id logged about 600 warnings
 * before giving up; found by a review). A registration that got no answer is not delayed further:
 * the channel already waited out its call, and a broker waiting for the quorum to form must
 * register as soon as it has.
 */
const REGISTRATION_RETRY_MS = 100;
const REGISTRATION_RETRY_MAX_MS = 2_000;

export interface ControlledShutdownResult {
  readonly timedOut: boolean;
  readonly tookMs: number;
}

export class BrokerLifecycleManager {
  private stateValue: BrokerState = 'NOT_RUNNING';
  /** initial.broker.registration.timeout.ms bounds the first registration only; later ones retry until stopped. */
  private registeredOnce = false;
  private epoch = -1;
  private previousEpoch = -1;
  private fencedValue = true;
  private cancelTimer: (() => void) | null = null;
  private startedMs = 0;
  private shutdownWaiters: ((r: ControlledShutdownResult) => void)[] = [];
  private shutdownStartedMs = 0;
  lastError: string | null = null;
  /** The last registration error logged at warn: the same one again is logged at debug. */
  private lastWarnedError: string | null = null;
  private refusedRetryMs = REGISTRATION_RETRY_MS;

  constructor(private readonly o: BrokerLifecycleOptions) {}

  get state(): BrokerState {
    return this.stateValue;
  }

  get brokerEpoch(): number {
    return this.epoch;
  }

  get fenced(): boolean {
    return this.fencedValue;
  }

  start(): void {
    if (this.stateValue !== 'NOT_RUNNING') return;
    this.startedMs = this.o.clock.nowMs();
    this.transition('STARTING');
    this.schedule(0, () => this.register());
  }

  /** Heartbeats wantShutDown until the controller says the broker may go (or `timeoutMs` passes). */
  beginControlledShutdown(timeoutMs: number): Promise<ControlledShutdownResult> {
    return new Promise((resolve) => {
      if (this.stateValue === 'SHUTTING_DOWN' || this.stateValue === 'NOT_RUNNING' || this.epoch < 0) {
        this.transition('SHUTTING_DOWN');
        this.cancel();
        resolve({ timedOut: false, tookMs: 0 });
        return;
      }
      this.shutdownWaiters.push(resolve);
      if (this.stateValue === 'PENDING_CONTROLLED_SHUTDOWN') return;
      this.shutdownStartedMs = this.o.clock.nowMs();
      this.transition('PENDING_CONTROLLED_SHUTDOWN');
      this.o.logger.info({ brokerEpoch: this.epoch }, 'controlled shutdown: asking the controller to move leadership off this broker');
      // A heartbeat in flight reschedules itself; otherwise send one now.
      if (this.cancelTimer !== null) this.schedule(0, () => this.heartbeat());
      this.schedule(timeoutMs, () => this.finishShutdown(true), true);
    });
  }

  stop(): void {
    this.cancel();
    this.cancelDeadline?.();
    this.transition('SHUTTING_DOWN');
    this.resolveShutdown(false);
  }

  private cancelDeadline: (() => void) | null = null;

  private transition(to: BrokerState): void {
    if (this.stateValue === to) return;
    const from = this.stateValue;
    this.stateValue = to;
    this.o.logger.info({ from, to, brokerEpoch: this.epoch, fenced: this.fencedValue }, `broker state ${to}`);
    this.o.onStateChange?.(to, this.fencedValue);
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private schedule(delayMs: number, fn: () => void, isDeadline = false): void {
    if (isDeadline) {
      this.cancelDeadline?.();
      this.cancelDeadline = this.o.clock.setTimer(delayMs, fn);
      return;
    }
    this.cancel();
    this.cancelTimer = this.o.clock.setTimer(delayMs, () => {
      this.cancelTimer = null;
      fn();
    });
  }

  private get done(): boolean {
    return this.stateValue === 'SHUTTING_DOWN';
  }

  private async register(): Promise<void> {
    if (this.done) return;
    const timeoutMs = Math.max(1000, this.o.heartbeatIntervalMs);
    try {
      const r = await this.o.channel.call(
        'registerBroker',
        {
          brokerId: this.o.brokerId,
          clusterId: this.o.clusterId,
          incarnationId: this.o.incarnationId,
          listeners: this.o.listeners,
          features: this.o.features,
          rack: this.o.rack,
          previousBrokerEpoch: this.previousEpoch,
        },
        { timeoutMs },
      );
      if (this.done) return;
      if (r.errorCode !== ErrorCode.NONE) {
        this.lastError = `${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`;
        // A wrong cluster id never heals by retrying.
        if (r.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) return this.fatal(new Error(`registration refused: ${this.lastError}`));
        this.warnOnce('broker registration refused; retrying', this.refusedRetryMs);
        const delay = this.refusedRetryMs;
        this.refusedRetryMs = Math.min(this.refusedRetryMs * 2, REGISTRATION_RETRY_MAX_MS);
        return this.retryRegistration(delay);
      }
      this.epoch = r.brokerEpoch;
      this.previousEpoch = r.brokerEpoch;
      this.registeredOnce = true;
      this.lastError = null;
      this.lastWarnedError = null;
      this.refusedRetryMs = REGISTRATION_RETRY_MS;
      this.o.logger.info({ brokerEpoch: r.brokerEpoch }, 'broker registered');
      this.schedule(0, () => void this.heartbeat());
    } catch (e) {
      if (this.done) return;
      this.lastError = e instanceof Error ? e.message : String(e);
      // The controllers refused the connection for another cluster id: this broker's directories
      // were formatted for another cluster, and no retry will change that.
      if (e instanceof HandshakeRefusedError && e.otherCluster) return this.fatal(new Error(`registration refused: ${this.lastError}`));
      this.warnOnce('broker registration failed; retrying', REGISTRATION_RETRY_MS);
      this.retryRegistration(REGISTRATION_RETRY_MS);
    }
  }

  /** Logs lastError at warn, or at debug when it is the one warned about last time. */
  private warnOnce(msg: string, retryInMs: number): void {
    const fields = { error: this.lastError, retryInMs };
    if (this.lastError === this.lastWarnedError) this.o.logger.debug(fields, msg);
    else this.o.logger.warn(fields, `${msg} (the same error again is logged at debug)`);
    this.lastWarnedError = this.lastError;
  }

  private retryRegistration(delayMs: number): void {
    const elapsed = this.o.clock.nowMs() - this.startedMs;
    if (!this.registeredOnce && elapsed > this.o.initialRegistrationTimeoutMs) {
      return this.fatal(
        new Error(`could not register with the controller quorum within initial.broker.registration.timeout.ms (${this.o.initialRegistrationTimeoutMs} ms): ${this.lastError ?? 'no answer'}`),
      );
    }
    this.schedule(delayMs, () => void this.register());
  }

  private fatal(e: Error): void {
    this.o.logger.error({ error: e.message }, 'broker lifecycle failed');
    this.stop();
    this.o.onFatal(e);
  }

  private async heartbeat(): Promise<void> {
    if (this.done || this.epoch < 0) return;
    const wantShutDown = this.stateValue === 'PENDING_CONTROLLED_SHUTDOWN';
    let next = wantShutDown ? SHUTDOWN_HEARTBEAT_MS : this.o.heartbeatIntervalMs;
    try {
      const r = await this.o.channel.call(
        'brokerHeartbeat',
        { brokerId: this.o.brokerId, brokerEpoch: this.epoch, currentMetadataOffset: this.o.metadataOffset(), wantFence: false, wantShutDown },
        { timeoutMs: Math.max(500, this.o.heartbeatIntervalMs) },
      );
      if (this.done) return;
      if (r.errorCode === ErrorCode.STALE_BROKER_EPOCH || r.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
        this.o.logger.warn({ error: `${errorName(r.errorCode)}: ${r.errorMessage ?? ''}` }, 'the controller no longer knows this registration; registering again');
        this.epoch = -1;
        this.fencedValue = true;
        if (this.stateValue === 'PENDING_CONTROLLED_SHUTDOWN') return this.finishShutdown(false);
        this.transition('STARTING');
        this.schedule(0, () => void this.register());
        return;
      }
      if (r.errorCode !== ErrorCode.NONE) {
        this.lastError = `${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`;
        this.o.logger.warn({ error: this.lastError }, 'heartbeat refused');
      } else {
        this.lastError = null;
        next = this.onHeartbeat(r.isCaughtUp, r.isFenced, r.shouldShutDown, next);
      }
    } catch (e) {
      if (this.done) return;
      this.lastError = e instanceof Error ? e.message : String(e);
      this.o.logger.warn({ error: this.lastError }, 'heartbeat failed');
      next = Math.min(next, 100);
    }
    // A shutdown that began while this heartbeat was in flight asks at once, whatever the answer was.
    if (this.stateValue === 'PENDING_CONTROLLED_SHUTDOWN') next = Math.min(next, SHUTDOWN_HEARTBEAT_MS);
    if (!this.done) this.schedule(next, () => void this.heartbeat());
  }

  private onHeartbeat(isCaughtUp: boolean, isFenced: boolean, shouldShutDown: boolean, next: number): number {
    const wasFenced = this.fencedValue;
    this.fencedValue = isFenced;
    if (wasFenced !== isFenced) this.o.logger.info({ brokerEpoch: this.epoch }, isFenced ? 'the controller fenced this broker' : 'the controller unfenced this broker');
    switch (this.stateValue) {
      case 'STARTING':
        if (isCaughtUp) {
          this.transition('RECOVERY');
          return RECOVERY_HEARTBEAT_MS;
        }
        return Math.min(next, 100); // catching up: report progress often
      case 'RECOVERY':
        if (!isFenced) this.transition('RUNNING');
        return isFenced ? 100 : next;
      case 'RUNNING':
        return isFenced ? 100 : next;
      case 'PENDING_CONTROLLED_SHUTDOWN':
        if (shouldShutDown) this.finishShutdown(false);
        return SHUTDOWN_HEARTBEAT_MS;
      default:
        return next;
    }
  }

  private finishShutdown(timedOut: boolean): void {
    if (this.stateValue !== 'PENDING_CONTROLLED_SHUTDOWN') return;
    if (timedOut) this.o.logger.warn({ brokerEpoch: this.epoch }, 'controlled shutdown timed out; shutting down anyway');
    else this.o.logger.info({ brokerEpoch: this.epoch, tookMs: Math.round(this.o.clock.nowMs() - this.shutdownStartedMs) }, 'controlled shutdown complete');
    this.cancel();
    this.cancelDeadline?.();
    this.transition('SHUTTING_DOWN');
    this.resolveShutdown(timedOut);
  }

  private resolveShutdown(timedOut: boolean): void {
    const tookMs = this.shutdownStartedMs === 0 ? 0 : Math.round(this.o.clock.nowMs() - this.shutdownStartedMs);
    for (const w of this.shutdownWaiters.splice(0)) w({ timedOut, tookMs });
  }
}
