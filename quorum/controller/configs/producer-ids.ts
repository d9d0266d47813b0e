// AllocateProducerIds (api 67): hands a broker the next block of producer ids. Blocks never overlap
// and are never reused: each starts at image.nextProducerId, and ctx.image is the pending image, so
// a block handed out but not yet committed is already counted. If the controller loses the lead
// before commit, the block's record is lost with the pending image and its caller fails with
// NOT_CONTROLLER, so no broker ever uses an id that a later block repeats.
//
// Choices:
// - An unregistered broker id: BROKER_ID_NOT_REGISTERED (Kafka answers STALE_BROKER_EPOCH for both
//   cases; telling them apart says which next step the broker needs: register, or re-register).
// - A registered broker with another epoch: STALE_BROKER_EPOCH (Kafka's).
// - A fenced broker may allocate (Kafka checks the epoch only): a broker is fenced while it starts,
//   and fencing is about leading partitions, not about naming producers.
// - Ids are JS numbers: a block that would pass Number.MAX_SAFE_INTEGER is refused with
//   UNKNOWN_SERVER_ERROR (Kafka refuses past Long.MAX_VALUE the same way). The first block starts at 0.
// - On error the response carries producerIdStart 0 and producerIdLen 0 (Kafka's field defaults).

import type { ProducerIdsRecord } from '../../../metadata-log/records/types.js';
import { apiError, ErrorCode, type ApiError } from '../errors.js';
import type { OpContext, OpResult } from '../op.js';

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface AllocateProducerIdsResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** The first id of the block. */
  readonly producerIdStart: number;
  /** Ids in the block: [producerIdStart, producerIdStart + producerIdLen). */
  readonly producerIdLen: number;
}

function refuse(error: ApiError): OpResult<AllocateProducerIdsResponse> {
  return { records: [], response: { errorCode: error.code, errorMessage: error.message, producerIdStart: 0, producerIdLen: 0 } };
}

export function allocateProducerIds(ctx: OpContext, request: AllocateProducerIdsRequest): OpResult<AllocateProducerIdsResponse> {
  const blockSize = ctx.config.producerIdBlockSize;
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0) throw new Error(`allocateProducerIds: producerIdBlockSize ${blockSize} must be a positive integer`);
  const broker = ctx.image.broker(request.brokerId);
  if (broker === undefined) {
    return refuse(apiError('BROKER_ID_NOT_REGISTERED', `Broker ${request.brokerId} is not registered; register before allocating producer ids.`));
  }
  if (broker.brokerEpoch !== request.brokerEpoch) {
    return refuse(apiError('STALE_BROKER_EPOCH', `Expected broker epoch ${broker.brokerEpoch}, but got broker epoch ${request.brokerEpoch}.`));
  }
  const start = ctx.image.nextProducerId;
  if (!Number.isSafeInteger(start) || start < 0) throw new Error(`allocateProducerIds: image.nextProducerId ${start} is not a valid id`);
  const next = start + blockSize;
  if (!Number.isSafeInteger(next)) {
    return refuse(apiError('UNKNOWN_SERVER_ERROR', `Producer ids are exhausted: the next block would end past ${Number.MAX_SAFE_INTEGER}.`));
  }
  const record: ProducerIdsRecord = { type: 'ProducerIds', brokerId: request.brokerId, brokerEpoch: request.brokerEpoch, nextProducerId: next };
  return { records: [record], response: { errorCode: ErrorCode.NONE, errorMessage: null, producerIdStart: start, producerIdLen: blockSize } };
}
