// /brokers/ids/<id> (EPHEMERAL registrations, versions 1-5) → the endpoints and rack of each broker
// that was up when the tree was read. See ./plan.ts for how they become RegisterBroker records.
//
// Per version (zk-layout.md §2):
//   v1     host/port only: one endpoint PLAINTEXT://host:port (none when host is null or port -1)
//   v2, v3 endpoints ["PROTOCOL://host:port"]: the listener name is the security protocol
//   v4, v5 endpoints with listener names, mapped to protocols by listener_security_protocol_map
//   v3+    rack (absent or null = none); v5 features (ZK brokers write {}; never copied)
// host/port are never used from v2 on: they are the first PLAINTEXT-protocol listener, not the
// broker's address. IPv6 hosts are bracketed in endpoints and stored without brackets.
// Unknown versions are read with the v4/v5 rules (and reported).

import type { Endpoint } from '../../metadata-log/records/types.js';
import type { PlanContext } from './plan-types.js';
import { childPath, idOf } from './plan-types.js';
import { requiredJsonOf, type JsonFields } from './zk-json.js';

export const BROKER_IDS_PATH = '/brokers/ids';

/** Kafka's SecurityProtocol names. */
export const SECURITY_PROTOCOLS: ReadonlySet<string> = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);

const PORT_MAX = 65_535;

export interface ZkBroker {
  readonly brokerId: number;
  readonly path: string;
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
}

export interface ZkBrokers {
  /** Registrations read, ascending id. */
  readonly registered: readonly ZkBroker[];
  /** Every id listed under /brokers/ids (read or not). */
  readonly listedIds: ReadonlySet<number>;
}

export function readBrokers(ctx: PlanContext): ZkBrokers {
  const registered: ZkBroker[] = [];
  const listedIds = new Set<number>();
  for (const name of ctx.children(BROKER_IDS_PATH)) {
    const path = childPath(BROKER_IDS_PATH, name);
    const brokerId = idOf(name);
    if (brokerId === null) {
      ctx.anomaly(path, 'invalid-broker-id', 'warning', `"${name}" is not a broker id; ignored`);
      continue;
    }
    listedIds.add(brokerId);
    if (ctx.isUnreadable(path)) {
      ctx.skip(path, `registration of broker ${brokerId} unreadable: broker not registered (it registers itself when it starts)`);
      continue;
    }
    const node = ctx.node(path);
    if (node === undefined) continue; // gone between listing and reading: the broker went down
    const broker = ctx.guard(`broker ${brokerId} not registered (it registers itself when it starts)`, () => {
      const json = requiredJsonOf(path, node, 'the broker registration JSON');
      return parseRegistration(ctx, path, brokerId, json);
    }, 'warning');
    if (broker !== undefined) registered.push(broker);
  }
  registered.sort((a, b) => a.brokerId - b.brokerId);
  return { registered, listedIds };
}

function parseRegistration(ctx: PlanContext, path: string, brokerId: number, json: JsonFields): ZkBroker {
  const version = json.version();
  ctx.checkVersion(path, version, [1, 2, 3, 4, 5], 'version 5');
  const endpoints = version === 1 ? v1Endpoint(json) : listenerEndpoints(ctx, path, json);
  for (const e of endpoints) {
    if (e.host === '') ctx.anomaly(path, 'endpoint-without-host', 'warning', `listener ${e.name} has no host (Kafka wrote ${e.name}://:${e.port}); clients cannot reach it`);
  }
  if (endpoints.length === 0) {
    ctx.anomaly(path, 'broker-without-endpoints', 'warning', `broker ${brokerId} has no usable endpoint; registered (fenced) without one until it registers itself`);
  }
  const features = json.get('features');
  if (typeof features === 'object' && features !== null && !Array.isArray(features) && Object.keys(features).length > 0) {
    ctx.anomaly(
      path,
      'broker-features-ignored',
      'warning',
      `broker ${brokerId} lists supported features ${Object.keys(features).sort().join(', ')}; not copied (Kafka's feature levels are not this quorum's)`,
    );
  }
  return { brokerId, path, endpoints, rack: json.optStr('rack') };
}

/** Version 1: host and port, which then are the PLAINTEXT listener. */
function v1Endpoint(json: JsonFields): Endpoint[] {
  const host = json.optStr('host');
  const port = json.int('port', -1, PORT_MAX);
  if (host === null || port < 0) return [];
  return [{ name: 'PLAINTEXT', host, port, securityProtocol: 'PLAINTEXT' }];
}

function listenerEndpoints(ctx: PlanContext, path: string, json: JsonFields): Endpoint[] {
  const list = json.array('endpoints');
  const protocolMap = json.optObject('listener_security_protocol_map');
  const out: Endpoint[] = [];
  const names = new Set<string>();
  for (const item of list) {
    if (typeof item !== 'string') {
      ctx.anomaly(path, 'malformed-endpoint', 'warning', `endpoint ${JSON.stringify(item)} is not a string; dropped`);
      continue;
    }
    const parsed = parseEndpoint(item);
    if (typeof parsed === 'string') {
      ctx.anomaly(path, 'malformed-endpoint', 'warning', `endpoint ${JSON.stringify(item)} ${parsed}; dropped`);
      continue;
    }
    // Before v4 the listener name is the protocol; from v4 the map says (a listener it leaves out is an error in Kafka too).
    let protocol: string;
    if (protocolMap === null) protocol = parsed.name;
    else {
      const mapped = protocolMap.get(parsed.name);
      if (typeof mapped !== 'string') {
        ctx.anomaly(path, 'malformed-endpoint', 'warning', `listener ${parsed.name} has no security protocol in listener_security_protocol_map; dropped`);
        continue;
      }
      protocol = mapped;
    }
    if (!SECURITY_PROTOCOLS.has(protocol)) {
      ctx.anomaly(path, 'malformed-endpoint', 'warning', `listener ${parsed.name} has security protocol ${JSON.stringify(protocol)}, not one of ${[...SECURITY_PROTOCOLS].join(', ')}; dropped`);
      continue;
    }
    if (names.has(parsed.name)) {
      ctx.anomaly(path, 'malformed-endpoint', 'warning', `listener ${parsed.name} appears twice; the second is dropped`);
      continue;
    }
    names.add(parsed.name);
    out.push({ name: parsed.name, host: parsed.host, port: parsed.port, securityProtocol: protocol });
  }
  return out;
}

/** "NAME://host:port", "NAME://[v6]:port" or "NAME://:port" → its parts, or why it is not one. */
export function parseEndpoint(s: string): { name: string; host: string; port: number } | string {
  const sep = s.indexOf('://');
  if (sep <= 0) return 'has no "LISTENER://" prefix';
  const name = s.slice(0, sep);
  const rest = s.slice(sep + 3);
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return 'has an unterminated [IPv6] host';
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return 'has no port';
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) return 'has an IPv6 host without brackets';
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > PORT_MAX) return `has port ${JSON.stringify(portText)}, not 0..${PORT_MAX}`;
  return { name, host, port: Number(portText) };
}
