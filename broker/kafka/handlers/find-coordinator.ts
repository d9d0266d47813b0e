// FindCoordinator (api 10, v0-2): every broker coordinates every group, and answers itself.
//
// Why: offsets live in the metadata log and every group API this broker serves goes to the active
// controller (or reads the image), so any broker can serve any group; answering the broker the
// client is already talking to needs no extra connection, and it is alive (it answered), whereas a
// hashed owner could be a broker that died and is not yet fenced (clients would retry against it
// until the session timeout). Endpoint: this broker's registration in its own image, the endpoint
// of the listener the request came in on (Kafka answers per listener).
//
// Errors (values, DESIGN §10): key_type TRANSACTION → COORDINATOR_NOT_AVAILABLE (we have no
// transaction coordinator; kafkajs only asks for one with a transactional producer); an unknown
// key_type → INVALID_REQUEST; this broker not (yet) in its own image, or registered without this
// listener → COORDINATOR_NOT_AVAILABLE (retriable: the registration is usually on its way).
// An empty group id is answered like any other (Kafka does too; OffsetCommit refuses it).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import { CoordinatorType, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../protocol/apis/find-coordinator.js';
import type { KafkaHandler } from './context.js';

function refused(errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

export const handleFindCoordinator: KafkaHandler<FindCoordinatorRequest, FindCoordinatorResponse> = async (ctx, request) => {
  if (request.keyType === CoordinatorType.TRANSACTION) {
    return refused(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'This cluster has no transaction coordinator.');
  }
  if (request.keyType !== CoordinatorType.GROUP) {
    return refused(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${request.keyType} (0 = group, 1 = transaction).`);
  }
  const self = ctx.image().broker(ctx.brokerId);
  if (self === undefined) {
    return refused(ErrorCode.COORDINATOR_NOT_AVAILABLE, `Broker ${ctx.brokerId} is not registered in its metadata yet.`);
  }
  const endpoint = self.endpoints.find((e) => e.name === ctx.listenerName);
  if (endpoint === undefined) {
    return refused(ErrorCode.COORDINATOR_NOT_AVAILABLE, `Broker ${ctx.brokerId} has no registered endpoint for listener ${ctx.listenerName}.`);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.brokerId, host: endpoint.host, port: endpoint.port };
};
