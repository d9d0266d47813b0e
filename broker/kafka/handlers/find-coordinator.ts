// FindCoordinator (api 10, v0-2): the broker that coordinates a group is a hash of the group id
// over the live brokers in this broker's image (metadata-log/group-ownership.ts); its endpoint is the one it
// registered for the listener this request came in on (Kafka answers per listener).
//
// Errors (values, DESIGN §10): key_type TRANSACTION → COORDINATOR_NOT_AVAILABLE (we have no
// transaction coordinator; kafkajs only asks for one with a transactional producer); an unknown
// key_type → INVALID_REQUEST; no live broker, or the coordinator registered without this
// listener → COORDINATOR_NOT_AVAILABLE (retriable: brokers are usually on their way).
// An empty group id is answered like any other (Kafka does too; OffsetCommit refuses it).

import { ErrorCode } from '../../../quorum/controller/errors.js';
import { CoordinatorType, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../protocol/apis/find-coordinator.js';
import type { KafkaHandler } from './context.js';
import { coordinatorOf, liveBrokerIds } from '../../../metadata-log/group-ownership.js';

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
  const image = ctx.image();
  const nodeId = coordinatorOf(liveBrokerIds(image), request.key);
  if (nodeId === null) return refused(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'No broker is live yet.');
  const endpoint = image.broker(nodeId)?.endpoints.find((e) => e.name === ctx.listenerName);
  if (endpoint === undefined) {
    return refused(ErrorCode.COORDINATOR_NOT_AVAILABLE, `Broker ${nodeId} has no registered endpoint for listener ${ctx.listenerName}.`);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId, host: endpoint.host, port: endpoint.port };
};
