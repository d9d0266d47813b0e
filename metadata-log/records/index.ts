// The metadata records' public surface: shapes, the envelope codec and uuids. Import from here;
// the per-type schema files and ./fields.ts are internals of the codec.

export * from './types.js';
export {
  allRecordSchemas,
  decodeRecord,
  describeTypeId,
  encodeRecord,
  KAFKA_RESERVED_TYPE_IDS,
  RECORD_FRAME_VERSION,
  RecordDecodeError,
  recordSchemas,
  recordTypeName,
  recordWriteVersion,
  schemaForTypeId,
  schemaOf,
} from './codec.js';
export type { RecordDecodeErrorFields, RecordSchema, RecordSchemas } from './codec.js';
export { isUuid, METADATA_TOPIC_ID, randomUuid, uuidFromBytes, uuidToBytes, ZERO_UUID } from './uuid.js';
export { EMPTY_IDS } from './fields.js';
export { CLIENT_QUOTA_ENTITY_TYPES } from './client-quota.js';
