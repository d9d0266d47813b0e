// `metaquorum start`: one node process, a controller, a broker, or both (combined mode, one log).
//
//   load server.properties (+ --override)   invalid value        -> exit 2 naming the key
//   check meta.properties in every dir      unformatted/mismatch -> exit 2 saying what to run
//   [controller] bind the controller listener, restore the log, join the quorum
//   [broker]     follow the log (split: as an observer with its own copy; combined: the
//                controller's), bind client listeners, register, heartbeat
//   SIGTERM/SIGINT, or its supervisor gone (supervisor-pipe.ts) -> graceful shutdown within
//                metaquorum.shutdown.timeout.ms:
//                broker: controlled shutdown (leadership moves off), local snapshot
//                controller: a leader resigns (EndQuorumEpoch), then the log closes
//                exit 0; past the bound, exit 1 with a log line
//   a fatal error (a log it cannot read, a disk error, no registration in time) -> exit 1

import { ConfigError } from '../config/errors.js';
import { checkFormatted } from '../config/meta-properties.js';
import { installFsyncStallHook } from '../../quorum/node/fsync-stall.js';
import { resolveConnectionLimits } from '../config/connection-overrides.js';
import type { NodeConfig } from '../config/node-config.js';
import { controllerConfigFrom, loadServerConfig, raftConfigFrom } from '../config/server-config.js';
import { performance } from 'node:perf_hooks';
import { realClock, realRandom } from '../../quorum/node/real-env.js';
import { usesTls, type ListenerSpec, type TlsMaterial } from '../../quorum/net/types.js';
import { ControllerServer } from '../../quorum/server/controller-server.js';
import { BrokerServer } from '../../broker/broker-server.js';
import { controllerLimits } from '../../quorum/controller/limits.js';
import { staticConfigsOf } from '../../quorum/controller/configs/config-schema.js';
import { nodeLogging, type LogLevel } from './logging.js';
import { watchSupervisor } from './supervisor-pipe.js';
import { MetricsHttpServer, type Health } from './metrics-http.js';
import { MetricsRegistry } from '../../quorum/metrics/registry.js';
import { inQuorum } from '../../quorum/metrics/raft-metrics.js';
import { processCollector } from '../../quorum/metrics/process-metrics.js';
import { METAQUORUM_VERSION } from '../version.js';
import { clientTlsMaterial, serverTlsMaterial } from './tls-material.js';
import { tlsSettingKey, type DynamicTlsSettings } from '../../broker/dynamic-tls.js';

export interface StartOptions {
  readonly config: string;
  readonly override: readonly string[];
  readonly logLevel: LogLevel;
}

export interface RunningNode {
  readonly controller: ControllerServer | undefined;
  readonly broker: BrokerServer | undefined;
  /** The monitoring endpoint, when metaquorum.metrics.listener is set. */
  readonly metrics: MetricsHttpServer | undefined;
  stop(reason: string): Promise<void>;
}

async function listenerSpec(config: NodeConfig, name: string): Promise<ListenerSpec> {
  const l = config.listeners.find((x) => x.name === name);
  if (l === undefined) throw new ConfigError(`listeners: no listener named ${name}`, 'listeners');
  const tls = config.tls.get(name);
  if (usesTls(l.securityProtocol)) {
    if (tls === undefined) throw new ConfigError(`listener ${name} is ${l.securityProtocol} but has no ssl settings`, 'ssl.keystore.location');
    return { ...l, tls: await serverTlsMaterial(tls) };
  }
  return { ...l };
}

/**
 * An SSL client listener's TLS material read again with the broker's dynamic ssl.* settings over
 * the listener's server.properties ones (broker/dynamic-tls.ts), with the checks start makes; a
 * problem's message names the dynamic key it came from.
 */
export function dynamicTlsReader(config: NodeConfig): (listenerName: string, settings: DynamicTlsSettings) => Promise<TlsMaterial> {
  return async (listenerName, settings) => {
    const base = config.tls.get(listenerName);
    if (base === undefined) throw new Error(`listener ${listenerName} has no ssl settings`);
    const dynamic = (key: string) => `${key} (a dynamic config of broker ${config.nodeId})`;
    return serverTlsMaterial({
      ...base,
      ...(settings.keystoreLocation === undefined ? {} : { keystoreLocation: settings.keystoreLocation, keystoreKey: dynamic(tlsSettingKey(settings, 'keystoreLocation')) }),
      ...(settings.keyPassword === undefined ? {} : { keyPassword: settings.keyPassword, keyPasswordKey: dynamic(tlsSettingKey(settings, 'keyPassword')) }),
      ...(settings.truststoreLocation === undefined ? {} : { truststoreLocation: settings.truststoreLocation, truststoreKey: dynamic(tlsSettingKey(settings, 'truststoreLocation')) }),
    });
  };
}

/** Starts the roles of `config`; throws ConfigError/StorageError (exit 2) or a runtime error (exit 1). */
export async function startNode(
  config: NodeConfig,
  logLevel: LogLevel,
  onFatal: (e: unknown) => void,
  configPath?: string,
  /** Where the NDJSON log goes (a file descriptor; default stdout). */
  logDestination?: number,
  /** start's --override entries, for the format command an unformatted directory's error suggests. */
  overrides: readonly string[] = [],
): Promise<RunningNode> {
  const { clusterId, directoryIds } = await checkFormatted(config, undefined, configPath === undefined ? { overrides } : { configPath, overrides });
  // The metadata directory's id goes with every vote and fetch: a wiped and re-formatted voter
  // gets a new one, and the quorum stops counting it until it has caught up (voter-directories.ts).
  const metadataDirectoryId = directoryIds.get(config.metadataLogDir);
  const logging = nodeLogging(config.nodeId, logLevel, logDestination);
  const nodeLog = logging.forRole('node');
  installFsyncStallHook(config.metadataLogDir, nodeLog);
  const isController = config.processRoles.includes('controller');
  const isBroker = config.processRoles.includes('broker');
  const voters = config.voters.map((v) => ({ id: v.id, host: v.host, port: v.port }));
  const controllerListenerName = config.controllerListenerNames[0]!;
  const controllerTlsConfig = config.tls.get(controllerListenerName);
  const controllerClientTls = controllerTlsConfig === undefined ? undefined : await clientTlsMaterial(controllerTlsConfig);
  raftConfigFrom(config); // validates the quorum settings (ConfigError) before anything binds
  // Host names in max.connections.per.ip.overrides, resolved once (ConfigError when one does not resolve).
  const connectionLimits = isBroker ? await resolveConnectionLimits(config.connectionLimits) : undefined;

  nodeLog.info({ roles: config.processRoles, clusterId, voters: voters.map((v) => `${v.id}@${v.host}:${v.port}`), metadataLogDir: config.metadataLogDir }, 'starting');
  let controller: ControllerServer | undefined;
  let broker: BrokerServer | undefined;
  let metrics: MetricsHttpServer | undefined;
  const processMetrics = processCollector({ nodeId: config.nodeId, roles: config.processRoles, clusterId, version: METAQUORUM_VERSION });
  try {
    if (isController) {
      controller = await ControllerServer.start({
        nodeId: config.nodeId,
        clusterId,
        voters,
        listener: await listenerSpec(config, controllerListenerName),
        extraListeners: await Promise.all(config.controllerListenerNames.slice(1).map((name) => listenerSpec(config, name))),
        ...(controllerClientTls === undefined ? {} : { peerTls: controllerClientTls }),
        metadataLogDir: config.metadataLogDir,
        raft: { ...config.raft, appendTimeOriginMs: performance.timeOrigin, ...(metadataDirectoryId === undefined ? {} : { directoryId: metadataDirectoryId }) },
        controller: { ...controllerConfigFrom(config, clusterId), wallClockOriginMs: performance.timeOrigin },
        clock: realClock,
        random: realRandom,
        logger: logging.forRole('controller'),
        roles: config.processRoles,
        brokerState: () => broker?.state ?? 'NOT_RUNNING',
        onFatal,
        ...(config.authorizer === null ? {} : { authorizer: config.authorizer }),
      });
      const raft = controller.raft;
      logging.setEpochSource(() => raft.leader().epoch);
    }
    if (isBroker) {
      const clientListeners = config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name));
      const c = controller;
      broker = await BrokerServer.start({
        nodeId: config.nodeId,
        clusterId,
        voters,
        rack: config.brokerRack,
        listeners: await Promise.all(clientListeners.map((l) => listenerSpec(config, l.name))),
        advertised: config.advertisedListeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
        ...(controllerClientTls === undefined ? {} : { controllerTls: controllerClientTls }),
        heartbeatIntervalMs: config.broker.heartbeatIntervalMs,
        initialRegistrationTimeoutMs: config.broker.initialRegistrationTimeoutMs,
        controlledShutdownTimeoutMs: config.broker.controlledShutdownTimeoutMs,
        isrExpansionEnable: config.broker.isrExpansionEnable,
        ...(connectionLimits === undefined ? {} : { connectionLimits }),
        clock: realClock,
        random: realRandom,
        logger: logging.forRole('broker'),
        roles: config.processRoles,
        onFatal,
        autoCreateTopicsEnable: config.autoCreateTopicsEnable,
        ...(config.authorizer === null ? {} : { authorizer: config.authorizer }),
        sasl: config.sasl,
        reloadTls: dynamicTlsReader(config),
        staticConfigs: config.controller.staticBrokerConfigs ?? staticConfigsOf({ uncleanLeaderElectionEnable: config.controller.uncleanLeaderElectionEnable ?? false }),
        ...(config.readOnlyBrokerConfigs === undefined ? {} : { readOnlyConfigs: config.readOnlyBrokerConfigs }),
        groups: config.groups,
        offsetRetention: config.offsetRetention,
        ...(c !== undefined
          ? { combined: { source: c.controller, activeControllerId: () => c.controller.activeControllerId() } }
          : {
              split: {
                metadataLogDir: config.metadataLogDir,
                raft: { ...config.raft, appendTimeOriginMs: performance.timeOrigin, ...(metadataDirectoryId === undefined ? {} : { directoryId: metadataDirectoryId }) },
                snapshots: {
                  maxBytes: config.controller.snapshotMaxBytes ?? 20 * 1024 * 1024,
                  maxIntervalMs: config.controller.snapshotMaxIntervalMs ?? 3_600_000,
                  retryBackoffMs: controllerLimits.snapshotRetryBackoffMs,
                },
              },
            }),
      });
      if (c === undefined) {
        const b = broker;
        logging.setEpochSource(() => b.epoch());
      }
    }
    if (config.metricsListener !== null) {
      const registry = new MetricsRegistry();
      registry.add(processMetrics.collector);
      for (const c of [...(controller?.collectors() ?? []), ...(broker?.collectors() ?? [])]) registry.add(c);
      const [c, b] = [controller, broker];
      metrics = await MetricsHttpServer.listen({ ...config.metricsListener, registry, health: () => nodeHealth(c, b), logger: nodeLog });
    }
  } catch (e) {
    processMetrics.stop();
    await broker?.halt();
    await controller?.stop();
    throw e;
  }

  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      nodeLog.info({ reason }, 'shutting down');
      const started = Date.now();
      if (broker !== undefined) {
        const r = await broker.stop();
        nodeLog.info({ controlledShutdownMs: r.controlledShutdownMs, timedOut: r.timedOut }, 'broker stopped');
      }
      if (controller !== undefined) {
        // No snapshot here: a controller's log is its history (dump-log shows it whole); the
        // size and time triggers keep restarts short. A broker snapshots at shutdown (above).
        await controller.stop();
        nodeLog.info({}, 'controller stopped');
      }
      // Last: a scrape during the shutdown still answers (health says why it is not healthy).
      await metrics?.close();
      processMetrics.stop();
      nodeLog.info({ tookMs: Date.now() - started }, 'shut down');
    })();
    return stopping;
  };
  return { controller, broker, metrics, stop };
}

/** GET /health: a controller that leads or follows a leader; a broker that is RUNNING and not fenced. */
export function nodeHealth(controller: ControllerServer | undefined, broker: BrokerServer | undefined): Health {
  const reasons: string[] = [];
  if (controller !== undefined) {
    // By role, not by a leader id: a voter that lost its leader keeps the id as a hint while it
    // asks for pre-votes (Prospective), and would look healthy for as long as no majority answers.
    const q = controller.raft.status();
    if (!inQuorum(q.role)) reasons.push(`the controller is ${q.role.toLowerCase()} in epoch ${q.epoch}: it follows no quorum leader`);
  }
  if (broker !== undefined) {
    if (broker.state !== 'RUNNING') reasons.push(`the broker is ${broker.state}`);
    else if (!broker.isUnfenced()) reasons.push('the broker is fenced');
  }
  return { healthy: reasons.length === 0, reason: reasons.join('; ') };
}

/**
 * The `start` command: runs until a signal, then shuts down within the configured bound. The
 * signal handlers are installed first: a SIGTERM that arrives while the node is still starting
 * (its listeners may already answer) is a graceful stop once the start completes, not a death by
 * the default action.
 */
export async function runStart(o: StartOptions): Promise<void> {
  let node: RunningNode | undefined;
  let stopSignal: string | null = null;
  let shutdownBoundMs: number | null = null;
  const shutDown = (running: RunningNode, signal: string) => {
    void running.stop(signal).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  const armShutdownBound = (ms: number) => {
    const hard = setTimeout(() => {
      process.stderr.write(`shutdown took longer than metaquorum.shutdown.timeout.ms (${ms} ms); exiting\n`);
      process.exit(1);
    }, ms);
    hard.unref();
  };
  const onSignal = (signal: string) => {
    if (stopSignal !== null) return;
    stopSignal = signal;
    if (shutdownBoundMs !== null) armShutdownBound(shutdownBoundMs);
    if (node !== undefined) shutDown(node, signal);
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  watchSupervisor(() => onSignal('the supervising process exited'));
  const config = await loadServerConfig(o.config, o.override, (msg) => process.stderr.write(`warning: ${msg}\n`));
  shutdownBoundMs = config.shutdownTimeoutMs;
  if (stopSignal !== null) armShutdownBound(shutdownBoundMs);
  const fatal = (e: unknown) => {
    process.stderr.write(`fatal: ${e instanceof Error ? e.message : String(e)}\n`);
    // Stop what can be stopped, but never hang: exit 1 regardless.
    setTimeout(() => process.exit(1), 2_000).unref();
    void (node?.stop('fatal error') ?? Promise.resolve()).finally(() => process.exit(1));
  };
  node = await startNode(config, o.logLevel, fatal, o.config, undefined, o.override);
  if (stopSignal !== null) shutDown(node, stopSignal);
}

