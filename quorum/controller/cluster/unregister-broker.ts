// UnregisterBroker (Kafka api 64): remove a broker's registration for good (decommissioning). A
// normal restart never does this — it registers a new incarnation. The broker's leaderships move
// away and it leaves every ISR first, then the UnregisterBroker record drops the registration; the
// active controller forgets the broker's session.

import type { MetadataRecord, UnregisterBrokerRecord } from '../../../metadata-log/records/types.js';
import { ErrorCode } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';
import { answer } from '../op.js';
import type { BrokerHeartbeatManager } from './heartbeat-manager.js';
import { movesOff } from './moves.js';

export interface UnregisterBrokerRequest {
  readonly brokerId: number;
}

export interface UnregisterBrokerResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export function unregisterBroker(ctx: OpContext, hb: BrokerHeartbeatManager, request: UnregisterBrokerRequest): OpResult<UnregisterBrokerResponse> {
  const { brokerId } = request;
  const reg = Number.isSafeInteger(brokerId) ? ctx.image.broker(brokerId) : undefined;
  if (reg === undefined) {
    return answer({ errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `broker ${brokerId} is not registered` });
  }
  const unregister: UnregisterBrokerRecord = { type: 'UnregisterBroker', brokerId, brokerEpoch: reg.brokerEpoch };
  const records: MetadataRecord[] = [...movesOff(ctx, brokerId), unregister];
  hb.forget(brokerId);
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null } };
}
