// A partition leader's ISR expansion (Kafka's Partition.maybeExpandIsr, sent as AlterPartition).
// A Kafka leader adds a follower back to the ISR once it has fetched up to the high watermark.
// These brokers keep no partition data, so a replica is in sync as soon as it may be in the ISR at
// all (KIP-841: registered, unfenced, not in controlled shutdown). Without this, every fencing (a
// restart, a lost session) shrank ISRs for good: the next broker loss took partitions offline, and
// preferred-leader rebalancing, which needs the preferred replica in the ISR, never moved
// leadership back.
//
// What it asks, per partition this broker leads (RECOVERED; a RECOVERING leader is alone by rule):
// the ISR plus every eligible replica missing from it, with the image's leader and partition epochs
// and each member's broker epoch. The controller checks all of it (alter-partition.ts); a refusal
// means the image here was behind, and the next image change looks again.
//
// States:
//   idle ──image change touching brokers or topics──► scheduled (a debounce of DEBOUNCE_MS gathers
//        a burst of changes into one look)
//   scheduled ──timer──► look: nothing to ask → idle; else in flight (one AlterPartition of at
//        most PARTITIONS_PER_REQUEST partitions)
//   in flight ──answer──► idle, then scheduled again if changes came meanwhile or the request was
//        full (more may be waiting); partitions refused are not asked again until the image
//        changes (the answer names why; it is logged at debug)
//   in flight ──no answer (no controller, a timeout)──► scheduled after a backoff (doubling from
//        BACKOFF_MIN_MS to BACKOFF_MAX_MS), the same look again
//   any ──close()──► closed (timers cancelled, answers ignored)
// A look only happens while this broker is eligible itself (as the image says): a fenced or
// stopping broker leads nothing the controller would let it change.
//
// Cost: a change to the brokers (one fenced or unfenced) looks at every partition; otherwise only
// the topics that changed since the last look are, so steady traffic costs what it changes.

import type { Clock, Logger } from '../quorum/env/index.js';
import { ErrorCode, errorName } from '../quorum/controller/errors.js';
import type { AlterPartitionPartitionData, AlterPartitionRequest, AlterPartitionTopicData } from '../quorum/controller/replication/alter-partition.js';
import { eligibility } from '../quorum/controller/replication/eligibility.js';
import type { RpcCaller } from '../quorum/server/rpc-methods.js';
import type { MetadataImageView, TopicImage } from '../metadata-log/image-types.js';
import { LEADER_RECOVERED } from '../quorum/controller/replication/partition-change.js';
import type { Uuid } from '../metadata-log/records/types.js';
import type { MetadataSource } from './metadata-follower.js';

const DEBOUNCE_MS = 50;
const PARTITIONS_PER_REQUEST = 500;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface IsrExpanderOptions {
  readonly brokerId: number;
  readonly source: MetadataSource;
  readonly channel: RpcCaller;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class IsrExpander {
  private closed = false;
  private cancelTimer: (() => void) | null = null;
  private inFlight = false;
  /** Look at every partition next time (a broker changed, or nothing was looked at yet). */
  private lookAtAll = true;
  /** Topics changed since the last look (when not lookAtAll). */
  private readonly changedTopics = new Set<Uuid>();
  private changedWhileInFlight = false;
  private backoffMs = BACKOFF_MIN_MS;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: IsrExpanderOptions) {
    this.unsubscribe = o.source.addMetadataListener((delta) => {
      if (delta.changedBrokerIds().size > 0) this.lookAtAll = true;
      for (const id of delta.changedTopicIds()) this.changedTopics.add(id);
      if (this.lookAtAll || this.changedTopics.size > 0) this.onChange();
    });
    this.schedule(DEBOUNCE_MS);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private onChange(): void {
    if (this.inFlight) this.changedWhileInFlight = true;
    else if (this.cancelTimer === null) this.schedule(DEBOUNCE_MS);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.cancelTimer?.();
    this.cancelTimer = this.o.clock.setTimer(delayMs, () => {
      this.cancelTimer = null;
      this.look();
    });
  }

  private look(): void {
    if (this.closed || this.inFlight) return;
    const image = this.o.source.image;
    const topics = this.lookAtAll ? [...image.topics()] : [...this.changedTopics].map((id) => image.topicById(id)).filter((t) => t !== undefined);
    const { request, full } = expansionRequest(image, this.o.brokerId, topics, PARTITIONS_PER_REQUEST);
    if (request === null) {
      this.lookAtAll = false;
      this.changedTopics.clear();
      return;
    }
    // Taken now: changes from here on are the next look's.
    const retry = { lookAtAll: this.lookAtAll, topics: [...this.changedTopics] };
    this.lookAtAll = full; // a full request leaves partitions unasked: look at everything again
    this.changedTopics.clear();
    this.inFlight = true;
    this.changedWhileInFlight = false;
    this.o.channel.call('alterPartition', request, { timeoutMs: REQUEST_TIMEOUT_MS }).then(
      (response) => {
        this.inFlight = false;
        this.backoffMs = BACKOFF_MIN_MS;
        if (this.closed) return;
        const refused: string[] = [];
        if (response.errorCode !== ErrorCode.NONE) refused.push(`all: ${errorName(response.errorCode)}`);
        for (const t of response.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) refused.push(`${t.topicId}-${p.partitionIndex}: ${errorName(p.errorCode)}`);
        const asked = request.topics.reduce((n, t) => n + t.partitions.length, 0);
        this.o.logger.debug({ brokerId: this.o.brokerId, asked, refused: refused.slice(0, 10) }, 'asked the controller to add in-sync replicas back to ISRs');
        if (this.changedWhileInFlight || full) this.schedule(DEBOUNCE_MS);
      },
      (e: unknown) => {
        this.inFlight = false;
        if (this.closed) return;
        // Nothing is known to have landed: the same look again, after a backoff.
        if (retry.lookAtAll) this.lookAtAll = true;
        for (const id of retry.topics) this.changedTopics.add(id);
        this.o.logger.debug({ brokerId: this.o.brokerId, err: e instanceof Error ? e.message : String(e), retryInMs: this.backoffMs }, 'ISR expansion: no answer from the controller');
        this.schedule(this.backoffMs);
        this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
      },
    );
  }
}

/**
 * The AlterPartition that adds every eligible replica missing from the ISR of each partition of
 * `topics` that `brokerId` leads (at most `max` partitions), or null when there is none; `full`
 * when it stopped at `max`. Nothing when `brokerId` is not eligible itself.
 */
export function expansionRequest(image: MetadataImageView, brokerId: number, topics: Iterable<TopicImage>, max: number): { request: AlterPartitionRequest | null; full: boolean } {
  const isEligible = eligibility(image);
  const self = image.broker(brokerId);
  if (self === undefined || !isEligible(brokerId)) return { request: null, full: false };
  const brokerEpoch = (id: number) => image.broker(id)!.brokerEpoch;
  const out: AlterPartitionTopicData[] = [];
  let count = 0;
  for (const topic of topics) {
    let partitions: AlterPartitionPartitionData[] | null = null;
    for (let i = 0; i < topic.partitions.length; i++) {
      const p = topic.partitions[i]!;
      if (p.leader !== brokerId || p.leaderRecoveryState !== LEADER_RECOVERED || p.isr.length === p.replicas.length) continue;
      const missing = p.replicas.filter((r) => !p.isr.includes(r) && isEligible(r));
      // A member that is not eligible would have the whole change refused (INELIGIBLE_REPLICA);
      // the controller takes such a broker out of every ISR itself.
      if (missing.length === 0 || !p.isr.every(isEligible)) continue;
      if (count === max) {
        if (partitions !== null) out.push({ topicId: topic.topicId, partitions });
        return { request: { brokerId, brokerEpoch: self.brokerEpoch, topics: out }, full: true };
      }
      // Replica order, as Kafka's ISR is kept: the leader's own position stays where it is.
      const isr = p.replicas.filter((r) => p.isr.includes(r) || missing.includes(r));
      (partitions ??= []).push({
        partitionIndex: i,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        newIsrWithEpochs: isr.map((id) => ({ brokerId: id, brokerEpoch: brokerEpoch(id) })),
        leaderRecoveryState: LEADER_RECOVERED,
      });
      count++;
    }
    if (partitions !== null) out.push({ topicId: topic.topicId, partitions });
  }
  return { request: out.length === 0 ? null : { brokerId, brokerEpoch: self.brokerEpoch, topics: out }, full: false };
}
