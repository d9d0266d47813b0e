// Fencing: taking a broker out of service in the log. A fenced broker leads nothing and is in no
// ISR (KIP-841): the registration change comes first, then the PartitionChanges that move its
// leaderships to eligible ISR members (or to no leader) and take it out of every ISR.
//
// `fenceExpiredBroker` is the controller's periodic task: at most ONE broker per call (Kafka fences
// one stale broker per event, so each fencing is in the image before the next broker is judged and
// elections never pick a broker that is about to be fenced in the same batch).

import type { BrokerRegistrationChangeRecord, MetadataRecord } from '../../../metadata-log/records/types.js';
import { assert } from '../../raft/assert.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import type { ImageAndConfig } from './moves.js';
import { movesOff } from './moves.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';

export interface FenceExpiredResult {
  /** The broker fenced by this operation, or null when no session had expired. */
  readonly fencedBrokerId: number | null;
}

/** The records that fence an unfenced registered broker. */
export function fenceRecords(ctx: ImageAndConfig, brokerId: number): MetadataRecord[] {
  const reg = ctx.image.broker(brokerId);
  assert(reg !== undefined, `fencing unregistered broker ${brokerId}`);
  assert(!reg.fenced, `fencing broker ${brokerId}, which is already fenced`);
  const change: BrokerRegistrationChangeRecord = { type: 'BrokerRegistrationChange', brokerId, brokerEpoch: reg.brokerEpoch, fenced: true };
  return [change, ...movesOff(ctx, brokerId)];
}

/** Fence at most one unfenced broker (in controlled shutdown or not) whose session has expired. */
export function fenceExpiredBroker(ctx: OpContext, hb: BrokerHeartbeatManager): OpResult<FenceExpiredResult> {
  const brokerId = hb.nextExpired(ctx.nowMs, ctx.image);
  if (brokerId === undefined) return answer({ fencedBrokerId: null });
  const records = fenceRecords(ctx, brokerId);
  hb.fencedThrough(brokerId, ctx.nextWriteOffset + records.length - 1);
  return { records, response: { fencedBrokerId: brokerId } };
}
