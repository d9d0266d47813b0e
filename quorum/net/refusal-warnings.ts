// Refused connections are logged, but a flood of them must not flood the log: at most one warn
// line per key per interval, and that line says how many were refused since the previous one. A
// key is what the refusals have in common: the listener for a full listener (./server.ts), the
// remote address for the per-address limit, the whole broker for its total (./connection-quotas.ts).

/** At most one line per key this often (a connection storm is one line per interval, with its count). */
export const REFUSAL_WARN_INTERVAL_MS = 10_000;

/**
 * Keys remembered at most. Past it, keys whose interval is over are forgotten first (their next
 * refusal is logged at once anyway), then the oldest; a key forgotten with refusals not yet
 * reported loses that count. Without a bound, a storm from many addresses would grow the map.
 */
const KEYS_MAX = 4096;

interface KeyState {
  lastWarnMs: number;
  /** Refusals since the last line, the one being noted included. */
  refused: number;
}

export class RefusalWarnings {
  private readonly byKey = new Map<string, KeyState>();

  constructor(
    private readonly intervalMs = REFUSAL_WARN_INTERVAL_MS,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /**
   * Counts one refusal under `key`. Returns the number of refusals the warn line due now reports
   * (this one and those not reported since the last line), or null when no line is due yet.
   */
  note(key: string): number | null {
    const now = this.nowMs();
    let state = this.byKey.get(key);
    if (state === undefined) {
      if (this.byKey.size >= KEYS_MAX) this.forgetSome(now);
      state = { lastWarnMs: -Infinity, refused: 0 };
      this.byKey.set(key, state);
    }
    state.refused++;
    if (now - state.lastWarnMs < this.intervalMs) return null;
    const refused = state.refused;
    state.refused = 0;
    state.lastWarnMs = now;
    return refused;
  }

  private forgetSome(now: number): void {
    for (const [key, state] of this.byKey) if (now - state.lastWarnMs >= this.intervalMs) this.byKey.delete(key);
    // Still nearly full (a storm from many addresses inside one interval): drop the oldest keys (a
    // Map iterates in insertion order) down to three quarters, so that the next sweep is a
    // quarter of KEYS_MAX new keys away rather than one (a sweep per refusal was quadratic).
    for (const key of this.byKey.keys()) {
      if (this.byKey.size <= (KEYS_MAX * 3) / 4) break;
      this.byKey.delete(key);
    }
  }
}
