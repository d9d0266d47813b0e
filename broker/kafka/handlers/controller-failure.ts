// What a handler answers when a write (or linearizable read) forwarded to the active controller
// fails as a whole: one error code and message for every item of the request. The controller
// channel already retries across a failover until its deadline, so what reaches a handler is
// "the controller could not be reached in time" (a timeout, a dead connection, NOT_CONTROLLER
// after the last retry, a busy controller) or a definite refusal of the request itself.
//
// "Unavailable" failures get the code that makes the client retry for that family of APIs:
// - group APIs: COORDINATOR_NOT_AVAILABLE (15). Kafka's group coordinator answers it when the
//   offsets store cannot take an append (REQUEST_TIMED_OUT / NOT_ENOUGH_REPLICAS map to it in
//   GroupMetadataManager.storeOffsets); kafkajs treats it as retriable and re-finds the coordinator.
// - admin APIs: NOT_CONTROLLER (41), the one code kafkajs's admin retrier retries (alterConfigs,
//   createTopics, ... refresh metadata and retry on it; anything else is final).
// Definite refusals (a RemoteError with any other Kafka code) keep their code and message.
// Anything that is not an error of the channel (a programmer error) is rethrown: the connection
// closes with the reason logged (kafka-connection.ts).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import { ConnectionError, HandshakeRefusedError, RemoteError, RequestTimeoutError } from '../../../quorum/net/types.js';
import { AmbiguousOutcomeError } from '../../../quorum/server/controller-channel.js';

export type ForwardFamily = 'group' | 'admin';

export interface ForwardFailure {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/** Remote codes that mean "not now" rather than "not this request". */
const UNAVAILABLE_REMOTE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.THROTTLING_QUOTA_EXCEEDED,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);

function unavailableCode(family: ForwardFamily): number {
  return family === 'group' ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NOT_CONTROLLER;
}

/** Maps a failed `ctx.controller.call` to the code a Kafka client should see; rethrows programmer errors. */
export function forwardFailure(e: unknown, family: ForwardFamily): ForwardFailure {
  if (e instanceof RemoteError) {
    if (UNAVAILABLE_REMOTE_CODES.has(e.code)) {
      return { errorCode: unavailableCode(family), errorMessage: `The active controller is not available: ${e.message}` };
    }
    return { errorCode: e.code, errorMessage: e.message };
  }
  if (e instanceof RequestTimeoutError || e instanceof ConnectionError || e instanceof HandshakeRefusedError) {
    return { errorCode: unavailableCode(family), errorMessage: `The active controller did not answer: ${e.message}` };
  }
  if (e instanceof AmbiguousOutcomeError) {
    return { errorCode: unavailableCode(family), errorMessage: `The active controller failed while the request was in flight (it may or may not have been applied); retry: ${e.message}` };
  }
  throw e;
}
