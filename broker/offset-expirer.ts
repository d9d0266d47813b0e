// Offset expiry (Kafka's offsets.retention.minutes, KIP-211) for the groups this broker
// coordinates. Without it, the offsets of every group that ever committed stayed in the metadata
// log, its snapshots and every image for good.
//
// An offset expires once offsets.retention.minutes have passed since both
//   - it was committed (its commitTimestampMs, wall clock), and
//   - its group last emptied here (the group coordinator's record; Kafka counts from the moment
//     the group became Empty),
// and only while its group is not alive here (no members, no member ids handed out, no
// rebalance). When this broker does not know when the group emptied (it restarted, or the group
// moved here, since), the count starts when a sweep first finds the group empty here: Kafka keeps
// that moment in __consumer_offsets, we keep it in memory, so a restart or a move restarts the
// count rather than guess it from commit timestamps (an idle partition commits nothing, so those
// can be weeks old while its consumers are only stopped for a deploy). Expiry may come late, never
// early. In a group with members, the offsets of the topics it subscribes to never expire, however
// long ago they were committed (a consumer on an idle partition commits nothing new); as in Kafka,
// a Stable consumer group's offsets of topics none of its members subscribes to (their JoinGroup
// metadata, metadata-log/consumer-subscription.ts) expire once retention-old by their commit
// timestamps. A group of another protocol type, in a rebalance, or whose metadata does not parse
// keeps them all.
//
// An offset committed with an OffsetCommit v2-v4 retention_time_ms other than -1 carries an
// explicit expire timestamp (metadata-log/offset-expiry-rule.ts has Kafka's rule). It expires
// once the wall clock reaches that timestamp, in place of "retention-old" above, whether or not
// the retention has passed since the group emptied: Kafka's GroupMetadata.removeExpiredOffsets
// compares it with now alone. But it waits for the same group states as every other offset: its
// group empty here (after the grace below), or its topic unsubscribed by a Stable consumer group.
//
// Kafka keeps a group's state in __consumer_offsets, so a new coordinator knows it at once. Ours
// is in this broker's memory: when coordination moves here, the group's members are on their way
// (each learns NOT_COORDINATOR at its next heartbeat and rejoins within its session timeout), and
// until they arrive the group looks empty. So nothing is expired until this broker has coordinated
// the same groups for `graceMs` (group.max.session.timeout.ms, the longest session a member may
// have): any change to the brokers in this broker's image (the only thing that moves groups; see
// metadata-log/group-ownership.ts), and a start, restarts that wait.
//
// Which offsets is decided here; the controller tombstones only those its image still holds with
// the commit timestamp seen here (configs/offsets.ts expireOffsets), so a commit racing a sweep is
// never lost, only while this broker is still the group's coordinator there, and only if they are
// older than the retention by the controller's own clock (the one that stamped them; the broker's
// may differ). Each group is looked at just before the request that names it.
//
// A sweep past the grace also resumes each group stored in the log (GroupMetadata) that this broker
// coordinates and nobody has asked about yet, so that members who never come back expire and the
// group's stored membership goes (resumeStoredGroups).
//
// States:
//   waiting ──timer (checkIntervalMs)──► sweep: nothing when this broker is not registered or has
//       not coordinated steadily for graceMs; otherwise every group this broker coordinates that
//       holds offsets gives its expired offsets (above), sent to the controller
//       EXPIRE_BATCH at a time, one request after another
//   sweep ──done, or failed (logged; the next sweep looks again)──► waiting
//   any ──close()──► closed (the timer cancelled; a sweep in flight stops after its request)

import type { Clock, Logger } from '../quorum/env/index.js';
import { ErrorCode, errorName } from '../quorum/controller/errors.js';
import type { ExpireOffsetsRequest, ExpiringOffset } from '../quorum/controller/configs/offsets.js';
import type { RpcCaller } from '../quorum/server/rpc-methods.js';
import { splitOffsetKey, type CommittedOffset } from '../metadata-log/image-types.js';
import { offsetDue } from '../metadata-log/offset-expiry-rule.js';
import { coordinatesGroups } from '../metadata-log/group-ownership.js';
import type { GroupCoordinator } from './kafka/groups/group-coordinator.js';
import type { MetadataSource } from './metadata-follower.js';

/** At most this many offsets per request (well below the controller's bound on one operation). */
export const EXPIRE_BATCH = 500;
const REQUEST_TIMEOUT_MS = 10_000;

/** Kafka's defaults: offsets.retention.minutes = 10080 (7 days), offsets.retention.check.interval.ms = 600000. */
export const DEFAULT_OFFSET_RETENTION = { retentionMs: 10_080 * 60_000, checkIntervalMs: 600_000 } as const;

export interface OffsetRetention {
  /** offsets.retention.minutes, in ms. */
  readonly retentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly checkIntervalMs: number;
}

export interface OffsetExpirerOptions extends OffsetRetention {
  readonly brokerId: number;
  /** This broker's epoch; -1 until it is registered. */
  readonly brokerEpoch: () => number;
  readonly source: MetadataSource;
  readonly channel: RpcCaller;
  readonly groups: GroupCoordinator;
  /** How long coordination must have been steady before anything expires (see the header). */
  readonly graceMs: number;
  readonly clock: Clock;
  /** Wall-clock ms, what commit timestamps are in (Date.now by default). */
  readonly wallClockMs?: () => number;
  readonly logger: Logger;
}

export interface SweepOutcome {
  /** Offsets tombstoned. */
  readonly expired: number;
  /** Groups the controller refused (this broker no longer coordinates them there). */
  readonly refusedGroups: number;
}

const NOTHING: SweepOutcome = { expired: 0, refusedGroups: 0 };

export class OffsetExpirer {
  private steadySinceMs: number;
  private cancelTimer: (() => void) | null = null;
  private closed = false;
  private readonly stopListening: () => void;

  constructor(private readonly o: OffsetExpirerOptions) {
    this.steadySinceMs = o.clock.nowMs();
    let seen = o.source.image;
    this.stopListening = o.source.addMetadataListener((delta, image) => {
      const continuous = delta.base === seen;
      seen = image;
      if (!continuous || delta.changedBrokerIds().size > 0) this.steadySinceMs = o.clock.nowMs();
    });
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.stopListening();
  }

  /** One sweep (the timer runs them; tests call it). */
  async sweep(): Promise<SweepOutcome> {
    const o = this.o;
    const image = o.source.image;
    // Pruned on every tick, not only once the grace has passed: a broker that never gets a quiet
    // graceMs (a flapping broker elsewhere) must not grow emptiedAt without bound.
    o.groups.pruneEmptied((groupId) => (image.groupOffsets(groupId)?.size ?? 0) > 0);
    const brokerEpoch = o.brokerEpoch();
    if (this.closed || brokerEpoch < 0 || o.clock.nowMs() - this.steadySinceMs < o.graceMs) return NOTHING;
    this.resumeStoredGroups();
    let expired = 0;
    let refusedGroups = 0;
    // Batches are cut lazily: each group is looked at (alive here? still ours?) just before the
    // request that names it, not once at the start of a sweep that may take many round trips.
    for (const groups of this.expiredOffsets()) {
      if (this.closed) break;
      const request: ExpireOffsetsRequest = { coordinator: { brokerId: o.brokerId, brokerEpoch }, retentionMs: o.retentionMs, groups };
      const r = await o.channel.call('expireOffsets', request, { timeoutMs: REQUEST_TIMEOUT_MS });
      for (const g of r.results) {
        if (g.errorCode === ErrorCode.NONE) expired += g.expired;
        else {
          refusedGroups++;
          o.logger.debug({ groupId: g.groupId, error: errorName(g.errorCode), reason: g.errorMessage }, 'offset expiry refused for a group');
        }
      }
    }
    if (expired > 0) o.logger.info({ expired, retentionMs: o.retentionMs }, 'expired committed offsets past their retention');
    // Refusals each sweep mean this broker's image and the controller's disagree about who
    // coordinates: worth seeing without debug logging.
    if (refusedGroups > 0) o.logger.info({ refusedGroups }, 'offset expiry: the controller says another broker coordinates some groups; left to it');
    return { expired, refusedGroups };
  }

  /**
   * Resumes every group stored in the log that this broker coordinates and no member has asked
   * about, as Kafka's coordinator loads every group when it takes a partition of __consumer_offsets:
   * a stored member that never comes back then expires at its session timeout, and the group,
   * emptied, has its membership removed. A coordinator resumes a group only when asked about it, so
   * one whose consumers stopped without a LeaveGroup (static members send none; kill -9) while its
   * coordinator moved stayed in the metadata log, its snapshots and ListGroups for good, unless it
   * held offsets (expiryGate resumes those). Only past the grace: every member still alive has come.
   */
  private resumeStoredGroups(): void {
    const image = this.o.source.image;
    const ours = coordinatesGroups(image, this.o.brokerId);
    for (const groupId of image.groupMetadataIds()) if (ours(groupId)) this.o.groups.resumeStored(groupId);
  }

  /** The expired offsets of the groups this broker coordinates, in requests of at most EXPIRE_BATCH, cut as they are sent. */
  private *expiredOffsets(): Generator<ExpireOffsetsRequest['groups']> {
    const o = this.o;
    const image = o.source.image;
    const ours = coordinatesGroups(image, o.brokerId);
    let batch: { groupId: string; offsets: ExpiringOffset[] }[] = [];
    let inBatch = 0;
    for (const groupId of image.groupIds()) {
      if (!ours(groupId)) continue;
      let gate = this.expiryGate(groupId);
      if (gate === null) continue;
      const wallNow = (o.wallClockMs ?? Date.now)();
      let entry: { groupId: string; offsets: ExpiringOffset[] } | null = null;
      for (const [key, committed] of image.groupOffsets(groupId) ?? []) {
        if (!offsetDue(committed, wallNow, o.retentionMs)) continue;
        const { topic, partition } = splitOffsetKey(key);
        if (!gate.mayGo(topic, committed)) continue;
        if (inBatch === EXPIRE_BATCH) {
          yield batch;
          batch = [];
          inBatch = 0;
          entry = null;
          // The group may have changed while the last request was out (a member arrived, a rebalance).
          gate = this.expiryGate(groupId);
          if (gate === null) break;
          if (!gate.mayGo(topic, committed)) continue;
        }
        if (entry === null) batch.push((entry = { groupId, offsets: [] }));
        entry.offsets.push({ topic, partition, commitTimestampMs: committed.commitTimestampMs });
        inBatch++;
      }
    }
    if (inBatch > 0) yield batch;
  }

  /**
   * Which of the group's due offsets (offsetDue) may go, or null for none: those of topics no
   * member subscribes to in a Stable consumer group (as Kafka does); every one of an empty group
   * that has an explicit expire timestamp (Kafka's removeExpiredOffsets takes those at their time,
   * however long ago the group emptied); the rest of an empty group's once it has been empty here
   * for the retention; none otherwise.
   */
  private expiryGate(groupId: string): { mayGo(topic: string, committed: CommittedOffset): boolean } | null {
    const o = this.o;
    if (o.groups.isActive(groupId)) {
      const subscribed = o.groups.subscribedTopics(groupId);
      return subscribed === undefined ? null : { mayGo: (topic) => !subscribed.has(topic) };
    }
    const now = o.clock.nowMs();
    let emptiedAt = o.groups.emptiedAtMs(groupId);
    if (emptiedAt === undefined) {
      // Not seen empty here since this broker began coordinating it (it restarted, the group
      // moved here, or it emptied before this release): when it emptied is unknown, and its
      // commit timestamps say nothing about that (an idle partition commits nothing). Count
      // from now, never earlier than Kafka would.
      o.groups.noteCoordinating(groupId, now);
      emptiedAt = now;
    }
    const emptyForRetention = now - emptiedAt >= o.retentionMs;
    return { mayGo: (_topic, committed) => committed.expireTimestampMs !== undefined || emptyForRetention };
  }

  private schedule(): void {
    if (this.closed) return;
    this.cancelTimer = this.o.clock.setTimer(this.o.checkIntervalMs, () => {
      this.cancelTimer = null;
      this.sweep()
        .catch((e: unknown) => this.o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'offset expiry sweep failed; the next one tries again'))
        .finally(() => this.schedule());
    });
  }
}
