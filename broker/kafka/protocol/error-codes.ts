// Kafka error codes our broker answers with: the one table in quorum/controller/errors.ts (the
// numbers are Kafka's, from its Errors enum). Expected protocol outcomes are values (DESIGN §10):
// handlers put these in responses; they are never thrown.

export { ErrorCode, type ErrorCodeName } from '../../../quorum/controller/errors.js';
