// controller_mutation_rate (Kafka's KIP-599): how many partitions a client may create or delete per
// second through CreateTopics, CreatePartitions and DeleteTopics, charged by the active controller
// (Kafka's ControllerMutationQuotaManager, used by its KRaft ControllerApis) so the bound holds
// across every broker the client talks to.
//
// Which quota applies to a request from user U (the principal's name: alice for User:alice,
// ANONYMOUS on a listener without authentication) with client id C: the first of these entities
// holding a controller_mutation_rate (Kafka's DefaultQuotaCallback), and the bucket it is charged
// to (Kafka's quota metric tags: one bucket per tag pair, so a default quota is each user's own):
//
//   entity                          bucket
//   user=U, client-id=C             (U, C)
//   user=U, client-id=<default>     (U, C)
//   user=U                          (U, -)
//   user=<default>, client-id=C     (U, C)
//   user=<default>, client-id=<default>  (U, C)
//   user=<default>                  (U, -)
//   client-id=C                     (-, C)
//   client-id=<default>             (-, C)
//   none                            not charged
//
// A bucket is Kafka's TokenBucket: it holds at most rate x QUOTA_WINDOW_SECONDS tokens (Kafka's
// controller.quota.window.num 11 x controller.quota.window.size.seconds 1: an idle client may
// create 11 seconds' worth at once), starts full, refills at `rate` per second, and each topic
// charges its partitions. The rate is read from the image at each charge: a quota changed or
// removed applies to the next topic.
//
// Per topic, once every other check has passed (Kafka's ReplicationControlManager charges there,
// validateOnly included):
//   strict      (CreateTopics v6+, DeleteTopics v5+, CreatePartitions v3+): a bucket below zero
//               refuses the topic, THROTTLING_QUOTA_EXCEEDED; else the topic is charged, even
//               into debt (the first topic past the bucket still passes).
//   permissive  (older versions: every version this broker serves today): the topic is charged
//               and passes, whatever the bucket holds.
// The request is answered with throttle_time_ms = the time the bucket needs to get back to zero
// (debt / rate, at most THROTTLE_MS_MAX): permissive, whenever a charge leaves it in debt; strict,
// only when a topic was refused (Kafka's strict quota records its violation only then). The broker
// stops reading the client's connection that long (KIP-219: Kafka mutes the channel).
//
// Buckets are soft state of the active controller: a new one starts with full buckets, as a
// restarted Kafka controller does. Memory: at most BUCKETS_MAX buckets, kept in the order last
// charged; a new one past that drops the one charged longest ago (forgiving its debt, if any: only
// when 10,000 other user/client pairs were charged since). A bucket's key holds the names, or
// their hash when long (a client id may be 32 KB).

import { createHash } from 'node:crypto';
import type { MetadataImageView } from '../../../metadata-log/image-types.js';
import type { ClientQuotaEntityPart } from '../../../metadata-log/records/types.js';
import { apiError, type ApiError } from '../errors.js';

export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';
/** controller.quota.window.num (11) x controller.quota.window.size.seconds (1): a bucket's size in seconds of its rate. */
export const QUOTA_WINDOW_SECONDS = 11;
/** Buckets kept; a new one past it drops the one charged longest ago. */
export const BUCKETS_MAX = 10_000;
/** The longest throttle time answered (a quota of 0 would otherwise mute a connection for 24 days). */
export const THROTTLE_MS_MAX = 600_000;
/** Bucket keys longer than this are hashed. */
const KEY_CHARS_MAX = 256;

/** Who a mutation is charged to, as the broker that took the Kafka request names it. */
export interface MutationQuotaClaim {
  /** The principal's name (alice for User:alice). */
  readonly user: string;
  readonly clientId: string;
  /** The request's version is at or above its API's strict version (see the header). */
  readonly strict: boolean;
}

/** The quota that applies to (user, clientId), and the bucket it is charged to; undefined when none applies. */
export function controllerMutationQuota(image: MetadataImageView, user: string, clientId: string): { readonly rate: number; readonly bucket: string } | undefined {
  const u = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'user', entityName: name });
  const c = (name: string | null): ClientQuotaEntityPart => ({ entityType: 'client-id', entityName: name });
  const candidates: readonly [readonly ClientQuotaEntityPart[], string, string][] = [
    [[u(user), c(clientId)], user, clientId],
    [[u(user), c(null)], user, clientId],
    [[u(user)], user, ''],
    [[u(null), c(clientId)], user, clientId],
    [[u(null), c(null)], user, clientId],
    [[u(null)], user, ''],
    [[c(clientId)], '', clientId],
    [[c(null)], '', clientId],
  ];
  for (const [entity, userTag, clientTag] of candidates) {
    const rate = image.clientQuota(entity)?.values.get(CONTROLLER_MUTATION_RATE);
    if (rate !== undefined) {
      const key = JSON.stringify([userTag, clientTag]);
      return { rate, bucket: key.length <= KEY_CHARS_MAX ? key : `sha256:${createHash('sha256').update(key).digest('base64')}` };
    }
  }
  return undefined;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** The active controller's buckets (see the header). */
export class ControllerMutationQuotas {
  private readonly buckets = new Map<string, Bucket>();
  /** Each charge's bucket before it, since the last save(): the undo log of the operation being computed. */
  private readonly undo: [string, Bucket | undefined][] = [];

  /**
   * Starts a new undo log and returns its mark: an operation computed twice (its records written as
   * a transaction) or refused is charged once, or not at all (restore). Allocates nothing: it runs
   * before every operation the controller computes.
   */
  save(): number {
    this.undo.length = 0;
    return 0;
  }

  /** Puts back every bucket charged since `mark` (save's answer). */
  restore(mark: number): void {
    while (this.undo.length > mark) {
      const [key, before] = this.undo.pop()!;
      if (before === undefined) this.buckets.delete(key);
      else this.buckets.set(key, before);
    }
  }

  /** The charger for one request, or undefined when it carries no claim. */
  forRequest(image: MetadataImageView, claim: MutationQuotaClaim | undefined, nowMs: number): RequestMutationQuota | undefined {
    if (claim === undefined) return undefined;
    if (typeof claim !== 'object' || claim === null || typeof claim.user !== 'string' || typeof claim.clientId !== 'string' || typeof claim.strict !== 'boolean') {
      // From the network: a broker of another build, or a bug. The whole request is refused.
      throw Object.assign(new Error('mutationQuota must be { user: string, clientId: string, strict: boolean }'), { code: 42, errorName: 'INVALID_REQUEST' });
    }
    return new RequestMutationQuota(this, image, claim, nowMs);
  }

  /** Takes `partitions` from `key`'s bucket at `nowMs` after refilling it at `rate` (a new bucket is full); strict and in debt: takes nothing. Returns the tokens left (before, when refused). */
  charge(key: string, rate: number, nowMs: number, partitions: number, strict: boolean): { readonly tokens: number; readonly refused: boolean } {
    const burst = rate * QUOTA_WINDOW_SECONDS;
    const before = this.buckets.get(key);
    if (before === undefined) {
      // The map is in the order last charged: its first key is the one charged longest ago.
      while (this.buckets.size >= BUCKETS_MAX) this.buckets.delete(this.buckets.keys().next().value!);
    }
    const start = before ?? { tokens: burst, lastMs: nowMs };
    const tokens = Math.min(burst, start.tokens + (rate * Math.max(0, nowMs - start.lastMs)) / 1000);
    const refused = strict && tokens < 0;
    this.undo.push([key, before]);
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: refused ? tokens : tokens - partitions, lastMs: Math.max(start.lastMs, nowMs) });
    return { tokens: refused ? tokens : tokens - partitions, refused };
  }

  get size(): number {
    return this.buckets.size;
  }

}

/** One request's charges (see the header): per topic `charge`, then `throttleTimeMs` for the answer. */
export class RequestMutationQuota {
  private throttleMs = 0;

  constructor(
    private readonly quotas: ControllerMutationQuotas,
    private readonly image: MetadataImageView,
    private readonly claim: MutationQuotaClaim,
    private readonly nowMs: number,
  ) {}

  /** Charges a topic's `partitions`; THROTTLING_QUOTA_EXCEEDED when a strict quota refuses it, else null. */
  charge(partitions: number): ApiError | null {
    const quota = controllerMutationQuota(this.image, this.claim.user, this.claim.clientId);
    if (quota === undefined) return null;
    const { tokens, refused } = this.quotas.charge(quota.bucket, quota.rate, this.nowMs, partitions, this.claim.strict);
    if (tokens < 0 && (refused || !this.claim.strict)) this.throttleMs = Math.max(this.throttleMs, debtMs(tokens, quota.rate));
    return refused ? apiError('THROTTLING_QUOTA_EXCEEDED', 'The throttling quota has been exceeded.') : null;
  }

  /** How long the client should wait before its next mutation (0: it need not). */
  get throttleTimeMs(): number {
    return this.throttleMs;
  }
}

/** The time a bucket `tokens` below zero needs to get back to zero at `rate` (Kafka rounds it). */
function debtMs(tokens: number, rate: number): number {
  if (rate <= 0) return THROTTLE_MS_MAX; // a quota of 0: no refill ever
  return Math.min(THROTTLE_MS_MAX, Math.round((-tokens / rate) * 1000));
}

/**
 * A topic write's body as the controller takes it from a peer: its controller_mutation_rate claim
 * (whose quota it charges) is kept only from a peer `trusted` to forward for others (a broker: with
 * an authorizer, one whose principal holds CLUSTER_ACTION, as Kafka requires of an Envelope's
 * sender; without one, anyone saying it is a broker, as anyone may say so there); from anyone else
 * it is dropped, or a tool naming another user would spend that user's quota.
 */
export function withTrustedQuotaClaim(trusted: boolean, method: string, body: unknown): unknown {
  if (trusted || (method !== 'createTopics' && method !== 'deleteTopics' && method !== 'createPartitions')) return body;
  if (typeof body !== 'object' || body === null || !('mutationQuota' in body)) return body;
  const { mutationQuota: _dropped, ...rest } = body as Record<string, unknown>;
  return rest;
}
