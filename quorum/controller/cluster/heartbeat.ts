// BrokerHeartbeat (Kafka api 63) on the active controller: keeps the broker's session alive and
// drives its lifecycle (Kafka's BrokerHeartbeatManager.calculateNextBrokerState and
// ReplicationControlManager.processBrokerHeartbeat).
//
// Lifecycle, as the image records it (fenced, inControlledShutdown) — transition table:
//
//   state                  event                                            next                  records
//   FENCED                 heartbeat wantShutDown                           FENCED                none; shouldShutDown
//   FENCED                 heartbeat caught up, !wantFence, !inCS           UNFENCED              change fenced=false + elections onto it
//   FENCED                 other heartbeat                                  FENCED                none
//   UNFENCED               heartbeat wantFence                              FENCED                change fenced=true + moves off it
//                          (more than N partitions: first drained in steps as below, still UNFENCED;
//                          the broker asks again)
//   UNFENCED               heartbeat wantShutDown, holds nothing            FENCED                change fenced=true; shouldShutDown
//   UNFENCED               heartbeat wantShutDown, more than N partitions   UNFENCED (draining)   the next N moves off it that leave
//                          it could leave for another eligible ISR member                         no partition leaderless (leaderships
//                                                                                                 first); the broker asks again
//   UNFENCED               heartbeat wantShutDown, leads or in an ISR       CONTROLLED_SHUTDOWN   change inCS=true + moves off it;
//                                                                                                 controlled-shutdown offset := last of them
//   CONTROLLED_SHUTDOWN    heartbeat, leads nothing and every active
//                          broker's offset >= controlled-shutdown offset    FENCED (inCS)         change fenced=true; shouldShutDown
//   CONTROLLED_SHUTDOWN    other heartbeat                                  CONTROLLED_SHUTDOWN   none
//   UNFENCED / CONTROLLED  session expired (fencing.ts)                     FENCED                change fenced=true + moves off it
//                          (more than N partitions: first drained in steps as below, still UNFENCED)
//   any                    new incarnation registers (register-broker.ts)   FENCED (new epoch)    cleanup moves + RegisterBroker
//   any                    UnregisterBroker (unregister-broker.ts)          (gone)                moves off it + UnregisterBroker
//                          (refused while that would be more than N moves: shut it down first)
//
// "caught up" = the broker's metadata offset has reached its own RegisterBroker record (its epoch),
// never the log end: with a NoOp every 500 ms the log end is a moving target a broker may never
// reach (KAFKA-13959). The controlled-shutdown offset is set once per incarnation (KAFKA-14292), so
// later heartbeats and unrelated writes cannot push it away. Leaving controlled shutdown takes a new
// incarnation. A broker granted shutdown is fenced at once (as Kafka does), so it holds no session
// and its next incarnation may register without waiting for the old session to expire.
//
// N = controllerLimits.controlledShutdownMovesPerStepMax. Entering controlled shutdown must be one
// metadata transaction (a shutting-down broker never leads, in any image), and its size grows with
// the partitions the broker holds: at 2,000,000 it kept the active controller's event loop busy
// past the followers' fetch timeout, the next controller got the same heartbeat, and so on (a
// livelock of elections, found by bench:scale). So a broker holding more than N partitions is first
// drained in steps of at most N records while it is still eligible: each step is ordinary ISR
// shrinks, leaderships moving to another eligible ISR member, which any image allows. The final
// step (what is left, and partitions where it is the last eligible ISR member) is the transaction
// above. While it is drained the broker gets nothing back (OpContext.draining): no preferred-leader
// election, no replica or leadership of a new partition, no ISR it is not already in; before
// that, the periodic rebalance handed back what the steps had moved. The drain scans the pending
// image afresh each step (the soft state keeps only where the
// last step stopped, a hint), so a failover or a partition elected onto the broker meanwhile only
// means another step.

import type { BrokerRegistrationChangeRecord, MetadataRecord } from '../../../metadata-log/records/types.js';
import { assert } from '../../raft/assert.js';
import { ErrorCode } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import { holdsNothing, leadsAny } from './broker-roles.js';
import { appendFencing } from './fencing.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';
import { controllerLimits } from '../limits.js';
import { drainStep, movesOff, movesOnto } from './moves.js';

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The offset of the last metadata record the broker has applied (-1: none). */
  readonly currentMetadataOffset: number;
  readonly wantFence: boolean;
  readonly wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The broker has applied its own registration record. */
  readonly isCaughtUp: boolean;
  /** Fenced once this operation's records are applied. */
  readonly isFenced: boolean;
  readonly shouldShutDown: boolean;
}

export function brokerHeartbeat(
  ctx: OpContext,
  hb: BrokerHeartbeatManager,
  request: BrokerHeartbeatRequest,
  movesPerStepMax: number = controllerLimits.controlledShutdownMovesPerStepMax,
  /**
   * Leaderships per broker in ctx.image, when the caller keeps them: a lookup instead of a scan of
   * every partition on each heartbeat of a broker in controlled shutdown (24.8 ms at 2M partitions,
   * every 50 ms; found by a review).
   */
  leaderCounts?: ReadonlyMap<number, number>,
): OpResult<BrokerHeartbeatResponse> {
  assert(Number.isSafeInteger(movesPerStepMax) && movesPerStepMax > 0, `controlled-shutdown step bound ${movesPerStepMax}`);
  const { image } = ctx;
  const { brokerId } = request;
  if (!Number.isSafeInteger(request.currentMetadataOffset) || request.currentMetadataOffset < -1) {
    return refuse(ErrorCode.INVALID_REQUEST, `broker ${brokerId}: metadata offset ${request.currentMetadataOffset} is not -1 or an offset`);
  }
  const reg = image.broker(brokerId);
  if (reg === undefined) {
    return refuse(ErrorCode.BROKER_ID_NOT_REGISTERED, `broker ${brokerId} is not registered; register it first`);
  }
  if (reg.brokerEpoch !== request.brokerEpoch) {
    return refuse(
      ErrorCode.STALE_BROKER_EPOCH,
      `broker ${brokerId} sent epoch ${request.brokerEpoch}, the registration in force has epoch ${reg.brokerEpoch}; register again`,
    );
  }
  hb.touch(brokerId, ctx.nowMs, request.currentMetadataOffset);
  // Heard from again while its expired session was being drained (fencing.ts): it stays, and gets
  // leaderships back again. (A broker shutting down asks wantShutDown in every heartbeat.)
  if (!request.wantShutDown && !request.wantFence && !reg.inControlledShutdown && hb.isDraining(brokerId)) hb.setDrainCursor(brokerId, undefined);
  const isCaughtUp = request.currentMetadataOffset >= reg.brokerEpoch;

  const records: MetadataRecord[] = [];
  let fenced = reg.fenced;
  let shouldShutDown = false;
  /** Fences the broker in this heartbeat's records; it is unfenced only once it has read them all. */
  const fence = () => {
    appendFencing(ctx, hb, brokerId, records);
    fenced = true;
  };

  if (!fenced && request.wantFence) {
    // Drained in steps first, as for a shutdown: one fencing with every move off a large broker is
    // the one large operation the steps avoid. The broker asks again until it is fenced.
    const step = drainStep(ctx, brokerId, movesPerStepMax, hb.drainCursor(brokerId));
    hb.setDrainCursor(brokerId, step.cursor);
    if (step.more) {
      records.push(...step.records);
      return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, isCaughtUp, isFenced: false, shouldShutDown: false } };
    }
    fence();
  }

  if (request.wantShutDown || reg.inControlledShutdown) {
    if (fenced) {
      // A fenced broker leads nothing and is in no ISR: nothing to wait for.
      shouldShutDown = true;
    } else if (!reg.inControlledShutdown) {
      // The drain step first: while it has more than one step's worth, it is all this heartbeat
      // does (and the scan for holdsNothing is not needed).
      const step = drainStep(ctx, brokerId, movesPerStepMax, hb.drainCursor(brokerId));
      hb.setDrainCursor(brokerId, step.cursor);
      if (step.more) {
        records.push(...step.records);
      } else if (holdsNothing(image, brokerId)) {
        fence();
        shouldShutDown = true;
      } else {
        const change: BrokerRegistrationChangeRecord = { type: 'BrokerRegistrationChange', brokerId, brokerEpoch: reg.brokerEpoch, inControlledShutdown: true };
        records.push(change, ...movesOff(ctx, brokerId));
        // Every active broker must see the last of these moves before this one may go.
        hb.setControlledShutdownOffsetOnce(brokerId, ctx.nextWriteOffset + records.length - 1);
      }
    } else if (leaderCounts !== undefined ? (leaderCounts.get(brokerId) ?? 0) > 0 : leadsAny(image, brokerId)) {
      // In controlled shutdown, yet leading: only a bug elsewhere elects an ineligible broker.
      // Move it off again; the shutdown then waits for these moves too.
      records.push(...movesOff(ctx, brokerId));
      if (records.length > 0) hb.raiseControlledShutdownOffset(brokerId, ctx.nextWriteOffset + records.length - 1);
    } else {
      // After a failover the soft state is new: the moves were written before this controller
      // became active, so everything before nextWriteOffset covers them.
      const shutdownOffset = hb.controlledShutdownOffset(brokerId) ?? hb.setControlledShutdownOffsetOnce(brokerId, ctx.nextWriteOffset - 1);
      if (hb.lowestActiveOffset(image, ctx.nowMs) >= shutdownOffset) {
        fence();
        shouldShutDown = true;
      }
    }
  } else if (fenced && !request.wantFence && isCaughtUp && request.currentMetadataOffset >= hb.unfenceAfter(brokerId)) {
    // Caught up with its registration and past its own fencing (heartbeat-manager.ts, #unfenceAfter).
    assert(!reg.inControlledShutdown, `broker ${brokerId} in controlled shutdown reached the unfence branch`);
    const change: BrokerRegistrationChangeRecord = { type: 'BrokerRegistrationChange', brokerId, brokerEpoch: reg.brokerEpoch, fenced: false };
    records.push(change, ...movesOnto(ctx, brokerId));
    hb.unfenced(brokerId);
    fenced = false;
  }

  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null, isCaughtUp, isFenced: fenced, shouldShutDown } };
}

function refuse(errorCode: number, errorMessage: string): OpResult<BrokerHeartbeatResponse> {
  return answer({ errorCode, errorMessage, isCaughtUp: false, isFenced: true, shouldShutDown: false });
}
