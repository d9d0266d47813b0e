// The rules that tie process.roles, node.id, controller.quorum.voters, controller.listener.names,
// listeners, advertised.listeners and listener.security.protocol.map together, as Kafka's
// KafkaConfig checks them:
//
//   role(s)              voter set              listeners must include
//   -------------------  ---------------------  -------------------------------------------------
//   controller           node.id in it          only controller listeners, every one named
//   broker               node.id NOT in it      no controller listener; at least one other
//   broker,controller    node.id in it          every controller listener and at least one other
//
// Every listener name used (listeners, advertised.listeners, controller.listener.names) must be
// in the security protocol map. Listener ports are unique (0, "any free port", may repeat).
// advertised.listeners defaults to listeners minus the controller listeners (nodes reach
// controllers through controller.quorum.voters); an empty host advertises the host name, and
// 0.0.0.0 / :: cannot be advertised, as in Kafka.

import { usesSasl, type SecurityProtocol } from '../../quorum/net/types.js';
import type { RawListener, Voter } from './endpoints.js';
import { ConfigError } from './errors.js';
import type { KeyReader } from './key-reader.js';
import type { ListenerConfig } from './node-config.js';
import { type Role, serverKeys as K } from './server-keys.js';

export interface TopologyInput {
  readonly processRoles: readonly Role[];
  readonly nodeId: number;
  readonly voters: readonly Voter[];
  readonly controllerListenerNames: readonly string[];
  readonly securityProtocolMap: ReadonlyMap<string, SecurityProtocol>;
  readonly rawListeners: readonly RawListener[];
  /** advertised.listeners as parsed; undefined when the key is absent. */
  readonly rawAdvertised: readonly RawListener[] | undefined;
}

const NON_ROUTABLE = new Set(['0.0.0.0', '::']);

const SSL_OR_SASL_NAMES = new Set(['SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);

/**
 * listener.security.protocol.map as Kafka's KafkaConfig.effectiveListenerSecurityProtocolMap
 * makes it: when the key is not set, every controller listener name is mapped to PLAINTEXT too,
 * unless a listener or controller listener is named SSL, SASL_PLAINTEXT or SASL_SSL (then the
 * operator must say what the controller listener is). Only CONTROLLER was mapped before, so a
 * Kafka file with controller.listener.names=CTRL and no map was refused (found by a review).
 */
export function effectiveSecurityProtocolMap(
  map: ReadonlyMap<string, SecurityProtocol>,
  mapIsSet: boolean,
  controllerListenerNames: readonly string[],
  rawListeners: readonly RawListener[],
): ReadonlyMap<string, SecurityProtocol> {
  if (mapIsSet) return map;
  const sslOrSaslInUse = [...controllerListenerNames, ...rawListeners.map((l) => l.name)].some((name) => SSL_OR_SASL_NAMES.has(name));
  if (sslOrSaslInUse) return map;
  const effective = new Map(map);
  for (const name of controllerListenerNames) if (!effective.has(name)) effective.set(name, 'PLAINTEXT');
  return effective;
}

export function resolveTopology(
  r: KeyReader,
  t: TopologyInput,
  hostname: () => string,
  warn: (msg: string) => void,
): { listeners: ListenerConfig[]; advertisedListeners: ListenerConfig[] } {
  const isController = t.processRoles.includes('controller');
  const isBroker = t.processRoles.includes('broker');
  if (isController && !r.has(K.controllerListenerNames.name)) {
    throw new ConfigError(`controller.listener.names is required when process.roles includes controller; it ${K.controllerListenerNames.expected}`, K.controllerListenerNames.name);
  }
  const isVoter = t.voters.some((v) => v.id === t.nodeId);
  if (isController && !isVoter) r.fail(K.voters, `does not include this node's node.id ${t.nodeId}; every controller must be a voter`);
  if (!isController && isVoter) {
    r.fail(K.voters, `includes node.id ${t.nodeId}, but process.roles = broker: a broker-only node must not be a voter (give it another node.id, or add the controller role)`);
  }

  const isControllerListener = (name: string) => t.controllerListenerNames.includes(name);
  const protocolOf = (name: string, usedIn: string): SecurityProtocol => {
    const mapped = t.securityProtocolMap.get(name) ?? r.fail(K.securityProtocolMap, `does not map listener ${name} (from ${usedIn}); add ${name}:PLAINTEXT or ${name}:SSL`);
    // Nodes speak the internal protocol on a controller listener and prove who they are with
    // certificates there (mutual TLS); SASL is for Kafka clients on a broker's listeners.
    if (usesSasl(mapped) && isControllerListener(name)) {
      return r.fail(K.securityProtocolMap, `maps controller listener ${name} to ${mapped}: a controller listener is PLAINTEXT or SSL (nodes authenticate with mutual TLS); SASL is for broker listeners`);
    }
    return mapped;
  };
  for (const name of t.controllerListenerNames) protocolOf(name, K.controllerListenerNames.name);

  const ports = new Map<number, string>();
  const listeners = t.rawListeners.map((l): ListenerConfig => {
    if (l.port !== 0) {
      const other = ports.get(l.port);
      if (other !== undefined) r.fail(K.listeners, `listeners ${other} and ${l.name} both use port ${l.port}; ports must be unique`);
      ports.set(l.port, l.name);
    }
    return { name: l.name, host: l.host === '' ? '0.0.0.0' : l.host, port: l.port, securityProtocol: protocolOf(l.name, K.listeners.name) };
  });
  const controllerNamesText = t.controllerListenerNames.join(',');
  if (isController && !listeners.some((l) => isControllerListener(l.name))) {
    r.fail(K.listeners, `a controller must listen on a controller listener (one of controller.listener.names = ${controllerNamesText})`);
  }
  // Kafka's rule: a controller binds every controller listener it names. A name without a
  // listener would otherwise pass here (and format) and only fail when `start` binds it.
  const unbound = isController ? t.controllerListenerNames.find((name) => !listeners.some((l) => l.name === name)) : undefined;
  if (unbound !== undefined) {
    r.fail(K.controllerListenerNames, `${unbound} is not in listeners; a controller listens on every listener in controller.listener.names (add ${unbound}://host:port to listeners, or drop the name)`);
  }
  // Kafka does not check it, and a port mapping (Docker) may make the two differ on purpose: a
  // warning, not an error. A controller listening elsewhere than its voter entry elects itself
  // alone at best, while the other voters and every broker dial a port nobody answers.
  const ownVoter = t.voters.find((v) => v.id === t.nodeId);
  const controllerPorts = listeners.filter((l) => isControllerListener(l.name)).map((l) => l.port);
  if (isController && ownVoter !== undefined && !controllerPorts.includes(0) && !controllerPorts.includes(ownVoter.port)) {
    warn(
      `controller.quorum.voters gives this node (${t.nodeId}) port ${ownVoter.port}, but its controller listener(s) listen on ${controllerPorts.join(', ')}: ` +
        'the other voters and the brokers dial the voters entry; unless a port mapping forwards it, fix one or the other',
    );
  }
  if (isController && !isBroker) {
    const other = listeners.find((l) => !isControllerListener(l.name));
    if (other !== undefined) r.fail(K.listeners, `listener ${other.name} is not in controller.listener.names (${controllerNamesText}); a controller-only node listens only on controller listeners`);
  }
  if (isBroker && !isController) {
    const clash = listeners.find((l) => isControllerListener(l.name));
    if (clash !== undefined) r.fail(K.listeners, `listener ${clash.name} is a controller listener (controller.listener.names), but process.roles = broker; only controllers listen on it`);
  }
  if (isBroker && !listeners.some((l) => !isControllerListener(l.name))) {
    r.fail(K.listeners, `a broker needs a listener that is not a controller listener (controller.listener.names = ${controllerNamesText})`);
  }

  const advertisedSet = t.rawAdvertised !== undefined;
  const advertisedKey = advertisedSet ? K.advertisedListeners.name : `${K.advertisedListeners.name} (defaulting to listeners)`;
  const advertisedText = r.raw(advertisedSet ? K.advertisedListeners.name : K.listeners.name) ?? K.listeners.default ?? '';
  const bad = (why: string): never => {
    throw new ConfigError(`${advertisedKey} = ${JSON.stringify(advertisedText)}: ${why}`, K.advertisedListeners.name);
  };
  const advertisedListeners: ListenerConfig[] = [];
  for (const a of t.rawAdvertised ?? t.rawListeners.filter((l) => !isControllerListener(l.name))) {
    if (!listeners.some((l) => l.name === a.name)) bad(`listener ${a.name} is not in listeners; advertised listeners must be a subset of listeners`);
    if (isControllerListener(a.name)) {
      warn(`advertised.listeners: controller listener ${a.name} is not advertised (nodes reach controllers through controller.quorum.voters); ignored`);
      continue;
    }
    if (NON_ROUTABLE.has(a.host)) bad(`listener ${a.name}: ${a.host} cannot be advertised; set advertised.listeners to a host name or address clients can reach`);
    advertisedListeners.push({ name: a.name, host: a.host === '' ? hostname() : a.host, port: a.port, securityProtocol: protocolOf(a.name, K.advertisedListeners.name) });
  }
  if (isBroker && advertisedListeners.length === 0) bad('a broker must advertise at least one listener');
  return { listeners, advertisedListeners };
}
