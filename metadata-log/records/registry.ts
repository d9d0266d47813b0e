// Every record type's schema, by name and by wire type id.
//
// `recordSchemas` is typed as a complete map from MetadataRecordType to its schema: adding a
// record type to types.ts without a schema here fails to compile, and so does filing a schema
// under the wrong name.
//
// Type ids are never reused. Below 100 they are Kafka's metadata record apiKeys, so an id means the
// same record as in Kafka; Kafka's ids we do not implement stay reserved (KAFKA_RESERVED_TYPE_IDS)
// and a future record of ours that Kafka also has takes Kafka's id. Ours start at 100.

import assert from 'node:assert/strict';
import type { MetadataRecord, MetadataRecordType, RecordOf } from './types.js';
import type { RecordSchema } from './schema.js';
import { abortTransactionSchema } from './abort-transaction.js';
import { accessControlEntrySchema } from './access-control-entry.js';
import { removeAccessControlEntrySchema } from './remove-access-control-entry.js';
import { beginTransactionSchema } from './begin-transaction.js';
import { clientQuotaSchema } from './client-quota.js';
import { removeUserScramCredentialSchema, userScramCredentialSchema } from './user-scram-credential.js';
import { brokerRegistrationChangeSchema } from './broker-registration-change.js';
import { configSchema } from './config.js';
import { endTransactionSchema } from './end-transaction.js';
import { featureLevelSchema } from './feature-level.js';
import { noOpSchema } from './no-op.js';
import { offsetCommitSchema } from './offset-commit.js';
import { offsetCommitTombstoneSchema } from './offset-commit-tombstone.js';
import { groupMetadataSchema } from './group-metadata.js';
import { groupMetadataTombstoneSchema } from './group-metadata-tombstone.js';
import { partitionSchema } from './partition.js';
import { partitionChangeSchema } from './partition-change.js';
import { producerIdsSchema } from './producer-ids.js';
import { registerBrokerSchema } from './register-broker.js';
import { removeTopicSchema } from './remove-topic.js';
import { topicSchema } from './topic.js';
import { unregisterBrokerSchema } from './unregister-broker.js';
import { zkMigrationStateSchema } from './zk-migration-state.js';

export type RecordSchemas = { readonly [K in MetadataRecordType]: RecordSchema<RecordOf<K>> };

export const recordSchemas: RecordSchemas = Object.freeze({
  RegisterBroker: registerBrokerSchema,
  UnregisterBroker: unregisterBrokerSchema,
  BrokerRegistrationChange: brokerRegistrationChangeSchema,
  Topic: topicSchema,
  Partition: partitionSchema,
  PartitionChange: partitionChangeSchema,
  RemoveTopic: removeTopicSchema,
  Config: configSchema,
  FeatureLevel: featureLevelSchema,
  ProducerIds: producerIdsSchema,
  OffsetCommit: offsetCommitSchema,
  OffsetCommitTombstone: offsetCommitTombstoneSchema,
  GroupMetadata: groupMetadataSchema,
  GroupMetadataTombstone: groupMetadataTombstoneSchema,
  NoOp: noOpSchema,
  ZkMigrationState: zkMigrationStateSchema,
  AccessControlEntry: accessControlEntrySchema,
  RemoveAccessControlEntry: removeAccessControlEntrySchema,
  ClientQuota: clientQuotaSchema,
  UserScramCredential: userScramCredentialSchema,
  RemoveUserScramCredential: removeUserScramCredentialSchema,
  BeginTransaction: beginTransactionSchema,
  EndTransaction: endTransactionSchema,
  AbortTransaction: abortTransactionSchema,
});

/**
 * Kafka metadata record apiKeys we do not implement (FenceBroker 7, UnfenceBroker 8,
 * DelegationToken 10, RemoveDelegationToken 26, RegisterController 27) and the ones Kafka retired
 * (6, 13, 16). Never give these to another record.
 */
export const KAFKA_RESERVED_TYPE_IDS: readonly number[] = Object.freeze([6, 7, 8, 10, 13, 16, 26, 27]);

/** Type ids fit one msgpack byte; the lookup below is a dense array. */
const TYPE_ID_MAX = 127;

/** All schemas, in type id order. */
export const allRecordSchemas: readonly RecordSchema<MetadataRecord>[] = Object.freeze(
  (Object.values(recordSchemas) as RecordSchema<MetadataRecord>[]).sort((a, b) => a.typeId - b.typeId),
);

const byTypeId: (RecordSchema<MetadataRecord> | undefined)[] = new Array<RecordSchema<MetadataRecord> | undefined>(TYPE_ID_MAX + 1).fill(undefined);
for (const [name, schema] of Object.entries(recordSchemas) as [MetadataRecordType, RecordSchema<MetadataRecord>][]) {
  assert.equal(schema.name, name, `schema filed under ${name} says it is ${schema.name}`);
  assert.ok(Number.isInteger(schema.typeId) && schema.typeId >= 0 && schema.typeId <= TYPE_ID_MAX, `${name}: type id ${schema.typeId} out of 0..${TYPE_ID_MAX}`);
  assert.ok(!KAFKA_RESERVED_TYPE_IDS.includes(schema.typeId), `${name}: type id ${schema.typeId} is reserved for a Kafka record`);
  assert.equal(byTypeId[schema.typeId], undefined, `${name}: type id ${schema.typeId} already belongs to ${byTypeId[schema.typeId]?.name}`);
  assert.ok(Number.isInteger(schema.oldestReadableVersion) && schema.oldestReadableVersion >= 0 && schema.oldestReadableVersion <= schema.version, `${name}: bad version range`);
  byTypeId[schema.typeId] = schema;
}

/** The schema for a record type name (typed: schemaOf('Partition') is the Partition schema). */
export function schemaOf<T extends MetadataRecordType>(type: T): RecordSchema<RecordOf<T>> {
  return recordSchemas[type] as RecordSchema<RecordOf<T>>;
}

/** The schema for a wire type id, or undefined for an id this node does not know. */
export function schemaForTypeId(typeId: number): RecordSchema<MetadataRecord> | undefined {
  return Number.isInteger(typeId) && typeId >= 0 && typeId <= TYPE_ID_MAX ? byTypeId[typeId] : undefined;
}

/** The record type name of a wire type id, or undefined when unknown. */
export function recordTypeName(typeId: number): MetadataRecordType | undefined {
  return schemaForTypeId(typeId)?.name;
}
