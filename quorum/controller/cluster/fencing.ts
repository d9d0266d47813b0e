// Fencing: taking a broker out of service in the log. A fenced broker leads nothing and is in no
// ISR (KIP-841): the registration change comes first, then the PartitionChanges that move its
// leaderships to eligible ISR members (or to no leader) and take it out of every ISR.
//
// `fenceExpiredBroker` is the controller's periodic task: at most ONE broker per call (Kafka fences
// one stale broker per event, so each fencing is in the image before the next broker is judged and
// elections never pick a broker that is about to be fenced in the same batch).
//
// A broker that holds many partitions is drained first, in steps of at most N moves while it is
// still unfenced, exactly as a large controlled shutdown is (heartbeat.ts; N =
// controllerLimits.controlledShutdownMovesPerStepMax): one operation that fenced a broker in all
// 2,000,000 ISRs of bench:scale built 2,000,001 records, about 8 s of work on the event loop that
// runs Raft (built twice, as a transaction), past the followers' fetch timeout: they elected a new
// controller, which gave the dead broker a fresh session and then did the same (found by a
// review). Each step is ordinary ISR shrinks and leadership moves to another eligible ISR member;
// while it lasts the broker gets nothing back (OpContext.draining). The final operation is the
// fencing itself, with what is left: partitions where the broker is the last eligible ISR member.
// A broker heard from again meanwhile is no longer expired: its drain stops (heartbeat.ts clears
// it), and what moved stays moved until preferred-leader rebalancing hands it back. While the
// drain lasts, the broker holds back no controlled shutdown (lowestActiveOffset skips expired
// sessions) and a new incarnation of it is told to retry (register-broker.ts), whose cleanup would
// otherwise be the one large operation again. The final fencing is still one operation for the
// partitions where the broker is the last eligible ISR member (RF=1 topics, ISRs already shrunk
// to it): not bounded yet.

import type { BrokerRegistrationChangeRecord, MetadataRecord } from '../../../metadata-log/records/types.js';
import { assert } from '../../raft/assert.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import type { ImageAndConfig } from './moves.js';
import { drainStep, movesOff } from './moves.js';
import { controllerLimits } from '../limits.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';

export interface FenceExpiredResult {
  /** The broker fenced by this operation, or null when no session had expired or this was a drain step. */
  readonly fencedBrokerId: number | null;
  /** An expired broker this operation drained a step of, without fencing it yet: call again. */
  readonly drainedBrokerId: number | null;
  /** That step was the drain's first. */
  readonly drainStarted: boolean;
}

/**
 * Appends to `records` (this operation's, starting at ctx.nextWriteOffset) those that fence the
 * broker, and notes their last offset as what its image must reach before it may be unfenced.
 */
export function appendFencing(ctx: OpContext, hb: BrokerHeartbeatManager, brokerId: number, records: MetadataRecord[]): void {
  records.push(...fenceRecords(ctx, brokerId));
  hb.fencedThrough(brokerId, ctx.nextWriteOffset + records.length - 1);
}

/** The records that fence an unfenced registered broker. */
function fenceRecords(ctx: ImageAndConfig, brokerId: number): MetadataRecord[] {
  const reg = ctx.image.broker(brokerId);
  assert(reg !== undefined, `fencing unregistered broker ${brokerId}`);
  assert(!reg.fenced, `fencing broker ${brokerId}, which is already fenced`);
  const change: BrokerRegistrationChangeRecord = { type: 'BrokerRegistrationChange', brokerId, brokerEpoch: reg.brokerEpoch, fenced: true };
  return [change, ...movesOff(ctx, brokerId)];
}

/**
 * Fence at most one unfenced broker (in controlled shutdown or not) whose session has expired, or
 * drain one step of it first when it holds more than `movesPerStepMax` partitions (see the header).
 */
export function fenceExpiredBroker(
  ctx: OpContext,
  hb: BrokerHeartbeatManager,
  movesPerStepMax: number = controllerLimits.controlledShutdownMovesPerStepMax,
): OpResult<FenceExpiredResult> {
  const brokerId = hb.nextExpired(ctx.nowMs, ctx.image);
  if (brokerId === undefined) return answer({ fencedBrokerId: null, drainedBrokerId: null, drainStarted: false });
  if (!ctx.image.broker(brokerId)!.inControlledShutdown) {
    // (A broker in controlled shutdown was drained before it entered it: it leads nothing.)
    const drainStarted = !hb.isDraining(brokerId);
    const step = drainStep(ctx, brokerId, movesPerStepMax, hb.drainCursor(brokerId));
    hb.setDrainCursor(brokerId, step.cursor);
    if (step.more) return { records: step.records, response: { fencedBrokerId: null, drainedBrokerId: brokerId, drainStarted } };
  }
  const records: MetadataRecord[] = [];
  appendFencing(ctx, hb, brokerId, records);
  return { records, response: { fencedBrokerId: brokerId, drainedBrokerId: null, drainStarted: false } };
}
