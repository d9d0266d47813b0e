// max.connections.per.ip.overrides: "host:count,...", Kafka's per-address exceptions to
// max.connections.per.ip (its example: "hostName:100,127.0.0.1:200"). The syntax is checked with
// every other key (parseConnectionOverrides: a malformed entry stops the node, exit 2); host names
// are resolved once, at start (resolveConnectionLimits), as Kafka resolves them once when it reads
// its config: one address per name (InetAddress.getByName: the first, IPv4 before IPv6 as the JVM
// prefers by default). A name whose address changes later keeps the address it had at start; a
// name that does not resolve stops the node, as in Kafka.
//
// The count follows the entry's last ':' (an IPv6 address holds colons of its own: "::1:5" is ::1
// with 5); an IPv6 address may also be written in brackets, "[::1]:5", as in `listeners`.

import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import { canonicalAddress, type ConnectionLimits } from '../../quorum/net/connection-quotas.js';
import { ConfigError } from './errors.js';
import { BadValue, INT_MAX, listParser } from './values.js';

export const OVERRIDES_KEY = 'max.connections.per.ip.overrides';

/** One entry as written: an IP address or a host name, and the connections it may hold. */
export interface ConnectionOverride {
  readonly host: string;
  readonly max: number;
}

/** max.connections.per.ip, its overrides (hosts as written), max.connections and its per-listener form, as parsed. */
export interface ConnectionLimitSettings {
  readonly perIpMax: number;
  readonly perIpOverrides: readonly ConnectionOverride[];
  readonly totalMax: number;
  /** listener.name.<listener>.max.connections, by listener name (upper case, as in `listeners`). */
  readonly perListenerMax: ReadonlyMap<string, number>;
}

/** Host names: dot-separated labels of letters, digits, '-' and '_' (Kafka's check takes those characters; what does not resolve fails at start). */
const HOST_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?$/;
const ENTRY_SHAPE = 'each entry is host:count, the host an IP address or a host name, the count 0..2147483647';

function parseEntry(entry: string): ConnectionOverride {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) throw new BadValue(`"${entry}" has no count; ${ENTRY_SHAPE}`);
  let host = entry.slice(0, colon).trim();
  const count = entry.slice(colon + 1).trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw new BadValue(`"${entry}" has no host; ${ENTRY_SHAPE}`);
  if (net.isIP(host) === 0 && !HOST_NAME.test(host)) throw new BadValue(`"${host}" in "${entry}" is neither an IP address nor a host name; ${ENTRY_SHAPE}`);
  const max = /^\d+$/.test(count) ? Number(count) : NaN;
  if (!(max <= INT_MAX)) throw new BadValue(`the count "${count}" in "${entry}" is not a number of connections 0..${INT_MAX}; ${ENTRY_SHAPE}`);
  return { host: net.isIP(host) === 0 ? host.toLowerCase() : canonicalAddress(host), max };
}

/** "host:count,..." (empty: no overrides); the same host twice is refused rather than one entry silently winning. */
export function parseConnectionOverrides(raw: string): ConnectionOverride[] {
  const entries = listParser(parseEntry)(raw);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.host)) throw new BadValue(`${e.host} is listed more than once; give each host one count`);
    seen.add(e.host);
  }
  return entries;
}

export type AddressLookup = (host: string) => Promise<readonly { address: string; family: number }[]>;

const systemLookup: AddressLookup = (host) => lookup(host, { all: true });

/** The address Kafka would use for `host`: the first IPv4 one, else the first. */
async function addressOf(host: string, lookupAll: AddressLookup): Promise<string> {
  if (net.isIP(host) !== 0) return canonicalAddress(host);
  let found: readonly { address: string; family: number }[];
  try {
    found = await lookupAll(host);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new ConfigError(`${OVERRIDES_KEY}: cannot resolve host "${host}" (${why}); give its IP address, or a name this machine resolves`, OVERRIDES_KEY);
  }
  const chosen = found.find((a) => a.family === 4) ?? found[0];
  if (chosen === undefined) throw new ConfigError(`${OVERRIDES_KEY}: host "${host}" resolves to no address`, OVERRIDES_KEY);
  return canonicalAddress(chosen.address);
}

/**
 * The limits the broker's listeners enforce, with every override's host resolved to its address
 * (once; see the header). Two entries that land on the same address are a ConfigError naming both.
 */
export async function resolveConnectionLimits(settings: ConnectionLimitSettings, lookupAll: AddressLookup = systemLookup): Promise<ConnectionLimits> {
  const overrides = new Map<string, number>();
  const writtenAs = new Map<string, string>();
  for (const { host, max } of settings.perIpOverrides) {
    const address = await addressOf(host, lookupAll);
    const other = writtenAs.get(address);
    if (other !== undefined) {
      throw new ConfigError(`${OVERRIDES_KEY}: ${other} and ${host} are the same address (${address}); give it one count`, OVERRIDES_KEY);
    }
    writtenAs.set(address, host);
    overrides.set(address, max);
  }
  return { perAddressMax: settings.perIpMax, perAddressOverrides: overrides, totalMax: settings.totalMax, perListenerMax: settings.perListenerMax };
}
