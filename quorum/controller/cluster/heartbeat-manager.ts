// Broker sessions: the soft state of broker liveness (Kafka's BrokerHeartbeatManager).
//
// It lives only on the ACTIVE controller and is never written to the log. A controller that becomes
// active calls `activate(image, nowMs)`: every registered unfenced broker gets a fresh session
// starting then (its last heartbeat to the previous active controller is unknown here), so after a
// failover fencing a dead broker can take up to one more session timeout — as in Kafka. A controller
// that loses the lead throws this away with its pending image.
//
// Per broker it keeps: the time of last contact, the metadata offset the broker last reported, and
// the controlled-shutdown offset — set once, on the first shutdown request of an incarnation, and
// never moved by later heartbeats (KAFKA-14292: resetting it on every heartbeat kept a broker from
// shutting down for as long as the log was busy).
//
// And, for a broker drained in steps before a large controlled shutdown (heartbeat.ts), where the
// last step stopped (a DrainCursor): a hint for where the next step starts scanning; a cursor out
// of step with the log costs a longer scan, never a missed partition (a step scans a whole cycle
// before it says there is nothing left).
//
// Bound: at most one entry per registered broker. `nextExpired` drops entries whose broker is no
// longer registered; `forget` drops one on unregistration.
//
// Definitions (Kafka's):
//   live session    the broker is registered, unfenced, and was heard from within the session
//                   timeout (a fenced broker holds no session another incarnation must respect)
//   expired         unfenced (in controlled shutdown or not) and not heard from for longer than
//                   the session timeout: nowMs > lastContactMs + sessionTimeoutMs
//   active broker   unfenced and not in controlled shutdown

import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import { assert } from '../../raft/assert.js';
import type { DrainCursor } from '../replication/elections.js';

export interface BrokerSession {
  readonly lastContactMs: number;
  /** The metadata offset the broker last reported; null until its first heartbeat to this controller. */
  readonly metadataOffset: number | null;
  /** The offset every active broker must reach before this broker may shut down; null when none. */
  readonly controlledShutdownOffset: number | null;
}

/** What `save` copies (opaque to callers). */
export interface HeartbeatSoftState {
  readonly sessions: ReadonlyMap<number, Readonly<SessionState>>;
  readonly drainCursors: ReadonlyMap<number, DrainCursor>;
  readonly unfenceAfter: ReadonlyMap<number, number>;
}

interface SessionState {
  lastContactMs: number;
  metadataOffset: number | null;
  controlledShutdownOffset: number | null;
}

export class BrokerHeartbeatManager {
  readonly #sessions = new Map<number, SessionState>();
  readonly #drainCursors = new Map<number, DrainCursor>();
  /**
   * For a fenced broker: the offset its image must have reached before it is unfenced, the last
   * record of its fencing. A broker that stalled past its session is otherwise unfenced by its
   * first heartbeat, reporting the offset it had before the stall, while its image still shows it
   * unfenced and holding what it held: a consumer group's coordinator that had moved away and back
   * meanwhile then committed an offset from its stale membership, and the offset went backwards
   * (found by a review). Once its image has the fencing, the broker has dropped that state.
   */
  readonly #unfenceAfter = new Map<number, number>();

  constructor(readonly sessionTimeoutMs: number) {
    assert(Number.isSafeInteger(sessionTimeoutMs) && sessionTimeoutMs > 0, `sessionTimeoutMs must be a positive integer, not ${sessionTimeoutMs}`);
  }

  /**
   * A copy of every session (and drain cursor), for `restore`: operations change sessions while they
   * compute their records, and the controller undoes that when the records are then refused
   * (back-pressure) or computed again (a transaction), so soft state never runs ahead of the log
   * (e.g. a controlled-shutdown offset for moves never written).
   */
  save(): HeartbeatSoftState {
    const sessions = new Map<number, SessionState>();
    for (const [id, s] of this.#sessions) sessions.set(id, { ...s });
    return { sessions, drainCursors: new Map(this.#drainCursors), unfenceAfter: new Map(this.#unfenceAfter) };
  }

  restore(saved: HeartbeatSoftState): void {
    this.#sessions.clear();
    for (const [id, s] of saved.sessions) this.#sessions.set(id, { ...s });
    this.#drainCursors.clear();
    for (const [id, c] of saved.drainCursors) this.#drainCursors.set(id, c);
    this.#unfenceAfter.clear();
    for (const [id, o] of saved.unfenceAfter) this.#unfenceAfter.set(id, o);
  }

  /** The broker's fencing ends with the record at `offset` (see #unfenceAfter). */
  fencedThrough(brokerId: number, offset: number): void {
    assertBrokerId(brokerId);
    this.#unfenceAfter.set(brokerId, offset);
  }

  /** The offset a fenced broker must report before it is unfenced (-1: none beyond its registration). */
  unfenceAfter(brokerId: number): number {
    return this.#unfenceAfter.get(brokerId) ?? -1;
  }

  /** The broker was unfenced: nothing to wait for any more. */
  unfenced(brokerId: number): void {
    this.#unfenceAfter.delete(brokerId);
  }

  /** Sessions for a controller that has just become active. */
  static activated(image: MetadataImageView, nowMs: number, sessionTimeoutMs: number): BrokerHeartbeatManager {
    const hb = new BrokerHeartbeatManager(sessionTimeoutMs);
    hb.activate(image, nowMs);
    return hb;
  }

  /** Forget everything and give every registered unfenced broker a fresh session starting at nowMs. */
  activate(image: MetadataImageView, nowMs: number): void {
    assertTime(nowMs);
    this.#sessions.clear();
    this.#drainCursors.clear();
    this.#unfenceAfter.clear();
    for (const b of image.brokers()) {
      if (!b.fenced) this.#sessions.set(b.brokerId, { lastContactMs: nowMs, metadataOffset: null, controlledShutdownOffset: null });
      // Fenced before this controller became active, at an offset it does not know: somewhere
      // before the end of the image it starts from.
      else this.#unfenceAfter.set(b.brokerId, image.provenance.endOffset - 1);
    }
  }

  /** A new incarnation registered: a fresh session, nothing carried over from the old one. */
  startSession(brokerId: number, nowMs: number): void {
    assertBrokerId(brokerId);
    assertTime(nowMs);
    this.#sessions.set(brokerId, { lastContactMs: nowMs, metadataOffset: null, controlledShutdownOffset: null });
    this.#drainCursors.delete(brokerId);
    this.#unfenceAfter.delete(brokerId); // a new incarnation catches up to its registration
  }

  /** The broker was heard from. `metadataOffset` null keeps the offset it reported before. */
  touch(brokerId: number, nowMs: number, metadataOffset: number | null): void {
    assertBrokerId(brokerId);
    assertTime(nowMs);
    assert(metadataOffset === null || (Number.isSafeInteger(metadataOffset) && metadataOffset >= -1), `metadataOffset ${metadataOffset} of broker ${brokerId}`);
    const s = this.#sessions.get(brokerId);
    if (s === undefined) {
      this.#sessions.set(brokerId, { lastContactMs: nowMs, metadataOffset, controlledShutdownOffset: null });
      return;
    }
    s.lastContactMs = Math.max(s.lastContactMs, nowMs);
    if (metadataOffset !== null) s.metadataOffset = metadataOffset;
  }

  session(brokerId: number): BrokerSession | undefined {
    const s = this.#sessions.get(brokerId);
    return s === undefined ? undefined : { ...s };
  }

  /** When the broker's session expires: it is live up to and including this time. Undefined when it has none. */
  sessionExpiresAtMs(brokerId: number): number | undefined {
    const s = this.#sessions.get(brokerId);
    return s === undefined ? undefined : s.lastContactMs + this.sessionTimeoutMs;
  }

  /** Registered, unfenced, and heard from within the session timeout. */
  hasLiveSession(brokerId: number, nowMs: number, image: MetadataImageView): boolean {
    const reg = image.broker(brokerId);
    if (reg === undefined || reg.fenced) return false;
    const s = this.#sessions.get(brokerId);
    return s !== undefined && nowMs <= s.lastContactMs + this.sessionTimeoutMs;
  }

  /**
   * ONE unfenced broker whose session has expired (the one heard from longest ago; lowest id on a
   * tie), or undefined. One per call, so the controller fences one broker per operation and each
   * fencing is in the image before the next broker is judged. An unfenced broker this manager has
   * no session for (never activated for it) gets a fresh one starting now, as activation would.
   */
  nextExpired(nowMs: number, image: MetadataImageView): number | undefined {
    assertTime(nowMs);
    this.#prune(image);
    let oldest: { brokerId: number; lastContactMs: number } | undefined;
    for (const b of image.brokers()) {
      if (b.fenced) continue;
      const s = this.#sessions.get(b.brokerId);
      if (s === undefined) {
        this.#sessions.set(b.brokerId, { lastContactMs: nowMs, metadataOffset: null, controlledShutdownOffset: null });
        continue;
      }
      if (nowMs <= s.lastContactMs + this.sessionTimeoutMs) continue;
      if (oldest === undefined || s.lastContactMs < oldest.lastContactMs) oldest = { brokerId: b.brokerId, lastContactMs: s.lastContactMs };
    }
    assert(this.#sessions.size <= image.brokerCount, `${this.#sessions.size} sessions for ${image.brokerCount} registered brokers`);
    return oldest?.brokerId;
  }

  /**
   * The lowest metadata offset reported by an active broker (unfenced, not in controlled shutdown);
   * -1 for an active broker not yet heard from; +Infinity when no broker is active.
   */
  lowestActiveOffset(image: MetadataImageView, nowMs?: number): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const b of image.brokers()) {
      if (b.fenced || b.inControlledShutdown) continue;
      // (With nowMs) an expired session, about to be fenced (or drained first: fencing.ts), fetches
      // nothing and holds back no one.
      const session = this.#sessions.get(b.brokerId);
      if (nowMs !== undefined && session !== undefined && nowMs > session.lastContactMs + this.sessionTimeoutMs) continue;
      const offset = session?.metadataOffset ?? -1;
      if (offset < lowest) lowest = offset;
    }
    return lowest;
  }

  controlledShutdownOffset(brokerId: number): number | null {
    return this.#sessions.get(brokerId)?.controlledShutdownOffset ?? null;
  }

  /**
   * Record the controlled-shutdown offset if none is recorded yet (KAFKA-14292: the first request
   * sets it, later ones never move it). Returns the offset in force.
   */
  setControlledShutdownOffsetOnce(brokerId: number, offset: number): number {
    assert(Number.isSafeInteger(offset) && offset >= -1, `controlled-shutdown offset ${offset} of broker ${brokerId}`);
    const s = this.#sessions.get(brokerId);
    assert(s !== undefined, `broker ${brokerId} asks to shut down without a session`);
    if (s.controlledShutdownOffset === null) s.controlledShutdownOffset = offset;
    return s.controlledShutdownOffset;
  }

  /**
   * Move the controlled-shutdown offset up to `offset` (never down). Only for new moves written for
   * a broker already in controlled shutdown; heartbeats alone never call this (KAFKA-14292).
   */
  raiseControlledShutdownOffset(brokerId: number, offset: number): number {
    assert(Number.isSafeInteger(offset) && offset >= -1, `controlled-shutdown offset ${offset} of broker ${brokerId}`);
    const s = this.#sessions.get(brokerId);
    assert(s !== undefined, `broker ${brokerId} asks to shut down without a session`);
    s.controlledShutdownOffset = Math.max(s.controlledShutdownOffset ?? -1, offset);
    return s.controlledShutdownOffset;
  }

  /** Where the last drain step for this broker stopped (undefined: start at the beginning). */
  drainCursor(brokerId: number): DrainCursor | undefined {
    return this.#drainCursors.get(brokerId);
  }

  /** Whether the broker is being drained for a controlled shutdown in steps (OpContext.draining). */
  isDraining(brokerId: number): boolean {
    return this.#drainCursors.has(brokerId);
  }

  setDrainCursor(brokerId: number, cursor: DrainCursor | undefined): void {
    if (cursor === undefined || !this.#sessions.has(brokerId)) this.#drainCursors.delete(brokerId);
    else this.#drainCursors.set(brokerId, cursor);
  }

  /** The broker is unregistered: drop its soft state. */
  forget(brokerId: number): void {
    this.#sessions.delete(brokerId);
    this.#drainCursors.delete(brokerId);
    this.#unfenceAfter.delete(brokerId);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #prune(image: MetadataImageView): void {
    for (const brokerId of this.#sessions.keys()) {
      if (image.broker(brokerId) === undefined) this.#sessions.delete(brokerId);
    }
    for (const brokerId of this.#drainCursors.keys()) {
      if (!this.#sessions.has(brokerId)) this.#drainCursors.delete(brokerId);
    }
    for (const brokerId of this.#unfenceAfter.keys()) {
      const reg = image.broker(brokerId);
      if (reg === undefined || !reg.fenced) this.#unfenceAfter.delete(brokerId);
    }
  }
}

function assertBrokerId(brokerId: number): void {
  assert(Number.isSafeInteger(brokerId) && brokerId >= 0, `broker id ${brokerId}`);
}

function assertTime(nowMs: number): void {
  assert(Number.isFinite(nowMs), `nowMs ${nowMs}`);
}
