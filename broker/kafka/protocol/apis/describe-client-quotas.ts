// DescribeClientQuotas (key 48), versions 0-1 (KIP-546; Kafka's DescribeClientQuotasRequest.json /
// Response.json). v0 is classic, v1 flexible (compact types, tagged fields, header v2 / v1). What
// Kafka's kafka-configs.sh --describe --entity-type users|clients|ips and the Java AdminClient's
// describeClientQuotas send; kafkajs 2.2.4 has no such call.
// Request: components[entity_type, match_type INT8 (0 exact, 1 default, 2 any specified), match
// NULLABLE], strict.
// Response: throttle_time_ms, error_code, error_message NULLABLE, entries NULLABLE[entity[
// entity_type, entity_name NULLABLE (null: the default)], values[key, value FLOAT64]]; with an
// error the entries are null, as Kafka answers.

import { assert } from '../../../../quorum/raft/assert.js';
import type { KafkaReader } from '../reader.js';
import type { KafkaWriter } from '../writer.js';

export const DESCRIBE_CLIENT_QUOTAS_MIN_VERSION = 0;
export const DESCRIBE_CLIENT_QUOTAS_MAX_VERSION = 1;
export const DESCRIBE_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION = 1;

/** One part of a client quota entity on the wire (DescribeClientQuotas and AlterClientQuotas). */
export interface ClientQuotaEntityData {
  entityType: string;
  /** Null: that type's default (<default> in Kafka's tools). */
  entityName: string | null;
}

export interface DescribeClientQuotasComponent {
  entityType: string;
  /** 0 EXACT, 1 DEFAULT, 2 SPECIFIED (any name); others are refused by the filter. */
  matchType: number;
  match: string | null;
}

export interface DescribeClientQuotasRequest {
  components: DescribeClientQuotasComponent[];
  strict: boolean;
}

export interface DescribeClientQuotasEntry {
  entity: ClientQuotaEntityData[];
  values: { key: string; value: number }[];
}

export interface DescribeClientQuotasResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  /** Null with an error. */
  entries: DescribeClientQuotasEntry[] | null;
}

function checkVersion(version: number): void {
  assert(
    version >= DESCRIBE_CLIENT_QUOTAS_MIN_VERSION && version <= DESCRIBE_CLIENT_QUOTAS_MAX_VERSION,
    `DescribeClientQuotas v${version} is not supported`,
  );
}

export function decodeDescribeClientQuotasRequest(reader: KafkaReader, version: number): DescribeClientQuotasRequest {
  checkVersion(version);
  const flexible = version >= DESCRIBE_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION;
  const readComponent = (r: KafkaReader): DescribeClientQuotasComponent => {
    const entityType = flexible ? r.compactString('DescribeClientQuotas entity_type') : r.string('DescribeClientQuotas entity_type');
    const matchType = r.int8('DescribeClientQuotas match_type');
    const match = flexible ? r.compactNullableString('DescribeClientQuotas match') : r.nullableString('DescribeClientQuotas match');
    if (flexible) r.taggedFields('DescribeClientQuotas component tagged fields');
    return { entityType, matchType, match };
  };
  // A component is at least a string, an INT8 and a nullable string (and a tag section when flexible).
  const components = flexible
    ? reader.compactArray(readComponent, 4, 'DescribeClientQuotas components')
    : reader.array(readComponent, 5, 'DescribeClientQuotas components');
  const strict = reader.boolean('DescribeClientQuotas strict');
  if (flexible) reader.taggedFields('DescribeClientQuotas tagged fields');
  return { components, strict };
}

/** An entity's parts, classic or compact (shared with AlterClientQuotas). */
export function writeClientQuotaEntity(w: KafkaWriter, flexible: boolean, entity: readonly ClientQuotaEntityData[]): void {
  if (flexible) w.compactArray(entity, (pw, p) => pw.compactString(p.entityType).compactNullableString(p.entityName).taggedFields());
  else w.array(entity, (pw, p) => pw.string(p.entityType).nullableString(p.entityName));
}

export function encodeDescribeClientQuotasResponse(writer: KafkaWriter, version: number, response: DescribeClientQuotasResponse): void {
  checkVersion(version);
  const flexible = version >= DESCRIBE_CLIENT_QUOTAS_FIRST_FLEXIBLE_VERSION;
  writer.int32(response.throttleTimeMs).int16(response.errorCode);
  const writeEntry = (w: KafkaWriter, e: DescribeClientQuotasEntry): void => {
    writeClientQuotaEntity(w, flexible, e.entity);
    if (flexible) {
      w.compactArray(e.values, (vw, v) => vw.compactString(v.key).float64(v.value).taggedFields());
      w.taggedFields();
    } else {
      w.array(e.values, (vw, v) => vw.string(v.key).float64(v.value));
    }
  };
  if (flexible) writer.compactNullableString(response.errorMessage).compactNullableArray(response.entries, writeEntry).taggedFields();
  else writer.nullableString(response.errorMessage).nullableArray(response.entries, writeEntry);
}
