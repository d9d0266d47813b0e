// ClientQuota (type 14, Kafka's ClientQuotaRecord): sets one quota key of a client entity, or
// removes it. An entity is a user, a client id, a user and a client id together, or an IP
// address; a null name is that kind's default (Kafka's <default>).
//
// Version history (payload fields, in order):
//   v0  [entity, key, value, remove]                                   (current)
//         entity: [[entityType, entityName | nil], ...] in canonical order (user, client-id, ip),
//         one to three parts, each type at most once. value: a finite msgpack number (float64
//         or integer); 0 when remove.
//
// Which combinations of types and which keys an entity may hold is the controller's rule
// (quorum/controller/configs/client-quotas.ts); the record only keeps a well-formed entity, so a
// later build may widen the rule without making older logs unreadable.

import type { ClientQuotaEntityPart, ClientQuotaEntityType, ClientQuotaRecord } from './types.js';
import type { RecordSchema } from './schema.js';
import { array, bool, describe, FieldError, fieldsOf, nested, nullableStr, str } from './fields.js';

/** The entity types in canonical order. */
export const CLIENT_QUOTA_ENTITY_TYPES: readonly ClientQuotaEntityType[] = Object.freeze(['user', 'client-id', 'ip']);

function entityType(v: unknown, field: string): ClientQuotaEntityType {
  const i = CLIENT_QUOTA_ENTITY_TYPES.indexOf(v as ClientQuotaEntityType);
  if (i < 0) throw new FieldError(field, `is ${describe(v)}, not one of ${CLIENT_QUOTA_ENTITY_TYPES.join(', ')}`);
  return CLIENT_QUOTA_ENTITY_TYPES[i]!;
}

/** The entity's parts checked: one to three, known types in canonical order, no type twice. */
export function checkedEntity(v: unknown, field: string): readonly ClientQuotaEntityPart[] {
  const parts = array(v, field);
  if (parts.length === 0 || parts.length > CLIENT_QUOTA_ENTITY_TYPES.length) {
    throw new FieldError(field, `has ${parts.length} parts, not 1 to ${CLIENT_QUOTA_ENTITY_TYPES.length}`);
  }
  const out: ClientQuotaEntityPart[] = [];
  let last = -1;
  for (let i = 0; i < parts.length; i++) {
    try {
      const p = fieldsOf(parts[i], 2);
      const t = entityType(p[0], 'entityType');
      const at = CLIENT_QUOTA_ENTITY_TYPES.indexOf(t);
      if (at <= last) throw new FieldError('entityType', `${t} out of canonical order (user, client-id, ip; each once)`);
      last = at;
      out.push({ entityType: t, entityName: nullableStr(p[1], 'entityName') });
    } catch (e) {
      nested(e, `${field}[${i}]`);
    }
  }
  return out;
}

function quotaValue(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(field, `is ${describe(v)}, not a finite number`);
  return v;
}

export const clientQuotaSchema: RecordSchema<ClientQuotaRecord> = {
  name: 'ClientQuota',
  typeId: 14,
  version: 0,
  oldestReadableVersion: 0,

  encode(r) {
    return [r.entity.map((e) => [e.entityType, e.entityName]), r.key, r.value, r.remove];
  },

  decode(_version, payload) {
    const p = fieldsOf(payload, 4);
    return {
      type: 'ClientQuota',
      entity: checkedEntity(p[0], 'entity'),
      key: str(p[1], 'key'),
      value: quotaValue(p[2], 'value'),
      remove: bool(p[3], 'remove'),
    };
  },
};
