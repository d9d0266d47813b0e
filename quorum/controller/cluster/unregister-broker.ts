// UnregisterBroker (Kafka api 64): remove a broker's registration for good (decommissioning). A
// normal restart never does this — it registers a new incarnation. The broker's leaderships move
// away and it leaves every ISR first, then the UnregisterBroker record drops the registration; the
// active controller forgets the broker's session.
//
// Refused (INVALID_REQUEST, saying what to do) while those moves would be more than
// controllerLimits.controlledShutdownMovesPerStepMax records: one operation of that size holds the
// active controller's event loop past the followers' fetch timeout (elections, then the same
// request again). A broker that shut down, or whose session expired, has been drained in steps
// and fenced already, and leaves little to move.

import type { MetadataRecord, UnregisterBrokerRecord } from '../../../metadata-log/records/types.js';
import { ErrorCode } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import { controllerLimits } from '../limits.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';
import { movesOff } from './moves.js';

export interface UnregisterBrokerRequest {
  readonly brokerId: number;
}

export interface UnregisterBrokerResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export function unregisterBroker(
  ctx: OpContext,
  hb: BrokerHeartbeatManager,
  request: UnregisterBrokerRequest,
  movesMax: number = controllerLimits.controlledShutdownMovesPerStepMax,
): OpResult<UnregisterBrokerResponse> {
  const { brokerId } = request;
  const reg = Number.isSafeInteger(brokerId) ? ctx.image.broker(brokerId) : undefined;
  if (reg === undefined) {
    return answer({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `broker ${brokerId} is not registered` });
  }
  const moves = movesOff(ctx, brokerId);
  if (moves.length > movesMax) {
    return answer({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage:
        `broker ${brokerId} still leads or is in the ISR of partitions needing ${moves.length} changes, more than one operation may make (${movesMax}); ` +
        `stop it first (SIGTERM: its controlled shutdown moves them off in steps) or wait until its session expires (it is then drained and fenced), then unregister it`,
    });
  }
  const unregister: UnregisterBrokerRecord = { type: 'UnregisterBroker', brokerId, brokerEpoch: reg.brokerEpoch };
  const records: MetadataRecord[] = [...moves, unregister];
  hb.forget(brokerId);
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null } };
}
