// A partition leader's ISR expansion (Kafka's Partition.maybeExpandIsr, sent as AlterPartition).
// A Kafka leader adds a follower back to the ISR once it has fetched up to the high watermark.
// These brokers keep no partition data, so a replica is in sync as soon as it may be in the ISR at
// all (KIP-841: registered, unfenced, not in controlled shutdown). Without this, every fencing (a
// restart, a lost session) shrank ISRs for good: the next broker loss took partitions offline, and
// preferred-leader rebalancing, which needs the preferred replica in the ISR, never moved
// leadership back.
//
// What it asks, per partition this broker leads: the ISR followed by every eligible replica
// missing from it (in replica order), with the image's leader and partition epochs and each member's broker epoch; a partition
// still RECOVERING after an unclean election is declared RECOVERED at the same time (there is no
// log to recover here), or it would keep an ISR of one for good. So is, with its ISR as it is, a
// partition whose reassignment in flight already has every adding replica in sync (imported so from
// ZooKeeper): the controller completes a move in any change to the partition, and none other would
// come. The controller checks all of it
// (alter-partition.ts), and refuses to add a broker whose controlled shutdown it is draining; a
// refusal means the image here was behind, and the next change to that topic looks again.
//
// Work is a cursor over a list of topics: a change to the brokers (one fenced, unfenced,
// registered) restarts it over every topic; a changed topic is appended (once) to what is left.
// A look goes from the cursor until it has PARTITIONS_PER_REQUEST partitions to ask for or the
// list ends, so a restart at two million partitions costs one pass in steps, not a pass per step.
//
// States:
//   idle ──a change to brokers or topics──► scheduled (a debounce of DEBOUNCE_MS gathers a burst
//        of changes into one look)
//   scheduled ──timer──► look: nothing to ask up to the end of the list → idle; else in flight
//   in flight ──answer──► scheduled again if the list is not done or changes came meanwhile, else
//        idle (refused partitions are looked at again when their topic changes; the refusals are
//        logged at debug)
//   in flight ──no answer (no controller, a timeout)──► the cursor goes back to where the look
//        started; scheduled after a backoff (doubling from BACKOFF_MIN_MS to BACKOFF_MAX_MS)
//   any ──close()──► closed (timers cancelled, answers ignored)
// Nothing is asked while this broker is not eligible itself (as the image says): a fenced or
// stopping broker leads nothing the controller would let it change.

import type { Clock, Logger } from '../quorum/env/index.js';
import { ErrorCode, errorName } from '../quorum/controller/errors.js';
import type { AlterPartitionPartitionData, AlterPartitionRequest, AlterPartitionTopicData } from '../quorum/controller/replication/alter-partition.js';
import { eligibility } from '../quorum/controller/replication/eligibility.js';
import type { RpcCaller } from '../quorum/server/rpc-methods.js';
import type { MetadataImageView, TopicImage } from '../metadata-log/image-types.js';
import { completesReassignment, LEADER_RECOVERED } from '../quorum/controller/replication/partition-change.js';
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

/** Where the next look starts: topics to go through, and the position reached. */
export interface LookCursor {
  readonly topicIds: Uuid[];
  index: number;
  partition: number;
}

export class IsrExpander {
  private closed = false;
  private cancelTimer: (() => void) | null = null;
  private inFlight = false;
  /** Restart the cursor over every topic at the next look (a broker changed; or the first look). */
  private lookAtAll = true;
  private work: LookCursor = { topicIds: [], index: 0, partition: 0 };
  /** Topics in `work` not yet passed by its cursor (a changed topic is appended once). */
  private readonly queued = new Set<Uuid>();
  private changedWhileInFlight = false;
  private backoffMs = BACKOFF_MIN_MS;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: IsrExpanderOptions) {
    this.unsubscribe = o.source.addMetadataListener((delta) => {
      if (delta.changedBrokerIds().size > 0) this.lookAtAll = true;
      let changed = this.lookAtAll;
      for (const id of delta.changedTopicIds()) {
        changed = true;
        if (this.queued.has(id)) continue;
        this.queued.add(id);
        this.work.topicIds.push(id);
      }
      if (changed) this.onChange();
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

  private get workDone(): boolean {
    return this.work.index >= this.work.topicIds.length;
  }

  private look(): void {
    if (this.closed || this.inFlight) return;
    const image = this.o.source.image;
    if (this.lookAtAll) {
      this.lookAtAll = false;
      this.queued.clear();
      const all: Uuid[] = [];
      for (const t of image.topics()) {
        all.push(t.topicId);
        this.queued.add(t.topicId);
      }
      this.work = { topicIds: all, index: 0, partition: 0 };
    }
    const looked = this.work;
    const from = { index: looked.index, partition: looked.partition };
    const request = expansionRequest(image, this.o.brokerId, looked, PARTITIONS_PER_REQUEST);
    for (let i = from.index; i < Math.min(this.work.index, this.work.topicIds.length); i++) this.queued.delete(this.work.topicIds[i]!);
    if (this.workDone) {
      this.queued.clear();
      this.work = { topicIds: [], index: 0, partition: 0 };
    }
    if (request === null) return;
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
        if (this.changedWhileInFlight || !this.workDone || this.lookAtAll) this.schedule(DEBOUNCE_MS);
      },
      (e: unknown) => {
        this.inFlight = false;
        if (this.closed) return;
        // Nothing is known to have landed: look again from where this look started, then at
        // whatever was queued since (when the look had finished the list, a new one was begun).
        const since = this.work === looked ? [] : this.work.topicIds.slice(this.work.index);
        this.work = { topicIds: [...looked.topicIds.slice(from.index), ...since], index: 0, partition: from.partition };
        this.queued.clear();
        for (const id of this.work.topicIds) this.queued.add(id);
        this.o.logger.debug({ brokerId: this.o.brokerId, err: e instanceof Error ? e.message : String(e), retryInMs: this.backoffMs }, 'ISR expansion: no answer from the controller');
        this.schedule(this.backoffMs);
        this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
      },
    );
  }
}

/**
 * The AlterPartition for the partitions `brokerId` leads, from `cursor` on, that miss an eligible
 * replica in their ISR or are still RECOVERING; at most `max` of them. Advances `cursor` past what
 * it looked at (to the end of the list when it found fewer than `max`). Null when there is
 * nothing to ask; nothing either while `brokerId` is not eligible itself (the cursor still moves).
 */
export function expansionRequest(image: MetadataImageView, brokerId: number, cursor: LookCursor, max: number): AlterPartitionRequest | null {
  const isEligible = eligibility(image);
  const self = image.broker(brokerId);
  if (self === undefined || !isEligible(brokerId)) {
    cursor.index = cursor.topicIds.length;
    cursor.partition = 0;
    return null;
  }
  const brokerEpoch = (id: number) => image.broker(id)!.brokerEpoch;
  const out: AlterPartitionTopicData[] = [];
  let count = 0;
  for (; cursor.index < cursor.topicIds.length; cursor.index++, cursor.partition = 0) {
    const topic = image.topicById(cursor.topicIds[cursor.index]!);
    if (topic === undefined) continue; // deleted meanwhile
    let partitions: AlterPartitionPartitionData[] | null = null;
    for (; cursor.partition < topic.partitions.length; cursor.partition++) {
      const i = cursor.partition;
      const p = topic.partitions[i]!;
      if (p.leader !== brokerId) continue;
      const recovering = p.leaderRecoveryState !== LEADER_RECOVERED;
      // A move the controller would complete on any change (imported so from ZooKeeper): ask for it, see the header.
      const completable = completesReassignment(p.addingReplicas, p.removingReplicas, p.isr);
      if (!recovering && !completable && p.isr.length === p.replicas.length) continue;
      const missing = p.replicas.filter((r) => !p.isr.includes(r) && isEligible(r));
      // A member that is not eligible would have the whole change refused (INELIGIBLE_REPLICA);
      // the controller takes such a broker out of every ISR itself.
      if ((missing.length === 0 && !recovering && !completable) || !p.isr.every(isEligible)) continue;
      if (count === max) {
        if (partitions !== null) out.push({ topicId: topic.topicId, partitions });
        return { brokerId, brokerEpoch: self.brokerEpoch, topics: out };
      }
      // As Kafka's leader grows an ISR: the members as they are, the joiners after them.
      const isr = [...p.isr, ...missing];
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
  return out.length === 0 ? null : { brokerId, brokerEpoch: self.brokerEpoch, topics: out };
}
