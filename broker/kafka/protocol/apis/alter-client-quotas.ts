// AlterClientQuotas (key 49), versions 0-1 (KIP-546; Kafka's AlterClientQuotasRequest.json /
// Response.json). v0 is classic, v1 flexible (compact types, tagged fields, header v2 / v1). What
// Kafka's kafka-configs.sh --alter --entity-type users|clients|ips and the Java AdminClient's
// alterClientQuotas send; kafkajs 2.2.4 has no such call.
// Request: entries[entity[entity_type, entity_name NULLABLE (null: the default)], ops[key,
// value FLOAT64 (ignored when removing), remove]], validate_only.
// Response: throttle_time_ms, entries[error_code, error_message NULLABLE, entity[entity_type,
// entity_name NULLABLE]], one per request entry.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';
import { writeClientQuotaEntity, type ClientQuotaEntityData } from './describe-client-quotas.js';

export const ALTER_CLIENT_QUOTAS_MIN_VERSION = 0;
export const ALTER_CLIENT_QUOTAS_MAX_VERSION = 1;
export const ALTER_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION = 1;

export interface AlterClientQuotasOpData {
  key: string;
  value: number;
  remove: boolean;
}

export interface AlterClientQuotasEntryData {
  entity: ClientQuotaEntityData[];
  ops: AlterClientQuotasOpData[];
}

export interface AlterClientQuotasRequest {
  entries: AlterClientQuotasEntryData[];
  validateOnly: boolean;
}

export interface AlterClientQuotasEntryResult {
  errorCode: number;
  errorMessage: string | null;
  entity: ClientQuotaEntityData[];
}

export interface AlterClientQuotasResponse {
  throttleTimeMs: number;
  entries: AlterClientQuotasEntryResult[];
}

function checkVersion(version: number): void {
  assert(version >= ALTER_CLIENT_QUOTAS_MIN_VERSION && version <= ALTER_CLIENT_QUOTAS_MAX_VERSION, `AlterClientQuotas v${version} is not supported`);
}

export function decodeAlterClientQuotasRequest(reader: KafkaReader, version: number): AlterClientQuotasRequest {
  checkVersion(version);
  const flexible = version >= ALTER_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION;
  const readPart = (r: KafkaReader): ClientQuotaEntityData => {
    const entityType = flexible ? r.compactString('AlterClientQuotas entity_type') : r.string('AlterClientQuotas entity_type');
    const entityName = flexible ? r.compactNullableString('AlterClientQuotas entity_name') : r.nullableString('AlterClientQuotas entity_name');
    if (flexible) r.taggedFields('AlterClientQuotas entity tagged fields');
    return { entityType, entityName };
  };
  const readOp = (r: KafkaReader): AlterClientQuotasOpData => {
    const key = flexible ? r.compactString('AlterClientQuotas key') : r.string('AlterClientQuotas key');
    const value = r.float64('AlterClientQuotas value');
    const remove = r.boolean('AlterClientQuotas remove');
    if (flexible) r.taggedFields('AlterClientQuotas op tagged fields');
    return { key, value, remove };
  };
  const readEntry = (r: KafkaReader): AlterClientQuotasEntryData => {
    // Smallest items: a part is two strings; an op a string, a FLOAT64 and a BOOLEAN (plus tag sections when flexible).
    const entity = flexible ? r.compactArray(readPart, 3, 'AlterClientQuotas entity') : r.array(readPart, 4, 'AlterClientQuotas entity');
    const ops = flexible ? r.compactArray(readOp, 11, 'AlterClientQuotas ops') : r.array(readOp, 11, 'AlterClientQuotas ops');
    if (flexible) r.taggedFields('AlterClientQuotas entry tagged fields');
    return { entity, ops };
  };
  const entries = flexible ? reader.compactArray(readEntry, 3, 'AlterClientQuotas entries') : reader.array(readEntry, 8, 'AlterClientQuotas entries');
  const validateOnly = reader.boolean('AlterClientQuotas validate_only');
  if (flexible) reader.taggedFields('AlterClientQuotas tagged fields');
  return { entries, validateOnly };
}

export function encodeAlterClientQuotasResponse(writer: KafkaWriter, version: number, response: AlterClientQuotasResponse): void {
  checkVersion(version);
  const flexible = version >= ALTER_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION;
  writer.int32(response.throttleTimeMs);
  const writeEntry = (w: KafkaWriter, e: AlterClientQuotasEntryResult): void => {
    w.int16(e.errorCode);
    if (flexible) w.compactNullableString(e.errorMessage);
    else w.nullableString(e.errorMessage);
    writeClientQuotaEntity(w, flexible, e.entity);
    if (flexible) w.taggedFields();
  };
  if (flexible) writer.compactArray(response.entries, writeEntry).taggedFields();
  else writer.array(response.entries, writeEntry);
}
