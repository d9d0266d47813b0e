// How an error thrown while serving a request travels back: a Kafka error code, its name, a
// message, and for NOT_CONTROLLER the active-controller hint and the outcome. Unexpected errors
// become UNKNOWN_SERVER_ERROR with their message (the node logs nothing for them here: the
// operation already did, and the caller gets the text).

import { ControllerBusyError } from '../controller/event-queue.js';
import { ErrorCode, NotControllerError, errorName } from '../controller/errors.js';
import { NotLeaderError, ProposalRejectedError } from '../runtime/api.js';
import { RemoteError } from '../net/types.js';

export function toRemoteError(e: unknown): RemoteError {
  if (e instanceof RemoteError) return e;
  if (e instanceof NotControllerError) {
    return new RemoteError({ code: ErrorCode.NOT_CONTROLLER, name: 'NOT_CONTROLLER', message: e.message, activeControllerId: e.activeControllerId, outcome: e.outcome });
  }
  if (e instanceof NotLeaderError) {
    return new RemoteError({ code: ErrorCode.NOT_CONTROLLER, name: 'NOT_CONTROLLER', message: e.message, activeControllerId: e.leader.leaderId, outcome: e.outcome });
  }
  if (e instanceof ControllerBusyError || (e instanceof ProposalRejectedError && e.code === 'BACKPRESSURE')) {
    return new RemoteError({ code: ErrorCode.THROTTLING_QUOTA_EXCEEDED, name: 'THROTTLING_QUOTA_EXCEEDED', message: e.message });
  }
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'number') return new RemoteError({ code, name: errorName(code), message });
  return new RemoteError({ code: ErrorCode.UNKNOWN_SERVER_ERROR, name: 'UNKNOWN_SERVER_ERROR', message });
}
