// The rate at which each remote IP address opens connections, against a quota in connections per
// second: Kafka's IP connection rate quota (KIP-612, the ip entity's connection_creation_rate),
// measured as Kafka's ConnectionQuotas measures it, with a Sensor holding a Rate over a
// WindowedSum (quota.window.num = 11 samples of quota.window.size.seconds = 1). Pure: the caller
// passes the time (ms, monotonic); ./connection-quotas.ts asks it for each new connection from an
// address that has a quota, and closes the connection when it says no.
//
// Per address, a list of samples { startMs, lastEventMs, count }, oldest first (Kafka's SampledStat
// since apache/kafka#15889, 2024: samples expire by their last event). A connection at `now`:
//   1. drops the samples whose lastEventMs is windowMs x samples (11 s) or more before now;
//   2. starts a new sample at now when there is none or the newest started windowMs (1 s) or more
//      before now; else it goes into the newest;
//   3. counts itself in that sample (count + 1, lastEventMs = now) and measures
//        rate = (sum of the counts) / windowSize, in connections per second, where
//        windowSize = now - startMs of the oldest sample, padded when it spans fewer than
//        samples - 1 (10) whole windows: + (10 - whole windows) x windowMs. So a new address is
//        measured over 10 s to 11 s: a burst of up to 10 x quota connections passes at once, and
//        the sustained rate converges on the quota (Kafka's behaviour, not a token bucket);
//   4. is refused when rate > quota (Kafka's Quota.upperBound: the quota itself is allowed), and
//      then takes itself back out of the count (count - 1; the sample it may have started and
//      its lastEventMs stay, as Kafka's sensor.record(-1) leaves them). A refused connection does
//      not count towards the rate; every other one does, including one that a connection count
//      limit refuses afterwards (Kafka records the rate before it checks max.connections.per.ip).
// With quota 0 every connection is refused. The integer form of the comparison
// (sum x 1000 > quota x windowSizeMs) avoids floating point; times are whole milliseconds.
//
// Memory is bounded. An address none of whose samples is left after step 1 measures exactly as
// a new one, so it is forgotten: the addresses are kept in the order of their last connection,
// and each call first drops those at the front whose last connection is 11 s old (amortized
// O(1); Kafka keeps an idle IP's sensor for an hour). At most addressesMax addresses are kept: a
// new one past it pushes out the address whose last connection is the oldest, which starts over
// with no history if it comes back. So a scan from more addresses than that within 11 s costs at
// most addressesMax x 12 samples, and its price is that the oldest addresses' quotas restart (a
// fresh burst) rather than that new addresses are refused; Kafka keeps every address.
//
// Like Kafka, a sample whose last event is recent is kept even when it started earlier, so the
// window may reach almost 12 s. Where this differs from Kafka: a broker uses Kafka's default
// window, fixed (Kafka reads quota.window.num and quota.window.size.seconds); addresses are
// bounded as above; and Kafka keeps a throttled connection open, unserved, for its throttle time (at most
// one window) before closing it, so that a client reconnecting at once is slowed, where
// ./server.ts closes it at once, as it does a connection over a count limit, so that a refused
// client holds no socket here.

import assert from 'node:assert/strict';

export interface ConnectionRateWindow {
  /** Kafka's quota.window.size.seconds, in ms. */
  readonly windowMs: number;
  /** Kafka's quota.window.num. */
  readonly samples: number;
}

/** Kafka's defaults: 11 samples of 1 s. */
export const KAFKA_QUOTA_WINDOW: ConnectionRateWindow = Object.freeze({ windowMs: 1_000, samples: 11 });

/** An IP connection rate quota that means none (Kafka's QuotaConfigs.IP_CONNECTION_RATE_DEFAULT, Int.MaxValue). */
export const UNLIMITED_CONNECTION_RATE = 2 ** 31 - 1;

export interface RateDecision {
  readonly admitted: boolean;
  /** The rate measured with this connection counted (connections per second): what was compared with the quota. */
  readonly ratePerSecond: number;
}

interface Sample {
  readonly startMs: number;
  lastEventMs: number;
  count: number;
}

/** One address kept: a node of the list in the order of the last connections. */
interface AddressState {
  readonly address: string;
  /** Oldest first; never empty while the address is kept. */
  readonly samples: Sample[];
  older: AddressState | null;
  newer: AddressState | null;
}

export class ConnectionRateTracker {
  private readonly byAddress = new Map<string, AddressState>();
  /**
   * The kept addresses in the order of their last connection, oldest first: a linked list, not
   * the Map's insertion order, since taking the first key of a Map that has had many deleted
   * scans past their holes (V8), which made a scan from many addresses quadratic.
   */
  private oldest: AddressState | null = null;
  private newest: AddressState | null = null;
  private readonly expireAgeMs: number;
  private lastNowMs = -Infinity;
  private evictedCount = 0;

  constructor(
    /** Addresses kept at most (see the header). */
    readonly addressesMax: number,
    readonly window: ConnectionRateWindow = KAFKA_QUOTA_WINDOW,
  ) {
    assert(Number.isSafeInteger(addressesMax) && addressesMax >= 1, `addressesMax must be a positive integer, not ${addressesMax}`);
    assert(Number.isSafeInteger(window.windowMs) && window.windowMs >= 1 && Number.isSafeInteger(window.samples) && window.samples >= 2, 'the window needs whole ms >= 1 and at least 2 samples');
    this.expireAgeMs = window.windowMs * window.samples;
  }

  /**
   * A new connection from `address` (already in canonical form) at `nowMs`, against `quota`
   * connections per second: counted and admitted, or refused and not counted (see the header).
   */
  record(address: string, quota: number, nowMs: number): RateDecision {
    assert(Number.isSafeInteger(quota) && quota >= 0, `a connection rate quota is a whole number >= 0, not ${quota}`);
    // Whole ms, as Kafka's; a clock that stepped back is held where it was.
    const now = Math.max(Math.floor(nowMs), this.lastNowMs);
    this.lastNowMs = now;
    this.forgetIdle(now);

    let state = this.byAddress.get(address);
    if (state === undefined) {
      if (this.byAddress.size >= this.addressesMax) {
        this.forget(this.oldest!);
        this.evictedCount++;
      }
      state = { address, samples: [], older: null, newer: null };
      this.byAddress.set(address, state);
    } else {
      this.unlink(state);
    }
    this.linkNewest(state);

    const { samples } = state;
    while (samples.length > 0 && now - samples[0]!.lastEventMs >= this.expireAgeMs) samples.shift();
    let current = samples.at(-1);
    if (current === undefined || now - current.startMs >= this.window.windowMs) {
      current = { startMs: now, lastEventMs: now, count: 0 };
      samples.push(current);
    }
    // Each sample starts windowMs after the one before and ends its events before the next
    // starts, so at most samples + 1 are within the expire age (Kafka's ring has as many slots).
    assert(samples.length <= this.window.samples + 1, `${samples.length} samples kept for ${address}`);
    current.count++;
    current.lastEventMs = now;

    let sum = 0;
    for (const s of samples) sum += s.count;
    const windowSizeMs = this.windowSizeMs(now - samples[0]!.startMs);
    const ratePerSecond = (sum * 1000) / windowSizeMs;
    const admitted = sum * 1000 <= quota * windowSizeMs;
    if (!admitted) current.count--;
    assert(current.count >= 0);
    return { admitted, ratePerSecond };
  }

  /** Addresses kept now (each with a connection within the last samples x windowMs, at the last call). */
  get size(): number {
    return this.byAddress.size;
  }

  /** Addresses pushed out by addressesMax so far. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Kafka's Rate.windowSize for an oldest sample that started `elapsedMs` ago. */
  private windowSizeMs(elapsedMs: number): number {
    const { windowMs, samples } = this.window;
    const wholeWindows = Math.floor(elapsedMs / windowMs);
    const padded = wholeWindows < samples - 1 ? elapsedMs + (samples - 1 - wholeWindows) * windowMs : elapsedMs;
    return Math.max(padded, 1);
  }

  /** Drops the oldest addresses while their last connection is expireAgeMs old: they would measure as new ones. */
  private forgetIdle(now: number): void {
    while (this.oldest !== null && now - this.oldest.samples.at(-1)!.lastEventMs >= this.expireAgeMs) this.forget(this.oldest);
  }

  private forget(state: AddressState): void {
    this.unlink(state);
    assert(this.byAddress.delete(state.address));
  }

  private unlink(state: AddressState): void {
    if (state.older === null) this.oldest = state.newer;
    else state.older.newer = state.newer;
    if (state.newer === null) this.newest = state.older;
    else state.newer.older = state.older;
    state.older = null;
    state.newer = null;
  }

  private linkNewest(state: AddressState): void {
    state.older = this.newest;
    if (this.newest === null) this.oldest = state;
    else this.newest.newer = state;
    this.newest = state;
  }
}
