// The syntax of the endpoint-shaped keys: `listeners` / `advertised.listeners`
// ("NAME://host:port,..."), `controller.quorum.voters` ("id@host:port,...") and
// `listener.security.protocol.map` ("NAME:PROTOCOL,..."). Rules that span keys (every listener
// mapped, the node in the voter set...) live in server-config.ts.
//
// Listener names are normalised to upper case, as Kafka's ListenerName.normalised does, so
// "plaintext://:9092" and "PLAINTEXT://:9092" are the same listener. IPv6 hosts go in brackets:
// "SSL://[::1]:9094", "1@[fd00::1]:9093".

import type { SecurityProtocol } from '../../quorum/net/types.js';
import { BadValue, INT_MAX, listParser } from './values.js';

/** A parsed `listeners` entry; `host` is '' when the entry left it out. */
export interface RawListener {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface Voter {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

const LISTENER_NAME = /^[A-Za-z0-9_-]+$/;
const HOST_PORT = /^(?:\[([^\]]*)\]|([^:[\]/@]*)):(\d+)$/;

export function hostPort(s: string, what: string): { host: string; port: number } {
  const m = HOST_PORT.exec(s);
  if (m === null) throw new BadValue(`${what}: expected host:port (IPv6 in brackets), got "${s}"`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65_535) throw new BadValue(`${what}: port ${m[3]} is outside 0..65535`);
  return { host: m[1] ?? m[2] ?? '', port };
}

export function parseListenerName(raw: string): string {
  if (!LISTENER_NAME.test(raw)) throw new BadValue(`"${raw}" is not a listener name (letters, digits, '_' and '-')`);
  return raw.toUpperCase();
}

/** "host:port" (or "http://host:port"); an empty host is 127.0.0.1, not every interface: the metrics endpoint is plain HTTP. */
export function parseHttpListener(raw: string): { host: string; port: number } {
  const { host, port } = hostPort(raw.replace(/^http:\/\//i, ''), 'metrics listener');
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** "NAME://host:port,..." with unique names. */
export function parseListenerList(raw: string): RawListener[] {
  const listeners = listParser((entry): RawListener => {
    const sep = entry.indexOf('://');
    if (sep < 0) throw new BadValue(`"${entry}" is not NAME://host:port`);
    const name = parseListenerName(entry.slice(0, sep));
    return { name, ...hostPort(entry.slice(sep + 3), `listener ${name}`) };
  })(raw);
  const names = new Set<string>();
  for (const l of listeners) {
    if (names.has(l.name)) throw new BadValue(`listener name ${l.name} appears more than once; names must be unique`);
    names.add(l.name);
  }
  return listeners;
}

/** "id@host:port,..." with unique ids, a host, and a port in 1..65535. */
export function parseVoters(raw: string): Voter[] {
  const voters = listParser((entry): Voter => {
    const m = /^(\d+)@(.*)$/.exec(entry);
    if (m === null) throw new BadValue(`"${entry}" is not id@host:port`);
    const id = Number(m[1]);
    if (!Number.isSafeInteger(id) || id > INT_MAX) throw new BadValue(`voter id ${m[1]} is outside 0..${INT_MAX}`);
    const { host, port } = hostPort(m[2]!, `voter ${id}`);
    if (host === '') throw new BadValue(`voter ${id} has no host`);
    if (port === 0) throw new BadValue(`voter ${id} has port 0; a voter needs the port its controller listens on`);
    return { id, host, port };
  })(raw);
  if (voters.length === 0) throw new BadValue('the voter set must not be empty (expected id@host:port,...)');
  const ids = new Set<number>();
  // One address for two voters reaches one of them only: it would fail at run time with "is node
  // 1, expected node 2" (found by a review). Compared as written (host names are not resolved).
  const addresses = new Map<string, number>();
  for (const v of voters) {
    if (ids.has(v.id)) throw new BadValue(`voter id ${v.id} appears more than once; ids must be unique`);
    ids.add(v.id);
    const address = `${v.host.toLowerCase()}:${v.port}`;
    const other = addresses.get(address);
    if (other !== undefined) throw new BadValue(`voters ${other} and ${v.id} have the same address ${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}; each voter needs its own controller listener`);
    addresses.set(address, v.id);
  }
  return voters;
}

const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** "NAME:PROTOCOL,..." with PROTOCOL one of Kafka's PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (which listener may use which: topology.ts). */
export function parseSecurityProtocolMap(raw: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of listParser((s) => s)(raw)) {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new BadValue(`"${entry}" is not NAME:PROTOCOL`);
    const name = parseListenerName(entry.slice(0, colon).trim());
    const protocolText = entry.slice(colon + 1).trim().toUpperCase();
    const protocol = PROTOCOLS.find((p) => p === protocolText);
    if (protocol === undefined) {
      throw new BadValue(`listener ${name}: security protocol "${entry.slice(colon + 1).trim()}" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`);
    }
    if (map.has(name)) throw new BadValue(`listener ${name} is mapped more than once`);
    map.set(name, protocol);
  }
  return map;
}
