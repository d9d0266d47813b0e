// The broker lifecycle state machine (broker/lifecycle.ts) against a scripted controller.

import { describe, expect, it } from 'vitest';
import { BrokerLifecycleManager, type BrokerState } from '../../broker/lifecycle.js';
import { ErrorCode } from '../../quorum/controller/errors.js';
import { realClock } from '../../quorum/node/real-env.js';
import { silentLogger } from '../../quorum/env/index.js';
import { capturingLogger } from '../support/recording-logger.js';
import type { RpcCaller, RpcMethod, RpcRequest, RpcResponse } from '../../quorum/server/rpc-methods.js';

type Handler = (request: any) => any;

class ScriptedController implements RpcCaller {
  readonly calls: { method: string; request: any }[] = [];
  constructor(private readonly handlers: Partial<Record<RpcMethod, Handler>>) {}
  async call<M extends RpcMethod>(method: M, request: RpcRequest<M>): Promise<RpcResponse<M>> {
    this.calls.push({ method, request });
    const h = this.handlers[method];
    if (h === undefined) throw new Error(`unexpected ${method}`);
    return h(request);
  }
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

const ok = { errorCode: ErrorCode.NONE, errorMessage: null };

function manager(channel: RpcCaller, overrides: Partial<ConstructorParameters<typeof BrokerLifecycleManager>[0]> = {}) {
  const states: BrokerState[] = [];
  const fatal: Error[] = [];
  const m = new BrokerLifecycleManager({
    brokerId: 4,
    clusterId: 'c1',
    incarnationId: 'AAAAAAAAAAAAAAAAAAAAAg',
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
    features: [],
    rack: null,
    heartbeatIntervalMs: 20,
    initialRegistrationTimeoutMs: 60_000,
    metadataOffset: () => 41,
    channel,
    clock: realClock,
    logger: silentLogger,
    onFatal: (e) => fatal.push(e),
    onStateChange: (s) => states.push(s),
    ...overrides,
  });
  return { m, states, fatal };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('broker lifecycle', () => {
  it('registers, catches up, is unfenced and runs, reporting its metadata offset', async () => {
    let beats = 0;
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: 17 }),
      brokerHeartbeat: () => {
        beats++;
        return { ...ok, isCaughtUp: beats >= 2, isFenced: beats < 3, shouldShutDown: false };
      },
    });
    const { m, states } = manager(ctl);
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    expect(states).toEqual(['STARTING', 'RECOVERY', 'RUNNING']);
    expect(m.brokerEpoch).toBe(17);
    expect(m.fenced).toBe(false);
    const hb = ctl.calls.find((c) => c.method === 'brokerHeartbeat')!.request;
    expect(hb).toMatchObject({ brokerId: 4, brokerEpoch: 17, currentMetadataOffset: 41, wantShutDown: false });
    m.stop();
  });

  it('retries a refused registration, and gives up after the initial registration timeout', async () => {
    const ctl = new ScriptedController({
      registerBroker: () => ({ errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: 'live session', brokerEpoch: -1 }),
    });
    const { m, fatal } = manager(ctl, { initialRegistrationTimeoutMs: 250 });
    m.start();
    await until(() => fatal.length === 1, 'fatal');
    expect(ctl.count('registerBroker')).toBeGreaterThan(1);
    expect(fatal[0]!.message).toMatch(/initial\.broker\.registration\.timeout\.ms.*DUPLICATE_BROKER_REGISTRATION/);
    expect(m.state).toBe('SHUTTING_DOWN');
  });

  it('a refused registration is retried after 100, 200, 400 ... ms (at most 2 s), and the same error is warned about once', async () => {
    const at: number[] = [];
    const ctl = new ScriptedController({
      registerBroker: () => {
        at.push(Date.now());
        return { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: 'live session', brokerEpoch: -1 };
      },
    });
    const log = capturingLogger();
    const { m } = manager(ctl, { logger: log });
    m.start();
    await until(() => at.length >= 5, 'five attempts');
    m.stop();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 100, 200, 400, 800 ms (timers fire late, never early)
    gaps.forEach((g, i) => expect(g, gaps.join(', ')).toBeGreaterThanOrEqual(100 * 2 ** i - 5));
    const refusals = log.lines.filter((l) => l.msg.startsWith('broker registration refused; retrying'));
    expect(refusals.map((l) => l.level)).toEqual(['warn', 'debug', 'debug', 'debug', 'debug'].slice(0, refusals.length));
    expect(refusals.length).toBeGreaterThanOrEqual(4);
  }, 10_000);

  it('stops at once on another cluster id', async () => {
    const ctl = new ScriptedController({
      registerBroker: () => ({ errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, errorMessage: 'other cluster', brokerEpoch: -1 }),
    });
    const { m, fatal } = manager(ctl);
    m.start();
    await until(() => fatal.length === 1, 'fatal');
    expect(ctl.count('registerBroker')).toBe(1);
    expect(fatal[0]!.message).toMatch(/INCONSISTENT_CLUSTER_ID/);
  });

  it('registers again when the controller no longer knows its epoch', async () => {
    let epoch = 10;
    let stale = true;
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: epoch++ }),
      brokerHeartbeat: (r) => {
        if (r.brokerEpoch === 10 && stale) {
          stale = false;
          return { errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: 'stale', isCaughtUp: false, isFenced: true, shouldShutDown: false };
        }
        return { ...ok, isCaughtUp: true, isFenced: false, shouldShutDown: false };
      },
    });
    const { m } = manager(ctl);
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    expect(ctl.count('registerBroker')).toBe(2);
    expect(m.brokerEpoch).toBe(11);
    m.stop();
  });

  it('a broker that must register again long after it started survives failed attempts: initial.broker.registration.timeout.ms bounds the first registration only (from a review)', async () => {
    let unregistered = false;
    let registerCalls = 0;
    const ctl = new ScriptedController({
      registerBroker: () => {
        registerCalls++;
        // The re-registration's first attempts meet a controller failover, then a refusal.
        if (registerCalls === 2) throw new Error('brokerRegistration: no active controller answered within 2000 ms');
        if (registerCalls === 3) return { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, errorMessage: 'live session', brokerEpoch: -1 };
        return { ...ok, brokerEpoch: registerCalls === 1 ? 10 : 50 };
      },
      brokerHeartbeat: (r) => {
        if (unregistered && r.brokerEpoch === 10) return { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: 'gone', isCaughtUp: false, isFenced: true, shouldShutDown: false };
        return { ...ok, isCaughtUp: true, isFenced: false, shouldShutDown: false };
      },
    });
    // A short initial timeout, which the broker has outlived when its registration disappears.
    const { m, fatal } = manager(ctl, { initialRegistrationTimeoutMs: 200 });
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    await new Promise((r) => setTimeout(r, 300));
    unregistered = true;
    await until(() => m.brokerEpoch === 50 || fatal.length > 0, 're-registration or fatal');
    m.stop();
    expect(fatal.map((e) => e.message)).toEqual([]);
    expect(m.brokerEpoch).toBe(50);
  });

  it('controlled shutdown heartbeats wantShutDown until the controller lets it go', async () => {
    let shutdownBeats = 0;
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: 3 }),
      brokerHeartbeat: (r) => {
        if (r.wantShutDown) shutdownBeats++;
        return { ...ok, isCaughtUp: true, isFenced: r.wantShutDown && shutdownBeats >= 3, shouldShutDown: shutdownBeats >= 3 };
      },
    });
    const { m } = manager(ctl, { heartbeatIntervalMs: 1000 });
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    const result = await m.beginControlledShutdown(5000);
    expect(result.timedOut).toBe(false);
    expect(shutdownBeats).toBe(3);
    expect(m.state).toBe('SHUTTING_DOWN');
    const n = ctl.calls.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(ctl.calls.length).toBe(n); // nothing more is sent
  });

  // Found by a review: the heartbeat in flight when the shutdown began was refused, and the next one
  // (the first to ask wantShutDown) came a whole heartbeat interval later instead of 50 ms.
  it('a heartbeat in flight when the shutdown begins and then refused: the shutdown heartbeat follows at once, not an interval later', async () => {
    let release: ((answer: unknown) => void) | undefined;
    let beats = 0;
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: 3 }),
      brokerHeartbeat: (r) => {
        beats++;
        if (r.wantShutDown) return { ...ok, isCaughtUp: true, isFenced: true, shouldShutDown: true };
        if (beats === 1) return { ...ok, isCaughtUp: true, isFenced: true, shouldShutDown: false }; // → RECOVERY
        return new Promise((resolve) => (release = resolve)); // held in flight
      },
    });
    const { m } = manager(ctl, { heartbeatIntervalMs: 60_000 });
    m.start();
    await until(() => release !== undefined, 'a heartbeat in flight');
    const shutdown = m.beginControlledShutdown(3_000);
    release!({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'refused', isCaughtUp: false, isFenced: true, shouldShutDown: false });
    const result = await shutdown;
    expect(result.timedOut).toBe(false);
    expect(ctl.calls.filter((c) => c.method === 'brokerHeartbeat' && c.request.wantShutDown)).toHaveLength(1);
  });

  it('controlled shutdown gives up at its deadline', async () => {
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: 3 }),
      brokerHeartbeat: () => ({ ...ok, isCaughtUp: true, isFenced: false, shouldShutDown: false }),
    });
    const { m } = manager(ctl);
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    const result = await m.beginControlledShutdown(200);
    expect(result.timedOut).toBe(true);
    expect(m.state).toBe('SHUTTING_DOWN');
  });

  it('keeps heartbeating through controller errors', async () => {
    let failures = 3;
    const ctl = new ScriptedController({
      registerBroker: () => ({ ...ok, brokerEpoch: 3 }),
      brokerHeartbeat: () => {
        if (failures-- > 0) throw new Error('connection refused');
        return { ...ok, isCaughtUp: true, isFenced: false, shouldShutDown: false };
      },
    });
    const { m } = manager(ctl);
    m.start();
    await until(() => m.state === 'RUNNING', 'RUNNING');
    expect(ctl.count('brokerHeartbeat')).toBeGreaterThanOrEqual(5);
    m.stop();
  });
});
