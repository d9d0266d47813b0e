// How many connections a broker's client listeners hold, per remote address and in all, against
// Kafka's max.connections.per.ip (with max.connections.per.ip.overrides) and max.connections, and
// per listener against listener.name.<listener>.max.connections (KIP-402).
// One instance is shared by every client listener of a broker, so both limits span its listeners
// as Kafka's do. The listener (./server.ts) asks for a slot on accept, before TLS or any protocol
// byte, and gives it back when the TCP connection closes; a refused connection is closed at once
// and logged there (rate-limited by ./refusal-warnings.ts, whose state for these limits lives here
// so that one address gets one line per interval whichever listener it tried).
//
// max.connections.per.ip and max.connections may also be set as dynamic broker configs (this
// broker's, else the cluster default): applyDynamic puts them over the static limits for the next
// connection accepted, as Kafka's DynamicConnectionQuota does (broker/dynamic-connection-limits.ts
// reads them from the image).
//
// Each remote address may also have a connection creation rate quota (Kafka's KIP-612: the ip
// client quota entity's connection_creation_rate, its own else the default ip entity's, else
// none; broker/dynamic-connection-limits.ts reads them from the image and applyIpConnectionRates
// puts them here). It is checked first, as Kafka checks it before the count limits, against the
// rate ./connection-rate.ts measures: a connection over it is refused and does not count towards
// the rate; any other counts, even one a count limit then refuses. Only addresses with a quota
// are measured. A refusal by it has its own warn key, so its line is not hidden by the address's
// count refusals. Every refusal is counted by the limit that made it (refusals(), for metrics).
//
// Addresses are compared in one canonical form: an IPv4-mapped IPv6 address (::ffff:127.0.0.1, how
// a dual-stack listener sees an IPv4 client) is the IPv4 address, and IPv6 is compressed and lower
// case, so an override written 0:0:0:0:0:0:0:1 applies to ::1.

import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ConnectionRateTracker, UNLIMITED_CONNECTION_RATE } from './connection-rate.js';
import { netLimits } from './limits.js';
import { RefusalWarnings } from './refusal-warnings.js';

export interface ConnectionLimits {
  /** max.connections.per.ip: connections one remote address may hold, unless overridden. */
  readonly perAddressMax: number;
  /** max.connections.per.ip.overrides, resolved to addresses (canonicalAddress form). */
  readonly perAddressOverrides: ReadonlyMap<string, number>;
  /** max.connections: connections all the listeners sharing the quotas may hold. */
  readonly totalMax: number;
  /** listener.name.<listener>.max.connections: connections one listener may hold, by listener name; absent = no limit of its own. */
  readonly perListenerMax?: ReadonlyMap<string, number>;
}

/** Kafka's defaults: no limit (Int.MaxValue) on either count, no overrides. */
export const NO_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({ perAddressMax: 2 ** 31 - 1, perAddressOverrides: new Map<string, number>(), totalMax: 2 ** 31 - 1 });

export type ConnectionLimitKey =
  | 'max.connections.per.ip'
  | 'max.connections.per.ip.overrides'
  | 'max.connections'
  | `listener.name.${string}.max.connections`
  /** The ip client quota (KIP-612): `max` is then connections per second. */
  | 'connection_creation_rate';

export interface ConnectionRefusal {
  /** The remote address, canonical. */
  readonly address: string;
  /** The limit reached, by the key that sets it. */
  readonly limit: ConnectionLimitKey;
  /** The limit: connections, or for connection_creation_rate connections per second. */
  readonly max: number;
  /** For connection_creation_rate: the rate measured with this connection (per second, two decimals at most). */
  readonly ratePerSecond?: number;
  /** For the warn line, in words. */
  readonly reason: string;
  /** Whose refusals share a warn line: the address for a per-address limit, the broker for the total. */
  readonly warnKey: string;
}

/** max.connections.per.ip and max.connections set as dynamic broker configs; undefined: the static limit applies. */
export interface DynamicConnectionLimits {
  readonly perAddressMax: number | undefined;
  readonly totalMax: number | undefined;
}

/**
 * The connection_creation_rate quotas of ip client quota entities: by address (canonicalAddress
 * form), and the default ip entity's for every other address (undefined: none). A quota of
 * UNLIMITED_CONNECTION_RATE (2147483647) is none, as in Kafka; an address's own quota of it
 * exempts that address from the default.
 */
export interface IpConnectionRateQuotas {
  readonly byAddress: ReadonlyMap<string, number>;
  readonly defaultQuota: number | undefined;
}

export const NO_IP_CONNECTION_RATE_QUOTAS: IpConnectionRateQuotas = Object.freeze({ byAddress: new Map<string, number>(), defaultQuota: undefined });

export type Admission = { readonly admitted: true; readonly release: () => void } | { readonly admitted: false; readonly refusal: ConnectionRefusal };

/** The form addresses are counted and compared in (see the header). A string that is no IP address is kept as it is. */
export function canonicalAddress(address: string): string {
  if (net.isIPv6(address)) {
    let compressed: string;
    try {
      compressed = new net.SocketAddress({ address, family: 'ipv6' }).address;
    } catch {
      return address.toLowerCase(); // a form SocketAddress does not take (a zone id, say)
    }
    const mapped = compressed.startsWith('::ffff:') ? compressed.slice('::ffff:'.length) : '';
    return net.isIPv4(mapped) ? mapped : compressed;
  }
  return address;
}

/** The warn key of refusals by the total limit: they are about the broker, not one address. */
const TOTAL_WARN_KEY = '(all addresses)';

export class ConnectionQuotas {
  private readonly byAddress = new Map<string, number>();
  private readonly byListener = new Map<string, number>();
  private total = 0;
  private readonly overrides: ReadonlyMap<string, number>;
  private dynamic: DynamicConnectionLimits = { perAddressMax: undefined, totalMax: undefined };
  private ipRates: IpConnectionRateQuotas = NO_IP_CONNECTION_RATE_QUOTAS;
  private readonly rates = new ConnectionRateTracker(netLimits.connectionRateAddressesMax);
  private readonly refused = new Map<ConnectionLimitKey, number>();
  /** When refusals of these quotas are logged (shared by the listeners, see the header). */
  readonly warnings: RefusalWarnings;

  constructor(
    readonly limits: ConnectionLimits,
    warnings: RefusalWarnings = new RefusalWarnings(),
    /** Monotonic ms, for the connection rates (tests move it by hand). */
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.overrides = new Map([...limits.perAddressOverrides].map(([address, max]) => [canonicalAddress(address), max]));
    this.warnings = warnings;
  }

  /**
   * Dynamic broker configs over the static limits (Kafka's DynamicConnectionQuota): they apply to
   * the next connection accepted; connections already held stay, as in Kafka. An override in
   * max.connections.per.ip.overrides still wins over either per-address limit.
   */
  applyDynamic(limits: DynamicConnectionLimits): void {
    this.dynamic = limits;
  }

  /**
   * The ip connection_creation_rate quotas, replacing those applied before, for the next
   * connection accepted. Rates already measured stay (Kafka keeps an address's sensor when its
   * quota changes), so a lower quota applies to what the address did in the last seconds.
   */
  applyIpConnectionRates(quotas: IpConnectionRateQuotas): void {
    const whole = (q: number) => Number.isSafeInteger(q) && q >= 0;
    assert(quotas.defaultQuota === undefined || whole(quotas.defaultQuota), `default ip connection rate quota ${quotas.defaultQuota}`);
    for (const [address, q] of quotas.byAddress) assert(whole(q) && canonicalAddress(address) === address, `ip connection rate quota ${address}: ${q}`);
    this.ipRates = quotas;
  }

  /** The ip connection_creation_rate quotas applied now. */
  get ipConnectionRates(): IpConnectionRateQuotas {
    return this.ipRates;
  }

  /** The connection_creation_rate quota of `remoteAddress` (any form): its own, else the default; undefined when none. */
  ipConnectionRateQuota(remoteAddress: string): { readonly quota: number; readonly own: boolean } | undefined {
    const address = canonicalAddress(remoteAddress);
    const own = this.ipRates.byAddress.get(address);
    const quota = own ?? this.ipRates.defaultQuota;
    return quota === undefined || quota >= UNLIMITED_CONNECTION_RATE ? undefined : { quota, own: own !== undefined };
  }

  /** Connections refused so far, by the limit that refused them. */
  refusals(): ReadonlyMap<ConnectionLimitKey, number> {
    return this.refused;
  }

  /** The per-address and total limits in force now (dynamic, else static). */
  effectiveLimits(): { readonly perAddressMax: number; readonly totalMax: number } {
    return { perAddressMax: this.dynamic.perAddressMax ?? this.limits.perAddressMax, totalMax: this.dynamic.totalMax ?? this.limits.totalMax };
  }

  /** Takes a slot for a new connection from `remoteAddress` on listener `listenerName`, or says which limit refuses it. */
  admit(remoteAddress: string, listenerName?: string): Admission {
    const address = canonicalAddress(remoteAddress);
    const rateQuota = this.ipConnectionRateQuota(address);
    if (rateQuota !== undefined) {
      const { quota, own } = rateQuota;
      const { admitted, ratePerSecond } = this.rates.record(address, quota, this.nowMs());
      if (!admitted) {
        const whose = own ? 'its' : 'the default ip';
        return this.refuse({
          address,
          limit: 'connection_creation_rate',
          max: quota,
          ratePerSecond: roundedRate(ratePerSecond),
          warnKey: `${address} (connection_creation_rate)`,
          reason: `${address} opens connections at ${roundedRate(ratePerSecond)} per second, over ${whose} connection_creation_rate quota of ${quota} per second`,
        });
      }
    }
    const held = this.byAddress.get(address) ?? 0;
    const override = this.overrides.get(address);
    const limits = this.effectiveLimits();
    const perAddressMax = override ?? limits.perAddressMax;
    if (held >= perAddressMax) {
      const limit = override === undefined ? 'max.connections.per.ip' : 'max.connections.per.ip.overrides';
      return this.refuse({ address, limit, max: perAddressMax, warnKey: address, reason: `${address} holds ${held} connections already (${limit}: at most ${perAddressMax})` });
    }
    if (this.total >= limits.totalMax) {
      const max = limits.totalMax;
      return this.refuse({ address, limit: 'max.connections', max, warnKey: TOTAL_WARN_KEY, reason: `the client listeners hold ${this.total} connections already (max.connections: at most ${max})` });
    }
    const listenerMax = listenerName === undefined ? undefined : this.limits.perListenerMax?.get(listenerName);
    const onListener = listenerName === undefined ? 0 : (this.byListener.get(listenerName) ?? 0);
    if (listenerMax !== undefined && onListener >= listenerMax) {
      const limit = `listener.name.${listenerName!.toLowerCase()}.max.connections` as const;
      return this.refuse({ address, limit, max: listenerMax, warnKey: `(listener ${listenerName})`, reason: `listener ${listenerName} holds ${onListener} connections already (${limit}: at most ${listenerMax})` });
    }
    this.byAddress.set(address, held + 1);
    this.total++;
    if (listenerName !== undefined) this.byListener.set(listenerName, onListener + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        if (listenerName !== undefined) this.byListener.set(listenerName, (this.byListener.get(listenerName) ?? 1) - 1);
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left === 0) this.byAddress.delete(address);
        else this.byAddress.set(address, left);
      },
    };
  }

  private refuse(refusal: ConnectionRefusal): Admission {
    this.refused.set(refusal.limit, (this.refused.get(refusal.limit) ?? 0) + 1);
    return { admitted: false, refusal };
  }

  /** Connections held now from `remoteAddress` (any form), and in all. */
  held(remoteAddress?: string): number {
    return remoteAddress === undefined ? this.total : (this.byAddress.get(canonicalAddress(remoteAddress)) ?? 0);
  }

  /** Connections held now on listener `listenerName`. */
  heldOn(listenerName: string): number {
    return this.byListener.get(listenerName) ?? 0;
  }
}

/** A rate for a log line: two decimals at most. */
function roundedRate(perSecond: number): number {
  return Math.round(perSecond * 100) / 100;
}
